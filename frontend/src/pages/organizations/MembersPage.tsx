// An organisation's people (the members see the list; its admins change
// roles, remove people and invite new ones by e-mail). The last admin stays:
// the API refuses, and the page says why. Admins also see the invitations
// still waiting for an answer, and can revoke one.
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router-dom';
import {
  ChangeMemberRoleDocument,
  InviteMemberDocument,
  OrganizationInvitationsDocument,
  OrganizationMembersDocument,
  RemoveMemberDocument,
  RevokeInvitationDocument,
  type MemberFieldsFragment,
  type MembershipRole,
} from '../../../generated/graphql/graphql';
import { request, useQuery } from '../../graphql/client';
import { formErrors, useFormErrors } from '../../formErrors';
import FormField, { FormAlert } from '../../components/FormField';
import Section from '../../components/Section';
import SignInNeeded from '../../components/SignInNeeded';
import { Failure, Loading, NotFound, usePageTitle } from '../../components/Status';
import { pathTo } from '../../routes';

const ROLES: MembershipRole[] = ['MEMBER', 'ADMIN'];

export default function MembersPage() {
  const { t } = useTranslation();
  const { id = '' } = useParams();
  const page = useQuery(OrganizationMembersDocument, { id });
  const org = page.data?.organization;
  const title = org ? t('members.titleOf', { name: org.name }) : t('members.title');
  usePageTitle(title);
  if (page.error) return <Failure error={page.error} />;
  if (!page.data) return <Loading />;
  if (!org) return <NotFound />;
  const me = page.data.me;
  if (!me) return <SignInNeeded title={title} body={t('members.signInNeeded')} />;
  const mine = org.members.nodes.find((m) => m.userId === me.id);
  if (!mine)
    return (
      <>
        <h1>{title}</h1>
        <p>{t('members.onlyMembers')}</p>
        <p><Link to={pathTo('organization', { id })}>{t('members.back', { name: org.name })}</Link></p>
      </>
    );
  return <Members organizationId={id} name={org.name} title={title} initial={org.members.nodes} myUserId={me.id} admin={mine.role === 'ADMIN'} />;
}

interface MembersProps {
  organizationId: string;
  name: string;
  title: string;
  initial: MemberFieldsFragment[];
  myUserId: string;
  admin: boolean;
}

function Members({ organizationId, name, title, initial, myUserId, admin }: MembersProps) {
  const { t, i18n } = useTranslation();
  const [members, setMembers] = useState(initial);
  const [error, setError] = useState<string>();
  const [status, setStatus] = useState<string>();
  const [confirming, setConfirming] = useState<string>();
  const date = (iso: string) => new Date(iso).toLocaleDateString(i18n.language === 'en' ? 'en-GB' : 'it-IT');

  async function changeRole(member: MemberFieldsFragment, role: MembershipRole) {
    setError(undefined);
    try {
      const data = await request(ChangeMemberRoleDocument, { organizationId, userId: member.userId, role });
      setMembers((list) => list.map((m) => (m.userId === member.userId ? { ...m, role: data.changeMemberRole.role } : m)));
      setStatus(t('members.roleChanged', { name: member.displayName, role: t(`members.roles.${role}`) }));
    } catch (e) {
      setError(formErrors(e, [], t('errors.network')).general);
    }
  }
  async function remove(member: MemberFieldsFragment) {
    setError(undefined);
    setConfirming(undefined);
    try {
      await request(RemoveMemberDocument, { organizationId, userId: member.userId });
      setMembers((list) => list.filter((m) => m.userId !== member.userId));
      setStatus(t(member.userId === myUserId ? 'members.left' : 'members.removed', { name: member.displayName }));
    } catch (e) {
      setError(formErrors(e, [], t('errors.network')).general);
    }
  }

  return (
    <>
      <h1>{title}</h1>
      <p>
        <Link to={pathTo('organization', { id: organizationId })}>{t('members.back', { name })}</Link>
        {admin && <> · <Link to={pathTo('organizationRequests', { id: organizationId })}>{t('orgAccess.requestsLink')}</Link></>}
      </p>
      <FormAlert message={error} />
      <p role="status" aria-live="polite" className="fw-semibold">{status}</p>
      <Section id="members-list" title={t('members.people', { count: members.length })}>
        <ul className="list-unstyled">
          {members.map((m) => {
            const self = m.userId === myUserId;
            return (
              <li key={m.id} className="member-row">
                <p className="mb-1">
                  <strong>{m.displayName}</strong>
                  {self && <> ({t('members.you')})</>} · {t(`members.roles.${m.role}`)} · {t('members.since', { date: date(m.joinedAt) })}
                </p>
                <div className="button-row">
                  {admin && (
                    <>
                      <label htmlFor={`role-${m.id}`} className="visually-hidden">{t('members.roleOf', { name: m.displayName })}</label>
                      <select id={`role-${m.id}`} className="form-select form-select-sm w-auto" value={m.role} onChange={(e) => changeRole(m, e.target.value as MembershipRole)}>
                        {ROLES.map((r) => (
                          <option key={r} value={r}>{t(`members.roles.${r}`)}</option>
                        ))}
                      </select>
                    </>
                  )}
                  {(admin || self) &&
                    (confirming === m.id ? (
                      <>
                        <button type="button" className="btn btn-sm btn-danger" onClick={() => remove(m)}>
                          {t(self ? 'members.confirmLeave' : 'members.confirmRemove', { name: m.displayName })}
                        </button>
                        <button type="button" className="btn btn-sm btn-link" onClick={() => setConfirming(undefined)}>{t('orgRequests.cancel')}</button>
                      </>
                    ) : (
                      <button type="button" className="btn btn-sm btn-outline-danger" onClick={() => setConfirming(m.id)}>
                        {t(self ? 'members.leave' : 'members.remove')}
                        {!self && <span className="visually-hidden"> {m.displayName}</span>}
                      </button>
                    ))}
                </div>
              </li>
            );
          })}
        </ul>
      </Section>
      {admin && <InviteForm organizationId={organizationId} />}
    </>
  );
}

function InviteForm({ organizationId }: { organizationId: string }) {
  const { t, i18n } = useTranslation();
  const [email, setEmail] = useState('');
  const [role, setRole] = useState<MembershipRole>('MEMBER');
  const { errors, onSubmit } = useFormErrors(['email', 'role']);
  const [status, setStatus] = useState<string>();
  const [revokeError, setRevokeError] = useState<string>();
  const pending = useQuery(OrganizationInvitationsDocument, { organizationId });
  const date = (iso: string) => new Date(iso).toLocaleDateString(i18n.language === 'en' ? 'en-GB' : 'it-IT');
  const submit = onSubmit(async () => {
    setStatus(undefined);
    const data = await request(InviteMemberDocument, { organizationId, email, role });
    const sent = data.inviteMember;
    setStatus(t('members.invited', { email: sent.email, role: t(`members.roles.${sent.role}`), date: date(sent.expiresAt) }));
    setEmail('');
    pending.reload();
  });
  async function revoke(id: string, invited: string) {
    setRevokeError(undefined);
    setStatus(undefined);
    try {
      await request(RevokeInvitationDocument, { id });
      setStatus(t('members.revoked', { email: invited }));
      pending.reload();
    } catch (e) {
      setRevokeError(formErrors(e, [], t('errors.network')).general);
    }
  }
  const invitations = pending.data?.organizationInvitations ?? [];
  return (
    <>
      <Section id="invite-title" className="mt-5" title={t('members.inviteTitle')} intro={t('members.inviteIntro')}>
        <form onSubmit={submit} className="narrow-form trama-form" noValidate>
          <FormAlert message={errors.general} />
          <FormField id="invite-email" type="email" label={t('signUp.email')} value={email} onChange={setEmail} error={errors.fields.email} autoComplete="off" required />
          <fieldset className="mb-4">
            <legend>{t('members.inviteRole')}</legend>
            {ROLES.map((r) => (
              <div className="form-check" key={r}>
                <input id={`invite-role-${r}`} type="radio" name="invite-role" checked={role === r} onChange={() => setRole(r)} />
                <label htmlFor={`invite-role-${r}`}>{t(`members.roles.${r}`)}</label>
              </div>
            ))}
          </fieldset>
          <button type="submit" className="btn btn-primary">{t('members.invite')}</button>
        </form>
        <p role="status" aria-live="polite" className="mt-3 fw-semibold">{status}</p>
      </Section>
      <Section id="pending-title" className="mt-4" title={t('members.pending', { count: invitations.length })}>
        {pending.error && <Failure error={pending.error} />}
        <FormAlert message={revokeError} />
        {pending.data && invitations.length === 0 && <p>{t('members.noPending')}</p>}
        <ul className="list-unstyled">
          {invitations.map((i) => (
            <li key={i.id} className="member-row">
              <p className="mb-1">
                <strong>{i.email}</strong> · {t(`members.roles.${i.role}`)} · {t('members.validUntil', { date: date(i.expiresAt) })}
              </p>
              <button type="button" className="btn btn-sm btn-outline-danger" onClick={() => revoke(i.id, i.email)}>
                {t('members.revoke')}<span className="visually-hidden"> {i.email}</span>
              </button>
            </li>
          ))}
        </ul>
      </Section>
    </>
  );
}
