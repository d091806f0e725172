//! The one-click links a digest carries: unsubscribe and match feedback,
//! honoured without login through the digest's token.

use sea_orm::{ConnectionTrait, DatabaseConnection};
use uuid::Uuid;

use crate::domain::{DigestFrequency, FeedbackSource, FeedbackVerdict, Lang};
use crate::error::AppError;
use crate::services::{Actor, now, tokens};
use crate::store::digests as store;
use crate::store::entities::users;
use crate::store::rows::existing_by_id;

use super::planning::sent_items;
use super::settings::{
    DigestSettingsInput, find_subscription, frequency_of, subscription, update_settings,
};
use super::{EXISTING_USER, ITEM_MATCH};

// ------------------------------------------------------------------ links

/// The owner of a digest link token, when it is valid.
async fn link_owner(
    db: &impl ConnectionTrait,
    token: &str,
) -> Result<Option<users::Model>, AppError> {
    if token.is_empty() || token.len() > 100 {
        return Ok(None);
    }
    let found = store::link_token(db, tokens::hash(token)).await?;
    let Some(found) = found.filter(|t| t.expires_at > now()) else {
        return Ok(None);
    };
    Ok(existing_by_id::<users::Entity>(db, found.user_id, EXISTING_USER).await?)
}

/// The language of a link's page: the owner's digest language.
pub async fn link_lang(db: &DatabaseConnection, token: &str) -> Lang {
    match link_owner(db, token).await {
        Ok(Some(user)) => match find_subscription(db, user.id).await {
            Ok(Some(sub)) => sub.language,
            _ => user.locale,
        },
        _ => Lang::default(),
    }
}

/// Whether a link token is valid (for the confirmation page).
pub async fn link_is_valid(db: &DatabaseConnection, token: &str) -> Result<bool, AppError> {
    Ok(link_owner(db, token).await?.is_some())
}

/// Turns the token owner's digests off. Fails with BAD_USER_INPUT on
/// `token` when it is unknown or expired. Idempotent.
#[tracing::instrument(skip_all)]
pub async fn unsubscribe(db: &DatabaseConnection, token: &str) -> Result<Lang, AppError> {
    let user = link_owner(db, token)
        .await?
        .ok_or_else(|| AppError::invalid("token", crate::domain::Invalid::Expired))?;
    let sub = subscription(db, &user).await?;
    let lang = sub.language;
    if frequency_of(&sub) != DigestFrequency::Off {
        let actor = Actor {
            user_id: Some(user.id),
            label: format!("{} (unsubscribe link)", user.email),
        };
        update_settings(
            db,
            Some(&actor),
            &DigestSettingsInput {
                frequency: Some(DigestFrequency::Off),
                ..DigestSettingsInput::default()
            },
        )
        .await?;
    }
    store::mark_token_used(db, tokens::hash(token), now()).await?;
    Ok(lang)
}

/// Checks a feedback link without recording anything (the page a GET
/// shows: mail scanners open links, so only the button's POST records).
/// Returns the language of the page. Fails as [`feedback`] does.
#[tracing::instrument(skip_all, fields(%match_id))]
pub async fn check_feedback(
    db: &DatabaseConnection,
    token: &str,
    match_id: Uuid,
) -> Result<Lang, AppError> {
    feedback_owner(db, token, match_id)
        .await
        .map(|(_, lang)| lang)
}

async fn feedback_owner(
    db: &DatabaseConnection,
    token: &str,
    match_id: Uuid,
) -> Result<(users::Model, Lang), AppError> {
    let user = link_owner(db, token)
        .await?
        .ok_or_else(|| AppError::invalid("token", crate::domain::Invalid::Expired))?;
    let lang = match find_subscription(db, user.id).await? {
        Some(sub) => sub.language,
        None => user.locale,
    };
    if sent_items(db, user.id, &[ITEM_MATCH], Some(&[match_id]))
        .await?
        .is_empty()
    {
        return Err(AppError::not_found(crate::error::Entity::Match, "match"));
    }
    Ok((user, lang))
}

/// Records the token owner's verdict on a match of one of their digests
/// (source `email`). Fails with BAD_USER_INPUT on `token` when it is
/// unknown or expired, NOT_FOUND on `match` when the match was in no digest
/// of theirs, FORBIDDEN when they no longer belong to either side.
#[tracing::instrument(skip_all, fields(%match_id, ?verdict))]
pub async fn feedback(
    db: &DatabaseConnection,
    token: &str,
    match_id: Uuid,
    verdict: FeedbackVerdict,
) -> Result<Lang, AppError> {
    let (user, lang) = feedback_owner(db, token, match_id).await?;
    crate::services::matches::record_feedback(
        db,
        &Actor::user(user.id, &user.email),
        match_id,
        verdict,
        FeedbackSource::Email,
    )
    .await?;
    Ok(lang)
}
