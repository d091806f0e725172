//! [`Password`]: a new password's rules, and a type that never prints its
//! content (not in Debug, not in logs, never serialised).

use std::fmt;

use super::error::Invalid;

/// A password chosen by a user, before hashing. Deliberately without
/// Display or Serialize, and with a Debug that hides the content, so it
/// cannot leak through a log line or an API response by accident.
#[derive(Clone, PartialEq, Eq)]
pub struct Password(String);

impl Password {
    pub const MIN_CHARS: usize = 10;
    pub const MAX_CHARS: usize = 128;

    /// Kept exactly as typed (spaces are legitimate in a passphrase). Fails
    /// with `Required`, `TooShort` (under 10 characters), `TooLong` (over
    /// 128, which also bounds the hashing cost) or `TooSimple` (a single
    /// repeated character).
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        if raw.is_empty() {
            return Err(Invalid::Required);
        }
        let count = raw.chars().count();
        if count < Self::MIN_CHARS {
            return Err(Invalid::TooShort {
                min: Self::MIN_CHARS,
            });
        }
        if count > Self::MAX_CHARS {
            return Err(Invalid::TooLong {
                max: Self::MAX_CHARS,
            });
        }
        let mut chars = raw.chars();
        let first = chars.next();
        if chars.all(|c| Some(c) == first) {
            return Err(Invalid::TooSimple);
        }
        Ok(Self(raw.to_owned()))
    }

    /// The content, for the password hasher only.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(***)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_reasonable_passwords() {
        for raw in [
            "correct horse battery",
            "Trama-2026!",
            "àèìòùàèìòù",
            &"ab".repeat(64),
            " leading and trailing ",
        ] {
            let password = Password::parse(raw).expect(raw);
            assert_eq!(password.expose(), raw);
        }
    }

    #[test]
    fn refuses_weak_passwords() {
        let cases: &[(String, Invalid)] = &[
            (String::new(), Invalid::Required),
            ("short".into(), Invalid::TooShort { min: 10 }),
            // Nine two-byte characters are nine characters, not eighteen.
            ("è".repeat(9), Invalid::TooShort { min: 10 }),
            ("a".repeat(129), Invalid::TooLong { max: 128 }),
            ("aaaaaaaaaaaa".into(), Invalid::TooSimple),
            (" ".repeat(12), Invalid::TooSimple),
        ];
        for (raw, reason) in cases {
            assert_eq!(
                Password::parse(raw).as_ref(),
                Err(reason),
                "{} chars",
                raw.len()
            );
        }
    }

    #[test]
    fn debug_hides_the_content() {
        let password = Password::parse("segretissima").expect("valid");
        assert_eq!(format!("{password:?}"), "Password(***)");
        assert_eq!(format!("{:?}", Some(password)), "Some(Password(***))");
    }
}
