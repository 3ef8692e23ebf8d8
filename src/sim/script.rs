//! Lifecycle scripts: the steps an instance of each service goes through, per outcome, with
//! the status words each API shows at each step (the table of `docs/simulator.md`).

use super::scenario::Outcome;
use crate::endpoint::Service;
use crate::lifecycle::Phase;

/// An APIG creation step.
pub(crate) struct ApigStep {
    pub progress: u8,
    /// `creating`, `success` or `failed`.
    pub status: &'static str,
}

/// A ROMA Connect creation step, as each of its three APIs shows it.
pub(crate) struct RomaStep {
    /// Details `status` word and its `instance_status` number.
    pub details: &'static str,
    pub code: u64,
    /// `/process` status (upper case, as the document's table spells it) and progress.
    pub process: &'static str,
    pub progress: u8,
    /// List status word.
    pub list: &'static str,
}

/// A Cloud DC step.
pub(crate) struct ClouddcStep {
    pub state: &'static str,
    pub operation_state: &'static str,
}

#[rustfmt::skip]
const APIG_SUCCESS: &[ApigStep] = &[
    ApigStep { progress: 30, status: "creating" },
    ApigStep { progress: 50, status: "creating" },
    ApigStep { progress: 80, status: "creating" },
    ApigStep { progress: 90, status: "creating" },
    ApigStep { progress: 100, status: "success" },
];

#[rustfmt::skip]
const APIG_FLAP: &[ApigStep] = &[
    ApigStep { progress: 30, status: "creating" },
    ApigStep { progress: 100, status: "success" },
    ApigStep { progress: 90, status: "creating" },
    ApigStep { progress: 100, status: "success" },
];

#[rustfmt::skip]
const APIG_FAIL: &[ApigStep] = &[
    ApigStep { progress: 30, status: "creating" },
    ApigStep { progress: 50, status: "creating" },
    ApigStep { progress: 50, status: "failed" },
];

#[rustfmt::skip]
const ROMA_SUCCESS: &[RomaStep] = &[
    RomaStep { details: "Creating", code: 1, process: "CREATING", progress: 10, list: "CREATING" },
    RomaStep { details: "CreateSuccess", code: 2, process: "CREATING", progress: 40, list: "CREATING" },
    RomaStep { details: "Initing", code: 4, process: "CREATING", progress: 60, list: "CREATING" },
    RomaStep { details: "Registering", code: 5, process: "CREATING", progress: 80, list: "CREATING" },
    RomaStep { details: "Running", code: 6, process: "RUNNING", progress: 100, list: "RUNNING" },
];

#[rustfmt::skip]
const ROMA_FLAP: &[RomaStep] = &[
    RomaStep { details: "Creating", code: 1, process: "CREATING", progress: 10, list: "CREATING" },
    RomaStep { details: "Running", code: 6, process: "RUNNING", progress: 100, list: "RUNNING" },
    RomaStep { details: "Initing", code: 4, process: "CREATING", progress: 60, list: "CREATING" },
    RomaStep { details: "Running", code: 6, process: "RUNNING", progress: 100, list: "RUNNING" },
];

#[rustfmt::skip]
const ROMA_FAIL: &[RomaStep] = &[
    RomaStep { details: "Creating", code: 1, process: "CREATING", progress: 10, list: "CREATING" },
    RomaStep { details: "Initing", code: 4, process: "CREATING", progress: 40, list: "CREATING" },
    RomaStep { details: "CreateFail", code: 3, process: "CREATE_FAILED", progress: 40, list: "CREATE_FAILED" },
];

#[rustfmt::skip]
const CLOUDDC_SUCCESS: &[ClouddcStep] = &[
    ClouddcStep { state: "pending", operation_state: "install-processing" },
    ClouddcStep { state: "running", operation_state: "install-succeed" },
];

#[rustfmt::skip]
const CLOUDDC_FLAP: &[ClouddcStep] = &[
    ClouddcStep { state: "pending", operation_state: "install-processing" },
    ClouddcStep { state: "running", operation_state: "install-succeed" },
    ClouddcStep { state: "pending", operation_state: "install-processing" },
    ClouddcStep { state: "running", operation_state: "install-succeed" },
];

#[rustfmt::skip]
const CLOUDDC_FAIL: &[ClouddcStep] = &[
    ClouddcStep { state: "pending", operation_state: "install-processing" },
    ClouddcStep { state: "error", operation_state: "install-failed" },
];

/// The error a failed instance reports: code and message (and Cloud DC's error type).
pub(crate) const APIG_ERROR: (&str, &str) = (
    "APIG.9999",
    "Failed to create the instance: insufficient resources in the AZ (simulated)",
);
pub(crate) const ROMA_ERROR: (&str, &str) = (
    "ROMA.00110002",
    "Failed to create the instance: insufficient resources in the AZ (simulated)",
);
pub(crate) const CLOUDDC_ERROR: (&str, &str, &str) = (
    "CLOUDDC.1001",
    "Failed to install the instance (simulated)",
    "create_instance_error",
);

/// One service's script for one outcome.
#[derive(Clone, Copy)]
pub(crate) enum Script {
    Apig(&'static [ApigStep]),
    Roma(&'static [RomaStep]),
    Clouddc(&'static [ClouddcStep]),
}

impl Script {
    /// The script of `service` ending in `outcome` (`steady` plays the success script's last
    /// step only).
    pub(crate) fn of(service: Service, outcome: Outcome) -> Script {
        match (service, outcome) {
            (Service::Apig, Outcome::Fail) => Script::Apig(APIG_FAIL),
            (Service::Apig, Outcome::Flap) => Script::Apig(APIG_FLAP),
            (Service::Apig, _) => Script::Apig(APIG_SUCCESS),
            (Service::Roma, Outcome::Fail) => Script::Roma(ROMA_FAIL),
            (Service::Roma, Outcome::Flap) => Script::Roma(ROMA_FLAP),
            (Service::Roma, _) => Script::Roma(ROMA_SUCCESS),
            (Service::Clouddc, Outcome::Fail) => Script::Clouddc(CLOUDDC_FAIL),
            (Service::Clouddc, Outcome::Flap) => Script::Clouddc(CLOUDDC_FLAP),
            (Service::Clouddc, _) => Script::Clouddc(CLOUDDC_SUCCESS),
        }
    }

    /// The index of the last step, where the instance stays.
    pub(crate) fn last(self) -> usize {
        match self {
            Script::Apig(steps) => steps.len() - 1,
            Script::Roma(steps) => steps.len() - 1,
            Script::Clouddc(steps) => steps.len() - 1,
        }
    }

    /// The phase the client's lifecycle tables give step `index` (the tests check that they
    /// agree).
    pub(crate) fn phase(self, index: usize) -> Phase {
        let index = index.min(self.last());
        match self {
            Script::Apig(steps) => match steps[index].status {
                "success" => Phase::Running,
                "failed" => Phase::Failed,
                _ => Phase::Creating,
            },
            Script::Roma(steps) => match steps[index].list {
                "RUNNING" => Phase::Running,
                "CREATE_FAILED" => Phase::Failed,
                _ => Phase::Creating,
            },
            Script::Clouddc(steps) => match steps[index].state {
                "running" => Phase::Running,
                "error" => Phase::Failed,
                _ => Phase::Pending,
            },
        }
    }
}
