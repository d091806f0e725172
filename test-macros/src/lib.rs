//! Test attributes that report a test as ignored ("skipped: ...", which
//! libtest prints as "ignored", not "ok") when the build lacks what the test
//! needs, so that a run without it does not pass, or fail, tests it never
//! ran:
//!
//! - `#[needs_postgres]`: a PostgreSQL to test against. Read from the
//!   environment of the compiler: `TRAMA_TEST_POSTGRES_URL` (a throwaway
//!   database; `scripts/test` makes one) or `TRAMA_TEST_REQUIRE_POSTGRES`
//!   (CI: then a missing URL fails the test at run time instead of skipping
//!   it).
//! - `#[needs_web_app]`: the built web app (`frontend/dist`), whose pages the
//!   server serves. Read from `TRAMA_WEB_APP_BUILT`, which the package's
//!   `build.rs` sets for its targets (0 when `TRAMA_SKIP_WEB_BUILD=1` or a
//!   missing npm left the app unbuilt). CI builds the app (`build.rs` fails
//!   the build when npm fails), so there these tests always run. The value
//!   is the one of `build.rs`'s last run: an app built by hand afterwards
//!   is seen when `build.rs` runs again (building without
//!   `TRAMA_SKIP_WEB_BUILD` does).
//! - `#[needs_postgres(web_app)]`: both, with one `ignore` naming the first
//!   that is missing.
//!
//! Why a procedural macro and not a `build.rs` cfg: a build script's cfg
//! applies to every target of the package, so changing the URL (scripts/test
//! makes a new database per run) would rebuild the whole library. Here only
//! the test binary is rebuilt: it reads both variables with `option_env!`
//! (see `tests/api/helpers.rs`), which makes Cargo recompile it, and so run
//! this macro again, whenever either changes. `TRAMA_WEB_APP_BUILT` changes
//! only when `build.rs` runs again, which rebuilds the package's targets.

use proc_macro::TokenStream;

const NO_POSTGRES: &str =
    "skipped: no PostgreSQL (set TRAMA_TEST_POSTGRES_URL or run scripts/test)";
const NO_WEB_APP: &str = "skipped: the web app is not built (built with TRAMA_SKIP_WEB_BUILD=1 or \
     without npm; build without the flag, with Node.js 20 and npm, to run it)";

fn set(name: &str) -> bool {
    std::env::var_os(name).is_some_and(|value| !value.is_empty())
}

fn postgres_configured() -> bool {
    set("TRAMA_TEST_POSTGRES_URL") || set("TRAMA_TEST_REQUIRE_POSTGRES")
}

fn web_app_built() -> bool {
    std::env::var("TRAMA_WEB_APP_BUILT").is_ok_and(|value| value == "1")
}

/// `item` with `#[ignore = reason]` before it, or as it is without a reason.
fn skipped(reason: Option<&str>, item: TokenStream) -> TokenStream {
    let Some(reason) = reason else {
        return item;
    };
    let ignore: TokenStream = format!("#[ignore = {reason:?}]")
        .parse()
        .expect("a valid attribute");
    ignore.into_iter().chain(item).collect()
}

/// Adds `#[ignore = "skipped: no PostgreSQL ..."]` to the test it is put on
/// when neither `TRAMA_TEST_POSTGRES_URL` nor `TRAMA_TEST_REQUIRE_POSTGRES`
/// is set at build time; with `(web_app)`, also when the web app is not
/// built. Leaves the test as it is otherwise. Put it before the test
/// attribute (`#[tokio::test]`).
#[proc_macro_attribute]
pub fn needs_postgres(attr: TokenStream, item: TokenStream) -> TokenStream {
    let also_web_app = match attr.to_string().trim() {
        "" => false,
        "web_app" => true,
        other => {
            let message = format!(
                "needs_postgres: unknown argument `{other}` (expected nothing or `web_app`)"
            );
            return format!("compile_error!({message:?});")
                .parse()
                .expect("a valid macro call");
        }
    };
    let reason = if !postgres_configured() {
        Some(NO_POSTGRES)
    } else if also_web_app && !web_app_built() {
        Some(NO_WEB_APP)
    } else {
        None
    };
    skipped(reason, item)
}

/// Adds `#[ignore = "skipped: the web app is not built ..."]` to the test
/// it is put on when the package was built without its web app. Put it
/// before the test attribute.
#[proc_macro_attribute]
pub fn needs_web_app(_attr: TokenStream, item: TokenStream) -> TokenStream {
    skipped((!web_app_built()).then_some(NO_WEB_APP), item)
}
