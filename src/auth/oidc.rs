//! Federated OIDC identities (GitHub Actions, CCE workload identity), as the official SDKs
//! use them: an ID token from a file, exchanged with IAM for temporary AK/SK in two unsigned
//! calls.
//!
//! 1. `POST {iam}/v3.0/OS-AUTH/id-token/tokens` with `X-Idp-Id` and the ID token: IAM answers
//!    with a token in `X-Subject-Token`.
//! 2. `POST {iam}/v3.0/OS-CREDENTIAL/securitytokens` with that token: IAM answers with
//!    temporary credentials (`{"credential":{...}}`), signed with as temporary AK/SK.
//!
//! The file is read again at every renewal: the CI system rotates it. Renewing, holding and
//! the 401 that says they expired are [`TemporaryAuth`](super::temporary::TemporaryAuth)'s
//! business, as for the other temporary credentials. The ID token, IAM's token and the
//! temporary keys are secrets: masked in what IAM answers, never logged.

use super::issued::{self, FetchError, TemporaryCredentials};
use crate::auth::Secret;
use crate::error::Error;
use crate::http::transport::{Reply, Transport};
use std::path::Path;
use std::time::Duration;
use ureq::http::{header, HeaderName, HeaderValue, Method};

/// The life asked for the temporary credentials, as the official SDKs ask (6 hours).
const DURATION_SECONDS: u64 = 21_600;

/// The official SDKs renew OIDC credentials when less than this is left.
pub(crate) const RENEW_BEFORE_EXPIRY: Duration = Duration::from_secs(40 * 60);

/// The path of step 1.
pub const ID_TOKEN_PATH: &str = "/v3.0/OS-AUTH/id-token/tokens";
/// The path of step 2.
pub const SECURITY_TOKENS_PATH: &str = "/v3.0/OS-CREDENTIAL/securitytokens";

/// The ID token in `token_file`, trimmed. A file that cannot be read, or holds nothing, is a
/// configuration error naming the file (never its content).
fn read_id_token(token_file: &Path) -> Result<Secret, FetchError> {
    let text = std::fs::read_to_string(token_file).map_err(|e| {
        FetchError::Config(format!(
            "cannot read the ID token file {}: {e}",
            token_file.display()
        ))
    })?;
    let token = text.trim();
    if token.is_empty() {
        return Err(FetchError::Config(format!(
            "the ID token file {} is empty",
            token_file.display()
        )));
    }
    Ok(Secret::new(token))
}

/// Turns the ID token of `token_file` into temporary credentials with IAM at `iam` (its base
/// URL). `keep` receives the ID token and IAM's token as soon as each is known, so that the
/// caller can mask them in anything said later.
pub(crate) fn fetch(
    transport: &Transport,
    iam: &str,
    idp_id: &str,
    token_file: &Path,
    keep: &mut dyn FnMut(&Secret),
) -> Result<TemporaryCredentials, FetchError> {
    let id_token = read_id_token(token_file)?;
    keep(&id_token);
    let idp_header = HeaderValue::from_str(idp_id)
        .ok()
        .filter(|_| !idp_id.is_empty())
        .ok_or_else(|| {
            FetchError::Config(
                "the identity provider ID cannot be sent in an HTTP header (empty, or with \
                 control characters)"
                    .into(),
            )
        })?;

    let url = format!("{iam}{ID_TOKEN_PATH}");
    let body = serde_json::json!({"auth": {"id_token": {"id": id_token.expose()}}}).to_string();
    log::info!(target: "hwinst", "exchanging the ID token with IAM: POST {url}");
    let reply = post(transport, &url, &body, Some(&idp_header))?;
    if !reply.is_success() {
        return Err(FetchError::Step {
            step: format!("IAM refused the ID token (POST {url})"),
            error: reply.error(&[id_token.expose()]),
        });
    }
    let subject_token = reply
        .header("x-subject-token")
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(Secret::new)
        .ok_or_else(|| FetchError::Step {
            step: format!("IAM accepted the ID token (POST {url})"),
            error: Error::Decode {
                what: "IAM token",
                message: "the answer has no X-Subject-Token header".into(),
            },
        })?;
    keep(&subject_token);

    let url = format!("{iam}{SECURITY_TOKENS_PATH}");
    let body = serde_json::json!({"auth": {"identity": {
        "methods": ["token"],
        "token": {"id": subject_token.expose(), "duration_seconds": DURATION_SECONDS},
    }}})
    .to_string();
    log::info!(target: "hwinst", "asking IAM for temporary credentials: POST {url}");
    let reply = post(transport, &url, &body, None)?;
    let secrets = [id_token.expose(), subject_token.expose()];
    if !reply.is_success() {
        return Err(FetchError::Step {
            step: format!("IAM refused temporary credentials for its token (POST {url})"),
            error: reply.error(&secrets),
        });
    }
    issued::credentials(&reply).map_err(|error| FetchError::Step {
        step: format!("IAM's temporary credentials (POST {url})"),
        error,
    })
}

/// One unsigned JSON `POST`; getting no answer at all is [`FetchError::NoAnswer`].
fn post(
    transport: &Transport,
    url: &str,
    body: &str,
    idp: Option<&HeaderValue>,
) -> Result<Reply, FetchError> {
    issued::send(transport, || {
        let mut request = transport
            .request(Method::POST, url, body.as_bytes().to_vec())
            .map_err(|e| Error::Config(format!("cannot request {url}: {e}")))?;
        let headers = request.headers_mut();
        headers.insert(header::CONTENT_TYPE, crate::auth::JSON_UTF8.clone());
        if let Some(idp) = idp {
            headers.insert(HeaderName::from_static("x-idp-id"), idp.clone());
        }
        Ok(request)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_file_that_is_missing_or_empty_is_named() {
        let missing = Path::new("/no/such/id-token");
        let Err(FetchError::Config(why)) = read_id_token(missing) else {
            panic!("read")
        };
        assert!(why.contains("/no/such/id-token"), "{why}");
        let dir = std::env::temp_dir().join(format!("hwinst-oidc-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let empty = dir.join("empty");
        std::fs::write(&empty, " \n").unwrap();
        let Err(FetchError::Config(why)) = read_id_token(&empty) else {
            panic!("read")
        };
        assert!(why.contains("empty"), "{why}");
        let file = dir.join("token");
        std::fs::write(&file, "  eyJ.tok.en\n").unwrap();
        assert_eq!(read_id_token(&file).ok().unwrap().expose(), "eyJ.tok.en");
    }
}
