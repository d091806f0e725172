//! Read-only lookups of related records (territories, sectors) used to
//! present organisations, offers and needs.

use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, JoinType, QueryFilter, QueryOrder, QuerySelect,
    RelationTrait,
};
use uuid::Uuid;

use crate::error::AppError;
use crate::store::entities::{
    municipalities, need_sectors, neighbourhoods, offer_sectors, organization_neighbourhoods,
    organization_sectors, sectors,
};

pub async fn municipality(
    db: &impl ConnectionTrait,
    istat_code: &str,
) -> Result<Option<municipalities::Model>, AppError> {
    Ok(municipalities::Entity::find_by_id(istat_code.to_owned())
        .one(db)
        .await?)
}

pub async fn neighbourhood(
    db: &impl ConnectionTrait,
    id: Uuid,
) -> Result<Option<neighbourhoods::Model>, AppError> {
    Ok(neighbourhoods::Entity::find_by_id(id).one(db).await?)
}

/// The whole sectors taxonomy, in display order.
pub async fn sectors(db: &impl ConnectionTrait) -> Result<Vec<sectors::Model>, AppError> {
    Ok(sectors::Entity::find()
        .order_by_asc(sectors::Column::Position)
        .all(db)
        .await?)
}

pub async fn organization_sectors(
    db: &impl ConnectionTrait,
    id: Uuid,
) -> Result<Vec<sectors::Model>, AppError> {
    Ok(sectors::Entity::find()
        .join(
            JoinType::InnerJoin,
            organization_sectors::Relation::Sector.def().rev(),
        )
        .filter(organization_sectors::Column::OrganizationId.eq(id))
        .order_by_asc(sectors::Column::Position)
        .all(db)
        .await?)
}

pub async fn offer_sectors(
    db: &impl ConnectionTrait,
    id: Uuid,
) -> Result<Vec<sectors::Model>, AppError> {
    Ok(sectors::Entity::find()
        .join(
            JoinType::InnerJoin,
            offer_sectors::Relation::Sector.def().rev(),
        )
        .filter(offer_sectors::Column::OfferId.eq(id))
        .order_by_asc(sectors::Column::Position)
        .all(db)
        .await?)
}

pub async fn need_sectors(
    db: &impl ConnectionTrait,
    id: Uuid,
) -> Result<Vec<sectors::Model>, AppError> {
    Ok(sectors::Entity::find()
        .join(
            JoinType::InnerJoin,
            need_sectors::Relation::Sector.def().rev(),
        )
        .filter(need_sectors::Column::NeedId.eq(id))
        .order_by_asc(sectors::Column::Position)
        .all(db)
        .await?)
}

/// Neighbourhoods an organisation serves, by name.
pub async fn organization_neighbourhoods(
    db: &impl ConnectionTrait,
    id: Uuid,
) -> Result<Vec<neighbourhoods::Model>, AppError> {
    Ok(neighbourhoods::Entity::find()
        .join(
            JoinType::InnerJoin,
            organization_neighbourhoods::Relation::Neighbourhood
                .def()
                .rev(),
        )
        .filter(organization_neighbourhoods::Column::OrganizationId.eq(id))
        .order_by_asc(neighbourhoods::Column::Name)
        .all(db)
        .await?)
}

/// A person's memberships, oldest first.
pub async fn memberships_of_user(
    db: &impl ConnectionTrait,
    user_id: Uuid,
) -> Result<Vec<crate::store::entities::memberships::Model>, AppError> {
    use crate::store::entities::memberships;
    Ok(memberships::Entity::find()
        .filter(memberships::Column::UserId.eq(user_id))
        .order_by_asc(memberships::Column::Id)
        .all(db)
        .await?)
}
