//! Reports of abusive content, in GraphQL: reporting a need, an offer or an
//! organisation (`reportContent`), and the moderators' side: the open
//! reports (`contentReports`), the hidden records with their reason
//! (`hiddenRecords`) and dismissing a report (`dismissReport`); hiding a
//! record is `setHidden`, which upholds its open reports. The rules live in
//! [`services::reports`](crate::services::reports).

use async_graphql::{Context, Enum, ID, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};

use super::enums::HideableKind;
use super::error::GqlResult;
use super::mutation::{acting, id_arg, limits};
use super::viewer::list_as_viewer;
use crate::domain::{ReportStatus, ReportedRecord};
use crate::services::reports::{self, RecordSummary, ReportView};

/// Where a report stands.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[graphql(remote = "ReportStatus")]
pub enum ContentReportStatus {
    /// Waiting for a moderator.
    Open,
    /// A moderator hid the record.
    Upheld,
    /// A moderator left the record as it is.
    Dismissed,
}

fn kind_of(record: ReportedRecord) -> HideableKind {
    match record {
        ReportedRecord::Organization => HideableKind::Organization,
        ReportedRecord::Offer => HideableKind::Offer,
        ReportedRecord::Need => HideableKind::Need,
    }
}

fn record_of(kind: HideableKind) -> ReportedRecord {
    match kind {
        HideableKind::Organization => ReportedRecord::Organization,
        HideableKind::Offer => ReportedRecord::Offer,
        HideableKind::Need => ReportedRecord::Need,
    }
}

/// A report of a need, offer or organisation, as the moderators (and the
/// person who made it, in the answer to `reportContent`) see it.
pub struct ContentReport(ReportView);

#[Object]
impl ContentReport {
    async fn id(&self) -> ID {
        ID(self.0.report.id.to_string())
    }

    /// What kind of record is reported.
    async fn record_type(&self) -> HideableKind {
        kind_of(self.0.report.record_type)
    }

    async fn record_id(&self) -> ID {
        ID(self.0.report.record_id.to_string())
    }

    /// The need's or offer's title, or the organisation's name; null when
    /// the record was deleted since.
    async fn record_title(&self) -> Option<&str> {
        self.0.record.as_ref().map(|r| r.title.as_str())
    }

    /// When a moderator hid the record, if they did.
    async fn record_hidden_at(&self) -> Option<DateTime<Utc>> {
        self.0.record.as_ref().and_then(|r| r.hidden_at)
    }

    /// Why the person reported it.
    async fn reason(&self) -> &str {
        &self.0.report.reason
    }

    async fn status(&self) -> ContentReportStatus {
        self.0.report.status.into()
    }

    /// The name of the person who reported it; null once their account is
    /// deleted.
    async fn reporter_name(&self) -> Option<&str> {
        self.0.reporter.as_ref().map(|u| u.display_name.as_str())
    }

    async fn created_at(&self) -> DateTime<Utc> {
        self.0.report.created_at
    }

    async fn decided_at(&self) -> Option<DateTime<Utc>> {
        self.0.report.decided_at
    }
}

/// A need, offer or organisation a moderator hid, with the reason.
#[derive(SimpleObject)]
pub struct HiddenRecord {
    pub record_type: HideableKind,
    pub id: ID,
    /// The need's or offer's title, or the organisation's name.
    pub title: String,
    /// The organisation of a need or offer (its own id for an organisation).
    pub organization_id: ID,
    pub hidden_at: Option<DateTime<Utc>>,
    pub hidden_reason: Option<String>,
}

impl From<RecordSummary> for HiddenRecord {
    fn from(r: RecordSummary) -> Self {
        Self {
            record_type: kind_of(r.record),
            id: ID(r.id.to_string()),
            title: r.title,
            organization_id: ID(r.organization_id.to_string()),
            hidden_at: r.hidden_at,
            hidden_reason: r.hidden_reason,
        }
    }
}

#[derive(Default)]
pub struct ReportQuery;

#[Object]
impl ReportQuery {
    /// Open reports of abusive content, oldest first (at most 200).
    /// Moderators only. Errors: UNAUTHENTICATED, FORBIDDEN.
    async fn content_reports(&self, ctx: &Context<'_>) -> Result<Vec<ContentReport>> {
        list_as_viewer(ctx, reports::open, ContentReport).await
    }

    /// The needs, offers and organisations a moderator hid, most recently
    /// hidden first (at most 200 of each kind), with the reason; `setHidden`
    /// shows one again. Moderators only. Errors: UNAUTHENTICATED, FORBIDDEN.
    async fn hidden_records(&self, ctx: &Context<'_>) -> Result<Vec<HiddenRecord>> {
        list_as_viewer(ctx, reports::hidden, HiddenRecord::from).await
    }
}

#[derive(Default)]
pub struct ReportMutation;

#[Object]
impl ReportMutation {
    /// Tells the moderators that a need, offer or organisation breaks the
    /// rules, with a reason (up to 300 characters). A signed-in person with
    /// a verified address, about a record they can see; one open report per
    /// person and record. Errors: UNAUTHENTICATED, FORBIDDEN (address not
    /// verified), BAD_USER_INPUT (reason), NOT_FOUND (id), CONFLICT (id:
    /// already reported), RATE_LIMITED.
    async fn report_content(
        &self,
        ctx: &Context<'_>,
        kind: HideableKind,
        id: ID,
        reason: String,
    ) -> Result<ContentReport> {
        let (actor, state) = acting(ctx)?;
        let id = id_arg(ctx, &id, "id")?;
        let limits = limits(ctx)?;
        let view = reports::report(&state.db, &limits, &actor, record_of(kind), id, &reason)
            .await
            .gql(ctx)?;
        Ok(ContentReport(view))
    }

    /// Dismisses an open report, leaving the record as it is (to hide it,
    /// `setHidden`). Moderators only. Errors: UNAUTHENTICATED, FORBIDDEN,
    /// NOT_FOUND (id), CONFLICT (id: already decided).
    async fn dismiss_report(&self, ctx: &Context<'_>, id: ID) -> Result<ContentReport> {
        let (actor, state) = acting(ctx)?;
        let id = id_arg(ctx, &id, "id")?;
        Ok(ContentReport(
            reports::dismiss(&state.db, &actor, id).await.gql(ctx)?,
        ))
    }
}
