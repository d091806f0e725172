// Small pieces the workspace's sections share: the status line that
// announces what just happened, a select with its label, and a partner's
// role as words.
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { FormAlert } from '../../components/FormField';
import { Field } from '../../components/FormParts';

/** What the last action did (polite) or why it was refused (alert). */
export function ActionStatus({ done, error }: { done?: string; error?: string }) {
  return (
    <>
      <FormAlert message={error} />
      <p role="status" aria-live="polite" className={done ? 'text-success fw-semibold' : 'visually-hidden'}>
        {done ?? ''}
      </p>
    </>
  );
}

/** A labelled select of `options`. */
export function SelectField<T extends string>({
  id,
  label,
  value,
  options,
  onChange,
  error,
  hint,
}: {
  id: string;
  label: string;
  value: T | '';
  options: readonly { value: T; label: string }[];
  onChange: (value: T) => void;
  error?: string;
  hint?: string;
}) {
  const { t } = useTranslation();
  return (
    <Field id={id} label={label} error={error} hint={hint} control="form-select">
      {(props) => (
        <select {...props} value={value} onChange={(e) => onChange(e.target.value as T)} required>
          <option value="" disabled>{t('postingForm.choose')}</option>
          {options.map((o) => <option key={o.value} value={o.value}>{o.label}</option>)}
        </select>
      )}
    </Field>
  );
}

/** A partner's role as a badge. */
export function RoleBadge({ role }: { role: string }) {
  const { t } = useTranslation();
  return <span className={`badge ${role === 'LEAD' ? 'bg-primary' : 'bg-secondary'} ms-2`}>{t(`project.role.${role}`)}</span>;
}

/** A card for one partner's items, headed by its name. */
export function PartnerCard({ id, name, role, children }: { id: string; name: string; role?: string; children: ReactNode }) {
  return (
    <div className="card project-card mb-3" role="group" aria-labelledby={id}>
      <div className="card-body">
        <h3 id={id} className="h5 card-title">{name}{role && <RoleBadge role={role} />}</h3>
        {children}
      </div>
    </div>
  );
}
