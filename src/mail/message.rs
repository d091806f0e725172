//! What to send: [`OutgoingEmail`] (one recipient, a subject, an HTML and a
//! plain-text version) and the [`ExtraHeader`]s it may carry, such as the
//! RFC 8058 one-click unsubscribe pair digests need; and how it becomes a
//! MIME message.

use lettre::Message;
use lettre::message::header::{HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart};

use super::error::MailError;
use super::templates::RenderedEmail;
use crate::domain::{Email, Lang};

/// One e-mail to one person.
///
/// Sent as `multipart/alternative` with the plain text first and the HTML
/// second (clients show the last part they understand), both UTF-8.
#[derive(Clone, Debug)]
pub struct OutgoingEmail {
    pub to: Email,
    /// Shown by mail clients next to the address; optional.
    pub to_name: Option<String>,
    pub subject: String,
    pub html: String,
    pub text: String,
    /// Headers beyond the ones every message gets (From, To, Subject, Date,
    /// Message-ID, MIME), e.g. List-Unsubscribe.
    pub headers: Vec<ExtraHeader>,
}

impl OutgoingEmail {
    /// A rendered template addressed to `to`, with a `Content-Language`
    /// header in the template's language.
    pub fn new(to: Email, rendered: RenderedEmail) -> Self {
        Self {
            to,
            to_name: None,
            subject: rendered.subject,
            html: rendered.html,
            text: rendered.text,
            headers: vec![ExtraHeader::content_language(rendered.lang)],
        }
    }

    /// Sets the name shown next to the recipient's address.
    pub fn to_name(mut self, name: impl Into<String>) -> Self {
        self.to_name = Some(name.into());
        self
    }

    /// Adds a header, replacing an earlier one with the same name.
    pub fn header(mut self, header: ExtraHeader) -> Self {
        self.headers
            .retain(|h| !h.name.eq_ignore_ascii_case(&header.name));
        self.headers.push(header);
        self
    }

    /// Adds `List-Unsubscribe: <url>` and `List-Unsubscribe-Post:
    /// List-Unsubscribe=One-Click` (RFC 8058), so that mail clients offer an
    /// unsubscribe button that POSTs to `url`. Providers honour it only for
    /// https URLs in DKIM-signed mail. Fails with [`MailError::Invalid`] when
    /// `url` is not an http(s) URL.
    pub fn one_click_unsubscribe(self, url: &str) -> Result<Self, MailError> {
        Ok(self
            .header(ExtraHeader::list_unsubscribe(url)?)
            .header(ExtraHeader::list_unsubscribe_post()))
    }

    /// The MIME message, with `from` as sender and `message_id` as its
    /// Message-ID. Fails with [`MailError::Invalid`] when lettre refuses the
    /// recipient address.
    pub(crate) fn to_message(
        &self,
        from: &Mailbox,
        message_id: &str,
    ) -> Result<Message, MailError> {
        let to_name = self
            .to_name
            .as_deref()
            .map(one_line)
            .filter(|name| !name.is_empty());
        let to = Mailbox::new(to_name, self.to.as_str().parse()?);
        let mut builder = Message::builder()
            .from(from.clone())
            .to(to)
            .subject(one_line(&self.subject))
            .message_id(Some(message_id.to_owned()))
            // RFC 3834: tells vacation responders and ticket systems not to
            // answer a message no one reads.
            .raw_header(HeaderValue::new(
                HeaderName::new_from_ascii_str("Auto-Submitted"),
                "auto-generated".to_owned(),
            ));
        for header in &self.headers {
            let name = HeaderName::new_from_ascii(header.name.clone())
                .map_err(|_| MailError::Invalid(format!("header name `{}`", header.name)))?;
            builder = builder.raw_header(HeaderValue::new(name, header.value.clone()));
        }
        Ok(builder.multipart(MultiPart::alternative_plain_html(
            self.text.clone(),
            self.html.clone(),
        ))?)
    }
}

/// A header with a name that is valid and not one the mailer sets itself.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExtraHeader {
    name: String,
    value: String,
}

/// Headers the mailer writes: letting a caller replace them would break the
/// message (a second From, a Content-Type that lies about the body).
const RESERVED: [&str; 13] = [
    "from",
    "sender",
    "to",
    "cc",
    "bcc",
    "subject",
    "date",
    "message-id",
    "mime-version",
    "content-type",
    "content-transfer-encoding",
    "return-path",
    "received",
];

impl ExtraHeader {
    /// A custom header. Fails with [`MailError::Invalid`] when the name is
    /// not 1 to 76 printable ASCII characters without a colon, when it is one
    /// the mailer sets itself (From, To, Subject, Date, Message-ID, MIME and
    /// content headers...), or when the value holds a line break or another
    /// control character. Non-ASCII values are encoded (RFC 2047).
    pub fn new(name: &str, value: impl Into<String>) -> Result<Self, MailError> {
        let value = value.into();
        let name_ok = (1..=76).contains(&name.len())
            && name.bytes().all(|b| (33..=126).contains(&b) && b != b':');
        if !name_ok {
            return Err(MailError::Invalid(format!(
                "`{}` is not a valid header name",
                name.escape_debug()
            )));
        }
        if RESERVED.iter().any(|r| r.eq_ignore_ascii_case(name)) {
            return Err(MailError::Invalid(format!(
                "the header `{name}` is set by the mailer"
            )));
        }
        if value.chars().any(|c| c.is_control() && c != '\t') {
            return Err(MailError::Invalid(format!(
                "the value of `{name}` contains a line break or a control character"
            )));
        }
        Ok(Self {
            name: name.to_owned(),
            value,
        })
    }

    /// `List-Unsubscribe: <url>` (RFC 2369). Fails with
    /// [`MailError::Invalid`] unless `url` is an absolute http(s) URL.
    pub fn list_unsubscribe(url: &str) -> Result<Self, MailError> {
        let parsed = url::Url::parse(url)
            .ok()
            .filter(|u| matches!(u.scheme(), "http" | "https") && u.has_host())
            .ok_or_else(|| {
                MailError::Invalid("List-Unsubscribe needs an absolute http(s) URL".to_owned())
            })?;
        // The serialised URL is ASCII and percent-encoded, so it holds no
        // `>` or space that would end the angle brackets early.
        Self::new("List-Unsubscribe", format!("<{parsed}>"))
    }

    /// `List-Unsubscribe-Post: List-Unsubscribe=One-Click` (RFC 8058).
    pub fn list_unsubscribe_post() -> Self {
        Self {
            name: "List-Unsubscribe-Post".to_owned(),
            value: "List-Unsubscribe=One-Click".to_owned(),
        }
    }

    /// `Content-Language: it` or `en`, which screen readers and clients use
    /// to pick a voice and offer translation.
    pub fn content_language(lang: Lang) -> Self {
        Self {
            name: "Content-Language".to_owned(),
            value: lang.as_str().to_owned(),
        }
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn value(&self) -> &str {
        &self.value
    }
}

/// Control characters (a newline in an organisation's name) become spaces,
/// so a subject or display name stays on one line.
fn one_line(raw: &str) -> String {
    raw.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect::<String>()
        .trim()
        .to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn custom_headers_are_checked() {
        assert!(ExtraHeader::new("X-Trama-Digest", "42").is_ok());
        assert!(ExtraHeader::new("Reply-To", "ufficio@comune.example.it").is_ok());
        for name in [
            "",
            "Bad Name",
            "Colon:",
            "Accentè",
            "\r\nBcc",
            &"X".repeat(77),
        ] {
            assert!(
                matches!(ExtraHeader::new(name, "x"), Err(MailError::Invalid(_))),
                "{name:?}"
            );
        }
        for name in ["From", "subject", "MESSAGE-ID", "Content-Type", "Bcc"] {
            let error = ExtraHeader::new(name, "x").expect_err(name);
            assert!(error.to_string().contains("set by the mailer"), "{error}");
        }
        assert!(ExtraHeader::new("X-Note", "one\r\nBcc: victim@example.org").is_err());
    }

    #[test]
    fn one_click_unsubscribe_adds_both_headers() {
        let email = OutgoingEmail::new(
            Email::parse("socia@aps.example.it").expect("email"),
            RenderedEmail {
                lang: Lang::It,
                subject: "Novità".to_owned(),
                html: "<p>x</p>".to_owned(),
                text: "x".to_owned(),
            },
        )
        .one_click_unsubscribe("https://trama.example.it/unsubscribe?t=a b")
        .expect("valid URL");
        let pairs: Vec<(&str, &str)> = email
            .headers
            .iter()
            .map(|h| (h.name(), h.value()))
            .collect();
        assert_eq!(
            pairs,
            [
                ("Content-Language", "it"),
                (
                    "List-Unsubscribe",
                    "<https://trama.example.it/unsubscribe?t=a%20b>"
                ),
                ("List-Unsubscribe-Post", "List-Unsubscribe=One-Click"),
            ]
        );
        for bad in ["javascript:alert(1)", "/relative", "mailto:x@example.org"] {
            assert!(ExtraHeader::list_unsubscribe(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn subjects_and_names_stay_on_one_line() {
        assert_eq!(one_line(" Coop\r\nBcc: x@y.it "), "Coop  Bcc: x@y.it");
    }
}
