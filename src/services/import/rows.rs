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
