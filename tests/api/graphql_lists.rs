//! The GraphQL lists on both databases: cursor connections (pages, cursors,
//! bad arguments), filters and default statuses, nested lists of an
//! organisation, and the cost of a nested query in SQL statements, which must
//! not grow with the number of rows.

use async_graphql::Request;
use sea_orm::{ActiveModelTrait, DatabaseConnection, IntoActiveModel, Set};
use serde_json::{Value, json};
use trama::domain::{Lang, MembershipRole, NeedInput, OfferInput, OrganizationInput};
use trama::graphql::build_schema;
use trama::graphql::viewer::Viewer;
use trama::services::reference_data::{MILANO, neighbourhood_id};
use trama::services::{self, Actor, needs, offers, organizations};
use trama::state::AppState;
use trama::store::entities::{memberships, users};
use uuid::Uuid;

use crate::helpers::{Backend, TestApp, TestEnv, gql_ok, load_territories};
use crate::on_both_databases;

on_both_databases!(
    nested_query_statements_do_not_grow_with_rows,
    pages_follow_cursors_newest_first,
    bad_page_arguments_are_bad_input_on_their_field,
    postings_are_open_unless_asked_and_filters_combine,
    organisations_are_filtered_by_kind_place_and_sector,
    organisation_lists_page_per_organisation,
    members_are_shown_to_signed_in_users_only,
);

fn actor() -> Actor {
    Actor::system("test")
}

/// An informal group: it needs no tax code, so fixtures can make many.
fn group(name: &str) -> OrganizationInput {
    OrganizationInput {
        name: name.into(),
        kind: "informal_group".into(),
        description: "Un gruppo di vicini.".into(),
        sectors: vec!["abitare".into()],
        ..Default::default()
    }
}

fn need(title: &str) -> NeedInput {
    NeedInput {
        kind: "community_service".into(),
        title: title.into(),
        description: "Serve una mano.".into(),
        sectors: vec!["welfare_comunita".into(), "abitare".into()],
        ..Default::default()
    }
}

fn offer(title: &str) -> OfferInput {
    OfferInput {
        kind: "volunteers".into(),
        title: title.into(),
        description: "Diamo una mano.".into(),
        territory_scope: "national".into(),
        sectors: vec!["welfare_comunita".into()],
        ..Default::default()
    }
}

/// A user with a membership of `organization`.
async fn add_member(db: &DatabaseConnection, organization: Uuid, name: &str, role: &str) {
    let at = services::now();
    let user = users::ActiveModel {
        id: Set(services::new_id()),
        email: Set(format!("{}@example.org", Uuid::now_v7().simple())),
        display_name: Set(name.to_owned()),
        password_hash: Set(None),
        email_verified_at: Set(Some(at)),
        is_moderator: Set(false),
        locale: Set(Lang::It),
        created_at: Set(at),
        updated_at: Set(at),
        deleted_at: Set(None),
    }
    .insert(db)
    .await
    .expect("user");
    memberships::ActiveModel {
        id: Set(services::new_id()),
        user_id: Set(user.id),
        organization_id: Set(organization),
        role: Set(MembershipRole::parse(role).expect("a membership role")),
        created_at: Set(at),
        updated_at: Set(at),
    }
    .insert(db)
    .await
    .expect("membership");
}

/// A moderator: members lists are shown to the organisation's members and
/// to moderators only, and a moderator's reader costs no statement.
fn signed_in() -> Viewer {
    Viewer::User {
        id: Uuid::now_v7(),
        email: "lettrice@example.org".to_owned(),
        is_moderator: true,
    }
}

/// Runs a query through the schema (no HTTP) as `viewer`; panics on errors.
async fn run(state: &AppState, query: &str, viewer: Viewer) -> Value {
    let response = build_schema(state.clone())
        .execute(Request::new(query).data(viewer))
        .await;
    assert!(response.errors.is_empty(), "{:?}", response.errors);
    response.data.into_json().expect("JSON data")
}

/// `count` needs spread over `organisations` organisations of three members
/// each.
async fn needs_with_members(db: &DatabaseConnection, count: usize, organisations: usize) {
    let mut ids = Vec::new();
    for o in 0..organisations {
        let org = organizations::create(db, &actor(), &group(&format!("Gruppo {o}")), None)
            .await
            .expect("organisation");
        add_member(db, org.id, &format!("Admin {o}"), "admin").await;
        add_member(db, org.id, &format!("Prima {o}"), "member").await;
        add_member(db, org.id, &format!("Seconda {o}"), "member").await;
        ids.push(org.id);
    }
    for n in 0..count {
        needs::create(
            db,
            &actor(),
            ids[n % organisations],
            &need(&format!("Bisogno {n}")),
        )
        .await
        .expect("need");
    }
}

const NESTED: &str = "{ needs(first: 50) { edges { node { title organization { name \
    members { edges { node { displayName role } } } } sectors { code } } } } }";

/// Executes NESTED as a signed-in reader and returns the data and the SQL
/// statements the request issued.
async fn record_statements(state: &AppState) -> (Value, Vec<String>) {
    crate::helpers::execute_recording_statements(state, Request::new(NESTED).data(signed_in()))
        .await
}

async fn nested_query_statements_do_not_grow_with_rows(backend: Backend) {
    let mut measured = Vec::new();
    for (rows, organisations) in [(5, 2), (40, 8)] {
        let env = TestEnv::new(backend).await;
        let state = env.state().await;
        needs_with_members(&state.db, rows, organisations).await;
        let (data, statements) = record_statements(&state).await;
        let edges = data["needs"]["edges"].as_array().expect("edges");
        assert_eq!(edges.len(), rows);
        for edge in edges {
            let node = &edge["node"];
            assert_eq!(
                node["organization"]["members"]["edges"]
                    .as_array()
                    .map(Vec::len),
                Some(3)
            );
            assert_eq!(
                node["sectors"],
                json!([{ "code": "abitare" }, { "code": "welfare_comunita" }])
            );
        }
        eprintln!(
            "{backend:?}: {rows} needs of {organisations} organisations: {} statements",
            statements.len()
        );
        // One statement each: the needs, their organisations, their sectors,
        // the organisations' members.
        assert_eq!(
            statements.len(),
            4,
            "{rows} needs: one statement per relation expected, got {statements:#?}"
        );
        measured.push(statements.len());
    }
    assert_eq!(measured[0], measured[1], "statements grew with the rows");
}

async fn pages_follow_cursors_newest_first(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let org = organizations::create(app.db(), &actor(), &group("Vicini di via Padova"), None)
        .await
        .expect("organisation");
    let mut ids = Vec::new();
    for n in 0..5 {
        let created = offers::create(app.db(), &actor(), org.id, &offer(&format!("Offerta {n}")))
            .await
            .expect("offer");
        ids.push(created.id.to_string());
    }
    ids.reverse();

    let query = "query($after: String) { offers(first: 2, after: $after) {
        totalCount edges { cursor node { id title } }
        pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }";
    let mut seen = Vec::new();
    let mut after = Value::Null;
    let mut pages = 0;
    loop {
        let body = gql_ok(&app, None, query, json!({ "after": after })).await;
        let list = &body["data"]["offers"];
        assert_eq!(list["totalCount"], 5);
        let edges = list["edges"].as_array().expect("edges");
        for edge in edges {
            assert_eq!(edge["cursor"], edge["node"]["id"], "the cursor is the id");
            seen.push(edge["node"]["id"].as_str().expect("id").to_owned());
        }
        let info = &list["pageInfo"];
        assert_eq!(info["startCursor"], edges[0]["cursor"]);
        assert_eq!(info["endCursor"], edges[edges.len() - 1]["cursor"]);
        assert_eq!(info["hasPreviousPage"], pages > 0, "{info}");
        pages += 1;
        if info["hasNextPage"] == false {
            break;
        }
        assert_eq!(edges.len(), 2);
        after = info["endCursor"].clone();
    }
    assert_eq!(pages, 3);
    assert_eq!(seen, ids, "newest first, each once");

    // Twenty by default; an empty list has no cursors.
    let body = app
        .graphql(
            "{ needs { edges { cursor } pageInfo { hasNextPage startCursor endCursor } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        body["data"]["needs"],
        json!({ "edges": [], "pageInfo": { "hasNextPage": false, "startCursor": null, "endCursor": null } })
    );
    app.stop().await;
}

async fn bad_page_arguments_are_bad_input_on_their_field(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let cases = [
        (
            "{ offers(first: 101) { totalCount } }",
            "first",
            "out_of_range",
        ),
        (
            "{ needs(first: -1) { totalCount } }",
            "first",
            "out_of_range",
        ),
        (
            "{ organizations(after: \"pagina-2\") { totalCount } }",
            "after",
            "bad_format",
        ),
        (
            "{ needs(filter: { municipalityCode: \"15146\" }) { totalCount } }",
            "filter.municipalityCode",
            "bad_format",
        ),
        (
            "{ offers(filter: { organizationId: \"x\" }) { totalCount } }",
            "filter.organizationId",
            "bad_format",
        ),
        (
            "{ organizations(filter: { sector: \"Abitare!\" }) { totalCount } }",
            "filter.sector",
            "bad_format",
        ),
    ];
    for (query, field, reason) in cases {
        let body = app.graphql(query, json!({})).await;
        let error = &body["errors"][0];
        assert_eq!(
            error["extensions"]["code"], "BAD_USER_INPUT",
            "{query}: {body}"
        );
        assert_eq!(error["extensions"]["field"], field, "{query}: {body}");
        assert_eq!(
            error["extensions"]["fields"][0]["reason"], reason,
            "{query}: {body}"
        );
    }
    // One hundred is allowed.
    let body = app
        .graphql("{ offers(first: 100) { totalCount } }", json!({}))
        .await;
    assert_eq!(body["data"]["offers"]["totalCount"], 0, "{body}");
    // Nested lists check their arguments too.
    let org = organizations::create(app.db(), &actor(), &group("Gruppo"), None)
        .await
        .expect("organisation");
    let body = app
        .graphql(
            "query($id: ID!) { organization(id: $id) { offers(first: 500) { totalCount } } }",
            json!({ "id": org.id.to_string() }),
        )
        .await;
    assert_eq!(body["errors"][0]["extensions"]["field"], "first", "{body}");
    app.stop().await;
}

fn titles(list: &Value) -> Vec<String> {
    list["edges"]
        .as_array()
        .expect("edges")
        .iter()
        .map(|e| e["node"]["title"].as_str().unwrap_or_default().to_owned())
        .collect()
}

async fn postings_are_open_unless_asked_and_filters_combine(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let db = app.db();
    load_territories(db).await;
    let first = organizations::create(db, &actor(), &group("Primo gruppo"), None)
        .await
        .expect("organisation");
    let second = organizations::create(db, &actor(), &group("Secondo gruppo"), None)
        .await
        .expect("organisation");
    let san_siro = neighbourhood_id(MILANO, "57");
    let open_need = NeedInput {
        neighbourhood_id: Some(san_siro.to_string()),
        ..need("Aperto a San Siro")
    };
    needs::create(db, &actor(), first.id, &open_need)
        .await
        .expect("need");
    let closed = NeedInput {
        status: Some("closed".into()),
        ..need("Chiuso")
    };
    needs::create(db, &actor(), first.id, &closed)
        .await
        .expect("need");
    let elsewhere = NeedInput {
        kind: "social_mediation".into(),
        municipality_code: Some("015077".into()),
        sectors: vec!["cultura".into()],
        ..need("Aperto a Cinisello")
    };
    needs::create(db, &actor(), second.id, &elsewhere)
        .await
        .expect("need");
    offers::create(db, &actor(), second.id, &offer("Volontari"))
        .await
        .expect("offer");
    let funding = OfferInput {
        kind: "funding".into(),
        status: Some("draft".into()),
        ..offer("Bozza di finanziamento")
    };
    offers::create(db, &actor(), first.id, &funding)
        .await
        .expect("offer");

    let needs_query = "query($filter: NeedFilter) { needs(filter: $filter) { totalCount edges { node { title status } } } }";
    let list = |filter: Value| {
        let app = &app;
        async move {
            let body = gql_ok(app, None, needs_query, json!({ "filter": filter })).await;
            body["data"]["needs"].clone()
        }
    };
    let open = list(Value::Null).await;
    assert_eq!(titles(&open), ["Aperto a Cinisello", "Aperto a San Siro"]);
    assert_eq!(open["totalCount"], 2);
    assert_eq!(
        titles(&list(json!({})).await),
        ["Aperto a Cinisello", "Aperto a San Siro"]
    );
    assert_eq!(
        titles(&list(json!({ "status": "CLOSED" })).await),
        ["Chiuso"]
    );
    assert_eq!(
        titles(&list(json!({ "kinds": ["SOCIAL_MEDIATION", "SOCIAL_CONCIERGE"] })).await),
        ["Aperto a Cinisello"]
    );
    assert_eq!(
        titles(&list(json!({ "municipalityCode": "015077" })).await),
        ["Aperto a Cinisello"]
    );
    assert_eq!(
        titles(&list(json!({ "neighbourhoodId": san_siro.to_string() })).await),
        ["Aperto a San Siro"]
    );
    assert_eq!(
        titles(&list(json!({ "organizationId": first.id.to_string() })).await),
        ["Aperto a San Siro"]
    );
    assert_eq!(
        titles(&list(json!({ "sector": "cultura" })).await),
        ["Aperto a Cinisello"]
    );
    assert_eq!(
        titles(&list(json!({ "sector": "cultura", "organizationId": first.id.to_string() })).await),
        Vec::<String>::new()
    );

    let body = app
        .graphql("{ offers { edges { node { title } } } }", json!({}))
        .await;
    assert_eq!(titles(&body["data"]["offers"]), ["Volontari"], "{body}");
    // Drafts are their organisation's: not listed for anonymous visitors
    // (the members' view is tested with accounts).
    let body = app
        .graphql(
            "{ offers(filter: { status: DRAFT, kinds: [FUNDING] }) { edges { node { title } } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        body["errors"][0]["extensions"]["field"], "filter.organizationId",
        "{body}"
    );

    // A posting a moderator hid is not listed.
    let hidden = needs::create(db, &actor(), first.id, &need("Nascosto"))
        .await
        .expect("need");
    let mut hide = hidden.into_active_model();
    hide.hidden_at = Set(Some(services::now()));
    hide.update(db).await.expect("hide");
    assert_eq!(
        titles(&list(Value::Null).await),
        ["Aperto a Cinisello", "Aperto a San Siro"]
    );

    // The postings of a deleted organisation are not listed.
    let mut deleted = second.clone().into_active_model();
    deleted.deleted_at = Set(Some(services::now()));
    deleted.update(db).await.expect("soft delete");
    assert_eq!(titles(&list(Value::Null).await), ["Aperto a San Siro"]);
    let body = app.graphql("{ offers { totalCount } }", json!({})).await;
    assert_eq!(body["data"]["offers"]["totalCount"], 0, "{body}");
    app.stop().await;
}

async fn organisations_are_filtered_by_kind_place_and_sector(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let db = app.db();
    load_territories(db).await;
    let lorenteggio = neighbourhood_id(MILANO, "50");
    let committee = OrganizationInput {
        seat_municipality_code: Some(MILANO.into()),
        neighbourhood_ids: vec![lorenteggio.to_string()],
        sectors: vec!["inclusione_sociale".into()],
        ..group("Comitato inquilini")
    };
    organizations::create(db, &actor(), &committee, None)
        .await
        .expect("organisation");
    organizations::create(db, &actor(), &group("Vicini"), None)
        .await
        .expect("organisation");
    let association = OrganizationInput {
        kind: "association".into(),
        tax_code: Some("95745878934".into()),
        ..group("Associazione")
    };
    organizations::create(db, &actor(), &association, None)
        .await
        .expect("organisation");

    let query = "query($filter: OrganizationFilter) { organizations(filter: $filter) {
        totalCount edges { node { name } } } }";
    let names = |filter: Value| {
        let app = &app;
        async move {
            let body = gql_ok(app, None, query, json!({ "filter": filter })).await;
            body["data"]["organizations"]["edges"]
                .as_array()
                .expect("edges")
                .iter()
                .map(|e| e["node"]["name"].as_str().unwrap_or_default().to_owned())
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(
        names(Value::Null).await,
        ["Associazione", "Vicini", "Comitato inquilini"]
    );
    assert_eq!(
        names(json!({ "kinds": ["INFORMAL_GROUP"] })).await,
        ["Vicini", "Comitato inquilini"]
    );
    assert_eq!(
        names(json!({ "municipalityCode": MILANO })).await,
        ["Comitato inquilini"]
    );
    assert_eq!(
        names(json!({ "neighbourhoodId": lorenteggio.to_string() })).await,
        ["Comitato inquilini"]
    );
    assert_eq!(
        names(json!({ "sector": "inclusione_sociale" })).await,
        ["Comitato inquilini"]
    );
    assert_eq!(
        names(json!({ "verificationStatuses": ["VERIFIED"] })).await,
        Vec::<String>::new()
    );
    app.stop().await;
}

async fn organisation_lists_page_per_organisation(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let db = app.db();
    let mut orgs = Vec::new();
    for (name, count) in [("Uno", 3), ("Due", 1), ("Tre", 0)] {
        let org = organizations::create(db, &actor(), &group(name), None)
            .await
            .expect("organisation");
        for n in 0..count {
            offers::create(db, &actor(), org.id, &offer(&format!("{name} {n}")))
                .await
                .expect("offer");
            needs::create(db, &actor(), org.id, &need(&format!("{name} {n}")))
                .await
                .expect("need");
        }
        orgs.push(org);
    }
    let closed = NeedInput {
        status: Some("closed".into()),
        ..need("Uno chiuso")
    };
    needs::create(db, &actor(), orgs[0].id, &closed)
        .await
        .expect("need");

    let body = gql_ok(&app, None, "{ organizations { edges { node { name
                offers(first: 2) { totalCount edges { node { title } } pageInfo { hasNextPage endCursor } }
                needs { totalCount edges { node { title } } }
                closed: needs(status: CLOSED) { totalCount edges { node { title } } }
            } } } }",
            json!({})).await;
    let edges = body["data"]["organizations"]["edges"]
        .as_array()
        .expect("edges");
    let by_name = |name: &str| {
        edges
            .iter()
            .map(|e| &e["node"])
            .find(|n| n["name"] == name)
            .cloned()
            .expect("organisation listed")
    };
    let uno = by_name("Uno");
    assert_eq!(titles(&uno["offers"]), ["Uno 2", "Uno 1"]);
    assert_eq!(uno["offers"]["totalCount"], 3);
    assert_eq!(uno["offers"]["pageInfo"]["hasNextPage"], true);
    assert_eq!(titles(&uno["needs"]), ["Uno 2", "Uno 1", "Uno 0"]);
    assert_eq!(titles(&uno["closed"]), ["Uno chiuso"]);
    assert_eq!(uno["closed"]["totalCount"], 1);
    let due = by_name("Due");
    assert_eq!(titles(&due["offers"]), ["Due 0"]);
    assert_eq!(due["offers"]["pageInfo"]["hasNextPage"], false);
    let tre = by_name("Tre");
    assert_eq!(tre["offers"]["totalCount"], 0);
    assert_eq!(titles(&tre["needs"]), Vec::<String>::new());

    // The next page of one organisation's offers.
    let body = app
        .graphql(
            "query($id: ID!, $after: String) { organization(id: $id) {
                offers(first: 2, after: $after) { edges { node { title } } pageInfo { hasNextPage hasPreviousPage } } } }",
            json!({ "id": orgs[0].id.to_string(), "after": uno["offers"]["pageInfo"]["endCursor"] }),
        )
        .await;
    let offers = &body["data"]["organization"]["offers"];
    assert_eq!(titles(offers), ["Uno 0"], "{body}");
    assert_eq!(
        offers["pageInfo"],
        json!({ "hasNextPage": false, "hasPreviousPage": true })
    );
    app.stop().await;
}

async fn members_are_shown_to_signed_in_users_only(backend: Backend) {
    let env = TestEnv::new(backend).await;
    let state = env.state().await;
    let org = organizations::create(&state.db, &actor(), &group("Gruppo"), None)
        .await
        .expect("organisation");
    add_member(&state.db, org.id, "Anna", "admin").await;
    add_member(&state.db, org.id, "Bruno", "member").await;
    add_member(&state.db, org.id, "Carla", "member").await;
    // A deleted user is no longer a member anyone sees.
    let gone = users::ActiveModel {
        id: Set(services::new_id()),
        email: Set("gone@example.org".to_owned()),
        display_name: Set("Utente cancellato".to_owned()),
        password_hash: Set(None),
        email_verified_at: Set(None),
        is_moderator: Set(false),
        locale: Set(Lang::It),
        created_at: Set(services::now()),
        updated_at: Set(services::now()),
        deleted_at: Set(Some(services::now())),
    }
    .insert(&state.db)
    .await
    .expect("user");
    memberships::ActiveModel {
        id: Set(services::new_id()),
        user_id: Set(gone.id),
        organization_id: Set(org.id),
        role: Set(MembershipRole::Member),
        created_at: Set(services::now()),
        updated_at: Set(services::now()),
    }
    .insert(&state.db)
    .await
    .expect("membership");

    let query = format!(
        "{{ organization(id: \"{}\") {{ members(first: 2) {{ totalCount
            edges {{ node {{ displayName role roleLabel(lang: EN) joinedAt }} }}
            pageInfo {{ hasNextPage endCursor }} }} }} }}",
        org.id
    );
    let anonymous = run(&state, &query, Viewer::Anonymous).await;
    assert_eq!(
        anonymous["organization"]["members"],
        json!({ "totalCount": 0, "edges": [], "pageInfo": { "hasNextPage": false, "endCursor": null } })
    );
    let seen = run(&state, &query, signed_in()).await;
    let members = &seen["organization"]["members"];
    assert_eq!(members["totalCount"], 3, "{seen}");
    let names: Vec<&str> = members["edges"]
        .as_array()
        .expect("edges")
        .iter()
        .filter_map(|e| e["node"]["displayName"].as_str())
        .collect();
    assert_eq!(names, ["Carla", "Bruno"]);
    assert_eq!(members["edges"][0]["node"]["role"], "MEMBER");
    assert_eq!(members["edges"][0]["node"]["roleLabel"], "Member");
    assert_eq!(members["pageInfo"]["hasNextPage"], true);
    let next = format!(
        "{{ organization(id: \"{}\") {{ members(after: {}) {{ edges {{ node {{ displayName role }} }} }} }} }}",
        org.id, members["pageInfo"]["endCursor"]
    );
    let rest = run(&state, &next, signed_in()).await;
    assert_eq!(
        rest["organization"]["members"]["edges"],
        json!([{ "node": { "displayName": "Anna", "role": "ADMIN" } }])
    );
}
