//! The web app (`frontend/`), served by Trama itself: its built files, its
//! pages (every route of `frontend/src/routes.json` answers the app's
//! `index.html`; any other path answers it too, with status 404, and the app
//! shows its "page not found"), and the bundled GraphiQL. A release binary
//! embeds `frontend/dist` (so an operator deploys one file); a debug build
//! reads it from disk, as `build.rs` leaves it. No page loads anything from
//! another host.

use std::sync::LazyLock;

use axum::Router;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderValue, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use rust_embed::RustEmbed;
use serde::Deserialize;

use crate::services::demo::{self, DEMO_ACCOUNTS};
use crate::state::AppState;

#[derive(RustEmbed)]
#[folder = "frontend/dist"]
#[allow_missing = true]
struct Dist;

/// The app's routes, shared with its router.
const ROUTES_JSON: &str = include_str!("../../frontend/src/routes.json");

#[derive(Deserialize)]
struct RouteFile {
    routes: std::collections::BTreeMap<String, String>,
}

/// Each route as its path segments; `:name` matches any one segment.
static ROUTES: LazyLock<Vec<Vec<String>>> = LazyLock::new(|| {
    // The file is part of the source and checked by the tests below: a
    // malformed one cannot ship.
    let file: RouteFile = serde_json::from_str(ROUTES_JSON).unwrap_or(RouteFile {
        routes: Default::default(),
    });
    file.routes
        .values()
        .map(|path| segments(path).map(str::to_owned).collect())
        .collect()
});

fn segments(path: &str) -> impl Iterator<Item = &str> {
    path.split('/').filter(|s| !s.is_empty())
}

/// Whether `path` is one of the app's pages.
pub fn is_app_path(path: &str) -> bool {
    let wanted: Vec<&str> = segments(path).collect();
    ROUTES.iter().any(|route| {
        route.len() == wanted.len()
            && route
                .iter()
                .zip(&wanted)
                .all(|(part, seg)| part.starts_with(':') || part == seg)
    })
}

/// `/demo/accounts.json`: the demo accounts for the sign-in page, only when
/// the demo is loaded (404 otherwise, so a real installation lists nothing).
pub fn routes() -> Router<AppState> {
    Router::new().route("/demo/accounts.json", get(demo_account_list))
}

async fn demo_account_list(State(state): State<AppState>) -> Response {
    match demo::loaded(&state.db).await {
        Ok(true) => (
            [(header::CACHE_CONTROL, "no-store")],
            axum::Json(DEMO_ACCOUNTS),
        )
            .into_response(),
        Ok(false) => StatusCode::NOT_FOUND.into_response(),
        Err(error) => {
            tracing::warn!(error = %format!("{error:#}"), "demo accounts: lookup failed");
            StatusCode::SERVICE_UNAVAILABLE.into_response()
        }
    }
}

/// The fallback of the router: a built file, else a page of the app.
pub async fn serve(method: Method, uri: Uri) -> Response {
    if method != Method::GET && method != Method::HEAD {
        return StatusCode::METHOD_NOT_ALLOWED.into_response();
    }
    let path = uri.path().trim_start_matches('/');
    if !path.is_empty()
        && path != "index.html"
        && let Some(file) = Dist::get(path)
    {
        // Vite names what it builds under assets/ by content hash.
        let cache = if path.starts_with("assets/") {
            "public, max-age=31536000, immutable"
        } else {
            "no-cache"
        };
        return file_response(StatusCode::OK, path, file.data.into_owned(), cache);
    }
    let status = if is_app_path(uri.path()) {
        StatusCode::OK
    } else {
        StatusCode::NOT_FOUND
    };
    page("index.html", status)
}

/// GraphiQL, from the app's second entry (`frontend/graphiql.html`).
pub fn graphiql() -> Response {
    page("graphiql.html", StatusCode::OK)
}

fn page(name: &str, status: StatusCode) -> Response {
    match Dist::get(name) {
        Some(file) => file_response(status, name, file.data.into_owned(), "no-cache"),
        None => not_built(),
    }
}

fn file_response(status: StatusCode, path: &str, data: Vec<u8>, cache: &str) -> Response {
    let mut response = (status, Body::from(data)).into_response();
    let headers = response.headers_mut();
    if let Ok(value) = HeaderValue::from_str(content_type(path)) {
        headers.insert(header::CONTENT_TYPE, value);
    }
    if let Ok(value) = HeaderValue::from_str(cache) {
        headers.insert(header::CACHE_CONTROL, value);
    }
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    response
}

fn content_type(path: &str) -> &'static str {
    match path.rsplit_once('.').map(|(_, ext)| ext) {
        Some("html") => "text/html; charset=utf-8",
        Some("js" | "mjs") => "text/javascript; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("json" | "map") => "application/json",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        Some("jpg" | "jpeg") => "image/jpeg",
        Some("ico") => "image/x-icon",
        Some("woff2") => "font/woff2",
        Some("woff") => "font/woff",
        Some("ttf") => "font/ttf",
        Some("txt") => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

/// A build without the web app (npm was missing when it was compiled).
fn not_built() -> Response {
    (
        StatusCode::SERVICE_UNAVAILABLE,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        "Trama was built without its web app: install Node.js 20 and npm, then build \
         again (cargo build), or run `npm ci && npm run build` in frontend/.\n",
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_route_file_is_read() {
        assert!(ROUTES.len() >= 10, "routes.json: {} routes", ROUTES.len());
    }

    #[test]
    fn pages_that_links_open_are_app_paths() {
        for path in [
            "/",
            "/search",
            "/needs/0190a3c4-1111-7000-8000-000000000000",
            "/offers/1",
            "/projects/7",
            "/organizations/1",
            "/organizations/1/requests",
            "/account",
            "/observatory",
            "/open-data",
            "/accessibility",
            "/privacy",
        ] {
            assert!(is_app_path(path), "{path}");
        }
        for path in ["/nope", "/needs", "/needs/1/x", "/account/x/y"] {
            assert!(!is_app_path(path), "{path}");
        }
    }
}
