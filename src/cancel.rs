//! Stopping waits from another thread: [`CancelToken`]. A leaf, so that the clock, which
//! pauses until a token is cancelled, and the transport, whose requests in flight a cancel
//! interrupts, can sit below everything that waits.

use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError, Weak};
use std::time::Duration;

/// What a cancel interrupts at once, besides waking pauses: the connection of a request in
/// flight (the transport registers it for the request's duration).
pub(crate) trait Interrupt: Send + Sync {
    fn interrupt(&self);
}

/// Stops waits from another thread: give a clone to [`WaitOptions::cancel_token`](crate::WaitOptions::cancel_token), then call
/// [`cancel`](Self::cancel) from anywhere. Cheap to clone; every clone is the same switch, and
/// once cancelled it stays cancelled (use a new token for the next wait).
///
/// ```
/// use std::time::Duration;
/// use hwinst::{CancelToken, WaitOptions};
///
/// let token = CancelToken::new();
/// let options = WaitOptions::new().cancel_token(token.clone());
/// std::thread::spawn(move || {
///     std::thread::sleep(Duration::from_secs(60));
///     token.cancel(); // a wait with `options` now ends with ErrorKind::Cancelled
/// });
/// # drop(options);
/// ```
#[derive(Clone, Default)]
pub struct CancelToken {
    state: Arc<(Mutex<State>, Condvar)>,
}

#[derive(Default)]
struct State {
    cancelled: bool,
    /// What to interrupt on cancel, by registration number.
    interrupts: Vec<(u64, Weak<dyn Interrupt>)>,
    next_registration: u64,
}

/// An [`Interrupt`] registered with a token, until this is dropped.
pub(crate) struct Registration {
    token: CancelToken,
    number: u64,
}

impl Drop for Registration {
    fn drop(&mut self) {
        self.token
            .lock()
            .interrupts
            .retain(|(number, _)| *number != self.number);
    }
}

impl CancelToken {
    /// A token not cancelled yet.
    pub fn new() -> CancelToken {
        CancelToken::default()
    }

    /// Cancels every wait using this token, waking those that are pausing and cutting the
    /// connection of a request in flight. Idempotent.
    pub fn cancel(&self) {
        let (_, wake) = &*self.state;
        let interrupts = {
            let mut state = self.lock();
            state.cancelled = true;
            std::mem::take(&mut state.interrupts)
        };
        wake.notify_all();
        // Outside the lock: an interrupt may take a moment (a socket's shutdown).
        for (_, interrupt) in interrupts {
            if let Some(interrupt) = interrupt.upgrade() {
                interrupt.interrupt();
            }
        }
    }

    /// Whether [`cancel`](Self::cancel) has been called.
    pub fn is_cancelled(&self) -> bool {
        self.lock().cancelled
    }

    /// Sleeps for `duration`, or less when the token is cancelled meanwhile (not at all when it
    /// already is); true when cancelled. [`SystemClock`](crate::SystemClock) pauses a wait
    /// with it, and a [`Clock`](crate::Clock) of your own can too.
    pub fn sleep(&self, duration: Duration) -> bool {
        let (_, wake) = &*self.state;
        let (guard, _) = wake
            .wait_timeout_while(self.lock(), duration, |state| !state.cancelled)
            .unwrap_or_else(PoisonError::into_inner);
        guard.cancelled
    }

    /// Has `interrupt` interrupted on cancel (at once when the token already is cancelled)
    /// until the registration is dropped.
    pub(crate) fn register(&self, interrupt: Weak<dyn Interrupt>) -> Registration {
        let mut state = self.lock();
        let number = state.next_registration;
        state.next_registration += 1;
        if state.cancelled {
            drop(state);
            if let Some(interrupt) = interrupt.upgrade() {
                interrupt.interrupt();
            }
        } else {
            state.interrupts.push((number, interrupt));
        }
        Registration {
            token: self.clone(),
            number,
        }
    }

    /// Cancels `child` too when this token is cancelled (at once when it already is), until
    /// the link is dropped.
    pub(crate) fn link(&self, child: &CancelToken) -> Link {
        let forward: Arc<dyn Interrupt> = Arc::new(Forward(child.clone()));
        let registration = self.register(Arc::downgrade(&forward));
        Link {
            _registration: registration,
            _forward: forward,
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.0.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// A token cancelling another, from [`CancelToken::link`].
pub(crate) struct Link {
    _registration: Registration,
    _forward: Arc<dyn Interrupt>,
}

struct Forward(CancelToken);

impl Interrupt for Forward {
    fn interrupt(&self) {
        self.0.cancel();
    }
}

impl std::fmt::Debug for CancelToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CancelToken")
            .field("cancelled", &self.is_cancelled())
            .finish()
    }
}

/// Two tokens are equal when they are the same switch (clones of one another).
impl PartialEq for CancelToken {
    fn eq(&self, other: &CancelToken) -> bool {
        Arc::ptr_eq(&self.state, &other.state)
    }
}

impl Eq for CancelToken {}
