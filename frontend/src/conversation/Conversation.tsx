// The conversation between the parties of a match or of a co-design
// project: its messages (plain text, links shown as links), a form to write
// one, and the conversation marked read once shown. Only the parties see
// it: the API refuses anyone else, and the component then shows nothing.
import { useEffect, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import {
  ConversationForMatchDocument,
  ConversationForProjectDocument,
  MarkConversationReadDocument,
  SendMessageDocument,
  type ConversationFieldsFragment,
} from '../../generated/graphql/graphql';
import { request, useQuery } from '../graphql/client';
import { formErrors, type FormErrors } from '../formErrors';
import { formatDateTime } from '../format';
import FormField, { FormAlert } from '../components/FormField';
import { Loading } from '../components/Status';
import { linkify } from './linkify';

type Message = ConversationFieldsFragment['messages'][number];

export default function Conversation({
  matchId,
  projectId,
  headingLevel = 2,
}: {
  matchId?: string;
  projectId?: string;
  headingLevel?: 2 | 3 | 4 | 5;
}) {
  const { t } = useTranslation();
  const forMatch = useQuery(ConversationForMatchDocument, { matchId: matchId ?? '' }, { skip: !matchId });
  const forProject = useQuery(ConversationForProjectDocument, { projectId: projectId ?? '' }, { skip: !projectId });
  const loaded = forMatch.data?.conversationForMatch ?? forProject.data?.conversationForProject;
  const [sent, setSent] = useState<Message[]>([]);
  const [body, setBody] = useState('');
  const [errors, setErrors] = useState<FormErrors>({ fields: {} });
  const [busy, setBusy] = useState(false);
  const [status, setStatus] = useState('');

  // Shown is read.
  useEffect(() => {
    if (loaded && loaded.unreadCount > 0) {
      request(MarkConversationReadDocument, { conversationId: loaded.id }).catch(() => undefined);
    }
  }, [loaded]);

  if (forMatch.loading || forProject.loading) return <Loading />;
  if (!loaded) return null;
  const conversation = loaded;
  const messages = [...conversation.messages, ...sent.filter((m) => !conversation.messages.some((c) => c.id === m.id))];
  const nameOf = (organizationId: string) => conversation.parties.find((p) => p.id === organizationId)?.name ?? '';
  const others = conversation.parties.filter((p) => !p.isMine).map((p) => p.name);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setErrors({ fields: {} });
    setStatus('');
    if (!body.trim()) {
      setErrors({ fields: { body: t('conversation.bodyRequired') } });
      return;
    }
    setBusy(true);
    try {
      const result = await request(SendMessageDocument, { conversationId: conversation.id, body });
      setSent((list) => [...list, result.sendMessage]);
      setBody('');
      setStatus(t('conversation.sent'));
    } catch (e) {
      setErrors(formErrors(e, ['body'], t('errors.network')));
    } finally {
      setBusy(false);
    }
  }

  const headingId = `conversation-${conversation.id}`;
  const Heading = `h${headingLevel}` as const;
  return (
    <section className="conversation mt-4" aria-labelledby={headingId}>
      <Heading id={headingId} className="h4">{t('conversation.title')}</Heading>
      <p className="text-muted">{others.length ? t('conversation.with', { names: others.join(', ') }) : t('conversation.alone')}</p>
      {messages.length === 0 ? (
        <p>{t('conversation.empty')}</p>
      ) : (
        <ol className="list-unstyled conversation-messages">
          {messages.map((m) => (
            <li key={m.id} className={`conversation-message mb-3 p-3 ${m.isMine ? 'mine' : 'theirs'}`}>
              <p className="small mb-1">
                <strong>{m.authorName ?? t('conversation.someone')}</strong>
                {/* An organisation that has left the project is no longer a party: its name is not known here. */}
                {nameOf(m.organizationId) && ` · ${nameOf(m.organizationId)}`}
                {' · '}
                <time dateTime={m.createdAt}>{formatDateTime(m.createdAt)}</time>
              </p>
              <p className="mb-0 message-body">
                {linkify(m.body).map((piece, i) =>
                  'href' in piece ? (
                    <a key={i} href={piece.href} rel="noopener noreferrer nofollow">
                      {piece.href}
                    </a>
                  ) : (
                    <span key={i}>{piece.text}</span>
                  ),
                )}
              </p>
            </li>
          ))}
        </ol>
      )}
      <form onSubmit={submit} noValidate>
        <FormAlert message={errors.general} />
        <FormField
          id={`${headingId}-body`}
          multiline
          label={t('conversation.message')}
          hint={t('conversation.hint')}
          value={body}
          onChange={setBody}
          error={errors.fields.body}
          maxLength={4000}
          required
        />
        <button type="submit" className="btn btn-primary" disabled={busy}>{t('conversation.send')}</button>
        <p role="status" aria-live="polite" className="mt-2">{status}</p>
      </form>
    </section>
  );
}
