//! The statuses each side moves a match through (suggested → interested /
//! dismissed → in contact → partnership) and the feedback recorded on them.

use sea_orm::{ConnectionTrait, DatabaseConnection, TransactionTrait};
use serde_json::json;
use uuid::Uuid;

use crate::domain::{FeedbackSource, FeedbackVerdict, MatchSideStatus};
use crate::error::AppError;
use crate::services::{Actor, audit, now};
use crate::store::entities::{matches, needs, offers, organizations, users};
use crate::store::matches::{self as store, Feedback, SideStatuses};

use super::MatchSide;
use super::listing::{get, side_of, sides};
use crate::codesign::projects::{self as codesign, project_of_match};

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
        let partnership = MatchSideStatus::Partnership;
        let dismissed = MatchSideStatus::Dismissed;
        let need = row.need_side_status;
        let offer = row.offer_side_status;
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
#[tracing::instrument(skip_all, fields(%match_id, ?side, ?status))]
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
    store::lock_need(&txn, need.id).await?;
    let row = get(&txn, match_id, "matchId").await?;
    let project = project_of_match(&txn, row.id).await?;
    let (mine, theirs) = match side {
        MatchSide::Need => (row.need_side_status, row.offer_side_status),
        MatchSide::Offer => (row.offer_side_status, row.need_side_status),
    };
    let open = Partnership::of(&row, project) == Partnership::Open;
    if open && status != MatchSideStatus::Partnership {
        return Err(AppError::conflict(
            "status",
            "il partenariato è già avviato: prosegui nel progetto di co-progettazione",
            "the partnership has started: go on in the co-design project",
        ));
    }
    if status == MatchSideStatus::Partnership && theirs == MatchSideStatus::Dismissed {
        return Err(AppError::conflict(
            "status",
            "l'altra parte ha scartato questa proposta",
            "the other side dismissed this match",
        ));
    }
    if mine == status {
        txn.commit().await?;
        return Ok(StatusChange {
            row,
            project_id: project,
            proposal: None,
        });
    }
    let at = now();
    let statuses = match side {
        MatchSide::Need => SideStatuses {
            need: Some(status),
            offer: None,
        },
        MatchSide::Offer => SideStatuses {
            need: None,
            offer: Some(status),
        },
    };
    let after = store::set_side_statuses(&txn, row.clone(), statuses, at).await?;
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
        if theirs == MatchSideStatus::Partnership {
            if project.is_none() {
                let opened = codesign::open_for_partnership(
                    &txn,
                    change.row.id,
                    &need,
                    &offer,
                    actor.user_id,
                    now(),
                )
                .await?;
                if let Some(procedure) = opened.created {
                    audit(
                        &txn,
                        actor,
                        "project.create",
                        "project",
                        opened.project_id,
                        json!({ "needId": need.id, "procedure": procedure.as_str(), "matchId": change.row.id }),
                    )
                    .await?;
                }
                change.project_id = Some(opened.project_id);
            }
        } else if project.is_none() {
            change.proposal = Some(proposal(&txn, side, need, offer).await?);
        }
    }
    txn.commit().await?;
    Ok(change)
}

/// Who should hear of a partnership proposed by `from`: the other side's
/// organisation and its people with a verified address.
pub(super) async fn proposal(
    txn: &impl ConnectionTrait,
    from: MatchSide,
    need: needs::Model,
    offer: offers::Model,
) -> Result<PartnershipProposal, AppError> {
    let (proposer_id, recipient_id) = match from {
        MatchSide::Need => (need.organization_id, offer.organization_id),
        MatchSide::Offer => (offer.organization_id, need.organization_id),
    };
    let proposer = crate::services::organizations::get(txn, proposer_id, "matchId").await?;
    let recipient = crate::services::organizations::get(txn, recipient_id, "matchId").await?;
    let recipients = store::verified_members(txn, recipient_id).await?;
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
    let feedback = Feedback {
        match_id,
        user_id,
        organization_id,
        verdict,
        source,
        at: now(),
    };
    Ok(store::insert_feedback(txn, feedback).await?)
}

/// Records a verdict on a match (relevant / not relevant), from the web or
/// a digest's one-click link. Signed-in users must belong to either side's
/// organisation (FORBIDDEN otherwise); the platform itself (a verified
/// e-mail link) may record for any. NOT_FOUND on `matchId`.
#[tracing::instrument(skip_all, fields(%match_id, ?verdict, ?source))]
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

#[cfg(test)]
mod tests {
    use chrono::Utc;

    use super::*;

    fn row(need: MatchSideStatus, offer: MatchSideStatus) -> matches::Model {
        let at = Utc::now();
        matches::Model {
            id: Uuid::now_v7(),
            need_id: Uuid::now_v7(),
            offer_id: Uuid::now_v7(),
            score: 0.5,
            reasons: json!([]),
            need_side_status: need,
            offer_side_status: offer,
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
