//! `#[needs_postgres]`: marks a test that runs on PostgreSQL as ignored
//! (libtest prints "ignored", not "ok") when the build has no PostgreSQL to
//! test against, so a run without one does not pass tests it never ran.
//!
//! Whether PostgreSQL is configured is read from the environment of the
//! compiler: `TRAMA_TEST_POSTGRES_URL` (a throwaway database; `scripts/test`
//! makes one) or `TRAMA_TEST_REQUIRE_POSTGRES` (CI: then a missing URL fails
//! the test at run time instead of skipping it).
//!
//! Why a procedural macro and not a `build.rs` cfg: a build script's cfg
//! applies to every target of the package, so changing the URL (scripts/test
//! makes a new database per run) would rebuild the whole library. Here only
//! the test binary is rebuilt: it reads both variables with `option_env!`
//! (see `tests/api/helpers.rs`), which makes Cargo recompile it, and so run
//! this macro again, whenever either changes.

use proc_macro::TokenStream;

/// Adds `#[ignore = "skipped: no PostgreSQL ..."]` to the test it is put on
/// when neither `TRAMA_TEST_POSTGRES_URL` nor `TRAMA_TEST_REQUIRE_POSTGRES`
/// is set at build time; leaves the test as it is otherwise. Put it before
/// the test attribute (`#[tokio::test]`).
#[proc_macro_attribute]
pub fn needs_postgres(_attr: TokenStream, item: TokenStream) -> TokenStream {
    let set = |name: &str| std::env::var_os(name).is_some_and(|value| !value.is_empty());
    if set("TRAMA_TEST_POSTGRES_URL") || set("TRAMA_TEST_REQUIRE_POSTGRES") {
        return item;
    }
    let ignore: TokenStream =
        r#"#[ignore = "skipped: no PostgreSQL (set TRAMA_TEST_POSTGRES_URL or run scripts/test)"]"#
            .parse()
            .expect("a valid attribute");
    ignore.into_iter().chain(item).collect()
}
