//! Bulk import of a registry of organisations (`trama import organizations`):
//! a public body's spreadsheet becomes organisations on Trama, searchable
//! and ready to be matched.
//!
//! # What the import promises
//!
//! - **Every row is checked first**, with the same validation as the
//!   registration form ([`OrganizationInput::validate`]) plus what only a
//!   file can get wrong: a tax code listed twice, a municipality written by
//!   name that does not exist (or exists in two provinces), a legal form that
//!   says no kind, a row with the wrong number of cells. Each problem is
//!   reported with its line, the file's column and the reason; the other
//!   rows go in.
//! - **Idempotent on the tax code**: a row whose tax code is already on
//!   Trama updates that organisation (name, kind, and the other fields the
//!   file fills); sectors and contacts the file brings are added, never
//!   removed, because members may have added their own. Importing the same
//!   file twice changes nothing the second time. A changed kind withdraws a
//!   verification, as an edit by the organisation does.
//! - **All or nothing** on request: one bad row and nothing is written; the
//!   whole import is then one transaction, so a database failure half-way
//!   leaves nothing either. Otherwise rows are written in batches of
//!   [`BATCH`], each one transaction, with its search outbox rows and an
//!   audit row listing the tax codes it created and updated.
//! - Rows of informal groups cannot be imported: the tax code is the key.
//!
//! Writing is in bulk (multi-row inserts), not through
//! [`super::organizations::create`] once per row: a registry of 100,000
//! rows must import in seconds, not in the minutes of 100,000 transactions.
//! The rules stay the same: the row is validated into a [`NewOrganization`]
//! by the same code.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::fmt;

use sea_orm::sea_query::{Expr, Func};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QuerySelect, Set, TransactionTrait,
};
use serde_json::json;
use uuid::Uuid;

use super::reference_data::title_case;
use super::registry_file::{SourceRow, SourceTable};
use super::{Actor, new_id, now};
use crate::domain::registry::{
    ColumnMapping, Columns, ImportField, fold, label_key, split_list_with,
};
use crate::domain::{
    ContactInput, Format, Invalid, Lang, NewOrganization, OrganizationInput, OrganizationKind,
    OutboxEntityType, OutboxOperation, VerificationStatus,
};
use crate::error::{AppError, is_unique_violation};
use crate::jobs::{self, Job, MatchTarget};
use crate::store::entities::{
    audit_log, municipalities, organization_contacts, organization_sectors, organizations,
    search_outbox, sectors,
};

/// Rows written per transaction (when not all or nothing).
pub const BATCH: usize = 1_000;
/// Rows per multi-row INSERT: well inside SQLite's 32,766 and PostgreSQL's
/// 65,535 bound parameters at the widest table (23 columns).
const INSERT_CHUNK: usize = 1_000;

/// How the import runs.
#[derive(Clone, Debug, Default)]
pub struct ImportOptions {
    /// The file's name, for the audit log and the report.
    pub source_name: String,
    /// One bad row aborts the whole import with nothing written.
    pub all_or_nothing: bool,
    /// Check everything, write nothing.
    pub dry_run: bool,
}

/// Where an import is, for a progress bar.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ImportProgress {
    Checking { done: usize, total: usize },
    Writing { done: usize, total: usize },
}

/// Why one row was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RowProblem {
    /// A value the registration form would refuse too.
    Invalid(Invalid),
    /// The tax code was already on an earlier line of the file.
    DuplicateOf { line: u64 },
    /// No municipality with this name or code.
    UnknownMunicipality { value: String },
    /// Municipalities of this name are in several provinces and the row
    /// does not say which.
    AmbiguousMunicipality {
        value: String,
        provinces: Vec<String>,
    },
    /// A kind or legal form that says no kind of organisation.
    UnknownKind { value: String },
    /// A CSV row with more or fewer cells than the header.
    WrongWidth { found: usize, expected: usize },
    /// A JSON element that is not an object.
    NotAnObject,
    /// The organisation with this tax code was deleted from Trama.
    Deleted,
}

impl RowProblem {
    /// A stable machine-readable code (validation problems keep theirs).
    pub fn code(&self) -> &'static str {
        match self {
            Self::Invalid(reason) => reason.code(),
            Self::DuplicateOf { .. } => "duplicate",
            Self::UnknownMunicipality { .. } => "unknown_municipality",
            Self::AmbiguousMunicipality { .. } => "ambiguous_municipality",
            Self::UnknownKind { .. } => "unknown_kind",
            Self::WrongWidth { .. } => "wrong_width",
            Self::NotAnObject => "not_an_object",
            Self::Deleted => "deleted",
        }
    }

    pub fn message(&self, lang: Lang) -> String {
        match (self, lang) {
            (Self::Invalid(reason), lang) => reason.message(lang),
            (Self::DuplicateOf { line }, Lang::It) => {
                format!("codice fiscale già presente alla riga {line}: la riga è ignorata")
            }
            (Self::DuplicateOf { line }, Lang::En) => {
                format!("tax code already on line {line}: the row is skipped")
            }
            (Self::UnknownMunicipality { value }, Lang::It) => format!(
                "nessun comune italiano si chiama «{value}»: scrivi il nome come ISTAT o il codice ISTAT a 6 cifre"
            ),
            (Self::UnknownMunicipality { value }, Lang::En) => format!(
                "no Italian municipality is called \"{value}\": write ISTAT's name or the 6-digit ISTAT code"
            ),
            (Self::AmbiguousMunicipality { value, provinces }, Lang::It) => format!(
                "ci sono comuni di nome «{value}» in più province ({}): aggiungi la colonna provincia o usa il codice ISTAT",
                provinces.join(", ")
            ),
            (Self::AmbiguousMunicipality { value, provinces }, Lang::En) => format!(
                "municipalities called \"{value}\" exist in several provinces ({}): add a province column or use the ISTAT code",
                provinces.join(", ")
            ),
            (Self::UnknownKind { value }, Lang::It) => format!(
                "«{value}» non dice che tipo di organizzazione è: usa uno di {} o aggiungi una voce [kinds] al file di mappatura",
                OrganizationKind::VALUES.join(", ")
            ),
            (Self::UnknownKind { value }, Lang::En) => format!(
                "\"{value}\" does not say what kind of organisation it is: use one of {} or add a [kinds] entry to the mapping file",
                OrganizationKind::VALUES.join(", ")
            ),
            (Self::WrongWidth { found, expected }, Lang::It) => format!(
                "la riga ha {found} celle, l'intestazione {expected}: controlla separatori e virgolette"
            ),
            (Self::WrongWidth { found, expected }, Lang::En) => format!(
                "the row has {found} cells, the header {expected}: check separators and quotes"
            ),
            (Self::NotAnObject, Lang::It) => "l'elemento non è un oggetto JSON".into(),
            (Self::NotAnObject, Lang::En) => "the element is not a JSON object".into(),
            (Self::Deleted, Lang::It) => {
                "l'organizzazione con questo codice fiscale è stata eliminata da Trama: per ripristinarla rivolgiti a un moderatore".into()
            }
            (Self::Deleted, Lang::En) => {
                "the organisation with this tax code was deleted from Trama: ask a moderator to restore it".into()
            }
        }
    }
}

/// One refused row (or value): where, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RowError {
    /// The line in the file (1 is the header of a CSV file).
    pub line: u64,
    /// The file's header of the column at fault, when one is.
    pub column: Option<String>,
    /// The organisation's field at fault (`taxCode`, `contacts[0].value`), or
    /// empty for the whole row.
    pub field: String,
    pub problem: RowProblem,
}

impl RowError {
    pub fn message(&self, lang: Lang) -> String {
        let place = match (&self.column, lang) {
            (Some(column), Lang::It) => format!("riga {}, colonna «{column}»", self.line),
            (Some(column), Lang::En) => format!("line {}, column \"{column}\"", self.line),
            (None, Lang::It) => format!("riga {}", self.line),
            (None, Lang::En) => format!("line {}", self.line),
        };
        format!("{place}: {}", self.problem.message(lang))
    }
}

impl fmt::Display for RowError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message(Lang::En))
    }
}

/// A value left out of a row that was imported anyway.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RowWarning {
    pub line: u64,
    pub column: Option<String>,
    /// A sector Trama does not know (add it to `[sectors]` in the mapping).
    pub unknown_sector: String,
}

impl RowWarning {
    pub fn message(&self, lang: Lang) -> String {
        let column = self.column.as_deref().unwrap_or("sectors");
        match lang {
            Lang::It => format!(
                "riga {}, colonna «{column}»: settore «{}» sconosciuto, non importato (aggiungilo a [sectors] nel file di mappatura)",
                self.line, self.unknown_sector
            ),
            Lang::En => format!(
                "line {}, column \"{column}\": unknown sector \"{}\" left out (add it to [sectors] in the mapping file)",
                self.line, self.unknown_sector
            ),
        }
    }
}

/// Lines listed by name in a summary of warnings; the rest are counted.
const LINES_NAMED: usize = 5;

impl RowWarning {
    /// One line per unknown sector, however many rows name it (with the
    /// first few line numbers), in the order they first appear: a registry
    /// of thousands of rows that all name the same unknown sector says so
    /// once, not thousands of times.
    pub fn summarise(warnings: &[RowWarning], lang: Lang) -> Vec<String> {
        let mut groups: Vec<(String, &RowWarning, Vec<u64>)> = Vec::new();
        for warning in warnings {
            let key = label_key(&warning.unknown_sector);
            match groups.iter_mut().find(|(k, _, _)| *k == key) {
                Some((_, _, lines)) => lines.push(warning.line),
                None => groups.push((key, warning, vec![warning.line])),
            }
        }
        groups
            .into_iter()
            .map(|(_, first, lines)| {
                if lines.len() == 1 {
                    return first.message(lang);
                }
                let named: Vec<String> = lines
                    .iter()
                    .take(LINES_NAMED)
                    .map(u64::to_string)
                    .collect();
                let more = lines.len().saturating_sub(LINES_NAMED);
                let column = first.column.as_deref().unwrap_or("sectors");
                match lang {
                    Lang::It => format!(
                        "colonna «{column}»: settore «{}» sconosciuto in {} righe (righe {}{}), non importato (aggiungilo a [sectors] nel file di mappatura)",
                        first.unknown_sector,
                        lines.len(),
                        named.join(", "),
                        if more > 0 { format!(" e altre {more}") } else { String::new() }
                    ),
                    Lang::En => format!(
                        "column \"{column}\": unknown sector \"{}\" in {} rows (lines {}{}) left out (add it to [sectors] in the mapping file)",
                        first.unknown_sector,
                        lines.len(),
                        named.join(", "),
                        if more > 0 { format!(" and {more} more") } else { String::new() }
                    ),
                }
            })
            .collect()
    }
}

/// What an import did (or, dry or aborted, would have done).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ImportReport {
    /// Data rows in the file.
    pub rows: usize,
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
    /// Rows refused, in file order; a row may have several.
    pub errors: Vec<RowError>,
    pub warnings: Vec<RowWarning>,
    /// Headers of the file no field uses.
    pub unused_columns: Vec<String>,
    /// Nothing was written (a dry run, or all or nothing with errors).
    pub written: bool,
    /// The newest search outbox row written: the import is searchable once
    /// the index has applied it.
    pub last_outbox_seq: Option<i64>,
}

impl ImportReport {
    /// Lines with at least one error.
    pub fn rejected_rows(&self) -> usize {
        self.errors
            .iter()
            .map(|e| e.line)
            .collect::<BTreeSet<_>>()
            .len()
    }

    /// The closing lines of a report on `source`: the counts, and the
    /// columns no field used.
    pub fn summary(&self, source: &str, dry_run: bool, lang: Lang) -> String {
        let (rows, created, updated, unchanged, rejected) = (
            self.rows,
            self.created,
            self.updated,
            self.unchanged,
            self.rejected_rows(),
        );
        let (mut out, unused, dry) = match lang {
            Lang::It => (
                format!(
                    "{source}: {rows} righe lette; organizzazioni: {created} nuove, {updated} aggiornate, {unchanged} invariate; {rejected} righe rifiutate"
                ),
                "colonne non usate",
                " (prova: nulla è stato scritto)",
            ),
            Lang::En => (
                format!(
                    "{source}: {rows} rows read; organisations: {created} new, {updated} updated, {unchanged} unchanged; {rejected} rows refused"
                ),
                "columns not used",
                " (dry run: nothing was written)",
            ),
        };
        if dry_run {
            out.push_str(dry);
        }
        if !self.unused_columns.is_empty() {
            out.push_str(&format!("\n{unused}: {}", self.unused_columns.join(", ")));
        }
        out
    }
}

/// Why an import could not run at all (row problems are in the report).
#[derive(Debug)]
pub enum ImportError {
    /// A column the mapping file names is not in the file.
    MissingColumns(Vec<(ImportField, String)>),
    /// No column (and no default) for a field every row needs.
    MissingRequired(Vec<ImportField>),
    /// All or nothing, and some rows were refused: nothing was written.
    Aborted(Box<ImportReport>),
    Failed(AppError),
}

impl ImportError {
    pub fn message(&self, lang: Lang) -> String {
        match (self, lang) {
            (Self::MissingColumns(missing), Lang::It) => format!(
                "il file di mappatura indica colonne che il file non ha: {}",
                describe_missing(missing)
            ),
            (Self::MissingColumns(missing), Lang::En) => format!(
                "the mapping file names columns the file lacks: {}",
                describe_missing(missing)
            ),
            (Self::MissingRequired(fields), Lang::It) => format!(
                "manca una colonna obbligatoria: {} (rinomina l'intestazione o usa --mapping)",
                describe_fields(fields)
            ),
            (Self::MissingRequired(fields), Lang::En) => format!(
                "a required column is missing: {} (rename the header or use --mapping)",
                describe_fields(fields)
            ),
            (Self::Aborted(report), Lang::It) => format!(
                "{} righe con errori: con --all-or-nothing non è stato scritto nulla",
                report.rejected_rows()
            ),
            (Self::Aborted(report), Lang::En) => format!(
                "{} rows with errors: with --all-or-nothing nothing was written",
                report.rejected_rows()
            ),
            (Self::Failed(error), lang) => error.message(lang),
        }
    }
}

fn describe_missing(missing: &[(ImportField, String)]) -> String {
    missing
        .iter()
        .map(|(field, header)| format!("{field} = \"{header}\""))
        .collect::<Vec<_>>()
        .join(", ")
}

fn describe_fields(fields: &[ImportField]) -> String {
    fields
        .iter()
        .map(|f| f.key())
        .collect::<Vec<_>>()
        .join(", ")
}

impl fmt::Display for ImportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message(Lang::En))
    }
}

impl std::error::Error for ImportError {}

impl From<AppError> for ImportError {
    fn from(error: AppError) -> Self {
        Self::Failed(error)
    }
}

impl From<sea_orm::DbErr> for ImportError {
    fn from(error: sea_orm::DbErr) -> Self {
        Self::Failed(error.into())
    }
}

/// Imports the organisations of `table`. Row problems are in the report
/// (and abort everything with [`ImportOptions::all_or_nothing`]); the
/// import fails outright only when the file lacks a required column or on
/// database errors (earlier batches then stay written, unless all or
/// nothing).
pub async fn import_organizations(
    db: &DatabaseConnection,
    actor: &Actor,
    table: &SourceTable,
    mapping: &ColumnMapping,
    options: &ImportOptions,
    progress: &mut dyn FnMut(ImportProgress),
) -> Result<ImportReport, ImportError> {
    let columns = mapping
        .resolve(&table.headers)
        .map_err(ImportError::MissingColumns)?;
    check_required_columns(&columns, mapping)?;
    let references = References::load(db).await?;
    let mut report = ImportReport {
        rows: table.rows.len(),
        unused_columns: columns.unused().into_iter().map(str::to_owned).collect(),
        ..ImportReport::default()
    };

    let total = table.rows.len();
    let mut planned: Vec<Planned> = Vec::with_capacity(total);
    let mut first_line: HashMap<String, u64> = HashMap::new();
    for (done, row) in table.rows.iter().enumerate() {
        if done % 1_000 == 0 {
            progress(ImportProgress::Checking { done, total });
        }
        let reader = RowReader {
            row,
            columns: &columns,
            mapping,
            references: &references,
        };
        match reader.read(&mut report.warnings) {
            Ok(org) => {
                let tax_code = org
                    .tax_code
                    .as_ref()
                    .map(|t| t.as_str().to_owned())
                    .unwrap_or_default();
                if let Some(&line) = first_line.get(&tax_code) {
                    report.errors.push(RowError {
                        line: row.line,
                        column: columns.header(ImportField::TaxCode).map(str::to_owned),
                        field: "taxCode".to_owned(),
                        problem: RowProblem::DuplicateOf { line },
                    });
                    continue;
                }
                first_line.insert(tax_code.clone(), row.line);
                planned.push(Planned {
                    line: row.line,
                    tax_code,
                    org,
                });
            }
            Err(errors) => report.errors.extend(errors),
        }
    }
    progress(ImportProgress::Checking { done: total, total });

    let abort = options.all_or_nothing && !report.errors.is_empty();
    let write = !options.dry_run && !abort;
    let txn_all = if write && options.all_or_nothing {
        Some(db.begin().await?)
    } else {
        None
    };
    let run_id = new_id();
    let total = planned.len();
    let mut done = 0;
    for batch in planned.chunks(BATCH) {
        progress(ImportProgress::Writing { done, total });
        // All or nothing holds SQLite's one connection in its transaction:
        // reads go through it too.
        let existing = match &txn_all {
            Some(txn) => existing_by_tax_code(txn, batch).await?,
            None => existing_by_tax_code(db, batch).await?,
        };
        let mut changes = BatchChanges::default();
        for row in batch {
            match existing.get(&row.tax_code) {
                None => changes.created.push(row),
                Some(current) if current.row.deleted_at.is_some() => {
                    report.errors.push(RowError {
                        line: row.line,
                        column: None,
                        field: "taxCode".to_owned(),
                        problem: RowProblem::Deleted,
                    });
                }
                Some(current) => match update_for(current, &row.org) {
                    Some(update) => changes.updated.push(update),
                    None => report.unchanged += 1,
                },
            }
        }
        report.created += changes.created.len();
        report.updated += changes.updated.len();
        if write {
            let seq = match &txn_all {
                Some(txn) => {
                    write_batch(txn, actor, run_id, &options.source_name, &changes).await?
                }
                None => {
                    let txn = db.begin().await?;
                    let seq =
                        write_batch(&txn, actor, run_id, &options.source_name, &changes).await?;
                    txn.commit().await?;
                    seq
                }
            };
            report.last_outbox_seq = seq.or(report.last_outbox_seq);
        }
        done += batch.len();
    }
    progress(ImportProgress::Writing { done, total });
    // Deleted organisations are only found while writing: with all or
    // nothing they still abort everything.
    if options.all_or_nothing && !report.errors.is_empty() {
        if let Some(txn) = txn_all {
            txn.rollback().await?;
        }
        report.errors.sort_by_key(|e| e.line);
        report.last_outbox_seq = None;
        return Err(ImportError::Aborted(Box::new(report)));
    }
    if let Some(txn) = txn_all {
        txn.commit().await?;
    }
    report.errors.sort_by_key(|e| e.line);
    report.written = write;
    Ok(report)
}

fn check_required_columns(columns: &Columns, mapping: &ColumnMapping) -> Result<(), ImportError> {
    let available = |field: ImportField| columns.has(field) || mapping.default_for(field).is_some();
    let mut missing = Vec::new();
    for field in [ImportField::TaxCode, ImportField::Name] {
        if !available(field) {
            missing.push(field);
        }
    }
    if !available(ImportField::Kind) && !available(ImportField::LegalForm) {
        missing.push(ImportField::LegalForm);
    }
    if missing.is_empty() {
        Ok(())
    } else {
        Err(ImportError::MissingRequired(missing))
    }
}

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
    pub(crate) async fn load(db: &impl ConnectionTrait) -> Result<Self, AppError> {
        let rows: Vec<(String, String, String)> = municipalities::Entity::find()
            .select_only()
            .column(municipalities::Column::IstatCode)
            .column(municipalities::Column::Name)
            .column(municipalities::Column::ProvinceCode)
            .into_tuple()
            .all(db)
            .await?;
        let mut municipality_codes = HashMap::with_capacity(rows.len());
        let mut municipality_names: HashMap<String, Vec<(String, String)>> = HashMap::new();
        for (code, name, province) in rows {
            municipality_names
                .entry(fold(&name))
                .or_default()
                .push((code.clone(), province.clone()));
            municipality_codes.insert(code, province);
        }
        let sector_rows = sectors::Entity::find().all(db).await?;
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

/// A row that passed every check, waiting to be written.
struct Planned {
    line: u64,
    tax_code: String,
    org: NewOrganization,
}

/// Reads one row into a validated organisation.
struct RowReader<'a> {
    row: &'a SourceRow,
    columns: &'a Columns,
    mapping: &'a ColumnMapping,
    references: &'a References,
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

    fn read(&self, warnings: &mut Vec<RowWarning>) -> Result<NewOrganization, Vec<RowError>> {
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

/// An organisation already on Trama, with what an import may add to.
struct Existing {
    row: organizations::Model,
    sectors: HashSet<String>,
    /// (kind, value) of its contacts.
    contacts: HashSet<(String, String)>,
    next_position: i32,
}

async fn existing_by_tax_code(
    db: &impl ConnectionTrait,
    batch: &[Planned],
) -> Result<HashMap<String, Existing>, AppError> {
    let codes: Vec<&str> = batch.iter().map(|p| p.tax_code.as_str()).collect();
    let rows = organizations::Entity::find()
        .filter(organizations::Column::TaxCode.is_in(codes))
        .all(db)
        .await?;
    if rows.is_empty() {
        return Ok(HashMap::new());
    }
    let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
    let mut sectors: HashMap<Uuid, HashSet<String>> = HashMap::new();
    for s in organization_sectors::Entity::find()
        .filter(organization_sectors::Column::OrganizationId.is_in(ids.clone()))
        .all(db)
        .await?
    {
        sectors
            .entry(s.organization_id)
            .or_default()
            .insert(s.sector_code);
    }
    let mut contacts: HashMap<Uuid, (HashSet<(String, String)>, i32)> = HashMap::new();
    for c in organization_contacts::Entity::find()
        .filter(organization_contacts::Column::OrganizationId.is_in(ids))
        .all(db)
        .await?
    {
        let entry = contacts.entry(c.organization_id).or_default();
        entry.0.insert((c.kind, c.value));
        entry.1 = entry.1.max(c.position + 1);
    }
    Ok(rows
        .into_iter()
        .filter_map(|row| {
            let tax_code = row.tax_code.clone()?;
            let (contacts, next_position) = contacts.remove(&row.id).unwrap_or_default();
            Some((
                tax_code,
                Existing {
                    sectors: sectors.remove(&row.id).unwrap_or_default(),
                    contacts,
                    next_position,
                    row,
                },
            ))
        })
        .collect())
}

/// What one batch writes.
#[derive(Default)]
struct BatchChanges<'a> {
    created: Vec<&'a Planned>,
    updated: Vec<Update>,
}

/// The changes a row brings to an organisation already on Trama.
struct Update {
    row: organizations::ActiveModel,
    id: Uuid,
    tax_code: String,
    new_sectors: Vec<String>,
    new_contacts: Vec<organization_contacts::ActiveModel>,
}

/// The update a row makes to `current`, or `None` when it changes nothing.
fn update_for(current: &Existing, org: &NewOrganization) -> Option<Update> {
    let before = &current.row;
    let mut row: organizations::ActiveModel = before.clone().into();
    let mut changed = false;
    let mut set = |changed_here: bool| changed |= changed_here;

    set(before.name != org.name.as_str());
    row.name = Set(org.name.as_str().to_owned());
    let kind_changed = before.kind != org.kind.as_str();
    set(kind_changed);
    row.kind = Set(org.kind.as_str().to_owned());
    if let Some(vat) = &org.vat_number {
        set(before.vat_number.as_deref() != Some(vat.as_str()));
        row.vat_number = Set(Some(vat.as_str().to_owned()));
    }
    if !org.description.is_empty() {
        set(before.description != org.description.as_str());
        row.description = Set(org.description.as_str().to_owned());
    }
    if let Some(website) = &org.website {
        set(before.website.as_deref() != Some(website.as_str()));
        row.website = Set(Some(website.as_str().to_owned()));
    }
    if let Some(code) = &org.seat_municipality_code {
        set(before.seat_municipality_code.as_deref() != Some(code.as_str()));
        row.seat_municipality_code = Set(Some(code.as_str().to_owned()));
    }
    if let Some(address) = &org.address {
        set(before.address.as_deref() != Some(address.as_str()));
        row.address = Set(Some(address.as_str().to_owned()));
    }
    if let Some(point) = org.coordinates {
        set(before.lat != Some(point.lat()) || before.lon != Some(point.lon()));
        row.lat = Set(Some(point.lat()));
        row.lon = Set(Some(point.lon()));
    }
    if kind_changed {
        row.verification_status = Set(VerificationStatus::Unverified.as_str().to_owned());
        row.verification_source = Set(None);
        row.verified_at = Set(None);
        row.runts_registered = Set(false);
    }
    let new_sectors: Vec<String> = org
        .sectors
        .iter()
        .map(|s| s.as_str().to_owned())
        .filter(|s| !current.sectors.contains(s))
        .collect();
    let at = now();
    let new_contacts: Vec<organization_contacts::ActiveModel> = org
        .contacts
        .iter()
        .filter(|c| {
            !current
                .contacts
                .contains(&(c.kind().as_str().to_owned(), c.value.as_str().to_owned()))
        })
        .enumerate()
        .map(|(offset, c)| contact_row(before.id, c, current.next_position + offset as i32, at))
        .collect();
    if !changed && new_sectors.is_empty() && new_contacts.is_empty() {
        return None;
    }
    row.updated_at = Set(at);
    Some(Update {
        row,
        id: before.id,
        tax_code: before.tax_code.clone().unwrap_or_default(),
        new_sectors,
        new_contacts,
    })
}

fn contact_row(
    organization_id: Uuid,
    contact: &crate::domain::NewContact,
    position: i32,
    at: chrono::DateTime<chrono::Utc>,
) -> organization_contacts::ActiveModel {
    organization_contacts::ActiveModel {
        id: Set(new_id()),
        organization_id: Set(organization_id),
        kind: Set(contact.kind().as_str().to_owned()),
        value: Set(contact.value.as_str().to_owned()),
        label: Set(contact.label.as_ref().map(|l| l.as_str().to_owned())),
        visibility: Set(contact.visibility.as_str().to_owned()),
        position: Set(position),
        created_at: Set(at),
        updated_at: Set(at),
    }
}

/// Writes one batch in `txn`: organisations, their sectors and contacts,
/// their search outbox rows, match refreshes for updated ones (new ones have
/// no offers or needs yet) and one audit row. Returns the newest outbox seq.
async fn write_batch(
    txn: &impl ConnectionTrait,
    actor: &Actor,
    run_id: Uuid,
    source_name: &str,
    changes: &BatchChanges<'_>,
) -> Result<Option<i64>, AppError> {
    if changes.created.is_empty() && changes.updated.is_empty() {
        return Ok(None);
    }
    let at = now();
    let mut org_rows = Vec::with_capacity(changes.created.len());
    let mut sector_rows = Vec::new();
    let mut contact_rows = Vec::new();
    let mut touched = Vec::with_capacity(changes.created.len() + changes.updated.len());
    for planned in &changes.created {
        let org = &planned.org;
        let id = new_id();
        touched.push(id);
        org_rows.push(super::organizations::new_row(id, org, None, actor, at));
        for sector in &org.sectors {
            sector_rows.push(organization_sectors::ActiveModel {
                organization_id: Set(id),
                sector_code: Set(sector.as_str().to_owned()),
            });
        }
        for (position, contact) in org.contacts.iter().enumerate() {
            contact_rows.push(contact_row(id, contact, position as i32, at));
        }
    }
    for chunk in org_rows.chunks(INSERT_CHUNK) {
        organizations::Entity::insert_many(chunk.to_vec())
            .exec(txn)
            .await
            .map_err(|error| {
                // Someone registered one of these tax codes between the
                // lookup and this insert: the batch is rolled back whole.
                if is_unique_violation(&error) {
                    AppError::conflict(
                        "taxCode",
                        "un'organizzazione con uno di questi codici fiscali si è registrata durante l'importazione: il lotto non è stato scritto; rilancia l'importazione, che la aggiornerà",
                        "an organisation with one of these tax codes registered during the import: the batch was not written; run the import again and it will update it",
                    )
                } else {
                    error.into()
                }
            })?;
    }
    for update in &changes.updated {
        touched.push(update.id);
        update.row.clone().update(txn).await?;
        for sector in &update.new_sectors {
            sector_rows.push(organization_sectors::ActiveModel {
                organization_id: Set(update.id),
                sector_code: Set(sector.clone()),
            });
        }
        contact_rows.extend(update.new_contacts.iter().cloned());
        jobs::enqueue(
            txn,
            &Job::RefreshMatches {
                target: MatchTarget::Organization(update.id),
            },
        )
        .await?;
    }
    for chunk in sector_rows.chunks(INSERT_CHUNK) {
        organization_sectors::Entity::insert_many(chunk.to_vec())
            .exec(txn)
            .await?;
    }
    for chunk in contact_rows.chunks(INSERT_CHUNK) {
        organization_contacts::Entity::insert_many(chunk.to_vec())
            .exec(txn)
            .await?;
    }
    let outbox: Vec<search_outbox::ActiveModel> = touched
        .iter()
        .map(|id| search_outbox::ActiveModel {
            entity_type: Set(OutboxEntityType::Organization.as_str().to_owned()),
            entity_id: Set(*id),
            operation: Set(OutboxOperation::Upsert.as_str().to_owned()),
            created_at: Set(at),
            ..Default::default()
        })
        .collect();
    for chunk in outbox.chunks(INSERT_CHUNK) {
        search_outbox::Entity::insert_many(chunk.to_vec())
            .exec(txn)
            .await?;
    }
    audit_log::ActiveModel {
        id: Set(new_id()),
        actor_user_id: Set(actor.user_id),
        actor_label: Set(actor.label.clone()),
        action: Set("organization.import".to_owned()),
        entity_type: Set("import".to_owned()),
        entity_id: Set(run_id),
        changes: Set(json!({
            "source": source_name,
            "created": changes.created.iter().map(|p| p.tax_code.as_str()).collect::<Vec<_>>(),
            "updated": changes.updated.iter().map(|u| u.tax_code.as_str()).collect::<Vec<_>>(),
        })),
        created_at: Set(at),
    }
    .insert(txn)
    .await?;
    newest_outbox_seq(txn).await
}

/// The newest search outbox row: what the index must have applied for a
/// bulk change to be searchable.
pub(crate) async fn newest_outbox_seq(db: &impl ConnectionTrait) -> Result<Option<i64>, AppError> {
    Ok(search_outbox::Entity::find()
        .select_only()
        .expr(Func::max(Expr::col(search_outbox::Column::Seq)))
        .into_tuple::<Option<i64>>()
        .one(db)
        .await?
        .flatten())
}
