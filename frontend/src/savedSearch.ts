// Saved searches and the results page's URL: "save this search" turns the
// URL into the API's input, and a saved search opens as the URL of its
// results (the same parameters as search.ts reads).
import type { SaveSearchInput, SavedSearchFieldsFragment } from '../generated/graphql/graphql';
import { filterFromParams } from './search';

type SavedFilter = SavedSearchFieldsFragment['filter'];

/** The URL parameter of each filter field (as search.ts's facets). */
const PARAMS: [keyof Omit<SavedFilter, '__typename'>, string][] = [
  ['types', 'type'],
  ['needKinds', 'needKind'],
  ['offerKinds', 'offerKind'],
  ['organizationKinds', 'orgKind'],
  ['sectors', 'sector'],
  ['municipalityCodes', 'municipality'],
  ['neighbourhoodIds', 'neighbourhood'],
];

/** The query string of a saved search's results. */
export function paramsOfSavedSearch(saved: { query: string; filter: SavedFilter }): URLSearchParams {
  const params = new URLSearchParams();
  if (saved.query) params.set('q', saved.query);
  for (const [field, param] of PARAMS) {
    for (const value of (saved.filter[field] as string[] | undefined) ?? []) params.append(param, value);
  }
  return params;
}

/** What to save for the results page at these parameters. */
export function saveSearchInput(name: string, params: URLSearchParams): SaveSearchInput {
  const filter = filterFromParams(params);
  return { name: name.trim(), query: params.get('q') ?? '', ...(filter ? { filter } : {}) };
}

/** A name to suggest: the words searched, or a generic one. */
export function suggestedName(params: URLSearchParams, fallback: string): string {
  const words = (params.get('q') ?? '').trim();
  return (words || fallback).slice(0, 100);
}
