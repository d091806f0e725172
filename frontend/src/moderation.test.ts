import { describe, expect, it } from 'vitest';
import { recordAt } from './moderation';

describe('the record at an address', () => {
  it('reads full addresses and paths', () => {
    expect(recordAt('https://trama.example.it/needs/0190a3c4-1111-7000-8000-000000000000')).toEqual({
      kind: 'NEED',
      id: '0190a3c4-1111-7000-8000-000000000000',
    });
    expect(recordAt(' /offers/abc?x=1#top ')).toEqual({ kind: 'OFFER', id: 'abc' });
    expect(recordAt('/organizations/42')).toEqual({ kind: 'ORGANIZATION', id: '42' });
  });

  it('refuses other pages', () => {
    for (const address of ['', '/search?q=x', '/needs', '/organizations/new', '/organizations/1/members', '/projects/7']) {
      expect(recordAt(address)).toBeUndefined();
    }
  });
});
