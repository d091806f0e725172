// The results page's state lives in its URL (shareable, back button works):
// these functions turn the query string into the API's SearchFilter and back.
import type {
  NeedKind,
  OfferKind,
  OrganizationKind,
  SearchFilter,
  SearchType,
} from '../generated/graphql/graphql';

/** The facets a reader can tick, each with its URL parameter. */
export const FACETS = [
  { facet: 'type', param: 'type' },
  { facet: 'needKind', param: 'needKind' },
  { facet: 'offerKind', param: 'offerKind' },
  { facet: 'organizationKind', param: 'orgKind' },
  { facet: 'sector', param: 'sector' },
  { facet: 'municipality', param: 'municipality' },
  { facet: 'neighbourhood', param: 'neighbourhood' },
] as const;

export type FacetName = (typeof FACETS)[number]['facet'];

export const PAGE_SIZE = 10;

function list<T extends string>(params: URLSearchParams, name: string): T[] | undefined {
  const values = params.getAll(name).filter(Boolean) as T[];
  return values.length ? values : undefined;
}

/** The API filter for the ticked facets (absent when none is ticked). */
export function filterFromParams(params: URLSearchParams): SearchFilter | undefined {
  const filter: SearchFilter = {
    types: list<SearchType>(params, 'type'),
    needKinds: list<NeedKind>(params, 'needKind'),
    offerKinds: list<OfferKind>(params, 'offerKind'),
    organizationKinds: list<OrganizationKind>(params, 'orgKind'),
    sectors: list(params, 'sector'),
    municipalityCodes: list(params, 'municipality'),
    neighbourhoodIds: list(params, 'neighbourhood'),
  };
  const used = Object.fromEntries(Object.entries(filter).filter(([, v]) => v !== undefined));
  return Object.keys(used).length ? (used as SearchFilter) : undefined;
}

/** The query string with a facet value ticked or unticked; paging restarts. */
export function toggleParam(params: URLSearchParams, name: string, value: string): URLSearchParams {
  const next = new URLSearchParams(params);
  const values = next.getAll(name);
  next.delete(name);
  const kept = values.includes(value) ? values.filter((v) => v !== value) : [...values, value];
  kept.forEach((v) => next.append(name, v));
  next.delete('after');
  return next;
}

/** The query string of the next page. */
export function nextPageParams(params: URLSearchParams, endCursor: string): URLSearchParams {
  const next = new URLSearchParams(params);
  next.set('after', endCursor);
  const page = Number(params.get('page') ?? '1');
  next.set('page', String((Number.isFinite(page) && page > 0 ? page : 1) + 1));
  return next;
}

/**
 * A facet's values in the order a reader scans them: most records first,
 * ties by the label shown. The API breaks ties by the stored value (a
 * municipality's code, a neighbourhood's id), which on the page reads as
 * no order at all.
 */
export function byCountThenLabel<T extends { count: number; value: string; label?: string | null }>(
  values: readonly T[],
): T[] {
  return [...values].sort(
    (a, b) => b.count - a.count || (a.label ?? a.value).localeCompare(b.label ?? b.value, 'it'),
  );
}
