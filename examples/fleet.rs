//! The numbers of issue 18 ("Numbers to reach"): the fleet wait (`Client::wait_many`) next to
//! one thread per instance running `Client::wait`, against the simulator.
//!
//! `cargo run --release --features sim --example fleet [-- SCENARIO]`, SCENARIO one of `1`
//! (1,000 mixed instances), `2` (200 APIG instances against a 20/s rate limit), `3` (ROMA
//! batching on and off); all three when absent. Takes about two to three minutes in all.
//!
//! Each measured run is a child process of this example (the same binary, `--child RUN`), so
//! that its peak RSS (`VmHWM`) and CPU time (`getrusage(RUSAGE_SELF)`) are its own. The
//! simulator runs inside that child, on its one thread (`hwinst-sim`): its CPU time is read
//! from `/proc/self/task/*/stat` and subtracted, as is the thread sampler's, to give the
//! client's. Thread counts are sampled from `/proc/self/task` every 5 ms; "client threads" is
//! the peak less the simulator's and the sampler's threads.

// Real time here (clippy.toml refuses it elsewhere): an example run by people, on the system clock
// like its client.
#![allow(clippy::disallowed_methods)]

use hwinst::sim::{InstanceSpec, Operation, RequestRecord, Scenario, Simulator, REQUEST_LOG_LIMIT};
use hwinst::{FleetOptions, InstanceOutcome, Service, Source, Target, WaitOptions};
use std::collections::BTreeMap;
use std::ops::ControlFlow;
use std::process::Command;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

type Result<T> = std::result::Result<T, Box<dyn std::error::Error>>;

/// One measured run's results, as `key=value` pairs.
type Row = BTreeMap<String, String>;

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("--child") {
        let run = args.get(1).ok_or("--child needs a run name")?;
        let row = child(run)?;
        let line: Vec<String> = row.iter().map(|(k, v)| format!("{k}={v}")).collect();
        println!("RESULT {}", line.join(" "));
        return Ok(());
    }
    let which = args.first().map_or("all", String::as_str);
    if !matches!(which, "all" | "1" | "2" | "3") {
        return Err(format!("unknown scenario {which:?}: 1, 2 or 3").into());
    }
    if matches!(which, "all" | "1") {
        scenario_1()?;
    }
    if matches!(which, "all" | "2") {
        scenario_2()?;
    }
    if matches!(which, "all" | "3") {
        scenario_3()?;
    }
    Ok(())
}

/// Runs `run` in a child process and reads its `RESULT` line.
fn measure(run: &str) -> Result<Row> {
    eprintln!("running {run} ...");
    let out = Command::new(std::env::current_exe()?)
        .args(["--child", run])
        .output()?;
    let stdout = String::from_utf8_lossy(&out.stdout);
    if !out.status.success() {
        return Err(format!(
            "{run} failed ({}): {}{}",
            out.status,
            stdout,
            String::from_utf8_lossy(&out.stderr)
        )
        .into());
    }
    let line = stdout
        .lines()
        .find_map(|l| l.strip_prefix("RESULT "))
        .ok_or_else(|| format!("{run}: no RESULT line in {stdout:?}"))?;
    Ok(line
        .split_whitespace()
        .filter_map(|kv| kv.split_once('='))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect())
}

fn get<'a>(row: &'a Row, key: &str) -> &'a str {
    row.get(key).map_or("-", String::as_str)
}

fn print_table(title: &str, header: &[&str], rows: &[Vec<String>]) {
    println!("\n{title}\n");
    println!("| {} |", header.join(" | "));
    println!("|{}", "---|".repeat(header.len()));
    for row in rows {
        println!("| {} |", row.join(" | "));
    }
}

fn scenario_1() -> Result<()> {
    let header = [
        "1,000 instances",
        "reached",
        "wall",
        "peak threads (all)",
        "client threads",
        "CPU, process",
        "CPU, simulator thread",
        "CPU, client",
        "peak RSS",
        "requests",
    ];
    let mut rows = Vec::new();
    for (run, label) in [
        ("s1-fleet", "`wait_many`, concurrency 4"),
        ("s1-threads", "1,000 threads × `wait`"),
    ] {
        let r = measure(run)?;
        rows.push(vec![
            label.to_string(),
            get(&r, "reached").into(),
            format!("{} s", get(&r, "wall_s")),
            get(&r, "threads_peak").into(),
            get(&r, "client_threads").into(),
            format!("{} ms", get(&r, "cpu_total_ms")),
            format!("{} ms", get(&r, "cpu_sim_ms")),
            format!("{} ms", get(&r, "cpu_client_ms")),
            format!("{} MB", get(&r, "rss_mb")),
            get(&r, "requests").into(),
        ]);
    }
    print_table(
        "Scenario 1: 1,000 mixed instances (334 APIG, 333 ROMA, 333 Cloud DC; steps 1-3 s; \
         intervals 1 s growing to 2 s)",
        &header,
        &rows,
    );
    Ok(())
}

fn scenario_2() -> Result<()> {
    let header = [
        "200 APIG, simulator at 20/s",
        "reached",
        "wall",
        "requests",
        "429s (simulator's log)",
        "throttle episodes",
        "429s seen by the fleet",
    ];
    let mut rows = Vec::new();
    for (run, label) in [
        ("s2-fleet", "`wait_many`, budget 18/s"),
        ("s2-fleet-over", "`wait_many`, budget 40/s (over the limit)"),
        ("s2-threads", "200 threads × `wait`"),
    ] {
        let r = measure(run)?;
        rows.push(vec![
            label.to_string(),
            get(&r, "reached").into(),
            format!("{} s", get(&r, "wall_s")),
            get(&r, "requests").into(),
            get(&r, "rate_limited").into(),
            get(&r, "episodes").into(),
            get(&r, "fleet_throttled").into(),
        ]);
    }
    print_table(
        "Scenario 2: 200 APIG instances, the simulator limiting APIG to 20 requests/s",
        &header,
        &rows,
    );
    Ok(())
}

fn scenario_3() -> Result<()> {
    let header = [
        "ROMA instances",
        "batching",
        "reached",
        "wall",
        "requests",
        "list requests",
        "per-instance requests",
        "rounds",
        "requests per round",
    ];
    let mut rows = Vec::new();
    for n in [100, 300] {
        for batch in [true, false] {
            let run = format!("s3-{}-{n}", if batch { "batch" } else { "nobatch" });
            let r = measure(&run)?;
            rows.push(vec![
                n.to_string(),
                if batch { "on" } else { "off" }.into(),
                get(&r, "reached").into(),
                format!("{} s", get(&r, "wall_s")),
                get(&r, "requests").into(),
                get(&r, "list_requests").into(),
                get(&r, "one_requests").into(),
                get(&r, "rounds").into(),
                get(&r, "per_round").into(),
            ]);
        }
    }
    print_table(
        "Scenario 3: ROMA instances with batching on and off (pages of 50; steps 1-3 s)",
        &header,
        &rows,
    );
    Ok(())
}

// ---- the child: one measured run -------------------------------------------------------

/// A step of 1 to 3 s, spread over the instances.
fn step(i: usize) -> Duration {
    Duration::from_millis(1000 + (i as u64 * 7919) % 2001)
}

fn wait_options() -> WaitOptions {
    WaitOptions::new()
        .initial_interval(Duration::from_secs(1))
        .max_interval(Duration::from_secs(2))
        .timeout(Duration::from_secs(300))
}

fn source_of(service: Service) -> Source {
    match service {
        Service::Apig => Source::Apig,
        Service::Roma => Source::Roma,
        Service::Clouddc => Source::Clouddc,
    }
}

/// The instances of a run: `(service, id)`.
fn instances(run: &str) -> Vec<(Service, String)> {
    if run.starts_with("s1-") {
        let services = [Service::Apig, Service::Roma, Service::Clouddc];
        (0..1000)
            .map(|i| (services[i % 3], format!("s1-{i:04}")))
            .collect()
    } else if run.starts_with("s2-") {
        (0..200)
            .map(|i| (Service::Apig, format!("s2-{i:03}")))
            .collect()
    } else {
        let n: usize = run
            .rsplit('-')
            .next()
            .and_then(|n| n.parse().ok())
            .unwrap_or(100);
        (0..n)
            .map(|i| (Service::Roma, format!("s3-{i:03}")))
            .collect()
    }
}

fn child(run: &str) -> Result<Row> {
    let known = [
        "s1-fleet",
        "s1-threads",
        "s2-fleet",
        "s2-fleet-over",
        "s2-threads",
        "s3-batch-100",
        "s3-nobatch-100",
        "s3-batch-300",
        "s3-nobatch-300",
    ];
    if !known.contains(&run) {
        return Err(format!("unknown run {run:?}").into());
    }
    let list = instances(run);
    let mut scenario = Scenario::default();
    for (i, (service, id)) in list.iter().enumerate() {
        scenario = scenario.instance(InstanceSpec::new(*service).id(id.clone()).step(step(i)));
    }
    if run.starts_with("s2-") {
        scenario = scenario.rate_limit(Service::Apig, 20.0);
    }
    let sim = Simulator::start(scenario)?;
    let client = sim.client_builder().user_agent("fleet-example").build()?;
    let options = wait_options();

    let sampler = Sampler::start();
    // Settles the count: main, the simulator's thread and the sampler.
    thread::sleep(Duration::from_millis(20));
    let threads_before = sampler.peak();
    let started = Instant::now();
    let mut row = Row::new();
    let reached = if run.ends_with("-threads") {
        let ok = AtomicUsize::new(0);
        thread::scope(|scope| {
            for (service, id) in &list {
                let (client, options, ok) = (&client, &options, &ok);
                scope.spawn(move || {
                    let r = client.wait(source_of(*service), id, options, |_| {
                        ControlFlow::Continue(())
                    });
                    if r.is_ok() {
                        ok.fetch_add(1, Ordering::Relaxed);
                    }
                });
            }
        });
        ok.load(Ordering::Relaxed)
    } else {
        let targets: Vec<Target> = list
            .iter()
            .map(|(service, id)| Target::new(source_of(*service), id.clone()))
            .collect();
        let per_service = match run {
            "s2-fleet" => 18.0,
            "s2-fleet-over" => 40.0,
            _ => 200.0,
        };
        let fleet_options = FleetOptions::new()
            .wait_options(options.clone())
            .concurrency(4)
            .max_requests_per_second(Service::Apig, per_service)
            .max_requests_per_second(Service::Roma, per_service)
            .max_requests_per_second(Service::Clouddc, per_service)
            .batch_roma(!run.starts_with("s3-nobatch"));
        let fleet = client.wait_many(&targets, &fleet_options, |_| {})?;
        row.insert("fleet_requests".into(), fleet.requests.total().to_string());
        row.insert("fleet_throttled".into(), fleet.throttled.to_string());
        let polls: u64 = fleet.instances.iter().map(|i| u64::from(i.polls)).sum();
        row.insert(
            "mean_polls".into(),
            format!("{:.1}", polls as f64 / fleet.instances.len() as f64),
        );
        fleet
            .instances
            .iter()
            .filter(|i| i.outcome == InstanceOutcome::Reached)
            .count()
    };
    let wall = started.elapsed();
    let threads_peak = sampler.peak();
    let (sim_cpu, sampler_cpu) = (thread_cpu_ms("hwinst-sim"), thread_cpu_ms("sampler"));
    sampler.stop();
    let total_cpu = process_cpu_ms();

    let log = sim.requests();
    let served: Vec<&RequestRecord> = log.iter().filter(|r| r.operation.is_some()).collect();
    let requests = if log.len() >= REQUEST_LOG_LIMIT {
        format!(">={}", served.len())
    } else {
        served.len().to_string()
    };
    row.insert("reached".into(), format!("{reached}/{}", list.len()));
    row.insert("wall_s".into(), format!("{:.1}", wall.as_secs_f64()));
    row.insert("threads_before".into(), threads_before.to_string());
    row.insert("threads_peak".into(), threads_peak.to_string());
    // The simulator's thread and the sampler are not the client's.
    row.insert(
        "client_threads".into(),
        threads_peak.saturating_sub(2).to_string(),
    );
    row.insert("cpu_total_ms".into(), format!("{total_cpu:.0}"));
    row.insert("cpu_sim_ms".into(), format!("{sim_cpu:.0}"));
    row.insert(
        "cpu_client_ms".into(),
        format!("{:.0}", total_cpu - sim_cpu - sampler_cpu),
    );
    row.insert("rss_mb".into(), format!("{:.1}", peak_rss_kb() / 1024.0));
    row.insert("requests".into(), requests);
    let limited: Vec<bool> = served
        .iter()
        .filter(|r| r.operation == Some(Operation::ApigProgress))
        .map(|r| r.rate_limited)
        .collect();
    row.insert(
        "rate_limited".into(),
        limited.iter().filter(|l| **l).count().to_string(),
    );
    // An episode: a run of 429s with no answered request of the service between them.
    let episodes = limited
        .iter()
        .zip(std::iter::once(&false).chain(limited.iter()))
        .filter(|(now, before)| **now && !**before)
        .count();
    row.insert("episodes".into(), episodes.to_string());
    let list_requests: Vec<&&RequestRecord> = served
        .iter()
        .filter(|r| r.operation == Some(Operation::RomaList))
        .collect();
    let rounds = list_requests
        .iter()
        .filter(|r| offset(&r.query) == 0)
        .count();
    let one_requests = served.len() - list_requests.len();
    row.insert("list_requests".into(), list_requests.len().to_string());
    row.insert("one_requests".into(), one_requests.to_string());
    if run.starts_with("s3-batch") {
        row.insert("rounds".into(), rounds.to_string());
        row.insert(
            "per_round".into(),
            format!("{:.2}", list_requests.len() as f64 / rounds.max(1) as f64),
        );
    } else if run.starts_with("s3-nobatch") {
        // A round: every instance polled once (each instance is polled on its own schedule).
        let mean = row["mean_polls"].parse::<f64>().unwrap_or(1.0);
        row.insert("rounds".into(), format!("{mean:.1} (polls per instance)"));
        row.insert(
            "per_round".into(),
            format!("{:.1}", served.len() as f64 / mean.max(1.0)),
        );
    }
    Ok(row)
}

/// A list request's `offset` (0 when absent).
fn offset(query: &str) -> u64 {
    query
        .split('&')
        .find_map(|kv| kv.strip_prefix("offset="))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

/// Samples the process's thread count (`/proc/self/task`) every 5 ms on its own thread,
/// named `sampler`.
struct Sampler {
    peak: Arc<AtomicUsize>,
    stop: Arc<AtomicBool>,
    thread: thread::JoinHandle<()>,
}

impl Sampler {
    fn start() -> Sampler {
        let peak = Arc::new(AtomicUsize::new(0));
        let stop = Arc::new(AtomicBool::new(false));
        let (p, s) = (peak.clone(), stop.clone());
        let thread = thread::Builder::new()
            .name("sampler".into())
            .spawn(move || {
                while !s.load(Ordering::Relaxed) {
                    p.fetch_max(thread_count(), Ordering::Relaxed);
                    thread::sleep(Duration::from_millis(5));
                }
            })
            .expect("the sampler's thread");
        Sampler { peak, stop, thread }
    }

    fn peak(&self) -> usize {
        self.peak.load(Ordering::Relaxed)
    }

    fn stop(self) {
        self.stop.store(true, Ordering::Relaxed);
        let _ = self.thread.join();
    }
}

fn thread_count() -> usize {
    std::fs::read_dir("/proc/self/task").map_or(0, |d| d.count())
}

/// CPU time (user + system) of the live threads named `name`, in ms.
fn thread_cpu_ms(name: &str) -> f64 {
    let tick = unsafe { libc::sysconf(libc::_SC_CLK_TCK) } as f64;
    let Ok(tasks) = std::fs::read_dir("/proc/self/task") else {
        return 0.0;
    };
    let mut ticks = 0u64;
    for task in tasks.flatten() {
        let path = task.path();
        let comm = std::fs::read_to_string(path.join("comm")).unwrap_or_default();
        if comm.trim() != name {
            continue;
        }
        let stat = std::fs::read_to_string(path.join("stat")).unwrap_or_default();
        // After the command's closing parenthesis: state is field 3, utime 14, stime 15.
        if let Some((_, rest)) = stat.rsplit_once(')') {
            let fields: Vec<&str> = rest.split_whitespace().collect();
            for i in [11, 12] {
                ticks += fields
                    .get(i)
                    .and_then(|f| f.parse::<u64>().ok())
                    .unwrap_or(0);
            }
        }
    }
    ticks as f64 * 1000.0 / tick
}

/// The process's CPU time (user + system, every thread, the simulator's too), in ms.
fn process_cpu_ms() -> f64 {
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut usage) };
    let ms = |t: libc::timeval| t.tv_sec as f64 * 1000.0 + t.tv_usec as f64 / 1000.0;
    ms(usage.ru_utime) + ms(usage.ru_stime)
}

/// Peak resident set size (`VmHWM`), in kB.
fn peak_rss_kb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0.0)
}
