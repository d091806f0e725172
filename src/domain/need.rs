//! Validation of a need (what a public body or an organisation is looking
//! for: a service, a partner, answers to a call): [`NeedInput`] becomes a
//! [`NewNeed`], or every problem is reported with its field.
//!
//! Shape and cross-field rules, and the deadline rule against a clock and
//! the deadline already stored, both given by the services layer (which
//! also checks that referenced rows exist).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::dates::check_deadline;
use super::error::{Errors, Invalid, ValidationErrors};
use super::input::{check_eligible_kinds, check_optional_uuid, check_sectors, dedup};
use super::lists::{
    LocationPrecision, NeedKind, OfferKind, OrganizationKind, PostingStatus, TerritoryScope,
};
use super::money::EuroCents;
use super::place::{
    Coordinates, IstatCode, OtherPlace, OtherPlaceInput, check_other_places, names_a_place,
};
use super::text::{Description, SectorCode, Title};

/// A need as submitted.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct NeedInput {
    pub kind: String,
    pub title: String,
    pub description: String,
    pub budget_cents: Option<i64>,
    pub deadline_at: Option<DateTime<Utc>>,
    pub municipality_code: Option<String>,
    pub neighbourhood_id: Option<String>,
    /// Further neighbourhoods or municipalities the need is in.
    pub other_places: Vec<OtherPlaceInput>,
    /// How far the need reaches from its places (a province, a region);
    /// none: as far as its place.
    pub territory_scope: Option<String>,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    /// Defaults to `neighbourhood`.
    pub location_precision: Option<String>,
    /// Offer kinds the need asks for (funding, space, volunteers...).
    pub required_contributions: Vec<String>,
    /// Empty means anyone.
    pub eligible_organization_kinds: Vec<String>,
    /// Art. 55 calls are reserved to bodies registered in RUNTS.
    pub requires_third_sector_registration: bool,
    pub sectors: Vec<String>,
    /// Defaults to `open`.
    pub status: Option<String>,
}

/// A validated need. Its cross-field rules are kept by
/// [`NeedInput::validate`]; code that builds one by hand takes them on.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NewNeed {
    pub kind: NeedKind,
    pub title: Title,
    pub description: Description,
    pub budget: Option<EuroCents>,
    pub deadline_at: Option<DateTime<Utc>>,
    pub municipality_code: Option<IstatCode>,
    pub neighbourhood_id: Option<Uuid>,
    /// Without duplicates, in the order given.
    pub other_places: Vec<OtherPlace>,
    pub territory_scope: Option<TerritoryScope>,
    pub coordinates: Option<Coordinates>,
    pub location_precision: LocationPrecision,
    /// Without duplicates, in the order given.
    pub required_contributions: Vec<OfferKind>,
    /// Without duplicates; empty means anyone.
    pub eligible_organization_kinds: Vec<OrganizationKind>,
    pub requires_third_sector_registration: bool,
    pub sectors: Vec<SectorCode>,
    pub status: PostingStatus,
}

impl NeedInput {
    /// Validates every field and reports all problems at once.
    ///
    /// Cross-field rules: a territory scope needs a place to reach from
    /// (`"municipalityCode"` required, or for the `neighbourhood` scope
    /// `"neighbourhoodId"`; `national` needs none); an `exact` location
    /// precision needs coordinates
    /// (`"lat"` and `"lon"` required); when third-sector registration is
    /// required, every eligible kind must be a third-sector kind (refused at
    /// `"eligibleOrganizationKinds[i]"` with `NotThirdSector`), since no
    /// other organisation could ever apply.
    ///
    /// The deadline must be plausible and, unless it is `current_deadline`
    /// (the one stored, for an edit), not before `now` (see
    /// [`check_deadline`]).
    pub fn validate(
        &self,
        now: DateTime<Utc>,
        current_deadline: Option<DateTime<Utc>>,
    ) -> Result<NewNeed, ValidationErrors> {
        let mut errs = Errors::new();
        let kind = errs.check("kind", NeedKind::parse(&self.kind));
        let title = errs.check("title", Title::parse(&self.title));
        let description = errs.check("description", Description::parse(&self.description));
        let budget = errs.check(
            "budgetCents",
            self.budget_cents.map(EuroCents::new).transpose(),
        );
        let deadline_at = errs.check(
            "deadlineAt",
            self.deadline_at
                .map(|deadline| check_deadline(deadline, now, current_deadline))
                .transpose(),
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
        let has_first_place = names_a_place(
            self.municipality_code.as_deref(),
            self.neighbourhood_id.as_deref(),
        );
        let other_places = check_other_places(&mut errs, &self.other_places, has_first_place);
        let territory_scope = errs.check_optional(
            "territoryScope",
            self.territory_scope.as_deref(),
            TerritoryScope::parse,
        );
        // A neighbourhood implies its municipality (the services fill it in).
        match territory_scope {
            Some(Some(TerritoryScope::Neighbourhood)) if neighbourhood_id == Some(None) => {
                errs.push("neighbourhoodId", Invalid::Required);
            }
            Some(Some(
                TerritoryScope::Municipality | TerritoryScope::Province | TerritoryScope::Region,
            )) if municipality_code == Some(None) && neighbourhood_id == Some(None) => {
                errs.push("municipalityCode", Invalid::Required);
            }
            _ => {}
        }
        let coordinates = errs.merge(Coordinates::from_optional(self.lat, self.lon));
        let location_precision = errs
            .check_optional(
                "locationPrecision",
                self.location_precision.as_deref(),
                LocationPrecision::parse,
            )
            .map(Option::unwrap_or_default);
        // Only when neither coordinate was given: a half pair is already
        // reported as incomplete.
        if location_precision == Some(LocationPrecision::Exact)
            && self.lat.is_none()
            && self.lon.is_none()
        {
            errs.push("lat", Invalid::Required);
            errs.push("lon", Invalid::Required);
        }
        let required_contributions = errs
            .check_each(
                "requiredContributions",
                &self.required_contributions,
                OfferKind::parse,
            )
            .map(dedup);

        // Checked before de-duplication so that indexes match the input.
        let eligible_organization_kinds =
            check_eligible_kinds(&mut errs, &self.eligible_organization_kinds);
        if self.requires_third_sector_registration {
            for (index, raw) in self.eligible_organization_kinds.iter().enumerate() {
                if let Ok(kind) = OrganizationKind::parse(raw)
                    && !kind.is_third_sector()
                {
                    errs.push(
                        format!("eligibleOrganizationKinds[{index}]"),
                        Invalid::NotThirdSector,
                    );
                }
            }
        }
        let sectors = check_sectors(&mut errs, &self.sectors);
        let status = errs
            .check_optional("status", self.status.as_deref(), PostingStatus::parse)
            .map(Option::unwrap_or_default);

        errs.build(|| {
            Some(NewNeed {
                kind: kind?,
                title: title?,
                description: description?,
                budget: budget?,
                deadline_at: deadline_at?,
                municipality_code: municipality_code?,
                neighbourhood_id: neighbourhood_id?,
                other_places: other_places?,
                territory_scope: territory_scope?,
                coordinates: coordinates?,
                location_precision: location_precision?,
                required_contributions: required_contributions?,
                eligible_organization_kinds: eligible_organization_kinds?,
                requires_third_sector_registration: self.requires_third_sector_registration,
                sectors: sectors?,
                status: status?,
            })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::error::Format;

    /// The clock of these tests: before every deadline they use.
    fn now() -> DateTime<Utc> {
        "2026-01-15T09:00:00Z".parse().expect("instant")
    }

    fn valid_input() -> NeedInput {
        NeedInput {
            kind: "space_regeneration".into(),
            title: "Graffiti sulle scale di due stabili al Lorenteggio".into(),
            description: "Possiamo fornire la vernice.".into(),
            budget_cents: Some(150_000),
            deadline_at: "2026-06-30T22:00:00Z".parse().ok(),
            municipality_code: Some("015146".into()),
            neighbourhood_id: Some("0192f0c4-5a6b-7c8d-9e0f-112233445566".into()),
            other_places: Vec::new(),
            territory_scope: None,
            lat: None,
            lon: None,
            location_precision: None,
            required_contributions: vec![
                "volunteers".into(),
                "competence".into(),
                "VOLUNTEERS".into(),
            ],
            eligible_organization_kinds: vec![],
            requires_third_sector_registration: false,
            sectors: vec!["housing".into()],
            status: None,
        }
    }

    fn assert_refused(input: &NeedInput, expected: &[(&str, Invalid)]) {
        let errors = input.validate(now(), None).expect_err("invalid input");
        let got: Vec<(&str, &Invalid)> = errors
            .iter()
            .map(|e| (e.field.as_str(), &e.reason))
            .collect();
        let expected: Vec<(&str, &Invalid)> = expected.iter().map(|(f, r)| (*f, r)).collect();
        assert_eq!(got, expected);
    }

    #[test]
    fn accepts_a_valid_need_with_defaults() {
        let need = valid_input().validate(now(), None).expect("valid");
        assert_eq!(need.kind, NeedKind::SpaceRegeneration);
        assert_eq!(need.location_precision, LocationPrecision::Neighbourhood);
        assert_eq!(need.status, PostingStatus::Open);
        assert_eq!(
            need.required_contributions,
            [OfferKind::Volunteers, OfferKind::Competence],
            "duplicates dropped"
        );
        assert_eq!(need.budget.map(EuroCents::cents), Some(150_000));
        assert!(need.deadline_at.is_some());
    }

    #[test]
    fn refuses_negative_budget() {
        let input = NeedInput {
            budget_cents: Some(-100),
            ..valid_input()
        };
        assert_refused(&input, &[("budgetCents", Invalid::Negative)]);
        let input = NeedInput {
            budget_cents: Some(0),
            ..valid_input()
        };
        assert!(input.validate(now(), None).is_ok());
    }

    #[test]
    fn deadline_is_plausible_and_future_when_set() {
        let at = |text: &str| text.parse::<DateTime<Utc>>().ok();
        let input = NeedInput {
            deadline_at: at("2001-05-01T10:00:00Z"),
            ..valid_input()
        };
        assert_refused(&input, &[("deadlineAt", Invalid::InThePast)]);
        // An edit that keeps the stored deadline, now passed, is fine.
        assert!(input.validate(now(), input.deadline_at).is_ok());
        let input = NeedInput {
            deadline_at: at("9999-12-31T00:00:00Z"),
            ..valid_input()
        };
        assert_refused(
            &input,
            &[(
                "deadlineAt",
                Invalid::DateOutOfRange {
                    earliest: crate::domain::dates::EARLIEST,
                    latest: crate::domain::dates::LATEST,
                },
            )],
        );
        let input = NeedInput {
            budget_cents: Some(i64::MAX),
            ..valid_input()
        };
        assert_refused(
            &input,
            &[(
                "budgetCents",
                Invalid::AmountTooLarge {
                    max: EuroCents::MAX,
                },
            )],
        );
    }

    #[test]
    fn exact_precision_needs_coordinates() {
        let input = NeedInput {
            location_precision: Some("exact".into()),
            ..valid_input()
        };
        assert_refused(
            &input,
            &[("lat", Invalid::Required), ("lon", Invalid::Required)],
        );
        let input = NeedInput {
            location_precision: Some("exact".into()),
            lat: Some(45.45),
            ..valid_input()
        };
        assert_refused(&input, &[("lon", Invalid::IncompleteCoordinates)]);
        let input = NeedInput {
            location_precision: Some("EXACT".into()),
            lat: Some(45.45),
            lon: Some(9.14),
            ..valid_input()
        };
        assert!(
            input
                .validate(now(), None)
                .is_ok_and(|need| need.coordinates.is_some())
        );
    }

    #[test]
    fn third_sector_registration_restricts_eligible_kinds() {
        let input = NeedInput {
            kind: "call_for_proposals".into(),
            requires_third_sector_registration: true,
            eligible_organization_kinds: vec![
                "social_cooperative_b".into(),
                "bank".into(),
                "aps".into(),
                "banking_foundation".into(),
            ],
            ..valid_input()
        };
        assert_refused(
            &input,
            &[
                ("eligibleOrganizationKinds[1]", Invalid::NotThirdSector),
                ("eligibleOrganizationKinds[3]", Invalid::NotThirdSector),
            ],
        );
        // The same list is fine when registration is not required.
        let input = NeedInput {
            requires_third_sector_registration: false,
            ..input
        };
        assert!(input.validate(now(), None).is_ok());
        // And "anyone" with registration required means any registered body.
        let input = NeedInput {
            requires_third_sector_registration: true,
            ..valid_input()
        };
        assert!(input.validate(now(), None).is_ok());
    }

    #[test]
    fn reports_every_problem_with_its_field() {
        let input = NeedInput {
            kind: String::new(),
            title: " ".into(),
            description: "x".repeat(20_001),
            budget_cents: Some(-1),
            municipality_code: Some("015146x".into()),
            neighbourhood_id: Some("Lorenteggio".into()),
            lat: Some(-91.0),
            lon: Some(9.0),
            location_precision: Some("street".into()),
            required_contributions: vec!["money".into(), "space".into()],
            eligible_organization_kinds: vec!["club".into()],
            sectors: vec!["a b".into()],
            status: Some("archived".into()),
            ..valid_input()
        };
        assert_refused(
            &input,
            &[
                ("kind", Invalid::Required),
                ("title", Invalid::Required),
                ("description", Invalid::TooLong { max: 20_000 }),
                ("budgetCents", Invalid::Negative),
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
                ("lat", Invalid::OutOfRange { min: -90, max: 90 }),
                (
                    "locationPrecision",
                    Invalid::UnknownValue {
                        allowed: LocationPrecision::VALUES.to_vec(),
                    },
                ),
                (
                    "requiredContributions[0]",
                    Invalid::UnknownValue {
                        allowed: OfferKind::VALUES.to_vec(),
                    },
                ),
                (
                    "eligibleOrganizationKinds[0]",
                    Invalid::UnknownValue {
                        allowed: OrganizationKind::VALUES.to_vec(),
                    },
                ),
                (
                    "sectors[0]",
                    Invalid::BadFormat {
                        expected: Format::SectorCode,
                    },
                ),
                (
                    "status",
                    Invalid::UnknownValue {
                        allowed: PostingStatus::VALUES.to_vec(),
                    },
                ),
            ],
        );
    }

    #[test]
    fn takes_other_places_and_a_wider_scope() {
        let place = |code: Option<&str>, id: Option<&str>| OtherPlaceInput {
            municipality_code: code.map(str::to_owned),
            neighbourhood_id: id.map(str::to_owned),
        };
        let input = NeedInput {
            other_places: vec![
                place(Some("015209"), None),
                place(None, Some("0192f0c4-5a6b-7c8d-9e0f-112233445577")),
                place(Some(" 015209 "), Some("")),
            ],
            territory_scope: Some("PROVINCE".into()),
            ..valid_input()
        };
        let need = input.validate(now(), None).expect("valid");
        assert_eq!(need.territory_scope, Some(TerritoryScope::Province));
        assert_eq!(need.other_places.len(), 2, "the repeated Sesto is dropped");

        let refused = NeedInput {
            municipality_code: None,
            neighbourhood_id: None,
            other_places: vec![place(None, None), place(Some("15209"), Some("nil-51"))],
            territory_scope: Some("continent".into()),
            ..valid_input()
        };
        let errors = refused.validate(now(), None).expect_err("invalid");
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "municipalityCode",
                "otherPlaces[0].municipalityCode",
                "otherPlaces[1].municipalityCode",
                "otherPlaces[1].neighbourhoodId",
                "territoryScope",
            ]
        );
        assert!(errors.contains("otherPlaces[0].municipalityCode", &Invalid::Required));
        assert!(errors.contains("municipalityCode", &Invalid::Required));

        let too_many = NeedInput {
            other_places: vec![place(Some("015209"), None); crate::domain::MAX_OTHER_PLACES + 1],
            ..valid_input()
        };
        let errors = too_many.validate(now(), None).expect_err("too many");
        assert!(errors.contains(
            "otherPlaces",
            &Invalid::TooMany {
                max: crate::domain::MAX_OTHER_PLACES
            }
        ));

        // A province's need says where it reaches from.
        let nowhere = NeedInput {
            municipality_code: None,
            neighbourhood_id: None,
            territory_scope: Some("region".into()),
            ..valid_input()
        };
        assert_refused(&nowhere, &[("municipalityCode", Invalid::Required)]);
    }
}
