//! Co-design: the projects that partnerships open, their partners, stages,
//! contributions, documents and approvals.
//!
//! What exists today is the start of a project and what is reported about
//! it: a match both sides take to a partnership opens the need's project
//! (or joins the one already open) with the offer's organisation as a
//! partner ([`projects::open_for_partnership`]), the demo loads signed
//! pacts as rows ([`projects::record_signed_pact`]; no service signs
//! projects yet), and digests tell partners what happened in their projects
//! ([`activity`]). The rows are written and read through
//! [`crate::store::projects`]. A signed pact is printed as a PDF by
//! [`pdf`]. Services call this module; it calls only the store, the
//! domain and the templates.

pub mod activity;
pub mod pdf;
pub mod projects;
pub mod workspace;
