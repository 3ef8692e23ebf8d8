//! The simulated instances: where each one's lifecycle is (driven by time, not by requests:
//! an instance's step is computed from when it was added, its step length and the speed
//! factor, whenever someone looks), and the ROMA list's pages.

use super::random::hex_digits;
use super::scenario::{InstanceSpec, Outcome};
use super::script::Script;
use crate::endpoint::Service;
use crate::lifecycle::Phase;
use serde::{Serialize, Serializer};
use std::collections::{BTreeMap, HashMap};
use std::time::{Duration, Instant};

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

/// A simulated instance.
pub(crate) struct Instance {
    pub service: Service,
    pub id: String,
    pub name: String,
    pub outcome: Outcome,
    pub step_ms: u64,
    /// Answers in the shapes real servers vary in rather than the documented types.
    pub undocumented_shapes: bool,
    pub(crate) added: Instant,
    /// Simulated time (ms) it was moved forward by `advance`, besides the clock's.
    pub(crate) advanced_ms: f64,
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

/// Every instance, in the order added (the list's order), and where each ID is.
#[derive(Default)]
pub(crate) struct Instances {
    all: BTreeMap<u64, Instance>,
    by_id: HashMap<String, u64>,
    /// The ROMA instances' keys in order: the list pages through them without a scan.
    roma: Vec<u64>,
    next_seq: u64,
}

impl Instances {
    /// Adds an instance at `now` (`now_ms`: the calendar's Unix milliseconds); its ID, or why
    /// it cannot be added.
    pub(crate) fn add(
        &mut self,
        spec: &InstanceSpec,
        now: Instant,
        now_ms: u64,
    ) -> Result<String, String> {
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
        self.all.insert(
            seq,
            Instance {
                service: spec.service,
                id: id.clone(),
                name,
                outcome: spec.outcome,
                step_ms: u64::try_from(spec.step.as_millis()).unwrap_or(u64::MAX),
                undocumented_shapes: spec.undocumented_shapes,
                added: now,
                advanced_ms: 0.0,
                added_ms: now_ms,
            },
        );
        Ok(id)
    }

    /// Removes an instance; whether it existed.
    pub(crate) fn remove(&mut self, id: &str) -> bool {
        let Some(seq) = self.by_id.remove(id) else {
            return false;
        };
        // Keys only grow, so the list's keys are sorted.
        if let Ok(position) = self.roma.binary_search(&seq) {
            self.roma.remove(position);
        }
        self.all.remove(&seq).is_some()
    }

    /// The instance `id`, if it belongs to `service`.
    pub(crate) fn get(&self, service: Service, id: &str) -> Option<&Instance> {
        let instance = self.all.get(self.by_id.get(id)?)?;
        (instance.service == service).then_some(instance)
    }

    /// Every instance's view, in the order added.
    pub(crate) fn views(&self, now: Instant, speed: f64) -> Vec<InstanceView> {
        self.all.values().map(|i| i.view(now, speed)).collect()
    }

    /// The view of instance `id`.
    pub(crate) fn view(&self, id: &str, now: Instant, speed: f64) -> Option<InstanceView> {
        let instance = self.all.get(self.by_id.get(id)?)?;
        Some(instance.view(now, speed))
    }

    /// ROMA instances whose list status is `status` (any case; all when `None`): how many
    /// there are, and `limit` of them from `offset` on.
    pub(crate) fn roma_page(
        &self,
        status: Option<&str>,
        offset: usize,
        limit: usize,
        now: Instant,
        speed: f64,
    ) -> (usize, Vec<(&Instance, Moment)>) {
        let Some(wanted) = status else {
            let page = self
                .roma
                .get(offset..)
                .unwrap_or_default()
                .iter()
                .take(limit)
                .filter_map(|seq| self.all.get(seq))
                .map(|i| (i, i.moment(now, speed)))
                .collect();
            return (self.roma.len(), page);
        };
        let roma = self.roma.iter().filter_map(|seq| self.all.get(seq));
        let mut total = 0;
        let mut page = Vec::new();
        for instance in roma {
            let moment = instance.moment(now, speed);
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
        for instance in self.all.values_mut() {
            instance.advanced_ms += ms;
        }
    }

    /// Moves every instance from the instants of one clock (`old`) to another's (`new`),
    /// keeping the simulated time each has lived so far.
    pub(crate) fn rebase(&mut self, old: Instant, new: Instant, speed: f64) {
        for instance in self.all.values_mut() {
            instance.advanced_ms +=
                old.saturating_duration_since(instance.added).as_secs_f64() * 1000.0 * speed;
            instance.added = new;
        }
    }
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
    use crate::clock::Clock;

    #[test]
    fn steps_follow_time_and_speed() {
        let mut instances = Instances::default();
        let start = crate::clock::ManualClock::new().now();
        instances
            .add(
                &InstanceSpec::new(Service::Apig)
                    .id("a")
                    .step(Duration::from_millis(1000)),
                start,
                0,
            )
            .unwrap();
        let instance = instances.get(Service::Apig, "a").unwrap();
        let at = |ms: u64| instance.moment(instance.added + Duration::from_millis(ms), 10.0);
        assert_eq!(at(0).index, 0);
        assert_eq!(at(99).index, 0);
        assert_eq!(at(100).index, 1);
        assert_eq!(at(450).index, 4);
        assert_eq!(at(100_000).index, 4);
        assert!(at(450).ended_ms.is_some() && at(350).ended_ms.is_none());
        assert!(instances.get(Service::Roma, "a").is_none());
    }

    #[test]
    fn fresh_ids_are_path_safe() {
        for _ in 0..100 {
            let id = fresh_id();
            assert_eq!(id.len(), 36);
            assert!(crate::id::id_problem(&id).is_none(), "{id}");
        }
    }
}
