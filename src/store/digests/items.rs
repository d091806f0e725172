//! `digest_items`: what each delivery holds, with its kind and section, so
//! that no item is ever in two digests of the same user.

use std::collections::HashSet;

use sea_orm::sea_query::Query;
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect, Set,
};
use uuid::Uuid;

use crate::domain::DeliveryStatus;
use crate::store::entities::{digest_deliveries, digest_items};
use crate::store::search_docs::CHUNK;
use crate::store::{Context, StoreResult, rows};

/// An item to record in a delivery.
#[derive(Clone, Copy, Debug)]
pub struct NewItem<'a> {
    /// What it is (`match`, `saved_search_need`, a project event...).
    pub item_type: &'a str,
    pub item_id: Uuid,
    /// The saved search or project whose section it is in.
    pub group_id: Option<Uuid>,
}

/// Records the items of a delivery.
pub async fn insert(
    db: &impl ConnectionTrait,
    delivery_id: Uuid,
    items: &[NewItem<'_>],
) -> StoreResult<()> {
    for chunk in items.chunks(CHUNK) {
        let rows = chunk.iter().map(|item| digest_items::ActiveModel {
            delivery_id: Set(delivery_id),
            item_type: Set(item.item_type.to_owned()),
            item_id: Set(item.item_id),
            group_id: Set(item.group_id),
        });
        digest_items::Entity::insert_many(rows)
            .exec_without_returning(db)
            .await
            .context("digest items: insert")?;
    }
    Ok(())
}

/// The items recorded for a delivery.
pub async fn of_delivery(
    db: &impl ConnectionTrait,
    delivery_id: Uuid,
) -> StoreResult<Vec<digest_items::Model>> {
    let which = digest_items::Column::DeliveryId.eq(delivery_id);
    rows::all::<digest_items::Entity>(db, which, "digests: items of a delivery").await
}

/// The items of these kinds in these deliveries, by delivery.
pub async fn of_deliveries(
    db: &impl ConnectionTrait,
    delivery_ids: &[Uuid],
    item_types: &[&str],
) -> StoreResult<Vec<digest_items::Model>> {
    let which = Condition::all()
        .add(digest_items::Column::DeliveryId.is_in(delivery_ids.iter().copied()))
        .add(digest_items::Column::ItemType.is_in(item_types.iter().copied()));
    let order = [digest_items::Column::DeliveryId];
    rows::list::<digest_items::Entity>(db, which, order, "digest items: of deliveries").await
}

/// Which items of these kinds, among `ids` (or all when `None`), were in a
/// digest of this user (sent, or still to be sent), as (kind, id).
pub async fn in_digests_of(
    db: &impl ConnectionTrait,
    user_id: Uuid,
    item_types: &[&str],
    ids: Option<&[Uuid]>,
) -> StoreResult<HashSet<(String, Uuid)>> {
    // A delivery given up was never read: its items were not sent.
    let of_user = Query::select()
        .column(digest_deliveries::Column::Id)
        .from(digest_deliveries::Entity)
        .and_where(digest_deliveries::Column::UserId.eq(user_id))
        .and_where(digest_deliveries::Column::Status.ne(DeliveryStatus::GivenUp))
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
        None => found.extend(
            select()
                .into_tuple::<(String, Uuid)>()
                .all(db)
                .await
                .context("digest items: in digests of user")?,
        ),
        Some(ids) => {
            for chunk in ids.chunks(CHUNK) {
                found.extend(
                    select()
                        .filter(digest_items::Column::ItemId.is_in(chunk.iter().copied()))
                        .into_tuple::<(String, Uuid)>()
                        .all(db)
                        .await
                        .context("digest items: these in digests of user")?,
                );
            }
        }
    }
    Ok(found)
}
