//! Territories in GraphQL: municipalities by code or name, Milano's
//! neighbourhoods, the neighbourhood at a point, and distances.

use async_graphql::{Context, InputObject, Object, Result, SimpleObject};

use super::enums::NeedKind;
use super::error::GqlResult;
use super::loaders::{MunicipalityByCode, NeighbourhoodById, load};
use super::types::{Municipality, Neighbourhood, state};
use crate::services::observatory::{self, Area, Figures};
use crate::services::reference_data::MILANO;
use crate::services::territories;

/// How many open needs of one kind.
#[derive(SimpleObject)]
pub struct KindCount {
    pub kind: NeedKind,
    pub count: u64,
}

/// The figures of one neighbourhood or municipality.
pub struct AreaFigures {
    area: Area,
    figures: Figures,
}

#[Object]
impl AreaFigures {
    /// The neighbourhood, for a neighbourhood's figures.
    async fn neighbourhood(&self, ctx: &Context<'_>) -> Result<Option<Neighbourhood>> {
        Ok(match &self.area {
            Area::Neighbourhood(id) => load(ctx, NeighbourhoodById(*id)).await?.map(Neighbourhood),
            Area::Municipality(_) => None,
        })
    }

    /// The municipality, for a municipality's figures.
    async fn municipality(&self, ctx: &Context<'_>) -> Result<Option<Municipality>> {
        Ok(match &self.area {
            Area::Municipality(code) => load(ctx, MunicipalityByCode(code.clone()))
                .await?
                .map(Municipality),
            Area::Neighbourhood(_) => None,
        })
    }

    async fn open_needs(&self) -> u64 {
        self.figures.open_needs
    }

    /// Open needs by kind, most frequent first.
    async fn needs_by_kind(&self) -> Vec<KindCount> {
        let mut counts: Vec<KindCount> = self
            .figures
            .needs_by_kind
            .iter()
            .map(|(kind, count)| KindCount {
                kind: (*kind).into(),
                count: *count,
            })
            .collect();
        counts.sort_by_key(|c| std::cmp::Reverse(c.count));
        counts
    }

    async fn open_offers(&self) -> u64 {
        self.figures.open_offers
    }

    /// Open needs without a good match (see `good_score` in the matching
    /// configuration): where needs go unmet.
    async fn unmatched_needs(&self) -> u64 {
        self.figures.unmatched_needs
    }
}

/// Where needs are, and where they go unmet.
#[derive(SimpleObject)]
pub struct Observatory {
    /// Neighbourhoods with open needs or offers, most unmet needs first.
    pub neighbourhoods: Vec<AreaFigures>,
    /// Municipalities with open needs or offers, most unmet needs first.
    pub municipalities: Vec<AreaFigures>,
}

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

    /// Per neighbourhood and per municipality: open needs by kind, open
    /// offers, and the needs still without a good match.
    async fn observatory(&self, ctx: &Context<'_>) -> Result<Observatory> {
        let state = state(ctx)?;
        let good = state.matcher.config().good_score;
        let mut neighbourhoods = Vec::new();
        let mut municipalities = Vec::new();
        for (area, figures) in observatory::figures(&state.db, good).await.gql(ctx)? {
            let entry = AreaFigures { area, figures };
            match entry.area {
                Area::Neighbourhood(_) => neighbourhoods.push(entry),
                Area::Municipality(_) => municipalities.push(entry),
            }
        }
        let order = |a: &AreaFigures, b: &AreaFigures| {
            b.figures
                .unmatched_needs
                .cmp(&a.figures.unmatched_needs)
                .then(b.figures.open_needs.cmp(&a.figures.open_needs))
                .then(a.area.cmp(&b.area))
        };
        neighbourhoods.sort_by(order);
        municipalities.sort_by(order);
        Ok(Observatory {
            neighbourhoods,
            municipalities,
        })
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
