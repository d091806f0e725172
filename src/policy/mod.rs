//! Who may see what, and how often an operation may be tried: the policy
//! every reader and every guarded use-case asks, decided here and nowhere else.
//!
//! - [`visibility`]: which records, fields and matches a reader may see
//!   (drafts, hidden records, exact locations, contacts, members, dismissed
//!   matches). GraphQL, search documents, open data, digests and live updates
//!   all ask it.
//! - [`conversations`]: who reads and writes a conversation (its parties'
//!   members only).
//! - [`rate_limit`]: the limits on operations attackers repeat.

pub mod conversations;
pub mod guards;
pub mod rate_limit;
pub mod visibility;
