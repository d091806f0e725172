//! `digest_subscriptions`: each user's digest preferences and when their
//! next digest is due.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, LockBehavior, LockType, Query};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};
use uuid::Uuid;

use crate::domain::{DigestFrequency, Lang, MessageNotifications};
use crate::store::entities::{digest_subscriptions, users};
use crate::store::scope::Existing;
use crate::store::{Context, StoreResult, rows};

/// The user's subscription, if they have one.
pub async fn of_user(
    db: &impl ConnectionTrait,
    user_id: Uuid,
) -> StoreResult<Option<digest_subscriptions::Model>> {
    let which = digest_subscriptions::Column::UserId.eq(user_id);
    rows::first::<digest_subscriptions::Entity>(db, which, "digest subscriptions: of user").await
}

/// A subscription to create.
#[derive(Clone, Copy, Debug)]
pub struct NewSubscription {
    pub user_id: Uuid,
    pub frequency: DigestFrequency,
    pub language: Lang,
    /// `None`: never due (digests off).
    pub next_due_at: Option<DateTime<Utc>>,
}

/// Creates these subscriptions at `at`, every kind of content on; a user
/// who has one meanwhile keeps theirs (the unique `user_id` decides, so two
/// requests creating it at once leave one).
pub async fn insert_unless_present(
    db: &impl ConnectionTrait,
    rows: &[NewSubscription],
    at: DateTime<Utc>,
) -> StoreResult<()> {
    if rows.is_empty() {
        return Ok(());
    }
    let models = rows.iter().map(|new| digest_subscriptions::ActiveModel {
        id: Set(crate::store::new_id()),
        user_id: Set(new.user_id),
        frequency: Set(new.frequency),
        language: Set(new.language),
        include_matches: Set(true),
        include_saved_searches: Set(true),
        include_projects: Set(true),
        message_notifications: Set(MessageNotifications::default()),
        last_sent_at: Set(None),
        next_due_at: Set(new.next_due_at),
        created_at: Set(at),
        updated_at: Set(at),
    });
    let unique = [digest_subscriptions::Column::UserId];
    let what = "digest subscriptions: insert unless present";
    rows::insert_new(db, models, unique, what).await?;
    Ok(())
}

/// Verified users, still existing, who have no subscription, as (id,
/// locale). Finds nobody in the steady state: `NOT IN` over the unique
/// index on `digest_subscriptions.user_id`.
pub async fn verified_users_without(db: &impl ConnectionTrait) -> StoreResult<Vec<(Uuid, Lang)>> {
    users::Entity::find()
        .select_only()
        .column(users::Column::Id)
        .column(users::Column::Locale)
        .filter(users::Entity::existing())
        .filter(users::Column::EmailVerifiedAt.is_not_null())
        .filter(
            users::Column::Id.not_in_subquery(
                Query::select()
                    .column(digest_subscriptions::Column::UserId)
                    .from(digest_subscriptions::Entity)
                    .to_owned(),
            ),
        )
        .into_tuple()
        .all(db)
        .await
        .context("digest subscriptions: verified users without one")
}

/// Up to `limit` subscriptions on and due at `at`, the longest due first,
/// locked for the caller's transaction on PostgreSQL (`FOR UPDATE SKIP
/// LOCKED`: two processes never plan the same one; SQLite has a single
/// writer).
pub async fn lock_due(
    txn: &impl ConnectionTrait,
    at: DateTime<Utc>,
    limit: u64,
) -> StoreResult<Vec<digest_subscriptions::Model>> {
    let mut select = digest_subscriptions::Entity::find()
        .filter(digest_subscriptions::Column::NextDueAt.lte(at))
        .filter(digest_subscriptions::Column::Frequency.ne(DigestFrequency::Off))
        .order_by_asc(digest_subscriptions::Column::NextDueAt)
        .order_by_asc(digest_subscriptions::Column::Id)
        .limit(limit);
    if txn.get_database_backend() == DbBackend::Postgres {
        select = select.lock_with_behavior(LockType::Update, LockBehavior::SkipLocked);
    }
    select
        .all(txn)
        .await
        .context("digest subscriptions: lock due")
}

/// The users, still existing, whose digests are on and due at `at`, by
/// e-mail address.
pub async fn due_users(
    db: &impl ConnectionTrait,
    at: DateTime<Utc>,
) -> StoreResult<Vec<users::Model>> {
    let ids: Vec<Uuid> = digest_subscriptions::Entity::find()
        .filter(digest_subscriptions::Column::Frequency.ne(DigestFrequency::Off))
        .filter(digest_subscriptions::Column::NextDueAt.lte(at))
        .all(db)
        .await
        .context("digests: due subscriptions")?
        .into_iter()
        .map(|s| s.user_id)
        .collect();
    users::Entity::find_existing()
        .filter(users::Column::Id.is_in(ids))
        .order_by_asc(users::Column::Email)
        .all(db)
        .await
        .context("digests: users of due subscriptions")
}

/// A change to the preferences a subscriber chooses: `None` keeps the
/// current value.
#[derive(Clone, Copy, Debug, Default)]
pub struct PreferencesChange {
    pub frequency: Option<DigestFrequency>,
    pub language: Option<Lang>,
    pub include_matches: Option<bool>,
    pub include_saved_searches: Option<bool>,
    pub include_projects: Option<bool>,
    pub message_notifications: Option<MessageNotifications>,
}

/// A change to a subscription: `None` keeps the current value.
#[derive(Clone, Copy, Debug, Default)]
pub struct SubscriptionChange {
    pub preferences: PreferencesChange,
    /// `Some(None)`: never due.
    pub next_due_at: Option<Option<DateTime<Utc>>>,
    pub updated_at: Option<DateTime<Utc>>,
}

/// Writes a change to a subscription; returns it as stored.
pub async fn update(
    db: &impl ConnectionTrait,
    subscription: digest_subscriptions::Model,
    change: SubscriptionChange,
) -> StoreResult<digest_subscriptions::Model> {
    let mut row: digest_subscriptions::ActiveModel = subscription.into();
    let chosen = change.preferences;
    if let Some(frequency) = chosen.frequency {
        row.frequency = Set(frequency);
    }
    if let Some(language) = chosen.language {
        row.language = Set(language);
    }
    if let Some(on) = chosen.include_matches {
        row.include_matches = Set(on);
    }
    if let Some(on) = chosen.include_saved_searches {
        row.include_saved_searches = Set(on);
    }
    if let Some(on) = chosen.include_projects {
        row.include_projects = Set(on);
    }
    if let Some(choice) = chosen.message_notifications {
        row.message_notifications = Set(choice);
    }
    if let Some(next) = change.next_due_at {
        row.next_due_at = Set(next);
    }
    if let Some(at) = change.updated_at {
        row.updated_at = Set(at);
    }
    crate::store::rows::update(db, row, "digest subscriptions: update").await
}

/// Records that the user's latest digest was sent at `at`.
pub async fn mark_sent(
    db: &impl ConnectionTrait,
    user_id: Uuid,
    at: DateTime<Utc>,
) -> StoreResult<()> {
    let set = [(
        digest_subscriptions::Column::LastSentAt,
        Expr::value(Some(at)),
    )];
    let which = digest_subscriptions::Column::UserId.eq(user_id);
    rows::set::<digest_subscriptions::Entity>(db, set, which, "digest subscriptions: mark sent")
        .await?;
    Ok(())
}
