//! The queries of co-design projects: finding a need's open project, its
//! partners, the rows a project's activity is made of, and the inserts
//! that start a project.

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, Set,
};
use uuid::Uuid;

use super::{Context, StoreResult};
use crate::domain::{
    ContributionKind, ContributionStatus, PartnerRole, ProjectProcedure, ProjectStage,
};
use crate::store::entities::{
    project_approvals, project_contributions, project_documents, project_partners, project_stages,
    projects,
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
    projects::Entity::find()
        .filter(projects::Column::NeedId.eq(need_id))
        .filter(projects::Column::Title.eq(title))
        .one(db)
        .await
        .context("projects: by need and title")
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
    project_partners::Entity::find()
        .filter(project_partners::Column::ProjectId.eq(project_id))
        .filter(project_partners::Column::OrganizationId.eq(organization_id))
        .one(db)
        .await
        .context("projects: partner of a project")
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
        created_by: Set(new.created_by),
        created_at: Set(new.created_at),
        updated_at: Set(new.updated_at),
        deleted_at: Set(None),
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
    pub offer_id: Option<Uuid>,
    pub status: ContributionStatus,
    pub at: DateTime<Utc>,
}

/// Inserts a contribution to a project.
pub async fn insert_contribution(
    db: &impl ConnectionTrait,
    new: NewContribution<'_>,
) -> StoreResult<()> {
    let row = project_contributions::ActiveModel {
        id: Set(super::new_id()),
        project_id: Set(new.project_id),
        organization_id: Set(new.organization_id),
        kind: Set(new.kind),
        description: Set(new.description.to_owned()),
        amount_cents: Set(new.amount_cents),
        offer_id: Set(new.offer_id),
        status: Set(new.status),
        created_at: Set(new.at),
        updated_at: Set(new.at),
    };
    row.insert(db)
        .await
        .context("projects: insert a contribution")?;
    Ok(())
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
    projects::Entity::find()
        .filter(projects::Column::Id.is_in(ids))
        .filter(projects::Column::DeletedAt.is_null())
        .all(db)
        .await
        .context("projects: live by id")
}

pub async fn partners_of(
    db: &impl ConnectionTrait,
    project_ids: &[Uuid],
) -> StoreResult<Vec<project_partners::Model>> {
    project_partners::Entity::find()
        .filter(project_partners::Column::ProjectId.is_in(project_ids.iter().copied()))
        .all(db)
        .await
        .context("projects: partners of projects")
}

pub async fn stages_of(
    db: &impl ConnectionTrait,
    project_ids: &[Uuid],
) -> StoreResult<Vec<project_stages::Model>> {
    project_stages::Entity::find()
        .filter(project_stages::Column::ProjectId.is_in(project_ids.iter().copied()))
        .all(db)
        .await
        .context("projects: stages of projects")
}

pub async fn contributions_of(
    db: &impl ConnectionTrait,
    project_ids: &[Uuid],
) -> StoreResult<Vec<project_contributions::Model>> {
    project_contributions::Entity::find()
        .filter(project_contributions::Column::ProjectId.is_in(project_ids.iter().copied()))
        .all(db)
        .await
        .context("projects: contributions of projects")
}

pub async fn documents_of(
    db: &impl ConnectionTrait,
    project_ids: &[Uuid],
) -> StoreResult<Vec<project_documents::Model>> {
    project_documents::Entity::find()
        .filter(project_documents::Column::ProjectId.is_in(project_ids.iter().copied()))
        .all(db)
        .await
        .context("projects: documents of projects")
}

pub async fn approvals_of(
    db: &impl ConnectionTrait,
    project_ids: &[Uuid],
) -> StoreResult<Vec<project_approvals::Model>> {
    project_approvals::Entity::find()
        .filter(project_approvals::Column::ProjectId.is_in(project_ids.iter().copied()))
        .all(db)
        .await
        .context("projects: approvals of projects")
}

pub async fn partners_by_id(
    db: &impl ConnectionTrait,
    ids: impl IntoIterator<Item = Uuid>,
) -> StoreResult<Vec<project_partners::Model>> {
    project_partners::Entity::find()
        .filter(project_partners::Column::Id.is_in(ids))
        .all(db)
        .await
        .context("projects: partners by id")
}

pub async fn stages_by_id(
    db: &impl ConnectionTrait,
    ids: impl IntoIterator<Item = Uuid>,
) -> StoreResult<Vec<project_stages::Model>> {
    project_stages::Entity::find()
        .filter(project_stages::Column::Id.is_in(ids))
        .all(db)
        .await
        .context("projects: stages by id")
}

pub async fn contributions_by_id(
    db: &impl ConnectionTrait,
    ids: impl IntoIterator<Item = Uuid>,
) -> StoreResult<Vec<project_contributions::Model>> {
    project_contributions::Entity::find()
        .filter(project_contributions::Column::Id.is_in(ids))
        .all(db)
        .await
        .context("projects: contributions by id")
}

pub async fn documents_by_id(
    db: &impl ConnectionTrait,
    ids: impl IntoIterator<Item = Uuid>,
) -> StoreResult<Vec<project_documents::Model>> {
    project_documents::Entity::find()
        .filter(project_documents::Column::Id.is_in(ids))
        .all(db)
        .await
        .context("projects: documents by id")
}

pub async fn approvals_by_id(
    db: &impl ConnectionTrait,
    ids: impl IntoIterator<Item = Uuid>,
) -> StoreResult<Vec<project_approvals::Model>> {
    project_approvals::Entity::find()
        .filter(project_approvals::Column::Id.is_in(ids))
        .all(db)
        .await
        .context("projects: approvals by id")
}
