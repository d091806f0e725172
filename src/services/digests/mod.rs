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
//!      draft, nor hidden), one section per need or offer of the user's,
//!      each listing its best `TRAMA_DIGEST_MATCHES_PER_POSTING` (5 unless
//!      set), ordered as the organisation's own list orders them (the
//!      score moved by its verdicts on similar proposals, see
//!      [`crate::matching::feedback`]), each with its strongest reasons,
//!      and counting the
//!      others (`match_counted` items: news once, like the listed ones,
//!      so no later digest brings them again; the posting's page lists them
//!      all); [`MAX_ITEMS`] listed at most, newest sections first, the
//!      other sections waiting for the next digest;
//!    - offers, needs and calls published since the last digest that a saved
//!      search of the user finds, run through the search index (one section
//!      per search, [`PER_SEARCH`] each at most, none of the user's own
//!      organisations, none already shown as the other side of a match or
//!      by another search);
//!    - what happened in the projects of the user's organisations since the
//!      last digest: partners joining or leaving, stages starting,
//!      contributions proposed, documents added, approvals given
//!      ([`MAX_PROJECT_EVENTS`] at most);
//!    - for people who chose to hear of messages in the digest rather than
//!      at once, the messages of others in their organisations'
//!      conversations that they have not read (one line per conversation;
//!      see `messages`).
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
//!    (`claimed_by`, `claimed_until`, with [`crate::store::lease`], as jobs are), rendered
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
//!
//! # The folder
//!
//! One file per job: `settings` (each user's preferences and what they are
//! told about their latest digest), `planning` (choosing the items of the
//! digests that are due), `project_events` (the co-design events a digest
//! reports), `sending` (claiming deliveries and handing them to the mail
//! server), `compose` (turning a delivery's items into the e-mail),
//! `operator` (the `trama digests` commands: preview, dry run), `messages`
//! (unread messages of conversations) and `links`
//! (unsubscribe and feedback without login). The lease of `sending` is
//! [`crate::store::lease`]; the project queries are in
//! [`crate::store::projects`], the others in [`crate::store::digests`]
//! (subscriptions, deliveries, items).

mod compose;
mod links;
mod messages;
mod operator;
mod planning;
mod project_events;
mod sending;
mod settings;

use chrono::TimeDelta;

use crate::codesign::activity::EventKind;

pub use self::links::{check_feedback, feedback, link_is_valid, link_lang, unsubscribe};
pub use self::operator::{DryRun, dry_run, due_users, make_due, preview, user_by_email};
pub use self::planning::{Planner, plan_due};
pub use self::sending::{SendReport, Sender, claim, run_once, send_due};
pub use self::settings::{
    DeliveryProblem, DigestSettings, DigestSettingsInput, RetryPolicy, interval, settings_of,
    subscription, update_settings,
};

/// How long the links of a digest work.
pub const LINK_LIFETIME: TimeDelta = TimeDelta::days(180);
/// How long a send claim lasts before another process may take it over.
pub const LEASE: TimeDelta = TimeDelta::seconds(120);
/// The wait before the first retry of a delivery that failed for a reason
/// that may pass; each later wait doubles, up to
/// [`RetryPolicy::max_delay`].
pub const FIRST_RETRY: TimeDelta = TimeDelta::minutes(1);
/// Most matches one digest lists; the sections that would list more wait
/// for the next one.
pub const MAX_ITEMS: usize = 50;
/// Most postings one saved search brings to one digest.
pub const PER_SEARCH: usize = 10;
/// Most project events in one digest.
pub const MAX_PROJECT_EVENTS: usize = 30;
/// How far before the end of the previous digest the next one looks for
/// postings and project events (see the module docs).
pub const LATE_WINDOW: TimeDelta = TimeDelta::hours(1);
/// Subscriptions planned, and deliveries claimed, per step.
pub(super) const BATCH: u64 = 100;
/// What the read of a digest's user (one that still exists) is named in
/// the logs.
pub(super) const EXISTING_USER: &str = "digests: existing user by id";

// `digest_items.item_type`: what an item is.
pub(super) const ITEM_MATCH: &str = "match";
/// A new match that its section counts but does not list (beyond
/// [`crate::config::Settings::digest_matches_per_posting`]); `group_id` is
/// the section's need or offer.
pub(super) const ITEM_MATCH_COUNTED: &str = "match_counted";
/// Every kind of match item: a match in either is no longer new.
pub(super) const MATCH_ITEMS: [&str; 2] = [ITEM_MATCH, ITEM_MATCH_COUNTED];
pub(super) const ITEM_SEARCH_NEED: &str = "saved_search_need";
pub(super) const ITEM_SEARCH_OFFER: &str = "saved_search_offer";
pub(super) const ITEM_PARTNER_JOINED: &str = EventKind::PartnerJoined.item_type();
pub(super) const ITEM_PARTNER_LEFT: &str = EventKind::PartnerLeft.item_type();
pub(super) const ITEM_STAGE: &str = EventKind::StageStarted.item_type();
pub(super) const ITEM_CONTRIBUTION: &str = EventKind::ContributionProposed.item_type();
pub(super) const ITEM_DOCUMENT: &str = EventKind::DocumentAdded.item_type();
pub(super) const ITEM_APPROVAL: &str = EventKind::Decision.item_type();
/// A message of a conversation, for those who chose the digest for them.
pub(super) const ITEM_MESSAGE: &str = "message";
pub(super) const ITEM_MILESTONE: &str = EventKind::MilestoneDone.item_type();
pub(super) const ITEM_REPORT: &str = EventKind::ReportFiled.item_type();
pub(super) const SEARCH_ITEMS: [&str; 2] = [ITEM_SEARCH_NEED, ITEM_SEARCH_OFFER];
pub(super) const PROJECT_ITEMS: [&str; 8] = [
    ITEM_PARTNER_JOINED,
    ITEM_PARTNER_LEFT,
    ITEM_STAGE,
    ITEM_CONTRIBUTION,
    ITEM_DOCUMENT,
    ITEM_APPROVAL,
    ITEM_MILESTONE,
    ITEM_REPORT,
];
