//! The simulator's error, and the one way its JSON documents (scenarios, instances, faults,
//! admin requests) are decoded into it.

use serde::de::DeserializeOwned;

/// Why the simulator refused something or could not start.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SimError {
    /// A scenario, instance, fault or address that cannot be used; the message names the
    /// field.
    #[error("{0}")]
    Invalid(String),
    /// A file or socket operation failed.
    #[error("{what}: {source}")]
    Io {
        /// What was being done.
        what: String,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
}

/// Decodes a JSON document with the client's decoder (`crate::http::decode`); a failure names
/// `what`, the field's path, and no secret.
pub(crate) fn decode<T: DeserializeOwned>(
    what: &str,
    json: &str,
    secrets: &[&str],
) -> Result<T, SimError> {
    crate::http::decode::document(json.as_bytes()).map_err(|(path, error)| {
        let message = crate::error::redact(&error.to_string(), secrets);
        SimError::Invalid(format!(
            "{what}: {}",
            crate::http::decode::at(&path, message)
        ))
    })
}
