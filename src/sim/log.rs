//! The request log: every service, IAM, metadata and pod-identity request answered, the
//! last [`REQUEST_LOG_LIMIT`] of them.

use super::fault::Operation;
use serde::Serialize;
use std::collections::VecDeque;

/// How many requests the log keeps (the oldest are forgotten first).
pub const REQUEST_LOG_LIMIT: usize = 10_000;

/// How a logged request authenticated (what it presented, checked or not).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum AuthKind {
    /// An `X-Auth-Token` header.
    Token,
    /// An `Authorization: SDK-HMAC-SHA256 ...` signature.
    Aksk,
    /// Neither (IAM password requests, or no credentials).
    None,
}

/// One service or IAM request the simulator answered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct RequestRecord {
    /// The method, e.g. `GET`.
    pub method: String,
    /// The path as received (still percent-encoded).
    pub path: String,
    /// The query as received, without `?` (empty when there is none).
    pub query: String,
    /// The API it called, when the path is one the simulator serves.
    pub operation: Option<Operation>,
    /// The instance its path names (decoded), if any.
    pub instance_id: Option<String>,
    /// How it authenticated.
    pub auth: AuthKind,
    /// The status it was answered with.
    pub status: u16,
    /// Whether it was answered 429 by the service's rate limit (not by a fault).
    pub rate_limited: bool,
}

/// The requests answered, oldest first.
#[derive(Default)]
pub(crate) struct RequestLog {
    requests: VecDeque<RequestRecord>,
}

impl RequestLog {
    /// Logs a request, forgetting the oldest beyond [`REQUEST_LOG_LIMIT`].
    pub(crate) fn record(&mut self, record: RequestRecord) {
        if self.requests.len() >= REQUEST_LOG_LIMIT {
            self.requests.pop_front();
        }
        self.requests.push_back(record);
    }

    pub(crate) fn all(&self) -> Vec<RequestRecord> {
        self.requests.iter().cloned().collect()
    }

    pub(crate) fn clear(&mut self) {
        self.requests.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_request_log_is_bounded() {
        let mut log = RequestLog::default();
        for status in 0..REQUEST_LOG_LIMIT + 5 {
            log.record(RequestRecord {
                method: "GET".into(),
                path: "/".into(),
                query: String::new(),
                operation: None,
                instance_id: None,
                auth: AuthKind::None,
                status: status as u16,
                rate_limited: false,
            });
        }
        let requests = log.all();
        assert_eq!(requests.len(), REQUEST_LOG_LIMIT);
        assert_eq!(requests[0].status, 5);
    }
}
