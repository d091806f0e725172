// Search results: the words and ticked facets come from the URL; facets with
// their counts, snippets with the matched words marked, and paging. While
// the page is open, records published or changed meanwhile are announced
// politely ("N nuovi risultati — aggiorna"), never swapped in under the
// reader's eyes.
import { lazy, Suspense, useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { TFunction } from 'i18next';
import { Link, useNavigate, useSearchParams } from 'react-router-dom';
import {
  RecordChangesDocument,
  SearchCountDocument,
  SearchDocument,
  type SearchQuery,
  type SearchQueryVariables,
} from '../../generated/graphql/graphql';
import { request, useQuery } from '../graphql/client';
import { useSubscription } from '../graphql/live';
import { apiLanguage } from '../i18n';
import SearchForm from '../components/SearchForm';
import SaveSearch from '../components/SaveSearch';
import Highlight from '../components/Highlight';
import { Failure, Loading, usePageTitle } from '../components/Status';
import { FACETS, PAGE_SIZE, byCountThenLabel, filterFromParams, nextPageParams, toggleParam } from '../search';
import { pathTo } from '../routes';

// The map carries Leaflet: loaded with the first results.
const AreaMap = lazy(() => import('../components/AreaMap'));

type Hit = SearchQuery['search']['nodes'][number];

type HitLink = { to: string; title: string; kind: string; meta: string[] };
type Posting = NonNullable<Hit['need'] | Hit['offer']>;

/** A need or an offer: its page, its organisation and where it is. */
function postingLink(route: 'need' | 'offer', posting: Posting, t: TFunction): HitLink {
  const first = posting.neighbourhood?.name ?? posting.municipality?.name;
  const others = posting.otherPlaces.map((p) => p.neighbourhood?.name ?? p.municipality.name);
  return {
    to: pathTo(route, { id: posting.id }),
    title: posting.title,
    kind: posting.kindLabel,
    meta: [posting.organization.name, shortPlaces(first ? [first, ...others] : others, t)],
  };
}

/** Up to three places by name, then how many more ("Giambellino, Barona e altri 2 luoghi"). */
function shortPlaces(names: readonly string[], t: TFunction): string {
  const unique = names.filter((name, i) => names.indexOf(name) === i);
  if (unique.length <= 3) return unique.join(', ');
  return `${unique.slice(0, 2).join(', ')} ${t('places.andMore', { count: unique.length - 2 })}`;
}

function hitLink(hit: Hit, t: TFunction): HitLink | undefined {
  if (hit.need) return postingLink('need', hit.need, t);
  if (hit.offer) return postingLink('offer', hit.offer, t);
  if (hit.organization)
    return {
      to: pathTo('organization', { id: hit.organization.id }),
      title: hit.organization.name,
      kind: hit.organization.kindLabel,
      meta: [hit.organization.seatMunicipality?.name ?? ''],
    };
  return undefined;
}

export default function SearchPage() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const query = params.get('q') ?? '';
  const after = params.get('after') ?? undefined;
  const page = Number(params.get('page') ?? '1') || 1;
  usePageTitle(query ? t('search.titleFor', { query }) : t('search.title'));
  const variables: SearchQueryVariables = {
    query,
    filter: filterFromParams(params),
    first: PAGE_SIZE,
    after,
    lang: apiLanguage(),
  };
  const result = useQuery(SearchDocument, variables);
  const search = result.data?.search;
  const go = (next: URLSearchParams) => navigate(`${pathTo('search')}?${next.toString()}`);

  return (
    <>
      <h1>{query ? t('search.titleFor', { query }) : t('search.title')}</h1>
      <SearchForm key={query} initialQuery={query} />
      <SaveSearch key={params.toString()} />
      {result.error && <Failure error={result.error} />}
      {!search && result.loading && <Loading />}
      {search && (
        <div className="row mt-4">
          <aside className="col-12 col-lg-4 order-2 order-lg-1" aria-labelledby="facets-title">
            <h2 id="facets-title" className="h5">{t('search.facetsTitle')}</h2>
            {FACETS.map(({ facet, param }) => {
              const values = byCountThenLabel(search.facets[facet]);
              if (!values.length) return null;
              return (
                <fieldset key={facet} className="facet mb-3">
                  <legend className="h6">{t(`search.facets.${facet}`)}</legend>
                  {values.slice(0, 12).map((v) => {
                    const id = `facet-${param}-${v.value}`;
                    const checked = params.getAll(param).includes(v.value);
                    return (
                      <div className="form-check" key={v.value}>
                        <input
                          id={id}
                          type="checkbox"
                          className="form-check-input"
                          checked={checked}
                          onChange={() => go(toggleParam(params, param, v.value))}
                        />
                        <label htmlFor={id} className="form-check-label">
                          {v.label ?? v.value} <span className="facet-count">({v.count})</span>
                        </label>
                      </div>
                    );
                  })}
                </fieldset>
              );
            })}
          </aside>
          <section className="col-12 col-lg-8 order-1 order-lg-2" aria-labelledby="results-title">
            {/* A live region around the heading (a heading cannot be one):
                the count and how the words were matched are read out when a
                new search lands. */}
            <div role="status" aria-live="polite">
              <h2 id="results-title" className="h5">
                {t('search.count', { count: search.totalCount })}
                {page > 1 ? ` — ${t('search.page', { page })}` : ''}
              </h2>
              {search.relaxed && <p className="text-muted">{t('search.relaxed')}</p>}
              {search.allWordsCount != null && (
                <p className="text-muted">{t('search.someWords', { count: search.allWordsCount })}</p>
              )}
            </div>
            <NewResults variables={variables} total={search.totalCount} onRefresh={result.reload} />
            {search.suggestion && (
              <p>
                {t('search.didYouMean')}{' '}
                <Link to={`${pathTo('search')}?q=${encodeURIComponent(search.suggestion)}`}>{search.suggestion}</Link>
              </p>
            )}
            {search.facets.neighbourhood.length > 0 && (
              <Suspense fallback={null}>
                <AreaMap
                  values={Object.fromEntries(search.facets.neighbourhood.map((f) => [f.value, f.count]))}
                  describe={(name, id) =>
                    `${name}: ${t('search.count', { count: search.facets.neighbourhood.find((f) => f.value === id)?.count ?? 0 })}`
                  }
                  onSelect={(id) => go(toggleParam(params, 'neighbourhood', id))}
                  selected={params.getAll('neighbourhood')}
                  caption={t('search.mapCaption')}
                />
              </Suspense>
            )}
            <ol className="results list-unstyled">
              {search.nodes.map((hit) => {
                const link = hitLink(hit, t);
                if (!link) return null;
                return (
                  <li key={`${hit.type}-${hit.id}`} className="result card-wrapper mb-3">
                    <article className="card card-bg">
                      <div className="card-body">
                        <p className="result-kind">
                          <span className="badge bg-primary me-2">{t(`search.types.${hit.type}`)}</span>
                          {link.kind}
                        </p>
                        <h3 className="h5 card-title">
                          <Link to={link.to}>{link.title}</Link>
                        </h3>
                        {hit.highlights
                          .filter((h) => h.field === 'description')
                          .flatMap((h) => h.fragments)
                          .slice(0, 2)
                          .map((fragment, i) => (
                            <p key={i} className="card-text snippet">
                              <Highlight fragment={fragment} />
                            </p>
                          ))}
                        <p className="result-meta text-muted mb-0">{link.meta.filter(Boolean).join(' · ')}</p>
                      </div>
                    </article>
                  </li>
                );
              })}
            </ol>
            <nav aria-label={t('search.paging')} className="d-flex gap-3">
              {page > 1 && (
                <button type="button" className="btn btn-outline-primary" onClick={() => navigate(-1)}>
                  {t('search.previous')}
                </button>
              )}
              {search.pageInfo.hasNextPage && search.pageInfo.endCursor && (
                <Link className="btn btn-primary" to={`${pathTo('search')}?${nextPageParams(params, search.pageInfo.endCursor).toString()}`}>
                  {t('search.next')}
                </Link>
              )}
            </nav>
          </section>
        </div>
      )}
    </>
  );
}

/** How long to wait after a change before searching again: changes come in bursts. */
const RECHECK_AFTER = 1500;

/**
 * Listens for public records changing (of the searched types) and, a
 * moment after, runs the search again in the background: when it finds
 * more results than shown, says how many, with a button to show them.
 */
function NewResults({ variables, total, onRefresh }: { variables: SearchQueryVariables; total: number; onRefresh: () => void }) {
  const { t } = useTranslation();
  const [fresh, setFresh] = useState(0);
  const timer = useRef<number>();
  const key = JSON.stringify(variables);
  useEffect(() => {
    setFresh(0);
    return () => window.clearTimeout(timer.current);
  }, [key, total]);
  const types = variables.filter?.types?.length ? variables.filter.types : undefined;
  useSubscription(RecordChangesDocument, { types }, () => {
    window.clearTimeout(timer.current);
    timer.current = window.setTimeout(() => {
      const { query, filter } = JSON.parse(key) as SearchQueryVariables;
      request(SearchCountDocument, { query, filter }).then(
        (data) => setFresh(Math.max(0, data.search.totalCount - total)),
        () => undefined,
      );
    }, RECHECK_AFTER);
  });
  return (
    <div role="status" aria-live="polite" className="live-notice">
      {fresh > 0 && (
        <p className="alert alert-info d-flex flex-wrap align-items-center gap-2 mb-3">
          <span>{t('search.live.newResults', { count: fresh })}</span>
          <button type="button" className="btn btn-primary btn-sm" onClick={onRefresh}>
            {t('search.live.refresh')}
          </button>
        </p>
      )}
    </div>
  );
}
