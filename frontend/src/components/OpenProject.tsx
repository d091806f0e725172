// On a need's page, for an admin of its organisation: start a co-design
// project from the need, choosing its legal frame (a patto di
// collaborazione or an art. 55 co-progettazione), each explained in a
// sentence; the workspace opens once it is there.
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate } from 'react-router-dom';
import { MyProjectsDocument, OpenProjectDocument, type ProjectProcedure } from '../../generated/graphql/graphql';
import { request, useQuery } from '../graphql/client';
import { useFormErrors } from '../formErrors';
import { useSession } from '../session';
import { pathTo } from '../routes';
import { FormAlert } from './FormField';
import Section from './Section';

const PROCEDURES: readonly ProjectProcedure[] = ['PATTO_COLLABORAZIONE', 'COPROGETTAZIONE'];

export default function OpenProject({ needId, organizationId }: { needId: string; organizationId: string }) {
  const session = useSession();
  const admin = session.roleIn(organizationId) === 'ADMIN';
  if (!admin) return null;
  return <OpenOrShow needId={needId} />;
}

/** The need's project under way, if the organisation has one; else the form. */
function OpenOrShow({ needId }: { needId: string }) {
  const { t } = useTranslation();
  const { data } = useQuery(MyProjectsDocument, {});
  if (!data) return null;
  const project = data.myProjects.find((p) => p.needId === needId && !p.invited && p.stage !== 'CLOSED');
  if (!project) return <OpenProjectForm needId={needId} />;
  return (
    <Section id="open-project" title={t('project.openTitle')} className="mt-5">
      <p>
        {t('project.underWay', { stage: t(`project.stage.${project.stage}`) })}{' '}
        <Link to={pathTo('project', { id: project.id })}>{project.title}</Link>
      </p>
    </Section>
  );
}

function OpenProjectForm({ needId }: { needId: string }) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const { errors, onSubmit } = useFormErrors(['needId', 'procedure']);
  const [procedure, setProcedure] = useState<ProjectProcedure>('PATTO_COLLABORAZIONE');
  const [busy, setBusy] = useState(false);
  const open = onSubmit(async () => {
    setBusy(true);
    try {
      const { openProject } = await request(OpenProjectDocument, { needId, procedure });
      navigate(pathTo('project', { id: openProject.id }));
    } finally {
      setBusy(false);
    }
  });
  return (
    <Section id="open-project" title={t('project.openTitle')} intro={t('project.openIntro')} className="mt-5">
      <form onSubmit={open} noValidate>
        <fieldset className="mb-3">
          <legend className="h6">{t('project.openProcedure')}</legend>
          {PROCEDURES.map((p) => (
            <div className="form-check mb-2" key={p}>
              <input
                id={`procedure-${p}`}
                type="radio"
                name="procedure"
                className="form-check-input"
                checked={procedure === p}
                onChange={() => setProcedure(p)}
                aria-describedby={`procedure-${p}-help`}
              />
              <label htmlFor={`procedure-${p}`} className="form-check-label fw-semibold">{t(`project.procedure.${p}`)}</label>
              <p id={`procedure-${p}-help`} className="form-text mt-0 mb-0">{t(`project.procedureHelp.${p}`)}</p>
            </div>
          ))}
        </fieldset>
        <FormAlert message={errors.general ?? errors.fields.needId ?? errors.fields.procedure} />
        <button type="submit" className="btn btn-primary" disabled={busy}>{t('project.openSubmit')}</button>
      </form>
    </Section>
  );
}
