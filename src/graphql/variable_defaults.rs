//! Default values of an operation's variables, made explicit before the
//! request runs, so that `@include(if: $v)` and `@skip(if: $v)` see them.
//!
//! async-graphql 7.2.1 removes skipped selections before execution looking
//! only at the variables the client sent (`remove_skipped_selection` in its
//! `schema.rs`): a variable left out falls back to `false`, not to the
//! default the operation declares, so `query Q($withX: Boolean = true)
//! { x @include(if: $withX) }` without variables leaves `x` out. Execution
//! itself does use the defaults, so only the directives went wrong.
//! Upstream: <https://github.com/async-graphql/async-graphql/pull/1827>
//! (open when this was written); remove this module once a release with
//! the fix is in `Cargo.lock` (the API test
//! `default_variable_values_decide_include_and_skip` keeps checking it).
//!
//! Called by [`super::limits`], which has just parsed the document (so it
//! is not parsed twice): both transports, HTTP and WebSocket, go through it.

use async_graphql::Request;
use async_graphql::parser::types::DocumentOperations;

/// Adds to the request's variables the declared default of every variable
/// of the operation to run that the client left out. A variable the client
/// sent, even as `null`, is kept as sent. Nothing changes when the
/// document does not parse or the operation to run cannot be told (the
/// schema reports those).
pub(super) fn fill_in(request: &mut Request) {
    let operation_name = request.operation_name.clone();
    let Ok(document) = request.parsed_query() else {
        return;
    };
    let operation = match (&document.operations, operation_name) {
        (DocumentOperations::Single(operation), _) => Some(operation),
        (DocumentOperations::Multiple(operations), Some(name)) => operations
            .iter()
            .find(|(op_name, _)| op_name.as_str() == name)
            .map(|(_, operation)| operation),
        (DocumentOperations::Multiple(operations), None) if operations.len() == 1 => {
            operations.values().next()
        }
        (DocumentOperations::Multiple(_), None) => None,
    };
    let Some(operation) = operation else {
        return;
    };
    let defaults: Vec<_> = operation
        .node
        .variable_definitions
        .iter()
        .filter_map(|definition| {
            // The declared default only (`default_value()` would also give
            // null to every nullable variable, which changes nothing).
            let default = definition.node.default_value.as_ref()?;
            Some((definition.node.name.node.clone(), default.node.clone()))
        })
        .collect();
    for (name, default) in defaults {
        request.variables.entry(name).or_insert(default);
    }
}

#[cfg(test)]
mod tests {
    use async_graphql::{Name, Value, Variables};
    use serde_json::json;

    use super::*;

    fn filled(query: &str, operation: Option<&str>, sent: serde_json::Value) -> Variables {
        let mut request = Request::new(query).variables(Variables::from_json(sent));
        if let Some(operation) = operation {
            request = request.operation_name(operation);
        }
        fill_in(&mut request);
        request.variables
    }

    #[test]
    fn left_out_variables_take_their_default_and_sent_ones_stay() {
        let query =
            "query Q($a: Boolean = true, $b: Boolean = false, $c: Boolean, $d: Int = 3) { x }";
        let variables = filled(query, None, json!({ "b": true, "d": null }));
        assert_eq!(variables.get(&Name::new("a")), Some(&Value::Boolean(true)));
        assert_eq!(variables.get(&Name::new("b")), Some(&Value::Boolean(true)));
        assert_eq!(variables.get(&Name::new("c")), None);
        assert_eq!(variables.get(&Name::new("d")), Some(&Value::Null));
    }

    #[test]
    fn only_the_operation_to_run_gives_its_defaults() {
        let query = "query A($a: Boolean = true) { x } query B($b: Boolean = true) { x }";
        let variables = filled(query, Some("B"), json!({}));
        assert_eq!(variables.get(&Name::new("a")), None);
        assert_eq!(variables.get(&Name::new("b")), Some(&Value::Boolean(true)));
        // Without a name the operation cannot be told: nothing is added.
        assert!(filled(query, None, json!({})).is_empty());
        // A document that does not parse is left to the schema.
        assert!(filled("query Q($a: Boolean = true) {", None, json!({})).is_empty());
    }
}
