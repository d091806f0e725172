import { describe, expect, it } from 'vitest';
import { linkify } from './linkify';

describe('messages show their links', () => {
  it('cuts text and addresses, leaving the full stop outside the link', () => {
    expect(linkify('Il bando: https://www.comune.milano.it/bandi/123. A presto')).toEqual([
      { text: 'Il bando: ' },
      { href: 'https://www.comune.milano.it/bandi/123' },
      { text: '. A presto' },
    ]);
  });

  it('keeps text without addresses whole, and never reads markup', () => {
    expect(linkify('<b>ciao</b> javascript:alert(1)')).toEqual([{ text: '<b>ciao</b> javascript:alert(1)' }]);
    expect(linkify('')).toEqual([]);
  });
});
