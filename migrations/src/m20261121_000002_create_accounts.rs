//! Accounts: users, their sign-in sessions and single-use e-mail tokens.

use sea_orm_migration::{prelude::*, schema::*};

use crate::common::{
    EMAIL_LEN, NAME_LEN, TOKEN_HASH_LEN, closed_list, closed_list_default, create_indexes,
    created_at, deleted_at, drop_tables, flag, foreign_key, id, index, unique_index, updated_at,
};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Users::Table)
                    .col(id())
                    .col(string_len(Users::Email, EMAIL_LEN))
                    .col(string_len(Users::DisplayName, NAME_LEN))
                    .col(string_len_null(Users::PasswordHash, NAME_LEN))
                    .col(timestamp_with_time_zone_null(Users::EmailVerifiedAt))
                    .col(flag(Users::IsModerator, false))
                    .col(closed_list_default(Users::Locale, "it"))
                    .col(created_at())
                    .col(updated_at())
                    .col(deleted_at())
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(AuthSessions::Table)
                    .col(id())
                    .col(uuid(AuthSessions::UserId))
                    .col(string_len(AuthSessions::TokenHash, TOKEN_HASH_LEN))
                    .col(created_at())
                    .col(timestamp_with_time_zone(AuthSessions::ExpiresAt))
                    .col(timestamp_with_time_zone_null(AuthSessions::RevokedAt))
                    .col(timestamp_with_time_zone_null(AuthSessions::LastUsedAt))
                    .foreign_key(&mut foreign_key(
                        AuthSessions::Table,
                        AuthSessions::UserId,
                        Users::Table,
                        Users::Id,
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(EmailTokens::Table)
                    .col(id())
                    .col(uuid(EmailTokens::UserId))
                    .col(closed_list(EmailTokens::Purpose))
                    .col(string_len(EmailTokens::TokenHash, TOKEN_HASH_LEN))
                    .col(created_at())
                    .col(timestamp_with_time_zone(EmailTokens::ExpiresAt))
                    .col(timestamp_with_time_zone_null(EmailTokens::UsedAt))
                    .foreign_key(&mut foreign_key(
                        EmailTokens::Table,
                        EmailTokens::UserId,
                        Users::Table,
                        Users::Id,
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;

        create_indexes(
            manager,
            [
                // The domain lower-cases e-mail addresses before they get here.
                unique_index(Users::Table, [Users::Email]),
                unique_index(AuthSessions::Table, [AuthSessions::TokenHash]),
                index(AuthSessions::Table, [AuthSessions::UserId]),
                unique_index(EmailTokens::Table, [EmailTokens::TokenHash]),
                index(EmailTokens::Table, [EmailTokens::UserId]),
            ],
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(
            manager,
            [
                EmailTokens::Table.into_iden(),
                AuthSessions::Table.into_iden(),
                Users::Table.into_iden(),
            ],
        )
        .await
    }
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
    Email,
    DisplayName,
    PasswordHash,
    EmailVerifiedAt,
    IsModerator,
    Locale,
}

#[derive(DeriveIden)]
enum AuthSessions {
    Table,
    UserId,
    TokenHash,
    ExpiresAt,
    RevokedAt,
    LastUsedAt,
}

#[derive(DeriveIden)]
enum EmailTokens {
    Table,
    UserId,
    Purpose,
    TokenHash,
    ExpiresAt,
    UsedAt,
}
