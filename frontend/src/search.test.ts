import { describe, expect, it } from 'vitest';
import { filterFromParams, nextPageParams, toggleParam } from './search';

describe('search URL state', () => {
  it('has no filter when nothing is ticked', () => {
    expect(filterFromParams(new URLSearchParams('q=orti'))).toBeUndefined();
  });

  it('turns ticked facets into the API filter', () => {
    const filter = filterFromParams(new URLSearchParams('type=NEED&sector=housing&sector=care&municipality=015146'));
    expect(filter).toEqual({ types: ['NEED'], sectors: ['housing', 'care'], municipalityCodes: ['015146'] });
  });

  it('ticks and unticks a value and restarts paging', () => {
    const ticked = toggleParam(new URLSearchParams('q=x&after=abc&page=2'), 'sector', 'care');
    expect(ticked.getAll('sector')).toEqual(['care']);
    expect(ticked.get('after')).toBeNull();
    expect(toggleParam(ticked, 'sector', 'care').getAll('sector')).toEqual([]);
  });

  it('counts pages', () => {
    const second = nextPageParams(new URLSearchParams('q=x'), 'c1');
    expect(second.get('after')).toBe('c1');
    expect(second.get('page')).toBe('2');
    expect(nextPageParams(second, 'c2').get('page')).toBe('3');
  });
});
