//! The error document the C ABI writes (and the CLI prints with `-o json`): one shape for
//! errors and for panics caught at the C boundary.

use crate::lifecycle::Lifecycle;
use serde::Serialize;

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
