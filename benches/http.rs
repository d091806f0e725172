//! GraphQL over HTTP against a bare handler (`cargo bench --bench http`):
//! how much of the search library's speed reaches a client through Trama's
//! real server.
//!
//! One process holds the demo data (a temporary SQLite database and index)
//! and serves it twice: through Trama's own server (`Application`, with its
//! middleware, limits and GraphQL), and through a bare axum handler that
//! runs the same search and returns it as JSON. A load generator in the same
//! process keeps `TRAMA_BENCH_CONNECTIONS` (64) keep-alive connections busy
//! with a mix of queries a person types, in alternating rounds of
//! `TRAMA_BENCH_ROUND_SECS` (3) seconds on each side, `TRAMA_BENCH_ROUNDS`
//! (4) times, so a passing load on this shared machine slows both sides
//! alike. Every response body is checked: an HTTP error, a GraphQL error or
//! a missing result counts as an error.
//!
//! It prints requests per second, p50 and p99 for:
//! - the library alone (`Search::search`, no HTTP), for reference;
//! - the bare handler;
//! - GraphQL `search` selecting what the bare handler returns (total, facet
//!   counts, hits with highlights): the like-for-like figure of the target,
//!   GraphQL at least 0.5x the bare handler;
//! - the web app's own `Search` operation (records, labels, places), read
//!   from `graphql/operations/public.graphql`: what a person's search costs.
//!
//! The load generator shares the two cores with the servers, so absolute
//! rates are lower than a separate client would see; the ratio is the
//! figure to read.

/// The server's allocator (see `src/main.rs`): the bench measures what it runs.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[path = "shared/util.rs"]
mod util;

use std::future::IntoFuture;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use axum::extract::State;
use axum::routing::post;
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use tokio::net::TcpListener;
use trama::app::{AppState, Application};
use trama::config::Settings;
use trama::search::{Search, SearchRequest};

use crate::util::env_usize;

/// What people type into the search box of the demo: services, places,
/// kinds of help, a misspelling, a phrase.
const QUERIES: &[&str] = &[
    "portierato sociale",
    "abitare collaborativo",
    "spazi da rigenerare",
    "volontari",
    "Lorenteggio",
    "orti urbani",
    "mediazione dei conflitti",
    "housing sociale",
    "doposcuola",
    "cooperativa",
    "bando quartieri",
    "anziani soli",
    "microcredito",
    "ALER",
    "giardino condiviso",
    "portineria di quartiere",
    "formazione lavoro giovani",
    "Niguarda",
    "prestito",
    "sala per riunioni",
];

/// GraphQL selecting what the bare handler returns.
const LEAN_QUERY: &str = "query LeanSearch($query: String!) {
  search(query: $query, first: 10) {
    totalCount
    facets {
      type { value count }
      needKind { value count }
      offerKind { value count }
      organizationKind { value count }
      sector { value count }
      municipality { value count }
      neighbourhood { value count }
    }
    nodes { id type score highlights { field fragments } }
  }
}";

/// The web app's operations, whose `Search` is what a person's search sends.
const APP_OPERATIONS: &str = include_str!("../graphql/operations/public.graphql");

/// The bare handler's request.
#[derive(Deserialize)]
struct BareRequest {
    query: String,
}

#[derive(Serialize)]
struct BareFacetValue {
    value: String,
    count: u64,
}

#[derive(Serialize)]
struct BareHighlight {
    field: &'static str,
    fragments: Vec<String>,
}

#[derive(Serialize)]
struct BareHit {
    id: String,
    r#type: String,
    score: f32,
    highlights: Vec<BareHighlight>,
}

/// The bare handler's answer: what the lean GraphQL query selects.
#[derive(Serialize)]
struct BareResults {
    total: u64,
    facets: Vec<(&'static str, Vec<BareFacetValue>)>,
    hits: Vec<BareHit>,
}

fn facet(values: &[trama::search::FacetValue]) -> Vec<BareFacetValue> {
    values
        .iter()
        .map(|v| BareFacetValue {
            value: v.value.clone(),
            count: v.count,
        })
        .collect()
}

/// The same search the GraphQL resolver runs (first 10, facets and
/// highlights on), answered as plain JSON.
async fn bare_search(
    State(search): State<Search>,
    Json(request): Json<BareRequest>,
) -> Result<Json<BareResults>, (axum::http::StatusCode, String)> {
    let mut search_request = SearchRequest::new(request.query);
    search_request.limit = 10;
    let results = search.search(search_request).await.map_err(|e| {
        (
            axum::http::StatusCode::SERVICE_UNAVAILABLE,
            format!("search failed: {e}"),
        )
    })?;
    let f = &results.facets;
    Ok(Json(BareResults {
        total: results.total,
        facets: vec![
            ("type", facet(&f.types)),
            ("needKind", facet(&f.need_kinds)),
            ("offerKind", facet(&f.offer_kinds)),
            ("organizationKind", facet(&f.organization_kinds)),
            ("sector", facet(&f.sectors)),
            ("municipality", facet(&f.municipalities)),
            ("neighbourhood", facet(&f.neighbourhoods)),
        ],
        hits: results
            .hits
            .into_iter()
            .map(|hit| BareHit {
                id: hit.id.to_string(),
                r#type: format!("{:?}", hit.doc_type),
                score: hit.score,
                highlights: hit
                    .highlights
                    .into_iter()
                    .map(|h| BareHighlight {
                        field: h.field,
                        fragments: h.fragments,
                    })
                    .collect(),
            })
            .collect(),
    }))
}

/// One side of the comparison.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Side {
    Library,
    Bare,
    GraphqlLean,
    GraphqlApp,
}

impl Side {
    fn name(self) -> &'static str {
        match self {
            Side::Library => "library",
            Side::Bare => "bare",
            Side::GraphqlLean => "lean",
            Side::GraphqlApp => "app",
        }
    }

    fn label(self) -> &'static str {
        match self {
            Side::Library => "library alone (Search::search, no HTTP)",
            Side::Bare => "bare axum JSON handler",
            Side::GraphqlLean => "GraphQL search, same selection",
            Side::GraphqlApp => "GraphQL search, the web app's Search operation",
        }
    }
}

/// Latencies and errors of one side, over all its rounds.
#[derive(Default)]
struct Tally {
    latencies: Vec<Duration>,
    errors: u64,
    busy: Duration,
    first_error: Option<String>,
}

impl Tally {
    fn rate(&self) -> f64 {
        self.latencies.len() as f64 / self.busy.as_secs_f64().max(f64::EPSILON)
    }

    fn percentile(&self, p: f64) -> Duration {
        let mut sorted = self.latencies.clone();
        sorted.sort_unstable();
        if sorted.is_empty() {
            return Duration::ZERO;
        }
        let at = ((sorted.len() as f64 - 1.0) * p).round() as usize;
        sorted[at.min(sorted.len() - 1)]
    }
}

/// Where each side is served.
struct Targets {
    graphql: String,
    bare: String,
    search: Search,
    app_operation: String,
}

/// Sends one request of `side` and checks its body; returns an error
/// message when the answer is not a complete result.
async fn one(
    client: &reqwest::Client,
    targets: &Targets,
    side: Side,
    query: &str,
) -> Result<(), String> {
    let body: Value = match side {
        Side::Library => {
            let mut request = SearchRequest::new(query);
            request.limit = 10;
            return targets
                .search
                .search(request)
                .await
                .map(|_| ())
                .map_err(|e| e.to_string());
        }
        Side::Bare => json!({ "query": query }),
        Side::GraphqlLean => json!({ "query": LEAN_QUERY, "variables": { "query": query } }),
        Side::GraphqlApp => json!({
            "query": targets.app_operation,
            "operationName": "Search",
            "variables": { "query": query, "first": 10, "lang": "IT" },
        }),
    };
    let url = if side == Side::Bare {
        &targets.bare
    } else {
        &targets.graphql
    };
    let response = client
        .post(url)
        .json(&body)
        .send()
        .await
        .map_err(|e| format!("request: {e}"))?;
    let status = response.status();
    let answer: Value = response.json().await.map_err(|e| format!("body: {e}"))?;
    if !status.is_success() {
        return Err(format!("HTTP {status}: {answer}"));
    }
    let complete = match side {
        Side::Bare => answer.get("total").is_some(),
        _ => {
            if let Some(errors) = answer.get("errors") {
                return Err(format!("GraphQL errors: {errors}"));
            }
            answer.pointer("/data/search/totalCount").is_some()
        }
    };
    if complete {
        Ok(())
    } else {
        Err(format!("incomplete answer: {answer}"))
    }
}

/// Keeps `connections` requests of `side` in flight for `secs` seconds.
async fn round(
    client: &reqwest::Client,
    targets: &Arc<Targets>,
    side: Side,
    connections: usize,
    secs: u64,
    tally: &mut Tally,
) {
    let stop = Arc::new(AtomicBool::new(false));
    let next_query = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..connections {
        let client = client.clone();
        let targets = Arc::clone(targets);
        let stop = Arc::clone(&stop);
        let next_query = Arc::clone(&next_query);
        tasks.spawn(async move {
            let mut latencies = Vec::new();
            let mut errors = 0u64;
            let mut first_error = None;
            while !stop.load(Ordering::Relaxed) {
                let n = next_query.fetch_add(1, Ordering::Relaxed) as usize;
                let query = QUERIES[n % QUERIES.len()];
                let sent = Instant::now();
                match one(&client, &targets, side, query).await {
                    Ok(()) => latencies.push(sent.elapsed()),
                    Err(message) => {
                        errors += 1;
                        first_error.get_or_insert(message);
                    }
                }
            }
            (latencies, errors, first_error)
        });
    }
    tokio::time::sleep(Duration::from_secs(secs)).await;
    stop.store(true, Ordering::Relaxed);
    while let Some(done) = tasks.join_next().await {
        if let Ok((latencies, errors, first_error)) = done {
            tally.latencies.extend(latencies);
            tally.errors += errors;
            if tally.first_error.is_none() {
                tally.first_error = first_error;
            }
        }
    }
    tally.busy += started.elapsed();
}

fn millis(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

#[tokio::main]
async fn main() {
    // `cargo test --all-targets` runs bench binaries without `--bench`.
    if !std::env::args().any(|a| a == "--bench") {
        println!("http benchmark: not run under `cargo test`; use `cargo bench --bench http`");
        return;
    }
    if let Err(error) = run().await {
        eprintln!("http benchmark failed: {error:#}");
        std::process::exit(1);
    }
}

async fn run() -> anyhow::Result<()> {
    let connections = env_usize("TRAMA_BENCH_CONNECTIONS", 64);
    let rounds = env_usize("TRAMA_BENCH_ROUNDS", 4);
    let round_secs = env_usize("TRAMA_BENCH_ROUND_SECS", 3) as u64;

    let dir = tempfile::tempdir().context("temporary directory")?;
    let mut settings = Settings::for_data_dir(dir.path());
    settings.listen = SocketAddr::from(([127, 0, 0, 1], 0));
    settings.max_connections = connections * 4;
    settings.database_max_connections = 16;
    let state = AppState::open(settings)
        .await
        .context("opening the state")?;
    let loading = Instant::now();
    let report = trama::seed::demo(&state.db)
        .await
        .context("loading the demo data")?;
    if !state
        .search
        .wait_until_current(Duration::from_secs(300))
        .await
    {
        bail!("the search index did not catch up with the demo data in 5 minutes");
    }
    println!(
        "demo data loaded and indexed in {:.1} s: {report}",
        loading.elapsed().as_secs_f64()
    );

    let app = Application::with_state(state.clone())
        .await
        .context("binding Trama's server")?;
    let graphql = format!("http://127.0.0.1:{}/graphql", app.port());
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(app.run_until(async move {
        let _ = stop_rx.await;
    }));

    // The demo queues a match refresh for every posting; the worker of the
    // server just started runs them. They are let finish first, so that
    // neither side is measured against them.
    let draining = Instant::now();
    loop {
        let pending = trama::store::jobs::pending(&state.db)
            .await
            .context("counting pending jobs")?;
        if pending == 0 || draining.elapsed() > Duration::from_secs(600) {
            println!(
                "background jobs: {pending} pending after {:.0} s",
                draining.elapsed().as_secs_f64()
            );
            break;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }

    let bare_router = Router::new()
        .route("/search", post(bare_search))
        .with_state(state.search.clone());
    let bare_listener = TcpListener::bind("127.0.0.1:0")
        .await
        .context("binding the bare handler")?;
    let bare = format!("http://{}/search", bare_listener.local_addr()?);
    // As Trama's server does: replies go out whole, not held by Nagle.
    let bare_listener = axum::serve::ListenerExt::tap_io(bare_listener, |tcp| {
        let _ = tcp.set_nodelay(true);
    });
    tokio::spawn(axum::serve(bare_listener, bare_router).into_future());

    let targets = Arc::new(Targets {
        graphql,
        bare,
        search: state.search.clone(),
        app_operation: APP_OPERATIONS.to_owned(),
    });
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(connections)
        .tcp_nodelay(true)
        .build()
        .context("HTTP client")?;

    // `TRAMA_BENCH_SIDES` (e.g. `lean`) measures some sides only: for a
    // profiler's sake; the ratios need `bare` and `lean`.
    let chosen = std::env::var("TRAMA_BENCH_SIDES").unwrap_or_default();
    let sides: Vec<Side> = [
        Side::Library,
        Side::Bare,
        Side::GraphqlLean,
        Side::GraphqlApp,
    ]
    .into_iter()
    .filter(|side| chosen.is_empty() || chosen.split(',').any(|name| name == side.name()))
    .collect();
    let mut tallies: Vec<Tally> = sides.iter().map(|_| Tally::default()).collect();
    // One unmeasured second on each side warms connections and caches.
    for &side in &sides {
        round(
            &client,
            &targets,
            side,
            connections,
            1,
            &mut Tally::default(),
        )
        .await;
    }
    for _ in 0..rounds {
        for (side, tally) in sides.iter().zip(tallies.iter_mut()) {
            round(&client, &targets, *side, connections, round_secs, tally).await;
        }
    }

    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    println!(
        "\n{connections} concurrent requests, {rounds} rounds of {round_secs} s per side, load average {}",
        load.split_whitespace()
            .take(3)
            .collect::<Vec<_>>()
            .join(" ")
    );
    println!(
        "{:<50} {:>10} {:>10} {:>10} {:>7}",
        "side", "req/s", "p50", "p99", "errors"
    );
    for (side, tally) in sides.iter().zip(&tallies) {
        println!(
            "{:<50} {:>10.0} {:>10} {:>10} {:>7}",
            side.label(),
            tally.rate(),
            millis(tally.percentile(0.5)),
            millis(tally.percentile(0.99)),
            tally.errors
        );
    }
    let rate_of = |wanted: Side| {
        sides
            .iter()
            .zip(&tallies)
            .find(|(side, _)| **side == wanted)
            .map(|(_, tally)| tally.rate())
    };
    if let (Some(bare_rate), Some(lean_rate), Some(app_rate)) = (
        rate_of(Side::Bare),
        rate_of(Side::GraphqlLean),
        rate_of(Side::GraphqlApp),
    ) {
        let lean_ratio = lean_rate / bare_rate.max(f64::EPSILON);
        let app_ratio = app_rate / bare_rate.max(f64::EPSILON);
        println!(
            "\nGraphQL (same selection) / bare handler: {lean_ratio:.2}x: target >= 0.5x: {}",
            if lean_ratio >= 0.5 {
                "met".to_owned()
            } else {
                format!("missed by {:.0}%", (0.5 - lean_ratio) / 0.5 * 100.0)
            }
        );
        println!("GraphQL (the web app's Search) / bare handler: {app_ratio:.2}x (for reference)");
    }
    let errors: u64 = tallies.iter().map(|t| t.errors).sum();
    for (side, tally) in sides.iter().zip(&tallies) {
        if let Some(message) = &tally.first_error {
            println!("first error of {}: {message}", side.label());
        }
    }

    let _ = stop_tx.send(());
    let _ = server.await;
    if errors > 0 {
        bail!("{errors} requests failed");
    }
    Ok(())
}
