//! Accounts: users, their sign-in sessions and their single-use e-mail
//! tokens (verification and password-reset links).

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, SimpleExpr};
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, Set};
use uuid::Uuid;

use super::entities::{auth_sessions, email_tokens, users};
use super::{StoreResult, rows};
use crate::domain::{EmailTokenPurpose, Lang};

/// The account with this address, deleted or not (addresses stay taken).
pub async fn find_by_email(
    db: &impl ConnectionTrait,
    email: &str,
) -> StoreResult<Option<users::Model>> {
    let which = users::Column::Email.eq(email);
    rows::first::<users::Entity>(db, which, "accounts: find by email").await
}

/// The account with this address (compared lower-cased), unless deleted.
pub async fn find_active_by_email(
    db: &impl ConnectionTrait,
    email: &str,
) -> StoreResult<Option<users::Model>> {
    let which = Condition::all()
        .add(users::Column::Email.eq(email.to_lowercase()))
        .add(users::Column::DeletedAt.is_null());
    rows::first::<users::Entity>(db, which, "accounts: find active by email").await
}

/// The account with this id, unless deleted.
pub async fn find_active(db: &impl ConnectionTrait, id: Uuid) -> StoreResult<Option<users::Model>> {
    super::rows::existing_by_id::<users::Entity>(db, id, "accounts: find active by id").await
}

/// A new account, as validated by the service.
pub struct NewAccount<'a> {
    /// Lower-case.
    pub email: &'a str,
    pub display_name: &'a str,
    pub password_hash: String,
    pub locale: Lang,
}

/// Inserts a new account registered at `at`: not verified, not a
/// moderator. Fails with a unique violation when the address is taken.
pub async fn insert(
    db: &impl ConnectionTrait,
    new: NewAccount<'_>,
    at: DateTime<Utc>,
) -> StoreResult<users::Model> {
    let row = users::ActiveModel {
        id: Set(super::new_id()),
        email: Set(new.email.to_owned()),
        display_name: Set(new.display_name.to_owned()),
        password_hash: Set(Some(new.password_hash)),
        email_verified_at: Set(None),
        is_moderator: Set(false),
        locale: Set(new.locale),
        created_at: Set(at),
        updated_at: Set(at),
        deleted_at: Set(None),
    };
    super::rows::insert(db, row, "accounts: insert").await
}

/// Marks the account's address verified at `at`.
pub async fn mark_verified(
    db: &impl ConnectionTrait,
    user: users::Model,
    at: DateTime<Utc>,
) -> StoreResult<users::Model> {
    let mut row: users::ActiveModel = user.into();
    row.email_verified_at = Set(Some(at));
    row.updated_at = Set(at);
    super::rows::update(db, row, "accounts: mark verified").await
}

/// Sets a new password hash at `at`; an address not yet verified counts
/// as verified from `at` (receiving the reset link proves it).
pub async fn set_password(
    db: &impl ConnectionTrait,
    user: users::Model,
    password_hash: String,
    at: DateTime<Utc>,
) -> StoreResult<users::Model> {
    let verified = user.email_verified_at.is_some();
    let mut row: users::ActiveModel = user.into();
    row.password_hash = Set(Some(password_hash));
    if !verified {
        row.email_verified_at = Set(Some(at));
    }
    row.updated_at = Set(at);
    super::rows::update(db, row, "accounts: set password").await
}

/// Grants or withdraws the moderator role.
pub async fn set_moderator(
    db: &impl ConnectionTrait,
    user: users::Model,
    moderator: bool,
    at: DateTime<Utc>,
) -> StoreResult<users::Model> {
    let mut row: users::ActiveModel = user.into();
    row.is_moderator = Set(moderator);
    row.updated_at = Set(at);
    super::rows::update(db, row, "accounts: set moderator").await
}

/// Erases the personal data of an account and marks it deleted at `at`:
/// the row stays (records outlive it), with `email` (a placeholder that
/// keeps the column unique) and `display_name` in place of the person's.
pub async fn erase(
    db: &impl ConnectionTrait,
    user: users::Model,
    email: String,
    display_name: &str,
    at: DateTime<Utc>,
) -> StoreResult<users::Model> {
    let mut row: users::ActiveModel = user.into();
    row.email = Set(email);
    row.display_name = Set(display_name.to_owned());
    row.password_hash = Set(None);
    row.email_verified_at = Set(None);
    row.is_moderator = Set(false);
    row.updated_at = Set(at);
    row.deleted_at = Set(Some(at));
    super::rows::update(db, row, "accounts: erase").await
}

/// Inserts a single-use e-mail token of `purpose` (stored hashed), made at
/// `at` and valid until `expires_at`.
pub async fn insert_email_token(
    db: &impl ConnectionTrait,
    user_id: Uuid,
    purpose: EmailTokenPurpose,
    token_hash: String,
    at: DateTime<Utc>,
    expires_at: DateTime<Utc>,
) -> StoreResult<email_tokens::Model> {
    let row = email_tokens::ActiveModel {
        id: Set(super::new_id()),
        user_id: Set(user_id),
        purpose: Set(purpose),
        token_hash: Set(token_hash),
        created_at: Set(at),
        expires_at: Set(expires_at),
        used_at: Set(None),
    };
    super::rows::insert(db, row, "email tokens: insert").await
}

/// The unused token with this hash and purpose (expired or not: the caller
/// compares instants in Rust, the same on both databases).
pub async fn find_unused_email_token(
    db: &impl ConnectionTrait,
    token_hash: &str,
    purpose: EmailTokenPurpose,
) -> StoreResult<Option<email_tokens::Model>> {
    let which = Condition::all()
        .add(email_tokens::Column::TokenHash.eq(token_hash))
        .add(email_tokens::Column::Purpose.eq(purpose))
        .add(email_tokens::Column::UsedAt.is_null());
    rows::first::<email_tokens::Entity>(db, which, "email tokens: find unused").await
}

/// Marks a token used.
pub async fn mark_email_token_used(
    db: &impl ConnectionTrait,
    token: email_tokens::Model,
    at: DateTime<Utc>,
) -> StoreResult<()> {
    let mut used: email_tokens::ActiveModel = token.into();
    used.used_at = Set(Some(at));
    super::rows::update(db, used, "email tokens: mark used").await?;
    Ok(())
}

/// Deletes every e-mail token of a user.
pub async fn delete_email_tokens_of(db: &impl ConnectionTrait, user_id: Uuid) -> StoreResult<()> {
    let which = email_tokens::Column::UserId.eq(user_id);
    rows::delete::<email_tokens::Entity>(db, which, "email tokens: delete of user").await?;
    Ok(())
}

/// Inserts a sign-in session (its token stored hashed), begun and last
/// used at `at`, valid until `expires_at`.
pub async fn insert_session(
    db: &impl ConnectionTrait,
    user_id: Uuid,
    token_hash: String,
    at: DateTime<Utc>,
    expires_at: DateTime<Utc>,
) -> StoreResult<auth_sessions::Model> {
    let row = auth_sessions::ActiveModel {
        id: Set(super::new_id()),
        user_id: Set(user_id),
        token_hash: Set(token_hash),
        created_at: Set(at),
        expires_at: Set(expires_at),
        revoked_at: Set(None),
        last_used_at: Set(Some(at)),
    };
    super::rows::insert(db, row, "sessions: insert").await
}

/// The unrevoked session with this token hash (expired or not).
pub async fn find_unrevoked_session(
    db: &impl ConnectionTrait,
    token_hash: &str,
) -> StoreResult<Option<auth_sessions::Model>> {
    let which = Condition::all()
        .add(auth_sessions::Column::TokenHash.eq(token_hash))
        .add(auth_sessions::Column::RevokedAt.is_null());
    rows::first::<auth_sessions::Entity>(db, which, "sessions: find unrevoked by token").await
}

/// Revokes the session with this token hash, if it is not already.
pub async fn revoke_session(
    db: &impl ConnectionTrait,
    token_hash: &str,
    at: DateTime<Utc>,
) -> StoreResult<()> {
    let which = auth_sessions::Column::TokenHash.eq(token_hash);
    revoke_sessions(db, which, at, "sessions: revoke by token").await
}

/// Revokes the unrevoked sessions that `which` selects.
async fn revoke_sessions(
    db: &impl ConnectionTrait,
    which: SimpleExpr,
    at: DateTime<Utc>,
    what: &'static str,
) -> StoreResult<()> {
    let set = [(auth_sessions::Column::RevokedAt, Expr::value(at))];
    let which = Condition::all()
        .add(which)
        .add(auth_sessions::Column::RevokedAt.is_null());
    rows::set::<auth_sessions::Entity>(db, set, which, what).await?;
    Ok(())
}

/// Revokes every unrevoked session of a user.
pub async fn revoke_sessions_of(
    db: &impl ConnectionTrait,
    user_id: Uuid,
    at: DateTime<Utc>,
) -> StoreResult<()> {
    let which = auth_sessions::Column::UserId.eq(user_id);
    revoke_sessions(db, which, at, "sessions: revoke of user").await
}

/// A user's sessions, oldest first.
pub async fn sessions_of(
    db: &impl ConnectionTrait,
    user_id: Uuid,
) -> StoreResult<Vec<auth_sessions::Model>> {
    let which = auth_sessions::Column::UserId.eq(user_id);
    let order = [auth_sessions::Column::CreatedAt];
    rows::list::<auth_sessions::Entity>(db, which, order, "sessions: of user").await
}

/// Deletes every session of a user.
pub async fn delete_sessions_of(db: &impl ConnectionTrait, user_id: Uuid) -> StoreResult<()> {
    let which = auth_sessions::Column::UserId.eq(user_id);
    rows::delete::<auth_sessions::Entity>(db, which, "sessions: delete of user").await?;
    Ok(())
}

/// The accounts with these ids, deleted or not.
pub async fn by_ids(
    db: &impl ConnectionTrait,
    ids: impl IntoIterator<Item = Uuid>,
) -> StoreResult<Vec<users::Model>> {
    let which = users::Column::Id.is_in(ids);
    rows::all::<users::Entity>(db, which, "accounts: by ids").await
}
