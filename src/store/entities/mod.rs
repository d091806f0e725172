//! sea-orm entities, one module per table of `docs/data-model.md` (named after the table).
//!
//! Closed lists are typed with the enums of `crate::domain` (`Option<_>` where the column is
//! nullable); the columns hold their snake_case value as text (see [`stored_enums`]). JSON columns are
//! [`sea_orm::prelude::Json`] (`serde_json::Value`), ids are [`uuid::Uuid`], instants
//! are `DateTimeUtc` and days are `Date` (`chrono::NaiveDate`).
//!
//! On SQLite a `Uuid` is stored as a 16-byte BLOB (sqlx's encoding), JSON as text and
//! instants as RFC 3339 text; raw SQL must bind ids as `Uuid` values, never as strings.

/// A link table: the id of its owner and a key pointing at `$target` (both the primary key),
/// the row going with the target (`on_delete = "Cascade"`). One module a table, as if written out.
macro_rules! link_entity {
    ($(#[$doc:meta])* $module:ident = $table:tt { $owner:ident, $key:ident: $key_ty:tt }
     $relation:ident => $target:ident ($belongs:tt, $from:tt, $to:tt)) => {
        $(#[$doc])*
        pub mod $module {
            use sea_orm::entity::prelude::*;

            #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
            #[sea_orm(table_name = $table)]
            pub struct Model {
                #[sea_orm(primary_key, auto_increment = false)]
                pub $owner: Uuid,
                #[sea_orm(primary_key, auto_increment = false)]
                pub $key: $key_ty,
            }

            #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
            pub enum Relation {
                #[sea_orm(belongs_to = $belongs, from = $from, to = $to, on_delete = "Cascade")]
                $relation,
            }

            impl Related<super::$target::Entity> for Entity {
                fn to() -> RelationDef {
                    Relation::$relation.def()
                }
            }

            impl ActiveModelBehavior for ActiveModel {}
        }
    };
}

// Territories and taxonomy.
pub mod municipalities;
pub mod neighbourhoods;
pub mod reference_data_versions;
pub mod sectors;

// Accounts.
pub mod auth_sessions;
pub mod email_tokens;
pub mod users;

// Organisations.
pub mod invitations;
pub mod memberships;
pub mod organization_contacts;
link_entity!(
    /// `organization_neighbourhoods`: the neighbourhoods an organisation serves.
    organization_neighbourhoods = "organization_neighbourhoods" { organization_id, neighbourhood_id: Uuid }
    Neighbourhood => neighbourhoods ("super::neighbourhoods::Entity", "Column::NeighbourhoodId", "super::neighbourhoods::Column::Id")
);
pub mod organization_requests;
link_entity!(
    /// `organization_sectors`: the sectors an organisation works in.
    organization_sectors = "organization_sectors" { organization_id, sector_code: String }
    Sector => sectors ("super::sectors::Entity", "Column::SectorCode", "super::sectors::Column::Code")
);
pub mod organizations;

// Postings and matches.
pub mod match_feedback;
pub mod matches;
link_entity!(
    /// `need_sectors`: the sectors a need is in.
    need_sectors = "need_sectors" { need_id, sector_code: String }
    Sector => sectors ("super::sectors::Entity", "Column::SectorCode", "super::sectors::Column::Code")
);
pub mod needs;
link_entity!(
    /// `offer_sectors`: the sectors an offer is for.
    offer_sectors = "offer_sectors" { offer_id, sector_code: String }
    Sector => sectors ("super::sectors::Entity", "Column::SectorCode", "super::sectors::Column::Code")
);
pub mod offers;

// Co-design.
pub mod project_applications;
pub mod project_approvals;
pub mod project_contributions;
pub mod project_documents;
pub mod project_invitations;
pub mod project_milestones;
pub mod project_notices;
pub mod project_partners;
pub mod project_reports;
pub mod project_stages;
pub mod projects;

// Digests.
pub mod digest_deliveries;
pub mod digest_items;
pub mod digest_subscriptions;
pub mod saved_searches;

// The closed lists as column types.
pub mod stored_enums;

// Audit, moderation, search outbox and background jobs.
pub mod audit_log;
pub mod content_reports;
pub mod jobs;
pub mod search_outbox;

/// Every entity under the name of its table in UpperCamelCase (`Organizations`...).
pub mod prelude {
    pub use super::audit_log::Entity as AuditLog;
    pub use super::auth_sessions::Entity as AuthSessions;
    pub use super::content_reports::Entity as ContentReports;
    pub use super::digest_deliveries::Entity as DigestDeliveries;
    pub use super::digest_items::Entity as DigestItems;
    pub use super::digest_subscriptions::Entity as DigestSubscriptions;
    pub use super::email_tokens::Entity as EmailTokens;
    pub use super::invitations::Entity as Invitations;
    pub use super::jobs::Entity as Jobs;
    pub use super::match_feedback::Entity as MatchFeedback;
    pub use super::matches::Entity as Matches;
    pub use super::memberships::Entity as Memberships;
    pub use super::municipalities::Entity as Municipalities;
    pub use super::need_sectors::Entity as NeedSectors;
    pub use super::needs::Entity as Needs;
    pub use super::neighbourhoods::Entity as Neighbourhoods;
    pub use super::offer_sectors::Entity as OfferSectors;
    pub use super::offers::Entity as Offers;
    pub use super::organization_contacts::Entity as OrganizationContacts;
    pub use super::organization_neighbourhoods::Entity as OrganizationNeighbourhoods;
    pub use super::organization_requests::Entity as OrganizationRequests;
    pub use super::organization_sectors::Entity as OrganizationSectors;
    pub use super::organizations::Entity as Organizations;
    pub use super::project_applications::Entity as ProjectApplications;
    pub use super::project_approvals::Entity as ProjectApprovals;
    pub use super::project_contributions::Entity as ProjectContributions;
    pub use super::project_documents::Entity as ProjectDocuments;
    pub use super::project_invitations::Entity as ProjectInvitations;
    pub use super::project_milestones::Entity as ProjectMilestones;
    pub use super::project_notices::Entity as ProjectNotices;
    pub use super::project_partners::Entity as ProjectPartners;
    pub use super::project_reports::Entity as ProjectReports;
    pub use super::project_stages::Entity as ProjectStages;
    pub use super::projects::Entity as Projects;
    pub use super::reference_data_versions::Entity as ReferenceDataVersions;
    pub use super::saved_searches::Entity as SavedSearches;
    pub use super::search_outbox::Entity as SearchOutbox;
    pub use super::sectors::Entity as Sectors;
    pub use super::users::Entity as Users;
}

#[cfg(test)]
mod tests;
