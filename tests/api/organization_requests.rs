//! Joining and claiming existing organisations over real HTTP, on both
//! databases, with the real SMTP server of `smtp_server.rs`: a claim
//! confirmed through the link sent to the organisation's registered address,
//! a claim proven by the requester's own address or domain (never a public
//! webmail's), a claim approved by a moderator from the queue, a request to
//! join approved or declined by the organisation's admins, and the refusals
//! (unverified, duplicate, already a member); registering a tax code already
//! on Trama points to this path.

use std::time::Duration;

use serde_json::{Value, json};
use trama::domain::{ContactInput, Lang, OrganizationInput};
use trama::services::{Actor, accounts, organizations};
use uuid::Uuid;

use crate::helpers::{
    Backend, TestApp, TestEnv, gql, gql_ok, gql_refused, memberships_of, outcome, signed_up,
};
use crate::memberships::{account, add_member, message_and_code};
use crate::on_both_databases;
use crate::smtp_server::SmtpServer;

// Its mail's link opens a page of the web app.
on_both_databases!(web_app: a_claim_is_confirmed_from_the_registered_address);
on_both_databases!(
    a_claim_is_proven_by_the_requesters_own_address_or_domain,
    a_claim_is_approved_by_a_moderator_from_the_queue,
    a_request_to_join_is_approved_or_declined_by_the_admins,
    requests_are_refused_when_unverified_duplicate_or_already_a_member,
);

// Generous: the machine running the suite may be busy.
const WAIT: Duration = Duration::from_secs(30);
const REQUEST: &str = "mutation($o: ID!, $m: String) { requestOrganizationAccess(organizationId: $o, message: $m) { id kind status decidedVia confirmationSentTo organization { id } requester { email } } }";
const APPROVE: &str =
    "mutation($id: ID!) { approveOrganizationRequest(id: $id) { status decidedVia kind } }";
const DECLINE: &str = "mutation($id: ID!, $r: String) { declineOrganizationRequest(id: $id, reason: $r) { status decidedVia declineReason } }";
const ANSWER: &str = "mutation($t: String!, $a: Boolean!) { answerOrganizationClaim(token: $t, approve: $a) { organizationName requesterName status } }";
const PENDING_OF: &str = "query($o: ID) { organizationRequests(organizationId: $o) { id kind status message requester { email } organization { id } } }";
const MINE: &str = "{ myOrganizationRequests { status decidedVia kind } }";

/// The app with its mail going to `server`.
async fn app_with_mail(backend: Backend, server: &SmtpServer) -> TestApp {
    let mut env = TestEnv::new(backend).await;
    env.settings.smtp_url = Some(trama::config::Secret::new(server.url()));
    env.settings.public_url = "https://trama.example.it".to_owned();
    TestApp::spawn_in(env).await
}

/// An organisation as a registry import leaves it: no members, its
/// registered contacts (kind, value).
async fn registered_organisation(
    app: &TestApp,
    name: &str,
    tax_code: Option<&str>,
    contacts: &[(&str, &str)],
) -> Uuid {
    let input = OrganizationInput {
        name: name.to_owned(),
        kind: if tax_code.is_some() {
            "association"
        } else {
            "informal_group"
        }
        .to_owned(),
        tax_code: tax_code.map(str::to_owned),
        description: "Un'organizzazione del registro.".to_owned(),
        contacts: contacts
            .iter()
            .map(|(kind, value)| ContactInput {
                kind: (*kind).to_owned(),
                value: (*value).to_owned(),
                ..ContactInput::default()
            })
            .collect(),
        ..OrganizationInput::default()
    };
    organizations::create(app.db(), &Actor::system("import"), &input, None)
        .await
        .expect("organisation")
        .id
}

/// The decoded text of every message `server` received for `to`, once at
/// least `count` have arrived.
async fn mails_to(server: &SmtpServer, to: &str, count: usize) -> Vec<String> {
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        let texts: Vec<String> = server
            .messages()
            .iter()
            .filter(|m| m.rcpt_to.iter().any(|r| r.eq_ignore_ascii_case(to)))
            .map(|m| {
                let parsed = m.parsed();
                format!(
                    "{}\n{}",
                    parsed.subject().unwrap_or_default(),
                    parsed.body_text(0).unwrap_or_default()
                )
            })
            .collect();
        if texts.len() >= count || tokio::time::Instant::now() > deadline {
            assert!(
                texts.len() >= count,
                "{} e-mails to {to}, expected {count}",
                texts.len()
            );
            return texts;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The token of the link to `path` in `text`.
fn link_token(text: &str, path: &str) -> String {
    let marker = format!("{path}?token=");
    let start = text.find(&marker).expect("the link") + marker.len();
    text[start..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect()
}

async fn audit_trail(app: &TestApp) -> Vec<(String, String, Value)> {
    crate::helpers::audit_entries(app, |row| (row.action, row.actor_label, row.changes)).await
}

/// Asks to join or claim `org`, with no message.
async fn ask(app: &TestApp, token: &str, org: Uuid) -> Value {
    gql(app, Some(token), REQUEST, json!({ "o": org.to_string() })).await
}

/// Asks for access to `org` with a message to who decides.
async fn ask_saying(app: &TestApp, token: &str, org: Uuid, message: &str) -> Value {
    let vars = json!({ "o": org.to_string(), "m": message });
    gql(app, Some(token), REQUEST, vars).await
}

/// A signed-in platform moderator.
async fn moderator(app: &TestApp, email: &str) -> String {
    let (_, token) = account(app, email).await;
    accounts::set_moderator(app.db(), email, true)
        .await
        .expect("moderator");
    token
}

fn requested(body: &Value) -> &Value {
    assert_eq!(outcome(body), "OK", "{body}");
    &body["data"]["requestOrganizationAccess"]
}

/// The id of the request `body` made.
fn request_id(body: &Value) -> String {
    requested(body)["id"].as_str().expect("id").to_owned()
}

/// The person of `token` belongs to `org` alone, with `role`.
async fn assert_sole_membership(app: &TestApp, token: &str, org: Uuid, role: &str) {
    assert_eq!(
        memberships_of(app, token).await,
        json!([{ "role": role, "organization": { "id": org.to_string() } }])
    );
}

async fn a_claim_is_confirmed_from_the_registered_address(backend: Backend) {
    let server = SmtpServer::start().await;
    let app = app_with_mail(backend, &server).await;
    let org = registered_organisation(
        &app,
        "Portinerie di Comunità",
        Some("95745878934"),
        &[
            ("PEC", "portinerie@pec.portinerie.example.it"),
            ("EMAIL", "info@portinerie.example.it"),
        ],
    )
    .await;
    let (_, maria) = account(&app, "maria.rossi@gmail.com").await;
    let body = ask_saying(&app, &maria, org, "Sono la presidente dal 2024.").await;
    let request = requested(&body);
    assert_eq!(request["kind"], "CLAIM", "{body}");
    assert_eq!(request["status"], "PENDING", "{body}");
    assert_eq!(
        request["confirmationSentTo"],
        json!(["p…@pec.portinerie.example.it", "i…@portinerie.example.it"])
    );
    assert_eq!(memberships_of(&app, &maria).await, json!([]));

    // Both registered addresses get the link, in Italian, saying who asks.
    let pec = mails_to(&server, "portinerie@pec.portinerie.example.it", 1).await;
    let email = mails_to(&server, "info@portinerie.example.it", 1).await;
    assert!(pec[0].contains("maria.rossi@gmail.com"), "{}", pec[0]);
    assert!(pec[0].contains("Portinerie di Comunità"), "{}", pec[0]);
    assert!(email[0].contains("Rispondi alla richiesta"), "{}", email[0]);
    let token = link_token(&pec[0], "/organizations/claims/confirm");
    // The page the link opens exists (it only acts on a button).
    let page = app
        .get(&format!("/organizations/claims/confirm?token={token}"))
        .await;
    assert_eq!(page.status(), 200);

    // Whoever reads the registered address confirms, without an account.
    let body = gql_ok(&app, None, ANSWER, json!({ "t": token, "a": true })).await;
    assert_eq!(
        body["data"]["answerOrganizationClaim"],
        json!({ "organizationName": "Portinerie di Comunità", "requesterName": "Persona di prova", "status": "APPROVED" })
    );
    assert_sole_membership(&app, &maria, org, "ADMIN").await;
    let told = mails_to(&server, "maria.rossi@gmail.com", 1).await;
    assert!(
        told[0].contains("Ora fai parte di Portinerie di Comunità"),
        "{}",
        told[0]
    );
    let body = gql(&app, Some(&maria), MINE, json!({})).await;
    assert_eq!(
        body["data"]["myOrganizationRequests"],
        json!([{ "status": "APPROVED", "decidedVia": "CONFIRMATION_LINK", "kind": "CLAIM" }])
    );
    // The link works once.
    gql_refused(
        &app,
        None,
        ANSWER,
        json!({ "t": token, "a": true }),
        "BAD_USER_INPUT",
    )
    .await;

    // The audit log has the request, the decision and how it was taken.
    let trail = audit_trail(&app).await;
    let create = trail
        .iter()
        .find(|(action, _, _)| action == "organization_request.create")
        .expect("the request is audited");
    assert_eq!(create.1, "maria.rossi@gmail.com");
    assert_eq!(create.2["kind"], "claim");
    // How many links went out, not to whom: the trail is exported to the
    // requester.
    assert_eq!(create.2["confirmationLinks"], 2);
    assert!(
        !create.2.to_string().contains("portinerie@pec"),
        "{create:?}"
    );
    let approve = trail
        .iter()
        .find(|(action, _, _)| action == "organization_request.approve")
        .expect("the decision is audited");
    assert!(
        approve.1.contains("portinerie@pec.portinerie.example.it"),
        "{approve:?}"
    );
    assert_eq!(approve.2["decidedVia"], "confirmation_link");
    assert!(trail.iter().any(
        |(action, _, changes)| action == "membership.join_by_request" && changes["role"] == "admin"
    ));

    // A claim the registered address does not recognise is declined.
    let other = registered_organisation(
        &app,
        "Orti di Quarto",
        None,
        &[("EMAIL", "orti.quarto@example.net")],
    )
    .await;
    let (_, luca) = account(&app, "luca@example.com").await;
    let body = ask(&app, &luca, other).await;
    assert_eq!(requested(&body)["status"], "PENDING");
    let mail = mails_to(&server, "orti.quarto@example.net", 1).await;
    let token = link_token(&mail[0], "/organizations/claims/confirm");
    let body = gql(&app, None, ANSWER, json!({ "t": token, "a": false })).await;
    assert_eq!(
        body["data"]["answerOrganizationClaim"]["status"], "DECLINED",
        "{body}"
    );
    assert_eq!(memberships_of(&app, &luca).await, json!([]));
    let told = mails_to(&server, "luca@example.com", 1).await;
    assert!(told[0].contains("non è stata accolta"), "{}", told[0]);
    app.stop().await;
}

async fn a_claim_is_proven_by_the_requesters_own_address_or_domain(backend: Backend) {
    let server = SmtpServer::start().await;
    let app = app_with_mail(backend, &server).await;
    // Own address at the organisation's registered e-mail domain: at once.
    let aler = registered_organisation(
        &app,
        "Casa Comune Quarto Oggiaro",
        None,
        &[("EMAIL", "info@casacomune-example.it")],
    )
    .await;
    let (_, luca) = account(&app, "Luca.Bianchi@CasaComune-Example.it").await;
    let body = ask(&app, &luca, aler).await;
    let request = requested(&body);
    assert_eq!(request["kind"], "CLAIM");
    assert_eq!(request["status"], "APPROVED", "{body}");
    assert_eq!(request["decidedVia"], "EMAIL_DOMAIN");
    assert_sole_membership(&app, &luca, aler, "ADMIN").await;

    // A public webmail domain proves nothing: the link goes to the
    // registered address instead.
    let gmail = registered_organisation(
        &app,
        "Portierato San Siro",
        None,
        &[("EMAIL", "portierato.sansiro@gmail.com")],
    )
    .await;
    let (_, anna) = account(&app, "anna.verdi@gmail.com").await;
    let body = ask(&app, &anna, gmail).await;
    let request = requested(&body);
    assert_eq!(request["status"], "PENDING", "{body}");
    assert_eq!(request["confirmationSentTo"], json!(["p…@gmail.com"]));
    mails_to(&server, "portierato.sansiro@gmail.com", 1).await;

    // The registered address itself, verified, is proof enough.
    let (_, owner) = account(&app, "portierato.sansiro@gmail.com").await;
    let body = ask(&app, &owner, gmail).await;
    let request = requested(&body);
    assert_eq!(request["status"], "APPROVED", "{body}");
    assert_eq!(request["decidedVia"], "REGISTERED_ADDRESS");

    // A domain two organisations registered is shared: no proof.
    let shared = registered_organisation(
        &app,
        "Cooperativa Uno",
        None,
        &[("EMAIL", "uno@rete-coop-example.it")],
    )
    .await;
    registered_organisation(
        &app,
        "Cooperativa Due",
        None,
        &[("EMAIL", "due@rete-coop-example.it")],
    )
    .await;
    let (_, giulia) = account(&app, "giulia@rete-coop-example.it").await;
    let body = ask(&app, &giulia, shared).await;
    assert_eq!(requested(&body)["status"], "PENDING", "{body}");
    app.stop().await;
}

async fn a_claim_is_approved_by_a_moderator_from_the_queue(backend: Backend) {
    let server = SmtpServer::start().await;
    let app = app_with_mail(backend, &server).await;
    // Imported without any registered address.
    let org = registered_organisation(&app, "ASD Quarto Cagnino", None, &[]).await;
    let (_, paolo) = account(&app, "paolo@example.org").await;
    let (_, sara) = account(&app, "sara@example.org").await;
    let moderator = moderator(&app, "moderatrice@example.org").await;
    let body = ask_saying(&app, &paolo, org, "Allego lo statuto su richiesta.").await;
    let request = requested(&body);
    assert_eq!(request["status"], "PENDING");
    assert_eq!(request["confirmationSentTo"], json!([]));
    let paolo_request = request_id(&body);
    let body = ask(&app, &sara, org).await;
    let sara_request = request_id(&body);

    // The queue is for moderators only.
    assert_eq!(
        outcome(&gql(&app, Some(&paolo), PENDING_OF, json!({})).await),
        "FORBIDDEN"
    );
    assert_eq!(
        outcome(&gql(&app, None, PENDING_OF, json!({})).await),
        "UNAUTHENTICATED"
    );
    let body = gql(&app, Some(&moderator), PENDING_OF, json!({})).await;
    let queue = body["data"]["organizationRequests"]
        .as_array()
        .expect("queue");
    assert_eq!(queue.len(), 2, "{body}");
    assert_eq!(queue[0]["id"], paolo_request.as_str());
    assert_eq!(queue[0]["requester"]["email"], "paolo@example.org");
    assert_eq!(queue[0]["message"], "Allego lo statuto su richiesta.");

    // Nobody approves their own claim.
    let body = gql(&app, Some(&paolo), APPROVE, json!({ "id": paolo_request })).await;
    let (message, code) = message_and_code(&body);
    assert_eq!(code, "FORBIDDEN", "{body}");
    assert!(message.contains("moderatore"), "{message}");

    let body = gql(
        &app,
        Some(&moderator),
        APPROVE,
        json!({ "id": paolo_request }),
    )
    .await;
    assert_eq!(
        body["data"]["approveOrganizationRequest"],
        json!({ "status": "APPROVED", "decidedVia": "MODERATOR", "kind": "CLAIM" }),
        "{body}"
    );
    assert_sole_membership(&app, &paolo, org, "ADMIN").await;
    let told = mails_to(&server, "paolo@example.org", 1).await;
    assert!(
        told[0].contains("amministratore di ASD Quarto Cagnino"),
        "{}",
        told[0]
    );
    let trail = audit_trail(&app).await;
    let approve = trail
        .iter()
        .find(|(action, _, _)| action == "organization_request.approve")
        .expect("the decision is audited");
    assert_eq!(approve.1, "moderatrice@example.org");
    assert_eq!(approve.2["decidedVia"], "moderator");
    assert!(approve.2["decidedBy"].is_string(), "{approve:?}");

    // Sara's claim is now a request to join, for Paolo to decide.
    let body = gql(
        &app,
        Some(&paolo),
        PENDING_OF,
        json!({ "o": org.to_string() }),
    )
    .await;
    assert_eq!(
        body["data"]["organizationRequests"][0]["id"],
        sara_request.as_str(),
        "{body}"
    );
    assert_eq!(body["data"]["organizationRequests"][0]["kind"], "JOIN");
    let body = gql(&app, Some(&moderator), PENDING_OF, json!({})).await;
    assert_eq!(body["data"]["organizationRequests"], json!([]), "{body}");
    let body = gql(&app, Some(&paolo), APPROVE, json!({ "id": sara_request })).await;
    assert_eq!(
        body["data"]["approveOrganizationRequest"]["status"], "APPROVED",
        "{body}"
    );
    assert_sole_membership(&app, &sara, org, "MEMBER").await;
    app.stop().await;
}

async fn a_request_to_join_is_approved_or_declined_by_the_admins(backend: Backend) {
    let server = SmtpServer::start().await;
    let app = app_with_mail(backend, &server).await;
    let org = registered_organisation(&app, "Comitato Inquilini Lorenteggio", None, &[]).await;
    let (admin_id, admin) = account(&app, "presidente@example.org").await;
    add_member(&app, org, admin_id, "admin").await;
    let (_, rita) = account(&app, "rita@example.org").await;
    let (_, outsider) = account(&app, "curioso@example.org").await;
    let moderator = moderator(&app, "moderatore@example.org").await;

    let body = ask_saying(&app, &rita, org, "Abito in via Giambellino 12.").await;
    let request = requested(&body);
    assert_eq!(request["kind"], "JOIN");
    assert_eq!(request["status"], "PENDING");
    let rita_request = request_id(&body);
    let approve_rita = json!({ "id": rita_request });
    // The admin is told who asks and what they wrote.
    let told = mails_to(&server, "presidente@example.org", 1).await;
    assert!(told[0].contains("rita@example.org"), "{}", told[0]);
    assert!(
        told[0].contains("Abito in via Giambellino 12."),
        "{}",
        told[0]
    );
    assert!(
        told[0].contains(&format!(
            "https://trama.example.it/organizations/{org}/requests"
        )),
        "{}",
        told[0]
    );

    // Only the admins (and moderators) see the organisation's requests.
    let body = gql(
        &app,
        Some(&admin),
        PENDING_OF,
        json!({ "o": org.to_string() }),
    )
    .await;
    assert_eq!(
        body["data"]["organizationRequests"][0]["id"],
        rita_request.as_str()
    );
    for token in [&rita, &outsider] {
        gql_refused(
            &app,
            Some(token),
            PENDING_OF,
            json!({ "o": org.to_string() }),
            "FORBIDDEN",
        )
        .await;
    }
    gql_ok(
        &app,
        Some(&moderator),
        PENDING_OF,
        json!({ "o": org.to_string() }),
    )
    .await;
    // Who joins is the admins' decision, not a moderator's nor the outsider's.
    for token in [&moderator, &outsider, &rita] {
        let body = gql(&app, Some(token), APPROVE, approve_rita.clone()).await;
        let (message, code) = message_and_code(&body);
        assert_eq!(code, "FORBIDDEN", "{body}");
        assert!(message.contains("amministratori"), "{message}");
    }

    let body = gql(&app, Some(&admin), APPROVE, approve_rita.clone()).await;
    assert_eq!(
        body["data"]["approveOrganizationRequest"],
        json!({ "status": "APPROVED", "decidedVia": "ADMIN", "kind": "JOIN" }),
        "{body}"
    );
    assert_sole_membership(&app, &rita, org, "MEMBER").await;
    let told = mails_to(&server, "rita@example.org", 1).await;
    assert!(
        told[0].contains("Ora fai parte di Comitato Inquilini Lorenteggio"),
        "{}",
        told[0]
    );
    gql_refused(&app, Some(&admin), APPROVE, approve_rita, "CONFLICT").await;
    // The request is part of Rita's personal data.
    let body = gql(&app, Some(&rita), "{ exportMyData }", json!({})).await;
    let export = &body["data"]["exportMyData"]["organizationRequests"][0];
    assert_eq!(export["status"], "approved", "{body}");
    assert_eq!(export["message"], "Abito in via Giambellino 12.");

    // Declined, with a reason the requester reads in their e-mail.
    let body = ask(&app, &outsider, org).await;
    let outsider_request = request_id(&body);
    let body = gql(
        &app,
        Some(&admin),
        DECLINE,
        json!({ "id": outsider_request, "r": "Il comitato è solo per chi abita nel quartiere." }),
    )
    .await;
    assert_eq!(
        body["data"]["declineOrganizationRequest"],
        json!({ "status": "DECLINED", "decidedVia": "ADMIN", "declineReason": "Il comitato è solo per chi abita nel quartiere." }),
        "{body}"
    );
    assert_eq!(memberships_of(&app, &outsider).await, json!([]));
    let told = mails_to(&server, "curioso@example.org", 1).await;
    assert!(told[0].contains("non è stata accolta"), "{}", told[0]);
    assert!(
        told[0].contains("solo per chi abita nel quartiere"),
        "{}",
        told[0]
    );
    let trail = audit_trail(&app).await;
    assert!(trail.iter().any(
        |(action, actor, changes)| action == "organization_request.decline"
            && actor == "presidente@example.org"
            && changes["decidedVia"] == "admin"
    ));
    // A declined request can be made again.
    let body = ask(&app, &outsider, org).await;
    assert_eq!(requested(&body)["status"], "PENDING");
    app.stop().await;
}

async fn requests_are_refused_when_unverified_duplicate_or_already_a_member(backend: Backend) {
    let server = SmtpServer::start().await;
    let app = app_with_mail(backend, &server).await;
    let org = registered_organisation(
        &app,
        "Portinerie di Comunità",
        Some("95745878934"),
        &[("EMAIL", "info@portinerie.example.it")],
    )
    .await;
    let vars = json!({ "o": org.to_string() });
    assert_eq!(
        outcome(&gql(&app, None, REQUEST, vars.clone()).await),
        "UNAUTHENTICATED"
    );

    // Not verified: refused, saying why.
    let (_, unverified) = signed_up(&app, "nuovo@example.org", "Nuovo", Lang::It, false).await;
    let body = gql(&app, Some(&unverified), REQUEST, vars.clone()).await;
    let (message, code) = message_and_code(&body);
    assert_eq!(code, "FORBIDDEN", "{body}");
    assert!(message.contains("conferma"), "{message}");

    // A second request while the first is pending is a conflict.
    let (_, marco) = account(&app, "marco@example.org").await;
    let body = gql(&app, Some(&marco), REQUEST, vars.clone()).await;
    assert_eq!(requested(&body)["status"], "PENDING");
    let body = gql(&app, Some(&marco), REQUEST, vars.clone()).await;
    let (message, code) = message_and_code(&body);
    assert_eq!(code, "CONFLICT", "{body}");
    assert!(message.contains("in attesa"), "{message}");
    assert_eq!(
        body["errors"][0]["extensions"]["organizationId"],
        org.to_string()
    );
    // Only one link went out.
    assert_eq!(
        mails_to(&server, "info@portinerie.example.it", 1)
            .await
            .len(),
        1
    );

    // A member cannot ask to join again.
    let (member_id, member) = account(&app, "socia@example.org").await;
    add_member(&app, org, member_id, "member").await;
    gql_refused(&app, Some(&member), REQUEST, vars.clone(), "CONFLICT").await;
    gql_refused(
        &app,
        Some(&marco),
        REQUEST,
        json!({ "o": Uuid::now_v7().to_string() }),
        "NOT_FOUND",
    )
    .await;

    // Registering the same tax code again points to the request and
    // names the organisation already there.
    let body = gql(
        &app,
        Some(&marco),
        "mutation($input: OrganizationInput!) { createOrganization(input: $input) { id } }",
        json!({ "input": {
            "name": "Portinerie di Comunità APS",
            "kind": "ASSOCIATION",
            "taxCode": "95745878934",
            "description": "Di nuovo.",
        }}),
    )
    .await;
    let (message, code) = message_and_code(&body);
    assert_eq!(code, "CONFLICT", "{body}");
    assert_eq!(body["errors"][0]["extensions"]["field"], "taxCode");
    assert_eq!(
        body["errors"][0]["extensions"]["organizationId"],
        org.to_string()
    );
    assert!(message.contains("chiedi di entrare"), "{message}");
    app.stop().await;
}
