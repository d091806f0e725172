//! `organizations`: organisations (third sector, cooperatives, public bodies, informal groups); soft-deleted.

use sea_orm::entity::prelude::*;

use crate::domain::{OrganizationKind, VerificationStatus};

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "organizations")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub name: String,
    /// An organisation kind (closed list owned by `domain`).
    pub kind: OrganizationKind,
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
    pub verification_status: VerificationStatus,
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
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

/// What a batch of postings needs of its organisations (the match engine's
/// parties and places, open data's cells): who and where, without the
/// description and contacts of a full row, which were a quarter of the
/// time of loading match candidates' facts.
#[derive(Clone, Debug, PartialEq, DerivePartialModel)]
#[sea_orm(entity = "Entity")]
pub struct Summary {
    pub id: Uuid,
    pub name: String,
    pub kind: OrganizationKind,
    pub tax_code: Option<String>,
    pub seat_municipality_code: Option<String>,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    pub verification_status: VerificationStatus,
    pub runts_registered: bool,
    pub deleted_at: Option<DateTimeUtc>,
    pub hidden_at: Option<DateTimeUtc>,
}
