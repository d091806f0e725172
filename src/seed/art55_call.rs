//! The demo's art. 55 co-progettazione: the Comune di Milano's Quartieri
//! Connessi call (seeds/001) as a public project whose notice opened weeks
//! ago, with the first applications waiting for the admission check, so
//! that a newcomer signed in as the municipal officer can admit, score and
//! record minutes at once. The data is `assets/demo/art55.json`.
//!
//! The municipal officer's account writes the notice and publishes it
//! through the same use-cases as the web app (so the notice is validated
//! like a typed one); then the notice's opening is moved back (the law's
//! 20 days must have passed for the admission check) and the applications
//! of bodies with no demo account are written as rows, dated in those
//! weeks. Loading twice adds nothing: the need's project is recognised by
//! its title.

use anyhow::{Context, anyhow};
use chrono::Duration;
use sea_orm::DatabaseConnection;
use serde::Deserialize;

use crate::codesign::projects as codesign;
use crate::domain::codesign::{CriterionInput, NoticeInput};
use crate::domain::{ProjectProcedure, ProjectStage};
use crate::services::{Actor, now, organizations, projects};
use crate::store;

const ART55_JSON: &str = include_str!("../../assets/demo/art55.json");

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Call {
    lead: Lead,
    need: String,
    opened_days_ago: i64,
    notice: Notice,
    applications: Vec<Application>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Lead {
    tax_code: String,
    admin_email: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Notice {
    purpose: String,
    object: String,
    economic_frame: String,
    duration: String,
    requirements: String,
    criteria: Vec<Criterion>,
    min_open_days: Option<i64>,
    min_total: Option<i64>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Criterion {
    name: String,
    max_points: i64,
    weight: i64,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Application {
    tax_code: String,
    days_ago: i64,
    proposal: String,
}

impl Notice {
    fn input(&self) -> NoticeInput {
        NoticeInput {
            purpose: self.purpose.clone(),
            object: self.object.clone(),
            economic_frame: self.economic_frame.clone(),
            duration: self.duration.clone(),
            requirements: self.requirements.clone(),
            criteria: self
                .criteria
                .iter()
                .map(|c| CriterionInput {
                    name: c.name.clone(),
                    max_points: c.max_points,
                    weight: c.weight,
                })
                .collect(),
            min_open_days: self.min_open_days,
            min_total: self.min_total,
        }
    }
}

/// Loads the call once: `true` when it was added now. Fails when the
/// stories or the demo accounts are missing (load them first), when the
/// asset is inconsistent (a refused notice names its field) or on
/// database errors.
pub async fn load(db: &DatabaseConnection) -> anyhow::Result<bool> {
    let call: Call = serde_json::from_str(ART55_JSON).context("assets/demo/art55.json")?;
    let lead = organizations::find_by_tax_code(db, &call.lead.tax_code)
        .await?
        .ok_or_else(|| anyhow!("lead: no organisation {}", call.lead.tax_code))?;
    let need = store::seed::need_titled(db, lead.id, &call.need)
        .await?
        .ok_or_else(|| anyhow!("need: no need {:?}", call.need))?;
    if codesign::pact_exists(db, need.id, &need.title).await? {
        return Ok(false);
    }
    let officer = store::accounts::find_active_by_email(db, &call.lead.admin_email)
        .await?
        .ok_or_else(|| anyhow!("lead: no account {}", call.lead.admin_email))?;
    let actor = Actor::user(officer.id, &officer.email);
    let project = projects::open(db, Some(&actor), need.id, ProjectProcedure::Coprogettazione)
        .await
        .context("opening the project")?;
    projects::save_notice(db, Some(&actor), project, &call.notice.input())
        .await
        .context("notice")?;
    projects::advance(db, Some(&actor), project, ProjectStage::Applications)
        .await
        .context("publishing the notice")?;
    // A public call: every organisation reads the notice and may apply.
    projects::set_public(db, Some(&actor), project, true).await?;
    let at = now();
    let notice = store::projects::notice(db, project)
        .await?
        .ok_or_else(|| anyhow!("notice: not stored"))?;
    store::projects::open_notice(db, notice, at - Duration::days(call.opened_days_ago)).await?;
    for application in &call.applications {
        let organization = organizations::find_by_tax_code(db, &application.tax_code)
            .await?
            .ok_or_else(|| anyhow!("applications: no organisation {}", application.tax_code))?;
        store::projects::insert_application(
            db,
            project,
            organization.id,
            &application.proposal,
            None,
            at - Duration::days(application.days_ago),
        )
        .await?;
    }
    Ok(true)
}
