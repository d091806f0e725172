// The forms to post and edit a need or an offer, and to close it. The API
// checks what is sent; what it refuses is shown next to the field it is
// about (in the reader's language, as the API words it) and listed above
// the form. Similar open postings are suggested while the title is typed.
import { useEffect, useState, type FormEvent, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useParams, useSearchParams } from 'react-router-dom';
import {
  CloseNeedDocument,
  CloseOfferDocument,
  CreateNeedDocument,
  CreateOfferDocument,
  NeedForEditDocument,
  OfferForEditDocument,
  PostingFormDataDocument,
  UpdateNeedDocument,
  UpdateOfferDocument,
} from '../../generated/graphql/graphql';
import { request, useQuery } from '../graphql/client';
import { apiLanguage } from '../i18n';
import { placeErrors } from '../forms/fieldErrors';
import {
  emptyNeed,
  emptyOffer,
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
  otherPlaceField,
  shiftOtherPlaceErrors,
  TERRITORY_SCOPES,
  toggle,
  type ClientProblem,
  type NeedValues,
  type OfferValues,
  type PlaceValues,
} from '../forms/posting';
import { ChoiceGroup, ErrorSummary, Field } from '../components/FormParts';
import PlaceFields, { OtherPlaces } from '../components/PlaceFields';
import SimilarPostings from '../components/SimilarPostings';
import RequireSignIn from '../components/RequireSignIn';
import { Failure, Loading, NotFound, usePageTitle } from '../components/Status';
import { useSession } from '../session';
import { pathTo } from '../routes';

type Kind = 'need' | 'offer';
type Errors = { fields: Partial<Record<string, string>>; other: string[] };
const NO_ERRORS: Errors = { fields: {}, other: [] };

export function NeedFormPage() {
  return <RequireSignIn><PostingForm kind="need" /></RequireSignIn>;
}

export function OfferFormPage() {
  return <RequireSignIn><PostingForm kind="offer" /></RequireSignIn>;
}

/** Loads the posting to edit (or starts an empty one) and shows the form. */
function PostingForm({ kind }: { kind: Kind }) {
  const { t, i18n } = useTranslation();
  const { id } = useParams();
  const [params] = useSearchParams();
  const session = useSession();
  const memberships = session.me?.memberships ?? [];
  const editing = id !== undefined;
  const need = useQuery(NeedForEditDocument, { id: id ?? '' }, { skip: kind !== 'need' || !editing });
  const offer = useQuery(OfferForEditDocument, { id: id ?? '' }, { skip: kind !== 'offer' || !editing });
  const title = t(editing ? `postingForm.${kind}EditTitle` : `postingForm.${kind}NewTitle`);
  usePageTitle(title);

  if (!editing) {
    if (memberships.length === 0) return <NoOrganization title={title} />;
    const wanted = params.get('organization');
    const organizationId = memberships.some((m) => m.organization.id === wanted) ? (wanted as string) : memberships[0].organization.id;
    return kind === 'need' ? <NeedForm initial={emptyNeed(organizationId)} title={title} /> : <OfferForm initial={emptyOffer(organizationId)} title={title} />;
  }
  const loaded = kind === 'need' ? need : offer;
  if (loaded.error) return <Failure error={loaded.error} />;
  if (loaded.loading && !loaded.data) return <Loading />;
  const record = kind === 'need' ? need.data?.need : offer.data?.offer;
  if (!record) return <NotFound />;
  if (!session.roleIn(record.organization.id))
    return (
      <>
        <h1>{title}</h1>
        <p>{t('postingForm.notMember', { organization: record.organization.name })}</p>
      </>
    );
  if (kind === 'need' && need.data?.need) return <NeedForm id={id} initial={needValues(need.data.need, i18n.language)} title={title} />;
  if (kind === 'offer' && offer.data?.offer) return <OfferForm id={id} initial={offerValues(offer.data.offer, i18n.language)} title={title} />;
  return <NotFound />;
}

function NoOrganization({ title }: { title: string }) {
  const { t } = useTranslation();
  return (
    <>
      <h1>{title}</h1>
      <p>{t('postingForm.noOrganization')}</p>
      <p><Link to={pathTo('account')}>{t('postingForm.toDashboard')}</Link></p>
    </>
  );
}

/** The client's own problems (an amount that is not one), in words. */
function clientErrors(problems: Partial<Record<string, ClientProblem>>, t: (key: string) => string): Errors {
  const fields: Partial<Record<string, string>> = {};
  for (const [field, problem] of Object.entries(problems)) if (problem) fields[field] = t(`postingForm.errors.${problem}`);
  return { fields, other: [] };
}

function useSectors() {
  const { data } = useQuery(PostingFormDataDocument, { lang: apiLanguage() });
  return data?.sectors ?? [];
}

/**
 * A form's state and its submission: the client's own checks first, then
 * the API (create or update); what it refuses is placed on the fields, and
 * on success the posting's page opens.
 */
function usePostingForm<V extends { organizationId: string; otherPlaces: PlaceValues[] }, I, F extends string>(
  kind: Kind,
  id: string | undefined,
  initial: V,
  convert: (values: V) => { input?: I; problems: Partial<Record<F, ClientProblem>>; aliases: Partial<Record<string, F>> },
  save: (input: I, values: V) => Promise<{ id: string }>,
  fields: readonly F[],
  aliases: Partial<Record<string, F>>,
) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const [values, setValues] = useState(initial);
  const [errors, setErrors] = useState<Errors>(NO_ERRORS);
  const [busy, setBusy] = useState(false);
  const set = <K extends keyof V>(key: K, value: V[K]) => setValues((v) => ({ ...v, [key]: value }));
  async function submit(event: FormEvent) {
    event.preventDefault();
    const { input, problems, aliases: sent } = convert(values);
    if (!input) return setErrors(clientErrors(problems, t));
    setBusy(true);
    try {
      const saved = await save(input, values);
      navigate(pathTo(kind, { id: saved.id }), { state: { saved: id ? 'updated' : 'created' } });
    } catch (error) {
      setErrors(placeErrors(error, fields, { ...aliases, ...sent }, t('errors.network')));
    } finally {
      setBusy(false);
    }
  }
  /** The further places' rows, changed from the latest values. */
  const setOtherPlaces = (update: (rows: PlaceValues[]) => PlaceValues[]) =>
    setValues((v) => ({ ...v, otherPlaces: update(v.otherPlaces) }));
  /** A further place removed: its errors go, those of the rows below move up with them. */
  const removedOtherPlace = (index: number) => setErrors((e) => ({ ...e, fields: shiftOtherPlaceErrors(e.fields, index) }));
  return { values, setValues, set, errors, busy, submit, setOtherPlaces, removedOtherPlace, fid: (field: string) => `${kind}-${field}` };
}

/** The i18n keys, under `postingForm`, of the fields not labelled by their own name. */
const LABEL_KEYS: Partial<Record<string, string>> = {
  organizationId: 'organization',
  municipalityCode: 'municipality',
  neighbourhoodId: 'neighbourhood',
  eligibleOrganizationKinds: 'eligibleKinds',
  requiresThirdSectorRegistration: 'runts',
  status: 'publish',
};

/** Each field with its label and input id, in the form's order, for the error summary. */
function fieldLabels(
  t: (key: string) => string,
  fid: (field: string) => string,
  fields: string[],
  keys: Partial<Record<string, string>>,
): [string, string, string][] {
  return fields.flatMap((field): [string, string, string][] =>
    field === 'otherPlaces' ? otherPlaceLabels(t, fid) : [[field, t(`postingForm.${keys[field] ?? LABEL_KEYS[field] ?? field}`), fid(field)]],
  );
}

/** The further places' list and the fields of each row it may have ("Comune del luogo 2"). */
function otherPlaceLabels(t: (key: string, options?: Record<string, unknown>) => string, fid: (field: string) => string): [string, string, string][] {
  const labels: [string, string, string][] = [['otherPlaces', t('postingForm.otherPlaces'), fid('otherPlaces')]];
  for (let i = 0; i < MAX_OTHER_PLACES; i++)
    for (const part of ['municipalityCode', 'neighbourhoodId'] as const)
      labels.push([
        otherPlaceField(i, part),
        t('postingForm.otherPlaceField', { field: t(`postingForm.${LABEL_KEYS[part]}`), number: i + 2 }),
        fid(`other-${i}-${part}`),
      ]);
  return labels;
}

/** The posting's kind, one of `kinds`, each labelled from `postingForm.<group>`. */
function KindField<K extends string>({ id, label, error, kinds, group, value, onChange }: {
  id: string;
  label: string;
  error?: string;
  kinds: readonly K[];
  group: 'needKinds' | 'offerKinds';
  value: K | '';
  onChange: (kind: K | '') => void;
}) {
  const { t } = useTranslation();
  return (
    <Field id={id} label={label} error={error} control="form-select">
      {(props) => (
        <select {...props} value={value} onChange={(ev) => onChange(ev.target.value as K | '')}>
          <option value="">{t('postingForm.choose')}</option>
          {kinds.map((k) => <option key={k} value={k}>{t(`postingForm.${group}.${k}`)}</option>)}
        </select>
      )}
    </Field>
  );
}

function NeedForm({ id, initial, title }: { id?: string; initial: NeedValues; title: string }) {
  const { t } = useTranslation();
  const sectors = useSectors();
  const { values, setValues, set, errors, busy, submit, setOtherPlaces, removedOtherPlace, fid } = usePostingForm('need', id, initial, needInput,
    async (input, v) => id
      ? (await request(UpdateNeedDocument, { id, input })).updateNeed
      : (await request(CreateNeedDocument, { organizationId: v.organizationId, input })).createNeed,
    NEED_FIELDS, NEED_ALIASES);

  const labels = fieldLabels(t, fid, [
    'organizationId', 'kind', 'title', 'description', 'requiredContributions', 'budget',
    'deadline', 'municipalityCode', 'neighbourhoodId', 'otherPlaces', 'territoryScope', 'locationPrecision', 'sectors',
    'eligibleOrganizationKinds', 'requiresThirdSectorRegistration', 'status',
  ], { kind: 'needKind', territoryScope: 'needScope' });
  const e = errors.fields;
  return (
    <PostingLayout kind="need" id={id} title={title} errors={errors} labels={labels} values={values} busy={busy} onSubmit={submit}
      onOrganization={(v) => set('organizationId', v)} onStatus={(v) => set('status', v)}
    >
      <KindField id={fid('kind')} label={t('postingForm.needKind')} error={e.kind} kinds={NEED_KINDS} group="needKinds" value={values.kind} onChange={(k) => set('kind', k)} />
      <TextFields prefix="need" id={id} values={values} errors={e} onTitle={(v) => set('title', v)} onDescription={(v) => set('description', v)} />
      <ChoiceGroup id={fid('requiredContributions')} legend={t('postingForm.requiredContributions')} hint={t('postingForm.requiredContributionsHint')} error={e.requiredContributions}
        options={OFFER_KINDS.map((k) => ({ value: k, label: t(`postingForm.offerKinds.${k}`) }))}
        selected={values.requiredContributions} onChange={(k, on) => set('requiredContributions', toggle(values.requiredContributions, k, on))} />
      <div className="row">
        <div className="col-md-6">
          <Field id={fid('budget')} label={t('postingForm.budget')} hint={t('postingForm.amountHint')} error={e.budget}>
            {(props) => <input {...props} type="text" inputMode="decimal" value={values.budget} onChange={(ev) => set('budget', ev.target.value)} />}
          </Field>
        </div>
        <div className="col-md-6">
          <Field id={fid('deadline')} label={t('postingForm.deadline')} hint={t('postingForm.deadlineHint')} error={e.deadline}>
            {(props) => <input {...props} type="date" value={values.deadline} onChange={(ev) => set('deadline', ev.target.value)} />}
          </Field>
        </div>
      </div>
      <PlaceFields prefix="need" values={values} errors={e} onChange={(place) => setValues((v) => ({ ...v, ...place }))} />
      <OtherPlaces prefix="need" hint={t('postingForm.otherPlacesHintNeed', { max: MAX_OTHER_PLACES })} rows={values.otherPlaces} errors={e}
        onChange={setOtherPlaces} onRemoved={removedOtherPlace} />
      <Field id={fid('territoryScope')} label={t('postingForm.needScope')} hint={t('postingForm.needScopeHint')} error={e.territoryScope} control="form-select">
        {(props) => (
          <select {...props} value={values.territoryScope} onChange={(ev) => set('territoryScope', ev.target.value as NeedValues['territoryScope'])}>
            <option value="">{t('postingForm.needScopeSame')}</option>
            {TERRITORY_SCOPES.map((s) => <option key={s} value={s}>{t(`postingForm.needScopes.${s}`)}</option>)}
          </select>
        )}
      </Field>
      <Field id={fid('locationPrecision')} label={t('postingForm.locationPrecision')} hint={t('postingForm.locationPrecisionHint')} error={e.locationPrecision} control="form-select">
        {(props) => (
          <select {...props} value={values.locationPrecision} onChange={(ev) => set('locationPrecision', ev.target.value as NeedValues['locationPrecision'])}>
            <option value="NEIGHBOURHOOD">{t('postingForm.precision.NEIGHBOURHOOD')}</option>
            <option value="MUNICIPALITY">{t('postingForm.precision.MUNICIPALITY')}</option>
            {values.location && <option value="EXACT">{t('postingForm.precision.EXACT')}</option>}
          </select>
        )}
      </Field>
      <SectorsField prefix="need" sectors={sectors} selected={values.sectors} error={e.sectors} onChange={(s) => set('sectors', s)} />
      <EligibilityFields prefix="need" selected={values.eligibleOrganizationKinds} error={e.eligibleOrganizationKinds} onChange={(k) => set('eligibleOrganizationKinds', k)}>
        <div className="form-check mb-4">
          <input id={fid('requiresThirdSectorRegistration')} type="checkbox" className="form-check-input" checked={values.requiresThirdSectorRegistration}
            aria-describedby={e.requiresThirdSectorRegistration ? `${fid('requiresThirdSectorRegistration')}-error` : undefined}
            onChange={(ev) => set('requiresThirdSectorRegistration', ev.target.checked)} />
          <label htmlFor={fid('requiresThirdSectorRegistration')} className="form-check-label">{t('postingForm.runts')}</label>
          {e.requiresThirdSectorRegistration && <p id={`${fid('requiresThirdSectorRegistration')}-error`} className="field-error">{e.requiresThirdSectorRegistration}</p>}
        </div>
      </EligibilityFields>
    </PostingLayout>
  );
}

function OfferForm({ id, initial, title }: { id?: string; initial: OfferValues; title: string }) {
  const { t } = useTranslation();
  const sectors = useSectors();
  const { values, setValues, set, errors, busy, submit, setOtherPlaces, removedOtherPlace, fid } = usePostingForm('offer', id, initial, offerInput,
    async (input, v) => id
      ? (await request(UpdateOfferDocument, { id, input })).updateOffer
      : (await request(CreateOfferDocument, { organizationId: v.organizationId, input })).createOffer,
    OFFER_FIELDS, OFFER_ALIASES);

  const labels = fieldLabels(t, fid, [
    'organizationId', 'kind', 'title', 'description', 'amountMin', 'amountMax',
    'availableFrom', 'availableUntil', 'territoryScope', 'municipalityCode', 'neighbourhoodId', 'otherPlaces',
    'sectors', 'eligibleOrganizationKinds', 'status',
  ], { kind: 'offerKind', eligibleOrganizationKinds: 'eligibleKindsOffer' });
  const e = errors.fields;
  return (
    <PostingLayout kind="offer" id={id} title={title} errors={errors} labels={labels} values={values} busy={busy} onSubmit={submit}
      onOrganization={(v) => set('organizationId', v)} onStatus={(v) => set('status', v)}
    >
      <KindField id={fid('kind')} label={t('postingForm.offerKind')} error={e.kind} kinds={OFFER_KINDS} group="offerKinds" value={values.kind} onChange={(k) => set('kind', k)} />
      <TextFields prefix="offer" id={id} values={values} errors={e} onTitle={(v) => set('title', v)} onDescription={(v) => set('description', v)} />
      <div className="row">
        {(['amountMin', 'amountMax'] as const).map((field) => (
          <div className="col-md-6" key={field}>
            <Field id={fid(field)} label={t(`postingForm.${field}`)} hint={t('postingForm.amountHint')} error={e[field]}>
              {(props) => <input {...props} type="text" inputMode="decimal" value={values[field]} onChange={(ev) => set(field, ev.target.value)} />}
            </Field>
          </div>
        ))}
        {(['availableFrom', 'availableUntil'] as const).map((field) => (
          <div className="col-md-6" key={field}>
            <Field id={fid(field)} label={t(`postingForm.${field}`)} error={e[field]}>
              {(props) => <input {...props} type="date" value={values[field]} onChange={(ev) => set(field, ev.target.value)} />}
            </Field>
          </div>
        ))}
      </div>
      <Field id={fid('territoryScope')} label={t('postingForm.territoryScope')} error={e.territoryScope} control="form-select">
        {(props) => (
          <select {...props} value={values.territoryScope} onChange={(ev) => set('territoryScope', ev.target.value as OfferValues['territoryScope'])}>
            <option value="">{t('postingForm.choose')}</option>
            {TERRITORY_SCOPES.map((s) => <option key={s} value={s}>{t(`scope.${s}`)}</option>)}
          </select>
        )}
      </Field>
      <PlaceFields prefix="offer" values={values} errors={e} onChange={(place) => setValues((v) => ({ ...v, ...place }))} />
      <OtherPlaces prefix="offer" hint={t('postingForm.otherPlacesHintOffer', { max: MAX_OTHER_PLACES })} rows={values.otherPlaces} errors={e}
        onChange={setOtherPlaces} onRemoved={removedOtherPlace} />
      <SectorsField prefix="offer" sectors={sectors} selected={values.sectors} error={e.sectors} onChange={(s) => set('sectors', s)} />
      <EligibilityFields prefix="offer" selected={values.eligibleOrganizationKinds} error={e.eligibleOrganizationKinds} onChange={(k) => set('eligibleOrganizationKinds', k)} />
    </PostingLayout>
  );
}

/** Title and description, and the similar postings they bring up, right below them (on any screen). */
function TextFields({ prefix, id, values, errors, onTitle, onDescription }: {
  prefix: Kind;
  id?: string;
  values: { title: string; description: string };
  errors: Partial<Record<string, string>>;
  onTitle: (v: string) => void;
  onDescription: (v: string) => void;
}) {
  const { t } = useTranslation();
  return (
    <>
      <Field id={`${prefix}-title`} label={t('postingForm.title')} hint={t(`postingForm.${prefix}TitleHint`)} error={errors.title}>
        {(props) => <input {...props} type="text" value={values.title} maxLength={250} onChange={(ev) => onTitle(ev.target.value)} />}
      </Field>
      <Field id={`${prefix}-description`} label={t('postingForm.description')} hint={t(`postingForm.${prefix}DescriptionHint`)} error={errors.description}>
        {(props) => <textarea {...props} rows={6} value={values.description} onChange={(ev) => onDescription(ev.target.value)} />}
      </Field>
      <SimilarPostings kind={prefix === 'need' ? 'NEED' : 'OFFER'} title={values.title} description={values.description} excludeId={id} />
    </>
  );
}

function SectorsField({ prefix, sectors, selected, error, onChange }: {
  prefix: Kind;
  sectors: { code: string; name: string }[];
  selected: string[];
  error?: string;
  onChange: (sectors: string[]) => void;
}) {
  const { t } = useTranslation();
  return (
    <ChoiceGroup id={`${prefix}-sectors`} legend={t('postingForm.sectors')} error={error}
      options={sectors.map((s) => ({ value: s.code, label: s.name }))}
      selected={selected} onChange={(code, on) => onChange(toggle(selected, code, on))} />
  );
}

function EligibilityFields({ prefix, selected, error, onChange, children }: {
  prefix: Kind;
  selected: OfferValues['eligibleOrganizationKinds'];
  error?: string;
  onChange: (kinds: OfferValues['eligibleOrganizationKinds']) => void;
  children?: ReactNode;
}) {
  const { t } = useTranslation();
  // Closed unless something is set or wrong: most postings are open to anyone.
  const open = selected.length > 0 || Boolean(error);
  return (
    <details className="mb-4 eligibility" open={open || undefined}>
      <summary>{t(prefix === 'need' ? 'postingForm.eligibility' : 'postingForm.eligibilityOffer')}</summary>
      <div className="pt-3">
        <ChoiceGroup id={`${prefix}-eligibleOrganizationKinds`} legend={t(prefix === 'need' ? 'postingForm.eligibleKinds' : 'postingForm.eligibleKindsOffer')}
          hint={t('postingForm.eligibleKindsHint')} error={error}
          options={ORGANIZATION_KINDS.map((k) => ({ value: k, label: t(`postingForm.organizationKinds.${k}`) }))}
          selected={selected} onChange={(k, on) => onChange(toggle(selected, k, on))} />
        {children}
      </div>
    </details>
  );
}

/** What both forms share: the heading, the organisation, the summary, the similar postings, publishing, and closing. */
function PostingLayout({ kind, id, title, errors, labels, values, busy, onSubmit, onOrganization, onStatus, children }: {
  kind: Kind;
  id?: string;
  title: string;
  errors: Errors;
  labels: [string, string, string][];
  values: { organizationId: string; title: string; description: string; status: NeedValues['status'] };
  busy: boolean;
  onSubmit: (event: FormEvent) => void;
  onOrganization: (id: string) => void;
  onStatus: (status: NeedValues['status']) => void;
  children: ReactNode;
}) {
  const { t } = useTranslation();
  const session = useSession();
  const memberships = session.me?.memberships ?? [];
  const organization = memberships.find((m) => m.organization.id === values.organizationId)?.organization;
  const back = id ? pathTo(kind, { id }) : pathTo('account');
  const e = errors.fields;
  return (
    <>
      <h1>{title}</h1>
      <form onSubmit={onSubmit} noValidate className="posting-form">
        <ErrorSummary fields={errors.fields} other={errors.other} labels={labels} />
        {id || memberships.length < 2 ? (
          <p>
            {t(kind === 'need' ? 'postingForm.forOrganizationNeed' : 'postingForm.forOrganizationOffer')}{' '}
            <strong>{organization?.name}</strong>
          </p>
        ) : (
          <Field id={`${kind}-organizationId`} label={t('postingForm.organization')} error={e.organizationId} control="form-select">
            {(props) => (
              <select {...props} value={values.organizationId} onChange={(ev) => onOrganization(ev.target.value)}>
                {memberships.map((m) => <option key={m.organization.id} value={m.organization.id}>{m.organization.name}</option>)}
              </select>
            )}
          </Field>
        )}
        {children}
        <fieldset className="mb-4" id={`${kind}-status`} tabIndex={-1}>
          <legend>{t('postingForm.publish')}</legend>
          {(['OPEN', 'DRAFT'] as const).map((status) => (
            <div className="form-check" key={status}>
              <input id={`${kind}-status-${status}`} type="radio" name={`${kind}-status`} className="form-check-input" checked={values.status === status} onChange={() => onStatus(status)} />
              <label htmlFor={`${kind}-status-${status}`} className="form-check-label">{t(`postingForm.statusChoice.${status}`)}</label>
            </div>
          ))}
          {e.status && <p className="field-error">{e.status}</p>}
        </fieldset>
        <div className="d-flex flex-wrap gap-3 align-items-center">
          <button type="submit" className="btn btn-primary" disabled={busy}>
            {t(id ? 'postingForm.save' : kind === 'need' ? 'postingForm.submitNeed' : 'postingForm.submitOffer')}
          </button>
          <Link to={back}>{t('postingForm.cancel')}</Link>
        </div>
      </form>
      {id && <ClosePosting kind={kind} id={id} />}
    </>
  );
}

/** Closing, with a confirmation: the posting stays readable but no longer matches. */
function ClosePosting({ kind, id }: { kind: Kind; id: string }) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const [confirming, setConfirming] = useState(false);
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    if (confirming) document.getElementById('close-confirm')?.focus();
  }, [confirming]);
  async function close() {
    setBusy(true);
    setError(undefined);
    try {
      if (kind === 'need') await request(CloseNeedDocument, { id });
      else await request(CloseOfferDocument, { id });
      navigate(pathTo(kind, { id }), { state: { saved: 'closed' } });
    } catch (e) {
      setError(placeErrors(e, [], {}, t('errors.network')).other.join(' '));
    } finally {
      setBusy(false);
    }
  }
  return (
    <section className="mt-5 pt-3 border-top" aria-labelledby="close-title">
      <h2 id="close-title" className="h4">{t(`postingForm.${kind}CloseTitle`)}</h2>
      <p>{t(`postingForm.${kind}CloseBody`)}</p>
      {error && <div className="alert alert-danger" role="alert">{error}</div>}
      {confirming ? (
        <div className="d-flex flex-wrap gap-3">
          <button id="close-confirm" type="button" className="btn btn-danger" disabled={busy} onClick={close}>{t(`postingForm.${kind}CloseConfirm`)}</button>
          <button type="button" className="btn btn-outline-secondary" onClick={() => setConfirming(false)}>{t('postingForm.cancel')}</button>
        </div>
      ) : (
        <button type="button" className="btn btn-outline-danger" onClick={() => setConfirming(true)}>{t(`postingForm.${kind}Close`)}</button>
      )}
    </section>
  );
}
