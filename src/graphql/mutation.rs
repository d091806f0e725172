//! The root mutation: accounts, organisations and their members, offers,
//! needs and moderation. Each resolver turns its arguments into a service
//! call with the viewer as actor; permissions live in the services.

use std::net::IpAddr;

use async_graphql::{Context, ID, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::account::{BearerToken, Membership, User};
use super::enums::{HideableKind, Language, MembershipRole, VerificationStatus};
use super::error::GqlResult;
use super::inputs::{NeedInput, OfferInput, OrganizationInput};
use super::types::{Need, Offer, Organization, state};
use super::viewer::Viewer;
use crate::domain::{self, parse_uuid};
use crate::error::AppError;
use crate::policy::guards::Limits;
use crate::policy::rate_limit::Client;
use crate::services::{
    Actor, accounts, memberships, moderation, needs, notifications, offers, organizations,
};
use crate::state::AppState;

/// The client's address, for rate limits.
#[derive(Clone, Copy, Debug)]
pub struct ClientAddr(pub IpAddr);

fn client(ctx: &Context<'_>) -> Client {
    ctx.data_opt::<ClientAddr>()
        .map_or_else(Client::unknown, |c| Client::from_ip(c.0))
}

/// The limits of the guarded use-cases for this request: the
/// application's limiter and the client asking. The services apply them.
pub(crate) fn limits(ctx: &Context<'_>) -> Result<Limits> {
    Ok(Limits::new(state(ctx)?.limiter.clone(), client(ctx)))
}

/// The viewer as actor, or UNAUTHENTICATED.
pub(crate) fn actor(ctx: &Context<'_>) -> Result<Actor> {
    Viewer::of(ctx)
        .actor()
        .ok_or(AppError::Unauthenticated)
        .gql(ctx)
}

/// The signed-in caller and the application's state: what a mutation starts
/// from. An anonymous request is UNAUTHENTICATED.
pub(crate) fn acting<'a>(ctx: &Context<'a>) -> Result<(Actor, &'a AppState)> {
    Ok((actor(ctx)?, state(ctx)?))
}

/// A GraphQL id argument as a UUID; a malformed one is bad input on `field`.
pub(crate) fn id_arg(ctx: &Context<'_>, id: &ID, field: &str) -> Result<Uuid> {
    parse_uuid(id.as_str())
        .map_err(|reason| AppError::invalid(field, reason))
        .gql(ctx)
}

/// The answer to a sign-in.
#[derive(SimpleObject)]
pub struct LoginPayload {
    /// Send it as `Authorization: Bearer <token>`; it is shown only once.
    pub token: String,
    pub expires_at: DateTime<Utc>,
    pub user: User,
}

/// An invitation sent by e-mail.
#[derive(SimpleObject)]
pub struct InvitationPayload {
    pub id: ID,
    pub email: String,
    pub role: MembershipRole,
    pub expires_at: DateTime<Utc>,
}

#[derive(Default)]
pub struct CoreMutation;

#[Object]
impl CoreMutation {
    /// Creates an account and e-mails a link to verify the address.
    /// Errors: BAD_USER_INPUT (email, displayName, password), CONFLICT (email),
    /// RATE_LIMITED.
    async fn register(
        &self,
        ctx: &Context<'_>,
        email: String,
        display_name: String,
        password: String,
        language: Option<Language>,
    ) -> Result<User> {
        let limits = limits(ctx)?;
        let state = state(ctx)?;
        let lang = language.map(domain::Lang::from).unwrap_or_default();
        let registered =
            accounts::register(&state.db, &limits, &email, &display_name, &password, lang)
                .await
                .gql(ctx)?;
        notifications::verification(
            &state.mailer,
            &state.settings,
            &registered.user,
            &registered.verification_token,
        )
        .await;
        Ok(User(registered.user))
    }

    /// Confirms an address with the token of the e-mailed link.
    /// Errors: BAD_USER_INPUT (token: expired, used or unknown).
    async fn verify_email(&self, ctx: &Context<'_>, token: String) -> Result<User> {
        let state = state(ctx)?;
        Ok(User(
            accounts::verify_email(&state.db, &token).await.gql(ctx)?,
        ))
    }

    /// Sends a new verification link. Always true: it does not reveal
    /// whether the address has an account. Errors: RATE_LIMITED (per
    /// address and client, per client, and per address).
    async fn resend_verification_email(&self, ctx: &Context<'_>, email: String) -> Result<bool> {
        let limits = limits(ctx)?;
        let state = state(ctx)?;
        if let Some((user, token)) = accounts::new_link_token(
            &state.db,
            &limits,
            &email,
            accounts::AccountLink::Verification,
        )
        .await
        .gql(ctx)?
        {
            notifications::verification(&state.mailer, &state.settings, &user, &token).await;
        }
        Ok(true)
    }

    /// Signs in. Errors: UNAUTHENTICATED (wrong address or password, one
    /// message for both), RATE_LIMITED (too many failures for this address
    /// from this client, or from this client; successes never count).
    async fn login(
        &self,
        ctx: &Context<'_>,
        email: String,
        password: String,
    ) -> Result<LoginPayload> {
        let limits = limits(ctx)?;
        let state = state(ctx)?;
        let session = accounts::login(&state.db, &limits, &email, &password)
            .await
            .gql(ctx)?;
        Ok(LoginPayload {
            token: session.token,
            expires_at: session.expires_at,
            user: User(session.user),
        })
    }

    /// Signs out the session of this request's token.
    async fn logout(&self, ctx: &Context<'_>) -> Result<bool> {
        let token = ctx
            .data_opt::<BearerToken>()
            .ok_or(AppError::Unauthenticated)
            .gql(ctx)?;
        let state = state(ctx)?;
        accounts::logout(&state.db, &token.0).await.gql(ctx)?;
        Ok(true)
    }

    /// E-mails a password-reset link. Always true: it does not reveal whether
    /// the address has an account. Errors: RATE_LIMITED (per address and
    /// client, per client, and per address; separate from the verification
    /// links' limits).
    async fn request_password_reset(&self, ctx: &Context<'_>, email: String) -> Result<bool> {
        let limits = limits(ctx)?;
        let state = state(ctx)?;
        if let Some((user, token)) = accounts::new_link_token(
            &state.db,
            &limits,
            &email,
            accounts::AccountLink::PasswordReset,
        )
        .await
        .gql(ctx)?
        {
            notifications::password_reset(&state.mailer, &state.settings, &user, &token).await;
        }
        Ok(true)
    }

    /// Sets a new password with the token of the e-mailed link; every session
    /// is signed out. Errors: BAD_USER_INPUT (token, password).
    async fn reset_password(
        &self,
        ctx: &Context<'_>,
        token: String,
        password: String,
    ) -> Result<bool> {
        let state = state(ctx)?;
        accounts::reset_password(&state.db, &token, &password)
            .await
            .gql(ctx)?;
        Ok(true)
    }

    /// Deletes the signed-in account (GDPR); organisations' records stay.
    /// Errors: UNAUTHENTICATED (also for a wrong password), RATE_LIMITED
    /// (too many wrong passwords), CONFLICT
    /// (organizationId: the last admin of an organisation that has other
    /// members names another admin first; the extension `organizationId`
    /// says which).
    async fn delete_my_account(&self, ctx: &Context<'_>, password: String) -> Result<bool> {
        let id = Viewer::of(ctx)
            .user_id()
            .ok_or(AppError::Unauthenticated)
            .gql(ctx)?;
        let limits = limits(ctx)?;
        let state = state(ctx)?;
        accounts::delete_account(&state.db, &limits, id, &password)
            .await
            .gql(ctx)?;
        Ok(true)
    }

    /// Registers an organisation; the signed-in person becomes its admin.
    /// Errors: UNAUTHENTICATED, FORBIDDEN (address not verified),
    /// BAD_USER_INPUT (with the field), CONFLICT (taxCode).
    async fn create_organization(
        &self,
        ctx: &Context<'_>,
        input: OrganizationInput,
    ) -> Result<Organization> {
        let (actor, state) = acting(ctx)?;
        let input = domain::OrganizationInput::from(input);
        Ok(Organization(
            organizations::create(&state.db, &actor, &input, None)
                .await
                .gql(ctx)?,
        ))
    }

    /// Replaces an organisation's profile. Its admins only. Contacts left
    /// out of `input` stay as they are; given, they replace the current ones.
    async fn update_organization(
        &self,
        ctx: &Context<'_>,
        id: ID,
        input: OrganizationInput,
    ) -> Result<Organization> {
        let (actor, state) = acting(ctx)?;
        let id = id_arg(ctx, &id, "id")?;
        let contacts = if input.contacts.is_some() {
            organizations::Contacts::Replace
        } else {
            organizations::Contacts::Keep
        };
        let input = domain::OrganizationInput::from(input);
        Ok(Organization(
            organizations::update(&state.db, &actor, id, &input, contacts)
                .await
                .gql(ctx)?,
        ))
    }

    /// Invites someone by e-mail to join an organisation. Its admins only.
    async fn invite_member(
        &self,
        ctx: &Context<'_>,
        organization_id: ID,
        email: String,
        role: MembershipRole,
    ) -> Result<InvitationPayload> {
        let (actor, state) = acting(ctx)?;
        let organization_id = id_arg(ctx, &organization_id, "organizationId")?;
        let role = domain::MembershipRole::from(role);
        let invited =
            memberships::invite(&state.db, &actor, organization_id, &email, role.as_str())
                .await
                .gql(ctx)?;
        notifications::invitation(&state.mailer, &state.settings, &invited).await;
        Ok(InvitationPayload {
            id: ID(invited.invitation.id.to_string()),
            email: invited.invitation.email.clone(),
            role: role.into(),
            expires_at: invited.invitation.expires_at,
        })
    }

    /// Joins an organisation with the token of an invitation, as the account
    /// of the invited address (verified). Errors: BAD_USER_INPUT (token:
    /// expired, used or unknown), FORBIDDEN (the account's address is another
    /// one, or not yet verified: the message says which; the invitation stays
    /// valid for the invited person).
    async fn accept_invitation(&self, ctx: &Context<'_>, token: String) -> Result<Membership> {
        let (actor, state) = acting(ctx)?;
        let membership = memberships::accept(&state.db, &actor, &token)
            .await
            .gql(ctx)?;
        Ok(membership.into())
    }

    /// Changes a member's role. Admins only; the last admin stays admin
    /// (CONFLICT on userId), even when two admins demote each other at once.
    async fn change_member_role(
        &self,
        ctx: &Context<'_>,
        organization_id: ID,
        user_id: ID,
        role: MembershipRole,
    ) -> Result<Membership> {
        let (actor, state) = acting(ctx)?;
        let organization_id = id_arg(ctx, &organization_id, "organizationId")?;
        let user_id = id_arg(ctx, &user_id, "userId")?;
        let role = domain::MembershipRole::from(role);
        let membership =
            memberships::change_role(&state.db, &actor, organization_id, user_id, role.as_str())
                .await
                .gql(ctx)?;
        Ok(membership.into())
    }

    /// Removes a member (admins), or leaves (anyone, for themselves). The
    /// last admin stays (CONFLICT on userId).
    async fn remove_member(
        &self,
        ctx: &Context<'_>,
        organization_id: ID,
        user_id: ID,
    ) -> Result<bool> {
        let (actor, state) = acting(ctx)?;
        let organization_id = id_arg(ctx, &organization_id, "organizationId")?;
        let user_id = id_arg(ctx, &user_id, "userId")?;
        memberships::remove(&state.db, &actor, organization_id, user_id)
            .await
            .gql(ctx)?;
        Ok(true)
    }

    /// Publishes an offer for an organisation. Its members only.
    async fn create_offer(
        &self,
        ctx: &Context<'_>,
        organization_id: ID,
        input: OfferInput,
    ) -> Result<Offer> {
        let (actor, state) = acting(ctx)?;
        let organization_id = id_arg(ctx, &organization_id, "organizationId")?;
        let input = domain::OfferInput::from(input);
        Ok(Offer(
            offers::create(&state.db, &actor, organization_id, &input)
                .await
                .gql(ctx)?,
        ))
    }

    /// Replaces an offer's content. Its organisation's members only.
    async fn update_offer(&self, ctx: &Context<'_>, id: ID, input: OfferInput) -> Result<Offer> {
        let (actor, state) = acting(ctx)?;
        let id = id_arg(ctx, &id, "id")?;
        let input = domain::OfferInput::from(input);
        Ok(Offer(
            offers::update(&state.db, &actor, id, &input)
                .await
                .gql(ctx)?,
        ))
    }

    /// Closes an offer. Its organisation's members only.
    async fn close_offer(&self, ctx: &Context<'_>, id: ID) -> Result<Offer> {
        let (actor, state) = acting(ctx)?;
        let id = id_arg(ctx, &id, "id")?;
        Ok(Offer(offers::close(&state.db, &actor, id).await.gql(ctx)?))
    }

    /// Publishes a need for an organisation. Its members only.
    async fn create_need(
        &self,
        ctx: &Context<'_>,
        organization_id: ID,
        input: NeedInput,
    ) -> Result<Need> {
        let (actor, state) = acting(ctx)?;
        let organization_id = id_arg(ctx, &organization_id, "organizationId")?;
        let input = domain::NeedInput::from(input);
        Ok(Need(
            needs::create(&state.db, &actor, organization_id, &input)
                .await
                .gql(ctx)?,
        ))
    }

    /// Replaces a need's content. Its organisation's members only.
    async fn update_need(&self, ctx: &Context<'_>, id: ID, input: NeedInput) -> Result<Need> {
        let (actor, state) = acting(ctx)?;
        let id = id_arg(ctx, &id, "id")?;
        let input = domain::NeedInput::from(input);
        Ok(Need(
            needs::update(&state.db, &actor, id, &input)
                .await
                .gql(ctx)?,
        ))
    }

    /// Closes a need. Its organisation's members only.
    async fn close_need(&self, ctx: &Context<'_>, id: ID) -> Result<Need> {
        let (actor, state) = acting(ctx)?;
        let id = id_arg(ctx, &id, "id")?;
        Ok(Need(needs::close(&state.db, &actor, id).await.gql(ctx)?))
    }

    /// Records the outcome of checking an organisation (moderators only):
    /// VERIFIED or REJECTED, with the source checked.
    async fn verify_organization(
        &self,
        ctx: &Context<'_>,
        id: ID,
        status: VerificationStatus,
        source: String,
        #[graphql(default)] runts_registered: bool,
    ) -> Result<Organization> {
        let (actor, state) = acting(ctx)?;
        let id = id_arg(ctx, &id, "id")?;
        Ok(Organization(
            moderation::verify_organization(
                &state.db,
                &actor,
                id,
                status.into(),
                &source,
                runts_registered,
            )
            .await
            .gql(ctx)?,
        ))
    }

    /// Hides abusive content from public view, with a reason, or shows it
    /// again (moderators only). Nothing is deleted.
    async fn set_hidden(
        &self,
        ctx: &Context<'_>,
        kind: HideableKind,
        id: ID,
        hidden: bool,
        reason: Option<String>,
    ) -> Result<bool> {
        let (actor, state) = acting(ctx)?;
        let id = id_arg(ctx, &id, "id")?;
        let what = match kind {
            HideableKind::Organization => moderation::Hideable::Organization,
            HideableKind::Offer => moderation::Hideable::Offer,
            HideableKind::Need => moderation::Hideable::Need,
        };
        moderation::set_hidden(&state.db, &actor, what, id, hidden, reason.as_deref())
            .await
            .gql(ctx)?;
        Ok(true)
    }
}
