// Forgotten password: without a token, ask for the link by e-mail; with the
// token of that link, choose the new password (every session ends).
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useSearchParams } from 'react-router-dom';
import { RequestPasswordResetDocument, ResetPasswordDocument } from '../../../generated/graphql/graphql';
import { request } from '../../graphql/client';
import { useFormErrors } from '../../formErrors';
import FormField, { FormAlert } from '../../components/FormField';
import { PageTitle } from '../../components/Status';
import { pathTo } from '../../routes';

export default function ResetPasswordPage() {
  const [params] = useSearchParams();
  const token = params.get('token');
  return token ? <NewPassword token={token} /> : <AskForLink />;
}

function AskForLink() {
  const { t } = useTranslation();
  const [email, setEmail] = useState('');
  const { errors, onSubmit } = useFormErrors(['email']);
  const [sent, setSent] = useState(false);
  const submit = onSubmit(async () => {
    await request(RequestPasswordResetDocument, { email });
    setSent(true);
  });
  return (
    <>
      <PageTitle title={t('resetPassword.askTitle')} />
      {sent ? (
        <div className="alert alert-success" role="status">{t('resetPassword.sent', { email })}</div>
      ) : (
        <>
          <p>{t('resetPassword.askIntro')}</p>
          <form onSubmit={submit} className="narrow-form" noValidate>
            <FormAlert message={errors.general} />
            <FormField id="reset-email" type="email" label={t('signUp.email')} value={email} onChange={setEmail} error={errors.fields.email} autoComplete="email" required />
            <button type="submit" className="btn btn-primary">{t('resetPassword.send')}</button>
          </form>
        </>
      )}
    </>
  );
}

function NewPassword({ token }: { token: string }) {
  const { t } = useTranslation();
  const [password, setPassword] = useState('');
  const { errors, onSubmit } = useFormErrors(['password']);
  const [done, setDone] = useState(false);
  const submit = onSubmit(async () => {
    await request(ResetPasswordDocument, { token, password });
    window.localStorage.removeItem('trama.token');
    setDone(true);
  });
  return (
    <>
      <PageTitle title={t('resetPassword.newTitle')} />
      {done ? (
        <>
          <div className="alert alert-success" role="status">{t('resetPassword.done')}</div>
          <p><Link to={pathTo('signIn')} className="btn btn-primary">{t('nav.signIn')}</Link></p>
        </>
      ) : (
        <form onSubmit={submit} className="narrow-form" noValidate>
          <FormAlert message={errors.general} />
          {errors.general && (
            <p><Link to={pathTo('resetPassword')}>{t('resetPassword.askAgain')}</Link></p>
          )}
          <FormField id="reset-password" type="password" label={t('resetPassword.password')} hint={t('signUp.passwordHint')} value={password} onChange={setPassword} error={errors.fields.password} autoComplete="new-password" required />
          <button type="submit" className="btn btn-primary">{t('resetPassword.save')}</button>
        </form>
      )}
    </>
  );
}
