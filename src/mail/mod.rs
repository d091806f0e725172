//! Outgoing e-mail: the [`Mailer`] that delivers an [`OutgoingEmail`], the
//! account [`templates`], and the errors that say whether to try again.
//!
//! # Where mail goes
//!
//! - With `TRAMA_SMTP_URL` set, through a pool of SMTP connections (lettre's
//!   `AsyncSmtpTransport` on Tokio, TLS by rustls): `smtp://host:port`
//!   (no encryption, for loopback and tests), `smtp://host:port?tls=required`
//!   (STARTTLS, or `tls=opportunistic`), `smtps://host:port` (TLS from the
//!   first byte), with `user:password@` percent-encoded and optional
//!   `pool_size`, `timeout_secs` and `tls_ca_file` (certificate authorities
//!   to trust besides the public ones) parameters. See [`SmtpUrl::parse`].
//!   The pool keeps up to `pool_size` connections open and reuses them, with
//!   as many messages in flight: a digest run opens a handful of
//!   connections (and TLS handshakes), not one per message.
//! - Without it, every message is written as an `.eml` file in
//!   `<data dir>/mail/` and the path is logged at info level: a developer
//!   opens it in any mail client, and nothing is lost or sent by mistake.
//!
//! # Failures
//!
//! [`Mailer::send`] returns [`MailError::Temporary`] for what may pass (4xx
//! replies, network and TLS failures, timeouts, refused credentials),
//! [`MailError::Permanent`] for a 5xx reply about the message, and
//! [`MailError::Invalid`] for a message that cannot be built. Retrying is the
//! caller's business (the digest and account jobs record attempts in the
//! database); the mailer never retries by itself, so a message is never sent
//! twice behind the caller's back.

pub mod digest;
pub mod error;
pub mod message;
pub mod smtp_url;
pub mod templates;

use std::path::{Path, PathBuf};
use std::sync::{PoisonError, RwLock};
use std::time::Duration;

use lettre::message::Mailbox;
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::transport::smtp::extension::ClientId;
use lettre::transport::smtp::{AsyncSmtpTransportBuilder, PoolConfig};
use lettre::{AsyncFileTransport, AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use tokio::sync::Semaphore;

pub use error::{MailConfigError, MailError};
pub use message::{ExtraHeader, OutgoingEmail};
pub use smtp_url::{Security, SmtpUrl};
pub use templates::RenderedEmail;

use crate::config::Settings;

/// The Message-ID of a sent e-mail, angle brackets included
/// (`<0190c0de…@trama.example.org>`): what to store to recognise replies and
/// bounces.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct MessageId(String);

impl MessageId {
    fn generate(domain: &str) -> Self {
        Self(format!("<{}@{domain}>", uuid::Uuid::now_v7().simple()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_inner(self) -> String {
        self.0
    }
}

impl std::fmt::Display for MessageId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Sends e-mail; one per process, shared through `AppState`.
pub struct Mailer {
    from: Mailbox,
    delivery: Delivery,
}

enum Delivery {
    // Boxed: the SMTP state is several times the size of the file variant.
    Smtp(Box<SmtpDelivery>),
    Files {
        dir: PathBuf,
        transport: AsyncFileTransport<Tokio1Executor>,
    },
}

/// Idle connections lettre's pool may keep beyond `pool_size`. lettre hands
/// a connection back in a task of its own, after the send has returned and
/// released its permit; the next send, finding no idle connection yet, opens
/// a new one, and when both come back a pool capped at `pool_size` closes
/// one. Under a steady load that churn opened over a thousand TLS
/// connections for eight sends in flight (digest bench); a little room keeps
/// the late ones. Sends in flight stay capped at `pool_size` (`permits`).
const POOL_SLACK: u32 = 2;

struct SmtpDelivery {
    /// For logs: the address without the password.
    endpoint: String,
    builder: AsyncSmtpTransportBuilder,
    /// The pool in use, with a generation number. A send that times out
    /// leaves its connection mid-command, and lettre would put it back in
    /// the pool and reuse it out of step with the server; so the whole pool
    /// is shut down and a fresh one takes its place.
    transport: RwLock<(u64, AsyncSmtpTransport<Tokio1Executor>)>,
    /// lettre's pool caps idle connections, not open ones: this caps sends
    /// in flight, so a burst of digests does not open a connection each.
    permits: Semaphore,
    timeout: Duration,
}

impl Mailer {
    /// The mailer the settings ask for: SMTP when `smtp_url` is set, `.eml`
    /// files in `<data_dir>/mail/` otherwise (the directory is created).
    ///
    /// Fails when `smtp_url` or `mail_from` is invalid, TLS cannot be set up
    /// for the server's name, or the mail directory cannot be created. Must
    /// run inside a Tokio runtime (the SMTP pool starts a cleanup task).
    pub async fn from_settings(settings: &Settings) -> Result<Self, MailConfigError> {
        let mailer = match &settings.smtp_url {
            Some(url) => Self::smtp(&SmtpUrl::parse(url.expose())?, &settings.mail_from)?,
            None => Self::files(settings.data_dir.join("mail"), &settings.mail_from).await?,
        };
        tracing::info!("outgoing mail: {}", mailer.describe());
        Ok(mailer)
    }

    /// A mailer that sends through the SMTP server at `url`, from `from`
    /// (`Name <address>` or a bare address). No connection is made until the
    /// first send, so a server that is down does not stop the application.
    ///
    /// Fails when `from` is not a valid mailbox, TLS cannot be set up for
    /// the server's name, or `tls_ca_file` cannot be read or holds no
    /// certificate. Must run inside a Tokio runtime.
    pub fn smtp(url: &SmtpUrl, from: &str) -> Result<Self, MailConfigError> {
        let from = parse_from(from)?;
        let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&url.host)
            .port(url.port)
            // lettre applies this to the TCP connect only; `send` bounds
            // the whole exchange with the same figure.
            .timeout(Some(url.timeout))
            .pool_config(PoolConfig::new().max_size(url.pool_size.saturating_add(POOL_SLACK)));
        let extra_ca = match &url.tls_ca_file {
            Some(path) => Some(
                std::fs::read(path).map_err(|source| MailConfigError::CaFile {
                    path: path.clone(),
                    source,
                })?,
            ),
            None => None,
        };
        let tls = |host: &str| {
            let failed = |source| MailConfigError::Tls {
                host: host.to_owned(),
                source,
            };
            let mut parameters = TlsParameters::builder(host.to_owned());
            if let Some(pem) = &extra_ca {
                parameters = parameters.add_root_certificate(
                    lettre::transport::smtp::client::Certificate::from_pem(pem).map_err(failed)?,
                );
            }
            parameters.build().map_err(failed)
        };
        builder = match url.security {
            Security::Plain => builder.tls(Tls::None),
            Security::StartTlsRequired => builder.tls(Tls::Required(tls(&url.host)?)),
            Security::StartTlsOpportunistic => builder.tls(Tls::Opportunistic(tls(&url.host)?)),
            Security::ImplicitTls => builder.tls(Tls::Wrapper(tls(&url.host)?)),
        };
        if let Some(credentials) = &url.credentials {
            builder = builder.credentials(Credentials::new(
                credentials.username.clone(),
                credentials.password.expose().to_owned(),
            ));
        }
        if let Some(name) = &url.hello_name {
            builder = builder.hello_name(ClientId::Domain(name.clone()));
        }
        let pool_size = usize::try_from(url.pool_size).unwrap_or(1);
        Ok(Self {
            from,
            delivery: Delivery::Smtp(Box::new(SmtpDelivery {
                endpoint: url.for_log(),
                transport: RwLock::new((0, builder.clone().build())),
                builder,
                permits: Semaphore::new(pool_size),
                timeout: url.timeout,
            })),
        })
    }

    /// A mailer that writes each message as `<uuid>.eml` in `dir` (created
    /// if missing), for development and for installations without SMTP.
    ///
    /// Fails when `from` is not a valid mailbox or `dir` cannot be created.
    pub async fn files(dir: impl Into<PathBuf>, from: &str) -> Result<Self, MailConfigError> {
        let dir = dir.into();
        let from = parse_from(from)?;
        tokio::fs::create_dir_all(&dir)
            .await
            .map_err(|source| MailConfigError::Directory {
                path: dir.clone(),
                source,
            })?;
        Ok(Self {
            from,
            delivery: Delivery::Files {
                transport: AsyncFileTransport::new(&dir),
                dir,
            },
        })
    }

    /// Where mail goes, for logs; never shows a password.
    pub fn describe(&self) -> String {
        match &self.delivery {
            Delivery::Smtp(smtp) => format!("SMTP {}", smtp.endpoint),
            Delivery::Files { dir, .. } => format!(
                ".eml files in {} (TRAMA_SMTP_URL is not set)",
                dir.display()
            ),
        }
    }

    /// The directory mail files are written to, when there is no SMTP server.
    pub fn mail_dir(&self) -> Option<&Path> {
        match &self.delivery {
            Delivery::Files { dir, .. } => Some(dir),
            Delivery::Smtp(_) => None,
        }
    }

    /// Sends one message and returns its Message-ID.
    ///
    /// Fails with [`MailError::Invalid`] when the message cannot be built,
    /// [`MailError::Permanent`] on a 5xx reply about it, and
    /// [`MailError::Temporary`] on a 4xx reply, a connection, TLS or
    /// authentication failure, when the whole exchange takes longer than the
    /// configured timeout, or when a mail file cannot be written. After a
    /// timeout the server may still have accepted the message.
    pub async fn send(&self, email: OutgoingEmail) -> Result<MessageId, MailError> {
        let message_id = MessageId::generate(self.from.email.domain());
        let message = email.to_message(&self.from, message_id.as_str())?;
        match &self.delivery {
            Delivery::Smtp(smtp) => {
                let response = smtp.send(&message).await.inspect_err(|error| {
                    tracing::debug!(%message_id, %error, "e-mail not sent");
                })?;
                tracing::debug!(
                    %message_id,
                    reply = %response.message().collect::<Vec<_>>().join(" "),
                    "e-mail accepted by the SMTP server"
                );
            }
            Delivery::Files { dir, transport } => {
                let file_id = transport.send(message).await?;
                let path = dir.join(format!("{file_id}.eml"));
                tracing::info!(
                    %message_id,
                    path = %path.display(),
                    "e-mail written to a file (TRAMA_SMTP_URL is not set)"
                );
            }
        }
        Ok(message_id)
    }

    /// Closes the pooled SMTP connections politely (QUIT); sends started
    /// afterwards fail as temporary. For a clean shutdown; dropping the
    /// mailer closes them too, less gracefully.
    pub async fn shutdown(&self) {
        if let Delivery::Smtp(smtp) = &self.delivery {
            smtp.current().1.shutdown().await;
        }
    }
}

impl SmtpDelivery {
    fn current(&self) -> (u64, AsyncSmtpTransport<Tokio1Executor>) {
        self.transport
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    async fn send(
        &self,
        message: &lettre::Message,
    ) -> Result<lettre::transport::smtp::response::Response, MailError> {
        let _permit = self
            .permits
            .acquire()
            .await
            .map_err(|_| MailError::Temporary {
                code: None,
                reason: "the mailer is shutting down".to_owned(),
            })?;
        let (generation, transport) = self.current();
        match tokio::time::timeout(self.timeout, transport.send(message.clone())).await {
            Ok(result) => Ok(result?),
            Err(_) => {
                self.replace_stuck_pool(generation, transport);
                Err(MailError::Temporary {
                    code: None,
                    reason: format!(
                        "no answer from the SMTP server within {} s",
                        self.timeout.as_secs()
                    ),
                })
            }
        }
    }

    fn replace_stuck_pool(&self, generation: u64, stuck: AsyncSmtpTransport<Tokio1Executor>) {
        {
            let mut current = self
                .transport
                .write()
                .unwrap_or_else(PoisonError::into_inner);
            // Another send that timed out at the same time may have replaced
            // it already.
            if current.0 == generation {
                *current = (generation + 1, self.builder.clone().build());
            }
        }
        tracing::warn!(
            endpoint = %self.endpoint,
            "the SMTP server did not answer in time: reconnecting"
        );
        // Shutting the old pool down makes lettre close the stuck connection
        // when it is handed back instead of parking it. lettre says QUIT and
        // waits for the reply, which a stuck server may never send: do it
        // aside, and give up after a while (dropping closes the sockets).
        tokio::spawn(async move {
            let _ = tokio::time::timeout(Duration::from_secs(5), stuck.shutdown()).await;
        });
    }
}

impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Mailer")
            .field("from", &self.from.to_string())
            .field("delivery", &self.describe())
            .finish()
    }
}

fn parse_from(raw: &str) -> Result<Mailbox, MailConfigError> {
    raw.trim()
        .parse::<Mailbox>()
        .map_err(|e| MailConfigError::MailFrom {
            value: raw.to_owned(),
            reason: e.to_string(),
        })
}
