// A need, as anyone may read it: what is asked, by whom, where (and how far
// beyond) and by when.
import { useTranslation } from 'react-i18next';
import { NeedPageDocument } from '../../generated/graphql/graphql';
import PostingHeader from '../components/PostingHeader';
import { AlsoLine, ReachLine } from '../components/PostingPlaces';
import { placesText, reachOf } from '../places';
import ReportContent from '../components/ReportContent';
import { useRecord } from '../components/Status';
import { formatDate } from '../format';
import PostingMatches, { SavedNotice } from '../components/PostingMatches';
import WhyNot from '../components/WhyNot';
import OpenProject from '../components/OpenProject';
import Art55NeedNotice from './project/Art55NeedNotice';

export default function NeedPage() {
  const { t } = useTranslation();
  const [need, gate] = useRecord(NeedPageDocument, (data) => data?.need, (need) => need.title, 'NEED');
  if (!need) return gate;
  const municipalities = [need.municipality, ...need.otherPlaces.map((p) => p.municipality)];
  const reach = reachOf(need.territoryScope, municipalities);
  return (
    <>
      <SavedNotice />
      <article>
        <PostingHeader label={t('need.label')} by={t('need.by')} posting={need} />
        <dl className="facts">
          {need.budget && (<><dt>{t('need.budget')}</dt><dd>{need.budget.formatted}</dd></>)}
          {need.deadlineAt && (<><dt>{t('need.deadline')}</dt><dd>{formatDate(need.deadlineAt)}</dd></>)}
          {(need.neighbourhood || need.municipality || need.otherPlaces.length > 0 || reach) && (
            <>
              <dt>{t('need.where')}</dt>
              <dd>
                {[need.neighbourhood?.name, need.municipality?.name].filter(Boolean).join(', ')}
                <AlsoLine places={placesText(need.otherPlaces)} />
                <ReachLine scope={need.territoryScope} municipalities={municipalities} />
              </dd>
            </>
          )}
          {need.sectors.length > 0 && (<><dt>{t('common.sectors')}</dt><dd>{need.sectors.map((s) => s.name).join(', ')}</dd></>)}
          {need.requiresThirdSectorRegistration && (<><dt>{t('need.runts')}</dt><dd>{t('common.yes')}</dd></>)}
          <dt>{t('common.updated')}</dt><dd>{formatDate(need.updatedAt)}</dd>
        </dl>
        <ReportContent kind="NEED" id={need.id} title={need.title} organizationId={need.organization.id} />
      </article>
      {need.status === 'OPEN' && <OpenProject needId={need.id} organizationId={need.organization.id} />}
      <Art55NeedNotice needId={need.id} organizationId={need.organization.id} />
      <PostingMatches kind="need" id={need.id} organizationId={need.organization.id} open={need.status === 'OPEN'} updatedAt={need.updatedAt} />
      {need.status === 'OPEN' && <WhyNot kind="need" id={need.id} organizationId={need.organization.id} />}
    </>
  );
}
