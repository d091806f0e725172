// The open data: the download links, what the files hold, and the licence.
import { useTranslation } from 'react-i18next';
import DataTable from '../components/DataTable';
import { PageTitle } from '../components/Status';

const DATASETS = ['needs', 'offers', 'pacts'] as const;

export default function OpenDataPage() {
  const { t } = useTranslation();
  return (
    <>
      <PageTitle title={t('openData.title')} />
      <p className="lead">{t('openData.intro')}</p>
      <DataTable headers={[t('openData.dataset'), t('openData.content'), t('openData.download')]}>
        {DATASETS.map((d) => (
          <tr key={d}>
            <th scope="row">{t(`openData.datasets.${d}.name`)}</th>
            <td>{t(`openData.datasets.${d}.content`)}</td>
            <td>
              <a href={`/opendata/${d}.csv`} download>
                CSV<span className="visually-hidden"> — {t(`openData.datasets.${d}.name`)}</span>
              </a>{' '}
              ·{' '}
              <a href={`/opendata/${d}.json`} download>
                JSON<span className="visually-hidden"> — {t(`openData.datasets.${d}.name`)}</span>
              </a>
            </td>
          </tr>
        ))}
      </DataTable>
      <h2 className="h4">{t('openData.licenceTitle')}</h2>
      <p>{t('openData.licence')}</p>
      <h2 className="h4">{t('openData.sourcesTitle')}</h2>
      <ul>
        <li>{t('openData.sourceNil')}</li>
        <li>{t('openData.sourceIstat')}</li>
      </ul>
      <p>{t('openData.api')}</p>
    </>
  );
}
