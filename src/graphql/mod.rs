//! The GraphQL schema, async-graphql only: it translates requests into
//! service calls and service results into GraphQL types, and never writes SQL.
//! The SDL it prints is committed as `graphql/schema.graphql` and checked by a
//! test.

pub mod account;
pub mod coercion;
pub mod connection;
pub mod digests;
pub mod enums;
pub mod error;
pub mod inputs;
pub mod invitations;
pub mod limits;
pub mod loaders;
pub mod matches;
pub mod mutation;
pub mod organization_requests;
pub mod projects;
pub mod query;
pub mod reports;
pub mod search;
pub mod subscription;
pub mod territories;
pub mod types;
mod variable_defaults;
pub mod viewer;

use async_graphql::{MergedObject, MergedSubscription, Schema};

use crate::domain::Lang;
use crate::state::AppState;

/// The root query: the catalogue (organisations, offers, needs, territories),
/// the signed-in person, and search.
#[derive(MergedObject, Default)]
pub struct Query(
    query::CatalogQuery,
    account::AccountQuery,
    search::SearchQuery,
    matches::MatchQuery,
    territories::TerritoryQuery,
    digests::DigestQuery,
    digests::SavedSearchQuery,
    organization_requests::OrganizationRequestQuery,
    reports::ReportQuery,
    invitations::InvitationQuery,
    projects::ProjectQuery,
);

/// The root mutation: accounts, organisations, offers and needs, matches.
#[derive(MergedObject, Default)]
pub struct Mutation(
    mutation::CoreMutation,
    matches::MatchMutation,
    digests::DigestMutation,
    digests::SavedSearchMutation,
    organization_requests::OrganizationRequestMutation,
    reports::ReportMutation,
    invitations::InvitationMutation,
    projects::ProjectMutation,
);

/// The root subscription: live record changes, a project's activity.
#[derive(MergedSubscription, Default)]
pub struct Subscription(subscription::Subscription, projects::ProjectSubscription);

pub type TramaSchema = Schema<Query, Mutation, Subscription>;

/// Deepest nesting and largest cost a query may have (see [`limits`]):
/// enough for every operation the web app and the tests send, small enough
/// to refuse abusive ones.
pub use limits::{MAX_COMPLEXITY, MAX_DEPTH};

/// Builds the schema with the application state and the batch loader (see
/// [`loaders`]) in its context.
pub fn build_schema(state: AppState) -> TramaSchema {
    let loader = loaders::batch_loader(state.db.clone());
    let feed = subscription::ChangeFeed::start(state.db.clone());
    Schema::build(
        Query::default(),
        Mutation::default(),
        Subscription::default(),
    )
    .data(state)
    .data(loader)
    .data(feed)
    // First, so that its time bound covers the other extensions' work.
    .extension(limits::Limits)
    .extension(search::RefreshAfterMutation)
    .extension(viewer::ReaderPerRequest)
    .extension(coercion::CoercionErrors)
    .finish()
}

/// The SDL of the schema, as committed in `graphql/schema.graphql`.
pub fn sdl() -> String {
    Schema::build(
        Query::default(),
        Mutation::default(),
        Subscription::default(),
    )
    .finish()
    .sdl()
}

/// Per-request data: the language of messages.
#[derive(Clone, Copy, Debug)]
pub struct RequestLang(pub Lang);
