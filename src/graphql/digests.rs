//! Digest preferences in GraphQL: the `digestSettings` query (also on
//! `me`), the `updateDigestSettings` mutation, and the saved searches that
//! feed the digest (`savedSearches`, `saveSearch`, `deleteSavedSearch`), for
//! the signed-in user only (UNAUTHENTICATED otherwise).

use async_graphql::{ComplexObject, Context, Enum, ID, InputObject, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};

use super::enums::{Language, NeedKind, OfferKind, OrganizationKind, PostingStatus};
use super::error::GqlResult;
use super::search::{SearchFilter, SearchType};
use super::types::{Cents, state};
use super::viewer::{Viewer, as_viewer, list_as_viewer};
use crate::domain::{self, parse_uuid};
use crate::error::AppError;
use crate::search;
use crate::services::digests::{self, DigestSettingsInput as ServiceInput};
use crate::services::saved_searches;

/// How often the e-mail digest comes.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[graphql(remote = "domain::DigestFrequency")]
pub enum DigestFrequency {
    Immediate,
    Daily,
    Weekly,
    Off,
}

/// How a person hears of a new message in their conversations.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[graphql(remote = "crate::domain::MessageNotifications")]
pub enum MessageNotificationChoice {
    /// An e-mail at once, with the message.
    Immediate,
    /// In the digest (as often as it comes, when it is on), one line per
    /// conversation with messages to read.
    Digest,
}

/// The signed-in user's e-mail digest.
#[derive(SimpleObject)]
#[graphql(complex)]
pub struct DigestSettings {
    pub frequency: DigestFrequency,
    pub language: Language,
    /// New matches for the needs and offers of my organisations.
    pub include_matches: bool,
    /// New calls, needs and offers found by my saved searches.
    pub include_saved_searches: bool,
    /// What happened in my organisations' co-design projects.
    pub include_projects: bool,
    /// How I hear of new messages in my organisations' conversations: an
    /// e-mail at once (the default), or in the digest.
    pub message_notifications: MessageNotificationChoice,
    pub last_sent_at: Option<DateTime<Utc>>,
    /// Null when digests are off.
    pub next_due_at: Option<DateTime<Utc>>,
    #[graphql(skip)]
    problem: Option<digests::DeliveryProblem>,
}

#[ComplexObject]
impl DigestSettings {
    /// Why my latest digest has not arrived, while it has not: being
    /// retried because the mail server does not answer, refused, or given
    /// up after two days. Null once a digest gets through.
    async fn delivery_status(&self, ctx: &Context<'_>) -> Option<DigestDeliveryStatus> {
        let lang = super::error::lang(ctx);
        self.problem
            .as_ref()
            .map(|problem| DigestDeliveryStatus::new(problem, lang))
    }

    /// The plain sentence of `deliveryStatus`, in the request's language.
    #[graphql(deprecation = "Use deliveryStatus { state message nextAttemptAt }.")]
    async fn last_error(&self, ctx: &Context<'_>) -> Option<String> {
        let lang = super::error::lang(ctx);
        self.problem
            .as_ref()
            .map(|problem| problem.message(lang, crate::services::now()))
    }
}

impl From<digests::DigestSettings> for DigestSettings {
    fn from(s: digests::DigestSettings) -> Self {
        Self {
            frequency: s.frequency.into(),
            language: s.language.into(),
            include_matches: s.include_matches,
            include_saved_searches: s.include_saved_searches,
            include_projects: s.include_projects,
            message_notifications: s.message_notifications.into(),
            last_sent_at: s.last_sent_at,
            next_due_at: s.next_due_at,
            problem: s.problem,
        }
    }
}

/// Where my latest digest is when it has not arrived.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum DigestDeliveryState {
    /// Not delivered yet, for a reason that may pass: tried again at
    /// `nextAttemptAt` (for up to two days).
    Retrying,
    /// Refused for good by the mail server; later digests are still tried.
    Refused,
    /// Retried for two days, then given up; what is still relevant comes
    /// in the next digest.
    GivenUp,
}

/// What went wrong, in the terms a person is told.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[graphql(remote = "domain::DeliveryFailure")]
pub enum DigestDeliveryFailure {
    /// The mail server does not answer.
    Unreachable,
    /// The mail server asked to try again later.
    Deferred,
    /// The mail server refused my address.
    RecipientRefused,
    /// The mail server refused the message.
    MessageRefused,
}

/// The state of my latest digest that has not arrived.
#[derive(SimpleObject)]
pub struct DigestDeliveryStatus {
    pub state: DigestDeliveryState,
    pub failure: DigestDeliveryFailure,
    /// In plain words, in the request's language (times in Italy's time
    /// zone), e.g. "Invio in corso: il server di posta non risponde, nuovo
    /// tentativo alle 14:30." Never the mail server's own reply.
    pub message: String,
    /// When it is tried again (RETRYING only).
    pub next_attempt_at: Option<DateTime<Utc>>,
    /// Since when it has been failing (RETRYING and GIVEN_UP).
    pub failing_since: Option<DateTime<Utc>>,
}

impl DigestDeliveryStatus {
    fn new(problem: &digests::DeliveryProblem, lang: domain::Lang) -> Self {
        use digests::DeliveryProblem as P;
        let (state, next_attempt_at, failing_since) = match problem {
            P::Retrying {
                since,
                next_attempt_at,
                ..
            } => (
                DigestDeliveryState::Retrying,
                *next_attempt_at,
                Some(*since),
            ),
            P::Refused { .. } => (DigestDeliveryState::Refused, None, None),
            P::GivenUp { since, .. } => (DigestDeliveryState::GivenUp, None, Some(*since)),
        };
        Self {
            state,
            failure: problem.failure().into(),
            message: problem.message(lang, crate::services::now()),
            next_attempt_at,
            failing_since,
        }
    }
}

/// A change to the digest; omitted fields stay as they are.
#[derive(InputObject, Default)]
pub struct DigestSettingsInput {
    pub frequency: Option<DigestFrequency>,
    pub language: Option<Language>,
    pub include_matches: Option<bool>,
    pub include_saved_searches: Option<bool>,
    pub include_projects: Option<bool>,
    pub message_notifications: Option<MessageNotificationChoice>,
}

#[derive(Default)]
pub struct DigestQuery;

#[Object]
impl DigestQuery {
    /// The signed-in user's digest settings (created with the defaults,
    /// weekly in their language, on first use).
    async fn digest_settings(&self, ctx: &Context<'_>) -> Result<DigestSettings> {
        Ok(as_viewer(ctx, digests::settings_of).await?.into())
    }
}

#[derive(Default)]
pub struct DigestMutation;

#[Object]
impl DigestMutation {
    /// Changes the signed-in user's digest; `frequency: OFF` stops it at once
    /// (digests not yet sent are cancelled).
    async fn update_digest_settings(
        &self,
        ctx: &Context<'_>,
        input: DigestSettingsInput,
    ) -> Result<DigestSettings> {
        let input = ServiceInput {
            frequency: input.frequency.map(Into::into),
            language: input.language.map(Into::into),
            include_matches: input.include_matches,
            include_saved_searches: input.include_saved_searches,
            include_projects: input.include_projects,
            message_notifications: input.message_notifications.map(Into::into),
        };
        let settings = as_viewer(ctx, async |db, actor| {
            digests::update_settings(db, actor, &input).await
        });
        Ok(settings.await?.into())
    }
}

// ------------------------------------------------------------ saved searches

/// A point and how far from it, as saved.
#[derive(SimpleObject, Clone, Copy)]
pub struct SavedNear {
    pub lat: f64,
    pub lon: f64,
    pub km: Option<f64>,
}

/// The filter of a saved search: the same fields as `SearchFilter`, so it
/// can be passed back to `search`.
#[derive(SimpleObject)]
pub struct SavedSearchFilter {
    pub types: Vec<SearchType>,
    pub organization_kinds: Vec<OrganizationKind>,
    pub offer_kinds: Vec<OfferKind>,
    pub need_kinds: Vec<NeedKind>,
    pub sectors: Vec<String>,
    pub municipality_codes: Vec<String>,
    pub neighbourhood_ids: Vec<ID>,
    /// Empty: any state.
    pub statuses: Vec<PostingStatus>,
    pub organization_id: Option<ID>,
    pub verified_only: bool,
    pub deadline_from: Option<DateTime<Utc>>,
    pub deadline_until: Option<DateTime<Utc>>,
    pub amount_min: Option<Cents>,
    pub amount_max: Option<Cents>,
    pub near: Option<SavedNear>,
}

fn all<D: Copy, G: From<D>>(values: &[D]) -> Vec<G> {
    values.iter().copied().map(G::from).collect()
}

impl From<&search::SearchFilter> for SavedSearchFilter {
    fn from(f: &search::SearchFilter) -> Self {
        Self {
            types: all(&f.types),
            organization_kinds: all(&f.organization_kinds),
            offer_kinds: all(&f.offer_kinds),
            need_kinds: all(&f.need_kinds),
            sectors: f.sectors.clone(),
            municipality_codes: f.municipality_codes.clone(),
            neighbourhood_ids: f
                .neighbourhood_ids
                .iter()
                .map(|id| ID(id.to_string()))
                .collect(),
            statuses: all(&f.statuses),
            organization_id: f.organization_id.map(|id| ID(id.to_string())),
            verified_only: f.verified_only,
            deadline_from: f.deadline_from,
            deadline_until: f.deadline_until,
            amount_min: f.amount_min_cents.map(Cents),
            amount_max: f.amount_max_cents.map(Cents),
            near: f.near.map(|n| SavedNear {
                lat: n.point.lat,
                lon: n.point.lon,
                km: n.km,
            }),
        }
    }
}

/// A search the signed-in user saved: its new results come in the digest
/// (when `includeSavedSearches` is on).
pub struct SavedSearch(saved_searches::SavedSearch);

#[Object]
impl SavedSearch {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }

    async fn name(&self) -> &str {
        &self.0.name
    }

    /// The words, as the `search` query takes them.
    async fn query(&self) -> &str {
        &self.0.query
    }

    async fn filter(&self) -> SavedSearchFilter {
        SavedSearchFilter::from(&self.0.filter)
    }

    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
}

/// A search to save.
#[derive(InputObject)]
pub struct SaveSearchInput {
    /// 1 to 100 characters, e.g. "Bandi per spazi a San Siro".
    pub name: String,
    /// Words as the `search` query takes them (up to 300 characters); may be
    /// empty when the filter alone says what to look for.
    #[graphql(default)]
    pub query: String,
    /// As for `search`; open offers and needs when absent.
    pub filter: Option<SearchFilter>,
}

#[derive(Default)]
pub struct SavedSearchQuery;

#[Object]
impl SavedSearchQuery {
    /// The signed-in user's saved searches, oldest first (UNAUTHENTICATED
    /// otherwise).
    async fn saved_searches(&self, ctx: &Context<'_>) -> Result<Vec<SavedSearch>> {
        list_as_viewer(ctx, saved_searches::mine, SavedSearch).await
    }
}

#[derive(Default)]
pub struct SavedSearchMutation;

#[Object]
impl SavedSearchMutation {
    /// Saves a search; the digest then brings the offers, needs and calls it
    /// finds that are published afterwards. Errors: UNAUTHENTICATED;
    /// BAD_USER_INPUT on `name`, `query` and `filter.*` (as for `search`);
    /// CONFLICT on `name` beyond 20 saved searches.
    async fn save_search(&self, ctx: &Context<'_>, input: SaveSearchInput) -> Result<SavedSearch> {
        let state = state(ctx)?;
        let actor = Viewer::of(ctx)
            .actor()
            .ok_or(AppError::Unauthenticated)
            .gql(ctx)?;
        let filter = match input.filter {
            Some(filter) => filter.parse(ctx)?,
            None => search::SearchFilter::default(),
        };
        Ok(SavedSearch(
            saved_searches::save(&state.db, Some(&actor), &input.name, &input.query, &filter)
                .await
                .gql(ctx)?,
        ))
    }

    /// Deletes one of the signed-in user's saved searches and returns its
    /// id. Errors: UNAUTHENTICATED; BAD_USER_INPUT or NOT_FOUND on `id`.
    async fn delete_saved_search(&self, ctx: &Context<'_>, id: ID) -> Result<ID> {
        let uuid = parse_uuid(id.as_str())
            .map_err(|reason| AppError::invalid("id", reason))
            .gql(ctx)?;
        as_viewer(ctx, async |db, actor| {
            saved_searches::delete(db, actor, uuid).await
        })
        .await?;
        Ok(id)
    }
}
