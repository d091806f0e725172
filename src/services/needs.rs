//! Needs: what a public body or an organisation is looking for (collaborative
//! housing, community services, spaces to regenerate, calls for proposals...):
//! publishing, editing and closing them.

use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    Set, TransactionTrait,
};
use serde_json::json;
use uuid::Uuid;

use super::references::ReferenceCheck;
use super::{Actor, audit, changes, enqueue_for_search, new_id, now, permissions};
use crate::domain::{NeedInput, NewNeed, OutboxEntityType, OutboxOperation, PostingStatus};
use crate::error::{AppError, Entity};
use crate::store::entities::{need_sectors, needs};

const ENTITY: OutboxEntityType = OutboxEntityType::Need;

/// Validates the input and checks what it refers to; returns the content and
/// the municipality implied by its neighbourhood. `current_deadline` is the
/// deadline stored before an edit: keeping it is fine even once passed; a
/// new one must not be before `at`.
async fn validated(
    txn: &impl ConnectionTrait,
    organization_id: Uuid,
    input: &NeedInput,
    current_deadline: Option<chrono::DateTime<chrono::Utc>>,
    at: chrono::DateTime<chrono::Utc>,
) -> Result<(NewNeed, Option<String>), AppError> {
    let new = input.validate(at, current_deadline)?;
    let mut check = ReferenceCheck::new();
    check
        .organization(txn, "organizationId", organization_id)
        .await?;
    check
        .municipality(txn, "municipalityCode", new.municipality_code.as_ref())
        .await?;
    let implied_municipality = check
        .neighbourhood(
            txn,
            "neighbourhoodId",
            new.neighbourhood_id,
            new.municipality_code.as_ref(),
        )
        .await?;
    check.sectors(txn, "sectors", &new.sectors).await?;
    check.finish()?;
    Ok((new, implied_municipality))
}

/// Writes the validated content into a row (new or existing).
fn apply(row: &mut needs::ActiveModel, new: &NewNeed, implied_municipality: Option<String>) {
    row.kind = Set(new.kind.as_str().to_owned());
    row.title = Set(new.title.as_str().to_owned());
    row.description = Set(new.description.as_str().to_owned());
    row.budget_cents = Set(new.budget.map(|b| b.cents()));
    row.deadline_at = Set(new.deadline_at);
    row.municipality_code = Set(new
        .municipality_code
        .as_ref()
        .map(|c| c.as_str().to_owned())
        .or(implied_municipality));
    row.neighbourhood_id = Set(new.neighbourhood_id);
    row.lat = Set(new.coordinates.map(|c| c.lat()));
    row.lon = Set(new.coordinates.map(|c| c.lon()));
    row.location_precision = Set(new.location_precision.as_str().to_owned());
    row.required_contributions = Set(json!(
        new.required_contributions
            .iter()
            .map(|k| k.as_str())
            .collect::<Vec<_>>()
    ));
    row.eligible_organization_kinds = Set(json!(
        new.eligible_organization_kinds
            .iter()
            .map(|k| k.as_str())
            .collect::<Vec<_>>()
    ));
    row.requires_third_sector_registration = Set(new.requires_third_sector_registration);
    row.status = Set(new.status.as_str().to_owned());
}

async fn replace_sectors(
    txn: &impl ConnectionTrait,
    id: Uuid,
    new: &NewNeed,
) -> Result<(), AppError> {
    need_sectors::Entity::delete_many()
        .filter(need_sectors::Column::NeedId.eq(id))
        .exec(txn)
        .await?;
    for sector in &new.sectors {
        need_sectors::ActiveModel {
            need_id: Set(id),
            sector_code: Set(sector.as_str().to_owned()),
        }
        .insert(txn)
        .await?;
    }
    Ok(())
}

fn summary(need: &needs::Model) -> serde_json::Value {
    json!({
        "organizationId": need.organization_id,
        "kind": need.kind,
        "title": need.title,
        "description": need.description,
        "budgetCents": need.budget_cents,
        "deadlineAt": need.deadline_at,
        "municipalityCode": need.municipality_code,
        "neighbourhoodId": need.neighbourhood_id,
        "locationPrecision": need.location_precision,
        "requiredContributions": need.required_contributions,
        "eligibleOrganizationKinds": need.eligible_organization_kinds,
        "requiresThirdSectorRegistration": need.requires_third_sector_registration,
        "status": need.status,
    })
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
    create_published_at(db, actor, organization_id, input, now()).await
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
    published_at: chrono::DateTime<chrono::Utc>,
) -> Result<needs::Model, AppError> {
    permissions::authorize_member(db, actor, organization_id).await?;
    let txn = db.begin().await?;
    let (new, implied_municipality) =
        validated(&txn, organization_id, input, None, published_at).await?;
    let id = new_id();
    let at = published_at;
    let mut row = needs::ActiveModel {
        id: Set(id),
        organization_id: Set(organization_id),
        created_by: Set(actor.user_id),
        created_at: Set(at),
        updated_at: Set(at),
        closed_at: Set((new.status == PostingStatus::Closed).then_some(at)),
        deleted_at: Set(None),
        hidden_at: Set(None),
        hidden_reason: Set(None),
        ..Default::default()
    };
    apply(&mut row, &new, implied_municipality);
    let model = row.insert(&txn).await?;
    replace_sectors(&txn, id, &new).await?;
    audit(
        &txn,
        actor,
        "need.create",
        ENTITY.as_str(),
        id,
        summary(&model),
    )
    .await?;
    enqueue_for_search(&txn, ENTITY, id, OutboxOperation::Upsert).await?;
    txn.commit().await?;
    Ok(model)
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
    let before = get(db, id, "id").await?;
    permissions::authorize_member(db, actor, before.organization_id).await?;
    let txn = db.begin().await?;
    let (new, implied_municipality) = validated(
        &txn,
        before.organization_id,
        input,
        before.deadline_at,
        now(),
    )
    .await?;
    let mut row: needs::ActiveModel = before.clone().into();
    apply(&mut row, &new, implied_municipality);
    let at = now();
    row.updated_at = Set(at);
    row.closed_at = Set(match (new.status, before.closed_at) {
        (PostingStatus::Closed, Some(closed)) => Some(closed),
        (PostingStatus::Closed, None) => Some(at),
        _ => None,
    });
    let after = row.update(&txn).await?;
    replace_sectors(&txn, id, &new).await?;
    audit(
        &txn,
        actor,
        "need.update",
        ENTITY.as_str(),
        id,
        changes(&summary(&before), &summary(&after)),
    )
    .await?;
    enqueue_for_search(&txn, ENTITY, id, OutboxOperation::Upsert).await?;
    txn.commit().await?;
    Ok(after)
}

/// Closes a need: it stays readable but no longer matches. Closing a closed
/// need changes nothing. Members of its organisation may.
pub async fn close(
    db: &DatabaseConnection,
    actor: &Actor,
    id: Uuid,
) -> Result<needs::Model, AppError> {
    let before = get(db, id, "id").await?;
    permissions::authorize_member(db, actor, before.organization_id).await?;
    if before.status == PostingStatus::Closed.as_str() {
        return Ok(before);
    }
    let txn = db.begin().await?;
    let at = now();
    let mut row: needs::ActiveModel = before.clone().into();
    row.status = Set(PostingStatus::Closed.as_str().to_owned());
    row.closed_at = Set(Some(at));
    row.updated_at = Set(at);
    let after = row.update(&txn).await?;
    audit(
        &txn,
        actor,
        "need.close",
        ENTITY.as_str(),
        id,
        changes(&summary(&before), &summary(&after)),
    )
    .await?;
    enqueue_for_search(&txn, ENTITY, id, OutboxOperation::Upsert).await?;
    txn.commit().await?;
    Ok(after)
}

/// The need with this id, unless deleted or hidden by a moderator. Fails with
/// NOT_FOUND on `field`.
pub async fn get(
    db: &impl ConnectionTrait,
    id: Uuid,
    field: &str,
) -> Result<needs::Model, AppError> {
    needs::Entity::find_by_id(id)
        .filter(needs::Column::DeletedAt.is_null())
        .filter(needs::Column::HiddenAt.is_null())
        .one(db)
        .await?
        .ok_or_else(|| AppError::not_found(Entity::Need, field))
}
