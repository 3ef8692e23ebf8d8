//! Waiting for a fleet of instances at once ([`Client::wait_many`]).
//!
//! One scheduler, on the caller's thread, keeps every instance (and, when ROMA instances are
//! read through the list, the list) in a heap ordered by when its next poll is due. It hands
//! due polls to a fixed pool of `concurrency` worker threads, each poll drawing from its
//! service's token bucket; a 429 pauses every poll of that service. Each instance keeps its
//! own [`PollState`] (interval growth, jitter, not-found grace, settle), the same as
//! [`Client::wait`]'s. Answers come back to the scheduler, which alone calls the callback.

use super::fleet_outcome::{
    status, FleetEvent, FleetInstance, FleetOutcome, FleetRequests, InstanceOutcome,
};
use super::poll::{Answer, Pacer, PollState, Verdict};
use super::Client;
use crate::bucket::TokenBucket;
use crate::cancel::CancelToken;
use crate::client::options::{FleetMode, FleetOptions, Target};
use crate::clock::later;
use crate::endpoint::{PerService, Service};
use crate::error::{Error, ErrorKind, Result, ServiceError};
use crate::http::interrupt::CancelScope;
use crate::lifecycle::{Lifecycle, Source};
use crate::model::roma::RomaListQuery;
use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap, HashSet};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

impl Client {
    /// Waits for many instances at once, with one scheduler: at most
    /// [`concurrency`](FleetOptions::concurrency) requests in flight on as many worker
    /// threads, whatever the fleet's size; every poll of a service drawing from one budget
    /// ([`max_requests_per_second`](FleetOptions::max_requests_per_second)); a 429 for any
    /// instance pausing every poll of its service (for its `Retry-After`, else for a pause
    /// that doubles from the initial interval up to the maximum); and, with
    /// [`batch_roma`](FleetOptions::batch_roma) and two or more ROMA targets, every ROMA
    /// instance read through one paged list request per round.
    ///
    /// Each instance is polled as [`Client::wait`] polls one: its own growing, jittered
    /// intervals, not-found grace, failure on `failed`/`deleted`, and `settle`. Each poll is
    /// one request: transient failures are polled through by the scheduler, within the
    /// budget, not retried inside the poll.
    ///
    /// `on_change` runs on the calling thread, one call at a time, with the first lifecycle of
    /// each instance and every change after it, in a [`FleetEvent`] that names the target it
    /// concerns (its index and the [`Target`] as given: a lifecycle read through the ROMA
    /// list says `roma-list`, whichever ROMA source the target named). The options'
    /// [`CancelToken`](crate::CancelToken) ends the whole wait at once, cutting the requests in
    /// flight.
    ///
    /// Targets are checked before anything is sent: none, a `roma-list` source, an unsafe ID
    /// or an instance listed twice is [`ErrorKind::InvalidArgument`] naming the entry, as are
    /// bad options. Otherwise the result lists every instance, finished or not, with
    /// [`FleetOutcome::status`] saying whether the mode's condition was met.
    ///
    /// ```no_run
    /// use hwinst::{FleetOptions, Source, Target};
    /// # let client: hwinst::Client = unimplemented!();
    /// let targets = [Target::new(Source::Apig, "gw-1"), Target::new(Source::Roma, "r-1")];
    /// let fleet = client.wait_many(&targets, &FleetOptions::new(), |event| {
    ///     let (target, l) = (event.target, event.lifecycle);
    ///     println!("{} {} {}", target.source, target.instance_id, l.phase);
    /// })?;
    /// for instance in &fleet.instances {
    ///     println!("{} {}", instance.instance_id, instance.outcome.as_str());
    /// }
    /// println!("{} requests", fleet.requests.total());
    /// # Ok::<_, hwinst::Error>(())
    /// ```
    pub fn wait_many(
        &self,
        targets: &[Target],
        options: &FleetOptions,
        mut on_change: impl FnMut(&FleetEvent),
    ) -> Result<FleetOutcome> {
        options.check()?;
        Target::check_list(targets)?;
        let clock = self.inner.transport.clock();
        let started = clock.now();
        let deadline = started + options.wait.timeout;
        // Counts what the workers send, whether or not the scheduler takes its answer.
        let tally = Arc::new(Tally::default());
        // Ends the workers' requests in flight: at a cancel (linked) or when the wait ends.
        let stop = CancelToken::new();
        let _link = options.wait.cancel.as_ref().map(|token| token.link(&stop));
        let client = self
            .for_wait(deadline, Some(&stop))
            .single_attempt()
            .with_tally(Arc::clone(&tally));
        let mut fleet = Fleet::new(targets, options, started, deadline, &stop);
        let workers = options.concurrency.min(fleet.units());
        let (jobs, job_queue) = mpsc::channel::<Job>();
        let job_queue = Mutex::new(job_queue);
        let (done, answers) = mpsc::channel::<Done>();
        let ending = std::thread::scope(|scope| {
            let mut spawned = 0;
            let mut spawn_error = None;
            for n in 0..workers {
                let (client, stop, job_queue, done) = (&client, &stop, &job_queue, done.clone());
                match std::thread::Builder::new()
                    .name(format!("hwinst-fleet-{n}"))
                    .spawn_scoped(scope, move || work(client, stop, job_queue, &done))
                {
                    Ok(_) => spawned += 1,
                    Err(e) => {
                        spawn_error = Some(e);
                        break;
                    }
                }
            }
            drop(done);
            if spawned == 0 {
                let why = spawn_error.map_or_else(String::new, |e| e.to_string());
                return Err(Error::Config(format!(
                    "cannot start the fleet wait's threads: {why}"
                )));
            }
            fleet.concurrency = spawned;
            let ending = fleet.run(clock, &jobs, &answers, &mut |index, lifecycle| {
                on_change(&FleetEvent {
                    index,
                    target: &targets[index],
                    lifecycle,
                })
            });
            stop.cancel();
            drop(jobs);
            Ok(ending)
        })?;
        // The workers are done (their requests in flight were cut): the tally is complete, late
        // answers (a list page, a 429 after the outcome was decided) included.
        Ok(fleet.finish(ending, clock.now(), &tally))
    }
}

/// What a fleet wait's workers sent: every request (each list page, each re-signed request),
/// and every 429 answered, counted as it happens.
#[derive(Debug, Default)]
pub(crate) struct Tally {
    sent: PerService<AtomicU64>,
    throttled: AtomicU64,
}

impl Tally {
    /// A request to `service` is about to be sent.
    pub(crate) fn sending(&self, service: Service) {
        self.sent.get(service).fetch_add(1, Ordering::Relaxed);
    }

    /// A request was answered 429.
    pub(crate) fn throttled(&self) {
        self.throttled.fetch_add(1, Ordering::Relaxed);
    }

    fn requests(&self) -> FleetRequests {
        let sent = |service| self.sent.get(service).load(Ordering::Relaxed);
        FleetRequests {
            roma: sent(Service::Roma),
            apig: sent(Service::Apig),
            clouddc: sent(Service::Clouddc),
        }
    }
}

/// What the scheduler schedules: one instance, or the ROMA list for every batched instance.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Unit {
    One(usize),
    RomaList,
}

/// A poll for a worker.
enum Job {
    One {
        index: usize,
        source: Source,
        instance_id: String,
    },
    RomaList {
        wanted: HashSet<String>,
    },
}

/// A worker's answer.
enum Done {
    One {
        index: usize,
        answer: Result<Lifecycle>,
    },
    RomaList {
        pages: u32,
        answer: Result<HashMap<String, Lifecycle>>,
    },
}

/// A worker: takes polls until the scheduler hangs up, each in a scope whose sockets the stop
/// token cuts. (`client` makes one attempt per request: see `Client::single_attempt`.)
fn work(client: &Client, stop: &CancelToken, jobs: &Mutex<Receiver<Job>>, done: &Sender<Done>) {
    loop {
        let job = match jobs.lock().unwrap_or_else(PoisonError::into_inner).recv() {
            Ok(job) => job,
            Err(_) => return,
        };
        let _scope = CancelScope::enter(Some(stop));
        let answer = match job {
            Job::One {
                index,
                source,
                instance_id,
            } => Done::One {
                index,
                answer: client.lifecycle(source, &instance_id),
            },
            Job::RomaList { wanted } => read_roma_list(client, &wanted),
        };
        if done.send(answer).is_err() {
            return;
        }
    }
}

/// Every page of the ROMA list: the lifecycles of the `wanted` instances found in it.
///
/// An instance listed twice in one round (the list shifted between two page requests) keeps
/// its first read, as the pager keeps the first of an instance repeated on the next page: both
/// reads are of the same round, a page request apart, and the next round reads it again.
fn read_roma_list(client: &Client, wanted: &HashSet<String>) -> Done {
    let mut pages = client.roma_instances(&RomaListQuery::new());
    let mut found = HashMap::new();
    let mut failure = None;
    for instance in &mut pages {
        match instance {
            Ok(instance) => {
                if let Some(id) = instance.id.as_ref().filter(|id| wanted.contains(*id)) {
                    let read_at = client.inner.transport.clock().wall_time();
                    found
                        .entry(id.clone())
                        .or_insert_with(|| instance.lifecycle().observed_at(read_at));
                }
            }
            Err(e) => {
                failure = Some(e);
                break;
            }
        }
    }
    Done::RomaList {
        pages: pages.requests(),
        answer: failure.map_or(Ok(found), Err),
    }
}

/// One target being waited for.
struct Slot {
    state: PollState,
    service: Service,
    batched: bool,
    /// Batched: the last list round did not hold it (once is not yet "not found").
    unlisted: bool,
    end: Option<(InstanceOutcome, Option<Error>)>,
}

/// A service's share of the fleet: its budget, and the pause a 429 imposed.
struct Budget {
    bucket: TokenBucket,
    paused_until: Option<Instant>,
    /// 429s in a row, for the pause when the service gives no `Retry-After`.
    throttled_in_a_row: u32,
}

/// Why the scheduler stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ending {
    /// Every instance ended, or the mode's condition or `fail_fast` ended the wait.
    Done,
    Cancelled,
    Deadline,
}

/// The scheduler's state.
struct Fleet<'a> {
    options: &'a FleetOptions,
    stop: &'a CancelToken,
    started: Instant,
    deadline: Instant,
    concurrency: usize,
    slots: Vec<Slot>,
    budgets: PerService<Budget>,
    /// The ROMA list's pauses, when ROMA instances are batched.
    list_pacer: Option<Pacer>,
    queue: BinaryHeap<Reverse<(Instant, u64, Unit)>>,
    pushed: u64,
    in_flight: usize,
}

impl<'a> Fleet<'a> {
    fn new(
        targets: &[Target],
        options: &'a FleetOptions,
        started: Instant,
        deadline: Instant,
        stop: &'a CancelToken,
    ) -> Fleet<'a> {
        let roma = targets
            .iter()
            .filter(|t| t.source.service() == Service::Roma)
            .count();
        let batch = options.batch_roma && roma >= 2;
        let slots = targets
            .iter()
            .map(|t| Slot {
                state: PollState::new(t.source, &t.instance_id, &options.wait),
                service: t.source.service(),
                batched: batch && t.source.service() == Service::Roma,
                unlisted: false,
                end: None,
            })
            .collect();
        let mut fleet = Fleet {
            options,
            stop,
            started,
            deadline,
            concurrency: options.concurrency,
            slots,
            budgets: PerService::from_fn(|service| Budget {
                bucket: TokenBucket::new(*options.max_requests_per_second.get(service)),
                paused_until: None,
                throttled_in_a_row: 0,
            }),
            list_pacer: batch.then(|| Pacer::new(&options.wait)),
            queue: BinaryHeap::new(),
            pushed: 0,
            in_flight: 0,
        };
        if batch {
            fleet.push(started, Unit::RomaList);
        }
        for index in 0..fleet.slots.len() {
            if !fleet.slots[index].batched {
                fleet.push(started, Unit::One(index));
            }
        }
        fleet
    }

    /// How many units there are to poll (the most workers that can be busy).
    fn units(&self) -> usize {
        self.queue.len()
    }

    fn push(&mut self, due: Instant, unit: Unit) {
        self.pushed += 1;
        self.queue.push(Reverse((due, self.pushed, unit)));
    }

    fn service(&self, unit: Unit) -> Service {
        match unit {
            Unit::One(index) => self.slots[index].service,
            Unit::RomaList => Service::Roma,
        }
    }

    /// Whether `unit` still has an instance to poll.
    fn active(&self, unit: Unit) -> bool {
        match unit {
            Unit::One(index) => self.slots[index].end.is_none(),
            Unit::RomaList => self.slots.iter().any(|s| s.batched && s.end.is_none()),
        }
    }

    /// Whether the wait is over: every instance ended, or the mode's condition or
    /// `fail_fast` ends it.
    fn over(&self) -> bool {
        let ended = |outcome| {
            self.slots
                .iter()
                .any(|s| s.end.as_ref().is_some_and(|(o, _)| *o == outcome))
        };
        self.slots.iter().all(|s| s.end.is_some())
            || (self.options.mode == FleetMode::Any && ended(InstanceOutcome::Reached))
            || (self.options.fail_fast && ended(InstanceOutcome::Failed))
    }

    /// The scheduling loop: dispatch what is due and allowed, then wait for an answer or the
    /// next due time.
    fn run(
        &mut self,
        clock: &dyn crate::clock::Clock,
        jobs: &Sender<Job>,
        answers: &Receiver<Done>,
        on_change: &mut dyn FnMut(usize, &Lifecycle),
    ) -> Ending {
        loop {
            if self.over() {
                return Ending::Done;
            }
            if self.stop.is_cancelled() {
                return Ending::Cancelled;
            }
            let now = clock.now();
            if now >= self.deadline {
                return Ending::Deadline;
            }
            if !self.dispatch(now, jobs) {
                return Ending::Done;
            }
            let next_due = match self.queue.peek() {
                Some(Reverse((due, _, _))) if self.in_flight < self.concurrency => {
                    (*due).min(self.deadline)
                }
                _ => self.deadline,
            };
            let wait = next_due.saturating_duration_since(now);
            if self.in_flight > 0 {
                // Requests in flight: their answers or the next due poll, whichever is first.
                // (On a clock that only moves when slept on, time stands still meanwhile.)
                match answers.recv_timeout(wait) {
                    Ok(done) => {
                        self.in_flight -= 1;
                        self.absorb(done, clock, on_change);
                        while let Ok(done) = answers.try_recv() {
                            self.in_flight -= 1;
                            self.absorb(done, clock, on_change);
                        }
                    }
                    Err(RecvTimeoutError::Timeout) => {}
                    Err(RecvTimeoutError::Disconnected) => return Ending::Done,
                }
            } else if self.queue.is_empty() {
                return Ending::Done;
            } else {
                clock.sleep(wait, Some(self.stop));
            }
        }
    }

    /// Sends every poll that is due, has a free worker and its service's budget; false when
    /// the workers are gone.
    fn dispatch(&mut self, now: Instant, jobs: &Sender<Job>) -> bool {
        while self.in_flight < self.concurrency {
            let Some(&Reverse((due, _, unit))) = self.queue.peek() else {
                break;
            };
            if due > now {
                break;
            }
            self.queue.pop();
            if !self.active(unit) {
                continue;
            }
            let service = self.service(unit);
            let budget = self.budgets.get_mut(service);
            if let Some(until) = budget.paused_until.filter(|until| *until > now) {
                self.push(until, unit);
                continue;
            }
            if let Err(wait) = budget.bucket.take(now) {
                self.push(later(now, wait), unit);
                continue;
            }
            let job = match unit {
                Unit::One(index) => Job::One {
                    index,
                    source: self.slots[index].state.source,
                    instance_id: self.slots[index].state.instance_id.clone(),
                },
                Unit::RomaList => Job::RomaList {
                    wanted: self
                        .slots
                        .iter()
                        .filter(|s| s.batched && s.end.is_none())
                        .map(|s| s.state.instance_id.clone())
                        .collect(),
                },
            };
            if jobs.send(job).is_err() {
                return false;
            }
            self.in_flight += 1;
        }
        true
    }

    /// Takes a worker's answer: each instance's poll state, the service's budget, the
    /// callback, and when to poll again.
    fn absorb(
        &mut self,
        done: Done,
        clock: &dyn crate::clock::Clock,
        on_change: &mut dyn FnMut(usize, &Lifecycle),
    ) {
        let now = clock.now();
        let left = self.deadline.saturating_duration_since(now);
        match done {
            Done::One { index, answer } => {
                let service = self.slots[index].service;
                self.note(service, answer.as_ref().err(), now);
                let asked = self.record(index, answer, now, clock, on_change);
                if self.slots[index].end.is_none() {
                    let pause = self.slots[index].state.pacer.next(clock, asked).min(left);
                    self.push(later(now, pause), Unit::One(index));
                }
            }
            Done::RomaList { pages, answer } => {
                // The first page took a token when sent; the budget pays for the others now.
                let more = pages.saturating_sub(1);
                self.budgets.get_mut(Service::Roma).bucket.charge(more, now);
                self.note(Service::Roma, answer.as_ref().err(), now);
                let asked = answer.as_ref().err().and_then(Error::retry_after);
                let batched: Vec<usize> = (0..self.slots.len())
                    .filter(|i| self.slots[*i].batched && self.slots[*i].end.is_none())
                    .collect();
                for index in batched {
                    let slot = &mut self.slots[index];
                    let id = &slot.state.instance_id;
                    let one = match &answer {
                        Err(e) => Err(e.copy()),
                        Ok(found) => match found.get(id) {
                            Some(lifecycle) => {
                                slot.unlisted = false;
                                Ok(lifecycle.clone())
                            }
                            // Absent from one round is not gone: an instance deleted between
                            // two page requests shifts the later ones, and one may be missed.
                            // The next round confirms (or finds it).
                            None if !slot.unlisted => {
                                slot.unlisted = true;
                                log::debug!(
                                    target: "hwinst",
                                    "fleet wait: ROMA instance {} not in this list round; \
                                     the next round confirms",
                                    crate::error::echo(id)
                                );
                                continue;
                            }
                            None => Err(not_listed(id)),
                        },
                    };
                    self.record(index, one, now, clock, on_change);
                }
                if self.active(Unit::RomaList) {
                    if let Some(pacer) = self.list_pacer.as_mut() {
                        let pause = pacer.next(clock, asked).min(left);
                        self.push(later(now, pause), Unit::RomaList);
                    }
                }
            }
        }
    }

    /// A service's answer, for its budget: a 429 pauses every poll of the service; when that
    /// pause ends past the deadline, the service's instances end with the 429.
    fn note(&mut self, service: Service, error: Option<&Error>, now: Instant) {
        let budget = self.budgets.get_mut(service);
        let Some(error) = error.filter(|e| e.kind() == ErrorKind::Throttled) else {
            if error.is_none() {
                budget.throttled_in_a_row = 0;
            }
            return;
        };
        budget.throttled_in_a_row += 1;
        let pause = error.retry_after().unwrap_or_else(|| {
            let doublings = budget.throttled_in_a_row.saturating_sub(1).min(16);
            (self.options.wait.initial_interval * 2u32.pow(doublings))
                .min(self.options.wait.max_interval)
        });
        let until = later(now, pause);
        budget.paused_until = Some(budget.paused_until.map_or(until, |u| u.max(until)));
        log::info!(
            target: "hwinst",
            "fleet wait: {service} answered 429; every {service} poll pauses for {} ms",
            pause.as_millis()
        );
        if until >= self.deadline {
            // No poll of this service is allowed before the deadline: its answer is the
            // outcome of every instance of it still waiting, not more refused requests.
            for slot in self.slots.iter_mut() {
                if slot.service == service && slot.end.is_none() {
                    slot.end = Some((InstanceOutcome::Error, Some(error.copy())));
                }
            }
        }
    }

    /// Counts one answer about instance `index`; the pause the service asked for, if any.
    fn record(
        &mut self,
        index: usize,
        answer: Result<Lifecycle>,
        now: Instant,
        clock: &dyn crate::clock::Clock,
        on_change: &mut dyn FnMut(usize, &Lifecycle),
    ) -> Option<Duration> {
        let waited = now.saturating_duration_since(self.started);
        let slot = &mut self.slots[index];
        if slot.end.is_some() {
            return None;
        }
        match slot.state.record(answer, &self.options.wait, waited, clock) {
            Err(e) => {
                slot.end = Some((InstanceOutcome::Error, Some(e)));
                None
            }
            Ok(Answer::NotYet(e)) => e.retry_after(),
            Ok(Answer::Seen { changed, verdict }) => {
                if let Some(lifecycle) = slot.state.last.as_ref() {
                    if changed {
                        on_change(index, lifecycle);
                    }
                    match verdict {
                        Verdict::Reached => slot.end = Some((InstanceOutcome::Reached, None)),
                        Verdict::Failed => {
                            let failed = Error::InstanceFailed(Box::new(lifecycle.clone()));
                            slot.end = Some((InstanceOutcome::Failed, Some(failed)));
                        }
                        Verdict::Pending => {}
                    }
                }
                None
            }
        }
    }

    /// The outcome: instances not finished are cancelled, timed out or pending; what was sent
    /// is `tally`'s.
    fn finish(self, ending: Ending, now: Instant, tally: &Tally) -> FleetOutcome {
        let waited = now.saturating_duration_since(self.started);
        let instances: Vec<FleetInstance> = self
            .slots
            .into_iter()
            .map(|slot| {
                let (outcome, error) = slot.end.unwrap_or_else(|| match ending {
                    Ending::Cancelled => (InstanceOutcome::Cancelled, Some(slot.state.cancelled())),
                    Ending::Deadline => {
                        (InstanceOutcome::Timeout, Some(slot.state.timed_out(waited)))
                    }
                    Ending::Done => (InstanceOutcome::Pending, None),
                });
                FleetInstance {
                    source: slot.state.source,
                    instance_id: slot.state.instance_id,
                    outcome,
                    lifecycle: slot.state.last,
                    error,
                    polls: slot.state.polls,
                }
            })
            .collect();
        let status = status(&instances, self.options.mode);
        FleetOutcome {
            instances,
            requests: tally.requests(),
            throttled: tally.throttled.load(Ordering::Relaxed),
            elapsed: waited,
            status,
        }
    }
}

/// "Not found" for a batched ROMA instance missing from the list.
fn not_listed(instance_id: &str) -> Error {
    Error::Service(Box::new(ServiceError {
        status: 404,
        error_code: None,
        error_msg: Some(format!(
            "the ROMA Connect instance list does not hold {}",
            crate::error::one_line(instance_id)
        )),
        error_details: None,
        request_id: None,
        body_snippet: None,
        attempts: 1,
        retry_after: None,
    }))
}
