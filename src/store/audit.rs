//! The audit log: appending what happened, reading one person's trail, and
//! anonymising it when their account goes.

use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, Set};
use uuid::Uuid;

use super::entities::audit_log;
use super::{StoreResult, rows};

/// One entry of the log.
pub struct Entry<'a> {
    pub id: Uuid,
    pub actor_user_id: Option<Uuid>,
    pub actor_label: &'a str,
    pub action: &'a str,
    pub entity_type: &'a str,
    pub entity_id: Uuid,
    pub changes: serde_json::Value,
    pub at: chrono::DateTime<chrono::Utc>,
}

/// Appends an entry (in the caller's transaction, so it commits with the
/// change it records).
pub async fn append(db: &impl ConnectionTrait, entry: Entry<'_>) -> StoreResult<()> {
    let row = audit_log::ActiveModel {
        id: Set(entry.id),
        actor_user_id: Set(entry.actor_user_id),
        actor_label: Set(entry.actor_label.to_owned()),
        action: Set(entry.action.to_owned()),
        entity_type: Set(entry.entity_type.to_owned()),
        entity_id: Set(entry.entity_id),
        changes: Set(entry.changes),
        created_at: Set(entry.at),
    };
    super::rows::insert(db, row, "audit log: append").await?;
    Ok(())
}

/// What a person did, oldest first.
pub async fn by_actor(
    db: &impl ConnectionTrait,
    user_id: Uuid,
) -> StoreResult<Vec<audit_log::Model>> {
    let which = audit_log::Column::ActorUserId.eq(user_id);
    let order = [audit_log::Column::Id];
    rows::list::<audit_log::Entity>(db, which, order, "audit log: by actor").await
}

/// Replaces the label of a person's entries (their account is deleted; the
/// actions stay, anonymous).
pub async fn relabel_actor(
    db: &impl ConnectionTrait,
    user_id: Uuid,
    label: &str,
) -> StoreResult<()> {
    let set = [(audit_log::Column::ActorLabel, Expr::value(label))];
    let which = audit_log::Column::ActorUserId.eq(user_id);
    rows::set::<audit_log::Entity>(db, set, which, "audit log: relabel actor").await?;
    Ok(())
}
