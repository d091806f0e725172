import { describe, expect, it } from 'vitest';
import { byCountThenLabel, filterFromParams, nextPageParams, toggleParam } from './search';

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

describe('facet values', () => {
  it('list the most frequent first, ties by the label shown', () => {
    const values = [
      { value: 'efea5013', label: 'Trenno', count: 2 },
      { value: '0d5c69d8', label: 'San Siro', count: 2 },
      { value: '01e0d856', label: 'Bicocca', count: 1 },
      { value: 'abff6f25', label: 'Città Studi', count: 2 },
      { value: '734410f3', label: 'Baggio', count: 3 },
      { value: '9ef61089', label: null, count: 2 },
    ];
    expect(byCountThenLabel(values).map((v) => v.label ?? v.value)).toEqual([
      'Baggio',
      '9ef61089',
      'Città Studi',
      'San Siro',
      'Trenno',
      'Bicocca',
    ]);
    // The input is left as it was.
    expect(values[0].label).toBe('Trenno');
  });
});
