//! Bounded human texts (names, titles, descriptions, labels) and sector
//! codes. Lengths count characters, not bytes: "Società" is 7 long.
//!
//! Single-line texts collapse runs of whitespace (pasted names often carry
//! double spaces or line breaks, which would make duplicates look different);
//! descriptions keep their line breaks. Control characters and the invisible
//! direction overrides used to disguise text ("Trojan Source") are refused.

use super::error::{Format, Invalid};
use super::newtype::string_newtype;

/// Bidirectional embedding, override and isolate characters: invisible, and
/// able to make a name read differently from what it is.
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

fn check_length(text: &str, min: usize, max: usize) -> Result<(), Invalid> {
    let count = text.chars().count();
    if count < min {
        Err(Invalid::TooShort { min })
    } else if count > max {
        Err(Invalid::TooLong { max })
    } else {
        Ok(())
    }
}

/// The rules of every single-line text: blank is `Required`, whitespace runs
/// become one space, then the length is checked.
fn single_line(raw: &str, min: usize, max: usize) -> Result<String, Invalid> {
    if raw
        .chars()
        .any(|c| (c.is_control() && !c.is_whitespace()) || is_bidi_control(c))
    {
        return Err(Invalid::ControlCharacters);
    }
    let text = raw.split_whitespace().collect::<Vec<_>>().join(" ");
    if text.is_empty() {
        return Err(Invalid::Required);
    }
    check_length(&text, min, max)?;
    Ok(text)
}

/// Declares a single-line text newtype with its bounds (in characters).
macro_rules! single_line_text {
    ($(#[$meta:meta])* $name:ident, $min:expr, $max:expr) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(String);

        string_newtype!($name);

        impl $name {
            pub const MIN_CHARS: usize = $min;
            pub const MAX_CHARS: usize = $max;

            /// Trims and collapses whitespace. Fails with `Required` when
            /// blank, `ControlCharacters`, `TooShort` or `TooLong`.
            pub fn parse(raw: &str) -> Result<Self, Invalid> {
                single_line(raw, $min, $max).map(Self)
            }
        }
    };
}

single_line_text!(
    /// An organisation's name: 2 to 200 characters.
    OrgName,
    2,
    200
);

single_line_text!(
    /// The title of an offer, a need or a project: 3 to 200 characters.
    Title,
    3,
    200
);

single_line_text!(
    /// A user's public name: 1 to 100 characters.
    DisplayName,
    1,
    100
);

single_line_text!(
    /// The name a user gives a saved search: 1 to 100 characters.
    SearchName,
    1,
    100
);

single_line_text!(
    /// A short free text (an address, a contact's label): up to 300
    /// characters.
    ShortText,
    1,
    300
);

/// A long free text: up to 20,000 characters, may be empty, keeps line
/// breaks and tabs. Line endings are stored as `\n`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Description(String);

string_newtype!(Description);

impl Description {
    pub const MAX_CHARS: usize = 20_000;

    /// Trims the text and normalises line endings. Fails with
    /// `ControlCharacters` (anything but newline and tab) or `TooLong`.
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        let text = raw.replace("\r\n", "\n").replace('\r', "\n");
        if text
            .chars()
            .any(|c| (c.is_control() && c != '\n' && c != '\t') || is_bidi_control(c))
        {
            return Err(Invalid::ControlCharacters);
        }
        let text = text.trim();
        check_length(text, 0, Self::MAX_CHARS)?;
        Ok(Self(text.to_owned()))
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// A sector code of the sectors taxonomy (`housing`, `social_inclusion`):
/// 1 to 50 characters among `a-z`, `0-9` and `_`. Only the shape is checked
/// here; whether the sector exists is the services' business.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SectorCode(String);

string_newtype!(SectorCode);

impl SectorCode {
    pub const MAX_CHARS: usize = 50;

    /// Trims and lower-cases (codes typed in a CSV are often upper case).
    /// Fails with `Required`, `TooLong` or `BadFormat`.
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        let code = raw.trim().to_ascii_lowercase();
        if code.is_empty() {
            return Err(Invalid::Required);
        }
        if !code
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
        {
            return Err(Invalid::BadFormat {
                expected: Format::SectorCode,
            });
        }
        check_length(&code, 1, Self::MAX_CHARS)?;
        Ok(Self(code))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn org_name() {
        let ok: &[(&str, &str)] = &[
            (
                "Cooperativa Sociale Lotta contro l'Emarginazione",
                "Cooperativa Sociale Lotta contro l'Emarginazione",
            ),
            ("  ALER   Milano\n", "ALER Milano"),
            ("Società\tCooperativa", "Società Cooperativa"),
            ("AB", "AB"),
        ];
        for (raw, expected) in ok {
            assert_eq!(
                OrgName::parse(raw).map(OrgName::into_inner).as_deref(),
                Ok(*expected)
            );
        }
        let bad: &[(String, Invalid)] = &[
            (String::new(), Invalid::Required),
            (" \n\t ".into(), Invalid::Required),
            ("A".into(), Invalid::TooShort { min: 2 }),
            // Two characters, but one of them is only whitespace.
            ("A ".into(), Invalid::TooShort { min: 2 }),
            ("à".repeat(201), Invalid::TooLong { max: 200 }),
            ("ACME\u{0}".into(), Invalid::ControlCharacters),
            ("Banca\u{202E}acnaB".into(), Invalid::ControlCharacters),
        ];
        for (raw, reason) in bad {
            assert_eq!(OrgName::parse(raw).as_ref(), Err(reason), "{raw:?}");
        }
        // Counted in characters: 200 two-byte letters fit.
        assert!(OrgName::parse(&"à".repeat(200)).is_ok());
    }

    #[test]
    fn title_display_name_short_text() {
        assert_eq!(Title::parse("Ab"), Err(Invalid::TooShort { min: 3 }));
        assert!(Title::parse("Portierato sociale a San Siro").is_ok());
        assert_eq!(
            Title::parse(&"x".repeat(201)),
            Err(Invalid::TooLong { max: 200 })
        );
        assert!(DisplayName::parse("M").is_ok());
        assert_eq!(DisplayName::parse(""), Err(Invalid::Required));
        assert_eq!(
            DisplayName::parse(&"é".repeat(101)),
            Err(Invalid::TooLong { max: 100 })
        );
        assert_eq!(
            ShortText::parse("Via Giambellino 129,\n20146 Milano").map(ShortText::into_inner),
            Ok("Via Giambellino 129, 20146 Milano".to_owned())
        );
        assert_eq!(
            ShortText::parse(&"a".repeat(301)),
            Err(Invalid::TooLong { max: 300 })
        );
        assert_eq!(ShortText::parse("\u{7}"), Err(Invalid::ControlCharacters));
    }

    #[test]
    fn description() {
        assert_eq!(Description::parse("").map(|d| d.is_empty()), Ok(true));
        assert_eq!(Description::parse("   \n ").map(|d| d.is_empty()), Ok(true));
        assert_eq!(
            Description::parse("  Riga uno\r\n\r\n\tRiga due  ").map(Description::into_inner),
            Ok("Riga uno\n\n\tRiga due".to_owned())
        );
        assert!(Description::parse(&"è".repeat(20_000)).is_ok());
        assert_eq!(
            Description::parse(&"è".repeat(20_001)),
            Err(Invalid::TooLong { max: 20_000 })
        );
        assert_eq!(
            Description::parse("a\u{1b}[31m"),
            Err(Invalid::ControlCharacters)
        );
        assert_eq!(
            Description::parse("a\u{2066}b"),
            Err(Invalid::ControlCharacters)
        );
    }

    #[test]
    fn sector_code() {
        assert_eq!(
            SectorCode::parse(" Social_Housing ").map(SectorCode::into_inner),
            Ok("social_housing".to_owned())
        );
        assert!(SectorCode::parse("a").is_ok());
        assert!(SectorCode::parse(&"a".repeat(50)).is_ok());
        let bad_format = Invalid::BadFormat {
            expected: Format::SectorCode,
        };
        let cases: &[(String, Invalid)] = &[
            (String::new(), Invalid::Required),
            ("a".repeat(51), Invalid::TooLong { max: 50 }),
            ("social-housing".into(), bad_format.clone()),
            ("social housing".into(), bad_format.clone()),
            ("abitazione_è".into(), bad_format),
        ];
        for (raw, reason) in cases {
            assert_eq!(SectorCode::parse(raw).as_ref(), Err(reason), "{raw:?}");
        }
    }
}
