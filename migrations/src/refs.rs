//! Every table's identifiers, one enum per table naming each column any
//! migration creates, alters, indexes or reads (`id` and the timestamps are
//! spelt once in `common`): one spelling for every migration that refers to
//! the table.
//!
//! An enum may only grow: a column a later migration drops or renames keeps
//! its variant, for the migrations that created it.

use sea_orm_migration::prelude::*;

// Territories and taxonomy.

#[derive(DeriveIden)]
pub enum Municipalities {
    Table,
    IstatCode,
    Name,
    ProvinceCode,
    ProvinceName,
    RegionCode,
    RegionName,
    CadastralCode,
    Population,
    Lat,
    Lon,
    CoordinatesApproximate,
}

#[derive(DeriveIden)]
pub enum Neighbourhoods {
    Table,
    MunicipalityCode,
    Code,
    Name,
    CentroidLat,
    CentroidLon,
    BoundaryGeojson,
    #[sea_orm(iden = "area_m2")]
    AreaM2,
    Source,
}

#[derive(DeriveIden)]
pub enum Sectors {
    Table,
    Code,
    NameIt,
    NameEn,
    ParentCode,
    Position,
}

#[derive(DeriveIden)]
pub enum ReferenceDataVersions {
    Table,
    Dataset,
    Version,
    Rows,
    LoadedAt,
}

// Accounts.

#[derive(DeriveIden)]
pub enum Users {
    Table,
    Email,
    DisplayName,
    PasswordHash,
    EmailVerifiedAt,
    IsModerator,
    Locale,
}

#[derive(DeriveIden)]
pub enum AuthSessions {
    Table,
    UserId,
    TokenHash,
    ExpiresAt,
    RevokedAt,
    LastUsedAt,
}

#[derive(DeriveIden)]
pub enum EmailTokens {
    Table,
    UserId,
    Purpose,
    TokenHash,
    ExpiresAt,
    UsedAt,
}

// Organisations.

#[derive(DeriveIden)]
pub enum Organizations {
    Table,
    Name,
    Kind,
    TaxCode,
    VatNumber,
    Description,
    Website,
    SeatMunicipalityCode,
    Address,
    Lat,
    Lon,
    VerificationStatus,
    VerificationSource,
    VerifiedAt,
    RuntsRegistered,
    CreatedBy,
}

#[derive(DeriveIden)]
pub enum OrganizationSectors {
    Table,
    OrganizationId,
    SectorCode,
}

#[derive(DeriveIden)]
pub enum OrganizationNeighbourhoods {
    Table,
    OrganizationId,
    NeighbourhoodId,
}

#[derive(DeriveIden)]
pub enum OrganizationContacts {
    Table,
    OrganizationId,
    Kind,
    Value,
    Label,
    Visibility,
    Position,
}

#[derive(DeriveIden)]
pub enum Memberships {
    Table,
    UserId,
    OrganizationId,
    Role,
}

#[derive(DeriveIden)]
pub enum Invitations {
    Table,
    OrganizationId,
    Email,
    Role,
    TokenHash,
    InvitedBy,
    ExpiresAt,
    AcceptedAt,
    RevokedAt,
}

#[derive(DeriveIden)]
pub enum OrganizationRequests {
    Table,
    OrganizationId,
    RequesterId,
    Kind,
    Status,
    Message,
    ConfirmationTokenHash,
    ConfirmationSentTo,
    ConfirmationExpiresAt,
    DecidedAt,
    DecidedBy,
    DecidedVia,
    DeclineReason,
    CreatedAt,
}

// Postings.

/// The columns offers and needs share; `Offers` and `Needs` name each
/// one's own.
#[derive(DeriveIden, Clone, Copy)]
pub enum Postings {
    OrganizationId,
    Kind,
    Title,
    Description,
    MunicipalityCode,
    NeighbourhoodId,
    Lat,
    Lon,
    Status,
    CreatedBy,
    ClosedAt,
}

#[derive(DeriveIden)]
pub enum Offers {
    Table,
    AmountMinCents,
    AmountMaxCents,
    AvailableFrom,
    AvailableUntil,
    EligibleOrganizationKinds,
    TerritoryScope,
    OtherPlaces,
}

#[derive(DeriveIden)]
pub enum OfferSectors {
    Table,
    OfferId,
    SectorCode,
}

#[derive(DeriveIden)]
pub enum Needs {
    Table,
    BudgetCents,
    DeadlineAt,
    LocationPrecision,
    RequiredContributions,
    EligibleOrganizationKinds,
    RequiresThirdSectorRegistration,
    OtherPlaces,
    TerritoryScope,
}

#[derive(DeriveIden)]
pub enum NeedSectors {
    Table,
    NeedId,
    SectorCode,
}

// Matches.

#[derive(DeriveIden)]
pub enum Matches {
    Table,
    NeedId,
    OfferId,
    Score,
    Reasons,
    NeedSideStatus,
    OfferSideStatus,
    ContentFingerprint,
    ComputedAt,
}

#[derive(DeriveIden)]
pub enum MatchFeedback {
    Table,
    MatchId,
    UserId,
    OrganizationId,
    Verdict,
    Source,
}

// Co-design.

#[derive(DeriveIden)]
pub enum Projects {
    Table,
    Id,
    Title,
    Description,
    Procedure,
    Stage,
    NeedId,
    LeadOrganizationId,
    IsPublic,
    SignedAt,
    CreatedBy,
    AgreementVersion,
    AgreementHash,
    HiddenAt,
}

#[derive(DeriveIden)]
pub enum ProjectPartners {
    Table,
    ProjectId,
    OrganizationId,
    Role,
    MatchId,
    JoinedAt,
    LeftAt,
    LeftReason,
}

#[derive(DeriveIden)]
pub enum ProjectContributions {
    Table,
    ProjectId,
    OrganizationId,
    Kind,
    Description,
    AmountCents,
    OfferId,
    Status,
    Quantity,
    Unit,
}

#[derive(DeriveIden)]
pub enum ProjectStages {
    Table,
    ProjectId,
    Stage,
    StartedAt,
    CompletedAt,
    Notes,
}

#[derive(DeriveIden)]
pub enum ProjectApprovals {
    Table,
    ProjectId,
    Stage,
    OrganizationId,
    UserId,
    Decision,
    Comment,
    DecidedAt,
    AgreementVersion,
}

#[derive(DeriveIden)]
pub enum ProjectDocuments {
    Table,
    ProjectId,
    Kind,
    Title,
    Body,
    CreatedBy,
    Version,
    Topic,
}

#[derive(DeriveIden)]
pub enum ProjectInvitations {
    Table,
    ProjectId,
    OrganizationId,
    Role,
    InvitedBy,
    InvitedAt,
    AnsweredAt,
    Accepted,
}

#[derive(DeriveIden)]
pub enum ProjectMilestones {
    Table,
    ProjectId,
    Title,
    OwnerOrganizationId,
    DueOn,
    DoneAt,
    CreatedBy,
}

#[derive(DeriveIden)]
pub enum ProjectReports {
    Table,
    ProjectId,
    OrganizationId,
    PeopleReached,
    VolunteerHours,
    SpentCents,
    Summary,
    FiledBy,
}

#[derive(DeriveIden)]
pub enum ProjectNotices {
    Table,
    ProjectId,
    Purpose,
    Object,
    EconomicFrame,
    Duration,
    Requirements,
    Criteria,
    MinOpenDays,
    MinTotal,
    OpenedAt,
}

#[derive(DeriveIden)]
pub enum ProjectApplications {
    Table,
    ProjectId,
    OrganizationId,
    Proposal,
    Admitted,
    Role,
    Scores,
    Total,
    AppliedBy,
}

// Conversations.

#[derive(DeriveIden)]
pub enum Conversations {
    Table,
    SubjectType,
    SubjectId,
    LastMessageAt,
}

#[derive(DeriveIden)]
pub enum ConversationMessages {
    Table,
    Id,
    ConversationId,
    AuthorId,
    OrganizationId,
    Body,
    NotifiedAt,
}

#[derive(DeriveIden)]
pub enum ConversationReads {
    Table,
    ConversationId,
    UserId,
    LastReadMessageId,
    ReadAt,
}

// Digests.

#[derive(DeriveIden)]
pub enum SavedSearches {
    Table,
    UserId,
    Name,
    Query,
    Filter,
}

#[derive(DeriveIden)]
pub enum DigestSubscriptions {
    Table,
    UserId,
    Frequency,
    Language,
    IncludeMatches,
    IncludeSavedSearches,
    IncludeProjects,
    LastSentAt,
    NextDueAt,
    MessageNotifications,
}

#[derive(DeriveIden)]
pub enum DigestDeliveries {
    Table,
    UserId,
    PeriodStart,
    PeriodEnd,
    Status,
    Attempts,
    NextAttemptAt,
    ClaimedBy,
    ClaimedUntil,
    MessageId,
    LastError,
    ItemCount,
    SentAt,
    FirstFailedAt,
    FailureKind,
    CarriedOverAt,
}

#[derive(DeriveIden)]
pub enum DigestItems {
    Table,
    DeliveryId,
    ItemType,
    ItemId,
    GroupId,
}

// Audit, search outbox and jobs.

#[derive(DeriveIden)]
pub enum AuditLog {
    Table,
    ActorUserId,
    ActorLabel,
    Action,
    EntityType,
    EntityId,
    Changes,
}

#[derive(DeriveIden)]
pub enum SearchOutbox {
    Table,
    Seq,
    EntityType,
    EntityId,
    Operation,
    CreatedAt,
}

#[derive(DeriveIden)]
pub enum Jobs {
    Table,
    Kind,
    Payload,
    Status,
    RunAt,
    Attempts,
    MaxAttempts,
    ClaimedBy,
    ClaimedUntil,
    LastError,
    Priority,
}

#[derive(DeriveIden)]
pub enum ContentReports {
    Table,
    RecordType,
    RecordId,
    ReporterId,
    Reason,
    Status,
    DecidedAt,
    DecidedBy,
    CreatedAt,
}
