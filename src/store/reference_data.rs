//! The queries of reference data: the municipalities and sectors that
//! imports and forms look names and codes up in, and the upserts that load
//! the shipped sets with their versions.

use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, DbBackend, EntityTrait, QueryOrder, QuerySelect, Set, Statement};

use super::{Context, StoreResult, rows};
use crate::store::entities::{municipalities, neighbourhoods, reference_data_versions, sectors};

/// Every municipality as (ISTAT code, name, province plate code).
pub async fn municipality_names(
    db: &impl ConnectionTrait,
) -> StoreResult<Vec<(String, String, String)>> {
    municipalities::Entity::find()
        .select_only()
        .column(municipalities::Column::IstatCode)
        .column(municipalities::Column::Name)
        .column(municipalities::Column::ProvinceCode)
        .into_tuple()
        .all(db)
        .await
        .context("municipalities: codes and names")
}

/// The whole sectors taxonomy, in display order.
pub async fn all_sectors(db: &impl ConnectionTrait) -> StoreResult<Vec<sectors::Model>> {
    sectors::Entity::find()
        .order_by_asc(sectors::Column::Position)
        .all(db)
        .await
        .context("sectors: all")
}

/// The recorded version of each loaded set, as (set name, version).
pub async fn versions(db: &impl ConnectionTrait) -> StoreResult<Vec<(String, String)>> {
    Ok(reference_data_versions::Entity::find()
        .all(db)
        .await
        .context("reference data: versions")?
        .into_iter()
        .map(|r| (r.dataset, r.version))
        .collect())
}

/// Records that the database holds `version` of the set `dataset`, with
/// `rows` rows, loaded at `at`.
pub async fn record_version(
    db: &impl ConnectionTrait,
    dataset: &str,
    version: &str,
    rows: usize,
    at: DateTime<Utc>,
) -> StoreResult<()> {
    use reference_data_versions::Column;
    let row = reference_data_versions::ActiveModel {
        dataset: Set(dataset.to_owned()),
        version: Set(version.to_owned()),
        rows: Set(i32::try_from(rows).unwrap_or(i32::MAX)),
        loaded_at: Set(at),
    };
    let update = [Column::Version, Column::Rows, Column::LoadedAt];
    let what = "reference data: record version";
    rows::upsert(db, [row], Column::Dataset, update, what).await
}

/// Upserts the sectors (code, Italian name, English name), positioned in
/// the order given: new ones added, names and positions brought up to date.
pub async fn upsert_sectors(
    db: &impl ConnectionTrait,
    rows: &[(&str, &str, &str)],
) -> StoreResult<()> {
    use sectors::Column;
    let models: Vec<sectors::ActiveModel> = rows
        .iter()
        .enumerate()
        .map(|(position, (code, it, en))| sectors::ActiveModel {
            code: Set((*code).to_owned()),
            name_it: Set((*it).to_owned()),
            name_en: Set((*en).to_owned()),
            parent_code: Set(None),
            position: Set(i32::try_from(position).unwrap_or(i32::MAX)),
        })
        .collect();
    let update = [Column::NameIt, Column::NameEn, Column::Position];
    rows::upsert(
        db,
        models,
        Column::Code,
        update,
        "reference data: upsert sectors",
    )
    .await
}

/// One municipality of the shipped file, as its JSON array element (the
/// keys the upsert below reads).
#[derive(serde::Deserialize, serde::Serialize)]
pub struct MunicipalityRow {
    pub codice_istat: String,
    pub nome: String,
    pub sigla_provincia: String,
    pub provincia: String,
    pub regione: String,
    pub codice_regione: String,
    pub codice_catastale: String,
    pub popolazione: Option<i32>,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
}

/// The columns the shipped file sets; an update rewrites them all.
const MUNICIPALITY_COLUMNS: &str = "istat_code, name, province_code, province_name, \
     region_code, region_name, cadastral_code, population, lat, lon, coordinates_approximate";
const MUNICIPALITY_UPDATES: &str = "name = excluded.name, \
     province_code = excluded.province_code, province_name = excluded.province_name, \
     region_code = excluded.region_code, region_name = excluded.region_name, \
     cadastral_code = excluded.cadastral_code, population = excluded.population, \
     lat = excluded.lat, lon = excluded.lon, \
     coordinates_approximate = excluded.coordinates_approximate";

/// Upserts municipalities given as one JSON array of [`MunicipalityRow`]
/// (their coordinates marked approximate): one statement for thousands of
/// rows, the database unpacks the array itself.
pub async fn upsert_municipalities(db: &impl ConnectionTrait, json: &str) -> StoreResult<()> {
    let backend = db.get_database_backend();
    let sql = match backend {
        DbBackend::Postgres => format!(
            "INSERT INTO municipalities ({MUNICIPALITY_COLUMNS}) \
             SELECT codice_istat, nome, sigla_provincia, provincia, codice_regione, \
                    regione, codice_catastale, popolazione, lat, lon, TRUE \
             FROM json_to_recordset($1::json) AS r(codice_istat text, nome text, \
                  sigla_provincia text, provincia text, regione text, \
                  codice_regione text, codice_catastale text, popolazione integer, \
                  lat double precision, lon double precision) \
             ON CONFLICT (istat_code) DO UPDATE SET {MUNICIPALITY_UPDATES}"
        ),
        // `WHERE true` keeps SQLite's parser from reading ON CONFLICT
        // as part of the SELECT's join.
        _ => format!(
            "INSERT INTO municipalities ({MUNICIPALITY_COLUMNS}) \
             SELECT value ->> 'codice_istat', value ->> 'nome', \
                    value ->> 'sigla_provincia', value ->> 'provincia', \
                    value ->> 'codice_regione', value ->> 'regione', \
                    value ->> 'codice_catastale', value ->> 'popolazione', \
                    value ->> 'lat', value ->> 'lon', 1 \
             FROM json_each(?) WHERE true \
             ON CONFLICT (istat_code) DO UPDATE SET {MUNICIPALITY_UPDATES}"
        ),
    };
    db.execute_raw(Statement::from_sql_and_values(
        backend,
        sql,
        [json.to_owned().into()],
    ))
    .await
    .context("reference data: upsert municipalities")?;
    Ok(())
}

/// Upserts neighbourhoods by id: new ones added, names, centroids,
/// boundaries, areas and sources brought up to date.
pub async fn upsert_neighbourhoods(
    db: &impl ConnectionTrait,
    rows: &[neighbourhoods::Model],
) -> StoreResult<()> {
    use neighbourhoods::Column;
    let models: Vec<neighbourhoods::ActiveModel> = rows.iter().cloned().map(Into::into).collect();
    let update = [
        Column::Name,
        Column::CentroidLat,
        Column::CentroidLon,
        Column::BoundaryGeojson,
        Column::AreaM2,
        Column::Source,
    ];
    let what = "reference data: upsert neighbourhoods";
    rows::upsert(db, models, Column::Id, update, what).await
}
