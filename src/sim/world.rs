//! The simulated world every request reads and the admin API changes: its clock and settings,
//! and one part per concern — credentials (`keyring`), instances, faults, the request log and
//! rate limits — each with its own methods. What needs the time gets it from here.

use super::error::SimError;
use super::fault::Faults;
use super::instances::{InstanceView, Instances};
use super::keyring::Keyring;
use super::log::RequestLog;
use super::scenario::{InstanceSpec, Outcome, Scenario};
use crate::auth::{Credentials, Secret};
use crate::bucket::TokenBucket;
use crate::clock::Clock;
use crate::endpoint::{PerService, Service};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// Each service's rate limit, if it has one: a token bucket on the simulator's clock.
#[derive(Default)]
pub(crate) struct RateLimits {
    buckets: PerService<Option<TokenBucket>>,
}

impl RateLimits {
    /// Limits `service` to `rate` requests per second (a checked rate), or lifts its limit.
    pub(crate) fn set(&mut self, service: Service, rate: Option<f64>) {
        *self.buckets.get_mut(service) = rate.map(TokenBucket::new);
    }

    /// `service`'s rate limit, if it has one.
    pub(crate) fn get(&self, service: Service) -> Option<f64> {
        self.buckets.get(service).as_ref().map(TokenBucket::rate)
    }

    /// Counts a request to `service` at `now` against its rate limit: `Err` with the time
    /// until the next one is allowed when it is over.
    pub(crate) fn take(&mut self, service: Service, now: Instant) -> Result<(), Duration> {
        match self.buckets.get_mut(service) {
            Some(bucket) => bucket.take(now),
            None => Ok(()),
        }
    }

    /// Full buckets at the same rates (a bucket's last instant belongs to one clock).
    fn restart(&mut self) {
        for service in Service::ALL {
            let rate = self.get(service);
            self.set(service, rate);
        }
    }
}

/// Everything the simulator knows. Not `Debug`: it holds credentials.
pub(crate) struct World {
    /// Where instants and calendar time come from (kept when a scenario replaces the world).
    clock: Arc<dyn Clock>,
    /// Seconds the simulator's calendar is ahead of the clock's wall time.
    clock_skew_s: i64,
    pub region: String,
    pub project_id: String,
    pub speed: f64,
    pub keys: Keyring,
    pub instances: Instances,
    pub faults: Faults,
    pub log: RequestLog,
    pub rate_limits: RateLimits,
}

impl World {
    /// A world as `scenario` describes it, on `clock`.
    pub(crate) fn new(scenario: &Scenario, clock: Arc<dyn Clock>) -> Result<World, SimError> {
        scenario.check()?;
        let mut world = World {
            clock,
            clock_skew_s: scenario.clock_skew_s,
            region: scenario.region.clone(),
            project_id: scenario.project_id.clone(),
            speed: scenario.speed,
            keys: Keyring::new(scenario),
            instances: Instances::default(),
            faults: Faults::default(),
            log: RequestLog::default(),
            rate_limits: RateLimits::default(),
        };
        for (service, rate) in &scenario.rate_limits {
            world.rate_limits.set(*service, Some(*rate));
        }
        for (i, spec) in scenario.instances.iter().enumerate() {
            world
                .add_instance(spec)
                .map_err(|m| SimError::Invalid(format!("scenario: instances[{i}]: {m}")))?;
        }
        let mut number = 0u64;
        for (service, count) in &scenario.generate {
            for _ in 0..*count {
                number += 1;
                let spec = InstanceSpec::new(*service)
                    .name(format!("bulk-{number:05}"))
                    .outcome(Outcome::Steady);
                world
                    .add_instance(&spec)
                    .map_err(|m| SimError::Invalid(format!("scenario: generate: {m}")))?;
            }
        }
        for fault in &scenario.faults {
            world
                .faults
                .add(fault.clone())
                .map_err(|m| SimError::Invalid(format!("scenario: faults: {m}")))?;
        }
        Ok(world)
    }

    /// The clock's current instant: what lifecycles move by.
    pub(crate) fn now(&self) -> Instant {
        self.clock.now()
    }

    /// The simulator's calendar time: the clock's wall time plus the clock skew.
    pub(crate) fn calendar(&self) -> SystemTime {
        let wall = self.clock.wall_time();
        let skew = Duration::from_secs(self.clock_skew_s.unsigned_abs());
        if self.clock_skew_s >= 0 {
            wall.checked_add(skew).unwrap_or(wall)
        } else {
            wall.checked_sub(skew).unwrap_or(UNIX_EPOCH)
        }
    }

    /// The clock this world runs on.
    pub(crate) fn clock(&self) -> Arc<dyn Clock> {
        Arc::clone(&self.clock)
    }

    /// Moves to another clock; every instance keeps the simulated time it has lived so far,
    /// and the rate limits start afresh on it.
    pub(crate) fn set_clock(&mut self, clock: Arc<dyn Clock>) {
        self.instances
            .rebase(self.clock.now(), clock.now(), self.speed);
        self.clock = clock;
        self.rate_limits.restart();
    }

    pub(crate) fn clock_skew_s(&self) -> i64 {
        self.clock_skew_s
    }

    /// Sets the clock skew (a checked one).
    pub(crate) fn set_clock_skew(&mut self, seconds: i64) {
        self.clock_skew_s = seconds;
    }

    /// Adds an instance, its lifecycle starting now; its ID, or why it cannot be added.
    pub(crate) fn add_instance(&mut self, spec: &InstanceSpec) -> Result<String, String> {
        let (now, now_ms) = (self.now(), unix_ms(self.calendar()));
        self.instances.add(spec, now, now_ms)
    }

    /// Every instance's view now, in the order added.
    pub(crate) fn views(&self) -> Vec<InstanceView> {
        self.instances.views(self.now(), self.speed)
    }

    /// The view of instance `id` now.
    pub(crate) fn view(&self, id: &str) -> Option<InstanceView> {
        self.instances.view(id, self.now(), self.speed)
    }

    /// The client configuration document of `GET /_sim/config`.
    pub(crate) fn config_document(&self, base_url: &str) -> serde_json::Value {
        let credentials = match self.keys.client_credentials() {
            Some(Credentials::Token(token)) => serde_json::json!({ "token": token.expose() }),
            Some(Credentials::AkSk {
                ak,
                sk,
                security_token,
            }) => serde_json::json!({
                "ak": ak,
                "sk": sk.expose(),
                "security_token": security_token.as_ref().map(Secret::expose),
            }),
            Some(Credentials::IamPassword {
                user,
                password,
                domain,
            }) => serde_json::json!({ "iam_password": {
                "user": user, "password": password.expose(), "domain": domain,
            } }),
            Some(Credentials::Oidc {
                idp_id,
                id_token_file,
            }) => serde_json::json!({ "oidc": {
                "idp_id": idp_id, "id_token_file": id_token_file.display().to_string(),
            } }),
            None => serde_json::Value::Null,
        };
        serde_json::json!({
            "region": self.region,
            "project_id": self.project_id,
            "credentials": credentials,
            // The simulator is on loopback: a proxy from the environment must not be used.
            "proxy": "none",
            "endpoints": {
                "roma": base_url, "apig": base_url, "clouddc": base_url, "iam": base_url,
            },
        })
    }
}

/// Unix milliseconds of `at` (0 before 1970).
pub(crate) fn unix_ms(at: SystemTime) -> u64 {
    at.duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::{ManualClock, SystemClock};

    fn world() -> World {
        World::new(&Scenario::default(), Arc::new(SystemClock)).unwrap()
    }

    #[test]
    fn advance_moves_existing_instances_only() {
        let mut world = world();
        let hour = Duration::from_secs(3600);
        let spec = |id: &str| InstanceSpec::new(Service::Clouddc).id(id).step(hour);
        world.add_instance(&spec("old")).unwrap();
        world.instances.advance(hour);
        world.add_instance(&spec("new")).unwrap();
        assert_eq!(world.view("old").unwrap().step, 1);
        assert_eq!(
            world.view("old").unwrap().phase,
            crate::lifecycle::Phase::Running
        );
        assert_eq!(world.view("new").unwrap().step, 0);
        assert_eq!(
            world.view("new").unwrap().phase,
            crate::lifecycle::Phase::Pending
        );
    }

    #[test]
    fn the_calendar_is_the_clock_plus_the_skew() {
        let clock = Arc::new(ManualClock::new());
        let mut world = World::new(&Scenario::default().clock_skew(-60), clock.clone()).unwrap();
        let wall = clock.wall_time();
        assert_eq!(world.calendar(), wall - Duration::from_secs(60));
        world.set_clock_skew(1200);
        clock.advance(Duration::from_secs(7200));
        assert_eq!(world.calendar(), wall + Duration::from_secs(7200 + 1200));
    }

    #[test]
    fn a_new_clock_keeps_each_instances_progress() {
        let mut world = world();
        let hour = Duration::from_secs(3600);
        let spec = InstanceSpec::new(Service::Apig).id("a").step(hour);
        world.add_instance(&spec).unwrap();
        let clock = Arc::new(ManualClock::new());
        world.set_clock(clock.clone());
        assert_eq!(world.view("a").unwrap().step, 0);
        clock.advance(2 * hour);
        assert_eq!(world.view("a").unwrap().step, 2);
        world.set_clock(Arc::new(SystemClock));
        assert_eq!(world.view("a").unwrap().step, 2);
    }

    #[test]
    fn a_new_clock_restarts_the_rate_limits() {
        let mut world = world();
        world.rate_limits.set(Service::Apig, Some(1.0));
        let now = world.now();
        assert!(world.rate_limits.take(Service::Apig, now).is_ok());
        assert!(world.rate_limits.take(Service::Apig, now).is_err());
        world.set_clock(Arc::new(ManualClock::new()));
        let now = world.now();
        assert!(world.rate_limits.take(Service::Apig, now).is_ok());
        assert_eq!(world.rate_limits.get(Service::Apig), Some(1.0));
    }
}
