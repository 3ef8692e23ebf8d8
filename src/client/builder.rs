//! [`ClientBuilder`]: every setting of a client, checked when the client is built. Turning the
//! credentials into the authentication step happens here, so that `auth` and `iam` need not
//! know each other.

use super::chain::{self, Discovered, Host, Reach, Resolved};
use super::credential_source::CredentialSource;
use super::{Client, ConfigReport, Inner, Origins, Project, ProjectId};
use crate::auth::iam::{IamAuth, IamSetup, Scope, DEFAULT_IAM_ENDPOINT};
use crate::auth::temporary::{Fetcher, TemporaryAuth, TemporarySource};
use crate::auth::{AkSkAuth, Authenticate, Credentials, Secret, ServerTime, TokenAuth};
use crate::clock::{Clock, SystemClock};
use crate::endpoint::{Endpoint, PerService, Service};
use crate::error::{Error, Result};
use crate::http::retry::RetryPolicy;
use crate::http::transport::{Call, ProxySetting, Transport, TransportConfig};
use crate::limits;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Default time allowed to establish a connection.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// Default time allowed for a whole call: connecting, reading the body, and any retries.
pub const DEFAULT_REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
/// Default largest response body accepted (16 MiB).
pub const DEFAULT_MAX_RESPONSE_BYTES: u64 = 16 * 1024 * 1024;

/// Configures a [`Client`]. Every setting has a safe default except the project ID, and a
/// region or endpoints. Without credentials, the client finds them where the host keeps them
/// (see [`credential_source`](Self::credential_source)).
///
/// ```
/// use std::time::Duration;
/// use hwinst::{Client, Service};
///
/// let client = Client::builder()
///     .region("cn-east-3")
///     .project_id("0a1b2c3d4e5f")
///     .token("MIIE...")
///     .endpoint(Service::Roma, "https://roma.example.internal:8443")
///     .request_timeout(Duration::from_secs(10))
///     .user_agent("my-pipeline/2.1")
///     .build()?;
/// assert_eq!(client.endpoint(Service::Roma), Some("https://roma.example.internal:8443"));
/// assert_eq!(client.endpoint(Service::Clouddc), Some("https://clouddc.cn-east-3.myhuaweicloud.com"));
/// # Ok::<_, hwinst::Error>(())
/// ```
#[derive(Debug, Clone)]
#[must_use]
pub struct ClientBuilder {
    region: Option<String>,
    project_id: Option<String>,
    credentials: Option<Credentials>,
    credential_source: CredentialSource,
    metadata_endpoint: Option<String>,
    endpoints: PerService<Option<String>>,
    connect_timeout: Duration,
    request_timeout: Duration,
    max_response_bytes: u64,
    allow_http: bool,
    user_agent: Option<String>,
    iam_endpoint: Option<String>,
    retry: RetryPolicy,
    proxy: ProxySetting,
    ca_file: Option<PathBuf>,
    clock: Arc<dyn Clock>,
}

impl Default for ClientBuilder {
    fn default() -> ClientBuilder {
        ClientBuilder {
            region: None,
            project_id: None,
            credentials: None,
            credential_source: CredentialSource::Chain,
            metadata_endpoint: None,
            endpoints: PerService::default(),
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            request_timeout: DEFAULT_REQUEST_TIMEOUT,
            max_response_bytes: DEFAULT_MAX_RESPONSE_BYTES,
            allow_http: false,
            user_agent: None,
            iam_endpoint: None,
            retry: RetryPolicy::default(),
            proxy: ProxySetting::Environment,
            ca_file: None,
            clock: Arc::new(SystemClock),
        }
    }
}

impl ClientBuilder {
    /// The region (e.g. `cn-north-4`), from which each service's endpoint is derived unless it
    /// is set with [`endpoint`](Self::endpoint).
    pub fn region(mut self, region: impl Into<String>) -> Self {
        self.region = Some(region.into());
        self
    }

    /// The project ID that every request path carries.
    pub fn project_id(mut self, project_id: impl Into<String>) -> Self {
        self.project_id = Some(project_id.into());
        self
    }

    /// Authenticate with an IAM token (sent as `X-Auth-Token`).
    pub fn token(self, token: impl Into<Secret>) -> Self {
        self.credentials(Credentials::Token(token.into()))
    }

    /// Authenticate by signing every request with an access key and secret key.
    pub fn ak_sk(self, ak: impl Into<String>, sk: impl Into<Secret>) -> Self {
        self.credentials(Credentials::ak_sk(ak, sk))
    }

    /// Authenticate with an IAM user's password: the client gets (and renews) its token.
    pub fn iam_password(
        self,
        user: impl Into<String>,
        password: impl Into<Secret>,
        domain: impl Into<String>,
    ) -> Self {
        self.credentials(Credentials::iam_password(user, password, domain))
    }

    /// Authenticate with `credentials` (replacing any
    /// [`credential_source`](Self::credential_source)).
    pub fn credentials(mut self, credentials: Credentials) -> Self {
        self.credentials = Some(credentials);
        self
    }

    /// Where [`build`](Self::build) finds the credentials when none are given (default: the
    /// [chain](CredentialSource::Chain) of the environment, the profile file, a KooCLI profile,
    /// the CCE pod-identity endpoint and the ECS metadata service). The project, region and
    /// IAM endpoint the source names fill in those not set here. Temporary credentials (pod
    /// identity, metadata) renew themselves. Replaces any credentials given before.
    pub fn credential_source(mut self, source: CredentialSource) -> Self {
        self.credentials = None;
        self.credential_source = source;
        self
    }

    /// The ECS metadata service's base URL (default: `HWINST_METADATA_ENDPOINT`, else
    /// `http://169.254.169.254`); `"none"` turns the metadata service off.
    pub fn metadata_endpoint(mut self, url: impl Into<String>) -> Self {
        self.metadata_endpoint = Some(url.into());
        self
    }

    /// The base URL of `service` (`https://host[:port][/prefix]`). Always wins over the region.
    pub fn endpoint(mut self, service: Service, url: impl Into<String>) -> Self {
        *self.endpoints.get_mut(service) = Some(url.into());
        self
    }

    /// Time allowed to establish a connection (default 10 s; zero is refused).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Time allowed for a whole call: connecting, reading the body, and any retries and
    /// their pauses (default 30 s; zero is refused). No retry starts that could not end in
    /// time.
    pub fn request_timeout(mut self, timeout: Duration) -> Self {
        self.request_timeout = timeout;
        self
    }

    /// The largest response body accepted (default 16 MiB); larger ones fail with
    /// [`Error::BodyTooLarge`].
    pub fn max_response_bytes(mut self, limit: u64) -> Self {
        self.max_response_bytes = limit;
        self
    }

    /// Permit plain `http://` endpoints on hosts that are not loopback (default `false`).
    pub fn allow_http(mut self, allow: bool) -> Self {
        self.allow_http = allow;
        self
    }

    /// Appended to the `User-Agent` header after `hwinst/<version>`, e.g. `my-tool/1.2`.
    pub fn user_agent(mut self, suffix: impl Into<String>) -> Self {
        self.user_agent = Some(suffix.into());
        self
    }

    /// IAM's base URL, for IAM password credentials and project look-ups (default
    /// `https://iam.myhuaweicloud.com`).
    pub fn iam_endpoint(mut self, url: impl Into<String>) -> Self {
        self.iam_endpoint = Some(url.into());
        self
    }

    /// How calls are retried (default: 4 attempts, pauses from 200 ms doubling up to 10 s;
    /// [`RetryPolicy::none`] disables retries).
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// Send every request through this proxy (`http://[user:password@]host:port`), whatever
    /// the environment says. By default the `HTTPS_PROXY`, `HTTP_PROXY`, `ALL_PROXY` and
    /// `NO_PROXY` variables are followed.
    pub fn proxy(mut self, url: impl Into<String>) -> Self {
        self.proxy = ProxySetting::Url(url.into());
        self
    }

    /// Use no proxy, whatever the environment says.
    pub fn no_proxy(mut self) -> Self {
        self.proxy = ProxySetting::Disabled;
        self
    }

    /// Trust the certificates of this PEM bundle as well as the usual roots (for a private
    /// cloud's own CA). The file is read by [`build`](Self::build).
    pub fn ca_file(mut self, path: impl Into<PathBuf>) -> Self {
        self.ca_file = Some(path.into());
        self
    }

    /// The clock that waits and retries measure time, pause and draw their jitter with
    /// (default [`SystemClock`]). A [`ManualClock`](crate::ManualClock) runs them without
    /// sleeping, for tests. Network timeouts stay in real time.
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// Checks the configuration and builds the client. Without credentials, this is when the
    /// [`credential_source`](Self::credential_source) is read (and the metadata service or
    /// pod-identity endpoint asked, within a few seconds).
    pub fn build(self) -> Result<Client> {
        self.build_on(&Host::process())
    }

    /// [`build`](Self::build), with `host` standing for the environment and home directory.
    pub(crate) fn build_on(self, host: &Host) -> Result<Client> {
        let user_agent = self.check()?;
        let discovered = self.discover(host, &user_agent)?;
        self.build_discovered(discovered, user_agent)
    }

    /// What this configuration gives, and what it lacks, even when it does not make a
    /// client: the credentials found (as [`build`](Self::build) finds them), region, project
    /// and endpoints with where each came from, and every problem that keeps `build` from
    /// making a client. `hwinst config show` prints it. No secret is in it.
    pub fn report(self) -> ConfigReport {
        self.report_on(&Host::process())
    }

    /// [`report`](Self::report), with `host` standing for the environment and home directory.
    pub(crate) fn report_on(self, host: &Host) -> ConfigReport {
        let mut problems = Vec::new();
        let user_agent = self.check().unwrap_or_else(|e| {
            problems.push(problem(e));
            user_agent(None).unwrap_or_default()
        });
        let discovered = self
            .discover(host, &user_agent)
            .map_err(|e| problems.push(problem(e)))
            .ok();
        let (credentials, credentials_from, access_key) = match &discovered {
            Some(found) => (
                Some(found.resolved.kind()),
                found.origin.clone(),
                found.resolved.access_key(),
            ),
            None => (None, String::new(), None),
        };
        let from_source = |setting: &Option<String>, found: Option<&Option<String>>| {
            let found = found.cloned().flatten();
            let from = origin(setting, &found, &credentials_from);
            (setting.clone().or(found), from)
        };
        let (region, region_from) =
            from_source(&self.region, discovered.as_ref().map(|d| &d.region));
        let (project_id, mut project_id_from) =
            from_source(&self.project_id, discovered.as_ref().map(|d| &d.project_id));
        if let (None, Some(region)) = (&self.region, &region) {
            if let Err(e) = crate::endpoint::check_region(region) {
                problems.push(problem(e));
            }
        }
        let can_look_up_project = discovered
            .as_ref()
            .is_some_and(|d| d.resolved.can_look_up_project());
        match (&project_id, &region) {
            (Some(id), _) => {
                if let Err(e) = ProjectId::new(id.clone()) {
                    problems.push(problem(e));
                }
            }
            (None, Some(region)) if can_look_up_project => {
                project_id_from = format!("IAM, by the name of region {region}, when first needed");
            }
            // Without credentials, whether the project can be looked up is not known yet.
            (None, _) if discovered.is_none() => {}
            (None, _) => problems.push(problem(no_project(can_look_up_project))),
        }
        let endpoints = Service::ALL
            .into_iter()
            .map(|service| {
                let endpoint = resolve_endpoint(
                    service,
                    region.as_deref(),
                    self.endpoints.get(service).as_deref(),
                    self.allow_http,
                );
                let endpoint = match endpoint {
                    Ok(Ok(endpoint)) => Ok(endpoint.as_str().to_owned()),
                    Ok(Err(reason)) => Err(reason),
                    Err(e) => Err(problem(e)),
                };
                (service, endpoint)
            })
            .collect();
        if let Err(e) = resolve_endpoints(region.as_deref(), &self.endpoints, self.allow_http) {
            problems.push(problem(e));
        }
        let report = ConfigReport {
            credentials,
            credentials_from,
            access_key,
            region,
            region_from,
            project_id,
            project_id_from,
            endpoints,
            problems,
        };
        match discovered {
            // Nothing found wrong so far: what is left to check (the transport's settings,
            // the credentials' own checks) is checked by building the client.
            Some(found) if report.problems.is_empty() => {
                match self.build_discovered(found, user_agent) {
                    Ok(client) => ConfigReport::of(&client),
                    Err(e) => ConfigReport {
                        problems: vec![problem(e)],
                        ..report
                    },
                }
            }
            _ => report,
        }
    }

    /// The checks of the settings themselves, before any credentials are looked for; the
    /// `User-Agent` these settings send.
    fn check(&self) -> Result<String> {
        for (name, value) in [
            ("connect timeout", self.connect_timeout),
            ("request timeout", self.request_timeout),
        ] {
            if value.is_zero() || value > limits::TIMEOUT.max {
                return Err(Error::Config(format!(
                    "the {name} must be greater than zero and at most {}",
                    limits::TIMEOUT.in_words
                )));
            }
        }
        if self.max_response_bytes == 0 {
            return Err(Error::Config(
                "max_response_bytes must be greater than zero".into(),
            ));
        }
        if let Some(region) = &self.region {
            crate::endpoint::check_region(region)?;
        }
        user_agent(self.user_agent.as_deref())
    }

    /// The credentials: the configured ones, else what the credential source finds.
    fn discover(&self, host: &Host, user_agent: &str) -> Result<Discovered> {
        match &self.credentials {
            Some(credentials) => Ok(Discovered {
                resolved: Resolved::Fixed(credentials.clone()),
                origin: "the configuration".into(),
                project_id: None,
                region: None,
                iam_endpoint: None,
            }),
            None => chain::discover(
                &self.credential_source,
                host,
                &Reach {
                    metadata_endpoint: self.metadata_endpoint.clone(),
                    clock: Arc::clone(&self.clock),
                    user_agent: user_agent.to_owned(),
                },
            ),
        }
    }

    /// The client of these settings and the credentials `discovered`.
    fn build_discovered(mut self, discovered: Discovered, user_agent: String) -> Result<Client> {
        // What the configuration sets wins; the credentials' source fills the gaps.
        let region_origin = origin(&self.region, &discovered.region, &discovered.origin);
        let project_origin = origin(&self.project_id, &discovered.project_id, &discovered.origin);
        if let (None, Some(region)) = (&self.region, &discovered.region) {
            // Read from a file (a KooCLI profile): checked as a configured one was above.
            crate::endpoint::check_region(region)?;
        }
        self.region = self.region.or(discovered.region);
        self.project_id = self.project_id.or(discovered.project_id);
        self.iam_endpoint = self.iam_endpoint.or(discovered.iam_endpoint);
        let endpoints =
            resolve_endpoints(self.region.as_deref(), &self.endpoints, self.allow_http)?;
        let server_time = Arc::new(ServerTime::new(Arc::clone(&self.clock)));
        let transport = Arc::new(Transport::new(&TransportConfig {
            connect_timeout: self.connect_timeout,
            request_timeout: self.request_timeout,
            max_response_bytes: self.max_response_bytes,
            user_agent,
            retry: self.retry,
            proxy: self.proxy,
            ca_file: self.ca_file,
            clock: self.clock,
        })?);
        let iam = || {
            let url = self.iam_endpoint.as_deref().unwrap_or(DEFAULT_IAM_ENDPOINT);
            Endpoint::parse("iam", url, self.allow_http)
        };
        let can_look_up_project = discovered.resolved.can_look_up_project();
        let project = match (self.project_id, &self.region) {
            (Some(id), _) => Project::Known(ProjectId::new(id)?),
            (None, Some(region)) if can_look_up_project => Project::FromRegion {
                region: region.clone(),
                iam: iam()?,
                found: Mutex::new(None),
            },
            (None, _) => return Err(no_project(can_look_up_project)),
        };
        let scope = match &project {
            Project::Known(p) => Scope::ProjectId(p.id.clone()),
            Project::FromRegion { region, .. } => Scope::ProjectName(region.clone()),
        };
        let credentials_kind = discovered.resolved.kind();
        let auth = authenticator(discovered.resolved, &discovered.origin, server_time, || {
            Ok(IamSetup {
                transport: Arc::clone(&transport),
                endpoint: iam()?,
                scope,
            })
        })?;
        Ok(Client {
            inner: Arc::new(Inner {
                project,
                endpoints,
                transport,
                auth,
                origins: Origins {
                    credentials_kind,
                    credentials: discovered.origin,
                    region: self.region.map(|r| (r, region_origin)),
                    project: project_origin,
                },
            }),
            call: Call::default(),
            tally: None,
        })
    }
}

/// Where a setting came from: the configuration when it set it, else the credentials' source
/// when that gave it.
fn origin(configured: &Option<String>, from_source: &Option<String>, source: &str) -> String {
    match (configured, from_source) {
        (Some(_), _) => "the configuration".to_owned(),
        (None, Some(_)) => source.to_owned(),
        (None, None) => String::new(),
    }
}

/// Why a client cannot have a project: none is set, and it cannot be looked up (no region, or
/// credentials that cannot ask IAM).
fn no_project(can_look_up: bool) -> Error {
    Error::Config(if can_look_up {
        "no project_id: set it, or set a region to look it up from IAM".into()
    } else {
        "no project_id (with a token it cannot be looked up: set it)".into()
    })
}

/// A problem for a [`ConfigReport`]: the error's own words, without the kind's prefix.
fn problem(error: Error) -> String {
    match error {
        Error::Config(message) | Error::InvalidArgument(message) => message,
        other => other.to_string(),
    }
}

/// Checks the credentials and turns them into the request step that applies them. AK/SK
/// signatures are dated by `time`; `iam` is how IAM password credentials and OIDC identities
/// reach IAM; `origin` says where the credentials were found.
fn authenticator(
    resolved: Resolved,
    origin: &str,
    time: Arc<ServerTime>,
    iam: impl FnOnce() -> Result<IamSetup>,
) -> Result<Box<dyn Authenticate>> {
    let credentials = match resolved {
        Resolved::Fixed(credentials) => credentials,
        Resolved::Temporary(temporary) => {
            let (fetcher, first) = *temporary;
            return Ok(Box::new(TemporaryAuth::new(fetcher, time, Some(first))?));
        }
    };
    match credentials {
        Credentials::Token(token) => Ok(Box::new(TokenAuth::new(token)?)),
        Credentials::AkSk {
            ak,
            sk,
            security_token,
        } => Ok(Box::new(AkSkAuth::new(ak, sk, security_token, time)?)),
        Credentials::IamPassword {
            user,
            password,
            domain,
        } => Ok(Box::new(IamAuth::new(iam()?, &user, password, &domain)?)),
        Credentials::Oidc {
            idp_id,
            id_token_file,
        } => {
            let iam = iam()?;
            let source = TemporarySource::Oidc {
                iam: iam.endpoint.as_str().to_owned(),
                idp_id,
                token_file: id_token_file,
                origin: origin.to_owned(),
            };
            // Exchanged now, as the other temporary credentials are fetched when found: a
            // refused token is a build error, not the first call's.
            let fetcher = Fetcher::new(source, iam.transport);
            let first = fetcher
                .fetch()
                .map_err(|e| e.into_error(fetcher.source()))?;
            Ok(Box::new(TemporaryAuth::new(fetcher, time, Some(first))?))
        }
    }
}

/// `hwinst/<version>`, then the caller's suffix.
fn user_agent(suffix: Option<&str>) -> Result<String> {
    let base = format!("hwinst/{}", crate::VERSION);
    match suffix.map(str::trim) {
        None | Some("") => Ok(base),
        Some(s) if s.bytes().all(|b| (0x20..=0x7e).contains(&b)) => Ok(format!("{base} {s}")),
        Some(_) => Err(Error::Config(
            "the user agent may hold only printable ASCII characters".into(),
        )),
    }
}

/// Each service's endpoint: the explicit one, else the region's. A service with neither gets
/// the reason, reported when it is used; a configuration in which no service has an endpoint
/// is refused now.
fn resolve_endpoints(
    region: Option<&str>,
    explicit: &PerService<Option<String>>,
    allow_http: bool,
) -> Result<PerService<Result<Endpoint, String>>> {
    let mut resolved = PerService::from_fn(|_| Err(String::new()));
    for service in Service::ALL {
        *resolved.get_mut(service) = resolve_endpoint(
            service,
            region,
            explicit.get(service).as_deref(),
            allow_http,
        )?;
    }
    if Service::ALL.iter().all(|s| resolved.get(*s).is_err()) {
        return Err(Error::Config(match region {
            Some(region) => format!(
                "unknown region {region:?}: no service has an endpoint there; \
                 set the endpoints explicitly"
            ),
            None => "set a region or at least one endpoint".into(),
        }));
    }
    Ok(resolved)
}

/// One service's endpoint: the explicit one (an error if it does not parse), else the
/// region's, else the reason it has none.
fn resolve_endpoint(
    service: Service,
    region: Option<&str>,
    explicit: Option<&str>,
    allow_http: bool,
) -> Result<Result<Endpoint, String>> {
    Ok(match (explicit, region) {
        (Some(url), _) => Ok(Endpoint::parse(service, url, allow_http)?),
        (None, Some(region)) => match service.regional_endpoint(region) {
            Some(url) => Ok(Endpoint::parse(service, &url, false)?),
            None => Err(format!(
                "{service} has no known endpoint in region {region:?} (its regions: {}); \
                 set the {service} endpoint explicitly",
                service.regions().join(", ")
            )),
        },
        (None, None) => Err(format!(
            "no endpoint for {service}: set a region or the {service} endpoint"
        )),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn base() -> ClientBuilder {
        Client::builder().project_id("p1").token("s3cr3t-t0ken")
    }

    #[test]
    fn client_is_send_and_sync() {
        fn check<T: Send + Sync + Clone>() {}
        check::<Client>();
    }

    #[test]
    fn endpoints_from_region_and_explicit() {
        let client = base()
            .region("cn-north-4")
            .endpoint(Service::Clouddc, "http://127.0.0.1:8080/")
            .build_on(&super::super::chain::bare_host())
            .unwrap();
        assert_eq!(
            client.endpoint(Service::Roma),
            Some("https://roma.cn-north-4.myhuaweicloud.com")
        );
        assert_eq!(
            client.endpoint(Service::Clouddc),
            Some("http://127.0.0.1:8080")
        );
    }

    #[test]
    fn a_service_without_endpoint_fails_when_used() {
        let client = base()
            .region("cn-north-4")
            .build_on(&super::super::chain::bare_host())
            .unwrap();
        assert_eq!(client.endpoint(Service::Clouddc), None);
        let err = client.clouddc_instance_status("i1").unwrap_err();
        assert!(matches!(err, Error::Config(_)), "{err}");
        assert!(err.to_string().contains("cn-north-4"), "{err}");
    }

    #[test]
    fn configuration_errors() {
        let cases: Vec<(ClientBuilder, &str)> = vec![
            (
                Client::builder().region("cn-north-4").project_id("p"),
                "credentials",
            ),
            (
                Client::builder().region("cn-north-4").token("t0k3n-123"),
                "project_id",
            ),
            (base(), "region"),
            (base().region("moon-base-1"), "unknown region"),
            (base().region("cn-north-4").project_id("a/b"), "project_id"),
            (
                base().region("cn-north-4").connect_timeout(Duration::ZERO),
                "connect timeout",
            ),
            (
                base().region("cn-north-4").request_timeout(Duration::ZERO),
                "request timeout",
            ),
            (
                base()
                    .region("cn-north-4")
                    .request_timeout(Duration::from_millis(u64::MAX)),
                "at most a day",
            ),
            (
                base().region("cn-north-4").max_response_bytes(0),
                "max_response_bytes",
            ),
            (
                base().region("cn-north-4").user_agent("a\r\nX-Evil: 1"),
                "user agent",
            ),
            (
                base().endpoint(Service::Roma, "http://example.com"),
                "allow_http",
            ),
        ];
        for (builder, expected) in cases {
            let err = builder
                .build_on(&super::super::chain::bare_host())
                .unwrap_err();
            assert!(matches!(err, Error::Config(_)), "{err}");
            assert!(err.to_string().contains(expected), "{err} lacks {expected}");
        }
    }

    #[test]
    fn user_agent_has_version_and_suffix() {
        assert_eq!(
            user_agent(None).unwrap(),
            format!("hwinst/{}", env!("CARGO_PKG_VERSION"))
        );
        assert!(user_agent(Some("tool/1")).unwrap().ends_with(" tool/1"));
    }

    #[test]
    fn debug_hides_the_token() {
        let builder = base().region("cn-north-4");
        assert!(!format!("{builder:?}").contains("s3cr3t"));
        let client = builder.build_on(&super::super::chain::bare_host()).unwrap();
        assert!(!format!("{client:?}").contains("s3cr3t"));
    }

    #[test]
    fn report_lists_every_problem_and_what_is_known() {
        let host = super::super::chain::bare_host();
        // Two problems at once: no project for a token, and a refused endpoint.
        let report = Client::builder()
            .token("s3cr3t-t0ken")
            .region("cn-north-4")
            .endpoint(Service::Apig, "http://apig.example.com")
            .report_on(&host);
        assert_eq!(report.credentials, Some("token"));
        assert_eq!(report.credentials_from, "the configuration");
        assert_eq!(report.region.as_deref(), Some("cn-north-4"));
        assert_eq!(report.project_id, None);
        assert_eq!(report.problems.len(), 2, "{:?}", report.problems);
        assert!(report.problems[0].starts_with("no project_id"));
        assert!(report.problems[1].contains("http://apig.example.com"));
        let endpoint = |service| {
            let (_, endpoint) = report
                .endpoints
                .iter()
                .find(|(s, _)| *s == service)
                .unwrap();
            endpoint.clone()
        };
        assert_eq!(
            endpoint(Service::Roma),
            Ok("https://roma.cn-north-4.myhuaweicloud.com".to_owned())
        );
        assert!(endpoint(Service::Clouddc).is_err_and(|why| why.contains("cn-north-4")));
        assert!(!format!("{report:?}").contains("s3cr3t"));

        // No credentials anywhere: that problem, and no region.
        let report = Client::builder().report_on(&host);
        assert_eq!(report.credentials, None);
        assert_eq!(report.problems.len(), 2, "{:?}", report.problems);
        assert!(report.problems[0].starts_with("no credentials"));
        assert_eq!(report.problems[1], "set a region or at least one endpoint");
    }

    #[test]
    fn report_of_settings_that_build_is_the_clients_and_complete() {
        let host = super::super::chain::bare_host();
        let builder = base().region("cn-east-3");
        let report = builder.clone().report_on(&host);
        assert_eq!(report.problems, Vec::<String>::new());
        let client = builder.build_on(&host).unwrap();
        assert_eq!(report, ConfigReport::of(&client));
        assert_eq!(report.project_id.as_deref(), Some("p1"));

        // A problem only building the client finds (the transport's CA file) is reported too.
        let report = base()
            .region("cn-east-3")
            .ca_file("/nonexistent/hwinst-ca.pem")
            .report_on(&host);
        assert_eq!(report.problems.len(), 1, "{:?}", report.problems);
        assert!(
            report.problems[0].contains("hwinst-ca.pem"),
            "{:?}",
            report.problems
        );
        assert_eq!(report.credentials, Some("token"));
    }
}
