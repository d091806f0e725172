// A page for signed-in people only: others are asked to sign in and come
// back here afterwards.
import { type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useLocation } from 'react-router-dom';
import { useSession } from '../session';
import { signInFor } from '../session/next';
import { Loading, usePageTitle } from './Status';

export default function RequireSignIn({ children }: { children: ReactNode }) {
  const session = useSession();
  if (session.status === 'loading') return <Loading />;
  if (session.status === 'signedOut') return <SignInPrompt />;
  return <>{children}</>;
}

function SignInPrompt() {
  const { t } = useTranslation();
  const session = useSession();
  const location = useLocation();
  usePageTitle(t('dashboard.signInTitle'));
  return (
    <>
      <h1>{t('dashboard.signInTitle')}</h1>
      {session.expired && <div className="alert alert-warning" role="status">{t('dashboard.expired')}</div>}
      <p>{t('dashboard.signInBody')}</p>
      <p><Link to={signInFor(location.pathname + location.search)} className="btn btn-primary">{t('nav.signIn')}</Link></p>
    </>
  );
}
