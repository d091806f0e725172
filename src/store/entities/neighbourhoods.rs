//! `neighbourhoods`: neighbourhoods of a municipality (e.g. Milan's NIL).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "neighbourhoods")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub municipality_code: String,
    /// The municipality's own code, e.g. NIL number `51`.
    pub code: String,
    pub name: String,
    pub centroid_lat: f64,
    pub centroid_lon: f64,
    #[sea_orm(column_type = "Text")]
    pub boundary_geojson: Option<String>,
    pub area_m2: Option<f64>,
    pub source: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
