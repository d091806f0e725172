//! Territory shapes for the web app's maps, as GeoJSON:
//! `GET /geo/neighbourhoods.geojson[?municipality=ISTAT]` (Milano's NIL by
//! default), one feature per neighbourhood with a boundary, its properties
//! the `id`, `code` and `name` the GraphQL API uses; and
//! `GET /geo/municipalities.geojson`, the boundaries of the municipalities of
//! the Città metropolitana di Milano (ISTAT via Openpolis, CC BY 4.0,
//! simplified: `assets/opendata/confini-comuni-milano/SOURCE.md`), one
//! feature per municipality, its properties the ISTAT `code` and `name`.

use axum::Router;
use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::error::AppError;
use crate::services::reference_data::MILANO;
use crate::services::territories;
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/geo/neighbourhoods.geojson", get(neighbourhoods))
        .route("/geo/municipalities.geojson", get(municipalities))
}

/// Shipped with the binary: the boundaries change once a year at most.
const MUNICIPALITIES: &str = include_str!(
    "../../assets/opendata/confini-comuni-milano/comuni_citta_metropolitana_milano.geojson"
);

async fn municipalities() -> Response {
    (
        [
            (header::CONTENT_TYPE, "application/geo+json"),
            (header::CACHE_CONTROL, "public, max-age=86400"),
        ],
        MUNICIPALITIES,
    )
        .into_response()
}

#[derive(Deserialize)]
struct AreaQuery {
    municipality: Option<String>,
}

async fn neighbourhoods(State(state): State<AppState>, Query(query): Query<AreaQuery>) -> Response {
    let code = query.municipality.as_deref().unwrap_or(MILANO);
    let rows = match territories::neighbourhoods_of(&state.db, code).await {
        Ok(rows) => rows,
        Err(AppError::Unavailable(_)) => {
            return (
                StatusCode::SERVICE_UNAVAILABLE,
                [(header::RETRY_AFTER, "60")],
            )
                .into_response();
        }
        Err(error) => {
            let id = error.log_internal().unwrap_or_default();
            return (
                StatusCode::INTERNAL_SERVER_ERROR,
                format!("Internal error (code {id}).\n"),
            )
                .into_response();
        }
    };
    let features: Vec<Value> = rows
        .into_iter()
        .filter_map(|row| {
            // Stored as loaded from the open data; a boundary that does not
            // parse is left off the map rather than failing the whole file.
            let geometry: Value = serde_json::from_str(row.boundary_geojson.as_deref()?).ok()?;
            Some(json!({
                "type": "Feature",
                "properties": { "id": row.id.to_string(), "code": row.code, "name": row.name },
                "geometry": geometry,
            }))
        })
        .collect();
    (
        [
            (header::CONTENT_TYPE, "application/geo+json"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        json!({ "type": "FeatureCollection", "features": features }).to_string(),
    )
        .into_response()
}
