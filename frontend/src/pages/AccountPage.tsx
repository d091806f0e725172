// The signed-in person's dashboard (digest e-mails link here): their
// organisations with their needs and offers, and the matches to act on,
// each with its reasons.
import { useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate } from 'react-router-dom';
import { DashboardDocument, type DashboardQuery } from '../../generated/graphql/graphql';
import { useQuery } from '../graphql/client';
import { apiLanguage } from '../i18n';
import { Failure, Loading, usePageTitle } from '../components/Status';
import MatchCard from '../components/MatchCard';
import { useSession } from '../session';
import { pathTo } from '../routes';
import { formatDate } from '../format';
import { dashboardLists, type Match, type SidedMatch } from '../matches/status';
import { scanMatches, withReasons, type OwnPosting } from '../matches/load';

type Membership = NonNullable<DashboardQuery['me']>['memberships'][number];
import AccountLinks from '../components/AccountLinks';
import MyProjects from '../components/MyProjects';

export default function AccountPage() {
  const { t } = useTranslation();
  const session = useSession();
  const navigate = useNavigate();
  usePageTitle(t('account.title'));
  async function signOut() {
    await session.signOut();
    navigate(pathTo('home'));
  }
  if (session.status === 'loading') return <Loading />;
  if (session.status === 'signedOut' || !session.me)
    return (
      <>
        <h1>{t('account.title')}</h1>
        {session.expired && <div className="alert alert-warning" role="status">{t('dashboard.expired')}</div>}
        <p>{t('account.signedOut')}</p>
        <p><Link to={pathTo('signIn')} className="btn btn-primary">{t('nav.signIn')}</Link></p>
      </>
    );
  return (
    <>
      <h1>{t('account.title')}</h1>
      <div className="d-flex flex-wrap gap-3 align-items-center mb-4">
        <p className="mb-0">{t('account.signedInAs', { name: session.me.displayName, email: session.me.email })}</p>
        <button type="button" className="btn btn-outline-primary btn-sm" onClick={signOut}>{t('account.signOut')}</button>
      </div>
      <AccountLinks isModerator={session.me.isModerator} />
      <Dashboard />
    </>
  );
}

function Dashboard() {
  const { t } = useTranslation();
  const { data, error, loading } = useQuery(DashboardDocument, { lang: apiLanguage() });
  const memberships = data?.me?.memberships ?? [];
  if (error) return <Failure error={error} />;
  if (loading && !data) return <Loading />;
  return (
    <>
      <nav aria-label={t('dashboard.sectionsLabel')} className="mb-4">
        <ul className="dashboard-toc">
          <li><a href="#dashboard-matches">{t('dashboard.matchesTitle')}</a></li>
          {memberships.length > 0 && <li><a href="#dashboard-projects">{t('project.mineTitle')}</a></li>}
          <li><a href="#dashboard-organizations">{t('dashboard.organizationsTitle')}</a></li>
        </ul>
      </nav>
      <DashboardMatches memberships={memberships} />
      {memberships.length > 0 && <MyProjects />}
      <section aria-labelledby="dashboard-organizations" className="mt-5">
        <h2 id="dashboard-organizations">{t('dashboard.organizationsTitle')}</h2>
        {memberships.length === 0 && <p>{t('dashboard.noOrganizations')}</p>}
        {memberships.map((m) => <OrganizationPanel key={m.organization.id} membership={m} />)}
      </section>
    </>
  );
}

function OrganizationPanel({ membership }: { membership: Membership }) {
  const { t } = useTranslation();
  const org = membership.organization;
  const query = `?organization=${encodeURIComponent(org.id)}`;
  return (
    <article className="card organization-panel mb-4" aria-labelledby={`org-${org.id}`}>
      <div className="card-body">
        <h3 id={`org-${org.id}`} className="h4 card-title">
          <Link to={pathTo('organization', { id: org.id })}>{org.name}</Link>
        </h3>
        <p className="text-muted">
          {org.kindLabel} · {t(`dashboard.role.${membership.role}`)} · {t(`dashboard.verification.${org.verificationStatus}`)}
        </p>
        <div className="d-flex flex-wrap gap-2 mb-3">
          <Link className="btn btn-primary btn-sm" to={pathTo('needNew') + query}>{t('dashboard.newNeed')}</Link>
          <Link className="btn btn-outline-primary btn-sm" to={pathTo('offerNew') + query}>{t('dashboard.newOffer')}</Link>
        </div>
        <div className="row">
          <div className="col-lg-6">
            <PostingList kind="need" title={t('dashboard.needs', { count: org.needs.totalCount })} open={org.needs.nodes} drafts={org.draftNeeds.nodes} closed={org.closedNeeds.totalCount} />
          </div>
          <div className="col-lg-6">
            <PostingList kind="offer" title={t('dashboard.offers', { count: org.offers.totalCount })} open={org.offers.nodes} drafts={org.draftOffers.nodes} closed={org.closedOffers.totalCount} />
          </div>
        </div>
      </div>
    </article>
  );
}

function PostingList({ kind, title, open, drafts, closed }: {
  kind: 'need' | 'offer';
  title: string;
  open: { id: string; title: string; kindLabel: string; updatedAt: string }[];
  drafts: { id: string; title: string; kindLabel: string; updatedAt: string }[];
  closed: number;
}) {
  const { t } = useTranslation();
  const [all, setAll] = useState(false);
  const shown = all ? open : open.slice(0, 5);
  const item = (p: { id: string; title: string; kindLabel: string; updatedAt: string }, draft: boolean) => (
    <li key={p.id} className="posting-item">
      <Link to={pathTo(kind, { id: p.id })}>{p.title}</Link>
      {draft && <span className="badge bg-secondary ms-2">{t('status.DRAFT')}</span>}
      <br />
      <span className="small text-muted">{p.kindLabel} · {t('dashboard.updated', { date: formatDate(p.updatedAt) })}</span>{' '}
      <Link className="small" to={pathTo(kind === 'need' ? 'needEdit' : 'offerEdit', { id: p.id })}>
        {t('dashboard.edit')}<span className="visually-hidden">: {p.title}</span>
      </Link>
    </li>
  );
  return (
    <>
      <h4 className="h5">{title}</h4>
      {open.length + drafts.length === 0 ? (
        <p className="text-muted">{t(kind === 'need' ? 'dashboard.noNeeds' : 'dashboard.noOffers')}</p>
      ) : (
        <ul className="list-unstyled">
          {drafts.map((p) => item(p, true))}
          {shown.map((p) => item(p, false))}
        </ul>
      )}
      {open.length > 5 && (
        <button type="button" className="btn btn-link btn-sm p-0 mb-2" aria-expanded={all} onClick={() => setAll(!all)}>
          {t(all ? 'dashboard.showFewer' : 'dashboard.showAll', { count: open.length })}
        </button>
      )}
      {closed > 0 && <p className="small text-muted">{t(kind === 'need' ? 'dashboard.closedNeeds' : 'dashboard.closedOffers', { count: closed })}</p>}
    </>
  );
}

/** How many new proposals to show at first, and how many more each time. */
const NEW_PAGE = 5;

function DashboardMatches({ memberships }: { memberships: Membership[] }) {
  const { t } = useTranslation();
  const postings = useMemo<OwnPosting[]>(
    () =>
      memberships.flatMap((m) => [
        ...m.organization.needs.nodes.map((n) => ({ kind: 'need' as const, id: n.id })),
        ...m.organization.offers.nodes.map((o) => ({ kind: 'offer' as const, id: o.id })),
      ]),
    [memberships],
  );
  const [scanned, setScanned] = useState<SidedMatch[]>();
  const [detailed, setDetailed] = useState<Map<string, Match>>(new Map());
  const [failed, setFailed] = useState(false);
  const [limit, setLimit] = useState(NEW_PAGE);
  const key = postings.map((p) => p.id).join(',');
  useEffect(() => {
    let current = true;
    setFailed(false);
    scanMatches(postings).then(
      (all) => current && setScanned(all),
      () => current && setFailed(true),
    );
    return () => {
      current = false;
    };
    // `key` stands for the postings: the same ids, the same scan.
  }, [key]);
  const lists = useMemo(() => (scanned ? dashboardLists(scanned, limit) : undefined), [scanned, limit]);
  const shown = useMemo(() => (lists ? [...lists.awaiting, ...lists.ongoing, ...lists.fresh] : []), [lists]);
  const missing = shown.filter((s) => !detailed.has(s.match.id));
  const missingKey = missing.map((s) => s.match.id).join(',');
  useEffect(() => {
    if (!missing.length) return;
    let current = true;
    withReasons(missing).then(
      (found) => current && setDetailed((before) => new Map([...before, ...found])),
      () => current && setFailed(true),
    );
    return () => {
      current = false;
    };
    // `missingKey` stands for `missing`.
  }, [missingKey]);

  /** A card's change stays where it was made (the card keeps its place and focus until the next visit). */
  function changed(match: Match) {
    setDetailed((before) => new Map(before).set(match.id, match));
  }

  const cards = (items: SidedMatch[], reasonsOpen = true) =>
    items.map(({ match, side }) => {
      const full = detailed.get(match.id);
      return full ? (
        <MatchCard key={match.id} match={full} side={side} showOwn headingLevel={4} reasonsOpen={reasonsOpen} onChange={changed} />
      ) : null;
    });

  return (
    <section aria-labelledby="dashboard-matches">
      <h2 id="dashboard-matches">{t('dashboard.matchesTitle')}</h2>
      <p>{t('dashboard.matchesIntro')}</p>
      {failed && <div className="alert alert-danger" role="alert">{t('errors.network')}</div>}
      {!lists && !failed && postings.length > 0 && <p role="status">{t('dashboard.matchesLoading')}</p>}
      {postings.length === 0 && <p>{t('dashboard.matchesNoPostings')}</p>}
      {lists && (
        <>
          <h3 className="h4 mt-4">{t('dashboard.awaiting', { count: lists.awaiting.length })}</h3>
          {lists.awaiting.length === 0 ? <p className="text-muted">{t('dashboard.awaitingNone')}</p> : cards(lists.awaiting)}
          <h3 className="h4 mt-4">{t('dashboard.ongoing', { count: lists.ongoing.length })}</h3>
          {lists.ongoing.length === 0 ? <p className="text-muted">{t('dashboard.ongoingNone')}</p> : cards(lists.ongoing)}
          <h3 className="h4 mt-4">{t('dashboard.fresh')}</h3>
          {lists.fresh.length === 0 ? <p className="text-muted">{t('dashboard.freshNone')}</p> : cards(lists.fresh, false)}
          {lists.moreFresh > 0 && (
            <button type="button" className="btn btn-outline-primary btn-sm" onClick={() => setLimit((l) => l + NEW_PAGE)}>
              {t('dashboard.moreFresh', { count: lists.moreFresh })}
            </button>
          )}
        </>
      )}
    </section>
  );
}
