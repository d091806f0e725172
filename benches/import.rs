//! Registry import benchmark (`cargo bench --bench import`): how long the
//! real `trama import organizations` command takes for a registry of
//! 100,000 organisations, from the file to the last one searchable, against
//! the per-row path (one `services::organizations::create` transaction per
//! organisation, as the registration form does) in the same run.
//!
//! The registry is generated deterministically: real municipalities (with
//! their province) from the project's `assets/opendata`, real association
//! names from the 5x1000 list recombined, legal forms as registries write
//! them, sector labels, e-mails, a description, valid tax codes. The
//! command runs as a subprocess on a fresh data directory, twice: the first
//! import (everything created, indexed), then the same file again
//! (everything unchanged: the idempotent path); on SQLite, then on
//! PostgreSQL over TCP and over its Unix socket, each in a scratch database
//! of its own (created, and dropped at the end). The per-row peer creates a
//! sample of the same rows and is extrapolated.
//!
//! Targets: 100,000 rows under 30 s including indexing (issue 7), and the
//! PostgreSQL import over TCP within 1.3x of the same over the Unix socket
//! (issue 17: sqlx 0.9.0 without `TCP_NODELAY` took 43 s against 18 s; see
//! `vendor/README.md`). The bench prints a verdict for each.
//!
//! Settings (environment): `TRAMA_BENCH_ROWS` (100,000),
//! `TRAMA_BENCH_PEER_ROWS` (2,000), `TRAMA_BENCH_POSTGRES_URL` (the server,
//! over TCP: `postgres://postgres@127.0.0.1:5432/postgres`),
//! `TRAMA_BENCH_POSTGRES_SOCKET` (the directory of its Unix socket:
//! `/var/run/postgresql`), `TRAMA_BENCH_POSTGRES=0` and
//! `TRAMA_BENCH_SQLITE=0` to skip a database.

/// The server's allocator (see `src/main.rs`): the bench measures what it runs.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[path = "shared/util.rs"]
mod util;

use std::fmt::Write as _;
use std::path::Path;
use std::process::Command;
use std::str::FromStr as _;
use std::time::{Duration, Instant};

use anyhow::Context as _;
use sqlx::postgres::{PgConnectOptions, PgConnection};
use sqlx::{AssertSqlSafe, Connection as _};

use trama::app::AppState;
use trama::config::Settings;
use trama::domain::OrganizationInput;
use trama::services::{Actor, organizations};

use crate::util::{Rng, env_usize};

const MUNICIPALITIES_CSV: &str = include_str!("../assets/opendata/comuni-italia/comuni_italia.csv");
const ASD_CSV: &str = include_str!("../assets/opendata/asd-5x1000-2014/asd_provincia_milano.csv");

/// An 11-digit tax code for an organisation: ten digits and their check digit.
fn tax_code(body: u64) -> String {
    let digits: Vec<u32> = format!("{body:010}")
        .chars()
        .filter_map(|c| c.to_digit(10))
        .collect();
    let sum: u32 = digits
        .iter()
        .enumerate()
        .map(|(at, &d)| {
            if at % 2 == 0 {
                d
            } else {
                let doubled = d * 2;
                if doubled > 9 { doubled - 9 } else { doubled }
            }
        })
        .sum();
    format!("{body:010}{}", (10 - sum % 10) % 10)
}

const LEGAL_FORMS: &[&str] = &[
    "ODV",
    "APS",
    "Associazione di promozione sociale",
    "Organizzazione di volontariato",
    "Cooperativa sociale di tipo A",
    "Cooperativa sociale di tipo B",
    "Fondazione",
    "Associazione",
    "ASD",
    "Impresa sociale",
    "ONLUS",
    "Cooperativa di comunità",
];
const SECTORS: &[&str] = &[
    "Anziani",
    "Sport",
    "Cultura e animazione",
    "Educazione, infanzia e giovani",
    "Abitare e housing sociale",
    "Inclusione digitale",
    "Ambiente e verde",
    "Salute e assistenza",
    "Migranti e intercultura",
    "Formazione e inserimento lavorativo",
];
const ACTIVITIES: &[&str] = &[
    "doposcuola e aiuto compiti per ragazzi delle medie",
    "portierato sociale e piccole manutenzioni nei cortili",
    "accompagnamento degli anziani soli alle visite mediche",
    "corsi di italiano per donne migranti con servizio di baby sitting",
    "orti condivisi e cura del verde di quartiere",
    "sportello di orientamento al lavoro per giovani NEET",
    "laboratori di riparazione di biciclette e piccoli elettrodomestici",
    "attività sportive dilettantistiche per bambini e adulti",
    "mediazione dei conflitti di vicinato nelle case popolari",
    "distribuzione di pacchi alimentari e recupero delle eccedenze",
];

/// The registry as a CSV file: `rows` organisations.
fn registry(rows: usize) -> String {
    let mut rng = Rng(0x5eed_1234_abcd_0001);
    let municipalities: Vec<(String, String)> =
        csv::Reader::from_reader(MUNICIPALITIES_CSV.as_bytes())
            .records()
            .filter_map(Result::ok)
            .filter_map(|r| Some((r.get(1)?.to_owned(), r.get(2)?.to_owned())))
            .collect();
    let words: Vec<String> = csv::Reader::from_reader(ASD_CSV.as_bytes())
        .records()
        .filter_map(Result::ok)
        .filter_map(|r| r.get(1).map(str::to_owned))
        .flat_map(|name| {
            name.split_whitespace()
                .filter(|w| w.len() > 3 && w.chars().all(char::is_alphabetic))
                .map(str::to_owned)
                .collect::<Vec<_>>()
        })
        .collect();
    let mut out = String::from(
        "codice_fiscale;denominazione;forma_giuridica;comune;provincia;settori;email;descrizione\n",
    );
    for i in 0..rows {
        let (town, province) = rng.pick(&municipalities).clone();
        let form = rng.pick(LEGAL_FORMS);
        let name = format!(
            "{} {} {} {}",
            rng.pick(&[
                "Associazione",
                "Circolo",
                "Cooperativa",
                "Comitato",
                "Centro",
                "Rete"
            ]),
            rng.pick(&words),
            rng.pick(&words),
            i
        );
        let sectors = format!("{}|{}", rng.pick(SECTORS), rng.pick(SECTORS));
        let email = format!("info{i}@ente{}.it", rng.below(1_000_000));
        let description = format!(
            "Ci occupiamo di {} a {town}, con volontari e operatori del territorio, e di {}.",
            rng.pick(ACTIVITIES),
            rng.pick(ACTIVITIES)
        );
        let _ = writeln!(
            out,
            "{};{name};{form};{town};{province};{sectors};{email};{description}",
            tax_code(8_000_000_000 + i as u64)
        );
    }
    out
}

/// Runs `trama import organizations` on `file`, against `database_url`
/// (SQLite in `data_dir` when `None`); returns its wall-clock time and the
/// summary line it printed.
fn run_command(
    file: &Path,
    data_dir: &Path,
    database_url: Option<&str>,
) -> anyhow::Result<(Duration, String)> {
    let mut command = Command::new(env!("CARGO_BIN_EXE_trama"));
    command
        .args(["import", "organizations"])
        .arg(file)
        .arg("--data-dir")
        .arg(data_dir)
        .env("TRAMA_LOG", "warn,trama::cli=info")
        .env("LANG", "en_GB.UTF-8")
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES");
    match database_url {
        Some(url) => {
            command.env("TRAMA_DATABASE_URL", url);
        }
        None => {
            command.env_remove("TRAMA_DATABASE_URL");
        }
    }
    let started = Instant::now();
    let output = command.output()?;
    let elapsed = started.elapsed();
    let stdout = String::from_utf8_lossy(&output.stdout).trim().to_owned();
    if !output.status.success() {
        anyhow::bail!(
            "trama import failed ({}): {stdout}\n{}",
            output.status,
            String::from_utf8_lossy(&output.stderr)
        );
    }
    // The command logs how long each phase took.
    let phases = String::from_utf8_lossy(&output.stderr)
        .lines()
        .find(|line| line.contains("import timings"))
        .map(strip_ansi)
        .and_then(|line| {
            line.split_once("import timings")
                .map(|(_, p)| p.trim().to_owned())
        })
        .unwrap_or_default();
    Ok((elapsed, format!("{stdout}\n  phases: {phases}")))
}

/// A log line without its terminal colours.
fn strip_ansi(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            for c in chars.by_ref() {
                if c.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// The per-row path: `organizations::create` for the first `rows` rows.
async fn per_row(text: &str, rows: usize) -> anyhow::Result<Duration> {
    let dir = tempfile::tempdir()?;
    let mut settings = Settings::for_data_dir(dir.path());
    settings.log = "warn".to_owned();
    let state = AppState::open(settings).await?;
    trama::services::reference_data::load_municipalities(&state.db).await?;
    let table = trama::services::registry_file::read(
        text.as_bytes(),
        trama::services::registry_file::SourceFormat::Csv,
    )?;
    let actor = Actor::system("bench");
    let inputs: Vec<OrganizationInput> = table
        .rows
        .iter()
        .take(rows)
        .map(|row| {
            let cell = |at: usize| row.cell(Some(at)).unwrap_or_default().to_owned();
            OrganizationInput {
                name: cell(1),
                kind: trama::domain::registry::kind_from_legal_form(&cell(2))
                    .map_or("association", |k| k.as_str())
                    .to_owned(),
                tax_code: Some(cell(0)),
                description: cell(7),
                ..OrganizationInput::default()
            }
        })
        .collect();
    let started = Instant::now();
    for input in &inputs {
        organizations::create(&state.db, &actor, input, None).await?;
    }
    let elapsed = started.elapsed();
    state.search.shutdown().await;
    Ok(elapsed)
}

/// Seconds within which the first import of 100,000 rows must be searchable.
const TARGET_SECS: f64 = 30.0;
/// Most the PostgreSQL import over TCP may take, against the Unix socket.
const TARGET_TCP_OVER_SOCKET: f64 = 1.3;

/// Where the command's runs go.
struct Database {
    label: &'static str,
    /// `None`: SQLite in the run's data directory.
    url: Option<String>,
}

/// The scratch databases made on the PostgreSQL server, to drop at the end.
struct Scratch {
    admin: PgConnectOptions,
    names: Vec<String>,
}

impl Scratch {
    async fn connect(admin: &PgConnectOptions) -> anyhow::Result<PgConnection> {
        tokio::time::timeout(Duration::from_secs(5), PgConnection::connect_with(admin))
            .await
            .context("timed out")?
            .context("connecting to PostgreSQL")
    }

    /// Creates an empty database `name` (dropping a leftover first).
    async fn create(&mut self, name: &str) -> anyhow::Result<()> {
        let mut admin = Self::connect(&self.admin).await?;
        self.names.push(name.to_owned());
        for sql in [
            format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
            format!("CREATE DATABASE {name}"),
        ] {
            sqlx::query(AssertSqlSafe(sql)).execute(&mut admin).await?;
        }
        admin.close().await?;
        Ok(())
    }

    async fn drop_all(&mut self) {
        let mut admin = match Self::connect(&self.admin).await {
            Ok(admin) => admin,
            Err(error) => {
                eprintln!(
                    "PostgreSQL: could not drop {} ({error:#}); drop them by hand",
                    self.names.join(", ")
                );
                return;
            }
        };
        for name in self.names.drain(..) {
            let sql = format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)");
            if let Err(error) = sqlx::query(AssertSqlSafe(sql)).execute(&mut admin).await {
                eprintln!("PostgreSQL: could not drop {name} ({error}); drop it by hand");
            }
        }
        let _ = admin.close().await;
    }
}

/// The PostgreSQL runs: the same server over TCP and over its Unix socket
/// in `socket_dir`, each in a scratch database of its own.
async fn postgres_databases(
    scratch: &mut Scratch,
    admin_url: &str,
    socket_dir: &str,
) -> anyhow::Result<Vec<Database>> {
    let mut admin = Scratch::connect(&scratch.admin).await?;
    let (version,): (String,) = sqlx::query_as("SHOW server_version")
        .fetch_one(&mut admin)
        .await?;
    admin.close().await?;
    println!("PostgreSQL {version} at {}", scratch.admin.get_host());
    let mut databases = Vec::new();
    for (label, via_socket) in [
        ("PostgreSQL over TCP", false),
        ("PostgreSQL over the Unix socket", true),
    ] {
        let name = format!(
            "trama_bench_import_{}_{}",
            std::process::id(),
            if via_socket { "socket" } else { "tcp" }
        );
        scratch.create(&name).await?;
        // The admin URL with its user and password, another database and,
        // for the socket, sqlx's `host` parameter naming its directory.
        let mut url = url::Url::parse(admin_url)?;
        url.set_path(&name);
        if via_socket {
            url.set_host(Some("localhost"))?;
            url.query_pairs_mut().append_pair("host", socket_dir);
        }
        databases.push(Database {
            label,
            url: Some(url.to_string()),
        });
    }
    Ok(databases)
}

/// What one database's two command runs took.
struct Timed {
    label: &'static str,
    first: Duration,
}

/// The first import and the same file again on `database`, printed.
fn run_database(file: &Path, rows: usize, database: &Database) -> anyhow::Result<Timed> {
    let data = tempfile::tempdir()?;
    let url = database.url.as_deref();
    let mut first = None;
    for run in [
        "first import (create + index, includes migrations and loading the 7,904 municipalities)",
        "same file again (all unchanged)",
    ] {
        let (took, summary) = run_command(file, data.path(), url)?;
        println!(
            "{}: {run}: {:.1} s = {:.0} rows/s\n  {summary}",
            database.label,
            took.as_secs_f64(),
            rows as f64 / took.as_secs_f64()
        );
        first.get_or_insert(took);
    }
    let first = first.unwrap_or_default();
    Ok(Timed {
        label: database.label,
        first,
    })
}

/// "met", or "MISSED by ..." when `value` exceeds `limit`.
fn verdict(value: f64, limit: f64) -> String {
    if value <= limit {
        "met".to_owned()
    } else {
        format!("MISSED by {:.0}%", (value / limit - 1.0) * 100.0)
    }
}

fn main() -> anyhow::Result<()> {
    // `cargo test --all-targets` runs bench binaries without `--bench`.
    if !std::env::args().any(|a| a == "--bench") {
        println!("import benchmark: not run under `cargo test`; use `cargo bench --bench import`");
        return Ok(());
    }
    let rows = env_usize("TRAMA_BENCH_ROWS", 100_000);
    let peer_rows = env_usize("TRAMA_BENCH_PEER_ROWS", 2_000).min(rows);
    let flag = |name: &str| std::env::var(name).map_or(true, |v| v != "0");
    let admin_url = std::env::var("TRAMA_BENCH_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_owned());
    let socket_dir = std::env::var("TRAMA_BENCH_POSTGRES_SOCKET")
        .unwrap_or_else(|_| "/var/run/postgresql".to_owned());
    let dir = tempfile::tempdir()?;
    let file = dir.path().join("registro.csv");
    let text = registry(rows);
    std::fs::write(&file, &text)?;
    println!(
        "Trama registry import benchmark: {rows} rows ({:.1} MB CSV)",
        text.len() as f64 / 1e6
    );
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;

    let mut databases = Vec::new();
    if flag("TRAMA_BENCH_SQLITE") {
        databases.push(Database {
            label: "SQLite",
            url: None,
        });
    }
    let mut scratch = Scratch {
        admin: PgConnectOptions::from_str(&admin_url)?,
        names: Vec::new(),
    };
    if flag("TRAMA_BENCH_POSTGRES") {
        match runtime.block_on(postgres_databases(&mut scratch, &admin_url, &socket_dir)) {
            Ok(postgres) => databases.extend(postgres),
            Err(error) => {
                println!("PostgreSQL: skipped ({error:#}; TRAMA_BENCH_POSTGRES_URL={admin_url})")
            }
        }
    }
    let timed: anyhow::Result<Vec<Timed>> = databases
        .iter()
        .map(|database| run_database(&file, rows, database))
        .collect();
    runtime.block_on(scratch.drop_all());
    let timed = timed?;

    let peer = runtime.block_on(per_row(&text, peer_rows))?;
    let peer_rate = peer_rows as f64 / peer.as_secs_f64();
    let peer_projected = rows as f64 / peer_rate;
    println!(
        "per-row peer (organizations::create, one transaction each, SQLite, without waiting for the index): {peer_rows} rows in {:.1} s = {peer_rate:.0} rows/s, projected {peer_projected:.0} s for {rows}",
        peer.as_secs_f64()
    );
    for run in &timed {
        let secs = run.first.as_secs_f64();
        println!(
            "{}: the import command is {:.1}x the per-row path; verdict: {rows} rows under {TARGET_SECS:.0} s including indexing: {} ({secs:.1} s)",
            run.label,
            peer_projected / secs,
            verdict(secs, TARGET_SECS)
        );
    }
    let first = |label: &str| {
        timed
            .iter()
            .find(|run| run.label.contains(label))
            .map(|run| run.first.as_secs_f64())
    };
    if let (Some(tcp), Some(socket)) = (first("TCP"), first("socket")) {
        let ratio = tcp / socket;
        println!(
            "ratio PostgreSQL TCP / Unix socket: {ratio:.2}x ({tcp:.1} s against {socket:.1} s); verdict: TCP within {TARGET_TCP_OVER_SOCKET}x of the socket: {}",
            verdict(ratio, TARGET_TCP_OVER_SOCKET)
        );
    }
    Ok(())
}
