//! Sending requests: one pooled ureq [`Agent`] per client, timeouts, the response size limit,
//! and the mapping of every way a request can fail onto [`Error`].

use crate::auth::Authenticate;
use crate::error::{BoxError, Error, Result};
use std::io::{self, Read};
use std::time::{Duration, Instant};
use ureq::config::AutoHeaderValue;
use ureq::http::{header, HeaderValue, Request};
use ureq::{Agent, RequestExt};

/// How much of a non-2xx body is read: enough for any error document, small enough that a
/// proxy's huge error page costs nothing.
const ERROR_BODY_LIMIT: u64 = 64 * 1024;

/// The transport settings a client is built with.
#[derive(Debug, Clone)]
pub(crate) struct TransportConfig {
    pub connect_timeout: Duration,
    pub request_timeout: Duration,
    pub max_response_bytes: u64,
    pub user_agent: String,
}

/// What came back: the status, the request ID header and the body (within the limits).
#[derive(Debug)]
pub(crate) struct Reply {
    pub status: u16,
    pub request_id: Option<String>,
    pub body: Vec<u8>,
}

impl Reply {
    pub(crate) fn is_success(&self) -> bool {
        is_success(self.status)
    }
}

fn is_success(status: u16) -> bool {
    (200..300).contains(&status)
}

#[derive(Debug)]
pub(crate) struct Transport {
    agent: Agent,
    user_agent: HeaderValue,
    max_response_bytes: u64,
    connect_timeout: Duration,
    request_timeout: Duration,
}

impl Transport {
    pub(crate) fn new(config: &TransportConfig) -> Result<Transport> {
        let user_agent = HeaderValue::from_str(&config.user_agent)
            .map_err(|_| Error::Config("the user agent is not a valid header value".into()))?;
        let agent = Agent::config_builder()
            // Non-2xx answers are read and decoded, not turned into bare status errors.
            .http_status_as_error(false)
            // A redirect would carry X-Auth-Token to wherever it points; none of these APIs
            // redirects, so a 3xx is returned to the caller as an API error instead.
            .max_redirects(0)
            .max_redirects_will_error(false)
            .timeout_connect(Some(config.connect_timeout))
            .timeout_global(Some(config.request_timeout))
            // Set per request instead, where request signing can see it.
            .user_agent(AutoHeaderValue::None)
            .build()
            .new_agent();
        Ok(Transport {
            agent,
            user_agent,
            max_response_bytes: config.max_response_bytes,
            connect_timeout: config.connect_timeout,
            request_timeout: config.request_timeout,
        })
    }

    /// Sends `GET url` decorated by `auth` and reads the answer, within the request timeout
    /// and before `deadline` (a wait's), whichever comes first. Every 2xx body larger than the
    /// limit is an error; non-2xx bodies are cut to the first 64 KiB.
    pub(crate) fn get(
        &self,
        url: &str,
        auth: &dyn Authenticate,
        deadline: Option<Instant>,
    ) -> Result<Reply> {
        let timeout = match deadline {
            None => self.request_timeout,
            Some(deadline) => {
                let left = deadline.saturating_duration_since(Instant::now());
                if left.is_zero() {
                    return Err(Error::Timeout(format!(
                        "GET {url}: the deadline passed before the request was sent"
                    )));
                }
                left.min(self.request_timeout)
            }
        };
        let mut request = Request::get(url)
            .header(header::USER_AGENT, self.user_agent.clone())
            .header(header::ACCEPT, "application/json")
            .body(())
            .map_err(|e| {
                Error::InvalidArgument(format!("cannot build a request for {url}: {e}"))
            })?;
        auth.authenticate(&mut request)?;

        let mut response = request
            .with_agent(&self.agent)
            .configure()
            .timeout_global(Some(timeout))
            .run()
            .map_err(|e| self.map_error(url, e, timeout))?;
        let status = response.status().as_u16();
        let request_id = response
            .headers()
            .get("x-request-id")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let body = if is_success(status) {
            response
                .body_mut()
                .with_config()
                .limit(self.max_response_bytes)
                .read_to_vec()
                .map_err(|e| self.map_error(url, e, timeout))?
        } else {
            let mut body = Vec::new();
            response
                .body_mut()
                .as_reader()
                .take(ERROR_BODY_LIMIT.min(self.max_response_bytes))
                .read_to_end(&mut body)
                .map_err(|e| io_error(url, e))?;
            body
        };
        Ok(Reply {
            status,
            request_id,
            body,
        })
    }

    /// Maps a ureq failure onto the error kinds callers act on. `timeout` is the whole
    /// request's allowance.
    fn map_error(&self, url: &str, error: ureq::Error, timeout: Duration) -> Error {
        let expired = |name: &str, after: Duration| {
            Error::Timeout(format!("GET {url}: the {name} timeout ({after:?}) expired"))
        };
        match error {
            ureq::Error::Timeout(ureq::Timeout::Connect) => {
                expired("connect", self.connect_timeout)
            }
            ureq::Error::Timeout(_) => expired("request", timeout),
            ureq::Error::Io(e) => io_error(url, e),
            ureq::Error::BodyExceedsLimit(_) => Error::BodyTooLarge {
                limit: self.max_response_bytes,
            },
            ureq::Error::HostNotFound => {
                failed(url, "the host name could not be resolved", false, None)
            }
            ureq::Error::ConnectionFailed => failed(url, "the connection failed", true, None),
            e @ (ureq::Error::Tls(_) | ureq::Error::Rustls(_) | ureq::Error::Pem(_)) => {
                failed(url, "TLS failed", false, Some(Box::new(e)))
            }
            e => failed(url, "the request failed", false, Some(Box::new(e))),
        }
    }
}

fn io_error(url: &str, error: io::Error) -> Error {
    use io::ErrorKind as K;
    match error.kind() {
        K::TimedOut | K::WouldBlock => Error::Timeout(format!("GET {url}: {error}")),
        K::ConnectionRefused => failed(
            url,
            "the connection was refused",
            true,
            Some(Box::new(error)),
        ),
        K::ConnectionReset | K::ConnectionAborted | K::BrokenPipe | K::NotConnected => {
            failed(url, "the connection was lost", true, Some(Box::new(error)))
        }
        K::UnexpectedEof => failed(url, "the answer was cut short", true, Some(Box::new(error))),
        _ => failed(url, "I/O failed", false, Some(Box::new(error))),
    }
}

fn failed(url: &str, what: &str, retryable: bool, source: Option<BoxError>) -> Error {
    let message = match &source {
        Some(source) => format!("GET {url}: {what}: {source}"),
        None => format!("GET {url}: {what}"),
    };
    Error::Transport {
        message,
        retryable,
        source,
    }
}
