//! Validation of an organisation's profile and contacts: raw input as a
//! form, GraphQL or CSV gives it ([`OrganizationInput`]) becomes a
//! [`NewOrganization`], or every problem is reported with its field.
//!
//! Only shape and cross-field rules live here; whether a sector,
//! municipality or neighbourhood exists, and whether the tax code is already
//! taken, is for the services layer to check against the database.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::contact::{Email, PhoneNumber, WebUrl};
use super::error::{Errors, Invalid, ValidationErrors};
use super::input::{MAX_NEIGHBOURHOODS, check_max_items, check_sectors, dedup, parse_uuid};
use super::lists::{ContactKind, ContactVisibility, OrganizationKind};
use super::place::{Coordinates, IstatCode};
use super::tax_code::{TaxCode, VatNumber};
use super::text::{Description, OrgName, SectorCode, ShortText};

/// At most this many contacts per organisation.
pub const MAX_CONTACTS: usize = 20;

/// An organisation's profile as submitted. Closed-list values are strings
/// (any case); optional texts may be blank.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct OrganizationInput {
    pub name: String,
    pub kind: String,
    pub tax_code: Option<String>,
    pub vat_number: Option<String>,
    pub description: String,
    pub website: Option<String>,
    pub seat_municipality_code: Option<String>,
    pub address: Option<String>,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    pub sectors: Vec<String>,
    pub neighbourhood_ids: Vec<String>,
    pub contacts: Vec<ContactInput>,
}

/// A validated organisation profile. Its cross-field rules (a tax code
/// unless an informal group) are kept by [`OrganizationInput::validate`];
/// code that builds one by hand takes them on.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NewOrganization {
    pub name: OrgName,
    pub kind: OrganizationKind,
    pub tax_code: Option<TaxCode>,
    pub vat_number: Option<VatNumber>,
    pub description: Description,
    pub website: Option<WebUrl>,
    pub seat_municipality_code: Option<IstatCode>,
    pub address: Option<ShortText>,
    pub coordinates: Option<Coordinates>,
    /// Without duplicates, in the order given.
    pub sectors: Vec<SectorCode>,
    /// Neighbourhoods served, without duplicates.
    pub neighbourhood_ids: Vec<Uuid>,
    /// In display order (`position` in the database).
    pub contacts: Vec<NewContact>,
}

impl OrganizationInput {
    /// Validates every field and reports all problems at once, with fields
    /// such as `"taxCode"`, `"sectors[1]"` or `"contacts[2].value"`.
    pub fn validate(&self) -> Result<NewOrganization, ValidationErrors> {
        let mut errs = Errors::new();
        let name = errs.check("name", OrgName::parse(&self.name));
        let kind = errs.check("kind", OrganizationKind::parse(&self.kind));
        let tax_code = errs.check_optional("taxCode", self.tax_code.as_deref(), TaxCode::parse);
        // Informal groups have no tax code; every other kind is identified
        // by one. Unknown kinds are already reported, so no guess here.
        if let (Some(kind), Some(None)) = (kind, &tax_code)
            && kind.requires_tax_code()
        {
            errs.push("taxCode", Invalid::Required);
        }
        let vat_number =
            errs.check_optional("vatNumber", self.vat_number.as_deref(), VatNumber::parse);
        let description = errs.check("description", Description::parse(&self.description));
        let website = errs.check_optional("website", self.website.as_deref(), WebUrl::parse);
        let seat_municipality_code = errs.check_optional(
            "seatMunicipalityCode",
            self.seat_municipality_code.as_deref(),
            IstatCode::parse,
        );
        let address = errs.check_optional("address", self.address.as_deref(), ShortText::parse);
        let coordinates = errs.merge(Coordinates::from_optional(self.lat, self.lon));
        let sectors = check_sectors(&mut errs, &self.sectors);
        check_max_items(
            &mut errs,
            "neighbourhoodIds",
            &self.neighbourhood_ids,
            MAX_NEIGHBOURHOODS,
        );
        let neighbourhood_ids = errs
            .check_each("neighbourhoodIds", &self.neighbourhood_ids, parse_uuid)
            .map(dedup);
        check_max_items(&mut errs, "contacts", &self.contacts, MAX_CONTACTS);
        let contacts: Option<Vec<NewContact>> = self
            .contacts
            .iter()
            .enumerate()
            .map(|(i, contact)| errs.nested(&format!("contacts[{i}]"), contact.validate()))
            .collect::<Vec<_>>()
            .into_iter()
            .collect();

        errs.build(|| {
            Some(NewOrganization {
                name: name?,
                kind: kind?,
                tax_code: tax_code?,
                vat_number: vat_number?,
                description: description?,
                website: website?,
                seat_municipality_code: seat_municipality_code?,
                address: address?,
                coordinates: coordinates?,
                sectors: sectors?,
                neighbourhood_ids: neighbourhood_ids?,
                contacts: contacts?,
            })
        })
    }
}

/// One contact as submitted; `value` is checked according to `kind`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ContactInput {
    pub kind: String,
    pub value: String,
    pub label: Option<String>,
    /// Defaults to `public`: an organisation's contacts are there to be
    /// reached (a registry's whole point).
    pub visibility: Option<String>,
}

/// A contact's validated value; the variant is the contact kind, so a kind
/// and a value can never disagree.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ContactValue {
    Email(Email),
    /// Certified email (posta elettronica certificata): an email address.
    Pec(Email),
    Phone(PhoneNumber),
    Website(WebUrl),
    Address(ShortText),
}

impl ContactValue {
    /// Checks `raw` as the given kind of contact.
    pub fn parse(kind: ContactKind, raw: &str) -> Result<Self, Invalid> {
        Ok(match kind {
            ContactKind::Email => Self::Email(Email::parse(raw)?),
            ContactKind::Pec => Self::Pec(Email::parse(raw)?),
            ContactKind::Phone => Self::Phone(PhoneNumber::parse(raw)?),
            ContactKind::Website => Self::Website(WebUrl::parse(raw)?),
            ContactKind::Address => Self::Address(ShortText::parse(raw)?),
        })
    }

    pub fn kind(&self) -> ContactKind {
        match self {
            Self::Email(_) => ContactKind::Email,
            Self::Pec(_) => ContactKind::Pec,
            Self::Phone(_) => ContactKind::Phone,
            Self::Website(_) => ContactKind::Website,
            Self::Address(_) => ContactKind::Address,
        }
    }

    /// The normalised value stored in `organization_contacts.value`.
    pub fn as_str(&self) -> &str {
        match self {
            Self::Email(email) | Self::Pec(email) => email.as_str(),
            Self::Phone(phone) => phone.as_str(),
            Self::Website(url) => url.as_str(),
            Self::Address(text) => text.as_str(),
        }
    }
}

/// Serialised as `{"kind": "pec", "value": "..."}`, like the database row.
impl Serialize for ContactValue {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut state = serializer.serialize_struct("ContactValue", 2)?;
        state.serialize_field("kind", &self.kind())?;
        state.serialize_field("value", self.as_str())?;
        state.end()
    }
}

/// A validated contact.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NewContact {
    #[serde(flatten)]
    pub value: ContactValue,
    pub label: Option<ShortText>,
    pub visibility: ContactVisibility,
}

impl NewContact {
    pub fn kind(&self) -> ContactKind {
        self.value.kind()
    }
}

impl ContactInput {
    /// Fields are relative (`"kind"`, `"value"`, `"label"`,
    /// `"visibility"`); the organisation prefixes them with `contacts[i]`.
    pub fn validate(&self) -> Result<NewContact, ValidationErrors> {
        let mut errs = Errors::new();
        let kind = errs.check("kind", ContactKind::parse(&self.kind));
        // Without a known kind there is no rule to check the value against;
        // the kind's error is enough.
        let value =
            kind.and_then(|kind| errs.check("value", ContactValue::parse(kind, &self.value)));
        let label = errs.check_optional("label", self.label.as_deref(), ShortText::parse);
        let visibility = errs
            .check_optional(
                "visibility",
                self.visibility.as_deref(),
                ContactVisibility::parse,
            )
            .map(|v| v.unwrap_or(ContactVisibility::Public));
        errs.build(|| {
            Some(NewContact {
                value: value?,
                label: label?,
                visibility: visibility?,
            })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::error::Format;

    fn valid_input() -> OrganizationInput {
        OrganizationInput {
            name: "  Cooperativa  Sociale La Cordata ".into(),
            kind: "social_cooperative_a".into(),
            tax_code: Some("80117230153".into()),
            vat_number: Some("IT00488410010".into()),
            description: "Servizi di portierato sociale\nnei quartieri ERP.".into(),
            website: Some("www.lacordata.it".into()),
            seat_municipality_code: Some("015146".into()),
            address: Some("Via Zumbini 6, Milano".into()),
            lat: Some(45.4465),
            lon: Some(9.1654),
            sectors: vec![
                "housing".into(),
                "social_inclusion".into(),
                "HOUSING".into(),
            ],
            neighbourhood_ids: vec![
                "0192f0c4-5a6b-7c8d-9e0f-112233445566".into(),
                "0192f0c4-5a6b-7c8d-9e0f-112233445566".into(),
            ],
            contacts: vec![
                ContactInput {
                    kind: "email".into(),
                    value: "Info@LaCordata.it".into(),
                    label: Some("Segreteria".into()),
                    visibility: None,
                },
                ContactInput {
                    kind: "PHONE".into(),
                    value: "02 1234 5678".into(),
                    label: None,
                    visibility: Some("members".into()),
                },
            ],
        }
    }

    #[test]
    fn accepts_a_complete_profile() {
        let org = valid_input().validate().expect("valid");
        assert_eq!(org.name.as_str(), "Cooperativa Sociale La Cordata");
        assert_eq!(org.kind, OrganizationKind::SocialCooperativeA);
        assert_eq!(
            org.tax_code.as_ref().map(TaxCode::as_str),
            Some("80117230153")
        );
        assert_eq!(
            org.vat_number.as_ref().map(VatNumber::as_str),
            Some("00488410010")
        );
        assert_eq!(
            org.website.as_ref().map(WebUrl::as_str),
            Some("https://www.lacordata.it/")
        );
        assert_eq!(org.sectors.len(), 2, "duplicates dropped");
        assert_eq!(org.neighbourhood_ids.len(), 1, "duplicates dropped");
        assert_eq!(org.contacts.len(), 2);
        assert_eq!(org.contacts[0].value.as_str(), "info@lacordata.it");
        assert_eq!(org.contacts[0].visibility, ContactVisibility::Public);
        assert_eq!(org.contacts[1].kind(), ContactKind::Phone);
        assert_eq!(org.contacts[1].value.as_str(), "+390212345678");
        assert_eq!(org.contacts[1].visibility, ContactVisibility::Members);
        let json = serde_json::to_value(&org.contacts[0]).expect("serialisable");
        assert_eq!(
            json,
            serde_json::json!({"kind": "email", "value": "info@lacordata.it",
                               "label": "Segreteria", "visibility": "public"})
        );
    }

    #[test]
    fn accepts_a_minimal_informal_group() {
        let input = OrganizationInput {
            name: "Comitato inquilini Lorenteggio".into(),
            kind: "informal_group".into(),
            tax_code: Some("  ".into()),
            website: Some(String::new()),
            ..OrganizationInput::default()
        };
        let org = input.validate().expect("valid");
        assert_eq!(org.tax_code, None);
        assert_eq!(org.website, None);
        assert!(org.description.is_empty());
        assert!(org.contacts.is_empty() && org.sectors.is_empty());
    }

    #[test]
    fn deserialises_camel_case_input() {
        let input: OrganizationInput = serde_json::from_value(serde_json::json!({
            "name": "Agenzia per la casa",
            "kind": "PUBLIC_HOUSING_AGENCY",
            "taxCode": "00141470351",
            "seatMunicipalityCode": "035033",
            "contacts": [{"kind": "pec", "value": "acer@pec.acer.re.it"}]
        }))
        .expect("deserialisable");
        let org = input.validate().expect("valid");
        assert_eq!(org.kind, OrganizationKind::PublicHousingAgency);
        assert_eq!(org.contacts[0].kind(), ContactKind::Pec);
    }

    /// Asserts that `input` is refused with exactly these (field, reason)
    /// pairs, in form order.
    fn assert_refused(input: &OrganizationInput, expected: &[(&str, Invalid)]) {
        let errors = input.validate().expect_err("invalid input");
        let got: Vec<(&str, &Invalid)> = errors
            .iter()
            .map(|e| (e.field.as_str(), &e.reason))
            .collect();
        let expected: Vec<(&str, &Invalid)> = expected.iter().map(|(f, r)| (*f, r)).collect();
        assert_eq!(got, expected);
    }

    #[test]
    fn reports_every_problem_with_its_field() {
        let input = OrganizationInput {
            name: "X".into(),
            kind: "cooperativa".into(),
            tax_code: Some("80117230154".into()),
            vat_number: Some("123".into()),
            description: "ok\u{0}".into(),
            website: Some("ftp://example.org".into()),
            seat_municipality_code: Some("15146".into()),
            address: Some("a".repeat(301)),
            lat: Some(45.0),
            lon: None,
            sectors: vec!["housing".into(), "social housing".into()],
            neighbourhood_ids: vec!["51".into()],
            contacts: vec![
                valid_input().contacts[0].clone(),
                ContactInput {
                    kind: "fax".into(),
                    value: "02 123456".into(),
                    ..ContactInput::default()
                },
                ContactInput {
                    kind: "pec".into(),
                    value: "not an email".into(),
                    label: Some("\u{7}".into()),
                    visibility: Some("friends".into()),
                },
            ],
        };
        assert_refused(
            &input,
            &[
                ("name", Invalid::TooShort { min: 2 }),
                (
                    "kind",
                    Invalid::UnknownValue {
                        allowed: OrganizationKind::VALUES.to_vec(),
                    },
                ),
                ("taxCode", Invalid::BadChecksum),
                (
                    "vatNumber",
                    Invalid::BadFormat {
                        expected: Format::VatNumber,
                    },
                ),
                ("description", Invalid::ControlCharacters),
                (
                    "website",
                    Invalid::BadFormat {
                        expected: Format::WebUrl,
                    },
                ),
                (
                    "seatMunicipalityCode",
                    Invalid::BadFormat {
                        expected: Format::IstatCode,
                    },
                ),
                ("address", Invalid::TooLong { max: 300 }),
                ("lon", Invalid::IncompleteCoordinates),
                (
                    "sectors[1]",
                    Invalid::BadFormat {
                        expected: Format::SectorCode,
                    },
                ),
                (
                    "neighbourhoodIds[0]",
                    Invalid::BadFormat {
                        expected: Format::Uuid,
                    },
                ),
                (
                    "contacts[1].kind",
                    Invalid::UnknownValue {
                        allowed: ContactKind::VALUES.to_vec(),
                    },
                ),
                (
                    "contacts[2].value",
                    Invalid::BadFormat {
                        expected: Format::Email,
                    },
                ),
                ("contacts[2].label", Invalid::ControlCharacters),
                (
                    "contacts[2].visibility",
                    Invalid::UnknownValue {
                        allowed: ContactVisibility::VALUES.to_vec(),
                    },
                ),
            ],
        );
    }

    #[test]
    fn tax_code_is_required_unless_informal_group() {
        for kind in OrganizationKind::ALL {
            let input = OrganizationInput {
                kind: kind.as_str().into(),
                tax_code: None,
                ..valid_input()
            };
            if *kind == OrganizationKind::InformalGroup {
                assert!(input.validate().is_ok());
            } else {
                assert_refused(&input, &[("taxCode", Invalid::Required)]);
            }
        }
        // A blank tax code counts as missing.
        let input = OrganizationInput {
            tax_code: Some(" ".into()),
            ..valid_input()
        };
        assert_refused(&input, &[("taxCode", Invalid::Required)]);
        // An informal group may still give one (its referent's), checked.
        let input = OrganizationInput {
            kind: "informal_group".into(),
            tax_code: Some("RSSMRA85T10A562S".into()),
            ..valid_input()
        };
        assert!(
            input
                .validate()
                .is_ok_and(|org| org.tax_code.is_some_and(|c| c.is_personal()))
        );
    }

    #[test]
    fn required_fields() {
        assert_refused(
            &OrganizationInput::default(),
            &[("name", Invalid::Required), ("kind", Invalid::Required)],
        );
    }

    #[test]
    fn coordinates_rules() {
        let input = OrganizationInput {
            lat: None,
            lon: Some(9.0),
            ..valid_input()
        };
        assert_refused(&input, &[("lat", Invalid::IncompleteCoordinates)]);
        let input = OrganizationInput {
            lat: Some(95.0),
            lon: Some(200.0),
            ..valid_input()
        };
        assert_refused(
            &input,
            &[
                ("lat", Invalid::OutOfRange { min: -90, max: 90 }),
                (
                    "lon",
                    Invalid::OutOfRange {
                        min: -180,
                        max: 180,
                    },
                ),
            ],
        );
        let input = OrganizationInput {
            lat: None,
            lon: None,
            ..valid_input()
        };
        assert!(input.validate().is_ok_and(|org| org.coordinates.is_none()));
    }

    #[test]
    fn list_limits() {
        let contact = valid_input().contacts[0].clone();
        let input = OrganizationInput {
            contacts: vec![contact.clone(); MAX_CONTACTS],
            ..valid_input()
        };
        assert!(input.validate().is_ok());
        let input = OrganizationInput {
            contacts: vec![contact; MAX_CONTACTS + 1],
            ..valid_input()
        };
        assert_refused(
            &input,
            &[("contacts", Invalid::TooMany { max: MAX_CONTACTS })],
        );
        let input = OrganizationInput {
            sectors: vec!["housing".into(); 31],
            ..valid_input()
        };
        assert_refused(&input, &[("sectors", Invalid::TooMany { max: 30 })]);
    }

    #[test]
    fn contact_values_follow_their_kind() {
        let cases: &[(&str, &str, Result<&str, Invalid>)] = &[
            ("email", "Info@Example.org", Ok("info@example.org")),
            (
                "pec",
                "protocollo@pec.comune.milano.it",
                Ok("protocollo@pec.comune.milano.it"),
            ),
            ("phone", "+39 02 1234567", Ok("+39021234567")),
            ("website", "www.example.org", Ok("https://www.example.org/")),
            (
                "address",
                " Via Roma 1,\n Milano ",
                Ok("Via Roma 1, Milano"),
            ),
            (
                "email",
                "02 1234567",
                Err(Invalid::BadFormat {
                    expected: Format::Email,
                }),
            ),
            ("pec", "", Err(Invalid::Required)),
            (
                "phone",
                "info@example.org",
                Err(Invalid::BadFormat {
                    expected: Format::PhoneNumber,
                }),
            ),
            (
                "website",
                "info@example.org",
                Err(Invalid::BadFormat {
                    expected: Format::WebUrl,
                }),
            ),
            ("address", "", Err(Invalid::Required)),
        ];
        for (kind, value, expected) in cases {
            let input = ContactInput {
                kind: (*kind).into(),
                value: (*value).into(),
                ..ContactInput::default()
            };
            let got = input.validate();
            match expected {
                Ok(stored) => {
                    let contact = got.expect("valid contact");
                    assert_eq!(contact.value.as_str(), *stored);
                    assert_eq!(contact.kind().as_str(), *kind);
                }
                Err(reason) => {
                    let errors = got.expect_err("invalid contact");
                    assert_eq!(
                        &errors[..],
                        [reason.clone().at("value")],
                        "{kind} {value:?}"
                    );
                }
            }
        }
    }
}
