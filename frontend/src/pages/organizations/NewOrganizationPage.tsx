// Registering an organisation: the signed-in person (address confirmed)
// becomes its admin. While the name is typed, organisations already on Trama
// with a similar name are shown, to ask to join or to claim one instead.
import { useEffect, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate } from 'react-router-dom';
import {
  MunicipalitySearchDocument,
  OrganizationFormDataDocument,
  RegisterOrganizationDocument,
  ViewerDocument,
  type MunicipalitySearchQuery,
  type OrganizationKind,
} from '../../../generated/graphql/graphql';
import { request, useQuery } from '../../graphql/client';
import { apiLanguage } from '../../i18n';
import { formErrors, type FormErrors } from '../../formErrors';
import { useDebounced } from '../../useDebounced';
import {
  ORGANIZATION_KINDS,
  localProblems,
  chosenMunicipality,
  municipalityLabel,
  needsTaxCode,
  toOrganizationInput,
  type OrganizationFormValues,
} from '../../organizationForm';
import FormField, { FormAlert } from '../../components/FormField';
import SignInNeeded from '../../components/SignInNeeded';
import { Failure, Loading, usePageTitle } from '../../components/Status';
import { pathTo } from '../../routes';
import { useOrganizationSearch } from '../../organizationSearch';

const FIELDS = ['name', 'kind', 'taxCode', 'description', 'website', 'seatMunicipalityCode', 'sectors', 'contacts'] as const;

export default function NewOrganizationPage() {
  const { t } = useTranslation();
  usePageTitle(t('orgRegistration.title'));
  const viewer = useQuery(ViewerDocument, {});
  if (viewer.error) return <Failure error={viewer.error} />;
  if (viewer.loading && !viewer.data) return <Loading />;
  const me = viewer.data?.me;
  if (!me) return <SignInNeeded title={t('orgRegistration.title')} body={t('orgRegistration.signInNeeded')} />;
  if (!me.emailVerified)
    return (
      <>
        <h1>{t('orgRegistration.title')}</h1>
        <div className="alert alert-warning" role="alert">{t('orgRegistration.verifyFirst', { email: me.email })}</div>
        <p><Link to={pathTo('verifyEmail')}>{t('verifyEmail.resendTitle')}</Link></p>
      </>
    );
  return <RegistrationForm />;
}

function RegistrationForm() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const sectors = useQuery(OrganizationFormDataDocument, { lang: apiLanguage() });
  const [form, setForm] = useState<OrganizationFormValues>({
    name: '',
    kind: '',
    taxCode: '',
    description: '',
    website: '',
    sectors: [],
    email: '',
  });
  const [seatText, setSeatText] = useState('');
  const [errors, setErrors] = useState<FormErrors>({ fields: {} });
  const [busy, setBusy] = useState(false);
  const set = <K extends keyof OrganizationFormValues>(key: K) => (value: OrganizationFormValues[K]) =>
    setForm((v) => ({ ...v, [key]: value }));

  const municipalities = useMunicipalities(seatText);

  async function submit(event: FormEvent) {
    event.preventDefault();
    const values = { ...form, seatMunicipalityCode: chosenMunicipality(municipalities, seatText)?.istatCode };
    const local = localProblems(values, seatText);
    if (Object.keys(local).length) {
      setErrors({ fields: Object.fromEntries(Object.entries(local).map(([k, v]) => [k, t(v)])), general: t('orgRegistration.fixFields') });
      return;
    }
    setBusy(true);
    setErrors({ fields: {} });
    try {
      const data = await request(RegisterOrganizationDocument, { input: toOrganizationInput(values) });
      navigate(pathTo('organization', { id: data.createOrganization.id }), { state: { registered: true } });
    } catch (e) {
      const found = formErrors(e, FIELDS, t('errors.network'));
      setErrors(Object.keys(found.fields).length && !found.general ? { ...found, general: t('orgRegistration.fixFields') } : found);
    } finally {
      setBusy(false);
    }
  }

  return (
    <>
      <h1>{t('orgRegistration.title')}</h1>
      <p>{t('orgRegistration.intro')}</p>
      <form onSubmit={submit} className="trama-form" noValidate>
        <FormAlert message={errors.general} />
        <div className="row">
          <div className="col-12 col-lg-8">
            <FormField id="org-name" label={t('orgRegistration.name')} value={form.name} onChange={set('name')} error={errors.fields.name} required maxLength={200} autoComplete="organization" />
            <Existing name={form.name} />
            <div className="mb-4 form-field">
              <label htmlFor="org-kind" className="form-label">{t('orgRegistration.kind')}<span aria-hidden="true"> *</span></label>
              <select
                id="org-kind"
                className={`form-select${errors.fields.kind ? ' is-invalid' : ''}`}
                value={form.kind}
                onChange={(e) => set('kind')(e.target.value as OrganizationKind | '')}
                aria-invalid={errors.fields.kind ? true : undefined}
                aria-describedby={errors.fields.kind ? 'org-kind-error' : undefined}
                required
              >
                <option value="">{t('orgRegistration.chooseKind')}</option>
                {ORGANIZATION_KINDS.map((k) => (
                  <option key={k} value={k}>{t(`orgRegistration.kinds.${k}`)}</option>
                ))}
              </select>
              {errors.fields.kind && <div id="org-kind-error" className="invalid-feedback d-block">{errors.fields.kind}</div>}
            </div>
            {needsTaxCode(form.kind) && (
              <FormField id="org-taxcode" label={t('orgRegistration.taxCode')} hint={t('orgRegistration.taxCodeHint')} value={form.taxCode} onChange={set('taxCode')} error={errors.fields.taxCode} required={form.kind !== ''} maxLength={16} />
            )}
            <FormField id="org-description" multiline label={t('orgRegistration.description')} hint={t('orgRegistration.descriptionHint')} value={form.description} onChange={set('description')} error={errors.fields.description} maxLength={5000} />
            <FormField id="org-seat" label={t('orgRegistration.seat')} hint={t('orgRegistration.seatHint')} value={seatText} onChange={setSeatText} error={errors.fields.seatMunicipalityCode} list="org-seat-options" autoComplete="off" />
            <datalist id="org-seat-options">
              {municipalities.map((m) => (
                <option key={m.istatCode} value={municipalityLabel(m)} />
              ))}
            </datalist>
            <FormField id="org-website" type="url" label={t('orgRegistration.website')} hint={t('orgRegistration.websiteHint')} value={form.website} onChange={set('website')} error={errors.fields.website} autoComplete="url" />
            <FormField id="org-email" type="email" label={t('orgRegistration.email')} hint={t('orgRegistration.emailHint')} value={form.email} onChange={set('email')} error={errors.fields.contacts} autoComplete="email" />
            <fieldset className="mb-4" aria-describedby={errors.fields.sectors ? 'org-sectors-error' : undefined}>
              <legend>{t('orgRegistration.sectors')}</legend>
              {sectors.data && (
                <div className="sector-choices">
                  {sectors.data.sectors.map((s) => {
                    const id = `org-sector-${s.code}`;
                    return (
                      <div className="form-check" key={s.code}>
                        <input
                          id={id}
                          type="checkbox"
                          checked={form.sectors.includes(s.code)}
                          onChange={() =>
                            set('sectors')(form.sectors.includes(s.code) ? form.sectors.filter((c) => c !== s.code) : [...form.sectors, s.code])
                          }
                        />
                        <label htmlFor={id}>{s.name}</label>
                      </div>
                    );
                  })}
                </div>
              )}
              {errors.fields.sectors && <div id="org-sectors-error" className="invalid-feedback d-block">{errors.fields.sectors}</div>}
            </fieldset>
            <p className="small">{t('orgRegistration.youBecomeAdmin')}</p>
            <button type="submit" className="btn btn-primary" disabled={busy}>{t('orgRegistration.submit')}</button>
          </div>
        </div>
      </form>
    </>
  );
}

type Municipality = MunicipalitySearchQuery['municipalities'][number];

/** The municipalities whose name contains what was typed (two letters at least). */
function useMunicipalities(text: string): Municipality[] {
  const typed = useDebounced(text.replace(/\s*\([A-Z]{2}\)\s*$/, '').trim());
  const [list, setList] = useState<Municipality[]>([]);
  useEffect(() => {
    let current = true;
    if (typed.length < 2) return;
    request(MunicipalitySearchDocument, { search: typed }).then(
      (data) => current && setList(data.municipalities),
      () => undefined,
    );
    return () => {
      current = false;
    };
  }, [typed]);
  return list;
}

/** Organisations already on Trama with a name like the one being typed. */
function Existing({ name }: { name: string }) {
  const { t } = useTranslation();
  const found = useOrganizationSearch(name);
  return (
    <div aria-live="polite">
      {found.length > 0 && (
        <div className="callout-like mb-4" role="region" aria-labelledby="org-existing-title">
          <h2 id="org-existing-title" className="h6">{t('orgRegistration.existingTitle')}</h2>
          <p className="small mb-2">{t('orgRegistration.existingIntro')}</p>
          <ul className="mb-0">
            {found.map((o) => (
              <li key={o.id}>
                <Link to={pathTo('organization', { id: o.id })}>{o.name}</Link> <span className="text-muted small">{o.kind}</span>
              </li>
            ))}
          </ul>
        </div>
      )}
    </div>
  );
}
