// On a need's or an offer's page, for its organisation's members only: the
// editing links and the matches Trama proposes, with their reasons and what
// the other side has done, to act on them there.
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useLocation } from 'react-router-dom';
import { MatchesForNeedDocument, MatchesForOfferDocument } from '../../generated/graphql/graphql';
import { useQuery } from '../graphql/client';
import { apiLanguage } from '../i18n';
import { useSession } from '../session';
import { pathTo } from '../routes';
import { bucketOf, POLLS, shouldPoll } from '../matches/status';
import MatchCard from './MatchCard';
import ThroughPartner from './ThroughPartner';

/** How long to wait before looking again (ms). */
const pollDelay = (polls: number) => (polls < 12 ? 5000 : 15000);

export function SavedNotice() {
  const { t } = useTranslation();
  const { state } = useLocation() as { state?: { saved?: string } };
  if (!state?.saved) return null;
  return <div className="alert alert-success" role="status">{t(`matches.saved.${state.saved}`)}</div>;
}

export default function PostingMatches({ kind, id, organizationId, open, updatedAt }: {
  kind: 'need' | 'offer';
  id: string;
  organizationId: string;
  open: boolean;
  updatedAt: string;
}) {
  const session = useSession();
  if (!session.roleIn(organizationId)) return null;
  return <MemberSection kind={kind} id={id} open={open} updatedAt={updatedAt} />;
}

function MemberSection({ kind, id, open, updatedAt }: { kind: 'need' | 'offer'; id: string; open: boolean; updatedAt: string }) {
  const { t } = useTranslation();
  const [showDismissed, setShowDismissed] = useState(false);
  const variables = { lang: apiLanguage(), includeDismissed: showDismissed, first: 10, withReasons: true };
  const forNeed = useQuery(MatchesForNeedDocument, { needId: id, ...variables }, { skip: kind !== 'need' });
  const forOffer = useQuery(MatchesForOfferDocument, { offerId: id, ...variables }, { skip: kind !== 'offer' });
  const result = kind === 'need' ? forNeed : forOffer;
  const list = kind === 'need' ? forNeed.data?.matchesForNeed : forOffer.data?.matchesForOffer;
  const matches = list?.edges.map((e) => e.node) ?? [];
  const [polls, setPolls] = useState(0);
  // Once someone acts on a card, the list stays as it is (no card moves away under them).
  const [acted, setActed] = useState(false);
  const { reload } = result;
  useEffect(() => {
    if (!list || acted || !shouldPoll(open, list.edges.length, polls, updatedAt)) return;
    const timer = window.setTimeout(() => {
      setPolls((p) => p + 1);
      reload();
    }, pollDelay(polls));
    return () => window.clearTimeout(timer);
  }, [open, list, polls, reload, updatedAt, acted]);
  const side = kind === 'need' ? 'NEED' : 'OFFER';
  const interested = matches.filter((m) => bucketOf(m, side) === 'awaiting').length;

  return (
    <section className="member-section mt-5" aria-labelledby="member-title">
      <h2 id="member-title" className="h3">{t('matches.memberTitle')}</h2>
      <p>
        <Link to={pathTo(kind === 'need' ? 'needEdit' : 'offerEdit', { id })} className="btn btn-outline-primary btn-sm">
          {t(kind === 'need' ? 'matches.editNeed' : 'matches.editOffer')}
        </Link>
      </p>
      <h3 className="h4">{t('matches.proposals')}</h3>
      <p>{t(kind === 'need' ? 'matches.introNeed' : 'matches.introOffer')}</p>
      {interested > 0 && <p className="alert alert-info">{t('matches.interestedCount', { count: interested })}</p>}
      {result.error && <div className="alert alert-danger" role="alert">{result.error.message}</div>}
      {result.loading && !list && <p role="status">{t('common.loading')}</p>}
      {list && matches.length === 0 && (
        <p role="status">{t(open && polls < POLLS ? 'matches.searching' : 'matches.none')}</p>
      )}
      {matches.map((m) => <MatchCard key={m.id} match={m} side={side} headingLevel={4} onChange={() => setActed(true)} />)}
      {list?.pageInfo.hasNextPage && <p className="small text-muted">{t('matches.onlyBest')}</p>}
      {/* Its partners are the organisations proposed above: asked again when they change. */}
      {kind === 'need' && list && <ThroughPartner key={matches.map((m) => m.id).join()} needId={id} />}
      <div className="form-check mt-3">
        <input id="show-dismissed" type="checkbox" className="form-check-input" checked={showDismissed} onChange={(e) => setShowDismissed(e.target.checked)} />
        <label htmlFor="show-dismissed" className="form-check-label">{t('matches.showDismissed')}</label>
      </div>
    </section>
  );
}
