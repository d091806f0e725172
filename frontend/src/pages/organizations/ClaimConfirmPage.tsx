// The page of the link sent to an organisation's registered address when
// someone asks to manage it: nothing happens on opening it (mail scanners
// open every link), only one of the two buttons answers.
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useSearchParams } from 'react-router-dom';
import { AnswerOrganizationClaimDocument, type AnswerOrganizationClaimMutation } from '../../../generated/graphql/graphql';
import { request } from '../../graphql/client';
import { formErrors } from '../../formErrors';
import { FormAlert } from '../../components/FormField';
import { usePageTitle } from '../../components/Status';

type Answer = AnswerOrganizationClaimMutation['answerOrganizationClaim'];

export default function ClaimConfirmPage() {
  const { t } = useTranslation();
  usePageTitle(t('claimConfirm.title'));
  const [params] = useSearchParams();
  const token = params.get('token') ?? '';
  const [answer, setAnswer] = useState<Answer>();
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  async function send(approve: boolean) {
    setBusy(true);
    setError(undefined);
    try {
      setAnswer((await request(AnswerOrganizationClaimDocument, { token, approve })).answerOrganizationClaim);
    } catch (e) {
      setError(formErrors(e, [], t('errors.network')).general);
    } finally {
      setBusy(false);
    }
  }
  return (
    <>
      <h1>{t('claimConfirm.title')}</h1>
      {answer ? (
        <div className="alert alert-success" role="status">
          {t(answer.status === 'APPROVED' ? 'claimConfirm.approved' : 'claimConfirm.declined', {
            name: answer.requesterName,
            organization: answer.organizationName,
          })}
        </div>
      ) : (
        <>
          <p>{t('claimConfirm.intro')}</p>
          <FormAlert message={error} />
          <p className="button-row">
            <button type="button" className="btn btn-primary" disabled={busy || !token} onClick={() => send(true)}>{t('claimConfirm.yes')}</button>
            <button type="button" className="btn btn-outline-danger" disabled={busy || !token} onClick={() => send(false)}>{t('claimConfirm.no')}</button>
          </p>
        </>
      )}
    </>
  );
}
