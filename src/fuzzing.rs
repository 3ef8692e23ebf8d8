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

/// A `Retry-After` value as the transport reads it, and the instant a pause of that length
/// from now makes (as the fleet scheduler and the wait compute it): never a panic.
pub fn retry_after(value: &str) -> Option<std::time::Duration> {
    let pause = crate::http::retry::retry_after(value, std::time::SystemTime::now())?;
    assert!(pause <= crate::http::retry::MAX_RETRY_AFTER);
    let now = std::time::Instant::now();
    assert!(crate::clock::later(now, pause) >= now);
    Some(pause)
}

/// A 401 answered with `Date: date` to a request signed at `signed_date` (`X-Sdk-Date`):
/// whether the signer's time is corrected, and the time signatures are dated with after it
/// (formatted as `X-Sdk-Date` is): never a panic, whatever either value.
pub fn clock_skew(date: &str, signed_date: &str) -> (bool, String) {
    use std::sync::Arc;
    let clock = Arc::new(crate::clock::ManualClock::new());
    let time = crate::auth::ServerTime::new(clock.clone());
    let mut headers = ureq::http::HeaderMap::new();
    if let Ok(value) = ureq::http::HeaderValue::from_str(date) {
        headers.insert(ureq::http::header::DATE, value);
    }
    let reply = crate::http::transport::Reply {
        status: 401,
        headers,
        body: Vec::new(),
        attempts: 1,
        received_at: crate::clock::Clock::wall_time(clock.as_ref()),
    };
    let corrected = time.correct(&reply, Some(signed_date));
    (corrected, crate::auth::sign::sdk_date(time.now()))
}

/// A fleet budget of `rate` requests per second (refused unless `check_rate` allows it),
/// charged `debt` requests, asked for a token at `after` past its start: the pause until one
/// is there, and the instant it makes. Never a panic.
pub fn budget_pause(
    rate: f64,
    debt: u32,
    after: std::time::Duration,
) -> Option<std::time::Duration> {
    if crate::bucket::check_rate(rate).is_some() {
        return None;
    }
    let start = std::time::Instant::now();
    let now = crate::clock::later(start, after);
    let mut bucket = crate::bucket::TokenBucket::new(rate);
    bucket.charge(debt, start);
    let pause = bucket.take(now).err()?;
    assert!(crate::clock::later(now, pause) >= now);
    Some(pause)
}
