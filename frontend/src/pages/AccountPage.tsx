// The signed-in person's page (digest e-mails link here for their settings).
import { useTranslation } from 'react-i18next';
import { Link, useNavigate } from 'react-router-dom';
import { MeDocument, SignOutDocument } from '../../generated/graphql/graphql';
import { request, useQuery } from '../graphql/client';
import { Failure, Loading, usePageTitle } from '../components/Status';
import { pathTo } from '../routes';
import AccountLinks from '../components/AccountLinks';

export default function AccountPage() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  usePageTitle(t('account.title'));
  const { data, error, loading } = useQuery(MeDocument, {});
  async function signOut() {
    try {
      await request(SignOutDocument, {});
    } finally {
      window.localStorage.removeItem('trama.token');
      navigate(pathTo('home'));
    }
  }
  if (error) return <Failure error={error} />;
  if (loading && !data) return <Loading />;
  if (!data?.me)
    return (
      <>
        <h1>{t('account.title')}</h1>
        <p>{t('account.signedOut')}</p>
        <p><Link to={pathTo('signIn')} className="btn btn-primary">{t('nav.signIn')}</Link></p>
      </>
    );
  return (
    <>
      <h1>{t('account.title')}</h1>
      <p>{t('account.signedInAs', { name: data.me.displayName, email: data.me.email })}</p>
      <AccountLinks isModerator={data.me.isModerator} />
      <button type="button" className="btn btn-outline-primary" onClick={signOut}>{t('account.signOut')}</button>
    </>
  );
}
