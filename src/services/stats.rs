//! Platform-wide figures shown on the home page.

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter};

use crate::domain::PostingStatus;
use crate::error::AppError;
use crate::store::entities::{municipalities, needs, neighbourhoods, offers, organizations};

/// Counts of what is on the platform now.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub struct PlatformStats {
    pub organizations: u64,
    pub open_offers: u64,
    pub open_needs: u64,
    pub municipalities: u64,
    pub neighbourhoods: u64,
}

/// Counts organisations (not deleted), open offers and needs, and territories.
pub async fn platform(db: &impl ConnectionTrait) -> Result<PlatformStats, AppError> {
    let open = PostingStatus::Open.as_str();
    Ok(PlatformStats {
        organizations: organizations::Entity::find()
            .filter(organizations::Column::DeletedAt.is_null())
            .count(db)
            .await?,
        open_offers: offers::Entity::find()
            .filter(offers::Column::DeletedAt.is_null())
            .filter(offers::Column::Status.eq(open))
            .count(db)
            .await?,
        open_needs: needs::Entity::find()
            .filter(needs::Column::DeletedAt.is_null())
            .filter(needs::Column::Status.eq(open))
            .count(db)
            .await?,
        municipalities: municipalities::Entity::find().count(db).await?,
        neighbourhoods: neighbourhoods::Entity::find().count(db).await?,
    })
}
