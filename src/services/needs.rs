//! Needs: what a public body or an organisation is looking for (collaborative
//! housing, community services, spaces to regenerate, calls for proposals...).

use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    Set, TransactionTrait,
};
use serde_json::json;
use uuid::Uuid;

use super::references::ReferenceCheck;
use super::{Actor, audit, enqueue_for_search, new_id, now};
use crate::domain::{NeedInput, OutboxEntityType, OutboxOperation, PostingStatus};
use crate::error::{AppError, Entity};
use crate::store::entities::{need_sectors, needs};

/// Publishes a need of `organization_id`. Fails with BAD_USER_INPUT (every
/// problem with its field) when the input is invalid or names an unknown
/// organisation (`organizationId`), municipality, neighbourhood or sector.
/// Nothing is written on failure.
pub async fn create(
    db: &DatabaseConnection,
    actor: &Actor,
    organization_id: Uuid,
    input: &NeedInput,
) -> Result<needs::Model, AppError> {
    let new = input.validate()?;
    let txn = db.begin().await?;
    let mut check = ReferenceCheck::new();
    check
        .organization(&txn, "organizationId", organization_id)
        .await?;
    check
        .municipality(&txn, "municipalityCode", new.municipality_code.as_ref())
        .await?;
    let neighbourhood_municipality = check
        .neighbourhood(
            &txn,
            "neighbourhoodId",
            new.neighbourhood_id,
            new.municipality_code.as_ref(),
        )
        .await?;
    check.sectors(&txn, "sectors", &new.sectors).await?;
    check.finish()?;

    let id = new_id();
    let at = now();
    let model = needs::ActiveModel {
        id: Set(id),
        organization_id: Set(organization_id),
        kind: Set(new.kind.as_str().to_owned()),
        title: Set(new.title.as_str().to_owned()),
        description: Set(new.description.as_str().to_owned()),
        budget_cents: Set(new.budget.map(|b| b.cents())),
        deadline_at: Set(new.deadline_at),
        municipality_code: Set(new
            .municipality_code
            .as_ref()
            .map(|c| c.as_str().to_owned())
            .or(neighbourhood_municipality)),
        neighbourhood_id: Set(new.neighbourhood_id),
        lat: Set(new.coordinates.map(|c| c.lat())),
        lon: Set(new.coordinates.map(|c| c.lon())),
        location_precision: Set(new.location_precision.as_str().to_owned()),
        required_contributions: Set(json!(
            new.required_contributions
                .iter()
                .map(|k| k.as_str())
                .collect::<Vec<_>>()
        )),
        eligible_organization_kinds: Set(json!(
            new.eligible_organization_kinds
                .iter()
                .map(|k| k.as_str())
                .collect::<Vec<_>>()
        )),
        requires_third_sector_registration: Set(new.requires_third_sector_registration),
        status: Set(new.status.as_str().to_owned()),
        created_by: Set(actor.user_id),
        created_at: Set(at),
        updated_at: Set(at),
        closed_at: Set((new.status == PostingStatus::Closed).then_some(at)),
        deleted_at: Set(None),
    }
    .insert(&txn)
    .await?;
    for sector in &new.sectors {
        need_sectors::ActiveModel {
            need_id: Set(id),
            sector_code: Set(sector.as_str().to_owned()),
        }
        .insert(&txn)
        .await?;
    }
    audit(
        &txn,
        actor,
        "need.create",
        OutboxEntityType::Need,
        id,
        json!({ "organizationId": organization_id, "kind": model.kind, "title": model.title }),
    )
    .await?;
    enqueue_for_search(&txn, OutboxEntityType::Need, id, OutboxOperation::Upsert).await?;
    txn.commit().await?;
    Ok(model)
}

/// The need with this id, unless deleted. Fails with NOT_FOUND on `field`.
pub async fn get(
    db: &impl ConnectionTrait,
    id: Uuid,
    field: &str,
) -> Result<needs::Model, AppError> {
    needs::Entity::find_by_id(id)
        .filter(needs::Column::DeletedAt.is_null())
        .one(db)
        .await?
        .ok_or_else(|| AppError::not_found(Entity::Need, field))
}
