// Every literal key the app's code asks for exists in the Italian strings
// (and so, by the locale test, in the English ones): a typo shows as a key
// on the page otherwise.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import itStrings from './it.json';

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return /\.tsx?$/.test(name) && !name.includes('.test.') ? [path] : [];
  });
}

function has(key: string): boolean {
  const parts = key.split('.');
  const last = parts.pop() as string;
  const parent = parts.reduce<unknown>((o, p) => (o as Record<string, unknown> | undefined)?.[p], itStrings) as
    | Record<string, unknown>
    | undefined;
  // Plurals are stored as key_one, key_other...
  return parent !== undefined && (last in parent || `${last}_other` in parent);
}

describe('translation keys', () => {
  it('used in the code all exist', () => {
    const root = join(__dirname, '..');
    const missing = sources(root).flatMap((file) =>
      [...readFileSync(file, 'utf8').matchAll(/\bt\('([a-zA-Z]+(?:\.[a-zA-Z0-9_]+)+)'/g)]
        .map((m) => m[1])
        .filter((key) => !has(key))
        .map((key) => `${file.slice(root.length + 1)}: ${key}`),
    );
    expect(missing).toEqual([]);
  });
});
