import { describe, expect, it } from 'vitest';
import { isAppPath, pathTo } from './routes';

describe('routes', () => {
  it('fills and encodes parameters', () => {
    expect(pathTo('need', { id: '42' })).toBe('/needs/42');
    expect(pathTo('organization', { id: 'a b' })).toBe('/organizations/a%20b');
  });

  it('knows the pages e-mails link to and nothing else', () => {
    for (const path of ['/', '/needs/1', '/offers/2', '/projects/3', '/account', '/organizations/4/requests', '/open-data'])
      expect(isAppPath(path)).toBe(true);
    for (const path of ['/nope', '/needs', '/needs/1/extra', '/organisations/1']) expect(isAppPath(path)).toBe(false);
  });
});
