//! `hwinst demo`: hwinst at work without a cloud account. A simulator in this process plays
//! instances of all three services, some succeeding, some failing, one throttled on the way;
//! hwinst waits for all of them at once with one fleet wait (`Client::wait_many`), then shows
//! what each ended as beside what its script says, what the wait sent and what the simulator
//! saw.

use crate::exit::Failure;
use crate::output::{self, Format, Table};
use crate::progress::{FleetDisplay, Surface};
use crate::DemoArgs;
use hwinst::sim::{Fault, InstanceSpec, Outcome, RequestRecord, Scenario, Simulator};
use hwinst::{
    FleetInstance, FleetOptions, FleetRequests, InstanceOutcome, Lifecycle, Phase, Service, Source,
    Target, WaitOptions,
};
use serde::Serialize;
use std::collections::HashMap;
use std::io::{self, Write};
use std::time::{Duration, Instant};

/// One instance of the demo: what the simulator plays, where hwinst reads it, and how it must
/// end.
struct Act {
    id: &'static str,
    service: Service,
    source: Source,
    /// How long each step of its script lasts at `--speed 1`.
    step_ms: u64,
    /// Whether its first two requests are answered 429 with `Retry-After: 1`.
    throttled: bool,
    /// `None`: it is created and reaches running. `Some(..)`: its creation fails, and the wait
    /// ends INSTANCE_FAILED on a failed lifecycle saying this.
    fails_with: Option<Says>,
}

/// What the lifecycle of a failed instance must say.
#[derive(Clone, Copy)]
enum Says {
    /// An error code starting with this (the service's prefix).
    Code(&'static str),
    /// This status word: the source carries no error code (ROMA details).
    Status(&'static str),
}

/// The demo's script and its expectations. Steps are chosen so that the instances end one
/// after another over about 8 s at `--speed 1`.
const ACTS: [Act; 6] = [
    Act {
        id: "gw-1",
        service: Service::Apig,
        source: Source::Apig,
        step_ms: 1500,
        throttled: false,
        fails_with: None,
    },
    Act {
        id: "gw-2",
        service: Service::Apig,
        source: Source::Apig,
        step_ms: 1200,
        throttled: true,
        fails_with: None,
    },
    Act {
        id: "roma-1",
        service: Service::Roma,
        source: Source::Roma,
        step_ms: 1800,
        throttled: false,
        fails_with: None,
    },
    Act {
        id: "roma-2",
        service: Service::Roma,
        source: Source::RomaDetails,
        step_ms: 2500,
        throttled: false,
        fails_with: Some(Says::Status("CreateFail")),
    },
    Act {
        id: "dc-1",
        service: Service::Clouddc,
        source: Source::Clouddc,
        step_ms: 4000,
        throttled: false,
        fails_with: None,
    },
    Act {
        id: "dc-2",
        service: Service::Clouddc,
        source: Source::Clouddc,
        step_ms: 6000,
        throttled: false,
        fails_with: Some(Says::Code("CLOUDDC.")),
    },
];

/// The throttling fault's `Retry-After`, in seconds (wall time: the client waits it out).
const RETRY_AFTER_S: u64 = 1;

/// Polling, at `--speed 1`: quick at first, so that every step is seen.
const INITIAL_INTERVAL: Duration = Duration::from_millis(200);
const MAX_INTERVAL: Duration = Duration::from_secs(1);
/// The shortest poll interval however fast the demo runs.
const MIN_INTERVAL: Duration = Duration::from_millis(10);
/// The fleet's budget per service at `--speed 1`, in requests per second (times the speed
/// above 1): the library's default, 0.5/s, suits a real account's throttling, not a script
/// whose steps last a second or two.
const BUDGET_PER_SECOND: f64 = 4.0;
/// Requests in flight at once: the fleet wait's worker threads.
const CONCURRENCY: usize = 4;

impl Act {
    fn spec(&self) -> InstanceSpec {
        let outcome = match self.fails_with {
            None => Outcome::Success,
            Some(_) => Outcome::Fail,
        };
        InstanceSpec::new(self.service)
            .id(self.id)
            .outcome(outcome)
            .step(Duration::from_millis(self.step_ms))
    }

    fn expected(&self) -> Phase {
        match self.fails_with {
            None => Phase::Running,
            Some(_) => Phase::Failed,
        }
    }

    /// Whether the wait ended as the script says.
    fn as_expected(&self, ending: &FleetInstance) -> bool {
        match (self.fails_with, ending.outcome) {
            (None, InstanceOutcome::Reached) => ending
                .lifecycle
                .as_ref()
                .is_some_and(|lifecycle| lifecycle.phase == Phase::Running),
            (Some(says), InstanceOutcome::Failed) => {
                ending.lifecycle.as_ref().is_some_and(|lifecycle| {
                    let code = lifecycle
                        .error
                        .as_ref()
                        .and_then(|e| e.error_code.as_deref());
                    lifecycle.phase == Phase::Failed
                        && match says {
                            Says::Code(prefix) => code.is_some_and(|c| c.starts_with(prefix)),
                            Says::Status(word) => lifecycle.status.as_deref() == Some(word),
                        }
                })
            }
            _ => false,
        }
    }
}

/// One act's ending, as the summary shows it.
#[derive(Serialize)]
struct Row<'a> {
    id: &'a str,
    source: Source,
    expected: Phase,
    /// The lifecycle the wait ended on, when it saw one.
    lifecycle: Option<&'a Lifecycle>,
    /// The error class the wait ended with (`INSTANCE_FAILED` for a failed instance).
    error: Option<&'static str>,
    /// What ended it, for people: `running 100%`, `failed CLOUDDC.1001`, `TIMEOUT, last ...`.
    outcome: String,
    /// The requests the simulator answered for it, retries included.
    requests: usize,
    /// How many of those were answered 429.
    throttled: usize,
    seconds: f64,
    as_expected: bool,
    /// Why not, when it did not end as scripted.
    #[serde(skip_serializing_if = "Option::is_none")]
    problem: Option<String>,
}

/// `--output json`: the summary as one document.
#[derive(Serialize)]
struct Summary<'a> {
    as_scripted: bool,
    seconds: f64,
    /// The requests the simulator answered.
    requests: usize,
    /// How many of those were answered 429.
    throttled: usize,
    /// What the fleet wait used and sent.
    fleet: FleetUse,
    instances: Vec<Row<'a>>,
}

/// The fleet wait's settings and cost.
#[derive(Serialize)]
struct FleetUse {
    /// Each service's budget, in requests per second.
    budget_per_second: f64,
    concurrency: usize,
    batch_roma: bool,
    /// The requests it sent, per service.
    requests: FleetRequests,
    /// Their sum.
    total: u64,
}

pub fn demo(format: Format, args: &DemoArgs) -> Result<(), Failure> {
    let speed = args.speed;
    let sim = Simulator::start(Scenario::default().speed(speed))?;
    for act in &ACTS {
        sim.add_instance(act.spec())?;
        if act.throttled {
            sim.add_fault(
                Fault::status(429)
                    .retry_after_s(RETRY_AFTER_S)
                    .instance(act.id)
                    .times(2),
            )?;
        }
    }
    // The fleet wait polls with one request each (no retries inside a poll): a 429 pauses
    // every poll of its service for the Retry-After.
    let client = sim.client_builder().build()?;
    let budget = BUDGET_PER_SECOND * speed.max(1.0);
    let _ = writeln!(
        io::stderr(),
        "A simulator at {} plays {} instances; hwinst waits for them all with one fleet wait \
         ({budget} requests/s per service, {CONCURRENCY} in flight at most).",
        sim.base_url(),
        ACTS.len()
    );

    let scaled = |interval: Duration| interval.div_f64(speed.max(1.0)).max(MIN_INTERVAL);
    // A bound, not a pace: the script ends in about 8 s divided by the speed, and the
    // throttled instance's pauses add their wall-clock Retry-After.
    let timeout = Duration::from_secs(25).div_f64(speed) + Duration::from_secs(5);
    let wait = WaitOptions::new()
        .initial_interval(scaled(INITIAL_INTERVAL))
        .max_interval(scaled(MAX_INTERVAL))
        .timeout(timeout);
    // Batching off: the ROMA instances keep their own sources (progress, the details' words).
    let mut options = FleetOptions::new()
        .wait_options(wait)
        .concurrency(CONCURRENCY)
        .batch_roma(false);
    for service in Service::ALL {
        options = options.max_requests_per_second(service, budget);
    }
    let targets: Vec<Target> = ACTS
        .iter()
        .map(|act| Target::new(act.source, act.id))
        .collect();
    let surface = Surface::new(format, false);
    let display = FleetDisplay::new(&surface, &targets);
    // How long the demo's waits took, shown to people in real time.
    #[allow(clippy::disallowed_methods)]
    let started = Instant::now();
    // When each instance last changed: the time its wait took.
    let mut changed: HashMap<String, Duration> = HashMap::new();
    let fleet = client.wait_many(&targets, &options, |event| {
        display.show(event);
        changed.insert(event.target.instance_id.clone(), started.elapsed());
    });
    display.keep();
    let fleet = fleet?;
    let took = started.elapsed();

    let requests = sim.requests();
    let rows: Vec<Row> = ACTS
        .iter()
        .zip(&fleet.instances)
        .map(|(act, ending)| {
            let mine = || {
                requests
                    .iter()
                    .filter(|r| r.instance_id.as_deref() == Some(act.id))
            };
            let as_expected = act.as_expected(ending);
            let seconds = match ending.outcome {
                InstanceOutcome::Reached | InstanceOutcome::Failed => {
                    changed.get(act.id).copied().unwrap_or(took)
                }
                _ => took,
            };
            Row {
                id: act.id,
                source: act.source,
                expected: act.expected(),
                lifecycle: ending.lifecycle.as_ref(),
                error: ending.error.as_ref().map(|e| e.kind().as_str()),
                outcome: outcome(ending),
                requests: mine().count(),
                throttled: throttled(mine()),
                seconds: tenths(seconds),
                as_expected,
                problem: (!as_expected).then(|| match &ending.error {
                    Some(error) => format!("{}: {error}", ending.outcome.as_str()),
                    None => outcome(ending),
                }),
            }
        })
        .collect();
    let summary = Summary {
        as_scripted: rows.iter().all(|row| row.as_expected),
        seconds: tenths(took),
        requests: requests.len(),
        throttled: throttled(requests.iter()),
        fleet: FleetUse {
            budget_per_second: budget,
            concurrency: CONCURRENCY,
            batch_roma: false,
            requests: fleet.requests,
            total: fleet.requests.total(),
        },
        instances: rows,
    };

    let mut out = io::stdout().lock();
    match format {
        Format::Json => output::json(&mut out, &summary)?,
        Format::Human => write_summary(&mut out, &summary)?,
    }
    out.flush()?;
    drop(out);

    let missed: Vec<String> = summary
        .instances
        .iter()
        .filter_map(|row| Some(format!("{} ({})", row.id, row.problem.as_ref()?)))
        .collect();
    if !missed.is_empty() {
        return Err(Failure::Demo(format!(
            "{} of {} instances did not end as scripted: {}",
            missed.len(),
            ACTS.len(),
            missed.join("; ")
        )));
    }
    let _ = writeln!(
        io::stderr(),
        "Next: hwinst sim serve runs this simulator on its own, and says how to use it."
    );
    Ok(())
}

/// How a wait ended, in a few words: `running 100%`, `failed CLOUDDC.1001`,
/// `failed (CreateFail)`, `TIMEOUT, last creating 30%`.
fn outcome(ending: &FleetInstance) -> String {
    let ended = |lifecycle: &Lifecycle| {
        let mut text = lifecycle.phase.to_string();
        if let Some(progress) = lifecycle.progress {
            text.push_str(&format!(" {progress}%"));
        }
        let code = lifecycle.error.as_ref().and_then(|e| e.error_code.as_ref());
        match (code, &lifecycle.status) {
            (Some(code), _) => text.push_str(&format!(" {code}")),
            (None, Some(status)) if lifecycle.phase == Phase::Failed => {
                text.push_str(&format!(" ({status})"))
            }
            _ => {}
        }
        text
    };
    let why = ending
        .error
        .as_ref()
        .map_or(ending.outcome.as_str(), |e| e.kind().as_str());
    match (ending.outcome, &ending.lifecycle) {
        (InstanceOutcome::Reached | InstanceOutcome::Failed, Some(lifecycle)) => ended(lifecycle),
        (_, Some(lifecycle)) => format!("{why}, last {}", ended(lifecycle)),
        (_, None) => why.to_owned(),
    }
}

/// How many of `requests` were answered 429.
fn throttled<'a>(requests: impl Iterator<Item = &'a RequestRecord>) -> usize {
    requests.filter(|r| r.status == 429).count()
}

/// Seconds to a tenth: enough for people, and stable enough to read.
fn tenths(duration: Duration) -> f64 {
    (duration.as_secs_f64() * 10.0).round() / 10.0
}

fn write_summary(out: &mut dyn Write, summary: &Summary) -> io::Result<()> {
    let mut table = Table::new(&[
        "INSTANCE", "SOURCE", "EXPECTED", "OUTCOME", "REQUESTS", "TIME",
    ]);
    for row in &summary.instances {
        let mark = if row.as_expected { "✓" } else { "✗" };
        let requests = match row.throttled {
            0 => row.requests.to_string(),
            n => format!("{}, {n}×429", row.requests),
        };
        table.row([
            Some(row.id.to_owned()),
            Some(row.source.to_string()),
            Some(row.expected.to_string()),
            Some(format!("{mark} {}", row.outcome)),
            Some(requests),
            Some(format!("{:.1}s", row.seconds)),
        ]);
    }
    writeln!(out)?;
    table.write(out)?;
    writeln!(out)?;
    let fleet = &summary.fleet;
    writeln!(
        out,
        "One fleet wait sent {} requests (apig {}, roma {}, clouddc {}) on {} worker threads,\n\
         within a budget of {} requests/s per service (the library's default is {}/s, for a \
         real account);\nROMA batching off, so that ROMA instances show their own progress.",
        fleet.total,
        fleet.requests.apig,
        fleet.requests.roma,
        fleet.requests.clouddc,
        fleet.concurrency,
        fleet.budget_per_second,
        hwinst::DEFAULT_MAX_REQUESTS_PER_SECOND
    )?;
    writeln!(
        out,
        "The simulator answered {} requests; {} of them were 429 Too Many Requests\n\
         (Retry-After: {RETRY_AFTER_S} s), each pausing every API Gateway poll until it passed.",
        summary.requests, summary.throttled
    )?;
    let matched = summary
        .instances
        .iter()
        .filter(|row| row.as_expected)
        .count();
    if summary.as_scripted {
        writeln!(
            out,
            "All {matched} instances ended as scripted, in {:.1} s.",
            summary.seconds
        )
    } else {
        writeln!(
            out,
            "{matched} of {} instances ended as scripted, in {:.1} s.",
            summary.instances.len(),
            summary.seconds
        )
    }
}
