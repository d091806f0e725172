// The observatory: per neighbourhood and per municipality, open needs, open
// offers and the needs still without a good match.
import { useTranslation } from 'react-i18next';
import { ObservatoryDocument } from '../../generated/graphql/graphql';
import { useQuery } from '../graphql/client';
import { Failure, Loading, usePageTitle } from '../components/Status';
import AreaMap from '../components/AreaMap';
import DataTable from '../components/DataTable';

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
          <AreaTable
            id="obs-nil"
            title={t('observatory.neighbourhoods')}
            rows={byUnmet(obs.neighbourhoods).map((a) => ({
              ...a,
              key: a.neighbourhood?.id ?? '',
              name: a.neighbourhood?.name ?? '',
            }))}
          />
          <AreaTable
            id="obs-mun"
            title={t('observatory.municipalities')}
            rows={byUnmet(obs.municipalities).map((a) => ({
              ...a,
              key: a.municipality?.istatCode ?? '',
              name: a.municipality?.name ?? '',
            }))}
          />
        </>
      )}
    </>
  );
}

interface AreaRow {
  key: string;
  name: string;
  openNeeds: number;
  unmatchedNeeds: number;
  openOffers: number;
}

// One table of areas (neighbourhoods or municipalities), most unmet first.
function AreaTable({ id, title, rows }: { id: string; title: string; rows: AreaRow[] }) {
  const { t } = useTranslation();
  return (
    <section aria-labelledby={id}>
      <h2 id={id} className="h4">{title}</h2>
      <DataTable
        compact
        headers={[
          t('observatory.area'),
          t('observatory.openNeeds'),
          t('observatory.unmatchedNeeds'),
          t('observatory.openOffers'),
        ]}
      >
        {rows.map((row) => (
          <tr key={row.key}>
            <th scope="row">{row.name}</th>
            <td>{row.openNeeds}</td>
            <td>{row.unmatchedNeeds}</td>
            <td>{row.openOffers}</td>
          </tr>
        ))}
      </DataTable>
    </section>
  );
}
