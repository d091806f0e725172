//! Accounts: registration with e-mail verification, sign-in with opaque bearer
//! tokens, sign-out, password reset by e-mail, and the GDPR rights (export of
//! one's personal data, deletion of one's account while the organisations'
//! records are kept).
//!
//! Passwords are hashed with argon2id. Sign-in and reset never reveal whether
//! an address has an account: an unknown address costs the same hashing work
//! as a wrong password and gets the same answer.

use argon2::password_hash::phc::PasswordHash;
use argon2::{Argon2, PasswordHasher, PasswordVerifier};
use chrono::{DateTime, Duration, Utc};
use sea_orm::{ConnectionTrait, DatabaseConnection, TransactionTrait};
use serde_json::json;
use uuid::Uuid;

use super::{Actor, audit, conflict_on_unique, now, tokens};
use crate::domain::{Email, EmailTokenPurpose, Lang, NewUser, Password};
use crate::error::{AppError, Credentials, Entity};
use crate::policy::guards::{Limits, settle_wrong_password};
use crate::store;
use crate::store::accounts::NewAccount;
use crate::store::entities::{email_tokens, users};

/// How long a sign-in lasts.
pub const SESSION_LIFETIME: Duration = Duration::days(30);
/// How long an e-mail verification link works.
pub const VERIFY_LINK_LIFETIME: Duration = Duration::hours(48);
/// How long a password-reset link works.
pub const RESET_LINK_LIFETIME: Duration = Duration::minutes(60);

const AUDIT_USER: &str = "user";

/// What a new registration needs to send its verification e-mail.
pub struct Registered {
    pub user: users::Model,
    /// Goes into the verification link, nowhere else.
    pub verification_token: String,
}

/// A signed-in session.
pub struct Session {
    pub user: users::Model,
    /// The bearer token: shown to the client once, stored hashed.
    pub token: String,
    pub expires_at: DateTime<Utc>,
}

/// Argon2 costs tens of milliseconds of CPU by design: it runs on a
/// blocking thread, never on the async workers that serve every other
/// request (a burst of sign-ins would otherwise stall them all).
async fn off_workers<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, AppError> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| AppError::Internal(anyhow::anyhow!("password hashing thread: {e}")))
}

async fn hash_password(password: &Password) -> Result<String, AppError> {
    let password = password.clone();
    off_workers(move || {
        Argon2::default()
            .hash_password(password.expose().as_bytes())
            .map(|hash| hash.to_string())
            .map_err(|e| AppError::Internal(anyhow::anyhow!("hashing a password: {e}")))
    })
    .await?
}

/// Whether `password` matches `stored`. A malformed stored hash is an
/// internal error, not a wrong password.
async fn password_matches(password: &str, stored: &str) -> Result<bool, AppError> {
    let (password, stored) = (password.to_owned(), stored.to_owned());
    off_workers(move || password_matches_now(&password, &stored)).await?
}

fn password_matches_now(password: &str, stored: &str) -> Result<bool, AppError> {
    let parsed = PasswordHash::new(stored)
        .map_err(|e| AppError::Internal(anyhow::anyhow!("stored password hash unreadable: {e}")))?;
    Ok(Argon2::default()
        .verify_password(password.as_bytes(), &parsed)
        .is_ok())
}

/// Burns the same work as a real verification, so that an unknown address
/// answers as slowly as a wrong password.
async fn spend_verification_time(password: &str) {
    static DUMMY: std::sync::OnceLock<Option<String>> = std::sync::OnceLock::new();
    let password = password.to_owned();
    let _ = off_workers(move || {
        let dummy = DUMMY.get_or_init(|| {
            Argon2::default()
                .hash_password(b"not a real password, only a timing equaliser")
                .ok()
                .map(|h| h.to_string())
        });
        if let Some(dummy) = dummy {
            let _ = password_matches_now(&password, dummy);
        }
    })
    .await;
}

/// Registers an account. Fails with BAD_USER_INPUT (fields `email`,
/// `displayName`, `password`, `locale`) and with CONFLICT on `email` when the
/// address already has an account.
#[tracing::instrument(skip_all)]
pub async fn register(
    db: &DatabaseConnection,
    limits: &Limits,
    email: &str,
    display_name: &str,
    password: &str,
    locale: Lang,
) -> Result<Registered, AppError> {
    limits.register()?;
    let new = NewUser::parse(email, display_name, password)?;
    let password_hash = hash_password(&new.password).await?;
    let txn = db.begin().await?;
    let taken = store::accounts::find_by_email(&txn, new.email.as_str())
        .await?
        .is_some();
    if taken {
        return Err(email_taken());
    }
    let at = now();
    let account = NewAccount {
        email: new.email.as_str(),
        display_name: new.display_name.as_str(),
        password_hash,
        locale,
    };
    let user = store::accounts::insert(&txn, account, at)
        .await
        .map_err(conflict_on_unique(email_taken))?;
    let token = issue_email_token(&txn, user.id, AccountLink::Verification).await?;
    audit_by_user(
        &txn,
        &user,
        "user.register",
        json!({ "displayName": user.display_name }),
    )
    .await?;
    txn.commit().await?;
    Ok(Registered {
        user,
        verification_token: token,
    })
}

fn email_taken() -> AppError {
    AppError::conflict(
        "email",
        "esiste già un account con questo indirizzo: accedi o reimposta la password",
        "an account with this address already exists: sign in or reset the password",
    )
}

/// The links an account's owner receives by e-mail about the account.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AccountLink {
    /// Confirms the address (sent at registration, sent again on request).
    Verification,
    /// Sets a new password.
    PasswordReset,
}

impl AccountLink {
    fn purpose(self) -> EmailTokenPurpose {
        match self {
            Self::Verification => EmailTokenPurpose::VerifyEmail,
            Self::PasswordReset => EmailTokenPurpose::ResetPassword,
        }
    }

    fn lifetime(self) -> Duration {
        match self {
            Self::Verification => VERIFY_LINK_LIFETIME,
            Self::PasswordReset => RESET_LINK_LIFETIME,
        }
    }
}

async fn issue_email_token(
    txn: &impl ConnectionTrait,
    user_id: Uuid,
    link: AccountLink,
) -> Result<String, AppError> {
    let token = tokens::generate()?;
    let at = now();
    let expires_at = at + link.lifetime();
    store::accounts::insert_email_token(txn, user_id, link.purpose(), token.hash, at, expires_at)
        .await?;
    Ok(token.plain)
}

/// Consumes a single-use e-mail token of `purpose`; fails with
/// BAD_USER_INPUT on `token` when it is unknown, used, expired or for
/// another purpose (one message for all: the link no longer works).
async fn consume_email_token(
    txn: &impl ConnectionTrait,
    token: &str,
    purpose: EmailTokenPurpose,
) -> Result<email_tokens::Model, AppError> {
    let found =
        store::accounts::find_unused_email_token(txn, &tokens::hash(token), purpose).await?;
    let Some(found) = found.filter(|t| t.expires_at > now()) else {
        return Err(AppError::invalid("token", crate::domain::Invalid::Expired));
    };
    store::accounts::mark_email_token_used(txn, found.clone(), now()).await?;
    Ok(found)
}

/// Consumes the link's token and returns its account; BAD_USER_INPUT on
/// `token` when the link no longer works or its account is gone.
async fn account_of_link(
    txn: &impl ConnectionTrait,
    token: &str,
    purpose: EmailTokenPurpose,
) -> Result<users::Model, AppError> {
    let used = consume_email_token(txn, token, purpose).await?;
    store::accounts::find_active(txn, used.user_id)
        .await?
        .ok_or_else(|| AppError::invalid("token", crate::domain::Invalid::Expired))
}

/// Audits a change a person made to their own account.
async fn audit_by_user(
    txn: &impl ConnectionTrait,
    user: &users::Model,
    action: &str,
    details: serde_json::Value,
) -> Result<(), AppError> {
    audit(
        txn,
        &Actor::user(user.id, &user.email),
        action,
        AUDIT_USER,
        user.id,
        details,
    )
    .await
}

/// A new single-use token of a `link` for the account of `email`:
/// a verification link for an unverified account (to resend it) or a
/// password-reset link. `None` when there is no such account (or, for
/// verification, it is already verified): the caller answers the same
/// either way. RATE_LIMITED past the limits of that kind of link.
#[tracing::instrument(skip_all, fields(?link))]
pub async fn new_link_token(
    db: &DatabaseConnection,
    limits: &Limits,
    email: &str,
    link: AccountLink,
) -> Result<Option<(users::Model, String)>, AppError> {
    match link {
        AccountLink::Verification => limits.verification_mail(email)?,
        AccountLink::PasswordReset => limits.password_reset_mail(email)?,
    }
    let Ok(email) = Email::parse(email) else {
        return Ok(None);
    };
    let Some(user) = active_user_by_email(db, email.as_str()).await? else {
        return Ok(None);
    };
    if link == AccountLink::Verification && user.email_verified_at.is_some() {
        return Ok(None);
    }
    let token = issue_email_token(db, user.id, link).await?;
    Ok(Some((user, token)))
}

/// Marks the account's address as verified.
#[tracing::instrument(skip_all)]
pub async fn verify_email(db: &DatabaseConnection, token: &str) -> Result<users::Model, AppError> {
    let txn = db.begin().await?;
    let user = account_of_link(&txn, token, EmailTokenPurpose::VerifyEmail).await?;
    let user = store::accounts::mark_verified(&txn, user, now()).await?;
    audit_by_user(&txn, &user, "user.verify_email", json!({})).await?;
    txn.commit().await?;
    Ok(user)
}

async fn active_user_by_email(
    db: &impl ConnectionTrait,
    email: &str,
) -> Result<Option<users::Model>, AppError> {
    Ok(store::accounts::find_active_by_email(db, email).await?)
}

/// Signs in. Fails with UNAUTHENTICATED ("wrong e-mail or password"), with
/// one message for an unknown address and a wrong password alike, and with
/// RATE_LIMITED past the failures' limits (successes never count).
#[tracing::instrument(skip_all)]
pub async fn login(
    db: &DatabaseConnection,
    limits: &Limits,
    email: &str,
    password: &str,
) -> Result<Session, AppError> {
    let attempt = limits.sign_in(email)?;
    let result = sign_in(db, email, password).await;
    attempt.settle(&result);
    result
}

async fn sign_in(
    db: &DatabaseConnection,
    email: &str,
    password: &str,
) -> Result<Session, AppError> {
    let user = match Email::parse(email) {
        Ok(email) => active_user_by_email(db, email.as_str()).await?,
        Err(_) => None,
    };
    let wrong = AppError::WrongCredentials(Credentials::EmailAndPassword);
    let Some(user) = user else {
        spend_verification_time(password).await;
        return Err(wrong);
    };
    let Some(stored) = &user.password_hash else {
        spend_verification_time(password).await;
        return Err(wrong);
    };
    if !password_matches(password, stored).await? {
        return Err(wrong);
    }
    let token = tokens::generate()?;
    let at = now();
    let expires_at = at + SESSION_LIFETIME;
    store::accounts::insert_session(db, user.id, token.hash, at, expires_at).await?;
    Ok(Session {
        user,
        token: token.plain,
        expires_at,
    })
}

/// The user a bearer token belongs to, if the token is valid: known, not
/// revoked, not expired, and its user not deleted.
#[tracing::instrument(skip_all)]
pub async fn authenticate(
    db: &DatabaseConnection,
    token: &str,
) -> Result<Option<users::Model>, AppError> {
    let Some(session) = store::accounts::find_unrevoked_session(db, &tokens::hash(token)).await?
    else {
        return Ok(None);
    };
    if session.expires_at <= now() {
        return Ok(None);
    }
    Ok(store::accounts::find_active(db, session.user_id).await?)
}

/// Revokes the session of this token (signing out). Unknown tokens are fine:
/// signing out twice is not an error.
#[tracing::instrument(skip_all)]
pub async fn logout(db: &DatabaseConnection, token: &str) -> Result<(), AppError> {
    store::accounts::revoke_session(db, &tokens::hash(token), now()).await?;
    Ok(())
}

/// Sets a new password with a reset token and signs out every session. Fails
/// with BAD_USER_INPUT on `token` (link no longer valid) or `password`.
#[tracing::instrument(skip_all)]
pub async fn reset_password(
    db: &DatabaseConnection,
    token: &str,
    new_password: &str,
) -> Result<users::Model, AppError> {
    let password =
        Password::parse(new_password).map_err(|reason| AppError::invalid("password", reason))?;
    let password_hash = hash_password(&password).await?;
    let txn = db.begin().await?;
    let user = account_of_link(&txn, token, EmailTokenPurpose::ResetPassword).await?;
    // Receiving the link proves the address: the store marks it verified.
    let user = store::accounts::set_password(&txn, user, password_hash, now()).await?;
    store::accounts::revoke_sessions_of(&txn, user.id, now()).await?;
    audit_by_user(&txn, &user, "user.reset_password", json!({})).await?;
    txn.commit().await?;
    Ok(user)
}

/// The signed-in user's record. Fails with NOT_FOUND when the account is gone.
pub async fn get(db: &impl ConnectionTrait, id: Uuid) -> Result<users::Model, AppError> {
    store::accounts::find_active(db, id)
        .await?
        .ok_or_else(|| AppError::not_found(Entity::User, "id"))
}

/// What an export puts in place of someone else's e-mail address.
pub const OTHER_PERSON_ADDRESS: &str =
    "(indirizzo di un'altra persona, omesso / another person's address, left out)";

/// Replaces every e-mail address in `value` that is not `own` with
/// [`OTHER_PERSON_ADDRESS`]; returns how many it replaced.
fn redact_other_addresses(value: &mut serde_json::Value, own: &str) -> usize {
    match value {
        serde_json::Value::String(text) => match Email::parse(text) {
            Ok(address) if !address.as_str().eq_ignore_ascii_case(own) => {
                *text = OTHER_PERSON_ADDRESS.to_owned();
                1
            }
            _ => 0,
        },
        serde_json::Value::Array(items) => items
            .iter_mut()
            .map(|item| redact_other_addresses(item, own))
            .sum(),
        serde_json::Value::Object(fields) => fields
            .values_mut()
            .map(|field| redact_other_addresses(field, own))
            .sum(),
        _ => 0,
    }
}

/// Everything Trama holds about a person (GDPR art. 15 and 20), as JSON:
/// account, memberships, requests to join or claim organisations, sessions
/// (without tokens) and their audit trail. It holds that person's data only:
/// other people's e-mail addresses that their actions mention (such as the
/// people they invited) are replaced by [`OTHER_PERSON_ADDRESS`], and
/// `omitted` says so, in Italian and English.
#[tracing::instrument(skip_all, fields(%user_id))]
pub async fn export_personal_data(
    db: &DatabaseConnection,
    user_id: Uuid,
) -> Result<serde_json::Value, AppError> {
    let user = get(db, user_id).await?;
    let memberships = store::memberships::of_user_with_organizations(db, user_id).await?;
    let sessions = store::accounts::sessions_of(db, user_id).await?;
    let requests =
        super::organization_requests::mine(db, Some(&Actor::user(user_id, &user.email))).await?;
    let actions = store::audit::by_actor(db, user_id).await?;
    let mut actions: Vec<serde_json::Value> = actions
        .iter()
        .map(|a| {
            json!({
                "at": a.created_at,
                "action": a.action,
                "entityType": a.entity_type,
                "entityId": a.entity_id,
                "changes": a.changes,
            })
        })
        .collect();
    let left_out: usize = actions
        .iter_mut()
        .map(|a| redact_other_addresses(&mut a["changes"], &user.email))
        .sum();
    let omitted = if left_out == 0 {
        Vec::new()
    } else {
        vec![json!({
            "where": "actions[].changes",
            "count": left_out,
            "it": "Le azioni registrate citano indirizzi e-mail di altre persone (per esempio \
                   di chi hai invitato): sono dati loro, non tuoi, e al loro posto trovi \
                   l'indicazione che sono stati omessi.",
            "en": "Your recorded actions mention other people's e-mail addresses (such as \
                   those of people you invited): they are their data, not yours, so a note \
                   that they were left out stands in their place.",
        })]
    };
    Ok(json!({
        "exportedAt": now(),
        "account": {
            "id": user.id,
            "email": user.email,
            "displayName": user.display_name,
            "emailVerifiedAt": user.email_verified_at,
            "isModerator": user.is_moderator,
            "locale": user.locale,
            "createdAt": user.created_at,
            "updatedAt": user.updated_at,
        },
        "memberships": memberships.iter().map(|(m, org)| json!({
            "organizationId": m.organization_id,
            "organizationName": org.as_ref().map(|o| o.name.clone()),
            "role": m.role,
            "since": m.created_at,
        })).collect::<Vec<_>>(),
        "organizationRequests": requests.iter().map(|r| json!({
            "organizationId": r.request.organization_id,
            "organizationName": r.organization.name,
            "kind": r.request.kind,
            "status": r.request.status,
            "message": r.request.message,
            "createdAt": r.request.created_at,
            "decidedAt": r.request.decided_at,
            "decidedVia": r.request.decided_via,
            "declineReason": r.request.decline_reason,
        })).collect::<Vec<_>>(),
        "sessions": sessions.iter().map(|s| json!({
            "createdAt": s.created_at,
            "expiresAt": s.expires_at,
            "revokedAt": s.revoked_at,
            "lastUsedAt": s.last_used_at,
        })).collect::<Vec<_>>(),
        "actions": actions,
        "omitted": omitted,
    }))
}

/// Deletes an account (GDPR art. 17) after checking its password: personal
/// data is erased, sessions, tokens and memberships go, and the audit trail
/// keeps the actions under an anonymous label. Organisations, offers and needs
/// the person created stay: they belong to the organisations. Fails with
/// UNAUTHENTICATED on `password` when it is wrong, and with CONFLICT on
/// `organizationId` while the person is the last admin of an organisation
/// that has other members (see [`super::memberships::leave_all`]), and with
/// RATE_LIMITED after too many wrong passwords.
#[tracing::instrument(skip_all, fields(%user_id))]
pub async fn delete_account(
    db: &DatabaseConnection,
    limits: &Limits,
    user_id: Uuid,
    password: &str,
) -> Result<(), AppError> {
    let permit = limits.delete_account(user_id)?;
    let result = erase_account(db, user_id, password).await;
    settle_wrong_password(permit, &result);
    result
}

async fn erase_account(
    db: &DatabaseConnection,
    user_id: Uuid,
    password: &str,
) -> Result<(), AppError> {
    let user = get(db, user_id).await?;
    let confirmed = match &user.password_hash {
        Some(stored) => password_matches(password, stored).await?,
        None => false,
    };
    if !confirmed {
        return Err(AppError::WrongCredentials(Credentials::Password));
    }
    let txn = db.begin().await?;
    store::accounts::delete_sessions_of(&txn, user_id).await?;
    store::accounts::delete_email_tokens_of(&txn, user_id).await?;
    super::memberships::leave_all(&txn, user_id).await?;
    super::organization_requests::withdraw_all(&txn, user_id).await?;
    store::audit::relabel_actor(&txn, user_id, DELETED_LABEL).await?;
    let at = now();
    let placeholder = format!("deleted-{}@invalid", user_id.simple());
    store::accounts::erase(&txn, user, placeholder, DELETED_LABEL, at).await?;
    audit(
        &txn,
        &Actor {
            user_id: Some(user_id),
            label: DELETED_LABEL.to_owned(),
        },
        "user.delete",
        AUDIT_USER,
        user_id,
        json!({}),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// How a deleted account appears in records that outlive it.
pub const DELETED_LABEL: &str = "utente eliminato";

/// Grants or withdraws the moderator role (from the command line: the first
/// moderator cannot be appointed through the API). Fails with NOT_FOUND on
/// `email` when there is no such account.
#[tracing::instrument(skip_all, fields(moderator))]
pub async fn set_moderator(
    db: &DatabaseConnection,
    email: &str,
    moderator: bool,
) -> Result<users::Model, AppError> {
    let email = Email::parse(email).map_err(|reason| AppError::invalid("email", reason))?;
    let user = active_user_by_email(db, email.as_str())
        .await?
        .ok_or_else(|| AppError::not_found(Entity::User, "email"))?;
    let txn = db.begin().await?;
    let user = store::accounts::set_moderator(&txn, user, moderator, now()).await?;
    audit(
        &txn,
        &Actor::system("cli"),
        if moderator {
            "user.grant_moderator"
        } else {
            "user.revoke_moderator"
        },
        AUDIT_USER,
        user.id,
        json!({ "isModerator": moderator }),
    )
    .await?;
    txn.commit().await?;
    Ok(user)
}
