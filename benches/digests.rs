//! Digest delivery throughput: composes (renders) and delivers digests to a
//! minimal SMTP sink on loopback started here, first through the mailer's
//! pool of connections, then opening one connection per message (a fresh
//! mailer each, closed with QUIT), with the same number of sends in flight;
//! prints both rates in messages per second and their ratio.
//!
//! Run: `cargo bench --bench digests` (release). Sizes:
//! `DIGEST_BENCH_MESSAGES` (default 100000, pooled) and
//! `DIGEST_BENCH_PER_CONNECTION` (default 2000: opening a connection per
//! message is slow, so that run is a smaller sample and its rate is
//! extrapolated), `DIGEST_BENCH_POOL` (default 8 connections, also the
//! sends in flight).

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use chrono::Utc;
use futures_util::StreamExt;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;
use trama::domain::{Email, Lang};
use trama::mail::digest::{Digest, DigestItem, DigestSection, Side, render};
use trama::mail::{Mailer, OutgoingEmail, SmtpUrl};
use uuid::Uuid;

const FROM: &str = "Trama <noreply@trama.example.it>";

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// A sink that accepts every message and counts them.
async fn start_sink() -> (String, Arc<AtomicU64>, Arc<AtomicU64>) {
    let listener = TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind the sink");
    let addr = listener.local_addr().expect("sink address");
    let messages = Arc::new(AtomicU64::new(0));
    let connections = Arc::new(AtomicU64::new(0));
    let (m, c) = (messages.clone(), connections.clone());
    tokio::spawn(async move {
        while let Ok((socket, _)) = listener.accept().await {
            c.fetch_add(1, Ordering::Relaxed);
            let m = m.clone();
            tokio::spawn(async move {
                let (read, mut write) = socket.into_split();
                let mut lines = BufReader::new(read);
                let mut line = String::new();
                if write.write_all(b"220 sink ESMTP\r\n").await.is_err() {
                    return;
                }
                loop {
                    line.clear();
                    match lines.read_line(&mut line).await {
                        Ok(0) | Err(_) => return,
                        Ok(_) => {}
                    }
                    let verb = line.get(..4).unwrap_or("").to_ascii_uppercase();
                    let reply: &[u8] = match verb.as_str() {
                        "EHLO" => b"250-sink\r\n250 8BITMIME\r\n",
                        "HELO" | "MAIL" | "RCPT" | "RSET" | "NOOP" => b"250 OK\r\n",
                        "DATA" => {
                            if write.write_all(b"354 go on\r\n").await.is_err() {
                                return;
                            }
                            loop {
                                line.clear();
                                match lines.read_line(&mut line).await {
                                    Ok(0) | Err(_) => return,
                                    Ok(_) if line == ".\r\n" => break,
                                    Ok(_) => {}
                                }
                            }
                            m.fetch_add(1, Ordering::Relaxed);
                            b"250 queued\r\n"
                        }
                        "QUIT" => {
                            let _ = write.write_all(b"221 bye\r\n").await;
                            return;
                        }
                        _ => b"502 no\r\n",
                    };
                    if write.write_all(reply).await.is_err() {
                        return;
                    }
                }
            });
        }
    });
    (format!("smtp://{addr}"), messages, connections)
}

/// A digest of three sections with three matches each, as a busy week of
/// an organisation brings.
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
                        relevant_url: format!(
                            "{base}/digests/feedback?token=t{n}&match={id}&verdict=relevant"
                        ),
                        not_relevant_url: format!(
                            "{base}/digests/feedback?token=t{n}&match={id}&verdict=not_relevant"
                        ),
                    }
                })
                .collect(),
        })
        .collect();
    Digest {
        lang: if n.is_multiple_of(2) {
            Lang::It
        } else {
            Lang::En
        },
        display_name: format!("Socia {n}"),
        sections,
        searches: Vec::new(),
        projects: Vec::new(),
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
    let (url, messages, connections) = start_sink().await;

    // Pooled: one mailer, `pool` connections reused for every message.
    let pooled_url = SmtpUrl::parse(&format!("{url}?pool_size={pool}")).expect("URL");
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
    let pooled_connections = connections.load(Ordering::Relaxed);
    let pooled_rate = total as f64 / pooled_secs;

    // One connection per message: a fresh mailer (and so a fresh
    // connection, EHLO and QUIT) for each.
    let before = connections.load(Ordering::Relaxed);
    let single_url = SmtpUrl::parse(&format!("{url}?pool_size=1")).expect("URL");
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
    let single_connections = connections.load(Ordering::Relaxed) - before;
    let single_rate = sample as f64 / single_secs;

    println!("digests composed and delivered to a loopback SMTP sink ({pool} in flight)");
    println!(
        "pooled:                 {total:>7} messages in {pooled_secs:>7.2} s = {pooled_rate:>9.0} msg/s over {pooled_connections} connections"
    );
    println!(
        "one connection/message: {sample:>7} messages in {single_secs:>7.2} s = {single_rate:>9.0} msg/s over {single_connections} connections (sample; rate extrapolates to {:.0} s for {total})",
        total as f64 / single_rate
    );
    println!(
        "ratio pooled / per-connection: {:.1}x",
        pooled_rate / single_rate
    );
    println!(
        "sink received {} messages",
        messages.load(Ordering::Relaxed)
    );
}
