//! Bad input, on both databases, over GraphQL and the import: values nobody
//! can mean (a deadline in 2001, the years 0000 and 9999, amounts past what
//! a browser reads exactly, invisible characters in names) are refused with
//! the field and a reason in Italian and English; every coercion error of a
//! scalar, an enum or a variable gets the code, the field and a sentence a
//! person can read, with a label instead of the API's name; a wrong password
//! says so.

use sea_orm::{ActiveModelTrait, EntityTrait, IntoActiveModel, Set};
use serde_json::{Value, json};
use trama::domain::registry::ColumnMapping;
use trama::services::reference_data::MILANO;
use trama::services::registry_file::{self, SourceFormat};
use trama::store::entities::{needs, organizations};

use crate::helpers::{
    Backend, PASSWORD, TestApp, gql, gql_ok, gql_via, member_with_organization, need_input,
    outcome, trama_command, verified_user,
};
use crate::on_both_databases;

on_both_databases!(
    implausible_values_are_refused_with_the_field,
    a_passed_deadline_does_not_block_other_edits,
    invisible_characters_are_refused_or_trimmed,
    the_import_refuses_invisible_characters_in_names,
    coercion_errors_name_the_field_in_both_languages,
    messages_use_labels_not_api_names,
    a_wrong_password_says_so,
);

/// The command line holds dates to the same bounds: a registry extract
/// cannot be dated 0000-01-01, nor tomorrow.
#[test]
fn the_command_line_refuses_an_implausible_extract_date() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("runts.csv");
    std::fs::write(&file, "Codice fiscale\n80117230153\n").expect("write the extract");
    let tomorrow = (chrono::Utc::now() + chrono::Duration::days(1))
        .date_naive()
        .to_string();
    for (date, reason) in [
        ("0000-01-01", "01/01/1900"),
        ("9999-12-31", "31/12/2100"),
        (tomorrow.as_str(), "futuro"),
    ] {
        let output = trama_command()
            .args(["import", "registry"])
            .arg(&file)
            .args(["--source", "RUNTS - estrazione di prova", "--date", date])
            .arg("--data-dir")
            .arg(dir.path().join("data"))
            .output()
            .expect("run trama import registry");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(!output.status.success(), "{date}: {stderr}");
        assert!(
            stderr.contains("--date: ") && stderr.contains(reason),
            "{date}: {stderr}"
        );
    }
}

const CREATE_NEED: &str = "mutation($org: ID!, $input: NeedInput!) {
    createNeed(organizationId: $org, input: $input) { id title deadlineAt }
}";
const UPDATE_NEED: &str = "mutation($id: ID!, $input: NeedInput!) {
    updateNeed(id: $id, input: $input) { id title deadlineAt }
}";
const CREATE_OFFER: &str = "mutation($org: ID!, $input: OfferInput!) {
    createOffer(organizationId: $org, input: $input) { id }
}";

fn offer(title: &str) -> Value {
    json!({ "kind": "FUNDING", "title": title, "territoryScope": "MUNICIPALITY", "municipalityCode": MILANO })
}

/// `input` with `changes` merged in.
fn with(mut input: Value, changes: Value) -> Value {
    if let (Some(input), Some(changes)) = (input.as_object_mut(), changes.as_object()) {
        for (key, value) in changes {
            input.insert(key.clone(), value.clone());
        }
    }
    input
}

/// A deadline `days` from now, as GraphQL takes it.
fn in_days(days: i64) -> String {
    (chrono::Utc::now() + chrono::Duration::days(days)).to_rfc3339()
}

/// Sends an operation with a token and a language.
async fn ask(
    app: &TestApp,
    token: Option<&str>,
    lang: &str,
    query: &str,
    variables: Value,
) -> Value {
    gql_via(&app.client, app, token, Some(lang), query, variables).await
}

/// Sends an operation that must succeed; returns the answer.
async fn accepted(app: &TestApp, token: Option<&str>, query: &str, variables: Value) -> Value {
    gql_ok(app, token, query, variables).await
}

/// The field and reason code of a BAD_USER_INPUT answer.
fn refusal(body: &Value) -> (String, String) {
    let error = &body["errors"][0];
    assert_eq!(error["extensions"]["code"], "BAD_USER_INPUT", "{body}");
    (
        error["extensions"]["field"]
            .as_str()
            .unwrap_or_default()
            .to_owned(),
        error["extensions"]["fields"][0]["reason"]
            .as_str()
            .unwrap_or_default()
            .to_owned(),
    )
}

fn message(body: &Value) -> String {
    body["errors"][0]["message"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

async fn implausible_values_are_refused_with_the_field(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (token, org) = member_with_organization(&app).await;
    let token = Some(token.as_str());

    let cases = [
        (
            CREATE_NEED,
            with(
                need_input("Portierato sociale"),
                json!({ "deadlineAt": "2001-05-01T10:00:00Z" }),
            ),
            "deadlineAt",
            "in_the_past",
        ),
        (
            CREATE_NEED,
            with(
                need_input("Portierato sociale"),
                json!({ "deadlineAt": "9999-12-31T00:00:00Z" }),
            ),
            "deadlineAt",
            "date_out_of_range",
        ),
        (
            CREATE_NEED,
            with(
                need_input("Portierato sociale"),
                json!({ "deadlineAt": "0000-01-01T00:00:00Z" }),
            ),
            "deadlineAt",
            "date_out_of_range",
        ),
        (
            CREATE_NEED,
            with(
                need_input("Portierato sociale"),
                json!({ "budgetCents": 9_223_372_036_854_775_807_i64 }),
            ),
            "budgetCents",
            "amount_too_large",
        ),
        (
            CREATE_OFFER,
            with(
                offer("Fondo di quartiere"),
                json!({ "availableFrom": "0000-01-01" }),
            ),
            "availableFrom",
            "date_out_of_range",
        ),
        (
            CREATE_OFFER,
            with(
                offer("Fondo di quartiere"),
                json!({ "availableUntil": "9999-12-31" }),
            ),
            "availableUntil",
            "date_out_of_range",
        ),
        (
            CREATE_OFFER,
            with(
                offer("Fondo di quartiere"),
                json!({ "amountMaxCents": 100_000_000_001_i64 }),
            ),
            "amountMaxCents",
            "amount_too_large",
        ),
    ];
    for (mutation, input, field, reason) in cases {
        let body = gql(&app, token, mutation, json!({ "org": org, "input": input })).await;
        assert_eq!(
            refusal(&body),
            (field.to_owned(), reason.to_owned()),
            "{input}: {body}"
        );
    }

    // The reasons say the bounds, in both languages.
    let too_much = with(
        need_input("Portierato sociale"),
        json!({ "budgetCents": 100_000_000_001_i64 }),
    );
    let italian = ask(
        &app,
        token,
        "it",
        CREATE_NEED,
        json!({ "org": org, "input": too_much }),
    )
    .await;
    assert!(
        message(&italian).contains("1.000.000.000,00 €"),
        "{italian}"
    );
    let english = ask(
        &app,
        token,
        "en",
        CREATE_NEED,
        json!({ "org": org, "input": too_much }),
    )
    .await;
    assert!(message(&english).contains("€1,000,000,000.00"), "{english}");
    let past = with(
        need_input("Portierato sociale"),
        json!({ "deadlineAt": "2001-05-01T10:00:00Z" }),
    );
    let english = ask(
        &app,
        token,
        "en",
        CREATE_NEED,
        json!({ "org": org, "input": past }),
    )
    .await;
    assert!(message(&english).contains("already passed"), "{english}");

    // One billion euro, a deadline next month and a window of this decade
    // are fine.
    accepted(
        &app,
        token,
        CREATE_NEED,
        json!({ "org": org, "input": with(need_input("Portierato sociale"), json!({
            "budgetCents": 100_000_000_000_i64, "deadlineAt": in_days(30),
        })) }),
    )
    .await;
    let window = json!({
        "amountMaxCents": 100_000_000_000_i64,
        "availableFrom": "2015-09-01",
        "availableUntil": "2030-06-30",
    });
    accepted(
        &app,
        token,
        CREATE_OFFER,
        json!({ "org": org, "input": with(offer("Fondo di quartiere"), window) }),
    )
    .await;

    // Search filters are held to the same bounds.
    let body = gql(
        &app,
        None,
        "query($f: SearchFilter) { search(query: \"portierato\", filter: $f) { totalCount } }",
        json!({ "f": { "amountMin": 9_223_372_036_854_775_807_i64 } }),
    )
    .await;
    assert_eq!(
        refusal(&body),
        ("filter.amountMin".to_owned(), "amount_too_large".to_owned()),
        "{body}"
    );
    let body = gql(
        &app,
        None,
        "query($f: SearchFilter) { search(query: \"portierato\", filter: $f) { totalCount } }",
        json!({ "f": { "deadlineFrom": "0000-01-01T00:00:00Z" } }),
    )
    .await;
    assert_eq!(
        refusal(&body),
        (
            "filter.deadlineFrom".to_owned(),
            "date_out_of_range".to_owned()
        ),
        "{body}"
    );
    app.stop().await;
}

async fn a_passed_deadline_does_not_block_other_edits(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (token, org) = member_with_organization(&app).await;
    let token = Some(token.as_str());
    let deadline = in_days(10);
    let input = with(
        need_input("Portierato sociale a San Siro"),
        json!({ "deadlineAt": deadline }),
    );
    let body = accepted(
        &app,
        token,
        CREATE_NEED,
        json!({ "org": org, "input": input }),
    )
    .await;
    let id = body["data"]["createNeed"]["id"]
        .as_str()
        .expect("id")
        .to_owned();

    // Time passes: the stored deadline is now last week.
    let passed = chrono::Utc::now() - chrono::Duration::days(7);
    let row = needs::Entity::find_by_id(uuid::Uuid::parse_str(&id).expect("uuid"))
        .one(app.db())
        .await
        .expect("query")
        .expect("the need");
    let mut row = row.into_active_model();
    row.deadline_at = Set(Some(passed));
    let row = row.update(app.db()).await.expect("age the deadline");
    let stored = row.deadline_at.expect("deadline").to_rfc3339();

    // Editing the title, keeping the deadline, is fine.
    let input = with(
        need_input("Portierato sociale a San Siro (chiuso)"),
        json!({ "deadlineAt": stored }),
    );
    accepted(
        &app,
        token,
        UPDATE_NEED,
        json!({ "id": id, "input": input }),
    )
    .await;
    // Moving it to another day in the past is not.
    let earlier = (passed - chrono::Duration::days(1)).to_rfc3339();
    let input = with(
        need_input("Portierato sociale a San Siro"),
        json!({ "deadlineAt": earlier }),
    );
    let body = gql(
        &app,
        token,
        UPDATE_NEED,
        json!({ "id": id, "input": input }),
    )
    .await;
    assert_eq!(
        refusal(&body),
        ("deadlineAt".to_owned(), "in_the_past".to_owned()),
        "{body}"
    );
    app.stop().await;
}

async fn invisible_characters_are_refused_or_trimmed(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (token, org) = member_with_organization(&app).await;
    let token = Some(token.as_str());

    // Inside a name or a title: refused, whatever the character.
    for title in [
        "Portierato\u{200B} sociale",
        "Portierato\u{202E} sociale",
        "Portierato sociale\u{2066}",
        "Porti\u{200D}erato sociale",
        "Portierato\u{FEFF} sociale",
    ] {
        let body = gql(
            &app,
            token,
            CREATE_NEED,
            json!({ "org": org, "input": need_input(title) }),
        )
        .await;
        assert_eq!(
            refusal(&body),
            ("title".to_owned(), "control_characters".to_owned()),
            "{title:?}: {body}"
        );
    }
    let body = gql(
        &app,
        token,
        "mutation($input: OrganizationInput!) { createOrganization(input: $input) { id } }",
        json!({ "input": {
            "name": "Cooperativa\u{200B} Sole", "kind": "ASSOCIATION", "taxCode": "97627660158",
        }}),
    )
    .await;
    assert_eq!(
        refusal(&body),
        ("name".to_owned(), "control_characters".to_owned()),
        "{body}"
    );

    // At the ends, pasted from a web page: dropped.
    let body = accepted(
        &app,
        token,
        CREATE_NEED,
        json!({ "org": org, "input": need_input("\u{FEFF}Portierato sociale a San Siro\u{200B}") }),
    )
    .await;
    assert_eq!(
        body["data"]["createNeed"]["title"],
        "Portierato sociale a San Siro"
    );
    app.stop().await;
}

async fn the_import_refuses_invisible_characters_in_names(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let text = "Codice fiscale;Denominazione;Forma giuridica;Comune\n\
                80117230153;Centro\u{200B}Schuster;ASD;Milano\n\
                97248050151;Polisportiva Leone XIII\u{200B};Associazione;Milano\n\
                80106570155\u{FEFF};Canottieri Milano;ASD;Milano\n";
    let table = registry_file::read(text.as_bytes(), SourceFormat::Csv).expect("readable");
    let report = crate::helpers::import_table(
        &app,
        &table,
        &ColumnMapping::default(),
        "registro.csv",
        false,
    )
    .await
    .expect("import");
    let refused: Vec<(u64, &str, &str)> = report
        .errors
        .iter()
        .map(|e| (e.line, e.field.as_str(), e.problem.code()))
        .collect();
    assert_eq!(refused, [(2, "name", "control_characters")], "{report:?}");
    assert_eq!(report.created, 2, "{report:?}");
    let names: Vec<String> = organizations::Entity::find()
        .all(app.db())
        .await
        .expect("organisations")
        .into_iter()
        .map(|o| o.name)
        .collect();
    assert!(
        names.contains(&"Polisportiva Leone XIII".to_owned()),
        "{names:?}"
    );
    app.stop().await;
}

async fn coercion_errors_name_the_field_in_both_languages(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (token, org) = member_with_organization(&app).await;
    let token = Some(token.as_str());

    // (query, variables, field, Italian label, English label)
    let cases = [
        // A number written as people write euros, in a variable.
        (
            CREATE_NEED,
            json!({ "org": org, "input": with(need_input("Portierato"), json!({ "budgetCents": "25000,50" })) }),
            "budgetCents",
            "Budget: ",
            "Budget: ",
        ),
        // A fraction of a cent.
        (
            CREATE_NEED,
            json!({ "org": org, "input": with(need_input("Portierato"), json!({ "budgetCents": 12.5 })) }),
            "budgetCents",
            "Budget: ",
            "Budget: ",
        ),
        // A date as Italians write it, inline in the document.
        (
            "mutation($org: ID!) { createNeed(organizationId: $org, input: {
                kind: SOCIAL_CONCIERGE, title: \"Portierato\", deadlineAt: \"31/12/2026\"
            }) { id } }",
            json!({ "org": org }),
            "deadlineAt",
            "Scadenza: ",
            "Deadline: ",
        ),
        // A day that does not exist.
        (
            CREATE_OFFER,
            json!({ "org": org, "input": with(offer("Fondo"), json!({ "availableFrom": "2026-02-30" })) }),
            "availableFrom",
            "Disponibile dal: ",
            "Available from: ",
        ),
        // Words for a number.
        (
            "query($f: Int) { needs(first: $f) { totalCount } }",
            json!({ "f": "ten" }),
            "first",
            "Numero di risultati: ",
            "Number of results: ",
        ),
        // A value that is not in the list.
        (
            CREATE_NEED,
            json!({ "org": org, "input": with(need_input("Portierato"), json!({ "kind": "SERVICE" })) }),
            "kind",
            "Tipo: ",
            "Kind: ",
        ),
        // A required field left out.
        (
            CREATE_NEED,
            json!({ "org": org, "input": { "kind": "SOCIAL_CONCIERGE" } }),
            "title",
            "Titolo: ",
            "Title: ",
        ),
    ];
    for (query, variables, field, italian, english) in cases.clone() {
        for (lang, label) in [("it", italian), ("en", english)] {
            let body = ask(&app, token, lang, query, variables.clone()).await;
            let error = &body["errors"][0];
            assert_eq!(error["extensions"]["code"], "BAD_USER_INPUT", "{body}");
            assert_eq!(error["extensions"]["field"], field, "{body}");
            let text = message(&body);
            assert!(text.starts_with(label), "{lang}: {body}");
            for api_word in [
                "Cents",
                "NeedInput",
                "OfferInput",
                "DateTime",
                "NaiveDate",
                "\"Int\"",
                "Failed to parse",
                "argument",
                field,
            ] {
                assert!(!text.contains(api_word), "{lang} {api_word}: {body}");
            }
        }
    }
    // The Italian reason explains what to write.
    let body = ask(&app, token, "it", cases[0].0, cases[0].1.clone()).await;
    assert!(message(&body).contains("centesimi"), "{body}");
    let body = ask(&app, token, "it", cases[5].0, cases[5].1.clone()).await;
    assert!(message(&body).contains("SOCIAL_CONCIERGE"), "{body}");
    app.stop().await;
}

async fn messages_use_labels_not_api_names(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (token, org) = member_with_organization(&app).await;

    let body = ask(
        &app,
        Some(&token),
        "it",
        CREATE_NEED,
        json!({ "org": org, "input": with(need_input("Portierato"), json!({ "budgetCents": -100 })) }),
    )
    .await;
    assert_eq!(
        refusal(&body),
        ("budgetCents".to_owned(), "negative".to_owned())
    );
    assert!(message(&body).starts_with("Budget: "), "{body}");
    assert!(!message(&body).contains("budgetCents"), "{body}");

    let body = ask(
        &app,
        None,
        "en",
        "mutation($t: String!) { verifyEmail(token: $t) { emailVerified } }",
        json!({ "t": "not-a-token" }),
    )
    .await;
    assert_eq!(refusal(&body).0, "token", "{body}");
    assert!(!message(&body).contains("token"), "{body}");
    assert!(message(&body).starts_with("Link: "), "{body}");

    // Several problems: each with its label, in the form's order.
    let body = ask(
        &app,
        Some(&token),
        "it",
        CREATE_OFFER,
        json!({ "org": org, "input": with(offer("Fo"), json!({ "amountMinCents": -1, "municipalityCode": "Milano" })) }),
    )
    .await;
    let text = message(&body);
    assert!(
        text.starts_with("Titolo: ")
            && text.contains("; Importo minimo: ")
            && text.contains("; Comune: "),
        "{body}"
    );
    app.stop().await;
}

async fn a_wrong_password_says_so(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    verified_user(&app, "marta@example.org").await;
    let login = "mutation($e: String!, $p: String!) { login(email: $e, password: $p) { token } }";
    for (email, password) in [
        ("marta@example.org", "una password sbagliata"),
        ("nessuno@example.org", PASSWORD),
    ] {
        let vars = json!({ "e": email, "p": password });
        let italian = ask(&app, None, "it", login, vars.clone()).await;
        assert_eq!(outcome(&italian), "UNAUTHENTICATED", "{italian}");
        assert_eq!(
            message(&italian),
            "E-mail o password non corretti.",
            "{italian}"
        );
        let english = ask(&app, None, "en", login, vars).await;
        assert_eq!(message(&english), "Wrong e-mail or password.", "{english}");
    }
    app.stop().await;
}
