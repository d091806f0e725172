//! Talking before agreeing: the conversation of a match (open to both
//! organisations once either side is interested) and of a project (open
//! to its current partners), their messages, read markers, and the e-mails
//! that tell the other parties of a new message. Who may read and write is
//! [`crate::policy::conversations`]; messages are kept as written (never
//! edited or deleted) and every message is in the audit log.

use std::collections::{HashMap, HashSet};

use sea_orm::{ConnectionTrait, DatabaseConnection, TransactionTrait};
use serde_json::json;
use uuid::Uuid;

use crate::config::Settings;
use crate::domain::{ConversationSubject, MessageBody, MessageNotifications};
use crate::error::AppError;
use crate::mail::Mailer;
use crate::policy::conversations::{self as policy, Parties};
use crate::policy::guards::Limits;
use crate::policy::visibility::Reader;
use crate::services::by_id;
use crate::services::{Actor, audit, now, permissions};
use crate::store::digests::subscriptions;
use crate::store::entities::{
    conversation_messages, conversations, matches, needs, offers, organizations, projects, users,
};
use crate::store::jobs::{self, Job, Priority};
use crate::store::listing::{Page, PageRequest};
use crate::store::{self, accounts, conversations as store_conversations, rows};

/// How many of the latest messages a conversation shows.
pub const SHOWN_MESSAGES: u64 = 200;

/// A conversation as one of its parties' members sees it. Only this module
/// builds one, after the policy admitted the person: holding one is the
/// proof that its messages may be read.
#[derive(Clone, Debug)]
pub struct ConversationView {
    pub conversation: conversations::Model,
    /// The organisations that talk, the need's side or the lead first.
    pub parties: Vec<organizations::Model>,
    /// The organisation the person writes for.
    pub speaker: Uuid,
    /// Messages of others they have not read.
    pub unread: u64,
}

/// A message, with its author's name (`None` once their account is gone).
#[derive(Clone, Debug)]
pub struct MessageView {
    pub message: conversation_messages::Model,
    pub author_name: Option<String>,
}

/// The signed-in person as the policy sees them. UNAUTHENTICATED without
/// one. Memberships are always loaded: a moderator who is a member of a
/// party talks as that member.
async fn reader(db: &impl ConnectionTrait, actor: Option<&Actor>) -> Result<Reader, AppError> {
    let (_, user_id) = permissions::signed_in(actor)?;
    Reader::load(db, Some(user_id), false).await
}

/// The conversation of a match, opened now if it was not yet. Fails with
/// UNAUTHENTICATED, NOT_FOUND on `matchId`, FORBIDDEN for anyone but the
/// members of the need's and the offer's organisations, and while neither
/// side has said it is interested.
#[tracing::instrument(skip_all, fields(%match_id))]
pub async fn for_match(
    db: &DatabaseConnection,
    actor: Option<&Actor>,
    match_id: Uuid,
) -> Result<ConversationView, AppError> {
    let reader = reader(db, actor).await?;
    let parties = policy::of_match(db, match_id, "matchId").await?;
    admitted(db, actor, &reader, parties).await
}

/// The conversation of a project, opened now if it was not yet. Fails with
/// UNAUTHENTICATED, NOT_FOUND on `projectId`, FORBIDDEN for anyone but the
/// members of its current partners.
#[tracing::instrument(skip_all, fields(%project_id))]
pub async fn for_project(
    db: &DatabaseConnection,
    actor: Option<&Actor>,
    project_id: Uuid,
) -> Result<ConversationView, AppError> {
    let reader = reader(db, actor).await?;
    let parties = policy::of_project(db, project_id, "projectId").await?;
    admitted(db, actor, &reader, parties).await
}

/// The view of `parties`' conversation for `reader`, opening it (audited)
/// when it was not yet.
async fn admitted(
    db: &DatabaseConnection,
    actor: Option<&Actor>,
    reader: &Reader,
    parties: Parties,
) -> Result<ConversationView, AppError> {
    let speaker = parties.admit(reader)?;
    let conversation = match parties.conversation.clone() {
        Some(conversation) => conversation,
        None => {
            let (actor, _) = permissions::signed_in(actor)?;
            let txn = db.begin().await?;
            let (opened, created) =
                store_conversations::open(&txn, parties.subject, parties.subject_id, now()).await?;
            if created {
                audit(
                    &txn,
                    actor,
                    "conversation.open",
                    "conversation",
                    opened.id,
                    json!({ "subject": parties.subject.as_str(), "subjectId": parties.subject_id }),
                )
                .await?;
            }
            txn.commit().await?;
            opened
        }
    };
    view(db, reader, &parties, conversation, speaker).await
}

async fn view(
    db: &impl ConnectionTrait,
    reader: &Reader,
    parties: &Parties,
    conversation: conversations::Model,
    speaker: Uuid,
) -> Result<ConversationView, AppError> {
    let user_id = reader.user_id().ok_or(AppError::Unauthenticated)?;
    let unread = store_conversations::unread_counts(db, user_id, &[conversation.id])
        .await?
        .get(&conversation.id)
        .copied()
        .unwrap_or(0);
    Ok(ConversationView {
        parties: organizations_in_order(db, &parties.organizations).await?,
        conversation,
        speaker,
        unread,
    })
}

/// The organisations with these ids, in this order.
async fn organizations_in_order(
    db: &impl ConnectionTrait,
    ids: &[Uuid],
) -> Result<Vec<organizations::Model>, AppError> {
    let mut by_id: HashMap<Uuid, organizations::Model> = by_id(
        store::organizations::by_ids(db, ids.iter().copied()).await?,
        |o| o.id,
    );
    Ok(ids.iter().filter_map(|id| by_id.remove(id)).collect())
}

/// An opened conversation by id, for a member of one of its parties.
/// Fails with UNAUTHENTICATED, NOT_FOUND on `field`, FORBIDDEN.
pub async fn get(
    db: &DatabaseConnection,
    actor: Option<&Actor>,
    conversation_id: Uuid,
    field: &str,
) -> Result<ConversationView, AppError> {
    let reader = reader(db, actor).await?;
    let parties = policy::of_conversation(db, conversation_id, field).await?;
    let speaker = parties.admit(&reader)?;
    let conversation = parties
        .conversation
        .clone()
        .ok_or_else(|| AppError::not_found(crate::error::Entity::Conversation, field))?;
    view(db, &reader, &parties, conversation, speaker).await
}

/// The latest [`SHOWN_MESSAGES`] messages of a conversation the person was
/// admitted to, oldest first.
pub async fn messages(
    db: &impl ConnectionTrait,
    view: &ConversationView,
) -> Result<Vec<MessageView>, AppError> {
    let messages =
        store_conversations::latest_messages(db, view.conversation.id, SHOWN_MESSAGES).await?;
    let authors: HashSet<Uuid> = messages.iter().map(|m| m.author_id).collect();
    let names: HashMap<Uuid, users::Model> = by_id(accounts::by_ids(db, authors).await?, |u| u.id);
    Ok(messages
        .into_iter()
        .map(|message| MessageView {
            author_name: names
                .get(&message.author_id)
                .filter(|u| u.deleted_at.is_none())
                .map(|u| u.display_name.clone()),
            message,
        })
        .collect())
}

/// Writes a message for the person's organisation; the other parties'
/// members hear of it by e-mail at once or in their digest, as each chose
/// (a job sends the e-mails after the commit). Fails with UNAUTHENTICATED,
/// BAD_USER_INPUT on `body` (blank, over 4,000 characters, control
/// characters), NOT_FOUND on `conversationId`, FORBIDDEN, RATE_LIMITED
/// (60 messages an hour per account).
#[tracing::instrument(skip_all, fields(%conversation_id))]
pub async fn send(
    db: &DatabaseConnection,
    limits: &Limits,
    actor: Option<&Actor>,
    conversation_id: Uuid,
    body: &str,
) -> Result<MessageView, AppError> {
    let reader = reader(db, actor).await?;
    let (actor, user_id) = permissions::signed_in(actor)?;
    let body = MessageBody::parse(body).map_err(|reason| AppError::invalid("body", reason))?;
    let parties = policy::of_conversation(db, conversation_id, "conversationId").await?;
    let speaker = parties.admit(&reader)?;
    // Counted once admitted: outsiders are refused before they cost anything.
    limits.message(user_id)?;
    let at = now();
    let txn = db.begin().await?;
    let message = store_conversations::insert_message(
        &txn,
        store_conversations::NewMessage {
            conversation_id,
            author_id: user_id,
            organization_id: speaker,
            body: &body,
            at,
        },
    )
    .await?;
    // What one writes, one has read.
    store_conversations::mark_read(&txn, conversation_id, user_id, message.id, at).await?;
    audit(
        &txn,
        actor,
        "conversation.message",
        "conversation",
        conversation_id,
        json!({ "messageId": message.id, "organizationId": speaker, "length": body.as_str().chars().count() }),
    )
    .await?;
    jobs::enqueue(
        &txn,
        &Job::NotifyMessage {
            message_id: message.id,
        },
        Priority::Prompt,
    )
    .await?;
    txn.commit().await?;
    let author_name = accounts::by_ids(db, [user_id])
        .await?
        .into_iter()
        .next()
        .map(|u| u.display_name);
    Ok(MessageView {
        message,
        author_name,
    })
}

/// Marks the conversation read up to its newest message for the person.
/// Fails as [`get`] does, on `conversationId`.
#[tracing::instrument(skip_all, fields(%conversation_id))]
pub async fn mark_read(
    db: &DatabaseConnection,
    actor: Option<&Actor>,
    conversation_id: Uuid,
) -> Result<ConversationView, AppError> {
    let mut view = get(db, actor, conversation_id, "conversationId").await?;
    let (_, user_id) = permissions::signed_in(actor)?;
    if let Some(last) = store_conversations::last_message_id(db, conversation_id).await? {
        store_conversations::mark_read(db, conversation_id, user_id, last, now()).await?;
    }
    view.unread = 0;
    Ok(view)
}

/// A page of the person's conversations (those of their organisations'
/// matches and of the projects they are current partners of), newest
/// first, with their unread counts, and how many they have in all.
/// UNAUTHENTICATED without a person.
pub async fn mine(
    db: &DatabaseConnection,
    actor: Option<&Actor>,
    page: PageRequest,
) -> Result<(Page<ConversationView>, u64), AppError> {
    let reader = reader(db, actor).await?;
    let user_id = reader.user_id().ok_or(AppError::Unauthenticated)?;
    let organizations = reader.organizations();
    if organizations.is_empty() {
        return Ok((Page::empty(page), 0));
    }
    let projects = store::projects::live_project_ids_of(db, organizations).await?;
    let total = store_conversations::count_of(db, organizations, &projects).await?;
    let found = store_conversations::page_of(db, organizations, &projects, page).await?;
    let ids: Vec<Uuid> = found.items.iter().map(|c| c.id).collect();
    let unread = store_conversations::unread_counts(db, user_id, &ids).await?;
    let mut items = Vec::with_capacity(found.items.len());
    for conversation in found.items {
        let parties = policy::of_subject(
            db,
            conversation.subject_type,
            conversation.subject_id,
            "after",
        )
        .await;
        // A conversation whose match or project is gone is no longer shown.
        let Ok(parties) = parties else { continue };
        let Ok(speaker) = parties.speaker(&reader) else {
            continue;
        };
        items.push(ConversationView {
            parties: organizations_in_order(db, &parties.organizations).await?,
            unread: unread.get(&conversation.id).copied().unwrap_or(0),
            conversation,
            speaker,
        });
    }
    let page = Page {
        items,
        has_next_page: found.has_next_page,
        has_previous_page: found.has_previous_page,
    };
    Ok((page, total))
}

/// What a conversation is about, as an e-mail names it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Topic {
    Match {
        need_id: Uuid,
        need_organization_id: Uuid,
        offer_id: Uuid,
        need_title: String,
        offer_title: String,
    },
    Project {
        id: Uuid,
        title: String,
    },
}

impl Topic {
    /// The page of the web app where a member of `organization` finds the
    /// conversation: their side of the match (the need, or the offer), or
    /// the project.
    pub fn path_for(&self, organization: Uuid) -> String {
        match self {
            Self::Match {
                need_id,
                need_organization_id,
                ..
            } if *need_organization_id == organization => format!("/needs/{need_id}"),
            Self::Match { offer_id, .. } => format!("/offers/{offer_id}"),
            Self::Project { id, .. } => format!("/projects/{id}"),
        }
    }
}

/// A person to tell of a new message.
#[derive(Clone, Debug)]
pub struct Recipient {
    pub user: users::Model,
    /// Their organisation in the conversation.
    pub organization: String,
    /// Where they read it (a path of the web app).
    pub path: String,
}

/// A new message, for the people of the other parties who hear of it at
/// once.
#[derive(Clone, Debug)]
pub struct MessageNotice {
    pub message: conversation_messages::Model,
    pub author_name: String,
    pub author_organization: String,
    pub topic: Topic,
    pub recipients: Vec<Recipient>,
}

/// Sends the immediate e-mails about a message: to the members (verified
/// addresses) of the parties other than the author's, the author excepted,
/// who chose to hear of messages at once (the default). Runs once per
/// message (`notified_at`), so a job retried after a crash sends nothing
/// twice once it got that far. A message whose conversation's subject is
/// gone is marked done without e-mails. Fails on database errors.
#[tracing::instrument(skip_all, fields(%message_id))]
pub async fn notify(
    db: &DatabaseConnection,
    mailer: &Mailer,
    settings: &Settings,
    message_id: Uuid,
) -> Result<(), AppError> {
    let Some(message) = rows::by_id::<conversation_messages::Entity>(
        db,
        message_id,
        "conversation messages: by id",
    )
    .await?
    else {
        return Ok(());
    };
    if message.notified_at.is_some() {
        return Ok(());
    }
    let parties = match policy::of_conversation(db, message.conversation_id, "conversationId").await
    {
        Ok(parties) => parties,
        Err(AppError::NotFound { .. }) => {
            store_conversations::mark_notified(db, message.id, now()).await?;
            return Ok(());
        }
        Err(error) => return Err(error),
    };
    let organizations = organizations_in_order(db, &parties.organizations).await?;
    let name_of = |id: Uuid| {
        organizations
            .iter()
            .find(|o| o.id == id)
            .map(|o| o.name.clone())
            .unwrap_or_default()
    };
    let topic = topic(db, &parties).await?;
    let mut told = HashSet::from([message.author_id]);
    let mut recipients = Vec::new();
    for organization in parties.others(message.organization_id) {
        for user in store::matches::verified_members(db, organization).await? {
            if told.contains(&user.id) || !wants_at_once(db, user.id).await? {
                continue;
            }
            told.insert(user.id);
            recipients.push(Recipient {
                user,
                organization: name_of(organization),
                path: topic.path_for(organization),
            });
        }
    }
    if !recipients.is_empty() {
        let author_name = accounts::by_ids(db, [message.author_id])
            .await?
            .into_iter()
            .next()
            .filter(|u| u.deleted_at.is_none())
            .map(|u| u.display_name)
            .unwrap_or_default();
        let notice = MessageNotice {
            author_name,
            author_organization: name_of(message.organization_id),
            topic,
            recipients,
            message: message.clone(),
        };
        super::notifications::new_message(mailer, settings, &notice).await;
    }
    store_conversations::mark_notified(db, message.id, now()).await?;
    Ok(())
}

/// Whether the person hears of new messages at once (their choice, or the
/// default when they never chose).
async fn wants_at_once(db: &impl ConnectionTrait, user_id: Uuid) -> Result<bool, AppError> {
    Ok(subscriptions::of_user(db, user_id)
        .await?
        .is_none_or(|s| s.message_notifications == MessageNotifications::Immediate))
}

/// The parties of a conversation and what it is about; `None` when there is
/// no such conversation or its match or project is gone. For the digest,
/// which names the conversations with unread messages.
pub async fn about(
    db: &impl ConnectionTrait,
    conversation_id: Uuid,
) -> Result<Option<(Parties, Topic)>, AppError> {
    match policy::of_conversation(db, conversation_id, "conversationId").await {
        Ok(parties) => {
            let topic = topic(db, &parties).await?;
            Ok(Some((parties, topic)))
        }
        Err(AppError::NotFound { .. }) => Ok(None),
        Err(error) => Err(error),
    }
}

async fn topic(db: &impl ConnectionTrait, parties: &Parties) -> Result<Topic, AppError> {
    Ok(match parties.subject {
        ConversationSubject::Match => {
            let row =
                rows::by_id::<matches::Entity>(db, parties.subject_id, "matches: by id").await?;
            let (need_id, offer_id) = row.map(|r| (r.need_id, r.offer_id)).unwrap_or_default();
            let need = rows::by_id::<needs::Entity>(db, need_id, "needs: by id, any state").await?;
            let offer =
                rows::by_id::<offers::Entity>(db, offer_id, "offers: by id, any state").await?;
            Topic::Match {
                need_id,
                need_organization_id: parties.organizations.first().copied().unwrap_or_default(),
                offer_id,
                need_title: need.map(|n| n.title).unwrap_or_default(),
                offer_title: offer.map(|o| o.title).unwrap_or_default(),
            }
        }
        ConversationSubject::Project => Topic::Project {
            id: parties.subject_id,
            title: rows::by_id::<projects::Entity>(db, parties.subject_id, "projects: by id")
                .await?
                .map(|p| p.title)
                .unwrap_or_default(),
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_party_is_sent_to_its_own_side() {
        let [need, need_org, offer, offer_org, project] = [(); 5].map(|()| Uuid::now_v7());
        let on_match = Topic::Match {
            need_id: need,
            need_organization_id: need_org,
            offer_id: offer,
            need_title: String::new(),
            offer_title: String::new(),
        };
        assert_eq!(on_match.path_for(need_org), format!("/needs/{need}"));
        assert_eq!(on_match.path_for(offer_org), format!("/offers/{offer}"));
        let in_project = Topic::Project {
            id: project,
            title: String::new(),
        };
        assert_eq!(
            in_project.path_for(need_org),
            format!("/projects/{project}")
        );
    }
}
