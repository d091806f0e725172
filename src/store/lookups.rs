//! Single records and small sets read by key: the taxonomy, a person's
//! memberships and role, an account, and one organisation, offer or need by
//! id in any state (the visibility policy decides who may see it).

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use super::scope::Existing;
use super::{Context, StoreResult};
use crate::store::entities::{memberships, needs, offers, organizations, sectors, users};

/// The whole sectors taxonomy, in display order.
pub async fn sectors(db: &impl ConnectionTrait) -> StoreResult<Vec<sectors::Model>> {
    sectors::Entity::find()
        .order_by_asc(sectors::Column::Position)
        .all(db)
        .await
        .context("sectors: taxonomy")
}

/// A person's memberships, oldest first.
pub async fn memberships_of_user(
    db: &impl ConnectionTrait,
    user_id: Uuid,
) -> StoreResult<Vec<memberships::Model>> {
    memberships::Entity::find()
        .filter(memberships::Column::UserId.eq(user_id))
        .order_by_asc(memberships::Column::Id)
        .all(db)
        .await
        .context("memberships: of user")
}

/// The user's membership of the organisation, if they belong to it.
pub async fn membership(
    db: &impl ConnectionTrait,
    user_id: Uuid,
    organization_id: Uuid,
) -> StoreResult<Option<memberships::Model>> {
    memberships::Entity::find()
        .filter(memberships::Column::UserId.eq(user_id))
        .filter(memberships::Column::OrganizationId.eq(organization_id))
        .one(db)
        .await
        .context("memberships: of user in organization")
}

/// An account that is not deleted.
pub async fn existing_user(
    db: &impl ConnectionTrait,
    user_id: Uuid,
) -> StoreResult<Option<users::Model>> {
    users::Entity::find_existing()
        .filter(users::Column::Id.eq(user_id))
        .one(db)
        .await
        .context("users: existing by id")
}

/// An organisation by id, in any state (deleted and hidden ones too).
pub async fn organization(
    db: &impl ConnectionTrait,
    id: Uuid,
) -> StoreResult<Option<organizations::Model>> {
    organizations::Entity::find_by_id(id)
        .one(db)
        .await
        .context("organizations: by id, any state")
}

/// An offer by id, in any state.
pub async fn offer(db: &impl ConnectionTrait, id: Uuid) -> StoreResult<Option<offers::Model>> {
    offers::Entity::find_by_id(id)
        .one(db)
        .await
        .context("offers: by id, any state")
}

/// A need by id, in any state.
pub async fn need(db: &impl ConnectionTrait, id: Uuid) -> StoreResult<Option<needs::Model>> {
    needs::Entity::find_by_id(id)
        .one(db)
        .await
        .context("needs: by id, any state")
}
