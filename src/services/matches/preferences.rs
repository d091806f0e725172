//! An organisation's verdicts on earlier proposals
//! ([`crate::matching::feedback`]) read from the database and applied to
//! its lists of matches: a proposal like one it dismissed as not relevant
//! moves down, one like a proposal it was interested in moves up, with the
//! reason that says so. Applied when a list is read, for the list's owner
//! only; the stored score stays the pair's own.

use std::collections::{BTreeMap, HashMap, HashSet};

use uuid::Uuid;

use crate::domain::FeedbackVerdict;
use crate::error::AppError;
use crate::matching::feedback::{self, Judged, Preferences, Proposed};
use crate::matching::{Matcher, Party, TextProfile};
use crate::services::match_facts;
use crate::store::entities::{matches, needs, offers};
use crate::store::matches::{self as store, OwnPostings};

use super::MatchSide;

/// An organisation's latest verdicts that count: newer judgement takes the
/// place of older, and every list request stays bounded (the judged
/// matches and their texts are read for each) however long the
/// organisation has been judging.
const MOST_VERDICTS: u64 = 500;

/// What the other side of a match is to the feedback model.
struct Other {
    organization_id: Uuid,
    title: String,
    text: TextProfile,
}

/// Moves the matches of a posting of `owner` (its need's offers for
/// [`MatchSide::Need`], its offer's needs for [`MatchSide::Offer`]) by
/// the owner's verdicts on similar proposals: each moved row gets its new
/// score and a last reason of criterion `feedback` (not saved). Leaves the
/// order to the caller. Does nothing for an organisation that never gave a
/// verdict.
#[tracing::instrument(skip_all, fields(?side, %owner, rows = rows.len()))]
pub async fn apply(
    db: &impl sea_orm::ConnectionTrait,
    matcher: &Matcher,
    side: MatchSide,
    owner: Uuid,
    rows: &mut [matches::Model],
) -> Result<(), AppError> {
    if rows.is_empty() {
        return Ok(());
    }
    let preferences = preferences(db, matcher, side, owner).await?;
    if preferences.is_empty() {
        return Ok(());
    }
    let others = others(db, matcher, side, rows.iter().map(|r| other_of(side, r))).await?;
    for row in rows.iter_mut() {
        let other_id = other_of(side, row);
        let Some(other) = others.get(&other_id) else {
            continue;
        };
        let proposed = Proposed {
            match_id: row.id,
            posting_id: other_id,
            organization_id: other.organization_id,
            text: &other.text,
        };
        let Some(reason) = preferences.adjust(proposed, matcher.config()) else {
            continue;
        };
        row.score = ((row.score + reason.value).clamp(0.0, 1.0) * 10_000.0).round() / 10_000.0;
        if let (serde_json::Value::Array(reasons), Ok(reason)) =
            (&mut row.reasons, serde_json::to_value(&reason))
        {
            reasons.push(reason);
        }
    }
    Ok(())
}

/// The owner's verdicts on matches of its postings on this side, by the
/// other side's posting.
async fn preferences(
    db: &impl sea_orm::ConnectionTrait,
    matcher: &Matcher,
    side: MatchSide,
    owner: Uuid,
) -> Result<Preferences, AppError> {
    let verdicts = store::feedback_of_organization(db, owner, MOST_VERDICTS).await?;
    if verdicts.is_empty() {
        return Ok(Preferences::default());
    }
    let mut by_match: BTreeMap<Uuid, Vec<FeedbackVerdict>> = BTreeMap::new();
    for verdict in verdicts {
        by_match
            .entry(verdict.match_id)
            .or_default()
            .push(verdict.verdict);
    }
    let judged_rows = store::by_ids(db, by_match.keys().copied().collect()).await?;
    let own: HashSet<Uuid> = match side {
        MatchSide::Need => {
            store::posting_ids_of_organization::<needs::Entity>(db, owner, OwnPostings::All).await?
        }
        MatchSide::Offer => {
            store::posting_ids_of_organization::<offers::Entity>(db, owner, OwnPostings::All)
                .await?
        }
    }
    .into_iter()
    .collect();
    let judged_rows: Vec<matches::Model> = judged_rows
        .into_iter()
        .filter(|row| {
            own.contains(&match side {
                MatchSide::Need => row.need_id,
                MatchSide::Offer => row.offer_id,
            })
        })
        .collect();
    let others = others(
        db,
        matcher,
        side,
        judged_rows.iter().map(|r| other_of(side, r)),
    )
    .await?;
    let config = &matcher.config().feedback;
    let judged = judged_rows
        .iter()
        .filter_map(|row| {
            let other_id = other_of(side, row);
            let other = others.get(&other_id)?;
            let (signal, verdict) = feedback::signal(by_match.get(&row.id)?, config)?;
            Some(Judged {
                match_id: row.id,
                posting_id: other_id,
                organization_id: other.organization_id,
                title: other.title.clone(),
                text: other.text.clone(),
                verdict,
                signal,
            })
        })
        .collect();
    Ok(Preferences::new(judged))
}

/// The other side's posting of a match in a list of this side.
fn other_of(side: MatchSide, row: &matches::Model) -> Uuid {
    match side {
        MatchSide::Need => row.offer_id,
        MatchSide::Offer => row.need_id,
    }
}

/// The texts and organisations of the other side's postings.
async fn others(
    db: &impl sea_orm::ConnectionTrait,
    matcher: &Matcher,
    side: MatchSide,
    ids: impl Iterator<Item = Uuid>,
) -> Result<HashMap<Uuid, Other>, AppError> {
    let ids: Vec<Uuid> = ids.collect::<HashSet<_>>().into_iter().collect();
    let other = |party: Party, title: String, text: TextProfile| Other {
        organization_id: party.organization_id,
        title,
        text,
    };
    Ok(match side {
        MatchSide::Need => match_facts::offers(db, matcher, &ids)
            .await?
            .into_iter()
            .map(|(id, o)| (id, other(o.party, o.title, o.text)))
            .collect(),
        MatchSide::Offer => match_facts::needs(db, matcher, &ids)
            .await?
            .into_iter()
            .map(|(id, n)| (id, other(n.party, n.title, n.text)))
            .collect(),
    })
}
