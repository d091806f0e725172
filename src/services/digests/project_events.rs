//! The co-design part of a digest: events in the projects of the user's
//! organisations (partners joining or leaving, stages, contributions,
//! documents, approvals), planned as items and composed as sections.

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect};
use uuid::Uuid;

use crate::domain::{Lang, PartnerRole, ProjectStage};
use crate::error::AppError;
use crate::mail::digest::{Activity, ProjectEvent, ProjectSection};
use crate::store::entities::{
    digest_items, project_approvals, project_contributions, project_documents, project_partners,
    project_stages, projects,
};

use super::compose::{ids_of, organization_names};
use super::planning::{Planned, my_organizations, sent_pairs};
use super::{
    ITEM_APPROVAL, ITEM_CONTRIBUTION, ITEM_DOCUMENT, ITEM_PARTNER_JOINED, ITEM_PARTNER_LEFT,
    ITEM_STAGE, MAX_PROJECT_EVENTS, PROJECT_ITEMS,
};

/// Events in the projects of the user's organisations (as lead or as a
/// partner that has not left) in `(since, at]` and in no earlier digest of
/// theirs, newest first; grouped by project.
pub(super) async fn new_project_items(
    txn: &impl ConnectionTrait,
    user_id: Uuid,
    since: DateTime<Utc>,
    at: DateTime<Utc>,
) -> Result<Vec<Planned>, AppError> {
    let mine = my_organizations(txn, user_id).await?;
    let project_ids = my_project_ids(txn, &mine).await?;
    if project_ids.is_empty() {
        return Ok(Vec::new());
    }
    let new = |t: DateTime<Utc>| t > since && t <= at;
    let mut events: Vec<(DateTime<Utc>, Planned)> = Vec::new();
    let mut push = |t: DateTime<Utc>, item_type: &'static str, item_id: Uuid, project: Uuid| {
        if new(t) {
            events.push((
                t,
                Planned {
                    item_type,
                    item_id,
                    group_id: Some(project),
                },
            ));
        }
    };
    let ids = || project_ids.iter().copied();
    for p in project_partners::Entity::find()
        .filter(project_partners::Column::ProjectId.is_in(ids()))
        .all(txn)
        .await?
    {
        // The lead "joins" when the project opens: the first stage says so.
        if p.role != PartnerRole::Lead.as_str() {
            push(p.joined_at, ITEM_PARTNER_JOINED, p.id, p.project_id);
        }
        if let Some(left) = p.left_at {
            push(left, ITEM_PARTNER_LEFT, p.id, p.project_id);
        }
    }
    for s in project_stages::Entity::find()
        .filter(project_stages::Column::ProjectId.is_in(ids()))
        .all(txn)
        .await?
    {
        push(s.started_at, ITEM_STAGE, s.id, s.project_id);
    }
    for c in project_contributions::Entity::find()
        .filter(project_contributions::Column::ProjectId.is_in(ids()))
        .all(txn)
        .await?
    {
        push(c.created_at, ITEM_CONTRIBUTION, c.id, c.project_id);
    }
    for d in project_documents::Entity::find()
        .filter(project_documents::Column::ProjectId.is_in(ids()))
        .all(txn)
        .await?
    {
        push(d.created_at, ITEM_DOCUMENT, d.id, d.project_id);
    }
    for a in project_approvals::Entity::find()
        .filter(project_approvals::Column::ProjectId.is_in(ids()))
        .all(txn)
        .await?
    {
        push(a.decided_at, ITEM_APPROVAL, a.id, a.project_id);
    }
    if events.is_empty() {
        return Ok(events.into_iter().map(|(_, p)| p).collect());
    }
    // A partner row is two events (joined, left), told apart by their kind.
    let sent = sent_pairs(
        txn,
        user_id,
        &PROJECT_ITEMS,
        Some(events.iter().map(|(_, p)| p.item_id).collect()),
    )
    .await?;
    events.retain(|(_, p)| !sent.contains(&(p.item_type.to_owned(), p.item_id)));
    events.sort_by(|a, b| b.0.cmp(&a.0).then(b.1.item_id.cmp(&a.1.item_id)));
    events.truncate(MAX_PROJECT_EVENTS);
    Ok(events.into_iter().map(|(_, p)| p).collect())
}

/// The projects (not deleted) that the organisations `mine` lead or are
/// partners of (and have not left).
pub(super) async fn my_project_ids(
    txn: &impl ConnectionTrait,
    mine: &HashSet<Uuid>,
) -> Result<Vec<Uuid>, AppError> {
    if mine.is_empty() {
        return Ok(Vec::new());
    }
    let partner_of: Vec<Uuid> = project_partners::Entity::find()
        .select_only()
        .column(project_partners::Column::ProjectId)
        .filter(project_partners::Column::OrganizationId.is_in(mine.iter().copied()))
        .filter(project_partners::Column::LeftAt.is_null())
        .into_tuple()
        .all(txn)
        .await?;
    Ok(projects::Entity::find()
        .select_only()
        .column(projects::Column::Id)
        .filter(
            Condition::any()
                .add(projects::Column::Id.is_in(partner_of))
                .add(projects::Column::LeadOrganizationId.is_in(mine.iter().copied())),
        )
        .filter(projects::Column::DeletedAt.is_null())
        .into_tuple()
        .all(txn)
        .await?)
}

/// The project sections, the most recently active first; a project deleted
/// since planning takes its section with it.
pub(super) async fn project_sections(
    db: &impl ConnectionTrait,
    base: &str,
    lang: Lang,
    items: &[digest_items::Model],
) -> Result<Vec<ProjectSection>, AppError> {
    let project_ids: HashSet<Uuid> = items
        .iter()
        .filter(|i| PROJECT_ITEMS.contains(&i.item_type.as_str()))
        .filter_map(|i| i.group_id)
        .collect();
    if project_ids.is_empty() {
        return Ok(Vec::new());
    }
    let stage_label = |stage: &str| {
        ProjectStage::parse(stage)
            .map(|s| s.label(lang).to_owned())
            .unwrap_or_else(|_| stage.to_owned())
    };
    let partner_ids: Vec<Uuid> = ids_of(items, &[ITEM_PARTNER_JOINED, ITEM_PARTNER_LEFT]).collect();
    let partners = project_partners::Entity::find()
        .filter(project_partners::Column::Id.is_in(partner_ids))
        .all(db)
        .await?;
    let stages = project_stages::Entity::find()
        .filter(project_stages::Column::Id.is_in(ids_of(items, &[ITEM_STAGE])))
        .all(db)
        .await?;
    let contributions = project_contributions::Entity::find()
        .filter(project_contributions::Column::Id.is_in(ids_of(items, &[ITEM_CONTRIBUTION])))
        .all(db)
        .await?;
    let documents = project_documents::Entity::find()
        .filter(project_documents::Column::Id.is_in(ids_of(items, &[ITEM_DOCUMENT])))
        .all(db)
        .await?;
    let approvals = project_approvals::Entity::find()
        .filter(project_approvals::Column::Id.is_in(ids_of(items, &[ITEM_APPROVAL])))
        .all(db)
        .await?;
    let names = organization_names(
        db,
        partners
            .iter()
            .map(|p| p.organization_id)
            .chain(contributions.iter().map(|c| c.organization_id))
            .chain(approvals.iter().map(|a| a.organization_id)),
    )
    .await?;
    let org = |id: Uuid| names.get(&id).cloned().unwrap_or_default();
    let planned: HashSet<(&str, Uuid)> = items
        .iter()
        .map(|i| (i.item_type.as_str(), i.item_id))
        .collect();
    let mut events: Vec<(Uuid, ProjectEvent)> = Vec::new();
    for p in &partners {
        if planned.contains(&(ITEM_PARTNER_JOINED, p.id)) {
            let activity = Activity::PartnerJoined {
                organization: org(p.organization_id),
            };
            events.push((p.project_id, event(p.id, p.joined_at, activity)));
        }
        if let Some(left) = p.left_at
            && planned.contains(&(ITEM_PARTNER_LEFT, p.id))
        {
            let activity = Activity::PartnerLeft {
                organization: org(p.organization_id),
            };
            events.push((p.project_id, event(p.id, left, activity)));
        }
    }
    for s in &stages {
        let activity = Activity::StageStarted {
            stage: stage_label(&s.stage),
        };
        events.push((s.project_id, event(s.id, s.started_at, activity)));
    }
    for c in &contributions {
        let activity = Activity::ContributionProposed {
            organization: org(c.organization_id),
            description: c.description.clone(),
        };
        events.push((c.project_id, event(c.id, c.created_at, activity)));
    }
    for d in &documents {
        let activity = Activity::DocumentAdded {
            title: d.title.clone(),
        };
        events.push((d.project_id, event(d.id, d.created_at, activity)));
    }
    for a in &approvals {
        let activity = Activity::Decision {
            organization: org(a.organization_id),
            stage: stage_label(&a.stage),
            approved: a.decision == "approved",
        };
        events.push((a.project_id, event(a.id, a.decided_at, activity)));
    }
    let projects = projects::Entity::find()
        .filter(projects::Column::Id.is_in(project_ids))
        .filter(projects::Column::DeletedAt.is_null())
        .all(db)
        .await?;
    let mut sections: Vec<ProjectSection> = projects
        .into_iter()
        .filter_map(|project| {
            let mut mine: Vec<ProjectEvent> = events
                .iter()
                .filter(|(id, _)| *id == project.id)
                .map(|(_, e)| e.clone())
                .collect();
            if mine.is_empty() {
                return None;
            }
            mine.sort_by(|a, b| b.at.cmp(&a.at).then(b.id.cmp(&a.id)));
            Some(ProjectSection {
                title: project.title,
                url: format!("{base}/projects/{}", project.id),
                events: mine,
            })
        })
        .collect();
    sections.sort_by(|a, b| {
        let newest = |s: &ProjectSection| s.events.first().map(|e| (e.at, e.id));
        newest(b).cmp(&newest(a))
    });
    Ok(sections)
}

fn event(id: Uuid, at: DateTime<Utc>, activity: Activity) -> ProjectEvent {
    ProjectEvent { id, at, activity }
}
