//! The configuration document: one JSON shape for the C ABI's `hwinst_client_new` and any
//! tool that reads its settings from a file, turned into a [`ClientBuilder`].
//!
//! Unknown keys are refused with the key named, at any depth: a typo must not silently fall
//! back to a default.

use super::credential_source::CredentialSource;
use super::ClientBuilder;
use crate::auth::{Credentials, Secret};
use crate::endpoint::Service;
use crate::error::{self, Error, Result};
use crate::http::decode;
use crate::http::retry::RetryPolicy;
use serde::Deserialize;
use std::time::Duration;

impl ClientBuilder {
    /// A builder configured from the JSON configuration document (the one the C ABI takes):
    ///
    /// ```json
    /// {"region": "cn-north-4", "project_id": "0a1b2c3d4e5f", "credentials": {"token": "..."},
    ///  "endpoints": {"roma": "https://...", "apig": "...", "clouddc": "..."},
    ///  "timeouts_ms": {"connect": 10000, "request": 30000},
    ///  "retry": {"max_attempts": 4, "base_delay_ms": 200, "max_delay_ms": 10000},
    ///  "proxy": "http://proxy:3128", "ca_file": "/path/ca.pem",
    ///  "allow_http": false, "user_agent": "my-tool/1.2", "max_response_bytes": 16777216}
    /// ```
    ///
    /// `credentials` is one of `{"token": "..."}`, `{"ak": "...", "sk": "...",
    /// "security_token": "..."}` (the token only for temporary credentials) and
    /// `{"iam_password": {"user": "...", "password": "...", "domain": "..."}}` and
    /// `{"oidc": {"idp_id": "...", "id_token_file": "/path"}}` (a federated identity: the ID
    /// token in the file is exchanged with IAM for temporary AK/SK), or names the
    /// one [`CredentialSource`] to read them from: `{"environment": {}}`, `{"profile_file":
    /// {"path": "..."}}` (`path` optional), `{"profile": "NAME"}` (a KooCLI profile),
    /// `{"pod_identity": {}}` or `{"metadata": {}}`. Without `credentials`, the default chain
    /// finds them. `endpoints` may also name `"iam"` and `"metadata"` (the ECS metadata
    /// service's base URL, or `"none"`). `proxy` is a URL, or `"none"` to ignore the proxy
    /// environment variables.
    ///
    /// Every key is optional here (`build()` says what is missing), `null` means absent, and
    /// the builder's methods may still change any setting afterwards.
    ///
    /// Errors: [`Error::InvalidArgument`] when `json` is not JSON at all; [`Error::Config`]
    /// for an unknown key (named with its path), a value of the wrong type, or incomplete or
    /// conflicting credentials. No message ever contains a credential.
    ///
    /// ```
    /// let client = hwinst::ClientBuilder::from_config_json(
    ///     r#"{"region":"cn-north-4","project_id":"0a1b2c3d4e5f","credentials":{"token":"t0k3n-123"}}"#,
    /// )?
    /// .build()?;
    /// # Ok::<_, hwinst::Error>(())
    /// ```
    pub fn from_config_json(json: &str) -> Result<ClientBuilder> {
        let value: serde_json::Value = serde_json::from_str(json).map_err(|e| {
            // serde_json's syntax errors give a position, never the text around it.
            Error::InvalidArgument(format!("the configuration is not valid JSON: {e}"))
        })?;
        // The shape first, in messages that never echo a value or a key from `credentials`.
        super::config_shape::check(&value)?;
        let secrets = credential_strings(&value);
        let secrets: Vec<&str> = secrets.iter().map(String::as_str).collect();
        // Decoded from the text rather than from `value`, which would keep only the last of
        // two equal keys: a duplicate key is refused, not resolved silently.
        let document: ConfigDocument =
            decode::document(json.as_bytes()).map_err(|(path, why)| {
                let why = why.to_string();
                // The shape was checked: what is left is a known key given twice. Anything
                // else serde says may quote a value, so it is not repeated.
                let why = if why.starts_with("duplicate field `") {
                    error::redact(&why, &secrets)
                } else {
                    "not of the expected shape".to_owned()
                };
                Error::Config(format!("the configuration: {}", decode::at(&path, why)))
            })?;
        document.into_builder()
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, expecting = "the configuration object")]
struct ConfigDocument {
    region: Option<String>,
    project_id: Option<String>,
    credentials: Option<CredentialsDocument>,
    endpoints: Option<EndpointsDocument>,
    timeouts_ms: Option<TimeoutsDocument>,
    retry: Option<RetryDocument>,
    proxy: Option<String>,
    ca_file: Option<String>,
    allow_http: Option<bool>,
    user_agent: Option<String>,
    max_response_bytes: Option<u64>,
}

/// Deliberately not `Debug`: it holds secrets as plain strings until they become [`Secret`]s.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CredentialsDocument {
    token: Option<String>,
    ak: Option<String>,
    sk: Option<String>,
    security_token: Option<String>,
    iam_password: Option<IamPasswordDocument>,
    oidc: Option<OidcDocument>,
    environment: Option<NoKeys>,
    profile_file: Option<ProfileFileDocument>,
    profile: Option<String>,
    pod_identity: Option<NoKeys>,
    metadata: Option<NoKeys>,
}

/// `{}`: a source that takes no settings.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NoKeys {}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ProfileFileDocument {
    path: Option<String>,
}

/// What `credentials` says: the credentials themselves, or where to find them.
enum CredentialsSetting {
    Given(Credentials),
    From(CredentialSource),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct IamPasswordDocument {
    user: Option<String>,
    password: Option<String>,
    domain: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct OidcDocument {
    idp_id: Option<String>,
    id_token_file: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EndpointsDocument {
    roma: Option<String>,
    apig: Option<String>,
    clouddc: Option<String>,
    iam: Option<String>,
    metadata: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TimeoutsDocument {
    connect: Option<u64>,
    request: Option<u64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RetryDocument {
    max_attempts: Option<u32>,
    base_delay_ms: Option<u64>,
    max_delay_ms: Option<u64>,
}

impl ConfigDocument {
    fn into_builder(self) -> Result<ClientBuilder> {
        let mut builder = ClientBuilder::default();
        if let Some(retry) = self.retry {
            let mut policy = RetryPolicy::new();
            if let Some(n) = retry.max_attempts {
                policy = policy.max_attempts(n);
            }
            if let Some(ms) = retry.base_delay_ms {
                policy = policy.base_delay(Duration::from_millis(ms));
            }
            if let Some(ms) = retry.max_delay_ms {
                policy = policy.max_delay(Duration::from_millis(ms));
            }
            builder = builder.retry(policy);
        }
        match self.proxy.as_deref() {
            None => {}
            Some("none") => builder = builder.no_proxy(),
            Some(url) => builder = builder.proxy(url),
        }
        if let Some(path) = self.ca_file {
            builder = builder.ca_file(path);
        }
        if let Some(region) = self.region {
            builder = builder.region(region);
        }
        if let Some(project_id) = self.project_id {
            builder = builder.project_id(project_id);
        }
        if let Some(credentials) = self.credentials {
            builder = match credentials.into_setting()? {
                CredentialsSetting::Given(credentials) => builder.credentials(credentials),
                CredentialsSetting::From(source) => builder.credential_source(source),
            };
        }
        if let Some(endpoints) = self.endpoints {
            if let Some(url) = endpoints.iam {
                builder = builder.iam_endpoint(url);
            }
            if let Some(url) = endpoints.metadata {
                builder = builder.metadata_endpoint(url);
            }
            for (service, url) in [
                (Service::Roma, endpoints.roma),
                (Service::Apig, endpoints.apig),
                (Service::Clouddc, endpoints.clouddc),
            ] {
                if let Some(url) = url {
                    builder = builder.endpoint(service, url);
                }
            }
        }
        if let Some(timeouts) = self.timeouts_ms {
            if let Some(ms) = timeouts.connect {
                builder = builder.connect_timeout(Duration::from_millis(ms));
            }
            if let Some(ms) = timeouts.request {
                builder = builder.request_timeout(Duration::from_millis(ms));
            }
        }
        if let Some(allow) = self.allow_http {
            builder = builder.allow_http(allow);
        }
        if let Some(user_agent) = self.user_agent {
            builder = builder.user_agent(user_agent);
        }
        if let Some(limit) = self.max_response_bytes {
            builder = builder.max_response_bytes(limit);
        }
        Ok(builder)
    }
}

impl CredentialsDocument {
    fn into_setting(self) -> Result<CredentialsSetting> {
        let aksk = self.ak.is_some() || self.sk.is_some() || self.security_token.is_some();
        let mut sources = Vec::new();
        if self.environment.is_some() {
            sources.push(CredentialSource::Environment);
        }
        if let Some(file) = self.profile_file {
            sources.push(CredentialSource::ProfileFile(file.path.map(Into::into)));
        }
        if let Some(name) = self.profile {
            if name.trim().is_empty() {
                return Err(Error::Config(
                    "`credentials.profile` is empty: name a KooCLI profile".into(),
                ));
            }
            sources.push(CredentialSource::Koocli(Some(name)));
        }
        if self.pod_identity.is_some() {
            sources.push(CredentialSource::PodIdentity);
        }
        if self.metadata.is_some() {
            sources.push(CredentialSource::Metadata);
        }
        let given = [self.token.is_some(), aksk, self.iam_password.is_some()];
        if !sources.is_empty() || self.oidc.is_some() {
            if sources.len() + usize::from(self.oidc.is_some()) > 1 || given.contains(&true) {
                return Err(Error::Config(MORE_THAN_ONE.into()));
            }
            if let Some(oidc) = self.oidc {
                return match (oidc.idp_id, oidc.id_token_file) {
                    (Some(idp_id), Some(file)) if !idp_id.is_empty() && !file.is_empty() => {
                        Ok(CredentialsSetting::Given(Credentials::oidc(idp_id, file)))
                    }
                    _ => Err(Error::Config(
                        "`credentials.oidc` needs `idp_id` and `id_token_file`".into(),
                    )),
                };
            }
            return Ok(CredentialsSetting::From(sources.remove(0)));
        }
        let given = match given {
            [true, false, false] => Ok(Credentials::Token(Secret::new(
                self.token.unwrap_or_default(),
            ))),
            [false, true, false] => match (self.ak, self.sk) {
                (Some(ak), Some(sk)) => Ok(Credentials::AkSk {
                    ak,
                    sk: Secret::new(sk),
                    security_token: self.security_token.map(Secret::new),
                }),
                _ => Err(Error::Config(
                    "`credentials` needs both `ak` and `sk` (and `security_token` only with them)"
                        .into(),
                )),
            },
            [false, false, true] => {
                let IamPasswordDocument {
                    user,
                    password,
                    domain,
                } = self.iam_password.expect("checked above");
                match (user, password, domain) {
                    (Some(user), Some(password), Some(domain)) => {
                        Ok(Credentials::iam_password(user, password, domain))
                    }
                    _ => Err(Error::Config(
                        "`credentials.iam_password` needs `user`, `password` and `domain`".into(),
                    )),
                }
            }
            [false, false, false] => Err(Error::Config(
                "`credentials` is empty: give a `token`, `ak`/`sk`, `iam_password` or `oidc`, or name \
                 a source (`environment`, `profile_file`, `profile`, `pod_identity`, \
                 `metadata`); leave it out for the default chain"
                    .into(),
            )),
            _ => Err(Error::Config(MORE_THAN_ONE.into())),
        };
        given.map(CredentialsSetting::Given)
    }
}

const MORE_THAN_ONE: &str = "`credentials` holds more than one kind of credentials or source \
     (`token`, `ak`/`sk`, `iam_password`, `oidc`, `environment`, `profile_file`, `profile`, \
     `pod_identity`, `metadata`): give exactly one";

/// Every string under the document's `credentials`, to be masked in error messages even
/// when the document around it is malformed.
fn credential_strings(document: &serde_json::Value) -> Vec<String> {
    fn collect(value: &serde_json::Value, out: &mut Vec<String>) {
        match value {
            serde_json::Value::String(s) if !s.is_empty() => out.push(s.clone()),
            serde_json::Value::Array(items) => items.iter().for_each(|v| collect(v, out)),
            serde_json::Value::Object(map) => map.values().for_each(|v| collect(v, out)),
            _ => {}
        }
    }
    let mut out = Vec::new();
    if let Some(credentials) = document.get("credentials") {
        collect(credentials, &mut out);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorKind;

    fn config_error(json: &str) -> Error {
        match ClientBuilder::from_config_json(json)
            .and_then(|b| b.build_on(&super::super::chain::bare_host()))
        {
            Ok(_) => panic!("{json} was accepted"),
            Err(e) => e,
        }
    }

    #[test]
    fn a_full_document_configures_every_setting() {
        let client = ClientBuilder::from_config_json(
            r#"{"region":"cn-north-4","project_id":"p1","credentials":{"token":"t0k3n-123"},
                "endpoints":{"roma":"http://127.0.0.1:1/r","apig":null},
                "timeouts_ms":{"connect":500,"request":1500},"allow_http":false,
                "user_agent":"tool/1","max_response_bytes":1024,"proxy":null}"#,
        )
        .unwrap()
        .build_on(&super::super::chain::bare_host())
        .unwrap();
        assert_eq!(client.endpoint(Service::Roma), Some("http://127.0.0.1:1/r"));
        assert_eq!(
            client.endpoint(Service::Apig),
            Some("https://apig.cn-north-4.myhuaweicloud.com")
        );
    }

    #[test]
    fn unknown_keys_are_named_at_any_depth() {
        for (json, key) in [
            (r#"{"regoin":"cn-north-4"}"#, "`regoin`"),
            (r#"{"credentials":{"tokne":"x"}}"#, "`token`"),
            (r#"{"endpoints":{"romaa":"x"}}"#, "`romaa`"),
            (r#"{"timeouts_ms":{"read":1}}"#, "`read`"),
            (r#"{"retry":{"attempts":1}}"#, "`attempts`"),
        ] {
            let err = config_error(json);
            assert_eq!(err.kind(), ErrorKind::Config, "{json}: {err}");
            assert!(err.to_string().contains(key), "{json}: {err}");
        }
    }

    #[test]
    fn every_credential_kind_and_transport_setting() {
        for json in [
            r#"{"region":"cn-north-4","project_id":"p","credentials":{"ak":"AK1","sk":"SK1-s3cr3t"}}"#,
            r#"{"region":"cn-north-4","credentials":{"ak":"AK1","sk":"SK1-s3cr3t","security_token":"ST-s3cr3t"}}"#,
            r#"{"region":"cn-north-4","credentials":{"iam_password":{"user":"u","password":"p4ssw0rd","domain":"d"}},
                "endpoints":{"iam":"https://iam.example.com"}}"#,
            r#"{"region":"cn-north-4","project_id":"p","credentials":{"token":"t0k3n-123"},
                "retry":{"max_attempts":1,"base_delay_ms":0,"max_delay_ms":0},"proxy":"none"}"#,
            r#"{"region":"cn-north-4","project_id":"p","credentials":{"token":"t0k3n-123"},
                "proxy":"http://user:pw@127.0.0.1:3128"}"#,
        ] {
            let built = ClientBuilder::from_config_json(json)
                .and_then(|b| b.build_on(&super::super::chain::bare_host()));
            assert!(built.is_ok(), "{json}: {:?}", built.err());
        }
    }

    #[test]
    fn incomplete_credentials_and_bad_transport_settings() {
        for (json, what) in [
            (
                r#"{"region":"cn-north-4","project_id":"p","credentials":{"ak":"AK1"}}"#,
                "`sk`",
            ),
            (
                r#"{"region":"cn-north-4","project_id":"p","credentials":{"security_token":"x"}}"#,
                "`ak`",
            ),
            (
                r#"{"region":"cn-north-4","project_id":"p","credentials":{"iam_password":{"user":"u","password":"p"}}}"#,
                "`domain`",
            ),
            (
                r#"{"region":"cn-north-4","project_id":"p","credentials":{"ak":"","sk":"s"}}"#,
                "empty",
            ),
            (
                r#"{"credentials":{"ak":"AK1","sk":"SK1-s3cr3t"},"endpoints":{"roma":"http://127.0.0.1:1"}}"#,
                "region",
            ),
            (
                r#"{"region":"cn-north-4","credentials":{"token":"t0k3n-123"}}"#,
                "project_id",
            ),
            (
                r#"{"region":"cn-north-4","project_id":"p","credentials":{"token":"t0k3n-123"},"retry":{"max_attempts":0}}"#,
                "max_attempts",
            ),
            (
                r#"{"region":"cn-north-4","project_id":"p","credentials":{"token":"t0k3n-123"},"ca_file":"/no/such/ca.pem"}"#,
                "ca_file",
            ),
            (
                r#"{"region":"cn-north-4","project_id":"p","credentials":{"token":"t0k3n-123"},"proxy":"ftp://x"}"#,
                "proxy",
            ),
        ] {
            let err = config_error(json);
            assert_eq!(err.kind(), ErrorKind::Config, "{json}: {err}");
            assert!(err.to_string().contains(what), "{json}: {err}");
        }
    }

    #[test]
    fn malformed_documents() {
        let err = config_error("{\"region\":");
        assert_eq!(err.kind(), ErrorKind::InvalidArgument, "{err}");
        for json in [
            "[]",
            r#"{"timeouts_ms":{"connect":-1}}"#,
            r#"{"allow_http":"yes"}"#,
            r#"{"credentials":{}}"#,
            r#"{"credentials":{"token":"t","ak":"a"}}"#,
            r#"{"region":"cn-north-4","region":"cn-east-3"}"#,
            r#"{"credentials":{"token":"t","token":"u"}}"#,
        ] {
            assert_eq!(config_error(json).kind(), ErrorKind::Config, "{json}");
        }
    }

    #[test]
    fn no_message_repeats_a_credential() {
        for json in [
            r#"{"credentials":{"token":"s3cr3t-tok","extra":"s3cr3t-tok"}}"#,
            r#"{"credentials":{"token":["s3cr3t-tok"]}}"#,
            r#"{"credentials":{"token":"s3cr3t-tok","sk":"s3cr3t-tok"}}"#,
            r#"{"credentials":{"token":"s3cr3t tok"},"region":"cn-north-4","project_id":"p"}"#,
        ] {
            let err = config_error(json);
            assert!(!err.to_string().contains("s3cr3t"), "{err}");
        }
    }
}
