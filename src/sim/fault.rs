//! Faults: answers the simulator changes on purpose (an error status, a delay, a cut-short or
//! broken body, a lying list total), for the requests they match.

use super::error::{decode, SimError};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;
use std::time::Duration;

/// The statuses a `status` fault may answer.
pub const FAULT_STATUSES: [u16; 9] = [400, 401, 403, 404, 429, 500, 502, 503, 504];

/// The longest delay a `slow` fault may add.
pub const MAX_DELAY: Duration = Duration::from_secs(600);

/// The longest `Retry-After` a `status` fault may send (a day).
const MAX_RETRY_AFTER_S: u64 = 24 * 3600;

/// One of the APIs the simulator serves, as faults and the request log name them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Operation {
    /// `GET /v2/{project_id}/instances/{instance_id}/process` (ROMA creation progress).
    RomaProcess,
    /// `GET /v2/{project_id}/apigw/instances/{instance_id}/progress` (APIG progress).
    ApigProgress,
    /// `GET /v2/{project_id}/apic/instances/{instance_id}` (ROMA details).
    RomaInstance,
    /// `GET /v2/{project_id}/instances` (ROMA list).
    RomaList,
    /// `GET /v1/{project_id}/instances/{id}/status` (Cloud DC status).
    ClouddcStatus,
    /// `POST /v3/auth/tokens` (IAM token).
    IamTokens,
    /// `GET /v3/projects` (IAM project look-up).
    IamProjects,
    /// `PUT /meta-data/latest/api/token` (ECS metadata session token).
    MetadataToken,
    /// `GET /openstack/latest/securitykey` (ECS metadata temporary credentials).
    #[serde(rename = "metadata_securitykey")]
    MetadataSecurityKey,
    /// `POST /pod-identity/credentials` (CCE pod identity temporary credentials).
    PodIdentity,
    /// `POST /v3.0/OS-AUTH/id-token/tokens` (IAM token for an OIDC ID token).
    IamIdToken,
    /// `POST /v3.0/OS-CREDENTIAL/securitytokens` (IAM temporary credentials for a token).
    #[serde(rename = "iam_securitytokens")]
    IamSecurityTokens,
}

impl Operation {
    /// Every operation.
    pub const ALL: [Operation; 12] = [
        Operation::RomaProcess,
        Operation::ApigProgress,
        Operation::RomaInstance,
        Operation::RomaList,
        Operation::ClouddcStatus,
        Operation::IamTokens,
        Operation::IamProjects,
        Operation::MetadataToken,
        Operation::MetadataSecurityKey,
        Operation::PodIdentity,
        Operation::IamIdToken,
        Operation::IamSecurityTokens,
    ];

    /// The operation's name, e.g. `"apig_progress"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Operation::RomaProcess => "roma_process",
            Operation::ApigProgress => "apig_progress",
            Operation::RomaInstance => "roma_instance",
            Operation::RomaList => "roma_list",
            Operation::ClouddcStatus => "clouddc_status",
            Operation::IamTokens => "iam_tokens",
            Operation::IamProjects => "iam_projects",
            Operation::MetadataToken => "metadata_token",
            Operation::MetadataSecurityKey => "metadata_securitykey",
            Operation::PodIdentity => "pod_identity",
            Operation::IamIdToken => "iam_id_token",
            Operation::IamSecurityTokens => "iam_securitytokens",
        }
    }
}

impl fmt::Display for Operation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Operation {
    type Err = SimError;

    fn from_str(name: &str) -> Result<Operation, SimError> {
        Operation::ALL
            .into_iter()
            .find(|o| o.as_str() == name)
            .ok_or_else(|| {
                let names: Vec<String> = Operation::ALL
                    .iter()
                    .map(|o| format!("{:?}", o.as_str()))
                    .collect();
                SimError::Invalid(format!(
                    "unknown operation {name:?}; operations are {}",
                    names.join(", ")
                ))
            })
    }
}

/// What a fault does to the answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum FaultKind {
    /// Answer this status with the service's documented error body.
    Status(u16),
    /// Wait this long, then answer normally.
    Slow(Duration),
    /// Promise the whole body's `Content-Length`, send half of it, close the connection.
    Truncated,
    /// Answer 200 with a body that is not JSON.
    Malformed,
    /// The ROMA list's `total` says this instead of the truth.
    LyingTotal(u64),
}

/// A fault, and which requests it hits.
///
/// ```
/// use hwinst::sim::{Fault, Operation};
///
/// let fault = Fault::status(429).retry_after_s(1).instance("gw-1")
///     .operation(Operation::ApigProgress).times(2);
/// assert_eq!(fault, Fault::from_json(r#"{"kind":"status","status":429,"retry_after_s":1,
///     "instance_id":"gw-1","operation":"apig_progress","times":2}"#)?);
/// # Ok::<_, hwinst::sim::SimError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[must_use]
pub struct Fault {
    pub(crate) kind: FaultKind,
    pub(crate) retry_after_s: Option<u64>,
    pub(crate) instance_id: Option<String>,
    pub(crate) operation: Option<Operation>,
    pub(crate) times: Option<u32>,
}

#[derive(Deserialize)]
#[serde(rename_all = "snake_case")]
enum KindName {
    Status,
    Slow,
    Truncated,
    Malformed,
    LyingTotal,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, expecting = "a fault object")]
pub(crate) struct FaultDocument {
    kind: KindName,
    status: Option<u16>,
    retry_after_s: Option<u64>,
    delay_ms: Option<u64>,
    total: Option<u64>,
    instance_id: Option<String>,
    operation: Option<Operation>,
    times: Option<u32>,
}

impl TryFrom<FaultDocument> for Fault {
    type Error = String;

    /// The fault a document describes; the error names the field that does not fit its kind.
    fn try_from(doc: FaultDocument) -> Result<Fault, String> {
        let kind = match doc.kind {
            KindName::Status => FaultKind::Status(
                doc.status
                    .ok_or("a fault of kind \"status\" needs `status`")?,
            ),
            KindName::Slow => FaultKind::Slow(Duration::from_millis(
                doc.delay_ms
                    .ok_or("a fault of kind \"slow\" needs `delay_ms`")?,
            )),
            KindName::Truncated => FaultKind::Truncated,
            KindName::Malformed => FaultKind::Malformed,
            KindName::LyingTotal => FaultKind::LyingTotal(
                doc.total
                    .ok_or("a fault of kind \"lying_total\" needs `total`")?,
            ),
        };
        let stray = [
            (
                "status",
                doc.status.is_some() && !matches!(kind, FaultKind::Status(_)),
            ),
            (
                "delay_ms",
                doc.delay_ms.is_some() && !matches!(kind, FaultKind::Slow(_)),
            ),
            (
                "total",
                doc.total.is_some() && !matches!(kind, FaultKind::LyingTotal(_)),
            ),
        ];
        if let Some((field, _)) = stray.iter().find(|(_, stray)| *stray) {
            return Err(format!("`{field}` does not belong to a fault of this kind"));
        }
        let fault = Fault {
            kind,
            retry_after_s: doc.retry_after_s,
            instance_id: doc.instance_id,
            operation: doc.operation,
            times: doc.times,
        };
        fault.check()?;
        Ok(fault)
    }
}

impl Fault {
    fn new(kind: FaultKind) -> Fault {
        Fault {
            kind,
            retry_after_s: None,
            instance_id: None,
            operation: None,
            times: None,
        }
    }

    /// Answer `status` (400, 401, 403, 404, 429, 500, 502, 503 or 504) with the service's
    /// documented error body.
    pub fn status(status: u16) -> Fault {
        Fault::new(FaultKind::Status(status))
    }

    /// Wait `delay` (at most 10 minutes), then answer normally.
    pub fn slow(delay: Duration) -> Fault {
        Fault::new(FaultKind::Slow(delay))
    }

    /// Promise the whole body's `Content-Length`, send half of it and close the connection.
    pub fn truncated() -> Fault {
        Fault::new(FaultKind::Truncated)
    }

    /// Answer 200 with a body that is not JSON.
    pub fn malformed() -> Fault {
        Fault::new(FaultKind::Malformed)
    }

    /// The ROMA list's `total` says `total` (only list requests match this fault).
    pub fn lying_total(total: u64) -> Fault {
        Fault::new(FaultKind::LyingTotal(total))
    }

    /// Reads `{"kind":"status","status":429,"retry_after_s":1,"delay_ms":..,"total":..,
    /// "instance_id":"..","operation":"..","times":2}` (only `kind` and the field its kind
    /// needs are required; unknown keys are refused).
    pub fn from_json(json: &str) -> Result<Fault, SimError> {
        let doc: FaultDocument = decode("fault", json, &[])?;
        Fault::try_from(doc).map_err(|m| SimError::Invalid(format!("fault: {m}")))
    }

    /// For a 429 or 503 `status` fault: send `Retry-After: seconds`.
    pub fn retry_after_s(mut self, seconds: u64) -> Fault {
        self.retry_after_s = Some(seconds);
        self
    }

    /// Hit only requests naming this instance in their path.
    pub fn instance(mut self, instance_id: impl Into<String>) -> Fault {
        self.instance_id = Some(instance_id.into());
        self
    }

    /// Hit only requests of this operation.
    pub fn operation(mut self, operation: Operation) -> Fault {
        self.operation = Some(operation);
        self
    }

    /// Hit this many matching requests, then stop (default: every one until cleared).
    pub fn times(mut self, times: u32) -> Fault {
        self.times = Some(times);
        self
    }

    /// What the fault does.
    pub fn kind(&self) -> FaultKind {
        self.kind
    }

    /// What is wrong with this fault, naming the field.
    pub(crate) fn check(&self) -> Result<(), String> {
        match self.kind {
            FaultKind::Status(status) if !FAULT_STATUSES.contains(&status) => {
                return Err(format!(
                    "status {status} is not one a fault can answer ({FAULT_STATUSES:?})"
                ))
            }
            FaultKind::Slow(delay) if delay > MAX_DELAY => {
                return Err(format!(
                    "delay_ms {} is more than the limit of {} ms",
                    delay.as_millis(),
                    MAX_DELAY.as_millis()
                ))
            }
            FaultKind::LyingTotal(_)
                if self.operation.is_some_and(|op| op != Operation::RomaList) =>
            {
                return Err("a lying_total fault applies to the roma_list operation only".into())
            }
            _ => {}
        }
        if let Some(seconds) = self.retry_after_s {
            if !matches!(self.kind, FaultKind::Status(429 | 503)) {
                return Err("retry_after_s is only for a status fault of 429 or 503".into());
            }
            if seconds > MAX_RETRY_AFTER_S {
                return Err(format!(
                    "retry_after_s {seconds} is more than a day ({MAX_RETRY_AFTER_S})"
                ));
            }
        }
        if let Some(id) = &self.instance_id {
            if let Some(problem) = crate::id::id_problem(id) {
                return Err(format!("instance_id {id:?} {problem}"));
            }
        }
        if self.times == Some(0) {
            return Err("times must be at least 1 (leave it out for every request)".into());
        }
        Ok(())
    }

    /// Whether it hits a request of `operation` naming `instance_id`.
    pub(crate) fn matches(&self, operation: Operation, instance_id: Option<&str>) -> bool {
        let kind_applies =
            !matches!(self.kind, FaultKind::LyingTotal(_)) || operation == Operation::RomaList;
        kind_applies
            && self.operation.is_none_or(|op| op == operation)
            && self
                .instance_id
                .as_deref()
                .is_none_or(|id| instance_id == Some(id))
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

/// The faults in force, in the order added.
#[derive(Default)]
pub(crate) struct Faults {
    active: Vec<ActiveFault>,
    /// The last ID given (the first fault is 1).
    next_id: u64,
}

impl Faults {
    /// Adds a fault after those in force; its ID.
    pub(crate) fn add(&mut self, fault: Fault) -> Result<u64, String> {
        fault.check()?;
        self.next_id += 1;
        let id = self.next_id;
        self.active.push(ActiveFault {
            id,
            left: fault.times,
            fault,
        });
        Ok(id)
    }

    pub(crate) fn clear(&mut self) {
        self.active.clear();
    }

    /// The first fault in force that matches a request, counted as hit (and dropped when
    /// spent).
    pub(crate) fn take(&mut self, operation: Operation, instance_id: Option<&str>) -> Option<Hit> {
        let position = self
            .active
            .iter()
            .position(|f| f.fault.matches(operation, instance_id))?;
        let active = &mut self.active[position];
        let hit = Hit {
            kind: active.fault.kind,
            retry_after_s: active.fault.retry_after_s,
        };
        if let Some(left) = &mut active.left {
            *left -= 1;
            if *left == 0 {
                self.active.remove(position);
            }
        }
        Some(hit)
    }

    /// The IDs of the faults in force, in order.
    #[cfg(test)]
    pub(crate) fn ids(&self) -> Vec<u64> {
        self.active.iter().map(|f| f.id).collect()
    }

    /// Removes the fault `id`; whether it was in force.
    pub(crate) fn remove(&mut self, id: u64) -> bool {
        let before = self.active.len();
        self.active.retain(|f| f.id != id);
        self.active.len() < before
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn faults_are_spent_in_order() {
        let mut faults = Faults::default();
        let a = faults.add(Fault::status(500).times(1)).unwrap();
        let b = faults.add(Fault::status(503)).unwrap();
        assert_eq!((a, b), (1, 2));
        assert_eq!(faults.ids(), vec![a, b]);
        let mut hit = || faults.take(Operation::RomaList, None).map(|h| h.kind);
        assert_eq!(hit(), Some(FaultKind::Status(500)));
        assert_eq!(hit(), Some(FaultKind::Status(503)));
        assert_eq!(hit(), Some(FaultKind::Status(503)));
        assert_eq!(faults.ids(), vec![b]);
        assert!(faults.remove(b));
        assert!(!faults.remove(b));
    }

    #[test]
    fn operation_names_are_the_same_in_json() {
        for operation in Operation::ALL {
            let json = serde_json::to_value(operation).unwrap();
            assert_eq!(json, operation.as_str(), "{operation:?}");
            assert_eq!(operation.as_str().parse::<Operation>().unwrap(), operation);
            let back: Operation = serde_json::from_value(json).unwrap();
            assert_eq!(back, operation);
        }
    }
}
