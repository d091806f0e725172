//! Who sent a request: the bearer token of `Authorization: Bearer <token>`
//! resolved to a [`Viewer`], and the client's address for rate limits. A
//! missing, unknown or expired token makes the request anonymous, so public
//! reads keep working and protected operations answer UNAUTHENTICATED. A
//! token that cannot be checked (the database is down) refuses the request
//! with UNAVAILABLE: running it as anonymous would answer a signed-in person
//! as if they were not (an empty "my organisations", a hidden draft), which
//! is wrong, not merely degraded.

use std::net::SocketAddr;

use axum::Extension;
use axum::extract::ConnectInfo;
use axum::http::{HeaderMap, header};

use crate::error::{AppError, Unavailable};
use crate::graphql::account::BearerToken;
use crate::graphql::mutation::ClientAddr;
use crate::graphql::viewer::Viewer;
use crate::services::accounts;
use crate::state::AppState;

/// The identity a GraphQL request runs with.
pub struct RequestIdentity {
    viewer: Viewer,
    token: Option<BearerToken>,
    client: Option<ClientAddr>,
}

impl RequestIdentity {
    /// Resolves the bearer token, if any. Fails with UNAVAILABLE when a
    /// token is given and cannot be checked (the database is down or does
    /// not answer): the request is refused, never run as anonymous.
    pub async fn of(
        state: &AppState,
        headers: &HeaderMap,
        connect: Option<Extension<ConnectInfo<SocketAddr>>>,
    ) -> Result<Self, AppError> {
        let client = connect.map(|Extension(ConnectInfo(addr))| ClientAddr(addr.ip()));
        let authorization = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok());
        Self::of_authorization(state, authorization, client).await
    }

    /// Like [`Self::of`], from the value of an `Authorization` header (or
    /// of the `authorization` field a WebSocket's `connection_init` sends).
    pub async fn of_authorization(
        state: &AppState,
        authorization: Option<&str>,
        client: Option<ClientAddr>,
    ) -> Result<Self, AppError> {
        let token = authorization
            .and_then(|v| {
                let (scheme, token) = v.trim().split_once(' ')?;
                scheme
                    .eq_ignore_ascii_case("bearer")
                    .then(|| token.trim().to_owned())
            })
            .filter(|t| !t.is_empty());
        let Some(token) = token else {
            return Ok(Self {
                viewer: Viewer::Anonymous,
                token: None,
                client,
            });
        };
        let unavailable = AppError::Unavailable(Unavailable::Database);
        if !state.db_health.is_up() {
            return Err(unavailable);
        }
        let viewer = match accounts::authenticate(&state.db, &token).await {
            Ok(Some(user)) => Viewer::User {
                id: user.id,
                email: user.email,
                is_moderator: user.is_moderator,
            },
            Ok(None) => Viewer::Anonymous,
            Err(error) => {
                tracing::error!(%error, "checking a bearer token failed: request refused");
                state.db_health.suspect();
                return Err(unavailable);
            }
        };
        Ok(Self {
            viewer,
            token: Some(BearerToken(token)),
            client,
        })
    }

    /// Who the request is from.
    pub fn viewer(&self) -> &crate::graphql::viewer::Viewer {
        &self.viewer
    }

    /// The identity as the data of a WebSocket connection (its
    /// subscriptions run as this viewer).
    pub fn into_data(self) -> async_graphql::Data {
        let mut data = async_graphql::Data::default();
        data.insert(self.viewer);
        if let Some(token) = self.token {
            data.insert(token);
        }
        if let Some(client) = self.client {
            data.insert(client);
        }
        data
    }

    /// Puts the identity into the GraphQL request's data.
    pub fn attach(self, request: async_graphql::Request) -> async_graphql::Request {
        let mut request = request.data(self.viewer);
        if let Some(token) = self.token {
            request = request.data(token);
        }
        if let Some(client) = self.client {
            request = request.data(client);
        }
        request
    }
}
