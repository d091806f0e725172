// The moderators' side of reports: the open reports, grouped by the record
// they are about (hide it with a reason, which upholds them, or dismiss
// them), and the records already hidden, with the reason (show one again).
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router-dom';
import {
  DismissReportDocument,
  ModerationReportsDocument,
  SetHiddenDocument,
  type HideableKind,
  type ModerationReportsQuery,
} from '../../generated/graphql/graphql';
import { request, useQuery } from '../graphql/client';
import { formErrors, type FormErrors } from '../formErrors';
import { formatDate } from '../format';
import { pathTo } from '../routes';
import FormField, { FormAlert } from './FormField';
import { Failure, Loading } from './Status';

type Report = ModerationReportsQuery['contentReports'][number];
type Hidden = ModerationReportsQuery['hiddenRecords'][number];

/** The page of a need, offer or organisation. */
export function recordPath(kind: HideableKind, id: string): string {
  const route = kind === 'NEED' ? 'need' : kind === 'OFFER' ? 'offer' : 'organization';
  return pathTo(route, { id });
}

/** Open reports grouped by record, in the order their first report came. */
export function byRecord(reports: readonly Report[]): Report[][] {
  const groups = new Map<string, Report[]>();
  for (const r of reports) {
    const key = `${r.recordType}:${r.recordId}`;
    const group = groups.get(key);
    if (group) group.push(r);
    else groups.set(key, [r]);
  }
  return [...groups.values()];
}

export default function ModerationReports() {
  const { t } = useTranslation();
  const queue = useQuery(ModerationReportsDocument, {});
  if (queue.error) return <Failure error={queue.error} />;
  if (!queue.data) return <Loading />;
  const groups = byRecord(queue.data.contentReports);
  const hidden = queue.data.hiddenRecords;
  return (
    <>
      <section aria-labelledby="moderation-reports" className="mb-5">
        <h2 id="moderation-reports" className="h4">{t('moderation.reports', { count: groups.length })}</h2>
        <p>{t('moderation.reportsIntro')}</p>
        {groups.length === 0 ? (
          <p>{t('moderation.noReports')}</p>
        ) : (
          groups.map((g) => <ReportCard key={g[0].id} reports={g} onDone={queue.reload} />)
        )}
      </section>
      <section aria-labelledby="moderation-hidden" className="mb-5">
        <h2 id="moderation-hidden" className="h4">{t('moderation.hiddenRecords', { count: hidden.length })}</h2>
        <p>{t('moderation.hiddenRecordsIntro')}</p>
        {hidden.length === 0 ? (
          <p>{t('moderation.noHidden')}</p>
        ) : (
          <ul className="list-unstyled">
            {hidden.map((h) => (
              <HiddenItem key={`${h.recordType}:${h.id}`} record={h} onDone={queue.reload} />
            ))}
          </ul>
        )}
      </section>
    </>
  );
}

function ReportCard({ reports, onDone }: { reports: Report[]; onDone: () => void }) {
  const { t } = useTranslation();
  const first = reports[0];
  const title = first.recordTitle ?? t('moderation.recordDeleted');
  const [reason, setReason] = useState('');
  const [errors, setErrors] = useState<FormErrors>({ fields: {} });
  const [busy, setBusy] = useState(false);
  const fieldId = `hide-reason-${first.id}`;

  async function act(run: () => Promise<unknown>) {
    setBusy(true);
    try {
      await run();
      onDone();
    } catch (e) {
      setErrors(formErrors(e, ['reason'], t('errors.network')));
    } finally {
      setBusy(false);
    }
  }
  function hide(event: FormEvent) {
    event.preventDefault();
    setErrors({ fields: {} });
    if (!reason.trim()) {
      setErrors({ fields: { reason: t('moderation.reasonRequired') } });
      return;
    }
    void act(() => request(SetHiddenDocument, { kind: first.recordType, id: first.recordId, hidden: true, reason: reason.trim() }));
  }
  function dismiss() {
    setErrors({ fields: {} });
    void act(() => Promise.all(reports.map((r) => request(DismissReportDocument, { id: r.id }))));
  }
  const headingId = `report-${first.id}`;
  return (
    <article className="request-card" aria-labelledby={headingId}>
      <p className="text-muted mb-1">{t(`moderation.kinds.${first.recordType}`)}</p>
      <h3 id={headingId} className="h5 mb-2">
        {first.recordTitle ? <Link to={recordPath(first.recordType, first.recordId)}>{title}</Link> : title}
      </h3>
      <ul className="mb-3">
        {reports.map((r) => (
          <li key={r.id}>
            <q>{r.reason}</q>{' '}
            <span className="text-muted">
              {r.reporterName
                ? t('moderation.reportedBy', { name: r.reporterName, date: formatDate(r.createdAt) })
                : t('moderation.reportedOn', { date: formatDate(r.createdAt) })}
            </span>
          </li>
        ))}
      </ul>
      {first.recordHiddenAt ? (
        <p>{t('moderation.alreadyHidden')}</p>
      ) : (
        <form onSubmit={hide} noValidate>
          <FormAlert message={errors.general} />
          <FormField id={fieldId} multiline label={t('moderation.reason')} hint={t('moderation.reasonHint')} value={reason} onChange={setReason} error={errors.fields.reason} maxLength={300} />
          <div className="button-row">
            <button type="submit" className="btn btn-danger btn-sm" disabled={busy}>
              {t('moderation.hide')}<span className="visually-hidden"> {title}</span>
            </button>
            <button type="button" className="btn btn-outline-primary btn-sm" disabled={busy} onClick={dismiss}>
              {t('moderation.dismiss')}<span className="visually-hidden"> {title}</span>
            </button>
          </div>
        </form>
      )}
      {first.recordHiddenAt && (
        <button type="button" className="btn btn-outline-primary btn-sm" disabled={busy} onClick={dismiss}>
          {t('moderation.dismiss')}<span className="visually-hidden"> {title}</span>
        </button>
      )}
    </article>
  );
}

function HiddenItem({ record, onDone }: { record: Hidden; onDone: () => void }) {
  const { t } = useTranslation();
  const [error, setError] = useState<string>();
  async function show() {
    setError(undefined);
    try {
      await request(SetHiddenDocument, { kind: record.recordType, id: record.id, hidden: false });
      onDone();
    } catch (e) {
      setError(formErrors(e, [], t('errors.network')).general);
    }
  }
  return (
    <li className="request-card">
      <p className="text-muted mb-1">{t(`moderation.kinds.${record.recordType}`)}</p>
      <p className="fw-semibold mb-1">
        <Link to={recordPath(record.recordType, record.id)}>{record.title}</Link>
      </p>
      <p className="mb-2">
        {t('moderation.hiddenOn', { date: record.hiddenAt ? formatDate(record.hiddenAt) : '—', reason: record.hiddenReason ?? '—' })}
      </p>
      <FormAlert message={error} />
      <button type="button" className="btn btn-outline-primary btn-sm" onClick={show}>
        {t('moderation.show')}<span className="visually-hidden"> {record.title}</span>
      </button>
    </li>
  );
}
