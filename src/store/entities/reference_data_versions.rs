//! `reference_data_versions`: the version of each shipped reference data set
//! a database holds (see `services::reference_data`).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "reference_data_versions")]
pub struct Model {
    /// `sectors`, `municipalities`, `milano_nil`.
    #[sea_orm(primary_key, auto_increment = false)]
    pub dataset: String,
    /// A digest of the shipped files and of the loader that reads them.
    pub version: String,
    /// How many rows the set has.
    pub rows: i32,
    pub loaded_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
