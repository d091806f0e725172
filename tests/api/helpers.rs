//! Test harness: boots the real application on port 0 with its own data
//! directory (SQLite file and search index) or its own PostgreSQL schema, and
//! runs each test once per database.
//!
//! PostgreSQL tests need `TRAMA_TEST_POSTGRES_URL` (a throwaway database;
//! `scripts/test` creates one per run and drops it). Without it they are
//! reported as ignored ("skipped: no PostgreSQL"), unless
//! `TRAMA_TEST_REQUIRE_POSTGRES` is set (CI), in which case they fail. Both
//! are read when the tests are built (see `trama_test_macros`), so
//! `TRAMA_TEST_POSTGRES_URL=... cargo test` rebuilds this binary only.
//!
//! `TRAMA_TEST_MATCHING_CONFIG` names a matching weights file to use instead
//! of the built-in one: tuning on the judged fixture without a rebuild.
//!
//! `TEST_LOG=1` sends the application's logs (`RUST_LOG`, default `info`) to
//! the test's output, which libtest shows when a test fails; without it the
//! tests stay quiet.

use std::sync::Arc;
use std::time::Duration;

use sea_orm::{ConnectionTrait, DatabaseConnection};
use serde_json::{Value, json};
use tempfile::TempDir;
use trama::app::Application;
use trama::config::{Secret, Settings};
use trama::state::AppState;
use trama::store::db::{self, DbConfig};

/// The `trama` binary, speaking Italian, with no `TRAMA_*` setting of the
/// test's own environment.
pub fn trama_command() -> std::process::Command {
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_trama"));
    for (name, _) in std::env::vars_os() {
        if name.to_string_lossy().starts_with("TRAMA_") {
            command.env_remove(name);
        }
    }
    command
        .env("TRAMA_LOG", "warn")
        .env("LANG", "it_IT.UTF-8")
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES");
    command
}

/// Which database a test runs on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Runs each listed `async fn name(backend: Backend)` as two tests,
/// `name::sqlite` and `name::postgres`, so the log shows both; the second is
/// reported as ignored when the build has no PostgreSQL to test against.
/// After `web_app:`, both are also reported as ignored when the build has
/// no web app (`TRAMA_SKIP_WEB_BUILD=1`, or no npm): their tests load its
/// pages.
#[macro_export]
macro_rules! on_both_databases {
    (web_app: $($test:ident),+ $(,)?) => {$(
        $crate::on_both_databases!(@pair $test,
            [#[::trama_test_macros::needs_web_app]],
            [#[::trama_test_macros::needs_postgres(web_app)]]);
    )+};
    ($($test:ident),+ $(,)?) => {$(
        $crate::on_both_databases!(@pair $test, [], [#[::trama_test_macros::needs_postgres]]);
    )+};
    (@pair $test:ident, [$($sqlite:tt)*], [$($postgres:tt)*]) => {
        mod $test {
            $($sqlite)*
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                super::$test($crate::helpers::Backend::Sqlite).await;
            }

            $($postgres)*
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                $crate::helpers::require_postgres();
                super::$test($crate::helpers::Backend::Postgres).await;
            }
        }
    };
}

/// The limits of a guarded use-case called straight through the services
/// (set-up steps that are not what a test is about): a fresh limiter of
/// their own, as a client that did not come over the network.
pub fn limits() -> trama::policy::guards::Limits {
    trama::policy::guards::Limits::new(
        Arc::new(trama::policy::rate_limit::RateLimiter::with_capacity(64)),
        trama::policy::rate_limit::Client::unknown(),
    )
}

/// An account registered through the services with [`PASSWORD`], its
/// address verified when `verified`: the registration (with its id and
/// verification token) and a bearer token of a session.
pub async fn signed_up(
    app: &TestApp,
    email: &str,
    name: &str,
    lang: trama::domain::Lang,
    verified: bool,
) -> (trama::services::accounts::Registered, String) {
    use trama::services::accounts;
    let registered = accounts::register(app.db(), &limits(), email, name, PASSWORD, lang)
        .await
        .expect("register");
    if verified {
        accounts::verify_email(app.db(), &registered.verification_token)
            .await
            .expect("verify");
    }
    let session = accounts::login(app.db(), &limits(), email, PASSWORD)
        .await
        .expect("login");
    (registered, session.token)
}

/// The PostgreSQL settings the tests were built with: a change to either
/// variable rebuilds this binary, and with it re-runs
/// `#[trama_test_macros::needs_postgres]`, which reads the same two.
const BUILT_WITH: [(&str, Option<&str>); 2] = [
    (
        "TRAMA_TEST_POSTGRES_URL",
        option_env!("TRAMA_TEST_POSTGRES_URL"),
    ),
    (
        "TRAMA_TEST_REQUIRE_POSTGRES",
        option_env!("TRAMA_TEST_REQUIRE_POSTGRES"),
    ),
];

/// Checks, at the start of a PostgreSQL test (one not ignored at build
/// time), that a PostgreSQL URL is configured; panics when it is not:
/// `TRAMA_TEST_REQUIRE_POSTGRES` without a URL (a CI set-up error), or a
/// binary built with a URL and run without one.
pub fn require_postgres() {
    if std::env::var("TRAMA_TEST_POSTGRES_URL").is_ok_and(|url| !url.is_empty()) {
        return;
    }
    let built_with: Vec<&str> = BUILT_WITH
        .iter()
        .filter(|(_, value)| value.is_some())
        .map(|(name, _)| *name)
        .collect();
    panic!(
        "this PostgreSQL test must run (built with {}) but TRAMA_TEST_POSTGRES_URL is not set",
        built_with.join(" and ")
    );
}

/// Polls `condition` every 50 ms until it holds or `within` has passed;
/// says whether it held. Tests wait for what they expect with a generous
/// bound ([`PATIENT`]) instead of asserting how fast it happens.
pub async fn wait_until(within: Duration, mut condition: impl AsyncFnMut() -> bool) -> bool {
    let deadline = tokio::time::Instant::now() + within;
    loop {
        if condition().await {
            return true;
        }
        if tokio::time::Instant::now() >= deadline {
            return false;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// How long a test waits for something that normally takes well under a
/// second: generous, since debug builds on a busy machine are slow.
pub const PATIENT: Duration = Duration::from_secs(30);

/// With `TEST_LOG` set, installs (once per binary) a subscriber that writes
/// the application's logs through libtest's capture, so a failing test
/// shows them.
fn init_test_log() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        if std::env::var_os("TEST_LOG").is_none() {
            return;
        }
        let filter = tracing_subscriber::EnvFilter::try_from_default_env()
            .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
        let _ = tracing_subscriber::fmt()
            .with_env_filter(filter)
            .with_test_writer()
            .try_init();
    });
}

/// Fresh, isolated settings for one test: a temporary data directory and,
/// on PostgreSQL, a schema of its own in the test database.
pub struct TestEnv {
    pub settings: Settings,
    // Kept alive so the directory lives as long as the test.
    _dir: Arc<TempDir>,
}

impl TestEnv {
    pub async fn new(backend: Backend) -> Self {
        init_test_log();
        let dir = tempfile::tempdir().expect("temporary directory");
        let mut settings = Settings::for_data_dir(dir.path());
        settings.log = "warn".to_owned();
        settings.matching_config =
            std::env::var_os("TRAMA_TEST_MATCHING_CONFIG").map(std::path::PathBuf::from);
        if backend == Backend::Postgres {
            let url = std::env::var("TRAMA_TEST_POSTGRES_URL").expect("TRAMA_TEST_POSTGRES_URL");
            let schema = format!("t_{}", uuid::Uuid::now_v7().simple());
            let admin = db::connect(&DbConfig {
                url: url.clone(),
                max_connections: 2,
                schema: None,
                timeout: DbConfig::DEFAULT_TIMEOUT,
            })
            .await
            .expect("connect to the PostgreSQL test database");
            admin
                .execute_unprepared(&format!("CREATE SCHEMA \"{schema}\""))
                .await
                .expect("create the test schema");
            admin.close().await.expect("close admin connection");
            settings.database_url = Some(Secret::new(url));
            settings.database_schema = Some(schema);
            settings.database_max_connections = 4;
        }
        Self {
            settings,
            _dir: Arc::new(dir),
        }
    }

    /// Opens the application state (migrated database, open index).
    pub async fn state(&self) -> AppState {
        AppState::open(self.settings.clone())
            .await
            .expect("open the application state")
    }
}

/// A running server and a client for it.
pub struct TestApp {
    pub address: String,
    pub client: reqwest::Client,
    pub state: AppState,
    pub env: TestEnv,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    server: Option<tokio::task::JoinHandle<anyhow::Result<()>>>,
}

impl TestApp {
    pub async fn spawn(backend: Backend) -> Self {
        let env = TestEnv::new(backend).await;
        Self::spawn_in(env).await
    }

    pub async fn spawn_in(env: TestEnv) -> Self {
        let state = env.state().await;
        let app = Application::with_state(state.clone()).await.expect("bind");
        let address = format!("http://127.0.0.1:{}", app.port());
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let server = tokio::spawn(app.run_until(async move {
            let _ = stopped.await;
        }));
        Self {
            address,
            client: reqwest::Client::new(),
            state,
            env,
            stop: Some(stop),
            server: Some(server),
        }
    }

    pub fn db(&self) -> &DatabaseConnection {
        &self.state.db
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client.get(self.url(path)).send().await.expect("GET")
    }

    /// Sends a GraphQL operation and returns the whole JSON response.
    pub async fn graphql(&self, query: &str, variables: serde_json::Value) -> serde_json::Value {
        self.client
            .post(self.url("/graphql"))
            .json(&serde_json::json!({ "query": query, "variables": variables }))
            .send()
            .await
            .expect("POST /graphql")
            .json()
            .await
            .expect("GraphQL response is JSON")
    }

    /// Stops the server the way SIGTERM does and waits for it.
    pub async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(server) = self.server.take() {
            server.await.expect("server task").expect("server result");
        }
    }
}

/// The password of every test account.
pub const PASSWORD: &str = "una password lunga 2026";

/// The audit log, oldest entry first.
pub async fn audit_rows(app: &TestApp) -> Vec<trama::store::entities::audit_log::Model> {
    use sea_orm::{EntityTrait, QueryOrder};
    use trama::store::entities::audit_log;
    audit_log::Entity::find()
        .order_by_asc(audit_log::Column::Id)
        .all(app.db())
        .await
        .expect("audit log")
}

/// How many rows of the entity `E` meet `condition` (a column comparison,
/// or several joined with `.and`; `Condition::all()` for every row).
pub async fn count_where<E>(
    db: &impl ConnectionTrait,
    condition: impl sea_orm::sea_query::IntoCondition,
) -> u64
where
    E: sea_orm::EntityTrait,
    E::Model: Sync,
{
    use sea_orm::{PaginatorTrait, QueryFilter};
    E::find()
        .filter(condition)
        .count(db)
        .await
        .unwrap_or_else(|e| panic!("count the rows of {}: {e}", std::any::type_name::<E>()))
}

/// What `pick` takes of each entry of the audit log, oldest entry first.
pub async fn audit_entries<T>(
    app: &TestApp,
    pick: impl FnMut(trama::store::entities::audit_log::Model) -> T,
) -> Vec<T> {
    audit_rows(app).await.into_iter().map(pick).collect()
}

/// Sends a GraphQL operation with an optional bearer token.
pub async fn gql(app: &TestApp, token: Option<&str>, query: &str, variables: Value) -> Value {
    gql_via(&app.client, app, token, None, query, variables).await
}

/// Like [`gql`], and asserts that the call succeeded (no error); returns the
/// whole response.
pub async fn gql_ok(app: &TestApp, token: Option<&str>, query: &str, variables: Value) -> Value {
    let body = gql(app, token, query, variables).await;
    assert_eq!(outcome(&body), "OK", "{body}");
    body
}

/// Like [`gql`], and asserts that the call was refused with the error code
/// `code` (`"NOT_FOUND"`, `"BAD_USER_INPUT"`...); returns the whole response.
pub async fn gql_refused(
    app: &TestApp,
    token: Option<&str>,
    query: &str,
    variables: Value,
    code: &str,
) -> Value {
    let body = gql(app, token, query, variables).await;
    assert_eq!(outcome(&body), code, "{body}");
    body
}

/// Asserts that `query` with `variables` is refused to an anonymous
/// caller (UNAUTHENTICATED) and to the holder of `outsider`, signed in but
/// with no say over the record (FORBIDDEN).
pub async fn assert_refused_to_outsiders(
    app: &TestApp,
    outsider: &str,
    query: &str,
    variables: &Value,
) {
    for (token, code) in [(None, "UNAUTHENTICATED"), (Some(outsider), "FORBIDDEN")] {
        let body = gql(app, token, query, variables.clone()).await;
        assert_eq!(outcome(&body), code, "{query}: {body}");
    }
}

/// `setHidden` on any kind of record, with the reason optional.
const SET_HIDDEN: &str = "mutation($k: HideableKind!, $id: ID!, $h: Boolean!, $r: String) { setHidden(kind: $k, id: $id, hidden: $h, reason: $r) }";

/// Hides the record `id` of `kind` (ORGANIZATION, OFFER, NEED) for
/// `reason`, as the moderator holding `token`; asserts that it is done.
pub async fn hide(app: &TestApp, token: &str, kind: &str, id: &str, reason: &str) {
    let variables = json!({ "k": kind, "id": id, "h": true, "r": reason });
    let body = gql_ok(app, Some(token), SET_HIDDEN, variables).await;
    assert_eq!(body["data"]["setHidden"], true, "{body}");
}

/// Shows again the record `id` of `kind` that [`hide`] hid, as the
/// moderator holding `token`; asserts that it is done.
pub async fn unhide(app: &TestApp, token: &str, kind: &str, id: &str) {
    let variables = json!({ "k": kind, "id": id, "h": false });
    let body = gql_ok(app, Some(token), SET_HIDDEN, variables).await;
    assert_eq!(body["data"]["setHidden"], true, "{body}");
}

/// The memberships of the signed-in holder of `token` (each with its role
/// and its organisation's id); asserts the read succeeds.
pub async fn memberships_of(app: &TestApp, token: &str) -> Value {
    let query = "{ me { memberships { role organization { id } } } }";
    let body = gql_ok(app, Some(token), query, json!({})).await;
    body["data"]["me"]["memberships"].clone()
}

/// The search hits for `query` with `filter`, as `token`'s holder sees
/// them, each hit with the fields `node` selects.
pub async fn search_nodes(
    app: &TestApp,
    token: Option<&str>,
    query: &str,
    filter: Value,
    node: &str,
) -> Vec<Value> {
    let body = gql_ok(
        app,
        token,
        &format!(
            "query($q: String!, $f: SearchFilter) {{ search(query: $q, filter: $f) {{ edges {{ node {{ {node} }} }} }} }}"
        ),
        json!({ "q": query, "f": filter }),
    )
    .await;
    body["data"]["search"]["edges"]
        .as_array()
        .expect("edges")
        .iter()
        .map(|e| e["node"].clone())
        .collect()
}

/// A need's API input: a social concierge service in San Siro (Milano)
/// asking for competences, titled `title`.
pub fn need_input(title: &str) -> Value {
    json!({
        "kind": "SOCIAL_CONCIERGE",
        "title": title,
        "neighbourhoodId": trama::services::reference_data::neighbourhood_id(
            trama::services::reference_data::MILANO,
            "57",
        )
        .to_string(),
        "requiredContributions": ["COMPETENCE"],
    })
}

/// San Siro, Milano's NIL 57, as stored.
pub async fn san_siro(db: &impl ConnectionTrait) -> trama::store::entities::neighbourhoods::Model {
    use sea_orm::EntityTrait;
    use trama::services::reference_data::{MILANO, neighbourhood_id};
    trama::store::entities::neighbourhoods::Entity::find_by_id(neighbourhood_id(MILANO, "57"))
        .one(db)
        .await
        .expect("query")
        .expect("San Siro")
}

/// Publishes, through the services as `actor`, the need of `org` that
/// `input` describes (the services' spelling: `"kind": "social_mediation"`);
/// returns its id.
pub async fn service_need(
    db: &DatabaseConnection,
    actor: &trama::services::Actor,
    org: uuid::Uuid,
    input: Value,
) -> uuid::Uuid {
    let input = serde_json::from_value(input).expect("need input");
    trama::services::needs::create(db, actor, org, &input)
        .await
        .expect("need")
        .id
}

/// An informal group (it needs no tax code) named `name`, described by
/// `description`, registered by the system.
pub async fn informal_group(
    db: &DatabaseConnection,
    name: &str,
    description: &str,
) -> trama::store::entities::organizations::Model {
    let input = trama::domain::OrganizationInput {
        name: name.into(),
        kind: "informal_group".into(),
        description: description.into(),
        ..Default::default()
    };
    trama::services::organizations::create(
        db,
        &trama::services::Actor::system("test"),
        &input,
        None,
    )
    .await
    .expect("organisation")
}

/// POSTs the GraphQL document `query` asking for the response as `accept`,
/// in `lang`; returns the HTTP status and the JSON body (null when the body
/// is not JSON).
pub async fn post_document(app: &TestApp, query: &str, accept: &str, lang: &str) -> (u16, Value) {
    let response = app
        .client
        .post(app.url("/graphql"))
        .header("accept", accept)
        .header("accept-language", lang)
        .json(&json!({ "query": query }))
        .send()
        .await
        .expect("POST /graphql");
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

/// Imports the organisations of `table`, a file named `source_name`, read
/// with `mapping`, as the system (all or nothing when asked; never a dry
/// run). Fails as [`import_organizations`](trama::services::import::import_organizations) does.
pub async fn import_table(
    app: &TestApp,
    table: &trama::services::registry_file::SourceTable,
    mapping: &trama::domain::registry::ColumnMapping,
    source_name: &str,
    all_or_nothing: bool,
) -> Result<trama::services::import::ImportReport, trama::services::import::ImportError> {
    let options = trama::services::import::ImportOptions {
        source_name: source_name.to_owned(),
        all_or_nothing,
        dry_run: false,
    };
    let system = trama::services::Actor::system("test");
    trama::services::import::import_organizations(
        app.db(),
        &system,
        table,
        mapping,
        &options,
        &mut |_| {},
    )
    .await
}

/// Like [`gql`], through `client` (e.g. one bound to another loopback
/// address, to stand for another client), with an `Accept-Language` header
/// when given (`Some("en")`: English messages).
pub async fn gql_via(
    client: &reqwest::Client,
    app: &TestApp,
    token: Option<&str>,
    language: Option<&str>,
    query: &str,
    variables: Value,
) -> Value {
    let mut request = client
        .post(app.url("/graphql"))
        .json(&json!({ "query": query, "variables": variables }));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    if let Some(language) = language {
        request = request.header("Accept-Language", language);
    }
    request
        .send()
        .await
        .expect("POST /graphql")
        .json()
        .await
        .expect("JSON response")
}

/// The items of the JSON list `value`; none when it is not a list (a
/// missing field, `null`).
pub fn items(value: &Value) -> Vec<Value> {
    value.as_array().cloned().unwrap_or_default()
}

/// The error code of the first error, or "OK" when there is none.
pub fn outcome(body: &Value) -> String {
    body["errors"][0]["extensions"]["code"]
        .as_str()
        .map(str::to_owned)
        .unwrap_or_else(|| {
            assert!(body.get("errors").is_none(), "error without code: {body}");
            "OK".to_owned()
        })
}

/// The token in the newest e-mail sent to `to` whose link contains `path`.
pub fn token_from_mail(app: &TestApp, to: &str, path: &str) -> String {
    let dir = app.env.settings.data_dir.join("mail");
    let mut found: Vec<(std::time::SystemTime, String)> = Vec::new();
    for entry in std::fs::read_dir(&dir).expect("mail directory").flatten() {
        let raw = std::fs::read_to_string(entry.path()).unwrap_or_default();
        // Undo quoted-printable soft line breaks and escapes.
        let text = raw
            .replace("=\r\n", "")
            .replace("=\n", "")
            .replace("=3D", "=");
        if !text.contains(to) {
            continue;
        }
        let marker = format!("{path}?token=");
        if let Some(start) = text.find(&marker) {
            let token: String = text[start + marker.len()..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
                .collect();
            let modified = entry.metadata().and_then(|m| m.modified()).expect("mtime");
            found.push((modified, token));
        }
    }
    found.sort();
    found
        .pop()
        .map(|(_, t)| t)
        .unwrap_or_else(|| panic!("no e-mail to {to} with {path}"))
}

/// Registers, verifies and signs in; returns the bearer token.
pub async fn verified_user(app: &TestApp, email: &str) -> String {
    gql_ok(
        app,
        None,
        "mutation($e: String!, $p: String!) { register(email: $e, displayName: \"Maria Rossi\", password: $p) { id emailVerified } }",
        json!({ "e": email, "p": PASSWORD }),
    )
    .await;
    let token = token_from_mail(app, email, "/account/verify");
    let body = gql(
        app,
        None,
        "mutation($t: String!) { verifyEmail(token: $t) { emailVerified } }",
        json!({ "t": token }),
    )
    .await;
    assert_eq!(body["data"]["verifyEmail"]["emailVerified"], true, "{body}");
    login(app, email, PASSWORD).await.expect("login")
}

pub async fn login(app: &TestApp, email: &str, password: &str) -> Result<String, String> {
    let body = gql(
        app,
        None,
        "mutation($e: String!, $p: String!) { login(email: $e, password: $p) { token user { email } } }",
        json!({ "e": email, "p": password }),
    )
    .await;
    match body["data"]["login"]["token"].as_str() {
        Some(token) => Ok(token.to_owned()),
        None => Err(outcome(&body)),
    }
}

/// DCG of the first `k` grades in rank order: gain 2^rel − 1, discount
/// log2(rank + 1).
fn dcg_at(k: usize, grades: impl IntoIterator<Item = u8>) -> f64 {
    grades
        .into_iter()
        .take(k)
        .enumerate()
        .map(|(i, rel)| (f64::from(2u32.pow(u32::from(rel))) - 1.0) / (i as f64 + 2.0).log2())
        .sum::<f64>()
        // An empty sum is -0.0; print it as 0.
        + 0.0
}

/// nDCG@k of a ranking (keys, best first) against graded judgements (keys
/// not judged count 0).
pub fn ndcg_at(k: usize, ranked: &[String], judged: &std::collections::HashMap<String, u8>) -> f64 {
    let mut ideal: Vec<u8> = judged.values().copied().collect();
    ideal.sort_unstable_by(|a, b| b.cmp(a));
    let idcg = dcg_at(k, ideal);
    assert!(idcg > 0.0, "a judged query needs a relevant record");
    dcg_at(
        k,
        ranked
            .iter()
            .map(|key| judged.get(key).copied().unwrap_or(0)),
    ) / idcg
}

/// Loads the municipalities and Milano's neighbourhoods (NIL), where most
/// scenarios place their records.
pub async fn load_territories(db: &DatabaseConnection) {
    trama::services::reference_data::load_municipalities(db)
        .await
        .expect("municipalities");
    trama::services::reference_data::load_milano_neighbourhoods(db)
        .await
        .expect("neighbourhoods");
}

/// The hits of `request` ranked by text relevance alone (no highlights, no
/// facets): the baseline the relevance checks judge.
pub async fn text_ranked_hits(
    app: &TestApp,
    mut request: trama::search::SearchRequest,
) -> Vec<trama::search::SearchHit> {
    request.ranking = trama::search::Ranking::text_only();
    request.highlights = false;
    request.facets = false;
    app.state.search.search(request).await.expect("search").hits
}

/// Registers an organisation through the API as the user of `token`;
/// returns its id.
pub async fn new_organization(app: &TestApp, token: &str, input: Value) -> String {
    let body = gql_ok(
        app,
        Some(token),
        "mutation($input: OrganizationInput!) { createOrganization(input: $input) { id } }",
        json!({ "input": input }),
    )
    .await;
    body["data"]["createOrganization"]["id"]
        .as_str()
        .expect("id")
        .to_owned()
}

/// A signed-in admin of a new social co-operative: (token, organisation id).
pub async fn member_with_organization(app: &TestApp) -> (String, String) {
    let token = verified_user(app, "anna@example.org").await;
    let org = new_organization(
        app,
        &token,
        json!({
            "name": "Portinerie di Comunità",
            "kind": "SOCIAL_COOPERATIVE_A",
            "taxCode": "95745878934",
            "description": "Portierato sociale nei caseggiati.",
            "seatMunicipalityCode": trama::services::reference_data::MILANO,
            "sectors": ["welfare_comunita"],
        }),
    )
    .await;
    (token, org)
}

/// Makes every committed change searchable, however busy the machine: a
/// server's job worker shares the database with the indexer, so one refresh
/// (which gives up after two seconds) may not be enough after a bulk load.
pub async fn caught_up(search: &trama::search::Search) -> bool {
    for _ in 0..10 {
        if search.refresh().await {
            return true;
        }
    }
    false
}

/// A WebSocket to the test server.
pub type WebSocket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// Opens `/graphql/ws` with graphql-transport-ws (and `Accept-Language`
/// when given), says `connection_init` and waits for the server's ack.
pub async fn graphql_ws(app: &TestApp, accept_language: Option<&str>) -> WebSocket {
    graphql_ws_with(app, accept_language, json!({})).await
}

/// [`graphql_ws`] with a `connection_init` payload, e.g. a bearer token.
pub async fn graphql_ws_with(
    app: &TestApp,
    accept_language: Option<&str>,
    payload: Value,
) -> WebSocket {
    use futures_util::{SinkExt, StreamExt};
    use tokio_tungstenite::tungstenite::Message;
    use tokio_tungstenite::tungstenite::client::IntoClientRequest;

    let url = app.url("/graphql/ws").replace("http://", "ws://");
    let mut request = url.into_client_request().expect("request");
    request.headers_mut().insert(
        "Sec-WebSocket-Protocol",
        "graphql-transport-ws".parse().expect("header"),
    );
    if let Some(lang) = accept_language {
        request
            .headers_mut()
            .insert("Accept-Language", lang.parse().expect("header"));
    }
    let (mut socket, _) = tokio_tungstenite::connect_async(request)
        .await
        .expect("connect");
    socket
        .send(Message::text(
            json!({ "type": "connection_init", "payload": payload }).to_string(),
        ))
        .await
        .expect("init");
    loop {
        let message = tokio::time::timeout(std::time::Duration::from_secs(10), socket.next())
            .await
            .expect("the ack within 10 s")
            .expect("socket open")
            .expect("message");
        if let Message::Text(text) = message {
            let value: Value = serde_json::from_str(&text).expect("JSON message");
            assert_eq!(value["type"], "connection_ack", "{value}");
            return socket;
        }
    }
}

/// Executes `request` through the GraphQL schema (no HTTP) on a copy of
/// `state` whose connection records its statements; panics on GraphQL
/// errors. Returns the data and the SQL of each statement the request
/// issued (cut to 120 characters).
pub async fn execute_recording_statements(
    state: &AppState,
    request: async_graphql::Request,
) -> (Value, Vec<String>) {
    let statements = Arc::new(std::sync::Mutex::new(Vec::new()));
    let mut db = state.db.clone();
    let recorder = statements.clone();
    db.set_metric_callback(move |info| {
        let sql: String = info.statement.sql.chars().take(120).collect();
        recorder
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .push(sql);
    });
    let recorded = AppState {
        db,
        ..state.clone()
    };
    let response = trama::graphql::build_schema(recorded)
        .execute(request)
        .await;
    assert!(response.errors.is_empty(), "{:?}", response.errors);
    let issued = statements
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .clone();
    (response.data.into_json().expect("JSON data"), issued)
}
