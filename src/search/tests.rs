//! Search behaviour on a small in-memory index: the Italian examples of the
//! issue, the query language, filters, facets, sorts and similar items.

use chrono::{Duration, TimeZone, Utc};
use uuid::Uuid;

use super::*;
use crate::domain::{NeedKind, OfferKind, OrganizationKind, PostingStatus};

fn doc(doc_type: DocType, title: &str, body: &str) -> SearchDocument {
    let id = Uuid::now_v7();
    SearchDocument {
        doc_type,
        id,
        title: title.to_owned(),
        body: body.to_owned(),
        context: String::new(),
        organization_id: id,
        organization_kind: "association".to_owned(),
        kind: match doc_type {
            DocType::Organization => None,
            DocType::Offer => Some("competence".to_owned()),
            DocType::Need => Some("community_service".to_owned()),
        },
        sectors: Vec::new(),
        municipality_code: Some("015146".to_owned()),
        neighbourhood_ids: Vec::new(),
        status: "open".to_owned(),
        verified: false,
        registered_third_sector: false,
        created_at: Utc
            .with_ymd_and_hms(2026, 11, 1, 10, 0, 0)
            .single()
            .expect("date"),
        deadline_at: None,
        amount_min_cents: None,
        amount_max_cents: None,
        location: None,
    }
}

fn index_of(docs: &[SearchDocument]) -> SearchIndex {
    let index = SearchIndex::in_memory().expect("index");
    let mut writer = index.writer().expect("writer");
    for d in docs {
        writer.upsert(d).expect("upsert");
    }
    writer.commit(CommitPayload { cursor: 1 }).expect("commit");
    index.reload().expect("reload");
    index
}

fn titles(index: &SearchIndex, request: &SearchRequest, docs: &[SearchDocument]) -> Vec<String> {
    index
        .search(request)
        .expect("search")
        .hits
        .iter()
        .map(|hit| {
            docs.iter()
                .find(|d| d.id == hit.id)
                .map(|d| d.title.clone())
                .unwrap_or_default()
        })
        .collect()
}

fn find(index: &SearchIndex, query: &str, docs: &[SearchDocument]) -> Vec<String> {
    titles(index, &SearchRequest::new(query), docs)
}

fn corpus() -> Vec<SearchDocument> {
    vec![
        doc(
            DocType::Organization,
            "Cooperativa di abitanti Niguarda Futura",
            "Cooperativa a proprietà indivisa: progettiamo un cohousing con spazi comuni.",
        ),
        doc(
            DocType::Organization,
            "Città metropolitana di Milano",
            "Coordina il tavolo metropolitano dell'economia sociale.",
        ),
        doc(
            DocType::Offer,
            "Portierato sociale negli alloggi",
            "Servizio di portineria e custodia negli alloggi di edilizia residenziale pubblica di Bologna.",
        ),
        doc(
            DocType::Need,
            "Mediazione sociale a Molise-Calvairate",
            "Conflitti di vicinato: cerchiamo mediatori sociali per uno sportello settimanale.",
        ),
        doc(
            DocType::Offer,
            "Mutui per l'abitare collaborativo",
            "Mutui ipotecari per cooperative che realizzano alloggi in affitto calmierato.",
        ),
    ]
}

#[test]
fn italian_examples_of_the_issue() {
    let docs = corpus();
    let index = index_of(&docs);
    assert_eq!(
        find(&index, "cooperative abitative", &docs)[0],
        "Cooperativa di abitanti Niguarda Futura"
    );
    assert_eq!(
        find(&index, "citta", &docs),
        vec!["Città metropolitana di Milano"]
    );
    assert_eq!(
        find(&index, "ERP", &docs),
        vec!["Portierato sociale negli alloggi"]
    );
    // And the other way round: a phrase finds its acronym's documents.
    let erp = doc(
        DocType::Need,
        "Facilitazione digitale nei quartieri ERP",
        "Punti di accesso.",
    );
    let mut docs = docs;
    docs.push(erp);
    let index = index_of(&docs);
    let found = find(&index, "edilizia residenziale pubblica", &docs);
    assert!(
        found.contains(&"Facilitazione digitale nei quartieri ERP".to_owned()),
        "{found:?}"
    );
    assert!(
        found.contains(&"Portierato sociale negli alloggi".to_owned()),
        "{found:?}"
    );
}

#[test]
fn synonyms_typos_phrases_and_exclusions() {
    let docs = corpus();
    let index = index_of(&docs);
    // cohousing = abitare collaborativo
    let found = find(&index, "cohousing", &docs);
    assert!(
        found.contains(&"Mutui per l'abitare collaborativo".to_owned()),
        "{found:?}"
    );
    assert!(
        found.contains(&"Cooperativa di abitanti Niguarda Futura".to_owned()),
        "{found:?}"
    );
    // custodia sociale = portierato sociale
    assert!(
        find(&index, "custodia sociale", &docs)
            .contains(&"Portierato sociale negli alloggi".to_owned())
    );
    // A typo.
    let results = index
        .search(&SearchRequest::new("portinerai"))
        .expect("search");
    assert_eq!(results.total, 1);
    assert_eq!(results.suggestion.as_deref(), Some("portineria"));
    // A phrase: in this order only.
    assert_eq!(
        find(&index, "\"mediazione sociale\"", &docs),
        vec!["Mediazione sociale a Molise-Calvairate"]
    );
    assert!(find(&index, "\"sociale mediazione\"", &docs).is_empty());
    // An exclusion.
    let found = find(&index, "sociale -mediazione", &docs);
    assert!(!found.iter().any(|t| t.contains("Mediazione")), "{found:?}");
    assert!(!found.is_empty());
}

#[test]
fn every_word_must_match_unless_none_does() {
    let docs = corpus();
    let index = index_of(&docs);
    let results = index
        .search(&SearchRequest::new("mutui bologna"))
        .expect("search");
    assert!(results.relaxed);
    assert_eq!(results.total, 2);
    let results = index
        .search(&SearchRequest::new("mutui cooperative"))
        .expect("search");
    assert!(!results.relaxed);
    assert_eq!(results.total, 1);
}

#[test]
fn the_plain_baseline_neither_stems_nor_expands() {
    let docs = corpus();
    let index = index_of(&docs);
    let mut request = SearchRequest::new("cooperative abitative");
    request.options = QueryOptions::plain();
    request.options.match_mode = MatchMode::All;
    assert!(titles(&index, &request, &docs).is_empty());
    request.query = "ERP".to_owned();
    assert!(titles(&index, &request, &docs).is_empty());
    request.query = "citta".to_owned();
    assert_eq!(titles(&index, &request, &docs).len(), 1);
}

#[test]
fn highlights_mark_the_matched_words_and_escape_the_rest() {
    let mut docs = corpus();
    docs.push(doc(
        DocType::Need,
        "Cortili <aperti>",
        "Feste di cortile & laboratori nei cortili.",
    ));
    let index = index_of(&docs);
    let results = index
        .search(&SearchRequest::new("cortile"))
        .expect("search");
    let hit = &results.hits[0];
    let title = hit
        .highlights
        .iter()
        .find(|h| h.field == "title")
        .expect("title");
    assert_eq!(title.fragments, vec!["<mark>Cortili</mark> &lt;aperti&gt;"]);
    let body = hit
        .highlights
        .iter()
        .find(|h| h.field == "description")
        .expect("body");
    assert!(
        body.fragments[0].contains("<mark>cortile</mark> &amp;"),
        "{body:?}"
    );
}

#[test]
fn filters_and_disjunctive_facets() {
    let mut docs = corpus();
    let mut closed = doc(
        DocType::Need,
        "Portierato sociale chiuso",
        "Un bando chiuso.",
    );
    closed.status = "closed".to_owned();
    docs.push(closed);
    let mut funding = doc(DocType::Offer, "Contributi per il portierato", "Fondi.");
    funding.kind = Some("funding".to_owned());
    funding.sectors = vec!["housing".to_owned()];
    funding.amount_min_cents = Some(100_000);
    funding.amount_max_cents = Some(500_000);
    docs.push(funding);
    let index = index_of(&docs);

    // Open only by default.
    let results = index
        .search(&SearchRequest::new("portierato"))
        .expect("search");
    assert_eq!(results.total, 2);
    let statuses = &results.facets.statuses;
    assert_eq!(
        statuses,
        &vec![
            FacetValue {
                value: "open".to_owned(),
                count: 2
            },
            FacetValue {
                value: "closed".to_owned(),
                count: 1
            },
        ]
    );

    let mut request = SearchRequest::new("portierato");
    request.filter.types = vec![DocType::Offer];
    request.filter.offer_kinds = vec![OfferKind::Funding];
    let results = index.search(&request).expect("search");
    assert_eq!(results.total, 1);
    // The type facet ignores the type filter, not the kind filter: still 1 offer.
    assert_eq!(
        results.facets.types,
        vec![FacetValue {
            value: "offer".to_owned(),
            count: 1
        }]
    );
    // The kind facet ignores the kind filter.
    let kinds: Vec<(&str, u64)> = results
        .facets
        .offer_kinds
        .iter()
        .map(|f| (f.value.as_str(), f.count))
        .collect();
    assert_eq!(kinds, vec![("competence", 1), ("funding", 1)]);

    request.filter.need_kinds = vec![NeedKind::SocialConcierge];
    request.filter.statuses = vec![PostingStatus::Open, PostingStatus::Closed];
    request.filter.types = Vec::new();
    assert_eq!(index.search(&request).expect("search").total, 1);

    let mut request = SearchRequest::new("");
    request.filter.amount_min_cents = Some(200_000);
    request.filter.organization_kinds = vec![OrganizationKind::Association];
    let results = index.search(&request).expect("search");
    assert_eq!(results.total, 1);
    request.filter.amount_min_cents = Some(600_000);
    assert_eq!(index.search(&request).expect("search").total, 0);
}

#[test]
fn sorts_by_deadline_newest_and_distance() {
    let base = Utc
        .with_ymd_and_hms(2026, 11, 1, 10, 0, 0)
        .single()
        .expect("date");
    // A need created `age` days before `base`, due `due` days after it, at `at`.
    let need = |title: &str, age: i64, due: Option<i64>, at: Option<(f64, f64)>| {
        let mut need = doc(DocType::Need, title, "");
        need.created_at = base - Duration::days(age);
        need.deadline_at = due.map(|days| base + Duration::days(days));
        need.location = at.map(|(lat, lon)| GeoPoint { lat, lon });
        need
    };
    let docs = vec![
        need("Bando A", 3, Some(30), Some((45.46, 9.19))),
        need("Bando B", 1, Some(10), Some((45.54, 9.23))),
        need("Bando C", 2, None, None),
    ];
    let index = index_of(&docs);
    let mut request = SearchRequest::new("bando");
    request.sort = SearchSort::Deadline;
    assert_eq!(
        titles(&index, &request, &docs),
        vec!["Bando B", "Bando A", "Bando C"]
    );
    request.sort = SearchSort::Newest;
    assert_eq!(
        titles(&index, &request, &docs),
        vec!["Bando B", "Bando C", "Bando A"]
    );
    request.sort = SearchSort::Distance;
    assert!(index.search(&request).is_err());
    request.filter.near = Some(Near {
        point: GeoPoint {
            lat: 45.4642,
            lon: 9.19,
        },
        km: None,
    });
    assert_eq!(
        titles(&index, &request, &docs),
        vec!["Bando A", "Bando B", "Bando C"]
    );
    request.filter.near = Some(Near {
        point: GeoPoint {
            lat: 45.4642,
            lon: 9.19,
        },
        km: Some(5.0),
    });
    let results = index.search(&request).expect("search");
    assert_eq!(results.total, 1);
    assert!(results.hits[0].distance_km.is_some_and(|d| d < 1.0));
}

#[test]
fn paging_and_similar_items() {
    let docs: Vec<SearchDocument> = (0..25)
        .map(|i| {
            doc(
                DocType::Need,
                &format!("Portierato sociale {i}"),
                "Custodia.",
            )
        })
        .collect();
    let index = index_of(&docs);
    let mut request = SearchRequest::new("portierato");
    request.limit = 10;
    let first = index.search(&request).expect("first");
    request.offset = 20;
    let last = index.search(&request).expect("last");
    assert_eq!(
        (first.total, first.hits.len(), last.hits.len()),
        (25, 10, 5)
    );
    assert!(
        first
            .hits
            .iter()
            .all(|h| !last.hits.iter().any(|l| l.id == h.id))
    );

    let docs = corpus();
    let index = index_of(&docs);
    let similar = index
        .similar(&SimilarRequest {
            doc_type: DocType::Need,
            title: "Cerchiamo mediatori".to_owned(),
            description: "Mediazione dei conflitti di vicinato nel quartiere".to_owned(),
            limit: 5,
            exclude: None,
        })
        .expect("similar");
    assert_eq!(similar.len(), 1);
    assert_eq!(similar[0].id, docs[3].id);
}
