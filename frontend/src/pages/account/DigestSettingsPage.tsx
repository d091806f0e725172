// The e-mail digest's settings (the page the digest's "change" link opens):
// how often, in which language, what it brings; and the saved searches it
// runs, each opening its results or deleted.
import { useEffect, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router-dom';
import {
  DeleteSavedSearchDocument,
  DigestSettingsPageDocument,
  UpdateDigestSettingsDocument,
  type DigestFrequency,
  type DigestSettingsFieldsFragment,
  type Language,
  type SavedSearchFieldsFragment,
} from '../../../generated/graphql/graphql';
import { request, useQuery } from '../../graphql/client';
import { formErrors } from '../../formErrors';
import { paramsOfSavedSearch } from '../../savedSearch';
import { FormAlert } from '../../components/FormField';
import SignInNeeded from '../../components/SignInNeeded';
import { Failure, Loading, usePageTitle } from '../../components/Status';
import { pathTo } from '../../routes';

const FREQUENCIES: DigestFrequency[] = ['IMMEDIATE', 'DAILY', 'WEEKLY', 'OFF'];
const CONTENTS = ['includeMatches', 'includeSavedSearches', 'includeProjects'] as const;

export default function DigestSettingsPage() {
  const { t } = useTranslation();
  usePageTitle(t('digestSettings.title'));
  const page = useQuery(DigestSettingsPageDocument, {});
  if (page.error?.errors.some((e) => e.code === 'UNAUTHENTICATED'))
    return <SignInNeeded title={t('digestSettings.title')} body={t('digestSettings.signInNeeded')} />;
  if (page.error) return <Failure error={page.error} />;
  if (!page.data) return <Loading />;
  return (
    <>
      <h1>{t('digestSettings.title')}</h1>
      <p>{t('digestSettings.intro', { email: page.data.me?.email ?? '' })}</p>
      <SettingsForm initial={page.data.digestSettings} />
      <SavedSearches initial={page.data.savedSearches} />
    </>
  );
}

function SettingsForm({ initial }: { initial: DigestSettingsFieldsFragment }) {
  const { t, i18n } = useTranslation();
  const [saved, setSaved] = useState(initial);
  const [frequency, setFrequency] = useState(initial.frequency);
  const [language, setLanguage] = useState<Language>(initial.language);
  const [contents, setContents] = useState(() => Object.fromEntries(CONTENTS.map((c) => [c, initial[c]])) as Record<(typeof CONTENTS)[number], boolean>);
  const [status, setStatus] = useState<string>();
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  useEffect(() => setStatus(undefined), [frequency, language, contents]);
  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const data = await request(UpdateDigestSettingsDocument, { input: { frequency, language, ...contents } });
      setSaved(data.updateDigestSettings);
      setStatus(t(frequency === 'OFF' ? 'digestSettings.savedOff' : 'digestSettings.saved'));
    } catch (e) {
      setError(formErrors(e, [], t('errors.network')).general);
    } finally {
      setBusy(false);
    }
  }
  const when = (iso?: string | null) => (iso ? new Date(iso).toLocaleString(i18n.language === 'en' ? 'en-GB' : 'it-IT') : undefined);
  return (
    <form onSubmit={submit} className="trama-form mb-5" noValidate aria-labelledby="digest-form-title">
      <h2 id="digest-form-title" className="h4">{t('digestSettings.formTitle')}</h2>
      <FormAlert message={error} />
      {saved.deliveryStatus && <div className="alert alert-warning" role="status">{saved.deliveryStatus.message}</div>}
      <fieldset className="mb-4">
        <legend>{t('digestSettings.frequency')}</legend>
        {FREQUENCIES.map((f) => (
          <div className="form-check" key={f}>
            <input id={`digest-frequency-${f}`} type="radio" name="frequency" value={f} checked={frequency === f} onChange={() => setFrequency(f)} />
            <label htmlFor={`digest-frequency-${f}`}>{t(`digestSettings.frequencies.${f}`)}</label>
          </div>
        ))}
      </fieldset>
      <fieldset className="mb-4" disabled={frequency === 'OFF'}>
        <legend>{t('digestSettings.contents')}</legend>
        {CONTENTS.map((c) => (
          <div className="form-check" key={c}>
            <input id={`digest-${c}`} type="checkbox" checked={contents[c]} onChange={() => setContents((v) => ({ ...v, [c]: !v[c] }))} />
            <label htmlFor={`digest-${c}`}>{t(`digestSettings.${c}`)}</label>
          </div>
        ))}
      </fieldset>
      <div className="mb-4 form-field">
        <label htmlFor="digest-language" className="form-label">{t('digestSettings.language')}</label>
        <select id="digest-language" className="form-select" value={language} onChange={(e) => setLanguage(e.target.value as Language)}>
          <option value="IT">Italiano</option>
          <option value="EN">English</option>
        </select>
      </div>
      <p className="small">
        {saved.lastSentAt ? t('digestSettings.lastSent', { when: when(saved.lastSentAt) }) : t('digestSettings.neverSent')}
        {saved.nextDueAt && <> {t('digestSettings.nextDue', { when: when(saved.nextDueAt) })}</>}
      </p>
      <button type="submit" className="btn btn-primary" disabled={busy}>{t('digestSettings.save')}</button>
      <p role="status" aria-live="polite" className="mt-3 fw-semibold">{status}</p>
    </form>
  );
}

function SavedSearches({ initial }: { initial: SavedSearchFieldsFragment[] }) {
  const { t } = useTranslation();
  const [list, setList] = useState(initial);
  const [error, setError] = useState<string>();
  async function remove(id: string) {
    setError(undefined);
    try {
      await request(DeleteSavedSearchDocument, { id });
      setList((l) => l.filter((s) => s.id !== id));
    } catch (e) {
      setError(formErrors(e, [], t('errors.network')).general);
    }
  }
  return (
    <section aria-labelledby="saved-searches-title">
      <h2 id="saved-searches-title" className="h4">{t('digestSettings.savedSearchesTitle')}</h2>
      <p>{t('digestSettings.savedSearchesIntro')}</p>
      <FormAlert message={error} />
      {list.length === 0 ? (
        <p>
          {t('digestSettings.noSavedSearches')} <Link to={pathTo('search')}>{t('nav.search')}</Link>
        </p>
      ) : (
        <ul className="list-unstyled">
          {list.map((s) => (
            <li key={s.id} className="member-row button-row justify-content-between">
              <Link to={`${pathTo('search')}?${paramsOfSavedSearch(s).toString()}`}>{s.name}</Link>
              <button type="button" className="btn btn-sm btn-outline-danger" onClick={() => remove(s.id)}>
                {t('digestSettings.deleteSearch')}<span className="visually-hidden"> {s.name}</span>
              </button>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
