//! The validation error model: why a value was refused ([`Invalid`]), where
//! ([`ValidationError`]), all the problems of a form at once
//! ([`ValidationErrors`]), and the [`Errors`] collector that input validation
//! uses to gather them. Messages exist in Italian (the users' language) and
//! English.
//!
//! Newtype parsers return a bare [`Invalid`] because they do not know which
//! field they are parsing; the record validators attach the API's camelCase
//! field name with [`Invalid::at`] (`"taxCode"`, `"contacts[2].value"`).

use std::fmt;

use chrono::NaiveDate;
use serde::Serialize;

use super::closed::closed_list;
use super::money::EuroCents;

closed_list! {
    /// A user-interface language (the `language` closed list; also a user's
    /// `locale`). Italian is the default: most users are Italian public-body
    /// and third-sector staff.
    #[derive(Default)]
    pub enum Lang {
        #[default]
        It = "it" { it: "Italiano", en: "Italian" },
        En = "en" { it: "Inglese", en: "English" },
    }
}

/// The shape a value was expected to have, for [`Invalid::BadFormat`]. An
/// enum rather than a string so that the explanation exists in both languages
/// and clients can switch on a stable code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Format {
    TaxCode,
    VatNumber,
    Email,
    WebUrl,
    PhoneNumber,
    IstatCode,
    Uuid,
    SectorCode,
    Amount,
    /// A decimal number such as a coordinate.
    Number,
    /// A paging cursor, as returned by a previous page.
    Cursor,
    /// An amount in whole euro cents (the API's `Cents`).
    Cents,
    /// A calendar day, `2026-03-31`.
    Date,
    /// An instant with its time zone, `2026-03-31T18:00:00Z`.
    DateTime,
    /// A whole number.
    WholeNumber,
    /// `true` or `false`.
    Boolean,
    /// A text.
    Text,
    /// A group of fields (an input object).
    Object,
}

impl Format {
    /// What the user should write: the reason of a `BadFormat`, as a
    /// clause that reads alone or after a field's label.
    pub fn describe(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (Self::TaxCode, Lang::It) => "servono 11 cifre (enti) o 16 caratteri (persone)",
            (Self::TaxCode, Lang::En) => {
                "expected 11 digits (organisations) or 16 characters (people)"
            }
            (Self::VatNumber, Lang::It) => "servono 11 cifre, eventualmente precedute da IT",
            (Self::VatNumber, Lang::En) => "expected 11 digits, optionally preceded by IT",
            (Self::Email, Lang::It) => "scrivi un indirizzo come nome@esempio.it",
            (Self::Email, Lang::En) => "expected an address like name@example.org",
            (Self::WebUrl, Lang::It) => "scrivi un indirizzo web come https://www.esempio.it",
            (Self::WebUrl, Lang::En) => "expected a web address like https://www.example.org",
            (Self::PhoneNumber, Lang::It) => {
                "servono da 6 a 15 cifre, eventualmente con il prefisso +39"
            }
            (Self::PhoneNumber, Lang::En) => {
                "expected 6 to 15 digits, optionally with +39 in front"
            }
            (Self::IstatCode, Lang::It) => {
                "servono le 6 cifre del codice ISTAT del comune (ad esempio 015146 per Milano)"
            }
            (Self::IstatCode, Lang::En) => {
                "expected the 6-digit ISTAT code of the municipality (e.g. 015146 for Milan)"
            }
            (Self::Uuid, Lang::It) => "serve un identificativo valido (UUID)",
            (Self::Uuid, Lang::En) => "expected a valid identifier (UUID)",
            (Self::SectorCode, Lang::It) => {
                "servono da 1 a 50 caratteri tra lettere minuscole, cifre e trattino basso"
            }
            (Self::SectorCode, Lang::En) => {
                "expected 1 to 50 characters among lower-case letters, digits and underscore"
            }
            (Self::Amount, Lang::It) => "scrivi un importo in euro come 1.250,50",
            (Self::Amount, Lang::En) => "expected an amount in euros like 1250.50",
            (Self::Number, Lang::It) => "scrivi un numero, come 45,4642 o 45.4642",
            (Self::Number, Lang::En) => "expected a number like 45.4642",
            (Self::Cursor, Lang::It) => "usa il cursore restituito da una pagina precedente",
            (Self::Cursor, Lang::En) => "expected a cursor returned by a previous page",
            (Self::Cents, Lang::It) => {
                "deve essere un importo in centesimi di euro, un numero intero senza \
                 separatori (25.000,50 € si scrive 2500050)"
            }
            (Self::Cents, Lang::En) => {
                "must be an amount in euro cents, a whole number without separators \
                 (€25,000.50 is 2500050)"
            }
            (Self::Date, Lang::It) => {
                "scrivi una data che esista nella forma anno-mese-giorno, come 2026-03-31"
            }
            (Self::Date, Lang::En) => "write a real date as year-month-day, like 2026-03-31",
            (Self::DateTime, Lang::It) => {
                "scrivi data e ora con il fuso orario, come 2026-03-31T18:00:00+02:00"
            }
            (Self::DateTime, Lang::En) => {
                "write date and time with the time zone, like 2026-03-31T18:00:00+02:00"
            }
            (Self::WholeNumber, Lang::It) => "serve un numero intero, come 20",
            (Self::WholeNumber, Lang::En) => "expected a whole number, like 20",
            (Self::Boolean, Lang::It) => "serve true (sì) o false (no)",
            (Self::Boolean, Lang::En) => "expected true or false",
            (Self::Text, Lang::It) => "serve un testo tra virgolette",
            (Self::Text, Lang::En) => "expected a text in quotes",
            (Self::Object, Lang::It) => "servono i suoi campi tra parentesi graffe",
            (Self::Object, Lang::En) => "expected its fields in braces",
        }
    }
}

/// Why a value was refused, without saying which field it was.
///
/// Serialised with a stable `code` tag (`{"code":"too_short","min":2}`) so
/// API clients can translate or highlight without parsing messages.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum Invalid {
    /// Missing or blank.
    Required,
    /// Fewer characters than allowed (characters, not bytes).
    TooShort { min: usize },
    /// More characters than allowed (characters, not bytes).
    TooLong { max: usize },
    /// A list with more items than allowed.
    TooMany { max: usize },
    /// Not shaped like the expected kind of value.
    BadFormat { expected: Format },
    /// Well shaped, but the check digit or character is wrong: usually a typo.
    BadChecksum,
    /// A negative amount.
    Negative,
    /// An amount above the largest Trama stores ([`EuroCents::MAX`]).
    AmountTooLarge { max: EuroCents },
    /// A day outside the range any record can mean (see
    /// [`super::dates::EARLIEST`] and [`super::dates::LATEST`]).
    DateOutOfRange {
        earliest: NaiveDate,
        latest: NaiveDate,
    },
    /// A date that has already passed where only a future one makes sense
    /// (a deadline being set).
    InThePast,
    /// A number outside its bounds (inclusive), or not a finite number.
    OutOfRange { min: i64, max: i64 },
    /// A range whose start is after its end (minimum > maximum, from > until).
    Inverted,
    /// Not one of the values of a closed list; lists the values allowed.
    UnknownValue { allowed: Vec<&'static str> },
    /// Control or invisible direction-changing characters in a text.
    ControlCharacters,
    /// A password that is too easy to guess.
    TooSimple,
    /// Only one of latitude and longitude was given.
    IncompleteCoordinates,
    /// A kind of organisation that cannot register in RUNTS, listed where
    /// registration is required.
    NotThirdSector,
    /// Well formed, but no such record exists (an unknown municipality code,
    /// neighbourhood id or sector): the field names what is missing. Only the
    /// services layer, which can look, uses it.
    NotFound,
    /// A neighbourhood that does not lie in the municipality given with it
    /// (services layer only).
    NotInMunicipality,
    /// A link or token that is unknown, already used or past its time
    /// (services layer only; one reason for all, so links reveal nothing).
    Expired,
}

impl Invalid {
    /// Attaches the field (the API's camelCase name, with list indexes).
    pub fn at(self, field: impl Into<String>) -> ValidationError {
        ValidationError {
            field: field.into(),
            reason: self,
        }
    }

    /// The stable machine-readable code, the same as the serialised `code`.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Required => "required",
            Self::TooShort { .. } => "too_short",
            Self::TooLong { .. } => "too_long",
            Self::TooMany { .. } => "too_many",
            Self::BadFormat { .. } => "bad_format",
            Self::BadChecksum => "bad_checksum",
            Self::Negative => "negative",
            Self::AmountTooLarge { .. } => "amount_too_large",
            Self::DateOutOfRange { .. } => "date_out_of_range",
            Self::InThePast => "in_the_past",
            Self::OutOfRange { .. } => "out_of_range",
            Self::Inverted => "inverted",
            Self::UnknownValue { .. } => "unknown_value",
            Self::ControlCharacters => "control_characters",
            Self::TooSimple => "too_simple",
            Self::IncompleteCoordinates => "incomplete_coordinates",
            Self::NotThirdSector => "not_third_sector",
            Self::NotFound => "not_found",
            Self::NotInMunicipality => "not_in_municipality",
            Self::Expired => "expired",
        }
    }

    /// A sentence for the user. Italian is written for non-technical staff:
    /// it says what to write rather than what rule was broken. It reads alone
    /// (next to the input) and after a field's label ("Budget: il valore…",
    /// see [`super::labels`]), so it holds no colon of its own.
    pub fn message(&self, lang: Lang) -> String {
        match (self, lang) {
            (Self::Required, Lang::It) => "Campo obbligatorio".into(),
            (Self::Required, Lang::En) => "This field is required".into(),
            (Self::TooShort { min }, Lang::It) => {
                format!("Troppo corto, servono almeno {min} caratteri")
            }
            (Self::TooShort { min }, Lang::En) => {
                format!("Too short, at least {min} characters are needed")
            }
            (Self::TooLong { max }, Lang::It) => {
                format!("Troppo lungo, al massimo {max} caratteri")
            }
            (Self::TooLong { max }, Lang::En) => format!("Too long, at most {max} characters"),
            (Self::TooMany { max }, Lang::It) => format!("Troppi elementi, al massimo {max}"),
            (Self::TooMany { max }, Lang::En) => format!("Too many items, at most {max}"),
            (Self::BadFormat { expected }, lang) => upper_first(expected.describe(lang)),
            (Self::BadChecksum, Lang::It) => "Il carattere di controllo non corrisponde, \
                 verifica di aver scritto il codice correttamente"
                .into(),
            (Self::BadChecksum, Lang::En) => {
                "The check character does not match, please check the code for typos".into()
            }
            (Self::Negative, Lang::It) => "Il valore non può essere negativo".into(),
            (Self::Negative, Lang::En) => "The value cannot be negative".into(),
            (Self::AmountTooLarge { max }, Lang::It) => {
                format!("Importo troppo alto, al massimo {}", max.format(Lang::It))
            }
            (Self::AmountTooLarge { max }, Lang::En) => {
                format!("Amount too large, at most {}", max.format(Lang::En))
            }
            (Self::DateOutOfRange { earliest, latest }, Lang::It) => format!(
                "Data non plausibile, scegli un giorno tra il {} e il {}",
                earliest.format("%d/%m/%Y"),
                latest.format("%d/%m/%Y")
            ),
            (Self::DateOutOfRange { earliest, latest }, Lang::En) => format!(
                "Implausible date, choose a day between {} and {}",
                earliest.format("%-d %B %Y"),
                latest.format("%-d %B %Y")
            ),
            (Self::InThePast, Lang::It) => "La data è già passata, indica una data futura".into(),
            (Self::InThePast, Lang::En) => {
                "This date has already passed, choose a future one".into()
            }
            (Self::OutOfRange { min, max }, Lang::It) => {
                format!("Deve essere tra {min} e {max}")
            }
            (Self::OutOfRange { min, max }, Lang::En) => {
                format!("Must be between {min} and {max}")
            }
            (Self::Inverted, Lang::It) => {
                "Il valore iniziale non può essere maggiore di quello finale".into()
            }
            (Self::Inverted, Lang::En) => "The start of the range cannot be after its end".into(),
            (Self::UnknownValue { allowed }, lang) => unknown_value(allowed, lang),
            (Self::ControlCharacters, Lang::It) => "Il testo contiene caratteri invisibili o \
                 di controllo non ammessi (spazi a larghezza zero, inversioni di direzione)"
                .into(),
            (Self::ControlCharacters, Lang::En) => "The text contains invisible or control \
                 characters that are not allowed (zero-width spaces, direction overrides)"
                .into(),
            (Self::TooSimple, Lang::It) => "Password troppo facile da indovinare, non usare \
                 un solo carattere ripetuto né il tuo indirizzo email"
                .into(),
            (Self::TooSimple, Lang::En) => "Password too easy to guess, do not use a single \
                 repeated character or your email address"
                .into(),
            (Self::IncompleteCoordinates, Lang::It) => {
                "Indica sia la latitudine sia la longitudine, oppure nessuna delle due".into()
            }
            (Self::IncompleteCoordinates, Lang::En) => {
                "Give both latitude and longitude, or neither".into()
            }
            (Self::NotThirdSector, Lang::It) => "Questo tipo di ente non fa parte del Terzo \
                 settore, ma è richiesta l'iscrizione al RUNTS"
                .into(),
            (Self::NotThirdSector, Lang::En) => "This kind of organisation is not a \
                 third-sector body, but registration in RUNTS is required"
                .into(),
            (Self::NotFound, Lang::It) => {
                "Non troviamo questo valore, forse è scritto male o è stato eliminato".into()
            }
            (Self::NotFound, Lang::En) => {
                "Not found, it may be mistyped or it may have been deleted".into()
            }
            (Self::NotInMunicipality, Lang::It) => {
                "Il quartiere indicato non si trova nel comune scelto".into()
            }
            (Self::NotInMunicipality, Lang::En) => {
                "The neighbourhood is not in the chosen municipality".into()
            }
            (Self::Expired, Lang::It) => {
                "Il link non è più valido (è scaduto o è già stato usato), chiedine uno nuovo"
                    .into()
            }
            (Self::Expired, Lang::En) => {
                "This link no longer works (it expired or was already used), ask for a new one"
                    .into()
            }
        }
    }
}

/// "Valore non previsto, scegli tra a, b": the reason for a value outside a
/// closed list (also for the API's enums, whose names are not static).
pub fn unknown_value<S: AsRef<str>>(allowed: &[S], lang: Lang) -> String {
    let allowed = allowed
        .iter()
        .map(AsRef::as_ref)
        .collect::<Vec<_>>()
        .join(", ");
    match lang {
        Lang::It => format!("Valore non previsto, scegli tra {allowed}"),
        Lang::En => format!("Unknown value, choose among {allowed}"),
    }
}

/// The first letter in upper case, for a clause that stands alone.
fn upper_first(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// English, for logs and developers; users get [`Invalid::message`].
impl fmt::Display for Invalid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message(Lang::En))
    }
}

impl std::error::Error for Invalid {}

/// A refused value and the field it came from.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct ValidationError {
    /// The API's camelCase field name, with indexes for lists
    /// (`"contacts[2].value"`).
    pub field: String,
    #[serde(flatten)]
    pub reason: Invalid,
}

impl ValidationError {
    /// The user-facing sentence (without the field name, which the client
    /// shows next to the input).
    pub fn message(&self, lang: Lang) -> String {
        self.reason.message(lang)
    }

    fn prefixed(mut self, prefix: &str) -> Self {
        self.field = if self.field.is_empty() {
            prefix.to_owned()
        } else {
            format!("{prefix}.{}", self.field)
        };
        self
    }
}

impl fmt::Display for ValidationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.reason)
    }
}

impl std::error::Error for ValidationError {}

/// All the problems of one input, never empty, in the order they were found
/// (the order of the form's fields).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct ValidationErrors(Vec<ValidationError>);

impl ValidationErrors {
    /// `None` when there is nothing to report.
    pub fn from_vec(errors: Vec<ValidationError>) -> Option<Self> {
        if errors.is_empty() {
            None
        } else {
            Some(Self(errors))
        }
    }

    pub fn into_vec(self) -> Vec<ValidationError> {
        self.0
    }

    /// The reasons reported for one field.
    pub fn for_field<'a>(&'a self, field: &'a str) -> impl Iterator<Item = &'a Invalid> + 'a {
        self.0
            .iter()
            .filter(move |e| e.field == field)
            .map(|e| &e.reason)
    }

    /// Whether `field` was refused for `reason`; handy in tests and callers
    /// that react to one specific problem.
    pub fn contains(&self, field: &str, reason: &Invalid) -> bool {
        self.for_field(field).any(|r| r == reason)
    }
}

/// Read like a slice (`iter`, `len`, `first`...); never empty, so `first()`
/// is always `Some`.
impl std::ops::Deref for ValidationErrors {
    type Target = [ValidationError];

    fn deref(&self) -> &Self::Target {
        &self.0
    }
}

impl From<ValidationError> for ValidationErrors {
    fn from(error: ValidationError) -> Self {
        Self(vec![error])
    }
}

impl IntoIterator for ValidationErrors {
    type Item = ValidationError;
    type IntoIter = std::vec::IntoIter<ValidationError>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}

impl<'a> IntoIterator for &'a ValidationErrors {
    type Item = &'a ValidationError;
    type IntoIter = std::slice::Iter<'a, ValidationError>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

impl fmt::Display for ValidationErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, error) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            write!(f, "{error}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ValidationErrors {}

/// Collects the problems of a form so that it reports all of them at once.
///
/// Each `check*` method returns `Some(value)` when the value is valid and
/// `None` after recording why it is not, so that [`Errors::build`] can
/// assemble the validated record with `?` on the options:
///
/// ```ignore
/// let mut errs = Errors::new();
/// let name = errs.check("name", OrgName::parse(&input.name));
/// let website = errs.check_optional("website", input.website.as_deref(), WebUrl::parse);
/// errs.build(|| Some(NewThing { name: name?, website: website? }))
/// ```
#[derive(Debug, Default)]
pub struct Errors {
    list: Vec<ValidationError>,
}

impl Errors {
    pub fn new() -> Self {
        Self::default()
    }

    /// Records a problem not tied to one parsed value (a cross-field rule).
    pub fn push(&mut self, field: impl Into<String>, reason: Invalid) {
        self.list.push(reason.at(field));
    }

    /// Keeps the value, or records the reason at `field`.
    pub fn check<T>(&mut self, field: impl Into<String>, result: Result<T, Invalid>) -> Option<T> {
        match result {
            Ok(value) => Some(value),
            Err(reason) => {
                self.push(field, reason);
                None
            }
        }
    }

    /// For optional text fields: absent or blank means `None` (forms send
    /// empty strings for untouched inputs), anything else must parse.
    pub fn check_optional<T>(
        &mut self,
        field: impl Into<String>,
        raw: Option<&str>,
        parse: impl FnOnce(&str) -> Result<T, Invalid>,
    ) -> Option<Option<T>> {
        self.check(field, optional(raw, parse))
    }

    /// Parses every item of a list, recording problems at `field[index]`.
    pub fn check_each<T, S: AsRef<str>>(
        &mut self,
        field: &str,
        raw: &[S],
        parse: impl Fn(&str) -> Result<T, Invalid>,
    ) -> Option<Vec<T>> {
        let mut values = Vec::with_capacity(raw.len());
        let mut ok = true;
        for (index, item) in raw.iter().enumerate() {
            match parse(item.as_ref()) {
                Ok(value) => values.push(value),
                Err(reason) => {
                    ok = false;
                    self.push(format!("{field}[{index}]"), reason);
                }
            }
        }
        ok.then_some(values)
    }

    /// Keeps the value, or records all the errors of a validation that
    /// already knows its fields.
    pub fn merge<T>(&mut self, result: Result<T, ValidationErrors>) -> Option<T> {
        match result {
            Ok(value) => Some(value),
            Err(errors) => {
                self.list.extend(errors);
                None
            }
        }
    }

    /// Like [`Errors::merge`] for a nested record: `prefix` is put in front
    /// of its fields (`"contacts[2]"` + `"value"` = `"contacts[2].value"`).
    pub fn nested<T>(&mut self, prefix: &str, result: Result<T, ValidationErrors>) -> Option<T> {
        match result {
            Ok(value) => Some(value),
            Err(errors) => {
                self.list
                    .extend(errors.into_iter().map(|e| e.prefixed(prefix)));
                None
            }
        }
    }

    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    /// `Ok` when nothing was recorded, otherwise all the errors.
    pub fn finish(self) -> Result<(), ValidationErrors> {
        match ValidationErrors::from_vec(self.list) {
            None => Ok(()),
            Some(errors) => Err(errors),
        }
    }

    /// Fails with every recorded error, or builds the record. `build` uses
    /// `?` on the options returned by the `check*` methods; it is only called
    /// when nothing was recorded, so every option is `Some`.
    pub fn build<T>(self, build: impl FnOnce() -> Option<T>) -> Result<T, ValidationErrors> {
        self.finish()?;
        // A `None` here would mean a check returned `None` without recording
        // why: a bug in this module, not bad input. Report it as an error on
        // no field rather than panicking in a request.
        build().ok_or_else(|| ValidationErrors::from(Invalid::Required.at("")))
    }
}

/// Parses an optional text: `None`, empty or blank (spaces and invisible
/// characters only) gives `Ok(None)`.
pub fn optional<T>(
    raw: Option<&str>,
    parse: impl FnOnce(&str) -> Result<T, Invalid>,
) -> Result<Option<T>, Invalid> {
    match raw {
        Some(raw) if !super::text::trim_pasted(raw).is_empty() => parse(raw).map(Some),
        _ => Ok(None),
    }
}

/// What the tests of the domain's values share: the refusal of a value not
/// in its format, and the check of a table of refused inputs.
#[cfg(test)]
pub(crate) mod testing {
    use super::{Format, Invalid};

    /// The refusal of a value that is not in `format`.
    pub(crate) fn bad_format(format: Format) -> Invalid {
        Invalid::BadFormat { expected: format }
    }

    /// Checks a text people read in both languages: `text` in Italian is
    /// `it`, in English `en`.
    pub(crate) fn assert_translated(
        text: impl Fn(super::Lang) -> &'static str,
        it: &str,
        en: &str,
    ) {
        assert_eq!(text(super::Lang::It), it);
        assert_eq!(text(super::Lang::En), en);
    }

    /// Checks that `parse` refuses each input of `cases` for its reason.
    pub(crate) fn assert_refused<T: std::fmt::Debug, S: AsRef<str> + std::fmt::Debug>(
        parse: impl Fn(&str) -> Result<T, Invalid>,
        cases: &[(S, Invalid)],
    ) {
        for (raw, reason) in cases {
            assert_eq!(parse(raw.as_ref()).as_ref().err(), Some(reason), "{raw:?}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::closed::assert_well_formed;

    #[test]
    fn lang_is_a_closed_list() {
        assert_well_formed::<Lang>();
        assert_eq!(Lang::parse("it"), Ok(Lang::It));
        assert_eq!(Lang::parse("EN"), Ok(Lang::En));
        assert_eq!(Lang::default(), Lang::It);
        assert_eq!(Lang::It.label(Lang::It), "Italiano");
    }

    #[test]
    fn every_reason_has_a_message_in_both_languages() {
        let reasons = [
            Invalid::Required,
            Invalid::TooShort { min: 2 },
            Invalid::TooLong { max: 200 },
            Invalid::TooMany { max: 20 },
            Invalid::BadFormat {
                expected: Format::TaxCode,
            },
            Invalid::BadChecksum,
            Invalid::Negative,
            Invalid::AmountTooLarge {
                max: EuroCents::MAX,
            },
            Invalid::DateOutOfRange {
                earliest: crate::domain::dates::EARLIEST,
                latest: crate::domain::dates::LATEST,
            },
            Invalid::InThePast,
            Invalid::OutOfRange { min: -90, max: 90 },
            Invalid::Inverted,
            Invalid::UnknownValue {
                allowed: vec!["a", "b"],
            },
            Invalid::ControlCharacters,
            Invalid::TooSimple,
            Invalid::IncompleteCoordinates,
            Invalid::NotThirdSector,
            Invalid::NotFound,
            Invalid::NotInMunicipality,
            Invalid::Expired,
        ];
        for reason in &reasons {
            let it = reason.message(Lang::It);
            let en = reason.message(Lang::En);
            assert!(!it.is_empty() && !en.is_empty());
            assert_ne!(it, en, "{reason:?} is not translated");
            assert_eq!(reason.to_string(), en);
            let json = serde_json::to_value(reason).expect("serialisable");
            assert_eq!(json["code"], reason.code());
        }
    }

    #[test]
    fn messages_carry_their_parameters() {
        assert_eq!(
            Invalid::TooShort { min: 2 }.message(Lang::It),
            "Troppo corto, servono almeno 2 caratteri"
        );
        assert_eq!(
            Invalid::BadFormat {
                expected: Format::TaxCode
            }
            .message(Lang::It),
            "Servono 11 cifre (enti) o 16 caratteri (persone)"
        );
        assert_eq!(
            Invalid::UnknownValue {
                allowed: vec!["it", "en"]
            }
            .message(Lang::En),
            "Unknown value, choose among it, en"
        );
        assert_eq!(
            Invalid::OutOfRange { min: -90, max: 90 }.message(Lang::It),
            "Deve essere tra -90 e 90"
        );
    }

    #[test]
    fn validation_error_serialises_flat() {
        let error = Invalid::TooLong { max: 200 }.at("name");
        assert_eq!(
            serde_json::to_value(&error).expect("serialisable"),
            serde_json::json!({"field": "name", "code": "too_long", "max": 200})
        );
        assert_eq!(error.to_string(), "name: Too long, at most 200 characters");
    }

    #[test]
    fn validation_errors_are_never_empty() {
        assert!(ValidationErrors::from_vec(vec![]).is_none());
        let errors = ValidationErrors::from_vec(vec![
            Invalid::Required.at("name"),
            Invalid::Negative.at("budgetCents"),
        ])
        .expect("two errors");
        assert_eq!(errors.len(), 2);
        assert_eq!(errors.first().map(|e| e.field.as_str()), Some("name"));
        assert!(errors.contains("budgetCents", &Invalid::Negative));
        assert_eq!(
            errors.to_string(),
            "name: This field is required; budgetCents: The value cannot be negative"
        );
    }

    fn parse_len(raw: &str) -> Result<usize, Invalid> {
        if raw.len() > 3 {
            Err(Invalid::TooLong { max: 3 })
        } else {
            Ok(raw.len())
        }
    }

    #[test]
    fn collector_reports_every_problem_with_its_field() {
        let mut errs = Errors::new();
        let a = errs.check("a", parse_len("ok"));
        let b = errs.check("b", parse_len("too long"));
        let c = errs.check_optional("c", Some("   "), parse_len);
        let d = errs.check_each("d", &["x", "long one", "y", "again long"], parse_len);
        let inner = ValidationErrors::from(Invalid::Required.at("value"));
        let e: Option<()> = errs.nested("contacts[2]", Err(inner));
        errs.push("f", Invalid::Inverted);
        assert_eq!(a, Some(2));
        assert_eq!(b, None);
        assert_eq!(c, Some(None));
        assert_eq!(d, None);
        assert_eq!(e, None);
        let errors = errs.build(|| Some(())).expect_err("has errors");
        let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["b", "d[1]", "d[3]", "contacts[2].value", "f"]);
    }

    #[test]
    fn collector_builds_when_all_is_valid() {
        let mut errs = Errors::new();
        let a = errs.check("a", parse_len("ok"));
        let b = errs.check_optional("b", None, parse_len);
        let c = errs.check_each("c", &["x", "yy"], parse_len);
        let built = errs.build(|| Some((a?, b?, c?)));
        assert_eq!(built, Ok((2, None, vec![1, 2])));
    }

    #[test]
    fn optional_treats_blank_as_absent() {
        assert_eq!(optional(None, parse_len), Ok(None));
        assert_eq!(optional(Some(""), parse_len), Ok(None));
        assert_eq!(optional(Some(" \t"), parse_len), Ok(None));
        assert_eq!(optional(Some("ab"), parse_len), Ok(Some(2)));
        assert_eq!(
            optional(Some("abcd"), parse_len),
            Err(Invalid::TooLong { max: 3 })
        );
    }
}
