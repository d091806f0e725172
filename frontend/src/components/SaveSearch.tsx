// "Save this search" on the results page: signed-in people name the search
// and the digest brings what it finds from then on.
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useLocation, useSearchParams } from 'react-router-dom';
import { SaveSearchDocument } from '../../generated/graphql/graphql';
import { GraphqlRequestError, request } from '../graphql/client';
import { formErrors, type FormErrors } from '../formErrors';
import { saveSearchInput, suggestedName } from '../savedSearch';
import { signInPath } from '../nextPath';
import { pathTo } from '../routes';
import FormField, { FormAlert } from './FormField';

export default function SaveSearch() {
  const { t } = useTranslation();
  const [params] = useSearchParams();
  const location = useLocation();
  const [open, setOpen] = useState(false);
  const [name, setName] = useState('');
  const [errors, setErrors] = useState<FormErrors>({ fields: {} });
  const [saved, setSaved] = useState<string>();
  const signedIn = Boolean(window.localStorage.getItem('trama.token'));

  async function submit(event: FormEvent) {
    event.preventDefault();
    setErrors({ fields: {} });
    try {
      const data = await request(SaveSearchDocument, { input: saveSearchInput(name, params) });
      setSaved(data.saveSearch.name);
      setOpen(false);
    } catch (e) {
      const found = formErrors(e, ['name', 'query'], t('errors.network'));
      if (e instanceof GraphqlRequestError && e.errors.some((x) => x.code === 'UNAUTHENTICATED'))
        found.general = t('saveSearch.signInFirst');
      setErrors(found);
    }
  }

  if (saved)
    return (
      <p className="save-search" role="status">
        {t('saveSearch.saved', { name: saved })} <Link to={pathTo('digestSettings')}>{t('saveSearch.manage')}</Link>
      </p>
    );
  if (!signedIn)
    return (
      <p className="save-search">
        <Link to={signInPath(location.pathname + location.search)}>{t('saveSearch.signIn')}</Link>
      </p>
    );
  if (!open)
    return (
      <p className="save-search">
        <button
          type="button"
          className="btn btn-outline-primary btn-sm"
          onClick={() => {
            setName(suggestedName(params, t('saveSearch.defaultName')));
            setOpen(true);
          }}
        >
          {t('saveSearch.button')}
        </button>
      </p>
    );
  return (
    <form onSubmit={submit} className="save-search narrow-form" noValidate>
      <FormAlert message={errors.general} />
      <FormField id="save-search-name" label={t('saveSearch.name')} hint={t('saveSearch.hint')} value={name} onChange={setName} error={errors.fields.name ?? errors.fields.query} maxLength={100} required />
      <div className="button-row">
        <button type="submit" className="btn btn-primary btn-sm">{t('saveSearch.save')}</button>
        <button type="button" className="btn btn-link btn-sm" onClick={() => setOpen(false)}>{t('orgRequests.cancel')}</button>
      </div>
    </form>
  );
}
