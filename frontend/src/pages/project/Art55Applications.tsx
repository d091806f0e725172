// The applications to an art. 55 notice: while it is open, an
// organisation's admin applies with a proposal, told first whether the
// organisation may be a principal partner (a third-sector body registered
// in RUNTS) or only a supporter or funder; then the public body admits
// each application in a role or not (a refusal names the rule), and
// scores the admitted ones on every criterion of the notice.
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useLocation } from 'react-router-dom';
import {
  ApplyToNoticeDocument,
  DecideAdmissionDocument,
  NoticeRolesDocument,
  ScoreApplicationDocument,
  type PartnerRole,
} from '../../../generated/graphql/graphql';
import { request } from '../../graphql/client';
import Section from '../../components/Section';
import FormField from '../../components/FormField';
import { useSession } from '../../session';
import { signInPath } from '../../nextPath';
import { useFormErrors } from '../../formErrors';
import { useWorkspaceAction } from '../../projects/useWorkspaceAction';
import {
  ADMISSION_ROLES,
  admissionState,
  applicants,
  isOfficer,
  mayBePrincipal,
  type Application,
  type Art55,
} from '../../projects/art55';
import { ActionStatus, SelectField } from './parts';

type Props = { ws: Art55; onChange: (ws: Art55) => void };

export default function Art55Applications({ ws, onChange, onApplied }: Props & { onApplied: () => void }) {
  const { t } = useTranslation();
  const session = useSession();
  const officer = session.status === 'signedIn' && isOfficer(ws, session.roleIn);
  // The server gives the proposals to the project's partners, and to each
  // applicant its own: others are told why they see none.
  const partner = session.status === 'signedIn' && ws.partners.some((p) => session.roleIn(p.organizationId));
  return (
    <Section id="project-applications" title={t('art55.applicationsTitle')}>
      {ws.stage === 'APPLICATIONS' && !officer && <Apply ws={ws} onApplied={onApplied} />}
      {!partner && <p className="small text-muted">{t('art55.applicationsPrivate')}</p>}
      {ws.applications.length === 0 ? (
        partner && <p className="text-muted">{t('art55.noApplications')}</p>
      ) : (
        <>
          <p>
            {t('art55.applicationsCount', { count: ws.applications.length })}
            {officer && ws.stage === 'ADMISSION_CHECK' && ws.applications.some((a) => a.admitted == null) && <> {t('art55.admissionHelp')}</>}
            {officer && ws.stage === 'EVALUATION' && <> {t('art55.evaluationHelp')}</>}
          </p>
          {ws.applications.map((a) => (
            // A new stage starts each card afresh (what was said in the last one is done).
            <ApplicationCard key={`${a.id}-${ws.stage}`} ws={ws} application={a} officer={officer} onChange={onChange} />
          ))}
        </>
      )}
    </Section>
  );
}

/** What the application's organisation may be admitted as, in words. */
function RolesNote({ name, roles }: { name: string; roles: readonly PartnerRole[] }) {
  const { t } = useTranslation();
  const list = roles.map((r) => t(`project.role.${r}`)).join(', ');
  return (
    <p className={`small mb-2 ${mayBePrincipal(roles) ? 'text-success' : 'eligibility-limited'}`}>
      {t(mayBePrincipal(roles) ? 'art55.mayBePrincipal' : 'art55.onlySupporter', { name, roles: list })}
    </p>
  );
}

/** An organisation's admin applies, once, while the notice is open. */
function Apply({ ws, onApplied }: { ws: Art55; onApplied: () => void }) {
  const { t } = useTranslation();
  const session = useSession();
  const location = useLocation();
  const orgs = session.me ? applicants(ws, session.me.memberships) : [];
  const [orgId, setOrgId] = useState('');
  const chosen = orgs.find((o) => o.id === orgId) ?? (orgs.length === 1 ? orgs[0] : undefined);
  const [roles, setRoles] = useState<PartnerRole[]>();
  const [proposal, setProposal] = useState('');
  const [done, setDone] = useState<string>();
  const form = useFormErrors(['proposal', 'organizationId']);
  useEffect(() => {
    setRoles(undefined);
    if (!chosen) return;
    let current = true;
    request(NoticeRolesDocument, { projectId: ws.id, organizationId: chosen.id }).then(
      (data) => current && setRoles(data.project.rolesFor),
      () => undefined,
    );
    return () => {
      current = false;
    };
  }, [ws.id, chosen]);
  if (session.status !== 'signedIn')
    return (
      <p className="callout-like">
        {t('art55.signInToApply')}{' '}
        <Link to={signInPath(location.pathname + location.search)}>{t('art55.signInLink')}</Link>
      </p>
    );
  if (orgs.length === 0)
    return done ? <p role="status" className="text-success fw-semibold">{done}</p> : <p className="text-muted">{t('art55.noOrganizationToApply')}</p>;
  const submit = form.onSubmit(async () => {
    if (!chosen) return;
    await request(ApplyToNoticeDocument, { projectId: ws.id, organizationId: chosen.id, proposal });
    setDone(t('art55.applied', { name: chosen.name }));
    setProposal('');
    onApplied();
  });
  return (
    <form onSubmit={submit} className="project-form mb-4" noValidate aria-labelledby="apply-title">
      <h3 id="apply-title" className="h5">{t('art55.applyTitle')}</h3>
      <p>{t('art55.applyHelp')}</p>
      {orgs.length > 1 ? (
        <SelectField
          id="apply-organization"
          label={t('art55.applyAs')}
          value={orgId}
          options={orgs.map((o) => ({ value: o.id, label: o.name }))}
          onChange={setOrgId}
          error={form.errors.fields.organizationId}
        />
      ) : (
        chosen && <p className="fw-semibold mb-1">{t('art55.applyingAs', { name: chosen.name })}</p>
      )}
      {chosen && roles && <RolesNote name={chosen.name} roles={roles} />}
      <FormField id="apply-proposal" label={t('art55.proposal')} hint={t('art55.proposalHint')} value={proposal}
        onChange={setProposal} error={form.errors.fields.proposal} multiline rows={6} required />
      <ActionStatus done={done} error={form.errors.general} />
      <button type="submit" className="btn btn-primary" disabled={!chosen}>
        {t('art55.applySubmit')}
      </button>
    </form>
  );
}

/** One application: the proposal, its admission and its scores. */
function ApplicationCard({ ws, application: a, officer, onChange }: Props & { application: Application; officer: boolean }) {
  const { t } = useTranslation();
  const state = admissionState(a);
  const headingId = `application-${a.id}`;
  // The decision's outcome stays said once the form is gone.
  const admission = useWorkspaceAction(onChange, ['role']);
  return (
    <div className="card project-card mb-3" role="group" aria-labelledby={headingId}>
      <div className="card-body">
        <h3 id={headingId} className="h5 card-title">
          {a.organizationName}{' '}
          <span className={`badge ${state === 'admitted' ? 'bg-success' : state === 'refused' ? 'bg-danger' : 'bg-secondary'}`}>
            {state === 'admitted' && a.role ? t('art55.admittedAs', { role: t(`project.role.${a.role}`) }) : t(`art55.admission.${state}`)}
          </span>
        </h3>
        {state === 'waiting' && <RolesNote name={a.organizationName} roles={a.allowedRoles} />}
        <p className="description mb-2">{a.proposal}</p>
        {a.total != null && (
          <p className="mb-2">
            {t('art55.totalLine', { total: a.total, position: a.position })}
            {a.admissible === false && <> · {t('art55.belowMinimum')}</>}
          </p>
        )}
        {officer && ws.stage === 'ADMISSION_CHECK' && state === 'waiting' && <Admission application={a} action={admission} />}
        <ActionStatus done={admission.done} error={admission.errors.general} />
        {officer && ws.stage === 'EVALUATION' && state === 'admitted' && <Scores ws={ws} application={a} onChange={onChange} />}
      </div>
    </div>
  );
}

/** The public body admits the application in a role, or does not. */
function Admission({ application: a, action }: { application: Application; action: ReturnType<typeof useWorkspaceAction<Art55>> }) {
  const { t } = useTranslation();
  const [role, setRole] = useState<PartnerRole | ''>(a.allowedRoles.find((r) => r !== 'LEAD') ?? '');
  const decide = (admitted: boolean) =>
    action.run(
      async () =>
        (await request(DecideAdmissionDocument, { applicationId: a.id, admitted, role: admitted && role ? role : null })).decideAdmission,
      admitted
        ? t('art55.admitted', { name: a.organizationName, role: role ? t(`project.role.${role}`) : '' })
        : t('art55.notAdmitted', { name: a.organizationName }),
    );
  return (
    <form
      className="project-form admission-form"
      noValidate
      aria-label={t('art55.admissionLabel', { name: a.organizationName })}
      onSubmit={(e) => {
        e.preventDefault();
        void decide(true);
      }}
    >
      <SelectField
        id={`admission-role-${a.id}`}
        label={t('art55.admissionRole')}
        hint={t('art55.admissionRoleHint')}
        value={role}
        options={ADMISSION_ROLES.map((r) => ({ value: r, label: t(`project.role.${r}`) }))}
        onChange={setRole}
        error={action.errors.fields.role}
      />
      <button type="submit" className="btn btn-primary me-2 mb-2" disabled={action.busy || !role}>
        {t('art55.admit')}
      </button>
      <button type="button" className="btn btn-outline-danger mb-2" disabled={action.busy} onClick={() => void decide(false)}>
        {t('art55.refuse')}
      </button>
    </form>
  );
}

/** The public body scores an admitted application on each criterion. */
function Scores({ ws, application: a, onChange }: Props & { application: Application }) {
  const { t } = useTranslation();
  const criteria = ws.notice?.criteria ?? [];
  const fields = criteria.map((_, i) => `scores[${i}]`);
  const action = useWorkspaceAction(onChange, fields);
  const [scores, setScores] = useState<string[]>(() => criteria.map((_, i) => (a.scores?.[i] != null ? String(a.scores[i]) : '')));
  const save = action.submit(
    async () =>
      (
        await request(ScoreApplicationDocument, {
          applicationId: a.id,
          scores: scores.map((s) => (s.trim() === '' || !Number.isInteger(Number(s)) ? null : Number(s))),
        })
      ).scoreApplication,
    t('art55.scored', { name: a.organizationName }),
  );
  return (
    <form onSubmit={save} className="project-form" noValidate aria-labelledby={`scores-${a.id}`}>
      <h4 id={`scores-${a.id}`} className="h6">{t(a.scores ? 'art55.scoresEdit' : 'art55.scoresTitle', { name: a.organizationName })}</h4>
      <div className="scores-grid">
        {criteria.map((c, i) => (
          <FormField
            key={c.name}
            id={`score-${a.id}-${i}`}
            label={c.name}
            hint={t('art55.scoreHint', { max: c.maxPoints, weight: c.weight })}
            value={scores[i] ?? ''}
            onChange={(v) => setScores((s) => s.map((x, j) => (j === i ? v : x)))}
            error={action.errors.fields[`scores[${i}]`]}
            inputMode="numeric"
            required
          />
        ))}
      </div>
      <ActionStatus done={action.done} error={action.errors.general} />
      <button type="submit" className="btn btn-primary" disabled={action.busy}>
        {t('art55.saveScores')}
      </button>
    </form>
  );
}
