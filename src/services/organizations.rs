//! Organisations: registering one (with its sectors, neighbourhoods served and
//! contacts) and reading it back.

use sea_orm::{ConnectionTrait, DatabaseConnection, DatabaseTransaction, TransactionTrait};
use serde_json::json;
use uuid::Uuid;

use super::references::ReferenceCheck;
use super::{Actor, new_id, now, permissions, record_change};
use crate::domain::{
    MembershipRole, NewOrganization, OrganizationInput, OutboxEntityType, VerificationStatus,
};
use crate::error::{AppError, Entity};
use crate::store;
use crate::store::entities::{organization_contacts, organizations};
use crate::store::organizations::{ContactRow, NewOrganizationRow, VerificationState};

/// How an organisation was verified, when it was (a moderator, a registry
/// extract, an official index).
#[derive(Clone, Debug)]
pub struct Verification {
    pub source: String,
    pub runts_registered: bool,
}

/// Registers an organisation; a user who registers it becomes its first
/// admin, in the same transaction. Fails with FORBIDDEN when a user has not
/// verified their address, with BAD_USER_INPUT (every problem, with its
/// field) when the input is invalid or names an unknown municipality,
/// neighbourhood or sector, and with CONFLICT on `taxCode` when another
/// organisation already has that tax code. Nothing is written on failure.
#[tracing::instrument(skip_all)]
pub async fn create(
    db: &DatabaseConnection,
    actor: &Actor,
    input: &OrganizationInput,
    verification: Option<Verification>,
) -> Result<organizations::Model, AppError> {
    if actor.user_id.is_some() {
        permissions::verified_user(db, Some(actor)).await?;
    }
    let new = input.validate()?;
    let txn = db.begin().await?;
    check_references(&txn, &new).await?;
    ensure_tax_code_free(&txn, &new, None).await?;
    let id = new_id();
    let at = now();
    let verification = verification_state(verification.as_ref(), at);
    let row = NewOrganizationRow {
        id,
        profile: &new,
        verification: &verification,
        created_by: actor.user_id,
        at,
    };
    let model = store::organizations::insert(&txn, row)
        .await
        .map_err(|error| {
            // Two registrations racing for one tax code: the unique index decides.
            if error.is_unique_violation() {
                None
            } else {
                Some(AppError::from(error))
            }
        });
    let model = match model {
        Ok(model) => model,
        Err(Some(error)) => return Err(error),
        Err(None) => {
            // Rolled back first: on SQLite the transaction holds the one
            // connection the lookup needs.
            drop(txn);
            return Err(taken_by_another(db, &new).await);
        }
    };
    write_children(&txn, id, &new, Contacts::Replace).await?;
    if let Some(founder) = actor.user_id {
        store::memberships::insert(&txn, new_id(), id, founder, MembershipRole::Admin, at).await?;
    }
    record_change(
        txn,
        actor,
        "organization.create",
        OutboxEntityType::Organization,
        id,
        json!({ "name": model.name, "kind": model.kind, "taxCode": model.tax_code }),
    )
    .await?;
    Ok(model)
}

/// How a new organisation is recorded: verified with its source when it
/// was checked (the verification is then `at`), unverified otherwise.
fn verification_state(
    verification: Option<&Verification>,
    at: chrono::DateTime<chrono::Utc>,
) -> VerificationState {
    match verification {
        Some(v) => VerificationState {
            status: VerificationStatus::Verified,
            source: Some(v.source.clone()),
            verified_at: Some(at),
            runts_registered: v.runts_registered,
        },
        None => VerificationState::unverified(),
    }
}

/// What an update does to an organisation's contacts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Contacts {
    /// Keeps them: the editor did not send any (a client is not shown every
    /// contact, so it could not send them all back).
    Keep,
    /// Replaces them with the input's (none when it has none).
    Replace,
}

/// Replaces an organisation's profile (its sectors and neighbourhoods too,
/// and its contacts when `contacts` says so). Only its admins may. Fails
/// like [`create`], and with NOT_FOUND on `id`.
#[tracing::instrument(skip_all, fields(%id))]
pub async fn update(
    db: &DatabaseConnection,
    actor: &Actor,
    id: Uuid,
    input: &OrganizationInput,
    contacts: Contacts,
) -> Result<organizations::Model, AppError> {
    let before = get(db, id, "id").await?;
    permissions::authorize(db, actor, id, MembershipRole::Admin).await?;
    let new = input.validate()?;
    let txn = db.begin().await?;
    check_references(&txn, &new).await?;
    ensure_tax_code_free(&txn, &new, Some(id)).await?;
    // A changed tax code or kind must be verified again.
    let unverified = before.tax_code.as_deref() != new.tax_code.as_ref().map(|t| t.as_str())
        || before.kind != new.kind;
    let updated =
        store::organizations::update_profile(&txn, before.clone(), &new, unverified, now()).await;
    let after = match updated {
        Ok(after) => after,
        Err(error) if error.is_unique_violation() => {
            // As in `create`.
            drop(txn);
            return Err(taken_by_another(db, &new).await);
        }
        Err(error) => return Err(error.into()),
    };
    store::organizations::delete_children(&txn, id, contacts == Contacts::Replace).await?;
    write_children(&txn, id, &new, contacts).await?;
    record_change(
        txn,
        actor,
        "organization.update",
        OutboxEntityType::Organization,
        id,
        super::changes(&organization_fields(&before), &organization_fields(&after)),
    )
    .await?;
    Ok(after)
}

fn organization_fields(org: &organizations::Model) -> serde_json::Value {
    json!({
        "name": org.name,
        "kind": org.kind,
        "taxCode": org.tax_code,
        "vatNumber": org.vat_number,
        "description": org.description,
        "website": org.website,
        "seatMunicipalityCode": org.seat_municipality_code,
        "address": org.address,
        "lat": org.lat,
        "lon": org.lon,
        "verificationStatus": org.verification_status,
    })
}

async fn ensure_tax_code_free(
    txn: &impl ConnectionTrait,
    new: &NewOrganization,
    except: Option<Uuid>,
) -> Result<(), AppError> {
    let Some(tax_code) = &new.tax_code else {
        return Ok(());
    };
    let taken = store::organizations::find_by_tax_code(txn, tax_code.as_str()).await?;
    match taken {
        Some(other) if Some(other.id) != except => Err(tax_code_taken(other.id)),
        _ => Ok(()),
    }
}

/// The CONFLICT on `taxCode` when another organisation has the code: it
/// carries that organisation's id and says what to do instead of
/// registering it again (ask to join it, or to manage it when it has no
/// admin: see [`super::organization_requests`]).
fn tax_code_taken(existing: Uuid) -> AppError {
    AppError::conflict(
        "taxCode",
        "un'organizzazione con questo codice fiscale è già registrata su Trama: invece di registrarla di nuovo, apri la sua pagina e chiedi di entrare a farne parte (o, se nessuno la gestisce ancora, di gestirla tu)",
        "an organisation with this tax code is already on Trama: instead of registering it again, open its page and ask to join it (or, if nobody manages it yet, to manage it)",
    )
    .about_organization(existing)
}

/// The CONFLICT after the unique index refused a tax code: the winner of
/// the race, read outside the failed transaction.
async fn taken_by_another(db: &DatabaseConnection, new: &NewOrganization) -> AppError {
    let Some(tax_code) = &new.tax_code else {
        return AppError::Internal(anyhow::anyhow!("unique violation without a tax code"));
    };
    match find_by_tax_code(db, tax_code.as_str()).await {
        Ok(Some(other)) => tax_code_taken(other.id),
        Ok(None) => {
            AppError::Internal(anyhow::anyhow!("unique violation on a tax code nobody has"))
        }
        Err(error) => error,
    }
}

async fn check_references(
    txn: &impl ConnectionTrait,
    new: &NewOrganization,
) -> Result<(), AppError> {
    let mut check = ReferenceCheck::new();
    check
        .municipality(
            txn,
            "seatMunicipalityCode",
            new.seat_municipality_code.as_ref(),
        )
        .await?;
    check.sectors(txn, "sectors", &new.sectors).await?;
    check
        .neighbourhoods(txn, "neighbourhoodIds", &new.neighbourhood_ids)
        .await?;
    Ok(check.finish()?)
}

/// Writes the sectors, neighbourhoods and (unless kept) contacts of a new
/// or freshly emptied profile.
async fn write_children(
    txn: &impl ConnectionTrait,
    id: Uuid,
    new: &NewOrganization,
    contacts: Contacts,
) -> Result<(), AppError> {
    let at = now();
    for sector in &new.sectors {
        store::organizations::insert_sector(txn, id, sector.as_str()).await?;
    }
    for neighbourhood in &new.neighbourhood_ids {
        store::organizations::insert_neighbourhood(txn, id, *neighbourhood).await?;
    }
    let written = match contacts {
        Contacts::Keep => &[][..],
        Contacts::Replace => &new.contacts[..],
    };
    for (position, contact) in written.iter().enumerate() {
        let row = ContactRow {
            organization_id: id,
            contact,
            position: i32::try_from(position).unwrap_or(i32::MAX),
            at,
        };
        store::organizations::insert_contact(txn, row).await?;
    }
    Ok(())
}

/// The organisation with this id, unless deleted. Fails with NOT_FOUND on `field`.
pub async fn get(
    db: &impl ConnectionTrait,
    id: Uuid,
    field: &str,
) -> Result<organizations::Model, AppError> {
    store::rows::existing_by_id::<organizations::Entity>(db, id, "organizations: existing by id")
        .await?
        .ok_or_else(|| AppError::not_found(Entity::Organization, field))
}

/// Takes the organisation's row lock until the end of `txn` and returns the
/// organisation; NOT_FOUND on `field` when there is none. Every change that
/// depends on who its members are (the last admin stays; a claim goes to an
/// organisation without admins) takes it before reading the members, so
/// that the check and the change are one serialised step: two admins
/// demoting each other at the same moment run one after the other, and the
/// second sees the first's change (see [`store::organizations::lock`] for
/// how each database does it).
pub async fn lock(
    txn: &DatabaseTransaction,
    id: Uuid,
    field: &str,
) -> Result<organizations::Model, AppError> {
    store::organizations::lock(txn, id)
        .await?
        .ok_or_else(|| AppError::not_found(Entity::Organization, field))
}

/// The organisation registered with this tax code, if any.
pub async fn find_by_tax_code(
    db: &impl ConnectionTrait,
    tax_code: &str,
) -> Result<Option<organizations::Model>, AppError> {
    Ok(store::organizations::find_by_tax_code(db, tax_code).await?)
}

/// The contacts of an organisation, in display order.
pub async fn contacts(
    db: &impl ConnectionTrait,
    id: Uuid,
) -> Result<Vec<organization_contacts::Model>, AppError> {
    Ok(store::organizations::contacts(db, id).await?)
}
