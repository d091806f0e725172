// One proposed match as one side sees it: the other side's posting, the
// score and its reasons criterion by criterion, where both sides stand, and
// what this side can do next (show interest, dismiss with a reason...).
import { useEffect, useId, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router-dom';
import { RateMatchDocument, SetMatchStatusDocument, type MatchSide, type MatchSideStatus } from '../../generated/graphql/graphql';
import { GraphqlRequestError, request } from '../graphql/client';
import { apiLanguage } from '../i18n';
import { DISMISS_REASONS, nextSteps, percent, sides, verdictFor, type DismissReason, type Match } from '../matches/status';
import { pathTo } from '../routes';
import Conversation from '../conversation/Conversation';
import ReasonList from './ReasonList';

// Once either side said it is interested, the two sides can write to each
// other.
const TALKING: readonly MatchSideStatus[] = ['INTERESTED', 'IN_CONTACT', 'PARTNERSHIP'];

export default function MatchCard({
  match,
  side,
  showOwn = false,
  headingLevel = 3,
  reasonsOpen = true,
  onChange,
}: {
  match: Match;
  side: MatchSide;
  /** Also name this side's own posting (on the dashboard, where several are listed). */
  showOwn?: boolean;
  headingLevel?: 2 | 3 | 4;
  /** Whether the reasons start unfolded (folded in long lists). */
  reasonsOpen?: boolean;
  onChange?: (match: Match) => void;
}) {
  const { t } = useTranslation();
  const [current, setCurrent] = useState(match);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const [dismissing, setDismissing] = useState(false);
  const [talking, setTalking] = useState(false);
  const [reason, setReason] = useState<DismissReason>('notRelevant');
  const uid = useId();
  const statusRef = useRef<HTMLParagraphElement>(null);
  // Once this card changed the match, a list reloaded before the change
  // (a poll in flight when the button was pressed) must not put the old
  // status back: the card keeps what the server answered to its own action.
  const changedHere = useRef(false);
  useEffect(() => {
    if (!changedHere.current) setCurrent(match);
  }, [match]);

  const { mine, theirs } = sides(current, side);
  const other = side === 'NEED' ? current.offer : current.need;
  const own = side === 'NEED' ? current.need : current.offer;
  const otherPath = side === 'NEED' ? pathTo('offer', { id: other.id }) : pathTo('need', { id: other.id });
  const ownPath = side === 'NEED' ? pathTo('need', { id: own.id }) : pathTo('offer', { id: own.id });
  const Heading = `h${headingLevel}` as const;

  async function move(status: MatchSideStatus, dismissReason?: DismissReason) {
    setBusy(true);
    setError(undefined);
    try {
      const data = await request(SetMatchStatusDocument, { matchId: current.id, status, side, lang: apiLanguage(), withReasons: true });
      const verdict = dismissReason && verdictFor(dismissReason);
      if (verdict) await request(RateMatchDocument, { matchId: current.id, verdict }).catch(() => undefined);
      changedHere.current = true;
      setCurrent(data.setMatchStatus.match);
      setDismissing(false);
      onChange?.(data.setMatchStatus.match);
      statusRef.current?.focus();
    } catch (e) {
      setError(e instanceof GraphqlRequestError ? e.message : t('errors.network'));
    } finally {
      setBusy(false);
    }
  }

  return (
    <article className="card match-card mb-3" aria-labelledby={`${uid}-title`}>
      <div className="card-body">
        <p className="match-kind mb-1">
          {t(side === 'NEED' ? 'matches.offerFrom' : 'matches.needFrom')}{' '}
          <Link to={pathTo('organization', { id: other.organization.id })}>{other.organization.name}</Link>
        </p>
        <Heading id={`${uid}-title`} className="h5 card-title">
          <Link to={otherPath}>{other.title}</Link>
        </Heading>
        {showOwn && (
          <p className="small mb-2">
            {t(side === 'NEED' ? 'matches.forYourNeed' : 'matches.forYourOffer')} <Link to={ownPath}>{own.title}</Link>
          </p>
        )}
        <p className="mb-2">
          <span className="match-score">{t('matches.score', { score: percent(current.score) })}</span>
        </p>
        <p ref={statusRef} tabIndex={-1} className="match-status small" role="status">
          {/* Once both agreed, "proposes co-design" on each side is old news: the project is open. */}
          {current.partnership !== 'OPEN' && (
            <>
              <span>{t('matches.yours')}: <strong>{t(`matches.status.${mine}`)}</strong></span>
              <span>{t(side === 'NEED' ? 'matches.theirsOffer' : 'matches.theirsNeed')}: <strong>{t(`matches.status.${theirs}`)}</strong></span>
            </>
          )}
          {current.partnership !== 'NOT_PROPOSED' && <span>{t(`matches.partnership.${current.partnership}`)}</span>}
        </p>
        <details className="match-reasons mb-3" open={reasonsOpen}>
          <summary>{t('matches.why')}</summary>
          <ReasonList reasons={current.reasons ?? []} />
        </details>
        {error && <div className="alert alert-danger" role="alert">{error}</div>}
        {dismissing ? (
          <fieldset className="dismiss-form">
            <legend className="h6">{t('matches.dismissWhy')}</legend>
            {DISMISS_REASONS.map((r) => (
              <div className="form-check" key={r}>
                <input id={`${uid}-${r}`} type="radio" name={`${uid}-reason`} className="form-check-input" checked={reason === r} onChange={() => setReason(r)} />
                <label htmlFor={`${uid}-${r}`} className="form-check-label">{t(`matches.dismissReasons.${r}`)}</label>
              </div>
            ))}
            <p className="small text-muted">{t('matches.dismissNote')}</p>
            <div className="d-flex flex-wrap gap-2">
              <button type="button" className="btn btn-sm btn-danger" disabled={busy} onClick={() => move('DISMISSED', reason)}>
                {t('matches.dismissConfirm')}
              </button>
              <button type="button" className="btn btn-sm btn-outline-secondary" onClick={() => setDismissing(false)}>{t('matches.cancel')}</button>
            </div>
          </fieldset>
        ) : (
          <div className="d-flex flex-wrap gap-2 match-actions">
            {nextSteps(mine, theirs).map((status) =>
              status === 'DISMISSED' ? (
                <button key={status} type="button" className="btn btn-sm btn-outline-secondary" disabled={busy} onClick={() => setDismissing(true)}>
                  {t('matches.actions.DISMISSED')}<span className="visually-hidden">: {other.title}</span>
                </button>
              ) : (
                <button key={status} type="button" className={`btn btn-sm ${status === 'INTERESTED' ? 'btn-primary' : 'btn-outline-primary'}`} disabled={busy} onClick={() => move(status)}>
                  {t(`matches.actions.${status}`)}<span className="visually-hidden">: {other.title}</span>
                </button>
              ),
            )}
            {current.projectId && <Link className="btn btn-sm btn-primary" to={pathTo('project', { id: current.projectId })}>{t('matches.openProject')}</Link>}
            {(TALKING.includes(mine) || TALKING.includes(theirs)) && (
              <button type="button" className="btn btn-sm btn-outline-primary" aria-expanded={talking} onClick={() => setTalking((open) => !open)}>
                {t(talking ? 'matches.closeConversation' : 'matches.openConversation')}<span className="visually-hidden">: {other.title}</span>
              </button>
            )}
          </div>
        )}
        {talking && <Conversation matchId={current.id} headingLevel={(Math.min(headingLevel + 1, 5)) as 3 | 4 | 5} />}
      </div>
    </article>
  );
}
