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

/// At most `limit` rows of `E` that `which` selects, by `id` (their key)
/// from just after `after` (from the first when `None`): a page of an
/// export.
async fn page_after<E: EntityTrait>(
    db: &impl ConnectionTrait,
    which: Condition,
    id: E::Column,
    after: Option<Uuid>,
    limit: u64,
    what: &'static str,
) -> StoreResult<Vec<E::Model>> {
    let mut select = E::find().filter(which);
    if let Some(after) = after {
        select = select.filter(id.gt(after));
    }
    let select = select.order_by_asc(id).limit(limit);
    select.all(db).await.context(what)
}

/// Published needs of public organisations (open or closed), after `after`.
pub async fn needs_page(
    db: &impl ConnectionTrait,
    after: Option<Uuid>,
    limit: u64,
) -> StoreResult<Vec<needs::Model>> {
    let which = scope::published_needs_of_public_organizations();
    let what = "opendata: needs page";
    let id = needs::Column::Id;
    page_after::<needs::Entity>(db, which, id, after, limit, what).await
}

/// Published offers of public organisations (open or closed), after `after`.
pub async fn offers_page(
    db: &impl ConnectionTrait,
    after: Option<Uuid>,
    limit: u64,
) -> StoreResult<Vec<offers::Model>> {
    let which = scope::published_offers_of_public_organizations();
    let what = "opendata: offers page";
    let id = offers::Column::Id;
    page_after::<offers::Entity>(db, which, id, after, limit, what).await
}

/// Signed public pacts (not hidden by a moderator) led by a public
/// organisation, after `after`.
pub async fn pacts_page(
    db: &impl ConnectionTrait,
    after: Option<Uuid>,
    limit: u64,
) -> StoreResult<Vec<projects::Model>> {
    let which = Condition::all()
        .add(projects::Column::DeletedAt.is_null())
        .add(projects::Column::IsPublic.eq(true))
        .add(projects::Column::HiddenAt.is_null())
        .add(projects::Column::SignedAt.is_not_null())
        .add(projects::Column::LeadOrganizationId.in_subquery(scope::public_organization_ids()));
    let what = "opendata: pacts page";
    let id = projects::Column::Id;
    page_after::<projects::Entity>(db, which, id, after, limit, what).await
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
