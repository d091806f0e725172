//! Matches between a need and an offer, with each side's status, and the feedback on them.

use sea_orm_migration::{prelude::*, schema::*};

use crate::common::{
    closed_list, closed_list_default, create_indexes, created_at, drop_tables, foreign_key, id,
    index, json_doc, unique_index, updated_at,
};
use crate::refs::{Needs, Offers, Organizations, Users};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Matches::Table)
                    .col(id())
                    .col(uuid(Matches::NeedId))
                    .col(uuid(Matches::OfferId))
                    .col(double(Matches::Score))
                    .col(json_doc(Matches::Reasons))
                    .col(closed_list_default(Matches::NeedSideStatus, "suggested"))
                    .col(closed_list_default(Matches::OfferSideStatus, "suggested"))
                    // A digest of both sides' content: a new value means "look again".
                    .col(string_len(Matches::ContentFingerprint, 128))
                    .col(timestamp_with_time_zone(Matches::ComputedAt))
                    .col(created_at())
                    .col(updated_at())
                    .foreign_key(&mut foreign_key(
                        Matches::Table,
                        Matches::NeedId,
                        Needs::Table,
                        Needs::Id,
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut foreign_key(
                        Matches::Table,
                        Matches::OfferId,
                        Offers::Table,
                        Offers::Id,
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(MatchFeedback::Table)
                    .col(id())
                    .col(uuid(MatchFeedback::MatchId))
                    .col(uuid_null(MatchFeedback::UserId))
                    .col(uuid_null(MatchFeedback::OrganizationId))
                    .col(closed_list(MatchFeedback::Verdict))
                    .col(closed_list(MatchFeedback::Source))
                    .col(created_at())
                    .foreign_key(&mut foreign_key(
                        MatchFeedback::Table,
                        MatchFeedback::MatchId,
                        Matches::Table,
                        Matches::Id,
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut foreign_key(
                        MatchFeedback::Table,
                        MatchFeedback::UserId,
                        Users::Table,
                        Users::Id,
                        ForeignKeyAction::SetNull,
                    ))
                    .foreign_key(&mut foreign_key(
                        MatchFeedback::Table,
                        MatchFeedback::OrganizationId,
                        Organizations::Table,
                        Organizations::Id,
                        ForeignKeyAction::SetNull,
                    ))
                    .to_owned(),
            )
            .await?;

        create_indexes(
            manager,
            [
                // Also serves the foreign key on need_id.
                unique_index(Matches::Table, [Matches::NeedId, Matches::OfferId]),
                index(Matches::Table, [Matches::OfferId]),
                index(MatchFeedback::Table, [MatchFeedback::MatchId]),
                index(MatchFeedback::Table, [MatchFeedback::UserId]),
                index(MatchFeedback::Table, [MatchFeedback::OrganizationId]),
            ],
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(
            manager,
            [MatchFeedback::Table.into_iden(), Matches::Table.into_iden()],
        )
        .await
    }
}

#[derive(DeriveIden)]
enum Matches {
    Table,
    Id,
    NeedId,
    OfferId,
    Score,
    Reasons,
    NeedSideStatus,
    OfferSideStatus,
    ContentFingerprint,
    ComputedAt,
}

#[derive(DeriveIden)]
enum MatchFeedback {
    Table,
    MatchId,
    UserId,
    OrganizationId,
    Verdict,
    Source,
}
