//! The GraphQL schema, async-graphql only: it translates requests into
//! service calls and service results into GraphQL types, and never writes SQL.
//! The SDL it prints is committed as `graphql/schema.graphql` and checked by a
//! test.

pub mod enums;
pub mod error;
pub mod query;
pub mod types;
pub mod viewer;

use async_graphql::{EmptyMutation, EmptySubscription, Schema};

use crate::app::AppState;
use crate::domain::Lang;

pub type TramaSchema = Schema<query::Query, EmptyMutation, EmptySubscription>;

/// Deepest nesting and largest cost a query may have: enough for every
/// operation in `graphql/operations/`, small enough to refuse abusive ones.
pub const MAX_DEPTH: usize = 12;
pub const MAX_COMPLEXITY: usize = 1_000;

/// Builds the schema with the application state in its context.
pub fn build_schema(state: AppState) -> TramaSchema {
    Schema::build(query::Query, EmptyMutation, EmptySubscription)
        .data(state)
        .limit_depth(MAX_DEPTH)
        .limit_complexity(MAX_COMPLEXITY)
        .finish()
}

/// The SDL of the schema, as committed in `graphql/schema.graphql`.
pub fn sdl() -> String {
    Schema::build(query::Query, EmptyMutation, EmptySubscription)
        .finish()
        .sdl()
}

/// Per-request data: the language of messages.
#[derive(Clone, Copy, Debug)]
pub struct RequestLang(pub Lang);
