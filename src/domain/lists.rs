//! The closed lists of docs/data-model.md as Rust enums (the only writers of
//! those database values), with the rules that depend on a single value:
//! which organisations are public bodies or third-sector bodies, and the
//! stages of each co-design procedure.

use super::closed::closed_list;

closed_list! {
    /// The legal form of an organisation.
    pub enum OrganizationKind {
        HousingCooperative = "housing_cooperative" {
            it: "Cooperativa di abitanti (edilizia)",
            en: "Housing co-operative",
        },
        SocialCooperativeA = "social_cooperative_a" {
            it: "Cooperativa sociale di tipo A",
            en: "Social co-operative (type A)",
        },
        SocialCooperativeB = "social_cooperative_b" {
            it: "Cooperativa sociale di tipo B",
            en: "Social co-operative (type B)",
        },
        CommunityCooperative = "community_cooperative" {
            it: "Cooperativa di comunità",
            en: "Community co-operative",
        },
        Odv = "odv" {
            it: "Organizzazione di volontariato (ODV)",
            en: "Volunteer organisation (ODV)",
        },
        Aps = "aps" {
            it: "Associazione di promozione sociale (APS)",
            en: "Social promotion association (APS)",
        },
        Onlus = "onlus" {
            it: "Organizzazione non lucrativa di utilità sociale (ONLUS)",
            en: "Non-profit organisation of social utility (ONLUS)",
        },
        SocialEnterprise = "social_enterprise" {
            it: "Impresa sociale",
            en: "Social enterprise",
        },
        Association = "association" { it: "Associazione", en: "Association" },
        Foundation = "foundation" { it: "Fondazione", en: "Foundation" },
        BankingFoundation = "banking_foundation" {
            it: "Fondazione di origine bancaria",
            en: "Banking foundation",
        },
        Bank = "bank" { it: "Banca", en: "Bank" },
        Municipality = "municipality" { it: "Comune", en: "Municipality" },
        MetropolitanCity = "metropolitan_city" {
            it: "Città metropolitana",
            en: "Metropolitan city",
        },
        Region = "region" { it: "Regione", en: "Region" },
        PublicHousingAgency = "public_housing_agency" {
            it: "Ente per l'edilizia residenziale pubblica (ALER/ACER)",
            en: "Public housing agency (ALER/ACER)",
        },
        Asp = "asp" {
            it: "Azienda pubblica di servizi alla persona (ASP)",
            en: "Public personal-services company (ASP)",
        },
        PublicHealthBody = "public_health_body" {
            it: "Ente sanitario pubblico (ATS, ASL, ospedale)",
            en: "Public health body (health authority, hospital)",
        },
        InformalGroup = "informal_group" {
            it: "Gruppo informale di cittadini",
            en: "Informal citizens' group",
        },
    }
}

impl OrganizationKind {
    /// Public administrations: they publish calls and sign pacts as the
    /// public party.
    pub const fn is_public_body(self) -> bool {
        matches!(
            self,
            Self::Municipality
                | Self::MetropolitanCity
                | Self::Region
                | Self::PublicHousingAgency
                | Self::Asp
                | Self::PublicHealthBody
        )
    }

    /// Third-sector bodies that may take part in co-design under art. 55 of
    /// the Codice del Terzo Settore (D.Lgs. 117/2017). Banking foundations
    /// are outside the Code (art. 3(3)), public bodies are excluded by
    /// art. 4(2), and banks, housing co-ops and informal groups are not ETS.
    pub const fn is_third_sector(self) -> bool {
        matches!(
            self,
            Self::SocialCooperativeA
                | Self::SocialCooperativeB
                | Self::CommunityCooperative
                | Self::Odv
                | Self::Aps
                | Self::Onlus
                | Self::SocialEnterprise
                | Self::Association
                | Self::Foundation
        )
    }

    /// Organisations whose typical contribution is money (grants, loans,
    /// impact capital).
    pub const fn is_financial(self) -> bool {
        matches!(
            self,
            Self::Bank | Self::BankingFoundation | Self::Foundation
        )
    }

    /// Whether an organisation of this kind must give a tax code: everyone
    /// but informal groups, which have none.
    pub const fn requires_tax_code(self) -> bool {
        !matches!(self, Self::InformalGroup)
    }
}

closed_list! {
    /// How far an organisation's identity has been checked.
    pub enum VerificationStatus {
        Unverified = "unverified" { it: "Non verificata", en: "Unverified" },
        Pending = "pending" { it: "Verifica in corso", en: "Verification pending" },
        Verified = "verified" { it: "Verificata", en: "Verified" },
        Rejected = "rejected" { it: "Verifica non superata", en: "Verification rejected" },
    }
}

closed_list! {
    /// The kind of an organisation's contact; decides how its value is checked.
    pub enum ContactKind {
        Email = "email" { it: "Email", en: "Email" },
        Pec = "pec" {
            it: "PEC (posta elettronica certificata)",
            en: "Certified email (PEC)",
        },
        Phone = "phone" { it: "Telefono", en: "Phone" },
        Website = "website" { it: "Sito web", en: "Website" },
        Address = "address" { it: "Indirizzo", en: "Address" },
    }
}

closed_list! {
    /// Who may see a contact.
    pub enum ContactVisibility {
        Public = "public" { it: "Tutti", en: "Everyone" },
        SignedIn = "signed_in" { it: "Solo utenti registrati", en: "Signed-in users" },
        Members = "members" {
            it: "Solo i membri dell'organizzazione",
            en: "Members of the organisation only",
        },
    }
}

closed_list! {
    /// A user's role in an organisation.
    pub enum MembershipRole {
        Admin = "admin" { it: "Amministratore", en: "Administrator" },
        Member = "member" { it: "Membro", en: "Member" },
    }
}

closed_list! {
    /// What an offer gives; also the kind of a project contribution and of a
    /// need's required contributions.
    pub enum OfferKind {
        Funding = "funding" { it: "Finanziamento", en: "Funding" },
        Loan = "loan" { it: "Prestito", en: "Loan" },
        Space = "space" { it: "Spazi", en: "Space" },
        Competence = "competence" { it: "Competenze", en: "Expertise" },
        Volunteers = "volunteers" { it: "Volontari", en: "Volunteers" },
        Materials = "materials" { it: "Materiali", en: "Materials" },
        Equipment = "equipment" { it: "Attrezzature", en: "Equipment" },
    }
}

/// A project contribution is described with the offer kinds.
pub type ContributionKind = OfferKind;

closed_list! {
    /// What a need is about.
    pub enum NeedKind {
        CollaborativeHousing = "collaborative_housing" {
            it: "Abitare collaborativo",
            en: "Collaborative housing",
        },
        CommunityService = "community_service" {
            it: "Servizio di comunità",
            en: "Community service",
        },
        SocialConcierge = "social_concierge" {
            it: "Portierato sociale",
            en: "Social concierge",
        },
        SocialMediation = "social_mediation" {
            it: "Mediazione sociale",
            en: "Social mediation",
        },
        SpaceRegeneration = "space_regeneration" {
            it: "Rigenerazione di spazi",
            en: "Regeneration of spaces",
        },
        TrainingJobPlacement = "training_job_placement" {
            it: "Formazione e inserimento lavorativo",
            en: "Training and job placement",
        },
        HousingNeedsAnalysis = "housing_needs_analysis" {
            it: "Analisi dei bisogni abitativi",
            en: "Housing needs analysis",
        },
        CallForProposals = "call_for_proposals" {
            it: "Bando o avviso pubblico",
            en: "Call for proposals",
        },
        Other = "other" { it: "Altro", en: "Other" },
    }
}

closed_list! {
    /// The publication state of an offer or a need.
    #[derive(Default)]
    pub enum PostingStatus {
        Draft = "draft" { it: "Bozza", en: "Draft" },
        /// The default: new postings are published at once unless saved as
        /// drafts.
        #[default]
        Open = "open" { it: "Aperto", en: "Open" },
        Closed = "closed" { it: "Chiuso", en: "Closed" },
    }
}

closed_list! {
    /// How far from its place an offer is available.
    pub enum TerritoryScope {
        Neighbourhood = "neighbourhood" { it: "Quartiere", en: "Neighbourhood" },
        Municipality = "municipality" { it: "Comune", en: "Municipality" },
        Province = "province" { it: "Provincia", en: "Province" },
        Region = "region" { it: "Regione", en: "Region" },
        National = "national" { it: "Tutta Italia", en: "Nationwide" },
    }
}

closed_list! {
    /// How precisely a need's place is shown to others.
    #[derive(Default)]
    pub enum LocationPrecision {
        Exact = "exact" { it: "Indirizzo esatto", en: "Exact address" },
        /// The default: needs are local, but an exact address can point at
        /// vulnerable people; the neighbourhood is the compromise.
        #[default]
        Neighbourhood = "neighbourhood" { it: "Quartiere", en: "Neighbourhood" },
        Municipality = "municipality" { it: "Comune", en: "Municipality" },
    }
}

closed_list! {
    /// Where one side (need or offer) stands on a proposed match.
    pub enum MatchSideStatus {
        Suggested = "suggested" { it: "Proposto", en: "Suggested" },
        Interested = "interested" { it: "Interessato", en: "Interested" },
        Dismissed = "dismissed" { it: "Scartato", en: "Dismissed" },
        InContact = "in_contact" { it: "In contatto", en: "In contact" },
        Partnership = "partnership" { it: "Partenariato avviato", en: "Partnership" },
    }
}

closed_list! {
    /// A user's verdict on a match, recorded to tune the scoring.
    pub enum FeedbackVerdict {
        Relevant = "relevant" { it: "Pertinente", en: "Relevant" },
        NotRelevant = "not_relevant" { it: "Non pertinente", en: "Not relevant" },
        Interested = "interested" { it: "Interessato", en: "Interested" },
        Dismissed = "dismissed" { it: "Scartato", en: "Dismissed" },
    }
}

closed_list! {
    /// Where match feedback came from (`match_feedback.source`; listed in the
    /// table notes rather than the closed-lists table, but stored the same way).
    pub enum FeedbackSource {
        Web = "web" { it: "Sito", en: "Website" },
        Email = "email" { it: "Email", en: "Email" },
    }
}

closed_list! {
    /// The legal frame of a project.
    pub enum ProjectProcedure {
        PattoCollaborazione = "patto_collaborazione" {
            it: "Patto di collaborazione",
            en: "Collaboration pact",
        },
        Coprogettazione = "coprogettazione" {
            it: "Co-progettazione (art. 55 del Codice del Terzo settore)",
            en: "Co-design (art. 55 of the Third Sector Code)",
        },
    }
}

closed_list! {
    /// A step of a project's procedure; see [`ProjectStage::sequence`] and,
    /// for the transitions and who may take them,
    /// [`crate::domain::codesign::procedure`]. Stages shared by the two
    /// procedures (co-design table, reporting, closed) share their value.
    pub enum ProjectStage {
        /// Patto: citizens or organisations propose the care of a common good.
        Proposal = "proposal" { it: "Proposta", en: "Proposal" },
        /// Patto: the administration examines the proposal (istruttoria).
        Review = "review" { it: "Istruttoria", en: "Review" },
        /// Art. 55: the public body drafts and publishes the notice.
        PublicNotice = "public_notice" { it: "Avviso pubblico", en: "Public notice" },
        /// Art. 55: third-sector bodies apply with a proposal.
        Applications = "applications" { it: "Candidature", en: "Applications" },
        /// Art. 55: who may take part, and in which role.
        AdmissionCheck = "admission_check" {
            it: "Verifica di ammissibilità",
            en: "Admission check",
        },
        /// Art. 55: scores per criterion and minutes.
        Evaluation = "evaluation" {
            it: "Valutazione comparativa",
            en: "Comparative evaluation",
        },
        /// Both: the partners design the project together (with minutes
        /// under art. 55).
        CodesignTable = "codesign_table" {
            it: "Tavolo di co-progettazione",
            en: "Co-design table",
        },
        /// Art. 55: the project the table agreed on.
        FinalProject = "final_project" { it: "Progetto definitivo", en: "Final project" },
        /// Art. 55: the agreement (convenzione) is written and approved.
        Agreement = "agreement" { it: "Convenzione", en: "Agreement (convenzione)" },
        /// Patto: every partner approved the same text and it is signed.
        Signed = "signed" { it: "Patto sottoscritto", en: "Pact signed" },
        /// Patto: the pact is being carried out.
        Active = "active" { it: "Patto in corso", en: "Pact in progress" },
        /// Art. 55: the service is being delivered.
        Delivery = "delivery" { it: "Realizzazione", en: "Delivery" },
        Reporting = "reporting" { it: "Rendicontazione", en: "Reporting" },
        Closed = "closed" { it: "Concluso", en: "Closed" },
    }
}

impl ProjectStage {
    /// Patto di collaborazione (municipal regulations on the shared care
    /// of commons): the text is agreed during co-design and signed at once.
    const PATTO: &'static [Self] = &[
        Self::Proposal,
        Self::Review,
        Self::CodesignTable,
        Self::Signed,
        Self::Active,
        Self::Reporting,
        Self::Closed,
    ];

    // Art. 55 co-design (D.Lgs. 117/2017, DM 72/2021) starts from a public
    // notice, so that every eligible body can apply before the table forms.
    const COPROGETTAZIONE: &'static [Self] = &[
        Self::PublicNotice,
        Self::Applications,
        Self::AdmissionCheck,
        Self::Evaluation,
        Self::CodesignTable,
        Self::FinalProject,
        Self::Agreement,
        Self::Delivery,
        Self::Reporting,
        Self::Closed,
    ];

    /// The stages of a procedure, in order.
    pub const fn sequence(procedure: ProjectProcedure) -> &'static [Self] {
        match procedure {
            ProjectProcedure::PattoCollaborazione => Self::PATTO,
            ProjectProcedure::Coprogettazione => Self::COPROGETTAZIONE,
        }
    }

    /// The stage a new project of this procedure starts in.
    pub const fn first(procedure: ProjectProcedure) -> Self {
        Self::sequence(procedure)[0]
    }

    /// Whether this stage is part of the procedure.
    pub fn belongs_to(self, procedure: ProjectProcedure) -> bool {
        Self::sequence(procedure).contains(&self)
    }

    /// Where the stage sits in the procedure's sequence; `None` when it is
    /// not part of it.
    pub fn position(self, procedure: ProjectProcedure) -> Option<usize> {
        Self::sequence(procedure)
            .iter()
            .position(|stage| *stage == self)
    }

    /// The stage after this one; `None` at the end, or when the stage is not
    /// part of the procedure.
    pub fn next(self, procedure: ProjectProcedure) -> Option<Self> {
        let position = self.position(procedure)?;
        Self::sequence(procedure).get(position + 1).copied()
    }

    /// The stage in which the partners' agreement is signed: the stage
    /// reached once it is, under each procedure (a pact is "signed", a
    /// convenzione is signed on leaving "agreement" for "delivery").
    pub const fn signing(procedure: ProjectProcedure) -> Self {
        match procedure {
            ProjectProcedure::PattoCollaborazione => Self::Signed,
            ProjectProcedure::Coprogettazione => Self::Delivery,
        }
    }
}

closed_list! {
    /// An organisation's role in a project.
    pub enum PartnerRole {
        Lead = "lead" { it: "Capofila", en: "Lead partner" },
        Partner = "partner" { it: "Partner", en: "Partner" },
        /// Supports the project without being a principal partner (under
        /// art. 55, the role open to bodies outside RUNTS).
        Supporter = "supporter" { it: "Sostenitore", en: "Supporter" },
        /// Brings money (a grant, a loan) without being a principal partner.
        Funder = "funder" { it: "Finanziatore", en: "Funder" },
    }
}

impl PartnerRole {
    /// The lead and the partners: the parties who co-design and answer for
    /// the project; under art. 55 they must be registered third-sector
    /// bodies (see [`crate::domain::codesign::eligibility`]).
    pub const fn is_principal(self) -> bool {
        matches!(self, Self::Lead | Self::Partner)
    }
}

closed_list! {
    /// The state of a contribution promised to a project.
    pub enum ContributionStatus {
        Proposed = "proposed" { it: "Proposto", en: "Proposed" },
        Agreed = "agreed" { it: "Concordato", en: "Agreed" },
        Delivered = "delivered" { it: "Fornito", en: "Delivered" },
        Withdrawn = "withdrawn" { it: "Ritirato", en: "Withdrawn" },
    }
}

closed_list! {
    /// A partner's decision on a project stage.
    pub enum ApprovalDecision {
        Approved = "approved" { it: "Approvato", en: "Approved" },
        Rejected = "rejected" { it: "Respinto", en: "Rejected" },
    }
}

closed_list! {
    /// The kind of a project document.
    pub enum DocumentKind {
        Agreement = "agreement" { it: "Accordo", en: "Agreement" },
        Minutes = "minutes" { it: "Verbale", en: "Minutes" },
        Report = "report" { it: "Relazione", en: "Report" },
        Other = "other" { it: "Altro", en: "Other" },
    }
}

closed_list! {
    /// How often a user receives the email digest.
    #[derive(Default)]
    pub enum DigestFrequency {
        Immediate = "immediate" { it: "Subito", en: "Immediately" },
        Daily = "daily" { it: "Ogni giorno", en: "Daily" },
        /// The default: the product promises every member a weekly digest.
        #[default]
        Weekly = "weekly" { it: "Ogni settimana", en: "Weekly" },
        Off = "off" { it: "Mai", en: "Never" },
    }
}

closed_list! {
    /// The state of one digest email in the sent log.
    pub enum DeliveryStatus {
        Pending = "pending" { it: "In attesa", en: "Pending" },
        Sending = "sending" { it: "In invio", en: "Sending" },
        Sent = "sent" { it: "Inviato", en: "Sent" },
        Retry = "retry" { it: "Da ritentare", en: "To retry" },
        /// Refused for good by the mail server (or not deliverable at all).
        Failed = "failed" { it: "Non riuscito", en: "Failed" },
        /// Failed for reasons that may pass, retried for the configured time,
        /// then given up: what is still relevant goes in the next digest.
        GivenUp = "given_up" { it: "Abbandonato", en: "Given up" },
    }
}

closed_list! {
    /// Why a digest could not be delivered, as a person is told it.
    pub enum DeliveryFailure {
        /// No connection, no answer in time, a TLS failure: may pass.
        Unreachable = "unreachable" {
            it: "Il server di posta non risponde",
            en: "The mail server is not answering",
        },
        /// The server answered "try again later" (a 4xx reply): may pass.
        Deferred = "deferred" {
            it: "Il server di posta chiede di riprovare più tardi",
            en: "The mail server asked to try again later",
        },
        /// The server refused the recipient's address for good.
        RecipientRefused = "recipient_refused" {
            it: "Il server di posta ha rifiutato l'indirizzo",
            en: "The mail server refused the address",
        },
        /// The server refused the message for good.
        MessageRefused = "message_refused" {
            it: "Il server di posta ha rifiutato il messaggio",
            en: "The mail server refused the message",
        },
    }
}

closed_list! {
    /// What a single-use email link is for.
    pub enum EmailTokenPurpose {
        VerifyEmail = "verify_email" {
            it: "Conferma dell'indirizzo email",
            en: "Email address verification",
        },
        ResetPassword = "reset_password" {
            it: "Reimpostazione della password",
            en: "Password reset",
        },
        Unsubscribe = "unsubscribe" { it: "Annullamento dell'iscrizione", en: "Unsubscribe" },
    }
}

closed_list! {
    /// The kind of record a search-outbox row refers to.
    pub enum OutboxEntityType {
        Organization = "organization" { it: "Organizzazione", en: "Organisation" },
        Offer = "offer" { it: "Offerta", en: "Offer" },
        Need = "need" { it: "Bisogno", en: "Need" },
    }
}

closed_list! {
    /// What the indexer must do with an outbox row's record.
    pub enum OutboxOperation {
        Upsert = "upsert" { it: "Inserimento o modifica", en: "Insert or update" },
        Delete = "delete" { it: "Cancellazione", en: "Delete" },
    }
}

closed_list! {
    /// The state of a background job.
    pub enum JobStatus {
        Queued = "queued" { it: "In coda", en: "Queued" },
        Running = "running" { it: "In esecuzione", en: "Running" },
        Done = "done" { it: "Completato", en: "Done" },
        Failed = "failed" { it: "Non riuscito", en: "Failed" },
    }
}

closed_list! {
    /// What a person asks of an organisation: to join one that has admins
    /// (they decide), or to claim one that has none (confirmed by its
    /// registered address or by a moderator).
    pub enum RequestKind {
        Join = "join" { it: "Richiesta di adesione", en: "Request to join" },
        Claim = "claim" {
            it: "Richiesta di gestione",
            en: "Request to manage",
        },
    }
}

closed_list! {
    /// Where a request to join or claim an organisation stands.
    pub enum RequestStatus {
        Pending = "pending" { it: "In attesa", en: "Pending" },
        Approved = "approved" { it: "Accolta", en: "Approved" },
        Declined = "declined" { it: "Respinta", en: "Declined" },
        /// The requester deleted their account while it was pending.
        Withdrawn = "withdrawn" { it: "Ritirata", en: "Withdrawn" },
    }
}

closed_list! {
    /// How a request to join or claim an organisation was decided.
    pub enum RequestDecidedVia {
        /// By one of the organisation's admins.
        Admin = "admin" { it: "Da un amministratore", en: "By an admin" },
        /// By a platform moderator.
        Moderator = "moderator" { it: "Da un moderatore", en: "By a moderator" },
        /// By someone at the organisation's registered e-mail or PEC
        /// address, through the confirmation link.
        ConfirmationLink = "confirmation_link" {
            it: "Dall'indirizzo registrato dell'organizzazione",
            en: "From the organisation's registered address",
        },
        /// The requester's own verified address is one of the
        /// organisation's registered addresses.
        RegisteredAddress = "registered_address" {
            it: "Indirizzo registrato dell'organizzazione",
            en: "The organisation's registered address",
        },
        /// The requester's own verified address is at the domain of the
        /// organisation's registered e-mail.
        EmailDomain = "email_domain" {
            it: "Dominio e-mail dell'organizzazione",
            en: "The organisation's e-mail domain",
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::closed::assert_well_formed;
    use crate::domain::error::testing::assert_translated;
    use crate::domain::error::{Invalid, Lang};

    #[test]
    fn every_list_is_well_formed() {
        assert_well_formed::<OrganizationKind>();
        assert_well_formed::<VerificationStatus>();
        assert_well_formed::<ContactKind>();
        assert_well_formed::<ContactVisibility>();
        assert_well_formed::<MembershipRole>();
        assert_well_formed::<OfferKind>();
        assert_well_formed::<NeedKind>();
        assert_well_formed::<PostingStatus>();
        assert_well_formed::<TerritoryScope>();
        assert_well_formed::<LocationPrecision>();
        assert_well_formed::<MatchSideStatus>();
        assert_well_formed::<FeedbackVerdict>();
        assert_well_formed::<FeedbackSource>();
        assert_well_formed::<ProjectProcedure>();
        assert_well_formed::<ProjectStage>();
        assert_well_formed::<PartnerRole>();
        assert_well_formed::<ContributionStatus>();
        assert_well_formed::<ApprovalDecision>();
        assert_well_formed::<DocumentKind>();
        assert_well_formed::<DigestFrequency>();
        assert_well_formed::<DeliveryStatus>();
        assert_well_formed::<DeliveryFailure>();
        assert_well_formed::<EmailTokenPurpose>();
        assert_well_formed::<OutboxEntityType>();
        assert_well_formed::<OutboxOperation>();
        assert_well_formed::<JobStatus>();
    }

    /// The values are copied from docs/data-model.md so that a rename in
    /// either place shows up here.
    #[test]
    fn values_match_the_data_model() {
        assert_eq!(
            OrganizationKind::VALUES,
            [
                "housing_cooperative",
                "social_cooperative_a",
                "social_cooperative_b",
                "community_cooperative",
                "odv",
                "aps",
                "onlus",
                "social_enterprise",
                "association",
                "foundation",
                "banking_foundation",
                "bank",
                "municipality",
                "metropolitan_city",
                "region",
                "public_housing_agency",
                "asp",
                "public_health_body",
                "informal_group",
            ]
        );
        assert_eq!(
            VerificationStatus::VALUES,
            ["unverified", "pending", "verified", "rejected"]
        );
        assert_eq!(
            ContactKind::VALUES,
            ["email", "pec", "phone", "website", "address"]
        );
        assert_eq!(
            ContactVisibility::VALUES,
            ["public", "signed_in", "members"]
        );
        assert_eq!(MembershipRole::VALUES, ["admin", "member"]);
        assert_eq!(
            OfferKind::VALUES,
            [
                "funding",
                "loan",
                "space",
                "competence",
                "volunteers",
                "materials",
                "equipment"
            ]
        );
        assert_eq!(
            NeedKind::VALUES,
            [
                "collaborative_housing",
                "community_service",
                "social_concierge",
                "social_mediation",
                "space_regeneration",
                "training_job_placement",
                "housing_needs_analysis",
                "call_for_proposals",
                "other",
            ]
        );
        assert_eq!(PostingStatus::VALUES, ["draft", "open", "closed"]);
        assert_eq!(
            TerritoryScope::VALUES,
            [
                "neighbourhood",
                "municipality",
                "province",
                "region",
                "national"
            ]
        );
        assert_eq!(
            LocationPrecision::VALUES,
            ["exact", "neighbourhood", "municipality"]
        );
        assert_eq!(
            MatchSideStatus::VALUES,
            [
                "suggested",
                "interested",
                "dismissed",
                "in_contact",
                "partnership"
            ]
        );
        assert_eq!(
            FeedbackVerdict::VALUES,
            ["relevant", "not_relevant", "interested", "dismissed"]
        );
        assert_eq!(
            ProjectProcedure::VALUES,
            ["patto_collaborazione", "coprogettazione"]
        );
        assert_eq!(
            ProjectStage::VALUES,
            [
                "proposal",
                "review",
                "public_notice",
                "applications",
                "admission_check",
                "evaluation",
                "codesign_table",
                "final_project",
                "agreement",
                "signed",
                "active",
                "delivery",
                "reporting",
                "closed",
            ]
        );
        assert_eq!(
            PartnerRole::VALUES,
            ["lead", "partner", "supporter", "funder"]
        );
        assert_eq!(
            ContributionStatus::VALUES,
            ["proposed", "agreed", "delivered", "withdrawn"]
        );
        assert_eq!(ApprovalDecision::VALUES, ["approved", "rejected"]);
        assert_eq!(
            DocumentKind::VALUES,
            ["agreement", "minutes", "report", "other"]
        );
        assert_eq!(
            DigestFrequency::VALUES,
            ["immediate", "daily", "weekly", "off"]
        );
        assert_eq!(Lang::VALUES, ["it", "en"]);
        assert_eq!(
            DeliveryStatus::VALUES,
            ["pending", "sending", "sent", "retry", "failed", "given_up"]
        );
        assert_eq!(
            DeliveryFailure::VALUES,
            [
                "unreachable",
                "deferred",
                "recipient_refused",
                "message_refused"
            ]
        );
        assert_eq!(
            EmailTokenPurpose::VALUES,
            ["verify_email", "reset_password", "unsubscribe"]
        );
        assert_eq!(OutboxEntityType::VALUES, ["organization", "offer", "need"]);
        assert_eq!(OutboxOperation::VALUES, ["upsert", "delete"]);
        assert_eq!(JobStatus::VALUES, ["queued", "running", "done", "failed"]);
    }

    #[test]
    fn parse_accepts_any_case_and_lists_allowed_values() {
        assert_eq!(
            OrganizationKind::parse("SOCIAL_COOPERATIVE_A"),
            Ok(OrganizationKind::SocialCooperativeA)
        );
        assert_eq!(
            "Public_Housing_Agency".parse::<OrganizationKind>(),
            Ok(OrganizationKind::PublicHousingAgency)
        );
        assert_eq!(
            MembershipRole::parse("owner"),
            Err(Invalid::UnknownValue {
                allowed: vec!["admin", "member"]
            })
        );
        // Labels are not values: a form must send the value.
        assert!(OrganizationKind::parse("Comune").is_err());
        assert_eq!(MembershipRole::parse(""), Err(Invalid::Required));
    }

    #[test]
    fn labels_are_translated() {
        assert_translated(
            |lang| OrganizationKind::SocialCooperativeA.label(lang),
            "Cooperativa sociale di tipo A",
            "Social co-operative (type A)",
        );
        assert_eq!(
            OrganizationKind::PublicHousingAgency.label(Lang::It),
            "Ente per l'edilizia residenziale pubblica (ALER/ACER)"
        );
    }

    #[test]
    fn display_and_serde_use_the_database_value() {
        assert_eq!(
            OrganizationKind::BankingFoundation.to_string(),
            "banking_foundation"
        );
        assert_eq!(
            serde_json::to_string(&MatchSideStatus::InContact).expect("serialisable"),
            "\"in_contact\""
        );
        let kinds: Vec<OfferKind> =
            serde_json::from_str(r#"["funding","SPACE"]"#).expect("valid values");
        assert_eq!(kinds, [OfferKind::Funding, OfferKind::Space]);
        let error = serde_json::from_str::<OfferKind>("\"money\"").expect_err("unknown value");
        assert!(error.to_string().contains("choose among funding, loan"));
    }

    #[test]
    fn organisation_kind_rules() {
        use OrganizationKind as K;
        // (kind, public body, third sector, financial)
        let table = [
            (K::HousingCooperative, false, false, false),
            (K::SocialCooperativeA, false, true, false),
            (K::SocialCooperativeB, false, true, false),
            (K::CommunityCooperative, false, true, false),
            (K::Odv, false, true, false),
            (K::Aps, false, true, false),
            (K::Onlus, false, true, false),
            (K::SocialEnterprise, false, true, false),
            (K::Association, false, true, false),
            (K::Foundation, false, true, true),
            (K::BankingFoundation, false, false, true),
            (K::Bank, false, false, true),
            (K::Municipality, true, false, false),
            (K::MetropolitanCity, true, false, false),
            (K::Region, true, false, false),
            (K::PublicHousingAgency, true, false, false),
            (K::Asp, true, false, false),
            (K::PublicHealthBody, true, false, false),
            (K::InformalGroup, false, false, false),
        ];
        assert_eq!(table.len(), K::ALL.len(), "every kind is in the table");
        for (kind, public, third, financial) in table {
            assert_eq!(kind.is_public_body(), public, "{kind} public body");
            assert_eq!(kind.is_third_sector(), third, "{kind} third sector");
            assert_eq!(kind.is_financial(), financial, "{kind} financial");
            assert_eq!(kind.requires_tax_code(), kind != K::InformalGroup);
        }
    }

    #[test]
    fn stage_sequences() {
        use ProjectProcedure::*;
        use ProjectStage::*;
        assert_eq!(
            ProjectStage::sequence(PattoCollaborazione),
            [
                Proposal,
                Review,
                CodesignTable,
                Signed,
                Active,
                Reporting,
                Closed
            ]
        );
        assert_eq!(
            ProjectStage::sequence(Coprogettazione),
            [
                PublicNotice,
                Applications,
                AdmissionCheck,
                Evaluation,
                CodesignTable,
                FinalProject,
                Agreement,
                Delivery,
                Reporting,
                Closed
            ]
        );
        for procedure in ProjectProcedure::ALL {
            let sequence = ProjectStage::sequence(*procedure);
            assert_eq!(ProjectStage::first(*procedure), sequence[0]);
            for pair in sequence.windows(2) {
                assert_eq!(pair[0].next(*procedure), Some(pair[1]));
            }
            assert_eq!(Closed.next(*procedure), None);
            assert!(ProjectStage::signing(*procedure).belongs_to(*procedure));
        }
        // Every stage belongs to at least one procedure.
        for stage in ProjectStage::ALL {
            assert!(
                ProjectProcedure::ALL.iter().any(|p| stage.belongs_to(*p)),
                "{stage} belongs to no procedure"
            );
        }
        assert_eq!(Proposal.next(PattoCollaborazione), Some(Review));
        assert_eq!(CodesignTable.next(PattoCollaborazione), Some(Signed));
        assert_eq!(CodesignTable.next(Coprogettazione), Some(FinalProject));
        assert_eq!(Agreement.next(Coprogettazione), Some(Delivery));
        assert_eq!(Agreement.next(PattoCollaborazione), None);
        assert_eq!(Proposal.next(Coprogettazione), None);
        assert!(!PublicNotice.belongs_to(PattoCollaborazione));
        assert!(PublicNotice.belongs_to(Coprogettazione));
        assert_eq!(Evaluation.position(Coprogettazione), Some(3));
        assert_eq!(Evaluation.position(PattoCollaborazione), None);
    }

    #[test]
    fn principal_roles() {
        assert!(PartnerRole::Lead.is_principal());
        assert!(PartnerRole::Partner.is_principal());
        assert!(!PartnerRole::Supporter.is_principal());
        assert!(!PartnerRole::Funder.is_principal());
        assert_eq!(PartnerRole::Supporter.label(Lang::It), "Sostenitore");
        assert_eq!(PartnerRole::Funder.label(Lang::It), "Finanziatore");
    }

    #[test]
    fn defaults() {
        assert_eq!(PostingStatus::default(), PostingStatus::Open);
        assert_eq!(
            LocationPrecision::default(),
            LocationPrecision::Neighbourhood
        );
        assert_eq!(DigestFrequency::default(), DigestFrequency::Weekly);
    }
}
