//! The rules of co-design, pure (no I/O): the procedures (patto di
//! collaborazione, art. 55 co-progettazione) as tables of transitions with
//! who may take them and their guards, the eligibility of partners, the
//! agreement's versions, approvals and signature, and the art. 55 notice
//! and evaluation. The services load a project's facts, call these rules
//! and store what they decide.
//!
//! - [`rule`]: every rule's stable code and sentences; [`Refused`] names
//!   the rule that refused an action;
//! - [`parties`]: current partners, the acting person ([`Actor`]) and who
//!   an action asks for ([`Who`]);
//! - [`procedure`]: the tables ([`Procedure::of`]), [`check_transition`],
//!   [`next_steps`] and the stages in which each [`Activity`] is open;
//! - [`eligibility`]: who may hold which [`crate::domain::PartnerRole`];
//! - [`agreement`]: versions, approvals, signing and the content hash;
//! - [`evaluation`]: the art. 55 notice, scores and ranking.

pub mod agreement;
pub mod eligibility;
pub mod evaluation;
pub mod parties;
pub mod procedure;
pub mod rule;

pub use agreement::{Agreement, Approval, Signature, Version, Written};
pub use eligibility::{Candidate, allowed_roles, check_join, check_role};
pub use evaluation::{Criterion, CriterionInput, Notice, NoticeInput, Ranked, Scorecard, rank};
pub use parties::{Actor, Partner, Who};
pub use procedure::{
    Activity, ApplicationFacts, Effect, Guard, NextStep, Procedure, ProjectFacts, Transition,
    check_transition, next_steps,
};
pub use rule::{Refused, Rule};
