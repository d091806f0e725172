//! Graceful shutdown of the real `trama` binary: on SIGTERM it stops taking
//! connections, finishes the request in flight, and exits cleanly.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// A free port on loopback (bound, then released for the server to take).
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("free port")
}

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_finishes_the_request_in_flight_then_exits() {
    let dir = tempfile::tempdir().expect("tempdir");
    let port = free_port();
    let mut server = Command::new(env!("CARGO_BIN_EXE_trama"))
        .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
        .arg("--data-dir")
        .arg(dir.path())
        .env("TRAMA_LOG", "info")
        .env_remove("TRAMA_DATABASE_URL")
        .stderr(Stdio::piped())
        .spawn()
        .expect("start trama");
    let stderr = server.stderr.take().expect("stderr");
    let (log_tx, log_rx) = std::sync::mpsc::channel::<String>();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            let _ = log_tx.send(line);
        }
    });
    // Wait until it listens.
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    let mut stream = loop {
        if let Ok(stream) = TcpStream::connect(("127.0.0.1", port)).await {
            break stream;
        }
        assert!(std::time::Instant::now() < deadline, "server did not start");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };

    // Start a request and send only half of its body.
    let body = br#"{"query":"{ platformStats { municipalities } }"}"#;
    let (first, rest) = body.split_at(body.len() / 2);
    let head = format!(
        "POST /graphql HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).await.expect("write head");
    stream.write_all(first).await.expect("write half");
    tokio::time::sleep(Duration::from_millis(300)).await;

    let status = Command::new("kill")
        .args(["-TERM", &server.id().to_string()])
        .status()
        .expect("kill");
    assert!(status.success());
    // Wait for the server to acknowledge the signal before finishing the body.
    let acknowledged = (0..100).any(|_| {
        log_rx
            .recv_timeout(Duration::from_millis(100))
            .is_ok_and(|line| line.contains("shutting down"))
    });
    assert!(acknowledged, "no shutdown log line");

    // New connections are refused...
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(
        TcpStream::connect(("127.0.0.1", port)).await.is_err(),
        "still accepting"
    );

    // ...but the request in flight completes.
    stream.write_all(rest).await.expect("write rest");
    let mut response = String::new();
    stream
        .read_to_string(&mut response)
        .await
        .expect("read response");
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    assert!(
        response.contains(r#"{"data":{"platformStats":{"municipalities":"#),
        "{response}"
    );

    let exit = tokio::task::spawn_blocking(move || server.wait())
        .await
        .expect("join")
        .expect("wait");
    assert!(exit.success(), "exit status {exit:?}");
}
