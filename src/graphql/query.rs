//! The root query: records by id, the lists of organisations, offers and
//! needs (cursor connections with filters), the sectors and the platform's
//! figures.

use async_graphql::{Context, ID, InputObject, Object, Result};
use uuid::Uuid;

use super::connection::{List, Total, connection, page_cost, page_request};
use super::enums::{NeedKind, OfferKind, OrganizationKind, PostingStatus, VerificationStatus};
use super::error::GqlResult;
use super::mutation::id_arg;
use super::types::{Need, Offer, Organization, PlatformStats, Sector, state};
use super::viewer::{check_draft_listing, reader};
use crate::domain::{self, Invalid, IstatCode, SectorCode, parse_uuid};
use crate::error::AppError;
use crate::policy::visibility;
use crate::services;
use crate::services::listing::{self, PostingFilter};

#[derive(Default)]
pub struct CatalogQuery;

/// Which organisations to list. Every criterion given must hold; a list
/// criterion holds when any of its values does.
#[derive(InputObject, Default)]
pub struct OrganizationFilter {
    /// Any of these kinds.
    pub kinds: Option<Vec<OrganizationKind>>,
    /// Any of these verification states.
    pub verification_statuses: Option<Vec<VerificationStatus>>,
    /// Seated in the municipality with this ISTAT code.
    pub municipality_code: Option<String>,
    /// Serving this neighbourhood.
    pub neighbourhood_id: Option<ID>,
    /// Working in the sector with this code.
    pub sector: Option<String>,
}

/// Which offers to list. Every criterion given must hold; a list criterion
/// holds when any of its values does.
#[derive(InputObject)]
pub struct OfferFilter {
    /// Any of these kinds.
    pub kinds: Option<Vec<OfferKind>>,
    /// Only offers in this state: open ones unless asked otherwise.
    #[graphql(default_with = "PostingStatus::Open")]
    pub status: PostingStatus,
    /// In the municipality with this ISTAT code (its first place or
    /// another).
    pub municipality_code: Option<String>,
    /// In this neighbourhood (its first place or another).
    pub neighbourhood_id: Option<ID>,
    /// Made by this organisation.
    pub organization_id: Option<ID>,
    /// Tagged with the sector with this code.
    pub sector: Option<String>,
}

/// Which needs to list. Every criterion given must hold; a list criterion
/// holds when any of its values does.
#[derive(InputObject)]
pub struct NeedFilter {
    /// Any of these kinds.
    pub kinds: Option<Vec<NeedKind>>,
    /// Only needs in this state: open ones unless asked otherwise.
    #[graphql(default_with = "PostingStatus::Open")]
    pub status: PostingStatus,
    /// In the municipality with this ISTAT code (its first place or
    /// another).
    pub municipality_code: Option<String>,
    /// In this neighbourhood (its first place or another); a need known by
    /// its municipality only is not listed under its neighbourhoods.
    pub neighbourhood_id: Option<ID>,
    /// Posted by this organisation.
    pub organization_id: Option<ID>,
    /// Tagged with the sector with this code.
    pub sector: Option<String>,
}

/// Parses an optional filter value; a malformed one is bad input on
/// `filter.<field>`.
fn filter_value<T>(
    ctx: &Context<'_>,
    raw: Option<&str>,
    field: &str,
    parse: impl Fn(&str) -> Result<T, Invalid>,
) -> Result<Option<T>> {
    raw.map(|raw| parse(raw).map_err(|reason| AppError::invalid(format!("filter.{field}"), reason)))
        .transpose()
        .gql(ctx)
}

fn id_filter(ctx: &Context<'_>, raw: Option<&ID>, field: &str) -> Result<Option<Uuid>> {
    filter_value(ctx, raw.map(|id| id.as_str()), field, parse_uuid)
}

fn kinds<G: Copy, D: From<G>>(kinds: Option<Vec<G>>) -> Vec<D> {
    kinds.unwrap_or_default().into_iter().map(D::from).collect()
}

impl OrganizationFilter {
    fn parse(self, ctx: &Context<'_>) -> Result<listing::OrganizationFilter> {
        Ok(listing::OrganizationFilter {
            kinds: kinds(self.kinds),
            verification_statuses: kinds(self.verification_statuses),
            municipality_code: filter_value(
                ctx,
                self.municipality_code.as_deref(),
                "municipalityCode",
                IstatCode::parse,
            )?,
            neighbourhood_id: id_filter(ctx, self.neighbourhood_id.as_ref(), "neighbourhoodId")?,
            sector: filter_value(ctx, self.sector.as_deref(), "sector", SectorCode::parse)?,
        })
    }
}

/// The criteria offers and needs share.
struct PostingCriteria {
    status: PostingStatus,
    municipality_code: Option<String>,
    neighbourhood_id: Option<ID>,
    organization_id: Option<ID>,
    sector: Option<String>,
}

impl PostingCriteria {
    fn parse<K>(self, ctx: &Context<'_>, kinds: Vec<K>) -> Result<PostingFilter<K>> {
        Ok(PostingFilter {
            kinds,
            status: domain::PostingStatus::from(self.status),
            municipality_code: filter_value(
                ctx,
                self.municipality_code.as_deref(),
                "municipalityCode",
                IstatCode::parse,
            )?,
            neighbourhood_id: id_filter(ctx, self.neighbourhood_id.as_ref(), "neighbourhoodId")?,
            organization_id: id_filter(ctx, self.organization_id.as_ref(), "organizationId")?,
            sector: filter_value(ctx, self.sector.as_deref(), "sector", SectorCode::parse)?,
        })
    }
}

impl OfferFilter {
    fn parse(self, ctx: &Context<'_>) -> Result<listing::OfferFilter> {
        let criteria = PostingCriteria {
            status: self.status,
            municipality_code: self.municipality_code,
            neighbourhood_id: self.neighbourhood_id,
            organization_id: self.organization_id,
            sector: self.sector,
        };
        criteria.parse(ctx, kinds(self.kinds))
    }
}

impl NeedFilter {
    fn parse(self, ctx: &Context<'_>) -> Result<listing::NeedFilter> {
        let criteria = PostingCriteria {
            status: self.status,
            municipality_code: self.municipality_code,
            neighbourhood_id: self.neighbourhood_id,
            organization_id: self.organization_id,
            sector: self.sector,
        };
        criteria.parse(ctx, kinds(self.kinds))
    }
}

#[Object]
impl CatalogQuery {
    /// Figures of the whole platform, for the home page.
    async fn platform_stats(&self, ctx: &Context<'_>) -> Result<PlatformStats> {
        let state = state(ctx)?;
        Ok(PlatformStats(
            services::listing::platform(&state.db).await.gql(ctx)?,
        ))
    }

    /// An organisation by id. Errors: BAD_USER_INPUT on a malformed id,
    /// NOT_FOUND when there is none, or it is hidden by a moderator and the
    /// viewer is neither one of its members nor a moderator.
    async fn organization(&self, ctx: &Context<'_>, id: ID) -> Result<Option<Organization>> {
        let uuid = id_arg(ctx, &id, "id")?;
        let state = state(ctx)?;
        let reader = reader(ctx).await?;
        Ok(Some(Organization(
            visibility::organization(&state.db, &reader, uuid, "id")
                .await
                .gql(ctx)?,
        )))
    }

    /// An offer by id. Errors: BAD_USER_INPUT on a malformed id, NOT_FOUND
    /// when there is none, or it is a draft, hidden, or of a hidden
    /// organisation, and the viewer is neither one of the organisation's
    /// members nor a moderator.
    async fn offer(&self, ctx: &Context<'_>, id: ID) -> Result<Option<Offer>> {
        let uuid = id_arg(ctx, &id, "id")?;
        let state = state(ctx)?;
        let reader = reader(ctx).await?;
        Ok(Some(Offer(
            visibility::offer(&state.db, &reader, uuid, "id")
                .await
                .gql(ctx)?,
        )))
    }

    /// A need by id. Errors as for `offer`.
    async fn need(&self, ctx: &Context<'_>, id: ID) -> Result<Option<Need>> {
        let uuid = id_arg(ctx, &id, "id")?;
        let state = state(ctx)?;
        let reader = reader(ctx).await?;
        Ok(Some(Need(
            visibility::need(&state.db, &reader, uuid, "id")
                .await
                .gql(ctx)?,
        )))
    }

    /// Organisations, newest first. `first` is 20 unless given (at most
    /// 100); `after` is the `endCursor` of the previous page. Errors:
    /// BAD_USER_INPUT on `first`, `after` or a malformed `filter.*` value.
    #[graphql(complexity = "page_cost(first, child_complexity)")]
    async fn organizations(
        &self,
        ctx: &Context<'_>,
        filter: Option<OrganizationFilter>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<List<Organization>> {
        let filter = filter.unwrap_or_default().parse(ctx)?;
        let page = page_request(ctx, first, after)?;
        let state = state(ctx)?;
        let rows = listing::organizations(&state.db, &filter, page)
            .await
            .gql(ctx)?;
        Ok(connection(
            rows,
            Total::Organizations(filter),
            |o| o.id,
            Organization,
        ))
    }

    /// Offers, newest first; only open ones unless `filter.status` says
    /// otherwise. Paging and errors as for `organizations`.
    #[graphql(complexity = "page_cost(first, child_complexity)")]
    async fn offers(
        &self,
        ctx: &Context<'_>,
        filter: Option<OfferFilter>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<List<Offer>> {
        let filter = match filter {
            Some(filter) => filter.parse(ctx)?,
            None => listing::OfferFilter::default(),
        };
        check_draft_listing(ctx, filter.status, filter.organization_id).await?;
        let page = page_request(ctx, first, after)?;
        let state = state(ctx)?;
        let rows = listing::offers(&state.db, &filter, page).await.gql(ctx)?;
        Ok(connection(rows, Total::Offers(filter), |o| o.id, Offer))
    }

    /// Needs, newest first; only open ones unless `filter.status` says
    /// otherwise. Paging and errors as for `organizations`.
    #[graphql(complexity = "page_cost(first, child_complexity)")]
    async fn needs(
        &self,
        ctx: &Context<'_>,
        filter: Option<NeedFilter>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<List<Need>> {
        let filter = match filter {
            Some(filter) => filter.parse(ctx)?,
            None => listing::NeedFilter::default(),
        };
        check_draft_listing(ctx, filter.status, filter.organization_id).await?;
        let page = page_request(ctx, first, after)?;
        let state = state(ctx)?;
        let rows = listing::needs(&state.db, &filter, page).await.gql(ctx)?;
        Ok(connection(rows, Total::Needs(filter), |n| n.id, Need))
    }

    /// The sectors taxonomy, in display order.
    async fn sectors(&self, ctx: &Context<'_>) -> Result<Vec<Sector>> {
        let state = state(ctx)?;
        Ok(listing::sectors(&state.db)
            .await
            .gql(ctx)?
            .into_iter()
            .map(Sector)
            .collect())
    }
}
