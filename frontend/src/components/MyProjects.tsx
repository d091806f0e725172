// The dashboard's "my projects": the invitations waiting for an answer
// (an admin accepts or declines them here, since a private workspace opens
// only to partners), then the projects of the person's organisations with
// their stage. What was just answered (or left) is said at the top.
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useLocation } from 'react-router-dom';
import { AnswerPartnerInvitationDocument, MyProjectsDocument, type MyProjectsQuery } from '../../generated/graphql/graphql';
import { request, useQuery } from '../graphql/client';
import { useFormErrors } from '../formErrors';
import { useSession } from '../session';
import { pathTo } from '../routes';
import { formatDate } from '../format';
import { FormAlert } from './FormField';

type MyProject = MyProjectsQuery['myProjects'][number];

export default function MyProjects() {
  const { t } = useTranslation();
  const { data, error, reload } = useQuery(MyProjectsDocument, {});
  const list = data?.myProjects ?? [];
  const invited = list.filter((p) => p.invited);
  const joined = list.filter((p) => !p.invited);
  // What was just done: a project left or an invitation declined in its
  // workspace (which sends the reader here), or an invitation answered here.
  const notice = (useLocation().state as { projectNotice?: string } | null)?.projectNotice;
  const [answered, setAnswered] = useState<string>();
  const onAnswered = (message: string) => {
    setAnswered(message);
    reload();
  };
  return (
    <section aria-labelledby="dashboard-projects" className="mt-5">
      <h2 id="dashboard-projects">{t('project.mineTitle')}</h2>
      <p>{t('project.mineIntro')}</p>
      {error && <div className="alert alert-danger" role="alert">{error.message}</div>}
      <p role="status" aria-live="polite" className={answered || notice ? 'text-success fw-semibold' : 'visually-hidden'}>
        {answered ?? notice ?? ''}
      </p>
      {invited.length > 0 && (
        <>
          <h3 className="h4">{t('project.mineInvited', { count: invited.length })}</h3>
          <ul className="list-unstyled">
            {invited.map((p) => <Invitation key={`${p.id}-${p.organizationId}`} project={p} onAnswered={onAnswered} />)}
          </ul>
        </>
      )}
      {data && joined.length === 0 && <p className="text-muted">{t('project.mineNone')}</p>}
      {joined.length > 0 && (
        <ul className="list-unstyled">
          {joined.map((p) => (
            <li key={`${p.id}-${p.organizationId}`} className="posting-item">
              <Link to={pathTo('project', { id: p.id })}>{p.title}</Link>
              <br />
              <span className="small text-muted">
                {t(`project.procedure.${p.procedure}`)} · {t(`project.stage.${p.stage}`)} · {p.organizationName} ({t(`project.role.${p.role}`)}) ·{' '}
                {t('dashboard.updated', { date: formatDate(p.updatedAt) })}
              </span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

/** An invitation: what and from whom, and the answer for an admin. */
function Invitation({ project, onAnswered }: { project: MyProject; onAnswered: (message: string) => void }) {
  const { t } = useTranslation();
  const session = useSession();
  const { errors, attempt } = useFormErrors([]);
  const answer = (accept: boolean) =>
    attempt(async () => {
      await request(AnswerPartnerInvitationDocument, { projectId: project.id, accept, organizationId: project.organizationId });
      onAnswered(t(accept ? 'project.acceptedTitle' : 'project.declinedTitle', { title: project.title }));
    });
  return (
    <li className="card project-card mb-3">
      <div className="card-body">
        <p className="mb-1 fw-semibold">{project.title}</p>
        <p className="small mb-2">
          {t('project.invitationFrom', {
            lead: project.leadOrganizationName,
            name: project.organizationName,
            role: t(`project.role.${project.role}`),
            procedure: t(`project.procedure.${project.procedure}`),
          })}
        </p>
        {session.roleIn(project.organizationId) === 'ADMIN' ? (
          <div className="d-flex flex-wrap gap-2">
            <button type="button" className="btn btn-primary btn-sm" onClick={() => void answer(true)}>
              {t('project.accept')}<span className="visually-hidden">: {project.title}</span>
            </button>
            <button type="button" className="btn btn-outline-primary btn-sm" onClick={() => void answer(false)}>
              {t('project.decline')}<span className="visually-hidden">: {project.title}</span>
            </button>
          </div>
        ) : (
          <p className="small text-muted mb-0">{t('project.adminAnswers')}</p>
        )}
        <FormAlert message={errors.general} />
      </div>
    </li>
  );
}
