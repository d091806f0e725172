//! The store's list and batch reads for the API: keyset pages of organisations, offers,
//! needs and members, newest first, and the related records of many owners
//! loaded in one statement each, so that the cost of a GraphQL query in
//! statements does not grow with the number of rows it returns.
//!
//! Pages are ordered by the UUIDv7 id, which is time-ordered: the id of the
//! last row of a page is the keyset cursor of the next (`id < cursor`), which
//! holds on both backends because SQLite (16-byte blobs) and PostgreSQL
//! (`uuid`) compare ids bytewise, and the bytes of a v7 id start with its
//! timestamp. Timestamps are not used: on SQLite they are text whose number of
//! fractional digits varies (see docs/data-model.md).

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{
    Alias, Asterisk, Expr, ExprTrait, IntoColumnRef, Order, Query, SelectStatement, SimpleExpr,
    WindowStatement,
};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DbBackend, DbErr, EntityTrait, FromQueryResult,
    JoinType, QueryFilter, QueryOrder, QuerySelect, QueryTrait, Related, RelationTrait, Select,
};
use uuid::Uuid;

use super::scope::{self, Existing};
use super::{Context, StoreResult, rows};
use crate::domain::{
    Invalid, IstatCode, LocationPrecision, NeedKind, OfferKind, OrganizationKind, PostingStatus,
};
use crate::domain::{MembershipRole, SectorCode, ValidationError, VerificationStatus};
use crate::store::entities::{
    memberships, municipalities, need_sectors, needs, neighbourhoods, offer_sectors, offers,
    organization_contacts, organization_neighbourhoods, organization_sectors, organizations,
    project_partners, sectors, users,
};

/// Rows in a page when the client does not say.
pub const DEFAULT_PAGE_SIZE: u64 = 20;
/// The most rows a client may ask for in one page.
pub const MAX_PAGE_SIZE: u64 = 100;

/// Which page of a list: at most `first` rows, those after the row whose id
/// is `after` (newest first), or from the start.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct PageRequest {
    pub first: u64,
    pub after: Option<Uuid>,
}

impl PageRequest {
    /// A page of `first` rows ([`DEFAULT_PAGE_SIZE`] when absent). Fails on
    /// `first` when it is negative or above [`MAX_PAGE_SIZE`].
    pub fn new(first: Option<i64>, after: Option<Uuid>) -> Result<Self, ValidationError> {
        let first = match first {
            None => DEFAULT_PAGE_SIZE,
            Some(n) => u64::try_from(n)
                .ok()
                .filter(|n| *n <= MAX_PAGE_SIZE)
                .ok_or_else(|| {
                    Invalid::OutOfRange {
                        min: 0,
                        max: MAX_PAGE_SIZE as i64,
                    }
                    .at("first")
                })?,
        };
        Ok(Self { first, after })
    }

    /// The first page of the default size.
    pub fn first_page() -> Self {
        Self {
            first: DEFAULT_PAGE_SIZE,
            after: None,
        }
    }

    /// One row more than the page holds: its presence says there is a next
    /// page.
    fn fetch(self) -> u64 {
        self.first + 1
    }
}

/// One page of a list.
#[derive(Clone, Debug, PartialEq)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub has_next_page: bool,
    /// True when the page starts after a cursor: the rows before it were
    /// listed on earlier pages.
    pub has_previous_page: bool,
}

impl<T> Page<T> {
    /// Cuts rows fetched with [`PageRequest::fetch`] down to the page.
    fn from_rows(mut rows: Vec<T>, page: PageRequest) -> Self {
        let limit = usize::try_from(page.first).unwrap_or(usize::MAX);
        let has_next_page = rows.len() > limit;
        rows.truncate(limit);
        Self {
            items: rows,
            has_next_page,
            has_previous_page: page.after.is_some(),
        }
    }

    /// A page with no rows.
    pub fn empty(page: PageRequest) -> Self {
        Self {
            items: Vec::new(),
            has_next_page: false,
            has_previous_page: page.after.is_some(),
        }
    }
}

/// Which organisations to list; an empty or absent criterion does not filter.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct OrganizationFilter {
    /// Any of these kinds.
    pub kinds: Vec<OrganizationKind>,
    /// Any of these verification states.
    pub verification_statuses: Vec<VerificationStatus>,
    /// Seated in this municipality.
    pub municipality_code: Option<IstatCode>,
    /// Serving this neighbourhood.
    pub neighbourhood_id: Option<Uuid>,
    /// Working in this sector.
    pub sector: Option<SectorCode>,
}

/// Which offers or needs to list; an empty or absent criterion does not
/// filter, except the status, which is one (`open` unless asked otherwise).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PostingFilter<K> {
    /// Any of these kinds.
    pub kinds: Vec<K>,
    pub status: PostingStatus,
    /// Placed in this municipality.
    pub municipality_code: Option<IstatCode>,
    /// Placed in this neighbourhood.
    pub neighbourhood_id: Option<Uuid>,
    /// Posted by this organisation.
    pub organization_id: Option<Uuid>,
    /// Tagged with this sector.
    pub sector: Option<SectorCode>,
}

impl<K> Default for PostingFilter<K> {
    fn default() -> Self {
        Self {
            kinds: Vec::new(),
            status: PostingStatus::Open,
            municipality_code: None,
            neighbourhood_id: None,
            organization_id: None,
            sector: None,
        }
    }
}

pub type OfferFilter = PostingFilter<OfferKind>;
pub type NeedFilter = PostingFilter<NeedKind>;

fn organization_condition(filter: &OrganizationFilter) -> Condition {
    let mut condition = organizations::Entity::public();
    if !filter.kinds.is_empty() {
        condition = condition.add(organizations::Column::Kind.is_in(filter.kinds.iter().copied()));
    }
    if !filter.verification_statuses.is_empty() {
        condition = condition.add(
            organizations::Column::VerificationStatus
                .is_in(filter.verification_statuses.iter().copied()),
        );
    }
    if let Some(code) = &filter.municipality_code {
        condition = condition.add(organizations::Column::SeatMunicipalityCode.eq(code.as_str()));
    }
    if let Some(neighbourhood) = filter.neighbourhood_id {
        condition = condition.add(
            organizations::Column::Id.in_subquery(
                Query::select()
                    .column(organization_neighbourhoods::Column::OrganizationId)
                    .from(organization_neighbourhoods::Entity)
                    .and_where(
                        organization_neighbourhoods::Column::NeighbourhoodId.eq(neighbourhood),
                    )
                    .to_owned(),
            ),
        );
    }
    if let Some(sector) = &filter.sector {
        condition = condition.add(
            organizations::Column::Id.in_subquery(
                Query::select()
                    .column(organization_sectors::Column::OrganizationId)
                    .from(organization_sectors::Entity)
                    .and_where(organization_sectors::Column::SectorCode.eq(sector.as_str()))
                    .to_owned(),
            ),
        );
    }
    condition
}

/// A posting of `table` whose other places (its `other_places` JSON array)
/// name `value` under `key` (`municipalityCode` or `neighbourhoodId`):
/// jsonb containment on PostgreSQL, `json_each` on SQLite. `table` and
/// `key` are written into the statement: names of the code, never input;
/// the value is bound.
fn names_other_place(
    backend: DbBackend,
    table: &'static str,
    key: &'static str,
    value: &str,
) -> SimpleExpr {
    match backend {
        DbBackend::Postgres => Expr::cust_with_values(
            format!(r#""{table}"."other_places" @> $1::jsonb"#),
            [serde_json::json!([{ key: value }]).to_string()],
        ),
        _ => Expr::cust_with_values(
            format!(
                r#"EXISTS (SELECT 1 FROM json_each("{table}"."other_places") AS place WHERE json_extract(place.value, '$.{key}') = ?)"#
            ),
            [value.to_owned()],
        ),
    }
}

fn offer_condition(filter: &OfferFilter, backend: DbBackend) -> Condition {
    let mut condition = offers::Entity::public()
        .add(offers::Column::Status.eq(filter.status))
        .add(offers::Column::OrganizationId.in_subquery(scope::public_organization_ids()));
    if !filter.kinds.is_empty() {
        condition = condition.add(offers::Column::Kind.is_in(filter.kinds.iter().copied()));
    }
    if let Some(code) = &filter.municipality_code {
        condition = condition.add(
            Condition::any()
                .add(offers::Column::MunicipalityCode.eq(code.as_str()))
                .add(names_other_place(
                    backend,
                    "offers",
                    "municipalityCode",
                    code.as_str(),
                )),
        );
    }
    if let Some(neighbourhood) = filter.neighbourhood_id {
        let id = neighbourhood.to_string();
        condition = condition.add(
            Condition::any()
                .add(offers::Column::NeighbourhoodId.eq(neighbourhood))
                .add(names_other_place(backend, "offers", "neighbourhoodId", &id)),
        );
    }
    if let Some(organization) = filter.organization_id {
        condition = condition.add(offers::Column::OrganizationId.eq(organization));
    }
    if let Some(sector) = &filter.sector {
        condition = condition.add(
            offers::Column::Id.in_subquery(
                Query::select()
                    .column(offer_sectors::Column::OfferId)
                    .from(offer_sectors::Entity)
                    .and_where(offer_sectors::Column::SectorCode.eq(sector.as_str()))
                    .to_owned(),
            ),
        );
    }
    condition
}

fn need_condition(filter: &NeedFilter, backend: DbBackend) -> Condition {
    let mut condition = needs::Entity::public()
        .add(needs::Column::Status.eq(filter.status))
        .add(needs::Column::OrganizationId.in_subquery(scope::public_organization_ids()));
    if !filter.kinds.is_empty() {
        condition = condition.add(needs::Column::Kind.is_in(filter.kinds.iter().copied()));
    }
    if let Some(code) = &filter.municipality_code {
        condition = condition.add(
            Condition::any()
                .add(needs::Column::MunicipalityCode.eq(code.as_str()))
                .add(names_other_place(
                    backend,
                    "needs",
                    "municipalityCode",
                    code.as_str(),
                )),
        );
    }
    if let Some(neighbourhood) = filter.neighbourhood_id {
        // A need known by its municipality only is not listed under its
        // neighbourhoods (policy::visibility::need_neighbourhoods_shown).
        let id = neighbourhood.to_string();
        condition = condition
            .add(needs::Column::LocationPrecision.ne(LocationPrecision::Municipality))
            .add(
                Condition::any()
                    .add(needs::Column::NeighbourhoodId.eq(neighbourhood))
                    .add(names_other_place(backend, "needs", "neighbourhoodId", &id)),
            );
    }
    if let Some(organization) = filter.organization_id {
        condition = condition.add(needs::Column::OrganizationId.eq(organization));
    }
    if let Some(sector) = &filter.sector {
        condition = condition.add(
            needs::Column::Id.in_subquery(
                Query::select()
                    .column(need_sectors::Column::NeedId)
                    .from(need_sectors::Entity)
                    .and_where(need_sectors::Column::SectorCode.eq(sector.as_str()))
                    .to_owned(),
            ),
        );
    }
    condition
}

/// One keyset page of `select`, newest first by `id`: one statement.
pub(crate) async fn keyset_page<E, C>(
    db: &impl ConnectionTrait,
    select: Select<E>,
    id: C,
    page: PageRequest,
    what: &'static str,
) -> StoreResult<Page<E::Model>>
where
    E: EntityTrait,
    C: ColumnTrait,
{
    let mut select = select;
    if let Some(after) = page.after {
        select = select.filter(id.lt(after));
    }
    let rows = select
        .order_by_desc(id)
        .limit(page.fetch())
        .all(db)
        .await
        .context(what)?;
    Ok(Page::from_rows(rows, page))
}

/// Organisations (neither deleted nor hidden), newest first.
pub async fn organizations(
    db: &impl ConnectionTrait,
    filter: &OrganizationFilter,
    page: PageRequest,
) -> StoreResult<Page<organizations::Model>> {
    let select = organizations::Entity::find().filter(organization_condition(filter));
    keyset_page(
        db,
        select,
        organizations::Column::Id,
        page,
        "organizations: page",
    )
    .await
}

/// How many organisations `filter` selects.
pub async fn count_organizations(
    db: &impl ConnectionTrait,
    filter: &OrganizationFilter,
) -> StoreResult<u64> {
    let which = organization_condition(filter);
    rows::count::<organizations::Entity>(db, which, "organizations: count").await
}

/// Offers (neither deleted nor hidden, of organisations neither deleted nor
/// hidden), newest first.
pub async fn offers(
    db: &impl ConnectionTrait,
    filter: &OfferFilter,
    page: PageRequest,
) -> StoreResult<Page<offers::Model>> {
    let select = offers::Entity::find().filter(offer_condition(filter, db.get_database_backend()));
    keyset_page(db, select, offers::Column::Id, page, "offers: page").await
}

/// How many offers `filter` selects.
pub async fn count_offers(db: &impl ConnectionTrait, filter: &OfferFilter) -> StoreResult<u64> {
    let which = offer_condition(filter, db.get_database_backend());
    rows::count::<offers::Entity>(db, which, "offers: count").await
}

/// Needs (neither deleted nor hidden, of organisations neither deleted nor
/// hidden), newest first.
pub async fn needs(
    db: &impl ConnectionTrait,
    filter: &NeedFilter,
    page: PageRequest,
) -> StoreResult<Page<needs::Model>> {
    let select = needs::Entity::find().filter(need_condition(filter, db.get_database_backend()));
    keyset_page(db, select, needs::Column::Id, page, "needs: page").await
}

/// How many needs `filter` selects.
pub async fn count_needs(db: &impl ConnectionTrait, filter: &NeedFilter) -> StoreResult<u64> {
    let which = need_condition(filter, db.get_database_backend());
    rows::count::<needs::Entity>(db, which, "needs: count").await
}

/// The same page of several owners' lists in one statement: each owner's
/// rows are numbered newest first (`ROW_NUMBER() OVER (PARTITION BY owner
/// ORDER BY id DESC)`) and only the first `page.fetch()` of each are read.
/// `rows` must select the rows of the wanted owners, with the cursor
/// condition already applied; the result is newest first.
async fn first_rows_per_owner<M: FromQueryResult>(
    db: &impl ConnectionTrait,
    mut rows: SelectStatement,
    owner: impl IntoColumnRef,
    id: impl IntoColumnRef,
    page: PageRequest,
) -> Result<Vec<M>, DbErr> {
    let rank = Alias::new("rank_in_owner");
    rows.expr_window_as(
        Expr::cust("ROW_NUMBER()"),
        WindowStatement::partition_by(owner)
            .order_by(id, Order::Desc)
            .take(),
        rank.clone(),
    );
    let ranked = Query::select()
        .column(Asterisk)
        .from_subquery(rows, Alias::new("ranked"))
        .and_where(Expr::col(rank).lte(page.fetch()))
        .order_by(Alias::new("id"), Order::Desc)
        .to_owned();
    M::find_by_statement(db.get_database_backend().build(&ranked))
        .all(db)
        .await
}

/// Splits rows (newest first) into one page per owner; owners without rows
/// get an empty page.
fn pages_by_owner<T>(
    owners: &[Uuid],
    rows: Vec<T>,
    owner_of: impl Fn(&T) -> Uuid,
    page: PageRequest,
) -> HashMap<Uuid, Page<T>> {
    let mut grouped: HashMap<Uuid, Vec<T>> = HashMap::new();
    for row in rows {
        grouped.entry(owner_of(&row)).or_default().push(row);
    }
    owners
        .iter()
        .map(|owner| {
            let page = match grouped.remove(owner) {
                Some(rows) => Page::from_rows(rows, page),
                None => Page::empty(page),
            };
            (*owner, page)
        })
        .collect()
}

/// The same page of the offers (of one status; neither deleted nor hidden)
/// of each organisation, in one statement.
pub async fn offers_of_organizations(
    db: &impl ConnectionTrait,
    organization_ids: &[Uuid],
    status: PostingStatus,
    page: PageRequest,
) -> StoreResult<HashMap<Uuid, Page<offers::Model>>> {
    if organization_ids.is_empty() {
        return Ok(HashMap::new());
    }
    let mut select = offers::Entity::find()
        .filter(offers::Column::OrganizationId.is_in(organization_ids.iter().copied()))
        .filter(offers::Entity::public())
        .filter(offers::Column::Status.eq(status));
    if let Some(after) = page.after {
        select = select.filter(offers::Column::Id.lt(after));
    }
    let rows: Vec<offers::Model> = first_rows_per_owner(
        db,
        select.into_query(),
        (offers::Entity, offers::Column::OrganizationId),
        (offers::Entity, offers::Column::Id),
        page,
    )
    .await
    .context("listing: offers of organizations")?;
    Ok(pages_by_owner(
        organization_ids,
        rows,
        |o| o.organization_id,
        page,
    ))
}

/// How many offers (of one status) each organisation has, in one statement.
pub async fn count_offers_of_organizations(
    db: &impl ConnectionTrait,
    organization_ids: &[Uuid],
    status: PostingStatus,
) -> StoreResult<HashMap<Uuid, u64>> {
    let counts: Vec<(Uuid, i64)> = offers::Entity::find()
        .select_only()
        .column(offers::Column::OrganizationId)
        .column_as(offers::Column::Id.count(), "n")
        .filter(offers::Column::OrganizationId.is_in(organization_ids.iter().copied()))
        .filter(offers::Entity::public())
        .filter(offers::Column::Status.eq(status))
        .group_by(offers::Column::OrganizationId)
        .into_tuple()
        .all(db)
        .await
        .context("listing: count offers of organizations")?;
    Ok(counts_by_owner(organization_ids, counts))
}

/// The same page of the needs (of one status; neither deleted nor hidden) of
/// each organisation, in one statement.
pub async fn needs_of_organizations(
    db: &impl ConnectionTrait,
    organization_ids: &[Uuid],
    status: PostingStatus,
    page: PageRequest,
) -> StoreResult<HashMap<Uuid, Page<needs::Model>>> {
    if organization_ids.is_empty() {
        return Ok(HashMap::new());
    }
    let mut select = needs::Entity::find()
        .filter(needs::Column::OrganizationId.is_in(organization_ids.iter().copied()))
        .filter(needs::Entity::public())
        .filter(needs::Column::Status.eq(status));
    if let Some(after) = page.after {
        select = select.filter(needs::Column::Id.lt(after));
    }
    let rows: Vec<needs::Model> = first_rows_per_owner(
        db,
        select.into_query(),
        (needs::Entity, needs::Column::OrganizationId),
        (needs::Entity, needs::Column::Id),
        page,
    )
    .await
    .context("listing: needs of organizations")?;
    Ok(pages_by_owner(
        organization_ids,
        rows,
        |n| n.organization_id,
        page,
    ))
}

/// How many needs (of one status) each organisation has, in one statement.
pub async fn count_needs_of_organizations(
    db: &impl ConnectionTrait,
    organization_ids: &[Uuid],
    status: PostingStatus,
) -> StoreResult<HashMap<Uuid, u64>> {
    let counts: Vec<(Uuid, i64)> = needs::Entity::find()
        .select_only()
        .column(needs::Column::OrganizationId)
        .column_as(needs::Column::Id.count(), "n")
        .filter(needs::Column::OrganizationId.is_in(organization_ids.iter().copied()))
        .filter(needs::Entity::public())
        .filter(needs::Column::Status.eq(status))
        .group_by(needs::Column::OrganizationId)
        .into_tuple()
        .all(db)
        .await
        .context("listing: count needs of organizations")?;
    Ok(counts_by_owner(organization_ids, counts))
}

/// A membership with what is shown of its user.
#[derive(Clone, Debug, PartialEq, FromQueryResult)]
pub struct MemberRow {
    /// The membership's id (the cursor of member lists).
    pub id: Uuid,
    pub organization_id: Uuid,
    pub user_id: Uuid,
    pub role: MembershipRole,
    pub display_name: String,
    /// When the membership began.
    pub created_at: DateTime<Utc>,
}

/// Memberships of users that are not deleted, with the user's name.
fn member_rows() -> Select<memberships::Entity> {
    memberships::Entity::find()
        .select_only()
        .column(memberships::Column::Id)
        .column(memberships::Column::OrganizationId)
        .column(memberships::Column::UserId)
        .column(memberships::Column::Role)
        .column(memberships::Column::CreatedAt)
        .column_as(users::Column::DisplayName, "display_name")
        .join(JoinType::InnerJoin, memberships::Relation::User.def())
        .filter(users::Entity::existing())
}

/// The same page of the members of each organisation (newest membership
/// first), in one statement.
pub async fn members_of_organizations(
    db: &impl ConnectionTrait,
    organization_ids: &[Uuid],
    page: PageRequest,
) -> StoreResult<HashMap<Uuid, Page<MemberRow>>> {
    if organization_ids.is_empty() {
        return Ok(HashMap::new());
    }
    let mut select = member_rows()
        .filter(memberships::Column::OrganizationId.is_in(organization_ids.iter().copied()));
    if let Some(after) = page.after {
        select = select.filter(memberships::Column::Id.lt(after));
    }
    let rows: Vec<MemberRow> = first_rows_per_owner(
        db,
        select.into_query(),
        (memberships::Entity, memberships::Column::OrganizationId),
        (memberships::Entity, memberships::Column::Id),
        page,
    )
    .await
    .context("listing: members of organizations")?;
    Ok(pages_by_owner(
        organization_ids,
        rows,
        |m| m.organization_id,
        page,
    ))
}

/// How many members each organisation has, in one statement.
pub async fn count_members_of_organizations(
    db: &impl ConnectionTrait,
    organization_ids: &[Uuid],
) -> StoreResult<HashMap<Uuid, u64>> {
    let counts: Vec<(Uuid, i64)> = memberships::Entity::find()
        .select_only()
        .column(memberships::Column::OrganizationId)
        .column_as(memberships::Column::Id.count(), "n")
        .join(JoinType::InnerJoin, memberships::Relation::User.def())
        .filter(users::Entity::existing())
        .filter(memberships::Column::OrganizationId.is_in(organization_ids.iter().copied()))
        .group_by(memberships::Column::OrganizationId)
        .into_tuple()
        .all(db)
        .await
        .context("listing: count members of organizations")?;
    Ok(counts_by_owner(organization_ids, counts))
}

fn counts_by_owner(owners: &[Uuid], counts: Vec<(Uuid, i64)>) -> HashMap<Uuid, u64> {
    let mut by_owner: HashMap<Uuid, u64> = owners.iter().map(|o| (*o, 0)).collect();
    for (owner, count) in counts {
        by_owner.insert(owner, u64::try_from(count).unwrap_or(0));
    }
    by_owner
}

/// Organisations (not deleted) by id, in one statement; unknown and deleted
/// ids are absent from the result.
pub async fn organizations_by_id(
    db: &impl ConnectionTrait,
    ids: &[Uuid],
) -> StoreResult<Vec<organizations::Model>> {
    rows::existing_by_ids::<organizations::Entity>(db, ids.iter().copied(), "organizations: by id")
        .await
}

/// Offers (not deleted, in any state) by id, in one statement; the caller
/// decides which the reader may see ([`crate::policy::visibility`]).
pub async fn offers_by_id(
    db: &impl ConnectionTrait,
    ids: &[Uuid],
) -> StoreResult<Vec<offers::Model>> {
    rows::existing_by_ids::<offers::Entity>(db, ids.iter().copied(), "offers: by id").await
}

/// Needs (not deleted, in any state) by id, in one statement; the caller
/// decides which the reader may see.
pub async fn needs_by_id(
    db: &impl ConnectionTrait,
    ids: &[Uuid],
) -> StoreResult<Vec<needs::Model>> {
    rows::existing_by_ids::<needs::Entity>(db, ids.iter().copied(), "needs: by id").await
}

/// The project each of these matches opened (a partnership both sides
/// agreed to), in one statement.
pub async fn projects_of_matches(
    db: &impl ConnectionTrait,
    match_ids: &[Uuid],
) -> StoreResult<HashMap<Uuid, Uuid>> {
    Ok(project_partners::Entity::find()
        .filter(project_partners::Column::MatchId.is_in(match_ids.iter().copied()))
        .all(db)
        .await
        .context("listing: projects of matches")?
        .into_iter()
        .filter_map(|p| Some((p.match_id?, p.project_id)))
        .collect())
}

/// Municipalities by ISTAT code, in one statement.
pub async fn municipalities_by_code(
    db: &impl ConnectionTrait,
    codes: &[String],
) -> StoreResult<Vec<municipalities::Model>> {
    let which = municipalities::Column::IstatCode.is_in(codes.iter().cloned());
    rows::all::<municipalities::Entity>(db, which, "listing: municipalities by code").await
}

/// Neighbourhoods by id, in one statement.
pub async fn neighbourhoods_by_id(
    db: &impl ConnectionTrait,
    ids: &[Uuid],
) -> StoreResult<Vec<neighbourhoods::Model>> {
    let which = neighbourhoods::Column::Id.is_in(ids.iter().copied());
    rows::all::<neighbourhoods::Entity>(db, which, "listing: neighbourhoods by id").await
}

/// Groups `(owner, value)` pairs by owner, keeping their order; every owner
/// asked for gets a list, empty when it has no value.
fn lists_by_owner<T>(owners: &[Uuid], pairs: Vec<(Uuid, T)>) -> HashMap<Uuid, Vec<T>> {
    let mut by_owner: HashMap<Uuid, Vec<T>> = owners.iter().map(|o| (*o, Vec::new())).collect();
    for (owner, value) in pairs {
        by_owner.entry(owner).or_default().push(value);
    }
    by_owner
}

/// The rows of `T` linked to each owner through the link table `L`, ordered by
/// `order`, in one statement; every owner asked for gets a list.
async fn linked_by_owner<L, T>(
    db: &impl ConnectionTrait,
    ids: &[Uuid],
    owner_column: L::Column,
    order: T::Column,
    owner_of: fn(&L::Model) -> Uuid,
    what: &'static str,
) -> StoreResult<HashMap<Uuid, Vec<T::Model>>>
where
    L: EntityTrait + Related<T>,
    T: EntityTrait,
{
    let rows = L::find()
        .find_also_related(T::default())
        .filter(owner_column.is_in(ids.iter().copied()))
        .order_by_asc(order)
        .all(db)
        .await
        .context(what)?;
    let pairs = rows
        .into_iter()
        .filter_map(|(link, target)| Some((owner_of(&link), target?)))
        .collect();
    Ok(lists_by_owner(ids, pairs))
}

/// The sectors of each organisation, in taxonomy order, in one statement.
pub async fn sectors_of_organizations(
    db: &impl ConnectionTrait,
    ids: &[Uuid],
) -> StoreResult<HashMap<Uuid, Vec<sectors::Model>>> {
    linked_by_owner::<organization_sectors::Entity, sectors::Entity>(
        db,
        ids,
        organization_sectors::Column::OrganizationId,
        sectors::Column::Position,
        |link| link.organization_id,
        "listing: sectors of organizations",
    )
    .await
}

/// The sectors of each offer, in taxonomy order, in one statement.
pub async fn sectors_of_offers(
    db: &impl ConnectionTrait,
    ids: &[Uuid],
) -> StoreResult<HashMap<Uuid, Vec<sectors::Model>>> {
    linked_by_owner::<offer_sectors::Entity, sectors::Entity>(
        db,
        ids,
        offer_sectors::Column::OfferId,
        sectors::Column::Position,
        |link| link.offer_id,
        "listing: sectors of offers",
    )
    .await
}

/// The sectors of each need, in taxonomy order, in one statement.
pub async fn sectors_of_needs(
    db: &impl ConnectionTrait,
    ids: &[Uuid],
) -> StoreResult<HashMap<Uuid, Vec<sectors::Model>>> {
    linked_by_owner::<need_sectors::Entity, sectors::Entity>(
        db,
        ids,
        need_sectors::Column::NeedId,
        sectors::Column::Position,
        |link| link.need_id,
        "listing: sectors of needs",
    )
    .await
}

/// The neighbourhoods each organisation serves, by name, in one statement.
pub async fn neighbourhoods_of_organizations(
    db: &impl ConnectionTrait,
    ids: &[Uuid],
) -> StoreResult<HashMap<Uuid, Vec<neighbourhoods::Model>>> {
    linked_by_owner::<organization_neighbourhoods::Entity, neighbourhoods::Entity>(
        db,
        ids,
        organization_neighbourhoods::Column::OrganizationId,
        neighbourhoods::Column::Name,
        |link| link.organization_id,
        "listing: neighbourhoods of organizations",
    )
    .await
}

/// The contacts of each organisation, in display order, in one statement
/// (every visibility: the caller decides what to show).
pub async fn contacts_of_organizations(
    db: &impl ConnectionTrait,
    ids: &[Uuid],
) -> StoreResult<HashMap<Uuid, Vec<organization_contacts::Model>>> {
    let rows = organization_contacts::Entity::find()
        .filter(organization_contacts::Column::OrganizationId.is_in(ids.iter().copied()))
        .order_by_asc(organization_contacts::Column::Position)
        .all(db)
        .await
        .context("listing: contacts of organizations")?;
    let pairs = rows.into_iter().map(|c| (c.organization_id, c)).collect();
    Ok(lists_by_owner(ids, pairs))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_size_defaults_and_bounds() {
        assert_eq!(
            PageRequest::new(None, None).ok(),
            Some(PageRequest {
                first: DEFAULT_PAGE_SIZE,
                after: None
            })
        );
        assert_eq!(
            PageRequest::new(Some(0), None).map(|p| p.first).ok(),
            Some(0)
        );
        assert_eq!(
            PageRequest::new(Some(100), None).map(|p| p.first).ok(),
            Some(100)
        );
        for bad in [-1, 101, i64::MAX] {
            let error = PageRequest::new(Some(bad), None).expect_err("refused");
            assert_eq!(error.field, "first");
        }
    }

    #[test]
    fn pages_know_whether_more_rows_follow() {
        let page = PageRequest {
            first: 2,
            after: None,
        };
        let full = Page::from_rows(vec![3, 2, 1], page);
        assert_eq!(full.items, vec![3, 2]);
        assert!(full.has_next_page);
        assert!(!full.has_previous_page);
        let last = Page::from_rows(vec![2, 1], page);
        assert!(!last.has_next_page);
        let after = Page::from_rows(
            vec![1],
            PageRequest {
                first: 2,
                after: Some(Uuid::nil()),
            },
        );
        assert!(after.has_previous_page);
    }
}
