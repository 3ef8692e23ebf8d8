//! Credentials, and the step that adds them to each request.
//!
//! Authentication is one step between building a request and sending it: it sees the whole
//! request (method, URL, headers) and decorates it. Token auth adds `X-Auth-Token`; request
//! signing slots in as another implementation of the same step, without the services knowing.

use crate::error::{Error, Result};
use crate::sign;
use crate::transport::{Reply, Transport};
use std::fmt;
use std::time::{Instant, SystemTime};
use ureq::http::{HeaderValue, Method, Request, Uri};

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

    /// Whether a project ID can be looked up with these credentials (a bare token cannot).
    pub(crate) fn can_look_up_project(&self) -> bool {
        !matches!(self, Credentials::Token(_))
    }
}

/// Adds credentials to a request about to be sent.
pub(crate) trait Authenticate: Send + Sync {
    /// Decorates `request` (headers only; the body of every authenticated call is empty).
    /// `project_id` is the project the request is about (`None` for IAM's own APIs); no
    /// request it makes on its own (a token from IAM) may end after `deadline`.
    fn authenticate(
        &self,
        request: &mut Request<()>,
        project_id: Option<&str>,
        deadline: Option<Instant>,
    ) -> Result<()>;

    /// The secret strings this step holds, so that none of them is ever copied from a server
    /// answer into an error.
    fn secrets(&self) -> Vec<String>;

    /// Called after a 401: forgets a cached token and says whether asking again with a new
    /// one may succeed.
    fn forget_token(&self) -> bool {
        false
    }
}

/// `GET url`, authenticated by `auth` for `project_id`, with the transport's retries; after
/// a 401, once more with a new token when `auth` can get one.
pub(crate) fn get(
    transport: &Transport,
    auth: &dyn Authenticate,
    url: &str,
    project_id: Option<&str>,
    deadline: Option<Instant>,
) -> Result<Reply> {
    let send = || {
        transport.send(
            || {
                let mut request = transport
                    .request(Method::GET, url)
                    .body(())
                    .map_err(|e| Error::InvalidArgument(format!("cannot request {url}: {e}")))?;
                auth.authenticate(&mut request, project_id, deadline)?;
                Ok(request)
            },
            deadline,
        )
    };
    let reply = send()?;
    if reply.status == 401 && auth.forget_token() {
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
    fn authenticate(
        &self,
        request: &mut Request<()>,
        _: Option<&str>,
        _: Option<Instant>,
    ) -> Result<()> {
        request
            .headers_mut()
            .insert("x-auth-token", self.header.clone());
        Ok(())
    }

    fn secrets(&self) -> Vec<String> {
        vec![self.token.expose().to_owned()]
    }
}

/// Signs every request with an AK/SK pair (`SDK-HMAC-SHA256`, see [`crate::sign`]).
///
/// Signed: `host` (the URL's authority, without a default port), `x-sdk-date`,
/// `x-project-id` (when the request is about a project) and `x-security-token` (temporary
/// credentials); the signature covers the path and query exactly as sent. Each header signed
/// is also set on the request, so that what is sent is what was signed.
pub(crate) struct AkSkAuth {
    ak: String,
    sk: Secret,
    security_token: Option<(Secret, HeaderValue)>,
}

impl AkSkAuth {
    pub(crate) fn new(ak: String, sk: Secret, security_token: Option<Secret>) -> Result<AkSkAuth> {
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
            sk,
            security_token,
        })
    }
}

impl Authenticate for AkSkAuth {
    fn authenticate(
        &self,
        request: &mut Request<()>,
        project_id: Option<&str>,
        _: Option<Instant>,
    ) -> Result<()> {
        let uri = request.uri().clone();
        let date = sign::sdk_date(SystemTime::now());
        let mut signed: Vec<(&'static str, HeaderValue)> = vec![
            ("host", header_value(&host(&uri))?),
            ("x-sdk-date", header_value(&date)?),
        ];
        if let Some(project_id) = project_id {
            signed.push(("x-project-id", header_value(project_id)?));
        }
        if let Some((_, token)) = &self.security_token {
            signed.push(("x-security-token", token.clone()));
        }
        // Every value here was checked to be visible ASCII, so it reads back as text.
        let as_text: Vec<(String, String)> = signed
            .iter()
            .map(|(name, value)| {
                let text = value.to_str().unwrap_or_default().to_owned();
                ((*name).to_owned(), text)
            })
            .collect();
        let authorization = sign::authorization(
            &self.ak,
            self.sk.expose(),
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
        headers.insert("authorization", authorization);
        Ok(())
    }

    fn secrets(&self) -> Vec<String> {
        let mut secrets = vec![self.sk.expose().to_owned()];
        if let Some((token, _)) = &self.security_token {
            secrets.push(token.expose().to_owned());
        }
        secrets
    }
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
}
