//! The queries of the registry import: organisations by tax code with what
//! an import may add to (sectors, contacts), the bulk inserts of one batch,
//! and the newest search outbox row a bulk change must wait for.

use std::collections::HashSet;

use sea_orm::sea_query::{Expr, Func};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect,
};
use uuid::Uuid;

use super::{Context, StoreResult};
use crate::store::entities::{
    audit_log, organization_contacts, organization_sectors, organizations, search_outbox,
};

/// Rows per multi-row INSERT: well inside SQLite's 32,766 and PostgreSQL's
/// 65,535 bound parameters at the widest table (23 columns).
pub const INSERT_CHUNK: usize = 1_000;

/// The organisations with these tax codes, deleted or not.
pub async fn organizations_by_tax_code(
    db: &impl ConnectionTrait,
    codes: Vec<&str>,
) -> StoreResult<Vec<organizations::Model>> {
    organizations::Entity::find()
        .filter(organizations::Column::TaxCode.is_in(codes))
        .all(db)
        .await
        .context("import: organisations by tax code")
}

/// The sector rows of these organisations.
pub async fn sectors_of(
    db: &impl ConnectionTrait,
    ids: &HashSet<Uuid>,
) -> StoreResult<Vec<organization_sectors::Model>> {
    organization_sectors::Entity::find()
        .filter(organization_sectors::Column::OrganizationId.is_in(ids.iter().copied()))
        .all(db)
        .await
        .context("import: sectors of organisations")
}

/// The contacts of these organisations.
pub async fn contacts_of(
    db: &impl ConnectionTrait,
    ids: &HashSet<Uuid>,
) -> StoreResult<Vec<organization_contacts::Model>> {
    organization_contacts::Entity::find()
        .filter(organization_contacts::Column::OrganizationId.is_in(ids.iter().copied()))
        .all(db)
        .await
        .context("import: contacts of organisations")
}

/// Inserts new organisations, [`INSERT_CHUNK`] per statement. A unique
/// violation (a tax code registered meanwhile) is for the caller to name:
/// see [`super::StoreError::is_unique_violation`].
pub async fn insert_organizations(
    db: &impl ConnectionTrait,
    rows: &[organizations::ActiveModel],
) -> StoreResult<()> {
    for chunk in rows.chunks(INSERT_CHUNK) {
        organizations::Entity::insert_many(chunk.to_vec())
            .exec(db)
            .await
            .context("import: insert organisations")?;
    }
    Ok(())
}

/// Updates one organisation already on Trama.
pub async fn update_organization(
    db: &impl ConnectionTrait,
    row: organizations::ActiveModel,
) -> StoreResult<()> {
    row.update(db)
        .await
        .context("import: update an organisation")?;
    Ok(())
}

pub async fn insert_sectors(
    db: &impl ConnectionTrait,
    rows: &[organization_sectors::ActiveModel],
) -> StoreResult<()> {
    for chunk in rows.chunks(INSERT_CHUNK) {
        organization_sectors::Entity::insert_many(chunk.to_vec())
            .exec(db)
            .await
            .context("import: insert sectors")?;
    }
    Ok(())
}

pub async fn insert_contacts(
    db: &impl ConnectionTrait,
    rows: &[organization_contacts::ActiveModel],
) -> StoreResult<()> {
    for chunk in rows.chunks(INSERT_CHUNK) {
        organization_contacts::Entity::insert_many(chunk.to_vec())
            .exec(db)
            .await
            .context("import: insert contacts")?;
    }
    Ok(())
}

pub async fn insert_outbox(
    db: &impl ConnectionTrait,
    rows: &[search_outbox::ActiveModel],
) -> StoreResult<()> {
    for chunk in rows.chunks(INSERT_CHUNK) {
        search_outbox::Entity::insert_many(chunk.to_vec())
            .exec(db)
            .await
            .context("import: insert search outbox rows")?;
    }
    Ok(())
}

pub async fn insert_audit(
    db: &impl ConnectionTrait,
    row: audit_log::ActiveModel,
) -> StoreResult<()> {
    row.insert(db)
        .await
        .context("import: insert the audit row")?;
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
