//! The mailer against a real SMTP server (the one in `smtp_server.rs`): what
//! arrives, how refusals are classified, the pool; the `.eml` files written
//! without SMTP; and the account templates. Not database tests, except the
//! one that checks `AppState` builds its mailer from the settings.

use std::time::Duration;

use mail_parser::MimeHeaders;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt};
use trama::config::{Secret, Settings};
use trama::domain::{Email, Lang};
use trama::mail::templates::{self, RenderedEmail};
use trama::mail::{ExtraHeader, MailConfigError, MailError, Mailer, OutgoingEmail, SmtpUrl};

use crate::helpers::{Backend, PATIENT, TestEnv};
use crate::smtp_server::{Failure, Received, SmtpServer, Stage};

const FROM: &str = "Trama Milano <noreply@trama.example.it>";
// Generous: the machine running the suite may be busy.
const WAIT: Duration = Duration::from_secs(30);

pub fn mailer_for(server: &SmtpServer) -> Mailer {
    let url = SmtpUrl::parse(&server.url()).expect("the test server's URL parses");
    Mailer::smtp(&url, FROM).expect("SMTP mailer")
}

fn email_to(address: &str) -> Email {
    Email::parse(address).expect("valid address")
}

/// A short message with accents everywhere they can go.
pub fn simple_email(subject: &str) -> OutgoingEmail {
    OutgoingEmail::new(
        email_to("anna.bianchi@aps-quartiere.example.it"),
        RenderedEmail {
            lang: Lang::It,
            subject: subject.to_owned(),
            html: "<p>Ciao, è tutto a posto.</p>".to_owned(),
            text: "Ciao, è tutto a posto.".to_owned(),
        },
    )
}

pub fn header(message: &mail_parser::Message<'_>, name: &str) -> String {
    message
        .header_raw(name)
        .unwrap_or_else(|| panic!("no {name} header"))
        .trim()
        .to_owned()
}

/// The parts of a multipart/alternative message, in order, as
/// (content type, decoded text).
fn alternative_parts(message: &mail_parser::Message<'_>) -> Vec<(String, String)> {
    let root = message.root_part();
    let content_type = root.content_type().expect("Content-Type");
    assert_eq!(content_type.ctype(), "multipart");
    assert_eq!(content_type.subtype(), Some("alternative"));
    root.sub_parts()
        .expect("sub-parts")
        .iter()
        .map(|&id| {
            let part = message.part(id).expect("part");
            let ct = part.content_type().expect("part Content-Type");
            assert_eq!(
                ct.attribute("charset")
                    .map(str::to_ascii_lowercase)
                    .as_deref(),
                Some("utf-8")
            );
            (
                format!("{}/{}", ct.ctype(), ct.subtype().unwrap_or_default()),
                part.text_contents().expect("text part").to_owned(),
            )
        })
        .collect()
}

#[tokio::test]
async fn a_message_arrives_with_both_parts_and_its_headers() {
    let server = SmtpServer::start().await;
    let mailer = mailer_for(&server);
    let link = "https://trama.example.it/inviti/accetta?token=abc&lang=it";
    let rendered = templates::invitation(
        Lang::It,
        "Società Cooperativa \"La Città\" <script>",
        "Lucía Ferrè",
        link,
    );
    let subject = rendered.subject.clone();
    let (html, text) = (rendered.html.clone(), rendered.text.clone());
    let email = OutgoingEmail::new(email_to("Maria.Rossi@Comune.Example.it"), rendered)
        .to_name("Maria Rossi, Ufficio Casa")
        .one_click_unsubscribe("https://trama.example.it/disiscriviti/xyz")
        .expect("valid unsubscribe URL");

    let id = mailer.send(email).await.expect("sent");

    let received = server.wait_for(1, WAIT).await;
    assert_eq!(received.len(), 1);
    let message = &received[0];
    assert_eq!(message.mail_from, "noreply@trama.example.it");
    assert_eq!(message.rcpt_to, ["maria.rossi@comune.example.it"]);
    // Everything is encoded (quoted-printable, RFC 2047), so no relay needs
    // 8BITMIME to carry it intact.
    assert!(message.data.is_ascii(), "{}", message.data_str());

    let parsed = message.parsed();
    let from = parsed.from().and_then(|a| a.first()).expect("From");
    assert_eq!(from.name(), Some("Trama Milano"));
    assert_eq!(from.address(), Some("noreply@trama.example.it"));
    let to = parsed.to().and_then(|a| a.first()).expect("To");
    assert_eq!(to.name(), Some("Maria Rossi, Ufficio Casa"));
    assert_eq!(to.address(), Some("maria.rossi@comune.example.it"));
    assert_eq!(parsed.subject(), Some(subject.as_str()));
    assert_eq!(
        subject,
        "Lucía Ferrè ti invita a far parte di Società Cooperativa \"La Città\" <script> su Trama"
    );
    assert_eq!(
        parsed.message_id().map(|m| format!("<{m}>")),
        Some(id.to_string())
    );
    assert!(id.as_str().ends_with("@trama.example.it>"), "{id}");
    assert!(parsed.date().is_some(), "Date header");
    assert_eq!(header(&parsed, "MIME-Version"), "1.0");
    assert_eq!(header(&parsed, "Content-Language"), "it");
    assert_eq!(header(&parsed, "Auto-Submitted"), "auto-generated");
    assert_eq!(
        header(&parsed, "List-Unsubscribe"),
        "<https://trama.example.it/disiscriviti/xyz>"
    );
    assert_eq!(
        header(&parsed, "List-Unsubscribe-Post"),
        "List-Unsubscribe=One-Click"
    );

    let parts = alternative_parts(&parsed);
    let types: Vec<&str> = parts.iter().map(|(t, _)| t.as_str()).collect();
    assert_eq!(types, ["text/plain", "text/html"], "text first, then HTML");
    // Transfer encodings turn LF into CRLF; the content is otherwise intact.
    assert_eq!(parts[0].1.replace("\r\n", "\n"), text);
    assert_eq!(parts[1].1.replace("\r\n", "\n"), html);
    assert!(parts[0].1.contains(link));
    assert!(
        parts[1]
            .1
            .contains("Società Cooperativa &quot;La Città&quot; &lt;script&gt;")
    );
}

#[tokio::test]
async fn the_pool_reuses_its_connection() {
    let server = SmtpServer::start().await;
    let mailer = mailer_for(&server);
    for n in 0..3 {
        mailer
            .send(simple_email(&format!("Messaggio {n}")))
            .await
            .expect("sent");
        // lettre hands the connection back to the pool in a task of its own.
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let received = server.wait_for(3, WAIT).await;
    let subjects: Vec<String> = received
        .iter()
        .map(|m| m.parsed().subject().unwrap_or_default().to_owned())
        .collect();
    assert_eq!(subjects, ["Messaggio 0", "Messaggio 1", "Messaggio 2"]);
    assert_eq!(server.connections(), 1, "one connection for three messages");
}

#[tokio::test]
async fn concurrent_sends_all_arrive() {
    let server = SmtpServer::start().await;
    let url = SmtpUrl::parse(&format!("{}?pool_size=2", server.url())).expect("URL");
    let mailer = std::sync::Arc::new(Mailer::smtp(&url, FROM).expect("mailer"));
    let mut sends = tokio::task::JoinSet::new();
    for n in 0..8 {
        let mailer = std::sync::Arc::clone(&mailer);
        sends.spawn(async move { mailer.send(simple_email(&format!("Notizia {n}"))).await });
    }
    let mut ids = Vec::new();
    while let Some(result) = sends.join_next().await {
        ids.push(result.expect("task").expect("sent"));
    }
    ids.sort_by(|a, b| a.as_str().cmp(b.as_str()));
    ids.dedup();
    assert_eq!(ids.len(), 8, "every Message-ID is different");
    assert_eq!(server.wait_for(8, WAIT).await.len(), 8);
}

/// Makes the server refuse the next send with `failure` (a temporary or a
/// permanent refusal) and checks the outcome: nothing recorded, and an
/// error of the same kind with the server's reply code (451 for a
/// temporary refusal, 550 for a permanent one); returns the error.
async fn expect_refusal(mailer: &Mailer, server: &SmtpServer, failure: Failure) -> MailError {
    server.fail_next(1, failure);
    let before = server.messages().len();
    let error = mailer
        .send(simple_email("Da rifiutare"))
        .await
        .expect_err("the server refuses this one");
    assert_eq!(server.messages().len(), before, "nothing recorded");
    let expected = match (failure, &error) {
        (Failure::Temporary(_), MailError::Temporary { code, .. }) => *code == Some(451),
        (Failure::Permanent(_), MailError::Permanent { code, .. }) => *code == Some(550),
        _ => false,
    };
    assert!(expected, "{failure:?}: {error:?}");
    error
}

#[tokio::test]
async fn a_451_is_temporary_and_the_next_send_succeeds() {
    let server = SmtpServer::start().await;
    let mailer = mailer_for(&server);
    for stage in [Stage::MailFrom, Stage::EndOfData] {
        let error = expect_refusal(&mailer, &server, Failure::Temporary(stage)).await;
        assert!(error.is_retryable());
        assert!(error.to_string().contains("451"), "{error}");

        mailer
            .send(simple_email("Di nuovo"))
            .await
            .expect("the next send succeeds");
    }
    assert_eq!(server.wait_for(2, WAIT).await.len(), 2);
    assert_eq!(server.transactions(), 4);
}

#[tokio::test]
async fn a_550_is_permanent() {
    let server = SmtpServer::start().await;
    let mailer = mailer_for(&server);
    for stage in [Stage::MailFrom, Stage::EndOfData] {
        let error = expect_refusal(&mailer, &server, Failure::Permanent(stage)).await;
        assert!(!error.is_retryable());
        assert_eq!(error.code(), Some(550));
    }
    // The refusal was about that message: the server still takes others.
    mailer.send(simple_email("Altro")).await.expect("sent");
    assert_eq!(server.wait_for(1, WAIT).await.len(), 1);
}

#[tokio::test]
async fn fail_next_counts_transactions() {
    let server = SmtpServer::start().await;
    let mailer = mailer_for(&server);
    server.fail_next(2, Failure::Temporary(Stage::MailFrom));
    for _ in 0..2 {
        let error = mailer.send(simple_email("x")).await.expect_err("refused");
        assert!(error.is_retryable(), "{error:?}");
    }
    mailer
        .send(simple_email("y"))
        .await
        .expect("third is accepted");
}

#[tokio::test]
async fn a_server_that_is_down_is_a_temporary_failure() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("address").port();
    drop(listener);
    let url = SmtpUrl::parse(&format!("smtp://127.0.0.1:{port}")).expect("URL");
    let mailer = Mailer::smtp(&url, FROM).expect("mailer");
    let error = mailer
        .send(simple_email("Nessuno risponde"))
        .await
        .expect_err("connection refused");
    assert!(
        matches!(error, MailError::Temporary { code: None, .. }),
        "{error:?}"
    );
}

#[tokio::test]
async fn a_server_that_never_answers_times_out() {
    // Accepts connections and says nothing, like an overloaded or
    // tarpitting server.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let port = listener.local_addr().expect("address").port();
    let silent = tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((stream, _)) = listener.accept().await {
            held.push(stream);
        }
    });
    let url = SmtpUrl::parse(&format!("smtp://127.0.0.1:{port}?timeout_secs=1")).expect("URL");
    let mailer = Mailer::smtp(&url, FROM).expect("mailer");
    // Gives up by itself, after its 1 s timeout: the bound here only keeps
    // a hanging mailer from hanging the test.
    let error = tokio::time::timeout(PATIENT, mailer.send(simple_email("Silenzio")))
        .await
        .expect("the mailer gives up by itself")
        .expect_err("times out");
    assert!(
        matches!(&error, MailError::Temporary { code: None, reason } if reason.contains("within 1 s")),
        "{error:?}"
    );
    silent.abort();
}

#[tokio::test]
async fn after_a_timeout_the_stuck_connection_is_not_reused() {
    let server = SmtpServer::start().await;
    let url = SmtpUrl::parse(&format!("{}?timeout_secs=1", server.url())).expect("URL");
    let mailer = Mailer::smtp(&url, FROM).expect("mailer");
    mailer.send(simple_email("Primo")).await.expect("sent");
    tokio::time::sleep(Duration::from_millis(200)).await;

    // The pooled connection stalls after the data, past the timeout. Reused,
    // it would answer the next command with this late reply, or not at all.
    server.fail_next(1, Failure::Stall(Stage::EndOfData, Duration::from_secs(5)));
    let error = mailer
        .send(simple_email("Lento"))
        .await
        .expect_err("times out");
    assert!(error.is_retryable(), "{error:?}");
    // Time for lettre to hand the stuck connection back.
    tokio::time::sleep(Duration::from_millis(200)).await;

    mailer
        .send(simple_email("Terzo"))
        .await
        .expect("a fresh connection delivers it");
    // A second connection, not the stuck one (whose late reply would have
    // failed this send or delayed it past the timeout).
    assert_eq!(server.connections(), 2);
    let subjects: Vec<String> = server
        .messages()
        .iter()
        .map(|m| m.parsed().subject().unwrap_or_default().to_owned())
        .collect();
    assert_eq!(subjects, ["Primo", "Terzo"]);
}

#[tokio::test]
async fn without_an_smtp_url_mail_is_written_as_eml_files() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let settings = Settings::for_data_dir(dir.path());
    assert!(settings.smtp_url.is_none());
    let mailer = Mailer::from_settings(&settings).await.expect("mailer");
    let mail_dir = dir.path().join("mail");
    assert_eq!(mailer.mail_dir(), Some(mail_dir.as_path()));
    assert!(
        mailer.describe().contains(".eml files"),
        "{}",
        mailer.describe()
    );

    let rendered =
        templates::verify_email(Lang::En, "Giulia", "https://trama.example.it/verify?t=1");
    let id = mailer
        .send(OutgoingEmail::new(
            email_to("giulia@odv.example.it"),
            rendered,
        ))
        .await
        .expect("written");

    let files: Vec<_> = std::fs::read_dir(&mail_dir)
        .expect("mail directory")
        .map(|entry| entry.expect("entry").path())
        .collect();
    assert_eq!(files.len(), 1, "{files:?}");
    assert_eq!(files[0].extension().and_then(|e| e.to_str()), Some("eml"));
    let raw = std::fs::read(&files[0]).expect("read the .eml");
    let received = Received {
        mail_from: String::new(),
        rcpt_to: Vec::new(),
        data: raw,
    };
    let parsed = received.parsed();
    assert_eq!(
        parsed.subject(),
        Some("Confirm your e-mail address for Trama")
    );
    assert_eq!(
        parsed.message_id().map(|m| format!("<{m}>")),
        Some(id.to_string())
    );
    assert_eq!(header(&parsed, "Content-Language"), "en");
    let parts = alternative_parts(&parsed);
    assert!(parts[0].1.contains("https://trama.example.it/verify?t=1"));
    assert!(parts[1].1.contains(r#"lang="en""#));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_application_state_mails_through_the_configured_server() {
    let server = SmtpServer::start().await;
    let mut env = TestEnv::new(Backend::Sqlite).await;
    env.settings.smtp_url = Some(Secret::new(server.url()));
    env.settings.mail_from = "Comune di Prova <trama@comune.example.it>".to_owned();
    let state = env.state().await;
    assert!(state.mailer.mail_dir().is_none());

    state
        .mailer
        .send(simple_email("Dallo stato"))
        .await
        .expect("sent");
    let received = server.wait_for(1, WAIT).await;
    assert_eq!(received[0].mail_from, "trama@comune.example.it");
    state.mailer.shutdown().await;
}

#[tokio::test]
async fn bad_mail_settings_stop_the_start() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let mut settings = Settings::for_data_dir(dir.path());
    settings.smtp_url = Some(Secret::new("smtp://trama:s3cret@smtp.example.org"));
    let error = Mailer::from_settings(&settings)
        .await
        .expect_err("password in clear text");
    assert!(matches!(error, MailConfigError::SmtpUrl(_)), "{error:?}");
    assert!(!error.to_string().contains("s3cret"), "{error}");

    settings.smtp_url = None;
    settings.mail_from = "not an address".to_owned();
    let error = Mailer::from_settings(&settings)
        .await
        .expect_err("bad sender");
    assert!(
        matches!(error, MailConfigError::MailFrom { .. }),
        "{error:?}"
    );
}

#[test]
fn headers_the_mailer_owns_cannot_be_added() {
    for name in ["From", "To", "Subject", "Message-ID", "Content-Type"] {
        assert!(
            matches!(ExtraHeader::new(name, "x"), Err(MailError::Invalid(_))),
            "{name}"
        );
    }
}

// The test server itself, spoken to by hand.

#[tokio::test]
async fn the_test_smtp_server_keeps_order_and_unstuffs_dots() {
    let server = SmtpServer::start().await;
    let stream = tokio::net::TcpStream::connect(server.addr())
        .await
        .expect("connect");
    let (read, mut write) = stream.into_split();
    let mut reader = tokio::io::BufReader::new(read);
    let mut reply = String::new();
    let mut expect = async |command: &[u8], code: &str| {
        write.write_all(command).await.expect("write");
        loop {
            reply.clear();
            reader.read_line(&mut reply).await.expect("read");
            // Multi-line replies have a dash after the code.
            if reply.as_bytes().get(3) != Some(&b'-') {
                break;
            }
        }
        assert!(reply.starts_with(code), "{command:?}: {reply}");
    };
    expect(b"", "220").await;
    expect(b"MAIL FROM:<a@example.org>\r\n", "503").await;
    expect(b"HELO client.example.org\r\n", "250").await;
    expect(b"RCPT TO:<b@example.org>\r\n", "503").await;
    expect(b"mail from:<a@example.org> BODY=8BITMIME\r\n", "250").await;
    expect(b"DATA\r\n", "503").await;
    expect(b"RCPT TO:<b@example.org>\r\n", "250").await;
    expect(b"DATA\r\n", "354").await;
    expect(b"Subject: dots\r\n\r\n..leading dot\r\n.\r\n", "250").await;
    expect(b"NOOP\r\n", "250").await;
    expect(b"RSET\r\n", "250").await;
    expect(b"QUIT\r\n", "221").await;
    let messages = server.wait_for(1, Duration::from_secs(5)).await;
    assert_eq!(messages[0].mail_from, "a@example.org");
    assert_eq!(messages[0].rcpt_to, ["b@example.org"]);
    assert_eq!(
        messages[0].data_str(),
        "Subject: dots\r\n\r\n.leading dot\r\n"
    );
}

// Templates.

const LINK: &str = "https://trama.example.it/account/conferma?token=Zx9_-a&lang=it";
const LINK_IN_HTML: &str = "https://trama.example.it/account/conferma?token=Zx9_-a&amp;lang=it";
const HOSTILE: &str = "<script>alert('x')</script> & \"Co\"";

fn every_template() -> Vec<(&'static str, Lang, RenderedEmail)> {
    let mut all = Vec::new();
    for lang in [Lang::It, Lang::En] {
        all.push((
            "verify_email",
            lang,
            templates::verify_email(lang, HOSTILE, LINK),
        ));
        all.push((
            "reset_password",
            lang,
            templates::reset_password(lang, HOSTILE, LINK, 60),
        ));
        all.push((
            "invitation",
            lang,
            templates::invitation(lang, HOSTILE, HOSTILE, LINK),
        ));
    }
    all
}

#[test]
fn template_html_has_the_link_as_text_and_as_href() {
    for (name, lang, email) in every_template() {
        let html = &email.html;
        assert!(
            html.contains(&format!(r#"href="{LINK_IN_HTML}""#)),
            "{name} {lang:?}: no href"
        );
        assert!(
            html.contains(&format!(">{LINK_IN_HTML}</a>")),
            "{name} {lang:?}: the raw link is not shown as text"
        );
        // Two links with the same address: the button and the fallback.
        assert_eq!(html.matches("href=").count(), 2, "{name} {lang:?}");
        assert!(
            email.text.contains(&format!("\n{LINK}\n")),
            "{name} {lang:?}"
        );
    }
}

#[test]
fn template_html_escapes_names() {
    for (name, lang, email) in every_template() {
        assert!(!email.html.contains("<script"), "{name} {lang:?}");
        assert!(
            email
                .html
                .contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;Co&quot;"),
            "{name} {lang:?}"
        );
        // The plain text and the subject are not HTML: no entities there.
        assert!(!email.text.contains("&lt;"), "{name} {lang:?}");
        assert!(!email.subject.contains("&lt;"), "{name} {lang:?}");
    }
}

#[test]
fn template_html_is_accessible_and_self_contained() {
    for (name, lang, email) in every_template() {
        let html = &email.html;
        let code = lang.as_str();
        assert_eq!(email.lang, lang);
        assert!(
            html.contains(&format!(r#"<html lang="{code}" dir="ltr">"#)),
            "{name} {lang:?}"
        );
        assert!(html.contains(r#"<meta charset="utf-8">"#), "{name}");
        assert!(html.contains("<title>") && html.contains("<h1 "), "{name}");
        assert!(html.contains(r#"role="presentation""#), "{name}");
        assert!(!html.contains("<img"), "{name}: no images");
        assert!(!html.contains("url("), "{name}: no background images");
        assert!(!html.contains("<style"), "{name}: inline styles only");
        assert!(!html.contains("<script"), "{name}");
        // The footer says why the person got the e-mail.
        let why = match lang {
            Lang::It => "Ricevi questa e-mail perché",
            Lang::En => "You are receiving this e-mail because",
        };
        assert!(
            html.contains(why) && email.text.contains(why),
            "{name} {lang:?}"
        );
        assert!(!email.subject.is_empty() && !email.subject.contains('\n'));
    }
}

#[test]
fn templates_speak_the_requested_language() {
    let it = templates::reset_password(Lang::It, "Anna", LINK, 30);
    assert_eq!(it.subject, "Reimposta la password di Trama");
    assert!(it.text.contains("Il link vale 30 minuti"));
    let en = templates::reset_password(Lang::En, "Anna", LINK, 120);
    assert_eq!(en.subject, "Reset your Trama password");
    assert!(en.text.contains("The link is valid for 2 hours"));
    let it = templates::invitation(Lang::It, "APS Ponte", "Luca", LINK);
    assert_eq!(
        it.subject,
        "Luca ti invita a far parte di APS Ponte su Trama"
    );
    let en = templates::invitation(Lang::En, "APS Ponte", "Luca", LINK);
    assert_eq!(en.subject, "Luca invited you to join APS Ponte on Trama");
    let it = templates::verify_email(Lang::It, "Anna", LINK);
    assert!(it.text.contains("Ciao Anna,"));
}
