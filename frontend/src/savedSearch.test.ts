import { describe, expect, it } from 'vitest';
import { paramsOfSavedSearch, saveSearchInput, suggestedName } from './savedSearch';
import { filterFromParams } from './search';

const empty = { types: [], organizationKinds: [], offerKinds: [], needKinds: [], sectors: [], municipalityCodes: [], neighbourhoodIds: [] };

describe('saved searches and the results URL', () => {
  it('saves the words and the ticked facets', () => {
    const params = new URLSearchParams('q=orti&type=NEED&sector=environment&sector=culture&after=xyz');
    expect(saveSearchInput(' Orti ', params)).toEqual({
      name: 'Orti',
      query: 'orti',
      filter: { types: ['NEED'], sectors: ['environment', 'culture'] },
    });
    expect(saveSearchInput('Tutto', new URLSearchParams(''))).toEqual({ name: 'Tutto', query: '' });
  });

  it('opens a saved search on the URL of its results, which reads back the same filter', () => {
    const saved = { query: 'portierato', filter: { ...empty, types: ['NEED' as const], municipalityCodes: ['015146'] } };
    const params = paramsOfSavedSearch(saved);
    expect(params.toString()).toBe('q=portierato&type=NEED&municipality=015146');
    expect(filterFromParams(params)).toEqual({ types: ['NEED'], municipalityCodes: ['015146'] });
    expect(paramsOfSavedSearch({ query: '', filter: empty }).toString()).toBe('');
  });

  it('suggests the words as the name', () => {
    expect(suggestedName(new URLSearchParams('q=+orti+urbani+'), 'Ricerca')).toBe('orti urbani');
    expect(suggestedName(new URLSearchParams(''), 'Ricerca')).toBe('Ricerca');
  });
});
