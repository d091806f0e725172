//! `offers`: offers: what an organisation makes available (funding, spaces, skills...); soft-deleted.

use sea_orm::entity::prelude::*;

use crate::domain::{OfferKind, PostingStatus, TerritoryScope};

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "offers")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub organization_id: Uuid,
    /// An offer kind (`funding`, `loan`, `space`, ...).
    pub kind: OfferKind,
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
    pub territory_scope: TerritoryScope,
    pub municipality_code: Option<String>,
    pub neighbourhood_id: Option<Uuid>,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    /// The places beyond the first: a JSON array of
    /// `{"municipalityCode", "neighbourhoodId"}` (see `crate::domain::OtherPlace`).
    #[sea_orm(column_type = "JsonBinary")]
    pub other_places: Json,
    /// A posting status (`draft`, `open`, `closed`).
    pub status: PostingStatus,
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
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
