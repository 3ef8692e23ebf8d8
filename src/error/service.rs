//! What a service said when it refused a request: [`ServiceError`], read from any of the
//! services' error body shapes.

use super::redact::{mask_edges, one_line, redact, snippet};
use std::fmt;
use std::time::Duration;

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
