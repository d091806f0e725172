//! The signed-in person: `me`, their memberships, and the export of their
//! personal data.

use async_graphql::{Context, ID, Json, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};

use super::enums::{Language, MembershipRole};
use super::error::GqlResult;
use super::types::{Organization, state};
use super::viewer::Viewer;
use crate::error::AppError;
use crate::services::{accounts, organizations};
use crate::store::entities::{memberships, users};

/// The raw bearer token of the request, kept for `logout`.
#[derive(Clone, Debug)]
pub struct BearerToken(pub String);

/// An account, as its owner sees it.
pub struct User(pub users::Model);

#[Object]
impl User {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }

    async fn email(&self) -> &str {
        &self.0.email
    }

    async fn display_name(&self) -> &str {
        &self.0.display_name
    }

    async fn email_verified(&self) -> bool {
        self.0.email_verified_at.is_some()
    }

    async fn is_moderator(&self) -> bool {
        self.0.is_moderator
    }

    async fn language(&self) -> Language {
        self.0.locale.into()
    }

    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }

    /// This person's e-mail digest settings: the signed-in person's own
    /// only (FORBIDDEN for anyone else's), as the top-level `digestSettings`.
    async fn digest_settings(&self, ctx: &Context<'_>) -> Result<super::digests::DigestSettings> {
        let viewer = Viewer::of(ctx);
        if viewer.user_id() != Some(self.0.id) {
            return Err(AppError::Forbidden(
                "digest settings are visible to their owner only",
            ))
            .gql(ctx);
        }
        let state = state(ctx)?;
        Ok(
            crate::services::digests::settings_of(&state.db, viewer.actor().as_ref())
                .await
                .gql(ctx)?
                .into(),
        )
    }

    /// The organisations this person belongs to, with their role.
    async fn memberships(&self, ctx: &Context<'_>) -> Result<Vec<Membership>> {
        let state = state(ctx)?;
        let rows = crate::services::listing::memberships_of_user(&state.db, self.0.id)
            .await
            .gql(ctx)?;
        Ok(rows.into_iter().map(Membership::from).collect())
    }
}

/// A person's place in an organisation.
#[derive(SimpleObject)]
#[graphql(complex)]
pub struct Membership {
    pub role: MembershipRole,
    pub since: DateTime<Utc>,
    #[graphql(skip)]
    organization_id: uuid::Uuid,
}

impl From<memberships::Model> for Membership {
    fn from(row: memberships::Model) -> Self {
        Self {
            role: row.role.into(),
            since: row.created_at,
            organization_id: row.organization_id,
        }
    }
}

#[async_graphql::ComplexObject]
impl Membership {
    async fn organization(&self, ctx: &Context<'_>) -> Result<Organization> {
        let state = state(ctx)?;
        Ok(Organization(
            organizations::get(&state.db, self.organization_id, "organizationId")
                .await
                .gql(ctx)?,
        ))
    }
}

/// Queries about the signed-in person.
#[derive(Default)]
pub struct AccountQuery;

#[Object]
impl AccountQuery {
    /// The signed-in person, or null for anonymous visitors.
    async fn me(&self, ctx: &Context<'_>) -> Result<Option<User>> {
        let Some(id) = Viewer::of(ctx).user_id() else {
            return Ok(None);
        };
        let state = state(ctx)?;
        Ok(Some(User(accounts::get(&state.db, id).await.gql(ctx)?)))
    }

    /// Everything Trama holds about the signed-in person, as JSON (GDPR).
    async fn export_my_data(&self, ctx: &Context<'_>) -> Result<Json<serde_json::Value>> {
        let id = Viewer::of(ctx)
            .user_id()
            .ok_or(AppError::Unauthenticated)
            .gql(ctx)?;
        let state = state(ctx)?;
        Ok(Json(
            accounts::export_personal_data(&state.db, id)
                .await
                .gql(ctx)?,
        ))
    }
}
