//! One row at a time: the read by key, insert and update every store module
//! runs, named by its caller so that a failure says which row it was.

use sea_orm::{
    ActiveModelBehavior, ActiveModelTrait, ConnectionTrait, EntityTrait, IntoActiveModel,
    PrimaryKeyTrait, QueryFilter,
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
pub async fn existing_by_id<E>(
    db: &impl ConnectionTrait,
    id: Uuid,
    what: &'static str,
) -> StoreResult<Option<E::Model>>
where
    E: Existing,
    <E::PrimaryKey as PrimaryKeyTrait>::ValueType: From<Uuid>,
{
    E::find_by_id(id)
        .filter(E::existing())
        .one(db)
        .await
        .context(what)
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
