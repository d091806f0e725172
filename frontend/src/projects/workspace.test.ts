import { describe, expect, it } from 'vitest';
import { contributionAmount, pactFileName, parseNumber, stepper, approvalsOf, latestVersion, type Workspace } from './workspace';
import { pactUrl } from './pact';

function ws(parts: Partial<Workspace>): Workspace {
  return {
    id: 'p', title: 'T', description: '', procedure: 'PATTO_COLLABORAZIONE', stage: 'PROPOSAL', isPublic: false, hidden: false,
    needId: null, leadOrganizationId: 'a', partners: [], invitations: [], contributions: [], nextSteps: [], stageHistory: [],
    agreement: { versions: [], approvals: [], signedVersion: null, contentHash: null, signedAt: null }, milestones: [], reports: [],
    ...parts,
  } as Workspace;
}

describe('project workspace', () => {
  it('marks the stages before, at and after the current one', () => {
    const steps = stepper('PATTO_COLLABORAZIONE', 'CODESIGN_TABLE');
    expect(steps.map((s) => s.state)).toEqual(['done', 'done', 'current', 'todo', 'todo', 'todo', 'todo']);
    expect(stepper('COPROGETTAZIONE', 'PUBLIC_NOTICE')[0]).toEqual({ stage: 'PUBLIC_NOTICE', state: 'current' });
  });

  it('says how much a contribution brings', () => {
    expect(contributionAmount({ quantity: 40, unit: 'ore' }, 'it')).toBe('40 ore');
    expect(contributionAmount({ quantity: 7.5, unit: 'm²' }, 'it')).toBe('7,5 m²');
    expect(contributionAmount({ amountCents: 125050 }, 'it')).toMatch(/^1\.250,50\s€$/);
    expect(contributionAmount({ amountCents: 125050 }, 'en')).toBe('€1,250.50');
    expect(contributionAmount({}, 'it')).toBe('');
  });

  it('names the pact file after the title', () => {
    expect(pactFileName('Patto «Clean Up» per le scale di via Odazio')).toBe('patto-patto-clean-up-per-le-scale-di-via-odazio.pdf');
    expect(pactFileName('Mediazione sociale a Molise-Calvairate: lo sportello è aperto')).toBe(
      'patto-mediazione-sociale-a-molise-calvairate-lo-sportello-e-aperto.pdf',
    );
    expect(pactFileName('«»')).toBe('patto-progetto.pdf');
  });

  it('asks for the pact in the reader language', () => {
    expect(pactUrl('1 2', 'en')).toBe('/projects/1%202/pact.pdf?lang=en');
    expect(pactUrl('x', 'it-IT')).toBe('/projects/x/pact.pdf?lang=it');
  });

  it('reads numbers as people type them', () => {
    expect(parseNumber('12')).toBe(12);
    expect(parseNumber(' 7,5 ')).toBe(7.5);
    expect(parseNumber('')).toBeNull();
    expect(parseNumber('tanti')).toBeUndefined();
  });

  it('lists each partner with its approval of a version', () => {
    const w = ws({
      partners: [
        { organizationId: 'a', organizationName: 'ALER', role: 'LEAD', joinedAt: '' },
        { organizationId: 'b', organizationName: 'Coop', role: 'PARTNER', joinedAt: '' },
      ],
      agreement: {
        versions: [{ number: 1, text: 'uno', authorId: null, createdAt: '' }, { number: 2, text: 'due', authorId: null, createdAt: '' }],
        approvals: [{ version: 2, organizationId: 'b', organizationName: 'Coop', userId: null, userName: null, approvedAt: '2026-01-01T00:00:00Z' }],
        signedVersion: null, contentHash: null, signedAt: null,
      },
    });
    expect(latestVersion(w)?.number).toBe(2);
    expect(approvalsOf(w, 2).map((p) => [p.partner.organizationId, !!p.approval])).toEqual([['a', false], ['b', true]]);
  });
});
