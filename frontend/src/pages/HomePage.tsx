// The home page: what Trama is, a search box, and the platform in figures.
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router-dom';
import { PlatformStatsDocument } from '../../generated/graphql/graphql';
import { useQuery } from '../graphql/client';
import SearchForm from '../components/SearchForm';
import { usePageTitle } from '../components/Status';
import { pathTo } from '../routes';

export default function HomePage() {
  const { t } = useTranslation();
  usePageTitle(undefined);
  const stats = useQuery(PlatformStatsDocument, {});
  const figures = stats.data?.platformStats;
  return (
    <>
      <h1>{t('home.title')}</h1>
      <p className="lead">{t('home.intro')}</p>
      <section aria-labelledby="home-search" className="my-4">
        <h2 id="home-search" className="h4">{t('home.searchTitle')}</h2>
        <SearchForm />
      </section>
      <section aria-labelledby="home-figures" className="my-4">
        <h2 id="home-figures" className="h4">{t('home.figuresTitle')}</h2>
        <dl className="figures" aria-busy={stats.loading}>
          {(['organizations', 'openOffers', 'openNeeds', 'municipalities', 'neighbourhoods'] as const).map((key) => (
            <div key={key} className="figure">
              <dt>{t(`home.figures.${key}`)}</dt>
              <dd>{figures ? figures[key].toLocaleString('it-IT') : '—'}</dd>
            </div>
          ))}
        </dl>
      </section>
      <section aria-labelledby="home-more" className="my-4">
        <h2 id="home-more" className="h4">{t('home.moreTitle')}</h2>
        <ul>
          <li><Link to={pathTo('observatory')}>{t('home.moreObservatory')}</Link></li>
          <li><Link to={pathTo('openData')}>{t('home.moreOpenData')}</Link></li>
          <li><a href="/graphql">{t('home.moreApi')}</a></li>
        </ul>
      </section>
    </>
  );
}
