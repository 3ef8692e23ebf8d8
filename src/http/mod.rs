//! Sending a request and reading its answer: one pooled ureq agent (`transport`) with its own
//! DNS resolver (`resolve`), cancellation of a request in flight (`interrupt`), retries with
//! backoff that honour `Retry-After` (`retry`), and decoding a body into a model or an error
//! (`decode`).
//!
//! Below authentication and the client; above the foundations. Nothing here knows which
//! service or credentials a request is for.

pub(crate) mod decode;
pub(crate) mod interrupt;
pub(crate) mod resolve;
pub(crate) mod retry;
pub(crate) mod transport;
