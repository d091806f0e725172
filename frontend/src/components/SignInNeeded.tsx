// What a page for signed-in people shows to anyone else: why, and a way to
// sign in that comes back here.
import { useTranslation } from 'react-i18next';
import { Link, useLocation } from 'react-router-dom';
import { pathTo } from '../routes';
import { signInPath } from '../nextPath';

export default function SignInNeeded({ title, body }: { title: string; body?: string }) {
  const { t } = useTranslation();
  const location = useLocation();
  return (
    <>
      <h1>{title}</h1>
      <p>{body ?? t('signUp.signInNeeded')}</p>
      <p className="button-row">
        <Link to={signInPath(location.pathname + location.search)} className="btn btn-primary">{t('nav.signIn')}</Link>
        <Link to={pathTo('signUp')} className="btn btn-outline-primary">{t('signUp.create')}</Link>
      </p>
    </>
  );
}
