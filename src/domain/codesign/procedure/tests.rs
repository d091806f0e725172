//! Tests of the procedures' tables: their shape, a walk through each
//! procedure (the Lorenteggio pact, the Quartieri Connessi call) and every
//! refused transition, each asserting the rule that refuses it.

use chrono::Duration;

use super::*;
use crate::domain::codesign::evaluation::quartieri_connessi;
use crate::domain::{MembershipRole, ProjectProcedure::*};

const ALER: Uuid = Uuid::from_u128(0xa1);
const ONLUS: Uuid = Uuid::from_u128(0xb2);
const TENANTS: Uuid = Uuid::from_u128(0xc3);
const COMUNE: Uuid = Uuid::from_u128(0xd4);
const COOP: Uuid = Uuid::from_u128(0xe5);
const APS: Uuid = Uuid::from_u128(0xf6);
const USER: Uuid = Uuid::from_u128(0xff);

fn now() -> DateTime<Utc> {
    DateTime::from_timestamp(1_790_000_000, 0).expect("valid time")
}

fn admin(org: Uuid) -> Actor {
    Actor::new([(org, MembershipRole::Admin)])
}

fn partner(organization_id: Uuid, role: PartnerRole) -> Partner {
    Partner {
        organization_id,
        role,
    }
}

/// Owns what [`ProjectFacts`] borrows.
struct World {
    procedure: ProjectProcedure,
    stage: ProjectStage,
    lead: Uuid,
    public_body: Option<Uuid>,
    partners: Vec<Partner>,
    contributors: Vec<Uuid>,
    notice: Option<Notice>,
    notice_opened_at: Option<DateTime<Utc>>,
    applications: Vec<ApplicationFacts>,
    evaluation_minutes: bool,
    table_minutes: bool,
    final_project: bool,
    agreement: Option<Agreement>,
    reported: Vec<Uuid>,
}

impl World {
    /// The Lorenteggio pact: ALER (public housing agency) leads and is the
    /// public body, with the ONLUS and the tenants' group.
    fn lorenteggio() -> Self {
        Self {
            procedure: PattoCollaborazione,
            stage: ProjectStage::Proposal,
            lead: ALER,
            public_body: Some(ALER),
            partners: vec![
                partner(ALER, PartnerRole::Lead),
                partner(ONLUS, PartnerRole::Partner),
                partner(TENANTS, PartnerRole::Partner),
            ],
            contributors: vec![],
            notice: None,
            notice_opened_at: None,
            applications: vec![],
            evaluation_minutes: false,
            table_minutes: false,
            final_project: false,
            agreement: None,
            reported: vec![],
        }
    }

    /// The Quartieri Connessi call: the Comune di Milano publishes the
    /// notice and leads.
    fn quartieri_connessi() -> Self {
        Self {
            procedure: Coprogettazione,
            stage: ProjectStage::PublicNotice,
            lead: COMUNE,
            public_body: Some(COMUNE),
            partners: vec![partner(COMUNE, PartnerRole::Lead)],
            ..Self::lorenteggio()
        }
    }

    fn facts(&self) -> ProjectFacts<'_> {
        ProjectFacts {
            procedure: self.procedure,
            stage: self.stage,
            lead: self.lead,
            public_body: self.public_body,
            partners: &self.partners,
            contributors: &self.contributors,
            notice: self.notice.as_ref(),
            notice_opened_at: self.notice_opened_at,
            applications: &self.applications,
            evaluation_minutes: self.evaluation_minutes,
            table_minutes: self.table_minutes,
            final_project: self.final_project,
            agreement: self.agreement.as_ref(),
            reported: &self.reported,
        }
    }

    fn check(&self, actor: &Actor, to: ProjectStage) -> Result<&'static Transition, Refused> {
        check_transition(&self.facts(), actor, to, now())
    }

    /// Moves the project, asserting the move is allowed.
    fn go(&mut self, actor: &Actor, to: ProjectStage) -> &'static Transition {
        let transition = self
            .check(actor, to)
            .unwrap_or_else(|refused| panic!("{:?} -> {to:?}: {refused}", self.stage));
        self.stage = to;
        transition
    }

    fn refused(&self, actor: &Actor, to: ProjectStage) -> Rule {
        match self.check(actor, to) {
            Ok(_) => panic!("{:?} -> {to:?} should be refused", self.stage),
            Err(refused) => refused.rule,
        }
    }

    /// Every partner approves the latest version of a written agreement.
    fn agree(&mut self, text: &str) {
        let mut agreement = self.agreement.take().unwrap_or_default();
        agreement.write(text, USER, now()).expect("written");
        let version = agreement.latest().map(|v| v.number).expect("a version");
        for p in &self.partners {
            let org = p.organization_id;
            if agreement
                .approvals()
                .iter()
                .any(|a| a.organization_id == org)
            {
                continue;
            }
            agreement
                .approve(version, org, &admin(org), USER, &self.partners, now())
                .expect("approved");
        }
        self.agreement = Some(agreement);
    }
}

#[test]
fn every_procedure_table_is_well_formed() {
    for procedure in ProjectProcedure::ALL {
        let rules = Procedure::of(*procedure);
        assert_eq!(rules.procedure, *procedure);
        let stages = rules.stages();
        // Every transition joins two stages of the procedure, once.
        for (i, t) in rules.transitions.iter().enumerate() {
            assert!(t.from.belongs_to(*procedure), "{t:?}");
            assert!(t.to.belongs_to(*procedure), "{t:?}");
            assert_ne!(t.from, ProjectStage::Closed, "nothing leaves closed");
            assert!(
                !rules.transitions[..i]
                    .iter()
                    .any(|o| o.from == t.from && o.to == t.to),
                "duplicate {t:?}"
            );
            // Forward moves go to the next stage only.
            if !t.is_backward(*procedure) {
                assert_eq!(t.from.next(*procedure), Some(t.to), "{t:?} skips");
            }
        }
        // Every stage but the last moves forward.
        for pair in stages.windows(2) {
            assert!(rules.transition(pair[0], pair[1]).is_some(), "{pair:?}");
        }
        for (_, open) in rules.activities {
            assert!(open.iter().all(|s| s.belongs_to(*procedure)));
        }
        // Signing happens exactly once, on the way to the signing stage.
        let signing: Vec<_> = rules
            .transitions
            .iter()
            .filter(|t| t.effects.contains(&Effect::SignAgreement))
            .collect();
        assert_eq!(signing.len(), 1);
        assert_eq!(signing[0].to, ProjectStage::signing(*procedure));
        assert!(signing[0].guards.contains(&Guard::AllApproved));
    }
    let backward = |rules: &Procedure| -> Vec<(ProjectStage, ProjectStage)> {
        rules
            .transitions
            .iter()
            .filter(|t| t.is_backward(rules.procedure))
            .map(|t| (t.from, t.to))
            .collect()
    };
    use ProjectStage as S;
    assert_eq!(backward(&PATTO), [(S::Review, S::Proposal)]);
    assert_eq!(
        backward(&COPROGETTAZIONE),
        [
            (S::AdmissionCheck, S::Applications),
            (S::Evaluation, S::Applications),
            (S::FinalProject, S::CodesignTable)
        ]
    );
}

#[test]
fn the_lorenteggio_pact_walks_to_closed() {
    use ProjectStage as S;
    let mut w = World::lorenteggio();
    let aler = admin(ALER);
    w.go(&aler, S::Review);
    w.go(&aler, S::CodesignTable);
    w.contributors = vec![ALER, ONLUS, TENANTS];
    w.agree("Riqualificazione delle scale di via Odazio 6 e Apuli 2");
    let signing = w.go(&aler, S::Signed);
    assert_eq!(signing.effects, [Effect::SignAgreement]);
    w.go(&aler, S::Active);
    w.go(&aler, S::Reporting);
    w.reported = vec![TENANTS, ONLUS, ALER];
    w.go(&aler, S::Closed);
    assert_eq!(w.refused(&aler, S::Reporting), Rule::ProjectClosed);
}

#[test]
fn pact_refusals_name_their_rule() {
    use ProjectStage as S;
    let mut w = World::lorenteggio();
    let aler = admin(ALER);
    // Who: a partner that is not the lead, a member who is not admin,
    // an outsider.
    assert_eq!(w.refused(&admin(ONLUS), S::Review), Rule::LeadOnly);
    assert_eq!(
        w.refused(&Actor::new([(ALER, MembershipRole::Member)]), S::Review),
        Rule::AdminOnly
    );
    assert_eq!(w.refused(&admin(COOP), S::Review), Rule::LeadOnly);
    assert_eq!(w.refused(&Actor::default(), S::Review), Rule::LeadOnly);
    // Shape.
    assert_eq!(w.refused(&aler, S::Proposal), Rule::SameStage);
    assert_eq!(w.refused(&aler, S::Signed), Rule::NoSkipping);
    assert_eq!(w.refused(&aler, S::PublicNotice), Rule::StageNotInProcedure);
    assert_eq!(w.refused(&aler, S::Delivery), Rule::StageNotInProcedure);
    // A pact is made with an administration.
    w.public_body = None;
    assert_eq!(w.refused(&aler, S::Review), Rule::PublicBodyMissing);
    w.public_body = Some(ALER);
    w.go(&aler, S::Review);
    // The administration may send the proposal back.
    assert!(w.check(&aler, S::Proposal).is_ok());
    w.go(&aler, S::CodesignTable);
    assert_eq!(w.refused(&aler, S::Review), Rule::NoGoingBack);
    // Signing: contributions first, then approvals of the same version.
    assert_eq!(
        w.refused(&aler, S::Signed),
        Rule::PartnerContributionMissing
    );
    w.contributors = vec![ALER];
    assert_eq!(
        w.refused(&aler, S::Signed),
        Rule::PartnerContributionMissing,
        "the lead's own contribution is not enough"
    );
    w.contributors = vec![ALER, TENANTS];
    assert_eq!(w.refused(&aler, S::Signed), Rule::AgreementMissing);
    w.agree("testo v1");
    // The text changes after the approvals: they are cleared.
    let mut agreement = w.agreement.take().expect("agreement");
    let written = agreement.write("testo v2", USER, now()).expect("written");
    assert_eq!(written.cleared().len(), 3);
    agreement
        .approve(2, ALER, &aler, USER, &w.partners, now())
        .expect("approved");
    w.agreement = Some(agreement);
    assert_eq!(w.refused(&aler, S::Signed), Rule::ApprovalsMissing);
    w.agree("testo v2");
    w.go(&aler, S::Signed);
    assert_eq!(w.refused(&aler, S::CodesignTable), Rule::NoGoingBack);
    w.go(&aler, S::Active);
    w.go(&aler, S::Reporting);
    // Reporting cannot go back.
    assert_eq!(w.refused(&aler, S::Active), Rule::NoGoingBack);
    assert_eq!(w.refused(&aler, S::Signed), Rule::NoGoingBack);
    w.reported = vec![ALER, ONLUS];
    assert_eq!(w.refused(&aler, S::Closed), Rule::ReportsMissing);
    assert_eq!(w.refused(&admin(TENANTS), S::Closed), Rule::LeadOnly);
}

#[test]
fn in_a_pact_led_by_citizens_the_administration_reviews() {
    use ProjectStage as S;
    let mut w = World::lorenteggio();
    w.lead = ONLUS;
    w.partners[0].role = PartnerRole::Partner;
    w.partners[1].role = PartnerRole::Lead;
    w.go(&admin(ONLUS), S::Review);
    assert_eq!(
        w.refused(&admin(ONLUS), S::CodesignTable),
        Rule::PublicBodyOnly
    );
    assert_eq!(w.refused(&admin(ONLUS), S::Proposal), Rule::PublicBodyOnly);
    assert_eq!(
        w.refused(
            &Actor::new([(ALER, MembershipRole::Member)]),
            S::CodesignTable
        ),
        Rule::AdminOnly
    );
    w.go(&admin(ALER), S::CodesignTable);
    // Only the lead (the ONLUS) signs the pact into force.
    w.contributors = vec![ALER];
    w.agree("testo");
    assert_eq!(w.refused(&admin(ALER), S::Signed), Rule::LeadOnly);
    w.go(&admin(ONLUS), S::Signed);
}

fn application(organization_id: Uuid) -> ApplicationFacts {
    ApplicationFacts {
        organization_id,
        admitted: None,
        total: None,
    }
}

#[test]
fn the_quartieri_connessi_call_walks_to_closed() {
    use ProjectStage as S;
    let mut w = World::quartieri_connessi();
    let comune = admin(COMUNE);
    w.notice = Some(quartieri_connessi().validate().expect("valid notice"));
    let publish = w.go(&comune, S::Applications);
    assert_eq!(publish.effects, [Effect::OpenNotice]);
    w.notice_opened_at = Some(now() - Duration::days(20));
    w.applications = vec![application(COOP), application(APS)];
    w.go(&comune, S::AdmissionCheck);
    w.applications[0].admitted = Some(true);
    w.applications[1].admitted = Some(true);
    w.go(&comune, S::Evaluation);
    w.applications[0].total = Some(63);
    w.applications[1].total = Some(43);
    w.evaluation_minutes = true;
    w.go(&comune, S::CodesignTable);
    w.partners.push(partner(COOP, PartnerRole::Partner));
    w.partners.push(partner(APS, PartnerRole::Partner));
    w.partners.push(partner(TENANTS, PartnerRole::Supporter));
    w.contributors = vec![COMUNE, COOP, APS];
    w.table_minutes = true;
    w.go(&comune, S::FinalProject);
    w.final_project = true;
    w.go(&comune, S::Agreement);
    w.agree("Convenzione per i servizi negli spazi ERP");
    let signing = w.go(&comune, S::Delivery);
    assert_eq!(signing.effects, [Effect::SignAgreement]);
    w.go(&comune, S::Reporting);
    w.reported = vec![COMUNE, COOP, APS, TENANTS];
    w.go(&comune, S::Closed);
}

#[test]
fn art55_refusals_name_their_rule() {
    use ProjectStage as S;
    let mut w = World::quartieri_connessi();
    let comune = admin(COMUNE);
    // The notice must be complete before it is published, by the public body.
    assert_eq!(w.refused(&comune, S::Applications), Rule::NoticeIncomplete);
    w.notice = Some(quartieri_connessi().validate().expect("valid notice"));
    assert_eq!(
        w.refused(&admin(COOP), S::Applications),
        Rule::PublicBodyOnly
    );
    assert_eq!(
        w.refused(
            &Actor::new([(COMUNE, MembershipRole::Member)]),
            S::Applications
        ),
        Rule::AdminOnly
    );
    assert_eq!(w.refused(&comune, S::Proposal), Rule::StageNotInProcedure);
    assert_eq!(w.refused(&comune, S::Evaluation), Rule::NoSkipping);
    w.go(&comune, S::Applications);
    // At least 20 days open.
    w.notice_opened_at = Some(now() - Duration::days(20) + Duration::seconds(1));
    assert_eq!(
        w.refused(&comune, S::AdmissionCheck),
        Rule::NoticeMinOpenDays
    );
    w.notice_opened_at = None;
    assert_eq!(
        w.refused(&comune, S::AdmissionCheck),
        Rule::NoticeMinOpenDays
    );
    w.notice_opened_at = Some(now() - Duration::days(20));
    assert_eq!(w.refused(&comune, S::AdmissionCheck), Rule::NoApplications);
    assert_eq!(w.refused(&comune, S::PublicNotice), Rule::NoGoingBack);
    w.applications = vec![application(COOP), application(APS)];
    w.go(&comune, S::AdmissionCheck);
    // Every application decided; at least one admitted.
    assert_eq!(
        w.refused(&comune, S::Evaluation),
        Rule::ApplicationsUnchecked
    );
    assert_eq!(
        w.refused(&comune, S::Applications),
        Rule::ApplicationsUnchecked
    );
    w.applications[0].admitted = Some(false);
    w.applications[1].admitted = Some(false);
    assert_eq!(
        w.refused(&comune, S::Evaluation),
        Rule::NoAdmittedApplication
    );
    // No admissible application: the notice is reopened.
    let reopen = w.check(&comune, S::Applications).expect("reopen");
    assert_eq!(reopen.effects, [Effect::OpenNotice]);
    w.applications[1].admitted = Some(true);
    assert_eq!(
        w.refused(&comune, S::Applications),
        Rule::AdmissibleApplicationExists
    );
    w.go(&comune, S::Evaluation);
    // Scores, minutes, and an application above the notice's minimum (40).
    assert_eq!(w.refused(&comune, S::CodesignTable), Rule::ScoresMissing);
    assert_eq!(w.refused(&comune, S::Applications), Rule::ScoresMissing);
    w.applications[1].total = Some(35);
    assert_eq!(
        w.refused(&comune, S::CodesignTable),
        Rule::EvaluationMinutesMissing
    );
    w.evaluation_minutes = true;
    assert_eq!(
        w.refused(&comune, S::CodesignTable),
        Rule::NoAdmittedApplication
    );
    assert!(
        w.check(&comune, S::Applications).is_ok(),
        "below the minimum: reopen"
    );
    w.applications[1].total = Some(43);
    assert_eq!(
        w.refused(&comune, S::Applications),
        Rule::AdmissibleApplicationExists
    );
    assert_eq!(w.refused(&comune, S::AdmissionCheck), Rule::NoGoingBack);
    w.go(&comune, S::CodesignTable);
    // The table: minutes, a partner's contribution.
    w.partners.push(partner(APS, PartnerRole::Partner));
    assert_eq!(w.refused(&admin(APS), S::FinalProject), Rule::LeadOnly);
    assert_eq!(
        w.refused(&comune, S::FinalProject),
        Rule::TableMinutesMissing
    );
    w.table_minutes = true;
    assert_eq!(
        w.refused(&comune, S::FinalProject),
        Rule::PartnerContributionMissing
    );
    w.contributors = vec![APS];
    w.go(&comune, S::FinalProject);
    assert_eq!(w.refused(&comune, S::Agreement), Rule::FinalProjectMissing);
    // Back to the table is allowed from the final project.
    assert!(w.check(&comune, S::CodesignTable).is_ok());
    w.final_project = true;
    w.go(&comune, S::Agreement);
    assert_eq!(w.refused(&comune, S::Delivery), Rule::AgreementMissing);
    let mut agreement = Agreement::new();
    agreement
        .write("Convenzione", USER, now())
        .expect("written");
    agreement
        .approve(1, COMUNE, &comune, USER, &w.partners, now())
        .expect("approved");
    w.agreement = Some(agreement);
    assert_eq!(w.refused(&comune, S::Delivery), Rule::ApprovalsMissing);
    assert_eq!(w.refused(&comune, S::FinalProject), Rule::NoGoingBack);
    w.agree("Convenzione");
    w.go(&comune, S::Delivery);
    assert_eq!(w.refused(&comune, S::Agreement), Rule::NoGoingBack);
    assert_eq!(w.refused(&comune, S::Closed), Rule::NoSkipping);
    w.go(&comune, S::Reporting);
    assert_eq!(w.refused(&comune, S::Delivery), Rule::NoGoingBack);
    w.reported = vec![COMUNE];
    assert_eq!(w.refused(&comune, S::Closed), Rule::ReportsMissing);
    w.reported.push(APS);
    w.go(&comune, S::Closed);
    assert_eq!(w.refused(&comune, S::Reporting), Rule::ProjectClosed);
}

#[test]
fn activities_are_open_in_their_stages_only() {
    use ProjectStage as S;
    let cases: &[(ProjectProcedure, S, Activity, Result<(), Rule>)] = &[
        (
            PattoCollaborazione,
            S::CodesignTable,
            Activity::Agreement,
            Ok(()),
        ),
        (
            PattoCollaborazione,
            S::Signed,
            Activity::Agreement,
            Err(Rule::AgreementNotOpen),
        ),
        (
            PattoCollaborazione,
            S::Review,
            Activity::JoinProject,
            Ok(()),
        ),
        (
            PattoCollaborazione,
            S::Active,
            Activity::JoinProject,
            Err(Rule::PartnersFrozen),
        ),
        (
            PattoCollaborazione,
            S::Proposal,
            Activity::Contributions,
            Ok(()),
        ),
        (
            PattoCollaborazione,
            S::Signed,
            Activity::Contributions,
            Err(Rule::ContributionsFrozen),
        ),
        (PattoCollaborazione, S::Reporting, Activity::Report, Ok(())),
        (
            PattoCollaborazione,
            S::Active,
            Activity::Report,
            Err(Rule::ReportingNotOpen),
        ),
        (
            PattoCollaborazione,
            S::Review,
            Activity::Apply,
            Err(Rule::ApplicationsClosed),
        ),
        (
            PattoCollaborazione,
            S::Evaluation,
            Activity::Score,
            Err(Rule::StageNotInProcedure),
        ),
        (Coprogettazione, S::Applications, Activity::Apply, Ok(())),
        (
            Coprogettazione,
            S::PublicNotice,
            Activity::Apply,
            Err(Rule::ApplicationsClosed),
        ),
        (
            Coprogettazione,
            S::AdmissionCheck,
            Activity::Apply,
            Err(Rule::ApplicationsClosed),
        ),
        (
            Coprogettazione,
            S::AdmissionCheck,
            Activity::DecideAdmission,
            Ok(()),
        ),
        (
            Coprogettazione,
            S::Evaluation,
            Activity::DecideAdmission,
            Err(Rule::AdmissionNotOpen),
        ),
        (Coprogettazione, S::Evaluation, Activity::Score, Ok(())),
        (
            Coprogettazione,
            S::CodesignTable,
            Activity::Score,
            Err(Rule::EvaluationNotOpen),
        ),
        (Coprogettazione, S::FinalProject, Activity::Table, Ok(())),
        (
            Coprogettazione,
            S::Agreement,
            Activity::Table,
            Err(Rule::TableNotOpen),
        ),
        (Coprogettazione, S::Agreement, Activity::Agreement, Ok(())),
        (
            Coprogettazione,
            S::CodesignTable,
            Activity::Agreement,
            Err(Rule::AgreementNotOpen),
        ),
        (
            Coprogettazione,
            S::Delivery,
            Activity::Agreement,
            Err(Rule::AgreementNotOpen),
        ),
        (
            Coprogettazione,
            S::PublicNotice,
            Activity::JoinProject,
            Err(Rule::PartnersFrozen),
        ),
        (
            Coprogettazione,
            S::Delivery,
            Activity::JoinProject,
            Err(Rule::PartnersFrozen),
        ),
        (
            Coprogettazione,
            S::Delivery,
            Activity::Contributions,
            Err(Rule::ContributionsFrozen),
        ),
        (Coprogettazione, S::Reporting, Activity::Report, Ok(())),
        (
            Coprogettazione,
            S::Closed,
            Activity::Report,
            Err(Rule::ReportingNotOpen),
        ),
    ];
    for (procedure, stage, activity, expected) in cases {
        assert_eq!(
            Procedure::of(*procedure)
                .check_activity(*stage, *activity)
                .map_err(|r| r.rule),
            *expected,
            "{procedure:?} {stage:?} {activity:?}"
        );
    }
}

#[test]
fn next_steps_say_what_blocks_them() {
    use ProjectStage as S;
    let mut w = World::quartieri_connessi();
    w.stage = S::AdmissionCheck;
    w.notice = Some(quartieri_connessi().validate().expect("valid notice"));
    w.applications = vec![application(COOP)];
    let steps = next_steps(&w.facts(), &admin(COMUNE), now());
    let summary: Vec<(S, Option<Rule>)> = steps
        .iter()
        .map(|s| (s.transition.to, s.blocked_by))
        .collect();
    assert_eq!(
        summary,
        [
            (S::Evaluation, Some(Rule::ApplicationsUnchecked)),
            (S::Applications, Some(Rule::ApplicationsUnchecked)),
        ]
    );
    w.applications[0].admitted = Some(true);
    let steps = next_steps(&w.facts(), &admin(COMUNE), now());
    assert_eq!(steps[0].blocked_by, None);
    assert_eq!(steps[1].blocked_by, Some(Rule::AdmissibleApplicationExists));
    // An outsider is told only that it may not act.
    let steps = next_steps(&w.facts(), &admin(COOP), now());
    assert!(
        steps
            .iter()
            .all(|s| s.blocked_by == Some(Rule::PublicBodyOnly))
    );
    w.stage = S::Closed;
    assert!(next_steps(&w.facts(), &admin(COMUNE), now()).is_empty());
}
