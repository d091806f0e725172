//! The GraphQL endpoint: `POST /graphql` and `GET /graphql` (GraphQL over
//! HTTP), and the GraphiQL explorer at `GET /graphql` for browsers when
//! enabled.

use async_graphql::http::GraphiQLSource;
use async_graphql_axum::rejection::GraphQLRejection;
use async_graphql_axum::{GraphQLRequest, GraphQLResponse};
use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;

use crate::app::AppState;
use crate::domain::Lang;
use crate::graphql::{RequestLang, TramaSchema, build_schema};

#[derive(Clone)]
struct GraphqlState {
    schema: TramaSchema,
    graphiql: bool,
}

pub fn routes(state: &AppState) -> Router<AppState> {
    let graphql_state = GraphqlState {
        schema: build_schema(state.clone()),
        graphiql: state.settings.graphiql,
    };
    Router::new().route(
        "/graphql",
        get(get_graphql).post(execute).with_state(graphql_state),
    )
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

async fn execute(
    State(state): State<GraphqlState>,
    headers: HeaderMap,
    request: GraphQLRequest,
) -> GraphQLResponse {
    let request = request
        .into_inner()
        .data(RequestLang(request_lang(&headers)));
    state.schema.execute(request).await.into()
}

/// A browser asking for a page gets GraphiQL; anything else is a GraphQL
/// request over GET (queries only: GET never runs a mutation).
async fn get_graphql(
    State(state): State<GraphqlState>,
    headers: HeaderMap,
    request: Result<GraphQLRequest, GraphQLRejection>,
) -> Response {
    let wants_html = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("text/html"));
    if wants_html && state.graphiql {
        return Html(GraphiQLSource::build().endpoint("/graphql").finish()).into_response();
    }
    match request {
        Ok(request) => {
            let request = request
                .into_inner()
                .data(RequestLang(request_lang(&headers)));
            GraphQLResponse::from(state.schema.execute(request).await).into_response()
        }
        Err(rejection) => rejection.into_response(),
    }
}
