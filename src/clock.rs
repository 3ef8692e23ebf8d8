//! Time for waits and retries, behind one seam: what time it is, pausing, and the random part
//! of each pause. The client takes them from a [`Clock`] (the [`SystemClock`] unless
//! [`ClientBuilder::clock`](crate::ClientBuilder::clock) sets another), so that a test can run
//! a half-hour wait or a retry after `Retry-After: 60` on a [`ManualClock`] without sleeping.
//!
//! Network timeouts are not on the clock: the HTTP agent enforces them in real time.

use crate::cancel::CancelToken;
use std::fmt;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant, SystemTime};

/// `at` moved `by` later, or as far as an `Instant` goes (at least a century later) when that
/// is past its range: a pause from outside input (`Retry-After: 18446744073709551615`, a
/// budget of 1e-300 requests per second) makes a far deadline, never a panic.
pub(crate) fn later(at: Instant, by: Duration) -> Instant {
    const CENTURY: Duration = Duration::from_secs(100 * 366 * 24 * 3600);
    at.checked_add(by)
        .or_else(|| at.checked_add(by.min(CENTURY)))
        .unwrap_or(at)
}

/// Where a client's waits and retries get the time, their pauses and their jitter.
///
/// Deadlines (a wait's timeout, a call's request timeout) are instants of [`now`](Self::now);
/// every pause between polls or attempts is a [`sleep`](Self::sleep); every random
/// shortening of a pause is a [`jitter`](Self::jitter).
pub trait Clock: fmt::Debug + Send + Sync {
    /// The current instant.
    fn now(&self) -> Instant;

    /// Pauses for `duration`. With a `cancel` token, returns as soon as the token is cancelled
    /// (at once when it already is). Returns whether the pause was cut short by `cancel`.
    fn sleep(&self, duration: Duration, cancel: Option<&CancelToken>) -> bool;

    /// A random duration from zero to `max`, drawn uniformly.
    fn jitter(&self, max: Duration) -> Duration;

    /// The current calendar time: what AK/SK signatures are dated with, and what IAM tokens and
    /// temporary credentials are renewed by. It moves with [`now`](Self::now) (the default is
    /// the system's).
    // The clock is where the time is read (clippy.toml refuses these calls everywhere else).
    #[allow(clippy::disallowed_methods)]
    fn wall_time(&self) -> SystemTime {
        SystemTime::now()
    }
}

/// The real clock: [`Instant::now`], real sleeps (cut short by a [`CancelToken`] at once), and
/// jitter from a generator seeded by the system (not for secrets). The default.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SystemClock;

// The real clock reads and sleeps in real time: the one place meant to (clippy.toml).
#[allow(clippy::disallowed_methods)]
impl Clock for SystemClock {
    fn now(&self) -> Instant {
        Instant::now()
    }

    fn sleep(&self, duration: Duration, cancel: Option<&CancelToken>) -> bool {
        match cancel {
            Some(token) => token.sleep(duration),
            None => {
                std::thread::sleep(duration);
                false
            }
        }
    }

    fn jitter(&self, max: Duration) -> Duration {
        up_to(max, fastrand::u64)
    }
}

/// A clock for tests: time stands still until something sleeps on it, and then moves on by the
/// whole pause at once, without sleeping. Its jitter comes from a generator with a fixed seed,
/// so every run draws the same pauses. A cancelled [`CancelToken`] still cuts a pause short.
///
/// Requests take no time on it (only pauses do): use it with servers that answer promptly.
///
/// ```
/// use std::time::Duration;
/// use hwinst::{Clock, ManualClock};
///
/// let clock = ManualClock::new();
/// let start = clock.now();
/// clock.sleep(Duration::from_secs(3600), None); // returns at once
/// assert_eq!(clock.now() - start, Duration::from_secs(3600));
/// assert_eq!(clock.sleeps(), [Duration::from_secs(3600)]);
/// ```
#[derive(Debug)]
pub struct ManualClock {
    start: Instant,
    /// The calendar time at `start`: the clock's wall time moves on with its instants.
    start_wall: SystemTime,
    state: Mutex<ManualState>,
}

#[derive(Debug)]
struct ManualState {
    elapsed: Duration,
    sleeps: Vec<Duration>,
    rng: fastrand::Rng,
}

impl ManualClock {
    /// A clock at an arbitrary instant, with jitter seeded with 0.
    pub fn new() -> ManualClock {
        ManualClock::with_seed(0)
    }

    /// A clock whose jitter is seeded with `seed`.
    // Starts at the real time, so that its wall time is a plausible date (signatures, tokens).
    #[allow(clippy::disallowed_methods)]
    pub fn with_seed(seed: u64) -> ManualClock {
        ManualClock {
            start: Instant::now(),
            start_wall: SystemTime::now(),
            state: Mutex::new(ManualState {
                elapsed: Duration::ZERO,
                sleeps: Vec::new(),
                rng: fastrand::Rng::with_seed(seed),
            }),
        }
    }

    /// Moves the time on by `duration` (not counted as a sleep).
    pub fn advance(&self, duration: Duration) {
        self.state().elapsed += duration;
    }

    /// How far the time has moved since the clock was made.
    pub fn elapsed(&self) -> Duration {
        self.state().elapsed
    }

    /// Every pause slept on this clock so far, in order (those cut short by a cancelled token
    /// are not).
    pub fn sleeps(&self) -> Vec<Duration> {
        self.state().sleeps.clone()
    }

    fn state(&self) -> std::sync::MutexGuard<'_, ManualState> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl Default for ManualClock {
    fn default() -> ManualClock {
        ManualClock::new()
    }
}

impl Clock for ManualClock {
    fn now(&self) -> Instant {
        self.start + self.state().elapsed
    }

    fn sleep(&self, duration: Duration, cancel: Option<&CancelToken>) -> bool {
        if cancel.is_some_and(CancelToken::is_cancelled) {
            return true;
        }
        let mut state = self.state();
        state.elapsed += duration;
        state.sleeps.push(duration);
        false
    }

    fn jitter(&self, max: Duration) -> Duration {
        up_to(max, |range| self.state().rng.u64(range))
    }

    fn wall_time(&self) -> SystemTime {
        self.start_wall + self.state().elapsed
    }
}

/// A duration from zero to `max` (whole nanoseconds), drawn by `draw` from the range it is
/// given.
fn up_to(max: Duration, draw: impl FnOnce(std::ops::RangeInclusive<u64>) -> u64) -> Duration {
    let max_nanos = u64::try_from(max.as_nanos()).unwrap_or(u64::MAX);
    Duration::from_nanos(draw(0..=max_nanos))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jitter_stays_within_its_bound_and_a_seed_repeats_it() {
        let max = Duration::from_millis(100);
        let draws: Vec<Duration> = (0..500).map(|_| SystemClock.jitter(max)).collect();
        assert!(draws.iter().all(|d| *d <= max));
        assert!(draws.iter().any(|d| *d < max / 2) && draws.iter().any(|d| *d > max / 2));
        let (a, b) = (ManualClock::with_seed(7), ManualClock::with_seed(7));
        let twice: Vec<(Duration, Duration)> =
            (0..20).map(|_| (a.jitter(max), b.jitter(max))).collect();
        assert!(twice.iter().all(|(x, y)| x == y && *x <= max));
        assert_eq!(SystemClock.jitter(Duration::ZERO), Duration::ZERO);
    }

    #[test]
    fn a_manual_clock_moves_only_when_slept_on_or_advanced() {
        let clock = ManualClock::new();
        let start = clock.now();
        assert_eq!(clock.now(), start);
        assert!(!clock.sleep(Duration::from_secs(5), None));
        clock.advance(Duration::from_secs(1));
        assert_eq!(clock.now() - start, Duration::from_secs(6));
        assert_eq!(clock.elapsed(), Duration::from_secs(6));
        let wall = clock.wall_time();
        clock.advance(Duration::from_secs(3600));
        assert_eq!(
            clock.wall_time().duration_since(wall).unwrap(),
            Duration::from_secs(3600)
        );
        let token = CancelToken::new();
        token.cancel();
        assert!(clock.sleep(Duration::from_secs(60), Some(&token)));
        assert_eq!(clock.sleeps(), [Duration::from_secs(5)]);
    }
}
