//! `municipalities`: the ISTAT list of municipalities; coordinates are approximate geocodes.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "municipalities")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub istat_code: String,
    pub name: String,
    /// The province's plate code, e.g. `MI`.
    pub province_code: String,
    pub province_name: String,
    pub region_code: String,
    pub region_name: String,
    pub cadastral_code: String,
    pub population: Option<i32>,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    pub coordinates_approximate: bool,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
