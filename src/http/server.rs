//! Serving connections: the accept loop around hyper, with the limits
//! `axum::serve` (0.8) does not offer.
//!
//! - **Header read timeout**: a connection must send a request's headers
//!   within `TRAMA_HEADER_READ_TIMEOUT_SECS`, counted from its opening or
//!   from the end of its previous response, so half-sent requests (a
//!   slowloris) and idle keep-alive connections are closed.
//! - **Connection cap**: at most `TRAMA_MAX_CONNECTIONS` sockets at once,
//!   WebSockets included (a slot is held as long as its socket is open);
//!   further clients wait in the listen backlog until one frees, rather
//!   than running the process out of file descriptors. The cap is lowered
//!   at start to stay below the process's open-file limit.
//! - **Accept errors** (too many open files) pause accepting briefly
//!   instead of spinning or giving up.
//! - `TCP_NODELAY`, the client's address as axum's `ConnectInfo`, and
//!   graceful shutdown: on the stop signal the listener closes at once,
//!   idle connections close, and requests in flight finish.
//!
//! HTTP/1.1 only: HTTP/2 without TLS (h2c) is used by no browser, and hyper
//! has no header timeout for it, so serving it would reopen the hole.

use std::future::Future;
use std::io;
use std::pin::{Pin, pin};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::ConnectInfo;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{OwnedSemaphorePermit, Semaphore, watch};
use tokio::task::JoinSet;
use tower::ServiceExt;

/// The limits of [`serve`].
#[derive(Clone, Copy, Debug)]
pub struct ServerLimits {
    pub header_read_timeout: Duration,
    pub max_connections: usize,
}

/// File descriptors kept for everything but client sockets: the database
/// pool, the search index's segment files, mail, logs.
const RESERVED_DESCRIPTORS: u64 = 256;
/// The fewest connections the cap is lowered to.
const MIN_CONNECTIONS: usize = 16;
/// How long accepting pauses after an error such as "too many open files".
const ACCEPT_ERROR_PAUSE: Duration = Duration::from_millis(100);

/// The connection cap in force: the configured one, lowered (with a
/// warning) so that the connections and [`RESERVED_DESCRIPTORS`] fit in the
/// process's open-file limit.
pub fn effective_max_connections(configured: usize) -> usize {
    let Some(limit) = open_file_limit() else {
        return configured.max(1);
    };
    let fits = usize::try_from(limit.saturating_sub(RESERVED_DESCRIPTORS))
        .unwrap_or(usize::MAX)
        .max(MIN_CONNECTIONS);
    if configured > fits {
        tracing::warn!(
            configured,
            open_file_limit = limit,
            lowered_to = fits,
            "TRAMA_MAX_CONNECTIONS does not fit in the open-file limit (ulimit -n): lowered"
        );
        fits
    } else {
        configured.max(1)
    }
}

#[cfg(unix)]
fn open_file_limit() -> Option<u64> {
    rustix::process::getrlimit(rustix::process::Resource::Nofile).current
}

#[cfg(not(unix))]
fn open_file_limit() -> Option<u64> {
    None
}

/// Serves `router` on `listener` until `stop` completes, then stops
/// accepting and waits for the open connections to finish (idle ones close
/// at once). The caller bounds that wait (the shutdown grace period):
/// dropping the returned future closes whatever is left.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    limits: ServerLimits,
    stop: impl Future<Output = ()>,
) {
    let slots = Arc::new(Semaphore::new(limits.max_connections));
    let (closing, closing_rx) = watch::channel(false);
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout)
        .keep_alive(true);
    let mut connections = JoinSet::new();
    let mut last_accept_error: Option<Instant> = None;
    let mut stop = pin!(stop);
    loop {
        // A slot first: at the cap, new clients wait in the listen backlog.
        let permit = tokio::select! {
            () = &mut stop => break,
            Some(_) = connections.join_next(), if !connections.is_empty() => continue,
            permit = slots.clone().acquire_owned() => match permit {
                Ok(permit) => permit,
                Err(_) => break,
            },
        };
        let accepted = loop {
            tokio::select! {
                () = &mut stop => break None,
                Some(_) = connections.join_next(), if !connections.is_empty() => {}
                accepted = listener.accept() => match accepted {
                    Ok(accepted) => break Some(accepted),
                    Err(error) => pause_after(error, &mut last_accept_error).await,
                },
            }
        };
        let Some((stream, remote)) = accepted else {
            break;
        };
        // Replies go out whole at once rather than waiting for Nagle.
        let _ = stream.set_nodelay(true);
        let io = TokioIo::new(Counted {
            stream,
            _slot: permit,
        });
        let router = router.clone();
        let service = TowerToHyperService::new(tower::service_fn(
            move |mut request: hyper::Request<Incoming>| {
                request.extensions_mut().insert(ConnectInfo(remote));
                router.clone().oneshot(request.map(axum::body::Body::new))
            },
        ));
        let connection = builder.serve_connection(io, service).with_upgrades();
        let mut closing = closing_rx.clone();
        connections.spawn(async move {
            let mut connection = pin!(connection);
            tokio::select! {
                result = connection.as_mut() => {
                    if let Err(error) = result {
                        tracing::debug!(%remote, %error, "connection ended with an error");
                    }
                    return;
                }
                _ = closing.wait_for(|closing| *closing) => {}
            }
            // Shutting down: finish the request in flight, then close.
            connection.as_mut().graceful_shutdown();
            let _ = connection.await;
        });
    }
    // Stop taking connections at once: new clients are refused.
    drop(listener);
    let _ = closing.send(true);
    while connections.join_next().await.is_some() {}
}

/// After an accept error: nothing for a client that went away, a short
/// pause (logged at most every few seconds) for a shortage such as "too
/// many open files", so the loop neither spins nor stops.
async fn pause_after(error: io::Error, last_logged: &mut Option<Instant>) {
    if matches!(
        error.kind(),
        io::ErrorKind::ConnectionAborted
            | io::ErrorKind::ConnectionReset
            | io::ErrorKind::ConnectionRefused
            | io::ErrorKind::Interrupted
    ) {
        return;
    }
    if last_logged.is_none_or(|at| at.elapsed() >= Duration::from_secs(5)) {
        *last_logged = Some(Instant::now());
        tracing::warn!(%error, "accepting connections failed: pausing briefly");
    }
    tokio::time::sleep(ACCEPT_ERROR_PAUSE).await;
}

/// A client socket holding its slot of the connection cap until it is
/// dropped (after the last request, or when an upgraded WebSocket closes).
struct Counted {
    stream: TcpStream,
    _slot: OwnedSemaphorePermit,
}

impl AsyncRead for Counted {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_read(cx, buf)
    }
}

impl AsyncWrite for Counted {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.stream).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.stream).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }
}
