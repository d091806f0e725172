//! The queries of reference data: the municipalities and sectors that
//! imports and forms look names and codes up in.

use sea_orm::{ConnectionTrait, EntityTrait, QuerySelect};

use super::{Context, StoreResult};
use crate::store::entities::{municipalities, sectors};

/// Every municipality as (ISTAT code, name, province plate code).
pub async fn municipality_names(
    db: &impl ConnectionTrait,
) -> StoreResult<Vec<(String, String, String)>> {
    municipalities::Entity::find()
        .select_only()
        .column(municipalities::Column::IstatCode)
        .column(municipalities::Column::Name)
        .column(municipalities::Column::ProvinceCode)
        .into_tuple()
        .all(db)
        .await
        .context("municipalities: codes and names")
}

/// Every sector.
pub async fn all_sectors(db: &impl ConnectionTrait) -> StoreResult<Vec<sectors::Model>> {
    sectors::Entity::find()
        .all(db)
        .await
        .context("sectors: all")
}
