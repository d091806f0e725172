//! The queries of conversations: finding or opening the one of a match or
//! a project, writing and listing its messages, read markers and unread
//! counts, and the conversations of a person's organisations.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, Query};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect, QueryTrait, Select, Set,
};
use uuid::Uuid;

use super::listing::{Page, PageRequest, keyset_page};
use super::{Context, StoreResult, new_id, rows};
use crate::domain::{ConversationSubject, MessageBody};
use crate::store::entities::{
    conversation_messages, conversation_reads, conversations, matches, needs, offers,
};

/// The conversation about this match or project, if it was opened.
pub async fn of_subject(
    db: &impl ConnectionTrait,
    subject: ConversationSubject,
    subject_id: Uuid,
) -> StoreResult<Option<conversations::Model>> {
    let which = Condition::all()
        .add(conversations::Column::SubjectType.eq(subject))
        .add(conversations::Column::SubjectId.eq(subject_id));
    rows::first::<conversations::Entity>(db, which, "conversations: of subject").await
}

/// The conversation about this match or project, opened at `at` unless it
/// was already (then `false`): two people opening it at once leave one
/// (the unique index decides).
pub async fn open(
    db: &impl ConnectionTrait,
    subject: ConversationSubject,
    subject_id: Uuid,
    at: DateTime<Utc>,
) -> StoreResult<(conversations::Model, bool)> {
    if let Some(found) = of_subject(db, subject, subject_id).await? {
        return Ok((found, false));
    }
    let row = conversations::ActiveModel {
        id: Set(new_id()),
        subject_type: Set(subject),
        subject_id: Set(subject_id),
        last_message_at: Set(None),
        created_at: Set(at),
        updated_at: Set(at),
    };
    let unique = [
        conversations::Column::SubjectType,
        conversations::Column::SubjectId,
    ];
    let inserted = rows::insert_new(db, [row], unique, "conversations: open").await?;
    of_subject(db, subject, subject_id)
        .await?
        .map(|found| (found, inserted == 1))
        .ok_or_else(|| super::StoreError {
            what: "conversations: open, then read",
            source: sea_orm::DbErr::RecordNotFound("the conversation just opened".to_owned()),
        })
}

/// A message to write.
#[derive(Clone, Copy, Debug)]
pub struct NewMessage<'a> {
    pub conversation_id: Uuid,
    pub author_id: Uuid,
    pub organization_id: Uuid,
    pub body: &'a MessageBody,
    pub at: DateTime<Utc>,
}

/// Writes a message and moves its conversation's `last_message_at`.
pub async fn insert_message(
    db: &impl ConnectionTrait,
    new: NewMessage<'_>,
) -> StoreResult<conversation_messages::Model> {
    let row = conversation_messages::ActiveModel {
        id: Set(new_id()),
        conversation_id: Set(new.conversation_id),
        author_id: Set(new.author_id),
        organization_id: Set(new.organization_id),
        body: Set(new.body.as_str().to_owned()),
        notified_at: Set(None),
        created_at: Set(new.at),
    };
    let message = rows::insert(db, row, "conversations: insert a message").await?;
    let set = [
        (
            conversations::Column::LastMessageAt,
            Expr::value(Some(new.at)),
        ),
        (conversations::Column::UpdatedAt, Expr::value(new.at)),
    ];
    let which = conversations::Column::Id.eq(new.conversation_id);
    rows::set::<conversations::Entity>(db, set, which, "conversations: last message at").await?;
    Ok(message)
}

/// The newest `limit` messages of a conversation, oldest first.
pub async fn latest_messages(
    db: &impl ConnectionTrait,
    conversation_id: Uuid,
    limit: u64,
) -> StoreResult<Vec<conversation_messages::Model>> {
    let which = conversation_messages::Column::ConversationId.eq(conversation_id);
    let id = conversation_messages::Column::Id;
    let what = "conversations: latest messages";
    rows::latest::<conversation_messages::Entity>(db, which, id, limit, what).await
}

/// The id of the newest message of a conversation.
pub async fn last_message_id(
    db: &impl ConnectionTrait,
    conversation_id: Uuid,
) -> StoreResult<Option<Uuid>> {
    conversation_messages::Entity::find()
        .select_only()
        .column(conversation_messages::Column::Id)
        .filter(conversation_messages::Column::ConversationId.eq(conversation_id))
        .order_by_desc(conversation_messages::Column::Id)
        .into_tuple()
        .one(db)
        .await
        .context("conversations: last message id")
}

/// Records that the immediate e-mails about a message went at `at`.
pub async fn mark_notified(
    db: &impl ConnectionTrait,
    message_id: Uuid,
    at: DateTime<Utc>,
) -> StoreResult<()> {
    let set = [(
        conversation_messages::Column::NotifiedAt,
        Expr::value(Some(at)),
    )];
    let which = conversation_messages::Column::Id.eq(message_id);
    let what = "conversations: mark a message notified";
    rows::set::<conversation_messages::Entity>(db, set, which, what).await?;
    Ok(())
}

/// Records that `user_id` has read the conversation up to `message_id`
/// (never moving the marker back: a late request reading an older state
/// leaves the newer marker).
pub async fn mark_read(
    db: &impl ConnectionTrait,
    conversation_id: Uuid,
    user_id: Uuid,
    message_id: Uuid,
    at: DateTime<Utc>,
) -> StoreResult<()> {
    let row = conversation_reads::ActiveModel {
        id: Set(new_id()),
        conversation_id: Set(conversation_id),
        user_id: Set(user_id),
        last_read_message_id: Set(message_id),
        read_at: Set(at),
    };
    let unique = [
        conversation_reads::Column::ConversationId,
        conversation_reads::Column::UserId,
    ];
    rows::insert_new(db, [row], unique, "conversations: first read marker").await?;
    let set = [
        (
            conversation_reads::Column::LastReadMessageId,
            Expr::value(message_id),
        ),
        (conversation_reads::Column::ReadAt, Expr::value(at)),
    ];
    let which = Condition::all()
        .add(conversation_reads::Column::ConversationId.eq(conversation_id))
        .add(conversation_reads::Column::UserId.eq(user_id))
        .add(conversation_reads::Column::LastReadMessageId.lt(message_id));
    rows::set::<conversation_reads::Entity>(db, set, which, "conversations: move a read marker")
        .await?;
    Ok(())
}

/// How far `user_id` has read each of these conversations: the last
/// message read, by conversation (none for one never read).
async fn read_marks(
    db: &impl ConnectionTrait,
    user_id: Uuid,
    conversation_ids: impl IntoIterator<Item = Uuid>,
) -> StoreResult<HashMap<Uuid, Uuid>> {
    Ok(conversation_reads::Entity::find()
        .filter(conversation_reads::Column::UserId.eq(user_id))
        .filter(conversation_reads::Column::ConversationId.is_in(conversation_ids))
        .all(db)
        .await
        .context("conversations: read markers")?
        .into_iter()
        .map(|r| (r.conversation_id, r.last_read_message_id))
        .collect())
}

/// Of `messages`, those `user_id` has not read (their own excepted).
pub async fn unread_among(
    db: &impl ConnectionTrait,
    user_id: Uuid,
    messages: Vec<conversation_messages::Model>,
) -> StoreResult<Vec<conversation_messages::Model>> {
    let conversations: HashSet<Uuid> = messages.iter().map(|m| m.conversation_id).collect();
    let marks = read_marks(db, user_id, conversations).await?;
    Ok(messages
        .into_iter()
        .filter(|m| m.author_id != user_id)
        .filter(|m| {
            marks
                .get(&m.conversation_id)
                .is_none_or(|mark| m.id > *mark)
        })
        .collect())
}

/// The messages with these ids.
pub async fn messages_by_ids(
    db: &impl ConnectionTrait,
    ids: impl IntoIterator<Item = Uuid>,
) -> StoreResult<Vec<conversation_messages::Model>> {
    let which = conversation_messages::Column::Id.is_in(ids);
    let order = [conversation_messages::Column::Id];
    rows::list::<conversation_messages::Entity>(db, which, order, "conversations: messages by ids")
        .await
}

/// The messages of others written in `(since, at]` in the conversations
/// [`page_of`] lists for `organizations` and `projects`, that `user_id`
/// has not read, oldest first.
pub async fn unread_between(
    db: &impl ConnectionTrait,
    user_id: Uuid,
    organizations: &HashSet<Uuid>,
    projects: &[Uuid],
    since: DateTime<Utc>,
    at: DateTime<Utc>,
) -> StoreResult<Vec<conversation_messages::Model>> {
    let conversations = of_organizations(organizations, projects)
        .select_only()
        .column(conversations::Column::Id)
        .into_query();
    let messages = conversation_messages::Entity::find()
        .filter(conversation_messages::Column::ConversationId.in_subquery(conversations))
        .filter(conversation_messages::Column::AuthorId.ne(user_id))
        .filter(conversation_messages::Column::CreatedAt.gt(since))
        .filter(conversation_messages::Column::CreatedAt.lte(at))
        .order_by_asc(conversation_messages::Column::Id)
        .all(db)
        .await
        .context("conversations: messages between")?;
    unread_among(db, user_id, messages).await
}

/// How many messages of each of `conversation_ids` `user_id` has not read
/// (their own excepted); conversations with none are left out.
pub async fn unread_counts(
    db: &impl ConnectionTrait,
    user_id: Uuid,
    conversation_ids: &[Uuid],
) -> StoreResult<HashMap<Uuid, u64>> {
    if conversation_ids.is_empty() {
        return Ok(HashMap::new());
    }
    let marks = read_marks(db, user_id, conversation_ids.iter().copied()).await?;
    // One condition per conversation: its messages after its marker.
    let mut unread = Condition::any();
    for id in conversation_ids {
        let mut of_this =
            Condition::all().add(conversation_messages::Column::ConversationId.eq(*id));
        if let Some(mark) = marks.get(id) {
            of_this = of_this.add(conversation_messages::Column::Id.gt(*mark));
        }
        unread = unread.add(of_this);
    }
    let counts: Vec<(Uuid, i64)> = conversation_messages::Entity::find()
        .select_only()
        .column(conversation_messages::Column::ConversationId)
        .column_as(conversation_messages::Column::Id.count(), "unread")
        .filter(conversation_messages::Column::AuthorId.ne(user_id))
        .filter(unread)
        .group_by(conversation_messages::Column::ConversationId)
        .into_tuple()
        .all(db)
        .await
        .context("conversations: unread counts")?;
    Ok(counts
        .into_iter()
        .map(|(id, n)| (id, u64::try_from(n).unwrap_or(0)))
        .collect())
}

/// The conversations of the matches of the postings of `organizations`
/// and of `projects`.
fn of_organizations(
    organizations: &HashSet<Uuid>,
    projects: &[Uuid],
) -> Select<conversations::Entity> {
    let mine = || organizations.iter().copied();
    let needs = Query::select()
        .column(needs::Column::Id)
        .from(needs::Entity)
        .and_where(needs::Column::OrganizationId.is_in(mine()))
        .to_owned();
    let offers = Query::select()
        .column(offers::Column::Id)
        .from(offers::Entity)
        .and_where(offers::Column::OrganizationId.is_in(mine()))
        .to_owned();
    let matches = Query::select()
        .column(matches::Column::Id)
        .from(matches::Entity)
        .cond_where(
            Condition::any()
                .add(matches::Column::NeedId.in_subquery(needs))
                .add(matches::Column::OfferId.in_subquery(offers)),
        )
        .to_owned();
    conversations::Entity::find().filter(
        Condition::any()
            .add(
                Condition::all()
                    .add(conversations::Column::SubjectType.eq(ConversationSubject::Match))
                    .add(conversations::Column::SubjectId.in_subquery(matches)),
            )
            .add(
                Condition::all()
                    .add(conversations::Column::SubjectType.eq(ConversationSubject::Project))
                    .add(conversations::Column::SubjectId.is_in(projects.iter().copied())),
            ),
    )
}

/// A page of the conversations of the matches of the postings of
/// `organizations` and of `projects`, newest first.
pub async fn page_of(
    db: &impl ConnectionTrait,
    organizations: &HashSet<Uuid>,
    projects: &[Uuid],
    page: PageRequest,
) -> StoreResult<Page<conversations::Model>> {
    keyset_page(
        db,
        of_organizations(organizations, projects),
        conversations::Column::Id,
        page,
        "conversations: of organisations",
    )
    .await
}

/// How many conversations [`page_of`] lists in all.
pub async fn count_of(
    db: &impl ConnectionTrait,
    organizations: &HashSet<Uuid>,
    projects: &[Uuid],
) -> StoreResult<u64> {
    of_organizations(organizations, projects)
        .count(db)
        .await
        .context("conversations: count of organisations")
}
