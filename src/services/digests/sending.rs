//! Sending planned deliveries: claiming them with a lease, rendering and
//! handing them to the mail server, and settling each as sent, to retry,
//! failed or given up.

use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, DatabaseConnection, TransactionTrait};
use uuid::Uuid;

use crate::config::Settings;
use crate::domain::{DeliveryFailure, DeliveryStatus, DigestFrequency, Email, EmailTokenPurpose};
use crate::error::AppError;
use crate::mail::digest::{self as render, Digest};
use crate::mail::{MailError, Mailer, OutgoingEmail};
use crate::matching::Matcher;
use crate::search::Search;
use crate::services::{now, tokens};
use crate::store::digests::deliveries::{self, FailedAttempt};
use crate::store::digests::subscriptions;
use crate::store::entities::{digest_deliveries, users};
use crate::store::rows::existing_by_id;

use super::compose::compose;
use super::planning::{Planner, plan_due};
use super::settings::{RetryPolicy, find_subscription, frequency_of};
use super::{BATCH, EXISTING_USER, LEASE, LINK_LIFETIME};

// ----------------------------------------------------------------- sending

/// Claims up to `limit` deliveries due at `at` for `worker`: pending and
/// retry ones whose time has come, and sending ones whose lease ran out (a
/// crashed sender). Two workers never claim the same delivery.
#[tracing::instrument(skip_all, fields(%worker))]
pub async fn claim(
    db: &DatabaseConnection,
    worker: &str,
    at: DateTime<Utc>,
    limit: u64,
) -> Result<Vec<digest_deliveries::Model>, AppError> {
    let rows = deliveries::claim(db, worker, at, LEASE, limit).await?;
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

crate::services::add_counts!(SendReport {
    sent,
    retry,
    failed,
    given_up,
    cancelled
});

/// What sending needs.
#[derive(Clone, Copy)]
pub struct Sender<'a> {
    pub db: &'a DatabaseConnection,
    /// Runs the saved searches when planning.
    pub search: &'a Search,
    /// Orders each posting's matches as its organisation's lists do.
    pub matcher: &'a Matcher,
    pub mailer: &'a Mailer,
    pub settings: &'a Settings,
    /// This process's name in `claimed_by`.
    pub worker: &'a str,
}

impl<'a> Sender<'a> {
    /// What planning needs, from what sending has.
    pub fn planner(&self) -> Planner<'a> {
        Planner {
            search: self.search,
            matcher: self.matcher,
            per_posting: self.settings.digest_matches_per_posting,
        }
    }
}

/// Plans what is due at `at`, then sends every claimable delivery.
#[tracing::instrument(skip_all, fields(%at))]
pub async fn run_once(sender: Sender<'_>, at: DateTime<Utc>) -> Result<SendReport, AppError> {
    plan_due(sender.db, sender.planner(), at).await?;
    send_due(sender, at).await
}

/// Claims and sends deliveries due at `at` until none is left, several at
/// once (the mailer's pool bounds the connections).
#[tracing::instrument(skip_all, fields(%at))]
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

/// Sends one claimed delivery; `at` is the step's time, from which a retry
/// is scheduled (so one step never retries what it just tried).
async fn send_one(
    sender: Sender<'_>,
    delivery: digest_deliveries::Model,
    at: DateTime<Utc>,
) -> Result<SendReport, AppError> {
    let db = sender.db;
    let user = existing_by_id::<users::Entity>(db, delivery.user_id, EXISTING_USER).await?;
    let sub = find_subscription(db, delivery.user_id).await?;
    let (Some(user), Some(sub)) = (user, sub) else {
        return cancel(db, sender.worker, delivery.id).await;
    };
    if frequency_of(&sub) == DigestFrequency::Off {
        return cancel(db, sender.worker, delivery.id).await;
    }
    let token = issue_link_token(db, user.id).await?;
    let digest = compose(
        db,
        sender.settings,
        sender.matcher,
        &user,
        &sub,
        delivery.id,
        &token,
    )
    .await?;
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
pub(super) enum Retry {
    At(DateTime<Utc>),
    /// Refused for good.
    Never,
    /// Failed for the whole retry time.
    GivenUp,
}

/// A failed attempt, as recorded.
pub(super) struct Failed<'a> {
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

/// Drops a delivery the worker holds (only the claim holder may settle a
/// delivery: a sender whose lease ran out and was taken over writes nothing).
async fn cancel(db: &DatabaseConnection, worker: &str, id: Uuid) -> Result<SendReport, AppError> {
    deliveries::delete_held(db, worker, id).await?;
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
    if deliveries::mark_sent(&txn, worker, delivery.id, message_id, at).await? {
        subscriptions::mark_sent(&txn, delivery.user_id, at).await?;
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
    let attempt = FailedAttempt {
        status,
        next_attempt_at: next,
        last_error: failed.error.to_string(),
        failure: failed.failure,
        first_failed_at: first_failed_at.or(delivery.first_failed_at),
    };
    deliveries::mark_failed(db, worker, delivery.id, attempt).await?;
    Ok(())
}

async fn issue_link_token(db: &impl ConnectionTrait, user_id: Uuid) -> Result<String, AppError> {
    let token = tokens::generate()?;
    let at = now();
    let purpose = EmailTokenPurpose::Unsubscribe;
    crate::store::accounts::insert_email_token(
        db,
        user_id,
        purpose,
        token.hash,
        at,
        at + LINK_LIFETIME,
    )
    .await?;
    Ok(token.plain)
}

pub(super) fn base(settings: &Settings) -> &str {
    settings.public_url.trim_end_matches('/')
}
