//! Money: [`EuroCents`], a non-negative amount in integer euro cents (never
//! floats) up to [`EuroCents::MAX`], its Italian and plain text forms, and
//! [`AmountRange`], an optional minimum and maximum that cannot be inverted.

use serde::{Deserialize, Deserializer, Serialize};

use super::bounds::{Bounds, ordered};
use super::error::{Format, Invalid, Lang};

/// A non-negative amount of money in euro cents.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct EuroCents(i64);

impl EuroCents {
    pub const ZERO: Self = Self(0);

    /// The largest amount Trama stores: one billion euro. Far above any
    /// budget, grant or loan of a metropolitan area's social economy (so a
    /// larger one is a typo: cents typed as euros, digits repeated), and far
    /// below 2^53 cents (about 90 thousand billion euro), the largest whole
    /// number JavaScript, and so every browser and most JSON tools, reads
    /// exactly: an amount Trama shows is the amount it holds.
    pub const MAX: Self = Self(100_000_000_000);

    /// Fails with `Negative` below zero and `AmountTooLarge` above
    /// [`Self::MAX`].
    pub fn new(cents: i64) -> Result<Self, Invalid> {
        if cents < 0 {
            Err(Invalid::Negative)
        } else if cents > Self::MAX.0 {
            Err(Invalid::AmountTooLarge { max: Self::MAX })
        } else {
            Ok(Self(cents))
        }
    }

    /// Whole euros, for constants and tests.
    pub const fn from_euros(euros: u32) -> Self {
        Self(euros as i64 * 100)
    }

    pub const fn cents(self) -> i64 {
        self.0
    }

    /// Parses an amount in euros as people write it, for imports and forms:
    /// Italian `25.000,50`, plain `25000.50`, English `25,000.50`, with an
    /// optional `€` or `EUR` and spaces.
    ///
    /// A single separator followed by exactly three digits is a thousands
    /// separator (`1.250` is one thousand two hundred and fifty euros, as an
    /// Italian reads it); followed by one or two digits it is the decimal
    /// separator. With both separators, the last one is the decimal one.
    ///
    /// Fails with `Required` when blank, `Negative`, `AmountTooLarge` above
    /// [`Self::MAX`], or `BadFormat` (also for more than two decimals and
    /// numbers too long to read).
    pub fn from_euros_str(raw: &str) -> Result<Self, Invalid> {
        let bad = Invalid::BadFormat {
            expected: Format::Amount,
        };
        let mut text: String = raw.chars().filter(|c| !c.is_whitespace()).collect();
        for symbol in ["€", "EUR", "eur", "Eur"] {
            if let Some(rest) = text.strip_prefix(symbol) {
                text = rest.to_owned();
            } else if let Some(rest) = text.strip_suffix(symbol) {
                text = rest.to_owned();
            }
        }
        if text.is_empty() {
            return Err(Invalid::Required);
        }
        if text.starts_with('-') {
            return Err(Invalid::Negative);
        }
        if !text
            .chars()
            .all(|c| c.is_ascii_digit() || c == '.' || c == ',')
        {
            return Err(bad);
        }

        let (whole, fraction) = split_decimal(&text).ok_or_else(|| bad.clone())?;
        let euros = parse_grouped(whole).ok_or_else(|| bad.clone())?;
        let cents = match fraction.len() {
            0 => 0,
            1 => parse_digits(fraction).ok_or_else(|| bad.clone())? * 10,
            2 => parse_digits(fraction).ok_or_else(|| bad.clone())?,
            _ => return Err(bad),
        };
        let total = euros
            .checked_mul(100)
            .and_then(|c| c.checked_add(cents))
            .ok_or(bad)?;
        Self::new(total)
    }

    /// Italian form: `25.000,50 €`.
    pub fn format_it(self) -> String {
        format!("{} €", self.format_number('.', ','))
    }

    /// English form: `€25,000.50`.
    pub fn format_en(self) -> String {
        format!("€{}", self.format_number(',', '.'))
    }

    pub fn format(self, lang: Lang) -> String {
        match lang {
            Lang::It => self.format_it(),
            Lang::En => self.format_en(),
        }
    }

    /// Whole euros with the currency code, as explanations show amounts:
    /// `20.000 EUR` in Italian, `EUR 20,000` in English (cents dropped).
    pub fn format_whole(self, lang: Lang) -> String {
        let euros = Self(self.0 - self.0 % 100);
        let number = match lang {
            Lang::It => euros.format_number('.', ','),
            Lang::En => euros.format_number(',', '.'),
        };
        let whole = number.get(..number.len().saturating_sub(3)).unwrap_or("0");
        match lang {
            Lang::It => format!("{whole} EUR"),
            Lang::En => format!("EUR {whole}"),
        }
    }

    fn format_number(self, thousands: char, decimal: char) -> String {
        let euros = (self.0 / 100).to_string();
        let cents = self.0 % 100;
        let mut grouped = String::with_capacity(euros.len() + euros.len() / 3);
        for (i, digit) in euros.chars().enumerate() {
            if i > 0 && (euros.len() - i).is_multiple_of(3) {
                grouped.push(thousands);
            }
            grouped.push(digit);
        }
        format!("{grouped}{decimal}{cents:02}")
    }
}

impl TryFrom<i64> for EuroCents {
    type Error = Invalid;

    fn try_from(cents: i64) -> Result<Self, Self::Error> {
        Self::new(cents)
    }
}

impl From<EuroCents> for i64 {
    fn from(value: EuroCents) -> Self {
        value.0
    }
}

impl<'de> Deserialize<'de> for EuroCents {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Self::new(i64::deserialize(deserializer)?).map_err(serde::de::Error::custom)
    }
}

/// Splits "1.250,50" into ("1.250", "50"), deciding which separator is the
/// decimal one (see [`EuroCents::from_euros_str`]). `None` when ambiguous
/// beyond repair, such as "1,2,3" or "12.".
fn split_decimal(text: &str) -> Option<(&str, &str)> {
    let last_dot = text.rfind('.');
    let last_comma = text.rfind(',');
    let decimal_at = match (last_dot, last_comma) {
        (None, None) => return Some((text, "")),
        (Some(dot), Some(comma)) => Some(dot.max(comma)),
        (Some(at), None) | (None, Some(at)) => {
            let separator = &text[at..=at];
            let single = text.matches(separator).count() == 1;
            match text.len() - at - 1 {
                1 | 2 if single => Some(at),
                3 => None,
                _ => return None,
            }
        }
    };
    match decimal_at {
        None => Some((text, "")),
        Some(at) => {
            let (whole, fraction) = (&text[..at], &text[at + 1..]);
            // The decimal separator appears once, after every thousands one.
            if fraction.contains(['.', ',']) || whole.contains(&text[at..=at]) {
                None
            } else {
                Some((whole, fraction))
            }
        }
    }
}

/// Parses "25.000", "25,000" or "25000" (one kind of thousands separator,
/// groups of three after the first).
fn parse_grouped(whole: &str) -> Option<i64> {
    if whole.contains('.') && whole.contains(',') {
        return None;
    }
    let mut groups = whole.split(['.', ',']);
    let first = groups.next()?;
    if first.is_empty() || (whole.len() != first.len() && first.len() > 3) {
        return None;
    }
    let mut digits = first.to_owned();
    for group in groups {
        if group.len() != 3 {
            return None;
        }
        digits.push_str(group);
    }
    parse_digits(&digits)
}

fn parse_digits(digits: &str) -> Option<i64> {
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

/// An optional minimum and maximum amount; when both are given, the minimum
/// is not above the maximum.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize)]
pub struct AmountRange {
    min: Option<EuroCents>,
    max: Option<EuroCents>,
}

impl AmountRange {
    /// Fails with `Inverted` when `min > max`.
    pub fn new(min: Option<EuroCents>, max: Option<EuroCents>) -> Result<Self, Invalid> {
        ordered(min.as_ref(), max.as_ref())?;
        Ok(Self { min, max })
    }

    pub fn min(&self) -> Option<EuroCents> {
        self.min
    }

    pub fn max(&self) -> Option<EuroCents> {
        self.max
    }
}

/// Unbounded means "any amount"; two ranges overlap when some amount fits
/// both (an offer's range and what a need asks, for matching).
impl Bounds for AmountRange {
    type Point = EuroCents;

    fn ends(&self) -> (Option<EuroCents>, Option<EuroCents>) {
        (self.min, self.max)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::error::testing::{assert_refused, bad_format};

    fn cents(c: i64) -> EuroCents {
        EuroCents::new(c).expect("non-negative")
    }

    #[test]
    fn new_refuses_negative() {
        assert_eq!(EuroCents::new(0), Ok(EuroCents::ZERO));
        assert_eq!(EuroCents::new(-1), Err(Invalid::Negative));
        assert_eq!(EuroCents::from_euros(25).cents(), 2500);
        assert!(serde_json::from_str::<EuroCents>("-5").is_err());
        assert_eq!(EuroCents::new(100_000_000_000), Ok(EuroCents::MAX));
        assert_eq!(
            EuroCents::new(100_000_000_001),
            Err(Invalid::AmountTooLarge {
                max: EuroCents::MAX
            })
        );
        assert_eq!(
            EuroCents::new(i64::MAX),
            Err(Invalid::AmountTooLarge {
                max: EuroCents::MAX
            })
        );
        // Well below what a browser reads exactly.
        assert!(EuroCents::MAX.cents() < (1_i64 << 53) / 1000);
        assert!(serde_json::from_str::<EuroCents>("9007199254740993").is_err());
        assert_eq!(serde_json::from_str::<EuroCents>("5").ok(), Some(cents(5)));
    }

    #[test]
    fn parses_italian_and_plain_amounts() {
        let cases: &[(&str, i64)] = &[
            ("25.000,50", 2_500_050),
            ("25000,50", 2_500_050),
            ("25000.50", 2_500_050),
            ("25,000.50", 2_500_050),
            ("25000", 2_500_000),
            ("25.000", 2_500_000),
            ("1.250", 125_000),
            ("1,250", 125_000),
            ("1.250.000", 125_000_000),
            ("1.250.000,5", 125_000_050),
            ("0,5", 50),
            ("0.05", 5),
            ("12,3", 1230),
            ("€ 25.000,50", 2_500_050),
            ("25.000,50 €", 2_500_050),
            ("25 000,50 EUR", 2_500_050),
            ("EUR 10", 1000),
            ("\u{a0}7,00\u{a0}", 700),
            ("0", 0),
        ];
        for (raw, expected) in cases {
            assert_eq!(
                EuroCents::from_euros_str(raw).map(EuroCents::cents),
                Ok(*expected),
                "{raw:?}"
            );
        }
    }

    #[test]
    fn refuses_bad_amounts() {
        let bad = bad_format(Format::Amount);
        let cases: &[(&str, Invalid)] = &[
            ("", Invalid::Required),
            (" € ", Invalid::Required),
            ("-5", Invalid::Negative),
            ("-5,00 €", Invalid::Negative),
            ("abc", bad.clone()),
            ("12.", bad.clone()),
            (",50", bad.clone()),
            ("1,2345", bad.clone()),
            ("1.2.3", bad.clone()),
            ("1.25.000", bad.clone()),
            ("1250.000", bad.clone()),
            ("1.000,000.5", bad.clone()),
            ("1,000,5", bad.clone()),
            ("10,50,00", bad.clone()),
            ("5$", bad.clone()),
            ("1e6", bad.clone()),
            ("99999999999999999999", bad),
            (
                "1.000.000.000,01",
                Invalid::AmountTooLarge {
                    max: EuroCents::MAX,
                },
            ),
        ];
        assert_refused(EuroCents::from_euros_str, cases);
    }

    #[test]
    fn formats() {
        let cases: &[(i64, &str, &str)] = &[
            (0, "0,00 €", "€0.00"),
            (5, "0,05 €", "€0.05"),
            (99_999, "999,99 €", "€999.99"),
            (100_000, "1.000,00 €", "€1,000.00"),
            (2_500_050, "25.000,50 €", "€25,000.50"),
            (98_765_432_112, "987.654.321,12 €", "€987,654,321.12"),
            (100_000_000_000, "1.000.000.000,00 €", "€1,000,000,000.00"),
        ];
        for (value, it, en) in cases {
            assert_eq!(cents(*value).format_it(), *it);
            assert_eq!(cents(*value).format(Lang::En), *en);
            // What we print, we read back.
            assert_eq!(EuroCents::from_euros_str(it), Ok(cents(*value)));
        }
        assert_eq!(cents(2_000_099).format_whole(Lang::It), "20.000 EUR");
        assert_eq!(cents(2_000_099).format_whole(Lang::En), "EUR 20,000");
        assert_eq!(cents(50).format_whole(Lang::It), "0 EUR");
    }

    #[test]
    fn amount_range() {
        assert_eq!(
            AmountRange::new(Some(cents(10)), Some(cents(5))),
            Err(Invalid::Inverted)
        );
        let range = AmountRange::new(Some(cents(10)), Some(cents(10))).expect("equal bounds");
        assert!(range.contains(cents(10)));
        assert!(!range.contains(cents(11)));
        let open = AmountRange::new(None, Some(cents(100))).expect("open below");
        assert!(open.contains(EuroCents::ZERO));
        assert!(AmountRange::default().is_unbounded());
        let high = AmountRange::new(Some(cents(200)), None).expect("open above");
        assert!(!open.overlaps(&high));
        assert!(high.overlaps(&AmountRange::default()));
        let middle = AmountRange::new(Some(cents(50)), Some(cents(300))).expect("valid");
        assert!(open.overlaps(&middle) && middle.overlaps(&high));
        assert_eq!(
            serde_json::to_value(middle).expect("serialisable"),
            serde_json::json!({"min": 50, "max": 300})
        );
    }
}
