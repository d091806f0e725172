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
  MAX_OTHER_PLACES,
  NEED_ALIASES,
  NEED_FIELDS,
  NEED_KINDS,
  needInput,
  needValues,
  OFFER_ALIASES,
  OFFER_FIELDS,
  OFFER_KINDS,
  offerInput,
  offerValues,
  ORGANIZATION_KINDS,
  otherPlaceAliases,
  otherPlacesInput,
  parseEuro,
  shiftOtherPlaceErrors,
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

// Barona and Gratosoglio - Ticinello in Milano, and Sesto San Giovanni as a whole.
const barona = { municipalityCode: '015146', municipalityName: 'Milano', neighbourhoodId: 'nil-barona' };
const gratosoglio = { municipalityCode: '015146', municipalityName: 'Milano', neighbourhoodId: 'nil-gratosoglio' };
const sesto = { municipalityCode: '015209', municipalityName: 'Sesto San Giovanni', neighbourhoodId: '' };
const blank = { municipalityCode: '', municipalityName: '', neighbourhoodId: '' };

describe('the further places', () => {
  it('are sent in their order, a whole municipality without a neighbourhood', () => {
    expect(otherPlacesInput([barona, sesto])).toEqual({
      places: [
        { municipalityCode: '015146', neighbourhoodId: 'nil-barona' },
        { municipalityCode: '015209', neighbourhoodId: null },
      ],
      rows: [0, 1],
      problems: {},
    });
  });

  it('leave out the rows with no municipality, remembering which row each one sent is', () => {
    const { places, rows, problems } = otherPlacesInput([blank, barona, { ...blank, municipalityName: '  ' }, sesto]);
    expect(places.map((p) => p.neighbourhoodId ?? p.municipalityCode)).toEqual(['nil-barona', '015209']);
    expect(rows).toEqual([1, 3]);
    expect(problems).toEqual({});
    expect(otherPlaceAliases(rows)).toEqual({
      'otherPlaces[0].municipalityCode': 'otherPlaces[1].municipalityCode',
      'otherPlaces[0].neighbourhoodId': 'otherPlaces[1].neighbourhoodId',
      'otherPlaces[1].municipalityCode': 'otherPlaces[3].municipalityCode',
      'otherPlaces[1].neighbourhoodId': 'otherPlaces[3].neighbourhoodId',
    });
    expect(otherPlaceAliases([0, 1])).toEqual({});
  });

  it('stop at a municipality typed but not picked from the suggestions', () => {
    const typed = { ...blank, municipalityName: 'Sesto' };
    expect(otherPlacesInput([barona, typed]).problems).toEqual({ 'otherPlaces[1].municipalityCode': 'place' });
    const { input, problems } = offerInput({ ...emptyOffer('org'), kind: 'SPACE', territoryScope: 'NEIGHBOURHOOD', otherPlaces: [typed] });
    expect(input).toBeUndefined();
    expect(problems).toEqual({ 'otherPlaces[0].municipalityCode': 'place' });
    expect(itStrings.postingForm.errors).toHaveProperty('place');
  });

  it("show the API's errors on the row they are about, even after an empty row", () => {
    const error = new GraphqlRequestError([{
      message: 'x',
      code: 'BAD_USER_INPUT',
      fields: [
        { field: 'input.otherPlaces[1].municipalityCode', message: 'Comune sconosciuto' },
        { field: 'otherPlaces[0].neighbourhoodId', message: 'Il quartiere non è di questo comune' },
      ],
    }]);
    const sent = needInput({ ...emptyNeed('org'), kind: 'OTHER', otherPlaces: [blank, barona, sesto] });
    expect(placeErrors(error, NEED_FIELDS, { ...NEED_ALIASES, ...sent.aliases }).fields).toEqual({
      'otherPlaces[2].municipalityCode': 'Comune sconosciuto',
      'otherPlaces[1].neighbourhoodId': 'Il quartiere non è di questo comune',
    });
    // With no row skipped, the API's rows are the form's.
    expect(placeErrors(error, OFFER_FIELDS, OFFER_ALIASES).fields).toEqual({
      'otherPlaces[1].municipalityCode': 'Comune sconosciuto',
      'otherPlaces[0].neighbourhoodId': 'Il quartiere non è di questo comune',
    });
  });

  it('too many, or without a first place: next to the list and the first place', () => {
    const error = new GraphqlRequestError([{
      message: 'x',
      code: 'BAD_USER_INPUT',
      fields: [
        { field: 'otherPlaces', message: 'Al massimo 12 luoghi' },
        { field: 'municipalityCode', message: 'Indica prima il luogo principale' },
      ],
    }]);
    for (const [fields, aliases] of [[NEED_FIELDS, NEED_ALIASES], [OFFER_FIELDS, OFFER_ALIASES]] as const)
      expect(placeErrors(error, fields, aliases).fields).toEqual({ otherPlaces: 'Al massimo 12 luoghi', municipalityCode: 'Indica prima il luogo principale' });
  });

  it('a row the form does not have goes to the list', () => {
    const error = new GraphqlRequestError([{ message: 'x', code: 'BAD_USER_INPUT', fields: [{ field: `otherPlaces[${MAX_OTHER_PLACES}].municipalityCode`, message: 'Sconosciuto' }] }]);
    expect(placeErrors(error, OFFER_FIELDS, OFFER_ALIASES).fields).toEqual({ otherPlaces: 'Sconosciuto' });
  });

  it("move up with their errors when a row is removed", () => {
    const errors = { title: 'a', 'otherPlaces[0].municipalityCode': 'b', 'otherPlaces[1].neighbourhoodId': 'c', 'otherPlaces[2].municipalityCode': 'd', otherPlaces: 'e' };
    expect(shiftOtherPlaceErrors(errors, 1)).toEqual({ title: 'a', 'otherPlaces[0].municipalityCode': 'b', 'otherPlaces[1].municipalityCode': 'd', otherPlaces: 'e' });
  });
});

describe('a need with further places and a reach', () => {
  const stored = {
    id: 'n1',
    kind: 'SOCIAL_CONCIERGE' as const,
    title: 'Portierato sociale',
    description: 'Nei caseggiati',
    budget: { cents: 8_000_000 },
    deadlineAt: null,
    municipality: { istatCode: '015146', name: 'Milano' },
    neighbourhood: { id: 'nil-corvetto' },
    otherPlaces: [
      { municipality: { istatCode: '015146', name: 'Milano', provinceCode: 'MI' }, neighbourhood: { id: 'nil-barona', name: 'Barona' } },
      { municipality: { istatCode: '015209', name: 'Sesto San Giovanni', provinceCode: 'MI' }, neighbourhood: null },
    ],
    territoryScope: 'PROVINCE' as const,
    location: null,
    locationPrecision: 'NEIGHBOURHOOD' as const,
    requiredContributions: [],
    eligibleOrganizationKinds: [],
    requiresThirdSectorRegistration: false,
    status: 'OPEN' as const,
    sectors: [],
    organization: { id: 'org', name: 'ALER' },
  };

  it('is loaded to edit and sent back as it was', () => {
    const values = needValues(stored, 'it');
    expect(values.otherPlaces).toEqual([
      { municipalityCode: '015146', municipalityName: 'Milano', neighbourhoodId: 'nil-barona' },
      { municipalityCode: '015209', municipalityName: 'Sesto San Giovanni', neighbourhoodId: '' },
    ]);
    expect(values.territoryScope).toBe('PROVINCE');
    expect(needInput(values).input).toMatchObject({
      municipalityCode: '015146',
      neighbourhoodId: 'nil-corvetto',
      otherPlaces: [
        { municipalityCode: '015146', neighbourhoodId: 'nil-barona' },
        { municipalityCode: '015209', neighbourhoodId: null },
      ],
      territoryScope: 'PROVINCE',
    });
  });

  it('without a reach sends none: as far as its place', () => {
    const values = needValues({ ...stored, territoryScope: null, otherPlaces: [] }, 'it');
    expect(values.territoryScope).toBe('');
    const { input } = needInput(values);
    expect(input?.territoryScope).toBeNull();
    expect(input?.otherPlaces).toEqual([]);
  });

  it('starts with no further place and no reach', () => {
    expect(emptyNeed('org')).toMatchObject({ otherPlaces: [], territoryScope: '' });
    expect(emptyOffer('org').otherPlaces).toEqual([]);
  });
});

describe('an offer with further places', () => {
  it('is loaded to edit and sent back as it was, empty rows left out', () => {
    const values = offerValues({
      id: 'o1',
      kind: 'SPACE',
      title: 'Sala',
      description: 'Una sala',
      amountMin: null,
      amountMax: null,
      availableFrom: null,
      availableUntil: null,
      eligibleOrganizationKinds: [],
      territoryScope: 'NEIGHBOURHOOD',
      municipality: { istatCode: '015146', name: 'Milano' },
      neighbourhood: { id: 'nil-corvetto' },
      otherPlaces: [{ municipality: { istatCode: '015146', name: 'Milano', provinceCode: 'MI' }, neighbourhood: { id: 'nil-barona', name: 'Barona' } }],
      status: 'DRAFT',
      sectors: [],
      organization: { id: 'org', name: 'ALER' },
    }, 'it');
    expect(values.otherPlaces).toEqual([barona]);
    const { input, aliases } = offerInput({ ...values, otherPlaces: [...values.otherPlaces, blank, gratosoglio] });
    expect(input?.otherPlaces).toEqual([
      { municipalityCode: '015146', neighbourhoodId: 'nil-barona' },
      { municipalityCode: '015146', neighbourhoodId: 'nil-gratosoglio' },
    ]);
    expect(aliases['otherPlaces[1].neighbourhoodId']).toBe('otherPlaces[2].neighbourhoodId');
    expect(input?.territoryScope).toBe('NEIGHBOURHOOD');
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
