//! The demo of the Milano metropolitan area, on both databases: real
//! territories and known facts, the stories of DOMAIN.md, and idempotence.

use sea_orm::{ColumnTrait, Condition, EntityTrait, QueryFilter, Select};
use trama::domain::PostingStatus;
use trama::services::reference_data::{MILANO, neighbourhood_id};
use trama::store::entities::{
    matches, memberships, municipalities, needs, offers, organizations, users,
};

use crate::helpers::{Backend, TestEnv, count_where, san_siro};
use crate::on_both_databases;

on_both_databases!(the_demo_loads_real_territories_and_the_stories_once);

async fn the_demo_loads_real_territories_and_the_stories_once(backend: Backend) {
    let env = TestEnv::new(backend).await;
    let state = env.state().await;
    let db = &state.db;
    let first = trama::seed::demo(db).await.expect("demo");
    // Hundreds of records: the stories plus the templates' volume.
    assert!(first.organizations_added >= 400, "{first}");
    assert!(
        (250..=450).contains(&first.offers_added) && (150..=260).contains(&first.needs_added),
        "{first}"
    );
    assert_eq!(first.already_present, 0, "{first}");
    assert_eq!(first.pacts_added, 3, "{first}");

    let milano = municipalities::Entity::find_by_id(MILANO.to_owned())
        .one(db)
        .await
        .expect("query")
        .expect("Milano");
    assert_eq!(
        (milano.name.as_str(), milano.province_code.as_str()),
        ("Milano", "MI")
    );
    assert!(milano.coordinates_approximate);
    let in_metro_city =
        count_where::<municipalities::Entity>(db, municipalities::Column::ProvinceCode.eq("MI"))
            .await;
    assert_eq!(in_metro_city, 133);
    let san_siro = san_siro(db).await;
    assert_eq!(san_siro.name, "San Siro");
    assert!(
        san_siro
            .boundary_geojson
            .as_deref()
            .is_some_and(|g| g.contains("Polygon"))
    );

    // The Lorenteggio pact: the agency's need asks for know-how and volunteers.
    let stairs = need_titled(db, "Scale imbrattate in via Odazio 6").await;
    assert_eq!(
        stairs.neighbourhood_id,
        Some(neighbourhood_id(MILANO, "53"))
    );
    assert_eq!(
        stairs.required_contributions,
        serde_json::json!(["competence", "volunteers"])
    );
    // The nine Quartieri Connessi spaces.
    let spaces = count_where::<offers::Entity>(
        db,
        Condition::all()
            .add(offers::Column::Title.starts_with("Quartieri Connessi: "))
            .add(offers::Column::Kind.eq("space")),
    )
    .await;
    assert_eq!(spaces, 9);

    // The volume is spread over the metropolitan area: needs in dozens of
    // Milano's neighbourhoods and in other municipalities, mostly open and
    // with a future deadline (or none), posted by the nine Municipi too.
    let all_needs = needs::Entity::find().all(db).await.expect("needs");
    let neighbourhoods_with_needs: std::collections::HashSet<_> = all_needs
        .iter()
        .filter_map(|n| n.neighbourhood_id)
        .collect();
    assert!(
        neighbourhoods_with_needs.len() >= 30,
        "{}",
        neighbourhoods_with_needs.len()
    );
    let outside_milano = all_needs
        .iter()
        .filter(|n| n.municipality_code.as_deref().is_some_and(|c| c != MILANO))
        .count();
    assert!(outside_milano >= 40, "{outside_milano}");
    let now = chrono::Utc::now();
    let open = all_needs
        .iter()
        .filter(|n| n.status == PostingStatus::Open && n.deadline_at.is_none_or(|d| d > now))
        .count();
    assert!(
        open * 10 >= all_needs.len() * 8,
        "{open} of {}",
        all_needs.len()
    );
    let municipi = count_where::<organizations::Entity>(
        db,
        organizations::Column::Name.like("Municipio % del Comune di Milano"),
    )
    .await;
    assert_eq!(municipi, 9);
    // A staircase clean-up in every public-housing neighbourhood, San Siro's
    // among them, with its tenants' committee offering volunteers.
    let san_siro_stairs = count_where::<needs::Entity>(
        db,
        Condition::all()
            .add(needs::Column::NeighbourhoodId.eq(neighbourhood_id(MILANO, "57")))
            .add(needs::Column::Kind.eq("space_regeneration")),
    )
    .await;
    assert!(san_siro_stairs >= 1);
    let committee = organization_named(db, "Comitato inquilini San Siro").await;
    let volunteers = count_where::<offers::Entity>(
        db,
        Condition::all()
            .add(offers::Column::OrganizationId.eq(committee.id))
            .add(offers::Column::Kind.eq("volunteers")),
    )
    .await;
    assert_eq!(volunteers, 1);

    // The Lorenteggio ONLUS is a RUNTS-registered body with a demo account
    // (its admin), and ALER's courtyard in via Segneri waits for a partner.
    let onlus = organization_named(db, "Ripuliamo il Quartiere ONLUS").await;
    assert!(onlus.runts_registered);
    let coordinator = the(
        db,
        users::Entity::find().filter(users::Column::Email.eq("onlus@example.org")),
        "the ONLUS's demo account",
    )
    .await;
    let membership = the(
        db,
        memberships::Entity::find()
            .filter(memberships::Column::OrganizationId.eq(onlus.id))
            .filter(memberships::Column::UserId.eq(coordinator.id)),
        "the coordinator belongs to the ONLUS",
    )
    .await;
    assert_eq!(membership.role, trama::domain::MembershipRole::Admin);
    let courtyard = need_titled(db, "Cortile e androni di via Segneri 3").await;
    assert_eq!(
        courtyard.neighbourhood_id,
        Some(neighbourhood_id(MILANO, "53"))
    );
    assert_eq!(courtyard.status, PostingStatus::Open);
    let training = the(
        db,
        offers::Entity::find()
            .filter(offers::Column::OrganizationId.eq(onlus.id))
            .filter(offers::Column::Title.starts_with("Formazione degli inquilini")),
        "the ONLUS's training offer",
    )
    .await;

    let again = trama::seed::demo(db).await.expect("demo again");
    assert_eq!(
        (
            again.organizations_added,
            again.offers_added,
            again.needs_added,
            again.pacts_added
        ),
        (0, 0, 0, 0),
        "{again}"
    );
    // The stories' signed pacts are open data.
    let pacts = trama::services::opendata::export_bytes(
        db,
        trama::services::opendata::Dataset::Pacts,
        trama::services::opendata::ExportFormat::Json,
    )
    .await
    .expect("export");
    let pacts: serde_json::Value = serde_json::from_slice(&pacts).expect("JSON");
    assert_eq!(pacts.as_array().map(Vec::len), Some(3));
    assert_eq!(
        pacts[0]["partners"],
        serde_json::json!([
            "ALER Milano",
            "Ripuliamo il Quartiere ONLUS",
            "Comitato inquilini Lorenteggio"
        ])
    );
    assert_eq!(pacts[0]["nil_name"], "Lorenteggio");
    let organizations_total = count_where::<organizations::Entity>(db, Condition::all()).await;
    assert_eq!(organizations_total as usize, first.organizations_added);

    // The demo's stories find each other: the Lorenteggio stairs get the
    // know-how and the volunteers they ask for, from two partners. Only a
    // few needs are matched here: recomputing all six hundred postings takes
    // most of a minute in a debug build (`trama match --all` does it).
    assert!(crate::helpers::caught_up(&state.search).await);
    let engine = trama::services::matches::Engine {
        db,
        reads: &state.readers,
        search: &state.search,
        matcher: &state.matcher,
    };
    let now = trama::services::now();
    let cohousing = need_titled(db, "Cohousing a Niguarda").await;
    let san_siro_cleanup = the(
        db,
        needs::Entity::find()
            .filter(needs::Column::NeighbourhoodId.eq(neighbourhood_id(MILANO, "57")))
            .filter(needs::Column::Kind.eq("space_regeneration"))
            .filter(needs::Column::Status.eq("open")),
        "an open clean-up need in San Siro",
    )
    .await;
    let mut proposed = 0;
    for need in [stairs.id, cohousing.id, san_siro_cleanup.id, courtyard.id] {
        proposed += engine
            .refresh(trama::jobs::MatchTarget::Need(need), now)
            .await
            .expect("refresh")
            .proposed;
    }
    assert!(proposed >= 10, "{proposed}");
    let (cover, _) = trama::services::matches::partner_set(db, &state.matcher, stairs.id)
        .await
        .expect("partner set");
    println!("demo: {proposed} proposed; Lorenteggio partner set {cover:?}");
    assert!(cover.uncovered.is_empty(), "{cover:?}");
    assert_eq!(cover.members.len(), 2, "{cover:?}");
    // The courtyard finds the ONLUS's training, its first proposal.
    let best = matches::Entity::find()
        .filter(matches::Column::NeedId.eq(courtyard.id))
        .all(db)
        .await
        .expect("matches")
        .into_iter()
        .max_by(|a, b| a.score.total_cmp(&b.score))
        .expect("the courtyard's matches");
    assert_eq!(best.offer_id, training.id, "{best:?}");
    // The cohousing co-op finds a loan; San Siro's clean-up finds its
    // tenants' committee.
    let (cover, _) = trama::services::matches::partner_set(db, &state.matcher, cohousing.id)
        .await
        .expect("partner set");
    assert!(cover.uncovered.is_empty(), "{cover:?}");
    let (cover, _) = trama::services::matches::partner_set(db, &state.matcher, san_siro_cleanup.id)
        .await
        .expect("partner set");
    assert!(
        cover
            .members
            .iter()
            .any(|m| m.organization_id == committee.id),
        "{cover:?}"
    );
}

/// The one record `query` finds, or the test fails naming `what`.
async fn the<E: EntityTrait>(
    db: &sea_orm::DatabaseConnection,
    query: Select<E>,
    what: &str,
) -> E::Model {
    query.one(db).await.expect("query").expect(what)
}

/// The organisation called `name`.
async fn organization_named(db: &sea_orm::DatabaseConnection, name: &str) -> organizations::Model {
    let query = organizations::Entity::find().filter(organizations::Column::Name.eq(name));
    the(db, query, name).await
}

/// The need whose title starts with `title`.
async fn need_titled(db: &sea_orm::DatabaseConnection, title: &str) -> needs::Model {
    let query = needs::Entity::find().filter(needs::Column::Title.starts_with(title));
    the(db, query, title).await
}
