//! GraphQL input objects for the forms (organisation, offer, need), turned
//! into the domain's raw inputs so the same validation serves every entry
//! point (API, import, seed). Enum-typed fields are already known values;
//! everything else is checked by the domain with its field names.

use async_graphql::{ID, InputObject};
use chrono::{DateTime, NaiveDate, Utc};

use super::enums::{
    ContactKind, ContactVisibility, LocationPrecision, NeedKind, OfferKind, OrganizationKind,
    PostingStatus, TerritoryScope,
};
use super::types::Cents;
use crate::domain::{self, ClosedList};

fn value<T: ClosedList>(v: T) -> String {
    v.as_str().to_owned()
}

/// The stored values of a list of GraphQL enum values (`D` is the domain's
/// list behind the GraphQL enum).
fn values<G, D: ClosedList + From<G>>(list: Vec<G>) -> Vec<String> {
    list.into_iter().map(|v| value(D::from(v))).collect()
}

/// A way to reach the organisation.
#[derive(InputObject)]
pub struct ContactInput {
    pub kind: ContactKind,
    pub value: String,
    pub label: Option<String>,
    /// Who may see it; default PUBLIC.
    pub visibility: Option<ContactVisibility>,
}

/// An organisation's profile.
#[derive(InputObject)]
pub struct OrganizationInput {
    pub name: String,
    pub kind: OrganizationKind,
    /// Codice fiscale: 11 digits (or 16 characters); required except for informal groups.
    pub tax_code: Option<String>,
    pub vat_number: Option<String>,
    #[graphql(default)]
    pub description: String,
    pub website: Option<String>,
    /// ISTAT code of the municipality of the seat, e.g. "015146".
    pub seat_municipality_code: Option<String>,
    pub address: Option<String>,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    #[graphql(default)]
    pub sectors: Vec<String>,
    /// Neighbourhoods the organisation serves.
    #[graphql(default)]
    pub neighbourhood_ids: Vec<ID>,
    /// The contacts, in display order. Left out (or null), an update keeps
    /// the current ones, including those the editor's client was not shown;
    /// given, even as an empty list, they replace them all.
    pub contacts: Option<Vec<ContactInput>>,
}

impl From<OrganizationInput> for domain::OrganizationInput {
    fn from(i: OrganizationInput) -> Self {
        Self {
            name: i.name,
            kind: value(domain::OrganizationKind::from(i.kind)),
            tax_code: i.tax_code,
            vat_number: i.vat_number,
            description: i.description,
            website: i.website,
            seat_municipality_code: i.seat_municipality_code,
            address: i.address,
            lat: i.lat,
            lon: i.lon,
            sectors: i.sectors,
            neighbourhood_ids: i.neighbourhood_ids.into_iter().map(|id| id.0).collect(),
            contacts: i
                .contacts
                .unwrap_or_default()
                .into_iter()
                .map(|c| domain::ContactInput {
                    kind: value(domain::ContactKind::from(c.kind)),
                    value: c.value,
                    label: c.label,
                    visibility: c
                        .visibility
                        .map(|v| value(domain::ContactVisibility::from(v))),
                })
                .collect(),
        }
    }
}

/// A place a need or an offer reaches beyond its first: a municipality, a
/// neighbourhood, or both.
#[derive(InputObject)]
pub struct OtherPlaceInput {
    pub municipality_code: Option<String>,
    pub neighbourhood_id: Option<ID>,
}

impl From<OtherPlaceInput> for domain::OtherPlaceInput {
    fn from(i: OtherPlaceInput) -> Self {
        Self {
            municipality_code: i.municipality_code,
            neighbourhood_id: i.neighbourhood_id.map(|id| id.0),
        }
    }
}

/// An offer.
#[derive(InputObject)]
pub struct OfferInput {
    pub kind: OfferKind,
    pub title: String,
    #[graphql(default)]
    pub description: String,
    pub amount_min_cents: Option<Cents>,
    pub amount_max_cents: Option<Cents>,
    pub available_from: Option<NaiveDate>,
    pub available_until: Option<NaiveDate>,
    /// Kinds of organisation that may receive it; empty means anyone.
    #[graphql(default)]
    pub eligible_organization_kinds: Vec<OrganizationKind>,
    pub territory_scope: TerritoryScope,
    pub municipality_code: Option<String>,
    pub neighbourhood_id: Option<ID>,
    /// Further neighbourhoods or municipalities served (at most 12), each
    /// as far as the territory scope reaches.
    #[graphql(default)]
    pub other_places: Vec<OtherPlaceInput>,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    #[graphql(default)]
    pub sectors: Vec<String>,
    /// Default OPEN.
    pub status: Option<PostingStatus>,
}

impl From<OfferInput> for domain::OfferInput {
    fn from(i: OfferInput) -> Self {
        Self {
            kind: value(domain::OfferKind::from(i.kind)),
            title: i.title,
            description: i.description,
            amount_min_cents: i.amount_min_cents.map(|c| c.0),
            amount_max_cents: i.amount_max_cents.map(|c| c.0),
            available_from: i.available_from,
            available_until: i.available_until,
            eligible_organization_kinds: values::<_, domain::OrganizationKind>(
                i.eligible_organization_kinds,
            ),
            territory_scope: value(domain::TerritoryScope::from(i.territory_scope)),
            municipality_code: i.municipality_code,
            neighbourhood_id: i.neighbourhood_id.map(|id| id.0),
            other_places: i.other_places.into_iter().map(Into::into).collect(),
            lat: i.lat,
            lon: i.lon,
            sectors: i.sectors,
            status: i.status.map(|s| value(domain::PostingStatus::from(s))),
        }
    }
}

/// A need.
#[derive(InputObject)]
pub struct NeedInput {
    pub kind: NeedKind,
    pub title: String,
    #[graphql(default)]
    pub description: String,
    pub budget_cents: Option<Cents>,
    pub deadline_at: Option<DateTime<Utc>>,
    pub municipality_code: Option<String>,
    pub neighbourhood_id: Option<ID>,
    /// Further neighbourhoods or municipalities the need is in (at most 12).
    #[graphql(default)]
    pub other_places: Vec<OtherPlaceInput>,
    /// How far the need reaches from its places: PROVINCE for a
    /// metropolitan area or a province, REGION for a region. Absent: as far
    /// as its place (its neighbourhood, else its municipality).
    pub territory_scope: Option<TerritoryScope>,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    /// Default NEIGHBOURHOOD: the exact place is shown only when asked for.
    pub location_precision: Option<LocationPrecision>,
    /// The kinds of contribution the need asks for.
    #[graphql(default)]
    pub required_contributions: Vec<OfferKind>,
    /// Kinds of organisation that may answer; empty means anyone.
    #[graphql(default)]
    pub eligible_organization_kinds: Vec<OrganizationKind>,
    /// Only bodies registered in RUNTS may answer (art. 55 co-design).
    #[graphql(default)]
    pub requires_third_sector_registration: bool,
    #[graphql(default)]
    pub sectors: Vec<String>,
    /// Default OPEN.
    pub status: Option<PostingStatus>,
}

impl From<NeedInput> for domain::NeedInput {
    fn from(i: NeedInput) -> Self {
        Self {
            kind: value(domain::NeedKind::from(i.kind)),
            title: i.title,
            description: i.description,
            budget_cents: i.budget_cents.map(|c| c.0),
            deadline_at: i.deadline_at,
            municipality_code: i.municipality_code,
            neighbourhood_id: i.neighbourhood_id.map(|id| id.0),
            other_places: i.other_places.into_iter().map(Into::into).collect(),
            territory_scope: i
                .territory_scope
                .map(|s| value(domain::TerritoryScope::from(s))),
            lat: i.lat,
            lon: i.lon,
            location_precision: i
                .location_precision
                .map(|p| value(domain::LocationPrecision::from(p))),
            required_contributions: values::<_, domain::OfferKind>(i.required_contributions),
            eligible_organization_kinds: values::<_, domain::OrganizationKind>(
                i.eligible_organization_kinds,
            ),
            requires_third_sector_registration: i.requires_third_sector_registration,
            sectors: i.sectors,
            status: i.status.map(|s| value(domain::PostingStatus::from(s))),
        }
    }
}
