//! Temporary credentials from where the host keeps them: the ECS metadata service of a VM with
//! a cloud service agency, and the CCE pod-identity endpoint; or from IAM, for a federated
//! OIDC identity ([`oidc`](super::oidc)). They expire within hours, so
//! [`TemporaryAuth`] renews them before they do, and once more after a 401 that says they
//! have expired.
//!
//! Fetching and renewing are logged (target `hwinst`); no key, secret or token ever is.

use crate::auth::issued::{
    credentials, send, unauthorized, FetchError, TemporaryCredentials, NO_AGENCY,
};
use crate::auth::{self, credential_header, oidc, AkSkAuth, Authenticate, Secret, ServerTime};
use crate::endpoint::without_user_info;
use crate::error::{Error, Result};
use crate::file::{read_regular_text, MAX_CREDENTIALS_FILE};
use crate::http::transport::{Call, Reply, Transport};
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};
use ureq::http::{header, HeaderName, HeaderValue, Method};

/// The ECS metadata service's address on every Huawei Cloud VM.
pub const DEFAULT_METADATA_ENDPOINT: &str = "http://169.254.169.254";

/// The life asked for a metadata session token (the most the service grants: 6 hours).
const SESSION_TOKEN_TTL_S: &str = "21600";

/// Where temporary credentials come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum TemporarySource {
    /// The ECS metadata service at this base URL.
    Metadata { base: String },
    /// The CCE pod-identity endpoint: `POST url`, with the content of `token_file` as the
    /// `Authorization` header.
    PodIdentity { url: String, token_file: PathBuf },
    /// IAM at `iam` (its base URL), exchanging the ID token of `token_file` for the identity
    /// provider `idp_id`; `origin` says where these settings were found, for messages.
    Oidc {
        iam: String,
        idp_id: String,
        token_file: PathBuf,
        origin: String,
    },
}

impl TemporarySource {
    /// How long before they expire credentials from here are renewed (or at half their life
    /// when that is shorter): the official SDKs renew OIDC credentials 40 minutes ahead.
    fn renew_before(&self) -> Duration {
        match self {
            TemporarySource::Oidc { .. } => oidc::RENEW_BEFORE_EXPIRY,
            _ => auth::RENEW_BEFORE_EXPIRY,
        }
    }
}

impl fmt::Display for TemporarySource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            // A URL is checked to carry no user information; masked all the same.
            TemporarySource::Metadata { base } => {
                write!(f, "the ECS metadata service ({})", without_user_info(base))
            }
            TemporarySource::PodIdentity { url, .. } => write!(
                f,
                "the CCE pod-identity endpoint ({})",
                without_user_info(url)
            ),
            TemporarySource::Oidc { idp_id, origin, .. } => {
                write!(
                    f,
                    "the OIDC identity provider \"{}\" of {origin}",
                    crate::error::echo(idp_id)
                )
            }
        }
    }
}

/// Fetches temporary credentials from one source; keeps the metadata service's session token
/// between fetches.
pub(crate) struct Fetcher {
    source: TemporarySource,
    transport: Arc<Transport>,
    session_token: Mutex<Option<Secret>>,
    /// The last OIDC ID token and IAM token exchanged for credentials.
    exchanged: Mutex<Vec<Secret>>,
}

impl Fetcher {
    /// `transport` must be one for the host's own services (short timeouts, no proxy), or
    /// the client's own for IAM.
    pub(crate) fn new(source: TemporarySource, transport: impl Into<Arc<Transport>>) -> Fetcher {
        Fetcher {
            source,
            transport: transport.into(),
            session_token: Mutex::new(None),
            exchanged: Mutex::new(Vec::new()),
        }
    }

    pub(crate) fn source(&self) -> &TemporarySource {
        &self.source
    }

    /// New temporary credentials.
    pub(crate) fn fetch(&self) -> std::result::Result<TemporaryCredentials, FetchError> {
        // The token the request was sent with is masked in what the answer says, even when
        // it is no longer held (a refused session token is dropped before the error is made).
        let (reply, sent) = match &self.source {
            TemporarySource::Metadata { base } => self.metadata(base)?,
            TemporarySource::PodIdentity { url, token_file } => {
                pod_identity(&self.transport, url, token_file)?
            }
            TemporarySource::Oidc {
                iam,
                idp_id,
                token_file,
                ..
            } => {
                let mut exchanged = Vec::new();
                let fetched = oidc::fetch(&self.transport, iam, idp_id, token_file, &mut |s| {
                    exchanged.push(s.clone())
                });
                // Kept whatever the outcome: a later answer may still quote them.
                *self.exchanged.lock().unwrap_or_else(|e| e.into_inner()) = exchanged;
                return fetched;
            }
        };
        let mut secrets = self.secrets();
        secrets.extend(sent.iter().map(|token| token.expose().to_owned()));
        let secrets: Vec<&str> = secrets.iter().map(String::as_str).collect();
        // The services answer JSON, errors included; anything else is another server's.
        let theirs = serde_json::from_slice::<serde::de::IgnoredAny>(&reply.body).is_ok();
        let failed = |error| match theirs {
            true => FetchError::Failed(error),
            false => FetchError::Foreign(error),
        };
        if !reply.is_success() {
            return Err(failed(reply.error(&secrets)));
        }
        credentials(&reply).map_err(failed)
    }

    /// `GET /openstack/latest/securitykey`, with a session token when the service gives one;
    /// after a 401 that is not about the agency (the session token expired), once more with a
    /// new session token. The answer, and the session token it was asked with.
    fn metadata(&self, base: &str) -> std::result::Result<(Reply, Option<Secret>), FetchError> {
        let mut renewed = false;
        loop {
            let token = {
                let mut held = self.session_token.lock().unwrap_or_else(|e| e.into_inner());
                if held.is_none() {
                    *held = session_token(&self.transport, base)?;
                }
                held.clone()
            };
            let url = format!("{base}/openstack/latest/securitykey");
            let reply = send(&self.transport, || {
                let mut request = self
                    .transport
                    .request(Method::GET, &url, ())
                    .map_err(|e| Error::InvalidArgument(format!("cannot request {url}: {e}")))?;
                if let Some(token) = &token {
                    let value = credential_header("metadata session token", token.expose())?;
                    request
                        .headers_mut()
                        .insert(HeaderName::from_static("x-metadata-token"), value);
                }
                Ok(request)
            })?;
            if reply.status != 401 {
                return Ok((reply, token));
            }
            if String::from_utf8_lossy(&reply.body).contains(NO_AGENCY) {
                return Err(FetchError::NoAgency);
            }
            *self.session_token.lock().unwrap_or_else(|e| e.into_inner()) = None;
            if renewed {
                return Ok((reply, token));
            }
            log::info!(
                target: "hwinst",
                "the metadata service refused its session token: asking for a new one"
            );
            renewed = true;
        }
    }

    fn secrets(&self) -> Vec<String> {
        let held = self.session_token.lock().unwrap_or_else(|e| e.into_inner());
        let exchanged = self.exchanged.lock().unwrap_or_else(|e| e.into_inner());
        held.iter()
            .chain(exchanged.iter())
            .map(|t| t.expose().to_owned())
            .collect()
    }
}

/// `PUT /meta-data/latest/api/token`: a session token, or none when the service has no
/// session tokens (404, 405, 503, or any other refusal: the `GET` then says what is wrong).
fn session_token(
    transport: &Transport,
    base: &str,
) -> std::result::Result<Option<Secret>, FetchError> {
    let url = format!("{base}/meta-data/latest/api/token");
    let reply = send(transport, || {
        let mut request = transport
            .request(Method::PUT, &url, Vec::new())
            .map_err(|e| Error::InvalidArgument(format!("cannot request {url}: {e}")))?;
        request.headers_mut().insert(
            HeaderName::from_static("x-metadata-token-ttl-seconds"),
            HeaderValue::from_static(SESSION_TOKEN_TTL_S),
        );
        Ok(request)
    })?;
    if !reply.is_success() {
        log::debug!(
            target: "hwinst",
            "the metadata service gives no session token (HTTP {}): going on without one",
            reply.status
        );
        return Ok(None);
    }
    let token = String::from_utf8_lossy(&reply.body).trim().to_owned();
    credential_header("metadata session token", &token).map_err(FetchError::Failed)?;
    Ok(Some(Secret::new(token)))
}

/// `POST url` with the token file's content as `Authorization`; the answer, and the token.
fn pod_identity(
    transport: &Transport,
    url: &str,
    token_file: &Path,
) -> std::result::Result<(Reply, Option<Secret>), FetchError> {
    let token = read_regular_text(token_file, MAX_CREDENTIALS_FILE).map_err(|e| {
        FetchError::Failed(Error::Config(format!(
            "the pod-identity token file {}: {e}",
            token_file.display()
        )))
    })?;
    let token = Secret::new(token.trim());
    let authorization =
        credential_header("pod-identity token", token.expose()).map_err(FetchError::Failed)?;
    let reply = send(transport, || {
        let mut request = transport
            .request(Method::POST, url, Vec::new())
            .map_err(|e| Error::Config(format!("cannot request {url}: {e}")))?;
        request
            .headers_mut()
            .insert(header::AUTHORIZATION, authorization.clone());
        Ok(request)
    })?;
    Ok((reply, Some(token)))
}

/// AK/SK signing with temporary credentials that renew themselves: fetched when first needed
/// (or handed over by the credential chain, which fetched them to know they are there),
/// renewed once they are due (threads that need them then wait for the one renewal), and
/// after a 401 that says they expired.
pub(crate) struct TemporaryAuth {
    fetcher: Fetcher,
    time: Arc<ServerTime>,
    current: Mutex<Option<Held>>,
}

struct Held {
    signer: AkSkAuth,
    renew_at: SystemTime,
    expires_at: Option<SystemTime>,
}

impl TemporaryAuth {
    pub(crate) fn new(
        fetcher: Fetcher,
        time: Arc<ServerTime>,
        first: Option<TemporaryCredentials>,
    ) -> Result<TemporaryAuth> {
        let current = match first {
            Some(credentials) => Some(held(credentials, &time, fetcher.source())?),
            None => None,
        };
        Ok(TemporaryAuth {
            fetcher,
            time,
            current: Mutex::new(current),
        })
    }
}

/// Credentials ready to sign with, renewed at the usual point of their life.
fn held(
    credentials: TemporaryCredentials,
    time: &Arc<ServerTime>,
    source: &TemporarySource,
) -> Result<Held> {
    let issued = time.now();
    let renew_at = auth::renewal_time_ahead(issued, credentials.expires_at, source.renew_before());
    let signer = AkSkAuth::new(
        credentials.ak,
        credentials.sk,
        Some(credentials.security_token),
        Arc::clone(time),
    )
    .map_err(|e| match e {
        Error::Config(why) => unauthorized(format!("{source} gave unusable credentials: {why}")),
        other => other,
    })?;
    Ok(Held {
        signer,
        renew_at,
        expires_at: credentials.expires_at,
    })
}

impl Authenticate for TemporaryAuth {
    fn authenticate(
        &self,
        request: &mut ureq::http::Request<()>,
        project_id: Option<&str>,
        call: &Call,
    ) -> Result<()> {
        // Held while renewing: concurrent callers wait for that one renewal.
        let mut current = self.current.lock().unwrap_or_else(|e| e.into_inner());
        let now = self.time.now();
        let due = current.as_ref().is_none_or(|held| now >= held.renew_at);
        if due {
            let source = self.fetcher.source();
            log::info!(target: "hwinst", "getting temporary credentials from {source}");
            match self.fetcher.fetch() {
                Ok(fresh) => {
                    let fresh = held(fresh, &self.time, source)?;
                    log::debug!(
                        target: "hwinst",
                        "temporary credentials from {source}; renewed after {}",
                        httpdate::fmt_http_date(fresh.renew_at)
                    );
                    *current = Some(fresh);
                }
                // Renewal is early: until they expire, the credentials held still work.
                Err(e) => match current.as_ref() {
                    Some(held) if held.expires_at.is_none_or(|at| now < at) => {
                        let e = e.into_error(source);
                        log::warn!(
                            target: "hwinst",
                            "{e}; signing with the credentials held until they expire"
                        );
                    }
                    _ => return Err(e.into_error(source)),
                },
            }
        }
        let held = current.as_ref().expect("set above or returned");
        held.signer.authenticate(request, project_id, call)
    }

    fn secrets(&self) -> Vec<String> {
        let mut secrets = self.fetcher.secrets();
        let current = self.current.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(held) = current.as_ref() {
            secrets.extend(held.signer.secrets());
        }
        secrets
    }

    fn access_key(&self) -> Option<String> {
        let current = self.current.lock().unwrap_or_else(|e| e.into_inner());
        current.as_ref().and_then(|held| held.signer.access_key())
    }

    fn recover(&self, reply: &Reply, signed_date: Option<&str>) -> bool {
        // Both may be wrong at once (a clock far behind sees its credentials expire late):
        // one retry must fix both.
        let corrected = self.time.correct(reply, signed_date);
        if !says_security_token_expired(&reply.body) {
            return corrected;
        }
        log::info!(
            target: "hwinst",
            "the service says the security token expired: renewing the temporary credentials"
        );
        *self.current.lock().unwrap_or_else(|e| e.into_inner()) = None;
        true
    }
}

/// Whether a 401's body says the security token expired (`... the security token has
/// expired`, `... securitytoken expired ...`).
fn says_security_token_expired(body: &[u8]) -> bool {
    let text = String::from_utf8_lossy(body).to_ascii_lowercase();
    (text.contains("security token") || text.contains("securitytoken")) && text.contains("expire")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_expired_security_token_is_recognised() {
        for body in [
            r#"{"error_code":"APIGW.0301","error_msg":"Incorrect IAM authentication information: the security token has expired"}"#,
            r#"{"error_msg":"SecurityToken expired"}"#,
        ] {
            assert!(says_security_token_expired(body.as_bytes()), "{body}");
        }
        for body in [
            r#"{"error_code":"APIGW.0301","error_msg":"Incorrect IAM authentication information: calc aksk signature fail:signature expired"}"#,
            "",
        ] {
            assert!(!says_security_token_expired(body.as_bytes()), "{body}");
        }
    }
}
