//! Matches between a need and an offer, with each side's status, and the feedback on them.

use sea_orm_migration::{prelude::*, schema::*};

use crate::common::{
    TableExt, closed_list, closed_list_default, created_at, index, json_doc, table_with_id,
    tables_migration, unique_index,
};
use crate::refs::{MatchFeedback, Matches, Needs, Offers, Organizations, Users};

tables_migration!();

/// The tables, parents first.
fn tables() -> Vec<TableCreateStatement> {
    vec![
        table_with_id(Matches::Table)
            .references_cascade(uuid(Matches::NeedId), Needs::Table)
            .references_cascade(uuid(Matches::OfferId), Offers::Table)
            .col(double(Matches::Score))
            .col(json_doc(Matches::Reasons))
            .col(closed_list_default(Matches::NeedSideStatus, "suggested"))
            .col(closed_list_default(Matches::OfferSideStatus, "suggested"))
            // A digest of both sides' content: a new value means "look again".
            .col(string_len(Matches::ContentFingerprint, 128))
            .col(timestamp_with_time_zone(Matches::ComputedAt))
            .timestamps()
            .to_owned(),
        table_with_id(MatchFeedback::Table)
            .references_cascade(uuid(MatchFeedback::MatchId), Matches::Table)
            .references_set_null(uuid_null(MatchFeedback::UserId), Users::Table)
            .references_set_null(
                uuid_null(MatchFeedback::OrganizationId),
                Organizations::Table,
            )
            .col(closed_list(MatchFeedback::Verdict))
            .col(closed_list(MatchFeedback::Source))
            .col(created_at())
            .to_owned(),
    ]
}

/// The indexes of those tables.
fn indexes() -> Vec<IndexCreateStatement> {
    vec![
        // Also serves the foreign key on need_id.
        unique_index(Matches::Table, [Matches::NeedId, Matches::OfferId]),
        index(Matches::Table, [Matches::OfferId]),
        index(MatchFeedback::Table, [MatchFeedback::MatchId]),
        index(MatchFeedback::Table, [MatchFeedback::UserId]),
        index(MatchFeedback::Table, [MatchFeedback::OrganizationId]),
    ]
}
