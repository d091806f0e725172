// "Segnala": a signed-in person tells the moderators that a need, an offer
// or an organisation breaks the rules, with a reason, in a modal dialog
// (the native <dialog>: focus moves into it and Escape closes it). Anyone
// else gets a link to sign in and come back; the organisation's own people
// get nothing (they edit or close it instead).
import { useRef, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useLocation } from 'react-router-dom';
import { ReportContentDocument, type HideableKind } from '../../generated/graphql/graphql';
import { request } from '../graphql/client';
import { formErrors, type FormErrors } from '../formErrors';
import { signInPath } from '../nextPath';
import { useSession } from '../session';
import FormField, { FormAlert } from './FormField';

export default function ReportContent({ kind, id, title, organizationId }: { kind: HideableKind; id: string; title: string; organizationId: string }) {
  const { t } = useTranslation();
  const session = useSession();
  const location = useLocation();
  const dialog = useRef<HTMLDialogElement>(null);
  const [reason, setReason] = useState('');
  const [errors, setErrors] = useState<FormErrors>({ fields: {} });
  const [sent, setSent] = useState(false);
  const [busy, setBusy] = useState(false);
  const headingId = `report-${id}-title`;

  if (session.status === 'signedIn' && session.roleIn(organizationId)) return null;
  if (session.status !== 'signedIn') {
    return (
      <p className="report-content mt-4">
        <Link to={signInPath(location.pathname + location.search)}>{t('report.signInToReport')}</Link>
      </p>
    );
  }
  if (sent) {
    return (
      <p className="report-content mt-4 fw-semibold" role="status">
        {t('report.sent')}
      </p>
    );
  }

  async function submit(event: FormEvent) {
    event.preventDefault();
    setErrors({ fields: {} });
    if (!reason.trim()) {
      setErrors({ fields: { reason: t('report.reasonRequired') } });
      return;
    }
    setBusy(true);
    try {
      await request(ReportContentDocument, { kind, id, reason: reason.trim() });
      dialog.current?.close();
      setSent(true);
    } catch (e) {
      setErrors(formErrors(e, ['reason'], t('errors.network')));
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="report-content mt-4">
      <button type="button" className="btn btn-outline-danger btn-sm" onClick={() => dialog.current?.showModal()}>
        {t('report.button')}
        <span className="visually-hidden"> {title}</span>
      </button>
      <dialog ref={dialog} className="report-dialog" aria-labelledby={headingId}>
        <form onSubmit={submit} noValidate>
          <h2 id={headingId} className="h4">{t('report.title')}</h2>
          <p>{t('report.intro', { title })}</p>
          <FormAlert message={errors.general} />
          <FormField
            id={`report-${id}-reason`}
            multiline
            label={t('report.reason')}
            hint={t('report.reasonHint')}
            value={reason}
            onChange={setReason}
            error={errors.fields.reason}
            maxLength={300}
            required
          />
          <div className="button-row">
            <button type="submit" className="btn btn-danger" disabled={busy}>{t('report.send')}</button>
            <button type="button" className="btn btn-outline-primary" onClick={() => dialog.current?.close()}>{t('common.cancel')}</button>
          </div>
        </form>
      </dialog>
    </div>
  );
}
