//! The co-design part of a digest: events in the projects of the user's
//! organisations (partners joining or leaving, stages, contributions,
//! documents, approvals), planned as items and composed as sections.

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use sea_orm::ConnectionTrait;
use uuid::Uuid;

use crate::codesign::activity;
use crate::domain::{ApprovalDecision, Lang, ProjectStage};
use crate::error::AppError;
use crate::mail::digest::{Activity, ProjectEvent, ProjectSection};
use crate::store::entities::digest_items;
use crate::store::projects as store;

use super::compose::{ids_of, organization_names};
use super::planning::{Planned, my_organizations, sent_pairs};
use super::{
    ITEM_APPROVAL, ITEM_CONTRIBUTION, ITEM_DOCUMENT, ITEM_MILESTONE, ITEM_PARTNER_JOINED,
    ITEM_PARTNER_LEFT, ITEM_REPORT, ITEM_STAGE, MAX_PROJECT_EVENTS, PROJECT_ITEMS,
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
    let project_ids = activity::projects_of(txn, &mine).await?;
    let mut events: Vec<(DateTime<Utc>, Planned)> =
        activity::events_between(txn, &project_ids, since, at)
            .await?
            .into_iter()
            .map(|event| {
                let planned = Planned {
                    item_type: event.kind.item_type(),
                    item_id: event.id,
                    group_id: Some(event.project_id),
                };
                (event.at, planned)
            })
            .collect();
    if events.is_empty() {
        return Ok(events.into_iter().map(|(_, p)| p).collect());
    }
    // A partner row is two events (joined, left), told apart by their kind.
    let ids: Vec<_> = events.iter().map(|(_, p)| p.item_id).collect();
    let sent = sent_pairs(txn, user_id, &PROJECT_ITEMS, Some(&ids)).await?;
    events.retain(|(_, p)| !sent.contains(&(p.item_type.to_owned(), p.item_id)));
    events.sort_by(|a, b| b.0.cmp(&a.0).then(b.1.item_id.cmp(&a.1.item_id)));
    events.truncate(MAX_PROJECT_EVENTS);
    Ok(events.into_iter().map(|(_, p)| p).collect())
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
    let stage_label = |stage: ProjectStage| stage.label(lang).to_owned();
    let partner_ids: Vec<Uuid> = ids_of(items, &[ITEM_PARTNER_JOINED, ITEM_PARTNER_LEFT]).collect();
    let partners = store::partners_by_id(db, partner_ids).await?;
    let stages = store::stages_by_id(db, ids_of(items, &[ITEM_STAGE])).await?;
    let contributions = store::contributions_by_id(db, ids_of(items, &[ITEM_CONTRIBUTION])).await?;
    let documents = store::documents_by_id(db, ids_of(items, &[ITEM_DOCUMENT])).await?;
    let approvals = store::approvals_by_id(db, ids_of(items, &[ITEM_APPROVAL])).await?;
    let milestones = store::milestones_by_id(db, ids_of(items, &[ITEM_MILESTONE])).await?;
    let reports = store::reports_by_id(db, ids_of(items, &[ITEM_REPORT])).await?;
    let names = organization_names(
        db,
        partners
            .iter()
            .map(|p| p.organization_id)
            .chain(contributions.iter().map(|c| c.organization_id))
            .chain(approvals.iter().map(|a| a.organization_id))
            .chain(milestones.iter().map(|m| m.owner_organization_id))
            .chain(reports.iter().map(|r| r.organization_id)),
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
            stage: stage_label(s.stage),
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
        let activity = match a.agreement_version {
            Some(version) => Activity::AgreementApproved {
                organization: org(a.organization_id),
                version,
            },
            None => Activity::Decision {
                organization: org(a.organization_id),
                stage: stage_label(a.stage),
                approved: a.decision == ApprovalDecision::Approved,
            },
        };
        events.push((a.project_id, event(a.id, a.decided_at, activity)));
    }
    for m in &milestones {
        if let Some(done) = m.done_at {
            let activity = Activity::MilestoneDone {
                organization: org(m.owner_organization_id),
                title: m.title.clone(),
            };
            events.push((m.project_id, event(m.id, done, activity)));
        }
    }
    for r in &reports {
        let activity = Activity::ReportFiled {
            organization: org(r.organization_id),
        };
        events.push((r.project_id, event(r.id, r.created_at, activity)));
    }
    let projects = store::live_projects(db, project_ids).await?;
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
