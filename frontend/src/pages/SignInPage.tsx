// Signing in: the token is kept in this browser only; the signed-in journeys
// build on it. When the demo is loaded the server lists the demo accounts.
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useSearchParams } from 'react-router-dom';
import { SignInDocument } from '../../generated/graphql/graphql';
import { GraphqlRequestError, request } from '../graphql/client';
import { usePageTitle } from '../components/Status';
import DemoAccounts from '../components/DemoAccounts';
import { useSession } from '../session';
import { afterSignIn } from '../session/next';
import { pathTo } from '../routes';

export default function SignInPage() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const session = useSession();
  const [params] = useSearchParams();
  usePageTitle(t('signIn.title'));
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const data = await request(SignInDocument, { email, password });
      await session.signIn(data.login.token, data.login.expiresAt);
      navigate(afterSignIn(params.get('next')));
    } catch (e) {
      setError(e instanceof GraphqlRequestError ? e.message : t('errors.network'));
    } finally {
      setBusy(false);
    }
  }
  return (
    <>
      <h1>{t('signIn.title')}</h1>
      <form onSubmit={submit} className="narrow-form" noValidate>
        {error && (
          <div className="alert alert-danger" role="alert">
            {error}
          </div>
        )}
        <div className="mb-3">
          <label htmlFor="signin-email" className="form-label">{t('signIn.email')}</label>
          <input id="signin-email" type="email" autoComplete="username" className="form-control" value={email} onChange={(e) => setEmail(e.target.value)} required />
        </div>
        <div className="mb-3">
          <label htmlFor="signin-password" className="form-label">{t('signIn.password')}</label>
          <input id="signin-password" type="password" autoComplete="current-password" className="form-control" value={password} onChange={(e) => setPassword(e.target.value)} required />
        </div>
        <button type="submit" className="btn btn-primary" disabled={busy}>{t('signIn.submit')}</button>
      </form>
      <p className="mt-3">
        <Link to={pathTo('resetPassword')}>{t('signUp.forgotPassword')}</Link>
        <br />
        {t('signUp.noAccount')} <Link to={pathTo('signUp')}>{t('signUp.create')}</Link>
      </p>
      <DemoAccounts onPick={(e, p) => { setEmail(e); setPassword(p); }} />
    </>
  );
}
