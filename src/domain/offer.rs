//! Validation of an offer (what an organisation makes available: funding,
//! spaces, competences, volunteers...): [`OfferInput`] becomes a
//! [`NewOffer`], or every problem is reported with its field.
//!
//! Shape and cross-field rules only; existence of the municipality,
//! neighbourhood and sectors is checked by the services layer.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::dates::{DateWindow, plausible_day};
use super::error::{Errors, Invalid, ValidationErrors};
use super::input::{check_eligible_kinds, check_optional_uuid, check_sectors};
use super::lists::{OfferKind, OrganizationKind, PostingStatus, TerritoryScope};
use super::money::{AmountRange, EuroCents};
use super::place::{
    Coordinates, IstatCode, OtherPlace, OtherPlaceInput, check_other_places, names_a_place,
};
use super::text::{Description, SectorCode, Title};

/// An offer as submitted.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct OfferInput {
    pub kind: String,
    pub title: String,
    pub description: String,
    pub amount_min_cents: Option<i64>,
    pub amount_max_cents: Option<i64>,
    pub available_from: Option<NaiveDate>,
    pub available_until: Option<NaiveDate>,
    /// Empty means anyone.
    pub eligible_organization_kinds: Vec<String>,
    pub territory_scope: String,
    pub municipality_code: Option<String>,
    pub neighbourhood_id: Option<String>,
    /// Further neighbourhoods or municipalities served, each as far as the
    /// scope reaches.
    pub other_places: Vec<OtherPlaceInput>,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    pub sectors: Vec<String>,
    /// Defaults to `open`.
    pub status: Option<String>,
}

/// A validated offer. Its cross-field rules are kept by
/// [`OfferInput::validate`]; code that builds one by hand takes them on.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NewOffer {
    pub kind: OfferKind,
    pub title: Title,
    pub description: Description,
    pub amount: AmountRange,
    pub availability: DateWindow,
    /// Without duplicates; empty means anyone.
    pub eligible_organization_kinds: Vec<OrganizationKind>,
    pub territory_scope: TerritoryScope,
    pub municipality_code: Option<IstatCode>,
    pub neighbourhood_id: Option<Uuid>,
    /// Without duplicates, in the order given.
    pub other_places: Vec<OtherPlace>,
    pub coordinates: Option<Coordinates>,
    pub sectors: Vec<SectorCode>,
    pub status: PostingStatus,
}

impl OfferInput {
    /// Validates every field and reports all problems at once.
    ///
    /// Amounts are at most [`EuroCents::MAX`], days between
    /// [`EARLIEST`](super::dates::EARLIEST) and
    /// [`LATEST`](super::dates::LATEST). Cross-field rules: a minimum
    /// amount above the maximum is refused at `"amountMinCents"`, a start
    /// after the end at `"availableFrom"`; a
    /// `neighbourhood` scope needs `"neighbourhoodId"`, and `municipality`,
    /// `province` and `region` scopes need `"municipalityCode"` (the place
    /// the scope is measured from); only `national` needs no place.
    pub fn validate(&self) -> Result<NewOffer, ValidationErrors> {
        let mut errs = Errors::new();
        let kind = errs.check("kind", OfferKind::parse(&self.kind));
        let title = errs.check("title", Title::parse(&self.title));
        let description = errs.check("description", Description::parse(&self.description));

        let amount_min = errs.check(
            "amountMinCents",
            self.amount_min_cents.map(EuroCents::new).transpose(),
        );
        let amount_max = errs.check(
            "amountMaxCents",
            self.amount_max_cents.map(EuroCents::new).transpose(),
        );
        let amount = match (amount_min, amount_max) {
            (Some(min), Some(max)) => errs.check("amountMinCents", AmountRange::new(min, max)),
            _ => None,
        };
        let available_from = errs.check(
            "availableFrom",
            self.available_from.map(plausible_day).transpose(),
        );
        let available_until = errs.check(
            "availableUntil",
            self.available_until.map(plausible_day).transpose(),
        );
        let availability = match (available_from, available_until) {
            (Some(from), Some(until)) => errs.check("availableFrom", DateWindow::new(from, until)),
            _ => None,
        };

        let eligible_organization_kinds =
            check_eligible_kinds(&mut errs, &self.eligible_organization_kinds);
        let territory_scope = errs.check(
            "territoryScope",
            TerritoryScope::parse(&self.territory_scope),
        );
        let municipality_code = errs.check_optional(
            "municipalityCode",
            self.municipality_code.as_deref(),
            IstatCode::parse,
        );
        let neighbourhood_id = check_optional_uuid(
            &mut errs,
            "neighbourhoodId",
            self.neighbourhood_id.as_deref(),
        );
        match territory_scope {
            Some(TerritoryScope::Neighbourhood) if neighbourhood_id == Some(None) => {
                errs.push("neighbourhoodId", Invalid::Required);
            }
            Some(
                TerritoryScope::Municipality | TerritoryScope::Province | TerritoryScope::Region,
            ) if municipality_code == Some(None) => {
                errs.push("municipalityCode", Invalid::Required);
            }
            _ => {}
        }
        let has_first_place = names_a_place(
            self.municipality_code.as_deref(),
            self.neighbourhood_id.as_deref(),
        );
        let other_places = check_other_places(&mut errs, &self.other_places, has_first_place);
        let coordinates = errs.merge(Coordinates::from_optional(self.lat, self.lon));
        let sectors = check_sectors(&mut errs, &self.sectors);
        let status = errs
            .check_optional("status", self.status.as_deref(), PostingStatus::parse)
            .map(Option::unwrap_or_default);

        errs.build(|| {
            Some(NewOffer {
                kind: kind?,
                title: title?,
                description: description?,
                amount: amount?,
                availability: availability?,
                eligible_organization_kinds: eligible_organization_kinds?,
                territory_scope: territory_scope?,
                municipality_code: municipality_code?,
                neighbourhood_id: neighbourhood_id?,
                other_places: other_places?,
                coordinates: coordinates?,
                sectors: sectors?,
                status: status?,
            })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Bounds;
    use crate::domain::error::Format;

    fn day(y: i32, m: u32, d: u32) -> Option<NaiveDate> {
        NaiveDate::from_ymd_opt(y, m, d)
    }

    fn valid_input() -> OfferInput {
        OfferInput {
            kind: "space".into(),
            title: "Locale al piano terra in via Giambellino".into(),
            description: "60 mq, bagno, accesso su strada.".into(),
            amount_min_cents: None,
            amount_max_cents: None,
            available_from: day(2026, 3, 1),
            available_until: day(2026, 12, 31),
            eligible_organization_kinds: vec!["odv".into(), "aps".into(), "ODV".into()],
            territory_scope: "neighbourhood".into(),
            municipality_code: Some("015146".into()),
            neighbourhood_id: Some("0192f0c4-5a6b-7c8d-9e0f-112233445566".into()),
            other_places: Vec::new(),
            lat: Some(45.4527),
            lon: Some(9.1419),
            sectors: vec!["space_regeneration".into()],
            status: None,
        }
    }

    fn assert_refused(input: &OfferInput, expected: &[(&str, Invalid)]) {
        let errors = input.validate().expect_err("invalid input");
        let got: Vec<(&str, &Invalid)> = errors
            .iter()
            .map(|e| (e.field.as_str(), &e.reason))
            .collect();
        let expected: Vec<(&str, &Invalid)> = expected.iter().map(|(f, r)| (*f, r)).collect();
        assert_eq!(got, expected);
    }

    #[test]
    fn accepts_a_valid_offer() {
        let offer = valid_input().validate().expect("valid");
        assert_eq!(offer.kind, OfferKind::Space);
        assert_eq!(offer.status, PostingStatus::Open, "open by default");
        assert_eq!(
            offer.eligible_organization_kinds,
            [OrganizationKind::Odv, OrganizationKind::Aps],
            "duplicates dropped"
        );
        assert!(offer.amount.is_unbounded());
        assert_eq!(offer.availability.from(), day(2026, 3, 1));
        assert!(offer.coordinates.is_some());
    }

    #[test]
    fn accepts_a_national_funding_offer_with_amounts() {
        let input = OfferInput {
            kind: "FUNDING".into(),
            title: "Bando welfare di comunità".into(),
            description: String::new(),
            amount_min_cents: Some(500_000),
            amount_max_cents: Some(500_000),
            available_from: None,
            available_until: None,
            eligible_organization_kinds: vec![],
            territory_scope: "national".into(),
            other_places: Vec::new(),
            municipality_code: None,
            neighbourhood_id: Some(String::new()),
            lat: None,
            lon: None,
            sectors: vec![],
            status: Some("draft".into()),
        };
        let offer = input.validate().expect("valid");
        assert_eq!(offer.amount.min(), EuroCents::new(500_000).ok());
        assert_eq!(offer.status, PostingStatus::Draft);
        assert_eq!(offer.neighbourhood_id, None);
        assert!(offer.eligible_organization_kinds.is_empty());
    }

    #[test]
    fn refuses_negative_and_inverted_amounts() {
        let input = OfferInput {
            amount_min_cents: Some(-1),
            amount_max_cents: Some(-5),
            ..valid_input()
        };
        assert_refused(
            &input,
            &[
                ("amountMinCents", Invalid::Negative),
                ("amountMaxCents", Invalid::Negative),
            ],
        );
        let input = OfferInput {
            amount_min_cents: Some(10_000),
            amount_max_cents: Some(9_999),
            ..valid_input()
        };
        assert_refused(&input, &[("amountMinCents", Invalid::Inverted)]);
        let input = OfferInput {
            amount_min_cents: Some(10_000),
            amount_max_cents: None,
            ..valid_input()
        };
        assert!(input.validate().is_ok());
    }

    #[test]
    fn refuses_inverted_availability() {
        let input = OfferInput {
            available_from: day(2026, 6, 2),
            available_until: day(2026, 6, 1),
            ..valid_input()
        };
        assert_refused(&input, &[("availableFrom", Invalid::Inverted)]);
    }

    #[test]
    fn territory_scope_needs_its_place() {
        let no_place = OfferInput {
            municipality_code: None,
            neighbourhood_id: None,
            ..valid_input()
        };
        let cases: &[(&str, Option<&str>)] = &[
            ("neighbourhood", Some("neighbourhoodId")),
            ("municipality", Some("municipalityCode")),
            ("province", Some("municipalityCode")),
            ("region", Some("municipalityCode")),
            ("national", None),
        ];
        for (scope, missing) in cases {
            let input = OfferInput {
                territory_scope: (*scope).into(),
                ..no_place.clone()
            };
            match missing {
                Some(field) => assert_refused(&input, &[(field, Invalid::Required)]),
                None => assert!(input.validate().is_ok()),
            }
        }
    }

    #[test]
    fn reports_every_problem_with_its_field() {
        let input = OfferInput {
            kind: "money".into(),
            title: "Hi".into(),
            description: "\u{0}".into(),
            eligible_organization_kinds: vec!["odv".into(), "club".into()],
            territory_scope: String::new(),
            municipality_code: Some("MI".into()),
            neighbourhood_id: Some("nil-51".into()),
            lat: Some(45.0),
            lon: Some(f64::NAN),
            sectors: vec!["".into()],
            status: Some("published".into()),
            ..valid_input()
        };
        assert_refused(
            &input,
            &[
                (
                    "kind",
                    Invalid::UnknownValue {
                        allowed: OfferKind::VALUES.to_vec(),
                    },
                ),
                ("title", Invalid::TooShort { min: 3 }),
                ("description", Invalid::ControlCharacters),
                (
                    "eligibleOrganizationKinds[1]",
                    Invalid::UnknownValue {
                        allowed: OrganizationKind::VALUES.to_vec(),
                    },
                ),
                ("territoryScope", Invalid::Required),
                (
                    "municipalityCode",
                    Invalid::BadFormat {
                        expected: Format::IstatCode,
                    },
                ),
                (
                    "neighbourhoodId",
                    Invalid::BadFormat {
                        expected: Format::Uuid,
                    },
                ),
                (
                    "lon",
                    Invalid::OutOfRange {
                        min: -180,
                        max: 180,
                    },
                ),
                ("sectors[0]", Invalid::Required),
                (
                    "status",
                    Invalid::UnknownValue {
                        allowed: PostingStatus::VALUES.to_vec(),
                    },
                ),
            ],
        );
    }
}
