//! Which of the records an input refers to exist: neighbourhoods and
//! sectors, looked up by key in one statement per list.

use std::collections::HashSet;

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect};
use uuid::Uuid;

use super::{Context, StoreResult};
use crate::store::entities::{neighbourhoods, sectors};

/// Those of `ids` that are neighbourhoods.
pub async fn existing_neighbourhood_ids(
    db: &impl ConnectionTrait,
    ids: &[Uuid],
) -> StoreResult<HashSet<Uuid>> {
    Ok(neighbourhoods::Entity::find()
        .select_only()
        .column(neighbourhoods::Column::Id)
        .filter(neighbourhoods::Column::Id.is_in(ids.iter().copied()))
        .into_tuple::<Uuid>()
        .all(db)
        .await
        .context("neighbourhoods: which exist")?
        .into_iter()
        .collect())
}

/// Those of `codes` that are in the sectors taxonomy.
pub async fn existing_sector_codes(
    db: &impl ConnectionTrait,
    codes: impl IntoIterator<Item = String>,
) -> StoreResult<HashSet<String>> {
    Ok(sectors::Entity::find()
        .select_only()
        .column(sectors::Column::Code)
        .filter(sectors::Column::Code.is_in(codes))
        .into_tuple::<String>()
        .all(db)
        .await
        .context("sectors: which exist")?
        .into_iter()
        .collect())
}
