//! Platform-wide figures shown on the home page.

use std::collections::HashSet;

use sea_orm::sea_query::Query;
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QuerySelect, Select,
    TryGetableMany,
};
use uuid::Uuid;

use crate::domain::PostingStatus;
use crate::error::AppError;
use crate::store::entities::{needs, offers, organizations};

/// Counts of what is on the platform now.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub struct PlatformStats {
    pub organizations: u64,
    pub open_offers: u64,
    pub open_needs: u64,
    /// Municipalities where Trama is used: the seat of an organisation, or
    /// the place of an open offer or need (not the reference list of all
    /// Italy's municipalities, which Trama loads whole).
    pub municipalities: u64,
    /// Neighbourhoods with an open offer or need.
    pub neighbourhoods: u64,
}

/// Counts organisations (not deleted), open offers and needs, and the
/// territories where they are. Only what anyone can see places a
/// territory on the map: not what is deleted or hidden by a moderator, nor
/// the postings of such an organisation, nor drafts and closed postings.
pub async fn platform(db: &impl ConnectionTrait) -> Result<PlatformStats, AppError> {
    let open = PostingStatus::Open.as_str();
    let live_organizations = Query::select()
        .column(organizations::Column::Id)
        .from(organizations::Entity)
        .and_where(organizations::Column::DeletedAt.is_null())
        .and_where(organizations::Column::HiddenAt.is_null())
        .to_owned();
    let open_offers = || {
        offers::Entity::find()
            .filter(offers::Column::DeletedAt.is_null())
            .filter(offers::Column::Status.eq(open))
    };
    let open_needs = || {
        needs::Entity::find()
            .filter(needs::Column::DeletedAt.is_null())
            .filter(needs::Column::Status.eq(open))
    };
    let live_offers = || {
        open_offers()
            .filter(offers::Column::HiddenAt.is_null())
            .filter(offers::Column::OrganizationId.in_subquery(live_organizations.clone()))
    };
    let live_needs = || {
        open_needs()
            .filter(needs::Column::HiddenAt.is_null())
            .filter(needs::Column::OrganizationId.in_subquery(live_organizations.clone()))
    };

    let mut municipalities: HashSet<String> = HashSet::new();
    let seats = organizations::Entity::find()
        .filter(organizations::Column::DeletedAt.is_null())
        .filter(organizations::Column::HiddenAt.is_null());
    add_distinct(
        db,
        seats,
        organizations::Column::SeatMunicipalityCode,
        &mut municipalities,
    )
    .await?;
    add_distinct(
        db,
        live_offers(),
        offers::Column::MunicipalityCode,
        &mut municipalities,
    )
    .await?;
    add_distinct(
        db,
        live_needs(),
        needs::Column::MunicipalityCode,
        &mut municipalities,
    )
    .await?;
    let mut neighbourhoods: HashSet<Uuid> = HashSet::new();
    add_distinct(
        db,
        live_offers(),
        offers::Column::NeighbourhoodId,
        &mut neighbourhoods,
    )
    .await?;
    add_distinct(
        db,
        live_needs(),
        needs::Column::NeighbourhoodId,
        &mut neighbourhoods,
    )
    .await?;

    Ok(PlatformStats {
        organizations: organizations::Entity::find()
            .filter(organizations::Column::DeletedAt.is_null())
            .count(db)
            .await?,
        open_offers: open_offers().count(db).await?,
        open_needs: open_needs().count(db).await?,
        municipalities: municipalities.len() as u64,
        neighbourhoods: neighbourhoods.len() as u64,
    })
}

/// Adds to `into` the distinct values of `column` (not null) among the
/// rows `select` finds.
async fn add_distinct<E, C, T>(
    db: &impl ConnectionTrait,
    select: Select<E>,
    column: C,
    into: &mut HashSet<T>,
) -> Result<(), AppError>
where
    E: EntityTrait,
    C: ColumnTrait,
    T: TryGetableMany + Eq + std::hash::Hash,
{
    into.extend(
        select
            .select_only()
            .column(column)
            .distinct()
            .filter(column.is_not_null())
            .into_tuple::<T>()
            .all(db)
            .await?,
    );
    Ok(())
}
