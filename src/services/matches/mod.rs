//! Matches between needs and offers: computing and keeping them (the
//! `matches` table follows every change through the `refresh_matches` job),
//! listing them, the lifecycle each side moves them through (suggested →
//! interested / dismissed → in contact → partnership, which opens a
//! co-design project), feedback for tuning, suggested partners and the
//! multi-party partner set.
//!
//! # Keeping the table right
//!
//! Refreshing a need takes its candidates from the search index, adds the
//! offers it is already matched with, scores every pair
//! ([`crate::matching`]) and writes the result: new pairs are inserted as
//! `suggested` on both sides, kept pairs get their new score and reasons,
//! pairs no longer proposed are deleted unless someone acted on them
//! (interested, in contact, partnership), which are kept as history. An
//! offer is refreshed the same way from its side. Scores depend on the two
//! sides alone, so the table does not depend on the order of refreshes, and
//! `trama match --all` ([`recompute_all`]) yields what incremental refreshes
//! yield. A dismissed side stays dismissed until the pair's content
//! fingerprint changes (either side edited what it says).

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{LockType, OnConflict};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, DbBackend, EntityTrait,
    QueryFilter, QueryOrder, QuerySelect, QueryTrait, Set, TransactionTrait,
};
use serde_json::json;
use uuid::Uuid;

use super::{Actor, audit, match_facts, new_id, now, permissions};
use crate::domain::{
    FeedbackSource, FeedbackVerdict, MatchSideStatus, NeedKind, OfferKind, PartnerRole,
    PostingStatus, ProjectProcedure, ProjectStage,
};
use crate::error::{AppError, Entity};
use crate::jobs::MatchTarget;
use crate::matching::cover::{self, Cover, CoverCandidate};
use crate::matching::facts::fingerprint;
use crate::matching::{Exclusion, Matcher, NeedFacts, OfferFacts, Reason, Scored};
use crate::search::{CandidateRequest, DocType, Search};
use crate::store::entities::{
    match_feedback, matches, memberships, needs, offers, organizations, project_contributions,
    project_partners, project_stages, projects, users,
};

/// Candidates taken from the index for one need or offer.
pub const CANDIDATES: usize = 300;

/// Which side of a match.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MatchSide {
    Need,
    Offer,
}

/// What a refresh changed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RefreshReport {
    pub inserted: u64,
    pub updated: u64,
    pub deleted: u64,
    /// Pairs proposed after the refresh.
    pub proposed: u64,
}

impl std::ops::AddAssign for RefreshReport {
    fn add_assign(&mut self, other: Self) {
        self.inserted += other.inserted;
        self.updated += other.updated;
        self.deleted += other.deleted;
        self.proposed += other.proposed;
    }
}

/// Whether someone acted on a match: such rows are kept even when the pair
/// is no longer proposed.
fn engaged(row: &matches::Model) -> bool {
    let acted = |status: &str| {
        matches!(
            MatchSideStatus::parse(status),
            Ok(MatchSideStatus::Interested
                | MatchSideStatus::InContact
                | MatchSideStatus::Partnership)
        )
    };
    acted(&row.need_side_status) || acted(&row.offer_side_status)
}

/// What the engine needs to refresh matches.
#[derive(Clone, Copy)]
pub struct Engine<'a> {
    pub db: &'a DatabaseConnection,
    pub search: &'a Search,
    pub matcher: &'a Matcher,
}

impl Engine<'_> {
    /// Recomputes the matches of a need, an offer, or every posting of an
    /// organisation, at `now`. Fails on database or index errors (the job
    /// is then retried).
    pub async fn refresh(
        &self,
        target: MatchTarget,
        now: DateTime<Utc>,
    ) -> Result<RefreshReport, AppError> {
        match target {
            MatchTarget::Need(id) => self.refresh_need(id, now).await,
            MatchTarget::Offer(id) => self.refresh_offer(id, now).await,
            MatchTarget::Organization(id) => {
                let mut report = RefreshReport::default();
                let need_ids: Vec<Uuid> = needs::Entity::find()
                    .select_only()
                    .column(needs::Column::Id)
                    .filter(needs::Column::OrganizationId.eq(id))
                    .into_tuple()
                    .all(self.db)
                    .await?;
                for need in need_ids {
                    report += self.refresh_need(need, now).await?;
                }
                let offer_ids: Vec<Uuid> = offers::Entity::find()
                    .select_only()
                    .column(offers::Column::Id)
                    .filter(offers::Column::OrganizationId.eq(id))
                    .into_tuple()
                    .all(self.db)
                    .await?;
                for offer in offer_ids {
                    report += self.refresh_offer(offer, now).await?;
                }
                Ok(report)
            }
        }
    }

    async fn candidates(&self, request: CandidateRequest) -> Result<Vec<Uuid>, AppError> {
        let index = self.search.index();
        tokio::task::spawn_blocking(move || index.candidates(&request))
            .await
            .map_err(|e| AppError::Internal(e.into()))?
            .map_err(|e| AppError::Internal(e.into()))
    }

    /// The need's facts, if it is open and its deadline has not passed.
    async fn open_need(&self, id: Uuid, now: DateTime<Utc>) -> Result<Option<NeedFacts>, AppError> {
        Ok(match_facts::needs(self.db, self.matcher, &[id])
            .await?
            .remove(&id)
            .filter(|n| n.open && n.deadline_at.is_none_or(|d| d >= now)))
    }

    /// The offers the engine proposes for a need: its candidates from the
    /// index plus `also` (the offers it is already matched with), scored.
    async fn need_proposals(
        &self,
        need: &NeedFacts,
        also: impl IntoIterator<Item = Uuid>,
        now: DateTime<Utc>,
    ) -> Result<Vec<Proposal>, AppError> {
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
                municipality: need.place.municipality_code().map(str::to_owned),
                neighbourhood: need.place.neighbourhood_id(),
                exclude_organization: Some(need.party.organization_id),
                limit: CANDIDATES,
            })
            .await?;
        let known: HashSet<Uuid> = ids.iter().copied().collect();
        ids.extend(also.into_iter().filter(|o| !known.contains(o)));
        let offers = match_facts::offers(self.db, self.matcher, &ids).await?;
        Ok(offers
            .values()
            .filter_map(|offer| self.proposal(need, offer, now))
            .collect())
    }

    /// The best `limit` offers for an open need, best first, computed now
    /// and not stored (what `matchesForNeed` would list after a refresh).
    /// Empty when the need is not open. Fails on database or index errors.
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

    async fn refresh_need(&self, id: Uuid, now: DateTime<Utc>) -> Result<RefreshReport, AppError> {
        let existing = rows_of(self.db, MatchSide::Need, id).await?;
        let Some(need) = self.open_need(id, now).await? else {
            return persist(self.db, MatchSide::Need, id, existing, Vec::new()).await;
        };
        let also: Vec<Uuid> = existing.iter().map(|r| r.offer_id).collect();
        let desired = self.need_proposals(&need, also, now).await?;
        persist(self.db, MatchSide::Need, id, existing, desired).await
    }

    async fn refresh_offer(&self, id: Uuid, now: DateTime<Utc>) -> Result<RefreshReport, AppError> {
        let existing = rows_of(self.db, MatchSide::Offer, id).await?;
        let offer = match_facts::offers(self.db, self.matcher, &[id])
            .await?
            .remove(&id)
            .filter(|o| o.open && o.available_until.is_none_or(|u| u >= now.date_naive()));
        let Some(offer) = offer else {
            return persist(self.db, MatchSide::Offer, id, existing, Vec::new()).await;
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
                municipality: offer.place.municipality_code().map(str::to_owned),
                neighbourhood: offer.place.neighbourhood_id(),
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
        let needs = match_facts::needs(self.db, self.matcher, &ids).await?;
        let desired = needs
            .values()
            .filter_map(|need| self.proposal(need, &offer, now))
            .collect();
        persist(self.db, MatchSide::Offer, id, existing, desired).await
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
    pub async fn explain(
        &self,
        need_id: Uuid,
        offer_id: Uuid,
    ) -> Result<Result<Scored, Exclusion>, AppError> {
        let need = match_facts::needs(self.db, self.matcher, &[need_id])
            .await?
            .remove(&need_id)
            .ok_or_else(|| AppError::not_found(Entity::Need, "needId"))?;
        let offer = match_facts::offers(self.db, self.matcher, &[offer_id])
            .await?
            .remove(&offer_id)
            .ok_or_else(|| AppError::not_found(Entity::Offer, "offerId"))?;
        Ok(self.matcher.score(&need, &offer, now()))
    }
}

/// A pair the engine proposes.
struct Proposal {
    need_id: Uuid,
    offer_id: Uuid,
    fingerprint: String,
    scored: Scored,
}

async fn rows_of(
    db: &impl ConnectionTrait,
    side: MatchSide,
    id: Uuid,
) -> Result<Vec<matches::Model>, AppError> {
    let column = match side {
        MatchSide::Need => matches::Column::NeedId,
        MatchSide::Offer => matches::Column::OfferId,
    };
    Ok(matches::Entity::find()
        .filter(column.eq(id))
        .all(db)
        .await?)
}

fn reasons_json(reasons: &[Reason]) -> serde_json::Value {
    serde_json::to_value(reasons).unwrap_or_else(|_| json!([]))
}

/// Writes the proposals of one need (or offer) over its existing rows, in
/// one transaction.
async fn persist(
    db: &DatabaseConnection,
    side: MatchSide,
    anchor: Uuid,
    existing: Vec<matches::Model>,
    desired: Vec<Proposal>,
) -> Result<RefreshReport, AppError> {
    let mut report = RefreshReport {
        proposed: desired.len() as u64,
        ..Default::default()
    };
    let at = now();
    let txn = db.begin().await?;
    let mut by_pair: HashMap<(Uuid, Uuid), matches::Model> = existing
        .into_iter()
        .map(|row| ((row.need_id, row.offer_id), row))
        .collect();
    let mut inserts = Vec::new();
    for proposal in desired {
        let reasons = reasons_json(&proposal.scored.reasons);
        match by_pair.remove(&(proposal.need_id, proposal.offer_id)) {
            Some(row) => {
                let changed_content = row.content_fingerprint != proposal.fingerprint;
                if !changed_content && row.score == proposal.scored.score && row.reasons == reasons
                {
                    continue;
                }
                let reopen = |status: &str| {
                    if changed_content && status == MatchSideStatus::Dismissed.as_str() {
                        MatchSideStatus::Suggested.as_str().to_owned()
                    } else {
                        status.to_owned()
                    }
                };
                let mut active: matches::ActiveModel = row.clone().into();
                active.need_side_status = Set(reopen(&row.need_side_status));
                active.offer_side_status = Set(reopen(&row.offer_side_status));
                active.score = Set(proposal.scored.score);
                active.reasons = Set(reasons);
                active.content_fingerprint = Set(proposal.fingerprint);
                active.computed_at = Set(at);
                active.updated_at = Set(at);
                active.update(&txn).await?;
                report.updated += 1;
            }
            None => inserts.push(matches::ActiveModel {
                id: Set(new_id()),
                need_id: Set(proposal.need_id),
                offer_id: Set(proposal.offer_id),
                score: Set(proposal.scored.score),
                reasons: Set(reasons),
                need_side_status: Set(MatchSideStatus::Suggested.as_str().to_owned()),
                offer_side_status: Set(MatchSideStatus::Suggested.as_str().to_owned()),
                content_fingerprint: Set(proposal.fingerprint),
                computed_at: Set(at),
                created_at: Set(at),
                updated_at: Set(at),
            }),
        }
    }
    let stale: Vec<Uuid> = by_pair
        .values()
        .filter(|row| !engaged(row))
        .map(|row| row.id)
        .collect();
    if !stale.is_empty() {
        report.deleted = matches::Entity::delete_many()
            .filter(matches::Column::Id.is_in(stale))
            .exec(&txn)
            .await?
            .rows_affected;
    }
    for chunk in inserts.chunks(200) {
        report.inserted += chunk.len() as u64;
        // Another process refreshing the other side of a pair may insert it
        // first: its row has the same score (scores depend on the pair
        // alone), so keep it.
        matches::Entity::insert_many(chunk.to_vec())
            .on_conflict(
                OnConflict::columns([matches::Column::NeedId, matches::Column::OfferId])
                    .do_nothing()
                    .to_owned(),
            )
            .exec_without_returning(&txn)
            .await?;
    }
    txn.commit().await?;
    tracing::debug!(?side, %anchor, ?report, "matches refreshed");
    Ok(report)
}

/// Recomputes every match (`trama match --all`): every need, then every
/// offer, that is open or still has matches. Returns the totals.
pub async fn recompute_all(engine: Engine<'_>) -> Result<RefreshReport, AppError> {
    let at = now();
    let mut report = RefreshReport::default();
    let matched_needs: Vec<Uuid> = matches::Entity::find()
        .select_only()
        .column(matches::Column::NeedId)
        .distinct()
        .into_tuple()
        .all(engine.db)
        .await?;
    let open_needs: Vec<Uuid> = needs::Entity::find()
        .select_only()
        .column(needs::Column::Id)
        .filter(needs::Column::Status.eq(PostingStatus::Open.as_str()))
        .filter(needs::Column::DeletedAt.is_null())
        .order_by_asc(needs::Column::Id)
        .into_tuple()
        .all(engine.db)
        .await?;
    let mut need_ids: Vec<Uuid> = open_needs;
    need_ids.extend(matched_needs);
    need_ids.sort();
    need_ids.dedup();
    for id in need_ids {
        report += engine.refresh(MatchTarget::Need(id), at).await?;
    }
    let matched_offers: Vec<Uuid> = matches::Entity::find()
        .select_only()
        .column(matches::Column::OfferId)
        .distinct()
        .into_tuple()
        .all(engine.db)
        .await?;
    let open_offers: Vec<Uuid> = offers::Entity::find()
        .select_only()
        .column(offers::Column::Id)
        .filter(offers::Column::Status.eq(PostingStatus::Open.as_str()))
        .filter(offers::Column::DeletedAt.is_null())
        .into_tuple()
        .all(engine.db)
        .await?;
    let mut offer_ids = open_offers;
    offer_ids.extend(matched_offers);
    offer_ids.sort();
    offer_ids.dedup();
    for id in offer_ids {
        report += engine.refresh(MatchTarget::Offer(id), at).await?;
    }
    report.proposed = count(engine.db).await?;
    Ok(report)
}

/// How many matches are stored.
pub async fn count(db: &impl ConnectionTrait) -> Result<u64, AppError> {
    use sea_orm::PaginatorTrait;
    Ok(matches::Entity::find().count(db).await?)
}

/// The matches of a need or an offer, best first: at most `first`, and
/// whether there are more. Pairs whose other side is no longer visible are
/// left out, and so are those this side dismissed unless `include_dismissed`.
pub async fn list(
    db: &impl ConnectionTrait,
    side: MatchSide,
    id: Uuid,
    include_dismissed: bool,
    first: usize,
) -> Result<(Vec<matches::Model>, bool), AppError> {
    let mut rows = rows_of(db, side, id).await?;
    if !include_dismissed {
        let dismissed = MatchSideStatus::Dismissed.as_str();
        rows.retain(|row| match side {
            MatchSide::Need => row.need_side_status != dismissed,
            MatchSide::Offer => row.offer_side_status != dismissed,
        });
    }
    let visible: HashSet<Uuid> = match side {
        MatchSide::Need => {
            let ids: Vec<Uuid> = rows.iter().map(|r| r.offer_id).collect();
            super::search_docs::visible_offers(db, &ids)
                .await?
                .into_iter()
                .map(|o| o.id)
                .collect()
        }
        MatchSide::Offer => {
            let ids: Vec<Uuid> = rows.iter().map(|r| r.need_id).collect();
            super::search_docs::visible_needs(db, &ids)
                .await?
                .into_iter()
                .map(|n| n.id)
                .collect()
        }
    };
    rows.retain(|row| match side {
        MatchSide::Need => visible.contains(&row.offer_id),
        MatchSide::Offer => visible.contains(&row.need_id),
    });
    rows.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.id.cmp(&b.id)));
    let more = rows.len() > first;
    rows.truncate(first);
    Ok((rows, more))
}

/// A match by id. NOT_FOUND on `field`.
pub async fn get(
    db: &impl ConnectionTrait,
    id: Uuid,
    field: &str,
) -> Result<matches::Model, AppError> {
    matches::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or_else(|| AppError::not_found(Entity::Match, field))
}

/// The organisations on each side of a match.
async fn sides(
    db: &impl ConnectionTrait,
    row: &matches::Model,
) -> Result<(needs::Model, offers::Model), AppError> {
    let need = super::needs::get(db, row.need_id, "matchId").await?;
    let offer = super::offers::get(db, row.offer_id, "matchId").await?;
    Ok((need, offer))
}

/// Which side the actor speaks for: the one asked, or the one whose
/// organisation they belong to. FORBIDDEN when they belong to neither.
async fn side_of(
    db: &impl ConnectionTrait,
    actor: &Actor,
    need: &needs::Model,
    offer: &offers::Model,
    asked: Option<MatchSide>,
) -> Result<MatchSide, AppError> {
    let (_, user_id) = permissions::signed_in(Some(actor))?;
    permissions::verified_user(db, Some(actor)).await?;
    let member_of_need = permissions::role_in(db, user_id, need.organization_id)
        .await?
        .is_some();
    let member_of_offer = permissions::role_in(db, user_id, offer.organization_id)
        .await?
        .is_some();
    match asked {
        Some(MatchSide::Need) if member_of_need => Ok(MatchSide::Need),
        Some(MatchSide::Offer) if member_of_offer => Ok(MatchSide::Offer),
        None if member_of_need => Ok(MatchSide::Need),
        None if member_of_offer => Ok(MatchSide::Offer),
        _ => Err(AppError::Forbidden(
            "only members of the need's or the offer's organisation may act on a match",
        )),
    }
}

/// Where a match stands on the way to a partnership, from both sides'
/// statuses and whether a project was opened for it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Partnership {
    /// Neither side proposed it.
    NotProposed,
    /// The offer's side proposed it; the need's side has not answered.
    AwaitingNeedSide,
    /// The need's side proposed it; the offer's side has not answered.
    AwaitingOfferSide,
    /// One side proposed it and the other dismissed the match.
    Declined,
    /// Both sides agreed: the need's co-design project is open.
    Open,
}

impl Partnership {
    /// The state of `row`; `project` is the project it opened, if any (a
    /// project opened by one side alone, before consent was required, counts
    /// as open).
    pub fn of(row: &matches::Model, project: Option<Uuid>) -> Self {
        let partnership = MatchSideStatus::Partnership.as_str();
        let dismissed = MatchSideStatus::Dismissed.as_str();
        let need = row.need_side_status.as_str();
        let offer = row.offer_side_status.as_str();
        if project.is_some() || (need == partnership && offer == partnership) {
            Self::Open
        } else if (need == partnership && offer == dismissed)
            || (offer == partnership && need == dismissed)
        {
            Self::Declined
        } else if offer == partnership {
            Self::AwaitingNeedSide
        } else if need == partnership {
            Self::AwaitingOfferSide
        } else {
            Self::NotProposed
        }
    }
}

/// A partnership proposed by one side, for the other side to hear of.
#[derive(Clone, Debug)]
pub struct PartnershipProposal {
    pub need: needs::Model,
    pub offer: offers::Model,
    /// The side that proposed it.
    pub from: MatchSide,
    /// The organisation that proposed it, and the one asked.
    pub proposer: organizations::Model,
    pub recipient: organizations::Model,
    /// The people of the organisation asked (verified addresses only).
    pub recipients: Vec<users::Model>,
}

/// What [`set_status`] did.
#[derive(Clone, Debug)]
pub struct StatusChange {
    /// The match as it is now.
    pub row: matches::Model,
    /// The co-design project, once both sides agreed to the partnership.
    pub project_id: Option<Uuid>,
    /// Set when this change proposed a partnership the other side must now
    /// answer: tell them (after the commit).
    pub proposal: Option<PartnershipProposal>,
}

impl StatusChange {
    pub fn partnership(&self) -> Partnership {
        Partnership::of(&self.row, self.project_id)
    }
}

/// Moves one side of a match to `status` for the actor's organisation and
/// records the verdict for tuning (interested, dismissed).
///
/// A partnership needs both sides' consent: PARTNERSHIP on one side is a
/// proposal ([`StatusChange::proposal`] says who should hear of it), which
/// its side may withdraw by moving to another status; PARTNERSHIP on the
/// second side opens the need's co-design project (or adds the offer's
/// organisation to the one already open) and returns its id. The check and
/// the opening are one serialised step (the need's row is locked on
/// PostgreSQL; SQLite has one writer), so concurrent consents open it once.
///
/// Fails with NOT_FOUND on `matchId`, FORBIDDEN when the actor is not a
/// member of that side's organisation, CONFLICT on `status` once the
/// partnership is open (it cannot be undone here) or when proposing to a
/// side that dismissed the match.
pub async fn set_status(
    db: &DatabaseConnection,
    actor: &Actor,
    match_id: Uuid,
    side: Option<MatchSide>,
    status: MatchSideStatus,
) -> Result<StatusChange, AppError> {
    let row = get(db, match_id, "matchId").await?;
    let (need, offer) = sides(db, &row).await?;
    let side = side_of(db, actor, &need, &offer, side).await?;
    let txn = db.begin().await?;
    // Every change to the partnerships of one need queues here, so two
    // consents arriving together see each other, and open one project.
    lock_need(&txn, need.id).await?;
    let row = get(&txn, match_id, "matchId").await?;
    let project = project_of_match(&txn, row.id).await?;
    let (mine, theirs) = match side {
        MatchSide::Need => (&row.need_side_status, &row.offer_side_status),
        MatchSide::Offer => (&row.offer_side_status, &row.need_side_status),
    };
    let open = Partnership::of(&row, project) == Partnership::Open;
    if open && status != MatchSideStatus::Partnership {
        return Err(AppError::conflict(
            "status",
            "il partenariato è già avviato: prosegui nel progetto di co-progettazione",
            "the partnership has started: go on in the co-design project",
        ));
    }
    if status == MatchSideStatus::Partnership && theirs == MatchSideStatus::Dismissed.as_str() {
        return Err(AppError::conflict(
            "status",
            "l'altra parte ha scartato questa proposta",
            "the other side dismissed this match",
        ));
    }
    if mine == status.as_str() {
        txn.commit().await?;
        return Ok(StatusChange {
            row,
            project_id: project,
            proposal: None,
        });
    }
    let at = now();
    let mut active: matches::ActiveModel = row.clone().into();
    match side {
        MatchSide::Need => active.need_side_status = Set(status.as_str().to_owned()),
        MatchSide::Offer => active.offer_side_status = Set(status.as_str().to_owned()),
    }
    active.updated_at = Set(at);
    let after = active.update(&txn).await?;
    let organization_id = match side {
        MatchSide::Need => need.organization_id,
        MatchSide::Offer => offer.organization_id,
    };
    let verdict = match status {
        MatchSideStatus::Interested => Some(FeedbackVerdict::Interested),
        MatchSideStatus::Dismissed => Some(FeedbackVerdict::Dismissed),
        _ => None,
    };
    if let Some(verdict) = verdict {
        insert_feedback(
            &txn,
            row.id,
            actor.user_id,
            Some(organization_id),
            verdict,
            FeedbackSource::Web,
        )
        .await?;
    }
    audit(
        &txn,
        actor,
        "match.status",
        "match",
        row.id,
        json!({
            "side": match side { MatchSide::Need => "need", MatchSide::Offer => "offer" },
            "status": { "from": mine, "to": status.as_str() },
        }),
    )
    .await?;
    let mut change = StatusChange {
        row: after,
        project_id: project,
        proposal: None,
    };
    if status == MatchSideStatus::Partnership {
        if theirs == MatchSideStatus::Partnership.as_str() {
            if project.is_none() {
                let opened = open_project(&txn, actor, &change.row, &need, &offer).await?;
                change.project_id = Some(opened);
            }
        } else if project.is_none() {
            change.proposal = Some(proposal(&txn, side, need, offer).await?);
        }
    }
    txn.commit().await?;
    Ok(change)
}

/// Locks the need's row until the transaction ends (PostgreSQL; SQLite's
/// single writer already serialises transactions).
async fn lock_need(txn: &impl ConnectionTrait, need_id: Uuid) -> Result<(), AppError> {
    if txn.get_database_backend() == DbBackend::Postgres {
        needs::Entity::find_by_id(need_id)
            .select_only()
            .column(needs::Column::Id)
            .lock(LockType::Update)
            .into_tuple::<Uuid>()
            .one(txn)
            .await?;
    }
    Ok(())
}

/// Who should hear of a partnership proposed by `from`: the other side's
/// organisation and its people with a verified address.
async fn proposal(
    txn: &impl ConnectionTrait,
    from: MatchSide,
    need: needs::Model,
    offer: offers::Model,
) -> Result<PartnershipProposal, AppError> {
    let (proposer_id, recipient_id) = match from {
        MatchSide::Need => (need.organization_id, offer.organization_id),
        MatchSide::Offer => (offer.organization_id, need.organization_id),
    };
    let proposer = super::organizations::get(txn, proposer_id, "matchId").await?;
    let recipient = super::organizations::get(txn, recipient_id, "matchId").await?;
    let members = memberships::Entity::find()
        .select_only()
        .column(memberships::Column::UserId)
        .filter(memberships::Column::OrganizationId.eq(recipient_id));
    let recipients = users::Entity::find()
        .filter(users::Column::Id.in_subquery(members.into_query()))
        .filter(users::Column::DeletedAt.is_null())
        .filter(users::Column::EmailVerifiedAt.is_not_null())
        .order_by_asc(users::Column::Id)
        .all(txn)
        .await?;
    Ok(PartnershipProposal {
        need,
        offer,
        from,
        proposer,
        recipient,
        recipients,
    })
}

async fn insert_feedback(
    txn: &impl ConnectionTrait,
    match_id: Uuid,
    user_id: Option<Uuid>,
    organization_id: Option<Uuid>,
    verdict: FeedbackVerdict,
    source: FeedbackSource,
) -> Result<(), AppError> {
    match_feedback::ActiveModel {
        id: Set(new_id()),
        match_id: Set(match_id),
        user_id: Set(user_id),
        organization_id: Set(organization_id),
        verdict: Set(verdict.as_str().to_owned()),
        source: Set(source.as_str().to_owned()),
        created_at: Set(now()),
    }
    .insert(txn)
    .await?;
    Ok(())
}

/// Records a verdict on a match (relevant / not relevant), from the web or
/// a digest's one-click link. Signed-in users must belong to either side's
/// organisation (FORBIDDEN otherwise); the platform itself (a verified
/// e-mail link) may record for any. NOT_FOUND on `matchId`.
pub async fn record_feedback(
    db: &DatabaseConnection,
    actor: &Actor,
    match_id: Uuid,
    verdict: FeedbackVerdict,
    source: FeedbackSource,
) -> Result<(), AppError> {
    let row = get(db, match_id, "matchId").await?;
    let organization_id = if actor.user_id.is_some() {
        let (need, offer) = sides(db, &row).await?;
        let side = side_of(db, actor, &need, &offer, None).await?;
        Some(match side {
            MatchSide::Need => need.organization_id,
            MatchSide::Offer => offer.organization_id,
        })
    } else {
        None
    };
    insert_feedback(db, row.id, actor.user_id, organization_id, verdict, source).await
}

/// The project a match's partnership opened, if any.
pub async fn project_of_match(
    db: &impl ConnectionTrait,
    match_id: Uuid,
) -> Result<Option<Uuid>, AppError> {
    Ok(project_partners::Entity::find()
        .filter(project_partners::Column::MatchId.eq(match_id))
        .one(db)
        .await?
        .map(|p| p.project_id))
}

/// Opens the need's co-design project with the offer's organisation as a
/// partner, or adds it to the need's project already open.
async fn open_project(
    txn: &impl ConnectionTrait,
    actor: &Actor,
    row: &matches::Model,
    need: &needs::Model,
    offer: &offers::Model,
) -> Result<Uuid, AppError> {
    let at = now();
    let existing = projects::Entity::find()
        .filter(projects::Column::NeedId.eq(need.id))
        .filter(projects::Column::DeletedAt.is_null())
        .filter(projects::Column::Stage.ne(ProjectStage::Closed.as_str()))
        .order_by_asc(projects::Column::Id)
        .one(txn)
        .await?;
    let project_id = match existing {
        Some(project) => project.id,
        None => {
            let id = new_id();
            let procedure = if need.requires_third_sector_registration
                || need.kind == NeedKind::CallForProposals.as_str()
            {
                ProjectProcedure::Coprogettazione
            } else {
                ProjectProcedure::PattoCollaborazione
            };
            projects::ActiveModel {
                id: Set(id),
                title: Set(need.title.clone()),
                description: Set(need.description.clone()),
                procedure: Set(procedure.as_str().to_owned()),
                stage: Set(ProjectStage::FirstContact.as_str().to_owned()),
                need_id: Set(Some(need.id)),
                lead_organization_id: Set(need.organization_id),
                is_public: Set(false),
                signed_at: Set(None),
                created_by: Set(actor.user_id),
                created_at: Set(at),
                updated_at: Set(at),
                deleted_at: Set(None),
            }
            .insert(txn)
            .await?;
            project_stages::ActiveModel {
                id: Set(new_id()),
                project_id: Set(id),
                stage: Set(ProjectStage::FirstContact.as_str().to_owned()),
                started_at: Set(at),
                completed_at: Set(None),
                notes: Set(None),
            }
            .insert(txn)
            .await?;
            add_partner(txn, id, need.organization_id, PartnerRole::Lead, None).await?;
            audit(
                txn,
                actor,
                "project.create",
                "project",
                id,
                json!({ "needId": need.id, "procedure": procedure.as_str(), "matchId": row.id }),
            )
            .await?;
            id
        }
    };
    add_partner(
        txn,
        project_id,
        offer.organization_id,
        PartnerRole::Partner,
        Some(row.id),
    )
    .await?;
    project_contributions::ActiveModel {
        id: Set(new_id()),
        project_id: Set(project_id),
        organization_id: Set(offer.organization_id),
        kind: Set(offer.kind.clone()),
        description: Set(offer.title.clone()),
        amount_cents: Set(offer.amount_max_cents),
        offer_id: Set(Some(offer.id)),
        status: Set("proposed".to_owned()),
        created_at: Set(at),
        updated_at: Set(at),
    }
    .insert(txn)
    .await?;
    Ok(project_id)
}

async fn add_partner(
    txn: &impl ConnectionTrait,
    project_id: Uuid,
    organization_id: Uuid,
    role: PartnerRole,
    match_id: Option<Uuid>,
) -> Result<(), AppError> {
    let present = project_partners::Entity::find()
        .filter(project_partners::Column::ProjectId.eq(project_id))
        .filter(project_partners::Column::OrganizationId.eq(organization_id))
        .one(txn)
        .await?;
    if present.is_none() {
        project_partners::ActiveModel {
            id: Set(new_id()),
            project_id: Set(project_id),
            organization_id: Set(organization_id),
            role: Set(role.as_str().to_owned()),
            match_id: Set(match_id),
            joined_at: Set(now()),
            left_at: Set(None),
        }
        .insert(txn)
        .await?;
    }
    Ok(())
}

/// An organisation suggested as a partner, with the matches that make it one.
#[derive(Clone, Debug)]
pub struct PartnerSuggestion {
    pub organization_id: Uuid,
    /// The best match's score.
    pub score: f64,
    /// The matches between the two, best first (at most five).
    pub matches: Vec<matches::Model>,
    /// How many of its offers match my needs, and of its needs my offers.
    pub offers_for_my_needs: u64,
    pub needs_for_my_offers: u64,
}

/// Organisations whose offers match this organisation's open needs or whose
/// needs match its open offers, best first, leaving out matches it
/// dismissed.
pub async fn suggested_partners(
    db: &impl ConnectionTrait,
    organization_id: Uuid,
    first: usize,
) -> Result<Vec<PartnerSuggestion>, AppError> {
    let dismissed = MatchSideStatus::Dismissed.as_str();
    let my_needs: Vec<Uuid> = needs::Entity::find()
        .select_only()
        .column(needs::Column::Id)
        .filter(needs::Column::OrganizationId.eq(organization_id))
        .filter(needs::Column::Status.eq(PostingStatus::Open.as_str()))
        .filter(needs::Column::DeletedAt.is_null())
        .into_tuple()
        .all(db)
        .await?;
    let my_offers: Vec<Uuid> = offers::Entity::find()
        .select_only()
        .column(offers::Column::Id)
        .filter(offers::Column::OrganizationId.eq(organization_id))
        .filter(offers::Column::Status.eq(PostingStatus::Open.as_str()))
        .filter(offers::Column::DeletedAt.is_null())
        .into_tuple()
        .all(db)
        .await?;
    let for_my_needs = matches::Entity::find()
        .filter(matches::Column::NeedId.is_in(my_needs))
        .filter(matches::Column::NeedSideStatus.ne(dismissed))
        .all(db)
        .await?;
    let for_my_offers = matches::Entity::find()
        .filter(matches::Column::OfferId.is_in(my_offers))
        .filter(matches::Column::OfferSideStatus.ne(dismissed))
        .all(db)
        .await?;
    let offer_ids: Vec<Uuid> = for_my_needs.iter().map(|m| m.offer_id).collect();
    let need_ids: Vec<Uuid> = for_my_offers.iter().map(|m| m.need_id).collect();
    let offer_owner: HashMap<Uuid, Uuid> = super::search_docs::visible_offers(db, &offer_ids)
        .await?
        .into_iter()
        .map(|o| (o.id, o.organization_id))
        .collect();
    let need_owner: HashMap<Uuid, Uuid> = super::search_docs::visible_needs(db, &need_ids)
        .await?
        .into_iter()
        .map(|n| (n.id, n.organization_id))
        .collect();
    let mut by_partner: BTreeMap<Uuid, PartnerSuggestion> = BTreeMap::new();
    let mut add = |partner: Uuid, row: matches::Model, offers_side: bool| {
        let entry = by_partner
            .entry(partner)
            .or_insert_with(|| PartnerSuggestion {
                organization_id: partner,
                score: 0.0,
                matches: Vec::new(),
                offers_for_my_needs: 0,
                needs_for_my_offers: 0,
            });
        if offers_side {
            entry.offers_for_my_needs += 1;
        } else {
            entry.needs_for_my_offers += 1;
        }
        entry.score = entry.score.max(row.score);
        entry.matches.push(row);
    };
    for row in for_my_needs {
        if let Some(owner) = offer_owner.get(&row.offer_id).copied()
            && owner != organization_id
        {
            add(owner, row, true);
        }
    }
    for row in for_my_offers {
        if let Some(owner) = need_owner.get(&row.need_id).copied()
            && owner != organization_id
        {
            add(owner, row, false);
        }
    }
    let mut suggestions: Vec<PartnerSuggestion> = by_partner.into_values().collect();
    for s in &mut suggestions {
        s.matches
            .sort_by(|a, b| b.score.total_cmp(&a.score).then(a.id.cmp(&b.id)));
        s.matches.truncate(5);
    }
    suggestions.sort_by(|a, b| {
        b.score
            .total_cmp(&a.score)
            .then(
                (b.offers_for_my_needs + b.needs_for_my_offers)
                    .cmp(&(a.offers_for_my_needs + a.needs_for_my_offers)),
            )
            .then(a.organization_id.cmp(&b.organization_id))
    });
    suggestions.truncate(first);
    Ok(suggestions)
}

/// The partner set proposed for a need (see [`crate::matching::cover`]),
/// with the match behind each offer chosen. The kinds to cover are the
/// contributions the need asks for. The caller decides whether the reader
/// may see the need ([`crate::policy::visibility::need`]): drafts and hidden needs
/// are found here too. NOT_FOUND on `needId` when it does not exist.
pub async fn partner_set(
    db: &impl ConnectionTrait,
    matcher: &Matcher,
    need_id: Uuid,
) -> Result<(Cover, HashMap<Uuid, matches::Model>), AppError> {
    let need = needs::Entity::find_by_id(need_id)
        .filter(needs::Column::DeletedAt.is_null())
        .one(db)
        .await?
        .ok_or_else(|| AppError::not_found(Entity::Need, "needId"))?;
    let required: Vec<OfferKind> =
        super::closed_list_values::<OfferKind>(&need.required_contributions);
    let (rows, _) = list(db, MatchSide::Need, need.id, false, usize::MAX).await?;
    let offer_ids: Vec<Uuid> = rows.iter().map(|r| r.offer_id).collect();
    let offers: HashMap<Uuid, offers::Model> = super::search_docs::visible_offers(db, &offer_ids)
        .await?
        .into_iter()
        .map(|o| (o.id, o))
        .collect();
    let candidates: Vec<CoverCandidate> = rows
        .iter()
        .filter_map(|row| {
            let offer = offers.get(&row.offer_id)?;
            Some(CoverCandidate {
                offer_id: offer.id,
                organization_id: offer.organization_id,
                kind: OfferKind::parse(&offer.kind).ok()?,
                score: row.score,
            })
        })
        .collect();
    let cover = cover::cover(
        &required,
        &candidates,
        matcher.config().partners.extra_partner_cost,
    );
    let chosen: HashSet<Uuid> = cover
        .members
        .iter()
        .flat_map(|m| m.offers.iter().map(|o| o.offer_id))
        .collect();
    let by_offer = rows
        .into_iter()
        .filter(|r| chosen.contains(&r.offer_id))
        .map(|r| (r.offer_id, r))
        .collect();
    Ok((cover, by_offer))
}

/// The reasons stored with a match, read back. Rows written by an older
/// version whose reasons no longer parse read as none (and are logged).
pub fn reasons_of(row: &matches::Model) -> Vec<Reason> {
    match serde_json::from_value(row.reasons.clone()) {
        Ok(reasons) => reasons,
        Err(error) => {
            tracing::warn!(match_id = %row.id, %error, "stored match reasons do not parse");
            Vec::new()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(need: MatchSideStatus, offer: MatchSideStatus) -> matches::Model {
        let at = Utc::now();
        matches::Model {
            id: Uuid::now_v7(),
            need_id: Uuid::now_v7(),
            offer_id: Uuid::now_v7(),
            score: 0.5,
            reasons: json!([]),
            need_side_status: need.as_str().to_owned(),
            offer_side_status: offer.as_str().to_owned(),
            content_fingerprint: String::new(),
            computed_at: at,
            created_at: at,
            updated_at: at,
        }
    }

    #[test]
    fn a_partnership_is_open_only_when_both_sides_agree() {
        use MatchSideStatus as S;
        for (need, offer, expected) in [
            (S::Suggested, S::Suggested, Partnership::NotProposed),
            (S::Interested, S::InContact, Partnership::NotProposed),
            (S::Suggested, S::Partnership, Partnership::AwaitingNeedSide),
            (S::InContact, S::Partnership, Partnership::AwaitingNeedSide),
            (
                S::Partnership,
                S::Interested,
                Partnership::AwaitingOfferSide,
            ),
            (S::Dismissed, S::Partnership, Partnership::Declined),
            (S::Partnership, S::Dismissed, Partnership::Declined),
            (S::Partnership, S::Partnership, Partnership::Open),
        ] {
            assert_eq!(
                Partnership::of(&row(need, offer), None),
                expected,
                "{need:?} / {offer:?}"
            );
        }
        // A project opened by one side alone, before consent was asked of
        // both, stays open.
        let legacy = row(S::Suggested, S::Partnership);
        assert_eq!(
            Partnership::of(&legacy, Some(Uuid::now_v7())),
            Partnership::Open
        );
    }
}
