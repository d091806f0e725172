//! The layer table, checked: which top-level module of `src/` may use which,
//! and no sea-orm query builder outside `src/store/`. A new forbidden edge (an
//! import cycle between layers, a resolver that queries) fails here, in CI.
//!
//! The table is the one of `docs/architecture.md`; change both together.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Each module and the modules it may use. `store::entities` and
/// `store::health` name the only parts of the store some upper layers may
/// touch: the entity models they show, the database's health they report.
const ALLOWED: &[(&str, &[&str])] = &[
    ("domain", &[]),
    ("templates", &["domain"]),
    ("config", &["domain"]),
    ("telemetry", &["config"]),
    ("store", &["domain", "config"]),
    ("error", &["domain", "store"]),
    (
        "search",
        &["domain", "store", "policy", "templates", "error", "config"],
    ),
    (
        "matching",
        &["domain", "search", "store", "error", "config"],
    ),
    ("policy", &["domain", "store", "error", "config"]),
    ("mail", &["domain", "templates", "config", "error"]),
    (
        "codesign",
        &[
            "domain",
            "store",
            "policy",
            "error",
            "mail",
            "templates",
            "config",
        ],
    ),
    (
        "services",
        &[
            "domain", "store", "policy", "search", "matching", "mail", "codesign", "error",
            "config",
        ],
    ),
    (
        "jobs",
        &[
            "services", "store", "domain", "mail", "matching", "search", "policy", "codesign",
            "error", "config",
        ],
    ),
    (
        "state",
        &[
            "domain", "store", "search", "matching", "mail", "policy", "jobs", "config", "error",
        ],
    ),
    (
        "graphql",
        &[
            "services",
            "policy",
            "domain",
            "error",
            "config",
            "search",
            "matching",
            "codesign",
            "state",
            "store::entities",
        ],
    ),
    (
        "http",
        &[
            "graphql",
            "services",
            "policy",
            "domain",
            "error",
            "mail",
            "templates",
            "config",
            "state",
            "store::health",
        ],
    ),
    (
        "seed",
        &[
            "services", "store", "domain", "error", "jobs", "codesign", "matching", "search",
            "config", "policy", "mail",
        ],
    ),
    // The composition root builds the application from every layer; `cli`
    // (the subcommands) may also use `app`: see `allowed_table`.
    ("app", COMPOSED),
];

/// What the composition root (`app`, and `cli` with it) may use: every layer.
const COMPOSED: &[&str] = &[
    "http",
    "graphql",
    "services",
    "jobs",
    "store",
    "search",
    "mail",
    "matching",
    "policy",
    "config",
    "telemetry",
    "state",
    "domain",
    "error",
    "codesign",
    "seed",
];

/// sea-orm items that build or run queries: only `src/store/` may name them.
const QUERY_BUILDERS: &[&str] = &[
    "ActiveModelTrait",
    "ActiveValue",
    "ColumnTrait",
    "Condition",
    "EntityTrait",
    "ExprTrait",
    "FromQueryResult",
    "IntoActiveModel",
    "JoinType",
    "LoaderTrait",
    "ModelTrait",
    "NotSet",
    "Order",
    "PaginatorTrait",
    "QueryFilter",
    "QueryOrder",
    "QuerySelect",
    "QueryTrait",
    "Related",
    "RelationTrait",
    "Set",
    "Statement",
    "Unchanged",
    "entity",
    "prelude",
    "query",
    "sea_query",
];

/// Edges and queries the structure work (issue 13) has not removed yet, as
/// the checks below print them: known debt, listed so that nothing new joins
/// it. A line whose problem is gone must be removed (the checks say so).
const KNOWN_DEBT: &[&str] = &[];

fn src_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("src/ is readable") {
        let path = entry.expect("src/ entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The top-level module a file belongs to (`src/services/digests/send.rs` → `services`).
fn top_module(file: &Path) -> String {
    let relative = file.strip_prefix(src_dir()).expect("under src/");
    let first = relative
        .components()
        .next()
        .expect("a path")
        .as_os_str()
        .to_string_lossy()
        .into_owned();
    first.trim_end_matches(".rs").to_owned()
}

/// The code of a file without its comments (doc links are not edges).
fn code_of(file: &Path) -> String {
    std::fs::read_to_string(file)
        .expect("source is readable")
        .lines()
        .filter(|line| !line.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n")
}

fn is_ident(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// Every `crate::a::b` path a piece of code names, as `a` and `a::b`
/// (grouped imports `use crate::{a, b::{c}}` included).
fn crate_paths(code: &str, root: &str) -> BTreeSet<(String, String)> {
    let mut found = BTreeSet::new();
    let prefix = format!("{root}::");
    let mut rest = code;
    while let Some(at) = rest.find(&prefix) {
        let preceded_by_ident = rest[..at].chars().next_back().is_some_and(is_ident);
        let after = &rest[at + prefix.len()..];
        rest = after;
        if preceded_by_ident {
            continue;
        }
        if let Some(group) = after.strip_prefix('{') {
            let mut depth = 1;
            let mut end = 0;
            for (i, c) in group.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' => depth -= 1,
                    _ => {}
                }
                if depth == 0 {
                    end = i;
                    break;
                }
            }
            let mut top_level = String::new();
            let mut depth = 0;
            for c in group[..end].chars() {
                match c {
                    '{' => depth += 1,
                    '}' => depth -= 1,
                    _ if depth == 0 => top_level.push(c),
                    _ => {}
                }
            }
            for item in top_level.split(',') {
                let mut segments = item.trim().split("::").map(str::trim);
                if let Some(first) = segments.next().filter(|s| !s.is_empty()) {
                    let second = segments.next().unwrap_or("");
                    found.insert((first.to_owned(), second.to_owned()));
                }
            }
            continue;
        }
        let first: String = after.chars().take_while(|c| is_ident(*c)).collect();
        let second = after[first.len()..]
            .strip_prefix("::")
            .map(|s| s.chars().take_while(|c| is_ident(*c)).collect::<String>())
            .unwrap_or_default();
        if !first.is_empty() {
            found.insert((first, second));
        }
    }
    found
}

fn allowed_table() -> BTreeMap<&'static str, BTreeSet<&'static str>> {
    let mut table: BTreeMap<_, BTreeSet<_>> = ALLOWED
        .iter()
        .map(|(module, uses)| (*module, uses.iter().copied().collect()))
        .collect();
    let cli = COMPOSED.iter().copied().chain(["app"]).collect();
    table.insert("cli", cli);
    table
}

/// The edges of the code that the table does not allow, as readable lines.
fn forbidden_edges() -> Vec<String> {
    let table = allowed_table();
    let mut files = Vec::new();
    rust_files(&src_dir(), &mut files);
    let mut problems = Vec::new();
    for file in files {
        let module = top_module(&file);
        // The crate root and the binary compose everything.
        if module == "lib" || module == "main" {
            continue;
        }
        let Some(allowed) = table.get(module.as_str()) else {
            problems.push(format!(
                "{}: module `{module}` is not in the layer table (tests/api/layers.rs, docs/architecture.md)",
                shown(&file)
            ));
            continue;
        };
        for (target, second) in crate_paths(&code_of(&file), "crate") {
            if target == module {
                continue;
            }
            let narrow = format!("{target}::{second}");
            if allowed.contains(target.as_str()) || allowed.contains(narrow.as_str()) {
                continue;
            }
            problems.push(format!(
                "{}: `{module}` may not use `crate::{narrow}`",
                shown(&file)
            ));
        }
    }
    problems
}

/// Whether the table itself is free of cycles (a layer order exists).
fn table_cycle() -> Option<String> {
    let table = allowed_table();
    fn visit<'a>(
        node: &'a str,
        table: &BTreeMap<&'a str, BTreeSet<&'a str>>,
        path: &mut Vec<&'a str>,
        done: &mut BTreeSet<&'a str>,
    ) -> Option<String> {
        if path.contains(&node) {
            path.push(node);
            return Some(path.join(" -> "));
        }
        if done.contains(node) {
            return None;
        }
        path.push(node);
        for next in table.get(node).into_iter().flatten() {
            let next = next.split("::").next().unwrap_or(next);
            if let Some(cycle) = visit(next, table, path, done) {
                return Some(cycle);
            }
        }
        path.pop();
        done.insert(node);
        None
    }
    let mut done = BTreeSet::new();
    for module in table.keys() {
        if let Some(cycle) = visit(module, &table, &mut Vec::new(), &mut done) {
            return Some(cycle);
        }
    }
    None
}

/// A file's path as the problems name it: `src/...`.
fn shown(file: &Path) -> String {
    let relative = file.strip_prefix(src_dir()).expect("under src/");
    format!("src/{}", relative.display())
}

/// Whether a problem line is about a query outside the store (not an edge).
fn is_query_problem(line: &str) -> bool {
    line.contains("uses `sea_orm::")
}

/// Fails on a problem that is not known debt, and on known debt of this
/// check (edges or queries) that is gone.
fn assert_no_new_problems(problems: Vec<String>, queries: bool, what: &str) {
    let new: Vec<&String> = problems
        .iter()
        .filter(|p| !KNOWN_DEBT.contains(&p.as_str()))
        .collect();
    let settled: Vec<&str> = KNOWN_DEBT
        .iter()
        .copied()
        .filter(|known| is_query_problem(known) == queries)
        .filter(|known| !problems.iter().any(|p| p == known))
        .collect();
    assert!(
        new.is_empty(),
        "{what} (see docs/architecture.md):\n{}",
        new.iter()
            .map(|p| p.as_str())
            .collect::<Vec<_>>()
            .join("\n")
    );
    assert!(
        settled.is_empty(),
        "known debt that is gone: remove these lines from KNOWN_DEBT:\n{}",
        settled.join("\n")
    );
}

#[test]
fn the_layer_table_has_no_cycle() {
    assert_eq!(table_cycle(), None, "the layer table must be a layer order");
}

#[test]
fn every_module_uses_only_the_layers_below_it() {
    assert_no_new_problems(forbidden_edges(), false, "forbidden edges between layers");
}

#[test]
fn no_query_builder_outside_the_store() {
    let mut files = Vec::new();
    rust_files(&src_dir(), &mut files);
    let mut problems = Vec::new();
    for file in files {
        if top_module(&file) == "store" {
            continue;
        }
        for (item, _) in crate_paths(&code_of(&file), "sea_orm") {
            if QUERY_BUILDERS.contains(&item.as_str()) {
                problems.push(format!("{}: uses `sea_orm::{item}`", shown(&file)));
            }
        }
    }
    assert_no_new_problems(problems, true, "sea-orm queries belong in src/store/");
}

#[test]
fn the_checker_sees_grouped_and_nested_imports() {
    let code = "use crate::{services::{self, lookups}, store::entities::needs};\n\
                let x = crate::jobs::enqueue();\nmycrate::ignored::x();";
    let found = crate_paths(code, "crate");
    assert!(found.contains(&("services".into(), "".into())));
    assert!(found.contains(&("store".into(), "entities".into())));
    assert!(found.contains(&("jobs".into(), "enqueue".into())));
    assert_eq!(found.len(), 3);
}
