import { describe, expect, it } from 'vitest';
import { byRecord, recordPath } from './components/ModerationReports';

const report = (id: string, recordType: 'NEED' | 'OFFER' | 'ORGANIZATION', recordId: string) => ({
  id,
  recordType,
  recordId,
  recordTitle: 'Titolo',
  recordHiddenAt: null,
  reason: 'Motivo',
  reporterName: 'Anna',
  createdAt: '2026-12-03T10:00:00Z',
});

describe('the moderators’ queue of reports', () => {
  it('groups the reports on one record, in the order their first report came', () => {
    const groups = byRecord([report('1', 'NEED', 'a'), report('2', 'OFFER', 'a'), report('3', 'NEED', 'a'), report('4', 'NEED', 'b')]);
    expect(groups.map((g) => g.map((r) => r.id))).toEqual([['1', '3'], ['2'], ['4']]);
  });

  it('links each kind of record to its page', () => {
    expect(recordPath('NEED', 'x')).toBe('/needs/x');
    expect(recordPath('OFFER', 'x')).toBe('/offers/x');
    expect(recordPath('ORGANIZATION', 'x')).toBe('/organizations/x');
  });
});
