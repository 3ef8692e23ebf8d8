//! # hwinst
//!
//! A blocking client that tells where a Huawei Cloud ROMA Connect, API Gateway (APIG) or
//! Cloud DC instance is in its provisioning lifecycle.
//!
//! One [`Client`] per configuration, shared by any number of threads; one method per service
//! API, each returning a typed model that keeps every field the server sent:
//!
//! | method | API |
//! |---|---|
//! | [`Client::roma_creation_progress`] | `GET /v2/{project_id}/instances/{instance_id}/process` |
//! | [`Client::apig_creation_progress`] | `GET /v2/{project_id}/apigw/instances/{instance_id}/progress` |
//! | [`Client::roma_instance`] | `GET /v2/{project_id}/apic/instances/{instance_id}` |
//! | [`Client::roma_list_instances`] | `GET /v2/{project_id}/instances` |
//! | [`Client::clouddc_instance_status`] | `GET /v1/{project_id}/instances/{id}/status` |
//!
//! ```no_run
//! use hwinst::{Client, ErrorKind, ApigProgressStatus};
//!
//! let client = Client::builder()
//!     .region("cn-north-4")
//!     .project_id("0a1b2c3d4e5f")
//!     .token(std::env::var("HWINST_TOKEN")?)
//!     .build()?;
//!
//! match client.apig_creation_progress("eddc4d25480b4cd6b512f270a1b8b341") {
//!     Ok(p) if p.status.as_ref().is_some_and(|s| *s == ApigProgressStatus::Success) => println!("ready"),
//!     Ok(p) => println!("{}% done", p.progress().unwrap_or(0)),
//!     Err(e) if e.kind() == ErrorKind::NotFound => println!("no such instance"),
//!     Err(e) => return Err(e.into()),
//! }
//! # Ok::<_, Box<dyn std::error::Error>>(())
//! ```
//!
//! [`Client::lifecycle`] maps any of them onto one [`Lifecycle`], [`Client::wait`] polls until
//! an instance is ready (or failed), and [`Client::roma_instances`] pages through every ROMA
//! Connect instance.
//!
//! Credentials are a token, an AK/SK pair (every request signed as the official SDKs sign) or
//! an IAM user's password (tokens fetched and renewed by the client); see [`Credentials`],
//! [`ClientBuilder::from_config_json`] and [`ClientBuilder::from_env`]. Throttled and
//! unavailable answers are retried ([`RetryPolicy`]).
//!
//! ## Models
//!
//! Each response model has a typed, optional field for every documented field, accepts, besides
//! the documented types, variants defensively (numbers sent as strings, arrays encoded inside
//! strings; `docs/apis.md` says which a source supports), and
//! keeps fields this version does not know in `extra`. Serialising a model gives back the
//! server's field names and unknown fields; known fields come back in their documented types
//! (`"30"` becomes `30`, `"[\"az0\"]"` becomes `["az0"]`), and absent or `null` fields are
//! left out. Status words are [`OpenEnum`]s: the server's exact word plus its documented
//! meaning, with unknown words kept rather than refused.

#![warn(missing_docs)]

/// This library's version, as sent in the `User-Agent` header (`hwinst/<VERSION>`).
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

// The layers are the folders (`tests/layers.rs` is the one place their order is written and
// checked): `ffi`, `sim` (the C ABI and the simulator) over `client` over `auth` over `http`
// over `model` over the foundations at the root (`error`, `lifecycle`, `id`, `endpoint`,
// `limits`, `clock`, `cancel`, `bucket`).
mod auth;
mod bucket;
mod cancel;
mod client;
mod clock;
mod endpoint;
mod error;
pub mod ffi;
mod file;
#[cfg(fuzzing)]
#[doc(hidden)]
pub mod fuzzing;
mod http;
mod id;
mod lifecycle;
mod limits;
mod model;
#[cfg(feature = "sim")]
pub mod sim;

pub use auth::iam::DEFAULT_IAM_ENDPOINT;
pub use auth::profile::PROFILE_SECTION;
pub use auth::{Credentials, Secret, MIN_SECRET_LEN};
pub use cancel::CancelToken;
pub use client::options::{
    FleetMode, FleetOptions, Target, WaitOptions, DEFAULT_CONCURRENCY, DEFAULT_INITIAL_INTERVAL,
    DEFAULT_MAX_INTERVAL, DEFAULT_MAX_REQUESTS_PER_SECOND, DEFAULT_NOT_FOUND_GRACE,
    DEFAULT_WAIT_TIMEOUT, MAX_CONCURRENCY, MAX_SETTLE,
};
pub use client::{
    AllRomaInstances, Client, ClientBuilder, ClientSettings, ConfigReport, CredentialSource,
    FleetEvent, FleetInstance, FleetOutcome, FleetRequests, InstanceOutcome, RomaInstances,
    DEFAULT_CONNECT_TIMEOUT, DEFAULT_MAX_RESPONSE_BYTES, DEFAULT_METADATA_ENDPOINT,
    DEFAULT_PAGE_SIZE, DEFAULT_REQUEST_TIMEOUT, ENV_VARS, HOST_CONNECT_TIMEOUT, METADATA_OFF,
};
pub use clock::{Clock, ManualClock, SystemClock};
pub use endpoint::Service;
pub use error::{Error, ErrorKind, Result, ServiceError};
pub use http::retry::{RetryPolicy, DEFAULT_BASE_DELAY, DEFAULT_MAX_ATTEMPTS, DEFAULT_MAX_DELAY};
pub use id::MAX_ID_LEN;
pub use lifecycle::{Lifecycle, LifecycleError, Phase, Source};
pub use model::apig::{ApigCreationProgress, ApigProgressStatus};
pub use model::clouddc::{ClouddcError, ClouddcErrorType, ClouddcInstanceStatus, ClouddcState};
pub use model::lenient::Number;
pub use model::phases::{
    APIG_PHASES, CLOUDDC_PHASES, ROMA_DETAILS_PHASES, ROMA_LIST_PHASES, ROMA_PROCESS_PHASES,
};
pub use model::roma::{
    Backend, CbcLockScene, CbcOperationLock, ChargeType, CpuArch, HealthCheck, Listener, NodeIps,
    RomaCipherType, RomaCreationProgress, RomaCreationStatus, RomaFlavorType, RomaInstance,
    RomaInstancePage, RomaInstanceStatus, RomaInstanceSummary, RomaListQuery, RomaListStatus,
    RomaProgressInstance, RomaProgressItem, RomaSpec,
};
pub use model::vocab::{OpenEnum, Vocabulary};

/// The README's Rust examples, compiled by `cargo test --all-features --doc` so that they stay
/// true (`tests/readme.rs` also runs its quick start against the simulator).
#[cfg(all(doctest, feature = "sim"))]
#[doc = include_str!("../README.md")]
struct ReadmeExamples;

/// The Rust examples of `docs/waiting.md`, compiled the same way.
#[cfg(all(doctest, feature = "sim"))]
#[doc = include_str!("../docs/waiting.md")]
struct WaitingExamples;
