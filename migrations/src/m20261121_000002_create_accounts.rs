//! Accounts: users, their sign-in sessions and single-use e-mail tokens.

use sea_orm_migration::{prelude::*, schema::*};

use crate::common::{
    EMAIL_LEN, NAME_LEN, TOKEN_HASH_LEN, TableExt, closed_list, closed_list_default, created_at,
    deleted_at, flag, index, table_with_id, tables_migration, unique_index,
};
use crate::refs::{AuthSessions, EmailTokens, Users};

tables_migration!();

/// The tables, parents first.
fn tables() -> Vec<TableCreateStatement> {
    vec![
        table_with_id(Users::Table)
            .col(string_len(Users::Email, EMAIL_LEN))
            .col(string_len(Users::DisplayName, NAME_LEN))
            .col(string_len_null(Users::PasswordHash, NAME_LEN))
            .col(timestamp_with_time_zone_null(Users::EmailVerifiedAt))
            .col(flag(Users::IsModerator, false))
            .col(closed_list_default(Users::Locale, "it"))
            .timestamps()
            .col(deleted_at())
            .to_owned(),
        table_with_id(AuthSessions::Table)
            .references_cascade(uuid(AuthSessions::UserId), Users::Table)
            .col(string_len(AuthSessions::TokenHash, TOKEN_HASH_LEN))
            .col(created_at())
            .col(timestamp_with_time_zone(AuthSessions::ExpiresAt))
            .col(timestamp_with_time_zone_null(AuthSessions::RevokedAt))
            .col(timestamp_with_time_zone_null(AuthSessions::LastUsedAt))
            .to_owned(),
        table_with_id(EmailTokens::Table)
            .references_cascade(uuid(EmailTokens::UserId), Users::Table)
            .col(closed_list(EmailTokens::Purpose))
            .col(string_len(EmailTokens::TokenHash, TOKEN_HASH_LEN))
            .col(created_at())
            .col(timestamp_with_time_zone(EmailTokens::ExpiresAt))
            .col(timestamp_with_time_zone_null(EmailTokens::UsedAt))
            .to_owned(),
    ]
}

/// The indexes of those tables.
fn indexes() -> Vec<IndexCreateStatement> {
    vec![
        // The domain lower-cases e-mail addresses before they get here.
        unique_index(Users::Table, [Users::Email]),
        unique_index(AuthSessions::Table, [AuthSessions::TokenHash]),
        index(AuthSessions::Table, [AuthSessions::UserId]),
        unique_index(EmailTokens::Table, [EmailTokens::TokenHash]),
        index(EmailTokens::Table, [EmailTokens::UserId]),
    ]
}
