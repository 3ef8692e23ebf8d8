//! What a wait is for, how long it may take and how often it polls: [`WaitOptions`]; for a
//! fleet, [`FleetOptions`] and its [`Target`]s. The polling itself is the client's
//! (`client/wait.rs`, `client/fleet.rs`).

use crate::cancel::CancelToken;
use crate::endpoint::{PerService, Service};
use crate::error::{Error, Result};
use crate::http::decode;
use crate::lifecycle::{Phase, Source};
use crate::limits;
use serde::Deserialize;
use std::collections::HashMap;
use std::fmt;
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
    pub(crate) settle: u32,
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
            settle: 1,
            cancel: None,
        }
    }
}

/// The most consecutive sightings [`WaitOptions::settle`] may ask for.
pub const MAX_SETTLE: u32 = 100;

/// The options document of the C ABI and the command line.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct OptionsDocument {
    until: Option<Vec<String>>,
    timeout_ms: Option<u64>,
    initial_interval_ms: Option<u64>,
    max_interval_ms: Option<u64>,
    not_found_grace_ms: Option<u64>,
    settle: Option<u32>,
}

impl WaitOptions {
    /// Until `running`, for at most 30 minutes, polling after 2 s and then at most every 30 s.
    pub fn new() -> WaitOptions {
        WaitOptions::default()
    }

    /// Reads `{"until":["running"],"timeout_ms":1800000,"initial_interval_ms":2000,
    /// "max_interval_ms":30000,"not_found_grace_ms":60000,"settle":1}`; every key is optional,
    /// unknown keys are refused.
    pub fn from_json(json: &str) -> Result<WaitOptions> {
        let document: OptionsDocument = decode::argument("wait options", json)?;
        WaitOptions::from_document(document)
    }

    fn from_document(document: OptionsDocument) -> Result<WaitOptions> {
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
        if let Some(n) = document.settle {
            options.settle = n;
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

    /// How many polls in a row must see a target phase before it counts (default 1), for
    /// services whose status flaps right after creation. A poll that fails (a 429, a timeout)
    /// neither counts nor breaks the run; one that sees another phase starts it again.
    pub fn settle(mut self, polls: u32) -> WaitOptions {
        self.settle = polls;
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
        } else if !(1..=MAX_SETTLE).contains(&self.settle) {
            format!("settle must be from 1 to {MAX_SETTLE}")
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

/// Default most requests in flight at once in a fleet wait.
pub const DEFAULT_CONCURRENCY: usize = 4;
/// The most requests a fleet wait may keep in flight (and so its most worker threads).
pub const MAX_CONCURRENCY: usize = limits::CONCURRENCY;
/// Default request budget of a fleet wait, per service: one request every 2 s. APIG's
/// gateway throttles an account at 200 requests per 5 minutes (`APIGW.0308`, about 0.67 per
/// second); half a request per second is 150 per 5 minutes, which leaves a quarter of that for
/// the account's other callers, and is what one [`Client::wait`](crate::Client::wait) costs at
/// its initial interval, whatever the fleet's size.
pub const DEFAULT_MAX_REQUESTS_PER_SECOND: f64 = 0.5;

/// When a fleet wait ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum FleetMode {
    /// `"all"`: when every instance has an outcome (met when every one reached a target).
    #[default]
    All,
    /// `"any"`: at the first instance that reaches a target phase.
    Any,
}

impl FleetMode {
    /// `"all"` or `"any"`.
    pub fn as_str(self) -> &'static str {
        match self {
            FleetMode::All => "all",
            FleetMode::Any => "any",
        }
    }
}

impl fmt::Display for FleetMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One instance of a fleet: where to read it, and its ID.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Target {
    /// `roma`, `roma-details`, `apig` or `clouddc`.
    pub source: Source,
    /// The instance's ID.
    pub instance_id: String,
}

impl Target {
    /// The instance `instance_id`, read from `source`.
    pub fn new(source: Source, instance_id: impl Into<String>) -> Target {
        Target {
            source,
            instance_id: instance_id.into(),
        }
    }

    /// Reads `[{"source":"apig","instance_id":"..."}, ...]` (the C ABI's `targets_json`);
    /// unknown keys are refused. The targets are checked when a wait starts.
    pub fn list_from_json(json: &str) -> Result<Vec<Target>> {
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct TargetDocument {
            source: String,
            instance_id: String,
        }
        let documents: Vec<TargetDocument> = decode::argument_quiet("targets", json)?;
        documents
            .into_iter()
            .enumerate()
            .map(|(i, d)| {
                let source = d.source.parse::<Source>().map_err(|_| {
                    Error::InvalidArgument(format!(
                        "targets[{i}]: unknown source; sources are \"roma\", \"roma-details\", \
                         \"apig\", \"clouddc\""
                    ))
                })?;
                Ok(Target::new(source, d.instance_id))
            })
            .collect()
    }

    /// Why this list cannot be waited for (naming the entry), if it cannot: empty, a source
    /// that cannot be polled, an unsafe ID, or a target listed twice. One ROMA instance may be
    /// two targets, `roma` and `roma-details`: each source says something of its own.
    pub(crate) fn check_list(targets: &[Target]) -> Result<()> {
        let bad = |m: String| Err(Error::InvalidArgument(m));
        if targets.is_empty() {
            return bad("targets: name at least one instance".into());
        }
        let mut seen: HashMap<(Source, &str), usize> = HashMap::new();
        for (i, target) in targets.iter().enumerate() {
            // Echoed short: an ID may be anything, of any length, until it is checked.
            let id = crate::error::echo(&target.instance_id);
            if !Source::POLLABLE.contains(&target.source) {
                return bad(format!(
                    "targets[{i}] (\"{id}\"): the {} source cannot be polled for one instance; \
                     use \"roma\" or \"roma-details\"",
                    target.source
                ));
            }
            if let Some(problem) = crate::id::id_problem(&target.instance_id) {
                return bad(format!("targets[{i}] (\"{id}\"): instance_id {problem}"));
            }
            if let Some(first) = seen.insert((target.source, &target.instance_id), i) {
                return bad(format!(
                    "targets[{i}] (\"{id}\"): the same {} instance as targets[{first}]",
                    target.source
                ));
            }
        }
        Ok(())
    }
}

/// How [`Client::wait_many`](crate::Client::wait_many) waits for a fleet: the
/// [`WaitOptions`] of each instance, and how the fleet shares the services.
///
/// ```
/// use hwinst::{FleetMode, FleetOptions, Service, WaitOptions};
///
/// let options = FleetOptions::new()
///     .wait_options(WaitOptions::new().settle(2))
///     .mode(FleetMode::Any)
///     .max_requests_per_second(Service::Apig, 5.0);
/// assert_eq!(options, FleetOptions::from_json(
///     r#"{"settle":2,"mode":"any","max_requests_per_second":{"apig":5}}"#)?);
/// # Ok::<_, hwinst::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
#[must_use]
pub struct FleetOptions {
    pub(crate) wait: WaitOptions,
    pub(crate) mode: FleetMode,
    pub(crate) fail_fast: bool,
    pub(crate) concurrency: usize,
    pub(crate) max_requests_per_second: PerService<f64>,
    pub(crate) batch_roma: bool,
}

impl Default for FleetOptions {
    fn default() -> FleetOptions {
        FleetOptions {
            wait: WaitOptions::default(),
            mode: FleetMode::All,
            fail_fast: false,
            concurrency: DEFAULT_CONCURRENCY,
            max_requests_per_second: PerService::from_fn(|_| DEFAULT_MAX_REQUESTS_PER_SECOND),
            batch_roma: true,
        }
    }
}

/// The fleet options document: the wait options' keys and the fleet's.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FleetDocument {
    until: Option<Vec<String>>,
    timeout_ms: Option<u64>,
    initial_interval_ms: Option<u64>,
    max_interval_ms: Option<u64>,
    not_found_grace_ms: Option<u64>,
    settle: Option<u32>,
    mode: Option<FleetModeName>,
    fail_fast: Option<bool>,
    concurrency: Option<usize>,
    max_requests_per_second: Option<RatesDocument>,
    batch_roma: Option<bool>,
}

#[derive(Deserialize)]
#[serde(rename_all = "lowercase")]
enum FleetModeName {
    All,
    Any,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RatesDocument {
    roma: Option<f64>,
    apig: Option<f64>,
    clouddc: Option<f64>,
}

impl FleetOptions {
    /// Every instance until `running` within 30 minutes, 4 requests in flight, half a request
    /// per second per service, ROMA instances read through the list.
    pub fn new() -> FleetOptions {
        FleetOptions::default()
    }

    /// Reads the keys of [`WaitOptions::from_json`] and `"mode"` (`"all"`, `"any"`),
    /// `"fail_fast"`, `"concurrency"`, `"max_requests_per_second"` (`{"apig":5,"roma":5,
    /// "clouddc":5}`, each optional) and `"batch_roma"`; every key is optional, unknown keys
    /// are refused. Errors name the key, never a value.
    pub fn from_json(json: &str) -> Result<FleetOptions> {
        let d: FleetDocument = decode::argument_quiet("fleet options", json)?;
        let wait = WaitOptions::from_document(OptionsDocument {
            until: d.until,
            timeout_ms: d.timeout_ms,
            initial_interval_ms: d.initial_interval_ms,
            max_interval_ms: d.max_interval_ms,
            not_found_grace_ms: d.not_found_grace_ms,
            settle: d.settle,
        })
        .map_err(|e| match e {
            Error::InvalidArgument(m) => {
                Error::InvalidArgument(m.replacen("wait options", "fleet options", 1))
            }
            other => other,
        })?;
        let mut options = FleetOptions::new().wait_options(wait);
        if let Some(mode) = d.mode {
            options.mode = match mode {
                FleetModeName::All => FleetMode::All,
                FleetModeName::Any => FleetMode::Any,
            };
        }
        if let Some(fail_fast) = d.fail_fast {
            options.fail_fast = fail_fast;
        }
        if let Some(n) = d.concurrency {
            options.concurrency = n;
        }
        if let Some(rates) = d.max_requests_per_second {
            for (service, rate) in [
                (Service::Roma, rates.roma),
                (Service::Apig, rates.apig),
                (Service::Clouddc, rates.clouddc),
            ] {
                if let Some(rate) = rate {
                    *options.max_requests_per_second.get_mut(service) = rate;
                }
            }
        }
        if let Some(batch) = d.batch_roma {
            options.batch_roma = batch;
        }
        options.check()?;
        Ok(options)
    }

    /// Each instance's options: target phases, timeout (of the whole fleet wait), intervals,
    /// not-found grace, settle and the cancel token (default [`WaitOptions::new`]).
    pub fn wait_options(mut self, wait: WaitOptions) -> FleetOptions {
        self.wait = wait;
        self
    }

    /// When the wait ends (default [`FleetMode::All`]).
    pub fn mode(mut self, mode: FleetMode) -> FleetOptions {
        self.mode = mode;
        self
    }

    /// End the wait at the first instance that fails (default false).
    pub fn fail_fast(mut self, fail_fast: bool) -> FleetOptions {
        self.fail_fast = fail_fast;
        self
    }

    /// The most requests in flight at once, and so the number of worker threads (default
    /// [`DEFAULT_CONCURRENCY`], at most [`MAX_CONCURRENCY`]).
    pub fn concurrency(mut self, concurrency: usize) -> FleetOptions {
        self.concurrency = concurrency;
        self
    }

    /// The budget every poll of `service` draws from, in requests per second (default
    /// [`DEFAULT_MAX_REQUESTS_PER_SECOND`]; bursts of at most one second's worth).
    pub fn max_requests_per_second(mut self, service: Service, per_second: f64) -> FleetOptions {
        *self.max_requests_per_second.get_mut(service) = per_second;
        self
    }

    /// Whether several ROMA instances are read through one list request (paged) instead of
    /// one request each (default true). The list has statuses but no progress percentage.
    pub fn batch_roma(mut self, batch: bool) -> FleetOptions {
        self.batch_roma = batch;
        self
    }

    /// The wait options of each instance.
    pub fn wait(&self) -> &WaitOptions {
        &self.wait
    }

    pub(crate) fn check(&self) -> Result<()> {
        self.wait.check()?;
        let bad = |m: String| Err(Error::InvalidArgument(format!("fleet options: {m}")));
        if !(1..=MAX_CONCURRENCY).contains(&self.concurrency) {
            return bad(format!("concurrency must be from 1 to {MAX_CONCURRENCY}"));
        }
        for service in Service::ALL {
            if let Some(problem) =
                crate::bucket::check_rate(*self.max_requests_per_second.get(service))
            {
                return bad(format!("max_requests_per_second.{service}: {problem}"));
            }
        }
        Ok(())
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
            (r#"{"settle":0}"#, "settle must be from 1 to 100"),
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
