//! Who may see what: one named rule per kind of record, called by every
//! reader (GraphQL resolvers, search documents and hits, open data, digests,
//! the live-update feed, the match lists). What a person may *do* is decided
//! in [`crate::services::permissions`]; this is its reading half.
//!
//! # The rules
//!
//! - **Hidden records.** A record is *public* when nothing withholds it: an
//!   organisation not hidden by a moderator ([`organization_is_public`]); an
//!   offer or a need published, not hidden, of a public organisation
//!   ([`posting_is_public`]). Anyone sees public records. A record that is
//!   not public is seen only by its organisation's **insiders**: its members
//!   (any role) and the platform's moderators ([`Reader::may_see_organization`],
//!   [`Reader::may_see_posting`]). To everyone else it does not exist:
//!   NOT_FOUND by direct link, absent from lists, search, matches, partner
//!   suggestions, open data, digests and live updates. Insiders also see that
//!   it is hidden and why. Deleted records are seen by no one.
//! - **Drafts.** A draft is not public either: by link it follows the rule
//!   above; a list of drafts is one organisation's, for its insiders
//!   ([`Reader::may_see_drafts`], [`check_posting_list`]).
//! - **Exact location.** A need's point is shown only when the need chose
//!   EXACT precision, to everyone alike ([`shown_need_point`]); matching
//!   measures distances from the shown point only (else the neighbourhood's
//!   or the municipality's), since "a 0,3 km" in a reason would tell the
//!   other side where the hidden address is.
//! - **Neighbourhood.** A need that chose MUNICIPALITY precision is known to
//!   others by its municipalities only: its neighbourhoods (of its first
//!   place and of its other places) are shown to its insiders alone, who
//!   edit them ([`Reader::sees_need_neighbourhoods`]); search does not file
//!   it under them, open data leaves them out, the observatory counts it in
//!   its municipality, and matching does not use them, since a match's
//!   reasons are read by the other side ([`need_neighbourhoods_shown`]).
//! - **Contacts.** A contact is shown as its visibility says: `public` to
//!   anyone, `signed_in` to signed-in accounts with a verified address (and
//!   to insiders), `members` to insiders ([`Reader::may_see_contact`]).
//! - **Members.** An organisation's members list is for its insiders
//!   ([`Reader::may_see_members`]).
//! - **Projects.** A co-design project that is public and not hidden by a
//!   moderator is seen by anyone; a private (or hidden) one only by the
//!   members of its current partners and the moderators
//!   ([`Reader::may_see_project`]). To everyone else it does not exist
//!   (NOT_FOUND). Deleted projects are seen by no one.
//! - **Art. 55 applications.** On a public call, the proposals (and their
//!   scores) are the procedure's, not the public's: they are read by the
//!   members of the project's current partners (the public body running it,
//!   the bodies already admitted), by the moderators, and by each applicant
//!   for its own ([`Reader::may_see_application`]). Competitors do not read
//!   each other's proposals while the call runs.
//! - **Dismissed matches.** A match an organisation dismissed is left out of
//!   what that organisation is shown (its match lists, partner suggestions,
//!   digests, the observatory's well-matched needs)
//!   ([`dismissed_by_own_side`]); only its members may ask for them back
//!   ([`check_dismissed_matches`]).
//! - **Conversations.** A conversation is read and written by the members
//!   of its parties only, moderators included in no party: see
//!   [`super::conversations`].
//!
//! # Which reader asks what
//!
//! One record at a time, a reader asks the predicates above. Many records at
//! once, it asks the database with the store's public-record scopes
//! ([`crate::store::scope`]), the query-side form of the same rules; this
//! table says which scope each reader uses, so that a new reader picks the
//! one its rule needs:
//!
//! | reader | hidden records and drafts | exact location, neighbourhood | contacts, members | dismissed matches |
//! |---|---|---|---|---|
//! | GraphQL by id (`organization`, `offer`, `need`, a match's sides, a posting's organisation) | [`organization`], [`offer`], [`need`], [`Reader::may_see_posting`] | [`shown_need_point`], [`Reader::sees_need_neighbourhoods`] | [`Reader::may_see_contact`], [`Reader::may_see_members`] | — |
//! | GraphQL lists (`organizations`, `offers`, `needs`, an organisation's) | `scope::Existing::public` + status, `scope::public_organization_ids`; drafts gated by [`check_posting_list`] | as above | as above | — |
//! | GraphQL matches (`matchesForNeed`/`Offer`, `suggestedPartners`, `partnerSet`) | [`public_offers`], [`public_needs`] for the other side | reasons from facts without hidden neighbourhoods or points ([`need_neighbourhoods_shown`], [`shown_need_point`]) | — | [`dismissed_by_own_side`]; `store::matches::undismissed_of` (query side); [`check_dismissed_matches`] for `includeDismissed` |
//! | search documents and hits (`search`, `similar`) | [`public_organizations`], [`public_offers`], [`public_needs`] (`scope::published_*`), then [`public_among`] | [`shown_need_point`], [`need_neighbourhoods_shown`] | not indexed | — |
//! | open data (CSV, JSON) | `scope::published_*_of_public_organizations` (pages), then [`public_among`] | [`shown_need_point`], [`need_neighbourhoods_shown`] | not exported | — |
//! | digests (matches, saved searches) | [`matches_for_members`], [`public_offers`], [`public_needs`] | not sent; reasons as matches | not sent | [`dismissed_by_own_side`] |
//! | live updates (`recordChanges`) | [`organization`], [`offer`], [`need`] as an anonymous [`Reader`] | as GraphQL | as GraphQL, for the subscriber | — |
//! | observatory | `scope::published_*_of_public_organizations` | [`need_neighbourhoods_shown`] | — | `store::observatory::well_matched_needs` (need side) |
//!
//! A [`Reader`] is loaded once per request (two small statements for a
//! signed-in person, none for anonymous visitors and moderators) and then
//! answers every rule without touching the database.

use std::collections::{HashMap, HashSet};

use sea_orm::ConnectionTrait;
use uuid::Uuid;

use crate::domain::{ContactVisibility, LocationPrecision, MatchSideStatus, PostingStatus};
use crate::error::{AppError, Entity};
use crate::store::entities::{matches, needs, offers, organizations, projects};
use crate::store::{StoreResult, accounts, memberships, rows, search_docs};

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
        let Some(user) = accounts::find_active(db, user_id).await? else {
            return Ok(Self::anonymous());
        };
        let member_of = memberships::of_user(db, user_id)
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

    /// The organisations they belong to (any role).
    pub fn organizations(&self) -> &HashSet<Uuid> {
        &self.member_of
    }

    /// Whether an organisation's own verdicts on proposals (what it
    /// dismissed, what it found relevant or not) may shape the lists this
    /// reader is shown ([`crate::matching::feedback`]): only for its
    /// members, as for its dismissed matches (not even moderators: the
    /// verdicts are the organisation's own judgement, and a moved score
    /// names the proposal it was judged on). Everyone else sees the pairs'
    /// own scores.
    pub fn sees_verdicts_of(&self, organization_id: Uuid) -> bool {
        self.member_of.contains(&organization_id)
    }

    /// A signed-in, verified reader, a moderator or not, member of
    /// `member_of`: for the unit tests of the policies built on this one.
    #[cfg(test)]
    pub(crate) fn for_tests(moderator: bool, member_of: HashSet<Uuid>) -> Self {
        Self {
            user_id: Some(Uuid::now_v7()),
            verified: true,
            moderator,
            member_of,
        }
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

    /// Whether this reader sees the need's neighbourhoods: when the need
    /// shows them to everyone ([`need_neighbourhoods_shown`]), else when
    /// the reader is one of its organisation's insiders.
    pub fn sees_need_neighbourhoods(&self, need: &needs::Model) -> bool {
        need_neighbourhoods_shown(need.location_precision) || self.is_insider(need.organization_id)
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

    /// Whether a co-design project exists for this reader; `partners` are
    /// the organisations of its current partners.
    pub fn may_see_project(&self, project: &projects::Model, partners: &[Uuid]) -> bool {
        project.deleted_at.is_none()
            && ((project.is_public && project.hidden_at.is_none())
                || self.moderator
                || partners.iter().any(|org| self.is_member(*org)))
    }

    /// Whether an art. 55 application of `applicant` is shown; `partners`
    /// are the organisations of the project's current partners.
    pub fn may_see_application(&self, partners: &[Uuid], applicant: Uuid) -> bool {
        self.moderator
            || self.is_member(applicant)
            || partners.iter().any(|org| self.is_member(*org))
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
                self.status == PostingStatus::Draft
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
pub fn organization_is_public(organization: &impl Owner) -> bool {
    !organization.deleted() && !organization.hidden()
}

/// An organisation as a row or a summary of one: what the rules on its
/// postings read.
pub trait Owner {
    fn id(&self) -> Uuid;
    fn deleted(&self) -> bool;
    fn hidden(&self) -> bool;
}

/// A full row and a summary hold the same three columns.
macro_rules! owner_of_columns {
    ($($row:ty),*) => {$(
        impl Owner for $row {
            fn id(&self) -> Uuid {
                self.id
            }
            fn deleted(&self) -> bool {
                self.deleted_at.is_some()
            }
            fn hidden(&self) -> bool {
                self.hidden_at.is_some()
            }
        }
    )*};
}

owner_of_columns!(organizations::Model, organizations::Summary);

/// Published, neither deleted nor hidden, of a public organisation.
pub fn posting_is_public(organization: &impl Owner, posting: &impl Posting) -> bool {
    organization_is_public(organization)
        && posting.organization_id() == organization.id()
        && !posting.deleted()
        && !posting.is_hidden()
        && !posting.is_draft()
}

/// Whether `posting` is public, judged with its organisation found in
/// `owners` (by id): a posting whose organisation is not there (not loaded
/// because it is not public) is not. For readers that load a page of
/// postings and their organisations anyway (search documents, open data).
pub fn public_among(owners: &HashMap<Uuid, impl Owner>, posting: &impl Posting) -> bool {
    owners
        .get(&posting.organization_id())
        .is_some_and(|owner| posting_is_public(owner, posting))
}

/// The public organisations among `ids` (any order): the batch form of
/// [`organization_is_public`], for search documents and hits. Fails only on
/// database errors.
pub async fn public_organizations(
    db: &impl ConnectionTrait,
    ids: &[Uuid],
) -> StoreResult<Vec<organizations::Model>> {
    search_docs::visible_organizations(db, ids).await
}

/// [`public_organizations`], summarised (see [`organizations::Summary`]).
pub async fn public_organization_summaries(
    db: &impl ConnectionTrait,
    ids: &[Uuid],
) -> StoreResult<Vec<organizations::Summary>> {
    search_docs::visible_organization_summaries(db, ids).await
}

/// The public offers among `ids` (any order): the batch form of
/// [`posting_is_public`] (published, not hidden, of a public organisation),
/// for search, match lists, partner suggestions and digests. Fails only on
/// database errors.
pub async fn public_offers(
    db: &impl ConnectionTrait,
    ids: &[Uuid],
) -> StoreResult<Vec<offers::Model>> {
    search_docs::visible_offers(db, ids).await
}

/// The public needs among `ids` (any order); see [`public_offers`].
pub async fn public_needs(
    db: &impl ConnectionTrait,
    ids: &[Uuid],
) -> StoreResult<Vec<needs::Model>> {
    search_docs::visible_needs(db, ids).await
}

/// Whether a list of postings with `status` may be read: any status but
/// drafts by anyone; drafts only of one organisation (BAD_USER_INPUT on
/// `filter.organizationId` when none is named), to its members and the
/// moderators (UNAUTHENTICATED for someone not `signed_in`, FORBIDDEN for
/// other accounts).
pub fn check_posting_list(
    reader: &Reader,
    signed_in: bool,
    status: PostingStatus,
    organization_id: Option<Uuid>,
) -> Result<(), AppError> {
    if status != PostingStatus::Draft {
        return Ok(());
    }
    let Some(organization_id) = organization_id else {
        return Err(AppError::invalid(
            "filter.organizationId",
            crate::domain::Invalid::Required,
        ));
    };
    if reader.may_see_drafts(organization_id) {
        Ok(())
    } else if signed_in {
        Err(AppError::Forbidden(
            "only members see their organisation's drafts",
        ))
    } else {
        Err(AppError::Unauthenticated)
    }
}

/// Whether the matches an organisation dismissed may be listed for
/// `user_id`: only for its members (not even moderators: dismissing is the
/// organisation's own judgement). UNAUTHENTICATED when anonymous, FORBIDDEN
/// for anyone else. Everyone else gets the lists without them.
pub async fn check_dismissed_matches(
    db: &impl ConnectionTrait,
    user_id: Option<Uuid>,
    organization_id: Uuid,
) -> Result<(), AppError> {
    let user_id = user_id.ok_or(AppError::Unauthenticated)?;
    match memberships::find(db, organization_id, user_id).await? {
        Some(_) => Ok(()),
        None => Err(AppError::Forbidden(
            "only members of the organisation may do this",
        )),
    }
}

/// Whether the side of `row` that is the reader's own dismissed it:
/// `own_need` / `own_offer` say whether the need / the offer is of the
/// reader's organisation (both for a match between two of its postings).
/// Such a match is left out of what that organisation is shown unless one
/// of its members asks for it ([`check_dismissed_matches`]); the other side
/// still sees it.
pub fn dismissed_by_own_side(row: &matches::Model, own_need: bool, own_offer: bool) -> bool {
    let dismissed = |status: MatchSideStatus| status == MatchSideStatus::Dismissed;
    (own_need && dismissed(row.need_side_status)) || (own_offer && dismissed(row.offer_side_status))
}

/// The exact point of a need, shown only when the need chose to show it
/// (`location_precision` EXACT): a need may hide its address (neighbourhood
/// or municipality only) to protect vulnerable people. Everyone, insiders
/// included, sees the same: the API, search documents and open data all ask
/// here.
pub fn shown_need_point(need: &needs::Model) -> Option<(f64, f64)> {
    let exact = need.location_precision == LocationPrecision::Exact;
    match (exact, need.lat, need.lon) {
        (true, Some(lat), Some(lon)) => Some((lat, lon)),
        _ => None,
    }
}

/// Whether a need shows its neighbourhoods to everyone: not when it chose
/// MUNICIPALITY precision (its insiders still see them, see
/// [`Reader::sees_need_neighbourhoods`]). Readers that serve everyone alike
/// (search, open data, the observatory, matching) ask here.
pub fn need_neighbourhoods_shown(precision: LocationPrecision) -> bool {
    precision != LocationPrecision::Municipality
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
    rows::by_id::<organizations::Entity>(db, id, "organizations: by id, any state")
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
    let offer = rows::by_id::<offers::Entity>(db, id, "offers: by id, any state").await?;
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
    let need = rows::by_id::<needs::Entity>(db, id, "needs: by id, any state").await?;
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
    let owner = rows::by_id::<organizations::Entity>(
        db,
        posting.organization_id(),
        "organizations: by id, any state",
    )
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
    let other_public_offers: HashSet<Uuid> = public_offers(db, &other_offers)
        .await?
        .into_iter()
        .map(|o| o.id)
        .collect();
    let other_public_needs: HashSet<Uuid> = public_needs(db, &other_needs)
        .await?
        .into_iter()
        .map(|n| n.id)
        .collect();
    let offer_ok = |id: &Uuid| mine_offers.contains(id) || other_public_offers.contains(id);
    let need_ok = |id: &Uuid| mine_needs.contains(id) || other_public_needs.contains(id);
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
    use crate::domain::{NeedKind, OrganizationKind, VerificationStatus};

    fn organization(hidden: bool) -> organizations::Model {
        let at = Utc::now();
        organizations::Model {
            id: Uuid::now_v7(),
            name: "Portinerie di Comunità".to_owned(),
            kind: OrganizationKind::SocialCooperativeA,
            tax_code: None,
            vat_number: None,
            description: String::new(),
            website: None,
            seat_municipality_code: None,
            address: None,
            lat: None,
            lon: None,
            verification_status: VerificationStatus::Unverified,
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

    fn need(organization_id: Uuid, status: PostingStatus, hidden: bool) -> needs::Model {
        let at = Utc::now();
        needs::Model {
            id: Uuid::now_v7(),
            organization_id,
            kind: NeedKind::SocialMediation,
            title: "Mediazione".to_owned(),
            description: String::new(),
            budget_cents: None,
            deadline_at: None,
            municipality_code: None,
            neighbourhood_id: None,
            other_places: json!([]),
            territory_scope: None,
            lat: None,
            lon: None,
            location_precision: LocationPrecision::Neighbourhood,
            required_contributions: json!([]),
            eligible_organization_kinds: json!([]),
            requires_third_sector_registration: false,
            status,
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
            (&public, need(public.id, PostingStatus::Open, false), true),
            (&public, need(public.id, PostingStatus::Closed, false), true),
            (&public, need(public.id, PostingStatus::Draft, false), false),
            (&public, need(public.id, PostingStatus::Open, true), false),
            (&hidden, need(hidden.id, PostingStatus::Open, false), false),
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
        let elsewhere = need(Uuid::now_v7(), PostingStatus::Open, false);
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

    #[test]
    fn a_posting_is_judged_with_its_loaded_owner() {
        let public = organization(false);
        let owners = HashMap::from([(public.id, public.clone())]);
        assert!(public_among(
            &owners,
            &need(public.id, PostingStatus::Open, false)
        ));
        assert!(!public_among(
            &owners,
            &need(public.id, PostingStatus::Draft, false)
        ));
        assert!(!public_among(
            &owners,
            &need(public.id, PostingStatus::Open, true)
        ));
        // An owner not loaded (not public) withholds its postings.
        assert!(!public_among(
            &owners,
            &need(Uuid::now_v7(), PostingStatus::Open, false)
        ));
    }

    #[test]
    fn a_dismissal_counts_for_its_own_side_only() {
        let at = Utc::now();
        let row = |need_side: MatchSideStatus, offer_side: MatchSideStatus| matches::Model {
            id: Uuid::now_v7(),
            need_id: Uuid::now_v7(),
            offer_id: Uuid::now_v7(),
            score: 0.5,
            reasons: json!([]),
            need_side_status: need_side,
            offer_side_status: offer_side,
            content_fingerprint: String::new(),
            computed_at: at,
            created_at: at,
            updated_at: at,
        };
        let by_need = row(MatchSideStatus::Dismissed, MatchSideStatus::Interested);
        assert!(dismissed_by_own_side(&by_need, true, false));
        assert!(!dismissed_by_own_side(&by_need, false, true));
        assert!(dismissed_by_own_side(&by_need, true, true));
        assert!(!dismissed_by_own_side(&by_need, false, false));
        let by_offer = row(MatchSideStatus::Suggested, MatchSideStatus::Dismissed);
        assert!(dismissed_by_own_side(&by_offer, false, true));
        assert!(!dismissed_by_own_side(&by_offer, true, false));
    }
}
