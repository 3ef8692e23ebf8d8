//! Cancelling a request in flight. A cancelled wait must not sit out a request already sent,
//! which could take the whole request timeout, so a cancel reaches the socket:
//!
//! - every connection the agent makes is an [`InterruptibleTransport`], which keeps the
//!   shutdown handles of the sockets under it;
//! - while a thread polls for a wait, a [`CancelScope`] names the wait's token, and each
//!   connection that thread connects or uses is registered with that token until the scope
//!   ends;
//! - [`CancelToken::cancel`] then shuts those sockets down: a blocked read or write returns at
//!   once, and the connection says it is closed, so the pool never hands it out again.
//!
//! The same wrapper also rounds the time left that ureq hands each read and write up to a whole
//! millisecond (`SOCKET_TIMEOUT_STEP`). Under a request timeout the time left differs by a few
//! microseconds on every call, and ureq sets a socket's timeout whenever it differs from the
//! last one it set: two `setsockopt` system calls on every call, about 5% of a call's CPU
//! against a loopback server. Rounded, the value repeats and the socket keeps it; a request
//! may end up to a millisecond after its deadline.
//!
//! The scope is a thread-local because ureq runs a request on the calling thread and connects
//! through its own connector: no signature between the wait and the socket can carry the
//! token. It decides nothing else: whether a request is retried (not once cancelled, not in
//! a fleet) is in the arguments of the call (`transport::Call`).

use crate::cancel::{CancelToken, Interrupt, Registration};
use std::cell::RefCell;
use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError, Weak};
use std::time::Duration;
use ureq::unversioned::transport::{
    time, Buffers, ConnectionDetails, Connector, DefaultConnector, NextTimeout, ShutdownHandle,
    Transport,
};

/// What a socket's timeout is rounded up to, in nanoseconds (see the module's documentation): a
/// millisecond, which divides a second.
const SOCKET_TIMEOUT_STEP: u32 = 1_000_000;

thread_local! {
    /// The token of the scope this thread is in, and the connections registered with it.
    static SCOPE: RefCell<Option<Scope>> = const { RefCell::new(None) };
}

struct Scope {
    token: CancelToken,
    registered: Vec<(Weak<Connection>, Registration)>,
}

/// While alive, the connections this thread connects or uses are cut when `token` is
/// cancelled. Scopes do not nest: entering one replaces the scope the thread was in, which
/// comes back when this one ends.
#[must_use]
pub(crate) struct CancelScope {
    previous: Option<Scope>,
}

impl CancelScope {
    pub(crate) fn enter(token: Option<&CancelToken>) -> CancelScope {
        let scope = token.map(|token| Scope {
            token: token.clone(),
            registered: Vec::new(),
        });
        CancelScope {
            previous: SCOPE.with(|current| current.replace(scope)),
        }
    }
}

impl Drop for CancelScope {
    /// Ends the registrations made in the scope: a connection back in the pool is not cut by
    /// a later cancel of this token.
    fn drop(&mut self) {
        let ended = SCOPE.with(|current| current.replace(self.previous.take()));
        drop(ended);
    }
}

/// Registers `connection` with the token of this thread's scope, once per scope.
fn enlist(connection: &Arc<Connection>) {
    SCOPE.with(|current| {
        let mut current = current.borrow_mut();
        let Some(scope) = current.as_mut() else {
            return;
        };
        let known = scope
            .registered
            .iter()
            .any(|(c, _)| std::ptr::eq(c.as_ptr(), Arc::as_ptr(connection)));
        if !known {
            let interrupt: Weak<dyn Interrupt> = Arc::downgrade(connection) as Weak<dyn Interrupt>;
            let registration = scope.token.register(interrupt);
            scope
                .registered
                .push((Arc::downgrade(connection), registration));
        }
    });
}

/// The sockets of one connection (a proxy's tunnel and TLS sit on one socket; the list allows
/// for more), and whether a cancel has cut them.
#[derive(Default)]
struct Connection {
    sockets: Mutex<Vec<Weak<dyn ShutdownHandle>>>,
    interrupted: AtomicBool,
}

impl Interrupt for Connection {
    fn interrupt(&self) {
        self.interrupted.store(true, Ordering::SeqCst);
        let sockets = self.sockets.lock().unwrap_or_else(PoisonError::into_inner);
        for socket in sockets.iter().filter_map(Weak::upgrade) {
            socket.shutdown();
        }
    }
}

/// ureq's default connector (TCP, proxies, rustls), whose connections are
/// [`InterruptibleTransport`]s.
#[derive(Debug, Default)]
pub(crate) struct InterruptibleConnector(DefaultConnector);

impl Connector<()> for InterruptibleConnector {
    type Out = InterruptibleTransport;

    fn connect(
        &self,
        details: &ConnectionDetails,
        chained: Option<()>,
    ) -> Result<Option<InterruptibleTransport>, ureq::Error> {
        let connection = Arc::new(Connection::default());
        let keep = Arc::clone(&connection);
        let forward = Arc::clone(&details.register_shutdown);
        // Each socket is recorded as soon as it exists, and enlisted at once, so that a
        // cancel also cuts a TLS handshake or a proxy's CONNECT short.
        let register_shutdown = Arc::new(move |socket: Weak<dyn ShutdownHandle>| {
            keep.sockets
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .push(socket.clone());
            enlist(&keep);
            forward(socket)
        });
        let details = ConnectionDetails {
            uri: details.uri,
            addrs: details.addrs.clone(),
            config: details.config,
            request_level: details.request_level,
            resolver: details.resolver,
            now: details.now,
            timeout: details.timeout,
            current_time: Arc::clone(&details.current_time),
            run_connector: Arc::clone(&details.run_connector),
            register_shutdown,
        };
        let inner = self.0.connect(&details, chained)?;
        Ok(inner.map(|inner| InterruptibleTransport { inner, connection }))
    }
}

/// A connection that a cancel of the scope using it cuts (see the module's documentation).
pub(crate) struct InterruptibleTransport {
    inner: Box<dyn Transport>,
    connection: Arc<Connection>,
}

impl Transport for InterruptibleTransport {
    fn buffers(&mut self) -> &mut dyn Buffers {
        self.inner.buffers()
    }

    fn transmit_output(&mut self, amount: usize, timeout: NextTimeout) -> Result<(), ureq::Error> {
        enlist(&self.connection);
        self.inner.transmit_output(amount, rounded_up(timeout))
    }

    fn await_input(&mut self, timeout: NextTimeout) -> Result<bool, ureq::Error> {
        enlist(&self.connection);
        self.inner.await_input(rounded_up(timeout))
    }

    fn is_open(&mut self) -> bool {
        !self.connection.interrupted.load(Ordering::SeqCst) && self.inner.is_open()
    }

    fn is_tls(&self) -> bool {
        self.inner.is_tls()
    }
}

/// `timeout` with its time left rounded up to a whole `SOCKET_TIMEOUT_STEP`; none left stays
/// none left, for ureq to report the timeout.
fn rounded_up(timeout: NextTimeout) -> NextTimeout {
    let time::Duration::Exact(left) = timeout.after else {
        return timeout;
    };
    let over = left.subsec_nanos() % SOCKET_TIMEOUT_STEP;
    if over == 0 {
        return timeout;
    }
    let up = Duration::from_nanos(u64::from(SOCKET_TIMEOUT_STEP - over));
    NextTimeout {
        after: time::Duration::Exact(left.saturating_add(up)),
        ..timeout
    }
}

impl fmt::Debug for InterruptibleTransport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("InterruptibleTransport")
            .field("inner", &self.inner)
            .field(
                "interrupted",
                &self.connection.interrupted.load(Ordering::SeqCst),
            )
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::rounded_up;
    use std::time::Duration;
    use ureq::unversioned::transport::{time, NextTimeout};

    fn left(after: time::Duration) -> time::Duration {
        rounded_up(NextTimeout {
            after,
            ..NextTimeout::default()
        })
        .after
    }

    fn exact(d: Duration) -> time::Duration {
        time::Duration::Exact(d)
    }

    #[test]
    fn the_time_left_is_rounded_up_to_a_whole_millisecond() {
        // What a 30 s request timeout leaves a few microseconds in: the same every call.
        for spent in [1, 7_000, 999_999] {
            let after = Duration::from_secs(30) - Duration::from_nanos(spent);
            assert_eq!(left(exact(after)), exact(Duration::from_secs(30)));
        }
        assert_eq!(
            left(exact(Duration::from_nanos(1))),
            exact(Duration::from_millis(1))
        );
        assert_eq!(
            left(exact(Duration::from_millis(1500))),
            exact(Duration::from_millis(1500))
        );
        // None left stays none left (ureq reports the timeout); no deadline stays none.
        assert_eq!(left(exact(Duration::ZERO)), exact(Duration::ZERO));
        assert_eq!(
            left(time::Duration::NotHappening),
            time::Duration::NotHappening
        );
        // The largest duration saturates instead of overflowing.
        assert_eq!(left(exact(Duration::MAX)), exact(Duration::MAX));
    }
}
