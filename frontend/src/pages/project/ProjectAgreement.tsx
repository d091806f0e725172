// The agreement: its current text and earlier versions, a new version
// written by a partner's admin (which clears the approvals), each
// partner's approval of the latest version, and once signed the frozen
// version with its SHA-256 hash and the pact as a PDF.
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApproveAgreementDocument, WriteAgreementDocument } from '../../../generated/graphql/graphql';
import { request } from '../../graphql/client';
import Section from '../../components/Section';
import FormField from '../../components/FormField';
import { formatDate } from '../../format';
import { useSession } from '../../session';
import { adminPartners, approvalsOf, isDrafting, latestVersion, type Workspace } from '../../projects/workspace';
import { downloadPact } from '../../projects/pact';
import { useWorkspaceAction } from '../../projects/useWorkspaceAction';
import { ActionStatus } from './parts';

type Props = { ws: Workspace; onChange: (ws: Workspace) => void };

export default function ProjectAgreement({ ws, onChange }: Props) {
  const { t } = useTranslation();
  const session = useSession();
  const action = useWorkspaceAction(onChange);
  const { signedVersion } = ws.agreement;
  const shown = signedVersion != null ? ws.agreement.versions.find((v) => v.number === signedVersion) : latestVersion(ws);
  const older = ws.agreement.versions.filter((v) => v.number !== shown?.number).sort((a, b) => b.number - a.number);
  const mayAct = isDrafting(ws);
  const admins = mayAct ? adminPartners(ws, session.roleIn) : [];
  return (
    <Section id="project-agreement" title={t(ws.procedure === 'COPROGETTAZIONE' ? 'project.agreementTitle55' : 'project.agreementTitle')}>
      {shown ? (
        <>
          <h3 className="h5">
            {t(signedVersion != null ? 'project.signedVersion' : 'project.currentVersion', { number: shown.number })}{' '}
            <span className="small text-muted fw-normal">{t('project.writtenOn', { date: formatDate(shown.createdAt) })}</span>
          </h3>
          <div className="agreement-text">{shown.text}</div>
        </>
      ) : (
        <p className="text-muted">{t('project.noAgreement')}</p>
      )}
      {shown && signedVersion == null && shown.number > 1 && (
        <p className="small agreement-changed">{t('project.approvalsReset', { number: shown.number, previous: shown.number - 1 })}</p>
      )}
      {shown && <Approvals ws={ws} version={shown.number} />}
      {shown && signedVersion == null &&
        admins
          .filter((p) => !ws.agreement.approvals.some((a) => a.organizationId === p.organizationId && a.version === shown.number))
          .map((p) => (
            <button
              key={p.organizationId}
              type="button"
              className="btn btn-primary me-2 mb-2"
              disabled={action.busy}
              onClick={() =>
                void action.run(
                  async () =>
                    (await request(ApproveAgreementDocument, { projectId: ws.id, version: shown.number, organizationId: p.organizationId })).approveAgreement,
                  t('project.approved', { number: shown.number }),
                )
              }
            >
              {t('project.approve', { number: shown.number })}
              {admins.length > 1 && <> {t('project.approveFor', { name: p.organizationName })}</>}
            </button>
          ))}
      <ActionStatus done={action.done} error={action.errors.general} />
      {signedVersion != null && <Signed ws={ws} />}
      {older.length > 0 && (
        <details className="mt-3">
          <summary>{t('project.history', { count: older.length })}</summary>
          {older.map((v) => (
            <div key={v.number} className="mt-2">
              <h3 className="h6">{t('project.version', { number: v.number, date: formatDate(v.createdAt) })}</h3>
              <div className="agreement-text small">{v.text}</div>
            </div>
          ))}
        </details>
      )}
      {admins.length > 0 && <WriteForm ws={ws} onChange={onChange} current={shown?.text ?? ''} />}
    </Section>
  );
}

/** Each partner and whether it approved `version`. */
function Approvals({ ws, version }: { ws: Workspace; version: number }) {
  const { t } = useTranslation();
  return (
    <>
      <h3 className="h6 mt-3">{t('project.approvalsTitle', { number: version })}</h3>
      <ul className="list-unstyled approvals">
        {approvalsOf(ws, version).map(({ partner, approval }) => (
          <li key={partner.organizationId}>
            <span aria-hidden="true">{approval ? '✓ ' : '○ '}</span>
            {approval
              ? t(approval.userName ? 'project.approvedByPerson' : 'project.approvedBy', {
                  name: partner.organizationName,
                  person: approval.userName,
                  date: formatDate(approval.approvedAt),
                })
              : t('project.notApprovedBy', { name: partner.organizationName })}
          </li>
        ))}
      </ul>
    </>
  );
}

/** The signature: when, the hash, and the PDF. */
function Signed({ ws }: { ws: Workspace }) {
  const { t, i18n } = useTranslation();
  const [state, setState] = useState<'idle' | 'busy' | 'failed'>('idle');
  async function download() {
    setState('busy');
    try {
      await downloadPact(ws.id, ws.title, i18n.language);
      setState('idle');
    } catch {
      setState('failed');
    }
  }
  return (
    <div className="callout-like signed-pact mt-3">
      <p className="fw-semibold mb-1">
        {t('project.signedOn', { number: ws.agreement.signedVersion, date: ws.agreement.signedAt ? formatDate(ws.agreement.signedAt) : '' })}
      </p>
      <p className="small mb-2">
        {t('project.hash')}: <code className="hash">{ws.agreement.contentHash}</code>
      </p>
      <button type="button" className="btn btn-primary" onClick={() => void download()} disabled={state === 'busy'}>
        {t('project.downloadPact')}
      </button>
      {state === 'failed' && <div className="alert alert-danger mt-2" role="alert">{t('project.downloadFailed')}</div>}
    </div>
  );
}

/** A new version of the text, starting from the current one. */
function WriteForm({ ws, onChange, current }: Props & { current: string }) {
  const { t } = useTranslation();
  const action = useWorkspaceAction(onChange, ['text']);
  const [text, setText] = useState(current);
  const save = action.submit(
    async () => (await request(WriteAgreementDocument, { projectId: ws.id, text })).writeAgreement,
    t('project.versionWritten'),
  );
  return (
    <form onSubmit={save} className="project-form mt-4" noValidate aria-labelledby="agreement-write-title">
      <h3 id="agreement-write-title" className="h5">{t(current ? 'project.writeNew' : 'project.writeFirst')}</h3>
      <FormField
        id="agreement-text"
        label={t('project.agreementText')}
        hint={t('project.agreementTextHint')}
        value={text}
        onChange={setText}
        error={action.errors.fields.text}
        multiline
        rows={12}
        required
      />
      <ActionStatus done={action.done} error={action.errors.general} />
      <button type="submit" className="btn btn-primary" disabled={action.busy || text.trim() === current.trim()}>
        {t('project.saveVersion')}
      </button>
    </form>
  );
}
