// Handing the lead to another partner, as the partners agreed: the lead's
// admins pick a current partner; their own organisation stays a partner.
// The roles are part of what the approvals sign, so the page says that the
// approvals given so far are cleared before anyone confirms.
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { HandOverLeadDocument } from '../../../generated/graphql/graphql';
import { request } from '../../graphql/client';
import { useWorkspaceAction } from '../../projects/useWorkspaceAction';
import type { Workspace } from '../../projects/workspace';
import { ActionStatus, SelectField } from './parts';

type Props = {
  ws: Workspace;
  onChange: (ws: Workspace) => void;
  /** Says what was done: once the lead is handed over this form is gone, so the partners' section announces it. */
  onDone: (message: string) => void;
};

export default function ProjectLead({ ws, onChange, onDone }: Props) {
  const { t } = useTranslation();
  const action = useWorkspaceAction(onChange, ['organizationId']);
  const others = ws.partners.filter((p) => p.organizationId !== ws.leadOrganizationId);
  const [to, setTo] = useState('');
  if (others.length === 0) return null;
  const picked = others.find((p) => p.organizationId === to);
  const handOver = action.submit(
    async () => {
      if (!picked) {
        action.setErrors({ fields: { organizationId: t('project.leadPick') } });
        return undefined;
      }
      return (await request(HandOverLeadDocument, { projectId: ws.id, organizationId: picked.organizationId })).handOverLead;
    },
    undefined,
    () => {
      if (picked) onDone(t('project.leadHandedOver', { name: picked.organizationName }));
      setTo('');
    },
  );
  return (
    <details className="mt-4">
      <summary className="h6 d-inline">{t('project.leadTitle')}</summary>
      <form onSubmit={handOver} className="project-form mt-3" noValidate aria-describedby="lead-help">
        <p id="lead-help" className="small">{t('project.leadHelp')}</p>
        <SelectField
          id="lead-to"
          label={t('project.leadTo')}
          value={to}
          options={others.map((p) => ({ value: p.organizationId, label: p.organizationName }))}
          onChange={setTo}
          error={action.errors.fields.organizationId}
        />
        <ActionStatus error={action.errors.general} />
        <button type="submit" className="btn btn-outline-primary" disabled={action.busy}>{t('project.leadSubmit')}</button>
      </form>
    </details>
  );
}
