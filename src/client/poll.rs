//! One instance's polling, shared by [`Client::wait`](super::Client::wait) and the fleet wait:
//! how one answer counts (not-found grace, deletion, failure, settle) and the pause before the
//! next poll (growing, jittered intervals).

use crate::client::options::WaitOptions;
use crate::clock::Clock;
use crate::error::{Error, ErrorKind, Result};
use crate::lifecycle::{Lifecycle, Phase, Source};
use std::time::Duration;

/// The pauses between polls: each half as long again as the one before, up to the maximum,
/// less a random amount of up to half, and never sooner than the service asked.
#[derive(Debug)]
pub(super) struct Pacer {
    interval: Duration,
    max: Duration,
}

impl Pacer {
    pub(super) fn new(options: &WaitOptions) -> Pacer {
        Pacer {
            interval: options.initial_interval,
            max: options.max_interval,
        }
    }

    /// The pause before the next poll; `asked` is the service's `Retry-After`.
    pub(super) fn next(&mut self, clock: &dyn Clock, asked: Option<Duration>) -> Duration {
        let pause = jittered(self.interval, clock).max(asked.unwrap_or_default());
        self.interval = (self.interval * 3 / 2).min(self.max);
        pause
    }
}

/// `interval` shortened by a random amount of up to half ("equal jitter").
fn jittered(interval: Duration, clock: &dyn Clock) -> Duration {
    interval - clock.jitter(interval / 2)
}

/// What a poll's answer means for the wait.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Verdict {
    /// Not there yet.
    Pending,
    /// A target phase, seen on `settle` polls in a row.
    Reached,
    /// `failed` or `deleted`, not a target.
    Failed,
}

/// What one poll found.
pub(super) enum Answer {
    /// A lifecycle (now [`PollState::last`]); `changed` when it differs from the one before.
    Seen { changed: bool, verdict: Verdict },
    /// Nothing usable yet, for a reason worth polling through: throttling, a server or
    /// transport failure, or "not found" during the grace period.
    NotYet(Error),
}

/// One instance being waited for.
#[derive(Debug)]
pub(super) struct PollState {
    pub source: Source,
    pub instance_id: String,
    pub pacer: Pacer,
    /// The last lifecycle seen.
    pub last: Option<Lifecycle>,
    /// The last poll's error, when the last poll failed.
    pub last_error: Option<String>,
    pub polls: u32,
    /// Polls in a row that saw a target phase.
    streak: u32,
}

impl PollState {
    pub(super) fn new(source: Source, instance_id: &str, options: &WaitOptions) -> PollState {
        PollState {
            source,
            instance_id: instance_id.to_owned(),
            pacer: Pacer::new(options),
            last: None,
            last_error: None,
            polls: 0,
            streak: 0,
        }
    }

    /// Counts one poll's answer, `waited` after the start of the wait (`clock` dates a deletion
    /// seen as "not found"). Errors that polling again cannot fix are `Err`.
    pub(super) fn record(
        &mut self,
        answer: Result<Lifecycle>,
        options: &WaitOptions,
        waited: Duration,
        clock: &dyn Clock,
    ) -> Result<Answer> {
        self.polls += 1;
        let lifecycle = match answer {
            Ok(lifecycle) => lifecycle,
            // Once seen, or when waiting for a deletion, "not found" means deleted.
            Err(e) if e.kind() == ErrorKind::NotFound => {
                if self.last.is_some() || options.until.contains(&Phase::Deleted) {
                    Lifecycle::gone(self.source, &self.instance_id).observed_at(clock.wall_time())
                } else if waited < options.not_found_grace {
                    return Ok(self.not_yet(e));
                } else {
                    return Err(e);
                }
            }
            Err(e) if e.is_retryable() => return Ok(self.not_yet(e)),
            Err(e) => return Err(e),
        };
        self.last_error = None;
        let changed = self.last.as_ref().is_none_or(|l| !l.same_state(&lifecycle));
        let verdict = if options.until.contains(&lifecycle.phase) {
            self.streak += 1;
            if self.streak >= options.settle {
                Verdict::Reached
            } else {
                Verdict::Pending
            }
        } else {
            self.streak = 0;
            if matches!(lifecycle.phase, Phase::Failed | Phase::Deleted) {
                Verdict::Failed
            } else {
                Verdict::Pending
            }
        };
        self.last = Some(lifecycle);
        Ok(Answer::Seen { changed, verdict })
    }

    fn not_yet(&mut self, error: Error) -> Answer {
        self.last_error = Some(error.to_string());
        Answer::NotYet(error)
    }

    /// The error of a wait that reached its deadline `waited` after its start.
    pub(super) fn timed_out(&self, waited: Duration) -> Error {
        Error::WaitTimeout {
            waited,
            polls: self.polls,
            last: self.last.clone().map(Box::new),
            last_error: self.last_error.clone(),
        }
    }

    /// The error of a wait that was cancelled.
    pub(super) fn cancelled(&self) -> Error {
        Error::Cancelled(self.last.clone().map(Box::new))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::SystemClock;

    #[test]
    fn jitter_stays_within_half() {
        let interval = Duration::from_millis(1000);
        for _ in 0..1000 {
            let d = jittered(interval, &SystemClock);
            assert!(d >= interval / 2 && d <= interval, "{d:?}");
        }
    }
}
