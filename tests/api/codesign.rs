//! The project workspace through GraphQL, on both databases (issue 15):
//! the Lorenteggio clean-up pact (seed 000) from ALER's need to a closed
//! project (partners invited and accepted, contributions, a text changed
//! after one approval, approved by all three, signed with its hash,
//! delivered with a milestone, reported, closed), and one test per class
//! of refusal, each naming its rule: an outsider, a member who is not
//! admin, a partner who is not the lead, a stage out of order, and a body
//! outside RUNTS as a principal partner under art. 55; and the Quartieri
//! Connessi call (seed 001) as art. 55: notice, applications, admission,
//! scores and minutes, table, agreement, delivery; contributions changed
//! and withdrawn, a partner leaving with its reason, and who reads a
//! private, public and hidden project.

use serde_json::{Value, json};

use crate::helpers::{Backend, TestApp, audit_entries, audit_rows, gql, gql_ok, gql_via, outcome};
use crate::on_both_databases;
use crate::visibility::{
    Person, comune_input, create_need, create_offer, join, organisation, person, territories,
};
use trama::domain::Lang;
use trama::domain::codesign::Rule;
use trama::services::reference_data::{MILANO, neighbourhood_id};

on_both_databases!(
    the_lorenteggio_pact_goes_from_matches_to_closed,
    refusals_name_their_rule,
    the_other_rules_are_named_through_graphql,
    art55_keeps_bodies_outside_runts_from_principal_roles,
    the_quartieri_connessi_call_runs_as_art55,
    partners_leave_and_projects_show_as_their_visibility,
    an_art55_match_brings_a_body_outside_runts_as_supporter,
    my_projects_lists_joined_and_invited_projects,
    project_activity_arrives_over_graphql_ws,
);

/// The workspace fields every test reads.
const WORKSPACE: &str = r#"id stage procedure
    partners { organizationId organizationName role }
    invitations { organizationId role }
    contributions { id organizationId kind description quantity unit amountCents status }
    nextSteps { to who allowed blockingRule blockingMessage }
    stageHistory { stage startedAt completedAt }
    agreement { versions { number text } approvals { version organizationId userName approvedAt }
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

pub(crate) fn contribute() -> String {
    op(
        "mutation($p: ID!, $i: ProjectContributionInput!)",
        "addContribution(projectId: $p, input: $i)",
    )
}

pub(crate) fn advance() -> String {
    op(
        "mutation($p: ID!, $s: ProjectStage!)",
        "advanceProject(projectId: $p, to: $s)",
    )
}

pub(crate) fn write() -> String {
    op(
        "mutation($p: ID!, $t: String!)",
        "writeAgreement(projectId: $p, text: $t)",
    )
}

pub(crate) fn approve() -> String {
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

pub(crate) fn read() -> String {
    op("query($p: ID!)", "project(id: $p)")
}

/// The people and organisations of the Lorenteggio story.
pub(crate) struct Lorenteggio {
    pub(crate) aler: Person,
    pub(crate) aler_clerk: Person,
    pub(crate) onlus: Person,
    pub(crate) tenants: Person,
    pub(crate) outsider: Person,
    pub(crate) aler_org: String,
    pub(crate) onlus_org: String,
    pub(crate) tenants_org: String,
    pub(crate) need: String,
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

pub(crate) async fn lorenteggio(app: &TestApp) -> Lorenteggio {
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
pub(crate) async fn step(app: &TestApp, who: &Person, query: &str, variables: Value) -> Value {
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

/// Runs `query` as `who` and asserts a CONFLICT naming `rule`.
async fn conflict(app: &TestApp, who: &Person, query: &str, variables: Value, rule: Rule) {
    refused(app, who, query, variables, "CONFLICT", rule).await;
}

/// ALER opens the pact on its need; the ONLUS and the tenants are invited
/// and accept.
pub(crate) async fn open_with_partners(app: &TestApp, s: &Lorenteggio) -> String {
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

/// Each current partner of a workspace with its role, the lead first.
fn roles(ws: &Value) -> Vec<(String, &str)> {
    ws["partners"]
        .as_array()
        .expect("partners")
        .iter()
        .map(|p| {
            let org = p["organizationId"].as_str().expect("id").to_owned();
            (org, p["role"].as_str().expect("role"))
        })
        .collect()
}

pub(crate) fn contribution(kind: &str, description: &str, quantity: f64, unit: &str) -> Value {
    json!({ "kind": kind, "description": description, "quantity": quantity, "unit": unit })
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
    // A text that cannot be an agreement is refused on its field, before
    // any rule: blank, a NUL (PostgreSQL would refuse it), too long.
    for bad in [
        " \n ".to_owned(),
        "Testo\u{0}nascosto".to_owned(),
        "a".repeat(trama::domain::AgreementText::MAX_CHARS + 1),
    ] {
        let body = gql(
            &app,
            Some(&s.aler.token),
            &write(),
            json!({ "p": p, "t": bad }),
        )
        .await;
        assert_eq!(outcome(&body), "BAD_USER_INPUT", "{body}");
        assert_eq!(body["errors"][0]["extensions"]["field"], "text", "{body}");
    }
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

/// The rules not met on the way of the stories above, each reached through
/// GraphQL and named in the error: stages out of place, partners and
/// versions twice, a pact with no public body, and the art. 55 steps out
/// of order (applying before the notice, deciding before the admission
/// check, scoring before the evaluation, minutes before the table, no
/// application, an undecided one, none admitted, going back with some).
async fn the_other_rules_are_named_through_graphql(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let s = lorenteggio(&app).await;
    let p = open_with_partners(&app, &s).await;
    conflict(
        &app,
        &s.aler,
        &advance(),
        json!({ "p": p, "s": "PROPOSAL" }),
        Rule::SameStage,
    )
    .await;
    conflict(
        &app,
        &s.aler,
        &invite(),
        json!({ "p": p, "o": s.onlus_org, "r": "SUPPORTER" }),
        Rule::AlreadyPartner,
    )
    .await;
    step(
        &app,
        &s.aler,
        &write(),
        json!({ "p": p, "t": "Testo del patto" }),
    )
    .await;
    conflict(
        &app,
        &s.onlus,
        &approve(),
        json!({ "p": p, "v": 9 }),
        Rule::UnknownVersion,
    )
    .await;
    step(&app, &s.onlus, &approve(), json!({ "p": p, "v": 1 })).await;
    conflict(
        &app,
        &s.onlus,
        &approve(),
        json!({ "p": p, "v": 1 }),
        Rule::AlreadyApproved,
    )
    .await;
    let other = organisation(
        &app,
        &s.outsider,
        org_input(
            "Vicini di via Altrove",
            "INFORMAL_GROUP",
            None,
            "Un gruppo di vicini.",
        ),
    )
    .await;
    conflict(
        &app,
        &s.aler,
        &invite(),
        json!({ "p": p, "o": other, "r": "LEAD" }),
        Rule::OneLead,
    )
    .await;
    step(&app, &s.aler, &advance(), json!({ "p": p, "s": "REVIEW" })).await;
    step(
        &app,
        &s.aler,
        &advance(),
        json!({ "p": p, "s": "CODESIGN_TABLE" }),
    )
    .await;
    conflict(
        &app,
        &s.aler,
        &advance(),
        json!({ "p": p, "s": "PROPOSAL" }),
        Rule::NoGoingBack,
    )
    .await;
    // Signing asks for something brought by a partner besides the lead.
    conflict(
        &app,
        &s.aler,
        &advance(),
        json!({ "p": p, "s": "SIGNED" }),
        Rule::PartnerContributionMissing,
    )
    .await;

    // A pact needs a public body: the ONLUS's own need cannot go to review.
    let mut input = need_input("Pulizia del cortile della sede");
    input["kind"] = json!("SPACE_REGENERATION");
    let own = create_need(&app, &s.onlus, &s.onlus_org, input).await;
    let ws = step(
        &app,
        &s.onlus,
        &open_project(),
        json!({ "n": own, "p": "PATTO_COLLABORAZIONE" }),
    )
    .await;
    let own_project = ws["id"].as_str().expect("id").to_owned();
    conflict(
        &app,
        &s.onlus,
        &advance(),
        json!({ "p": own_project, "s": "REVIEW" }),
        Rule::PublicBodyMissing,
    )
    .await;

    // Art. 55, out of order.
    let moderator =
        crate::visibility::moderator(&app, "moderatore@example.org", "Mara Moderatrice").await;
    registered_in_runts(&app, &moderator, &s.onlus_org).await;
    let comune = person(&app, "comune@example.org", "Carla Comune", true).await;
    let comune_org = organisation(&app, &comune, comune_input()).await;
    let call = create_need(&app, &comune, &comune_org, need_input("Quartieri Connessi")).await;
    let ws = step(
        &app,
        &comune,
        &open_project(),
        json!({ "n": call, "p": "COPROGETTAZIONE" }),
    )
    .await;
    let c = ws["id"].as_str().expect("id").to_owned();
    let to = |stage: &str| json!({ "p": c, "s": stage });
    let apply = "mutation($p: ID!, $o: ID!, $t: String!) { applyToNotice(projectId: $p, organizationId: $o, proposal: $t) { id } }";
    let proposal = json!({ "p": c, "o": s.onlus_org, "t": "Pulizie di comunità nei cortili." });
    refused(
        &app,
        &s.onlus,
        apply,
        proposal.clone(),
        "CONFLICT",
        Rule::ApplicationsClosed,
    )
    .await;
    let notice = json!({
        "purpose": "Servizi di comunità nei quartieri ERP.",
        "object": "Co-progettazione di servizi negli spazi a piano terra.",
        "economicFrame": "Contributi PON Metro.",
        "duration": "24 mesi",
        "requirements": "Enti del Terzo settore iscritti al RUNTS.",
        "criteria": [{ "name": "Qualità del progetto", "maxPoints": 10, "weight": 1 }],
        "minTotal": 5,
    });
    step(
        &app,
        &comune,
        &art55_op(
            "mutation($p: ID!, $i: ProjectNoticeInput!)",
            "saveNotice(projectId: $p, input: $i)",
        ),
        json!({ "p": c, "i": notice }),
    )
    .await;
    step(&app, &comune, &advance(), to("APPLICATIONS")).await;
    notice_opened_days_ago(&app, &c, 21).await;
    conflict(
        &app,
        &comune,
        &advance(),
        to("ADMISSION_CHECK"),
        Rule::NoApplications,
    )
    .await;
    let body = gql(&app, Some(&s.onlus.token), apply, proposal).await;
    assert_eq!(outcome(&body), "OK", "{body}");
    let ws = step(
        &app,
        &comune,
        &art55_op("query($p: ID!)", "project(id: $p)"),
        json!({ "p": c }),
    )
    .await;
    let application = ws["applications"][0]["id"].clone();
    assert!(application.is_string(), "{ws}");
    let decide = |admitted: bool| {
        art55_op(
            "mutation($a: ID!, $r: PartnerRole)",
            &format!("decideAdmission(applicationId: $a, admitted: {admitted}, role: $r)"),
        )
    };
    let as_partner = json!({ "a": application, "r": "PARTNER" });
    conflict(
        &app,
        &comune,
        &decide(true),
        as_partner.clone(),
        Rule::AdmissionNotOpen,
    )
    .await;
    step(&app, &comune, &advance(), to("ADMISSION_CHECK")).await;
    let score = art55_op(
        "mutation($a: ID!, $s: [Int]!)",
        "scoreApplication(applicationId: $a, scores: $s)",
    );
    conflict(
        &app,
        &comune,
        &score,
        json!({ "a": application, "s": [7] }),
        Rule::EvaluationNotOpen,
    )
    .await;
    let record = art55_op(
        "mutation($p: ID!, $k: ProjectDocumentTopic!, $t: String!)",
        "recordProjectDocument(projectId: $p, topic: $k, text: $t)",
    );
    conflict(
        &app,
        &comune,
        &record,
        json!({ "p": c, "k": "TABLE_MINUTES", "t": "Verbale" }),
        Rule::TableNotOpen,
    )
    .await;
    conflict(
        &app,
        &comune,
        &advance(),
        to("EVALUATION"),
        Rule::ApplicationsUnchecked,
    )
    .await;
    step(
        &app,
        &comune,
        &decide(false),
        json!({ "a": application, "r": null }),
    )
    .await;
    conflict(
        &app,
        &comune,
        &advance(),
        to("EVALUATION"),
        Rule::NoAdmittedApplication,
    )
    .await;
    step(&app, &comune, &decide(true), as_partner).await;
    conflict(
        &app,
        &comune,
        &advance(),
        to("APPLICATIONS"),
        Rule::AdmissibleApplicationExists,
    )
    .await;
    // The admitted ONLUS is a partner now, but the procedure's steps are the
    // public body's.
    refused(
        &app,
        &s.onlus,
        &advance(),
        to("EVALUATION"),
        "FORBIDDEN",
        Rule::PublicBodyOnly,
    )
    .await;
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
    app.stop().await;
}

fn art55_op(head: &str, call: &str) -> String {
    op(head, call).replace(
        "reports {",
        "notice { openedAt closesNotBefore criteria { name maxPoints weight } }
         applications { id organizationId admitted role scores total position admissible }
         documents { topic title }
         reports {",
    )
}

/// Marks the organisation registered in RUNTS, as a moderator does after
/// checking the registry.
async fn registered_in_runts(app: &TestApp, moderator: &Person, organization: &str) {
    trama::services::moderation::verify_organization(
        app.db(),
        &trama::services::Actor::user(moderator.id, &moderator.email),
        uuid::Uuid::parse_str(organization).expect("uuid"),
        trama::domain::VerificationStatus::Verified,
        "RUNTS, estratto del 2026-11-01",
        true,
    )
    .await
    .expect("verified");
}

/// Moves the notice's opening back by `days`, as if time had passed.
async fn notice_opened_days_ago(app: &TestApp, project: &str, days: i64) {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, sea_query::Expr};
    use trama::store::entities::project_notices;
    let at = trama::services::now() - chrono::Duration::days(days);
    project_notices::Entity::update_many()
        .col_expr(project_notices::Column::OpenedAt, Expr::value(Some(at)))
        .filter(
            project_notices::Column::ProjectId.eq(uuid::Uuid::parse_str(project).expect("uuid")),
        )
        .exec(app.db())
        .await
        .expect("backdated");
}

async fn the_quartieri_connessi_call_runs_as_art55(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    territories(&app).await;
    let moderator =
        crate::visibility::moderator(&app, "moderatore@example.org", "Mara Moderatrice").await;
    let comune = person(&app, "comune@example.org", "Carla Comune", true).await;
    let coop = person(&app, "coop@example.org", "Anna Coop", true).await;
    let aps = person(&app, "aps@example.org", "Piero Aps", true).await;
    let onlus = person(&app, "onlus@example.org", "Marta Onlus", true).await;
    let comune_org = organisation(&app, &comune, comune_input()).await;
    let coop_org = organisation(
        &app,
        &coop,
        org_input(
            "Cooperativa Portinerie",
            "SOCIAL_COOPERATIVE_A",
            Some("96123456780"),
            "Portierato sociale nei caseggiati ERP.",
        ),
    )
    .await;
    let aps_org = organisation(
        &app,
        &aps,
        org_input(
            "APS Quartieri in Rete",
            "APS",
            Some("97555123401"),
            "Promozione sociale nei quartieri periferici.",
        ),
    )
    .await;
    let onlus_org = organisation(
        &app,
        &onlus,
        org_input(
            "Amici di Lorenteggio ONLUS",
            "ONLUS",
            Some("97012345670"),
            "Volontari del quartiere, non ancora iscritti al RUNTS.",
        ),
    )
    .await;
    registered_in_runts(&app, &moderator, &coop_org).await;
    registered_in_runts(&app, &moderator, &aps_org).await;
    let need = create_need(
        &app,
        &comune,
        &comune_org,
        need_input("Quartieri Connessi: portinerie ERP per servizi di comunità"),
    )
    .await;
    let ws = step(
        &app,
        &comune,
        &art55_op(
            "mutation($n: ID!, $p: ProjectProcedure!)",
            "openProject(needId: $n, procedure: $p)",
        ),
        json!({ "n": need, "p": "COPROGETTAZIONE" }),
    )
    .await;
    let p = ws["id"].as_str().expect("id").to_owned();
    let advance = art55_op(
        "mutation($p: ID!, $s: ProjectStage!)",
        "advanceProject(projectId: $p, to: $s)",
    );
    let to = |stage: &str| json!({ "p": p, "s": stage });

    // The notice: purpose, object, economic frame, duration, requirements,
    // criteria; published for at least 20 days.
    refused(
        &app,
        &comune,
        &advance,
        to("APPLICATIONS"),
        "CONFLICT",
        Rule::NoticeIncomplete,
    )
    .await;
    let notice = json!({
        "purpose": "Servizi di comunità e inclusione sociale nei quartieri ERP periferici.",
        "object": "Co-progettazione di servizi negli spazi a piano terra di nove complessi ERP.",
        "economicFrame": "Contributi PON Metro per lo start-up dei servizi; spazi già ristrutturati.",
        "duration": "36 mesi",
        "requirements": "Enti del Terzo settore iscritti al RUNTS.",
        "criteria": [
            { "name": "Qualità del progetto", "maxPoints": 10, "weight": 3 },
            { "name": "Radicamento nel quartiere", "maxPoints": 10, "weight": 2 },
        ],
        "minTotal": 20,
    });
    step(
        &app,
        &comune,
        &art55_op(
            "mutation($p: ID!, $i: ProjectNoticeInput!)",
            "saveNotice(projectId: $p, input: $i)",
        ),
        json!({ "p": p, "i": notice }),
    )
    .await;
    let ws = step(&app, &comune, &advance, to("APPLICATIONS")).await;
    assert!(ws["notice"]["openedAt"].is_string(), "{ws}");

    // Two registered third-sector bodies and one outside RUNTS apply.
    let apply = "mutation($p: ID!, $o: ID!, $t: String!) { applyToNotice(projectId: $p, organizationId: $o, proposal: $t) { id } }";
    for (who, org) in [(&coop, &coop_org), (&aps, &aps_org), (&onlus, &onlus_org)] {
        let body = gql(&app, Some(&who.token), apply, json!({ "p": p, "o": org, "t": "Una portineria di comunità aperta sei giorni su sette." })).await;
        assert_eq!(outcome(&body), "OK", "{body}");
    }
    refused(
        &app,
        &comune,
        &advance,
        to("ADMISSION_CHECK"),
        "CONFLICT",
        Rule::NoticeMinOpenDays,
    )
    .await;
    notice_opened_days_ago(&app, &p, 21).await;
    let ws = step(&app, &comune, &advance, to("ADMISSION_CHECK")).await;
    let application_of = |ws: &Value, org: &str| {
        ws["applications"]
            .as_array()
            .expect("applications")
            .iter()
            .find(|a| a["organizationId"] == org)
            .expect("application")["id"]
            .clone()
    };
    let (coop_app, aps_app, onlus_app) = (
        application_of(&ws, &coop_org),
        application_of(&ws, &aps_org),
        application_of(&ws, &onlus_org),
    );

    // Admission: the body outside RUNTS is refused as a principal partner
    // and admitted as a supporter.
    let admit = art55_op(
        "mutation($a: ID!, $r: PartnerRole)",
        "decideAdmission(applicationId: $a, admitted: true, role: $r)",
    );
    refused(
        &app,
        &comune,
        &admit,
        json!({ "a": onlus_app, "r": "PARTNER" }),
        "CONFLICT",
        Rule::PrincipalRequiresRunts,
    )
    .await;
    step(
        &app,
        &comune,
        &admit,
        json!({ "a": onlus_app, "r": "SUPPORTER" }),
    )
    .await;
    step(
        &app,
        &comune,
        &admit,
        json!({ "a": coop_app, "r": "PARTNER" }),
    )
    .await;
    let ws = step(
        &app,
        &comune,
        &admit,
        json!({ "a": aps_app, "r": "PARTNER" }),
    )
    .await;
    let roles: Vec<&str> = roles(&ws).into_iter().map(|(_, role)| role).collect();
    assert_eq!(roles, ["LEAD", "SUPPORTER", "PARTNER", "PARTNER"], "{ws}");

    // Comparative evaluation: scores per criterion, then the minutes.
    step(&app, &comune, &advance, to("EVALUATION")).await;
    refused(
        &app,
        &comune,
        &advance,
        to("CODESIGN_TABLE"),
        "CONFLICT",
        Rule::ScoresMissing,
    )
    .await;
    let score = art55_op(
        "mutation($a: ID!, $s: [Int]!)",
        "scoreApplication(applicationId: $a, scores: $s)",
    );
    step(&app, &comune, &score, json!({ "a": coop_app, "s": [8, 9] })).await;
    step(&app, &comune, &score, json!({ "a": aps_app, "s": [6, 5] })).await;
    let ws = step(
        &app,
        &comune,
        &score,
        json!({ "a": onlus_app, "s": [3, 2] }),
    )
    .await;
    let by_org = |org: &str| {
        ws["applications"]
            .as_array()
            .expect("applications")
            .iter()
            .find(|a| a["organizationId"] == org)
            .cloned()
            .expect("application")
    };
    assert_eq!(by_org(&coop_org)["total"], 42, "{ws}");
    assert_eq!(by_org(&coop_org)["position"], 1, "{ws}");
    assert_eq!(by_org(&aps_org)["position"], 2, "{ws}");
    assert_eq!(by_org(&onlus_org)["admissible"], false, "{ws}");
    refused(
        &app,
        &comune,
        &advance,
        to("CODESIGN_TABLE"),
        "CONFLICT",
        Rule::EvaluationMinutesMissing,
    )
    .await;
    let record = art55_op(
        "mutation($p: ID!, $k: ProjectDocumentTopic!, $t: String!)",
        "recordProjectDocument(projectId: $p, topic: $k, text: $t)",
    );
    step(&app, &comune, &record, json!({ "p": p, "k": "EVALUATION_MINUTES", "t": "La commissione ha valutato tre proposte." })).await;
    step(&app, &comune, &advance, to("CODESIGN_TABLE")).await;

    // The table: contributions, minutes, the final project, the agreement.
    step(
        &app,
        &comune,
        &contribute(),
        json!({ "p": p, "i": contribution("SPACE", "Portineria di via Odazio", 60.0, "m2") }),
    )
    .await;
    step(
        &app,
        &coop,
        &contribute(),
        json!({ "p": p, "i": contribution("COMPETENCE", "Portieri sociali", 1500.0, "ore") }),
    )
    .await;
    refused(
        &app,
        &comune,
        &advance,
        to("FINAL_PROJECT"),
        "CONFLICT",
        Rule::TableMinutesMissing,
    )
    .await;
    step(&app, &comune, &record, json!({ "p": p, "k": "TABLE_MINUTES", "t": "Il tavolo ha definito i servizi della portineria." })).await;
    step(&app, &comune, &advance, to("FINAL_PROJECT")).await;
    step(&app, &comune, &record, json!({ "p": p, "k": "FINAL_PROJECT", "t": "Portineria di comunità: orari, servizi, ruoli." })).await;
    step(&app, &comune, &advance, to("AGREEMENT")).await;
    let write = art55_op(
        "mutation($p: ID!, $t: String!)",
        "writeAgreement(projectId: $p, text: $t)",
    );
    step(
        &app,
        &comune,
        &write,
        json!({ "p": p, "t": "Convenzione per la portineria di comunità di via Odazio." }),
    )
    .await;
    let approve = art55_op(
        "mutation($p: ID!, $v: Int!)",
        "approveAgreement(projectId: $p, version: $v)",
    );
    for who in [&comune, &coop, &aps, &onlus] {
        step(&app, who, &approve, json!({ "p": p, "v": 1 })).await;
    }
    // Signed on entering delivery.
    let ws = step(&app, &comune, &advance, to("DELIVERY")).await;
    assert_eq!(ws["stage"], "DELIVERY", "{ws}");
    assert_eq!(
        ws["agreement"]["contentHash"].as_str().map(str::len),
        Some(64),
        "{ws}"
    );
    assert_eq!(ws["documents"].as_array().map(Vec::len), Some(3), "{ws}");
    app.stop().await;
}

async fn partners_leave_and_projects_show_as_their_visibility(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let s = lorenteggio(&app).await;
    let moderator =
        crate::visibility::moderator(&app, "moderatore@example.org", "Mara Moderatrice").await;
    let p = open_with_partners(&app, &s).await;

    // Contributions: changed and withdrawn by their own partner only.
    let ws = step(
        &app,
        &s.onlus,
        &contribute(),
        json!({ "p": p, "i": contribution("COMPETENCE", "Tecniche di pulizia", 10.0, "ore") }),
    )
    .await;
    let id = ws["contributions"][0]["id"].clone();
    let update = op(
        "mutation($c: ID!, $i: ProjectContributionInput!)",
        "updateContribution(id: $c, input: $i)",
    );
    let changed = contribution(
        "COMPETENCE",
        "Tecniche di pulizia e formazione",
        16.0,
        "ore",
    );
    refused(
        &app,
        &s.tenants,
        &update,
        json!({ "c": id, "i": changed }),
        "FORBIDDEN",
        Rule::AdminOnly,
    )
    .await;
    let ws = step(&app, &s.onlus, &update, json!({ "c": id, "i": changed })).await;
    assert_eq!(ws["contributions"][0]["quantity"], 16.0, "{ws}");
    let withdraw = op("mutation($c: ID!)", "withdrawContribution(id: $c)");
    let ws = step(&app, &s.onlus, &withdraw, json!({ "c": id })).await;
    assert_eq!(ws["contributions"][0]["status"], "WITHDRAWN", "{ws}");

    // Leaving takes a reason; the lead does not leave.
    let leave = "mutation($p: ID!, $r: String!) { leaveProject(projectId: $p, reason: $r) }";
    let body = gql(
        &app,
        Some(&s.tenants.token),
        leave,
        json!({ "p": p, "r": "  " }),
    )
    .await;
    assert_eq!(outcome(&body), "BAD_USER_INPUT", "{body}");
    assert_eq!(body["errors"][0]["extensions"]["field"], "reason", "{body}");
    let body = gql(
        &app,
        Some(&s.aler.token),
        leave,
        json!({ "p": p, "r": "Non possiamo" }),
    )
    .await;
    assert_eq!(outcome(&body), "CONFLICT", "{body}");
    gql_ok(
        &app,
        Some(&s.tenants.token),
        leave,
        json!({ "p": p, "r": "Il comitato inquilini si è sciolto." }),
    )
    .await;
    let body = gql(&app, Some(&s.tenants.token), &read(), json!({ "p": p })).await;
    assert_eq!(
        outcome(&body),
        "NOT_FOUND",
        "a former partner reads a private project: {body}"
    );
    let ws = step(&app, &s.aler, &read(), json!({ "p": p })).await;
    assert_eq!(ws["partners"].as_array().map(Vec::len), Some(2), "{ws}");

    // Public: anyone reads it, until a moderator hides it; partners still do.
    let public = op(
        "mutation($p: ID!, $v: Boolean!)",
        "setProjectPublic(projectId: $p, isPublic: $v)",
    );
    refused(
        &app,
        &s.onlus,
        &public,
        json!({ "p": p, "v": true }),
        "FORBIDDEN",
        Rule::LeadOnly,
    )
    .await;
    step(&app, &s.aler, &public, json!({ "p": p, "v": true })).await;
    let body = gql(&app, None, &read(), json!({ "p": p })).await;
    assert_eq!(outcome(&body), "OK", "{body}");
    let hide = "mutation($p: ID!, $h: Boolean!) { setProjectHidden(projectId: $p, hidden: $h) }";
    let body = gql(
        &app,
        Some(&s.aler.token),
        hide,
        json!({ "p": p, "h": true }),
    )
    .await;
    assert_eq!(outcome(&body), "FORBIDDEN", "{body}");
    gql_ok(
        &app,
        Some(&moderator.token),
        hide,
        json!({ "p": p, "h": true }),
    )
    .await;
    let body = gql(&app, None, &read(), json!({ "p": p })).await;
    assert_eq!(outcome(&body), "NOT_FOUND", "{body}");
    let ws = step(&app, &s.onlus, &read(), json!({ "p": p })).await;
    assert_eq!(ws["id"], p.as_str());
    let body = gql(&app, Some(&moderator.token), &read(), json!({ "p": p })).await;
    assert_eq!(outcome(&body), "OK", "{body}");

    // The lead is handed to the ONLUS, as agreed: only by the lead, only to
    // a current partner; the approvals given so far are cleared, because
    // the roles are part of what is signed; the former lead may then leave.
    step(
        &app,
        &s.aler,
        &write(),
        json!({ "p": p, "t": "Testo del patto" }),
    )
    .await;
    step(&app, &s.onlus, &approve(), json!({ "p": p, "v": 1 })).await;
    let hand_over = op(
        "mutation($p: ID!, $o: ID!)",
        "handOverLead(projectId: $p, organizationId: $o)",
    );
    refused(
        &app,
        &s.onlus,
        &hand_over,
        json!({ "p": p, "o": s.onlus_org }),
        "FORBIDDEN",
        Rule::LeadOnly,
    )
    .await;
    for org in [&s.aler_org, &s.tenants_org] {
        let body = gql(
            &app,
            Some(&s.aler.token),
            &hand_over,
            json!({ "p": p, "o": org }),
        )
        .await;
        assert_eq!(outcome(&body), "CONFLICT", "{body}");
        assert_eq!(
            body["errors"][0]["extensions"]["field"], "organizationId",
            "{body}"
        );
    }
    let ws = step(
        &app,
        &s.aler,
        &hand_over,
        json!({ "p": p, "o": s.onlus_org }),
    )
    .await;
    assert_eq!(
        roles(&ws),
        [
            (s.onlus_org.clone(), "LEAD"),
            (s.aler_org.clone(), "PARTNER")
        ],
        "{ws}"
    );
    assert_eq!(ws["agreement"]["approvals"], json!([]), "{ws}");
    refused(
        &app,
        &s.aler,
        &advance(),
        json!({ "p": p, "s": "REVIEW" }),
        "FORBIDDEN",
        Rule::LeadOnly,
    )
    .await;
    let ws = step(&app, &s.onlus, &advance(), json!({ "p": p, "s": "REVIEW" })).await;
    assert_eq!(ws["stage"], "REVIEW", "{ws}");
    let actions = audit_entries(&app, |r| r.action).await;
    assert!(actions.iter().any(|a| a == "project.lead"), "{actions:?}");
    gql_ok(
        &app,
        Some(&s.aler.token),
        leave,
        json!({ "p": p, "r": "La cura passa alla ONLUS." }),
    )
    .await;
    // A former partner can come back: invited again, it accepts and is a
    // partner once more.
    step(
        &app,
        &s.onlus,
        &invite(),
        json!({ "p": p, "o": s.aler_org, "r": "SUPPORTER" }),
    )
    .await;
    let ws = step(&app, &s.aler, &answer(), json!({ "p": p, "a": true })).await;
    assert_eq!(
        roles(&ws),
        [
            (s.onlus_org.clone(), "LEAD"),
            (s.aler_org.clone(), "SUPPORTER")
        ],
        "{ws}"
    );
    app.stop().await;
}

/// A match under art. 55 (a call for proposals) opens the project when
/// both sides consent; the offer's co-operative, not registered in RUNTS,
/// joins as a supporter rather than a principal partner.
async fn an_art55_match_brings_a_body_outside_runts_as_supporter(backend: Backend) {
    use crate::visibility::{coop_input, mediation_need, publish_mediation_offer, settle};
    let app = TestApp::spawn(backend).await;
    territories(&app).await;
    let carla = person(&app, "carla@example.org", "Carla Neri", true).await;
    let anna = person(&app, "anna@example.org", "Anna Bianchi", true).await;
    let need_org = organisation(&app, &carla, comune_input()).await;
    let offer_org = organisation(&app, &anna, coop_input(json!([]))).await;
    let mut call = mediation_need("Mediazione dei conflitti di vicinato nei caseggiati ERP");
    call["kind"] = json!("CALL_FOR_PROPOSALS");
    let need = create_need(&app, &carla, &need_org, call).await;
    publish_mediation_offer(
        &app,
        &anna,
        &offer_org,
        "Mediazione dei conflitti di vicinato",
    )
    .await;
    settle(&app).await;
    let matches = "query($n: ID!) { matchesForNeed(needId: $n) { edges { node { id } } } }";
    let body = gql_ok(&app, Some(&carla.token), matches, json!({ "n": need })).await;
    let match_id = body["data"]["matchesForNeed"]["edges"][0]["node"]["id"].clone();
    assert!(match_id.is_string(), "{body}");
    let set = "mutation($m: ID!, $s: MatchSideStatus!) { setMatchStatus(matchId: $m, status: $s) { projectId } }";
    gql_ok(
        &app,
        Some(&anna.token),
        set,
        json!({ "m": match_id, "s": "PARTNERSHIP" }),
    )
    .await;
    let body = gql_ok(
        &app,
        Some(&carla.token),
        set,
        json!({ "m": match_id, "s": "PARTNERSHIP" }),
    )
    .await;
    let project = body["data"]["setMatchStatus"]["projectId"].clone();
    let ws = step(&app, &carla, &read(), json!({ "p": project })).await;
    assert_eq!(ws["procedure"], "COPROGETTAZIONE", "{ws}");
    let roles: Vec<(&str, &str)> = ws["partners"]
        .as_array()
        .expect("partners")
        .iter()
        .map(|p| {
            (
                p["organizationId"].as_str().expect("id"),
                p["role"].as_str().expect("role"),
            )
        })
        .collect();
    assert_eq!(
        roles,
        [
            (need_org.as_str(), "LEAD"),
            (offer_org.as_str(), "SUPPORTER")
        ],
        "{ws}"
    );
    app.stop().await;
}

/// A public project's activity reaches a graphql-ws subscriber as it
/// happens.
async fn project_activity_arrives_over_graphql_ws(backend: Backend) {
    use crate::subscriptions::subscribe;
    let app = TestApp::spawn(backend).await;
    let s = lorenteggio(&app).await;
    let ws = step(
        &app,
        &s.aler,
        &open_project(),
        json!({ "n": s.need, "p": "PATTO_COLLABORAZIONE" }),
    )
    .await;
    let p = ws["id"].as_str().expect("id").to_owned();
    let public = op(
        "mutation($p: ID!, $v: Boolean!)",
        "setProjectPublic(projectId: $p, isPublic: $v)",
    );
    step(&app, &s.aler, &public, json!({ "p": p, "v": true })).await;
    let mut socket = subscribe(
        &app,
        &format!(r#"subscription {{ projectActivity(projectId: "{p}") {{ kind id at }} }}"#),
    )
    .await;
    step(
        &app,
        &s.aler,
        &invite(),
        json!({ "p": p, "o": s.onlus_org, "r": "PARTNER" }),
    )
    .await;
    step(&app, &s.onlus, &answer(), json!({ "p": p, "a": true })).await;
    // Events arrive in order; the opening's own may come first.
    activity_until(&mut socket, "PARTNER_JOINED").await;
    step(&app, &s.aler, &advance(), json!({ "p": p, "s": "REVIEW" })).await;
    activity_until(&mut socket, "STAGE_STARTED").await;
    app.stop().await;
}

/// Reads the subscription's events until one of `kind` arrives.
async fn activity_until(socket: &mut crate::subscriptions::Socket, kind: &str) {
    loop {
        let message = crate::subscriptions::next_json(socket).await;
        assert_eq!(message["type"], "next", "{message}");
        if message["payload"]["data"]["projectActivity"]["kind"] == kind {
            return;
        }
    }
}

/// The Lorenteggio pact (seed 000) from ALER's need to a closed project:
/// the ONLUS's know-how and the tenants' hours are proposed for the need;
/// each side talks with ALER in the match's conversation first; both sides'
/// consent opens the project with the ONLUS (never one side's word alone),
/// and the tenants, invited, accept; contributions (ALER's paint, the
/// ONLUS's know-how, the tenants' hours), a text changed after one approval
/// (approvals cleared), a version approved by all three, signed with its
/// hash, the PDF, delivered with a milestone, reported, closed, in the
/// audit log and in the open-data pacts.
async fn the_lorenteggio_pact_goes_from_matches_to_closed(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let s = lorenteggio(&app).await;
    let mut input = need_input(
        "Riqualificare le scale di via Odazio e Apuli: cerchiamo volontari e competenze",
    );
    input["requiredContributions"] = json!(["VOLUNTEERS", "COMPETENCE"]);
    let need = create_need(&app, &s.aler, &s.aler_org, input).await;
    let know_how = create_offer(
        &app,
        &s.onlus,
        &s.onlus_org,
        json!({
            "kind": "COMPETENCE",
            "title": "Coordinamento di volontari per pulire e riqualificare le scale dei caseggiati",
            "description": "Organizziamo giornate di pulizia e riqualificazione delle scale vandalizzate nei caseggiati di Lorenteggio, con la formazione dei volontari.",
            "territoryScope": "MUNICIPALITY",
            "municipalityCode": MILANO,
        }),
    )
    .await;
    let hours = create_offer(
        &app,
        &s.tenants,
        &s.tenants_org,
        json!({
            "kind": "VOLUNTEERS",
            "title": "Inquilini volontari per pulire e ridipingere le scale di via Odazio",
            "description": "Gli inquilini dei caseggiati di via Odazio 6 e Apuli 2 offrono il loro tempo per pulire e riqualificare le scale vandalizzate.",
            "territoryScope": "NEIGHBOURHOOD",
            "municipalityCode": MILANO,
            "neighbourhoodId": neighbourhood_id(MILANO, "53").to_string(),
        }),
    )
    .await;
    crate::digests::settle(&app).await;
    let listed = gql_ok(
        &app,
        Some(&s.aler.token),
        crate::partnership::MATCH_IDS,
        json!({ "n": need }),
    )
    .await;
    let match_of = |offer: &str| -> String {
        listed["data"]["matchesForNeed"]["edges"]
            .as_array()
            .expect("edges")
            .iter()
            .find(|e| e["node"]["offer"]["id"] == offer)
            .and_then(|e| e["node"]["id"].as_str())
            .unwrap_or_else(|| panic!("the offer {offer} is proposed: {listed}"))
            .to_owned()
    };
    let mut project: Option<String> = None;
    for (partner, offer) in [(&s.onlus, &know_how), (&s.tenants, &hours)] {
        let m = match_of(offer);
        // Before either side says it is interested, nobody talks.
        let early = gql(
            &app,
            Some(&partner.token),
            &crate::conversations::for_match(),
            json!({ "m": m }),
        )
        .await;
        assert_eq!(outcome(&early), "FORBIDDEN", "{early}");
        let set = |who: &Person, status: &str| {
            let body = json!({ "m": m, "s": status });
            let token = who.token.clone();
            let app = &app;
            async move { gql_ok(app, Some(&token), crate::partnership::SET_STATUS, body).await }
        };
        set(&s.aler, "INTERESTED").await;
        // ALER writes first; the partner reads and answers.
        let talk = gql_ok(
            &app,
            Some(&s.aler.token),
            &crate::conversations::for_match(),
            json!({ "m": m }),
        )
        .await;
        let conversation = talk["data"]["conversationForMatch"]["id"].clone();
        let send = |who: &Person, text: &str| {
            let body = json!({ "c": conversation, "b": text });
            let token = who.token.clone();
            let app = &app;
            async move { gql_ok(app, Some(&token), crate::conversations::SEND, body).await }
        };
        send(
            &s.aler,
            "Buongiorno, possiamo sentirci per il Clean Up delle scale?",
        )
        .await;
        let heard = gql_ok(
            &app,
            Some(&partner.token),
            &crate::conversations::for_match(),
            json!({ "m": m }),
        )
        .await;
        let messages = heard["data"]["conversationForMatch"]["messages"]
            .as_array()
            .expect("messages");
        assert_eq!(messages.len(), 1, "{heard}");
        send(partner, "Volentieri: ci siamo.").await;
        // One side's partnership opens nothing.
        let first = set(&s.aler, "PARTNERSHIP").await;
        assert!(
            first["data"]["setMatchStatus"]["projectId"].is_null(),
            "{first}"
        );
        if let Some(p) = &project {
            // The project is open with the ONLUS: ALER's word alone does not
            // take the tenants in; they are invited, and accept.
            let ws = step(&app, &s.aler, &read(), json!({ "p": p })).await;
            assert_eq!(ws["partners"].as_array().map(Vec::len), Some(2), "{ws}");
            let ws = step(
                &app,
                &s.aler,
                &invite(),
                json!({ "p": p, "o": s.tenants_org, "r": "PARTNER" }),
            )
            .await;
            assert_eq!(
                ws["invitations"][0]["organizationId"],
                s.tenants_org.as_str()
            );
            // Until they accept, the tenants have not consented: they bring
            // nothing to the project.
            refused(
                &app,
                partner,
                &contribute(),
                json!({ "p": p, "i": contribution("VOLUNTEERS", "Ore degli inquilini", 10.0, "ore") }),
                "FORBIDDEN",
                Rule::PartnerOnly,
            )
            .await;
            step(&app, partner, &answer(), json!({ "p": p, "a": true })).await;
            continue;
        }
        // Both sides' consent opens the need's project with the ONLUS.
        let both = set(partner, "PARTNERSHIP").await;
        let opened = both["data"]["setMatchStatus"]["projectId"]
            .as_str()
            .expect("the project opens on the second consent")
            .to_owned();
        project = Some(opened);
    }
    let p = project.expect("a project");
    let ws = step(&app, &s.aler, &read(), json!({ "p": p })).await;
    let partners: Vec<&str> = ws["partners"]
        .as_array()
        .expect("partners")
        .iter()
        .filter_map(|p| p["organizationId"].as_str())
        .collect();
    assert_eq!(
        partners,
        [
            s.aler_org.as_str(),
            s.onlus_org.as_str(),
            s.tenants_org.as_str()
        ],
        "{ws}"
    );
    let roles: Vec<&str> = roles(&ws).into_iter().map(|(_, role)| role).collect();
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
    // The ONLUS's matched offer came in with it as a contribution; the
    // three add theirs.
    let contributions = ws["contributions"].as_array().expect("contributions");
    assert_eq!(contributions.len(), 4, "{ws}");
    assert_eq!(
        contributions[0]["organizationId"],
        s.onlus_org.as_str(),
        "{ws}"
    );
    assert_eq!(contributions[1]["amountCents"], 60_000, "{ws}");
    assert_eq!(contributions[3]["unit"], "ore", "{ws}");
    assert_eq!(contributions[3]["quantity"], 120.0, "{ws}");
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
    let names: Vec<&str> = agreement["approvals"]
        .as_array()
        .expect("approvals")
        .iter()
        .map(|a| a["userName"].as_str().expect("who approved"))
        .collect();
    for name in ["Paola Aler", "Marta Onlus", "Gino Inquilino"] {
        assert!(names.contains(&name), "{name} in {names:?}");
    }
    let hash = agreement["contentHash"].as_str().expect("hash");
    assert_eq!(hash.len(), 64);
    assert!(hash.chars().all(|c| c.is_ascii_hexdigit()), "{hash}");
    // The signed pact's PDF names the three parties, what each brings and
    // the hash.
    crate::pacts::assert_pact_pdf(
        &app,
        &p,
        &s.tenants.token,
        &[
            "ALER Milano",
            "Clean Up Lorenteggio ONLUS",
            "Inquilini di via Odazio",
            "Vernice antigraffiti per le scale",
            "Coordinamento e tecniche di pulizia",
            "Volontari inquilini per le scale",
        ],
        hash,
    )
    .await;
    assert!(agreement["signedAt"].is_string(), "{ws}");
    assert_eq!(
        agreement["approvals"].as_array().map(Vec::len),
        Some(3),
        "{ws}"
    );
    assert!(
        ws["contributions"]
            .as_array()
            .expect("contributions")
            .iter()
            .all(|c| c["status"] == "AGREED"),
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

    // What each brings is part of the signed text: frozen now.
    conflict(
        &app,
        &s.tenants,
        &contribute(),
        json!({ "p": p, "i": contribution("VOLUNTEERS", "Altre ore", 10.0, "ore") }),
        Rule::ContributionsFrozen,
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
    conflict(
        &app,
        &s.aler,
        &advance(),
        json!({ "p": p, "s": "REPORTING" }),
        Rule::ProjectClosed,
    )
    .await;
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
    // Made public, the signed pact is open data, with its three parties.
    let public = op(
        "mutation($p: ID!, $v: Boolean!)",
        "setProjectPublic(projectId: $p, isPublic: $v)",
    );
    step(&app, &s.aler, &public, json!({ "p": p, "v": true })).await;
    let response = app.get("/opendata/pacts.json").await;
    assert_eq!(response.status(), 200);
    let pacts: Value = response.json().await.expect("JSON");
    let pact = pacts
        .as_array()
        .expect("pacts")
        .iter()
        .find(|row| row["id"] == p.as_str())
        .unwrap_or_else(|| panic!("the pact is listed: {pacts}"));
    assert_eq!(
        pact["partners"],
        json!([
            "ALER Milano",
            "Clean Up Lorenteggio ONLUS",
            "Inquilini di via Odazio"
        ]),
        "{pact}"
    );
    // With what the partners reported, summed.
    assert_eq!(
        pact["reported_people_reached"].as_i64(),
        Some(600),
        "{pact}"
    );
    assert_eq!(
        pact["reported_volunteer_hours"].as_f64(),
        Some(144.0),
        "{pact}"
    );
    assert_eq!(pact["reported_spent_eur"].as_f64(), Some(600.0), "{pact}");
    // Hidden by a moderator, it is not.
    let moderator =
        crate::visibility::moderator(&app, "moderatore@example.org", "Mara Moderatrice").await;
    let hide = "mutation($p: ID!) { setProjectHidden(projectId: $p, hidden: true) }";
    gql_ok(&app, Some(&moderator.token), hide, json!({ "p": p })).await;
    let pacts: Value = app
        .get("/opendata/pacts.json")
        .await
        .json()
        .await
        .expect("JSON");
    assert!(
        pacts
            .as_array()
            .expect("pacts")
            .iter()
            .all(|row| row["id"] != p.as_str()),
        "a hidden project is not open data: {pacts}"
    );
    app.stop().await;
}
