// A labelled form field with its hint and the API's error right below it,
// tied to the input for screen readers (aria-describedby, aria-invalid).
import type { ReactNode } from 'react';

interface Props {
  id: string;
  label: string;
  value: string;
  onChange: (value: string) => void;
  error?: string;
  hint?: ReactNode;
  type?: 'text' | 'email' | 'password' | 'url' | 'search' | 'date';
  /** The textarea's height, in lines. */
  rows?: number;
  inputMode?: 'numeric' | 'decimal';
  autoComplete?: string;
  required?: boolean;
  multiline?: boolean;
  maxLength?: number;
  list?: string;
}

export default function FormField({ id, label, value, onChange, error, hint, type = 'text', multiline, rows = 4, ...rest }: Props) {
  const described = [hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ') || undefined;
  const common = {
    id,
    className: `form-control${error ? ' is-invalid' : ''}`,
    value,
    'aria-invalid': error ? true : undefined,
    'aria-describedby': described,
    required: rest.required,
    maxLength: rest.maxLength,
  } as const;
  return (
    <div className="mb-4 form-field">
      <label htmlFor={id} className="form-label">
        {label}
        {rest.required && <span aria-hidden="true"> *</span>}
      </label>
      {multiline ? (
        <textarea {...common} rows={rows} onChange={(e) => onChange(e.target.value)} />
      ) : (
        <input {...common} type={type} inputMode={rest.inputMode} autoComplete={rest.autoComplete} list={rest.list} onChange={(e) => onChange(e.target.value)} />
      )}
      {hint && (
        <div id={`${id}-hint`} className="form-text">
          {hint}
        </div>
      )}
      {error && (
        <div id={`${id}-error`} className="invalid-feedback d-block">
          {error}
        </div>
      )}
    </div>
  );
}

/** The message above a form: what went wrong that belongs to no field. */
export function FormAlert({ message }: { message?: string }) {
  if (!message) return null;
  return (
    <div className="alert alert-danger" role="alert">
      {message}
    </div>
  );
}
