//! Requests to join or claim an organisation, in GraphQL: asking
//! (`requestOrganizationAccess`), deciding (`approveOrganizationRequest`,
//! `declineOrganizationRequest`, `answerOrganizationClaim` from the link
//! sent to the organisation's registered address) and the lists
//! (`organizationRequests` for admins and moderators,
//! `myOrganizationRequests`). The rules live in
//! [`services::organization_requests`](crate::services::organization_requests);
//! the e-mails go out here, once the change is committed.

use async_graphql::{Context, ID, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};
use sea_orm::DatabaseConnection;
use uuid::Uuid;

use super::enums::{
    OrganizationRequestDecidedVia, OrganizationRequestKind, OrganizationRequestStatus,
};
use super::error::GqlResult;
use super::mutation::{acting, id_arg, limits};
use super::types::{Organization, state};
use super::viewer::{list_as_viewer, reader};
use crate::domain;
use crate::error::AppError;
use crate::services::Actor;
use crate::services::memberships::masked;
use crate::services::notifications;
use crate::services::organization_requests::{self as requests, RequestView};

/// A request to join an organisation or to manage it, as the requester, the
/// organisation's admins and moderators see it.
pub struct OrganizationRequest(RequestView);

/// The person who asked.
#[derive(SimpleObject)]
pub struct Requester {
    pub id: ID,
    pub display_name: String,
    /// Shown to whoever decides, so they know who is asking.
    pub email: String,
}

#[Object]
impl OrganizationRequest {
    async fn id(&self) -> ID {
        ID(self.0.request.id.to_string())
    }

    /// JOIN when the organisation has admins (they decide), CLAIM when it
    /// has none (its registered address or a moderator decides; the
    /// requester becomes its admin).
    async fn kind(&self) -> OrganizationRequestKind {
        self.0.request.kind.into()
    }

    async fn status(&self) -> OrganizationRequestStatus {
        self.0.request.status.into()
    }

    /// The organisation asked about; null when the viewer may not see it:
    /// deleted, or hidden by a moderator from everyone but its members and
    /// the moderators.
    async fn organization(&self, ctx: &Context<'_>) -> Result<Option<Organization>> {
        let reader = reader(ctx).await?;
        Ok(reader
            .may_see_organization(&self.0.organization)
            .then(|| Organization(self.0.organization.clone())))
    }

    async fn requester(&self) -> Requester {
        Requester {
            id: ID(self.0.requester.id.to_string()),
            display_name: self.0.requester.display_name.clone(),
            email: self.0.requester.email.clone(),
        }
    }

    /// What the requester wrote to whoever decides.
    async fn message(&self) -> Option<&str> {
        self.0.request.message.as_deref()
    }

    async fn created_at(&self) -> DateTime<Utc> {
        self.0.request.created_at
    }

    async fn decided_at(&self) -> Option<DateTime<Utc>> {
        self.0.request.decided_at
    }

    async fn decided_via(&self) -> Option<OrganizationRequestDecidedVia> {
        self.0.request.decided_via.map(Into::into)
    }

    /// The reason given when it was declined, if any.
    async fn decline_reason(&self) -> Option<&str> {
        self.0.request.decline_reason.as_deref()
    }

    /// Where the confirmation link of a claim went: the organisation's
    /// registered addresses, partly hidden (`i…@example.org`).
    async fn confirmation_sent_to(&self) -> Vec<String> {
        self.0
            .confirmation_sent_to()
            .iter()
            .map(|address| masked(address))
            .collect()
    }
}

/// The answer given from a claim's confirmation link.
#[derive(SimpleObject)]
pub struct OrganizationClaimAnswer {
    pub organization_name: String,
    pub requester_name: String,
    /// APPROVED (the requester now manages the organisation) or DECLINED.
    pub status: OrganizationRequestStatus,
}

#[derive(Default)]
pub struct OrganizationRequestQuery;

#[Object]
impl OrganizationRequestQuery {
    /// Pending requests, oldest first (at most 200): of one organisation
    /// (its admins and moderators), or, without `organizationId`, the
    /// moderators' queue of claims on organisations with no admin.
    /// Errors: UNAUTHENTICATED, FORBIDDEN, NOT_FOUND (organizationId).
    async fn organization_requests(
        &self,
        ctx: &Context<'_>,
        organization_id: Option<ID>,
    ) -> Result<Vec<OrganizationRequest>> {
        let organization_id = organization_id
            .map(|id| id_arg(ctx, &id, "organizationId"))
            .transpose()?;
        list_as_viewer(
            ctx,
            async |db, actor| requests::pending(db, actor, organization_id).await,
            OrganizationRequest,
        )
        .await
    }

    /// The signed-in person's own requests, newest first (at most 200).
    async fn my_organization_requests(
        &self,
        ctx: &Context<'_>,
    ) -> Result<Vec<OrganizationRequest>> {
        list_as_viewer(ctx, requests::mine, OrganizationRequest).await
    }
}

/// Decides the request `id` as the signed-in caller with `decision`
/// (approve or decline), then tells the requester by e-mail.
async fn decide(
    ctx: &Context<'_>,
    id: &ID,
    decision: impl AsyncFnOnce(&DatabaseConnection, &Actor, Uuid) -> Result<RequestView, AppError>,
) -> Result<OrganizationRequest> {
    let (actor, state) = acting(ctx)?;
    let id = id_arg(ctx, id, "id")?;
    let view = decision(&state.db, &actor, id).await.gql(ctx)?;
    notifications::request_decided(&state.mailer, &state.settings, &view).await;
    Ok(OrganizationRequest(view))
}

#[derive(Default)]
pub struct OrganizationRequestMutation;

#[Object]
impl OrganizationRequestMutation {
    /// Asks to join an organisation, or to manage one that has no admin
    /// (one imported from a registry, say): the answer says which (`kind`)
    /// and how it stands. A claim is APPROVED at once when the signed-in
    /// person's verified address is a registered address of the organisation
    /// or at its registered e-mail domain (not a public webmail or PEC
    /// provider); otherwise a confirmation link goes to its registered
    /// addresses (`confirmationSentTo`) and moderators see it in their
    /// queue. A request to join is e-mailed to the organisation's admins.
    /// Errors: UNAUTHENTICATED, FORBIDDEN (address not verified),
    /// BAD_USER_INPUT (message), NOT_FOUND (organizationId), CONFLICT
    /// (organizationId: already a member, or a request already pending),
    /// RATE_LIMITED.
    async fn request_organization_access(
        &self,
        ctx: &Context<'_>,
        organization_id: ID,
        message: Option<String>,
    ) -> Result<OrganizationRequest> {
        let (actor, state) = acting(ctx)?;
        let organization_id = id_arg(ctx, &organization_id, "organizationId")?;
        let limits = limits(ctx)?;
        let requested = requests::request(
            &state.db,
            &limits,
            &actor,
            organization_id,
            message.as_deref(),
        )
        .await
        .gql(ctx)?;
        let view = &requested.view;
        if let Some(token) = &requested.confirmation_token {
            notifications::claim_confirmation(&state.mailer, &state.settings, view, token).await;
        }
        if view.kind() == domain::RequestKind::Join {
            notifications::join_request(&state.mailer, &state.settings, &requested.admins, view)
                .await;
        }
        Ok(OrganizationRequest(requested.view))
    }

    /// Approves a pending request: the organisation's admins for requests to
    /// join (the person becomes a member), moderators for claims (the person
    /// becomes its admin). The requester is told by e-mail. Errors:
    /// UNAUTHENTICATED, FORBIDDEN (saying who decides), NOT_FOUND (id),
    /// CONFLICT (id: already decided).
    async fn approve_organization_request(
        &self,
        ctx: &Context<'_>,
        id: ID,
    ) -> Result<OrganizationRequest> {
        decide(ctx, &id, requests::approve).await
    }

    /// Declines a pending request, with a reason the requester reads (up to
    /// 300 characters). Who may: as `approveOrganizationRequest`. Errors: as
    /// it, and BAD_USER_INPUT (reason).
    async fn decline_organization_request(
        &self,
        ctx: &Context<'_>,
        id: ID,
        reason: Option<String>,
    ) -> Result<OrganizationRequest> {
        let reason = reason.as_deref();
        decide(ctx, &id, async |db, actor, id| {
            requests::decline(db, actor, id, reason).await
        })
        .await
    }

    /// Answers a claim with the token of the link sent to the organisation's
    /// registered address: `approve: true`, the requester belongs to the
    /// organisation and now manages it; `false`, they do not. No sign-in
    /// needed: the link is the proof. Errors: BAD_USER_INPUT (token: used,
    /// expired, unknown, or the claim was decided otherwise meanwhile).
    async fn answer_organization_claim(
        &self,
        ctx: &Context<'_>,
        token: String,
        approve: bool,
    ) -> Result<OrganizationClaimAnswer> {
        let state = state(ctx)?;
        let view = requests::answer_claim(&state.db, &token, approve)
            .await
            .gql(ctx)?;
        notifications::request_decided(&state.mailer, &state.settings, &view).await;
        Ok(OrganizationClaimAnswer {
            organization_name: view.organization.name.clone(),
            requester_name: view.requester.display_name.clone(),
            status: view.status().into(),
        })
    }
}
