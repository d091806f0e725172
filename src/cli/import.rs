//! `trama import organizations` and `trama import registry`: read the file,
//! run the import service, wait until the search index has the result,
//! and report in the operator's language (Italian unless `LANG` is English).

use std::fmt;
use std::time::Duration;

use anyhow::Context;

use super::ImportCommand;
use super::operator_lang;
use super::progress::ProgressLine;
use crate::app;
use crate::config::Settings;
use crate::domain::Lang;
use crate::domain::registry::ColumnMapping;
use crate::search::Search;
use crate::services::import::{
    self, ImportError, ImportOptions, ImportProgress, RowError, RowWarning,
};
use crate::services::registry_file::{self, SourceFormat, SourceTable};
use crate::services::verification::{self, RegistrySource};
use crate::services::{Actor, reference_data};
use crate::store::db;
use sea_orm::DatabaseConnection;

/// Errors printed on the terminal; the rest are counted (all are in the
/// file given with `--report`).
const PRINTED_ERRORS: usize = 200;
/// How long to wait for the search index to take in an import.
const INDEX_WAIT: Duration = Duration::from_secs(600);

/// Some rows were refused and the others imported: the command ends with
/// exit status 2 so that scripts notice.
#[derive(Debug)]
pub struct RowsRefused {
    pub rows: usize,
}

impl fmt::Display for RowsRefused {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} rows refused (see the report above)", self.rows)
    }
}

impl std::error::Error for RowsRefused {}

fn read_table(
    file: &std::path::Path,
    format: Option<&str>,
    lang: Lang,
) -> anyhow::Result<SourceTable> {
    let format = match format {
        Some(raw) => SourceFormat::parse(raw)
            .ok_or_else(|| anyhow::anyhow!("--format {raw:?}: use csv or json"))?,
        None => file
            .file_name()
            .and_then(|n| n.to_str())
            .and_then(SourceFormat::from_file_name)
            .ok_or_else(|| {
                anyhow::anyhow!(
                    "{}: the extension says neither csv nor json; pass --format csv or --format json",
                    file.display()
                )
            })?,
    };
    let bytes = std::fs::read(file).with_context(|| format!("reading {}", file.display()))?;
    let table = registry_file::read(&bytes, format)
        .map_err(|e| anyhow::anyhow!("{}: {}", file.display(), e.message(lang)))?;
    if table.decoded_from_windows_1252 {
        eprintln!(
            "{}",
            match lang {
                Lang::It => "nota: il file non è UTF-8 ed è stato letto come Windows-1252 (Excel)",
                Lang::En => "note: the file is not UTF-8 and was read as Windows-1252 (Excel)",
            }
        );
    }
    Ok(table)
}

fn read_mapping(path: Option<&std::path::Path>, lang: Lang) -> anyhow::Result<ColumnMapping> {
    let Some(path) = path else {
        return Ok(ColumnMapping::default());
    };
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    ColumnMapping::parse_toml(&text)
        .map_err(|e| anyhow::anyhow!("{}: {}", path.display(), e.message(lang)))
}

/// The registry file both imports read, and the `--mapping` that names its
/// columns and values. Fails when either cannot be read or parsed.
fn read_input(
    file: &std::path::Path,
    format: Option<&str>,
    mapping: Option<&std::path::Path>,
    lang: Lang,
) -> anyhow::Result<(SourceTable, ColumnMapping)> {
    Ok((
        read_table(file, format, lang)?,
        read_mapping(mapping, lang)?,
    ))
}

fn print_errors(errors: &[RowError], lang: Lang) {
    for error in errors.iter().take(PRINTED_ERRORS) {
        eprintln!("  {}", error.message(lang));
    }
    if errors.len() > PRINTED_ERRORS {
        eprintln!(
            "  … {} {}",
            errors.len() - PRINTED_ERRORS,
            match lang {
                Lang::It => "altri errori (tutti con --errors FILE)",
                Lang::En => "more errors (all of them with --errors FILE)",
            }
        );
    }
}

/// Every refused row as CSV, for a spreadsheet next to the registry.
fn write_errors(path: &std::path::Path, errors: &[RowError], lang: Lang) -> anyhow::Result<()> {
    let mut writer =
        csv::Writer::from_path(path).with_context(|| format!("creating {}", path.display()))?;
    writer.write_record(match lang {
        Lang::It => ["riga", "colonna", "campo", "codice", "messaggio"],
        Lang::En => ["line", "column", "field", "code", "message"],
    })?;
    for error in errors {
        writer.write_record([
            error.line.to_string().as_str(),
            error.column.as_deref().unwrap_or(""),
            error.field.as_str(),
            error.problem.code(),
            error.problem.message(lang).as_str(),
        ])?;
    }
    writer
        .flush()
        .with_context(|| format!("writing {}", path.display()))?;
    Ok(())
}

/// Waits until the search index has applied `seq`, with a progress bar.
async fn wait_until_searchable(
    search: &Search,
    seq: Option<i64>,
    lang: Lang,
) -> anyhow::Result<()> {
    let Some(seq) = seq else { return Ok(()) };
    let mut bar = ProgressLine::on_stderr();
    let label = match lang {
        Lang::It => "indicizzazione",
        Lang::En => "indexing",
    };
    let start = search
        .index()
        .committed_payload()
        .ok()
        .flatten()
        .map_or(0, |p| p.cursor);
    let total = u64::try_from(seq - start).unwrap_or(0);
    let reached = search
        .wait_for_outbox(seq, INDEX_WAIT, &mut |cursor| {
            bar.show(label, u64::try_from(cursor - start).unwrap_or(0), total);
        })
        .await;
    bar.finish();
    if !reached {
        anyhow::bail!(
            "the data is saved, but the search index has not taken it in after {} s: it will \
             by itself (a running server's indexer, or this command's next run)",
            INDEX_WAIT.as_secs()
        );
    }
    Ok(())
}

/// The search index the import feeds (this process's own writer).
fn open_search(db: &DatabaseConnection, settings: &Settings) -> anyhow::Result<Search> {
    Search::start(db.clone(), &settings.index_dir()).with_context(|| {
        format!(
            "opening the search index in {}",
            settings.index_dir().display()
        )
    })
}

/// Waits until the index has applied `seq` ([`wait_until_searchable`]), then
/// shuts the index down whether or not it got there.
async fn searchable_then_shut_down(
    search: &Search,
    seq: Option<i64>,
    lang: Lang,
) -> anyhow::Result<()> {
    let searchable = wait_until_searchable(search, seq, lang).await;
    search.shutdown().await;
    searchable
}

pub async fn run(settings: Settings, command: ImportCommand) -> anyhow::Result<()> {
    let lang = operator_lang();
    let db = app::connect_database(&settings).await?;
    db::migrate(&db).await.context("applying migrations")?;
    // Rows name municipalities and sectors: the reference data must be there.
    reference_data::ensure_loaded(&db).await?;
    let actor = Actor::system("import");
    match command {
        ImportCommand::Organizations {
            file,
            format,
            mapping,
            all_or_nothing,
            dry_run,
            errors,
            ..
        } => {
            let (table, mapping) = read_input(&file, format.as_deref(), mapping.as_deref(), lang)?;
            let options = ImportOptions {
                source_name: file
                    .file_name()
                    .map_or_else(String::new, |n| n.to_string_lossy().into_owned()),
                all_or_nothing,
                dry_run,
            };
            let search = open_search(&db, &settings)?;
            let mut bar = ProgressLine::on_stderr();
            let (checking, writing) = match lang {
                Lang::It => ("controllo righe", "scrittura"),
                Lang::En => ("checking rows", "writing"),
            };
            let started = std::time::Instant::now();
            let mut writing_from = None;
            let outcome = import::import_organizations(
                &db,
                &actor,
                &table,
                &mapping,
                &options,
                &mut |progress| match progress {
                    ImportProgress::Checking { done, total } => {
                        bar.show(checking, done as u64, total as u64);
                    }
                    ImportProgress::Writing { done, total } => {
                        writing_from.get_or_insert_with(std::time::Instant::now);
                        bar.show(writing, done as u64, total as u64);
                    }
                },
            )
            .await;
            let written = std::time::Instant::now();
            bar.finish();
            let report = match outcome {
                Ok(report) => report,
                Err(ImportError::Aborted(report)) => {
                    print_errors(&report.errors, lang);
                    if let Some(path) = &errors {
                        write_errors(path, &report.errors, lang)?;
                    }
                    search.shutdown().await;
                    anyhow::bail!("{}", ImportError::Aborted(report).message(lang));
                }
                Err(other) => {
                    search.shutdown().await;
                    anyhow::bail!("{}", other.message(lang));
                }
            };
            searchable_then_shut_down(&search, report.last_outbox_seq, lang).await?;
            let writing_from = writing_from.unwrap_or(written);
            tracing::info!(
                checking_s = (writing_from - started).as_secs_f64(),
                writing_s = (written - writing_from).as_secs_f64(),
                indexing_s = written.elapsed().as_secs_f64(),
                "import timings"
            );
            print_errors(&report.errors, lang);
            if let Some(path) = &errors {
                write_errors(path, &report.errors, lang)?;
            }
            for line in RowWarning::summarise(&report.warnings, lang)
                .iter()
                .take(PRINTED_ERRORS)
            {
                eprintln!("  {line}");
            }
            let rejected = report.rejected_rows();
            println!("{}", report.summary(&options.source_name, dry_run, lang));
            if rejected > 0 {
                return Err(RowsRefused { rows: rejected }.into());
            }
            Ok(())
        }
        ImportCommand::Registry {
            file,
            source,
            date,
            runts,
            format,
            mapping,
            dry_run,
            ..
        } => {
            let (table, mapping) = read_input(&file, format.as_deref(), mapping.as_deref(), lang)?;
            let source_name = source.trim().to_owned();
            if source_name.is_empty() {
                anyhow::bail!(
                    "--source: say where the extract comes from, e.g. \"RUNTS - estrazione Lombardia\""
                );
            }
            let today = chrono::Utc::now().date_naive();
            let date = date.unwrap_or(today);
            // Neither from before anything Trama records, nor from the future.
            if let Err(reason) = crate::domain::dates::plausible_day(date) {
                anyhow::bail!("--date: {}", reason.message(lang));
            }
            if date > today {
                anyhow::bail!(
                    "--date: {}",
                    match lang {
                        Lang::It => "la data dell'estrazione non può essere nel futuro",
                        Lang::En => "the date of the extract cannot be in the future",
                    }
                );
            }
            let source = RegistrySource {
                name: source_name,
                date: date.and_time(chrono::NaiveTime::MIN).and_utc(),
                runts,
                dry_run,
            };
            let search = open_search(&db, &settings)?;
            let outcome =
                verification::verify_from_registry(&db, &actor, &table, &mapping, &source).await;
            let report = match outcome {
                Ok(report) => report,
                Err(error) => {
                    search.shutdown().await;
                    anyhow::bail!("{}", error.message(lang));
                }
            };
            searchable_then_shut_down(&search, report.last_outbox_seq, lang).await?;
            print_errors(&report.errors, lang);
            let rejected = report.errors.len();
            // One sentence in both languages: only the words differ.
            let [rows, verified, unchanged, not_on_trama, refused, trial] = match lang {
                Lang::It => [
                    "righe",
                    "organizzazioni verificate",
                    "già verificate da questa fonte",
                    "codici non presenti su Trama",
                    "righe rifiutate",
                    " (prova: nulla è stato scritto)",
                ],
                Lang::En => [
                    "rows",
                    "organisations verified",
                    "already verified by this source",
                    "tax codes not on Trama",
                    "rows refused",
                    " (dry run: nothing was written)",
                ],
            };
            println!(
                "{}: {} {rows}; {} {verified}, {} {unchanged}, {} {not_on_trama}; {rejected} {refused}{}",
                source.name,
                report.rows,
                report.verified,
                report.unchanged,
                report.not_on_trama,
                if dry_run { trial } else { "" }
            );
            if rejected > 0 {
                return Err(RowsRefused { rows: rejected }.into());
            }
            Ok(())
        }
    }
}
