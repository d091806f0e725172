//! Writing checked rows: what each changes on an organisation already on
//! Trama (matched by tax code), and one batch written in bulk with its
//! search outbox rows, match refreshes and audit row.

use std::collections::{HashMap, HashSet};

use sea_orm::{ConnectionTrait, Set};
use serde_json::json;
use uuid::Uuid;

use super::Planned;
use crate::domain::{NewOrganization, OutboxEntityType, OutboxOperation, VerificationStatus};
use crate::error::AppError;
use crate::services::{Actor, new_id, now};
use crate::store::entities::{
    audit_log, organization_contacts, organization_sectors, organizations, search_outbox,
};
use crate::store::import as store;
use crate::store::jobs::{self, Job, MatchTarget};

/// An organisation already on Trama, with what an import may add to.
pub(super) struct Existing {
    pub(super) row: organizations::Model,
    sectors: HashSet<String>,
    /// (kind, value) of its contacts.
    contacts: HashSet<(String, String)>,
    next_position: i32,
}

pub(super) async fn existing_by_tax_code(
    db: &impl ConnectionTrait,
    batch: &[Planned],
) -> Result<HashMap<String, Existing>, AppError> {
    let codes: Vec<&str> = batch.iter().map(|p| p.tax_code.as_str()).collect();
    let rows = store::organizations_by_tax_code(db, codes).await?;
    if rows.is_empty() {
        return Ok(HashMap::new());
    }
    let ids: HashSet<Uuid> = rows.iter().map(|r| r.id).collect();
    let mut sectors: HashMap<Uuid, HashSet<String>> = HashMap::new();
    for s in store::sectors_of(db, &ids).await? {
        sectors
            .entry(s.organization_id)
            .or_default()
            .insert(s.sector_code);
    }
    let mut contacts: HashMap<Uuid, (HashSet<(String, String)>, i32)> = HashMap::new();
    for c in store::contacts_of(db, &ids).await? {
        let entry = contacts.entry(c.organization_id).or_default();
        entry.0.insert((c.kind, c.value));
        entry.1 = entry.1.max(c.position + 1);
    }
    Ok(rows
        .into_iter()
        .filter_map(|row| {
            let tax_code = row.tax_code.clone()?;
            let (contacts, next_position) = contacts.remove(&row.id).unwrap_or_default();
            Some((
                tax_code,
                Existing {
                    sectors: sectors.remove(&row.id).unwrap_or_default(),
                    contacts,
                    next_position,
                    row,
                },
            ))
        })
        .collect())
}

/// What one batch writes.
#[derive(Default)]
pub(super) struct BatchChanges<'a> {
    pub(super) created: Vec<&'a Planned>,
    pub(super) updated: Vec<Update>,
}

/// The changes a row brings to an organisation already on Trama.
pub(super) struct Update {
    row: organizations::ActiveModel,
    id: Uuid,
    tax_code: String,
    new_sectors: Vec<String>,
    new_contacts: Vec<organization_contacts::ActiveModel>,
}

/// The update a row makes to `current`, or `None` when it changes nothing.
pub(super) fn update_for(current: &Existing, org: &NewOrganization) -> Option<Update> {
    let before = &current.row;
    let mut row: organizations::ActiveModel = before.clone().into();
    let mut changed = false;
    let mut set = |changed_here: bool| changed |= changed_here;

    set(before.name != org.name.as_str());
    row.name = Set(org.name.as_str().to_owned());
    let kind_changed = before.kind != org.kind.as_str();
    set(kind_changed);
    row.kind = Set(org.kind.as_str().to_owned());
    if let Some(vat) = &org.vat_number {
        set(before.vat_number.as_deref() != Some(vat.as_str()));
        row.vat_number = Set(Some(vat.as_str().to_owned()));
    }
    if !org.description.is_empty() {
        set(before.description != org.description.as_str());
        row.description = Set(org.description.as_str().to_owned());
    }
    if let Some(website) = &org.website {
        set(before.website.as_deref() != Some(website.as_str()));
        row.website = Set(Some(website.as_str().to_owned()));
    }
    if let Some(code) = &org.seat_municipality_code {
        set(before.seat_municipality_code.as_deref() != Some(code.as_str()));
        row.seat_municipality_code = Set(Some(code.as_str().to_owned()));
    }
    if let Some(address) = &org.address {
        set(before.address.as_deref() != Some(address.as_str()));
        row.address = Set(Some(address.as_str().to_owned()));
    }
    if let Some(point) = org.coordinates {
        set(before.lat != Some(point.lat()) || before.lon != Some(point.lon()));
        row.lat = Set(Some(point.lat()));
        row.lon = Set(Some(point.lon()));
    }
    if kind_changed {
        row.verification_status = Set(VerificationStatus::Unverified.as_str().to_owned());
        row.verification_source = Set(None);
        row.verified_at = Set(None);
        row.runts_registered = Set(false);
    }
    let new_sectors: Vec<String> = org
        .sectors
        .iter()
        .map(|s| s.as_str().to_owned())
        .filter(|s| !current.sectors.contains(s))
        .collect();
    let at = now();
    let new_contacts: Vec<organization_contacts::ActiveModel> = org
        .contacts
        .iter()
        .filter(|c| {
            !current
                .contacts
                .contains(&(c.kind().as_str().to_owned(), c.value.as_str().to_owned()))
        })
        .enumerate()
        .map(|(offset, c)| contact_row(before.id, c, current.next_position + offset as i32, at))
        .collect();
    if !changed && new_sectors.is_empty() && new_contacts.is_empty() {
        return None;
    }
    row.updated_at = Set(at);
    Some(Update {
        row,
        id: before.id,
        tax_code: before.tax_code.clone().unwrap_or_default(),
        new_sectors,
        new_contacts,
    })
}

fn contact_row(
    organization_id: Uuid,
    contact: &crate::domain::NewContact,
    position: i32,
    at: chrono::DateTime<chrono::Utc>,
) -> organization_contacts::ActiveModel {
    organization_contacts::ActiveModel {
        id: Set(new_id()),
        organization_id: Set(organization_id),
        kind: Set(contact.kind().as_str().to_owned()),
        value: Set(contact.value.as_str().to_owned()),
        label: Set(contact.label.as_ref().map(|l| l.as_str().to_owned())),
        visibility: Set(contact.visibility.as_str().to_owned()),
        position: Set(position),
        created_at: Set(at),
        updated_at: Set(at),
    }
}

/// Writes one batch in `txn`: organisations, their sectors and contacts,
/// their search outbox rows, match refreshes for updated ones (new ones have
/// no offers or needs yet) and one audit row. Returns the newest outbox seq.
pub(super) async fn write_batch(
    txn: &impl ConnectionTrait,
    actor: &Actor,
    run_id: Uuid,
    source_name: &str,
    changes: &BatchChanges<'_>,
) -> Result<Option<i64>, AppError> {
    if changes.created.is_empty() && changes.updated.is_empty() {
        return Ok(None);
    }
    let at = now();
    let mut org_rows = Vec::with_capacity(changes.created.len());
    let mut sector_rows = Vec::new();
    let mut contact_rows = Vec::new();
    let mut touched = Vec::with_capacity(changes.created.len() + changes.updated.len());
    for planned in &changes.created {
        let org = &planned.org;
        let id = new_id();
        touched.push(id);
        org_rows.push(crate::services::organizations::new_row(
            id, org, None, actor, at,
        ));
        for sector in &org.sectors {
            sector_rows.push(organization_sectors::ActiveModel {
                organization_id: Set(id),
                sector_code: Set(sector.as_str().to_owned()),
            });
        }
        for (position, contact) in org.contacts.iter().enumerate() {
            contact_rows.push(contact_row(id, contact, position as i32, at));
        }
    }
    store::insert_organizations(txn, &org_rows)
        .await
        .map_err(|error| {
            // Someone registered one of these tax codes between the
            // lookup and this insert: the batch is rolled back whole.
            if error.is_unique_violation() {
                AppError::conflict(
                    "taxCode",
                    "un'organizzazione con uno di questi codici fiscali si è registrata durante l'importazione: il lotto non è stato scritto; rilancia l'importazione, che la aggiornerà",
                    "an organisation with one of these tax codes registered during the import: the batch was not written; run the import again and it will update it",
                )
            } else {
                error.into()
            }
        })?;
    for update in &changes.updated {
        touched.push(update.id);
        store::update_organization(txn, update.row.clone()).await?;
        for sector in &update.new_sectors {
            sector_rows.push(organization_sectors::ActiveModel {
                organization_id: Set(update.id),
                sector_code: Set(sector.clone()),
            });
        }
        contact_rows.extend(update.new_contacts.iter().cloned());
        jobs::enqueue(
            txn,
            &Job::RefreshMatches {
                target: MatchTarget::Organization(update.id),
            },
        )
        .await?;
    }
    store::insert_sectors(txn, &sector_rows).await?;
    store::insert_contacts(txn, &contact_rows).await?;
    let outbox: Vec<search_outbox::ActiveModel> = touched
        .iter()
        .map(|id| search_outbox::ActiveModel {
            entity_type: Set(OutboxEntityType::Organization.as_str().to_owned()),
            entity_id: Set(*id),
            operation: Set(OutboxOperation::Upsert.as_str().to_owned()),
            created_at: Set(at),
            ..Default::default()
        })
        .collect();
    store::insert_outbox(txn, &outbox).await?;
    let audit = audit_log::ActiveModel {
        id: Set(new_id()),
        actor_user_id: Set(actor.user_id),
        actor_label: Set(actor.label.clone()),
        action: Set("organization.import".to_owned()),
        entity_type: Set("import".to_owned()),
        entity_id: Set(run_id),
        changes: Set(json!({
            "source": source_name,
            "created": changes.created.iter().map(|p| p.tax_code.as_str()).collect::<Vec<_>>(),
            "updated": changes.updated.iter().map(|u| u.tax_code.as_str()).collect::<Vec<_>>(),
        })),
        created_at: Set(at),
    };
    store::insert_audit(txn, audit).await?;
    Ok(store::newest_outbox_seq(txn).await?)
}
