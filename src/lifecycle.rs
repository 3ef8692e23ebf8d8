//! The lifecycle vocabulary every service shares: [`Phase`], [`Source`], [`Lifecycle`] and
//! [`LifecycleError`].
//!
//! Near the bottom: errors carry lifecycles (a failed or timed-out wait says what it last saw),
//! so this module depends only on the clock (what a lifecycle's observation is dated by). How each service's model maps onto a lifecycle
//! is `model/phases.rs`; parsing phase and source names (whose errors are [`crate::Error`]s) is
//! there too.

use crate::clock::{Clock, SystemClock};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::time::{SystemTime, UNIX_EPOCH};

/// Where an instance is in its lifecycle, the same for every service.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Phase {
    /// Accepted, not yet being built (Cloud DC `pending`).
    Pending,
    /// Being created, initialised or registered.
    Creating,
    /// Ready for use.
    Running,
    /// Being changed: upgraded, rolled back, restarted, reinstalled, re-addressed.
    Updating,
    /// Being stopped or frozen.
    Stopping,
    /// Stopped or frozen.
    Stopped,
    /// Being deleted.
    Deleting,
    /// Deleted.
    Deleted,
    /// An operation failed or timed out; the service's error says why.
    Failed,
    /// A status this version does not know.
    Unknown,
}

impl Phase {
    /// Every phase, in lifecycle order.
    pub const ALL: [Phase; 10] = [
        Phase::Pending,
        Phase::Creating,
        Phase::Running,
        Phase::Updating,
        Phase::Stopping,
        Phase::Stopped,
        Phase::Deleting,
        Phase::Deleted,
        Phase::Failed,
        Phase::Unknown,
    ];

    /// The phase's name in lifecycle documents, e.g. `"running"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Phase::Pending => "pending",
            Phase::Creating => "creating",
            Phase::Running => "running",
            Phase::Updating => "updating",
            Phase::Stopping => "stopping",
            Phase::Stopped => "stopped",
            Phase::Deleting => "deleting",
            Phase::Deleted => "deleted",
            Phase::Failed => "failed",
            Phase::Unknown => "unknown",
        }
    }

    /// Whether the instance stays in this phase until someone acts on it (`running`,
    /// `stopped`, `deleted`, `failed`), as opposed to moving on by itself. `unknown` is not
    /// terminal: nothing is known about it.
    pub fn is_terminal(self) -> bool {
        matches!(
            self,
            Phase::Running | Phase::Stopped | Phase::Deleted | Phase::Failed
        )
    }
}

impl fmt::Display for Phase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where a lifecycle is read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Source {
    /// `"roma"`: ROMA Connect creation progress, `GET .../instances/{id}/process`.
    #[serde(rename = "roma")]
    Roma,
    /// `"roma-details"`: ROMA Connect instance details, `GET .../apic/instances/{id}`.
    #[serde(rename = "roma-details")]
    RomaDetails,
    /// `"apig"`: APIG creation progress, `GET .../apigw/instances/{id}/progress`.
    #[serde(rename = "apig")]
    Apig,
    /// `"clouddc"`: Cloud DC instance status, `GET .../instances/{id}/status`.
    #[serde(rename = "clouddc")]
    Clouddc,
    /// `"roma-list"`: an entry of a ROMA Connect instance list page (`GET .../instances`), from
    /// [`RomaInstanceSummary::lifecycle`](crate::RomaInstanceSummary::lifecycle). The list cannot be asked about one instance, so
    /// this source cannot be polled by [`Client::lifecycle`](crate::Client::lifecycle) or waited on.
    #[serde(rename = "roma-list")]
    RomaList,
}

impl Source {
    /// The sources [`Client::lifecycle`](crate::Client::lifecycle) and [`Client::wait`](crate::Client::wait) can read.
    pub const POLLABLE: [Source; 4] = [
        Source::Roma,
        Source::RomaDetails,
        Source::Apig,
        Source::Clouddc,
    ];

    /// The source's name in lifecycle documents and the C ABI, e.g. `"roma-details"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Roma => "roma",
            Source::RomaDetails => "roma-details",
            Source::Apig => "apig",
            Source::Clouddc => "clouddc",
            Source::RomaList => "roma-list",
        }
    }
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why the service says an instance failed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct LifecycleError {
    /// The service's error code, e.g. `APIG.9999`.
    pub error_code: Option<String>,
    /// The service's error message.
    pub error_msg: Option<String>,
}

impl LifecycleError {
    /// `None` unless the service said something (empty strings say nothing).
    pub(crate) fn from_parts(
        code: Option<&String>,
        msg: Option<&String>,
    ) -> Option<LifecycleError> {
        let said = |s: Option<&String>| s.filter(|s| !s.trim().is_empty()).cloned();
        let error = LifecycleError {
            error_code: said(code),
            error_msg: said(msg),
        };
        (error.error_code.is_some() || error.error_msg.is_some()).then_some(error)
    }
}

/// Where an instance is in its lifecycle, read from one source.
///
/// Serialises to the lifecycle document of the C ABI:
/// `{"source":"apig","instance_id":"...","phase":"creating","progress":50,"terminal":false,
/// "status":"creating","error":null,"observed_at_ms":1763800000000}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Lifecycle {
    /// Where it was read from.
    pub source: Source,
    /// The instance.
    pub instance_id: String,
    /// The phase the service's status maps to.
    pub phase: Phase,
    /// Progress in percent (0–100) where the service reports it.
    pub progress: Option<u8>,
    /// Whether the phase is settled ([`Phase::is_terminal`], refined by what the source
    /// says, e.g. a Cloud DC instance `stopped` while an install is processing is not).
    pub terminal: bool,
    /// The service's own status word, untouched (for ROMA details without a word, its
    /// `instance_status` number).
    pub status: Option<String>,
    /// Why the service says it failed, when it says so.
    pub error: Option<LifecycleError>,
    /// When it was read (Unix time, milliseconds), by the client's [`Clock`]: its wall time
    /// when a [`Client`](crate::Client) read it (a [`ManualClock`](crate::ManualClock)'s in
    /// tests), the system's for a lifecycle mapped directly (`Lifecycle::from_apig`, ...).
    pub observed_at_ms: u64,
}

impl Lifecycle {
    /// A lifecycle observed now by the system clock (see [`observed_at`](Self::observed_at)),
    /// with what every phase implies; the mapping fills in the rest.
    pub(crate) fn new(
        source: Source,
        instance_id: &str,
        phase: Phase,
        status: Option<String>,
    ) -> Lifecycle {
        Lifecycle {
            source,
            instance_id: instance_id.to_owned(),
            phase,
            progress: None,
            terminal: phase.is_terminal(),
            status,
            error: None,
            observed_at_ms: unix_ms(SystemClock.wall_time()),
        }
    }

    /// The same lifecycle, observed at `at` (a client's clock's wall time).
    #[must_use]
    pub(crate) fn observed_at(mut self, at: SystemTime) -> Lifecycle {
        self.observed_at_ms = unix_ms(at);
        self
    }

    /// A deleted instance, for a source that answers 404 once the instance is gone.
    pub(crate) fn gone(source: Source, instance_id: &str) -> Lifecycle {
        Lifecycle::new(source, instance_id, Phase::Deleted, None)
    }

    /// The same state as `other`: everything but when it was observed.
    pub fn same_state(&self, other: &Lifecycle) -> bool {
        (
            self.source,
            &self.instance_id,
            self.phase,
            self.progress,
            self.terminal,
            &self.status,
            &self.error,
        ) == (
            other.source,
            &other.instance_id,
            other.phase,
            other.progress,
            other.terminal,
            &other.status,
            &other.error,
        )
    }
}

/// Milliseconds since the Unix epoch (0 before it; saturating far after it).
fn unix_ms(at: SystemTime) -> u64 {
    at.duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}
