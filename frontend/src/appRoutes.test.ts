// Every path the server answers with status 200 (routes.json) is a page of
// the router, so that no e-mail link opens the app's "page not found"; and
// the links of the account, invitation and claim e-mails are such paths.
import { describe, expect, it } from 'vitest';
import { isAppPath, routes } from './routes';
import app from './App.tsx?raw';

describe('the router', () => {
  it('has a page for every route of routes.json', () => {
    const missing = Object.keys(routes).filter((name) => !app.includes(`path={routes.${name}}`));
    expect(missing).toEqual([]);
  });

  it('serves the pages e-mails link to', () => {
    for (const path of ['/account/verify', '/account/reset', '/invitations/accept', '/organizations/claims/confirm', '/account/digest', '/sign-up', '/organizations/new', '/organizations/1/members', '/moderation'])
      expect(isAppPath(path)).toBe(true);
  });
});
