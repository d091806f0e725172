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
use sea_orm::sea_query::{Expr, ExprTrait, Func, SimpleExpr};
use sea_orm::{ColumnTrait, DbBackend};

/// How a stored instant is compared with a given one.
#[derive(Clone, Copy)]
enum Comparison {
    EarlierThan,
    AtOrAfter,
}

// Built from typed expressions, not SQL text with placeholders: a custom
// expression's placeholder differs by backend (`?` on SQLite, `$1` on
// PostgreSQL), and a `$1` written for one was passed to SQLite unbound, so
// the comparison read the wrong parameters.
fn compare<C: ColumnTrait>(
    backend: DbBackend,
    column: C,
    at: DateTime<Utc>,
    comparison: Comparison,
) -> SimpleExpr {
    let column = Expr::col((column.entity_name(), column));
    let (stored, given): (Expr, Expr) = match backend {
        DbBackend::Sqlite => (
            Func::cust("julianday").arg(column).into(),
            Func::cust("julianday").arg(Expr::val(at)).into(),
        ),
        _ => (column, Expr::val(at)),
    };
    match comparison {
        Comparison::EarlierThan => stored.lt(given),
        Comparison::AtOrAfter => stored.gte(given),
    }
}

/// `column < at`: the stored instant is earlier than `at`.
pub fn earlier_than<C: ColumnTrait>(
    backend: DbBackend,
    column: C,
    at: DateTime<Utc>,
) -> SimpleExpr {
    compare(backend, column, at, Comparison::EarlierThan)
}

/// `column >= at`: the stored instant is `at` or later.
pub fn at_or_after<C: ColumnTrait>(backend: DbBackend, column: C, at: DateTime<Utc>) -> SimpleExpr {
    compare(backend, column, at, Comparison::AtOrAfter)
}
