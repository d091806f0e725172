//! Live activity of one co-design project over graphql-ws
//! (`projectActivity`): partners joining or leaving, stages, contributions,
//! documents and agreement versions, approvals, milestones reached, reports.
//!
//! Each subscription polls the project's events ([`activity::events_between`],
//! the same events the digest reports) while it is open. The window looks
//! back a few seconds, because an event is stamped when its transaction
//! starts and becomes visible when it commits; events already sent are
//! remembered for as long as the window can return them, so each is sent
//! once. Polling the database, rather than a channel of this process, is
//! what lets a change made through another Trama process reach the
//! subscriber too.

use std::collections::HashMap;
use std::time::Duration;

use async_graphql::{Context, Enum, ID, Result, SimpleObject};
use chrono::{DateTime, Utc};
use futures_util::Stream;
use uuid::Uuid;

use super::error::GqlResult;
use super::mutation::id_arg;
use super::types::state;
use super::viewer::reader;
use crate::codesign::activity::{self, EventKind};
use crate::services::projects;

/// How often an open subscription looks for new events.
const POLL_EVERY: Duration = Duration::from_millis(500);
/// How far back each look reaches (longer than a write transaction lasts).
const LOOK_BACK: chrono::Duration = chrono::Duration::seconds(30);

/// What happened.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[graphql(remote = "EventKind")]
pub enum ProjectEventKind {
    PartnerJoined,
    PartnerLeft,
    StageStarted,
    ContributionProposed,
    DocumentAdded,
    Decision,
    MilestoneDone,
    ReportFiled,
}

/// One event of a project: what happened, to which row, when. Clients
/// read the workspace again (`project`) to show it.
#[derive(SimpleObject, Clone, Debug)]
pub struct ProjectEvent {
    pub kind: ProjectEventKind,
    /// The partner, stage, contribution, document, approval, milestone or
    /// report the event is about.
    pub id: ID,
    pub project_id: ID,
    pub at: DateTime<Utc>,
}

/// The events of the project from the time of the call on. NOT_FOUND on
/// `projectId` for a project the viewer may not see (see `project`).
pub async fn subscribe(
    ctx: &Context<'_>,
    project_id: &ID,
) -> Result<impl Stream<Item = ProjectEvent> + use<>> {
    let id = id_arg(ctx, project_id, "projectId")?;
    let db = state(ctx)?.db.clone();
    let reader = reader(ctx).await?;
    projects::view(&db, &reader, id, "projectId")
        .await
        .gql(ctx)?;
    let from = Utc::now();
    Ok(async_stream::stream! {
        let mut sent: HashMap<(EventKind, Uuid), DateTime<Utc>> = HashMap::new();
        loop {
            tokio::time::sleep(POLL_EVERY).await;
            let now = Utc::now();
            let since = (now - LOOK_BACK).max(from);
            let mut events = match activity::events_between(&db, &[id], since, now).await {
                Ok(events) => events,
                Err(error) => {
                    tracing::warn!(%error, project = %id, "project activity: reading events failed");
                    continue;
                }
            };
            events.sort_by_key(|event| event.at);
            for event in events {
                if sent.insert((event.kind, event.id), event.at).is_none() {
                    yield ProjectEvent {
                        kind: event.kind.into(),
                        id: ID(event.id.to_string()),
                        project_id: ID(event.project_id.to_string()),
                        at: event.at,
                    };
                }
            }
            sent.retain(|_, at| *at > since);
        }
    })
}
