// What a page shows while it loads, when its record does not exist, and when
// the request failed.
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { useEffect } from 'react';
import type { JSX } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router-dom';
import { RecordChangesDocument, type Language, type RecordType } from '../../generated/graphql/graphql';
import { useQuery, type GraphqlRequestError } from '../graphql/client';
import { useSubscription } from '../graphql/live';
import { apiLanguage } from '../i18n';
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

/** The page's heading, which is also its document title. */
export function PageTitle({ title }: { title: string }) {
  usePageTitle(title);
  return <h1>{title}</h1>;
}

/**
 * The record of a page at `/…/:id`, read with `document` in the reader's
 * language and taken from the answer with `pick`; the page is titled after
 * it. Until the record is there, the second value is what the page shows
 * instead: loading, the failure, or not found. With `live`, the record is
 * loaded again whenever it changes (recordChanges over graphql-ws).
 */
export function useRecord<TResult, TRecord>(
  document: TypedDocumentNode<TResult, { id: string | number; lang?: Language | null }>,
  pick: (data: TResult | undefined) => TRecord | null | undefined,
  title: (record: TRecord) => string,
  live?: RecordType,
): [TRecord, null] | [null, JSX.Element] {
  const { id = '' } = useParams();
  const { data, error, loading, reload } = useQuery(document, { id, lang: apiLanguage() });
  // Live: when someone changes (or withdraws) the record, the page loads it again.
  useSubscription(RecordChangesDocument, { types: live ? [live] : undefined }, (change) => {
    if (change.recordChanges.id === id) reload();
  }, { enabled: live !== undefined && id !== '' });
  const record = pick(data);
  usePageTitle(record ? title(record) : undefined);
  if (error) return [null, <Failure error={error} />];
  if (loading && !record) return [null, <Loading />];
  if (!record) return [null, <NotFound />];
  return [record, null];
}
