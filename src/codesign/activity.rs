//! What happened in a project and when: partners joining or leaving,
//! stages starting, contributions proposed, documents added, approvals
//! given, milestones reached, reports filed. Digests report these events to the projects' partners.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use sea_orm::ConnectionTrait;
use uuid::Uuid;

use crate::domain::PartnerRole;
use crate::error::AppError;
use crate::store::projects as store;

/// A kind of project event, with the name `digest_items.item_type` stores.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum EventKind {
    PartnerJoined,
    PartnerLeft,
    StageStarted,
    ContributionProposed,
    DocumentAdded,
    Decision,
    MilestoneDone,
    ReportFiled,
}

impl EventKind {
    pub const ALL: [Self; 8] = [
        Self::PartnerJoined,
        Self::PartnerLeft,
        Self::StageStarted,
        Self::ContributionProposed,
        Self::DocumentAdded,
        Self::Decision,
        Self::MilestoneDone,
        Self::ReportFiled,
    ];

    /// The stored name. A partner row is two events (joined, left), told
    /// apart by this name.
    pub const fn item_type(self) -> &'static str {
        match self {
            Self::PartnerJoined => "project_partner_joined",
            Self::PartnerLeft => "project_partner_left",
            Self::StageStarted => "project_stage",
            Self::ContributionProposed => "project_contribution",
            Self::DocumentAdded => "project_document",
            Self::Decision => "project_approval",
            Self::MilestoneDone => "project_milestone",
            Self::ReportFiled => "project_report",
        }
    }

    /// The kind a stored name says, if it names one.
    pub fn parse(item_type: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.item_type() == item_type)
    }
}

/// One event: the row it comes from (a partner, stage, contribution,
/// document or approval), its project and its time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Event {
    pub kind: EventKind,
    pub id: Uuid,
    pub project_id: Uuid,
    pub at: DateTime<Utc>,
}

/// The projects (not deleted) that the organisations `mine` lead or are
/// partners of (and have not left).
pub async fn projects_of(
    db: &impl ConnectionTrait,
    mine: &HashSet<Uuid>,
) -> Result<Vec<Uuid>, AppError> {
    if mine.is_empty() {
        return Ok(Vec::new());
    }
    Ok(store::live_project_ids_of(db, mine).await?)
}

/// Every event of the projects `project_ids` in `(since, at]`, in no
/// particular order. The lead "joins" when the project opens, which its
/// first stage already says: it is no event of its own.
pub async fn events_between(
    db: &impl ConnectionTrait,
    project_ids: &[Uuid],
    since: DateTime<Utc>,
    at: DateTime<Utc>,
) -> Result<Vec<Event>, AppError> {
    let mut events = Vec::new();
    if project_ids.is_empty() {
        return Ok(events);
    }
    let mut push = |kind: EventKind, id: Uuid, project_id: Uuid, t: DateTime<Utc>| {
        if t > since && t <= at {
            events.push(Event {
                kind,
                id,
                project_id,
                at: t,
            });
        }
    };
    let stages = store::stages_of(db, project_ids).await?;
    let mut opened: HashMap<Uuid, DateTime<Utc>> = HashMap::new();
    for s in &stages {
        let first = opened.entry(s.project_id).or_insert(s.started_at);
        *first = (*first).min(s.started_at);
    }
    for p in store::partners_of(db, project_ids).await? {
        // The lead that opened the project joined with its first stage; a
        // lead handed the role later joined as a partner, which is news.
        let opener = p.role == PartnerRole::Lead
            && opened
                .get(&p.project_id)
                .is_none_or(|first| p.joined_at <= *first);
        if !opener {
            push(EventKind::PartnerJoined, p.id, p.project_id, p.joined_at);
        }
        if let Some(left) = p.left_at {
            push(EventKind::PartnerLeft, p.id, p.project_id, left);
        }
    }
    for s in stages {
        push(EventKind::StageStarted, s.id, s.project_id, s.started_at);
    }
    for c in store::contributions_of(db, project_ids).await? {
        push(
            EventKind::ContributionProposed,
            c.id,
            c.project_id,
            c.created_at,
        );
    }
    for d in store::documents_of(db, project_ids).await? {
        push(EventKind::DocumentAdded, d.id, d.project_id, d.created_at);
    }
    for a in store::approvals_of(db, project_ids).await? {
        push(EventKind::Decision, a.id, a.project_id, a.decided_at);
    }
    for m in store::milestones_of(db, project_ids).await? {
        if let Some(done) = m.done_at {
            push(EventKind::MilestoneDone, m.id, m.project_id, done);
        }
    }
    for r in store::reports_of(db, project_ids).await? {
        push(EventKind::ReportFiled, r.id, r.project_id, r.created_at);
    }
    Ok(events)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn item_types_read_back_as_their_kind() {
        for kind in EventKind::ALL {
            assert_eq!(EventKind::parse(kind.item_type()), Some(kind));
        }
        assert_eq!(EventKind::parse("match"), None);
    }
}
