//! The posting lifecycle that needs and offers share: publishing one,
//! editing it, closing it and reading it back. What differs between the two
//! (their fields, their validation, their audit summary) is the [`Posting`]
//! trait; the queries are [`crate::store::postings`].

use chrono::{DateTime, Utc};
use serde_json::Value;
use uuid::Uuid;

use super::references::ReferenceCheck;
use super::{Actor, changes, new_id, now, permissions, record_change};
use crate::domain::{
    IstatCode, MembershipRole, OtherPlace, OutboxEntityType, PostingStatus, SectorCode, StoredPlace,
};
use crate::error::{AppError, Entity};
use crate::store::postings::{PostingTable, PostingWrite};
use sea_orm::{ConnectionTrait, DatabaseConnection, TransactionTrait};

/// The places and sectors a posting refers to, checked against the database.
pub struct References<'a> {
    pub municipality_code: Option<&'a IstatCode>,
    pub neighbourhood_id: Option<Uuid>,
    pub other_places: &'a [OtherPlace],
    pub sectors: &'a [SectorCode],
}

/// What a checked input gives besides its validated content.
struct Checked {
    /// The municipality implied by the first place's neighbourhood.
    implied_municipality: Option<String>,
    /// The other places, each with its municipality.
    other_places: Vec<StoredPlace>,
}

impl Checked {
    /// The write of `content` with these places, closed at `closed_at`
    /// (`None`: not closed), at `at`.
    fn write<C>(
        self,
        content: &C,
        closed_at: Option<DateTime<Utc>>,
        at: DateTime<Utc>,
    ) -> PostingWrite<'_, C> {
        PostingWrite {
            content,
            implied_municipality: self.implied_municipality,
            other_places: self.other_places,
            closed_at,
            at,
        }
    }
}

/// A kind of posting (need or offer), implemented on its table.
pub trait Posting: PostingTable<Model: Clone + Send + Sync> {
    /// What a client sends; validated, it is the table's content.
    type Input: Sync;
    const ENTITY: OutboxEntityType;
    const NOT_FOUND: Entity;
    /// The audit actions of create, update and close.
    const ACTIONS: [&'static str; 3];

    /// Validates `input` at `at`; `before` is the stored posting of an edit.
    fn validate(
        input: &Self::Input,
        before: Option<&Self::Model>,
        at: DateTime<Utc>,
    ) -> Result<Self::Content, AppError>;
    fn references(new: &Self::Content) -> References<'_>;
    fn new_status(new: &Self::Content) -> PostingStatus;
    /// The fields the audit log compares.
    fn summary(posting: &Self::Model) -> Value;
}

/// Validates the input and checks what it refers to; returns the content and
/// the municipalities implied by its neighbourhoods.
async fn validated<P: Posting>(
    txn: &impl ConnectionTrait,
    organization_id: Uuid,
    input: &P::Input,
    before: Option<&P::Model>,
    at: DateTime<Utc>,
) -> Result<(P::Content, Checked), AppError> {
    let new = P::validate(input, before, at)?;
    let refs = P::references(&new);
    let mut check = ReferenceCheck::new();
    check
        .organization(txn, "organizationId", organization_id)
        .await?;
    check
        .municipality(txn, "municipalityCode", refs.municipality_code)
        .await?;
    let implied_municipality = check
        .neighbourhood(
            txn,
            "neighbourhoodId",
            refs.neighbourhood_id,
            refs.municipality_code,
        )
        .await?;
    // The first place, as an other place would be stored: not repeated.
    let first = refs
        .municipality_code
        .map(|c| c.as_str().to_owned())
        .or(implied_municipality.clone())
        .map(|municipality_code| StoredPlace {
            municipality_code,
            neighbourhood_id: refs.neighbourhood_id,
        });
    let mut other_places = Vec::with_capacity(refs.other_places.len());
    for (index, place) in refs.other_places.iter().enumerate() {
        let field = |name: &str| format!("otherPlaces[{index}].{name}");
        let municipality = place.municipality_code.as_ref();
        check
            .municipality(txn, &field("municipalityCode"), municipality)
            .await?;
        let implied = check
            .neighbourhood(
                txn,
                &field("neighbourhoodId"),
                place.neighbourhood_id,
                municipality,
            )
            .await?;
        if let Some(municipality_code) = municipality.map(|c| c.as_str().to_owned()).or(implied) {
            let stored = StoredPlace {
                municipality_code,
                neighbourhood_id: place.neighbourhood_id,
            };
            // A neighbourhood named alone and again with its municipality
            // is one place; the first place is not another.
            if first.as_ref() != Some(&stored) && !other_places.contains(&stored) {
                other_places.push(stored);
            }
        }
    }
    check.sectors(txn, "sectors", refs.sectors).await?;
    check.finish()?;
    let checked = Checked {
        implied_municipality,
        other_places,
    };
    Ok((new, checked))
}

fn sector_codes<P: Posting>(new: &P::Content) -> Vec<String> {
    P::references(new)
        .sectors
        .iter()
        .map(|s| s.as_str().to_owned())
        .collect()
}

/// Publishes a posting of `organization_id` as it went at `at`. Users must be
/// its members with a verified address (FORBIDDEN otherwise). Fails with
/// BAD_USER_INPUT (every problem with its field) when the input is invalid or
/// names an unknown organisation (`organizationId`), municipality,
/// neighbourhood or sector. Nothing is written on failure.
#[tracing::instrument(skip_all, fields(entity = P::ENTITY.as_str(), %organization_id))]
pub async fn create<P: Posting>(
    db: &DatabaseConnection,
    actor: &Actor,
    organization_id: Uuid,
    input: &P::Input,
    at: DateTime<Utc>,
) -> Result<P::Model, AppError> {
    permissions::authorize(db, actor, organization_id, MembershipRole::Member).await?;
    let txn = db.begin().await?;
    let (new, checked) = validated::<P>(&txn, organization_id, input, None, at).await?;
    let id = new_id();
    let closed_at = (P::new_status(&new) == PostingStatus::Closed).then_some(at);
    let write = checked.write(&new, closed_at, at);
    let model = P::insert_posting(&txn, id, organization_id, actor.user_id, write).await?;
    P::replace_sectors(&txn, id, sector_codes::<P>(&new)).await?;
    let [action, _, _] = P::ACTIONS;
    let summary = P::summary(&model);
    record_change(txn, actor, action, P::ENTITY, id, summary).await?;
    Ok(model)
}

/// Replaces a posting's content. Members of its organisation may. Fails like
/// [`create`], and with NOT_FOUND on `id`.
#[tracing::instrument(skip_all, fields(entity = P::ENTITY.as_str(), %id))]
pub async fn update<P: Posting>(
    db: &DatabaseConnection,
    actor: &Actor,
    id: Uuid,
    input: &P::Input,
) -> Result<P::Model, AppError> {
    let before = get::<P>(db, id, "id").await?;
    let organization_id = P::organization_id(&before);
    permissions::authorize(db, actor, organization_id, MembershipRole::Member).await?;
    let txn = db.begin().await?;
    let (new, checked) = validated::<P>(&txn, organization_id, input, Some(&before), now()).await?;
    let at = now();
    let closed_at = match (P::new_status(&new), P::closed_at(&before)) {
        (PostingStatus::Closed, Some(closed)) => Some(closed),
        (PostingStatus::Closed, None) => Some(at),
        _ => None,
    };
    let write = checked.write(&new, closed_at, at);
    let after = P::update_posting(&txn, before.clone(), write).await?;
    P::replace_sectors(&txn, id, sector_codes::<P>(&new)).await?;
    let [_, action, _] = P::ACTIONS;
    let changed = changes(&P::summary(&before), &P::summary(&after));
    record_change(txn, actor, action, P::ENTITY, id, changed).await?;
    Ok(after)
}

/// Closes a posting: it stays readable but no longer matches. Closing a
/// closed posting changes nothing. Members of its organisation may.
#[tracing::instrument(skip_all, fields(entity = P::ENTITY.as_str(), %id))]
pub async fn close<P: Posting>(
    db: &DatabaseConnection,
    actor: &Actor,
    id: Uuid,
) -> Result<P::Model, AppError> {
    let before = get::<P>(db, id, "id").await?;
    permissions::authorize(
        db,
        actor,
        P::organization_id(&before),
        MembershipRole::Member,
    )
    .await?;
    if P::status(&before) == PostingStatus::Closed {
        return Ok(before);
    }
    let txn = db.begin().await?;
    let at = now();
    let after = P::close_posting(&txn, before.clone(), at).await?;
    let [_, _, action] = P::ACTIONS;
    let changed = changes(&P::summary(&before), &P::summary(&after));
    record_change(txn, actor, action, P::ENTITY, id, changed).await?;
    Ok(after)
}

/// The posting with this id, unless deleted or hidden by a moderator. Fails
/// with NOT_FOUND on `field`.
pub async fn get<P: Posting>(
    db: &impl ConnectionTrait,
    id: Uuid,
    field: &str,
) -> Result<P::Model, AppError> {
    P::find_public_by_id(db, id)
        .await?
        .ok_or_else(|| AppError::not_found(P::NOT_FOUND, field))
}
