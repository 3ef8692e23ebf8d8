//! Errors: every failure is an [`Error`], and every error has one [`ErrorKind`], the Rust
//! face of the C ABI's `hwinst_code`.
//!
//! A non-2xx answer becomes a [`ServiceError`] that keeps what the service said (HTTP status,
//! `error_code`, `error_msg`, `error_details`, request ID) whichever of the services' error body
//! shapes it came in. No error ever carries a credential: the client removes its own secrets
//! from anything the server sent back before it is stored here.

mod document;
mod redact;
mod service;

pub(crate) use document::ErrorDocument;
pub(crate) use redact::{
    echo, masked_line, one_line, redact, redact_json, snippet, without_quoted,
};
pub use service::ServiceError;

use crate::lifecycle::Lifecycle;
use std::fmt;
use std::time::Duration;

/// A boxed error kept as the [`std::error::Error::source`] of a transport failure.
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// What went wrong, in the categories callers act on. Matches `hwinst_code` in the C ABI.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// An argument was rejected before anything was sent (empty or unsafe ID, bad query).
    InvalidArgument,
    /// The client's configuration is unusable (missing region or endpoint, bad URL, ...).
    Config,
    /// DNS, connect, TLS or I/O failure, or a response body over the size limit.
    Transport,
    /// A connect or request timeout expired, or a wait reached its deadline.
    Timeout,
    /// HTTP 401.
    Unauthorized,
    /// HTTP 403.
    Forbidden,
    /// HTTP 404.
    NotFound,
    /// HTTP 429.
    Throttled,
    /// HTTP 5xx.
    Server,
    /// Any other non-2xx answer.
    Api,
    /// A 2xx answer whose body is not of the documented shape.
    Decode,
    /// A wait was cancelled, by its callback or its [`CancelToken`](crate::CancelToken).
    Cancelled,
    /// A wait ended on a failed or deleted instance.
    InstanceFailed,
}

impl ErrorKind {
    /// The stable name used as `code` in the C ABI's error document, e.g. `"NOT_FOUND"`.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::InvalidArgument => "INVALID_ARGUMENT",
            ErrorKind::Config => "CONFIG",
            ErrorKind::Transport => "TRANSPORT",
            ErrorKind::Timeout => "TIMEOUT",
            ErrorKind::Unauthorized => "UNAUTHORIZED",
            ErrorKind::Forbidden => "FORBIDDEN",
            ErrorKind::NotFound => "NOT_FOUND",
            ErrorKind::Throttled => "THROTTLED",
            ErrorKind::Server => "SERVER",
            ErrorKind::Api => "API",
            ErrorKind::Decode => "DECODE",
            ErrorKind::Cancelled => "CANCELLED",
            ErrorKind::InstanceFailed => "INSTANCE_FAILED",
        }
    }

    /// The kind of a non-2xx HTTP status.
    pub fn from_http_status(status: u16) -> ErrorKind {
        match status {
            401 => ErrorKind::Unauthorized,
            403 => ErrorKind::Forbidden,
            404 => ErrorKind::NotFound,
            429 => ErrorKind::Throttled,
            500..=599 => ErrorKind::Server,
            _ => ErrorKind::Api,
        }
    }
}

/// Whether an answer with this HTTP status is worth asking again: throttled (429) or briefly
/// unavailable (500, 502, 503, 504). The one list: the transport retries exactly these, and
/// [`Error::is_retryable`] says so of them.
pub(crate) fn retryable_status(status: u16) -> bool {
    matches!(status, 429 | 500 | 502 | 503 | 504)
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Every failure of an hwinst call.
///
/// `Display` is one line meant for a log or a terminal; [`Error::kind`] is what to branch on.
///
/// ```
/// use hwinst::{Client, ErrorKind};
///
/// let err = Client::builder()
///     .endpoint(hwinst::Service::Roma, "http://127.0.0.1:9")
///     .project_id("0a1b2c3d4e5f")
///     .token("secret-token")
///     .build()
///     .unwrap()
///     .roma_instance("../etc")
///     .unwrap_err();
/// assert_eq!(err.kind(), ErrorKind::InvalidArgument);
/// assert!(!err.is_retryable());
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// An argument was rejected before any request was sent.
    #[error("invalid argument: {0}")]
    InvalidArgument(String),

    /// The configuration cannot work.
    #[error("invalid configuration: {0}")]
    Config(String),

    /// The request could not be sent or its answer could not be read.
    #[error("transport error: {message}")]
    Transport {
        /// What failed, for people.
        message: String,
        /// Whether sending the same request again may succeed (refused or reset connections,
        /// truncated answers), as opposed to DNS, TLS or protocol failures.
        retryable: bool,
        /// The underlying error.
        #[source]
        source: Option<BoxError>,
    },

    /// A connect or request timeout expired.
    #[error("timed out: {0}")]
    Timeout(String),

    /// The response body was larger than the client's `max_response_bytes`.
    #[error("response body exceeds the limit of {limit} bytes")]
    BodyTooLarge {
        /// The limit in force.
        limit: u64,
    },

    /// The service answered with a non-2xx status.
    #[error("{0}")]
    Service(Box<ServiceError>),

    /// A 2xx answer whose body is not of the documented shape.
    #[error("could not decode the {what} response: {message}")]
    Decode {
        /// Which response (e.g. `"ROMA creation progress"`).
        what: &'static str,
        /// Where and why decoding failed, with the start of the body when it was not JSON.
        message: String,
    },

    /// A wait reached its deadline before the instance reached a target phase.
    #[error("{}", wait_timeout_message(.waited, *.polls, .last.as_deref(), .last_error.as_deref()))]
    WaitTimeout {
        /// How long the wait lasted.
        waited: std::time::Duration,
        /// How many times the instance was polled.
        polls: u32,
        /// The last lifecycle observed, if any poll succeeded.
        last: Option<Box<Lifecycle>>,
        /// The last poll's error, when the last poll failed.
        last_error: Option<String>,
    },

    /// A wait was cancelled, by its callback or its [`CancelToken`](crate::CancelToken), with
    /// the last lifecycle seen (none when cancelled before the first answer).
    #[error("the wait was cancelled{}", cancelled_message(.0.as_deref()))]
    Cancelled(Option<Box<Lifecycle>>),

    /// A wait ended because the instance failed or was deleted.
    #[error("{}", instance_failed_message(.0))]
    InstanceFailed(Box<Lifecycle>),
}

/// `roma-details instance 1f2e: failed (status CreateFail)`.
fn describe(lifecycle: &Lifecycle) -> String {
    let mut text = format!(
        "{} instance {}: {}",
        lifecycle.source,
        one_line(&lifecycle.instance_id),
        lifecycle.phase
    );
    if let Some(progress) = lifecycle.progress {
        text.push_str(&format!(" {progress}%"));
    }
    if let Some(status) = &lifecycle.status {
        text.push_str(&format!(" (status {})", one_line(status)));
    }
    text
}

/// ` (apig instance gw-1: creating 50%)`, or why there is no lifecycle to show.
fn cancelled_message(last: Option<&Lifecycle>) -> String {
    match last {
        Some(lifecycle) => format!(" ({})", describe(lifecycle)),
        None => " before the instance was first seen".to_owned(),
    }
}

fn instance_failed_message(lifecycle: &Lifecycle) -> String {
    let mut text = format!("the instance ended {}", describe(lifecycle));
    if let Some(error) = &lifecycle.error {
        let said: Vec<String> = [&error.error_code, &error.error_msg]
            .into_iter()
            .flatten()
            .map(|s| one_line(s))
            .collect();
        text.push_str(&format!(": {}", said.join(": ")));
    }
    text
}

fn wait_timeout_message(
    waited: &std::time::Duration,
    polls: u32,
    last: Option<&Lifecycle>,
    last_error: Option<&str>,
) -> String {
    let mut text = format!(
        "timed out: the wait gave up after {:.1} s and {polls} poll{}",
        waited.as_secs_f64(),
        if polls == 1 { "" } else { "s" }
    );
    if let Some(last) = last {
        text.push_str(&format!("; last seen {}", describe(last)));
    }
    if let Some(error) = last_error {
        text.push_str(&format!("; the last poll failed: {error}"));
    }
    text
}

/// The result of every hwinst call.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// The category of this error (the C ABI's `hwinst_code`).
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::InvalidArgument(_) => ErrorKind::InvalidArgument,
            Error::Config(_) => ErrorKind::Config,
            Error::Transport { .. } | Error::BodyTooLarge { .. } => ErrorKind::Transport,
            Error::Timeout(_) => ErrorKind::Timeout,
            Error::Service(e) => ErrorKind::from_http_status(e.status),
            Error::Decode { .. } => ErrorKind::Decode,
            Error::WaitTimeout { .. } => ErrorKind::Timeout,
            Error::Cancelled(_) => ErrorKind::Cancelled,
            Error::InstanceFailed(_) => ErrorKind::InstanceFailed,
        }
    }

    /// The pause the service asked for (`Retry-After`) before the next request, when it
    /// answered with one: a wait polls again no sooner.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            Error::Service(e) => e.retry_after,
            _ => None,
        }
    }

    /// Whether the same request may succeed if sent again: 429, 500, 502, 503, 504, timeouts,
    /// and connection-level failures. Never 4xx other than 429, never decode or argument errors.
    pub fn is_retryable(&self) -> bool {
        match self {
            Error::Transport { retryable, .. } => *retryable,
            Error::Timeout(_) => true,
            Error::Service(e) => retryable_status(e.status),
            Error::InvalidArgument(_)
            | Error::Config(_)
            | Error::BodyTooLarge { .. }
            | Error::Decode { .. }
            | Error::WaitTimeout { .. }
            | Error::Cancelled(_)
            | Error::InstanceFailed(_) => false,
        }
    }

    /// A copy of this error, for when one answer is the answer of several instances (a ROMA
    /// list page read for a fleet). The underlying source is not copied.
    pub(crate) fn copy(&self) -> Error {
        match self {
            Error::InvalidArgument(m) => Error::InvalidArgument(m.clone()),
            Error::Config(m) => Error::Config(m.clone()),
            Error::Transport {
                message, retryable, ..
            } => Error::Transport {
                message: message.clone(),
                retryable: *retryable,
                source: None,
            },
            Error::Timeout(m) => Error::Timeout(m.clone()),
            Error::BodyTooLarge { limit } => Error::BodyTooLarge { limit: *limit },
            Error::Service(e) => Error::Service(e.clone()),
            Error::Decode { what, message } => Error::Decode {
                what,
                message: message.clone(),
            },
            Error::WaitTimeout {
                waited,
                polls,
                last,
                last_error,
            } => Error::WaitTimeout {
                waited: *waited,
                polls: *polls,
                last: last.clone(),
                last_error: last_error.clone(),
            },
            Error::Cancelled(last) => Error::Cancelled(last.clone()),
            Error::InstanceFailed(l) => Error::InstanceFailed(l.clone()),
        }
    }

    /// This error, saying that it came after `attempts` attempts (when there was more than
    /// one).
    pub(crate) fn after_attempts(mut self, attempts: u32) -> Error {
        if attempts > 1 {
            let note = format!(" (after {attempts} attempts)");
            match &mut self {
                Error::Transport { message, .. } | Error::Timeout(message) => {
                    message.push_str(&note)
                }
                Error::Service(e) => e.attempts = attempts,
                _ => {}
            }
        }
        self
    }

    /// The lifecycle a wait ended on: the failed instance, the one seen when the callback
    /// cancelled, or the last one seen before the deadline.
    pub fn lifecycle(&self) -> Option<&Lifecycle> {
        match self {
            Error::InstanceFailed(l) => Some(l),
            Error::Cancelled(last) => last.as_deref(),
            Error::WaitTimeout { last, .. } => last.as_deref(),
            _ => None,
        }
    }

    /// What the service said, when it answered with a non-2xx status.
    pub fn service_error(&self) -> Option<&ServiceError> {
        match self {
            Error::Service(e) => Some(e),
            _ => None,
        }
    }

    /// The HTTP status, when the service answered with a non-2xx status.
    pub fn http_status(&self) -> Option<u16> {
        self.service_error().map(|e| e.status)
    }

    /// The request ID the service gave, when it answered with a non-2xx status.
    pub fn request_id(&self) -> Option<&str> {
        self.service_error().and_then(|e| e.request_id.as_deref())
    }

    /// The error as the JSON document the C functions write and `hwinst --output json` prints:
    /// `{"code","message","http_status","error_code","error_msg","request_id","retryable",
    /// "lifecycle"}`, with null for what does not apply.
    ///
    /// `code` is [`ErrorKind::as_str`]; `error_code`/`error_msg` are what the service said: in
    /// its error answer, or, for a wait that ended on a failed instance, in the instance's
    /// status; `lifecycle` is the last one a wait saw. Errors never hold a credential (the
    /// client masks its secrets in everything the server sent), so neither does this.
    pub fn document(&self) -> String {
        let kind = self.kind();
        let service = self.service_error();
        let lifecycle = self.lifecycle();
        let instance_error = lifecycle
            .filter(|_| kind == ErrorKind::InstanceFailed)
            .and_then(|l| l.error.as_ref());
        ErrorDocument {
            code: kind.as_str(),
            message: self.to_string(),
            http_status: self.http_status(),
            error_code: service
                .and_then(|e| e.error_code.as_deref())
                .or_else(|| instance_error.and_then(|e| e.error_code.as_deref())),
            error_msg: service
                .and_then(|e| e.error_msg.as_deref())
                .or_else(|| instance_error.and_then(|e| e.error_msg.as_deref())),
            request_id: self.request_id(),
            retryable: self.is_retryable(),
            lifecycle,
        }
        .to_json()
    }
}
