import { describe, expect, it } from 'vitest';
import itStrings from '../i18n/it.json';
import { bucketOf, POLLS, shouldPoll, dashboardLists, DISMISS_REASONS, nextSteps, percent, sideOf, verdictFor, type Match, type SidedMatch } from './status';

function match(id: string, score: number, needSideStatus: Match['needSideStatus'], offerSideStatus: Match['offerSideStatus']): Match {
  return {
    id,
    score,
    needSideStatus,
    offerSideStatus,
    partnership: 'NOT_PROPOSED',
    projectId: null,
    computedAt: '2026-12-03T20:00:00Z',
    need: { id: `n-${id}`, title: 'need', kindLabel: 'k', organization: { id: 'aler', name: 'ALER' } },
    offer: { id: `o-${id}`, title: 'offer', kindLabel: 'k', organization: { id: 'coop', name: 'Coop' } },
  };
}

describe('a match', () => {
  it('is acted on from the side one belongs to', () => {
    const m = match('1', 0.5, 'SUGGESTED', 'SUGGESTED');
    expect(sideOf(m, (id) => id === 'coop')).toBe('OFFER');
    expect(sideOf(m, (id) => id === 'aler')).toBe('NEED');
    expect(sideOf(m, () => false)).toBeUndefined();
  });

  it('awaits an answer when the other side moved first', () => {
    expect(bucketOf(match('1', 0.5, 'INTERESTED', 'SUGGESTED'), 'OFFER')).toBe('awaiting');
    expect(bucketOf(match('1', 0.5, 'INTERESTED', 'SUGGESTED'), 'NEED')).toBe('ongoing');
    expect(bucketOf(match('1', 0.5, 'SUGGESTED', 'SUGGESTED'), 'NEED')).toBe('new');
    expect(bucketOf(match('1', 0.5, 'INTERESTED', 'DISMISSED'), 'OFFER')).toBe('dismissed');
  });

  it('offers the next steps that make sense', () => {
    expect(nextSteps('SUGGESTED', 'SUGGESTED')).toEqual(['INTERESTED', 'DISMISSED']);
    expect(nextSteps('INTERESTED', 'SUGGESTED')).toEqual(['SUGGESTED', 'DISMISSED']);
    expect(nextSteps('INTERESTED', 'INTERESTED')).toEqual(['IN_CONTACT', 'PARTNERSHIP', 'DISMISSED']);
    expect(nextSteps('DISMISSED', 'INTERESTED')).toEqual(['SUGGESTED']);
    expect(nextSteps('PARTNERSHIP', 'PARTNERSHIP')).toEqual([]);
  });

  it('scores in percent', () => {
    expect(percent(0.885)).toBe(89);
    expect(percent(1.2)).toBe(100);
  });
});

describe('the dashboard', () => {
  it('lists what awaits an answer, what is in progress and the best new, once each', () => {
    const all: SidedMatch[] = [
      { match: match('a', 0.4, 'SUGGESTED', 'SUGGESTED'), side: 'NEED' },
      { match: match('b', 0.9, 'SUGGESTED', 'SUGGESTED'), side: 'NEED' },
      { match: match('c', 0.3, 'SUGGESTED', 'INTERESTED'), side: 'NEED' },
      { match: match('d', 0.6, 'INTERESTED', 'SUGGESTED'), side: 'NEED' },
      { match: match('b', 0.9, 'SUGGESTED', 'SUGGESTED'), side: 'NEED' },
      { match: match('e', 0.7, 'SUGGESTED', 'SUGGESTED'), side: 'NEED' },
      { match: match('f', 0.8, 'DISMISSED', 'SUGGESTED'), side: 'NEED' },
    ];
    const lists = dashboardLists(all, 2);
    expect(lists.awaiting.map((m) => m.match.id)).toEqual(['c']);
    expect(lists.ongoing.map((m) => m.match.id)).toEqual(['d']);
    expect(lists.fresh.map((m) => m.match.id)).toEqual(['b', 'e']);
    expect(lists.moreFresh).toBe(1);
  });
});

describe('dismissing', () => {
  it('tells the engine what the reason says', () => {
    expect(verdictFor('notRelevant')).toBe('NOT_RELEVANT');
    expect(verdictFor('notNow')).toBe('RELEVANT');
    expect(verdictFor('other')).toBeUndefined();
  });

  it('has words for every reason, status and criterion', () => {
    const m = itStrings.matches;
    for (const r of DISMISS_REASONS) expect(m.dismissReasons).toHaveProperty(r);
    for (const s of ['SUGGESTED', 'INTERESTED', 'DISMISSED', 'IN_CONTACT', 'PARTNERSHIP']) {
      expect(m.status).toHaveProperty(s);
      expect(m.actions).toHaveProperty(s);
    }
    for (const c of ['TEXT', 'KIND', 'TERRITORY', 'SECTORS', 'AMOUNT', 'TIME', 'VERIFICATION', 'ELIGIBILITY']) expect(m.criteria).toHaveProperty(c);
  });
});

describe('a posting page', () => {
  const now = Date.parse('2026-12-03T20:10:00Z');
  it('looks again while the posting is recent or has no match', () => {
    expect(shouldPoll(true, 5, 0, '2026-12-03T20:08:00Z', now)).toBe(true);
    expect(shouldPoll(true, 5, 0, '2026-12-03T20:00:00Z', now)).toBe(false);
    expect(shouldPoll(true, 0, 0, '2026-12-03T20:00:00Z', now)).toBe(true);
  });
  it('stops when closed or after a while', () => {
    expect(shouldPoll(false, 0, 0, '2026-12-03T20:08:00Z', now)).toBe(false);
    expect(shouldPoll(true, 0, POLLS, '2026-12-03T20:08:00Z', now)).toBe(false);
  });
});
