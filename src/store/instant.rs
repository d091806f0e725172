//! Comparing a stored instant with a given one, correctly on both
//! databases: the one place that knows how each keeps instants.
//!
//! PostgreSQL keeps `timestamptz` and compares it natively. SQLite keeps
//! RFC 3339 text whose number of fractional digits varies (see
//! `docs/data-model.md`), so comparing the text can be wrong within one
//! second; there both sides go through `julianday()`, which reads the text
//! as a number of days (to the millisecond). Use these conditions wherever
//! a query compares instants; order by the UUIDv7 id where creation order
//! is meant.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, SimpleExpr};
use sea_orm::{ColumnTrait, DbBackend};

fn compare<C: ColumnTrait>(
    backend: DbBackend,
    column: C,
    at: DateTime<Utc>,
    operator: &str,
) -> SimpleExpr {
    let column = Expr::col((column.entity_name(), column));
    match backend {
        DbBackend::Sqlite => Expr::cust_with_exprs(
            format!("julianday($1) {operator} julianday($2)"),
            [column, Expr::val(at)],
        ),
        _ => Expr::cust_with_exprs(format!("$1 {operator} $2"), [column, Expr::val(at)]),
    }
}

/// `column < at`: the stored instant is earlier than `at`.
pub fn earlier_than<C: ColumnTrait>(
    backend: DbBackend,
    column: C,
    at: DateTime<Utc>,
) -> SimpleExpr {
    compare(backend, column, at, "<")
}

/// `column >= at`: the stored instant is `at` or later.
pub fn at_or_after<C: ColumnTrait>(backend: DbBackend, column: C, at: DateTime<Utc>) -> SimpleExpr {
    compare(backend, column, at, ">=")
}
