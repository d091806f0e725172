//! `GET /projects/{id}/pact.pdf`: the signed pact of a co-design project as
//! a PDF ([`crate::services::pacts`]). Private pacts need the bearer token
//! of a partner's member in `Authorization`, as GraphQL does (the web app
//! fetches the file with it); public ones are for anyone. `?lang=en` gives
//! the English copy; Italian otherwise. Errors are plain text in Italian
//! and English with the status of their code: 404 when the project does not
//! exist for the reader, 409 when it is not signed yet.

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Extension, Router};
use serde::Deserialize;
use uuid::Uuid;

use super::auth::RequestIdentity;
use crate::domain::Lang;
use crate::error::{AppError, ErrorCode};
use crate::policy::visibility::Reader;
use crate::services::pacts;
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new().route("/projects/{id}/pact.pdf", get(download))
}

#[derive(Deserialize)]
struct PactQuery {
    lang: Option<String>,
}

async fn download(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(query): Query<PactQuery>,
    headers: HeaderMap,
    connect: Option<Extension<ConnectInfo<SocketAddr>>>,
) -> Response {
    let lang = match query.lang.as_deref() {
        Some("en") => Lang::En,
        _ => Lang::It,
    };
    match pact(&state, &id, lang, &headers, connect).await {
        Ok((file_name, bytes)) => (
            [
                (header::CONTENT_TYPE, "application/pdf".to_owned()),
                (
                    header::CONTENT_DISPOSITION,
                    format!("attachment; filename=\"{file_name}\""),
                ),
                (header::CACHE_CONTROL, "private, no-store".to_owned()),
            ],
            bytes,
        )
            .into_response(),
        Err(error) => refused(&error),
    }
}

async fn pact(
    state: &AppState,
    id: &str,
    lang: Lang,
    headers: &HeaderMap,
    connect: Option<Extension<ConnectInfo<SocketAddr>>>,
) -> Result<(String, Vec<u8>), AppError> {
    let project_id = Uuid::parse_str(id)
        .map_err(|_| AppError::not_found(crate::error::Entity::Project, "projectId"))?;
    let identity = RequestIdentity::of(state, headers, connect).await?;
    let viewer = identity.viewer();
    let reader = Reader::load(&state.db, viewer.user_id(), viewer.is_moderator()).await?;
    pacts::pdf(&state.db, &reader, project_id, lang).await
}

/// The error as a plain-text answer in both languages.
fn refused(error: &AppError) -> Response {
    let status = match error.code() {
        ErrorCode::NotFound => StatusCode::NOT_FOUND,
        ErrorCode::Conflict => StatusCode::CONFLICT,
        ErrorCode::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
        ErrorCode::BadUserInput => StatusCode::BAD_REQUEST,
        ErrorCode::Unauthenticated => StatusCode::UNAUTHORIZED,
        ErrorCode::Forbidden => StatusCode::FORBIDDEN,
        ErrorCode::RateLimited => StatusCode::TOO_MANY_REQUESTS,
        ErrorCode::Internal => StatusCode::INTERNAL_SERVER_ERROR,
    };
    let text = match error.log_internal() {
        Some(id) => format!(
            "Errore interno (codice {id}): riprova.\nInternal error (code {id}): please try again.\n"
        ),
        None => format!("{}\n{}\n", error.message(Lang::It), error.message(Lang::En)),
    };
    (
        status,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        text,
    )
        .into_response()
}
