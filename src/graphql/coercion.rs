//! Coercion errors: a value that does not fit its GraphQL type (a `Cents`
//! written "25000,50", a date that does not exist, a value outside an enum,
//! a required input field left out, an unknown one), inline in the document
//! or in a variable, explained like every other bad input (see the policy in
//! [`crate::error`]): code `BAD_USER_INPUT`, the `field` path inside the
//! argument as the services name it (`budgetCents`, `contacts[0].kind`,
//! `filter.amountMin`: the `input` argument of a form is left out), every
//! problem in `fields`, and a message in the request's language with the
//! field's label, never the GraphQL type's name.
//!
//! async-graphql finds these problems in two places, and [`CoercionErrors`]
//! hooks into both:
//! - validation, for the types that check values before execution (enums,
//!   `Int`, `Cents`...): its English message names the argument path and
//!   the reason, and the value is found again in the document;
//! - execution, when a resolver parses its arguments (the chrono scalars
//!   `DateTime` and `NaiveDate` accept any text until then): the error has
//!   no path inside the argument, so the field's arguments are walked
//!   against the schema to find the value that does not fit.

use std::sync::{Arc, OnceLock};

use async_graphql::extensions::{
    Extension, ExtensionContext, ExtensionFactory, NextParseQuery, NextResolve, NextValidation,
    ResolveInfo,
};
use async_graphql::parser::types::{ExecutableDocument, Selection, SelectionSet};
use async_graphql::registry::{MetaType, MetaTypeName, Registry};
use async_graphql::{
    ID, Name, Pos, ScalarType, ServerError, ServerResult, ValidationResult, Value, Variables,
};
use chrono::{DateTime, NaiveDate, Utc};

use super::error::bad_input_extensions;
use super::limits::lang;
use super::types::Cents;
use crate::domain::error::unknown_value;
use crate::domain::{Format, Invalid, Lang};
use crate::error::labelled;

/// Why a value does not fit.
#[derive(Clone, Debug, PartialEq)]
enum Problem {
    /// Required, or a value of the wrong shape.
    Invalid(Invalid),
    /// Not one of an enum's values (the API's names, listed).
    UnknownValue(Vec<String>),
    /// An input field the type does not have.
    UnknownField,
}

impl Problem {
    fn code(&self) -> &'static str {
        match self {
            Self::Invalid(reason) => reason.code(),
            Self::UnknownValue(_) => "unknown_value",
            Self::UnknownField => "unknown_field",
        }
    }

    fn message(&self, lang: Lang) -> String {
        match (self, lang) {
            (Self::Invalid(reason), _) => reason.message(lang),
            (Self::UnknownValue(allowed), _) => unknown_value(allowed, lang),
            (Self::UnknownField, Lang::It) => "Campo non previsto qui".to_owned(),
            (Self::UnknownField, Lang::En) => "There is no such field here".to_owned(),
        }
    }
}

/// One step of a path inside an argument.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Step {
    Name(String),
    Index(usize),
}

/// The path as the services name fields: `contacts[0].kind`; a form's
/// `input` argument is left out, any other argument stays
/// (`filter.amountMin`, `from.lat`).
fn field_path(steps: &[Step]) -> String {
    let steps = match steps.first() {
        Some(Step::Name(name)) if name == "input" && steps.len() > 1 => &steps[1..],
        _ => steps,
    };
    let mut path = String::new();
    for step in steps {
        match step {
            Step::Name(name) => {
                if !path.is_empty() {
                    path.push('.');
                }
                path.push_str(name);
            }
            Step::Index(index) => path.push_str(&format!("[{index}]")),
        }
    }
    path
}

/// The shape a scalar expects, for the reason of a refusal.
fn format_of(scalar: &str) -> Format {
    match scalar {
        "Cents" => Format::Cents,
        "Int" => Format::WholeNumber,
        "Float" => Format::Number,
        "Boolean" => Format::Boolean,
        "ID" => Format::Uuid,
        "DateTime" => Format::DateTime,
        "NaiveDate" => Format::Date,
        _ => Format::Text,
    }
}

/// Whether `value` parses as the scalar `name` (unknown scalars pass).
fn scalar_fits(name: &str, value: &Value) -> bool {
    fn parses<T: ScalarType>(value: &Value) -> bool {
        T::parse(value.clone()).is_ok()
    }
    match name {
        "Cents" => parses::<Cents>(value),
        "Int" => parses::<i32>(value),
        "Float" => parses::<f64>(value),
        "String" => parses::<String>(value),
        "Boolean" => parses::<bool>(value),
        "ID" => parses::<ID>(value),
        "DateTime" => parses::<DateTime<Utc>>(value),
        "NaiveDate" => parses::<NaiveDate>(value),
        _ => true,
    }
}

/// Why a non-null `value` does not fit the named type `name`, if it does
/// not.
fn named_problem(registry: &Registry, name: &str, value: &Value) -> Option<Problem> {
    match registry.types.get(name)? {
        MetaType::Scalar { .. } => (!scalar_fits(name, value)).then(|| {
            Problem::Invalid(Invalid::BadFormat {
                expected: format_of(name),
            })
        }),
        MetaType::Enum { enum_values, .. } => {
            let known = match value {
                Value::Enum(v) => enum_values.contains_key(v.as_str()),
                Value::String(v) => enum_values.contains_key(v.as_str()),
                _ => false,
            };
            (!known).then(|| Problem::UnknownValue(enum_values.keys().cloned().collect()))
        }
        MetaType::InputObject { .. } if !matches!(value, Value::Object(_)) => {
            Some(Problem::Invalid(Invalid::BadFormat {
                expected: Format::Object,
            }))
        }
        _ => None,
    }
}

/// The first value inside `value` that does not fit the type `ty`, with its
/// path appended to `path`; `None` when everything fits.
fn find_problem(
    registry: &Registry,
    ty: &str,
    value: &Value,
    path: &mut Vec<Step>,
) -> Option<Problem> {
    match MetaTypeName::create(ty) {
        MetaTypeName::NonNull(inner) => match value {
            Value::Null => Some(Problem::Invalid(Invalid::Required)),
            _ => find_problem(registry, inner, value, path),
        },
        MetaTypeName::List(inner) => match value {
            Value::List(items) => items.iter().enumerate().find_map(|(index, item)| {
                path.push(Step::Index(index));
                let found = find_problem(registry, inner, item, path);
                if found.is_none() {
                    path.pop();
                }
                found
            }),
            Value::Null => None,
            // A single value stands for a list of one.
            single => find_problem(registry, inner, single, path),
        },
        MetaTypeName::Named(name) => {
            if *value == Value::Null {
                return None;
            }
            if let (Some(MetaType::InputObject { input_fields, .. }), Value::Object(fields)) =
                (registry.types.get(name), value)
            {
                for field in input_fields.values() {
                    path.push(Step::Name(field.name.clone()));
                    let found = match fields.get(field.name.as_str()) {
                        Some(value) => find_problem(registry, &field.ty, value, path),
                        None => (MetaTypeName::create(&field.ty).is_non_null()
                            && field.default_value.is_none())
                        .then_some(Problem::Invalid(Invalid::Required)),
                    };
                    if found.is_some() {
                        return found;
                    }
                    path.pop();
                }
                let unknown = fields
                    .keys()
                    .find(|key| !input_fields.contains_key(key.as_str()))?;
                path.push(Step::Name(unknown.to_string()));
                return Some(Problem::UnknownField);
            }
            named_problem(registry, name, value)
        }
    }
}

/// A refused value as the client gets it.
fn coercion_error(
    lang: Lang,
    path: &[Step],
    problem: &Problem,
    locations: Vec<Pos>,
) -> ServerError {
    let field = field_path(path);
    let reason = problem.message(lang);
    let mut error = ServerError::new(labelled(&field, &reason, lang), None);
    error.locations = locations;
    error.extensions = Some(bad_input_extensions(&[(field, problem.code(), reason)]));
    error
}

/// A value refused where it cannot be pinned to a field.
fn unplaced_error(
    lang: Lang,
    locations: Vec<Pos>,
    path: Vec<async_graphql::PathSegment>,
) -> ServerError {
    let reason = match lang {
        Lang::It => "Un valore inviato non è nella forma attesa",
        Lang::En => "A value sent does not have the expected form",
    };
    let mut error = ServerError::new(reason, None);
    error.locations = locations;
    error.path = path;
    error.extensions = Some(bad_input_extensions(&[]));
    error
}

/// Whether an error is async-graphql's own report of a value that did not
/// parse (the API's errors always carry a code).
fn is_parse_failure(error: &ServerError) -> bool {
    let coded = error
        .extensions
        .as_ref()
        .is_some_and(|e| e.get("code").is_some());
    !coded
        && (error.message.starts_with("Failed to parse \"")
            || error.message.starts_with("Expected input type \""))
}

/// What async-graphql's validation says about an argument's value.
#[derive(Debug, PartialEq)]
enum Reported {
    /// `expected type "T"`: a null for a non-null, or a value of another
    /// type, at the path.
    ExpectedType(String),
    /// `enumeration type "E" does not contain the value "V"`.
    NotInEnum(String),
    /// `field "F" of type "T" is required but not provided`.
    MissingField(String),
    /// `unknown field "F" of type "T"`.
    UnknownField(String),
}

/// The text between the first pair of double quotes after `prefix`.
fn quoted_after<'a>(text: &'a str, prefix: &str) -> Option<&'a str> {
    let rest = text.strip_prefix(prefix)?.strip_prefix('"')?;
    rest.split_once('"').map(|(quoted, _)| quoted)
}

/// Reads `Invalid value for argument "PATH", REASON` (the argument checks of
/// async-graphql 7's validation): the path inside the argument and what was
/// wrong.
fn parse_argument_report(message: &str) -> Option<(Vec<Step>, Reported)> {
    let rest = message.strip_prefix("Invalid value for argument \"")?;
    let (path, reason) = rest.split_once("\", ")?;
    let steps = path
        .split('.')
        .map(|s| match s.parse::<usize>() {
            Ok(index) => Step::Index(index),
            Err(_) => Step::Name(s.to_owned()),
        })
        .collect();
    let reported = if let Some(ty) = quoted_after(reason, "expected type ") {
        Reported::ExpectedType(ty.to_owned())
    } else if let Some(ty) = quoted_after(reason, "enumeration type ") {
        Reported::NotInEnum(ty.to_owned())
    } else if let Some(field) = quoted_after(reason, "field ") {
        if reason.ends_with("is required but not provided") {
            Reported::MissingField(field.to_owned())
        } else {
            return None;
        }
    } else {
        Reported::UnknownField(quoted_after(reason, "unknown field ")?.to_owned())
    };
    Some((steps, reported))
}

/// The value of the argument named at `pos` (the argument's name), with
/// the variables put in.
fn argument_at(document: &ExecutableDocument, variables: &Variables, pos: Pos) -> Option<Value> {
    fn arguments_in(set: &SelectionSet, pos: Pos) -> Option<&async_graphql::parser::types::Field> {
        set.items
            .iter()
            .find_map(|selection| match &selection.node {
                Selection::Field(field) => field
                    .node
                    .arguments
                    .iter()
                    .any(|(name, _)| name.pos == pos)
                    .then_some(&field.node)
                    .or_else(|| arguments_in(&field.node.selection_set.node, pos)),
                Selection::InlineFragment(fragment) => {
                    arguments_in(&fragment.node.selection_set.node, pos)
                }
                Selection::FragmentSpread(_) => None,
            })
    }
    let sets = document
        .operations
        .iter()
        .map(|(_, op)| &op.node.selection_set.node)
        .chain(
            document
                .fragments
                .values()
                .map(|fragment| &fragment.node.selection_set.node),
        );
    let field = sets.into_iter().find_map(|set| arguments_in(set, pos))?;
    let (_, value) = field.arguments.iter().find(|(name, _)| name.pos == pos)?;
    value
        .node
        .clone()
        .into_const_with(|name: Name| variables.get(&name).cloned().ok_or(()))
        .ok()
}

/// The value at `steps` (after the argument's name) inside `value`.
fn value_at<'a>(value: &'a Value, steps: &[Step]) -> Option<&'a Value> {
    steps
        .iter()
        .try_fold(value, |value, step| match (value, step) {
            (Value::Object(fields), Step::Name(name)) => fields.get(name.as_str()),
            (Value::List(items), Step::Index(index)) => items.get(*index),
            _ => None,
        })
}

/// What the client sent, kept from parsing for the hooks that explain a
/// refusal.
struct Sent {
    query: String,
    variables: Variables,
}

/// The extension: see the module's notes.
pub struct CoercionErrors;

impl ExtensionFactory for CoercionErrors {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(CoercionExtension {
            sent: OnceLock::new(),
        })
    }
}

struct CoercionExtension {
    sent: OnceLock<Sent>,
}

impl CoercionExtension {
    /// Explains the argument reports of validation; the same value's
    /// failure as seen by the complexity count is then left out.
    fn explain_validation(
        &self,
        registry: &Registry,
        lang: Lang,
        errors: Vec<ServerError>,
    ) -> Vec<ServerError> {
        let document = self
            .sent
            .get()
            .and_then(|sent| async_graphql::parser::parse_query(&sent.query).ok());
        let mut explained = Vec::with_capacity(errors.len());
        let mut any_argument = false;
        let mut failures = Vec::new();
        for error in errors {
            let Some((steps, reported)) = parse_argument_report(&error.message) else {
                if is_parse_failure(&error) {
                    failures.push(error);
                } else {
                    explained.push(error);
                }
                continue;
            };
            any_argument = true;
            let (steps, problem) = match reported {
                Reported::ExpectedType(ty) => {
                    let sent = document
                        .as_ref()
                        .zip(self.sent.get())
                        .and_then(|(doc, sent)| {
                            let argument =
                                argument_at(doc, &sent.variables, *error.locations.first()?)?;
                            value_at(&argument, steps.get(1..)?).cloned()
                        });
                    let problem = match sent {
                        Some(Value::Null) => Problem::Invalid(Invalid::Required),
                        Some(value) => named_problem(registry, &ty, &value).unwrap_or(
                            Problem::Invalid(Invalid::BadFormat {
                                expected: format_of(&ty),
                            }),
                        ),
                        None => Problem::Invalid(Invalid::BadFormat {
                            expected: format_of(&ty),
                        }),
                    };
                    (steps, problem)
                }
                Reported::NotInEnum(ty) => {
                    let allowed = match registry.types.get(ty.as_str()) {
                        Some(MetaType::Enum { enum_values, .. }) => {
                            enum_values.keys().cloned().collect()
                        }
                        _ => Vec::new(),
                    };
                    (steps, Problem::UnknownValue(allowed))
                }
                Reported::MissingField(field) => {
                    let mut steps = steps;
                    steps.push(Step::Name(field));
                    (steps, Problem::Invalid(Invalid::Required))
                }
                Reported::UnknownField(field) => {
                    let mut steps = steps;
                    steps.push(Step::Name(field));
                    (steps, Problem::UnknownField)
                }
            };
            explained.push(coercion_error(lang, &steps, &problem, error.locations));
        }
        // A value the argument checks refused also fails the complexity
        // count, which says so without a path: once is enough.
        if !any_argument {
            explained.extend(
                failures
                    .into_iter()
                    .map(|e| unplaced_error(lang, e.locations, e.path)),
            );
        }
        explained
    }

    /// Explains an argument that failed to parse in a resolver, by finding
    /// the value that does not fit among the field's arguments.
    fn explain_resolve(
        &self,
        registry: &Registry,
        lang: Lang,
        parent_type: &str,
        field: &async_graphql::parser::types::Field,
        error: ServerError,
    ) -> ServerError {
        let declared = registry
            .types
            .get(parent_type)
            .and_then(|ty| ty.field_by_name(field.name.node.as_str()))
            .map(|meta| &meta.args);
        let variables = self.sent.get().map(|sent| &sent.variables);
        let found = declared.and_then(|declared| {
            field.arguments.iter().find_map(|(name, value)| {
                let meta = declared.get(name.node.as_str())?;
                let value = value
                    .node
                    .clone()
                    .into_const_with(|var: Name| {
                        variables.and_then(|v| v.get(&var).cloned()).ok_or(())
                    })
                    .unwrap_or(Value::Null);
                let mut path = vec![Step::Name(name.node.to_string())];
                find_problem(registry, &meta.ty, &value, &mut path).map(|p| (path, p, name.pos))
            })
        });
        match found {
            Some((path, problem, pos)) => {
                let mut explained = coercion_error(lang, &path, &problem, vec![pos]);
                explained.path = error.path;
                explained
            }
            None => unplaced_error(lang, error.locations, error.path),
        }
    }
}

#[async_graphql::async_trait::async_trait]
impl Extension for CoercionExtension {
    async fn parse_query(
        &self,
        ctx: &ExtensionContext<'_>,
        query: &str,
        variables: &Variables,
        next: NextParseQuery<'_>,
    ) -> ServerResult<ExecutableDocument> {
        let document = next.run(ctx, query, variables).await?;
        let _ = self.sent.set(Sent {
            query: query.to_owned(),
            variables: variables.clone(),
        });
        Ok(document)
    }

    async fn validation(
        &self,
        ctx: &ExtensionContext<'_>,
        next: NextValidation<'_>,
    ) -> Result<ValidationResult, Vec<ServerError>> {
        next.run(ctx)
            .await
            .map_err(|errors| self.explain_validation(&ctx.schema_env.registry, lang(ctx), errors))
    }

    async fn resolve(
        &self,
        ctx: &ExtensionContext<'_>,
        info: ResolveInfo<'_>,
        next: NextResolve<'_>,
    ) -> ServerResult<Option<Value>> {
        let (parent_type, field) = (info.parent_type, info.field);
        match next.run(ctx, info).await {
            Err(error) if is_parse_failure(&error) => Err(self.explain_resolve(
                &ctx.schema_env.registry,
                lang(ctx),
                parent_type,
                field,
                error,
            )),
            other => other,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_read_as_the_services_name_fields() {
        let steps = |items: &[&str]| -> Vec<Step> {
            items
                .iter()
                .map(|s| match s.parse::<usize>() {
                    Ok(i) => Step::Index(i),
                    Err(_) => Step::Name((*s).to_owned()),
                })
                .collect()
        };
        assert_eq!(field_path(&steps(&["input", "budgetCents"])), "budgetCents");
        assert_eq!(
            field_path(&steps(&["input", "contacts", "0", "kind"])),
            "contacts[0].kind"
        );
        assert_eq!(
            field_path(&steps(&["filter", "amountMin"])),
            "filter.amountMin"
        );
        assert_eq!(field_path(&steps(&["input"])), "input");
        assert_eq!(field_path(&steps(&["first"])), "first");
    }

    #[test]
    fn validation_reports_are_read() {
        assert_eq!(
            parse_argument_report(
                "Invalid value for argument \"input.budgetCents\", expected type \"Cents\""
            ),
            Some((
                vec![Step::Name("input".into()), Step::Name("budgetCents".into())],
                Reported::ExpectedType("Cents".into())
            ))
        );
        assert_eq!(
            parse_argument_report(
                "Invalid value for argument \"input.contacts.1.kind\", enumeration type \"ContactKind\" does not contain the value \"FAX\""
            )
            .map(|(steps, reported)| (field_path(&steps), reported)),
            Some(("contacts[1].kind".into(), Reported::NotInEnum("ContactKind".into())))
        );
        assert_eq!(
            parse_argument_report(
                "Invalid value for argument \"input\", field \"title\" of type \"String!\" is required but not provided"
            )
            .map(|(_, reported)| reported),
            Some(Reported::MissingField("title".into()))
        );
        assert_eq!(
            parse_argument_report(
                "Invalid value for argument \"filter\", unknown field \"colour\" of type \"SearchFilter\""
            )
            .map(|(_, reported)| reported),
            Some(Reported::UnknownField("colour".into()))
        );
        assert_eq!(parse_argument_report("Unknown field \"x\""), None);
    }

    #[test]
    fn the_walker_finds_the_value_that_does_not_fit() {
        let mut registry = Registry::default();
        <super::super::inputs::NeedInput as async_graphql::InputType>::create_type_info(
            &mut registry,
        );
        let registry = &registry;
        let input = Value::from_json(serde_json::json!({
            "kind": "SOCIAL_CONCIERGE",
            "title": "Portierato",
            "deadlineAt": "31/12/2026",
        }))
        .expect("a value");
        let mut path = vec![Step::Name("input".into())];
        let problem = find_problem(registry, "NeedInput!", &input, &mut path);
        assert_eq!(field_path(&path), "deadlineAt");
        assert_eq!(
            problem,
            Some(Problem::Invalid(Invalid::BadFormat {
                expected: Format::DateTime
            }))
        );
    }

    #[test]
    fn every_argument_and_input_field_has_a_label() {
        let sdl = super::super::sdl();
        let document = async_graphql::parser::parse_schema(&sdl).expect("the SDL parses");
        let mut missing = std::collections::BTreeSet::new();
        let mut check = |name: &str| {
            if !crate::domain::labels::has_label(name) {
                missing.insert(name.to_owned());
            }
        };
        use async_graphql::parser::types::{TypeKind, TypeSystemDefinition};
        for definition in &document.definitions {
            match definition {
                TypeSystemDefinition::Type(ty) => match &ty.node.kind {
                    TypeKind::InputObject(input) => {
                        for field in &input.fields {
                            check(field.node.name.node.as_str());
                        }
                    }
                    TypeKind::Object(object) => {
                        for field in &object.fields {
                            for argument in &field.node.arguments {
                                check(argument.node.name.node.as_str());
                            }
                        }
                    }
                    _ => {}
                },
                TypeSystemDefinition::Directive(directive) => {
                    for argument in &directive.node.arguments {
                        check(argument.node.name.node.as_str());
                    }
                }
                TypeSystemDefinition::Schema(_) => {}
            }
        }
        assert!(
            missing.is_empty(),
            "give these API names a label in src/domain/labels.rs: {missing:?}"
        );
    }
}
