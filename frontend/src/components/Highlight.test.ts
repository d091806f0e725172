import { describe, expect, it } from 'vitest';
import { splitMarks } from './Highlight';

describe('search snippets', () => {
  it('keeps marks and decodes the escaped text without making HTML', () => {
    expect(splitMarks('a &lt;b&gt; <mark>orti</mark> &amp; c')).toEqual([
      { text: 'a <b> ', marked: false },
      { text: 'orti', marked: true },
      { text: ' & c', marked: false },
    ]);
  });
});
