//! Writing checked rows: what each changes on an organisation already on
//! Trama (matched by tax code), and one batch written in bulk with its
//! search outbox rows, match refreshes and audit row.

use std::collections::{HashMap, HashSet};

use sea_orm::ConnectionTrait;
use serde_json::json;
use uuid::Uuid;

use super::Planned;
use crate::domain::{ContactKind, NewContact, NewOrganization, OutboxEntityType, OutboxOperation};
use crate::error::AppError;
use crate::services::{Actor, conflict_on_unique, new_id, now};
use crate::store::entities::organizations;
use crate::store::import::{self as store, OrganizationUpdate};
use crate::store::jobs::{self, Job, MatchTarget, Priority};
use crate::store::organizations::{ContactRow, NewOrganizationRow, VerificationState};

/// An organisation already on Trama, with what an import may add to.
pub(super) struct Existing {
    pub(super) row: organizations::Model,
    sectors: HashSet<String>,
    /// (kind, value) of its contacts.
    contacts: HashSet<(ContactKind, String)>,
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
    let mut contacts: HashMap<Uuid, (HashSet<(ContactKind, String)>, i32)> = HashMap::new();
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
    pub(super) updated: Vec<Update<'a>>,
}

/// How the rows of one batch compare with what is on Trama.
#[derive(Default)]
pub(super) struct BatchPlan<'a> {
    pub(super) changes: BatchChanges<'a>,
    /// Rows that would change nothing.
    pub(super) unchanged: usize,
    /// The lines of rows whose organisation was deleted: they are refused.
    pub(super) deleted: Vec<u64>,
}

/// Sorts the rows of a batch, in order, against `existing` (by tax code):
/// new organisations, updates of existing ones, rows that change nothing,
/// and rows naming a deleted organisation.
pub(super) fn plan_batch<'a>(
    batch: &'a [Planned],
    existing: &HashMap<String, Existing>,
) -> BatchPlan<'a> {
    let mut plan = BatchPlan::default();
    for row in batch {
        match existing.get(&row.tax_code) {
            None => plan.changes.created.push(row),
            Some(current) if current.row.deleted_at.is_some() => plan.deleted.push(row.line),
            Some(current) => match update_for(current, &row.org) {
                Some(update) => plan.changes.updated.push(update),
                None => plan.unchanged += 1,
            },
        }
    }
    plan
}

/// The changes a row brings to an organisation already on Trama.
pub(super) struct Update<'a> {
    before: organizations::Model,
    columns: OrganizationUpdate,
    id: Uuid,
    tax_code: String,
    new_sectors: Vec<String>,
    /// The contacts it does not have yet, with their positions.
    new_contacts: Vec<(&'a NewContact, i32)>,
}

/// The update a row makes to `current`, or `None` when it changes nothing.
/// An import adds what it carries and never erases: a column the row leaves
/// empty keeps what is stored.
fn update_for<'a>(current: &Existing, org: &'a NewOrganization) -> Option<Update<'a>> {
    let before = &current.row;
    let mut changed = false;
    let mut set = |changed_here: bool| changed |= changed_here;

    set(before.name != org.name.as_str());
    let kind_changed = before.kind != org.kind;
    set(kind_changed);
    if let Some(vat) = &org.vat_number {
        set(before.vat_number.as_deref() != Some(vat.as_str()));
    }
    if !org.description.is_empty() {
        set(before.description != org.description.as_str());
    }
    if let Some(website) = &org.website {
        set(before.website.as_deref() != Some(website.as_str()));
    }
    if let Some(code) = &org.seat_municipality_code {
        set(before.seat_municipality_code.as_deref() != Some(code.as_str()));
    }
    if let Some(address) = &org.address {
        set(before.address.as_deref() != Some(address.as_str()));
    }
    if let Some(point) = org.coordinates {
        set(before.lat != Some(point.lat()) || before.lon != Some(point.lon()));
    }
    let new_sectors: Vec<String> = org
        .sectors
        .iter()
        .map(|s| s.as_str().to_owned())
        .filter(|s| !current.sectors.contains(s))
        .collect();
    let new_contacts: Vec<(&NewContact, i32)> = org
        .contacts
        .iter()
        .filter(|c| {
            !current
                .contacts
                .contains(&(c.kind(), c.value.as_str().to_owned()))
        })
        .enumerate()
        .map(|(offset, c)| (c, current.next_position + offset as i32))
        .collect();
    if !changed && new_sectors.is_empty() && new_contacts.is_empty() {
        return None;
    }
    let columns = OrganizationUpdate {
        name: org.name.as_str().to_owned(),
        kind: org.kind,
        vat_number: org.vat_number.as_ref().map(|v| v.as_str().to_owned()),
        description: (!org.description.is_empty()).then(|| org.description.as_str().to_owned()),
        website: org.website.as_ref().map(|w| w.as_str().to_owned()),
        seat_municipality_code: org
            .seat_municipality_code
            .as_ref()
            .map(|c| c.as_str().to_owned()),
        address: org.address.as_ref().map(|a| a.as_str().to_owned()),
        coordinates: org.coordinates,
        unverified: kind_changed,
        at: now(),
    };
    Some(Update {
        before: before.clone(),
        columns,
        id: before.id,
        tax_code: before.tax_code.clone().unwrap_or_default(),
        new_sectors,
        new_contacts,
    })
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
    let unverified = VerificationState::unverified();
    let mut org_rows = Vec::with_capacity(changes.created.len());
    let mut sector_rows = Vec::new();
    let mut contact_rows = Vec::new();
    let mut touched = Vec::with_capacity(changes.created.len() + changes.updated.len());
    for planned in &changes.created {
        let org = &planned.org;
        let id = new_id();
        touched.push(id);
        org_rows.push(NewOrganizationRow {
            id,
            profile: org,
            verification: &unverified,
            created_by: actor.user_id,
            at,
        });
        for sector in &org.sectors {
            sector_rows.push((id, sector.as_str().to_owned()));
        }
        for (position, contact) in org.contacts.iter().enumerate() {
            contact_rows.push(ContactRow {
                organization_id: id,
                contact,
                position: position as i32,
                at,
            });
        }
    }
    store::insert_organizations(txn, &org_rows)
        .await
        // Someone registered one of these tax codes between the lookup and
        // this insert: the batch is rolled back whole.
        .map_err(conflict_on_unique(|| {
            AppError::conflict(
                    "taxCode",
                    "un'organizzazione con uno di questi codici fiscali si è registrata durante l'importazione: il lotto non è stato scritto; rilancia l'importazione, che la aggiornerà",
                    "an organisation with one of these tax codes registered during the import: the batch was not written; run the import again and it will update it",
                )
        }))?;
    for update in &changes.updated {
        touched.push(update.id);
        store::update_organization(txn, update.before.clone(), &update.columns).await?;
        for sector in &update.new_sectors {
            sector_rows.push((update.id, sector.clone()));
        }
        for (contact, position) in &update.new_contacts {
            contact_rows.push(ContactRow {
                organization_id: update.id,
                contact,
                position: *position,
                at: update.columns.at,
            });
        }
        jobs::enqueue(
            txn,
            &Job::RefreshMatches {
                target: MatchTarget::Organization(update.id),
            },
            Priority::Bulk,
        )
        .await?;
    }
    store::insert_sectors(txn, &sector_rows).await?;
    store::insert_contacts(txn, &contact_rows).await?;
    store::insert_outbox(
        txn,
        OutboxEntityType::Organization,
        &touched,
        OutboxOperation::Upsert,
        at,
    )
    .await?;
    crate::store::audit::append(
        txn,
        crate::store::audit::Entry {
            id: new_id(),
            actor_user_id: actor.user_id,
            actor_label: &actor.label,
            action: "organization.import",
            entity_type: "import",
            entity_id: run_id,
            changes: json!({
                "source": source_name,
                "created": changes.created.iter().map(|p| p.tax_code.as_str()).collect::<Vec<_>>(),
                "updated": changes.updated.iter().map(|u| u.tax_code.as_str()).collect::<Vec<_>>(),
            }),
            at,
        },
    )
    .await?;
    Ok(store::newest_outbox_seq(txn).await?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{ContactInput, OrganizationInput, OrganizationKind};

    const CANOTTIERI: &str = "95745878934";

    /// A registry row as the reader validates it: an APS in Milano with one
    /// sector and one e-mail, changed by `edit`.
    fn row(tax_code: &str, edit: impl FnOnce(&mut OrganizationInput)) -> NewOrganization {
        let mut input = OrganizationInput {
            name: "Canottieri Milano".to_owned(),
            kind: "aps".to_owned(),
            tax_code: Some(tax_code.to_owned()),
            description: "Canottaggio sul Naviglio.".to_owned(),
            website: Some("https://canottieri.example.org".to_owned()),
            seat_municipality_code: Some("015146".to_owned()),
            address: Some("Alzaia Naviglio Grande 160".to_owned()),
            lat: Some(45.45),
            lon: Some(9.15),
            sectors: vec!["sport".to_owned()],
            contacts: vec![contact("email", "info@canottieri.example.org")],
            ..OrganizationInput::default()
        };
        edit(&mut input);
        input.validate().expect("a valid row")
    }

    fn contact(kind: &str, value: &str) -> ContactInput {
        ContactInput {
            kind: kind.to_owned(),
            value: value.to_owned(),
            label: None,
            visibility: Some("signed_in".to_owned()),
        }
    }

    /// `org` as stored on Trama, with its sectors and contacts.
    fn existing(org: &NewOrganization) -> Existing {
        let at = now();
        let row = organizations::Model {
            id: new_id(),
            name: org.name.as_str().to_owned(),
            kind: org.kind,
            tax_code: org.tax_code.as_ref().map(|t| t.as_str().to_owned()),
            vat_number: org.vat_number.as_ref().map(|v| v.as_str().to_owned()),
            description: org.description.as_str().to_owned(),
            website: org.website.as_ref().map(|w| w.as_str().to_owned()),
            seat_municipality_code: org
                .seat_municipality_code
                .as_ref()
                .map(|c| c.as_str().to_owned()),
            address: org.address.as_ref().map(|a| a.as_str().to_owned()),
            lat: org.coordinates.map(|p| p.lat()),
            lon: org.coordinates.map(|p| p.lon()),
            verification_status: crate::domain::VerificationStatus::Verified,
            verification_source: None,
            verified_at: Some(at),
            runts_registered: false,
            created_by: None,
            created_at: at,
            updated_at: at,
            deleted_at: None,
            hidden_at: None,
            hidden_reason: None,
        };
        Existing {
            row,
            sectors: org.sectors.iter().map(|s| s.as_str().to_owned()).collect(),
            contacts: org
                .contacts
                .iter()
                .map(|c| (c.kind(), c.value.as_str().to_owned()))
                .collect(),
            next_position: org.contacts.len() as i32,
        }
    }

    #[test]
    fn the_same_row_again_changes_nothing() {
        let org = row(CANOTTIERI, |_| {});
        assert!(update_for(&existing(&org), &org).is_none());
    }

    #[test]
    fn a_cell_left_empty_keeps_what_is_stored() {
        let stored = row(CANOTTIERI, |_| {});
        let sparse = row(CANOTTIERI, |input| {
            input.description = String::new();
            input.website = None;
            input.seat_municipality_code = None;
            input.address = None;
            input.lat = None;
            input.lon = None;
            input.sectors = Vec::new();
            input.contacts = Vec::new();
        });
        assert!(update_for(&existing(&stored), &sparse).is_none());
    }

    #[test]
    fn a_changed_column_updates_and_only_a_changed_kind_withdraws_the_verification() {
        let stored = existing(&row(CANOTTIERI, |_| {}));
        let renamed = row(CANOTTIERI, |input| {
            input.name = "Canottieri del Naviglio".to_owned();
        });
        let update = update_for(&stored, &renamed).expect("an update");
        assert_eq!(update.columns.name, "Canottieri del Naviglio");
        assert!(!update.columns.unverified);
        assert_eq!(update.id, stored.row.id);
        assert_eq!(update.tax_code, CANOTTIERI);
        assert!(update.new_sectors.is_empty() && update.new_contacts.is_empty());

        let moved = row(CANOTTIERI, |input| input.lat = Some(45.46));
        let update = update_for(&stored, &moved).expect("an update");
        assert!(!update.columns.unverified);
        assert_eq!(update.columns.coordinates.map(|p| p.lat()), Some(45.46));

        let other_kind = row(CANOTTIERI, |input| input.kind = "odv".to_owned());
        let update = update_for(&stored, &other_kind).expect("an update");
        assert_eq!(update.columns.kind, OrganizationKind::Odv);
        assert!(update.columns.unverified);
    }

    #[test]
    fn only_new_sectors_and_contacts_are_added_after_the_last_position() {
        let mut stored = existing(&row(CANOTTIERI, |_| {}));
        // Members added contacts of their own and removed one since.
        stored.next_position = 3;
        let richer = row(CANOTTIERI, |input| {
            input.sectors = vec!["sport".to_owned(), "welfare_comunita".to_owned()];
            input.contacts = vec![
                contact("email", "info@canottieri.example.org"),
                contact("pec", "canottieri@pec.example.org"),
                contact("phone", "02 1234567"),
            ];
        });
        let update = update_for(&stored, &richer).expect("an update");
        assert_eq!(update.new_sectors, ["welfare_comunita"]);
        let added: Vec<(&str, i32)> = update
            .new_contacts
            .iter()
            .map(|(c, position)| (c.kind().as_str(), *position))
            .collect();
        assert_eq!(added, [("pec", 3), ("phone", 4)]);
    }

    #[test]
    fn a_batch_is_sorted_into_new_updated_unchanged_and_deleted_rows() {
        let planned = |line: u64, tax_code: &str, name: &str| Planned {
            line,
            tax_code: tax_code.to_owned(),
            org: row(tax_code, |input| input.name = name.to_owned()),
        };
        let batch = [
            planned(2, "01199250158", "Nuova"),
            planned(3, "80000010159", "Invariata"),
            planned(4, "97000000014", "Rinominata"),
            planned(5, "97000000022", "Cancellata"),
            planned(6, "97000000030", "Altra nuova"),
        ];
        let mut on_trama = HashMap::new();
        for (tax_code, name) in [
            ("80000010159", "Invariata"),
            ("97000000014", "Prima del cambio"),
            ("97000000022", "Cancellata"),
        ] {
            let org = row(tax_code, |input| input.name = name.to_owned());
            on_trama.insert(tax_code.to_owned(), existing(&org));
        }
        if let Some(deleted) = on_trama.get_mut("97000000022") {
            deleted.row.deleted_at = Some(now());
        }
        let plan = plan_batch(&batch, &on_trama);
        let created: Vec<u64> = plan.changes.created.iter().map(|p| p.line).collect();
        assert_eq!(created, [2, 6]);
        let updated: Vec<&str> = plan
            .changes
            .updated
            .iter()
            .map(|u| u.tax_code.as_str())
            .collect();
        assert_eq!(updated, ["97000000014"]);
        assert_eq!(plan.unchanged, 1);
        // A deleted organisation is refused even when the row matches it.
        assert_eq!(plan.deleted, [5]);
    }
}
