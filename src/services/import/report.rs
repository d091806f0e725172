//! What an import tells its operator: why a row was refused
//! ([`RowProblem`], [`RowError`]), what was read with a doubt
//! ([`RowWarning`]), the totals ([`ImportReport`]) and why the import as a
//! whole failed ([`ImportError`]).

use std::collections::BTreeSet;
use std::fmt;

use crate::domain::registry::{ImportField, label_key};
use crate::domain::{Invalid, Lang, OrganizationKind};
use crate::error::AppError;

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

impl From<crate::store::StoreError> for ImportError {
    fn from(error: crate::store::StoreError) -> Self {
        Self::Failed(error.into())
    }
}

impl From<sea_orm::DbErr> for ImportError {
    fn from(error: sea_orm::DbErr) -> Self {
        Self::Failed(error.into())
    }
}
