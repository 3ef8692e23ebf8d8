//! Stopping waits from another thread: [`CancelToken`]. A leaf, so that the clock, which
//! pauses until a token is cancelled, can sit below everything that waits.

use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::time::Duration;

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
    state: Arc<(Mutex<bool>, Condvar)>,
}

impl CancelToken {
    /// A token not cancelled yet.
    pub fn new() -> CancelToken {
        CancelToken::default()
    }

    /// Cancels every wait using this token, waking those that are pausing. Idempotent.
    pub fn cancel(&self) {
        let (cancelled, wake) = &*self.state;
        *cancelled.lock().unwrap_or_else(PoisonError::into_inner) = true;
        wake.notify_all();
    }

    /// Whether [`cancel`](Self::cancel) has been called.
    pub fn is_cancelled(&self) -> bool {
        let (cancelled, _) = &*self.state;
        *cancelled.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Sleeps for `duration`, or less when the token is cancelled meanwhile (not at all when it
    /// already is); true when cancelled. [`SystemClock`](crate::SystemClock) pauses a wait
    /// with it, and a [`Clock`](crate::Clock) of your own can too.
    pub fn sleep(&self, duration: Duration) -> bool {
        let (cancelled, wake) = &*self.state;
        let guard = cancelled.lock().unwrap_or_else(PoisonError::into_inner);
        let (guard, _) = wake
            .wait_timeout_while(guard, duration, |cancelled| !*cancelled)
            .unwrap_or_else(PoisonError::into_inner);
        *guard
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
