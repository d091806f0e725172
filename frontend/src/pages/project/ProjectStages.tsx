// Where the project stands: the procedure's stages as a stepper, and what
// comes next: the moves the reader may take as buttons, the others with
// who may take them and the rule that blocks them now.
import { useTranslation } from 'react-i18next';
import { AdvanceProjectDocument } from '../../../generated/graphql/graphql';
import { request } from '../../graphql/client';
import Section from '../../components/Section';
import { stepper, type Workspace } from '../../projects/workspace';
import { useWorkspaceAction } from '../../projects/useWorkspaceAction';
import { ActionStatus } from './parts';

export default function ProjectStages({ ws, onChange }: { ws: Workspace; onChange: (ws: Workspace) => void }) {
  const { t } = useTranslation();
  const action = useWorkspaceAction(onChange);
  const steps = stepper(ws.procedure, ws.stage);
  return (
    <Section id="project-stage" title={t('project.stageTitle')}>
      <ol className="project-stepper" aria-label={t('project.stepperLabel', { procedure: t(`project.procedure.${ws.procedure}`) })}>
        {steps.map(({ stage, state }, i) => (
          <li key={stage} className={`step-${state}`} aria-current={state === 'current' ? 'step' : undefined}>
            <span className="step-number" aria-hidden="true">{state === 'done' ? '✓' : i + 1}</span>
            <span className="step-name">{t(`project.stage.${stage}`)}</span>
            <span className="visually-hidden"> ({t(`project.stepState.${state}`)})</span>
          </li>
        ))}
      </ol>
      <p>{t(`project.stageHelp.${ws.stage}`)}</p>
      <h3 className="h5">{t('project.nextTitle')}</h3>
      {ws.nextSteps.length === 0 && <p className="text-muted">{t('project.nextNone')}</p>}
      <ul className="list-unstyled next-steps">
        {ws.nextSteps.map((step) => (
          <li key={step.to} className="mb-3">
            {step.allowed ? (
              <button
                type="button"
                className="btn btn-primary"
                disabled={action.busy}
                onClick={() =>
                  void action.run(
                    async () => (await request(AdvanceProjectDocument, { projectId: ws.id, to: step.to })).advanceProject,
                    t('project.advanced', { stage: t(`project.stage.${step.to}`) }),
                  )
                }
              >
                {t('project.advance', { stage: t(`project.stage.${step.to}`) })}
              </button>
            ) : (
              <>
                <strong>{t('project.advance', { stage: t(`project.stage.${step.to}`) })}</strong>
                <span className="text-muted"> · {t('project.who', { who: step.who })}</span>
                {step.blockingMessage && <p className="mb-0 blocked-step">{t('project.blocked', { message: step.blockingMessage })}</p>}
              </>
            )}
          </li>
        ))}
      </ul>
      <ActionStatus done={action.done} error={action.errors.general} />
    </Section>
  );
}
