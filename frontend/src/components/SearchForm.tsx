// The search box of the home and results pages: submitting opens the results
// page with the words and the kind in its URL.
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router-dom';
import { pathTo } from '../routes';

export default function SearchForm({ initialQuery = '', initialType = '' }: { initialQuery?: string; initialType?: string }) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const [query, setQuery] = useState(initialQuery);
  const [type, setType] = useState(initialType);
  function submit(event: FormEvent) {
    event.preventDefault();
    const params = new URLSearchParams();
    if (query.trim()) params.set('q', query.trim());
    if (type) params.set('type', type);
    navigate(`${pathTo('search')}?${params.toString()}`);
  }
  return (
    <form role="search" onSubmit={submit} className="search-form">
      <div className="search-query">
        <label htmlFor="search-q" className="form-label">{t('search.label')}</label>
        <input
          id="search-q"
          type="search"
          className="form-control"
          value={query}
          placeholder={t('search.placeholder')}
          onChange={(e) => setQuery(e.target.value)}
        />
      </div>
      <div className="search-type">
        <label htmlFor="search-type" className="form-label">{t('search.typeLabel')}</label>
        <select id="search-type" className="form-select" value={type} onChange={(e) => setType(e.target.value)}>
          <option value="">{t('search.types.ALL')}</option>
          <option value="NEED">{t('search.types.NEED')}</option>
          <option value="OFFER">{t('search.types.OFFER')}</option>
          <option value="ORGANIZATION">{t('search.types.ORGANIZATION')}</option>
        </select>
      </div>
      <button type="submit" className="btn btn-primary">{t('search.submit')}</button>
    </form>
  );
}
