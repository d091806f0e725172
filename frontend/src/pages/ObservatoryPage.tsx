// The observatory: per neighbourhood and per municipality, open needs, open
// offers and the needs still without a good match.
import { useTranslation } from 'react-i18next';
import { ObservatoryDocument } from '../../generated/graphql/graphql';
import { useQuery } from '../graphql/client';
import { Failure, Loading, usePageTitle } from '../components/Status';
import AreaMap from '../components/AreaMap';
import DataTable from '../components/DataTable';
import Section from '../components/Section';

export default function ObservatoryPage() {
  const { t } = useTranslation();
  usePageTitle(t('observatory.title'));
  const { data, error, loading } = useQuery(ObservatoryDocument, {});
  if (error) return <Failure error={error} />;
  const obs = data?.observatory;
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
            rows={byUnmet(obs.neighbourhoods, (a) => ({ key: a.neighbourhood?.id, name: a.neighbourhood?.name }))}
          />
          <AreaTable
            id="obs-mun"
            title={t('observatory.municipalities')}
            rows={byUnmet(obs.municipalities, (a) => ({ key: a.municipality?.istatCode, name: a.municipality?.name }))}
          />
        </>
      )}
    </>
  );
}

interface AreaCounts {
  openNeeds: number;
  unmatchedNeeds: number;
  openOffers: number;
}

interface AreaRow extends AreaCounts {
  key: string;
  name: string;
}

/** The areas most unmet first (then most open needs), each keyed and named by `place`. */
function byUnmet<T extends AreaCounts>(areas: T[], place: (area: T) => { key?: string; name?: string }): AreaRow[] {
  return [...areas]
    .sort((a, b) => b.unmatchedNeeds - a.unmatchedNeeds || b.openNeeds - a.openNeeds)
    .map((area) => {
      const { key, name } = place(area);
      return { ...area, key: key ?? '', name: name ?? '' };
    });
}

// One table of areas (neighbourhoods or municipalities), most unmet first.
function AreaTable({ id, title, rows }: { id: string; title: string; rows: AreaRow[] }) {
  const { t } = useTranslation();
  return (
    <Section id={id} title={title}>
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
    </Section>
  );
}
