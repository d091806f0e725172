//! Digest delivery throughput: composes (renders) digests and delivers them
//! to an SMTP sink on loopback started here, first through the mailer's pool
//! of connections, then opening one connection per message (a fresh mailer
//! each, closed with QUIT), with the same number of sends in flight; prints
//! both rates in messages per second and their ratio.
//!
//! The sink speaks implicit TLS (`smtps://`, as a real submission server on
//! port 465) with a self-signed ECDSA P-256 certificate made at start, which
//! the mailer trusts through `tls_ca_file`: each new connection pays a real
//! TLS 1.3 handshake on both sides, as it would against a relay. What it
//! cannot reproduce is network latency: on loopback a round trip costs
//! microseconds, so the per-connection figure is the best case, and the
//! ratio is a lower bound of what a pool saves against a distant relay.
//!
//! Run: `cargo bench --bench digests` (release). Environment:
//! - `DIGEST_BENCH_MESSAGES`: digests sent through the pool (default
//!   100000);
//! - `DIGEST_BENCH_PER_CONNECTION`: digests sent one connection each
//!   (default 2000: the slow path is a sample; its rate is extrapolated);
//! - `DIGEST_BENCH_POOL`: pooled connections, and sends in flight in both
//!   runs (default 8);
//! - `DIGEST_BENCH_TLS=0`: a plain-text sink instead (connections then cost
//!   almost nothing, and so does the comparison).
//!
//! The sink sets `TCP_NODELAY` on the sockets it accepts, as the mailer's own
//! sockets have it (see `vendor/README.md`): its TLS session tickets and its
//! greeting are separate writes, and without it the greeting waited for the
//! client's delayed ACK, about 40 ms on every new connection. It measures
//! each connection from accept to the client's EHLO (TLS handshake and
//! greeting included) and prints how many took over
//! [`STALL`]: a stall there would make connections look dearer than they
//! are, and the pool look better.
//!
//! Targets (issue 17): pooled at least 2,000 msg/s over TLS, and pooled
//! faster than one connection per message; the bench prints a verdict for
//! each.

/// The server's allocator (see `src/main.rs`): the bench measures what it runs.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[path = "shared/util.rs"]
mod util;

use std::io::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use chrono::Utc;
use futures_util::StreamExt;
use tokio::io::{AsyncBufRead, AsyncBufReadExt, AsyncRead, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls::ServerConfig;
use tokio_rustls::rustls::crypto::ring;
use tokio_rustls::rustls::pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer};
use trama::domain::{Email, Lang};
use trama::mail::digest::{
    Activity, Digest, DigestItem, DigestSection, FoundItem, PostingKind, ProjectEvent,
    ProjectSection, SearchSection, Side, UnreadMessages, render,
};
use trama::mail::{Mailer, OutgoingEmail, SmtpUrl};
use uuid::Uuid;

use crate::util::env_usize;

const FROM: &str = "Trama <noreply@trama.example.it>";
/// Pooled rate to reach over TLS (issue 17).
const TARGET_POOLED_RATE: f64 = 2_000.0;
/// A connection set-up (accept to EHLO) slower than this on loopback is a
/// stall, not work: a TLS 1.3 handshake here takes about a millisecond, a
/// delayed ACK 40.
const STALL: Duration = Duration::from_millis(20);

/// What the sink counts.
#[derive(Default)]
struct Counts {
    connections: AtomicU64,
    handshakes: AtomicU64,
    messages: AtomicU64,
    /// Each connection's time from accept to the client's first EHLO.
    setups: Mutex<Vec<Duration>>,
}

impl Counts {
    fn setups(&self) -> Vec<Duration> {
        let mut setups = self
            .setups
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        setups.sort_unstable();
        setups
    }
}

/// A sink on loopback; `url` is the base to add parameters to, the CA file
/// lives as long as the sink.
struct Sink {
    url: String,
    counts: Arc<Counts>,
    _ca: Option<tempfile::NamedTempFile>,
}

/// The TLS set-up: a self-signed certificate for 127.0.0.1, its PEM in a
/// file for `tls_ca_file`, and the acceptor.
fn tls() -> (TlsAcceptor, tempfile::NamedTempFile) {
    let certified =
        rcgen::generate_simple_self_signed(vec!["127.0.0.1".to_owned(), "localhost".to_owned()])
            .expect("self-signed certificate");
    let mut ca = tempfile::NamedTempFile::new().expect("CA file");
    ca.write_all(certified.cert.pem().as_bytes())
        .expect("write the CA file");
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(
        certified.signing_key.serialize_der(),
    ));
    let config = ServerConfig::builder_with_provider(Arc::new(ring::default_provider()))
        .with_safe_default_protocol_versions()
        .expect("TLS versions")
        .with_no_client_auth()
        .with_single_cert(vec![certified.cert.der().clone()], key)
        .expect("server certificate");
    (TlsAcceptor::from(Arc::new(config)), ca)
}

async fn start_sink(with_tls: bool) -> Sink {
    let listener = TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind the sink");
    let addr = listener.local_addr().expect("sink address");
    let counts = Arc::new(Counts::default());
    let (acceptor, ca) = if with_tls {
        let (acceptor, ca) = tls();
        (Some(acceptor), Some(ca))
    } else {
        (None, None)
    };
    let c = counts.clone();
    tokio::spawn(async move {
        while let Ok((socket, _)) = listener.accept().await {
            let accepted = Instant::now();
            c.connections.fetch_add(1, Ordering::Relaxed);
            // Each reply is one write answering a request: nothing would
            // ever join it, so Nagle could only delay it (see the top).
            if let Err(error) = socket.set_nodelay(true) {
                eprintln!("sink: TCP_NODELAY not set: {error}");
            }
            let c = c.clone();
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                match acceptor {
                    Some(acceptor) => {
                        if let Ok(stream) = acceptor.accept(socket).await {
                            c.handshakes.fetch_add(1, Ordering::Relaxed);
                            session(stream, &c, accepted).await;
                        }
                    }
                    None => session(socket, &c, accepted).await,
                }
            });
        }
    });
    let url = match &ca {
        Some(ca) => format!(
            "smtps://{addr}?tls_ca_file={}",
            percent_encoding::utf8_percent_encode(
                &ca.path().display().to_string(),
                percent_encoding::NON_ALPHANUMERIC
            )
        ),
        None => format!("smtp://{addr}?"),
    };
    Sink {
        url,
        counts,
        _ca: ca,
    }
}

/// Writes a reply and flushes it (a TLS stream buffers otherwise).
async fn reply<W: AsyncWrite + Unpin>(write: &mut W, text: &[u8]) -> std::io::Result<()> {
    write.write_all(text).await?;
    write.flush().await
}

/// Reads the client's next line into `line`; false when the client is gone.
async fn next_line<R: AsyncBufRead + Unpin>(lines: &mut R, line: &mut String) -> bool {
    line.clear();
    matches!(lines.read_line(line).await, Ok(n) if n > 0)
}

/// One SMTP conversation: accepts every message. `accepted`: when the
/// connection was accepted, to time its set-up.
async fn session<S: AsyncRead + AsyncWrite + Unpin>(stream: S, counts: &Counts, accepted: Instant) {
    let (read, mut write) = tokio::io::split(stream);
    let mut lines = BufReader::new(read);
    let mut line = String::new();
    if reply(&mut write, b"220 sink ESMTP\r\n").await.is_err() {
        return;
    }
    let mut greeted = false;
    loop {
        if !next_line(&mut lines, &mut line).await {
            return;
        }
        let verb = line.get(..4).unwrap_or("").to_ascii_uppercase();
        let answer: &'static [u8] = match verb.as_str() {
            "EHLO" => {
                if !greeted {
                    greeted = true;
                    counts
                        .setups
                        .lock()
                        .unwrap_or_else(PoisonError::into_inner)
                        .push(accepted.elapsed());
                }
                b"250-sink\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n"
            }
            "HELO" | "MAIL" | "RCPT" | "RSET" | "NOOP" => b"250 OK\r\n",
            "DATA" => {
                if reply(&mut write, b"354 go on\r\n").await.is_err() {
                    return;
                }
                loop {
                    if !next_line(&mut lines, &mut line).await {
                        return;
                    }
                    if line == ".\r\n" {
                        break;
                    }
                }
                counts.messages.fetch_add(1, Ordering::Relaxed);
                b"250 queued\r\n"
            }
            "QUIT" => {
                let _ = reply(&mut write, b"221 bye\r\n").await;
                let _ = write.shutdown().await;
                return;
            }
            _ => b"502 no\r\n",
        };
        if reply(&mut write, answer).await.is_err() {
            return;
        }
    }
}

/// A busy week of an organisation: three postings with three new matches
/// each, a saved search that found two postings, a project with two events.
fn digest(n: usize) -> Digest {
    let base = "https://trama.example.it";
    let sections = (0..3)
        .map(|s| DigestSection {
            side: if s == 2 { Side::Offer } else { Side::Need },
            title: format!("Portierato sociale nei caseggiati, lotto {s}"),
            organization: "Comune di Milano – Municipio 6".to_owned(),
            url: format!("{base}/needs/{}", Uuid::now_v7()),
            items: (0..3)
                .map(|i| {
                    let id = Uuid::now_v7();
                    DigestItem {
                        match_id: id,
                        title: format!("Custodi sociali e sportello d'ascolto n. {i}"),
                        organization: "Cooperativa Sociale \"La Città\" & Co.".to_owned(),
                        score: 0.71,
                        created_at: Utc::now(),
                        url: format!("{base}/offers/{id}"),
                        reasons: vec![
                            "contributo richiesto: competenze".to_owned(),
                            "stesso quartiere: Lorenteggio".to_owned(),
                            "parole in comune: portierato sociale, custodia".to_owned(),
                        ],
                        relevant_url: format!(
                            "{base}/digests/feedback?token=t{n}&match={id}&verdict=relevant"
                        ),
                        not_relevant_url: format!(
                            "{base}/digests/feedback?token=t{n}&match={id}&verdict=not_relevant"
                        ),
                    }
                })
                .collect(),
            more: 0,
        })
        .collect();
    let found = |kind, title: &str| {
        let id = Uuid::now_v7();
        FoundItem {
            kind,
            id,
            title: title.to_owned(),
            organization: "ALER Milano".to_owned(),
            created_at: Utc::now(),
            url: format!("{base}/needs/{id}"),
        }
    };
    let event = |activity| ProjectEvent {
        id: Uuid::now_v7(),
        at: Utc::now(),
        activity,
    };
    Digest {
        lang: if n.is_multiple_of(2) {
            Lang::It
        } else {
            Lang::En
        },
        display_name: format!("Socia {n}"),
        sections,
        searches: vec![SearchSection {
            name: "Spazi a San Siro".to_owned(),
            items: vec![
                found(
                    PostingKind::Call,
                    "Quartieri Connessi: spazi al piano terra",
                ),
                found(PostingKind::Need, "Locale per il doposcuola in via Zamagna"),
            ],
        }],
        projects: vec![ProjectSection {
            title: "Pulizia delle scale a Lorenteggio".to_owned(),
            url: format!("{base}/projects/{}", Uuid::now_v7()),
            events: vec![
                event(Activity::PartnerJoined {
                    organization: "Comitato inquilini Lorenteggio".to_owned(),
                }),
                event(Activity::DocumentAdded {
                    title: "Verbale del primo incontro".to_owned(),
                }),
            ],
        }],
        messages: vec![UnreadMessages {
            about: "Pulizia delle scale a Lorenteggio".to_owned(),
            from: "Inquilini di via Odazio".to_owned(),
            count: 2,
            url: format!("{base}/projects/{}", Uuid::now_v7()),
        }],
        unsubscribe_url: format!("{base}/digests/unsubscribe?token=t{n}"),
        settings_url: format!("{base}/account"),
    }
}

fn compose(n: usize) -> OutgoingEmail {
    let digest = digest(n);
    let to = Email::parse(&format!("socia{n}@aps.example.it")).expect("address");
    OutgoingEmail::new(to, render(&digest))
        .one_click_unsubscribe(&digest.unsubscribe_url)
        .expect("unsubscribe URL")
}

#[tokio::main]
async fn main() {
    // `cargo test --all-targets` runs bench binaries without `--bench`.
    if !std::env::args().any(|a| a == "--bench") {
        println!(
            "digests benchmark: not run under `cargo test`; use `cargo bench --bench digests`"
        );
        return;
    }
    let total = env_usize("DIGEST_BENCH_MESSAGES", 100_000);
    let sample = env_usize("DIGEST_BENCH_PER_CONNECTION", 2_000);
    let pool = env_usize("DIGEST_BENCH_POOL", 8);
    let with_tls = std::env::var("DIGEST_BENCH_TLS").map_or(true, |v| v != "0");
    let sink = start_sink(with_tls).await;
    let counts = &sink.counts;

    // Rendering alone, to see what the sending costs on top.
    let started = Instant::now();
    let compose_sample = total.min(10_000);
    let bytes: usize = (0..compose_sample)
        .map(|n| {
            let rendered = render(&digest(n));
            rendered.html.len() + rendered.text.len()
        })
        .sum();
    let compose_rate = compose_sample as f64 / started.elapsed().as_secs_f64();

    // Pooled: one mailer, `pool` connections reused for every message.
    let pooled_url = SmtpUrl::parse(&format!("{}&pool_size={pool}", sink.url)).expect("URL");
    let mailer = Arc::new(Mailer::smtp(&pooled_url, FROM).expect("mailer"));
    let started = Instant::now();
    let failures = futures_util::stream::iter(0..total)
        .map(|n| {
            let mailer = mailer.clone();
            async move { mailer.send(compose(n)).await.is_err() }
        })
        .buffer_unordered(pool)
        .filter(|failed| std::future::ready(*failed))
        .count()
        .await;
    let pooled_secs = started.elapsed().as_secs_f64();
    mailer.shutdown().await;
    assert_eq!(failures, 0, "pooled sends failed");
    let pooled_connections = counts.connections.load(Ordering::Relaxed);
    let pooled_rate = total as f64 / pooled_secs;

    // One connection per message: a fresh mailer (and so a fresh
    // connection, TLS handshake, EHLO and QUIT) for each.
    let before = counts.connections.load(Ordering::Relaxed);
    let single_url = SmtpUrl::parse(&format!("{}&pool_size=1", sink.url)).expect("URL");
    let started = Instant::now();
    let failures = futures_util::stream::iter(0..sample)
        .map(|n| {
            let single_url = single_url.clone();
            async move {
                let mailer = Mailer::smtp(&single_url, FROM).expect("mailer");
                let failed = mailer.send(compose(n)).await.is_err();
                mailer.shutdown().await;
                failed
            }
        })
        .buffer_unordered(pool)
        .filter(|failed| std::future::ready(*failed))
        .count()
        .await;
    let single_secs = started.elapsed().as_secs_f64();
    assert_eq!(failures, 0, "per-connection sends failed");
    let single_connections = counts.connections.load(Ordering::Relaxed) - before;
    let single_rate = sample as f64 / single_secs;

    let security = if with_tls {
        "implicit TLS 1.3, ECDSA P-256"
    } else {
        "plain text"
    };
    println!(
        "digests composed and delivered to a loopback SMTP sink ({security}; {pool} in flight)"
    );
    println!(
        "rendering alone:        {compose_sample:>7} digests = {compose_rate:>9.0} digests/s (HTML + text: {} bytes each on average)",
        bytes / compose_sample.max(1)
    );
    println!(
        "pooled:                 {total:>7} messages in {pooled_secs:>7.2} s = {pooled_rate:>9.0} msg/s over {pooled_connections} connections"
    );
    println!(
        "one connection/message: {sample:>7} messages in {single_secs:>7.2} s = {single_rate:>9.0} msg/s over {single_connections} connections (sample; rate extrapolates to {:.0} s for {total})",
        total as f64 / single_rate
    );
    let ratio = pooled_rate / single_rate;
    println!("ratio pooled / per-connection: {ratio:.2}x");
    println!(
        "sink received {} messages over {} connections ({} TLS handshakes)",
        counts.messages.load(Ordering::Relaxed),
        counts.connections.load(Ordering::Relaxed),
        counts.handshakes.load(Ordering::Relaxed),
    );
    let setups = counts.setups();
    let at = |q: f64| {
        let last = setups.len().saturating_sub(1);
        setups
            .get(((last as f64) * q).round() as usize)
            .map_or(0.0, |d| d.as_secs_f64() * 1e3)
    };
    let stalled = setups.iter().filter(|d| **d > STALL).count();
    println!(
        "sink connection set-up (accept to EHLO{}): p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms; {stalled} of {} over {} ms",
        if with_tls {
            ", TLS handshake included"
        } else {
            ""
        },
        at(0.5),
        at(0.99),
        at(1.0),
        setups.len(),
        STALL.as_millis(),
    );

    println!(
        "verdict: the sink does not stall: {}",
        if stalled == 0 {
            "met".to_owned()
        } else {
            format!(
                "MISSED ({stalled} connections over {} ms)",
                STALL.as_millis()
            )
        }
    );
    if with_tls {
        let of_target = pooled_rate / TARGET_POOLED_RATE;
        println!(
            "verdict: pooled >= {TARGET_POOLED_RATE:.0} msg/s over TLS: {} ({pooled_rate:.0} msg/s, {of_target:.2}x the target)",
            if of_target >= 1.0 {
                "met".to_owned()
            } else {
                format!("MISSED by {:.0}%", (1.0 - of_target) * 100.0)
            }
        );
    } else {
        println!(
            "verdict: pooled >= {TARGET_POOLED_RATE:.0} msg/s over TLS: not judged (plain-text sink)"
        );
    }
    println!(
        "verdict: pooled faster than one connection per message: {} ({ratio:.2}x)",
        if ratio > 1.0 {
            "met".to_owned()
        } else {
            format!("MISSED: pooled {:.0}% slower", (1.0 - ratio) * 100.0)
        }
    );
}
