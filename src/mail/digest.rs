//! The digest e-mail, rendered from a [`Digest`] (pure: no database, no
//! clock): one section per need or offer of the reader's organisations,
//! newest first, each item with its one-click "pertinente / non pertinente"
//! links; then one section per saved search with the new postings it found;
//! then one per project with what happened in it; then the unsubscribe link; as accessible HTML (the layout and
//! colours of [`super::templates`]: presentation tables, inline styles, no
//! images, a `lang` attribute, real headings and lists) and as plain text
//! written from the same content.

use std::fmt::Write as _;

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::templates::{RenderedEmail, escape_html, layout};
use crate::domain::Lang;

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
    pub relevant_url: String,
    pub not_relevant_url: String,
}

/// A section: one need or offer of the reader's organisations and its new
/// matches, newest first.
#[derive(Clone, Debug, PartialEq)]
pub struct DigestSection {
    pub side: Side,
    pub title: String,
    pub organization: String,
    pub url: String,
    pub items: Vec<DigestItem>,
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

/// Something that happened in a project.
#[derive(Clone, Debug, PartialEq)]
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
    pub unsubscribe_url: String,
    pub settings_url: String,
}

impl Digest {
    /// New matches.
    pub fn match_count(&self) -> usize {
        self.sections.iter().map(|s| s.items.len()).sum()
    }

    /// Everything it reports: matches, postings found, project events.
    pub fn item_count(&self) -> usize {
        self.match_count()
            + self.searches.iter().map(|s| s.items.len()).sum::<usize>()
            + self.projects.iter().map(|p| p.events.len()).sum::<usize>()
    }
}

struct Words {
    heading: &'static str,
    news_heading: &'static str,
    saved_search: &'static str,
    project: &'static str,
    need: &'static str,
    call: &'static str,
    offer: &'static str,
    your_need: &'static str,
    your_offer: &'static str,
    from: &'static str,
    score: &'static str,
    question: &'static str,
    relevant: &'static str,
    not_relevant: &'static str,
    open: &'static str,
    settings: &'static str,
    unsubscribe: &'static str,
    why: &'static str,
}

fn words(lang: Lang) -> Words {
    match lang {
        Lang::It => Words {
            heading: "Nuovi abbinamenti su Trama",
            news_heading: "Novità su Trama",
            saved_search: "La tua ricerca",
            project: "Progetto",
            need: "Bisogno",
            call: "Bando",
            offer: "Offerta",
            your_need: "Il vostro bisogno",
            your_offer: "La vostra offerta",
            from: "di",
            score: "compatibilità",
            question: "Ti sembra pertinente?",
            relevant: "Pertinente",
            not_relevant: "Non pertinente",
            open: "Apri su Trama",
            settings: "Cambia frequenza e contenuti del riepilogo",
            unsubscribe: "Non ricevere più questi riepiloghi",
            why: "Ricevi questo riepilogo perché fai parte di un'organizzazione su Trama e \
                  hai scelto di ricevere le novità per e-mail.",
        },
        Lang::En => Words {
            heading: "New matches on Trama",
            news_heading: "News on Trama",
            saved_search: "Your search",
            project: "Project",
            need: "Need",
            call: "Call for proposals",
            offer: "Offer",
            your_need: "Your need",
            your_offer: "Your offer",
            from: "by",
            score: "fit",
            question: "Is it relevant?",
            relevant: "Relevant",
            not_relevant: "Not relevant",
            open: "Open on Trama",
            settings: "Change how often and what the digest brings",
            unsubscribe: "Stop receiving these digests",
            why: "You are receiving this digest because you belong to an organisation on \
                  Trama and chose to receive its news by e-mail.",
        },
    }
}

fn subject(lang: Lang, count: usize, only_matches: bool) -> String {
    if !only_matches {
        return match (lang, count) {
            (Lang::It, n) => format!("Trama: {n} novità"),
            (Lang::En, 1) => "Trama: 1 update".to_owned(),
            (Lang::En, n) => format!("Trama: {n} updates"),
        };
    }
    match (lang, count) {
        (Lang::It, 1) => "Trama: 1 nuovo abbinamento".to_owned(),
        (Lang::It, n) => format!("Trama: {n} nuovi abbinamenti"),
        (Lang::En, 1) => "Trama: 1 new match".to_owned(),
        (Lang::En, n) => format!("Trama: {n} new matches"),
    }
}

fn greeting(lang: Lang, name: &str) -> String {
    let name = name.split_whitespace().collect::<Vec<_>>().join(" ");
    match (lang, name.is_empty()) {
        (Lang::It, true) => "Ciao,".to_owned(),
        (Lang::It, false) => format!("Ciao {name},"),
        (Lang::En, true) => "Hello,".to_owned(),
        (Lang::En, false) => format!("Hello {name},"),
    }
}

/// What happened, in a sentence.
fn describe(lang: Lang, activity: &Activity) -> String {
    let one = |s: &str| one_line(s);
    match (lang, activity) {
        (Lang::It, Activity::PartnerJoined { organization }) => {
            format!("{} è entrata nel partenariato", one(organization))
        }
        (Lang::En, Activity::PartnerJoined { organization }) => {
            format!("{} joined the partnership", one(organization))
        }
        (Lang::It, Activity::PartnerLeft { organization }) => {
            format!("{} ha lasciato il partenariato", one(organization))
        }
        (Lang::En, Activity::PartnerLeft { organization }) => {
            format!("{} left the partnership", one(organization))
        }
        (Lang::It, Activity::StageStarted { stage }) => format!("Nuova fase: {}", one(stage)),
        (Lang::En, Activity::StageStarted { stage }) => format!("New stage: {}", one(stage)),
        (
            Lang::It,
            Activity::ContributionProposed {
                organization,
                description,
            },
        ) => format!(
            "{} propone un contributo: {}",
            one(organization),
            one(description)
        ),
        (
            Lang::En,
            Activity::ContributionProposed {
                organization,
                description,
            },
        ) => format!(
            "{} offers a contribution: {}",
            one(organization),
            one(description)
        ),
        (Lang::It, Activity::DocumentAdded { title }) => {
            format!("Nuovo documento: {}", one(title))
        }
        (Lang::En, Activity::DocumentAdded { title }) => format!("New document: {}", one(title)),
        (
            Lang::It,
            Activity::Decision {
                organization,
                stage,
                approved,
            },
        ) => format!(
            "{} ha {} la fase «{}»",
            one(organization),
            if *approved { "approvato" } else { "respinto" },
            one(stage)
        ),
        (
            Lang::En,
            Activity::Decision {
                organization,
                stage,
                approved,
            },
        ) => format!(
            "{} {} the stage “{}”",
            one(organization),
            if *approved { "approved" } else { "rejected" },
            one(stage)
        ),
    }
}

fn day(lang: Lang, at: DateTime<Utc>) -> String {
    match lang {
        Lang::It => at.format("%d/%m/%Y").to_string(),
        Lang::En => at.format("%Y-%m-%d").to_string(),
    }
}

fn one_line(raw: &str) -> String {
    raw.split(char::is_control)
        .flat_map(str::split_whitespace)
        .collect::<Vec<_>>()
        .join(" ")
}

const LINK: &str = "color:#1d4ed8;text-decoration:underline;";
const FONT: &str = "font-family:Arial,Helvetica,sans-serif;";

/// Renders the digest. The caller never renders an empty digest (it is
/// recorded, not sent), but an empty one still renders sensibly.
pub fn render(digest: &Digest) -> RenderedEmail {
    let lang = digest.lang;
    let w = words(lang);
    let count = digest.item_count();
    let only_matches = count == digest.match_count();
    let intro = match (lang, count, only_matches) {
        (Lang::It, 1, true) => "c'è 1 nuovo abbinamento per le tue organizzazioni.".to_owned(),
        (Lang::It, n, true) => {
            format!("ci sono {n} nuovi abbinamenti per le tue organizzazioni.")
        }
        (Lang::En, 1, true) => "there is 1 new match for your organisations.".to_owned(),
        (Lang::En, n, true) => format!("there are {n} new matches for your organisations."),
        (Lang::It, 1, false) => "c'è 1 novità per te.".to_owned(),
        (Lang::It, n, false) => format!("ci sono {n} novità per te."),
        (Lang::En, 1, false) => "there is 1 update for you.".to_owned(),
        (Lang::En, n, false) => format!("there are {n} updates for you."),
    };
    let heading = if only_matches {
        w.heading
    } else {
        w.news_heading
    };
    let hello = format!("{} {intro}", greeting(lang, &digest.display_name));

    let mut html = String::new();
    let mut text = format!("{heading}\n\n{hello}\n\n");
    let _ = writeln!(
        html,
        r#"<p style="margin:0 0 16px 0;">{}</p>"#,
        escape_html(&hello)
    );
    for section in &digest.sections {
        let label = match section.side {
            Side::Need => w.your_need,
            Side::Offer => w.your_offer,
        };
        let title = one_line(&section.title);
        let org = one_line(&section.organization);
        let _ = writeln!(
            html,
            r#"<h2 style="margin:24px 0 4px 0;{FONT}font-size:19px;line-height:1.3;color:#111827;">{label}: <a href="{url}" style="{LINK}">{title}</a></h2>
<p style="margin:0 0 12px 0;font-size:14px;color:#4b5563;">{org}</p>
<ul style="margin:0 0 8px 0;padding:0 0 0 20px;">"#,
            label = escape_html(label),
            url = escape_html(&section.url),
            title = escape_html(&title),
            org = escape_html(&org),
        );
        let _ = write!(text, "== {label}: {title} ({org}) ==\n{}\n\n", section.url);
        for item in &section.items {
            let item_title = one_line(&item.title);
            let item_org = one_line(&item.organization);
            let percent = (item.score.clamp(0.0, 1.0) * 100.0).round();
            let _ = writeln!(
                html,
                r#"<li style="margin:0 0 16px 0;"><a href="{url}" style="{LINK}font-weight:bold;">{title}</a> {from} {org} <span style="color:#4b5563;">({score} {percent}%)</span><br>
<span style="font-size:14px;">{question} <a href="{yes}" style="{LINK}">{relevant}</a> · <a href="{no}" style="{LINK}">{not_relevant}</a></span></li>"#,
                url = escape_html(&item.url),
                title = escape_html(&item_title),
                from = escape_html(w.from),
                org = escape_html(&item_org),
                score = escape_html(w.score),
                question = escape_html(w.question),
                yes = escape_html(&item.relevant_url),
                relevant = escape_html(w.relevant),
                no = escape_html(&item.not_relevant_url),
                not_relevant = escape_html(w.not_relevant),
            );
            let _ = write!(
                text,
                "- {item_title} {from} {item_org} ({score} {percent}%)\n  {open}: {url}\n  {relevant}: {yes}\n  {not_relevant}: {no}\n\n",
                from = w.from,
                score = w.score,
                open = w.open,
                url = item.url,
                relevant = w.relevant,
                yes = item.relevant_url,
                not_relevant = w.not_relevant,
                no = item.not_relevant_url,
            );
        }
        html.push_str("</ul>\n");
    }
    render_searches(digest, &w, &mut html, &mut text);
    render_projects(digest, &w, &mut html, &mut text);
    let _ = writeln!(
        html,
        r#"<p style="margin:24px 0 8px 0;font-size:14px;"><a href="{settings_url}" style="{LINK}">{settings}</a></p>
<p style="margin:0 0 16px 0;font-size:14px;"><a href="{unsubscribe_url}" style="{LINK}">{unsubscribe}</a></p>"#,
        settings_url = escape_html(&digest.settings_url),
        settings = escape_html(w.settings),
        unsubscribe_url = escape_html(&digest.unsubscribe_url),
        unsubscribe = escape_html(w.unsubscribe),
    );
    let _ = write!(
        text,
        "{}:\n{}\n\n{}:\n{}\n\n-- \n{}\n",
        w.settings, digest.settings_url, w.unsubscribe, digest.unsubscribe_url, w.why
    );
    RenderedEmail {
        lang,
        subject: subject(lang, count, only_matches),
        html: layout(lang, heading, &html, w.why),
        text,
    }
}

fn section_heading(html: &mut String, label: &str, title: &str, url: Option<&str>) {
    let title = match url {
        Some(url) => format!(
            r#"<a href="{}" style="{LINK}">{}</a>"#,
            escape_html(url),
            escape_html(title)
        ),
        None => escape_html(title),
    };
    let _ = writeln!(
        html,
        r#"<h2 style="margin:24px 0 8px 0;{FONT}font-size:19px;line-height:1.3;color:#111827;">{label}: {title}</h2>
<ul style="margin:0 0 8px 0;padding:0 0 0 20px;">"#,
        label = escape_html(label),
    );
}

fn render_searches(digest: &Digest, w: &Words, html: &mut String, text: &mut String) {
    for section in &digest.searches {
        let name = one_line(&section.name);
        section_heading(html, w.saved_search, &name, None);
        let _ = write!(text, "== {}: {name} ==\n\n", w.saved_search);
        for item in &section.items {
            let kind = match item.kind {
                PostingKind::Need => w.need,
                PostingKind::Call => w.call,
                PostingKind::Offer => w.offer,
            };
            let title = one_line(&item.title);
            let org = one_line(&item.organization);
            let _ = writeln!(
                html,
                r#"<li style="margin:0 0 12px 0;">{kind}: <a href="{url}" style="{LINK}font-weight:bold;">{title}</a> {from} {org}</li>"#,
                kind = escape_html(kind),
                url = escape_html(&item.url),
                title = escape_html(&title),
                from = escape_html(w.from),
                org = escape_html(&org),
            );
            let _ = write!(
                text,
                "- {kind}: {title} {from} {org}\n  {open}: {url}\n\n",
                from = w.from,
                open = w.open,
                url = item.url,
            );
        }
        html.push_str("</ul>\n");
    }
}

fn render_projects(digest: &Digest, w: &Words, html: &mut String, text: &mut String) {
    for project in &digest.projects {
        let title = one_line(&project.title);
        section_heading(html, w.project, &title, Some(&project.url));
        let _ = write!(text, "== {}: {title} ==\n{}\n\n", w.project, project.url);
        for event in &project.events {
            let when = day(digest.lang, event.at);
            let what = describe(digest.lang, &event.activity);
            let _ = writeln!(
                html,
                r#"<li style="margin:0 0 12px 0;"><span style="color:#4b5563;">{when}</span> · {what}</li>"#,
                what = escape_html(&what),
            );
            let _ = writeln!(text, "- {when}: {what}");
        }
        text.push('\n');
        html.push_str("</ul>\n");
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
            }],
            searches: Vec::new(),
            projects: Vec::new(),
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
}
