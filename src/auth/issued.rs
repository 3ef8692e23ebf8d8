//! Temporary credentials as they are issued, whoever issues them (the metadata service, pod
//! identity, IAM for an OIDC identity): their answer's shape, one request to the issuer, and
//! why a fetch failed. Below both `temporary` (which fetches and renews) and `oidc` (IAM's
//! exchange), which use it.

use crate::auth::{self, Secret};
use crate::error::{Error, Result, ServiceError};
use crate::http::transport::{Call, Reply, Transport};
use std::fmt;
use std::time::SystemTime;

/// What the metadata service says on a VM without a cloud service agency.
pub(crate) const NO_AGENCY: &str = "Please configure Cloud Service Agency first";

/// One set of temporary credentials and when they expire.
pub(crate) struct TemporaryCredentials {
    pub ak: String,
    pub sk: Secret,
    pub security_token: Secret,
    pub expires_at: Option<SystemTime>,
}

/// Why fetching temporary credentials failed.
pub(crate) enum FetchError {
    /// Nothing answered (refused, timed out): not on a VM of this kind.
    NoAnswer(Error),
    /// The metadata service answered that the VM has no cloud service agency.
    NoAgency,
    /// It answered, but not with credentials (a status, or a body of another shape).
    Failed(Error),
    /// Something answered that is not the service: the body is not JSON (a proxy's HTML
    /// "403 Forbidden" page at the metadata address, say).
    Foreign(Error),
    /// One step of several failed: `step` says which.
    Step { step: String, error: Error },
    /// The settings cannot work (a file that cannot be read, a value that cannot be sent).
    Config(String),
}

impl FetchError {
    /// The error a caller sees, naming `source`: a transport error when nothing answered,
    /// else `UNAUTHORIZED`.
    pub(crate) fn into_error(self, source: &dyn fmt::Display) -> Error {
        match self {
            FetchError::NoAnswer(error) => Error::Transport {
                message: format!("cannot get temporary credentials from {source}: {error}"),
                retryable: true,
                source: Some(Box::new(error)),
            },
            FetchError::NoAgency => unauthorized(format!(
                "{source} says this VM has no cloud service agency (\"{NO_AGENCY}\"): \
                 attach an agency to the VM, or configure credentials"
            )),
            // What is wrong here (an unreadable token file) is the configuration's.
            FetchError::Failed(Error::Config(why)) => Error::Config(format!(
                "cannot get temporary credentials from {source}: {why}"
            )),
            FetchError::Failed(error) | FetchError::Foreign(error) => unauthorized(format!(
                "cannot get temporary credentials from {source}: {error}"
            )),
            FetchError::Step { step, error } => unauthorized(format!("{source}: {step}: {error}")),
            FetchError::Config(why) => Error::Config(format!("{source}: {why}")),
        }
    }
}

/// A 401 the library itself reports.
pub(crate) fn unauthorized(message: String) -> Error {
    Error::Service(Box::new(ServiceError {
        status: 401,
        error_code: None,
        error_msg: Some(message),
        error_details: None,
        request_id: None,
        body_snippet: None,
        attempts: 1,
        retry_after: None,
    }))
}

/// One request to the host's service; a failure to get any answer is [`FetchError::NoAnswer`].
pub(crate) fn send<B: ureq::AsSendBody>(
    transport: &Transport,
    make: impl FnMut() -> Result<ureq::http::Request<B>>,
) -> std::result::Result<Reply, FetchError> {
    transport.send(make, &Call::default()).map_err(|e| match e {
        e @ (Error::Transport { .. } | Error::Timeout(_)) => FetchError::NoAnswer(e),
        e => FetchError::Failed(e),
    })
}

/// The credentials in an answer of the documented shape:
/// `{"credential":{"access","secret","securitytoken","expires_at"}}`, or the same with the
/// names `accessKeyId`, `secretAccessKey`, `securityToken` and `expiration`. Read by hand
/// rather than by serde, whose messages may quote a value: every value here is a secret.
pub(crate) fn credentials(reply: &Reply) -> Result<TemporaryCredentials> {
    let shape = |why: String| Error::Decode {
        what: "temporary credentials",
        message: format!("the answer is not of the documented shape: {why}"),
    };
    let document: serde_json::Value =
        serde_json::from_slice(&reply.body).map_err(|_| shape("it is not JSON".into()))?;
    let credential = document
        .get("credential")
        .and_then(serde_json::Value::as_object)
        .ok_or_else(|| shape("no `credential` object".into()))?;
    let field = |names: [&str; 2], required: bool| -> Result<Option<String>> {
        match names.iter().find_map(|name| credential.get(*name)) {
            Some(serde_json::Value::String(text)) if !text.is_empty() => Ok(Some(text.clone())),
            None | Some(serde_json::Value::Null) if !required => Ok(None),
            _ => Err(shape(format!(
                "`credential.{}` is missing, empty or not a string",
                names[0]
            ))),
        }
    };
    let text = |names| field(names, true).map(Option::unwrap_or_default);
    let ak = text(["access", "accessKeyId"])?;
    let sk = Secret::new(text(["secret", "secretAccessKey"])?);
    let security_token = Secret::new(text(["securitytoken", "securityToken"])?);
    let expires_at = match field(["expires_at", "expiration"], false)? {
        None => None,
        Some(at) => Some(
            auth::parse_time(&at)
                .ok_or_else(|| shape("`credential.expires_at` is not an RFC 3339 time".into()))?,
        ),
    };
    Ok(TemporaryCredentials {
        ak,
        sk,
        security_token,
        expires_at,
    })
}
