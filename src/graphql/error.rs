//! Turns [`AppError`] into GraphQL errors: a message in the caller's language,
//! and extensions with the `code` and, for bad input, the `field` and every
//! field's problem (`fields`). Internal errors are logged in full and reach
//! the client only as a fixed message with an `errorId` to quote.

use async_graphql::{Context, ErrorExtensions};

use super::RequestLang;
use crate::domain::Lang;
use crate::error::{AppError, Unavailable};

/// The language of this request (Italian unless the client asked for English).
pub fn lang(ctx: &Context<'_>) -> Lang {
    ctx.data_opt::<RequestLang>()
        .map(|l| l.0)
        .unwrap_or(Lang::It)
}

/// Converts a service error for this request.
pub fn to_graphql(ctx: &Context<'_>, error: AppError) -> async_graphql::Error {
    let lang = lang(ctx);
    if matches!(error, AppError::Unavailable(Unavailable::Database))
        && let Some(state) = ctx.data_opt::<crate::app::AppState>()
    {
        // Check the database now rather than at the probe's next round.
        state.db_health.suspect();
    }
    let error_id = error.log_internal();
    let message = error.message(lang);
    async_graphql::Error::new(message).extend_with(|_, ext| {
        ext.set("code", error.code().as_str());
        if let Some(field) = error.field() {
            ext.set("field", field);
        }
        if let AppError::Invalid(errors) = &error {
            let fields: Vec<async_graphql::Value> = errors
                .iter()
                .map(|e| {
                    let mut item = async_graphql::indexmap::IndexMap::new();
                    item.insert(
                        async_graphql::Name::new("field"),
                        async_graphql::Value::from(e.field.clone()),
                    );
                    item.insert(
                        async_graphql::Name::new("reason"),
                        async_graphql::Value::from(e.reason.code()),
                    );
                    item.insert(
                        async_graphql::Name::new("message"),
                        async_graphql::Value::from(e.reason.message(lang)),
                    );
                    async_graphql::Value::Object(item)
                })
                .collect();
            ext.set("fields", async_graphql::Value::List(fields));
        }
        if let AppError::RateLimited { retry_after_secs } = &error {
            ext.set("retryAfter", *retry_after_secs);
        }
        if let Some(id) = &error_id {
            ext.set("errorId", id.as_str());
        }
    })
}

/// `result.gql(ctx)?` in resolvers.
pub trait GqlResult<T> {
    fn gql(self, ctx: &Context<'_>) -> async_graphql::Result<T>;
}

impl<T> GqlResult<T> for Result<T, AppError> {
    fn gql(self, ctx: &Context<'_>) -> async_graphql::Result<T> {
        self.map_err(|error| to_graphql(ctx, error))
    }
}
