//! Members of an organisation: invitations by e-mail, accepting them, changing
//! roles and removing members. Only the organisation's admins manage members;
//! the last admin can neither leave nor be demoted, so no organisation is
//! left without someone who can manage it.

use chrono::Duration;
use sea_orm::{ConnectionTrait, DatabaseConnection, DatabaseTransaction, TransactionTrait};
use serde_json::json;
use uuid::Uuid;

use super::{Actor, audit, new_id, now, permissions, tokens};
use crate::domain::{Email, Invalid, MembershipRole};
use crate::error::{AppError, Entity};
use crate::store;
use crate::store::entities::{invitations, memberships, organizations, users};
use crate::store::invitations::NewInvitation;

/// How long an invitation link works.
pub const INVITATION_LIFETIME: Duration = Duration::days(14);
const AUDIT_ENTITY: &str = "membership";

/// A new invitation, with the token for its e-mail link.
pub struct Invited {
    pub invitation: invitations::Model,
    pub organization: organizations::Model,
    pub inviter: users::Model,
    pub token: String,
}

/// Invites `email` to join the organisation with `role`. Admins only. Fails
/// with BAD_USER_INPUT on `email` or `role`, and CONFLICT on `email` when
/// that person is already a member.
#[tracing::instrument(skip_all, fields(%organization_id))]
pub async fn invite(
    db: &DatabaseConnection,
    actor: &Actor,
    organization_id: Uuid,
    email: &str,
    role: &str,
) -> Result<Invited, AppError> {
    let inviter = permissions::verified_user(db, Some(actor)).await?;
    let organization = super::organizations::get(db, organization_id, "organizationId").await?;
    permissions::require_admin(db, Some(actor), organization_id).await?;
    let email = Email::parse(email).map_err(|reason| AppError::invalid("email", reason))?;
    let role = MembershipRole::parse(role).map_err(|reason| AppError::invalid("role", reason))?;
    let already_member =
        store::memberships::has_member_with_email(db, organization_id, email.as_str()).await?;
    if already_member {
        return Err(AppError::conflict(
            "email",
            "questa persona fa già parte dell'organizzazione",
            "this person is already a member of the organisation",
        ));
    }
    let token = tokens::generate()?;
    let at = now();
    let txn = db.begin().await?;
    let new = NewInvitation {
        organization_id,
        email: email.as_str(),
        role,
        token_hash: token.hash,
        invited_by: inviter.id,
    };
    let invitation = store::invitations::insert(&txn, new, at, at + INVITATION_LIFETIME).await?;
    audit(
        &txn,
        actor,
        "membership.invite",
        AUDIT_ENTITY,
        invitation.id,
        json!({ "organizationId": organization_id, "email": invitation.email, "role": invitation.role }),
    )
    .await?;
    txn.commit().await?;
    Ok(Invited {
        invitation,
        organization,
        inviter,
        token: token.plain,
    })
}

/// Accepts an invitation as the signed-in user, who must hold the invited
/// address, verified: the link alone proves nothing, since it can be
/// forwarded or leaked. Fails with BAD_USER_INPUT on `token` when the link
/// is unknown, used, revoked or expired, and with FORBIDDEN (saying why)
/// when the account's address is another one or not yet verified; the
/// invitation then stays valid for the person it was sent to.
#[tracing::instrument(skip_all)]
pub async fn accept(
    db: &DatabaseConnection,
    actor: &Actor,
    token: &str,
) -> Result<memberships::Model, AppError> {
    let (_, user_id) = permissions::signed_in(Some(actor))?;
    let txn = db.begin().await?;
    let invitation = store::invitations::find_open_by_token(&txn, &tokens::hash(token))
        .await?
        .filter(|i| i.expires_at > now())
        .ok_or_else(|| AppError::invalid("token", Invalid::Expired))?;
    let user = store::accounts::find_active(&txn, user_id)
        .await?
        .ok_or(AppError::Unauthenticated)?;
    if !user.email.eq_ignore_ascii_case(&invitation.email) {
        let to = masked(&invitation.email);
        return Err(AppError::refused(
            format!(
                "questo invito è per un altro indirizzo e-mail ({to}): accedi con l'account di quell'indirizzo, oppure chiedi a chi ti ha invitato di mandare l'invito al tuo, o chiedi di entrare dalla pagina dell'organizzazione"
            ),
            format!(
                "this invitation is for another e-mail address ({to}): sign in with that address's account, ask whoever invited you to send the invitation to yours, or ask to join from the organisation's page"
            ),
        ));
    }
    // Unverified, the address is not proven yet.
    permissions::verified_user(&txn, Some(actor)).await?;
    let at = now();
    store::invitations::mark_accepted(&txn, invitation.clone(), at).await?;
    let existing = store::memberships::find(&txn, invitation.organization_id, user_id).await?;
    let membership = match existing {
        Some(existing) => existing,
        None => {
            store::memberships::insert(
                &txn,
                new_id(),
                invitation.organization_id,
                user_id,
                invitation.role,
                at,
            )
            .await?
        }
    };
    audit(
        &txn,
        actor,
        "membership.accept",
        AUDIT_ENTITY,
        membership.id,
        json!({ "organizationId": invitation.organization_id, "role": membership.role }),
    )
    .await?;
    txn.commit().await?;
    Ok(membership)
}

/// An address shown to someone who may not own it: the first character of
/// the local part and the domain (`c…@example.org`), enough for its owner
/// to recognise it.
pub fn masked(email: &str) -> String {
    match email.split_once('@') {
        Some((local, domain)) => {
            let first: String = local.chars().take(1).collect();
            format!("{first}…@{domain}")
        }
        None => "…".to_owned(),
    }
}

async fn membership_of(
    db: &impl ConnectionTrait,
    organization_id: Uuid,
    user_id: Uuid,
) -> Result<memberships::Model, AppError> {
    store::memberships::find(db, organization_id, user_id)
        .await?
        .ok_or_else(|| AppError::not_found(Entity::User, "userId"))
}

async fn admins(db: &impl ConnectionTrait, organization_id: Uuid) -> Result<u64, AppError> {
    Ok(store::memberships::count_admins(db, organization_id).await?)
}

fn last_admin() -> AppError {
    AppError::conflict(
        "userId",
        "è l'unico amministratore: nomina prima un altro amministratore",
        "this is the only admin: make someone else admin first",
    )
}

/// Changes a member's role. Admins only; the last admin cannot be demoted.
/// The check and the change run under the organisation's lock (see
/// [`organizations::lock`](super::organizations::lock)), so two admins
/// demoting each other at once leave one admin. Fails with NOT_FOUND on
/// `organizationId` or `userId`, FORBIDDEN for non-admins, CONFLICT on
/// `userId` for the last admin.
#[tracing::instrument(skip_all, fields(%organization_id, %user_id))]
pub async fn change_role(
    db: &DatabaseConnection,
    actor: &Actor,
    organization_id: Uuid,
    user_id: Uuid,
    role: &str,
) -> Result<memberships::Model, AppError> {
    permissions::signed_in(Some(actor))?;
    let role = MembershipRole::parse(role).map_err(|reason| AppError::invalid("role", reason))?;
    let txn = db.begin().await?;
    super::organizations::lock(&txn, organization_id, "organizationId").await?;
    // Checked under the lock: a concurrent demotion may just have taken the
    // actor's own admin role away.
    permissions::require_admin(&txn, Some(actor), organization_id).await?;
    let membership = membership_of(&txn, organization_id, user_id).await?;
    if membership.role == MembershipRole::Admin
        && role != MembershipRole::Admin
        && admins(&txn, organization_id).await? <= 1
    {
        return Err(last_admin());
    }
    let from = membership.role;
    let changed = store::memberships::set_role(&txn, membership, role, now()).await?;
    audit(
        &txn,
        actor,
        "membership.change_role",
        AUDIT_ENTITY,
        changed.id,
        json!({ "organizationId": organization_id, "userId": user_id, "role": { "from": from, "to": changed.role } }),
    )
    .await?;
    txn.commit().await?;
    Ok(changed)
}

/// Removes a member. Admins may remove anyone; anyone may leave. The last
/// admin may not go. Serialised like [`change_role`]; fails like it.
#[tracing::instrument(skip_all, fields(%organization_id, %user_id))]
pub async fn remove(
    db: &DatabaseConnection,
    actor: &Actor,
    organization_id: Uuid,
    user_id: Uuid,
) -> Result<(), AppError> {
    let (_, actor_id) = permissions::signed_in(Some(actor))?;
    let txn = db.begin().await?;
    super::organizations::lock(&txn, organization_id, "organizationId").await?;
    if actor_id != user_id {
        permissions::require_admin(&txn, Some(actor), organization_id).await?;
    }
    let membership = membership_of(&txn, organization_id, user_id).await?;
    if membership.role == MembershipRole::Admin && admins(&txn, organization_id).await? <= 1 {
        return Err(last_admin());
    }
    store::memberships::delete(&txn, membership.id).await?;
    audit(
        &txn,
        actor,
        "membership.remove",
        AUDIT_ENTITY,
        membership.id,
        json!({ "organizationId": organization_id, "userId": user_id }),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// Takes the memberships of a user who is deleting their account out of
/// their organisations, in the caller's transaction. Each organisation is
/// locked (in id order, so that two deletions never wait for each other in
/// a cycle) before its admins are counted. Fails with CONFLICT on
/// `organizationId`, naming the organisation, when the user is the last
/// admin of one that has other members: someone must be able to manage it.
/// The sole member of an organisation may go: it stays, without members,
/// and can be claimed again.
#[tracing::instrument(skip_all, fields(%user_id))]
pub async fn leave_all(txn: &DatabaseTransaction, user_id: Uuid) -> Result<(), AppError> {
    let mut own = store::memberships::of_user(txn, user_id).await?;
    own.sort_by_key(|m| m.organization_id);
    for membership in &own {
        if membership.role != MembershipRole::Admin {
            continue;
        }
        let organization =
            super::organizations::lock(txn, membership.organization_id, "organizationId").await;
        let organization = match organization {
            Ok(organization) => organization,
            // A deleted organisation needs nobody to manage it.
            Err(AppError::NotFound { .. }) => continue,
            Err(error) => return Err(error),
        };
        let members = store::memberships::count_members(txn, organization.id).await?;
        if members > 1 && admins(txn, organization.id).await? <= 1 {
            return Err(AppError::conflict(
                "organizationId",
                format!(
                    "sei l'unico amministratore di «{}»: nomina un altro amministratore prima di eliminare l'account",
                    organization.name
                ),
                format!(
                    "you are the only admin of “{}”: make someone else admin before deleting your account",
                    organization.name
                ),
            )
            .about_organization(organization.id));
        }
    }
    store::memberships::delete_of_user(txn, user_id).await?;
    Ok(())
}
