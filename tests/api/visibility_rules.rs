//! One test per rule of the visibility policy (`src/policy/visibility.rs`),
//! each checked on every reader where it applies: GraphQL, search, open data
//! (the download URLs), digests and live updates. `visibility.rs` checks the
//! same rules in more depth on GraphQL (every role, every query).

use serde_json::{Value, json};
use trama::domain::DigestFrequency;
use trama::services::digests;
use trama::services::opendata::{self, Dataset, ExportFormat};

use crate::digests::set_frequency;
use crate::helpers::{
    Backend, TestApp, caught_up, gql, gql_ok, gql_refused, hide, items, outcome, search_nodes,
    unhide,
};
use crate::on_both_databases;
use crate::partnership::set_side_status;
use crate::subscriptions::{Socket, next_json, subscribe};
use crate::visibility::{
    CONTACTS, Person, comune_input, contact_labels, coop_input, create_need, create_offer,
    describe_coop, join, mediation_need, mediation_offer, moderator, organisation, person,
    publish_mediation_need, publish_mediation_offer, settle, territories,
};
use trama::services::reference_data::MILANO;

on_both_databases!(
    a_need_shows_its_exact_place_only_when_it_chose_to,
    a_need_known_by_its_municipality_shows_no_neighbourhood,
    drafts_are_for_their_organisation_only,
    hidden_records_are_for_their_organisation_only,
    contacts_show_as_their_visibility_allows_on_every_reader,
    members_lists_are_for_their_organisation_only,
    dismissed_matches_leave_only_their_sides_view,
    a_request_names_its_organisation_only_to_who_may_see_it,
);

/// Far from the centre of neighbourhood 53 (Giambellino), still in Milano:
/// a search near it tells the exact point from the neighbourhood's centre.
const LAT: f64 = 45.52;
const LON: f64 = 9.22;

/// The co-operative (admin Anna, [`CONTACTS`] of each visibility) offering
/// mediation, the municipality (admin Carla) that publishes needs, an
/// outsider (Otto) and a moderator (Mara). Both admins get daily digests, so
/// matches reach a digest.
struct World {
    anna: Person,
    carla: Person,
    otto: Person,
    mara: Person,
    coop: String,
    comune: String,
    /// The co-operative's mediation offer.
    offer: String,
}

async fn world(app: &TestApp) -> World {
    territories(app).await;
    let anna = person(app, "anna@example.org", "Anna Bianchi", true).await;
    let carla = person(app, "carla@example.org", "Carla Neri", true).await;
    let otto = person(app, "otto@example.org", "Otto Esterni", true).await;
    let mara = moderator(app, "mara@example.org", "Mara Moderatrice").await;
    for who in [&anna, &carla] {
        set_frequency(app, who, DigestFrequency::Daily).await;
    }
    let contacts: Value = serde_json::from_str(CONTACTS).expect("contacts");
    let coop = organisation(app, &anna, coop_input(contacts)).await;
    let comune = organisation(app, &carla, comune_input()).await;
    let offer = publish_mediation_offer(app, &anna, &coop, "Mediazione di vicinato").await;
    World {
        anna,
        carla,
        otto,
        mara,
        coop,
        comune,
        offer,
    }
}

/// Asks `query` about the record `id` anonymously and as each person of
/// the world: `insiders` get it (their answers are returned), everyone else
/// NOT_FOUND.
async fn by_link(
    app: &TestApp,
    w: &World,
    query: &str,
    id: &str,
    insiders: &[&Person],
) -> Vec<Value> {
    let body = gql(app, None, query, json!({ "id": id })).await;
    assert_eq!(outcome(&body), "NOT_FOUND", "anonymous: {body}");
    let mut answers = Vec::new();
    for who in [&w.anna, &w.carla, &w.otto, &w.mara] {
        let body = gql(app, Some(&who.token), query, json!({ "id": id })).await;
        if insiders.iter().any(|i| i.id == who.id) {
            assert_eq!(outcome(&body), "OK", "{}: {body}", who.email);
            answers.push(body);
        } else {
            assert_eq!(outcome(&body), "NOT_FOUND", "{}: {body}", who.email);
        }
    }
    answers
}

/// The digest `who` would get now, as text and HTML ("" when none).
async fn digest(app: &TestApp, who: &Person) -> String {
    let preview = digests::preview(
        app.db(),
        crate::digests::planner(app),
        &app.state.settings,
        &who.email,
    )
    .await
    .expect("preview");
    preview.map_or_else(String::new, |m| format!("{}\n{}", m.text, m.html))
}

/// The open-data needs as JSON rows.
async fn open_needs(app: &TestApp) -> Vec<Value> {
    let bytes = opendata::export_bytes(app.db(), Dataset::Needs, ExportFormat::Json)
        .await
        .expect("export");
    let rows: Value = serde_json::from_slice(&bytes).expect("json");
    rows.as_array().expect("rows").clone()
}

fn open_row<'a>(rows: &'a [Value], id: &str) -> Option<&'a Value> {
    rows.iter().find(|r| r["id"] == id)
}

/// Every open-data file as the download URLs serve it (each dataset as CSV
/// and as JSON), one after the other.
async fn open_files(app: &TestApp) -> String {
    let mut files = String::new();
    for dataset in Dataset::ALL {
        for format in ExportFormat::ALL {
            let path = format!("/opendata/{}.{}", dataset.as_str(), format.as_str());
            let response = app.get(&path).await;
            assert_eq!(response.status(), 200, "{path}");
            files.push_str(&response.text().await.expect("body"));
        }
    }
    files
}

/// The search hits for `query` among needs, near the test point.
async fn search_near(app: &TestApp, query: &str) -> Vec<Value> {
    let near = json!({ "types": ["NEED"], "near": { "lat": LAT, "lon": LON } });
    search_nodes(app, None, query, near, "id distanceKm").await
}

/// The co-operative as a search hit for `token`'s holder, with the fields
/// `fields` selects.
async fn coop_hit(app: &TestApp, token: Option<&str>, fields: &str) -> Value {
    let filter = json!({ "types": ["ORGANIZATION"] });
    let node = format!("organization {{ name {fields} }}");
    let hits = search_nodes(app, token, "portinerie", filter, &node).await;
    hits.into_iter()
        .map(|h| h["organization"].clone())
        .find(|o| o["name"] == "Portinerie di Comunità")
        .unwrap_or_else(|| panic!("the co-operative is found"))
}

/// The ids of the offers a search for mediation finds, as `token`'s holder
/// sees them.
async fn mediation_offers_found(app: &TestApp, token: Option<&str>) -> Vec<String> {
    let filter = json!({ "types": ["OFFER"] });
    let hits = search_nodes(app, token, "mediazione vicinato", filter, "id").await;
    hits.iter()
        .map(|h| h["id"].as_str().unwrap_or_default().to_owned())
        .collect()
}

/// A socket subscribed to the live updates of needs, each with its id and
/// the need's `fields`.
async fn watch_needs(app: &TestApp, fields: &str) -> Socket {
    let query =
        format!("subscription {{ recordChanges(types: [NEED]) {{ id need {{ {fields} }} }} }}");
    subscribe(app, &query).await
}

/// The live updates of `socket` up to the first that `last` accepts
/// (included), as their `recordChanges` values.
async fn changes_until(socket: &mut Socket, mut last: impl FnMut(&Value) -> bool) -> Vec<Value> {
    let mut changes = Vec::new();
    loop {
        let event = next_json(socket).await;
        assert_eq!(event["type"], "next", "{event}");
        let change = event["payload"]["data"]["recordChanges"].clone();
        let done = last(&change);
        changes.push(change);
        if done {
            return changes;
        }
    }
}

/// Rule: a need that hides its address shows no coordinates, to anyone (its
/// own members included) and on every reader; one that chose EXACT shows
/// them.
async fn a_need_shows_its_exact_place_only_when_it_chose_to(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let w = world(&app).await;
    let mut socket = watch_needs(&app, "location { lat lon }").await;
    let mut hidden = mediation_need("Mediazione nei cortili riservati");
    hidden["lat"] = json!(LAT);
    hidden["lon"] = json!(LON);
    hidden["locationPrecision"] = json!("NEIGHBOURHOOD");
    let hidden = create_need(&app, &w.carla, &w.comune, hidden).await;
    let mut exact = mediation_need("Mediazione nel cortile aperto");
    exact["lat"] = json!(LAT);
    exact["lon"] = json!(LON);
    exact["locationPrecision"] = json!("EXACT");
    let exact = create_need(&app, &w.carla, &w.comune, exact).await;
    settle(&app).await;
    assert!(caught_up(&app.state.search).await);

    // GraphQL: the same for the public, an outsider and the need's own admin.
    let query = "query($id: ID!) { need(id: $id) { location { lat lon } } }";
    for token in [
        None,
        Some(w.otto.token.as_str()),
        Some(w.carla.token.as_str()),
    ] {
        let body = gql_ok(&app, token, query, json!({ "id": hidden })).await;
        assert_eq!(body["data"]["need"]["location"], Value::Null, "{body}");
        let body = gql(&app, token, query, json!({ "id": exact })).await;
        assert_eq!(
            body["data"]["need"]["location"]["lat"],
            json!(LAT),
            "{body}"
        );
    }

    // Search: the hidden need is placed at its neighbourhood, kilometres
    // from its address; the exact one at its point.
    let hits = search_near(&app, "mediazione cortili cortile").await;
    let distance = |id: &str| {
        hits.iter()
            .find(|h| h["id"] == id)
            .and_then(|h| h["distanceKm"].as_f64())
            .unwrap_or_else(|| panic!("{id} placed in {hits:?}"))
    };
    assert!(distance(&hidden) > 1.0, "{hits:?}");
    assert!(distance(&exact) < 0.1, "{hits:?}");

    // Open data: no coordinates for the hidden need.
    let rows = open_needs(&app).await;
    let row = open_row(&rows, &hidden).expect("the hidden-address need is public");
    assert_eq!((&row["lat"], &row["lon"]), (&Value::Null, &Value::Null));
    let row = open_row(&rows, &exact).expect("the exact need is public");
    assert_eq!(row["lat"].as_f64(), Some(LAT), "{row}");

    // Digests: the co-operative's digest does not carry the address either.
    let text = digest(&app, &w.anna).await;
    assert!(!text.contains("45.52"), "{text}");

    // Matching: an offer of another municipality a few steps from the
    // address is measured from the hidden need's neighbourhood, so that its
    // reasons do not say how near the address is.
    let mut near = mediation_offer("Mediatori da Sesto");
    near["territoryScope"] = json!("PROVINCE");
    near["municipalityCode"] = json!("015209");
    near["lat"] = json!(LAT + 0.001);
    near["lon"] = json!(LON);
    let near = create_offer(&app, &w.anna, &w.coop, near).await;
    // The km a pair's territory reason gives, if it gives any.
    let km = async |need: &str| -> Option<f64> {
        let body = gql_ok(
            &app,
            None,
            "query($n: ID!, $o: ID!) { whyNotMatched(needId: $n, offerId: $o) { reasons { criterion code message(lang: EN) } } }",
            json!({ "n": need, "o": near }),
        )
        .await;
        let reasons = items(&body["data"]["whyNotMatched"]["reasons"]);
        let territory = reasons
            .iter()
            .find(|r| r["criterion"] == "TERRITORY")
            .unwrap_or_else(|| panic!("a territory reason in {body}"));
        let message = territory["message"].as_str().unwrap_or_default();
        (territory["code"] == "nearby").then(|| {
            message
                .trim_end_matches(" km away")
                .replace(',', ".")
                .parse()
                .unwrap_or_else(|_| panic!("km in {message:?}"))
        })
    };
    let hidden_km = km(&hidden).await;
    assert!(
        hidden_km.is_none_or(|km| km > 1.0),
        "measured from the neighbourhood: {hidden_km:?}"
    );
    let exact_km = km(&exact).await;
    assert!(
        exact_km.is_some_and(|km| km < 0.5),
        "measured from the shown point: {exact_km:?}"
    );

    // Live updates: the same as GraphQL (the hidden need is announced first).
    let changes = changes_until(&mut socket, |c| c["id"] == json!(exact)).await;
    let live = |id: &str| {
        changes
            .iter()
            .find(|c| c["id"] == id)
            .map(|c| c["need"]["location"].clone())
            .unwrap_or_else(|| panic!("{id} announced in {changes:?}"))
    };
    assert_eq!(live(&hidden), Value::Null, "{changes:?}");
    assert_eq!(live(&exact)["lat"], json!(LAT), "{changes:?}");
    app.stop().await;
}

/// Rule: a need that chose MUNICIPALITY precision shows its neighbourhoods
/// (its first place's and its other places') to its insiders only: not to
/// the public or an outsider through GraphQL or live updates, not to lists
/// by neighbourhood, not to search
/// (filter, facet, words), open data, the observatory, nor through the
/// reasons of its matches and digests. A need of NEIGHBOURHOOD precision
/// shows them.
async fn a_need_known_by_its_municipality_shows_no_neighbourhood(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let w = world(&app).await;
    let nil =
        |code: &str| trama::services::reference_data::neighbourhood_id(MILANO, code).to_string();
    // The co-operative also mediates in Lorenteggio (53) alone.
    let mut in_lorenteggio = mediation_offer("Mediatori di cortile");
    in_lorenteggio["territoryScope"] = json!("NEIGHBOURHOOD");
    in_lorenteggio["neighbourhoodId"] = json!(nil("53"));
    let local_offer = create_offer(&app, &w.anna, &w.coop, in_lorenteggio).await;
    let mut socket = watch_needs(
        &app,
        "neighbourhood { name } otherPlaces { neighbourhood { name } }",
    )
    .await;
    // A need of the municipality in Lorenteggio and Barona (46), titled
    // `title`, located with `precision`; published and searchable.
    let publish = async |title: &str, precision: &str| {
        let mut input = mediation_need(title);
        input["locationPrecision"] = json!(precision);
        input["otherPlaces"] = json!([{ "neighbourhoodId": nil("46") }]);
        let id = create_need(&app, &w.carla, &w.comune, input).await;
        settle(&app).await;
        assert!(caught_up(&app.state.search).await);
        id
    };
    let hidden = publish("Mediazione nei caseggiati riservati", "MUNICIPALITY").await;

    // Digests and matches: the reasons say "same municipality", not which
    // neighbourhood.
    let text = digest(&app, &w.anna).await;
    assert!(
        text.contains("Mediazione nei caseggiati riservati"),
        "{text}"
    );
    for name in ["Lorenteggio", "Barona"] {
        assert!(!text.contains(name), "{name} in {text}");
    }
    let why = gql_ok(
        &app,
        None,
        "query($n: ID!, $o: ID!) { whyNotMatched(needId: $n, offerId: $o) { proposed reasons { message(lang: IT) } } }",
        json!({ "n": hidden, "o": local_offer }),
    )
    .await
    .to_string();
    assert!(why.contains("stesso comune: Milano"), "{why}");
    assert!(!why.contains("Lorenteggio"), "{why}");

    // The same need shown by its neighbourhood, for comparison.
    let shown = publish("Mediazione nei caseggiati aperti", "NEIGHBOURHOOD").await;

    // GraphQL: its members and the moderators see the neighbourhoods (they
    // edit them); the public and an outsider see the municipality only.
    let query = "query($id: ID!) { need(id: $id) { municipality { name } neighbourhood { name }
        otherPlaces { municipality { name } neighbourhood { name } } } }";
    for (token, insider) in [
        (None, false),
        (Some(w.otto.token.as_str()), false),
        (Some(w.anna.token.as_str()), false),
        (Some(w.carla.token.as_str()), true),
        (Some(w.mara.token.as_str()), true),
    ] {
        let body = gql_ok(&app, token, query, json!({ "id": hidden })).await;
        let need = &body["data"]["need"];
        assert_eq!(need["municipality"]["name"], "Milano", "{body}");
        if insider {
            assert_eq!(need["neighbourhood"]["name"], "Lorenteggio", "{body}");
            assert_eq!(
                need["otherPlaces"][0]["neighbourhood"]["name"], "Barona",
                "{body}"
            );
        } else {
            assert_eq!(need["neighbourhood"], Value::Null, "{body}");
            // Barona is in Milano, the need's first municipality: nothing more.
            assert_eq!(need["otherPlaces"], json!([]), "{body}");
        }
        let body = gql_ok(&app, token, query, json!({ "id": shown })).await;
        assert_eq!(
            body["data"]["need"]["neighbourhood"]["name"], "Lorenteggio",
            "{body}"
        );
    }

    // Search: not filed under its neighbourhoods, nor found by their names.
    for code in ["53", "46"] {
        let filter = json!({ "types": ["NEED"], "neighbourhoodIds": [nil(code)] });
        let ids: Vec<Value> = search_nodes(&app, None, "", filter, "id")
            .await
            .into_iter()
            .map(|h| h["id"].clone())
            .collect();
        assert!(ids.contains(&json!(shown)), "NIL {code}: {ids:?}");
        assert!(!ids.contains(&json!(hidden)), "NIL {code}: {ids:?}");
    }
    // Lists by neighbourhood: the same.
    for code in ["53", "46"] {
        let body = gql_ok(
            &app,
            None,
            "query($f: NeedFilter) { needs(filter: $f) { nodes { id } } }",
            json!({ "f": { "neighbourhoodId": nil(code) } }),
        )
        .await
        .to_string();
        assert!(body.contains(shown.as_str()), "NIL {code}: {body}");
        assert!(!body.contains(hidden.as_str()), "NIL {code}: {body}");
    }
    let found = search_nodes(&app, None, "Barona", json!({ "types": ["NEED"] }), "id").await;
    assert!(
        !found.iter().any(|h| h["id"] == hidden.as_str()),
        "{found:?}"
    );
    assert!(found.iter().any(|h| h["id"] == shown.as_str()), "{found:?}");

    // Open data: the municipality, no NIL.
    let rows = open_needs(&app).await;
    let row = open_row(&rows, &hidden).expect("the need is public");
    assert_eq!(row["municipality_istat_code"], MILANO, "{row}");
    assert_eq!(
        (&row["nil_code"], &row["nil_name"]),
        (&Value::Null, &Value::Null),
        "{row}"
    );
    assert_eq!(row["other_places"], json!([]), "{row}");
    let row = open_row(&rows, &shown).expect("the need is public");
    assert_eq!(row["nil_name"], "Lorenteggio", "{row}");

    // Live updates: as the public reads GraphQL (the hidden need is
    // announced first).
    let changes = changes_until(&mut socket, |c| c["id"] == json!(shown)).await;
    let announced = |id: &str| {
        changes
            .iter()
            .find(|c| c["id"] == id)
            .map(|c| c["need"].clone())
            .unwrap_or_else(|| panic!("{id} announced in {changes:?}"))
    };
    assert_eq!(
        announced(&hidden),
        json!({ "neighbourhood": null, "otherPlaces": [] }),
        "{changes:?}"
    );
    assert_eq!(
        announced(&shown)["neighbourhood"]["name"],
        "Lorenteggio",
        "{changes:?}"
    );

    // Observatory: counted in Milano, not in Lorenteggio.
    let areas = trama::services::observatory::figures(app.db(), 0.0)
        .await
        .expect("observatory");
    let lorenteggio = trama::services::observatory::Area::Neighbourhood(
        uuid::Uuid::parse_str(&nil("53")).expect("uuid"),
    );
    assert_eq!(
        areas.get(&lorenteggio).map(|f| f.open_needs),
        Some(1),
        "the shown need only"
    );
    app.stop().await;
}

/// Rule: a draft is seen only by its organisation's members and the
/// moderators: absent from GraphQL for others, from search, from open data
/// and from digests.
async fn drafts_are_for_their_organisation_only(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let w = world(&app).await;
    let mut socket = watch_needs(&app, "title").await;
    let mut draft = mediation_need("Bozza di mediazione nei caseggiati");
    draft["status"] = json!("DRAFT");
    let draft = create_need(&app, &w.carla, &w.comune, draft).await;
    settle(&app).await;
    assert!(caught_up(&app.state.search).await);

    // GraphQL: by link, and in the organisation's list of drafts.
    let query = "query($id: ID!) { need(id: $id) { title } }";
    by_link(&app, &w, query, &draft, &[&w.carla, &w.mara]).await;
    let list = "query($org: ID!) { needs(filter: { status: DRAFT, organizationId: $org }) { edges { node { id } } } }";
    for (token, expected) in [
        (None, "UNAUTHENTICATED"),
        (Some(w.otto.token.as_str()), "FORBIDDEN"),
        (Some(w.carla.token.as_str()), "OK"),
    ] {
        let body = gql(&app, token, list, json!({ "org": w.comune })).await;
        assert_eq!(outcome(&body), expected, "{body}");
    }
    gql_refused(
        &app,
        Some(&w.carla.token),
        "{ needs(filter: { status: DRAFT }) { edges { node { id } } } }",
        json!({}),
        "BAD_USER_INPUT",
    )
    .await;

    // Search, open data, digests: nowhere.
    let hits = search_near(&app, "bozza mediazione caseggiati").await;
    assert!(hits.iter().all(|h| h["id"] != draft), "{hits:?}");
    assert!(open_row(&open_needs(&app).await, &draft).is_none());
    let text = digest(&app, &w.anna).await;
    assert!(!text.contains("Bozza di mediazione"), "{text}");

    // Live updates: a need published after the draft is announced, the
    // draft never.
    let published =
        publish_mediation_need(&app, &w.carla, &w.comune, "Mediazione pubblicata").await;
    let changes = changes_until(&mut socket, |c| c["id"] == json!(published)).await;
    assert!(
        changes.iter().all(|c| c["id"] != json!(draft)),
        "{changes:?}"
    );
    app.stop().await;
}

/// A second mediation offer of the co-operative and a need of the
/// municipality that both its offers match: (offer, need).
async fn kept_offer_and_need(app: &TestApp, w: &World) -> (String, String) {
    let title = "Mediazione dei conflitti di vicinato nei condomini";
    let offer = publish_mediation_offer(app, &w.anna, &w.coop, title).await;
    let title = "Mediazione dei conflitti di vicinato a Lorenteggio";
    let need = publish_mediation_need(app, &w.carla, &w.comune, title).await;
    (offer, need)
}

/// Rule: a record a moderator hid is its organisation's own (and the
/// moderators'): NOT_FOUND by link for anyone else and absent from lists,
/// search, open data, digests and live updates; insiders see it, and why.
async fn hidden_records_are_for_their_organisation_only(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let w = world(&app).await;
    let (kept, _) = kept_offer_and_need(&app, &w).await;
    settle(&app).await;
    let mut socket = subscribe(
        &app,
        "subscription { recordChanges(types: [OFFER]) { id removed offer { title } } }",
    )
    .await;
    hide(&app, &w.mara.token, "OFFER", &w.offer, "Offerta duplicata").await;
    settle(&app).await;
    assert!(caught_up(&app.state.search).await);

    // GraphQL by link: the organisation's own and the moderators see it
    // and why; nobody else.
    let offer = "query($id: ID!) { offer(id: $id) { title hiddenReason } }";
    for body in by_link(&app, &w, offer, &w.offer, &[&w.anna, &w.mara]).await {
        assert_eq!(body["data"]["offer"]["hiddenReason"], "Offerta duplicata");
    }
    // Lists and search: absent, for insiders too (they list public records).
    for token in [None, Some(w.anna.token.as_str())] {
        let body = gql(
            &app,
            token,
            "{ offers(first: 100) { edges { node { id } } } }",
            json!({}),
        )
        .await;
        let text = body.to_string();
        assert!(text.contains(&kept) && !text.contains(&w.offer), "{body}");
        let found = mediation_offers_found(&app, token).await;
        assert!(
            found.contains(&kept) && !found.contains(&w.offer),
            "{found:?}"
        );
    }

    // Open data: neither file names it.
    let files = open_files(&app).await;
    assert!(files.contains(&kept), "the public offer is exported");
    assert!(!files.contains(&w.offer), "{files}");

    // Digests: the municipality hears of the public offer only.
    let text = digest(&app, &w.carla).await;
    assert!(text.contains(&kept), "{text}");
    assert!(!text.contains(&w.offer), "{text}");

    // Live updates: the hiding is announced as a removal, without the
    // record; showing it again announces it again. (A new subscriber may
    // also get changes from a little before it subscribed.)
    unhide(&app, &w.mara.token, "OFFER", &w.offer).await;
    let mut removed = false;
    let changes = changes_until(&mut socket, |c| {
        if c["id"] != json!(w.offer) {
            false
        } else if c["removed"] == true {
            removed = true;
            false
        } else {
            removed
        }
    })
    .await;
    let (shown, before) = changes.split_last().expect("changes");
    assert_eq!(shown["offer"]["title"], "Mediazione di vicinato", "{shown}");
    let removal = before
        .iter()
        .rfind(|c| c["id"] == json!(w.offer))
        .unwrap_or_else(|| panic!("the hiding is announced: {changes:?}"));
    assert_eq!(removal["removed"], true, "{changes:?}");
    assert_eq!(removal["offer"], Value::Null, "{changes:?}");
    app.stop().await;
}

/// Publishes a need of the municipality that the co-operative's offer
/// matches, and waits until it is matched and indexed: the municipality's
/// digest then names the co-operative.
async fn publish_matching_need(app: &TestApp, w: &World) {
    let title = "Mediazione di vicinato a Lorenteggio";
    publish_mediation_need(app, &w.carla, &w.comune, title).await;
    settle(app).await;
    assert!(caught_up(&app.state.search).await);
}

/// The co-operative with the fields `fields` selects, as `token`'s holder
/// gets it by link and as a search hit.
async fn coop_seen(app: &TestApp, w: &World, token: Option<&str>, fields: &str) -> [Value; 2] {
    let query = format!("query($id: ID!) {{ organization(id: $id) {{ {fields} }} }}");
    let body = gql_ok(app, token, &query, json!({ "id": w.coop })).await;
    let hit = coop_hit(app, token, fields).await;
    [body["data"]["organization"].clone(), hit]
}

/// Checks that none of `values` is in any open-data file nor in the
/// municipality's digest (which names the co-operative).
async fn neither_exported_nor_sent(app: &TestApp, w: &World, values: &[&str]) {
    let files = open_files(app).await;
    let text = digest(app, &w.carla).await;
    assert!(
        text.contains("Portinerie"),
        "the digest names the co-operative"
    );
    for value in values {
        assert!(!files.contains(value), "{value} exported");
        assert!(!text.contains(value), "{value} in the digest: {text}");
    }
}

/// The changes of the co-operative an (anonymous) subscriber is told of,
/// each organisation with `fields`, up to Anna's change of its description.
async fn live_coop_changes(app: &TestApp, w: &World, fields: &str) -> Vec<Value> {
    let mut socket = subscribe(
        app,
        &format!(
            "subscription {{ recordChanges(types: [ORGANIZATION]) {{ id organization {{ description {fields} }} }} }}"
        ),
    )
    .await;
    let description = "Portierato sociale e custodia.";
    describe_coop(app, &w.anna, &w.coop, description).await;
    let changes = changes_until(&mut socket, |c| {
        c["organization"]["description"] == description
    })
    .await;
    changes
        .into_iter()
        .filter(|c| c["id"] == json!(w.coop))
        .collect()
}

/// Rule: a contact is shown as its visibility says (public to anyone,
/// signed-in to verified accounts, members to insiders) wherever an
/// organisation is shown, and is never exported nor sent.
async fn contacts_show_as_their_visibility_allows_on_every_reader(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let w = world(&app).await;
    publish_matching_need(&app, &w).await;
    let public = ["pubblico"].map(str::to_owned).to_vec();
    let signed_in = ["pubblico", "iscritti"].map(str::to_owned).to_vec();
    let all = ["pubblico", "iscritti", "soci"].map(str::to_owned).to_vec();

    // GraphQL by link and search hits.
    for (token, expected) in [
        (None, &public),
        (Some(w.otto.token.as_str()), &signed_in),
        (Some(w.carla.token.as_str()), &signed_in),
        (Some(w.anna.token.as_str()), &all),
        (Some(w.mara.token.as_str()), &all),
    ] {
        for seen in coop_seen(&app, &w, token, "contacts { label }").await {
            assert_eq!(&contact_labels(&seen), expected, "{seen}");
        }
    }

    // Open data and digests: no contact at all.
    neither_exported_nor_sent(
        &app,
        &w,
        &["info@portinerie.it", "02 1234567", "soci@portinerie.it"],
    )
    .await;

    // Live updates: the public contacts only, to an (anonymous) subscriber.
    for change in live_coop_changes(&app, &w, "contacts { label }").await {
        assert_eq!(contact_labels(&change["organization"]), public, "{change}");
    }
    app.stop().await;
}

/// The display names of `organization`'s members list, sorted.
fn member_names(organization: &Value) -> Vec<String> {
    let members = &organization["members"];
    let mut names: Vec<String> = members["edges"]
        .as_array()
        .unwrap_or_else(|| panic!("members in {organization}"))
        .iter()
        .map(|e| {
            e["node"]["displayName"]
                .as_str()
                .unwrap_or_default()
                .to_owned()
        })
        .collect();
    assert_eq!(members["totalCount"], json!(names.len()), "{organization}");
    names.sort();
    names
}

/// Rule: an organisation's members are listed to its insiders only,
/// wherever the organisation is shown; no one's name is exported nor sent.
async fn members_lists_are_for_their_organisation_only(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let w = world(&app).await;
    let marco = person(&app, "marco@example.org", "Marco Verdi", true).await;
    join(&app, &marco, &w.coop, "member").await;
    publish_matching_need(&app, &w).await;
    let both = vec!["Anna Bianchi".to_owned(), "Marco Verdi".to_owned()];

    // GraphQL by link and search hits.
    let members = "members { totalCount edges { node { displayName } } }";
    for (token, expected) in [
        (None, &Vec::new()),
        (Some(w.otto.token.as_str()), &Vec::new()),
        (Some(w.carla.token.as_str()), &Vec::new()),
        (Some(marco.token.as_str()), &both),
        (Some(w.anna.token.as_str()), &both),
        (Some(w.mara.token.as_str()), &both),
    ] {
        for seen in coop_seen(&app, &w, token, members).await {
            assert_eq!(&member_names(&seen), expected, "{seen}");
        }
    }

    // Open data and digests: no member's name or address.
    neither_exported_nor_sent(
        &app,
        &w,
        &[
            "Anna Bianchi",
            "Marco Verdi",
            "anna@example.org",
            "marco@example.org",
        ],
    )
    .await;

    // Live updates: no members to an (anonymous) subscriber.
    for change in live_coop_changes(&app, &w, members).await {
        assert!(member_names(&change["organization"]).is_empty(), "{change}");
    }
    app.stop().await;
}

/// The offer ids of a `matchesForNeed` answer.
pub(crate) fn matched_offers(body: &Value) -> Vec<String> {
    crate::visibility::edge_ids(body, "matchesForNeed", "offer")
}

/// Rule: a match one side dismissed leaves that side's view (its match
/// lists, partner suggestions and partner sets, its digests) unless one of
/// its members asks for it back; the other side still sees it, and the
/// records themselves stay public (search, open data).
async fn dismissed_matches_leave_only_their_sides_view(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let w = world(&app).await;
    let (kept, need) = kept_offer_and_need(&app, &w).await;
    settle(&app).await;
    let list = "query($n: ID!, $all: Boolean) { matchesForNeed(needId: $n, includeDismissed: $all) { edges { node { id offer { id } } } } }";
    let body = gql(&app, Some(&w.carla.token), list, json!({ "n": need })).await;
    let offers = matched_offers(&body);
    assert!(
        offers.contains(&kept) && offers.contains(&w.offer),
        "{body}"
    );
    let edges = body["data"]["matchesForNeed"]["edges"]
        .as_array()
        .expect("edges");
    let dismissed = edges
        .iter()
        .find(|e| e["node"]["offer"]["id"] == json!(w.offer))
        .map(|e| e["node"]["id"].clone())
        .expect("the match to dismiss");
    let body = set_side_status(&app, &w.carla, &dismissed, "DISMISSED").await;
    assert_eq!(outcome(&body), "OK", "{body}");
    settle(&app).await;
    assert!(caught_up(&app.state.search).await);

    // GraphQL: the need's lists leave it out, whoever reads them.
    for token in [
        None,
        Some(w.otto.token.as_str()),
        Some(w.carla.token.as_str()),
        Some(w.anna.token.as_str()),
    ] {
        let body = gql(&app, token, list, json!({ "n": need })).await;
        assert_eq!(matched_offers(&body), vec![kept.clone()], "{body}");
    }
    // Only the need's organisation may ask for them back.
    for (token, expected) in [
        (None, "UNAUTHENTICATED"),
        (Some(w.otto.token.as_str()), "FORBIDDEN"),
        (Some(w.anna.token.as_str()), "FORBIDDEN"),
        (Some(w.mara.token.as_str()), "FORBIDDEN"),
        (Some(w.carla.token.as_str()), "OK"),
    ] {
        let body = gql(&app, token, list, json!({ "n": need, "all": true })).await;
        assert_eq!(outcome(&body), expected, "{body}");
        if expected == "OK" {
            assert!(matched_offers(&body).contains(&w.offer), "{body}");
        }
    }
    // The other side still sees the match.
    let body = gql(
        &app,
        Some(&w.anna.token),
        "query($o: ID!) { matchesForOffer(offerId: $o) { edges { node { need { id } } } } }",
        json!({ "o": w.offer }),
    )
    .await;
    assert!(body.to_string().contains(&need), "{body}");
    // Partner suggestions and the partner set stand on the kept offer only.
    let body = gql_ok(
        &app,
        Some(&w.carla.token),
        "query($o: ID!, $n: ID!) {
            suggestedPartners(organizationId: $o) { organization { id } offersForYourNeeds matches { id } }
            partnerSet(needId: $n) { members { matches { id offer { id } } } } }",
        json!({ "o": w.comune, "n": need }),
    )
    .await;
    let suggestion = &body["data"]["suggestedPartners"][0];
    assert_eq!(suggestion["organization"]["id"], json!(w.coop), "{body}");
    assert_eq!(suggestion["offersForYourNeeds"], 1, "{body}");
    let text = body.to_string();
    assert!(
        !text.contains(dismissed.as_str().unwrap_or_default()),
        "{body}"
    );
    assert!(text.contains(&kept) && !text.contains(&w.offer), "{body}");

    // Search and open data: dismissing hides nothing from the public.
    let found = mediation_offers_found(&app, None).await;
    assert!(found.contains(&w.offer), "{found:?}");
    assert!(open_files(&app).await.contains(&w.offer));

    // Digests: not in the municipality's; still in the co-operative's.
    let text = digest(&app, &w.carla).await;
    assert!(text.contains(&kept), "{text}");
    assert!(!text.contains(&w.offer), "{text}");
    let text = digest(&app, &w.anna).await;
    assert!(text.contains(&w.offer) && text.contains(&need), "{text}");
    app.stop().await;
}

/// Rule: a request to join an organisation names it only to whoever may
/// see the organisation: once a moderator hides it, the requester (an
/// outsider) sees their request without it, while its admins and the
/// moderators still see it; once it is deleted, nobody does.
async fn a_request_names_its_organisation_only_to_who_may_see_it(backend: Backend) {
    use sea_orm::{ActiveModelTrait, EntityTrait, IntoActiveModel, Set};
    use trama::store::entities::organizations;

    let app = TestApp::spawn(backend).await;
    territories(&app).await;
    let anna = person(&app, "anna@example.org", "Anna Bianchi", true).await;
    let otto = person(&app, "otto@example.org", "Otto Esterni", true).await;
    let mara = moderator(&app, "mara@example.org", "Mara Moderatrice").await;
    let coop = organisation(&app, &anna, coop_input(json!([]))).await;
    let asked = gql(
        &app,
        Some(&otto.token),
        "mutation($o: ID!) { requestOrganizationAccess(organizationId: $o) { kind organization { id } } }",
        json!({ "o": coop }),
    )
    .await;
    assert_eq!(outcome(&asked), "OK", "{asked}");
    assert_eq!(
        asked["data"]["requestOrganizationAccess"]["organization"]["id"],
        json!(coop)
    );

    let mine = "{ myOrganizationRequests { organization { id } } }";
    let pending =
        "query($o: ID!) { organizationRequests(organizationId: $o) { organization { id } } }";
    // The organisation of the one request listed (null when the list itself
    // is refused).
    let named = |body: &Value, list: &str| {
        let items = &body["data"][list];
        assert!(
            items.is_null() || items.as_array().map(Vec::len) == Some(1),
            "{body}"
        );
        items[0]["organization"].clone()
    };
    let shown = json!({ "id": coop });
    // Otto's request names no organisation any more; the insiders' lists
    // name `expected`.
    let named_to_otto_and_insiders = async |expected: Value| {
        let body = gql(&app, Some(&otto.token), mine, json!({})).await;
        assert_eq!(outcome(&body), "OK", "{body}");
        assert_eq!(
            named(&body, "myOrganizationRequests"),
            Value::Null,
            "{body}"
        );
        for insider in [&anna, &mara] {
            let body = gql(&app, Some(&insider.token), pending, json!({ "o": coop })).await;
            assert_eq!(named(&body, "organizationRequests"), expected, "{body}");
        }
    };

    hide(
        &app,
        &mara.token,
        "ORGANIZATION",
        &coop,
        "Offerta duplicata",
    )
    .await;
    named_to_otto_and_insiders(shown).await;

    let id = uuid::Uuid::parse_str(&coop).expect("organisation id");
    let mut deleted = organizations::Entity::find_by_id(id)
        .one(app.db())
        .await
        .expect("organisation")
        .expect("organisation exists")
        .into_active_model();
    deleted.deleted_at = Set(Some(trama::services::now()));
    deleted.update(app.db()).await.expect("soft delete");
    named_to_otto_and_insiders(Value::Null).await;
    app.stop().await;
}
