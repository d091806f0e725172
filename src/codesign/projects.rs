//! Starting projects: the one a partnership opens (or joins) for a need,
//! and the signed pacts the demo loads as rows.

use chrono::{DateTime, Duration, Utc};
use sea_orm::{ConnectionTrait, Set};
use uuid::Uuid;

use crate::domain::{NeedKind, OfferKind, PartnerRole, ProjectProcedure, ProjectStage};
use crate::error::AppError;
use crate::store::entities::{
    needs, offers, project_contributions, project_partners, project_stages, projects,
};
use crate::store::projects as store;

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
    let (project_id, created) = match store::open_project_of_need(txn, need.id).await? {
        Some(project) => (project.id, None),
        None => {
            let id = Uuid::now_v7();
            let procedure = if need.requires_third_sector_registration
                || need.kind == NeedKind::CallForProposals.as_str()
            {
                ProjectProcedure::Coprogettazione
            } else {
                ProjectProcedure::PattoCollaborazione
            };
            store::insert_project(
                txn,
                projects::ActiveModel {
                    id: Set(id),
                    title: Set(need.title.clone()),
                    description: Set(need.description.clone()),
                    procedure: Set(procedure.as_str().to_owned()),
                    stage: Set(ProjectStage::FirstContact.as_str().to_owned()),
                    need_id: Set(Some(need.id)),
                    lead_organization_id: Set(need.organization_id),
                    is_public: Set(false),
                    signed_at: Set(None),
                    created_by: Set(created_by),
                    created_at: Set(at),
                    updated_at: Set(at),
                    deleted_at: Set(None),
                },
            )
            .await?;
            store::insert_stage(txn, stage_row(id, ProjectStage::FirstContact, at, None)).await?;
            add_partner(txn, id, need.organization_id, PartnerRole::Lead, None, at).await?;
            (id, Some(procedure))
        }
    };
    add_partner(
        txn,
        project_id,
        offer.organization_id,
        PartnerRole::Partner,
        Some(match_id),
        at,
    )
    .await?;
    store::insert_contribution(
        txn,
        project_contributions::ActiveModel {
            id: Set(Uuid::now_v7()),
            project_id: Set(project_id),
            organization_id: Set(offer.organization_id),
            kind: Set(offer.kind.clone()),
            description: Set(offer.title.clone()),
            amount_cents: Set(offer.amount_max_cents),
            offer_id: Set(Some(offer.id)),
            status: Set("proposed".to_owned()),
            created_at: Set(at),
            updated_at: Set(at),
        },
    )
    .await?;
    Ok(Opened {
        project_id,
        created,
    })
}

/// Adds an organisation to a project, unless it is already a partner.
async fn add_partner(
    txn: &impl ConnectionTrait,
    project_id: Uuid,
    organization_id: Uuid,
    role: PartnerRole,
    match_id: Option<Uuid>,
    at: DateTime<Utc>,
) -> Result<(), AppError> {
    if store::partner(txn, project_id, organization_id)
        .await?
        .is_none()
    {
        store::insert_partner(
            txn,
            partner_row(project_id, organization_id, role, match_id, at),
        )
        .await?;
    }
    Ok(())
}

fn stage_row(
    project_id: Uuid,
    stage: ProjectStage,
    started_at: DateTime<Utc>,
    completed_at: Option<DateTime<Utc>>,
) -> project_stages::ActiveModel {
    project_stages::ActiveModel {
        id: Set(Uuid::now_v7()),
        project_id: Set(project_id),
        stage: Set(stage.as_str().to_owned()),
        started_at: Set(started_at),
        completed_at: Set(completed_at),
        notes: Set(None),
    }
}

fn partner_row(
    project_id: Uuid,
    organization_id: Uuid,
    role: PartnerRole,
    match_id: Option<Uuid>,
    joined_at: DateTime<Utc>,
) -> project_partners::ActiveModel {
    project_partners::ActiveModel {
        id: Set(Uuid::now_v7()),
        project_id: Set(project_id),
        organization_id: Set(organization_id),
        role: Set(role.as_str().to_owned()),
        match_id: Set(match_id),
        joined_at: Set(joined_at),
        left_at: Set(None),
    }
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
/// the stages up to the one reached (those before the agreement a week
/// apart in the month before the signature, the agreement at the
/// signature), the agreed contributions and the partners (the lead first).
/// No service signs projects yet, so the demo writes them as rows, in the
/// shape [`open_for_partnership`] starts, carried on to the signature.
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
        projects::ActiveModel {
            id: Set(id),
            title: Set(pact.title.clone()),
            description: Set(pact.description.clone()),
            procedure: Set(pact.procedure.as_str().to_owned()),
            stage: Set(pact.stage.as_str().to_owned()),
            need_id: Set(Some(pact.need_id)),
            lead_organization_id: Set(pact.lead_organization_id),
            is_public: Set(true),
            signed_at: Set(Some(signed_at)),
            created_by: Set(None),
            created_at: Set(signed_at - Duration::days(30)),
            updated_at: Set(at),
            deleted_at: Set(None),
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
    let agreement = reached
        .iter()
        .position(|s| *s == ProjectStage::Agreement)
        .unwrap_or(0);
    let start_of = |i: usize| signed_at + Duration::days(7 * (i as i64 - agreement as i64));
    for (i, step) in reached.iter().enumerate() {
        let completed_at = (i + 1 < reached.len()).then(|| start_of(i + 1));
        store::insert_stage(txn, stage_row(id, *step, start_of(i), completed_at)).await?;
    }
    let mut partners = vec![pact.lead_organization_id];
    for contribution in &pact.contributions {
        if !partners.contains(&contribution.organization_id) {
            partners.push(contribution.organization_id);
        }
        store::insert_contribution(
            txn,
            project_contributions::ActiveModel {
                id: Set(Uuid::now_v7()),
                project_id: Set(id),
                organization_id: Set(contribution.organization_id),
                kind: Set(contribution.kind.as_str().to_owned()),
                description: Set(contribution.description.clone()),
                amount_cents: Set(contribution.amount_cents),
                offer_id: Set(None),
                status: Set("agreed".to_owned()),
                created_at: Set(signed_at),
                updated_at: Set(signed_at),
            },
        )
        .await?;
    }
    for (i, organization) in partners.into_iter().enumerate() {
        let role = if i == 0 {
            PartnerRole::Lead
        } else {
            PartnerRole::Partner
        };
        let joined_at = signed_at - Duration::days(30);
        store::insert_partner(txn, partner_row(id, organization, role, None, joined_at)).await?;
    }
    Ok(id)
}
