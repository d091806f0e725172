//! Rate limits that stop attackers without locking out the people they
//! target, over real HTTP on both databases. The attacker's requests come
//! from other loopback addresses (127.0.0.2, 127.0.0.3), so the server sees
//! them as other clients; the victim uses 127.0.0.1. Also: the limiter's
//! memory stays bounded under a flood of junk keys, and the use-cases apply
//! their limits whoever calls them.

use std::net::IpAddr;

use serde_json::{Value, json};
use trama::error::AppError;
use trama::policy::guards::Limits;
use trama::policy::rate_limit::{Bucket, Client, DEFAULT_KEYS_PER_BUCKET, RateLimiter};
use trama::services::accounts;

use crate::helpers::{
    Backend, PASSWORD, TestApp, TestEnv, gql, gql_ok, gql_via, login, outcome, token_from_mail,
    verified_user,
};
use crate::on_both_databases;

on_both_databases!(
    asking_for_verification_links_does_not_block_a_password_reset,
    one_client_cannot_use_up_a_victims_password_resets,
    failed_sign_ins_from_elsewhere_do_not_lock_the_owner_out,
    successful_sign_ins_never_count,
    deleting_an_account_limits_password_guesses,
);

const VICTIM: &str = "vittima@example.org";
const RESEND: &str = "mutation($e: String!) { resendVerificationEmail(email: $e) }";
const RESET: &str = "mutation($e: String!) { requestPasswordReset(email: $e) }";
const LOGIN: &str =
    "mutation($e: String!, $p: String!) { login(email: $e, password: $p) { token } }";

/// A client whose requests leave from `ip` (any 127.x.y.z works on Linux).
fn client_at(ip: &str) -> reqwest::Client {
    reqwest::Client::builder()
        .local_address(ip.parse::<IpAddr>().ok())
        .build()
        .expect("HTTP client")
}

async fn anonymous(
    client: &reqwest::Client,
    app: &TestApp,
    query: &str,
    variables: Value,
) -> Value {
    gql_via(client, app, None, None, query, variables).await
}

/// Signs in as the victim with `password` from `client`; checks that the
/// outcome is `expected`.
async fn assert_sign_in(client: &reqwest::Client, app: &TestApp, password: &str, expected: &str) {
    let body = anonymous(client, app, LOGIN, json!({ "e": VICTIM, "p": password })).await;
    assert_eq!(outcome(&body), expected, "{password}: {body}");
}

async fn asking_for_verification_links_does_not_block_a_password_reset(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    gql_ok(
        &app,
        None,
        "mutation($e: String!, $p: String!) { register(email: $e, displayName: \"Vera\", password: $p) { id } }",
        json!({ "e": VICTIM, "p": PASSWORD }),
    )
    .await;
    let attacker = client_at("127.0.0.2");
    for attempt in 0..5 {
        let body = anonymous(&attacker, &app, RESEND, json!({ "e": VICTIM })).await;
        let expected = if attempt < 3 { "OK" } else { "RATE_LIMITED" };
        assert_eq!(outcome(&body), expected, "attempt {attempt}: {body}");
    }
    // The victim, from their own client, still gets a reset link, and a
    // verification link too.
    gql_ok(&app, None, RESET, json!({ "e": VICTIM })).await;
    token_from_mail(&app, VICTIM, "/account/reset");
    gql_ok(&app, None, RESEND, json!({ "e": VICTIM })).await;
    app.stop().await;
}

async fn one_client_cannot_use_up_a_victims_password_resets(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    verified_user(&app, VICTIM).await;
    for ip in ["127.0.0.2", "127.0.0.3"] {
        let attacker = client_at(ip);
        let mut refused = 0;
        for _ in 0..6 {
            let body = anonymous(&attacker, &app, RESET, json!({ "e": VICTIM })).await;
            if outcome(&body) == "RATE_LIMITED" {
                refused += 1;
                assert!(
                    body["errors"][0]["extensions"]["retryAfter"]
                        .as_u64()
                        .is_some_and(|s| s > 0),
                    "{body}"
                );
            }
        }
        assert_eq!(refused, 3, "{ip}: three links, then refused");
    }
    // Capitals and spaces make no other address.
    let attacker = client_at("127.0.0.2");
    let body = anonymous(
        &attacker,
        &app,
        RESET,
        json!({ "e": " Vittima@Example.org " }),
    )
    .await;
    assert_eq!(outcome(&body), "RATE_LIMITED", "{body}");
    // The owner still gets theirs.
    gql_ok(&app, None, RESET, json!({ "e": VICTIM })).await;
    app.stop().await;
}

async fn failed_sign_ins_from_elsewhere_do_not_lock_the_owner_out(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    verified_user(&app, VICTIM).await;
    let attacker = client_at("127.0.0.2");
    for attempt in 0..12 {
        let expected = if attempt < 10 {
            "UNAUTHENTICATED"
        } else {
            "RATE_LIMITED"
        };
        let guess = format!("tentativo numero {attempt}");
        assert_sign_in(&attacker, &app, &guess, expected).await;
    }
    // The guesser is stopped even with the right password...
    assert_sign_in(&attacker, &app, PASSWORD, "RATE_LIMITED").await;
    // ...while the owner, from their own client, signs in.
    assert!(login(&app, VICTIM, PASSWORD).await.is_ok());
    // Another client is not blocked either.
    assert_sign_in(&client_at("127.0.0.3"), &app, PASSWORD, "OK").await;
    app.stop().await;
}

async fn successful_sign_ins_never_count(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    verified_user(&app, VICTIM).await;
    for attempt in 0..15 {
        assert!(
            login(&app, VICTIM, PASSWORD).await.is_ok(),
            "sign-in {attempt}"
        );
    }
    // A success clears the failures before it.
    for round in 0..2 {
        for attempt in 0..9 {
            assert_eq!(
                login(&app, VICTIM, "password sbagliata").await,
                Err("UNAUTHENTICATED".to_owned()),
                "round {round}, attempt {attempt}"
            );
        }
        assert!(login(&app, VICTIM, PASSWORD).await.is_ok(), "round {round}");
    }
    app.stop().await;
}

async fn deleting_an_account_limits_password_guesses(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let token = verified_user(&app, VICTIM).await;
    let delete = "mutation($p: String!) { deleteMyAccount(password: $p) }";
    for attempt in 0..5 {
        let body = gql(
            &app,
            Some(&token),
            delete,
            json!({ "p": format!("indovino {attempt}") }),
        )
        .await;
        assert_eq!(
            outcome(&body),
            "UNAUTHENTICATED",
            "attempt {attempt}: {body}"
        );
    }
    // From another client too, and with the right password: the guessing
    // has to stop.
    let elsewhere = client_at("127.0.0.2");
    let body = gql_via(
        &elsewhere,
        &app,
        Some(&token),
        None,
        delete,
        json!({ "p": PASSWORD }),
    )
    .await;
    assert_eq!(outcome(&body), "RATE_LIMITED", "{body}");
    let body = gql(&app, Some(&token), "{ me { email } }", json!({})).await;
    assert_eq!(
        body["data"]["me"]["email"], VICTIM,
        "the account is still there"
    );
    app.stop().await;
}

#[test]
fn a_junk_flood_keeps_the_limiter_bounded() {
    let limiter = RateLimiter::new();
    let attacker = Client::from_ip([203, 0, 113, 9].into());
    let guessing = limiter.address_and_client_key(VICTIM, attacker);
    for _ in 0..10 {
        limiter
            .acquire(&[(Bucket::LoginFailuresPerAddressAndClient, guessing)])
            .expect("the first ten guesses")
            .keep();
    }
    for i in 0u32..100_000 {
        let junk_client = Client::from_ip(IpAddr::from(i.to_be_bytes()));
        if let Ok(permit) = limiter.acquire(&[(
            Bucket::LoginFailuresPerAddressAndClient,
            limiter.address_and_client_key(&format!("junk{i}@example.org"), junk_client),
        )]) {
            permit.keep();
        }
        // The guesser keeps trying through the flood and stays refused:
        // the flood evicts idle keys, not busy ones.
        if i % 1_000 == 0 {
            assert!(
                limiter
                    .acquire(&[(Bucket::LoginFailuresPerAddressAndClient, guessing)])
                    .is_err(),
                "after {i} junk keys"
            );
        }
    }
    assert!(
        limiter.entries() <= DEFAULT_KEYS_PER_BUCKET,
        "{} entries",
        limiter.entries()
    );
    let owner = limiter.address_and_client_key(VICTIM, Client::from_ip([198, 51, 100, 1].into()));
    assert!(
        limiter
            .acquire(&[(Bucket::LoginFailuresPerAddressAndClient, owner)])
            .is_ok()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_use_cases_apply_their_limits_whoever_calls_them() {
    // The limits are an argument of the guarded use-cases, not a step of the
    // GraphQL layer: a caller that goes straight to the services (a CLI, a
    // job, a new transport) is limited the same, and cannot leave it out.
    let env = TestEnv::new(Backend::Sqlite).await;
    let state = env.state().await;
    let limits = Limits::new(
        state.limiter.clone(),
        Client::from_ip([192, 0, 2, 7].into()),
    );
    let allowed = Bucket::PasswordResetPerAddressAndClient.limit().max;
    for _ in 0..allowed {
        accounts::new_link_token(
            &state.db,
            &limits,
            VICTIM,
            accounts::AccountLink::PasswordReset,
        )
        .await
        .expect("within the limit");
    }
    let refused = accounts::new_link_token(
        &state.db,
        &limits,
        VICTIM,
        accounts::AccountLink::PasswordReset,
    )
    .await;
    assert!(
        matches!(refused, Err(AppError::RateLimited { .. })),
        "{:?}",
        refused.map(|found| found.is_some())
    );
    for _ in 0..Bucket::LoginFailuresPerAddressAndClient.limit().max {
        let wrong = accounts::login(&state.db, &limits, VICTIM, "not the password").await;
        assert!(matches!(wrong, Err(AppError::WrongCredentials(_))));
    }
    let refused = accounts::login(&state.db, &limits, VICTIM, "not the password").await;
    assert!(matches!(refused, Err(AppError::RateLimited { .. })));
}
