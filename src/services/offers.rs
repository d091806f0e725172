//! Offers: what an organisation makes available (funding, loans, spaces,
//! competences, volunteers, materials, equipment): publishing, editing and
//! closing them.

use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, DatabaseConnection};
use serde_json::json;
use uuid::Uuid;

use super::postings::{self, Posting, References};
use super::{Actor, now};
use crate::domain::{NewOffer, OfferInput, OutboxEntityType, PostingStatus};
use crate::error::{AppError, Entity};
use crate::store::entities::offers;

impl Posting for offers::Entity {
    type Input = OfferInput;
    const ENTITY: OutboxEntityType = OutboxEntityType::Offer;
    const NOT_FOUND: Entity = Entity::Offer;
    const ACTIONS: [&'static str; 3] = ["offer.create", "offer.update", "offer.close"];

    fn validate(
        input: &OfferInput,
        _before: Option<&offers::Model>,
        _at: DateTime<Utc>,
    ) -> Result<NewOffer, AppError> {
        Ok(input.validate()?)
    }

    fn references(new: &NewOffer) -> References<'_> {
        References {
            municipality_code: new.municipality_code.as_ref(),
            neighbourhood_id: new.neighbourhood_id,
            other_places: &new.other_places,
            sectors: &new.sectors,
        }
    }

    fn new_status(new: &NewOffer) -> PostingStatus {
        new.status
    }

    fn summary(posting: &offers::Model) -> serde_json::Value {
        json!({
            "organizationId": posting.organization_id,
            "kind": posting.kind,
            "title": posting.title,
            "description": posting.description,
            "amountMinCents": posting.amount_min_cents,
            "amountMaxCents": posting.amount_max_cents,
            "availableFrom": posting.available_from,
            "availableUntil": posting.available_until,
            "eligibleOrganizationKinds": posting.eligible_organization_kinds,
            "territoryScope": posting.territory_scope,
            "municipalityCode": posting.municipality_code,
            "neighbourhoodId": posting.neighbourhood_id,
            "otherPlaces": posting.other_places,
            "status": posting.status,
        })
    }
}

/// Publishes an offer of `organization_id`. Users must be its members with a
/// verified address (FORBIDDEN otherwise). Fails with BAD_USER_INPUT (every
/// problem with its field) when the input is invalid or names an unknown
/// organisation (`organizationId`), municipality, neighbourhood or sector.
/// Nothing is written on failure.
pub async fn create(
    db: &DatabaseConnection,
    actor: &Actor,
    organization_id: Uuid,
    input: &OfferInput,
) -> Result<offers::Model, AppError> {
    postings::create::<offers::Entity>(db, actor, organization_id, input, now()).await
}

/// Replaces an offer's content. Members of its organisation may. Fails like
/// [`create`], and with NOT_FOUND on `id`.
pub async fn update(
    db: &DatabaseConnection,
    actor: &Actor,
    id: Uuid,
    input: &OfferInput,
) -> Result<offers::Model, AppError> {
    postings::update::<offers::Entity>(db, actor, id, input).await
}

/// Closes an offer: it stays readable but no longer matches. Closing a
/// closed offer changes nothing. Members of its organisation may.
pub async fn close(
    db: &DatabaseConnection,
    actor: &Actor,
    id: Uuid,
) -> Result<offers::Model, AppError> {
    postings::close::<offers::Entity>(db, actor, id).await
}

/// The offer with this id, unless deleted or hidden by a moderator. Fails
/// with NOT_FOUND on `field`.
pub async fn get(
    db: &impl ConnectionTrait,
    id: Uuid,
    field: &str,
) -> Result<offers::Model, AppError> {
    postings::get::<offers::Entity>(db, id, field).await
}
