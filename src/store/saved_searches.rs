//! Saved searches: a user's named searches, as stored rows.

use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};
use uuid::Uuid;

use super::entities::saved_searches;
use super::{Context, StoreResult, rows};

/// How many searches a user keeps.
pub async fn count_of_user(db: &impl ConnectionTrait, user_id: Uuid) -> StoreResult<u64> {
    let which = saved_searches::Column::UserId.eq(user_id);
    rows::count::<saved_searches::Entity>(db, which, "saved searches: count of user").await
}

/// A search to keep, as validated by the service.
pub struct NewSavedSearch<'a> {
    pub user_id: Uuid,
    pub name: &'a str,
    pub query: &'a str,
    /// The filter as stored JSON.
    pub filter: serde_json::Value,
}

/// Inserts a saved search made at `at`.
pub async fn insert(
    db: &impl ConnectionTrait,
    new: NewSavedSearch<'_>,
    at: DateTime<Utc>,
) -> StoreResult<saved_searches::Model> {
    let row = saved_searches::ActiveModel {
        id: Set(super::new_id()),
        user_id: Set(new.user_id),
        name: Set(new.name.to_owned()),
        query: Set(new.query.to_owned()),
        filter: Set(new.filter),
        created_at: Set(at),
        updated_at: Set(at),
    };
    super::rows::insert(db, row, "saved searches: insert").await
}

/// A user's saved searches, oldest first.
pub async fn of_user(
    db: &impl ConnectionTrait,
    user_id: Uuid,
) -> StoreResult<Vec<saved_searches::Model>> {
    let which = saved_searches::Column::UserId.eq(user_id);
    let order = [
        saved_searches::Column::CreatedAt,
        saved_searches::Column::Id,
    ];
    rows::list::<saved_searches::Entity>(db, which, order, "saved searches: of user").await
}

/// The saved searches with these ids, any user's.
pub async fn by_ids(
    db: &impl ConnectionTrait,
    ids: impl IntoIterator<Item = Uuid>,
) -> StoreResult<Vec<saved_searches::Model>> {
    let which = saved_searches::Column::Id.is_in(ids);
    rows::all::<saved_searches::Entity>(db, which, "saved searches: by ids").await
}

/// Deletes a user's saved search; false when they have none with this id.
pub async fn delete_of_user(
    db: &impl ConnectionTrait,
    id: Uuid,
    user_id: Uuid,
) -> StoreResult<bool> {
    let deleted = saved_searches::Entity::delete_many()
        .filter(saved_searches::Column::Id.eq(id))
        .filter(saved_searches::Column::UserId.eq(user_id))
        .exec(db)
        .await
        .context("saved searches: delete of user")?;
    Ok(deleted.rows_affected > 0)
}
