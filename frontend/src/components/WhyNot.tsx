// On a need's or an offer's page, for a signed-in person of another
// organisation: "is this proposed for one of ours, and why (not)?". They
// pick one of their open offers (on a need's page) or needs (on an offer's
// page) and Trama answers in words: proposed with its score, or the rule
// that excludes the pair, or the score against the minimum with the
// criteria that cost most, every criterion listed, and, for an offer meant
// for another kind of body, who could receive it through a partner.
import { useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { MyOpenPostingsDocument, WhyNotMatchedDocument, type WhyNotMatchedQuery } from '../../generated/graphql/graphql';
import { GraphqlRequestError, request, useQuery } from '../graphql/client';
import { apiLanguage } from '../i18n';
import { useSession } from '../session';
import { Field } from './FormParts';
import ReasonList from './ReasonList';
import { PartnerNames } from './ThroughPartner';

type Verdict = WhyNotMatchedQuery['whyNotMatched'];

export default function WhyNot({ kind, id, organizationId }: { kind: 'need' | 'offer'; id: string; organizationId: string }) {
  const session = useSession();
  // Members of the posting's own organisation see its proposals instead.
  if (session.status !== 'signedIn' || session.roleIn(organizationId)) return null;
  return <Ask kind={kind} id={id} organizationId={organizationId} />;
}

function Ask({ kind, id, organizationId }: { kind: 'need' | 'offer'; id: string; organizationId: string }) {
  const { t } = useTranslation();
  const uid = useId();
  const mine = useQuery(MyOpenPostingsDocument, {});
  const [chosen, setChosen] = useState('');
  const [verdict, setVerdict] = useState<Verdict>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  // On a need's page the person's offers are asked about, and the reverse.
  const options = (mine.data?.me?.memberships ?? [])
    .filter((m) => m.organization.id !== organizationId)
    .flatMap((m) =>
      (kind === 'need' ? m.organization.offers.nodes : m.organization.needs.nodes).map((p) => ({ id: p.id, title: p.title, organization: m.organization.name })),
    );
  if (options.length === 0) return null;

  async function ask(other: string) {
    setBusy(true);
    setError(undefined);
    try {
      const [needId, offerId] = kind === 'need' ? [id, other] : [other, id];
      const data = await request(WhyNotMatchedDocument, { needId, offerId, lang: apiLanguage() });
      setVerdict(data.whyNotMatched);
    } catch (e) {
      setVerdict(undefined);
      setError(e instanceof GraphqlRequestError ? e.message : t('errors.network'));
    } finally {
      setBusy(false);
    }
  }

  return (
    <section className="mt-5" aria-labelledby={`${uid}-title`}>
      <h2 id={`${uid}-title`} className="h3">{t(kind === 'need' ? 'whyNot.titleNeed' : 'whyNot.titleOffer')}</h2>
      <p>{t(kind === 'need' ? 'whyNot.introNeed' : 'whyNot.introOffer')}</p>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (chosen) void ask(chosen);
        }}
      >
        <Field id={`${uid}-posting`} label={t(kind === 'need' ? 'whyNot.yourOffer' : 'whyNot.yourNeed')} control="form-select">
          {(props) => (
            <select {...props} value={chosen} onChange={(e) => { setChosen(e.target.value); setVerdict(undefined); }}>
              <option value="">{t('whyNot.choose')}</option>
              {options.map((o) => <option key={o.id} value={o.id}>{o.title} ({o.organization})</option>)}
            </select>
          )}
        </Field>
        <button type="submit" className="btn btn-primary" disabled={!chosen || busy}>{t('whyNot.ask')}</button>
      </form>
      <div role="status" className="mt-3">
        {error && <div className="alert alert-danger">{error}</div>}
        {verdict && (
          <div className={`alert ${verdict.proposed ? 'alert-success' : 'alert-info'}`}>
            <p className="mb-2">{verdict.explanation}</p>
            {verdict.reasons.length > 0 && (
              <details>
                <summary>{t('whyNot.criteria')}</summary>
                <ReasonList reasons={verdict.reasons} />
              </details>
            )}
            {verdict.throughPartner && (
              <p className="mb-0 mt-2">
                {t('whyNot.throughPartner', { count: verdict.throughPartner.partners.length })}{' '}
                <PartnerNames partners={verdict.throughPartner.partners} />
              </p>
            )}
          </div>
        )}
      </div>
    </section>
  );
}
