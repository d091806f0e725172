//! The queries of co-design projects: finding a need's open project, its
//! partners, the rows a project's activity is made of, the inserts that
//! start a project, and the workspace's rows (invitations, contributions,
//! the agreement's versions and approvals, stages, milestones, reports).

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, Set,
};
use uuid::Uuid;

use super::{Context, StoreResult, rows};
use crate::domain::{
    ApprovalDecision, ContributionKind, ContributionStatus, DocumentKind, PartnerRole,
    ProjectProcedure, ProjectStage,
};
use crate::store::entities::{
    project_applications, project_approvals, project_contributions, project_documents,
    project_invitations, project_milestones, project_notices, project_partners, project_reports,
    project_stages, projects,
};

/// The need's project still under way (not deleted, not closed), the
/// oldest when there are several.
pub async fn open_project_of_need(
    db: &impl ConnectionTrait,
    need_id: Uuid,
) -> StoreResult<Option<projects::Model>> {
    projects::Entity::find()
        .filter(projects::Column::NeedId.eq(need_id))
        .filter(projects::Column::DeletedAt.is_null())
        .filter(projects::Column::Stage.ne(ProjectStage::Closed))
        .order_by_asc(projects::Column::Id)
        .one(db)
        .await
        .context("projects: open project of a need")
}

/// The need's project of this title, deleted or not.
pub async fn project_of_need_titled(
    db: &impl ConnectionTrait,
    need_id: Uuid,
    title: &str,
) -> StoreResult<Option<projects::Model>> {
    let which = Condition::all()
        .add(projects::Column::NeedId.eq(need_id))
        .add(projects::Column::Title.eq(title));
    rows::first::<projects::Entity>(db, which, "projects: by need and title").await
}

/// The project a match's partnership opened, if any.
pub async fn project_of_match(
    db: &impl ConnectionTrait,
    match_id: Uuid,
) -> StoreResult<Option<Uuid>> {
    Ok(project_partners::Entity::find()
        .filter(project_partners::Column::MatchId.eq(match_id))
        .one(db)
        .await
        .context("projects: partner row of a match")?
        .map(|p| p.project_id))
}

/// The partner row of an organisation in a project.
pub async fn partner(
    db: &impl ConnectionTrait,
    project_id: Uuid,
    organization_id: Uuid,
) -> StoreResult<Option<project_partners::Model>> {
    let which = Condition::all()
        .add(project_partners::Column::ProjectId.eq(project_id))
        .add(project_partners::Column::OrganizationId.eq(organization_id));
    rows::first::<project_partners::Entity>(db, which, "projects: partner of a project").await
}

/// A project to start.
#[derive(Clone, Copy, Debug)]
pub struct NewProject<'a> {
    pub id: Uuid,
    pub title: &'a str,
    pub description: &'a str,
    pub procedure: ProjectProcedure,
    pub stage: ProjectStage,
    pub need_id: Option<Uuid>,
    pub lead_organization_id: Uuid,
    pub is_public: bool,
    pub signed_at: Option<DateTime<Utc>>,
    pub created_by: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// Inserts a project.
pub async fn insert_project(db: &impl ConnectionTrait, new: NewProject<'_>) -> StoreResult<()> {
    let row = projects::ActiveModel {
        id: Set(new.id),
        title: Set(new.title.to_owned()),
        description: Set(new.description.to_owned()),
        procedure: Set(new.procedure),
        stage: Set(new.stage),
        need_id: Set(new.need_id),
        lead_organization_id: Set(new.lead_organization_id),
        is_public: Set(new.is_public),
        signed_at: Set(new.signed_at),
        agreement_version: Set(None),
        agreement_hash: Set(None),
        created_by: Set(new.created_by),
        created_at: Set(new.created_at),
        updated_at: Set(new.updated_at),
        deleted_at: Set(None),
        hidden_at: Set(None),
    };
    row.insert(db).await.context("projects: insert")?;
    Ok(())
}

/// Inserts a stage of a project, started at `started_at` (and completed at
/// `completed_at`, when it is behind).
pub async fn insert_stage(
    db: &impl ConnectionTrait,
    project_id: Uuid,
    stage: ProjectStage,
    started_at: DateTime<Utc>,
    completed_at: Option<DateTime<Utc>>,
) -> StoreResult<()> {
    let row = project_stages::ActiveModel {
        id: Set(super::new_id()),
        project_id: Set(project_id),
        stage: Set(stage),
        started_at: Set(started_at),
        completed_at: Set(completed_at),
        notes: Set(None),
    };
    row.insert(db).await.context("projects: insert a stage")?;
    Ok(())
}

/// A partner joining a project (through a match's partnership, or not).
#[derive(Clone, Copy, Debug)]
pub struct NewPartner {
    pub project_id: Uuid,
    pub organization_id: Uuid,
    pub role: PartnerRole,
    pub match_id: Option<Uuid>,
    pub joined_at: DateTime<Utc>,
}

/// Inserts a partner of a project.
pub async fn insert_partner(db: &impl ConnectionTrait, new: NewPartner) -> StoreResult<()> {
    let row = project_partners::ActiveModel {
        id: Set(super::new_id()),
        project_id: Set(new.project_id),
        organization_id: Set(new.organization_id),
        role: Set(new.role),
        match_id: Set(new.match_id),
        joined_at: Set(new.joined_at),
        left_at: Set(None),
        left_reason: Set(None),
    };
    row.insert(db).await.context("projects: insert a partner")?;
    Ok(())
}

/// What an organisation brings to a project (from its offer, or not).
#[derive(Clone, Copy, Debug)]
pub struct NewContribution<'a> {
    pub project_id: Uuid,
    pub organization_id: Uuid,
    pub kind: ContributionKind,
    pub description: &'a str,
    pub amount_cents: Option<i64>,
    /// How much, in `unit` (hours, m2, pieces...).
    pub quantity: Option<f64>,
    pub unit: Option<&'a str>,
    pub offer_id: Option<Uuid>,
    pub status: ContributionStatus,
    pub at: DateTime<Utc>,
}

/// Inserts a contribution to a project.
pub async fn insert_contribution(
    db: &impl ConnectionTrait,
    new: NewContribution<'_>,
) -> StoreResult<project_contributions::Model> {
    let row = project_contributions::ActiveModel {
        id: Set(super::new_id()),
        project_id: Set(new.project_id),
        organization_id: Set(new.organization_id),
        kind: Set(new.kind),
        description: Set(new.description.to_owned()),
        amount_cents: Set(new.amount_cents),
        quantity: Set(new.quantity),
        unit: Set(new.unit.map(str::to_owned)),
        offer_id: Set(new.offer_id),
        status: Set(new.status),
        created_at: Set(new.at),
        updated_at: Set(new.at),
    };
    rows::insert(db, row, "projects: insert a contribution").await
}

/// The projects (not deleted) that the organisations `mine` lead or are
/// partners of (and have not left).
pub async fn live_project_ids_of(
    db: &impl ConnectionTrait,
    mine: &HashSet<Uuid>,
) -> StoreResult<Vec<Uuid>> {
    let partner_of: Vec<Uuid> = project_partners::Entity::find()
        .select_only()
        .column(project_partners::Column::ProjectId)
        .filter(project_partners::Column::OrganizationId.is_in(mine.iter().copied()))
        .filter(project_partners::Column::LeftAt.is_null())
        .into_tuple()
        .all(db)
        .await
        .context("projects: where organisations are partners")?;
    projects::Entity::find()
        .select_only()
        .column(projects::Column::Id)
        .filter(
            Condition::any()
                .add(projects::Column::Id.is_in(partner_of))
                .add(projects::Column::LeadOrganizationId.is_in(mine.iter().copied())),
        )
        .filter(projects::Column::DeletedAt.is_null())
        .into_tuple()
        .all(db)
        .await
        .context("projects: led or joined by organisations")
}

/// The projects among `ids` that are not deleted.
pub async fn live_projects(
    db: &impl ConnectionTrait,
    ids: impl IntoIterator<Item = Uuid>,
) -> StoreResult<Vec<projects::Model>> {
    let which = Condition::all()
        .add(projects::Column::Id.is_in(ids))
        .add(projects::Column::DeletedAt.is_null());
    rows::all::<projects::Entity>(db, which, "projects: live by id").await
}

/// For each table of a project's rows: `$of`, its rows of these projects,
/// and `$by_id`, its rows with these ids (both in no particular order), for
/// the readers that load many projects at once (open data, digests).
macro_rules! rows_of_projects {
    ($($table:ident: $of:ident, $by_id:ident, $name:literal;)+) => {$(
        #[doc = concat!("The ", $name, " of these projects, in no particular order.")]
        pub async fn $of(
            db: &impl ConnectionTrait,
            project_ids: &[Uuid],
        ) -> StoreResult<Vec<$table::Model>> {
            let which = $table::Column::ProjectId.is_in(project_ids.iter().copied());
            let what = concat!("projects: ", $name, " of projects");
            rows::all::<$table::Entity>(db, which, what).await
        }

        #[doc = concat!("The ", $name, " with these ids, in no particular order.")]
        pub async fn $by_id(
            db: &impl ConnectionTrait,
            ids: impl IntoIterator<Item = Uuid>,
        ) -> StoreResult<Vec<$table::Model>> {
            let which = $table::Column::Id.is_in(ids);
            rows::all::<$table::Entity>(db, which, concat!("projects: ", $name, " by id")).await
        }
    )+};
}

rows_of_projects! {
    project_partners: partners_of, partners_by_id, "partners";
    project_stages: stages_of, stages_by_id, "stages";
    project_contributions: contributions_of, contributions_by_id, "contributions";
    project_documents: documents_of, documents_by_id, "documents";
    project_approvals: approvals_of, approvals_by_id, "approvals";
    project_milestones: milestones_of, milestones_by_id, "milestones";
    project_reports: reports_of, reports_by_id, "reports";
}

// --- The workspace: one project's rows, and their changes ---

/// The project with this id, deleted or not (the visibility policy and
/// the services decide what a deleted one means).
pub async fn project(db: &impl ConnectionTrait, id: Uuid) -> StoreResult<Option<projects::Model>> {
    rows::by_id::<projects::Entity>(db, id, "projects: by id").await
}

/// Freezes the agreement's `version` with its hash, signed at `at`.
pub async fn sign(
    db: &impl ConnectionTrait,
    project: projects::Model,
    version: i32,
    hash: &str,
    at: DateTime<Utc>,
) -> StoreResult<projects::Model> {
    let mut row: projects::ActiveModel = project.into();
    row.agreement_version = Set(Some(version));
    row.agreement_hash = Set(Some(hash.to_owned()));
    row.signed_at = Set(Some(at));
    rows::update(db, row, "projects: sign").await
}

/// Makes the project public (readable by anyone) or private.
pub async fn set_public(
    db: &impl ConnectionTrait,
    project: projects::Model,
    is_public: bool,
    at: DateTime<Utc>,
) -> StoreResult<projects::Model> {
    let mut row: projects::ActiveModel = project.into();
    row.is_public = Set(is_public);
    row.updated_at = Set(at);
    rows::update(db, row, "projects: set public").await
}

/// The contributions still proposed become agreed (the agreement that
/// lists them is signed).
pub async fn agree_contributions(
    db: &impl ConnectionTrait,
    project_id: Uuid,
    at: DateTime<Utc>,
) -> StoreResult<()> {
    let set = [
        (
            project_contributions::Column::Status,
            sea_orm::sea_query::Expr::value(ContributionStatus::Agreed.as_str()),
        ),
        (
            project_contributions::Column::UpdatedAt,
            sea_orm::sea_query::Expr::value(at),
        ),
    ];
    let which = Condition::all()
        .add(project_contributions::Column::ProjectId.eq(project_id))
        .add(project_contributions::Column::Status.eq(ContributionStatus::Proposed));
    rows::set::<project_contributions::Entity>(db, set, which, "projects: agree the contributions")
        .await?;
    Ok(())
}

/// Hides the project (`hidden_at` set) or shows it again (`None`).
pub async fn set_hidden(
    db: &impl ConnectionTrait,
    project: projects::Model,
    hidden_at: Option<DateTime<Utc>>,
) -> StoreResult<projects::Model> {
    let mut row: projects::ActiveModel = project.into();
    row.hidden_at = Set(hidden_at);
    rows::update(db, row, "projects: hide").await
}

/// The project's partners who have not left, the lead first, then by
/// joining order.
pub async fn current_partners(
    db: &impl ConnectionTrait,
    project_id: Uuid,
) -> StoreResult<Vec<project_partners::Model>> {
    let mut partners = project_partners::Entity::find()
        .filter(project_partners::Column::ProjectId.eq(project_id))
        .filter(project_partners::Column::LeftAt.is_null())
        .order_by_asc(project_partners::Column::JoinedAt)
        .order_by_asc(project_partners::Column::Id)
        .all(db)
        .await
        .context("projects: current partners")?;
    partners.sort_by_key(|p| p.role != PartnerRole::Lead);
    Ok(partners)
}

/// Marks a partner as gone, with its reason.
pub async fn leave(
    db: &impl ConnectionTrait,
    partner: project_partners::Model,
    reason: &str,
    at: DateTime<Utc>,
) -> StoreResult<project_partners::Model> {
    let mut row: project_partners::ActiveModel = partner.into();
    row.left_at = Set(Some(at));
    row.left_reason = Set(Some(reason.to_owned()));
    rows::update(db, row, "projects: a partner leaves").await
}

/// Hands the lead from one partner to another: the project's lead
/// changes, the old lead becomes a partner, the new one the lead.
pub async fn hand_over_lead(
    db: &impl ConnectionTrait,
    project: projects::Model,
    from: project_partners::Model,
    to: project_partners::Model,
    at: DateTime<Utc>,
) -> StoreResult<()> {
    let lead = to.organization_id;
    let mut former: project_partners::ActiveModel = from.into();
    former.role = Set(PartnerRole::Partner);
    rows::update(db, former, "projects: the former lead").await?;
    let mut new_lead: project_partners::ActiveModel = to.into();
    new_lead.role = Set(PartnerRole::Lead);
    rows::update(db, new_lead, "projects: the new lead").await?;
    let mut row: projects::ActiveModel = project.into();
    row.lead_organization_id = Set(lead);
    row.updated_at = Set(at);
    rows::update(db, row, "projects: hand over the lead").await?;
    Ok(())
}

/// A former partner joins again, in `role`, from now.
pub async fn rejoin(
    db: &impl ConnectionTrait,
    former: project_partners::Model,
    role: PartnerRole,
    match_id: Option<Uuid>,
    at: DateTime<Utc>,
) -> StoreResult<project_partners::Model> {
    let mut row: project_partners::ActiveModel = former.into();
    row.role = Set(role);
    row.joined_at = Set(at);
    row.left_at = Set(None);
    row.left_reason = Set(None);
    if match_id.is_some() {
        row.match_id = Set(match_id);
    }
    rows::update(db, row, "projects: a former partner rejoins").await
}

/// The stages the project went through, oldest first.
pub async fn stage_history(
    db: &impl ConnectionTrait,
    project_id: Uuid,
) -> StoreResult<Vec<project_stages::Model>> {
    let which = project_stages::Column::ProjectId.eq(project_id);
    let order = [
        project_stages::Column::StartedAt,
        project_stages::Column::Id,
    ];
    rows::list::<project_stages::Entity>(db, which, order, "projects: stage history").await
}

/// Moves the project to `stage`: closes the stage under way, opens the new
/// one and sets the project's stage, in the caller's transaction.
pub async fn move_to_stage(
    db: &impl ConnectionTrait,
    project: projects::Model,
    stage: ProjectStage,
    at: DateTime<Utc>,
) -> StoreResult<projects::Model> {
    let set = [(
        project_stages::Column::CompletedAt,
        sea_orm::sea_query::Expr::value(Some(at)),
    )];
    let which = Condition::all()
        .add(project_stages::Column::ProjectId.eq(project.id))
        .add(project_stages::Column::CompletedAt.is_null());
    rows::set::<project_stages::Entity>(db, set, which, "projects: complete the stage under way")
        .await?;
    insert_stage(db, project.id, stage, at, None).await?;
    let mut row: projects::ActiveModel = project.into();
    row.stage = Set(stage);
    row.updated_at = Set(at);
    rows::update(db, row, "projects: move to a stage").await
}

/// The project's invitation of an organisation still waiting for an answer.
pub async fn pending_invitation(
    db: &impl ConnectionTrait,
    project_id: Uuid,
    organization_id: Uuid,
) -> StoreResult<Option<project_invitations::Model>> {
    let which = Condition::all()
        .add(project_invitations::Column::ProjectId.eq(project_id))
        .add(project_invitations::Column::OrganizationId.eq(organization_id))
        .add(project_invitations::Column::AnsweredAt.is_null());
    rows::first::<project_invitations::Entity>(db, which, "projects: pending invitation").await
}

/// The project's invitations still waiting for an answer, oldest first.
pub async fn pending_invitations(
    db: &impl ConnectionTrait,
    project_id: Uuid,
) -> StoreResult<Vec<project_invitations::Model>> {
    let which = Condition::all()
        .add(project_invitations::Column::ProjectId.eq(project_id))
        .add(project_invitations::Column::AnsweredAt.is_null());
    let order = [project_invitations::Column::InvitedAt];
    rows::list::<project_invitations::Entity>(db, which, order, "projects: pending invitations")
        .await
}

/// The invitations waiting for an answer addressed to the organisations
/// `mine`, oldest first (the viewer's "my projects").
pub async fn pending_invitations_of(
    db: &impl ConnectionTrait,
    mine: &HashSet<Uuid>,
) -> StoreResult<Vec<project_invitations::Model>> {
    let which = Condition::all()
        .add(project_invitations::Column::OrganizationId.is_in(mine.iter().copied()))
        .add(project_invitations::Column::AnsweredAt.is_null());
    let order = [project_invitations::Column::InvitedAt];
    let what = "projects: pending invitations of organisations";
    rows::list::<project_invitations::Entity>(db, which, order, what).await
}

/// Invites an organisation into a project in `role`.
pub async fn insert_invitation(
    db: &impl ConnectionTrait,
    project_id: Uuid,
    organization_id: Uuid,
    role: PartnerRole,
    invited_by: Option<Uuid>,
    at: DateTime<Utc>,
) -> StoreResult<project_invitations::Model> {
    let row = project_invitations::ActiveModel {
        id: Set(super::new_id()),
        project_id: Set(project_id),
        organization_id: Set(organization_id),
        role: Set(role),
        invited_by: Set(invited_by),
        invited_at: Set(at),
        answered_at: Set(None),
        accepted: Set(None),
    };
    rows::insert(db, row, "projects: insert an invitation").await
}

/// Records the answer to an invitation.
pub async fn answer_invitation(
    db: &impl ConnectionTrait,
    invitation: project_invitations::Model,
    accepted: bool,
    at: DateTime<Utc>,
) -> StoreResult<project_invitations::Model> {
    let mut row: project_invitations::ActiveModel = invitation.into();
    row.answered_at = Set(Some(at));
    row.accepted = Set(Some(accepted));
    rows::update(db, row, "projects: answer an invitation").await
}

/// The project's contributions, oldest first (withdrawn ones included).
pub async fn contributions(
    db: &impl ConnectionTrait,
    project_id: Uuid,
) -> StoreResult<Vec<project_contributions::Model>> {
    let which = project_contributions::Column::ProjectId.eq(project_id);
    let order = [
        project_contributions::Column::CreatedAt,
        project_contributions::Column::Id,
    ];
    let what = "projects: contributions of a project";
    rows::list::<project_contributions::Entity>(db, which, order, what).await
}

/// The contribution with this id.
pub async fn contribution(
    db: &impl ConnectionTrait,
    id: Uuid,
) -> StoreResult<Option<project_contributions::Model>> {
    rows::by_id::<project_contributions::Entity>(db, id, "projects: contribution by id").await
}

/// The agreement's versions (documents of kind `agreement` with a number),
/// oldest first.
pub async fn agreement_versions(
    db: &impl ConnectionTrait,
    project_id: Uuid,
) -> StoreResult<Vec<project_documents::Model>> {
    let which = Condition::all()
        .add(project_documents::Column::ProjectId.eq(project_id))
        .add(project_documents::Column::Kind.eq(DocumentKind::Agreement))
        .add(project_documents::Column::Version.is_not_null());
    let order = [project_documents::Column::Version];
    rows::list::<project_documents::Entity>(db, which, order, "projects: agreement versions").await
}

/// A new version of the agreement.
pub async fn insert_agreement_version(
    db: &impl ConnectionTrait,
    project_id: Uuid,
    number: i32,
    text: &str,
    author: Option<Uuid>,
    at: DateTime<Utc>,
) -> StoreResult<project_documents::Model> {
    let row = project_documents::ActiveModel {
        id: Set(super::new_id()),
        project_id: Set(project_id),
        kind: Set(DocumentKind::Agreement),
        // The digest names the document by its title.
        title: Set(format!("Accordo, versione {number}")),
        body: Set(text.to_owned()),
        created_by: Set(author),
        created_at: Set(at),
        version: Set(Some(number)),
        topic: Set(None),
    };
    rows::insert(db, row, "projects: insert an agreement version").await
}

/// Every approval of any version of the agreement.
pub async fn agreement_approvals(
    db: &impl ConnectionTrait,
    project_id: Uuid,
) -> StoreResult<Vec<project_approvals::Model>> {
    let which = Condition::all()
        .add(project_approvals::Column::ProjectId.eq(project_id))
        .add(project_approvals::Column::AgreementVersion.is_not_null());
    let order = [project_approvals::Column::DecidedAt];
    rows::list::<project_approvals::Entity>(db, which, order, "projects: agreement approvals").await
}

/// Clears the approvals of the agreement (a new version asks for new
/// ones). The audit log keeps who had approved what.
pub async fn clear_agreement_approvals(
    db: &impl ConnectionTrait,
    project_id: Uuid,
) -> StoreResult<u64> {
    let which = Condition::all()
        .add(project_approvals::Column::ProjectId.eq(project_id))
        .add(project_approvals::Column::AgreementVersion.is_not_null());
    rows::delete::<project_approvals::Entity>(db, which, "projects: clear agreement approvals")
        .await
}

/// An organisation's approval of a version of the agreement, given during
/// `stage`.
pub async fn insert_agreement_approval(
    db: &impl ConnectionTrait,
    project_id: Uuid,
    stage: ProjectStage,
    version: i32,
    organization_id: Uuid,
    user_id: Option<Uuid>,
    at: DateTime<Utc>,
) -> StoreResult<project_approvals::Model> {
    let row = project_approvals::ActiveModel {
        id: Set(super::new_id()),
        project_id: Set(project_id),
        stage: Set(stage),
        organization_id: Set(organization_id),
        user_id: Set(user_id),
        decision: Set(ApprovalDecision::Approved),
        comment: Set(None),
        decided_at: Set(at),
        agreement_version: Set(Some(version)),
    };
    rows::insert(db, row, "projects: insert an agreement approval").await
}

/// The project's milestones, by due date.
pub async fn milestones(
    db: &impl ConnectionTrait,
    project_id: Uuid,
) -> StoreResult<Vec<project_milestones::Model>> {
    let which = project_milestones::Column::ProjectId.eq(project_id);
    let order = [
        project_milestones::Column::DueOn,
        project_milestones::Column::Id,
    ];
    rows::list::<project_milestones::Entity>(db, which, order, "projects: milestones").await
}

/// The milestone with this id.
pub async fn milestone(
    db: &impl ConnectionTrait,
    id: Uuid,
) -> StoreResult<Option<project_milestones::Model>> {
    rows::by_id::<project_milestones::Entity>(db, id, "projects: milestone by id").await
}

/// The partners' reports.
pub async fn reports(
    db: &impl ConnectionTrait,
    project_id: Uuid,
) -> StoreResult<Vec<project_reports::Model>> {
    let which = project_reports::Column::ProjectId.eq(project_id);
    let order = [project_reports::Column::CreatedAt];
    rows::list::<project_reports::Entity>(db, which, order, "projects: reports").await
}

/// The organisations with these ids, deleted or not (a project's parties).
pub use super::organizations::by_ids as organizations_by_id;

/// New values of a contribution (`None`: withdrawn).
#[derive(Clone, Debug)]
pub struct ContributionValues {
    pub kind: ContributionKind,
    pub description: String,
    pub quantity: Option<f64>,
    pub unit: Option<String>,
    pub amount_cents: Option<i64>,
}

/// Changes a contribution's values, or withdraws it (`values` `None`).
pub async fn change_contribution(
    db: &impl ConnectionTrait,
    contribution: project_contributions::Model,
    values: Option<ContributionValues>,
    at: DateTime<Utc>,
) -> StoreResult<project_contributions::Model> {
    let mut row: project_contributions::ActiveModel = contribution.into();
    match values {
        Some(v) => {
            row.kind = Set(v.kind);
            row.description = Set(v.description);
            row.quantity = Set(v.quantity);
            row.unit = Set(v.unit);
            row.amount_cents = Set(v.amount_cents);
        }
        None => row.status = Set(ContributionStatus::Withdrawn),
    }
    row.updated_at = Set(at);
    rows::update(db, row, "projects: change a contribution").await
}

/// A milestone to add.
#[derive(Clone, Debug)]
pub struct NewMilestone {
    pub project_id: Uuid,
    pub title: String,
    pub owner_organization_id: Uuid,
    pub due_on: chrono::NaiveDate,
    pub created_by: Option<Uuid>,
    pub at: DateTime<Utc>,
}

/// Inserts a milestone.
pub async fn insert_milestone(
    db: &impl ConnectionTrait,
    new: NewMilestone,
) -> StoreResult<project_milestones::Model> {
    let row = project_milestones::ActiveModel {
        id: Set(super::new_id()),
        project_id: Set(new.project_id),
        title: Set(new.title),
        owner_organization_id: Set(new.owner_organization_id),
        due_on: Set(new.due_on),
        done_at: Set(None),
        created_by: Set(new.created_by),
        created_at: Set(new.at),
    };
    rows::insert(db, row, "projects: insert a milestone").await
}

/// Marks a milestone done at `at`.
pub async fn complete_milestone(
    db: &impl ConnectionTrait,
    milestone: project_milestones::Model,
    at: DateTime<Utc>,
) -> StoreResult<project_milestones::Model> {
    let mut row: project_milestones::ActiveModel = milestone.into();
    row.done_at = Set(Some(at));
    rows::update(db, row, "projects: complete a milestone").await
}

/// A partner's outcomes.
#[derive(Clone, Debug)]
pub struct ReportValues {
    pub project_id: Uuid,
    pub organization_id: Uuid,
    pub people_reached: i64,
    pub volunteer_hours: f64,
    pub spent_cents: i64,
    pub summary: String,
    pub filed_by: Option<Uuid>,
    pub at: DateTime<Utc>,
}

/// Files a partner's report, or corrects the one it filed (`existing`).
pub async fn save_report(
    db: &impl ConnectionTrait,
    existing: Option<project_reports::Model>,
    values: ReportValues,
) -> StoreResult<project_reports::Model> {
    let is_new = existing.is_none();
    let mut row = match existing {
        Some(report) => project_reports::ActiveModel::from(report),
        None => project_reports::ActiveModel {
            id: Set(super::new_id()),
            project_id: Set(values.project_id),
            organization_id: Set(values.organization_id),
            created_at: Set(values.at),
            ..Default::default()
        },
    };
    row.people_reached = Set(values.people_reached);
    row.volunteer_hours = Set(values.volunteer_hours);
    row.spent_cents = Set(values.spent_cents);
    row.summary = Set(values.summary);
    row.filed_by = Set(values.filed_by);
    row.updated_at = Set(values.at);
    if is_new {
        rows::insert(db, row, "projects: insert a report").await
    } else {
        rows::update(db, row, "projects: update a report").await
    }
}

// --- Art. 55: the notice, the applications, the table's documents ---

/// The project's notice, if one is stored.
pub async fn notice(
    db: &impl ConnectionTrait,
    project_id: Uuid,
) -> StoreResult<Option<project_notices::Model>> {
    let which = project_notices::Column::ProjectId.eq(project_id);
    rows::first::<project_notices::Entity>(db, which, "projects: notice").await
}

/// A notice's values, as the domain validated them.
#[derive(Clone, Debug)]
pub struct NoticeValues {
    pub project_id: Uuid,
    pub purpose: String,
    pub object: String,
    pub economic_frame: String,
    pub duration: String,
    pub requirements: String,
    pub criteria: serde_json::Value,
    pub min_open_days: i32,
    pub min_total: Option<i32>,
    pub at: DateTime<Utc>,
}

/// Stores the project's notice, or replaces the one stored (`existing`).
pub async fn save_notice(
    db: &impl ConnectionTrait,
    existing: Option<project_notices::Model>,
    v: NoticeValues,
) -> StoreResult<project_notices::Model> {
    let is_new = existing.is_none();
    let mut row = match existing {
        Some(notice) => project_notices::ActiveModel::from(notice),
        None => project_notices::ActiveModel {
            id: Set(super::new_id()),
            project_id: Set(v.project_id),
            opened_at: Set(None),
            created_at: Set(v.at),
            ..Default::default()
        },
    };
    row.purpose = Set(v.purpose);
    row.object = Set(v.object);
    row.economic_frame = Set(v.economic_frame);
    row.duration = Set(v.duration);
    row.requirements = Set(v.requirements);
    row.criteria = Set(v.criteria);
    row.min_open_days = Set(v.min_open_days);
    row.min_total = Set(v.min_total);
    row.updated_at = Set(v.at);
    if is_new {
        rows::insert(db, row, "projects: insert a notice").await
    } else {
        rows::update(db, row, "projects: update a notice").await
    }
}

/// Opens the notice for applications at `at` (publication or reopening).
pub async fn open_notice(
    db: &impl ConnectionTrait,
    notice: project_notices::Model,
    at: DateTime<Utc>,
) -> StoreResult<project_notices::Model> {
    let mut row: project_notices::ActiveModel = notice.into();
    row.opened_at = Set(Some(at));
    row.updated_at = Set(at);
    rows::update(db, row, "projects: open a notice").await
}

/// The applications to the project's notice, oldest first.
pub async fn applications(
    db: &impl ConnectionTrait,
    project_id: Uuid,
) -> StoreResult<Vec<project_applications::Model>> {
    let which = project_applications::Column::ProjectId.eq(project_id);
    let order = [
        project_applications::Column::CreatedAt,
        project_applications::Column::Id,
    ];
    rows::list::<project_applications::Entity>(db, which, order, "projects: applications").await
}

/// The application with this id.
pub async fn application(
    db: &impl ConnectionTrait,
    id: Uuid,
) -> StoreResult<Option<project_applications::Model>> {
    rows::by_id::<project_applications::Entity>(db, id, "projects: application by id").await
}

/// An organisation applies with its proposal.
pub async fn insert_application(
    db: &impl ConnectionTrait,
    project_id: Uuid,
    organization_id: Uuid,
    proposal: &str,
    applied_by: Option<Uuid>,
    at: DateTime<Utc>,
) -> StoreResult<project_applications::Model> {
    let row = project_applications::ActiveModel {
        id: Set(super::new_id()),
        project_id: Set(project_id),
        organization_id: Set(organization_id),
        proposal: Set(proposal.to_owned()),
        admitted: Set(None),
        role: Set(None),
        scores: Set(None),
        total: Set(None),
        applied_by: Set(applied_by),
        created_at: Set(at),
        updated_at: Set(at),
    };
    rows::insert(db, row, "projects: insert an application").await
}

/// Records the admission check's decision on an application.
pub async fn decide_admission(
    db: &impl ConnectionTrait,
    application: project_applications::Model,
    role: Option<PartnerRole>,
    at: DateTime<Utc>,
) -> StoreResult<project_applications::Model> {
    let mut row: project_applications::ActiveModel = application.into();
    row.admitted = Set(Some(role.is_some()));
    row.role = Set(role);
    row.updated_at = Set(at);
    rows::update(db, row, "projects: decide an admission").await
}

/// Records an application's points per criterion and their total.
pub async fn score_application(
    db: &impl ConnectionTrait,
    application: project_applications::Model,
    points: serde_json::Value,
    total: i32,
    at: DateTime<Utc>,
) -> StoreResult<project_applications::Model> {
    let mut row: project_applications::ActiveModel = application.into();
    row.scores = Set(Some(points));
    row.total = Set(Some(total));
    row.updated_at = Set(at);
    rows::update(db, row, "projects: score an application").await
}

/// The project's documents with a topic (art. 55 minutes, final project),
/// oldest first.
pub async fn topic_documents(
    db: &impl ConnectionTrait,
    project_id: Uuid,
) -> StoreResult<Vec<project_documents::Model>> {
    let which = Condition::all()
        .add(project_documents::Column::ProjectId.eq(project_id))
        .add(project_documents::Column::Topic.is_not_null());
    let order = [project_documents::Column::CreatedAt];
    rows::list::<project_documents::Entity>(db, which, order, "projects: documents with a topic")
        .await
}

/// A document about `topic` (minutes, the final project).
#[derive(Clone, Debug)]
pub struct NewTopicDocument<'a> {
    pub project_id: Uuid,
    pub kind: DocumentKind,
    pub topic: &'a str,
    pub title: &'a str,
    pub body: &'a str,
    pub author: Uuid,
    pub at: DateTime<Utc>,
}

/// Inserts a document about a topic.
pub async fn insert_topic_document(
    db: &impl ConnectionTrait,
    new: NewTopicDocument<'_>,
) -> StoreResult<project_documents::Model> {
    let row = project_documents::ActiveModel {
        id: Set(super::new_id()),
        project_id: Set(new.project_id),
        kind: Set(new.kind),
        title: Set(new.title.to_owned()),
        body: Set(new.body.to_owned()),
        created_by: Set(Some(new.author)),
        created_at: Set(new.at),
        version: Set(None),
        topic: Set(Some(new.topic.to_owned())),
    };
    rows::insert(db, row, "projects: insert a document").await
}
