//! What a simulator starts with: settings, credentials, instances and faults, built in Rust or
//! read from the scenario JSON of `docs/simulator.md`.
//!
//! The JSON is read into private documents (every key optional, unknown keys refused) and then
//! checked; the documents hold secrets as plain strings, so none of them is `Debug`.

use super::error::{decode, SimError};
use super::fault::{Fault, FaultDocument};
use crate::auth::Secret;
use crate::endpoint::Service;
use serde::{Deserialize, Serialize};
use std::collections::HashSet;
use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

/// The most instances `generate` may add in all.
pub const MAX_GENERATED: u64 = 100_000;

/// How long an instance stays at each step of its lifecycle by default (simulated time).
pub const DEFAULT_STEP: Duration = Duration::from_millis(1000);

/// How an instance's lifecycle ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    /// `"success"`: created step by step, then running.
    #[default]
    Success,
    /// `"fail"`: a few creation steps, then failed with the service's error.
    Fail,
    /// `"steady"`: running from the start.
    Steady,
    /// `"flap"`: created, shown running for one step, back to creating for one, then running
    /// for good (a status that flaps right after creation).
    Flap,
}

impl Outcome {
    /// The outcome's name in scenario documents, e.g. `"fail"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Success => "success",
            Outcome::Fail => "fail",
            Outcome::Steady => "steady",
            Outcome::Flap => "flap",
        }
    }
}

impl FromStr for Outcome {
    type Err = SimError;

    fn from_str(name: &str) -> Result<Outcome, SimError> {
        [
            Outcome::Success,
            Outcome::Fail,
            Outcome::Steady,
            Outcome::Flap,
        ]
        .into_iter()
        .find(|o| o.as_str() == name)
        .ok_or_else(|| {
            SimError::Invalid(format!(
                "unknown outcome {name:?}; outcomes are \"success\", \"fail\", \"steady\", \
                     \"flap\""
            ))
        })
    }
}

/// One simulated instance.
///
/// ```
/// use std::time::Duration;
/// use hwinst::Service;
/// use hwinst::sim::{InstanceSpec, Outcome};
///
/// let spec = InstanceSpec::new(Service::Apig)
///     .id("gw-1")
///     .outcome(Outcome::Fail)
///     .step(Duration::from_millis(200));
/// assert_eq!(spec, InstanceSpec::from_json(
///     r#"{"service":"apig","id":"gw-1","outcome":"fail","step_ms":200}"#)?);
/// # Ok::<_, hwinst::sim::SimError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[must_use]
pub struct InstanceSpec {
    pub(crate) service: Service,
    pub(crate) id: Option<String>,
    pub(crate) name: Option<String>,
    pub(crate) outcome: Outcome,
    pub(crate) step: Duration,
    pub(crate) undocumented_shapes: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, expecting = "an instance object")]
pub(crate) struct InstanceDocument {
    service: Service,
    id: Option<String>,
    name: Option<String>,
    outcome: Option<Outcome>,
    step_ms: Option<u64>,
    /// `quirks` is its former name, still read so that older scenarios keep working.
    #[serde(alias = "quirks")]
    undocumented_shapes: Option<bool>,
}

impl From<InstanceDocument> for InstanceSpec {
    fn from(doc: InstanceDocument) -> InstanceSpec {
        InstanceSpec {
            service: doc.service,
            id: doc.id,
            name: doc.name,
            outcome: doc.outcome.unwrap_or_default(),
            step: doc.step_ms.map_or(DEFAULT_STEP, Duration::from_millis),
            undocumented_shapes: doc.undocumented_shapes.unwrap_or(false),
        }
    }
}

impl InstanceSpec {
    /// An instance of `service` with a fresh ID, outcome `success`, a step of 1 s, answering
    /// with the documented types.
    pub fn new(service: Service) -> InstanceSpec {
        InstanceSpec {
            service,
            id: None,
            name: None,
            outcome: Outcome::Success,
            step: DEFAULT_STEP,
            undocumented_shapes: false,
        }
    }

    /// Reads `{"service":"apig","id":"...","name":"...","outcome":"success","step_ms":1000,
    /// "undocumented_shapes":false}` (only `service` is required; unknown keys are refused;
    /// `quirks` is read as the former name of `undocumented_shapes`).
    pub fn from_json(json: &str) -> Result<InstanceSpec, SimError> {
        let doc: InstanceDocument = decode("instance", json, &[])?;
        let spec = InstanceSpec::from(doc);
        spec.check().map_err(SimError::Invalid)?;
        Ok(spec)
    }

    /// The instance's ID (default: a fresh UUID-like ID). It must be usable as a path segment,
    /// by the same rule as the client's.
    pub fn id(mut self, id: impl Into<String>) -> InstanceSpec {
        self.id = Some(id.into());
        self
    }

    /// The instance's name (default: the service and the ID, e.g. `apig-gw-1`).
    pub fn name(mut self, name: impl Into<String>) -> InstanceSpec {
        self.name = Some(name.into());
        self
    }

    /// How its lifecycle ends (default [`Outcome::Success`]).
    pub fn outcome(mut self, outcome: Outcome) -> InstanceSpec {
        self.outcome = outcome;
        self
    }

    /// How long it stays at each step, in simulated time (default 1 s; zero jumps straight to
    /// the last step).
    pub fn step(mut self, step: Duration) -> InstanceSpec {
        self.step = step;
        self
    }

    /// Whether it answers in the shapes real servers are known to vary in rather than with the
    /// types its document gives (default `false`): APIG `progress` and ROMA details'
    /// `instance_status`/`bandwidth_size` as strings, the AZ lists documented as strings
    /// (`/process` `availableZones`, details' `available_zone_ids`) as JSON arrays, `/process`
    /// status words in lower case. For testing a client's tolerance (`docs/simulator.md`).
    pub fn undocumented_shapes(mut self, undocumented_shapes: bool) -> InstanceSpec {
        self.undocumented_shapes = undocumented_shapes;
        self
    }

    /// The former name of [`InstanceSpec::undocumented_shapes`].
    #[deprecated(note = "renamed `undocumented_shapes`")]
    pub fn quirks(self, quirks: bool) -> InstanceSpec {
        self.undocumented_shapes(quirks)
    }

    /// The service the instance belongs to.
    pub fn service(&self) -> Service {
        self.service
    }

    /// What is wrong with this spec, naming the field.
    pub(crate) fn check(&self) -> Result<(), String> {
        if let Some(id) = &self.id {
            if let Some(problem) = crate::id::id_problem(id) {
                return Err(format!("instance id {id:?} {problem}"));
            }
        }
        if let Some(name) = &self.name {
            if name.trim().is_empty() || name.len() > 255 || name.chars().any(char::is_control) {
                return Err(format!(
                    "instance name {name:?} must be 1 to 255 bytes without control characters"
                ));
            }
        }
        Ok(())
    }
}

/// An access key the simulator accepts signatures from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessKey {
    pub(crate) ak: String,
    pub(crate) sk: Secret,
    pub(crate) security_token: Option<Secret>,
}

impl AccessKey {
    /// A permanent key: requests signed with `sk` under the name `ak`.
    pub fn new(ak: impl Into<String>, sk: impl Into<Secret>) -> AccessKey {
        AccessKey {
            ak: ak.into(),
            sk: sk.into(),
            security_token: None,
        }
    }

    /// A temporary key: requests must also carry `X-Security-Token: security_token`.
    pub fn temporary(
        ak: impl Into<String>,
        sk: impl Into<Secret>,
        security_token: impl Into<Secret>,
    ) -> AccessKey {
        AccessKey {
            security_token: Some(security_token.into()),
            ..AccessKey::new(ak, sk)
        }
    }
}

/// An IAM user that may get tokens with its password.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub(crate) user: String,
    pub(crate) password: Secret,
    pub(crate) domain: String,
}

impl User {
    /// The user `user` of the account (domain) `domain`.
    pub fn new(
        user: impl Into<String>,
        password: impl Into<Secret>,
        domain: impl Into<String>,
    ) -> User {
        User {
            user: user.into(),
            password: password.into(),
            domain: domain.into(),
        }
    }
}

/// The longest a simulated metadata session token may live (6 hours, as on ECS).
pub const MAX_SESSION_TOKEN_TTL: Duration = Duration::from_secs(21_600);

/// The longest temporary credentials may live (a day, as IAM allows).
pub const MAX_CREDENTIAL_LIFETIME: Duration = Duration::from_secs(24 * 3600);

/// The largest clock skew a scenario may set, either way (a year).
pub const MAX_SIMULATED_SKEW_S: i64 = 365 * 24 * 3600;

/// How the simulated ECS metadata service answers (`PUT /meta-data/latest/api/token`, `GET
/// /openstack/latest/securitykey`).
///
/// The default is a VM with an agency attached: session tokens supported but not required,
/// temporary credentials valid an hour.
///
/// ```
/// use std::time::Duration;
/// use hwinst::sim::{MetadataSpec, Scenario};
///
/// let spec = MetadataSpec::default()
///     .lifetime(Duration::from_secs(900))
///     .require_session_token(true);
/// let scenario = Scenario::default().metadata(spec);
/// let same = Scenario::from_json(
///     r#"{"metadata": {"lifetime_s": 900, "require_session_token": true}}"#)?;
/// assert_eq!(format!("{scenario:?}"), format!("{same:?}"));
/// # Ok::<_, hwinst::sim::SimError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[must_use]
pub struct MetadataSpec {
    pub(crate) agency: bool,
    pub(crate) lifetime: Duration,
    pub(crate) session_tokens: bool,
    pub(crate) require_session_token: bool,
}

impl Default for MetadataSpec {
    fn default() -> MetadataSpec {
        MetadataSpec {
            agency: true,
            lifetime: Duration::from_secs(3600),
            session_tokens: true,
            require_session_token: false,
        }
    }
}

impl MetadataSpec {
    /// Whether the VM has a cloud service agency (default `true`); without one the security
    /// key is refused with 401 `Please configure Cloud Service Agency first`.
    pub fn agency(mut self, agency: bool) -> MetadataSpec {
        self.agency = agency;
        self
    }

    /// How long the temporary credentials it issues are valid, in simulator time (default an
    /// hour; 1 s to a day, whole seconds).
    pub fn lifetime(mut self, lifetime: Duration) -> MetadataSpec {
        self.lifetime = lifetime;
        self
    }

    /// Whether session tokens are supported (default `true`); without them the token `PUT`
    /// is 404 and `X-Metadata-Token` is ignored.
    pub fn session_tokens(mut self, supported: bool) -> MetadataSpec {
        self.session_tokens = supported;
        self
    }

    /// Whether the security key needs a session token (default `false`); without one it is a
    /// 401 (of the expired-token kind).
    pub fn require_session_token(mut self, required: bool) -> MetadataSpec {
        self.require_session_token = required;
        self
    }

    fn check(&self) -> Result<(), String> {
        check_lifetime("metadata.lifetime_s", self.lifetime)?;
        if self.require_session_token && !self.session_tokens {
            return Err(
                "metadata.require_session_token needs metadata.session_tokens to be true".into(),
            );
        }
        Ok(())
    }
}

/// The simulated CCE pod-identity endpoint: the token its callers present and how long the
/// credentials it issues last.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PodIdentity {
    pub token: Secret,
    pub lifetime: Duration,
}

/// The OIDC identity provider IAM trusts in the simulation (federated identities: CI systems,
/// CCE workload identity): `POST /v3.0/OS-AUTH/id-token/tokens` with `X-Idp-Id: {idp_id}` and
/// one of its ID tokens gets an IAM token, which `POST /v3.0/OS-CREDENTIAL/securitytokens`
/// turns into temporary AK/SK.
///
/// The default is the provider `sim-idp` accepting the ID token `sim-id-token` (which never
/// expires). More ID tokens that expire in simulator time come from
/// [`Simulator::issue_id_token`](super::Simulator::issue_id_token) or `POST /_sim/id_tokens`.
///
/// ```
/// use hwinst::sim::{OidcSpec, Scenario};
///
/// let scenario = Scenario::default().oidc(OidcSpec::new("ci-idp").id_token("jwt-1"));
/// let same = Scenario::from_json(
///     r#"{"oidc": {"idp_id": "ci-idp", "id_tokens": ["jwt-1"]}}"#)?;
/// assert_eq!(format!("{scenario:?}"), format!("{same:?}"));
/// # Ok::<_, hwinst::sim::SimError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[must_use]
pub struct OidcSpec {
    pub(crate) idp_id: String,
    pub(crate) id_tokens: Vec<Secret>,
}

impl Default for OidcSpec {
    fn default() -> OidcSpec {
        OidcSpec::new("sim-idp").id_token("sim-id-token")
    }
}

impl OidcSpec {
    /// The identity provider `idp_id`, accepting no ID token yet (issue some with
    /// [`Simulator::issue_id_token`](super::Simulator::issue_id_token)).
    pub fn new(idp_id: impl Into<String>) -> OidcSpec {
        OidcSpec {
            idp_id: idp_id.into(),
            id_tokens: Vec::new(),
        }
    }

    /// Accepts the ID token `token` (a secret), which never expires.
    pub fn id_token(mut self, token: impl Into<Secret>) -> OidcSpec {
        self.id_tokens.push(token.into());
        self
    }

    fn check(&self) -> Result<(), String> {
        if !header_safe(&self.idp_id) {
            return Err(format!("oidc.idp_id {HEADER_RULE}"));
        }
        for (i, token) in self.id_tokens.iter().enumerate() {
            if !header_safe(token.expose()) {
                return Err(format!(
                    "oidc.id_tokens[{i}] must be 1 or more visible ASCII characters (a token \
                     file's content, trimmed)"
                ));
            }
        }
        Ok(())
    }
}

/// How long an ID token issued through the admin API lives unless asked otherwise.
pub(crate) const DEFAULT_ID_TOKEN_LIFETIME_S: u64 = 3600;

/// What is wrong with a credential's lifetime, naming `what`.
pub(crate) fn check_lifetime(what: &str, lifetime: Duration) -> Result<(), String> {
    if lifetime < Duration::from_secs(1)
        || lifetime > MAX_CREDENTIAL_LIFETIME
        || lifetime.subsec_nanos() != 0
    {
        return Err(format!(
            "{what} must be a whole number of seconds from 1 to {}",
            MAX_CREDENTIAL_LIFETIME.as_secs()
        ));
    }
    Ok(())
}

/// Everything a simulator starts with.
///
/// The default serves region `cn-north-4`, project `0a1b2c3d4e5f`, accepts the token
/// `sim-token`, the access key `sim-ak`/`sim-sk` and the IAM user
/// `sim-user`/`sim-password`/`sim-domain`, and has no instances and no faults.
///
/// ```
/// use hwinst::Service;
/// use hwinst::sim::{InstanceSpec, Scenario};
///
/// let scenario = Scenario::default()
///     .speed(100.0)
///     .instance(InstanceSpec::new(Service::Roma).id("r1"))
///     .generate(Service::Roma, 3000);
/// let same = Scenario::from_json(r#"{"speed": 100, "instances": [{"service":"roma","id":"r1"}],
///     "generate": [{"service":"roma","count":3000}]}"#)?;
/// assert_eq!(format!("{scenario:?}"), format!("{same:?}"));
/// # Ok::<_, hwinst::sim::SimError>(())
/// ```
#[derive(Debug, Clone)]
#[must_use]
pub struct Scenario {
    pub(crate) region: String,
    pub(crate) project_id: String,
    pub(crate) speed: f64,
    pub(crate) tokens: Vec<Secret>,
    pub(crate) access_keys: Vec<AccessKey>,
    pub(crate) users: Vec<User>,
    pub(crate) instances: Vec<InstanceSpec>,
    pub(crate) generate: Vec<(Service, u64)>,
    pub(crate) faults: Vec<Fault>,
    pub(crate) rate_limits: Vec<(Service, f64)>,
    pub(crate) clock_skew_s: i64,
    pub(crate) metadata: MetadataSpec,
    pub(crate) pod_identity: Option<PodIdentity>,
    pub(crate) oidc: Option<OidcSpec>,
}

impl Default for Scenario {
    fn default() -> Scenario {
        Scenario {
            region: "cn-north-4".into(),
            project_id: "0a1b2c3d4e5f".into(),
            speed: 1.0,
            tokens: vec![Secret::new("sim-token")],
            access_keys: vec![AccessKey::new("sim-ak", "sim-sk")],
            users: vec![User::new("sim-user", "sim-password", "sim-domain")],
            instances: Vec::new(),
            generate: Vec::new(),
            faults: Vec::new(),
            rate_limits: Vec::new(),
            clock_skew_s: 0,
            metadata: MetadataSpec::default(),
            pod_identity: None,
            oidc: Some(OidcSpec::default()),
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, expecting = "a scenario object")]
struct ScenarioDocument {
    region: Option<String>,
    project_id: Option<String>,
    speed: Option<f64>,
    tokens: Option<Vec<String>>,
    access_keys: Option<Vec<AccessKeyDocument>>,
    users: Option<Vec<UserDocument>>,
    instances: Option<Vec<InstanceDocument>>,
    generate: Option<Vec<GenerateDocument>>,
    faults: Option<Vec<FaultDocument>>,
    rate_limits: Option<RateLimitsDocument>,
    clock_skew_s: Option<i64>,
    metadata: Option<MetadataDocument>,
    pod_identity: Option<PodIdentityDocument>,
    /// Absent: the default provider; `null`: none.
    #[serde(default, deserialize_with = "present")]
    oidc: Option<Option<OidcDocument>>,
}

/// A key that is present, even as `null` (`Some(None)`), told apart from an absent one (`None`).
fn present<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    T::deserialize(deserializer).map(Some)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, expecting = "an oidc object")]
struct OidcDocument {
    idp_id: String,
    id_tokens: Option<Vec<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, expecting = "a metadata object")]
struct MetadataDocument {
    agency: Option<bool>,
    lifetime_s: Option<u64>,
    session_tokens: Option<bool>,
    require_session_token: Option<bool>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, expecting = "a pod_identity object")]
struct PodIdentityDocument {
    token: String,
    lifetime_s: Option<u64>,
}

/// `{"clock_skew_s": N}`: the body of `POST /_sim/clock_skew`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ClockSkewDocument {
    pub clock_skew_s: i64,
}

/// What is wrong with a clock skew.
pub(crate) fn check_clock_skew(seconds: i64) -> Result<(), String> {
    if seconds.unsigned_abs() > MAX_SIMULATED_SKEW_S.unsigned_abs() {
        return Err(format!(
            "clock_skew_s {seconds} is more than a year ({MAX_SIMULATED_SKEW_S} s) either way"
        ));
    }
    Ok(())
}

/// `{"roma": 5, "apig": 20, "clouddc": 5}`: requests per second per service (the scenario's
/// `rate_limits`, and the body of `POST /_sim/rate_limits`).
#[derive(Deserialize)]
#[serde(
    deny_unknown_fields,
    expecting = "an object of requests per second per service"
)]
pub(crate) struct RateLimitsDocument {
    roma: Option<f64>,
    apig: Option<f64>,
    clouddc: Option<f64>,
}

impl RateLimitsDocument {
    /// Reads the document; `what` names it in errors.
    pub(crate) fn from_json(what: &str, json: &str) -> Result<Vec<(Service, f64)>, SimError> {
        let doc: RateLimitsDocument = decode(what, json, &[])?;
        let limits = doc.limits();
        check_rate_limits(&limits).map_err(|m| SimError::Invalid(format!("{what}: {m}")))?;
        Ok(limits)
    }

    fn limits(&self) -> Vec<(Service, f64)> {
        [
            (Service::Roma, self.roma),
            (Service::Apig, self.apig),
            (Service::Clouddc, self.clouddc),
        ]
        .into_iter()
        .filter_map(|(service, rate)| Some((service, rate?)))
        .collect()
    }
}

/// What is wrong with these limits, naming the service.
pub(crate) fn check_rate_limits(limits: &[(Service, f64)]) -> Result<(), String> {
    for (service, rate) in limits {
        if let Some(problem) = crate::bucket::check_rate(*rate) {
            return Err(format!("rate_limits.{service}: {problem}"));
        }
    }
    Ok(())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AccessKeyDocument {
    ak: String,
    sk: String,
    security_token: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct UserDocument {
    user: String,
    password: String,
    domain: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct GenerateDocument {
    service: Service,
    count: u64,
}

impl Scenario {
    /// Reads a scenario document (see `docs/simulator.md`): every key is optional (absent keys
    /// keep the defaults), unknown keys are refused with their path, and the result is checked
    /// as [`Simulator::start`](super::Simulator::start) would. No message repeats a secret.
    pub fn from_json(json: &str) -> Result<Scenario, SimError> {
        let secrets = secret_strings(json);
        let secrets: Vec<&str> = secrets.iter().map(String::as_str).collect();
        let doc: ScenarioDocument = decode("scenario", json, &secrets)?;
        let mut scenario = Scenario::default();
        if let Some(region) = doc.region {
            scenario.region = region;
        }
        if let Some(project_id) = doc.project_id {
            scenario.project_id = project_id;
        }
        if let Some(speed) = doc.speed {
            scenario.speed = speed;
        }
        if let Some(tokens) = doc.tokens {
            scenario.tokens = tokens.into_iter().map(Secret::new).collect();
        }
        if let Some(keys) = doc.access_keys {
            scenario.access_keys = keys
                .into_iter()
                .map(|k| AccessKey {
                    ak: k.ak,
                    sk: Secret::new(k.sk),
                    security_token: k.security_token.map(Secret::new),
                })
                .collect();
        }
        if let Some(users) = doc.users {
            scenario.users = users
                .into_iter()
                .map(|u| User::new(u.user, u.password, u.domain))
                .collect();
        }
        if let Some(instances) = doc.instances {
            scenario.instances = instances.into_iter().map(InstanceSpec::from).collect();
        }
        if let Some(generate) = doc.generate {
            scenario.generate = generate.into_iter().map(|g| (g.service, g.count)).collect();
        }
        if let Some(faults) = doc.faults {
            scenario.faults = faults
                .into_iter()
                .enumerate()
                .map(|(i, f)| {
                    Fault::try_from(f)
                        .map_err(|e| SimError::Invalid(format!("scenario: at `faults[{i}]`: {e}")))
                })
                .collect::<Result<_, _>>()?;
        }
        if let Some(limits) = doc.rate_limits {
            scenario.rate_limits = limits.limits();
        }
        if let Some(skew) = doc.clock_skew_s {
            scenario.clock_skew_s = skew;
        }
        if let Some(metadata) = doc.metadata {
            let defaults = MetadataSpec::default();
            scenario.metadata = MetadataSpec {
                agency: metadata.agency.unwrap_or(defaults.agency),
                lifetime: metadata
                    .lifetime_s
                    .map_or(defaults.lifetime, Duration::from_secs),
                session_tokens: metadata.session_tokens.unwrap_or(defaults.session_tokens),
                require_session_token: metadata
                    .require_session_token
                    .unwrap_or(defaults.require_session_token),
            };
        }
        if let Some(pod) = doc.pod_identity {
            scenario.pod_identity = Some(PodIdentity {
                token: Secret::new(pod.token),
                lifetime: Duration::from_secs(pod.lifetime_s.unwrap_or(3600)),
            });
        }
        if let Some(oidc) = doc.oidc {
            scenario.oidc = oidc.map(|o| OidcSpec {
                idp_id: o.idp_id,
                id_tokens: o
                    .id_tokens
                    .unwrap_or_default()
                    .into_iter()
                    .map(Secret::new)
                    .collect(),
            });
        }
        scenario.check()?;
        Ok(scenario)
    }

    /// Reads a scenario file (see [`from_json`](Self::from_json)).
    pub fn from_file(path: impl AsRef<Path>) -> Result<Scenario, SimError> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|source| SimError::Io {
            what: format!("cannot read the scenario file {}", path.display()),
            source,
        })?;
        Scenario::from_json(&text).map_err(|e| match e {
            SimError::Invalid(m) => SimError::Invalid(format!("{}: {m}", path.display())),
            other => other,
        })
    }

    /// The region (default `cn-north-4`): IAM's project look-up answers for it.
    pub fn region(mut self, region: impl Into<String>) -> Scenario {
        self.region = region.into();
        self
    }

    /// The project every path must carry (default `0a1b2c3d4e5f`).
    pub fn project_id(mut self, project_id: impl Into<String>) -> Scenario {
        self.project_id = project_id.into();
        self
    }

    /// How many times faster than the wall clock simulated time runs (default 1; finite and
    /// greater than zero).
    pub fn speed(mut self, speed: f64) -> Scenario {
        self.speed = speed;
        self
    }

    /// Accepts another token.
    pub fn token(mut self, token: impl Into<Secret>) -> Scenario {
        self.tokens.push(token.into());
        self
    }

    /// Accepts signatures by another access key.
    pub fn access_key(mut self, key: AccessKey) -> Scenario {
        self.access_keys.push(key);
        self
    }

    /// Accepts another IAM user.
    pub fn user(mut self, user: User) -> Scenario {
        self.users.push(user);
        self
    }

    /// Forgets every token, access key, user and OIDC ID token (the defaults included), so
    /// that only those added afterwards are accepted (the OIDC identity provider stays).
    pub fn no_credentials(mut self) -> Scenario {
        self.tokens.clear();
        self.access_keys.clear();
        self.users.clear();
        if let Some(oidc) = &mut self.oidc {
            oidc.id_tokens.clear();
        }
        self
    }

    /// Adds an instance.
    pub fn instance(mut self, spec: InstanceSpec) -> Scenario {
        self.instances.push(spec);
        self
    }

    /// Adds `count` steady instances of `service` named `bulk-00001`, `bulk-00002`, ... (at
    /// most [`MAX_GENERATED`] in all).
    pub fn generate(mut self, service: Service, count: u64) -> Scenario {
        self.generate.push((service, count));
        self
    }

    /// Adds a fault (faults apply in the order added).
    pub fn fault(mut self, fault: Fault) -> Scenario {
        self.faults.push(fault);
        self
    }

    /// Limits `service` to `per_second` requests per second (on the simulator's clock, in bursts of at
    /// most one second's worth): past it, requests are answered 429 with `Retry-After`.
    pub fn rate_limit(mut self, service: Service, per_second: f64) -> Scenario {
        self.rate_limits.retain(|(s, _)| *s != service);
        self.rate_limits.push((service, per_second));
        self
    }

    /// The simulator's calendar runs `seconds` ahead of the clock's wall time (behind when
    /// negative; default 0, at most a year either way): signatures dated more than 15 minutes
    /// off it are refused, and every answer's `Date` header shows it.
    pub fn clock_skew(mut self, seconds: i64) -> Scenario {
        self.clock_skew_s = seconds;
        self
    }

    /// How the ECS metadata service answers (default [`MetadataSpec::default`]: a VM with an
    /// agency).
    pub fn metadata(mut self, spec: MetadataSpec) -> Scenario {
        self.metadata = spec;
        self
    }

    /// Serves the CCE pod-identity endpoint ([`Simulator::pod_identity_url`]): a `POST` whose
    /// `Authorization` header is `token` gets temporary credentials valid `lifetime` (1 s to a
    /// day, whole seconds). Without it, the endpoint is a 404.
    ///
    /// [`Simulator::pod_identity_url`]: super::Simulator::pod_identity_url
    pub fn pod_identity(mut self, token: impl Into<Secret>, lifetime: Duration) -> Scenario {
        self.pod_identity = Some(PodIdentity {
            token: token.into(),
            lifetime,
        });
        self
    }

    /// The OIDC identity provider IAM trusts (default [`OidcSpec::default`]: `sim-idp`
    /// accepting `sim-id-token`), or with `None` none: the federated token API then answers
    /// 404 for every IdP ID.
    pub fn oidc(mut self, spec: impl Into<Option<OidcSpec>>) -> Scenario {
        self.oidc = spec.into();
        self
    }

    /// What is wrong with this scenario, naming the field.
    pub(crate) fn check(&self) -> Result<(), SimError> {
        let bad = |m: String| Err(SimError::Invalid(format!("scenario: {m}")));
        if self.region.is_empty()
            || self.region.len() > 64
            || !self
                .region
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        {
            return bad(format!(
                "region {:?} must be 1 to 64 letters, digits, `-` or `_`",
                self.region
            ));
        }
        if let Some(problem) = crate::id::id_problem(&self.project_id) {
            return bad(format!("project_id {:?} {problem}", self.project_id));
        }
        if !self.speed.is_finite() || self.speed <= 0.0 {
            return bad(format!(
                "speed {} must be a finite number greater than zero",
                self.speed
            ));
        }
        for (i, token) in self.tokens.iter().enumerate() {
            if !header_safe(token.expose()) {
                return bad(format!("tokens[{i}] {}", HEADER_RULE));
            }
        }
        let mut aks = HashSet::new();
        for (i, key) in self.access_keys.iter().enumerate() {
            if !header_safe(&key.ak) {
                return bad(format!("access_keys[{i}].ak {}", HEADER_RULE));
            }
            if !aks.insert(key.ak.as_str()) {
                return bad(format!("access_keys[{i}].ak {:?} is listed twice", key.ak));
            }
            if key.sk.expose().is_empty() {
                return bad(format!("access_keys[{i}].sk must not be empty"));
            }
            if key
                .security_token
                .as_ref()
                .is_some_and(|t| !header_safe(t.expose()))
            {
                return bad(format!("access_keys[{i}].security_token {}", HEADER_RULE));
            }
        }
        for (i, user) in self.users.iter().enumerate() {
            if user.user.is_empty() || user.domain.is_empty() || user.password.expose().is_empty() {
                return bad(format!(
                    "users[{i}]: user, password and domain must not be empty"
                ));
            }
        }
        let mut ids = HashSet::new();
        for (i, spec) in self.instances.iter().enumerate() {
            spec.check()
                .or_else(|m| bad(format!("instances[{i}]: {m}")))?;
            if let Some(id) = &spec.id {
                if !ids.insert(id.as_str()) {
                    return bad(format!(
                        "instances[{i}]: instance id {id:?} is listed twice"
                    ));
                }
            }
        }
        let generated = self
            .generate
            .iter()
            .fold(0u64, |sum, (_, count)| sum.saturating_add(*count));
        if generated > MAX_GENERATED {
            return bad(format!(
                "generate asks for {generated} instances, the limit is {MAX_GENERATED}"
            ));
        }
        for (i, fault) in self.faults.iter().enumerate() {
            fault
                .check()
                .or_else(|m| bad(format!("faults[{i}]: {m}")))?;
        }
        check_rate_limits(&self.rate_limits).or_else(bad)?;
        check_clock_skew(self.clock_skew_s).or_else(bad)?;
        self.metadata.check().or_else(bad)?;
        if let Some(pod) = &self.pod_identity {
            if !header_safe(pod.token.expose()) {
                return bad(format!("pod_identity.token {HEADER_RULE}"));
            }
            check_lifetime("pod_identity.lifetime_s", pod.lifetime).or_else(bad)?;
        }
        if let Some(oidc) = &self.oidc {
            oidc.check().or_else(bad)?;
        }
        Ok(())
    }
}

const HEADER_RULE: &str =
    "must be 1 or more visible ASCII characters (it is sent in an HTTP header)";

/// Whether `value` can be sent as a credential header as the client sends it.
pub(crate) fn header_safe(value: &str) -> bool {
    !value.is_empty() && value.bytes().all(|b| (0x21..=0x7e).contains(&b))
}

/// Every string under a key that holds a secret (`tokens`, `token`, `sk`, `security_token`,
/// `password`, `id_tokens`), so that a decoding error never quotes one.
fn secret_strings(json: &str) -> Vec<String> {
    fn walk(value: &serde_json::Value, secret: bool, out: &mut Vec<String>) {
        match value {
            serde_json::Value::String(s) if secret => out.push(s.clone()),
            serde_json::Value::Array(items) => {
                items.iter().for_each(|v| walk(v, secret, out));
            }
            serde_json::Value::Object(map) => {
                for (key, v) in map {
                    let secret = secret
                        || matches!(
                            key.as_str(),
                            "tokens" | "token" | "sk" | "security_token" | "password" | "id_tokens"
                        );
                    walk(v, secret, out);
                }
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    if let Ok(value) = serde_json::from_str::<serde_json::Value>(json) {
        walk(&value, false, &mut out);
    }
    out
}
