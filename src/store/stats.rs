//! Platform-wide figures shown on the home page: the counting queries.

use std::collections::HashSet;

use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QuerySelect, Select,
    TryGetableMany,
};
use uuid::Uuid;

use super::scope::{self, Existing};
use super::{Context, StoreResult};
use crate::domain::{LocationPrecision, PostingStatus};
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
pub async fn platform(db: &impl ConnectionTrait) -> StoreResult<PlatformStats> {
    let open = PostingStatus::Open;
    let open_offers = || offers::Entity::find_existing().filter(offers::Column::Status.eq(open));
    let open_needs = || needs::Entity::find_existing().filter(needs::Column::Status.eq(open));
    let live_offers = || {
        offers::Entity::find()
            .filter(scope::published_offers_of_public_organizations())
            .filter(offers::Column::Status.eq(open))
    };
    let live_needs = || {
        needs::Entity::find()
            .filter(scope::published_needs_of_public_organizations())
            .filter(needs::Column::Status.eq(open))
    };

    let mut municipalities: HashSet<String> = HashSet::new();
    let seats = organizations::Entity::find_public();
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
    // A need known by its municipality only does not count its
    // neighbourhood (policy::visibility::need_neighbourhoods_shown).
    add_distinct(
        db,
        live_needs().filter(needs::Column::LocationPrecision.ne(LocationPrecision::Municipality)),
        needs::Column::NeighbourhoodId,
        &mut neighbourhoods,
    )
    .await?;

    Ok(PlatformStats {
        organizations: organizations::Entity::find_existing()
            .count(db)
            .await
            .context("stats: organizations")?,
        open_offers: open_offers()
            .count(db)
            .await
            .context("stats: open offers")?,
        open_needs: open_needs().count(db).await.context("stats: open needs")?,
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
) -> StoreResult<()>
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
            .await
            .context("stats: distinct places")?,
    );
    Ok(())
}
