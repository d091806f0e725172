// The API's refusals as a form shows them: each field's message next to the
// field, and whatever belongs to no field of the form above it.
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { GraphqlRequestError } from './graphql/client';

export interface FormErrors {
  /** The message of each field of the form the API refused, by field name. */
  fields: Record<string, string>;
  /** What the form shows above its fields (errors of no known field). */
  general?: string;
}

/** The API's field name as the form knows it (`input.taxCode` → `taxCode`). */
export function formFieldName(apiField: string): string {
  const parts = apiField.split('.');
  return parts[0] === 'input' && parts.length > 1 ? parts.slice(1).join('.') : apiField;
}

/**
 * Splits an error of a mutation into the messages of the form's `known`
 * fields and a general message; `fallback` when the error is not the API's
 * (the network failed).
 */
export function formErrors(error: unknown, known: readonly string[], fallback: string): FormErrors {
  if (!(error instanceof GraphqlRequestError)) return { fields: {}, general: fallback };
  const fields: Record<string, string> = {};
  const general: string[] = [];
  for (const e of error.errors) {
    const problems = e.fields?.length ? e.fields : e.field ? [{ field: e.field, message: e.message }] : [];
    let placed = false;
    for (const p of problems) {
      const name = formFieldName(p.field);
      if (known.includes(name)) {
        fields[name] ??= p.message;
        placed = true;
      }
    }
    if (!placed && !general.includes(e.message)) general.push(e.message);
  }
  return { fields, general: general.length ? general.join(' ') : undefined };
}

/** Whether the form has anything to show. */
export function hasErrors(errors: FormErrors): boolean {
  return errors.general !== undefined || Object.keys(errors.fields).length > 0;
}

/**
 * A form's errors, and `attempt`: it clears them, runs `action` (the form's
 * request and what follows it) and, when that fails, shows the messages of
 * the `known` fields next to them and the rest above the form.
 */
export function useFormErrors(known: readonly string[]) {
  const { t } = useTranslation();
  const [errors, setErrors] = useState<FormErrors>({ fields: {} });
  async function attempt(action: () => Promise<void>): Promise<void> {
    setErrors({ fields: {} });
    try {
      await action();
    } catch (e) {
      setErrors(formErrors(e, known, t('errors.network')));
    }
  }
  /** A form's submit handler: keeps the browser from navigating, then attempts `action`. */
  function onSubmit(action: () => Promise<void>): (event: FormEvent) => Promise<void> {
    return async (event) => {
      event.preventDefault();
      await attempt(action);
    };
  }
  return { errors, setErrors, attempt, onSubmit };
}
