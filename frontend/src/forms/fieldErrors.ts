// The API's refusals placed next to the form fields they are about: a
// BAD_USER_INPUT error names each field as the API calls it (`budgetCents`,
// `sectors[2]`, `input.title`); a form names its fields its own way. What
// no field of the form shows goes to the summary above the form.
import { GraphqlRequestError, type ApiError } from '../graphql/client';

export interface PlacedErrors<F extends string> {
  /** The message for each field of the form that the API refused. */
  fields: Partial<Record<F, string>>;
  /** Messages about nothing the form shows (or not about a field). */
  other: string[];
}

/** The API's field name without the argument path or list index: `input.sectors[2]` → `sectors`. */
export function apiFieldName(field: string): string {
  return apiFieldPath(field.replace(/\[\d+\]/g, ''));
}

/** The API's field name without the argument path, with its list indexes: `input.otherPlaces[1].municipalityCode` → `otherPlaces[1].municipalityCode`. */
export function apiFieldPath(field: string): string {
  const last = field.split('.').filter(Boolean);
  // `input.title` and `title` are the same field; `organizationId` stays.
  return last.length > 1 && last[0] === 'input' ? last.slice(1).join('.') : last.join('.');
}

/**
 * Places an error's problems on the form's fields. `aliases` maps the API's
 * names to the form's where they differ (`budgetCents` → `budget`); a name the
 * form has as it is needs no alias. A field of a list's item goes to the
 * form's field of that item when the form has one (`otherPlaces[1].municipalityCode`),
 * else to the list's (`sectors[2]` → `sectors`).
 */
export function placeErrors<F extends string>(
  error: unknown,
  formFields: readonly F[],
  aliases: Partial<Record<string, F>> = {},
  fallback = '',
): PlacedErrors<F> {
  const placed: PlacedErrors<F> = { fields: {}, other: [] };
  const errors: ApiError[] = error instanceof GraphqlRequestError ? error.errors : [{ message: fallback }];
  const known = new Set<string>(formFields);
  const targetOf = (name: string) => aliases[name] ?? (known.has(name) ? (name as F) : undefined);
  const place = (field: string | undefined, message: string) => {
    const target = field === undefined ? undefined : (targetOf(apiFieldPath(field)) ?? targetOf(apiFieldName(field)));
    if (target === undefined) {
      if (!placed.other.includes(message)) placed.other.push(message);
    } else if (placed.fields[target] === undefined) {
      placed.fields[target] = message;
    } else if (!placed.fields[target]?.includes(message)) {
      placed.fields[target] = `${placed.fields[target]} ${message}`;
    }
  };
  for (const e of errors) {
    if (e.fields?.length) for (const p of e.fields) place(p.field, p.message);
    else place(e.field, e.message);
  }
  return placed;
}

/** Whether any problem was found. */
export function hasErrors<F extends string>(errors: PlacedErrors<F>): boolean {
  return errors.other.length > 0 || Object.keys(errors.fields).length > 0;
}
