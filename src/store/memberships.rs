//! Memberships: who belongs to which organisation, with which role (the
//! invitations that create them are in [`super::invitations`]).

use chrono::{DateTime, Utc};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    Set,
};
use uuid::Uuid;

use super::entities::{memberships, organizations, users};
use super::{Context, StoreResult, rows};
use crate::domain::MembershipRole;

/// Whether the account with this address is a member of the organisation.
pub async fn has_member_with_email(
    db: &impl ConnectionTrait,
    organization_id: Uuid,
    email: &str,
) -> StoreResult<bool> {
    let found = memberships::Entity::find()
        .filter(memberships::Column::OrganizationId.eq(organization_id))
        .inner_join(users::Entity)
        .filter(users::Column::Email.eq(email))
        .count(db)
        .await
        .context("memberships: member with email")?;
    Ok(found > 0)
}

/// The membership of a user in an organisation, if any.
pub async fn find(
    db: &impl ConnectionTrait,
    organization_id: Uuid,
    user_id: Uuid,
) -> StoreResult<Option<memberships::Model>> {
    let which = Condition::all()
        .add(memberships::Column::OrganizationId.eq(organization_id))
        .add(memberships::Column::UserId.eq(user_id));
    rows::first::<memberships::Entity>(db, which, "memberships: find").await
}

/// How many admins the organisation has.
pub async fn count_admins(db: &impl ConnectionTrait, organization_id: Uuid) -> StoreResult<u64> {
    let which = Condition::all()
        .add(memberships::Column::OrganizationId.eq(organization_id))
        .add(memberships::Column::Role.eq(MembershipRole::Admin));
    rows::count::<memberships::Entity>(db, which, "memberships: count admins").await
}

/// How many members the organisation has.
pub async fn count_members(db: &impl ConnectionTrait, organization_id: Uuid) -> StoreResult<u64> {
    let which = memberships::Column::OrganizationId.eq(organization_id);
    rows::count::<memberships::Entity>(db, which, "memberships: count members").await
}

/// The organisation's admins, as accounts (deleted ones are not members),
/// in id order.
pub async fn admins_of(
    db: &impl ConnectionTrait,
    organization_id: Uuid,
) -> StoreResult<Vec<users::Model>> {
    users::Entity::find()
        .inner_join(memberships::Entity)
        .filter(memberships::Column::OrganizationId.eq(organization_id))
        .filter(memberships::Column::Role.eq(MembershipRole::Admin))
        .filter(users::Column::DeletedAt.is_null())
        .order_by_asc(users::Column::Id)
        .all(db)
        .await
        .context("memberships: admins of organisation")
}

/// A user's memberships, oldest first.
pub async fn of_user(
    db: &impl ConnectionTrait,
    user_id: Uuid,
) -> StoreResult<Vec<memberships::Model>> {
    let which = memberships::Column::UserId.eq(user_id);
    let order = [memberships::Column::Id];
    rows::list::<memberships::Entity>(db, which, order, "memberships: of user").await
}

/// A user's memberships with their organisations.
pub async fn of_user_with_organizations(
    db: &impl ConnectionTrait,
    user_id: Uuid,
) -> StoreResult<Vec<(memberships::Model, Option<organizations::Model>)>> {
    memberships::Entity::find()
        .filter(memberships::Column::UserId.eq(user_id))
        .find_also_related(organizations::Entity)
        .all(db)
        .await
        .context("memberships: of user with organisations")
}

/// Makes a user a member with `role`.
pub async fn insert(
    db: &impl ConnectionTrait,
    id: Uuid,
    organization_id: Uuid,
    user_id: Uuid,
    role: MembershipRole,
    at: DateTime<Utc>,
) -> StoreResult<memberships::Model> {
    let row = memberships::ActiveModel {
        id: Set(id),
        user_id: Set(user_id),
        organization_id: Set(organization_id),
        role: Set(role),
        created_at: Set(at),
        updated_at: Set(at),
    };
    super::rows::insert(db, row, "memberships: insert").await
}

/// Changes a membership's role.
pub async fn set_role(
    db: &impl ConnectionTrait,
    membership: memberships::Model,
    role: MembershipRole,
    at: DateTime<Utc>,
) -> StoreResult<memberships::Model> {
    let mut row: memberships::ActiveModel = membership.into();
    row.role = Set(role);
    row.updated_at = Set(at);
    super::rows::update(db, row, "memberships: set role").await
}

/// Deletes one membership.
pub async fn delete(db: &impl ConnectionTrait, id: Uuid) -> StoreResult<()> {
    memberships::Entity::delete_by_id(id)
        .exec(db)
        .await
        .context("memberships: delete")?;
    Ok(())
}

/// Deletes every membership of a user.
pub async fn delete_of_user(db: &impl ConnectionTrait, user_id: Uuid) -> StoreResult<()> {
    let which = memberships::Column::UserId.eq(user_id);
    rows::delete::<memberships::Entity>(db, which, "memberships: delete of user").await?;
    Ok(())
}
