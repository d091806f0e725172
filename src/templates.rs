//! The template engine (minijinja) and every template Trama renders: the
//! e-mails (`templates/mail/`), the pages the server builds itself
//! (`templates/pages/`) and the copy of the PDFs it writes (`templates/pdf/`),
//! embedded in the binary when it is compiled.
//!
//! Templates named `*.html` escape every value they print (autoescaping);
//! `*.txt` templates (plain-text e-mail parts, subjects, copy) print values
//! as they are. The copy, in Italian and English, lives in the templates
//! under `it/` and `en/`; Rust only prepares the data.
//!
//! A template is code: one that does not parse or render is a bug, found by
//! the tests, which render every template in both languages
//! (`mail::templates`, `mail::digest`, `http::digests`, `codesign::pdf`,
//! with snapshots).
//! Rendering therefore does not return errors to its callers.

use std::sync::LazyLock;

use minijinja::syntax::SyntaxConfig;
use minijinja::{AutoEscape, Environment, Output, State, UndefinedBehavior, Value};

/// Every template, by the name templates and Rust use for it.
const TEMPLATES: &[(&str, &str)] = &[
    (
        "mail/layout.html",
        include_str!("../templates/mail/layout.html"),
    ),
    (
        "mail/account.html",
        include_str!("../templates/mail/account.html"),
    ),
    (
        "mail/account.txt",
        include_str!("../templates/mail/account.txt"),
    ),
    (
        "mail/digest.html",
        include_str!("../templates/mail/digest.html"),
    ),
    (
        "mail/digest.txt",
        include_str!("../templates/mail/digest.txt"),
    ),
    (
        "mail/it/words.txt",
        include_str!("../templates/mail/it/words.txt"),
    ),
    (
        "mail/en/words.txt",
        include_str!("../templates/mail/en/words.txt"),
    ),
    (
        "mail/it/digest.txt",
        include_str!("../templates/mail/it/digest.txt"),
    ),
    (
        "mail/en/digest.txt",
        include_str!("../templates/mail/en/digest.txt"),
    ),
    (
        "mail/it/verify_email.txt",
        include_str!("../templates/mail/it/verify_email.txt"),
    ),
    (
        "mail/en/verify_email.txt",
        include_str!("../templates/mail/en/verify_email.txt"),
    ),
    (
        "mail/it/reset_password.txt",
        include_str!("../templates/mail/it/reset_password.txt"),
    ),
    (
        "mail/en/reset_password.txt",
        include_str!("../templates/mail/en/reset_password.txt"),
    ),
    (
        "mail/it/invitation.txt",
        include_str!("../templates/mail/it/invitation.txt"),
    ),
    (
        "mail/en/invitation.txt",
        include_str!("../templates/mail/en/invitation.txt"),
    ),
    (
        "mail/it/claim_confirmation.txt",
        include_str!("../templates/mail/it/claim_confirmation.txt"),
    ),
    (
        "mail/en/claim_confirmation.txt",
        include_str!("../templates/mail/en/claim_confirmation.txt"),
    ),
    (
        "mail/it/join_request.txt",
        include_str!("../templates/mail/it/join_request.txt"),
    ),
    (
        "mail/en/join_request.txt",
        include_str!("../templates/mail/en/join_request.txt"),
    ),
    (
        "mail/it/request_decided.txt",
        include_str!("../templates/mail/it/request_decided.txt"),
    ),
    (
        "mail/en/request_decided.txt",
        include_str!("../templates/mail/en/request_decided.txt"),
    ),
    (
        "mail/it/partnership_proposal.txt",
        include_str!("../templates/mail/it/partnership_proposal.txt"),
    ),
    (
        "mail/en/partnership_proposal.txt",
        include_str!("../templates/mail/en/partnership_proposal.txt"),
    ),
    (
        "pages/digest.html",
        include_str!("../templates/pages/digest.html"),
    ),
    (
        "pages/it/digest.txt",
        include_str!("../templates/pages/it/digest.txt"),
    ),
    (
        "pages/en/digest.txt",
        include_str!("../templates/pages/en/digest.txt"),
    ),
    (
        "pdf/it/pact.txt",
        include_str!("../templates/pdf/it/pact.txt"),
    ),
    (
        "pdf/en/pact.txt",
        include_str!("../templates/pdf/en/pact.txt"),
    ),
];

static ENVIRONMENT: LazyLock<Environment<'static>> = LazyLock::new(environment);

fn environment() -> Environment<'static> {
    let mut env = Environment::new();
    // Block tags on lines of their own leave no blank lines behind, and a
    // template's last newline is kept: the text parts end with one.
    let syntax = SyntaxConfig::builder()
        .trim_blocks(true)
        .lstrip_blocks(true)
        .keep_trailing_newline(true)
        .build()
        .expect("the default delimiters are valid");
    env.set_syntax(syntax);
    // A misspelt variable is an error (a test fails), not an empty string
    // in an e-mail.
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    env.set_formatter(format);
    for (name, source) in TEMPLATES {
        if let Err(error) = env.add_template(name, source) {
            panic!("template {name} does not parse: {error:#}");
        }
    }
    env
}

/// Prints a value. minijinja's own HTML escaping also escapes `/` (as
/// `&#x2f;`), which makes every link of an e-mail unreadable in its source;
/// this escapes the five characters that matter in text and quoted
/// attributes ([`escape_html_into`]).
fn format(out: &mut Output, state: &mut State, value: &Value) -> Result<(), minijinja::Error> {
    if matches!(state.auto_escape(), AutoEscape::Html) && !value.is_safe() {
        escape_html_into(&value.to_string(), out).map_err(minijinja::Error::from)
    } else {
        minijinja::escape_formatter(out, state, value)
    }
}

/// Renders the template `name` with `context`.
///
/// Panics when the template fails to render: templates are code, and the
/// tests render each one (see the module documentation).
pub fn render(name: &str, context: Value) -> String {
    ENVIRONMENT
        .get_template(name)
        .and_then(|template| template.render(context))
        .unwrap_or_else(|error| panic!("template {name} does not render: {error:#}"))
}

/// A template evaluated once, whose blocks and macros are then rendered one
/// by one: how Rust reads the parts (subject, paragraphs...) of a copy
/// template.
pub struct Evaluated {
    name: String,
    captured: minijinja::Captured<'static>,
}

impl Evaluated {
    /// Evaluates the template `name` with `context`. Panics like [`render`].
    pub fn new(name: &str, context: Value) -> Self {
        let captured = ENVIRONMENT
            .get_template(name)
            .and_then(|template| template.render_captured(context))
            .unwrap_or_else(|error| panic!("template {name} does not render: {error:#}"));
        Self {
            name: name.to_owned(),
            captured,
        }
    }

    /// The block `block`, or an empty string when the template has none.
    pub fn block(&mut self, block: &str) -> String {
        let name = &self.name;
        self.captured
            .with_state_mut(|state| match state.render_block(block) {
                Ok(text) => text,
                Err(error) if error.kind() == minijinja::ErrorKind::UnknownBlock => String::new(),
                Err(error) => panic!("block {block} of {name} does not render: {error:#}"),
            })
    }

    /// The output of the template's macro `name` called with `args`.
    pub fn call(&mut self, name: &str, args: &[Value]) -> String {
        let template = &self.name;
        self.captured
            .with_state_mut(|state| state.call_macro(name, args))
            .unwrap_or_else(|error| panic!("macro {name} of {template} fails: {error:#}"))
    }
}

/// The paragraphs of a copy block: separated by blank lines, each on one
/// line (a template may wrap its text as it likes).
pub fn paragraphs(block: &str) -> Vec<String> {
    block
        .split("\n\n")
        .map(one_line)
        .filter(|paragraph| !paragraph.is_empty())
        .collect()
}

/// `raw` on one line and trimmed: line breaks, other control characters and
/// runs of spaces become one space. Names come from people; this keeps them
/// from breaking a subject line or the text layout.
pub fn one_line(raw: &str) -> String {
    raw.split(char::is_control)
        .flat_map(str::split_whitespace)
        .collect::<Vec<_>>()
        .join(" ")
}

/// Escapes the five characters that matter in HTML text and in quoted
/// attribute values (`&`, `<`, `>`, `"`, `'`) into `out`. The templates'
/// autoescaping and the search highlights use it.
pub fn escape_html_into(raw: &str, out: &mut impl std::fmt::Write) -> std::fmt::Result {
    let mut rest = raw;
    while let Some(at) = rest.find(['&', '<', '>', '"', '\'']) {
        out.write_str(&rest[..at])?;
        out.write_str(match rest.as_bytes()[at] {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'"' => "&quot;",
            _ => "&#39;",
        })?;
        rest = &rest[at + 1..];
    }
    out.write_str(rest)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_the_five_special_characters() {
        let mut out = String::new();
        escape_html_into(r#"<a href="x">Tom & Jerry's</a>"#, &mut out).expect("write");
        assert_eq!(
            out,
            "&lt;a href=&quot;x&quot;&gt;Tom &amp; Jerry&#39;s&lt;/a&gt;"
        );
        out.clear();
        escape_html_into("Società cooperativa https://x.it/a", &mut out).expect("write");
        assert_eq!(out, "Società cooperativa https://x.it/a");
    }

    #[test]
    fn every_template_parses() {
        for (name, _) in TEMPLATES {
            ENVIRONMENT.get_template(name).expect("parses");
        }
    }

    #[test]
    fn html_templates_escape_and_text_templates_do_not() {
        let mut env = Environment::new();
        env.set_formatter(format);
        env.add_template("x.html", "{{ v }}").expect("parses");
        env.add_template("x.txt", "{{ v }}").expect("parses");
        let v = Value::from("<b>R&D</b> l'https://x.it/");
        let html = env
            .get_template("x.html")
            .and_then(|t| t.render(minijinja::context!(v => v.clone())));
        assert_eq!(
            html.expect("renders"),
            "&lt;b&gt;R&amp;D&lt;/b&gt; l&#39;https://x.it/"
        );
        let text = env
            .get_template("x.txt")
            .and_then(|t| t.render(minijinja::context!(v => v)));
        assert_eq!(text.expect("renders"), "<b>R&D</b> l'https://x.it/");
    }

    #[test]
    fn paragraphs_are_split_on_blank_lines_and_unwrapped() {
        assert_eq!(
            paragraphs("\nUna riga\n  che continua.\n\n\nUn'altra.\n"),
            ["Una riga che continua.", "Un'altra."]
        );
        assert!(paragraphs("\n \n").is_empty());
    }
}
