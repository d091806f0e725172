// The page of the link in the confirmation e-mail: it confirms the address
// on arrival (once per token), then offers the next step, registering an
// organisation; an expired or used link can be sent again.
import { useEffect, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useSearchParams } from 'react-router-dom';
import { ResendVerificationDocument, VerifyEmailDocument } from '../../../generated/graphql/graphql';
import { request } from '../../graphql/client';
import { formErrors } from '../../formErrors';
import { oneShot } from '../../oneShot';
import FormField from '../../components/FormField';
import { Loading, usePageTitle } from '../../components/Status';
import { pathTo } from '../../routes';
import { signInPath } from '../../nextPath';

type State = { kind: 'working' } | { kind: 'done'; name: string } | { kind: 'failed'; message: string };

export default function VerifyEmailPage() {
  const { t } = useTranslation();
  usePageTitle(t('verifyEmail.title'));
  const [params] = useSearchParams();
  const token = params.get('token') ?? '';
  const [state, setState] = useState<State>({ kind: 'working' });
  useEffect(() => {
    let current = true;
    if (!token) {
      setState({ kind: 'failed', message: t('verifyEmail.noToken') });
      return;
    }
    oneShot(`verify:${token}`, () => request(VerifyEmailDocument, { token })).then(
      (data) => current && setState({ kind: 'done', name: data.verifyEmail.displayName }),
      (e: unknown) => current && setState({ kind: 'failed', message: formErrors(e, [], t('errors.network')).general ?? '' }),
    );
    return () => {
      current = false;
    };
  }, [token, t]);

  return (
    <>
      <h1>{t('verifyEmail.title')}</h1>
      {state.kind === 'working' && <Loading />}
      {state.kind === 'done' && (
        <>
          <div className="alert alert-success" role="status">{t('verifyEmail.done', { name: state.name })}</div>
          <p>{t('verifyEmail.next')}</p>
          <p className="button-row">
            <Link to={signInPath(pathTo('newOrganization'))} className="btn btn-primary">{t('verifyEmail.signInAndRegister')}</Link>
            <Link to={pathTo('signIn')} className="btn btn-outline-primary">{t('nav.signIn')}</Link>
          </p>
        </>
      )}
      {state.kind === 'failed' && (
        <>
          <div className="alert alert-warning" role="alert">{state.message}</div>
          <ResendForm />
        </>
      )}
    </>
  );
}

function ResendForm() {
  const { t } = useTranslation();
  const [email, setEmail] = useState('');
  const [outcome, setOutcome] = useState<string>();
  async function submit(event: FormEvent) {
    event.preventDefault();
    try {
      await request(ResendVerificationDocument, { email });
      setOutcome(t('verifyEmail.resent'));
    } catch (e) {
      setOutcome(formErrors(e, [], t('errors.network')).general);
    }
  }
  return (
    <form onSubmit={submit} className="narrow-form" noValidate>
      <h2 className="h4">{t('verifyEmail.resendTitle')}</h2>
      <FormField id="resend-email" type="email" label={t('signUp.email')} value={email} onChange={setEmail} autoComplete="email" required />
      <button type="submit" className="btn btn-primary">{t('signUp.resend')}</button>
      <p role="status" aria-live="polite" className="mt-3">{outcome}</p>
    </form>
  );
}
