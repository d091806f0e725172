//! Italian tax identifiers: the codice fiscale ([`TaxCode`], 11 digits for
//! organisations or 16 characters for people) and the partita IVA
//! ([`VatNumber`]), both checked with their official check digit.

use super::error::{Format, Invalid};
use super::newtype::string_newtype;

/// Trim, drop inner spaces (people copy codes grouped "RSS MRA 85T10 A562S")
/// and upper-case.
fn normalise(raw: &str) -> String {
    super::text::trim_pasted(raw)
        .chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

/// The check digit shared by the 11-digit codice fiscale and the partita IVA
/// (a Luhn check): digits in odd positions count as they are, digits in even
/// positions are doubled (minus 9 above 9); the check digit brings the total
/// to a multiple of 10.
fn numeric_checksum_ok(digits: &[u8]) -> bool {
    // All zeros passes the arithmetic but is no one's code: a placeholder
    // typed to get past a form.
    if digits.iter().all(|b| *b == b'0') {
        return false;
    }
    let Some((&check, body)) = digits.split_last() else {
        return false;
    };
    let sum: u32 = body
        .iter()
        .enumerate()
        .map(|(i, &d)| {
            let d = u32::from(d - b'0');
            if i % 2 == 0 {
                d
            } else if d * 2 > 9 {
                d * 2 - 9
            } else {
                d * 2
            }
        })
        .sum();
    (10 - sum % 10) % 10 == u32::from(check - b'0')
}

/// Letters that replace digits in a personal code when two people would
/// otherwise get the same code ("omocodia"): L=0, M=1, ... V=9.
const OMOCODIA: &[u8; 10] = b"LMNPQRSTUV";

/// Month letters of a personal code, January to December.
const MONTHS: &[u8; 12] = b"ABCDEHLMPRST";

/// Indexes of the personal code that hold digits (or their omocodia letters).
const DIGIT_POSITIONS: [usize; 7] = [6, 7, 9, 10, 12, 13, 14];

/// The digit value of a character in a digit position, if it is one.
fn digit_value(c: u8) -> Option<u8> {
    if c.is_ascii_digit() {
        Some(c - b'0')
    } else {
        OMOCODIA
            .iter()
            .position(|&l| l == c)
            .and_then(|p| u8::try_from(p).ok())
    }
}

/// Values of characters in odd positions (1st, 3rd, ... counting from 1),
/// from the official table; digits 0-9 share the values of letters A-J.
const ODD_VALUES: [u32; 26] = [
    1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 2, 4, 18, 20, 11, 3, 6, 8, 12, 14, 16, 10, 22, 25, 24, 23,
];

/// The check character of the first 15 characters of a personal code, which
/// must be ASCII upper-case letters or digits.
fn personal_check_char(body: &[u8]) -> u8 {
    let sum: u32 = body
        .iter()
        .take(15)
        .enumerate()
        .map(|(i, &c)| {
            // Digits count as the letters A-J; callers pass only [0-9A-Z].
            let index = usize::from(if c.is_ascii_digit() {
                c - b'0'
            } else {
                c.wrapping_sub(b'A')
            });
            if i % 2 == 0 {
                ODD_VALUES.get(index).copied().unwrap_or(0)
            } else {
                u32::try_from(index).unwrap_or(0)
            }
        })
        .sum();
    // sum % 26 < 26, so the cast cannot truncate.
    b'A' + (sum % 26) as u8
}

/// Whether a 16-character upper-case code has the personal shape: six
/// letters, year, month letter, day (plus 40 for women), birthplace code, and
/// a check letter, with omocodia letters allowed where digits go.
fn personal_shape_ok(code: &[u8]) -> bool {
    let letters_ok = [0, 1, 2, 3, 4, 5, 8, 11, 15]
        .iter()
        .all(|&i| code[i].is_ascii_uppercase());
    let digits_ok = DIGIT_POSITIONS
        .iter()
        .all(|&i| digit_value(code[i]).is_some());
    if !(letters_ok && digits_ok && MONTHS.contains(&code[8])) {
        return false;
    }
    let day = match (digit_value(code[9]), digit_value(code[10])) {
        (Some(tens), Some(units)) => tens * 10 + units,
        _ => return false,
    };
    (1..=31).contains(&day) || (41..=71).contains(&day)
}

/// An Italian codice fiscale: 11 digits for organisations (leading zeros
/// kept) or 16 characters for people. Stored normalised: no spaces, upper
/// case.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TaxCode(String);

string_newtype!(TaxCode);

impl TaxCode {
    /// Fails with `Required` when blank, `BadFormat` when neither 11 digits
    /// nor the 16-character personal shape, and `BadChecksum` when the check
    /// digit or letter does not match (usually a typo).
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        let code = normalise(raw);
        let bytes = code.as_bytes();
        let bad_format = Invalid::BadFormat {
            expected: Format::TaxCode,
        };
        match bytes.len() {
            0 => Err(Invalid::Required),
            11 if bytes.iter().all(u8::is_ascii_digit) => {
                if numeric_checksum_ok(bytes) {
                    Ok(Self(code))
                } else {
                    Err(Invalid::BadChecksum)
                }
            }
            16 if personal_shape_ok(bytes) => {
                if personal_check_char(bytes) == bytes[15] {
                    Ok(Self(code))
                } else {
                    Err(Invalid::BadChecksum)
                }
            }
            _ => Err(bad_format),
        }
    }

    /// Whether this is a person's code (16 characters) rather than an
    /// organisation's (11 digits). A sole trader or an informal group's
    /// referent may use a personal code: it is personal data.
    pub fn is_personal(&self) -> bool {
        self.0.len() == 16
    }
}

/// An Italian partita IVA: 11 digits with a check digit. The "IT" prefix of
/// the EU VAT form is accepted and dropped, so the stored value is always the
/// 11 digits.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct VatNumber(String);

string_newtype!(VatNumber);

impl VatNumber {
    /// Fails with `Required` when blank, `BadFormat` unless 11 digits
    /// (optionally after "IT"), `BadChecksum` when the check digit is wrong.
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        let normalised = normalise(raw);
        let digits = normalised.strip_prefix("IT").unwrap_or(&normalised);
        if normalised.is_empty() {
            return Err(Invalid::Required);
        }
        if digits.len() != 11 || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(Invalid::BadFormat {
                expected: Format::VatNumber,
            });
        }
        if !numeric_checksum_ok(digits.as_bytes()) {
            return Err(Invalid::BadChecksum);
        }
        Ok(Self(digits.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::error::testing::assert_refused;

    #[test]
    fn all_zeros_is_refused_though_its_arithmetic_checks_out() {
        assert_eq!(TaxCode::parse("00000000000"), Err(Invalid::BadChecksum));
        assert_eq!(VatNumber::parse("00000000000"), Err(Invalid::BadChecksum));
    }

    fn bad_format() -> Invalid {
        Invalid::BadFormat {
            expected: Format::TaxCode,
        }
    }

    /// Personal codes published as valid test vectors: the widely used
    /// example RSSMRA85T10A562S, and the codes found online that
    /// python-stdnum (tests/test_it_codicefiscale.doctest) checks, including
    /// its omocodia variants of RSSMRA45C12F205C.
    const PUBLISHED_PERSONAL: &[&str] = &[
        "RSSMRA85T10A562S",
        "MRTNTN23M02D969P",
        "RCCMNL83S18D969H",
        "MRSMSR81D60Z611H",
        "CNTCHR83T41D969D",
        "FOXDRA26C24H872Y",
        "MAILCU91A25F839D",
        "RSSMRA45C12F205C",
        "RSSMRA45C12F20RX",
        "RSSMRA45C12F2L5N",
        "RSSMRA45C12F2LRI",
        "RSSMRAQRCMNFNLRG",
    ];

    #[test]
    fn accepts_published_personal_codes() {
        for code in PUBLISHED_PERSONAL {
            let parsed = TaxCode::parse(code).unwrap_or_else(|e| panic!("{code}: {e}"));
            assert_eq!(parsed.as_str(), *code);
            assert!(parsed.is_personal());
        }
    }

    #[test]
    fn check_char_algorithm_matches_published_codes() {
        for code in PUBLISHED_PERSONAL {
            assert_eq!(
                personal_check_char(code.as_bytes()),
                code.as_bytes()[15],
                "{code}"
            );
        }
    }

    #[test]
    fn accepts_every_omocodia_variant() {
        // Every subset of the seven digit positions replaced by its letter,
        // with the check character recomputed: the published variants above
        // show that is how the Agenzia delle Entrate builds them.
        let base = b"RSSMRA85T10A562S";
        for mask in 0u32..(1 << DIGIT_POSITIONS.len()) {
            let mut code = *base;
            for (bit, &position) in DIGIT_POSITIONS.iter().enumerate() {
                if mask & (1 << bit) != 0 {
                    code[position] = OMOCODIA[usize::from(code[position] - b'0')];
                }
            }
            code[15] = personal_check_char(&code);
            let code = std::str::from_utf8(&code).expect("ascii");
            assert!(TaxCode::parse(code).is_ok(), "{code}");
        }
        // Replacing one digit changes the check character.
        assert_eq!(
            TaxCode::parse("RSSMRA85T10A56NS"),
            Err(Invalid::BadChecksum)
        );
    }

    #[test]
    fn normalises_spaces_and_case() {
        let code = TaxCode::parse("  rssmra 85t10 a562s ").expect("valid");
        assert_eq!(code.as_str(), "RSSMRA85T10A562S");
        let code = TaxCode::parse(" 801 172 301 53 ").expect("valid");
        assert_eq!(code.as_str(), "80117230153");
        assert!(!code.is_personal());
    }

    #[test]
    fn refuses_bad_codes_with_their_reason() {
        let cases: &[(&str, Invalid)] = &[
            ("", Invalid::Required),
            ("   ", Invalid::Required),
            // Check digit or character changed.
            ("80117230154", Invalid::BadChecksum),
            ("RSSMRA85T10A562T", Invalid::BadChecksum),
            ("FOXDRA26C24H872A", Invalid::BadChecksum),
            // A leading zero lost in a spreadsheet.
            ("2249020427", bad_format()),
            ("123456789012", bad_format()),
            ("8011723015A", bad_format()),
            ("80117-230153", bad_format()),
            // "I" is not a month letter.
            ("CSTNGL22I10D086I", bad_format()),
            // Day 32 does not exist (women have 41-71).
            ("CNTCHR83T32D969H", bad_format()),
            ("RSSMRA85T10A562", bad_format()),
            ("RSSMRA85T10A5620", bad_format()),
            ("1SSMRA85T10A562S", bad_format()),
            ("RSSMRA85T10A562SS", bad_format()),
            ("RSSMRÀ85T10A562S", bad_format()),
        ];
        assert_refused(TaxCode::parse, cases);
    }

    #[derive(serde::Deserialize)]
    struct FixtureRow {
        codice_fiscale: String,
        denominazione: String,
    }

    /// Every 11-digit code of the 2014 5x1000 beneficiary list (sports
    /// associations, all of Italy); see tests/fixtures/tax_codes/SOURCE.md.
    #[test]
    fn accepts_every_code_of_the_5x1000_list() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/tax_codes/asd_5x1000_2014.csv"
        );
        let mut reader = csv::Reader::from_path(path).expect("fixture present");
        let mut count = 0;
        let mut leading_zeros = 0;
        for row in reader.deserialize::<FixtureRow>() {
            let row = row.expect("well-formed row");
            let raw = row.codice_fiscale.as_str();
            let code = TaxCode::parse(raw)
                .unwrap_or_else(|e| panic!("{raw} ({}): {e}", row.denominazione));
            assert_eq!(code.as_str(), raw, "leading zeros kept");
            assert!(!code.is_personal());
            if let Some(shortened) = raw.strip_prefix('0') {
                leading_zeros += 1;
                // What a spreadsheet does to such a code.
                assert_eq!(TaxCode::parse(shortened), Err(bad_format()), "{raw}");
            }

            // Any single wrong digit is caught: change the last one.
            let mut typo = raw.as_bytes().to_vec();
            typo[10] = b'0' + (typo[10] - b'0' + 1) % 10;
            let typo = String::from_utf8(typo).expect("ascii");
            assert_eq!(TaxCode::parse(&typo), Err(Invalid::BadChecksum), "{typo}");

            // So is swapping two neighbouring digits, except 0 and 9 (the
            // one transposition a Luhn check cannot see).
            let bytes = raw.as_bytes();
            if let Some(i) = (0..10).find(|&i| {
                bytes[i] != bytes[i + 1]
                    && !matches!((bytes[i], bytes[i + 1]), (b'0', b'9') | (b'9', b'0'))
            }) {
                let mut swapped = bytes.to_vec();
                swapped.swap(i, i + 1);
                let swapped = String::from_utf8(swapped).expect("ascii");
                assert_eq!(
                    TaxCode::parse(&swapped),
                    Err(Invalid::BadChecksum),
                    "{swapped}"
                );
            }
            count += 1;
        }
        assert_eq!(count, 6893);
        assert_eq!(leading_zeros, 2826);
    }

    #[test]
    fn vat_number() {
        for (raw, expected) in [
            ("00488410010", "00488410010"),
            ("IT00488410010", "00488410010"),
            ("it 004 884 100 10", "00488410010"),
            ("02249020427", "02249020427"),
        ] {
            assert_eq!(
                VatNumber::parse(raw).map(VatNumber::into_inner).as_deref(),
                Ok(expected),
                "{raw}"
            );
        }
        let bad = Invalid::BadFormat {
            expected: Format::VatNumber,
        };
        let cases: &[(&str, Invalid)] = &[
            ("", Invalid::Required),
            ("IT", bad.clone()),
            ("0048841001", bad.clone()),
            ("DE00488410010", bad.clone()),
            ("RSSMRA85T10A562S", bad),
            ("00488410011", Invalid::BadChecksum),
        ];
        assert_refused(VatNumber::parse, cases);
    }

    #[test]
    fn serde_goes_through_parse() {
        let code: TaxCode = serde_json::from_str("\"rssmra85t10a562s\"").expect("valid");
        assert_eq!(
            serde_json::to_string(&code).expect("serialisable"),
            "\"RSSMRA85T10A562S\""
        );
        assert!(serde_json::from_str::<TaxCode>("\"RSSMRA85T10A562T\"").is_err());
    }
}
