// The observatory: per neighbourhood and per municipality, open needs, open
// offers and the needs still without a good match.
import { useTranslation } from 'react-i18next';
import { ObservatoryDocument } from '../../generated/graphql/graphql';
import { useQuery } from '../graphql/client';
import { Failure, Loading, usePageTitle } from '../components/Status';
import AreaMap from '../components/AreaMap';

export default function ObservatoryPage() {
  const { t } = useTranslation();
  usePageTitle(t('observatory.title'));
  const { data, error, loading } = useQuery(ObservatoryDocument, {});
  if (error) return <Failure error={error} />;
  const obs = data?.observatory;
  const byUnmet = <T extends { unmatchedNeeds: number; openNeeds: number }>(rows: T[]) =>
    [...rows].sort((a, b) => b.unmatchedNeeds - a.unmatchedNeeds || b.openNeeds - a.openNeeds);
  return (
    <>
      <h1>{t('observatory.title')}</h1>
      <p className="lead">{t('observatory.intro')}</p>
      {loading && !obs && <Loading />}
      {obs && (
        <>
          <AreaMap
            values={Object.fromEntries(obs.neighbourhoods.map((a) => [a.neighbourhood?.id ?? '', a.unmatchedNeeds]))}
            describe={(name, id) => {
              const area = obs.neighbourhoods.find((a) => a.neighbourhood?.id === id);
              return `${name}: ${t('map.tooltip', { open: area?.openNeeds ?? 0, unmatched: area?.unmatchedNeeds ?? 0 })}`;
            }}
            caption={t('map.caption')}
          />
          <section aria-labelledby="obs-nil">
            <h2 id="obs-nil" className="h4">{t('observatory.neighbourhoods')}</h2>
            <div className="table-responsive">
              <table className="table table-sm">
                <thead>
                  <tr>
                    <th scope="col">{t('observatory.area')}</th>
                    <th scope="col">{t('observatory.openNeeds')}</th>
                    <th scope="col">{t('observatory.unmatchedNeeds')}</th>
                    <th scope="col">{t('observatory.openOffers')}</th>
                  </tr>
                </thead>
                <tbody>
                  {byUnmet(obs.neighbourhoods).map((a) => (
                    <tr key={a.neighbourhood?.id}>
                      <th scope="row">{a.neighbourhood?.name}</th>
                      <td>{a.openNeeds}</td>
                      <td>{a.unmatchedNeeds}</td>
                      <td>{a.openOffers}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </section>
          <section aria-labelledby="obs-mun">
            <h2 id="obs-mun" className="h4">{t('observatory.municipalities')}</h2>
            <div className="table-responsive">
              <table className="table table-sm">
                <thead>
                  <tr>
                    <th scope="col">{t('observatory.area')}</th>
                    <th scope="col">{t('observatory.openNeeds')}</th>
                    <th scope="col">{t('observatory.unmatchedNeeds')}</th>
                    <th scope="col">{t('observatory.openOffers')}</th>
                  </tr>
                </thead>
                <tbody>
                  {byUnmet(obs.municipalities).map((a) => (
                    <tr key={a.municipality?.istatCode}>
                      <th scope="row">{a.municipality?.name}</th>
                      <td>{a.openNeeds}</td>
                      <td>{a.unmatchedNeeds}</td>
                      <td>{a.openOffers}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </section>
        </>
      )}
    </>
  );
}
