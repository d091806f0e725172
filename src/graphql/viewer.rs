//! Who is asking: every GraphQL request carries a [`Viewer`], anonymous unless
//! a valid bearer token came with it. Resolvers decide visibility from it;
//! services decide permissions from the [`Actor`](crate::services::Actor) it
//! yields.

use async_graphql::Context;
use uuid::Uuid;

use crate::services::Actor;

/// The person behind a request.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum Viewer {
    /// Not signed in: reads public data only.
    #[default]
    Anonymous,
    /// Signed in with a valid session.
    User {
        id: Uuid,
        email: String,
        is_moderator: bool,
    },
}

impl Viewer {
    pub fn of(ctx: &Context<'_>) -> Viewer {
        ctx.data_opt::<Viewer>().cloned().unwrap_or_default()
    }

    pub fn user_id(&self) -> Option<Uuid> {
        match self {
            Viewer::Anonymous => None,
            Viewer::User { id, .. } => Some(*id),
        }
    }

    pub fn is_signed_in(&self) -> bool {
        matches!(self, Viewer::User { .. })
    }

    pub fn is_moderator(&self) -> bool {
        matches!(
            self,
            Viewer::User {
                is_moderator: true,
                ..
            }
        )
    }

    /// The actor for services, or `None` when anonymous.
    pub fn actor(&self) -> Option<Actor> {
        match self {
            Viewer::Anonymous => None,
            Viewer::User { id, email, .. } => Some(Actor::user(*id, email)),
        }
    }
}
