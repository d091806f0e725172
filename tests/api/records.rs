//! The data layer on both databases: creating organisations, offers and needs
//! through the services, with every refusal naming its field and reason and
//! leaving nothing half-written.

use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter};
use trama::domain::{
    ContactInput, LocationPrecision, NeedInput, OfferInput, OrganizationInput, OrganizationKind,
    PostingStatus, VerificationStatus,
};
use trama::error::{AppError, ErrorCode};
use trama::services::reference_data::{MILANO, neighbourhood_id};
use trama::services::{Actor, needs, offers, organizations};
use trama::store::entities::{
    audit_log, need_sectors, needs as need_rows, offers as offer_rows, organization_contacts,
    organization_sectors, organizations as org_rows, search_outbox,
};
use uuid::Uuid;

use crate::helpers::{Backend, TestEnv, load_territories};
use crate::on_both_databases;

on_both_databases!(
    an_organisation_is_written_with_its_audit_record_and_outbox_entry,
    invalid_organisations_are_refused_field_by_field_and_nothing_is_written,
    unknown_references_are_refused_on_their_field,
    a_second_organisation_with_the_same_tax_code_is_a_conflict,
    offers_refuse_negative_inverted_and_unknown_values,
    needs_refuse_bad_budgets_places_and_lists,
    offers_and_needs_round_trip_money_dates_and_lists,
);

/// A database with the reference data (sectors, municipalities, Milano's NIL),
/// and its environment, which must outlive it.
async fn database(backend: Backend) -> (TestEnv, DatabaseConnection) {
    let env = TestEnv::new(backend).await;
    let state = env.state().await;
    load_territories(&state.db).await;
    (env, state.db)
}

fn actor() -> Actor {
    Actor::system("test")
}

fn cooperative() -> OrganizationInput {
    OrganizationInput {
        name: "Portinerie di Comunità Cooperativa Sociale".into(),
        kind: "social_cooperative_a".into(),
        tax_code: Some("95745878934".into()),
        description: "Portierato sociale nei caseggiati ERP.".into(),
        website: Some("www.portinerie.example.org".into()),
        seat_municipality_code: Some(MILANO.into()),
        sectors: vec!["welfare_comunita".into(), "abitare".into()],
        neighbourhood_ids: vec![neighbourhood_id(MILANO, "57").to_string()],
        contacts: vec![ContactInput {
            kind: "email".into(),
            value: "Info@Portinerie.example.org".into(),
            label: Some("Segreteria".into()),
            visibility: Some("public".into()),
        }],
        ..Default::default()
    }
}

fn offer() -> OfferInput {
    OfferInput {
        kind: "funding".into(),
        title: "Contributi per il welfare di comunità".into(),
        description: "Contributi a fondo perduto.".into(),
        amount_min_cents: Some(2_000_000),
        amount_max_cents: Some(20_000_000),
        available_from: chrono::NaiveDate::from_ymd_opt(2027, 1, 1),
        available_until: chrono::NaiveDate::from_ymd_opt(2027, 12, 31),
        eligible_organization_kinds: vec!["aps".into(), "odv".into()],
        territory_scope: "municipality".into(),
        municipality_code: Some(MILANO.into()),
        sectors: vec!["welfare_comunita".into()],
        ..Default::default()
    }
}

fn need() -> NeedInput {
    NeedInput {
        kind: "social_concierge".into(),
        title: "Portierato sociale nel quartiere San Siro".into(),
        description: "Presenza quotidiana nei caseggiati.".into(),
        budget_cents: Some(8_000_000),
        deadline_at: "2027-03-01T11:00:00Z".parse().ok(),
        neighbourhood_id: Some(neighbourhood_id(MILANO, "57").to_string()),
        required_contributions: vec!["competence".into(), "volunteers".into()],
        eligible_organization_kinds: vec!["social_cooperative_a".into()],
        sectors: vec!["welfare_comunita".into()],
        ..Default::default()
    }
}

/// The field → reason-code pairs of a refusal; panics on anything but BAD_USER_INPUT.
fn refusals(error: AppError) -> Vec<(String, &'static str)> {
    assert_eq!(error.code(), ErrorCode::BadUserInput, "{error:?}");
    match error {
        AppError::Invalid(errors) => errors
            .iter()
            .map(|e| (e.field.clone(), e.reason.code()))
            .collect(),
        other => panic!("expected invalid input, got {other:?}"),
    }
}

/// The test cooperative, created by the test actor.
async fn the_cooperative(db: &DatabaseConnection) -> org_rows::Model {
    organizations::create(db, &actor(), &cooperative(), None)
        .await
        .expect("org")
}

/// Case `name` was refused as bad input, among others at `field` for `reason`.
fn assert_refused(name: &str, error: AppError, field: &str, reason: &str) {
    let got = refusals(error);
    assert!(
        got.iter().any(|(f, r)| f == field && *r == reason),
        "{name}: expected {field}/{reason}, got {got:?}"
    );
}

async fn count_everything(db: &DatabaseConnection) -> [u64; 6] {
    [
        org_rows::Entity::find().count(db).await.expect("count"),
        offer_rows::Entity::find().count(db).await.expect("count"),
        need_rows::Entity::find().count(db).await.expect("count"),
        organization_contacts::Entity::find()
            .count(db)
            .await
            .expect("count"),
        audit_log::Entity::find().count(db).await.expect("count"),
        search_outbox::Entity::find()
            .count(db)
            .await
            .expect("count"),
    ]
}

async fn an_organisation_is_written_with_its_audit_record_and_outbox_entry(backend: Backend) {
    let (_env, db) = database(backend).await;
    let org = organizations::create(&db, &actor(), &cooperative(), None)
        .await
        .expect("created");

    assert_eq!(org.kind, OrganizationKind::SocialCooperativeA);
    assert_eq!(org.tax_code.as_deref(), Some("95745878934"));
    assert_eq!(
        org.website.as_deref(),
        Some("https://www.portinerie.example.org/")
    );
    assert_eq!(org.verification_status, VerificationStatus::Unverified);
    assert_eq!(org.id.get_version_num(), 7, "ids are UUIDv7");

    let stored = org_rows::Entity::find_by_id(org.id)
        .one(&db)
        .await
        .expect("read")
        .expect("row");
    assert_eq!(stored, org, "what is returned is what is stored");

    let sectors = organization_sectors::Entity::find()
        .filter(organization_sectors::Column::OrganizationId.eq(org.id))
        .count(&db)
        .await
        .expect("count");
    assert_eq!(sectors, 2);
    let contacts = organizations::contacts(&db, org.id)
        .await
        .expect("contacts");
    assert_eq!(contacts.len(), 1);
    assert_eq!(contacts[0].value, "info@portinerie.example.org");

    let audit = audit_log::Entity::find()
        .filter(audit_log::Column::EntityId.eq(org.id))
        .all(&db)
        .await
        .expect("audit");
    assert_eq!(audit.len(), 1);
    assert_eq!(audit[0].action, "organization.create");
    assert_eq!(audit[0].actor_label, "system:test");
    let outbox = search_outbox::Entity::find()
        .filter(search_outbox::Column::EntityId.eq(org.id))
        .all(&db)
        .await
        .expect("outbox");
    assert_eq!(outbox.len(), 1);
    assert_eq!(
        (outbox[0].entity_type.as_str(), outbox[0].operation.as_str()),
        ("organization", "upsert")
    );
}

async fn invalid_organisations_are_refused_field_by_field_and_nothing_is_written(backend: Backend) {
    let (_env, db) = database(backend).await;
    let before = count_everything(&db).await;
    type Case = (
        &'static str,
        fn(&mut OrganizationInput),
        &'static str,
        &'static str,
    );
    let cases: &[Case] = &[
        (
            "bad tax-code check digit",
            |i| i.tax_code = Some("95745878935".into()),
            "taxCode",
            "bad_checksum",
        ),
        (
            "tax code of wrong shape",
            |i| i.tax_code = Some("1234".into()),
            "taxCode",
            "bad_format",
        ),
        (
            "no tax code for a co-op",
            |i| i.tax_code = None,
            "taxCode",
            "required",
        ),
        (
            "unknown kind",
            |i| i.kind = "cooperativa".into(),
            "kind",
            "unknown_value",
        ),
        ("blank name", |i| i.name = "   ".into(), "name", "required"),
        (
            "over-long name",
            |i| i.name = "x".repeat(201),
            "name",
            "too_long",
        ),
        (
            "over-long description",
            |i| i.description = "a".repeat(20_001),
            "description",
            "too_long",
        ),
        (
            "bad website",
            |i| i.website = Some("ftp://example.org".into()),
            "website",
            "bad_format",
        ),
        (
            "bad e-mail",
            |i| i.contacts[0].value = "info@@example".into(),
            "contacts[0].value",
            "bad_format",
        ),
        (
            "unknown contact kind",
            |i| i.contacts[0].kind = "fax".into(),
            "contacts[0].kind",
            "unknown_value",
        ),
        (
            "bad ISTAT code",
            |i| i.seat_municipality_code = Some("15146".into()),
            "seatMunicipalityCode",
            "bad_format",
        ),
        (
            "latitude without longitude",
            |i| i.lat = Some(45.4),
            "lon",
            "incomplete_coordinates",
        ),
        (
            "latitude out of range",
            |i| {
                i.lat = Some(95.0);
                i.lon = Some(9.0)
            },
            "lat",
            "out_of_range",
        ),
        (
            "malformed neighbourhood id",
            |i| i.neighbourhood_ids = vec!["San Siro".into()],
            "neighbourhoodIds[0]",
            "bad_format",
        ),
    ];
    for (name, mutate, field, reason) in cases {
        let mut input = cooperative();
        mutate(&mut input);
        let error = organizations::create(&db, &actor(), &input, None)
            .await
            .expect_err(name);
        // The message a person reads names the field by its label, in
        // Italian and in English (the API's name is for programs), and
        // shows nothing of the internals.
        let italian = error.message(trama::domain::Lang::It);
        let english = error.message(trama::domain::Lang::En);
        for (message, lang) in [
            (&italian, trama::domain::Lang::It),
            (&english, trama::domain::Lang::En),
        ] {
            let label = trama::domain::labels::label(field, lang);
            assert!(message.contains(&format!("{label}: ")), "{name}: {message}");
            assert!(
                !message.contains(&format!("{field}: ")),
                "{name}: {message}"
            );
        }
        assert_ne!(italian, english, "{name}: not translated");
        for internal in ["sqlx", "sea_orm", "SELECT", "panicked"] {
            assert!(
                !italian.contains(internal) && !english.contains(internal),
                "{name}: {italian}"
            );
        }
        assert_refused(name, error, field, reason);
    }
    // Several problems at once are all reported.
    let mut input = cooperative();
    input.name = String::new();
    input.tax_code = Some("95745878935".into());
    input.website = Some("not a url".into());
    let got = refusals(
        organizations::create(&db, &actor(), &input, None)
            .await
            .expect_err("many"),
    );
    let fields: Vec<&str> = got.iter().map(|(f, _)| f.as_str()).collect();
    assert_eq!(fields, ["name", "taxCode", "website"], "{got:?}");

    assert_eq!(count_everything(&db).await, before, "nothing written");
}

async fn unknown_references_are_refused_on_their_field(backend: Backend) {
    let (_env, db) = database(backend).await;
    let before = count_everything(&db).await;
    let mut input = cooperative();
    input.seat_municipality_code = Some("999999".into());
    input.sectors = vec!["abitare".into(), "astrologia".into()];
    input.neighbourhood_ids = vec![Uuid::now_v7().to_string()];
    let got = refusals(
        organizations::create(&db, &actor(), &input, None)
            .await
            .expect_err("refused"),
    );
    assert_eq!(
        got,
        [
            ("seatMunicipalityCode".to_owned(), "not_found"),
            ("sectors[1]".to_owned(), "not_found"),
            ("neighbourhoodIds[0]".to_owned(), "not_found"),
        ]
    );

    let missing_org = Uuid::now_v7();
    let got = refusals(
        offers::create(&db, &actor(), missing_org, &offer())
            .await
            .expect_err("no org"),
    );
    assert_eq!(got, [("organizationId".to_owned(), "not_found")]);
    let got = refusals(
        needs::create(&db, &actor(), missing_org, &need())
            .await
            .expect_err("no org"),
    );
    assert_eq!(got, [("organizationId".to_owned(), "not_found")]);

    // Reading an unknown id is NOT_FOUND on the id.
    let error = organizations::get(&db, missing_org, "id")
        .await
        .expect_err("missing");
    assert_eq!(error.code(), ErrorCode::NotFound);
    assert_eq!(error.field(), Some("id"));
    assert_eq!(count_everything(&db).await, before, "nothing written");
}

async fn a_second_organisation_with_the_same_tax_code_is_a_conflict(backend: Backend) {
    let (_env, db) = database(backend).await;
    organizations::create(&db, &actor(), &cooperative(), None)
        .await
        .expect("first");
    let before = count_everything(&db).await;
    let mut again = cooperative();
    again.name = "Un altro nome".into();
    let error = organizations::create(&db, &actor(), &again, None)
        .await
        .expect_err("conflict");
    assert_eq!(error.code(), ErrorCode::Conflict);
    assert_eq!(error.field(), Some("taxCode"));
    assert!(
        error
            .message(trama::domain::Lang::It)
            .contains("codice fiscale")
    );
    assert_eq!(count_everything(&db).await, before, "nothing written");
}

async fn offers_refuse_negative_inverted_and_unknown_values(backend: Backend) {
    let (_env, db) = database(backend).await;
    let org = the_cooperative(&db).await;
    let before = count_everything(&db).await;
    type Case = (
        &'static str,
        fn(&mut OfferInput),
        &'static str,
        &'static str,
    );
    let cases: &[Case] = &[
        (
            "negative amount",
            |o| o.amount_min_cents = Some(-1),
            "amountMinCents",
            "negative",
        ),
        (
            "inverted amounts",
            |o| {
                o.amount_min_cents = Some(5);
                o.amount_max_cents = Some(4)
            },
            "amountMinCents",
            "inverted",
        ),
        (
            "inverted dates",
            |o| o.available_until = chrono::NaiveDate::from_ymd_opt(2026, 1, 1),
            "availableFrom",
            "inverted",
        ),
        (
            "unknown kind",
            |o| o.kind = "gift".into(),
            "kind",
            "unknown_value",
        ),
        (
            "unknown eligible kind",
            |o| o.eligible_organization_kinds = vec!["aps".into(), "club".into()],
            "eligibleOrganizationKinds[1]",
            "unknown_value",
        ),
        (
            "unknown scope",
            |o| o.territory_scope = "planet".into(),
            "territoryScope",
            "unknown_value",
        ),
        (
            "short title",
            |o| o.title = "ab".into(),
            "title",
            "too_short",
        ),
        (
            "unknown municipality",
            |o| o.municipality_code = Some("000000".into()),
            "municipalityCode",
            "not_found",
        ),
        (
            "unknown sector",
            |o| o.sectors = vec!["nope".into()],
            "sectors[0]",
            "not_found",
        ),
        (
            "neighbourhood elsewhere",
            |o| {
                o.municipality_code = Some("037006".into());
                o.neighbourhood_id = Some(neighbourhood_id(MILANO, "57").to_string())
            },
            "neighbourhoodId",
            "not_in_municipality",
        ),
    ];
    for (name, mutate, field, reason) in cases {
        let mut input = offer();
        mutate(&mut input);
        let error = offers::create(&db, &actor(), org.id, &input).await;
        assert_refused(name, error.expect_err(name), field, reason);
    }
    assert_eq!(count_everything(&db).await, before, "nothing written");
}

async fn needs_refuse_bad_budgets_places_and_lists(backend: Backend) {
    let (_env, db) = database(backend).await;
    let org = the_cooperative(&db).await;
    let before = count_everything(&db).await;
    type Case = (&'static str, fn(&mut NeedInput), &'static str, &'static str);
    let cases: &[Case] = &[
        (
            "negative budget",
            |n| n.budget_cents = Some(-100),
            "budgetCents",
            "negative",
        ),
        (
            "unknown kind",
            |n| n.kind = "party".into(),
            "kind",
            "unknown_value",
        ),
        (
            "unknown contribution",
            |n| n.required_contributions = vec!["money".into()],
            "requiredContributions[0]",
            "unknown_value",
        ),
        (
            "exact place without coordinates",
            |n| n.location_precision = Some("exact".into()),
            "lat",
            "required",
        ),
        (
            "unknown precision",
            |n| n.location_precision = Some("street".into()),
            "locationPrecision",
            "unknown_value",
        ),
        (
            "unknown neighbourhood",
            |n| n.neighbourhood_id = Some(Uuid::now_v7().to_string()),
            "neighbourhoodId",
            "not_found",
        ),
        (
            "control characters",
            |n| n.description = "ciao\u{0007}".into(),
            "description",
            "control_characters",
        ),
    ];
    for (name, mutate, field, reason) in cases {
        let mut input = need();
        mutate(&mut input);
        let error = needs::create(&db, &actor(), org.id, &input).await;
        assert_refused(name, error.expect_err(name), field, reason);
    }
    assert_eq!(count_everything(&db).await, before, "nothing written");
}

async fn offers_and_needs_round_trip_money_dates_and_lists(backend: Backend) {
    let (_env, db) = database(backend).await;
    let org = the_cooperative(&db).await;

    let created = offers::create(&db, &actor(), org.id, &offer())
        .await
        .expect("offer");
    let stored = offers::get(&db, created.id, "id").await.expect("read");
    assert_eq!(stored, created);
    assert_eq!(stored.amount_min_cents, Some(2_000_000));
    assert_eq!(stored.amount_max_cents, Some(20_000_000));
    assert_eq!(
        stored.available_until,
        chrono::NaiveDate::from_ymd_opt(2027, 12, 31)
    );
    assert_eq!(
        stored.eligible_organization_kinds,
        serde_json::json!(["aps", "odv"])
    );
    assert_eq!(stored.status, PostingStatus::Open);

    let created = needs::create(&db, &actor(), org.id, &need())
        .await
        .expect("need");
    let stored = needs::get(&db, created.id, "id").await.expect("read");
    assert_eq!(stored, created);
    // Naming only the neighbourhood fills in its municipality.
    assert_eq!(stored.municipality_code.as_deref(), Some(MILANO));
    assert_eq!(stored.location_precision, LocationPrecision::Neighbourhood);
    assert_eq!(
        stored.required_contributions,
        serde_json::json!(["competence", "volunteers"])
    );
    assert_eq!(stored.deadline_at, "2027-03-01T11:00:00Z".parse().ok());
    let sectors = need_sectors::Entity::find()
        .filter(need_sectors::Column::NeedId.eq(created.id))
        .count(&db)
        .await
        .expect("count");
    assert_eq!(sectors, 1);
}
