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
//! Modules: `scenario` and `fault` (what to simulate), `script` (the lifecycles), `world`
//! (the shared state), `routes` (the service and IAM APIs), `bodies` (their answers), `verify`
//! (tokens and signatures), `admin` (the `/_sim/` API), `server` (hyper).

mod admin;
mod bodies;
mod fault;
mod routes;
mod scenario;
mod script;
mod server;
mod verify;
mod world;

pub use fault::{Fault, FaultKind, Operation, FAULT_STATUSES, MAX_DELAY};
pub use routes::{DEFAULT_LIST_LIMIT, MAX_LIST_LIMIT};
pub use scenario::{AccessKey, InstanceSpec, Outcome, Scenario, User, DEFAULT_STEP, MAX_GENERATED};
pub use server::MAX_REQUEST_BODY;
pub use verify::MAX_CLOCK_SKEW;
pub use world::{AuthKind, InstanceView, RequestRecord, REQUEST_LOG_LIMIT};

use crate::auth::Secret;
use crate::client::{Client, ClientBuilder};
use crate::endpoint::Service;
use server::{Server, Shared};
use std::fmt;
use std::net::{IpAddr, Ipv4Addr, SocketAddr, TcpListener};
use std::sync::Arc;
use std::time::{Duration, Instant};
use world::World;

/// Why the simulator refused something or could not start.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SimError {
    /// A scenario, instance, fault or address that cannot be used; the message names the
    /// field.
    #[error("{0}")]
    Invalid(String),
    /// A file or socket operation failed.
    #[error("{what}: {source}")]
    Io {
        /// What was being done.
        what: String,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
}

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
        let world = World::new(&scenario)?;
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
        if let Some(credentials) = world.client_credentials() {
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
        self.shared.world().remove_instance(id)
    }

    /// Every instance as it is now, in the order added.
    pub fn instances(&self) -> Vec<InstanceView> {
        self.shared.world().views(Instant::now())
    }

    /// The instance `id` as it is now.
    pub fn instance(&self, id: &str) -> Option<InstanceView> {
        self.shared.world().view(id, Instant::now())
    }

    /// Adds a fault after those in force; its ID.
    pub fn add_fault(&self, fault: Fault) -> Result<u64, SimError> {
        self.shared
            .world()
            .add_fault(fault)
            .map_err(|m| SimError::Invalid(format!("fault: {m}")))
    }

    /// Removes the fault `id` (as [`add_fault`](Self::add_fault) returned it); whether it was
    /// still in force.
    pub fn remove_fault(&self, id: u64) -> bool {
        self.shared.world().remove_fault(id)
    }

    /// Removes every fault.
    pub fn clear_faults(&self) {
        self.shared.world().clear_faults();
    }

    /// Accepts another token.
    pub fn add_token(&self, token: impl Into<Secret>) -> Result<(), SimError> {
        self.shared
            .world()
            .add_token(token.into().expose())
            .map_err(|m| SimError::Invalid(format!("token: {m}")))
    }

    /// Lets `by` of simulated time pass at once for every instance there is (instances added
    /// later start from their first step): with long steps, a test moves lifecycles step by
    /// step without depending on the clock.
    pub fn advance(&self, by: Duration) {
        self.shared.world().advance(by);
    }

    /// Replaces everything (settings, credentials, instances, faults, issued tokens and the
    /// request log) with `scenario`, as `POST /_sim/scenario` does.
    pub fn load_scenario(&self, scenario: Scenario) -> Result<(), SimError> {
        let world = World::new(&scenario)?;
        *self.shared.world() = world;
        Ok(())
    }

    /// Limits `service` to `per_second` requests per second (wall-clock time, in bursts of at
    /// most one second's worth; past it, 429 with `Retry-After`), or with `None` lifts its
    /// limit.
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
        self.shared.world().set_rate_limit(service, per_second);
        Ok(())
    }

    /// `service`'s rate limit in requests per second, if it has one.
    pub fn rate_limit(&self, service: Service) -> Option<f64> {
        self.shared.world().rate_limit(service)
    }

    /// The service and IAM requests answered so far (the last [`REQUEST_LOG_LIMIT`]).
    pub fn requests(&self) -> Vec<RequestRecord> {
        self.shared.world().requests()
    }

    /// Forgets the requests answered so far.
    pub fn clear_requests(&self) {
        self.shared.world().clear_requests();
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
