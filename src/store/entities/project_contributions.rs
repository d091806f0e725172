//! `project_contributions`: what each partner brings to a project.

use sea_orm::entity::prelude::*;

use crate::domain::{ContributionStatus, OfferKind};

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "project_contributions")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub project_id: Uuid,
    pub organization_id: Uuid,
    /// An offer kind.
    pub kind: OfferKind,
    #[sea_orm(column_type = "Text")]
    pub description: String,
    pub amount_cents: Option<i64>,
    /// How much, in `unit` (hours, m2, pieces...).
    pub quantity: Option<f64>,
    pub unit: Option<String>,
    pub offer_id: Option<Uuid>,
    /// A contribution status (`proposed`, `agreed`, `delivered`, `withdrawn`).
    pub status: ContributionStatus,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
