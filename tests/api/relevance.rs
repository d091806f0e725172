//! Relevance judgements: a fixture corpus of the Milano social economy and
//! 39 Italian queries with graded judgements (tests/fixtures/relevance/),
//! scored with nDCG@10 on both databases, Italian analysis against the plain
//! baseline.
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
use crate::on_both_databases;

on_both_databases!(the_judged_queries_rank_well_in_italian);

const CORPUS: &str = include_str!("../fixtures/relevance/corpus.json");
const JUDGEMENTS: &str = include_str!("../fixtures/relevance/judgements.json");

/// nDCG cut-off.
const K: usize = 10;

// Thresholds, from the measurement (identical on SQLite and PostgreSQL: the
// index is built from the same documents): mean nDCG@10 0.904 with Italian
// analysis, 0.633 plain; lowest query 0.372 ("portineira di quartiere").
//
// Weak queries, judged honestly and left as they are: a typo-corrected word
// is not expanded with its synonyms ("portineira di quartiere" 0.372 finds
// only the record that spells "portineria"; "cohusing" 0.616 misses the
// "coabitazione" records); stemming does not join "rimozione"/"rimuovono" or
// "pulizia"/"ripulire" ("rimozione graffiti" 0.581, "pulizia dei muri"
// 0.660); "mediazione culturale" 0.673 misses "linguistico-culturali".

/// Floor for the mean nDCG@10 with Italian analysis: the measured 0.904 minus
/// a margin of about 0.05 for harmless reorderings (a tantivy upgrade, a new
/// synonym, a record added to the fixture). Breaking stemming, synonyms or
/// typo tolerance costs far more: the plain baseline, which has none of
/// them, scores 0.633.
const MIN_MEAN_ITALIAN: f64 = 0.85;
/// No judged query may fall below this with Italian analysis (lowest measured
/// 0.372): a query at this level still ranks some of its
/// judged records in the top ten; below it, the query has effectively failed.
const MIN_QUERY_ITALIAN: f64 = 0.30;
/// The Italian mean must beat the plain mean by at least this much (measured
/// gain 0.271): the analysis must keep paying for itself.
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
    assert!(judgements.queries.len() >= 30);
    let mut rows = Vec::new();
    for judged in &judgements.queries {
        for key in judged.relevant.keys() {
            assert!(keys.values().any(|k| k == key), "unknown key {key}");
        }
        let italian = ranked(&app, &keys, &judged.query, QueryOptions::default()).await;
        let plain = ranked(&app, &keys, &judged.query, QueryOptions::plain()).await;
        rows.push((
            judged,
            ndcg_at(K, &italian, &judged.relevant),
            ndcg_at(K, &plain, &judged.relevant),
            italian,
        ));
    }

    println!("\nnDCG@{K} on {backend:?} ({} queries)", rows.len());
    println!("{:<34} {:>8} {:>8}  exercises", "query", "italian", "plain");
    for (judged, italian, plain, _) in &rows {
        println!(
            "{:<34} {italian:>8.3} {plain:>8.3}  {}",
            judged.query, judged.exercises
        );
    }
    let n = rows.len() as f64;
    let mean_italian = rows.iter().map(|r| r.1).sum::<f64>() / n;
    let mean_plain = rows.iter().map(|r| r.2).sum::<f64>() / n;
    println!("{:<34} {mean_italian:>8.3} {mean_plain:>8.3}", "MEAN");
    println!(
        "loaded and indexed in {loaded:.1?}, total {:.1?}",
        started.elapsed()
    );

    for (judged, italian, _, hits) in &rows {
        assert!(
            *italian >= MIN_QUERY_ITALIAN,
            "{:?}: nDCG@{K} {italian:.3} below {MIN_QUERY_ITALIAN}; top hits {hits:?}",
            judged.query
        );
    }
    assert!(
        mean_italian >= MIN_MEAN_ITALIAN,
        "mean nDCG@{K} {mean_italian:.3} below {MIN_MEAN_ITALIAN}"
    );
    assert!(
        mean_italian - mean_plain >= MIN_GAIN_OVER_PLAIN,
        "Italian {mean_italian:.3} vs plain {mean_plain:.3}: gain below {MIN_GAIN_OVER_PLAIN}"
    );
    app.stop().await;
}
