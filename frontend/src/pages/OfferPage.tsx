// An offer, as anyone may read it: what is offered, by whom, where and when.
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router-dom';
import { OfferPageDocument } from '../../generated/graphql/graphql';
import { useQuery } from '../graphql/client';
import { apiLanguage } from '../i18n';
import { Failure, Loading, NotFound, usePageTitle } from '../components/Status';
import { formatDate } from '../format';
import { pathTo } from '../routes';

export default function OfferPage() {
  const { t } = useTranslation();
  const { id = '' } = useParams();
  const { data, error, loading } = useQuery(OfferPageDocument, { id, lang: apiLanguage() });
  const offer = data?.offer;
  usePageTitle(offer?.title);
  if (error) return <Failure error={error} />;
  if (loading && !offer) return <Loading />;
  if (!offer) return <NotFound />;
  const amount = [offer.amountMin?.formatted, offer.amountMax?.formatted].filter(Boolean).join(' – ');
  const period = [offer.availableFrom, offer.availableUntil].filter(Boolean).map((d) => formatDate(d as string)).join(' – ');
  return (
    <article>
      <p className="text-muted mb-1">
        {t('offer.label')} · {offer.kindLabel} · {t(`status.${offer.status}`)}
      </p>
      <h1>{offer.title}</h1>
      <p>
        {t('offer.by')} <Link to={pathTo('organization', { id: offer.organization.id })}>{offer.organization.name}</Link>{' '}
        <span className="text-muted">({offer.organization.kindLabel})</span>
      </p>
      <div className="description">{offer.description}</div>
      <dl className="facts">
        {amount && (<><dt>{t('offer.amount')}</dt><dd>{amount}</dd></>)}
        {period && (<><dt>{t('offer.period')}</dt><dd>{period}</dd></>)}
        <dt>{t('offer.scope')}</dt>
        <dd>
          {t(`scope.${offer.territoryScope}`)}
          {(offer.neighbourhood || offer.municipality) &&
            `: ${[offer.neighbourhood?.name, offer.municipality?.name].filter(Boolean).join(', ')}`}
        </dd>
        {offer.sectors.length > 0 && (<><dt>{t('common.sectors')}</dt><dd>{offer.sectors.map((s) => s.name).join(', ')}</dd></>)}
        <dt>{t('common.updated')}</dt><dd>{formatDate(offer.updatedAt)}</dd>
      </dl>
    </article>
  );
}
