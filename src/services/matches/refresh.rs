//! Keeping the `matches` table right: the engine that refreshes the
//! matches of a need, an offer or an organisation, and `trama match --all`.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, TransactionTrait};
use serde_json::json;
use tokio::task::JoinSet;
use tracing::Instrument;
use uuid::Uuid;

use crate::domain::{MatchSideStatus, OfferKind};
use crate::error::{AppError, Entity};
use crate::matching::facts::fingerprint;
use crate::matching::facts_cache::Shelf;
use crate::matching::{Exclusion, Matcher, NeedFacts, OfferFacts, Place, Reason, Scored};
use crate::search::{CandidateRequest, DocType, Search};
use crate::services::{match_facts, now};
use crate::store::entities::{matches, needs, offers};
use crate::store::jobs::MatchTarget;
use crate::store::matches::{self as store, Computed, OwnPostings, SideStatuses};

use super::listing::count;
use super::{CANDIDATES, MatchSide, RefreshReport};

/// How many refreshes of [`Engine::refresh_many`] are written in one
/// transaction: on SQLite, each commit writes every page it changed to the
/// log, and a need's 200 matches change pages of the index by offer that
/// the next needs change again; but a person's write waits for the whole
/// transaction in hand on SQLite's one writing connection. 16 rather than
/// 64: at a million offers a person's one-row write during a recompute
/// waited p99 135–145 ms instead of 411–458 (at most 193 ms instead of
/// 529), the recompute as fast (50–51 needs/s against 47–49;
/// docs/benchmarks.md).
const WRITE_GROUP: usize = 16;

/// How many targets' own facts [`Engine::refresh_many`] reads at once,
/// ahead of their refreshes.
const READ_AHEAD: usize = 128;

/// How many offers' facts [`Engine::read_open_offers_ahead`] reads at
/// once.
const WARM_CHUNK: usize = 1_000;

/// How many refreshes run at once in a recompute or a batch of jobs: two
/// per core, so that one's database round trips overlap another's
/// analysis and scoring, but no more than the database can take beside
/// people's requests ([`store::db::background_share`]). Each refresh
/// computes only its own need's (or offer's) rows, so they do not depend on
/// one another; the job worker writes each in its own transaction,
/// [`Engine::refresh_many`] in groups ([`WRITE_GROUP`]).
pub fn concurrency(db: &DatabaseConnection) -> usize {
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get() * 2);
    cores.min(crate::store::db::background_share(db))
}

/// How many groups of refreshes [`Engine::refresh_many`] writes at once:
/// one on SQLite (its one connection takes one transaction at a time), half
/// the refreshes on PostgreSQL. Groups write distinct rows (each refresh
/// its own need's or offer's, in pair order), so they do not wait for one
/// another.
fn writers(db: &DatabaseConnection) -> usize {
    match db.get_database_backend() {
        DbBackend::Sqlite => 1,
        _ => (concurrency(db) / 2).max(1),
    }
}

/// What the engine needs to refresh matches.
#[derive(Clone, Copy)]
pub struct Engine<'a> {
    /// Where refreshes write (and what else they do).
    pub db: &'a DatabaseConnection,
    /// Where refreshes read the postings' facts and their existing matches
    /// ([`crate::store::db::connect_readers`]): what was committed, read
    /// beside `db`'s writes.
    pub reads: &'a DatabaseConnection,
    pub search: &'a Search,
    pub matcher: &'a Matcher,
}

impl Engine<'_> {
    /// Recomputes the matches of a need, an offer, or every posting of an
    /// organisation, at `now`, in one transaction. Fails on database or
    /// index errors (the job is then retried).
    #[tracing::instrument(skip_all, fields(?target))]
    pub async fn refresh(
        &self,
        target: MatchTarget,
        now: DateTime<Utc>,
    ) -> Result<RefreshReport, AppError> {
        let planned = self.plan(target, now, None).await?;
        write(self.db, planned).await
    }

    /// What refreshing `target` at `now` would write, over its `existing`
    /// rows when they were read already.
    async fn plan(
        &self,
        target: MatchTarget,
        now: DateTime<Utc>,
        existing: Option<Vec<matches::Model>>,
    ) -> Result<Planned, AppError> {
        let rows = async |side, id| match existing {
            Some(rows) => Ok::<_, AppError>(rows),
            None => rows_of(self.reads, side, id).await,
        };
        match target {
            MatchTarget::Need(id) => {
                let existing = rows(MatchSide::Need, id).await?;
                self.plan_need(id, now, existing).await
            }
            MatchTarget::Offer(id) => {
                let existing = rows(MatchSide::Offer, id).await?;
                self.plan_offer(id, now, existing).await
            }
            MatchTarget::Organization(id) => {
                let mut planned = Planned::default();
                let need_ids = store::posting_ids_of_organization::<needs::Entity>(
                    self.reads,
                    id,
                    OwnPostings::All,
                )
                .await?;
                for need in need_ids {
                    let existing = rows_of(self.reads, MatchSide::Need, need).await?;
                    planned.merge(self.plan_need(need, now, existing).await?);
                }
                let offer_ids = store::posting_ids_of_organization::<offers::Entity>(
                    self.reads,
                    id,
                    OwnPostings::All,
                )
                .await?;
                for offer in offer_ids {
                    let existing = rows_of(self.reads, MatchSide::Offer, offer).await?;
                    planned.merge(self.plan_offer(offer, now, existing).await?);
                }
                Ok(planned)
            }
        }
    }

    /// Refreshes these targets (each once) at `now` and returns the
    /// totals: what they start from is read [`READ_AHEAD`] targets at a
    /// time, their matches are computed [`concurrency`] at a time on the
    /// runtime's threads, and written [`WRITE_GROUP`] refreshes per
    /// transaction while the next ones are computed. The table ends as refreshing them one
    /// after the other would leave it (a pair's score depends on the pair
    /// alone). Fails on the first error; the refreshes not yet written are
    /// dropped (each group is one transaction: those committed stay, the
    /// others leave nothing).
    pub async fn refresh_many(
        &self,
        targets: impl IntoIterator<Item = MatchTarget>,
        now: DateTime<Utc>,
    ) -> Result<RefreshReport, AppError> {
        // Spawned tasks outlive this borrow: give them their own handles
        // (each a cheap clone of a shared pool, index and matcher).
        let owned = Arc::new((
            self.db.clone(),
            self.reads.clone(),
            self.search.clone(),
            self.matcher.clone(),
        ));
        // Each once: its rows are read ahead (see `read_ahead`).
        let mut seen = HashSet::new();
        let targets: Vec<MatchTarget> = targets.into_iter().filter(|t| seen.insert(*t)).collect();
        let mut next = 0;
        let mut read_ahead = 0;
        let mut existing_ahead = HashMap::new();
        let mut planning = JoinSet::new();
        let mut writing = JoinSet::new();
        let mut pending = Planned::default();
        let mut pending_count = 0;
        let mut report = RefreshReport::default();
        // Once: the number of cores is read from the system (cgroup files).
        let limit = concurrency(self.db);
        let writers = writers(self.db);
        loop {
            // While a full group waits for the one being written, no more
            // planning: what is planned waits in memory.
            while planning.len() < limit && pending_count < WRITE_GROUP && next < targets.len() {
                if next >= read_ahead {
                    read_ahead = (next + READ_AHEAD).min(targets.len());
                    existing_ahead = self.read_ahead(&targets[next..read_ahead]).await?;
                }
                let target = targets[next];
                let existing = existing_ahead.remove(&target);
                next += 1;
                let owned = Arc::clone(&owned);
                planning.spawn(
                    async move {
                        let (db, reads, search, matcher) = &*owned;
                        Engine {
                            db,
                            reads,
                            search,
                            matcher,
                        }
                        .plan(target, now, existing)
                        .await
                    }
                    .in_current_span(),
                );
            }
            let all_planned = planning.is_empty() && next == targets.len();
            // A group is written while the next is gathered.
            if writing.len() < writers
                && (pending_count >= WRITE_GROUP || (all_planned && pending_count > 0))
            {
                let group = std::mem::take(&mut pending);
                pending_count = 0;
                let db = self.db.clone();
                writing.spawn(async move { write(&db, group).await }.in_current_span());
            }
            if all_planned && writing.is_empty() {
                break;
            }
            tokio::select! {
                Some(done) = planning.join_next(), if !planning.is_empty() => {
                    pending.merge(done.map_err(|e| AppError::Internal(e.into()))??);
                    pending_count += 1;
                }
                Some(written) = writing.join_next(), if !writing.is_empty() => {
                    report += written.map_err(|e| AppError::Internal(e.into()))??;
                }
            }
        }
        Ok(report)
    }

    /// Reads what the refreshes of the needs and offers among `targets` start
    /// from, in one go instead of refresh by refresh: their facts, into the
    /// facts cache, and their matches, returned by target. Their refreshes
    /// then wait for the database only to write (on SQLite, the one
    /// connection is busy writing the previous group meanwhile). A target's
    /// rows change only by its own refresh here (each writes its own side),
    /// so targets must be distinct.
    async fn read_ahead(
        &self,
        targets: &[MatchTarget],
    ) -> Result<HashMap<MatchTarget, Vec<matches::Model>>, AppError> {
        let (mut needs, mut offers) = (Vec::new(), Vec::new());
        for target in targets {
            match target {
                MatchTarget::Need(id) => needs.push(*id),
                MatchTarget::Offer(id) => offers.push(*id),
                MatchTarget::Organization(_) => {}
            }
        }
        let mut existing: HashMap<MatchTarget, Vec<matches::Model>> = HashMap::new();
        if !needs.is_empty() {
            self.need_facts(&needs).await?;
            existing.extend(needs.iter().map(|id| (MatchTarget::Need(*id), Vec::new())));
            for row in store::of_needs(self.reads, needs).await? {
                existing
                    .entry(MatchTarget::Need(row.need_id))
                    .or_default()
                    .push(row);
            }
        }
        if !offers.is_empty() {
            self.offer_facts(&offers).await?;
            existing.extend(
                offers
                    .iter()
                    .map(|id| (MatchTarget::Offer(*id), Vec::new())),
            );
            for row in store::of_postings::<offers::Entity>(self.reads, offers).await? {
                existing
                    .entry(MatchTarget::Offer(row.offer_id))
                    .or_default()
                    .push(row);
            }
        }
        Ok(existing)
    }

    /// Reads every open offer's facts into the facts cache, a thousand at a
    /// time, before a recompute of every need. Each need asks for hundreds
    /// of candidates: without this, the first thousands of needs read most
    /// offers a few hundred at a time, each statement waiting its turn on
    /// the database. Skipped when the open offers would not fit in the
    /// cache (they would push one another out) and in a process that
    /// follows another's index (it keeps nothing). Returns how many offers
    /// it read.
    #[tracing::instrument(skip_all)]
    pub async fn read_open_offers_ahead(&self) -> Result<usize, AppError> {
        if self.search.changes_applied().is_none() {
            return Ok(0);
        }
        let ids = store::open_offer_ids(self.reads).await?;
        if ids.len() > self.matcher.facts_cache().kept_per_kind() {
            return Ok(0);
        }
        for chunk in ids.chunks(WARM_CHUNK) {
            self.offer_facts(chunk).await?;
        }
        Ok(ids.len())
    }

    #[tracing::instrument(name = "match_candidates", level = "debug", skip_all)]
    async fn candidates(&self, request: CandidateRequest) -> Result<Vec<Uuid>, AppError> {
        let index = self.search.index();
        tokio::task::spawn_blocking(move || index.candidates(&request))
            .await
            .map_err(|e| AppError::Internal(e.into()))?
            .map_err(|e| AppError::Internal(e.into()))
    }

    /// The need's facts, if it is open and its deadline has not passed.
    pub(super) async fn open_need(
        &self,
        id: Uuid,
        now: DateTime<Utc>,
    ) -> Result<Option<Arc<NeedFacts>>, AppError> {
        Ok(self
            .need_facts(&[id])
            .await?
            .remove(&id)
            .filter(|n| n.open && n.deadline_at.is_none_or(|d| d >= now)))
    }

    /// The facts of these needs, from the process's
    /// [`crate::matching::FactsCache`] where it has them current, else from
    /// the database.
    async fn need_facts(&self, ids: &[Uuid]) -> Result<HashMap<Uuid, Arc<NeedFacts>>, AppError> {
        let (db, matcher) = (self.reads, self.matcher);
        through_shelf(
            self.search,
            matcher.facts_cache().needs(),
            ids,
            |missing| async move { match_facts::needs(db, matcher, &missing).await },
        )
        .await
    }

    /// The facts of these offers (like [`Self::need_facts`]).
    pub(super) async fn offer_facts(
        &self,
        ids: &[Uuid],
    ) -> Result<HashMap<Uuid, Arc<OfferFacts>>, AppError> {
        let (db, matcher) = (self.reads, self.matcher);
        through_shelf(
            self.search,
            matcher.facts_cache().offers(),
            ids,
            |missing| async move { match_facts::offers(db, matcher, &missing).await },
        )
        .await
    }

    /// The offers the engine proposes for a need: its candidates from the
    /// index plus `also` (the offers it is already matched with), scored.
    async fn need_proposals(
        &self,
        need: &NeedFacts,
        also: impl IntoIterator<Item = Uuid>,
        now: DateTime<Utc>,
    ) -> Result<Vec<Proposal>, AppError> {
        let offers = self.need_candidates(need, also).await?;
        Ok(tracing::debug_span!("match_scoring").in_scope(|| {
            offers
                .values()
                .filter_map(|offer| self.proposal(need, offer, now))
                .collect()
        }))
    }

    /// The facts of a need's candidate offers: those the index finds for
    /// it among the kinds that can serve it, plus `also`.
    pub(super) async fn need_candidates(
        &self,
        need: &NeedFacts,
        also: impl IntoIterator<Item = Uuid>,
    ) -> Result<HashMap<Uuid, Arc<OfferFacts>>, AppError> {
        let kinds: Vec<OfferKind> = if need.required.is_empty() {
            self.matcher.config().kinds_serving(need.kind)
        } else {
            need.required.clone()
        };
        let mut ids = self
            .candidates(CandidateRequest {
                target: Some(DocType::Offer),
                title: need.title.clone(),
                description: need.description.clone(),
                kinds: kinds.iter().map(|k| k.as_str().to_owned()).collect(),
                sectors: need.sectors.iter().map(|s| s.code.clone()).collect(),
                municipalities: need
                    .places()
                    .filter_map(|p| p.municipality_code().map(str::to_owned))
                    .collect(),
                neighbourhoods: need.places().filter_map(Place::neighbourhood_id).collect(),
                exclude_organization: Some(need.party.organization_id),
                limit: CANDIDATES,
            })
            .await?;
        let known: HashSet<Uuid> = ids.iter().copied().collect();
        ids.extend(also.into_iter().filter(|o| !known.contains(o)));
        self.offer_facts(&ids).await
    }

    /// The best `limit` offers for an open need, best first, computed now
    /// and not stored (what `matchesForNeed` would list after a refresh).
    /// Empty when the need is not open. Fails on database or index errors.
    #[tracing::instrument(skip_all, fields(%need_id, limit))]
    pub async fn best_offers(
        &self,
        need_id: Uuid,
        limit: usize,
        now: DateTime<Utc>,
    ) -> Result<Vec<(Uuid, Scored)>, AppError> {
        let Some(need) = self.open_need(need_id, now).await? else {
            return Ok(Vec::new());
        };
        let mut best: Vec<(Uuid, Scored)> = self
            .need_proposals(&need, [], now)
            .await?
            .into_iter()
            .map(|p| (p.offer_id, p.scored))
            .collect();
        best.sort_by(|a, b| b.1.score.total_cmp(&a.1.score).then(a.0.cmp(&b.0)));
        best.truncate(limit);
        Ok(best)
    }

    async fn plan_need(
        &self,
        id: Uuid,
        now: DateTime<Utc>,
        existing: Vec<matches::Model>,
    ) -> Result<Planned, AppError> {
        let Some(need) = self.open_need(id, now).await? else {
            return Ok(plan(existing, Vec::new()));
        };
        let also: Vec<Uuid> = existing.iter().map(|r| r.offer_id).collect();
        let desired = self.need_proposals(&need, also, now).await?;
        Ok(plan(existing, desired))
    }

    async fn plan_offer(
        &self,
        id: Uuid,
        now: DateTime<Utc>,
        existing: Vec<matches::Model>,
    ) -> Result<Planned, AppError> {
        let offer = self
            .offer_facts(&[id])
            .await?
            .remove(&id)
            .filter(|o| o.open && o.available_until.is_none_or(|u| u >= now.date_naive()));
        let Some(offer) = offer else {
            return Ok(plan(existing, Vec::new()));
        };
        // No kind filter: a need that lists its contributions accepts this
        // kind whatever the kind table says; the scorer decides.
        let mut ids = self
            .candidates(CandidateRequest {
                target: Some(DocType::Need),
                title: offer.title.clone(),
                description: offer.description.clone(),
                kinds: Vec::new(),
                sectors: offer.sectors.iter().map(|s| s.code.clone()).collect(),
                municipalities: offer
                    .places()
                    .filter_map(|p| p.municipality_code().map(str::to_owned))
                    .collect(),
                neighbourhoods: offer.places().filter_map(Place::neighbourhood_id).collect(),
                exclude_organization: Some(offer.party.organization_id),
                limit: CANDIDATES,
            })
            .await?;
        let known: HashSet<Uuid> = ids.iter().copied().collect();
        ids.extend(
            existing
                .iter()
                .map(|r| r.need_id)
                .filter(|n| !known.contains(n)),
        );
        let needs = self.need_facts(&ids).await?;
        let desired = tracing::debug_span!("match_scoring").in_scope(|| {
            needs
                .values()
                .filter_map(|need| self.proposal(need, &offer, now))
                .collect()
        });
        Ok(plan(existing, desired))
    }

    fn proposal(
        &self,
        need: &NeedFacts,
        offer: &OfferFacts,
        now: DateTime<Utc>,
    ) -> Option<Proposal> {
        let scored = self.matcher.score(need, offer, now).ok()?;
        self.matcher.proposes(&scored).then(|| Proposal {
            need_id: need.id,
            offer_id: offer.id,
            fingerprint: fingerprint(need, offer),
            scored,
        })
    }

    /// Scores one pair now, or says which rule excludes it (for
    /// explanations and tests). NOT_FOUND when either side is not visible.
    #[tracing::instrument(skip_all, fields(%need_id, %offer_id))]
    pub async fn explain(
        &self,
        need_id: Uuid,
        offer_id: Uuid,
    ) -> Result<Result<Scored, Exclusion>, AppError> {
        let (need, offer) = self.pair_facts(need_id, offer_id).await?;
        Ok(self.matcher.score(&need, &offer, now()))
    }

    /// The two sides' facts, read now from the database (not the cache:
    /// an explanation follows the latest edit). NOT_FOUND on `needId` or
    /// `offerId`.
    pub(super) async fn pair_facts(
        &self,
        need_id: Uuid,
        offer_id: Uuid,
    ) -> Result<(NeedFacts, OfferFacts), AppError> {
        let need = match_facts::needs(self.db, self.matcher, &[need_id])
            .await?
            .remove(&need_id)
            .ok_or_else(|| AppError::not_found(Entity::Need, "needId"))?;
        let offer = match_facts::offers(self.db, self.matcher, &[offer_id])
            .await?
            .remove(&offer_id)
            .ok_or_else(|| AppError::not_found(Entity::Offer, "offerId"))?;
        Ok((need, offer))
    }
}

/// The facts of `ids`: those `shelf` holds as current as the index, the
/// rest from `read` (kept for the next refreshes when nothing changed
/// meanwhile). Straight from `read` in a process that follows another's
/// index (it cannot tell when facts go out of date).
async fn through_shelf<T, Read>(
    search: &Search,
    shelf: &Shelf<T>,
    ids: &[Uuid],
    read: impl FnOnce(Vec<Uuid>) -> Read,
) -> Result<HashMap<Uuid, Arc<T>>, AppError>
where
    Read: Future<Output = Result<HashMap<Uuid, T>, AppError>>,
{
    let shared = |read: HashMap<Uuid, T>| -> HashMap<Uuid, Arc<T>> {
        read.into_iter()
            .map(|(id, facts)| (id, Arc::new(facts)))
            .collect()
    };
    let Some(changes) = search.changes_applied() else {
        return Ok(shared(read(ids.to_vec()).await?));
    };
    let mut found = shelf.get(changes, ids);
    if found.missing.is_empty() {
        return Ok(found.facts);
    }
    let missing = std::mem::take(&mut found.missing);
    let fresh = shared(read(missing.clone()).await?);
    let now = search.changes_applied().unwrap_or(u64::MAX);
    shelf.keep(changes, now, &missing, &fresh);
    found.facts.extend(fresh);
    Ok(found.facts)
}

/// A pair the engine proposes.
struct Proposal {
    need_id: Uuid,
    offer_id: Uuid,
    fingerprint: String,
    scored: Scored,
}

#[tracing::instrument(name = "match_existing", level = "debug", skip_all)]
pub(super) async fn rows_of(
    db: &impl ConnectionTrait,
    side: MatchSide,
    id: Uuid,
) -> Result<Vec<matches::Model>, AppError> {
    Ok(match side {
        MatchSide::Need => store::of_needs(db, vec![id]).await?,
        MatchSide::Offer => store::of_postings::<offers::Entity>(db, vec![id]).await?,
    })
}

fn reasons_json(reasons: &[Reason]) -> serde_json::Value {
    serde_json::to_value(reasons).unwrap_or_else(|_| json!([]))
}

/// What refreshes will write, and their report (but for the rows deleted,
/// counted when written).
#[derive(Default)]
struct Planned {
    writes: store::RefreshWrites,
    report: RefreshReport,
}

impl Planned {
    fn merge(&mut self, other: Planned) {
        self.writes.merge(other.writes);
        self.report += other.report;
    }
}

/// What writing the proposals of one need (or offer) over its existing rows
/// takes: rows whose score or reasons changed are updated, new pairs
/// inserted, pairs no longer proposed deleted unless someone acted on them.
fn plan(existing: Vec<matches::Model>, desired: Vec<Proposal>) -> Planned {
    let mut planned = Planned {
        report: RefreshReport {
            proposed: desired.len() as u64,
            ..Default::default()
        },
        ..Default::default()
    };
    let mut by_pair: HashMap<(Uuid, Uuid), matches::Model> = existing
        .into_iter()
        .map(|row| ((row.need_id, row.offer_id), row))
        .collect();
    let mut inserts = Vec::new();
    for proposal in desired {
        let computed = Computed {
            need_id: proposal.need_id,
            offer_id: proposal.offer_id,
            score: proposal.scored.score,
            reasons: reasons_json(&proposal.scored.reasons),
            fingerprint: proposal.fingerprint,
        };
        match by_pair.remove(&(proposal.need_id, proposal.offer_id)) {
            Some(row) => {
                let changed_content = row.content_fingerprint != computed.fingerprint;
                if !changed_content
                    && row.score == computed.score
                    && row.reasons == computed.reasons
                {
                    continue;
                }
                // New content reopens a dismissed side.
                let reopen = |status: MatchSideStatus| {
                    (changed_content && status == MatchSideStatus::Dismissed)
                        .then_some(MatchSideStatus::Suggested)
                };
                let statuses = SideStatuses {
                    need: reopen(row.need_side_status),
                    offer: reopen(row.offer_side_status),
                };
                planned.writes.recompute(row, computed, statuses);
                planned.report.updated += 1;
            }
            None => inserts.push(computed),
        }
    }
    planned.writes.delete(
        by_pair
            .into_values()
            .filter(|row| !store::engaged(row))
            .map(|row| row.id),
    );
    planned.report.inserted = inserts.len() as u64;
    // Another process refreshing the other side of a pair may insert it
    // first: its row has the same score (scores depend on the pair alone),
    // so it is kept.
    planned.writes.insert(inserts);
    planned
}

/// Writes what refreshes planned, in one transaction; returns their report.
#[tracing::instrument(name = "match_persist", level = "debug", skip_all)]
async fn write(db: &DatabaseConnection, planned: Planned) -> Result<RefreshReport, AppError> {
    let mut report = planned.report;
    if planned.writes.is_empty() {
        return Ok(report);
    }
    // Put together first: the transaction holds its connection only while
    // the statements run.
    let statements = planned
        .writes
        .statements(db.get_database_backend(), now())?;
    let txn = db.begin().await?;
    report.deleted = statements.run(&txn).await?;
    txn.commit().await?;
    tracing::debug!(?report, "matches refreshed");
    Ok(report)
}

/// Recomputes every match (`trama match --all`): every need, then every
/// offer, that is open or still has matches, several at a time
/// ([`Engine::refresh_many`]). Returns the totals.
#[tracing::instrument(skip_all)]
pub async fn recompute_all(engine: Engine<'_>) -> Result<RefreshReport, AppError> {
    let at = now();
    let mut report = RefreshReport::default();
    engine.read_open_offers_ahead().await?;
    let matched_needs = store::matched_need_ids(engine.db).await?;
    let open_needs = store::open_need_ids(engine.db).await?;
    let mut need_ids: Vec<Uuid> = open_needs;
    need_ids.extend(matched_needs);
    need_ids.sort();
    need_ids.dedup();
    report += engine
        .refresh_many(need_ids.into_iter().map(MatchTarget::Need), at)
        .await?;
    let matched_offers = store::matched_offer_ids(engine.db).await?;
    let open_offers = store::open_offer_ids(engine.db).await?;
    let mut offer_ids = open_offers;
    offer_ids.extend(matched_offers);
    offer_ids.sort();
    offer_ids.dedup();
    report += engine
        .refresh_many(offer_ids.into_iter().map(MatchTarget::Offer), at)
        .await?;
    report.proposed = count(engine.db).await?;
    Ok(report)
}
