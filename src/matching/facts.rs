//! What the scorer knows about a need and an offer: plain data loaded from
//! the database by `services::matches`, so that scoring is a pure function
//! that unit tests and benchmarks call directly.

use std::sync::OnceLock;

use chrono::{DateTime, NaiveDate, Utc};
use uuid::Uuid;

use super::text::TextProfile;
use crate::domain::{NeedKind, OfferKind, OrganizationKind, TerritoryScope};
use crate::search::GeoPoint;

/// A municipality with the areas it belongs to.
#[derive(Clone, Debug, PartialEq)]
pub struct MunicipalityRef {
    pub code: String,
    pub name: String,
    pub province_code: String,
    pub province_name: String,
    pub region_code: String,
    pub region_name: String,
}

/// Where a need or an offer is, as precisely as known.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Place {
    /// Neighbourhood id and name.
    pub neighbourhood: Option<(Uuid, String)>,
    pub municipality: Option<MunicipalityRef>,
    /// The record's point, else its neighbourhood's centroid, else its
    /// municipality's (approximate) coordinates.
    pub point: Option<GeoPoint>,
}

impl Place {
    pub fn neighbourhood_id(&self) -> Option<Uuid> {
        self.neighbourhood.as_ref().map(|(id, _)| *id)
    }

    pub fn municipality_code(&self) -> Option<&str> {
        self.municipality.as_ref().map(|m| m.code.as_str())
    }
}

/// The organisation behind one side.
#[derive(Clone, Debug, PartialEq)]
pub struct Party {
    pub organization_id: Uuid,
    pub organization_name: String,
    pub kind: OrganizationKind,
    pub verified: bool,
    /// Registered in the RUNTS (checked by a moderator or a registry import).
    pub runts_registered: bool,
}

/// A sector with its labels.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct SectorRef {
    pub code: String,
    pub name_it: String,
    pub name_en: String,
}

/// A need as the scorer sees it.
#[derive(Clone, Debug, PartialEq)]
pub struct NeedFacts {
    pub id: Uuid,
    pub party: Party,
    pub kind: NeedKind,
    pub title: String,
    pub description: String,
    pub text: TextProfile,
    pub budget_cents: Option<i64>,
    pub deadline_at: Option<DateTime<Utc>>,
    pub place: Place,
    /// The places beyond the first.
    pub other_places: Vec<Place>,
    /// How far it reaches from its places (a province, a region); `None`:
    /// as far as its place.
    pub scope: Option<TerritoryScope>,
    /// The offer kinds it asks for; empty = any that serves its kind.
    pub required: Vec<OfferKind>,
    /// Who may answer; empty = anyone.
    pub eligible_kinds: Vec<OrganizationKind>,
    /// Art. 55 co-design: only bodies registered in the RUNTS.
    pub requires_registration: bool,
    pub sectors: Vec<SectorRef>,
    /// Published (not a draft, not closed), and neither it nor its
    /// organisation is hidden or deleted.
    pub open: bool,
    /// [`Self::content_digest`], computed on first use: a refresh asks for
    /// it once per pair, and facts are kept between refreshes. Facts are
    /// not changed once read.
    pub digest: DigestCell,
}

/// An offer as the scorer sees it.
#[derive(Clone, Debug, PartialEq)]
pub struct OfferFacts {
    pub id: Uuid,
    pub party: Party,
    pub kind: OfferKind,
    pub title: String,
    pub description: String,
    pub text: TextProfile,
    pub amount_min_cents: Option<i64>,
    pub amount_max_cents: Option<i64>,
    pub available_from: Option<NaiveDate>,
    pub available_until: Option<NaiveDate>,
    /// Who may receive it; empty = anyone.
    pub eligible_kinds: Vec<OrganizationKind>,
    pub scope: TerritoryScope,
    /// The offer's place, or its organisation's seat when it gives none.
    pub place: Place,
    /// The places beyond the first, each as far as the scope reaches.
    pub other_places: Vec<Place>,
    pub sectors: Vec<SectorRef>,
    pub open: bool,
    /// [`Self::content_digest`], computed on first use: a refresh asks for
    /// it once per pair, and facts are kept between refreshes. Facts are
    /// not changed once read.
    pub digest: DigestCell,
}

/// The ids and codes of places, for a digest.
fn place_keys<'a>(places: impl Iterator<Item = &'a Place>) -> Vec<(Option<Uuid>, Option<&'a str>)> {
    places
        .map(|p| (p.neighbourhood_id(), p.municipality_code()))
        .collect()
}

/// What the digest of a posting over several places, or of a need over a
/// wider territory, adds; nothing for the others, whose digests (and so
/// their matches' fingerprints) are what they were before postings had
/// other places.
fn wider(other_places: &[Place], scope: Option<TerritoryScope>) -> String {
    if other_places.is_empty() && scope.is_none() {
        return String::new();
    }
    format!("|{:?}|{:?}", place_keys(other_places.iter()), scope)
}

/// What the facts of a need and of an offer both answer: their places and
/// their content digest, computed once. The digest is of the posting's
/// kind, title and description, then of what `$rest` makes of the facts'
/// own fields and their first place's neighbourhood and municipality
/// (`|`-separated).
macro_rules! posting_facts {
    ($($facts:ident: $rest:expr;)+) => {$(
        impl $facts {
            /// Its first place, then the others.
            pub fn places(&self) -> impl Iterator<Item = &Place> {
                std::iter::once(&self.place).chain(&self.other_places)
            }

            /// A digest of what the posting says (not its status or
            /// organisation's verification): a match's fingerprint changes
            /// when this does.
            pub fn content_digest(&self) -> &str {
                self.digest.get_or_init(|| self.compute_digest())
            }

            fn compute_digest(&self) -> String {
                let rest: fn(&Self, Option<Uuid>, Option<&str>) -> String = $rest;
                let neighbourhood = self.place.neighbourhood_id();
                let municipality = self.place.municipality_code();
                digest(&format!(
                    "{}|{}|{}|{}",
                    self.kind,
                    self.title,
                    self.description,
                    rest(self, neighbourhood, municipality)
                ))
            }
        }
    )+};
}

posting_facts! {
    NeedFacts: |f, neighbourhood, municipality| {
        format!(
            "{:?}|{:?}|{:?}|{:?}|{:?}|{:?}|{}|{:?}",
            f.budget_cents,
            f.deadline_at,
            neighbourhood,
            municipality,
            f.required,
            f.eligible_kinds,
            f.requires_registration,
            f.sectors.iter().map(|s| &s.code).collect::<Vec<_>>(),
        ) + &wider(&f.other_places, f.scope)
    };
    OfferFacts: |f, neighbourhood, municipality| {
        format!(
            "{:?}|{:?}|{:?}|{:?}|{:?}|{}|{:?}|{:?}|{:?}",
            f.amount_min_cents,
            f.amount_max_cents,
            f.available_from,
            f.available_until,
            f.eligible_kinds,
            f.scope,
            neighbourhood,
            municipality,
            f.sectors.iter().map(|s| &s.code).collect::<Vec<_>>(),
        ) + &wider(&f.other_places, None)
    };
}

/// Where facts keep their content digest once computed. Not part of what
/// the facts are: two facts compare equal whether or not either has
/// computed it yet.
#[derive(Clone, Debug, Default)]
pub struct DigestCell(OnceLock<String>);

impl DigestCell {
    fn get_or_init(&self, compute: impl FnOnce() -> String) -> &str {
        self.0.get_or_init(compute)
    }
}

impl PartialEq for DigestCell {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

/// The first 16 hex digits of the SHA-256 of a text.
fn digest(text: &str) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(text.as_bytes())
        .iter()
        .take(8)
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The fingerprint of a pair: changes when either side's content does.
pub fn fingerprint(need: &NeedFacts, offer: &OfferFacts) -> String {
    format!("{}{}", need.content_digest(), offer.content_digest())
}
