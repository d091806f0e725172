//! Proves the entities match the migrated tables: every entity selects every column,
//! and rows of the key tables round-trip (uuid, JSON, timestamps, dates, money).
//! Runs on in-memory SQLite, and on a fresh PostgreSQL database when
//! `TRAMA_TEST_POSTGRES_URL` names a server.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use chrono::{NaiveDate, TimeZone, Utc};
use migration::{Migrator, MigratorTrait};
use sea_orm::{
    ActiveModelTrait, ActiveValue::NotSet, ColumnTrait, ConnectOptions, ConnectionTrait, Database,
    DatabaseConnection, DbBackend, EntityTrait, IntoActiveModel, QueryFilter, Statement,
};
use serde_json::json;
use uuid::Uuid;

use super::*;
use crate::domain::{
    DeliveryFailure, DeliveryStatus, JobStatus, Lang, LocationPrecision, MatchSideStatus, NeedKind,
    OfferKind, OrganizationKind, OutboxEntityType, OutboxOperation, PostingStatus, TerritoryScope,
    VerificationStatus,
};

async fn connect(url: &str) -> DatabaseConnection {
    let mut options = ConnectOptions::new(url);
    options
        .connect_timeout(Duration::from_secs(5))
        .acquire_timeout(Duration::from_secs(5))
        .sqlx_logging(false);
    Database::connect(options)
        .await
        .unwrap_or_else(|e| panic!("cannot connect to {url}: {e}"))
}

/// `SELECT` every column of every entity; a mismatched name or type fails here.
async fn select_every_entity(db: &DatabaseConnection) {
    macro_rules! select_all {
        ($($entity:ident),+ $(,)?) => {$(
            $entity::Entity::find()
                .all(db)
                .await
                .unwrap_or_else(|e| panic!("select from {}: {e}", stringify!($entity)));
        )+};
    }
    select_all!(
        municipalities,
        neighbourhoods,
        sectors,
        reference_data_versions,
        users,
        auth_sessions,
        email_tokens,
        organizations,
        organization_sectors,
        organization_neighbourhoods,
        organization_requests,
        content_reports,
        organization_contacts,
        memberships,
        invitations,
        offers,
        offer_sectors,
        needs,
        need_sectors,
        matches,
        match_feedback,
        projects,
        project_partners,
        project_contributions,
        project_stages,
        project_approvals,
        project_documents,
        conversations,
        conversation_messages,
        conversation_reads,
        project_invitations,
        project_milestones,
        project_reports,
        project_notices,
        project_applications,
        saved_searches,
        digest_subscriptions,
        digest_deliveries,
        digest_items,
        audit_log,
        search_outbox,
        jobs,
    );
}

/// Inserts `model` and checks that reading it back by primary key gives it unchanged.
macro_rules! round_trip {
    ($db:expr, $module:ident, $model:expr) => {{
        let model: $module::Model = $model;
        let inserted = model
            .clone()
            .into_active_model()
            .insert($db)
            .await
            .unwrap_or_else(|e| panic!("insert into {}: {e}", stringify!($module)));
        assert_eq!(
            inserted,
            model,
            "{} as returned by insert",
            stringify!($module)
        );
        let stored = $module::Entity::find()
            .all($db)
            .await
            .unwrap_or_else(|e| panic!("select from {}: {e}", stringify!($module)));
        assert!(
            stored.contains(&model),
            "{} did not round-trip: {stored:?}",
            stringify!($module)
        );
        model
    }};
}

async fn insert_and_read_back(db: &DatabaseConnection) {
    // PostgreSQL keeps microseconds: round-trips hold for instants at that precision.
    let at = Utc
        .with_ymd_and_hms(2026, 11, 21, 10, 30, 0)
        .single()
        .expect("a valid instant")
        + chrono::Duration::microseconds(123_456);
    let id = |n: u128| Uuid::from_u128(0x0190_0000_0000_7000_8000_0000_0000_0000 | n);

    let milan = round_trip!(
        db,
        municipalities,
        municipalities::Model {
            istat_code: "015146".into(),
            name: "Milano".into(),
            province_code: "MI".into(),
            province_name: "Milano".into(),
            region_code: "03".into(),
            region_name: "Lombardia".into(),
            cadastral_code: "F205".into(),
            population: Some(1_371_498),
            lat: Some(45.4642),
            lon: Some(9.19),
            coordinates_approximate: true,
        }
    );
    round_trip!(
        db,
        sectors,
        sectors::Model {
            code: "housing".into(),
            name_it: "Abitare".into(),
            name_en: "Housing".into(),
            parent_code: None,
            position: 1,
        }
    );
    let user = round_trip!(
        db,
        users,
        users::Model {
            id: id(1),
            email: "anna@example.org".into(),
            display_name: "Anna".into(),
            password_hash: None,
            email_verified_at: Some(at),
            is_moderator: false,
            locale: Lang::It,
            created_at: at,
            updated_at: at,
            deleted_at: None,
        }
    );
    let organization = round_trip!(
        db,
        organizations,
        organizations::Model {
            id: id(2),
            name: "Cooperativa Dar Casa".into(),
            kind: OrganizationKind::HousingCooperative,
            tax_code: Some("12345678901".into()),
            vat_number: None,
            description: "Abitare collaborativo a Milano.".into(),
            website: Some("https://example.org".into()),
            seat_municipality_code: Some(milan.istat_code.clone()),
            address: None,
            lat: Some(45.47),
            lon: Some(9.2),
            verification_status: VerificationStatus::Verified,
            verification_source: Some("runts".into()),
            verified_at: Some(at),
            runts_registered: true,
            created_by: Some(user.id),
            created_at: at,
            updated_at: at,
            deleted_at: None,
            hidden_at: None,
            hidden_reason: None,
        }
    );
    round_trip!(
        db,
        organization_sectors,
        organization_sectors::Model {
            organization_id: organization.id,
            sector_code: "housing".into(),
        }
    );
    let offer = round_trip!(
        db,
        offers,
        offers::Model {
            id: id(3),
            organization_id: organization.id,
            kind: OfferKind::Space,
            title: "Sala riunioni".into(),
            description: "Una sala per 30 persone.".into(),
            amount_min_cents: Some(0),
            amount_max_cents: Some(9_007_199_254_740_993), // beyond f64 precision
            available_from: NaiveDate::from_ymd_opt(2026, 12, 1),
            available_until: None,
            eligible_organization_kinds: json!(["odv", "aps"]),
            territory_scope: TerritoryScope::Municipality,
            municipality_code: Some(milan.istat_code.clone()),
            neighbourhood_id: None,
            other_places: json!([{ "municipalityCode": "015146" }]),
            lat: None,
            lon: None,
            status: PostingStatus::Open,
            created_by: Some(user.id),
            created_at: at,
            updated_at: at,
            closed_at: None,
            deleted_at: None,
            hidden_at: None,
            hidden_reason: None,
        }
    );
    let need = round_trip!(
        db,
        needs,
        needs::Model {
            id: id(4),
            organization_id: organization.id,
            kind: NeedKind::CallForProposals,
            title: "Co-progettazione servizi di portierato sociale".into(),
            description: "Avviso ex art. 55.".into(),
            budget_cents: Some(12_000_000),
            deadline_at: Some(at),
            municipality_code: Some(milan.istat_code.clone()),
            neighbourhood_id: None,
            other_places: json!([]),
            territory_scope: Some(TerritoryScope::Province),
            lat: None,
            lon: None,
            location_precision: LocationPrecision::Municipality,
            required_contributions: json!(["competence", "volunteers"]),
            eligible_organization_kinds: json!([]),
            requires_third_sector_registration: true,
            status: PostingStatus::Open,
            created_by: None,
            created_at: at,
            updated_at: at,
            closed_at: None,
            deleted_at: None,
            hidden_at: None,
            hidden_reason: None,
        }
    );
    round_trip!(
        db,
        matches,
        matches::Model {
            id: id(5),
            need_id: need.id,
            offer_id: offer.id,
            score: 0.8125,
            reasons: json!({"sector": 1.0, "distance_km": 2.5, "notes": ["stesso quartiere"]}),
            need_side_status: MatchSideStatus::Suggested,
            offer_side_status: MatchSideStatus::Interested,
            content_fingerprint: "abc123".into(),
            computed_at: at,
            created_at: at,
            updated_at: at,
        }
    );
    round_trip!(
        db,
        audit_log,
        audit_log::Model {
            id: id(6),
            actor_user_id: Some(user.id),
            actor_label: "Anna".into(),
            action: "offer.create".into(),
            entity_type: "offer".into(),
            entity_id: offer.id,
            changes: json!({"title": [null, "Sala riunioni"]}),
            created_at: at,
        }
    );

    // The outbox sequence is assigned by the database, counting up.
    let mut seqs = Vec::new();
    for entity_id in [offer.id, need.id] {
        let entry = search_outbox::ActiveModel {
            seq: NotSet,
            entity_type: sea_orm::Set(OutboxEntityType::Offer),
            entity_id: sea_orm::Set(entity_id),
            operation: sea_orm::Set(OutboxOperation::Upsert),
            created_at: sea_orm::Set(at),
        }
        .insert(db)
        .await
        .expect("insert into search_outbox");
        assert_eq!(entry.entity_id, entity_id);
        seqs.push(entry.seq);
    }
    assert_eq!(seqs, [1, 2]);

    // The relations the store's queries use produce valid joins.
    let linked = organization_sectors::Entity::find()
        .find_also_related(sectors::Entity)
        .all(db)
        .await
        .expect("sectors of the organisation links");
    assert_eq!(linked.len(), 1);
    assert_eq!(linked[0].0.organization_id, organization.id);
    assert_eq!(
        linked[0].1.as_ref().map(|s| s.code.as_str()),
        Some("housing")
    );

    if db.get_database_backend() == DbBackend::Sqlite {
        // Documents the storage classes the module docs promise.
        let row = db
            .query_one_raw(Statement::from_string(
                DbBackend::Sqlite,
                "SELECT typeof(id) AS id, typeof(created_at) AS at, \
                 typeof(eligible_organization_kinds) AS kinds FROM offers",
            ))
            .await
            .expect("typeof query")
            .expect("one offer");
        let class = |column: &str| row.try_get::<String>("", column).expect("storage class");
        assert_eq!(
            [class("id"), class("at"), class("kinds")],
            ["blob", "text", "text"]
        );
    }
}

/// A nullable closed list (`Option<_>`) stores NULL and a value, reads both back,
/// and filters on either.
async fn nullable_closed_list_round_trips(db: &DatabaseConnection) {
    let at = Utc
        .with_ymd_and_hms(2026, 11, 22, 7, 0, 0)
        .single()
        .expect("a valid instant");
    let user_id = Uuid::from_u128(0x0190_0000_0000_7000_8000_0000_0000_0001);
    let delivery = |n: u128, failure_kind: Option<DeliveryFailure>| digest_deliveries::Model {
        id: Uuid::from_u128(0x0190_0000_0000_7000_8000_0000_0000_0080 | n),
        user_id,
        period_start: at,
        // One delivery per user and period.
        period_end: at + chrono::Duration::days(i64::try_from(n).expect("small")),
        status: if failure_kind.is_some() {
            DeliveryStatus::Retry
        } else {
            DeliveryStatus::Pending
        },
        attempts: 0,
        next_attempt_at: Some(at),
        claimed_by: None,
        claimed_until: None,
        message_id: None,
        last_error: None,
        item_count: 0,
        created_at: at,
        sent_at: None,
        first_failed_at: None,
        failure_kind,
        carried_over_at: None,
    };
    let without = round_trip!(db, digest_deliveries, delivery(1, None));
    let with = round_trip!(
        db,
        digest_deliveries,
        delivery(2, Some(DeliveryFailure::Unreachable))
    );
    let failed = digest_deliveries::Entity::find()
        .filter(digest_deliveries::Column::FailureKind.eq(DeliveryFailure::Unreachable))
        .all(db)
        .await
        .expect("filter on a value");
    assert_eq!(failed, [with]);
    let unfailed = digest_deliveries::Entity::find()
        .filter(digest_deliveries::Column::FailureKind.is_null())
        .all(db)
        .await
        .expect("filter on NULL");
    assert_eq!(unfailed, [without]);
}

/// A stored value outside its closed list (a hand-edited row, data older than an
/// enum change) makes the read fail with an error naming the column, the value and
/// the list; it does not panic and is not read as some other value.
async fn unknown_stored_value_is_an_error(db: &DatabaseConnection) {
    let at = Utc::now();
    let job = jobs::Model {
        id: Uuid::from_u128(0x0190_0000_0000_7000_8000_0000_0000_0099),
        kind: "refresh_matches".into(),
        payload: json!({}),
        status: JobStatus::Queued,
        run_at: at,
        attempts: 0,
        max_attempts: 5,
        claimed_by: None,
        claimed_until: None,
        last_error: None,
        priority: 0,
        created_at: at,
        updated_at: at,
    };
    job.into_active_model()
        .insert(db)
        .await
        .expect("insert a job");
    db.execute_raw(Statement::from_string(
        db.get_database_backend(),
        "UPDATE jobs SET status = 'paused'",
    ))
    .await
    .expect("store a value outside the list");
    let error = jobs::Entity::find()
        .all(db)
        .await
        .expect_err("an unknown status is not read");
    let message = error.to_string();
    for part in [
        "\"status\"",
        "\"paused\"",
        "JobStatus",
        "queued, running, done, failed",
    ] {
        assert!(message.contains(part), "{part} not in: {message}");
    }
    // Rows a filter leaves out are never decoded: queries that skip the bad row still work.
    let found = jobs::Entity::find()
        .filter(jobs::Column::Status.eq(JobStatus::Queued))
        .all(db)
        .await
        .expect("no queued job: nothing to decode");
    assert!(found.is_empty());
}

async fn check(url: &str) {
    let db = connect(url).await;
    Migrator::up(&db, None).await.expect("migrations apply");
    select_every_entity(&db).await;
    insert_and_read_back(&db).await;
    nullable_closed_list_round_trips(&db).await;
    unknown_stored_value_is_an_error(&db).await;
    db.close().await.expect("close");
}

#[tokio::test]
async fn entities_match_the_sqlite_schema() {
    check("sqlite::memory:").await;
}

#[tokio::test]
async fn entities_match_the_postgres_schema() {
    let Ok(admin_url) = std::env::var("TRAMA_TEST_POSTGRES_URL") else {
        eprintln!("TRAMA_TEST_POSTGRES_URL not set: skipping the PostgreSQL run");
        return;
    };
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("clock after 1970")
        .as_nanos();
    let name = format!("trama_entities_{}_{nanos}", std::process::id());
    let mut url = url::Url::parse(&admin_url).expect("TRAMA_TEST_POSTGRES_URL is a URL");
    url.set_path(&name);

    let admin = connect(&admin_url).await;
    let run = |sql: String| Statement::from_string(DbBackend::Postgres, sql);
    admin
        .execute_raw(run(format!(r#"CREATE DATABASE "{name}""#)))
        .await
        .expect("create the test database");
    // In a task, so that a failed assertion still lets us drop the database.
    let outcome = tokio::spawn(async move { check(url.as_str()).await }).await;
    admin
        .execute_raw(run(format!(r#"DROP DATABASE "{name}" WITH (FORCE)"#)))
        .await
        .expect("drop the test database");
    admin.close().await.expect("close");
    if let Err(error) = outcome {
        std::panic::resume_unwind(error.into_panic());
    }
}
