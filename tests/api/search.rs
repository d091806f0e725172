//! Italian full-text search over the real application, on both databases:
//! the examples of the issue on the Milano demo, the query language, filters
//! and facets, a write found at once by its author through the API, the index
//! rebuilt from the database after its directory is deleted, and (PostgreSQL)
//! a second process's write found by the first within two seconds.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Instant;

use serde_json::{Value, json};
use trama::search::{DocType, SearchRequest, SearchResults};
use trama::services::reference_data::{MILANO, neighbourhood_id};
use trama::services::{Actor, organizations};

use crate::helpers::{
    Backend, PATIENT, TestApp, TestEnv, gql, gql_ok, hide, member_with_organization, unhide,
    verified_user,
};
use crate::on_both_databases;
use crate::visibility::create_as;

on_both_databases!(
    the_italian_examples_find_their_records,
    phrases_exclusions_and_typos,
    filters_facets_sorts_and_pages,
    bad_search_input_is_refused_with_its_field,
    similar_open_items_are_suggested,
    a_write_is_found_at_once_by_its_author,
    closed_and_hidden_records_leave_the_results,
    a_deleted_index_is_rebuilt_with_the_same_results,
    facets_and_highlights_are_computed_when_selected_even_in_fragments,
    records_and_facet_labels_are_read_only_when_selected,
);

const SEARCH: &str = r#"
query($q: String!, $f: SearchFilter, $first: Int, $after: String, $sort: SearchSort) {
  search(query: $q, filter: $f, first: $first, after: $after, sort: $sort) {
    totalCount
    relaxed
    allWordsCount
    suggestion
    pageInfo { hasNextPage hasPreviousPage endCursor }
    edges {
      cursor
      node {
        id type score distanceKm
        highlights { field fragments }
        organization { name }
        offer { title }
        need { title }
      }
    }
    facets {
      type { value count label }
      organizationKind { value count }
      offerKind { value count }
      needKind { value count label }
      status { value count }
      sector { value count label }
      municipality { value count label }
      neighbourhood { value count label }
    }
  }
}"#;

/// `search` with a query and variables; panics on errors.
async fn search(app: &TestApp, variables: Value) -> Value {
    let body = gql_ok(app, None, SEARCH, variables).await;
    body["data"]["search"].clone()
}

async fn find(app: &TestApp, query: &str) -> Value {
    search(app, json!({ "q": query })).await
}

/// The titles (names for organisations) of the hits, in order.
fn titles(results: &Value) -> Vec<String> {
    results["edges"]
        .as_array()
        .expect("edges")
        .iter()
        .map(|edge| {
            let node = &edge["node"];
            node["organization"]["name"]
                .as_str()
                .or(node["offer"]["title"].as_str())
                .or(node["need"]["title"].as_str())
                .expect("a record")
                .to_owned()
        })
        .collect()
}

/// The ids of a page's `nodes`, in order.
fn node_ids(page: &Value) -> Vec<Value> {
    page["nodes"]
        .as_array()
        .expect("nodes")
        .iter()
        .map(|n| n["id"].clone())
        .collect()
}

fn facet(results: &Value, name: &str) -> BTreeMap<String, u64> {
    results["facets"][name]
        .as_array()
        .expect("facet")
        .iter()
        .map(|f| {
            (
                f["value"].as_str().expect("value").to_owned(),
                f["count"].as_u64().expect("count"),
            )
        })
        .collect()
}

/// A running app with the Milano demo's stories (not its volume: these
/// tests look for one record among a few dozen), indexed.
async fn demo_app(backend: Backend) -> TestApp {
    let app = TestApp::spawn(backend).await;
    trama::seed::stories(app.db()).await.expect("demo");
    assert!(
        crate::helpers::caught_up(&app.state.search).await,
        "index refreshed"
    );
    app
}

async fn the_italian_examples_find_their_records(backend: Backend) {
    let app = demo_app(backend).await;

    // Inflections: "cooperative abitative" is "cooperativa di abitanti".
    let results = find(&app, "cooperative abitative").await;
    assert_eq!(
        titles(&results).first().map(String::as_str),
        Some("Cooperativa di abitanti Niguarda Futura"),
        "{results}"
    );
    assert!(!results["relaxed"].as_bool().expect("relaxed"));
    let highlight = &results["edges"][0]["node"]["highlights"][0];
    assert_eq!(highlight["field"], "title");
    assert_eq!(
        highlight["fragments"][0],
        "<mark>Cooperativa</mark> di <mark>abitanti</mark> Niguarda Futura"
    );

    // Accents: "citta" is "città".
    let found = titles(&find(&app, "citta").await);
    assert!(
        found.contains(&"Città metropolitana di Milano".to_owned()),
        "{found:?}"
    );
    assert_eq!(titles(&find(&app, "CITTÀ").await), found);

    // Acronyms: "ERP" finds the text that spells it out, and back.
    let found = titles(&find(&app, "ERP").await);
    assert!(
        found.contains(&"Portierato sociale negli alloggi ACER".to_owned()),
        "spelled out in the description only: {found:?}"
    );
    assert!(
        found.contains(&"Facilitazione digitale nei quartieri ERP".to_owned()),
        "{found:?}"
    );
    let found = titles(&find(&app, "edilizia residenziale pubblica").await);
    assert!(
        found.contains(
            &"Bando Quartieri Connessi: servizi per le comunità in nove quartieri ERP".to_owned()
        ),
        "{found:?}"
    );

    // Synonyms: custodia sociale = portierato sociale; cohousing = abitare collaborativo.
    let found = titles(&find(&app, "custodia sociale").await);
    assert!(
        found.contains(&"Portierato sociale nel quartiere San Siro".to_owned()),
        "{found:?}"
    );
    let found = titles(&find(&app, "cohousing").await);
    assert!(
        found.contains(&"Alloggi sfitti da ristrutturare per l'abitare collaborativo".to_owned()),
        "{found:?}"
    );
    // Elision: "dell'abitare" is "abitare".
    let found = titles(&find(&app, "l’abitare collaborativo").await);
    assert!(
        found.contains(&"Mutui per l'abitare collaborativo e l'ERS".to_owned()),
        "{found:?}"
    );

    // A one-word compound is found by its rest, and shown whole.
    let results = find(&app, "scuola").await;
    let doposcuola = results["edges"]
        .as_array()
        .expect("edges")
        .iter()
        .find(|e| e["node"]["offer"]["title"] == "Volontari per anziani soli e doposcuola")
        .unwrap_or_else(|| panic!("the doposcuola is found by «scuola»: {results}"));
    assert_eq!(
        doposcuola["node"]["highlights"][0]["fragments"][0],
        "Volontari per anziani soli e <mark>doposcuola</mark>",
        "{doposcuola}"
    );
    // Words the stemmer would merge stay apart: a call (bandi) is not Bande
    // Nere, the neighbourhood.
    let found = titles(&find(&app, "bandi").await);
    assert!(
        !found.contains(&"Attrezzi da giardinaggio e furgone condiviso".to_owned()),
        "{found:?}"
    );
    app.stop().await;
}

async fn phrases_exclusions_and_typos(backend: Backend) {
    let app = demo_app(backend).await;

    let phrase = titles(&find(&app, "\"mediazione sociale\"").await);
    assert!(
        phrase.contains(&"Mediazione sociale a Molise-Calvairate".to_owned()),
        "{phrase:?}"
    );
    let words = titles(&find(&app, "sociale mediazione").await);
    let reversed = titles(&find(&app, "\"sociale mediazione\"").await);
    assert!(reversed.len() < words.len(), "{reversed:?} vs {words:?}");

    let all = titles(&find(&app, "portierato sociale").await);
    let without = titles(&find(&app, "portierato sociale -Bologna").await);
    assert!(all.iter().any(|t| t.contains("ACER")), "{all:?}");
    assert!(!without.iter().any(|t| t.contains("ACER")), "{without:?}");
    assert!(
        !without.iter().any(|t| t.contains("Bolognese")),
        "{without:?}"
    );
    assert!(!without.is_empty());

    // A typo in a word the index does not know.
    let results = find(&app, "portinerai").await;
    let found = titles(&results);
    assert!(
        found.contains(&"Quartieri Connessi: ex portineria a Gratosoglio".to_owned()),
        "{found:?}"
    );
    assert_eq!(results["suggestion"], "portineria");
    // Known words are not "corrected".
    assert!(find(&app, "portineria").await["suggestion"].is_null());

    // No record has every word: any word is accepted, and said so.
    let results = find(&app, "ciclofficina fondazione").await;
    assert!(results["relaxed"].as_bool().expect("relaxed"), "{results}");
    assert!(results["allWordsCount"].is_null(), "{results}");
    assert!(results["totalCount"].as_u64().expect("total") >= 2);

    // Fewer than a page has both words: they come first, counted, and the
    // records with either follow.
    let results = find(&app, "portineria Gratosoglio").await;
    assert!(!results["relaxed"].as_bool().expect("relaxed"), "{results}");
    let with_both = results["allWordsCount"].as_u64().expect("allWordsCount");
    let total = results["totalCount"].as_u64().expect("total");
    assert!(with_both >= 1 && with_both < total, "{results}");
    assert_eq!(
        titles(&results)[0],
        "Quartieri Connessi: ex portineria a Gratosoglio"
    );
    // A page of records with every word is not widened.
    assert!(find(&app, "portierato sociale").await["allWordsCount"].is_null());
    app.stop().await;
}

/// The server computes facets and highlights only for a query that selects
/// them; a selection made through fragments counts.
async fn facets_and_highlights_are_computed_when_selected_even_in_fragments(backend: Backend) {
    let app = demo_app(backend).await;
    let through_fragments = r#"
      query($q: String!) { search(query: $q) { ...Page } }
      fragment Page on SearchHitConnection {
        totalCount
        ... on SearchHitConnection { facets { type { value count } } }
        nodes { ...Hit }
      }
      fragment Hit on SearchHit { id highlights { field fragments } }"#;
    let body = gql_ok(&app, None, through_fragments, json!({ "q": "portierato" })).await;
    let page = &body["data"]["search"];
    let counted: u64 = page["facets"]["type"]
        .as_array()
        .expect("type facet")
        .iter()
        .filter_map(|f| f["count"].as_u64())
        .sum();
    assert!(counted > 0, "{page}");
    assert_eq!(Some(counted), page["totalCount"].as_u64(), "{page}");
    let highlighted = page["nodes"]
        .as_array()
        .expect("nodes")
        .iter()
        .any(|n| n["highlights"].as_array().is_some_and(|h| !h.is_empty()));
    assert!(highlighted, "{page}");

    // Without facets in the selection the page is the same.
    let lean = gql_ok(
        &app,
        None,
        "query($q: String!) { search(query: $q) { totalCount nodes { id } } }",
        json!({ "q": "portierato" }),
    )
    .await;
    let lean = &lean["data"]["search"];
    assert_eq!(lean["totalCount"], page["totalCount"]);
    assert_eq!(node_ids(lean), node_ids(page));
}

/// A search reads the database for what the index does not hold (the hits'
/// records, the names of sectors, municipalities and neighbourhoods), and
/// only when the query selects it: the page is the same either way.
async fn records_and_facet_labels_are_read_only_when_selected(backend: Backend) {
    let app = demo_app(backend).await;
    let counts_only = "query($q: String!) { search(query: $q) {
        totalCount
        facets { sector { value count } municipality { value count } neighbourhood { value count } }
        nodes { id type highlights { field fragments } } } }";
    let with_names = "query($q: String!) { search(query: $q) {
        totalCount
        facets { sector { value count label } municipality { value count label }
                 neighbourhood { value count label } }
        nodes { id type highlights { field fragments }
                organization { name } offer { title } need { title } } } }";
    let request = |query: &str| {
        async_graphql::Request::new(query).variables(async_graphql::Variables::from_json(
            json!({ "q": "portierato" }),
        ))
    };
    let (lean, lean_statements) =
        crate::helpers::execute_recording_statements(&app.state, request(counts_only)).await;
    assert_eq!(lean_statements, Vec::<String>::new(), "{lean}");
    let (named, named_statements) =
        crate::helpers::execute_recording_statements(&app.state, request(with_names)).await;
    assert!(!named_statements.is_empty(), "{named}");

    let (lean, named) = (&lean["search"], &named["search"]);
    assert!(lean["totalCount"].as_u64().is_some_and(|n| n > 0), "{lean}");
    assert_eq!(lean["totalCount"], named["totalCount"]);
    for name in ["sector", "municipality", "neighbourhood"] {
        assert_eq!(facet(lean, name), facet(named, name), "{name}");
    }
    assert_eq!(node_ids(lean), node_ids(named));
    // The names came with the second page only.
    let labelled = |page: &Value| {
        page["facets"]["municipality"]
            .as_array()
            .expect("municipality facet")
            .iter()
            .any(|f| f["label"].as_str() == Some("Milano"))
    };
    assert!(labelled(named), "{named}");
    let named_hits = named["nodes"].as_array().expect("nodes");
    assert!(
        named_hits.iter().all(|n| {
            n["organization"]["name"].is_string()
                || n["offer"]["title"].is_string()
                || n["need"]["title"].is_string()
        }),
        "{named}"
    );
}

async fn filters_facets_sorts_and_pages(backend: Backend) {
    let app = demo_app(backend).await;

    // Browsing with no filter: the type facet adds up to the total.
    let all = find(&app, "").await;
    let total = all["totalCount"].as_u64().expect("total");
    let types = facet(&all, "type");
    assert_eq!(types.values().sum::<u64>(), total);
    assert!(types["ORGANIZATION"] >= 100 && types["OFFER"] >= 20 && types["NEED"] >= 10);

    // A type filter: the total is that type's count, and the type facet still
    // shows the other types (it ignores its own filter).
    let needs = search(&app, json!({ "q": "", "f": { "types": ["NEED"] } })).await;
    assert_eq!(needs["totalCount"].as_u64(), Some(types["NEED"]));
    assert_eq!(facet(&needs, "type"), types);
    let need_kinds = facet(&needs, "needKind");
    assert_eq!(need_kinds.values().sum::<u64>(), types["NEED"]);
    assert!(facet(&needs, "offerKind").is_empty());
    let concierge = search(
        &app,
        json!({ "q": "", "f": { "needKinds": ["SOCIAL_CONCIERGE"] } }),
    )
    .await;
    assert_eq!(
        concierge["totalCount"].as_u64(),
        Some(need_kinds["SOCIAL_CONCIERGE"])
    );
    let label = needs["facets"]["needKind"]
        .as_array()
        .expect("needKind")
        .iter()
        .find(|f| f["value"] == "SOCIAL_CONCIERGE")
        .expect("social concierge")["label"]
        .clone();
    assert_eq!(label, "Portierato sociale");

    // Municipality and neighbourhood facets name their values.
    let municipalities = all["facets"]["municipality"].as_array().expect("facet");
    assert!(
        municipalities
            .iter()
            .any(|m| m["value"] == MILANO && m["label"] == "Milano"),
        "{municipalities:?}"
    );
    let san_siro = neighbourhood_id(MILANO, "57").to_string();
    let in_san_siro = search(
        &app,
        json!({ "q": "", "f": { "neighbourhoodIds": [san_siro] } }),
    )
    .await;
    assert!(
        titles(&in_san_siro).contains(&"Portierato sociale nel quartiere San Siro".to_owned()),
        "{in_san_siro}"
    );

    // Sort by deadline: needs with a deadline first, soonest first.
    let by_deadline = search(
        &app,
        json!({ "q": "", "f": { "types": ["NEED"] }, "sort": "DEADLINE", "first": 50 }),
    )
    .await;
    let ids: Vec<String> = by_deadline["edges"]
        .as_array()
        .expect("edges")
        .iter()
        .map(|e| e["node"]["id"].as_str().expect("id").to_owned())
        .collect();
    let deadlines = need_deadlines(&app, &ids).await;
    let with: Vec<_> = deadlines.iter().take_while(|d| d.is_some()).collect();
    assert!(!with.is_empty());
    assert!(with.windows(2).all(|w| w[0] <= w[1]), "{deadlines:?}");
    assert!(deadlines[with.len()..].iter().all(Option::is_none));

    // Sort by distance from the Duomo, within 3 km.
    let near = search(
        &app,
        json!({
            "q": "",
            "f": { "near": { "lat": 45.4642, "lon": 9.19, "km": 3.0 } },
            "sort": "DISTANCE",
            "first": 100,
        }),
    )
    .await;
    let distances: Vec<f64> = near["edges"]
        .as_array()
        .expect("edges")
        .iter()
        .map(|e| e["node"]["distanceKm"].as_f64().expect("distance"))
        .collect();
    assert!(!distances.is_empty());
    assert!(distances.windows(2).all(|w| w[0] <= w[1]), "{distances:?}");
    assert!(distances.iter().all(|d| *d <= 3.0));
    assert!((near["totalCount"].as_u64().expect("total") as usize) < total as usize);

    // Pages follow each other without overlap.
    let first = search(&app, json!({ "q": "", "first": 10 })).await;
    assert_eq!(first["pageInfo"]["hasNextPage"], true);
    assert_eq!(first["pageInfo"]["hasPreviousPage"], false);
    let second = search(
        &app,
        json!({ "q": "", "first": 10, "after": first["pageInfo"]["endCursor"] }),
    )
    .await;
    assert_eq!(second["pageInfo"]["hasPreviousPage"], true);
    let ids = |page: &Value| -> BTreeSet<String> {
        page["edges"]
            .as_array()
            .expect("edges")
            .iter()
            .map(|e| e["node"]["id"].as_str().expect("id").to_owned())
            .collect()
    };
    assert_eq!(ids(&first).len(), 10);
    assert_eq!(ids(&second).len(), 10);
    assert!(ids(&first).is_disjoint(&ids(&second)));
    app.stop().await;
}

async fn need_deadlines(
    app: &TestApp,
    ids: &[String],
) -> Vec<Option<chrono::DateTime<chrono::Utc>>> {
    let mut out = Vec::new();
    for id in ids {
        let id = uuid::Uuid::parse_str(id).expect("uuid");
        let need = trama::services::needs::get(app.db(), id, "id")
            .await
            .expect("need");
        out.push(need.deadline_at);
    }
    out
}

/// The `field` of the first error, after checking its code.
fn bad_field(body: &Value) -> String {
    assert_eq!(
        body["errors"][0]["extensions"]["code"], "BAD_USER_INPUT",
        "{body}"
    );
    body["errors"][0]["extensions"]["field"]
        .as_str()
        .expect("field")
        .to_owned()
}

async fn bad_search_input_is_refused_with_its_field(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let cases = [
        (json!({ "q": "parola ".repeat(60) }), "query"),
        (json!({ "q": "x", "first": 101 }), "first"),
        (json!({ "q": "x", "first": -1 }), "first"),
        (json!({ "q": "x", "after": "not-a-cursor" }), "after"),
        (json!({ "q": "x", "after": "bm90LWEtY3Vyc29y" }), "after"),
        (
            json!({ "q": "x", "f": { "near": { "lat": 45.0, "lon": 9.0, "km": -1.0 } } }),
            "filter.near.km",
        ),
        (
            json!({ "q": "x", "f": { "near": { "lat": 95.0, "lon": 9.0 } } }),
            "filter.near.lat",
        ),
        (json!({ "q": "x", "sort": "DISTANCE" }), "filter.near"),
        (
            json!({ "q": "x", "f": { "municipalityCodes": ["15146"] } }),
            "filter.municipalityCodes[0]",
        ),
        (
            json!({ "q": "x", "f": { "amountMin": 500, "amountMax": 100 } }),
            "filter.amountMax",
        ),
        (
            json!({ "q": "x", "f": { "neighbourhoodIds": ["nope"] } }),
            "filter.neighbourhoodIds[0]",
        ),
    ];
    for (variables, field) in cases {
        let body = gql(&app, None, SEARCH, variables.clone()).await;
        assert_eq!(bad_field(&body), field, "{variables}");
    }
    // Browsing an empty platform is fine.
    let results = find(&app, "").await;
    assert_eq!(results["totalCount"], 0);
    // `similar` names the field too: a blank title, too many suggestions.
    for (query, field) in [
        ("{ similar(kind: NEED, title: \"  \") { id } }", "title"),
        (
            "{ similar(kind: NEED, title: \"Portierato\", first: 50) { id } }",
            "first",
        ),
    ] {
        let body = gql(&app, None, query, json!({})).await;
        assert_eq!(bad_field(&body), field, "{query}");
    }
    app.stop().await;
}

async fn similar_open_items_are_suggested(backend: Backend) {
    let app = demo_app(backend).await;
    let body = gql_ok(
        &app,
        None,
        r#"query($t: String!, $d: String) {
            similar(kind: NEED, title: $t, description: $d, first: 3) {
                id type score highlights { field fragments } need { title } offer { title }
            }
        }"#,
        json!({
            "t": "Servizio di portierato sociale a San Siro",
            "d": "Cerchiamo una cooperativa per la custodia dei caseggiati ERP e il supporto agli anziani.",
        }),
    )
    .await;
    let similar = body["data"]["similar"].as_array().expect("list");
    assert!(!similar.is_empty() && similar.len() <= 3);
    assert_eq!(
        similar[0]["need"]["title"],
        "Portierato sociale nel quartiere San Siro"
    );
    assert!(
        similar
            .iter()
            .all(|s| s["type"] == "NEED" && s["offer"].is_null())
    );
    app.stop().await;
}

async fn a_write_is_found_at_once_by_its_author(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (token, org) = member_with_organization(&app).await;
    // The organisation written by the mutation is already searchable.
    let found = titles(&find(&app, "portinerie comunita").await);
    assert_eq!(found, vec!["Portinerie di Comunità"]);

    let need = create_as(
        &app,
        &token,
        "Need",
        &org,
        json!({
            "kind": "SOCIAL_CONCIERGE",
            "title": "Custode di quartiere a Gratosoglio",
            "description": "Un presidio quotidiano nelle case popolari di via Saponaro.",
            "neighbourhoodId": neighbourhood_id(MILANO, "41").to_string(),
        }),
    )
    .await;
    // No waiting: the response came after the index took the change.
    let results = find(&app, "custode gratosoglio").await;
    assert_eq!(
        results["edges"][0]["node"]["id"].as_str(),
        Some(need.as_str())
    );
    // The owner's change reaches its needs: they carry its name.
    gql_ok(
        &app,
        Some(&token),
        "mutation($id: ID!, $input: OrganizationInput!) { updateOrganization(id: $id, input: $input) { id } }",
        json!({ "id": org, "input": {
            "name": "Custodi Riuniti",
            "kind": "SOCIAL_COOPERATIVE_A",
            "taxCode": "95745878934",
            "description": "Portierato sociale nei caseggiati.",
            "seatMunicipalityCode": MILANO,
        }}),
    )
    .await;
    let found = titles(&find(&app, "riuniti").await);
    assert_eq!(
        found.iter().collect::<BTreeSet<_>>(),
        ["Custode di quartiere a Gratosoglio", "Custodi Riuniti"]
            .iter()
            .map(|s| s.to_string())
            .collect::<Vec<_>>()
            .iter()
            .collect::<BTreeSet<_>>()
    );
    app.stop().await;
}

async fn closed_and_hidden_records_leave_the_results(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (token, org) = member_with_organization(&app).await;
    let mut needs = Vec::new();
    for title in [
        "Portineria sociale a Gratosoglio",
        "Portineria sociale a Corvetto",
    ] {
        needs.push(
            create_as(
                &app,
                &token,
                "Need",
                &org,
                json!({ "kind": "SOCIAL_CONCIERGE", "title": title }),
            )
            .await,
        );
    }
    let body = gql(
        &app,
        Some(&token),
        "mutation($id: ID!) { closeNeed(id: $id) { status } }",
        json!({ "id": needs[1] }),
    )
    .await;
    assert_eq!(body["data"]["closeNeed"]["status"], "CLOSED", "{body}");

    // Open ones only, by default; the status facet still counts the closed.
    let results = search(
        &app,
        json!({ "q": "portineria", "f": { "types": ["NEED"] } }),
    )
    .await;
    assert_eq!(titles(&results), vec!["Portineria sociale a Gratosoglio"]);
    assert_eq!(
        facet(&results, "status"),
        BTreeMap::from([("OPEN".to_owned(), 1), ("CLOSED".to_owned(), 1)])
    );
    let closed = search(
        &app,
        json!({ "q": "portineria", "f": { "statuses": ["CLOSED"] } }),
    )
    .await;
    assert_eq!(titles(&closed), vec!["Portineria sociale a Corvetto"]);
    let any = search(&app, json!({ "q": "portineria", "f": { "statuses": [] } })).await;
    assert_eq!(any["totalCount"], 3, "{any}");

    // A moderator hides the organisation: it and its needs leave search.
    let moderator = verified_user(&app, "moderatore@example.org").await;
    trama::services::accounts::set_moderator(app.db(), "moderatore@example.org", true)
        .await
        .expect("moderator");
    hide(&app, &moderator, "ORGANIZATION", &org, "spam").await;
    let any = search(&app, json!({ "q": "portineria", "f": { "statuses": [] } })).await;
    assert_eq!(any["totalCount"], 0, "{any}");
    unhide(&app, &moderator, "ORGANIZATION", &org).await;
    let any = search(&app, json!({ "q": "portineria", "f": { "statuses": [] } })).await;
    assert_eq!(any["totalCount"], 3, "{any}");
    app.stop().await;
}

/// What a set of searches returns, to compare two indexes.
async fn snapshot(state: &trama::state::AppState) -> Vec<(String, u64, BTreeSet<String>, String)> {
    let mut out = Vec::new();
    for query in [
        "",
        "cooperative abitative",
        "citta",
        "ERP",
        "portierato sociale -Bologna",
        "\"abitare collaborativo\"",
        "portinerai",
        "spazi piano terra",
        "gruppo cammino",
    ] {
        let mut request = SearchRequest::new(query);
        request.limit = 100;
        let results: SearchResults = state.search.search(request).await.expect("search");
        let ids: BTreeSet<String> = results
            .hits
            .iter()
            .map(|h| format!("{}:{}", h.doc_type.as_str(), h.id))
            .collect();
        let top = results
            .hits
            .first()
            .map(|h| h.id.to_string())
            .unwrap_or_default();
        out.push((
            format!("{query} {:?}", results.facets),
            results.total,
            ids,
            top,
        ));
    }
    out
}

async fn a_deleted_index_is_rebuilt_with_the_same_results(backend: Backend) {
    let env = TestEnv::new(backend).await;
    let state = env.state().await;
    trama::seed::demo(&state.db).await.expect("demo");
    // One more record written after the seed, then hidden: deletes too.
    let extra = crate::helpers::informal_group(
        &state.db,
        "Gruppo di cammino",
        "Passeggiate nel quartiere.",
    )
    .await;
    assert!(crate::helpers::caught_up(&state.search).await);
    let before = snapshot(&state).await;
    assert!(before[0].1 >= 130, "the demo is indexed: {}", before[0].1);
    let mut request = SearchRequest::new("gruppo cammino");
    request.filter.types = vec![DocType::Organization];
    let results = state.search.search(request).await.expect("search");
    assert_eq!(
        results.hits.first().map(|h| h.id),
        Some(extra.id),
        "the extra record is indexed"
    );
    state.search.shutdown().await;
    drop(state);

    std::fs::remove_dir_all(env.settings.index_dir()).expect("delete the index");
    let state = env.state().await;
    assert!(state.search.is_ready());
    let after = snapshot(&state).await;
    assert_eq!(before, after);
    state.search.shutdown().await;
}

#[trama_test_macros::needs_postgres]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_process_write_becomes_searchable_in_the_first() {
    crate::helpers::require_postgres();
    let env = TestEnv::new(Backend::Postgres).await;
    let first = env.state().await;
    // A second "process": the same PostgreSQL schema, its own index.
    let other_dir = tempfile::tempdir().expect("temporary directory");
    let mut settings = env.settings.clone();
    settings.data_dir = other_dir.path().to_path_buf();
    settings.index_dir = None;
    let second = trama::state::AppState::open(settings)
        .await
        .expect("second process");
    assert_ne!(first.search.dir(), second.search.dir());

    let written = crate::helpers::informal_group(
        &second.db,
        "Orti condivisi di Baggio",
        "Coltiviamo insieme gli orti del quartiere.",
    )
    .await;
    let started = Instant::now();
    let found = crate::helpers::wait_until(PATIENT, async || {
        let results = first
            .search
            .search(SearchRequest::new("orti baggio"))
            .await
            .expect("search");
        results
            .hits
            .iter()
            .any(|h| h.doc_type == DocType::Organization && h.id == written.id)
    })
    .await;
    assert!(
        found,
        "not searchable in the first process after {:?}",
        started.elapsed()
    );
    // About a second (the indexer commits in batches); printed, not
    // asserted: a busy machine is slower.
    println!(
        "searchable in the first process {:?} after the write",
        started.elapsed()
    );
    // And the second process found it at once, having refreshed.
    assert!(crate::helpers::caught_up(&second.search).await);
    let results = second
        .search
        .search(SearchRequest::new("orti baggio"))
        .await
        .expect("search");
    assert_eq!(results.total, 1);
    first.search.shutdown().await;
    second.search.shutdown().await;
}

/// Polls a search until `found` says yes, at most [`PATIENT`].
async fn searchable(
    state: &trama::state::AppState,
    query: &str,
    found: impl Fn(&SearchResults) -> bool,
) -> bool {
    crate::helpers::wait_until(PATIENT, async || {
        let results = state
            .search
            .search(SearchRequest::new(query))
            .await
            .expect("search");
        found(&results)
    })
    .await
}

#[trama_test_macros::needs_postgres]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_change_committed_after_a_later_one_is_not_missed() {
    use sea_orm::{ActiveModelTrait, IntoActiveModel, Set, TransactionTrait};
    use trama::domain::{OutboxEntityType, OutboxOperation};

    crate::helpers::require_postgres();
    let env = TestEnv::new(Backend::Postgres).await;
    let state = env.state().await;
    let actor = Actor::system("test");
    let group = |name: &str| trama::domain::OrganizationInput {
        name: name.into(),
        kind: "informal_group".into(),
        description: "Un gruppo di vicini.".into(),
        ..Default::default()
    };
    let early = organizations::create(&state.db, &actor, &group("Gruppo Lambrate"), None)
        .await
        .expect("organisation");
    assert!(crate::helpers::caught_up(&state.search).await);

    // A transaction takes its outbox sequence number first...
    let txn = state.db.begin().await.expect("begin");
    let mut row = early.clone().into_active_model();
    row.name = Set("Gruppo Lambrate Rinominato".to_owned());
    row.update(&txn).await.expect("rename");
    trama::services::enqueue_for_search(
        &txn,
        OutboxEntityType::Organization,
        early.id,
        OutboxOperation::Upsert,
        trama::jobs::Priority::Bulk,
    )
    .await
    .expect("outbox");
    // ...another takes the next one and commits first...
    let later = organizations::create(&state.db, &actor, &group("Gruppo Ortica"), None)
        .await
        .expect("organisation");
    assert!(
        searchable(&state, "ortica", |r| r
            .hits
            .iter()
            .any(|h| h.id == later.id))
        .await
    );
    // ...and the first commits afterwards: still applied.
    txn.commit().await.expect("commit");
    assert!(
        searchable(&state, "rinominato", |r| r
            .hits
            .iter()
            .any(|h| h.id == early.id))
        .await,
        "the change committed late was missed"
    );
    state.search.shutdown().await;
}
