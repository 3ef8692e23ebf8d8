//! A request budget: a token bucket of so many requests per second. One home for the rule, so
//! that the simulator's per-service rate limit and a fleet wait's shared budget count alike.

use std::time::{Duration, Instant};

/// The most requests per second a budget may allow (more is surely a mistake).
pub(crate) const MAX_RATE: f64 = 1_000_000.0;

/// The fewest requests per second a budget may allow: one a day (fewer is surely a unit
/// mistake, and 1e-300 would make a pause no clock can hold).
pub(crate) const MIN_RATE: f64 = 1.0 / 86_400.0;

/// What rounding may leave a token short by: refilling is floating-point arithmetic, and a
/// pause of exactly the time asked must find the token there.
const ROUNDING: f64 = 1e-6;

/// `rate` requests per second, in bursts of at most one second's worth (and at least one).
#[derive(Debug, Clone)]
pub(crate) struct TokenBucket {
    rate: f64,
    capacity: f64,
    tokens: f64,
    at: Option<Instant>,
}

impl TokenBucket {
    /// A full bucket of `rate` requests per second (finite and > 0: see [`check_rate`]).
    pub(crate) fn new(rate: f64) -> TokenBucket {
        let capacity = rate.max(1.0);
        TokenBucket {
            rate,
            capacity,
            tokens: capacity,
            at: None,
        }
    }

    /// The requests per second it allows.
    #[cfg(feature = "sim")]
    pub(crate) fn rate(&self) -> f64 {
        self.rate
    }

    fn refill(&mut self, now: Instant) {
        if let Some(at) = self.at {
            let gained = now.saturating_duration_since(at).as_secs_f64() * self.rate;
            self.tokens = (self.tokens + gained).min(self.capacity);
        }
        self.at = Some(self.at.map_or(now, |at| at.max(now)));
    }

    /// Takes one request's token at `now`, or says how long until one is there.
    pub(crate) fn take(&mut self, now: Instant) -> Result<(), Duration> {
        self.refill(now);
        if self.tokens >= 1.0 - ROUNDING {
            self.tokens -= 1.0;
            Ok(())
        } else {
            Err(self.until_one())
        }
    }

    /// Charges `n` requests already made (the bucket may go into debt, which later requests
    /// wait out).
    pub(crate) fn charge(&mut self, n: u32, now: Instant) {
        self.refill(now);
        self.tokens -= f64::from(n);
    }

    /// Never zero while a token is missing, so that whoever waits it out finds one; a pause
    /// too long for a `Duration` (a deep debt at a slow rate) is the longest one.
    fn until_one(&self) -> Duration {
        Duration::try_from_secs_f64((1.0 - self.tokens) / self.rate)
            .unwrap_or(Duration::MAX)
            .max(Duration::from_micros(1))
    }
}

/// Why `rate` cannot be a budget, if it cannot.
pub(crate) fn check_rate(rate: f64) -> Option<String> {
    (!(rate.is_finite() && (MIN_RATE..=MAX_RATE).contains(&rate))).then(|| {
        format!(
            "requests per second must be a number greater than 0: from 1/86400 (one request \
             a day) to {MAX_RATE}"
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::{Clock, ManualClock};

    /// Any instant: a bucket only compares the instants it is given.
    fn an_instant() -> Instant {
        ManualClock::new().now()
    }

    #[test]
    fn a_bucket_allows_its_rate_after_a_burst_of_one_second() {
        let start = an_instant();
        let mut bucket = TokenBucket::new(4.0);
        for _ in 0..4 {
            assert!(bucket.take(start).is_ok());
        }
        assert_eq!(bucket.take(start), Err(Duration::from_millis(250)));
        assert!(bucket.take(start + Duration::from_millis(250)).is_ok());
        assert!(bucket.take(start + Duration::from_millis(260)).is_err());
        // A token is back at 500 ms; two more requests made put the bucket one in debt.
        bucket.charge(2, start + Duration::from_millis(500));
        let wait = bucket.take(start + Duration::from_millis(500)).unwrap_err();
        assert!(
            wait.abs_diff(Duration::from_millis(500)) < Duration::from_millis(1),
            "{wait:?}"
        );
    }

    #[test]
    fn a_pause_of_the_time_asked_finds_the_token() {
        let mut at = an_instant();
        let mut bucket = TokenBucket::new(0.3);
        assert!(bucket.take(at).is_ok());
        for _ in 0..1000 {
            let wait = bucket.take(at).unwrap_err();
            assert!(wait > Duration::ZERO);
            at += wait;
            assert!(bucket.take(at).is_ok());
        }
    }

    #[test]
    fn slow_rates_allow_one_at_a_time() {
        let start = an_instant();
        let mut bucket = TokenBucket::new(0.5);
        assert!(bucket.take(start).is_ok());
        assert_eq!(bucket.take(start), Err(Duration::from_secs(2)));
        assert!(check_rate(0.5).is_none());
        assert!(check_rate(MIN_RATE).is_none());
        for bad in [
            0.0,
            -1.0,
            f64::NAN,
            f64::INFINITY,
            2e6,
            1e-20,
            1e-300,
            5e-324,
        ] {
            assert!(check_rate(bad).is_some(), "{bad}");
        }
    }
}
