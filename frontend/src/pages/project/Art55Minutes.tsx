// The records of the art. 55 procedure: the minutes of the comparative
// evaluation (written by the public body while it scores), the minutes of
// the co-design table and the final project (written by the lead at the
// table), each kept with its date.
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { RecordProjectDocumentDocument, type ProjectDocumentTopic } from '../../../generated/graphql/graphql';
import { request } from '../../graphql/client';
import Section from '../../components/Section';
import FormField from '../../components/FormField';
import { formatDate } from '../../format';
import { useSession } from '../../session';
import { useWorkspaceAction } from '../../projects/useWorkspaceAction';
import { isOfficer, topicsOf, type Art55 } from '../../projects/art55';
import { ActionStatus } from './parts';

type Props = { ws: Art55; onChange: (ws: Art55) => void };

export default function Art55Minutes({ ws, onChange }: Props) {
  const { t } = useTranslation();
  const session = useSession();
  const officer = session.status === 'signedIn' && isOfficer(ws, session.roleIn);
  const topics = officer ? topicsOf(ws.stage) : [];
  if (ws.documents.length === 0 && topics.length === 0) return null;
  return (
    <Section id="project-minutes" title={t('art55.minutesTitle')}>
      {ws.documents.length === 0 ? (
        <p className="text-muted">{t('art55.noMinutes')}</p>
      ) : (
        <ul className="list-unstyled">
          {ws.documents.map((d) => (
            <li key={`${d.topic}-${d.createdAt}`} className="mb-3">
              <h3 className="h6 mb-1">
                {d.topic ? t(`art55.topic.${d.topic}`) : d.title}{' '}
                <span className="small text-muted fw-normal">{t('art55.recordedOn', { date: formatDate(d.createdAt) })}</span>
              </h3>
              <div className="description">{d.body}</div>
            </li>
          ))}
        </ul>
      )}
      {topics.map((topic) => (
        <RecordForm key={topic} ws={ws} onChange={onChange} topic={topic} />
      ))}
    </Section>
  );
}

function RecordForm({ ws, onChange, topic }: Props & { topic: ProjectDocumentTopic }) {
  const { t } = useTranslation();
  const action = useWorkspaceAction(onChange, ['text']);
  const [text, setText] = useState('');
  const save = action.submit(
    async () => (await request(RecordProjectDocumentDocument, { projectId: ws.id, topic, text })).recordProjectDocument,
    t('art55.recorded', { what: t(`art55.topic.${topic}`) }),
    () => setText(''),
  );
  const id = `record-${topic}`;
  return (
    <form onSubmit={save} className="project-form mt-3" noValidate aria-labelledby={`${id}-title`}>
      <h3 id={`${id}-title`} className="h5">{t('art55.recordTitle', { what: t(`art55.topic.${topic}`) })}</h3>
      <FormField id={`${id}-text`} label={t('art55.recordText')} hint={t(`art55.recordHint.${topic}`)} value={text}
        onChange={setText} error={action.errors.fields.text} multiline rows={5} required />
      <ActionStatus done={action.done} error={action.errors.general} />
      <button type="submit" className="btn btn-primary" disabled={action.busy}>
        {t('art55.recordSubmit')}
      </button>
    </form>
  );
}
