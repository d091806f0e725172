// The moderators' hide tool takes a page's address as people copy it from
// the browser: this tells which record it names.
import type { HideableKind } from '../generated/graphql/graphql';

const KINDS: Record<string, HideableKind> = { needs: 'NEED', offers: 'OFFER', organizations: 'ORGANIZATION' };

/** The kind and id of the need, offer or organisation at an address (full or just the path), if any. */
export function recordAt(address: string): { kind: HideableKind; id: string } | undefined {
  let path = address.trim();
  try {
    path = new URL(path, 'http://trama.invalid').pathname;
  } catch {
    return undefined;
  }
  const [section, id, ...rest] = path.split('/').filter(Boolean);
  const kind = KINDS[section ?? ''];
  if (!kind || !id || rest.length || id === 'new') return undefined;
  return { kind, id: decodeURIComponent(id) };
}
