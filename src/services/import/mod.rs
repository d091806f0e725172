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
//!
//! # The folder
//!
//! This module holds the use-case ([`import_organizations`]); `report` what
//! it tells the operator (row problems, warnings, the totals), `rows` how a
//! row is read and checked, `batch` how checked rows are compared with what
//! is on Trama and written. Its queries are in [`crate::store::import`].

mod batch;
mod report;
mod rows;

use std::collections::HashMap;

use super::registry_file::SourceTable;
use sea_orm::{DatabaseConnection, TransactionTrait};

use super::{Actor, new_id};
use crate::domain::NewOrganization;
use crate::domain::registry::{ColumnMapping, Columns, ImportField};

use self::batch::{BatchPlan, existing_by_tax_code, plan_batch, write_batch};
pub use self::report::{ImportError, ImportReport, RowError, RowProblem, RowWarning};
use self::rows::{References, RowReader};
pub(crate) use crate::store::import::newest_outbox_seq;

/// Rows written per transaction (when not all or nothing).
pub const BATCH: usize = 1_000;

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

/// Imports the organisations of `table`. Row problems are in the report
/// (and abort everything with [`ImportOptions::all_or_nothing`]); the
/// import fails outright only when the file lacks a required column or on
/// database errors (earlier batches then stay written, unless all or
/// nothing).
#[tracing::instrument(skip_all, fields(source = %options.source_name, rows = table.rows.len()))]
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
        let BatchPlan {
            changes,
            unchanged,
            deleted,
        } = plan_batch(batch, &existing);
        report.unchanged += unchanged;
        report
            .errors
            .extend(deleted.into_iter().map(|line| RowError {
                line,
                column: None,
                field: "taxCode".to_owned(),
                problem: RowProblem::Deleted,
            }));
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

/// A row that passed every check, waiting to be written.
struct Planned {
    line: u64,
    tax_code: String,
    org: NewOrganization,
}
