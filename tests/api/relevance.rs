//! Relevance judgements: a fixture corpus of the Milano social economy and
//! 90 Italian queries with graded judgements (tests/fixtures/relevance/), in
//! a tuning half and a held-out half, scored with nDCG@10 on both databases:
//! Italian analysis against the plain baseline and the database's own
//! full-text search (`judged`), each half separately.
//!
//! The corpus is written through the services layer (system actor) like any
//! other record, so the documents are the ones the outbox indexer builds from
//! the database. Both configurations search that same index: the index keeps
//! every text field stemmed and exact, and `QueryOptions::plain()` queries
//! only the exact fields with no synonyms and no typo tolerance, so the
//! baseline needs no separate in-memory index.
//!
//! Ranking is `Ranking::text_only()`: every record is published within the
//! same second of the load, so freshness would only break exact ties by
//! milliseconds of insertion order, and no organisation is verified. Text
//! relevance alone keeps the measurement deterministic.

use std::collections::HashMap;
use std::time::Instant;

use serde::Deserialize;
use trama::domain::{NeedInput, OfferInput, OrganizationInput};
use trama::search::{DocType, QueryOptions, SearchRequest};
use trama::services::{Actor, needs, offers, organizations};
use uuid::Uuid;

use crate::helpers::{Backend, TestApp, ndcg_at, text_ranked_hits};
use crate::judged::{Half, PeerScope, assert_judged_enough, peer_ranked, prepare_peer};
use crate::on_both_databases;

on_both_databases!(the_judged_queries_rank_well_in_italian);

const CORPUS: &str = include_str!("../fixtures/relevance/corpus.json");
const JUDGEMENTS: &str = include_str!("../fixtures/relevance/judgements.json");

/// nDCG cut-off.
const K: usize = 10;

// Thresholds, from the measurement (identical on SQLite and PostgreSQL: the
// index is built from the same documents), 6 December 2026 (evening): mean
// nDCG@10 with Italian analysis 0.942 on the tuning half and 0.866 on the
// held-out half; plain 0.665 and 0.591; the database's own full-text
// search 0.614 / 0.583 (SQLite FTS5) and 0.667 / 0.691 (PostgreSQL
// ts_rank). The target (0.93 on both halves) is met on the tuning
// half only.
//
// Weak queries of the tuning half, judged honestly and left as they are:
// "case popolari" (0.801) has more relevant records than ten, and puts
// some graded 1 above others graded 2; "mediazione dei conflitti" (0.847)
// misses records about family and neighbourhood mediation that the
// concept model does not link to it. ("portineira di quartiere", 0.392
// until a corrected word took the dictionary phrase it begins whole, is
// now 0.896, as "portierato sociale".)

/// Floor for the mean nDCG@10 with Italian analysis, per half (tuning,
/// held-out): the measured figures minus a margin of about 0.04 for
/// harmless reorderings (a tantivy upgrade, a new synonym, a record added
/// to the fixture). Breaking stemming, synonyms or typo tolerance costs far
/// more: the plain baseline, which has none of them, scores 0.59 to 0.65.
const MIN_MEAN_ITALIAN: [f64; 2] = [0.88, 0.82];
/// No judged query of the tuning half may fall below this with Italian
/// analysis (lowest measured 0.392): a query at this level still ranks some
/// of its judged records in the top ten; below it, the query has
/// effectively failed.
const MIN_QUERY_ITALIAN: f64 = 0.30;
/// The Italian mean must beat the plain mean by at least this much
/// (measured gain 0.266 and 0.275): the analysis must keep paying for
/// itself.
const MIN_GAIN_OVER_PLAIN: f64 = 0.20;

#[derive(Deserialize)]
struct Corpus {
    organizations: Vec<Keyed<OrganizationInput>>,
    offers: Vec<Owned<OfferInput>>,
    needs: Vec<Owned<NeedInput>>,
}

#[derive(Deserialize)]
struct Keyed<T> {
    key: String,
    #[serde(flatten)]
    input: T,
}

#[derive(Deserialize)]
struct Owned<T> {
    key: String,
    organization: String,
    #[serde(flatten)]
    input: T,
}

#[derive(Deserialize)]
struct Judgements {
    queries: Vec<Judged>,
}

#[derive(Deserialize)]
struct Judged {
    query: String,
    exercises: String,
    /// Key → grade (2 ideal, 1 relevant); unlisted keys are 0.
    relevant: HashMap<String, u8>,
    half: Half,
}

/// Writes the corpus through the services layer; returns the key of each
/// record by its index document.
async fn load(app: &TestApp) -> HashMap<(DocType, Uuid), String> {
    let corpus: Corpus = serde_json::from_str(CORPUS).expect("corpus.json");
    let actor = Actor::system("test");
    let db = app.db();
    trama::services::reference_data::load_municipalities(db)
        .await
        .expect("municipalities");
    let mut keys = HashMap::new();
    let mut org_ids = HashMap::new();
    for org in &corpus.organizations {
        let model = organizations::create(db, &actor, &org.input, None)
            .await
            .unwrap_or_else(|e| panic!("organisation {}: {e:?}", org.key));
        org_ids.insert(org.key.clone(), model.id);
        keys.insert((DocType::Organization, model.id), org.key.clone());
    }
    for offer in &corpus.offers {
        let model = offers::create(db, &actor, org_ids[&offer.organization], &offer.input)
            .await
            .unwrap_or_else(|e| panic!("offer {}: {e:?}", offer.key));
        keys.insert((DocType::Offer, model.id), offer.key.clone());
    }
    for need in &corpus.needs {
        let model = needs::create(db, &actor, org_ids[&need.organization], &need.input)
            .await
            .unwrap_or_else(|e| panic!("need {}: {e:?}", need.key));
        keys.insert((DocType::Need, model.id), need.key.clone());
    }
    keys
}

/// One judged query's figures.
struct Row<'a> {
    judged: &'a Judged,
    italian: f64,
    plain: f64,
    peer: f64,
    hits: Vec<String>,
}

/// The keys of the first K hits.
async fn ranked(
    app: &TestApp,
    keys: &HashMap<(DocType, Uuid), String>,
    query: &str,
    options: QueryOptions,
) -> Vec<String> {
    let mut request = SearchRequest::new(query);
    request.limit = K;
    request.options = options;
    text_ranked_hits(app, request)
        .await
        .iter()
        .map(|hit| keys[&(hit.doc_type, hit.id)].clone())
        .collect()
}

async fn the_judged_queries_rank_well_in_italian(backend: Backend) {
    let started = Instant::now();
    let app = TestApp::spawn(backend).await;
    let keys = load(&app).await;
    assert!(
        crate::helpers::caught_up(&app.state.search).await,
        "index refreshed"
    );
    assert_eq!(app.state.search.index().num_docs(), keys.len() as u64);
    let loaded = started.elapsed();

    let judgements: Judgements = serde_json::from_str(JUDGEMENTS).expect("judgements.json");
    assert_judged_enough(&judgements.queries, 80, "queries");
    let peer = prepare_peer(app.db()).await;
    let mut rows = Vec::new();
    for judged in &judgements.queries {
        for key in judged.relevant.keys() {
            assert!(keys.values().any(|k| k == key), "unknown key {key}");
        }
        let italian = ranked(&app, &keys, &judged.query, QueryOptions::default()).await;
        let plain = ranked(&app, &keys, &judged.query, QueryOptions::plain()).await;
        let by_peer: Vec<String> = peer_ranked(app.db(), PeerScope::Everything, &judged.query, K)
            .await
            .iter()
            .map(|record| keys[record].clone())
            .collect();
        rows.push(Row {
            judged,
            italian: ndcg_at(K, &italian, &judged.relevant),
            plain: ndcg_at(K, &plain, &judged.relevant),
            peer: ndcg_at(K, &by_peer, &judged.relevant),
            hits: italian,
        });
    }

    println!("\nnDCG@{K} on {backend:?} ({} queries)", rows.len());
    println!(
        "{:<34} {:>8} {:>8} {:>8}  exercises ({peer} as peer)",
        "query", "italian", "plain", "peer"
    );
    // The held-out queries are not printed one by one: whoever tunes the
    // analysis reads only their means.
    for row in rows.iter().filter(|row| row.judged.half == Half::Tuning) {
        println!(
            "{:<34} {:>8.3} {:>8.3} {:>8.3}  {}",
            row.judged.query, row.italian, row.plain, row.peer, row.judged.exercises
        );
    }
    // `TRAMA_TEST_SHOW_HITS=1`: the tuning queries' top ten, each hit with
    // its grade, to see what a change moved (never the held-out ones).
    if std::env::var_os("TRAMA_TEST_SHOW_HITS").is_some() {
        for row in rows.iter().filter(|row| row.judged.half == Half::Tuning) {
            let graded: Vec<String> = (row.hits.iter())
                .map(|key| format!("{key}:{}", row.judged.relevant.get(key).unwrap_or(&0)))
                .collect();
            let missed: Vec<&String> = (row.judged.relevant.keys())
                .filter(|key| !row.hits.contains(key))
                .collect();
            println!("{:?} -> {graded:?}; missed {missed:?}", row.judged.query);
        }
    }
    let mut means = Vec::new();
    for (half, name, floor) in [
        (Half::Tuning, "MEAN tuning", MIN_MEAN_ITALIAN[0]),
        (Half::Heldout, "MEAN held-out", MIN_MEAN_ITALIAN[1]),
    ] {
        let of_half: Vec<&Row> = rows.iter().filter(|row| row.judged.half == half).collect();
        let n = of_half.len() as f64;
        let mean = |value: fn(&Row) -> f64| of_half.iter().map(|row| value(row)).sum::<f64>() / n;
        let (italian, plain, by_peer) = (mean(|r| r.italian), mean(|r| r.plain), mean(|r| r.peer));
        println!(
            "{:<34} {italian:>8.3} {plain:>8.3} {by_peer:>8.3}  ({} queries)",
            name,
            of_half.len()
        );
        means.push((name, floor, italian, plain, by_peer));
    }
    println!(
        "loaded and indexed in {loaded:.1?}, total {:.1?}",
        started.elapsed()
    );

    // The floor per query holds on the tuning half; the held-out half is
    // judged by its mean alone, and its queries are never named (not even
    // in a failure).
    let held_out_below = rows
        .iter()
        .filter(|row| row.judged.half == Half::Heldout && row.italian < MIN_QUERY_ITALIAN)
        .count();
    println!("held-out queries below {MIN_QUERY_ITALIAN}: {held_out_below}");
    for row in rows.iter().filter(|row| row.judged.half == Half::Tuning) {
        assert!(
            row.italian >= MIN_QUERY_ITALIAN,
            "{:?}: nDCG@{K} {:.3} below {MIN_QUERY_ITALIAN}; top hits {:?}",
            row.judged.query,
            row.italian,
            row.hits
        );
    }
    for (name, floor, italian, plain, by_peer) in means {
        assert!(
            italian >= floor,
            "{name}: nDCG@{K} {italian:.3} below {floor}"
        );
        assert!(
            italian - plain >= MIN_GAIN_OVER_PLAIN,
            "{name}: Italian {italian:.3} vs plain {plain:.3}: gain below {MIN_GAIN_OVER_PLAIN}"
        );
        assert!(
            italian > by_peer,
            "{name}: Italian {italian:.3} behind {peer} {by_peer:.3}"
        );
    }
    app.stop().await;
}
