//! The HTTP surface, axum only: the router, health and readiness probes, the
//! GraphQL endpoint, the open-data downloads, the static web app and the middleware around them
//! (body limit, timeout, tracing, compression).

pub mod auth;
pub mod digests;
pub mod geo;
pub mod graphql;
pub mod health;
pub mod opendata;
pub mod pacts;
pub mod server;
pub mod webapp;

use axum::Router;
use axum::http::StatusCode;
use axum::routing::get;
use tower_http::compression::CompressionLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::request_id::{
    MakeRequestUuid, PropagateRequestIdLayer, RequestId, SetRequestIdLayer,
};
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

use crate::state::AppState;

/// The whole router with its middleware.
pub fn router(state: AppState) -> Router {
    let timeout = state.settings.request_timeout();
    let body_limit = state.settings.max_body_bytes;
    // The GraphQL endpoint applies the body limit itself, to answer with its
    // usual JSON error (see `graphql::read_body`); everything else gets
    // tower-http's limit.
    let everything_else = Router::new()
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .merge(digests::routes())
        .merge(opendata::routes())
        .merge(pacts::routes())
        .merge(geo::routes())
        .merge(webapp::routes())
        .fallback(webapp::serve)
        .layer(RequestBodyLimitLayer::new(body_limit));
    Router::new()
        .merge(graphql::routes(&state))
        .merge(everything_else)
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            timeout,
        ))
        .layer(CompressionLayer::new())
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(TraceLayer::new_for_http().make_span_with(request_span))
        .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
        .with_state(state)
}

/// One span per request, so that everything logged while it is served
/// (an internal error above all) says which request it was: the method,
/// the path (never the query string, which may hold a token), the request
/// id (the client's `x-request-id`, or one made here; the response carries
/// it back) and, for GraphQL, the operation (recorded by the handler).
fn request_span<B>(request: &axum::http::Request<B>) -> tracing::Span {
    let id = request
        .extensions()
        .get::<RequestId>()
        .and_then(|id| id.header_value().to_str().ok())
        .unwrap_or_default();
    tracing::info_span!(
        "request",
        method = %request.method(),
        path = request.uri().path(),
        request_id = id,
        operation = tracing::field::Empty,
    )
}
