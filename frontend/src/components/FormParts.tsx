// The pieces of Trama's forms: a field with its label, hint and error (the
// error tied to the input with aria-describedby, as the kit draws it), a
// group of checkboxes, and the summary of what to correct above the form.
import { type ReactNode, useEffect, useRef } from 'react';
import { useTranslation } from 'react-i18next';

export interface ControlProps {
  id: string;
  'aria-describedby'?: string;
  'aria-invalid'?: true;
  className: string;
}

/** A labelled field; `children` draws the control with the props it is given. */
export function Field({
  id,
  label,
  hint,
  error,
  control = 'form-control',
  children,
}: {
  id: string;
  label: string;
  hint?: string;
  error?: string;
  control?: string;
  children: (props: ControlProps) => ReactNode;
}) {
  const described = [hint && `${id}-hint`, error && `${id}-error`].filter(Boolean).join(' ');
  return (
    <div className="mb-4 trama-field">
      <label htmlFor={id} className="form-label">{label}</label>
      {hint && <p id={`${id}-hint`} className="form-text mt-0 mb-1">{hint}</p>}
      {children({
        id,
        'aria-describedby': described || undefined,
        'aria-invalid': error ? true : undefined,
        className: `${control}${error ? ' is-invalid' : ''}`,
      })}
      {error && <p id={`${id}-error`} className="field-error">{error}</p>}
    </div>
  );
}

/** Checkboxes for a list value, in a fieldset with its legend and error. */
export function ChoiceGroup<T extends string>({
  id,
  legend,
  hint,
  error,
  options,
  selected,
  onChange,
  columns = true,
}: {
  id: string;
  legend: string;
  hint?: string;
  error?: string;
  options: readonly { value: T; label: string }[];
  selected: readonly T[];
  onChange: (value: T, on: boolean) => void;
  columns?: boolean;
}) {
  const described = [hint && `${id}-hint`, error && `${id}-error`].filter(Boolean).join(' ');
  return (
    <fieldset id={id} className="mb-4 trama-choices" aria-describedby={described || undefined} tabIndex={-1}>
      <legend>{legend}</legend>
      {hint && <p id={`${id}-hint`} className="form-text mt-0">{hint}</p>}
      <div className={columns ? 'choice-columns' : undefined}>
        {options.map((option) => (
          <div className="form-check" key={option.value}>
            <input
              id={`${id}-${option.value}`}
              type="checkbox"
              className="form-check-input"
              checked={selected.includes(option.value)}
              onChange={(e) => onChange(option.value, e.target.checked)}
            />
            <label htmlFor={`${id}-${option.value}`} className="form-check-label">{option.label}</label>
          </div>
        ))}
      </div>
      {error && <p id={`${id}-error`} className="field-error">{error}</p>}
    </fieldset>
  );
}

/**
 * What to correct, above the form: each field's problem links to the field,
 * and problems about no field are listed as they are. Takes the focus when
 * it appears, so that screen readers announce it.
 */
export function ErrorSummary({
  fields,
  other,
  labels,
}: {
  fields: Partial<Record<string, string>>;
  other: string[];
  /** Each field's label and the id of its control, in the form's order. */
  labels: [field: string, label: string, target: string][];
}) {
  const { t } = useTranslation();
  const ref = useRef<HTMLDivElement>(null);
  const listed = labels.filter(([id]) => fields[id]);
  const count = listed.length + other.length;
  useEffect(() => {
    if (count) ref.current?.focus();
  }, [count, fields, other]);
  if (!count) return null;
  return (
    <div ref={ref} className="alert alert-danger error-summary" role="alert" tabIndex={-1} aria-labelledby="error-summary-title">
      <h2 id="error-summary-title" className="h5">{t('postingForm.errorSummary', { count })}</h2>
      <ul className="mb-0">
        {listed.map(([field, label, target]) => (
          <li key={field}>
            <a href={`#${target}`} onClick={(e) => { e.preventDefault(); document.getElementById(target)?.focus(); }}>
              {label}: {fields[field]}
            </a>
          </li>
        ))}
        {other.map((message) => <li key={message}>{message}</li>)}
      </ul>
    </div>
  );
}
