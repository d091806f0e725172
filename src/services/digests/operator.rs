//! What the `trama digests` commands need: a preview of what a user would
//! get, a dry run of what is due, and making a user's digest due now.

use chrono::{DateTime, TimeDelta, Utc};
use sea_orm::{DatabaseConnection, Set, TransactionTrait};
use uuid::Uuid;

use crate::config::Settings;
use crate::domain::{DeliveryStatus, DigestFrequency};
use crate::error::AppError;
use crate::mail::digest::{self as render, Digest};
use crate::search::Search;
use crate::services::{new_id, now};
use crate::store::digests as store;
use crate::store::entities::{digest_deliveries, digest_subscriptions, users};

use super::compose::compose;
use super::planning::{planned_items, previous_end, record_items};
use super::settings::{find_subscription, frequency_of, subscription};

/// The digest `user` would get now, rendered, without recording anything
/// (for `trama digests preview`). Items are those a digest planned now
/// would hold; the links carry a placeholder token that does not work.
/// `None` when there is nothing new.
pub async fn preview(
    db: &DatabaseConnection,
    search: &Search,
    settings: &Settings,
    email: &str,
) -> Result<Option<crate::mail::RenderedEmail>, AppError> {
    let user = user_by_email(db, email).await?;
    Ok(would_send(db, search, settings, &user, false)
        .await?
        .map(|digest| render::render(&digest)))
}

/// What `trama digests send --dry-run` finds for one user.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DryRun {
    /// A digest of this many items would go.
    Digest { items: usize },
    /// Nothing new: no digest.
    NothingNew,
    /// Digests are off (the user unsubscribed): nothing goes.
    Off,
    /// The address is not confirmed yet: nothing goes until it is.
    NotVerified,
}

/// What sending `user`'s digest now would do, recording nothing.
pub async fn dry_run(
    db: &DatabaseConnection,
    search: &Search,
    settings: &Settings,
    user: &users::Model,
) -> Result<DryRun, AppError> {
    if let Some(sub) = find_subscription(db, user.id).await?
        && frequency_of(&sub) == DigestFrequency::Off
    {
        return Ok(DryRun::Off);
    }
    if user.email_verified_at.is_none() {
        return Ok(DryRun::NotVerified);
    }
    Ok(match would_send(db, search, settings, user, true).await? {
        Some(digest) => DryRun::Digest {
            items: digest.item_count(),
        },
        None => DryRun::NothingNew,
    })
}

/// The digest a planning now would give `user`, composed as it would be
/// sent (`None`: nothing in it). Planned in a transaction that is rolled
/// back: the same code path as a real digest, and nothing stays. With
/// `subscribed_only`, a user whose digests are off gets none.
async fn would_send(
    db: &DatabaseConnection,
    search: &Search,
    settings: &Settings,
    user: &users::Model,
    subscribed_only: bool,
) -> Result<Option<Digest>, AppError> {
    let txn = db.begin().await?;
    let sub = subscription(&txn, user).await?;
    let at = now();
    let items = if subscribed_only && frequency_of(&sub) == DigestFrequency::Off {
        Vec::new()
    } else {
        let previous_end = previous_end(&txn, user.id).await?;
        planned_items(&txn, search, &sub, previous_end, at)
            .await?
            .items
    };
    if items.is_empty() {
        txn.rollback().await?;
        return Ok(None);
    }
    let id = new_id();
    let row = delivery_row(
        id,
        user.id,
        (at, at + TimeDelta::microseconds(1)),
        DeliveryStatus::Pending,
        0,
        at,
    );
    store::insert_delivery(&txn, row).await?;
    record_items(&txn, id, &items).await?;
    let digest = compose(&txn, settings, user, &sub, id, "preview").await?;
    txn.rollback().await?;
    Ok(Some(digest))
}

/// A new `digest_deliveries` row covering `period`, never tried.
pub(super) fn delivery_row(
    id: Uuid,
    user_id: Uuid,
    period: (DateTime<Utc>, DateTime<Utc>),
    status: DeliveryStatus,
    item_count: usize,
    at: DateTime<Utc>,
) -> digest_deliveries::ActiveModel {
    let sent = status == DeliveryStatus::Sent;
    digest_deliveries::ActiveModel {
        id: Set(id),
        user_id: Set(user_id),
        period_start: Set(period.0),
        period_end: Set(period.1),
        status: Set(status.as_str().to_owned()),
        attempts: Set(0),
        next_attempt_at: Set(Some(period.1)),
        claimed_by: Set(None),
        claimed_until: Set(None),
        message_id: Set(None),
        last_error: Set(None),
        item_count: Set(i32::try_from(item_count).unwrap_or(i32::MAX)),
        created_at: Set(at),
        sent_at: Set(sent.then_some(period.1)),
        first_failed_at: Set(None),
        failure_kind: Set(None),
        carried_over_at: Set(None),
    }
}

/// An active user by e-mail address (for the CLI). NOT_FOUND on `user`.
pub async fn user_by_email(db: &DatabaseConnection, email: &str) -> Result<users::Model, AppError> {
    store::existing_user_by_email(db, email.trim().to_lowercase())
        .await?
        .ok_or_else(|| AppError::not_found(crate::error::Entity::User, "user"))
}

/// Users whose digest is due at `at` (for `trama digests send --dry-run`).
pub async fn due_users(
    db: &DatabaseConnection,
    at: DateTime<Utc>,
) -> Result<Vec<users::Model>, AppError> {
    Ok(store::due_users(db, at).await?)
}

/// Makes the user's digest due now (for `trama digests send --user`);
/// `false`, changing nothing, when their digests are off.
pub async fn make_due(
    db: &DatabaseConnection,
    user: &users::Model,
    at: DateTime<Utc>,
) -> Result<bool, AppError> {
    let sub = subscription(db, user).await?;
    if frequency_of(&sub) == DigestFrequency::Off {
        return Ok(false);
    }
    let mut active: digest_subscriptions::ActiveModel = sub.into();
    active.next_due_at = Set(Some(at));
    store::update_subscription(db, active).await?;
    Ok(true)
}
