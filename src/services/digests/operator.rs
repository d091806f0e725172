//! What the `trama digests` commands need: a preview of what a user would
//! get, a dry run of what is due, and making a user's digest due now.

use chrono::{DateTime, TimeDelta, Utc};
use sea_orm::{DatabaseConnection, TransactionTrait};

use crate::config::Settings;
use crate::domain::{DeliveryStatus, DigestFrequency};
use crate::error::AppError;
use crate::mail::digest::{self as render, Digest};
use crate::services::now;
use crate::store::digests::deliveries::{self, NewDelivery};
use crate::store::digests::subscriptions::{self, SubscriptionChange};
use crate::store::digests::{self as store};
use crate::store::entities::users;

use super::compose::compose;
use super::planning::{Planner, planned_items, record_items};
use super::settings::{find_subscription, frequency_of, subscription};

/// The digest `user` would get now, rendered, without recording anything
/// (for `trama digests preview`). Items are those a digest planned now
/// would hold; the links carry a placeholder token that does not work.
/// `None` when there is nothing new.
#[tracing::instrument(skip_all)]
pub async fn preview(
    db: &DatabaseConnection,
    planner: Planner<'_>,
    settings: &Settings,
    email: &str,
) -> Result<Option<crate::mail::RenderedEmail>, AppError> {
    let user = user_by_email(db, email).await?;
    Ok(would_send(db, planner, settings, &user, false)
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
#[tracing::instrument(skip_all, fields(user_id = %user.id))]
pub async fn dry_run(
    db: &DatabaseConnection,
    planner: Planner<'_>,
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
    Ok(match would_send(db, planner, settings, user, true).await? {
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
    planner: Planner<'_>,
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
        let previous_end = deliveries::latest_end(&txn, user.id).await?;
        planned_items(&txn, planner, &sub, previous_end, at)
            .await?
            .items
    };
    if items.is_empty() {
        txn.rollback().await?;
        return Ok(None);
    }
    let delivery = NewDelivery {
        user_id: user.id,
        period: (at, at + TimeDelta::microseconds(1)),
        status: DeliveryStatus::Pending,
        item_count: 0,
    };
    let id = deliveries::insert(&txn, delivery, at).await?.id;
    record_items(&txn, id, &items).await?;
    let digest = compose(&txn, settings, planner.matcher, user, &sub, id, "preview").await?;
    txn.rollback().await?;
    Ok(Some(digest))
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
    Ok(subscriptions::due_users(db, at).await?)
}

/// Makes the user's digest due now (for `trama digests send --user`);
/// `false`, changing nothing, when their digests are off.
#[tracing::instrument(skip_all, fields(user_id = %user.id))]
pub async fn make_due(
    db: &DatabaseConnection,
    user: &users::Model,
    at: DateTime<Utc>,
) -> Result<bool, AppError> {
    let sub = subscription(db, user).await?;
    if frequency_of(&sub) == DigestFrequency::Off {
        return Ok(false);
    }
    let due_now = SubscriptionChange {
        next_due_at: Some(Some(at)),
        ..SubscriptionChange::default()
    };
    subscriptions::update(db, sub, due_now).await?;
    Ok(true)
}
