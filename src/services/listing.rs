//! The API's reads: pages, counts and batch loads of public records, the
//! taxonomy, platform figures and the live-update feed. The queries live in
//! the store ([`crate::store::listing`], [`crate::store::memberships`], [`crate::store::reference_data`],
//! [`crate::store::stats`], [`crate::store::search_docs`]); this module is
//! the service boundary GraphQL calls, where a store error becomes an
//! [`AppError`] and a page size from a client is checked. Who may see which
//! of the rows is decided by [`crate::policy::visibility`].

use std::collections::HashMap;

use sea_orm::ConnectionTrait;
use uuid::Uuid;

use crate::domain::PostingStatus;
use crate::error::AppError;
use crate::store;
use crate::store::entities::{
    memberships, municipalities, needs, neighbourhoods, offers, organization_contacts,
    organizations, search_outbox, sectors,
};
pub use crate::store::listing::{
    DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, MemberRow, NeedFilter, OfferFilter, OrganizationFilter, Page,
    PageRequest, PostingFilter,
};
pub use crate::store::stats::PlatformStats;

/// A page of `first` rows ([`DEFAULT_PAGE_SIZE`] when absent) after the
/// cursor. BAD_USER_INPUT on `first` when it is negative or above
/// [`MAX_PAGE_SIZE`].
pub fn page(first: Option<i64>, after: Option<Uuid>) -> Result<PageRequest, AppError> {
    Ok(PageRequest::new(first, after)?)
}

/// Service functions that hand a store read through unchanged but for the
/// error type: the rows need no use-case logic, and GraphQL may not call the
/// store itself.
/// `module::name as alias(...)` names the service function `alias`.
macro_rules! reads {
    ($($module:ident::$name:ident $(as $alias:ident)? ($($arg:ident: $ty:ty),*) -> $ret:ty;)+) => {$(
        reads!(@one $module::$name [$($alias)? $name] ($($arg: $ty),*) -> $ret);
    )+};
    // The first name in brackets is the alias when there is one.
    (@one $module:ident::$name:ident [$public:ident $($_store_name:ident)?]
        ($($arg:ident: $ty:ty),*) -> $ret:ty) => {
        #[doc = concat!("See [`store::", stringify!($module), "::", stringify!($name), "`].")]
        pub async fn $public(db: &impl ConnectionTrait, $($arg: $ty),*) -> Result<$ret, AppError> {
            Ok(store::$module::$name(db, $($arg),*).await?)
        }
    };
}

reads! {
    listing::organizations(filter: &OrganizationFilter, page: PageRequest) -> Page<organizations::Model>;
    listing::count_organizations(filter: &OrganizationFilter) -> u64;
    listing::offers(filter: &OfferFilter, page: PageRequest) -> Page<offers::Model>;
    listing::count_offers(filter: &OfferFilter) -> u64;
    listing::needs(filter: &NeedFilter, page: PageRequest) -> Page<needs::Model>;
    listing::count_needs(filter: &NeedFilter) -> u64;
    listing::offers_of_organizations(ids: &[Uuid], status: PostingStatus, page: PageRequest) -> HashMap<Uuid, Page<offers::Model>>;
    listing::count_offers_of_organizations(ids: &[Uuid], status: PostingStatus) -> HashMap<Uuid, u64>;
    listing::needs_of_organizations(ids: &[Uuid], status: PostingStatus, page: PageRequest) -> HashMap<Uuid, Page<needs::Model>>;
    listing::count_needs_of_organizations(ids: &[Uuid], status: PostingStatus) -> HashMap<Uuid, u64>;
    listing::members_of_organizations(ids: &[Uuid], page: PageRequest) -> HashMap<Uuid, Page<MemberRow>>;
    listing::count_members_of_organizations(ids: &[Uuid]) -> HashMap<Uuid, u64>;
    listing::organizations_by_id(ids: &[Uuid]) -> Vec<organizations::Model>;
    listing::offers_by_id(ids: &[Uuid]) -> Vec<offers::Model>;
    listing::needs_by_id(ids: &[Uuid]) -> Vec<needs::Model>;
    listing::projects_of_matches(ids: &[Uuid]) -> HashMap<Uuid, Uuid>;
    listing::municipalities_by_code(codes: &[String]) -> Vec<municipalities::Model>;
    listing::neighbourhoods_by_id(ids: &[Uuid]) -> Vec<neighbourhoods::Model>;
    listing::sectors_of_organizations(ids: &[Uuid]) -> HashMap<Uuid, Vec<sectors::Model>>;
    listing::sectors_of_offers(ids: &[Uuid]) -> HashMap<Uuid, Vec<sectors::Model>>;
    listing::sectors_of_needs(ids: &[Uuid]) -> HashMap<Uuid, Vec<sectors::Model>>;
    listing::neighbourhoods_of_organizations(ids: &[Uuid]) -> HashMap<Uuid, Vec<neighbourhoods::Model>>;
    listing::contacts_of_organizations(ids: &[Uuid]) -> HashMap<Uuid, Vec<organization_contacts::Model>>;
    reference_data::all_sectors as sectors() -> Vec<sectors::Model>;
    memberships::of_user as memberships_of_user(user_id: Uuid) -> Vec<memberships::Model>;
    stats::platform() -> PlatformStats;
    search_docs::outbox_after(after: i64, limit: u64) -> Vec<search_outbox::Model>;
    search_docs::outbox_bounds() -> Option<(i64, i64)>;
}
