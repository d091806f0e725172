// The places of a need or an offer in words, for their pages: the further
// places after the first ("Barona, Gratosoglio - Ticinello (Milano); Sesto
// San Giovanni") and, for a reach wider than its places, the provinces or
// regions it covers.
import type { TerritoryScope } from '../generated/graphql/graphql';

export interface NamedPlace {
  municipality: { istatCode: string; name: string; provinceName?: string; regionName?: string };
  neighbourhood?: { name: string } | null;
}

/**
 * The places, grouped by municipality in the order given: its
 * neighbourhoods, then the municipality in brackets; a municipality given
 * as a whole is named alone (it includes its neighbourhoods).
 */
export function placesText(places: readonly NamedPlace[]): string {
  const groups = new Map<string, { name: string; whole: boolean; neighbourhoods: string[] }>();
  for (const place of places) {
    const m = place.municipality;
    const group = groups.get(m.istatCode) ?? { name: m.name, whole: false, neighbourhoods: [] };
    groups.set(m.istatCode, group);
    if (!place.neighbourhood) group.whole = true;
    else if (!group.neighbourhoods.includes(place.neighbourhood.name)) group.neighbourhoods.push(place.neighbourhood.name);
  }
  return [...groups.values()]
    .map((g) => (g.whole || g.neighbourhoods.length === 0 ? g.name : `${g.neighbourhoods.join(', ')} (${g.name})`))
    .join('; ');
}

/** The different names, in order, leaving out the empty ones and those in `except`. */
function distinct(names: readonly (string | undefined)[], except: readonly (string | undefined)[] = []): string[] {
  const out: string[] = [];
  for (const name of names) if (name && !out.includes(name) && !except.includes(name)) out.push(name);
  return out;
}

/**
 * What a reach wider than a municipality covers, from the municipalities of
 * the posting's places: the provinces for PROVINCE, the regions for REGION,
 * all of Italy for NATIONAL; nothing for a narrower or no reach, or when no
 * place names the area.
 */
export function reachOf(
  scope: TerritoryScope | null | undefined,
  municipalities: readonly (NamedPlace['municipality'] | null | undefined)[],
): { area: 'province' | 'region'; names: string[] } | { area: 'national' } | undefined {
  if (scope === 'NATIONAL') return { area: 'national' };
  if (scope !== 'PROVINCE' && scope !== 'REGION') return undefined;
  const names = distinct(municipalities.map((m) => (scope === 'PROVINCE' ? m?.provinceName : m?.regionName)));
  return names.length ? { area: scope === 'PROVINCE' ? 'province' : 'region', names } : undefined;
}

/**
 * An offer's further places as its scope reaches them: the provinces or
 * regions besides the first's for PROVINCE and REGION, nothing for NATIONAL,
 * else the places themselves.
 */
export function otherAreasText(
  scope: TerritoryScope,
  first: NamedPlace['municipality'] | null | undefined,
  others: readonly NamedPlace[],
): string {
  if (scope === 'NATIONAL') return '';
  if (scope === 'PROVINCE') return distinct(others.map((p) => p.municipality.provinceName), [first?.provinceName]).join('; ');
  if (scope === 'REGION') return distinct(others.map((p) => p.municipality.regionName), [first?.regionName]).join('; ');
  return placesText(others);
}
