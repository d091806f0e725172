import { describe, expect, it } from 'vitest';
import { GraphqlRequestError } from './graphql/client';
import { formErrors, formFieldName, hasErrors } from './formErrors';

describe('formErrors', () => {
  it('puts every field problem next to its field', () => {
    const error = new GraphqlRequestError([
      {
        message: 'Codice fiscale non valido',
        code: 'BAD_USER_INPUT',
        field: 'taxCode',
        fields: [
          { field: 'taxCode', message: 'Codice fiscale non valido' },
          { field: 'name', message: 'Il nome è obbligatorio' },
        ],
      },
    ]);
    const result = formErrors(error, ['name', 'taxCode'], 'rete');
    expect(result.fields).toEqual({ taxCode: 'Codice fiscale non valido', name: 'Il nome è obbligatorio' });
    expect(result.general).toBeUndefined();
  });

  it('uses the single field when the list is absent, and strips input.', () => {
    const error = new GraphqlRequestError([{ message: 'Già registrato', code: 'CONFLICT', field: 'input.taxCode' }]);
    expect(formErrors(error, ['taxCode'], 'rete').fields).toEqual({ taxCode: 'Già registrato' });
  });

  it('shows errors of unknown fields and without a field above the form', () => {
    const error = new GraphqlRequestError([
      { message: 'Troppi tentativi', code: 'RATE_LIMITED' },
      { message: 'Campo strano', code: 'BAD_USER_INPUT', field: 'other' },
    ]);
    const result = formErrors(error, ['email'], 'rete');
    expect(result.fields).toEqual({});
    expect(result.general).toBe('Troppi tentativi Campo strano');
    expect(hasErrors(result)).toBe(true);
  });

  it('falls back when the error is not the API’s', () => {
    expect(formErrors(new TypeError('fetch'), ['email'], 'Rete non raggiungibile')).toEqual({
      fields: {},
      general: 'Rete non raggiungibile',
    });
    expect(hasErrors({ fields: {} })).toBe(false);
  });

  it('names fields as the form does', () => {
    expect(formFieldName('input.contacts.0.value')).toBe('contacts.0.value');
    expect(formFieldName('email')).toBe('email');
    expect(formFieldName('input')).toBe('input');
  });
});
