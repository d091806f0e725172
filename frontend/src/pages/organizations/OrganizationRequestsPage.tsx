// An organisation's pending requests to join, for its admins (the page the
// "someone asks to join" e-mail links to): approve, or decline with a reason.
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router-dom';
import { OrganizationNameDocument, OrganizationRequestsDocument } from '../../../generated/graphql/graphql';
import { useQuery } from '../../graphql/client';
import RequestCard from '../../components/RequestCard';
import SignInNeeded from '../../components/SignInNeeded';
import { Failure, Loading, usePageTitle } from '../../components/Status';
import { pathTo } from '../../routes';

export default function OrganizationRequestsPage() {
  const { t } = useTranslation();
  const { id = '' } = useParams();
  const org = useQuery(OrganizationNameDocument, { id });
  const requests = useQuery(OrganizationRequestsDocument, { organizationId: id });
  const name = org.data?.organization?.name;
  const title = name ? t('orgRequests.titleOf', { name }) : t('requests.title');
  usePageTitle(title);
  const codes = requests.error?.errors.map((e) => e.code) ?? [];
  if (codes.includes('UNAUTHENTICATED')) return <SignInNeeded title={t('requests.title')} body={t('requests.body')} />;
  if (codes.includes('FORBIDDEN'))
    return (
      <>
        <h1>{title}</h1>
        <p>{t('orgRequests.forbidden')}</p>
      </>
    );
  if (requests.error) return <Failure error={requests.error} />;
  if (org.error) return <Failure error={org.error} />;
  if (!requests.data) return <Loading />;
  const list = requests.data.organizationRequests;
  return (
    <>
      <h1>{title}</h1>
      <p>
        {t('orgRequests.intro')}{' '}
        <Link to={pathTo('organizationMembers', { id })}>{t('orgAccess.membersLink')}</Link>
      </p>
      {list.length === 0 ? (
        <p>{t('orgRequests.none')}</p>
      ) : (
        <section aria-labelledby="requests-pending">
          <h2 id="requests-pending" className="h4">{t('orgRequests.pending', { count: list.length })}</h2>
          {list.map((r) => (
            <RequestCard key={r.id} item={r} />
          ))}
        </section>
      )}
    </>
  );
}
