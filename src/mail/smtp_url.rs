//! [`SmtpUrl`]: the parsed `TRAMA_SMTP_URL`, checked before any connection is
//! made so that a typo stops the server at start instead of losing mail later.
//!
//! The format is lettre's (`AsyncSmtpTransport::from_url`): `smtp://` with an
//! optional `tls=required|opportunistic` (STARTTLS), `smtps://` (TLS from the
//! first byte), credentials as percent-encoded `user:password@`, and a path
//! naming the host sent in EHLO. We parse it ourselves rather than handing it
//! to lettre because lettre silently ignores what it does not know: a
//! misspelt `tsl=required` or a user without a password would send mail (and
//! the password) in clear text without a word. We also need parameters
//! lettre does not read: `pool_size`, `timeout_secs`, and `tls_ca_file`, a
//! PEM file of certificate authorities to trust besides the public ones (a
//! relay with a private CA, or the self-signed sink of the benchmark and
//! the tests).

use std::net::IpAddr;
use std::path::PathBuf;
use std::time::Duration;

use url::{Host, Url};

use super::error::MailConfigError;
use crate::config::Secret;

/// Pooled connections kept open, and concurrent sends allowed, by default.
/// Small relays (and the mailboxes of many Italian providers) refuse more than
/// a handful of parallel connections from one client.
pub const DEFAULT_POOL_SIZE: u32 = 4;
/// Upper bound for `pool_size`: more would only get us throttled.
pub const MAX_POOL_SIZE: u32 = 64;
/// Longest a single send may take by default, connection set-up included.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
const MAX_TIMEOUT_SECS: u64 = 600;

/// How the connection to the SMTP server is protected.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Security {
    /// No encryption (`smtp://`): only for loopback or a trusted network.
    Plain,
    /// STARTTLS, and refuse to go on without it (`smtp://…?tls=required`).
    StartTlsRequired,
    /// STARTTLS when the server offers it, clear text otherwise
    /// (`smtp://…?tls=opportunistic`).
    StartTlsOpportunistic,
    /// TLS from the first byte (`smtps://`).
    ImplicitTls,
}

impl Security {
    /// The port used when the URL names none: 25 for plain SMTP, 587
    /// (submission) for STARTTLS, 465 (submissions) for implicit TLS, as
    /// lettre does.
    pub fn default_port(self) -> u16 {
        match self {
            Self::Plain => 25,
            Self::StartTlsRequired | Self::StartTlsOpportunistic => 587,
            Self::ImplicitTls => 465,
        }
    }

    fn describe(self) -> &'static str {
        match self {
            Self::Plain => "no TLS",
            Self::StartTlsRequired => "STARTTLS required",
            Self::StartTlsOpportunistic => "STARTTLS if offered",
            Self::ImplicitTls => "TLS",
        }
    }
}

/// A user name and password for SMTP AUTH; the password never reaches `Debug`.
#[derive(Clone, Debug)]
pub struct SmtpCredentials {
    pub username: String,
    pub password: Secret,
}

/// A valid SMTP server address with everything needed to connect.
#[derive(Clone, Debug)]
pub struct SmtpUrl {
    /// Host name or IP address (IPv6 without brackets).
    pub host: String,
    pub port: u16,
    pub security: Security,
    pub credentials: Option<SmtpCredentials>,
    /// Connections kept open and sends in flight at once (`pool_size`).
    pub pool_size: u32,
    /// Longest a single send may take, connection set-up included
    /// (`timeout_secs`).
    pub timeout: Duration,
    /// Name sent with EHLO (the URL's path); `None` for this machine's name.
    pub hello_name: Option<String>,
    /// Extra certificate authorities to trust, as a PEM file (`tls_ca_file`).
    pub tls_ca_file: Option<PathBuf>,
}

/// Keeps the value of the parameter `key`, which may be given once.
fn set_once<T>(slot: &mut Option<T>, value: T, key: &str) -> Result<(), MailConfigError> {
    match slot.replace(value) {
        Some(_) => Err(MailConfigError::SmtpUrl(format!(
            "the parameter `{key}` is given twice"
        ))),
        None => Ok(()),
    }
}

/// The value of the parameter `key`: a whole number from 1 to `max`.
fn whole_number<T>(key: &str, value: &str, max: T) -> Result<T, MailConfigError>
where
    T: std::str::FromStr + PartialOrd + From<u8> + std::fmt::Display + Copy,
{
    value
        .parse::<T>()
        .ok()
        .filter(|n| (T::from(1)..=max).contains(n))
        .ok_or_else(|| {
            MailConfigError::SmtpUrl(format!("{key} must be a whole number from 1 to {max}"))
        })
}

impl SmtpUrl {
    /// Parses `smtp://[user:password@]host[:port][/ehlo-name][?params]` or
    /// `smtps://…`. Parameters: `tls=required|opportunistic` (smtp only),
    /// `pool_size=1..64` (default 4), `timeout_secs=1..600` (default 30),
    /// `tls_ca_file=/path/ca.pem` (with TLS only).
    ///
    /// Fails, with a reason that never contains the password, on another
    /// scheme, a missing host, an unknown or repeated parameter, a user
    /// without a password (or the reverse), credentials that are not UTF-8
    /// once decoded, and credentials that would travel in clear text
    /// (`smtp://` without `tls=required`) to a host other than loopback.
    pub fn parse(raw: &str) -> Result<Self, MailConfigError> {
        let bad = |reason: String| MailConfigError::SmtpUrl(reason);
        // url's errors describe the problem without echoing the input, so
        // they are safe to show even when the input holds a password.
        let url = Url::parse(raw.trim()).map_err(|e| bad(e.to_string()))?;

        let mut tls: Option<String> = None;
        let mut pool_size: Option<u32> = None;
        let mut timeout_secs: Option<u64> = None;
        let mut tls_ca_file: Option<PathBuf> = None;
        for (key, value) in url.query_pairs() {
            match key.as_ref() {
                "tls" => set_once(&mut tls, value.into_owned(), &key)?,
                "pool_size" => {
                    let size = whole_number(&key, &value, MAX_POOL_SIZE)?;
                    set_once(&mut pool_size, size, &key)?;
                }
                "timeout_secs" => {
                    let secs = whole_number(&key, &value, MAX_TIMEOUT_SECS)?;
                    set_once(&mut timeout_secs, secs, &key)?;
                }
                "tls_ca_file" => {
                    if value.trim().is_empty() {
                        return Err(bad("tls_ca_file names no file".to_owned()));
                    }
                    set_once(&mut tls_ca_file, PathBuf::from(value.as_ref()), &key)?;
                }
                other => {
                    return Err(bad(format!(
                        "unknown parameter `{other}` (known: tls, pool_size, timeout_secs, \
                         tls_ca_file)"
                    )));
                }
            }
        }

        let security = match (url.scheme(), tls.as_deref()) {
            ("smtp", None) => Security::Plain,
            ("smtp", Some("required")) => Security::StartTlsRequired,
            ("smtp", Some("opportunistic")) => Security::StartTlsOpportunistic,
            ("smtp", Some(other)) => {
                return Err(bad(format!(
                    "tls must be `required` or `opportunistic`, not `{other}`"
                )));
            }
            ("smtps", None) => Security::ImplicitTls,
            ("smtps", Some(_)) => {
                return Err(bad(
                    "smtps:// is already TLS from the first byte: drop the tls parameter, \
                     or use smtp://…?tls=required for STARTTLS"
                        .to_owned(),
                ));
            }
            (scheme, _) => {
                return Err(bad(format!(
                    "the scheme must be smtp or smtps, not `{scheme}`"
                )));
            }
        };

        if tls_ca_file.is_some() && security == Security::Plain {
            return Err(bad(
                "tls_ca_file needs TLS: use smtps://… or smtp://…?tls=required".to_owned(),
            ));
        }

        let host = match url.host() {
            Some(Host::Domain(domain)) if !domain.is_empty() => domain.to_owned(),
            // Without brackets: lettre resolves "host:port" itself.
            Some(Host::Ipv4(ip)) => ip.to_string(),
            Some(Host::Ipv6(ip)) => ip.to_string(),
            _ => return Err(bad("the server's host name is missing".to_owned())),
        };
        let port = url.port().unwrap_or_else(|| security.default_port());

        let credentials = match (url.username(), url.password()) {
            ("", None) => None,
            ("", Some(_)) => return Err(bad("a password without a user name".to_owned())),
            (_, None) => {
                return Err(bad(
                    "a user name without a password: write user:password@host".to_owned(),
                ));
            }
            (username, Some(password)) => Some(SmtpCredentials {
                username: percent_decode(username)
                    .ok_or_else(|| bad("the user name is not valid UTF-8".to_owned()))?,
                password: Secret::new(
                    percent_decode(password)
                        .ok_or_else(|| bad("the password is not valid UTF-8".to_owned()))?,
                ),
            }),
        };
        let clear_text = matches!(security, Security::Plain | Security::StartTlsOpportunistic);
        if credentials.is_some() && clear_text && !is_loopback(&host) {
            return Err(bad(format!(
                "the password would cross the network unencrypted ({}): use \
                 smtps://… or smtp://…?tls=required",
                security.describe()
            )));
        }

        let hello_name = Some(url.path().trim_matches('/'))
            .filter(|name| !name.is_empty())
            .map(str::to_owned);

        Ok(Self {
            host,
            port,
            security,
            credentials,
            pool_size: pool_size.unwrap_or(DEFAULT_POOL_SIZE),
            timeout: timeout_secs.map_or(DEFAULT_TIMEOUT, Duration::from_secs),
            hello_name,
            tls_ca_file,
        })
    }

    /// The address for logs: scheme, user, host, port and security, never
    /// the password.
    pub fn for_log(&self) -> String {
        let scheme = match self.security {
            Security::ImplicitTls => "smtps",
            _ => "smtp",
        };
        let user = self
            .credentials
            .as_ref()
            .map(|c| format!("{}:***@", c.username))
            .unwrap_or_default();
        let host = if self.host.contains(':') {
            format!("[{}]", self.host)
        } else {
            self.host.clone()
        };
        format!(
            "{scheme}://{user}{host}:{} ({}, pool of {})",
            self.port,
            self.security.describe(),
            self.pool_size
        )
    }
}

fn percent_decode(raw: &str) -> Option<String> {
    percent_encoding::percent_decode_str(raw)
        .decode_utf8()
        .ok()
        .map(|s| s.into_owned())
}

fn is_loopback(host: &str) -> bool {
    host.eq_ignore_ascii_case("localhost")
        || host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(raw: &str) -> SmtpUrl {
        SmtpUrl::parse(raw).unwrap_or_else(|e| panic!("{raw}: {e}"))
    }

    fn refused(raw: &str) -> String {
        match SmtpUrl::parse(raw) {
            Ok(url) => panic!("{raw} was accepted: {url:?}"),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn plain_smtp_for_loopback_and_tests() {
        let url = parse("smtp://127.0.0.1:2525");
        assert_eq!(url.host, "127.0.0.1");
        assert_eq!(url.port, 2525);
        assert_eq!(url.security, Security::Plain);
        assert!(url.credentials.is_none());
        assert_eq!(url.pool_size, DEFAULT_POOL_SIZE);
        assert_eq!(url.timeout, DEFAULT_TIMEOUT);
        assert_eq!(url.hello_name, None);
    }

    #[test]
    fn default_ports_follow_the_security() {
        assert_eq!(parse("smtp://mail.example.org").port, 25);
        assert_eq!(parse("smtp://mail.example.org?tls=required").port, 587);
        assert_eq!(parse("smtp://mail.example.org?tls=opportunistic").port, 587);
        assert_eq!(parse("smtps://mail.example.org").port, 465);
        assert_eq!(parse("smtps://mail.example.org:2465").port, 2465);
    }

    #[test]
    fn starttls_and_implicit_tls() {
        assert_eq!(
            parse("smtp://mail.example.org:587?tls=required").security,
            Security::StartTlsRequired
        );
        assert_eq!(
            parse("smtp://mail.example.org?tls=opportunistic").security,
            Security::StartTlsOpportunistic
        );
        assert_eq!(
            parse("smtps://mail.example.org").security,
            Security::ImplicitTls
        );
    }

    #[test]
    fn credentials_are_percent_decoded() {
        let url = parse("smtps://noreply%40trama.example:p%40ss%3Aw%C3%B2rd@smtp.example.org");
        let credentials = url.credentials.expect("credentials");
        assert_eq!(credentials.username, "noreply@trama.example");
        assert_eq!(credentials.password.expose(), "p@ss:wòrd");
    }

    #[test]
    fn the_password_never_reaches_logs_or_debug() {
        let url = parse("smtp://trama:s3cret@smtp.example.org?tls=required");
        assert!(!format!("{url:?}").contains("s3cret"));
        let shown = url.for_log();
        assert!(!shown.contains("s3cret"), "{shown}");
        assert_eq!(
            shown,
            "smtp://trama:***@smtp.example.org:587 (STARTTLS required, pool of 4)"
        );
        let error = refused("smtp://trama:s3cret@smtp.example.org?tsl=required");
        assert!(!error.contains("s3cret"), "{error}");
    }

    #[test]
    fn pool_size_and_timeout_are_configurable() {
        let url = parse("smtps://smtp.example.org?pool_size=2&timeout_secs=10");
        assert_eq!(url.pool_size, 2);
        assert_eq!(url.timeout, Duration::from_secs(10));
        for raw in [
            "smtp://localhost?pool_size=0",
            "smtp://localhost?pool_size=65",
            "smtp://localhost?pool_size=four",
            "smtp://localhost?timeout_secs=0",
            "smtp://localhost?timeout_secs=-1",
            "smtp://localhost?pool_size=2&pool_size=3",
        ] {
            refused(raw);
        }
    }

    #[test]
    fn extra_certificate_authorities_need_tls() {
        let url = parse("smtps://127.0.0.1:2465?tls_ca_file=/tmp/sink-ca.pem");
        assert_eq!(url.tls_ca_file, Some(PathBuf::from("/tmp/sink-ca.pem")));
        assert!(
            parse("smtp://relay.example.org?tls=required&tls_ca_file=ca.pem")
                .tls_ca_file
                .is_some()
        );
        assert!(refused("smtp://127.0.0.1:2525?tls_ca_file=ca.pem").contains("needs TLS"));
        assert!(refused("smtps://relay.example.org?tls_ca_file=").contains("no file"));
    }

    #[test]
    fn ehlo_name_from_the_path() {
        assert_eq!(
            parse("smtp://127.0.0.1:2525/trama.example.org").hello_name,
            Some("trama.example.org".to_owned())
        );
        assert_eq!(parse("smtp://127.0.0.1:2525/").hello_name, None);
    }

    #[test]
    fn ipv6_hosts_lose_their_brackets() {
        let url = parse("smtp://[::1]:2525");
        assert_eq!(url.host, "::1");
        assert_eq!(url.for_log(), "smtp://[::1]:2525 (no TLS, pool of 4)");
    }

    #[test]
    fn mistakes_are_refused_not_ignored() {
        let cases = [
            ("http://mail.example.org", "scheme"),
            ("mail.example.org:25", "scheme"),
            (
                "smtp://mail.example.org?tsl=required",
                "unknown parameter `tsl`",
            ),
            ("smtp://mail.example.org?tls=yes", "tls must be"),
            ("smtp://mail.example.org?tls=required&tls=required", "twice"),
            ("smtps://mail.example.org?tls=required", "already TLS"),
            ("smtps://user@mail.example.org", "without a password"),
            ("smtps://:secret@mail.example.org", "without a user name"),
            ("smtps://us%FFer:pw@mail.example.org", "UTF-8"),
            ("smtp:///nohost", "host"),
            ("", "relative URL"),
        ];
        for (raw, expected) in cases {
            let error = refused(raw);
            assert!(error.contains(expected), "{raw}: {error}");
        }
    }

    #[test]
    fn passwords_in_clear_text_only_on_loopback() {
        for raw in [
            "smtp://user:pw@mail.example.org",
            "smtp://user:pw@mail.example.org?tls=opportunistic",
            "smtp://user:pw@10.0.0.5:25",
        ] {
            assert!(refused(raw).contains("unencrypted"), "{raw}");
        }
        for raw in [
            "smtp://user:pw@localhost:1025",
            "smtp://user:pw@127.0.0.1:1025",
            "smtp://user:pw@[::1]:1025",
            "smtp://user:pw@mail.example.org?tls=required",
            "smtps://user:pw@mail.example.org",
        ] {
            assert!(parse(raw).credentials.is_some(), "{raw}");
        }
    }
}
