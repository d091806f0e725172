//! Needs: what a public body or an organisation is looking for (collaborative
//! housing, community services, spaces to regenerate, calls for proposals...):
//! publishing, editing and closing them.

use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, DatabaseConnection};
use serde_json::json;
use uuid::Uuid;

use super::postings::{self, Posting, References};
use super::{Actor, now};
use crate::domain::{NeedInput, NewNeed, OutboxEntityType, PostingStatus};
use crate::error::{AppError, Entity};
use crate::store::entities::needs;

impl Posting for needs::Entity {
    type Input = NeedInput;
    const ENTITY: OutboxEntityType = OutboxEntityType::Need;
    const NOT_FOUND: Entity = Entity::Need;
    const ACTIONS: [&'static str; 3] = ["need.create", "need.update", "need.close"];

    fn validate(
        input: &NeedInput,
        before: Option<&needs::Model>,
        at: DateTime<Utc>,
    ) -> Result<NewNeed, AppError> {
        // Keeping the stored deadline is fine even once passed; a new one
        // must not be before `at`.
        Ok(input.validate(at, before.and_then(|b| b.deadline_at))?)
    }

    fn references(new: &NewNeed) -> References<'_> {
        References {
            municipality_code: new.municipality_code.as_ref(),
            neighbourhood_id: new.neighbourhood_id,
            other_places: &new.other_places,
            sectors: &new.sectors,
        }
    }

    fn new_status(new: &NewNeed) -> PostingStatus {
        new.status
    }

    fn summary(posting: &needs::Model) -> serde_json::Value {
        json!({
            "organizationId": posting.organization_id,
            "kind": posting.kind,
            "title": posting.title,
            "description": posting.description,
            "budgetCents": posting.budget_cents,
            "deadlineAt": posting.deadline_at,
            "municipalityCode": posting.municipality_code,
            "neighbourhoodId": posting.neighbourhood_id,
            "otherPlaces": posting.other_places,
            "territoryScope": posting.territory_scope,
            "locationPrecision": posting.location_precision,
            "requiredContributions": posting.required_contributions,
            "eligibleOrganizationKinds": posting.eligible_organization_kinds,
            "requiresThirdSectorRegistration": posting.requires_third_sector_registration,
            "status": posting.status,
        })
    }
}

/// Publishes a need of `organization_id`. Users must be its members with a
/// verified address (FORBIDDEN otherwise). Fails with BAD_USER_INPUT (every
/// problem with its field) when the input is invalid (a deadline in the
/// past among them) or names an unknown
/// organisation (`organizationId`), municipality, neighbourhood or sector.
/// Nothing is written on failure.
pub async fn create(
    db: &DatabaseConnection,
    actor: &Actor,
    organization_id: Uuid,
    input: &NeedInput,
) -> Result<needs::Model, AppError> {
    postings::create::<needs::Entity>(db, actor, organization_id, input, now()).await
}

/// [`create`] as it went at `published_at`: the need's times are that
/// moment, and its deadline is checked against it. For the demo's history
/// (needs published weeks ago whose deadline has passed since), never for
/// what people send.
pub(crate) async fn create_published_at(
    db: &DatabaseConnection,
    actor: &Actor,
    organization_id: Uuid,
    input: &NeedInput,
    published_at: DateTime<Utc>,
) -> Result<needs::Model, AppError> {
    postings::create::<needs::Entity>(db, actor, organization_id, input, published_at).await
}

/// Replaces a need's content. Members of its organisation may. Fails like
/// [`create`], and with NOT_FOUND on `id`; a deadline that passed while
/// stored may be kept, a changed one must be in the future.
pub async fn update(
    db: &DatabaseConnection,
    actor: &Actor,
    id: Uuid,
    input: &NeedInput,
) -> Result<needs::Model, AppError> {
    postings::update::<needs::Entity>(db, actor, id, input).await
}

/// Closes a need: it stays readable but no longer matches. Closing a closed
/// need changes nothing. Members of its organisation may.
pub async fn close(
    db: &DatabaseConnection,
    actor: &Actor,
    id: Uuid,
) -> Result<needs::Model, AppError> {
    postings::close::<needs::Entity>(db, actor, id).await
}

/// The need with this id, unless deleted or hidden by a moderator. Fails with
/// NOT_FOUND on `field`.
pub async fn get(
    db: &impl ConnectionTrait,
    id: Uuid,
    field: &str,
) -> Result<needs::Model, AppError> {
    postings::get::<needs::Entity>(db, id, field).await
}
