// The dashboard's matches: a light first look over every open posting of
// the person's organisations (no reasons), then the reasons of the matches
// it will show, fetched for their postings only.
import { MatchesForNeedDocument, MatchesForOfferDocument } from '../../generated/graphql/graphql';
import { request } from '../graphql/client';
import { apiLanguage } from '../i18n';
import type { Match, SidedMatch } from './status';

export interface OwnPosting {
  kind: 'need' | 'offer';
  id: string;
}

/** At most this many requests at once, not to flood a small server. */
const PARALLEL = 4;

async function inBatches<T, R>(items: T[], run: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = [];
  for (let i = 0; i < items.length; i += PARALLEL) results.push(...(await Promise.all(items.slice(i, i + PARALLEL).map(run))));
  return results;
}

async function matchesOf(posting: OwnPosting, first: number, withReasons: boolean): Promise<Match[]> {
  const common = { lang: apiLanguage(), first, withReasons };
  if (posting.kind === 'need') {
    const data = await request(MatchesForNeedDocument, { needId: posting.id, ...common });
    return data.matchesForNeed.edges.map((e) => e.node);
  }
  const data = await request(MatchesForOfferDocument, { offerId: posting.id, ...common });
  return data.matchesForOffer.edges.map((e) => e.node);
}

/** Every posting's best matches (20 each), without their reasons. */
export async function scanMatches(postings: OwnPosting[]): Promise<SidedMatch[]> {
  const lists = await inBatches(postings, async (posting) =>
    (await matchesOf(posting, 20, false)).map((match) => ({ match, side: posting.kind === 'need' ? ('NEED' as const) : ('OFFER' as const) })),
  );
  return lists.flat();
}

/** The same matches with their reasons, fetched for the postings they belong to. */
export async function withReasons(shown: SidedMatch[]): Promise<Map<string, Match>> {
  const postings = new Map<string, OwnPosting>();
  for (const { match, side } of shown) {
    const posting: OwnPosting = side === 'NEED' ? { kind: 'need', id: match.need.id } : { kind: 'offer', id: match.offer.id };
    postings.set(`${posting.kind}:${posting.id}`, posting);
  }
  const lists = await inBatches([...postings.values()], (posting) => matchesOf(posting, 20, true));
  return new Map(lists.flat().map((m) => [m.id, m]));
}
