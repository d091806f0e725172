//! The project workspace's use-cases (issue 15): opening a project from a
//! need, inviting partners and answering for them, leaving, contributions,
//! moving through the procedure's stages, writing, approving and signing
//! the agreement, milestones and each partner's report, and moderators
//! hiding a project. Each use-case loads the workspace, asks the rules of
//! [`crate::domain::codesign`], writes in one transaction with its audit
//! record, and returns the project's id. A refused rule is
//! [`AppError::Codesign`] (FORBIDDEN about who acts, CONFLICT about the
//! project's state) naming the rule. What the rows feed to the digest's
//! project section (partners, stages, contributions, agreement versions
//! and approvals) is read by [`crate::codesign::activity`].

use chrono::NaiveDate;
use sea_orm::{DatabaseConnection, DatabaseTransaction, TransactionTrait};
use serde_json::json;
use uuid::Uuid;

use super::{Actor, audit, now, permissions};
use crate::codesign::projects as opening;
use crate::codesign::workspace::{self, Topic, Workspace};
use crate::domain::codesign::{
    self as rules, Activity, Actor as Acting, NextStep, NoticeInput, Procedure, Rule, Who, Written,
};
use crate::domain::{
    AgreementText, ContributionKind, ContributionStatus, Description, EuroCents, Invalid,
    PartnerRole, ProjectProcedure, ProjectStage, ShortText, Title,
};
use crate::error::{AppError, Entity};
use crate::policy::visibility::Reader;
use crate::services::by_id;
use crate::store::projects as rows;

/// A use-case under way: its transaction, the signed-in user, the rules'
/// view of them, and the project's workspace.
struct Step<'a> {
    txn: DatabaseTransaction,
    actor: &'a Actor,
    user_id: Uuid,
    acting: Acting,
    ws: Workspace,
}

impl<'a> Step<'a> {
    /// Signs in the actor, opens the transaction and loads the project
    /// (NOT_FOUND on `field`).
    async fn begin(
        db: &DatabaseConnection,
        actor: Option<&'a Actor>,
        project_id: Uuid,
        field: &str,
    ) -> Result<Self, AppError> {
        let (actor, user_id) = permissions::signed_in(actor)?;
        let txn = db.begin().await?;
        let ws = Workspace::load(&txn, project_id, field).await?;
        let acting = workspace::actor_of(&txn, Some(user_id)).await?;
        Ok(Self {
            txn,
            actor,
            user_id,
            acting,
            ws,
        })
    }

    fn project_id(&self) -> Uuid {
        self.ws.project.id
    }

    /// Whether `activity` is open in the project's stage.
    fn check_activity(&self, activity: Activity) -> Result<(), AppError> {
        Ok(Procedure::of(self.ws.project.procedure)
            .check_activity(self.ws.project.stage, activity)?)
    }

    /// Whether the actor is who the rule asks for.
    fn check_who(&self, who: Who) -> Result<(), AppError> {
        Ok(who.check(
            &self.acting,
            self.ws.project.lead_organization_id,
            self.ws.public_body(),
            &self.ws.domain_partners(),
        )?)
    }

    /// Audits the change and commits; returns the project's id.
    async fn finish(self, action: &str, changes: serde_json::Value) -> Result<Uuid, AppError> {
        let id = self.project_id();
        audit(&self.txn, self.actor, action, "project", id, changes).await?;
        self.txn.commit().await?;
        Ok(id)
    }
}

/// A required free text of up to 20,000 characters; bad input on `field`.
fn required_text(raw: &str, field: &str) -> Result<String, AppError> {
    let text = Description::parse(raw).map_err(|reason| AppError::invalid(field, reason))?;
    if text.is_empty() {
        return Err(AppError::invalid(field, Invalid::Required));
    }
    Ok(text.as_str().to_owned())
}

/// A non-negative amount of euro cents; bad input on `field`.
fn cents(value: i64, field: &str) -> Result<i64, AppError> {
    EuroCents::new(value)
        .map(|c| c.cents())
        .map_err(|reason| AppError::invalid(field, reason))
}

/// A non-negative finite quantity; bad input on `field`.
fn quantity(value: f64, field: &str) -> Result<f64, AppError> {
    if !value.is_finite() {
        Err(AppError::invalid(field, Invalid::Required))
    } else if value < 0.0 {
        Err(AppError::invalid(field, Invalid::Negative))
    } else {
        Ok(value)
    }
}

/// Opens the co-design project of a need, led by the need's organisation,
/// whose admin asks. Fails with UNAUTHENTICATED, NOT_FOUND (`needId`), the
/// rules `codesign.lead_only`, `codesign.admin_only`,
/// `codesign.principal_requires_runts`, or CONFLICT on `needId` (a project
/// under way).
#[tracing::instrument(skip_all, fields(%need_id))]
pub async fn open(
    db: &DatabaseConnection,
    actor: Option<&Actor>,
    need_id: Uuid,
    procedure: ProjectProcedure,
) -> Result<Uuid, AppError> {
    let (actor, user_id) = permissions::signed_in(actor)?;
    let need = super::needs::get(db, need_id, "needId").await?;
    let acting = workspace::actor_of(db, Some(user_id)).await?;
    Who::LeadAdmin.check(&acting, need.organization_id, None, &[])?;
    let txn = db.begin().await?;
    let id = opening::open_for_need(&txn, &need, procedure, Some(user_id), now()).await?;
    audit(
        &txn,
        actor,
        "project.create",
        "project",
        id,
        json!({ "needId": need.id, "procedure": procedure.as_str() }),
    )
    .await?;
    txn.commit().await?;
    Ok(id)
}

/// Invites an organisation into the project in `role`; the lead's admins
/// only. Fails with the rules `codesign.lead_only`, `codesign.admin_only`,
/// `codesign.principal_requires_runts`, `codesign.already_partner`,
/// `codesign.one_lead`, NOT_FOUND (`projectId`, `organizationId`) or
/// CONFLICT on `organizationId` (already invited).
pub async fn invite_partner(
    db: &DatabaseConnection,
    actor: Option<&Actor>,
    project_id: Uuid,
    organization_id: Uuid,
    role: PartnerRole,
) -> Result<Uuid, AppError> {
    let step = Step::begin(db, actor, project_id, "projectId").await?;
    step.check_who(Who::LeadAdmin)?;
    let invited = super::organizations::get(&step.txn, organization_id, "organizationId").await?;
    let partners = step.ws.domain_partners();
    if partners
        .iter()
        .any(|p| p.organization_id == organization_id)
    {
        return Err(Rule::AlreadyPartner.into_error());
    }
    if role == PartnerRole::Lead {
        return Err(Rule::OneLead.into_error());
    }
    rules::check_role(
        step.ws.project.procedure,
        role,
        workspace::candidate(&invited),
    )?;
    if step
        .ws
        .invitations
        .iter()
        .any(|i| i.organization_id == organization_id)
    {
        return Err(AppError::conflict(
            "organizationId",
            "l'organizzazione è già stata invitata e non ha ancora risposto",
            "the organisation has already been invited and has not answered yet",
        ));
    }
    rows::insert_invitation(
        &step.txn,
        project_id,
        organization_id,
        role,
        Some(step.user_id),
        now(),
    )
    .await?;
    step.finish(
        "project.invite",
        json!({ "organizationId": organization_id, "role": role.as_str() }),
    )
    .await
}

/// Accepts or declines the project's invitation of an organisation the
/// actor is an admin of (`organization_id`, or the first such one).
/// Accepting checks that the organisation may join now
/// ([`rules::check_join`]). Fails with NOT_FOUND on `projectId` when no
/// invitation waits for an organisation of the actor, and with
/// `codesign.admin_only` for its members who are not admins.
pub async fn answer_invitation(
    db: &DatabaseConnection,
    actor: Option<&Actor>,
    project_id: Uuid,
    accept: bool,
    organization_id: Option<Uuid>,
) -> Result<Uuid, AppError> {
    let step = Step::begin(db, actor, project_id, "projectId").await?;
    let mine = |org: Uuid| organization_id.is_none_or(|wanted| wanted == org);
    let invitations: Vec<_> = step
        .ws
        .invitations
        .iter()
        .filter(|i| mine(i.organization_id) && step.acting.is_member_of(i.organization_id))
        .collect();
    let Some(invitation) = invitations
        .iter()
        .find(|i| step.acting.is_admin_of(i.organization_id))
        .copied()
        .cloned()
    else {
        return Err(if invitations.is_empty() {
            AppError::not_found(Entity::Invitation, "projectId")
        } else {
            Rule::AdminOnly.into_error()
        });
    };
    let at = now();
    if accept {
        let candidate = step
            .ws
            .candidate(invitation.organization_id)
            .ok_or_else(|| AppError::not_found(Entity::Organization, "organizationId"))?;
        rules::check_join(
            step.ws.project.procedure,
            step.ws.project.stage,
            &step.ws.domain_partners(),
            invitation.organization_id,
            invitation.role,
            candidate,
        )?;
        opening::add_partner(
            &step.txn,
            project_id,
            invitation.organization_id,
            invitation.role,
            None,
            at,
        )
        .await?;
    }
    let org = invitation.organization_id;
    rows::answer_invitation(&step.txn, invitation, accept, at).await?;
    step.finish(
        if accept {
            "project.invitation.accept"
        } else {
            "project.invitation.decline"
        },
        json!({ "organizationId": org }),
    )
    .await
}

/// An organisation leaves the project, with its reason; an admin of it
/// asks. The lead does not leave (CONFLICT on `projectId`); partners do
/// not change once the stage freezes them (`codesign.partners_frozen`).
pub async fn leave(
    db: &DatabaseConnection,
    actor: Option<&Actor>,
    project_id: Uuid,
    reason: &str,
    organization_id: Option<Uuid>,
) -> Result<Uuid, AppError> {
    let reason = required_text(reason, "reason")?;
    let step = Step::begin(db, actor, project_id, "projectId").await?;
    let org = step.ws.acting_partner(&step.acting, organization_id)?;
    if org == step.ws.project.lead_organization_id {
        return Err(AppError::conflict(
            "projectId",
            "il capofila non lascia il progetto: prima si sceglie un altro capofila",
            "the lead partner does not leave the project: another lead must be chosen first",
        ));
    }
    step.check_activity(Activity::JoinProject)?;
    let partner = step
        .ws
        .partners
        .iter()
        .find(|p| p.organization_id == org)
        .cloned()
        .ok_or_else(|| AppError::not_found(Entity::Organization, "organizationId"))?;
    rows::leave(&step.txn, partner, &reason, now()).await?;
    step.finish(
        "project.leave",
        json!({ "organizationId": org, "reason": reason }),
    )
    .await
}

/// The lead's admin hands the lead to another partner, as the partners
/// agreed; the former lead stays a partner. The roles are part of what the
/// agreement's approvals sign (see `domain::codesign::agreement`), so the
/// approvals given so far are cleared and every partner approves again.
/// Fails with the rules `codesign.lead_only`, `codesign.admin_only`,
/// `codesign.partners_frozen` (once signed),
/// `codesign.principal_requires_runts` (art. 55), or CONFLICT on
/// `organizationId` (not a current partner, or already the lead).
pub async fn hand_over_lead(
    db: &DatabaseConnection,
    actor: Option<&Actor>,
    project_id: Uuid,
    organization_id: Uuid,
) -> Result<Uuid, AppError> {
    let step = Step::begin(db, actor, project_id, "projectId").await?;
    step.check_who(Who::LeadAdmin)?;
    step.check_activity(Activity::JoinProject)?;
    let lead = step.ws.project.lead_organization_id;
    if organization_id == lead {
        return Err(AppError::conflict(
            "organizationId",
            "questa organizzazione è già il capofila",
            "this organisation is already the lead",
        ));
    }
    let partner_of = |id: Uuid| {
        step.ws
            .partners
            .iter()
            .find(|p| p.organization_id == id)
            .cloned()
    };
    let (Some(from), Some(to)) = (partner_of(lead), partner_of(organization_id)) else {
        return Err(AppError::conflict(
            "organizationId",
            "il ruolo di capofila passa solo a un'organizzazione già partner del progetto",
            "the lead can only be handed to an organisation already partner of the project",
        ));
    };
    let candidate = step
        .ws
        .candidate(organization_id)
        .ok_or_else(|| AppError::not_found(Entity::Organization, "organizationId"))?;
    rules::check_role(step.ws.project.procedure, PartnerRole::Lead, candidate)?;
    let cleared = step.ws.agreement().approvals().len();
    rows::hand_over_lead(&step.txn, step.ws.project.clone(), from, to, now()).await?;
    rows::clear_agreement_approvals(&step.txn, project_id).await?;
    step.finish(
        "project.lead",
        json!({ "from": lead, "to": organization_id, "approvalsCleared": cleared }),
    )
    .await
}

/// What a partner brings, as the API gives it.
#[derive(Clone, Debug, Default)]
pub struct ContributionInput {
    pub kind: Option<ContributionKind>,
    pub description: String,
    pub quantity: Option<f64>,
    /// The unit of `quantity`: hours, m2, pieces...
    pub unit: Option<String>,
    pub amount_cents: Option<i64>,
    pub offer_id: Option<Uuid>,
    /// The partner it comes from; by default the first the actor is an
    /// admin of.
    pub organization_id: Option<Uuid>,
}

/// The checked fields of a contribution.
struct CheckedContribution {
    description: String,
    quantity: Option<f64>,
    unit: Option<String>,
    amount_cents: Option<i64>,
}

fn check_contribution(input: &ContributionInput) -> Result<CheckedContribution, AppError> {
    let description = Title::parse(&input.description)
        .map_err(|reason| AppError::invalid("description", reason))?;
    let unit = input
        .unit
        .as_deref()
        .map(|u| {
            ShortText::parse(u)
                .map(|u| u.as_str().to_owned())
                .map_err(|reason| AppError::invalid("unit", reason))
        })
        .transpose()?;
    if input.quantity.is_some() && unit.is_none() {
        return Err(AppError::invalid("unit", Invalid::Required));
    }
    Ok(CheckedContribution {
        description: description.as_str().to_owned(),
        quantity: input
            .quantity
            .map(|q| quantity(q, "quantity"))
            .transpose()?,
        unit,
        amount_cents: input
            .amount_cents
            .map(|c| cents(c, "amountCents"))
            .transpose()?,
    })
}

/// Records what a partner brings, while contributions are open
/// (`codesign.contributions_frozen`); an admin of the partner asks
/// (`codesign.partner_only`, `codesign.admin_only`). The offer, when
/// named, must be the partner's (bad input on `offerId`).
pub async fn add_contribution(
    db: &DatabaseConnection,
    actor: Option<&Actor>,
    project_id: Uuid,
    input: &ContributionInput,
) -> Result<Uuid, AppError> {
    let checked = check_contribution(input)?;
    let kind = input
        .kind
        .ok_or_else(|| AppError::invalid("kind", Invalid::Required))?;
    let step = Step::begin(db, actor, project_id, "projectId").await?;
    let org = step
        .ws
        .acting_partner(&step.acting, input.organization_id)?;
    step.check_activity(Activity::Contributions)?;
    if let Some(offer_id) = input.offer_id {
        let offer = super::offers::get(&step.txn, offer_id, "offerId").await?;
        if offer.organization_id != org {
            return Err(AppError::not_found(Entity::Offer, "offerId"));
        }
    }
    let row = rows::insert_contribution(
        &step.txn,
        rows::NewContribution {
            project_id,
            organization_id: org,
            kind,
            description: &checked.description,
            amount_cents: checked.amount_cents,
            quantity: checked.quantity,
            unit: checked.unit.as_deref(),
            offer_id: input.offer_id,
            status: ContributionStatus::Proposed,
            at: now(),
        },
    )
    .await?;
    step.finish(
        "project.contribution.add",
        json!({ "contributionId": row.id, "organizationId": org, "kind": kind.as_str(),
                "description": checked.description, "quantity": checked.quantity,
                "unit": checked.unit, "amountCents": checked.amount_cents }),
    )
    .await
}

/// Changes (`input` given) or withdraws (`None`) a contribution, by an
/// admin of the partner that made it, while contributions are open.
/// NOT_FOUND on `id`.
pub async fn change_contribution(
    db: &DatabaseConnection,
    actor: Option<&Actor>,
    id: Uuid,
    input: Option<&ContributionInput>,
) -> Result<Uuid, AppError> {
    let checked = input.map(check_contribution).transpose()?;
    let contribution = rows::contribution(db, id)
        .await?
        .ok_or_else(|| AppError::not_found(Entity::Contribution, "id"))?;
    let step = Step::begin(db, actor, contribution.project_id, "id").await?;
    step.acting
        .check_acts_for_partner(contribution.organization_id, &step.ws.domain_partners())?;
    step.check_activity(Activity::Contributions)?;
    let values = match (checked, input) {
        (Some(checked), Some(input)) => Some(rows::ContributionValues {
            kind: input.kind.unwrap_or(contribution.kind),
            description: checked.description,
            quantity: checked.quantity,
            unit: checked.unit,
            amount_cents: checked.amount_cents,
        }),
        _ => None,
    };
    let action = if values.is_some() {
        "project.contribution.update"
    } else {
        "project.contribution.withdraw"
    };
    rows::change_contribution(&step.txn, contribution, values, now()).await?;
    step.finish(action, json!({ "contributionId": id })).await
}

/// Moves the project to `to` through [`rules::check_transition`], carrying
/// out its effects: signing freezes the agreement's latest version with its
/// hash, the approvals and the time.
pub async fn advance(
    db: &DatabaseConnection,
    actor: Option<&Actor>,
    project_id: Uuid,
    to: ProjectStage,
) -> Result<Uuid, AppError> {
    let step = Step::begin(db, actor, project_id, "projectId").await?;
    let at = now();
    let mut parts = step.ws.facts_parts();
    let transition = rules::check_transition(&step.ws.facts(&parts), &step.acting, to, at)?;
    let from = step.ws.project.stage;
    let project = rows::move_to_stage(&step.txn, step.ws.project.clone(), to, at).await?;
    let mut signed = json!(null);
    // Publishing (or reopening) the notice opens it now; signing freezes
    // the latest version.
    if transition.effects.contains(&rules::Effect::OpenNotice)
        && let Some(notice) = step.ws.notice.clone()
    {
        rows::open_notice(&step.txn, notice, at).await?;
    }
    if transition.effects.contains(&rules::Effect::SignAgreement) {
        let signature = parts.agreement.sign(&parts.partners, at)?.clone();
        let version = i32::try_from(signature.version).unwrap_or(i32::MAX);
        rows::sign(&step.txn, project, version, &signature.content_hash, at).await?;
        rows::agree_contributions(&step.txn, step.project_id(), at).await?;
        signed = json!({ "version": signature.version, "hash": signature.content_hash });
    }
    step.finish(
        "project.stage",
        json!({ "from": from.as_str(), "to": to.as_str(), "signed": signed }),
    )
    .await
}

/// Writes the agreement's text: a new numbered version when it differs
/// from the latest, which clears the approvals. Any partner's admin, while
/// the agreement is open (`codesign.agreement_not_open`,
/// `codesign.agreement_frozen`). BAD_USER_INPUT on `text` first: blank,
/// over [`AgreementText::MAX_CHARS`], or with control characters.
pub async fn write_agreement(
    db: &DatabaseConnection,
    actor: Option<&Actor>,
    project_id: Uuid,
    text: &str,
) -> Result<Uuid, AppError> {
    let text = AgreementText::parse(text).map_err(|reason| AppError::invalid("text", reason))?;
    let step = Step::begin(db, actor, project_id, "projectId").await?;
    step.check_who(Who::PartnerAdmin)?;
    step.check_activity(Activity::Agreement)?;
    let mut agreement = step.ws.agreement();
    let at = now();
    let written = agreement.write(text.as_str(), step.user_id, at)?;
    let Written::NewVersion { number, cleared } = &written else {
        step.txn.commit().await?;
        return Ok(project_id);
    };
    let stored = agreement
        .latest()
        .map(|v| v.text.clone())
        .unwrap_or_default();
    let version = i32::try_from(*number).unwrap_or(i32::MAX);
    rows::insert_agreement_version(
        &step.txn,
        project_id,
        version,
        &stored,
        Some(step.user_id),
        at,
    )
    .await?;
    // One approval per organisation and stage is stored: the cleared ones
    // go, and the audit record says whose they were.
    rows::clear_agreement_approvals(&step.txn, project_id).await?;
    let cleared: Vec<String> = cleared
        .iter()
        .map(|a| a.organization_id.to_string())
        .collect();
    step.finish(
        "project.agreement.write",
        json!({ "version": number, "clearedApprovalsOf": cleared }),
    )
    .await
}

/// An organisation's admin approves the agreement's latest version for it
/// (`organization_id`, or the first partner the actor is an admin of).
pub async fn approve_agreement(
    db: &DatabaseConnection,
    actor: Option<&Actor>,
    project_id: Uuid,
    version: u32,
    organization_id: Option<Uuid>,
) -> Result<Uuid, AppError> {
    let step = Step::begin(db, actor, project_id, "projectId").await?;
    let org = step.ws.acting_partner(&step.acting, organization_id)?;
    step.check_activity(Activity::Agreement)?;
    let mut agreement = step.ws.agreement();
    let at = now();
    agreement.approve(
        version,
        org,
        &step.acting,
        step.user_id,
        &step.ws.domain_partners(),
        at,
    )?;
    rows::insert_agreement_approval(
        &step.txn,
        project_id,
        step.ws.project.stage,
        i32::try_from(version).unwrap_or(i32::MAX),
        org,
        Some(step.user_id),
        at,
    )
    .await
    // Two admins of the organisation approving at the same moment: the
    // second finds the first's approval.
    .map_err(|error| {
        if error.is_unique_violation() {
            Rule::AlreadyApproved.into_error()
        } else {
            error.into()
        }
    })?;
    step.finish(
        "project.agreement.approve",
        json!({ "version": version, "organizationId": org }),
    )
    .await
}

/// Adds a milestone owned by a current partner; any partner's admin,
/// until the project closes.
pub async fn add_milestone(
    db: &DatabaseConnection,
    actor: Option<&Actor>,
    project_id: Uuid,
    title: &str,
    owner: Uuid,
    due_on: NaiveDate,
) -> Result<Uuid, AppError> {
    let title = Title::parse(title).map_err(|reason| AppError::invalid("title", reason))?;
    let step = Step::begin(db, actor, project_id, "projectId").await?;
    step.check_who(Who::PartnerAdmin)?;
    if step.ws.project.stage == ProjectStage::Closed {
        return Err(Rule::ProjectClosed.into_error());
    }
    if !step.ws.partner_ids().contains(&owner) {
        return Err(Rule::PartnerOnly.into_error());
    }
    let row = rows::insert_milestone(
        &step.txn,
        rows::NewMilestone {
            project_id,
            title: title.as_str().to_owned(),
            owner_organization_id: owner,
            due_on,
            created_by: Some(step.user_id),
            at: now(),
        },
    )
    .await?;
    step.finish(
        "project.milestone.add",
        json!({ "milestoneId": row.id, "title": row.title, "owner": owner, "dueOn": due_on }),
    )
    .await
}

/// Marks a milestone done, by an admin of its owner or of the lead.
/// NOT_FOUND on `id`.
pub async fn complete_milestone(
    db: &DatabaseConnection,
    actor: Option<&Actor>,
    id: Uuid,
) -> Result<Uuid, AppError> {
    let milestone = rows::milestone(db, id)
        .await?
        .ok_or_else(|| AppError::not_found(Entity::Milestone, "id"))?;
    let step = Step::begin(db, actor, milestone.project_id, "id").await?;
    let partners = step.ws.domain_partners();
    if step
        .acting
        .check_acts_for_partner(milestone.owner_organization_id, &partners)
        .is_err()
    {
        step.check_who(Who::LeadAdmin)?;
    }
    rows::complete_milestone(&step.txn, milestone, now()).await?;
    step.finish("project.milestone.done", json!({ "milestoneId": id }))
        .await
}

/// A partner's outcomes, as the API gives them.
#[derive(Clone, Debug, Default)]
pub struct ReportInput {
    pub people_reached: i64,
    pub volunteer_hours: f64,
    pub spent_cents: i64,
    pub summary: String,
    pub organization_id: Option<Uuid>,
}

/// Files (or corrects) a partner's report, in the reporting stage
/// (`codesign.reporting_not_open`), by an admin of the partner.
pub async fn file_report(
    db: &DatabaseConnection,
    actor: Option<&Actor>,
    project_id: Uuid,
    input: &ReportInput,
) -> Result<Uuid, AppError> {
    if input.people_reached < 0 {
        return Err(AppError::invalid("peopleReached", Invalid::Negative));
    }
    let hours = quantity(input.volunteer_hours, "volunteerHours")?;
    let spent = cents(input.spent_cents, "spentCents")?;
    let summary = required_text(&input.summary, "summary")?;
    let step = Step::begin(db, actor, project_id, "projectId").await?;
    let org = step
        .ws
        .acting_partner(&step.acting, input.organization_id)?;
    step.check_activity(Activity::Report)?;
    let existing = step
        .ws
        .reports
        .iter()
        .find(|r| r.organization_id == org)
        .cloned();
    let values = rows::ReportValues {
        project_id,
        organization_id: org,
        people_reached: input.people_reached,
        volunteer_hours: hours,
        spent_cents: spent,
        summary,
        filed_by: Some(step.user_id),
        at: now(),
    };
    rows::save_report(&step.txn, existing, values).await?;
    step.finish(
        "project.report",
        json!({ "organizationId": org, "peopleReached": input.people_reached,
                "volunteerHours": hours, "spentCents": spent }),
    )
    .await
}

/// Makes the project public (anyone reads it) or private (its partners
/// only); the lead's admins.
pub async fn set_public(
    db: &DatabaseConnection,
    actor: Option<&Actor>,
    project_id: Uuid,
    is_public: bool,
) -> Result<Uuid, AppError> {
    let step = Step::begin(db, actor, project_id, "projectId").await?;
    step.check_who(Who::LeadAdmin)?;
    rows::set_public(&step.txn, step.ws.project.clone(), is_public, now()).await?;
    step.finish("project.public", json!({ "isPublic": is_public }))
        .await
}

/// Hides a project from everyone but its partners and the moderators, or
/// shows it again; moderators only.
pub async fn set_hidden(
    db: &DatabaseConnection,
    actor: Option<&Actor>,
    project_id: Uuid,
    hidden: bool,
) -> Result<Uuid, AppError> {
    permissions::require_moderator(db, actor).await?;
    let step = Step::begin(db, actor, project_id, "projectId").await?;
    rows::set_hidden(&step.txn, step.ws.project.clone(), hidden.then(now)).await?;
    step.finish("project.hide", json!({ "hidden": hidden }))
        .await
}

/// The workspace as `reader` may see it, with the next steps for them.
/// NOT_FOUND on `field` when the project does not exist for the reader
/// ([`Reader::may_see_project`]).
pub async fn view(
    db: &DatabaseConnection,
    reader: &Reader,
    project_id: Uuid,
    field: &str,
) -> Result<(Workspace, Vec<NextStep>), AppError> {
    let ws = Workspace::load(db, project_id, field).await?;
    if !reader.may_see_project(&ws.project, &ws.partner_ids()) {
        return Err(AppError::not_found(Entity::Project, field));
    }
    let acting = workspace::actor_of(db, reader.user_id()).await?;
    let parts = ws.facts_parts();
    let steps = rules::next_steps(&ws.facts(&parts), &acting, now());
    Ok((ws, steps))
}

/// Stores (or rewrites) the art. 55 notice before it is published; an admin
/// of the public body. Bad input names the notice's fields; CONFLICT on
/// `projectId` once the notice is published.
pub async fn save_notice(
    db: &DatabaseConnection,
    actor: Option<&Actor>,
    project_id: Uuid,
    input: &NoticeInput,
) -> Result<Uuid, AppError> {
    let notice = input.validate()?;
    let step = Step::begin(db, actor, project_id, "projectId").await?;
    step.check_who(Who::PublicBodyAdmin)?;
    if step.ws.project.stage != ProjectStage::PublicNotice {
        return Err(AppError::conflict(
            "projectId",
            "l'avviso si scrive prima della pubblicazione",
            "the notice is written before it is published",
        ));
    }
    let values = rows::NoticeValues {
        project_id,
        purpose: notice.purpose.as_str().to_owned(),
        object: notice.object.as_str().to_owned(),
        economic_frame: notice.economic_frame.as_str().to_owned(),
        duration: notice.duration.as_str().to_owned(),
        requirements: notice.requirements.as_str().to_owned(),
        criteria: workspace::criteria_json(&input.criteria),
        min_open_days: i32::try_from(notice.min_open_days).unwrap_or(i32::MAX),
        min_total: notice.min_total.and_then(|t| i32::try_from(t).ok()),
        at: now(),
    };
    let criteria = values.criteria.clone();
    rows::save_notice(&step.txn, step.ws.notice.clone(), values).await?;
    step.finish(
        "project.notice",
        json!({ "criteria": criteria, "minOpenDays": notice.min_open_days }),
    )
    .await
}

/// An organisation applies to the art. 55 notice with its proposal, while
/// applications are open (`codesign.applications_closed`); an admin of it
/// (`codesign.admin_only`). CONFLICT on `organizationId` when it applied
/// already.
pub async fn apply(
    db: &DatabaseConnection,
    actor: Option<&Actor>,
    project_id: Uuid,
    organization_id: Uuid,
    proposal: &str,
) -> Result<Uuid, AppError> {
    let proposal = required_text(proposal, "proposal")?;
    let step = Step::begin(db, actor, project_id, "projectId").await?;
    step.check_activity(Activity::Apply)?;
    if !step.acting.is_admin_of(organization_id) {
        return Err(Rule::AdminOnly.into_error());
    }
    if step.ws.partner_ids().contains(&organization_id) {
        return Err(Rule::AlreadyPartner.into_error());
    }
    if step
        .ws
        .applications
        .iter()
        .any(|a| a.organization_id == organization_id)
    {
        return Err(already_applied());
    }
    let row = rows::insert_application(
        &step.txn,
        project_id,
        organization_id,
        &proposal,
        Some(step.user_id),
        now(),
    )
    .await
    .map_err(|error| {
        if error.is_unique_violation() {
            already_applied()
        } else {
            error.into()
        }
    })?;
    step.finish(
        "project.apply",
        json!({ "applicationId": row.id, "organizationId": organization_id }),
    )
    .await
}

/// The need's art. 55 project whose public notice is open for
/// applications, if any: where an organisation reading the need applies.
/// A private or hidden project is not offered.
pub async fn open_notice_of_need(
    db: &DatabaseConnection,
    need_id: Uuid,
) -> Result<Option<Uuid>, AppError> {
    Ok(rows::open_project_of_need(db, need_id)
        .await?
        .filter(|p| {
            p.procedure == ProjectProcedure::Coprogettazione
                && p.stage == ProjectStage::Applications
                && p.is_public
                && p.hidden_at.is_none()
        })
        .map(|p| p.id))
}

/// The roles an organisation may be admitted in (the lead's excepted):
/// under art. 55 partner for bodies registered in RUNTS, supporter or
/// funder for everyone else ([`rules::allowed_roles`]).
pub fn admission_roles(
    procedure: ProjectProcedure,
    candidate: rules::Candidate,
) -> Vec<PartnerRole> {
    rules::allowed_roles(procedure, candidate)
        .iter()
        .copied()
        .filter(|role| *role != PartnerRole::Lead)
        .collect()
}

/// The roles `organization_id` may apply for or be admitted in under the
/// project's procedure, so that an applicant knows before applying
/// whether it can be a principal partner. NOT_FOUND on `organizationId`.
pub async fn roles_open_to(
    db: &DatabaseConnection,
    procedure: ProjectProcedure,
    organization_id: Uuid,
) -> Result<Vec<PartnerRole>, AppError> {
    let organization = rows::organizations_by_id(db, [organization_id])
        .await?
        .into_iter()
        .next()
        .ok_or_else(|| AppError::not_found(Entity::Organization, "organizationId"))?;
    Ok(admission_roles(
        procedure,
        workspace::candidate(&organization),
    ))
}

fn already_applied() -> AppError {
    AppError::conflict(
        "organizationId",
        "l'organizzazione si è già candidata",
        "the organisation has already applied",
    )
}

/// The application with this id and its project's use-case under way.
async fn application_step<'a>(
    db: &DatabaseConnection,
    actor: Option<&'a Actor>,
    application_id: Uuid,
) -> Result<
    (
        Step<'a>,
        crate::store::entities::project_applications::Model,
    ),
    AppError,
> {
    let application = rows::application(db, application_id)
        .await?
        .ok_or_else(|| AppError::not_found(Entity::Application, "applicationId"))?;
    let step = Step::begin(db, actor, application.project_id, "applicationId").await?;
    step.check_who(Who::PublicBodyAdmin)?;
    Ok((step, application))
}

/// The admission check decides an application: admitted in `role` (the
/// organisation joins the project, see [`rules::check_join`]) or not
/// (`None`). An admin of the public body, in the admission check stage.
pub async fn decide_admission(
    db: &DatabaseConnection,
    actor: Option<&Actor>,
    application_id: Uuid,
    role: Option<PartnerRole>,
) -> Result<Uuid, AppError> {
    let (step, application) = application_step(db, actor, application_id).await?;
    step.check_activity(Activity::DecideAdmission)?;
    let org = application.organization_id;
    let at = now();
    if let Some(role) = role {
        let candidate = step
            .ws
            .candidate(org)
            .ok_or_else(|| AppError::not_found(Entity::Organization, "applicationId"))?;
        rules::check_join(
            step.ws.project.procedure,
            step.ws.project.stage,
            &step.ws.domain_partners(),
            org,
            role,
            candidate,
        )?;
        opening::add_partner(&step.txn, step.project_id(), org, role, None, at).await?;
    }
    rows::decide_admission(&step.txn, application, role, at).await?;
    step.finish(
        "project.admission",
        json!({ "applicationId": application_id, "organizationId": org,
                "role": role.map(|r| r.as_str()) }),
    )
    .await
}

/// Scores an admitted application on every criterion of the notice, in
/// the comparative evaluation; an admin of the public body. Bad input on
/// `scores[i]`; CONFLICT on `applicationId` for an application not
/// admitted.
pub async fn score(
    db: &DatabaseConnection,
    actor: Option<&Actor>,
    application_id: Uuid,
    scores: &[Option<i64>],
) -> Result<Uuid, AppError> {
    let (step, application) = application_step(db, actor, application_id).await?;
    step.check_activity(Activity::Score)?;
    if application.admitted != Some(true) {
        return Err(AppError::conflict(
            "applicationId",
            "si valutano solo le candidature ammesse",
            "only admitted applications are scored",
        ));
    }
    let notice = step
        .ws
        .valid_notice()
        .ok_or(AppError::Codesign(Rule::NoticeIncomplete.into()))?;
    let card = notice.score(scores)?;
    let total = i32::try_from(card.total).unwrap_or(i32::MAX);
    let points = json!(card.points);
    rows::score_application(&step.txn, application, points.clone(), total, now()).await?;
    step.finish(
        "project.score",
        json!({ "applicationId": application_id, "points": points, "total": total }),
    )
    .await
}

/// Records an art. 55 document: the evaluation's minutes (an admin of the
/// public body, during the evaluation), the table's minutes or the final
/// project (an admin of the lead, during co-design).
pub async fn record_document(
    db: &DatabaseConnection,
    actor: Option<&Actor>,
    project_id: Uuid,
    topic: Topic,
    text: &str,
) -> Result<Uuid, AppError> {
    let text = required_text(text, "text")?;
    let step = Step::begin(db, actor, project_id, "projectId").await?;
    let (who, activity) = match topic {
        Topic::EvaluationMinutes => (Who::PublicBodyAdmin, Activity::Score),
        Topic::TableMinutes | Topic::FinalProject => (Who::LeadAdmin, Activity::Table),
    };
    step.check_who(who)?;
    step.check_activity(activity)?;
    let (kind, title) = topic.document();
    let row = rows::insert_topic_document(
        &step.txn,
        rows::NewTopicDocument {
            project_id,
            kind,
            topic: topic.as_str(),
            title,
            body: &text,
            author: step.user_id,
            at: now(),
        },
    )
    .await?;
    step.finish(
        "project.document",
        json!({ "documentId": row.id, "topic": topic.as_str() }),
    )
    .await
}

/// Turns a rule into the error that names it.
trait IntoError {
    fn into_error(self) -> AppError;
}

impl IntoError for Rule {
    fn into_error(self) -> AppError {
        AppError::Codesign(self.into())
    }
}

/// A project of one of the caller's organisations, or one it is invited
/// to and has not answered yet ("my projects" on the dashboard).
#[derive(Clone, Debug)]
pub struct MyProject {
    pub project: crate::store::entities::projects::Model,
    pub lead_name: String,
    /// The caller's organisation in it (a partner, or the one invited).
    pub organization_id: Uuid,
    pub organization_name: String,
    pub role: PartnerRole,
    /// True while the organisation is invited and has not answered.
    pub invited: bool,
}

/// The projects the caller's organisations lead or take part in, and the
/// invitations waiting for them, the most recently changed first. An
/// invitation shows only the project's title, procedure, stage and lead:
/// enough to decide, without opening a private workspace to outsiders.
pub async fn mine(
    db: &DatabaseConnection,
    actor: Option<&Actor>,
) -> Result<Vec<MyProject>, AppError> {
    use std::collections::{HashMap, HashSet};
    let (_, user_id) = permissions::signed_in(actor)?;
    let acting = workspace::actor_of(db, Some(user_id)).await?;
    let orgs: HashSet<Uuid> = acting.memberships.iter().map(|(org, _)| *org).collect();
    if orgs.is_empty() {
        return Ok(Vec::new());
    }
    let joined = rows::live_project_ids_of(db, &orgs).await?;
    let invitations = rows::pending_invitations_of(db, &orgs).await?;
    let partners = rows::partners_of(db, &joined).await?;
    let ids: HashSet<Uuid> = joined
        .iter()
        .copied()
        .chain(invitations.iter().map(|i| i.project_id))
        .collect();
    let projects: HashMap<Uuid, _> = by_id(rows::live_projects(db, ids).await?, |p| p.id);
    let names: HashMap<Uuid, String> = rows::organizations_by_id(
        db,
        orgs.iter()
            .copied()
            .chain(projects.values().map(|p| p.lead_organization_id)),
    )
    .await?
    .into_iter()
    .map(|o| (o.id, o.name))
    .collect();
    let name = |id: Uuid| names.get(&id).cloned().unwrap_or_default();
    let entry = |project_id: Uuid, organization_id: Uuid, role: PartnerRole, invited: bool| {
        projects.get(&project_id).map(|p| MyProject {
            project: p.clone(),
            lead_name: name(p.lead_organization_id),
            organization_id,
            organization_name: name(organization_id),
            role,
            invited,
        })
    };
    let mut list: Vec<MyProject> = partners
        .iter()
        .filter(|p| p.left_at.is_none() && orgs.contains(&p.organization_id))
        .filter_map(|p| entry(p.project_id, p.organization_id, p.role, false))
        .chain(
            invitations
                .iter()
                .filter_map(|i| entry(i.project_id, i.organization_id, i.role, true)),
        )
        .collect();
    // Invitations first (they wait for an answer), then the latest changes.
    list.sort_by(|a, b| {
        b.invited
            .cmp(&a.invited)
            .then(b.project.updated_at.cmp(&a.project.updated_at))
    });
    Ok(list)
}
