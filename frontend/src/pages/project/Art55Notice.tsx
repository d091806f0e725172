// The art. 55 public notice: what it says (purpose, object, economic
// frame, duration, requirements, evaluation criteria with their maximum
// points and weights) and how long it stays open; before publication the
// public body's admin writes it, each refused field shown next to it, and
// publishes it (the project becomes public so that anyone may read it).
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import {
  AdvanceProjectDocument,
  ProjectArt55Document,
  SaveNoticeDocument,
  SetProjectPublicDocument,
} from '../../../generated/graphql/graphql';
import { request } from '../../graphql/client';
import Section from '../../components/Section';
import FormField from '../../components/FormField';
import { ErrorSummary } from '../../components/FormParts';
import { formatDate } from '../../format';
import { useSession } from '../../session';
import { useWorkspaceAction } from '../../projects/useWorkspaceAction';
import {
  earliestClose,
  highestTotal,
  isOfficer,
  MIN_OPEN_DAYS,
  noticeFields,
  noticeForm,
  noticeInput,
  type Art55,
  type NoticeForm,
} from '../../projects/art55';
import { ActionStatus } from './parts';

type Props = { ws: Art55; onChange: (ws: Art55) => void };

export default function Art55Notice({ ws, onChange }: Props) {
  const { t } = useTranslation();
  const session = useSession();
  const officer = session.status === 'signedIn' && isOfficer(ws, session.roleIn);
  const drafting = ws.stage === 'PUBLIC_NOTICE';
  // Said once published, when the button is gone.
  const publishing = useWorkspaceAction(onChange);
  return (
    <Section id="project-notice" title={t('art55.noticeTitle')}>
      {officer && ws.stage === 'APPLICATIONS' && !ws.isPublic && <MakePublic ws={ws} action={publishing} />}
      {ws.notice ? <NoticeText notice={ws.notice} stage={ws.stage} /> : <p className="text-muted">{t(officer ? 'art55.noNoticeOfficer' : 'art55.noNotice')}</p>}
      {drafting && officer && <Publish ws={ws} action={publishing} />}
      <ActionStatus done={publishing.done} error={publishing.errors.general} />
      {drafting && officer && <NoticeEditor ws={ws} onChange={onChange} />}
    </Section>
  );
}

/** The notice as everyone reads it. */
function NoticeText({ notice, stage }: { notice: NonNullable<Art55['notice']>; stage: Art55['stage'] }) {
  const { t } = useTranslation();
  const parts: [string, string][] = [
    [t('art55.purpose'), notice.purpose],
    [t('art55.object'), notice.object],
    [t('art55.economicFrame'), notice.economicFrame],
    [t('art55.duration'), notice.duration],
    [t('art55.requirements'), notice.requirements],
  ];
  return (
    <>
      <OpenFor notice={notice} stage={stage} />
      <dl className="notice-text">
        {parts.map(([label, text]) => (
          <div key={label} className="mb-3">
            <dt>{label}</dt>
            <dd className="mb-0 description">{text}</dd>
          </div>
        ))}
      </dl>
      <div className="table-responsive" tabIndex={0} role="region" aria-labelledby="criteria-caption">
        <table className="table table-sm notice-criteria">
          <caption id="criteria-caption" className="caption-top">{t('art55.criteriaCaption', { total: highestTotal(notice.criteria) })}</caption>
          <thead>
            <tr>
              <th scope="col">{t('art55.criterion')}</th>
              <th scope="col" className="text-end">{t('art55.maxPoints')}</th>
              <th scope="col" className="text-end">{t('art55.weight')}</th>
            </tr>
          </thead>
          <tbody>
            {notice.criteria.map((c) => (
              <tr key={c.name}>
                <th scope="row" className="fw-normal">{c.name}</th>
                <td className="text-end">{c.maxPoints}</td>
                <td className="text-end">×{c.weight}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {notice.minTotal != null && <p>{t('art55.minTotalShown', { total: notice.minTotal })}</p>}
    </>
  );
}

/** When the notice opened and the day it may close at the earliest. */
function OpenFor({ notice, stage }: { notice: NonNullable<Art55['notice']>; stage: Art55['stage'] }) {
  const { t } = useTranslation();
  if (!notice.openedAt || !notice.closesNotBefore)
    return <p className="callout-like">{t('art55.openDaysDraft', { days: notice.minOpenDays })}</p>;
  const passed = new Date(notice.closesNotBefore).getTime() <= Date.now();
  const state = stage !== 'APPLICATIONS' ? 'art55.closed' : passed ? 'art55.closablePassed' : 'art55.closesNotBefore';
  return (
    <p className="callout-like">
      {t('art55.openedOn', { date: formatDate(notice.openedAt) })}{' '}
      {t(state, { date: formatDate(notice.closesNotBefore), days: notice.minOpenDays })}
    </p>
  );
}

/** Applications are open on a private project: nobody outside it reads the notice. */
function MakePublic({ ws, action }: { ws: Art55; action: ReturnType<typeof useWorkspaceAction<Art55>> }) {
  const { t } = useTranslation();
  const makePublic = async () => {
    await request(SetProjectPublicDocument, { projectId: ws.id, isPublic: true });
    return (await request(ProjectArt55Document, { id: ws.id })).project;
  };
  return (
    <div className="alert alert-warning">
      <p>{t('art55.privateNotice')}</p>
      <button type="button" className="btn btn-primary" disabled={action.busy} onClick={() => void action.run(makePublic, t('art55.madePublic'))}>
        {t('art55.makePublic')}
      </button>
    </div>
  );
}

/** Publishing: applications open, and the project turns public. */
function Publish({ ws, action }: { ws: Art55; action: ReturnType<typeof useWorkspaceAction<Art55>> }) {
  const { t } = useTranslation();
  const step = ws.nextSteps.find((s) => s.to === 'APPLICATIONS');
  if (!ws.notice || !step) return null;
  const publish = async () => {
    await request(AdvanceProjectDocument, { projectId: ws.id, to: 'APPLICATIONS' });
    if (!ws.isPublic) await request(SetProjectPublicDocument, { projectId: ws.id, isPublic: true });
    return (await request(ProjectArt55Document, { id: ws.id })).project;
  };
  return (
    <div className="mb-4">
      <h3 className="h5">{t('art55.publishTitle')}</h3>
      <p>{t('art55.publishHelp', { days: ws.notice.minOpenDays })}</p>
      {step.allowed ? (
        <button type="button" className="btn btn-primary" disabled={action.busy} onClick={() => void action.run(publish, t('art55.published'))}>
          {t('art55.publish')}
        </button>
      ) : (
        step.blockingMessage && <p className="blocked-step">{t('project.blocked', { message: step.blockingMessage })}</p>
      )}
    </div>
  );
}

/** The public body's admin writes (or corrects) the notice before publishing it. */
function NoticeEditor({ ws, onChange }: Props) {
  const { t } = useTranslation();
  const [form, setForm] = useState<NoticeForm>(() => noticeForm(ws.notice));
  const known = noticeFields(form.criteria.length);
  const action = useWorkspaceAction(onChange, known);
  const errors = action.errors.fields;
  const set = (field: keyof Omit<NoticeForm, 'criteria'>) => (value: string) => setForm((f) => ({ ...f, [field]: value }));
  const setCriterion = (i: number, field: 'name' | 'maxPoints' | 'weight') => (value: string) =>
    setForm((f) => ({ ...f, criteria: f.criteria.map((c, j) => (j === i ? { ...c, [field]: value } : c)) }));
  const days = Number(form.minOpenDays) >= MIN_OPEN_DAYS ? Number(form.minOpenDays) : MIN_OPEN_DAYS;
  const save = action.submit(
    async () => (await request(SaveNoticeDocument, { projectId: ws.id, input: noticeInput(form) })).saveNotice,
    t('art55.noticeSaved'),
  );
  const texts = ['purpose', 'object', 'economicFrame', 'duration', 'requirements'] as const;
  const labels: [string, string, string][] = [
    ...texts.map((f): [string, string, string] => [f, t(`art55.${f}`), `notice-${f}`]),
    ['criteria', t('art55.criteriaTitle'), 'notice-criteria'],
    ...form.criteria.flatMap((_, i): [string, string, string][] => [
      [`criteria[${i}].name`, t('art55.criterionName', { n: i + 1 }), `criterion-${i}-name`],
      [`criteria[${i}].maxPoints`, t('art55.criterionMax', { n: i + 1 }), `criterion-${i}-max`],
      [`criteria[${i}].weight`, t('art55.criterionWeight', { n: i + 1 }), `criterion-${i}-weight`],
    ]),
    ['minOpenDays', t('art55.minOpenDays'), 'notice-minOpenDays'],
    ['minTotal', t('art55.minTotal'), 'notice-minTotal'],
  ];
  return (
    <form onSubmit={save} className="project-form mt-4" noValidate aria-labelledby="notice-write-title">
      <h3 id="notice-write-title" className="h5">{t(ws.notice ? 'art55.noticeEdit' : 'art55.noticeWrite')}</h3>
      <p className="small text-muted">{t('art55.noticeWriteHelp')}</p>
      <ErrorSummary fields={errors} other={[]} labels={labels} />
      {texts.map((f) => (
        <FormField
          key={f}
          id={`notice-${f}`}
          label={t(`art55.${f}`)}
          hint={t(`art55.${f}Hint`)}
          value={form[f]}
          onChange={set(f)}
          error={errors[f]}
          multiline
          rows={f === 'duration' ? 1 : 3}
          required
        />
      ))}
      <fieldset id="notice-criteria" className="mb-4" tabIndex={-1} aria-describedby="notice-criteria-hint">
        <legend className="h6">{t('art55.criteriaTitle')}</legend>
        <p id="notice-criteria-hint" className="form-text mt-0">{t('art55.criteriaHint')}</p>
        {errors.criteria && <p className="field-error">{errors.criteria}</p>}
        {form.criteria.map((c, i) => (
          <div key={i} className="row criterion-row" role="group" aria-label={t('art55.criterionGroup', { n: i + 1 })}>
            <div className="col-12 col-md-6">
              <FormField id={`criterion-${i}-name`} label={t('art55.criterionName', { n: i + 1 })} value={c.name} onChange={setCriterion(i, 'name')} error={errors[`criteria[${i}].name`]} required />
            </div>
            <div className="col-6 col-md-3">
              <FormField id={`criterion-${i}-max`} label={t('art55.maxPoints')} value={c.maxPoints} onChange={setCriterion(i, 'maxPoints')} error={errors[`criteria[${i}].maxPoints`]} inputMode="numeric" required />
            </div>
            <div className="col-6 col-md-3">
              <FormField id={`criterion-${i}-weight`} label={t('art55.weight')} value={c.weight} onChange={setCriterion(i, 'weight')} error={errors[`criteria[${i}].weight`]} inputMode="numeric" required />
            </div>
            {form.criteria.length > 1 && (
              <div className="col-12">
              <button
                type="button"
                className="btn btn-outline-secondary btn-sm mb-4"
                onClick={() => setForm((f) => ({ ...f, criteria: f.criteria.filter((_, j) => j !== i) }))}
              >
                {t('art55.removeCriterion', { n: i + 1 })}
              </button>
              </div>
            )}
          </div>
        ))}
        <button
          type="button"
          className="btn btn-outline-primary btn-sm"
          onClick={() => setForm((f) => ({ ...f, criteria: [...f.criteria, { name: '', maxPoints: '10', weight: '1' }] }))}
        >
          {t('art55.addCriterion')}
        </button>
      </fieldset>
      <FormField
        id="notice-minOpenDays"
        label={t('art55.minOpenDays')}
        hint={t('art55.minOpenDaysHint', { min: MIN_OPEN_DAYS, date: formatDate(earliestClose(new Date(), days).toISOString()) })}
        value={form.minOpenDays}
        onChange={set('minOpenDays')}
        error={errors.minOpenDays}
        inputMode="numeric"
        required
      />
      <FormField
        id="notice-minTotal"
        label={t('art55.minTotal')}
        hint={t('art55.minTotalHint')}
        value={form.minTotal}
        onChange={set('minTotal')}
        error={errors.minTotal}
        inputMode="numeric"
      />
      <ActionStatus done={action.done} error={action.errors.general} />
      <button type="submit" className="btn btn-primary" disabled={action.busy}>
        {t('art55.saveNotice')}
      </button>
    </form>
  );
}
