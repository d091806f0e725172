// While a need or an offer is written, the open ones most like it: so that
// nobody posts again what is already there (the API's `similar`).
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router-dom';
import { SimilarDocument, type SimilarQuery } from '../../generated/graphql/graphql';
import { request } from '../graphql/client';
import { pathTo } from '../routes';

/** How long typing must pause before asking (ms). */
const PAUSE = 400;

export default function SimilarPostings({
  kind,
  title,
  description,
  excludeId,
}: {
  kind: 'NEED' | 'OFFER';
  title: string;
  description: string;
  excludeId?: string;
}) {
  const { t } = useTranslation();
  const [hits, setHits] = useState<SimilarQuery['similar']>([]);
  const query = title.trim();
  useEffect(() => {
    if (query.length < 3) {
      setHits([]);
      return;
    }
    let current = true;
    const timer = window.setTimeout(() => {
      request(SimilarDocument, { kind, title: query.slice(0, 200), description: description.slice(0, 2000) || null, excludeId }).then(
        (data) => current && setHits(data.similar),
        () => current && setHits([]),
      );
    }, PAUSE);
    return () => {
      current = false;
      window.clearTimeout(timer);
    };
  }, [kind, query, description, excludeId]);
  return (
    <aside className="similar-postings" aria-labelledby="similar-title">
      <h2 id="similar-title" className="h6">{t(kind === 'NEED' ? 'postingForm.similarNeeds' : 'postingForm.similarOffers')}</h2>
      <div aria-live="polite">
        {hits.length === 0 ? (
          <p className="text-muted small mb-0">{t(query.length < 3 ? 'postingForm.similarHint' : 'postingForm.similarNone')}</p>
        ) : (
          <ul className="list-unstyled mb-0">
            {hits.map((hit) => {
              const posting = hit.need ?? hit.offer;
              if (!posting) return null;
              const to = hit.need ? pathTo('need', { id: posting.id }) : pathTo('offer', { id: posting.id });
              return (
                <li key={hit.id} className="mb-2">
                  <Link to={to} target="_blank" rel="noopener">
                    {posting.title}
                    <span className="visually-hidden"> {t('postingForm.newTab')}</span>
                  </Link>
                  <br />
                  <span className="small text-muted">{posting.organization.name}</span>
                </li>
              );
            })}
          </ul>
        )}
      </div>
    </aside>
  );
}
