//! The rules of co-design as stable codes with an Italian and an English
//! sentence, and [`Refused`], the error every refused co-design action
//! returns.
//!
//! Why codes: the API puts the code in the error's extensions, the web app
//! and the tests match on it, and the sentences can be reworded without
//! breaking either. A code never changes once released.

use std::fmt;

use crate::domain::error::Lang;

/// Declares the rules: variant, stable code, Italian and English sentence.
macro_rules! rules {
    ($( $(#[$meta:meta])* $variant:ident = $code:literal { it: $it:literal, en: $en:literal $(,)? } ),+ $(,)?) => {
        /// A rule of co-design that can refuse an action.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Rule {
            $( $(#[$meta])* $variant, )+
        }

        impl Rule {
            /// Every rule, in declaration order.
            pub const ALL: &'static [Self] = &[$(Self::$variant),+];

            /// The stable code (`codesign.` and a snake_case name).
            pub const fn code(self) -> &'static str {
                match self { $(Self::$variant => $code,)+ }
            }

            /// The sentence a person reads, saying what the rule asks.
            pub const fn message(self, lang: Lang) -> &'static str {
                match lang {
                    Lang::It => match self { $(Self::$variant => $it,)+ },
                    Lang::En => match self { $(Self::$variant => $en,)+ },
                }
            }
        }
    };
}

rules! {
    // --- The procedure's shape ---
    StageNotInProcedure = "codesign.stage_not_in_procedure" {
        it: "Questa fase non fa parte della procedura del progetto",
        en: "This stage is not part of the project's procedure",
    },
    ProjectClosed = "codesign.project_closed" {
        it: "Il progetto è concluso e non può cambiare fase",
        en: "The project is closed and cannot change stage",
    },
    SameStage = "codesign.same_stage" {
        it: "Il progetto è già in questa fase",
        en: "The project is already in this stage",
    },
    NoSkipping = "codesign.no_skipping" {
        it: "Le fasi si percorrono in ordine, senza saltarne nessuna",
        en: "Stages are taken in order, none can be skipped",
    },
    NoGoingBack = "codesign.no_going_back" {
        it: "Da questa fase non si può tornare indietro",
        en: "This stage cannot go back",
    },
    // --- Who may act ---
    LeadOnly = "codesign.lead_only" {
        it: "Solo il capofila può far avanzare il progetto",
        en: "Only the lead partner can advance the project",
    },
    PublicBodyOnly = "codesign.public_body_only" {
        it: "Solo l'ente pubblico che ha pubblicato l'avviso (o che firma il patto) può farlo",
        en: "Only the public body that published the notice (or signs the pact) can do this",
    },
    PartnerOnly = "codesign.partner_only" {
        it: "Solo le organizzazioni partner del progetto possono farlo",
        en: "Only the project's partner organisations can do this",
    },
    AdminOnly = "codesign.admin_only" {
        it: "Solo un amministratore dell'organizzazione può farlo per conto suo",
        en: "Only an administrator of the organisation can do this on its behalf",
    },
    // --- Guards of the transitions ---
    PublicBodyMissing = "codesign.public_body_missing" {
        it: "Manca l'ente pubblico: un patto o una co-progettazione si fanno con un'amministrazione",
        en: "The public body is missing: a pact or a co-design is made with an administration",
    },
    NoticeIncomplete = "codesign.notice_incomplete" {
        it: "L'avviso deve indicare finalità, oggetto, quadro economico, durata, requisiti e criteri di valutazione",
        en: "The notice must state purpose, object, economic frame, duration, requirements and evaluation criteria",
    },
    NoticeMinOpenDays = "codesign.notice_min_open_days" {
        it: "L'avviso deve restare aperto almeno 20 giorni prima di chiudere le candidature (art. 55 D.Lgs. 117/2017, DM 72/2021)",
        en: "The notice must stay open at least 20 days before applications close (art. 55 D.Lgs. 117/2017, DM 72/2021)",
    },
    NoApplications = "codesign.no_applications" {
        it: "Non è arrivata nessuna candidatura",
        en: "No application has been received",
    },
    ApplicationsUnchecked = "codesign.applications_unchecked" {
        it: "Ogni candidatura deve essere dichiarata ammessa o non ammessa",
        en: "Every application must be declared admitted or not admitted",
    },
    NoAdmittedApplication = "codesign.no_admitted_application" {
        it: "Nessuna candidatura è ammissibile: riaprire le candidature",
        en: "No application is admissible: reopen the applications",
    },
    AdmissibleApplicationExists = "codesign.admissible_application_exists" {
        it: "Ci sono candidature ammissibili: non si riaprono le candidature",
        en: "There are admissible applications: the applications cannot be reopened",
    },
    ScoresMissing = "codesign.scores_missing" {
        it: "Ogni candidatura ammessa deve avere i punteggi di tutti i criteri",
        en: "Every admitted application must be scored on every criterion",
    },
    EvaluationMinutesMissing = "codesign.evaluation_minutes_missing" {
        it: "Manca il verbale della valutazione comparativa",
        en: "The minutes of the comparative evaluation are missing",
    },
    TableMinutesMissing = "codesign.table_minutes_missing" {
        it: "Manca il verbale del tavolo di co-progettazione",
        en: "The minutes of the co-design table are missing",
    },
    PartnerContributionMissing = "codesign.partner_contribution_missing" {
        it: "Serve almeno un partner, oltre al capofila, con un contributo",
        en: "At least one partner besides the lead must bring a contribution",
    },
    FinalProjectMissing = "codesign.final_project_missing" {
        it: "Manca il progetto definitivo",
        en: "The final project is missing",
    },
    ApprovalsMissing = "codesign.approvals_missing" {
        it: "Ogni partner deve approvare la stessa versione, l'ultima, dell'accordo",
        en: "Every partner must approve the same version of the agreement, the latest",
    },
    ReportsMissing = "codesign.reports_missing" {
        it: "Ogni partner deve inserire la propria rendicontazione",
        en: "Every partner must file its report",
    },
    // --- The agreement's text ---
    AgreementMissing = "codesign.agreement_missing" {
        it: "Il testo dell'accordo non è ancora stato scritto",
        en: "The agreement's text has not been written yet",
    },
    AgreementEmpty = "codesign.agreement_empty" {
        it: "Il testo dell'accordo non può essere vuoto",
        en: "The agreement's text cannot be empty",
    },
    AgreementFrozen = "codesign.agreement_frozen" {
        it: "L'accordo è firmato e non può più cambiare",
        en: "The agreement is signed and can no longer change",
    },
    AgreementNotOpen = "codesign.agreement_not_open" {
        it: "In questa fase l'accordo non si scrive né si approva",
        en: "The agreement is not written or approved in this stage",
    },
    ApprovalStaleVersion = "codesign.approval_stale_version" {
        it: "Si approva solo l'ultima versione dell'accordo",
        en: "Only the latest version of the agreement can be approved",
    },
    UnknownVersion = "codesign.unknown_version" {
        it: "Questa versione dell'accordo non esiste",
        en: "This version of the agreement does not exist",
    },
    AlreadyApproved = "codesign.already_approved" {
        it: "L'organizzazione ha già approvato questa versione",
        en: "The organisation has already approved this version",
    },
    // --- Who may be a partner ---
    PrincipalRequiresRunts = "codesign.principal_requires_runts" {
        it: "Nella co-progettazione (art. 55) capofila e partner devono essere enti del Terzo settore iscritti al RUNTS; gli altri possono partecipare come sostenitori o finanziatori",
        en: "In art. 55 co-design the lead and partners must be third-sector bodies registered in RUNTS; others may take part as supporters or funders",
    },
    OneLead = "codesign.one_lead" {
        it: "Il progetto ha un solo capofila",
        en: "A project has one lead partner",
    },
    AlreadyPartner = "codesign.already_partner" {
        it: "L'organizzazione è già partner del progetto",
        en: "The organisation is already a partner of the project",
    },
    PartnersFrozen = "codesign.partners_frozen" {
        it: "In questa fase i partner non cambiano (dopo la firma non cambiano più)",
        en: "Partners do not change in this stage (after signing they never do)",
    },
    // --- Activities outside their stages ---
    ContributionsFrozen = "codesign.contributions_frozen" {
        it: "In questa fase i contributi non cambiano (dopo la firma non cambiano più)",
        en: "Contributions do not change in this stage (after signing they never do)",
    },
    ApplicationsClosed = "codesign.applications_closed" {
        it: "Le candidature non sono aperte",
        en: "Applications are not open",
    },
    AdmissionNotOpen = "codesign.admission_not_open" {
        it: "L'ammissione delle candidature si decide nella fase di verifica di ammissibilità",
        en: "Admission is decided in the admission check stage",
    },
    EvaluationNotOpen = "codesign.evaluation_not_open" {
        it: "I punteggi si assegnano nella fase di valutazione comparativa",
        en: "Scores are given in the comparative evaluation stage",
    },
    TableNotOpen = "codesign.table_not_open" {
        it: "Verbali del tavolo e progetto definitivo si registrano durante la co-progettazione",
        en: "The table's minutes and the final project are recorded during co-design",
    },
    ReportingNotOpen = "codesign.reporting_not_open" {
        it: "La rendicontazione si inserisce nella fase di rendicontazione",
        en: "Reports are filed in the reporting stage",
    },
}

/// An action refused by a co-design rule. The rule says which; the
/// message is the rule's sentence.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Refused {
    pub rule: Rule,
}

impl Refused {
    /// The stable code of the rule (for the API's error extensions).
    pub const fn code(self) -> &'static str {
        self.rule.code()
    }

    /// The sentence for a person.
    pub const fn message(self, lang: Lang) -> &'static str {
        self.rule.message(lang)
    }
}

impl From<Rule> for Refused {
    fn from(rule: Rule) -> Self {
        Self { rule }
    }
}

impl fmt::Display for Refused {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code(), self.message(Lang::En))
    }
}

impl std::error::Error for Refused {}

/// Shorthand for the checks: `refuse(Rule::LeadOnly)?`.
pub(crate) fn refuse<T>(rule: Rule) -> Result<T, Refused> {
    Err(Refused { rule })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::error::testing::assert_translated;
    use std::collections::HashSet;

    #[test]
    fn codes_are_stable_unique_and_translated() {
        let mut seen = HashSet::new();
        for rule in Rule::ALL {
            let code = rule.code();
            assert!(seen.insert(code), "duplicate {code}");
            let name = code.strip_prefix("codesign.").expect("codesign. prefix");
            assert!(
                name.chars().all(|c| c.is_ascii_lowercase() || c == '_'),
                "{code} is not snake_case"
            );
            assert!(!rule.message(Lang::It).is_empty());
            assert!(!rule.message(Lang::En).is_empty());
            assert_ne!(rule.message(Lang::It), rule.message(Lang::En));
        }
        assert_eq!(Rule::LeadOnly.code(), "codesign.lead_only");
        assert_translated(
            |lang| Rule::LeadOnly.message(lang),
            "Solo il capofila può far avanzare il progetto",
            "Only the lead partner can advance the project",
        );
        assert_eq!(
            Rule::NoticeMinOpenDays.code(),
            "codesign.notice_min_open_days"
        );
    }

    #[test]
    fn refused_displays_code_and_message() {
        let refused = Refused::from(Rule::NoGoingBack);
        assert_eq!(refused.code(), "codesign.no_going_back");
        assert_eq!(
            refused.to_string(),
            "codesign.no_going_back: This stage cannot go back"
        );
    }
}
