import { describe, expect, it } from 'vitest';
import { safeNext, signInPath } from './nextPath';

describe('next after sign-in', () => {
  it('keeps paths of this site', () => {
    expect(safeNext('/organizations/new')).toBe('/organizations/new');
    expect(safeNext('/account/digest?x=1')).toBe('/account/digest?x=1');
  });

  it('refuses other sites and falls back to the account page', () => {
    for (const next of ['https://evil.example', '//evil.example', '/\\evil.example', '', null, undefined, 'account']) {
      expect(safeNext(next)).toBe('/account');
    }
  });

  it('builds the sign-in link', () => {
    expect(signInPath('/organizations/new')).toBe('/sign-in?next=%2Forganizations%2Fnew');
  });
});
