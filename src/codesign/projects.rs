//! Starting projects: the one a partnership opens (or joins) for a need,
//! the one a need's organisation opens itself, and the signed pacts the
//! demo loads as rows.

use chrono::{DateTime, Duration, Utc};
use sea_orm::ConnectionTrait;
use uuid::Uuid;

use super::workspace;
use crate::domain::codesign::{Partner, agreement, check_join, check_role};
use crate::domain::{
    ContributionStatus, NeedKind, OfferKind, PartnerRole, ProjectProcedure, ProjectStage,
};
use crate::error::{AppError, Entity};
use crate::store::entities::{needs, offers, organizations, projects};
use crate::store::projects::{self as store, NewContribution, NewPartner, NewProject};

/// What [`open_for_partnership`] did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Opened {
    pub project_id: Uuid,
    /// The procedure of a project created for this partnership; `None`
    /// when the offer's organisation joined the need's project already open.
    pub created: Option<ProjectProcedure>,
}

/// The project a match's partnership opened, if any.
pub async fn project_of_match(
    db: &impl ConnectionTrait,
    match_id: Uuid,
) -> Result<Option<Uuid>, AppError> {
    Ok(store::project_of_match(db, match_id).await?)
}

/// The organisation with this id; NOT_FOUND as `entity` on `field` when it
/// is gone (the posting that names it was read in the same transaction, so
/// the caller reports what the person asked for, not the organisation).
async fn organization(
    txn: &impl ConnectionTrait,
    id: Uuid,
    entity: Entity,
    field: &'static str,
) -> Result<organizations::Model, AppError> {
    store::organizations_by_id(txn, [id])
        .await?
        .into_iter()
        .next()
        .ok_or_else(|| AppError::not_found(entity, field))
}

/// Opens the need's co-design project with the offer's organisation as a
/// partner (and its offer as a proposed contribution), or adds both to the
/// need's project already open, in the caller's transaction. A need that
/// asks for RUNTS registration, or a call for proposals, is co-designed
/// under art. 55 (co-progettazione); any other under a collaboration pact.
#[tracing::instrument(skip_all, fields(%match_id, need = %need.id, offer = %offer.id))]
pub async fn open_for_partnership(
    txn: &impl ConnectionTrait,
    match_id: Uuid,
    need: &needs::Model,
    offer: &offers::Model,
    created_by: Option<Uuid>,
    at: DateTime<Utc>,
) -> Result<Opened, AppError> {
    let offeror = organization(txn, offer.organization_id, Entity::Organization, "matchId").await?;
    let candidate = workspace::candidate(&offeror);
    let (project_id, created, procedure) = match store::open_project_of_need(txn, need.id).await? {
        Some(project) => (project.id, None, project.procedure),
        None => {
            let procedure = if need.requires_third_sector_registration
                || need.kind == NeedKind::CallForProposals
            {
                ProjectProcedure::Coprogettazione
            } else {
                ProjectProcedure::PattoCollaborazione
            };
            let id = start_project(txn, need, procedure, created_by, at).await?;
            (id, Some(procedure), procedure)
        }
    };
    // Under art. 55 a body outside RUNTS joins as a supporter (or a
    // funder, when it brings money), never as a principal partner.
    let role = if check_role(procedure, PartnerRole::Partner, candidate).is_ok() {
        PartnerRole::Partner
    } else if matches!(offer.kind, OfferKind::Funding | OfferKind::Loan) {
        PartnerRole::Funder
    } else {
        PartnerRole::Supporter
    };
    if created.is_none() {
        let current = workspace::Workspace::load(txn, project_id, "matchId").await?;
        let partners = current.domain_partners();
        if !partners
            .iter()
            .any(|p| p.organization_id == offer.organization_id)
        {
            check_join(
                procedure,
                current.project.stage,
                &partners,
                offer.organization_id,
                role,
                candidate,
            )?;
        }
    }
    add_partner(
        txn,
        project_id,
        offer.organization_id,
        role,
        Some(match_id),
        at,
    )
    .await?;
    let kind = offer.kind;
    store::insert_contribution(
        txn,
        NewContribution {
            project_id,
            organization_id: offer.organization_id,
            kind,
            description: &offer.title,
            amount_cents: offer.amount_max_cents,
            quantity: None,
            unit: None,
            offer_id: Some(offer.id),
            status: ContributionStatus::Proposed,
            at,
        },
    )
    .await?;
    Ok(Opened {
        project_id,
        created,
    })
}

/// Opens the co-design project of a need by its own organisation (the
/// lead), under `procedure`, in the caller's transaction. Fails with
/// `codesign.principal_requires_runts` when the need's organisation may not
/// lead under art. 55, and with CONFLICT on `needId` when the need already
/// has a project under way.
pub async fn open_for_need(
    txn: &impl ConnectionTrait,
    need: &needs::Model,
    procedure: ProjectProcedure,
    created_by: Option<Uuid>,
    at: DateTime<Utc>,
) -> Result<Uuid, AppError> {
    let lead = organization(txn, need.organization_id, Entity::Need, "needId").await?;
    check_role(procedure, PartnerRole::Lead, workspace::candidate(&lead))?;
    if store::open_project_of_need(txn, need.id).await?.is_some() {
        return Err(AppError::conflict(
            "needId",
            "il bisogno ha già un progetto in corso",
            "the need already has a project under way",
        ));
    }
    start_project(txn, need, procedure, created_by, at).await
}

/// Inserts the need's project in its first stage, led by the need's
/// organisation.
async fn start_project(
    txn: &impl ConnectionTrait,
    need: &needs::Model,
    procedure: ProjectProcedure,
    created_by: Option<Uuid>,
    at: DateTime<Utc>,
) -> Result<Uuid, AppError> {
    let id = Uuid::now_v7();
    store::insert_project(
        txn,
        NewProject {
            id,
            title: &need.title,
            description: &need.description,
            procedure,
            stage: ProjectStage::first(procedure),
            need_id: Some(need.id),
            lead_organization_id: need.organization_id,
            is_public: false,
            signed_at: None,
            created_by,
            created_at: at,
            updated_at: at,
        },
    )
    .await?;
    store::insert_stage(txn, id, ProjectStage::first(procedure), at, None).await?;
    add_partner(txn, id, need.organization_id, PartnerRole::Lead, None, at).await?;
    Ok(id)
}

/// Adds an organisation to a project, unless it is already a partner; a
/// former partner rejoins.
pub(crate) async fn add_partner(
    txn: &impl ConnectionTrait,
    project_id: Uuid,
    organization_id: Uuid,
    role: PartnerRole,
    match_id: Option<Uuid>,
    at: DateTime<Utc>,
) -> Result<(), AppError> {
    match store::partner(txn, project_id, organization_id).await? {
        None => {
            let partner = NewPartner {
                project_id,
                organization_id,
                role,
                match_id,
                joined_at: at,
            };
            store::insert_partner(txn, partner).await?;
        }
        // A former partner comes back (invited again, or consenting on a
        // match): one row per organisation and project, so it is that row
        // that rejoins; the audit log keeps its leaving.
        Some(former) if former.left_at.is_some() => {
            store::rejoin(txn, former, role, match_id, at).await?;
        }
        Some(_) => {}
    }
    Ok(())
}

/// A pact signed outside Trama, as the demo describes it.
#[derive(Clone, Debug)]
pub struct SignedPact {
    pub need_id: Uuid,
    pub lead_organization_id: Uuid,
    pub title: String,
    pub description: String,
    pub procedure: ProjectProcedure,
    /// The stage reached; a stage of `procedure`.
    pub stage: ProjectStage,
    pub signed_at: DateTime<Utc>,
    pub contributions: Vec<PactContribution>,
}

/// What one organisation brings to a signed pact.
#[derive(Clone, Debug)]
pub struct PactContribution {
    pub organization_id: Uuid,
    pub kind: OfferKind,
    pub description: String,
    pub amount_cents: Option<i64>,
}

/// Whether the need already has a project of this title (the demo loads
/// each pact once).
pub async fn pact_exists(
    db: &impl ConnectionTrait,
    need_id: Uuid,
    title: &str,
) -> Result<bool, AppError> {
    Ok(store::project_of_need_titled(db, need_id, title)
        .await?
        .is_some())
}

/// Writes a signed, public pact in the caller's transaction: the project,
/// the stages up to the one reached (those before the signing stage a
/// week apart before the signature, the signing stage at the signature), the agreed contributions and the partners (the lead first).
/// The demo writes them as rows, in the shape [`open_for_partnership`]
/// starts, carried on to the signature (signing in Trama goes through
/// [`crate::services::projects::advance`]).
#[tracing::instrument(skip_all, fields(title = %pact.title))]
pub async fn record_signed_pact(
    txn: &impl ConnectionTrait,
    pact: &SignedPact,
    at: DateTime<Utc>,
) -> Result<Uuid, AppError> {
    let id = Uuid::now_v7();
    let signed_at = pact.signed_at;
    store::insert_project(
        txn,
        NewProject {
            id,
            title: &pact.title,
            description: &pact.description,
            procedure: pact.procedure,
            stage: pact.stage,
            need_id: Some(pact.need_id),
            lead_organization_id: pact.lead_organization_id,
            is_public: true,
            signed_at: Some(signed_at),
            created_by: None,
            created_at: signed_at - Duration::days(30),
            updated_at: at,
        },
    )
    .await?;
    let sequence = ProjectStage::sequence(pact.procedure);
    let reached: Vec<ProjectStage> = sequence
        .iter()
        .copied()
        .take_while(|s| *s != pact.stage)
        .chain([pact.stage])
        .collect();
    // The stage the signature leads to is dated at the signature.
    let signing = ProjectStage::signing(pact.procedure);
    let agreement = reached.iter().position(|s| *s == signing).unwrap_or(0);
    let start_of = |i: usize| signed_at + Duration::days(7 * (i as i64 - agreement as i64));
    for (i, step) in reached.iter().enumerate() {
        let completed_at = (i + 1 < reached.len()).then(|| start_of(i + 1));
        store::insert_stage(txn, id, *step, start_of(i), completed_at).await?;
    }
    let mut partners = vec![pact.lead_organization_id];
    for contribution in &pact.contributions {
        if !partners.contains(&contribution.organization_id) {
            partners.push(contribution.organization_id);
        }
        store::insert_contribution(
            txn,
            NewContribution {
                project_id: id,
                organization_id: contribution.organization_id,
                kind: contribution.kind,
                description: &contribution.description,
                amount_cents: contribution.amount_cents,
                quantity: None,
                unit: None,
                offer_id: None,
                status: ContributionStatus::Agreed,
                at: signed_at,
            },
        )
        .await?;
    }
    let parties: Vec<Partner> = partners
        .iter()
        .enumerate()
        .map(|(i, organization)| Partner {
            organization_id: *organization,
            role: if i == 0 {
                PartnerRole::Lead
            } else {
                PartnerRole::Partner
            },
        })
        .collect();
    for (i, organization) in partners.into_iter().enumerate() {
        let role = parties[i].role;
        let joined_at = signed_at - Duration::days(30);
        let partner = NewPartner {
            project_id: id,
            organization_id: organization,
            role,
            match_id: None,
            joined_at,
        };
        store::insert_partner(txn, partner).await?;
    }
    record_signed_agreement(txn, id, pact, &parties).await?;
    Ok(id)
}

/// The demo pact's signed agreement as signing in Trama leaves it: its text
/// (the pact's description) as version 1, each party's approval the day
/// before the signature, and the version's hash. The demo has no people
/// behind the approvals: they are the organisations'.
async fn record_signed_agreement(
    txn: &impl ConnectionTrait,
    project_id: Uuid,
    pact: &SignedPact,
    parties: &[Partner],
) -> Result<(), AppError> {
    let text = pact.description.as_str();
    store::insert_agreement_version(
        txn,
        project_id,
        1,
        text,
        None,
        pact.signed_at - Duration::days(3),
    )
    .await?;
    let sequence = ProjectStage::sequence(pact.procedure);
    let signing = ProjectStage::signing(pact.procedure);
    let before_signing = sequence
        .iter()
        .position(|s| *s == signing)
        .and_then(|at| at.checked_sub(1))
        .map_or(signing, |at| sequence[at]);
    for party in parties {
        store::insert_agreement_approval(
            txn,
            project_id,
            before_signing,
            1,
            party.organization_id,
            None,
            pact.signed_at - Duration::days(1),
        )
        .await?;
    }
    let project = crate::store::rows::by_id::<projects::Entity>(txn, project_id, "projects: by id")
        .await?
        .ok_or_else(|| AppError::not_found(Entity::Project, "projectId"))?;
    let hash = agreement::content_hash(1, parties, text);
    store::sign(txn, project, 1, &hash, pact.signed_at).await?;
    Ok(())
}
