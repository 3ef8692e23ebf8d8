//! The simulator: a local fake of the five service APIs and IAM on loopback, for tests in
//! every language, for the demo, and for testing tools offline (see `docs/simulator.md`).
//!
//! ```
//! use std::time::Duration;
//! use hwinst::{Phase, Service, Source};
//! use hwinst::sim::{InstanceSpec, Outcome, Scenario, Simulator};
//!
//! let sim = Simulator::start(Scenario::default().speed(1000.0))?;
//! let id = sim.add_instance(
//!     InstanceSpec::new(Service::Apig).outcome(Outcome::Steady))?;
//! let client = sim.client_builder().build()?;
//! assert_eq!(client.lifecycle(Source::Apig, &id)?.phase, Phase::Running);
//! assert_eq!(sim.requests().len(), 1);
//! # Ok::<_, Box<dyn std::error::Error>>(())
//! ```
//!
//! Modules, each using only those listed before it (no import cycle between them): `error`
//! (`SimError`, decoding documents), `random`, `secret` (comparing secrets), `fault` (what
//! faults there are, and those in force) and `scenario` (what to simulate), `log` (the request
//! log), `script` (the lifecycles), `instances` (where each one is), `keyring` (credentials
//! accepted and issued), `world` (the state: its clock and settings, and those parts),
//! `shared` (the world behind its lock), `bodies` (the answers' bodies), `reply` (answers and
//! refusals), `verify` (tokens and signatures), `credentials` (metadata, pod identity), `iam`
//! (IAM's APIs), `routes` (which API a request calls, and its answer), `admin` (the `/_sim/`
//! API), `server` (the hyper glue, on top).
mod admin;
mod bodies;
mod credentials;
mod error;
mod fault;
mod iam;
mod instances;
mod keyring;
mod log;
mod random;
mod reply;
mod routes;
mod scenario;
mod script;
mod secret;
mod server;
mod shared;
mod verify;
mod world;

pub use error::SimError;
pub use fault::{Fault, FaultKind, Operation, FAULT_STATUSES, MAX_DELAY};
pub use instances::InstanceView;
pub use log::{AuthKind, RequestRecord, REQUEST_LOG_LIMIT};
pub use routes::{DEFAULT_LIST_LIMIT, MAX_LIST_LIMIT};
pub use scenario::{
    AccessKey, InstanceSpec, MetadataSpec, OidcSpec, Outcome, Scenario, User, DEFAULT_STEP,
    MAX_GENERATED, MAX_SESSION_TOKEN_TTL, MAX_SIMULATED_SKEW_S,
};
pub use server::MAX_REQUEST_BODY;
pub use verify::MAX_CLOCK_SKEW;

use crate::auth::Secret;
use crate::client::{Client, ClientBuilder};
use crate::clock::{Clock, SystemClock};
use crate::endpoint::Service;
use server::Server;
use shared::Shared;
use std::fmt;
use std::net::{IpAddr, Ipv4Addr, SocketAddr, TcpListener};
use std::sync::Arc;
use std::time::{Duration, SystemTime};
use world::World;

/// A running simulator. Dropping it stops the server and frees its port.
///
/// Every method may be called from any thread while clients use the server.
pub struct Simulator {
    shared: Arc<Shared>,
    addr: SocketAddr,
    _server: Server,
}

impl fmt::Debug for Simulator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Simulator")
            .field("base_url", &self.shared.base_url)
            .finish_non_exhaustive()
    }
}

impl Simulator {
    /// Starts a simulator of `scenario` on `127.0.0.1` at a free port.
    pub fn start(scenario: Scenario) -> Result<Simulator, SimError> {
        Simulator::start_on("127.0.0.1:0", scenario)
    }

    /// Starts a simulator of `scenario` on `addr` (`127.0.0.1:8080`, `[::1]:0`,
    /// `localhost:0`). Only loopback addresses are accepted: the simulator has no real
    /// authentication and an admin API anyone reaching it may use.
    pub fn start_on(addr: &str, scenario: Scenario) -> Result<Simulator, SimError> {
        let addr = loopback(addr)?;
        let world = World::new(&scenario, Arc::new(SystemClock))?;
        let listener = TcpListener::bind(addr).map_err(|source| SimError::Io {
            what: format!("cannot listen on {addr}"),
            source,
        })?;
        let addr = listener.local_addr().map_err(|source| SimError::Io {
            what: "cannot read the listening address".into(),
            source,
        })?;
        let shared = Arc::new(Shared::new(world, format!("http://{addr}")));
        let server = Server::spawn(listener, Arc::clone(&shared))?;
        Ok(Simulator {
            shared,
            addr,
            _server: server,
        })
    }

    /// The base URL every service and IAM are served under: `http://127.0.0.1:PORT`.
    pub fn base_url(&self) -> &str {
        &self.shared.base_url
    }

    /// The address the simulator listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// A client builder for this simulator: every service's endpoint and IAM's at
    /// [`base_url`](Self::base_url), its region and project, and its first token (else its
    /// first access key, else its first IAM user), and no proxy. Retries keep the client's
    /// default.
    pub fn client_builder(&self) -> ClientBuilder {
        let world = self.shared.world();
        let mut builder = Service::ALL
            .into_iter()
            .fold(Client::builder(), |b, s| b.endpoint(s, self.base_url()))
            .iam_endpoint(self.base_url())
            .no_proxy()
            .region(world.region.clone())
            .project_id(world.project_id.clone());
        if let Some(credentials) = world.keys.client_credentials() {
            builder = builder.credentials(credentials);
        }
        builder
    }

    /// The client configuration document of `GET /_sim/config` (the C ABI's configuration):
    /// `region`, `project_id`, `credentials` and `endpoints` (`roma`, `apig`, `clouddc`, `iam`).
    pub fn config_json(&self) -> String {
        self.shared
            .world()
            .config_document(self.base_url())
            .to_string()
    }

    /// Adds an instance, starting its lifecycle now; its ID.
    pub fn add_instance(&self, spec: InstanceSpec) -> Result<String, SimError> {
        self.shared
            .world()
            .add_instance(&spec)
            .map_err(|m| SimError::Invalid(format!("instance: {m}")))
    }

    /// Removes an instance: every service answers 404 for it from now on. Whether it existed.
    pub fn remove_instance(&self, id: &str) -> bool {
        self.shared.world().instances.remove(id)
    }

    /// Every instance as it is now, in the order added.
    pub fn instances(&self) -> Vec<InstanceView> {
        self.shared.world().views()
    }

    /// The instance `id` as it is now.
    pub fn instance(&self, id: &str) -> Option<InstanceView> {
        self.shared.world().view(id)
    }

    /// Adds a fault after those in force; its ID.
    pub fn add_fault(&self, fault: Fault) -> Result<u64, SimError> {
        self.shared
            .world()
            .faults
            .add(fault)
            .map_err(|m| SimError::Invalid(format!("fault: {m}")))
    }

    /// Removes the fault `id` (as [`add_fault`](Self::add_fault) returned it); whether it was
    /// still in force.
    pub fn remove_fault(&self, id: u64) -> bool {
        self.shared.world().faults.remove(id)
    }

    /// Removes every fault.
    pub fn clear_faults(&self) {
        self.shared.world().faults.clear();
    }

    /// Accepts another token.
    pub fn add_token(&self, token: impl Into<Secret>) -> Result<(), SimError> {
        self.shared
            .world()
            .keys
            .add_token(token.into().expose())
            .map_err(|m| SimError::Invalid(format!("token: {m}")))
    }

    /// Lets `by` of simulated time pass at once for every instance there is (instances added
    /// later start from their first step): with long steps, a test moves lifecycles step by
    /// step without depending on the clock.
    pub fn advance(&self, by: Duration) {
        self.shared.world().instances.advance(by);
    }

    /// Replaces everything (settings, credentials, instances, faults, issued tokens and the
    /// request log) with `scenario`, as `POST /_sim/scenario` does.
    pub fn load_scenario(&self, scenario: Scenario) -> Result<(), SimError> {
        let mut world = self.shared.world();
        *world = World::new(&scenario, world.clock())?;
        Ok(())
    }

    /// Runs the simulator on `clock` (the [`SystemClock`] until set): lifecycles move with
    /// its instants, and its wall time (plus the clock skew) is the simulator's calendar time
    /// — what `X-Sdk-Date` is checked against, when IAM tokens, metadata session tokens and
    /// temporary credentials expire, and every answer's `Date` header. Rate limits refill on
    /// its instants too (at the clock's pace, not sped up by the scenario's speed).
    ///
    /// Shared with a client (`ClientBuilder::clock`), a
    /// [`ManualClock`](crate::ManualClock) lets hours pass on both sides at once. Instances
    /// keep the simulated time they have lived so far; a scenario loaded later keeps the
    /// clock.
    pub fn set_clock(&self, clock: Arc<dyn Clock>) {
        self.shared.world().set_clock(clock);
    }

    /// Sets how many seconds the simulator's calendar runs ahead of its clock's wall time
    /// (behind when negative; at most [`MAX_SIMULATED_SKEW_S`] either way), as the scenario's
    /// `clock_skew_s` and `POST /_sim/clock_skew` do. AK/SK signatures dated more than
    /// [`MAX_CLOCK_SKEW`] away from the simulator's calendar are refused with the gateway's
    /// `signature expired` 401.
    pub fn set_clock_skew(&self, seconds: i64) -> Result<(), SimError> {
        scenario::check_clock_skew(seconds).map_err(SimError::Invalid)?;
        self.shared.world().set_clock_skew(seconds);
        Ok(())
    }

    /// The clock skew in seconds.
    pub fn clock_skew(&self) -> i64 {
        self.shared.world().clock_skew_s()
    }

    /// The simulator's calendar time: its clock's wall time plus the clock skew (what its
    /// `Date` headers say).
    pub fn time(&self) -> SystemTime {
        self.shared.world().calendar()
    }

    /// The base URL of the simulated ECS metadata service (the same as
    /// [`base_url`](Self::base_url)): `PUT {url}/meta-data/latest/api/token`, `GET
    /// {url}/openstack/latest/securitykey`.
    pub fn metadata_url(&self) -> &str {
        self.base_url()
    }

    /// The full URL of the simulated CCE pod-identity endpoint (`{base_url}/pod-identity/
    /// credentials`), what `HC_CONTAINER_CREDENTIALS_FULL_URI` holds in a pod. It answers only
    /// when the scenario has a [`pod_identity`](Scenario::pod_identity).
    pub fn pod_identity_url(&self) -> String {
        format!("{}/pod-identity/credentials", self.base_url())
    }

    /// Whether the pod-identity endpoint answers (the scenario has a
    /// [`pod_identity`](Scenario::pod_identity)).
    pub fn serves_pod_identity(&self) -> bool {
        self.shared.world().keys.pod_identity.is_some()
    }

    /// A new ID token of the simulated OIDC identity provider (the scenario's
    /// [`oidc`](Scenario::oidc)), valid `lifetime` of simulator time (1 s to a day, whole
    /// seconds), and when it expires: what a test writes into the file
    /// `HUAWEICLOUD_SDK_ID_TOKEN_FILE` names. IAM's `POST /v3.0/OS-AUTH/id-token/tokens`
    /// accepts it, with `X-Idp-Id:` [`idp_id`](Self::idp_id), until it expires. As `POST
    /// /_sim/id_tokens` does. The token is a secret, in plain text because a test writes it
    /// into a file.
    pub fn issue_id_token(&self, lifetime: Duration) -> Result<(String, SystemTime), SimError> {
        scenario::check_lifetime("id token lifetime", lifetime).map_err(SimError::Invalid)?;
        let mut world = self.shared.world();
        let now = world.calendar();
        world
            .keys
            .issue_id_token(now, lifetime)
            .map_err(SimError::Invalid)
    }

    /// The ID of the simulated OIDC identity provider (what `X-Idp-Id` and
    /// `HUAWEICLOUD_SDK_IDP_ID` must say; default `sim-idp`), if the scenario has one.
    pub fn idp_id(&self) -> Option<String> {
        self.shared
            .world()
            .keys
            .oidc
            .as_ref()
            .map(|o| o.idp_id.clone())
    }

    /// How many temporary credentials the metadata service, the pod-identity endpoint and
    /// IAM's `securitytokens` have issued since the scenario was loaded.
    pub fn issued_temporary_keys(&self) -> usize {
        self.shared.world().keys.temporary_issued()
    }

    /// The secret keys, security tokens, metadata session tokens and IAM tokens the simulator
    /// issued (and still remembers), and the OIDC ID tokens it accepts: for tests that check
    /// that none of them leaks into a message.
    pub fn issued_secrets(&self) -> Vec<String> {
        self.shared.world().keys.secrets()
    }

    /// Limits `service` to `per_second` requests per second (on the simulator's clock, in
    /// bursts of at most one second's worth; past it, 429 with `Retry-After`), or with `None`
    /// lifts its limit.
    pub fn set_rate_limit(
        &self,
        service: Service,
        per_second: Option<f64>,
    ) -> Result<(), SimError> {
        if let Some(problem) = per_second.and_then(crate::bucket::check_rate) {
            return Err(SimError::Invalid(format!(
                "rate_limits.{service}: {problem}"
            )));
        }
        self.shared.world().rate_limits.set(service, per_second);
        Ok(())
    }

    /// `service`'s rate limit in requests per second, if it has one.
    pub fn rate_limit(&self, service: Service) -> Option<f64> {
        self.shared.world().rate_limits.get(service)
    }

    /// The service, IAM, metadata and pod-identity requests answered so far (the last
    /// [`REQUEST_LOG_LIMIT`]).
    pub fn requests(&self) -> Vec<RequestRecord> {
        self.shared.world().log.all()
    }

    /// Forgets the requests answered so far.
    pub fn clear_requests(&self) {
        self.shared.world().log.clear();
    }
}

/// `addr` as a socket address, if it is a loopback one.
fn loopback(addr: &str) -> Result<SocketAddr, SimError> {
    let parsed = addr.parse::<SocketAddr>().ok().or_else(|| {
        let port = addr.strip_prefix("localhost:")?.parse().ok()?;
        Some(SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), port))
    });
    match parsed {
        Some(socket) if socket.ip().is_loopback() => Ok(socket),
        Some(_) => Err(SimError::Invalid(format!(
            "the simulator listens on loopback addresses only (127.0.0.1, [::1], localhost); \
             {addr:?} is not one"
        ))),
        None => Err(SimError::Invalid(format!(
            "{addr:?} is not an address of the form 127.0.0.1:PORT, [::1]:PORT or localhost:PORT"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_loopback_addresses() {
        assert!(loopback("127.0.0.1:0").is_ok());
        assert!(loopback("[::1]:8080").is_ok());
        assert_eq!(loopback("localhost:99").unwrap().port(), 99);
        for bad in [
            "0.0.0.0:0",
            "192.168.1.2:80",
            "[::]:0",
            "example.com:80",
            "127.0.0.1",
            "",
        ] {
            assert!(loopback(bad).is_err(), "{bad}");
        }
    }
}
