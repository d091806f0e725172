//! Use-cases: each validates its input with the domain, checks references
//! against the database, writes in one transaction together with its audit
//! record and its search-outbox entry, and returns [`AppError`] on failure.

pub mod accounts;
pub mod conversations;
pub mod demo;
pub mod digests;
pub mod import;
pub mod invitations;
pub mod listing;
pub mod match_facts;
pub mod matches;
pub mod memberships;
pub mod moderation;
pub mod needs;
pub mod notifications;
pub mod observatory;
pub mod offers;
pub mod opendata;
pub mod organization_requests;
pub mod organizations;
pub mod pacts;
pub mod permissions;
pub mod postings;
pub mod projects;
pub mod reference_data;
pub mod references;
pub mod registry_file;
pub mod reports;
pub mod saved_searches;
pub mod surroundings;
pub mod territories;
pub mod tokens;
pub mod verification;
use std::collections::{HashMap, HashSet};

use sea_orm::{ConnectionTrait, DatabaseTransaction};
use uuid::Uuid;

use crate::domain::{OutboxEntityType, OutboxOperation};
use crate::error::AppError;
use crate::store;
use crate::store::jobs::{self, Job, MatchTarget, Priority};

/// Who is acting: a signed-in user, or the platform itself (seed, import, jobs).
#[derive(Clone, Debug)]
pub struct Actor {
    pub user_id: Option<Uuid>,
    /// Readable even after the user is gone: an e-mail or `system:<task>`.
    pub label: String,
}

impl Actor {
    /// The platform acting on its own, e.g. `Actor::system("seed")`.
    pub fn system(task: &str) -> Self {
        Self {
            user_id: None,
            label: format!("system:{task}"),
        }
    }

    pub fn user(user_id: Uuid, email: &str) -> Self {
        Self {
            user_id: Some(user_id),
            label: email.to_owned(),
        }
    }

    /// How soon the jobs of this actor's changes run: a person waits to see
    /// the effect of what they did (the matches of the need they just
    /// published); the platform's own tasks (the seed, imports) queue
    /// thousands of changes at once and wait.
    pub fn priority(&self) -> Priority {
        if self.user_id.is_some() {
            Priority::Prompt
        } else {
            Priority::Bulk
        }
    }
}

pub use crate::store::{new_id, now};

/// `+=` for a report made of counts, each count adding up: the reports of
/// a job's steps make the job's report.
macro_rules! add_counts {
    ($report:ty { $($count:ident),+ $(,)? }) => {
        impl std::ops::AddAssign for $report {
            fn add_assign(&mut self, other: Self) {
                $(self.$count += other.$count;)+
            }
        }
    };
}
pub(crate) use add_counts;

/// The ids (by `id`) of a batch of rows: which of those asked for were
/// found.
pub fn id_set<T>(rows: impl IntoIterator<Item = T>, id: impl Fn(&T) -> Uuid) -> HashSet<Uuid> {
    rows.into_iter().map(|row| id(&row)).collect()
}

/// Rows keyed by their `id`: the lookups a use-case makes while it puts
/// together a view from rows it loaded in one batch.
pub fn by_id<T>(rows: impl IntoIterator<Item = T>, id: impl Fn(&T) -> Uuid) -> HashMap<Uuid, T> {
    rows.into_iter().map(|row| (id(&row), row)).collect()
}

/// Appends to the audit log, in the caller's transaction.
pub async fn audit(
    txn: &impl ConnectionTrait,
    actor: &Actor,
    action: &str,
    entity_type: &str,
    entity_id: Uuid,
    changes: serde_json::Value,
) -> Result<(), AppError> {
    store::audit::append(
        txn,
        store::audit::Entry {
            id: new_id(),
            actor_user_id: actor.user_id,
            actor_label: &actor.label,
            action,
            entity_type,
            entity_id,
            changes,
            at: now(),
        },
    )
    .await?;
    Ok(())
}

/// Records a change to an organisation, offer or need, in the caller's
/// transaction: the search outbox row (the index follows exactly what was
/// committed) and the job that refreshes the record's matches, at
/// `priority`.
pub async fn enqueue_for_search(
    txn: &impl ConnectionTrait,
    entity: OutboxEntityType,
    entity_id: Uuid,
    operation: OutboxOperation,
    priority: Priority,
) -> Result<(), AppError> {
    let target = match entity {
        OutboxEntityType::Organization => MatchTarget::Organization(entity_id),
        OutboxEntityType::Offer => MatchTarget::Offer(entity_id),
        OutboxEntityType::Need => MatchTarget::Need(entity_id),
    };
    jobs::enqueue(txn, &Job::RefreshMatches { target }, priority).await?;
    store::outbox::append(txn, entity, entity_id, operation, now()).await?;
    Ok(())
}

/// Audits a change to an organisation, offer or need, queues the record for
/// search and matching (see [`enqueue_for_search`]), and commits.
pub async fn record_change(
    txn: DatabaseTransaction,
    actor: &Actor,
    action: &str,
    entity: OutboxEntityType,
    entity_id: Uuid,
    changes: serde_json::Value,
) -> Result<(), AppError> {
    audit(&txn, actor, action, entity.as_str(), entity_id, changes).await?;
    enqueue_for_search(
        &txn,
        entity,
        entity_id,
        OutboxOperation::Upsert,
        actor.priority(),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// For `.map_err` on a write: `conflict()` when the write broke a unique
/// index (two identical writes at once: the index decides), the store error
/// as usual otherwise.
pub fn conflict_on_unique(
    conflict: impl FnOnce() -> AppError,
) -> impl FnOnce(store::StoreError) -> AppError {
    move |error| {
        if error.is_unique_violation() {
            conflict()
        } else {
            error.into()
        }
    }
}

pub use crate::domain::closed::closed_list_values;

/// The fields that differ between two JSON objects, as
/// `{"field": {"from": old, "to": new}}`, for the audit log.
pub fn changes(before: &serde_json::Value, after: &serde_json::Value) -> serde_json::Value {
    let mut changed = serde_json::Map::new();
    if let (Some(before), Some(after)) = (before.as_object(), after.as_object()) {
        for (field, new) in after {
            let old = before.get(field).unwrap_or(&serde_json::Value::Null);
            if old != new {
                changed.insert(field.clone(), serde_json::json!({ "from": old, "to": new }));
            }
        }
    }
    serde_json::Value::Object(changed)
}
