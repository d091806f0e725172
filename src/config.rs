//! Typed settings from command-line flags and `TRAMA_*` variables, with defaults
//! that work on a fresh clone (SQLite under `./data`, listening on 127.0.0.1:8080).
//!
//! Secrets (database passwords, the SMTP URL, the signing key) are never logged:
//! `Debug` prints them redacted and [`Settings::database_url_for_log`] hides the
//! password.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

/// Log output format.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    /// Human-readable lines, for a terminal.
    Pretty,
    /// One JSON object per line, for log collectors.
    Json,
}

/// A secret string: printed as `***` by `Debug`.
#[derive(Clone, Default)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("***")
    }
}

impl std::str::FromStr for Secret {
    type Err = std::convert::Infallible;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(Self(s.to_owned()))
    }
}

/// Everything the server and the commands need to know about their environment.
///
/// Every field can be set by a flag (`--listen`) or a variable (`TRAMA_LISTEN`);
/// flags win. The defaults need no set-up at all. The flags come in groups
/// ([`DatabaseArgs`], [`ServerArgs`]...): each subcommand takes the groups it
/// uses, so its `--help` shows only those, and the rest keep their defaults.
#[derive(Clone, Debug)]
pub struct Settings {
    /// Address and port the HTTP server listens on.
    pub listen: SocketAddr,
    /// Directory for the SQLite database, the search index and other local state.
    pub data_dir: PathBuf,
    /// `sqlite://PATH` or `postgres://USER@HOST/DB`; `None`: `trama.db` in
    /// the data directory.
    pub database_url: Option<Secret>,
    /// Maximum number of pooled database connections.
    pub database_max_connections: u32,
    /// PostgreSQL schema to use (tests isolate themselves with one schema each).
    pub database_schema: Option<String>,
    /// Longest wait, in seconds, for a database connection from the pool
    /// (and, on SQLite, for another process's write lock) before a request
    /// answers UNAVAILABLE.
    pub database_timeout_secs: u64,
    /// Directory of the search index; `None`: `index` in the data directory.
    pub index_dir: Option<PathBuf>,
    /// The match engine's weights and rules (TOML); `None`: the built-in ones.
    pub matching_config: Option<PathBuf>,
    /// Public address of the platform, used in links sent by e-mail.
    pub public_url: String,
    /// Serve the GraphiQL explorer at GET /graphql.
    pub graphiql: bool,
    /// Seconds after which a request is abandoned with 408.
    pub request_timeout_secs: u64,
    /// Longest a GraphQL operation may run, in seconds (HTTP and WebSocket).
    pub graphql_timeout_secs: u64,
    /// Seconds a connection has to send a request's headers.
    pub header_read_timeout_secs: u64,
    /// Most connections served at once.
    pub max_connections: usize,
    /// Largest accepted request body, in bytes.
    pub max_body_bytes: usize,
    /// Seconds given to in-flight requests to finish after SIGTERM/SIGINT.
    pub shutdown_grace_secs: u64,
    /// SMTP server for outgoing mail; `None`: `.eml` files in `<data dir>/mail/`.
    pub smtp_url: Option<Secret>,
    /// Seconds between two runs of the digest scheduler; 0 turns it off.
    pub digest_poll_secs: u64,
    /// Longest wait between two tries of a digest the mail server did not
    /// take for a reason that may pass.
    pub digest_retry_max_delay_secs: u64,
    /// How long such a digest is retried before it is given up (what is
    /// still relevant of it then goes in the next digest).
    pub digest_retry_hours: u64,
    /// New matches a digest lists for each need or offer, best first; the
    /// others are counted, with a link to them all.
    pub digest_matches_per_posting: usize,
    /// Sender address of outgoing mail.
    pub mail_from: String,
    /// Log filter in `tracing` syntax.
    pub log: String,
    /// Log format.
    pub log_format: LogFormat,
}

// The defaults, shared by the flags and [`Settings::default`].
const DEFAULT_LISTEN: &str = "127.0.0.1:8080";
const DEFAULT_DATA_DIR: &str = "./data";
const DEFAULT_DATABASE_MAX_CONNECTIONS: u32 = 10;
const DEFAULT_DATABASE_TIMEOUT_SECS: u64 = 5;
const DEFAULT_GRAPHQL_TIMEOUT_SECS: u64 = 10;
const DEFAULT_HEADER_READ_TIMEOUT_SECS: u64 = 10;
const DEFAULT_MAX_CONNECTIONS: usize = 1024;
const DEFAULT_PUBLIC_URL: &str = "http://localhost:8080";
const DEFAULT_REQUEST_TIMEOUT_SECS: u64 = 30;
const DEFAULT_MAX_BODY_BYTES: usize = 1_048_576;
const DEFAULT_SHUTDOWN_GRACE_SECS: u64 = 30;
const DEFAULT_DIGEST_POLL_SECS: u64 = 5;
const DEFAULT_DIGEST_RETRY_MAX_DELAY_SECS: u64 = 30 * 60;
const DEFAULT_DIGEST_RETRY_HOURS: u64 = 48;
const DEFAULT_DIGEST_MATCHES_PER_POSTING: usize = 5;
const DEFAULT_MAIL_FROM: &str = "Trama <noreply@trama.localhost>";
const DEFAULT_LOG: &str = "info,sqlx=warn,sea_orm=warn,tantivy=warn";

impl Default for Settings {
    /// What a command gets with no flag and no variable set.
    fn default() -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            data_dir: PathBuf::from(DEFAULT_DATA_DIR),
            database_url: None,
            database_max_connections: DEFAULT_DATABASE_MAX_CONNECTIONS,
            database_schema: None,
            database_timeout_secs: DEFAULT_DATABASE_TIMEOUT_SECS,
            index_dir: None,
            matching_config: None,
            public_url: DEFAULT_PUBLIC_URL.to_owned(),
            graphiql: true,
            request_timeout_secs: DEFAULT_REQUEST_TIMEOUT_SECS,
            graphql_timeout_secs: DEFAULT_GRAPHQL_TIMEOUT_SECS,
            header_read_timeout_secs: DEFAULT_HEADER_READ_TIMEOUT_SECS,
            max_connections: DEFAULT_MAX_CONNECTIONS,
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
            shutdown_grace_secs: DEFAULT_SHUTDOWN_GRACE_SECS,
            smtp_url: None,
            digest_poll_secs: DEFAULT_DIGEST_POLL_SECS,
            digest_retry_max_delay_secs: DEFAULT_DIGEST_RETRY_MAX_DELAY_SECS,
            digest_retry_hours: DEFAULT_DIGEST_RETRY_HOURS,
            digest_matches_per_posting: DEFAULT_DIGEST_MATCHES_PER_POSTING,
            mail_from: DEFAULT_MAIL_FROM.to_owned(),
            log: DEFAULT_LOG.to_owned(),
            log_format: LogFormat::Pretty,
        }
    }
}

/// Logging: every command.
#[derive(Clone, Debug, clap::Args)]
#[command(next_help_heading = "Logging")]
pub struct LogArgs {
    /// Log filter in `tracing` syntax, e.g. `info` or `trama=debug,sqlx=warn`.
    #[arg(long, env = "TRAMA_LOG", default_value = DEFAULT_LOG, global = true)]
    pub log: String,

    /// Log format.
    #[arg(long, env = "TRAMA_LOG_FORMAT", value_enum, default_value_t = LogFormat::Pretty, global = true)]
    pub log_format: LogFormat,
}

impl LogArgs {
    pub fn apply(&self, settings: &mut Settings) {
        settings.log = self.log.clone();
        settings.log_format = self.log_format;
    }
}

/// The database and the data directory: every command that reads or
/// writes data.
#[derive(Clone, Debug, clap::Args)]
#[command(next_help_heading = "Database")]
pub struct DatabaseArgs {
    /// Directory for the SQLite database, the search index and other local state.
    #[arg(long, env = "TRAMA_DATA_DIR", default_value = DEFAULT_DATA_DIR)]
    pub data_dir: PathBuf,

    /// Database URL: `sqlite://PATH` or `postgres://USER@HOST/DB`.
    /// Default: the SQLite file `trama.db` in the data directory.
    #[arg(long, env = "TRAMA_DATABASE_URL", hide_env_values = true)]
    pub database_url: Option<Secret>,

    /// Maximum number of pooled database connections.
    #[arg(long, env = "TRAMA_DATABASE_MAX_CONNECTIONS", default_value_t = DEFAULT_DATABASE_MAX_CONNECTIONS)]
    pub database_max_connections: u32,

    /// PostgreSQL schema to use (tests isolate themselves with one schema each).
    #[arg(long, env = "TRAMA_DATABASE_SCHEMA")]
    pub database_schema: Option<String>,

    /// Longest wait, in seconds, for a database connection from the pool
    /// (and, on SQLite, for another process's write lock) before a request
    /// answers UNAVAILABLE.
    #[arg(long, env = "TRAMA_DATABASE_TIMEOUT_SECS", default_value_t = DEFAULT_DATABASE_TIMEOUT_SECS)]
    pub database_timeout_secs: u64,
}

impl DatabaseArgs {
    pub fn apply(&self, settings: &mut Settings) {
        settings.data_dir = self.data_dir.clone();
        settings.database_url = self.database_url.clone();
        settings.database_max_connections = self.database_max_connections;
        settings.database_schema = self.database_schema.clone();
        settings.database_timeout_secs = self.database_timeout_secs;
    }
}

/// The search index: commands that search or index.
#[derive(Clone, Debug, clap::Args)]
#[command(next_help_heading = "Search index")]
pub struct IndexArgs {
    /// Directory of the search index. Default: `index` in the data directory.
    #[arg(long, env = "TRAMA_INDEX_DIR")]
    pub index_dir: Option<PathBuf>,
}

impl IndexArgs {
    pub fn apply(&self, settings: &mut Settings) {
        settings.index_dir = self.index_dir.clone();
    }
}

/// The match engine: commands that compute matches.
#[derive(Clone, Debug, clap::Args)]
#[command(next_help_heading = "Matching")]
pub struct MatchingArgs {
    /// The match engine's weights and rules (TOML). Default: the built-in
    /// `assets/matching/weights.toml`.
    #[arg(long, env = "TRAMA_MATCHING_CONFIG")]
    pub matching_config: Option<PathBuf>,
}

impl MatchingArgs {
    pub fn apply(&self, settings: &mut Settings) {
        settings.matching_config = self.matching_config.clone();
    }
}

/// Links to the platform: commands that write e-mails.
#[derive(Clone, Debug, clap::Args)]
#[command(next_help_heading = "Links")]
pub struct LinkArgs {
    /// Public address of the platform, used in links sent by e-mail.
    #[arg(long, env = "TRAMA_PUBLIC_URL", default_value = DEFAULT_PUBLIC_URL)]
    pub public_url: String,
}

impl LinkArgs {
    pub fn apply(&self, settings: &mut Settings) {
        settings.public_url = self.public_url.clone();
    }
}

/// Outgoing mail: commands that send e-mail.
#[derive(Clone, Debug, clap::Args)]
#[command(next_help_heading = "Outgoing mail")]
pub struct MailArgs {
    /// SMTP server for outgoing mail, e.g. `smtp://127.0.0.1:2525`,
    /// `smtp://user:pass@mail.example.org?tls=required` (STARTTLS) or
    /// `smtps://user:pass@mail.example.org` (TLS). Unset: each message is
    /// written as an .eml file in `<data dir>/mail/`.
    #[arg(long, env = "TRAMA_SMTP_URL", hide_env_values = true)]
    pub smtp_url: Option<Secret>,

    /// Sender address of outgoing mail.
    #[arg(long, env = "TRAMA_MAIL_FROM", default_value = DEFAULT_MAIL_FROM)]
    pub mail_from: String,

    /// Longest wait, in seconds, between two tries of a digest the mail
    /// server did not take for a reason that may pass (no answer, "try
    /// later"); the waits double from one minute up to it.
    #[arg(
        long,
        env = "TRAMA_DIGEST_RETRY_MAX_DELAY_SECS",
        default_value_t = DEFAULT_DIGEST_RETRY_MAX_DELAY_SECS,
        value_parser = clap::value_parser!(u64).range(1..)
    )]
    pub digest_retry_max_delay_secs: u64,

    /// Hours such a digest is retried before it is given up; what is still
    /// relevant of it then goes in the next digest.
    #[arg(
        long,
        env = "TRAMA_DIGEST_RETRY_HOURS",
        default_value_t = DEFAULT_DIGEST_RETRY_HOURS,
        value_parser = clap::value_parser!(u64).range(1..=8760)
    )]
    pub digest_retry_hours: u64,

    /// New matches a digest lists for each need or offer, best first (as
    /// the organisation's own lists order them); the others are counted,
    /// with a link to them all.
    #[arg(
        long,
        env = "TRAMA_DIGEST_MATCHES_PER_POSTING",
        default_value_t = DEFAULT_DIGEST_MATCHES_PER_POSTING,
        value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..=50)
    )]
    pub digest_matches_per_posting: usize,
}

impl MailArgs {
    pub fn apply(&self, settings: &mut Settings) {
        settings.smtp_url = self.smtp_url.clone();
        settings.mail_from = self.mail_from.clone();
        settings.digest_retry_max_delay_secs = self.digest_retry_max_delay_secs;
        settings.digest_retry_hours = self.digest_retry_hours;
        settings.digest_matches_per_posting = self.digest_matches_per_posting;
    }
}

/// The HTTP server and its background work: `serve` only.
#[derive(Clone, Debug, clap::Args)]
#[command(next_help_heading = "Server")]
pub struct ServerArgs {
    /// Address and port the HTTP server listens on.
    #[arg(long, env = "TRAMA_LISTEN", default_value = DEFAULT_LISTEN)]
    pub listen: SocketAddr,

    /// Serve the GraphiQL explorer at GET /graphql.
    #[arg(long, env = "TRAMA_GRAPHIQL", default_value_t = true, action = clap::ArgAction::Set)]
    pub graphiql: bool,

    /// Seconds after which a request is abandoned with 408.
    #[arg(long, env = "TRAMA_REQUEST_TIMEOUT_SECS", default_value_t = DEFAULT_REQUEST_TIMEOUT_SECS)]
    pub request_timeout_secs: u64,

    /// Longest a GraphQL operation may run, in seconds, over HTTP and over
    /// WebSocket alike; past it the operation is stopped (its work
    /// cancelled) and answers UNAVAILABLE.
    #[arg(long, env = "TRAMA_GRAPHQL_TIMEOUT_SECS", default_value_t = DEFAULT_GRAPHQL_TIMEOUT_SECS)]
    pub graphql_timeout_secs: u64,

    /// Seconds a connection has to send a request's headers, counted from
    /// its opening or from the end of its previous response: slow and idle
    /// connections are closed after it.
    #[arg(long, env = "TRAMA_HEADER_READ_TIMEOUT_SECS", default_value_t = DEFAULT_HEADER_READ_TIMEOUT_SECS)]
    pub header_read_timeout_secs: u64,

    /// Most connections served at once (WebSockets included); more wait to
    /// be accepted. Lowered at start to stay below the process's limit of
    /// open files.
    #[arg(long, env = "TRAMA_MAX_CONNECTIONS", default_value_t = DEFAULT_MAX_CONNECTIONS)]
    pub max_connections: usize,

    /// Largest accepted request body, in bytes.
    #[arg(long, env = "TRAMA_MAX_BODY_BYTES", default_value_t = DEFAULT_MAX_BODY_BYTES)]
    pub max_body_bytes: usize,

    /// Seconds given to in-flight requests to finish after SIGTERM/SIGINT.
    #[arg(long, env = "TRAMA_SHUTDOWN_GRACE_SECS", default_value_t = DEFAULT_SHUTDOWN_GRACE_SECS)]
    pub shutdown_grace_secs: u64,

    /// Seconds between two runs of the digest scheduler (plan what is due,
    /// send what can be claimed); 0 turns it off in this process.
    #[arg(long, env = "TRAMA_DIGEST_POLL_SECS", default_value_t = DEFAULT_DIGEST_POLL_SECS)]
    pub digest_poll_secs: u64,
}

impl ServerArgs {
    pub fn apply(&self, settings: &mut Settings) {
        settings.listen = self.listen;
        settings.graphiql = self.graphiql;
        settings.request_timeout_secs = self.request_timeout_secs;
        settings.graphql_timeout_secs = self.graphql_timeout_secs;
        settings.header_read_timeout_secs = self.header_read_timeout_secs;
        settings.max_connections = self.max_connections;
        settings.max_body_bytes = self.max_body_bytes;
        settings.shutdown_grace_secs = self.shutdown_grace_secs;
        settings.digest_poll_secs = self.digest_poll_secs;
    }
}

impl Settings {
    /// Settings for tests and embedding: the defaults, rooted at `data_dir`,
    /// listening on an ephemeral port.
    pub fn for_data_dir(data_dir: impl Into<PathBuf>) -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            data_dir: data_dir.into(),
            log: "info".to_owned(),
            ..Self::default()
        }
    }

    /// The database URL in force: the configured one, or the SQLite file in the
    /// data directory.
    pub fn database_url(&self) -> String {
        match &self.database_url {
            Some(url) => url.expose().to_owned(),
            None => format!(
                "sqlite://{}?mode=rwc",
                self.data_dir.join("trama.db").display()
            ),
        }
    }

    /// The database URL with any password replaced by `***`, for logs.
    pub fn database_url_for_log(&self) -> String {
        let url = self.database_url();
        match url::Url::parse(&url) {
            Ok(mut parsed) if parsed.password().is_some() => {
                // set_password only fails for URLs that cannot carry one, and
                // this one already does.
                let _ = parsed.set_password(Some("***"));
                parsed.to_string()
            }
            _ => url,
        }
    }

    /// The directory of the search index.
    pub fn index_dir(&self) -> PathBuf {
        self.index_dir
            .clone()
            .unwrap_or_else(|| self.data_dir.join("index"))
    }

    pub fn request_timeout(&self) -> Duration {
        Duration::from_secs(self.request_timeout_secs)
    }

    pub fn shutdown_grace(&self) -> Duration {
        Duration::from_secs(self.shutdown_grace_secs)
    }

    pub fn database_timeout(&self) -> Duration {
        Duration::from_secs(self.database_timeout_secs.max(1))
    }

    pub fn graphql_timeout(&self) -> Duration {
        Duration::from_secs(self.graphql_timeout_secs.max(1))
    }

    pub fn header_read_timeout(&self) -> Duration {
        Duration::from_secs(self.header_read_timeout_secs.max(1))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_database_is_sqlite_in_the_data_dir() {
        let settings = Settings::for_data_dir("/tmp/trama-x");
        assert_eq!(
            settings.database_url(),
            "sqlite:///tmp/trama-x/trama.db?mode=rwc"
        );
        assert_eq!(settings.index_dir(), PathBuf::from("/tmp/trama-x/index"));
    }

    #[test]
    fn the_defaults_are_the_flags_defaults() {
        let defaults = Settings::default();
        assert_eq!(
            DEFAULT_LISTEN.parse::<SocketAddr>().ok(),
            Some(defaults.listen)
        );
        assert_eq!(defaults.data_dir, PathBuf::from(DEFAULT_DATA_DIR));
    }

    #[test]
    fn passwords_never_reach_the_log() {
        let mut settings = Settings::for_data_dir("/tmp/x");
        settings.database_url = Some(Secret::new("postgres://trama:s3cret@db.example/trama"));
        let shown = settings.database_url_for_log();
        assert!(!shown.contains("s3cret"), "{shown}");
        assert!(shown.contains("***"));
        assert!(!format!("{settings:?}").contains("s3cret"));
    }
}
