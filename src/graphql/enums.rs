//! GraphQL enums (SCREAMING_CASE) mirroring the domain's closed lists; the
//! conversions both ways are generated, so they cannot drift.

use async_graphql::Enum;

use crate::domain;

#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[graphql(remote = "domain::OrganizationKind")]
pub enum OrganizationKind {
    HousingCooperative,
    SocialCooperativeA,
    SocialCooperativeB,
    CommunityCooperative,
    Odv,
    Aps,
    Onlus,
    SocialEnterprise,
    Association,
    Foundation,
    BankingFoundation,
    Bank,
    Municipality,
    MetropolitanCity,
    Region,
    PublicHousingAgency,
    Asp,
    PublicHealthBody,
    InformalGroup,
}

#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[graphql(remote = "domain::VerificationStatus")]
pub enum VerificationStatus {
    Unverified,
    Pending,
    Verified,
    Rejected,
}

#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[graphql(remote = "domain::ContactKind")]
pub enum ContactKind {
    Email,
    Pec,
    Phone,
    Website,
    Address,
}

#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[graphql(remote = "domain::OfferKind")]
pub enum OfferKind {
    Funding,
    Loan,
    Space,
    Competence,
    Volunteers,
    Materials,
    Equipment,
}

#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[graphql(remote = "domain::NeedKind")]
pub enum NeedKind {
    CollaborativeHousing,
    CommunityService,
    SocialConcierge,
    SocialMediation,
    SpaceRegeneration,
    TrainingJobPlacement,
    HousingNeedsAnalysis,
    CallForProposals,
    Other,
}

#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[graphql(remote = "domain::PostingStatus")]
pub enum PostingStatus {
    Draft,
    Open,
    Closed,
}

#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[graphql(remote = "domain::TerritoryScope")]
pub enum TerritoryScope {
    Neighbourhood,
    Municipality,
    Province,
    Region,
    National,
}

#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[graphql(remote = "domain::LocationPrecision")]
pub enum LocationPrecision {
    Exact,
    Neighbourhood,
    Municipality,
}

/// The language of labels and messages.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[graphql(remote = "domain::Lang")]
pub enum Language {
    It,
    En,
}

#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[graphql(remote = "domain::MembershipRole")]
pub enum MembershipRole {
    Admin,
    Member,
}

/// Who can see a contact.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[graphql(remote = "domain::ContactVisibility")]
pub enum ContactVisibility {
    Public,
    SignedIn,
    Members,
}

/// What a moderator can hide from public view.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum HideableKind {
    Organization,
    Offer,
    Need,
}

/// What a person asks of an organisation: to join it (it has admins) or to
/// manage it (it has none).
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[graphql(remote = "domain::RequestKind")]
pub enum OrganizationRequestKind {
    Join,
    Claim,
}

#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[graphql(remote = "domain::RequestStatus")]
pub enum OrganizationRequestStatus {
    Pending,
    Approved,
    Declined,
    /// The requester deleted their account while it was pending.
    Withdrawn,
}

/// How a request to join or manage an organisation was decided.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[graphql(remote = "domain::RequestDecidedVia")]
pub enum OrganizationRequestDecidedVia {
    /// By one of the organisation's admins.
    Admin,
    /// By a platform moderator.
    Moderator,
    /// By someone at the organisation's registered address, with the
    /// confirmation link.
    ConfirmationLink,
    /// The requester's own verified address is a registered address of the
    /// organisation.
    RegisteredAddress,
    /// The requester's own verified address is at the organisation's
    /// registered e-mail domain.
    EmailDomain,
}

/// The legal frame of a co-design project.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[graphql(remote = "domain::ProjectProcedure")]
pub enum ProjectProcedure {
    /// Patto di collaborazione (municipal regulations on the commons).
    PattoCollaborazione,
    /// Co-progettazione under art. 55 of the Third Sector Code.
    Coprogettazione,
}

/// A stage of a project's procedure.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[graphql(remote = "domain::ProjectStage")]
pub enum ProjectStage {
    Proposal,
    Review,
    PublicNotice,
    Applications,
    AdmissionCheck,
    Evaluation,
    CodesignTable,
    FinalProject,
    Agreement,
    Signed,
    Active,
    Delivery,
    Reporting,
    Closed,
}

/// An organisation's role in a project.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[graphql(remote = "domain::PartnerRole")]
pub enum PartnerRole {
    Lead,
    Partner,
    Supporter,
    Funder,
}

/// The state of a contribution.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[graphql(remote = "domain::ContributionStatus")]
pub enum ContributionStatus {
    Proposed,
    Agreed,
    Delivered,
    Withdrawn,
}
