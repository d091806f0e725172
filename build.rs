//! Builds the web app (`frontend/`) when its sources changed, so that
//! `cargo run -- serve --demo` serves the current app and a release binary
//! embeds it (src/http/webapp.rs). Needs Node.js 20 and npm; without them
//! the server still builds and says on its pages how to build the app (a
//! release build fails instead, as it would ship without its web app).
//! `TRAMA_SKIP_WEB_BUILD=1` skips this step (the app's own CI step builds it).
//!
//! Either way it tells the package's targets whether the app is built
//! (`TRAMA_WEB_APP_BUILT`, 1 or 0, at compile time): the API tests that
//! load its pages report themselves skipped without it
//! (`#[trama_test_macros::needs_web_app]`) instead of failing.

use std::path::Path;
use std::process::Command;

fn main() {
    build_web_app();
    let built = Path::new("frontend/dist/index.html").exists();
    println!("cargo:rustc-env=TRAMA_WEB_APP_BUILT={}", u8::from(built));
}

fn build_web_app() {
    for path in [
        "frontend/src",
        "frontend/index.html",
        "frontend/graphiql.html",
        "frontend/package.json",
        "frontend/package-lock.json",
        "frontend/vite.config.ts",
        "frontend/codegen.ts",
        "frontend/tsconfig.json",
        "graphql/schema.graphql",
        "graphql/operations",
    ] {
        println!("cargo:rerun-if-changed={path}");
    }
    println!("cargo:rerun-if-env-changed=TRAMA_SKIP_WEB_BUILD");
    let release = std::env::var("PROFILE").as_deref() == Ok("release");
    let built = Path::new("frontend/dist/index.html").exists();
    if std::env::var_os("TRAMA_SKIP_WEB_BUILD").is_some_and(|v| v == "1") {
        return;
    }
    if !npm_available() {
        if release && !built {
            panic!(
                "the web app is not built and npm is missing: install Node.js 20 and npm \
                 (see the README), or run `npm ci && npm run build` in frontend/"
            );
        }
        println!(
            "cargo:warning=npm not found: the web app (frontend/) was not rebuilt; \
             install Node.js 20 and npm to build it"
        );
        return;
    }
    let installed = Path::new("frontend/node_modules/.package-lock.json");
    let lock_is_newer = match (modified("frontend/package-lock.json"), modified(installed)) {
        (Some(lock), Some(done)) => lock > done,
        _ => true,
    };
    if lock_is_newer {
        run(&["ci", "--no-audit", "--no-fund"]);
    }
    run(&["run", "build"]);
}

fn npm_available() -> bool {
    Command::new("npm")
        .arg("--version")
        .output()
        .is_ok_and(|out| out.status.success())
}

fn modified(path: impl AsRef<Path>) -> Option<std::time::SystemTime> {
    std::fs::metadata(path).and_then(|m| m.modified()).ok()
}

fn run(args: &[&str]) {
    let output = Command::new("npm")
        .args(args)
        .current_dir("frontend")
        .output()
        .unwrap_or_else(|e| panic!("npm {}: {e}", args.join(" ")));
    if !output.status.success() {
        panic!(
            "npm {} failed in frontend/ (a change of graphql/schema.graphql may have \
             broken the web app):\n{}\n{}",
            args.join(" "),
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
    }
}
