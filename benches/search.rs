//! The search benchmark of issue 5: Trama's tantivy search against
//! PostgreSQL full-text search and SQLite FTS5 over the same generated
//! corpus (by default 1,000,000 documents), in the same run.
//!
//! `cargo bench --bench search`; see docs/benchmarks.md for the options
//! (environment variables `TRAMA_BENCH_*`), what is measured and the figures.
//! Under `cargo test --all-targets` (no `--bench` argument) it does nothing.

/// The server's allocator (see `src/main.rs`): the bench measures what it runs.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[path = "search/corpus.rs"]
mod corpus;
#[path = "search/postgres.rs"]
mod postgres;
#[path = "search/queries.rs"]
mod queries;
#[path = "search/rng.rs"]
mod rng;
#[path = "search/sqlite.rs"]
mod sqlite;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::Context;
use trama::search::{CommitPayload, QueryOptions, Ranking, SearchIndex, SearchRequest};

use crate::corpus::{Generator, OpenData};
use crate::postgres::{Postgres, ScratchGuard};
use crate::sqlite::Fts5;

/// Results per query for every engine.
const LIMIT: usize = 10;

struct Config {
    docs: usize,
    seed: u64,
    rounds: usize,
    warmup: usize,
    threads: usize,
    writer_mb: usize,
    postgres_url: String,
    postgres: bool,
    postgres_tuned: bool,
    fts5: bool,
    profile: bool,
    data: PathBuf,
    shipped: PathBuf,
    tmp: PathBuf,
}

fn env_or<T: std::str::FromStr>(name: &str, default: T) -> anyhow::Result<T> {
    match std::env::var(name) {
        Ok(raw) if !raw.trim().is_empty() => raw
            .trim()
            .replace('_', "")
            .parse()
            .map_err(|_| anyhow::anyhow!("{name}={raw} is not a valid value")),
        _ => Ok(default),
    }
}

fn env_flag(name: &str, default: bool) -> bool {
    match std::env::var(name) {
        Ok(raw) => !matches!(raw.trim(), "0" | "false" | "no" | "off" | ""),
        Err(_) => default,
    }
}

impl Config {
    fn from_env() -> anyhow::Result<Self> {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        Ok(Self {
            docs: env_or("TRAMA_BENCH_DOCS", 1_000_000)?,
            seed: env_or("TRAMA_BENCH_SEED", 5)?,
            rounds: env_or("TRAMA_BENCH_ROUNDS", 5usize)?.max(1),
            warmup: env_or("TRAMA_BENCH_WARMUP", 1)?,
            threads: env_or("TRAMA_BENCH_THREADS", cores)?.max(1),
            writer_mb: env_or("TRAMA_BENCH_WRITER_MB", 1500)?,
            postgres_url: std::env::var("TRAMA_BENCH_POSTGRES_URL")
                .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_owned()),
            postgres: env_flag("TRAMA_BENCH_POSTGRES", true),
            postgres_tuned: env_flag("TRAMA_BENCH_POSTGRES_TUNED", true),
            fts5: env_flag("TRAMA_BENCH_FTS5", true),
            profile: env_flag("TRAMA_BENCH_PROFILE", false),
            data: std::env::var_os("TRAMA_BENCH_DATA")
                .map(PathBuf::from)
                .unwrap_or_else(|| root.join("../shared/data")),
            shipped: root.join("assets/opendata"),
            tmp: std::env::var_os("TRAMA_BENCH_TMPDIR")
                .map(PathBuf::from)
                .unwrap_or_else(std::env::temp_dir),
        })
    }
}

// ---------------------------------------------------------------------------
// Memory (Linux)

/// A `kB` field of /proc/<pid>/status, in MB.
fn status_mb(pid: &str, field: &str) -> Option<f64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with(field))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

/// CPU time this process has used (all threads, user and system), from
/// /proc/self/stat, in clock ticks of 1/100 s.
fn cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // The fields after the command name (which may hold spaces) are
    // space-separated; utime and stime are the 14th and 15th of the line.
    let rest = stat.rsplit_once(')')?.1;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let utime: f64 = fields.get(11)?.parse().ok()?;
    let stime: f64 = fields.get(12)?.parse().ok()?;
    Some((utime + stime) / 100.0)
}

/// The 1-minute load average, for the report.
fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|l| l.split_whitespace().next().map(str::to_owned))
        .unwrap_or_else(|| "n/a".to_owned())
}

/// Resets this process's peak resident set (VmHWM) to its current size.
fn reset_peak() -> bool {
    std::fs::write("/proc/self/clear_refs", "5").is_ok()
}

fn mb(value: Option<f64>) -> String {
    value.map_or_else(|| "n/a".to_owned(), |v| format!("{v:.0} MB"))
}

fn dir_size(dir: &Path) -> u64 {
    std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .filter_map(|e| e.metadata().ok())
                .filter(|m| m.is_file())
                .map(|m| m.len())
                .sum()
        })
        .unwrap_or(0)
}

// ---------------------------------------------------------------------------
// Statistics

/// Nearest-rank percentile of sorted samples.
fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

struct Summary {
    p50: Duration,
    p90: Duration,
    p99: Duration,
    max: Duration,
    mean: Duration,
    samples: usize,
}

fn summarise(samples: &[Duration]) -> Summary {
    let mut sorted = samples.to_vec();
    sorted.sort();
    let total: Duration = sorted.iter().sum();
    Summary {
        p50: percentile(&sorted, 50.0),
        p90: percentile(&sorted, 90.0),
        p99: percentile(&sorted, 99.0),
        max: sorted.last().copied().unwrap_or_default(),
        mean: total / (sorted.len().max(1) as u32),
        samples: sorted.len(),
    }
}

fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

// ---------------------------------------------------------------------------
// Engines

/// A configuration of the product's search to measure.
#[derive(Clone, Copy)]
struct Variant {
    name: &'static str,
    facets: bool,
    highlights: bool,
    typo_tolerance: bool,
    synonyms: bool,
}

const PRODUCT: Variant = Variant {
    name: "tantivy (product default)",
    facets: true,
    highlights: true,
    typo_tolerance: true,
    synonyms: true,
};

const LEAN: Variant = Variant {
    name: "tantivy (no facets/highlights)",
    facets: false,
    highlights: false,
    typo_tolerance: true,
    synonyms: true,
};

const PROFILE: &[Variant] = &[
    Variant {
        name: "tantivy (no facets)",
        facets: false,
        ..PRODUCT
    },
    Variant {
        name: "tantivy (no highlights)",
        highlights: false,
        ..PRODUCT
    },
    Variant {
        name: "tantivy (no typo tolerance)",
        typo_tolerance: false,
        ..PRODUCT
    },
    Variant {
        name: "tantivy (no synonyms)",
        synonyms: false,
        ..PRODUCT
    },
];

fn request(query: &str, variant: Variant) -> SearchRequest {
    let mut request = SearchRequest::new(query);
    request.limit = LIMIT;
    request.facets = variant.facets;
    request.highlights = variant.highlights;
    request.options = QueryOptions {
        typo_tolerance: variant.typo_tolerance,
        synonyms: variant.synonyms,
        ..QueryOptions::default()
    };
    request.ranking = Ranking::default();
    request
}

enum Engine {
    Tantivy(Variant),
    Fts5,
    Postgres,
}

struct Engines<'a> {
    index: &'a SearchIndex,
    fts5: Option<&'a mut Fts5>,
    postgres: Option<&'a mut Postgres>,
}

impl Engines<'_> {
    /// Runs one query on one engine; returns the hits returned and the time.
    async fn run(&mut self, engine: &Engine, query: &str) -> anyhow::Result<(usize, Duration)> {
        match engine {
            Engine::Tantivy(variant) => {
                let request = request(query, *variant);
                let started = Instant::now();
                let results = self.index.search(&request)?;
                let elapsed = started.elapsed();
                Ok((results.hits.len(), elapsed))
            }
            Engine::Fts5 => {
                let fts5 = self.fts5.as_deref_mut().context("no FTS5")?;
                // The translation is part of the query's cost.
                let started = Instant::now();
                let rows = match queries::fts5(query) {
                    Some(expression) => fts5.search(&expression).await?,
                    None => 0,
                };
                Ok((rows, started.elapsed()))
            }
            Engine::Postgres => {
                let pg = self.postgres.as_deref_mut().context("no PostgreSQL")?;
                let started = Instant::now();
                let rows = pg.search(query).await?;
                Ok((rows, started.elapsed()))
            }
        }
    }
}

struct Measured {
    name: String,
    samples: Vec<Duration>,
    per_query: Vec<Vec<Duration>>,
    hits: Vec<usize>,
}

// ---------------------------------------------------------------------------
// The run

fn main() -> anyhow::Result<()> {
    if !std::env::args().any(|a| a == "--bench") {
        println!("search benchmark: not run under `cargo test`; use `cargo bench --bench search`");
        return Ok(());
    }
    let config = Config::from_env()?;
    let guard = ScratchGuard::default();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let result = runtime.block_on(run(&config, &guard));
    drop(runtime);
    guard.cleanup();
    result
}

fn verdict(met: bool) -> &'static str {
    if met { "MET" } else { "MISSED" }
}

async fn run(config: &Config, guard: &ScratchGuard) -> anyhow::Result<()> {
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    println!("Trama search benchmark (issue 5)");
    println!(
        "  {} documents, seed {}, {} queries x {} rounds after {} warm-up rounds, {} CPUs, {}",
        thousands(config.docs as u64),
        config.seed,
        queries::QUERIES.len(),
        config.rounds,
        config.warmup,
        cores,
        chrono::Utc::now().format("%Y-%m-%d %H:%M UTC"),
    );

    // --- corpus -----------------------------------------------------------
    let started = Instant::now();
    let data = OpenData::load(&config.data, &config.shipped)?;
    let mut generator = Generator::new(&data, config.seed);
    let (docs, stats) = generator.generate(config.docs);
    drop(generator);
    println!(
        "\nCorpus (from {}): {} municipalities, {} Milano NIL, {} registry associations",
        data.dir.display(),
        thousands(data.municipalities.len() as u64),
        data.neighbourhoods.len(),
        thousands(data.associations.len() as u64),
    );
    println!(
        "  {} organisations ({} with real registry names), {} offers, {} needs; \
         {:.0} words per description, {:.1} MB of text; generated in {:.1} s",
        thousands(stats.organizations as u64),
        thousands(stats.registry_names as u64),
        thousands(stats.offers as u64),
        thousands(stats.needs as u64),
        stats.words as f64 / docs.len().max(1) as f64,
        stats.text_bytes as f64 / 1e6,
        started.elapsed().as_secs_f64(),
    );
    if let Some(doc) = docs.get(1) {
        println!("  e.g. \"{}\": {}", doc.title, shorten(&doc.body, 160));
    }
    let corpus_rss = status_mb("self", "VmRSS:");
    let peak_before = status_mb("self", "VmHWM:");

    let tmp = tempfile::Builder::new()
        .prefix("trama-bench-")
        .tempdir_in(&config.tmp)?;

    // --- tantivy ----------------------------------------------------------
    let peak_reset = reset_peak();
    let index_dir = tmp.path().join("tantivy");
    let (index, _) = SearchIndex::open_or_create(&index_dir)?;
    let cpu_before = cpu_seconds();
    let started = Instant::now();
    let mut writer = index.bulk_writer(config.threads, config.writer_mb * 1_000_000)?;
    for doc in &docs {
        writer.upsert(doc)?;
    }
    let handed_over = started.elapsed();
    writer.commit(CommitPayload { cursor: 0 })?;
    let committed = started.elapsed();
    let cpu_used = cpu_seconds()
        .zip(cpu_before)
        .map(|(after, before)| after - before);
    writer.close();
    let merged = started.elapsed();
    // Opening the reader builds the segments' facet tables (its warmer).
    let reload_started = Instant::now();
    index.reload()?;
    let reloaded = reload_started.elapsed();
    let index_peak = status_mb("self", "VmHWM:");
    let segments = index.reader().searcher().segment_readers().len();
    anyhow::ensure!(
        index.num_docs() == docs.len() as u64,
        "the index holds {} documents, not {}",
        index.num_docs(),
        docs.len()
    );
    let rate = docs.len() as f64 / committed.as_secs_f64();
    let index_met = committed.as_secs_f64() < 60.0 * (docs.len() as f64 / 1e6).max(1e-9);
    println!("\nIndexing");
    println!(
        "  tantivy: {} docs searchable (committed) in {:.1} s = {} docs/s ({} writer threads, {} MB each); \
         background merges done at {:.1} s; {} segments, {:.0} MB on disk",
        thousands(docs.len() as u64),
        committed.as_secs_f64(),
        thousands(rate as u64),
        config.threads,
        config.writer_mb,
        merged.as_secs_f64(),
        segments,
        dir_size(&index_dir) as f64 / 1e6,
    );
    println!(
        "    (all documents handed to the writer at {:.1} s; the commit flushed the last segments)",
        handed_over.as_secs_f64()
    );
    println!(
        "    reader reloaded in {:.2} s, building the facet tables of the segments ({:.0} MB)",
        reloaded.as_secs_f64(),
        index.facet_table_bytes() as f64 / 1e6
    );
    if let Some(cpu) = cpu_used {
        println!(
            "    CPU time used up to the commit: {cpu:.1} s (all threads); on {} idle cores that is at least {:.1} s \
             (wall time on a busy machine is longer)",
            config.threads.min(cores.max(1)),
            cpu / config.threads.min(cores.max(1)) as f64,
        );
    }
    println!(
        "    target: 1M documents in under 60 s (scaled: {:.1} s for this corpus): {}",
        60.0 * docs.len() as f64 / 1e6,
        verdict(index_met)
    );

    // --- SQLite FTS5 --------------------------------------------------------
    let mut fts5 = None;
    let mut fts5_peak = None;
    if config.fts5 {
        reset_peak();
        let (db, times) = Fts5::load(&tmp.path().join("fts5.sqlite"), &docs).await?;
        fts5_peak = status_mb("self", "VmHWM:");
        println!(
            "  SQLite {} FTS5: inserted in {:.1} s ({} docs/s), optimize {:.1} s; {:.0} MB on disk",
            db.version,
            times.insert.as_secs_f64(),
            thousands((docs.len() as f64 / times.insert.as_secs_f64()) as u64),
            times.optimize.as_secs_f64(),
            times.bytes as f64 / 1e6,
        );
        fts5 = Some(db);
    } else {
        println!("  SQLite FTS5: skipped (TRAMA_BENCH_FTS5=0)");
    }

    // --- PostgreSQL -------------------------------------------------------
    let mut pg = None;
    if config.postgres {
        match Postgres::create(&config.postgres_url, guard).await {
            Ok(mut db) => {
                let times = db.load(&config.postgres_url, &docs, config.threads).await?;
                println!(
                    "  PostgreSQL {}: COPY ({} connections) {:.1} s, GIN index {:.1} s, VACUUM ANALYZE {:.1} s; {:.0} MB (table and index)",
                    db.version,
                    config.threads,
                    times.copy.as_secs_f64(),
                    times.index.as_secs_f64(),
                    times.analyze.as_secs_f64(),
                    times.bytes as f64 / 1e6,
                );
                if config.postgres_tuned {
                    db.tune().await?;
                }
                let settings = [
                    "shared_buffers",
                    "work_mem",
                    "jit",
                    "plan_cache_mode",
                    "max_parallel_workers_per_gather",
                ];
                let mut shown = Vec::new();
                for name in settings {
                    shown.push(format!("{name}={}", db.setting(name).await?));
                }
                println!("    session settings: {}", shown.join(", "));
                pg = Some(db);
            }
            Err(error) => println!(
                "  PostgreSQL: not reachable at {} ({error:#}): comparison skipped",
                config.postgres_url
            ),
        }
    } else {
        println!("  PostgreSQL: skipped (TRAMA_BENCH_POSTGRES=0)");
    }

    // --- queries ----------------------------------------------------------
    // The corpus is no longer needed: what stays resident from here on is
    // the engines' own memory.
    drop(docs);
    reset_peak();

    let mut engines: Vec<(Engine, String)> = vec![
        (Engine::Tantivy(PRODUCT), PRODUCT.name.to_owned()),
        (Engine::Tantivy(LEAN), LEAN.name.to_owned()),
    ];
    if config.profile {
        for variant in PROFILE {
            engines.push((Engine::Tantivy(*variant), variant.name.to_owned()));
        }
    }
    if fts5.is_some() {
        engines.push((Engine::Fts5, "SQLite FTS5 (bm25)".to_owned()));
    }
    if pg.is_some() {
        engines.push((Engine::Postgres, "PostgreSQL (ts_rank, GIN)".to_owned()));
    }
    let queries = queries::QUERIES;
    let mut measured: Vec<Measured> = engines
        .iter()
        .map(|(_, name)| Measured {
            name: name.clone(),
            samples: Vec::new(),
            per_query: vec![Vec::new(); queries.len()],
            hits: vec![0; queries.len()],
        })
        .collect();
    let mut set = Engines {
        index: &index,
        fts5: fts5.as_mut(),
        postgres: pg.as_mut(),
    };

    // Round-trip floors: a statement that does nothing.
    let mut floors = Vec::new();
    if let Some(db) = set.fts5.as_deref_mut() {
        floors.push(("SQLite FTS5", summarise(&db.pings(200).await?).p50));
    }
    if let Some(db) = set.postgres.as_deref_mut() {
        floors.push(("PostgreSQL", summarise(&db.pings(200).await?).p50));
    }

    let load_before = load_average();
    let started = Instant::now();
    for _ in 0..config.warmup {
        for query in queries {
            for (engine, _) in &engines {
                set.run(engine, query).await?;
            }
        }
    }
    let warmup_time = started.elapsed();
    let started = Instant::now();
    for round in 0..config.rounds {
        for (qi, query) in queries.iter().enumerate() {
            // Rotate which engine goes first, so none always runs right
            // after another one warmed a shared cache.
            for k in 0..engines.len() {
                let ei = (k + round + qi) % engines.len();
                let (hits, elapsed) = set.run(&engines[ei].0, query).await?;
                let m = &mut measured[ei];
                m.samples.push(elapsed);
                m.per_query[qi].push(elapsed);
                m.hits[qi] = hits;
            }
        }
    }
    let measure_time = started.elapsed();
    let load_after = load_average();
    let query_peak = status_mb("self", "VmHWM:");
    let (rss_anon, rss_file) = (status_mb("self", "RssAnon:"), status_mb("self", "RssFile:"));
    let pg_backend = match set.postgres.as_deref_mut() {
        Some(db) => Some(db.backend_pid().await?),
        None => None,
    };

    // Matching documents per engine, and a digest of the product request's
    // facet counts (not timed): the same seed and size must give the same
    // digest whatever the search's internals, so a run compares with an
    // earlier one.
    let mut totals: Vec<[Option<u64>; 3]> = Vec::new();
    let mut facet_digest = std::collections::hash_map::DefaultHasher::new();
    let mut facet_sum = 0u64;
    for query in queries {
        let facets = index.search(&request(query, PRODUCT))?.facets;
        std::hash::Hash::hash(&format!("{facets:?}"), &mut facet_digest);
        facet_sum += [
            &facets.types,
            &facets.organization_kinds,
            &facets.offer_kinds,
            &facets.need_kinds,
            &facets.sectors,
            &facets.municipalities,
            &facets.neighbourhoods,
            &facets.statuses,
        ]
        .iter()
        .flat_map(|facet| facet.iter().map(|value| value.count))
        .sum::<u64>();
        let tantivy = index.search(&request(query, LEAN))?.total;
        let fts5_total = match (set.fts5.as_deref_mut(), queries::fts5(query)) {
            (Some(db), Some(expression)) => Some(db.count(&expression).await? as u64),
            (Some(_), None) => Some(0),
            _ => None,
        };
        let pg_total = match set.postgres.as_deref_mut() {
            Some(db) => Some(db.count(query).await? as u64),
            None => None,
        };
        totals.push([Some(tantivy), fts5_total, pg_total]);
    }

    // --- report -----------------------------------------------------------
    println!(
        "\nLatency of one search, top {LIMIT}, one query at a time ({} samples per engine: {} queries x {} rounds; \
         warm-up {:.0} s, measurement {:.0} s)",
        queries.len() * config.rounds,
        queries.len(),
        config.rounds,
        warmup_time.as_secs_f64(),
        measure_time.as_secs_f64(),
    );
    println!(
        "  {:<34} {:>9} {:>9} {:>9} {:>9} {:>9}",
        "engine", "p50 ms", "p90 ms", "p99 ms", "max ms", "mean ms"
    );
    let summaries: Vec<Summary> = measured.iter().map(|m| summarise(&m.samples)).collect();
    for (m, s) in measured.iter().zip(&summaries) {
        println!(
            "  {:<34} {:>9.3} {:>9.3} {:>9.3} {:>9.3} {:>9.3}",
            m.name,
            ms(s.p50),
            ms(s.p90),
            ms(s.p99),
            ms(s.max),
            ms(s.mean),
        );
        debug_assert_eq!(s.samples, queries.len() * config.rounds);
    }
    println!(
        "  (machine load average before / after the queries: {load_before} / {load_after}; \
         on a shared machine other work slows every engine alike, as they take turns)"
    );
    for (name, floor) in &floors {
        println!(
            "  ({name}: a `SELECT 1` round trip takes {:.3} ms at p50, included in its figures)",
            ms(*floor)
        );
    }

    let find = |engine: fn(&Engine) -> bool| {
        engines
            .iter()
            .position(|(e, _)| engine(e))
            .map(|i| &summaries[i])
    };
    let product = &summaries[0];
    let lean = &summaries[1];
    let fts5_summary = find(|e| matches!(e, Engine::Fts5));
    let pg_summary = find(|e| matches!(e, Engine::Postgres));
    let ratio =
        |other: Duration, ours: Duration| other.as_secs_f64() / ours.as_secs_f64().max(1e-9);

    println!("\nRatios (other engine's time / tantivy's time; higher is better for tantivy)");
    let mut all_met = index_met;
    for (label, ours) in [("product default", product), ("no facets/highlights", lean)] {
        let headline = std::ptr::eq(ours, product);
        // Each comparator with its p50 and p99 targets.
        for (name, other, p50_target, p99_target) in [
            ("PostgreSQL", pg_summary, 10.0, 20.0),
            ("FTS5", fts5_summary, 5.0, 5.0),
        ] {
            let Some(other) = other else { continue };
            let (r50, r99) = (ratio(other.p50, ours.p50), ratio(other.p99, ours.p99));
            let name = format!("{name} / tantivy ({label}):");
            println!(
                "  {name:<40} p50 {r50:.1}x (target >= {p50_target}x: {}), p99 {r99:.1}x (target >= {p99_target}x: {})",
                verdict(r50 >= p50_target),
                verdict(r99 >= p99_target),
            );
            if headline {
                all_met &= r50 >= p50_target && r99 >= p99_target;
            }
        }
    }
    if pg_summary.is_none() || fts5_summary.is_none() {
        all_met = false;
        println!("  (a comparator was skipped: its targets cannot be judged)");
    }

    println!("\nPeak memory (resident set of this process, VmHWM)");
    println!(
        "  corpus generated and held in memory: {} resident (peak so far {})",
        mb(corpus_rss),
        mb(peak_before),
    );
    if peak_reset {
        println!(
            "  tantivy indexing: peak {} (includes the corpus)",
            mb(index_peak)
        );
        if config.fts5 {
            println!(
                "  SQLite FTS5 load: peak {} (includes the corpus)",
                mb(fts5_peak)
            );
        }
        println!(
            "  query phase, corpus dropped: peak {}; at its end {} of heap (with what the allocator kept of the \
             freed corpus) and {} of memory-mapped files (the tantivy index and the SQLite database pages touched)",
            mb(query_peak),
            mb(rss_anon),
            mb(rss_file),
        );
    } else {
        println!(
            "  (could not reset the peak between phases: overall peak {})",
            mb(query_peak)
        );
    }
    if let Some(pid) = pg_backend {
        let pid = pid.to_string();
        println!(
            "  PostgreSQL runs in its own processes: the query backend (pid {pid}) peaked at {} resident (shared buffers included as touched)",
            mb(status_mb(&pid, "VmHWM:"))
        );
    }

    println!(
        "\nFacet counts of the product request over the {} queries: digest {:016x}, {} counted in all \
         (compare with a run of the same seed and size)",
        queries.len(),
        std::hash::Hasher::finish(&facet_digest),
        thousands(facet_sum),
    );

    println!("\nPer query (median ms of the rounds; hits returned / documents matching)");
    let mut header = format!("  {:<38}", "query");
    for m in &measured {
        header.push_str(&format!(" {:>12}", short_name(&m.name)));
    }
    header.push_str(&format!(
        " {:>9} {:>9} {:>9}",
        "match tv", "match fts", "match pg"
    ));
    println!("{header}");
    let pg_index = engines
        .iter()
        .position(|(e, _)| matches!(e, Engine::Postgres));
    let mut slowest: BTreeMap<u128, &str> = BTreeMap::new();
    for (qi, query) in queries.iter().enumerate() {
        let mut line = format!("  {:<38}", shorten(query, 38));
        for m in &measured {
            let s = summarise(&m.per_query[qi]);
            line.push_str(&format!(" {:>8.2} /{:>2}", ms(s.p50), m.hits[qi]));
        }
        for total in totals[qi] {
            line.push_str(&format!(
                " {:>9}",
                total.map_or_else(|| "-".to_owned(), thousands)
            ));
        }
        println!("{line}");
        if let Some(pi) = pg_index {
            slowest.insert(summarise(&measured[pi].per_query[qi]).p50.as_nanos(), query);
        }
    }
    if let Some((_, query)) = slowest.iter().next_back()
        && let Some(db) = set.postgres.as_deref_mut()
    {
        println!("\nPostgreSQL plan of its slowest query ({query}):");
        for line in db.explain(query).await? {
            println!("    {line}");
        }
    }

    println!(
        "\nAll targets {}",
        if all_met {
            "MET"
        } else {
            "not met (see above)"
        }
    );
    Ok(())
}

fn shorten(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let cut: String = text.chars().take(max.saturating_sub(1)).collect();
    format!("{cut}…")
}

fn short_name(name: &str) -> String {
    match name {
        n if n == PRODUCT.name => "tantivy".to_owned(),
        n if n == LEAN.name => "tv lean".to_owned(),
        n if n.starts_with("SQLite") => "FTS5".to_owned(),
        n if n.starts_with("PostgreSQL") => "PostgreSQL".to_owned(),
        n => n
            .trim_start_matches("tantivy (")
            .trim_end_matches(')')
            .chars()
            .take(12)
            .collect(),
    }
}
