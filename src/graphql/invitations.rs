//! The invitations waiting for an answer, for an organisation's admins:
//! the list (`organizationInvitations`) and revoking one
//! (`revokeInvitation`). Sending and accepting are `inviteMember` and
//! `acceptInvitation`. The rules live in
//! [`services::invitations`](crate::services::invitations).

use async_graphql::{Context, ID, Object, Result};

use super::error::GqlResult;
use super::mutation::{InvitationPayload, acting, id_arg};
use super::viewer::as_viewer;
use crate::services::invitations;

#[derive(Default)]
pub struct InvitationQuery;

#[Object]
impl InvitationQuery {
    /// The organisation's invitations still waiting (neither accepted,
    /// revoked nor expired), newest first (at most 200). Its admins only.
    /// Errors: UNAUTHENTICATED, FORBIDDEN, NOT_FOUND (organizationId).
    async fn organization_invitations(
        &self,
        ctx: &Context<'_>,
        organization_id: ID,
    ) -> Result<Vec<InvitationPayload>> {
        let organization_id = id_arg(ctx, &organization_id, "organizationId")?;
        let pending = as_viewer(ctx, async |db, actor| {
            invitations::pending(db, actor, organization_id).await
        })
        .await?;
        pending
            .into_iter()
            .map(|i| {
                Ok(InvitationPayload {
                    id: ID(i.id.to_string()),
                    role: i.role.into(),
                    email: i.email,
                    expires_at: i.expires_at,
                })
            })
            .collect()
    }
}

#[derive(Default)]
pub struct InvitationMutation;

#[Object]
impl InvitationMutation {
    /// Revokes a waiting invitation: its link stops working. Admins of its
    /// organisation only. Errors: UNAUTHENTICATED, FORBIDDEN, NOT_FOUND
    /// (id), CONFLICT (id: already accepted or revoked).
    async fn revoke_invitation(&self, ctx: &Context<'_>, id: ID) -> Result<bool> {
        let (actor, state) = acting(ctx)?;
        let id = id_arg(ctx, &id, "id")?;
        invitations::revoke(&state.db, &actor, id).await.gql(ctx)?;
        Ok(true)
    }
}
