// Who takes part: the partners with their roles, the invitations waiting
// for an answer (accepted or declined here by an admin of the invited
// organisation), and, for the lead's admins, inviting an organisation
// found by its name.
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { AnswerPartnerInvitationDocument, InvitePartnerDocument, type PartnerRole } from '../../../generated/graphql/graphql';
import { request } from '../../graphql/client';
import Section from '../../components/Section';
import FormField from '../../components/FormField';
import { formatDate } from '../../format';
import { useSession } from '../../session';
import { useOrganizationSearch } from '../../organizationSearch';
import { answerableInvitations, isDrafting, type Workspace } from '../../projects/workspace';
import { useWorkspaceAction } from '../../projects/useWorkspaceAction';
import { ActionStatus, RoleBadge, SelectField } from './parts';

type Props = { ws: Workspace; onChange: (ws: Workspace) => void };
const INVITED_ROLES: readonly PartnerRole[] = ['PARTNER', 'SUPPORTER', 'FUNDER'];

export default function ProjectPartners({ ws, onChange }: Props) {
  const { t } = useTranslation();
  const session = useSession();
  const action = useWorkspaceAction(onChange);
  const mine = answerableInvitations(ws, session.roleIn);
  const mayInvite = session.roleIn(ws.leadOrganizationId) === 'ADMIN' && isDrafting(ws);
  const answer = (organizationId: string, accept: boolean) =>
    void action.run(
      async () => (await request(AnswerPartnerInvitationDocument, { projectId: ws.id, accept, organizationId })).answerPartnerInvitation,
      t(accept ? 'project.accepted' : 'project.declined'),
    );
  return (
    <Section id="project-partners" title={t('project.partnersTitle')}>
      <ul className="list-unstyled">
        {ws.partners.map((p) => (
          <li key={p.organizationId} className="mb-2">
            <strong>{p.organizationName}</strong>
            <RoleBadge role={p.role} />
            <span className="small text-muted"> · {t('project.joinedOn', { date: formatDate(p.joinedAt) })}</span>
          </li>
        ))}
      </ul>
      {ws.invitations.length > 0 && (
        <>
          <h3 className="h5">{t('project.invitationsTitle')}</h3>
          <ul className="list-unstyled">
            {ws.invitations.map((i) => (
              <li key={i.organizationId} className="mb-2">
                {t('project.invitedAs', { name: i.organizationName, role: t(`project.role.${i.role}`), date: formatDate(i.invitedAt) })}
                {mine.some((m) => m.organizationId === i.organizationId) && (
                  <span className="d-inline-flex gap-2 ms-2">
                    <button type="button" className="btn btn-primary btn-sm" disabled={action.busy} onClick={() => answer(i.organizationId, true)}>
                      {t('project.accept')}<span className="visually-hidden">: {i.organizationName}</span>
                    </button>
                    <button type="button" className="btn btn-outline-primary btn-sm" disabled={action.busy} onClick={() => answer(i.organizationId, false)}>
                      {t('project.decline')}<span className="visually-hidden">: {i.organizationName}</span>
                    </button>
                  </span>
                )}
              </li>
            ))}
          </ul>
        </>
      )}
      <ActionStatus done={action.done} error={action.errors.general} />
      {mayInvite && <InviteForm ws={ws} onChange={onChange} />}
    </Section>
  );
}

/** The lead's admins invite an organisation: its name typed, one of the matches picked, a role. */
function InviteForm({ ws, onChange }: Props) {
  const { t } = useTranslation();
  const action = useWorkspaceAction(onChange, ['organizationId', 'role']);
  const [name, setName] = useState('');
  const [picked, setPicked] = useState<{ id: string; name: string }>();
  const [role, setRole] = useState<PartnerRole>('PARTNER');
  const taken = new Set([...ws.partners, ...ws.invitations].map((p) => p.organizationId));
  const found = useOrganizationSearch(name, 3, 6).filter((o) => !taken.has(o.id));
  const invite = action.submit(
    async () => {
      if (!picked) {
        action.setErrors({ fields: { organizationId: t('project.pickOrganization') } });
        return undefined;
      }
      return (await request(InvitePartnerDocument, { projectId: ws.id, organizationId: picked.id, role })).invitePartner;
    },
    picked ? t('project.invited', { name: picked.name }) : undefined,
    () => {
      setName('');
      setPicked(undefined);
    },
  );
  return (
    <form onSubmit={invite} className="project-form mt-4" noValidate aria-labelledby="invite-title">
      <h3 id="invite-title" className="h5">{t('project.inviteTitle')}</h3>
      <FormField
        id="invite-name"
        label={t('project.inviteName')}
        hint={t('project.inviteNameHint')}
        value={name}
        onChange={(v) => {
          setName(v);
          setPicked(undefined);
        }}
        error={action.errors.fields.organizationId}
        type="search"
        autoComplete="off"
      />
      <div aria-live="polite">
        {!picked && found.length > 0 && (
          <fieldset className="mb-3">
            <legend className="h6">{t('project.inviteFound', { count: found.length })}</legend>
            {found.map((o) => (
              <div className="form-check" key={o.id}>
                <input id={`invite-org-${o.id}`} type="radio" name="invite-org" className="form-check-input" onChange={() => setPicked(o)} />
                <label htmlFor={`invite-org-${o.id}`} className="form-check-label">
                  {o.name} <span className="text-muted small">({o.kind})</span>
                </label>
              </div>
            ))}
          </fieldset>
        )}
        {picked && <p className="mb-3">{t('project.invitePicked', { name: picked.name })}</p>}
      </div>
      <SelectField
        id="invite-role"
        label={t('project.inviteRole')}
        value={role}
        options={INVITED_ROLES.map((r) => ({ value: r, label: `${t(`project.role.${r}`)}: ${t(`project.roleHelp.${r}`)}` }))}
        onChange={setRole}
        error={action.errors.fields.role}
      />
      <ActionStatus done={action.done} error={action.errors.general} />
      <button type="submit" className="btn btn-primary" disabled={action.busy}>{t('project.inviteSubmit')}</button>
    </form>
  );
}
