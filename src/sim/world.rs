//! The simulated world every request reads and the admin API changes: settings, credentials,
//! instances and where their lifecycles are, faults, IAM tokens, and the request log.
//!
//! Lifecycles are driven by time, not by requests: an instance's step is computed from when it
//! was added, its step length and the speed factor, whenever someone looks.

use super::error::SimError;
use super::fault::{Fault, FaultKind, Operation};
use super::scenario::{
    AccessKey, InstanceSpec, MetadataSpec, OidcSpec, Outcome, PodIdentity, Scenario, User,
};
use super::script::Script;
use super::secret::same;
use crate::auth::{Credentials, Secret};
use crate::bucket::TokenBucket;
use crate::clock::Clock;
use crate::endpoint::{PerService, Service};
use crate::lifecycle::Phase;
use serde::{Serialize, Serializer};
use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// How many requests the log keeps (the oldest are forgotten first).
pub const REQUEST_LOG_LIMIT: usize = 10_000;

/// How long an IAM token is valid.
pub(crate) const TOKEN_LIFETIME: Duration = Duration::from_secs(24 * 3600);

/// How many IAM-issued tokens are remembered before expired ones are dropped.
const ISSUED_TOKENS_SOFT_LIMIT: usize = 10_000;

/// How many temporary access keys (and, apart, metadata session tokens) are remembered: past
/// it, expired ones are dropped, then those that expire soonest.
pub(crate) const ISSUED_KEYS_LIMIT: usize = 10_000;

/// An instance as the simulator shows it to the admin API.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct InstanceView {
    /// Its service.
    #[serde(serialize_with = "service_name")]
    pub service: Service,
    /// Its ID.
    pub id: String,
    /// Its name.
    pub name: String,
    /// How its lifecycle ends.
    pub outcome: Outcome,
    /// The phase its current step maps to (what `Client::lifecycle` reports).
    pub phase: Phase,
    /// Its current step (0 is the first; the last step stays).
    pub step: usize,
}

fn service_name<S: Serializer>(service: &Service, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(service.name())
}

/// How a logged request authenticated (what it presented, checked or not).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum AuthKind {
    /// An `X-Auth-Token` header.
    Token,
    /// An `Authorization: SDK-HMAC-SHA256 ...` signature.
    Aksk,
    /// Neither (IAM password requests, or no credentials).
    None,
}

/// One service or IAM request the simulator answered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct RequestRecord {
    /// The method, e.g. `GET`.
    pub method: String,
    /// The path as received (still percent-encoded).
    pub path: String,
    /// The query as received, without `?` (empty when there is none).
    pub query: String,
    /// The API it called, when the path is one the simulator serves.
    pub operation: Option<Operation>,
    /// The instance its path names (decoded), if any.
    pub instance_id: Option<String>,
    /// How it authenticated.
    pub auth: AuthKind,
    /// The status it was answered with.
    pub status: u16,
    /// Whether it was answered 429 by the service's rate limit (not by a fault).
    pub rate_limited: bool,
}

/// A simulated instance.
pub(crate) struct Instance {
    pub service: Service,
    pub id: String,
    pub name: String,
    pub outcome: Outcome,
    pub step_ms: u64,
    /// Answers in the shapes real servers vary in rather than the documented types.
    pub undocumented_shapes: bool,
    added: Instant,
    /// Simulated time (ms) it was moved forward by `advance`, besides the clock's.
    advanced_ms: f64,
    /// When it was added, Unix milliseconds: its creation time in bodies.
    pub added_ms: u64,
}

/// Where an instance's script is at one moment.
pub(crate) struct Moment {
    pub index: usize,
    /// When the current step began (Unix milliseconds).
    pub since_ms: u64,
    /// When the last step was reached (Unix milliseconds), once it has been.
    pub ended_ms: Option<u64>,
}

impl Instance {
    pub(crate) fn script(&self) -> Script {
        Script::of(self.service, self.outcome)
    }

    /// Where the script is at `now` with simulated time running `speed` times faster.
    pub(crate) fn moment(&self, now: Instant, speed: f64) -> Moment {
        let last = self.script().last();
        if self.outcome == Outcome::Steady || self.step_ms == 0 {
            return Moment {
                index: last,
                since_ms: self.added_ms,
                ended_ms: Some(self.added_ms),
            };
        }
        let simulated_ms = now.saturating_duration_since(self.added).as_secs_f64() * 1000.0 * speed
            + self.advanced_ms;
        // A float-to-int cast saturates, so a huge speed cannot overflow.
        let index = ((simulated_ms / self.step_ms as f64) as usize).min(last);
        let wall_ms_of_step = |k: usize| {
            let simulated = (k as f64 * self.step_ms as f64 - self.advanced_ms).max(0.0);
            self.added_ms.saturating_add((simulated / speed) as u64)
        };
        Moment {
            index,
            since_ms: wall_ms_of_step(index),
            ended_ms: (index == last).then(|| wall_ms_of_step(last)),
        }
    }

    fn view(&self, now: Instant, speed: f64) -> InstanceView {
        let index = self.moment(now, speed).index;
        InstanceView {
            service: self.service,
            id: self.id.clone(),
            name: self.name.clone(),
            outcome: self.outcome,
            phase: self.script().phase(index),
            step: index,
        }
    }
}

/// A fault in force.
struct ActiveFault {
    id: u64,
    fault: Fault,
    /// Hits left (`None`: unlimited).
    left: Option<u32>,
}

/// What a fault makes of a request.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Hit {
    pub kind: FaultKind,
    pub retry_after_s: Option<u64>,
}

/// Temporary credentials the metadata service or the pod-identity endpoint issued.
pub(crate) struct TemporaryKey {
    pub sk: Secret,
    pub security_token: Secret,
    pub expires: SystemTime,
}

/// What a signature's access key gives the verifier.
pub(crate) struct SigningKey<'a> {
    pub sk: &'a Secret,
    pub security_token: Option<&'a Secret>,
    /// When a temporary key stops working (simulator calendar time).
    pub expires: Option<SystemTime>,
}

/// The OIDC identity provider IAM trusts, and the ID tokens it accepts.
pub(crate) struct Oidc {
    pub idp_id: String,
    /// The scenario's ID tokens, which never expire.
    lasting: Vec<Secret>,
    /// ID tokens issued since, and when they expire (simulator calendar time).
    issued: HashMap<String, SystemTime>,
}

impl Oidc {
    fn new(spec: &OidcSpec) -> Oidc {
        Oidc {
            idp_id: spec.idp_id.clone(),
            lasting: spec.id_tokens.clone(),
            issued: HashMap::new(),
        }
    }
}

/// Why an ID token is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum IdTokenRefusal {
    /// No identity provider has the IdP ID sent.
    NoSuchProvider,
    /// The provider did not issue the ID token.
    Unknown,
    /// The provider issued it, but it has expired.
    Expired,
}

/// Everything the simulator knows. Not `Debug`: it holds credentials.
pub(crate) struct World {
    /// Where instants and calendar time come from (kept when a scenario replaces the world).
    clock: Arc<dyn Clock>,
    /// Seconds the simulator's calendar is ahead of the clock's wall time.
    clock_skew_s: i64,
    pub metadata: MetadataSpec,
    pub pod_identity: Option<PodIdentity>,
    pub oidc: Option<Oidc>,
    /// Temporary keys by AK.
    temporary: HashMap<String, TemporaryKey>,
    /// How many temporary keys were issued in all.
    temporary_issued: usize,
    /// Metadata session tokens and when they expire.
    session_tokens: HashMap<String, SystemTime>,
    pub region: String,
    pub project_id: String,
    pub speed: f64,
    /// The scenario's tokens, in order (the first one goes into client configurations).
    scenario_tokens: Vec<Secret>,
    /// Every token accepted besides IAM's: the scenario's and those added since.
    tokens: HashSet<String>,
    access_keys: Vec<AccessKey>,
    users: Vec<User>,
    /// IAM-issued tokens and when they expire.
    issued: HashMap<String, SystemTime>,
    /// Instances in the order added (the list's order), and where each ID is.
    instances: BTreeMap<u64, Instance>,
    by_id: HashMap<String, u64>,
    /// The ROMA instances' keys in order: the list pages through them without a scan.
    roma: Vec<u64>,
    next_seq: u64,
    faults: Vec<ActiveFault>,
    next_fault_id: u64,
    requests: VecDeque<RequestRecord>,
    /// Each service's rate limit, if it has one.
    rate_limits: PerService<Option<TokenBucket>>,
}

impl World {
    /// A world as `scenario` describes it, on `clock`.
    pub(crate) fn new(scenario: &Scenario, clock: Arc<dyn Clock>) -> Result<World, SimError> {
        scenario.check()?;
        let mut world = World {
            clock,
            clock_skew_s: scenario.clock_skew_s,
            metadata: scenario.metadata.clone(),
            pod_identity: scenario.pod_identity.clone(),
            oidc: scenario.oidc.as_ref().map(Oidc::new),
            temporary: HashMap::new(),
            temporary_issued: 0,
            session_tokens: HashMap::new(),
            region: scenario.region.clone(),
            project_id: scenario.project_id.clone(),
            speed: scenario.speed,
            scenario_tokens: scenario.tokens.clone(),
            tokens: scenario
                .tokens
                .iter()
                .map(|t| t.expose().to_owned())
                .collect(),
            access_keys: scenario.access_keys.clone(),
            users: scenario.users.clone(),
            issued: HashMap::new(),
            instances: BTreeMap::new(),
            by_id: HashMap::new(),
            roma: Vec::new(),
            next_seq: 0,
            faults: Vec::new(),
            next_fault_id: 1,
            requests: VecDeque::new(),
            rate_limits: PerService::default(),
        };
        for (service, rate) in &scenario.rate_limits {
            world.set_rate_limit(*service, Some(*rate));
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
                .add_fault(fault.clone())
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

    /// Moves to another clock; every instance keeps the simulated time it has lived so far.
    pub(crate) fn set_clock(&mut self, clock: Arc<dyn Clock>) {
        let (old, new) = (self.clock.now(), clock.now());
        for instance in self.instances.values_mut() {
            instance.advanced_ms +=
                old.saturating_duration_since(instance.added).as_secs_f64() * 1000.0 * self.speed;
            instance.added = new;
        }
        self.clock = clock;
        // A bucket's last instant is of the old clock: start each afresh on the new one.
        for service in Service::ALL {
            let rate = self.rate_limit(service);
            self.set_rate_limit(service, rate);
        }
    }

    pub(crate) fn clock_skew_s(&self) -> i64 {
        self.clock_skew_s
    }

    /// Sets the clock skew (a checked one).
    pub(crate) fn set_clock_skew(&mut self, seconds: i64) {
        self.clock_skew_s = seconds;
    }

    /// Issues temporary credentials valid `lifetime` from now (simulator calendar time): the
    /// AK, SK, security token and expiry.
    pub(crate) fn issue_temporary_key(
        &mut self,
        lifetime: Duration,
    ) -> (String, Secret, Secret, SystemTime) {
        let now = self.calendar();
        make_room(&mut self.temporary, now, |key| key.expires);
        let ak = loop {
            let ak = random_text(20, UPPER_ALPHANUMERIC);
            if !self.temporary.contains_key(&ak) && self.access_key(&ak).is_none() {
                break ak;
            }
        };
        let sk = Secret::new(random_text(40, ALPHANUMERIC));
        // Real security tokens are long opaque strings (hundreds of characters).
        let security_token = Secret::new(format!("sim-{}", random_text(252, TOKEN_CHARACTERS)));
        let expires = now + lifetime;
        self.temporary.insert(
            ak.clone(),
            TemporaryKey {
                sk: sk.clone(),
                security_token: security_token.clone(),
                expires,
            },
        );
        self.temporary_issued += 1;
        (ak, sk, security_token, expires)
    }

    /// The secret keys and security tokens of the temporary keys still remembered, the
    /// metadata session tokens, the IAM tokens issued, and the OIDC ID tokens accepted.
    pub(crate) fn temporary_secrets(&self) -> Vec<String> {
        let id_tokens = self.oidc.iter().flat_map(|oidc| {
            oidc.lasting
                .iter()
                .map(|t| t.expose().to_owned())
                .chain(oidc.issued.keys().cloned())
        });
        self.temporary
            .values()
            .flat_map(|key| {
                [
                    key.sk.expose().to_owned(),
                    key.security_token.expose().to_owned(),
                ]
            })
            .chain(self.session_tokens.keys().cloned())
            .chain(self.issued.keys().cloned())
            .chain(id_tokens)
            .collect()
    }

    /// A new ID token of the OIDC identity provider, valid `lifetime` from now (simulator
    /// calendar time), and its expiry; `Err` when no provider is simulated.
    pub(crate) fn issue_id_token(
        &mut self,
        lifetime: Duration,
    ) -> Result<(String, SystemTime), String> {
        let now = self.calendar();
        let Some(oidc) = &mut self.oidc else {
            return Err("no OIDC identity provider is simulated (scenario oidc)".into());
        };
        make_room(&mut oidc.issued, now, |expires| *expires);
        // Opaque, as a client must treat it (real ones are JWTs).
        let token = format!("sim-idt-{}", random_text(96, TOKEN_CHARACTERS));
        let expires = now + lifetime;
        oidc.issued.insert(token.clone(), expires);
        Ok((token, expires))
    }

    /// Whether the identity provider `idp_id` accepts the ID token `token` now.
    pub(crate) fn check_id_token(&self, idp_id: &str, token: &str) -> Result<(), IdTokenRefusal> {
        let oidc = self
            .oidc
            .as_ref()
            .filter(|oidc| oidc.idp_id == idp_id)
            .ok_or(IdTokenRefusal::NoSuchProvider)?;
        let lasting = oidc
            .lasting
            .iter()
            .any(|t| same(t.expose().as_bytes(), token.as_bytes()));
        if lasting {
            return Ok(());
        }
        match oidc.issued.get(token) {
            Some(expires) if self.calendar() < *expires => Ok(()),
            Some(_) => Err(IdTokenRefusal::Expired),
            None => Err(IdTokenRefusal::Unknown),
        }
    }

    /// How many temporary keys were issued since the world was made.
    pub(crate) fn temporary_issued(&self) -> usize {
        self.temporary_issued
    }

    /// A new metadata session token valid `ttl` from now (simulator calendar time).
    pub(crate) fn issue_session_token(&mut self, ttl: Duration) -> String {
        let now = self.calendar();
        make_room(&mut self.session_tokens, now, |expires| *expires);
        let token = format!("sim-meta-{}", random_text(48, TOKEN_CHARACTERS));
        self.session_tokens.insert(token.clone(), now + ttl);
        token
    }

    /// Whether the metadata session token `token` is known and not expired.
    pub(crate) fn session_token_valid(&self, token: &str) -> bool {
        let now = self.calendar();
        self.session_tokens
            .get(token)
            .is_some_and(|expires| now < *expires)
    }

    /// Adds an instance; its ID, or why it cannot be added.
    pub(crate) fn add_instance(&mut self, spec: &InstanceSpec) -> Result<String, String> {
        spec.check()?;
        let id = match &spec.id {
            Some(id) if self.by_id.contains_key(id) => {
                return Err(format!("an instance with id {id:?} already exists"))
            }
            Some(id) => id.clone(),
            None => loop {
                let id = fresh_id();
                if !self.by_id.contains_key(&id) {
                    break id;
                }
            },
        };
        let name = spec
            .name
            .clone()
            .unwrap_or_else(|| format!("{}-{id}", spec.service.name()));
        let seq = self.next_seq;
        self.next_seq += 1;
        self.by_id.insert(id.clone(), seq);
        if spec.service == Service::Roma {
            self.roma.push(seq);
        }
        self.instances.insert(
            seq,
            Instance {
                service: spec.service,
                id: id.clone(),
                name,
                outcome: spec.outcome,
                step_ms: u64::try_from(spec.step.as_millis()).unwrap_or(u64::MAX),
                undocumented_shapes: spec.undocumented_shapes,
                added: self.now(),
                advanced_ms: 0.0,
                added_ms: unix_ms(self.calendar()),
            },
        );
        Ok(id)
    }

    /// Removes an instance; whether it existed.
    pub(crate) fn remove_instance(&mut self, id: &str) -> bool {
        let Some(seq) = self.by_id.remove(id) else {
            return false;
        };
        // Keys only grow, so the list's keys are sorted.
        if let Ok(position) = self.roma.binary_search(&seq) {
            self.roma.remove(position);
        }
        self.instances.remove(&seq).is_some()
    }

    /// The instance `id`, if it belongs to `service`.
    pub(crate) fn instance(&self, service: Service, id: &str) -> Option<&Instance> {
        let instance = self.instances.get(self.by_id.get(id)?)?;
        (instance.service == service).then_some(instance)
    }

    /// Every instance's view, in the order added.
    pub(crate) fn views(&self, now: Instant) -> Vec<InstanceView> {
        self.instances
            .values()
            .map(|i| i.view(now, self.speed))
            .collect()
    }

    /// The view of instance `id`.
    pub(crate) fn view(&self, id: &str, now: Instant) -> Option<InstanceView> {
        let instance = self.instances.get(self.by_id.get(id)?)?;
        Some(instance.view(now, self.speed))
    }

    /// ROMA instances whose list status is `status` (any case; all when `None`): how many
    /// there are, and `limit` of them from `offset` on.
    pub(crate) fn roma_page(
        &self,
        status: Option<&str>,
        offset: usize,
        limit: usize,
        now: Instant,
    ) -> (usize, Vec<(&Instance, Moment)>) {
        let Some(wanted) = status else {
            let page = self
                .roma
                .get(offset..)
                .unwrap_or_default()
                .iter()
                .take(limit)
                .filter_map(|seq| self.instances.get(seq))
                .map(|i| (i, i.moment(now, self.speed)))
                .collect();
            return (self.roma.len(), page);
        };
        let roma = self.roma.iter().filter_map(|seq| self.instances.get(seq));
        let mut total = 0;
        let mut page = Vec::new();
        for instance in roma {
            let moment = instance.moment(now, self.speed);
            let Script::Roma(steps) = instance.script() else {
                continue;
            };
            if !steps[moment.index].list.eq_ignore_ascii_case(wanted) {
                continue;
            }
            if total >= offset && page.len() < limit {
                page.push((instance, moment));
            }
            total += 1;
        }
        (total, page)
    }

    /// Lets `by` of simulated time pass at once for every instance there is.
    pub(crate) fn advance(&mut self, by: Duration) {
        let ms = by.as_secs_f64() * 1000.0;
        for instance in self.instances.values_mut() {
            instance.advanced_ms += ms;
        }
    }

    /// Adds a fault after those in force; its ID.
    pub(crate) fn add_fault(&mut self, fault: Fault) -> Result<u64, String> {
        fault.check()?;
        let id = self.next_fault_id;
        self.next_fault_id += 1;
        self.faults.push(ActiveFault {
            id,
            left: fault.times,
            fault,
        });
        Ok(id)
    }

    pub(crate) fn clear_faults(&mut self) {
        self.faults.clear();
    }

    /// The first fault in force that matches a request, counted as hit (and dropped when
    /// spent).
    pub(crate) fn take_fault(
        &mut self,
        operation: Operation,
        instance_id: Option<&str>,
    ) -> Option<Hit> {
        let position = self
            .faults
            .iter()
            .position(|f| f.fault.matches(operation, instance_id))?;
        let active = &mut self.faults[position];
        let hit = Hit {
            kind: active.fault.kind,
            retry_after_s: active.fault.retry_after_s,
        };
        if let Some(left) = &mut active.left {
            *left -= 1;
            if *left == 0 {
                self.faults.remove(position);
            }
        }
        Some(hit)
    }

    /// The IDs of the faults in force, in order.
    #[cfg(test)]
    pub(crate) fn fault_ids(&self) -> Vec<u64> {
        self.faults.iter().map(|f| f.id).collect()
    }

    /// Removes the fault `id`; whether it was in force.
    pub(crate) fn remove_fault(&mut self, id: u64) -> bool {
        let before = self.faults.len();
        self.faults.retain(|f| f.id != id);
        self.faults.len() < before
    }

    /// Accepts another token.
    pub(crate) fn add_token(&mut self, token: &str) -> Result<(), String> {
        if !super::scenario::header_safe(token) {
            return Err(
                "the token must be 1 or more visible ASCII characters (it is sent in a header)"
                    .into(),
            );
        }
        self.tokens.insert(token.to_owned());
        Ok(())
    }

    /// Whether `token` is accepted at `now`.
    pub(crate) fn token_valid(&self, token: &str, now: SystemTime) -> bool {
        self.tokens.contains(token) || self.issued.get(token).is_some_and(|expiry| now < *expiry)
    }

    /// A new IAM token, valid for [`TOKEN_LIFETIME`] from `now`.
    pub(crate) fn issue_token(&mut self, now: SystemTime) -> (String, SystemTime) {
        if self.issued.len() >= ISSUED_TOKENS_SOFT_LIMIT {
            self.issued.retain(|_, expiry| now < *expiry);
        }
        let token = format!("sim-iam-{}", hex_digits(32));
        let expiry = now + TOKEN_LIFETIME;
        self.issued.insert(token.clone(), expiry);
        (token, expiry)
    }

    pub(crate) fn access_key(&self, ak: &str) -> Option<&AccessKey> {
        self.access_keys.iter().find(|k| k.ak == ak)
    }

    /// The key signatures by `ak` are checked with: a scenario's access key, or a temporary
    /// one issued (expired or not).
    pub(crate) fn signing_key(&self, ak: &str) -> Option<SigningKey<'_>> {
        if let Some(key) = self.access_key(ak) {
            return Some(SigningKey {
                sk: &key.sk,
                security_token: key.security_token.as_ref(),
                expires: None,
            });
        }
        self.temporary.get(ak).map(|key| SigningKey {
            sk: &key.sk,
            security_token: Some(&key.security_token),
            expires: Some(key.expires),
        })
    }

    /// The user of this name and domain, if the password is right.
    pub(crate) fn user(&self, name: &str, password: &str, domain: &str) -> Option<&User> {
        self.users
            .iter()
            .find(|u| u.user == name && u.domain == domain && u.password.expose() == password)
    }

    /// The credentials handed to clients: the first token, else the first access key, else
    /// the first IAM user.
    pub(crate) fn client_credentials(&self) -> Option<Credentials> {
        if let Some(token) = self.scenario_tokens.first() {
            return Some(Credentials::Token(token.clone()));
        }
        if let Some(key) = self.access_keys.first() {
            return Some(Credentials::AkSk {
                ak: key.ak.clone(),
                sk: key.sk.clone(),
                security_token: key.security_token.clone(),
            });
        }
        self.users.first().map(|u| {
            Credentials::iam_password(u.user.clone(), u.password.clone(), u.domain.clone())
        })
    }

    /// The client configuration document of `GET /_sim/config`.
    pub(crate) fn config_document(&self, base_url: &str) -> serde_json::Value {
        let credentials = match self.client_credentials() {
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

    /// Limits `service` to `rate` requests per second (a checked rate), or lifts its limit.
    pub(crate) fn set_rate_limit(&mut self, service: Service, rate: Option<f64>) {
        *self.rate_limits.get_mut(service) = rate.map(TokenBucket::new);
    }

    /// `service`'s rate limit, if it has one.
    pub(crate) fn rate_limit(&self, service: Service) -> Option<f64> {
        self.rate_limits
            .get(service)
            .as_ref()
            .map(TokenBucket::rate)
    }

    /// Counts a request to `service` at `now` against its rate limit: `Err` with the time
    /// until the next one is allowed when it is over.
    pub(crate) fn take_rate(&mut self, service: Service, now: Instant) -> Result<(), Duration> {
        match self.rate_limits.get_mut(service) {
            Some(bucket) => bucket.take(now),
            None => Ok(()),
        }
    }

    /// Logs a request, forgetting the oldest beyond [`REQUEST_LOG_LIMIT`].
    pub(crate) fn record(&mut self, record: RequestRecord) {
        if self.requests.len() >= REQUEST_LOG_LIMIT {
            self.requests.pop_front();
        }
        self.requests.push_back(record);
    }

    pub(crate) fn requests(&self) -> Vec<RequestRecord> {
        self.requests.iter().cloned().collect()
    }

    pub(crate) fn clear_requests(&mut self) {
        self.requests.clear();
    }
}

/// Unix milliseconds of `at` (0 before 1970).
pub(crate) fn unix_ms(at: SystemTime) -> u64 {
    at.duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

/// Keeps `map` under [`ISSUED_KEYS_LIMIT`] entries before one is added: drops what expired by
/// `now`, then, if it is still full, the entries that expire soonest.
fn make_room<V>(map: &mut HashMap<String, V>, now: SystemTime, expiry: impl Fn(&V) -> SystemTime) {
    if map.len() < ISSUED_KEYS_LIMIT {
        return;
    }
    map.retain(|_, v| now < expiry(v));
    if map.len() < ISSUED_KEYS_LIMIT {
        return;
    }
    let mut by_expiry: Vec<(SystemTime, String)> =
        map.iter().map(|(k, v)| (expiry(v), k.clone())).collect();
    by_expiry.sort();
    // Down to nine tenths, so that the next issues do not sort again.
    let excess = map.len() + 1 - ISSUED_KEYS_LIMIT * 9 / 10;
    for (_, key) in by_expiry.into_iter().take(excess) {
        map.remove(&key);
    }
}

const UPPER_ALPHANUMERIC: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
const ALPHANUMERIC: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const TOKEN_CHARACTERS: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// `n` characters drawn from `alphabet` (simulated credentials: not for real secrets).
fn random_text(n: usize, alphabet: &[u8]) -> String {
    (0..n)
        .map(|_| char::from(alphabet[fastrand::usize(..alphabet.len())]))
        .collect()
}

/// `n` random lower-case hex digits (not for secrets: IDs and request IDs).
pub(crate) fn hex_digits(n: usize) -> String {
    (0..n)
        .map(|_| char::from(b"0123456789abcdef"[fastrand::usize(..16)]))
        .collect()
}

/// A fresh UUID-like instance ID (`8-4-4-4-12` hex digits).
fn fresh_id() -> String {
    format!(
        "{}-{}-4{}-{}{}-{}",
        hex_digits(8),
        hex_digits(4),
        hex_digits(3),
        char::from(b"89ab"[fastrand::usize(..4)]),
        hex_digits(3),
        hex_digits(12)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::{ManualClock, SystemClock};

    fn world() -> World {
        World::new(&Scenario::default(), Arc::new(SystemClock)).unwrap()
    }

    #[test]
    fn faults_are_spent_in_order() {
        let mut world = world();
        let a = world.add_fault(Fault::status(500).times(1)).unwrap();
        let b = world.add_fault(Fault::status(503)).unwrap();
        assert_eq!(world.fault_ids(), vec![a, b]);
        let hit = |w: &mut World| w.take_fault(Operation::RomaList, None).map(|h| h.kind);
        assert_eq!(hit(&mut world), Some(FaultKind::Status(500)));
        assert_eq!(hit(&mut world), Some(FaultKind::Status(503)));
        assert_eq!(hit(&mut world), Some(FaultKind::Status(503)));
        assert_eq!(world.fault_ids(), vec![b]);
    }

    #[test]
    fn steps_follow_time_and_speed() {
        let mut world =
            World::new(&Scenario::default().speed(10.0), Arc::new(SystemClock)).unwrap();
        world
            .add_instance(
                &InstanceSpec::new(Service::Apig)
                    .id("a")
                    .step(Duration::from_millis(1000)),
            )
            .unwrap();
        let instance = world.instance(Service::Apig, "a").unwrap();
        let at = |ms: u64| instance.moment(instance.added + Duration::from_millis(ms), 10.0);
        assert_eq!(at(0).index, 0);
        assert_eq!(at(99).index, 0);
        assert_eq!(at(100).index, 1);
        assert_eq!(at(450).index, 4);
        assert_eq!(at(100_000).index, 4);
        assert!(at(450).ended_ms.is_some() && at(350).ended_ms.is_none());
        assert!(world.instance(Service::Roma, "a").is_none());
    }

    #[test]
    fn advance_moves_existing_instances_only() {
        let mut world = world();
        let hour = Duration::from_secs(3600);
        let spec = |id: &str| InstanceSpec::new(Service::Clouddc).id(id).step(hour);
        world.add_instance(&spec("old")).unwrap();
        world.advance(hour);
        world.add_instance(&spec("new")).unwrap();
        let now = world.now();
        assert_eq!(world.view("old", now).unwrap().step, 1);
        assert_eq!(world.view("old", now).unwrap().phase, Phase::Running);
        assert_eq!(world.view("new", now).unwrap().step, 0);
        assert_eq!(world.view("new", now).unwrap().phase, Phase::Pending);
    }

    #[test]
    fn the_request_log_is_bounded() {
        let mut world = world();
        for status in 0..REQUEST_LOG_LIMIT + 5 {
            world.record(RequestRecord {
                method: "GET".into(),
                path: "/".into(),
                query: String::new(),
                operation: None,
                instance_id: None,
                auth: AuthKind::None,
                status: status as u16,
                rate_limited: false,
            });
        }
        let requests = world.requests();
        assert_eq!(requests.len(), REQUEST_LOG_LIMIT);
        assert_eq!(requests[0].status, 5);
    }

    #[test]
    fn fresh_ids_are_path_safe() {
        for _ in 0..100 {
            let id = fresh_id();
            assert_eq!(id.len(), 36);
            assert!(crate::id::id_problem(&id).is_none(), "{id}");
        }
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
        assert_eq!(world.view("a", world.now()).unwrap().step, 0);
        clock.advance(2 * hour);
        assert_eq!(world.view("a", world.now()).unwrap().step, 2);
        world.set_clock(Arc::new(SystemClock));
        assert_eq!(world.view("a", world.now()).unwrap().step, 2);
    }

    #[test]
    fn temporary_keys_expire_and_stay_bounded() {
        let clock = Arc::new(ManualClock::new());
        let mut world = World::new(&Scenario::default(), clock.clone()).unwrap();
        let (ak, sk, token, expires) = world.issue_temporary_key(Duration::from_secs(60));
        assert_eq!(ak.len(), 20);
        assert!(ak.bytes().all(|b| UPPER_ALPHANUMERIC.contains(&b)));
        assert_eq!(sk.expose().len(), 40);
        assert!(token.expose().len() >= 200);
        assert_eq!(expires, world.calendar() + Duration::from_secs(60));
        let key = world.signing_key(&ak).unwrap();
        assert_eq!(key.sk, &sk);
        assert_eq!(key.security_token, Some(&token));
        for _ in 0..ISSUED_KEYS_LIMIT + 10 {
            world.issue_temporary_key(Duration::from_secs(3600));
        }
        assert!(world.temporary.len() <= ISSUED_KEYS_LIMIT);
        assert_eq!(world.temporary_issued(), ISSUED_KEYS_LIMIT + 11);
        // The first key expired first, so it went first.
        assert!(world.signing_key(&ak).is_none());
        assert!(world
            .signing_key("sim-ak")
            .is_some_and(|k| k.expires.is_none()));
    }

    #[test]
    fn session_tokens_expire_on_the_clock() {
        let clock = Arc::new(ManualClock::new());
        let mut world = World::new(&Scenario::default(), clock.clone()).unwrap();
        let token = world.issue_session_token(Duration::from_secs(10));
        assert!(world.session_token_valid(&token));
        assert!(!world.session_token_valid("other"));
        clock.advance(Duration::from_secs(10));
        assert!(!world.session_token_valid(&token));
    }
}
