//! The demo loader's reads: what it looks up to load each record once
//! (informal groups by name, offers and needs by organisation and title) and
//! the municipalities of the province it places records in.

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

use super::{Context, StoreResult};
use crate::domain::OrganizationKind;
use crate::store::entities::{municipalities, needs, offers, organizations};

/// The organisation of this name and kind, deleted or not (how the demo
/// recognises a group that has no tax code).
pub async fn organization_named(
    db: &impl ConnectionTrait,
    name: &str,
    kind: OrganizationKind,
) -> StoreResult<Option<organizations::Model>> {
    organizations::Entity::find()
        .filter(organizations::Column::Name.eq(name))
        .filter(organizations::Column::Kind.eq(kind))
        .one(db)
        .await
        .context("seed: organisation by name and kind")
}

/// The organisation's offer of this title, deleted or not.
pub async fn offer_titled(
    db: &impl ConnectionTrait,
    organization_id: Uuid,
    title: &str,
) -> StoreResult<Option<offers::Model>> {
    offers::Entity::find()
        .filter(offers::Column::OrganizationId.eq(organization_id))
        .filter(offers::Column::Title.eq(title))
        .one(db)
        .await
        .context("seed: offer by organisation and title")
}

/// The organisation's need of this title, deleted or not.
pub async fn need_titled(
    db: &impl ConnectionTrait,
    organization_id: Uuid,
    title: &str,
) -> StoreResult<Option<needs::Model>> {
    needs::Entity::find()
        .filter(needs::Column::OrganizationId.eq(organization_id))
        .filter(needs::Column::Title.eq(title))
        .one(db)
        .await
        .context("seed: need by organisation and title")
}

/// Every municipality of a province (by its plate code, e.g. `MI`), in no
/// particular order.
pub async fn municipalities_of_province(
    db: &impl ConnectionTrait,
    province_code: &str,
) -> StoreResult<Vec<municipalities::Model>> {
    municipalities::Entity::find()
        .filter(municipalities::Column::ProvinceCode.eq(province_code))
        .all(db)
        .await
        .context("seed: municipalities of a province")
}
