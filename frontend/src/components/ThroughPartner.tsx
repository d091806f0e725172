// On a need's page, for its organisation's members: offers the need can
// receive only through a partner. Their conditions leave out the need's
// poster (a grant for third-sector bodies, for a municipality's need) but
// admit an organisation Trama proposes for the need; in a co-design that
// partner applies. Each offer names who may receive it. Nothing is shown
// when there is none.
import { useId } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router-dom';
import { ThroughPartnerDocument } from '../../generated/graphql/graphql';
import { useQuery } from '../graphql/client';
import { apiLanguage } from '../i18n';
import { percent } from '../matches/status';
import { pathTo } from '../routes';
import ReasonList from './ReasonList';

/** Partners named for each offer, the best matched first; the rest are counted. */
const SHOWN_PARTNERS = 3;

export default function ThroughPartner({ needId }: { needId: string }) {
  const { t } = useTranslation();
  const uid = useId();
  const result = useQuery(ThroughPartnerDocument, { needId, lang: apiLanguage() });
  const routes = result.data?.partnerSet.throughPartner ?? [];
  if (result.error) return <div className="alert alert-danger" role="alert">{result.error.message}</div>;
  if (routes.length === 0) return null;
  return (
    <section className="mt-4" aria-labelledby={`${uid}-title`}>
      <h3 id={`${uid}-title`} className="h4">{t('matches.throughPartner.title')}</h3>
      <p>{t('matches.throughPartner.intro')}</p>
      {routes.map((route) => (
        <article key={route.offer.id} className="card match-card mb-3" aria-labelledby={`${uid}-${route.offer.id}`}>
          <div className="card-body">
            <p className="match-kind mb-1">
              {t('matches.offerFrom')}{' '}
              <Link to={pathTo('organization', { id: route.offer.organization.id })}>{route.offer.organization.name}</Link>
              {' · '}{route.offer.kindLabel}
            </p>
            <h4 id={`${uid}-${route.offer.id}`} className="h5 card-title">
              <Link to={pathTo('offer', { id: route.offer.id })}>{route.offer.title}</Link>
            </h4>
            <p className="mb-2">
              <span className="match-score">{t('matches.score', { score: percent(route.score) })}</span>
            </p>
            <p className="mb-1">
              <strong>{t('matches.throughPartner.who', { count: route.partners.length })}</strong>{' '}
              <PartnerNames partners={route.partners} />
            </p>
            <p className="small text-muted">{t('matches.throughPartner.next')}</p>
            <details className="match-reasons">
              <summary>{t('matches.why')}</summary>
              <ReasonList reasons={route.reasons} />
            </details>
          </div>
        </article>
      ))}
    </section>
  );
}

/** The partners who may receive an offer: the best matched named, the rest counted. */
export function PartnerNames({ partners }: { partners: readonly { id: string; name: string; kindLabel: string }[] }) {
  const { t } = useTranslation();
  return (
    <>
      {partners.slice(0, SHOWN_PARTNERS).map((partner, i) => (
        <span key={partner.id}>
          {i > 0 && ', '}
          <Link to={pathTo('organization', { id: partner.id })}>{partner.name}</Link> ({partner.kindLabel})
        </span>
      ))}
      {partners.length > SHOWN_PARTNERS && (
        <> {t('matches.throughPartner.andMore', { count: partners.length - SHOWN_PARTNERS })}</>
      )}
    </>
  );
}
