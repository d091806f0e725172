// What the need and offer forms hold, and how it becomes the API's
// NeedInput and OfferInput (and back, to edit): amounts typed in euro the
// Italian way, dates from the date pickers, further places as rows. Only
// what the API cannot be sent is checked here (an amount that is not a
// number, a missing kind, a place typed but not picked); every other rule is
// the API's, and its errors are shown by the fields.
import type {
  LocationPrecision,
  NeedForEditQuery,
  NeedInput,
  NeedKind,
  OfferForEditQuery,
  OfferInput,
  OfferKind,
  OtherPlaceInput,
  OrganizationKind,
  PostingStatus,
  TerritoryScope,
} from '../../generated/graphql/graphql';

export const NEED_KINDS: readonly NeedKind[] = [
  'COLLABORATIVE_HOUSING',
  'COMMUNITY_SERVICE',
  'SOCIAL_CONCIERGE',
  'SOCIAL_MEDIATION',
  'SPACE_REGENERATION',
  'TRAINING_JOB_PLACEMENT',
  'HOUSING_NEEDS_ANALYSIS',
  'CALL_FOR_PROPOSALS',
  'OTHER',
];
export const OFFER_KINDS: readonly OfferKind[] = ['FUNDING', 'LOAN', 'SPACE', 'COMPETENCE', 'VOLUNTEERS', 'MATERIALS', 'EQUIPMENT'];
/** Every organisation kind, in the order the registration form offers them. */
export { ORGANIZATION_KINDS } from '../organizationForm';
export const TERRITORY_SCOPES: readonly TerritoryScope[] = ['NEIGHBOURHOOD', 'MUNICIPALITY', 'PROVINCE', 'REGION', 'NATIONAL'];

/** A client-side problem: an i18n key under `postingForm.errors`. */
export type ClientProblem = 'required' | 'amount' | 'date' | 'place';

/** The place of a posting, as the form holds it. */
export interface PlaceValues {
  municipalityCode: string;
  municipalityName: string;
  neighbourhoodId: string;
}

/** How many places a posting may have besides its first (the API's limit). */
export const MAX_OTHER_PLACES = 12;

/** The two fields of a place. */
export type PlacePart = 'municipalityCode' | 'neighbourhoodId';

/** A field of one of the further places, as the API names it: `otherPlaces[1].municipalityCode`. */
export type OtherPlaceField = `otherPlaces[${number}].${PlacePart}`;

export function otherPlaceField(index: number, part: PlacePart): OtherPlaceField {
  return `otherPlaces[${index}].${part}`;
}

/** The fields of every row of further places the form may have. */
const OTHER_PLACE_FIELDS: readonly OtherPlaceField[] = Array.from({ length: MAX_OTHER_PLACES }, (_, i) => [
  otherPlaceField(i, 'municipalityCode'),
  otherPlaceField(i, 'neighbourhoodId'),
]).flat();

/** An empty row of the further places. */
export function emptyPlace(): PlaceValues {
  return { municipalityCode: '', municipalityName: '', neighbourhoodId: '' };
}

interface CommonValues extends PlaceValues {
  /**
   * Further neighbourhoods or municipalities, one row each; a row with no
   * municipality picked is not sent.
   */
  otherPlaces: PlaceValues[];
  organizationId: string;
  title: string;
  description: string;
  sectors: string[];
  eligibleOrganizationKinds: OrganizationKind[];
  /** OPEN to publish, DRAFT to keep it to the organisation for now. */
  status: PostingStatus;
}

export interface NeedValues extends CommonValues {
  kind: NeedKind | '';
  budget: string;
  /** yyyy-mm-dd, the last day. */
  deadline: string;
  locationPrecision: LocationPrecision;
  requiredContributions: OfferKind[];
  requiresThirdSectorRegistration: boolean;
  /** How far the need reaches from its places; '': as far as its place (sent as null). */
  territoryScope: TerritoryScope | '';
  /** The exact point of a need that shows it (kept as it is when edited). */
  location?: { lat: number; lon: number };
}

export interface OfferValues extends CommonValues {
  kind: OfferKind | '';
  amountMin: string;
  amountMax: string;
  availableFrom: string;
  availableUntil: string;
  territoryScope: TerritoryScope | '';
}

/**
 * A field of a form, as the API names it: `otherPlaces` is the list as a
 * whole (too many), `otherPlaces[i].municipalityCode` a field of row i.
 */
export type NeedField = Exclude<keyof NeedValues, 'municipalityName' | 'location'> | OtherPlaceField;
export type OfferField = Exclude<keyof OfferValues, 'municipalityName'> | OtherPlaceField;

export const NEED_FIELDS: readonly NeedField[] = [
  'organizationId', 'kind', 'title', 'description', 'budget', 'deadline', 'municipalityCode', 'neighbourhoodId',
  'otherPlaces', ...OTHER_PLACE_FIELDS, 'territoryScope',
  'locationPrecision', 'requiredContributions', 'eligibleOrganizationKinds', 'requiresThirdSectorRegistration',
  'sectors', 'status',
];
export const OFFER_FIELDS: readonly OfferField[] = [
  'organizationId', 'kind', 'title', 'description', 'amountMin', 'amountMax', 'availableFrom', 'availableUntil',
  'territoryScope', 'municipalityCode', 'neighbourhoodId', 'otherPlaces', ...OTHER_PLACE_FIELDS,
  'eligibleOrganizationKinds', 'sectors', 'status',
];

/** The API's names of the fields that the forms name otherwise. */
export const NEED_ALIASES: Partial<Record<string, NeedField>> = {
  budgetCents: 'budget',
  deadlineAt: 'deadline',
  lat: 'locationPrecision',
  lon: 'locationPrecision',
  // A row the form does not have (it cannot happen): the list shows it.
  'otherPlaces.municipalityCode': 'otherPlaces',
  'otherPlaces.neighbourhoodId': 'otherPlaces',
};
export const OFFER_ALIASES: Partial<Record<string, OfferField>> = {
  amountMinCents: 'amountMin',
  amountMaxCents: 'amountMax',
  lat: 'municipalityCode',
  lon: 'municipalityCode',
  'otherPlaces.municipalityCode': 'otherPlaces',
  'otherPlaces.neighbourhoodId': 'otherPlaces',
};

/**
 * Euro as people type them, in cents: `80.000`, `80000`, `1.250,50`,
 * `1250.5`, `€ 30 000`. Empty: null. Not an amount: undefined.
 */
export function parseEuro(text: string): number | null | undefined {
  const raw = text.replace(/[\s\u00a0€]/g, '').replace(/^EUR/i, '');
  if (raw === '') return null;
  let integer: string;
  let decimals = '';
  if (raw.includes(',')) {
    // Italian: dots group thousands, the comma starts the cents.
    const [whole, fraction, ...rest] = raw.split(',');
    if (rest.length || !/^\d{1,3}(\.\d{3})*$|^\d+$/.test(whole) || !/^\d{1,2}$/.test(fraction)) return undefined;
    integer = whole.replace(/\./g, '');
    decimals = fraction;
  } else if (/^\d{1,3}(\.\d{3})+$/.test(raw)) {
    integer = raw.replace(/\./g, '');
  } else if (/^\d+(\.\d{1,2})?$/.test(raw)) {
    [integer, decimals = ''] = raw.split('.');
  } else {
    return undefined;
  }
  const cents = Number(`${integer}${decimals.padEnd(2, '0')}`);
  return Number.isSafeInteger(cents) ? cents : undefined;
}

/** Cents as the amount field shows them to edit: `80000`, `1250,50`. */
export function formatEuroInput(cents: number | null | undefined, lang: string): string {
  if (cents === null || cents === undefined) return '';
  const padded = String(cents).padStart(3, '0');
  const euro = padded.slice(0, -2).replace(/^0+(?=\d)/, '');
  const fraction = padded.slice(-2);
  return fraction === '00' ? euro : `${euro}${lang === 'en' ? '.' : ','}${fraction}`;
}

/** A deadline chosen as a day: the end of that day where the browser is. */
export function deadlineFromDay(day: string): string | null | undefined {
  if (day === '') return null;
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) return undefined;
  const date = new Date(`${day}T23:59:00`);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

/** A stored deadline as the date picker shows it (its day where the browser is). */
export function dayOfDeadline(value: string | null | undefined): string {
  if (!value) return '';
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return '';
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

/**
 * The further places as the API takes them: the rows with a municipality
 * picked, in their order. `rows` says which row of the form each one sent
 * is (empty rows are skipped), to show the API's errors on the right row; a
 * row typed but not picked from the suggestions is a problem.
 */
export function otherPlacesInput(rows: readonly PlaceValues[]): {
  places: OtherPlaceInput[];
  rows: number[];
  problems: Partial<Record<OtherPlaceField, ClientProblem>>;
} {
  const places: OtherPlaceInput[] = [];
  const sent: number[] = [];
  const problems: Partial<Record<OtherPlaceField, ClientProblem>> = {};
  rows.forEach((row, i) => {
    if (row.municipalityCode) {
      places.push({ municipalityCode: row.municipalityCode, neighbourhoodId: row.neighbourhoodId || null });
      sent.push(i);
    } else if (row.municipalityName.trim()) {
      problems[otherPlaceField(i, 'municipalityCode')] = 'place';
    }
  });
  return { places, rows: sent, problems };
}

/**
 * The API's names of the fields of the further places sent, when they are
 * not those of the form's rows (an empty row before them was skipped):
 * `otherPlaces[1].municipalityCode` → `otherPlaces[2].municipalityCode`.
 */
export function otherPlaceAliases(rows: readonly number[]): Partial<Record<string, OtherPlaceField>> {
  const aliases: Partial<Record<string, OtherPlaceField>> = {};
  rows.forEach((row, sent) => {
    if (row === sent) return;
    for (const part of ['municipalityCode', 'neighbourhoodId'] as const) aliases[otherPlaceField(sent, part)] = otherPlaceField(row, part);
  });
  return aliases;
}

/**
 * A form's errors once row `removed` of the further places is gone: that
 * row's go, and those of the rows below move up a row with them.
 */
export function shiftOtherPlaceErrors<E>(errors: Partial<Record<string, E>>, removed: number): Partial<Record<string, E>> {
  const shifted: Partial<Record<string, E>> = {};
  for (const [field, error] of Object.entries(errors)) {
    const row = /^otherPlaces\[(\d+)\]\.(municipalityCode|neighbourhoodId)$/.exec(field);
    if (!row) shifted[field] = error;
    else if (Number(row[1]) > removed) shifted[otherPlaceField(Number(row[1]) - 1, row[2] as PlacePart)] = error;
    else if (Number(row[1]) < removed) shifted[field] = error;
  }
  return shifted;
}

/** What needs and offers send alike. */
function common(values: CommonValues, otherPlaces: OtherPlaceInput[]) {
  return {
    title: values.title,
    description: values.description,
    municipalityCode: values.municipalityCode || null,
    neighbourhoodId: values.neighbourhoodId || null,
    otherPlaces,
    eligibleOrganizationKinds: values.eligibleOrganizationKinds,
    sectors: values.sectors,
    status: values.status,
  };
}

export interface Converted<I, F extends string> {
  input?: I;
  problems: Partial<Record<F, ClientProblem>>;
  /** The API's names of fields sent otherwise than the form holds them (see `otherPlaceAliases`). */
  aliases: Partial<Record<string, F>>;
}

export function needInput(values: NeedValues): Converted<NeedInput, NeedField> {
  const places = otherPlacesInput(values.otherPlaces);
  const aliases = otherPlaceAliases(places.rows);
  const problems: Partial<Record<NeedField, ClientProblem>> = { ...places.problems };
  if (!values.kind) problems.kind = 'required';
  const budgetCents = parseEuro(values.budget);
  if (budgetCents === undefined) problems.budget = 'amount';
  const deadlineAt = deadlineFromDay(values.deadline);
  if (deadlineAt === undefined) problems.deadline = 'date';
  if (Object.keys(problems).length || !values.kind || budgetCents === undefined || deadlineAt === undefined)
    return { problems, aliases };
  const exact = values.locationPrecision === 'EXACT' && values.location;
  return {
    problems,
    aliases,
    input: {
      ...common(values, places.places),
      kind: values.kind,
      budgetCents,
      deadlineAt,
      territoryScope: values.territoryScope || null,
      lat: exact ? values.location?.lat : null,
      lon: exact ? values.location?.lon : null,
      locationPrecision: values.locationPrecision,
      requiredContributions: values.requiredContributions,
      requiresThirdSectorRegistration: values.requiresThirdSectorRegistration,
    },
  };
}

export function offerInput(values: OfferValues): Converted<OfferInput, OfferField> {
  const places = otherPlacesInput(values.otherPlaces);
  const aliases = otherPlaceAliases(places.rows);
  const problems: Partial<Record<OfferField, ClientProblem>> = { ...places.problems };
  if (!values.kind) problems.kind = 'required';
  if (!values.territoryScope) problems.territoryScope = 'required';
  const amountMinCents = parseEuro(values.amountMin);
  if (amountMinCents === undefined) problems.amountMin = 'amount';
  const amountMaxCents = parseEuro(values.amountMax);
  if (amountMaxCents === undefined) problems.amountMax = 'amount';
  for (const field of ['availableFrom', 'availableUntil'] as const)
    if (values[field] && !/^\d{4}-\d{2}-\d{2}$/.test(values[field])) problems[field] = 'date';
  if (
    Object.keys(problems).length ||
    !values.kind ||
    !values.territoryScope ||
    amountMinCents === undefined ||
    amountMaxCents === undefined
  )
    return { problems, aliases };
  return {
    problems,
    aliases,
    input: {
      ...common(values, places.places),
      kind: values.kind,
      amountMinCents,
      amountMaxCents,
      availableFrom: values.availableFrom || null,
      availableUntil: values.availableUntil || null,
      territoryScope: values.territoryScope,
    },
  };
}

const EMPTY_COMMON = {
  title: '',
  description: '',
  sectors: [] as string[],
  eligibleOrganizationKinds: [] as OrganizationKind[],
  status: 'OPEN' as PostingStatus,
  // Most postings are in Milano: the form starts there.
  municipalityCode: '015146',
  municipalityName: 'Milano',
  neighbourhoodId: '',
};

export function emptyNeed(organizationId: string): NeedValues {
  return {
    ...EMPTY_COMMON,
    otherPlaces: [],
    organizationId,
    kind: '',
    budget: '',
    deadline: '',
    locationPrecision: 'NEIGHBOURHOOD',
    requiredContributions: [],
    requiresThirdSectorRegistration: false,
    territoryScope: '',
  };
}

export function emptyOffer(organizationId: string): OfferValues {
  return {
    ...EMPTY_COMMON,
    otherPlaces: [],
    organizationId,
    kind: '',
    amountMin: '',
    amountMax: '',
    availableFrom: '',
    availableUntil: '',
    territoryScope: '',
  };
}

type StoredNeed = NonNullable<NeedForEditQuery['need']>;
type StoredOffer = NonNullable<OfferForEditQuery['offer']>;

function storedCommon(posting: StoredNeed | StoredOffer) {
  return {
    organizationId: posting.organization.id,
    title: posting.title,
    description: posting.description,
    sectors: posting.sectors.map((s) => s.code),
    eligibleOrganizationKinds: posting.eligibleOrganizationKinds,
    // A closed posting is reopened by saving it: the form publishes.
    status: posting.status === 'DRAFT' ? 'DRAFT' : ('OPEN' as PostingStatus),
    municipalityCode: posting.municipality?.istatCode ?? '',
    municipalityName: posting.municipality?.name ?? '',
    neighbourhoodId: posting.neighbourhood?.id ?? '',
    otherPlaces: posting.otherPlaces.map((place) => ({
      municipalityCode: place.municipality.istatCode,
      municipalityName: place.municipality.name,
      neighbourhoodId: place.neighbourhood?.id ?? '',
    })),
  };
}

export function needValues(need: StoredNeed, lang: string): NeedValues {
  return {
    ...storedCommon(need),
    kind: need.kind,
    budget: formatEuroInput(need.budget?.cents, lang),
    deadline: dayOfDeadline(need.deadlineAt),
    locationPrecision: need.locationPrecision,
    location: need.location ? { lat: need.location.lat, lon: need.location.lon } : undefined,
    requiredContributions: need.requiredContributions,
    requiresThirdSectorRegistration: need.requiresThirdSectorRegistration,
    territoryScope: need.territoryScope ?? '',
  };
}

export function offerValues(offer: StoredOffer, lang: string): OfferValues {
  return {
    ...storedCommon(offer),
    kind: offer.kind,
    amountMin: formatEuroInput(offer.amountMin?.cents, lang),
    amountMax: formatEuroInput(offer.amountMax?.cents, lang),
    availableFrom: offer.availableFrom ?? '',
    availableUntil: offer.availableUntil ?? '',
    territoryScope: offer.territoryScope,
  };
}

/** Adds or removes a value of a list of checkboxes. */
export function toggle<T>(list: readonly T[], value: T, on: boolean): T[] {
  return on ? (list.includes(value) ? [...list] : [...list, value]) : list.filter((v) => v !== value);
}
