//! Credentials, and the step that adds them to each request.
//!
//! Authentication is one step between building a request and sending it: it sees the whole
//! request (method, URL, headers) and decorates it. Token auth adds `X-Auth-Token`; request
//! signing slots in as another implementation of the same step, without the services knowing.

use crate::error::{Error, Result};
use std::fmt;
use ureq::http::{HeaderValue, Request};

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

/// How the client proves who it is.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Credentials {
    /// An IAM token (the `X-Subject-Token` IAM returned), sent as `X-Auth-Token`.
    Token(Secret),
}

impl Credentials {
    /// Checks the credentials and turns them into the request step that applies them.
    pub(crate) fn into_auth(self) -> Result<Box<dyn Authenticate>> {
        match self {
            Credentials::Token(token) => Ok(Box::new(TokenAuth::new(token)?)),
        }
    }
}

/// Adds credentials to a request about to be sent.
pub(crate) trait Authenticate: Send + Sync {
    /// Decorates `request` (headers only; the body of every hwinst call is empty).
    fn authenticate(&self, request: &mut Request<()>) -> Result<()>;

    /// The secret strings this step holds, so that none of them is ever copied from a server
    /// answer into an error.
    fn secrets(&self) -> Vec<&str>;
}

/// `X-Auth-Token: <token>` on every request.
struct TokenAuth {
    token: Secret,
    header: HeaderValue,
}

impl TokenAuth {
    fn new(token: Secret) -> Result<TokenAuth> {
        let value = token.expose();
        if value.is_empty() {
            return Err(Error::Config("the token is empty".into()));
        }
        // Never echo the token: say what is wrong with it, not what it is.
        if !value.bytes().all(|b| (0x21..=0x7e).contains(&b)) {
            return Err(Error::Config(
                "the token contains characters that cannot be sent in an HTTP header \
                 (white space, control or non-ASCII characters)"
                    .into(),
            ));
        }
        let mut header = HeaderValue::from_str(value)
            .map_err(|_| Error::Config("the token cannot be sent in an HTTP header".into()))?;
        header.set_sensitive(true);
        Ok(TokenAuth { token, header })
    }
}

impl Authenticate for TokenAuth {
    fn authenticate(&self, request: &mut Request<()>) -> Result<()> {
        request
            .headers_mut()
            .insert("x-auth-token", self.header.clone());
        Ok(())
    }

    fn secrets(&self) -> Vec<&str> {
        vec![self.token.expose()]
    }
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
            let err = Credentials::Token(token.into()).into_auth().err().unwrap();
            assert!(matches!(err, Error::Config(_)));
            if !token.is_empty() {
                assert!(!err.to_string().contains(token));
            }
        }
    }
}
