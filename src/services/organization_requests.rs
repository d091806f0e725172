//! Requests to join or claim an existing organisation, so that nobody has
//! to register one twice (its tax code is taken) to take part.
//!
//! A signed-in person with a verified address asks; what happens depends on
//! the organisation:
//!
//! - **It has admins: a request to join.** Its admins get an e-mail and
//!   approve (the person becomes a member) or decline, with a reason.
//! - **It has no admin (imported from a registry, demo data, left by its
//!   last member): a request to claim**, that is to become its admin. It is
//!   approved at once when the requester's own verified address *is* one of
//!   the organisation's registered e-mail or PEC addresses, or is at the
//!   domain of its registered e-mail, unless that domain is one anyone can
//!   have an address at (public webmail, PEC providers:
//!   `assets/accounts/public-mail-domains.txt`) or is registered by another
//!   organisation too (an umbrella body's shared domain). Otherwise a
//!   confirmation link goes to the organisation's registered addresses
//!   (whoever reads them confirms or declines, without an account), and the
//!   request waits in the moderators' queue, where a moderator can decide
//!   it too. When a claim is approved, the organisation's other pending
//!   claims become requests to join, for its new admin to decide.
//!
//! Each request, its decision, who decided and how are in the audit log.
//! All decisions run under the organisation's lock, like every change to
//! its members.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::sync::OnceLock;

use chrono::Duration;
use sea_orm::{ConnectionTrait, DatabaseConnection, DatabaseTransaction, TransactionTrait};
use serde_json::json;
use uuid::Uuid;

use super::{Actor, audit, conflict_on_unique, new_id, now, permissions, tokens};
use crate::domain::{
    ContactKind, Email, Invalid, MembershipRole, RequestDecidedVia, RequestKind, RequestStatus,
    ShortText,
};
use crate::error::{AppError, Entity};
use crate::policy::guards::Limits;
use crate::services::by_id;
use crate::store;
use crate::store::entities::{organization_requests, organizations, users};
use crate::store::organization_requests::{Confirmation, Decision, NewRequest};

/// How long a claim's confirmation link works.
pub const CONFIRMATION_LIFETIME: Duration = Duration::days(14);
/// The most requests a list returns (pending ones oldest first, one's own
/// newest first).
pub const LIST_LIMIT: u64 = 200;
const AUDIT_ENTITY: &str = "organization_request";

/// The contact kinds that are addresses a confirmation link can go to.
fn address_kinds() -> [ContactKind; 2] {
    [ContactKind::Email, ContactKind::Pec]
}

/// A request with the organisation and the person it is about.
#[derive(Clone, Debug)]
pub struct RequestView {
    pub request: organization_requests::Model,
    pub organization: organizations::Model,
    pub requester: users::Model,
}

impl RequestView {
    pub fn kind(&self) -> RequestKind {
        self.request.kind
    }

    pub fn status(&self) -> RequestStatus {
        self.request.status
    }

    /// The registered addresses the confirmation link went to.
    pub fn confirmation_sent_to(&self) -> Vec<String> {
        sent_to(&self.request)
    }
}

fn sent_to(request: &organization_requests::Model) -> Vec<String> {
    request
        .confirmation_sent_to
        .as_array()
        .map(|items| {
            items
                .iter()
                .filter_map(|a| a.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

/// A request just recorded, with what must be sent about it.
pub struct Requested {
    pub view: RequestView,
    /// A request to join: the admins to tell.
    pub admins: Vec<users::Model>,
    /// A claim waiting for confirmation: the link's token, for the
    /// addresses in `confirmation_sent_to`.
    pub confirmation_token: Option<String>,
}

/// Asks to join the organisation (it has admins) or to claim it (it has
/// none); see the module documentation. Fails with UNAUTHENTICATED,
/// FORBIDDEN (address not verified, saying so), BAD_USER_INPUT on `message`,
/// NOT_FOUND on `organizationId`, and CONFLICT on `organizationId` when the
/// person already belongs to it or already has a pending request for it,
/// RATE_LIMITED past the account's requests.
#[tracing::instrument(skip_all, fields(%organization_id))]
pub async fn request(
    db: &DatabaseConnection,
    limits: &Limits,
    actor: &Actor,
    organization_id: Uuid,
    message: Option<&str>,
) -> Result<Requested, AppError> {
    if let Some(user_id) = actor.user_id {
        limits.organization_request(user_id)?;
    }
    let requester = permissions::verified_user(db, Some(actor)).await?;
    let message = optional_text("message", message)?;
    let txn = db.begin().await?;
    let organization = super::organizations::lock(&txn, organization_id, "organizationId").await?;
    if organization.hidden_at.is_some() {
        return Err(AppError::not_found(Entity::Organization, "organizationId"));
    }
    if permissions::role_in(&txn, requester.id, organization_id)
        .await?
        .is_some()
    {
        return Err(AppError::conflict(
            "organizationId",
            "fai già parte di questa organizzazione",
            "you already belong to this organisation",
        )
        .about_organization(organization_id));
    }
    let pending =
        store::organization_requests::count_pending_of(&txn, organization_id, requester.id).await?;
    if pending > 0 {
        return Err(already_pending(organization_id));
    }
    let admins = admins_of(&txn, organization_id).await?;
    let at = now();
    let mut new = NewRequest {
        organization_id,
        requester_id: requester.id,
        kind: RequestKind::Join,
        message,
        confirmation: None,
    };
    let mut proof = None;
    let mut confirmation_token = None;
    if admins.is_empty() {
        new.kind = RequestKind::Claim;
        let registered = registered_addresses(&txn, organization_id).await?;
        proof = own_address_proves(&txn, &requester.email, organization_id, &registered).await?;
        let link_allowed = || limits.claim_mail(organization_id);
        if proof.is_none() && !registered.is_empty() && link_allowed() {
            let token = tokens::generate()?;
            new.confirmation = Some(Confirmation {
                token_hash: token.hash,
                sent_to: registered.into_iter().map(|(_, a)| a).collect(),
                expires_at: at + CONFIRMATION_LIFETIME,
            });
            confirmation_token = Some(token.plain);
        }
    }
    let request = store::organization_requests::insert(&txn, new, at)
        .await
        // Two identical requests at once: the partial unique index decides.
        .map_err(conflict_on_unique(|| already_pending(organization_id)))?;
    audit(
        &txn,
        actor,
        "organization_request.create",
        AUDIT_ENTITY,
        request.id,
        json!({
            "organizationId": organization_id,
            "kind": request.kind,
            "message": request.message,
            // How many, not which: the addresses may be people's own, and
            // the audit trail goes into the requester's data export.
            "confirmationLinks": sent_to(&request).len(),
        }),
    )
    .await?;
    let request = match proof {
        Some(via) => approve_in(&txn, actor, request, via, None).await?,
        None => request,
    };
    txn.commit().await?;
    Ok(Requested {
        view: RequestView {
            request,
            organization,
            requester,
        },
        admins,
        confirmation_token,
    })
}

fn already_pending(organization_id: Uuid) -> AppError {
    AppError::conflict(
        "organizationId",
        "hai già una richiesta in attesa per questa organizzazione: ti scriveremo appena sarà decisa",
        "you already have a pending request for this organisation: we will write to you as soon as it is decided",
    )
    .about_organization(organization_id)
}

fn optional_text(field: &str, raw: Option<&str>) -> Result<Option<String>, AppError> {
    match raw.map(str::trim).filter(|t| !t.is_empty()) {
        None => Ok(None),
        Some(text) => ShortText::parse(text)
            .map(|t| Some(t.as_str().to_owned()))
            .map_err(|reason| AppError::invalid(field, reason)),
    }
}

/// The organisation's admins, as accounts (deleted ones are not members).
async fn admins_of(
    db: &impl ConnectionTrait,
    organization_id: Uuid,
) -> Result<Vec<users::Model>, AppError> {
    Ok(store::memberships::admins_of(db, organization_id).await?)
}

/// The organisation's registered e-mail and PEC addresses (its contacts of
/// those kinds, which for an organisation without members come from the
/// registry it was imported from), lower-cased, without repeats.
async fn registered_addresses(
    db: &impl ConnectionTrait,
    organization_id: Uuid,
) -> Result<Vec<(ContactKind, String)>, AppError> {
    let contacts =
        store::organizations::contacts_of_kinds(db, organization_id, &address_kinds()).await?;
    let mut seen = HashSet::new();
    Ok(contacts
        .into_iter()
        .filter_map(|c| {
            let kind = c.kind;
            let address = Email::parse(&c.value).ok()?.into_inner();
            seen.insert(address.clone()).then_some((kind, address))
        })
        .collect())
}

/// Whether the requester's own verified address proves they belong to the
/// organisation: it is one of its registered addresses, or it is at the
/// domain of its registered e-mail (see [`domain_proves`]).
async fn own_address_proves(
    db: &impl ConnectionTrait,
    own: &str,
    organization_id: Uuid,
    registered: &[(ContactKind, String)],
) -> Result<Option<RequestDecidedVia>, AppError> {
    if registered.iter().any(|(_, a)| a.eq_ignore_ascii_case(own)) {
        return Ok(Some(RequestDecidedVia::RegisteredAddress));
    }
    let Some((_, domain)) = own.rsplit_once('@') else {
        return Ok(None);
    };
    let domain = domain.to_ascii_lowercase();
    let at_domain = registered.iter().any(|(kind, address)| {
        *kind == ContactKind::Email && address.rsplit_once('@').map(|(_, d)| d) == Some(&domain)
    });
    if !at_domain || is_public_mail_domain(&domain) {
        return Ok(None);
    }
    // A domain that other organisations registered too is shared (an
    // umbrella body's, a provider's): it tells them apart from nobody.
    let others = store::organizations::others_with_contact_domain(
        db,
        organization_id,
        &address_kinds(),
        &domain,
    )
    .await?;
    Ok(others.is_empty().then_some(RequestDecidedVia::EmailDomain))
}

/// Whether anyone can get an address at `domain` (or at a domain it is a
/// subdomain of): public webmail and PEC providers.
pub fn is_public_mail_domain(domain: &str) -> bool {
    static DOMAINS: OnceLock<HashSet<&'static str>> = OnceLock::new();
    let domains = DOMAINS.get_or_init(|| {
        include_str!("../../assets/accounts/public-mail-domains.txt")
            .lines()
            .map(str::trim)
            .filter(|line| !line.is_empty() && !line.starts_with('#'))
            .collect()
    });
    let domain = domain.trim().trim_end_matches('.').to_ascii_lowercase();
    let mut rest = domain.as_str();
    loop {
        if domains.contains(rest) {
            return true;
        }
        match rest.split_once('.') {
            Some((_, parent)) if parent.contains('.') => rest = parent,
            _ => return false,
        }
    }
}

/// Approves a pending request in `txn`: the requester becomes a member (an
/// admin for a claim); for a claim, the organisation's other pending claims
/// become requests to join, for the new admin to decide.
async fn approve_in(
    txn: &DatabaseTransaction,
    actor: &Actor,
    request: organization_requests::Model,
    via: RequestDecidedVia,
    decided_by: Option<Uuid>,
) -> Result<organization_requests::Model, AppError> {
    let kind = request.kind;
    let role = match kind {
        RequestKind::Claim => MembershipRole::Admin,
        RequestKind::Join => MembershipRole::Member,
    };
    let at = now();
    let existing =
        store::memberships::find(txn, request.organization_id, request.requester_id).await?;
    let membership = match existing {
        // Joined meanwhile (an invitation): a claim still makes them admin.
        Some(existing) if role == MembershipRole::Admin => {
            store::memberships::set_role(txn, existing, role, at).await?
        }
        Some(existing) => existing,
        None => {
            store::memberships::insert(
                txn,
                new_id(),
                request.organization_id,
                request.requester_id,
                role,
                at,
            )
            .await?
        }
    };
    if kind == RequestKind::Claim {
        store::organization_requests::claims_become_joins(
            txn,
            request.organization_id,
            request.id,
            at,
        )
        .await?;
    }
    let decided = decide(
        txn,
        actor,
        request,
        RequestStatus::Approved,
        via,
        decided_by,
        None,
    )
    .await?;
    audit(
        txn,
        actor,
        "membership.join_by_request",
        "membership",
        membership.id,
        json!({
            "organizationId": decided.organization_id,
            "userId": decided.requester_id,
            "role": membership.role,
            "requestId": decided.id,
        }),
    )
    .await?;
    Ok(decided)
}

/// Records the decision on a request (its link stops working) and audits it.
async fn decide(
    txn: &DatabaseTransaction,
    actor: &Actor,
    request: organization_requests::Model,
    status: RequestStatus,
    via: RequestDecidedVia,
    decided_by: Option<Uuid>,
    reason: Option<String>,
) -> Result<organization_requests::Model, AppError> {
    let at = now();
    let decision = Decision {
        status,
        via,
        decided_by,
        reason,
    };
    let decided = store::organization_requests::record_decision(txn, request, decision, at).await?;
    let action = match status {
        RequestStatus::Approved => "organization_request.approve",
        _ => "organization_request.decline",
    };
    audit(
        txn,
        actor,
        action,
        AUDIT_ENTITY,
        decided.id,
        json!({
            "organizationId": decided.organization_id,
            "requesterId": decided.requester_id,
            "kind": decided.kind,
            "decidedVia": via.as_str(),
            "decidedBy": decided_by,
            "reason": decided.decline_reason,
        }),
    )
    .await?;
    Ok(decided)
}

/// The request with this id; NOT_FOUND on `id`.
async fn request_by_id(
    txn: &DatabaseTransaction,
    id: Uuid,
) -> Result<organization_requests::Model, AppError> {
    store::rows::by_id::<organization_requests::Entity>(txn, id, "organization requests: by id")
        .await?
        .ok_or_else(|| AppError::not_found(Entity::OrganizationRequest, "id"))
}

/// A pending request by id, read under its organisation's lock, and how
/// `actor` may decide it: the organisation's admins decide requests to
/// join, moderators decide claims. Fails with NOT_FOUND on `id`, CONFLICT on
/// `id` when it is already decided, FORBIDDEN otherwise.
async fn pending_for_decision(
    txn: &DatabaseTransaction,
    actor: &Actor,
    id: Uuid,
) -> Result<(organization_requests::Model, RequestDecidedVia, Uuid), AppError> {
    let (_, user_id) = permissions::signed_in(Some(actor))?;
    let found = request_by_id(txn, id).await?;
    super::organizations::lock(txn, found.organization_id, "id").await?;
    // Read again under the lock: someone may just have decided it.
    let request = request_by_id(txn, id).await?;
    let via = match request.kind {
        RequestKind::Join => {
            match permissions::require_admin(txn, Some(actor), request.organization_id).await {
                Ok(()) => RequestDecidedVia::Admin,
                Err(AppError::Forbidden(_)) => {
                    return Err(AppError::refused(
                        "solo gli amministratori dell'organizzazione decidono chi vi entra",
                        "only the organisation's admins decide who joins it",
                    ));
                }
                Err(other) => return Err(other),
            }
        }
        RequestKind::Claim => {
            permissions::require_moderator(txn, Some(actor)).await.map_err(|_| {
                AppError::refused(
                    "una richiesta di gestione la decidono l'indirizzo registrato dell'organizzazione o un moderatore",
                    "a request to manage an organisation is decided by its registered address or by a moderator",
                )
            })?;
            RequestDecidedVia::Moderator
        }
    };
    if request.status != RequestStatus::Pending {
        return Err(AppError::conflict(
            "id",
            "questa richiesta è già stata decisa",
            "this request has already been decided",
        ));
    }
    Ok((request, via, user_id))
}

/// Approves a pending request (see [`pending_for_decision`] for who may).
#[tracing::instrument(skip_all, fields(%id))]
pub async fn approve(
    db: &DatabaseConnection,
    actor: &Actor,
    id: Uuid,
) -> Result<RequestView, AppError> {
    let txn = db.begin().await?;
    let (request, via, user_id) = pending_for_decision(&txn, actor, id).await?;
    let decided = approve_in(&txn, actor, request, via, Some(user_id)).await?;
    txn.commit().await?;
    view(db, decided).await
}

/// Declines a pending request, with an optional reason the requester reads
/// (BAD_USER_INPUT on `reason`). Who may: as [`approve`].
#[tracing::instrument(skip_all, fields(%id))]
pub async fn decline(
    db: &DatabaseConnection,
    actor: &Actor,
    id: Uuid,
    reason: Option<&str>,
) -> Result<RequestView, AppError> {
    let reason = optional_text("reason", reason)?;
    let txn = db.begin().await?;
    let (request, via, user_id) = pending_for_decision(&txn, actor, id).await?;
    let decided = decide(
        &txn,
        actor,
        request,
        RequestStatus::Declined,
        via,
        Some(user_id),
        reason,
    )
    .await?;
    txn.commit().await?;
    view(db, decided).await
}

/// Answers a claim from its confirmation link: whoever reads the
/// organisation's registered address approves (the requester becomes its
/// admin) or declines, without an account. Fails with BAD_USER_INPUT on
/// `token` when the link is unknown, used, expired, or the claim was
/// decided otherwise meanwhile.
#[tracing::instrument(skip_all, fields(approve))]
pub async fn answer_claim(
    db: &DatabaseConnection,
    token: &str,
    approve: bool,
) -> Result<RequestView, AppError> {
    let link_expired = || AppError::invalid("token", Invalid::Expired);
    let hash = tokens::hash(token);
    let txn = db.begin().await?;
    let found = store::organization_requests::find_pending_claim_by_token(&txn, &hash)
        .await?
        .ok_or_else(link_expired)?;
    super::organizations::lock(&txn, found.organization_id, "token")
        .await
        .map_err(|_| link_expired())?;
    let request = store::organization_requests::find_pending_claim_by_token(&txn, &hash)
        .await?
        .filter(|r| r.confirmation_expires_at.is_some_and(|at| at > now()))
        .ok_or_else(link_expired)?;
    // Whoever opened the link reads one of these addresses.
    let actor = Actor {
        user_id: None,
        label: sent_to(&request).join(", "),
    };
    let via = RequestDecidedVia::ConfirmationLink;
    let decided = if approve {
        approve_in(&txn, &actor, request, via, None).await?
    } else {
        decide(
            &txn,
            &actor,
            request,
            RequestStatus::Declined,
            via,
            None,
            None,
        )
        .await?
    };
    txn.commit().await?;
    view(db, decided).await
}

/// Pending requests, oldest first (at most [`LIST_LIMIT`]): of one
/// organisation, for its admins and for moderators; or, with no
/// organisation, the moderators' queue of claims. Fails with
/// UNAUTHENTICATED, FORBIDDEN, NOT_FOUND on `organizationId`.
#[tracing::instrument(skip_all)]
pub async fn pending(
    db: &DatabaseConnection,
    actor: Option<&Actor>,
    organization_id: Option<Uuid>,
) -> Result<Vec<RequestView>, AppError> {
    permissions::signed_in(actor)?;
    match organization_id {
        Some(id) => {
            super::organizations::get(db, id, "organizationId").await?;
            if permissions::require_moderator(db, actor).await.is_err() {
                permissions::require_admin(db, actor, id).await?;
            }
        }
        None => permissions::require_moderator(db, actor).await?,
    }
    let rows = store::organization_requests::pending(db, organization_id, LIST_LIMIT).await?;
    views(db, rows).await
}

/// The signed-in person's own requests, newest first (at most
/// [`LIST_LIMIT`]).
#[tracing::instrument(skip_all)]
pub async fn mine(
    db: &DatabaseConnection,
    actor: Option<&Actor>,
) -> Result<Vec<RequestView>, AppError> {
    let (_, user_id) = permissions::signed_in(actor)?;
    let rows = store::organization_requests::of_requester(db, user_id, LIST_LIMIT).await?;
    views(db, rows).await
}

/// Withdraws a person's pending requests (their account is being deleted),
/// in the caller's transaction; their links stop working.
#[tracing::instrument(skip_all, fields(%user_id))]
pub async fn withdraw_all(txn: &DatabaseTransaction, user_id: Uuid) -> Result<(), AppError> {
    store::organization_requests::withdraw_pending_of(txn, user_id, now()).await?;
    Ok(())
}

async fn view(
    db: &DatabaseConnection,
    request: organization_requests::Model,
) -> Result<RequestView, AppError> {
    views(db, vec![request])
        .await?
        .pop()
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("a request without its records")))
}

/// The requests with their organisations and requesters, in two statements.
async fn views(
    db: &DatabaseConnection,
    rows: Vec<organization_requests::Model>,
) -> Result<Vec<RequestView>, AppError> {
    let organization_ids: BTreeSet<Uuid> = rows.iter().map(|r| r.organization_id).collect();
    let user_ids: BTreeSet<Uuid> = rows.iter().map(|r| r.requester_id).collect();
    let organizations: HashMap<Uuid, organizations::Model> = by_id(
        store::organizations::by_ids(db, organization_ids).await?,
        |o| o.id,
    );
    let users: HashMap<Uuid, users::Model> =
        by_id(store::accounts::by_ids(db, user_ids).await?, |u| u.id);
    Ok(rows
        .into_iter()
        .filter_map(|request| {
            Some(RequestView {
                organization: organizations.get(&request.organization_id)?.clone(),
                requester: users.get(&request.requester_id)?.clone(),
                request,
            })
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn public_mail_domains_and_their_subdomains_prove_nothing() {
        for domain in [
            "gmail.com",
            "Libero.it",
            "pec.it",
            "cert.legalmail.it",
            "x.pec.it",
        ] {
            assert!(is_public_mail_domain(domain), "{domain}");
        }
        for domain in ["aler.mi.it", "comune.milano.it", "it", "coop-abitare.it"] {
            assert!(!is_public_mail_domain(domain), "{domain}");
        }
    }
}
