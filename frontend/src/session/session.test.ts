import { describe, expect, it } from 'vitest';
import { afterSignIn, signInFor } from './next';
import { isCurrent } from './token';

describe('after signing in', () => {
  it('goes back to the page that asked', () => {
    expect(afterSignIn('/needs/new')).toBe('/needs/new');
    expect(afterSignIn('/needs/abc/edit?x=1')).toBe('/needs/abc/edit?x=1');
  });

  it('goes to the dashboard otherwise', () => {
    expect(afterSignIn(null)).toBe('/account');
    expect(afterSignIn('')).toBe('/account');
    expect(afterSignIn('/sign-in')).toBe('/account');
    expect(afterSignIn('/no/such/page/here')).toBe('/account');
  });

  it('never leaves the site', () => {
    expect(afterSignIn('//evil.example/needs/new')).toBe('/account');
    expect(afterSignIn('https://evil.example/')).toBe('/account');
    expect(afterSignIn('/\\evil.example')).toBe('/account');
  });

  it('round-trips through the sign-in URL', () => {
    const url = new URL(signInFor('/needs/new?from=dashboard'), 'http://localhost');
    expect(url.pathname).toBe('/sign-in');
    expect(afterSignIn(url.searchParams.get('next'))).toBe('/needs/new?from=dashboard');
  });
});

describe('a stored token', () => {
  const now = new Date('2026-12-03T20:00:00Z');
  it('is current until it expires', () => {
    expect(isCurrent({ token: 't', expiresAt: '2026-12-03T20:00:01Z' }, now)).toBe(true);
    expect(isCurrent({ token: 't', expiresAt: '2026-12-03T19:59:59Z' }, now)).toBe(false);
  });
  it('without an expiry is current', () => {
    expect(isCurrent({ token: 't' }, now)).toBe(true);
  });
  it('must be there', () => {
    expect(isCurrent(null, now)).toBe(false);
    expect(isCurrent({ token: '' }, now)).toBe(false);
  });
});
