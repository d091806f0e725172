//! The digest e-mail, rendered from a [`Digest`] (pure: no database, no
//! clock): one section per need or offer of the reader's organisations,
//! newest first, its best matches first, each with its one-click
//! "pertinente / non pertinente" links, then how many more it has and where
//! to see them; then one section per saved search with the new postings it found;
//! then one per project with what happened in it; then the conversations
//! with messages to read; then the unsubscribe link;
//! as accessible HTML (the layout and colours of the account e-mails:
//! presentation tables, inline styles, no images, a `lang` attribute, real
//! headings and lists) and as plain text written from the same content, by
//! the templates `templates/mail/digest.html` and `digest.txt`.

use chrono::{DateTime, Utc};
use minijinja::context;
use minijinja::value::{Serde, Value};
use serde::Serialize;
use uuid::Uuid;

use super::templates::RenderedEmail;
use crate::domain::Lang;
use crate::templates::{Evaluated, one_line};

/// Which side of a match the reader's organisation is on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Side {
    Need,
    Offer,
}

/// One match in a digest: the other side's posting, as the reader sees it.
#[derive(Clone, Debug, PartialEq)]
pub struct DigestItem {
    pub match_id: Uuid,
    /// The other side's posting title.
    pub title: String,
    /// The other side's organisation.
    pub organization: String,
    /// 0..1.
    pub score: f64,
    pub created_at: DateTime<Utc>,
    /// Link to the other posting on the platform.
    pub url: String,
    /// Why it is proposed: its strongest reasons, in the reader's language.
    pub reasons: Vec<String>,
    pub relevant_url: String,
    pub not_relevant_url: String,
}

/// A section: one need or offer of the reader's organisations and its best
/// new matches, best first.
#[derive(Clone, Debug, PartialEq)]
pub struct DigestSection {
    pub side: Side,
    pub title: String,
    pub organization: String,
    /// The posting's page, which lists all its matches.
    pub url: String,
    pub items: Vec<DigestItem>,
    /// New matches beyond `items`, counted but not listed.
    pub more: usize,
}

/// What a posting found by a saved search is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PostingKind {
    Need,
    /// A need that is a call for proposals (bando, avviso).
    Call,
    Offer,
}

/// A posting a saved search found, published since the last digest.
#[derive(Clone, Debug, PartialEq)]
pub struct FoundItem {
    pub kind: PostingKind,
    pub id: Uuid,
    pub title: String,
    pub organization: String,
    pub created_at: DateTime<Utc>,
    pub url: String,
}

/// A saved search and what it found, newest first.
#[derive(Clone, Debug, PartialEq)]
pub struct SearchSection {
    /// The name the reader gave it.
    pub name: String,
    pub items: Vec<FoundItem>,
}

/// Something that happened in a project (serialised for the templates as
/// `kind` in snake case and the fields).
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Activity {
    PartnerJoined {
        organization: String,
    },
    PartnerLeft {
        organization: String,
    },
    /// `stage` is the label in the digest's language.
    StageStarted {
        stage: String,
    },
    ContributionProposed {
        organization: String,
        description: String,
    },
    DocumentAdded {
        title: String,
    },
    Decision {
        organization: String,
        stage: String,
        approved: bool,
    },
    MilestoneDone {
        organization: String,
        title: String,
    },
    ReportFiled {
        organization: String,
    },
    AgreementApproved {
        organization: String,
        version: i32,
    },
}

/// One event of a project.
#[derive(Clone, Debug, PartialEq)]
pub struct ProjectEvent {
    pub id: Uuid,
    pub at: DateTime<Utc>,
    pub activity: Activity,
}

/// A project of the reader's organisations and its events, newest first.
#[derive(Clone, Debug, PartialEq)]
pub struct ProjectSection {
    pub title: String,
    pub url: String,
    pub events: Vec<ProjectEvent>,
}

/// The messages of one conversation the reader has not read (for people
/// who chose to hear of messages in the digest).
#[derive(Clone, Debug, PartialEq)]
pub struct UnreadMessages {
    /// What the conversation is about: a project's title, or a match's
    /// need and offer.
    pub about: String,
    /// The organisations that wrote them.
    pub from: String,
    pub count: usize,
    /// Where the reader reads and answers them.
    pub url: String,
}

/// Everything a digest says.
#[derive(Clone, Debug, PartialEq)]
pub struct Digest {
    pub lang: Lang,
    pub display_name: String,
    /// Match sections, newest first.
    pub sections: Vec<DigestSection>,
    /// Saved-search sections, in the order the searches were saved.
    pub searches: Vec<SearchSection>,
    /// Project sections, the most recently active first.
    pub projects: Vec<ProjectSection>,
    /// Conversations with messages to read, the most recent first.
    pub messages: Vec<UnreadMessages>,
    pub unsubscribe_url: String,
    pub settings_url: String,
}

impl Digest {
    /// New matches, listed or counted.
    pub fn match_count(&self) -> usize {
        self.sections.iter().map(|s| s.items.len() + s.more).sum()
    }

    /// Everything it reports: matches, postings found, project events,
    /// messages.
    pub fn item_count(&self) -> usize {
        self.match_count()
            + self.searches.iter().map(|s| s.items.len()).sum::<usize>()
            + self.projects.iter().map(|p| p.events.len()).sum::<usize>()
            + self.messages.iter().map(|m| m.count).sum::<usize>()
    }
}

/// A match section as the templates print it: names on one line, the
/// score in percent.
#[derive(Serialize)]
struct SectionView {
    side: &'static str,
    title: String,
    organization: String,
    url: String,
    items: Vec<ItemView>,
    more: usize,
}

#[derive(Serialize)]
struct ItemView {
    title: String,
    organization: String,
    percent: u32,
    url: String,
    reasons: Vec<String>,
    relevant_url: String,
    not_relevant_url: String,
}

#[derive(Serialize)]
struct SearchView {
    name: String,
    items: Vec<FoundView>,
}

#[derive(Serialize)]
struct FoundView {
    kind: &'static str,
    title: String,
    organization: String,
    url: String,
}

#[derive(Serialize)]
struct ProjectView {
    title: String,
    url: String,
    events: Vec<EventView>,
}

#[derive(Serialize)]
struct MessagesView {
    about: String,
    from: String,
    count: usize,
    url: String,
}

#[derive(Serialize)]
struct EventView {
    /// `YYYY-MM-DD`; each language writes it its own way.
    date: String,
    activity: Activity,
}

impl Activity {
    /// The same activity with every name on one line.
    fn one_line(&self) -> Self {
        let one = |s: &String| one_line(s);
        match self {
            Self::PartnerJoined { organization } => Self::PartnerJoined {
                organization: one(organization),
            },
            Self::PartnerLeft { organization } => Self::PartnerLeft {
                organization: one(organization),
            },
            Self::StageStarted { stage } => Self::StageStarted { stage: one(stage) },
            Self::ContributionProposed {
                organization,
                description,
            } => Self::ContributionProposed {
                organization: one(organization),
                description: one(description),
            },
            Self::DocumentAdded { title } => Self::DocumentAdded { title: one(title) },
            Self::Decision {
                organization,
                stage,
                approved,
            } => Self::Decision {
                organization: one(organization),
                stage: one(stage),
                approved: *approved,
            },
            Self::MilestoneDone {
                organization,
                title,
            } => Self::MilestoneDone {
                organization: one(organization),
                title: one(title),
            },
            Self::ReportFiled { organization } => Self::ReportFiled {
                organization: one(organization),
            },
            Self::AgreementApproved {
                organization,
                version,
            } => Self::AgreementApproved {
                organization: one(organization),
                version: *version,
            },
        }
    }
}

/// Renders the digest (templates `mail/digest.html` and `mail/digest.txt`,
/// words in `mail/<lang>/digest.txt`). The caller never renders an empty
/// digest (it is recorded, not sent), but an empty one still renders
/// sensibly.
pub fn render(digest: &Digest) -> RenderedEmail {
    let lang = digest.lang;
    let count = digest.item_count();
    let only_matches = count == digest.match_count();
    let mut words = Evaluated::new(&format!("mail/{}/digest.txt", lang.as_str()), context! {});
    let (count_value, only_value) = (Value::from(count), Value::from(only_matches));
    let subject = one_line(&words.call("subject", &[count_value.clone(), only_value.clone()]));
    let hello = one_line(&words.call(
        "hello",
        &[
            Value::from(one_line(&digest.display_name)),
            count_value,
            only_value.clone(),
        ],
    ));
    let title = one_line(&words.call("heading", &[only_value]));
    let why = one_line(&words.call("why", &[]));
    let sections: Vec<SectionView> = digest
        .sections
        .iter()
        .map(|section| SectionView {
            side: match section.side {
                Side::Need => "need",
                Side::Offer => "offer",
            },
            title: one_line(&section.title),
            organization: one_line(&section.organization),
            url: section.url.clone(),
            items: section
                .items
                .iter()
                .map(|item| ItemView {
                    title: one_line(&item.title),
                    organization: one_line(&item.organization),
                    // 0..=100 after the clamp: the cast cannot truncate.
                    percent: (item.score.clamp(0.0, 1.0) * 100.0).round() as u32,
                    url: item.url.clone(),
                    reasons: item.reasons.iter().map(|r| one_line(r)).collect(),
                    relevant_url: item.relevant_url.clone(),
                    not_relevant_url: item.not_relevant_url.clone(),
                })
                .collect(),
            more: section.more,
        })
        .collect();
    let searches: Vec<SearchView> = digest
        .searches
        .iter()
        .map(|search| SearchView {
            name: one_line(&search.name),
            items: search
                .items
                .iter()
                .map(|item| FoundView {
                    kind: match item.kind {
                        PostingKind::Need => "need",
                        PostingKind::Call => "call",
                        PostingKind::Offer => "offer",
                    },
                    title: one_line(&item.title),
                    organization: one_line(&item.organization),
                    url: item.url.clone(),
                })
                .collect(),
        })
        .collect();
    let projects: Vec<ProjectView> = digest
        .projects
        .iter()
        .map(|project| ProjectView {
            title: one_line(&project.title),
            url: project.url.clone(),
            events: project
                .events
                .iter()
                .map(|event| EventView {
                    date: event.at.format("%Y-%m-%d").to_string(),
                    activity: event.activity.one_line(),
                })
                .collect(),
        })
        .collect();
    let messages: Vec<MessagesView> = digest
        .messages
        .iter()
        .map(|m| MessagesView {
            about: one_line(&m.about),
            from: one_line(&m.from),
            count: m.count,
            url: m.url.clone(),
        })
        .collect();
    let context = context! {
        lang => lang.as_str(),
        title,
        why,
        hello,
        sections => Serde(sections),
        searches => Serde(searches),
        projects => Serde(projects),
        messages => Serde(messages),
        settings_url => &digest.settings_url,
        unsubscribe_url => &digest.unsubscribe_url,
    };
    RenderedEmail {
        lang,
        subject,
        html: crate::templates::render("mail/digest.html", context.clone()),
        text: crate::templates::render("mail/digest.txt", context),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(lang: Lang) -> Digest {
        let item = |n: u128, title: &str| DigestItem {
            match_id: Uuid::from_u128(n),
            title: title.to_owned(),
            organization: "Coop <Sole> & Luna".to_owned(),
            score: 0.734,
            created_at: DateTime::from_timestamp(1_700_000_000, 0).unwrap_or_default(),
            url: format!("https://trama.example.it/offers/{n}"),
            reasons: vec![
                "contributo richiesto: competenze".to_owned(),
                "stesso quartiere: San Siro".to_owned(),
                "simile a «Custodi <di> fiducia», che vi interessa".to_owned(),
            ],
            relevant_url: format!(
                "https://trama.example.it/digests/feedback?token=t&match={n}&verdict=relevant"
            ),
            not_relevant_url: format!(
                "https://trama.example.it/digests/feedback?token=t&match={n}&verdict=not_relevant"
            ),
        };
        Digest {
            lang,
            display_name: "Anna\r\nBianchi".to_owned(),
            sections: vec![DigestSection {
                side: Side::Need,
                title: "Portierato sociale".to_owned(),
                organization: "Comune di Milano".to_owned(),
                url: "https://trama.example.it/needs/1".to_owned(),
                items: vec![item(2, "Custodi sociali"), item(3, "Sportello ascolto")],
                more: 0,
            }],
            searches: Vec::new(),
            projects: Vec::new(),
            messages: Vec::new(),
            unsubscribe_url: "https://trama.example.it/digests/unsubscribe?token=t".to_owned(),
            settings_url: "https://trama.example.it/account".to_owned(),
        }
    }

    #[test]
    fn both_parts_carry_every_item_and_link() {
        let rendered = render(&sample(Lang::It));
        assert_eq!(rendered.subject, "Trama: 2 nuovi abbinamenti");
        assert!(rendered.html.contains(r#"<html lang="it""#));
        assert!(rendered.html.contains("Coop &lt;Sole&gt; &amp; Luna"));
        assert!(!rendered.html.contains("<img"));
        assert!(rendered.text.contains("Ciao Anna Bianchi,"));
        for part in [&rendered.html, &rendered.text] {
            assert!(part.contains("Custodi sociali"));
            assert!(part.contains("Sportello ascolto"));
            assert!(part.contains("verdict=not_relevant"));
            assert!(part.contains("/digests/unsubscribe?token=t"));
            assert!(part.contains("73%"));
        }
        let en = render(&sample(Lang::En));
        assert_eq!(en.subject, "Trama: 2 new matches");
        assert!(en.text.contains("Not relevant:"));
    }

    #[test]
    fn a_section_counts_the_matches_it_does_not_list() {
        let mut digest = sample(Lang::It);
        digest.sections[0].more = 6;
        let rendered = render(&digest);
        // The count covers every new match, listed or not.
        assert_eq!(rendered.subject, "Trama: 8 nuovi abbinamenti");
        for part in [&rendered.html, &rendered.text] {
            assert!(
                part.contains("Ci sono altri 6 nuovi abbinamenti, meno compatibili."),
                "{part}"
            );
            assert!(
                part.contains("Li trovi tutti nella pagina del bisogno"),
                "{part}"
            );
        }
        assert!(
            rendered
                .html
                .contains(r#"<a href="https://trama.example.it/needs/1" style="color:#1d4ed8;text-decoration:underline;">Li trovi tutti"#)
        );
        digest.sections[0].more = 1;
        digest.lang = Lang::En;
        let en = render(&digest);
        assert_eq!(en.subject, "Trama: 3 new matches");
        assert!(
            en.text
                .contains("There is 1 more new match, with a lower fit. See them all on the need's page:\nhttps://trama.example.it/needs/1"),
            "{}",
            en.text
        );
        // A section that lists all its matches says nothing more.
        let plain = render(&sample(Lang::It));
        assert!(!plain.text.contains("Ci sono altri"));
    }

    #[test]
    fn saved_searches_and_projects_have_their_sections() {
        let at = DateTime::from_timestamp(1_700_000_000, 0).unwrap_or_default();
        let mut digest = sample(Lang::It);
        digest.searches = vec![SearchSection {
            name: "Spazi a San Siro".to_owned(),
            items: vec![FoundItem {
                kind: PostingKind::Call,
                id: Uuid::from_u128(9),
                title: "Quartieri Connessi".to_owned(),
                organization: "Comune di Milano".to_owned(),
                created_at: at,
                url: "https://trama.example.it/needs/9".to_owned(),
            }],
        }];
        digest.projects = vec![ProjectSection {
            title: "Pulizia delle scale".to_owned(),
            url: "https://trama.example.it/projects/7".to_owned(),
            events: vec![ProjectEvent {
                id: Uuid::from_u128(8),
                at,
                activity: Activity::PartnerJoined {
                    organization: "ONLUS <Pulito>".to_owned(),
                },
            }],
        }];
        let rendered = render(&digest);
        assert_eq!(rendered.subject, "Trama: 4 novità");
        for part in [&rendered.html, &rendered.text] {
            assert!(part.contains("La tua ricerca: Spazi a San Siro"), "{part}");
            assert!(part.contains("Bando: "), "{part}");
            assert!(part.contains("Quartieri Connessi"), "{part}");
            assert!(part.contains("Pulizia delle scale"), "{part}");
            assert!(part.contains("14/11/2023"), "{part}");
        }
        assert!(
            rendered
                .html
                .contains("ONLUS &lt;Pulito&gt; è entrata nel partenariato")
        );
        assert!(
            rendered
                .text
                .contains("ONLUS <Pulito> è entrata nel partenariato")
        );
        digest.lang = Lang::En;
        let en = render(&digest);
        assert_eq!(en.subject, "Trama: 4 updates");
        assert!(en.text.contains("joined the partnership"));
    }

    /// A digest with every kind of section and event.
    fn full(lang: Lang) -> Digest {
        let at = DateTime::from_timestamp(1_700_000_000, 0).unwrap_or_default();
        let mut digest = sample(lang);
        digest.sections.push(DigestSection {
            side: Side::Offer,
            title: "Mediatori di vicinato".to_owned(),
            organization: "Coop <Sole> & Luna".to_owned(),
            url: format!("https://trama.example.it/offers/{}", Uuid::from_u128(4)),
            items: vec![DigestItem {
                match_id: Uuid::from_u128(5),
                title: "Mediazione nei cortili".to_owned(),
                organization: "Municipio 6".to_owned(),
                score: 1.0,
                created_at: at,
                url: "https://trama.example.it/needs/5".to_owned(),
                reasons: vec!["stesso comune: Milano".to_owned()],
                relevant_url:
                    "https://trama.example.it/digests/feedback?token=t&match=5&verdict=relevant"
                        .to_owned(),
                not_relevant_url:
                    "https://trama.example.it/digests/feedback?token=t&match=5&verdict=not_relevant"
                        .to_owned(),
            }],
            more: 7,
        });
        let found = |kind, n: u128, title: &str| FoundItem {
            kind,
            id: Uuid::from_u128(n),
            title: title.to_owned(),
            organization: "Comune di Milano".to_owned(),
            created_at: at,
            url: format!("https://trama.example.it/needs/{n}"),
        };
        digest.searches = vec![SearchSection {
            name: "Spazi a San Siro".to_owned(),
            items: vec![
                found(PostingKind::Call, 9, "Quartieri Connessi"),
                found(PostingKind::Need, 10, "Custodia delle scale"),
                found(PostingKind::Offer, 11, "Sala civica in prestito"),
            ],
        }];
        let event = |n: u128, activity| ProjectEvent {
            id: Uuid::from_u128(n),
            at,
            activity,
        };
        digest.projects = vec![ProjectSection {
            title: "Pulizia delle scale".to_owned(),
            url: "https://trama.example.it/projects/7".to_owned(),
            events: vec![
                event(
                    20,
                    Activity::PartnerJoined {
                        organization: "ONLUS <Pulito>".to_owned(),
                    },
                ),
                event(
                    21,
                    Activity::PartnerLeft {
                        organization: "APS Ponte".to_owned(),
                    },
                ),
                event(
                    22,
                    Activity::StageStarted {
                        stage: "Co-progettazione".to_owned(),
                    },
                ),
                event(
                    23,
                    Activity::ContributionProposed {
                        organization: "APS Ponte".to_owned(),
                        description: "Due operatori\nil sabato".to_owned(),
                    },
                ),
                event(
                    24,
                    Activity::DocumentAdded {
                        title: "Verbale del 3 marzo".to_owned(),
                    },
                ),
                event(
                    25,
                    Activity::Decision {
                        organization: "Municipio 6".to_owned(),
                        stage: "Istruttoria".to_owned(),
                        approved: true,
                    },
                ),
                event(
                    26,
                    Activity::Decision {
                        organization: "Comune di Milano".to_owned(),
                        stage: "Istruttoria".to_owned(),
                        approved: false,
                    },
                ),
                event(
                    27,
                    Activity::AgreementApproved {
                        organization: "Municipio 6".to_owned(),
                        version: 2,
                    },
                ),
                event(
                    28,
                    Activity::MilestoneDone {
                        organization: "APS Ponte".to_owned(),
                        title: "Scale di via Odazio\nripulite".to_owned(),
                    },
                ),
                event(
                    29,
                    Activity::ReportFiled {
                        organization: "ONLUS <Pulito>".to_owned(),
                    },
                ),
            ],
        }];
        digest.messages = vec![
            UnreadMessages {
                about: "Pulizia delle scale".to_owned(),
                from: "ONLUS <Pulito>".to_owned(),
                count: 2,
                url: "https://trama.example.it/projects/7".to_owned(),
            },
            UnreadMessages {
                about: "Portierato sociale – Custodi\nsociali".to_owned(),
                from: "Coop Sole".to_owned(),
                count: 1,
                url: "https://trama.example.it/needs/1".to_owned(),
            },
        ];
        digest
    }

    #[test]
    fn unread_messages_have_their_section() {
        let mut digest = sample(Lang::It);
        digest.sections.clear();
        digest.messages = vec![UnreadMessages {
            about: "Pulizia delle scale".to_owned(),
            from: "ONLUS <Pulito>".to_owned(),
            count: 3,
            url: "https://trama.example.it/projects/7".to_owned(),
        }];
        let rendered = render(&digest);
        assert_eq!(rendered.subject, "Trama: 3 novità");
        assert!(
            rendered
                .text
                .contains("3 messaggi da ONLUS <Pulito> su «Pulizia delle scale»"),
            "{}",
            rendered.text
        );
        assert!(rendered.html.contains("ONLUS &lt;Pulito&gt;"));
        assert!(
            rendered
                .html
                .contains("https://trama.example.it/projects/7")
        );
        digest.lang = Lang::En;
        digest.messages[0].count = 1;
        let en = render(&digest);
        assert!(
            en.text
                .contains("1 message from ONLUS <Pulito> about “Pulizia delle scale”"),
            "{}",
            en.text
        );
    }

    #[test]
    fn snapshots_of_the_digest() {
        use crate::mail::templates::tests::{redactions, shown};
        for lang in [Lang::It, Lang::En] {
            let code = lang.as_str();
            insta::with_settings!({ filters => redactions() }, {
                insta::assert_snapshot!(format!("digest_matches_{code}"), shown(&render(&sample(lang))));
                insta::assert_snapshot!(format!("digest_everything_{code}"), shown(&render(&full(lang))));
            });
        }
    }
}
