// An organisation's public profile with its open needs and offers.
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router-dom';
import { OrganizationPageDocument } from '../../generated/graphql/graphql';
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
        <section aria-labelledby="org-contacts">
          <h2 id="org-contacts" className="h4">{t('organization.contacts')}</h2>
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
        </section>
      )}
      <section aria-labelledby="org-needs">
        <h2 id="org-needs" className="h4">{t('organization.needs', { count: org.needs.totalCount })}</h2>
        <ul>
          {org.needs.nodes.map((n) => (
            <li key={n.id}><Link to={pathTo('need', { id: n.id })}>{n.title}</Link> <span className="text-muted">({n.kindLabel})</span></li>
          ))}
        </ul>
      </section>
      <section aria-labelledby="org-offers">
        <h2 id="org-offers" className="h4">{t('organization.offers', { count: org.offers.totalCount })}</h2>
        <ul>
          {org.offers.nodes.map((o) => (
            <li key={o.id}><Link to={pathTo('offer', { id: o.id })}>{o.title}</Link> <span className="text-muted">({o.kindLabel})</span></li>
          ))}
        </ul>
      </section>
      <OrganizationAccess organizationId={org.id} name={org.name} />
      <ReportContent kind="ORGANIZATION" id={org.id} title={org.name} organizationId={org.id} />
    </article>
  );
}
