//! Who may see what: one small rule per kind of record, called by every
//! reader (GraphQL resolvers, the live-update feed, digests). What a person
//! may *do* is decided in [`crate::services::permissions`]; this is its reading half.
//!
//! # The rules
//!
//! - A record is **public** when nothing withholds it: an organisation not
//!   hidden by a moderator; an offer or a need published (not a draft), not
//!   hidden, of a public organisation. Anyone sees public records.
//! - A record that is not public is seen only by its organisation's
//!   **insiders**: its members (any role) and the platform's moderators. To
//!   everyone else it does not exist: NOT_FOUND by direct link, absent from
//!   lists, search, matches, partner suggestions, digests and live updates.
//!   Insiders also see that it is hidden and why.
//! - Deleted records are seen by no one.
//! - An organisation's **members list** is for its insiders.
//! - A **contact** is shown as its visibility says: `public` to anyone,
//!   `signed_in` to signed-in accounts with a verified address (and to
//!   insiders), `members` to insiders.
//!
//! A [`Reader`] is loaded once per request (two small statements for a
//! signed-in person, none for anonymous visitors and moderators) and then
//! answers every rule without touching the database.

use std::collections::HashSet;

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

use crate::domain::{ContactVisibility, PostingStatus};
use crate::error::{AppError, Entity};
use crate::store::entities::{matches, needs, offers, organizations, users};

/// The person reading, as far as visibility goes.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Reader {
    user_id: Option<Uuid>,
    verified: bool,
    moderator: bool,
    /// The organisations they belong to (any role).
    member_of: HashSet<Uuid>,
}

impl Reader {
    /// Someone not signed in: public records only.
    pub fn anonymous() -> Self {
        Self::default()
    }

    /// The reader behind a signed-in account (`None`: anonymous). A session
    /// already known to be a moderator's costs no statement: moderators are
    /// insiders everywhere. Fails only on database errors.
    pub async fn load(
        db: &impl ConnectionTrait,
        user_id: Option<Uuid>,
        known_moderator: bool,
    ) -> Result<Self, AppError> {
        let Some(user_id) = user_id else {
            return Ok(Self::anonymous());
        };
        if known_moderator {
            return Ok(Self {
                user_id: Some(user_id),
                verified: true,
                moderator: true,
                member_of: HashSet::new(),
            });
        }
        let Some(user) = users::Entity::find_by_id(user_id)
            .filter(users::Column::DeletedAt.is_null())
            .one(db)
            .await?
        else {
            return Ok(Self::anonymous());
        };
        let member_of = crate::services::lookups::memberships_of_user(db, user_id)
            .await?
            .into_iter()
            .map(|m| m.organization_id)
            .collect();
        Ok(Self {
            user_id: Some(user_id),
            verified: user.email_verified_at.is_some(),
            moderator: user.is_moderator,
            member_of,
        })
    }

    pub fn user_id(&self) -> Option<Uuid> {
        self.user_id
    }

    /// A member (any role) of the organisation.
    pub fn is_member(&self, organization_id: Uuid) -> bool {
        self.member_of.contains(&organization_id)
    }

    /// One of the organisation's members, or a moderator: who sees what the
    /// organisation keeps from the public (drafts, hidden records, members).
    pub fn is_insider(&self, organization_id: Uuid) -> bool {
        self.moderator || self.is_member(organization_id)
    }

    /// Whether the organisation exists for this reader.
    pub fn may_see_organization(&self, organization: &organizations::Model) -> bool {
        organization.deleted_at.is_none()
            && (organization_is_public(organization) || self.is_insider(organization.id))
    }

    /// Whether an offer or need (of `organization`) exists for this reader.
    pub fn may_see_posting(
        &self,
        organization: &organizations::Model,
        posting: &impl Posting,
    ) -> bool {
        posting.organization_id() == organization.id
            && !posting.deleted()
            && organization.deleted_at.is_none()
            && (posting_is_public(organization, posting) || self.is_insider(organization.id))
    }

    /// Whether a contact of the organisation with this visibility is shown.
    pub fn may_see_contact(&self, organization_id: Uuid, visibility: ContactVisibility) -> bool {
        match visibility {
            ContactVisibility::Public => true,
            ContactVisibility::SignedIn => {
                (self.user_id.is_some() && self.verified) || self.is_insider(organization_id)
            }
            ContactVisibility::Members => self.is_insider(organization_id),
        }
    }

    /// Whether the organisation's members (names and roles) are shown.
    pub fn may_see_members(&self, organization_id: Uuid) -> bool {
        self.is_insider(organization_id)
    }

    /// Whether the organisation's drafts are shown.
    pub fn may_see_drafts(&self, organization_id: Uuid) -> bool {
        self.is_insider(organization_id)
    }
}

/// What visibility needs to know of an offer or a need.
pub trait Posting {
    fn organization_id(&self) -> Uuid;
    fn is_draft(&self) -> bool;
    fn is_hidden(&self) -> bool;
    fn deleted(&self) -> bool;
}

/// Offers and needs keep the same columns for this.
macro_rules! posting {
    ($($model:ty),+) => {$(
        impl Posting for $model {
            fn organization_id(&self) -> Uuid {
                self.organization_id
            }
            fn is_draft(&self) -> bool {
                self.status == PostingStatus::Draft.as_str()
            }
            fn is_hidden(&self) -> bool {
                self.hidden_at.is_some()
            }
            fn deleted(&self) -> bool {
                self.deleted_at.is_some()
            }
        }
    )+};
}

posting!(offers::Model, needs::Model);

/// Neither deleted nor hidden by a moderator.
pub fn organization_is_public(organization: &organizations::Model) -> bool {
    organization.deleted_at.is_none() && organization.hidden_at.is_none()
}

/// Published, neither deleted nor hidden, of a public organisation.
pub fn posting_is_public(organization: &organizations::Model, posting: &impl Posting) -> bool {
    organization_is_public(organization)
        && posting.organization_id() == organization.id
        && !posting.deleted()
        && !posting.is_hidden()
        && !posting.is_draft()
}

/// The organisation with this id if `reader` may see it; NOT_FOUND on
/// `field` otherwise (whether it does not exist or is withheld: outsiders
/// cannot tell the two apart).
pub async fn organization(
    db: &impl ConnectionTrait,
    reader: &Reader,
    id: Uuid,
    field: &str,
) -> Result<organizations::Model, AppError> {
    organizations::Entity::find_by_id(id)
        .one(db)
        .await?
        .filter(|o| reader.may_see_organization(o))
        .ok_or_else(|| AppError::not_found(Entity::Organization, field))
}

/// The offer with this id if `reader` may see it; NOT_FOUND on `field`
/// otherwise.
pub async fn offer(
    db: &impl ConnectionTrait,
    reader: &Reader,
    id: Uuid,
    field: &str,
) -> Result<offers::Model, AppError> {
    let offer = offers::Entity::find_by_id(id).one(db).await?;
    seen_by(db, reader, offer, Entity::Offer, field).await
}

/// The need with this id if `reader` may see it; NOT_FOUND on `field`
/// otherwise.
pub async fn need(
    db: &impl ConnectionTrait,
    reader: &Reader,
    id: Uuid,
    field: &str,
) -> Result<needs::Model, AppError> {
    let need = needs::Entity::find_by_id(id).one(db).await?;
    seen_by(db, reader, need, Entity::Need, field).await
}

/// The posting found, if `reader` may see it (judged with its organisation);
/// NOT_FOUND on `field` otherwise.
async fn seen_by<P: Posting>(
    db: &impl ConnectionTrait,
    reader: &Reader,
    posting: Option<P>,
    entity: Entity,
    field: &str,
) -> Result<P, AppError> {
    let not_found = || AppError::not_found(entity, field);
    let posting = posting.ok_or_else(not_found)?;
    let owner = organizations::Entity::find_by_id(posting.organization_id())
        .one(db)
        .await?
        .ok_or_else(not_found)?;
    if reader.may_see_posting(&owner, &posting) {
        Ok(posting)
    } else {
        Err(not_found())
    }
}

/// Of these matches, those a member of one side may be told about: the other
/// side is public, or is their own organisations' too. `mine_needs` and
/// `mine_offers` are their organisations' postings.
pub async fn matches_for_members(
    db: &impl ConnectionTrait,
    rows: &[matches::Model],
    mine_needs: &HashSet<Uuid>,
    mine_offers: &HashSet<Uuid>,
) -> Result<HashSet<Uuid>, AppError> {
    let other_offers: Vec<Uuid> = rows
        .iter()
        .filter(|m| !mine_offers.contains(&m.offer_id))
        .map(|m| m.offer_id)
        .collect();
    let other_needs: Vec<Uuid> = rows
        .iter()
        .filter(|m| !mine_needs.contains(&m.need_id))
        .map(|m| m.need_id)
        .collect();
    let public_offers: HashSet<Uuid> =
        crate::services::search_docs::visible_offers(db, &other_offers)
            .await?
            .into_iter()
            .map(|o| o.id)
            .collect();
    let public_needs: HashSet<Uuid> = crate::services::search_docs::visible_needs(db, &other_needs)
        .await?
        .into_iter()
        .map(|n| n.id)
        .collect();
    let offer_ok = |id: &Uuid| mine_offers.contains(id) || public_offers.contains(id);
    let need_ok = |id: &Uuid| mine_needs.contains(id) || public_needs.contains(id);
    Ok(rows
        .iter()
        .filter(|m| offer_ok(&m.offer_id) && need_ok(&m.need_id))
        .map(|m| m.id)
        .collect())
}

#[cfg(test)]
mod tests {
    use chrono::Utc;
    use serde_json::json;

    use super::*;

    fn organization(hidden: bool) -> organizations::Model {
        let at = Utc::now();
        organizations::Model {
            id: Uuid::now_v7(),
            name: "Portinerie di Comunità".to_owned(),
            kind: "social_cooperative_a".to_owned(),
            tax_code: None,
            vat_number: None,
            description: String::new(),
            website: None,
            seat_municipality_code: None,
            address: None,
            lat: None,
            lon: None,
            verification_status: "unverified".to_owned(),
            verification_source: None,
            verified_at: None,
            runts_registered: false,
            created_by: None,
            created_at: at,
            updated_at: at,
            deleted_at: None,
            hidden_at: hidden.then_some(at),
            hidden_reason: hidden.then(|| "spam".to_owned()),
        }
    }

    fn need(organization_id: Uuid, status: &str, hidden: bool) -> needs::Model {
        let at = Utc::now();
        needs::Model {
            id: Uuid::now_v7(),
            organization_id,
            kind: "social_mediation".to_owned(),
            title: "Mediazione".to_owned(),
            description: String::new(),
            budget_cents: None,
            deadline_at: None,
            municipality_code: None,
            neighbourhood_id: None,
            lat: None,
            lon: None,
            location_precision: "neighbourhood".to_owned(),
            required_contributions: json!([]),
            eligible_organization_kinds: json!([]),
            requires_third_sector_registration: false,
            status: status.to_owned(),
            created_by: None,
            created_at: at,
            updated_at: at,
            closed_at: None,
            deleted_at: None,
            hidden_at: hidden.then_some(at),
            hidden_reason: hidden.then(|| "spam".to_owned()),
        }
    }

    fn member_of(organization_id: Uuid) -> Reader {
        Reader {
            user_id: Some(Uuid::now_v7()),
            verified: true,
            moderator: false,
            member_of: HashSet::from([organization_id]),
        }
    }

    fn outsider(verified: bool) -> Reader {
        Reader {
            user_id: Some(Uuid::now_v7()),
            verified,
            moderator: false,
            member_of: HashSet::new(),
        }
    }

    fn moderator() -> Reader {
        Reader {
            user_id: Some(Uuid::now_v7()),
            verified: true,
            moderator: true,
            member_of: HashSet::new(),
        }
    }

    #[test]
    fn withheld_records_are_for_insiders_only() {
        let public = organization(false);
        let hidden = organization(true);
        for (org, posting, public_posting) in [
            (&public, need(public.id, "open", false), true),
            (&public, need(public.id, "closed", false), true),
            (&public, need(public.id, "draft", false), false),
            (&public, need(public.id, "open", true), false),
            (&hidden, need(hidden.id, "open", false), false),
        ] {
            assert_eq!(posting_is_public(org, &posting), public_posting);
            for reader in [
                Reader::anonymous(),
                outsider(true),
                member_of(Uuid::now_v7()),
            ] {
                assert_eq!(reader.may_see_posting(org, &posting), public_posting);
            }
            assert!(member_of(org.id).may_see_posting(org, &posting));
            assert!(moderator().may_see_posting(org, &posting));
        }
        assert!(Reader::anonymous().may_see_organization(&public));
        assert!(!Reader::anonymous().may_see_organization(&hidden));
        assert!(!outsider(true).may_see_organization(&hidden));
        assert!(member_of(hidden.id).may_see_organization(&hidden));
        assert!(moderator().may_see_organization(&hidden));
        // A posting is judged with its own organisation only.
        let elsewhere = need(Uuid::now_v7(), "open", false);
        assert!(!moderator().may_see_posting(&public, &elsewhere));
    }

    #[test]
    fn contacts_follow_their_visibility() {
        let org = Uuid::now_v7();
        let cases = [
            (Reader::anonymous(), [true, false, false]),
            (outsider(false), [true, false, false]),
            (outsider(true), [true, true, false]),
            (member_of(Uuid::now_v7()), [true, true, false]),
            (member_of(org), [true, true, true]),
            (moderator(), [true, true, true]),
        ];
        for (reader, expected) in cases {
            let seen = [
                ContactVisibility::Public,
                ContactVisibility::SignedIn,
                ContactVisibility::Members,
            ]
            .map(|v| reader.may_see_contact(org, v));
            assert_eq!(seen, expected, "{reader:?}");
        }
    }

    #[test]
    fn members_and_drafts_are_the_organisations_own() {
        let org = Uuid::now_v7();
        for reader in [Reader::anonymous(), outsider(false), outsider(true)] {
            assert!(!reader.may_see_members(org) && !reader.may_see_drafts(org));
        }
        for reader in [member_of(org), moderator()] {
            assert!(reader.may_see_members(org) && reader.may_see_drafts(org));
        }
    }
}
