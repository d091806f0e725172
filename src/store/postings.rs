//! Needs and offers: the queries of their shared lifecycle (read one, insert,
//! write new content, close, replace its sectors, hide it), written once for
//! both tables, and how each table stores a posting's validated content.

use std::future::Future;

use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, Set};
use serde_json::json;
use uuid::Uuid;

use super::StoreResult;
use super::entities::{needs, offers};
use super::scope::Existing;
use crate::domain::{NewNeed, NewOffer, PostingStatus, StoredPlace};

/// What a write puts in a posting's row besides its identity.
pub struct PostingWrite<'a, C> {
    /// The validated content.
    pub content: &'a C,
    /// The municipality implied by the content's neighbourhood, written
    /// when the content names none.
    pub implied_municipality: Option<String>,
    /// The places beyond the first, checked.
    pub other_places: Vec<StoredPlace>,
    /// When it closed (`None` while it is not closed).
    pub closed_at: Option<DateTime<Utc>>,
    /// When it changed (and, for a new posting, was created).
    pub at: DateTime<Utc>,
}

/// A table of postings: `needs` or `offers`, with its sectors table.
pub trait PostingTable: Existing {
    /// A posting's validated content (`NewNeed` or `NewOffer`).
    type Content: Sync;

    fn organization_id(posting: &Self::Model) -> Uuid;
    fn status(posting: &Self::Model) -> PostingStatus;
    fn closed_at(posting: &Self::Model) -> Option<DateTime<Utc>>;

    /// The columns `organization_id` and `status`, for queries written
    /// once for both tables (the `id` column is [`Existing::id_column`]).
    fn organization_column() -> Self::Column;
    fn status_column() -> Self::Column;

    /// The posting with this id, unless deleted or hidden by a moderator.
    fn find_public_by_id(
        db: &impl ConnectionTrait,
        id: Uuid,
    ) -> impl Future<Output = StoreResult<Option<Self::Model>>> + Send;
    /// Inserts a new posting of `organization_id` and returns it.
    fn insert_posting(
        db: &impl ConnectionTrait,
        id: Uuid,
        organization_id: Uuid,
        created_by: Option<Uuid>,
        write: PostingWrite<'_, Self::Content>,
    ) -> impl Future<Output = StoreResult<Self::Model>> + Send;
    /// Writes new content over the posting `before` and returns it.
    fn update_posting(
        db: &impl ConnectionTrait,
        before: Self::Model,
        write: PostingWrite<'_, Self::Content>,
    ) -> impl Future<Output = StoreResult<Self::Model>> + Send;
    /// Closes the posting `before` at `at` and returns it.
    fn close_posting(
        db: &impl ConnectionTrait,
        before: Self::Model,
        at: DateTime<Utc>,
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

/// The codes of a closed list, as the JSON array a column stores.
fn codes_json<'a>(codes: impl IntoIterator<Item = &'a str>) -> serde_json::Value {
    json!(codes.into_iter().collect::<Vec<_>>())
}

/// Writes the columns needs and offers share: kind, title, description,
/// eligible organisation kinds, territorial scope, status and closing
/// time, and the places: the municipality named (or else the one the
/// neighbourhood implies), the neighbourhood, the other places and the
/// coordinates.
macro_rules! write_shared {
    ($row:expr, $write:expr) => {
        let $crate::store::postings::PostingWrite {
            content: new,
            implied_municipality,
            other_places,
            closed_at,
            ..
        } = $write;
        $row.closed_at = Set(closed_at);
        $row.kind = Set(new.kind);
        $row.title = Set(new.title.as_str().to_owned());
        $row.description = Set(new.description.as_str().to_owned());
        $row.eligible_organization_kinds = Set(codes_json(
            new.eligible_organization_kinds.iter().map(|k| k.as_str()),
        ));
        $row.territory_scope = Set(new.territory_scope);
        $row.status = Set(new.status);
        $row.other_places = Set(json!(other_places));
        $row.municipality_code = Set(new
            .municipality_code
            .as_ref()
            .map(|c| c.as_str().to_owned())
            .or(implied_municipality));
        $row.neighbourhood_id = Set(new.neighbourhood_id);
        $row.lat = Set(new.coordinates.map(|c| c.lat()));
        $row.lon = Set(new.coordinates.map(|c| c.lon()));
    };
}

/// Writes a need's content and closing time into its row.
fn write_need(row: &mut needs::ActiveModel, write: PostingWrite<'_, NewNeed>) {
    let new = write.content;
    write_shared!(row, write);
    row.budget_cents = Set(new.budget.map(|b| b.cents()));
    row.deadline_at = Set(new.deadline_at);
    row.location_precision = Set(new.location_precision);
    row.required_contributions = Set(codes_json(
        new.required_contributions.iter().map(|k| k.as_str()),
    ));
    row.requires_third_sector_registration = Set(new.requires_third_sector_registration);
}

/// Writes an offer's content and closing time into its row.
fn write_offer(row: &mut offers::ActiveModel, write: PostingWrite<'_, NewOffer>) {
    let new = write.content;
    write_shared!(row, write);
    row.amount_min_cents = Set(new.amount.min().map(|c| c.cents()));
    row.amount_max_cents = Set(new.amount.max().map(|c| c.cents()));
    row.available_from = Set(new.availability.from());
    row.available_until = Set(new.availability.until());
}

macro_rules! posting_table {
    ($table:ident, $content:ty, $write:ident, $sectors:ident, $owner:ident, $owner_column:ident) => {
        impl PostingTable for super::entities::$table::Entity {
            type Content = $content;

            fn organization_id(posting: &Self::Model) -> Uuid {
                posting.organization_id
            }

            fn status(posting: &Self::Model) -> PostingStatus {
                posting.status
            }

            fn closed_at(posting: &Self::Model) -> Option<DateTime<Utc>> {
                posting.closed_at
            }

            fn organization_column() -> Self::Column {
                super::entities::$table::Column::OrganizationId
            }

            fn status_column() -> Self::Column {
                super::entities::$table::Column::Status
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

            async fn insert_posting(
                db: &impl ConnectionTrait,
                id: Uuid,
                organization_id: Uuid,
                created_by: Option<Uuid>,
                write: PostingWrite<'_, $content>,
            ) -> StoreResult<Self::Model> {
                let mut row = super::entities::$table::ActiveModel {
                    id: Set(id),
                    organization_id: Set(organization_id),
                    created_by: Set(created_by),
                    created_at: Set(write.at),
                    updated_at: Set(write.at),
                    closed_at: Set(None),
                    deleted_at: Set(None),
                    hidden_at: Set(None),
                    hidden_reason: Set(None),
                    ..Default::default()
                };
                $write(&mut row, write);
                super::rows::insert(db, row, concat!(stringify!($table), ": insert")).await
            }

            async fn update_posting(
                db: &impl ConnectionTrait,
                before: Self::Model,
                write: PostingWrite<'_, $content>,
            ) -> StoreResult<Self::Model> {
                let mut row: super::entities::$table::ActiveModel = before.into();
                row.updated_at = Set(write.at);
                $write(&mut row, write);
                super::rows::update(db, row, concat!(stringify!($table), ": update")).await
            }

            async fn close_posting(
                db: &impl ConnectionTrait,
                before: Self::Model,
                at: DateTime<Utc>,
            ) -> StoreResult<Self::Model> {
                let mut row: super::entities::$table::ActiveModel = before.into();
                row.status = Set(PostingStatus::Closed);
                row.closed_at = Set(Some(at));
                row.updated_at = Set(at);
                super::rows::update(db, row, concat!(stringify!($table), ": close")).await
            }

            async fn replace_sectors(
                db: &impl ConnectionTrait,
                id: Uuid,
                codes: Vec<String>,
            ) -> StoreResult<()> {
                use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

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
                use sea_orm::EntityTrait;

                use super::Context;
                let Some(found) = Self::find_by_id(id)
                    .one(db)
                    .await
                    .context(concat!(stringify!($table), ": find for moderation"))?
                else {
                    return Ok(false);
                };
                let mut row: super::entities::$table::ActiveModel = found.into();
                row.hidden_at = Set(hidden_at);
                row.hidden_reason = Set(reason);
                super::rows::update(db, row, concat!(stringify!($table), ": set hidden")).await?;
                Ok(true)
            }
        }
    };
}

posting_table!(needs, NewNeed, write_need, need_sectors, need_id, NeedId);
posting_table!(
    offers,
    NewOffer,
    write_offer,
    offer_sectors,
    offer_id,
    OfferId
);
