//! The client: the top of the library's layers, and everything that calls a service.
//!
//! - this module: [`Client`], and the one path every call takes (build URL → authenticate →
//!   send → decode);
//! - `builder`: [`ClientBuilder`], which checks a configuration and builds a client (it is
//!   where credentials become the authentication step); `config` and `env` fill a builder from
//!   the JSON configuration document (whose keys `config_shape` lists) and from the
//!   environment; `chain` finds credentials when none are given, from the source
//!   `credential_source` names;
//! - `operations`: the five service APIs and reading a lifecycle;
//! - `options`: what a wait and a fleet wait are asked ([`WaitOptions`](crate::WaitOptions),
//!   [`FleetOptions`](crate::FleetOptions), [`Target`](crate::Target));
//! - `wait`: polling until an instance reaches a phase, `poll` the state of one instance's
//!   polling it shares with `fleet`, the wait for many instances at once, whose results are
//!   `fleet_outcome`; `pages`: every ROMA Connect instance.
//!
//! The layers below never call back up here (tests/layers.rs): `model/` holds the services'
//! bodies and maps them onto lifecycles, `auth/` authenticates, `http/` sends and decodes.

mod builder;
mod chain;
mod config;
mod config_shape;
mod credential_source;
mod env;
mod fleet;
mod fleet_outcome;
mod operations;
pub(crate) mod options;
mod pages;
mod poll;
mod wait;

pub use builder::{
    ClientBuilder, DEFAULT_CONNECT_TIMEOUT, DEFAULT_MAX_RESPONSE_BYTES, DEFAULT_REQUEST_TIMEOUT,
};
pub use chain::{DEFAULT_METADATA_ENDPOINT, HOST_CONNECT_TIMEOUT, METADATA_OFF};
pub use credential_source::CredentialSource;
pub use env::ENV_VARS;
pub use fleet_outcome::{FleetEvent, FleetInstance, FleetOutcome, FleetRequests, InstanceOutcome};
pub use pages::{AllRomaInstances, RomaInstances, DEFAULT_PAGE_SIZE};
pub(crate) use pages::{PageCursor, RomaPageStep};

use crate::auth::{self, Authenticate};
use crate::cancel::CancelToken;
use crate::endpoint::{Endpoint, PerService, Service};
use crate::error::{Error, Result};
use crate::http::decode;
use crate::http::transport::{Call, Transport};
use crate::id;
use serde::de::DeserializeOwned;
use std::borrow::Cow;
use std::fmt;
use std::sync::Arc;
use std::sync::Mutex;
use std::time::Instant;

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
/// println!("{:?}% {:?}", progress.progress(), progress.status);
/// # Ok::<_, Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
    /// The limits of every call (none but the transport's own on a client users hold): set on
    /// the copies a wait polls with, so that no request outlives the wait, none is retried
    /// once it is cancelled, and a fleet's polls are single attempts.
    call: Call,
    /// Set on the copy a fleet wait polls with: counts every request it sends.
    tally: Option<Arc<fleet::Tally>>,
}

struct Inner {
    project: Project,
    /// Per service, the endpoint or why there is none (reported when that service is used).
    endpoints: PerService<Result<Endpoint, String>>,
    transport: Arc<Transport>,
    auth: Box<dyn Authenticate>,
    origins: Origins,
}

/// Where the settings that may come from several places came from.
struct Origins {
    credentials_kind: &'static str,
    credentials: String,
    region: Option<(String, String)>,
    /// Empty when the project is looked up.
    project: String,
}

/// A client's credentials, region and project, and where each came from (what `hwinst config
/// show` prints). It holds no secret.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ClientSettings {
    /// The kind of credentials: `token`, `AK/SK`, `temporary AK/SK`, `IAM password` or
    /// `OIDC identity (temporary AK/SK)`.
    pub credentials: &'static str,
    /// Where they were found: `the configuration`, `the environment (HWINST_TOKEN)`, `the
    /// profile file ~/.huaweicloud/credentials [basic]`, `the ECS metadata service (...)`...
    pub credentials_from: String,
    /// The access key ID requests are signed with now (AK/SK credentials only). It names the
    /// key and is not a secret; the secret key is never shown.
    pub access_key: Option<String>,
    /// The region, if one is set.
    pub region: Option<String>,
    /// Where the region came from (empty without one).
    pub region_from: String,
    /// The project ID, unless it is still to be looked up.
    pub project_id: Option<String>,
    /// Where the project ID came from, or how it will be.
    pub project_id_from: String,
}

/// What a configuration gives, and what it lacks, even when it does not make a client
/// ([`ClientBuilder::report`]; what `hwinst config show` prints). It holds no secret.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ConfigReport {
    /// The kind of credentials found (as in [`ClientSettings::credentials`]), `None` when none
    /// were.
    pub credentials: Option<&'static str>,
    /// Where they were found (empty without any).
    pub credentials_from: String,
    /// The access key ID (AK/SK credentials only); it names the key and is not a secret.
    pub access_key: Option<String>,
    /// The region, if one is set or the credentials' source gives one.
    pub region: Option<String>,
    /// Where the region came from (empty without one).
    pub region_from: String,
    /// The project ID, unless it is to be looked up or missing.
    pub project_id: Option<String>,
    /// Where the project ID came from, or how it will be looked up; empty when it is missing.
    pub project_id_from: String,
    /// Each service's endpoint, or why it has none (a service without one fails when used).
    pub endpoints: Vec<(Service, std::result::Result<String, String>)>,
    /// Why [`ClientBuilder::build`] refuses this configuration, one message per problem
    /// found; empty when it makes a client.
    pub problems: Vec<String>,
}

impl ConfigReport {
    /// The report of a client that was built: nothing missing.
    fn of(client: &Client) -> ConfigReport {
        let settings = client.settings();
        ConfigReport {
            credentials: Some(settings.credentials),
            credentials_from: settings.credentials_from,
            access_key: settings.access_key,
            region: settings.region,
            region_from: settings.region_from,
            project_id: settings.project_id,
            project_id_from: settings.project_id_from,
            endpoints: Service::ALL
                .into_iter()
                .map(|service| {
                    let endpoint = client.inner.endpoints.get(service);
                    let endpoint = match endpoint {
                        Ok(endpoint) => Ok(endpoint.as_str().to_owned()),
                        Err(reason) => Err(reason.clone()),
                    };
                    (service, endpoint)
                })
                .collect(),
            problems: Vec::new(),
        }
    }
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
        let segment = id::path_segment("project_id", &id)
            .map(Cow::into_owned)
            .map_err(|e| match e {
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
        self.inner
            .endpoints
            .get(service)
            .as_ref()
            .ok()
            .map(Endpoint::as_str)
    }

    /// The client's credentials, region and project, and where each came from.
    pub fn settings(&self) -> ClientSettings {
        let origins = &self.inner.origins;
        let (project_id, project_id_from) = match &self.inner.project {
            Project::Known(project) => (Some(project.id.clone()), origins.project.clone()),
            Project::FromRegion { region, found, .. } => {
                let found = found.lock().unwrap_or_else(|e| e.into_inner());
                let how = format!("IAM, by the name of region {region}");
                match found.as_ref() {
                    Some(project) => (Some(project.id.clone()), how),
                    None => (None, format!("{how}, when first needed")),
                }
            }
        };
        ClientSettings {
            credentials: origins.credentials_kind,
            credentials_from: origins.credentials.clone(),
            access_key: self.inner.auth.access_key(),
            region: origins.region.as_ref().map(|(r, _)| r.clone()),
            region_from: origins
                .region
                .as_ref()
                .map(|(_, from)| from.clone())
                .unwrap_or_default(),
            project_id,
            project_id_from,
        }
    }

    /// This client, with every request ending by `deadline` at the latest and not retried
    /// once `cancel` is cancelled (what a wait polls with).
    pub(crate) fn for_wait(&self, deadline: Instant, cancel: Option<&CancelToken>) -> Client {
        Client {
            inner: Arc::clone(&self.inner),
            call: Call {
                deadline: Some(deadline),
                cancel: cancel.cloned(),
                ..self.call.clone()
            },
            tally: self.tally.clone(),
        }
    }

    /// This client, making one attempt per request (what a fleet's workers poll with: the
    /// scheduler paces and repeats polls itself).
    pub(crate) fn single_attempt(&self) -> Client {
        Client {
            inner: Arc::clone(&self.inner),
            call: Call {
                single_attempt: true,
                ..self.call.clone()
            },
            tally: self.tally.clone(),
        }
    }

    /// This client, counting every request it sends, and every 429 it gets, in `tally`.
    pub(crate) fn with_tally(&self, tally: Arc<fleet::Tally>) -> Client {
        Client {
            inner: Arc::clone(&self.inner),
            call: self.call.clone(),
            tally: Some(tally),
        }
    }

    /// The project: configured (borrowed, not copied, on every call), or looked up once
    /// (threads that need it at the same time wait for the one look-up).
    pub(crate) fn project(&self) -> Result<Cow<'_, ProjectId>> {
        match &self.inner.project {
            Project::Known(project) => Ok(Cow::Borrowed(project)),
            Project::FromRegion { region, iam, found } => {
                let mut found = found.lock().unwrap_or_else(|e| e.into_inner());
                if let Some(project) = found.as_ref() {
                    return Ok(Cow::Owned(project.clone()));
                }
                let id = crate::auth::iam::look_up_project(
                    &self.inner.transport,
                    iam,
                    region,
                    self.inner.auth.as_ref(),
                    &self.call,
                )?;
                let project = ProjectId::new(id)?;
                *found = Some(project.clone());
                Ok(Cow::Owned(project))
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
        let endpoint = self
            .inner
            .endpoints
            .get(service)
            .as_ref()
            .map_err(|why| Error::Config(why.clone()))?;
        let project = self.project()?;
        let url = endpoint.url(&path(&project.segment), &id::query_string(query));
        let tally = self.tally.as_deref();
        let clock = self.inner.transport.clock();
        // Counted as it is about to be sent, unless the transport will not start it (the
        // wait's deadline has passed).
        let sending = || match tally {
            Some(tally) if self.call.deadline.is_none_or(|at| clock.now() < at) => {
                tally.sending(service)
            }
            _ => {}
        };
        let reply = auth::get(
            &self.inner.transport,
            self.inner.auth.as_ref(),
            &url,
            Some(&project.id),
            &self.call,
            &sending,
        )?;
        if let Some(tally) = tally.filter(|_| reply.status == 429) {
            tally.throttled();
        }
        decode::json_reply(&reply, || self.inner.auth.secrets(), what)
    }
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
