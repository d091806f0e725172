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
//! command runs as a subprocess on a fresh SQLite data directory, twice:
//! the first import (everything created, indexed), then the same file again
//! (everything unchanged: the idempotent path). The per-row peer creates a
//! sample of the same rows and is extrapolated.
//!
//! Settings (environment): `TRAMA_BENCH_ROWS` (100,000),
//! `TRAMA_BENCH_PEER_ROWS` (2,000), `TRAMA_BENCH_DATABASE_URL` (an empty
//! PostgreSQL database, instead of SQLite, for the command runs).

#[path = "shared/util.rs"]
mod util;

use std::fmt::Write as _;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

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

/// Runs `trama import organizations` on `file`; returns its wall-clock time
/// and the summary line it printed.
fn run_command(file: &Path, data_dir: &Path) -> anyhow::Result<(Duration, String)> {
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
    match std::env::var("TRAMA_BENCH_DATABASE_URL") {
        Ok(url) => {
            command.env("TRAMA_DATABASE_URL", url);
        }
        Err(_) => {
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

fn main() -> anyhow::Result<()> {
    // `cargo test --all-targets` runs bench binaries without `--bench`.
    if !std::env::args().any(|a| a == "--bench") {
        println!("import benchmark: not run under `cargo test`; use `cargo bench --bench import`");
        return Ok(());
    }
    let rows = env_usize("TRAMA_BENCH_ROWS", 100_000);
    let peer_rows = env_usize("TRAMA_BENCH_PEER_ROWS", 2_000).min(rows);
    let dir = tempfile::tempdir()?;
    let file = dir.path().join("registro.csv");
    let text = registry(rows);
    std::fs::write(&file, &text)?;
    let database = if std::env::var("TRAMA_BENCH_DATABASE_URL").is_ok() {
        "PostgreSQL"
    } else {
        "SQLite"
    };
    println!(
        "Trama registry import benchmark: {rows} rows ({:.1} MB CSV), {database}",
        text.len() as f64 / 1e6
    );

    let data = dir.path().join("data");
    let (first, summary) = run_command(&file, &data)?;
    println!(
        "first import (create + index, includes migrations and loading the 7,904 municipalities): {:.1} s = {:.0} rows/s\n  {summary}",
        first.as_secs_f64(),
        rows as f64 / first.as_secs_f64()
    );
    let (again, summary) = run_command(&file, &data)?;
    println!(
        "same file again (all unchanged): {:.1} s = {:.0} rows/s\n  {summary}",
        again.as_secs_f64(),
        rows as f64 / again.as_secs_f64()
    );

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let peer = runtime.block_on(per_row(&text, peer_rows))?;
    let peer_rate = peer_rows as f64 / peer.as_secs_f64();
    let peer_projected = rows as f64 / peer_rate;
    println!(
        "per-row peer (organizations::create, one transaction each, SQLite, without waiting for the index): {peer_rows} rows in {:.1} s = {peer_rate:.0} rows/s, projected {peer_projected:.0} s for {rows}",
        peer.as_secs_f64()
    );
    println!(
        "ratio: the import command is {:.1}x the per-row path; target: {rows} rows under 30 s including indexing: {}",
        peer_projected / first.as_secs_f64(),
        if first.as_secs_f64() < 30.0 {
            "met"
        } else {
            "MISSED"
        }
    );
    Ok(())
}
