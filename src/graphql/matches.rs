//! Matches in GraphQL: `matchesForNeed`, `matchesForOffer`,
//! `suggestedPartners`, `partnerSet`, and the mutations that move a match
//! through its lifecycle (`setMatchStatus`) and record feedback
//! (`rateMatch`). Each match exposes its score and every criterion of it,
//! field by field, with a message in Italian or English.

use async_graphql::{Context, Enum, ID, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::enums::{Language, OfferKind};
use super::error::GqlResult;
use super::loaders::{NeedById, OfferById, OrganizationById, ProjectOfMatch, load};
use super::mutation::{acting, id_arg};
use super::types::{Need, Offer, Organization, organization, pick_lang, state};
use super::viewer::reader;
use crate::domain::{self, FeedbackSource};
use crate::error::{AppError, Entity};
use crate::matching::{self, Reason};
use crate::policy::visibility::{self, Posting};
use crate::services::matches::{self as service, MatchSide as ServiceSide, Partnership};
use crate::services::notifications;
use crate::store::entities::matches;

/// Largest `first` of the match lists.
const MAX_FIRST: i32 = 100;

fn first_arg(ctx: &Context<'_>, first: Option<i32>) -> Result<usize> {
    match first {
        None => Ok(20),
        Some(n) if (0..=MAX_FIRST).contains(&n) => Ok(usize::try_from(n).unwrap_or(0)),
        Some(_) => Err(AppError::invalid(
            "first",
            domain::Invalid::OutOfRange {
                min: 0,
                max: i64::from(MAX_FIRST),
            },
        ))
        .gql(ctx),
    }
}

/// Where one side stands on a match.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[graphql(remote = "domain::MatchSideStatus")]
pub enum MatchSideStatus {
    Suggested,
    Interested,
    Dismissed,
    InContact,
    Partnership,
}

/// A side of a match.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum MatchSide {
    Need,
    Offer,
}

impl From<MatchSide> for ServiceSide {
    fn from(side: MatchSide) -> Self {
        match side {
            MatchSide::Need => ServiceSide::Need,
            MatchSide::Offer => ServiceSide::Offer,
        }
    }
}

/// Where a match stands on the way to a partnership, which needs both
/// sides' consent.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[graphql(remote = "Partnership")]
pub enum MatchPartnership {
    /// Neither side proposed a partnership.
    NotProposed,
    /// The offer's side proposed it: it waits for the need's side to set
    /// PARTNERSHIP too (or dismiss the match).
    AwaitingNeedSide,
    /// The need's side proposed it: it waits for the offer's side.
    AwaitingOfferSide,
    /// One side proposed it, the other dismissed the match.
    Declined,
    /// Both sides agreed: the need's co-design project is open.
    Open,
}

/// A verdict on a proposed match, to tune the engine.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum MatchVerdict {
    Relevant,
    NotRelevant,
}

/// The criteria of a match's score.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[graphql(remote = "matching::Criterion")]
pub enum MatchCriterion {
    /// How alike the texts are.
    Text,
    /// How well the kind of offer serves the kind of need.
    Kind,
    /// Same neighbourhood, same municipality, distance, area covered.
    Territory,
    Sectors,
    /// Share of the budget the offer covers.
    Amount,
    /// Availability before the deadline.
    Time,
    Verification,
    /// A rule the pair meets (not weighed), e.g. RUNTS registration.
    Eligibility,
    /// Not part of the pair's score: how the organisation's verdicts on
    /// similar proposals move it in that organisation's lists
    /// (`contribution` is the change).
    Feedback,
}

/// One criterion's part in a match's score.
pub struct MatchReason {
    reason: Reason,
    total_weight: f64,
}

impl MatchReason {
    /// Every reason of a score computed now.
    fn all(scored: &matching::Scored, total_weight: f64) -> Vec<Self> {
        scored
            .reasons
            .iter()
            .map(|reason| Self {
                reason: reason.clone(),
                total_weight,
            })
            .collect()
    }
}

#[Object]
impl MatchReason {
    async fn criterion(&self) -> MatchCriterion {
        self.reason.criterion.into()
    }

    /// What the criterion found (`same_neighbourhood`, `amount_fits`...).
    async fn code(&self) -> &'static str {
        self.reason.code()
    }

    /// What the criterion is worth for this pair, 0..1.
    async fn value(&self) -> f64 {
        self.reason.value
    }

    /// The criterion's weight in the score (0 for rules).
    async fn weight(&self) -> f64 {
        self.reason.weight
    }

    /// Its share of the score: weight × value / sum of the weights.
    async fn contribution(&self) -> f64 {
        self.reason.contribution(self.total_weight)
    }

    /// What it found, as a person reads it ("stesso quartiere: San Siro").
    async fn message(&self, ctx: &Context<'_>, lang: Option<Language>) -> String {
        self.reason.message(pick_lang(ctx, lang))
    }
}

/// Whether the engine proposes a pair now, and why (or why not).
pub struct PairVerdict {
    outcome: Result<matching::Scored, matching::Exclusion>,
    through_partner: Option<service::PartnerRoute>,
    min_score: f64,
    total_weight: f64,
}

#[Object]
impl PairVerdict {
    /// True when the pair is proposed (no rule excludes it and its score
    /// reaches the minimum).
    async fn proposed(&self) -> bool {
        self.outcome
            .as_ref()
            .is_ok_and(|scored| scored.score >= self.min_score)
    }

    /// 0..1; null when a rule excludes the pair.
    async fn score(&self) -> Option<f64> {
        self.outcome.as_ref().ok().map(|scored| scored.score)
    }

    /// The score a pair needs to be proposed.
    async fn minimum_score(&self) -> f64 {
        self.min_score
    }

    /// The rule that excludes the pair (`outside_territory`,
    /// `offer_expired`...), if one does.
    async fn excluded_by(&self) -> Option<&'static str> {
        self.outcome.as_ref().err().map(matching::Exclusion::code)
    }

    /// Every criterion of the score (empty when a rule excludes the pair).
    async fn reasons(&self) -> Vec<MatchReason> {
        self.outcome
            .as_ref()
            .map(|scored| MatchReason::all(scored, self.total_weight))
            .unwrap_or_default()
    }

    /// When the offer is not for the need's poster's kind of body but is
    /// for that of an organisation proposed for the need: the pair scored
    /// as that partner would receive the offer, and who may. Null
    /// otherwise.
    async fn through_partner(&self) -> Option<PartnerRoute> {
        self.through_partner.clone().map(|route| PartnerRoute {
            route,
            total_weight: self.total_weight,
        })
    }

    /// The verdict in a sentence: the rule, or the score against the
    /// minimum with the criteria that cost it most.
    async fn explanation(&self, ctx: &Context<'_>, lang: Option<Language>) -> String {
        matching::reasons::verdict(&self.outcome, self.min_score, pick_lang(ctx, lang))
    }
}

/// A proposed pairing of a need and an offer.
pub struct Match(pub matches::Model);

#[Object]
impl Match {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }

    async fn need(&self, ctx: &Context<'_>) -> Result<Need> {
        let need = load(ctx, NeedById(self.0.need_id)).await?;
        Ok(Need(seen(ctx, need, Entity::Need, "needId").await?))
    }

    async fn offer(&self, ctx: &Context<'_>) -> Result<Offer> {
        let offer = load(ctx, OfferById(self.0.offer_id)).await?;
        Ok(Offer(seen(ctx, offer, Entity::Offer, "offerId").await?))
    }

    /// 0..1: the weighted mean of the criteria in `reasons`.
    async fn score(&self) -> f64 {
        self.0.score
    }

    /// Every criterion of the score, in order.
    async fn reasons(&self, ctx: &Context<'_>) -> Result<Vec<MatchReason>> {
        let total_weight = state(ctx)?.matcher.config().weights.total();
        Ok(service::reasons_of(&self.0)
            .into_iter()
            .map(|reason| MatchReason {
                reason,
                total_weight,
            })
            .collect())
    }

    async fn need_side_status(&self) -> MatchSideStatus {
        self.0.need_side_status.into()
    }

    async fn offer_side_status(&self) -> MatchSideStatus {
        self.0.offer_side_status.into()
    }

    /// Where the match stands on the way to a partnership: PARTNERSHIP on
    /// one side is a proposal that awaits the other side's.
    async fn partnership(&self, ctx: &Context<'_>) -> Result<MatchPartnership> {
        let project = load(ctx, ProjectOfMatch(self.0.id)).await?;
        Ok(Partnership::of(&self.0, project).into())
    }

    /// The co-design project the partnership opened, once both sides
    /// agreed; shown to the two organisations' members (and moderators)
    /// only, null for anyone else.
    async fn project_id(&self, ctx: &Context<'_>) -> Result<Option<ID>> {
        let Some(project) = load(ctx, ProjectOfMatch(self.0.id)).await? else {
            return Ok(None);
        };
        let need = load(ctx, NeedById(self.0.need_id)).await?;
        let offer = load(ctx, OfferById(self.0.offer_id)).await?;
        let reader = reader(ctx).await?;
        let party = |owner: Option<Uuid>| owner.is_some_and(|o| reader.is_insider(o));
        let insider =
            party(need.map(|n| n.organization_id)) || party(offer.map(|o| o.organization_id));
        Ok(insider.then(|| ID(project.to_string())))
    }

    /// When the score was last computed.
    async fn computed_at(&self) -> DateTime<Utc> {
        self.0.computed_at
    }
}

/// An offer or need loaded for a match, if the viewer may see it (with
/// its organisation, batched); NOT_FOUND on `field` otherwise.
async fn seen<P: Posting>(
    ctx: &Context<'_>,
    posting: Option<P>,
    entity: Entity,
    field: &str,
) -> Result<P> {
    let not_found = || AppError::not_found(entity, field);
    let Some(posting) = posting else {
        return Err(not_found()).gql(ctx);
    };
    let owner = load(ctx, OrganizationById(posting.organization_id())).await?;
    let reader = reader(ctx).await?;
    match owner {
        Some(owner) if reader.may_see_posting(&owner, &posting) => Ok(posting),
        _ => Err(not_found()).gql(ctx),
    }
}

/// A list of matches, best first.
#[derive(SimpleObject)]
pub struct MatchList {
    pub edges: Vec<MatchEdge>,
    pub page_info: MatchPageInfo,
}

#[derive(SimpleObject)]
pub struct MatchEdge {
    /// The match's id.
    pub cursor: String,
    pub node: Match,
}

/// Match lists have one page of at most `first` (100): `hasNextPage` says
/// whether more were proposed.
#[derive(SimpleObject)]
pub struct MatchPageInfo {
    pub has_next_page: bool,
    pub has_previous_page: bool,
    pub start_cursor: Option<String>,
    pub end_cursor: Option<String>,
}

fn match_list(rows: Vec<matches::Model>, more: bool) -> MatchList {
    let edges: Vec<MatchEdge> = rows
        .into_iter()
        .map(|row| MatchEdge {
            cursor: row.id.to_string(),
            node: Match(row),
        })
        .collect();
    MatchList {
        page_info: MatchPageInfo {
            has_next_page: more,
            has_previous_page: false,
            start_cursor: edges.first().map(|e| e.cursor.clone()),
            end_cursor: edges.last().map(|e| e.cursor.clone()),
        },
        edges,
    }
}

/// An organisation suggested as a partner.
pub struct PartnerSuggestion(service::PartnerSuggestion);

#[Object]
impl PartnerSuggestion {
    async fn organization(&self, ctx: &Context<'_>) -> Result<Organization> {
        organization(ctx, self.0.organization_id).await
    }

    /// Its best match's score.
    async fn score(&self) -> f64 {
        self.0.score
    }

    /// How many of its offers match your open needs.
    async fn offers_for_your_needs(&self) -> u64 {
        self.0.offers_for_my_needs
    }

    /// How many of its needs your open offers match.
    async fn needs_for_your_offers(&self) -> u64 {
        self.0.needs_for_my_offers
    }

    /// The matches between you, best first (at most five).
    async fn matches(&self) -> Vec<Match> {
        self.0.matches.iter().cloned().map(Match).collect()
    }
}

/// One organisation of a proposed partner set.
pub struct PartnerSetMember {
    member: matching::cover::CoverMember,
    matches: Vec<matches::Model>,
}

#[Object]
impl PartnerSetMember {
    async fn organization(&self, ctx: &Context<'_>) -> Result<Organization> {
        organization(ctx, self.member.organization_id).await
    }

    /// The kinds of contribution it covers.
    async fn covers(&self) -> Vec<OfferKind> {
        self.member.kinds.iter().copied().map(Into::into).collect()
    }

    /// Its offers chosen for the need, with their reasons.
    async fn matches(&self) -> Vec<Match> {
        self.matches.iter().cloned().map(Match).collect()
    }

    /// The sum of those matches' scores.
    async fn score(&self) -> f64 {
        self.member.score
    }
}

/// The organisations proposed together for a need that asks for several
/// kinds of contribution.
pub struct PartnerSet {
    need_id: Uuid,
    members: Vec<PartnerSetMember>,
    uncovered: Vec<domain::OfferKind>,
    total_score: f64,
}

#[Object]
impl PartnerSet {
    async fn members(&self) -> &[PartnerSetMember] {
        &self.members
    }

    /// Contributions asked for that no proposed organisation covers.
    async fn uncovered(&self) -> Vec<OfferKind> {
        self.uncovered.iter().copied().map(Into::into).collect()
    }

    async fn total_score(&self) -> f64 {
        self.total_score
    }

    /// Offers the need can receive only through a partner: their
    /// conditions leave out the need's poster but admit an organisation
    /// proposed for the need (in a co-design, a grant for third-sector
    /// bodies goes to the third-sector partner). Best first, at most
    /// `first` (5 unless given, at most 100); empty for a need that is
    /// not open.
    async fn through_partner(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
    ) -> Result<Vec<PartnerRoute>> {
        let first = first_arg(ctx, Some(first.unwrap_or(5)))?;
        let state = state(ctx)?;
        let engine = service::Engine {
            db: &state.db,
            reads: &state.readers,
            search: &state.search,
            matcher: &state.matcher,
        };
        let total_weight = state.matcher.config().weights.total();
        Ok(engine
            .through_partners(self.need_id, first, crate::services::now())
            .await
            .gql(ctx)?
            .into_iter()
            .map(|route| PartnerRoute {
                route,
                total_weight,
            })
            .collect())
    }
}

/// An offer that reaches a need through a partner of the need's.
pub struct PartnerRoute {
    route: service::PartnerRoute,
    total_weight: f64,
}

#[Object]
impl PartnerRoute {
    async fn offer(&self, ctx: &Context<'_>) -> Result<Offer> {
        let offer = load(ctx, OfferById(self.route.offer_id)).await?;
        Ok(Offer(seen(ctx, offer, Entity::Offer, "offerId").await?))
    }

    /// 0..1: the pair's score as the partner would receive the offer.
    async fn score(&self) -> f64 {
        self.route.scored.score
    }

    /// Every criterion of that score; the last names the kinds of body the
    /// offer is for.
    async fn reasons(&self) -> Vec<MatchReason> {
        MatchReason::all(&self.route.scored, self.total_weight)
    }

    /// The organisations proposed for the need that the offer admits
    /// (public bodies aside), best match first: who would apply for it or
    /// receive it.
    async fn partners(&self, ctx: &Context<'_>) -> Result<Vec<Organization>> {
        let mut partners = Vec::with_capacity(self.route.partners.len());
        for id in &self.route.partners {
            partners.push(organization(ctx, *id).await?);
        }
        Ok(partners)
    }
}

#[derive(Default)]
pub struct MatchQuery;

#[Object]
impl MatchQuery {
    /// The offers proposed for a need, best first (`first`: 20 unless given,
    /// at most 100). Offers the need's organisation dismissed are left out
    /// unless `includeDismissed`, which only its members may ask for.
    /// Errors: BAD_USER_INPUT on `needId` or `first`, NOT_FOUND on `needId`
    /// (also for a draft or hidden need, or one of a hidden organisation,
    /// unless the viewer is one of its members or a moderator), FORBIDDEN
    /// on `includeDismissed`.
    async fn matches_for_need(
        &self,
        ctx: &Context<'_>,
        need_id: ID,
        first: Option<i32>,
        include_dismissed: Option<bool>,
    ) -> Result<MatchList> {
        matches_of(ctx, ServiceSide::Need, &need_id, first, include_dismissed).await
    }

    /// The needs proposed for an offer, best first. Arguments and errors as
    /// for `matchesForNeed`.
    async fn matches_for_offer(
        &self,
        ctx: &Context<'_>,
        offer_id: ID,
        first: Option<i32>,
        include_dismissed: Option<bool>,
    ) -> Result<MatchList> {
        matches_of(ctx, ServiceSide::Offer, &offer_id, first, include_dismissed).await
    }

    /// Why the engine proposes this offer for this need or not, computed
    /// now: the rule that excludes the pair, or its score against the
    /// minimum and the criteria that cost it most, in Italian and English.
    /// Only published, open needs and offers of public organisations are
    /// matched. Errors: BAD_USER_INPUT / NOT_FOUND on `needId` and
    /// `offerId` (NOT_FOUND also for a posting the engine does not match,
    /// such as a draft).
    async fn why_not_matched(
        &self,
        ctx: &Context<'_>,
        need_id: ID,
        offer_id: ID,
    ) -> Result<PairVerdict> {
        let need_id = id_arg(ctx, &need_id, "needId")?;
        let offer_id = id_arg(ctx, &offer_id, "offerId")?;
        let state = state(ctx)?;
        let reader = reader(ctx).await?;
        visibility::need(&state.db, &reader, need_id, "needId")
            .await
            .gql(ctx)?;
        visibility::offer(&state.db, &reader, offer_id, "offerId")
            .await
            .gql(ctx)?;
        let engine = service::Engine {
            db: &state.db,
            reads: &state.readers,
            search: &state.search,
            matcher: &state.matcher,
        };
        let outcome = engine.explain(need_id, offer_id).await.gql(ctx)?;
        let through_partner = match outcome {
            Err(matching::Exclusion::OfferConditions { .. }) => engine
                .explain_through_partner(need_id, offer_id)
                .await
                .gql(ctx)?,
            _ => None,
        };
        Ok(PairVerdict {
            outcome,
            through_partner,
            min_score: state.matcher.config().min_score,
            total_weight: state.matcher.config().weights.total(),
        })
    }

    /// Organisations whose offers match this organisation's open needs, or
    /// whose needs its open offers match, best first (`first`: 10 unless
    /// given, at most 100). Errors: BAD_USER_INPUT / NOT_FOUND on
    /// `organizationId` (NOT_FOUND also for a hidden organisation, unless
    /// the viewer is one of its members or a moderator).
    async fn suggested_partners(
        &self,
        ctx: &Context<'_>,
        organization_id: ID,
        first: Option<i32>,
    ) -> Result<Vec<PartnerSuggestion>> {
        let id = id_arg(ctx, &organization_id, "organizationId")?;
        let first = first_arg(ctx, Some(first.unwrap_or(10)))?;
        let state = state(ctx)?;
        let reader = reader(ctx).await?;
        visibility::organization(&state.db, &reader, id, "organizationId")
            .await
            .gql(ctx)?;
        Ok(service::suggested_partners(&state.db, id, first)
            .await
            .gql(ctx)?
            .into_iter()
            .map(PartnerSuggestion)
            .collect())
    }

    /// For a need asking for several kinds of contribution, the
    /// organisations that together cover them with the best total score,
    /// each with its matches. Errors: BAD_USER_INPUT / NOT_FOUND on `needId`
    /// (NOT_FOUND as for `matchesForNeed`).
    async fn partner_set(&self, ctx: &Context<'_>, need_id: ID) -> Result<PartnerSet> {
        let id = id_arg(ctx, &need_id, "needId")?;
        let state = state(ctx)?;
        let reader = reader(ctx).await?;
        let need = visibility::need(&state.db, &reader, id, "needId")
            .await
            .gql(ctx)?;
        let (cover, by_offer) = service::partner_set(&state.db, &state.matcher, need.id)
            .await
            .gql(ctx)?;
        Ok(PartnerSet {
            need_id: need.id,
            total_score: cover.total_score,
            uncovered: cover.uncovered,
            members: cover
                .members
                .into_iter()
                .map(|member| PartnerSetMember {
                    matches: member
                        .offers
                        .iter()
                        .filter_map(|o| by_offer.get(&o.offer_id).cloned())
                        .collect(),
                    member,
                })
                .collect(),
        })
    }
}

/// The matches of the need or offer `raw_id` names (`side`), as
/// `matchesForNeed` and `matchesForOffer` answer them.
async fn matches_of(
    ctx: &Context<'_>,
    side: ServiceSide,
    raw_id: &ID,
    first: Option<i32>,
    include_dismissed: Option<bool>,
) -> Result<MatchList> {
    let include_dismissed = include_dismissed.unwrap_or(false);
    let field = match side {
        ServiceSide::Need => "needId",
        ServiceSide::Offer => "offerId",
    };
    let id = id_arg(ctx, raw_id, field)?;
    let first = first_arg(ctx, first)?;
    let state = state(ctx)?;
    let reader = reader(ctx).await?;
    let organization_id = match side {
        ServiceSide::Need => {
            visibility::need(&state.db, &reader, id, field)
                .await
                .gql(ctx)?
                .organization_id
        }
        ServiceSide::Offer => {
            visibility::offer(&state.db, &reader, id, field)
                .await
                .gql(ctx)?
                .organization_id
        }
    };
    if include_dismissed {
        member_of(ctx, organization_id).await?;
    }
    let with_verdicts = reader.sees_verdicts_of(organization_id);
    let (rows, more) = service::list(
        &state.db,
        &state.matcher,
        side,
        id,
        include_dismissed,
        with_verdicts,
        first,
    )
    .await
    .gql(ctx)?;
    Ok(match_list(rows, more))
}

/// FORBIDDEN unless the viewer may list the organisation's dismissed
/// matches (UNAUTHENTICATED when anonymous): the visibility policy decides.
async fn member_of(ctx: &Context<'_>, organization_id: Uuid) -> Result<()> {
    let (actor, state) = acting(ctx)?;
    visibility::check_dismissed_matches(&state.db, actor.user_id, organization_id)
        .await
        .gql(ctx)
}

/// The answer to `setMatchStatus`.
#[derive(SimpleObject)]
pub struct MatchStatusPayload {
    #[graphql(name = "match")]
    pub match_: Match,
    /// The co-design project, once both sides agreed to the partnership
    /// (null while a proposal awaits the other side: see
    /// `match.partnership`).
    pub project_id: Option<ID>,
}

#[derive(Default)]
pub struct MatchMutation;

#[Object]
impl MatchMutation {
    /// Moves your side of a match: INTERESTED, DISMISSED (it stays away until
    /// either side edits its content; dismissing declines the other side's
    /// proposal), IN_CONTACT, PARTNERSHIP, or back to SUGGESTED. A
    /// partnership needs both sides: PARTNERSHIP on your side proposes it
    /// (the other organisation's people are told by e-mail, and
    /// `match.partnership` shows it awaiting them) and any other status
    /// withdraws the proposal; PARTNERSHIP on the second side opens the
    /// need's co-design project (or adds the offer's organisation to it).
    /// `side` is needed only if you belong to both organisations. Errors:
    /// UNAUTHENTICATED; FORBIDDEN unless you are a member of that side's
    /// organisation; NOT_FOUND on `matchId`; CONFLICT on `status` once the
    /// partnership is open or when proposing to a side that dismissed the
    /// match.
    async fn set_match_status(
        &self,
        ctx: &Context<'_>,
        match_id: ID,
        status: MatchSideStatus,
        side: Option<MatchSide>,
    ) -> Result<MatchStatusPayload> {
        let (actor, state) = acting(ctx)?;
        let id = id_arg(ctx, &match_id, "matchId")?;
        let change =
            service::set_status(&state.db, &actor, id, side.map(Into::into), status.into())
                .await
                .gql(ctx)?;
        if let Some(proposal) = &change.proposal {
            notifications::partnership_proposed(&state.mailer, &state.settings, proposal).await;
        }
        Ok(MatchStatusPayload {
            match_: Match(change.row),
            project_id: change.project_id.map(|p| ID(p.to_string())),
        })
    }

    /// Records whether a proposed match is relevant, to tune the engine.
    /// Errors as for `setMatchStatus`.
    async fn rate_match(
        &self,
        ctx: &Context<'_>,
        match_id: ID,
        verdict: MatchVerdict,
    ) -> Result<bool> {
        let (actor, state) = acting(ctx)?;
        let id = id_arg(ctx, &match_id, "matchId")?;
        let verdict = match verdict {
            MatchVerdict::Relevant => domain::FeedbackVerdict::Relevant,
            MatchVerdict::NotRelevant => domain::FeedbackVerdict::NotRelevant,
        };
        service::record_feedback(&state.db, &actor, id, verdict, FeedbackSource::Web)
            .await
            .gql(ctx)?;
        Ok(true)
    }
}
