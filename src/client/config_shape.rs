//! The shape of the configuration document, checked before serde decodes it, so that a
//! mistake is reported without echoing what was given: serde's own messages quote values
//! (`invalid type: string "..."`) and unknown keys verbatim, and a configuration holds
//! credentials — a token pasted in the wrong place, or as a key, would be copied into the
//! error (and from there to a C caller's log, the CLI's stderr or its `-o json` document).
//!
//! A message names where (`credentials.iam_password`), what was expected (the keys allowed
//! there, or the type) and the kind of JSON value found — never a value, never a key found
//! inside `credentials`, and never a key that does not look like a key name.

use crate::error::{Error, Result};
use serde_json::Value;

/// What a place in the document holds; `null` is allowed everywhere (absent).
enum Shape {
    Object(&'static [(&'static str, Shape)]),
    Text,
    Bool,
    /// A non-negative integer up to this bound.
    Integer(u64),
}

const IAM_PASSWORD: &[(&str, Shape)] = &[
    ("user", Shape::Text),
    ("password", Shape::Text),
    ("domain", Shape::Text),
];

const CREDENTIALS: &[(&str, Shape)] = &[
    ("token", Shape::Text),
    ("ak", Shape::Text),
    ("sk", Shape::Text),
    ("security_token", Shape::Text),
    ("iam_password", Shape::Object(IAM_PASSWORD)),
    (
        "oidc",
        Shape::Object(&[("idp_id", Shape::Text), ("id_token_file", Shape::Text)]),
    ),
    // One source of the default chain, named on its own.
    ("environment", Shape::Object(&[])),
    ("profile_file", Shape::Object(&[("path", Shape::Text)])),
    ("profile", Shape::Text),
    ("pod_identity", Shape::Object(&[])),
    ("metadata", Shape::Object(&[])),
];

const DOCUMENT: &[(&str, Shape)] = &[
    ("region", Shape::Text),
    ("project_id", Shape::Text),
    ("credentials", Shape::Object(CREDENTIALS)),
    (
        "endpoints",
        Shape::Object(&[
            ("roma", Shape::Text),
            ("apig", Shape::Text),
            ("clouddc", Shape::Text),
            ("iam", Shape::Text),
            ("metadata", Shape::Text),
        ]),
    ),
    (
        "timeouts_ms",
        Shape::Object(&[
            ("connect", Shape::Integer(u64::MAX)),
            ("request", Shape::Integer(u64::MAX)),
        ]),
    ),
    (
        "retry",
        Shape::Object(&[
            ("max_attempts", Shape::Integer(u32::MAX as u64)),
            ("base_delay_ms", Shape::Integer(u64::MAX)),
            ("max_delay_ms", Shape::Integer(u64::MAX)),
        ]),
    ),
    ("proxy", Shape::Text),
    ("ca_file", Shape::Text),
    ("allow_http", Shape::Bool),
    ("user_agent", Shape::Text),
    ("max_response_bytes", Shape::Integer(u64::MAX)),
];

/// The longest key name echoed in a message.
const MAX_SHOWN_KEY: usize = 40;

/// Checks `document` against the configuration's shape: `Error::Config` naming the first
/// place that does not fit, without any value or secret.
pub(crate) fn check(document: &Value) -> Result<()> {
    check_at(document, &Shape::Object(DOCUMENT), "")
}

fn check_at(value: &Value, shape: &Shape, path: &str) -> Result<()> {
    if value.is_null() {
        return Ok(());
    }
    let fits = match (shape, value) {
        (Shape::Object(keys), Value::Object(map)) => {
            for (key, item) in map {
                let inner = if path.is_empty() {
                    key.clone()
                } else {
                    format!("{path}.{key}")
                };
                match keys.iter().find(|(name, _)| name == key) {
                    Some((_, shape)) => check_at(item, shape, &inner)?,
                    None => return Err(unknown_key(path, key, keys)),
                }
            }
            true
        }
        (Shape::Text, Value::String(_)) | (Shape::Bool, Value::Bool(_)) => true,
        (Shape::Integer(max), Value::Number(n)) => n.as_u64().is_some_and(|n| n <= *max),
        _ => false,
    };
    if fits {
        Ok(())
    } else {
        Err(Error::Config(format!(
            "{}: expected {}, found {} (values are never shown)",
            place(path),
            expected(shape),
            found(value)
        )))
    }
}

/// `the configuration` or `the configuration's `a.b``.
fn place(path: &str) -> String {
    if path.is_empty() {
        "the configuration".to_owned()
    } else {
        format!("the configuration's `{path}`")
    }
}

fn unknown_key(path: &str, key: &str, allowed: &[(&str, Shape)]) -> Error {
    let names: Vec<String> = allowed
        .iter()
        .map(|(name, _)| format!("`{name}`"))
        .collect();
    let inside_credentials = path == "credentials" || path.starts_with("credentials.");
    let plausible = !key.is_empty()
        && key.len() <= MAX_SHOWN_KEY
        && key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
    let which = if inside_credentials {
        "unknown key (not shown: keys inside `credentials` are never echoed)".to_owned()
    } else if !plausible {
        "unknown key (not shown: it does not look like a key name)".to_owned()
    } else {
        format!("unknown key `{key}`")
    };
    let expected = if names.is_empty() {
        "it takes no keys".to_owned()
    } else {
        format!("expected one of {}", names.join(", "))
    };
    Error::Config(format!("{}: {which}; {expected}", place(path)))
}

fn expected(shape: &Shape) -> String {
    match shape {
        Shape::Object(_) => "an object".to_owned(),
        Shape::Text => "a string".to_owned(),
        Shape::Bool => "true or false".to_owned(),
        Shape::Integer(max) => format!("an integer from 0 to {max}"),
    }
}

fn found(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(n) if n.is_u64() || n.is_i64() => "an integer",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}
