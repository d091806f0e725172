//! Who sees what, on both databases (issue 12): contacts as their visibility
//! allows, and an update that leaves contacts out keeps them (item 7);
//! hidden organisations, offers and needs NOT_FOUND by direct link and absent
//! from every other path for outsiders, shown with the reason to their own
//! members and to moderators (item 10); members lists and drafts for the
//! organisation's own (item 11); a personal export with no one else's
//! address (item 13). Every role is a real account signed in over HTTP.

use serde_json::{Value, json};
use trama::domain::{DigestFrequency, Lang};
use trama::services::accounts;
use trama::services::digests;
use trama::services::reference_data::{MILANO, neighbourhood_id};
use uuid::Uuid;

use crate::helpers::{Backend, TestApp, gql, gql_ok, hide, new_organization, outcome, signed_up};
pub use crate::matching::{settle, territories};
use crate::on_both_databases;
use crate::partnership::set_side_status;
use crate::subscriptions::{next_json, subscribe};

on_both_databases!(
    contacts_show_as_their_visibility_allows,
    hidden_organisations_are_not_found_by_outsiders,
    members_and_drafts_stay_with_their_organisation,
    an_export_leaves_out_other_peoples_addresses,
);

/// A signed-in account.
pub struct Person {
    pub id: Uuid,
    pub email: String,
    pub token: String,
}

/// An account made through the services (registrations over HTTP are
/// rate-limited per client), verified unless told otherwise, signed in
/// over HTTP.
pub async fn person(app: &TestApp, email: &str, name: &str, verified: bool) -> Person {
    person_speaking(app, email, name, Lang::It, verified).await
}

/// [`person`], with the account's language.
pub async fn person_speaking(
    app: &TestApp,
    email: &str,
    name: &str,
    lang: Lang,
    verified: bool,
) -> Person {
    let (registered, token) = signed_up(app, email, name, lang, verified).await;
    Person {
        id: registered.user.id,
        email: email.to_owned(),
        token,
    }
}

/// A verified person who is also a platform moderator.
pub async fn moderator(app: &TestApp, email: &str, name: &str) -> Person {
    let who = person(app, email, name, true).await;
    accounts::set_moderator(app.db(), email, true)
        .await
        .expect("moderator");
    who
}

/// Makes `who` a member of `organization` with `role`, as an accepted
/// invitation would.
pub async fn join(app: &TestApp, who: &Person, organization: &str, role: &str) {
    let organization = Uuid::parse_str(organization).expect("organisation id");
    crate::memberships::add_member(app, organization, who.id, role).await;
}

/// Registers an organisation through the API; returns its id.
pub async fn organisation(app: &TestApp, admin: &Person, input: Value) -> String {
    new_organization(app, &admin.token, input).await
}

pub fn coop_input(contacts: Value) -> Value {
    json!({
        "name": "Portinerie di Comunità",
        "kind": "SOCIAL_COOPERATIVE_A",
        "taxCode": "95745878934",
        "description": "Portierato sociale nei caseggiati.",
        "seatMunicipalityCode": MILANO,
        "sectors": ["welfare_comunita"],
        "contacts": contacts,
    })
}

pub fn comune_input() -> Value {
    json!({
        "name": "Municipio 6",
        "kind": "MUNICIPALITY",
        "taxCode": "01199250158",
        "description": "Il municipio dei quartieri Lorenteggio e Giambellino.",
        "seatMunicipalityCode": MILANO,
    })
}

/// The need the co-operative's mediation offer answers.
pub fn mediation_need(title: &str) -> Value {
    json!({
        "kind": "SOCIAL_MEDIATION",
        "title": title,
        "description": "Cerchiamo mediatori sociali per i conflitti di vicinato nei caseggiati.",
        "municipalityCode": MILANO,
        "neighbourhoodId": neighbourhood_id(MILANO, "53").to_string(),
        "requiredContributions": ["COMPETENCE"],
    })
}

pub fn mediation_offer(title: &str) -> Value {
    json!({
        "kind": "COMPETENCE",
        "title": title,
        "description": "Mediatori sociali esperti nei conflitti di vicinato e nella gestione dei caseggiati.",
        "territoryScope": "MUNICIPALITY",
        "municipalityCode": MILANO,
    })
}

/// Publishes a need (`what` = "Need") or an offer ("Offer") through the
/// API; returns its id.
async fn create(
    app: &TestApp,
    who: &Person,
    what: &str,
    organization: &str,
    input: Value,
) -> String {
    create_as(app, &who.token, what, organization, input).await
}

/// Publishes a need (`what` = "Need") or an offer ("Offer") as the holder
/// of `token`; returns its id.
pub async fn create_as(
    app: &TestApp,
    token: &str,
    what: &str,
    organization: &str,
    input: Value,
) -> String {
    let mutation = format!(
        "mutation($org: ID!, $input: {what}Input!) {{ create{what}(organizationId: $org, input: $input) {{ id }} }}"
    );
    let body = gql_ok(
        app,
        Some(token),
        &mutation,
        json!({ "org": organization, "input": input }),
    )
    .await;
    body["data"][format!("create{what}")]["id"]
        .as_str()
        .expect("id")
        .to_owned()
}

pub async fn create_need(app: &TestApp, who: &Person, organization: &str, input: Value) -> String {
    create(app, who, "Need", organization, input).await
}

pub async fn create_offer(app: &TestApp, who: &Person, organization: &str, input: Value) -> String {
    create(app, who, "Offer", organization, input).await
}

/// Publishes a [`mediation_need`] titled `title` for `organization`, as
/// `who`; returns its id.
pub async fn publish_mediation_need(
    app: &TestApp,
    who: &Person,
    organization: &str,
    title: &str,
) -> String {
    create_need(app, who, organization, mediation_need(title)).await
}

/// Publishes a [`mediation_offer`] titled `title` for `organization`, as
/// `who`; returns its id.
pub async fn publish_mediation_offer(
    app: &TestApp,
    who: &Person,
    organization: &str,
    title: &str,
) -> String {
    create_offer(app, who, organization, mediation_offer(title)).await
}

/// Gives the co-operative (made with [`coop_input`]) a new description
/// through the API, as `who`, keeping its contacts.
pub async fn describe_coop(app: &TestApp, who: &Person, coop: &str, description: &str) {
    let mut input = coop_input(Value::Null);
    input.as_object_mut().expect("object").remove("contacts");
    input["description"] = json!(description);
    gql_ok(
        app,
        Some(&who.token),
        "mutation($id: ID!, $input: OrganizationInput!) { updateOrganization(id: $id, input: $input) { id } }",
        json!({ "id": coop, "input": input }),
    )
    .await;
}

/// Everyone the tests need: the co-operative (admin Anna, member Marco),
/// the municipality (admin Carla), an outsider with a verified address
/// (Otto), one without (Ugo), and a moderator (Mara).
struct World {
    anna: Person,
    marco: Person,
    carla: Person,
    otto: Person,
    ugo: Person,
    mara: Person,
    coop: String,
    comune: String,
}

/// Three contacts, one of each visibility, labelled for who sees them.
pub const CONTACTS: &str = r#"[
    { "kind": "EMAIL", "value": "info@portinerie.it", "label": "pubblico" },
    { "kind": "PHONE", "value": "02 1234567", "label": "iscritti", "visibility": "SIGNED_IN" },
    { "kind": "EMAIL", "value": "soci@portinerie.it", "label": "soci", "visibility": "MEMBERS" }
]"#;

async fn world(app: &TestApp) -> World {
    territories(app).await;
    let anna = person(app, "anna@example.org", "Anna Bianchi", true).await;
    let marco = person(app, "marco@example.org", "Marco Verdi", true).await;
    let carla = person(app, "carla@example.org", "Carla Neri", true).await;
    let otto = person(app, "otto@example.org", "Otto Esterni", true).await;
    let ugo = person(app, "ugo@example.org", "Ugo Nonverificato", false).await;
    let mara = moderator(app, "mara@example.org", "Mara Moderatrice").await;
    // Digests begin before anything is published: every match is news.
    set_daily(app, &carla).await;
    let contacts: Value = serde_json::from_str(CONTACTS).expect("contacts");
    let coop = organisation(app, &anna, coop_input(contacts)).await;
    join(app, &marco, &coop, "member").await;
    let comune = organisation(app, &carla, comune_input()).await;
    World {
        anna,
        marco,
        carla,
        otto,
        ugo,
        mara,
        coop,
        comune,
    }
}

/// Gives `who` daily digests.
async fn set_daily(app: &TestApp, who: &Person) {
    crate::digests::set_frequency(app, who, DigestFrequency::Daily).await;
}

/// The labels of the contacts list at `path` under `body`'s data.
fn labels(body: &Value, path: &[&str]) -> Vec<String> {
    let mut node = &body["data"];
    for key in path {
        node = &node[*key];
    }
    contact_labels(node)
}

/// The labels of `organization`'s contacts list.
pub fn contact_labels(organization: &Value) -> Vec<String> {
    organization["contacts"]
        .as_array()
        .unwrap_or_else(|| panic!("contacts in {organization}"))
        .iter()
        .map(|c| c["label"].as_str().unwrap_or_default().to_owned())
        .collect()
}

async fn contacts_show_as_their_visibility_allows(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let w = world(&app).await;
    let read = "query($id: ID!) { organization(id: $id) { contacts { label value } } }";
    let vars = json!({ "id": w.coop });
    let public = vec!["pubblico".to_owned()];
    let signed_in = vec!["pubblico".to_owned(), "iscritti".to_owned()];
    let all = vec![
        "pubblico".to_owned(),
        "iscritti".to_owned(),
        "soci".to_owned(),
    ];
    for (who, token, expected) in [
        ("anonymous", None, &public),
        ("unverified", Some(&w.ugo.token), &public),
        ("outsider", Some(&w.otto.token), &signed_in),
        (
            "another organisation's admin",
            Some(&w.carla.token),
            &signed_in,
        ),
        ("member", Some(&w.marco.token), &all),
        ("admin", Some(&w.anna.token), &all),
        ("moderator", Some(&w.mara.token), &all),
    ] {
        let body = gql(&app, token.map(String::as_str), read, vars.clone()).await;
        assert_eq!(outcome(&body), "OK", "{who}: {body}");
        assert_eq!(&labels(&body, &["organization"]), expected, "{who}: {body}");
    }

    // An update that leaves contacts out keeps every one of them, also
    // those its author could not see.
    let update = "mutation($id: ID!, $input: OrganizationInput!) {
        updateOrganization(id: $id, input: $input) { description contacts { label } } }";
    // Anna, its admin, updates the co-operative with `input`.
    let update_coop = async |input: &Value| {
        let variables = json!({ "id": w.coop, "input": input });
        gql_ok(&app, Some(&w.anna.token), update, variables).await
    };
    let mut input = coop_input(Value::Null);
    input.as_object_mut().expect("object").remove("contacts");
    input["description"] = json!("Portierato sociale e custodia nei caseggiati.");
    let body = update_coop(&input).await;
    assert_eq!(labels(&body, &["updateOrganization"]), all, "{body}");
    let body = gql(&app, Some(&w.marco.token), read, vars.clone()).await;
    assert_eq!(labels(&body, &["organization"]), all, "{body}");

    // One that gives contacts replaces them, knowingly.
    input["contacts"] = json!([{ "kind": "PEC", "value": "portinerie@pec.it", "label": "pec", "visibility": "MEMBERS" }]);
    let body = update_coop(&input).await;
    assert_eq!(labels(&body, &["updateOrganization"]), vec!["pec"]);
    input["contacts"] = json!([]);
    let body = update_coop(&input).await;
    assert!(labels(&body, &["updateOrganization"]).is_empty(), "{body}");
    app.stop().await;
}

/// The ids of the `node` of each edge of the connection `field` of
/// `body`'s data.
pub fn edge_ids(body: &Value, field: &str, node: &str) -> Vec<String> {
    body["data"][field]["edges"]
        .as_array()
        .unwrap_or_else(|| panic!("{field} edges in {body}"))
        .iter()
        .map(|e| {
            e["node"][node]["id"]
                .as_str()
                .unwrap_or_default()
                .to_owned()
        })
        .collect()
}

async fn hidden_organisations_are_not_found_by_outsiders(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let w = world(&app).await;
    let coop_offer = publish_mediation_offer(
        &app,
        &w.anna,
        &w.coop,
        "Mediazione dei conflitti di vicinato",
    )
    .await;
    let coop_need = create_need(
        &app,
        &w.anna,
        &w.coop,
        json!({
            "kind": "COMMUNITY_SERVICE",
            "title": "Volontari per la portineria di via Odazio",
            "description": "Cerchiamo volontari per aprire la portineria il sabato.",
            "municipalityCode": MILANO,
            "requiredContributions": ["VOLUNTEERS", "SPACE"],
        }),
    )
    .await;
    let comune_need = publish_mediation_need(
        &app,
        &w.carla,
        &w.comune,
        "Mediazione dei conflitti di vicinato a Lorenteggio",
    )
    .await;
    let comune_offer = create_offer(
        &app,
        &w.carla,
        &w.comune,
        json!({
            "kind": "SPACE",
            "title": "Sala civica di via Lorenteggio per riunioni di quartiere",
            "description": "Una sala per 40 persone, libera la sera.",
            "territoryScope": "NEIGHBOURHOOD",
            "municipalityCode": MILANO,
            "neighbourhoodId": neighbourhood_id(MILANO, "53").to_string(),
        }),
    )
    .await;
    settle(&app).await;
    let list_for_need = "query($n: ID!) { matchesForNeed(needId: $n) { edges { node { id offer { id organization { name } } } } } }";
    let body = gql(&app, None, list_for_need, json!({ "n": comune_need })).await;
    assert_eq!(
        edge_ids(&body, "matchesForNeed", "offer"),
        vec![coop_offer.clone()],
        "{body}"
    );
    // The municipality shows interest: the match is kept whatever happens.
    let match_id = body["data"]["matchesForNeed"]["edges"][0]["node"]["id"].clone();
    let body = set_side_status(&app, &w.carla, &match_id, "INTERESTED").await;
    assert_eq!(outcome(&body), "OK", "{body}");

    // A moderator hides the co-operative, and one offer of the municipality.
    for (kind, id, reason) in [
        ("ORGANIZATION", &w.coop, "Profilo non autentico"),
        ("OFFER", &comune_offer, "Sala non più disponibile"),
    ] {
        hide(&app, &w.mara.token, kind, id, reason).await;
    }
    settle(&app).await;
    assert!(crate::helpers::caught_up(&app.state.search).await);

    // What outsiders ask for holds only fields that predate hiding.
    let org = "query($id: ID!) { organization(id: $id) { name } }";
    let offer = "query($id: ID!) { offer(id: $id) { title organization { name } } }";
    let need = "query($id: ID!) { need(id: $id) { title organization { name } } }";
    let for_offer = "query($o: ID!) { matchesForOffer(offerId: $o) { edges { node { id } } } }";
    let partners =
        "query($o: ID!) { suggestedPartners(organizationId: $o) { organization { id name } } }";
    let set = "query($n: ID!) { partnerSet(needId: $n) { members { organization { id name } } } }";
    let search = "query($q: String!) { search(query: $q, filter: { types: [ORGANIZATION, OFFER, NEED] }) { edges { node { id } } } }";
    let outsiders = [
        ("anonymous", None),
        ("unverified", Some(w.ugo.token.as_str())),
        ("outsider", Some(w.otto.token.as_str())),
        ("the municipality", Some(w.carla.token.as_str())),
    ];
    for (who, token) in outsiders {
        for (query, vars) in [
            (org, json!({ "id": w.coop })),
            (offer, json!({ "id": coop_offer })),
            (need, json!({ "id": coop_need })),
            (for_offer, json!({ "o": coop_offer })),
            (list_for_need, json!({ "n": coop_need })),
            (partners, json!({ "o": w.coop })),
            (set, json!({ "n": coop_need })),
        ] {
            let body = gql(&app, token, query, vars).await;
            assert_eq!(outcome(&body), "NOT_FOUND", "{who}: {query}: {body}");
            assert!(!body.to_string().contains("Portinerie"), "{who}: {body}");
        }
        // Nor anywhere else: the match lists, partners, partner sets, search.
        for (query, vars) in [
            (list_for_need, json!({ "n": comune_need })),
            (partners, json!({ "o": w.comune })),
            (set, json!({ "n": comune_need })),
            (search, json!({ "q": "portinerie mediazione" })),
            (
                "{ organizations(first: 100) { edges { node { name } } } }",
                json!({}),
            ),
            (
                "{ offers(first: 100) { edges { node { title } } } }",
                json!({}),
            ),
        ] {
            let body = gql(&app, token, query, vars).await;
            assert_eq!(outcome(&body), "OK", "{who}: {query}: {body}");
            let text = body.to_string();
            assert!(
                !text.contains("Portinerie") && !text.contains(&coop_offer),
                "{who}: {query}: {body}"
            );
        }
    }
    let org = "query($id: ID!) { organization(id: $id) { name hiddenReason } }";
    let offer = "query($id: ID!) { offer(id: $id) { title hiddenReason organization { name hiddenReason } } }";
    let need = "query($id: ID!) { need(id: $id) { title hiddenReason organization { name } } }";
    // Only the municipality's own see its hidden offer, with the reason.
    for (who, token) in [
        ("anonymous", None),
        ("outsider", Some(w.otto.token.as_str())),
        ("the co-operative", Some(w.anna.token.as_str())),
    ] {
        let body = gql(&app, token, offer, json!({ "id": comune_offer })).await;
        assert_eq!(outcome(&body), "NOT_FOUND", "{who}: {body}");
    }
    for (who, token) in [("its admin", &w.carla.token), ("moderator", &w.mara.token)] {
        let body = gql(&app, Some(token), offer, json!({ "id": comune_offer })).await;
        assert_eq!(outcome(&body), "OK", "{who}: {body}");
        assert_eq!(
            body["data"]["offer"]["hiddenReason"], "Sala non più disponibile",
            "{who}: {body}"
        );
    }
    // The co-operative's own and the moderators see it, and why it is hidden.
    for (who, token) in [
        ("admin", &w.anna.token),
        ("member", &w.marco.token),
        ("moderator", &w.mara.token),
    ] {
        let body = gql(&app, Some(token), org, json!({ "id": w.coop })).await;
        assert_eq!(outcome(&body), "OK", "{who}: {body}");
        assert_eq!(
            body["data"]["organization"]["hiddenReason"], "Profilo non autentico",
            "{who}: {body}"
        );
        let body = gql(&app, Some(token), offer, json!({ "id": coop_offer })).await;
        assert_eq!(outcome(&body), "OK", "{who}: {body}");
        assert_eq!(body["data"]["offer"]["hiddenReason"], Value::Null);
        assert_eq!(
            body["data"]["offer"]["organization"]["hiddenReason"],
            "Profilo non autentico"
        );
        let body = gql(&app, Some(token), need, json!({ "id": coop_need })).await;
        assert_eq!(outcome(&body), "OK", "{who}: {body}");
        let body = gql(&app, Some(token), for_offer, json!({ "o": coop_offer })).await;
        assert_eq!(outcome(&body), "OK", "{who}: {body}");
    }
    // A public record says it is not hidden.
    let body = gql(&app, None, org, json!({ "id": w.comune })).await;
    assert_eq!(body["data"]["organization"]["hiddenReason"], Value::Null);

    // The municipality's digest does not name the hidden co-operative.
    let preview = digests::preview(
        app.db(),
        crate::digests::planner(&app),
        &app.state.settings,
        &w.carla.email,
    )
    .await
    .expect("preview");
    if let Some(message) = preview {
        assert!(!message.text.contains("Portinerie"), "{}", message.text);
        assert!(!message.html.contains("Portinerie"), "{}", message.html);
    }

    // Live updates: the hidden co-operative's changes are not announced.
    let mut socket = subscribe(
        &app,
        "subscription { recordChanges { recordType id removed organization { name } offer { title organization { name } } need { title } } }",
    )
    .await;
    describe_coop(&app, &w.anna, &w.coop, "Portierato sociale, ancora.").await;
    gql_ok(
        &app,
        Some(&w.anna.token),
        "mutation($id: ID!, $input: OfferInput!) { updateOffer(id: $id, input: $input) { id } }",
        json!({ "id": coop_offer, "input": mediation_offer("Mediazione di vicinato, di nuovo") }),
    )
    .await;
    // A public change after them: the first event a subscriber sees.
    let marker = publish_mediation_need(
        &app,
        &w.carla,
        &w.comune,
        "Mediazione nei cortili del Giambellino",
    )
    .await;
    loop {
        let event = next_json(&mut socket).await;
        assert_eq!(event["type"], "next", "{event}");
        let change = &event["payload"]["data"]["recordChanges"];
        assert!(!change.to_string().contains("Portinerie"), "{change}");
        // Its removal may be announced again (the feed starts a little back
        // for a new subscriber), without the record; nothing else is.
        if change["id"] == json!(w.coop) || change["id"] == json!(coop_offer) {
            assert_eq!(
                change["removed"], true,
                "a hidden organisation's change was announced: {change}"
            );
        }
        if change["id"] == json!(marker) {
            break;
        }
    }
    app.stop().await;
}

async fn members_and_drafts_stay_with_their_organisation(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let w = world(&app).await;
    let members = "query($id: ID!) { organization(id: $id) { members { totalCount edges { node { displayName role } } } } }";
    for (who, token, expected) in [
        ("anonymous", None, 0),
        ("unverified", Some(w.ugo.token.as_str()), 0),
        ("outsider", Some(w.otto.token.as_str()), 0),
        (
            "another organisation's admin",
            Some(w.carla.token.as_str()),
            0,
        ),
        ("member", Some(w.marco.token.as_str()), 2),
        ("admin", Some(w.anna.token.as_str()), 2),
        ("moderator", Some(w.mara.token.as_str()), 2),
    ] {
        let body = gql(&app, token, members, json!({ "id": w.coop })).await;
        assert_eq!(outcome(&body), "OK", "{who}: {body}");
        let list = &body["data"]["organization"]["members"];
        assert_eq!(list["totalCount"], expected, "{who}: {body}");
        assert_eq!(
            list["edges"].as_array().map(Vec::len),
            Some(expected),
            "{who}: {body}"
        );
        if expected == 0 {
            assert!(!body.to_string().contains("Marco Verdi"), "{who}: {body}");
        }
    }

    // Drafts: every query that takes their id answers NOT_FOUND to anyone
    // but the organisation's members and the moderators.
    let mut draft = mediation_need("Custodia sociale e volontari a San Siro (bozza)");
    draft["requiredContributions"] = json!(["COMPETENCE", "VOLUNTEERS"]);
    draft["status"] = json!("DRAFT");
    let draft_need = create_need(&app, &w.anna, &w.coop, draft).await;
    let mut draft = mediation_offer("Mediazione condominiale (bozza)");
    draft["status"] = json!("DRAFT");
    let draft_offer = create_offer(&app, &w.anna, &w.coop, draft).await;
    settle(&app).await;
    let queries = [
        (
            "query($id: ID!) { need(id: $id) { title requiredContributions } }",
            json!({ "id": draft_need }),
        ),
        (
            "query($id: ID!) { offer(id: $id) { title } }",
            json!({ "id": draft_offer }),
        ),
        (
            "query($id: ID!) { partnerSet(needId: $id) { uncovered members { covers } } }",
            json!({ "id": draft_need }),
        ),
        (
            "query($id: ID!) { matchesForNeed(needId: $id) { edges { node { id } } } }",
            json!({ "id": draft_need }),
        ),
        (
            "query($id: ID!) { matchesForOffer(offerId: $id) { edges { node { id } } } }",
            json!({ "id": draft_offer }),
        ),
    ];
    for (who, token) in [
        ("anonymous", None),
        ("unverified", Some(w.ugo.token.as_str())),
        ("outsider", Some(w.otto.token.as_str())),
        ("another organisation's admin", Some(w.carla.token.as_str())),
    ] {
        for (query, vars) in &queries {
            let body = gql(&app, token, query, vars.clone()).await;
            assert_eq!(outcome(&body), "NOT_FOUND", "{who}: {query}: {body}");
            assert!(body["data"].is_null(), "{who}: {query}: {body}");
        }
        let body = gql(
            &app,
            token,
            "query($t: String!) { similar(kind: NEED, title: $t) { id } }",
            json!({ "t": "Custodia sociale e volontari a San Siro" }),
        )
        .await;
        assert_eq!(outcome(&body), "OK", "{who}: {body}");
        assert!(!body.to_string().contains(&draft_need), "{who}: {body}");
    }
    for (who, token) in [
        ("member", &w.marco.token),
        ("admin", &w.anna.token),
        ("moderator", &w.mara.token),
    ] {
        for (query, vars) in &queries {
            let body = gql(&app, Some(token), query, vars.clone()).await;
            assert_eq!(outcome(&body), "OK", "{who}: {query}: {body}");
        }
    }
    app.stop().await;
}

async fn an_export_leaves_out_other_peoples_addresses(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let w = world(&app).await;
    gql_ok(
        &app,
        Some(&w.anna.token),
        "mutation($org: ID!, $e: String!) { inviteMember(organizationId: $org, email: $e, role: MEMBER) { id } }",
        json!({ "org": w.coop, "e": "nuova.socia@example.org" }),
    )
    .await;
    gql_ok(
        &app,
        Some(&w.anna.token),
        "mutation($org: ID!, $u: ID!) { changeMemberRole(organizationId: $org, userId: $u, role: ADMIN) { role } }",
        json!({ "org": w.coop, "u": w.marco.id.to_string() }),
    )
    .await;

    let body = gql_ok(&app, Some(&w.anna.token), "{ exportMyData }", json!({})).await;
    let export = &body["data"]["exportMyData"];
    let text = export.to_string();
    assert_eq!(export["account"]["email"], "anna@example.org", "{export}");
    assert!(
        !text.contains("nuova.socia@example.org"),
        "another person's address in the export: {export:#}"
    );
    assert!(!text.contains("marco@example.org"), "{export:#}");
    // The invitation itself is there, and the export says what it left out.
    let actions = export["actions"].as_array().expect("actions");
    assert!(
        actions.iter().any(|a| a["action"] == "membership.invite"),
        "{export:#}"
    );
    assert!(
        export["omitted"].as_array().is_some_and(|o| !o.is_empty()),
        "the export says what it left out: {export:#}"
    );
    app.stop().await;
}
