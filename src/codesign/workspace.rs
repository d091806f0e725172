//! A project's workspace as the rules see it: its rows loaded from the
//! store ([`Workspace::load`]) and turned into the domain's facts
//! ([`Workspace::facts`]), its agreement, its partners, its public body,
//! the art. 55 notice, applications and documents ([`Topic`]), and the
//! person acting ([`actor_of`]).

use std::collections::HashMap;

use sea_orm::ConnectionTrait;
use uuid::Uuid;

use crate::domain::codesign::{
    Actor, Agreement, ApplicationFacts, Approval, Candidate, CriterionInput, Notice, NoticeInput,
    Partner, ProjectFacts, Refused, Rule, Signature, Version,
};
use crate::domain::{ContributionStatus, DocumentKind, MembershipRole};
use crate::error::{AppError, Entity};
use crate::store::entities::{
    organizations, project_applications, project_approvals, project_contributions,
    project_documents, project_invitations, project_milestones, project_notices, project_partners,
    project_reports, project_stages, projects,
};
use crate::store::{accounts, memberships, projects as store};

/// Everything the workspace shows and the rules read about one project.
#[derive(Clone, Debug)]
pub struct Workspace {
    pub project: projects::Model,
    /// Current partners, the lead first.
    pub partners: Vec<project_partners::Model>,
    pub invitations: Vec<project_invitations::Model>,
    pub contributions: Vec<project_contributions::Model>,
    pub stages: Vec<project_stages::Model>,
    pub versions: Vec<project_documents::Model>,
    /// Approvals of every version (the rules keep the latest's).
    pub approvals: Vec<project_approvals::Model>,
    pub milestones: Vec<project_milestones::Model>,
    pub reports: Vec<project_reports::Model>,
    /// Art. 55: the notice, the applications, the documents with a topic.
    pub notice: Option<project_notices::Model>,
    pub applications: Vec<project_applications::Model>,
    pub topic_documents: Vec<project_documents::Model>,
    /// The organisations of the partners, the invited and the applicants.
    pub organizations: HashMap<Uuid, organizations::Model>,
    /// The display names of the people who approved the agreement.
    pub approvers: HashMap<Uuid, String>,
}

/// The owned values [`ProjectFacts`] borrows.
#[derive(Clone, Debug)]
pub struct FactsParts {
    pub partners: Vec<Partner>,
    pub contributors: Vec<Uuid>,
    pub agreement: Agreement,
    pub reported: Vec<Uuid>,
    pub notice: Option<Notice>,
    pub applications: Vec<ApplicationFacts>,
}

/// What an art. 55 document is for: its stored `topic`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Topic {
    /// The minutes of the comparative evaluation.
    EvaluationMinutes,
    /// The minutes of the co-design table.
    TableMinutes,
    /// The final project the table agreed on.
    FinalProject,
}

impl Topic {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::EvaluationMinutes => "evaluation_minutes",
            Self::TableMinutes => "table_minutes",
            Self::FinalProject => "final_project",
        }
    }

    /// The document's kind and its title (in Italian, the language of
    /// the administration's records).
    pub const fn document(self) -> (DocumentKind, &'static str) {
        match self {
            Self::EvaluationMinutes => (
                DocumentKind::Minutes,
                "Verbale della valutazione comparativa",
            ),
            Self::TableMinutes => (
                DocumentKind::Minutes,
                "Verbale del tavolo di co-progettazione",
            ),
            Self::FinalProject => (DocumentKind::Other, "Progetto definitivo"),
        }
    }
}

/// A notice's criteria as stored.
pub fn criteria_json(criteria: &[CriterionInput]) -> serde_json::Value {
    criteria
        .iter()
        .map(|c| serde_json::json!({ "name": c.name, "maxPoints": c.max_points, "weight": c.weight }))
        .collect()
}

/// The stored notice as the form sent it.
pub fn notice_input(notice: &project_notices::Model) -> NoticeInput {
    let criteria = notice
        .criteria
        .as_array()
        .map(|list| {
            list.iter()
                .map(|c| CriterionInput {
                    name: c["name"].as_str().unwrap_or_default().to_owned(),
                    max_points: c["maxPoints"].as_i64().unwrap_or_default(),
                    weight: c["weight"].as_i64().unwrap_or_default(),
                })
                .collect()
        })
        .unwrap_or_default();
    NoticeInput {
        purpose: notice.purpose.clone(),
        object: notice.object.clone(),
        economic_frame: notice.economic_frame.clone(),
        duration: notice.duration.clone(),
        requirements: notice.requirements.clone(),
        criteria,
        min_open_days: Some(i64::from(notice.min_open_days)),
        min_total: notice.min_total.map(i64::from),
    }
}

impl Workspace {
    /// Loads the project's workspace. NOT_FOUND on `field` when there is no
    /// such project or it is deleted.
    pub async fn load(
        db: &impl ConnectionTrait,
        project_id: Uuid,
        field: &str,
    ) -> Result<Self, AppError> {
        let project = store::project(db, project_id)
            .await?
            .filter(|p| p.deleted_at.is_none())
            .ok_or_else(|| AppError::not_found(Entity::Project, field))?;
        let partners = store::current_partners(db, project_id).await?;
        let invitations = store::pending_invitations(db, project_id).await?;
        let applications = store::applications(db, project_id).await?;
        let ids: Vec<Uuid> = partners
            .iter()
            .map(|p| p.organization_id)
            .chain(invitations.iter().map(|i| i.organization_id))
            .chain(applications.iter().map(|a| a.organization_id))
            .collect();
        let organizations = store::organizations_by_id(db, ids)
            .await?
            .into_iter()
            .map(|o| (o.id, o))
            .collect();
        let approvals = store::agreement_approvals(db, project_id).await?;
        let approvers = accounts::by_ids(db, approvals.iter().filter_map(|a| a.user_id))
            .await?
            .into_iter()
            .map(|u| (u.id, u.display_name))
            .collect();
        Ok(Self {
            partners,
            invitations,
            contributions: store::contributions(db, project_id).await?,
            stages: store::stage_history(db, project_id).await?,
            versions: store::agreement_versions(db, project_id).await?,
            approvals,
            approvers,
            milestones: store::milestones(db, project_id).await?,
            reports: store::reports(db, project_id).await?,
            notice: store::notice(db, project_id).await?,
            applications,
            topic_documents: store::topic_documents(db, project_id).await?,
            organizations,
            project,
        })
    }

    /// The organisations of the current partners.
    pub fn partner_ids(&self) -> Vec<Uuid> {
        self.partners.iter().map(|p| p.organization_id).collect()
    }

    /// The current partners as the rules see them.
    pub fn domain_partners(&self) -> Vec<Partner> {
        self.partners
            .iter()
            .map(|p| Partner {
                organization_id: p.organization_id,
                role: p.role,
            })
            .collect()
    }

    /// The public body of the project: the first current partner (the lead
    /// first) that is a public administration.
    pub fn public_body(&self) -> Option<Uuid> {
        self.partners.iter().map(|p| p.organization_id).find(|id| {
            self.organizations
                .get(id)
                .is_some_and(|o| o.kind.is_public_body())
        })
    }

    /// What the eligibility rule reads about an organisation of the workspace.
    pub fn candidate(&self, organization_id: Uuid) -> Option<Candidate> {
        self.organizations.get(&organization_id).map(candidate)
    }

    /// The agreement: its versions, the approvals, and its signature once
    /// the project stored one.
    pub fn agreement(&self) -> Agreement {
        let versions = self
            .versions
            .iter()
            .filter_map(|d| {
                Some(Version {
                    number: u32::try_from(d.version?).ok()?,
                    text: d.body.clone(),
                    author: d.created_by.unwrap_or_default(),
                    created_at: d.created_at,
                })
            })
            .collect();
        let approvals: Vec<Approval> = self
            .approvals
            .iter()
            .filter_map(|a| {
                Some(Approval {
                    version: u32::try_from(a.agreement_version?).ok()?,
                    organization_id: a.organization_id,
                    user_id: a.user_id.unwrap_or_default(),
                    at: a.decided_at,
                })
            })
            .collect();
        let signature = match (
            self.project.agreement_version,
            &self.project.agreement_hash,
            self.project.signed_at,
        ) {
            (Some(version), Some(hash), Some(signed_at)) => {
                let version = u32::try_from(version).unwrap_or_default();
                Some(Signature {
                    version,
                    content_hash: hash.clone(),
                    signed_at,
                    approvals: approvals
                        .iter()
                        .filter(|a| a.version == version)
                        .cloned()
                        .collect(),
                })
            }
            _ => None,
        };
        Agreement::from_parts(versions, approvals, signature)
    }

    /// The owned parts of the facts.
    pub fn facts_parts(&self) -> FactsParts {
        let mut contributors: Vec<Uuid> = self
            .contributions
            .iter()
            .filter(|c| c.status != ContributionStatus::Withdrawn)
            .map(|c| c.organization_id)
            .collect();
        contributors.dedup();
        FactsParts {
            partners: self.domain_partners(),
            contributors,
            agreement: self.agreement(),
            reported: self.reports.iter().map(|r| r.organization_id).collect(),
            notice: self.valid_notice(),
            applications: self
                .applications
                .iter()
                .map(|a| ApplicationFacts {
                    organization_id: a.organization_id,
                    admitted: a.admitted,
                    total: a.total.and_then(|t| u32::try_from(t).ok()),
                })
                .collect(),
        }
    }

    /// The stored notice, valid (it was validated when stored).
    pub fn valid_notice(&self) -> Option<Notice> {
        self.notice
            .as_ref()
            .and_then(|n| notice_input(n).validate().ok())
    }

    /// Whether a document about `topic` is stored.
    pub fn has(&self, topic: Topic) -> bool {
        self.topic_documents
            .iter()
            .any(|d| d.topic.as_deref() == Some(topic.as_str()))
    }

    /// The facts the procedure's guards read.
    pub fn facts<'a>(&self, parts: &'a FactsParts) -> ProjectFacts<'a> {
        ProjectFacts {
            procedure: self.project.procedure,
            stage: self.project.stage,
            lead: self.project.lead_organization_id,
            public_body: self.public_body(),
            partners: &parts.partners,
            contributors: &parts.contributors,
            notice: parts.notice.as_ref(),
            notice_opened_at: self.notice.as_ref().and_then(|n| n.opened_at),
            applications: &parts.applications,
            evaluation_minutes: self.has(Topic::EvaluationMinutes),
            table_minutes: self.has(Topic::TableMinutes),
            final_project: self.has(Topic::FinalProject),
            agreement: Some(&parts.agreement),
            reported: &parts.reported,
        }
    }

    /// The organisation the actor acts for among the current partners
    /// (see [`acting_partner`]).
    pub fn acting_partner(&self, actor: &Actor, explicit: Option<Uuid>) -> Result<Uuid, Refused> {
        acting_partner(actor, &self.domain_partners(), explicit)
    }
}

/// The organisation the actor acts for among `partners`: `explicit` when
/// given, else the first partner (the lead first) they are an admin of.
/// Fails with `codesign.partner_only` (none of theirs is a partner) or
/// `codesign.admin_only` (they are a member, not an admin).
pub fn acting_partner(
    actor: &Actor,
    partners: &[Partner],
    explicit: Option<Uuid>,
) -> Result<Uuid, Refused> {
    if let Some(org) = explicit {
        actor.check_acts_for_partner(org, partners)?;
        return Ok(org);
    }
    if let Some(p) = partners
        .iter()
        .find(|p| actor.is_admin_of(p.organization_id))
    {
        return Ok(p.organization_id);
    }
    Err(if partners
        .iter()
        .any(|p| actor.is_member_of(p.organization_id))
    {
        Rule::AdminOnly
    } else {
        Rule::PartnerOnly
    }
    .into())
}

/// What the eligibility rule reads about an organisation.
pub fn candidate(organization: &organizations::Model) -> Candidate {
    Candidate {
        kind: organization.kind,
        runts_registered: organization.runts_registered,
    }
}

/// The person acting, with their memberships (no one's, for `None`).
pub async fn actor_of(db: &impl ConnectionTrait, user_id: Option<Uuid>) -> Result<Actor, AppError> {
    let Some(user_id) = user_id else {
        return Ok(Actor::default());
    };
    let roles: Vec<(Uuid, MembershipRole)> = memberships::of_user(db, user_id)
        .await?
        .into_iter()
        .map(|m| (m.organization_id, m.role))
        .collect();
    Ok(Actor::new(roles))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::PartnerRole;

    const LEAD: Uuid = Uuid::from_u128(1);
    const ONLUS: Uuid = Uuid::from_u128(2);
    const ELSEWHERE: Uuid = Uuid::from_u128(3);

    fn partners() -> Vec<Partner> {
        vec![
            Partner {
                organization_id: LEAD,
                role: PartnerRole::Lead,
            },
            Partner {
                organization_id: ONLUS,
                role: PartnerRole::Partner,
            },
        ]
    }

    #[test]
    fn the_actor_acts_for_the_first_partner_they_administer() {
        let both = Actor::new([
            (ONLUS, MembershipRole::Admin),
            (LEAD, MembershipRole::Admin),
        ]);
        assert_eq!(acting_partner(&both, &partners(), None), Ok(LEAD));
        assert_eq!(acting_partner(&both, &partners(), Some(ONLUS)), Ok(ONLUS));
    }

    #[test]
    fn members_and_outsiders_are_refused_with_their_rule() {
        let member = Actor::new([(ONLUS, MembershipRole::Member)]);
        assert_eq!(
            acting_partner(&member, &partners(), None),
            Err(Rule::AdminOnly.into())
        );
        let outsider = Actor::new([(ELSEWHERE, MembershipRole::Admin)]);
        assert_eq!(
            acting_partner(&outsider, &partners(), None),
            Err(Rule::PartnerOnly.into())
        );
        assert_eq!(
            acting_partner(&outsider, &partners(), Some(ELSEWHERE)),
            Err(Rule::PartnerOnly.into())
        );
    }

    #[test]
    fn topics_are_stored_by_stable_names() {
        let names: Vec<&str> = [
            Topic::EvaluationMinutes,
            Topic::TableMinutes,
            Topic::FinalProject,
        ]
        .into_iter()
        .map(Topic::as_str)
        .collect();
        assert_eq!(
            names,
            ["evaluation_minutes", "table_minutes", "final_project"]
        );
    }

    #[test]
    fn criteria_read_back_as_written() {
        let criteria = vec![CriterionInput {
            name: "Qualità".to_owned(),
            max_points: 10,
            weight: 3,
        }];
        let json = criteria_json(&criteria);
        assert_eq!(
            json,
            serde_json::json!([{ "name": "Qualità", "maxPoints": 10, "weight": 3 }])
        );
    }
}
