//! The conversations part of a digest, for people who chose to hear of
//! messages in it (`message_notifications: digest`): the messages of
//! others in their organisations' conversations that they have not read,
//! planned as items (one per message, grouped by conversation) and composed
//! as one line per conversation. Those who chose e-mails at once are told
//! by [`crate::services::conversations::notify`] instead.

use std::collections::{BTreeMap, HashSet};

use chrono::{DateTime, Utc};
use sea_orm::ConnectionTrait;
use uuid::Uuid;

use crate::domain::MessageNotifications;
use crate::error::AppError;
use crate::mail::digest::UnreadMessages;
use crate::policy::visibility::Reader;
use crate::services::conversations::{Topic, about};
use crate::store::conversations as store;
use crate::store::entities::{digest_items, digest_subscriptions, users};

use super::ITEM_MESSAGE;
use super::compose::{ids_of, organization_names};
use super::planning::{Planned, my_organizations, sent_pairs};

/// The messages of others written in `(since, at]` in the conversations
/// of the user's organisations, unread and in no earlier digest of theirs;
/// none unless they chose the digest for messages.
pub(super) async fn new_message_items(
    txn: &impl ConnectionTrait,
    sub: &digest_subscriptions::Model,
    since: DateTime<Utc>,
    at: DateTime<Utc>,
) -> Result<Vec<Planned>, AppError> {
    if sub.message_notifications != MessageNotifications::Digest {
        return Ok(Vec::new());
    }
    let mine = my_organizations(txn, sub.user_id).await?;
    if mine.is_empty() {
        return Ok(Vec::new());
    }
    let projects = crate::store::projects::live_project_ids_of(txn, &mine).await?;
    let messages = store::unread_between(txn, sub.user_id, &mine, &projects, since, at).await?;
    let ids: Vec<Uuid> = messages.iter().map(|m| m.id).collect();
    let sent = sent_pairs(txn, sub.user_id, &[ITEM_MESSAGE], Some(&ids)).await?;
    Ok(messages
        .into_iter()
        .filter(|m| !sent.contains(&(ITEM_MESSAGE.to_owned(), m.id)))
        .map(|m| Planned {
            item_type: ITEM_MESSAGE,
            item_id: m.id,
            group_id: Some(m.conversation_id),
        })
        .collect())
}

/// One line per conversation with messages still unread (read since the
/// planning, they are left out), the most recent first; a conversation the
/// user no longer takes part in is left out too.
pub(super) async fn message_sections(
    db: &impl ConnectionTrait,
    base: &str,
    user: &users::Model,
    items: &[digest_items::Model],
) -> Result<Vec<UnreadMessages>, AppError> {
    let ids: Vec<Uuid> = ids_of(items, &[ITEM_MESSAGE]).collect();
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let messages = store::messages_by_ids(db, ids).await?;
    let unread = store::unread_among(db, user.id, messages).await?;
    // By conversation, the newest message last.
    let mut by_conversation: BTreeMap<Uuid, Vec<_>> = BTreeMap::new();
    for message in unread {
        by_conversation
            .entry(message.conversation_id)
            .or_default()
            .push(message);
    }
    let reader = Reader::load(db, Some(user.id), false).await?;
    let mut lines: Vec<(Uuid, UnreadMessages)> = Vec::new();
    for (conversation_id, messages) in by_conversation {
        let Some((parties, topic)) = about(db, conversation_id).await? else {
            continue;
        };
        let Ok(speaker) = parties.speaker(&reader) else {
            continue;
        };
        let authors: HashSet<Uuid> = messages.iter().map(|m| m.organization_id).collect();
        let names = organization_names(db, authors.iter().copied()).await?;
        let mut from: Vec<&str> = names.values().map(String::as_str).collect();
        from.sort_unstable();
        let newest = messages.last().map_or(conversation_id, |m| m.id);
        lines.push((
            newest,
            UnreadMessages {
                about: match &topic {
                    Topic::Match {
                        need_title,
                        offer_title,
                        ..
                    } => format!("{need_title} – {offer_title}"),
                    Topic::Project { title, .. } => title.clone(),
                },
                from: from.join(", "),
                count: messages.len(),
                url: format!("{base}{}", topic.path_for(speaker)),
            },
        ));
    }
    lines.sort_by_key(|line| std::cmp::Reverse(line.0));
    Ok(lines.into_iter().map(|(_, line)| line).collect())
}
