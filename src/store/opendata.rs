//! The open-data export's reads: pages of the public needs, offers and
//! signed public pacts (keyset on the id, oldest first), and what a page of
//! pacts refers to. What is public is the public-record scope
//! ([`super::scope`]); `docs/opendata.md` documents the columns.

use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};
use uuid::Uuid;

use super::scope;
use super::{Context, StoreResult, rows};
use crate::domain::ContributionStatus;
use crate::store::entities::{needs, offers, project_contributions, project_partners, projects};

/// Published needs of public organisations (open or closed), after `after`.
pub async fn needs_page(
    db: &impl ConnectionTrait,
    after: Option<Uuid>,
    limit: u64,
) -> StoreResult<Vec<needs::Model>> {
    let mut select = needs::Entity::find().filter(scope::published_needs_of_public_organizations());
    if let Some(after) = after {
        select = select.filter(needs::Column::Id.gt(after));
    }
    select
        .order_by_asc(needs::Column::Id)
        .limit(limit)
        .all(db)
        .await
        .context("opendata: needs page")
}

/// Published offers of public organisations (open or closed), after `after`.
pub async fn offers_page(
    db: &impl ConnectionTrait,
    after: Option<Uuid>,
    limit: u64,
) -> StoreResult<Vec<offers::Model>> {
    let mut select =
        offers::Entity::find().filter(scope::published_offers_of_public_organizations());
    if let Some(after) = after {
        select = select.filter(offers::Column::Id.gt(after));
    }
    select
        .order_by_asc(offers::Column::Id)
        .limit(limit)
        .all(db)
        .await
        .context("opendata: offers page")
}

/// Signed public pacts (not hidden by a moderator) led by a public
/// organisation, after `after`.
pub async fn pacts_page(
    db: &impl ConnectionTrait,
    after: Option<Uuid>,
    limit: u64,
) -> StoreResult<Vec<projects::Model>> {
    let mut select = projects::Entity::find()
        .filter(projects::Column::DeletedAt.is_null())
        .filter(projects::Column::IsPublic.eq(true))
        .filter(projects::Column::HiddenAt.is_null())
        .filter(projects::Column::SignedAt.is_not_null())
        .filter(projects::Column::LeadOrganizationId.in_subquery(scope::public_organization_ids()));
    if let Some(after) = after {
        select = select.filter(projects::Column::Id.gt(after));
    }
    select
        .order_by_asc(projects::Column::Id)
        .limit(limit)
        .all(db)
        .await
        .context("opendata: pacts page")
}

/// The current partners (not left) of these pacts, in order of joining.
pub async fn current_partners(
    db: &impl ConnectionTrait,
    project_ids: &[Uuid],
) -> StoreResult<Vec<project_partners::Model>> {
    let which = Condition::all()
        .add(project_partners::Column::ProjectId.is_in(project_ids.iter().copied()))
        .add(project_partners::Column::LeftAt.is_null());
    let order = [
        project_partners::Column::JoinedAt,
        project_partners::Column::Id,
    ];
    rows::list::<project_partners::Entity>(db, which, order, "opendata: pact partners").await
}

/// The contributions (not withdrawn) to these pacts, oldest first.
pub async fn standing_contributions(
    db: &impl ConnectionTrait,
    project_ids: &[Uuid],
) -> StoreResult<Vec<project_contributions::Model>> {
    let which = Condition::all()
        .add(project_contributions::Column::ProjectId.is_in(project_ids.iter().copied()))
        .add(project_contributions::Column::Status.ne(ContributionStatus::Withdrawn));
    let order = [
        project_contributions::Column::CreatedAt,
        project_contributions::Column::Id,
    ];
    rows::list::<project_contributions::Entity>(db, which, order, "opendata: pact contributions")
        .await
}
