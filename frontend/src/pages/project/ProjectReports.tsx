// What each partner achieved: at reporting, a partner's admin files (or
// corrects) its report: people reached, volunteer hours, euro spent and a
// short account; a closed project shows them as its outcomes, with totals.
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { FileProjectReportDocument } from '../../../generated/graphql/graphql';
import { request } from '../../graphql/client';
import Section from '../../components/Section';
import FormField from '../../components/FormField';
import { formatEuroInput, parseEuro } from '../../forms/posting';
import { useSession } from '../../session';
import { adminPartners, formatEuro, parseNumber, type Workspace } from '../../projects/workspace';
import { useWorkspaceAction } from '../../projects/useWorkspaceAction';
import { ActionStatus, PartnerCard } from './parts';

type Props = { ws: Workspace; onChange: (ws: Workspace) => void };
type Partner = Workspace['partners'][number];
const FIELDS = ['peopleReached', 'volunteerHours', 'spentCents', 'summary'] as const;

export default function ProjectReports({ ws, onChange }: Props) {
  const { t, i18n } = useTranslation();
  const session = useSession();
  const closed = ws.stage === 'CLOSED';
  const mine = ws.stage === 'REPORTING' ? adminPartners(ws, session.roleIn) : [];
  if (!closed && ws.stage !== 'REPORTING' && ws.reports.length === 0) return null;
  const sum = (pick: (r: Workspace['reports'][number]) => number) => ws.reports.reduce((total, r) => total + pick(r), 0);
  const number = (n: number) => new Intl.NumberFormat(i18n.language === 'en' ? 'en-GB' : 'it-IT').format(n);
  return (
    <Section id="project-reports" title={t(closed ? 'project.outcomesTitle' : 'project.reportsTitle')} intro={t(closed ? 'project.outcomesIntro' : 'project.reportsIntro')}>
      {closed && ws.reports.length > 0 && (
        <dl className="facts mb-4">
          <dt>{t('project.peopleReached')}</dt><dd>{number(sum((r) => r.peopleReached))}</dd>
          <dt>{t('project.volunteerHours')}</dt><dd>{number(sum((r) => r.volunteerHours))}</dd>
          <dt>{t('project.spent')}</dt><dd>{formatEuro(sum((r) => r.spentCents), i18n.language)}</dd>
        </dl>
      )}
      {ws.reports.map((r) => (
        <PartnerCard key={r.organizationId} id={`report-${r.organizationId}`} name={r.organizationName}>
          <p className="mb-1">
            {t('project.reportLine', {
              people: number(r.peopleReached),
              hours: number(r.volunteerHours),
              euro: formatEuro(r.spentCents, i18n.language),
            })}
          </p>
          <p className="mb-0">{r.summary}</p>
        </PartnerCard>
      ))}
      {mine.map((p) => (
        <ReportForm key={p.organizationId} ws={ws} onChange={onChange} partner={p} />
      ))}
    </Section>
  );
}

function ReportForm({ ws, onChange, partner }: Props & { partner: Partner }) {
  const { t, i18n } = useTranslation();
  const action = useWorkspaceAction(onChange, FIELDS);
  const filed = ws.reports.find((r) => r.organizationId === partner.organizationId);
  const [people, setPeople] = useState(filed?.peopleReached.toString() ?? '');
  const [hours, setHours] = useState(filed?.volunteerHours.toString() ?? '');
  const [spent, setSpent] = useState(formatEuroInput(filed?.spentCents, i18n.language));
  const [summary, setSummary] = useState(filed?.summary ?? '');
  const prefix = `report-${partner.organizationId}`;
  const file = action.submit(
    async () => {
      const peopleReached = parseNumber(people);
      const volunteerHours = parseNumber(hours);
      const spentCents = parseEuro(spent);
      const local: Record<string, string> = {};
      if (peopleReached == null || !Number.isInteger(peopleReached)) local.peopleReached = t('project.errors.whole');
      if (volunteerHours == null) local.volunteerHours = t('project.errors.number');
      if (spentCents == null) local.spentCents = t('project.errors.euro');
      if (Object.keys(local).length) {
        action.setErrors({ fields: local });
        return undefined;
      }
      const input = { peopleReached: peopleReached as number, volunteerHours: volunteerHours as number, spentCents: spentCents as number, summary, organizationId: partner.organizationId };
      return (await request(FileProjectReportDocument, { projectId: ws.id, input })).fileProjectReport;
    },
    t('project.reportFiled'),
  );
  const e = action.errors.fields;
  return (
    <form onSubmit={file} className="project-form mt-3" noValidate aria-labelledby={`${prefix}-title`}>
      <h3 id={`${prefix}-title`} className="h5">{t(filed ? 'project.correctReport' : 'project.fileReport', { name: partner.organizationName })}</h3>
      <div className="row">
        <div className="col-sm-4">
          <FormField id={`${prefix}-people`} label={t('project.peopleReached')} value={people} onChange={setPeople} error={e.peopleReached} inputMode="numeric" required />
        </div>
        <div className="col-sm-4">
          <FormField id={`${prefix}-hours`} label={t('project.volunteerHours')} value={hours} onChange={setHours} error={e.volunteerHours} inputMode="decimal" required />
        </div>
        <div className="col-sm-4">
          <FormField id={`${prefix}-spent`} label={t('project.spentEuro')} hint={t('postingForm.amountHint')} value={spent} onChange={setSpent} error={e.spentCents} required />
        </div>
      </div>
      <FormField id={`${prefix}-summary`} label={t('project.summary')} hint={t('project.summaryHint')} value={summary} onChange={setSummary} error={e.summary} multiline required />
      <ActionStatus done={action.done} error={action.errors.general} />
      <button type="submit" className="btn btn-primary" disabled={action.busy}>{t('project.fileReportSubmit')}</button>
    </form>
  );
}
