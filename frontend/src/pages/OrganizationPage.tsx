// An organisation's public profile with its open needs and offers.
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router-dom';
import { OrganizationPageDocument } from '../../generated/graphql/graphql';
import Section from '../components/Section';
import { useRecord } from '../components/Status';
import { pathTo } from '../routes';
import OrganizationAccess, { RegisteredNotice } from '../components/OrganizationAccess';
import ReportContent from '../components/ReportContent';

function contactHref(kind: string, value: string): string | undefined {
  if (kind === 'EMAIL' || kind === 'PEC') return `mailto:${value}`;
  if (kind === 'PHONE') return `tel:${value.replace(/\s+/g, '')}`;
  if (kind === 'WEBSITE' && /^https?:\/\//.test(value)) return value;
  return undefined;
}

/** A section listing postings, each linked to its page with its kind. */
function PostingLinks({
  id,
  title,
  route,
  postings,
}: {
  id: string;
  title: string;
  route: 'need' | 'offer';
  postings: { id: string; title: string; kindLabel: string }[];
}) {
  return (
    <Section id={id} title={title}>
      <ul>
        {postings.map((p) => (
          <li key={p.id}><Link to={pathTo(route, { id: p.id })}>{p.title}</Link> <span className="text-muted">({p.kindLabel})</span></li>
        ))}
      </ul>
    </Section>
  );
}

export default function OrganizationPage() {
  const { t } = useTranslation();
  const [org, gate] = useRecord(OrganizationPageDocument, (data) => data?.organization, (org) => org.name);
  if (!org) return gate;
  return (
    <article>
      <RegisteredNotice />
      <p className="text-muted mb-1">
        {org.kindLabel}
        {org.verificationStatus === 'VERIFIED' && <> · <span className="badge bg-success">{t('organization.verified')}</span></>}
        {org.runtsRegistered && <> · {t('organization.runts')}</>}
      </p>
      <h1>{org.name}</h1>
      {org.description && <div className="description">{org.description}</div>}
      <dl className="facts">
        {org.seatMunicipality && (<><dt>{t('organization.seat')}</dt><dd>{org.seatMunicipality.name}</dd></>)}
        {org.taxCode && (<><dt>{t('organization.taxCode')}</dt><dd>{org.taxCode}</dd></>)}
        {org.sectors.length > 0 && (<><dt>{t('common.sectors')}</dt><dd>{org.sectors.map((s) => s.name).join(', ')}</dd></>)}
        {org.neighbourhoods.length > 0 && (<><dt>{t('organization.neighbourhoods')}</dt><dd>{org.neighbourhoods.map((n) => n.name).join(', ')}</dd></>)}
      </dl>
      {org.contacts.length > 0 && (
        <Section id="org-contacts" title={t('organization.contacts')}>
          <ul>
            {org.contacts.map((c, i) => {
              const href = contactHref(c.kind, c.value);
              return (
                <li key={i}>
                  {c.label ?? t(`contact.${c.kind}`)}: {href ? <a href={href}>{c.value}</a> : c.value}
                </li>
              );
            })}
          </ul>
        </Section>
      )}
      <PostingLinks id="org-needs" title={t('organization.needs', { count: org.needs.totalCount })} route="need" postings={org.needs.nodes} />
      <PostingLinks id="org-offers" title={t('organization.offers', { count: org.offers.totalCount })} route="offer" postings={org.offers.nodes} />
      <OrganizationAccess organizationId={org.id} name={org.name} />
      <ReportContent kind="ORGANIZATION" id={org.id} title={org.name} organizationId={org.id} />
    </article>
  );
}
