//! `hwinst demo`: hwinst at work without a cloud account. A simulator in this process plays
//! instances of all three services, some succeeding, some failing, one throttled on the way;
//! hwinst waits for all of them at once, then shows what each ended as beside what its script
//! says, and what the simulator saw.

use crate::exit::Failure;
use crate::output::{self, Format, Table};
use crate::progress::Surface;
use crate::DemoArgs;
use hwinst::sim::{Fault, InstanceSpec, Outcome, RequestRecord, Scenario, Simulator};
use hwinst::{Lifecycle, Phase, Service, Source, WaitOptions};
use serde::Serialize;
use std::io::{self, Write};
use std::ops::ControlFlow;
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
    fn as_expected(&self, result: &WaitResult) -> bool {
        match (self.fails_with, result) {
            (None, Some(Ok(lifecycle))) => lifecycle.phase == Phase::Running,
            (Some(says), Some(Err(error))) if error.kind() == hwinst::ErrorKind::InstanceFailed => {
                error.lifecycle().is_some_and(|lifecycle| {
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

/// How a wait ended; `None` when its thread panicked.
type WaitResult = Option<hwinst::Result<Lifecycle>>;

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
    requests: usize,
    throttled: usize,
    instances: Vec<Row<'a>>,
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
    // Retries keep the client's defaults: they absorb the throttling.
    let client = sim.client_builder().build()?;
    let _ = writeln!(
        io::stderr(),
        "A simulator at {} plays {} instances; hwinst waits for them all.",
        sim.base_url(),
        ACTS.len()
    );

    let scaled = |interval: Duration| interval.div_f64(speed.max(1.0)).max(MIN_INTERVAL);
    // A bound, not a pace: the script ends in about 8 s divided by the speed, and the
    // throttled instance's retries add their wall-clock Retry-After.
    let timeout = Duration::from_secs(25).div_f64(speed) + Duration::from_secs(5);
    let options = WaitOptions::new()
        .initial_interval(scaled(INITIAL_INTERVAL))
        .max_interval(scaled(MAX_INTERVAL))
        .timeout(timeout);
    let surface = Surface::new(format, false);
    let started = Instant::now();
    let endings: Vec<(WaitResult, Duration)> = std::thread::scope(|scope| {
        let (client, options) = (&client, &options);
        let waits: Vec<_> = ACTS
            .iter()
            .map(|act| {
                let display = surface.display(act.source, act.id);
                scope.spawn(move || {
                    let begun = Instant::now();
                    let result = client.wait(act.source, act.id, options, |lifecycle| {
                        display.show(lifecycle);
                        ControlFlow::Continue(())
                    });
                    display.keep();
                    (result, begun.elapsed())
                })
            })
            .collect();
        waits
            .into_iter()
            .map(|wait| match wait.join() {
                Ok((result, took)) => (Some(result), took),
                Err(_) => (None, started.elapsed()),
            })
            .collect()
    });
    let took = started.elapsed();

    let requests = sim.requests();
    let rows: Vec<Row> = ACTS
        .iter()
        .zip(&endings)
        .map(|(act, (result, took))| {
            let mine = || {
                requests
                    .iter()
                    .filter(|r| r.instance_id.as_deref() == Some(act.id))
            };
            let as_expected = act.as_expected(result);
            Row {
                id: act.id,
                source: act.source,
                expected: act.expected(),
                lifecycle: match result {
                    Some(Ok(lifecycle)) => Some(lifecycle),
                    Some(Err(error)) => error.lifecycle(),
                    None => None,
                },
                error: result
                    .as_ref()
                    .and_then(|r| r.as_ref().err())
                    .map(|e| e.kind().as_str()),
                outcome: outcome(result),
                requests: mine().count(),
                throttled: throttled(mine()),
                seconds: tenths(*took),
                as_expected,
                problem: (!as_expected).then(|| match result {
                    Some(Err(error)) => error.to_string(),
                    _ => outcome(result),
                }),
            }
        })
        .collect();
    let summary = Summary {
        as_scripted: rows.iter().all(|row| row.as_expected),
        seconds: tenths(took),
        requests: requests.len(),
        throttled: throttled(requests.iter()),
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
fn outcome(result: &WaitResult) -> String {
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
    match result {
        Some(Ok(lifecycle)) => ended(lifecycle),
        Some(Err(error)) => match (error.kind(), error.lifecycle()) {
            (hwinst::ErrorKind::InstanceFailed, Some(lifecycle)) => ended(lifecycle),
            (kind, Some(lifecycle)) => format!("{}, last {}", kind.as_str(), ended(lifecycle)),
            (kind, None) => kind.as_str().to_owned(),
        },
        None => "the wait stopped unexpectedly".to_owned(),
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
    writeln!(
        out,
        "The simulator answered {} requests; {} of them were 429 Too Many Requests\n\
         (Retry-After: {RETRY_AFTER_S} s), waited out and retried by the client's default \
         retry policy.",
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
