// The box at the foot of an organisation's page for signed-in people: its
// admins reach the requests and the members; anyone else asks to join (or,
// when nobody manages it yet, to manage it: the API decides which) and sees
// how the request stands.
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useLocation } from 'react-router-dom';
import {
  MyOrganizationRequestsDocument,
  RequestOrganizationAccessDocument,
  ViewerDocument,
  type RequestOrganizationAccessMutation,
} from '../../generated/graphql/graphql';
import { request, useQuery } from '../graphql/client';
import { useFormErrors } from '../formErrors';
import { signInPath } from '../nextPath';
import { pathTo } from '../routes';
import FormField, { FormAlert } from './FormField';

type Sent = RequestOrganizationAccessMutation['requestOrganizationAccess'];

export default function OrganizationAccess({ organizationId, name }: { organizationId: string; name: string }) {
  const { t } = useTranslation();
  const location = useLocation();
  const viewer = useQuery(ViewerDocument, {});
  const signedIn = Boolean(viewer.data?.me);
  if (viewer.loading || viewer.error) return null;
  const me = viewer.data?.me;
  const membership = me?.memberships.find((m) => m.organization.id === organizationId);
  return (
    <section aria-labelledby="org-access" className="org-access mt-5">
      <h2 id="org-access" className="h4">{t(membership ? 'orgAccess.titleMember' : 'orgAccess.title')}</h2>
      {!me && (
        <p>
          {t('orgAccess.signInToAsk', { name })} <Link to={signInPath(location.pathname)}>{t('nav.signIn')}</Link>
        </p>
      )}
      {membership && (
        <>
          <p>{t(membership.role === 'ADMIN' ? 'orgAccess.youAreAdmin' : 'orgAccess.youAreMember')}</p>
          {membership.role === 'ADMIN' && (
            <p className="button-row">
              <Link to={pathTo('organizationRequests', { id: organizationId })} className="btn btn-outline-primary">{t('orgAccess.requestsLink')}</Link>
              <Link to={pathTo('organizationMembers', { id: organizationId })} className="btn btn-outline-primary">{t('orgAccess.membersLink')}</Link>
            </p>
          )}
        </>
      )}
      {signedIn && !membership && me && (me.emailVerified ? <AskToJoin organizationId={organizationId} name={name} /> : <p>{t('orgAccess.verifyFirst')}</p>)}
    </section>
  );
}

/** Above the page of an organisation just registered (the form sends the state). */
export function RegisteredNotice() {
  const { t } = useTranslation();
  const location = useLocation();
  if (!(location.state as { registered?: boolean } | null)?.registered) return null;
  return <div className="alert alert-success" role="status">{t('orgRegistration.registered')}</div>;
}

function AskToJoin({ organizationId, name }: { organizationId: string; name: string }) {
  const { t } = useTranslation();
  const mine = useQuery(MyOrganizationRequestsDocument, {});
  const [message, setMessage] = useState('');
  const { errors, onSubmit } = useFormErrors(['message']);
  const [sent, setSent] = useState<Sent>();
  const pending = mine.data?.myOrganizationRequests.find((r) => r.organization?.id === organizationId && r.status === 'PENDING');
  useEffect(() => setSent(undefined), [organizationId]);
  const submit = onSubmit(async () => {
    const data = await request(RequestOrganizationAccessDocument, { organizationId, message: message.trim() || undefined });
    setSent(data.requestOrganizationAccess);
  });
  if (sent) return <div className="alert alert-success" role="status">{sentText(t, sent)}</div>;
  if (pending) return <p>{t('orgAccess.pending', { date: new Date(pending.createdAt).toLocaleDateString() })}</p>;
  return (
    <form onSubmit={submit} className="narrow-form" noValidate>
      <p>{t('orgAccess.askIntro', { name })}</p>
      <FormAlert message={errors.general} />
      <FormField id="access-message" multiline label={t('orgAccess.message')} hint={t('orgAccess.messageHint')} value={message} onChange={setMessage} error={errors.fields.message} maxLength={1000} />
      <button type="submit" className="btn btn-primary">{t('orgAccess.ask')}</button>
    </form>
  );
}

/** What the person reads once the request is sent, by its kind and outcome. */
export function sentText(t: (key: string, options?: Record<string, unknown>) => string, sent: Pick<Sent, 'kind' | 'status' | 'confirmationSentTo'>): string {
  if (sent.kind === 'CLAIM' && sent.status === 'APPROVED') return t('orgAccess.claimApproved');
  if (sent.kind === 'CLAIM')
    return sent.confirmationSentTo.length
      ? t('orgAccess.claimPendingTo', { to: sent.confirmationSentTo.join(', ') })
      : t('orgAccess.claimPending');
  if (sent.status === 'APPROVED') return t('orgAccess.joinApproved');
  return t('orgAccess.joinPending');
}
