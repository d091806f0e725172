//! The demo's art. 55 call as the web app shows it, on both databases: the
//! Quartieri Connessi notice of the Comune di Milano, public and open for
//! more than the law's 20 days, with applications waiting for the
//! admission check; the roles each body may hold (`rolesFor`,
//! `allowedRoles`: a principal partner only when registered in RUNTS); a
//! demo co-operative applying; the need's page leading to the open
//! notice (`openNoticeProjectId`) until applications close; and loading
//! the demo twice adds no second call. The proposals are read by the
//! officer and each applicant for its own, not by the public.

use serde_json::{Value, json};

use crate::helpers::{Backend, TestApp, gql, gql_ok, login, memberships_of, outcome};
use crate::on_both_databases;

on_both_databases!(the_demo_call_waits_for_the_admission_check);

const CALL: &str = "Bando Quartieri Connessi: servizi per le comunità in nove quartieri ERP";
const PASSWORD: &str = trama::services::demo::DEMO_PASSWORD;

async fn calls(app: &TestApp, token: &str) -> Vec<String> {
    let body = gql_ok(app, Some(token), "{ myProjects { id title } }", json!({})).await;
    body["data"]["myProjects"]
        .as_array()
        .expect("projects")
        .iter()
        .filter(|p| p["title"] == CALL)
        .map(|p| p["id"].as_str().expect("id").to_owned())
        .collect()
}

async fn call(app: &TestApp, token: Option<&str>, id: &str) -> Value {
    let query = "query($p: ID!) { project(id: $p) { stage procedure isPublic
        notice { openedAt closesNotBefore minOpenDays criteria { name } }
        applications { organizationName admitted allowedRoles }
        nextSteps { to allowed } } }";
    gql_ok(app, token, query, json!({ "p": id })).await["data"]["project"].clone()
}

fn roles(value: &Value) -> Vec<&str> {
    value
        .as_array()
        .expect("roles")
        .iter()
        .map(|r| r.as_str().expect("role"))
        .collect()
}

async fn the_demo_call_waits_for_the_admission_check(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    trama::seed::demo(app.db()).await.expect("demo");
    let comune = login(&app, "comune@example.org", PASSWORD)
        .await
        .expect("officer");
    let found = calls(&app, &comune).await;
    assert_eq!(found.len(), 1, "{found:?}");
    let id = &found[0];

    // Anyone reads the public notice, published more than 20 days ago.
    let ws = call(&app, None, id).await;
    assert_eq!(ws["procedure"], "COPROGETTAZIONE", "{ws}");
    assert_eq!(ws["stage"], "APPLICATIONS", "{ws}");
    assert_eq!(ws["isPublic"], true, "{ws}");
    assert_eq!(ws["notice"]["minOpenDays"], 20, "{ws}");
    assert_eq!(
        ws["notice"]["criteria"].as_array().map(Vec::len),
        Some(3),
        "{ws}"
    );
    let closes: chrono::DateTime<chrono::Utc> =
        serde_json::from_value(ws["notice"]["closesNotBefore"].clone()).expect("closing");
    assert!(closes < trama::services::now(), "{ws}");

    // The proposals are the procedure's: an outsider reads none of them.
    assert_eq!(ws["applications"], json!([]), "{ws}");

    // The officer reads two applications, each with the roles it may be
    // admitted in.
    let ws = call(&app, Some(&comune), id).await;
    let applications = ws["applications"].as_array().expect("applications");
    assert_eq!(applications.len(), 2, "{ws}");
    let of = |name: &str| {
        applications
            .iter()
            .find(|a| a["organizationName"] == name)
            .unwrap_or_else(|| panic!("{name} in {ws}"))
    };
    assert_eq!(
        roles(&of("Ponti APS")["allowedRoles"]),
        ["PARTNER", "SUPPORTER", "FUNDER"]
    );
    assert_eq!(
        roles(&of("Cooperativa di abitanti Niguarda Futura")["allowedRoles"]),
        ["SUPPORTER", "FUNDER"]
    );
    assert!(of("Ponti APS")["admitted"].is_null());

    // The officer may close applications now.
    let ws = call(&app, Some(&comune), id).await;
    let next = ws["nextSteps"]
        .as_array()
        .expect("steps")
        .iter()
        .find(|s| s["to"] == "ADMISSION_CHECK")
        .cloned()
        .expect("admission check next");
    assert_eq!(next["allowed"], true, "{ws}");

    // The demo co-operative learns it may be a principal partner, and
    // applies; a body outside the register may only support.
    let coop = login(&app, "cooperativa@example.org", PASSWORD)
        .await
        .expect("co-operative");
    let coop_org = memberships_of(&app, &coop).await[0]["organization"]["id"].clone();
    let roles_for = "query($p: ID!, $o: ID!) { project(id: $p) { rolesFor(organizationId: $o) } }";
    let body = gql_ok(
        &app,
        Some(&coop),
        roles_for,
        json!({ "p": id, "o": coop_org }),
    )
    .await;
    assert_eq!(
        roles(&body["data"]["project"]["rolesFor"]),
        ["PARTNER", "SUPPORTER", "FUNDER"]
    );
    let unknown = gql(
        &app,
        Some(&coop),
        roles_for,
        json!({ "p": id, "o": uuid::Uuid::now_v7().to_string() }),
    )
    .await;
    assert_eq!(outcome(&unknown), "NOT_FOUND", "{unknown}");
    assert_eq!(
        unknown["errors"][0]["extensions"]["field"],
        "organizationId"
    );
    let apply = "mutation($p: ID!, $o: ID!, $t: String!) {
        applyToNotice(projectId: $p, organizationId: $o, proposal: $t) { applications { organizationName } } }";
    let body = gql_ok(
        &app,
        Some(&coop),
        apply,
        json!({ "p": id, "o": coop_org, "t": "Una portineria di comunità in via Odazio." }),
    )
    .await;
    // It reads its own application, not its competitors'.
    assert_eq!(
        body["data"]["applyToNotice"]["applications"],
        json!([{ "organizationName": "Portinerie di Comunità Società Cooperativa Sociale" }]),
        "{body}"
    );

    // The call's need leads to the open notice, until applications close.
    let need = gql_ok(
        &app,
        None,
        "query($p: ID!) { project(id: $p) { needId } }",
        json!({ "p": id }),
    )
    .await["data"]["project"]["needId"]
        .clone();
    let notice_of_need = "query($n: ID!) { need(id: $n) { openNoticeProjectId } }";
    let body = gql_ok(&app, None, notice_of_need, json!({ "n": need })).await;
    assert_eq!(body["data"]["need"]["openNoticeProjectId"], id.as_str());

    // Loading again adds no second call, and keeps the application.
    trama::seed::demo(app.db()).await.expect("demo again");
    assert_eq!(calls(&app, &comune).await, found);
    let ws = call(&app, Some(&comune), id).await;
    assert_eq!(ws["applications"].as_array().map(Vec::len), Some(3), "{ws}");
    let close =
        "mutation($p: ID!) { advanceProject(projectId: $p, to: ADMISSION_CHECK) { stage } }";
    gql_ok(&app, Some(&comune), close, json!({ "p": id })).await;
    let body = gql_ok(&app, None, notice_of_need, json!({ "n": need })).await;
    assert!(
        body["data"]["need"]["openNoticeProjectId"].is_null(),
        "{body}"
    );
    app.stop().await;
}
