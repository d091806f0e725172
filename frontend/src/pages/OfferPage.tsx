// An offer, as anyone may read it: what is offered, by whom, where and when.
import { useTranslation } from 'react-i18next';
import { OfferPageDocument } from '../../generated/graphql/graphql';
import PostingHeader from '../components/PostingHeader';
import { AlsoLine } from '../components/PostingPlaces';
import { otherAreasText } from '../places';
import ReportContent from '../components/ReportContent';
import { useRecord } from '../components/Status';
import { formatDate } from '../format';
import PostingMatches, { SavedNotice } from '../components/PostingMatches';
import WhyNot from '../components/WhyNot';

/** The area an offer covers from its first place, by its scope: a province
 * or region is named as such, not by the municipality it is measured from
 * (its further places follow, the same way). */
function areaOf(offer: {
  territoryScope: string;
  municipality?: { name: string; provinceName: string; regionName: string } | null;
  neighbourhood?: { name: string } | null;
}): string {
  const m = offer.municipality;
  if (offer.territoryScope === 'REGION') return m?.regionName ?? '';
  if (offer.territoryScope === 'PROVINCE') return m?.provinceName ?? '';
  if (offer.territoryScope === 'NATIONAL') return '';
  return [offer.neighbourhood?.name, m?.name].filter(Boolean).join(', ');
}

export default function OfferPage() {
  const { t } = useTranslation();
  const [offer, gate] = useRecord(OfferPageDocument, (data) => data?.offer, (offer) => offer.title, 'OFFER');
  if (!offer) return gate;
  const amount = [offer.amountMin?.formatted, offer.amountMax?.formatted].filter(Boolean).join(' – ');
  const period = [offer.availableFrom, offer.availableUntil].filter(Boolean).map((d) => formatDate(d as string)).join(' – ');
  return (
    <>
      <SavedNotice />
      <article>
        <PostingHeader label={t('offer.label')} by={t('offer.by')} posting={offer} />
        <dl className="facts">
          {amount && (<><dt>{t('offer.amount')}</dt><dd>{amount}</dd></>)}
          {period && (<><dt>{t('offer.period')}</dt><dd>{period}</dd></>)}
          <dt>{t('offer.scope')}</dt>
          <dd>
            {t(`scope.${offer.territoryScope}`)}
            {areaOf(offer) && `: ${areaOf(offer)}`}
            <AlsoLine places={otherAreasText(offer.territoryScope, offer.municipality, offer.otherPlaces)} />
          </dd>
          {offer.sectors.length > 0 && (<><dt>{t('common.sectors')}</dt><dd>{offer.sectors.map((s) => s.name).join(', ')}</dd></>)}
          <dt>{t('common.updated')}</dt><dd>{formatDate(offer.updatedAt)}</dd>
        </dl>
        <ReportContent kind="OFFER" id={offer.id} title={offer.title} organizationId={offer.organization.id} />
      </article>
      <PostingMatches kind="offer" id={offer.id} organizationId={offer.organization.id} open={offer.status === 'OPEN'} updatedAt={offer.updatedAt} />
      {offer.status === 'OPEN' && <WhyNot kind="offer" id={offer.id} organizationId={offer.organization.id} />}
    </>
  );
}
