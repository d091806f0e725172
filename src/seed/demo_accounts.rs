//! The demo's accounts, so that a newcomer can sign in at once: an ALER
//! officer, a municipal officer, a co-operative's admin, the coordinator of
//! the Lorenteggio clean-up ONLUS, a foundation's admin (each an admin of its
//! demo organisation) and a platform moderator. Their
//! addresses are at `example.org` (reserved: no real mailbox) and they share
//! one password, listed in the README and, only when the demo is loaded, on
//! the sign-in page. Loading twice changes nothing.

use anyhow::Context;
use sea_orm::DatabaseConnection;

use crate::domain::{Lang, MembershipRole};
use crate::policy::guards::Limits;
pub use crate::services::demo::{DEMO_ACCOUNTS, DEMO_PASSWORD, DemoAccount, RoleLabel, loaded};
use crate::services::{accounts, new_id, now, organizations};
use crate::store;

/// Creates the demo accounts that are missing, with a confirmed address, and
/// makes each an admin of its organisation. Fails when a demo organisation is
/// missing (load the stories first) or on database errors.
pub async fn load(db: &DatabaseConnection) -> anyhow::Result<usize> {
    let limits = Limits::platform_task();
    let mut added = 0;
    for account in DEMO_ACCOUNTS {
        let user = match store::accounts::find_active_by_email(db, account.email).await? {
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
            let member = store::memberships::find(db, organization.id, user.id).await?;
            if member.is_none() {
                store::memberships::insert(
                    db,
                    new_id(),
                    organization.id,
                    user.id,
                    MembershipRole::Admin,
                    now(),
                )
                .await?;
            }
        }
    }
    Ok(added)
}
