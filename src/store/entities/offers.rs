//! `offers`: offers: what an organisation makes available (funding, spaces, skills...); soft-deleted.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "offers")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub organization_id: Uuid,
    /// An offer kind (`funding`, `loan`, `space`, ...).
    pub kind: String,
    pub title: String,
    #[sea_orm(column_type = "Text")]
    pub description: String,
    pub amount_min_cents: Option<i64>,
    pub amount_max_cents: Option<i64>,
    pub available_from: Option<Date>,
    pub available_until: Option<Date>,
    /// A JSON array of organisation kinds; empty means anyone.
    #[sea_orm(column_type = "JsonBinary")]
    pub eligible_organization_kinds: Json,
    /// A territory scope (`neighbourhood` ... `national`).
    pub territory_scope: String,
    pub municipality_code: Option<String>,
    pub neighbourhood_id: Option<Uuid>,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
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

impl Related<super::sectors::Entity> for Entity {
    fn to() -> RelationDef {
        super::offer_sectors::Relation::Sector.def()
    }

    fn via() -> Option<RelationDef> {
        Some(super::offer_sectors::Relation::Offer.def().rev())
    }
}

impl ActiveModelBehavior for ActiveModel {}
