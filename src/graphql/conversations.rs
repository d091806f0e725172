//! Conversations in GraphQL: the conversation of a match
//! (`conversationForMatch`) or of a project (`conversationForProject`), my
//! conversations with their unread counts (`myConversations`), writing
//! (`sendMessage`) and reading (`markConversationRead`). The rules live in
//! [`services::conversations`](crate::services::conversations) and
//! [`policy::conversations`](crate::policy::conversations).

use async_graphql::{Context, Enum, ID, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};

use super::connection::{List, Total, connection, page_cost, page_request};
use super::error::GqlResult;
use super::mutation::{acting, id_arg, limits};
use super::types::state;
use super::viewer::{Viewer, as_viewer};
use crate::domain::ConversationSubject;
use crate::services::conversations::{self, ConversationView, MessageView};

/// What a conversation is about.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[graphql(remote = "ConversationSubject")]
pub enum ConversationKind {
    /// A match: the need's and the offer's organisations.
    Match,
    /// A project: its partners.
    Project,
}

/// An organisation that talks in a conversation.
#[derive(SimpleObject)]
pub struct ConversationParty {
    pub id: ID,
    pub name: String,
    /// The one the viewer writes for.
    pub is_mine: bool,
}

/// The conversation of a match or a project, as a member of one of its
/// organisations sees it; nobody else does.
pub struct Conversation(ConversationView);

#[Object]
impl Conversation {
    async fn id(&self) -> ID {
        ID(self.0.conversation.id.to_string())
    }

    async fn kind(&self) -> ConversationKind {
        self.0.conversation.subject_type.into()
    }

    /// The match, for a match's conversation.
    async fn match_id(&self) -> Option<ID> {
        (self.0.conversation.subject_type == ConversationSubject::Match)
            .then(|| ID(self.0.conversation.subject_id.to_string()))
    }

    /// The project, for a project's conversation.
    async fn project_id(&self) -> Option<ID> {
        (self.0.conversation.subject_type == ConversationSubject::Project)
            .then(|| ID(self.0.conversation.subject_id.to_string()))
    }

    /// The organisations that talk: the need's side or the lead first.
    async fn parties(&self) -> Vec<ConversationParty> {
        self.0
            .parties
            .iter()
            .map(|o| ConversationParty {
                id: ID(o.id.to_string()),
                name: o.name.clone(),
                is_mine: o.id == self.0.speaker,
            })
            .collect()
    }

    /// Messages of others I have not read.
    async fn unread_count(&self) -> u64 {
        self.0.unread
    }

    async fn last_message_at(&self) -> Option<DateTime<Utc>> {
        self.0.conversation.last_message_at
    }

    /// The latest 200 messages, oldest first. Bodies are plain text: show
    /// links in them as links, and nothing else as markup.
    async fn messages(&self, ctx: &Context<'_>) -> Result<Vec<Message>> {
        let state = state(ctx)?;
        Ok(conversations::messages(&state.db, &self.0)
            .await
            .gql(ctx)?
            .into_iter()
            .map(|m| Message {
                view: m,
                viewer: Viewer::of(ctx).user_id(),
            })
            .collect())
    }
}

/// A message in a conversation, kept as written.
pub struct Message {
    view: MessageView,
    viewer: Option<uuid::Uuid>,
}

#[Object]
impl Message {
    async fn id(&self) -> ID {
        ID(self.view.message.id.to_string())
    }

    /// Plain text; line breaks kept.
    async fn body(&self) -> &str {
        &self.view.message.body
    }

    /// Null once the author's account is deleted.
    async fn author_name(&self) -> Option<&str> {
        self.view.author_name.as_deref()
    }

    /// The organisation the author wrote for.
    async fn organization_id(&self) -> ID {
        ID(self.view.message.organization_id.to_string())
    }

    /// Whether I wrote it.
    async fn is_mine(&self) -> bool {
        self.viewer == Some(self.view.message.author_id)
    }

    async fn created_at(&self) -> DateTime<Utc> {
        self.view.message.created_at
    }
}

#[derive(Default)]
pub struct ConversationQuery;

#[Object]
impl ConversationQuery {
    /// The conversation of a match, for the members of the need's and the
    /// offer's organisations once either side has said it is interested;
    /// opened on first asking. Errors: UNAUTHENTICATED, BAD_USER_INPUT and
    /// NOT_FOUND (matchId), FORBIDDEN (not a member of either side, or
    /// neither side interested yet).
    async fn conversation_for_match(
        &self,
        ctx: &Context<'_>,
        match_id: ID,
    ) -> Result<Conversation> {
        let match_id = id_arg(ctx, &match_id, "matchId")?;
        let view = as_viewer(ctx, async |db, actor| {
            conversations::for_match(db, actor, match_id).await
        });
        Ok(Conversation(view.await?))
    }

    /// The conversation of a project, for the members of its current
    /// partners; opened on first asking. Errors: UNAUTHENTICATED,
    /// BAD_USER_INPUT and NOT_FOUND (projectId), FORBIDDEN.
    async fn conversation_for_project(
        &self,
        ctx: &Context<'_>,
        project_id: ID,
    ) -> Result<Conversation> {
        let project_id = id_arg(ctx, &project_id, "projectId")?;
        let view = as_viewer(ctx, async |db, actor| {
            conversations::for_project(db, actor, project_id).await
        });
        Ok(Conversation(view.await?))
    }

    /// The conversations of my organisations (their matches' and their
    /// projects'), newest first, each with my unread count. Errors:
    /// UNAUTHENTICATED, BAD_USER_INPUT (first, after).
    #[graphql(complexity = "page_cost(first, child_complexity)")]
    async fn my_conversations(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<List<Conversation>> {
        let page = page_request(ctx, first, after)?;
        let (found, total) = as_viewer(ctx, async |db, actor| {
            conversations::mine(db, actor, page).await
        })
        .await?;
        Ok(connection(
            found,
            Total::Known(total),
            |view| view.conversation.id,
            Conversation,
        ))
    }
}

#[derive(Default)]
pub struct ConversationMutation;

#[Object]
impl ConversationMutation {
    /// Writes a message (plain text, 1 to 4,000 characters) for my
    /// organisation; the other organisations' members hear of it by e-mail
    /// at once or in their digest, as each chose. Errors: UNAUTHENTICATED,
    /// BAD_USER_INPUT (body, conversationId), NOT_FOUND (conversationId),
    /// FORBIDDEN, RATE_LIMITED (60 messages an hour).
    async fn send_message(
        &self,
        ctx: &Context<'_>,
        conversation_id: ID,
        body: String,
    ) -> Result<Message> {
        let (actor, state) = acting(ctx)?;
        let conversation_id = id_arg(ctx, &conversation_id, "conversationId")?;
        let limits = limits(ctx)?;
        let view = conversations::send(&state.db, &limits, Some(&actor), conversation_id, &body)
            .await
            .gql(ctx)?;
        Ok(Message {
            view,
            viewer: actor.user_id,
        })
    }

    /// Marks the conversation read up to its newest message, for me; the
    /// web app calls it when it shows the conversation. Errors:
    /// UNAUTHENTICATED, BAD_USER_INPUT and NOT_FOUND (conversationId),
    /// FORBIDDEN.
    async fn mark_conversation_read(
        &self,
        ctx: &Context<'_>,
        conversation_id: ID,
    ) -> Result<Conversation> {
        let (actor, state) = acting(ctx)?;
        let conversation_id = id_arg(ctx, &conversation_id, "conversationId")?;
        Ok(Conversation(
            conversations::mark_read(&state.db, Some(&actor), conversation_id)
                .await
                .gql(ctx)?,
        ))
    }
}
