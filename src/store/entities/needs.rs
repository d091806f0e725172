//! `needs`: needs: what an organisation or administration looks for (art. 55 calls included); soft-deleted.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "needs")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub organization_id: Uuid,
    /// A need kind (`collaborative_housing`, ..., `other`).
    pub kind: String,
    pub title: String,
    #[sea_orm(column_type = "Text")]
    pub description: String,
    pub budget_cents: Option<i64>,
    pub deadline_at: Option<DateTimeUtc>,
    pub municipality_code: Option<String>,
    pub neighbourhood_id: Option<Uuid>,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    /// A location precision (`exact`, `neighbourhood`, `municipality`).
    pub location_precision: String,
    /// A JSON array of offer kinds.
    #[sea_orm(column_type = "JsonBinary")]
    pub required_contributions: Json,
    /// A JSON array of organisation kinds; empty means anyone.
    #[sea_orm(column_type = "JsonBinary")]
    pub eligible_organization_kinds: Json,
    pub requires_third_sector_registration: bool,
    /// A posting status (`draft`, `open`, `closed`).
    pub status: String,
    pub created_by: Option<Uuid>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub closed_at: Option<DateTimeUtc>,
    pub deleted_at: Option<DateTimeUtc>,
    /// Hidden from public view by a moderator (kept, with the reason).
    pub hidden_at: Option<DateTimeUtc>,
    #[sea_orm(column_type = "Text", nullable)]
    pub hidden_reason: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::organizations::Entity",
        from = "Column::OrganizationId",
        to = "super::organizations::Column::Id",
        on_delete = "Restrict"
    )]
    Organization,
    #[sea_orm(
        belongs_to = "super::municipalities::Entity",
        from = "Column::MunicipalityCode",
        to = "super::municipalities::Column::IstatCode",
        on_delete = "Restrict"
    )]
    Municipality,
    #[sea_orm(
        belongs_to = "super::neighbourhoods::Entity",
        from = "Column::NeighbourhoodId",
        to = "super::neighbourhoods::Column::Id",
        on_delete = "Restrict"
    )]
    Neighbourhood,
    #[sea_orm(
        belongs_to = "super::users::Entity",
        from = "Column::CreatedBy",
        to = "super::users::Column::Id",
        on_delete = "SetNull"
    )]
    Creator,
    #[sea_orm(has_many = "super::matches::Entity")]
    Matches,
    #[sea_orm(has_many = "super::projects::Entity")]
    Projects,
}

impl Related<super::organizations::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Organization.def()
    }
}

impl Related<super::municipalities::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Municipality.def()
    }
}

impl Related<super::neighbourhoods::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Neighbourhood.def()
    }
}

impl Related<super::matches::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Matches.def()
    }
}

impl Related<super::projects::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Projects.def()
    }
}

impl Related<super::sectors::Entity> for Entity {
    fn to() -> RelationDef {
        super::need_sectors::Relation::Sector.def()
    }

    fn via() -> Option<RelationDef> {
        Some(super::need_sectors::Relation::Need.def().rev())
    }
}

impl ActiveModelBehavior for ActiveModel {}
