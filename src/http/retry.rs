//! Retrying what is safe to retry: every hwinst call is an idempotent read, so a throttled,
//! briefly unavailable (the statuses of `error::retryable_status`) or unreachable
//! service is asked again, after an exponentially growing, fully jittered pause, or after the
//! pause the service asked for.

use crate::clock::Clock;
use crate::error::{Error, Result};
use crate::limits;
use std::time::{Duration, SystemTime};

/// How often and how patiently a call is retried.
///
/// ```
/// use std::time::Duration;
/// let patient = hwinst::RetryPolicy::new()
///     .max_attempts(6)
///     .base_delay(Duration::from_millis(500))
///     .max_delay(Duration::from_secs(20));
/// let never = hwinst::RetryPolicy::none();
/// # let _ = (patient, never);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[must_use]
pub struct RetryPolicy {
    max_attempts: u32,
    base_delay: Duration,
    max_delay: Duration,
}

/// Default number of attempts per call (the first and three retries).
pub const DEFAULT_MAX_ATTEMPTS: u32 = 4;
/// Default pause before the first retry, at most (each retry's pause is random up to a cap
/// that doubles: 200 ms, 400 ms, 800 ms, ...).
pub const DEFAULT_BASE_DELAY: Duration = Duration::from_millis(200);
/// Default longest pause between attempts, `Retry-After` included.
pub const DEFAULT_MAX_DELAY: Duration = Duration::from_secs(10);

impl Default for RetryPolicy {
    fn default() -> RetryPolicy {
        RetryPolicy {
            max_attempts: DEFAULT_MAX_ATTEMPTS,
            base_delay: DEFAULT_BASE_DELAY,
            max_delay: DEFAULT_MAX_DELAY,
        }
    }
}

impl RetryPolicy {
    /// Four attempts, pauses from 200 ms doubling up to 10 s.
    pub fn new() -> RetryPolicy {
        RetryPolicy::default()
    }

    /// One attempt: nothing is retried.
    pub fn none() -> RetryPolicy {
        RetryPolicy::default().max_attempts(1)
    }

    /// Attempts per call, the first included (1 disables retries; 0 is refused).
    pub fn max_attempts(mut self, attempts: u32) -> RetryPolicy {
        self.max_attempts = attempts;
        self
    }

    /// The cap on the first retry's random pause; it doubles for each later retry.
    pub fn base_delay(mut self, delay: Duration) -> RetryPolicy {
        self.base_delay = delay;
        self
    }

    /// The longest pause, also the cap on what a `Retry-After` header asks for.
    pub fn max_delay(mut self, delay: Duration) -> RetryPolicy {
        self.max_delay = delay;
        self
    }

    /// Attempts per call, the first included.
    pub fn attempts(&self) -> u32 {
        self.max_attempts
    }

    pub(crate) fn check(&self) -> Result<()> {
        if self.max_attempts == 0 {
            return Err(Error::Config(
                "retry.max_attempts must be at least 1 (1 disables retries)".into(),
            ));
        }
        if self.max_delay > limits::TIMEOUT.max {
            return Err(Error::Config(format!(
                "retry.max_delay_ms must be at most {}",
                limits::TIMEOUT.in_words
            )));
        }
        if self.max_delay < self.base_delay {
            return Err(Error::Config(
                "retry.max_delay_ms must not be shorter than retry.base_delay_ms".into(),
            ));
        }
        Ok(())
    }

    /// The pause after failed attempt number `attempt` (1 for the first): what the service
    /// asked for in `Retry-After`, else a random pause up to `base × 2^(attempt-1)` ("full
    /// jitter", drawn from `clock`), never more than the maximum.
    pub(crate) fn delay(
        &self,
        attempt: u32,
        retry_after: Option<Duration>,
        clock: &dyn Clock,
    ) -> Duration {
        if let Some(asked) = retry_after {
            return asked.min(self.max_delay);
        }
        let cap = self
            .base_delay
            .saturating_mul(2u32.saturating_pow(attempt.saturating_sub(1)))
            .min(self.max_delay);
        clock.jitter(cap)
    }
}

/// The longest pause a `Retry-After` is taken to ask for: longer than any wait may last
/// ([`limits::WAIT`]), so a longer value means the same ("not before the deadline") and no
/// instant computed from it can overflow.
pub(crate) const MAX_RETRY_AFTER: Duration = limits::WAIT.max;

/// A `Retry-After` value: delay-seconds, or an HTTP date (a date in the past is no delay), at
/// most [`MAX_RETRY_AFTER`]. Digits too many for a `u64` are as long as that too.
pub(crate) fn retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) {
        let seconds = value.parse::<u64>().unwrap_or(u64::MAX);
        return Some(Duration::from_secs(seconds).min(MAX_RETRY_AFTER));
    }
    let at = httpdate::parse_http_date(value).ok()?;
    Some(
        at.duration_since(now)
            .unwrap_or(Duration::ZERO)
            .min(MAX_RETRY_AFTER),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::SystemClock;

    #[test]
    fn full_jitter_under_a_doubling_cap() {
        let policy = RetryPolicy::new()
            .base_delay(Duration::from_millis(100))
            .max_delay(Duration::from_millis(500));
        for (attempt, cap) in [(1, 100), (2, 200), (3, 400), (4, 500), (30, 500)] {
            let delays: Vec<Duration> = (0..500)
                .map(|_| policy.delay(attempt, None, &SystemClock))
                .collect();
            assert!(
                delays.iter().all(|d| *d <= Duration::from_millis(cap)),
                "{attempt}"
            );
            assert!(
                delays.iter().any(|d| *d > Duration::from_millis(cap / 2)),
                "{attempt}"
            );
            assert!(
                delays.iter().any(|d| *d < Duration::from_millis(cap / 2)),
                "{attempt}"
            );
        }
    }

    #[test]
    fn retry_after_is_honoured_up_to_the_maximum() {
        let policy = RetryPolicy::new().max_delay(Duration::from_secs(5));
        assert_eq!(
            policy.delay(1, Some(Duration::from_secs(2)), &SystemClock),
            Duration::from_secs(2)
        );
        assert_eq!(
            policy.delay(1, Some(Duration::from_secs(60)), &SystemClock),
            Duration::from_secs(5)
        );
    }

    #[test]
    fn retry_after_values() {
        let now = httpdate::parse_http_date("Sun, 22 Nov 2026 10:00:00 GMT").unwrap();
        assert_eq!(retry_after("3", now), Some(Duration::from_secs(3)));
        assert_eq!(retry_after(" 0 ", now), Some(Duration::ZERO));
        assert_eq!(
            retry_after("Sun, 22 Nov 2026 10:00:07 GMT", now),
            Some(Duration::from_secs(7))
        );
        assert_eq!(
            retry_after("Sun, 22 Nov 2026 09:00:00 GMT", now),
            Some(Duration::ZERO)
        );
        // Overflowing values (issue 26 item 1) are the longest pause, not a panic later.
        for huge in [
            "18446744073709551615",
            "9223372036854775807",
            "99999999999999999999999999",
            "Fri, 31 Dec 9999 23:59:59 GMT",
        ] {
            assert_eq!(retry_after(huge, now), Some(MAX_RETRY_AFTER), "{huge}");
        }
        for bad in ["", "-1", "+1", "1.5", "soon", "Sun, 99 Nov 2026"] {
            assert_eq!(retry_after(bad, now), None, "{bad}");
        }
    }

    #[test]
    fn statuses_and_checks() {
        use crate::error::retryable_status;
        for status in [429, 500, 502, 503, 504] {
            assert!(retryable_status(status));
        }
        for status in [400, 401, 403, 404, 409, 501, 505] {
            assert!(!retryable_status(status));
        }
        assert!(RetryPolicy::new().max_attempts(0).check().is_err());
        assert!(RetryPolicy::none().check().is_ok());
        let huge = Duration::from_millis(u64::MAX);
        assert!(RetryPolicy::new()
            .base_delay(huge)
            .max_delay(huge)
            .check()
            .is_err());
        let inverted = RetryPolicy::new()
            .base_delay(Duration::from_secs(2))
            .max_delay(Duration::from_secs(1));
        assert!(inverted.check().is_err());
    }
}
