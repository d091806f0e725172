//! `organizations`: organisations (third sector, cooperatives, public bodies, informal groups); soft-deleted.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "organizations")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub name: String,
    /// An organisation kind (closed list owned by `domain`).
    pub kind: String,
    /// Codice fiscale; informal groups may have none.
    #[sea_orm(unique)]
    pub tax_code: Option<String>,
    pub vat_number: Option<String>,
    #[sea_orm(column_type = "Text")]
    pub description: String,
    pub website: Option<String>,
    pub seat_municipality_code: Option<String>,
    #[sea_orm(column_type = "Text")]
    pub address: Option<String>,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    /// A verification status (`unverified`, `pending`, `verified`, `rejected`).
    pub verification_status: String,
    pub verification_source: Option<String>,
    pub verified_at: Option<DateTimeUtc>,
    pub runts_registered: bool,
    pub created_by: Option<Uuid>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub deleted_at: Option<DateTimeUtc>,
    /// Hidden from public view by a moderator (kept, with the reason).
    pub hidden_at: Option<DateTimeUtc>,
    #[sea_orm(column_type = "Text", nullable)]
    pub hidden_reason: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::municipalities::Entity",
        from = "Column::SeatMunicipalityCode",
        to = "super::municipalities::Column::IstatCode",
        on_delete = "Restrict"
    )]
    SeatMunicipality,
    #[sea_orm(
        belongs_to = "super::users::Entity",
        from = "Column::CreatedBy",
        to = "super::users::Column::Id",
        on_delete = "SetNull"
    )]
    Creator,
    #[sea_orm(has_many = "super::organization_contacts::Entity")]
    Contacts,
    #[sea_orm(has_many = "super::memberships::Entity")]
    Memberships,
    #[sea_orm(has_many = "super::invitations::Entity")]
    Invitations,
    #[sea_orm(has_many = "super::offers::Entity")]
    Offers,
    #[sea_orm(has_many = "super::needs::Entity")]
    Needs,
}

impl Related<super::municipalities::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::SeatMunicipality.def()
    }
}

impl Related<super::organization_contacts::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Contacts.def()
    }
}

impl Related<super::memberships::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Memberships.def()
    }
}

impl Related<super::invitations::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Invitations.def()
    }
}

impl Related<super::offers::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Offers.def()
    }
}

impl Related<super::needs::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Needs.def()
    }
}

impl Related<super::sectors::Entity> for Entity {
    fn to() -> RelationDef {
        super::organization_sectors::Relation::Sector.def()
    }

    fn via() -> Option<RelationDef> {
        Some(
            super::organization_sectors::Relation::Organization
                .def()
                .rev(),
        )
    }
}

impl Related<super::neighbourhoods::Entity> for Entity {
    fn to() -> RelationDef {
        super::organization_neighbourhoods::Relation::Neighbourhood.def()
    }

    fn via() -> Option<RelationDef> {
        Some(
            super::organization_neighbourhoods::Relation::Organization
                .def()
                .rev(),
        )
    }
}

impl Related<super::users::Entity> for Entity {
    fn to() -> RelationDef {
        super::memberships::Relation::User.def()
    }

    fn via() -> Option<RelationDef> {
        Some(super::memberships::Relation::Organization.def().rev())
    }
}

impl ActiveModelBehavior for ActiveModel {}
