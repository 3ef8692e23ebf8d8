//! The client: configuration, and the one path every call takes
//! (build URL → authenticate → send → decode).

use crate::auth::{self, Authenticate, Credentials, Secret};
use crate::endpoint::{Endpoint, Service};
use crate::error::{self, Error, Result};
use crate::iam::{IamSetup, Scope, DEFAULT_IAM_ENDPOINT};
use crate::id;
use crate::retry::RetryPolicy;
use crate::transport::{ProxySetting, Reply, Transport, TransportConfig};
use serde::de::DeserializeOwned;
use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Default time allowed to establish a connection.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// Default time allowed for a whole call: connecting, reading the body, and any retries.
pub const DEFAULT_REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
/// The longest connect or request timeout accepted: longer is surely a unit mistake.
const MAX_TIMEOUT: Duration = Duration::from_secs(24 * 3600);
/// Default largest response body accepted (16 MiB).
pub const DEFAULT_MAX_RESPONSE_BYTES: u64 = 16 * 1024 * 1024;

/// A blocking client for the ROMA Connect, APIG and Cloud DC instance APIs.
///
/// Cheap to clone (clones share one connection pool), `Send + Sync`: build one per
/// configuration and share it between threads.
///
/// ```no_run
/// let client = hwinst::Client::builder()
///     .region("cn-north-4")
///     .project_id("0a1b2c3d4e5f")
///     .token(std::env::var("HWINST_TOKEN")?)
///     .build()?;
/// let progress = client.apig_creation_progress("eddc4d25480b4cd6b512f270a1b8b341")?;
/// println!("{:?}% {:?}", progress.progress, progress.status);
/// # Ok::<_, Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
    /// Set on the copies a wait polls with, so that no request outlives the wait.
    deadline: Option<Instant>,
}

struct Inner {
    project: Project,
    /// Per service, the endpoint or why there is none (reported when that service is used).
    endpoints: [Result<Endpoint, String>; 3],
    transport: Arc<Transport>,
    auth: Box<dyn Authenticate>,
}

/// The project every request path carries: configured, or looked up from IAM by region when
/// first needed and then kept.
enum Project {
    Known(ProjectId),
    FromRegion {
        region: String,
        iam: Endpoint,
        found: Mutex<Option<ProjectId>>,
    },
}

/// A checked project ID, as sent in `X-Project-Id` and as a path segment.
#[derive(Clone)]
pub(crate) struct ProjectId {
    pub id: String,
    pub segment: String,
}

impl ProjectId {
    fn new(id: String) -> Result<ProjectId> {
        let segment = id::path_segment("project_id", &id).map_err(|e| match e {
            Error::InvalidArgument(m) => Error::Config(m),
            other => other,
        })?;
        Ok(ProjectId { id, segment })
    }
}

impl Client {
    /// Starts configuring a client.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// The base URL used for `service`, or `None` when it has none (its calls then fail with
    /// [`ErrorKind::Config`](crate::ErrorKind::Config)).
    pub fn endpoint(&self, service: Service) -> Option<&str> {
        self.inner.endpoints[service as usize]
            .as_ref()
            .ok()
            .map(Endpoint::as_str)
    }

    /// This client, with every request ending by `deadline` at the latest.
    pub(crate) fn until(&self, deadline: Instant) -> Client {
        Client {
            inner: Arc::clone(&self.inner),
            deadline: Some(deadline),
        }
    }

    /// The project: configured, or looked up once (threads that need it at the same time wait
    /// for the one look-up).
    pub(crate) fn project(&self) -> Result<ProjectId> {
        match &self.inner.project {
            Project::Known(project) => Ok(project.clone()),
            Project::FromRegion { region, iam, found } => {
                let mut found = found.lock().unwrap_or_else(|e| e.into_inner());
                if let Some(project) = found.as_ref() {
                    return Ok(project.clone());
                }
                let id = crate::iam::look_up_project(
                    &self.inner.transport,
                    iam,
                    region,
                    self.inner.auth.as_ref(),
                    self.deadline,
                )?;
                let project = ProjectId::new(id)?;
                *found = Some(project.clone());
                Ok(project)
            }
        }
    }

    /// `GET {endpoint}{path}?{query}` on `service`, decoded as `T`. `path` is given the
    /// project's path segment and must build the rest from checked, encoded segments; `what`
    /// names the response in errors.
    pub(crate) fn get_json<T: DeserializeOwned>(
        &self,
        service: Service,
        path: impl FnOnce(&str) -> String,
        query: &[(&str, String)],
        what: &'static str,
    ) -> Result<T> {
        let endpoint = self.inner.endpoints[service as usize]
            .as_ref()
            .map_err(|why| Error::Config(why.clone()))?;
        let project = self.project()?;
        let url = endpoint.url(&path(&project.segment), &id::query_string(query));
        let reply = auth::get(
            &self.inner.transport,
            self.inner.auth.as_ref(),
            &url,
            Some(&project.id),
            self.deadline,
        )?;
        json_reply(&reply, self.inner.auth.as_ref(), what)
    }
}

/// A reply's JSON body as `T`, or the error a non-2xx reply stands for. `auth`'s secrets are
/// masked in anything the server said; they are gathered only when something failed, so a
/// successful call copies no secret and takes no lock.
pub(crate) fn json_reply<T: DeserializeOwned>(
    reply: &Reply,
    auth: &dyn Authenticate,
    what: &'static str,
) -> Result<T> {
    let undecodable = if reply.is_success() {
        match decode(&reply.body) {
            Ok(value) => return Ok(value),
            Err(why) => Some(why),
        }
    } else {
        None
    };
    let secrets = auth.secrets();
    let secrets: Vec<&str> = secrets.iter().map(String::as_str).collect();
    Err(match undecodable {
        None => reply.error(&secrets),
        Some((path, error)) => Error::Decode {
            what,
            message: decode_message(what, &path, &error, &reply.body, &secrets),
        },
    })
}

/// Decodes a JSON document given as an argument (a list query, wait options): a failure is an
/// invalid argument naming `name` and the field that did not fit.
pub(crate) fn argument<T: DeserializeOwned>(name: &str, json: &str) -> Result<T> {
    decode(json.as_bytes()).map_err(|(path, error)| {
        let message = if path == "." {
            format!("{name}: {error}")
        } else {
            format!("{name}: at `{path}`: {error}")
        };
        // serde quotes a wrong value in full: a huge one must not make a huge message.
        Error::InvalidArgument(error::masked_line(&message, &[], 300))
    })
}

/// Decodes a 2xx body; on failure, where (the path of the field that did not fit) and why.
fn decode<T: DeserializeOwned>(body: &[u8]) -> std::result::Result<T, (String, serde_json::Error)> {
    let mut deserializer = serde_json::Deserializer::from_slice(body);
    let value = serde_path_to_error::deserialize(&mut deserializer)
        .map_err(|e| (e.path().to_string(), e.into_inner()))?;
    deserializer.end().map_err(|e| (".".to_owned(), e))?;
    Ok(value)
}

/// One line saying where and why decoding failed, with the start of the body when it was not
/// JSON at all, and no secret in it.
fn decode_message(
    what: &str,
    path: &str,
    error: &serde_json::Error,
    body: &[u8],
    secrets: &[&str],
) -> String {
    let mut message = if path == "." {
        error.to_string()
    } else {
        format!("at `{path}`: {error}")
    };
    if error.is_syntax() || error.is_eof() {
        match error::snippet(body, secrets) {
            Some(start) => message.push_str(&format!(" (the body starts: {start})")),
            None => message.push_str(&format!(" (the {what} body is empty)")),
        }
    }
    // A wrong-typed field's value is quoted in full by serde: keep the line readable.
    error::masked_line(&message, secrets, 600)
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut s = f.debug_struct("Client");
        match &self.inner.project {
            Project::Known(project) => s.field("project_id", &project.id),
            Project::FromRegion { region, .. } => {
                s.field("project_id", &format!("(looked up for {region})"))
            }
        };
        for service in Service::ALL {
            s.field(service.name(), &self.endpoint(service));
        }
        s.finish_non_exhaustive()
    }
}

/// Configures a [`Client`]. Every setting has a safe default except the credentials, the
/// project ID, and a region or endpoints.
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
    endpoints: [Option<String>; 3],
    connect_timeout: Duration,
    request_timeout: Duration,
    max_response_bytes: u64,
    allow_http: bool,
    user_agent: Option<String>,
    iam_endpoint: Option<String>,
    retry: RetryPolicy,
    proxy: ProxySetting,
    ca_file: Option<PathBuf>,
}

impl Default for ClientBuilder {
    fn default() -> ClientBuilder {
        ClientBuilder {
            region: None,
            project_id: None,
            credentials: None,
            endpoints: [None, None, None],
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            request_timeout: DEFAULT_REQUEST_TIMEOUT,
            max_response_bytes: DEFAULT_MAX_RESPONSE_BYTES,
            allow_http: false,
            user_agent: None,
            iam_endpoint: None,
            retry: RetryPolicy::default(),
            proxy: ProxySetting::Environment,
            ca_file: None,
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

    /// Authenticate with `credentials`.
    pub fn credentials(mut self, credentials: Credentials) -> Self {
        self.credentials = Some(credentials);
        self
    }

    /// The base URL of `service` (`https://host[:port][/prefix]`). Always wins over the region.
    pub fn endpoint(mut self, service: Service, url: impl Into<String>) -> Self {
        self.endpoints[service as usize] = Some(url.into());
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

    /// Checks the configuration and builds the client.
    pub fn build(self) -> Result<Client> {
        let credentials = self.credentials.ok_or_else(|| {
            Error::Config("no credentials: set a token, AK/SK or an IAM password".into())
        })?;
        for (name, value) in [
            ("connect timeout", self.connect_timeout),
            ("request timeout", self.request_timeout),
        ] {
            if value.is_zero() || value > MAX_TIMEOUT {
                return Err(Error::Config(format!(
                    "the {name} must be greater than zero and at most a day"
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
        let endpoints =
            resolve_endpoints(self.region.as_deref(), &self.endpoints, self.allow_http)?;
        let transport = Arc::new(Transport::new(&TransportConfig {
            connect_timeout: self.connect_timeout,
            request_timeout: self.request_timeout,
            max_response_bytes: self.max_response_bytes,
            user_agent: user_agent(self.user_agent.as_deref())?,
            retry: self.retry,
            proxy: self.proxy,
            ca_file: self.ca_file,
        })?);
        let iam = || {
            let url = self.iam_endpoint.as_deref().unwrap_or(DEFAULT_IAM_ENDPOINT);
            Endpoint::parse("iam", url, self.allow_http)
        };
        let project = match (self.project_id, &self.region) {
            (Some(id), _) => Project::Known(ProjectId::new(id)?),
            (None, Some(region)) if credentials.can_look_up_project() => Project::FromRegion {
                region: region.clone(),
                iam: iam()?,
                found: Mutex::new(None),
            },
            (None, _) if credentials.can_look_up_project() => {
                return Err(Error::Config(
                    "no project_id: set it, or set a region to look it up from IAM".into(),
                ))
            }
            (None, _) => {
                return Err(Error::Config(
                    "no project_id (with a token it cannot be looked up: set it)".into(),
                ))
            }
        };
        let scope = match &project {
            Project::Known(p) => Scope::ProjectId(p.id.clone()),
            Project::FromRegion { region, .. } => Scope::ProjectName(region.clone()),
        };
        let auth = credentials.into_auth(|| {
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
            }),
            deadline: None,
        })
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
    explicit: &[Option<String>; 3],
    allow_http: bool,
) -> Result<[Result<Endpoint, String>; 3]> {
    let mut resolved = [Err(String::new()), Err(String::new()), Err(String::new())];
    for service in Service::ALL {
        resolved[service as usize] = match (&explicit[service as usize], region) {
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
        };
    }
    if resolved.iter().all(Result::is_err) {
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
            .build()
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
        let client = base().region("cn-north-4").build().unwrap();
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
            let err = builder.build().unwrap_err();
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
        let client = builder.build().unwrap();
        assert!(!format!("{client:?}").contains("s3cr3t"));
    }
}
