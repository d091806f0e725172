//! Mail errors: [`MailConfigError`] stops the server at start (a bad
//! `TRAMA_SMTP_URL` or `TRAMA_MAIL_FROM`), [`MailError`] is one message that
//! could not be sent, classified so the caller knows whether to retry.

use std::path::PathBuf;

/// Why a message was not sent.
///
/// The caller decides what to do: retry [`Temporary`](Self::Temporary) later
/// with a back-off, record [`Permanent`](Self::Permanent) and
/// [`Invalid`](Self::Invalid) without retrying. `reason` may quote the SMTP
/// server's reply (which can name the recipient); it never holds credentials.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum MailError {
    /// Worth retrying: a 4xx reply, a refused or dropped connection, a TLS
    /// failure, a timeout, a relay that refused our credentials, a full disk.
    #[error("temporary mail failure{}: {reason}", code_suffix(*code))]
    Temporary { code: Option<u16>, reason: String },
    /// A 5xx reply: the server will not take this message (unknown mailbox,
    /// rejected content). Sending it again would fail the same way.
    #[error("permanent mail failure{}: {reason}", code_suffix(*code))]
    Permanent { code: Option<u16>, reason: String },
    /// The message itself cannot be built: a recipient address or header the
    /// mail libraries refuse.
    #[error("invalid e-mail: {0}")]
    Invalid(String),
}

impl MailError {
    /// Whether sending the same message later may succeed.
    pub fn is_retryable(&self) -> bool {
        matches!(self, Self::Temporary { .. })
    }

    /// Whether a refusal for good is about the recipient's address rather
    /// than the message: an enhanced status code of the addressing class
    /// (RFC 3463, `5.1.x`: unknown mailbox, bad address...), or, without
    /// one, the RFC 5321 replies about mailboxes (550, 551, 553).
    pub fn refuses_recipient(&self) -> bool {
        let Self::Permanent { code, reason } = self else {
            return false;
        };
        match enhanced_subject(reason) {
            Some(subject) => subject == 1,
            None => matches!(code, Some(550 | 551 | 553)),
        }
    }

    /// The SMTP reply code, when the server gave one.
    pub fn code(&self) -> Option<u16> {
        match self {
            Self::Temporary { code, .. } | Self::Permanent { code, .. } => *code,
            Self::Invalid(_) => None,
        }
    }

    fn temporary(code: Option<u16>, reason: impl ToString) -> Self {
        Self::Temporary {
            code,
            reason: reason.to_string(),
        }
    }
}

/// The subject of the first RFC 3463 enhanced status code in a reply
/// (`5.1.1` gives 1), if it has one.
fn enhanced_subject(reply: &str) -> Option<u16> {
    reply
        .split(|c: char| c.is_whitespace() || c == ':' || c == ',')
        .find_map(|word| {
            let mut parts = word.split('.');
            let class = parts.next()?;
            let subject = parts.next()?;
            let detail = parts.next()?;
            let number =
                |p: &str| !p.is_empty() && p.len() <= 3 && p.bytes().all(|b| b.is_ascii_digit());
            (matches!(class, "2" | "4" | "5")
                && number(subject)
                && number(detail)
                && parts.next().is_none())
            .then(|| subject.parse().ok())
            .flatten()
        })
}

fn code_suffix(code: Option<u16>) -> String {
    code.map(|c| format!(" ({c})")).unwrap_or_default()
}

/// SMTP AUTH replies (RFC 4954): the relay refuses *our* credentials or wants
/// them, which is a configuration problem that fixing the settings cures, not
/// a property of the message. Marking the message permanently failed would
/// drop every e-mail sent while the password was wrong.
const AUTH_CODES: [u16; 4] = [530, 534, 535, 538];

impl From<lettre::transport::smtp::Error> for MailError {
    fn from(error: lettre::transport::smtp::Error) -> Self {
        let code = error.status().map(u16::from);
        match code {
            Some(c) if error.is_permanent() && !AUTH_CODES.contains(&c) => Self::Permanent {
                code,
                reason: error.to_string(),
            },
            // 4xx replies, authentication refusals, and everything that is
            // not a reply at all: connection refused or reset, TLS handshake,
            // timeouts, a garbled response, a transport shut down after a
            // stuck send. All may pass, and a retry costs little.
            _ => Self::temporary(code, error),
        }
    }
}

impl From<lettre::transport::file::Error> for MailError {
    fn from(error: lettre::transport::file::Error) -> Self {
        // Writing a file fails for a full disk or a permission problem:
        // someone can fix it, so the message is worth keeping.
        Self::temporary(None, error)
    }
}

impl From<lettre::address::AddressError> for MailError {
    fn from(error: lettre::address::AddressError) -> Self {
        Self::Invalid(format!("recipient address: {error}"))
    }
}

impl From<lettre::error::Error> for MailError {
    fn from(error: lettre::error::Error) -> Self {
        Self::Invalid(error.to_string())
    }
}

/// A mail setting that cannot work; reported at start.
#[derive(Debug, thiserror::Error)]
pub enum MailConfigError {
    /// `TRAMA_SMTP_URL` is malformed or unsafe; the reason never contains the
    /// password.
    #[error("TRAMA_SMTP_URL is not valid: {0}")]
    SmtpUrl(String),
    /// `TRAMA_MAIL_FROM` is not a mailbox such as `Trama <noreply@example.org>`.
    #[error("TRAMA_MAIL_FROM is not a valid sender (`{value}`): {reason}")]
    MailFrom { value: String, reason: String },
    /// TLS could not be set up for the SMTP server's name.
    #[error("cannot set up TLS for the SMTP server {host}")]
    Tls {
        host: String,
        #[source]
        source: lettre::transport::smtp::Error,
    },
    /// The `tls_ca_file` of `TRAMA_SMTP_URL` cannot be read.
    #[error("cannot read the certificate authorities in {}", path.display())]
    CaFile {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// The directory for mail files (used without `TRAMA_SMTP_URL`) cannot
    /// be created.
    #[error("cannot create the mail directory {}", path.display())]
    Directory {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    fn permanent(code: u16, reason: &str) -> MailError {
        MailError::Permanent {
            code: Some(code),
            reason: reason.to_owned(),
        }
    }

    #[test]
    fn a_refused_address_is_told_apart_from_a_refused_message() {
        let address = permanent(
            550,
            "permanent error (550): 5.1.1 Recipient address rejected: user unknown",
        );
        assert!(address.refuses_recipient());
        let message = permanent(550, "permanent error (550): 5.7.1 Message refused");
        assert!(!message.refuses_recipient());
        // Without an enhanced code, the basic reply says it.
        assert!(permanent(553, "mailbox name not allowed").refuses_recipient());
        assert!(!permanent(554, "transaction failed").refuses_recipient());
        let temporary = MailError::Temporary {
            code: Some(450),
            reason: "4.2.1 Mailbox temporarily unavailable".to_owned(),
        };
        assert!(!temporary.refuses_recipient());
        assert!(temporary.is_retryable());
    }
}
