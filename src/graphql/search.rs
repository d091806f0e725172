//! The search API: `search` (Italian full text over organisations, offers
//! and needs, with filters, facets, highlights and a cursor) and `similar`
//! (the open offers or needs most like one being written, to avoid
//! duplicates). Arguments are checked here (BAD_USER_INPUT with the field);
//! the search itself is [`crate::search`], and the records of the hits are
//! loaded through the services, by ids, one statement per type.
//!
//! [`RefreshAfterMutation`] makes every mutation wait (briefly) until the
//! search index reflects it, so that its author finds it at once.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use async_graphql::connection::{Connection, CursorType, Edge, EmptyFields};
use async_graphql::extensions::{
    Extension, ExtensionContext, ExtensionFactory, NextExecute, NextParseQuery,
};
use async_graphql::parser::types::{ExecutableDocument, OperationType};
use async_graphql::{
    Context, Enum, ID, InputObject, Object, Response, Result, ServerResult, SimpleObject, Variables,
};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use sea_orm::DatabaseConnection;
use uuid::Uuid;

use super::connection::page_cost;
use super::enums::{Language, NeedKind, OfferKind, OrganizationKind, PostingStatus};
use super::error::GqlResult;
use super::types::{Cents, Need, Offer, Organization, state};
use crate::domain::{
    self, ClosedList, EuroCents, Format, Invalid, IstatCode, Lang, SectorCode, dates, parse_uuid,
};
use crate::error::AppError;
use crate::policy::visibility;
use crate::search::{self, DocType, GeoPoint, Near, SearchRequest, SimilarRequest};
use crate::services::{self, listing};
use crate::store::entities::{needs, offers, organizations};

/// Results per page when `first` is not given.
const DEFAULT_FIRST: usize = 20;
/// Similar items when `first` is not given, and at most.
const DEFAULT_SIMILAR: usize = 5;
const MAX_SIMILAR: usize = 20;
/// Longest title and description `similar` reads.
const MAX_SIMILAR_TITLE: usize = 500;
const MAX_SIMILAR_DESCRIPTION: usize = 10_000;

/// What a hit is.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[graphql(remote = "domain::OutboxEntityType")]
pub enum SearchType {
    Organization,
    Offer,
    Need,
}

/// What kind of posting `similar` compares with.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum PostingType {
    Offer,
    Need,
}

/// How results are ordered.
#[derive(Enum, Clone, Copy, Debug, Default, PartialEq, Eq)]
#[graphql(remote = "search::SearchSort")]
pub enum SearchSort {
    /// Best match first: text relevance, a little freshness and verification.
    #[default]
    Relevance,
    /// Soonest deadline first; records without a deadline last.
    Deadline,
    /// Most recently published first.
    Newest,
    /// Nearest to `filter.near` first (required); records without a place last.
    Distance,
}

/// A point, and optionally how far from it results may be.
#[derive(InputObject, Clone, Copy, Debug)]
pub struct NearInput {
    /// WGS84 latitude, -90 to 90.
    pub lat: f64,
    /// WGS84 longitude, -180 to 180.
    pub lon: f64,
    /// Only results within this many kilometres (not negative).
    pub km: Option<f64>,
}

/// Which records to search. Every criterion given must hold; a list holds
/// when any of its values does; an empty or absent list does not filter.
#[derive(InputObject, Debug)]
pub struct SearchFilter {
    pub types: Option<Vec<SearchType>>,
    /// Kind of the organisation (of the owner, for offers and needs).
    pub organization_kinds: Option<Vec<OrganizationKind>>,
    /// Offer kinds and need kinds: when either is given, only offers and
    /// needs of the kinds listed match.
    pub offer_kinds: Option<Vec<OfferKind>>,
    pub need_kinds: Option<Vec<NeedKind>>,
    /// Sector codes.
    pub sectors: Option<Vec<String>>,
    /// ISTAT codes of municipalities.
    pub municipality_codes: Option<Vec<String>>,
    pub neighbourhood_ids: Option<Vec<ID>>,
    /// States of offers and needs (organisations count as open): open ones
    /// unless asked otherwise; `[]` for any state.
    #[graphql(default_with = "Some(vec![PostingStatus::Open])")]
    pub statuses: Option<Vec<PostingStatus>>,
    /// Only this organisation and its offers and needs.
    pub organization_id: Option<ID>,
    /// Only records of verified organisations.
    #[graphql(default)]
    pub verified_only: bool,
    /// Only records of third-sector bodies registered in the RUNTS: the
    /// organisations eligible for co-design under art. 55 of the Codice del
    /// Terzo Settore, and their offers and needs.
    #[graphql(default)]
    pub registered_third_sector_only: bool,
    /// Needs whose deadline falls in this range.
    pub deadline_from: Option<DateTime<Utc>>,
    pub deadline_until: Option<DateTime<Utc>>,
    /// Offers whose amounts, or needs whose budget, overlap this range.
    pub amount_min: Option<Cents>,
    pub amount_max: Option<Cents>,
    /// Measure distances from a point (and keep only those within `km`).
    pub near: Option<NearInput>,
}

fn invalid<T>(ctx: &Context<'_>, field: &str, reason: Invalid) -> Result<T> {
    Err(AppError::invalid(field, reason)).gql(ctx)
}

/// An optional id argument; BAD_USER_INPUT on `field` when malformed.
fn optional_id(ctx: &Context<'_>, raw: Option<&ID>, field: &str) -> Result<Option<Uuid>> {
    match raw.map(|raw| parse_uuid(raw.as_str())).transpose() {
        Ok(id) => Ok(id),
        Err(reason) => invalid(ctx, field, reason),
    }
}

/// A text argument of at most `max` characters; BAD_USER_INPUT (too long)
/// on `field` otherwise.
fn at_most(ctx: &Context<'_>, field: &str, text: &str, max: usize) -> Result<()> {
    if text.chars().count() > max {
        return invalid(ctx, field, Invalid::TooLong { max });
    }
    Ok(())
}

/// How many results `first` asks for: `default` when absent;
/// BAD_USER_INPUT on `first` when negative or above `max`.
fn first_limit(ctx: &Context<'_>, first: Option<i32>, default: usize, max: usize) -> Result<usize> {
    match first.map(usize::try_from) {
        None => Ok(default),
        Some(Ok(n)) if n <= max => Ok(n),
        Some(_) => invalid(
            ctx,
            "first",
            Invalid::OutOfRange {
                min: 0,
                max: max as i64,
            },
        ),
    }
}

fn list<G: Copy, D: From<G>>(values: Option<Vec<G>>) -> Vec<D> {
    values
        .unwrap_or_default()
        .into_iter()
        .map(D::from)
        .collect()
}

/// Parses each value of an optional list of the filter: the first bad one
/// is BAD_USER_INPUT on `filter.<field>[i]`.
fn parse_each<R, T>(
    ctx: &Context<'_>,
    values: Option<Vec<R>>,
    field: &str,
    parse: impl Fn(&R) -> Result<T, Invalid>,
) -> Result<Vec<T>> {
    let mut parsed = Vec::new();
    for (i, raw) in values.unwrap_or_default().iter().enumerate() {
        match parse(raw) {
            Ok(value) => parsed.push(value),
            Err(reason) => return invalid(ctx, &format!("filter.{field}[{i}]"), reason),
        }
    }
    Ok(parsed)
}

impl SearchFilter {
    /// The filter of the search API; fails with BAD_USER_INPUT on
    /// `filter.<field>`.
    pub(crate) fn parse(self, ctx: &Context<'_>) -> Result<search::SearchFilter> {
        let sectors = parse_each(ctx, self.sectors, "sectors", |raw| {
            SectorCode::parse(raw).map(|code| code.as_str().to_owned())
        })?;
        let municipality_codes =
            parse_each(ctx, self.municipality_codes, "municipalityCodes", |raw| {
                IstatCode::parse(raw).map(|code| code.as_str().to_owned())
            })?;
        let neighbourhood_ids = parse_each(
            ctx,
            self.neighbourhood_ids,
            "neighbourhoodIds",
            |raw: &ID| parse_uuid(raw.as_str()),
        )?;
        let organization_id =
            optional_id(ctx, self.organization_id.as_ref(), "filter.organizationId")?;
        for (field, day) in [
            ("filter.deadlineFrom", self.deadline_from),
            ("filter.deadlineUntil", self.deadline_until),
        ] {
            if let Some(Err(reason)) = day.map(dates::plausible_instant) {
                return invalid(ctx, field, reason);
            }
        }
        if let (Some(from), Some(until)) = (self.deadline_from, self.deadline_until)
            && from > until
        {
            return invalid(ctx, "filter.deadlineUntil", Invalid::Inverted);
        }
        for (field, amount) in [
            ("filter.amountMin", self.amount_min),
            ("filter.amountMax", self.amount_max),
        ] {
            if let Some(Err(reason)) = amount.map(|a| EuroCents::new(a.0)) {
                return invalid(ctx, field, reason);
            }
        }
        if let (Some(min), Some(max)) = (self.amount_min, self.amount_max)
            && min.0 > max.0
        {
            return invalid(ctx, "filter.amountMax", Invalid::Inverted);
        }
        let near = match self.near {
            Some(near) => Some(parse_near(ctx, near)?),
            None => None,
        };
        Ok(search::SearchFilter {
            types: list(self.types),
            organization_kinds: list(self.organization_kinds),
            offer_kinds: list(self.offer_kinds),
            need_kinds: list(self.need_kinds),
            sectors,
            municipality_codes,
            neighbourhood_ids,
            statuses: list(self.statuses),
            organization_id,
            verified_only: self.verified_only,
            registered_third_sector_only: self.registered_third_sector_only,
            deadline_from: self.deadline_from,
            deadline_until: self.deadline_until,
            amount_min_cents: self.amount_min.map(|a| a.0),
            amount_max_cents: self.amount_max.map(|a| a.0),
            near,
            exclude: Vec::new(),
        })
    }
}

fn parse_near(ctx: &Context<'_>, near: NearInput) -> Result<Near> {
    if !near.lat.is_finite() || !(-90.0..=90.0).contains(&near.lat) {
        return invalid(
            ctx,
            "filter.near.lat",
            Invalid::OutOfRange { min: -90, max: 90 },
        );
    }
    if !near.lon.is_finite() || !(-180.0..=180.0).contains(&near.lon) {
        return invalid(
            ctx,
            "filter.near.lon",
            Invalid::OutOfRange {
                min: -180,
                max: 180,
            },
        );
    }
    if let Some(km) = near.km {
        if !km.is_finite() {
            return invalid(
                ctx,
                "filter.near.km",
                Invalid::OutOfRange {
                    min: 0,
                    max: 20_000,
                },
            );
        }
        if km < 0.0 {
            return invalid(ctx, "filter.near.km", Invalid::Negative);
        }
    }
    Ok(Near {
        point: GeoPoint {
            lat: near.lat,
            lon: near.lon,
        },
        km: near.km,
    })
}

/// The cursor of a search result: its position in the ranking. Opaque to
/// clients; results can shift between pages when records change, as in
/// every search engine.
pub struct SearchCursor(pub usize);

impl CursorType for SearchCursor {
    type Error = Invalid;

    fn decode_cursor(s: &str) -> std::result::Result<Self, Invalid> {
        let bad = || Invalid::BadFormat {
            expected: Format::Cursor,
        };
        let bytes = URL_SAFE_NO_PAD.decode(s.trim()).map_err(|_| bad())?;
        let text = String::from_utf8(bytes).map_err(|_| bad())?;
        let position = text.strip_prefix("search:").ok_or_else(bad)?;
        position.parse().map(SearchCursor).map_err(|_| bad())
    }

    fn encode_cursor(&self) -> String {
        URL_SAFE_NO_PAD.encode(format!("search:{}", self.0))
    }
}

/// A highlighted part of a hit.
#[derive(SimpleObject, Clone, Debug)]
pub struct SearchHighlight {
    /// `title` or `description`.
    pub field: String,
    /// HTML: the text escaped, the words that matched in `<mark>`.
    pub fragments: Vec<String>,
}

/// The record a hit stands for.
enum HitRecord {
    Organization(organizations::Model),
    Offer(offers::Model),
    Need(needs::Model),
    /// The query selects no record field, so none was loaded.
    NotSelected,
}

/// One search result: its score, highlights and record.
pub struct SearchHit {
    hit: search::SearchHit,
    record: HitRecord,
}

#[Object]
impl SearchHit {
    /// The id of the record.
    async fn id(&self) -> ID {
        ID(self.hit.id.to_string())
    }

    #[graphql(name = "type")]
    async fn doc_type(&self) -> SearchType {
        self.hit.doc_type.into()
    }

    /// The ranking score (higher is better; comparable within one search).
    async fn score(&self) -> f64 {
        f64::from(self.hit.score)
    }

    /// Distance from `filter.near`, when both have a place.
    async fn distance_km(&self) -> Option<f64> {
        self.hit.distance_km
    }

    async fn highlights(&self) -> Vec<SearchHighlight> {
        self.hit
            .highlights
            .iter()
            .map(|h| SearchHighlight {
                field: h.field.to_owned(),
                fragments: h.fragments.clone(),
            })
            .collect()
    }

    /// Set when the hit is an organisation.
    async fn organization(&self) -> Option<Organization> {
        match &self.record {
            HitRecord::Organization(model) => Some(Organization(model.clone())),
            _ => None,
        }
    }

    /// Set when the hit is an offer.
    async fn offer(&self) -> Option<Offer> {
        match &self.record {
            HitRecord::Offer(model) => Some(Offer(model.clone())),
            _ => None,
        }
    }

    /// Set when the hit is a need.
    async fn need(&self) -> Option<Need> {
        match &self.record {
            HitRecord::Need(model) => Some(Need(model.clone())),
            _ => None,
        }
    }
}

/// How many results have one value of a facet.
pub struct FacetCount {
    value: String,
    count: u64,
    label_it: Option<String>,
    label_en: Option<String>,
}

#[Object]
impl FacetCount {
    /// The value, as the filter takes it: an enum value (e.g. `OFFER`,
    /// `HOUSING_COOPERATIVE`), a sector code, an ISTAT code or a
    /// neighbourhood id.
    async fn value(&self) -> &str {
        &self.value
    }

    async fn count(&self) -> u64 {
        self.count
    }

    /// The value in words, e.g. "Cooperativa di abitanti (edilizia)",
    /// "Milano", "Gratosoglio".
    async fn label(&self, ctx: &Context<'_>, lang: Option<Language>) -> Option<&str> {
        let lang = lang
            .map(Lang::from)
            .unwrap_or_else(|| super::error::lang(ctx));
        match lang {
            Lang::It => self.label_it.as_deref(),
            Lang::En => self.label_en.as_deref().or(self.label_it.as_deref()),
        }
    }
}

/// Whether the facet being resolved selects `label`: the labels of sectors,
/// municipalities and neighbourhoods are a database read each, not needed
/// for the counts alone.
fn labels_selected(ctx: &Context<'_>) -> bool {
    ctx.look_ahead().field("label").exists()
}

/// Facet counts: each counted with every other filter applied (not its own),
/// so that the other values of a chosen facet still show their counts.
pub struct SearchFacets(search::Facets);

fn closed_facet<T: ClosedList>(values: &search::Facet) -> Vec<FacetCount> {
    values
        .iter()
        .map(|f| {
            let parsed = T::parse(&f.value).ok();
            FacetCount {
                value: f.value.to_uppercase(),
                count: f.count,
                label_it: parsed.map(|v| v.label(Lang::It).to_owned()),
                label_en: parsed.map(|v| v.label(Lang::En).to_owned()),
            }
        })
        .collect()
}

/// The counts of a facet whose values are named in the database (sectors,
/// municipalities, neighbourhoods). `names` reads the labels by value, in
/// Italian and, where there is one, in English; it runs only when the query
/// selects `label`, the names being a database read.
async fn named_facet(
    ctx: &Context<'_>,
    values: &search::Facet,
    names: impl AsyncFnOnce(
        &DatabaseConnection,
    ) -> Result<HashMap<String, (String, Option<String>)>, AppError>,
) -> Result<Vec<FacetCount>> {
    let names = if labels_selected(ctx) {
        names(&state(ctx)?.db).await.gql(ctx)?
    } else {
        HashMap::new()
    };
    Ok(values
        .iter()
        .map(|f| {
            let (label_it, label_en) = names.get(&f.value).cloned().unzip();
            FacetCount {
                value: f.value.clone(),
                count: f.count,
                label_it,
                label_en: label_en.flatten(),
            }
        })
        .collect())
}

#[Object]
impl SearchFacets {
    #[graphql(name = "type")]
    async fn doc_type(&self) -> Vec<FacetCount> {
        closed_facet::<domain::OutboxEntityType>(&self.0.types)
    }

    async fn organization_kind(&self) -> Vec<FacetCount> {
        closed_facet::<domain::OrganizationKind>(&self.0.organization_kinds)
    }

    async fn offer_kind(&self) -> Vec<FacetCount> {
        closed_facet::<domain::OfferKind>(&self.0.offer_kinds)
    }

    async fn need_kind(&self) -> Vec<FacetCount> {
        closed_facet::<domain::NeedKind>(&self.0.need_kinds)
    }

    async fn status(&self) -> Vec<FacetCount> {
        closed_facet::<domain::PostingStatus>(&self.0.statuses)
    }

    /// Sector codes.
    async fn sector(&self, ctx: &Context<'_>) -> Result<Vec<FacetCount>> {
        named_facet(ctx, &self.0.sectors, async |db| {
            let sectors = listing::sectors(db).await?;
            Ok(sectors
                .into_iter()
                .map(|s| (s.code, (s.name_it, Some(s.name_en))))
                .collect())
        })
        .await
    }

    /// ISTAT codes of municipalities.
    async fn municipality(&self, ctx: &Context<'_>) -> Result<Vec<FacetCount>> {
        let facet = &self.0.municipalities;
        named_facet(ctx, facet, async |db| {
            let codes: Vec<String> = facet.iter().map(|f| f.value.clone()).collect();
            let municipalities = listing::municipalities_by_code(db, &codes).await?;
            Ok(municipalities
                .into_iter()
                .map(|m| (m.istat_code, (m.name, None)))
                .collect())
        })
        .await
    }

    /// Neighbourhood ids.
    async fn neighbourhood(&self, ctx: &Context<'_>) -> Result<Vec<FacetCount>> {
        let facet = &self.0.neighbourhoods;
        named_facet(ctx, facet, async |db| {
            let ids: Vec<Uuid> = facet
                .iter()
                .filter_map(|f| Uuid::parse_str(&f.value).ok())
                .collect();
            let neighbourhoods = listing::neighbourhoods_by_id(db, &ids).await?;
            Ok(neighbourhoods
                .into_iter()
                .map(|n| (n.id.to_string(), (n.name, None)))
                .collect())
        })
        .await
    }
}

/// The fields of a search besides its edges.
pub struct SearchExtras {
    total: u64,
    facets: search::Facets,
    relaxed: bool,
    all_words_total: Option<u64>,
    suggestion: Option<String>,
}

#[Object]
impl SearchExtras {
    /// How many records match, across all pages.
    async fn total_count(&self) -> u64 {
        self.total
    }

    async fn facets(&self) -> SearchFacets {
        SearchFacets(self.facets.clone())
    }

    /// True when no record has every word of the query, and records with
    /// any of them are shown instead.
    async fn relaxed(&self) -> bool {
        self.relaxed
    }

    /// When fewer than a page of records has every word of the query and
    /// records with most of them follow: how many have every word (they
    /// come first). Null when every result has every word, or none has
    /// (`relaxed`).
    async fn all_words_count(&self) -> Option<u64> {
        self.all_words_total
    }

    /// "Did you mean": the query with unknown words replaced by the
    /// likeliest known ones, when some were corrected.
    async fn suggestion(&self) -> Option<&str> {
        self.suggestion.as_deref()
    }
}

/// A page of search results (`SearchHitConnection`).
pub type SearchConnection = Connection<SearchCursor, SearchHit, SearchExtras, EmptyFields>;

/// The records `with_records` loaded of one type, by id; a failed read is
/// the API's error.
fn by_id<M, E>(
    ctx: &Context<'_>,
    records: std::result::Result<Vec<M>, E>,
    id: impl Fn(&M) -> Uuid,
) -> Result<HashMap<Uuid, M>>
where
    AppError: From<E>,
{
    let records = records.map_err(AppError::from).gql(ctx)?;
    Ok(services::by_id(records, id))
}

/// Loads the records of the hits (one statement per type) and keeps the
/// hits whose record is still public ([`visibility::public_offers`] and its
/// kin: the index may lag a hiding by a moment), in order.
async fn with_records(ctx: &Context<'_>, hits: Vec<search::SearchHit>) -> Result<Vec<SearchHit>> {
    let db = &state(ctx)?.db;
    let ids = |doc_type: DocType| -> Vec<Uuid> {
        hits.iter()
            .filter(|h| h.doc_type == doc_type)
            .map(|h| h.id)
            .collect()
    };
    let mut organizations = by_id(
        ctx,
        visibility::public_organizations(db, &ids(DocType::Organization)).await,
        |m| m.id,
    )?;
    let mut offers = by_id(
        ctx,
        visibility::public_offers(db, &ids(DocType::Offer)).await,
        |m| m.id,
    )?;
    let mut needs = by_id(
        ctx,
        visibility::public_needs(db, &ids(DocType::Need)).await,
        |m| m.id,
    )?;
    Ok(hits
        .into_iter()
        .filter_map(|hit| {
            let record = match hit.doc_type {
                DocType::Organization => HitRecord::Organization(organizations.remove(&hit.id)?),
                DocType::Offer => HitRecord::Offer(offers.remove(&hit.id)?),
                DocType::Need => HitRecord::Need(needs.remove(&hit.id)?),
            };
            Some(SearchHit { hit, record })
        })
        .collect())
}

/// Whether a search query reads the record of a hit (its organisation,
/// offer or need), through `nodes` or `edges.node`.
fn selects_a_record(selected: &async_graphql::Lookahead<'_>) -> bool {
    ["organization", "offer", "need"].iter().any(|record| {
        selected.field("nodes").field(record).exists()
            || selected.field("edges").field("node").field(record).exists()
    })
}

fn search_failed(error: search::SearchError) -> AppError {
    match error {
        search::SearchError::Unavailable => {
            AppError::Unavailable(crate::error::Unavailable::Search)
        }
        error => AppError::Internal(anyhow::Error::new(error)),
    }
}

#[derive(Default)]
pub struct SearchQuery;

#[Object]
impl SearchQuery {
    /// Italian full-text search over organisations, offers and needs.
    ///
    /// `query`: words (all must match, in any inflection; synonyms and
    /// acronyms such as ERP or ODV are understood; typos in unknown words of
    /// five letters or more are forgiven), `"quoted phrases"` and
    /// `-exclusions`. Empty: browse everything the filter allows. Errors:
    /// BAD_USER_INPUT on `query` (over 300 characters), `first` (negative or
    /// above 100), `after` (not a cursor of a search, or too deep),
    /// `filter.near` (missing when `sort` is DISTANCE) and `filter.*`.
    #[graphql(complexity = "page_cost(first, child_complexity)")]
    async fn search(
        &self,
        ctx: &Context<'_>,
        query: String,
        filter: Option<SearchFilter>,
        first: Option<i32>,
        after: Option<String>,
        #[graphql(desc = "RELEVANCE when absent.")] sort: Option<SearchSort>,
    ) -> Result<SearchConnection> {
        let sort = sort.unwrap_or_default();
        at_most(ctx, "query", &query, search::query::MAX_QUERY_CHARS)?;
        let limit = first_limit(ctx, first, DEFAULT_FIRST, search::searcher::MAX_LIMIT)?;
        let offset = match after {
            None => 0,
            Some(raw) => match SearchCursor::decode_cursor(&raw) {
                Ok(cursor) if cursor.0 < search::searcher::MAX_OFFSET => cursor.0 + 1,
                Ok(_) => {
                    return invalid(
                        ctx,
                        "after",
                        Invalid::OutOfRange {
                            min: 0,
                            max: search::searcher::MAX_OFFSET as i64,
                        },
                    );
                }
                Err(reason) => return invalid(ctx, "after", reason),
            },
        };
        let filter = match filter {
            Some(filter) => filter.parse(ctx)?,
            None => search::SearchFilter::default(),
        };
        if sort == SearchSort::Distance && filter.near.is_none() {
            return invalid(ctx, "filter.near", Invalid::Required);
        }
        let mut request = SearchRequest::new(query);
        request.filter = filter;
        request.sort = sort.into();
        request.offset = offset;
        request.limit = limit;
        // Facet counts are most of a search's work, and highlights some:
        // computed only when the query selects them.
        let selected = ctx.look_ahead();
        request.facets = selected.field("facets").exists();
        request.highlights = selected.field("nodes").field("highlights").exists()
            || selected
                .field("edges")
                .field("node")
                .field("highlights")
                .exists();
        let state = state(ctx)?;
        let results = state
            .search
            .search(request)
            .await
            .map_err(search_failed)
            .gql(ctx)?;
        let has_next = (offset + results.hits.len()) < results.total as usize;
        let positions: Vec<usize> = (offset..offset + results.hits.len()).collect();
        // Loading the records is a database round trip per type: done only
        // when the query reads one of them. Without it, a record hidden a
        // moment ago may still show as an id until the index catches up, as
        // it already does in `totalCount` and the facet counts; reading it
        // then says NOT_FOUND.
        let hits = if selects_a_record(&selected) {
            with_records(ctx, results.hits.clone()).await?
        } else {
            results
                .hits
                .iter()
                .map(|hit| SearchHit {
                    hit: hit.clone(),
                    record: HitRecord::NotSelected,
                })
                .collect()
        };
        let mut connection = Connection::with_additional_fields(
            offset > 0,
            has_next,
            SearchExtras {
                total: results.total,
                facets: results.facets,
                relaxed: results.relaxed,
                all_words_total: results.all_words_total,
                suggestion: results.suggestion,
            },
        );
        // Positions follow the ranking even when a record vanished meanwhile.
        let mut position_of: HashMap<(DocType, Uuid), usize> = HashMap::new();
        for (hit, position) in results.hits.iter().zip(positions) {
            position_of.insert((hit.doc_type, hit.id), position);
        }
        connection.edges.extend(hits.into_iter().map(|hit| {
            let position = position_of
                .get(&(hit.hit.doc_type, hit.hit.id))
                .copied()
                .unwrap_or(offset);
            Edge::new(SearchCursor(position), hit)
        }));
        Ok(connection)
    }

    /// The open offers (or needs) most like one being written, best first:
    /// shown while a user writes a new one, so that duplicates are avoided.
    /// `excludeId`: the record being edited. Errors: BAD_USER_INPUT on
    /// `title` (blank or too long), `description` (too long), `first`
    /// (negative or above 20), `excludeId`.
    #[graphql(
        complexity = "page_cost(Some(first.unwrap_or(DEFAULT_SIMILAR as i32)), child_complexity)"
    )]
    async fn similar(
        &self,
        ctx: &Context<'_>,
        kind: PostingType,
        title: String,
        description: Option<String>,
        first: Option<i32>,
        exclude_id: Option<ID>,
    ) -> Result<Vec<SearchHit>> {
        if title.trim().is_empty() {
            return invalid(ctx, "title", Invalid::Required);
        }
        at_most(ctx, "title", &title, MAX_SIMILAR_TITLE)?;
        let description = description.unwrap_or_default();
        at_most(ctx, "description", &description, MAX_SIMILAR_DESCRIPTION)?;
        let limit = first_limit(ctx, first, DEFAULT_SIMILAR, MAX_SIMILAR)?;
        let exclude = optional_id(ctx, exclude_id.as_ref(), "excludeId")?;
        let request = SimilarRequest {
            doc_type: match kind {
                PostingType::Offer => DocType::Offer,
                PostingType::Need => DocType::Need,
            },
            title,
            description,
            limit,
            exclude,
        };
        let hits = state(ctx)?
            .search
            .similar(request)
            .await
            .map_err(search_failed)
            .gql(ctx)?;
        with_records(ctx, hits).await
    }
}

/// Makes each mutation wait until the search index reflects it (at most
/// [`search::indexer::REFRESH_WAIT`]), so its author finds it in the next
/// search. Outside the services' transactions: it runs after the mutation
/// has committed.
pub struct RefreshAfterMutation;

impl ExtensionFactory for RefreshAfterMutation {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(RefreshAfterMutationExtension {
            mutation: AtomicBool::new(false),
        })
    }
}

struct RefreshAfterMutationExtension {
    mutation: AtomicBool,
}

#[async_graphql::async_trait::async_trait]
impl Extension for RefreshAfterMutationExtension {
    async fn parse_query(
        &self,
        ctx: &ExtensionContext<'_>,
        query: &str,
        variables: &Variables,
        next: NextParseQuery<'_>,
    ) -> ServerResult<ExecutableDocument> {
        let document = next.run(ctx, query, variables).await?;
        let mutation = document
            .operations
            .iter()
            .any(|(_, operation)| operation.node.ty == OperationType::Mutation);
        self.mutation.store(mutation, Ordering::Relaxed);
        Ok(document)
    }

    async fn execute(
        &self,
        ctx: &ExtensionContext<'_>,
        operation_name: Option<&str>,
        next: NextExecute<'_>,
    ) -> Response {
        let response = next.run(ctx, operation_name).await;
        if self.mutation.load(Ordering::Relaxed)
            && let Ok(state) = ctx.data::<crate::state::AppState>()
        {
            if !state.search.refresh().await {
                tracing::debug!("search index not refreshed in time after a mutation");
            }
            // The mutation's jobs (match refreshes) are committed: run them now.
            state.jobs.nudge();
        }
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_refuse_garbage() {
        let cursor = SearchCursor(41).encode_cursor();
        assert_eq!(SearchCursor::decode_cursor(&cursor).map(|c| c.0), Ok(41));
        for bad in ["", "41", "not base64!", &URL_SAFE_NO_PAD.encode("other:1")] {
            assert!(SearchCursor::decode_cursor(bad).is_err(), "{bad}");
        }
    }
}
