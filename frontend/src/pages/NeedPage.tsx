// A need, as anyone may read it: what is asked, by whom, where and by when.
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router-dom';
import { NeedPageDocument } from '../../generated/graphql/graphql';
import { useQuery } from '../graphql/client';
import { apiLanguage } from '../i18n';
import { Failure, Loading, NotFound, usePageTitle } from '../components/Status';
import { formatDate } from '../format';
import { pathTo } from '../routes';

export default function NeedPage() {
  const { t } = useTranslation();
  const { id = '' } = useParams();
  const { data, error, loading } = useQuery(NeedPageDocument, { id, lang: apiLanguage() });
  const need = data?.need;
  usePageTitle(need?.title);
  if (error) return <Failure error={error} />;
  if (loading && !need) return <Loading />;
  if (!need) return <NotFound />;
  return (
    <article>
      <p className="text-muted mb-1">
        {t('need.label')} · {need.kindLabel} · {t(`status.${need.status}`)}
      </p>
      <h1>{need.title}</h1>
      <p>
        {t('need.by')} <Link to={pathTo('organization', { id: need.organization.id })}>{need.organization.name}</Link>{' '}
        <span className="text-muted">({need.organization.kindLabel})</span>
      </p>
      <div className="description">{need.description}</div>
      <dl className="facts">
        {need.budget && (<><dt>{t('need.budget')}</dt><dd>{need.budget.formatted}</dd></>)}
        {need.deadlineAt && (<><dt>{t('need.deadline')}</dt><dd>{formatDate(need.deadlineAt)}</dd></>)}
        {(need.neighbourhood || need.municipality) && (
          <>
            <dt>{t('need.where')}</dt>
            <dd>{[need.neighbourhood?.name, need.municipality?.name].filter(Boolean).join(', ')}</dd>
          </>
        )}
        {need.sectors.length > 0 && (<><dt>{t('common.sectors')}</dt><dd>{need.sectors.map((s) => s.name).join(', ')}</dd></>)}
        {need.requiresThirdSectorRegistration && (<><dt>{t('need.runts')}</dt><dd>{t('common.yes')}</dd></>)}
        <dt>{t('common.updated')}</dt><dd>{formatDate(need.updatedAt)}</dd>
      </dl>
    </article>
  );
}
