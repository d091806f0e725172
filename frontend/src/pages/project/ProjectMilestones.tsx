// What the project delivers by when: each milestone with the partner that
// answers for it and its date, marked done when it is; a partner's admin
// adds them.
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { AddMilestoneDocument, CompleteMilestoneDocument } from '../../../generated/graphql/graphql';
import { request } from '../../graphql/client';
import Section from '../../components/Section';
import FormField from '../../components/FormField';
import { formatDate } from '../../format';
import { useSession } from '../../session';
import { adminPartners, type Workspace } from '../../projects/workspace';
import { useWorkspaceAction } from '../../projects/useWorkspaceAction';
import { ActionStatus, SelectField } from './parts';

type Props = { ws: Workspace; onChange: (ws: Workspace) => void };

export default function ProjectMilestones({ ws, onChange }: Props) {
  const { t } = useTranslation();
  const session = useSession();
  const action = useWorkspaceAction(onChange);
  const mayAct = ws.stage !== 'CLOSED' && adminPartners(ws, session.roleIn).length > 0;
  const owner = (id: string) => ws.partners.find((p) => p.organizationId === id)?.organizationName ?? '';
  const milestones = [...ws.milestones].sort((a, b) => a.dueOn.localeCompare(b.dueOn));
  return (
    <Section id="project-milestones" title={t('project.milestonesTitle')}>
      {milestones.length === 0 && <p className="text-muted">{t('project.noMilestones')}</p>}
      <ul className="list-unstyled">
        {milestones.map((m) => (
          <li key={m.id} className="mb-2">
            <span aria-hidden="true">{m.doneAt ? '✓ ' : '○ '}</span>
            <strong>{m.title}</strong> · {owner(m.ownerOrganizationId)} · {t('project.dueOn', { date: formatDate(m.dueOn) })}
            {m.doneAt ? (
              <span className="text-success"> · {t('project.doneOn', { date: formatDate(m.doneAt) })}</span>
            ) : (
              mayAct && (
                <button
                  type="button"
                  className="btn btn-link btn-sm ms-2 p-0"
                  disabled={action.busy}
                  onClick={() =>
                    void action.run(async () => (await request(CompleteMilestoneDocument, { id: m.id })).completeMilestone, t('project.milestoneDone', { title: m.title }))
                  }
                >
                  {t('project.markDone')}<span className="visually-hidden">: {m.title}</span>
                </button>
              )
            )}
          </li>
        ))}
      </ul>
      <ActionStatus done={action.done} error={action.errors.general} />
      {mayAct && <MilestoneForm ws={ws} onChange={onChange} />}
    </Section>
  );
}

function MilestoneForm({ ws, onChange }: Props) {
  const { t } = useTranslation();
  const action = useWorkspaceAction(onChange, ['title', 'ownerOrganizationId', 'dueOn']);
  const [title, setTitle] = useState('');
  const [owner, setOwner] = useState(ws.leadOrganizationId);
  const [dueOn, setDueOn] = useState('');
  const add = action.submit(
    async () => {
      if (!dueOn) {
        action.setErrors({ fields: { dueOn: t('project.errors.date') } });
        return undefined;
      }
      return (await request(AddMilestoneDocument, { projectId: ws.id, title, ownerOrganizationId: owner, dueOn })).addMilestone;
    },
    t('project.milestoneAdded'),
    () => {
      setTitle('');
      setDueOn('');
    },
  );
  const e = action.errors.fields;
  return (
    <form onSubmit={add} className="project-form mt-3" noValidate aria-labelledby="milestone-title">
      <h3 id="milestone-title" className="h5">{t('project.addMilestone')}</h3>
      <FormField id="milestone-name" label={t('project.milestoneName')} value={title} onChange={setTitle} error={e.title} required />
      <div className="row">
        <div className="col-sm-6">
          <SelectField
            id="milestone-owner"
            label={t('project.milestoneOwner')}
            value={owner}
            options={ws.partners.map((p) => ({ value: p.organizationId, label: p.organizationName }))}
            onChange={setOwner}
            error={e.ownerOrganizationId}
          />
        </div>
        <div className="col-sm-6">
          <FormField id="milestone-due" label={t('project.milestoneDue')} type="date" value={dueOn} onChange={setDueOn} error={e.dueOn} required />
        </div>
      </div>
      <ActionStatus done={action.done} error={action.errors.general} />
      <button type="submit" className="btn btn-primary" disabled={action.busy}>{t('project.addMilestoneSubmit')}</button>
    </form>
  );
}
