//! The project workspace in GraphQL: `project(id)` and the mutations that
//! open a project, invite and answer for partners, leave, record
//! contributions, move through the stages, write and approve the
//! agreement, add milestones and file reports. Every mutation answers with
//! the workspace as the caller now sees it. The rules live in
//! [`services::projects`](crate::services::projects); a refusal carries the
//! rule's code in the `rule` extension.

use async_graphql::{Context, Enum, ID, InputObject, Object, Result, SimpleObject, Subscription};
use chrono::{DateTime, NaiveDate, Utc};
use futures_util::Stream;
use uuid::Uuid;

use super::enums::{ContributionStatus, OfferKind, PartnerRole, ProjectProcedure, ProjectStage};
use super::error::{GqlResult, lang};
use super::mutation::{acting, id_arg};
use super::types::{Cents, state};
use super::viewer::reader;
use crate::codesign::activity::{self, EventKind};
use crate::codesign::workspace::{self, Workspace};
use crate::domain::codesign::{self as rules, NextStep};
use crate::services::projects::{self, ContributionInput, ReportInput};

fn id(uuid: Uuid) -> ID {
    ID(uuid.to_string())
}

/// A project's workspace, as the caller may see it.
pub struct Project {
    ws: Workspace,
    steps: Vec<NextStep>,
}

impl Project {
    fn name_of(&self, organization_id: Uuid) -> String {
        self.ws
            .organizations
            .get(&organization_id)
            .map(|o| o.name.clone())
            .unwrap_or_default()
    }
}

/// An organisation taking part.
#[derive(SimpleObject)]
pub struct ProjectPartner {
    pub organization_id: ID,
    pub organization_name: String,
    pub role: PartnerRole,
    pub joined_at: DateTime<Utc>,
}

/// An organisation invited, waiting for one of its admins to answer.
#[derive(SimpleObject)]
pub struct ProjectInvitation {
    pub organization_id: ID,
    pub organization_name: String,
    pub role: PartnerRole,
    pub invited_at: DateTime<Utc>,
}

/// What a partner brings.
#[derive(SimpleObject)]
pub struct ProjectContribution {
    pub id: ID,
    pub organization_id: ID,
    pub organization_name: String,
    pub kind: OfferKind,
    pub description: String,
    pub quantity: Option<f64>,
    pub unit: Option<String>,
    pub amount_cents: Option<Cents>,
    pub offer_id: Option<ID>,
    pub status: ContributionStatus,
}

/// A move the workspace offers, and whether the caller may take it now.
#[derive(SimpleObject)]
pub struct ProjectNextStep {
    pub to: ProjectStage,
    /// Who may take it, in the request's language.
    pub who: String,
    pub allowed: bool,
    /// The stable code of the rule that blocks it now.
    pub blocking_rule: Option<String>,
    /// That rule's sentence, in the request's language.
    pub blocking_message: Option<String>,
}

/// A stage the project entered.
#[derive(SimpleObject)]
pub struct ProjectStageEntry {
    pub stage: ProjectStage,
    pub started_at: DateTime<Utc>,
    pub completed_at: Option<DateTime<Utc>>,
}

/// A numbered version of the agreement's text.
#[derive(SimpleObject)]
pub struct AgreementVersion {
    pub number: i32,
    pub text: String,
    pub author_id: Option<ID>,
    pub created_at: DateTime<Utc>,
}

/// A partner's approval of a version.
#[derive(SimpleObject)]
pub struct AgreementApproval {
    pub version: i32,
    pub organization_id: ID,
    pub organization_name: String,
    pub user_id: Option<ID>,
    /// The name of the person who approved, for the organisation.
    pub user_name: Option<String>,
    pub approved_at: DateTime<Utc>,
}

/// The agreement: its versions, the approvals of the latest (of the signed
/// one, once signed) and the signature.
#[derive(SimpleObject)]
pub struct ProjectAgreement {
    pub versions: Vec<AgreementVersion>,
    pub approvals: Vec<AgreementApproval>,
    pub signed_version: Option<i32>,
    /// SHA-256 of the signed version, its parties and their roles.
    pub content_hash: Option<String>,
    pub signed_at: Option<DateTime<Utc>>,
}

/// What the project delivers by when, and who answers for it.
#[derive(SimpleObject)]
pub struct ProjectMilestone {
    pub id: ID,
    pub title: String,
    pub owner_organization_id: ID,
    pub due_on: NaiveDate,
    pub done_at: Option<DateTime<Utc>>,
}

/// A partner's outcomes.
#[derive(SimpleObject)]
pub struct ProjectReport {
    pub organization_id: ID,
    pub organization_name: String,
    pub people_reached: i64,
    pub volunteer_hours: f64,
    pub spent_cents: Cents,
    pub summary: String,
}

/// What an art. 55 document is for.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[graphql(remote = "workspace::Topic")]
pub enum ProjectDocumentTopic {
    /// The minutes of the comparative evaluation.
    EvaluationMinutes,
    /// The minutes of the co-design table.
    TableMinutes,
    /// The final project the table agreed on.
    FinalProject,
}

/// An evaluation criterion of a notice.
#[derive(SimpleObject, InputObject)]
#[graphql(input_name = "NoticeCriterionInput")]
pub struct NoticeCriterion {
    pub name: String,
    pub max_points: i64,
    pub weight: i64,
}

/// The art. 55 public notice.
#[derive(SimpleObject)]
pub struct ProjectNotice {
    pub purpose: String,
    pub object: String,
    pub economic_frame: String,
    pub duration: String,
    pub requirements: String,
    pub criteria: Vec<NoticeCriterion>,
    pub min_open_days: i32,
    pub min_total: Option<i32>,
    pub opened_at: Option<DateTime<Utc>>,
    /// Applications may not close before this time.
    pub closes_not_before: Option<DateTime<Utc>>,
}

/// An application to the notice, its admission and scores.
#[derive(SimpleObject)]
pub struct ProjectApplication {
    pub id: ID,
    pub organization_id: ID,
    pub organization_name: String,
    pub proposal: String,
    /// `null` until the admission check decides.
    pub admitted: Option<bool>,
    pub role: Option<PartnerRole>,
    pub scores: Option<Vec<i64>>,
    pub total: Option<i32>,
    /// The place in the ranking once scored (ties share it).
    pub position: Option<u32>,
    /// Whether the total reaches the notice's minimum.
    pub admissible: Option<bool>,
    /// The roles it may be admitted in: under art. 55 PARTNER only for a
    /// third-sector body registered in RUNTS, otherwise SUPPORTER or FUNDER.
    pub allowed_roles: Vec<PartnerRole>,
}

/// A document of the art. 55 procedure.
#[derive(SimpleObject)]
pub struct ProjectTopicDocument {
    pub topic: Option<ProjectDocumentTopic>,
    pub title: String,
    pub body: String,
    pub created_at: DateTime<Utc>,
}

fn topic_of(stored: Option<&str>) -> Option<ProjectDocumentTopic> {
    [
        workspace::Topic::EvaluationMinutes,
        workspace::Topic::TableMinutes,
        workspace::Topic::FinalProject,
    ]
    .into_iter()
    .find(|t| Some(t.as_str()) == stored)
    .map(Into::into)
}

#[Object]
impl Project {
    async fn id(&self) -> ID {
        id(self.ws.project.id)
    }

    async fn title(&self) -> &str {
        &self.ws.project.title
    }

    async fn description(&self) -> &str {
        &self.ws.project.description
    }

    async fn procedure(&self) -> ProjectProcedure {
        self.ws.project.procedure.into()
    }

    async fn stage(&self) -> ProjectStage {
        self.ws.project.stage.into()
    }

    async fn is_public(&self) -> bool {
        self.ws.project.is_public
    }

    /// Hidden by a moderator.
    async fn hidden(&self) -> bool {
        self.ws.project.hidden_at.is_some()
    }

    async fn need_id(&self) -> Option<ID> {
        self.ws.project.need_id.map(id)
    }

    async fn lead_organization_id(&self) -> ID {
        id(self.ws.project.lead_organization_id)
    }

    /// The current partners, the lead first.
    async fn partners(&self) -> Vec<ProjectPartner> {
        self.ws
            .partners
            .iter()
            .map(|p| ProjectPartner {
                organization_id: id(p.organization_id),
                organization_name: self.name_of(p.organization_id),
                role: p.role.into(),
                joined_at: p.joined_at,
            })
            .collect()
    }

    /// Invitations waiting for an answer.
    async fn invitations(&self) -> Vec<ProjectInvitation> {
        self.ws
            .invitations
            .iter()
            .map(|i| ProjectInvitation {
                organization_id: id(i.organization_id),
                organization_name: self.name_of(i.organization_id),
                role: i.role.into(),
                invited_at: i.invited_at,
            })
            .collect()
    }

    /// Every contribution, withdrawn ones included, oldest first.
    async fn contributions(&self) -> Vec<ProjectContribution> {
        self.ws
            .contributions
            .iter()
            .map(|c| ProjectContribution {
                id: id(c.id),
                organization_id: id(c.organization_id),
                organization_name: self.name_of(c.organization_id),
                kind: c.kind.into(),
                description: c.description.clone(),
                quantity: c.quantity,
                unit: c.unit.clone(),
                amount_cents: c.amount_cents.map(Cents),
                offer_id: c.offer_id.map(id),
                status: c.status.into(),
            })
            .collect()
    }

    /// The moves out of the current stage (forward first), each with
    /// whether the caller may take it now and, if not, the rule that
    /// blocks it.
    async fn next_steps(&self, ctx: &Context<'_>) -> Vec<ProjectNextStep> {
        let lang = lang(ctx);
        self.steps
            .iter()
            .map(|s| ProjectNextStep {
                to: s.transition.to.into(),
                who: s.transition.who.label(lang).to_owned(),
                allowed: s.blocked_by.is_none(),
                blocking_rule: s.blocked_by.map(|r| r.code().to_owned()),
                blocking_message: s.blocked_by.map(|r| r.message(lang).to_owned()),
            })
            .collect()
    }

    /// The stages entered, oldest first.
    async fn stage_history(&self) -> Vec<ProjectStageEntry> {
        self.ws
            .stages
            .iter()
            .map(|s| ProjectStageEntry {
                stage: s.stage.into(),
                started_at: s.started_at,
                completed_at: s.completed_at,
            })
            .collect()
    }

    async fn agreement(&self) -> ProjectAgreement {
        let agreement = self.ws.agreement();
        let signature = agreement.signature();
        let approvals = signature.map_or(agreement.approvals(), |s| &s.approvals);
        ProjectAgreement {
            versions: self
                .ws
                .versions
                .iter()
                .map(|d| AgreementVersion {
                    number: d.version.unwrap_or_default(),
                    text: d.body.clone(),
                    author_id: d.created_by.map(id),
                    created_at: d.created_at,
                })
                .collect(),
            approvals: approvals
                .iter()
                .map(|a| AgreementApproval {
                    version: i32::try_from(a.version).unwrap_or_default(),
                    organization_id: id(a.organization_id),
                    organization_name: self.name_of(a.organization_id),
                    user_id: Some(id(a.user_id)),
                    user_name: self.ws.approvers.get(&a.user_id).cloned(),
                    approved_at: a.at,
                })
                .collect(),
            signed_version: self.ws.project.agreement_version,
            content_hash: self.ws.project.agreement_hash.clone(),
            signed_at: self.ws.project.signed_at,
        }
    }

    /// Art. 55: the public notice, once written.
    async fn notice(&self) -> Option<ProjectNotice> {
        let stored = self.ws.notice.as_ref()?;
        let input = workspace::notice_input(stored);
        let valid = self.ws.valid_notice();
        Some(ProjectNotice {
            purpose: input.purpose,
            object: input.object,
            economic_frame: input.economic_frame,
            duration: input.duration,
            requirements: input.requirements,
            criteria: input
                .criteria
                .into_iter()
                .map(|c| NoticeCriterion {
                    name: c.name,
                    max_points: c.max_points,
                    weight: c.weight,
                })
                .collect(),
            min_open_days: stored.min_open_days,
            min_total: stored.min_total,
            opened_at: stored.opened_at,
            closes_not_before: valid
                .zip(stored.opened_at)
                .map(|(n, opened)| n.closes_not_before(opened)),
        })
    }

    /// Art. 55: the applications, oldest first, with their ranking once
    /// scored: all of them for the project's partners, an applicant's own
    /// for the applicant, none for anyone else.
    async fn applications(&self, ctx: &Context<'_>) -> Result<Vec<ProjectApplication>> {
        let reader = reader(ctx).await?;
        let partners: Vec<Uuid> = self.ws.partners.iter().map(|p| p.organization_id).collect();
        let notice = self.ws.valid_notice();
        let scored: Vec<(Uuid, rules::Scorecard)> = self
            .ws
            .applications
            .iter()
            .filter_map(|a| {
                let total = u32::try_from(a.total?).ok()?;
                Some((
                    a.id,
                    rules::Scorecard {
                        points: Vec::new(),
                        total,
                    },
                ))
            })
            .collect();
        let ranked = notice.map(|n| rules::rank(&n, &scored)).unwrap_or_default();
        Ok(self
            .ws
            .applications
            .iter()
            .filter(|a| reader.may_see_application(&partners, a.organization_id))
            .map(|a| {
                let place = ranked.iter().find(|r| r.application_id == a.id);
                ProjectApplication {
                    id: id(a.id),
                    organization_id: id(a.organization_id),
                    organization_name: self.name_of(a.organization_id),
                    proposal: a.proposal.clone(),
                    admitted: a.admitted,
                    role: a.role.map(Into::into),
                    scores: a.scores.as_ref().and_then(|s| {
                        s.as_array()
                            .map(|points| points.iter().filter_map(|p| p.as_i64()).collect())
                    }),
                    total: a.total,
                    position: place.map(|r| r.position),
                    admissible: place.map(|r| r.admissible),
                    allowed_roles: self
                        .ws
                        .candidate(a.organization_id)
                        .map(|c| projects::admission_roles(self.ws.project.procedure, c))
                        .unwrap_or_default()
                        .into_iter()
                        .map(Into::into)
                        .collect(),
                }
            })
            .collect())
    }

    /// The roles an organisation may apply for or be admitted in under
    /// the project's procedure (art. 55: PARTNER only for a third-sector
    /// body registered in RUNTS, otherwise SUPPORTER or FUNDER).
    /// Errors: NOT_FOUND (organizationId).
    async fn roles_for(&self, ctx: &Context<'_>, organization_id: ID) -> Result<Vec<PartnerRole>> {
        let organization_id = id_arg(ctx, &organization_id, "organizationId")?;
        let state = state(ctx)?;
        let roles = projects::roles_open_to(&state.db, self.ws.project.procedure, organization_id)
            .await
            .gql(ctx)?;
        Ok(roles.into_iter().map(Into::into).collect())
    }

    /// Art. 55: the minutes and the final project.
    async fn documents(&self) -> Vec<ProjectTopicDocument> {
        self.ws
            .topic_documents
            .iter()
            .map(|d| ProjectTopicDocument {
                topic: topic_of(d.topic.as_deref()),
                title: d.title.clone(),
                body: d.body.clone(),
                created_at: d.created_at,
            })
            .collect()
    }

    async fn milestones(&self) -> Vec<ProjectMilestone> {
        self.ws
            .milestones
            .iter()
            .map(|m| ProjectMilestone {
                id: id(m.id),
                title: m.title.clone(),
                owner_organization_id: id(m.owner_organization_id),
                due_on: m.due_on,
                done_at: m.done_at,
            })
            .collect()
    }

    /// Everything that happened in the project, newest first (at most
    /// `first`, 50 unless given): partners joining or leaving, stages,
    /// contributions, documents and agreement versions, approvals,
    /// milestones reached, reports. The same events `projectActivity`
    /// sends live and the digest reports.
    async fn activity(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
    ) -> Result<Vec<ProjectActivity>> {
        let first = usize::try_from(first.unwrap_or(50)).unwrap_or(0).min(500);
        let db = &state(ctx)?.db;
        let since = DateTime::<Utc>::MIN_UTC;
        let mut events = activity::events_between(db, &[self.ws.project.id], since, Utc::now())
            .await
            .gql(ctx)?;
        events.sort_by_key(|e| std::cmp::Reverse((e.at, e.id)));
        Ok(events
            .into_iter()
            .take(first)
            .map(|e| ProjectActivity {
                kind: e.kind.into(),
                id: id(e.id),
                at: e.at,
            })
            .collect())
    }

    async fn reports(&self) -> Vec<ProjectReport> {
        self.ws
            .reports
            .iter()
            .map(|r| ProjectReport {
                organization_id: id(r.organization_id),
                organization_name: self.name_of(r.organization_id),
                people_reached: r.people_reached,
                volunteer_hours: r.volunteer_hours,
                spent_cents: Cents(r.spent_cents),
                summary: r.summary.clone(),
            })
            .collect()
    }
}

/// The workspace of `project_id` as the caller sees it.
async fn workspace(ctx: &Context<'_>, project_id: Uuid, field: &str) -> Result<Project> {
    let state = state(ctx)?;
    let reader = reader(ctx).await?;
    let (ws, steps) = projects::view(&state.db, &reader, project_id, field)
        .await
        .gql(ctx)?;
    Ok(Project { ws, steps })
}

#[derive(Default)]
pub struct ProjectQuery;

#[Object]
impl ProjectQuery {
    /// A co-design project's workspace. A private (or hidden) project
    /// exists only for its partners' members and the moderators.
    /// Errors: NOT_FOUND (id).
    async fn project(&self, ctx: &Context<'_>, id: ID) -> Result<Project> {
        let project_id = id_arg(ctx, &id, "id")?;
        workspace(ctx, project_id, "id").await
    }

    /// The projects the signed-in person's organisations lead or take part
    /// in, and those they are invited to (first, waiting for an answer),
    /// then the most recently changed. Errors: UNAUTHENTICATED.
    async fn my_projects(&self, ctx: &Context<'_>) -> Result<Vec<MyProject>> {
        let (actor, state) = acting(ctx)?;
        let mine = projects::mine(&state.db, Some(&actor)).await.gql(ctx)?;
        Ok(mine
            .into_iter()
            .map(|m| MyProject {
                id: id(m.project.id),
                title: m.project.title,
                procedure: m.project.procedure.into(),
                stage: m.project.stage.into(),
                need_id: m.project.need_id.map(id),
                lead_organization_name: m.lead_name,
                organization_id: id(m.organization_id),
                organization_name: m.organization_name,
                role: m.role.into(),
                invited: m.invited,
                updated_at: m.project.updated_at,
            })
            .collect())
    }
}

/// A project of one of my organisations, or one it is invited to.
#[derive(SimpleObject)]
pub struct MyProject {
    pub id: ID,
    pub title: String,
    pub procedure: ProjectProcedure,
    pub stage: ProjectStage,
    /// The need it was opened from.
    pub need_id: Option<ID>,
    pub lead_organization_name: String,
    /// My organisation in it: a partner, or the one invited.
    pub organization_id: ID,
    pub organization_name: String,
    /// Its role, or the role offered by the invitation.
    pub role: PartnerRole,
    /// True while my organisation is invited and has not answered.
    pub invited: bool,
    pub updated_at: DateTime<Utc>,
}

/// What a partner brings.
#[derive(InputObject)]
pub struct ProjectContributionInput {
    pub kind: OfferKind,
    /// What it is, 3 to 200 characters.
    pub description: String,
    pub quantity: Option<f64>,
    /// The unit of `quantity`: hours, m2, pieces...
    pub unit: Option<String>,
    pub amount_cents: Option<Cents>,
    /// The partner's offer it comes from.
    pub offer_id: Option<ID>,
    /// The partner it comes from; by default the first the caller is an
    /// admin of.
    pub organization_id: Option<ID>,
}

impl ProjectContributionInput {
    fn into_service(self, ctx: &Context<'_>) -> Result<ContributionInput> {
        Ok(ContributionInput {
            kind: Some(self.kind.into()),
            description: self.description,
            quantity: self.quantity,
            unit: self.unit,
            amount_cents: self.amount_cents.map(|c| c.0),
            offer_id: optional_id(ctx, self.offer_id.as_ref(), "offerId")?,
            organization_id: optional_id(ctx, self.organization_id.as_ref(), "organizationId")?,
        })
    }
}

/// A partner's outcomes at reporting.
#[derive(InputObject)]
pub struct ProjectReportInput {
    pub people_reached: i64,
    pub volunteer_hours: f64,
    pub spent_cents: Cents,
    /// A short account of what was done.
    pub summary: String,
    pub organization_id: Option<ID>,
}

/// An art. 55 public notice, as the public body writes it.
#[derive(InputObject)]
pub struct ProjectNoticeInput {
    pub purpose: String,
    pub object: String,
    pub economic_frame: String,
    pub duration: String,
    pub requirements: String,
    pub criteria: Vec<NoticeCriterion>,
    /// Days open, at least 20 (the default).
    pub min_open_days: Option<i64>,
    /// The least total an application needs to reach the co-design table.
    pub min_total: Option<i64>,
}

fn optional_id(ctx: &Context<'_>, id: Option<&ID>, field: &str) -> Result<Option<Uuid>> {
    id.map(|id| id_arg(ctx, id, field)).transpose()
}

#[derive(Default)]
pub struct ProjectMutation;

#[Object]
impl ProjectMutation {
    /// Opens the co-design project of a need, led by the need's
    /// organisation; its admins only. Errors: UNAUTHENTICATED, NOT_FOUND
    /// (needId), FORBIDDEN (rule), CONFLICT (rule, or needId: a project is
    /// under way).
    async fn open_project(
        &self,
        ctx: &Context<'_>,
        need_id: ID,
        procedure: ProjectProcedure,
    ) -> Result<Project> {
        let (actor, state) = acting(ctx)?;
        let need_id = id_arg(ctx, &need_id, "needId")?;
        let id = projects::open(&state.db, Some(&actor), need_id, procedure.into())
            .await
            .gql(ctx)?;
        workspace(ctx, id, "needId").await
    }

    /// Invites an organisation into the project; the lead's admins only.
    async fn invite_partner(
        &self,
        ctx: &Context<'_>,
        project_id: ID,
        organization_id: ID,
        role: PartnerRole,
    ) -> Result<Project> {
        let (actor, state) = acting(ctx)?;
        let project_id = id_arg(ctx, &project_id, "projectId")?;
        let organization_id = id_arg(ctx, &organization_id, "organizationId")?;
        projects::invite_partner(
            &state.db,
            Some(&actor),
            project_id,
            organization_id,
            role.into(),
        )
        .await
        .gql(ctx)?;
        workspace(ctx, project_id, "projectId").await
    }

    /// Hands the lead to another partner, as the partners agreed; the lead's
    /// admins only. The former lead stays a partner; approvals of the
    /// agreement given so far are cleared (the roles are part of what is
    /// signed).
    async fn hand_over_lead(
        &self,
        ctx: &Context<'_>,
        project_id: ID,
        organization_id: ID,
    ) -> Result<Project> {
        let (actor, state) = acting(ctx)?;
        let project_id = id_arg(ctx, &project_id, "projectId")?;
        let organization_id = id_arg(ctx, &organization_id, "organizationId")?;
        projects::hand_over_lead(&state.db, Some(&actor), project_id, organization_id)
            .await
            .gql(ctx)?;
        workspace(ctx, project_id, "projectId").await
    }

    /// Accepts or declines the invitation of an organisation the caller is
    /// an admin of. Answers `null` when, having declined, the caller no
    /// longer sees the project.
    async fn answer_partner_invitation(
        &self,
        ctx: &Context<'_>,
        project_id: ID,
        accept: bool,
        organization_id: Option<ID>,
    ) -> Result<Option<Project>> {
        let (actor, state) = acting(ctx)?;
        let project_id = id_arg(ctx, &project_id, "projectId")?;
        let organization_id = optional_id(ctx, organization_id.as_ref(), "organizationId")?;
        projects::answer_invitation(&state.db, Some(&actor), project_id, accept, organization_id)
            .await
            .gql(ctx)?;
        Ok(workspace(ctx, project_id, "projectId").await.ok())
    }

    /// The caller's organisation leaves the project, with its reason.
    async fn leave_project(
        &self,
        ctx: &Context<'_>,
        project_id: ID,
        reason: String,
        organization_id: Option<ID>,
    ) -> Result<bool> {
        let (actor, state) = acting(ctx)?;
        let project_id = id_arg(ctx, &project_id, "projectId")?;
        let organization_id = optional_id(ctx, organization_id.as_ref(), "organizationId")?;
        projects::leave(
            &state.db,
            Some(&actor),
            project_id,
            &reason,
            organization_id,
        )
        .await
        .gql(ctx)?;
        Ok(true)
    }

    /// Records what the caller's organisation brings.
    async fn add_contribution(
        &self,
        ctx: &Context<'_>,
        project_id: ID,
        input: ProjectContributionInput,
    ) -> Result<Project> {
        let (actor, state) = acting(ctx)?;
        let project_id = id_arg(ctx, &project_id, "projectId")?;
        let input = input.into_service(ctx)?;
        projects::add_contribution(&state.db, Some(&actor), project_id, &input)
            .await
            .gql(ctx)?;
        workspace(ctx, project_id, "projectId").await
    }

    /// Changes a contribution of the caller's organisation.
    async fn update_contribution(
        &self,
        ctx: &Context<'_>,
        id: ID,
        input: ProjectContributionInput,
    ) -> Result<Project> {
        let (actor, state) = acting(ctx)?;
        let contribution_id = id_arg(ctx, &id, "id")?;
        let input = input.into_service(ctx)?;
        let project_id =
            projects::change_contribution(&state.db, Some(&actor), contribution_id, Some(&input))
                .await
                .gql(ctx)?;
        workspace(ctx, project_id, "id").await
    }

    /// Withdraws a contribution of the caller's organisation.
    async fn withdraw_contribution(&self, ctx: &Context<'_>, id: ID) -> Result<Project> {
        let (actor, state) = acting(ctx)?;
        let contribution_id = id_arg(ctx, &id, "id")?;
        let project_id =
            projects::change_contribution(&state.db, Some(&actor), contribution_id, None)
                .await
                .gql(ctx)?;
        workspace(ctx, project_id, "id").await
    }

    /// Moves the project to another stage of its procedure. A refusal names
    /// its rule (`extensions.rule`): FORBIDDEN about who acts, CONFLICT
    /// about the project's state.
    async fn advance_project(
        &self,
        ctx: &Context<'_>,
        project_id: ID,
        to: ProjectStage,
    ) -> Result<Project> {
        let (actor, state) = acting(ctx)?;
        let project_id = id_arg(ctx, &project_id, "projectId")?;
        projects::advance(&state.db, Some(&actor), project_id, to.into())
            .await
            .gql(ctx)?;
        workspace(ctx, project_id, "projectId").await
    }

    /// Writes the agreement's text: a new version when it changed, which
    /// clears the approvals.
    async fn write_agreement(
        &self,
        ctx: &Context<'_>,
        project_id: ID,
        text: String,
    ) -> Result<Project> {
        let (actor, state) = acting(ctx)?;
        let project_id = id_arg(ctx, &project_id, "projectId")?;
        projects::write_agreement(&state.db, Some(&actor), project_id, &text)
            .await
            .gql(ctx)?;
        workspace(ctx, project_id, "projectId").await
    }

    /// Approves the agreement's latest version for the caller's
    /// organisation.
    async fn approve_agreement(
        &self,
        ctx: &Context<'_>,
        project_id: ID,
        version: u32,
        organization_id: Option<ID>,
    ) -> Result<Project> {
        let (actor, state) = acting(ctx)?;
        let project_id = id_arg(ctx, &project_id, "projectId")?;
        let organization_id = optional_id(ctx, organization_id.as_ref(), "organizationId")?;
        projects::approve_agreement(
            &state.db,
            Some(&actor),
            project_id,
            version,
            organization_id,
        )
        .await
        .gql(ctx)?;
        workspace(ctx, project_id, "projectId").await
    }

    /// Adds a milestone owned by a partner.
    async fn add_milestone(
        &self,
        ctx: &Context<'_>,
        project_id: ID,
        title: String,
        owner_organization_id: ID,
        due_on: NaiveDate,
    ) -> Result<Project> {
        let (actor, state) = acting(ctx)?;
        let project_id = id_arg(ctx, &project_id, "projectId")?;
        let owner = id_arg(ctx, &owner_organization_id, "ownerOrganizationId")?;
        projects::add_milestone(&state.db, Some(&actor), project_id, &title, owner, due_on)
            .await
            .gql(ctx)?;
        workspace(ctx, project_id, "projectId").await
    }

    /// Marks a milestone done.
    async fn complete_milestone(&self, ctx: &Context<'_>, id: ID) -> Result<Project> {
        let (actor, state) = acting(ctx)?;
        let milestone_id = id_arg(ctx, &id, "id")?;
        let project_id = projects::complete_milestone(&state.db, Some(&actor), milestone_id)
            .await
            .gql(ctx)?;
        workspace(ctx, project_id, "id").await
    }

    /// Files (or corrects) the report of the caller's organisation.
    async fn file_project_report(
        &self,
        ctx: &Context<'_>,
        project_id: ID,
        input: ProjectReportInput,
    ) -> Result<Project> {
        let (actor, state) = acting(ctx)?;
        let project_id = id_arg(ctx, &project_id, "projectId")?;
        let report = ReportInput {
            people_reached: input.people_reached,
            volunteer_hours: input.volunteer_hours,
            spent_cents: input.spent_cents.0,
            summary: input.summary,
            organization_id: optional_id(ctx, input.organization_id.as_ref(), "organizationId")?,
        };
        projects::file_report(&state.db, Some(&actor), project_id, &report)
            .await
            .gql(ctx)?;
        workspace(ctx, project_id, "projectId").await
    }

    /// Makes the project public (anyone reads it) or private (its
    /// partners only); the lead's admins.
    async fn set_project_public(
        &self,
        ctx: &Context<'_>,
        project_id: ID,
        is_public: bool,
    ) -> Result<Project> {
        let (actor, state) = acting(ctx)?;
        let project_id = id_arg(ctx, &project_id, "projectId")?;
        projects::set_public(&state.db, Some(&actor), project_id, is_public)
            .await
            .gql(ctx)?;
        workspace(ctx, project_id, "projectId").await
    }

    /// Art. 55: writes the public notice before it is published; an admin
    /// of the public body.
    async fn save_notice(
        &self,
        ctx: &Context<'_>,
        project_id: ID,
        input: ProjectNoticeInput,
    ) -> Result<Project> {
        let (actor, state) = acting(ctx)?;
        let project_id = id_arg(ctx, &project_id, "projectId")?;
        let notice = rules::NoticeInput {
            purpose: input.purpose,
            object: input.object,
            economic_frame: input.economic_frame,
            duration: input.duration,
            requirements: input.requirements,
            criteria: input
                .criteria
                .into_iter()
                .map(|c| rules::CriterionInput {
                    name: c.name,
                    max_points: c.max_points,
                    weight: c.weight,
                })
                .collect(),
            min_open_days: input.min_open_days,
            min_total: input.min_total,
        };
        projects::save_notice(&state.db, Some(&actor), project_id, &notice)
            .await
            .gql(ctx)?;
        workspace(ctx, project_id, "projectId").await
    }

    /// Art. 55: an organisation applies with its proposal; an admin of it.
    /// Answers `null` while the applicant does not see the project.
    async fn apply_to_notice(
        &self,
        ctx: &Context<'_>,
        project_id: ID,
        organization_id: ID,
        proposal: String,
    ) -> Result<Option<Project>> {
        let (actor, state) = acting(ctx)?;
        let project_id = id_arg(ctx, &project_id, "projectId")?;
        let organization_id = id_arg(ctx, &organization_id, "organizationId")?;
        projects::apply(
            &state.db,
            Some(&actor),
            project_id,
            organization_id,
            &proposal,
        )
        .await
        .gql(ctx)?;
        Ok(workspace(ctx, project_id, "projectId").await.ok())
    }

    /// Art. 55: admits an application in a role (`admitted`) or not; an
    /// admin of the public body.
    async fn decide_admission(
        &self,
        ctx: &Context<'_>,
        application_id: ID,
        admitted: bool,
        role: Option<PartnerRole>,
    ) -> Result<Project> {
        let (actor, state) = acting(ctx)?;
        let application_id = id_arg(ctx, &application_id, "applicationId")?;
        let role = admitted.then(|| role.map_or(crate::domain::PartnerRole::Partner, Into::into));
        let project_id = projects::decide_admission(&state.db, Some(&actor), application_id, role)
            .await
            .gql(ctx)?;
        workspace(ctx, project_id, "applicationId").await
    }

    /// Art. 55: scores an admitted application, one score per criterion in
    /// the notice's order; an admin of the public body.
    async fn score_application(
        &self,
        ctx: &Context<'_>,
        application_id: ID,
        scores: Vec<Option<i64>>,
    ) -> Result<Project> {
        let (actor, state) = acting(ctx)?;
        let application_id = id_arg(ctx, &application_id, "applicationId")?;
        let project_id = projects::score(&state.db, Some(&actor), application_id, &scores)
            .await
            .gql(ctx)?;
        workspace(ctx, project_id, "applicationId").await
    }

    /// Art. 55: records the evaluation's minutes, the table's minutes or
    /// the final project.
    async fn record_project_document(
        &self,
        ctx: &Context<'_>,
        project_id: ID,
        topic: ProjectDocumentTopic,
        text: String,
    ) -> Result<Project> {
        let (actor, state) = acting(ctx)?;
        let project_id = id_arg(ctx, &project_id, "projectId")?;
        projects::record_document(&state.db, Some(&actor), project_id, topic.into(), &text)
            .await
            .gql(ctx)?;
        workspace(ctx, project_id, "projectId").await
    }

    /// Hides a project from everyone but its partners, or shows it again;
    /// moderators only.
    async fn set_project_hidden(
        &self,
        ctx: &Context<'_>,
        project_id: ID,
        hidden: bool,
    ) -> Result<bool> {
        let (actor, state) = acting(ctx)?;
        let project_id = id_arg(ctx, &project_id, "projectId")?;
        projects::set_hidden(&state.db, Some(&actor), project_id, hidden)
            .await
            .gql(ctx)?;
        Ok(true)
    }
}

/// What happened in a project.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[graphql(remote = "EventKind")]
pub enum ProjectActivityKind {
    PartnerJoined,
    PartnerLeft,
    StageStarted,
    ContributionProposed,
    DocumentAdded,
    /// An approval (of a stage, or of a version of the agreement).
    Decision,
    MilestoneDone,
    ReportFiled,
}

/// One event of a project's activity: its kind, the row it comes from
/// (a partner, stage, contribution, document, approval, milestone or
/// report) and when.
#[derive(SimpleObject)]
pub struct ProjectActivity {
    pub kind: ProjectActivityKind,
    pub id: ID,
    pub at: DateTime<Utc>,
}

/// How often a project's activity is looked for while someone listens.
const ACTIVITY_POLL: std::time::Duration = std::time::Duration::from_millis(500);
/// How far back each look reaches. An event is stamped when its
/// transaction runs and seen when it commits, possibly after a later look;
/// looking back this far (longer than a write lasts), and remembering what
/// was sent while it can come back, sends each event once.
const ACTIVITY_LOOK_BACK: chrono::TimeDelta = chrono::TimeDelta::seconds(30);

#[derive(Default)]
pub struct ProjectSubscription;

#[Subscription]
impl ProjectSubscription {
    /// A project's activity as it happens, for whoever may read the
    /// project (checked when subscribing). Errors: NOT_FOUND (projectId).
    async fn project_activity(
        &self,
        ctx: &Context<'_>,
        project_id: ID,
    ) -> Result<impl Stream<Item = ProjectActivity> + use<>> {
        let project_id = id_arg(ctx, &project_id, "projectId")?;
        workspace(ctx, project_id, "projectId").await?;
        let db = state(ctx)?.db.clone();
        let from = crate::services::now();
        Ok(async_stream::stream! {
            let mut sent: std::collections::HashMap<(EventKind, Uuid), DateTime<Utc>> =
                std::collections::HashMap::new();
            loop {
                tokio::time::sleep(ACTIVITY_POLL).await;
                let now = crate::services::now();
                let since = (now - ACTIVITY_LOOK_BACK).max(from);
                match activity::events_between(&db, &[project_id], since, now).await {
                    Ok(mut events) => {
                        events.sort_by_key(|e| (e.at, e.id));
                        for e in events {
                            if sent.insert((e.kind, e.id), e.at).is_none() {
                                yield ProjectActivity { kind: e.kind.into(), id: id(e.id), at: e.at };
                            }
                        }
                        sent.retain(|_, at| *at > since);
                    }
                    Err(error) => tracing::warn!(%error, "project activity: cannot read"),
                }
            }
        })
    }
}
