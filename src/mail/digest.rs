//! The digest e-mail, rendered from a [`Digest`] (pure: no database, no
//! clock): one section per need or offer of the reader's organisations,
//! newest first, each item with its one-click "pertinente / non pertinente"
//! links, then the unsubscribe link; as accessible HTML (the layout and
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

/// Everything a digest says.
#[derive(Clone, Debug, PartialEq)]
pub struct Digest {
    pub lang: Lang,
    pub display_name: String,
    /// Sections, newest first.
    pub sections: Vec<DigestSection>,
    pub unsubscribe_url: String,
    pub settings_url: String,
}

impl Digest {
    pub fn item_count(&self) -> usize {
        self.sections.iter().map(|s| s.items.len()).sum()
    }
}

struct Words {
    heading: &'static str,
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

fn subject(lang: Lang, count: usize) -> String {
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
    let intro = match (lang, count) {
        (Lang::It, 1) => "c'è 1 nuovo abbinamento per le tue organizzazioni.".to_owned(),
        (Lang::It, n) => format!("ci sono {n} nuovi abbinamenti per le tue organizzazioni."),
        (Lang::En, 1) => "there is 1 new match for your organisations.".to_owned(),
        (Lang::En, n) => format!("there are {n} new matches for your organisations."),
    };
    let hello = format!("{} {intro}", greeting(lang, &digest.display_name));

    let mut html = String::new();
    let mut text = format!("{}\n\n{hello}\n\n", w.heading);
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
        subject: subject(lang, count),
        html: layout(lang, w.heading, &html, w.why),
        text,
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
}
