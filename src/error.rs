//! The error policy, and [`AppError`]: the one error type of the API boundary.
//!
//! # Policy
//!
//! 1. **The error type follows the layer.** `domain` returns
//!    [`ValidationErrors`](crate::domain::error::ValidationErrors) (a field and a
//!    reason for each problem); `store` code returns [`StoreError`](crate::store::StoreError) (sea-orm's
//!    `DbErr` and the query that met it);
//!    `services` return [`AppError`]; the CLI and background jobs use `anyhow`
//!    and print the whole chain.
//! 2. **Bad input is never a panic nor an internal error.** Every refusal names
//!    the field (the API's camelCase name, with an index for list items, e.g.
//!    `contacts[1].value`) and the reason, in Italian and English. A reference to
//!    a record that does not exist (`seatMunicipalityCode`, `organizationId`) is
//!    bad input on that field; asking for a record by id that does not exist is
//!    `NOT_FOUND`.
//!
//!    Programs read the API's name in `extensions.field` (and every problem in
//!    `extensions.fields`: `field`, `reason` code, `message`); people read the
//!    `message`, plain sentences in the request's language with a label for
//!    each field and never the API's name: "Budget: il valore non può essere
//!    negativo" (labels: [`crate::domain::labels`]). A value that does not fit
//!    its GraphQL type (a number for `Cents` written "25000,50", a date that
//!    does not exist, a value outside an enum, a required input field left
//!    out), inline or in a variable, is refused the same way, with the field's
//!    path inside the argument (`budgetCents`, `filter.amountMin`): see
//!    [`crate::graphql::coercion`].
//! 3. **Constraint violations are translated where they happen**: the service
//!    that inserts an organisation turns a unique violation on its tax code into
//!    `CONFLICT` on `taxCode`, not a generic failure.
//! 4. **Internal errors never reach clients.** They are logged in full, with a
//!    correlation id, and the client gets a fixed message and the code
//!    `INTERNAL` with the same id to quote to support.
//! 5. Every error a client sees carries a machine-readable code:
//!    `BAD_USER_INPUT`, `UNAUTHENTICATED`, `FORBIDDEN`, `NOT_FOUND`, `CONFLICT`,
//!    `INTERNAL`, and `RATE_LIMITED` (with `retryAfter` seconds) for guarded
//!    operations tried too often. A refusal the caller can act on says why
//!    ([`AppError::refused`]); a CONFLICT with an existing organisation
//!    carries its id (`organizationId`). A co-design rule that refuses
//!    ([`AppError::Codesign`]) is FORBIDDEN when it is about who acts and
//!    CONFLICT when it is about the project's state, and names itself in
//!    `rule` (e.g. `codesign.lead_only`).
//! 6. **A wrong e-mail or password says exactly that** ("E-mail o password
//!    non corretti"), with `UNAUTHENTICATED`, and never which of the two was
//!    wrong; "sign in to continue" is only for operations that need a
//!    session. A wrong password confirming a deletion is `UNAUTHENTICATED`
//!    on `password`.
//! 7. **A part that is down is `UNAVAILABLE`, at once.** When the database
//!    cannot be reached (or is held by another process), when the search
//!    index is missing or being rebuilt, or when an operation runs past its
//!    time bound, the client gets `UNAVAILABLE` with a plain message saying
//!    which part and to try again shortly, never a wait of tens of seconds,
//!    never `INTERNAL`, and never a quieter answer (a signed-in request whose
//!    token cannot be checked is refused, not run as anonymous; a search
//!    without its index is refused, not answered with no results).

use crate::domain::codesign::{Refused, Rule};
use crate::domain::error::{Invalid, Lang, ValidationError, ValidationErrors};
use crate::domain::labels::{label, lower_first};

/// The codes clients can rely on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorCode {
    BadUserInput,
    Unauthenticated,
    Forbidden,
    NotFound,
    Conflict,
    Internal,
    /// Too many attempts of a guarded operation (login, register, reset).
    RateLimited,
    /// A part of the platform is down or the operation ran out of time: try
    /// again shortly.
    Unavailable,
}

impl ErrorCode {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::BadUserInput => "BAD_USER_INPUT",
            Self::Unauthenticated => "UNAUTHENTICATED",
            Self::Forbidden => "FORBIDDEN",
            Self::NotFound => "NOT_FOUND",
            Self::Conflict => "CONFLICT",
            Self::Internal => "INTERNAL",
            Self::RateLimited => "RATE_LIMITED",
            Self::Unavailable => "UNAVAILABLE",
        }
    }
}

/// The kinds of record a client can ask for by id.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Entity {
    Organization,
    Offer,
    Need,
    User,
    Municipality,
    Neighbourhood,
    Sector,
    Project,
    Match,
    SavedSearch,
    OrganizationRequest,
    ContentReport,
    Invitation,
    /// A project's contribution, milestone or art. 55 application.
    Contribution,
    Milestone,
    Application,
}

impl Entity {
    fn label(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (Self::Organization, Lang::It) => "l'organizzazione",
            (Self::Organization, Lang::En) => "the organisation",
            (Self::Offer, Lang::It) => "l'offerta",
            (Self::Offer, Lang::En) => "the offer",
            (Self::Need, Lang::It) => "il bisogno",
            (Self::Need, Lang::En) => "the need",
            (Self::User, Lang::It) => "l'utente",
            (Self::User, Lang::En) => "the user",
            (Self::Municipality, Lang::It) => "il comune",
            (Self::Municipality, Lang::En) => "the municipality",
            (Self::Neighbourhood, Lang::It) => "il quartiere",
            (Self::Neighbourhood, Lang::En) => "the neighbourhood",
            (Self::Sector, Lang::It) => "il settore",
            (Self::Sector, Lang::En) => "the sector",
            (Self::Project, Lang::It) => "il progetto",
            (Self::Project, Lang::En) => "the project",
            (Self::Match, Lang::It) => "l'abbinamento",
            (Self::Match, Lang::En) => "the match",
            (Self::SavedSearch, Lang::It) => "la ricerca salvata",
            (Self::SavedSearch, Lang::En) => "the saved search",
            (Self::OrganizationRequest, Lang::It) => "la richiesta",
            (Self::OrganizationRequest, Lang::En) => "the request",
            (Self::ContentReport, Lang::It) => "la segnalazione",
            (Self::ContentReport, Lang::En) => "the report",
            (Self::Invitation, Lang::It) => "l'invito",
            (Self::Invitation, Lang::En) => "the invitation",
            (Self::Contribution, Lang::It) => "il contributo",
            (Self::Contribution, Lang::En) => "the contribution",
            (Self::Milestone, Lang::It) => "la tappa",
            (Self::Milestone, Lang::En) => "the milestone",
            (Self::Application, Lang::It) => "la candidatura",
            (Self::Application, Lang::En) => "the application",
        }
    }
}

/// What is unavailable, for [`AppError::Unavailable`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unavailable {
    /// The database does not answer (down, unreachable, or locked by
    /// another process).
    Database,
    /// The search index is missing, damaged or being rebuilt.
    Search,
    /// The operation ran past its time bound and was stopped.
    TooSlow,
}

impl Unavailable {
    pub fn message(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (Self::Database, Lang::It) => {
                "Il database non risponde in questo momento. Riprova tra qualche minuto."
            }
            (Self::Database, Lang::En) => {
                "The database is not answering right now. Please try again in a few minutes."
            }
            (Self::Search, Lang::It) => {
                "La ricerca non è disponibile in questo momento: l'indice si sta ricostruendo. Riprova tra qualche minuto."
            }
            (Self::Search, Lang::En) => {
                "Search is unavailable right now: its index is being rebuilt. Please try again in a few minutes."
            }
            (Self::TooSlow, Lang::It) => {
                "La richiesta ha richiesto troppo tempo ed è stata interrotta. Riprova, magari chiedendo meno dati."
            }
            (Self::TooSlow, Lang::En) => {
                "The request took too long and was stopped. Please try again, perhaps asking for less."
            }
        }
    }
}

/// Everything a service can fail with, as the API reports it.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// One or more fields of the input are wrong.
    #[error("invalid input: {0}")]
    Invalid(ValidationErrors),
    /// No record with that id (or it is not visible to the caller).
    #[error("{entity:?} not found ({field})")]
    NotFound { entity: Entity, field: String },
    /// The input is well formed but clashes with existing data.
    #[error("conflict on {field}: {reason_en}")]
    Conflict {
        field: String,
        reason_it: String,
        reason_en: String,
        /// The organisation the clash is about, when there is one the
        /// client can act on (the one already registered with a tax code,
        /// the one an account is the last admin of): the `organizationId`
        /// extension.
        organization_id: Option<uuid::Uuid>,
    },
    /// Too many attempts: wait `retry_after_secs` seconds.
    #[error("rate limited for {retry_after_secs} s")]
    RateLimited { retry_after_secs: u64 },
    /// The caller must sign in.
    #[error("authentication required")]
    Unauthenticated,
    /// The e-mail and password (or the password alone) do not match an
    /// account.
    #[error("wrong credentials")]
    WrongCredentials(Credentials),
    /// The caller is signed in but may not do this.
    #[error("forbidden: {0}")]
    Forbidden(&'static str),
    /// The caller is signed in but may not do this, for a reason they can
    /// act on, told in their language (FORBIDDEN too).
    #[error("forbidden: {reason_en}")]
    Refused {
        reason_it: String,
        reason_en: String,
    },
    /// A co-design rule refused the action: FORBIDDEN when the rule is
    /// about who may act, CONFLICT when it is about the project's state;
    /// the rule's stable code goes in the `rule` extension.
    #[error("refused: {0}")]
    Codesign(#[from] Refused),
    /// A part of the platform is down, or the operation ran out of time.
    #[error("unavailable: {0:?}")]
    Unavailable(Unavailable),
    /// A failure that is not the caller's: logged in full, reported as a
    /// fixed message.
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl AppError {
    pub fn code(&self) -> ErrorCode {
        match self {
            Self::Invalid(_) => ErrorCode::BadUserInput,
            Self::NotFound { .. } => ErrorCode::NotFound,
            Self::Conflict { .. } => ErrorCode::Conflict,
            Self::Unauthenticated | Self::WrongCredentials(_) => ErrorCode::Unauthenticated,
            Self::Forbidden(_) | Self::Refused { .. } => ErrorCode::Forbidden,
            Self::Codesign(refused) if is_about_who(refused.rule) => ErrorCode::Forbidden,
            Self::Codesign(_) => ErrorCode::Conflict,
            Self::Internal(_) => ErrorCode::Internal,
            Self::RateLimited { .. } => ErrorCode::RateLimited,
            Self::Unavailable(_) => ErrorCode::Unavailable,
        }
    }

    pub fn not_found(entity: Entity, field: impl Into<String>) -> Self {
        Self::NotFound {
            entity,
            field: field.into(),
        }
    }

    /// Bad input on a single field.
    pub fn invalid(field: impl Into<String>, reason: Invalid) -> Self {
        Self::Invalid(ValidationErrors::from(reason.at(field)))
    }

    pub fn conflict(
        field: impl Into<String>,
        reason_it: impl Into<String>,
        reason_en: impl Into<String>,
    ) -> Self {
        Self::Conflict {
            field: field.into(),
            reason_it: reason_it.into(),
            reason_en: reason_en.into(),
            organization_id: None,
        }
    }

    /// This CONFLICT is about an existing organisation the client can turn
    /// to (its id goes in the `organizationId` extension).
    #[must_use]
    pub fn about_organization(mut self, id: uuid::Uuid) -> Self {
        if let Self::Conflict {
            organization_id, ..
        } = &mut self
        {
            *organization_id = Some(id);
        }
        self
    }

    /// A FORBIDDEN that says why, in both languages.
    pub fn refused(reason_it: impl Into<String>, reason_en: impl Into<String>) -> Self {
        Self::Refused {
            reason_it: reason_it.into(),
            reason_en: reason_en.into(),
        }
    }

    /// The stable code of the co-design rule that refused, if one did.
    pub fn rule(&self) -> Option<&'static str> {
        match self {
            Self::Codesign(refused) => Some(refused.code()),
            _ => None,
        }
    }

    /// The organisation a CONFLICT is about, if any.
    pub fn organization_id(&self) -> Option<uuid::Uuid> {
        match self {
            Self::Conflict {
                organization_id, ..
            } => *organization_id,
            _ => None,
        }
    }

    /// The field the error is about, when there is exactly one.
    pub fn field(&self) -> Option<&str> {
        match self {
            Self::Invalid(errors) => errors.first().map(|e| e.field.as_str()),
            Self::NotFound { field, .. } | Self::Conflict { field, .. } => Some(field),
            Self::WrongCredentials(Credentials::Password) => Some("password"),
            _ => None,
        }
    }

    /// The message a person reads, in their language. Internal details never
    /// appear here.
    pub fn message(&self, lang: Lang) -> String {
        match (self, lang) {
            (Self::Invalid(errors), _) => errors
                .iter()
                .map(|e| labelled(&e.field, &e.reason.message(lang), lang))
                .collect::<Vec<_>>()
                .join("; "),
            (Self::NotFound { entity, .. }, Lang::It) => {
                format!(
                    "Non troviamo {} con questo identificativo.",
                    entity.label(Lang::It)
                )
            }
            (Self::NotFound { entity, .. }, Lang::En) => {
                format!("We cannot find {} with this id.", entity.label(Lang::En))
            }
            (
                Self::Conflict {
                    field, reason_it, ..
                },
                Lang::It,
            ) => labelled(field, reason_it, lang),
            (
                Self::Conflict {
                    field, reason_en, ..
                },
                Lang::En,
            ) => labelled(field, reason_en, lang),
            (Self::RateLimited { retry_after_secs }, Lang::It) => format!(
                "Troppi tentativi. Riprova tra {} minuti.",
                retry_after_secs.div_ceil(60)
            ),
            (Self::RateLimited { retry_after_secs }, Lang::En) => format!(
                "Too many attempts. Please try again in {} minutes.",
                retry_after_secs.div_ceil(60)
            ),
            (Self::Unauthenticated, Lang::It) => "Per continuare, accedi.".to_owned(),
            (Self::Unauthenticated, Lang::En) => "Please sign in to continue.".to_owned(),
            (Self::WrongCredentials(Credentials::EmailAndPassword), Lang::It) => {
                "E-mail o password non corretti.".to_owned()
            }
            (Self::WrongCredentials(Credentials::EmailAndPassword), Lang::En) => {
                "Wrong e-mail or password.".to_owned()
            }
            (Self::WrongCredentials(Credentials::Password), Lang::It) => {
                "Password non corretta.".to_owned()
            }
            (Self::WrongCredentials(Credentials::Password), Lang::En) => {
                "Wrong password.".to_owned()
            }
            (Self::Forbidden(_), Lang::It) => {
                "Non hai i permessi per questa operazione.".to_owned()
            }
            (Self::Forbidden(_), Lang::En) => "You are not allowed to do this.".to_owned(),
            (Self::Refused { reason_it, .. }, Lang::It) => reason_it.clone(),
            (Self::Refused { reason_en, .. }, Lang::En) => reason_en.clone(),
            (Self::Codesign(refused), lang) => refused.message(lang).to_owned(),
            (Self::Unavailable(what), lang) => what.message(lang).to_owned(),
            (Self::Internal(_), Lang::It) => {
                "Si è verificato un errore interno. Riprova tra poco; se continua, segnalalo."
                    .to_owned()
            }
            (Self::Internal(_), Lang::En) => {
                "Something went wrong on our side. Please try again; if it persists, report it."
                    .to_owned()
            }
        }
    }

    /// Logs an internal error in full and returns the correlation id to give
    /// the client. Other errors are the caller's and are not logged as errors.
    pub fn log_internal(&self) -> Option<String> {
        match self {
            Self::Internal(error) => {
                let id = uuid::Uuid::now_v7().simple().to_string();
                tracing::error!(error_id = %id, "internal error: {error:#}");
                Some(id)
            }
            _ => None,
        }
    }
}

/// Whether a co-design rule is about who acts (FORBIDDEN) rather than about
/// the project's state (CONFLICT).
fn is_about_who(rule: Rule) -> bool {
    matches!(
        rule,
        Rule::LeadOnly | Rule::PublicBodyOnly | Rule::PartnerOnly | Rule::AdminOnly
    )
}

/// What a [`AppError::WrongCredentials`] was checking.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Credentials {
    /// Signing in: the message never says which of the two was wrong.
    EmailAndPassword,
    /// Confirming with the password of the account already signed in.
    Password,
}

/// "Budget: il valore non può essere negativo": the field's label and the
/// reason, or the reason alone when no field is named.
pub fn labelled(field: &str, reason: &str, lang: Lang) -> String {
    if field.is_empty() {
        reason.to_owned()
    } else {
        format!("{}: {}", label(field, lang), lower_first(reason))
    }
}

impl From<ValidationErrors> for AppError {
    fn from(errors: ValidationErrors) -> Self {
        Self::Invalid(errors)
    }
}

impl From<ValidationError> for AppError {
    fn from(error: ValidationError) -> Self {
        Self::Invalid(ValidationErrors::from(error))
    }
}

impl From<sea_orm::DbErr> for AppError {
    fn from(error: sea_orm::DbErr) -> Self {
        if crate::store::health::is_unavailable(&error) {
            tracing::warn!(%error, "database unavailable");
            return Self::Unavailable(Unavailable::Database);
        }
        Self::Internal(anyhow::Error::new(error))
    }
}

impl From<crate::store::StoreError> for AppError {
    fn from(error: crate::store::StoreError) -> Self {
        if error.is_unavailable() {
            tracing::warn!(error = %error.source, query = error.what, "database unavailable");
            return Self::Unavailable(Unavailable::Database);
        }
        let what = error.what;
        Self::Internal(anyhow::Error::new(error.source).context(what))
    }
}

impl From<sea_orm::TransactionError<AppError>> for AppError {
    fn from(error: sea_orm::TransactionError<AppError>) -> Self {
        match error {
            sea_orm::TransactionError::Connection(db) => db.into(),
            sea_orm::TransactionError::Transaction(app) => app,
        }
    }
}

pub use crate::store::error::is_unique_violation;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codesign_refusals_are_forbidden_about_who_and_conflict_about_state() {
        for rule in Rule::ALL {
            let error = AppError::from(Refused::from(*rule));
            let expected = if is_about_who(*rule) {
                ErrorCode::Forbidden
            } else {
                ErrorCode::Conflict
            };
            assert_eq!(error.code(), expected, "{rule:?}");
            assert_eq!(error.rule(), Some(rule.code()));
            assert_eq!(error.message(Lang::It), rule.message(Lang::It));
            assert_eq!(error.message(Lang::En), rule.message(Lang::En));
        }
        assert_eq!(
            AppError::from(Refused::from(Rule::LeadOnly)).code(),
            ErrorCode::Forbidden
        );
        assert_eq!(
            AppError::from(Refused::from(Rule::NoSkipping)).code(),
            ErrorCode::Conflict
        );
        assert_eq!(AppError::Unauthenticated.rule(), None);
    }
}
