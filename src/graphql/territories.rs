//! Territories in GraphQL: municipalities by code or name, Milano's
//! neighbourhoods, the neighbourhood at a point, and distances.

use async_graphql::{Context, InputObject, Object, Result};

use super::error::GqlResult;
use super::types::{Municipality, Neighbourhood, state};
use crate::services::reference_data::MILANO;
use crate::services::territories;

/// A point in WGS84 degrees.
#[derive(InputObject)]
pub struct PointInput {
    pub lat: f64,
    pub lon: f64,
}

#[derive(Default)]
pub struct TerritoryQuery;

#[Object]
impl TerritoryQuery {
    /// A municipality by ISTAT code (`015146` is Milano). Errors:
    /// BAD_USER_INPUT on a malformed `code`, NOT_FOUND when there is none.
    async fn municipality(&self, ctx: &Context<'_>, code: String) -> Result<Municipality> {
        let state = state(ctx)?;
        Ok(Municipality(
            territories::municipality(&state.db, &code, "code")
                .await
                .gql(ctx)?,
        ))
    }

    /// Municipalities whose name contains `search` (any case), of a
    /// province (plate code, e.g. `MI`) if given, by name; `first` 20 unless
    /// given, at most 100. Errors: BAD_USER_INPUT on `first`.
    async fn municipalities(
        &self,
        ctx: &Context<'_>,
        search: Option<String>,
        province: Option<String>,
        first: Option<i32>,
    ) -> Result<Vec<Municipality>> {
        let first = u64::try_from(first.unwrap_or(20)).unwrap_or(u64::MAX);
        let state = state(ctx)?;
        Ok(
            territories::municipalities(&state.db, search.as_deref(), province.as_deref(), first)
                .await
                .gql(ctx)?
                .into_iter()
                .map(Municipality)
                .collect(),
        )
    }

    /// The neighbourhoods of a municipality (Milano's 88 NIL by default),
    /// by code.
    async fn neighbourhoods(
        &self,
        ctx: &Context<'_>,
        municipality_code: Option<String>,
    ) -> Result<Vec<Neighbourhood>> {
        let state = state(ctx)?;
        let code = municipality_code.unwrap_or_else(|| MILANO.to_owned());
        Ok(territories::neighbourhoods_of(&state.db, &code)
            .await
            .gql(ctx)?
            .into_iter()
            .map(Neighbourhood)
            .collect())
    }

    /// The neighbourhood containing a point, if any (Piazzale Selinunte is
    /// in San Siro). Errors: BAD_USER_INPUT on `lat` or `lon` out of range.
    async fn neighbourhood_at(
        &self,
        ctx: &Context<'_>,
        lat: f64,
        lon: f64,
    ) -> Result<Option<Neighbourhood>> {
        let point = territories::point((lat, "lat"), (lon, "lon")).gql(ctx)?;
        let state = state(ctx)?;
        Ok(territories::neighbourhood_at(&state.db, point)
            .await
            .gql(ctx)?
            .map(Neighbourhood))
    }

    /// The great-circle distance between two points, in km. Errors:
    /// BAD_USER_INPUT on a coordinate out of range (`from.lat`...).
    async fn distance_km(
        &self,
        ctx: &Context<'_>,
        from: PointInput,
        to: PointInput,
    ) -> Result<f64> {
        let from = territories::point((from.lat, "from.lat"), (from.lon, "from.lon")).gql(ctx)?;
        let to = territories::point((to.lat, "to.lat"), (to.lon, "to.lon")).gql(ctx)?;
        Ok(from.distance_km(&to))
    }
}
