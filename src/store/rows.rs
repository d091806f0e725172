//! The plain queries every store module runs: the read by key, the first
//! row, the ordered rows, the newest rows or the column values a condition
//! selects, the count, the delete, the insert (of every row, of those not
//! stored yet, or updating those stored), the update and the update of
//! many rows, each named by
//! its caller so that a failure says which query it was. A store function
//! keeps the condition (what it selects) and leaves the query's plumbing
//! here.

use sea_orm::sea_query::{IntoCondition, OnConflict, SimpleExpr};
use sea_orm::{
    ActiveModelBehavior, ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait,
    IntoActiveModel, PaginatorTrait, PrimaryKeyTrait, QueryFilter, QueryOrder, QuerySelect,
    TryGetableMany,
};
use uuid::Uuid;

use super::scope::Existing;
use super::{Context, StoreResult};

/// The row of `E` with this id, in any state (deleted and hidden ones too:
/// the visibility policy decides who may see it).
pub async fn by_id<E>(
    db: &impl ConnectionTrait,
    id: Uuid,
    what: &'static str,
) -> StoreResult<Option<E::Model>>
where
    E: EntityTrait,
    <E::PrimaryKey as PrimaryKeyTrait>::ValueType: From<Uuid>,
{
    E::find_by_id(id).one(db).await.context(what)
}

/// The row of `E` with this id unless it is deleted.
pub async fn existing_by_id<E: Existing>(
    db: &impl ConnectionTrait,
    id: Uuid,
    what: &'static str,
) -> StoreResult<Option<E::Model>> {
    first::<E>(db, E::existing().add(E::id_column().eq(id)), what).await
}

/// The rows of `E` with these ids unless deleted (in any other state: the
/// visibility policy decides who may see them); unknown and deleted ids
/// are left out.
pub async fn existing_by_ids<E: Existing>(
    db: &impl ConnectionTrait,
    ids: impl IntoIterator<Item = Uuid>,
    what: &'static str,
) -> StoreResult<Vec<E::Model>> {
    let which = E::existing().add(E::id_column().is_in(ids));
    all::<E>(db, which, what).await
}

/// The model of an active model's entity.
pub type ModelOf<A> = <<A as ActiveModelTrait>::Entity as EntityTrait>::Model;

/// Inserts `row` and returns what was stored.
pub async fn insert<A>(
    db: &impl ConnectionTrait,
    row: A,
    what: &'static str,
) -> StoreResult<ModelOf<A>>
where
    A: ActiveModelTrait + ActiveModelBehavior + Send,
    ModelOf<A>: IntoActiveModel<A>,
{
    row.insert(db).await.context(what)
}

/// Updates the changed columns of `row` and returns what was stored.
pub async fn update<A>(
    db: &impl ConnectionTrait,
    row: A,
    what: &'static str,
) -> StoreResult<ModelOf<A>>
where
    A: ActiveModelTrait + ActiveModelBehavior + Send,
    ModelOf<A>: IntoActiveModel<A>,
{
    row.update(db).await.context(what)
}

/// Inserts `rows` but those whose `unique` columns hold the values of a
/// stored row (`ON CONFLICT DO NOTHING`: of two writers racing, one row
/// stays); returns how many were inserted.
pub async fn insert_new<A: ActiveModelTrait>(
    db: &impl ConnectionTrait,
    rows: impl IntoIterator<Item = A>,
    unique: impl IntoIterator<Item = <A::Entity as EntityTrait>::Column>,
    what: &'static str,
) -> StoreResult<u64> {
    let skip = OnConflict::columns(unique).do_nothing().to_owned();
    insert_on_conflict(db, rows, skip, what).await
}

/// Inserts `rows`; one whose `key` column holds the value of a stored row
/// updates that row's `update` columns instead (`ON CONFLICT DO UPDATE`).
pub async fn upsert<A: ActiveModelTrait>(
    db: &impl ConnectionTrait,
    rows: impl IntoIterator<Item = A>,
    key: <A::Entity as EntityTrait>::Column,
    update: impl IntoIterator<Item = <A::Entity as EntityTrait>::Column>,
    what: &'static str,
) -> StoreResult<()> {
    let on_key = OnConflict::column(key).update_columns(update).to_owned();
    insert_on_conflict(db, rows, on_key, what).await?;
    Ok(())
}

/// Inserts `rows` in one statement that does `on_conflict` with those
/// clashing with a stored row; returns how many rows it wrote (none for
/// no rows). [`insert_new`] and [`upsert`] differ in the clause only.
async fn insert_on_conflict<A: ActiveModelTrait>(
    db: &impl ConnectionTrait,
    rows: impl IntoIterator<Item = A>,
    on_conflict: OnConflict,
    what: &'static str,
) -> StoreResult<u64> {
    let insert = A::Entity::insert_many(rows).on_conflict(on_conflict);
    insert.exec_without_returning(db).await.context(what)
}

/// A row of `E` that `which` selects (the first the database returns: for
/// conditions that select at most one row).
pub async fn first<E: EntityTrait>(
    db: &impl ConnectionTrait,
    which: impl IntoCondition,
    what: &'static str,
) -> StoreResult<Option<E::Model>> {
    E::find().filter(which).one(db).await.context(what)
}

/// The rows of `E` that `which` selects, in no particular order.
pub async fn all<E: EntityTrait>(
    db: &impl ConnectionTrait,
    which: impl IntoCondition,
    what: &'static str,
) -> StoreResult<Vec<E::Model>> {
    E::find().filter(which).all(db).await.context(what)
}

/// The rows of `E` that `which` selects, ordered by the columns of `order`
/// (each ascending, the first deciding).
pub async fn list<E: EntityTrait>(
    db: &impl ConnectionTrait,
    which: impl IntoCondition,
    order: impl IntoIterator<Item = E::Column>,
    what: &'static str,
) -> StoreResult<Vec<E::Model>> {
    let mut select = E::find().filter(which);
    for column in order {
        select = select.order_by_asc(column);
    }
    select.all(db).await.context(what)
}

/// The newest `limit` rows of `E` that `which` selects, oldest first. `id`
/// is the table's UUIDv7 key, whose order is the order of writing (instants
/// on SQLite are text whose fractional digits vary: see docs/data-model.md).
pub async fn latest<E: EntityTrait>(
    db: &impl ConnectionTrait,
    which: impl IntoCondition,
    id: E::Column,
    limit: u64,
    what: &'static str,
) -> StoreResult<Vec<E::Model>> {
    let select = E::find().filter(which).order_by_desc(id).limit(limit);
    let mut newest_first = select.all(db).await.context(what)?;
    newest_first.reverse();
    Ok(newest_first)
}

/// The values of `columns` (`T`: one value, or a tuple of as many) in the
/// rows of `E` that `which` selects, in no particular order.
pub async fn values<E: EntityTrait, T: TryGetableMany>(
    db: &impl ConnectionTrait,
    columns: impl IntoIterator<Item = E::Column>,
    which: impl IntoCondition,
    what: &'static str,
) -> StoreResult<Vec<T>> {
    let select = E::find().select_only().columns(columns).filter(which);
    select.into_tuple().all(db).await.context(what)
}

/// The distinct values of `column` in the rows of `E` that `which`
/// selects, in no particular order.
pub async fn distinct_values<E: EntityTrait, T: TryGetableMany>(
    db: &impl ConnectionTrait,
    column: E::Column,
    which: impl IntoCondition,
    what: &'static str,
) -> StoreResult<Vec<T>> {
    let select = E::find().select_only().column(column).distinct();
    select
        .filter(which)
        .into_tuple()
        .all(db)
        .await
        .context(what)
}

/// How many rows of `E` `which` selects.
pub async fn count<E: EntityTrait>(
    db: &impl ConnectionTrait,
    which: impl IntoCondition,
    what: &'static str,
) -> StoreResult<u64>
where
    E::Model: Sync,
{
    E::find().filter(which).count(db).await.context(what)
}

/// Deletes the rows of `E` that `which` selects; returns how many.
pub async fn delete<E: EntityTrait>(
    db: &impl ConnectionTrait,
    which: impl IntoCondition,
    what: &'static str,
) -> StoreResult<u64> {
    Ok(E::delete_many()
        .filter(which)
        .exec(db)
        .await
        .context(what)?
        .rows_affected)
}

/// Sets each column of `columns` to its value on the rows of `E` that
/// `which` selects (one `UPDATE`); returns how many rows it changed.
pub async fn set<E: EntityTrait>(
    db: &impl ConnectionTrait,
    columns: impl IntoIterator<Item = (E::Column, SimpleExpr)>,
    which: impl IntoCondition,
    what: &'static str,
) -> StoreResult<u64> {
    let mut update = E::update_many();
    for (column, value) in columns {
        update = update.col_expr(column, value);
    }
    let updated = update.filter(which).exec(db).await.context(what)?;
    Ok(updated.rows_affected)
}
