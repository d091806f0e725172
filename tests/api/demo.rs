//! The demo of the Milano metropolitan area, on both databases: real
//! territories and known facts, the stories of DOMAIN.md, and idempotence.

use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use trama::services::reference_data::{MILANO, neighbourhood_id};
use trama::store::entities::{municipalities, needs, neighbourhoods, offers, organizations};

use crate::helpers::{Backend, TestEnv};
use crate::on_both_databases;

on_both_databases!(the_demo_loads_real_territories_and_the_stories_once);

async fn the_demo_loads_real_territories_and_the_stories_once(backend: Backend) {
    let env = TestEnv::new(backend).await;
    let state = env.state().await;
    let db = &state.db;
    let first = trama::seed::demo(db).await.expect("demo");
    assert_eq!(first.municipalities_added, 7904);
    assert_eq!(first.neighbourhoods_added, 88);
    assert!(first.organizations_added >= 100, "{first}");
    assert!(
        first.offers_added >= 20 && first.needs_added >= 10,
        "{first}"
    );

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
    let in_metro_city = municipalities::Entity::find()
        .filter(municipalities::Column::ProvinceCode.eq("MI"))
        .count(db)
        .await
        .expect("count");
    assert_eq!(in_metro_city, 133);
    let san_siro = neighbourhoods::Entity::find_by_id(neighbourhood_id(MILANO, "57"))
        .one(db)
        .await
        .expect("query")
        .expect("San Siro");
    assert_eq!(san_siro.name, "San Siro");
    assert!(
        san_siro
            .boundary_geojson
            .as_deref()
            .is_some_and(|g| g.contains("Polygon"))
    );

    // The Lorenteggio pact: the agency's need asks for know-how and volunteers.
    let stairs = needs::Entity::find()
        .filter(needs::Column::NeighbourhoodId.eq(neighbourhood_id(MILANO, "53")))
        .one(db)
        .await
        .expect("query")
        .expect("the Lorenteggio need");
    assert_eq!(
        stairs.required_contributions,
        serde_json::json!(["competence", "volunteers"])
    );
    // The nine Quartieri Connessi spaces.
    let spaces = offers::Entity::find()
        .filter(offers::Column::Title.starts_with("Quartieri Connessi: "))
        .filter(offers::Column::Kind.eq("space"))
        .count(db)
        .await
        .expect("count");
    assert_eq!(spaces, 9);

    let again = trama::seed::demo(db).await.expect("demo again");
    assert_eq!(
        (
            again.municipalities_added,
            again.neighbourhoods_added,
            again.organizations_added,
            again.offers_added,
            again.needs_added
        ),
        (0, 0, 0, 0, 0),
        "{again}"
    );
    let organizations_total = organizations::Entity::find()
        .count(db)
        .await
        .expect("count");
    assert_eq!(organizations_total as usize, first.organizations_added);

    // The demo's stories find each other: the Lorenteggio stairs get the
    // know-how and the volunteers they ask for, from two partners.
    assert!(crate::helpers::caught_up(&state.search).await);
    let engine = trama::services::matches::Engine {
        db,
        search: &state.search,
        matcher: &state.matcher,
    };
    let report = trama::services::matches::recompute_all(engine)
        .await
        .expect("match --all");
    assert!(report.proposed >= 20, "{report:?}");
    let (cover, _) = trama::services::matches::partner_set(db, &state.matcher, stairs.id)
        .await
        .expect("partner set");
    println!("demo: {report:?}; Lorenteggio partner set {cover:?}");
    assert!(cover.uncovered.is_empty(), "{cover:?}");
    assert_eq!(cover.members.len(), 2, "{cover:?}");
}
