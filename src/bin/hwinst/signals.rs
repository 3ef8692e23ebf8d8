//! SIGINT and SIGTERM during `hwinst wait`: the first one cancels the wait through its
//! [`CancelToken`], so that the command ends as a cancelled wait does — the progress bar
//! cleared, exit 22 (`CANCELLED`), and in JSON mode the error document with the last
//! lifecycle on stdout — instead of dying by the signal with nothing printed. A second one
//! ends the process at once, as the signal would have.

use hwinst::CancelToken;
use signal_hook::consts::{SIGINT, SIGTERM};
use signal_hook::iterator::{Handle, Signals};

/// Cancels `token` on SIGINT or SIGTERM until the guard is dropped.
pub struct CancelOnSignals {
    handle: Option<Handle>,
}

impl CancelOnSignals {
    /// Starts listening. If the handlers cannot be installed, the signals keep their default
    /// action (the wait still works; it is only not cancelled cleanly).
    pub fn new(token: &CancelToken) -> CancelOnSignals {
        let Ok(mut signals) = Signals::new([SIGINT, SIGTERM]) else {
            return CancelOnSignals { handle: None };
        };
        let handle = signals.handle();
        let token = token.clone();
        std::thread::spawn(move || {
            for signal in signals.forever() {
                if token.is_cancelled() {
                    // The second signal: what it would have done without us.
                    let _ = signal_hook::low_level::emulate_default_handler(signal);
                }
                token.cancel();
            }
        });
        CancelOnSignals {
            handle: Some(handle),
        }
    }
}

impl Drop for CancelOnSignals {
    fn drop(&mut self) {
        if let Some(handle) = &self.handle {
            handle.close();
        }
    }
}
