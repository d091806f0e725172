// The organisation registration form's rules that the browser checks before
// asking the API: the kinds in the order people look for them, which kinds
// need a codice fiscale, and the form's values as the API's input.
import type { ContactKind, OrganizationInput, OrganizationKind } from '../generated/graphql/graphql';

/** Third-sector kinds first (most registrations), public bodies last. */
export const ORGANIZATION_KINDS: OrganizationKind[] = [
  'ASSOCIATION',
  'APS',
  'ODV',
  'SOCIAL_COOPERATIVE_A',
  'SOCIAL_COOPERATIVE_B',
  'COMMUNITY_COOPERATIVE',
  'HOUSING_COOPERATIVE',
  'SOCIAL_ENTERPRISE',
  'ONLUS',
  'FOUNDATION',
  'BANKING_FOUNDATION',
  'INFORMAL_GROUP',
  'MUNICIPALITY',
  'METROPOLITAN_CITY',
  'REGION',
  'PUBLIC_HOUSING_AGENCY',
  'ASP',
  'PUBLIC_HEALTH_BODY',
  'BANK',
];

/** Informal groups have no codice fiscale; every other kind must give one. */
export function needsTaxCode(kind: OrganizationKind | ''): boolean {
  return kind !== 'INFORMAL_GROUP';
}

export interface OrganizationFormValues {
  name: string;
  kind: OrganizationKind | '';
  taxCode: string;
  description: string;
  website: string;
  seatMunicipalityCode?: string;
  sectors: string[];
  email: string;
}

/** Problems the form can tell without the API, as message keys by field. */
export function localProblems(values: OrganizationFormValues, seatText: string): Record<string, string> {
  const problems: Record<string, string> = {};
  if (!values.name.trim()) problems.name = 'orgRegistration.required';
  if (!values.kind) problems.kind = 'orgRegistration.required';
  else if (needsTaxCode(values.kind) && !values.taxCode.trim()) problems.taxCode = 'orgRegistration.taxCodeRequired';
  if (seatText.trim() && !values.seatMunicipalityCode) problems.seatMunicipalityCode = 'orgRegistration.seatUnknown';
  return problems;
}

/** The API's input for the form's values (blank optional fields left out). */
export function toOrganizationInput(values: OrganizationFormValues): OrganizationInput {
  const optional = (v: string) => (v.trim() ? v.trim() : undefined);
  const contacts = values.email.trim()
    ? [{ kind: 'EMAIL' as ContactKind, value: values.email.trim(), visibility: 'PUBLIC' as const }]
    : [];
  return {
    name: values.name.trim(),
    kind: values.kind as OrganizationKind,
    taxCode: needsTaxCode(values.kind) ? optional(values.taxCode) : undefined,
    description: values.description.trim(),
    website: optional(values.website),
    seatMunicipalityCode: values.seatMunicipalityCode,
    sectors: values.sectors,
    contacts,
  };
}

/** The label of a municipality in the seat's suggestions, "Milano (MI)". */
export function municipalityLabel(m: { name: string; provinceCode: string }): string {
  return `${m.name} (${m.provinceCode})`;
}

/** The municipality the seat field names: one of the suggestions, by label or by name. */
export function chosenMunicipality<M extends { name: string; provinceCode: string }>(suggestions: M[], text: string): M | undefined {
  const typed = text.trim().toLowerCase();
  if (!typed) return undefined;
  return suggestions.find((m) => municipalityLabel(m).toLowerCase() === typed || m.name.toLowerCase() === typed);
}
