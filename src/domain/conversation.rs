//! Conversations between organisations before (and while) they agree: what
//! a conversation is about, when a match's two sides may start talking,
//! and how each person wants to hear of new messages. Who may read and
//! write one is the visibility policy's (`crate::policy::conversations`).

use super::closed::closed_list;
use super::lists::MatchSideStatus;

closed_list! {
    /// What a conversation is about: one per match, one per project.
    pub enum ConversationSubject {
        Match = "match" { it: "Abbinamento", en: "Match" },
        Project = "project" { it: "Progetto", en: "Project" },
    }
}

closed_list! {
    /// How a person hears of a new message in their conversations.
    #[derive(Default)]
    pub enum MessageNotifications {
        /// The default: a message is a person waiting for an answer.
        #[default]
        Immediate = "immediate" { it: "Subito, con un'e-mail", en: "At once, by e-mail" },
        Digest = "digest" { it: "Nel riepilogo", en: "In the digest" },
    }
}

/// Whether the two sides of a match may talk: once either of them has said
/// it is interested (INTERESTED, IN_CONTACT or PARTNERSHIP). A suggestion
/// nobody looked at, or one both dismissed, opens nothing: nobody is
/// written to about a match they never chose.
pub fn match_open_to_talk(need_side: MatchSideStatus, offer_side: MatchSideStatus) -> bool {
    let chosen = |status: MatchSideStatus| {
        matches!(
            status,
            MatchSideStatus::Interested | MatchSideStatus::InContact | MatchSideStatus::Partnership
        )
    };
    chosen(need_side) || chosen(offer_side)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::closed::assert_well_formed;

    #[test]
    fn lists_are_well_formed() {
        assert_well_formed::<ConversationSubject>();
        assert_well_formed::<MessageNotifications>();
        assert_eq!(
            MessageNotifications::default(),
            MessageNotifications::Immediate
        );
        assert_eq!(MessageNotifications::VALUES, ["immediate", "digest"]);
    }

    #[test]
    fn either_side_s_interest_opens_the_talk() {
        use MatchSideStatus::*;
        for status in [Interested, InContact, Partnership] {
            assert!(match_open_to_talk(status, Suggested));
            assert!(match_open_to_talk(Dismissed, status));
        }
        for (need, offer) in [
            (Suggested, Suggested),
            (Dismissed, Suggested),
            (Dismissed, Dismissed),
        ] {
            assert!(!match_open_to_talk(need, offer));
        }
    }
}
