//! The account e-mails (address confirmation, password reset, invitation,
//! partnership proposal, new message in a conversation, requests to join or manage an organisation and their
//! outcome) in Italian and English, each as a subject, an HTML part and a
//! plain-text part written from the same content so the two never say
//! different things.
//!
//! The words are in `templates/mail/<lang>/<e-mail>.txt`, one block per part
//! (subject, heading, greeting, paragraphs before and after the button, the
//! button's label, and why the person got the e-mail); the two parts are
//! `templates/mail/account.html` (made for mail clients: see
//! `templates/mail/layout.html`) and `templates/mail/account.txt`. The HTML
//! template escapes every value; here we only clean what people wrote (one
//! line, no control characters).

use minijinja::{Value, context};

use crate::domain::Lang;
use crate::templates::{Evaluated, one_line, paragraphs, render};

/// A rendered e-mail: what [`OutgoingEmail::new`](super::OutgoingEmail::new)
/// needs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RenderedEmail {
    pub lang: Lang,
    /// Plain text (the mailer encodes it); no HTML escaping.
    pub subject: String,
    pub html: String,
    pub text: String,
}

/// Asks a new user to confirm their address by opening `link`.
pub fn verify_email(lang: Lang, display_name: &str, link: &str) -> RenderedEmail {
    account_email(
        lang,
        "verify_email",
        context! { display_name => one_line(display_name) },
        link,
    )
}

/// Sends the link that lets a user choose a new password; the link works for
/// `valid_for_minutes` and once.
pub fn reset_password(
    lang: Lang,
    display_name: &str,
    link: &str,
    valid_for_minutes: u32,
) -> RenderedEmail {
    account_email(
        lang,
        "reset_password",
        context! {
            display_name => one_line(display_name),
            validity => duration(valid_for_minutes),
        },
        link,
    )
}

/// Invites someone, on behalf of `inviter_name`, to join `organization_name`.
pub fn invitation(
    lang: Lang,
    organization_name: &str,
    inviter_name: &str,
    link: &str,
) -> RenderedEmail {
    account_email(
        lang,
        "invitation",
        context! {
            organization => one_line(organization_name),
            inviter => one_line(inviter_name),
        },
        link,
    )
}

/// Asks whoever reads an organisation's registered address (from the
/// registry it was imported from) to confirm or decline that
/// `requester_name` (`requester_email`) may manage it on Trama; `link`
/// opens a page with both answers and works for `valid_for_days`.
pub fn claim_confirmation(
    lang: Lang,
    organization_name: &str,
    requester_name: &str,
    requester_email: &str,
    link: &str,
    valid_for_days: u32,
) -> RenderedEmail {
    account_email(
        lang,
        "claim_confirmation",
        context! {
            organization => one_line(organization_name),
            requester_name => one_line(requester_name),
            requester_email => one_line(requester_email),
            validity => duration(valid_for_days.saturating_mul(1440)),
        },
        link,
    )
}

/// Tells an admin of `organization_name` that `requester_name`
/// (`requester_email`) asks to join it, with their message if any; `link`
/// opens the organisation's pending requests.
pub fn join_request(
    lang: Lang,
    admin_name: &str,
    organization_name: &str,
    requester_name: &str,
    requester_email: &str,
    message: Option<&str>,
    link: &str,
) -> RenderedEmail {
    account_email(
        lang,
        "join_request",
        context! {
            admin_name => one_line(admin_name),
            organization => one_line(organization_name),
            requester_name => one_line(requester_name),
            requester_email => one_line(requester_email),
            message => one_line(message.unwrap_or_default()),
        },
        link,
    )
}

/// Tells a requester whether their request to join or manage
/// `organization_name` was approved (`as_admin`: they now manage it) or
/// declined, with the reason given, if any.
pub fn request_decided(
    lang: Lang,
    requester_name: &str,
    organization_name: &str,
    approved: bool,
    as_admin: bool,
    reason: Option<&str>,
    link: &str,
) -> RenderedEmail {
    account_email(
        lang,
        "request_decided",
        context! {
            requester_name => one_line(requester_name),
            organization => one_line(organization_name),
            approved,
            as_admin,
            reason => one_line(reason.unwrap_or_default()),
        },
        link,
    )
}

/// Which side of a match a person's organisation is on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Asked {
    /// Their organisation posted the need; the proposer made the offer.
    ForTheirNeed,
    /// Their organisation made the offer; the proposer posted the need.
    ForTheirOffer,
}

/// A partnership proposed on a match, as the other side reads of it.
#[derive(Clone, Copy, Debug)]
pub struct ProposalText<'a> {
    /// The organisation asked (the reader's).
    pub organization: &'a str,
    /// The organisation proposing.
    pub proposer: &'a str,
    pub asked: Asked,
    pub need_title: &'a str,
    pub offer_title: &'a str,
}

/// Tells a person of the organisation asked that another proposes a
/// partnership on the match of a need and an offer, which opens the
/// co-design project only if their organisation agrees too. `link` opens
/// their side (the need or the offer) with its matches.
pub fn partnership_proposal(
    lang: Lang,
    display_name: &str,
    proposal: &ProposalText<'_>,
    link: &str,
) -> RenderedEmail {
    let asked = match proposal.asked {
        Asked::ForTheirNeed => "need",
        Asked::ForTheirOffer => "offer",
    };
    account_email(
        lang,
        "partnership_proposal",
        context! {
            display_name => one_line(display_name),
            organization => one_line(proposal.organization),
            proposer => one_line(proposal.proposer),
            asked,
            need_title => one_line(proposal.need_title),
            offer_title => one_line(proposal.offer_title),
        },
        link,
    )
}

/// What a conversation is about, as an e-mail names it.
#[derive(Clone, Copy, Debug)]
pub enum About<'a> {
    Match {
        need_title: &'a str,
        offer_title: &'a str,
    },
    Project {
        title: &'a str,
    },
}

/// A new message in a conversation, as a person of another party reads of
/// it.
#[derive(Clone, Copy, Debug)]
pub struct MessageText<'a> {
    /// The reader's organisation in the conversation.
    pub organization: &'a str,
    pub author: &'a str,
    /// The organisation the author wrote for.
    pub author_organization: &'a str,
    pub about: About<'a>,
    /// What they wrote: plain text, paragraphs separated by blank lines.
    pub body: &'a str,
}

/// Tells a person that someone of another organisation in one of their
/// conversations wrote a message, with the message itself (as text: a link
/// in it is the reader's mail client's to show). `link` opens the page
/// where they read and reply.
pub fn new_message(
    lang: Lang,
    display_name: &str,
    message: &MessageText<'_>,
    link: &str,
) -> RenderedEmail {
    let (about, need_title, offer_title, project_title) = match message.about {
        About::Match {
            need_title,
            offer_title,
        } => ("match", need_title, offer_title, ""),
        About::Project { title } => ("project", "", "", title),
    };
    account_email(
        lang,
        "new_message",
        context! {
            display_name => one_line(display_name),
            organization => one_line(message.organization),
            author => one_line(message.author),
            author_organization => one_line(message.author_organization),
            about,
            need_title => one_line(need_title),
            offer_title => one_line(offer_title),
            project_title => one_line(project_title),
            body => message.body,
        },
        link,
    )
}

/// Renders the account e-mail `name` in `lang`: its copy template with
/// `copy`, then the HTML and text parts around the button to `link`.
fn account_email(lang: Lang, name: &str, copy: Value, link: &str) -> RenderedEmail {
    let mut copy = Evaluated::new(&format!("mail/{}/{name}.txt", lang.as_str()), copy);
    let parts = context! {
        lang => lang.as_str(),
        title => one_line(&copy.block("heading")),
        greeting => one_line(&copy.block("greeting")),
        before => paragraphs(&copy.block("before")),
        action => one_line(&copy.block("action")),
        link,
        after => paragraphs(&copy.block("after")),
        why => one_line(&copy.block("why")),
    };
    RenderedEmail {
        lang,
        subject: one_line(&copy.block("subject")),
        html: render("mail/account.html", parts.clone()),
        text: render("mail/account.txt", parts),
    }
}

/// A number of minutes in its largest whole unit (`count` and `unit`: "day",
/// "hour" or "minute"), which the templates put into words.
fn duration(minutes: u32) -> Value {
    let (count, unit) = if minutes > 0 && minutes.is_multiple_of(1440) {
        (minutes / 1440, "day")
    } else if minutes > 0 && minutes.is_multiple_of(60) {
        (minutes / 60, "hour")
    } else {
        (minutes, "minute")
    };
    context! { count, unit }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    const LINK: &str = "https://trama.example.it/account/verify?token=Zx9_-a&lang=it";

    #[test]
    fn durations_use_the_largest_whole_unit() {
        let says = |lang, minutes, phrase: &str| {
            let text = reset_password(lang, "Anna", LINK, minutes).text;
            assert!(text.contains(phrase), "{minutes} minutes: {text}");
        };
        says(Lang::It, 1, "Il link vale 1 minuto e");
        says(Lang::It, 90, "Il link vale 90 minuti e");
        says(Lang::It, 60, "Il link vale 1 ora e");
        says(Lang::It, 120, "Il link vale 2 ore e");
        says(Lang::It, 2880, "Il link vale 2 giorni e");
        says(Lang::En, 30, "valid for 30 minutes and");
        says(Lang::En, 60, "valid for 1 hour and");
        says(Lang::En, 1440, "valid for 1 day and");
    }

    #[test]
    fn request_emails_name_the_person_and_escape_what_they_wrote() {
        let email = join_request(
            Lang::It,
            "Anna",
            "Comitato <Inquilini>",
            "Rita\nRossi",
            "rita@example.org",
            Some("Abito qui & <b>voglio</b> aiutare"),
            "https://trama.example.it/organizations/1/requests",
        );
        assert_eq!(
            email.subject,
            "Una richiesta di entrare in Comitato <Inquilini>"
        );
        assert!(
            email
                .text
                .contains("Rita Rossi (rita@example.org) chiede di entrare")
        );
        assert!(email.text.contains("«Abito qui & <b>voglio</b> aiutare»"));
        assert!(
            email
                .html
                .contains("Abito qui &amp; &lt;b&gt;voglio&lt;/b&gt; aiutare")
        );
        assert!(!email.html.contains("<b>voglio"));
        let claim = claim_confirmation(
            Lang::En,
            "Portinerie",
            "",
            "maria@example.org",
            "https://trama.example.it/organizations/claims/confirm?token=x",
            14,
        );
        assert_eq!(claim.subject, "Request to manage Portinerie on Trama");
        assert!(claim.text.contains("maria@example.org asks to manage"));
        assert!(claim.text.contains("valid for 14 days"));
        let declined = request_decided(
            Lang::It,
            "Rita",
            "Comitato",
            false,
            false,
            Some("Solo residenti"),
            "https://trama.example.it/organizations/1",
        );
        assert!(
            declined
                .text
                .contains("Il motivo indicato: «Solo residenti»")
        );
    }

    #[test]
    fn names_are_cleaned_and_have_fallbacks() {
        let email = verify_email(Lang::It, "  Maria\r\nRossi ", LINK);
        assert!(
            email.text.contains("\n\nCiao Maria Rossi,\n\n"),
            "{}",
            email.text
        );
        let email = verify_email(Lang::En, " \n ", LINK);
        assert!(email.text.contains("\n\nHello,\n\n"), "{}", email.text);
        let email = invitation(Lang::It, "", "", "https://trama.example.it/i/x");
        assert_eq!(
            email.subject,
            "Una persona ti invita a far parte di un'organizzazione su Trama"
        );
    }

    #[test]
    fn the_plain_text_follows_the_html() {
        let email = reset_password(Lang::It, "Anna", "https://trama.example.it/r?t=1&u=2", 60);
        assert_eq!(
            email.text,
            "Reimposta la password\n\nCiao Anna,\n\nAbbiamo ricevuto una richiesta di \
             reimpostare la password del tuo account Trama. Per sceglierne una nuova, usa il \
             pulsante qui sotto.\n\nScegli una nuova password:\n\
             https://trama.example.it/r?t=1&u=2\n\nIl link vale 1 ora e si può usare una sola \
             volta.\n\n-- \nRicevi questa e-mail perché è stato chiesto di reimpostare la \
             password dell'account Trama legato a questo indirizzo. Se non l'hai chiesto tu, \
             ignora questa e-mail: la tua password non cambia.\nQuesta e-mail è stata inviata \
             automaticamente da Trama.\n"
        );
        assert!(
            email
                .html
                .contains("Il link vale 1 ora e si può usare una sola volta.")
        );
    }

    #[test]
    fn a_partnership_proposal_says_who_asks_what_and_that_it_waits_for_them() {
        let text = ProposalText {
            organization: "Municipio 6",
            proposer: "Portinerie <di> Comunità",
            asked: Asked::ForTheirNeed,
            need_title: "Mediazione\na Lorenteggio",
            offer_title: "Mediatori di vicinato",
        };
        let link = "https://trama.example.it/needs/1";
        let it = partnership_proposal(Lang::It, "Carla", &text, link);
        assert_eq!(
            it.subject,
            "Portinerie <di> Comunità propone un partenariato su Trama"
        );
        assert!(it.text.contains(
            "Portinerie <di> Comunità propone un partenariato con Municipio 6 per il vostro \
             bisogno «Mediazione a Lorenteggio», con la sua offerta «Mediatori di vicinato»."
        ));
        assert!(it.text.contains("si apre solo se accettate anche voi"));
        assert!(it.text.contains(link));
        assert!(it.html.contains("Portinerie &lt;di&gt; Comunità"));
        assert!(!it.html.contains("<di>"));
        let en = partnership_proposal(
            Lang::En,
            "",
            &ProposalText {
                asked: Asked::ForTheirOffer,
                ..text
            },
            link,
        );
        assert!(en.text.starts_with("A partnership proposal\n\nHello,"));
        assert!(
            en.text
                .contains("for its need “Mediazione a Lorenteggio”, with your offer")
        );
    }

    #[test]
    fn a_new_message_quotes_it_as_text_and_keeps_its_paragraphs() {
        let text = MessageText {
            organization: "Municipio 6",
            author: "Anna\nBianchi",
            author_organization: "Portinerie <di> Comunità",
            about: About::Project { title: "Cortile" },
            body: "Primo <b>paragrafo</b>\n\nSecondo: https://example.org/a?b=1&c=2",
        };
        let it = new_message(
            Lang::It,
            "Carla",
            &text,
            "https://trama.example.it/projects/1",
        );
        assert_eq!(
            it.subject,
            "Un nuovo messaggio da Portinerie <di> Comunità su Trama"
        );
        assert!(
            it.text.contains(
                "Anna Bianchi di Portinerie <di> Comunità ha scritto nella conversazione del \
                 progetto «Cortile»:\n\nPrimo <b>paragrafo</b>\n\nSecondo: \
                 https://example.org/a?b=1&c=2\n\n"
            ),
            "{}",
            it.text
        );
        assert!(it.html.contains("Primo &lt;b&gt;paragrafo&lt;/b&gt;"));
        assert!(!it.html.contains("<b>paragrafo"));
        let en = new_message(
            Lang::En,
            "",
            &MessageText {
                about: About::Match {
                    need_title: "N",
                    offer_title: "O",
                },
                ..text
            },
            "https://trama.example.it/needs/1",
        );
        assert!(
            en.text
                .starts_with("A new message from Portinerie <di> Comunità\n\nHello,")
        );
        assert!(
            en.text.contains("about the need “N” and the offer “O”:"),
            "{}",
            en.text
        );
    }

    /// Every account e-mail in every variant, with sample data: what the
    /// snapshots show.
    fn every_email(lang: Lang) -> Vec<(&'static str, RenderedEmail)> {
        let proposal = ProposalText {
            organization: "Municipio 6",
            proposer: "Portinerie di Comunità",
            asked: Asked::ForTheirNeed,
            need_title: "Mediazione a Lorenteggio",
            offer_title: "Mediatori di vicinato",
        };
        let base = "https://trama.example.it";
        let org = format!("{base}/organizations/0190f5a2-7c3e-7d41-9a6b-2f1e8c4d5a60");
        vec![
            (
                "verify_email",
                verify_email(
                    lang,
                    "Maria Rossi",
                    &format!("{base}/account/verify?token=Zx9_-a"),
                ),
            ),
            (
                "reset_password",
                reset_password(
                    lang,
                    "Maria Rossi",
                    &format!("{base}/account/reset?token=Zx9_-a"),
                    60,
                ),
            ),
            (
                "invitation",
                invitation(
                    lang,
                    "APS Ponte",
                    "Luca Bianchi",
                    &format!("{base}/invitations/accept?token=Zx9_-a"),
                ),
            ),
            (
                "claim_confirmation",
                claim_confirmation(
                    lang,
                    "Portinerie di Comunità",
                    "Maria Rossi",
                    "maria@example.org",
                    &format!("{base}/organizations/claims/confirm?token=Zx9_-a"),
                    14,
                ),
            ),
            (
                "join_request",
                join_request(
                    lang,
                    "Anna",
                    "Comitato Inquilini",
                    "Rita Rossi",
                    "rita@example.org",
                    Some("Abito qui e voglio aiutare."),
                    &format!("{org}/requests"),
                ),
            ),
            (
                "request_approved",
                request_decided(lang, "Rita", "Comitato Inquilini", true, false, None, &org),
            ),
            (
                "request_approved_as_admin",
                request_decided(lang, "Rita", "Comitato Inquilini", true, true, None, &org),
            ),
            (
                "request_declined",
                request_decided(
                    lang,
                    "Rita",
                    "Comitato Inquilini",
                    false,
                    false,
                    Some("Solo residenti"),
                    &org,
                ),
            ),
            (
                "partnership_proposal_for_their_need",
                partnership_proposal(lang, "Carla", &proposal, &format!("{base}/needs/1")),
            ),
            (
                "new_message_on_a_match",
                new_message(
                    lang,
                    "Carla",
                    &MessageText {
                        organization: "Municipio 6",
                        author: "Anna Bianchi",
                        author_organization: "Portinerie di Comunità",
                        about: About::Match {
                            need_title: "Mediazione a Lorenteggio",
                            offer_title: "Mediatori di vicinato",
                        },
                        body: "Buongiorno, possiamo sentirci giovedì?\n\nIl nostro programma: https://portinerie.example.org/mediazione",
                    },
                    &format!("{base}/needs/1"),
                ),
            ),
            (
                "new_message_in_a_project",
                new_message(
                    lang,
                    "Anna",
                    &MessageText {
                        organization: "Portinerie di Comunità",
                        author: "Carla Neri",
                        author_organization: "Municipio 6",
                        about: About::Project {
                            title: "Patto per il cortile di via Segneri",
                        },
                        body: "Vi mando la bozza del patto.",
                    },
                    &format!("{base}/projects/1"),
                ),
            ),
            (
                "partnership_proposal_for_their_offer",
                partnership_proposal(
                    lang,
                    "Carla",
                    &ProposalText {
                        asked: Asked::ForTheirOffer,
                        ..proposal
                    },
                    &format!("{base}/offers/1"),
                ),
            ),
        ]
    }

    /// The whole e-mail as one text: subject, plain text, HTML.
    pub(crate) fn shown(email: &RenderedEmail) -> String {
        format!(
            "Subject: {}\n\n--- text ---\n{}\n--- html ---\n{}",
            email.subject, email.text, email.html
        )
    }

    /// Ids, tokens and dates hidden, so a snapshot shows the template only.
    pub(crate) fn redactions() -> Vec<(&'static str, &'static str)> {
        vec![
            (
                r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}",
                "[id]",
            ),
            (r"token=[A-Za-z0-9_%-]+", "token=[token]"),
            (r"\b\d{4}-\d{2}-\d{2}\b", "[date]"),
            (r"\b\d{2}/\d{2}/\d{4}\b", "[date]"),
        ]
    }

    #[test]
    fn snapshots_of_every_account_email() {
        for lang in [Lang::It, Lang::En] {
            for (name, email) in every_email(lang) {
                insta::with_settings!({ filters => redactions() }, {
                    insta::assert_snapshot!(format!("{name}_{}", lang.as_str()), shown(&email));
                });
            }
        }
    }
}
