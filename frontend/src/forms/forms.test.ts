import { describe, expect, it } from 'vitest';
import { GraphqlRequestError, toApiErrors } from '../graphql/client';
import itStrings from '../i18n/it.json';
import { apiFieldName, hasErrors, placeErrors } from './fieldErrors';
import {
  dayOfDeadline,
  deadlineFromDay,
  emptyNeed,
  emptyOffer,
  formatEuroInput,
  NEED_ALIASES,
  NEED_FIELDS,
  NEED_KINDS,
  needInput,
  OFFER_ALIASES,
  OFFER_FIELDS,
  OFFER_KINDS,
  offerInput,
  ORGANIZATION_KINDS,
  parseEuro,
  toggle,
} from './posting';

// What the API answers to a need with a short title, a past deadline and a
// kind of organisation outside the third sector (as sent by Trama).
const refused = new GraphqlRequestError(
  toApiErrors([
    {
      message: 'Titolo: troppo corto, servono almeno 3 caratteri; Scadenza: la data è già passata, indica una data futura',
      extensions: {
        code: 'BAD_USER_INPUT',
        field: 'title',
        fields: [
          { field: 'title', reason: 'too_short', message: 'Troppo corto, servono almeno 3 caratteri' },
          { field: 'deadlineAt', reason: 'in_the_past', message: 'La data è già passata, indica una data futura' },
          { field: 'eligibleOrganizationKinds[0]', reason: 'not_third_sector', message: 'Non fa parte del Terzo settore' },
          { field: 'eligibleOrganizationKinds[2]', reason: 'not_third_sector', message: 'Non fa parte del Terzo settore' },
          { field: 'organizationId', reason: 'unknown', message: 'Organizzazione sconosciuta' },
        ],
      },
    },
  ]),
);

describe('the API field errors', () => {
  it('are read from the extensions', () => {
    expect(refused.errors[0].code).toBe('BAD_USER_INPUT');
    expect(refused.errors[0].fields).toHaveLength(5);
  });

  it('drop malformed problems', () => {
    const [error] = toApiErrors([{ message: 'x', extensions: { fields: [{ field: 'a' }, 'b', null, { field: 'c', message: 'ok' }] } }]);
    expect(error.fields).toEqual([{ field: 'c', message: 'ok', reason: undefined }]);
  });

  it('are named without argument path and index', () => {
    expect(apiFieldName('input.title')).toBe('title');
    expect(apiFieldName('sectors[3]')).toBe('sectors');
    expect(apiFieldName('contacts[0].kind')).toBe('contacts.kind');
    expect(apiFieldName('organizationId')).toBe('organizationId');
  });

  it('go next to the form fields, in the API words', () => {
    const placed = placeErrors(refused, NEED_FIELDS, NEED_ALIASES);
    expect(placed.fields).toEqual({
      title: 'Troppo corto, servono almeno 3 caratteri',
      deadline: 'La data è già passata, indica una data futura',
      eligibleOrganizationKinds: 'Non fa parte del Terzo settore',
      organizationId: 'Organizzazione sconosciuta',
    });
    expect(placed.other).toEqual([]);
  });

  it('about fields the form lacks go to the summary', () => {
    const placed = placeErrors(refused, ['title'] as const, {});
    expect(placed.fields).toEqual({ title: 'Troppo corto, servono almeno 3 caratteri' });
    expect(placed.other).toEqual([
      'La data è già passata, indica una data futura',
      'Non fa parte del Terzo settore',
      'Organizzazione sconosciuta',
    ]);
  });

  it('without fields go to the summary, and other failures as the fallback', () => {
    const forbidden = new GraphqlRequestError([{ message: 'Non fai parte di questa organizzazione', code: 'FORBIDDEN' }]);
    expect(placeErrors(forbidden, NEED_FIELDS, NEED_ALIASES)).toEqual({ fields: {}, other: ['Non fai parte di questa organizzazione'] });
    expect(placeErrors(new TypeError('fetch'), NEED_FIELDS, NEED_ALIASES, 'Trama non risponde')).toEqual({ fields: {}, other: ['Trama non risponde'] });
    expect(hasErrors({ fields: {}, other: [] })).toBe(false);
  });

  it('of amounts go to the euro fields', () => {
    const error = new GraphqlRequestError([{ message: 'x', code: 'BAD_USER_INPUT', fields: [{ field: 'amountMaxCents', message: 'Troppo grande' }] }]);
    expect(placeErrors(error, OFFER_FIELDS, OFFER_ALIASES).fields).toEqual({ amountMax: 'Troppo grande' });
  });
});

describe('amounts in euro', () => {
  it('are read the Italian way and the plain way', () => {
    expect(parseEuro('80.000')).toBe(8_000_000);
    expect(parseEuro('80000')).toBe(8_000_000);
    expect(parseEuro('1.250,50')).toBe(125_050);
    expect(parseEuro('1250,5')).toBe(125_050);
    expect(parseEuro('1250.50')).toBe(125_050);
    expect(parseEuro('€ 30 000')).toBe(3_000_000);
    expect(parseEuro('1.000.000')).toBe(100_000_000);
    expect(parseEuro('0,99')).toBe(99);
  });

  it('are empty or wrong', () => {
    expect(parseEuro('  ')).toBeNull();
    for (const wrong of ['abc', '12,345', '1.2.3', '-5', '1,2,3', '99999999999999999']) expect(parseEuro(wrong)).toBeUndefined();
  });

  it('are shown back to edit', () => {
    expect(formatEuroInput(8_000_000, 'it')).toBe('80000');
    expect(formatEuroInput(125_050, 'it')).toBe('1250,50');
    expect(formatEuroInput(125_050, 'en')).toBe('1250.50');
    expect(formatEuroInput(5, 'it')).toBe('0,05');
    expect(formatEuroInput(null, 'it')).toBe('');
    for (const cents of [0, 1, 99, 100, 123_456, 8_000_000]) expect(parseEuro(formatEuroInput(cents, 'it'))).toBe(cents);
  });
});

describe('deadlines', () => {
  it('are the end of the chosen day, and round-trip', () => {
    const at = deadlineFromDay('2027-03-01') as string;
    expect(new Date(at).getHours()).toBe(23);
    expect(dayOfDeadline(at)).toBe('2027-03-01');
    expect(deadlineFromDay('')).toBeNull();
    expect(deadlineFromDay('1/3/2027')).toBeUndefined();
  });
});

describe('the need form', () => {
  const filled = { ...emptyNeed('org'), kind: 'SOCIAL_CONCIERGE' as const, title: 'Portierato', budget: '80.000', deadline: '2027-03-01' };

  it('sends what the API takes', () => {
    const { input, problems } = needInput({ ...filled, sectors: ['abitare'], neighbourhoodId: '' });
    expect(problems).toEqual({});
    expect(input).toMatchObject({
      kind: 'SOCIAL_CONCIERGE',
      title: 'Portierato',
      budgetCents: 8_000_000,
      municipalityCode: '015146',
      neighbourhoodId: null,
      locationPrecision: 'NEIGHBOURHOOD',
      lat: null,
      sectors: ['abitare'],
      status: 'OPEN',
    });
  });

  it('leaves the title and the rest to the API', () => {
    expect(needInput({ ...filled, title: '' }).input?.title).toBe('');
  });

  it('stops at what cannot be sent', () => {
    expect(needInput({ ...filled, kind: '', budget: 'tanti' }).problems).toEqual({ kind: 'required', budget: 'amount' });
  });

  it('sends the exact point only when it shows it', () => {
    const exact = needInput({ ...filled, locationPrecision: 'EXACT', location: { lat: 45.5, lon: 9.1 } }).input;
    expect([exact?.lat, exact?.lon]).toEqual([45.5, 9.1]);
  });
});

describe('the offer form', () => {
  it('needs a kind and an area, and amounts that are amounts', () => {
    expect(offerInput({ ...emptyOffer('org'), amountMin: 'x' }).problems).toEqual({ kind: 'required', territoryScope: 'required', amountMin: 'amount' });
    const { input } = offerInput({ ...emptyOffer('org'), kind: 'FUNDING', territoryScope: 'MUNICIPALITY', amountMin: '5.000', amountMax: '20.000' });
    expect(input).toMatchObject({ kind: 'FUNDING', amountMinCents: 500_000, amountMaxCents: 2_000_000, availableFrom: null });
  });
});

describe('checkbox lists', () => {
  it('add and remove once', () => {
    expect(toggle(['a'], 'b', true)).toEqual(['a', 'b']);
    expect(toggle(['a', 'b'], 'b', true)).toEqual(['a', 'b']);
    expect(toggle(['a', 'b'], 'a', false)).toEqual(['b']);
  });
});

describe('the kinds', () => {
  it('all have a label', () => {
    const labels = itStrings.postingForm;
    for (const k of NEED_KINDS) expect(labels.needKinds).toHaveProperty(k);
    for (const k of OFFER_KINDS) expect(labels.offerKinds).toHaveProperty(k);
    for (const k of ORGANIZATION_KINDS) expect(labels.organizationKinds).toHaveProperty(k);
  });
});
