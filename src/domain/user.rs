//! Validation of a new account: email, display name and password become a
//! [`NewUser`], or every problem is reported with its field. Hashing the
//! password and checking that the email is free are the services' job.

use super::contact::Email;
use super::error::{Errors, Invalid, ValidationErrors};
use super::password::Password;
use super::text::DisplayName;

/// A validated sign-up. No Serialize: it carries a clear-text password.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewUser {
    /// Lower-case, as stored in `users.email`.
    pub email: Email,
    pub display_name: DisplayName,
    pub password: Password,
}

impl NewUser {
    /// Fields: `"email"`, `"displayName"`, `"password"`. Besides each
    /// value's rules, a password equal to the email address or to its part
    /// before the `@` (ignoring case) is `TooSimple`: it is the first thing
    /// an attacker tries.
    pub fn parse(
        email: &str,
        display_name: &str,
        password: &str,
    ) -> Result<Self, ValidationErrors> {
        let mut errs = Errors::new();
        let email = errs.check("email", Email::parse(email));
        let display_name = errs.check("displayName", DisplayName::parse(display_name));
        let password = errs.check("password", Password::parse(password));
        if let (Some(email), Some(password)) = (&email, &password) {
            let guess = password.expose().trim().to_lowercase();
            let local = email.as_str().split('@').next().unwrap_or_default();
            if guess == email.as_str() || guess == local {
                errs.push("password", Invalid::TooSimple);
            }
        }
        errs.build(|| {
            Some(Self {
                email: email?,
                display_name: display_name?,
                password: password?,
            })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::error::Format;

    #[test]
    fn accepts_a_valid_sign_up() {
        let user = NewUser::parse(
            " Giulia.Bianchi@Example.org ",
            " Giulia  B. ",
            "una frase lunga",
        )
        .expect("valid");
        assert_eq!(user.email.as_str(), "giulia.bianchi@example.org");
        assert_eq!(user.display_name.as_str(), "Giulia B.");
        assert_eq!(user.password.expose(), "una frase lunga");
        assert!(!format!("{user:?}").contains("una frase lunga"));
    }

    #[test]
    fn reports_every_problem_with_its_field() {
        type Fields<'a> = (&'a str, &'a str, &'a str);
        let cases: &[(Fields, &[(&str, Invalid)])] = &[
            (
                ("", "", ""),
                &[
                    ("email", Invalid::Required),
                    ("displayName", Invalid::Required),
                    ("password", Invalid::Required),
                ],
            ),
            (
                ("giulia", "Giulia", "short"),
                &[
                    (
                        "email",
                        Invalid::BadFormat {
                            expected: Format::Email,
                        },
                    ),
                    ("password", Invalid::TooShort { min: 10 }),
                ],
            ),
            (
                ("giulia@example.org", &"G".repeat(101), "xxxxxxxxxxxx"),
                &[
                    ("displayName", Invalid::TooLong { max: 100 }),
                    ("password", Invalid::TooSimple),
                ],
            ),
            (
                ("giulia.bianchi@example.org", "Giulia", "Giulia.Bianchi"),
                &[("password", Invalid::TooSimple)],
            ),
            (
                (
                    "giulia.bianchi@example.org",
                    "Giulia",
                    "giulia.bianchi@example.org",
                ),
                &[("password", Invalid::TooSimple)],
            ),
        ];
        for ((email, name, password), expected) in cases {
            let errors = NewUser::parse(email, name, password).expect_err("invalid");
            let got: Vec<(&str, &Invalid)> = errors
                .iter()
                .map(|e| (e.field.as_str(), &e.reason))
                .collect();
            let expected: Vec<(&str, &Invalid)> = expected.iter().map(|(f, r)| (*f, r)).collect();
            assert_eq!(got, expected, "{email} {name}");
        }
    }
}
