//! The account e-mails (address confirmation, password reset, invitation,
//! partnership proposal, requests to join or manage an organisation and their
//! outcome) in Italian and English, each as a subject, an HTML part and a
//! plain-text part written from the same content so the two never say
//! different things.
//!
//! The HTML is made for mail clients, not browsers: one centred column built
//! from presentation tables with inline styles (Outlook and Gmail drop
//! `<style>` blocks), a `lang` attribute for screen readers, no images (many
//! clients block them and text in images cannot be read aloud), a real
//! heading, a button-like link that works without CSS plus the raw link as
//! text, and colours with a contrast of at least 4.5:1. Every value that
//! comes from a person (names, links) goes through [`escape_html`].

use std::fmt::Write as _;

use crate::domain::Lang;

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
    let content = match lang {
        Lang::It => Content {
            subject: "Conferma il tuo indirizzo e-mail per Trama".to_owned(),
            heading: "Conferma il tuo indirizzo e-mail".to_owned(),
            greeting: greeting(lang, display_name),
            before: vec![
                "Per completare la registrazione su Trama, conferma che questo indirizzo \
                 e-mail è tuo."
                    .to_owned(),
            ],
            action: "Conferma l'indirizzo e-mail",
            after: vec![],
            why: "Ricevi questa e-mail perché questo indirizzo è stato usato per creare un \
                  account su Trama. Se non hai creato tu l'account, puoi ignorarla."
                .to_owned(),
        },
        Lang::En => Content {
            subject: "Confirm your e-mail address for Trama".to_owned(),
            heading: "Confirm your e-mail address".to_owned(),
            greeting: greeting(lang, display_name),
            before: vec![
                "To finish signing up to Trama, please confirm that this e-mail address is \
                 yours."
                    .to_owned(),
            ],
            action: "Confirm e-mail address",
            after: vec![],
            why: "You are receiving this e-mail because this address was used to create an \
                  account on Trama. If you did not create it, you can ignore this e-mail."
                .to_owned(),
        },
    };
    content.render(lang, link)
}

/// Sends the link that lets a user choose a new password; the link works for
/// `valid_for_minutes` and once.
pub fn reset_password(
    lang: Lang,
    display_name: &str,
    link: &str,
    valid_for_minutes: u32,
) -> RenderedEmail {
    let validity = duration(lang, valid_for_minutes);
    let content = match lang {
        Lang::It => Content {
            subject: "Reimposta la password di Trama".to_owned(),
            heading: "Reimposta la password".to_owned(),
            greeting: greeting(lang, display_name),
            before: vec![
                "Abbiamo ricevuto una richiesta di reimpostare la password del tuo account \
                 Trama. Per sceglierne una nuova, usa il pulsante qui sotto."
                    .to_owned(),
            ],
            action: "Scegli una nuova password",
            after: vec![format!(
                "Il link vale {validity} e si può usare una sola volta."
            )],
            why: "Ricevi questa e-mail perché è stato chiesto di reimpostare la password \
                  dell'account Trama legato a questo indirizzo. Se non l'hai chiesto tu, \
                  ignora questa e-mail: la tua password non cambia."
                .to_owned(),
        },
        Lang::En => Content {
            subject: "Reset your Trama password".to_owned(),
            heading: "Reset your password".to_owned(),
            greeting: greeting(lang, display_name),
            before: vec![
                "We received a request to reset the password of your Trama account. To \
                 choose a new one, use the button below."
                    .to_owned(),
            ],
            action: "Choose a new password",
            after: vec![format!(
                "The link is valid for {validity} and can be used once."
            )],
            why: "You are receiving this e-mail because someone asked to reset the password \
                  of the Trama account linked to this address. If it was not you, ignore \
                  this e-mail: your password stays the same."
                .to_owned(),
        },
    };
    content.render(lang, link)
}

/// Invites someone, on behalf of `inviter_name`, to join `organization_name`.
pub fn invitation(
    lang: Lang,
    organization_name: &str,
    inviter_name: &str,
    link: &str,
) -> RenderedEmail {
    let org = or_else(
        organization_name,
        match lang {
            Lang::It => "un'organizzazione",
            Lang::En => "an organisation",
        },
    );
    let inviter = or_else(
        inviter_name,
        match lang {
            Lang::It => "Una persona",
            Lang::En => "Someone",
        },
    );
    let content = match lang {
        Lang::It => Content {
            subject: format!("{inviter} ti invita a far parte di {org} su Trama"),
            heading: format!("Un invito a far parte di {org}"),
            greeting: "Ciao,".to_owned(),
            before: vec![
                format!(
                    "{inviter} ti invita a far parte di {org} su Trama, la piattaforma che fa \
                     incontrare enti pubblici e organizzazioni dell'economia sociale."
                ),
                format!("Accettando, potrai lavorare su Trama a nome di {org}."),
            ],
            action: "Accetta l'invito",
            after: vec![
                "L'invito vale per l'account Trama di questo indirizzo e-mail: se non ne hai \
                 ancora uno, crealo con questo indirizzo dopo aver aperto il link."
                    .to_owned(),
            ],
            why: format!(
                "Ricevi questa e-mail perché {inviter} ha invitato questo indirizzo a far \
                 parte di {org} su Trama. Se non ti aspettavi l'invito, ignora questa \
                 e-mail: senza la tua risposta non succede nulla."
            ),
        },
        Lang::En => Content {
            subject: format!("{inviter} invited you to join {org} on Trama"),
            heading: format!("An invitation to join {org}"),
            greeting: "Hello,".to_owned(),
            before: vec![
                format!(
                    "{inviter} invited you to join {org} on Trama, the platform that brings \
                     public bodies and social economy organisations together."
                ),
                format!("Once you accept, you can work on Trama on behalf of {org}."),
            ],
            action: "Accept the invitation",
            after: vec![
                "The invitation is for the Trama account of this e-mail address: if you do \
                 not have one yet, create it with this address after opening the link."
                    .to_owned(),
            ],
            why: format!(
                "You are receiving this e-mail because {inviter} invited this address to \
                 join {org} on Trama. If you did not expect it, ignore this e-mail: nothing \
                 happens without your answer."
            ),
        },
    };
    content.render(lang, link)
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
    let org = or_else(organization_name, "?");
    let who = person(lang, requester_name, requester_email);
    let validity = duration(lang, valid_for_days.saturating_mul(1440));
    let content = match lang {
        Lang::It => Content {
            subject: format!("Richiesta di gestire {org} su Trama"),
            heading: format!("Chi gestisce {org} su Trama?"),
            greeting: "Buongiorno,".to_owned(),
            before: vec![
                format!(
                    "{who} chiede di gestire la scheda di {org} su Trama, la piattaforma che fa \
                     incontrare enti pubblici e organizzazioni dell'economia sociale. Chi la \
                     gestisce può aggiornarne i dati, pubblicare offerte e bisogni e invitare \
                     altre persone."
                ),
                "Vi scriviamo perché questo è un indirizzo registrato \
                 dell'organizzazione. Se questa persona ne fa parte, confermatelo dalla pagina \
                 che si apre con il pulsante; se non la conoscete, ditelo dalla stessa pagina."
                    .to_owned(),
            ],
            action: "Rispondi alla richiesta",
            after: vec![format!(
                "Il link vale {validity} e si può usare una sola volta."
            )],
            why: format!(
                "Ricevi questa e-mail perché questo indirizzo è registrato come recapito di \
                 {org}. Se ignori questa e-mail non succede nulla: la richiesta resta in \
                 attesa e può deciderla solo un moderatore di Trama."
            ),
        },
        Lang::En => Content {
            subject: format!("Request to manage {org} on Trama"),
            heading: format!("Who manages {org} on Trama?"),
            greeting: "Hello,".to_owned(),
            before: vec![
                format!(
                    "{who} asks to manage the page of {org} on Trama, the platform that \
                     brings public bodies and social economy organisations together. Whoever \
                     manages it can update its details, publish offers and needs and invite \
                     other people."
                ),
                "We are writing to you because this is a registered address of the \
                 organisation. If this person belongs to it, confirm it on the page the \
                 button opens; if you do not know them, say so on the same page."
                    .to_owned(),
            ],
            action: "Answer the request",
            after: vec![format!(
                "The link is valid for {validity} and can be used once."
            )],
            why: format!(
                "You are receiving this e-mail because this address is registered as a \
                 contact of {org}. If you ignore it nothing happens: the request waits, and \
                 only a Trama moderator can decide it."
            ),
        },
    };
    content.render(lang, link)
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
    let org = or_else(organization_name, "?");
    let who = person(lang, requester_name, requester_email);
    let said = message.map(clean).filter(|m| !m.is_empty());
    let content = match lang {
        Lang::It => Content {
            subject: format!("Una richiesta di entrare in {org}"),
            heading: format!("Una richiesta di entrare in {org}"),
            greeting: greeting(lang, admin_name),
            before: std::iter::once(format!(
                "{who} chiede di entrare a far parte di {org} su Trama. Come amministratore \
                 puoi accogliere la richiesta (diventerà membro) o respingerla."
            ))
            .chain(said.iter().map(|m| format!("Il suo messaggio: «{m}»")))
            .collect(),
            action: "Vedi le richieste",
            after: vec![],
            why: format!(
                "Ricevi questa e-mail perché sei amministratore di {org} su Trama. Se non \
                 conosci questa persona, respingi la richiesta: senza una decisione non \
                 entra."
            ),
        },
        Lang::En => Content {
            subject: format!("A request to join {org}"),
            heading: format!("A request to join {org}"),
            greeting: greeting(lang, admin_name),
            before: std::iter::once(format!(
                "{who} asks to join {org} on Trama. As an admin you can approve the request \
                 (they become a member) or decline it."
            ))
            .chain(said.iter().map(|m| format!("Their message: “{m}”")))
            .collect(),
            action: "See the requests",
            after: vec![],
            why: format!(
                "You are receiving this e-mail because you are an admin of {org} on Trama. \
                 If you do not know this person, decline the request: without a decision \
                 they do not join."
            ),
        },
    };
    content.render(lang, link)
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
    let org = or_else(organization_name, "?");
    let reason = reason.map(clean).filter(|r| !r.is_empty());
    let content = match (lang, approved) {
        (Lang::It, true) => Content {
            subject: format!("Ora fai parte di {org} su Trama"),
            heading: format!("Benvenuto in {org}"),
            greeting: greeting(lang, requester_name),
            before: vec![if as_admin {
                format!(
                    "La tua richiesta è stata accolta: ora sei amministratore di {org} su \
                     Trama. Puoi aggiornarne i dati, pubblicare offerte e bisogni e invitare \
                     altre persone."
                )
            } else {
                format!(
                    "La tua richiesta è stata accolta: ora fai parte di {org} su Trama e puoi \
                     pubblicare offerte e bisogni a suo nome."
                )
            }],
            action: "Apri l'organizzazione",
            after: vec![],
            why: format!("Ricevi questa e-mail perché hai chiesto di entrare in {org} su Trama."),
        },
        (Lang::It, false) => Content {
            subject: format!("La tua richiesta per {org} non è stata accolta"),
            heading: "La tua richiesta non è stata accolta".to_owned(),
            greeting: greeting(lang, requester_name),
            before: std::iter::once(format!(
                "La tua richiesta di entrare in {org} su Trama non è stata accolta."
            ))
            .chain(reason.iter().map(|r| format!("Il motivo indicato: «{r}»")))
            .chain(std::iter::once(
                "Se pensi che sia un errore, contatta l'organizzazione direttamente.".to_owned(),
            ))
            .collect(),
            action: "Apri l'organizzazione",
            after: vec![],
            why: format!("Ricevi questa e-mail perché hai chiesto di entrare in {org} su Trama."),
        },
        (Lang::En, true) => Content {
            subject: format!("You are now part of {org} on Trama"),
            heading: format!("Welcome to {org}"),
            greeting: greeting(lang, requester_name),
            before: vec![if as_admin {
                format!(
                    "Your request was approved: you are now an admin of {org} on Trama. You \
                     can update its details, publish offers and needs and invite other people."
                )
            } else {
                format!(
                    "Your request was approved: you are now part of {org} on Trama and can \
                     publish offers and needs on its behalf."
                )
            }],
            action: "Open the organisation",
            after: vec![],
            why: format!("You are receiving this e-mail because you asked to join {org} on Trama."),
        },
        (Lang::En, false) => Content {
            subject: format!("Your request for {org} was not approved"),
            heading: "Your request was not approved".to_owned(),
            greeting: greeting(lang, requester_name),
            before: std::iter::once(format!(
                "Your request to join {org} on Trama was not approved."
            ))
            .chain(reason.iter().map(|r| format!("The reason given: “{r}”")))
            .chain(std::iter::once(
                "If you think this is a mistake, contact the organisation directly.".to_owned(),
            ))
            .collect(),
            action: "Open the organisation",
            after: vec![],
            why: format!("You are receiving this e-mail because you asked to join {org} on Trama."),
        },
    };
    content.render(lang, link)
}

/// "Maria Rossi (maria@example.org)", or the address alone without a name.
fn person(lang: Lang, name: &str, email: &str) -> String {
    let name = clean(name);
    let email = clean(email);
    match (name.is_empty(), email.is_empty()) {
        (false, false) => format!("{name} ({email})"),
        (false, true) => name,
        (true, false) => email,
        (true, true) => match lang {
            Lang::It => "Una persona".to_owned(),
            Lang::En => "Someone".to_owned(),
        },
    }
}

/// Escapes the five characters that matter in HTML text and in quoted
/// attribute values.
pub fn escape_html(raw: &str) -> String {
    let mut escaped = String::with_capacity(raw.len());
    for c in raw.chars() {
        match c {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&#39;"),
            _ => escaped.push(c),
        }
    }
    escaped
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
    let proposer = or_else(
        proposal.proposer,
        match lang {
            Lang::It => "Un'organizzazione",
            Lang::En => "An organisation",
        },
    );
    let organization_name = or_else(
        proposal.organization,
        match lang {
            Lang::It => "la vostra organizzazione",
            Lang::En => "your organisation",
        },
    );
    let need_title = clean(proposal.need_title);
    let offer_title = clean(proposal.offer_title);
    let asked = proposal.asked;
    let content = match lang {
        Lang::It => Content {
            subject: format!("{proposer} propone un partenariato su Trama"),
            heading: "Una proposta di partenariato".to_owned(),
            greeting: greeting(lang, display_name),
            before: vec![
                match asked {
                    Asked::ForTheirNeed => format!(
                        "{proposer} propone un partenariato con {organization_name} per il \
                         vostro bisogno «{need_title}», con la sua offerta «{offer_title}»."
                    ),
                    Asked::ForTheirOffer => format!(
                        "{proposer} propone un partenariato con {organization_name} per il suo \
                         bisogno «{need_title}», con la vostra offerta «{offer_title}»."
                    ),
                },
                "Il progetto di co-progettazione si apre solo se accettate anche voi: \
                 scegliete «Partenariato» sull'abbinamento. Se non vi interessa, scartatelo."
                    .to_owned(),
            ],
            action: "Vedi la proposta",
            after: vec![],
            why: format!(
                "Ricevi questa e-mail perché fai parte di {organization_name} su Trama e \
                 un'altra organizzazione vi ha proposto un partenariato. Senza la vostra \
                 risposta non si apre nessun progetto."
            ),
        },
        Lang::En => Content {
            subject: format!("{proposer} proposes a partnership on Trama"),
            heading: "A partnership proposal".to_owned(),
            greeting: greeting(lang, display_name),
            before: vec![
                match asked {
                    Asked::ForTheirNeed => format!(
                        "{proposer} proposes a partnership with {organization_name} for your \
                         need “{need_title}”, with its offer “{offer_title}”."
                    ),
                    Asked::ForTheirOffer => format!(
                        "{proposer} proposes a partnership with {organization_name} for its \
                         need “{need_title}”, with your offer “{offer_title}”."
                    ),
                },
                "The co-design project opens only if you agree too: choose “Partnership” on \
                 the match. If you are not interested, dismiss it."
                    .to_owned(),
            ],
            action: "See the proposal",
            after: vec![],
            why: format!(
                "You are receiving this e-mail because you belong to {organization_name} on \
                 Trama and another organisation proposed a partnership to it. No project \
                 opens without your answer."
            ),
        },
    };
    content.render(lang, link)
}

/// What an account e-mail says, in plain text; rendered once as HTML and
/// once as text.
struct Content {
    subject: String,
    heading: String,
    greeting: String,
    /// Paragraphs before the button.
    before: Vec<String>,
    /// The button's label.
    action: &'static str,
    /// Paragraphs after the button.
    after: Vec<String>,
    /// The footer: why the person got this e-mail and what to do if it was
    /// not meant for them.
    why: String,
}

// Colours: text #1f2937 (14.7:1 on white), footer #4b5563 (7.6:1), links
// and the button #1d4ed8 (6.7:1 with white text).
const FONT: &str = "font-family:Arial,Helvetica,sans-serif;";
const LINK_COLOUR: &str = "#1d4ed8";
const P_STYLE: &str = "margin:0 0 16px 0;";

impl Content {
    fn render(self, lang: Lang, link: &str) -> RenderedEmail {
        let link_html = escape_html(link);
        let mut body = String::new();
        for paragraph in std::iter::once(&self.greeting).chain(&self.before) {
            paragraph_html(&mut body, paragraph);
        }
        // A table cell with bgcolor keeps the button coloured in Outlook,
        // which ignores padding and background on links.
        let _ = writeln!(
            body,
            r#"<table role="presentation" cellpadding="0" cellspacing="0" border="0" style="margin:8px 0 24px 0;"><tr><td align="center" bgcolor="{LINK_COLOUR}" style="border-radius:6px;background-color:{LINK_COLOUR};"><a href="{link_html}" style="display:inline-block;padding:14px 28px;{FONT}font-size:16px;font-weight:bold;line-height:1.2;color:#ffffff;text-decoration:none;border-radius:6px;">{action}</a></td></tr></table>"#,
            action = escape_html(self.action),
        );
        let _ = writeln!(
            body,
            r#"<p style="{P_STYLE}font-size:14px;">{fallback}<br><a href="{link_html}" style="color:{LINK_COLOUR};text-decoration:underline;word-break:break-all;">{link_html}</a></p>"#,
            fallback = escape_html(link_fallback(lang)),
        );
        for paragraph in &self.after {
            paragraph_html(&mut body, paragraph);
        }

        let mut text = format!("{}\n\n", self.heading);
        for paragraph in std::iter::once(&self.greeting).chain(&self.before) {
            let _ = write!(text, "{paragraph}\n\n");
        }
        let _ = write!(text, "{}:\n{link}\n\n", self.action);
        for paragraph in &self.after {
            let _ = write!(text, "{paragraph}\n\n");
        }
        // "-- " (with the space) is the signature separator clients recognise.
        let _ = write!(text, "-- \n{}\n{}\n", self.why, sent_by(lang));

        RenderedEmail {
            lang,
            html: layout(lang, &self.heading, &body, &self.why),
            subject: self.subject,
            text,
        }
    }
}

/// The page every e-mail shares: a centred 600-pixel column with the name of
/// the platform, the heading (`title`, plain text), `body_html` and a footer
/// saying why the person got it (`why`, plain text).
pub(crate) fn layout(lang: Lang, title: &str, body_html: &str, why: &str) -> String {
    let lang_code = lang.as_str();
    let title = escape_html(title);
    let why = escape_html(why);
    let sent_by = escape_html(sent_by(lang));
    format!(
        r#"<!DOCTYPE html>
<html lang="{lang_code}" dir="ltr">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light">
<meta name="supported-color-schemes" content="light">
<title>{title}</title>
</head>
<body style="margin:0;padding:0;background-color:#f3f4f6;">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="background-color:#f3f4f6;">
<tr><td align="center" style="padding:24px 12px;">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="max-width:600px;background-color:#ffffff;border:1px solid #d1d5db;border-radius:8px;">
<tr><td style="padding:24px 32px 0 32px;{FONT}font-size:16px;font-weight:bold;color:#1f2937;">Trama</td></tr>
<tr><td style="padding:16px 32px 8px 32px;{FONT}font-size:16px;line-height:1.5;color:#1f2937;">
<h1 style="margin:0 0 16px 0;{FONT}font-size:24px;line-height:1.3;font-weight:bold;color:#111827;">{title}</h1>
{body_html}</td></tr>
<tr><td style="padding:16px 32px 24px 32px;border-top:1px solid #e5e7eb;{FONT}font-size:14px;line-height:1.5;color:#4b5563;">
<p style="margin:0 0 8px 0;">{why}</p>
<p style="margin:0;">{sent_by}</p>
</td></tr>
</table>
</td></tr>
</table>
</body>
</html>
"#
    )
}

fn paragraph_html(out: &mut String, text: &str) {
    let _ = writeln!(out, r#"<p style="{P_STYLE}">{}</p>"#, escape_html(text));
}

fn link_fallback(lang: Lang) -> &'static str {
    match lang {
        Lang::It => "Se il pulsante non funziona, copia questo indirizzo e incollalo nel browser:",
        Lang::En => "If the button does not work, copy this address into your browser:",
    }
}

fn sent_by(lang: Lang) -> &'static str {
    match lang {
        Lang::It => "Questa e-mail è stata inviata automaticamente da Trama.",
        Lang::En => "This e-mail was sent automatically by Trama.",
    }
}

fn greeting(lang: Lang, display_name: &str) -> String {
    let name = clean(display_name);
    match (lang, name.is_empty()) {
        (Lang::It, true) => "Ciao,".to_owned(),
        (Lang::It, false) => format!("Ciao {name},"),
        (Lang::En, true) => "Hello,".to_owned(),
        (Lang::En, false) => format!("Hello {name},"),
    }
}

/// `raw` on one line and trimmed, or `fallback` when nothing is left.
fn or_else(raw: &str, fallback: &str) -> String {
    let cleaned = clean(raw);
    if cleaned.is_empty() {
        fallback.to_owned()
    } else {
        cleaned
    }
}

/// Names come from people: line breaks and other control characters become
/// spaces so they cannot break a subject line or the text layout.
fn clean(raw: &str) -> String {
    raw.split(char::is_control)
        .flat_map(str::split_whitespace)
        .collect::<Vec<_>>()
        .join(" ")
}

/// "90 minuti", "2 ore", "1 day": the largest whole unit.
fn duration(lang: Lang, minutes: u32) -> String {
    let (n, unit) = if minutes > 0 && minutes.is_multiple_of(1440) {
        (minutes / 1440, 2)
    } else if minutes > 0 && minutes.is_multiple_of(60) {
        (minutes / 60, 1)
    } else {
        (minutes, 0)
    };
    let word = match (lang, unit, n == 1) {
        (Lang::It, 0, true) => "minuto",
        (Lang::It, 0, false) => "minuti",
        (Lang::It, 1, true) => "ora",
        (Lang::It, 1, false) => "ore",
        (Lang::It, _, true) => "giorno",
        (Lang::It, _, false) => "giorni",
        (Lang::En, 0, true) => "minute",
        (Lang::En, 0, false) => "minutes",
        (Lang::En, 1, true) => "hour",
        (Lang::En, 1, false) => "hours",
        (Lang::En, _, true) => "day",
        (Lang::En, _, false) => "days",
    };
    format!("{n} {word}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_the_five_special_characters() {
        assert_eq!(
            escape_html(r#"<a href="x">Tom & Jerry's</a>"#),
            "&lt;a href=&quot;x&quot;&gt;Tom &amp; Jerry&#39;s&lt;/a&gt;"
        );
        assert_eq!(escape_html("Società cooperativa"), "Società cooperativa");
    }

    #[test]
    fn durations_use_the_largest_whole_unit() {
        assert_eq!(duration(Lang::It, 1), "1 minuto");
        assert_eq!(duration(Lang::It, 90), "90 minuti");
        assert_eq!(duration(Lang::It, 60), "1 ora");
        assert_eq!(duration(Lang::It, 120), "2 ore");
        assert_eq!(duration(Lang::It, 2880), "2 giorni");
        assert_eq!(duration(Lang::En, 30), "30 minutes");
        assert_eq!(duration(Lang::En, 60), "1 hour");
        assert_eq!(duration(Lang::En, 1440), "1 day");
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
        assert_eq!(greeting(Lang::It, "  Maria\r\nRossi "), "Ciao Maria Rossi,");
        assert_eq!(greeting(Lang::En, " \n "), "Hello,");
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
}
