//! Matches between needs and offers: computing and keeping them (the
//! `matches` table follows every change through the `refresh_matches` job),
//! listing them, the lifecycle each side moves them through (suggested →
//! interested / dismissed → in contact → partnership, which opens a
//! co-design project), feedback for tuning, suggested partners and the
//! multi-party partner set.
//!
//! # Keeping the table right
//!
//! Refreshing a need takes its candidates from the search index, adds the
//! offers it is already matched with, scores every pair
//! ([`crate::matching`]) and writes the result: new pairs are inserted as
//! `suggested` on both sides, kept pairs get their new score and reasons,
//! pairs no longer proposed are deleted unless someone acted on them
//! (interested, in contact, partnership), which are kept as history. An
//! offer is refreshed the same way from its side. Scores depend on the two
//! sides alone, so the table does not depend on the order of refreshes, and
//! `trama match --all` ([`recompute_all`]) yields what incremental refreshes
//! yield. A dismissed side stays dismissed until the pair's content
//! fingerprint changes (either side edited what it says).
//!
//! # The folder
//!
//! One file per job: `refresh` (the engine that keeps the table right),
//! `listing` (reading matches and their sides), `lifecycle` (the statuses
//! each side moves a match through, and feedback), `partners` (suggested
//! partners and the multi-party partner set), `through_partner` (offers a
//! need receives through a partner the offer admits, computed on request),
//! `preferences` (an organisation's verdicts moving similar proposals in
//! its lists). Opening a co-design project
//! from a partnership is [`crate::codesign`]'s. Their queries and writes
//! are [`crate::store::matches`].

mod lifecycle;
mod listing;
mod partners;
mod preferences;
mod refresh;
mod through_partner;

use crate::matching::Reason;
use crate::store::entities::matches;

pub use self::lifecycle::{
    Partnership, PartnershipProposal, StatusChange, record_feedback, set_status,
};
pub use self::listing::{count, get, list};
pub use self::partners::{PartnerSuggestion, partner_set, suggested_partners};
pub use self::preferences::apply as apply_preferences;
pub use self::refresh::{Engine, concurrency, recompute_all};
pub use self::through_partner::PartnerRoute;

/// Candidates taken from the index for one need or offer.
pub const CANDIDATES: usize = 300;

/// Which side of a match.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum MatchSide {
    Need,
    Offer,
}

/// What a refresh changed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RefreshReport {
    pub inserted: u64,
    pub updated: u64,
    pub deleted: u64,
    /// Pairs proposed after the refresh.
    pub proposed: u64,
}

crate::services::add_counts!(RefreshReport {
    inserted,
    updated,
    deleted,
    proposed
});

/// The reasons stored with a match, read back. Rows written by an older
/// version whose reasons no longer parse read as none (and are logged).
pub fn reasons_of(row: &matches::Model) -> Vec<Reason> {
    match serde_json::from_value(row.reasons.clone()) {
        Ok(reasons) => reasons,
        Err(error) => {
            tracing::warn!(match_id = %row.id, %error, "stored match reasons do not parse");
            Vec::new()
        }
    }
}
