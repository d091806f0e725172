// The moderators' queue: reports of abusive content and hidden records
// (components/ModerationReports), claims on organisations nobody manages yet,
// organisations whose details are still to be checked (verify or reject,
// with the source checked), and hiding a need, offer or organisation from
// public view with a reason (or showing it again).
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useSearchParams } from 'react-router-dom';
import {
  ModerationQueueDocument,
  SetHiddenDocument,
  VerifyOrganizationDocument,
  type ModerationQueueQuery,
  type VerificationStatus,
} from '../../generated/graphql/graphql';
import { request, useQuery } from '../graphql/client';
import { apiLanguage } from '../i18n';
import { useFormErrors } from '../formErrors';
import { recordAt } from '../moderation';
import FormField, { FormAlert } from '../components/FormField';
import ModerationReports from '../components/ModerationReports';
import RequestCard from '../components/RequestCard';
import Section from '../components/Section';
import SignInNeeded from '../components/SignInNeeded';
import { Failure, Loading, usePageTitle } from '../components/Status';
import { pathTo } from '../routes';

type Pending = ModerationQueueQuery['toVerify']['nodes'][number];

export default function ModerationPage() {
  const { t } = useTranslation();
  usePageTitle(t('moderation.title'));
  const [params, setParams] = useSearchParams();
  const after = params.get('after') ?? undefined;
  const queue = useQuery(ModerationQueueDocument, { after, lang: apiLanguage() });
  const codes = queue.error?.errors.map((e) => e.code) ?? [];
  if (codes.includes('UNAUTHENTICATED')) return <SignInNeeded title={t('moderation.title')} body={t('moderation.signInNeeded')} />;
  if (codes.includes('FORBIDDEN'))
    return (
      <>
        <h1>{t('moderation.title')}</h1>
        <p>{t('moderation.forbidden')}</p>
      </>
    );
  if (queue.error) return <Failure error={queue.error} />;
  if (!queue.data) return <Loading />;
  const { claims, toVerify } = queue.data;
  return (
    <>
      <h1>{t('moderation.title')}</h1>
      <p>{t('moderation.intro')}</p>
      <ModerationReports />
      <Section id="moderation-claims" className="mb-5" title={t('moderation.claims', { count: claims.length })} intro={t('moderation.claimsIntro')}>
        {claims.length === 0 ? <p>{t('moderation.noClaims')}</p> : claims.map((c) => <RequestCard key={c.id} item={c} showOrganization />)}
      </Section>
      <HideForm />
      <Section id="moderation-verify" className="mb-5" title={t('moderation.toVerify', { count: toVerify.totalCount })} intro={t('moderation.toVerifyIntro')}>
        {toVerify.nodes.map((o) => (
          <VerifyCard key={o.id} org={o} />
        ))}
        {toVerify.pageInfo.hasNextPage && toVerify.pageInfo.endCursor && (
          <button type="button" className="btn btn-outline-primary" onClick={() => setParams({ after: toVerify.pageInfo.endCursor ?? '' })}>
            {t('search.next')}
          </button>
        )}
      </Section>
    </>
  );
}

function VerifyCard({ org }: { org: Pending }) {
  const { t } = useTranslation();
  const [source, setSource] = useState('');
  const [runts, setRunts] = useState(false);
  const { errors, attempt } = useFormErrors(['source']);
  const [done, setDone] = useState<VerificationStatus>();
  async function decide(status: VerificationStatus) {
    await attempt(async () => {
      const data = await request(VerifyOrganizationDocument, { id: org.id, status, source: source.trim(), runtsRegistered: runts });
      setDone(data.verifyOrganization.verificationStatus);
    });
  }
  const headingId = `verify-${org.id}`;
  return (
    <article className="request-card" aria-labelledby={headingId}>
      <h3 id={headingId} className="h5 mb-1">
        <Link to={pathTo('organization', { id: org.id })}>{org.name}</Link>
      </h3>
      <p className="mb-2">
        {org.kindLabel}
        {org.seatMunicipality && <> · {org.seatMunicipality.name}</>}
        {org.taxCode && <> · {t('organization.taxCode')} {org.taxCode}</>}
        {' · '}{t(`moderation.status.${org.verificationStatus}`)}
      </p>
      {org.hiddenAt && <p className="mb-2">{t('moderation.hiddenBecause', { reason: org.hiddenReason ?? '—' })}</p>}
      {done ? (
        <p className="fw-semibold mb-0" role="status">{t(`moderation.status.${done}`)}</p>
      ) : (
        <form onSubmit={(e) => e.preventDefault()} noValidate>
          <FormAlert message={errors.general} />
          <FormField id={`source-${org.id}`} label={t('moderation.source')} hint={t('moderation.sourceHint')} value={source} onChange={setSource} error={errors.fields.source} maxLength={300} />
          <div className="form-check mb-3">
            <input id={`runts-${org.id}`} type="checkbox" checked={runts} onChange={() => setRunts((v) => !v)} />
            <label htmlFor={`runts-${org.id}`}>{t('moderation.runts')}</label>
          </div>
          <div className="button-row">
            <button type="button" className="btn btn-primary btn-sm" onClick={() => decide('VERIFIED')}>
              {t('moderation.verify')}<span className="visually-hidden"> {org.name}</span>
            </button>
            <button type="button" className="btn btn-outline-danger btn-sm" onClick={() => decide('REJECTED')}>
              {t('moderation.reject')}<span className="visually-hidden"> {org.name}</span>
            </button>
          </div>
        </form>
      )}
    </article>
  );
}

function HideForm() {
  const { t } = useTranslation();
  const [address, setAddress] = useState('');
  const [reason, setReason] = useState('');
  const { errors, setErrors, attempt } = useFormErrors(['reason']);
  const [status, setStatus] = useState<string>();
  async function send(hidden: boolean) {
    setErrors({ fields: {} });
    setStatus(undefined);
    const record = recordAt(address);
    if (!record) {
      setErrors({ fields: { address: t('moderation.addressUnknown') } });
      return;
    }
    if (hidden && !reason.trim()) {
      setErrors({ fields: { reason: t('moderation.reasonRequired') } });
      return;
    }
    await attempt(async () => {
      await request(SetHiddenDocument, { ...record, hidden, reason: hidden ? reason.trim() : undefined });
      setStatus(t(hidden ? 'moderation.hidden' : 'moderation.shown'));
    });
  }
  function submit(event: FormEvent) {
    event.preventDefault();
    void send(true);
  }
  return (
    <Section id="moderation-hide" className="mb-5" title={t('moderation.hideTitle')} intro={t('moderation.hideIntro')}>
      <form onSubmit={submit} className="narrow-form" noValidate>
        <FormAlert message={errors.general} />
        <FormField id="hide-address" label={t('moderation.address')} hint={t('moderation.addressHint')} value={address} onChange={setAddress} error={errors.fields.address} />
        <FormField id="hide-reason" multiline label={t('moderation.reason')} hint={t('moderation.reasonHint')} value={reason} onChange={setReason} error={errors.fields.reason} maxLength={500} />
        <div className="button-row">
          <button type="submit" className="btn btn-danger">{t('moderation.hide')}</button>
          <button type="button" className="btn btn-outline-primary" onClick={() => send(false)}>{t('moderation.show')}</button>
        </div>
        <p role="status" aria-live="polite" className="mt-3 fw-semibold">{status}</p>
      </form>
    </Section>
  );
}
