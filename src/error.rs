//! Errors: every failure is an [`Error`], and every error has one [`ErrorKind`], the Rust
//! face of the C ABI's `hwinst_code`.
//!
//! A non-2xx answer becomes a [`ServiceError`] that keeps what the service said (HTTP status,
//! `error_code`, `error_msg`, `error_details`, request ID) whichever of the services' error body
//! shapes it came in. No error ever carries a credential: the client removes its own secrets
//! from anything the server sent back before it is stored here.

use crate::lifecycle::Lifecycle;
use serde::Serialize;
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

/// The error document (see [`Error::document`]). One type for errors and for the panics the C
/// boundary catches, so that both carry exactly the same fields; `None` is written as null.
#[derive(Serialize)]
pub(crate) struct ErrorDocument<'a> {
    pub(crate) code: &'a str,
    pub(crate) message: String,
    pub(crate) http_status: Option<u16>,
    pub(crate) error_code: Option<&'a str>,
    pub(crate) error_msg: Option<&'a str>,
    pub(crate) request_id: Option<&'a str>,
    pub(crate) retryable: bool,
    pub(crate) lifecycle: Option<&'a Lifecycle>,
}

impl ErrorDocument<'_> {
    /// The document as JSON. Serialising strings, numbers, booleans and lifecycles cannot
    /// fail; were it to, a document with the code alone is written rather than a panic.
    pub(crate) fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_else(|_| {
            format!(
                "{{\"code\":{},\"message\":\"the error document could not be written\",\
                 \"http_status\":null,\"error_code\":null,\"error_msg\":null,\
                 \"request_id\":null,\"retryable\":false,\"lifecycle\":null}}",
                serde_json::Value::from(self.code)
            )
        })
    }
}

/// What a service said when it answered with a non-2xx status.
///
/// Decoded from any of the services' error bodies: `{"error_code","error_msg"}` (APIG,
/// CloudDC), `{"error_code","error_msg","error_details","request_id"}` (ROMA),
/// `{"errorCode","errorMsg"}`, `{"code","message"}`, any of these nested under `"error"`, and
/// plain text, HTML or empty bodies (kept as a short [`body_snippet`](Self::body_snippet)).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ServiceError {
    /// The HTTP status code.
    pub status: u16,
    /// The service's error code, e.g. `APIC.7302`.
    pub error_code: Option<String>,
    /// The service's error message.
    pub error_msg: Option<String>,
    /// ROMA's `error_details`.
    pub error_details: Option<String>,
    /// The `X-Request-Id` response header, else the body's `request_id`.
    pub request_id: Option<String>,
    /// The start of the body, with markup removed, when it was not a recognised error document.
    pub body_snippet: Option<String>,
    /// How many attempts were made before this answer (more than 1 after retries).
    pub attempts: u32,
    /// The pause the service asked for before the next request (`Retry-After`), when it did.
    pub retry_after: Option<Duration>,
}

/// How much of an unrecognised error body is kept.
const SNIPPET_CHARS: usize = 200;

impl ServiceError {
    /// Decodes an error answer. `header_request_id` is the `X-Request-Id` header, which wins
    /// over a `request_id` in the body. Every secret in `secrets` is masked in everything
    /// kept, before anything is cut short (a cut could leave part of a secret unmatched).
    pub(crate) fn from_response(
        status: u16,
        header_request_id: Option<String>,
        body: &[u8],
        secrets: &[&str],
    ) -> ServiceError {
        let mut error = ServiceError {
            status,
            error_code: None,
            error_msg: None,
            error_details: None,
            request_id: None,
            body_snippet: None,
            attempts: 1,
            retry_after: None,
        };
        let document = serde_json::from_slice::<serde_json::Value>(body).ok();
        if let Some(fields) = document.as_ref().and_then(error_fields) {
            let pick = |names: &[&str]| {
                names
                    .iter()
                    .find_map(|n| text_field(fields, n))
                    .map(|text| mask_edges(&redact(&text, secrets), secrets))
            };
            error.error_code = pick(&["error_code", "errorCode", "code"]);
            error.error_msg = pick(&["error_msg", "errorMsg", "message", "error_message"]);
            error.error_details = pick(&["error_details", "errorDetails", "details"]);
            error.request_id = pick(&["request_id", "requestId"]);
        }
        if error.error_code.is_none() && error.error_msg.is_none() {
            error.body_snippet = snippet(body, secrets);
        }
        if let Some(id) = header_request_id.filter(|id| !id.is_empty()) {
            error.request_id = Some(mask_edges(&redact(&id, secrets), secrets));
        }
        error
    }
}

impl fmt::Display for ServiceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "HTTP {}", self.status)?;
        if let Some(reason) = http_reason(self.status) {
            write!(f, " {reason}")?;
        }
        // What the server wrote may hold line breaks; a log line must stay one line.
        let said: Vec<String> = [&self.error_code, &self.error_msg, &self.error_details]
            .into_iter()
            .flatten()
            .filter(|s| !s.is_empty())
            .map(|s| one_line(s))
            .collect();
        if !said.is_empty() {
            write!(f, ": {}", said.join(": "))?;
        } else if let Some(snippet) = &self.body_snippet {
            write!(f, ": {snippet}")?;
        } else {
            f.write_str(" (empty body)")?;
        }
        if let Some(id) = &self.request_id {
            write!(f, " (request id {})", one_line(id))?;
        }
        if self.attempts > 1 {
            write!(f, " (after {} attempts)", self.attempts)?;
        }
        if let Some(pause) = self.retry_after {
            write!(f, " (Retry-After: {} s)", pause.as_secs_f64())?;
        }
        Ok(())
    }
}

fn http_reason(status: u16) -> Option<&'static str> {
    ureq::http::StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason())
}

/// The object holding the error fields: the document itself, or its `"error"` object.
fn error_fields(
    document: &serde_json::Value,
) -> Option<&serde_json::Map<String, serde_json::Value>> {
    let object = document.as_object()?;
    match object.get("error") {
        Some(serde_json::Value::Object(nested)) => Some(nested),
        _ => Some(object),
    }
}

/// A field as text: strings as they are, numbers and booleans written out, null and empty
/// strings as absent, objects and arrays as compact JSON.
fn text_field(fields: &serde_json::Map<String, serde_json::Value>, name: &str) -> Option<String> {
    match fields.get(name)? {
        serde_json::Value::Null => None,
        serde_json::Value::String(s) if s.is_empty() => None,
        serde_json::Value::String(s) => Some(s.clone()),
        other => Some(other.to_string()),
    }
}

/// A short, one-line, human-readable start of a body, with `secrets` masked: markup tags
/// dropped, white space and control characters folded into single spaces, at most
/// [`SNIPPET_CHARS`] characters (then `…`). `None` for an empty or blank body.
///
/// The order matters for secrets: the text is masked as received (a secret may hold `<`),
/// then normalised, then masked again (a tag or a line break inside a secret is a gap the
/// masking sees through), then cut, and pieces of a secret left at either edge are masked
/// too (the transport may have cut the body inside a secret, and so may the cut here).
pub(crate) fn snippet(body: &[u8], secrets: &[&str]) -> Option<String> {
    let text = redact(&String::from_utf8_lossy(body), secrets);
    let mut out = String::new();
    let mut in_tag = false;
    for c in text.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => {
                in_tag = false;
                out.push(' ');
            }
            _ if in_tag => {}
            c => out.push(c),
        }
    }
    let folded = masked_line(&out, secrets, SNIPPET_CHARS);
    (!folded.is_empty()).then_some(folded)
}

/// `text` as one line for a message, with no secret in it: white space and control
/// characters folded into single spaces, `secrets` masked, cut to at most `max` characters
/// (then `…`), and any piece of a secret left at either edge masked. The one way text that
/// may hold a secret is cut for a message.
pub(crate) fn masked_line(text: &str, secrets: &[&str], max: usize) -> String {
    let folded = text
        .split(is_gap)
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    let masked = redact(&folded, secrets);
    let (head, cut) = match masked.char_indices().nth(max) {
        Some((at, _)) => (masked[..at].trim_end(), true),
        None => (masked.as_str(), false),
    };
    let mut line = mask_edges(head, secrets);
    if cut {
        line.push('…');
    }
    line
}

/// `text` with every control character (line breaks included) turned into a space.
pub(crate) fn one_line(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

/// What folding and one-lining change, and what the masking sees through inside a secret.
fn is_gap(c: char) -> bool {
    c.is_whitespace() || c.is_control()
}

/// `text` with its non-gap characters side by side, and where each of them starts and ends
/// in `text`.
fn compact(text: &str) -> (String, Vec<(usize, usize)>) {
    let mut joined = String::with_capacity(text.len());
    let mut spans = Vec::with_capacity(text.len());
    for (at, c) in text.char_indices().filter(|(_, c)| !is_gap(*c)) {
        joined.push(c);
        for _ in 0..c.len_utf8() {
            spans.push((at, at + c.len_utf8()));
        }
    }
    (joined, spans)
}

/// `text` with each byte range of `ranges` (merged where they touch) replaced by `***`.
fn replace_ranges(text: &str, mut ranges: Vec<(usize, usize)>) -> String {
    if ranges.is_empty() {
        return text.to_owned();
    }
    ranges.sort_unstable();
    let mut out = String::with_capacity(text.len());
    let mut done = 0;
    for (start, end) in ranges {
        if end <= done {
            continue;
        }
        if start > done {
            out.push_str(&text[done..start]);
        }
        if start >= done || !out.ends_with("***") {
            out.push_str("***");
        }
        done = end;
    }
    out.push_str(&text[done..]);
    out
}

/// `text` with every non-empty secret replaced by `***`: exact matches, and matches that
/// white space or control characters split (a line break, a folded tag), so that no later
/// folding of white space can put a secret back together.
pub(crate) fn redact(text: &str, secrets: &[&str]) -> String {
    let exact = secrets
        .iter()
        .filter(|s| !s.is_empty())
        .fold(text.to_owned(), |acc, secret| acc.replace(secret, "***"));
    let (joined, spans) = compact(&exact);
    let mut ranges = Vec::new();
    for secret in secrets {
        let (needle, _) = compact(secret);
        if needle.is_empty() {
            continue;
        }
        for (at, found) in joined.match_indices(needle.as_str()) {
            ranges.push((spans[at].0, spans[at + found.len() - 1].1));
        }
    }
    replace_ranges(&exact, ranges)
}

/// `text` with a piece of a secret masked where it starts or ends the text: the end of a
/// secret at its start, the beginning of one at its end (white space and control characters
/// seen through, as in [`redact`]). Pieces shorter than 4 characters (or than half of a
/// shorter secret) stay: with credentials of at least 8 characters (6 for IAM passwords, see
/// `auth`), what can stay is less than half of one.
pub(crate) fn mask_edges(text: &str, secrets: &[&str]) -> String {
    let (joined, spans) = compact(text);
    let mut ranges = Vec::new();
    for secret in secrets {
        let (needle, _) = compact(secret);
        let chars = needle.chars().count();
        if chars < 2 {
            continue;
        }
        let min_piece = 4.min(chars.div_ceil(2));
        // Longest first: the widest piece at each edge is the one to mask.
        let bounds: Vec<usize> = needle.char_indices().map(|(i, _)| i).skip(1).collect();
        if let Some(cut) = bounds
            .iter()
            .filter(|&&b| needle[..b].chars().count() >= min_piece)
            .rev()
            .find(|&&b| joined.ends_with(&needle[..b]))
        {
            ranges.push((spans[joined.len() - cut].0, text.len()));
        }
        if let Some(cut) = bounds
            .iter()
            .filter(|&&b| needle[b..].chars().count() >= min_piece)
            .find(|&&b| joined.starts_with(&needle[b..]))
        {
            ranges.push((0, spans[needle.len() - cut - 1].1));
        }
    }
    replace_ranges(text, ranges)
}

/// `text` with what stands between double quotes replaced by `…` (serde quotes values so), and
/// the value of an `unknown variant `...``.
pub(crate) fn without_quoted(text: &str) -> String {
    let text = match text.split_once("unknown variant `") {
        Some((before, after)) => {
            let rest = after.split_once('`').map_or("", |(_, rest)| rest);
            format!("{before}unknown variant `…`{rest}")
        }
        None => text.to_owned(),
    };
    let mut out = String::with_capacity(text.len());
    let mut parts = text.split('"');
    if let Some(first) = parts.next() {
        out.push_str(first);
    }
    for (i, part) in parts.enumerate() {
        if i % 2 == 0 {
            out.push_str("\"…\"");
        } else {
            out.push_str(part);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_left_out() {
        assert_eq!(
            without_quoted(r#"invalid type: string "s3cret", expected u64"#),
            r#"invalid type: string "…", expected u64"#
        );
        assert_eq!(
            without_quoted("unknown variant `s3cret`, expected `all` or `any`"),
            "unknown variant `…`, expected `all` or `any`"
        );
        assert_eq!(
            without_quoted("unknown field `moed`"),
            "unknown field `moed`"
        );
    }

    #[test]
    fn snippet_strips_markup_and_folds_space() {
        let html =
            b"<html>\n<head><title>502 Bad Gateway</title></head>\n<body>nginx</body></html>";
        assert_eq!(snippet(html, &[]).as_deref(), Some("502 Bad Gateway nginx"));
        assert_eq!(snippet(b"  \n ", &[]), None);
        let long = "x".repeat(1000);
        assert_eq!(
            snippet(long.as_bytes(), &[]).unwrap().chars().count(),
            SNIPPET_CHARS + 1
        );
    }

    #[test]
    fn redact_replaces_every_secret() {
        assert_eq!(redact("a tok b tok", &["tok", ""]), "a *** b ***");
    }
}
