//! The domain: validated values and the rules of Trama's records, with no
//! I/O (no database, HTTP or GraphQL types), so every layer can rely on them.
//!
//! - [`error`]: why a value was refused, in Italian and English, and the
//!   collector that reports all the problems of a form at once;
//! - [`lists`]: the closed lists of docs/data-model.md (stored as snake_case),
//!   built with the `closed_list!` macro of [`closed`];
//! - newtypes that can only hold valid values ("parse, don't validate"):
//!   [`tax_code`], [`contact`], [`money`], [`dates`], [`text`], [`place`],
//!   [`password`], with the ranges of [`bounds`];
//! - input validation of the main records: [`organization`], [`offer`],
//!   [`need`], [`user`], with shared helpers in [`input`];
//! - [`conversation`]: what conversations are about and when a match's
//!   sides may talk;
//! - [`registry`]: the columns and legal forms of registries of organisations;
//! - [`labels`]: the words people read for the API's field names;
//! - [`codesign`]: the rules of co-design (procedures, partners'
//!   eligibility, the agreement, the art. 55 evaluation).
//!
//! Field names in errors are the API's camelCase names with list indexes
//! (`"contacts[2].value"`). Existence checks (is this sector, municipality,
//! neighbourhood known? is this email free?) need the database and belong
//! to the services layer.

pub mod bounds;
pub mod closed;
pub mod codesign;
pub mod contact;
pub mod conversation;
pub mod dates;
pub mod error;
pub mod geo;
pub mod input;
pub mod labels;
pub mod lists;
pub mod money;
pub mod need;
mod newtype;
pub mod offer;
pub mod organization;
pub mod password;
pub mod place;
pub mod registry;
pub mod report;
pub mod tax_code;
pub mod text;
pub mod user;

pub use bounds::Bounds;
pub use closed::ClosedList;
pub use contact::{Email, PhoneNumber, WebUrl};
pub use conversation::{ConversationSubject, MessageNotifications, match_open_to_talk};
pub use dates::DateWindow;
pub use error::{Errors, Format, Invalid, Lang, ValidationError, ValidationErrors, optional};
pub use input::{dedup, parse_uuid};
pub use lists::{
    ApprovalDecision, ContactKind, ContactVisibility, ContributionKind, ContributionStatus,
    DeliveryFailure, DeliveryStatus, DigestFrequency, DocumentKind, EmailTokenPurpose,
    FeedbackSource, FeedbackVerdict, JobStatus, LocationPrecision, MatchSideStatus, MembershipRole,
    NeedKind, OfferKind, OrganizationKind, OutboxEntityType, OutboxOperation, PartnerRole,
    PostingStatus, ProjectProcedure, ProjectStage, RequestDecidedVia, RequestKind, RequestStatus,
    TerritoryScope, VerificationStatus,
};
pub use money::{AmountRange, EuroCents};
pub use need::{NeedInput, NewNeed};
pub use offer::{NewOffer, OfferInput};
pub use organization::{
    ContactInput, ContactValue, NewContact, NewOrganization, OrganizationInput,
};
pub use password::Password;
pub use place::{
    Coordinates, IstatCode, MAX_OTHER_PLACES, OtherPlace, OtherPlaceInput, StoredPlace,
};
pub use report::{ReportStatus, ReportedRecord};
pub use tax_code::{TaxCode, VatNumber};
pub use text::{
    AgreementText, Description, DisplayName, MessageBody, OrgName, SearchName, SectorCode,
    ShortText, Title,
};
pub use user::NewUser;
