//! Needs and offers: the queries of their shared lifecycle (read one, insert,
//! update, replace its sectors, hide it), written once for both tables.

use std::future::Future;

use chrono::{DateTime, Utc};
use sea_orm::ConnectionTrait;
use uuid::Uuid;

use super::StoreResult;
use super::scope::Existing;

/// A table of postings: `needs` or `offers`, with its sectors table.
pub trait PostingTable: Existing {
    /// The table's active model (a row being written).
    type Active: Send;

    fn organization_id(posting: &Self::Model) -> Uuid;
    fn status(posting: &Self::Model) -> &str;
    fn closed_at(posting: &Self::Model) -> Option<DateTime<Utc>>;

    /// A new row: its id, owner and times; the content is set by the caller.
    fn new_row(
        id: Uuid,
        organization_id: Uuid,
        created_by: Option<Uuid>,
        at: DateTime<Utc>,
    ) -> Self::Active;
    /// An existing row, to edit.
    fn edit_row(posting: Self::Model) -> Self::Active;
    /// Sets the lifecycle columns: the status (when given), when it closed
    /// and when it last changed.
    fn set_lifecycle(
        row: &mut Self::Active,
        status: Option<&str>,
        closed_at: Option<DateTime<Utc>>,
        updated_at: DateTime<Utc>,
    );

    /// The posting with this id, unless deleted or hidden by a moderator.
    fn find_public_by_id(
        db: &impl ConnectionTrait,
        id: Uuid,
    ) -> impl Future<Output = StoreResult<Option<Self::Model>>> + Send;
    fn insert_row(
        db: &impl ConnectionTrait,
        row: Self::Active,
    ) -> impl Future<Output = StoreResult<Self::Model>> + Send;
    fn update_row(
        db: &impl ConnectionTrait,
        row: Self::Active,
    ) -> impl Future<Output = StoreResult<Self::Model>> + Send;
    /// Replaces the posting's sectors with `codes`.
    fn replace_sectors(
        db: &impl ConnectionTrait,
        id: Uuid,
        codes: Vec<String>,
    ) -> impl Future<Output = StoreResult<()>> + Send;
    /// Hides (with `hidden_at` and a reason) or shows again the posting,
    /// deleted or not; false when there is no such posting.
    fn set_hidden(
        db: &impl ConnectionTrait,
        id: Uuid,
        hidden_at: Option<DateTime<Utc>>,
        reason: Option<String>,
    ) -> impl Future<Output = StoreResult<bool>> + Send;
}

macro_rules! posting_table {
    ($table:ident, $sectors:ident, $owner:ident, $owner_column:ident) => {
        impl PostingTable for super::entities::$table::Entity {
            type Active = super::entities::$table::ActiveModel;

            fn organization_id(posting: &Self::Model) -> Uuid {
                posting.organization_id
            }

            fn status(posting: &Self::Model) -> &str {
                &posting.status
            }

            fn closed_at(posting: &Self::Model) -> Option<DateTime<Utc>> {
                posting.closed_at
            }

            fn new_row(
                id: Uuid,
                organization_id: Uuid,
                created_by: Option<Uuid>,
                at: DateTime<Utc>,
            ) -> Self::Active {
                use sea_orm::Set;
                super::entities::$table::ActiveModel {
                    id: Set(id),
                    organization_id: Set(organization_id),
                    created_by: Set(created_by),
                    created_at: Set(at),
                    updated_at: Set(at),
                    closed_at: Set(None),
                    deleted_at: Set(None),
                    hidden_at: Set(None),
                    hidden_reason: Set(None),
                    ..Default::default()
                }
            }

            fn edit_row(posting: Self::Model) -> Self::Active {
                posting.into()
            }

            fn set_lifecycle(
                row: &mut Self::Active,
                status: Option<&str>,
                closed_at: Option<DateTime<Utc>>,
                updated_at: DateTime<Utc>,
            ) {
                use sea_orm::Set;
                if let Some(status) = status {
                    row.status = Set(status.to_owned());
                }
                row.closed_at = Set(closed_at);
                row.updated_at = Set(updated_at);
            }

            async fn find_public_by_id(
                db: &impl ConnectionTrait,
                id: Uuid,
            ) -> StoreResult<Option<Self::Model>> {
                use sea_orm::{EntityTrait, QueryFilter};

                use super::Context;
                Self::find_by_id(id)
                    .filter(Self::public())
                    .one(db)
                    .await
                    .context(concat!(stringify!($table), ": find public by id"))
            }

            async fn insert_row(
                db: &impl ConnectionTrait,
                row: Self::Active,
            ) -> StoreResult<Self::Model> {
                super::rows::insert(db, row, concat!(stringify!($table), ": insert")).await
            }

            async fn update_row(
                db: &impl ConnectionTrait,
                row: Self::Active,
            ) -> StoreResult<Self::Model> {
                super::rows::update(db, row, concat!(stringify!($table), ": update")).await
            }

            async fn replace_sectors(
                db: &impl ConnectionTrait,
                id: Uuid,
                codes: Vec<String>,
            ) -> StoreResult<()> {
                use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, Set};

                use super::Context;
                use super::entities::$sectors;
                $sectors::Entity::delete_many()
                    .filter($sectors::Column::$owner_column.eq(id))
                    .exec(db)
                    .await
                    .context(concat!(stringify!($sectors), ": delete of posting"))?;
                for code in codes {
                    let row = $sectors::ActiveModel {
                        $owner: Set(id),
                        sector_code: Set(code),
                    };
                    super::rows::insert(db, row, concat!(stringify!($sectors), ": insert")).await?;
                }
                Ok(())
            }

            async fn set_hidden(
                db: &impl ConnectionTrait,
                id: Uuid,
                hidden_at: Option<DateTime<Utc>>,
                reason: Option<String>,
            ) -> StoreResult<bool> {
                use sea_orm::{EntityTrait, Set};

                use super::Context;
                let Some(found) = Self::find_by_id(id)
                    .one(db)
                    .await
                    .context(concat!(stringify!($table), ": find for moderation"))?
                else {
                    return Ok(false);
                };
                let mut row: Self::Active = found.into();
                row.hidden_at = Set(hidden_at);
                row.hidden_reason = Set(reason);
                super::rows::update(db, row, concat!(stringify!($table), ": set hidden")).await?;
                Ok(true)
            }
        }
    };
}

posting_table!(needs, need_sectors, need_id, NeedId);
posting_table!(offers, offer_sectors, offer_id, OfferId);
