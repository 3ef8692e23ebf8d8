//! Where credentials are found when the configuration gives none: the default chain of the
//! official SDKs (environment, profile file, KooCLI profile, CCE pod identity, ECS metadata
//! service), or one of its sources named on its own.
//!
//! The chain stops at the first source that has credentials. A source that is not there is
//! passed over (and the reason kept for the error that lists them all); a source that is there
//! but broken stops the chain with an error naming it. The metadata service is asked last, with
//! a one-second connect timeout, so that off a cloud VM the chain ends quickly.

use super::credential_source::CredentialSource;
use super::env;
use crate::auth::issued::{FetchError, TemporaryCredentials};
use crate::auth::profile::{self, Found, Lookup};
use crate::auth::temporary::{Fetcher, TemporarySource};
use crate::auth::Credentials;
use crate::clock::Clock;
use crate::error::{Error, Result};
use crate::http::retry::RetryPolicy;
use crate::http::transport::{ProxySetting, Transport, TransportConfig};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

pub use crate::auth::temporary::DEFAULT_METADATA_ENDPOINT;

/// How long the metadata service and the pod-identity endpoint get to accept a connection.
pub const HOST_CONNECT_TIMEOUT: Duration = Duration::from_secs(1);
/// How long one request to them may take in all.
const HOST_REQUEST_TIMEOUT: Duration = Duration::from_secs(3);
/// The largest answer they may give (a credential document is under 4 KiB).
const HOST_MAX_RESPONSE_BYTES: u64 = 64 * 1024;

/// The value of `HWINST_METADATA_ENDPOINT` (or `endpoints.metadata`) that turns the metadata
/// service off: for machines that are known not to be cloud VMs.
pub const METADATA_OFF: &str = "none";

/// What the chain reads of the host: environment variables and the home directory.
pub(crate) struct Host<'a> {
    pub var: &'a dyn Fn(&str) -> Result<Option<String>>,
    pub home: Option<PathBuf>,
}

impl Host<'_> {
    /// The process's own environment and home directory.
    pub(crate) fn process() -> Host<'static> {
        Host {
            var: &env::process_var,
            home: std::env::home_dir().filter(|h| !h.as_os_str().is_empty()),
        }
    }

    /// A variable, empty counting as unset.
    fn get(&self, name: &str) -> Result<Option<String>> {
        Ok((self.var)(name)?.filter(|v| !v.is_empty()))
    }

    /// `~/relative`, and how to write it in messages.
    fn in_home(&self, relative: &str) -> Option<(PathBuf, String)> {
        let home = self.home.as_ref()?;
        Some((home.join(relative), format!("~/{relative}")))
    }
}

/// What the chain needs besides the host: how to reach the metadata service, and the clock
/// and user agent of the client being built.
pub(crate) struct Reach {
    /// The metadata service's base URL given in the configuration, if any.
    pub metadata_endpoint: Option<String>,
    pub clock: Arc<dyn Clock>,
    pub user_agent: String,
}

/// Credentials as a source gave them.
pub(crate) enum Resolved {
    /// Credentials that do not change.
    Fixed(Credentials),
    /// Temporary credentials, the first set already fetched, and where to renew them.
    Temporary(Box<(Fetcher, TemporaryCredentials)>),
}

impl Resolved {
    /// The kind of credentials, for people (`token`, `AK/SK`, `temporary AK/SK`, `IAM
    /// password`).
    pub(crate) fn kind(&self) -> &'static str {
        match self {
            Resolved::Fixed(credentials) => credentials.kind(),
            Resolved::Temporary(..) => "temporary AK/SK",
        }
    }

    /// The access key ID requests are signed with (AK/SK credentials only; not a secret).
    pub(crate) fn access_key(&self) -> Option<String> {
        match self {
            Resolved::Fixed(Credentials::AkSk { ak, .. }) => Some(ak.clone()),
            Resolved::Fixed(_) => None,
            Resolved::Temporary(temporary) => Some(temporary.1.ak.clone()),
        }
    }

    /// Whether a project ID can be looked up with these credentials (a bare token cannot).
    pub(crate) fn can_look_up_project(&self) -> bool {
        match self {
            Resolved::Fixed(credentials) => credentials.can_look_up_project(),
            Resolved::Temporary(..) => true,
        }
    }
}

/// What the chain found: the credentials, where (for people), and the project, region and
/// IAM endpoint when that source names them.
pub(crate) struct Discovered {
    pub resolved: Resolved,
    pub origin: String,
    pub project_id: Option<String>,
    pub region: Option<String>,
    pub iam_endpoint: Option<String>,
}

impl Discovered {
    fn fixed(found: Found, origin: String) -> Discovered {
        Discovered {
            resolved: Resolved::Fixed(found.credentials),
            origin,
            project_id: found.project_id,
            region: found.region,
            iam_endpoint: found.iam_endpoint,
        }
    }
}

/// Finds the credentials `source` stands for.
pub(crate) fn discover(
    source: &CredentialSource,
    host: &Host,
    reach: &Reach,
) -> Result<Discovered> {
    let steps: &[CredentialSource] = match source {
        CredentialSource::Chain => &[
            CredentialSource::Environment,
            CredentialSource::ProfileFile(None),
            CredentialSource::Koocli(None),
            CredentialSource::PodIdentity,
            CredentialSource::Metadata,
        ],
        one => std::slice::from_ref(one),
    };
    let mut tried = Vec::new();
    let in_chain = *source == CredentialSource::Chain;
    for step in steps {
        match look(step, host, reach, in_chain)? {
            Lookup::Found(found) => {
                log::info!(target: "hwinst", "credentials from {}", found.origin);
                return Ok(found);
            }
            Lookup::Absent(why) => {
                log::debug!(target: "hwinst", "no credentials: {why}");
                tried.push(why);
            }
        }
    }
    Err(Error::Config(match source {
        CredentialSource::Chain => format!(
            "no credentials: the configuration gives none, and the default chain found none \
             ({})",
            tried.join("; ")
        ),
        one => format!(
            "no credentials from {one}: {}",
            tried.pop().unwrap_or_default()
        ),
    }))
}

/// One source: found, not there (why), or broken (an error). `in_chain`: asked as a step of
/// the default chain, not named on its own.
fn look(
    step: &CredentialSource,
    host: &Host,
    reach: &Reach,
    in_chain: bool,
) -> Result<Lookup<Discovered>> {
    match step {
        CredentialSource::Chain => Err(Error::Config(
            "the credential chain cannot be one of its own sources".into(),
        )),
        CredentialSource::Environment => Ok(match env::credentials(&|name| host.get(name))? {
            Some((credentials, origin)) => Lookup::Found(Discovered {
                resolved: Resolved::Fixed(credentials),
                origin: format!("the environment ({origin})"),
                project_id: host.get("HUAWEICLOUD_SDK_PROJECT_ID")?,
                region: host.get("HUAWEICLOUD_SDK_REGION")?,
                iam_endpoint: host.get("HUAWEICLOUD_SDK_IAM_ENDPOINT")?,
            }),
            None => Lookup::Absent(
                "environment: neither HUAWEICLOUD_SDK_AK/SK nor HWINST_TOKEN is set (nor \
                 HUAWEICLOUD_SDK_IDP_ID)"
                    .into(),
            ),
        }),
        CredentialSource::ProfileFile(path) => {
            let (path, shown) = match (path, host.get("HUAWEICLOUD_SDK_CREDENTIALS_FILE")?) {
                (Some(path), _) => (path.clone(), path.display().to_string()),
                (None, Some(path)) => (PathBuf::from(&path), path),
                (None, None) => match host.in_home(".huaweicloud/credentials") {
                    Some(place) => place,
                    None => return Ok(Lookup::Absent(no_home("profile file"))),
                },
            };
            Ok(match profile::profile_file(&path, &shown)? {
                Lookup::Found(found) => Lookup::Found(Discovered::fixed(
                    found,
                    format!("the profile file {shown} [{}]", profile::PROFILE_SECTION),
                )),
                Lookup::Absent(why) => Lookup::Absent(why),
            })
        }
        CredentialSource::Koocli(name) => {
            let name = match name {
                Some(name) => Some(name.clone()),
                None => host.get("HWINST_PROFILE")?,
            };
            let Some((path, shown)) = host.in_home(".hcloud/config.json") else {
                return Ok(Lookup::Absent(no_home("KooCLI configuration")));
            };
            Ok(
                match profile::koocli_profile(&path, &shown, name.as_deref())? {
                    Lookup::Found(found) => {
                        let origin = format!(
                            "the KooCLI profile {} ({shown})",
                            name.as_deref().map_or("(current)".to_owned(), |n| format!(
                                "\"{}\"",
                                crate::error::echo(n)
                            ))
                        );
                        Lookup::Found(Discovered::fixed(found, origin))
                    }
                    Lookup::Absent(why) => Lookup::Absent(why),
                },
            )
        }
        CredentialSource::PodIdentity => {
            let url = host.get("HC_CONTAINER_CREDENTIALS_FULL_URI")?;
            let token_file = host.get("HC_CONTAINER_AUTHORIZATION_TOKEN_FILE")?;
            let (url, token_file) = match (url, token_file) {
                (Some(url), Some(file)) => (url, PathBuf::from(file)),
                (None, None) => {
                    return Ok(Lookup::Absent(
                        "CCE pod identity: HC_CONTAINER_CREDENTIALS_FULL_URI is not set".into(),
                    ))
                }
                _ => {
                    return Err(Error::Config(
                        "CCE pod identity: HC_CONTAINER_CREDENTIALS_FULL_URI and \
                         HC_CONTAINER_AUTHORIZATION_TOKEN_FILE must be set together"
                            .into(),
                    ))
                }
            };
            check_host_url("HC_CONTAINER_CREDENTIALS_FULL_URI", &url)?;
            temporary(
                TemporarySource::PodIdentity { url, token_file },
                reach,
                false,
            )
        }
        CredentialSource::Metadata => {
            let (base, from) = match (
                &reach.metadata_endpoint,
                host.get("HWINST_METADATA_ENDPOINT")?,
            ) {
                (Some(url), _) => (url.clone(), "endpoints.metadata"),
                (None, Some(url)) => (url, "HWINST_METADATA_ENDPOINT"),
                (None, None) => (DEFAULT_METADATA_ENDPOINT.to_owned(), ""),
            };
            if base == METADATA_OFF {
                return Ok(Lookup::Absent(format!(
                    "ECS metadata service: turned off ({from}={METADATA_OFF})"
                )));
            }
            check_host_url(
                if from.is_empty() {
                    "the metadata endpoint"
                } else {
                    from
                },
                &base,
            )?;
            let base = base.trim_end_matches('/').to_owned();
            // Off a VM, a network may answer the address itself (a proxy's 403 page): in the
            // chain that is "not this source"; named on its own, it stays an error.
            temporary(TemporarySource::Metadata { base }, reach, in_chain)
        }
    }
}

fn no_home(what: &str) -> String {
    format!("{what}: no home directory (HOME is not set)")
}

/// A metadata or pod-identity URL: `http://` or `https://` with a host. Plain HTTP is what
/// these host-local services speak.
fn check_host_url(name: &str, url: &str) -> Result<()> {
    let parsed = url.parse::<ureq::http::Uri>().ok();
    let fine = parsed.as_ref().is_some_and(|uri| {
        matches!(uri.scheme_str(), Some("http" | "https"))
            && uri.host().is_some_and(|h| !h.is_empty())
    });
    // User information (`http://user:password@host`) is refused, as in service endpoints:
    // these services take none, and the URL is named in messages.
    let user_info = parsed
        .as_ref()
        .and_then(|uri| uri.authority())
        .is_some_and(|a| a.as_str().contains('@'));
    if user_info {
        Err(Error::Config(format!(
            "{name} must not carry user information (user:password@)"
        )))
    } else if fine {
        Ok(())
    } else {
        Err(Error::Config(format!(
            "{name} must be an http:// or https:// URL (or {METADATA_OFF:?} for the metadata \
             service, to turn it off)"
        )))
    }
}

/// Fetches the first temporary credentials from `source`. The metadata service not answering,
/// or answering that the VM has no agency, means "not this source", and so does an answer
/// that is not the service's (not JSON) when `maybe_elsewhere` (asked as a step of the
/// chain); anything else that goes wrong is an error naming the source.
fn temporary(
    source: TemporarySource,
    reach: &Reach,
    maybe_elsewhere: bool,
) -> Result<Lookup<Discovered>> {
    let transport = Transport::new(&TransportConfig {
        connect_timeout: HOST_CONNECT_TIMEOUT,
        request_timeout: HOST_REQUEST_TIMEOUT,
        max_response_bytes: HOST_MAX_RESPONSE_BYTES,
        user_agent: reach.user_agent.clone(),
        // Once: the chain must end quickly off a VM; renewals come early and are tried again
        // at the next request.
        retry: RetryPolicy::none(),
        // Host-local services: a proxy could not reach them, and must not see their answers.
        proxy: ProxySetting::Disabled,
        ca_file: None,
        clock: Arc::clone(&reach.clock),
    })?;
    let fetcher = Fetcher::new(source.clone(), transport);
    match (fetcher.fetch(), &source) {
        (Ok(first), _) => Ok(Lookup::Found(Discovered {
            resolved: Resolved::Temporary(Box::new((fetcher, first))),
            origin: source.to_string(),
            project_id: None,
            region: None,
            iam_endpoint: None,
        })),
        (Err(FetchError::NoAnswer(e)), TemporarySource::Metadata { base }) => Ok(Lookup::Absent(
            format!("ECS metadata service ({base}): no answer ({e})"),
        )),
        (Err(FetchError::NoAgency), TemporarySource::Metadata { base }) => Ok(Lookup::Absent(
            format!("ECS metadata service ({base}): this VM has no cloud service agency"),
        )),
        (Err(FetchError::Foreign(e)), TemporarySource::Metadata { base }) if maybe_elsewhere => {
            let status = e
                .http_status()
                .map_or(String::new(), |s| format!("HTTP {s}, "));
            Ok(Lookup::Absent(format!(
                "ECS metadata service ({base}): something else answered ({status}not the \
                 service's JSON: a proxy, or not a cloud VM)"
            )))
        }
        (Err(e), _) => Err(e.into_error(&source)),
    }
}

/// A host with nothing on it: no variables, no home directory, the metadata service off.
#[cfg(test)]
pub(crate) fn bare_host() -> Host<'static> {
    fn var(name: &str) -> Result<Option<String>> {
        Ok((name == "HWINST_METADATA_ENDPOINT").then(|| METADATA_OFF.to_owned()))
    }
    Host {
        var: &var,
        home: None,
    }
}
