//! Territories: Italian municipalities and Milano's neighbourhoods (NIL),
//! read by code, name or municipality.

use sea_orm::sea_query::{Expr, ExprTrait, Func};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use super::{Context, StoreResult, rows};
use crate::store::entities::{municipalities, neighbourhoods};

/// A municipality by ISTAT code.
pub async fn municipality(
    db: &impl ConnectionTrait,
    code: &str,
) -> StoreResult<Option<municipalities::Model>> {
    municipalities::Entity::find_by_id(code.to_owned())
        .one(db)
        .await
        .context("municipalities: by code")
}

/// Municipalities whose name contains `name` (any case), of a province
/// (plate code) if given, by name, at most `first`.
pub async fn municipalities(
    db: &impl ConnectionTrait,
    name: Option<&str>,
    province: Option<&str>,
    first: u64,
) -> StoreResult<Vec<municipalities::Model>> {
    let mut query = municipalities::Entity::find();
    if let Some(name) = name {
        // LIKE is case-insensitive for ASCII on SQLite but not on
        // PostgreSQL: compare lower-cased on both.
        let pattern = format!("%{}%", name.to_lowercase().replace(['\\', '%', '_'], ""));
        query = query
            .filter(Expr::expr(Func::lower(Expr::col(municipalities::Column::Name))).like(pattern));
    }
    if let Some(province) = province {
        query = query.filter(municipalities::Column::ProvinceCode.eq(province.to_uppercase()));
    }
    query
        .order_by_asc(municipalities::Column::Name)
        .order_by_asc(municipalities::Column::IstatCode)
        .limit(first)
        .all(db)
        .await
        .context("municipalities: search")
}

/// The neighbourhoods of a municipality (any order).
pub async fn neighbourhoods_of(
    db: &impl ConnectionTrait,
    municipality_code: &str,
) -> StoreResult<Vec<neighbourhoods::Model>> {
    let which = neighbourhoods::Column::MunicipalityCode.eq(municipality_code);
    rows::all::<neighbourhoods::Entity>(db, which, "neighbourhoods: of municipality").await
}

/// The neighbourhoods that have a boundary.
pub async fn neighbourhoods_with_boundary(
    db: &impl ConnectionTrait,
) -> StoreResult<Vec<neighbourhoods::Model>> {
    let which = neighbourhoods::Column::BoundaryGeojson.is_not_null();
    rows::all::<neighbourhoods::Entity>(db, which, "neighbourhoods: with boundary").await
}
