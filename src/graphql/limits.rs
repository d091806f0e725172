//! What one GraphQL request may cost, on HTTP and on WebSocket alike (an
//! async-graphql extension, so both transports go through it).
//!
//! Before anything runs, from the document alone: its size, its aliases,
//! root fields and fields (fragments expanded, counted without expanding
//! them, so a fragment that doubles at each level costs nothing to refuse),
//! fragment cycles, its depth (introspection has a bound of its own, so the
//! standard introspection query of GraphiQL and code generators passes,
//! while types nested in fields nested in fields... do not), then its
//! complexity: every field counts, pages once per item they may return
//! ([`super::connection::page_cost`]), and each root field
//! [`ROOT_FIELD_COST`] more, since each starts its own statements.
//!
//! The document checks run when the request is prepared, before
//! async-graphql's own checks: those expand fragments without memory (a
//! fragment doubling over 22 levels kept a worker busy for seconds) and
//! only this module's bounds make them cheap. A long document is parsed on
//! a blocking thread, so that parsing it never holds up the async workers
//! that serve everyone else.
//!
//! While it runs: at most the configured time (`TRAMA_GRAPHQL_TIMEOUT_SECS`),
//! after which the operation is dropped, which cancels its resolvers and
//! rolls back its open transaction, and answers UNAVAILABLE; and nothing
//! that needs the database runs while the database is known to be down
//! (see [`crate::store::health`]).
//!
//! Refusals are BAD_USER_INPUT on `query`, in the request's language.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use async_graphql::extensions::{
    Extension, ExtensionContext, ExtensionFactory, NextExecute, NextPrepareRequest, NextValidation,
};
use async_graphql::parser::types::{ExecutableDocument, Selection, SelectionSet};
use async_graphql::{
    ErrorExtensionValues, Request, Response, ServerError, ServerResult, ValidationResult,
};

use super::RequestLang;
use crate::domain::Lang;
use crate::error::{AppError, ErrorCode, Unavailable};
use crate::state::AppState;

/// Longest GraphQL document, in bytes: the standard introspection query is
/// about 2 KB, the web app's largest query under 1 KB.
pub const MAX_DOCUMENT_BYTES: usize = 32 * 1024;
/// Most aliases in one operation.
pub const MAX_ALIASES: usize = 30;
/// Most root fields in one operation: each starts its own statements.
pub const MAX_ROOT_FIELDS: usize = 15;
/// Most fields in one operation, fragments expanded.
pub const MAX_FIELDS: usize = 1_000;
/// Deepest nesting of an operation's fields (introspection aside).
pub const MAX_DEPTH: usize = 12;
/// Deepest nesting inside `__schema` and `__type`: the standard query
/// reaches 15 (nine `ofType` in a field's argument's type).
pub const MAX_INTROSPECTION_DEPTH: usize = 20;
/// Most type lists nested in one another inside introspection (graphql-js
/// bounds the same fields the same way): the standard query has one.
pub const MAX_INTROSPECTION_LISTS: usize = 2;
/// The introspection fields whose items are types with fields of their
/// own, so that nesting them multiplies the answer.
const INTROSPECTION_LISTS: [&str; 4] = ["fields", "inputFields", "interfaces", "possibleTypes"];
/// Largest cost of an operation (see the module documentation): 100 needs
/// with a dozen fields each fit; 100 needs × 100 members do not.
pub const MAX_COMPLEXITY: usize = 10_000;
/// What a root field adds to the complexity besides its fields.
pub const ROOT_FIELD_COST: usize = 100;
/// Fragments spread within fragments deeper than this are refused (each
/// level is a frame of the measuring walk).
const MAX_FRAGMENT_NESTING: usize = 64;
/// Documents longer than this are parsed on a blocking thread.
const PARSE_INLINE_BYTES: usize = 2 * 1024;

/// Why a document is refused before it runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Refusal {
    TooLong,
    Aliases,
    RootFields,
    Fields,
    Depth,
    Introspection,
    FragmentCycle,
    Complexity(usize),
}

impl Refusal {
    fn message(self, lang: Lang) -> String {
        match (self, lang) {
            (Self::TooLong, Lang::It) => format!(
                "Il documento GraphQL è troppo lungo: al massimo {} KB.",
                MAX_DOCUMENT_BYTES / 1024
            ),
            (Self::TooLong, Lang::En) => format!(
                "The GraphQL document is too long: at most {} KB.",
                MAX_DOCUMENT_BYTES / 1024
            ),
            (Self::Aliases, Lang::It) => {
                format!("La richiesta usa troppi alias: al massimo {MAX_ALIASES}.")
            }
            (Self::Aliases, Lang::En) => {
                format!("The query uses too many aliases: at most {MAX_ALIASES}.")
            }
            (Self::RootFields, Lang::It) => format!(
                "La richiesta chiede troppi campi di primo livello: al massimo {MAX_ROOT_FIELDS}."
            ),
            (Self::RootFields, Lang::En) => format!(
                "The query asks for too many root fields: at most {MAX_ROOT_FIELDS}."
            ),
            (Self::Fields, Lang::It) => format!(
                "La richiesta chiede troppi campi: al massimo {MAX_FIELDS}, frammenti compresi."
            ),
            (Self::Fields, Lang::En) => format!(
                "The query asks for too many fields: at most {MAX_FIELDS}, fragments included."
            ),
            (Self::Depth, Lang::It) => format!(
                "La richiesta è annidata troppo in profondità: al massimo {MAX_DEPTH} livelli."
            ),
            (Self::Depth, Lang::En) => {
                format!("The query is nested too deep: at most {MAX_DEPTH} levels.")
            }
            (Self::Introspection, Lang::It) => {
                "La richiesta di introspezione è annidata troppo in profondità: usa la query di introspezione standard.".to_owned()
            }
            (Self::Introspection, Lang::En) => {
                "The introspection query is nested too deep: use the standard introspection query.".to_owned()
            }
            (Self::FragmentCycle, Lang::It) => {
                "La richiesta contiene frammenti che si richiamano a vicenda.".to_owned()
            }
            (Self::FragmentCycle, Lang::En) => {
                "The query has fragments that spread one another in a cycle.".to_owned()
            }
            (Self::Complexity(cost), Lang::It) => format!(
                "La richiesta è troppo complessa: costa {cost}, al massimo {MAX_COMPLEXITY}. Chiedi meno elementi per pagina o meno campi."
            ),
            (Self::Complexity(cost), Lang::En) => format!(
                "The query is too complex: it costs {cost}, at most {MAX_COMPLEXITY}. Ask for fewer items per page or fewer fields."
            ),
        }
    }

    fn error(self, lang: Lang) -> ServerError {
        let mut extensions = ErrorExtensionValues::default();
        extensions.set("code", ErrorCode::BadUserInput.as_str());
        extensions.set("field", "query");
        let mut error = ServerError::new(self.message(lang), None);
        error.extensions = Some(extensions);
        error
    }
}

/// An UNAVAILABLE error for a whole operation.
fn unavailable(what: Unavailable, lang: Lang) -> ServerError {
    let error = AppError::Unavailable(what);
    let mut extensions = ErrorExtensionValues::default();
    extensions.set("code", error.code().as_str());
    let mut server_error = ServerError::new(error.message(lang), None);
    server_error.extensions = Some(extensions);
    server_error
}

/// The language of the request (Italian unless English was asked for), as
/// an extension sees it.
pub(super) fn lang(ctx: &ExtensionContext<'_>) -> Lang {
    ctx.data_opt::<RequestLang>().map_or(Lang::It, |l| l.0)
}

/// The language of a request being prepared: its own data is not in the
/// context yet.
fn request_lang(ctx: &ExtensionContext<'_>, request: &Request) -> Lang {
    request
        .data
        .get(&std::any::TypeId::of::<RequestLang>())
        .and_then(|data| data.downcast_ref::<RequestLang>())
        .map_or_else(|| lang(ctx), |l| l.0)
}

/// The sizes of a selection set, fragments expanded.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Sizes {
    fields: usize,
    aliases: usize,
    /// Fields at this level (those of fragments spread here included).
    level_fields: usize,
    /// Of those, the meta fields (`__schema`, `__type`, `__typename`).
    level_meta_fields: usize,
    /// Deepest data field.
    depth: usize,
    /// Deepest field inside introspection.
    introspection_depth: usize,
    /// Most [`INTROSPECTION_LISTS`] nested in one another.
    introspection_lists: usize,
}

impl Sizes {
    /// Adds what a fragment spread at this level brings.
    fn merge(&mut self, other: Sizes) {
        self.fields = self.fields.saturating_add(other.fields);
        self.aliases = self.aliases.saturating_add(other.aliases);
        self.level_fields = self.level_fields.saturating_add(other.level_fields);
        self.level_meta_fields = self
            .level_meta_fields
            .saturating_add(other.level_meta_fields);
        self.depth = self.depth.max(other.depth);
        self.introspection_depth = self.introspection_depth.max(other.introspection_depth);
        self.introspection_lists = self.introspection_lists.max(other.introspection_lists);
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Mode {
    Data,
    Introspection,
}

/// Measures selection sets, each fragment once per mode.
struct Measure<'d> {
    document: &'d ExecutableDocument,
    memo: HashMap<(&'d str, Mode), Sizes>,
    visiting: HashSet<&'d str>,
    too_nested: bool,
    cycle: bool,
}

impl<'d> Measure<'d> {
    fn new(document: &'d ExecutableDocument) -> Self {
        Self {
            document,
            memo: HashMap::new(),
            visiting: HashSet::new(),
            too_nested: false,
            cycle: false,
        }
    }

    fn selection_set(&mut self, set: &'d SelectionSet, mode: Mode) -> Sizes {
        let mut sizes = Sizes::default();
        for item in &set.items {
            match &item.node {
                Selection::Field(field) => {
                    let field = &field.node;
                    let name = field.name.node.as_str();
                    let child_mode = if matches!(name, "__schema" | "__type") {
                        Mode::Introspection
                    } else {
                        mode
                    };
                    let child = self.selection_set(&field.selection_set.node, child_mode);
                    sizes.fields = sizes.fields.saturating_add(1).saturating_add(child.fields);
                    sizes.aliases = sizes
                        .aliases
                        .saturating_add(usize::from(field.alias.is_some()))
                        .saturating_add(child.aliases);
                    sizes.level_fields = sizes.level_fields.saturating_add(1);
                    if name.starts_with("__") {
                        sizes.level_meta_fields = sizes.level_meta_fields.saturating_add(1);
                    }
                    match child_mode {
                        Mode::Data => {
                            sizes.depth = sizes.depth.max(child.depth.saturating_add(1));
                            sizes.introspection_depth =
                                sizes.introspection_depth.max(child.introspection_depth);
                            sizes.introspection_lists =
                                sizes.introspection_lists.max(child.introspection_lists);
                        }
                        Mode::Introspection => {
                            sizes.introspection_depth = sizes
                                .introspection_depth
                                .max(child.introspection_depth.saturating_add(1));
                            let list = usize::from(
                                mode == Mode::Introspection && INTROSPECTION_LISTS.contains(&name),
                            );
                            sizes.introspection_lists = sizes
                                .introspection_lists
                                .max(child.introspection_lists.saturating_add(list));
                        }
                    }
                }
                Selection::FragmentSpread(spread) => {
                    let name = spread.node.fragment_name.node.as_str();
                    if let Some(known) = self.memo.get(&(name, mode)) {
                        sizes.merge(*known);
                        continue;
                    }
                    // Unknown fragments are validation's to report.
                    let Some(fragment) = self.document.fragments.get(name) else {
                        continue;
                    };
                    if self.visiting.len() >= MAX_FRAGMENT_NESTING {
                        self.too_nested = true;
                        continue;
                    }
                    if !self.visiting.insert(name) {
                        self.cycle = true;
                        continue;
                    }
                    let measured = self.selection_set(&fragment.node.selection_set.node, mode);
                    self.visiting.remove(name);
                    self.memo.insert((name, mode), measured);
                    sizes.merge(measured);
                }
                Selection::InlineFragment(inline) => {
                    let measured = self.selection_set(&inline.node.selection_set.node, mode);
                    sizes.merge(measured);
                }
            }
        }
        sizes
    }
}

/// What the document's operations add up to: the first limit passed, or
/// the largest root-field count and whether only meta fields are asked.
fn check_document(document: &ExecutableDocument) -> Result<(usize, bool), Refusal> {
    let mut measure = Measure::new(document);
    let mut root_fields = 0;
    let mut meta_only = true;
    for (_, operation) in document.operations.iter() {
        let sizes = measure.selection_set(&operation.node.selection_set.node, Mode::Data);
        if sizes.level_fields > MAX_ROOT_FIELDS {
            return Err(Refusal::RootFields);
        }
        check_sizes(&measure, sizes)?;
        root_fields = root_fields.max(sizes.level_fields);
        meta_only &= sizes.level_fields == sizes.level_meta_fields;
    }
    // Fragments no operation uses are refused by validation, which walks
    // them too: they must be as cheap to walk (their depth does not matter).
    for (name, fragment) in &document.fragments {
        let name = name.as_str();
        if [Mode::Data, Mode::Introspection]
            .iter()
            .any(|mode| measure.memo.contains_key(&(name, *mode)))
        {
            continue;
        }
        measure.visiting.insert(name);
        let sizes = measure.selection_set(&fragment.node.selection_set.node, Mode::Data);
        measure.visiting.remove(name);
        measure.memo.insert((name, Mode::Data), sizes);
        if measure.cycle {
            return Err(Refusal::FragmentCycle);
        }
        if sizes.fields > MAX_FIELDS || sizes.aliases > MAX_ALIASES || measure.too_nested {
            return Err(Refusal::Fields);
        }
    }
    Ok((root_fields, meta_only))
}

fn check_sizes(measure: &Measure<'_>, sizes: Sizes) -> Result<(), Refusal> {
    if measure.cycle {
        return Err(Refusal::FragmentCycle);
    }
    if measure.too_nested || sizes.depth > MAX_DEPTH {
        return Err(Refusal::Depth);
    }
    if sizes.aliases > MAX_ALIASES {
        return Err(Refusal::Aliases);
    }
    if sizes.fields > MAX_FIELDS {
        return Err(Refusal::Fields);
    }
    if sizes.introspection_depth > MAX_INTROSPECTION_DEPTH
        || sizes.introspection_lists > MAX_INTROSPECTION_LISTS
    {
        return Err(Refusal::Introspection);
    }
    Ok(())
}

/// Parses the request's document (unless already parsed) and checks it.
/// Returns what [`check_document`] returns; a document that does not parse
/// is left to async-graphql, which reports it.
fn parse_and_check(request: &mut Request) -> Result<Option<(usize, bool)>, Refusal> {
    match request.parsed_query() {
        Ok(document) => check_document(document).map(Some),
        Err(_) => Ok(None),
    }
}

/// The extension factory: register it first, so that its time bound
/// covers the other extensions' work too.
pub struct Limits;

impl ExtensionFactory for Limits {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(LimitsExtension {
            root_fields: AtomicUsize::new(0),
            meta_only: AtomicBool::new(false),
        })
    }
}

struct LimitsExtension {
    root_fields: AtomicUsize,
    /// Only `__schema`, `__type` and `__typename` are asked: no database
    /// needed.
    meta_only: AtomicBool,
}

#[async_graphql::async_trait::async_trait]
impl Extension for LimitsExtension {
    async fn prepare_request(
        &self,
        ctx: &ExtensionContext<'_>,
        mut request: Request,
        next: NextPrepareRequest<'_>,
    ) -> ServerResult<Request> {
        let lang = request_lang(ctx, &request);
        if request.query.len() > MAX_DOCUMENT_BYTES {
            return Err(Refusal::TooLong.error(lang));
        }
        let checked = if request.query.len() <= PARSE_INLINE_BYTES {
            parse_and_check(&mut request)
        } else {
            // Parsing a long document is CPU work: off the async workers.
            let mut parsing = Request::new(request.query.clone());
            match tokio::task::spawn_blocking(move || {
                let checked = parse_and_check(&mut parsing);
                (parsing, checked)
            })
            .await
            {
                Ok((mut parsed, checked)) => {
                    if let Ok(document) = parsed.parsed_query() {
                        request.set_parsed_query(document.clone());
                    }
                    checked
                }
                Err(_) => parse_and_check(&mut request),
            }
        };
        match checked {
            Ok(Some((root_fields, meta_only))) => {
                self.root_fields.store(root_fields, Ordering::Relaxed);
                self.meta_only.store(meta_only, Ordering::Relaxed);
                // The document is parsed now: an async-graphql bug needs the
                // variables' defaults made explicit (see the module).
                super::variable_defaults::fill_in(&mut request);
            }
            Ok(None) => {}
            Err(refusal) => return Err(refusal.error(lang)),
        }
        next.run(ctx, request).await
    }

    async fn validation(
        &self,
        ctx: &ExtensionContext<'_>,
        next: NextValidation<'_>,
    ) -> Result<ValidationResult, Vec<ServerError>> {
        let result = next.run(ctx).await?;
        let cost = result.complexity.saturating_add(
            self.root_fields
                .load(Ordering::Relaxed)
                .saturating_mul(ROOT_FIELD_COST),
        );
        if cost > MAX_COMPLEXITY {
            return Err(vec![Refusal::Complexity(cost).error(lang(ctx))]);
        }
        Ok(result)
    }

    async fn execute(
        &self,
        ctx: &ExtensionContext<'_>,
        operation_name: Option<&str>,
        next: NextExecute<'_>,
    ) -> Response {
        let Some(state) = ctx.data_opt::<AppState>() else {
            return next.run(ctx, operation_name).await;
        };
        let lang = lang(ctx);
        let needs_database = !self.meta_only.load(Ordering::Relaxed);
        if needs_database && !state.db_health.is_up() {
            return Response::from_errors(vec![unavailable(Unavailable::Database, lang)]);
        }
        let bound = state.settings.graphql_timeout();
        let run = tokio::time::timeout(bound, next.run(ctx, operation_name));
        let database_down = async {
            if needs_database {
                state.db_health.down().await;
            } else {
                std::future::pending::<()>().await;
            }
        };
        // Dropping the operation's future is what cancels it: its pending
        // resolvers stop, its transaction (if open) is rolled back.
        tokio::select! {
            biased;
            outcome = run => outcome.unwrap_or_else(|_| {
                tracing::warn!(operation = operation_name.unwrap_or("(anonymous)"), ?bound, "GraphQL operation stopped: it ran past its time bound");
                Response::from_errors(vec![unavailable(Unavailable::TooSlow, lang)])
            }),
            () = database_down => {
                Response::from_errors(vec![unavailable(Unavailable::Database, lang)])
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `operation`, then fragments F0..F40 on `on`, each spreading the next
    /// twice, the last selecting `leaf`.
    fn doubling(operation: &str, on: &str, leaf: &str) -> String {
        let mut document = format!("{operation}\n");
        for level in 0..40 {
            let next = level + 1;
            document.push_str(&format!(
                "fragment F{level} on {on} {{ ...F{next} ...F{next} }}\n"
            ));
        }
        document.push_str(&format!("fragment F40 on {on} {{ {leaf} }}\n"));
        document
    }

    fn check(query: &str) -> Result<(usize, bool), Refusal> {
        let document = async_graphql::parser::parse_query(query).expect("parses");
        check_document(&document)
    }

    #[test]
    fn aliases_root_fields_and_fields_are_counted_through_fragments() {
        assert_eq!(check("{ a { b } c }"), Ok((2, false)));
        assert_eq!(
            check("{ __schema { types { name } } __typename }"),
            Ok((2, true))
        );
        let aliases: String = (0..=MAX_ALIASES).map(|i| format!("a{i}: x ")).collect();
        assert_eq!(
            check(&format!("{{ y {{ {aliases} }} }}")),
            Err(Refusal::Aliases)
        );
        let roots: String = (0..=MAX_ROOT_FIELDS).map(|i| format!("f{i} ")).collect();
        assert_eq!(check(&format!("{{ {roots} }}")), Err(Refusal::RootFields));
        // Root fields brought by a fragment count as root fields.
        assert_eq!(
            check(&format!("{{ ...F }} fragment F on Query {{ {roots} }}")),
            Err(Refusal::RootFields)
        );
        // A fragment that doubles at each level: 2^40 fields, measured
        // without expanding it; at the root, and inside a field.
        assert_eq!(
            check(&doubling("{ ...F0 }", "Query", "x")),
            Err(Refusal::RootFields)
        );
        assert_eq!(
            check(&doubling("{ x { ...F0 } }", "X", "y")),
            Err(Refusal::Fields)
        );
        // A cycle is refused, without looping.
        assert_eq!(
            check("{ ...A } fragment A on Query { x ...B } fragment B on Query { ...A ...A }"),
            Err(Refusal::FragmentCycle)
        );
        // An unused fragment is walked too.
        assert_eq!(
            check(&doubling("{ x }", "Query", "x")),
            Err(Refusal::Fields)
        );
    }

    #[test]
    fn depth_is_bounded_and_introspection_has_its_own_bound() {
        let mut deep = String::from("x");
        for _ in 0..MAX_DEPTH {
            deep = format!("x {{ {deep} }}");
        }
        assert_eq!(check(&format!("{{ {deep} }}")), Err(Refusal::Depth));
        let standard = include_str!("../../tests/fixtures/graphql/introspection.graphql");
        assert_eq!(check(standard), Ok((1, true)));
        let all_options =
            include_str!("../../tests/fixtures/graphql/introspection-all-options.graphql");
        assert_eq!(check(all_options), Ok((1, true)));
        assert_eq!(
            check(
                "{ __schema { types { fields { type { fields { type { fields { name } } } } } } } }"
            ),
            Err(Refusal::Introspection)
        );
    }
}
