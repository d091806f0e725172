// Creating an account: name, address and password; the API e-mails a link
// to confirm the address (the verify page), which the page then says, with a
// way to send the link again.
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router-dom';
import { ResendVerificationDocument, SignUpDocument } from '../../../generated/graphql/graphql';
import { request } from '../../graphql/client';
import { apiLanguage } from '../../i18n';
import { formErrors, useFormErrors } from '../../formErrors';
import FormField, { FormAlert } from '../../components/FormField';
import { usePageTitle } from '../../components/Status';
import { pathTo } from '../../routes';

const FIELDS = ['displayName', 'email', 'password'] as const;

export default function SignUpPage() {
  const { t } = useTranslation();
  usePageTitle(t('signUp.title'));
  const [displayName, setDisplayName] = useState('');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const { errors, attempt } = useFormErrors(FIELDS);
  const [busy, setBusy] = useState(false);
  const [sentTo, setSentTo] = useState<string>();
  const [resent, setResent] = useState<string>();

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    await attempt(async () => {
      const data = await request(SignUpDocument, { email, displayName, password, language: apiLanguage() });
      setSentTo(data.register.email);
    });
    setBusy(false);
  }

  async function resend() {
    if (!sentTo) return;
    setResent(undefined);
    try {
      await request(ResendVerificationDocument, { email: sentTo });
      setResent(t('signUp.resent'));
    } catch (e) {
      setResent(formErrors(e, [], t('errors.network')).general);
    }
  }

  if (sentTo)
    return (
      <>
        <h1>{t('signUp.checkMailTitle')}</h1>
        <p>{t('signUp.checkMail', { email: sentTo })}</p>
        <p>{t('signUp.checkMailSpam')}</p>
        <p className="button-row">
          <button type="button" className="btn btn-outline-primary" onClick={resend}>{t('signUp.resend')}</button>
          <Link to={pathTo('signIn')}>{t('nav.signIn')}</Link>
        </p>
        <p role="status" aria-live="polite">{resent}</p>
      </>
    );

  return (
    <>
      <h1>{t('signUp.title')}</h1>
      <p>{t('signUp.intro')}</p>
      <form onSubmit={submit} className="narrow-form" noValidate>
        <FormAlert message={errors.general} />
        <FormField id="signup-name" label={t('signUp.displayName')} hint={t('signUp.displayNameHint')} value={displayName} onChange={setDisplayName} error={errors.fields.displayName} autoComplete="name" required maxLength={100} />
        <FormField id="signup-email" type="email" label={t('signUp.email')} value={email} onChange={setEmail} error={errors.fields.email} autoComplete="email" required />
        <FormField id="signup-password" type="password" label={t('signUp.password')} hint={t('signUp.passwordHint')} value={password} onChange={setPassword} error={errors.fields.password} autoComplete="new-password" required />
        <p className="small">{t('signUp.privacy')} <Link to={pathTo('privacy')}>{t('nav.privacy')}</Link></p>
        <button type="submit" className="btn btn-primary" disabled={busy}>{t('signUp.submit')}</button>
      </form>
      <p className="mt-4">
        {t('signUp.haveAccount')} <Link to={pathTo('signIn')}>{t('nav.signIn')}</Link>
      </p>
    </>
  );
}
