// Who brings what, partner by partner: each contribution's kind,
// description and quantity (with its unit) or amount in euro. An admin of
// a partner adds, changes and withdraws its own until the pact is signed.
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import {
  AddContributionDocument,
  UpdateContributionDocument,
  WithdrawContributionDocument,
  type OfferKind,
  type ProjectContributionInput,
} from '../../../generated/graphql/graphql';
import { request } from '../../graphql/client';
import Section from '../../components/Section';
import FormField from '../../components/FormField';
import { OFFER_KINDS, parseEuro, formatEuroInput } from '../../forms/posting';
import { useSession } from '../../session';
import { adminPartners, contributionAmount, contributionsByPartner, isDrafting, parseNumber, type Workspace } from '../../projects/workspace';
import { useWorkspaceAction } from '../../projects/useWorkspaceAction';
import { ActionStatus, PartnerCard, SelectField } from './parts';

type Props = { ws: Workspace; onChange: (ws: Workspace) => void };
type Contribution = Workspace['contributions'][number];
const FIELDS = ['kind', 'description', 'quantity', 'unit', 'amountCents'] as const;

export default function ProjectContributions({ ws, onChange }: Props) {
  const { t, i18n } = useTranslation();
  const session = useSession();
  const action = useWorkspaceAction(onChange);
  const [editing, setEditing] = useState<string>();
  // The edit form closes once saved: its message is said here instead.
  const [edited, setEdited] = useState<string>();
  const mayEdit = (organizationId: string) => isDrafting(ws) && session.roleIn(organizationId) === 'ADMIN';
  const mine = isDrafting(ws) ? adminPartners(ws, session.roleIn)[0] : undefined;
  return (
    <Section id="project-contributions" title={t('project.contributionsTitle')} intro={t('project.contributionsIntro')}>
      {contributionsByPartner(ws).map(({ partner, contributions }) => (
        <PartnerCard key={partner.organizationId} id={`contrib-${partner.organizationId}`} name={partner.organizationName} role={partner.role}>
          {contributions.length === 0 && <p className="text-muted mb-0">{t('project.noContributions')}</p>}
          <ul className="list-unstyled mb-0">
            {contributions.map((c) =>
              editing === c.id ? (
                <li key={c.id}>
                  <ContributionForm
                    ws={ws}
                    onChange={onChange}
                    contribution={c}
                    onDone={(message) => {
                      setEditing(undefined);
                      setEdited(message);
                    }}
                  />
                </li>
              ) : (
                <li key={c.id} className={`contribution mb-2${c.status === 'WITHDRAWN' ? ' text-muted' : ''}`}>
                  <span className="badge bg-light text-dark me-2">{t(`postingForm.offerKinds.${c.kind}`)}</span>
                  {c.status === 'WITHDRAWN' ? <del>{c.description}</del> : c.description}
                  {contributionAmount(c, i18n.language) && <strong> · {contributionAmount(c, i18n.language)}</strong>}
                  {c.status === 'WITHDRAWN' && <span className="small"> ({t('project.withdrawn')})</span>}
                  {c.status === 'AGREED' && <span className="small text-success"> · {t('project.agreedInPact')}</span>}
                  {c.status !== 'WITHDRAWN' && mayEdit(c.organizationId) && (
                    <span className="d-inline-flex gap-2 ms-2">
                      <button
                        type="button"
                        className="btn btn-link btn-sm p-0"
                        onClick={() => {
                          setEdited(undefined);
                          setEditing(c.id);
                        }}
                      >
                        {t('project.edit')}<span className="visually-hidden">: {c.description}</span>
                      </button>
                      <button
                        type="button"
                        className="btn btn-link btn-sm p-0"
                        disabled={action.busy}
                        onClick={() =>
                          void action.run(
                            async () => (await request(WithdrawContributionDocument, { id: c.id })).withdrawContribution,
                            t('project.contributionWithdrawn'),
                          )
                        }
                      >
                        {t('project.withdraw')}<span className="visually-hidden">: {c.description}</span>
                      </button>
                    </span>
                  )}
                </li>
              ),
            )}
          </ul>
        </PartnerCard>
      ))}
      <ActionStatus done={action.done ?? edited} error={action.errors.general} />
      {mine && <ContributionForm ws={ws} onChange={onChange} organizationId={mine.organizationId} organizationName={mine.organizationName} />}
    </Section>
  );
}

/** Adds a contribution for `organizationId`, or changes `contribution`. */
function ContributionForm({
  ws,
  onChange,
  contribution,
  organizationId,
  organizationName,
  onDone,
}: Props & { contribution?: Contribution; organizationId?: string; organizationName?: string; onDone?: (message?: string) => void }) {
  const { t, i18n } = useTranslation();
  const action = useWorkspaceAction(onChange, FIELDS);
  const prefix = contribution ? `contrib-edit-${contribution.id}` : 'contrib-new';
  const [kind, setKind] = useState<OfferKind | ''>(contribution?.kind ?? '');
  const [description, setDescription] = useState(contribution?.description ?? '');
  const [quantity, setQuantity] = useState(contribution?.quantity?.toString() ?? '');
  const [unit, setUnit] = useState(contribution?.unit ?? '');
  const [amount, setAmount] = useState(formatEuroInput(contribution?.amountCents, i18n.language));
  const e = action.errors.fields;

  const save = action.submit(
    async () => {
      const qty = parseNumber(quantity);
      const cents = parseEuro(amount);
      const local: Record<string, string> = {};
      if (!kind) local.kind = t('project.errors.kind');
      if (qty === undefined) local.quantity = t('project.errors.number');
      if (cents === undefined) local.amountCents = t('project.errors.euro');
      if (Object.keys(local).length) {
        action.setErrors({ fields: local });
        return undefined;
      }
      const input: ProjectContributionInput = {
        kind: kind as OfferKind,
        description,
        quantity: qty ?? null,
        unit: unit.trim() || null,
        amountCents: cents ?? null,
        organizationId: contribution ? undefined : organizationId,
      };
      return contribution
        ? (await request(UpdateContributionDocument, { id: contribution.id, input })).updateContribution
        : (await request(AddContributionDocument, { projectId: ws.id, input })).addContribution;
    },
    t(contribution ? 'project.contributionSaved' : 'project.contributionAdded'),
    () => {
      if (contribution) onDone?.(t('project.contributionSaved'));
      else {
        setKind('');
        setDescription('');
        setQuantity('');
        setUnit('');
        setAmount('');
      }
    },
  );

  const title = contribution ? t('project.editContribution') : t('project.addContribution', { name: organizationName });
  return (
    <form onSubmit={save} className="project-form mt-3" noValidate aria-labelledby={`${prefix}-title`}>
      <h3 id={`${prefix}-title`} className="h5">{title}</h3>
      <SelectField
        id={`${prefix}-kind`}
        label={t('project.contributionKind')}
        value={kind}
        options={OFFER_KINDS.map((k) => ({ value: k, label: t(`postingForm.offerKinds.${k}`) }))}
        onChange={setKind}
        error={e.kind}
      />
      <FormField id={`${prefix}-description`} label={t('project.contributionDescription')} hint={t('project.contributionDescriptionHint')} value={description} onChange={setDescription} error={e.description} required maxLength={200} />
      <div className="row">
        <div className="col-sm-4">
          <FormField id={`${prefix}-quantity`} label={t('project.quantity')} value={quantity} onChange={setQuantity} error={e.quantity} />
        </div>
        <div className="col-sm-4">
          <FormField id={`${prefix}-unit`} label={t('project.unit')} hint={t('project.unitHint')} value={unit} onChange={setUnit} error={e.unit} />
        </div>
        <div className="col-sm-4">
          <FormField id={`${prefix}-amount`} label={t('project.amount')} hint={t('postingForm.amountHint')} value={amount} onChange={setAmount} error={e.amountCents} />
        </div>
      </div>
      <ActionStatus done={action.done} error={action.errors.general} />
      <div className="d-flex gap-2">
        <button type="submit" className="btn btn-primary" disabled={action.busy}>{t(contribution ? 'project.save' : 'project.addContributionSubmit')}</button>
        {contribution && <button type="button" className="btn btn-outline-primary" onClick={() => onDone?.()}>{t('common.cancel')}</button>}
      </div>
    </form>
  );
}
