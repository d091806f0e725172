//! Who may do what. Anonymous visitors read public data; members of an
//! organisation create and edit its offers and needs; its admins also edit
//! its profile and manage members and invitations; platform moderators
//! verify organisations and hide abusive content. Every check returns
//! UNAUTHENTICATED for anonymous callers and FORBIDDEN for signed-in ones
//! without the right.

use sea_orm::ConnectionTrait;
use uuid::Uuid;

use super::Actor;
use crate::domain::MembershipRole;
use crate::error::AppError;
use crate::store::entities::users;
use crate::store::{accounts, memberships};

/// The signed-in user behind an actor, or UNAUTHENTICATED.
pub fn signed_in(actor: Option<&Actor>) -> Result<(&Actor, Uuid), AppError> {
    match actor {
        Some(actor) => match actor.user_id {
            Some(id) => Ok((actor, id)),
            None => Err(AppError::Unauthenticated),
        },
        None => Err(AppError::Unauthenticated),
    }
}

/// The user's role in the organisation, if they belong to it.
pub async fn role_in(
    db: &impl ConnectionTrait,
    user_id: Uuid,
    organization_id: Uuid,
) -> Result<Option<MembershipRole>, AppError> {
    let membership = memberships::find(db, organization_id, user_id).await?;
    Ok(membership.map(|m| m.role))
}

/// A signed-in user with a verified e-mail address: what it takes to publish.
pub async fn verified_user(
    db: &impl ConnectionTrait,
    actor: Option<&Actor>,
) -> Result<users::Model, AppError> {
    let (_, user_id) = signed_in(actor)?;
    let user = accounts::find_active(db, user_id)
        .await?
        .ok_or(AppError::Unauthenticated)?;
    if user.email_verified_at.is_none() {
        return Err(AppError::refused(
            "conferma prima il tuo indirizzo e-mail con il link che ti abbiamo mandato (puoi chiederne uno nuovo)",
            "confirm your e-mail address first, with the link we sent you (you can ask for a new one)",
        ));
    }
    Ok(user)
}

/// The caller belongs to the organisation (any role).
pub async fn require_member(
    db: &impl ConnectionTrait,
    actor: Option<&Actor>,
    organization_id: Uuid,
) -> Result<MembershipRole, AppError> {
    let (_, user_id) = signed_in(actor)?;
    role_in(db, user_id, organization_id)
        .await?
        .ok_or(AppError::Forbidden(
            "only members of the organisation may do this",
        ))
}

/// The caller is an admin of the organisation.
pub async fn require_admin(
    db: &impl ConnectionTrait,
    actor: Option<&Actor>,
    organization_id: Uuid,
) -> Result<(), AppError> {
    match require_member(db, actor, organization_id).await? {
        MembershipRole::Admin => Ok(()),
        MembershipRole::Member => Err(AppError::Forbidden(
            "only the organisation's admins may do this",
        )),
    }
}

/// The caller is a platform moderator.
pub async fn require_moderator(
    db: &impl ConnectionTrait,
    actor: Option<&Actor>,
) -> Result<(), AppError> {
    let (_, user_id) = signed_in(actor)?;
    let is_moderator = accounts::find_active(db, user_id)
        .await?
        .is_some_and(|u| u.is_moderator);
    if is_moderator {
        Ok(())
    } else {
        Err(AppError::Forbidden("only moderators may do this"))
    }
}

/// May `actor` act for the organisation with `role`? The platform itself
/// (seed, import) may; a user must have a verified address and hold the role
/// there: any member publishes, only admins edit the profile.
pub async fn authorize(
    db: &impl ConnectionTrait,
    actor: &Actor,
    organization_id: Uuid,
    role: MembershipRole,
) -> Result<(), AppError> {
    if actor.user_id.is_none() {
        return Ok(());
    }
    verified_user(db, Some(actor)).await?;
    match role {
        MembershipRole::Member => require_member(db, Some(actor), organization_id)
            .await
            .map(|_| ()),
        MembershipRole::Admin => require_admin(db, Some(actor), organization_id).await,
    }
}
