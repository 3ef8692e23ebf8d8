//! The longest durations the settings accept. Anything longer is surely a unit mistake (a
//! number of milliseconds taken for seconds, say), so it is refused rather than obeyed.

use std::time::Duration;

/// A longest duration, and how messages say it.
pub(crate) struct Limit {
    pub(crate) max: Duration,
    pub(crate) in_words: &'static str,
}

/// Connect and request timeouts, and the longest pause between retries (`retry.max_delay`).
pub(crate) const TIMEOUT: Limit = Limit {
    max: Duration::from_secs(24 * 3600),
    in_words: "a day",
};

/// A wait's timeout, its longest interval and its not-found grace period.
pub(crate) const WAIT: Limit = Limit {
    max: Duration::from_secs(366 * 24 * 3600),
    in_words: "a year",
};

/// The most requests a fleet wait may keep in flight (its worker threads), and so the idle
/// connections the client keeps per host.
pub(crate) const CONCURRENCY: usize = 64;
