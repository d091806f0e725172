//! The demo's accounts, so that a newcomer can sign in at once: an ALER
//! officer, a municipal officer, a co-operative's admin, a foundation's admin
//! (each an admin of its demo organisation) and a platform moderator. Their
//! addresses are at `example.org` (reserved: no real mailbox) and they share
//! one password, listed in the README and, only when the demo is loaded, on
//! the sign-in page. Loading twice changes nothing.

use anyhow::Context;
use sea_orm::{ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, Set};
use serde::Serialize;

use crate::domain::{Lang, MembershipRole};
use crate::policy::guards::Limits;
use crate::services::{accounts, new_id, now, organizations};
use crate::store::entities::{memberships, users};

/// The password of every demo account.
pub const DEMO_PASSWORD: &str = "trama-demo-2026";

#[derive(Clone, Copy, Debug, Serialize)]
pub struct RoleLabel {
    pub it: &'static str,
    pub en: &'static str,
}

/// One demo account, as the sign-in page lists it.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct DemoAccount {
    pub email: &'static str,
    pub password: &'static str,
    #[serde(skip)]
    pub display_name: &'static str,
    pub role: RoleLabel,
    /// The demo organisation's name (empty for the moderator).
    pub organization: &'static str,
    #[serde(skip)]
    pub organization_tax_code: Option<&'static str>,
    #[serde(skip)]
    pub moderator: bool,
}

pub const DEMO_ACCOUNTS: [DemoAccount; 5] = [
    DemoAccount {
        email: "aler@example.org",
        password: DEMO_PASSWORD,
        display_name: "Giulia Ferrari (ALER)",
        role: RoleLabel {
            it: "Funzionaria ALER",
            en: "ALER officer",
        },
        organization: "ALER Milano",
        organization_tax_code: Some("01349670156"),
        moderator: false,
    },
    DemoAccount {
        email: "comune@example.org",
        password: DEMO_PASSWORD,
        display_name: "Marco Colombo (Comune)",
        role: RoleLabel {
            it: "Funzionario comunale",
            en: "Municipal officer",
        },
        organization: "Comune di Milano",
        organization_tax_code: Some("01199250158"),
        moderator: false,
    },
    DemoAccount {
        email: "cooperativa@example.org",
        password: DEMO_PASSWORD,
        display_name: "Sara Rossi (Portinerie di Comunità)",
        role: RoleLabel {
            it: "Amministratrice di cooperativa",
            en: "Co-operative admin",
        },
        organization: "Portinerie di Comunità Società Cooperativa Sociale",
        organization_tax_code: Some("95745878934"),
        moderator: false,
    },
    DemoAccount {
        email: "fondazione@example.org",
        password: DEMO_PASSWORD,
        display_name: "Luca Bianchi (Fondazione)",
        role: RoleLabel {
            it: "Referente di fondazione",
            en: "Foundation officer",
        },
        organization: "Fondazione di Comunità Milano Sud",
        organization_tax_code: Some("93169074890"),
        moderator: false,
    },
    DemoAccount {
        email: "moderatore@example.org",
        password: DEMO_PASSWORD,
        display_name: "Elena Greco (moderazione)",
        role: RoleLabel {
            it: "Moderatrice della piattaforma",
            en: "Platform moderator",
        },
        organization: "",
        organization_tax_code: None,
        moderator: true,
    },
];

/// Creates the demo accounts that are missing, with a confirmed address, and
/// makes each an admin of its organisation. Fails when a demo organisation is
/// missing (load the stories first) or on database errors.
pub async fn load(db: &DatabaseConnection) -> anyhow::Result<usize> {
    let limits = Limits::platform_task();
    let mut added = 0;
    for account in DEMO_ACCOUNTS {
        let user = match find_user(db, account.email).await? {
            Some(user) => user,
            None => {
                let registered = accounts::register(
                    db,
                    &limits,
                    account.email,
                    account.display_name,
                    account.password,
                    Lang::It,
                )
                .await
                .with_context(|| format!("demo account {}", account.email))?;
                accounts::verify_email(db, &registered.verification_token)
                    .await
                    .with_context(|| format!("demo account {}", account.email))?;
                added += 1;
                registered.user
            }
        };
        if account.moderator && !user.is_moderator {
            accounts::set_moderator(db, account.email, true).await?;
        }
        if let Some(tax_code) = account.organization_tax_code {
            let organization = organizations::find_by_tax_code(db, tax_code)
                .await?
                .with_context(|| format!("demo organisation {tax_code} is missing"))?;
            let member = memberships::Entity::find()
                .filter(memberships::Column::UserId.eq(user.id))
                .filter(memberships::Column::OrganizationId.eq(organization.id))
                .one(db)
                .await?;
            if member.is_none() {
                let at = now();
                memberships::ActiveModel {
                    id: Set(new_id()),
                    user_id: Set(user.id),
                    organization_id: Set(organization.id),
                    role: Set(MembershipRole::Admin.as_str().to_owned()),
                    created_at: Set(at),
                    updated_at: Set(at),
                }
                .insert(db)
                .await?;
            }
        }
    }
    Ok(added)
}

/// Whether the demo accounts exist: the sign-in page lists them only then.
pub async fn loaded(db: &DatabaseConnection) -> anyhow::Result<bool> {
    Ok(find_user(db, DEMO_ACCOUNTS[0].email).await?.is_some())
}

async fn find_user(db: &DatabaseConnection, email: &str) -> anyhow::Result<Option<users::Model>> {
    Ok(users::Entity::find()
        .filter(users::Column::Email.eq(email))
        .filter(users::Column::DeletedAt.is_null())
        .one(db)
        .await?)
}
