// Who takes part: the partners with their roles, the invitations waiting
// for an answer (accepted or declined here by an admin of the invited
// organisation), leaving the project with a reason (an admin of a partner
// other than the lead), and, for the lead's admins, inviting an
// organisation found by its name.
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router-dom';
import {
  AnswerPartnerInvitationDocument,
  ConversationForProjectDocument,
  InvitePartnerDocument,
  LeaveProjectDocument,
  SendMessageDocument,
  type PartnerRole,
} from '../../../generated/graphql/graphql';
import { request } from '../../graphql/client';
import Section from '../../components/Section';
import FormField from '../../components/FormField';
import { formatDate } from '../../format';
import { useSession } from '../../session';
import { useOrganizationSearch } from '../../organizationSearch';
import { adminPartners, answerableInvitations, isDrafting, type Workspace } from '../../projects/workspace';
import { pathTo } from '../../routes';
import { useWorkspaceAction } from '../../projects/useWorkspaceAction';
import { ActionStatus, RoleBadge, SelectField } from './parts';
import ProjectLead from './ProjectLead';

type Props = { ws: Workspace; onChange: (ws: Workspace) => void };
const INVITED_ROLES: readonly PartnerRole[] = ['PARTNER', 'SUPPORTER', 'FUNDER'];

export default function ProjectPartners({ ws, onChange }: Props) {
  const { t } = useTranslation();
  const session = useSession();
  const action = useWorkspaceAction(onChange);
  const mine = answerableInvitations(ws, session.roleIn);
  const mayInvite = session.roleIn(ws.leadOrganizationId) === 'ADMIN' && isDrafting(ws);
  const [handedOver, setHandedOver] = useState<string>();
  // Partners change until the pact is signed; the lead stays.
  const mayLeave = isDrafting(ws) ? adminPartners(ws, session.roleIn).filter((p) => p.organizationId !== ws.leadOrganizationId) : [];
  const navigate = useNavigate();
  const answer = (organizationId: string, accept: boolean) =>
    void action.run(
      async () => {
        const answered = (await request(AnswerPartnerInvitationDocument, { projectId: ws.id, accept, organizationId })).answerPartnerInvitation;
        // Declined, the project is no longer the reader's: back to the dashboard.
        if (!answered) navigate(pathTo('account'), { state: { projectNotice: t('project.declinedTitle', { title: ws.title }) } });
        return answered;
      },
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
      <ActionStatus done={action.done ?? handedOver} error={action.errors.general} />
      {mayLeave.map((p) => <LeaveForm key={p.organizationId} ws={ws} organizationId={p.organizationId} name={p.organizationName} />)}
      {mayInvite && <InviteForm ws={ws} onChange={onChange} />}
      {mayInvite && <ProjectLead ws={ws} onChange={onChange} onDone={setHandedOver} />}
    </Section>
  );
}

/**
 * An admin of a partner takes it out of the project, with its reason: the
 * reason is written in the project's conversation first, so the partners
 * who stay read it, then the organisation leaves and the reader goes back
 * to the dashboard (a private workspace is closed to them now).
 */
function LeaveForm({ ws, organizationId, name }: { ws: Workspace; organizationId: string; name: string }) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const action = useWorkspaceAction(() => undefined, ['reason']);
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState('');
  const id = `leave-${organizationId}`;
  const leave = action.submit(async () => {
    if (!reason.trim()) {
      action.setErrors({ fields: { reason: t('project.leaveReasonRequired') } });
      return undefined;
    }
    const conversation = (await request(ConversationForProjectDocument, { projectId: ws.id })).conversationForProject;
    await request(SendMessageDocument, { conversationId: conversation.id, body: t('project.leaveMessage', { name, reason: reason.trim() }) });
    await request(LeaveProjectDocument, { projectId: ws.id, reason: reason.trim(), organizationId });
    navigate(pathTo('account'), { state: { projectNotice: t('project.left', { title: ws.title }) } });
    return null;
  });
  if (!open)
    return (
      <p className="mt-3">
        <button type="button" className="btn btn-outline-danger btn-sm" onClick={() => setOpen(true)}>
          {t('project.leave', { name })}
        </button>
      </p>
    );
  return (
    <form onSubmit={leave} className="project-form mt-4" noValidate aria-labelledby={`${id}-title`}>
      <h3 id={`${id}-title`} className="h5">{t('project.leave', { name })}</h3>
      <FormField id={`${id}-reason`} label={t('project.leaveReason')} hint={t('project.leaveReasonHint')} value={reason} onChange={setReason}
        error={action.errors.fields.reason} multiline rows={3} maxLength={1000} required />
      <ActionStatus done={action.done} error={action.errors.general} />
      <div className="d-flex flex-wrap gap-2">
        <button type="submit" className="btn btn-danger" disabled={action.busy}>{t('project.leaveSubmit')}</button>
        <button type="button" className="btn btn-outline-secondary" onClick={() => setOpen(false)}>{t('matches.cancel')}</button>
      </div>
    </form>
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
