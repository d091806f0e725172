//! The `trama` command line: `serve`, `migrate`, `seed --demo`, and the
//! subcommands later work adds (import, reindex, match, digests, export).
//! Commands report failures with `anyhow`, in full, on stderr.

use anyhow::Context;
use clap::{Parser, Subcommand};

use crate::app::{self, AppState, Application};
use crate::config::{
    DatabaseArgs, IndexArgs, LinkArgs, LogArgs, MailArgs, MatchingArgs, ServerArgs, Settings,
};
use crate::domain::Lang;
use crate::store::db;

mod import;
mod progress;

pub use import::RowsRefused;

/// Trama: the social economy's needs and offers, matched.
#[derive(Debug, Parser)]
#[command(name = "trama", version, about, long_about = None)]
pub struct Cli {
    #[command(flatten)]
    pub log: LogArgs,

    #[command(subcommand)]
    pub command: Command,
}

impl Cli {
    /// The settings in force: the flags and variables of the option groups
    /// the subcommand takes, the defaults for the others (which it does not
    /// use).
    pub fn settings(&self) -> Settings {
        let mut settings = Settings::default();
        self.log.apply(&mut settings);
        let apply_data = |settings: &mut Settings, database: &DatabaseArgs, index: &IndexArgs| {
            database.apply(settings);
            index.apply(settings);
        };
        match &self.command {
            Command::Serve {
                database,
                index,
                matching,
                links,
                mail,
                server,
                ..
            } => {
                apply_data(&mut settings, database, index);
                matching.apply(&mut settings);
                links.apply(&mut settings);
                mail.apply(&mut settings);
                server.apply(&mut settings);
            }
            Command::Seed {
                database,
                index,
                matching,
                ..
            }
            | Command::Match {
                database,
                index,
                matching,
                ..
            } => {
                apply_data(&mut settings, database, index);
                matching.apply(&mut settings);
            }
            Command::Reindex { database, index } => apply_data(&mut settings, database, index),
            Command::Migrate { database, .. } | Command::Export { database, .. } => {
                database.apply(&mut settings);
            }
            Command::Users { command } => match command {
                UsersCommand::GrantModerator { database, .. }
                | UsersCommand::RevokeModerator { database, .. } => database.apply(&mut settings),
            },
            Command::Import { command } => match command {
                ImportCommand::Organizations {
                    database, index, ..
                }
                | ImportCommand::Registry {
                    database, index, ..
                } => apply_data(&mut settings, database, index),
            },
            Command::Digests { command } => match command {
                DigestsCommand::Send {
                    database,
                    index,
                    links,
                    mail,
                    ..
                } => {
                    apply_data(&mut settings, database, index);
                    links.apply(&mut settings);
                    mail.apply(&mut settings);
                }
                DigestsCommand::Preview {
                    database,
                    index,
                    links,
                    ..
                } => {
                    apply_data(&mut settings, database, index);
                    links.apply(&mut settings);
                }
            },
            Command::GraphqlSchema { .. } => {}
        }
        settings
    }
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Apply pending migrations, then serve the web app and the API.
    Serve {
        /// Load the demo data first (only into an empty database).
        #[arg(long)]
        demo: bool,
        #[command(flatten)]
        database: DatabaseArgs,
        #[command(flatten)]
        index: IndexArgs,
        #[command(flatten)]
        matching: MatchingArgs,
        #[command(flatten)]
        links: LinkArgs,
        #[command(flatten)]
        mail: MailArgs,
        #[command(flatten)]
        server: ServerArgs,
    },
    /// Apply pending database migrations, load the reference data
    /// (municipalities, Milano's NIL, sectors) that changed, and exit.
    Migrate {
        /// Only list applied and pending migrations.
        #[arg(long)]
        status: bool,
        #[command(flatten)]
        database: DatabaseArgs,
    },
    /// Load data into the database.
    Seed {
        /// The demo of the Milano metropolitan area: territories, organisations,
        /// offers and needs. Running it again changes nothing.
        #[arg(long)]
        demo: bool,
        #[command(flatten)]
        database: DatabaseArgs,
        #[command(flatten)]
        index: IndexArgs,
        #[command(flatten)]
        matching: MatchingArgs,
    },
    /// Manage accounts from the command line.
    Users {
        #[command(subcommand)]
        command: UsersCommand,
    },
    /// Rebuild the search index from the database and exit. The index
    /// directory must not be in use: stop the server first (or simply delete
    /// the directory and restart: it rebuilds itself).
    Reindex {
        #[command(flatten)]
        database: DatabaseArgs,
        #[command(flatten)]
        index: IndexArgs,
    },
    /// Recompute matches between needs and offers. A running server keeps
    /// them up to date by itself; this is for after changing the matching
    /// configuration, or to check that nothing drifted.
    Match {
        /// Every need and offer (the only mode for now).
        #[arg(long)]
        all: bool,
        #[command(flatten)]
        database: DatabaseArgs,
        #[command(flatten)]
        index: IndexArgs,
        #[command(flatten)]
        matching: MatchingArgs,
    },
    /// Import a registry of organisations, or verify organisations against
    /// an official registry extract (RUNTS).
    Import {
        #[command(subcommand)]
        command: ImportCommand,
    },
    /// E-mail digests of new matches.
    Digests {
        #[command(subcommand)]
        command: DigestsCommand,
    },
    /// Export the public needs, offers or signed pacts as open data (the
    /// columns are described in docs/opendata.md; the same files are served
    /// at /opendata/needs.csv and so on). Runs beside a server.
    Export {
        /// needs, offers or pacts.
        #[arg(long)]
        what: String,
        /// csv or json.
        #[arg(long, default_value = "csv")]
        format: String,
        /// Write to this file instead of standard output.
        #[arg(long)]
        out: Option<std::path::PathBuf>,
        #[command(flatten)]
        database: DatabaseArgs,
    },
    /// Print the GraphQL schema (SDL), or write it to a file. The committed
    /// `graphql/schema.graphql` is written with `trama graphql-schema --write graphql/schema.graphql`.
    GraphqlSchema {
        /// Write to this file instead of standard output.
        #[arg(long)]
        write: Option<std::path::PathBuf>,
    },
}

#[derive(Debug, Subcommand)]
pub enum DigestsCommand {
    /// Plan the digests that are due and send them now (a running server
    /// does this by itself every few seconds; claims in the database keep
    /// the two from sending one digest twice).
    Send {
        /// Only say who would get a digest and how many items, recording
        /// and sending nothing.
        #[arg(long)]
        dry_run: bool,
        /// Only this user's digest, made due now.
        #[arg(long)]
        user: Option<String>,
        #[command(flatten)]
        database: DatabaseArgs,
        #[command(flatten)]
        index: IndexArgs,
        #[command(flatten)]
        links: LinkArgs,
        #[command(flatten)]
        mail: MailArgs,
    },
    /// Print the HTML of the digest a user would get now (nothing is
    /// recorded; its links do not work).
    Preview {
        #[arg(long)]
        user: String,
        #[command(flatten)]
        database: DatabaseArgs,
        #[command(flatten)]
        index: IndexArgs,
        #[command(flatten)]
        links: LinkArgs,
    },
}

#[derive(Debug, Subcommand)]
pub enum ImportCommand {
    /// Create or update organisations from a registry file (CSV or JSON).
    /// A row whose tax code is already on Trama updates that organisation;
    /// each refused row is reported with its line and reason and the rest
    /// goes in. Headers such as "codice fiscale", "denominazione", "forma
    /// giuridica", "comune" are recognised; --mapping renames others. The
    /// organisations are searchable when the command returns. Exit status:
    /// 0 all rows imported, 2 some rows refused, 1 nothing imported.
    Organizations {
        /// The registry file.
        file: std::path::PathBuf,
        /// csv or json (JSON array or one object per line); by default the
        /// file's extension.
        #[arg(long)]
        format: Option<String>,
        /// A TOML file: [columns] field = "header", [defaults], [kinds],
        /// [sectors] (see docs/import.md).
        #[arg(long)]
        mapping: Option<std::path::PathBuf>,
        /// One refused row aborts the import with nothing written.
        #[arg(long)]
        all_or_nothing: bool,
        /// Check every row and report, writing nothing.
        #[arg(long)]
        dry_run: bool,
        /// Also write every refused row to this CSV file (line, column,
        /// field, code, message), for a spreadsheet: the terminal shows the
        /// first 200.
        #[arg(long)]
        errors: Option<std::path::PathBuf>,
        #[command(flatten)]
        database: DatabaseArgs,
        #[command(flatten)]
        index: IndexArgs,
    },
    /// Mark as verified the organisations whose tax code an official
    /// registry extract lists (only the tax code column is needed).
    Registry {
        /// The extract (CSV or JSON).
        file: std::path::PathBuf,
        /// Where the extract comes from, shown on each profile, e.g.
        /// "RUNTS - estrazione Lombardia".
        #[arg(long)]
        source: String,
        /// The date of the extract (YYYY-MM-DD); today by default.
        #[arg(long)]
        date: Option<chrono::NaiveDate>,
        /// The extract is of the RUNTS: listed bodies are registered
        /// third-sector bodies, eligible for co-design under art. 55.
        #[arg(long)]
        runts: bool,
        #[arg(long)]
        format: Option<String>,
        #[arg(long)]
        mapping: Option<std::path::PathBuf>,
        #[arg(long)]
        dry_run: bool,
        #[command(flatten)]
        database: DatabaseArgs,
        #[command(flatten)]
        index: IndexArgs,
    },
}

#[derive(Debug, Subcommand)]
pub enum UsersCommand {
    /// Make an existing account a platform moderator.
    GrantModerator {
        email: String,
        #[command(flatten)]
        database: DatabaseArgs,
    },
    /// Withdraw the moderator role from an account.
    RevokeModerator {
        email: String,
        #[command(flatten)]
        database: DatabaseArgs,
    },
}

/// Runs the parsed command line.
pub async fn run(cli: Cli) -> anyhow::Result<()> {
    let settings = cli.settings();
    match cli.command {
        Command::Serve { demo, .. } => {
            tracing::info!(database = %settings.database_url_for_log(), data_dir = %settings.data_dir.display(), "starting");
            let state = AppState::open(settings).await?;
            if demo {
                let report = crate::seed::demo(&state.db)
                    .await
                    .context("loading the demo data")?;
                tracing::info!(%report, "demo data");
            }
            Application::with_state(state)
                .await?
                .run_until_stopped()
                .await
        }
        Command::Migrate { status, .. } => {
            let db = app::connect_database(&settings).await?;
            if !status {
                db::migrate(&db).await.context("applying migrations")?;
                let report = crate::services::reference_data::ensure_loaded(&db)
                    .await
                    .context("loading the reference data")?;
                println!("{report}");
            }
            let (applied, pending) = db::migration_status(&db).await?;
            println!("applied: {}", applied.len());
            for name in &applied {
                println!("  {name}");
            }
            println!("pending: {}", pending.len());
            for name in &pending {
                println!("  {name}");
            }
            Ok(())
        }
        Command::Users { command } => {
            let db = app::connect_database(&settings).await?;
            db::migrate(&db).await.context("applying migrations")?;
            let (email, moderator) = match &command {
                UsersCommand::GrantModerator { email, .. } => (email, true),
                UsersCommand::RevokeModerator { email, .. } => (email, false),
            };
            let user = crate::services::accounts::set_moderator(&db, email, moderator)
                .await
                .map_err(|e| anyhow::anyhow!("{}", e.message(crate::domain::Lang::En)))?;
            println!(
                "{} is {} a moderator",
                user.email,
                if user.is_moderator {
                    "now"
                } else {
                    "no longer"
                }
            );
            Ok(())
        }
        Command::Digests { command } => digests(settings, command).await,
        Command::Import { command } => import::run(settings, command).await,
        Command::Export {
            what, format, out, ..
        } => export(settings, &what, &format, out).await,
        Command::GraphqlSchema { write } => {
            let sdl = crate::graphql::sdl();
            match write {
                Some(path) => std::fs::write(&path, sdl)
                    .with_context(|| format!("writing {}", path.display()))?,
                None => print!("{sdl}"),
            }
            Ok(())
        }
        Command::Reindex { .. } => {
            let db = app::connect_database(&settings).await?;
            db::migrate(&db).await.context("applying migrations")?;
            let dir = settings.index_dir();
            let documents = crate::search::indexer::reindex(db, &dir)
                .await
                .with_context(|| {
                    format!(
                        "rebuilding the search index in {} (if a server uses it, stop the server \
                         first, or delete the directory and restart the server: it rebuilds it)",
                        dir.display()
                    )
                })?;
            println!(
                "search index rebuilt in {}: {documents} documents",
                dir.display()
            );
            Ok(())
        }
        Command::Match { all, .. } => {
            if !all {
                anyhow::bail!("say what to recompute: pass --all for every need and offer");
            }
            let state = AppState::open(settings).await?;
            let started = std::time::Instant::now();
            let report =
                crate::services::matches::recompute_all(crate::services::matches::Engine {
                    db: &state.db,
                    reads: &state.readers,
                    search: &state.search,
                    matcher: &state.matcher,
                })
                .await
                .context("recomputing the matches")?;
            println!(
                "matches recomputed in {:.1} s: {} proposed ({} new, {} updated, {} removed)",
                started.elapsed().as_secs_f64(),
                report.proposed,
                report.inserted,
                report.updated,
                report.deleted
            );
            state.search.shutdown().await;
            Ok(())
        }
        Command::Seed { demo, .. } => {
            if !demo {
                anyhow::bail!("nothing to seed: pass --demo to load the demo data");
            }
            let state = AppState::open(settings).await?;
            let report = crate::seed::demo(&state.db)
                .await
                .context("loading the demo data")?;
            println!("{report}");
            Ok(())
        }
    }
}

/// `trama export …`: the database only, so it runs beside a server.
async fn export(
    settings: Settings,
    what: &str,
    format: &str,
    out: Option<std::path::PathBuf>,
) -> anyhow::Result<()> {
    use crate::services::opendata::{Dataset, ExportFormat, Exporter};
    let english =
        |e: crate::error::AppError| anyhow::anyhow!("{}", e.message(crate::domain::Lang::En));
    let dataset = Dataset::parse(what, "--what").map_err(english)?;
    let format = ExportFormat::parse(format, "--format").map_err(english)?;
    let db = app::connect_database(&settings).await?;
    db::migrate(&db).await.context("applying migrations")?;
    let exporter = Exporter::new(db, dataset, format);
    match out {
        Some(path) => {
            // Written beside the target and renamed, so that a failed export
            // never leaves half a file under the final name.
            let partial = path.with_extension("partial");
            let file = std::fs::File::create(&partial)
                .with_context(|| format!("creating {}", partial.display()))?;
            let mut writer = std::io::BufWriter::new(file);
            let rows = exporter
                .write_all(&mut writer)
                .await
                .with_context(|| format!("exporting {}", dataset.as_str()))?;
            drop(writer);
            std::fs::rename(&partial, &path)
                .with_context(|| format!("writing {}", path.display()))?;
            eprintln!("{rows} {} written to {}", dataset.as_str(), path.display());
        }
        None => {
            let stdout = std::io::stdout();
            let mut writer = std::io::BufWriter::new(stdout.lock());
            match exporter.write_all(&mut writer).await {
                Ok(_) => {}
                // `trama export … | head` closes the pipe early: not an error.
                Err(error)
                    if error
                        .downcast_ref::<std::io::Error>()
                        .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe) => {}
                Err(error) => {
                    return Err(error.context(format!("exporting {}", dataset.as_str())));
                }
            }
        }
    }
    Ok(())
}

/// `trama digests …`: the database, the mailer and the search index (read
/// only when a server holds it: saved searches run on it), so it runs
/// beside a server.
async fn digests(settings: Settings, command: DigestsCommand) -> anyhow::Result<()> {
    let db = app::connect_database(&settings).await?;
    db::migrate(&db).await.context("applying migrations")?;
    let search = crate::search::Search::start(db.clone(), &settings.index_dir())
        .context("opening the search index")?;
    if !search
        .wait_until_current(std::time::Duration::from_secs(60))
        .await
    {
        eprintln!("the search index is still catching up: saved searches may miss recent postings");
    }
    let matcher =
        crate::matching::Matcher::from_file_or_builtin(settings.matching_config.as_deref())
            .context("reading the matching configuration")?;
    let result = digests_with(&db, &search, &matcher, &settings, command).await;
    search.shutdown().await;
    result
}

async fn digests_with(
    db: &sea_orm::DatabaseConnection,
    search: &crate::search::Search,
    matcher: &crate::matching::Matcher,
    settings: &Settings,
    command: DigestsCommand,
) -> anyhow::Result<()> {
    let planner = digests::Planner {
        search,
        matcher,
        per_posting: settings.digest_matches_per_posting,
    };
    use crate::services::digests::{self, DryRun};
    let lang = operator_lang();
    let explained = |e: crate::error::AppError| anyhow::anyhow!("{}", e.message(lang));
    match command {
        DigestsCommand::Preview { user, .. } => {
            match digests::preview(db, planner, settings, &user)
                .await
                .map_err(explained)?
            {
                Some(rendered) => print!("{}", rendered.html),
                None => eprintln!(
                    "{}",
                    match lang {
                        Lang::It =>
                            format!("{user}: niente di nuovo, nessun riepilogo sarebbe inviato"),
                        Lang::En => format!("{user} has nothing new: no digest would be sent"),
                    }
                ),
            }
            Ok(())
        }
        DigestsCommand::Send {
            dry_run: true,
            user,
            ..
        } => {
            let users = match user {
                Some(email) => vec![
                    digests::user_by_email(db, &email)
                        .await
                        .map_err(explained)?,
                ],
                None => digests::due_users(db, crate::services::now())
                    .await
                    .map_err(explained)?,
            };
            if users.is_empty() {
                println!(
                    "{}",
                    match lang {
                        Lang::It =>
                            "Nessun riepilogo da inviare ora: nessuna iscrizione è in scadenza.",
                        Lang::En => "No digest to send now: no subscription is due.",
                    }
                );
            }
            for user in users {
                let outcome = digests::dry_run(db, planner, settings, &user)
                    .await
                    .map_err(explained)?;
                let said = match (outcome, lang) {
                    (DryRun::Digest { items }, Lang::It) => {
                        format!("un riepilogo con {items} novità")
                    }
                    (DryRun::Digest { items: 1 }, Lang::En) => "a digest of 1 item".to_owned(),
                    (DryRun::Digest { items }, Lang::En) => format!("a digest of {items} items"),
                    (DryRun::NothingNew, Lang::It) => {
                        "niente di nuovo, nessun riepilogo".to_owned()
                    }
                    (DryRun::NothingNew, Lang::En) => "nothing new, no digest".to_owned(),
                    (DryRun::Off, Lang::It) => {
                        "riepiloghi disattivati (iscrizione annullata): non riceve nulla".to_owned()
                    }
                    (DryRun::Off, Lang::En) => {
                        "digests are off (unsubscribed): nothing is sent".to_owned()
                    }
                    (DryRun::NotVerified, Lang::It) => {
                        "indirizzo non ancora confermato: nessun riepilogo".to_owned()
                    }
                    (DryRun::NotVerified, Lang::En) => {
                        "address not confirmed yet: no digest".to_owned()
                    }
                };
                println!("{}: {said}", user.email);
            }
            println!(
                "{}",
                match lang {
                    Lang::It => "(prova: nulla è stato registrato né inviato)",
                    Lang::En => "(dry run: nothing was recorded or sent)",
                }
            );
            Ok(())
        }
        DigestsCommand::Send {
            dry_run: false,
            user,
            ..
        } => {
            let at = crate::services::now();
            if let Some(email) = user {
                let user = digests::user_by_email(db, &email)
                    .await
                    .map_err(explained)?;
                if !digests::make_due(db, &user, at).await.map_err(explained)? {
                    println!(
                        "{}",
                        match lang {
                            Lang::It => format!(
                                "{email}: riepiloghi disattivati (iscrizione annullata): nessun invio"
                            ),
                            Lang::En =>
                                format!("{email}: digests are off (unsubscribed): nothing sent"),
                        }
                    );
                    return Ok(());
                }
            }
            let mailer = crate::mail::Mailer::from_settings(settings)
                .await
                .context("setting up outgoing mail")?;
            let worker = format!("cli:{}", std::process::id());
            let report = digests::run_once(
                digests::Sender {
                    db,
                    search,
                    matcher,
                    mailer: &mailer,
                    settings,
                    worker: &worker,
                },
                at,
            )
            .await
            .map_err(explained)?;
            mailer.shutdown().await;
            println!(
                "{}",
                match lang {
                    Lang::It => format!(
                        "riepiloghi: {} inviati, {} da ritentare, {} rifiutati, {} abbandonati, {} annullati",
                        report.sent, report.retry, report.failed, report.given_up, report.cancelled
                    ),
                    Lang::En => format!(
                        "digests: {} sent, {} to retry, {} refused, {} given up, {} cancelled",
                        report.sent, report.retry, report.failed, report.given_up, report.cancelled
                    ),
                }
            );
            Ok(())
        }
    }
}

/// The operator's language: Italian unless the environment asks for
/// English.
pub(crate) fn operator_lang() -> Lang {
    ["LC_ALL", "LC_MESSAGES", "LANG"]
        .iter()
        .filter_map(|name| std::env::var(name).ok())
        .find(|value| !value.is_empty())
        .map_or(Lang::It, |value| {
            if value.starts_with("en") {
                Lang::En
            } else {
                Lang::It
            }
        })
}
