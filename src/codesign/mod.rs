//! Co-design: the projects that partnerships open, their partners, stages,
//! contributions, documents and approvals.
//!
//! A project starts when a partnership opens it (both sides consented) or
//! when the need's organisation opens it ([`projects`]); its workspace
//! (partners, invitations, contributions, stages, the agreement's versions
//! and approvals, milestones, reports, and for art. 55 the notice,
//! applications and minutes) is loaded as the rules of
//! [`crate::domain::codesign`] read it by [`workspace`]; the use-cases that
//! change it are [`crate::services::projects`]. The demo loads signed
//! pacts as rows ([`projects::record_signed_pact`]), and digests tell
//! partners what happened in their projects ([`activity`]). The rows are
//! written and read through [`crate::store::projects`]. A signed pact is
//! printed as a PDF by [`pdf`]. Services call this module; it calls only
//! the store, the domain and the templates.

pub mod activity;
pub mod pdf;
pub mod projects;
pub mod workspace;
