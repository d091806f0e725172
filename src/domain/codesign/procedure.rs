//! The co-design procedures as data: for each, the allowed transitions
//! between its stages (forward to the next stage, and the few backward
//! moves the law or practice allows), who may take each one, the guards
//! that must hold, the effects the services must carry out, and the
//! stages in which each activity (writing the agreement, applying,
//! scoring, reporting...) is open.
//!
//! Stage order comes from [`ProjectStage::sequence`]; this module adds
//! the rules. [`check_transition`] is the one entry point for moving a
//! project; [`next_steps`] tells a workspace page what comes next and
//! what blocks it.
//!
//! Backward moves allowed:
//! - patto: review → proposal (the administration sends the proposal back
//!   for changes);
//! - art. 55: admission check → applications and comparative evaluation →
//!   applications, only when no application is admissible (the notice is
//!   reopened for another full period); final project → co-design table.
//!
//! Nothing else goes back: a signed pact or agreement, delivery and
//! reporting never return (`codesign.no_going_back`).

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::agreement::Agreement;
use super::evaluation::Notice;
use super::parties::{Actor, Partner, Who};
use super::rule::{Refused, Rule, refuse};
use crate::domain::{PartnerRole, ProjectProcedure, ProjectStage};

/// A condition a transition needs, checked against [`ProjectFacts`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Guard {
    /// The project has a public body (`codesign.public_body_missing`).
    PublicBody,
    /// A valid notice is stored (`codesign.notice_incomplete`).
    NoticeComplete,
    /// The notice has been open its days (`codesign.notice_min_open_days`).
    NoticeOpenLongEnough,
    /// At least one application (`codesign.no_applications`).
    HasApplications,
    /// Every application was declared admitted or not
    /// (`codesign.applications_unchecked`).
    ApplicationsChecked,
    /// At least one application admitted (`codesign.no_admitted_application`).
    HasAdmitted,
    /// Every admitted application has its scores (`codesign.scores_missing`).
    ScoresComplete,
    /// The evaluation's minutes are stored
    /// (`codesign.evaluation_minutes_missing`).
    EvaluationMinutes,
    /// At least one admitted application reaches the notice's minimum total
    /// (`codesign.no_admitted_application`).
    HasAdmissible,
    /// No application is admissible, so the notice may be reopened
    /// (`codesign.admissible_application_exists`).
    NoneAdmissible,
    /// The co-design table's minutes are stored
    /// (`codesign.table_minutes_missing`).
    TableMinutes,
    /// A partner besides the lead brings a contribution
    /// (`codesign.partner_contribution_missing`).
    PartnerContribution,
    /// The final project is stored (`codesign.final_project_missing`).
    FinalProject,
    /// Every current partner approved the agreement's latest version
    /// (`codesign.approvals_missing`, `codesign.agreement_missing`).
    AllApproved,
    /// Every current partner filed its report (`codesign.reports_missing`).
    AllReported,
}

/// What the services must do when a transition is taken, in the same
/// transaction as the stage change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Effect {
    /// Set the notice's `opened_at` to now (publication, or reopening).
    OpenNotice,
    /// Sign the agreement ([`Agreement::sign`]) and set the project's
    /// `signed_at`.
    SignAgreement,
}

/// One allowed move between two stages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Transition {
    pub from: ProjectStage,
    pub to: ProjectStage,
    pub who: Who,
    pub guards: &'static [Guard],
    pub effects: &'static [Effect],
}

impl Transition {
    /// Whether the move goes back in the procedure's sequence.
    pub fn is_backward(&self, procedure: ProjectProcedure) -> bool {
        self.to.position(procedure) < self.from.position(procedure)
    }
}

/// Something done inside a stage rather than a move between stages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Activity {
    /// Write or approve the agreement's text (`codesign.agreement_not_open`).
    Agreement,
    /// Invite, accept or admit a partner (`codesign.partners_frozen`).
    JoinProject,
    /// Add, change or withdraw a contribution
    /// (`codesign.contributions_frozen`).
    Contributions,
    /// Apply to an art. 55 notice (`codesign.applications_closed`).
    Apply,
    /// Declare an application admitted or not (`codesign.admission_not_open`).
    DecideAdmission,
    /// Score applications and record the evaluation's minutes
    /// (`codesign.evaluation_not_open`).
    Score,
    /// Record the co-design table's minutes or the final project
    /// (`codesign.table_not_open`).
    Table,
    /// File a partner's report (`codesign.reporting_not_open`).
    Report,
}

impl Activity {
    /// The rule that refuses the activity outside its stages.
    pub const fn rule(self) -> Rule {
        match self {
            Self::Agreement => Rule::AgreementNotOpen,
            Self::JoinProject => Rule::PartnersFrozen,
            Self::Contributions => Rule::ContributionsFrozen,
            Self::Apply => Rule::ApplicationsClosed,
            Self::DecideAdmission => Rule::AdmissionNotOpen,
            Self::Score => Rule::EvaluationNotOpen,
            Self::Table => Rule::TableNotOpen,
            Self::Report => Rule::ReportingNotOpen,
        }
    }
}

/// A procedure's rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Procedure {
    pub procedure: ProjectProcedure,
    pub transitions: &'static [Transition],
    /// The stages in which each activity is open; an activity not listed
    /// is not part of the procedure.
    pub activities: &'static [(Activity, &'static [ProjectStage])],
}

use Guard as G;
use ProjectStage as S;

const fn step(
    from: ProjectStage,
    to: ProjectStage,
    who: Who,
    guards: &'static [Guard],
    effects: &'static [Effect],
) -> Transition {
    Transition {
        from,
        to,
        who,
        guards,
        effects,
    }
}

/// Patto di collaborazione (municipal regulations on the shared care of
/// the commons): proposed by the partners, examined by the
/// administration (istruttoria), co-designed, signed, carried out,
/// reported, closed.
pub const PATTO: Procedure = Procedure {
    procedure: ProjectProcedure::PattoCollaborazione,
    transitions: &[
        step(
            S::Proposal,
            S::Review,
            Who::LeadAdmin,
            &[G::PublicBody],
            &[],
        ),
        step(S::Review, S::Proposal, Who::PublicBodyAdmin, &[], &[]),
        step(S::Review, S::CodesignTable, Who::PublicBodyAdmin, &[], &[]),
        step(
            S::CodesignTable,
            S::Signed,
            Who::LeadAdmin,
            &[G::PartnerContribution, G::AllApproved],
            &[Effect::SignAgreement],
        ),
        step(S::Signed, S::Active, Who::LeadAdmin, &[], &[]),
        step(S::Active, S::Reporting, Who::LeadAdmin, &[], &[]),
        step(
            S::Reporting,
            S::Closed,
            Who::LeadAdmin,
            &[G::AllReported],
            &[],
        ),
    ],
    activities: &[
        (
            Activity::Agreement,
            &[S::Proposal, S::Review, S::CodesignTable],
        ),
        (
            Activity::JoinProject,
            &[S::Proposal, S::Review, S::CodesignTable],
        ),
        (
            Activity::Contributions,
            &[S::Proposal, S::Review, S::CodesignTable],
        ),
        (Activity::Table, &[S::CodesignTable]),
        (Activity::Report, &[S::Reporting]),
    ],
};

/// Co-progettazione under art. 55 of the Third Sector Code (D.Lgs.
/// 117/2017) and the guidelines of DM 72/2021: the public body publishes a
/// notice, third-sector bodies apply, the admissible ones are scored, the
/// table co-designs the final project, the partners sign the agreement
/// (convenzione), deliver and report.
pub const COPROGETTAZIONE: Procedure = Procedure {
    procedure: ProjectProcedure::Coprogettazione,
    transitions: &[
        step(
            S::PublicNotice,
            S::Applications,
            Who::PublicBodyAdmin,
            &[G::NoticeComplete],
            &[Effect::OpenNotice],
        ),
        step(
            S::Applications,
            S::AdmissionCheck,
            Who::PublicBodyAdmin,
            &[G::NoticeOpenLongEnough, G::HasApplications],
            &[],
        ),
        step(
            S::AdmissionCheck,
            S::Evaluation,
            Who::PublicBodyAdmin,
            &[G::ApplicationsChecked, G::HasAdmitted],
            &[],
        ),
        step(
            S::AdmissionCheck,
            S::Applications,
            Who::PublicBodyAdmin,
            &[G::ApplicationsChecked, G::NoneAdmissible],
            &[Effect::OpenNotice],
        ),
        step(
            S::Evaluation,
            S::CodesignTable,
            Who::PublicBodyAdmin,
            &[G::ScoresComplete, G::EvaluationMinutes, G::HasAdmissible],
            &[],
        ),
        step(
            S::Evaluation,
            S::Applications,
            Who::PublicBodyAdmin,
            &[G::ScoresComplete, G::EvaluationMinutes, G::NoneAdmissible],
            &[Effect::OpenNotice],
        ),
        step(
            S::CodesignTable,
            S::FinalProject,
            Who::LeadAdmin,
            &[G::TableMinutes, G::PartnerContribution],
            &[],
        ),
        step(S::FinalProject, S::CodesignTable, Who::LeadAdmin, &[], &[]),
        step(
            S::FinalProject,
            S::Agreement,
            Who::LeadAdmin,
            &[G::FinalProject, G::PartnerContribution],
            &[],
        ),
        step(
            S::Agreement,
            S::Delivery,
            Who::LeadAdmin,
            &[G::AllApproved],
            &[Effect::SignAgreement],
        ),
        step(S::Delivery, S::Reporting, Who::LeadAdmin, &[], &[]),
        step(
            S::Reporting,
            S::Closed,
            Who::LeadAdmin,
            &[G::AllReported],
            &[],
        ),
    ],
    activities: &[
        (Activity::Apply, &[S::Applications]),
        (Activity::DecideAdmission, &[S::AdmissionCheck]),
        (Activity::Score, &[S::Evaluation]),
        (Activity::Table, &[S::CodesignTable, S::FinalProject]),
        (
            Activity::JoinProject,
            &[
                S::Applications,
                S::AdmissionCheck,
                S::Evaluation,
                S::CodesignTable,
                S::FinalProject,
                S::Agreement,
            ],
        ),
        (
            Activity::Contributions,
            &[S::CodesignTable, S::FinalProject, S::Agreement],
        ),
        (Activity::Agreement, &[S::FinalProject, S::Agreement]),
        (Activity::Report, &[S::Reporting]),
    ],
};

impl Procedure {
    /// The rules of a procedure.
    pub const fn of(procedure: ProjectProcedure) -> &'static Procedure {
        match procedure {
            ProjectProcedure::PattoCollaborazione => &PATTO,
            ProjectProcedure::Coprogettazione => &COPROGETTAZIONE,
        }
    }

    /// The stages, in order.
    pub fn stages(&self) -> &'static [ProjectStage] {
        ProjectStage::sequence(self.procedure)
    }

    /// The transition between two stages, if the table allows it.
    pub fn transition(&self, from: ProjectStage, to: ProjectStage) -> Option<&'static Transition> {
        self.transitions
            .iter()
            .find(|t| t.from == from && t.to == to)
    }

    /// The transitions out of a stage, forward first.
    pub fn transitions_from(&self, stage: ProjectStage) -> Vec<&'static Transition> {
        let procedure = self.procedure;
        let transitions: &'static [Transition] = self.transitions;
        let mut out: Vec<&'static Transition> =
            transitions.iter().filter(|t| t.from == stage).collect();
        out.sort_by_key(|t| t.is_backward(procedure));
        out
    }

    /// Whether `activity` is open in `stage`. Fails with
    /// `codesign.stage_not_in_procedure` for a stage of the other
    /// procedure and with the activity's rule ([`Activity::rule`])
    /// otherwise.
    pub fn check_activity(&self, stage: ProjectStage, activity: Activity) -> Result<(), Refused> {
        if !stage.belongs_to(self.procedure) {
            return refuse(Rule::StageNotInProcedure);
        }
        let open = self
            .activities
            .iter()
            .any(|(a, stages)| *a == activity && stages.contains(&stage));
        if open {
            Ok(())
        } else {
            refuse(activity.rule())
        }
    }
}

/// An application to an art. 55 notice, as the guards see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ApplicationFacts {
    pub organization_id: Uuid,
    /// `None` until the admission check decides.
    pub admitted: Option<bool>,
    /// The weighted total once scored.
    pub total: Option<u32>,
}

/// What the guards read about a project; the services load it.
#[derive(Debug, Clone, Copy)]
pub struct ProjectFacts<'a> {
    pub procedure: ProjectProcedure,
    pub stage: ProjectStage,
    /// The lead organisation (capofila).
    pub lead: Uuid,
    /// The public body of the project: the administration that published
    /// the notice or signs the pact (often the lead itself).
    pub public_body: Option<Uuid>,
    /// The current partners, the lead included.
    pub partners: &'a [Partner],
    /// Organisations with at least one contribution that is not withdrawn.
    pub contributors: &'a [Uuid],
    /// Art. 55: the valid notice, once stored.
    pub notice: Option<&'a Notice>,
    /// Art. 55: when the notice was (last) opened for applications.
    pub notice_opened_at: Option<DateTime<Utc>>,
    pub applications: &'a [ApplicationFacts],
    pub evaluation_minutes: bool,
    pub table_minutes: bool,
    pub final_project: bool,
    pub agreement: Option<&'a Agreement>,
    /// Organisations that filed their report.
    pub reported: &'a [Uuid],
}

impl ProjectFacts<'_> {
    fn is_admissible(&self, application: &ApplicationFacts) -> bool {
        application.admitted == Some(true)
            && match (application.total, self.notice) {
                (Some(total), Some(notice)) => notice.is_admissible(total),
                // Not scored yet: still in the running.
                _ => true,
            }
    }

    fn guard(&self, guard: Guard, now: DateTime<Utc>) -> Result<(), Refused> {
        let ok = |holds: bool, rule: Rule| if holds { Ok(()) } else { refuse(rule) };
        match guard {
            Guard::PublicBody => ok(self.public_body.is_some(), Rule::PublicBodyMissing),
            Guard::NoticeComplete => ok(self.notice.is_some(), Rule::NoticeIncomplete),
            Guard::NoticeOpenLongEnough => {
                let Some(notice) = self.notice else {
                    return refuse(Rule::NoticeIncomplete);
                };
                ok(
                    self.notice_opened_at
                        .is_some_and(|opened| now >= notice.closes_not_before(opened)),
                    Rule::NoticeMinOpenDays,
                )
            }
            Guard::HasApplications => ok(!self.applications.is_empty(), Rule::NoApplications),
            Guard::ApplicationsChecked => ok(
                self.applications.iter().all(|a| a.admitted.is_some()),
                Rule::ApplicationsUnchecked,
            ),
            Guard::HasAdmitted => ok(
                self.applications.iter().any(|a| a.admitted == Some(true)),
                Rule::NoAdmittedApplication,
            ),
            Guard::ScoresComplete => ok(
                self.applications
                    .iter()
                    .filter(|a| a.admitted == Some(true))
                    .all(|a| a.total.is_some()),
                Rule::ScoresMissing,
            ),
            Guard::EvaluationMinutes => ok(self.evaluation_minutes, Rule::EvaluationMinutesMissing),
            Guard::HasAdmissible => ok(
                self.applications.iter().any(|a| self.is_admissible(a)),
                Rule::NoAdmittedApplication,
            ),
            Guard::NoneAdmissible => ok(
                !self.applications.iter().any(|a| self.is_admissible(a)),
                Rule::AdmissibleApplicationExists,
            ),
            Guard::TableMinutes => ok(self.table_minutes, Rule::TableMinutesMissing),
            Guard::PartnerContribution => ok(
                self.partners.iter().any(|p| {
                    p.role != PartnerRole::Lead
                        && p.organization_id != self.lead
                        && self.contributors.contains(&p.organization_id)
                }),
                Rule::PartnerContributionMissing,
            ),
            Guard::FinalProject => ok(self.final_project, Rule::FinalProjectMissing),
            Guard::AllApproved => match self.agreement {
                None => refuse(Rule::AgreementMissing),
                Some(agreement) if agreement.latest().is_none() => refuse(Rule::AgreementMissing),
                Some(agreement) => ok(
                    agreement.approved_by_all(self.partners),
                    Rule::ApprovalsMissing,
                ),
            },
            Guard::AllReported => ok(
                self.partners
                    .iter()
                    .all(|p| self.reported.contains(&p.organization_id)),
                Rule::ReportsMissing,
            ),
        }
    }
}

/// Checks a move of the project to `to` by `actor` at `now`, and returns
/// the transition (with the effects the services must carry out).
///
/// Fails, in this order, with `codesign.project_closed`,
/// `codesign.stage_not_in_procedure`, `codesign.same_stage`,
/// `codesign.no_going_back` (a backward move the table does not allow),
/// `codesign.no_skipping` (a forward move past the next stage), then the
/// actor's rule (see [`Who::check`]), then the first guard that does not
/// hold. Permissions come before guards so that an outsider learns
/// nothing of the project's state.
pub fn check_transition(
    facts: &ProjectFacts<'_>,
    actor: &Actor,
    to: ProjectStage,
    now: DateTime<Utc>,
) -> Result<&'static Transition, Refused> {
    let procedure = Procedure::of(facts.procedure);
    if facts.stage == ProjectStage::Closed {
        return refuse(Rule::ProjectClosed);
    }
    let (Some(from), Some(target)) = (
        facts.stage.position(facts.procedure),
        to.position(facts.procedure),
    ) else {
        return refuse(Rule::StageNotInProcedure);
    };
    if from == target {
        return refuse(Rule::SameStage);
    }
    let Some(transition) = procedure.transition(facts.stage, to) else {
        return refuse(if target < from {
            Rule::NoGoingBack
        } else {
            Rule::NoSkipping
        });
    };
    transition
        .who
        .check(actor, facts.lead, facts.public_body, facts.partners)?;
    for guard in transition.guards {
        facts.guard(*guard, now)?;
    }
    Ok(transition)
}

/// A move the workspace can offer, and what blocks it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NextStep {
    pub transition: &'static Transition,
    /// `None` when `actor` may take it now.
    pub blocked_by: Option<Rule>,
}

/// The moves out of the current stage (forward first), each with the rule
/// that would refuse it for `actor` now.
pub fn next_steps(facts: &ProjectFacts<'_>, actor: &Actor, now: DateTime<Utc>) -> Vec<NextStep> {
    Procedure::of(facts.procedure)
        .transitions_from(facts.stage)
        .into_iter()
        .map(|transition| NextStep {
            transition,
            blocked_by: check_transition(facts, actor, transition.to, now)
                .err()
                .map(|refused| refused.rule),
        })
        .collect()
}

#[cfg(test)]
mod tests;
