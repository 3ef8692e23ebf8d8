//! `hwinst_code`, and the error document every failing call writes.

use crate::error::{Error, ErrorDocument, ErrorKind};

/// What a call did. The values are stable: new codes are only ever added at the end.
///
/// Each failure also writes an error document (see the functions' docs) whose `"code"` is the
/// name below without `HWINST_`, e.g. `"NOT_FOUND"`.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum hwinst_code {
    /// Success: the result document was written.
    OK = 0,
    /// A NULL pointer, a string that is not UTF-8, malformed JSON, or an empty or unsafe ID.
    /// Nothing was sent.
    INVALID_ARGUMENT = 1,
    /// The configuration cannot work: an unknown key, a missing region, endpoint, project or
    /// credentials, a bad URL, proxy or CA file, a value out of range, or a project look-up
    /// that found no project or several.
    CONFIG = 2,
    /// DNS, connect, TLS or I/O failure, or a response body over the size limit.
    TRANSPORT = 3,
    /// The connect or request timeout expired, or a wait reached its deadline.
    TIMEOUT = 4,
    /// The service answered 401: the token is missing, wrong or expired.
    UNAUTHORIZED = 5,
    /// The service answered 403.
    FORBIDDEN = 6,
    /// The service answered 404: no such instance in this project and region.
    NOT_FOUND = 7,
    /// The service answered 429.
    THROTTLED = 8,
    /// The service answered 5xx.
    SERVER = 9,
    /// The service answered another non-2xx status.
    API = 10,
    /// The service answered 2xx with a body that is not of the documented shape.
    DECODE = 11,
    /// A wait was cancelled: its callback returned non-zero, or its cancel token was cancelled.
    CANCELLED = 12,
    /// A wait ended on a failed or deleted instance; the error document has its lifecycle and
    /// the service's error code and message.
    INSTANCE_FAILED = 13,
    /// A bug in hwinst was caught at the C boundary; please report it with the error document.
    PANIC = 14,
}

impl From<ErrorKind> for hwinst_code {
    fn from(kind: ErrorKind) -> hwinst_code {
        match kind {
            ErrorKind::InvalidArgument => hwinst_code::INVALID_ARGUMENT,
            ErrorKind::Config => hwinst_code::CONFIG,
            ErrorKind::Transport => hwinst_code::TRANSPORT,
            ErrorKind::Timeout => hwinst_code::TIMEOUT,
            ErrorKind::Unauthorized => hwinst_code::UNAUTHORIZED,
            ErrorKind::Forbidden => hwinst_code::FORBIDDEN,
            ErrorKind::NotFound => hwinst_code::NOT_FOUND,
            ErrorKind::Throttled => hwinst_code::THROTTLED,
            ErrorKind::Server => hwinst_code::SERVER,
            ErrorKind::Api => hwinst_code::API,
            ErrorKind::Decode => hwinst_code::DECODE,
            ErrorKind::Cancelled => hwinst_code::CANCELLED,
            ErrorKind::InstanceFailed => hwinst_code::INSTANCE_FAILED,
        }
    }
}

/// The code and error document ([`Error::document`]) of `error`.
pub(crate) fn error_document(error: &Error) -> (hwinst_code, String) {
    (hwinst_code::from(error.kind()), error.document())
}

/// The error document of a panic caught at the boundary, with the panic's message.
pub(crate) fn panic_document(what: &str) -> String {
    ErrorDocument {
        code: "PANIC",
        message: format!(
            "internal error in hwinst {} (please report it): {what}",
            crate::VERSION
        ),
        http_status: None,
        error_code: None,
        error_msg: None,
        request_id: None,
        retryable: false,
        lifecycle: None,
    }
    .to_json()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each kind maps to its code, with the stable value and the name that its error
    /// documents carry (`"NOT_FOUND"` for `HWINST_NOT_FOUND`), as the committed header says.
    #[test]
    fn every_kind_has_a_code_with_its_name() {
        let header = include_str!("../../include/hwinst.h");
        let kinds = [
            ErrorKind::InvalidArgument,
            ErrorKind::Config,
            ErrorKind::Transport,
            ErrorKind::Timeout,
            ErrorKind::Unauthorized,
            ErrorKind::Forbidden,
            ErrorKind::NotFound,
            ErrorKind::Throttled,
            ErrorKind::Server,
            ErrorKind::Api,
            ErrorKind::Decode,
            ErrorKind::Cancelled,
            ErrorKind::InstanceFailed,
        ];
        for (value, kind) in (1..).zip(kinds) {
            let code = hwinst_code::from(kind);
            assert_eq!(code as i32, value, "{kind}");
            let enumerator = format!("HWINST_{} = {value},", kind.as_str());
            assert!(
                header.contains(&enumerator),
                "the header lacks {enumerator}"
            );
        }
        assert_eq!(hwinst_code::PANIC as i32, 14);
        assert!(header.contains("HWINST_PANIC = 14,"));
    }
}
