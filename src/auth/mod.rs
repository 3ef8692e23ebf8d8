//! Credentials, and the step that adds them to each request.
//!
//! Authentication is one step between building a request and sending it: it sees the whole
//! request (method, URL, headers) and decorates it. Token auth adds `X-Auth-Token`; request
//! signing slots in as another implementation of the same step, without the services knowing.

pub(crate) mod iam;
pub(crate) mod issued;
pub(crate) mod oidc;
pub(crate) mod profile;
pub(crate) mod sign;
pub(crate) mod temporary;

use crate::clock::Clock;
use crate::error::{Error, Result};

use crate::http::transport::{Call, Reply, Transport};
use std::fmt;
use std::path::PathBuf;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use std::time::{Duration, SystemTime};
use ureq::http::{header, HeaderName, HeaderValue, Method, Request, Uri};

/// The header names set or read on every call, parsed once (a `&str` name is parsed again
/// on every use).
pub(crate) static X_AUTH_TOKEN: HeaderName = HeaderName::from_static("x-auth-token");
static X_SDK_DATE: HeaderName = HeaderName::from_static("x-sdk-date");
static X_PROJECT_ID: HeaderName = HeaderName::from_static("x-project-id");
static X_SECURITY_TOKEN: HeaderName = HeaderName::from_static("x-security-token");
/// The `Content-Type` of the JSON documents POSTed to IAM.
pub(crate) static JSON_UTF8: HeaderValue =
    HeaderValue::from_static("application/json;charset=UTF-8");

/// A secret string (token, secret key, password). Its `Debug` never shows the value, and it
/// has no `Display`.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret.
    pub fn new(value: impl Into<String>) -> Secret {
        Secret(value.into())
    }

    pub(crate) fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

impl From<&str> for Secret {
    fn from(value: &str) -> Secret {
        Secret::new(value)
    }
}

impl From<String> for Secret {
    fn from(value: String) -> Secret {
        Secret::new(value)
    }
}

/// The fewest characters a token, secret key, security token or IAM password may have.
///
/// Every real one is far longer (secret keys have 40 characters, IAM tokens thousands), and
/// IAM itself refuses passwords shorter than 6: anything shorter is a placeholder or a
/// mistake. It also keeps masking meaningful: every occurrence of a secret is masked in what a
/// server sends back, which would garble messages (and show where the secret's characters
/// are) for a one-character secret; and a cut message masks a piece of a secret of 4
/// characters or more at its edge (half of a shorter secret), so that at most 2 characters of
/// a 6-character secret can stay, fewer than half.
pub const MIN_SECRET_LEN: usize = 6;

/// Refuses a secret shorter than [`MIN_SECRET_LEN`], without showing it.
pub(crate) fn long_enough(what: &str, secret: &str) -> Result<()> {
    if secret.chars().count() < MIN_SECRET_LEN {
        return Err(Error::Config(format!(
            "the {what} is too short to be real (fewer than {MIN_SECRET_LEN} characters; \
             it is not shown)"
        )));
    }
    Ok(())
}

/// How the client proves who it is.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Credentials {
    /// An IAM token (the `X-Subject-Token` IAM returned), sent as `X-Auth-Token`.
    Token(Secret),
    /// An access key and secret key: every request is signed (`SDK-HMAC-SHA256`), as the
    /// official SDKs do. Temporary credentials add their security token.
    AkSk {
        /// The access key ID (not a secret: it names the key).
        ak: String,
        /// The secret access key; never sent, only used to sign.
        sk: Secret,
        /// The security token of temporary credentials, sent as `X-Security-Token`.
        security_token: Option<Secret>,
    },
    /// An IAM user's password: the client asks IAM for a token (`POST /v3/auth/tokens`),
    /// caches it, and asks again before it expires or after a 401.
    IamPassword {
        /// The IAM user name.
        user: String,
        /// The user's password.
        password: Secret,
        /// The account (domain) name the user belongs to.
        domain: String,
    },
    /// A federated OIDC identity: the ID token in `id_token_file` (read again at each
    /// renewal, as CI systems rotate it) is exchanged with IAM for temporary AK/SK, renewed
    /// 40 minutes before they expire, as the official SDKs do.
    Oidc {
        /// The identity provider's ID in IAM (sent as `X-Idp-Id`; not a secret).
        idp_id: String,
        /// The file holding the ID token (a JWT).
        id_token_file: PathBuf,
    },
}

impl Credentials {
    /// AK/SK credentials.
    pub fn ak_sk(ak: impl Into<String>, sk: impl Into<Secret>) -> Credentials {
        Credentials::AkSk {
            ak: ak.into(),
            sk: sk.into(),
            security_token: None,
        }
    }

    /// Temporary AK/SK credentials with their security token.
    pub fn temporary_ak_sk(
        ak: impl Into<String>,
        sk: impl Into<Secret>,
        security_token: impl Into<Secret>,
    ) -> Credentials {
        Credentials::AkSk {
            ak: ak.into(),
            sk: sk.into(),
            security_token: Some(security_token.into()),
        }
    }

    /// An IAM user's password credentials.
    pub fn iam_password(
        user: impl Into<String>,
        password: impl Into<Secret>,
        domain: impl Into<String>,
    ) -> Credentials {
        Credentials::IamPassword {
            user: user.into(),
            password: password.into(),
            domain: domain.into(),
        }
    }

    /// A federated OIDC identity's credentials.
    pub fn oidc(idp_id: impl Into<String>, id_token_file: impl Into<PathBuf>) -> Credentials {
        Credentials::Oidc {
            idp_id: idp_id.into(),
            id_token_file: id_token_file.into(),
        }
    }

    /// What kind of credentials these are, for people (`token`, `AK/SK`, `temporary AK/SK`,
    /// `IAM password`, `OIDC identity`).
    pub(crate) fn kind(&self) -> &'static str {
        match self {
            Credentials::Token(_) => "token",
            Credentials::AkSk {
                security_token: None,
                ..
            } => "AK/SK",
            Credentials::AkSk { .. } => "temporary AK/SK",
            Credentials::IamPassword { .. } => "IAM password",
            Credentials::Oidc { .. } => "OIDC identity (temporary AK/SK)",
        }
    }

    /// Whether a project ID can be looked up with these credentials (a bare token cannot).
    pub(crate) fn can_look_up_project(&self) -> bool {
        !matches!(self, Credentials::Token(_))
    }
}

/// Adds credentials to a request about to be sent.
pub(crate) trait Authenticate: Send + Sync {
    /// Decorates `request` (headers only; the body of every authenticated call is empty).
    /// `project_id` is the project the request is about (`None` for IAM's own APIs); a
    /// request it makes on its own (a token from IAM) is made within `call`'s limits.
    fn authenticate(
        &self,
        request: &mut Request<()>,
        project_id: Option<&str>,
        call: &Call,
    ) -> Result<()>;

    /// The secret strings this step holds, so that none of them is ever copied from a server
    /// answer into an error.
    fn secrets(&self) -> Vec<String>;

    /// The access key ID requests are signed with now, for AK/SK credentials (not a secret).
    fn access_key(&self) -> Option<String> {
        None
    }

    /// Called after a 401 `reply` to a request dated `signed_date` (its `X-Sdk-Date`, when
    /// signed): drops what made it (a stale IAM token, expired temporary credentials, a wrong
    /// idea of the time) and says whether sending the request once more may succeed.
    fn recover(&self, reply: &Reply, signed_date: Option<&str>) -> bool {
        let _ = (reply, signed_date);
        false
    }
}

/// `GET url`, authenticated by `auth` for `project_id`, with the transport's retries; after
/// a 401, once more (never twice) when `auth` could recover from it. `sending` is called as
/// each request (each attempt, each re-signed one) is about to be sent.
pub(crate) fn get(
    transport: &Transport,
    auth: &dyn Authenticate,
    url: &str,
    project_id: Option<&str>,
    call: &Call,
    sending: &dyn Fn(),
) -> Result<Reply> {
    // The date the last request was signed with: a 401 is judged by it, not by the time
    // signatures are dated with by the time the answer comes (another request may have
    // corrected it meanwhile).
    let signed_date = std::cell::RefCell::new(None::<String>);
    let send = || {
        transport.send(
            || {
                let mut request = transport
                    .request(Method::GET, url, ())
                    .map_err(|e| Error::InvalidArgument(format!("cannot request {url}: {e}")))?;
                auth.authenticate(&mut request, project_id, call)?;
                *signed_date.borrow_mut() = request
                    .headers()
                    .get(&X_SDK_DATE)
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_owned);
                sending();
                Ok(request)
            },
            call,
        )
    };
    let reply = send()?;
    let signed = signed_date.borrow().clone();
    if reply.status == 401 && auth.recover(&reply, signed.as_deref()) {
        return send();
    }
    Ok(reply)
}

/// A header value from a credential: printable ASCII without white space, marked sensitive
/// so that it is never logged. The error says what is wrong, never what the value is.
pub(crate) fn credential_header(what: &str, value: &str) -> Result<HeaderValue> {
    if value.is_empty() {
        return Err(Error::Config(format!("the {what} is empty")));
    }
    if !value.bytes().all(|b| (0x21..=0x7e).contains(&b)) {
        return Err(Error::Config(format!(
            "the {what} contains characters that cannot be sent in an HTTP header \
             (white space, control or non-ASCII characters)"
        )));
    }
    let mut header = HeaderValue::from_str(value)
        .map_err(|_| Error::Config(format!("the {what} cannot be sent in an HTTP header")))?;
    header.set_sensitive(true);
    Ok(header)
}

/// `X-Auth-Token: <token>` on every request.
pub(crate) struct TokenAuth {
    token: Secret,
    header: HeaderValue,
}

impl TokenAuth {
    pub(crate) fn new(token: Secret) -> Result<TokenAuth> {
        let header = credential_header("token", token.expose())?;
        long_enough("token", token.expose())?;
        Ok(TokenAuth { token, header })
    }
}

impl Authenticate for TokenAuth {
    fn authenticate(&self, request: &mut Request<()>, _: Option<&str>, _: &Call) -> Result<()> {
        request
            .headers_mut()
            .insert(&X_AUTH_TOKEN, self.header.clone());
        Ok(())
    }

    fn secrets(&self) -> Vec<String> {
        vec![self.token.expose().to_owned()]
    }
}

/// Signs every request with an AK/SK pair (`SDK-HMAC-SHA256`, see [`crate::auth::sign`]).
///
/// Signed: `host` (the URL's authority, without a default port), `x-sdk-date`,
/// `x-project-id` (when the request is about a project) and `x-security-token` (temporary
/// credentials); the signature covers the path and query exactly as sent. Each header signed
/// is also set on the request, so that what is sent is what was signed.
pub(crate) struct AkSkAuth {
    ak: String,
    /// Kept to be masked in what servers say; signing uses `signer`.
    sk: Secret,
    signer: sign::Signer,
    security_token: Option<(Secret, HeaderValue)>,
    time: Arc<ServerTime>,
}

impl AkSkAuth {
    /// Signs with `ak`/`sk` (and `security_token`), dating signatures by `time`.
    pub(crate) fn new(
        ak: String,
        sk: Secret,
        security_token: Option<Secret>,
        time: Arc<ServerTime>,
    ) -> Result<AkSkAuth> {
        // The AK goes into the Authorization header: same rules, but it is not secret.
        credential_header("access key (ak)", &ak)?;
        if sk.expose().is_empty() {
            return Err(Error::Config("the secret key (sk) is empty".into()));
        }
        long_enough("secret key (sk)", sk.expose())?;
        let security_token = match security_token {
            Some(token) => {
                let header = credential_header("security token", token.expose())?;
                long_enough("security token", token.expose())?;
                Some((token, header))
            }
            None => None,
        };
        Ok(AkSkAuth {
            ak,
            signer: sign::Signer::new(sk.expose()),
            sk,
            security_token,
            time,
        })
    }
}

impl Authenticate for AkSkAuth {
    fn authenticate(
        &self,
        request: &mut Request<()>,
        project_id: Option<&str>,
        _: &Call,
    ) -> Result<()> {
        let uri = request.uri().clone();
        let date = sign::sdk_date(self.time.now());
        let mut signed: Vec<(&'static HeaderName, HeaderValue)> = vec![
            (&header::HOST, header_value(&host(&uri))?),
            (&X_SDK_DATE, header_value(&date)?),
        ];
        if let Some(project_id) = project_id {
            signed.push((&X_PROJECT_ID, header_value(project_id)?));
        }
        if let Some((_, token)) = &self.security_token {
            signed.push((&X_SECURITY_TOKEN, token.clone()));
        }
        // Every value here was checked to be visible ASCII, so it reads back as text.
        let as_text: Vec<(&str, &str)> = signed
            .iter()
            .map(|(name, value)| (name.as_str(), value.to_str().unwrap_or_default()))
            .collect();
        let authorization = self.signer.authorization(
            &self.ak,
            &date,
            request.method().as_str(),
            uri.path(),
            uri.query().unwrap_or(""),
            &as_text,
            b"",
        );
        let headers = request.headers_mut();
        for (name, value) in signed {
            headers.insert(name, value);
        }
        let mut authorization = header_value(&authorization)?;
        authorization.set_sensitive(true);
        headers.insert(header::AUTHORIZATION, authorization);
        Ok(())
    }

    fn secrets(&self) -> Vec<String> {
        let mut secrets = vec![self.sk.expose().to_owned()];
        if let Some((token, _)) = &self.security_token {
            secrets.push(token.expose().to_owned());
        }
        secrets
    }

    fn access_key(&self) -> Option<String> {
        Some(self.ak.clone())
    }

    fn recover(&self, reply: &Reply, signed_date: Option<&str>) -> bool {
        self.time.correct(reply, signed_date)
    }
}

/// A server's `Date` this far from the time a request was signed with marks the 401 it came
/// with as a refused `X-Sdk-Date` (gateways allow 15 minutes; the header has whole seconds).
const SKEW_TOLERANCE: Duration = Duration::from_secs(60);

/// The time AK/SK signatures are dated with: the clock's, corrected by what the servers said
/// their time was when they refused a signature for its date. One per client, shared by every
/// signer it has (temporary credentials are renewed, the correction stays).
#[derive(Debug)]
pub(crate) struct ServerTime {
    clock: Arc<dyn Clock>,
    /// The servers' time minus the clock's, in milliseconds.
    offset_ms: AtomicI64,
}

impl ServerTime {
    pub(crate) fn new(clock: Arc<dyn Clock>) -> ServerTime {
        ServerTime {
            clock,
            offset_ms: AtomicI64::new(0),
        }
    }

    /// The servers' idea of the time, as far as it is known.
    pub(crate) fn now(&self) -> SystemTime {
        shifted(
            self.clock.wall_time(),
            self.offset_ms.load(Ordering::Relaxed),
        )
    }

    /// After a 401 to a request signed at `signed_date` (`X-Sdk-Date`; else taken as now):
    /// when the answer's `Date` is more than [`SKEW_TOLERANCE`] from it, the signature was
    /// refused for its date, and signing again may succeed. Then, unless the time signatures
    /// are dated with already agrees with the server's (another request corrected it since
    /// this one was signed: it is re-signed once with the current offset), adopts the
    /// server's time from now on (logged).
    pub(crate) fn correct(&self, reply: &Reply, signed_date: Option<&str>) -> bool {
        let Some(server) = reply
            .header("date")
            .and_then(|d| httpdate::parse_http_date(d).ok())
        else {
            return false;
        };
        let off_by = |ours: SystemTime| match server.duration_since(ours) {
            Ok(ahead) => ahead,
            Err(behind) => behind.duration(),
        };
        let signed = signed_date
            .and_then(sign::parse_sdk_date)
            .unwrap_or_else(|| self.now());
        if off_by(signed) <= SKEW_TOLERANCE {
            return false;
        }
        if off_by(self.now()) <= SKEW_TOLERANCE {
            log::debug!(
                target: "hwinst",
                "a signature dated before the last clock correction was refused: signing it again"
            );
            return true;
        }
        let offset = millis_between(self.clock.wall_time(), server);
        self.offset_ms.store(offset, Ordering::Relaxed);
        log::warn!(
            target: "hwinst",
            "a signature was refused with the server's clock {} s {} this machine's: \
             signing with the server's time from now on",
            offset.unsigned_abs() / 1000,
            if offset > 0 { "ahead of" } else { "behind" }
        );
        true
    }
}

/// `at` moved by `offset_ms` milliseconds (either way).
fn shifted(at: SystemTime, offset_ms: i64) -> SystemTime {
    let by = Duration::from_millis(offset_ms.unsigned_abs());
    let moved = if offset_ms >= 0 {
        at.checked_add(by)
    } else {
        at.checked_sub(by)
    };
    moved.unwrap_or(at)
}

/// `to - from` in milliseconds, negative when `to` is earlier.
fn millis_between(from: SystemTime, to: SystemTime) -> i64 {
    match to.duration_since(from) {
        Ok(d) => i64::try_from(d.as_millis()).unwrap_or(i64::MAX),
        Err(e) => -i64::try_from(e.duration().as_millis()).unwrap_or(i64::MAX),
    }
}

/// A token or temporary credentials are renewed this long before they expire, or at half
/// their life when that is shorter.
pub(crate) const RENEW_BEFORE_EXPIRY: Duration = Duration::from_secs(10 * 60);

/// When to renew credentials issued at `issued` that expire at `expires_at` (one hour after
/// issue when the issuer did not say).
pub(crate) fn renewal_time(issued: SystemTime, expires_at: Option<SystemTime>) -> SystemTime {
    renewal_time_ahead(issued, expires_at, RENEW_BEFORE_EXPIRY)
}

/// [`renewal_time`], renewing `ahead` of expiry instead of [`RENEW_BEFORE_EXPIRY`] (still at
/// half their life when that is shorter).
pub(crate) fn renewal_time_ahead(
    issued: SystemTime,
    expires_at: Option<SystemTime>,
    ahead: Duration,
) -> SystemTime {
    const ASSUMED_LIFETIME: Duration = Duration::from_secs(60 * 60);
    let expires_at = expires_at.unwrap_or(issued + ASSUMED_LIFETIME);
    let life = expires_at.duration_since(issued).unwrap_or(Duration::ZERO);
    // Whatever date the issuer wrote, renewing is never later than expiry (and never a panic).
    expires_at
        .checked_sub(ahead.min(life / 2))
        .unwrap_or(issued)
}

/// An ISO 8601 / RFC 3339 time as IAM and the metadata service write it
/// (`2026-11-23T10:15:00.000000Z`).
pub(crate) fn parse_time(text: &str) -> Option<SystemTime> {
    let at =
        time::OffsetDateTime::parse(text.trim(), &time::format_description::well_known::Rfc3339)
            .ok()?;
    Some(SystemTime::from(at))
}

/// The `Host` header the request is sent with: the URL's authority, without the port when it
/// is the scheme's default.
fn host(uri: &Uri) -> String {
    let host = uri.host().unwrap_or_default();
    let default_port = match uri.scheme_str() {
        Some("https") => Some(443),
        Some("http") => Some(80),
        _ => None,
    };
    match uri.port_u16() {
        Some(port) if Some(port) != default_port => format!("{host}:{port}"),
        _ => host.to_owned(),
    }
}

fn header_value(text: &str) -> Result<HeaderValue> {
    HeaderValue::from_str(text)
        .map_err(|_| Error::InvalidArgument(format!("{text:?} cannot be sent in an HTTP header")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_the_secret() {
        let creds = Credentials::Token(Secret::new("tok-123"));
        assert!(!format!("{creds:?}").contains("tok-123"));
    }

    #[test]
    fn bad_tokens_are_config_errors_that_do_not_echo_them() {
        for token in ["", "tok 123", "tok\n123", "tökén"] {
            let err = TokenAuth::new(token.into()).err().unwrap();
            assert!(matches!(err, Error::Config(_)));
            if !token.is_empty() {
                assert!(!err.to_string().contains(token));
            }
        }
    }

    #[test]
    fn credentials_are_renewed_before_they_expire() {
        let issued = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000);
        let day = Duration::from_secs(24 * 3600);
        assert_eq!(
            renewal_time(issued, Some(issued + day)),
            issued + day - RENEW_BEFORE_EXPIRY
        );
        // Short-lived: at half its life. Already expired: at once.
        let short = Duration::from_secs(60);
        assert_eq!(
            renewal_time(issued, Some(issued + short)),
            issued + short / 2
        );
        assert!(renewal_time(issued, Some(issued - short)) <= issued);
        assert_eq!(
            renewal_time(issued, None),
            issued + Duration::from_secs(3600) - RENEW_BEFORE_EXPIRY
        );
    }

    #[test]
    fn times_as_iam_and_the_metadata_service_write_them() {
        let at = parse_time("2026-11-23T10:15:00.123000Z").unwrap();
        let epoch = at.duration_since(SystemTime::UNIX_EPOCH).unwrap().as_secs();
        assert_eq!(epoch, 1_795_428_900);
        assert!(parse_time("tomorrow").is_none());
    }

    #[test]
    fn server_time_is_corrected_from_a_refusal_s_date_header() {
        let clock = Arc::new(crate::clock::ManualClock::new());
        let time = ServerTime::new(clock.clone());
        let reply = |date: SystemTime| Reply {
            status: 401,
            headers: [(
                ureq::http::header::DATE,
                HeaderValue::from_str(&httpdate::fmt_http_date(date)).unwrap(),
            )]
            .into_iter()
            .collect(),
            body: Vec::new(),
            attempts: 1,
            received_at: clock.wall_time(),
        };
        // Within the tolerance: another cause, nothing corrected.
        assert!(!time.correct(&reply(clock.wall_time() + Duration::from_secs(30)), None));
        let ahead = Duration::from_secs(20 * 60);
        let before = sign::sdk_date(time.now());
        assert!(time.correct(&reply(clock.wall_time() + ahead), Some(&before)));
        let off = time.now().duration_since(clock.wall_time()).unwrap();
        assert!(off.abs_diff(ahead) < Duration::from_secs(1), "{off:?}");
        // A request signed with the corrected time refused again: not a reason to sign again.
        let after = sign::sdk_date(time.now());
        assert!(!time.correct(&reply(clock.wall_time() + ahead), Some(&after)));
        // One signed before the correction, refused after it: signed again, once, with the
        // offset as it is.
        assert!(time.correct(&reply(clock.wall_time() + ahead), Some(&before)));
        let again = time.now().duration_since(clock.wall_time()).unwrap();
        assert!(again.abs_diff(ahead) < Duration::from_secs(1), "{again:?}");
        assert!(time.correct(&reply(clock.wall_time() - ahead), None));
        assert!(
            clock.wall_time().duration_since(time.now()).unwrap() > ahead - Duration::from_secs(1)
        );
    }
}
