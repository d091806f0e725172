//! Accounts: users, their sign-in sessions and their single-use e-mail
//! tokens (verification and password-reset links).

use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use super::entities::{auth_sessions, email_tokens, users};
use super::{Context, StoreResult};

/// The account with this address, deleted or not (addresses stay taken).
pub async fn find_by_email(
    db: &impl ConnectionTrait,
    email: &str,
) -> StoreResult<Option<users::Model>> {
    users::Entity::find()
        .filter(users::Column::Email.eq(email))
        .one(db)
        .await
        .context("accounts: find by email")
}

/// The account with this address (compared lower-cased), unless deleted.
pub async fn find_active_by_email(
    db: &impl ConnectionTrait,
    email: &str,
) -> StoreResult<Option<users::Model>> {
    users::Entity::find()
        .filter(users::Column::Email.eq(email.to_lowercase()))
        .filter(users::Column::DeletedAt.is_null())
        .one(db)
        .await
        .context("accounts: find active by email")
}

/// The account with this id, unless deleted.
pub async fn find_active(db: &impl ConnectionTrait, id: Uuid) -> StoreResult<Option<users::Model>> {
    users::Entity::find_by_id(id)
        .filter(users::Column::DeletedAt.is_null())
        .one(db)
        .await
        .context("accounts: find active by id")
}

/// Inserts a new account.
pub async fn insert(
    db: &impl ConnectionTrait,
    row: users::ActiveModel,
) -> StoreResult<users::Model> {
    super::rows::insert(db, row, "accounts: insert").await
}

/// Writes the changed columns of an account.
pub async fn update(
    db: &impl ConnectionTrait,
    row: users::ActiveModel,
) -> StoreResult<users::Model> {
    super::rows::update(db, row, "accounts: update").await
}

/// Inserts a single-use e-mail token.
pub async fn insert_email_token(
    db: &impl ConnectionTrait,
    row: email_tokens::ActiveModel,
) -> StoreResult<email_tokens::Model> {
    super::rows::insert(db, row, "email tokens: insert").await
}

/// The unused token with this hash and purpose (expired or not: the caller
/// compares instants in Rust, the same on both databases).
pub async fn find_unused_email_token(
    db: &impl ConnectionTrait,
    token_hash: &str,
    purpose: &str,
) -> StoreResult<Option<email_tokens::Model>> {
    email_tokens::Entity::find()
        .filter(email_tokens::Column::TokenHash.eq(token_hash))
        .filter(email_tokens::Column::Purpose.eq(purpose))
        .filter(email_tokens::Column::UsedAt.is_null())
        .one(db)
        .await
        .context("email tokens: find unused")
}

/// Marks a token used.
pub async fn mark_email_token_used(
    db: &impl ConnectionTrait,
    token: email_tokens::Model,
    at: DateTime<Utc>,
) -> StoreResult<()> {
    let mut used: email_tokens::ActiveModel = token.into();
    used.used_at = sea_orm::Set(Some(at));
    super::rows::update(db, used, "email tokens: mark used").await?;
    Ok(())
}

/// Deletes every e-mail token of a user.
pub async fn delete_email_tokens_of(db: &impl ConnectionTrait, user_id: Uuid) -> StoreResult<()> {
    email_tokens::Entity::delete_many()
        .filter(email_tokens::Column::UserId.eq(user_id))
        .exec(db)
        .await
        .context("email tokens: delete of user")?;
    Ok(())
}

/// Inserts a sign-in session.
pub async fn insert_session(
    db: &impl ConnectionTrait,
    row: auth_sessions::ActiveModel,
) -> StoreResult<auth_sessions::Model> {
    super::rows::insert(db, row, "sessions: insert").await
}

/// The unrevoked session with this token hash (expired or not).
pub async fn find_unrevoked_session(
    db: &impl ConnectionTrait,
    token_hash: &str,
) -> StoreResult<Option<auth_sessions::Model>> {
    auth_sessions::Entity::find()
        .filter(auth_sessions::Column::TokenHash.eq(token_hash))
        .filter(auth_sessions::Column::RevokedAt.is_null())
        .one(db)
        .await
        .context("sessions: find unrevoked by token")
}

/// Revokes the session with this token hash, if it is not already.
pub async fn revoke_session(
    db: &impl ConnectionTrait,
    token_hash: &str,
    at: DateTime<Utc>,
) -> StoreResult<()> {
    auth_sessions::Entity::update_many()
        .col_expr(auth_sessions::Column::RevokedAt, Expr::value(at))
        .filter(auth_sessions::Column::TokenHash.eq(token_hash))
        .filter(auth_sessions::Column::RevokedAt.is_null())
        .exec(db)
        .await
        .context("sessions: revoke by token")?;
    Ok(())
}

/// Revokes every unrevoked session of a user.
pub async fn revoke_sessions_of(
    db: &impl ConnectionTrait,
    user_id: Uuid,
    at: DateTime<Utc>,
) -> StoreResult<()> {
    auth_sessions::Entity::update_many()
        .col_expr(auth_sessions::Column::RevokedAt, Expr::value(at))
        .filter(auth_sessions::Column::UserId.eq(user_id))
        .filter(auth_sessions::Column::RevokedAt.is_null())
        .exec(db)
        .await
        .context("sessions: revoke of user")?;
    Ok(())
}

/// A user's sessions, oldest first.
pub async fn sessions_of(
    db: &impl ConnectionTrait,
    user_id: Uuid,
) -> StoreResult<Vec<auth_sessions::Model>> {
    auth_sessions::Entity::find()
        .filter(auth_sessions::Column::UserId.eq(user_id))
        .order_by_asc(auth_sessions::Column::CreatedAt)
        .all(db)
        .await
        .context("sessions: of user")
}

/// Deletes every session of a user.
pub async fn delete_sessions_of(db: &impl ConnectionTrait, user_id: Uuid) -> StoreResult<()> {
    auth_sessions::Entity::delete_many()
        .filter(auth_sessions::Column::UserId.eq(user_id))
        .exec(db)
        .await
        .context("sessions: delete of user")?;
    Ok(())
}

/// The accounts with these ids, deleted or not.
pub async fn by_ids(
    db: &impl ConnectionTrait,
    ids: impl IntoIterator<Item = Uuid>,
) -> StoreResult<Vec<users::Model>> {
    users::Entity::find()
        .filter(users::Column::Id.is_in(ids))
        .all(db)
        .await
        .context("accounts: by ids")
}
