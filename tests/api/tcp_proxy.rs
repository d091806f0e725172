//! A TCP proxy on loopback for outage tests: it forwards to a real server
//! (PostgreSQL) until told to fail the way a database or a network fails:
//! refusing connections and dropping the open ones (the server is down), or
//! swallowing all traffic without closing anything (a network partition).

use std::net::SocketAddr;
use std::time::Duration;

use tokio::net::{TcpListener, TcpSocket, TcpStream};
use tokio::sync::watch;
use tokio::task::JoinHandle;

/// What the proxy does with traffic.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// Forwards both ways.
    Forward,
    /// The port is closed (connections are refused) and open connections
    /// are reset.
    Refuse,
    /// Connections are accepted and kept open, but nothing goes through.
    Freeze,
}

pub struct TcpProxy {
    addr: SocketAddr,
    mode: watch::Sender<Mode>,
    task: JoinHandle<()>,
}

impl TcpProxy {
    /// Listens on a free loopback port and forwards to `target`.
    pub async fn start(target: SocketAddr) -> Self {
        let listener = bind(SocketAddr::from(([127, 0, 0, 1], 0)))
            .await
            .expect("bind the proxy");
        let addr = listener.local_addr().expect("proxy address");
        let (mode, _) = watch::channel(Mode::Forward);
        let task = tokio::spawn(accept_loop(listener, addr, target, mode.subscribe()));
        Self { addr, mode, task }
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    pub fn set(&self, mode: Mode) {
        self.mode.send_replace(mode);
    }
}

impl Drop for TcpProxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// A listener that can be bound again on the same port after a `Refuse`.
async fn bind(addr: SocketAddr) -> std::io::Result<TcpListener> {
    let socket = TcpSocket::new_v4()?;
    socket.set_reuseaddr(true)?;
    socket.bind(addr)?;
    socket.listen(1024)
}

async fn accept_loop(
    listener: TcpListener,
    addr: SocketAddr,
    target: SocketAddr,
    mut mode: watch::Receiver<Mode>,
) {
    let mut listener = Some(listener);
    loop {
        let current = *mode.borrow_and_update();
        match (current, &listener) {
            (Mode::Refuse, Some(_)) => listener = None,
            (Mode::Forward | Mode::Freeze, None) => {
                // The port was free a moment ago; retry while another
                // socket still holds it.
                for _ in 0..100 {
                    if let Ok(bound) = bind(addr).await {
                        listener = Some(bound);
                        break;
                    }
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            }
            _ => {}
        }
        let Some(bound) = &listener else {
            if mode.changed().await.is_err() {
                return;
            }
            continue;
        };
        tokio::select! {
            accepted = bound.accept() => {
                if let Ok((client, _)) = accepted {
                    tokio::spawn(connection(client, target, mode.clone()));
                }
            }
            changed = mode.changed() => {
                if changed.is_err() {
                    return;
                }
            }
        }
    }
}

/// Serves one client until the mode says otherwise.
async fn connection(mut client: TcpStream, target: SocketAddr, mut mode: watch::Receiver<Mode>) {
    let _ = client.set_nodelay(true);
    let current = *mode.borrow_and_update();
    if current == Mode::Refuse {
        reset(client);
        return;
    }
    if current == Mode::Forward {
        let Ok(mut server) = TcpStream::connect(target).await else {
            reset(client);
            return;
        };
        let _ = server.set_nodelay(true);
        tokio::select! {
            _ = tokio::io::copy_bidirectional(&mut client, &mut server) => return,
            _ = mode.wait_for(|m| *m != Mode::Forward) => {}
        }
        if *mode.borrow() == Mode::Refuse {
            reset(server);
            reset(client);
            return;
        }
        // Frozen: hold both ends, silent, until the partition ends.
        let _ = mode.wait_for(|m| *m != Mode::Freeze).await;
        reset(server);
        reset(client);
        return;
    }
    // Accepted during a partition: nothing ever arrives.
    let _ = mode.wait_for(|m| *m != Mode::Freeze).await;
    reset(client);
}

/// Closes with a reset, as a crashed peer does.
fn reset(stream: TcpStream) {
    let _ = stream.set_zero_linger();
    drop(stream);
}
