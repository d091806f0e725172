//! The demo of the Milano metropolitan area (`trama seed --demo`,
//! `trama serve --demo`): real public bodies, invented co-operatives and
//! associations, and offers and needs that follow the stories of DOMAIN.md,
//! plus real sports associations from the 5x1000 registry, placed in the
//! real territories every installation has (see
//! [`reference_data`](crate::services::reference_data)). Everything goes through the same services, and so the same
//! validation, as what users type. Loading twice adds nothing: organisations
//! are recognised by tax code (or name, for informal groups), offers and needs
//! by organisation and title.
//!
//! The hand-written records of `assets/demo/milano.json` tell the stories;
//! [`volume`] adds hundreds more from the templates of
//! `assets/demo/territorio.json`, spread over the neighbourhoods and the
//! municipalities of the metropolitan area.

mod art55_call;
pub mod demo_accounts;
mod volume;

use std::collections::HashMap;
use std::fmt;

use anyhow::{Context, anyhow};
use sea_orm::{DatabaseConnection, TransactionTrait};
use serde::Deserialize;
use uuid::Uuid;

use crate::codesign::projects as codesign;
use crate::domain::{
    ContactInput, NeedInput, OfferInput, OfferKind, OrganizationInput, OrganizationKind,
    OtherPlaceInput, ProjectProcedure, ProjectStage, TaxCode,
};
use crate::services::organizations::Verification;
use crate::services::reference_data::{self, MILANO, neighbourhood_id};
use crate::services::{Actor, needs, offers, organizations};
use crate::store::seed as store;

const DEMO_JSON: &str = include_str!("../assets/demo/milano.json");
/// How long before its deadline a demo need that has already expired was
/// published.
const PASSED_NEED_PUBLISHED_DAYS: i64 = 45;
const ASD_CSV: &str = include_str!("../assets/opendata/asd-5x1000-2014/asd_provincia_milano.csv");

/// What a demo load did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DemoReport {
    pub organizations_added: usize,
    pub offers_added: usize,
    pub needs_added: usize,
    /// Signed, public pacts (projects) of the stories.
    pub pacts_added: usize,
    pub already_present: usize,
    /// Registry rows left out, with the reason (e.g. a damaged tax code).
    pub registry_rows_skipped: usize,
}

impl fmt::Display for DemoReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "demo data: {} organisations, {} offers, {} needs, {} signed pacts added; {} already present; {} registry rows skipped",
            self.organizations_added,
            self.offers_added,
            self.needs_added,
            self.pacts_added,
            self.already_present,
            self.registry_rows_skipped
        )
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct DemoFile {
    organizations: Vec<DemoOrganization>,
    offers: Vec<DemoOffer>,
    needs: Vec<DemoNeed>,
    #[serde(default)]
    pacts: Vec<DemoPact>,
    registry_organizations: RegistrySelection,
}

/// A signed, public pact of the stories, written by
/// [`codesign::record_signed_pact`].
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct DemoPact {
    need_organization: String,
    need: String,
    title: String,
    description: String,
    procedure: String,
    stage: String,
    signed_days_ago: u64,
    contributions: Vec<DemoContribution>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct DemoContribution {
    organization: String,
    kind: String,
    description: String,
    amount_cents: Option<i64>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct DemoOrganization {
    key: String,
    name: String,
    kind: String,
    tax_code: Option<String>,
    description: String,
    website: Option<String>,
    seat_municipality_code: Option<String>,
    lat: Option<f64>,
    lon: Option<f64>,
    #[serde(default)]
    sectors: Vec<String>,
    #[serde(default)]
    neighbourhoods: Vec<String>,
    #[serde(default)]
    contacts: Vec<DemoContact>,
    /// The source that verified a real body.
    verified: Option<String>,
    #[serde(default)]
    runts: bool,
}

#[derive(Deserialize)]
struct DemoContact {
    kind: String,
    value: String,
    visibility: Option<String>,
}

/// The places a demo posting reaches beyond its first: Milano's
/// neighbourhoods by NIL number, other municipalities by ISTAT code.
#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct DemoOtherPlaces {
    #[serde(default)]
    neighbourhood_codes: Vec<String>,
    #[serde(default)]
    municipality_codes: Vec<String>,
}

impl DemoOtherPlaces {
    fn inputs(&self) -> Vec<OtherPlaceInput> {
        let neighbourhoods = self.neighbourhood_codes.iter().map(|code| OtherPlaceInput {
            municipality_code: Some(MILANO.to_owned()),
            neighbourhood_id: Some(neighbourhood_id(MILANO, code).to_string()),
        });
        let municipalities = self.municipality_codes.iter().map(|code| OtherPlaceInput {
            municipality_code: Some(code.clone()),
            neighbourhood_id: None,
        });
        neighbourhoods.chain(municipalities).collect()
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct DemoOffer {
    organization: String,
    kind: String,
    title: String,
    description: String,
    amount_min_cents: Option<i64>,
    amount_max_cents: Option<i64>,
    available_from: Option<chrono::NaiveDate>,
    available_until: Option<chrono::NaiveDate>,
    #[serde(default)]
    eligible_organization_kinds: Vec<String>,
    territory_scope: String,
    municipality_code: Option<String>,
    neighbourhood_code: Option<String>,
    #[serde(default)]
    other_places: DemoOtherPlaces,
    #[serde(default)]
    sectors: Vec<String>,
    /// Defaults to open.
    #[serde(default)]
    status: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct DemoNeed {
    organization: String,
    kind: String,
    title: String,
    description: String,
    budget_cents: Option<i64>,
    deadline_at: Option<chrono::DateTime<chrono::Utc>>,
    municipality_code: Option<String>,
    neighbourhood_code: Option<String>,
    #[serde(default)]
    other_places: DemoOtherPlaces,
    territory_scope: Option<String>,
    location_precision: Option<String>,
    #[serde(default)]
    required_contributions: Vec<String>,
    #[serde(default)]
    eligible_organization_kinds: Vec<String>,
    #[serde(default)]
    requires_third_sector_registration: bool,
    #[serde(default)]
    sectors: Vec<String>,
    /// Defaults to open.
    #[serde(default)]
    status: Option<String>,
}

#[derive(Deserialize)]
struct RegistrySelection {
    limit: usize,
}

#[derive(Deserialize)]
struct AsdRow {
    codice_fiscale: String,
    denominazione: String,
    comune: String,
}

/// Loads the demo: the stories and the volume. Fails when the shipped demo
/// files are inconsistent (a record refused by validation names its key or
/// title and the field) or on database errors.
pub async fn demo(db: &DatabaseConnection) -> anyhow::Result<DemoReport> {
    let actor = Actor::system("demo");
    let mut report = DemoReport::default();
    let loaded = load_stories(db, &actor, &mut report).await?;
    let today = crate::services::now().date_naive();
    volume::load(
        db,
        &actor,
        &loaded.keys,
        &loaded.names,
        &loaded.registry,
        today,
        &mut report,
    )
    .await?;
    demo_accounts::load(db).await.context("demo accounts")?;
    art55_call::load(db).await.context("demo art. 55 call")?;
    Ok(report)
}

/// Only the stories: the hand-written records and the
/// registry's sports associations, without the volume. Tests that look for
/// one record among a few dozen (search relevance, say) use it; a later
/// [`demo`] adds the volume. Fails like [`demo`].
pub async fn stories(db: &DatabaseConnection) -> anyhow::Result<DemoReport> {
    let mut report = DemoReport::default();
    load_stories(db, &Actor::system("demo"), &mut report).await?;
    Ok(report)
}

/// What the volume needs from the stories.
struct Stories {
    /// Hand-written organisations by key, and by name.
    keys: HashMap<String, Uuid>,
    names: HashMap<String, Uuid>,
    /// The registry's associations with their seat's ISTAT code.
    registry: Vec<(Uuid, Option<String>)>,
}

async fn load_stories(
    db: &DatabaseConnection,
    actor: &Actor,
    report: &mut DemoReport,
) -> anyhow::Result<Stories> {
    let file: DemoFile = serde_json::from_str(DEMO_JSON).context("assets/demo/milano.json")?;

    // Already there when the state was opened; a bare connection gets them
    // here.
    reference_data::ensure_loaded(db).await?;

    let mut keys: HashMap<String, Uuid> = HashMap::new();
    let mut names: HashMap<String, Uuid> = HashMap::new();
    for org in &file.organizations {
        let id = ensure_organization(db, actor, org, report)
            .await
            .with_context(|| format!("demo organisation {:?}", org.key))?;
        keys.insert(org.key.clone(), id);
        names.insert(org.name.clone(), id);
    }
    for offer in &file.offers {
        let organization_id = *keys.get(&offer.organization).ok_or_else(|| {
            anyhow!(
                "demo offer {:?}: unknown organisation {:?}",
                offer.title,
                offer.organization
            )
        })?;
        ensure_offer(db, actor, organization_id, offer, report)
            .await
            .with_context(|| format!("demo offer {:?}", offer.title))?;
    }
    for need in &file.needs {
        let organization_id = *keys.get(&need.organization).ok_or_else(|| {
            anyhow!(
                "demo need {:?}: unknown organisation {:?}",
                need.title,
                need.organization
            )
        })?;
        ensure_need(db, actor, organization_id, need, report)
            .await
            .with_context(|| format!("demo need {:?}", need.title))?;
    }
    for pact in &file.pacts {
        ensure_pact(db, &keys, pact, report)
            .await
            .with_context(|| format!("demo pact {:?}", pact.title))?;
    }
    let registry =
        load_registry_associations(db, actor, file.registry_organizations.limit, report).await?;
    Ok(Stories {
        keys,
        names,
        registry,
    })
}

async fn ensure_organization(
    db: &DatabaseConnection,
    actor: &Actor,
    org: &DemoOrganization,
    report: &mut DemoReport,
) -> anyhow::Result<Uuid> {
    let existing = match &org.tax_code {
        Some(tax_code) => organizations::find_by_tax_code(db, tax_code).await?,
        // A kind the demo file misspells finds nothing; creating it then
        // fails on validation, naming the kind.
        None => match OrganizationKind::parse(&org.kind) {
            Ok(kind) => store::organization_named(db, &org.name, kind).await?,
            Err(_) => None,
        },
    };
    if let Some(existing) = existing {
        report.already_present += 1;
        return Ok(existing.id);
    }
    let input = OrganizationInput {
        name: org.name.clone(),
        kind: org.kind.clone(),
        tax_code: org.tax_code.clone(),
        vat_number: None,
        description: org.description.clone(),
        website: org.website.clone(),
        seat_municipality_code: org.seat_municipality_code.clone(),
        address: None,
        lat: org.lat,
        lon: org.lon,
        sectors: org.sectors.clone(),
        neighbourhood_ids: org
            .neighbourhoods
            .iter()
            .map(|code| neighbourhood_id(MILANO, code).to_string())
            .collect(),
        contacts: org
            .contacts
            .iter()
            .map(|c| ContactInput {
                kind: c.kind.clone(),
                value: c.value.clone(),
                label: None,
                visibility: c.visibility.clone(),
            })
            .collect(),
    };
    let verification = match (&org.verified, org.runts) {
        (Some(source), runts) => Some(Verification {
            source: source.clone(),
            runts_registered: runts,
        }),
        (None, true) => Some(Verification {
            source: "RUNTS (dati dimostrativi)".to_owned(),
            runts_registered: true,
        }),
        (None, false) => None,
    };
    let created = organizations::create(db, actor, &input, verification).await?;
    report.organizations_added += 1;
    Ok(created.id)
}

async fn ensure_offer(
    db: &DatabaseConnection,
    actor: &Actor,
    organization_id: Uuid,
    offer: &DemoOffer,
    report: &mut DemoReport,
) -> anyhow::Result<()> {
    let exists = store::offer_titled(db, organization_id, &offer.title)
        .await?
        .is_some();
    if exists {
        report.already_present += 1;
        return Ok(());
    }
    let input = OfferInput {
        kind: offer.kind.clone(),
        title: offer.title.clone(),
        description: offer.description.clone(),
        amount_min_cents: offer.amount_min_cents,
        amount_max_cents: offer.amount_max_cents,
        available_from: offer.available_from,
        available_until: offer.available_until,
        eligible_organization_kinds: offer.eligible_organization_kinds.clone(),
        territory_scope: offer.territory_scope.clone(),
        municipality_code: offer.municipality_code.clone(),
        neighbourhood_id: offer
            .neighbourhood_code
            .as_ref()
            .map(|code| neighbourhood_id(MILANO, code).to_string()),
        other_places: offer.other_places.inputs(),
        lat: None,
        lon: None,
        sectors: offer.sectors.clone(),
        status: offer.status.clone(),
    };
    offers::create(db, actor, organization_id, &input).await?;
    report.offers_added += 1;
    Ok(())
}

async fn ensure_need(
    db: &DatabaseConnection,
    actor: &Actor,
    organization_id: Uuid,
    need: &DemoNeed,
    report: &mut DemoReport,
) -> anyhow::Result<()> {
    let exists = store::need_titled(db, organization_id, &need.title)
        .await?
        .is_some();
    if exists {
        report.already_present += 1;
        return Ok(());
    }
    let input = NeedInput {
        kind: need.kind.clone(),
        title: need.title.clone(),
        description: need.description.clone(),
        budget_cents: need.budget_cents,
        deadline_at: need.deadline_at,
        municipality_code: need.municipality_code.clone(),
        neighbourhood_id: need
            .neighbourhood_code
            .as_ref()
            .map(|code| neighbourhood_id(MILANO, code).to_string()),
        other_places: need.other_places.inputs(),
        territory_scope: need.territory_scope.clone(),
        lat: None,
        lon: None,
        location_precision: need.location_precision.clone(),
        required_contributions: need.required_contributions.clone(),
        eligible_organization_kinds: need.eligible_organization_kinds.clone(),
        requires_third_sector_registration: need.requires_third_sector_registration,
        sectors: need.sectors.clone(),
        status: need.status.clone(),
    };
    match need.deadline_at {
        // A need whose deadline has passed was published before it: weeks
        // before, as on a platform in use.
        Some(deadline) if deadline < crate::services::now() => {
            let published_at = deadline - chrono::Duration::days(PASSED_NEED_PUBLISHED_DAYS);
            needs::create_published_at(db, actor, organization_id, &input, published_at).await?;
        }
        _ => {
            needs::create(db, actor, organization_id, &input).await?;
        }
    }
    report.needs_added += 1;
    Ok(())
}

async fn ensure_pact(
    db: &DatabaseConnection,
    keys: &HashMap<String, Uuid>,
    pact: &DemoPact,
    report: &mut DemoReport,
) -> anyhow::Result<()> {
    let key = |k: &str| {
        keys.get(k)
            .copied()
            .ok_or_else(|| anyhow!("unknown organisation {k:?}"))
    };
    let lead = key(&pact.need_organization)?;
    let need = store::need_titled(db, lead, &pact.need)
        .await?
        .ok_or_else(|| anyhow!("need: no need {:?}", pact.need))?;
    let exists = codesign::pact_exists(db, need.id, &pact.title).await?;
    if exists {
        report.already_present += 1;
        return Ok(());
    }
    let procedure = ProjectProcedure::parse(&pact.procedure)
        .map_err(|reason| anyhow!("procedure: {reason:?}"))?;
    let stage = ProjectStage::parse(&pact.stage)
        .ok()
        .filter(|s| s.belongs_to(procedure))
        .ok_or_else(|| anyhow!("stage: {:?} is not a stage of {procedure:?}", pact.stage))?;
    let at = crate::services::now();
    let mut contributions = Vec::with_capacity(pact.contributions.len());
    for contribution in &pact.contributions {
        contributions.push(codesign::PactContribution {
            organization_id: key(&contribution.organization)?,
            kind: OfferKind::parse(&contribution.kind)
                .map_err(|reason| anyhow!("contributions: kind {reason:?}"))?,
            description: contribution.description.clone(),
            amount_cents: contribution.amount_cents,
        });
    }
    let signed = codesign::SignedPact {
        need_id: need.id,
        lead_organization_id: lead,
        title: pact.title.clone(),
        description: pact.description.clone(),
        procedure,
        stage,
        signed_at: at - chrono::Duration::days(pact.signed_days_ago as i64),
        contributions,
    };
    let txn = db.begin().await?;
    codesign::record_signed_pact(&txn, &signed, at).await?;
    txn.commit().await?;
    report.pacts_added += 1;
    Ok(())
}

/// Real sports associations of the Province of Milano (5x1000 list, 2014),
/// registered as associations in the sport sector and verified against that
/// official list. Returns them with their seat's ISTAT code.
async fn load_registry_associations(
    db: &DatabaseConnection,
    actor: &Actor,
    limit: usize,
    report: &mut DemoReport,
) -> anyhow::Result<Vec<(Uuid, Option<String>)>> {
    let mut loaded = Vec::new();
    let province: HashMap<String, String> = store::municipalities_of_province(db, "MI")
        .await?
        .into_iter()
        .map(|m| (m.name.to_uppercase(), m.istat_code))
        .collect();
    let mut reader = csv::Reader::from_reader(ASD_CSV.as_bytes());
    let mut taken = 0;
    for row in reader.deserialize::<AsdRow>() {
        if taken >= limit {
            break;
        }
        let row = row.context("asd_provincia_milano.csv")?;
        // The list was extracted from a PDF: a few codes lost a digit. They
        // are skipped, not repaired.
        if TaxCode::parse(&row.codice_fiscale).is_err() {
            report.registry_rows_skipped += 1;
            continue;
        }
        taken += 1;
        if let Some(existing) = organizations::find_by_tax_code(db, &row.codice_fiscale).await? {
            report.already_present += 1;
            loaded.push((existing.id, existing.seat_municipality_code));
            continue;
        }
        let municipality = province.get(&row.comune.to_uppercase()).cloned();
        let town = reference_data::title_case(&row.comune);
        let input = OrganizationInput {
            name: reference_data::title_case(&row.denominazione),
            kind: "association".to_owned(),
            tax_code: Some(row.codice_fiscale.clone()),
            vat_number: None,
            description: format!(
                "Associazione sportiva dilettantistica con sede a {town}. Iscritta tra i beneficiari del 5 per mille (elenco 2014 dell'Agenzia delle Entrate)."
            ),
            website: None,
            seat_municipality_code: municipality.clone(),
            address: None,
            lat: None,
            lon: None,
            sectors: vec!["sport".to_owned()],
            neighbourhood_ids: Vec::new(),
            contacts: Vec::new(),
        };
        match organizations::create(
            db,
            actor,
            &input,
            Some(Verification {
                source: "Agenzia delle Entrate, elenco beneficiari 5 per mille 2014".to_owned(),
                runts_registered: false,
            }),
        )
        .await
        {
            Ok(created) => {
                report.organizations_added += 1;
                loaded.push((created.id, municipality));
            }
            Err(crate::error::AppError::Invalid(errors)) => {
                tracing::warn!(tax_code = %row.codice_fiscale, %errors, "registry row skipped");
                report.registry_rows_skipped += 1;
            }
            Err(other) => return Err(anyhow!(other)),
        }
    }
    Ok(loaded)
}
