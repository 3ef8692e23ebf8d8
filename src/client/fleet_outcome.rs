//! What a fleet wait gives back: each change as it is seen ([`FleetEvent`]), each instance's
//! [`InstanceOutcome`] in a [`FleetInstance`], the requests it sent ([`FleetRequests`]), and
//! the whole [`FleetOutcome`] with its document for the C ABI. The scheduler that fills them
//! in is `fleet.rs`.

use crate::client::options::{FleetMode, Target};
use crate::endpoint::Service;
use crate::error::{Error, ErrorKind};
use crate::lifecycle::{Lifecycle, Source};
use serde::Serialize;
use serde_json::{json, Value};
use std::time::Duration;

/// One change seen by a fleet wait, for its callback: the target it concerns, as the caller
/// gave it and by its place in the list, and the lifecycle read. The lifecycle's own `source`
/// says where it was read: `roma-list` for a ROMA target read through the batched list, so
/// two targets for one ROMA instance (`roma` and `roma-details`) are told apart only by their
/// target.
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub struct FleetEvent<'a> {
    /// The target's index in the list given to the wait.
    pub index: usize,
    /// The target, as given.
    pub target: &'a Target,
    /// Where the instance is now.
    pub lifecycle: &'a Lifecycle,
}

/// An event reads as its lifecycle (`event.phase`), so that a callback written for lifecycles
/// keeps working; `event.target` says which target it is.
impl std::ops::Deref for FleetEvent<'_> {
    type Target = Lifecycle;

    fn deref(&self) -> &Lifecycle {
        self.lifecycle
    }
}

impl FleetEvent<'_> {
    /// The event as the C ABI's callback receives it: the lifecycle document with a
    /// `"target":{"index","source","instance_id"}` object added.
    pub fn document(&self) -> String {
        #[derive(Serialize)]
        struct EventDocument<'a> {
            #[serde(flatten)]
            lifecycle: &'a Lifecycle,
            target: TargetDocument<'a>,
        }
        #[derive(Serialize)]
        struct TargetDocument<'a> {
            index: usize,
            source: Source,
            instance_id: &'a str,
        }
        let document = EventDocument {
            lifecycle: self.lifecycle,
            target: TargetDocument {
                index: self.index,
                source: self.target.source,
                instance_id: &self.target.instance_id,
            },
        };
        // Plain data: serialising cannot fail.
        serde_json::to_string(&document).unwrap_or_default()
    }
}

/// How one instance of a fleet wait ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum InstanceOutcome {
    /// `"reached"`: a target phase (seen on `settle` polls in a row).
    Reached,
    /// `"failed"`: `failed` or `deleted`, not a target.
    Failed,
    /// `"timeout"`: the wait's deadline came first.
    Timeout,
    /// `"cancelled"`: the wait's token was cancelled first.
    Cancelled,
    /// `"error"`: an error polling again cannot fix (401, 403, not found after the grace
    /// period, a 429 asking for a pause past the deadline, ...).
    Error,
    /// `"pending"`: not finished when an `any` or `fail_fast` wait ended.
    Pending,
}

impl InstanceOutcome {
    /// The outcome's name in the fleet document, e.g. `"reached"`.
    pub fn as_str(self) -> &'static str {
        match self {
            InstanceOutcome::Reached => "reached",
            InstanceOutcome::Failed => "failed",
            InstanceOutcome::Timeout => "timeout",
            InstanceOutcome::Cancelled => "cancelled",
            InstanceOutcome::Error => "error",
            InstanceOutcome::Pending => "pending",
        }
    }
}

/// One instance of a finished fleet wait.
#[derive(Debug)]
#[non_exhaustive]
pub struct FleetInstance {
    /// The target's source.
    pub source: Source,
    /// The target's ID.
    pub instance_id: String,
    /// How it ended.
    pub outcome: InstanceOutcome,
    /// The last lifecycle seen (from the `roma-list` source when read through the list).
    pub lifecycle: Option<Lifecycle>,
    /// Why it did not reach a target, when it did not and there is a why: the instance's
    /// failure, the fatal error, the timeout or the cancel (with its last poll's error).
    pub error: Option<Error>,
    /// How many answers about it were read.
    pub polls: u32,
}

/// Requests a fleet wait sent, per service (each list page counts one).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct FleetRequests {
    /// To ROMA Connect.
    pub roma: u64,
    /// To APIG.
    pub apig: u64,
    /// To Cloud DC.
    pub clouddc: u64,
}

impl FleetRequests {
    /// The requests sent to `service`.
    pub fn get(&self, service: Service) -> u64 {
        match service {
            Service::Roma => self.roma,
            Service::Apig => self.apig,
            Service::Clouddc => self.clouddc,
        }
    }

    /// Every request sent.
    pub fn total(&self) -> u64 {
        self.roma + self.apig + self.clouddc
    }
}

/// What a fleet wait found: every instance, in the order of the targets, never dropped.
#[derive(Debug)]
#[non_exhaustive]
pub struct FleetOutcome {
    /// Every target's outcome, in the order given.
    pub instances: Vec<FleetInstance>,
    /// Requests sent, per service.
    pub requests: FleetRequests,
    /// How many answers were 429 Too Many Requests.
    pub throttled: u64,
    /// How long the wait took (on the client's clock).
    pub elapsed: Duration,
    pub(super) status: Option<ErrorKind>,
}

impl FleetOutcome {
    /// `Ok` when the mode's condition was met (`all`: every instance reached a target;
    /// `any`: one did). Otherwise [`ErrorKind::Cancelled`] when cancelled,
    /// [`ErrorKind::InstanceFailed`] when an instance failed, the kind of an instance's error
    /// when one ended on an error, else [`ErrorKind::Timeout`].
    pub fn status(&self) -> std::result::Result<(), ErrorKind> {
        self.status.map_or(Ok(()), Err)
    }

    /// The fleet document of the C ABI: `{"instances":[{"source","instance_id","outcome",
    /// "lifecycle","error","polls"}, ...],"requests":{"roma":n,"apig":n,"clouddc":n},
    /// "throttled":n,"elapsed_ms":n}`, where `error` is null or an error document
    /// ([`Error::document`]).
    pub fn document(&self) -> String {
        let instances: Vec<Value> = self
            .instances
            .iter()
            .map(|i| {
                json!({
                    "source": i.source,
                    "instance_id": i.instance_id,
                    "outcome": i.outcome,
                    "lifecycle": i.lifecycle,
                    "error": i.error.as_ref().map(|e| {
                        serde_json::from_str::<Value>(&e.document()).unwrap_or(Value::Null)
                    }),
                    "polls": i.polls,
                })
            })
            .collect();
        json!({
            "instances": instances,
            "requests": self.requests,
            "throttled": self.throttled,
            "elapsed_ms": u64::try_from(self.elapsed.as_millis()).unwrap_or(u64::MAX),
        })
        .to_string()
    }
}

/// The overall status (see [`FleetOutcome::status`]).
pub(super) fn status(instances: &[FleetInstance], mode: FleetMode) -> Option<ErrorKind> {
    let has = |outcome| instances.iter().any(|i| i.outcome == outcome);
    if has(InstanceOutcome::Cancelled) {
        return Some(ErrorKind::Cancelled);
    }
    let met = match mode {
        FleetMode::All => instances
            .iter()
            .all(|i| i.outcome == InstanceOutcome::Reached),
        FleetMode::Any => has(InstanceOutcome::Reached),
    };
    if met {
        None
    } else if has(InstanceOutcome::Failed) {
        Some(ErrorKind::InstanceFailed)
    } else if let Some(error) = instances
        .iter()
        .filter(|i| i.outcome == InstanceOutcome::Error)
        .find_map(|i| i.error.as_ref())
    {
        Some(error.kind())
    } else {
        Some(ErrorKind::Timeout)
    }
}
