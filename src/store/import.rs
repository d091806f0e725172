//! The queries of the registry import: organisations by tax code with what
//! an import may add to (sectors, contacts), the bulk inserts of one batch,
//! and the newest search outbox row a bulk change must wait for.

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, Func};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QuerySelect, Set};
use uuid::Uuid;

use super::organizations::{ContactRow, NewOrganizationRow, VerificationState};
use super::{Context, StoreResult, rows};
use crate::domain::{Coordinates, OrganizationKind, OutboxEntityType, OutboxOperation};
use crate::store::entities::{
    organization_contacts, organization_sectors, organizations, search_outbox,
};

/// Rows per multi-row INSERT: well inside SQLite's 32,766 and PostgreSQL's
/// 65,535 bound parameters at the widest table (23 columns).
pub const INSERT_CHUNK: usize = 1_000;

/// The organisations with these tax codes, deleted or not.
pub async fn organizations_by_tax_code(
    db: &impl ConnectionTrait,
    codes: Vec<&str>,
) -> StoreResult<Vec<organizations::Model>> {
    let which = organizations::Column::TaxCode.is_in(codes);
    rows::all::<organizations::Entity>(db, which, "import: organisations by tax code").await
}

/// The sector rows of these organisations.
pub async fn sectors_of(
    db: &impl ConnectionTrait,
    ids: &HashSet<Uuid>,
) -> StoreResult<Vec<organization_sectors::Model>> {
    let which = organization_sectors::Column::OrganizationId.is_in(ids.iter().copied());
    rows::all::<organization_sectors::Entity>(db, which, "import: sectors of organisations").await
}

/// The contacts of these organisations.
pub async fn contacts_of(
    db: &impl ConnectionTrait,
    ids: &HashSet<Uuid>,
) -> StoreResult<Vec<organization_contacts::Model>> {
    let which = organization_contacts::Column::OrganizationId.is_in(ids.iter().copied());
    rows::all::<organization_contacts::Entity>(db, which, "import: contacts of organisations").await
}

/// Inserts new organisations, [`INSERT_CHUNK`] per statement. A unique
/// violation (a tax code registered meanwhile) is for the caller to name:
/// see [`super::StoreError::is_unique_violation`].
pub async fn insert_organizations(
    db: &impl ConnectionTrait,
    rows: &[NewOrganizationRow<'_>],
) -> StoreResult<()> {
    for chunk in rows.chunks(INSERT_CHUNK) {
        let chunk = chunk.iter().map(|row| super::organizations::new_row(*row));
        organizations::Entity::insert_many(chunk)
            .exec(db)
            .await
            .context("import: insert organisations")?;
    }
    Ok(())
}

/// What an import changes on an organisation already on Trama: its name
/// and kind, and each other column it carries (`None` keeps the stored one).
#[derive(Clone, Debug)]
pub struct OrganizationUpdate {
    pub name: String,
    pub kind: OrganizationKind,
    pub vat_number: Option<String>,
    pub description: Option<String>,
    pub website: Option<String>,
    pub seat_municipality_code: Option<String>,
    pub address: Option<String>,
    pub coordinates: Option<Coordinates>,
    /// Whether its verification is reset (its kind changed).
    pub unverified: bool,
    pub at: DateTime<Utc>,
}

/// Updates one organisation already on Trama (`before`, as read).
pub async fn update_organization(
    db: &impl ConnectionTrait,
    before: organizations::Model,
    update: &OrganizationUpdate,
) -> StoreResult<()> {
    let mut row: organizations::ActiveModel = before.into();
    row.name = Set(update.name.clone());
    row.kind = Set(update.kind);
    if let Some(vat) = &update.vat_number {
        row.vat_number = Set(Some(vat.clone()));
    }
    if let Some(description) = &update.description {
        row.description = Set(description.clone());
    }
    if let Some(website) = &update.website {
        row.website = Set(Some(website.clone()));
    }
    if let Some(code) = &update.seat_municipality_code {
        row.seat_municipality_code = Set(Some(code.clone()));
    }
    if let Some(address) = &update.address {
        row.address = Set(Some(address.clone()));
    }
    if let Some(point) = update.coordinates {
        row.lat = Set(Some(point.lat()));
        row.lon = Set(Some(point.lon()));
    }
    if update.unverified {
        super::organizations::write_verification(&mut row, &VerificationState::unverified());
    }
    row.updated_at = Set(update.at);
    row.update(db)
        .await
        .context("import: update an organisation")?;
    Ok(())
}

/// Adds sectors to organisations: (organisation id, sector code) pairs.
pub async fn insert_sectors(db: &impl ConnectionTrait, rows: &[(Uuid, String)]) -> StoreResult<()> {
    for chunk in rows.chunks(INSERT_CHUNK) {
        let chunk = chunk.iter().map(
            |(organization_id, code)| organization_sectors::ActiveModel {
                organization_id: Set(*organization_id),
                sector_code: Set(code.clone()),
            },
        );
        organization_sectors::Entity::insert_many(chunk)
            .exec(db)
            .await
            .context("import: insert sectors")?;
    }
    Ok(())
}

/// Adds contacts to organisations.
pub async fn insert_contacts(
    db: &impl ConnectionTrait,
    rows: &[ContactRow<'_>],
) -> StoreResult<()> {
    for chunk in rows.chunks(INSERT_CHUNK) {
        let chunk = chunk
            .iter()
            .map(|row| super::organizations::contact_row(*row));
        organization_contacts::Entity::insert_many(chunk)
            .exec(db)
            .await
            .context("import: insert contacts")?;
    }
    Ok(())
}

/// Appends the search outbox rows of many changes of one kind at `at`.
pub async fn insert_outbox(
    db: &impl ConnectionTrait,
    entity: OutboxEntityType,
    ids: &[Uuid],
    operation: OutboxOperation,
    at: DateTime<Utc>,
) -> StoreResult<()> {
    for chunk in ids.chunks(INSERT_CHUNK) {
        let chunk = chunk.iter().map(|id| search_outbox::ActiveModel {
            entity_type: Set(entity),
            entity_id: Set(*id),
            operation: Set(operation),
            created_at: Set(at),
            ..Default::default()
        });
        search_outbox::Entity::insert_many(chunk)
            .exec(db)
            .await
            .context("import: insert search outbox rows")?;
    }
    Ok(())
}

/// The newest search outbox row: what the index must have applied for a
/// bulk change to be searchable.
pub async fn newest_outbox_seq(db: &impl ConnectionTrait) -> StoreResult<Option<i64>> {
    Ok(search_outbox::Entity::find()
        .select_only()
        .expr(Func::max(Expr::col(search_outbox::Column::Seq)))
        .into_tuple::<Option<i64>>()
        .one(db)
        .await
        .context("search outbox: newest seq")?
        .flatten())
}
