//! `needs`: needs: what an organisation or administration looks for (art. 55 calls included); soft-deleted.

use sea_orm::entity::prelude::*;

use crate::domain::{LocationPrecision, NeedKind, PostingStatus, TerritoryScope};

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "needs")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub organization_id: Uuid,
    /// A need kind (`collaborative_housing`, ..., `other`).
    pub kind: NeedKind,
    pub title: String,
    #[sea_orm(column_type = "Text")]
    pub description: String,
    pub budget_cents: Option<i64>,
    pub deadline_at: Option<DateTimeUtc>,
    pub municipality_code: Option<String>,
    pub neighbourhood_id: Option<Uuid>,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    /// The places beyond the first: a JSON array of
    /// `{"municipalityCode", "neighbourhoodId"}` (see `crate::domain::OtherPlace`).
    #[sea_orm(column_type = "JsonBinary")]
    pub other_places: Json,
    /// How far the need reaches from its places; none: as far as its place
    /// (a neighbourhood, else a municipality).
    pub territory_scope: Option<TerritoryScope>,
    /// A location precision (`exact`, `neighbourhood`, `municipality`).
    pub location_precision: LocationPrecision,
    /// A JSON array of offer kinds.
    #[sea_orm(column_type = "JsonBinary")]
    pub required_contributions: Json,
    /// A JSON array of organisation kinds; empty means anyone.
    #[sea_orm(column_type = "JsonBinary")]
    pub eligible_organization_kinds: Json,
    pub requires_third_sector_registration: bool,
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
