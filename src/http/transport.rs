//! Sending requests: one pooled ureq [`Agent`] per client, timeouts, proxy and trust roots,
//! the response size limit, retries, and the mapping of every way a request can fail onto
//! [`Error`].
//!
//! Each retry is logged (target `hwinst`, level info) with its cause and pause, and every
//! attempt at level debug; a log line holds the method and URL, never a header or a body.

use crate::cancel::CancelToken;
use crate::clock::Clock;
use crate::error::{self, BoxError, Error, Result, ServiceError};
use crate::http::interrupt::InterruptibleConnector;
use crate::http::retry::{self, RetryPolicy};
use std::fmt;
use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};
use ureq::config::AutoHeaderValue;
use ureq::http::uri::InvalidUri;
use ureq::http::{header, HeaderMap, HeaderValue, Method, Request, Uri};
use ureq::tls::{Certificate, PemItem, RootCerts, TlsConfig};
use ureq::{Agent, AsSendBody, RequestExt};

/// How much of a non-2xx body is read: enough for any error document, small enough that a
/// proxy's huge error page costs nothing.
const ERROR_BODY_LIMIT: u64 = 64 * 1024;

/// How much later than the call's deadline an attempt may end when it runs under the agent's
/// request timeout instead of the exact time left (see `Transport::attempt`): the time
/// between the call's start and its first attempt, which is the building and signing of the
/// request unless a token had to be fetched first (then the exact time left is set).
const AGENT_TIMEOUT_SLACK: Duration = Duration::from_millis(1);

/// Which proxy requests go through.
#[derive(Clone, Default, PartialEq, Eq)]
pub(crate) enum ProxySetting {
    /// `HTTPS_PROXY`, `HTTP_PROXY`, `ALL_PROXY` and `NO_PROXY` (ureq's reading of them).
    #[default]
    Environment,
    /// This proxy, whatever the environment says.
    Url(String),
    /// None, whatever the environment says.
    Disabled,
}

impl std::fmt::Debug for ProxySetting {
    /// A proxy URL's password stays out of `Debug` output.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ProxySetting::Environment => f.write_str("Environment"),
            ProxySetting::Disabled => f.write_str("Disabled"),
            ProxySetting::Url(url) => f
                .debug_tuple("Url")
                .field(&crate::endpoint::without_user_info(url))
                .finish(),
        }
    }
}

/// The transport settings a client is built with.
#[derive(Debug, Clone)]
pub(crate) struct TransportConfig {
    pub connect_timeout: Duration,
    pub request_timeout: Duration,
    pub max_response_bytes: u64,
    pub user_agent: String,
    pub retry: RetryPolicy,
    pub proxy: ProxySetting,
    pub ca_file: Option<PathBuf>,
    /// Deadlines, retry pauses and their jitter.
    pub clock: Arc<dyn Clock>,
}

/// What came back: the status, the headers and the body (within the limits), and how many
/// attempts it took.
#[derive(Debug)]
pub(crate) struct Reply {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
    pub attempts: u32,
    /// When the answer arrived, by the client's clock: what an HTTP-date `Retry-After` is
    /// measured from.
    pub received_at: SystemTime,
}

impl Reply {
    pub(crate) fn is_success(&self) -> bool {
        is_success(self.status)
    }

    /// A response header as text, if present and printable.
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    pub(crate) fn request_id(&self) -> Option<String> {
        self.header("x-request-id").map(str::to_owned)
    }

    /// The error a non-2xx answer stands for, with `secrets` masked in what the server said.
    pub(crate) fn error(&self, secrets: &[&str]) -> Error {
        let mut error =
            ServiceError::from_response(self.status, self.request_id(), &self.body, secrets);
        error.retry_after = self.retry_after().map(|(_, pause)| pause);
        Error::Service(Box::new(error)).after_attempts(self.attempts)
    }

    /// The `Retry-After` header, when it parses (digits or an HTTP date), and its pause.
    fn retry_after(&self) -> Option<(&str, Duration)> {
        let value = self.header("retry-after")?;
        Some((value, retry::retry_after(value, self.received_at)?))
    }
}

fn is_success(status: u16) -> bool {
    (200..300).contains(&status)
}

/// What a caller asks of one call besides its request: when it must end, whether a failure
/// may be tried again, and the token whose cancel ends it. Passed down with every request, so
/// that what decides retries is in the call's arguments (no per-thread state).
#[derive(Debug, Clone, Default)]
pub(crate) struct Call {
    /// A wait's deadline: no attempt starts, and no pause ends, after it.
    pub deadline: Option<Instant>,
    /// One attempt per call: the caller (a fleet's scheduler) paces and repeats requests and
    /// polls through failures itself.
    pub single_attempt: bool,
    /// A cancelled call is not tried again: the cancel cut its attempt.
    pub cancel: Option<CancelToken>,
}

impl Call {
    /// Whether a failed attempt may be followed by another.
    fn may_retry(&self) -> bool {
        !self.single_attempt && !self.cancel.as_ref().is_some_and(CancelToken::is_cancelled)
    }
}

/// When a call must end, and what set that time (for messages).
struct Deadline {
    at: Instant,
    what: DeadlineSetter,
}

/// What set a call's deadline; written out only in a message (a successful call formats
/// nothing).
enum DeadlineSetter {
    Wait,
    RequestTimeout(Duration),
}

impl fmt::Display for DeadlineSetter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DeadlineSetter::Wait => f.write_str("the wait's deadline"),
            DeadlineSetter::RequestTimeout(timeout) => {
                write!(f, "the request timeout ({timeout:?})")
            }
        }
    }
}

/// How errors and log lines name a request: its method and URL, and the proxy it goes
/// through, if any (a refused or unresolvable proxy is not the service's fault). Written out
/// only when a message or an enabled log line needs it.
struct Label<'a> {
    method: Method,
    uri: Uri,
    proxy: Option<&'a ureq::Proxy>,
}

impl fmt::Display for Label<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (method, uri) = (&self.method, &self.uri);
        match self.proxy.filter(|proxy| !proxy.is_no_proxy(uri)) {
            Some(proxy) => write!(
                f,
                "{method} {uri} (through the proxy {})",
                crate::endpoint::without_user_info(&proxy.uri().to_string())
            ),
            None => write!(f, "{method} {uri}"),
        }
    }
}

/// What an attempt came to, as log lines say it (`HTTP 503`, or the error).
struct Cause<'a>(&'a Result<Reply, Failure>);

impl fmt::Display for Cause<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Ok(reply) => write!(f, "HTTP {}", reply.status),
            Err(failure) => fmt::Display::fmt(&failure.error, f),
        }
    }
}

/// One failed attempt, and whether it failed at the connection (refused, reset, cut, or a
/// connect timeout), which makes it safe and worth retrying.
struct Failure {
    error: Error,
    connection_level: bool,
}

#[derive(Debug)]
pub(crate) struct Transport {
    agent: Agent,
    /// The proxy requests go through (unless `NO_PROXY` exempts their host): named in errors.
    proxy: Option<ureq::Proxy>,
    user_agent: HeaderValue,
    max_response_bytes: u64,
    connect_timeout: Duration,
    request_timeout: Duration,
    retry: RetryPolicy,
    clock: Arc<dyn Clock>,
}

impl Transport {
    pub(crate) fn new(config: &TransportConfig) -> Result<Transport> {
        let user_agent = HeaderValue::from_str(&config.user_agent)
            .map_err(|_| Error::Config("the user agent is not a valid header value".into()))?;
        config.retry.check()?;
        let proxy = match &config.proxy {
            ProxySetting::Environment => ureq::Proxy::try_from_env(),
            ProxySetting::Disabled => None,
            ProxySetting::Url(url) => Some(ureq::Proxy::new(url).map_err(|e| {
                Error::Config(format!(
                    "proxy {:?} is not usable: {e}",
                    crate::endpoint::without_user_info(url)
                ))
            })?),
        };
        let mut builder = Agent::config_builder()
            // Non-2xx answers are read and decoded, not turned into bare status errors.
            .http_status_as_error(false)
            // A redirect would carry the credentials to wherever it points; none of these APIs
            // redirects, so a 3xx is returned to the caller as an API error instead.
            .max_redirects(0)
            .max_redirects_will_error(false)
            .timeout_connect(Some(config.connect_timeout))
            .timeout_global(Some(config.request_timeout))
            .proxy(proxy.clone())
            // Every worker of the widest fleet wait keeps its connection between polls.
            .max_idle_connections_per_host(crate::limits::CONCURRENCY)
            .max_idle_connections(crate::limits::CONCURRENCY.max(10))
            // Set per request instead, where request signing can see it.
            .user_agent(AutoHeaderValue::None);
        if let Some(path) = &config.ca_file {
            let roots = trust_roots_with(path)?;
            builder = builder.tls_config(TlsConfig::builder().root_certs(roots).build());
        }
        // ureq's default resolver spawns a thread per request when a timeout is set (always,
        // here); `CachingResolver` does so only on a cache miss (see src/http/resolve.rs). The
        // default connector is made interruptible: a cancelled wait cuts its request.
        let agent = Agent::with_parts(
            builder.build(),
            InterruptibleConnector::default(),
            crate::http::resolve::CachingResolver::default(),
        );
        Ok(Transport {
            proxy,
            agent,
            user_agent,
            max_response_bytes: config.max_response_bytes,
            connect_timeout: config.connect_timeout,
            request_timeout: config.request_timeout,
            retry: config.retry,
            clock: Arc::clone(&config.clock),
        })
    }

    /// The clock deadlines and pauses are measured on.
    pub(crate) fn clock(&self) -> &dyn Clock {
        self.clock.as_ref()
    }

    /// A `method` request to `url` carrying `body`, with the headers every request carries:
    /// `User-Agent` (set here rather than by ureq, so that signing sees every header sent) and
    /// `Accept: application/json`. The error is why `url` is not a URI.
    pub(crate) fn request<B>(
        &self,
        method: Method,
        url: &str,
        body: B,
    ) -> std::result::Result<Request<B>, InvalidUri> {
        // Built in place: `request::Builder` moves the whole request through a `Result` at
        // each step (about 0.8k instructions a call).
        let uri: Uri = url.parse()?;
        let mut request = Request::new(body);
        *request.method_mut() = method;
        *request.uri_mut() = uri;
        let headers = request.headers_mut();
        // These two, the credentials' and a signature's: one allocation.
        headers.reserve(6);
        headers.insert(header::USER_AGENT, self.user_agent.clone());
        headers.insert(header::ACCEPT, HeaderValue::from_static("application/json"));
        Ok(request)
    }

    /// Sends the request `make` builds, again after each failure worth retrying (a status of
    /// `error::retryable_status`, or a connection-level failure) up to the retry policy's attempts, after
    /// the pause the policy or the service's `Retry-After` gives. `make` is called for every
    /// attempt, so that each is authenticated afresh. No attempt starts, and no pause ends,
    /// after `deadline` or the end of the request timeout, whichever comes first.
    ///
    /// Returns the last answer whatever its status, with the number of attempts made; a
    /// failure to get any answer is an error that says how many attempts were made.
    pub(crate) fn send<B: AsSendBody>(
        &self,
        mut make: impl FnMut() -> Result<Request<B>>,
        call: &Call,
    ) -> Result<Reply> {
        let deadline = self.call_deadline(call.deadline);
        let mut attempt = 0;
        loop {
            attempt += 1;
            let request = make()?;
            let label = self.label(&request);
            let outcome = self.attempt(request, &label, &deadline);
            let cause = Cause(&outcome);
            log::debug!(target: "hwinst", "{label}: {cause} (attempt {attempt})");
            let worth_retrying = match &outcome {
                Ok(reply) => error::retryable_status(reply.status),
                Err(failure) => failure.connection_level,
            };
            // Not for a cancelled call, nor a fleet's poll (see `Call`).
            if worth_retrying && attempt < self.retry.attempts() && call.may_retry() {
                // Only a value that parsed is kept (and logged): it is digits or an HTTP date.
                // (A value of any number of digits parses: it is logged cut short.)
                let retry_after = outcome
                    .as_ref()
                    .ok()
                    .and_then(Reply::retry_after)
                    .map(|(value, asked)| (crate::error::echo(value), asked));
                let asked = retry_after.as_ref().map(|(_, asked)| *asked);
                let pause = self.retry.delay(attempt, asked, self.clock.as_ref());
                if self.clock.now() + pause < deadline.at {
                    let why = match retry_after {
                        Some((value, asked)) if asked > pause => {
                            format!(" (Retry-After: {value}, cut to the retry policy's max_delay)")
                        }
                        Some((value, _)) => format!(" (Retry-After: {value})"),
                        None => String::new(),
                    };
                    log::info!(
                        target: "hwinst",
                        "{label}: {cause}; attempt {} of {} in {} ms{why}",
                        attempt + 1,
                        self.retry.attempts(),
                        pause.as_millis()
                    );
                    self.clock.sleep(pause, None);
                    continue;
                }
                log::debug!(
                    target: "hwinst",
                    "{label}: {cause}; not retried: a pause of {} ms would end after {}",
                    pause.as_millis(),
                    deadline.what
                );
            }
            return match outcome {
                Ok(mut reply) => {
                    reply.attempts = attempt;
                    Ok(reply)
                }
                Err(failure) => Err(failure.error.after_attempts(attempt)),
            };
        }
    }

    /// How errors and log lines name `request` (see [`Label`]).
    fn label<B>(&self, request: &Request<B>) -> Label<'_> {
        Label {
            method: request.method().clone(),
            uri: request.uri().clone(),
            proxy: self.proxy.as_ref(),
        }
    }

    /// When a call that starts now must end: after the request timeout, which bounds the whole
    /// call, retries included, or at a wait's `deadline` when that is sooner.
    fn call_deadline(&self, deadline: Option<Instant>) -> Deadline {
        let timeout_end = self.clock.now() + self.request_timeout;
        match deadline {
            Some(at) if at < timeout_end => Deadline {
                at,
                what: DeadlineSetter::Wait,
            },
            _ => Deadline {
                at: timeout_end,
                what: DeadlineSetter::RequestTimeout(self.request_timeout),
            },
        }
    }

    /// One attempt, before the call's deadline. Every 2xx body larger than the limit is an
    /// error; non-2xx bodies are cut to the first 64 KiB.
    /// `label` names the request in errors.
    fn attempt<B: AsSendBody>(
        &self,
        request: Request<B>,
        label: &Label<'_>,
        deadline: &Deadline,
    ) -> Result<Reply, Failure> {
        let timeout = deadline.at.saturating_duration_since(self.clock.now());
        if timeout.is_zero() {
            return Err(Failure {
                error: Error::Timeout(format!(
                    "{label}: {} passed before the request was sent",
                    deadline.what
                )),
                connection_level: false,
            });
        }
        let request = request.with_agent(&self.agent);
        // A request's own configuration costs ureq a clone of the agent's whole `Config`
        // (about 1.2k instructions, on every call); when the time left is the agent's own
        // request timeout to within `AGENT_TIMEOUT_SLACK`, the agent's setting serves.
        let response = if self.request_timeout.saturating_sub(timeout) < AGENT_TIMEOUT_SLACK {
            request.run()
        } else {
            request.configure().timeout_global(Some(timeout)).run()
        }
        .map_err(|e| self.failure(label, e, deadline))?;
        let status = response.status().as_u16();
        // The headers are moved out of the response, not copied.
        let (parts, mut body) = response.into_parts();
        let headers = parts.headers;
        let body = if is_success(status) {
            body.with_config()
                .limit(self.max_response_bytes)
                .read_to_vec()
                .map_err(|e| self.failure(label, e, deadline))?
        } else {
            let mut read = Vec::new();
            body.as_reader()
                .take(ERROR_BODY_LIMIT.min(self.max_response_bytes))
                .read_to_end(&mut read)
                .map_err(|e| io_failure(label, e))?;
            read
        };
        Ok(Reply {
            status,
            headers,
            body,
            attempts: 1,
            received_at: self.clock.wall_time(),
        })
    }

    /// Maps a ureq failure onto the error kinds callers act on.
    fn failure(&self, label: &Label<'_>, error: ureq::Error, deadline: &Deadline) -> Failure {
        let error = match error {
            ureq::Error::Timeout(ureq::Timeout::Connect) => {
                return Failure {
                    error: Error::Timeout(format!(
                        "{label}: the connect timeout ({:?}) expired",
                        self.connect_timeout
                    )),
                    connection_level: true,
                }
            }
            ureq::Error::Timeout(_) => {
                Error::Timeout(format!("{label}: {} expired", deadline.what))
            }
            ureq::Error::Io(e) => return io_failure(label, e),
            ureq::Error::BodyExceedsLimit(_) => Error::BodyTooLarge {
                limit: self.max_response_bytes,
            },
            ureq::Error::HostNotFound => {
                failed(label, "the host name could not be resolved", false, None)
            }
            ureq::Error::ConnectionFailed => failed(label, "the connection failed", true, None),
            e @ (ureq::Error::Tls(_) | ureq::Error::Rustls(_) | ureq::Error::Pem(_)) => {
                failed(label, "TLS failed", false, Some(Box::new(e)))
            }
            e => failed(label, "the request failed", false, Some(Box::new(e))),
        };
        Failure::from(error)
    }
}

impl From<Error> for Failure {
    /// Connection-level exactly when the transport error says it may be retried.
    fn from(error: Error) -> Failure {
        let connection_level = matches!(
            error,
            Error::Transport {
                retryable: true,
                ..
            }
        );
        Failure {
            error,
            connection_level,
        }
    }
}

fn io_failure(label: &Label<'_>, error: io::Error) -> Failure {
    use io::ErrorKind as K;
    // rustls reports a refused certificate (or any handshake failure) as an I/O error.
    let tls = error
        .get_ref()
        .is_some_and(|inner| inner.downcast_ref::<rustls::Error>().is_some());
    if tls {
        return Failure::from(failed(label, "TLS failed", false, Some(Box::new(error))));
    }
    Failure::from(match error.kind() {
        K::TimedOut | K::WouldBlock => Error::Timeout(format!("{label}: {error}")),
        K::ConnectionRefused => failed(
            label,
            "the connection was refused",
            true,
            Some(Box::new(error)),
        ),
        K::ConnectionReset | K::ConnectionAborted | K::BrokenPipe | K::NotConnected => failed(
            label,
            "the connection was lost",
            true,
            Some(Box::new(error)),
        ),
        K::UnexpectedEof => failed(
            label,
            "the answer was cut short",
            true,
            Some(Box::new(error)),
        ),
        _ => failed(label, "I/O failed", false, Some(Box::new(error))),
    })
}

fn failed(label: &Label<'_>, what: &str, retryable: bool, source: Option<BoxError>) -> Error {
    let message = match &source {
        Some(source) => format!("{label}: {what}: {source}"),
        None => format!("{label}: {what}"),
    };
    Error::Transport {
        message,
        retryable,
        source,
    }
}

/// Mozilla's roots (the default) plus every certificate of the PEM bundle at `path`.
fn trust_roots_with(path: &Path) -> Result<RootCerts> {
    let bad = |why: String| Error::Config(format!("ca_file {}: {why}", path.display()));
    let pem = crate::file::read_regular_file(path, crate::file::MAX_CA_FILE)
        .map_err(|e| bad(e.to_string()))?;
    let mut extra = Vec::new();
    for item in ureq::tls::parse_pem(&pem) {
        match item.map_err(|e| bad(format!("not a PEM bundle: {e}")))? {
            PemItem::Certificate(certificate) => extra.push(certificate),
            _ => return Err(bad("holds something other than certificates".into())),
        }
    }
    if extra.is_empty() {
        return Err(bad("holds no PEM certificate".into()));
    }
    let mozilla = webpki_root_certs::TLS_SERVER_ROOT_CERTS
        .iter()
        .map(|der| Certificate::from_der(der.as_ref()));
    Ok(RootCerts::from(mozilla.chain(extra)))
}
