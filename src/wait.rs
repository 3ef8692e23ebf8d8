//! What a wait is for, how long it may take and how often it polls: [`WaitOptions`]. The
//! polling itself is the client's (`client/wait.rs`).

use crate::cancel::CancelToken;
use crate::decode;
use crate::error::{Error, Result};
use crate::limits;
use crate::phase::Phase;
use serde::Deserialize;
use std::time::Duration;

/// How long and how often [`Client::wait`](crate::Client::wait) polls, and for what.
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
    pub(crate) until: Vec<Phase>,
    pub(crate) timeout: Duration,
    pub(crate) initial_interval: Duration,
    pub(crate) max_interval: Duration,
    pub(crate) not_found_grace: Duration,
    pub(crate) cancel: Option<CancelToken>,
}

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
        let document: OptionsDocument = decode::argument("wait options", json)?;
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
    /// [`ErrorKind::Cancelled`](crate::ErrorKind::Cancelled) at once if it is pausing between polls, or as soon as the
    /// request in flight returns.
    pub fn cancel_token(mut self, token: CancelToken) -> WaitOptions {
        self.cancel = Some(token);
        self
    }

    /// The target phases.
    pub fn target_phases(&self) -> &[Phase] {
        &self.until
    }

    pub(crate) fn check(&self) -> Result<()> {
        let problem = if self.until.is_empty() {
            "until must name at least one phase".to_owned()
        } else if self.timeout.is_zero() {
            "the timeout must be greater than zero".to_owned()
        } else if [self.timeout, self.max_interval, self.not_found_grace]
            .iter()
            .any(|d| *d > limits::WAIT.max)
        {
            format!(
                "the timeout, intervals and grace period must each be at most {}",
                limits::WAIT.in_words
            )
        } else if self.initial_interval.is_zero() {
            "the initial interval must be greater than zero".to_owned()
        } else if self.max_interval < self.initial_interval {
            "the maximum interval must not be shorter than the initial interval".to_owned()
        } else {
            return Ok(());
        };
        Err(Error::InvalidArgument(format!("wait options: {problem}")))
    }
}

impl WaitOptions {
    /// Whether the options' [`CancelToken`] has been cancelled.
    pub(crate) fn is_cancelled(&self) -> bool {
        self.cancel.as_ref().is_some_and(CancelToken::is_cancelled)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorKind;

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
}
