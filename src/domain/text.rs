//! Bounded human texts (names, titles, descriptions, labels) and sector
//! codes. Lengths count characters, not bytes: "Società" is 7 long.
//!
//! Single-line texts collapse runs of whitespace (pasted names often carry
//! double spaces or line breaks, which would make duplicates look different);
//! descriptions keep their line breaks.
//!
//! Invisible characters are handled by where they stand (see
//! [`trim_pasted`] and [`check_invisible`]):
//! - at either end of a text they are dropped, like spaces: a zero-width
//!   space, a byte-order mark or a direction mark there is what copying
//!   from a web page or a word processor leaves, the person did not mean
//!   it and could not see it, so an error about it would only puzzle them;
//! - inside a single-line text (a name, a title) a format character is
//!   refused: "AL\u{200B}ER" looks like "ALER" but is another name, escapes
//!   duplicate checks and search, and breaks a word for screen readers. Two
//!   uses are real writing and stay: the joiners (ZWJ, ZWNJ) between two
//!   letters of the scripts that need them (Arabic, Persian, the Indic
//!   scripts), and a ZWJ inside an emoji sequence;
//! - bidirectional embeddings, overrides and isolates are refused anywhere,
//!   even at the ends: they change how the text after them is displayed
//!   (the "Trojan Source" trick) and nobody types them by accident;
//! - control characters are refused anywhere (descriptions keep newline and
//!   tab).

use unicode_properties::{
    GeneralCategory, GeneralCategoryGroup, UnicodeEmoji, UnicodeGeneralCategory,
};

use super::error::{Format, Invalid};
use super::newtype::string_newtype;

/// Bidirectional embedding, override and isolate characters: invisible, and
/// able to make a name read differently from what it is.
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Invisible format characters (Unicode category Cf: zero-width spaces and
/// joiners, direction marks, the byte-order mark, the soft hyphen, tags...).
fn is_format(c: char) -> bool {
    c.general_category() == GeneralCategory::Format
}

/// The raw text without the whitespace and the invisible format characters
/// at its ends (bidirectional controls excepted: those are refused, never
/// silently dropped). For every text a person pastes, including e-mail
/// addresses, web addresses and codes.
pub fn trim_pasted(raw: &str) -> &str {
    raw.trim_matches(|c: char| c.is_whitespace() || (is_format(c) && !is_bidi_control(c)))
}

/// Whether the joiner at `chars[i]` is part of real writing: between two
/// letters of a script that uses joiners, or inside an emoji sequence.
fn joiner_in_use(chars: &[char], i: usize) -> bool {
    let (Some(&before), Some(&after)) = (
        i.checked_sub(1).and_then(|b| chars.get(b)),
        chars.get(i + 1),
    ) else {
        return false;
    };
    // Arabic (with Persian and Urdu), Syriac, Thaana, N'Ko and the Indic
    // scripts, and the Arabic presentation forms.
    // A letter or a mark (an Indic virama before a joiner) of those scripts.
    let joining_script = |c: char| {
        matches!(
            c.general_category_group(),
            GeneralCategoryGroup::Letter | GeneralCategoryGroup::Mark
        ) && matches!(c, '\u{0600}'..='\u{0DFF}' | '\u{FB50}'..='\u{FDFF}' | '\u{FE70}'..='\u{FEFF}')
    };
    // An emoji, or what follows one inside a sequence (the emoji
    // presentation selector, a skin-tone modifier).
    let emoji = |c: char| !c.is_ascii() && (c.is_emoji_char() || c == '\u{FE0F}');
    match chars[i] {
        '\u{200C}' => joining_script(before) && joining_script(after),
        '\u{200D}' => {
            (joining_script(before) && joining_script(after)) || (emoji(before) && emoji(after))
        }
        _ => false,
    }
}

/// Refuses control characters (but those `allowed`), bidirectional
/// controls, and, when `format_inside` is false, format characters inside
/// the text (see the module's notes). `text` is already trimmed.
fn check_invisible(
    text: &str,
    allowed: impl Fn(char) -> bool,
    format_inside: bool,
) -> Result<(), Invalid> {
    let chars: Vec<char> = text.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        let refused = (c.is_control() && !allowed(c))
            || is_bidi_control(c)
            || (!format_inside && is_format(c) && !joiner_in_use(&chars, i));
        if refused {
            return Err(Invalid::ControlCharacters);
        }
    }
    Ok(())
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

/// The rules of every single-line text: invisible characters at the ends
/// are dropped and elsewhere refused (see the module's notes), blank is
/// `Required`, whitespace runs become one space, then the length is checked.
fn single_line(raw: &str, min: usize, max: usize) -> Result<String, Invalid> {
    let raw = trim_pasted(raw);
    // Whitespace controls (tab, newline) are collapsed below, not refused.
    check_invisible(raw, char::is_whitespace, false)?;
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

            /// Trims (whitespace and invisible characters at the ends) and
            /// collapses whitespace. Fails with `Required` when blank,
            /// `ControlCharacters` (control, bidirectional or, inside the
            /// text, invisible format characters), `TooShort` or `TooLong`.
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

    /// Trims the text (whitespace and invisible characters at the ends) and
    /// normalises line endings. Fails with `ControlCharacters` (a control
    /// character but newline and tab, or a bidirectional control) or
    /// `TooLong`. Format characters inside are kept: in several paragraphs
    /// of mixed scripts, direction marks and joiners are part of writing,
    /// and a description is not a name anyone looks up or compares.
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        let text = several_lines(raw)?;
        check_length(&text, 0, Self::MAX_CHARS)?;
        Ok(Self(text))
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// A text of several lines as people write it: line endings as `\n`,
/// trimmed (whitespace and invisible characters at the ends), refused with
/// `ControlCharacters` when it holds a control character (but newline and
/// tab) or a bidirectional control. Format characters inside are kept (see
/// [`Description::parse`]).
fn several_lines(raw: &str) -> Result<String, Invalid> {
    let text = raw.replace("\r\n", "\n").replace('\r', "\n");
    let text = trim_pasted(&text);
    check_invisible(text, |c| c == '\n' || c == '\t', true)?;
    Ok(text.to_owned())
}

/// The body of a message in a conversation: plain text of 1 to 4,000
/// characters, line breaks kept. Links stay text: clients show them as
/// links, so nothing of what people write is ever rendered as markup.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct MessageBody(String);

string_newtype!(MessageBody);

impl MessageBody {
    /// Long enough for a proper reply, short enough to stay a message (a
    /// document belongs in the project's documents).
    pub const MAX_CHARS: usize = 4_000;

    /// Normalised as [`Description::parse`]. Fails with `Required` when
    /// nothing is left, `ControlCharacters` or `TooLong`.
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        let text = several_lines(raw)?;
        if text.is_empty() {
            return Err(Invalid::Required);
        }
        check_length(&text, 1, Self::MAX_CHARS)?;
        Ok(Self(text))
    }
}

/// The text of a co-design agreement as a partner writes it: 1 to 50,000
/// characters, line breaks and tabs kept, no other control or invisible
/// characters (a NUL would be refused by PostgreSQL, and a bidirectional
/// override could make the signed text read otherwise than it hashes). The
/// agreement normalises line ends and blank lines itself before it hashes.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct AgreementText(String);

string_newtype!(AgreementText);

impl AgreementText {
    /// A long pact runs to a few pages; fifty thousand characters is about
    /// twenty, and keeps the PDF's layout and every approval's hash cheap.
    pub const MAX_CHARS: usize = 50_000;

    /// Fails with `Required` when nothing is left, `ControlCharacters` or
    /// `TooLong`.
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        let text = several_lines(raw)?;
        if text.trim().is_empty() {
            return Err(Invalid::Required);
        }
        check_length(&text, 1, Self::MAX_CHARS)?;
        Ok(Self(text))
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
    use crate::domain::error::testing::assert_refused;

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
    fn invisible_characters_at_the_ends_are_dropped() {
        // What a copy from a web page or a word processor leaves behind.
        for raw in [
            "Portierato sociale\u{200B}",
            "\u{FEFF}Portierato sociale",
            "\u{200E}Portierato sociale\u{200F} ",
            " \u{2060}Portierato sociale\u{00AD}\u{200B}\n",
        ] {
            assert_eq!(
                Title::parse(raw).map(Title::into_inner).as_deref(),
                Ok("Portierato sociale"),
                "{raw:?}"
            );
        }
        assert_eq!(
            trim_pasted(" \u{200B}anna@example.org\u{FEFF}"),
            "anna@example.org"
        );
        assert_eq!(
            Description::parse("\u{FEFF}Riga uno\nRiga due\u{200B}").map(Description::into_inner),
            Ok("Riga uno\nRiga due".to_owned())
        );
        // Nothing but invisible characters is blank.
        assert_eq!(OrgName::parse("\u{200B}\u{FEFF}"), Err(Invalid::Required));
    }

    #[test]
    fn a_message_body_is_plain_text_of_one_to_four_thousand_characters() {
        assert_eq!(
            MessageBody::parse("  Ciao,\r\nvedi https://example.org/a?b=1  ")
                .map(MessageBody::into_inner),
            Ok("Ciao,\nvedi https://example.org/a?b=1".to_owned())
        );
        assert_eq!(MessageBody::parse(" \n\u{200B} "), Err(Invalid::Required));
        assert!(MessageBody::parse(&"è".repeat(4_000)).is_ok());
        assert_eq!(
            MessageBody::parse(&"è".repeat(4_001)),
            Err(Invalid::TooLong { max: 4_000 })
        );
        assert_eq!(
            MessageBody::parse("testo\u{202E}rovescio"),
            Err(Invalid::ControlCharacters)
        );
        assert_eq!(
            MessageBody::parse("a\u{0007}b"),
            Err(Invalid::ControlCharacters)
        );
    }

    #[test]
    fn invisible_characters_inside_a_name_are_refused() {
        for raw in [
            "AL\u{200B}ER Milano",
            "Coop\u{200C}erativa Sole",
            "Coop\u{200D}erativa Sole",
            "Banca\u{200F} Etica",
            "Banca\u{2060}Etica",
            "Banca\u{00AD}Etica",
            "Banca\u{FEFF}Etica",
            "Banca Etica\u{E0041}\u{E0042}x",
            // Direction controls are refused even at the ends.
            "Banca Etica\u{202E}",
            "\u{2067}Banca Etica",
            "Banca\u{202D}Etica",
        ] {
            assert_eq!(
                OrgName::parse(raw),
                Err(Invalid::ControlCharacters),
                "{raw:?}"
            );
        }
        assert_eq!(
            Description::parse("Testo\u{202E}rovescio"),
            Err(Invalid::ControlCharacters)
        );
    }

    #[test]
    fn joiners_that_belong_to_writing_stay() {
        // Persian needs the zero-width non-joiner ("mi-khaham"), emoji
        // sequences the zero-width joiner.
        for raw in [
            "انجمن می\u{200C}خواهم",
            "Laboratorio 👩\u{200D}💻 di quartiere",
            "Sportello 👁\u{FE0F}\u{200D}🗨\u{FE0F}",
            "क्\u{200D}ष संघ",
        ] {
            assert_eq!(
                Title::parse(raw).map(Title::into_inner).as_deref(),
                Ok(raw),
                "{raw:?}"
            );
        }
        // Descriptions keep format characters inside (mixed scripts).
        assert!(Description::parse("Nome: \u{200F}انجمن\u{200F} (Milano)").is_ok());
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
        assert_refused(SectorCode::parse, cases);
    }

    #[test]
    fn agreement_text() {
        let pact = "Art. 1\n\tOggetto: la cura delle scale.\n";
        assert_eq!(
            AgreementText::parse(pact).map(AgreementText::into_inner),
            Ok(pact.trim_end().to_owned())
        );
        assert!(AgreementText::parse(&"è".repeat(AgreementText::MAX_CHARS)).is_ok());
        let cases: &[(String, Invalid)] = &[
            (" \n\t ".into(), Invalid::Required),
            ("Testo\u{0}nascosto".into(), Invalid::ControlCharacters),
            ("firmato \u{202E}otadrof".into(), Invalid::ControlCharacters),
            (
                "è".repeat(AgreementText::MAX_CHARS + 1),
                Invalid::TooLong {
                    max: AgreementText::MAX_CHARS,
                },
            ),
        ];
        assert_refused(AgreementText::parse, cases);
    }
}
