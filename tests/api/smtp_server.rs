//! A small, real SMTP server for tests: listens on 127.0.0.1 with a port of
//! its own, speaks enough RFC 5321 for lettre (EHLO/HELO, MAIL FROM, RCPT TO,
//! DATA with dot-unstuffing, RSET, NOOP, QUIT), records every accepted
//! message and can be told to refuse the next transactions with a 451 or a
//! 550 (at MAIL FROM, RCPT TO or the end of DATA), to stall, or to go down
//! altogether (connections refused) and come back on the same port.
//!
//! No AUTH and no TLS: the mailer's URL parsing covers those, and a test
//! certificate authority would cost more than it proves.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::task::{JoinHandle, JoinSet};

/// Biggest message accepted; more gets 552.
const MAX_MESSAGE_BYTES: usize = 10 * 1024 * 1024;
/// Longest command line accepted (RFC 5321 says 512 with the CRLF).
const MAX_LINE_BYTES: usize = 1000;

/// A message the server accepted.
#[derive(Clone, Debug)]
pub struct Received {
    /// The MAIL FROM address, without angle brackets.
    pub mail_from: String,
    /// The RCPT TO addresses, without angle brackets.
    pub rcpt_to: Vec<String>,
    /// The message as sent after DATA, dot-unstuffed, with CRLF line ends.
    pub data: Vec<u8>,
}

impl Received {
    /// The message parsed by mail-parser.
    pub fn parsed(&self) -> mail_parser::Message<'_> {
        mail_parser::MessageParser::default()
            .parse(&self.data)
            .expect("the received message parses")
    }

    pub fn data_str(&self) -> &str {
        std::str::from_utf8(&self.data).expect("the received message is UTF-8")
    }
}

/// Where in a transaction to refuse.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stage {
    /// Reply to MAIL FROM.
    MailFrom,
    /// Reply to RCPT TO: the server refuses the address.
    RcptTo,
    /// Reply after the final `.` of DATA, once the whole message is in.
    EndOfData,
}

/// Misbehaviour for [`SmtpServer::fail_next`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Failure {
    /// `451 4.3.0`: try again later.
    Temporary(Stage),
    /// `550 5.7.1`: never.
    Permanent(Stage),
    /// Say nothing for this long, then accept as usual: a server too slow
    /// for the client's timeout.
    Stall(Stage, Duration),
}

impl Failure {
    fn stage(self) -> Stage {
        match self {
            Self::Temporary(stage) | Self::Permanent(stage) | Self::Stall(stage, _) => stage,
        }
    }

    /// The refusal to send, or `None` (after the stall) to go on normally.
    async fn apply(self) -> Option<&'static str> {
        match self {
            Self::Temporary(Stage::RcptTo) => Some("450 4.2.1 Mailbox temporarily unavailable\r\n"),
            Self::Permanent(Stage::RcptTo) => {
                Some("550 5.1.1 Recipient address rejected: user unknown\r\n")
            }
            Self::Temporary(_) => Some("451 4.3.0 Temporary failure, try again later\r\n"),
            Self::Permanent(_) => Some("550 5.7.1 Message refused\r\n"),
            Self::Stall(_, delay) => {
                tokio::time::sleep(delay).await;
                None
            }
        }
    }
}

#[derive(Default)]
struct State {
    messages: Vec<Received>,
    /// Refusals for the next transactions, in order.
    failures: Vec<Failure>,
    connections: usize,
    transactions: usize,
}

struct Shared {
    state: Mutex<State>,
    /// The number of accepted messages, for `wait_for`.
    count: watch::Sender<usize>,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// A running test SMTP server; it stops when dropped.
pub struct SmtpServer {
    addr: SocketAddr,
    shared: Arc<Shared>,
    /// The accept loop; `None` while the server is down.
    accept: Mutex<Option<JoinHandle<()>>>,
}

impl SmtpServer {
    /// Binds 127.0.0.1 on a free port and starts serving.
    pub async fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind the test SMTP server");
        let addr = listener.local_addr().expect("local address");
        let shared = Arc::new(Shared {
            state: Mutex::new(State::default()),
            count: watch::channel(0).0,
        });
        let accept = tokio::spawn(accept_loop(listener, Arc::clone(&shared)));
        Self {
            addr,
            shared,
            accept: Mutex::new(Some(accept)),
        }
    }

    /// Goes down like a crashed mail server: open connections are cut and
    /// new ones are refused until [`come_back`](Self::come_back).
    pub async fn go_down(&self) {
        let accept = self
            .accept
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        if let Some(accept) = accept {
            accept.abort();
            // Once the task is gone its listener and connections are closed.
            let _ = accept.await;
        }
    }

    /// Listens again on the same port, with the messages and refusals it had.
    pub async fn come_back(&self) {
        let mut tries = 0;
        let listener = loop {
            match TcpListener::bind(self.addr).await {
                Ok(listener) => break listener,
                Err(error) => {
                    tries += 1;
                    assert!(tries < 100, "cannot listen on {} again: {error}", self.addr);
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            }
        };
        let accept = tokio::spawn(accept_loop(listener, Arc::clone(&self.shared)));
        *self.accept.lock().unwrap_or_else(PoisonError::into_inner) = Some(accept);
    }

    /// The address it listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `smtp://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("smtp://{}", self.addr)
    }

    /// The messages accepted so far, in order.
    pub fn messages(&self) -> Vec<Received> {
        self.shared.lock().messages.clone()
    }

    /// TCP connections accepted so far (a pool reuses them).
    pub fn connections(&self) -> usize {
        self.shared.lock().connections
    }

    /// Transactions started with MAIL FROM, accepted or refused.
    pub fn transactions(&self) -> usize {
        self.shared.lock().transactions
    }

    /// Refuses the next `n` transactions with `failure`, after any refusals
    /// already queued.
    pub fn fail_next(&self, n: usize, failure: Failure) {
        self.shared
            .lock()
            .failures
            .extend(std::iter::repeat_n(failure, n));
    }

    /// Waits until at least `n` messages have been accepted and returns them
    /// all. Panics after `timeout`.
    pub async fn wait_for(&self, n: usize, timeout: Duration) -> Vec<Received> {
        let mut count = self.shared.count.subscribe();
        // The outcome is read from the messages themselves, so that a wake-up
        // that loses a race with the deadline does not fail a run that got
        // every message.
        let _ = tokio::time::timeout(timeout, count.wait_for(|c| *c >= n)).await;
        let messages = self.messages();
        assert!(
            messages.len() >= n,
            "expected {n} messages within {timeout:?}, got {}",
            messages.len()
        );
        messages
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        // Dropping the accept task drops its JoinSet, which aborts every
        // open connection.
        if let Some(accept) = self
            .accept
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take()
        {
            accept.abort();
        }
    }
}

async fn accept_loop(listener: TcpListener, shared: Arc<Shared>) {
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let Ok((stream, _)) = accepted else { continue };
                shared.lock().connections += 1;
                connections.spawn(serve(stream, Arc::clone(&shared)));
            }
            // Reap finished connections so the set does not grow.
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
}

/// The state of one SMTP session.
#[derive(Default)]
struct Session {
    greeted: bool,
    mail_from: Option<String>,
    rcpt_to: Vec<String>,
    /// The refusal this transaction carries, taken at MAIL FROM.
    failure: Option<Failure>,
}

impl Session {
    fn reset(&mut self) {
        self.mail_from = None;
        self.rcpt_to.clear();
        self.failure = None;
    }
}

/// Serves one connection until QUIT, EOF or an I/O error.
async fn serve(stream: TcpStream, shared: Arc<Shared>) -> std::io::Result<()> {
    let (read, mut write) = stream.into_split();
    let mut reader = BufReader::new(read);
    let mut session = Session::default();
    write.write_all(b"220 trama-test ESMTP ready\r\n").await?;
    let mut line = Vec::new();
    loop {
        line.clear();
        if reader.read_until(b'\n', &mut line).await? == 0 {
            return Ok(());
        }
        if line.len() > MAX_LINE_BYTES {
            write.write_all(b"500 5.5.2 Line too long\r\n").await?;
            continue;
        }
        let text = String::from_utf8_lossy(&line);
        let text = text.trim_end_matches(['\r', '\n']);
        let (verb, argument) = text.split_once(' ').unwrap_or((text, ""));
        let reply: &str = match verb.to_ascii_uppercase().as_str() {
            "EHLO" => {
                session.greeted = true;
                session.reset();
                "250-trama-test\r\n250-8BITMIME\r\n250-SMTPUTF8\r\n250 SIZE 10485760\r\n"
            }
            "HELO" => {
                session.greeted = true;
                session.reset();
                "250 trama-test\r\n"
            }
            "MAIL" if !session.greeted => "503 5.5.1 Say EHLO first\r\n",
            "MAIL" if session.mail_from.is_some() => "503 5.5.1 Nested MAIL command\r\n",
            "MAIL" => match path_argument(argument, "FROM:") {
                None => "501 5.5.4 Syntax: MAIL FROM:<address>\r\n",
                Some(from) => {
                    let failure = {
                        let mut state = shared.lock();
                        state.transactions += 1;
                        (!state.failures.is_empty()).then(|| state.failures.remove(0))
                    };
                    let refusal = match failure {
                        Some(f) if f.stage() == Stage::MailFrom => f.apply().await,
                        _ => None,
                    };
                    match refusal {
                        Some(reply) => reply,
                        None => {
                            session.mail_from = Some(from);
                            session.failure = failure.filter(|f| f.stage() != Stage::MailFrom);
                            "250 2.1.0 Ok\r\n"
                        }
                    }
                }
            },
            "RCPT" if session.mail_from.is_none() => "503 5.5.1 Need MAIL first\r\n",
            "RCPT" => match path_argument(argument, "TO:") {
                Some(to) if !to.is_empty() => {
                    let refusal = match session.failure {
                        Some(f) if f.stage() == Stage::RcptTo => f.apply().await,
                        _ => None,
                    };
                    match refusal {
                        Some(reply) => reply,
                        None => {
                            session.rcpt_to.push(to);
                            "250 2.1.5 Ok\r\n"
                        }
                    }
                }
                _ => "501 5.5.4 Syntax: RCPT TO:<address>\r\n",
            },
            "DATA" if session.rcpt_to.is_empty() => "503 5.5.1 Need RCPT first\r\n",
            "DATA" => {
                write
                    .write_all(b"354 End data with <CR><LF>.<CR><LF>\r\n")
                    .await?;
                let data = read_data(&mut reader).await?;
                let refusal = match session.failure {
                    Some(failure) if failure.stage() == Stage::EndOfData => failure.apply().await,
                    _ => None,
                };
                let reply = match (data, refusal) {
                    (None, _) => "552 5.3.4 Message too big\r\n",
                    (Some(_), Some(refusal)) => refusal,
                    (Some(data), None) => {
                        let received = Received {
                            mail_from: session.mail_from.clone().unwrap_or_default(),
                            rcpt_to: session.rcpt_to.clone(),
                            data,
                        };
                        let count = {
                            let mut state = shared.lock();
                            state.messages.push(received);
                            state.messages.len()
                        };
                        shared.count.send_replace(count);
                        "250 2.0.0 Ok: queued\r\n"
                    }
                };
                session.reset();
                reply
            }
            "RSET" => {
                session.reset();
                "250 2.0.0 Ok\r\n"
            }
            "NOOP" => "250 2.0.0 Ok\r\n",
            "QUIT" => {
                write.write_all(b"221 2.0.0 Bye\r\n").await?;
                return Ok(());
            }
            "AUTH" | "STARTTLS" => "502 5.5.1 Not implemented\r\n",
            _ => "500 5.5.2 Command not recognised\r\n",
        };
        write.write_all(reply.as_bytes()).await?;
    }
}

/// `FROM:<a@b.it> BODY=8BITMIME` with prefix `FROM:` gives `a@b.it`.
fn path_argument(argument: &str, prefix: &str) -> Option<String> {
    let head = argument.get(..prefix.len())?;
    if !head.eq_ignore_ascii_case(prefix) {
        return None;
    }
    let rest = argument[prefix.len()..].trim_start();
    let path = rest.strip_prefix('<')?;
    let end = path.find('>')?;
    Some(path[..end].to_owned())
}

/// Reads DATA up to the line holding a single `.`, removing the extra dot
/// of lines that start with one (RFC 5321 4.5.2). `None` when the message is
/// too big (it is still read to the end, so the session stays in step).
async fn read_data<R: AsyncBufReadExt + Unpin>(reader: &mut R) -> std::io::Result<Option<Vec<u8>>> {
    let mut data = Vec::new();
    let mut line = Vec::new();
    let mut too_big = false;
    loop {
        line.clear();
        if reader.read_until(b'\n', &mut line).await? == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        if line == b".\r\n" || line == b".\n" {
            return Ok((!too_big).then_some(data));
        }
        let content = line.strip_prefix(b".").unwrap_or(&line);
        if data.len() + content.len() > MAX_MESSAGE_BYTES {
            too_big = true;
        } else {
            data.extend_from_slice(content);
        }
    }
}
