//! Waiting for an instance: poll its lifecycle until it reaches a target phase, with growing,
//! jittered intervals, an overall deadline, and a callback on every change.

use crate::client::Client;
use crate::error::{Error, ErrorKind, Result};
use crate::lifecycle::{Lifecycle, Phase, Source};
use serde::Deserialize;
use std::ops::ControlFlow;
use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::time::{Duration, Instant};

/// How long and how often [`Client::wait`] polls, and for what.
///
/// ```
/// use std::time::Duration;
/// use hwinst::{Phase, WaitOptions};
///
/// let options = WaitOptions::new()
///     .until([Phase::Running, Phase::Stopped])
///     .timeout(Duration::from_secs(600))
///     .initial_interval(Duration::from_secs(5));
/// assert_eq!(options, WaitOptions::from_json(r#"{"until":["running","stopped"],
///     "timeout_ms":600000,"initial_interval_ms":5000}"#)?);
/// # Ok::<_, hwinst::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[must_use]
pub struct WaitOptions {
    until: Vec<Phase>,
    timeout: Duration,
    initial_interval: Duration,
    max_interval: Duration,
    not_found_grace: Duration,
    cancel: Option<CancelToken>,
}

/// The longest any duration of a wait may be: longer is surely a unit mistake.
const MAX_WAIT: Duration = Duration::from_secs(366 * 24 * 3600);

/// Default overall time a wait may take (30 minutes).
pub const DEFAULT_WAIT_TIMEOUT: Duration = Duration::from_secs(30 * 60);
/// Default pause before the second poll (2 s); later pauses grow by half each time.
pub const DEFAULT_INITIAL_INTERVAL: Duration = Duration::from_secs(2);
/// Default longest pause between polls (30 s).
pub const DEFAULT_MAX_INTERVAL: Duration = Duration::from_secs(30);
/// Default time after the start of a wait during which "not found" is taken as "not visible
/// yet" (60 s): a just-created instance can take a moment to appear in every API.
pub const DEFAULT_NOT_FOUND_GRACE: Duration = Duration::from_secs(60);

impl Default for WaitOptions {
    fn default() -> WaitOptions {
        WaitOptions {
            until: vec![Phase::Running],
            timeout: DEFAULT_WAIT_TIMEOUT,
            initial_interval: DEFAULT_INITIAL_INTERVAL,
            max_interval: DEFAULT_MAX_INTERVAL,
            not_found_grace: DEFAULT_NOT_FOUND_GRACE,
            cancel: None,
        }
    }
}

/// The options document of the C ABI and the command line.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct OptionsDocument {
    until: Option<Vec<String>>,
    timeout_ms: Option<u64>,
    initial_interval_ms: Option<u64>,
    max_interval_ms: Option<u64>,
    not_found_grace_ms: Option<u64>,
}

impl WaitOptions {
    /// Until `running`, for at most 30 minutes, polling after 2 s and then at most every 30 s.
    pub fn new() -> WaitOptions {
        WaitOptions::default()
    }

    /// Reads `{"until":["running"],"timeout_ms":1800000,"initial_interval_ms":2000,
    /// "max_interval_ms":30000,"not_found_grace_ms":60000}`; every key is optional, unknown
    /// keys are refused.
    pub fn from_json(json: &str) -> Result<WaitOptions> {
        let document: OptionsDocument = crate::client::argument("wait options", json)?;
        let mut options = WaitOptions::default();
        if let Some(until) = document.until {
            options.until = until
                .iter()
                .map(|name| name.parse())
                .collect::<Result<Vec<Phase>>>()?;
        }
        let ms = Duration::from_millis;
        if let Some(t) = document.timeout_ms {
            options.timeout = ms(t);
        }
        if let Some(t) = document.initial_interval_ms {
            options.initial_interval = ms(t);
        }
        if let Some(t) = document.max_interval_ms {
            options.max_interval = ms(t);
        }
        if let Some(t) = document.not_found_grace_ms {
            options.not_found_grace = ms(t);
        }
        options.check()?;
        Ok(options)
    }

    /// Stop when the instance reaches any of `phases` (default `running`). Reaching `failed`
    /// or `deleted` ends the wait with an error unless they are listed here.
    pub fn until(mut self, phases: impl IntoIterator<Item = Phase>) -> WaitOptions {
        self.until = phases.into_iter().collect();
        self
    }

    /// The most the whole wait may take, requests included (default 30 minutes).
    pub fn timeout(mut self, timeout: Duration) -> WaitOptions {
        self.timeout = timeout;
        self
    }

    /// The pause after the first poll (default 2 s). Each later pause is half as long again,
    /// up to [`max_interval`](Self::max_interval), and every pause is shortened by a random
    /// amount of up to half, so that many waiters do not poll in step.
    pub fn initial_interval(mut self, interval: Duration) -> WaitOptions {
        self.initial_interval = interval;
        self
    }

    /// The longest pause between polls (default 30 s).
    pub fn max_interval(mut self, interval: Duration) -> WaitOptions {
        self.max_interval = interval;
        self
    }

    /// How long after the start of the wait a "not found" answer means "not visible yet"
    /// rather than "no such instance" (default 60 s).
    pub fn not_found_grace(mut self, grace: Duration) -> WaitOptions {
        self.not_found_grace = grace;
        self
    }

    /// Lets another thread stop the wait: after [`CancelToken::cancel`], the wait ends with
    /// [`ErrorKind::Cancelled`] at once if it is pausing between polls, or as soon as the
    /// request in flight returns.
    pub fn cancel_token(mut self, token: CancelToken) -> WaitOptions {
        self.cancel = Some(token);
        self
    }

    /// The target phases.
    pub fn target_phases(&self) -> &[Phase] {
        &self.until
    }

    fn check(&self) -> Result<()> {
        let problem = if self.until.is_empty() {
            "until must name at least one phase"
        } else if self.timeout.is_zero() {
            "the timeout must be greater than zero"
        } else if [self.timeout, self.max_interval, self.not_found_grace]
            .iter()
            .any(|d| *d > MAX_WAIT)
        {
            "the timeout, intervals and grace period must each be at most a year"
        } else if self.initial_interval.is_zero() {
            "the initial interval must be greater than zero"
        } else if self.max_interval < self.initial_interval {
            "the maximum interval must not be shorter than the initial interval"
        } else {
            return Ok(());
        };
        Err(Error::InvalidArgument(format!("wait options: {problem}")))
    }
}

impl Client {
    /// Polls the lifecycle of `instance_id` from `source` until its phase is one of
    /// `options`' targets, and returns that lifecycle.
    ///
    /// `on_change` is called with the first lifecycle observed and then with every one that
    /// differs from the one before (not on every poll); returning `ControlFlow::Break(())`
    /// cancels the wait.
    ///
    /// Ends with an error:
    /// - [`ErrorKind::InstanceFailed`] when the instance reaches `failed` or `deleted` (and
    ///   they are not targets); [`Error::lifecycle`] has the last lifecycle, whose `error`
    ///   has the service's error code and message;
    /// - [`ErrorKind::Cancelled`] when `on_change` breaks, or the options'
    ///   [`CancelToken`] is cancelled;
    /// - [`ErrorKind::Timeout`] at the deadline, with the last lifecycle seen;
    /// - at once on errors that polling again cannot fix (401, 403, an invalid ID, ...).
    ///
    /// Throttling (429), server errors (5xx), timeouts and connection failures are polled
    /// through until the deadline. "Not found" is polled through during the grace period
    /// after the start (a new instance may not be visible yet); after an instance has been
    /// seen, or when `deleted` is a target, it means the instance was deleted.
    ///
    /// ```no_run
    /// use std::ops::ControlFlow;
    /// use hwinst::{Source, WaitOptions};
    /// # let client: hwinst::Client = unimplemented!();
    /// let ready = client.wait(Source::Apig, "eddc4d25480b4cd6b512f270a1b8b341",
    ///     &WaitOptions::new(), |lifecycle| {
    ///         println!("{} {:?}%", lifecycle.phase, lifecycle.progress);
    ///         ControlFlow::Continue(())
    ///     })?;
    /// println!("ready: {}", ready.status.unwrap_or_default());
    /// # Ok::<_, hwinst::Error>(())
    /// ```
    pub fn wait(
        &self,
        source: Source,
        instance_id: &str,
        options: &WaitOptions,
        mut on_change: impl FnMut(&Lifecycle) -> ControlFlow<()>,
    ) -> Result<Lifecycle> {
        options.check()?;
        let started = Instant::now();
        let deadline = started + options.timeout;
        let client = self.until(deadline);
        let mut interval = options.initial_interval;
        let mut last: Option<Lifecycle> = None;
        let mut polls = 0u32;
        let cancelled = |last: Option<Lifecycle>| Err(Error::Cancelled(last.map(Box::new)));
        loop {
            if options.is_cancelled() {
                return cancelled(last);
            }
            polls += 1;
            let mut last_error = None;
            let outcome = poll(
                &client,
                source,
                instance_id,
                options,
                started,
                last.is_some(),
            )?;
            // A cancel that came during the request wins over what the request found.
            if options.is_cancelled() {
                return cancelled(match outcome {
                    Poll::Seen(lifecycle) => Some(lifecycle),
                    Poll::NotYet(_) => last,
                });
            }
            match outcome {
                Poll::Seen(lifecycle) => {
                    let changed = last.as_ref().is_none_or(|l| !l.same_state(&lifecycle));
                    if changed && on_change(&lifecycle).is_break() {
                        return cancelled(Some(lifecycle));
                    }
                    if options.until.contains(&lifecycle.phase) {
                        return Ok(lifecycle);
                    }
                    if matches!(lifecycle.phase, Phase::Failed | Phase::Deleted) {
                        return Err(Error::InstanceFailed(Box::new(lifecycle)));
                    }
                    last = Some(lifecycle);
                }
                Poll::NotYet(error) => last_error = Some(error.to_string()),
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(Error::WaitTimeout {
                    waited: started.elapsed(),
                    polls,
                    last: last.map(Box::new),
                    last_error,
                });
            }
            if options.pause(jittered(interval).min(left)) {
                return cancelled(last);
            }
            interval = (interval * 3 / 2).min(options.max_interval);
        }
    }
}

impl WaitOptions {
    fn is_cancelled(&self) -> bool {
        self.cancel.as_ref().is_some_and(CancelToken::is_cancelled)
    }

    /// Sleeps for `duration`, or less if the wait is cancelled meanwhile; true when cancelled.
    fn pause(&self, duration: Duration) -> bool {
        match &self.cancel {
            Some(token) => token.sleep(duration),
            None => {
                std::thread::sleep(duration);
                false
            }
        }
    }
}

/// Stops waits from another thread: give a clone to [`WaitOptions::cancel_token`], then call
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

    /// Sleeps for `duration` or until cancelled; true when cancelled.
    fn sleep(&self, duration: Duration) -> bool {
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

/// What one poll of a wait found.
enum Poll {
    /// The instance's lifecycle (a synthesised `deleted` one for a vanished instance).
    Seen(Lifecycle),
    /// Nothing usable yet, for a reason worth polling through: throttling, a server or
    /// transport failure, or "not found" during the grace period.
    NotYet(Error),
}

/// Reads the lifecycle once. Errors that polling again cannot fix end the wait (`Err`).
fn poll(
    client: &Client,
    source: Source,
    instance_id: &str,
    options: &WaitOptions,
    started: Instant,
    seen_before: bool,
) -> Result<Poll> {
    match client.lifecycle(source, instance_id) {
        Ok(lifecycle) => Ok(Poll::Seen(lifecycle)),
        // Once seen, or when waiting for a deletion, "not found" means deleted.
        Err(e) if e.kind() == ErrorKind::NotFound => {
            if seen_before || options.until.contains(&Phase::Deleted) {
                Ok(Poll::Seen(Lifecycle::gone(source, instance_id)))
            } else if started.elapsed() < options.not_found_grace {
                Ok(Poll::NotYet(e))
            } else {
                Err(e)
            }
        }
        Err(e) if e.is_retryable() => Ok(Poll::NotYet(e)),
        Err(e) => Err(e),
    }
}

/// `interval` shortened by a random amount of up to half ("equal jitter").
fn jittered(interval: Duration) -> Duration {
    interval.mul_f64(0.5 + fastrand::f64() / 2.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn options_from_json() {
        assert_eq!(WaitOptions::from_json("{}").unwrap(), WaitOptions::new());
        let bad = [
            ("", "wait options"),
            (r#"{"until":[]}"#, "at least one phase"),
            (r#"{"until":["ready"]}"#, "unknown phase \"ready\""),
            (r#"{"timeout_ms":0}"#, "timeout"),
            (r#"{"timeout_ms":-1}"#, "timeout_ms"),
            (r#"{"initial_interval_ms":0}"#, "initial interval"),
            (
                r#"{"initial_interval_ms":5000,"max_interval_ms":1000}"#,
                "maximum interval",
            ),
            (r#"{"untill":["running"]}"#, "untill"),
            (r#"{"timeout_ms":18446744073709551615}"#, "at most a year"),
            (
                r#"{"max_interval_ms":18446744073709551615}"#,
                "at most a year",
            ),
            (
                r#"{"not_found_grace_ms":18446744073709551615}"#,
                "at most a year",
            ),
        ];
        for (json, expected) in bad {
            let err = WaitOptions::from_json(json).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::InvalidArgument, "{json}");
            assert!(err.to_string().contains(expected), "{json}: {err}");
        }
    }

    #[test]
    fn jitter_stays_within_half() {
        let interval = Duration::from_millis(1000);
        for _ in 0..1000 {
            let d = jittered(interval);
            assert!(d >= interval / 2 && d <= interval, "{d:?}");
        }
    }
}
