//! Who may read and write a conversation, decided here once: the members
//! (any role) of its parties, and nobody else.
//!
//! - A **match's** conversation has two parties, the need's organisation and
//!   the offer's. It opens once either side has said it is interested
//!   (INTERESTED, IN_CONTACT or PARTNERSHIP: see
//!   [`crate::domain::match_open_to_talk`]); once opened it stays, kept for
//!   both, whatever the sides do with the match afterwards.
//! - A **project's** conversation has the project's current partners as
//!   parties (the lead and every partner that has not left); a partner that
//!   leaves stops reading it, one that joins reads it all.
//! - **Outsiders** (anonymous visitors get UNAUTHENTICATED, anyone else
//!   FORBIDDEN) never read or write one. Moderators are no exception: the
//!   organisations talk privately, and what is public about a match or a
//!   project is shown elsewhere.
//!
//! A person in several parties writes for the first of them (the need's
//! side, or the lead). The list of a person's conversations
//! (`store::conversations::page_of`) is the query-side form of the same
//! rule: the conversations of their organisations' matches and of the
//! projects they are current partners of.

use sea_orm::ConnectionTrait;
use uuid::Uuid;

use super::visibility::Reader;
use crate::domain::{ConversationSubject, match_open_to_talk};
use crate::error::{AppError, Entity};
use crate::store::entities::{conversations, matches, needs, offers, projects};
use crate::store::{conversations as store, projects as project_store, rows};

/// The parties of a conversation (opened or not yet), as the rule sees them.
#[derive(Clone, Debug, PartialEq)]
pub struct Parties {
    pub subject: ConversationSubject,
    pub subject_id: Uuid,
    /// The organisations that talk, the need's side or the lead first.
    pub organizations: Vec<Uuid>,
    /// The conversation, if it was opened.
    pub conversation: Option<conversations::Model>,
    /// Whether it may be opened now (a match: either side is interested).
    pub may_open: bool,
}

impl Parties {
    /// The parties of `subject_id`'s conversation, with the conversation
    /// itself if it was opened: what [`of_match`] and [`of_project`] end
    /// with once they know the organisations. Fails on a database error.
    async fn of(
        db: &impl ConnectionTrait,
        subject: ConversationSubject,
        subject_id: Uuid,
        organizations: Vec<Uuid>,
        may_open: bool,
    ) -> Result<Self, AppError> {
        Ok(Self {
            subject,
            subject_id,
            organizations,
            conversation: store::of_subject(db, subject, subject_id).await?,
            may_open,
        })
    }

    /// The organisation `reader` speaks for here: the first party they are
    /// a member of. UNAUTHENTICATED for anonymous readers, FORBIDDEN for
    /// everyone else who is not a member of a party.
    pub fn speaker(&self, reader: &Reader) -> Result<Uuid, AppError> {
        if reader.user_id().is_none() {
            return Err(AppError::Unauthenticated);
        }
        self.organizations
            .iter()
            .copied()
            .find(|org| reader.is_member(*org))
            .ok_or(AppError::Forbidden(
                "only the members of the organisations in a conversation read or write it",
            ))
    }

    /// Like [`Self::speaker`], and the conversation must be open or may be
    /// opened now: FORBIDDEN, saying why, on a match neither side has said
    /// it is interested in.
    pub fn admit(&self, reader: &Reader) -> Result<Uuid, AppError> {
        let speaker = self.speaker(reader)?;
        if self.conversation.is_none() && !self.may_open {
            return Err(AppError::refused(
                "Nessuna delle due parti ha ancora detto di essere interessata a questo \
                 abbinamento: segnalate interesse per poter contattare l'altra parte.",
                "Neither side has said it is interested in this match yet: say you are \
                 interested to contact the other side.",
            ));
        }
        Ok(speaker)
    }

    /// The other parties of `speaker`: whom a message of theirs reaches.
    pub fn others(&self, speaker: Uuid) -> impl Iterator<Item = Uuid> + '_ {
        self.organizations
            .iter()
            .copied()
            .filter(move |org| *org != speaker)
    }
}

/// The parties of a match's conversation. NOT_FOUND on `field` when the
/// match (or one of its postings) does not exist.
pub async fn of_match(
    db: &impl ConnectionTrait,
    match_id: Uuid,
    field: &str,
) -> Result<Parties, AppError> {
    let not_found = || AppError::not_found(Entity::Match, field);
    let row = rows::by_id::<matches::Entity>(db, match_id, "matches: by id")
        .await?
        .ok_or_else(not_found)?;
    let need = rows::by_id::<needs::Entity>(db, row.need_id, "needs: by id, any state")
        .await?
        .ok_or_else(not_found)?;
    let offer = rows::by_id::<offers::Entity>(db, row.offer_id, "offers: by id, any state")
        .await?
        .ok_or_else(not_found)?;
    let mut organizations = vec![need.organization_id];
    if offer.organization_id != need.organization_id {
        organizations.push(offer.organization_id);
    }
    let may_open = match_open_to_talk(row.need_side_status, row.offer_side_status);
    Parties::of(
        db,
        ConversationSubject::Match,
        match_id,
        organizations,
        may_open,
    )
    .await
}

/// The parties of a project's conversation: its current partners. NOT_FOUND
/// on `field` when the project does not exist (or was deleted).
pub async fn of_project(
    db: &impl ConnectionTrait,
    project_id: Uuid,
    field: &str,
) -> Result<Parties, AppError> {
    let project = rows::by_id::<projects::Entity>(db, project_id, "projects: by id")
        .await?
        .filter(|p| p.deleted_at.is_none())
        .ok_or_else(|| AppError::not_found(Entity::Project, field))?;
    let mut organizations = vec![project.lead_organization_id];
    for partner in project_store::partners_of(db, &[project_id]).await? {
        if partner.left_at.is_none() && !organizations.contains(&partner.organization_id) {
            organizations.push(partner.organization_id);
        }
    }
    Parties::of(
        db,
        ConversationSubject::Project,
        project_id,
        organizations,
        true,
    )
    .await
}

/// The parties of the conversation about this match or project (see
/// [`of_match`], [`of_project`]).
pub async fn of_subject(
    db: &impl ConnectionTrait,
    subject: ConversationSubject,
    subject_id: Uuid,
    field: &str,
) -> Result<Parties, AppError> {
    match subject {
        ConversationSubject::Match => of_match(db, subject_id, field).await,
        ConversationSubject::Project => of_project(db, subject_id, field).await,
    }
}

/// The parties of an opened conversation, by its id. NOT_FOUND on `field`
/// when there is no such conversation (or its subject is gone).
pub async fn of_conversation(
    db: &impl ConnectionTrait,
    conversation_id: Uuid,
    field: &str,
) -> Result<Parties, AppError> {
    let conversation =
        rows::by_id::<conversations::Entity>(db, conversation_id, "conversations: by id")
            .await?
            .ok_or_else(|| AppError::not_found(Entity::Conversation, field))?;
    let parties = of_subject(
        db,
        conversation.subject_type,
        conversation.subject_id,
        field,
    )
    .await;
    parties.map_err(|error| match error {
        AppError::NotFound { .. } => AppError::not_found(Entity::Conversation, field),
        other => other,
    })
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    fn parties(may_open: bool) -> Parties {
        Parties {
            subject: ConversationSubject::Match,
            subject_id: Uuid::now_v7(),
            organizations: vec![Uuid::now_v7(), Uuid::now_v7()],
            conversation: None,
            may_open,
        }
    }

    #[test]
    fn only_members_of_a_party_talk() {
        let open = parties(true);
        let [need, offer] = [open.organizations[0], open.organizations[1]];
        let member = |orgs: &[Uuid]| Reader::for_tests(false, orgs.iter().copied().collect());
        assert_eq!(open.admit(&member(&[offer])).ok(), Some(offer));
        // Someone in both parties writes for the first.
        assert_eq!(open.admit(&member(&[offer, need])).ok(), Some(need));
        assert!(matches!(
            open.admit(&member(&[Uuid::now_v7()])),
            Err(AppError::Forbidden(_))
        ));
        // Moderators are not parties.
        assert!(matches!(
            open.admit(&Reader::for_tests(true, HashSet::new())),
            Err(AppError::Forbidden(_))
        ));
        assert!(matches!(
            open.admit(&Reader::anonymous()),
            Err(AppError::Unauthenticated)
        ));
        assert_eq!(open.others(need).collect::<Vec<_>>(), vec![offer]);
    }

    #[test]
    fn a_match_nobody_chose_is_not_open_to_talk() {
        let closed = parties(false);
        let member = Reader::for_tests(false, HashSet::from([closed.organizations[0]]));
        assert!(matches!(
            closed.admit(&member),
            Err(AppError::Refused { .. })
        ));
        // Reading who the parties are is still allowed to a member.
        assert!(closed.speaker(&member).is_ok());
    }
}
