//! The "public record" scopes, written once: what every reader means by a
//! need, an offer or an organisation that exists and is not hidden.
//!
//! Whether a *viewer* may see a record (drafts, members, admins) is decided by
//! the visibility policy; these conditions are the database half of it, for
//! the queries that list many records at once. The policy's module docs
//! (`policy::visibility`, "Which reader asks what") say which scope each
//! reader uses; a change here changes those rules.

use sea_orm::sea_query::{Condition, IntoCondition, Query, SelectStatement};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, Select};

use super::entities::{needs, offers, organizations, users};
use crate::domain::PostingStatus;

/// Not soft-deleted (kept for audit and undo, never shown).
pub trait Existing: EntityTrait + Sized {
    /// The `id` column, the table's primary key (for queries written once
    /// for every such table).
    fn id_column() -> Self::Column;
    /// The condition "not deleted".
    fn existing() -> Condition;
    /// The condition "not deleted and not hidden by a moderator".
    fn public() -> Condition;

    /// Every record that still exists.
    fn find_existing() -> Select<Self> {
        Self::find().filter(Self::existing())
    }

    /// Every record that exists and is not hidden by a moderator (drafts
    /// included: postings also need [`published_needs`] or [`published_offers`]).
    fn find_public() -> Select<Self> {
        Self::find().filter(Self::public())
    }
}

macro_rules! existing_and_public {
    ($($entity:ident),+) => {$(
        impl Existing for $entity::Entity {
            fn id_column() -> Self::Column {
                $entity::Column::Id
            }
            fn existing() -> Condition {
                $entity::Column::DeletedAt.is_null().into_condition()
            }
            fn public() -> Condition {
                Condition::all()
                    .add($entity::Column::DeletedAt.is_null())
                    .add($entity::Column::HiddenAt.is_null())
            }
        }
    )+};
}

existing_and_public!(needs, offers, organizations);

/// Postings that anyone may read: public and not a draft.
pub fn published_needs() -> Condition {
    needs::Entity::public().add(needs::Column::Status.ne(PostingStatus::Draft))
}

/// Postings that anyone may read: public and not a draft.
pub fn published_offers() -> Condition {
    offers::Entity::public().add(offers::Column::Status.ne(PostingStatus::Draft))
}

/// Accounts are never hidden, only deleted: "public" is "existing".
impl Existing for users::Entity {
    fn id_column() -> Self::Column {
        users::Column::Id
    }
    fn existing() -> Condition {
        users::Column::DeletedAt.is_null().into_condition()
    }
    fn public() -> Condition {
        Self::existing()
    }
}

/// Ids of the public organisations (neither deleted nor hidden by a
/// moderator), as a subquery: the offers and needs of the others are not
/// listed, counted, searched nor exported.
pub fn public_organization_ids() -> SelectStatement {
    Query::select()
        .column(organizations::Column::Id)
        .from(organizations::Entity)
        .cond_where(organizations::Entity::public())
        .to_owned()
}

/// Needs anyone may read, of an organisation anyone may read.
pub fn published_needs_of_public_organizations() -> Condition {
    published_needs().add(needs::Column::OrganizationId.in_subquery(public_organization_ids()))
}

/// Offers anyone may read, of an organisation anyone may read.
pub fn published_offers_of_public_organizations() -> Condition {
    published_offers().add(offers::Column::OrganizationId.in_subquery(public_organization_ids()))
}
