// The page of the invitation e-mail's link: the invited person, signed in
// with the invited address, joins with one button (opening the link does
// nothing: mail scanners open every link). Otherwise it says to sign in or
// to create an account with that address first.
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useLocation, useSearchParams } from 'react-router-dom';
import { AcceptInvitationDocument, ViewerDocument, type AcceptInvitationMutation } from '../../../generated/graphql/graphql';
import { request, useQuery } from '../../graphql/client';
import { formErrors } from '../../formErrors';
import { signInPath } from '../../nextPath';
import { FormAlert } from '../../components/FormField';
import { Failure, Loading, usePageTitle } from '../../components/Status';
import { pathTo } from '../../routes';

type Accepted = AcceptInvitationMutation['acceptInvitation'];

export default function InvitationPage() {
  const { t } = useTranslation();
  usePageTitle(t('invitation.title'));
  const [params] = useSearchParams();
  const location = useLocation();
  const token = params.get('token') ?? '';
  const viewer = useQuery(ViewerDocument, {});
  const [accepted, setAccepted] = useState<Accepted>();
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  async function accept() {
    setBusy(true);
    setError(undefined);
    try {
      setAccepted((await request(AcceptInvitationDocument, { token })).acceptInvitation);
    } catch (e) {
      setError(formErrors(e, [], t('errors.network')).general);
    } finally {
      setBusy(false);
    }
  }
  if (viewer.error) return <Failure error={viewer.error} />;
  if (!viewer.data) return <Loading />;
  const me = viewer.data.me;
  return (
    <>
      <h1>{t('invitation.title')}</h1>
      {accepted ? (
        <>
          <div className="alert alert-success" role="status">
            {t('invitation.accepted', { name: accepted.organization.name, role: t(`members.roles.${accepted.role}`) })}
          </div>
          <p><Link to={pathTo('organization', { id: accepted.organization.id })}>{accepted.organization.name}</Link></p>
        </>
      ) : me ? (
        <>
          <p>{t('invitation.signedInAs', { email: me.email })}</p>
          <FormAlert message={error} />
          <button type="button" className="btn btn-primary" onClick={accept} disabled={busy || !token}>{t('invitation.accept')}</button>
        </>
      ) : (
        <>
          <p>{t('invitation.signInFirst')}</p>
          <p className="button-row">
            <Link to={signInPath(location.pathname + location.search)} className="btn btn-primary">{t('nav.signIn')}</Link>
            <Link to={pathTo('signUp')} className="btn btn-outline-primary">{t('signUp.create')}</Link>
          </p>
        </>
      )}
    </>
  );
}
