// Every string exists in both languages: no page shows a key or falls back
// to Italian for an English reader.
import { describe, expect, it } from 'vitest';
import itStrings from './it.json';
import enStrings from './en.json';

function keys(value: unknown, prefix = ''): string[] {
  if (typeof value !== 'object' || value === null) return [prefix];
  return Object.entries(value).flatMap(([k, v]) => keys(v, prefix ? `${prefix}.${k}` : k));
}

describe('locale files', () => {
  it('have the same keys', () => {
    expect(keys(enStrings).sort()).toEqual(keys(itStrings).sort());
  });

  it('have no empty string', () => {
    const empty = (strings: object) =>
      keys(strings).filter((k) => k.split('.').reduce<unknown>((o, p) => (o as Record<string, unknown>)[p], strings) === '');
    expect(empty(itStrings)).toEqual([]);
    expect(empty(enStrings)).toEqual([]);
  });
});
