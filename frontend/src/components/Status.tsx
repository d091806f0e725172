// What a page shows while it loads, when its record does not exist, and when
// the request failed.
import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router-dom';
import type { GraphqlRequestError } from '../graphql/client';
import { pathTo } from '../routes';

export function Loading() {
  const { t } = useTranslation();
  return (
    <p role="status" aria-live="polite">
      {t('common.loading')}
    </p>
  );
}

export function NotFound() {
  const { t } = useTranslation();
  usePageTitle(t('notFound.title'));
  return (
    <>
      <h1>{t('notFound.title')}</h1>
      <p>{t('notFound.body')}</p>
      <p>
        <Link to={pathTo('home')}>{t('notFound.home')}</Link>
      </p>
    </>
  );
}

export function Failure({ error }: { error: GraphqlRequestError }) {
  const { t } = useTranslation();
  if (error.notFound) return <NotFound />;
  return (
    <div className="alert alert-danger" role="alert">
      <h1 className="h4">{t('errors.title')}</h1>
      <p className="mb-0">{error.message}</p>
    </div>
  );
}

/** Sets the document title: the page's own, then the site's name. */
export function usePageTitle(title: string | undefined): void {
  useEffect(() => {
    document.title = title ? `${title} — Trama` : 'Trama';
  }, [title]);
}
