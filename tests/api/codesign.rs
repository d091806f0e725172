//! The project workspace through GraphQL, on both databases (issue 15):
//! the Lorenteggio clean-up pact (seed 000) from ALER's need to a closed
//! project (partners invited and accepted, contributions, a text changed
//! after one approval, approved by all three, signed with its hash,
//! delivered with a milestone, reported, closed), and one test per class
//! of refusal, each naming its rule: an outsider, a member who is not
//! admin, a partner who is not the lead, a stage out of order, and a body
//! outside RUNTS as a principal partner under art. 55.

use serde_json::{Value, json};

use crate::helpers::{Backend, TestApp, audit_rows, gql, gql_ok, gql_via, outcome};
use crate::on_both_databases;
use crate::visibility::{
    Person, comune_input, create_need, join, organisation, person, territories,
};
use trama::domain::Lang;
use trama::domain::codesign::Rule;
use trama::services::reference_data::{MILANO, neighbourhood_id};

on_both_databases!(
    the_lorenteggio_pact_goes_from_need_to_closed,
    refusals_name_their_rule,
    art55_keeps_bodies_outside_runts_from_principal_roles,
    my_projects_lists_joined_and_invited_projects,
);

/// The workspace fields every test reads.
const WORKSPACE: &str = r#"id stage procedure
    partners { organizationId organizationName role }
    invitations { organizationId role }
    contributions { id organizationId kind description quantity unit amountCents status }
    nextSteps { to who allowed blockingRule blockingMessage }
    stageHistory { stage startedAt completedAt }
    agreement { versions { number text } approvals { version organizationId approvedAt }
                signedVersion contentHash signedAt }
    milestones { id title ownerOrganizationId dueOn doneAt }
    reports { organizationId peopleReached volunteerHours spentCents summary }"#;

fn op(head: &str, call: &str) -> String {
    format!("{head} {{ {call} {{ {WORKSPACE} }} }}")
}

fn open_project() -> String {
    op(
        "mutation($n: ID!, $p: ProjectProcedure!)",
        "openProject(needId: $n, procedure: $p)",
    )
}

fn invite() -> String {
    op(
        "mutation($p: ID!, $o: ID!, $r: PartnerRole!)",
        "invitePartner(projectId: $p, organizationId: $o, role: $r)",
    )
}

fn answer() -> String {
    op(
        "mutation($p: ID!, $a: Boolean!)",
        "answerPartnerInvitation(projectId: $p, accept: $a)",
    )
}

fn contribute() -> String {
    op(
        "mutation($p: ID!, $i: ProjectContributionInput!)",
        "addContribution(projectId: $p, input: $i)",
    )
}

fn advance() -> String {
    op(
        "mutation($p: ID!, $s: ProjectStage!)",
        "advanceProject(projectId: $p, to: $s)",
    )
}

fn write() -> String {
    op(
        "mutation($p: ID!, $t: String!)",
        "writeAgreement(projectId: $p, text: $t)",
    )
}

fn approve() -> String {
    op(
        "mutation($p: ID!, $v: Int!)",
        "approveAgreement(projectId: $p, version: $v)",
    )
}

fn milestone() -> String {
    op(
        "mutation($p: ID!, $t: String!, $o: ID!, $d: NaiveDate!)",
        "addMilestone(projectId: $p, title: $t, ownerOrganizationId: $o, dueOn: $d)",
    )
}

fn complete() -> String {
    op("mutation($m: ID!)", "completeMilestone(id: $m)")
}

fn report() -> String {
    op(
        "mutation($p: ID!, $i: ProjectReportInput!)",
        "fileProjectReport(projectId: $p, input: $i)",
    )
}

fn read() -> String {
    op("query($p: ID!)", "project(id: $p)")
}

/// The people and organisations of the Lorenteggio story.
struct Lorenteggio {
    aler: Person,
    aler_clerk: Person,
    onlus: Person,
    tenants: Person,
    outsider: Person,
    aler_org: String,
    onlus_org: String,
    tenants_org: String,
    need: String,
}

fn org_input(name: &str, kind: &str, tax_code: Option<&str>, description: &str) -> Value {
    let mut input = json!({
        "name": name,
        "kind": kind,
        "description": description,
        "seatMunicipalityCode": MILANO,
    });
    if let Some(code) = tax_code {
        input["taxCode"] = json!(code);
    }
    input
}

fn need_input(title: &str) -> Value {
    json!({
        "kind": "SPACE_REGENERATION",
        "title": title,
        "description": "Le scale degli stabili di via Odazio 6 e Apuli 2 sono spesso vandalizzate: cerchiamo chi ci aiuti a riqualificarle.",
        "municipalityCode": MILANO,
        "neighbourhoodId": neighbourhood_id(MILANO, "53").to_string(),
        "requiredContributions": ["VOLUNTEERS"],
    })
}

async fn lorenteggio(app: &TestApp) -> Lorenteggio {
    territories(app).await;
    let aler = person(app, "aler@example.org", "Paola Aler", true).await;
    let aler_clerk = person(app, "sportello@example.org", "Luca Sportello", true).await;
    let onlus = person(app, "onlus@example.org", "Marta Onlus", true).await;
    let tenants = person(app, "inquilini@example.org", "Gino Inquilino", true).await;
    let outsider = person(app, "altro@example.org", "Sara Altrove", true).await;
    let aler_org = organisation(
        app,
        &aler,
        org_input(
            "ALER Milano",
            "PUBLIC_HOUSING_AGENCY",
            Some("01349670156"),
            "Azienda lombarda per l'edilizia residenziale di Milano.",
        ),
    )
    .await;
    join(app, &aler_clerk, &aler_org, "member").await;
    let onlus_org = organisation(
        app,
        &onlus,
        org_input(
            "Clean Up Lorenteggio ONLUS",
            "ONLUS",
            Some("97012345670"),
            "Volontari per il decoro del quartiere Lorenteggio.",
        ),
    )
    .await;
    let tenants_org = organisation(
        app,
        &tenants,
        org_input(
            "Inquilini di via Odazio",
            "INFORMAL_GROUP",
            None,
            "Gli inquilini degli stabili di via Odazio 6 e Apuli 2.",
        ),
    )
    .await;
    let need = create_need(
        app,
        &aler,
        &aler_org,
        need_input("Clean Up delle scale di via Odazio e Apuli"),
    )
    .await;
    Lorenteggio {
        aler,
        aler_clerk,
        onlus,
        tenants,
        outsider,
        aler_org,
        onlus_org,
        tenants_org,
        need,
    }
}

/// Runs `query` as `who` and returns the workspace it answers with.
async fn step(app: &TestApp, who: &Person, query: &str, variables: Value) -> Value {
    let body = gql_ok(app, Some(&who.token), query, variables).await;
    let data = body["data"].as_object().expect("data");
    data.values().next().expect("one field").clone()
}

/// Runs `query` as `who` and asserts it was refused with `code`, naming
/// `rule` with its Italian sentence.
async fn refused(
    app: &TestApp,
    who: &Person,
    query: &str,
    variables: Value,
    code: &str,
    rule: Rule,
) {
    let body = gql(app, Some(&who.token), query, variables).await;
    assert_eq!(outcome(&body), code, "{body}");
    let error = &body["errors"][0];
    assert_eq!(error["extensions"]["rule"], rule.code(), "{body}");
    assert_eq!(error["message"], rule.message(Lang::It), "{body}");
}

/// ALER opens the pact on its need; the ONLUS and the tenants are invited
/// and accept.
async fn open_with_partners(app: &TestApp, s: &Lorenteggio) -> String {
    let ws = step(
        app,
        &s.aler,
        &open_project(),
        json!({ "n": s.need, "p": "PATTO_COLLABORAZIONE" }),
    )
    .await;
    assert_eq!(ws["stage"], "PROPOSAL", "{ws}");
    assert_eq!(ws["partners"][0]["role"], "LEAD", "{ws}");
    assert_eq!(ws["partners"][0]["organizationId"], s.aler_org.as_str());
    let project = ws["id"].as_str().expect("id").to_owned();
    for org in [&s.onlus_org, &s.tenants_org] {
        step(
            app,
            &s.aler,
            &invite(),
            json!({ "p": project, "o": org, "r": "PARTNER" }),
        )
        .await;
    }
    for who in [&s.onlus, &s.tenants] {
        step(app, who, &answer(), json!({ "p": project, "a": true })).await;
    }
    project
}

fn contribution(kind: &str, description: &str, quantity: f64, unit: &str) -> Value {
    json!({ "kind": kind, "description": description, "quantity": quantity, "unit": unit })
}

async fn the_lorenteggio_pact_goes_from_need_to_closed(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let s = lorenteggio(&app).await;
    let p = open_with_partners(&app, &s).await;
    let ws = step(&app, &s.aler, &read(), json!({ "p": p })).await;
    let roles: Vec<&str> = ws["partners"]
        .as_array()
        .expect("partners")
        .iter()
        .map(|p| p["role"].as_str().expect("role"))
        .collect();
    assert_eq!(roles, ["LEAD", "PARTNER", "PARTNER"], "{ws}");
    assert_eq!(ws["invitations"], json!([]), "{ws}");

    // Who brings what: ALER the paint, the ONLUS its know-how, the tenants
    // their hours.
    let mut paint = contribution(
        "MATERIALS",
        "Vernice antigraffiti per le scale",
        40.0,
        "litri",
    );
    paint["amountCents"] = json!(60_000);
    step(&app, &s.aler, &contribute(), json!({ "p": p, "i": paint })).await;
    step(
        &app,
        &s.onlus,
        &contribute(),
        json!({ "p": p, "i": contribution("COMPETENCE", "Coordinamento e tecniche di pulizia", 24.0, "ore") }),
    )
    .await;
    let ws = step(
        &app,
        &s.tenants,
        &contribute(),
        json!({ "p": p, "i": contribution("VOLUNTEERS", "Volontari inquilini per le scale", 120.0, "ore") }),
    )
    .await;
    let contributions = ws["contributions"].as_array().expect("contributions");
    assert_eq!(contributions.len(), 3, "{ws}");
    assert_eq!(contributions[0]["amountCents"], 60_000, "{ws}");
    assert_eq!(contributions[2]["unit"], "ore", "{ws}");
    assert_eq!(contributions[2]["quantity"], 120.0, "{ws}");
    // The others see them.
    let seen = step(&app, &s.onlus, &read(), json!({ "p": p })).await;
    assert_eq!(seen["contributions"], ws["contributions"]);

    // Proposal, review by ALER as the public body, co-design table.
    let ws = step(&app, &s.aler, &advance(), json!({ "p": p, "s": "REVIEW" })).await;
    assert_eq!(ws["stage"], "REVIEW", "{ws}");
    let ws = step(
        &app,
        &s.aler,
        &advance(),
        json!({ "p": p, "s": "CODESIGN_TABLE" }),
    )
    .await;
    assert_eq!(ws["stage"], "CODESIGN_TABLE", "{ws}");
    let next = &ws["nextSteps"][0];
    assert_eq!(next["to"], "SIGNED", "{ws}");
    assert_eq!(next["allowed"], false, "{ws}");
    assert_eq!(next["blockingRule"], Rule::AgreementMissing.code(), "{ws}");

    // The text, approved by the ONLUS, then changed by the tenants: a new
    // version, and the approval is gone.
    let text = "Patto di collaborazione per la cura delle scale di via Odazio 6 e Apuli 2.";
    step(&app, &s.aler, &write(), json!({ "p": p, "t": text })).await;
    let ws = step(&app, &s.onlus, &approve(), json!({ "p": p, "v": 1 })).await;
    assert_eq!(
        ws["agreement"]["approvals"][0]["organizationId"],
        s.onlus_org.as_str()
    );
    let changed = format!("{text}\nGli inquilini puliscono le scale il sabato mattina.");
    let ws = step(&app, &s.tenants, &write(), json!({ "p": p, "t": changed })).await;
    assert_eq!(
        ws["agreement"]["versions"].as_array().map(Vec::len),
        Some(2),
        "{ws}"
    );
    assert_eq!(ws["agreement"]["approvals"], json!([]), "{ws}");
    refused(
        &app,
        &s.onlus,
        &approve(),
        json!({ "p": p, "v": 1 }),
        "CONFLICT",
        Rule::ApprovalStaleVersion,
    )
    .await;
    // Two of three is not enough to sign.
    step(&app, &s.onlus, &approve(), json!({ "p": p, "v": 2 })).await;
    step(&app, &s.tenants, &approve(), json!({ "p": p, "v": 2 })).await;
    refused(
        &app,
        &s.aler,
        &advance(),
        json!({ "p": p, "s": "SIGNED" }),
        "CONFLICT",
        Rule::ApprovalsMissing,
    )
    .await;
    let ws = step(&app, &s.aler, &approve(), json!({ "p": p, "v": 2 })).await;
    assert_eq!(ws["nextSteps"][0]["allowed"], true, "{ws}");

    // Signed: the version is frozen with its hash and the three approvals.
    let ws = step(&app, &s.aler, &advance(), json!({ "p": p, "s": "SIGNED" })).await;
    assert_eq!(ws["stage"], "SIGNED", "{ws}");
    let agreement = &ws["agreement"];
    assert_eq!(agreement["signedVersion"], 2, "{ws}");
    let hash = agreement["contentHash"].as_str().expect("hash");
    assert_eq!(hash.len(), 64);
    assert!(hash.chars().all(|c| c.is_ascii_hexdigit()), "{hash}");
    assert!(agreement["signedAt"].is_string(), "{ws}");
    assert_eq!(
        agreement["approvals"].as_array().map(Vec::len),
        Some(3),
        "{ws}"
    );
    refused(
        &app,
        &s.tenants,
        &write(),
        json!({ "p": p, "t": "Un altro testo" }),
        "CONFLICT",
        Rule::AgreementNotOpen,
    )
    .await;

    // Delivered, with a milestone the ONLUS owns and completes.
    step(&app, &s.aler, &advance(), json!({ "p": p, "s": "ACTIVE" })).await;
    let ws = step(
        &app,
        &s.aler,
        &milestone(),
        json!({ "p": p, "t": "Scale di via Odazio 6 ripulite", "o": s.onlus_org, "d": "2026-12-12" }),
    )
    .await;
    let id = ws["milestones"][0]["id"].clone();
    let ws = step(&app, &s.onlus, &complete(), json!({ "m": id })).await;
    assert!(ws["milestones"][0]["doneAt"].is_string(), "{ws}");

    // Reported by each, then closed.
    step(
        &app,
        &s.aler,
        &advance(),
        json!({ "p": p, "s": "REPORTING" }),
    )
    .await;
    refused(
        &app,
        &s.aler,
        &advance(),
        json!({ "p": p, "s": "CLOSED" }),
        "CONFLICT",
        Rule::ReportsMissing,
    )
    .await;
    for (who, people, hours, spent) in [
        (&s.aler, 200, 0.0, 60_000),
        (&s.onlus, 200, 24.0, 0),
        (&s.tenants, 200, 120.0, 0),
    ] {
        let input = json!({ "peopleReached": people, "volunteerHours": hours,
            "spentCents": spent, "summary": "Scale ripulite e ridipinte in due sabati." });
        step(&app, who, &report(), json!({ "p": p, "i": input })).await;
    }
    let ws = step(&app, &s.aler, &advance(), json!({ "p": p, "s": "CLOSED" })).await;
    assert_eq!(ws["stage"], "CLOSED", "{ws}");
    assert_eq!(ws["reports"].as_array().map(Vec::len), Some(3), "{ws}");
    let stages: Vec<&str> = ws["stageHistory"]
        .as_array()
        .expect("history")
        .iter()
        .map(|s| s["stage"].as_str().expect("stage"))
        .collect();
    assert_eq!(
        stages,
        [
            "PROPOSAL",
            "REVIEW",
            "CODESIGN_TABLE",
            "SIGNED",
            "ACTIVE",
            "REPORTING",
            "CLOSED"
        ]
    );

    // Every change is in the audit log.
    let actions: Vec<String> = audit_rows(&app)
        .await
        .into_iter()
        .filter(|r| r.entity_type == "project")
        .map(|r| r.action)
        .collect();
    for action in [
        "project.create",
        "project.invite",
        "project.invitation.accept",
        "project.contribution.add",
        "project.stage",
        "project.agreement.write",
        "project.agreement.approve",
        "project.milestone.add",
        "project.milestone.done",
        "project.report",
    ] {
        assert!(
            actions.iter().any(|a| a == action),
            "{action} in {actions:?}"
        );
    }
    // A private project is its partners' only.
    let body = gql(&app, None, &read(), json!({ "p": p })).await;
    assert_eq!(outcome(&body), "NOT_FOUND", "{body}");
    let body = gql(&app, Some(&s.outsider.token), &read(), json!({ "p": p })).await;
    assert_eq!(outcome(&body), "NOT_FOUND", "{body}");
    app.stop().await;
}

async fn refusals_name_their_rule(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let s = lorenteggio(&app).await;
    let vars = json!({ "n": s.need, "p": "PATTO_COLLABORAZIONE" });
    // Opening: an outsider, and a member of ALER who is not its admin.
    refused(
        &app,
        &s.outsider,
        &open_project(),
        vars.clone(),
        "FORBIDDEN",
        Rule::LeadOnly,
    )
    .await;
    refused(
        &app,
        &s.aler_clerk,
        &open_project(),
        vars,
        "FORBIDDEN",
        Rule::AdminOnly,
    )
    .await;
    let p = open_with_partners(&app, &s).await;
    let to = |stage: &str| json!({ "p": p, "s": stage });
    // Advancing: a partner who is not the lead, a member who is not admin,
    // an outsider.
    refused(
        &app,
        &s.onlus,
        &advance(),
        to("REVIEW"),
        "FORBIDDEN",
        Rule::LeadOnly,
    )
    .await;
    refused(
        &app,
        &s.aler_clerk,
        &advance(),
        to("REVIEW"),
        "FORBIDDEN",
        Rule::AdminOnly,
    )
    .await;
    refused(
        &app,
        &s.outsider,
        &advance(),
        to("REVIEW"),
        "FORBIDDEN",
        Rule::LeadOnly,
    )
    .await;
    // The state: a stage skipped, a stage of the other procedure.
    refused(
        &app,
        &s.aler,
        &advance(),
        to("SIGNED"),
        "CONFLICT",
        Rule::NoSkipping,
    )
    .await;
    refused(
        &app,
        &s.aler,
        &advance(),
        to("PUBLIC_NOTICE"),
        "CONFLICT",
        Rule::StageNotInProcedure,
    )
    .await;
    // Inviting is the lead's; an outsider neither writes nor approves.
    let invite_vars = json!({ "p": p, "o": s.aler_org, "r": "SUPPORTER" });
    refused(
        &app,
        &s.onlus,
        &invite(),
        invite_vars,
        "FORBIDDEN",
        Rule::LeadOnly,
    )
    .await;
    refused(
        &app,
        &s.outsider,
        &write(),
        json!({ "p": p, "t": "Testo" }),
        "FORBIDDEN",
        Rule::PartnerOnly,
    )
    .await;
    step(&app, &s.aler, &write(), json!({ "p": p, "t": "Testo" })).await;
    refused(
        &app,
        &s.aler_clerk,
        &approve(),
        json!({ "p": p, "v": 1 }),
        "FORBIDDEN",
        Rule::AdminOnly,
    )
    .await;
    // Reports wait for the reporting stage.
    let input =
        json!({ "peopleReached": 1, "volunteerHours": 1.0, "spentCents": 0, "summary": "Presto" });
    refused(
        &app,
        &s.onlus,
        &report(),
        json!({ "p": p, "i": input }),
        "CONFLICT",
        Rule::ReportingNotOpen,
    )
    .await;
    // The message follows the request's language.
    let body = gql_via(
        &app.client,
        &app,
        Some(&s.onlus.token),
        Some("en"),
        &advance(),
        to("REVIEW"),
    )
    .await;
    assert_eq!(
        body["errors"][0]["message"],
        Rule::LeadOnly.message(Lang::En),
        "{body}"
    );
    app.stop().await;
}

async fn art55_keeps_bodies_outside_runts_from_principal_roles(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    territories(&app).await;
    let comune = person(&app, "comune@example.org", "Carla Comune", true).await;
    let onlus = person(&app, "onlus@example.org", "Marta Onlus", true).await;
    let comune_org = organisation(&app, &comune, comune_input()).await;
    let onlus_org = organisation(
        &app,
        &onlus,
        org_input(
            "Quartieri Connessi ONLUS",
            "ONLUS",
            Some("97555123401"),
            "Servizi di comunità nei caseggiati ERP (non iscritta al RUNTS).",
        ),
    )
    .await;
    let need = create_need(
        &app,
        &comune,
        &comune_org,
        need_input("Quartieri Connessi: spazi ERP per progetti del Terzo settore"),
    )
    .await;
    // Only the need's organisation opens its project; the public body
    // leads the art. 55 procedure.
    refused(
        &app,
        &onlus,
        &open_project(),
        json!({ "n": need, "p": "COPROGETTAZIONE" }),
        "FORBIDDEN",
        Rule::LeadOnly,
    )
    .await;
    let ws = step(
        &app,
        &comune,
        &open_project(),
        json!({ "n": need, "p": "COPROGETTAZIONE" }),
    )
    .await;
    assert_eq!(ws["stage"], "PUBLIC_NOTICE", "{ws}");
    let p = ws["id"].clone();
    refused(
        &app,
        &comune,
        &invite(),
        json!({ "p": p, "o": onlus_org, "r": "PARTNER" }),
        "CONFLICT",
        Rule::PrincipalRequiresRunts,
    )
    .await;
    let ws = step(
        &app,
        &comune,
        &invite(),
        json!({ "p": p, "o": onlus_org, "r": "SUPPORTER" }),
    )
    .await;
    assert_eq!(ws["invitations"][0]["role"], "SUPPORTER", "{ws}");
    // Partners join once applications are open, not on the notice.
    refused(
        &app,
        &onlus,
        &answer(),
        json!({ "p": p, "a": true }),
        "CONFLICT",
        Rule::PartnersFrozen,
    )
    .await;
    app.stop().await;
}

/// My projects as `who` sees them: (title, organisation, role, invited).
async fn my_projects(app: &TestApp, who: &Person) -> Vec<(String, String, String, bool)> {
    let body = gql_ok(
        app,
        Some(&who.token),
        "{ myProjects { id title organizationId role invited leadOrganizationName stage } }",
        json!({}),
    )
    .await;
    body["data"]["myProjects"]
        .as_array()
        .expect("list")
        .iter()
        .map(|p| {
            (
                p["title"].as_str().unwrap_or_default().to_owned(),
                p["organizationId"].as_str().unwrap_or_default().to_owned(),
                p["role"].as_str().unwrap_or_default().to_owned(),
                p["invited"].as_bool().unwrap_or_default(),
            )
        })
        .collect()
}

async fn my_projects_lists_joined_and_invited_projects(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let s = lorenteggio(&app).await;
    let ws = step(
        &app,
        &s.aler,
        &open_project(),
        json!({ "n": s.need, "p": "PATTO_COLLABORAZIONE" }),
    )
    .await;
    let project = ws["id"].as_str().expect("id").to_owned();
    step(
        &app,
        &s.aler,
        &invite(),
        json!({ "p": project, "o": s.onlus_org, "r": "PARTNER" }),
    )
    .await;
    let title = "Clean Up delle scale di via Odazio e Apuli".to_owned();
    let lead = (title.clone(), s.aler_org.clone(), "LEAD".to_owned(), false);
    assert_eq!(my_projects(&app, &s.aler).await, vec![lead.clone()]);
    // A member who is not admin sees the project of their organisation too.
    assert_eq!(my_projects(&app, &s.aler_clerk).await, vec![lead]);
    let invited = (
        title.clone(),
        s.onlus_org.clone(),
        "PARTNER".to_owned(),
        true,
    );
    assert_eq!(my_projects(&app, &s.onlus).await, vec![invited]);
    assert!(my_projects(&app, &s.tenants).await.is_empty());
    assert!(my_projects(&app, &s.outsider).await.is_empty());
    step(
        &app,
        &s.onlus,
        &answer(),
        json!({ "p": project, "a": true }),
    )
    .await;
    let joined = (title, s.onlus_org.clone(), "PARTNER".to_owned(), false);
    assert_eq!(my_projects(&app, &s.onlus).await, vec![joined]);
    let anonymous = gql(&app, None, "{ myProjects { id } }", json!({})).await;
    assert_eq!(outcome(&anonymous), "UNAUTHENTICATED", "{anonymous}");
}
