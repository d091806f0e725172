//! Cursor connections (`edges { cursor node }`, `pageInfo`, `totalCount`)
//! over the services' keyset pages: the cursor of an edge is its record's
//! UUIDv7 id, and a list's next page starts after the last cursor of the
//! previous one.

use std::hash::Hash;

use async_graphql::connection::{Connection, CursorType, Edge, EmptyFields};
use async_graphql::dataloader::Loader;
use async_graphql::{Context, Object, OutputType, Result};
use uuid::Uuid;

use super::error::GqlResult;
use super::loaders::{
    Batch, LoadError, MemberCountOfOrganization, NeedCountOfOrganization, OfferCountOfOrganization,
    load,
};
use super::types::state;
use crate::domain::{Invalid, parse_uuid};
use crate::error::AppError;
use crate::services::listing::{
    self, NeedFilter, OfferFilter, OrganizationFilter, Page, PageRequest,
};

/// The cursor of every list: the id of the edge's record. Clients treat it
/// as an opaque string.
pub struct IdCursor(pub Uuid);

impl CursorType for IdCursor {
    type Error = Invalid;

    fn decode_cursor(s: &str) -> Result<Self, Self::Error> {
        parse_uuid(s).map(IdCursor)
    }

    fn encode_cursor(&self) -> String {
        self.0.to_string()
    }
}

/// A page of a list, as GraphQL shows it (`<Node>Connection`, `<Node>Edge`).
pub type List<N> = Connection<IdCursor, N, ListTotals, EmptyFields>;

/// The page a client asked for with `first` and `after`. Fails with
/// BAD_USER_INPUT on `first` (negative or above 100) or on `after` (not a
/// cursor of these lists).
pub fn page_request(
    ctx: &Context<'_>,
    first: Option<i32>,
    after: Option<String>,
) -> Result<PageRequest> {
    let after = after
        .map(|raw| {
            IdCursor::decode_cursor(&raw).map_err(|reason| AppError::invalid("after", reason))
        })
        .transpose()
        .gql(ctx)?
        .map(|cursor| cursor.0);
    listing::page(first.map(i64::from), after).gql(ctx)
}

/// Turns a page of records into a connection; `id` gives each record's
/// cursor and `node` its GraphQL type.
pub fn connection<M, N: OutputType>(
    page: Page<M>,
    total: Total,
    id: impl Fn(&M) -> Uuid,
    node: impl Fn(M) -> N,
) -> List<N> {
    let mut list = Connection::with_additional_fields(
        page.has_previous_page,
        page.has_next_page,
        ListTotals(total),
    );
    list.edges.extend(
        page.items
            .into_iter()
            .map(|item| Edge::new(IdCursor(id(&item)), node(item))),
    );
    list
}

/// How to count a whole list, done only when `totalCount` is asked for.
#[derive(Clone, Debug)]
pub enum Total {
    Organizations(OrganizationFilter),
    Offers(OfferFilter),
    Needs(NeedFilter),
    OffersOf(OfferCountOfOrganization),
    NeedsOf(NeedCountOfOrganization),
    MembersOf(MemberCountOfOrganization),
    /// Already known (e.g. a list hidden from the viewer: 0).
    Known(u64),
}

/// The fields every connection has besides its edges.
pub struct ListTotals(Total);

#[Object]
impl ListTotals {
    /// How many items the list has, across all its pages. Counting costs a
    /// statement (one per relation for nested lists): ask only when shown.
    async fn total_count(&self, ctx: &Context<'_>) -> Result<u64> {
        let db = &state(ctx)?.db;
        Ok(match &self.0 {
            Total::Known(n) => *n,
            Total::Organizations(filter) => {
                listing::count_organizations(db, filter).await.gql(ctx)?
            }
            Total::Offers(filter) => listing::count_offers(db, filter).await.gql(ctx)?,
            Total::Needs(filter) => listing::count_needs(db, filter).await.gql(ctx)?,
            Total::OffersOf(key) => counted(ctx, *key).await?,
            Total::NeedsOf(key) => counted(ctx, *key).await?,
            Total::MembersOf(key) => counted(ctx, *key).await?,
        })
    }
}

/// A count the batch loader answers; an organisation it has no row for has
/// none.
async fn counted<K>(ctx: &Context<'_>, key: K) -> Result<u64>
where
    K: Send + Sync + Hash + Eq + Clone + 'static,
    Batch: Loader<K, Value = u64, Error = LoadError>,
{
    Ok(load(ctx, key).await?.unwrap_or(0))
}

/// The cost of a page for the complexity limit: its fields count once per
/// item it may return (`first`, 20 by default), so a query that nests large
/// pages is refused before it runs.
pub fn page_cost(first: Option<i32>, child_complexity: usize) -> usize {
    let items = first
        .map_or(20, |f| usize::try_from(f).unwrap_or(0))
        .clamp(1, 100);
    items.saturating_mul(child_complexity).saturating_add(1)
}
