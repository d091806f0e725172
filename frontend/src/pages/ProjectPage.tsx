// A co-design project's workspace (issue 15): where it stands and what
// comes next, the partners, who brings what, the agreement with its
// versions and approvals and the signed pact, milestones and reports. A
// private project exists for its partners only: anyone else is asked to
// sign in (or told it is not there).
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router-dom';
import { ProjectActivityDocument, ProjectDocument } from '../../generated/graphql/graphql';
import { useQuery } from '../graphql/client';
import { useSubscription } from '../graphql/live';
import { currentToken } from '../session/token';
import { useSession } from '../session';
import { pathTo } from '../routes';
import { Failure, Loading, NotFound, usePageTitle } from '../components/Status';
import SignInRequiredPage from './SignInRequiredPage';
import type { Workspace } from '../projects/workspace';
import ProjectStages from './project/ProjectStages';
import Art55Sections from './project/Art55Sections';
import ProjectPartners from './project/ProjectPartners';
import ProjectContributions from './project/ProjectContributions';
import ProjectAgreement from './project/ProjectAgreement';
import ProjectMilestones from './project/ProjectMilestones';
import ProjectReports from './project/ProjectReports';
import Conversation from '../conversation/Conversation';

export default function ProjectPage() {
  const session = useSession();
  const { i18n } = useTranslation();
  const { id = '' } = useParams();
  const { data, error, loading, reload } = useQuery(ProjectDocument, { id }, { skip: session.status === 'loading' });
  // Who may act and the blocking rules come in the request's language: ask again when it changes.
  const shownIn = useRef(i18n.language);
  useEffect(() => {
    if (shownIn.current === i18n.language) return;
    shownIn.current = i18n.language;
    reload();
  }, [i18n.language, reload]);
  // A change answers with the whole workspace: it replaces the loaded one.
  const [changed, setChanged] = useState<Workspace>();
  useEffect(() => setChanged(undefined), [data]);
  const ws = changed?.id === id ? changed : data?.project;
  // Live: what another partner does shows without reloading the page (a
  // private project's activity needs the session's token).
  const token = session.status === 'signedIn' ? currentToken() : null;
  useSubscription(ProjectActivityDocument, { projectId: id }, () => reload(), {
    enabled: ws !== undefined,
    payload: token ? { authorization: `Bearer ${token}` } : {},
  });
  usePageTitle(ws?.title);
  if (session.status === 'loading' || (loading && !ws)) return <Loading />;
  if (error) return session.status === 'signedOut' ? <SignInRequiredPage page="project" /> : <Failure error={error} />;
  if (!ws) return <NotFound />;
  return <ProjectWorkspace ws={ws} onChange={setChanged} />;
}

function ProjectWorkspace({ ws, onChange }: { ws: Workspace; onChange: (ws: Workspace) => void }) {
  const { t } = useTranslation();
  const session = useSession();
  // The partners talk in the project's conversation; nobody else reads it.
  const isPartner = session.status === 'signedIn' && ws.partners.some((p) => session.roleIn(p.organizationId));
  const sections = [
    ['project-stage', t('project.stageTitle')],
    ['project-partners', t('project.partnersTitle')],
    ['project-contributions', t('project.contributionsTitle')],
    ['project-agreement', t(ws.procedure === 'COPROGETTAZIONE' ? 'project.agreementTitle55' : 'project.agreementTitle')],
    ['project-milestones', t('project.milestonesTitle')],
  ];
  // The reports' section is there from reporting on (ProjectReports).
  if (ws.stage === 'REPORTING' || ws.stage === 'CLOSED' || ws.reports.length > 0)
    sections.push(['project-reports', t(ws.stage === 'CLOSED' ? 'project.outcomesTitle' : 'project.reportsTitle')]);
  if (isPartner) sections.push(['project-conversation', t('conversation.title')]);
  return (
    <article className="project-workspace">
      <p className="text-muted mb-1">
        {t(`project.procedure.${ws.procedure}`)} · {t(`project.stage.${ws.stage}`)} · {t(ws.isPublic ? 'project.public' : 'project.private')}
      </p>
      <h1>{ws.title}</h1>
      {ws.hidden && <div className="alert alert-warning" role="status">{t('project.hidden')}</div>}
      <p className="small text-muted">{t(`project.procedureHelp.${ws.procedure}`)}</p>
      {ws.description && <div className="description">{ws.description}</div>}
      {ws.needId && (
        <p className="mt-2">
          <Link to={pathTo('need', { id: ws.needId })}>{t('project.fromNeed')}</Link>
        </p>
      )}
      <nav aria-label={t('project.sectionsLabel')} className="my-4">
        <ul className="dashboard-toc">
          {sections.map(([id, title]) => (
            <li key={id}><a href={`#${id}`}>{title}</a></li>
          ))}
        </ul>
      </nav>
      <div className="project-sections">
        <ProjectStages ws={ws} onChange={onChange} />
        <Art55Sections ws={ws} onChange={onChange} />
        <ProjectPartners ws={ws} onChange={onChange} />
        <ProjectContributions ws={ws} onChange={onChange} />
        <ProjectAgreement ws={ws} onChange={onChange} />
        <ProjectMilestones ws={ws} onChange={onChange} />
        <ProjectReports ws={ws} onChange={onChange} />
        {isPartner && (
          <div id="project-conversation">
            <Conversation projectId={ws.id} />
          </div>
        )}
      </div>
    </article>
  );
}
