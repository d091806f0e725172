//! E-mail digests of new matches: each user's preferences, planning the
//! digests that are due, choosing their items, sending them, and the
//! one-click links (unsubscribe, feedback) they carry.
//!
//! # How a digest travels
//!
//! 1. **Plan** ([`plan_due`]): a subscription whose `next_due_at` has come is
//!    locked (`FOR UPDATE SKIP LOCKED` on PostgreSQL, so two processes never
//!    plan the same one; SQLite has a single writer). In the same
//!    transaction its items are chosen and written to `digest_items` with a
//!    `pending` row in `digest_deliveries`
//!    (unique on user and `period_end`), and `next_due_at` moves on. A digest
//!    with nothing in it is recorded as `sent` with `item_count = 0` and no
//!    message (immediate digests, checked every minute, record nothing).
//!    The items, each kind when the user's settings include it:
//!    - matches of the user's organisations' needs and offers, created
//!      since the subscription began, not dismissed by the user's side,
//!      whose other side the public may see ([`crate::policy::visibility`]; not a
//!      draft, nor hidden) ([`MAX_ITEMS`] at most; the rest wait for the
//!      next digest);
//!    - offers, needs and calls published since the last digest that a saved
//!      search of the user finds, run through the search index (one section
//!      per search, [`PER_SEARCH`] each at most, none of the user's own
//!      organisations, none already shown as the other side of a match or
//!      by another search);
//!    - what happened in the projects of the user's organisations since the
//!      last digest: partners joining or leaving, stages starting,
//!      contributions proposed, documents added, approvals given
//!      ([`MAX_PROJECT_EVENTS`] at most).
//!
//!    "Since the last digest" reaches back [`LATE_WINDOW`] before the end of
//!    the previous one, so that a posting indexed or a row committed a
//!    moment after a planning is not missed; what the window brings twice is
//!    dropped, because no item (of any kind) is ever in two digests of the
//!    same user: `digest_items` holds each with its kind (`item_type`) and
//!    section (`group_id`: the saved search or the project).
//!
//!    A delivery given up after an outage was never read: its items count
//!    as not sent. Its matches come back by themselves (they are new until
//!    a digest carries them); its saved-search and project items, older
//!    than the window, are carried into the next digest planned for the
//!    user (`carried_over_at` marks the delivery done), each only while it
//!    is still relevant: a posting still open, a saved search not deleted,
//!    a project the user's organisations are still in. A match is news only
//!    while both its need and offer are open and the user's side has not
//!    dismissed it.
//! 2. **Send** ([`send_due`]): deliveries are claimed with a lease
//!    (`claimed_by`, `claimed_until`, like [`crate::jobs::claim`]), rendered
//!    and handed to the SMTP pool. Success marks the row `sent` with the
//!    Message-ID. A failure that may pass ([`MailError::is_retryable`]: no
//!    connection, no answer in time, a 4xx reply) is never final: the row
//!    goes back as `retry`, tried again after a wait that doubles from one
//!    minute up to `TRAMA_DIGEST_RETRY_MAX_DELAY_SECS` (30 minutes), for
//!    `TRAMA_DIGEST_RETRY_HOURS` (48) from the first failure
//!    ([`RetryPolicy`]). Then it is `given_up`, and the next digest planned
//!    for the user takes what is still relevant of it (see below). A 5xx
//!    reply (the server refuses the address or the message for good) marks
//!    it `failed` at once.
//!
//!    People are told what happened in plain words, in their language
//!    ([`DeliveryProblem`], `digestSettings.deliveryStatus`: "Invio in
//!    corso: il server di posta non risponde, nuovo tentativo alle 14:30");
//!    the server's own reply goes only to the log and to `last_error`, for
//!    operators, and `failure_kind` says which of those plain cases it was.
//! 3. A process that dies mid-send leaves the row `sending`; when the lease
//!    runs out another process claims it and sends it. Items were fixed at
//!    planning, so nothing is lost and nothing goes twice in two digests.
//!
//! **The one window SMTP leaves open**: if the process dies after the server
//! answered 250 to the message and before the `sent` update commits, the
//! digest is sent again after the lease. No protocol closes that window;
//! it is kept to one short `UPDATE` right after the reply.
//!
//! Turning digests off (settings or the unsubscribe link) deletes the
//! deliveries not yet sent, and a claimed delivery checks the subscription
//! again before sending, so nothing is sent afterwards (a message already
//! in the SMTP conversation at that instant may still arrive).
//!
//! # Links without login
//!
//! Each sent digest carries a random token stored hashed in `email_tokens`
//! (purpose `unsubscribe`, valid [`LINK_LIFETIME`]): the unsubscribe link
//! and the feedback links use it. A row rather than an HMAC because the
//! platform has no signing-key setting to manage and rotate, tokens can be
//! revoked by deleting rows, and the existing token code (hashing, expiry)
//! is reused. A feedback link is honoured only for a match that was an item
//! of a digest sent to the token's owner. Links stay valid after use
//! (mail clients and scanners may open them more than once); unsubscribing
//! twice is harmless. Neither link acts on GET: link scanners of mail
//! providers fetch every link of a message, so a GET shows a page with a
//! button, and only its POST (or the RFC 8058 one-click POST of the mail
//! client, for unsubscribing) records anything.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{DateTime, TimeDelta, Utc};
use sea_orm::sea_query::{Expr, ExprTrait, LockBehavior, LockType, OnConflict, Query};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, DbBackend,
    EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set, TransactionTrait,
};
use uuid::Uuid;

use super::saved_searches::{self, SavedSearch};
use super::{Actor, new_id, now, search_docs, tokens};
use crate::config::Settings;
use crate::domain::{
    DeliveryFailure, DeliveryStatus, DigestFrequency, Email, EmailTokenPurpose, FeedbackSource,
    FeedbackVerdict, Lang, MatchSideStatus, NeedKind, PartnerRole, PostingStatus, ProjectStage,
};
use crate::error::AppError;
use crate::mail::digest::{
    self as render, Activity, Digest, DigestItem, DigestSection, FoundItem, PostingKind,
    ProjectEvent, ProjectSection, SearchSection, Side,
};
use crate::mail::{MailError, Mailer, OutgoingEmail};
use crate::policy::visibility;
use crate::search::{DocType, MatchMode, Search, SearchRequest, SearchSort};
use crate::store::entities::{
    digest_deliveries, digest_items, digest_subscriptions, email_tokens, matches, memberships,
    needs, offers, organizations, project_approvals, project_contributions, project_documents,
    project_partners, project_stages, projects, users,
};

/// How long the links of a digest work.
pub const LINK_LIFETIME: TimeDelta = TimeDelta::days(180);
/// How long a send claim lasts before another process may take it over.
pub const LEASE: TimeDelta = TimeDelta::seconds(120);
/// The wait before the first retry of a delivery that failed for a reason
/// that may pass; each later wait doubles, up to
/// [`RetryPolicy::max_delay`].
pub const FIRST_RETRY: TimeDelta = TimeDelta::minutes(1);
/// Most items in one digest; the rest wait for the next one.
pub const MAX_ITEMS: usize = 50;
/// Most postings one saved search brings to one digest.
pub const PER_SEARCH: usize = 10;
/// Most project events in one digest.
pub const MAX_PROJECT_EVENTS: usize = 30;
/// How far before the end of the previous digest the next one looks for
/// postings and project events (see the module docs).
pub const LATE_WINDOW: TimeDelta = TimeDelta::hours(1);
/// Subscriptions planned, and deliveries claimed, per step.
const BATCH: u64 = 100;

// `digest_items.item_type`: what an item is.
const ITEM_MATCH: &str = "match";
const ITEM_SEARCH_NEED: &str = "saved_search_need";
const ITEM_SEARCH_OFFER: &str = "saved_search_offer";
const ITEM_PARTNER_JOINED: &str = "project_partner_joined";
const ITEM_PARTNER_LEFT: &str = "project_partner_left";
const ITEM_STAGE: &str = "project_stage";
const ITEM_CONTRIBUTION: &str = "project_contribution";
const ITEM_DOCUMENT: &str = "project_document";
const ITEM_APPROVAL: &str = "project_approval";
const SEARCH_ITEMS: [&str; 2] = [ITEM_SEARCH_NEED, ITEM_SEARCH_OFFER];
const PROJECT_ITEMS: [&str; 6] = [
    ITEM_PARTNER_JOINED,
    ITEM_PARTNER_LEFT,
    ITEM_STAGE,
    ITEM_CONTRIBUTION,
    ITEM_DOCUMENT,
    ITEM_APPROVAL,
];

/// An item chosen for a digest, as `digest_items` records it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Planned {
    item_type: &'static str,
    item_id: Uuid,
    /// The saved search or project whose section it is in.
    group_id: Option<Uuid>,
}

impl Planned {
    fn row(self, delivery_id: Uuid) -> digest_items::ActiveModel {
        digest_items::ActiveModel {
            delivery_id: Set(delivery_id),
            item_type: Set(self.item_type.to_owned()),
            item_id: Set(self.item_id),
            group_id: Set(self.group_id),
        }
    }
}

/// A user's digest preferences.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DigestSettings {
    pub frequency: DigestFrequency,
    pub language: Lang,
    pub include_matches: bool,
    pub include_saved_searches: bool,
    pub include_projects: bool,
    pub last_sent_at: Option<DateTime<Utc>>,
    pub next_due_at: Option<DateTime<Utc>>,
    /// Why the latest digest has not arrived, while it has not.
    pub problem: Option<DeliveryProblem>,
}

/// Why a user's latest digest has not arrived, as they are told it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DeliveryProblem {
    /// Failed for a reason that may pass; tried again at `next_attempt_at`.
    Retrying {
        failure: DeliveryFailure,
        since: DateTime<Utc>,
        next_attempt_at: Option<DateTime<Utc>>,
    },
    /// Refused for good (a 5xx reply, or an address that cannot be used).
    Refused {
        failure: DeliveryFailure,
        address: String,
    },
    /// Retried for the configured time, then given up; what is still
    /// relevant goes in the next digest.
    GivenUp {
        failure: DeliveryFailure,
        since: DateTime<Utc>,
    },
}

impl DeliveryProblem {
    /// What failed, in the terms people are told.
    pub fn failure(&self) -> DeliveryFailure {
        match self {
            Self::Retrying { failure, .. }
            | Self::Refused { failure, .. }
            | Self::GivenUp { failure, .. } => *failure,
        }
    }

    /// The plain sentence a person reads, in `lang`, with times in Italy's
    /// time zone as of `now` ("14:30" today, "12/03 alle 14:30" otherwise).
    pub fn message(&self, lang: Lang, now: DateTime<Utc>) -> String {
        let unreachable = self.failure() == DeliveryFailure::Unreachable;
        match (self, lang) {
            (
                Self::Retrying {
                    next_attempt_at, ..
                },
                Lang::It,
            ) => format!(
                "Invio in corso: {}, {}.",
                if unreachable {
                    "il server di posta non risponde"
                } else {
                    "il server di posta ha chiesto di riprovare più tardi"
                },
                match next_attempt_at.filter(|t| *t > now) {
                    Some(at) => format!("nuovo tentativo {}", local_moment(at, now, lang, false)),
                    None => "nuovo tentativo tra pochi istanti".to_owned(),
                }
            ),
            (
                Self::Retrying {
                    next_attempt_at, ..
                },
                Lang::En,
            ) => format!(
                "Sending: {}, {}.",
                if unreachable {
                    "the mail server is not answering"
                } else {
                    "the mail server asked us to try again later"
                },
                match next_attempt_at.filter(|t| *t > now) {
                    Some(at) => format!("next try {}", local_moment(at, now, lang, false)),
                    None => "trying again in a moment".to_owned(),
                }
            ),
            (Self::Refused { failure, address }, Lang::It) => {
                if *failure == DeliveryFailure::RecipientRefused {
                    format!(
                        "Non inviato: il server di posta ha rifiutato il tuo indirizzo {address}. \
                         Controlla che sia scritto giusto e che la casella sia attiva; \
                         i prossimi riepiloghi saranno comunque tentati."
                    )
                } else {
                    "Non inviato: il server di posta ha rifiutato il messaggio. \
                     I prossimi riepiloghi saranno comunque tentati."
                        .to_owned()
                }
            }
            (Self::Refused { failure, address }, Lang::En) => {
                if *failure == DeliveryFailure::RecipientRefused {
                    format!(
                        "Not sent: the mail server refused your address {address}. \
                         Check that it is spelt right and that the mailbox is active; \
                         later digests will still be tried."
                    )
                } else {
                    "Not sent: the mail server refused the message. \
                     Later digests will still be tried."
                        .to_owned()
                }
            }
            (Self::GivenUp { since, .. }, Lang::It) => format!(
                "Non inviato: il server di posta {} {}, quindi abbiamo smesso di riprovare. \
                 Le novità ancora attuali arriveranno con il prossimo riepilogo.",
                if unreachable {
                    "non risponde"
                } else {
                    "rimanda l'invio"
                },
                local_moment(*since, now, lang, true)
            ),
            (Self::GivenUp { since, .. }, Lang::En) => format!(
                "Not sent: the mail server {} {}, so we stopped trying. \
                 What is still relevant will come in the next digest.",
                if unreachable {
                    "has not been answering"
                } else {
                    "has been putting us off"
                },
                local_moment(*since, now, lang, true)
            ),
        }
    }
}

/// An instant as a person in Italy reads it: "alle 14:30" ("at 14:30")
/// when it is today there, "il 12/03 alle 14:30" ("on 12/03 at 14:30")
/// otherwise; with `since`, "dalle 14:30", "dal 12/03 alle 14:30" ("since
/// 14:30", "since 12/03 at 14:30").
fn local_moment(at: DateTime<Utc>, now: DateTime<Utc>, lang: Lang, since: bool) -> String {
    let local = at.with_timezone(&chrono_tz::Europe::Rome);
    let time = local.format("%H:%M");
    let today = now.with_timezone(&chrono_tz::Europe::Rome).date_naive() == local.date_naive();
    let date = (!today).then(|| local.format("%d/%m").to_string());
    match (lang, since, date) {
        (Lang::It, false, None) => format!("alle {time}"),
        (Lang::It, false, Some(date)) => format!("il {date} alle {time}"),
        (Lang::It, true, None) => format!("dalle {time}"),
        (Lang::It, true, Some(date)) => format!("dal {date} alle {time}"),
        (Lang::En, false, None) => format!("at {time}"),
        (Lang::En, false, Some(date)) => format!("on {date} at {time}"),
        (Lang::En, true, None) => format!("since {time}"),
        (Lang::En, true, Some(date)) => format!("since {date} at {time}"),
    }
}

/// How deliveries that failed for a reason that may pass are retried.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    /// The longest wait between two tries.
    pub max_delay: TimeDelta,
    /// How long after the first failure the delivery is given up.
    pub retry_for: TimeDelta,
}

impl RetryPolicy {
    /// `TRAMA_DIGEST_RETRY_MAX_DELAY_SECS` and `TRAMA_DIGEST_RETRY_HOURS`.
    pub fn from_settings(settings: &Settings) -> Self {
        let secs = |n: u64| TimeDelta::seconds(i64::try_from(n).unwrap_or(i64::MAX / 1000));
        Self {
            max_delay: secs(Ord::max(settings.digest_retry_max_delay_secs, 1)),
            retry_for: secs(settings.digest_retry_hours.saturating_mul(3600)),
        }
    }

    /// The wait after the `attempt`-th try failed: [`FIRST_RETRY`],
    /// doubling, at most `max_delay`.
    pub fn delay(&self, attempt: i32) -> TimeDelta {
        crate::jobs::capped_backoff(attempt, FIRST_RETRY, self.max_delay)
    }
}

/// A change to the preferences: `None` keeps the current value.
#[derive(Clone, Debug, Default)]
pub struct DigestSettingsInput {
    pub frequency: Option<DigestFrequency>,
    pub language: Option<Lang>,
    pub include_matches: Option<bool>,
    pub include_saved_searches: Option<bool>,
    pub include_projects: Option<bool>,
}

/// How long after `from` a digest of `frequency` is due; `None` when off.
pub fn interval(frequency: DigestFrequency) -> Option<TimeDelta> {
    match frequency {
        // "Immediate" is checked every minute: a burst of matches from one
        // change arrives as one e-mail rather than ten.
        DigestFrequency::Immediate => Some(TimeDelta::minutes(1)),
        DigestFrequency::Daily => Some(TimeDelta::days(1)),
        DigestFrequency::Weekly => Some(TimeDelta::days(7)),
        DigestFrequency::Off => None,
    }
}

fn frequency_of(row: &digest_subscriptions::Model) -> DigestFrequency {
    DigestFrequency::parse(&row.frequency).unwrap_or_default()
}

/// A new subscription with the defaults: the default frequency, in the
/// user's language, every kind of content on.
fn default_subscription(
    user_id: Uuid,
    locale: &str,
    at: DateTime<Utc>,
) -> digest_subscriptions::ActiveModel {
    let frequency = DigestFrequency::default();
    digest_subscriptions::ActiveModel {
        id: Set(new_id()),
        user_id: Set(user_id),
        frequency: Set(frequency.as_str().to_owned()),
        language: Set(Lang::parse(locale).unwrap_or_default().as_str().to_owned()),
        include_matches: Set(true),
        include_saved_searches: Set(true),
        include_projects: Set(true),
        last_sent_at: Set(None),
        next_due_at: Set(interval(frequency).map(|d| at + d)),
        created_at: Set(at),
        updated_at: Set(at),
    }
}

/// The user's subscription, created with the defaults (weekly, in the
/// user's language, matches on) when there is none yet.
pub async fn subscription(
    db: &impl ConnectionTrait,
    user: &users::Model,
) -> Result<digest_subscriptions::Model, AppError> {
    if let Some(row) = find_subscription(db, user.id).await? {
        return Ok(row);
    }
    let row = default_subscription(user.id, &user.locale, now());
    // Two requests may create it at once: the unique user_id keeps one.
    digest_subscriptions::Entity::insert(row)
        .on_conflict(
            OnConflict::column(digest_subscriptions::Column::UserId)
                .do_nothing()
                .to_owned(),
        )
        .exec_without_returning(db)
        .await?;
    find_subscription(db, user.id)
        .await?
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("digest subscription not created")))
}

async fn find_subscription(
    db: &impl ConnectionTrait,
    user_id: Uuid,
) -> Result<Option<digest_subscriptions::Model>, AppError> {
    Ok(digest_subscriptions::Entity::find()
        .filter(digest_subscriptions::Column::UserId.eq(user_id))
        .one(db)
        .await?)
}

async fn active_user(db: &impl ConnectionTrait, id: Uuid) -> Result<users::Model, AppError> {
    users::Entity::find_by_id(id)
        .filter(users::Column::DeletedAt.is_null())
        .one(db)
        .await?
        .ok_or(AppError::Unauthenticated)
}

/// The signed-in user's digest settings. UNAUTHENTICATED without a user.
pub async fn settings_of(
    db: &DatabaseConnection,
    actor: Option<&Actor>,
) -> Result<DigestSettings, AppError> {
    let user_id = actor
        .and_then(|a| a.user_id)
        .ok_or(AppError::Unauthenticated)?;
    let user = active_user(db, user_id).await?;
    let row = subscription(db, &user).await?;
    describe(db, &user, row).await
}

async fn describe(
    db: &impl ConnectionTrait,
    user: &users::Model,
    row: digest_subscriptions::Model,
) -> Result<DigestSettings, AppError> {
    let frequency = frequency_of(&row);
    Ok(DigestSettings {
        frequency,
        language: Lang::parse(&row.language).unwrap_or_default(),
        include_matches: row.include_matches,
        include_saved_searches: row.include_saved_searches,
        include_projects: row.include_projects,
        last_sent_at: row.last_sent_at,
        next_due_at: if frequency == DigestFrequency::Off {
            None
        } else {
            row.next_due_at
        },
        problem: delivery_problem(db, user).await?,
    })
}

/// Why the user's latest digest has not arrived, if it has not. The newest
/// delivery with items whose fate is known decides: one sent clears every
/// earlier problem; one still being retried, refused or given up (and not
/// yet taken over by a later digest) is the problem. A first attempt in
/// progress says nothing yet.
async fn delivery_problem(
    db: &impl ConnectionTrait,
    user: &users::Model,
) -> Result<Option<DeliveryProblem>, AppError> {
    let settled = Condition::any()
        .add(digest_deliveries::Column::Status.is_in([
            DeliveryStatus::Sent.as_str(),
            DeliveryStatus::Failed.as_str(),
            DeliveryStatus::Retry.as_str(),
            DeliveryStatus::GivenUp.as_str(),
        ]))
        .add(
            Condition::all()
                .add(digest_deliveries::Column::Status.eq(DeliveryStatus::Sending.as_str()))
                .add(digest_deliveries::Column::FirstFailedAt.is_not_null()),
        );
    let Some(latest) = digest_deliveries::Entity::find()
        .filter(digest_deliveries::Column::UserId.eq(user.id))
        .filter(digest_deliveries::Column::ItemCount.gt(0))
        .filter(settled)
        .order_by_desc(digest_deliveries::Column::Id)
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    let failure = latest
        .failure_kind
        .as_deref()
        .and_then(|kind| DeliveryFailure::parse(kind).ok());
    let since = latest.first_failed_at.unwrap_or(latest.created_at);
    let status = DeliveryStatus::parse(&latest.status).ok();
    Ok(match status {
        Some(DeliveryStatus::Retry | DeliveryStatus::Sending) => Some(DeliveryProblem::Retrying {
            failure: failure.unwrap_or(DeliveryFailure::Unreachable),
            since,
            next_attempt_at: latest.next_attempt_at,
        }),
        Some(DeliveryStatus::Failed) => Some(DeliveryProblem::Refused {
            failure: failure.unwrap_or(DeliveryFailure::MessageRefused),
            address: user.email.clone(),
        }),
        Some(DeliveryStatus::GivenUp) if latest.carried_over_at.is_none() => {
            Some(DeliveryProblem::GivenUp {
                failure: failure.unwrap_or(DeliveryFailure::Unreachable),
                since,
            })
        }
        _ => None,
    })
}

/// Changes the signed-in user's digest settings. A new frequency takes
/// effect from now (the next digest is due one interval from now); turning
/// digests off cancels the ones not yet sent. UNAUTHENTICATED without a user.
pub async fn update_settings(
    db: &DatabaseConnection,
    actor: Option<&Actor>,
    input: &DigestSettingsInput,
) -> Result<DigestSettings, AppError> {
    let actor = actor.ok_or(AppError::Unauthenticated)?;
    let user_id = actor.user_id.ok_or(AppError::Unauthenticated)?;
    let user = active_user(db, user_id).await?;
    let row = subscription(db, &user).await?;
    let txn = db.begin().await?;
    let at = now();
    let before = frequency_of(&row);
    let mut active: digest_subscriptions::ActiveModel = row.clone().into();
    if let Some(frequency) = input.frequency {
        active.frequency = Set(frequency.as_str().to_owned());
        if frequency == DigestFrequency::Immediate {
            // Due at once; then every minute.
            active.next_due_at = Set(Some(at));
        } else if frequency != before {
            active.next_due_at = Set(interval(frequency).map(|d| at + d));
        }
        if frequency == DigestFrequency::Off {
            cancel_unsent(&txn, user_id).await?;
        }
    }
    if let Some(language) = input.language {
        active.language = Set(language.as_str().to_owned());
    }
    if let Some(on) = input.include_matches {
        active.include_matches = Set(on);
    }
    if let Some(on) = input.include_saved_searches {
        active.include_saved_searches = Set(on);
    }
    if let Some(on) = input.include_projects {
        active.include_projects = Set(on);
    }
    active.updated_at = Set(at);
    let after = active.update(&txn).await?;
    super::audit(
        &txn,
        actor,
        "digest.settings",
        "user",
        user_id,
        serde_json::json!({ "frequency": after.frequency, "language": after.language }),
    )
    .await?;
    txn.commit().await?;
    describe(db, &user, after).await
}

/// Deletes the user's deliveries that were not sent (their items become
/// eligible again should digests be turned back on).
async fn cancel_unsent(txn: &impl ConnectionTrait, user_id: Uuid) -> Result<(), AppError> {
    digest_deliveries::Entity::delete_many()
        .filter(digest_deliveries::Column::UserId.eq(user_id))
        .filter(digest_deliveries::Column::Status.is_in([
            DeliveryStatus::Pending.as_str(),
            DeliveryStatus::Retry.as_str(),
        ]))
        .exec(txn)
        .await?;
    Ok(())
}

// ---------------------------------------------------------------- planning

/// Creates the default subscription of verified users who have none, so the
/// weekly digest reaches everyone. Returns how many were created. One
/// query that finds nobody in the steady state (`NOT IN` over the unique
/// index on `digest_subscriptions.user_id`), then one insert per batch.
async fn create_default_subscriptions(db: &DatabaseConnection) -> Result<u64, AppError> {
    let missing: Vec<(Uuid, String)> = users::Entity::find()
        .select_only()
        .column(users::Column::Id)
        .column(users::Column::Locale)
        .filter(users::Column::DeletedAt.is_null())
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
        .await?;
    let at = now();
    for chunk in missing.chunks(500) {
        let rows = chunk
            .iter()
            .map(|(user_id, locale)| default_subscription(*user_id, locale, at));
        // A user may have opened their settings meanwhile: theirs stays.
        digest_subscriptions::Entity::insert_many(rows)
            .on_conflict(
                OnConflict::column(digest_subscriptions::Column::UserId)
                    .do_nothing()
                    .to_owned(),
            )
            .exec_without_returning(db)
            .await?;
    }
    Ok(missing.len() as u64)
}

/// Plans every digest due at `at`: items chosen and recorded, a delivery
/// row to send. Only subscriptions whose `next_due_at` has come are read
/// (an index serves it). Returns how many deliveries with items were
/// planned.
pub async fn plan_due(
    db: &DatabaseConnection,
    search: &Search,
    at: DateTime<Utc>,
) -> Result<u64, AppError> {
    create_default_subscriptions(db).await?;
    // Postings published a moment ago are searchable before planning.
    search.refresh().await;
    let mut planned = 0;
    loop {
        let (done, with_items) = plan_batch(db, search, at).await?;
        planned += with_items;
        if done < BATCH {
            return Ok(planned);
        }
    }
}

/// Plans up to [`BATCH`] due subscriptions in one transaction; returns how
/// many subscriptions it handled and how many digests have items.
async fn plan_batch(
    db: &DatabaseConnection,
    search: &Search,
    at: DateTime<Utc>,
) -> Result<(u64, u64), AppError> {
    let txn = db.begin().await?;
    let mut select = digest_subscriptions::Entity::find()
        .filter(digest_subscriptions::Column::NextDueAt.lte(at))
        .filter(digest_subscriptions::Column::Frequency.ne(DigestFrequency::Off.as_str()))
        .order_by_asc(digest_subscriptions::Column::NextDueAt)
        .order_by_asc(digest_subscriptions::Column::Id)
        .limit(BATCH);
    if txn.get_database_backend() == DbBackend::Postgres {
        select = select.lock_with_behavior(LockType::Update, LockBehavior::SkipLocked);
    }
    let due = select.all(&txn).await?;
    let mut with_items = 0;
    for sub in &due {
        if plan_one(&txn, search, sub, at).await? {
            with_items += 1;
        }
    }
    txn.commit().await?;
    Ok((due.len() as u64, with_items))
}

async fn plan_one(
    txn: &impl ConnectionTrait,
    search: &Search,
    sub: &digest_subscriptions::Model,
    at: DateTime<Utc>,
) -> Result<bool, AppError> {
    let frequency = frequency_of(sub);
    let mut next: digest_subscriptions::ActiveModel = sub.clone().into();
    next.next_due_at = Set(interval(frequency).map(|d| at + d));
    next.updated_at = Set(now());
    next.update(txn).await?;

    let user = users::Entity::find_by_id(sub.user_id)
        .filter(users::Column::DeletedAt.is_null())
        .filter(users::Column::EmailVerifiedAt.is_not_null())
        .one(txn)
        .await?;
    let previous_end = previous_end(txn, sub.user_id).await?;
    let planned = match user {
        Some(_) => planned_items(txn, search, sub, previous_end, at).await?,
        None => PlannedDigest {
            items: Vec::new(),
            carried_from: Vec::new(),
        },
    };
    if !planned.carried_from.is_empty() {
        digest_deliveries::Entity::update_many()
            .col_expr(
                digest_deliveries::Column::CarriedOverAt,
                Expr::value(Some(at)),
            )
            .filter(digest_deliveries::Column::Id.is_in(planned.carried_from))
            .exec(txn)
            .await?;
    }
    let items = planned.items;
    if items.is_empty() && frequency == DigestFrequency::Immediate {
        return Ok(false);
    }
    let id = new_id();
    let empty = items.is_empty();
    // A digest with nothing in it is recorded as sent, and sends nothing.
    let status = if empty {
        DeliveryStatus::Sent
    } else {
        DeliveryStatus::Pending
    };
    delivery_row(
        id,
        sub.user_id,
        (previous_end.unwrap_or(sub.created_at), at),
        status,
        items.len(),
        now(),
    )
    .insert(txn)
    .await?;
    record_items(txn, id, &items).await?;
    Ok(!empty)
}

async fn record_items(
    txn: &impl ConnectionTrait,
    delivery_id: Uuid,
    items: &[Planned],
) -> Result<(), AppError> {
    for chunk in items.chunks(500) {
        digest_items::Entity::insert_many(chunk.iter().map(|i| i.row(delivery_id)))
            .exec_without_returning(txn)
            .await?;
    }
    Ok(())
}

/// The end of the user's latest digest, if any.
async fn previous_end(
    db: &impl ConnectionTrait,
    user_id: Uuid,
) -> Result<Option<DateTime<Utc>>, AppError> {
    Ok(digest_deliveries::Entity::find()
        .filter(digest_deliveries::Column::UserId.eq(user_id))
        .order_by_desc(digest_deliveries::Column::PeriodEnd)
        .one(db)
        .await?
        .map(|d| d.period_end))
}

/// What a digest planned for this user at `at` holds, each kind when the
/// settings include it (see the module docs): what is new, and what is
/// still relevant of deliveries given up; and those deliveries, which the
/// digest takes over.
struct PlannedDigest {
    items: Vec<Planned>,
    carried_from: Vec<Uuid>,
}

async fn planned_items(
    txn: &impl ConnectionTrait,
    search: &Search,
    sub: &digest_subscriptions::Model,
    previous_end: Option<DateTime<Utc>>,
    at: DateTime<Utc>,
) -> Result<PlannedDigest, AppError> {
    let since = Ord::max(
        previous_end.map_or(sub.created_at, |end| end - LATE_WINDOW),
        sub.created_at,
    );
    let match_ids = if sub.include_matches {
        new_match_items(txn, sub, at).await?
    } else {
        Vec::new()
    };
    let (carried, carried_from) = carried_items(txn, sub).await?;
    let mut items: Vec<Planned> = match_ids
        .iter()
        .map(|&item_id| Planned {
            item_type: ITEM_MATCH,
            item_id,
            group_id: None,
        })
        .collect();
    items.extend(carried);
    if sub.include_saved_searches {
        items.extend(new_search_items(txn, search, sub.user_id, &match_ids, since, at).await?);
    }
    if sub.include_projects {
        items.extend(new_project_items(txn, sub.user_id, since, at).await?);
    }
    // A carried item the window finds again is one item.
    let mut seen = HashSet::new();
    items.retain(|i| seen.insert((i.item_type, i.item_id)));
    Ok(PlannedDigest {
        items,
        carried_from,
    })
}

/// The saved-search and project items of the user's given-up deliveries
/// that no later planning took over yet, in no other digest of theirs and
/// still relevant (a posting still open and visible, of another
/// organisation, for a saved search still there; an event of a project the
/// user's organisations are still in), with those deliveries. Their matches
/// need no carrying: unsent, they are new to [`new_match_items`].
async fn carried_items(
    txn: &impl ConnectionTrait,
    sub: &digest_subscriptions::Model,
) -> Result<(Vec<Planned>, Vec<Uuid>), AppError> {
    let user_id = sub.user_id;
    let given_up: Vec<Uuid> = digest_deliveries::Entity::find()
        .select_only()
        .column(digest_deliveries::Column::Id)
        .filter(digest_deliveries::Column::UserId.eq(user_id))
        .filter(digest_deliveries::Column::Status.eq(DeliveryStatus::GivenUp.as_str()))
        .filter(digest_deliveries::Column::CarriedOverAt.is_null())
        .into_tuple()
        .all(txn)
        .await?;
    if given_up.is_empty() {
        return Ok((Vec::new(), given_up));
    }
    let kinds: Vec<&str> = SEARCH_ITEMS.iter().chain(&PROJECT_ITEMS).copied().collect();
    let rows = digest_items::Entity::find()
        .filter(digest_items::Column::DeliveryId.is_in(given_up.iter().copied()))
        .filter(digest_items::Column::ItemType.is_in(kinds.iter().copied()))
        .order_by_asc(digest_items::Column::DeliveryId)
        .all(txn)
        .await?;
    let sent = sent_pairs(
        txn,
        user_id,
        &kinds,
        Some(rows.iter().map(|r| r.item_id).collect()),
    )
    .await?;
    let mut seen = HashSet::new();
    let candidates: Vec<Planned> = rows
        .into_iter()
        .filter(|r| !sent.contains(&(r.item_type.clone(), r.item_id)))
        .filter_map(|r| {
            let item_type = *kinds.iter().find(|k| **k == r.item_type)?;
            seen.insert((item_type, r.item_id)).then_some(Planned {
                item_type,
                item_id: r.item_id,
                group_id: r.group_id,
            })
        })
        .collect();
    let mut kept = Vec::new();
    if sub.include_saved_searches {
        let searches: HashSet<Uuid> = saved_searches::of_user(txn, user_id)
            .await?
            .into_iter()
            .map(|s| s.id)
            .collect();
        let mine = my_organizations(txn, user_id).await?;
        let open = PostingStatus::Open.as_str();
        let ids = |kind: &str| -> Vec<Uuid> {
            candidates
                .iter()
                .filter(|p| p.item_type == kind)
                .map(|p| p.item_id)
                .collect()
        };
        let mut still: HashSet<Uuid> = HashSet::new();
        for need in search_docs::visible_needs(txn, &ids(ITEM_SEARCH_NEED)).await? {
            if need.status == open && !mine.contains(&need.organization_id) {
                still.insert(need.id);
            }
        }
        for offer in search_docs::visible_offers(txn, &ids(ITEM_SEARCH_OFFER)).await? {
            if offer.status == open && !mine.contains(&offer.organization_id) {
                still.insert(offer.id);
            }
        }
        kept.extend(candidates.iter().filter(|p| {
            SEARCH_ITEMS.contains(&p.item_type)
                && p.group_id.is_some_and(|g| searches.contains(&g))
                && still.contains(&p.item_id)
        }));
    }
    if sub.include_projects {
        let mine = my_organizations(txn, user_id).await?;
        let projects: HashSet<Uuid> = my_project_ids(txn, &mine).await?.into_iter().collect();
        kept.extend(candidates.iter().filter(|p| {
            PROJECT_ITEMS.contains(&p.item_type)
                && p.group_id.is_some_and(|g| projects.contains(&g))
        }));
    }
    Ok((kept, given_up))
}

/// The organisations the user belongs to.
async fn my_organizations(
    db: &impl ConnectionTrait,
    user_id: Uuid,
) -> Result<HashSet<Uuid>, AppError> {
    Ok(memberships::Entity::find()
        .filter(memberships::Column::UserId.eq(user_id))
        .all(db)
        .await?
        .into_iter()
        .map(|m| m.organization_id)
        .collect())
}

/// Postings the user's saved searches find, published in `(since, at]`
/// and after the search was saved: one group per saved search, newest
/// first. `match_ids` are the matches of the digest being planned.
async fn new_search_items(
    txn: &impl ConnectionTrait,
    search: &Search,
    user_id: Uuid,
    match_ids: &[Uuid],
    since: DateTime<Utc>,
    at: DateTime<Utc>,
) -> Result<Vec<Planned>, AppError> {
    let saved = saved_searches::of_user(txn, user_id).await?;
    if saved.is_empty() {
        return Ok(Vec::new());
    }
    let mine = my_organizations(txn, user_id).await?;
    // Shown already: found by a search before, or the other side of a
    // match (in this digest or an earlier one).
    let mut shown = sent_items(txn, user_id, &SEARCH_ITEMS, None).await?;
    let mut all_matches: Vec<Uuid> = sent_items(txn, user_id, &[ITEM_MATCH], None)
        .await?
        .into_iter()
        .collect();
    all_matches.extend_from_slice(match_ids);
    for chunk in all_matches.chunks(500) {
        let sides: Vec<(Uuid, Uuid)> = matches::Entity::find()
            .select_only()
            .column(matches::Column::NeedId)
            .column(matches::Column::OfferId)
            .filter(matches::Column::Id.is_in(chunk.iter().copied()))
            .into_tuple()
            .all(txn)
            .await?;
        for (need_id, offer_id) in sides {
            shown.insert(need_id);
            shown.insert(offer_id);
        }
    }
    let mut items = Vec::new();
    for saved in &saved {
        let from = Ord::max(since, saved.created_at);
        let found = run_saved_search(txn, search, saved, &mine, from, at).await?;
        let fresh: Vec<(DocType, Uuid)> = found
            .into_iter()
            .filter(|(_, id)| !shown.contains(id))
            .take(PER_SEARCH)
            .collect();
        for (doc_type, id) in fresh {
            shown.insert(id);
            items.push(Planned {
                item_type: if doc_type == DocType::Need {
                    ITEM_SEARCH_NEED
                } else {
                    ITEM_SEARCH_OFFER
                },
                item_id: id,
                group_id: Some(saved.id),
            });
        }
    }
    Ok(items)
}

/// A saved search run for a digest: its offers and needs published in
/// `(from, at]`, not of the organisations `mine`, newest first. A search
/// that fails is logged and brings nothing this time.
async fn run_saved_search(
    txn: &impl ConnectionTrait,
    search: &Search,
    saved: &SavedSearch,
    mine: &HashSet<Uuid>,
    from: DateTime<Utc>,
    at: DateTime<Utc>,
) -> Result<Vec<(DocType, Uuid)>, AppError> {
    let mut filter = saved.filter.clone();
    filter.types = if filter.types.is_empty() {
        vec![DocType::Need, DocType::Offer]
    } else {
        filter
            .types
            .into_iter()
            .filter(|t| *t != DocType::Organization)
            .collect()
    };
    if filter.types.is_empty() {
        return Ok(Vec::new());
    }
    let mut request = SearchRequest::new(saved.query.clone());
    request.filter = filter;
    request.sort = SearchSort::Newest;
    request.limit = crate::search::searcher::MAX_LIMIT;
    request.highlights = false;
    request.facets = false;
    // Every word: a digest is no place for the relaxed "any word" results.
    request.options.match_mode = MatchMode::All;
    let results = match search.search(request).await {
        Ok(results) => results,
        Err(error) => {
            tracing::warn!(saved_search = %saved.id, %error, "saved search failed: not in this digest");
            return Ok(Vec::new());
        }
    };
    let ids = |doc_type: DocType| -> Vec<Uuid> {
        results
            .hits
            .iter()
            .filter(|h| h.doc_type == doc_type)
            .map(|h| h.id)
            .collect()
    };
    let fits =
        |created: DateTime<Utc>, org: Uuid| created > from && created <= at && !mine.contains(&org);
    let mut found: Vec<(DateTime<Utc>, DocType, Uuid)> = Vec::new();
    for need in search_docs::visible_needs(txn, &ids(DocType::Need)).await? {
        if fits(need.created_at, need.organization_id) {
            found.push((need.created_at, DocType::Need, need.id));
        }
    }
    for offer in search_docs::visible_offers(txn, &ids(DocType::Offer)).await? {
        if fits(offer.created_at, offer.organization_id) {
            found.push((offer.created_at, DocType::Offer, offer.id));
        }
    }
    found.sort_by(|a, b| b.0.cmp(&a.0).then(b.2.cmp(&a.2)));
    Ok(found.into_iter().map(|(_, t, id)| (t, id)).collect())
}

/// Events in the projects of the user's organisations (as lead or as a
/// partner that has not left) in `(since, at]` and in no earlier digest of
/// theirs, newest first; grouped by project.
async fn new_project_items(
    txn: &impl ConnectionTrait,
    user_id: Uuid,
    since: DateTime<Utc>,
    at: DateTime<Utc>,
) -> Result<Vec<Planned>, AppError> {
    let mine = my_organizations(txn, user_id).await?;
    let project_ids = my_project_ids(txn, &mine).await?;
    if project_ids.is_empty() {
        return Ok(Vec::new());
    }
    let new = |t: DateTime<Utc>| t > since && t <= at;
    let mut events: Vec<(DateTime<Utc>, Planned)> = Vec::new();
    let mut push = |t: DateTime<Utc>, item_type: &'static str, item_id: Uuid, project: Uuid| {
        if new(t) {
            events.push((
                t,
                Planned {
                    item_type,
                    item_id,
                    group_id: Some(project),
                },
            ));
        }
    };
    let ids = || project_ids.iter().copied();
    for p in project_partners::Entity::find()
        .filter(project_partners::Column::ProjectId.is_in(ids()))
        .all(txn)
        .await?
    {
        // The lead "joins" when the project opens: the first stage says so.
        if p.role != PartnerRole::Lead.as_str() {
            push(p.joined_at, ITEM_PARTNER_JOINED, p.id, p.project_id);
        }
        if let Some(left) = p.left_at {
            push(left, ITEM_PARTNER_LEFT, p.id, p.project_id);
        }
    }
    for s in project_stages::Entity::find()
        .filter(project_stages::Column::ProjectId.is_in(ids()))
        .all(txn)
        .await?
    {
        push(s.started_at, ITEM_STAGE, s.id, s.project_id);
    }
    for c in project_contributions::Entity::find()
        .filter(project_contributions::Column::ProjectId.is_in(ids()))
        .all(txn)
        .await?
    {
        push(c.created_at, ITEM_CONTRIBUTION, c.id, c.project_id);
    }
    for d in project_documents::Entity::find()
        .filter(project_documents::Column::ProjectId.is_in(ids()))
        .all(txn)
        .await?
    {
        push(d.created_at, ITEM_DOCUMENT, d.id, d.project_id);
    }
    for a in project_approvals::Entity::find()
        .filter(project_approvals::Column::ProjectId.is_in(ids()))
        .all(txn)
        .await?
    {
        push(a.decided_at, ITEM_APPROVAL, a.id, a.project_id);
    }
    if events.is_empty() {
        return Ok(events.into_iter().map(|(_, p)| p).collect());
    }
    // A partner row is two events (joined, left), told apart by their kind.
    let sent = sent_pairs(
        txn,
        user_id,
        &PROJECT_ITEMS,
        Some(events.iter().map(|(_, p)| p.item_id).collect()),
    )
    .await?;
    events.retain(|(_, p)| !sent.contains(&(p.item_type.to_owned(), p.item_id)));
    events.sort_by(|a, b| b.0.cmp(&a.0).then(b.1.item_id.cmp(&a.1.item_id)));
    events.truncate(MAX_PROJECT_EVENTS);
    Ok(events.into_iter().map(|(_, p)| p).collect())
}

/// The projects (not deleted) that the organisations `mine` lead or are
/// partners of (and have not left).
async fn my_project_ids(
    txn: &impl ConnectionTrait,
    mine: &HashSet<Uuid>,
) -> Result<Vec<Uuid>, AppError> {
    if mine.is_empty() {
        return Ok(Vec::new());
    }
    let partner_of: Vec<Uuid> = project_partners::Entity::find()
        .select_only()
        .column(project_partners::Column::ProjectId)
        .filter(project_partners::Column::OrganizationId.is_in(mine.iter().copied()))
        .filter(project_partners::Column::LeftAt.is_null())
        .into_tuple()
        .all(txn)
        .await?;
    Ok(projects::Entity::find()
        .select_only()
        .column(projects::Column::Id)
        .filter(
            Condition::any()
                .add(projects::Column::Id.is_in(partner_of))
                .add(projects::Column::LeadOrganizationId.is_in(mine.iter().copied())),
        )
        .filter(projects::Column::DeletedAt.is_null())
        .into_tuple()
        .all(txn)
        .await?)
}

/// The user's organisations' open needs and offers.
async fn my_postings(
    db: &impl ConnectionTrait,
    user_id: Uuid,
) -> Result<(Vec<needs::Model>, Vec<offers::Model>), AppError> {
    let orgs: Vec<Uuid> = memberships::Entity::find()
        .filter(memberships::Column::UserId.eq(user_id))
        .all(db)
        .await?
        .into_iter()
        .map(|m| m.organization_id)
        .collect();
    if orgs.is_empty() {
        return Ok((Vec::new(), Vec::new()));
    }
    let my_needs = needs::Entity::find()
        .filter(needs::Column::OrganizationId.is_in(orgs.clone()))
        .filter(needs::Column::DeletedAt.is_null())
        .all(db)
        .await?;
    let my_offers = offers::Entity::find()
        .filter(offers::Column::OrganizationId.is_in(orgs))
        .filter(offers::Column::DeletedAt.is_null())
        .all(db)
        .await?;
    Ok((my_needs, my_offers))
}

/// Matches new for this user at `at`, newest first: on their organisations'
/// needs or offers, created after the subscription and by `at`, not
/// dismissed by their side, in no earlier digest of theirs.
async fn new_match_items(
    txn: &impl ConnectionTrait,
    sub: &digest_subscriptions::Model,
    at: DateTime<Utc>,
) -> Result<Vec<Uuid>, AppError> {
    let (my_needs, my_offers) = my_postings(txn, sub.user_id).await?;
    let need_ids: HashSet<Uuid> = my_needs.iter().map(|n| n.id).collect();
    let offer_ids: HashSet<Uuid> = my_offers.iter().map(|o| o.id).collect();
    if need_ids.is_empty() && offer_ids.is_empty() {
        return Ok(Vec::new());
    }
    let dismissed = MatchSideStatus::Dismissed.as_str();
    // Instants are compared in Rust: on SQLite they are text whose
    // fractional digits vary (see docs/data-model.md).
    let mut rows: Vec<matches::Model> = matches::Entity::find()
        .filter(
            Condition::any()
                .add(matches::Column::NeedId.is_in(need_ids.iter().copied()))
                .add(matches::Column::OfferId.is_in(offer_ids.iter().copied())),
        )
        .all(txn)
        .await?
        .into_iter()
        .filter(|m| m.created_at > sub.created_at && m.created_at <= at)
        .filter(|m| {
            let mine_dismissed = (need_ids.contains(&m.need_id) && m.need_side_status == dismissed)
                || (offer_ids.contains(&m.offer_id) && m.offer_side_status == dismissed);
            !mine_dismissed
        })
        .collect();
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    // News only while both sides are open and visible to the public (a
    // draft, hidden, or of a hidden organisation never is): a match of a need
    // closed since (while a digest waited out a mail outage, say) is not.
    let open = PostingStatus::Open.as_str();
    let open_needs: HashSet<Uuid> =
        search_docs::visible_needs(txn, &rows.iter().map(|m| m.need_id).collect::<Vec<_>>())
            .await?
            .into_iter()
            .filter(|n| n.status == open)
            .map(|n| n.id)
            .collect();
    let open_offers: HashSet<Uuid> =
        search_docs::visible_offers(txn, &rows.iter().map(|m| m.offer_id).collect::<Vec<_>>())
            .await?
            .into_iter()
            .filter(|o| o.status == open)
            .map(|o| o.id)
            .collect();
    rows.retain(|m| open_needs.contains(&m.need_id) && open_offers.contains(&m.offer_id));
    let sent = sent_items(
        txn,
        sub.user_id,
        &[ITEM_MATCH],
        Some(rows.iter().map(|m| m.id).collect()),
    )
    .await?;
    rows.retain(|m| !sent.contains(&m.id));
    rows.sort_by_key(|m| std::cmp::Reverse(m.id));
    rows.truncate(MAX_ITEMS);
    Ok(rows.into_iter().map(|m| m.id).collect())
}

/// Which items of these kinds, among `ids` (or all when `None`), were in a
/// digest of this user (sent, or still to be sent), as (kind, id).
async fn sent_pairs(
    db: &impl ConnectionTrait,
    user_id: Uuid,
    item_types: &[&str],
    ids: Option<Vec<Uuid>>,
) -> Result<HashSet<(String, Uuid)>, AppError> {
    // A delivery given up was never read: its items were not sent.
    let of_user = Query::select()
        .column(digest_deliveries::Column::Id)
        .from(digest_deliveries::Entity)
        .and_where(digest_deliveries::Column::UserId.eq(user_id))
        .and_where(digest_deliveries::Column::Status.ne(DeliveryStatus::GivenUp.as_str()))
        .to_owned();
    let select = || {
        digest_items::Entity::find()
            .select_only()
            .column(digest_items::Column::ItemType)
            .column(digest_items::Column::ItemId)
            .filter(digest_items::Column::DeliveryId.in_subquery(of_user.clone()))
            .filter(digest_items::Column::ItemType.is_in(item_types.iter().copied()))
    };
    let mut found = HashSet::new();
    match ids {
        None => found.extend(select().into_tuple::<(String, Uuid)>().all(db).await?),
        Some(ids) => {
            for chunk in ids.chunks(500) {
                found.extend(
                    select()
                        .filter(digest_items::Column::ItemId.is_in(chunk.iter().copied()))
                        .into_tuple::<(String, Uuid)>()
                        .all(db)
                        .await?,
                );
            }
        }
    }
    Ok(found)
}

/// Which items of these kinds, among `ids` (or all when `None`), were in a
/// digest of this user.
async fn sent_items(
    db: &impl ConnectionTrait,
    user_id: Uuid,
    item_types: &[&str],
    ids: Option<Vec<Uuid>>,
) -> Result<HashSet<Uuid>, AppError> {
    Ok(sent_pairs(db, user_id, item_types, ids)
        .await?
        .into_iter()
        .map(|(_, id)| id)
        .collect())
}

// ----------------------------------------------------------------- sending

/// Claims up to `limit` deliveries due at `at` for `worker`: pending and
/// retry ones whose time has come, and sending ones whose lease ran out (a
/// crashed sender). Two workers never claim the same delivery.
pub async fn claim(
    db: &DatabaseConnection,
    worker: &str,
    at: DateTime<Utc>,
    limit: u64,
) -> Result<Vec<digest_deliveries::Model>, AppError> {
    let txn = db.begin().await?;
    let due = Condition::any()
        .add(
            Condition::all()
                .add(digest_deliveries::Column::Status.is_in([
                    DeliveryStatus::Pending.as_str(),
                    DeliveryStatus::Retry.as_str(),
                ]))
                .add(digest_deliveries::Column::NextAttemptAt.lte(at)),
        )
        .add(
            Condition::all()
                .add(digest_deliveries::Column::Status.eq(DeliveryStatus::Sending.as_str()))
                .add(digest_deliveries::Column::ClaimedUntil.lt(at)),
        );
    let mut select = digest_deliveries::Entity::find()
        .filter(due)
        .order_by_asc(digest_deliveries::Column::Id)
        .limit(limit);
    if txn.get_database_backend() == DbBackend::Postgres {
        select = select.lock_with_behavior(LockType::Update, LockBehavior::SkipLocked);
    }
    let rows = select.all(&txn).await?;
    if rows.is_empty() {
        txn.commit().await?;
        return Ok(Vec::new());
    }
    let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
    digest_deliveries::Entity::update_many()
        .col_expr(
            digest_deliveries::Column::Status,
            Expr::value(DeliveryStatus::Sending.as_str()),
        )
        .col_expr(
            digest_deliveries::Column::ClaimedBy,
            Expr::value(worker.to_owned()),
        )
        .col_expr(
            digest_deliveries::Column::ClaimedUntil,
            Expr::value(at + LEASE),
        )
        .col_expr(
            digest_deliveries::Column::Attempts,
            Expr::col(digest_deliveries::Column::Attempts).add(1),
        )
        .filter(digest_deliveries::Column::Id.is_in(ids))
        .exec(&txn)
        .await?;
    txn.commit().await?;
    Ok(rows
        .into_iter()
        .map(|mut row| {
            row.attempts += 1;
            row.claimed_by = Some(worker.to_owned());
            row
        })
        .collect())
}

/// What a send step did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SendReport {
    pub sent: u64,
    /// Failed for a reason that may pass: tried again later.
    pub retry: u64,
    /// Refused for good by the mail server.
    pub failed: u64,
    /// Retried for the whole retry time: given up, what is still relevant
    /// goes in the next digest.
    pub given_up: u64,
    /// Deliveries dropped because digests were turned off or the user left.
    pub cancelled: u64,
}

impl std::ops::AddAssign for SendReport {
    fn add_assign(&mut self, other: Self) {
        self.sent += other.sent;
        self.retry += other.retry;
        self.failed += other.failed;
        self.given_up += other.given_up;
        self.cancelled += other.cancelled;
    }
}

/// What sending needs.
#[derive(Clone, Copy)]
pub struct Sender<'a> {
    pub db: &'a DatabaseConnection,
    /// Runs the saved searches when planning.
    pub search: &'a Search,
    pub mailer: &'a Mailer,
    pub settings: &'a Settings,
    /// This process's name in `claimed_by`.
    pub worker: &'a str,
}

/// Plans what is due at `at`, then sends every claimable delivery.
pub async fn run_once(sender: Sender<'_>, at: DateTime<Utc>) -> Result<SendReport, AppError> {
    plan_due(sender.db, sender.search, at).await?;
    send_due(sender, at).await
}

/// Claims and sends deliveries due at `at` until none is left, several at
/// once (the mailer's pool bounds the connections).
pub async fn send_due(sender: Sender<'_>, at: DateTime<Utc>) -> Result<SendReport, AppError> {
    let mut report = SendReport::default();
    loop {
        let claimed = claim(sender.db, sender.worker, at, BATCH).await?;
        if claimed.is_empty() {
            return Ok(report);
        }
        let outcomes = futures_util::future::join_all(
            claimed
                .into_iter()
                .map(|delivery| send_one(sender, delivery, at)),
        )
        .await;
        for outcome in outcomes {
            report += outcome?;
        }
    }
}

/// Only the claim holder may settle a delivery: a sender whose lease ran
/// out and was taken over writes nothing.
fn held_by(worker: &str, id: Uuid) -> Condition {
    Condition::all()
        .add(digest_deliveries::Column::Id.eq(id))
        .add(digest_deliveries::Column::ClaimedBy.eq(worker))
        .add(digest_deliveries::Column::Status.eq(DeliveryStatus::Sending.as_str()))
}

/// Sends one claimed delivery; `at` is the step's time, from which a retry
/// is scheduled (so one step never retries what it just tried).
async fn send_one(
    sender: Sender<'_>,
    delivery: digest_deliveries::Model,
    at: DateTime<Utc>,
) -> Result<SendReport, AppError> {
    let db = sender.db;
    let user = users::Entity::find_by_id(delivery.user_id)
        .filter(users::Column::DeletedAt.is_null())
        .one(db)
        .await?;
    let sub = find_subscription(db, delivery.user_id).await?;
    let (Some(user), Some(sub)) = (user, sub) else {
        return cancel(db, sender.worker, delivery.id).await;
    };
    if frequency_of(&sub) == DigestFrequency::Off {
        return cancel(db, sender.worker, delivery.id).await;
    }
    let token = issue_link_token(db, user.id).await?;
    let digest = compose(db, sender.settings, &user, &sub, delivery.id, &token).await?;
    let mut report = SendReport::default();
    if digest.item_count() == 0 {
        // Every item vanished since planning (postings deleted).
        settle_sent(db, sender.worker, &delivery, None).await?;
        return Ok(report);
    }
    let policy = RetryPolicy::from_settings(sender.settings);
    let result = match build_email(&user, &digest) {
        Ok(email) => sender.mailer.send(email).await,
        Err(error) => Err(error),
    };
    match result {
        Ok(message_id) => {
            settle_sent(db, sender.worker, &delivery, Some(message_id.into_inner())).await?;
            report.sent = 1;
        }
        Err(error) => {
            let failure = failure_of(&error);
            let first_failed_at = delivery.first_failed_at.unwrap_or(at);
            let outcome = if !error.is_retryable() {
                tracing::error!(delivery = %delivery.id, attempt = delivery.attempts, %error, "digest refused for good");
                report.failed = 1;
                Retry::Never
            } else if at >= first_failed_at + policy.retry_for {
                tracing::error!(
                    delivery = %delivery.id,
                    attempt = delivery.attempts,
                    %first_failed_at,
                    %error,
                    "digest given up: the mail server failed for the whole retry time; \
                     the next digest takes what is still relevant of it"
                );
                report.given_up = 1;
                Retry::GivenUp
            } else {
                let next = at + policy.delay(delivery.attempts);
                tracing::warn!(delivery = %delivery.id, attempt = delivery.attempts, %error, next_attempt_at = %next, "digest not sent: will retry");
                report.retry = 1;
                Retry::At(next)
            };
            let failed = Failed {
                error: &error,
                failure,
                first_failed_at,
                retry: outcome,
            };
            settle_failed(db, sender.worker, &delivery, &failed).await?;
        }
    }
    Ok(report)
}

/// What people are told about a mail error.
fn failure_of(error: &MailError) -> DeliveryFailure {
    match error {
        // A reply asking to try later (or refusing our credentials, which
        // the operator can fix).
        MailError::Temporary { code: Some(_), .. } => DeliveryFailure::Deferred,
        // No reply at all: no connection, no answer in time, TLS.
        MailError::Temporary { code: None, .. } => DeliveryFailure::Unreachable,
        MailError::Permanent { .. } if error.refuses_recipient() => {
            DeliveryFailure::RecipientRefused
        }
        MailError::Permanent { .. } => DeliveryFailure::MessageRefused,
        // The stored address cannot be written in a message.
        MailError::Invalid(_) => DeliveryFailure::RecipientRefused,
    }
}

/// When a failed delivery is tried again.
#[derive(Clone, Copy, Debug)]
enum Retry {
    At(DateTime<Utc>),
    /// Refused for good.
    Never,
    /// Failed for the whole retry time.
    GivenUp,
}

/// A failed attempt, as recorded.
struct Failed<'a> {
    /// The server's words: for the log and `last_error` only.
    error: &'a MailError,
    failure: DeliveryFailure,
    first_failed_at: DateTime<Utc>,
    retry: Retry,
}

fn build_email(user: &users::Model, digest: &Digest) -> Result<OutgoingEmail, MailError> {
    let address = Email::parse(&user.email)
        .map_err(|_| MailError::Invalid("the stored address is not valid".to_owned()))?;
    OutgoingEmail::new(address, render::render(digest))
        .to_name(user.display_name.clone())
        .one_click_unsubscribe(&digest.unsubscribe_url)
}

async fn cancel(db: &DatabaseConnection, worker: &str, id: Uuid) -> Result<SendReport, AppError> {
    digest_deliveries::Entity::delete_many()
        .filter(held_by(worker, id))
        .exec(db)
        .await?;
    Ok(SendReport {
        cancelled: 1,
        ..SendReport::default()
    })
}

async fn settle_sent(
    db: &DatabaseConnection,
    worker: &str,
    delivery: &digest_deliveries::Model,
    message_id: Option<String>,
) -> Result<(), AppError> {
    let at = now();
    let txn = db.begin().await?;
    let updated = digest_deliveries::Entity::update_many()
        .col_expr(
            digest_deliveries::Column::Status,
            Expr::value(DeliveryStatus::Sent.as_str()),
        )
        .col_expr(
            digest_deliveries::Column::MessageId,
            Expr::value(message_id),
        )
        .col_expr(digest_deliveries::Column::SentAt, Expr::value(Some(at)))
        .col_expr(
            digest_deliveries::Column::ClaimedUntil,
            Expr::value(None::<DateTime<Utc>>),
        )
        .col_expr(
            digest_deliveries::Column::LastError,
            Expr::value(None::<String>),
        )
        .col_expr(
            digest_deliveries::Column::FailureKind,
            Expr::value(None::<String>),
        )
        .filter(held_by(worker, delivery.id))
        .exec(&txn)
        .await?;
    if updated.rows_affected > 0 {
        digest_subscriptions::Entity::update_many()
            .col_expr(
                digest_subscriptions::Column::LastSentAt,
                Expr::value(Some(at)),
            )
            .filter(digest_subscriptions::Column::UserId.eq(delivery.user_id))
            .exec(&txn)
            .await?;
    }
    txn.commit().await?;
    Ok(())
}

async fn settle_failed(
    db: &DatabaseConnection,
    worker: &str,
    delivery: &digest_deliveries::Model,
    failed: &Failed<'_>,
) -> Result<(), AppError> {
    let (status, next) = match failed.retry {
        Retry::At(next) => (DeliveryStatus::Retry, Some(next)),
        Retry::Never => (DeliveryStatus::Failed, None),
        Retry::GivenUp => (DeliveryStatus::GivenUp, None),
    };
    // A refusal for good is not a temporary failure: it starts no retry time.
    let first_failed_at = failed
        .error
        .is_retryable()
        .then_some(failed.first_failed_at);
    digest_deliveries::Entity::update_many()
        .col_expr(
            digest_deliveries::Column::Status,
            Expr::value(status.as_str()),
        )
        .col_expr(digest_deliveries::Column::NextAttemptAt, Expr::value(next))
        .col_expr(
            digest_deliveries::Column::ClaimedUntil,
            Expr::value(None::<DateTime<Utc>>),
        )
        .col_expr(
            digest_deliveries::Column::LastError,
            Expr::value(Some(failed.error.to_string())),
        )
        .col_expr(
            digest_deliveries::Column::FailureKind,
            Expr::value(Some(failed.failure.as_str())),
        )
        .col_expr(
            digest_deliveries::Column::FirstFailedAt,
            Expr::value(first_failed_at.or(delivery.first_failed_at)),
        )
        .filter(held_by(worker, delivery.id))
        .exec(db)
        .await?;
    Ok(())
}

async fn issue_link_token(db: &impl ConnectionTrait, user_id: Uuid) -> Result<String, AppError> {
    let token = tokens::generate()?;
    let at = now();
    email_tokens::ActiveModel {
        id: Set(new_id()),
        user_id: Set(user_id),
        purpose: Set(EmailTokenPurpose::Unsubscribe.as_str().to_owned()),
        token_hash: Set(token.hash),
        created_at: Set(at),
        expires_at: Set(at + LINK_LIFETIME),
        used_at: Set(None),
    }
    .insert(db)
    .await?;
    Ok(token.plain)
}

fn base(settings: &Settings) -> &str {
    settings.public_url.trim_end_matches('/')
}

/// The digest of a planned delivery: its matches grouped by the user's
/// need or offer (one section each, newest first), then a section per saved
/// search and per project, with links carrying `token`.
async fn compose(
    db: &impl ConnectionTrait,
    settings: &Settings,
    user: &users::Model,
    sub: &digest_subscriptions::Model,
    delivery_id: Uuid,
    token: &str,
) -> Result<Digest, AppError> {
    let base = base(settings);
    let lang = Lang::parse(&sub.language).unwrap_or_default();
    let items = digest_items::Entity::find()
        .filter(digest_items::Column::DeliveryId.eq(delivery_id))
        .all(db)
        .await?;
    Ok(Digest {
        lang,
        display_name: user.display_name.clone(),
        sections: match_sections(db, base, user, &items, token).await?,
        searches: search_sections(db, base, &items).await?,
        projects: project_sections(db, base, lang, &items).await?,
        unsubscribe_url: format!("{base}/digests/unsubscribe?token={token}"),
        settings_url: format!("{base}/account"),
    })
}

/// Organisation names by id.
async fn organization_names(
    db: &impl ConnectionTrait,
    ids: impl IntoIterator<Item = Uuid>,
) -> Result<HashMap<Uuid, String>, AppError> {
    let ids: HashSet<Uuid> = ids.into_iter().collect();
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    Ok(organizations::Entity::find()
        .select_only()
        .column(organizations::Column::Id)
        .column(organizations::Column::Name)
        .filter(organizations::Column::Id.is_in(ids))
        .into_tuple::<(Uuid, String)>()
        .all(db)
        .await?
        .into_iter()
        .collect())
}

fn ids_of<'a>(
    items: &'a [digest_items::Model],
    kinds: &'a [&str],
) -> impl Iterator<Item = Uuid> + 'a {
    items
        .iter()
        .filter(|i| kinds.contains(&i.item_type.as_str()))
        .map(|i| i.item_id)
}

/// The match sections: one per need or offer of the user's organisations.
async fn match_sections(
    db: &impl ConnectionTrait,
    base: &str,
    user: &users::Model,
    items: &[digest_items::Model],
    token: &str,
) -> Result<Vec<DigestSection>, AppError> {
    let item_ids: Vec<Uuid> = ids_of(items, &[ITEM_MATCH]).collect();
    let rows = if item_ids.is_empty() {
        Vec::new()
    } else {
        matches::Entity::find()
            .filter(matches::Column::Id.is_in(item_ids))
            .all(db)
            .await?
    };
    let (my_needs, my_offers) = my_postings(db, user.id).await?;
    let my_needs: HashMap<Uuid, needs::Model> = my_needs.into_iter().map(|n| (n.id, n)).collect();
    let my_offers: HashMap<Uuid, offers::Model> =
        my_offers.into_iter().map(|o| (o.id, o)).collect();
    // What was hidden since planning is left out.
    let shown = visibility::matches_for_members(
        db,
        &rows,
        &my_needs.keys().copied().collect(),
        &my_offers.keys().copied().collect(),
    )
    .await?;
    let other_needs: HashMap<Uuid, needs::Model> = needs::Entity::find()
        .filter(needs::Column::Id.is_in(rows.iter().map(|m| m.need_id)))
        .filter(needs::Column::DeletedAt.is_null())
        .all(db)
        .await?
        .into_iter()
        .map(|n| (n.id, n))
        .collect();
    let other_offers: HashMap<Uuid, offers::Model> = offers::Entity::find()
        .filter(offers::Column::Id.is_in(rows.iter().map(|m| m.offer_id)))
        .filter(offers::Column::DeletedAt.is_null())
        .all(db)
        .await?
        .into_iter()
        .map(|o| (o.id, o))
        .collect();
    let org_ids: HashSet<Uuid> = other_needs
        .values()
        .map(|n| n.organization_id)
        .chain(other_offers.values().map(|o| o.organization_id))
        .collect();
    let org_names: HashMap<Uuid, String> = organizations::Entity::find()
        .filter(organizations::Column::Id.is_in(org_ids))
        .all(db)
        .await?
        .into_iter()
        .map(|o| (o.id, o.name))
        .collect();
    let org = |id: Uuid| org_names.get(&id).cloned().unwrap_or_default();
    let feedback = |match_id: Uuid, verdict: &str| {
        format!("{base}/digests/feedback?token={token}&match={match_id}&verdict={verdict}")
    };
    // Section key: (side, posting id).
    let mut sections: BTreeMap<(u8, Uuid), DigestSection> = BTreeMap::new();
    for row in rows.iter().filter(|m| shown.contains(&m.id)) {
        let (Some(need), Some(offer)) = (
            other_needs.get(&row.need_id),
            other_offers.get(&row.offer_id),
        ) else {
            continue;
        };
        // A match between two postings of the user's own organisations
        // appears under the need.
        let (key, section, item) = if my_needs.contains_key(&row.need_id) {
            (
                (0, need.id),
                (
                    Side::Need,
                    &need.title,
                    org(need.organization_id),
                    format!("{base}/needs/{}", need.id),
                ),
                (
                    &offer.title,
                    org(offer.organization_id),
                    format!("{base}/offers/{}", offer.id),
                ),
            )
        } else if my_offers.contains_key(&row.offer_id) {
            (
                (1, offer.id),
                (
                    Side::Offer,
                    &offer.title,
                    org(offer.organization_id),
                    format!("{base}/offers/{}", offer.id),
                ),
                (
                    &need.title,
                    org(need.organization_id),
                    format!("{base}/needs/{}", need.id),
                ),
            )
        } else {
            // The user left the organisation since planning.
            continue;
        };
        let entry = sections.entry(key).or_insert_with(|| DigestSection {
            side: section.0,
            title: section.1.clone(),
            organization: section.2,
            url: section.3,
            items: Vec::new(),
        });
        entry.items.push(DigestItem {
            match_id: row.id,
            title: item.0.clone(),
            organization: item.1,
            score: row.score,
            created_at: row.created_at,
            url: item.2,
            relevant_url: feedback(row.id, FeedbackVerdict::Relevant.as_str()),
            not_relevant_url: feedback(row.id, FeedbackVerdict::NotRelevant.as_str()),
        });
    }
    let mut sections: Vec<DigestSection> = sections.into_values().collect();
    for section in &mut sections {
        section.items.sort_by(|a, b| {
            b.created_at
                .cmp(&a.created_at)
                .then(b.match_id.cmp(&a.match_id))
        });
    }
    // Newest first: by each section's newest item.
    sections.sort_by(|a, b| {
        let newest = |s: &DigestSection| s.items.first().map(|i| (i.created_at, i.match_id));
        newest(b).cmp(&newest(a))
    });
    Ok(sections)
}

/// The saved-search sections, in the order the searches were saved; a
/// search deleted since planning takes its section with it.
async fn search_sections(
    db: &impl ConnectionTrait,
    base: &str,
    items: &[digest_items::Model],
) -> Result<Vec<SearchSection>, AppError> {
    let found: Vec<&digest_items::Model> = items
        .iter()
        .filter(|i| SEARCH_ITEMS.contains(&i.item_type.as_str()))
        .collect();
    if found.is_empty() {
        return Ok(Vec::new());
    }
    let mut searches = saved_searches::by_ids(db, found.iter().filter_map(|i| i.group_id)).await?;
    searches.sort_by(|a, b| a.created_at.cmp(&b.created_at).then(a.id.cmp(&b.id)));
    let need_ids: Vec<Uuid> = ids_of(items, &[ITEM_SEARCH_NEED]).collect();
    let offer_ids: Vec<Uuid> = ids_of(items, &[ITEM_SEARCH_OFFER]).collect();
    let needs: HashMap<Uuid, needs::Model> = search_docs::visible_needs(db, &need_ids)
        .await?
        .into_iter()
        .map(|n| (n.id, n))
        .collect();
    let offers: HashMap<Uuid, offers::Model> = search_docs::visible_offers(db, &offer_ids)
        .await?
        .into_iter()
        .map(|o| (o.id, o))
        .collect();
    let names = organization_names(
        db,
        needs
            .values()
            .map(|n| n.organization_id)
            .chain(offers.values().map(|o| o.organization_id)),
    )
    .await?;
    let org = |id: Uuid| names.get(&id).cloned().unwrap_or_default();
    let mut sections = Vec::new();
    for search in searches {
        let mut items: Vec<FoundItem> = found
            .iter()
            .filter(|i| i.group_id == Some(search.id))
            .filter_map(|i| {
                if i.item_type == ITEM_SEARCH_NEED {
                    let need = needs.get(&i.item_id)?;
                    Some(FoundItem {
                        kind: if need.kind == NeedKind::CallForProposals.as_str() {
                            PostingKind::Call
                        } else {
                            PostingKind::Need
                        },
                        id: need.id,
                        title: need.title.clone(),
                        organization: org(need.organization_id),
                        created_at: need.created_at,
                        url: format!("{base}/needs/{}", need.id),
                    })
                } else {
                    let offer = offers.get(&i.item_id)?;
                    Some(FoundItem {
                        kind: PostingKind::Offer,
                        id: offer.id,
                        title: offer.title.clone(),
                        organization: org(offer.organization_id),
                        created_at: offer.created_at,
                        url: format!("{base}/offers/{}", offer.id),
                    })
                }
            })
            .collect();
        if items.is_empty() {
            continue;
        }
        items.sort_by(|a, b| b.created_at.cmp(&a.created_at).then(b.id.cmp(&a.id)));
        sections.push(SearchSection {
            name: search.name,
            items,
        });
    }
    Ok(sections)
}

/// The project sections, the most recently active first; a project deleted
/// since planning takes its section with it.
async fn project_sections(
    db: &impl ConnectionTrait,
    base: &str,
    lang: Lang,
    items: &[digest_items::Model],
) -> Result<Vec<ProjectSection>, AppError> {
    let project_ids: HashSet<Uuid> = items
        .iter()
        .filter(|i| PROJECT_ITEMS.contains(&i.item_type.as_str()))
        .filter_map(|i| i.group_id)
        .collect();
    if project_ids.is_empty() {
        return Ok(Vec::new());
    }
    let stage_label = |stage: &str| {
        ProjectStage::parse(stage)
            .map(|s| s.label(lang).to_owned())
            .unwrap_or_else(|_| stage.to_owned())
    };
    let partner_ids: Vec<Uuid> = ids_of(items, &[ITEM_PARTNER_JOINED, ITEM_PARTNER_LEFT]).collect();
    let partners = project_partners::Entity::find()
        .filter(project_partners::Column::Id.is_in(partner_ids))
        .all(db)
        .await?;
    let stages = project_stages::Entity::find()
        .filter(project_stages::Column::Id.is_in(ids_of(items, &[ITEM_STAGE])))
        .all(db)
        .await?;
    let contributions = project_contributions::Entity::find()
        .filter(project_contributions::Column::Id.is_in(ids_of(items, &[ITEM_CONTRIBUTION])))
        .all(db)
        .await?;
    let documents = project_documents::Entity::find()
        .filter(project_documents::Column::Id.is_in(ids_of(items, &[ITEM_DOCUMENT])))
        .all(db)
        .await?;
    let approvals = project_approvals::Entity::find()
        .filter(project_approvals::Column::Id.is_in(ids_of(items, &[ITEM_APPROVAL])))
        .all(db)
        .await?;
    let names = organization_names(
        db,
        partners
            .iter()
            .map(|p| p.organization_id)
            .chain(contributions.iter().map(|c| c.organization_id))
            .chain(approvals.iter().map(|a| a.organization_id)),
    )
    .await?;
    let org = |id: Uuid| names.get(&id).cloned().unwrap_or_default();
    let planned: HashSet<(&str, Uuid)> = items
        .iter()
        .map(|i| (i.item_type.as_str(), i.item_id))
        .collect();
    let mut events: Vec<(Uuid, ProjectEvent)> = Vec::new();
    for p in &partners {
        if planned.contains(&(ITEM_PARTNER_JOINED, p.id)) {
            let activity = Activity::PartnerJoined {
                organization: org(p.organization_id),
            };
            events.push((p.project_id, event(p.id, p.joined_at, activity)));
        }
        if let Some(left) = p.left_at
            && planned.contains(&(ITEM_PARTNER_LEFT, p.id))
        {
            let activity = Activity::PartnerLeft {
                organization: org(p.organization_id),
            };
            events.push((p.project_id, event(p.id, left, activity)));
        }
    }
    for s in &stages {
        let activity = Activity::StageStarted {
            stage: stage_label(&s.stage),
        };
        events.push((s.project_id, event(s.id, s.started_at, activity)));
    }
    for c in &contributions {
        let activity = Activity::ContributionProposed {
            organization: org(c.organization_id),
            description: c.description.clone(),
        };
        events.push((c.project_id, event(c.id, c.created_at, activity)));
    }
    for d in &documents {
        let activity = Activity::DocumentAdded {
            title: d.title.clone(),
        };
        events.push((d.project_id, event(d.id, d.created_at, activity)));
    }
    for a in &approvals {
        let activity = Activity::Decision {
            organization: org(a.organization_id),
            stage: stage_label(&a.stage),
            approved: a.decision == "approved",
        };
        events.push((a.project_id, event(a.id, a.decided_at, activity)));
    }
    let projects = projects::Entity::find()
        .filter(projects::Column::Id.is_in(project_ids))
        .filter(projects::Column::DeletedAt.is_null())
        .all(db)
        .await?;
    let mut sections: Vec<ProjectSection> = projects
        .into_iter()
        .filter_map(|project| {
            let mut mine: Vec<ProjectEvent> = events
                .iter()
                .filter(|(id, _)| *id == project.id)
                .map(|(_, e)| e.clone())
                .collect();
            if mine.is_empty() {
                return None;
            }
            mine.sort_by(|a, b| b.at.cmp(&a.at).then(b.id.cmp(&a.id)));
            Some(ProjectSection {
                title: project.title,
                url: format!("{base}/projects/{}", project.id),
                events: mine,
            })
        })
        .collect();
    sections.sort_by(|a, b| {
        let newest = |s: &ProjectSection| s.events.first().map(|e| (e.at, e.id));
        newest(b).cmp(&newest(a))
    });
    Ok(sections)
}

fn event(id: Uuid, at: DateTime<Utc>, activity: Activity) -> ProjectEvent {
    ProjectEvent { id, at, activity }
}

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
    delivery_row(
        id,
        user.id,
        (at, at + TimeDelta::microseconds(1)),
        DeliveryStatus::Pending,
        0,
        at,
    )
    .insert(&txn)
    .await?;
    record_items(&txn, id, &items).await?;
    let digest = compose(&txn, settings, user, &sub, id, "preview").await?;
    txn.rollback().await?;
    Ok(Some(digest))
}

/// A new `digest_deliveries` row covering `period`, never tried.
fn delivery_row(
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
    users::Entity::find()
        .filter(users::Column::Email.eq(email.trim().to_lowercase()))
        .filter(users::Column::DeletedAt.is_null())
        .one(db)
        .await?
        .ok_or_else(|| AppError::not_found(crate::error::Entity::User, "user"))
}

/// Users whose digest is due at `at` (for `trama digests send --dry-run`).
pub async fn due_users(
    db: &DatabaseConnection,
    at: DateTime<Utc>,
) -> Result<Vec<users::Model>, AppError> {
    let ids: Vec<Uuid> = digest_subscriptions::Entity::find()
        .filter(digest_subscriptions::Column::Frequency.ne(DigestFrequency::Off.as_str()))
        .filter(digest_subscriptions::Column::NextDueAt.lte(at))
        .all(db)
        .await?
        .into_iter()
        .map(|s| s.user_id)
        .collect();
    Ok(users::Entity::find()
        .filter(users::Column::Id.is_in(ids))
        .filter(users::Column::DeletedAt.is_null())
        .order_by_asc(users::Column::Email)
        .all(db)
        .await?)
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
    active.update(db).await?;
    Ok(true)
}

// ------------------------------------------------------------------ links

/// The owner of a digest link token, when it is valid.
async fn link_owner(
    db: &impl ConnectionTrait,
    token: &str,
) -> Result<Option<users::Model>, AppError> {
    if token.is_empty() || token.len() > 100 {
        return Ok(None);
    }
    let found = email_tokens::Entity::find()
        .filter(email_tokens::Column::TokenHash.eq(tokens::hash(token)))
        .filter(email_tokens::Column::Purpose.eq(EmailTokenPurpose::Unsubscribe.as_str()))
        .one(db)
        .await?;
    let Some(found) = found.filter(|t| t.expires_at > now()) else {
        return Ok(None);
    };
    Ok(users::Entity::find_by_id(found.user_id)
        .filter(users::Column::DeletedAt.is_null())
        .one(db)
        .await?)
}

/// The language of a link's page: the owner's digest language.
pub async fn link_lang(db: &DatabaseConnection, token: &str) -> Lang {
    match link_owner(db, token).await {
        Ok(Some(user)) => match find_subscription(db, user.id).await {
            Ok(Some(sub)) => Lang::parse(&sub.language).unwrap_or_default(),
            _ => Lang::parse(&user.locale).unwrap_or_default(),
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
pub async fn unsubscribe(db: &DatabaseConnection, token: &str) -> Result<Lang, AppError> {
    let user = link_owner(db, token)
        .await?
        .ok_or_else(|| AppError::invalid("token", crate::domain::Invalid::Expired))?;
    let sub = subscription(db, &user).await?;
    let lang = Lang::parse(&sub.language).unwrap_or_default();
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
    email_tokens::Entity::update_many()
        .col_expr(email_tokens::Column::UsedAt, Expr::value(Some(now())))
        .filter(email_tokens::Column::TokenHash.eq(tokens::hash(token)))
        .filter(email_tokens::Column::UsedAt.is_null())
        .exec(db)
        .await?;
    Ok(lang)
}

/// Checks a feedback link without recording anything (the page a GET
/// shows: mail scanners open links, so only the button's POST records).
/// Returns the language of the page. Fails as [`feedback`] does.
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
        Some(sub) => Lang::parse(&sub.language).unwrap_or_default(),
        None => Lang::parse(&user.locale).unwrap_or_default(),
    };
    if sent_items(db, user.id, &[ITEM_MATCH], Some(vec![match_id]))
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
pub async fn feedback(
    db: &DatabaseConnection,
    token: &str,
    match_id: Uuid,
    verdict: FeedbackVerdict,
) -> Result<Lang, AppError> {
    let (user, lang) = feedback_owner(db, token, match_id).await?;
    super::matches::record_feedback(
        db,
        &Actor::user(user.id, &user.email),
        match_id,
        verdict,
        FeedbackSource::Email,
    )
    .await?;
    Ok(lang)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn intervals_follow_the_frequency() {
        assert_eq!(interval(DigestFrequency::Weekly), Some(TimeDelta::days(7)));
        assert_eq!(interval(DigestFrequency::Daily), Some(TimeDelta::days(1)));
        assert_eq!(interval(DigestFrequency::Off), None);
    }
}
