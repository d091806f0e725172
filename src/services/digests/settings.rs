//! A user's digest preferences, their subscription row, and what they are
//! told when their latest digest has not arrived.

use chrono::{DateTime, TimeDelta, Utc};
use sea_orm::{ConnectionTrait, DatabaseConnection, TransactionTrait};
use uuid::Uuid;

use crate::config::Settings;
use crate::domain::{DeliveryFailure, DeliveryStatus, DigestFrequency, Lang, MessageNotifications};
use crate::error::AppError;
use crate::services::{Actor, now};
use crate::store::digests::subscriptions::{NewSubscription, SubscriptionChange};
use crate::store::digests::{deliveries, subscriptions};
use crate::store::entities::{digest_subscriptions, users};
use crate::store::rows::existing_by_id;

use super::{EXISTING_USER, FIRST_RETRY};

/// A user's digest preferences.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DigestSettings {
    pub frequency: DigestFrequency,
    pub language: Lang,
    pub include_matches: bool,
    pub include_saved_searches: bool,
    pub include_projects: bool,
    /// How new messages in their conversations reach them.
    pub message_notifications: MessageNotifications,
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
        crate::store::jobs::capped_backoff(attempt, FIRST_RETRY, self.max_delay)
    }
}

/// A change to the preferences: `None` keeps the current value.
pub use crate::store::digests::subscriptions::PreferencesChange as DigestSettingsInput;

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

pub(super) fn frequency_of(row: &digest_subscriptions::Model) -> DigestFrequency {
    row.frequency
}

/// A new subscription with the defaults: the default frequency, in the
/// user's language (every kind of content on).
pub(super) fn default_subscription(
    user_id: Uuid,
    locale: Lang,
    at: DateTime<Utc>,
) -> NewSubscription {
    let frequency = DigestFrequency::default();
    NewSubscription {
        user_id,
        frequency,
        language: locale,
        next_due_at: interval(frequency).map(|d| at + d),
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
    let at = now();
    let row = default_subscription(user.id, user.locale, at);
    // Two requests may create it at once: the unique user_id keeps one.
    subscriptions::insert_unless_present(db, &[row], at).await?;
    find_subscription(db, user.id)
        .await?
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("digest subscription not created")))
}

pub(super) async fn find_subscription(
    db: &impl ConnectionTrait,
    user_id: Uuid,
) -> Result<Option<digest_subscriptions::Model>, AppError> {
    Ok(subscriptions::of_user(db, user_id).await?)
}

async fn active_user(db: &impl ConnectionTrait, id: Uuid) -> Result<users::Model, AppError> {
    existing_by_id::<users::Entity>(db, id, EXISTING_USER)
        .await?
        .ok_or(AppError::Unauthenticated)
}

/// The signed-in user's digest settings. UNAUTHENTICATED without a user.
#[tracing::instrument(skip_all)]
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
        language: row.language,
        include_matches: row.include_matches,
        include_saved_searches: row.include_saved_searches,
        include_projects: row.include_projects,
        message_notifications: row.message_notifications,
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
    let Some(latest) = deliveries::latest_settled_with_items(db, user.id).await? else {
        return Ok(None);
    };
    let failure = latest.failure_kind;
    let since = latest.first_failed_at.unwrap_or(latest.created_at);
    Ok(match latest.status {
        DeliveryStatus::Retry | DeliveryStatus::Sending => Some(DeliveryProblem::Retrying {
            failure: failure.unwrap_or(DeliveryFailure::Unreachable),
            since,
            next_attempt_at: latest.next_attempt_at,
        }),
        DeliveryStatus::Failed => Some(DeliveryProblem::Refused {
            failure: failure.unwrap_or(DeliveryFailure::MessageRefused),
            address: user.email.clone(),
        }),
        DeliveryStatus::GivenUp if latest.carried_over_at.is_none() => {
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
#[tracing::instrument(skip_all)]
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
    let mut change = SubscriptionChange {
        preferences: *input,
        next_due_at: None,
        updated_at: Some(at),
    };
    if let Some(frequency) = input.frequency {
        if frequency == DigestFrequency::Immediate {
            // Due at once; then every minute.
            change.next_due_at = Some(Some(at));
        } else if frequency != before {
            change.next_due_at = Some(interval(frequency).map(|d| at + d));
        }
        if frequency == DigestFrequency::Off {
            // Their items become eligible again should digests be turned
            // back on.
            deliveries::delete_unsent_of(&txn, user_id).await?;
        }
    }
    let after = subscriptions::update(&txn, row, change).await?;
    crate::services::audit(
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
