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

/// A table the export pages through: which of its rows are public, by
/// which key, and the page query's name (for failures).
pub trait Exported: EntityTrait {
    /// The page query's name.
    const PAGE: &'static str;
    /// The `id` column, the table's UUIDv7 key.
    fn key_column() -> Self::Column;
    /// The rows the export shows.
    fn exported() -> Condition;
}

/// Implements [`Exported`] for tables whose key is `id`.
macro_rules! exported {
    ($($table:ident: $page:literal => $exported:expr;)+) => {$(
        impl Exported for $table::Entity {
            const PAGE: &'static str = $page;
            fn key_column() -> Self::Column {
                $table::Column::Id
            }
            fn exported() -> Condition {
                $exported
            }
        }
    )+};
}

exported! {
    // Published needs of public organisations (open or closed).
    needs: "opendata: needs page" => scope::published_needs_of_public_organizations();
    // Published offers of public organisations (open or closed).
    offers: "opendata: offers page" => scope::published_offers_of_public_organizations();
    // Signed public pacts (not hidden by a moderator) led by a public
    // organisation.
    projects: "opendata: pacts page" => Condition::all()
        .add(projects::Column::DeletedAt.is_null())
        .add(projects::Column::IsPublic.eq(true))
        .add(projects::Column::HiddenAt.is_null())
        .add(projects::Column::SignedAt.is_not_null())
        .add(projects::Column::LeadOrganizationId.in_subquery(scope::public_organization_ids()));
}

/// At most `limit` of the rows of `E` the export shows, by key from just
/// after `after` (from the first when `None`): a page of an export.
pub async fn page<E: Exported>(
    db: &impl ConnectionTrait,
    after: Option<Uuid>,
    limit: u64,
) -> StoreResult<Vec<E::Model>> {
    let id = E::key_column();
    let mut select = E::find().filter(E::exported());
    if let Some(after) = after {
        select = select.filter(id.gt(after));
    }
    let select = select.order_by_asc(id).limit(limit);
    select.all(db).await.context(E::PAGE)
}

/// What a pact is made of, as the export shows it: the rows of a project
/// that still stand, in their order, and the query's name (for failures).
pub trait PactPart: EntityTrait {
    /// The query's name.
    const WHAT: &'static str;
    /// The rows of these projects that still stand.
    fn standing_of(project_ids: &[Uuid]) -> Condition;
    /// The order of the rows: a column, then the id.
    fn order() -> [Self::Column; 2];
}

/// Implements [`PactPart`] for tables whose project column is `project_id`
/// and key is `id`.
macro_rules! pact_part {
    ($($table:ident: $what:literal => $standing:expr, by $order:ident;)+) => {$(
        impl PactPart for $table::Entity {
            const WHAT: &'static str = $what;
            fn standing_of(project_ids: &[Uuid]) -> Condition {
                Condition::all()
                    .add($table::Column::ProjectId.is_in(project_ids.iter().copied()))
                    .add($standing)
            }
            fn order() -> [Self::Column; 2] {
                [$table::Column::$order, $table::Column::Id]
            }
        }
    )+};
}

pact_part! {
    // The current partners (not left), in order of joining.
    project_partners: "opendata: pact partners"
        => project_partners::Column::LeftAt.is_null(), by JoinedAt;
    // The contributions (not withdrawn), oldest first.
    project_contributions: "opendata: pact contributions"
        => project_contributions::Column::Status.ne(ContributionStatus::Withdrawn), by CreatedAt;
}

/// The rows of `E` of these pacts that still stand, in order (see
/// [`PactPart`]).
pub async fn of_pacts<E: PactPart>(
    db: &impl ConnectionTrait,
    project_ids: &[Uuid],
) -> StoreResult<Vec<E::Model>> {
    let which = E::standing_of(project_ids);
    rows::list::<E>(db, which, E::order(), E::WHAT).await
}
