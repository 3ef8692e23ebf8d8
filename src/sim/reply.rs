//! An answer before it becomes an HTTP response (the hyper glue in `server.rs` turns it into
//! one), and the error answers every API gives in its family's shape.

use super::bodies::{error_body, Family};

/// An answer before it becomes an HTTP response.
pub(crate) struct Reply {
    pub status: u16,
    pub headers: Vec<(&'static str, String)>,
    pub body: Vec<u8>,
    /// Send half of the body after promising all of it, then close the connection.
    pub truncated: bool,
}

impl Reply {
    /// A JSON answer.
    pub(crate) fn json(status: u16, body: &serde_json::Value) -> Reply {
        Reply::bytes(
            status,
            "application/json;charset=UTF-8",
            body.to_string().into_bytes(),
        )
    }

    /// A JSON answer from a serialisable value.
    pub(crate) fn serialized(status: u16, body: &impl serde::Serialize) -> Reply {
        match serde_json::to_vec(body) {
            Ok(bytes) => Reply::bytes(status, "application/json;charset=UTF-8", bytes),
            // Only a map with non-string keys fails, and no body has one.
            Err(_) => Reply::empty(500),
        }
    }

    /// An answer with this body and content type.
    pub(crate) fn bytes(status: u16, content_type: &str, body: Vec<u8>) -> Reply {
        Reply {
            status,
            headers: vec![("content-type", content_type.to_owned())],
            body,
            truncated: false,
        }
    }

    /// An answer without a body.
    pub(crate) fn empty(status: u16) -> Reply {
        Reply {
            status,
            headers: Vec::new(),
            body: Vec::new(),
            truncated: false,
        }
    }

    /// This answer with one more header.
    pub(crate) fn header(mut self, name: &'static str, value: &str) -> Reply {
        self.headers.push((name, value.to_owned()));
        self
    }
}

/// An error answer in the family's shape; `why` also goes into `X-Sim-Reason`.
pub(crate) fn refusal(family: Family, status: u16, request_id: &str, why: &str) -> Reply {
    let reply = match error_body(family, status, request_id, why) {
        Some(body) => Reply::json(status, &body),
        None => Reply::empty(status),
    };
    if why.is_empty() {
        reply
    } else {
        reply.header("x-sim-reason", why)
    }
}
