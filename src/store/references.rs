//! Which of the records an input refers to exist: neighbourhoods and
//! sectors, looked up by key in one statement per list.

use std::collections::HashSet;

use sea_orm::{ColumnTrait, ConnectionTrait};
use uuid::Uuid;

use super::{StoreResult, rows};
use crate::store::entities::{neighbourhoods, sectors};

/// Those of `ids` that are neighbourhoods.
pub async fn existing_neighbourhood_ids(
    db: &impl ConnectionTrait,
    ids: &[Uuid],
) -> StoreResult<HashSet<Uuid>> {
    let id = neighbourhoods::Column::Id;
    let which = id.is_in(ids.iter().copied());
    let found: Vec<Uuid> =
        rows::values::<neighbourhoods::Entity, _>(db, [id], which, "neighbourhoods: which exist")
            .await?;
    Ok(found.into_iter().collect())
}

/// Those of `codes` that are in the sectors taxonomy.
pub async fn existing_sector_codes(
    db: &impl ConnectionTrait,
    codes: impl IntoIterator<Item = String>,
) -> StoreResult<HashSet<String>> {
    let code = sectors::Column::Code;
    let found: Vec<String> =
        rows::values::<sectors::Entity, _>(db, [code], code.is_in(codes), "sectors: which exist")
            .await?;
    Ok(found.into_iter().collect())
}
