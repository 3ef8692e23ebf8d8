//! One lifecycle for every service: each service's own status words mapped onto one
//! [`Phase`], with progress, whether the state is settled, and why it failed.
//!
//! There is one table per source ([`ROMA_PROCESS_PHASES`], [`ROMA_DETAILS_PHASES`],
//! [`APIG_PHASES`], [`CLOUDDC_PHASES`], [`ROMA_LIST_PHASES`]) covering every documented word.
//! A word the tables do not know maps to [`Phase::Unknown`], never to an error: services add
//! words as they evolve.

use crate::endpoint::Service;
use crate::error::{Error, Result};
use crate::lifecycle::{Lifecycle, LifecycleError, Phase, Source};
use crate::model::apig::{ApigCreationProgress, ApigProgressStatus};
use crate::model::clouddc::{ClouddcInstanceStatus, ClouddcState};
use crate::model::roma::{
    RomaCreationProgress, RomaCreationStatus, RomaInstance, RomaInstanceStatus,
    RomaInstanceSummary, RomaListStatus, RomaProgressItem,
};
use crate::model::vocab::{OpenEnum, Vocabulary};
use std::str::FromStr;

// Parsing names lives here rather than with the vocabulary: its error is an `Error`, and the
// vocabulary (`lifecycle.rs`) sits below `error/`.

impl FromStr for Phase {
    type Err = Error;

    /// Parses a phase name (`"running"`); anything else is an invalid argument naming them.
    fn from_str(name: &str) -> Result<Phase> {
        Phase::ALL
            .into_iter()
            .find(|p| p.as_str() == name)
            .ok_or_else(|| {
                Error::InvalidArgument(format!(
                    "unknown phase {}; phases are {}",
                    crate::error::masked_line(&format!("{name:?}"), &[], 40),
                    names(Phase::ALL.iter().map(|p| p.as_str()))
                ))
            })
    }
}

impl Source {
    /// The service the source reads (every ROMA source is ROMA Connect's).
    pub fn service(self) -> Service {
        match self {
            Source::Roma | Source::RomaDetails | Source::RomaList => Service::Roma,
            Source::Apig => Service::Apig,
            Source::Clouddc => Service::Clouddc,
        }
    }
}

impl FromStr for Source {
    type Err = Error;

    /// Parses a pollable source name; anything else is an invalid argument naming them.
    fn from_str(name: &str) -> Result<Source> {
        Source::POLLABLE
            .into_iter()
            .find(|s| s.as_str() == name)
            .ok_or_else(|| {
                Error::InvalidArgument(format!(
                    "unknown source {name:?}; sources are {}",
                    names(Source::POLLABLE.iter().map(|s| s.as_str()))
                ))
            })
    }
}

/// `"a", "b", "c"` for error messages.
fn names<'a>(names: impl Iterator<Item = &'a str>) -> String {
    names
        .map(|n| format!("{n:?}"))
        .collect::<Vec<_>>()
        .join(", ")
}

impl Lifecycle {
    /// From a ROMA Connect creation progress (`/process`).
    ///
    /// The top-level `status` decides the phase (else the nested instance's). `progress` is
    /// the top-level one, except while it is still 0 and sub-services have started: then it
    /// is their mean, so that a caller sees the creation move. The error is the instance's,
    /// else the first failed sub-service's.
    pub fn from_roma_process(instance_id: &str, process: &RomaCreationProgress) -> Lifecycle {
        let status = process
            .status
            .as_ref()
            .or_else(|| process.instance.as_ref()?.status.as_ref());
        let mut lifecycle = from_table(Source::Roma, instance_id, status, ROMA_PROCESS_PHASES);
        let items = process.item.as_deref().unwrap_or_default();
        let item_progress: Vec<i64> = items
            .iter()
            .filter_map(RomaProgressItem::progress)
            .collect();
        lifecycle.progress = match process.progress() {
            Some(p) if p > 0 || item_progress.is_empty() => Some(percent(p)),
            _ if item_progress.is_empty() => None,
            _ => {
                let total: i64 = item_progress.iter().map(|p| i64::from(percent(*p))).sum();
                Some(percent(total / item_progress.len() as i64))
            }
        };
        lifecycle.error = process
            .instance
            .as_ref()
            .and_then(|i| {
                LifecycleError::from_parts(i.error_code.as_ref(), i.error_message.as_ref())
            })
            .or_else(|| {
                items.iter().find_map(|i| {
                    LifecycleError::from_parts(i.error_code.as_ref(), i.error_msg.as_ref())
                })
            });
        lifecycle
    }

    /// From ROMA Connect instance details.
    ///
    /// The `status` word wins over the `instance_status` number when both are documented and
    /// disagree: the word is the field the document describes first and the one the console
    /// shows, while the numbers are a parallel encoding with gaps (1–41, 34 used). The number
    /// decides only when the word is absent or unknown.
    pub fn from_roma_details(instance_id: &str, details: &RomaInstance) -> Lifecycle {
        let word = details.status.as_ref();
        let meaning = word
            .and_then(OpenEnum::known)
            .or_else(|| details.status_from_code());
        let status = word
            .map(|w| w.as_str().to_owned())
            .or_else(|| details.instance_status().map(|n| n.to_string()));
        let phase = meaning.map_or(Phase::Unknown, |m| lookup(ROMA_DETAILS_PHASES, m));
        Lifecycle::new(Source::RomaDetails, instance_id, phase, status)
    }

    /// From an APIG creation progress.
    ///
    /// Without a `status`, progress 100 is taken as created and any other progress as
    /// creating.
    pub fn from_apig(instance_id: &str, progress: &ApigCreationProgress) -> Lifecycle {
        let mut lifecycle = from_table(
            Source::Apig,
            instance_id,
            progress.status.as_ref(),
            APIG_PHASES,
        );
        if progress.status.is_none() {
            if let Some(p) = progress.progress() {
                lifecycle.phase = if p >= 100 {
                    Phase::Running
                } else {
                    Phase::Creating
                };
                lifecycle.terminal = lifecycle.phase.is_terminal();
            }
        }
        lifecycle.progress = progress.progress().map(percent);
        lifecycle.error =
            LifecycleError::from_parts(progress.error_code.as_ref(), progress.error_msg.as_ref());
        lifecycle
    }

    /// From a Cloud DC instance status.
    ///
    /// An `operation_state` ending in `-processing` (an install, reinstall or IP change under
    /// way) turns a settled `running` or `stopped` into `updating`: the state machine moves
    /// on from there by itself.
    pub fn from_clouddc(instance_id: &str, status: &ClouddcInstanceStatus) -> Lifecycle {
        let mut lifecycle = from_table(
            Source::Clouddc,
            instance_id,
            status.state.as_ref(),
            CLOUDDC_PHASES,
        );
        let processing = status
            .operation_state
            .as_deref()
            .is_some_and(|s| s.trim().to_ascii_lowercase().ends_with("-processing"));
        if processing && matches!(lifecycle.phase, Phase::Running | Phase::Stopped) {
            lifecycle.phase = Phase::Updating;
            lifecycle.terminal = false;
        }
        lifecycle.error = status
            .error
            .as_ref()
            .and_then(|e| LifecycleError::from_parts(e.error_code.as_ref(), e.error_msg.as_ref()));
        lifecycle
    }
}

impl RomaInstanceSummary {
    /// This list entry's lifecycle (source `roma-list`).
    pub fn lifecycle(&self) -> Lifecycle {
        let id = self.id.as_deref().unwrap_or_default();
        let mut lifecycle =
            from_table(Source::RomaList, id, self.status.as_ref(), ROMA_LIST_PHASES);
        lifecycle.error =
            LifecycleError::from_parts(self.error_code.as_ref(), self.error_msg.as_ref());
        lifecycle
    }
}

/// The lifecycle of `word` by `table`: its phase, or `unknown` for an absent or unknown word.
fn from_table<K: Vocabulary>(
    source: Source,
    instance_id: &str,
    word: Option<&OpenEnum<K>>,
    table: &[(K, Phase)],
) -> Lifecycle {
    let phase = word
        .and_then(OpenEnum::known)
        .map_or(Phase::Unknown, |meaning| lookup(table, meaning));
    Lifecycle::new(
        source,
        instance_id,
        phase,
        word.map(|w| w.as_str().to_owned()),
    )
}

fn lookup<K: Vocabulary>(table: &[(K, Phase)], meaning: K) -> Phase {
    table
        .iter()
        .find(|(k, _)| *k == meaning)
        .map_or(Phase::Unknown, |(_, phase)| *phase)
}

/// A reported percentage, clamped to 0–100.
fn percent(value: i64) -> u8 {
    value.clamp(0, 100) as u8
}

/// ROMA Connect creation progress (`/process`): status → phase.
pub const ROMA_PROCESS_PHASES: &[(RomaCreationStatus, Phase)] = &[
    (RomaCreationStatus::Creating, Phase::Creating),
    (RomaCreationStatus::Running, Phase::Running),
    (RomaCreationStatus::CreateFailed, Phase::Failed),
];

/// ROMA Connect instance details (`/apic/instances/{id}`): the 34 statuses → phase. Every `*Fail*` and
/// `*Timeout` status is `failed`: the operation ended without reaching its goal and the
/// service will not retry it by itself. `CreateSuccess`, `Initing`, `Registering` and
/// `Installing` come before `Running` on the way up, so they are `creating`.
pub const ROMA_DETAILS_PHASES: &[(RomaInstanceStatus, Phase)] = {
    use Phase as P;
    use RomaInstanceStatus as S;
    &[
        (S::Creating, P::Creating),
        (S::CreateSuccess, P::Creating),
        (S::CreateFail, P::Failed),
        (S::Initing, P::Creating),
        (S::Registering, P::Creating),
        (S::Running, P::Running),
        (S::InitingFailed, P::Failed),
        (S::RegisterFailed, P::Failed),
        (S::Installing, P::Creating),
        (S::InstallFailed, P::Failed),
        (S::Updating, P::Updating),
        (S::UpdateFailed, P::Failed),
        (S::Rollbacking, P::Updating),
        (S::RollbackSuccess, P::Running),
        (S::RollbackFailed, P::Failed),
        (S::Deleting, P::Deleting),
        (S::DeleteFailed, P::Failed),
        (S::Unregistering, P::Deleting),
        (S::UnregisterFailed, P::Failed),
        (S::CreateTimeout, P::Failed),
        (S::InitTimeout, P::Failed),
        (S::RegisterTimeout, P::Failed),
        (S::InstallTimeout, P::Failed),
        (S::UpdateTimeout, P::Failed),
        (S::RollbackTimeout, P::Failed),
        (S::DeleteTimeout, P::Failed),
        (S::UnregisterTimeout, P::Failed),
        (S::Starting, P::Updating),
        (S::Freezing, P::Stopping),
        (S::Frozen, P::Stopped),
        (S::Restarting, P::Updating),
        (S::RestartFail, P::Failed),
        (S::Unhealthy, P::Failed),
        (S::RestartTimeout, P::Failed),
    ]
};

/// APIG creation progress (`/apigw/instances/{id}/progress`): status → phase.
pub const APIG_PHASES: &[(ApigProgressStatus, Phase)] = &[
    (ApigProgressStatus::Creating, Phase::Creating),
    (ApigProgressStatus::Success, Phase::Running),
    (ApigProgressStatus::Failed, Phase::Failed),
];

/// Cloud DC instance status (`/instances/{id}/status`): the state machine's states (both spellings of `shutting_down`) and
/// the older SDKs' states → phase. `error` is `failed` although a retried provision or
/// deletion may leave it: until someone retries, it stays.
pub const CLOUDDC_PHASES: &[(ClouddcState, Phase)] = {
    use ClouddcState as S;
    use Phase as P;
    &[
        (S::Pending, P::Pending),
        (S::Running, P::Running),
        (S::Stopped, P::Stopped),
        (S::ShuttingDown, P::Deleting),
        (S::Terminated, P::Deleted),
        (S::Error, P::Failed),
        (S::Stopping, P::Stopping),
        (S::Reinstalling, P::Updating),
        (S::Failed, P::Failed),
        (S::ModifyingIp, P::Updating),
        (S::SwitchInstalling, P::Updating),
    ]
};

/// ROMA Connect instance list (`/instances`): status → phase. `SOFT_DELETED` is `deleted` (the
/// instance is gone from use, only restorable); `FREEZING`/`FROZEN` are `stopping`/`stopped`.
pub const ROMA_LIST_PHASES: &[(RomaListStatus, Phase)] = {
    use Phase as P;
    use RomaListStatus as S;
    &[
        (S::Creating, P::Creating),
        (S::Running, P::Running),
        (S::Deleting, P::Deleting),
        (S::Deleted, P::Deleted),
        (S::Error, P::Failed),
        (S::CreateFailed, P::Failed),
        (S::DeleteFailed, P::Failed),
        (S::SoftDeleted, P::Deleted),
        (S::Freezing, P::Stopping),
        (S::Frozen, P::Stopped),
    ]
};

#[cfg(test)]
mod tests {
    use super::*;

    /// Every documented meaning of `K` has exactly one row.
    fn complete<K: Vocabulary + std::hash::Hash>(table: &[(K, Phase)]) {
        let mut meanings: Vec<K> = K::WORDS.iter().map(|(_, k)| *k).collect();
        meanings.dedup();
        for meaning in &meanings {
            let rows = table.iter().filter(|(k, _)| k == meaning).count();
            assert_eq!(rows, 1, "{meaning:?} has {rows} rows");
        }
        assert_eq!(table.len(), meanings.len());
    }

    #[test]
    fn every_table_covers_its_vocabulary_once() {
        complete(ROMA_PROCESS_PHASES);
        complete(ROMA_DETAILS_PHASES);
        complete(APIG_PHASES);
        complete(CLOUDDC_PHASES);
        complete(ROMA_LIST_PHASES);
        assert_eq!(ROMA_DETAILS_PHASES.len(), 34);
    }

    #[test]
    fn names_round_trip() {
        for phase in Phase::ALL {
            assert_eq!(phase.as_str().parse::<Phase>().unwrap(), phase);
            assert_eq!(
                serde_json::to_string(&phase).unwrap(),
                format!("\"{phase}\"")
            );
        }
        for source in Source::POLLABLE {
            assert_eq!(source.as_str().parse::<Source>().unwrap(), source);
        }
        assert!("Running".parse::<Phase>().is_err());
        assert!("roma-list".parse::<Source>().is_err());
    }
}
