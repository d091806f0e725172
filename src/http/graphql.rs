//! The GraphQL endpoint: `POST /graphql` and `GET /graphql` as the
//! GraphQL-over-HTTP specification asks (checked in CI by the audit of
//! `scripts/graphql-http-audit/`), and the GraphiQL explorer at
//! `GET /graphql` for browsers when enabled.
//!
//! The HTTP rules live here rather than in an extractor, because the status
//! code and the media type depend on the request and on the result:
//!
//! - the response is `application/graphql-response+json` when the `Accept`
//!   header names it, `application/json` when it names that, a wildcard or
//!   nothing; 406 when it names neither;
//! - a POST must be `application/json` (UTF-8), otherwise 415; a body that is
//!   not JSON, or parameters of the wrong type (`query` not a string,
//!   `variables` or `extensions` not an object, `operationName` not a
//!   string), get 400 with a GraphQL error naming the parameter;
//! - a mutation over GET gets 405: GET only reads;
//! - a request that cannot be executed (the document does not parse or
//!   validate, a variable does not coerce) has no `data` entry and gets 400
//!   as `application/graphql-response+json`, 200 as `application/json`
//!   (what clients of that older type expect); an executed request gets 200;
//! - a body larger than `TRAMA_MAX_BODY_BYTES` gets 413 with the same JSON
//!   error as other bad input (field `body`), refused from its announced
//!   length before it is read;
//! - a request that could not run because a part of the platform is down
//!   (the database, or the time bound passed; code `UNAVAILABLE`), or whose
//!   bearer token could not be checked, gets 503 with `Retry-After` as
//!   `application/graphql-response+json` (200 as `application/json`); it
//!   never runs as anonymous instead.
//!
//! `/graphql/ws` speaks graphql-transport-ws (and the older graphql-ws); its
//! messages follow the upgrade request's `Accept-Language`.

use std::net::SocketAddr;

use async_graphql::http::ALL_WEBSOCKET_PROTOCOLS;
use async_graphql::parser::types::{DocumentOperations, OperationType};
use async_graphql::{Data, Request, Variables};
use async_graphql_axum::{GraphQLProtocol, GraphQLWebSocket};
use axum::body::Bytes;
use axum::extract::ws::WebSocketUpgrade;
use axum::extract::{ConnectInfo, DefaultBodyLimit, FromRequest, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Extension, Router};
use serde_json::{Map, Value, json};
use tracing::Instrument;

use super::auth::RequestIdentity;
use crate::domain::Lang;
use crate::error::{AppError, ErrorCode};
use crate::graphql::{RequestLang, TramaSchema, build_schema};
use crate::state::AppState;

#[derive(Clone)]
struct GraphqlState {
    schema: TramaSchema,
    graphiql: bool,
    /// Largest body a POST may have.
    max_body_bytes: usize,
    /// The application, to find who is signed in.
    app: AppState,
}

pub fn routes(state: &AppState) -> Router<AppState> {
    let graphql_state = GraphqlState {
        schema: build_schema(state.clone()),
        graphiql: state.settings.graphiql,
        max_body_bytes: state.settings.max_body_bytes,
        app: state.clone(),
    };
    Router::new()
        .route(
            "/graphql",
            get(get_graphql)
                .post(execute)
                .with_state(graphql_state.clone())
                .layer(DefaultBodyLimit::max(state.settings.max_body_bytes)),
        )
        // Subscriptions over WebSocket (graphql-transport-ws and the older
        // graphql-ws protocol).
        .route("/graphql/ws", get(websocket).with_state(graphql_state))
}

/// `GET /graphql/ws`: the WebSocket, with the language of its messages.
async fn websocket(
    State(state): State<GraphqlState>,
    protocol: GraphQLProtocol,
    upgrade: WebSocketUpgrade,
    headers: HeaderMap,
) -> Response {
    let lang = request_lang(&headers);
    let schema = state.schema.clone();
    let app = state.app.clone();
    // The connection outlives the request: it keeps the request's span, so
    // what its subscriptions log says which connection it was.
    let span = tracing::Span::current();
    upgrade
        .protocols(ALL_WEBSOCKET_PROTOCOLS)
        .on_upgrade(move |stream| {
            let mut data = Data::default();
            data.insert(RequestLang(lang));
            GraphQLWebSocket::new(stream, schema, protocol)
                .with_data(data)
                // A signed-in client sends `{"authorization": "Bearer <token>"}`
                // in `connection_init`; without it the connection is anonymous.
                // A token that cannot be checked refuses the connection, as it
                // refuses a request (see `auth`).
                .on_connection_init(move |payload| async move {
                    let authorization = payload.get("authorization").and_then(|v| v.as_str());
                    RequestIdentity::of_authorization(&app, authorization, None)
                        .await
                        .map(RequestIdentity::into_data)
                        .map_err(|error| async_graphql::Error::new(error.to_string()))
                })
                .serve()
                .instrument(span)
        })
}

/// The language asked for by `Accept-Language`: English when it comes first,
/// Italian otherwise.
fn request_lang(headers: &HeaderMap) -> Lang {
    let preferred = headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(',').next())
        .map(|v| v.trim().to_ascii_lowercase());
    match preferred {
        Some(tag) if tag.starts_with("en") => Lang::En,
        _ => Lang::It,
    }
}

/// `POST /graphql`: any operation.
async fn execute(
    State(state): State<GraphqlState>,
    connect: Option<Extension<ConnectInfo<SocketAddr>>>,
    request: axum::extract::Request,
) -> Response {
    let headers = request.headers().clone();
    let lang = request_lang(&headers);
    let Some(media) = MediaType::negotiate(&headers) else {
        return Problem::NOT_ACCEPTABLE.respond(MediaType::Json, lang);
    };
    let body = match read_body(request, state.max_body_bytes).await {
        Ok(body) => body,
        Err(problem) => return problem.respond(media, lang),
    };
    let request = match post_request(&headers, &body) {
        Ok(request) => request,
        Err(problem) => return problem.respond(media, lang),
    };
    let request = request.data(RequestLang(lang));
    match RequestIdentity::of(&state.app, &headers, connect).await {
        Ok(identity) => respond(&state.schema, identity.attach(request), media).await,
        Err(error) => refuse(&error, media, lang),
    }
}

/// The body of a POST, at most `limit` bytes: refused from its announced
/// length before any of it is read, or as soon as what arrives passes the
/// limit.
async fn read_body(request: axum::extract::Request, limit: usize) -> Result<Bytes, Problem> {
    let announced = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    if announced.is_some_and(|length| length > limit as u64) {
        return Err(Problem::BODY_TOO_LARGE);
    }
    // The route's DefaultBodyLimit makes the extractor stop at the limit.
    match Bytes::from_request(request, &()).await {
        Ok(body) => Ok(body),
        Err(rejection) if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE => {
            Err(Problem::BODY_TOO_LARGE)
        }
        Err(_) => Err(Problem::BODY_UNREADABLE),
    }
}

/// `GET /graphql`: a browser asking for a page gets GraphiQL; anything else
/// is a GraphQL request in the query string (queries only: GET never runs a
/// mutation).
async fn get_graphql(
    State(state): State<GraphqlState>,
    connect: Option<Extension<ConnectInfo<SocketAddr>>>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    let wants_html = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("text/html"));
    if wants_html && state.graphiql {
        // Bundled with the web app: nothing loads from a CDN.
        return super::webapp::graphiql();
    }
    let lang = request_lang(&headers);
    let Some(media) = MediaType::negotiate(&headers) else {
        return Problem::NOT_ACCEPTABLE.respond(MediaType::Json, lang);
    };
    let mut request = match get_request(query.as_deref().unwrap_or_default()) {
        Ok(request) => request,
        Err(problem) => return problem.respond(media, lang),
    };
    // A document over the size limit is refused by the schema unparsed.
    if request.query.len() <= crate::graphql::limits::MAX_DOCUMENT_BYTES
        && changes_data(&mut request)
    {
        let mut response = Problem::MUTATION_OVER_GET.respond(media, lang);
        response
            .headers_mut()
            .insert(header::ALLOW, HeaderValue::from_static("POST"));
        return response;
    }
    let request = request.data(RequestLang(lang));
    match RequestIdentity::of(&state.app, &headers, connect).await {
        Ok(identity) => respond(&state.schema, identity.attach(request), media).await,
        Err(error) => refuse(&error, media, lang),
    }
}

/// The media types a GraphQL response is sent as.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum MediaType {
    /// `application/graphql-response+json`: status codes tell request errors
    /// from executed operations.
    GraphqlResponse,
    /// `application/json`: the older type, always 200 once the request is
    /// well formed.
    Json,
}

impl MediaType {
    const GRAPHQL_RESPONSE: &'static str = "application/graphql-response+json";
    const JSON: &'static str = "application/json";

    fn header(self) -> HeaderValue {
        HeaderValue::from_static(match self {
            Self::GraphqlResponse => Self::GRAPHQL_RESPONSE,
            Self::Json => Self::JSON,
        })
    }

    /// The type to answer with, from the `Accept` header: the one with the
    /// higher quality; `application/graphql-response+json` when both are
    /// named with the same quality, `application/json` when only a wildcard
    /// (`*/*`, `application/*`) or nothing is. `None` when neither is
    /// acceptable.
    fn negotiate(headers: &HeaderMap) -> Option<Self> {
        let ranges: Vec<(String, f32)> = headers
            .get_all(header::ACCEPT)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .filter_map(|range| {
                let mut parts = range.split(';');
                let essence = parts.next()?.trim().to_ascii_lowercase();
                if essence.is_empty() {
                    return None;
                }
                let quality = parts
                    .filter_map(|p| p.trim().strip_prefix("q="))
                    .find_map(|q| q.trim().parse::<f32>().ok())
                    .unwrap_or(1.0);
                Some((essence, quality))
            })
            .collect();
        if ranges.is_empty() {
            return Some(Self::Json);
        }
        // The quality of a type is that of the most specific range naming it.
        let quality = |media: &str| -> (f32, bool) {
            let exact = ranges.iter().find(|(essence, _)| essence == media);
            let partial = ranges
                .iter()
                .find(|(essence, _)| essence == "application/*");
            let any = ranges.iter().find(|(essence, _)| essence == "*/*");
            match (exact, partial, any) {
                (Some((_, q)), _, _) => (*q, true),
                (None, Some((_, q)), _) | (None, None, Some((_, q))) => (*q, false),
                (None, None, None) => (0.0, false),
            }
        };
        let (graphql_q, graphql_named) = quality(Self::GRAPHQL_RESPONSE);
        let (json_q, _) = quality(Self::JSON);
        if graphql_named && graphql_q > 0.0 && graphql_q >= json_q {
            Some(Self::GraphqlResponse)
        } else if json_q > 0.0 {
            Some(Self::Json)
        } else if graphql_q > 0.0 {
            Some(Self::GraphqlResponse)
        } else {
            None
        }
    }
}

/// Why a request was refused before it reached the schema: the status, the
/// parameter at fault and the reason in both languages.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Problem {
    status: StatusCode,
    field: &'static str,
    it: &'static str,
    en: &'static str,
}

impl Problem {
    const NOT_ACCEPTABLE: Self = Self {
        status: StatusCode::NOT_ACCEPTABLE,
        field: "Accept",
        it: "la risposta può essere solo application/graphql-response+json o application/json",
        en: "the response can only be application/graphql-response+json or application/json",
    };
    const UNSUPPORTED_MEDIA_TYPE: Self = Self {
        status: StatusCode::UNSUPPORTED_MEDIA_TYPE,
        field: "Content-Type",
        it: "invia la richiesta come application/json (UTF-8)",
        en: "send the request as application/json (UTF-8)",
    };
    const NOT_JSON: Self = Self::bad_request(
        "body",
        "il corpo della richiesta non è un oggetto JSON valido",
        "the request body is not a valid JSON object",
    );
    const QUERY_MISSING: Self = Self::bad_request(
        "query",
        "manca il documento GraphQL",
        "the GraphQL document is missing",
    );
    const QUERY_NOT_STRING: Self = Self::bad_request(
        "query",
        "il documento GraphQL deve essere una stringa",
        "the GraphQL document must be a string",
    );
    const OPERATION_NAME_NOT_STRING: Self = Self::bad_request(
        "operationName",
        "il nome dell'operazione deve essere una stringa",
        "the operation name must be a string",
    );
    const VARIABLES_NOT_OBJECT: Self = Self::bad_request(
        "variables",
        "le variabili devono essere un oggetto JSON",
        "the variables must be a JSON object",
    );
    const EXTENSIONS_NOT_OBJECT: Self = Self::bad_request(
        "extensions",
        "le estensioni devono essere un oggetto JSON",
        "the extensions must be a JSON object",
    );
    const BODY_TOO_LARGE: Self = Self {
        status: StatusCode::PAYLOAD_TOO_LARGE,
        field: "body",
        it: "il corpo della richiesta è troppo grande",
        en: "the request body is too large",
    };
    const BODY_UNREADABLE: Self = Self::bad_request(
        "body",
        "il corpo della richiesta non è arrivato per intero",
        "the request body did not arrive whole",
    );
    const MUTATION_OVER_GET: Self = Self {
        status: StatusCode::METHOD_NOT_ALLOWED,
        field: "query",
        it: "le modifiche si inviano con POST, non con GET",
        en: "changes must be sent with POST, not GET",
    };

    const fn bad_request(field: &'static str, it: &'static str, en: &'static str) -> Self {
        Self {
            status: StatusCode::BAD_REQUEST,
            field,
            it,
            en,
        }
    }

    /// A GraphQL response with one error, coded like the API's other bad
    /// input (`BAD_USER_INPUT` with the `field`).
    fn respond(self, media: MediaType, lang: Lang) -> Response {
        let reason = match lang {
            Lang::It => self.it,
            Lang::En => self.en,
        };
        let body = json!({
            "errors": [{
                "message": format!("{}: {reason}", self.field),
                "extensions": { "code": "BAD_USER_INPUT", "field": self.field },
            }]
        });
        json_response(self.status, media, &body)
    }
}

/// Reads a POST: an `application/json` body holding `query`, and optionally
/// `operationName`, `variables` and `extensions` (each may be null).
fn post_request(headers: &HeaderMap, body: &[u8]) -> Result<Request, Problem> {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .ok_or(Problem::UNSUPPORTED_MEDIA_TYPE)?;
    let mut parts = content_type.split(';');
    let essence = parts.next().unwrap_or_default().trim();
    if !essence.eq_ignore_ascii_case(MediaType::JSON) {
        return Err(Problem::UNSUPPORTED_MEDIA_TYPE);
    }
    // JSON is UTF-8; a charset, when given, must say so.
    for parameter in parts {
        if let Some((name, value)) = parameter.split_once('=')
            && name.trim().eq_ignore_ascii_case("charset")
            && !value.trim().trim_matches('"').eq_ignore_ascii_case("utf-8")
        {
            return Err(Problem::UNSUPPORTED_MEDIA_TYPE);
        }
    }
    let Ok(Value::Object(params)) = serde_json::from_slice::<Value>(body) else {
        return Err(Problem::NOT_JSON);
    };
    request_from_params(params)
}

/// Reads a GET: `query`, `operationName`, and `variables` and `extensions`
/// as JSON text, in the URL's query string.
fn get_request(query_string: &str) -> Result<Request, Problem> {
    let mut params = Map::new();
    for (name, value) in url::form_urlencoded::parse(query_string.as_bytes()) {
        if params.contains_key(name.as_ref()) {
            continue;
        }
        let value = match name.as_ref() {
            "variables" | "extensions" => {
                serde_json::from_str(&value).map_err(|_| object_problem(&name))?
            }
            _ => Value::String(value.into_owned()),
        };
        params.insert(name.into_owned(), value);
    }
    request_from_params(params)
}

fn object_problem(name: &str) -> Problem {
    if name == "variables" {
        Problem::VARIABLES_NOT_OBJECT
    } else {
        Problem::EXTENSIONS_NOT_OBJECT
    }
}

/// Checks the type of each parameter and builds the request.
fn request_from_params(mut params: Map<String, Value>) -> Result<Request, Problem> {
    let query = match params.remove("query") {
        Some(Value::String(query)) => query,
        None | Some(Value::Null) => return Err(Problem::QUERY_MISSING),
        Some(_) => return Err(Problem::QUERY_NOT_STRING),
    };
    let mut request = Request::new(query);
    match params.remove("operationName") {
        None | Some(Value::Null) => {}
        Some(Value::String(name)) => request = request.operation_name(name),
        Some(_) => return Err(Problem::OPERATION_NAME_NOT_STRING),
    }
    match params.remove("variables") {
        None | Some(Value::Null) => {}
        Some(Value::Object(variables)) => {
            request = request.variables(Variables::from_json(Value::Object(variables)));
        }
        Some(_) => return Err(Problem::VARIABLES_NOT_OBJECT),
    }
    match params.remove("extensions") {
        None | Some(Value::Null) => {}
        Some(Value::Object(extensions)) => {
            for (name, value) in extensions {
                let value = async_graphql::Value::from_json(value)
                    .map_err(|_| Problem::EXTENSIONS_NOT_OBJECT)?;
                request.extensions.0.insert(name, value);
            }
        }
        Some(_) => return Err(Problem::EXTENSIONS_NOT_OBJECT),
    }
    Ok(request)
}

/// Whether the request selects a mutation (or a subscription): such
/// operations are refused over GET. A document that does not parse is left
/// to the schema, which reports it.
fn changes_data(request: &mut Request) -> bool {
    let operation_name = request.operation_name.clone();
    let Ok(document) = request.parsed_query() else {
        return false;
    };
    let kind = match &document.operations {
        DocumentOperations::Single(operation) => Some(operation.node.ty),
        DocumentOperations::Multiple(operations) => match operation_name {
            Some(name) => operations
                .iter()
                .find(|(op_name, _)| op_name.as_str() == name)
                .map(|(_, op)| op.node.ty),
            None if operations.len() == 1 => operations.values().next().map(|op| op.node.ty),
            None => None,
        },
    };
    matches!(
        kind,
        Some(OperationType::Mutation | OperationType::Subscription)
    )
}

/// Executes the request and answers with the status and body the media type
/// calls for.
async fn respond(schema: &TramaSchema, request: Request, media: MediaType) -> Response {
    if let Some(name) = &request.operation_name {
        tracing::Span::current().record("operation", name.as_str());
    }
    let response = schema.execute(request).await;
    // Errors raised before execution (parsing, validation, variables) have
    // no path and leave no data; an executed operation always has data, or
    // errors with a path that nulled it.
    let executed = response.errors.is_empty()
        || response.data != async_graphql::Value::Null
        || response.errors.iter().any(|e| !e.path.is_empty());
    let cache_control = response
        .is_ok()
        .then(|| response.cache_control.value())
        .flatten();
    let http_headers = response.http_headers.clone();
    let mut body = match serde_json::to_value(&response) {
        Ok(body) => body,
        Err(error) => {
            tracing::error!("cannot serialise a GraphQL response: {error}");
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
    };
    let unavailable = !executed
        && response
            .errors
            .iter()
            .any(|e| error_code(e) == Some(ErrorCode::Unavailable.as_str()));
    let status = if executed {
        StatusCode::OK
    } else {
        mark_request_errors(&mut body);
        match media {
            MediaType::GraphqlResponse if unavailable => StatusCode::SERVICE_UNAVAILABLE,
            MediaType::GraphqlResponse => StatusCode::BAD_REQUEST,
            MediaType::Json => StatusCode::OK,
        }
    };
    let mut http = json_response(status, media, &body);
    if unavailable {
        http.headers_mut().insert(
            header::RETRY_AFTER,
            HeaderValue::from_static(RETRY_AFTER_SECS),
        );
    }
    if let Some(value) = cache_control.and_then(|v| HeaderValue::from_str(&v).ok()) {
        http.headers_mut().insert(header::CACHE_CONTROL, value);
    }
    http.headers_mut().extend(http_headers);
    http
}

/// What a client told UNAVAILABLE should wait before trying again.
const RETRY_AFTER_SECS: &str = "5";

fn error_code(error: &async_graphql::ServerError) -> Option<&str> {
    match error.extensions.as_ref()?.get("code")? {
        async_graphql::Value::String(code) => Some(code.as_str()),
        _ => None,
    }
}

/// A request refused before it reached the schema for a reason that is not
/// the client's (its token could not be checked: the database is down):
/// UNAVAILABLE, never run as anonymous instead.
fn refuse(error: &AppError, media: MediaType, lang: Lang) -> Response {
    let body = json!({
        "errors": [{
            "message": error.message(lang),
            "extensions": { "code": error.code().as_str() },
        }]
    });
    let status = match media {
        MediaType::GraphqlResponse => StatusCode::SERVICE_UNAVAILABLE,
        MediaType::Json => StatusCode::OK,
    };
    let mut response = json_response(status, media, &body);
    response.headers_mut().insert(
        header::RETRY_AFTER,
        HeaderValue::from_static(RETRY_AFTER_SECS),
    );
    response
}

/// A request that was not executed has no `data` entry (GraphQL spec,
/// "Response Format"), and each of its errors is the client's bad input.
fn mark_request_errors(body: &mut Value) {
    let Some(body) = body.as_object_mut() else {
        return;
    };
    body.remove("data");
    for error in body
        .get_mut("errors")
        .and_then(Value::as_array_mut)
        .into_iter()
        .flatten()
    {
        if let Some(error) = error.as_object_mut() {
            let extensions = error
                .entry("extensions")
                .or_insert_with(|| Value::Object(Map::new()));
            if let Some(extensions) = extensions.as_object_mut() {
                extensions
                    .entry("code")
                    .or_insert_with(|| Value::from("BAD_USER_INPUT"));
            }
        }
    }
}

fn json_response(status: StatusCode, media: MediaType, body: &Value) -> Response {
    let mut response = (status, body.to_string()).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, media.header());
    // The media type and the language of messages follow these headers.
    headers.append(
        header::VARY,
        HeaderValue::from_static("accept, accept-language"),
    );
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn accept(value: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::ACCEPT,
            HeaderValue::from_str(value).expect("header value"),
        );
        headers
    }

    #[test]
    fn accept_header_picks_the_media_type() {
        let cases = [
            (
                "application/graphql-response+json",
                Some(MediaType::GraphqlResponse),
            ),
            ("application/json", Some(MediaType::Json)),
            ("*/*", Some(MediaType::Json)),
            ("application/*", Some(MediaType::Json)),
            (
                "application/graphql-response+json, application/json;q=0.9",
                Some(MediaType::GraphqlResponse),
            ),
            (
                "application/json, application/graphql-response+json;q=0.5",
                Some(MediaType::Json),
            ),
            (
                "application/graphql-response+json;q=0.8, */*;q=0.1",
                Some(MediaType::GraphqlResponse),
            ),
            (
                "application/json;q=0, application/*",
                Some(MediaType::GraphqlResponse),
            ),
            ("text/html", None),
            ("text/plain, application/json;q=0", None),
        ];
        for (header, expected) in cases {
            assert_eq!(MediaType::negotiate(&accept(header)), expected, "{header}");
        }
        assert_eq!(
            MediaType::negotiate(&HeaderMap::new()),
            Some(MediaType::Json)
        );
    }

    #[test]
    fn parameters_of_the_wrong_type_are_refused() {
        let params = |value: Value| match value {
            Value::Object(map) => map,
            _ => Map::new(),
        };
        assert!(request_from_params(params(json!({ "query": "{ a }" }))).is_ok());
        assert!(
            request_from_params(params(
                json!({ "query": "{ a }", "variables": null, "operationName": null, "extensions": null })
            ))
            .is_ok()
        );
        let cases = [
            (json!({}), Problem::QUERY_MISSING),
            (json!({ "query": 1 }), Problem::QUERY_NOT_STRING),
            (
                json!({ "query": "{ a }", "operationName": false }),
                Problem::OPERATION_NAME_NOT_STRING,
            ),
            (
                json!({ "query": "{ a }", "variables": [] }),
                Problem::VARIABLES_NOT_OBJECT,
            ),
            (
                json!({ "query": "{ a }", "extensions": "x" }),
                Problem::EXTENSIONS_NOT_OBJECT,
            ),
        ];
        for (value, problem) in cases {
            assert_eq!(
                request_from_params(params(value.clone())).err(),
                Some(problem),
                "{value}"
            );
        }
    }

    #[test]
    fn mutations_are_recognised_for_get() {
        let mut mutation = Request::new("mutation { a }");
        assert!(changes_data(&mut mutation));
        let mut query = Request::new("{ a }");
        assert!(!changes_data(&mut query));
        let mut named = Request::new("query A { a } mutation B { b }").operation_name("B");
        assert!(changes_data(&mut named));
        let mut named = Request::new("query A { a } mutation B { b }").operation_name("A");
        assert!(!changes_data(&mut named));
        let mut broken = Request::new("mutation {");
        assert!(!changes_data(&mut broken));
    }
}
