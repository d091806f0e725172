//! Writing one row: the insert and update every store module runs, named by
//! its caller so that a failure says which row it was.

use sea_orm::{
    ActiveModelBehavior, ActiveModelTrait, ConnectionTrait, EntityTrait, IntoActiveModel,
};

use super::{Context, StoreResult};

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
