//! The root query.

use async_graphql::{Context, ID, Object, Result};
use uuid::Uuid;

use super::error::GqlResult;
use super::types::{Need, Offer, Organization, PlatformStats, Sector, state};
use crate::domain::parse_uuid;
use crate::error::AppError;
use crate::services::{self, lookups};

pub struct Query;

/// A GraphQL id argument as a UUID; a malformed one is bad input on `field`.
fn uuid_arg(ctx: &Context<'_>, id: &ID, field: &str) -> Result<Uuid> {
    parse_uuid(id.as_str())
        .map_err(|reason| AppError::invalid(field, reason))
        .gql(ctx)
}

#[Object]
impl Query {
    /// Figures of the whole platform, for the home page.
    async fn platform_stats(&self, ctx: &Context<'_>) -> Result<PlatformStats> {
        let state = state(ctx)?;
        Ok(services::stats::platform(&state.db).await.gql(ctx)?.into())
    }

    /// An organisation by id. Errors: BAD_USER_INPUT on a malformed id,
    /// NOT_FOUND when there is none.
    async fn organization(&self, ctx: &Context<'_>, id: ID) -> Result<Option<Organization>> {
        let uuid = uuid_arg(ctx, &id, "id")?;
        let state = state(ctx)?;
        Ok(Some(Organization(
            services::organizations::get(&state.db, uuid, "id")
                .await
                .gql(ctx)?,
        )))
    }

    /// An offer by id. Errors: BAD_USER_INPUT on a malformed id, NOT_FOUND
    /// when there is none.
    async fn offer(&self, ctx: &Context<'_>, id: ID) -> Result<Option<Offer>> {
        let uuid = uuid_arg(ctx, &id, "id")?;
        let state = state(ctx)?;
        Ok(Some(Offer(
            services::offers::get(&state.db, uuid, "id")
                .await
                .gql(ctx)?,
        )))
    }

    /// A need by id. Errors: BAD_USER_INPUT on a malformed id, NOT_FOUND when
    /// there is none.
    async fn need(&self, ctx: &Context<'_>, id: ID) -> Result<Option<Need>> {
        let uuid = uuid_arg(ctx, &id, "id")?;
        let state = state(ctx)?;
        Ok(Some(Need(
            services::needs::get(&state.db, uuid, "id").await.gql(ctx)?,
        )))
    }

    /// The sectors taxonomy, in display order.
    async fn sectors(&self, ctx: &Context<'_>) -> Result<Vec<Sector>> {
        let state = state(ctx)?;
        Ok(lookups::sectors(&state.db)
            .await
            .gql(ctx)?
            .into_iter()
            .map(Sector)
            .collect())
    }
}
