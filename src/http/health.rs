//! Liveness (`/healthz`: the process answers) and readiness (`/readyz`: the
//! database answers and the search index is open) probes. Readiness answers
//! at once: from the database's known health when it is down (see
//! [`crate::store::health`]), otherwise after a ping bounded by
//! [`PING_TIMEOUT`], so an orchestrator never waits on a database that does
//! not answer.

use std::time::Duration;

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Serialize;

use crate::state::AppState;
use crate::store::health;

#[derive(Serialize)]
pub struct Health {
    status: &'static str,
}

/// Always 200 while the process can answer.
pub async fn healthz() -> Json<Health> {
    Json(Health { status: "ok" })
}

#[derive(Serialize)]
pub struct Readiness {
    status: &'static str,
    database: &'static str,
    search_index: &'static str,
}

/// The longest `/readyz` waits for the database.
pub const PING_TIMEOUT: Duration = Duration::from_secs(2);

/// 200 when the database answers and the index can serve; 503 otherwise,
/// saying which part is down.
pub async fn readyz(State(state): State<AppState>) -> (StatusCode, Json<Readiness>) {
    let database_up = state.db_health.is_up()
        && tokio::time::timeout(PING_TIMEOUT, health::ping(&state.db))
            .await
            .unwrap_or(false);
    if !database_up {
        state.db_health.suspect();
    }
    let index_up = state.search.is_ready();
    let up = |ok: bool| if ok { "up" } else { "down" };
    let ready = database_up && index_up;
    let status = if ready {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (
        status,
        Json(Readiness {
            status: if ready { "ready" } else { "unavailable" },
            database: up(database_up),
            search_index: up(index_up),
        }),
    )
}
