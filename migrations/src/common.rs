//! Column, key and index helpers shared by the migrations, so that every table
//! spells ids, timestamps, closed lists, foreign keys and index names the same way.
//!
//! Migrations must not change once applied; these helpers may only grow.

use sea_orm_migration::sea_orm::StatementBuilder;
use sea_orm_migration::{prelude::*, schema::*};

use crate::refs::{Municipalities, Projects, Sectors};

/// Length of a closed-list value, stored as lower snake_case text.
pub const CLOSED_LIST_LEN: u32 = 32;
/// Length of names, titles and labels.
pub const NAME_LEN: u32 = 255;
/// Length of e-mail addresses (RFC 5321 allows 320 octets).
pub const EMAIL_LEN: u32 = 320;
/// Length of URLs (websites).
pub const URL_LEN: u32 = 2048;
/// Length of an ISTAT municipality code (`015146` is Milan).
pub const ISTAT_CODE_LEN: u32 = 6;
/// Length of short codes: sector codes, neighbourhood codes.
pub const CODE_LEN: u32 = 32;
/// Length of a stored token hash (hex or base64 of a SHA-256 digest fits).
pub const TOKEN_HASH_LEN: u32 = 128;
/// Length of a worker id written into `claimed_by`.
pub const WORKER_LEN: u32 = 255;

#[derive(DeriveIden)]
enum Common {
    Id,
    CreatedAt,
    UpdatedAt,
    DeletedAt,
    ProjectId,
}

/// The UUIDv7 primary key `id`.
pub fn id() -> ColumnDef {
    pk_uuid(Common::Id)
}

/// A `CREATE TABLE table` whose first column is the UUIDv7 primary key `id`.
pub fn table_with_id<T: IntoIden>(table: T) -> TableCreateStatement {
    Table::create().table(table).col(id()).take()
}

/// A `CREATE TABLE table` for a row that belongs to a project: the UUIDv7
/// `id`, then `project_id`, deleted with its project.
pub fn project_row<T: IntoIden>(table: T) -> TableCreateStatement {
    table_with_id(table)
        .references_cascade(uuid(Common::ProjectId), Projects::Table)
        .take()
}

/// `created_at`, set by the application (UTC).
pub fn created_at() -> ColumnDef {
    timestamp_with_time_zone(Common::CreatedAt)
}

/// `updated_at`, set by the application (UTC).
pub fn updated_at() -> ColumnDef {
    timestamp_with_time_zone(Common::UpdatedAt)
}

/// `deleted_at`, the soft-delete marker.
pub fn deleted_at() -> ColumnDef {
    timestamp_with_time_zone_null(Common::DeletedAt)
}

/// A closed-list value (the Rust enums in `src/domain` are the only writers).
pub fn closed_list<T: IntoIden>(col: T) -> ColumnDef {
    string_len(col, CLOSED_LIST_LEN)
}

/// A closed-list value with a database default: the state a new row starts in.
pub fn closed_list_default<T: IntoIden>(col: T, default: &str) -> ColumnDef {
    closed_list(col).default(default).take()
}

/// A non-null boolean with a default.
pub fn flag<T: IntoIden>(col: T, default: bool) -> ColumnDef {
    boolean(col).default(default).take()
}

/// A non-null 32-bit counter with a default.
pub fn counter<T: IntoIden>(col: T, default: i32) -> ColumnDef {
    integer(col).default(default).take()
}

/// A JSON document (`jsonb` on PostgreSQL, text on SQLite).
pub fn json_doc<T: IntoIden>(col: T) -> ColumnDef {
    json_binary(col)
}

/// The name of an identifier, for building constraint and index names.
fn name_of(iden: &DynIden) -> String {
    iden.to_string()
}

/// A foreign key `fk_<table>_<column>` from `table.column` to `ref_table.ref_column`.
pub fn foreign_key<T, C, RT, RC>(
    table: T,
    column: C,
    ref_table: RT,
    ref_column: RC,
    on_delete: ForeignKeyAction,
) -> ForeignKeyCreateStatement
where
    T: IntoIden,
    C: IntoIden,
    RT: IntoIden,
    RC: IntoIden,
{
    let (table, column) = (table.into_iden(), column.into_iden());
    ForeignKey::create()
        .name(format!("fk_{}_{}", name_of(&table), name_of(&column)))
        .from(table, column)
        .to(ref_table.into_iden(), ref_column.into_iden())
        .on_delete(on_delete)
        .on_update(ForeignKeyAction::NoAction)
        .take()
}

/// What a `CREATE TABLE` statement gains for Trama's tables: a column and
/// its foreign key named once, and the two timestamps at once.
pub trait TableExt {
    /// The statement being written.
    fn statement(&mut self) -> &mut TableCreateStatement;

    /// Adds `column` with its foreign key `fk_<table>_<column>` to `ref_table.id`.
    ///
    /// Panics when the statement has no table yet: name it first.
    fn references<R: IntoIden>(
        &mut self,
        column: ColumnDef,
        ref_table: R,
        on_delete: ForeignKeyAction,
    ) -> &mut Self {
        self.references_column(column, ref_table, Common::Id, on_delete)
    }

    /// `references` for a row that belongs to the one it points at: it is
    /// deleted with it (`ON DELETE CASCADE`).
    fn references_cascade<R: IntoIden>(&mut self, column: ColumnDef, ref_table: R) -> &mut Self {
        self.references(column, ref_table, ForeignKeyAction::Cascade)
    }

    /// `references` for a row that keeps the one it points at: that row
    /// cannot be deleted while this one points at it (`ON DELETE RESTRICT`).
    fn references_restrict<R: IntoIden>(&mut self, column: ColumnDef, ref_table: R) -> &mut Self {
        self.references(column, ref_table, ForeignKeyAction::Restrict)
    }

    /// `references` for an optional link: the column is emptied when the row
    /// it points at is deleted (`ON DELETE SET NULL`).
    fn references_set_null<R: IntoIden>(&mut self, column: ColumnDef, ref_table: R) -> &mut Self {
        self.references(column, ref_table, ForeignKeyAction::SetNull)
    }

    /// Adds `column`, an ISTAT municipality code, with its foreign key to
    /// `municipalities.istat_code` (a municipality in use is never deleted).
    fn references_municipality(&mut self, column: ColumnDef) -> &mut Self {
        self.references_column(
            column,
            Municipalities::Table,
            Municipalities::IstatCode,
            ForeignKeyAction::Restrict,
        )
    }

    /// Adds `column` with its foreign key `fk_<table>_<column>` to
    /// `ref_table.ref_column`.
    ///
    /// Panics when the statement has no table yet: name it first.
    fn references_column<R: IntoIden, RC: IntoIden>(
        &mut self,
        column: ColumnDef,
        ref_table: R,
        ref_column: RC,
        on_delete: ForeignKeyAction,
    ) -> &mut Self {
        let name = Alias::new(column.get_column_name());
        let statement = self.statement();
        let table = table_name(statement);
        statement.col(column).foreign_key(&mut foreign_key(
            table, name, ref_table, ref_column, on_delete,
        ));
        self
    }

    /// Adds `created_at` then `updated_at`.
    fn timestamps(&mut self) -> &mut Self {
        self.statement().col(created_at()).col(updated_at());
        self
    }
}

impl TableExt for TableCreateStatement {
    fn statement(&mut self) -> &mut TableCreateStatement {
        self
    }
}

/// The name of the table `statement` creates.
///
/// Panics when the statement has no table yet (a mistake in the migration).
fn table_name(statement: &TableCreateStatement) -> DynIden {
    match statement.get_table_name() {
        Some(TableRef::Table(TableName(_, table), _)) => table.clone(),
        _ => panic!("a CREATE TABLE statement without its `.table()`"),
    }
}

/// A table tagging the rows of `owner_table` with sectors, one row per tag:
/// `(owner, sector_code)` is the primary key, and each column is a foreign
/// key that cascades (to `owner_table.id` and to `sectors.code`).
pub fn sector_tags<T, O, S, R>(
    table: T,
    owner: O,
    sector_code: S,
    owner_table: R,
) -> TableCreateStatement
where
    T: IntoIden,
    O: IntoIden,
    S: IntoIden,
    R: IntoIden,
{
    let (table, owner) = (table.into_iden(), owner.into_iden());
    let sector_code = sector_code.into_iden();
    Table::create()
        .table(table.clone())
        .col(uuid(owner.clone()))
        .col(string_len(sector_code.clone(), CODE_LEN))
        .primary_key(Index::create().col(owner.clone()).col(sector_code.clone()))
        .foreign_key(&mut foreign_key(
            table.clone(),
            owner,
            owner_table,
            Common::Id,
            ForeignKeyAction::Cascade,
        ))
        .foreign_key(&mut foreign_key(
            table,
            sector_code,
            Sectors::Table,
            Sectors::Code,
            ForeignKeyAction::Cascade,
        ))
        .to_owned()
}

/// An index `idx_<table>_<col>_<col>` on `columns`, in order.
pub fn index<T, C, I>(table: T, columns: I) -> IndexCreateStatement
where
    T: IntoIden,
    C: IntoIden,
    I: IntoIterator<Item = C>,
{
    named_index("idx", table, columns)
}

/// A unique index `uq_<table>_<col>_<col>` on `columns`, in order.
pub fn unique_index<T, C, I>(table: T, columns: I) -> IndexCreateStatement
where
    T: IntoIden,
    C: IntoIden,
    I: IntoIterator<Item = C>,
{
    named_index("uq", table, columns).unique().take()
}

/// A partial unique index `uq_<table>_<state>` on `columns`: only the rows
/// whose `status` column holds `state` must differ. Both databases have
/// partial indexes, so two such rows fail here even when they arrive at once.
pub fn unique_while<T, C, I, S>(
    table: T,
    columns: I,
    status: S,
    state: &str,
) -> IndexCreateStatement
where
    T: IntoIden,
    C: IntoIden,
    I: IntoIterator<Item = C>,
    S: IntoIden,
{
    let table = table.into_iden();
    let mut index = Index::create();
    index
        .name(format!("uq_{}_{state}", name_of(&table)))
        .table(table);
    for column in columns {
        index.col(column.into_iden());
    }
    index
        .unique()
        .and_where(Expr::col(status.into_iden()).eq(state))
        .take()
}

fn named_index<T, C, I>(prefix: &str, table: T, columns: I) -> IndexCreateStatement
where
    T: IntoIden,
    C: IntoIden,
    I: IntoIterator<Item = C>,
{
    let table = table.into_iden();
    let columns: Vec<DynIden> = columns.into_iter().map(IntoIden::into_iden).collect();
    let mut name = format!("{prefix}_{}", name_of(&table));
    for column in &columns {
        name.push('_');
        name.push_str(&name_of(column));
    }
    let mut index = Index::create();
    index.name(name).table(table);
    for column in columns {
        index.col(column);
    }
    index
}

/// Runs `statements` in the order given.
///
/// Fails on the first statement the database rejects.
async fn execute_all<S: StatementBuilder>(
    manager: &SchemaManager<'_>,
    statements: impl IntoIterator<Item = S>,
) -> Result<(), DbErr> {
    for statement in statements {
        manager.execute(statement).await?;
    }
    Ok(())
}

/// Creates `tables` in the order given (parents first), then `indexes`.
///
/// Fails on the first table or index the database rejects.
pub async fn create_tables(
    manager: &SchemaManager<'_>,
    tables: Vec<TableCreateStatement>,
    indexes: impl IntoIterator<Item = IndexCreateStatement>,
) -> Result<(), DbErr> {
    execute_all(manager, tables).await?;
    execute_all(manager, indexes).await
}

/// Undoes `create_tables`: drops `tables`, the last created first (children
/// before their parents); their indexes go with them.
///
/// Fails on the first table the database refuses to drop.
pub async fn drop_created_tables(
    manager: &SchemaManager<'_>,
    tables: Vec<TableCreateStatement>,
) -> Result<(), DbErr> {
    let drop = |table: TableCreateStatement| Table::drop().table(table_name(&table)).take();
    execute_all(manager, tables.into_iter().rev().map(drop)).await
}

/// Declares the `Migration` of a file that only creates tables: `up` runs
/// `create_tables(manager, tables(), indexes())` and `down` runs
/// `drop_created_tables(manager, tables())`, with the `tables()` and
/// `indexes()` functions of the file that invokes it.
macro_rules! tables_migration {
    () => {
        #[derive(DeriveMigrationName)]
        pub struct Migration;

        #[async_trait::async_trait]
        impl MigrationTrait for Migration {
            async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
                $crate::common::create_tables(manager, tables(), indexes()).await
            }

            async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
                $crate::common::drop_created_tables(manager, tables()).await
            }
        }
    };
}
pub(crate) use tables_migration;

/// Adds `columns` to `table`, one `ALTER TABLE` each: SQLite alters a table
/// one column at a time.
///
/// Fails on the first column the database rejects.
pub async fn add_columns<T: IntoIden>(
    manager: &SchemaManager<'_>,
    table: T,
    columns: impl IntoIterator<Item = ColumnDef>,
) -> Result<(), DbErr> {
    let table = table.into_iden();
    let add = |column| {
        Table::alter()
            .table(table.clone())
            .add_column(column)
            .take()
    };
    execute_all(manager, columns.into_iter().map(add)).await
}

/// Undoes `add_columns`: drops `columns` from `table`, the last added first.
///
/// Fails on the first column the database refuses to drop.
pub async fn drop_added_columns<T: IntoIden>(
    manager: &SchemaManager<'_>,
    table: T,
    columns: Vec<ColumnDef>,
) -> Result<(), DbErr> {
    let table = table.into_iden();
    let drop = |column: ColumnDef| {
        let name = Alias::new(column.get_column_name());
        Table::alter().table(table.clone()).drop_column(name).take()
    };
    execute_all(manager, columns.into_iter().rev().map(drop)).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::refs::{ContentReports, OfferSectors, Offers, Users};

    /// The SQL of the statement the migrations wrote by hand before the
    /// helper (an applied migration must not change).
    #[test]
    fn sector_tags_writes_the_sql_the_migrations_wrote_by_hand() {
        let helper = sector_tags(
            OfferSectors::Table,
            OfferSectors::OfferId,
            OfferSectors::SectorCode,
            Offers::Table,
        );
        assert_eq!(
            helper.to_string(PostgresQueryBuilder),
            "CREATE TABLE \"offer_sectors\" ( \"offer_id\" uuid NOT NULL, \"sector_code\" varchar(32) NOT NULL, PRIMARY KEY (\"offer_id\", \"sector_code\"), CONSTRAINT \"fk_offer_sectors_offer_id\" FOREIGN KEY (\"offer_id\") REFERENCES \"offers\" (\"id\") ON DELETE CASCADE ON UPDATE NO ACTION, CONSTRAINT \"fk_offer_sectors_sector_code\" FOREIGN KEY (\"sector_code\") REFERENCES \"sectors\" (\"code\") ON DELETE CASCADE ON UPDATE NO ACTION )"
        );
        assert_eq!(
            helper.to_string(SqliteQueryBuilder),
            "CREATE TABLE \"offer_sectors\" ( \"offer_id\" uuid_text NOT NULL, \"sector_code\" varchar(32) NOT NULL, PRIMARY KEY (\"offer_id\", \"sector_code\"), FOREIGN KEY (\"offer_id\") REFERENCES \"offers\" (\"id\") ON DELETE CASCADE ON UPDATE NO ACTION, FOREIGN KEY (\"sector_code\") REFERENCES \"sectors\" (\"code\") ON DELETE CASCADE ON UPDATE NO ACTION )"
        );
    }

    /// A key written with `references_*` is the column, then the key the
    /// migrations wrote by hand with `foreign_key` (same name, same SQL).
    #[test]
    fn references_writes_the_column_and_the_key_written_by_hand() {
        let helper = table_with_id(ContentReports::Table)
            .references_restrict(uuid(ContentReports::ReporterId), Users::Table)
            .references_set_null(uuid_null(ContentReports::DecidedBy), Users::Table)
            .take();
        let by_hand = Table::create()
            .table(ContentReports::Table)
            .col(id())
            .col(uuid(ContentReports::ReporterId))
            .col(uuid_null(ContentReports::DecidedBy))
            .foreign_key(&mut foreign_key(
                ContentReports::Table,
                ContentReports::ReporterId,
                Users::Table,
                Common::Id,
                ForeignKeyAction::Restrict,
            ))
            .foreign_key(&mut foreign_key(
                ContentReports::Table,
                ContentReports::DecidedBy,
                Users::Table,
                Common::Id,
                ForeignKeyAction::SetNull,
            ))
            .take();
        assert_eq!(
            helper.to_string(PostgresQueryBuilder),
            by_hand.to_string(PostgresQueryBuilder)
        );
        assert_eq!(
            helper.to_string(SqliteQueryBuilder),
            by_hand.to_string(SqliteQueryBuilder)
        );
    }
}
