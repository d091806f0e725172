//! The closed lists of `crate::domain` as sea-orm column types: entity fields hold the
//! domain enums, the columns keep the snake_case text of `docs/data-model.md`.
//!
//! Why here and not a derive on the enums: the domain layer must not know sea-orm
//! (docs/architecture.md), and `DeriveActiveEnum` would need a second, store-side copy of
//! every list that could drift from the domain's. The impls below are what sea-orm's
//! `DeriveValueType` writes for a string-backed type, done once for every list by one
//! macro: written through `as_str()`, read through `parse`, bound and declared as a plain
//! string (no PostgreSQL enum type, so no migration and the same values on both backends).
//!
//! A stored value outside its list (data older than an enum change, a hand-edited row) is
//! a read error naming the column, the value and the list, never a panic; the query's
//! `StoreError` carries it to the log and the client sees INTERNAL.

use sea_orm::sea_query::{self, ArrayType, ColumnType, StringLen, ValueTypeErr};
use sea_orm::{ColIdx, DbErr, QueryResult, TryGetError, TryGetable, Value};

use crate::domain::{
    ApprovalDecision, ContactKind, ContactVisibility, ContributionStatus, ConversationSubject,
    DeliveryFailure, DeliveryStatus, DigestFrequency, DocumentKind, EmailTokenPurpose,
    FeedbackSource, FeedbackVerdict, JobStatus, Lang, LocationPrecision, MatchSideStatus,
    MembershipRole, MessageNotifications, NeedKind, OfferKind, OrganizationKind, OutboxEntityType,
    OutboxOperation, PartnerRole, PostingStatus, ProjectProcedure, ProjectStage, ReportStatus,
    ReportedRecord, RequestDecidedVia, RequestKind, RequestStatus, TerritoryScope,
    VerificationStatus,
};

/// The error of a stored value that is not in its closed list.
pub(crate) fn unknown_stored_value(
    column: &dyn std::fmt::Debug,
    raw: &str,
    list: &str,
    allowed: &[&str],
) -> DbErr {
    DbErr::Type(format!(
        "column {column:?} holds {raw:?}, which is not a {list} (one of {})",
        allowed.join(", ")
    ))
}

macro_rules! stored_as_text {
    ($($list:ident),+ $(,)?) => {$(
        impl From<$list> for Value {
            fn from(value: $list) -> Self {
                Value::String(Some(value.as_str().to_owned()))
            }
        }

        impl TryGetable for $list {
            fn try_get_by<I: ColIdx>(res: &QueryResult, index: I) -> Result<Self, TryGetError> {
                let raw = String::try_get_by(res, index)?;
                $list::parse(&raw).map_err(|_| {
                    TryGetError::DbErr(unknown_stored_value(
                        &index,
                        &raw,
                        stringify!($list),
                        $list::VALUES,
                    ))
                })
            }
        }

        impl sea_query::ValueType for $list {
            fn try_from(value: Value) -> Result<Self, ValueTypeErr> {
                let raw = <String as sea_query::ValueType>::try_from(value)?;
                $list::parse(&raw).map_err(|_| ValueTypeErr)
            }

            fn type_name() -> String {
                stringify!($list).to_owned()
            }

            fn array_type() -> ArrayType {
                ArrayType::String
            }

            fn column_type() -> ColumnType {
                ColumnType::String(StringLen::None)
            }
        }

        impl sea_query::Nullable for $list {
            fn null() -> Value {
                Value::String(None)
            }
        }

        impl sea_query::postgres_array::NotU8 for $list {}

        impl sea_orm::IntoActiveValue<$list> for $list {
            fn into_active_value(self) -> sea_orm::ActiveValue<$list> {
                sea_orm::ActiveValue::Set(self)
            }
        }
    )+};
}

stored_as_text!(
    ConversationSubject,
    MessageNotifications,
    ReportStatus,
    ReportedRecord,
    ApprovalDecision,
    ContactKind,
    ContactVisibility,
    ContributionStatus,
    DeliveryFailure,
    DeliveryStatus,
    DigestFrequency,
    DocumentKind,
    EmailTokenPurpose,
    FeedbackSource,
    FeedbackVerdict,
    JobStatus,
    Lang,
    LocationPrecision,
    MatchSideStatus,
    MembershipRole,
    NeedKind,
    OfferKind,
    OrganizationKind,
    OutboxEntityType,
    OutboxOperation,
    PartnerRole,
    PostingStatus,
    ProjectProcedure,
    ProjectStage,
    RequestDecidedVia,
    RequestKind,
    RequestStatus,
    TerritoryScope,
    VerificationStatus,
);
