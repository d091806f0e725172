//! Reading one row of a registry file into a validated organisation: the
//! cells of the mapped columns (or the mapping's defaults), municipalities
//! and sectors looked up by code or name, and every problem reported with
//! its line and column. Pure once the [`References`] are loaded.

use std::collections::{HashMap, HashSet};

use super::report::{RowError, RowProblem, RowWarning};
use crate::domain::registry::{
    ColumnMapping, Columns, ImportField, fold, label_key, split_list_with,
};
use crate::domain::{
    ContactInput, Format, Invalid, NewOrganization, OrganizationInput, OrganizationKind,
};
use crate::services::reference_data::title_case;
use crate::services::registry_file::SourceRow;
use crate::store::{StoreResult, reference_data};
use sea_orm::ConnectionTrait;

/// Municipalities and sectors, loaded once for the whole file.
pub(crate) struct References {
    /// ISTAT code → province plate code.
    municipality_codes: HashMap<String, String>,
    /// Folded name → (ISTAT code, province plate code).
    municipality_names: HashMap<String, Vec<(String, String)>>,
    sector_codes: HashSet<String>,
    /// Italian or English label, by [`label_key`] → code.
    sector_labels: HashMap<String, String>,
}

impl References {
    /// Loads every municipality and sector. Fails on database errors.
    pub(crate) async fn load(db: &impl ConnectionTrait) -> StoreResult<Self> {
        let rows = reference_data::municipality_names(db).await?;
        let mut municipality_codes = HashMap::with_capacity(rows.len());
        let mut municipality_names: HashMap<String, Vec<(String, String)>> = HashMap::new();
        for (code, name, province) in rows {
            municipality_names
                .entry(fold(&name))
                .or_default()
                .push((code.clone(), province.clone()));
            municipality_codes.insert(code, province);
        }
        let sector_rows = reference_data::all_sectors(db).await?;
        let mut sector_labels = HashMap::new();
        for sector in &sector_rows {
            sector_labels.insert(label_key(&sector.name_it), sector.code.clone());
            sector_labels.insert(label_key(&sector.name_en), sector.code.clone());
        }
        Ok(Self {
            municipality_codes,
            municipality_names,
            sector_codes: sector_rows.into_iter().map(|s| s.code).collect(),
            sector_labels,
        })
    }

    /// The ISTAT code of a municipality written as a code or a name.
    fn municipality(&self, value: &str, province: Option<&str>) -> Result<String, RowProblem> {
        let digits: String = value.chars().filter(|c| !c.is_whitespace()).collect();
        if digits.chars().all(|c| c.is_ascii_digit()) && !digits.is_empty() {
            // Spreadsheets drop the leading zeros of "015146".
            let code = format!("{digits:0>6}");
            return if self.municipality_codes.contains_key(&code) {
                Ok(code)
            } else {
                Err(RowProblem::UnknownMunicipality {
                    value: value.to_owned(),
                })
            };
        }
        let unknown = || RowProblem::UnknownMunicipality {
            value: value.to_owned(),
        };
        let candidates = self
            .municipality_names
            .get(&fold(value.trim()))
            .ok_or_else(unknown)?;
        let in_province: Vec<&(String, String)> = match province {
            Some(p) => candidates
                .iter()
                .filter(|(_, prov)| prov.eq_ignore_ascii_case(p.trim()))
                .collect(),
            None => candidates.iter().collect(),
        };
        match in_province.as_slice() {
            [(code, _)] => Ok(code.clone()),
            [] => Err(unknown()),
            several => Err(RowProblem::AmbiguousMunicipality {
                value: value.to_owned(),
                provinces: several.iter().map(|(_, p)| p.clone()).collect(),
            }),
        }
    }

    /// The sector code a cell names: the mapping's `[sectors]`, a code, or a label.
    fn sector(&self, mapping: &ColumnMapping, value: &str) -> Option<String> {
        if let Some(code) = mapping.sector_of(value) {
            return Some(code.to_owned());
        }
        let lower = value.trim().to_lowercase();
        if self.sector_codes.contains(&lower) {
            return Some(lower);
        }
        self.sector_labels.get(&label_key(value)).cloned()
    }
}

/// Reads one row into a validated organisation.
pub(super) struct RowReader<'a> {
    pub(super) row: &'a SourceRow,
    pub(super) columns: &'a Columns,
    pub(super) mapping: &'a ColumnMapping,
    pub(super) references: &'a References,
}

impl RowReader<'_> {
    /// The cell of a field, or the mapping's default for it.
    fn value(&self, field: ImportField) -> Option<&str> {
        self.row
            .cell(self.columns.position(field))
            .or_else(|| self.mapping.default_for(field))
    }

    fn error(&self, field: ImportField, api_field: &str, problem: RowProblem) -> RowError {
        RowError {
            line: self.row.line,
            column: self.columns.header(field).map(str::to_owned),
            field: api_field.to_owned(),
            problem,
        }
    }

    pub(super) fn read(
        &self,
        warnings: &mut Vec<RowWarning>,
    ) -> Result<NewOrganization, Vec<RowError>> {
        if self.row.not_an_object {
            return Err(vec![RowError {
                line: self.row.line,
                column: None,
                field: String::new(),
                problem: RowProblem::NotAnObject,
            }]);
        }
        if let Some(found) = self.row.width {
            return Err(vec![RowError {
                line: self.row.line,
                column: None,
                field: String::new(),
                problem: RowProblem::WrongWidth {
                    found,
                    expected: self.row.cells.len(),
                },
            }]);
        }
        let mut errors = Vec::new();
        // The tax code is the import's key: informal groups, which may
        // register without one, cannot be imported.
        if self.value(ImportField::TaxCode).is_none() {
            errors.push(self.error(
                ImportField::TaxCode,
                "taxCode",
                RowProblem::Invalid(Invalid::Required),
            ));
        }
        let kind = self.kind(&mut errors);
        let municipality = self.value(ImportField::Municipality).and_then(|value| {
            self.references
                .municipality(value, self.value(ImportField::Province))
                .map_err(|problem| {
                    errors.push(self.error(
                        ImportField::Municipality,
                        "seatMunicipalityCode",
                        problem,
                    ));
                })
                .ok()
        });
        let mut sectors = Vec::new();
        let known = |value: &str| self.references.sector(self.mapping, value).is_some();
        for value in self
            .value(ImportField::Sectors)
            .map(|cell| split_list_with(cell, known))
            .into_iter()
            .flatten()
        {
            match self.references.sector(self.mapping, value) {
                Some(code) if !sectors.contains(&code) => sectors.push(code),
                Some(_) => {}
                None => warnings.push(RowWarning {
                    line: self.row.line,
                    column: self.columns.header(ImportField::Sectors).map(str::to_owned),
                    unknown_sector: value.to_owned(),
                }),
            }
        }
        let lat = self.coordinate(ImportField::Lat, &mut errors);
        let lon = self.coordinate(ImportField::Lon, &mut errors);
        let mut contact_fields = Vec::new();
        let mut contacts = Vec::new();
        for (field, kind) in [
            (ImportField::Email, "email"),
            (ImportField::Pec, "pec"),
            (ImportField::Phone, "phone"),
        ] {
            if let Some(value) = self.value(field) {
                contact_fields.push(field);
                contacts.push(ContactInput {
                    kind: kind.to_owned(),
                    value: value.to_owned(),
                    label: None,
                    // Registry contacts are the body's public ones, but are
                    // shown only to signed-in users until the organisation
                    // says otherwise: they were not given to Trama by it.
                    visibility: Some("signed_in".to_owned()),
                });
            }
        }
        let name = self.value(ImportField::Name).map(|name| {
            // Registries shout ("ASSOCIAZIONE SOCIETA' CANOTIERI MILANO").
            if name.chars().any(char::is_lowercase) {
                name.to_owned()
            } else {
                title_case(name)
            }
        });
        let input = OrganizationInput {
            name: name.unwrap_or_default(),
            // A kind already refused is not reported twice by validation.
            kind: kind.map_or_else(|| "association".to_owned(), |k| k.as_str().to_owned()),
            tax_code: Some(
                self.value(ImportField::TaxCode)
                    .map(|t| t.replace(' ', "").to_uppercase())
                    .unwrap_or_default(),
            ),
            vat_number: self.value(ImportField::VatNumber).map(str::to_owned),
            description: self
                .value(ImportField::Description)
                .unwrap_or_default()
                .to_owned(),
            website: self.value(ImportField::Website).map(str::to_owned),
            seat_municipality_code: municipality,
            address: self.value(ImportField::Address).map(str::to_owned),
            lat,
            lon,
            sectors,
            neighbourhood_ids: Vec::new(),
            contacts,
        };
        let validated = input.validate();
        if let Err(invalid) = &validated {
            for error in invalid.clone().into_vec() {
                let field = self.field_of(&error.field, &contact_fields);
                let error = RowError {
                    line: self.row.line,
                    column: field
                        .and_then(|f| self.columns.header(f))
                        .map(str::to_owned),
                    field: error.field,
                    problem: RowProblem::Invalid(error.reason),
                };
                // The missing tax code is already reported above.
                if !errors.contains(&error) {
                    errors.push(error);
                }
            }
        }
        match validated {
            Ok(org) if errors.is_empty() => Ok(org),
            _ => Err(errors),
        }
    }

    fn kind(&self, errors: &mut Vec<RowError>) -> Option<OrganizationKind> {
        let (field, value) = [ImportField::Kind, ImportField::LegalForm]
            .into_iter()
            .find_map(|field| {
                self.row
                    .cell(self.columns.position(field))
                    .map(|v| (field, v))
            })
            .or_else(|| {
                [ImportField::Kind, ImportField::LegalForm]
                    .into_iter()
                    .find_map(|field| self.mapping.default_for(field).map(|v| (field, v)))
            })
            .unwrap_or((ImportField::LegalForm, ""));
        if value.is_empty() {
            errors.push(self.error(field, "kind", RowProblem::Invalid(Invalid::Required)));
            return None;
        }
        let kind = self.mapping.kind_of(value);
        if kind.is_none() {
            errors.push(self.error(
                field,
                "kind",
                RowProblem::UnknownKind {
                    value: value.to_owned(),
                },
            ));
        }
        kind
    }

    fn coordinate(&self, field: ImportField, errors: &mut Vec<RowError>) -> Option<f64> {
        let value = self.value(field)?;
        match value.trim().replace(',', ".").parse::<f64>() {
            Ok(number) => Some(number),
            Err(_) => {
                errors.push(self.error(
                    field,
                    field.api_field(),
                    RowProblem::Invalid(Invalid::BadFormat {
                        expected: Format::Number,
                    }),
                ));
                None
            }
        }
    }

    /// The file's field behind a validation error's field name.
    fn field_of(&self, api_field: &str, contact_fields: &[ImportField]) -> Option<ImportField> {
        if let Some(rest) = api_field.strip_prefix("contacts[") {
            let index: usize = rest.split(']').next()?.parse().ok()?;
            return contact_fields.get(index).copied();
        }
        let head = api_field.split(['[', '.']).next().unwrap_or(api_field);
        if head == "kind" {
            return [ImportField::Kind, ImportField::LegalForm]
                .into_iter()
                .find(|f| self.columns.has(*f));
        }
        ImportField::ALL
            .into_iter()
            .find(|f| f.api_field() == head && self.columns.has(*f))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{ContactKind, ContactVisibility};

    /// Milano, and two Castro (in Bergamo's and Lecce's provinces), with two
    /// sectors.
    fn references() -> References {
        let castro = vec![
            ("016065".to_owned(), "BG".to_owned()),
            ("075096".to_owned(), "LE".to_owned()),
        ];
        References {
            municipality_codes: HashMap::from([
                ("015146".to_owned(), "MI".to_owned()),
                ("016065".to_owned(), "BG".to_owned()),
                ("075096".to_owned(), "LE".to_owned()),
            ]),
            municipality_names: HashMap::from([
                (fold("Milano"), vec![("015146".to_owned(), "MI".to_owned())]),
                (fold("Castro"), castro),
            ]),
            sector_codes: HashSet::from(["sport".to_owned(), "welfare_comunita".to_owned()]),
            sector_labels: HashMap::from([
                (label_key("Sport"), "sport".to_owned()),
                (
                    label_key("Welfare di comunità"),
                    "welfare_comunita".to_owned(),
                ),
            ]),
        }
    }

    const HEADERS: [&str; 9] = [
        "Codice Fiscale",
        "Denominazione",
        "Forma giuridica",
        "Comune",
        "Prov.",
        "E-mail",
        "Settori",
        "Latitudine",
        "Longitudine",
    ];

    /// Reads line 2 of a file with [`HEADERS`] through `mapping`.
    fn read_with(
        mapping: &ColumnMapping,
        cells: [&str; 9],
    ) -> (Result<NewOrganization, Vec<RowError>>, Vec<RowWarning>) {
        let row = SourceRow {
            line: 2,
            cells: cells
                .iter()
                .map(|c| Some((*c).to_owned()).filter(|c| !c.is_empty()))
                .collect(),
            width: None,
            not_an_object: false,
        };
        read_row(mapping, &row)
    }

    /// Reads `row` of a file with [`HEADERS`] through `mapping`.
    fn read_row(
        mapping: &ColumnMapping,
        row: &SourceRow,
    ) -> (Result<NewOrganization, Vec<RowError>>, Vec<RowWarning>) {
        let headers: Vec<String> = HEADERS.iter().map(|h| (*h).to_owned()).collect();
        let columns = mapping.resolve(&headers).expect("the headers resolve");
        let references = references();
        let reader = RowReader {
            row,
            columns: &columns,
            mapping,
            references: &references,
        };
        let mut warnings = Vec::new();
        let read = reader.read(&mut warnings);
        (read, warnings)
    }

    fn read(cells: [&str; 9]) -> (Result<NewOrganization, Vec<RowError>>, Vec<RowWarning>) {
        read_with(&ColumnMapping::default(), cells)
    }

    fn problems(read: Result<NewOrganization, Vec<RowError>>) -> Vec<(String, RowProblem)> {
        read.expect_err("the row is refused")
            .into_iter()
            .map(|e| (e.field, e.problem))
            .collect()
    }

    #[test]
    fn a_registry_row_becomes_an_organization() {
        let (read, warnings) = read([
            "957 458 78934",
            "ASSOCIAZIONE CANOTIERI MILANO",
            "APS",
            "Milano",
            "",
            "info@canotieri.example.org",
            "Sport; Welfare di comunità",
            "45,4642",
            "9.19",
        ]);
        assert_eq!(warnings, []);
        let org = read.expect("imported");
        assert_eq!(
            org.name.as_str(),
            title_case("ASSOCIAZIONE CANOTIERI MILANO")
        );
        assert_ne!(org.name.as_str(), "ASSOCIAZIONE CANOTIERI MILANO");
        assert_eq!(org.kind, OrganizationKind::Aps);
        assert_eq!(
            org.tax_code.as_ref().map(|t| t.as_str()),
            Some("95745878934")
        );
        assert_eq!(
            org.seat_municipality_code.as_ref().map(|c| c.as_str()),
            Some("015146")
        );
        let sectors: Vec<&str> = org.sectors.iter().map(|s| s.as_str()).collect();
        assert_eq!(sectors, ["sport", "welfare_comunita"]);
        let point = org.coordinates.expect("coordinates");
        assert_eq!((point.lat(), point.lon()), (45.4642, 9.19));
        assert_eq!(org.contacts.len(), 1);
        assert_eq!(org.contacts[0].value.kind(), ContactKind::Email);
        // Registry contacts are shown to signed-in users only.
        assert_eq!(org.contacts[0].visibility, ContactVisibility::SignedIn);
    }

    #[test]
    fn municipalities_are_found_by_code_or_by_name_and_province() {
        let row = |municipality, province| {
            [
                "95745878934",
                "Canottieri",
                "APS",
                municipality,
                province,
                "",
                "",
                "",
                "",
            ]
        };
        let seat = |cells| {
            let (read, _) = read(cells);
            read.map(|org| org.seat_municipality_code.map(|c| c.as_str().to_owned()))
        };
        // A spreadsheet drops the leading zero of the ISTAT code.
        assert_eq!(seat(row("15146", "")), Ok(Some("015146".to_owned())));
        assert_eq!(seat(row("Castro", "le")), Ok(Some("075096".to_owned())));
        let (read_castro, _) = read(row("Castro", ""));
        assert_eq!(
            problems(read_castro),
            [(
                "seatMunicipalityCode".to_owned(),
                RowProblem::AmbiguousMunicipality {
                    value: "Castro".to_owned(),
                    provinces: vec!["BG".to_owned(), "LE".to_owned()],
                }
            )]
        );
        let (read_unknown, _) = read(row("999999", ""));
        assert_eq!(
            problems(read_unknown),
            [(
                "seatMunicipalityCode".to_owned(),
                RowProblem::UnknownMunicipality {
                    value: "999999".to_owned()
                }
            )]
        );
    }

    #[test]
    fn an_unknown_sector_is_a_warning_not_a_refusal() {
        let (read, warnings) = read([
            "95745878934",
            "Canottieri",
            "APS",
            "",
            "",
            "",
            "Sport, canottaggio",
            "",
            "",
        ]);
        let org = read.expect("imported");
        let sectors: Vec<&str> = org.sectors.iter().map(|s| s.as_str()).collect();
        assert_eq!(sectors, ["sport"]);
        assert_eq!(
            warnings,
            [RowWarning {
                line: 2,
                column: Some("Settori".to_owned()),
                unknown_sector: "canottaggio".to_owned(),
            }]
        );
    }

    #[test]
    fn every_problem_of_a_row_is_reported_once_with_its_column() {
        let (read, _) = read([
            "",
            "Canottieri",
            "Società per azioni",
            "",
            "",
            "",
            "",
            "quarantacinque",
            "",
        ]);
        let errors = read.expect_err("refused");
        let found: Vec<(Option<&str>, &str, &str)> = errors
            .iter()
            .map(|e| (e.column.as_deref(), e.field.as_str(), e.problem.code()))
            .collect();
        assert_eq!(
            found,
            [
                (Some("Codice Fiscale"), "taxCode", "required"),
                (Some("Forma giuridica"), "kind", "unknown_kind"),
                (Some("Latitudine"), "lat", "bad_format"),
            ]
        );
        assert!(errors.iter().all(|e| e.line == 2));
    }

    #[test]
    fn the_mapping_gives_kinds_and_defaults() {
        let mapping = ColumnMapping::parse_toml(
            r#"
            [defaults]
            legal_form = "odv"
            [kinds]
            "Società sportiva" = "association"
            "#,
        )
        .expect("mapping");
        let row = |legal_form| {
            [
                "95745878934",
                "Canottieri",
                legal_form,
                "",
                "",
                "",
                "",
                "",
                "",
            ]
        };
        let kind = |cells| read_with(&mapping, cells).0.map(|org| org.kind);
        assert_eq!(
            kind(row("Società sportiva")),
            Ok(OrganizationKind::Association)
        );
        assert_eq!(kind(row("")), Ok(OrganizationKind::Odv));
    }

    #[test]
    fn a_malformed_row_is_one_error_for_the_whole_row() {
        let row = SourceRow {
            line: 7,
            cells: vec![Some("95745878934".to_owned()); 9],
            width: Some(4),
            not_an_object: false,
        };
        let errors = read_row(&ColumnMapping::default(), &row)
            .0
            .expect_err("refused");
        assert_eq!(
            errors,
            [RowError {
                line: 7,
                column: None,
                field: String::new(),
                problem: RowProblem::WrongWidth {
                    found: 4,
                    expected: 9
                },
            }]
        );
    }

    #[test]
    fn a_contact_problem_names_the_contacts_column() {
        let (read, _) = read([
            "95745878934",
            "Canottieri",
            "APS",
            "",
            "",
            "non-una-email",
            "",
            "",
            "",
        ]);
        let errors = read.expect_err("refused");
        let found: Vec<(Option<&str>, &str)> = errors
            .iter()
            .map(|e| (e.column.as_deref(), e.field.as_str()))
            .collect();
        assert_eq!(found, [(Some("E-mail"), "contacts[0].value")]);
    }

    #[test]
    fn sectors_are_found_by_code_or_label_once_each_and_names_in_mixed_case_are_kept() {
        let (read, warnings) = read([
            "957 458 78934",
            "Canottieri di Milano",
            "APS",
            "",
            "",
            "",
            "welfare_comunita; Sport; SPORT; Welfare di comunità",
            "",
            "",
        ]);
        assert_eq!(warnings, []);
        let org = read.expect("imported");
        let sectors: Vec<&str> = org.sectors.iter().map(|s| s.as_str()).collect();
        assert_eq!(sectors, ["welfare_comunita", "sport"]);
        assert_eq!(org.name.as_str(), "Canottieri di Milano");
        assert_eq!(
            org.tax_code.as_ref().map(|t| t.as_str()),
            Some("95745878934")
        );
        assert!(org.coordinates.is_none());
        assert!(org.contacts.is_empty());
    }

    #[test]
    fn a_json_item_that_is_not_an_object_is_one_error() {
        let row = SourceRow {
            line: 3,
            cells: vec![None; 9],
            width: None,
            not_an_object: true,
        };
        let errors = read_row(&ColumnMapping::default(), &row)
            .0
            .expect_err("refused");
        assert_eq!(
            errors,
            [RowError {
                line: 3,
                column: None,
                field: String::new(),
                problem: RowProblem::NotAnObject,
            }]
        );
    }
}
