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
        && let Some(state) = ctx.data_opt::<crate::state::AppState>()
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
            ext.set(
                "fields",
                fields_value(
                    errors
                        .iter()
                        .map(|e| (e.field.clone(), e.reason.code(), e.reason.message(lang))),
                ),
            );
        }
        if let Some(rule) = error.rule() {
            ext.set("rule", rule);
        }
        if let Some(organization_id) = error.organization_id() {
            ext.set("organizationId", organization_id.to_string());
        }
        if let AppError::RateLimited { retry_after_secs } = &error {
            ext.set("retryAfter", *retry_after_secs);
        }
        if let Some(id) = &error_id {
            ext.set("errorId", id.as_str());
        }
    })
}

/// The `fields` extension: each problem's field (the API's name), reason
/// code and message.
fn fields_value(
    problems: impl IntoIterator<Item = (String, &'static str, String)>,
) -> async_graphql::Value {
    let items = problems
        .into_iter()
        .map(|(field, reason, message)| {
            let mut item = async_graphql::indexmap::IndexMap::new();
            item.insert(
                async_graphql::Name::new("field"),
                async_graphql::Value::from(field),
            );
            item.insert(
                async_graphql::Name::new("reason"),
                async_graphql::Value::from(reason),
            );
            item.insert(
                async_graphql::Name::new("message"),
                async_graphql::Value::from(message),
            );
            async_graphql::Value::Object(item)
        })
        .collect();
    async_graphql::Value::List(items)
}

/// The extensions of bad input that did not reach a service (a value that
/// does not fit its GraphQL type, see [`super::coercion`]), shaped like
/// [`to_graphql`]'s: the code, the first `field` and every problem.
pub(crate) fn bad_input_extensions(
    problems: &[(String, &'static str, String)],
) -> async_graphql::ErrorExtensionValues {
    let mut ext = async_graphql::ErrorExtensionValues::default();
    ext.set("code", crate::error::ErrorCode::BadUserInput.as_str());
    if let Some((field, _, _)) = problems.first() {
        ext.set("field", field.as_str());
    }
    if !problems.is_empty() {
        ext.set("fields", fields_value(problems.iter().cloned()));
    }
    ext
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
