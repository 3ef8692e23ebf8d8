//! Entry points for the fuzz targets in `fuzz/` into internals they cannot otherwise reach:
//! the error-body parser (with the masking of secrets) and the AK/SK signer's
//! canonicalisation of paths and queries. Compiled only under `--cfg fuzzing` (which
//! cargo-fuzz sets): normal builds have none of it.

use crate::error::ServiceError;

/// Decodes a non-2xx answer's body as the transport does, masking `secrets`.
pub fn error_body(status: u16, body: &[u8], secrets: &[&str]) -> ServiceError {
    ServiceError::from_response(status, None, body, secrets)
}

/// The canonical URI the signer signs for a wire path.
pub fn canonical_path(path: &str) -> String {
    crate::auth::sign::canonical_path(path)
}

/// The canonical query string the signer signs for a wire query.
pub fn canonical_query(query: &str) -> String {
    crate::auth::sign::canonical_query(query)
}

/// A list query document, as `hwinst_roma_list_instances` reads its `query_json`.
pub fn list_query(json: &str) -> crate::Result<crate::RomaListQuery> {
    crate::http::decode::argument("query_json", json)
}
