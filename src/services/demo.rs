//! The demo's accounts as data (who they are, the shared password) and
//! whether they are loaded: the sign-in page lists them only then. Loading
//! them is [`crate::seed::demo_accounts`]'s.

use sea_orm::DatabaseConnection;
use serde::Serialize;

use crate::error::AppError;
use crate::store;

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

pub const DEMO_ACCOUNTS: [DemoAccount; 6] = [
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
        email: "onlus@example.org",
        password: DEMO_PASSWORD,
        display_name: "Chiara Galli (Ripuliamo il Quartiere)",
        role: RoleLabel {
            it: "Coordinatrice di una ONLUS",
            en: "ONLUS coordinator",
        },
        organization: "Ripuliamo il Quartiere ONLUS",
        organization_tax_code: Some("96971753502"),
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

/// Whether the demo accounts exist: the sign-in page lists them only then.
pub async fn loaded(db: &DatabaseConnection) -> Result<bool, AppError> {
    Ok(
        store::accounts::find_active_by_email(db, DEMO_ACCOUNTS[0].email)
            .await?
            .is_some(),
    )
}
