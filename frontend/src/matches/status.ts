// Where a match stands for one side, and what that side may do next: the
// rules the match cards and the dashboard follow.
import type { MatchDetailsFragment, MatchSide, MatchSideStatus } from '../../generated/graphql/graphql';

export type Match = MatchDetailsFragment;

/** The two statuses of a match as one side sees them. */
export function sides(match: Pick<Match, 'needSideStatus' | 'offerSideStatus'>, side: MatchSide) {
  return side === 'NEED'
    ? { mine: match.needSideStatus, theirs: match.offerSideStatus }
    : { mine: match.offerSideStatus, theirs: match.needSideStatus };
}

/** The side of `match` a person acts on, given the organisations they belong to. */
export function sideOf(match: Pick<Match, 'need' | 'offer'>, memberOf: (organizationId: string) => boolean): MatchSide | undefined {
  if (memberOf(match.need.organization.id)) return 'NEED';
  if (memberOf(match.offer.organization.id)) return 'OFFER';
  return undefined;
}

const ENGAGED: MatchSideStatus[] = ['INTERESTED', 'IN_CONTACT', 'PARTNERSHIP'];

/** Whether a side has shown interest (or gone further). */
export function engaged(status: MatchSideStatus): boolean {
  return ENGAGED.includes(status);
}

/** The statuses a side may move to from `mine`, in the order the buttons show them. */
export function nextSteps(mine: MatchSideStatus, theirs: MatchSideStatus): MatchSideStatus[] {
  switch (mine) {
    case 'SUGGESTED':
      return ['INTERESTED', 'DISMISSED'];
    case 'INTERESTED':
      return engaged(theirs) ? ['IN_CONTACT', 'PARTNERSHIP', 'DISMISSED'] : ['SUGGESTED', 'DISMISSED'];
    case 'IN_CONTACT':
      return ['PARTNERSHIP', 'DISMISSED'];
    case 'PARTNERSHIP':
      return theirs === 'PARTNERSHIP' ? [] : ['IN_CONTACT'];
    case 'DISMISSED':
      return ['SUGGESTED'];
  }
}

/** Where a match goes on the dashboard: waiting for an answer, in progress, or a new proposal. */
export type Bucket = 'awaiting' | 'ongoing' | 'new' | 'dismissed';

export function bucketOf(match: Pick<Match, 'needSideStatus' | 'offerSideStatus'>, side: MatchSide): Bucket {
  const { mine, theirs } = sides(match, side);
  if (mine === 'DISMISSED') return 'dismissed';
  if (engaged(mine)) return 'ongoing';
  return engaged(theirs) ? 'awaiting' : 'new';
}

/** A match with the side the viewer acts on. */
export interface SidedMatch {
  match: Match;
  side: MatchSide;
}

/**
 * The dashboard's lists: matches awaiting an answer (theirs first: the other
 * side moved), those in progress, and the best new proposals, each best
 * first; a match listed for two postings appears once.
 */
export function dashboardLists(all: SidedMatch[], newLimit: number) {
  const seen = new Set<string>();
  const unique = all.filter(({ match }) => !seen.has(match.id) && seen.add(match.id));
  const byScore = (a: SidedMatch, b: SidedMatch) => b.match.score - a.match.score;
  const of = (bucket: Bucket) => unique.filter((m) => bucketOf(m.match, m.side) === bucket).sort(byScore);
  const fresh = of('new');
  return { awaiting: of('awaiting'), ongoing: of('ongoing'), fresh: fresh.slice(0, newLimit), moreFresh: Math.max(0, fresh.length - newLimit) };
}

/** Why a side dismisses a match: what it tells the engine (`rateMatch`), if anything. */
export const DISMISS_REASONS = ['notRelevant', 'notNow', 'other'] as const;
export type DismissReason = (typeof DISMISS_REASONS)[number];

export function verdictFor(reason: DismissReason): 'RELEVANT' | 'NOT_RELEVANT' | undefined {
  if (reason === 'notRelevant') return 'NOT_RELEVANT';
  if (reason === 'notNow') return 'RELEVANT';
  return undefined;
}

/** A score as a percentage for people (0.885 → 89). */
export function percent(score: number): number {
  return Math.round(Math.min(1, Math.max(0, score)) * 100);
}

/**
 * Matching runs in the background, behind whatever else is queued, and a
 * new or edited posting's list fills in over a few minutes: while it is
 * that recent (or has no match yet), the page looks again, often at first
 * and then less.
 */
const FRESH_MS = 5 * 60_000;
export const POLLS = 40;

/** Whether to look again for matches. */
export function shouldPoll(open: boolean, matches: number, polls: number, updatedAt: string, now = Date.now()): boolean {
  if (!open || polls >= POLLS) return false;
  return matches === 0 || now - Date.parse(updatedAt) < FRESH_MS;
}
