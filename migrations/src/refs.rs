//! The tables that later migrations point foreign keys at, named by the key
//! columns those keys use: one spelling for every migration that refers to them.
//!
//! A migration that creates or alters one of these tables declares its own
//! full list of columns instead.

use sea_orm_migration::prelude::*;

#[derive(DeriveIden)]
pub enum Municipalities {
    Table,
    IstatCode,
}

#[derive(DeriveIden)]
pub enum Neighbourhoods {
    Table,
    Id,
}

#[derive(DeriveIden)]
pub enum Sectors {
    Table,
    Code,
}

#[derive(DeriveIden)]
pub enum Users {
    Table,
    Id,
}

#[derive(DeriveIden)]
pub enum Organizations {
    Table,
    Id,
}

#[derive(DeriveIden)]
pub enum Offers {
    Table,
    Id,
}

#[derive(DeriveIden)]
pub enum Needs {
    Table,
    Id,
}

#[derive(DeriveIden)]
pub enum Matches {
    Table,
    Id,
}
