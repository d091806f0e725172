//! Contact values: [`Email`] (also used for PEC addresses), [`WebUrl`] and
//! [`PhoneNumber`], each checked strictly enough to be usable as a link and
//! stored in one canonical form so duplicates compare equal.

use url::{Host, Url};

use super::error::{Format, Invalid};
use super::newtype::string_newtype;

/// An email address, stored lower-case.
///
/// Deliberately simpler than RFC 5322 (no quoted local parts, no IP-literal
/// domains, ASCII only): what a person can type and a mail server will
/// accept, without pulling a crate.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Email(String);

string_newtype!(Email);

impl Email {
    pub const MAX_CHARS: usize = 254;
    const MAX_LOCAL: usize = 64;

    /// Trims (spaces, and invisible characters pasted at the ends) and
    /// lower-cases. Fails with `Required`, `TooLong` (over 254
    /// characters) or `BadFormat`.
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        let email = super::text::trim_pasted(raw);
        if email.is_empty() {
            return Err(Invalid::Required);
        }
        if email.chars().count() > Self::MAX_CHARS {
            return Err(Invalid::TooLong {
                max: Self::MAX_CHARS,
            });
        }
        let bad = Invalid::BadFormat {
            expected: Format::Email,
        };
        let Some((local, domain)) = email.split_once('@') else {
            return Err(bad);
        };
        if !local_part_ok(local) || !domain_ok(domain) {
            return Err(bad);
        }
        Ok(Self(email.to_ascii_lowercase()))
    }

    /// The part after the `@`.
    pub fn domain(&self) -> &str {
        self.0.rsplit_once('@').map_or("", |(_, domain)| domain)
    }
}

fn local_part_ok(local: &str) -> bool {
    const SPECIALS: &str = "!#$%&'*+/=?^_`{|}~.-";
    !local.is_empty()
        && local.len() <= Email::MAX_LOCAL
        && local
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || SPECIALS.contains(c))
        && !local.starts_with('.')
        && !local.ends_with('.')
        && !local.contains("..")
}

/// A host name with at least two labels of `[A-Za-z0-9-]` (1 to 63 each, no
/// leading or trailing hyphen) and a top-level domain that is not a number.
fn domain_ok(domain: &str) -> bool {
    let labels: Vec<&str> = domain.split('.').collect();
    domain.len() <= 253
        && labels.len() >= 2
        && labels.iter().all(|label| {
            (1..=63).contains(&label.len())
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-')
                && !label.starts_with('-')
                && !label.ends_with('-')
        })
        && labels
            .last()
            .is_some_and(|tld| !tld.bytes().all(|b| b.is_ascii_digit()))
}

/// An http(s) web address, stored in the `url` crate's normalised form
/// (lower-case host, a path of at least `/`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct WebUrl(String);

string_newtype!(WebUrl);

impl WebUrl {
    pub const MAX_CHARS: usize = 2048;

    /// Fails with `Required`, `TooLong` (over 2048 characters) or
    /// `BadFormat`: not http/https, no host, a host without a dot, spaces,
    /// or user credentials in the address.
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        let raw = super::text::trim_pasted(raw);
        if raw.is_empty() {
            return Err(Invalid::Required);
        }
        let bad = Invalid::BadFormat {
            expected: Format::WebUrl,
        };
        if raw.chars().any(char::is_whitespace) {
            return Err(bad);
        }
        // People write their site as on a business card, "www.coop.it";
        // that is unambiguous, so it gets https:// in front. Other bare
        // domains ("coop.it") stay refused: without "www." a typo in an
        // email address or a file name could pass for a site.
        let candidate = if raw
            .get(..4)
            .is_some_and(|start| start.eq_ignore_ascii_case("www."))
        {
            format!("https://{raw}")
        } else {
            raw.to_owned()
        };
        if candidate.chars().count() > Self::MAX_CHARS {
            return Err(Invalid::TooLong {
                max: Self::MAX_CHARS,
            });
        }
        let url = Url::parse(&candidate).map_err(|_| bad.clone())?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(bad);
        }
        let host_ok = match url.host() {
            Some(Host::Domain(domain)) => {
                domain.contains('.') && !domain.starts_with('.') && !domain.ends_with('.')
            }
            Some(Host::Ipv4(_) | Host::Ipv6(_)) => true,
            None => false,
        };
        // "https://comune.milano.it@evil.example" shows one site and opens
        // another: credentials have no place in a public link.
        if !host_ok || !url.username().is_empty() || url.password().is_some() {
            return Err(bad);
        }
        let normalised = String::from(url);
        if normalised.chars().count() > Self::MAX_CHARS {
            return Err(Invalid::TooLong {
                max: Self::MAX_CHARS,
            });
        }
        Ok(Self(normalised))
    }
}

/// A telephone number, stored in international form without separators
/// (`+39021234567`).
///
/// Numbers written without a country code are Italian, the users' country,
/// so they get +39; `0039` is read as `+39`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PhoneNumber(String);

string_newtype!(PhoneNumber);

impl PhoneNumber {
    pub const MIN_DIGITS: usize = 6;
    pub const MAX_DIGITS: usize = 15;

    /// Accepts digits with spaces and the usual separators (`-`, `.`, `/`,
    /// parentheses) and a leading `+`. Fails with `Required`, or `BadFormat`
    /// for other characters or fewer than 6 / more than 15 digits (not
    /// counting the +39 country code).
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        let raw = super::text::trim_pasted(raw);
        if raw.is_empty() {
            return Err(Invalid::Required);
        }
        let bad = Invalid::BadFormat {
            expected: Format::PhoneNumber,
        };
        let (plus, rest) = match raw.strip_prefix('+') {
            Some(rest) => (true, rest),
            None => (false, raw),
        };
        if !rest
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, ' ' | '-' | '.' | '/' | '(' | ')'))
        {
            return Err(bad);
        }
        let digits: String = rest.chars().filter(char::is_ascii_digit).collect();
        let (country, national) = if plus {
            match digits.strip_prefix("39") {
                Some(national) => ("39", national),
                None => ("", digits.as_str()),
            }
        } else if let Some(international) = digits.strip_prefix("00") {
            match international.strip_prefix("39") {
                Some(national) => ("39", national),
                None => ("", international),
            }
        } else {
            ("39", digits.as_str())
        };
        if !(Self::MIN_DIGITS..=Self::MAX_DIGITS).contains(&national.len()) {
            return Err(bad);
        }
        Ok(Self(format!("+{country}{national}")))
    }

    /// A `tel:` link for the number.
    pub fn tel_uri(&self) -> String {
        format!("tel:{}", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::error::testing::assert_refused;

    fn bad(expected: Format) -> Invalid {
        Invalid::BadFormat { expected }
    }

    #[test]
    fn email_accepts_and_normalises() {
        for (raw, expected) in [
            ("info@aler.mi.it", "info@aler.mi.it"),
            ("  Mario.Rossi@Example.ORG ", "mario.rossi@example.org"),
            (
                "segreteria+trama@coop-abitare.it",
                "segreteria+trama@coop-abitare.it",
            ),
            (
                "protocollo@pec.comune.milano.it",
                "protocollo@pec.comune.milano.it",
            ),
            ("a@b.co", "a@b.co"),
            ("x@xn--80ak6aa92e.com", "x@xn--80ak6aa92e.com"),
            // Copied from a web page: a zero-width space and a BOM.
            ("\u{FEFF}info@aler.mi.it\u{200B}", "info@aler.mi.it"),
        ] {
            assert_eq!(
                Email::parse(raw).map(Email::into_inner).as_deref(),
                Ok(expected),
                "{raw}"
            );
        }
        assert_eq!(
            Email::parse("info@aler.mi.it").map(|e| e.domain().to_owned()),
            Ok("aler.mi.it".to_owned())
        );
    }

    #[test]
    fn email_refuses() {
        let long_local = format!("{}@example.org", "a".repeat(65));
        let too_long = format!("{}@{}.it", "a".repeat(60), "b".repeat(200));
        let cases: &[(&str, Invalid)] = &[
            ("", Invalid::Required),
            ("  ", Invalid::Required),
            (&too_long, Invalid::TooLong { max: 254 }),
            ("mario.rossi", bad(Format::Email)),
            ("@example.org", bad(Format::Email)),
            ("mario@", bad(Format::Email)),
            ("mario@@example.org", bad(Format::Email)),
            ("mario@rossi@example.org", bad(Format::Email)),
            ("mario rossi@example.org", bad(Format::Email)),
            ("mario@example", bad(Format::Email)),
            ("mario@-example.org", bad(Format::Email)),
            ("mario@example-.org", bad(Format::Email)),
            ("mario@example..org", bad(Format::Email)),
            ("mario@example.org.", bad(Format::Email)),
            ("mario@exam_ple.org", bad(Format::Email)),
            ("mario@192.168.0.1", bad(Format::Email)),
            (".mario@example.org", bad(Format::Email)),
            ("mario.@example.org", bad(Format::Email)),
            ("ma..rio@example.org", bad(Format::Email)),
            ("màrio@example.org", bad(Format::Email)),
            ("ma\u{200B}rio@example.org", bad(Format::Email)),
            ("mario@èxample.org", bad(Format::Email)),
            ("\"mario\"@example.org", bad(Format::Email)),
            (&long_local, bad(Format::Email)),
        ];
        assert_refused(Email::parse, cases);
    }

    #[test]
    fn web_url_accepts_and_normalises() {
        for (raw, expected) in [
            (
                "https://www.comune.milano.it",
                "https://www.comune.milano.it/",
            ),
            (
                "http://Example.org/Path?q=1#top",
                "http://example.org/Path?q=1#top",
            ),
            ("www.coopabitare.it", "https://www.coopabitare.it/"),
            (
                "WWW.Coopabitare.it/chi-siamo",
                "https://www.coopabitare.it/chi-siamo",
            ),
            (
                " https://192.168.1.10:8080/x ",
                "https://192.168.1.10:8080/x",
            ),
        ] {
            assert_eq!(
                WebUrl::parse(raw).map(WebUrl::into_inner).as_deref(),
                Ok(expected),
                "{raw}"
            );
        }
    }

    #[test]
    fn web_url_refuses() {
        let too_long = format!("https://example.org/{}", "a".repeat(2030));
        let cases: &[(&str, Invalid)] = &[
            ("", Invalid::Required),
            (&too_long, Invalid::TooLong { max: 2048 }),
            ("coopabitare.it", bad(Format::WebUrl)),
            ("ftp://example.org", bad(Format::WebUrl)),
            ("javascript:alert(1)", bad(Format::WebUrl)),
            ("mailto:info@example.org", bad(Format::WebUrl)),
            ("https://", bad(Format::WebUrl)),
            ("https://localhost/", bad(Format::WebUrl)),
            ("https://exa mple.org", bad(Format::WebUrl)),
            ("https://comune.milano.it@evil.example", bad(Format::WebUrl)),
            ("https://user:pw@example.org", bad(Format::WebUrl)),
            ("www.", bad(Format::WebUrl)),
            ("wwwà", bad(Format::WebUrl)),
        ];
        assert_refused(WebUrl::parse, cases);
    }

    #[test]
    fn phone_accepts_and_normalises() {
        for (raw, expected) in [
            ("02 1234 5678", "+390212345678"),
            ("+39 02 1234 5678", "+390212345678"),
            ("0039 02 12345678", "+390212345678"),
            ("02/12345678", "+390212345678"),
            ("(02) 1234-5678", "+390212345678"),
            ("333.123.4567", "+393331234567"),
            ("+41 22 123 45 67", "+41221234567"),
            ("800 123", "+39800123"),
        ] {
            assert_eq!(
                PhoneNumber::parse(raw)
                    .map(PhoneNumber::into_inner)
                    .as_deref(),
                Ok(expected),
                "{raw}"
            );
        }
        assert_eq!(
            PhoneNumber::parse("02 1234 5678").map(|p| p.tel_uri()),
            Ok("tel:+390212345678".to_owned())
        );
    }

    #[test]
    fn phone_refuses() {
        let cases: &[(&str, Invalid)] = &[
            ("", Invalid::Required),
            ("12345", bad(Format::PhoneNumber)),
            ("+39 12345", bad(Format::PhoneNumber)),
            ("1234567890123456", bad(Format::PhoneNumber)),
            ("02 1234 5678 int. 3", bad(Format::PhoneNumber)),
            ("02+12345678", bad(Format::PhoneNumber)),
            ("++39 02 12345678", bad(Format::PhoneNumber)),
            ("tel: 02 12345678", bad(Format::PhoneNumber)),
            ("+", bad(Format::PhoneNumber)),
        ];
        assert_refused(PhoneNumber::parse, cases);
    }
}
