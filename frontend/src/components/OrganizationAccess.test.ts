import { describe, expect, it } from 'vitest';
import { sentText } from './OrganizationAccess';

const t = (key: string, options?: Record<string, unknown>) => (options ? `${key} ${JSON.stringify(options)}` : key);

describe('the outcome of asking for access', () => {
  it('says what happens next for each kind and status', () => {
    expect(sentText(t, { kind: 'JOIN', status: 'PENDING', confirmationSentTo: [] })).toBe('orgAccess.joinPending');
    expect(sentText(t, { kind: 'CLAIM', status: 'APPROVED', confirmationSentTo: [] })).toBe('orgAccess.claimApproved');
    expect(sentText(t, { kind: 'CLAIM', status: 'PENDING', confirmationSentTo: ['i…@example.org'] })).toBe(
      'orgAccess.claimPendingTo {"to":"i…@example.org"}',
    );
    expect(sentText(t, { kind: 'CLAIM', status: 'PENDING', confirmationSentTo: [] })).toBe('orgAccess.claimPending');
  });
});
