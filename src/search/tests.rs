//! Search behaviour on a small in-memory index: the Italian examples of the
//! issue, the query language, filters, facets, sorts and similar items.

use std::collections::BTreeMap;

use chrono::{Duration, TimeZone, Utc};
use uuid::Uuid;

use super::*;
use crate::domain::{NeedKind, OfferKind, OrganizationKind, PostingStatus};
use crate::search::candidates::CommonTerms;

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
        municipality_codes: vec!["015146".to_owned()],
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
fn every_word_must_match_unless_too_few_records_have_them_all() {
    let docs = corpus();
    let index = index_of(&docs);
    let results = index
        .search(&SearchRequest::new("mutui bologna"))
        .expect("search");
    assert!(results.relaxed);
    assert_eq!(results.all_words_total, None);
    assert_eq!(results.total, 2);
    // One record has both words, fewer than a page: those with either
    // follow it (the Niguarda co-operative), and the count of the first
    // says where they begin.
    let results = index
        .search(&SearchRequest::new("mutui cooperative"))
        .expect("search");
    assert!(!results.relaxed);
    assert_eq!(results.all_words_total, Some(1));
    assert_eq!(results.total, 2);
    assert_eq!(
        find(&index, "mutui cooperative", &docs),
        vec![
            "Mutui per l'abitare collaborativo".to_owned(),
            "Cooperativa di abitanti Niguarda Futura".to_owned()
        ]
    );
    // A full page with both words is not widened.
    let mut request = SearchRequest::new("mutui cooperative");
    request.limit = 1;
    let results = index.search(&request).expect("search");
    assert_eq!((results.total, results.all_words_total), (1, None));
    // Neither is a single word.
    let results = index.search(&SearchRequest::new("mutui")).expect("search");
    assert_eq!((results.total, results.all_words_total), (1, None));
}

#[test]
fn most_words_of_a_long_query_must_match_and_all_of_them_rank_first() {
    let docs = corpus();
    let index = index_of(&docs);
    // Three words: two must match. The Bologna concierge has all three, the
    // San Siro one two (no "Bologna"), the mutui none but "alloggi".
    let found = find(&index, "portierato alloggi Bologna", &docs);
    assert_eq!(
        found,
        vec!["Portierato sociale negli alloggi".to_owned()],
        "{found:?}"
    );
    let mut docs = corpus();
    docs.push(doc(
        DocType::Offer,
        "Portierato sociale a San Siro",
        "Portineria sociale negli alloggi popolari del quartiere.",
    ));
    let index = index_of(&docs);
    let results = index
        .search(&SearchRequest::new("portierato alloggi Bologna"))
        .expect("search");
    assert!(!results.relaxed);
    assert_eq!(results.total, 2);
    let found = find(&index, "portierato alloggi Bologna", &docs);
    assert_eq!(
        found,
        vec![
            "Portierato sociale negli alloggi".to_owned(),
            "Portierato sociale a San Siro".to_owned()
        ]
    );
    // A record with a single word of the three is not found.
    assert!(!found.iter().any(|t| t.contains("Mutui")), "{found:?}");
}

#[test]
fn the_records_with_every_word_lead_a_widened_page_whatever_the_sort() {
    // The record with both words says them once in a long text; the one
    // with a single word says it in a short title and twice more, and is
    // the newest: by score and by date it would come first.
    let mut both = doc(
        DocType::Offer,
        "Sportello per gli inquilini",
        "Un servizio di ascolto e orientamento per le famiglie del quartiere, \
         con operatori che accompagnano le persone agli uffici, aiutano a \
         compilare le domande e seguono le pratiche; tra i temi anche i mutui \
         per le cooperative di abitanti.",
    );
    both.created_at = Utc
        .with_ymd_and_hms(2026, 1, 1, 10, 0, 0)
        .single()
        .expect("date");
    let one = doc(
        DocType::Offer,
        "Cooperative",
        "Cooperative e ancora cooperative.",
    );
    let docs = vec![
        both,
        one,
        doc(DocType::Offer, "Sala in comodato", "Per riunioni."),
    ];
    let index = index_of(&docs);
    for sort in [SearchSort::Relevance, SearchSort::Newest] {
        let mut request = SearchRequest::new("mutui cooperative");
        request.sort = sort;
        let results = index.search(&request).expect("search");
        assert_eq!(results.all_words_total, Some(1), "{sort:?}");
        assert_eq!(results.total, 2, "{sort:?}");
        assert_eq!(
            titles(&index, &request, &docs),
            vec![
                "Sportello per gli inquilini".to_owned(),
                "Cooperative".to_owned()
            ],
            "{sort:?}"
        );
    }
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

/// A corpus of `n` varied documents (types, kinds, sectors, places,
/// statuses, verification, ages, words), deterministic.
fn varied_corpus(n: usize) -> Vec<SearchDocument> {
    const WORDS: [&str; 5] = ["giardino", "biblioteca", "cucina", "laboratorio", "teatro"];
    const FILLER: [&str; 4] = ["progetto", "quartiere", "insieme", "persone"];
    const SECTORS: [&str; 4] = ["housing", "culture", "education", "sport"];
    const MUNICIPALITIES: [&str; 3] = ["015146", "016024", "017029"];
    let offer_kinds = [OfferKind::Funding, OfferKind::Space, OfferKind::Competence];
    let need_kinds = [NeedKind::CommunityService, NeedKind::SocialConcierge];
    let org_kinds = [
        OrganizationKind::Association,
        OrganizationKind::HousingCooperative,
        OrganizationKind::SocialCooperativeA,
    ];
    let neighbourhoods: Vec<Uuid> = (1..=4).map(Uuid::from_u128).collect();
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = move |bound: usize| {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        ((state >> 33) % bound as u64) as usize
    };
    let base = Utc
        .with_ymd_and_hms(2026, 11, 1, 10, 0, 0)
        .single()
        .expect("date");
    (0..n)
        .map(|i| {
            let doc_type = [DocType::Organization, DocType::Offer, DocType::Need][next(3)];
            let mut words = Vec::new();
            for word in WORDS {
                for _ in 0..next(3) {
                    words.push(word);
                }
            }
            for _ in 0..next(12) {
                words.push(FILLER[next(FILLER.len())]);
            }
            let title_word = WORDS[next(WORDS.len())];
            let mut d = doc(
                doc_type,
                &format!("{} {title_word}", FILLER[next(FILLER.len())]),
                &words.join(" "),
            );
            d.id = Uuid::from_u128(1_000 + i as u128);
            d.organization_id = Uuid::from_u128(next(40) as u128 + 1);
            d.organization_kind = org_kinds[next(org_kinds.len())].as_str().to_owned();
            d.kind = match doc_type {
                DocType::Organization => None,
                DocType::Offer => Some(offer_kinds[next(offer_kinds.len())].as_str().to_owned()),
                DocType::Need => Some(need_kinds[next(need_kinds.len())].as_str().to_owned()),
            };
            d.sectors = SECTORS
                .iter()
                .filter(|_| next(3) == 0)
                .map(|s| (*s).to_owned())
                .collect();
            // None, one, or (one in five) two: the norm of the field varies.
            d.municipality_codes = match next(5) {
                0 => Vec::new(),
                1 => vec![MUNICIPALITIES[next(3)].to_owned(), "016024".to_owned()],
                _ => vec![MUNICIPALITIES[next(3)].to_owned()],
            };
            d.municipality_codes.dedup();
            d.neighbourhood_ids = neighbourhoods
                .iter()
                .filter(|_| next(4) == 0)
                .copied()
                .collect();
            d.status = if doc_type != DocType::Organization && next(4) == 0 {
                "closed".to_owned()
            } else {
                "open".to_owned()
            };
            d.verified = next(3) == 0;
            d.created_at = base - Duration::days(next(400) as i64);
            d.location = (next(4) > 0).then(|| GeoPoint {
                lat: 45.40 + next(100) as f64 / 1000.0,
                lon: 9.10 + next(100) as f64 / 1000.0,
            });
            d
        })
        .collect()
}

/// An index of `docs` in three segments, with some documents replaced (so
/// that segments hold deleted documents too).
fn segmented_index(docs: &[SearchDocument]) -> SearchIndex {
    let index = SearchIndex::in_memory().expect("index");
    let mut writer = index.writer().expect("writer");
    let third = docs.len() / 3;
    for (batch, chunk) in docs.chunks(third.max(1)).enumerate() {
        for d in chunk {
            writer.upsert(d).expect("upsert");
        }
        // Replace a few documents of the first batch by themselves.
        if batch > 0 {
            for d in docs.iter().take(5 * batch) {
                writer.upsert(d).expect("upsert");
            }
        }
        writer
            .commit(CommitPayload {
                cursor: batch as i64 + 1,
            })
            .expect("commit");
    }
    index.reload().expect("reload");
    assert_eq!(index.num_docs(), docs.len() as u64);
    index
}

/// Whether a document of the corpus holds every word of `query`, or with
/// `most` all but a third of them (the words of the corpus are never
/// inflected, so the exact form suffices).
fn brute_matches(d: &SearchDocument, words: &[&str], most: bool) -> bool {
    let held = words
        .iter()
        .filter(|w| d.body.split(' ').any(|b| b == **w) || d.title.split(' ').any(|t| t == **w))
        .count();
    // Most: either of two words, all but a third of three or more.
    let needed = if most && words.len() == 2 {
        1
    } else if most {
        words.len() - words.len() / 3
    } else {
        words.len()
    };
    held >= needed
}

type BruteFacets = BTreeMap<&'static str, BTreeMap<String, u64>>;

/// The facet counts of a search counted by hand: for each facet, the
/// documents passing every filter but that facet's, by value.
fn brute_facets(
    docs: &[SearchDocument],
    words: &[&str],
    most: bool,
    filter: &SearchFilter,
) -> (u64, BruteFacets) {
    let contains =
        |list: &[String], value: &str| list.is_empty() || list.iter().any(|v| v == value);
    let strings = |values: Vec<&str>| values.into_iter().map(str::to_owned).collect::<Vec<_>>();
    let types = strings(filter.types.iter().map(|t| t.as_str()).collect());
    let org_kinds = strings(
        filter
            .organization_kinds
            .iter()
            .map(|k| k.as_str())
            .collect(),
    );
    let offer_kinds = strings(filter.offer_kinds.iter().map(|k| k.as_str()).collect());
    let need_kinds = strings(filter.need_kinds.iter().map(|k| k.as_str()).collect());
    let statuses = strings(filter.statuses.iter().map(|s| s.as_str()).collect());
    let neighbourhoods: Vec<String> = filter
        .neighbourhood_ids
        .iter()
        .map(Uuid::to_string)
        .collect();
    let any_of = |allowed: &[String], values: &[String]| {
        allowed.is_empty() || values.iter().any(|v| allowed.contains(v))
    };
    // Which facet filters a document passes, in the order of the dims below.
    let passes = |d: &SearchDocument| -> [bool; 7] {
        let kind_filtered = !offer_kinds.is_empty() || !need_kinds.is_empty();
        let kind_ok = !kind_filtered
            || match (d.doc_type, &d.kind) {
                (DocType::Offer, Some(k)) => offer_kinds.contains(k),
                (DocType::Need, Some(k)) => need_kinds.contains(k),
                _ => false,
            };
        let neighbourhood_values: Vec<String> =
            d.neighbourhood_ids.iter().map(Uuid::to_string).collect();
        [
            contains(&types, d.doc_type.as_str()),
            contains(&org_kinds, &d.organization_kind),
            kind_ok,
            any_of(&filter.sectors, &d.sectors),
            any_of(&filter.municipality_codes, &d.municipality_codes),
            any_of(&neighbourhoods, &neighbourhood_values),
            contains(&statuses, &d.status),
        ]
    };
    let in_range = |d: &SearchDocument| {
        if filter.verified_only && !d.verified {
            return false;
        }
        match filter.near {
            Some(Near {
                point,
                km: Some(km),
            }) => d.location.is_some_and(|l| point.distance_km(l) <= km),
            _ => true,
        }
    };
    let mut total = 0;
    let mut facets = BruteFacets::new();
    for d in docs
        .iter()
        .filter(|d| brute_matches(d, words, most) && in_range(d))
    {
        let passed = passes(d);
        if passed.iter().all(|p| *p) {
            total += 1;
        }
        let values: [(&'static str, Vec<String>); 7] = [
            ("types", vec![d.doc_type.as_str().to_owned()]),
            ("organization_kinds", vec![d.organization_kind.clone()]),
            (
                match d.doc_type {
                    DocType::Offer => "offer_kinds",
                    _ => "need_kinds",
                },
                match d.doc_type {
                    DocType::Organization => Vec::new(),
                    _ => d.kind.iter().cloned().collect(),
                },
            ),
            ("sectors", d.sectors.clone()),
            ("municipalities", d.municipality_codes.clone()),
            (
                "neighbourhoods",
                d.neighbourhood_ids.iter().map(Uuid::to_string).collect(),
            ),
            ("statuses", vec![d.status.clone()]),
        ];
        for (dim, (name, dim_values)) in values.into_iter().enumerate() {
            let others_pass = passed
                .iter()
                .enumerate()
                .all(|(other, p)| other == dim || *p);
            if others_pass {
                for value in dim_values {
                    *facets.entry(name).or_default().entry(value).or_default() += 1;
                }
            }
        }
    }
    (total, facets)
}

fn facets_as_maps(facets: &Facets) -> BruteFacets {
    let mut out = BruteFacets::new();
    for (name, facet) in [
        ("types", &facets.types),
        ("organization_kinds", &facets.organization_kinds),
        ("offer_kinds", &facets.offer_kinds),
        ("need_kinds", &facets.need_kinds),
        ("sectors", &facets.sectors),
        ("municipalities", &facets.municipalities),
        ("neighbourhoods", &facets.neighbourhoods),
        ("statuses", &facets.statuses),
    ] {
        if !facet.is_empty() {
            out.insert(
                name,
                facet.iter().map(|f| (f.value.clone(), f.count)).collect(),
            );
        }
    }
    out
}

/// Filters exercising every facet dimension, alone and together.
fn varied_filters() -> Vec<SearchFilter> {
    let all_statuses = vec![PostingStatus::Open, PostingStatus::Closed];
    let mut filters = vec![SearchFilter::default()];
    let mut f = SearchFilter {
        statuses: all_statuses.clone(),
        ..SearchFilter::default()
    };
    filters.push(f.clone());
    f.types = vec![DocType::Offer, DocType::Organization];
    f.sectors = vec!["housing".to_owned(), "sport".to_owned()];
    filters.push(f.clone());
    f.offer_kinds = vec![OfferKind::Space];
    f.need_kinds = vec![NeedKind::SocialConcierge];
    f.municipality_codes = vec!["015146".to_owned()];
    filters.push(f.clone());
    filters.push(SearchFilter {
        organization_kinds: vec![OrganizationKind::Association],
        neighbourhood_ids: vec![Uuid::from_u128(2), Uuid::from_u128(3)],
        verified_only: true,
        ..SearchFilter::default()
    });
    filters.push(SearchFilter {
        statuses: vec![PostingStatus::Closed],
        near: Some(Near {
            point: GeoPoint {
                lat: 45.45,
                lon: 9.15,
            },
            km: Some(3.0),
        }),
        ..SearchFilter::default()
    });
    filters
}

#[test]
fn facet_counts_equal_a_brute_force_count() {
    let docs = varied_corpus(600);
    let index = segmented_index(&docs);
    assert!(index.reader().searcher().segment_readers().len() > 1);
    for query in [
        "",
        "giardino",
        "cucina teatro",
        "giardino biblioteca laboratorio",
    ] {
        let words: Vec<&str> = query.split_whitespace().collect();
        for filter in varied_filters() {
            let mut request = SearchRequest::new(query);
            request.filter = filter.clone();
            let results = index.search(&request).expect("search");
            // Every word; most of them when every word finds less than a
            // page (from two words).
            let (mut total, mut expected) = brute_facets(&docs, &words, false, &filter);
            if words.len() >= 2 && (total as usize) < request.limit {
                let (most_total, most_expected) = brute_facets(&docs, &words, true, &filter);
                if most_total > total {
                    (total, expected) = (most_total, most_expected);
                }
            }
            assert_eq!(results.total, total, "total of {query:?} with {filter:?}");
            assert_eq!(
                facets_as_maps(&results.facets),
                expected,
                "facets of {query:?} with {filter:?}"
            );
        }
    }
}

/// The facet tables (see `facet_table`) follow the segments: rebuilt for
/// new ones, dropped with the old ones, and the counts stay exact; the
/// register of values does not grow when the same values are indexed again.
#[test]
fn facet_tables_follow_the_live_segments() {
    let docs = varied_corpus(300);
    let index = segmented_index(&docs);
    let live = |index: &SearchIndex| -> std::collections::HashSet<_> {
        index
            .reader()
            .searcher()
            .segment_readers()
            .iter()
            .map(|r| r.segment_id())
            .collect()
    };
    let before = live(&index);
    assert!(before.len() > 1);
    assert_eq!(index.facet_tables.segment_ids(), before);
    assert!(index.facet_table_bytes() > 0);
    let numbered = index.facet_tables.register_sizes();
    assert!(numbered.iter().all(|n| *n > 0), "{numbered:?}");

    // Every document again in one new segment: the old ones go.
    let mut writer = index.writer().expect("writer");
    writer.delete_all().expect("delete all");
    for d in &docs {
        writer.upsert(d).expect("upsert");
    }
    writer.commit(CommitPayload { cursor: 9 }).expect("commit");
    writer.close();
    index.reload().expect("reload");
    let after = live(&index);
    assert!(after.is_disjoint(&before));
    // The reader's collector thread drops the tables of segments no
    // searcher uses, about once a second.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while index.facet_tables.segment_ids() != after {
        assert!(
            std::time::Instant::now() < deadline,
            "tables of {:?}, live {after:?}",
            index.facet_tables.segment_ids()
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    assert_eq!(index.facet_tables.register_sizes(), numbered);
    let results = index
        .search(&SearchRequest::new("giardino"))
        .expect("search");
    let (total, expected) = brute_facets(&docs, &["giardino"], false, &SearchFilter::default());
    assert_eq!(results.total, total);
    assert_eq!(facets_as_maps(&results.facets), expected);
}

#[test]
fn pruned_ranking_finds_the_full_passes_top() {
    let docs = varied_corpus(600);
    let index = segmented_index(&docs);
    let queries = [
        "giardino",
        "cucina teatro",
        "giardino biblioteca laboratorio",
        "teatro -cucina",
        "giardino zzzyqx",
        "laboratorio",
    ];
    for query in queries {
        for filter in varied_filters() {
            for (offset, limit) in [(0, 5), (5, 5), (0, 1), (3, 40)] {
                let mut request = SearchRequest::new(query);
                request.filter = filter.clone();
                request.offset = offset;
                request.limit = limit;
                let pruned = index.search_pruned(&request, true).expect("search");
                let full = index.search_pruned(&request, false).expect("search");
                let ids = |r: &SearchResults| r.hits.iter().map(|h| h.id).collect::<Vec<_>>();
                assert_eq!(
                    ids(&pruned),
                    ids(&full),
                    "{query:?} {filter:?} {offset}+{limit}"
                );
                for (p, f) in pruned.hits.iter().zip(&full.hits) {
                    assert!((p.score - f.score).abs() <= 1e-4 * f.score.abs().max(1.0));
                }
                assert_eq!(pruned.total, full.total);
                assert_eq!(pruned.facets, full.facets);
                assert_eq!(pruned.relaxed, full.relaxed);
            }
        }
    }
}

/// Two rankings are the same but for the order of scores equal to
/// rounding: block-max WAND sums a document's term scores in another order
/// than the full pass, so near ties may swap, and one of a near tie at the
/// cut may stand in for the other.
fn assert_same_ranking(pruned: &[(Uuid, f32)], full: &[(Uuid, f32)], what: &str) {
    let close = |a: f32, b: f32| (a - b).abs() <= 1e-5 * a.abs().max(b.abs()).max(1.0);
    assert_eq!(pruned.len(), full.len(), "{what}");
    for ((p_id, p), (f_id, f)) in pruned.iter().zip(full) {
        assert!(close(*p, *f), "{what}: {p_id} {p} against {f_id} {f}");
    }
    let cut = full.last().map_or(0.0, |(_, score)| *score);
    let in_full: std::collections::HashMap<Uuid, f32> = full.iter().copied().collect();
    for (id, score) in pruned {
        match in_full.get(id) {
            Some(theirs) => assert!(close(*score, *theirs), "{what}: {id}"),
            None => assert!(
                close(*score, cut),
                "{what}: {id} {score} is not in the full pass"
            ),
        }
    }
}

/// [`varied_corpus`] with ids whose both halves are set, to read back from
/// the id columns.
fn candidate_corpus(n: usize) -> Vec<SearchDocument> {
    let mut docs = varied_corpus(n);
    for (i, d) in docs.iter_mut().enumerate() {
        d.id = Uuid::from_u128(u128::MAX - (i as u128) * 0x1_0000_0000_0000_0001);
    }
    docs
}

/// Asserts that the ranker finds the full pass's candidates with its own
/// window and with windows of 64 documents (narrower than a segment, so
/// that documents are scored across their edges), with the common terms
/// left out (as the product does) and kept (these corpora's words are
/// common: kept, their postings are long); returns the full pass's, common
/// terms kept.
fn assert_ranked_as_the_full_pass(
    index: &SearchIndex,
    request: &CandidateRequest,
) -> Vec<(Uuid, f32)> {
    let left_out = index
        .candidates_full_pass(request, CommonTerms::LeftOut)
        .expect("full pass");
    let ranked = index.ranked_candidates(request).expect("candidates");
    assert_same_ranking(&ranked, &left_out, &format!("{request:?}"));
    let full = index
        .candidates_full_pass(request, CommonTerms::Kept)
        .expect("full pass");
    let wide = index
        .ranked_candidates_in_windows(request, 4_096, CommonTerms::Kept)
        .expect("candidates");
    assert_same_ranking(&wide, &full, &format!("{request:?}, common terms kept"));
    for (common, expected) in [
        (CommonTerms::LeftOut, &left_out),
        (CommonTerms::Kept, &full),
    ] {
        let narrow = index
            .ranked_candidates_in_windows(request, 64, common)
            .expect("candidates");
        let what = format!("{request:?}, windows of 64, common terms {common:?}");
        assert_same_ranking(&narrow, expected, &what);
    }
    full
}

#[test]
fn ranked_candidates_are_the_full_passes() {
    let index = segmented_index(&candidate_corpus(900));
    let kinds: [Vec<String>; 2] = [Vec::new(), vec!["space".to_owned(), "funding".to_owned()]];
    let mut compared = 0;
    for target in [DocType::Offer, DocType::Need] {
        for (title, description) in [
            ("giardino", "cucina e teatro per il quartiere"),
            ("laboratorio biblioteca", "persone insieme"),
            ("zzzyqx", ""),
        ] {
            for kinds in &kinds {
                for (municipalities, neighbourhood) in [
                    (Vec::new(), None),
                    (vec!["015146".to_owned()], Some(Uuid::from_u128(2))),
                    (vec!["015146".to_owned(), "016024".to_owned()], None),
                ] {
                    for exclude_organization in [None, Some(Uuid::from_u128(3))] {
                        for limit in [1, 7, 40, 1_000] {
                            let request = CandidateRequest {
                                target: Some(target),
                                title: title.to_owned(),
                                description: description.to_owned(),
                                kinds: kinds.clone(),
                                sectors: vec!["housing".to_owned()],
                                municipalities: municipalities.clone(),
                                neighbourhoods: neighbourhood.into_iter().collect(),
                                exclude_organization,
                                limit,
                            };
                            let full = assert_ranked_as_the_full_pass(&index, &request);
                            compared += usize::from(!full.is_empty());
                        }
                    }
                }
            }
        }
    }
    assert!(
        compared > 100,
        "too few requests found candidates: {compared}"
    );
}

/// The same where the posting lists are many blocks long (the ranker reads
/// them block by block), for top lists short and long.
#[test]
fn ranked_candidates_are_the_full_passes_over_long_postings() {
    let index = segmented_index(&candidate_corpus(4_000));
    let mut compared = 0;
    for target in [DocType::Offer, DocType::Need] {
        for (title, description) in [
            ("teatro", "cucina e giardino per il quartiere"),
            ("biblioteca", "laboratorio di persone insieme"),
        ] {
            for limit in [1, 5, 60, 300] {
                let request = CandidateRequest {
                    target: Some(target),
                    title: title.to_owned(),
                    description: description.to_owned(),
                    kinds: Vec::new(),
                    sectors: vec!["culture".to_owned()],
                    municipalities: vec!["015146".to_owned()],
                    neighbourhoods: vec![Uuid::from_u128(3)],
                    exclude_organization: Some(Uuid::from_u128(7)),
                    limit,
                };
                let full = assert_ranked_as_the_full_pass(&index, &request);
                compared += usize::from(full.len() == limit);
            }
        }
    }
    assert_eq!(compared, 16, "every request fills its top n");
}

/// A term held by more than half of the documents (here the municipality)
/// finds no candidate by itself: those who share a rarer word lead, and the
/// others follow at score zero, as the filter's documents do in a small
/// index; kept, it would rank them above the rest.
#[test]
fn a_term_most_documents_hold_finds_no_candidate_by_itself() {
    let mut docs: Vec<SearchDocument> = (0..40)
        .map(|i| {
            let text = if i % 10 == 3 {
                "laboratorio di falegnameria"
            } else {
                "sala per riunioni"
            };
            let mut d = doc(DocType::Offer, text, "");
            d.id = Uuid::from_u128(500 + i);
            d
        })
        .collect();
    // A few elsewhere, so that the municipality's term is common, not
    // everywhere (a term in every document scores nothing anyway).
    for d in docs.iter_mut().skip(30) {
        d.municipality_codes = vec!["016024".to_owned()];
    }
    let index = segmented_index(&docs);
    let request = CandidateRequest {
        target: Some(DocType::Offer),
        title: "falegnameria".to_owned(),
        municipalities: vec!["015146".to_owned()],
        limit: 10,
        ..CandidateRequest::default()
    };
    let woodwork: Vec<Uuid> = (0..40)
        .filter(|i| i % 10 == 3)
        .map(|i| Uuid::from_u128(500 + i))
        .collect();
    let ranked = index.ranked_candidates(&request).expect("candidates");
    assert_eq!(ranked.len(), 10);
    let (leading, following) = ranked.split_at(woodwork.len());
    assert!(
        leading
            .iter()
            .all(|(id, score)| woodwork.contains(id) && *score > 0.0)
    );
    assert!(
        following.iter().all(|(_, score)| *score == 0.0),
        "{ranked:?}"
    );

    let kept = index
        .ranked_candidates_in_windows(&request, 64, CommonTerms::Kept)
        .expect("candidates");
    assert!(kept.iter().all(|(_, score)| *score > 0.0), "{kept:?}");
    // The woodwork offer elsewhere falls behind those in the municipality.
    let elsewhere = Uuid::from_u128(533);
    assert_eq!(kept.iter().position(|(id, _)| *id == elsewhere), Some(3));
    assert_ranked_as_the_full_pass(&index, &request);
}

/// The relevance fixture's records (realistic Italian texts, with their
/// distractors) as search documents, with facet values varied by record.
fn fixture_corpus() -> Vec<SearchDocument> {
    let corpus: serde_json::Value =
        serde_json::from_str(include_str!("../../tests/fixtures/relevance/corpus.json"))
            .expect("the relevance fixture is JSON");
    let text = |record: &serde_json::Value, field: &str| {
        record[field].as_str().unwrap_or_default().to_owned()
    };
    let mut docs = Vec::new();
    for (list, doc_type, title) in [
        ("organizations", DocType::Organization, "name"),
        ("offers", DocType::Offer, "title"),
        ("needs", DocType::Need, "title"),
    ] {
        for record in corpus[list].as_array().into_iter().flatten() {
            let mut d = doc(doc_type, &text(record, title), &text(record, "description"));
            d.context = text(record, "territoryScope");
            d.municipality_codes = vec![["015146", "016024"][docs.len() % 2].to_owned()];
            d.status = ["open", "open", "closed"][docs.len() % 3].to_owned();
            docs.push(d);
        }
    }
    docs
}

/// A search whose ranker scores finds its documents from the stems'
/// posting lists of one field (`any_stem`) instead of the scoring query's
/// six fields a word: the same documents, so the same totals, facets and
/// top. Checked on realistic texts for every word of them, in other forms
/// (another ending, a typo, capitals and accents), in pairs, and with an
/// exclusion, plus the judged queries.
#[test]
fn the_stem_postings_find_what_the_scoring_fields_find() {
    let docs = fixture_corpus();
    assert!(docs.len() > 100, "{}", docs.len());
    let index = segmented_index(&docs);
    let judgements: serde_json::Value = serde_json::from_str(include_str!(
        "../../tests/fixtures/relevance/judgements.json"
    ))
    .expect("the judgements are JSON");
    let mut queries: Vec<String> = judgements["queries"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|q| q["query"].as_str().map(str::to_owned))
        .collect();
    let mut words: Vec<String> = docs
        .iter()
        .flat_map(|d| {
            format!("{} {}", d.title, d.body)
                .split(|c: char| !c.is_alphanumeric() && c != '\'')
                .filter(|w| w.chars().count() >= 4)
                .map(str::to_lowercase)
                .collect::<Vec<_>>()
        })
        .collect();
    words.sort();
    words.dedup();
    for (i, word) in words.iter().enumerate() {
        let chars: Vec<char> = word.chars().collect();
        queries.push(word.clone());
        // Another ending: plural and singular, masculine and feminine.
        let mut other_ending = chars.clone();
        if let Some(last) = other_ending.last_mut() {
            *last = match *last {
                'a' => 'e',
                'e' => 'i',
                'i' => 'o',
                'o' => 'a',
                _ => 'i',
            };
        }
        queries.push(other_ending.iter().collect());
        // A typo: two middle letters swapped.
        let mut typo = chars.clone();
        typo.swap(1, 2);
        queries.push(typo.iter().collect());
        queries.push(word.to_uppercase());
        if let Some(next) = words.get(i * 7 % words.len()) {
            queries.push(format!("{word} {next}"));
            queries.push(format!("{word} -{next}"));
        }
    }
    let mut found_something = 0;
    let mut ranked = 0;
    for query in &queries {
        // Whether the search prunes, so that its first pass reads the stems'
        // lists: the comparison below is then between the two paths.
        let searcher = index.reader().searcher();
        let built = query::QueryBuilder::new(&index, &searcher, QueryOptions::default())
            .build(&query::parse(query))
            .expect("query");
        ranked += usize::from(built.ranker.is_some());
        let mut request = SearchRequest::new(query.as_str());
        request.filter.statuses = vec![PostingStatus::Open, PostingStatus::Closed];
        request.limit = 5;
        let pruned = index.search_pruned(&request, true).expect("search");
        let full = index.search_pruned(&request, false).expect("search");
        let ids = |r: &SearchResults| r.hits.iter().map(|h| h.id).collect::<Vec<_>>();
        assert_eq!(pruned.total, full.total, "{query:?}");
        assert_eq!(pruned.facets, full.facets, "{query:?}");
        assert_eq!(pruned.relaxed, full.relaxed, "{query:?}");
        assert_eq!(ids(&pruned), ids(&full), "{query:?}");
        found_something += usize::from(full.total > 0);
    }
    // Most of them find something and take the pruned path: the comparison
    // is not of empty results, nor of the full pass with itself.
    assert!(
        found_something * 2 > queries.len(),
        "{found_something} of {}",
        queries.len()
    );
    assert!(ranked * 2 > queries.len(), "{ranked} of {}", queries.len());
}

/// `docs` and a record that shares no word with them, indexed.
fn with_a_distractor(mut docs: Vec<SearchDocument>) -> (SearchIndex, Vec<SearchDocument>) {
    docs.push(doc(DocType::Offer, "Sala in comodato", "Per riunioni."));
    (index_of(&docs), docs)
}

#[test]
fn words_of_a_dictionary_entry_and_of_a_concept_find_the_synonyms_of_both() {
    // "contributi a fondo perduto" is a term of the grant concept and, in
    // the dictionary, a strict synonym of "finanziamento" and "contributo".
    let docs = vec![
        doc(
            DocType::Offer,
            "Contributi a fondo perduto per l'abitare",
            "Un bando per le cooperative di abitanti.",
        ),
        doc(
            DocType::Offer,
            "Welfare di comunità",
            "Finanziamento di reti di associazioni e cooperative.",
        ),
        doc(
            DocType::Offer,
            "Sovvenzioni per il doposcuola",
            "Per le scuole di quartiere.",
        ),
    ];
    let (index, docs) = with_a_distractor(docs);
    let found = find(&index, "contributi a fondo perduto", &docs);
    assert_eq!(found[0], "Contributi a fondo perduto per l'abitare");
    for other in ["Welfare di comunità", "Sovvenzioni per il doposcuola"] {
        assert!(found.contains(&other.to_owned()), "{other}: {found:?}");
    }
    assert_eq!(found.len(), 3, "{found:?}");
}

#[test]
fn a_corrected_word_finds_the_synonyms_of_the_word_meant() {
    let docs = vec![
        doc(
            DocType::Offer,
            "Cohousing per anziani",
            "Alloggi con spazi comuni.",
        ),
        doc(
            DocType::Need,
            "Abitare collaborativo in cascina",
            "Cerchiamo famiglie.",
        ),
    ];
    let (index, docs) = with_a_distractor(docs);
    // What the word meant is also called, as the word itself would find.
    let found = found_as_meant(&index, &docs, "cohusing", "cohousing");
    assert_eq!(
        found,
        vec![
            "Abitare collaborativo in cascina".to_owned(),
            "Cohousing per anziani".to_owned()
        ]
    );
}

/// What `typed` finds (titles, sorted), checked to be what `meant` finds,
/// and `meant` offered as its suggestion.
fn found_as_meant(
    index: &SearchIndex,
    docs: &[SearchDocument],
    typed: &str,
    meant: &str,
) -> Vec<String> {
    let mut found = find(index, typed, docs);
    found.sort();
    let mut found_meant = find(index, meant, docs);
    found_meant.sort();
    assert_eq!(found, found_meant, "{typed} against {meant}");
    let results = index.search(&SearchRequest::new(typed)).expect("search");
    assert_eq!(results.suggestion.as_deref(), Some(meant));
    found
}

#[test]
fn a_corrected_word_spans_the_dictionary_phrase_it_begins() {
    // "portineria di quartiere" is an entry of the dictionary, a synonym of
    // "custodia sociale": typed right, it finds that phrase or a synonym
    // (not "quartiere" alone), and so it must when its first word is
    // mistyped.
    let docs = vec![
        doc(
            DocType::Offer,
            "Custodia sociale nei caseggiati",
            "Custodi presenti ogni giorno per gli inquilini.",
        ),
        doc(
            DocType::Need,
            "Portineria di quartiere a San Siro",
            "Cerchiamo una cooperativa.",
        ),
        doc(
            DocType::Offer,
            "Infermiere di quartiere",
            "Visite a domicilio nel quartiere.",
        ),
    ];
    let (index, docs) = with_a_distractor(docs);
    let found = found_as_meant(
        &index,
        &docs,
        "portineira di quartiere",
        "portineria di quartiere",
    );
    // The record that says only "quartiere" is not what was meant.
    assert_eq!(
        found,
        vec![
            "Custodia sociale nei caseggiati".to_owned(),
            "Portineria di quartiere a San Siro".to_owned()
        ]
    );
}
