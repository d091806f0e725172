import { describe, expect, it } from 'vitest';
import {
  applicants,
  earliestClose,
  highestTotal,
  isOfficer,
  noticeFields,
  noticeForm,
  noticeInput,
  ranking,
  topicsOf,
  type Application,
  type Art55,
} from './art55';

function app(parts: Partial<Application>): Application {
  return {
    id: 'x', organizationId: 'o', organizationName: 'O', proposal: '', admitted: null, role: null, scores: null,
    total: null, position: null, admissible: null, allowedRoles: [], ...parts,
  } as Application;
}

function ws(parts: Partial<Art55>): Art55 {
  return { leadOrganizationId: 'comune', partners: [], applications: [], ...parts } as Art55;
}

describe('art. 55', () => {
  it('lets the lead admin act as the public body, and the admins of others apply once', () => {
    const roles: Record<string, 'ADMIN' | 'MEMBER'> = { comune: 'ADMIN', coop: 'ADMIN', aps: 'MEMBER' };
    const w = ws({
      partners: [{ organizationId: 'comune', organizationName: 'Comune', role: 'LEAD', joinedAt: '' }],
      applications: [app({ organizationId: 'odv' })],
    });
    expect(isOfficer(w, (id) => roles[id])).toBe(true);
    expect(isOfficer(w, () => 'MEMBER')).toBe(false);
    const memberships = ['comune', 'coop', 'aps', 'odv'].map((id) => ({ role: id === 'aps' ? 'MEMBER' : 'ADMIN', organization: { id, name: id } }));
    expect(applicants(w, memberships).map((o) => o.id)).toEqual(['coop']);
  });

  it('turns the form into the input the API takes, numbers as typed', () => {
    const form = { ...noticeForm(null), purpose: 'P', minOpenDays: ' 30 ', minTotal: '' };
    form.criteria = [{ name: 'Qualità', maxPoints: '10', weight: 'tre' }];
    const input = noticeInput(form);
    expect(input.criteria).toEqual([{ name: 'Qualità', maxPoints: 10, weight: 0 }]);
    expect(input.minOpenDays).toBe(30);
    expect(input.minTotal).toBeNull();
    expect(noticeForm(null).minOpenDays).toBe('20');
    expect(noticeFields(2)).toContain('criteria[1].weight');
  });

  it('counts the highest total and the earliest closing day', () => {
    expect(highestTotal([{ maxPoints: 10, weight: 3 }, { maxPoints: 10, weight: 2 }])).toBe(50);
    expect(earliestClose(new Date(2026, 11, 4), 20)).toEqual(new Date(2026, 11, 24));
  });

  it('ranks the scored applications and names the records of each stage', () => {
    const ranked = ranking([app({ id: 'b', position: 2 }), app({ id: 'n' }), app({ id: 'a', position: 1 })]);
    expect(ranked.map((a) => a.id)).toEqual(['a', 'b']);
    expect(topicsOf('EVALUATION')).toEqual(['EVALUATION_MINUTES']);
    expect(topicsOf('FINAL_PROJECT')).toEqual(['FINAL_PROJECT', 'TABLE_MINUTES']);
    expect(topicsOf('APPLICATIONS')).toEqual([]);
  });
});
