//! The clients Trama opens over TCP set `TCP_NODELAY`: the mailer's SMTP
//! connections (lettre) and the PostgreSQL pool's (sqlx). Without it every
//! message sent, and many statements, waited about 40 ms for Nagle's
//! algorithm against the server's delayed ACK (issue 17). Both come from the
//! patched crates in `vendor/` until the fixed releases are out: these
//! tests fail if an update drops a patch too early. The client's socket is
//! found among the process's own descriptors (`/proc/self/fd`, copied with
//! `pidfd_getfd`) and asked for the option; nothing is timed.
#![cfg(target_os = "linux")]

use std::net::{SocketAddr, TcpStream};
use std::os::fd::OwnedFd;
use std::os::unix::fs::FileTypeExt as _;

use rustix::process::{PidfdFlags, PidfdGetfdFlags, getpid, pidfd_getfd, pidfd_open};
use sea_orm::{ConnectionTrait as _, DbBackend, Statement};
use trama::store::db::{self, DbConfig};

use crate::mail::{mailer_for, simple_email};
use crate::smtp_server::SmtpServer;

/// `TCP_NODELAY` of each TCP socket of this process that `wanted` picks by
/// its local and peer addresses.
fn nodelay_of(wanted: impl Fn(SocketAddr, SocketAddr) -> bool) -> Vec<bool> {
    let pidfd = pidfd_open(getpid(), PidfdFlags::empty()).expect("pidfd_open on this process");
    let mut found = Vec::new();
    for entry in std::fs::read_dir("/proc/self/fd").expect("read /proc/self/fd") {
        let Ok(entry) = entry else { continue };
        // Sockets only: closing a copy of a file's descriptor would release
        // this process's POSIX locks on the file (SQLite's, in other tests).
        let is_socket = std::fs::read_link(entry.path())
            .is_ok_and(|target| target.to_string_lossy().starts_with("socket:"));
        let number = entry.file_name().to_str().and_then(|n| n.parse().ok());
        let Some(number) = number.filter(|_| is_socket) else {
            continue;
        };
        let Ok(copy) = pidfd_getfd(&pidfd, number, PidfdGetfdFlags::empty()) else {
            continue;
        };
        let file = std::fs::File::from(copy);
        if !file.metadata().is_ok_and(|m| m.file_type().is_socket()) {
            // Closed and reused for a file since it was listed: leaked
            // rather than closed, for the same reason.
            std::mem::forget(file);
            continue;
        }
        let stream = TcpStream::from(OwnedFd::from(file));
        if let (Ok(local), Ok(peer)) = (stream.local_addr(), stream.peer_addr())
            && wanted(local, peer)
        {
            found.push(stream.nodelay().expect("read TCP_NODELAY"));
        }
    }
    found
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_mailers_smtp_connections_set_tcp_nodelay() {
    let server = SmtpServer::start().await;
    let mailer = mailer_for(&server);
    mailer
        .send(simple_email("Nagle"))
        .await
        .expect("the message is sent");
    // The pool keeps the connection open after the send.
    let found = nodelay_of(|_, peer| peer == server.addr());
    mailer.shutdown().await;
    assert!(!found.is_empty(), "no connection to the SMTP server found");
    assert!(
        found.iter().all(|on| *on),
        "an SMTP connection without TCP_NODELAY: is the lettre patch in vendor/ still used?"
    );
}

#[trama_test_macros::needs_postgres]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_postgresql_connections_set_tcp_nodelay() {
    crate::helpers::require_postgres();
    let url = std::env::var("TRAMA_TEST_POSTGRES_URL").expect("TRAMA_TEST_POSTGRES_URL");
    let db = db::connect(&DbConfig {
        url,
        max_connections: 1,
        schema: None,
        timeout: DbConfig::DEFAULT_TIMEOUT,
    })
    .await
    .expect("connect to PostgreSQL");
    // The server names the connection's two ports (NULL over a Unix socket).
    let row = db
        .query_one_raw(Statement::from_string(
            DbBackend::Postgres,
            "SELECT inet_client_port() AS client, inet_server_port() AS server",
        ))
        .await
        .expect("ask for the ports")
        .expect("a row");
    let client: Option<i32> = row.try_get("", "client").expect("client port");
    let server: Option<i32> = row.try_get("", "server").expect("server port");
    // Over a Unix socket there is no TCP option to check, and a test that
    // did not check must not pass: it says why it cannot run.
    let (Some(client), Some(server)) = (client, server) else {
        panic!(
            "cannot check TCP_NODELAY: TRAMA_TEST_POSTGRES_URL connects over a Unix socket; \
             point it at PostgreSQL over TCP (e.g. postgres://postgres@127.0.0.1:5432/...)"
        );
    };
    let found = nodelay_of(|local, peer| {
        i32::from(local.port()) == client && i32::from(peer.port()) == server
    });
    db.close().await.expect("close");
    assert_eq!(found.len(), 1, "the pool's connection was not found");
    assert!(
        found[0],
        "a PostgreSQL connection without TCP_NODELAY: is the sqlx-core patch in vendor/ still used?"
    );
}
