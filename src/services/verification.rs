//! Verification from an official registry extract (`trama import registry`):
//! the organisations whose tax code an extract lists (a RUNTS export, a
//! regional register) are marked verified, with the source and the date of
//! the extract. A RUNTS extract also marks them registered third-sector
//! bodies, which is what co-design under art. 55 of the Codice del Terzo
//! Settore requires (see `OrganizationKind::is_third_sector` and the search
//! filter `registeredThirdSectorOnly`).
//!
//! The extract is trusted for what it lists, not for what it leaves out:
//! extracts are often partial (one region, one section), so an organisation
//! missing from it keeps its verification. Rows are read like the
//! organisations import ([`super::registry_file`], the same mapping file);
//! only the tax code column is needed. Each batch is one transaction with
//! the search outbox rows, the match refreshes (verification weighs in
//! matching, and RUNTS registration decides eligibility for art. 55 calls)
//! and one audit row.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, DatabaseConnection, TransactionTrait};
use serde_json::json;
use uuid::Uuid;

use super::import::{ImportError, RowError, RowProblem};
use super::registry_file::SourceTable;
use super::{Actor, audit, enqueue_for_search, new_id, now};
use crate::domain::registry::{ColumnMapping, ImportField};
use crate::domain::{OutboxEntityType, OutboxOperation, TaxCode, VerificationStatus};
use crate::store;
use crate::store::entities::organizations;
use crate::store::jobs::Priority;

/// Tax codes looked up and updated per transaction.
const BATCH: usize = 1_000;

/// The extract being applied.
#[derive(Clone, Debug)]
pub struct RegistrySource {
    /// What the verification says it came from ("RUNTS – estrazione
    /// Lombardia"), shown on the organisation's profile.
    pub name: String,
    /// The date of the extract.
    pub date: DateTime<Utc>,
    /// The extract is of the RUNTS: listed bodies are registered third-sector
    /// bodies.
    pub runts: bool,
    /// Check everything, write nothing.
    pub dry_run: bool,
}

/// What applying an extract did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct VerificationReport {
    /// Data rows in the file.
    pub rows: usize,
    /// Organisations newly verified, or verified again from this extract.
    pub verified: usize,
    /// Already verified by this very source and date.
    pub unchanged: usize,
    /// Valid tax codes of the extract that no organisation on Trama has.
    pub not_on_trama: usize,
    /// Rows refused (a bad tax code, a tax code listed twice).
    pub errors: Vec<RowError>,
    pub last_outbox_seq: Option<i64>,
}

/// Applies a registry extract. Fails when the file has no tax code column
/// or on database errors (earlier batches stay applied: each is whole).
#[tracing::instrument(skip_all, fields(source = %source.name, rows = table.rows.len()))]
pub async fn verify_from_registry(
    db: &DatabaseConnection,
    actor: &Actor,
    table: &SourceTable,
    mapping: &ColumnMapping,
    source: &RegistrySource,
) -> Result<VerificationReport, ImportError> {
    let columns = mapping
        .resolve(&table.headers)
        .map_err(ImportError::MissingColumns)?;
    let Some(position) = columns.position(ImportField::TaxCode) else {
        return Err(ImportError::MissingRequired(vec![ImportField::TaxCode]));
    };
    let column = columns.header(ImportField::TaxCode).map(str::to_owned);
    let mut report = VerificationReport {
        rows: table.rows.len(),
        ..VerificationReport::default()
    };
    let mut first_line: HashMap<String, u64> = HashMap::new();
    let mut listed: Vec<String> = Vec::new();
    for row in &table.rows {
        let refuse = |problem| RowError {
            line: row.line,
            column: column.clone(),
            field: "taxCode".to_owned(),
            problem,
        };
        let raw = row
            .cell(Some(position))
            .map(|t| t.replace(' ', "").to_uppercase())
            .unwrap_or_default();
        match TaxCode::parse(&raw) {
            Err(reason) => report.errors.push(refuse(RowProblem::Invalid(reason))),
            Ok(code) => {
                let code = code.as_str().to_owned();
                if let Some(&line) = first_line.get(&code) {
                    report.errors.push(refuse(RowProblem::DuplicateOf { line }));
                } else {
                    first_line.insert(code.clone(), row.line);
                    listed.push(code);
                }
            }
        }
    }

    let run_id = new_id();
    for batch in listed.chunks(BATCH) {
        let found = store::organizations::existing_with_tax_codes(db, batch)
            .await
            .map_err(crate::error::AppError::from)?;
        report.not_on_trama += batch.len() - found.len();
        let (same, changed): (Vec<_>, Vec<_>) = found.into_iter().partition(|org| {
            org.verification_status == VerificationStatus::Verified
                && org.verification_source.as_deref() == Some(source.name.as_str())
                && org.verified_at == Some(source.date)
                && (org.runts_registered || !source.runts)
        });
        report.unchanged += same.len();
        report.verified += changed.len();
        if source.dry_run || changed.is_empty() {
            continue;
        }
        let txn = db.begin().await?;
        apply(&txn, &changed, source).await?;
        audit(
            &txn,
            actor,
            "organization.verify_from_registry",
            "import",
            run_id,
            json!({
                "source": source.name,
                "date": source.date,
                "runts": source.runts,
                "verified": changed.iter().filter_map(|o| o.tax_code.as_deref()).collect::<Vec<_>>(),
            }),
        )
        .await?;
        report.last_outbox_seq = super::import::newest_outbox_seq(&txn).await?;
        txn.commit().await?;
    }
    report.errors.sort_by_key(|e| e.line);
    Ok(report)
}

async fn apply(
    txn: &impl ConnectionTrait,
    changed: &[organizations::Model],
    source: &RegistrySource,
) -> Result<(), crate::error::AppError> {
    let at = now();
    for org in changed {
        let id: Uuid = org.id;
        // Another registry (a regional list) says nothing about the RUNTS.
        let runts = org.runts_registered || source.runts;
        store::organizations::mark_verified(txn, org.clone(), &source.name, source.date, runts, at)
            .await?;
        enqueue_for_search(
            txn,
            OutboxEntityType::Organization,
            id,
            OutboxOperation::Upsert,
            // A registry verifies thousands at once; nobody waits for each.
            Priority::Bulk,
        )
        .await?;
    }
    Ok(())
}
