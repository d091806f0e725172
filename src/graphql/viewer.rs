//! Who is asking: every GraphQL request carries a [`Viewer`], anonymous unless
//! a valid bearer token came with it. Resolvers decide visibility with the
//! [`Reader`] it yields (see [`reader`]; the rules are in
//! [`crate::policy::visibility`]); services decide permissions from the
//! [`Actor`](crate::services::Actor) it yields.

use std::sync::Arc;

use async_graphql::extensions::{
    Extension, ExtensionContext, ExtensionFactory, NextPrepareRequest,
};
use async_graphql::{Context, Request, ServerResult};
use sea_orm::DatabaseConnection;
use tokio::sync::OnceCell;
use uuid::Uuid;

use super::error::GqlResult;
use crate::error::AppError;
use crate::policy::visibility::{self, Reader};
use crate::services::Actor;

/// The person behind a request.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum Viewer {
    /// Not signed in: reads public data only.
    #[default]
    Anonymous,
    /// Signed in with a valid session.
    User {
        id: Uuid,
        email: String,
        is_moderator: bool,
    },
}

impl Viewer {
    pub fn of(ctx: &Context<'_>) -> Viewer {
        ctx.data_opt::<Viewer>().cloned().unwrap_or_default()
    }

    pub fn user_id(&self) -> Option<Uuid> {
        match self {
            Viewer::Anonymous => None,
            Viewer::User { id, .. } => Some(*id),
        }
    }

    pub fn is_signed_in(&self) -> bool {
        matches!(self, Viewer::User { .. })
    }

    pub fn is_moderator(&self) -> bool {
        matches!(
            self,
            Viewer::User {
                is_moderator: true,
                ..
            }
        )
    }

    /// The actor for services, or `None` when anonymous.
    pub fn actor(&self) -> Option<Actor> {
        match self {
            Viewer::Anonymous => None,
            Viewer::User { id, email, .. } => Some(Actor::user(*id, email)),
        }
    }
}

/// Calls a service that decides by itself what an anonymous caller may do,
/// with the database and the viewer's actor (`None` when anonymous); its
/// error is mapped for this request.
pub async fn as_viewer<T>(
    ctx: &Context<'_>,
    call: impl AsyncFnOnce(&DatabaseConnection, Option<&Actor>) -> Result<T, AppError>,
) -> async_graphql::Result<T> {
    let state = super::types::state(ctx)?;
    let actor = Viewer::of(ctx).actor();
    call(&state.db, actor.as_ref()).await.gql(ctx)
}

/// [`as_viewer`] for a service that answers a list, each item wrapped in
/// its GraphQL type.
pub async fn list_as_viewer<M, T>(
    ctx: &Context<'_>,
    call: impl AsyncFnOnce(&DatabaseConnection, Option<&Actor>) -> Result<Vec<M>, AppError>,
    wrap: impl FnMut(M) -> T,
) -> async_graphql::Result<Vec<T>> {
    Ok(as_viewer(ctx, call).await?.into_iter().map(wrap).collect())
}

/// The request's [`Reader`]: loaded the first time a resolver asks, then
/// shared by every resolver of the request, so that a page of any length
/// costs the same statements. (A request that changes memberships and then
/// reads, in two mutations of one document, reads with the reader of its
/// first question.)
#[derive(Clone, Default)]
pub struct ReaderCell(Arc<OnceCell<Arc<Reader>>>);

/// Who reads this request, for the rules of
/// [`crate::policy::visibility`].
pub async fn reader(ctx: &Context<'_>) -> async_graphql::Result<Arc<Reader>> {
    let load = || async {
        let viewer = Viewer::of(ctx);
        let state = ctx.data::<crate::state::AppState>()?;
        Reader::load(&state.db, viewer.user_id(), viewer.is_moderator())
            .await
            .map(Arc::new)
            .map_err(|e| super::error::to_graphql(ctx, e))
    };
    match ctx.data_opt::<ReaderCell>() {
        Some(cell) => cell.0.get_or_try_init(load).await.cloned(),
        None => load().await,
    }
}

/// Gives every request its [`ReaderCell`].
pub struct ReaderPerRequest;

impl ExtensionFactory for ReaderPerRequest {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(ReaderPerRequestExtension)
    }
}

struct ReaderPerRequestExtension;

#[async_graphql::async_trait::async_trait]
impl Extension for ReaderPerRequestExtension {
    async fn prepare_request(
        &self,
        ctx: &ExtensionContext<'_>,
        request: Request,
        next: NextPrepareRequest<'_>,
    ) -> ServerResult<Request> {
        next.run(ctx, request.data(ReaderCell::default())).await
    }
}

/// Refuses to list drafts except one organisation's, to its members and
/// moderators, as the visibility policy says
/// ([`visibility::check_posting_list`]).
pub async fn check_draft_listing(
    ctx: &Context<'_>,
    status: crate::domain::PostingStatus,
    organization_id: Option<Uuid>,
) -> async_graphql::Result<()> {
    let reader = reader(ctx).await?;
    visibility::check_posting_list(
        &reader,
        Viewer::of(ctx).is_signed_in(),
        status,
        organization_id,
    )
    .map_err(|error| super::error::to_graphql(ctx, error))
}
