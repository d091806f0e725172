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
/// flags win. The defaults need no set-up at all.
#[derive(Clone, Debug, clap::Args)]
pub struct Settings {
    /// Address and port the HTTP server listens on.
    #[arg(
        long,
        env = "TRAMA_LISTEN",
        default_value = "127.0.0.1:8080",
        global = true
    )]
    pub listen: SocketAddr,

    /// Directory for the SQLite database, the search index and other local state.
    #[arg(long, env = "TRAMA_DATA_DIR", default_value = "./data", global = true)]
    pub data_dir: PathBuf,

    /// Database URL: `sqlite://PATH` or `postgres://USER@HOST/DB`.
    /// Default: the SQLite file `trama.db` in the data directory.
    #[arg(
        long,
        env = "TRAMA_DATABASE_URL",
        global = true,
        hide_env_values = true
    )]
    pub database_url: Option<Secret>,

    /// Maximum number of pooled database connections.
    #[arg(
        long,
        env = "TRAMA_DATABASE_MAX_CONNECTIONS",
        default_value_t = 10,
        global = true
    )]
    pub database_max_connections: u32,

    /// Longest wait, in seconds, for a database connection from the pool
    /// (and, on SQLite, for another process's write lock) before a request
    /// answers UNAVAILABLE.
    #[arg(
        long,
        env = "TRAMA_DATABASE_TIMEOUT_SECS",
        default_value_t = 5,
        global = true
    )]
    pub database_timeout_secs: u64,

    /// PostgreSQL schema to use (tests isolate themselves with one schema each).
    #[arg(long, env = "TRAMA_DATABASE_SCHEMA", global = true)]
    pub database_schema: Option<String>,

    /// Directory of the search index. Default: `index` in the data directory.
    #[arg(long, env = "TRAMA_INDEX_DIR", global = true)]
    pub index_dir: Option<PathBuf>,

    /// The match engine's weights and rules (TOML). Default: the built-in
    /// `assets/matching/weights.toml`.
    #[arg(long, env = "TRAMA_MATCHING_CONFIG", global = true)]
    pub matching_config: Option<PathBuf>,

    /// Public address of the platform, used in links sent by e-mail.
    #[arg(
        long,
        env = "TRAMA_PUBLIC_URL",
        default_value = "http://localhost:8080",
        global = true
    )]
    pub public_url: String,

    /// Serve the GraphiQL explorer at GET /graphql.
    #[arg(long, env = "TRAMA_GRAPHIQL", default_value_t = true, action = clap::ArgAction::Set, global = true)]
    pub graphiql: bool,

    /// Seconds after which a request is abandoned with 408.
    #[arg(
        long,
        env = "TRAMA_REQUEST_TIMEOUT_SECS",
        default_value_t = 30,
        global = true
    )]
    pub request_timeout_secs: u64,

    /// Longest a GraphQL operation may run, in seconds, over HTTP and over
    /// WebSocket alike; past it the operation is stopped (its work
    /// cancelled) and answers UNAVAILABLE.
    #[arg(
        long,
        env = "TRAMA_GRAPHQL_TIMEOUT_SECS",
        default_value_t = 10,
        global = true
    )]
    pub graphql_timeout_secs: u64,

    /// Seconds a connection has to send a request's headers, counted from
    /// its opening or from the end of its previous response: slow and idle
    /// connections are closed after it.
    #[arg(
        long,
        env = "TRAMA_HEADER_READ_TIMEOUT_SECS",
        default_value_t = 10,
        global = true
    )]
    pub header_read_timeout_secs: u64,

    /// Most connections served at once (WebSockets included); more wait to
    /// be accepted. Lowered at start to stay below the process's limit of
    /// open files.
    #[arg(
        long,
        env = "TRAMA_MAX_CONNECTIONS",
        default_value_t = 1024,
        global = true
    )]
    pub max_connections: usize,

    /// Largest accepted request body, in bytes.
    #[arg(
        long,
        env = "TRAMA_MAX_BODY_BYTES",
        default_value_t = 1_048_576,
        global = true
    )]
    pub max_body_bytes: usize,

    /// Seconds given to in-flight requests to finish after SIGTERM/SIGINT.
    #[arg(
        long,
        env = "TRAMA_SHUTDOWN_GRACE_SECS",
        default_value_t = 30,
        global = true
    )]
    pub shutdown_grace_secs: u64,

    /// SMTP server for outgoing mail, e.g. `smtp://127.0.0.1:2525`,
    /// `smtp://user:pass@mail.example.org?tls=required` (STARTTLS) or
    /// `smtps://user:pass@mail.example.org` (TLS). Unset: each message is
    /// written as an .eml file in `<data dir>/mail/`.
    #[arg(long, env = "TRAMA_SMTP_URL", global = true, hide_env_values = true)]
    pub smtp_url: Option<Secret>,

    /// Seconds between two runs of the digest scheduler (plan what is due,
    /// send what can be claimed); 0 turns it off in this process.
    #[arg(
        long,
        env = "TRAMA_DIGEST_POLL_SECS",
        default_value_t = 5,
        global = true
    )]
    pub digest_poll_secs: u64,

    /// Sender address of outgoing mail.
    #[arg(
        long,
        env = "TRAMA_MAIL_FROM",
        default_value = "Trama <noreply@trama.localhost>",
        global = true
    )]
    pub mail_from: String,

    /// Log filter in `tracing` syntax, e.g. `info` or `trama=debug,sqlx=warn`.
    #[arg(
        long,
        env = "TRAMA_LOG",
        default_value = "info,sqlx=warn,sea_orm=warn,tantivy=warn",
        global = true
    )]
    pub log: String,

    /// Log format.
    #[arg(long, env = "TRAMA_LOG_FORMAT", value_enum, default_value_t = LogFormat::Pretty, global = true)]
    pub log_format: LogFormat,
}

impl Settings {
    /// Settings for tests and embedding: the defaults, rooted at `data_dir`,
    /// listening on an ephemeral port.
    pub fn for_data_dir(data_dir: impl Into<PathBuf>) -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            data_dir: data_dir.into(),
            database_url: None,
            database_max_connections: 10,
            database_timeout_secs: 5,
            database_schema: None,
            index_dir: None,
            matching_config: None,
            public_url: "http://localhost:8080".to_owned(),
            graphiql: true,
            request_timeout_secs: 30,
            graphql_timeout_secs: 10,
            header_read_timeout_secs: 10,
            max_connections: 1024,
            max_body_bytes: 1_048_576,
            shutdown_grace_secs: 30,
            smtp_url: None,
            digest_poll_secs: 5,
            mail_from: "Trama <noreply@trama.localhost>".to_owned(),
            log: "info".to_owned(),
            log_format: LogFormat::Pretty,
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
    fn passwords_never_reach_the_log() {
        let mut settings = Settings::for_data_dir("/tmp/x");
        settings.database_url = Some(Secret::new("postgres://trama:s3cret@db.example/trama"));
        let shown = settings.database_url_for_log();
        assert!(!shown.contains("s3cret"), "{shown}");
        assert!(shown.contains("***"));
        assert!(!format!("{settings:?}").contains("s3cret"));
    }
}
