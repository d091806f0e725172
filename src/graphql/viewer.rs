//! Who is asking: every GraphQL request carries a [`Viewer`], anonymous unless
//! a valid bearer token came with it. Resolvers decide visibility from it;
//! services decide permissions from the [`Actor`](crate::services::Actor) it
//! yields.

use async_graphql::Context;
use uuid::Uuid;

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

/// Drafts belong to their organisation: only its members and moderators see
/// them. Whether this viewer may see the drafts of `organization_id`.
pub async fn may_see_drafts(
    ctx: &Context<'_>,
    organization_id: Uuid,
) -> async_graphql::Result<bool> {
    let viewer = Viewer::of(ctx);
    let Some(user_id) = viewer.user_id() else {
        return Ok(false);
    };
    if viewer.is_moderator() {
        return Ok(true);
    }
    let state = ctx.data::<crate::app::AppState>()?;
    let role = crate::services::permissions::role_in(&state.db, user_id, organization_id)
        .await
        .map_err(|e| super::error::to_graphql(ctx, e))?;
    Ok(role.is_some())
}

/// Refuses to list drafts except one organisation's, to its members:
/// BAD_USER_INPUT on `filter.organizationId` when no organisation is named,
/// UNAUTHENTICATED or FORBIDDEN when the viewer is not one of its members.
pub async fn check_draft_listing(
    ctx: &Context<'_>,
    status: crate::domain::PostingStatus,
    organization_id: Option<Uuid>,
) -> async_graphql::Result<()> {
    use crate::error::AppError;
    if status != crate::domain::PostingStatus::Draft {
        return Ok(());
    }
    let Some(organization_id) = organization_id else {
        return Err(super::error::to_graphql(
            ctx,
            AppError::invalid("filter.organizationId", crate::domain::Invalid::Required),
        ));
    };
    if may_see_drafts(ctx, organization_id).await? {
        return Ok(());
    }
    let error = if Viewer::of(ctx).is_signed_in() {
        AppError::Forbidden("only members see their organisation's drafts")
    } else {
        AppError::Unauthenticated
    };
    Err(super::error::to_graphql(ctx, error))
}
