// One request to join or to manage an organisation, as whoever decides sees
// it: who asks, what they wrote, and the buttons to approve or to decline
// with a reason the requester reads. Used by an organisation's admins and
// by moderators (claims).
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router-dom';
import {
  ApproveOrganizationRequestDocument,
  DeclineOrganizationRequestDocument,
  type RequestFieldsFragment,
} from '../../generated/graphql/graphql';
import { request } from '../graphql/client';
import { useFormErrors } from '../formErrors';
import { pathTo } from '../routes';
import FormField, { FormAlert } from './FormField';

export default function RequestCard({ item, showOrganization = false }: { item: RequestFieldsFragment; showOrganization?: boolean }) {
  const { t, i18n } = useTranslation();
  const [current, setCurrent] = useState(item);
  const [declining, setDeclining] = useState(false);
  const [reason, setReason] = useState('');
  const { errors, attempt } = useFormErrors(['reason']);
  const [busy, setBusy] = useState(false);
  const headingId = `request-${item.id}`;

  async function approve() {
    setBusy(true);
    await attempt(async () => {
      setCurrent((await request(ApproveOrganizationRequestDocument, { id: item.id })).approveOrganizationRequest);
    });
    setBusy(false);
  }
  async function decline(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    await attempt(async () => {
      const data = await request(DeclineOrganizationRequestDocument, { id: item.id, reason: reason.trim() || undefined });
      setCurrent(data.declineOrganizationRequest);
      setDeclining(false);
    });
    setBusy(false);
  }

  const date = new Date(current.createdAt).toLocaleDateString(i18n.language === 'en' ? 'en-GB' : 'it-IT');
  return (
    <article className="request-card" aria-labelledby={headingId}>
      <h3 id={headingId} className="h5 mb-1">
        {current.requester.displayName} <span className="fw-normal">&lt;{current.requester.email}&gt;</span>
      </h3>
      <p className="mb-1">
        {t(`orgRequests.kind.${current.kind}`)} · {t('orgRequests.askedOn', { date })}
        {showOrganization && current.organization && (
          <> · <Link to={pathTo('organization', { id: current.organization.id })}>{current.organization.name}</Link></>
        )}
      </p>
      {current.message && <blockquote className="mb-2 description">{current.message}</blockquote>}
      {current.confirmationSentTo.length > 0 && (
        <p className="small mb-2">{t('orgRequests.confirmationSentTo', { to: current.confirmationSentTo.join(', ') })}</p>
      )}
      <FormAlert message={errors.general} />
      {current.status === 'PENDING' ? (
        declining ? (
          <form onSubmit={decline} noValidate>
            <FormField id={`decline-${item.id}`} multiline label={t('orgRequests.reason')} hint={t('orgRequests.reasonHint')} value={reason} onChange={setReason} error={errors.fields.reason} maxLength={300} />
            <div className="button-row">
              <button type="submit" className="btn btn-danger" disabled={busy}>{t('orgRequests.confirmDecline')}</button>
              <button type="button" className="btn btn-link" onClick={() => setDeclining(false)}>{t('orgRequests.cancel')}</button>
            </div>
          </form>
        ) : (
          <div className="button-row">
            <button type="button" className="btn btn-primary" onClick={approve} disabled={busy}>
              {t('orgRequests.approve')}<span className="visually-hidden"> {current.requester.displayName}</span>
            </button>
            <button type="button" className="btn btn-outline-danger" onClick={() => setDeclining(true)} disabled={busy}>
              {t('orgRequests.decline')}<span className="visually-hidden"> {current.requester.displayName}</span>
            </button>
          </div>
        )
      ) : (
        <p className="mb-0 fw-semibold" role="status">
          {t(`orgRequests.status.${current.status}`)}
          {current.declineReason && <> — {current.declineReason}</>}
        </p>
      )}
    </article>
  );
}
