//! What an organisation's verdicts on earlier proposals say about new
//! ones: a proposal like one it dismissed or marked not relevant moves
//! down in its lists, one like a proposal it was interested in moves up,
//! and the move is explained like any criterion ("simile a «Allenatori
//! volontari di calcio», che avete scartato"). Only that organisation's
//! lists move: the pair's stored score is the pair's own, the same for the
//! other side and at every recomputation. No I/O: `services::matches`
//! gathers the verdicts and the texts.

use uuid::Uuid;

use super::config::{FeedbackConfig, MatchingConfig};
use super::reasons::{Criterion, Finding, Reason};
use super::text::TextProfile;
use crate::domain::FeedbackVerdict;

/// Moves smaller than this are not shown (nor made): they would reorder
/// nothing a person notices.
const NEGLIGIBLE: f64 = 0.005;

/// An earlier proposal the organisation gave verdicts on, by the other
/// side's posting (the offer, when the organisation posted the need).
#[derive(Clone, Debug)]
pub struct Judged {
    pub match_id: Uuid,
    pub posting_id: Uuid,
    pub organization_id: Uuid,
    pub title: String,
    pub text: TextProfile,
    /// The verdict that says most, named in the explanation.
    pub verdict: FeedbackVerdict,
    /// -1..1: what its verdicts add up to (see [`signal`]).
    pub signal: f64,
}

/// The other side of a proposal in the organisation's list.
#[derive(Clone, Copy, Debug)]
pub struct Proposed<'a> {
    pub match_id: Uuid,
    pub posting_id: Uuid,
    pub organization_id: Uuid,
    pub text: &'a TextProfile,
}

/// An organisation's verdicts, ready to move its proposals.
#[derive(Clone, Debug, Default)]
pub struct Preferences {
    judged: Vec<Judged>,
}

impl Preferences {
    /// Verdicts that add up to nothing (interested, then dismissed "for
    /// now") are left out.
    pub fn new(judged: Vec<Judged>) -> Self {
        Self {
            judged: judged
                .into_iter()
                .filter(|j| j.signal.abs() >= NEGLIGIBLE)
                .collect(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.judged.is_empty()
    }

    /// How the verdicts move this proposal, as a [`Criterion::Feedback`]
    /// reason whose value is the change in score, naming the judged
    /// proposal that moves it most in that direction. `None` when no
    /// judged proposal is similar enough. A match is not moved by its own
    /// verdicts (they decided its status already); the same posting
    /// proposed for another of the organisation's postings is, as the
    /// most similar there is.
    pub fn adjust(&self, proposed: Proposed<'_>, config: &MatchingConfig) -> Option<Reason> {
        let f = &config.feedback;
        let mut delta = 0.0;
        // The judged proposal that moves it most down, and most up.
        let mut down: Option<(f64, &Judged)> = None;
        let mut up: Option<(f64, &Judged)> = None;
        for judged in &self.judged {
            if judged.match_id == proposed.match_id {
                continue;
            }
            let similarity = similarity(judged, proposed, config);
            if similarity < f.min_similarity {
                continue;
            }
            let moved = f.strength * similarity * judged.signal;
            delta += moved;
            let strongest = if moved < 0.0 { &mut down } else { &mut up };
            if strongest.is_none_or(|(most, _)| moved.abs() > most.abs()) {
                *strongest = Some((moved, judged));
            }
        }
        let delta = delta.clamp(-f.max_lower, f.max_raise);
        if delta.abs() < NEGLIGIBLE {
            return None;
        }
        let (_, named) = if delta < 0.0 { down } else { up }?;
        Some(Reason {
            criterion: Criterion::Feedback,
            value: (delta * 10_000.0).round() / 10_000.0,
            weight: 0.0,
            finding: if named.posting_id == proposed.posting_id {
                Finding::AlreadyJudged {
                    verdict: named.verdict,
                }
            } else {
                Finding::LikeJudged {
                    title: named.title.clone(),
                    verdict: named.verdict,
                }
            },
        })
    }
}

/// How alike two postings are for feedback: the cosine of their texts
/// (not the score's text value, which calls two posts "fully similar" well
/// before they say the same thing: football coaches and after-school
/// helpers for the same children are 0.44 apart, football and volleyball
/// coaches 0.72), or at least [`FeedbackConfig::same_organization`] for
/// two postings of one organisation.
fn similarity(judged: &Judged, proposed: Proposed<'_>, config: &MatchingConfig) -> f64 {
    let (text, _) = judged.text.similarity(proposed.text, 0);
    if judged.organization_id == proposed.organization_id {
        text.max(config.feedback.same_organization)
    } else {
        text
    }
}

/// What an organisation's verdicts on one proposal add up to, -1..1, and
/// the verdict that says most: the latest of interested / dismissed plus
/// the latest rating (relevant / not relevant). `verdicts` are oldest
/// first. A rating says more than a status ("not now" is a dismissal
/// rated relevant: nothing against similar proposals).
pub fn signal(
    verdicts: &[FeedbackVerdict],
    config: &FeedbackConfig,
) -> Option<(f64, FeedbackVerdict)> {
    let latest = |kinds: [FeedbackVerdict; 2]| verdicts.iter().rev().find(|v| kinds.contains(v));
    let status = latest([FeedbackVerdict::Interested, FeedbackVerdict::Dismissed]);
    let rating = latest([FeedbackVerdict::Relevant, FeedbackVerdict::NotRelevant]);
    let value = |verdict: &FeedbackVerdict| match verdict {
        FeedbackVerdict::Interested => config.interested,
        FeedbackVerdict::Dismissed => config.dismissed,
        FeedbackVerdict::Relevant => config.relevant,
        FeedbackVerdict::NotRelevant => config.not_relevant,
    };
    let total = status.map_or(0.0, value) + rating.map_or(0.0, value);
    let named = rating.or(status)?;
    Some((total.clamp(-1.0, 1.0), *named))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Lang;
    use crate::matching::Matcher;

    fn judged(
        matcher: &Matcher,
        id: u128,
        organization: u128,
        title: &str,
        text: &str,
        verdicts: &[FeedbackVerdict],
    ) -> Judged {
        let (signal, verdict) = signal(verdicts, &matcher.config().feedback).expect("a verdict");
        Judged {
            match_id: Uuid::from_u128(id + 5_000),
            posting_id: Uuid::from_u128(id),
            organization_id: Uuid::from_u128(organization),
            title: title.to_owned(),
            text: matcher.profile(title, text),
            verdict,
            signal,
        }
    }

    fn moved(
        matcher: &Matcher,
        preferences: &Preferences,
        organization: u128,
        title: &str,
        text: &str,
    ) -> Option<Reason> {
        let profile = matcher.profile(title, text);
        preferences.adjust(
            Proposed {
                match_id: Uuid::from_u128(6_999),
                posting_id: Uuid::from_u128(999),
                organization_id: Uuid::from_u128(organization),
                text: &profile,
            },
            matcher.config(),
        )
    }

    #[test]
    fn verdicts_add_up_to_a_signal() {
        use FeedbackVerdict::*;
        let config = Matcher::builtin()
            .expect("config")
            .config()
            .feedback
            .clone();
        assert_eq!(signal(&[], &config), None);
        assert_eq!(signal(&[Interested], &config), Some((1.0, Interested)));
        // Dismissed as not relevant: the strongest "no".
        assert_eq!(
            signal(&[Dismissed, NotRelevant], &config),
            Some((-1.0, NotRelevant))
        );
        // Dismissed "not now": rated relevant, nothing against it.
        assert_eq!(
            signal(&[Dismissed, Relevant], &config),
            Some((0.0, Relevant))
        );
        // The latest status counts: interested, later dismissed.
        assert_eq!(
            signal(&[Interested, Dismissed], &config),
            Some((-0.5, Dismissed))
        );
    }

    #[test]
    fn a_dismissed_proposal_lowers_similar_ones_and_says_which() {
        use FeedbackVerdict::*;
        let matcher = Matcher::builtin().expect("config");
        let preferences = Preferences::new(vec![judged(
            &matcher,
            1,
            10,
            "Allenatori volontari di calcio",
            "Allenatori volontari per squadre di calcio giovanili e tornei sportivi.",
            &[Dismissed, NotRelevant],
        )]);
        let lowered = moved(
            &matcher,
            &preferences,
            11,
            "Istruttori volontari di calcio e pallavolo",
            "Istruttori sportivi volontari per squadre giovanili di calcio e pallavolo.",
        )
        .expect("a similar sports offer is lowered");
        assert_eq!(lowered.criterion, Criterion::Feedback);
        assert!(lowered.value < 0.0, "{lowered:?}");
        assert!(lowered.value >= -matcher.config().feedback.max_lower);
        assert_eq!(
            lowered.message(Lang::It),
            "simile a «Allenatori volontari di calcio», che avete giudicato non pertinente"
        );
        assert_eq!(lowered.contribution(1.0), lowered.value);
        // Something else entirely does not move.
        assert_eq!(
            moved(
                &matcher,
                &preferences,
                12,
                "Custodia sociale nei caseggiati",
                "Portierato sociale e presenza quotidiana nelle case popolari.",
            ),
            None
        );
        // Another offer of the same club moves, whatever it says.
        let same_club = moved(
            &matcher,
            &preferences,
            10,
            "Sala riunioni",
            "Una sala per riunioni di condominio.",
        )
        .expect("the same organisation's offer");
        assert!(same_club.value < 0.0);
    }

    #[test]
    fn interest_raises_similar_proposals_within_bounds() {
        use FeedbackVerdict::*;
        let matcher = Matcher::builtin().expect("config");
        let text = "Servizio di portierato sociale e custodia nei caseggiati ERP.";
        let many: Vec<Judged> = (0..10)
            .map(|i| {
                judged(
                    &matcher,
                    i,
                    100 + i,
                    "Portierato sociale",
                    text,
                    &[Interested],
                )
            })
            .collect();
        let preferences = Preferences::new(many);
        let raised = moved(
            &matcher,
            &preferences,
            50,
            "Custodia sociale e portierato",
            "Portierato sociale nei caseggiati ERP, custodia e presenza.",
        )
        .expect("raised");
        assert_eq!(raised.value, matcher.config().feedback.max_raise);
        assert_eq!(
            raised.message(Lang::En),
            "like “Portierato sociale”, which you were interested in"
        );
        // A match is not moved by its own verdicts; the same posting
        // proposed for another need is.
        let profile = matcher.profile("Portierato sociale", text);
        let alone = Preferences::new(vec![judged(
            &matcher,
            7,
            1,
            "Portierato sociale",
            text,
            &[Interested],
        )]);
        let proposed = |match_id: u128| Proposed {
            match_id: Uuid::from_u128(match_id),
            posting_id: Uuid::from_u128(7),
            organization_id: Uuid::from_u128(1),
            text: &profile,
        };
        assert_eq!(alone.adjust(proposed(5_007), matcher.config()), None);
        let again = alone
            .adjust(proposed(8_000), matcher.config())
            .expect("the same posting elsewhere");
        assert!(again.value > 0.0);
        assert_eq!(
            again.message(Lang::It),
            "vi interessa già per un altro vostro annuncio"
        );
    }
}
