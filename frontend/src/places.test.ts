import { describe, expect, it } from 'vitest';
import { otherAreasText, placesText, reachOf } from './places';

const milano = { istatCode: '015146', name: 'Milano', provinceName: 'Milano', regionName: 'Lombardia' };
const sesto = { istatCode: '015209', name: 'Sesto San Giovanni', provinceName: 'Milano', regionName: 'Lombardia' };
const monza = { istatCode: '108033', name: 'Monza', provinceName: 'Monza e della Brianza', regionName: 'Lombardia' };
const novara = { istatCode: '003106', name: 'Novara', provinceName: 'Novara', regionName: 'Piemonte' };

describe('the further places in words', () => {
  it('group the neighbourhoods of a municipality, then name the whole ones', () => {
    expect(placesText([
      { municipality: milano, neighbourhood: { name: 'Barona' } },
      { municipality: sesto },
      { municipality: milano, neighbourhood: { name: 'Gratosoglio - Ticinello' } },
    ])).toBe('Barona, Gratosoglio - Ticinello (Milano); Sesto San Giovanni');
  });

  it('name a municipality given as a whole alone, once', () => {
    expect(placesText([
      { municipality: milano, neighbourhood: { name: 'Barona' } },
      { municipality: milano, neighbourhood: null },
      { municipality: milano, neighbourhood: { name: 'Barona' } },
    ])).toBe('Milano');
    expect(placesText([])).toBe('');
  });

  it('of an offer are named as far as its scope reaches', () => {
    const others = [{ municipality: sesto }, { municipality: monza, neighbourhood: null }, { municipality: novara }];
    expect(otherAreasText('MUNICIPALITY', milano, others)).toBe('Sesto San Giovanni; Monza; Novara');
    expect(otherAreasText('PROVINCE', milano, others)).toBe('Monza e della Brianza; Novara');
    expect(otherAreasText('REGION', milano, others)).toBe('Piemonte');
    expect(otherAreasText('NATIONAL', milano, others)).toBe('');
  });
});

describe('the reach of a need', () => {
  it('names the provinces or regions of its places', () => {
    expect(reachOf('PROVINCE', [milano, sesto])).toEqual({ area: 'province', names: ['Milano'] });
    expect(reachOf('PROVINCE', [milano, monza])).toEqual({ area: 'province', names: ['Milano', 'Monza e della Brianza'] });
    expect(reachOf('REGION', [null, monza, novara])).toEqual({ area: 'region', names: ['Lombardia', 'Piemonte'] });
    expect(reachOf('NATIONAL', [])).toEqual({ area: 'national' });
  });

  it('says nothing when it is as far as its places, or no place names the area', () => {
    for (const scope of [null, undefined, 'NEIGHBOURHOOD', 'MUNICIPALITY'] as const) expect(reachOf(scope, [milano])).toBeUndefined();
    expect(reachOf('PROVINCE', [null])).toBeUndefined();
  });
});
