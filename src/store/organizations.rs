//! Organisations: their rows, sectors, neighbourhoods served and contacts,
//! and the row lock that serialises changes to their members.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DatabaseTransaction, DbBackend, EntityTrait,
    QueryFilter, QuerySelect, Set,
};
use uuid::Uuid;

use super::entities::{
    organization_contacts, organization_neighbourhoods, organization_sectors, organizations,
};
use super::scope::Existing;
use super::{Context, StoreResult, rows};
use crate::domain::{ContactKind, NewContact, NewOrganization, VerificationStatus};

/// The organisation registered with this tax code, deleted or not (the code
/// stays taken).
pub async fn find_by_tax_code(
    db: &impl ConnectionTrait,
    tax_code: &str,
) -> StoreResult<Option<organizations::Model>> {
    let which = organizations::Column::TaxCode.eq(tax_code);
    rows::first::<organizations::Entity>(db, which, "organizations: find by tax code").await
}

/// The existing organisations with one of these tax codes.
pub async fn existing_with_tax_codes(
    db: &impl ConnectionTrait,
    tax_codes: &[String],
) -> StoreResult<Vec<organizations::Model>> {
    organizations::Entity::find_existing()
        .filter(organizations::Column::TaxCode.is_in(tax_codes.iter().map(String::as_str)))
        .all(db)
        .await
        .context("organizations: existing with tax codes")
}

/// An organisation's verification as it is written: its status, the
/// source checked, when, and whether it is on the RUNTS.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerificationState {
    pub status: VerificationStatus,
    pub source: Option<String>,
    pub verified_at: Option<DateTime<Utc>>,
    pub runts_registered: bool,
}

impl VerificationState {
    /// Not verified, no source.
    pub fn unverified() -> Self {
        Self {
            status: VerificationStatus::Unverified,
            source: None,
            verified_at: None,
            runts_registered: false,
        }
    }
}

/// A new organisation: its validated profile (sectors, neighbourhoods and
/// contacts are written apart), its verification, who registered it and when.
#[derive(Clone, Copy)]
pub struct NewOrganizationRow<'a> {
    pub id: Uuid,
    pub profile: &'a NewOrganization,
    pub verification: &'a VerificationState,
    pub created_by: Option<Uuid>,
    pub at: DateTime<Utc>,
}

/// The row of a new organisation (the bulk import inserts it too).
pub(super) fn new_row(new: NewOrganizationRow<'_>) -> organizations::ActiveModel {
    let profile = new.profile;
    let mut row = organizations::ActiveModel {
        id: Set(new.id),
        created_by: Set(new.created_by),
        created_at: Set(new.at),
        updated_at: Set(new.at),
        deleted_at: Set(None),
        hidden_at: Set(None),
        hidden_reason: Set(None),
        ..Default::default()
    };
    write_profile(&mut row, profile);
    write_verification(&mut row, new.verification);
    row
}

/// Writes a validated profile's own columns into a row.
fn write_profile(row: &mut organizations::ActiveModel, new: &NewOrganization) {
    row.name = Set(new.name.as_str().to_owned());
    row.kind = Set(new.kind);
    row.tax_code = Set(new.tax_code.as_ref().map(|t| t.as_str().to_owned()));
    row.vat_number = Set(new.vat_number.as_ref().map(|v| v.as_str().to_owned()));
    row.description = Set(new.description.as_str().to_owned());
    row.website = Set(new.website.as_ref().map(|w| w.as_str().to_owned()));
    row.seat_municipality_code = Set(new
        .seat_municipality_code
        .as_ref()
        .map(|c| c.as_str().to_owned()));
    row.address = Set(new.address.as_ref().map(|a| a.as_str().to_owned()));
    row.lat = Set(new.coordinates.map(|c| c.lat()));
    row.lon = Set(new.coordinates.map(|c| c.lon()));
}

/// Writes a verification into a row.
pub(super) fn write_verification(
    row: &mut organizations::ActiveModel,
    verification: &VerificationState,
) {
    row.verification_status = Set(verification.status);
    row.verification_source = Set(verification.source.clone());
    row.verified_at = Set(verification.verified_at);
    row.runts_registered = Set(verification.runts_registered);
}

/// Inserts an organisation and returns it. A unique violation (its tax
/// code taken meanwhile) is for the caller to name: see
/// [`super::StoreError::is_unique_violation`].
pub async fn insert(
    db: &impl ConnectionTrait,
    new: NewOrganizationRow<'_>,
) -> StoreResult<organizations::Model> {
    super::rows::insert(db, new_row(new), "organizations: insert").await
}

/// Replaces the profile of the organisation `before` (its own columns;
/// sectors, neighbourhoods and contacts are written apart) and, with
/// `unverified`, resets its verification; returns it. A unique violation
/// is for the caller to name, as in [`insert`].
pub async fn update_profile(
    db: &impl ConnectionTrait,
    before: organizations::Model,
    new: &NewOrganization,
    unverified: bool,
    at: DateTime<Utc>,
) -> StoreResult<organizations::Model> {
    let mut row: organizations::ActiveModel = before.into();
    write_profile(&mut row, new);
    if unverified {
        write_verification(&mut row, &VerificationState::unverified());
    }
    row.updated_at = Set(at);
    super::rows::update(db, row, "organizations: update profile").await
}

/// Records a verification of the organisation `before` at `at` and returns it.
pub async fn set_verification(
    db: &impl ConnectionTrait,
    before: organizations::Model,
    verification: &VerificationState,
    at: DateTime<Utc>,
) -> StoreResult<organizations::Model> {
    let mut row: organizations::ActiveModel = before.into();
    write_verification(&mut row, verification);
    row.updated_at = Set(at);
    super::rows::update(db, row, "organizations: set verification").await
}

/// Writes the changed columns of an organisation.
pub async fn update(
    db: &impl ConnectionTrait,
    row: organizations::ActiveModel,
) -> StoreResult<organizations::Model> {
    super::rows::update(db, row, "organizations: update").await
}

/// Takes the organisation's row lock until the end of `txn` and returns it,
/// unless deleted. On PostgreSQL it is `SELECT ... FOR UPDATE`; SQLite has
/// no row locks, so a no-op write takes the database's single write lock at
/// once (a read first would let two processes both read, then fail to
/// upgrade).
pub async fn lock(
    txn: &DatabaseTransaction,
    id: Uuid,
) -> StoreResult<Option<organizations::Model>> {
    let mut select =
        organizations::Entity::find_by_id(id).filter(organizations::Entity::existing());
    if txn.get_database_backend() == DbBackend::Postgres {
        select = select.lock_exclusive();
    } else {
        let set = [(
            organizations::Column::UpdatedAt,
            Expr::col(organizations::Column::UpdatedAt),
        )];
        let which = organizations::Column::Id.eq(id);
        rows::set::<organizations::Entity>(txn, set, which, "organizations: take the write lock")
            .await?;
    }
    select.one(txn).await.context("organizations: lock")
}

/// Deletes the organisation's sectors and neighbourhoods served, and its
/// contacts too when `contacts` is true.
pub async fn delete_children(
    db: &impl ConnectionTrait,
    id: Uuid,
    contacts: bool,
) -> StoreResult<()> {
    let sectors = organization_sectors::Column::OrganizationId.eq(id);
    let what = "organization sectors: delete of organisation";
    rows::delete::<organization_sectors::Entity>(db, sectors, what).await?;
    let served = organization_neighbourhoods::Column::OrganizationId.eq(id);
    let what = "organization neighbourhoods: delete of organisation";
    rows::delete::<organization_neighbourhoods::Entity>(db, served, what).await?;
    if contacts {
        let listed = organization_contacts::Column::OrganizationId.eq(id);
        let what = "organization contacts: delete of organisation";
        rows::delete::<organization_contacts::Entity>(db, listed, what).await?;
    }
    Ok(())
}

/// Adds a sector to an organisation.
pub async fn insert_sector(db: &impl ConnectionTrait, id: Uuid, code: &str) -> StoreResult<()> {
    let row = organization_sectors::ActiveModel {
        organization_id: Set(id),
        sector_code: Set(code.to_owned()),
    };
    super::rows::insert(db, row, "organization sectors: insert").await?;
    Ok(())
}

/// Adds a neighbourhood an organisation serves.
pub async fn insert_neighbourhood(
    db: &impl ConnectionTrait,
    id: Uuid,
    neighbourhood_id: Uuid,
) -> StoreResult<()> {
    let row = organization_neighbourhoods::ActiveModel {
        organization_id: Set(id),
        neighbourhood_id: Set(neighbourhood_id),
    };
    super::rows::insert(db, row, "organization neighbourhoods: insert").await?;
    Ok(())
}

/// A contact to add to an organisation, at `position` in its list.
#[derive(Clone, Copy)]
pub struct ContactRow<'a> {
    pub organization_id: Uuid,
    pub contact: &'a NewContact,
    pub position: i32,
    pub at: DateTime<Utc>,
}

/// The row of a new contact (the bulk import inserts it too).
pub(super) fn contact_row(new: ContactRow<'_>) -> organization_contacts::ActiveModel {
    let contact = new.contact;
    organization_contacts::ActiveModel {
        id: Set(super::new_id()),
        organization_id: Set(new.organization_id),
        kind: Set(contact.kind()),
        value: Set(contact.value.as_str().to_owned()),
        label: Set(contact.label.as_ref().map(|l| l.as_str().to_owned())),
        visibility: Set(contact.visibility),
        position: Set(new.position),
        created_at: Set(new.at),
        updated_at: Set(new.at),
    }
}

/// Adds a contact.
pub async fn insert_contact(db: &impl ConnectionTrait, new: ContactRow<'_>) -> StoreResult<()> {
    super::rows::insert(db, contact_row(new), "organization contacts: insert").await?;
    Ok(())
}

/// The contacts of an organisation, in display order.
pub async fn contacts(
    db: &impl ConnectionTrait,
    id: Uuid,
) -> StoreResult<Vec<organization_contacts::Model>> {
    let which = organization_contacts::Column::OrganizationId.eq(id);
    let order = [organization_contacts::Column::Position];
    let what = "organization contacts: of organisation";
    rows::list::<organization_contacts::Entity>(db, which, order, what).await
}

/// The organisation's contacts of these kinds, in display order.
pub async fn contacts_of_kinds(
    db: &impl ConnectionTrait,
    id: Uuid,
    kinds: &[ContactKind],
) -> StoreResult<Vec<organization_contacts::Model>> {
    let which = Condition::all()
        .add(organization_contacts::Column::OrganizationId.eq(id))
        .add(organization_contacts::Column::Kind.is_in(kinds.iter().copied()));
    let order = [organization_contacts::Column::Position];
    rows::list::<organization_contacts::Entity>(db, which, order, "organization contacts: of kinds")
        .await
}

/// The other organisations with a contact of these kinds at `domain`.
pub async fn others_with_contact_domain(
    db: &impl ConnectionTrait,
    except: Uuid,
    kinds: &[ContactKind],
    domain: &str,
) -> StoreResult<Vec<Uuid>> {
    organization_contacts::Entity::find()
        .select_only()
        .column(organization_contacts::Column::OrganizationId)
        .distinct()
        .filter(organization_contacts::Column::Kind.is_in(kinds.iter().copied()))
        .filter(organization_contacts::Column::Value.like(format!("%@{domain}")))
        .filter(organization_contacts::Column::OrganizationId.ne(except))
        .into_tuple::<Uuid>()
        .all(db)
        .await
        .context("organization contacts: others at domain")
}

/// The organisations with these ids, deleted or not.
pub async fn by_ids(
    db: &impl ConnectionTrait,
    ids: impl IntoIterator<Item = Uuid>,
) -> StoreResult<Vec<organizations::Model>> {
    let which = organizations::Column::Id.is_in(ids);
    rows::all::<organizations::Entity>(db, which, "organizations: by ids").await
}

/// Hides (with `hidden_at` and a reason) or shows again an organisation,
/// deleted or not; false when there is none.
pub async fn set_hidden(
    db: &impl ConnectionTrait,
    id: Uuid,
    hidden_at: Option<DateTime<Utc>>,
    reason: Option<String>,
) -> StoreResult<bool> {
    let Some(found) = organizations::Entity::find_by_id(id)
        .one(db)
        .await
        .context("organizations: find for moderation")?
    else {
        return Ok(false);
    };
    let mut row: organizations::ActiveModel = found.into();
    row.hidden_at = Set(hidden_at);
    row.hidden_reason = Set(reason);
    super::rows::update(db, row, "organizations: set hidden").await?;
    Ok(true)
}

/// Marks an organisation verified at `at` from a registry extract: its
/// source and date, and whether it is a registered third-sector body.
pub async fn mark_verified(
    db: &impl ConnectionTrait,
    organization: organizations::Model,
    source: &str,
    date: DateTime<Utc>,
    runts_registered: bool,
    at: DateTime<Utc>,
) -> StoreResult<organizations::Model> {
    let mut row: organizations::ActiveModel = organization.into();
    row.verification_status = Set(VerificationStatus::Verified);
    row.verification_source = Set(Some(source.to_owned()));
    row.verified_at = Set(Some(date));
    row.runts_registered = Set(runts_registered);
    row.updated_at = Set(at);
    super::rows::update(db, row, "organizations: mark verified").await
}
