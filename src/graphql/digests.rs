//! Digest preferences in GraphQL: the `digestSettings` query and the
//! `updateDigestSettings` mutation, for the signed-in user only
//! (UNAUTHENTICATED otherwise).

use async_graphql::{Context, Enum, InputObject, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};

use super::enums::Language;
use super::error::GqlResult;
use super::types::state;
use super::viewer::Viewer;
use crate::domain;
use crate::services::digests::{self, DigestSettingsInput as ServiceInput};

/// How often the e-mail digest comes.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[graphql(remote = "domain::DigestFrequency")]
pub enum DigestFrequency {
    Immediate,
    Daily,
    Weekly,
    Off,
}

/// The signed-in user's e-mail digest.
#[derive(SimpleObject)]
pub struct DigestSettings {
    pub frequency: DigestFrequency,
    pub language: Language,
    /// New matches for the needs and offers of my organisations.
    pub include_matches: bool,
    /// New calls and needs fitting my saved searches (stored; not yet in
    /// the digest).
    pub include_saved_searches: bool,
    /// Activity in my projects (stored; not yet in the digest).
    pub include_projects: bool,
    pub last_sent_at: Option<DateTime<Utc>>,
    /// Null when digests are off.
    pub next_due_at: Option<DateTime<Utc>>,
    /// Why the latest digest could not be delivered (a permanent refusal by
    /// the mail server), until a later one gets through.
    pub last_error: Option<String>,
}

impl From<digests::DigestSettings> for DigestSettings {
    fn from(s: digests::DigestSettings) -> Self {
        Self {
            frequency: s.frequency.into(),
            language: s.language.into(),
            include_matches: s.include_matches,
            include_saved_searches: s.include_saved_searches,
            include_projects: s.include_projects,
            last_sent_at: s.last_sent_at,
            next_due_at: s.next_due_at,
            last_error: s.last_error,
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
}

#[derive(Default)]
pub struct DigestQuery;

#[Object]
impl DigestQuery {
    /// The signed-in user's digest settings (created with the defaults,
    /// weekly in their language, on first use).
    async fn digest_settings(&self, ctx: &Context<'_>) -> Result<DigestSettings> {
        let state = state(ctx)?;
        let actor = Viewer::of(ctx).actor();
        Ok(digests::settings_of(&state.db, actor.as_ref())
            .await
            .gql(ctx)?
            .into())
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
        let state = state(ctx)?;
        let actor = Viewer::of(ctx).actor();
        let input = ServiceInput {
            frequency: input.frequency.map(Into::into),
            language: input.language.map(Into::into),
            include_matches: input.include_matches,
            include_saved_searches: input.include_saved_searches,
            include_projects: input.include_projects,
        };
        Ok(digests::update_settings(&state.db, actor.as_ref(), &input)
            .await
            .gql(ctx)?
            .into())
    }
}
