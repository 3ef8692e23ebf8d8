#![cfg(feature = "cli")]
//! The `hwinst` command line, run as a process against the simulator (`hwinst::sim`) on
//! loopback: each subcommand's human and JSON output, the exit code of each error class, the
//! configuration sources, `sim serve`, `demo`, and `--help`.
//!
//! Expected output is checked against what the library reads from the same simulator in this
//! process, so that the tests say "the command line prints what the library got" without
//! copying the simulator's bodies. The child's environment is cleared (PATH aside), so the
//! developer's credentials and proxies cannot leak in.

// Real time here (clippy.toml refuses it elsewhere): the CLI runs as a child process, on the system
// clock.
#![allow(clippy::disallowed_methods)]

use crate::common;

use common::{PROJECT, TOKEN};
use hwinst::sim::{Fault, InstanceSpec, Operation, Outcome, Scenario, Simulator};
use hwinst::{Client, RomaListQuery, Service, Source};
use serde_json::{json, Value};
use std::io::{BufRead, BufReader, Read};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant, UNIX_EPOCH};

const APIG_ID: &str = "eddc4d25480b4cd6b512f270a1b8b341";
const ROMA_ID: &str = "b037d389-62a4-464a-8461-c88797ad4f23";
const CLOUDDC_ID: &str = "5e3d1b3c2a5c4d8e";

/// The simulator and a configuration file pointing every endpoint at it, with the test token.
struct Backend {
    sim: Simulator,
    config: PathBuf,
}

fn backend() -> Backend {
    let scenario = Scenario::default()
        .project_id(PROJECT)
        .no_credentials()
        .token(TOKEN);
    let sim = Simulator::start(scenario).expect("the simulator starts");
    let mut document: Value = serde_json::from_str(&sim.config_json()).unwrap();
    // Retries are quick, so that the throttling tests do not wait for the defaults.
    document["retry"] = json!({"max_attempts": 3, "base_delay_ms": 5, "max_delay_ms": 20});
    let config = temp_file("config.json", &document.to_string());
    Backend { sim, config }
}

/// An instance that is at the end of its script from the start: running.
fn steady(service: Service, id: &str) -> InstanceSpec {
    InstanceSpec::new(service).id(id).outcome(Outcome::Steady)
}

/// An instance that stays at the first step of its script for the whole test.
fn stuck(service: Service, id: &str) -> InstanceSpec {
    InstanceSpec::new(service)
        .id(id)
        .step(Duration::from_secs(3600))
}

impl Backend {
    fn add(&self, spec: InstanceSpec) -> String {
        self.sim.add_instance(spec).expect("the instance is added")
    }

    fn fault(&self, fault: Fault) {
        self.sim.add_fault(fault).expect("the fault is added");
    }

    /// A client of the same simulator in this process: what the library reads.
    fn client(&self) -> Client {
        self.sim.client_builder().build().expect("a client")
    }

    /// The statuses the simulator answered for `id`, in order.
    fn statuses(&self, id: &str) -> Vec<u16> {
        self.sim
            .requests()
            .iter()
            .filter(|r| r.instance_id.as_deref() == Some(id))
            .map(|r| r.status)
            .collect()
    }

    /// `hwinst args...` configured by the file.
    fn run(&self, args: &[&str]) -> Run {
        run(hwinst().env("HWINST_CONFIG", &self.config).args(args))
    }
}

/// A file under cargo's temporary directory for tests, unique to this call.
fn temp_file(name: &str, content: &str) -> PathBuf {
    use std::sync::atomic::{AtomicU32, Ordering};
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    let dir =
        PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("cli-{}-{n}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a temporary directory");
    let path = dir.join(name);
    std::fs::write(&path, content).expect("a temporary file");
    path
}

/// The binary with nothing of this process's environment but PATH, an empty HOME and the
/// metadata service turned off: a command without credentials must find none of the
/// developer's (~/.huaweicloud, ~/.hcloud) and must not ask 169.254.169.254 from here.
fn hwinst() -> Command {
    let home = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("cli-empty-home");
    std::fs::create_dir_all(&home).expect("an empty HOME");
    let mut command = Command::new(env!("CARGO_BIN_EXE_hwinst"));
    command
        .env_clear()
        .env("HOME", home)
        .env("HWINST_METADATA_ENDPOINT", "none");
    if let Some(path) = std::env::var_os("PATH") {
        command.env("PATH", path);
    }
    command
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn run(command: &mut Command) -> Run {
    let output = command.output().expect("hwinst runs");
    Run {
        code: output.status.code().expect("an exit code, not a signal"),
        stdout: String::from_utf8(output.stdout).expect("UTF-8 stdout"),
        stderr: String::from_utf8(output.stderr).expect("UTF-8 stderr"),
    }
}

impl Run {
    /// Asserts the exit code, showing the output when it differs.
    fn expect(self, code: i32) -> Run {
        assert_eq!(
            self.code, code,
            "exit code\n--- stdout\n{}--- stderr\n{}",
            self.stdout, self.stderr
        );
        self
    }

    /// Stdout as the one JSON document it must be.
    fn json(&self) -> Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("stdout is not one JSON document ({e}):\n{}", self.stdout))
    }

    /// A failure says so in one line on stderr, and never shows the token.
    fn one_error_line(&self) -> &str {
        assert!(!self.stderr.contains(TOKEN) && !self.stdout.contains(TOKEN));
        let lines: Vec<&str> = self.stderr.lines().collect();
        assert_eq!(lines.len(), 1, "stderr: {}", self.stderr);
        assert!(lines[0].starts_with("hwinst: "), "stderr: {}", self.stderr);
        lines[0]
    }

    /// Asserts that stdout has this line.
    fn has_line(&self, line: &str) -> &Run {
        assert!(
            self.stdout.lines().any(|l| l == line),
            "no {line:?} in\n{}",
            self.stdout
        );
        self
    }
}

/// `value` as JSON, as the command line prints it in JSON mode.
fn as_json(value: &impl serde::Serialize) -> Value {
    serde_json::to_value(value).expect("models serialise")
}

/// Unix milliseconds as the human views print them.
fn utc(ms: i64) -> String {
    let time = UNIX_EPOCH + Duration::from_millis(u64::try_from(ms).expect("a time after 1970"));
    humantime::format_rfc3339_seconds(time).to_string()
}

/// Asserts that `lines` are `wait`'s change lines (`TIME rest`) for some of `script`'s states,
/// in order, ending with the last one: the simulator moves on its own clock, so a busy
/// machine may poll past a step.
fn assert_changes(lines: &[&str], script: &[String]) {
    assert!(!lines.is_empty(), "no change lines");
    let mut next = 0;
    for line in lines {
        let (time, rest) = line.split_once(' ').unwrap();
        assert!(time.starts_with("20") && time.ends_with('Z'), "{line}");
        let at = script[next..]
            .iter()
            .position(|state| state == rest)
            .unwrap_or_else(|| panic!("{rest:?} is not a later state of {script:#?}"));
        next += at + 1;
    }
    assert_eq!(next, script.len(), "the last change is the last state");
}

fn apig_script(id: &str) -> Vec<String> {
    [
        "creating 30% (status creating)",
        "creating 50% (status creating)",
        "creating 80% (status creating)",
        "creating 90% (status creating)",
        "running 100% (status success)",
    ]
    .iter()
    .map(|state| format!("apig {id} {state}"))
    .collect()
}

// ---------------------------------------------------------------------------------------------
// --help and usage errors
// ---------------------------------------------------------------------------------------------

#[test]
fn help_explains_configuration_output_examples_and_exit_codes() {
    let help = run(hwinst().arg("--help")).expect(0).stdout;
    for expected in [
        "Usage: hwinst [OPTIONS] <COMMAND>",
        "--config <FILE>",
        "HWINST_CONFIG",
        "--endpoint <SERVICE=URL>",
        "--output <FORMAT>",
        "HWINST_TOKEN",
        "HUAWEICLOUD_SDK_AK",
        "Credentials are never flags",
        "Examples:",
        "hwinst demo",
        "Exit codes:",
        " 1  the output could not be written, or the demo did not go as scripted",
        " 2  usage error",
        "11  INVALID_ARGUMENT",
        "12  CONFIG",
        "14  TIMEOUT",
        "15  UNAUTHORIZED",
        "17  NOT_FOUND",
        "23  INSTANCE_FAILED",
    ] {
        assert!(
            help.contains(expected),
            "--help lacks {expected:?}:\n{help}"
        );
    }
    for flag in ["--token", "--sk", "--password"] {
        assert!(!help.contains(flag), "--help offers {flag}");
    }
    let short = run(hwinst().arg("-h")).expect(0).stdout;
    assert!(short.contains("Exit codes:") && short.contains("Examples:"));
    for subcommand in ["sim ", "demo "] {
        assert!(
            short
                .lines()
                .any(|l| l.trim_start().starts_with(subcommand)),
            "-h lists no {subcommand:?}:\n{short}"
        );
    }
    let version = run(hwinst().arg("--version")).expect(0).stdout;
    assert_eq!(
        version.trim(),
        format!("hwinst {}", env!("CARGO_PKG_VERSION"))
    );
    // Without a subcommand: the help, as a usage error.
    let bare = run(&mut hwinst()).expect(2);
    assert!(bare.stderr.contains("Usage: hwinst"), "{}", bare.stderr);
}

#[test]
fn every_subcommand_has_help_with_an_example() {
    for (subcommand, expected) in [
        (&["progress"][..], "apig: API Gateway"),
        (&["show"], "every field"),
        (&["list"], "--all"),
        (&["status"], "Cloud DC"),
        (&["lifecycle"], "roma-details"),
        (&["wait"], "--not-found-grace <DURATION>"),
        (&["sim", "serve"], "first line of stdout"),
        (&["demo"], "as scripted"),
    ] {
        let asked = [subcommand, &["--help"]].concat();
        let via_help = [&["help"], subcommand].concat();
        for args in [asked, via_help] {
            let help = run(hwinst().args(&args)).expect(0).stdout;
            assert!(help.contains("Example"), "{args:?} has no example:\n{help}");
            assert!(
                help.contains(expected),
                "{args:?} lacks {expected:?}:\n{help}"
            );
            assert!(help.contains("--config <FILE>"), "{args:?}: global flags");
        }
    }
    let wait = run(hwinst().args(["wait", "--help"])).expect(0).stdout;
    for expected in [
        "[default: running]",
        "[default: 30m]",
        "[default: 2s]",
        "live progress bar",
        "stderr",
        "14 the timeout",
        "23 it failed",
        "--targets <FILE>",
        "--rate <SERVICE=N>",
        "--any",
        "wait apig gw-1 gw-2 gw-3",
    ] {
        assert!(wait.contains(expected), "wait --help lacks {expected:?}");
    }
    let serve = run(hwinst().args(["sim", "serve", "--help"]))
        .expect(0)
        .stdout;
    for expected in [
        "--addr <ADDR>",
        "[default: 127.0.0.1:0]",
        "--scenario <FILE>",
        "--write-config <FILE>",
        "/_sim/config",
        "loopback",
        "stdin",
        "12 the address",
    ] {
        assert!(
            serve.contains(expected),
            "sim serve --help lacks {expected:?}"
        );
    }
    let demo = run(hwinst().args(["demo", "--help"])).expect(0).stdout;
    for expected in ["--speed <X>", "[default: 1]", "429", "Exit codes: 0"] {
        assert!(demo.contains(expected), "demo --help lacks {expected:?}");
    }
}

#[test]
fn usage_errors_exit_2_and_name_the_valid_values() {
    for (args, expected) in [
        (
            vec!["lifecycle", "roma-lists", "x"],
            "[possible values: roma, roma-details, apig, clouddc]",
        ),
        (vec!["wait", "apig", "x", "--until", "ready"], "running"),
        (
            vec!["progress", "clouddc", "x"],
            "[possible values: roma, apig]",
        ),
        (vec!["wait", "apig", "x", "--timeout", "soon"], "--timeout"),
        (
            vec!["--endpoint", "ecs=http://h", "show", "x"],
            "roma, apig, clouddc, iam",
        ),
        (vec!["--endpoint", "http://h", "show", "x"], "SERVICE=URL"),
        (vec!["-o", "yaml", "show", "x"], "human, json"),
        (vec!["list", "--limit", "-3"], "'-3'"),
        (vec!["show"], "<ID>"),
        (vec!["frobnicate"], "unrecognized subcommand"),
        (vec!["sim", "start"], "unrecognized subcommand"),
        (vec!["demo", "--speed", "0"], "from 0.01 to 100"),
        (vec!["demo", "--speed", "fast"], "from 0.01 to 100"),
    ] {
        let run = run(hwinst().args(&args)).expect(2);
        assert!(run.stdout.is_empty());
        assert!(
            run.stderr.contains(expected),
            "{args:?}: stderr lacks {expected:?}:\n{}",
            run.stderr
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Each subcommand, human and JSON
// ---------------------------------------------------------------------------------------------

#[test]
fn progress_apig_human_and_json() {
    let backend = backend();
    backend.add(steady(Service::Apig, APIG_ID));
    let progress = backend.client().apig_creation_progress(APIG_ID).unwrap();
    let (started, ended) = (progress.start_time().unwrap(), progress.end_time().unwrap());

    let human = backend.run(&["progress", "apig", APIG_ID]).expect(0);
    assert!(human.stderr.is_empty(), "{}", human.stderr);
    for line in [
        format!("instance:  {APIG_ID}"),
        "source:    apig".into(),
        "phase:     running".into(),
        "progress:  100%".into(),
        "terminal:  yes".into(),
        "status:    success".into(),
        format!("started:   {}", utc(started)),
        format!("ended:     {}", utc(ended)),
    ] {
        human.has_line(&line);
    }

    let json = backend
        .run(&["progress", "apig", APIG_ID, "--output", "json"])
        .expect(0);
    assert_eq!(json.json(), as_json(&progress));
}

#[test]
fn progress_roma_shows_its_sub_services() {
    let backend = backend();
    backend.add(stuck(Service::Roma, ROMA_ID).name("roma-2222"));
    let progress = backend.client().roma_creation_progress(ROMA_ID).unwrap();
    let items = progress.item.as_deref().unwrap();
    assert_eq!(items[0].name.as_deref(), Some("mqs"));

    let human = backend.run(&["progress", "roma", ROMA_ID]).expect(0);
    human
        .has_line("phase:        creating")
        .has_line("progress:     10%")
        .has_line("name:         roma-2222")
        .has_line(&format!(
            "started:      {}",
            utc(progress.start_time().unwrap())
        ));
    human
        .has_line("SUB-SERVICE  STATUS    PROGRESS  STARTED               ERROR")
        .has_line(&format!(
            "mqs          CREATING  10%       {}  -",
            utc(items[0].start_time().unwrap())
        ));

    let json = backend
        .run(&["-o", "json", "progress", "roma", ROMA_ID])
        .expect(0);
    // The server's clock is the one field that moves between two requests.
    let without_clock = |mut value: Value| {
        let clock = value.as_object_mut().unwrap().remove("currentTime");
        assert!(clock.is_some_and(|t| t.is_i64()), "{value}");
        value
    };
    assert_eq!(
        without_clock(json.json()),
        without_clock(as_json(&progress))
    );
}

#[test]
fn show_human_and_json() {
    let backend = backend();
    backend.add(steady(Service::Roma, ROMA_ID).name("roma-prod"));
    let details = backend.client().roma_instance(ROMA_ID).unwrap();

    let human = backend.run(&["show", ROMA_ID]).expect(0);
    for line in [
        "source:              roma-details",
        "phase:               running",
        "terminal:            yes",
        "status:              Running",
        "name:                roma-prod",
    ] {
        human.has_line(line);
    }
    human.has_line(&format!(
        "created:             {}",
        utc(details.create_time().unwrap())
    ));

    let json = backend.run(&["show", ROMA_ID, "--output=json"]).expect(0);
    assert_eq!(json.json(), as_json(&details));
}

#[test]
fn status_human_and_json() {
    let backend = backend();
    backend.add(stuck(Service::Clouddc, CLOUDDC_ID));

    let human = backend.run(&["status", CLOUDDC_ID]).expect(0);
    for line in [
        "source:     clouddc",
        "phase:      pending",
        "terminal:   no",
        "status:     pending",
        "operation:  install-processing",
    ] {
        human.has_line(line);
    }
    let json = backend.run(&["status", "-o", "json", CLOUDDC_ID]).expect(0);
    assert_eq!(
        json.json(),
        json!({"state": "pending", "operation_state": "install-processing"})
    );

    // A failed installation: the service's error and the operation that failed.
    let failed = backend.add(
        InstanceSpec::new(Service::Clouddc)
            .outcome(Outcome::Fail)
            .step(Duration::ZERO),
    );
    let status = backend.client().clouddc_instance_status(&failed).unwrap();
    let error = status.error.as_ref().unwrap();
    let human = backend.run(&["status", &failed]).expect(0);
    human
        .has_line("phase:             failed")
        .has_line("failed operation:  create_instance_error")
        .has_line(&format!(
            "error:             {}: {}",
            error.error_code.as_deref().unwrap(),
            error.error_msg.as_deref().unwrap()
        ));
    let json = backend.run(&["status", &failed, "-o", "json"]).expect(0);
    assert_eq!(json.json(), as_json(&status));
}

#[test]
fn lifecycle_human_and_json() {
    let backend = backend();
    backend.add(
        InstanceSpec::new(Service::Apig)
            .id(APIG_ID)
            .outcome(Outcome::Fail)
            .step(Duration::ZERO),
    );
    let read = backend.client().lifecycle(Source::Apig, APIG_ID).unwrap();
    let error = read.error.clone().unwrap();
    let (code, message) = (error.error_code.unwrap(), error.error_msg.unwrap());
    assert!(code.starts_with("APIG."), "{code}");

    let human = backend.run(&["lifecycle", "apig", APIG_ID]).expect(0);
    for line in [
        "phase:     failed",
        "progress:  50%",
        "terminal:  yes",
        &format!("error:     {code}: {message}"),
    ] {
        human.has_line(line);
    }
    assert!(human.stdout.lines().any(|l| l.starts_with("observed:  20")));

    let json = backend
        .run(&["lifecycle", "apig", APIG_ID, "-o", "json"])
        .expect(0)
        .json();
    assert!(json["observed_at_ms"].as_u64().is_some());
    let mut json = json;
    json.as_object_mut().unwrap().remove("observed_at_ms");
    assert_eq!(
        json,
        json!({"source": "apig", "instance_id": APIG_ID, "phase": "failed", "progress": 50,
               "terminal": true, "status": "failed",
               "error": {"error_code": code, "error_msg": message}})
    );
}

#[test]
fn list_one_page_human_and_json() {
    let backend = backend();
    for n in 1..=7 {
        backend.add(steady(Service::Roma, &format!("run-{n}")).name(format!("name-{n}")));
        if n % 3 == 0 {
            // Creating, so not RUNNING: the filter leaves them out.
            backend.add(stuck(Service::Roma, &format!("new-{n}")));
        }
    }
    backend.add(steady(Service::Apig, APIG_ID));
    let query = RomaListQuery::new().status("RUNNING").offset(3).limit(1);
    let page = backend.client().roma_list_instances(&query).unwrap();
    let args = [
        "list", "--status", "RUNNING", "--offset", "3", "--limit", "1",
    ];

    let human = backend.run(&args).expect(0);
    let lines: Vec<&str> = human.stdout.lines().collect();
    assert_eq!(lines.len(), 2, "{}", human.stdout);
    let cells = |line: &str| -> Vec<(usize, String)> {
        line.split_whitespace()
            .map(|cell| (line.find(cell).unwrap(), cell.to_owned()))
            .collect()
    };
    let (header, row) = (cells(lines[0]), cells(lines[1]));
    let created = page.instances[0].create_time.clone().unwrap();
    assert_eq!(
        header.iter().map(|(_, c)| c.as_str()).collect::<Vec<_>>(),
        ["ID", "NAME", "STATUS", "PHASE", "CREATED"]
    );
    assert_eq!(
        row.iter().map(|(_, c)| c.as_str()).collect::<Vec<_>>(),
        ["run-4", "name-4", "RUNNING", "running", created.as_str()]
    );
    // Aligned: each cell starts under its header.
    for ((at, name), (cell_at, cell)) in header.iter().zip(&row) {
        assert_eq!(at, cell_at, "{cell} is not under {name}:\n{}", human.stdout);
    }
    assert_eq!(
        human.stderr.trim(),
        "1 of 7 instances shown; --offset 4 for the next page, --all for every one"
    );

    let json = backend
        .run(&[&args[..], &["-o", "json"]].concat())
        .expect(0);
    assert!(json.stderr.is_empty());
    assert_eq!(json.json(), as_json(&page));
    let queries: Vec<String> = backend
        .sim
        .requests()
        .iter()
        .map(|r| r.query.clone())
        .collect();
    assert!(queries
        .iter()
        .all(|q| q == "status=RUNNING&offset=3&limit=1"));
}

#[test]
fn list_all_pages_human_and_json() {
    let backend = backend();
    for id in ["a", "b", "c"] {
        backend.add(stuck(Service::Roma, id).name(format!("n-{id}")));
    }
    backend.add(steady(Service::Apig, APIG_ID));
    let all = backend
        .client()
        .roma_instances(&RomaListQuery::new().limit(2))
        .collect::<hwinst::Result<Vec<_>>>()
        .unwrap();
    backend.sim.clear_requests();

    let json = backend
        .run(&["list", "--all", "--limit", "2", "-o", "json"])
        .expect(0);
    assert_eq!(json.json(), json!({"total": 3, "instances": as_json(&all)}));
    let human = backend.run(&["list", "--all", "--limit", "2"]).expect(0);
    let lines: Vec<&str> = human.stdout.lines().collect();
    assert_eq!(lines[0], "ID  NAME  STATUS    PHASE     CREATED");
    assert_eq!(
        lines[3],
        format!(
            "c   n-c   CREATING  creating  {}",
            all[2].create_time.as_deref().unwrap()
        )
    );
    assert_eq!(lines.len(), 4);
    // Two pages for each run.
    let queries: Vec<String> = backend
        .sim
        .requests()
        .iter()
        .filter(|r| r.operation == Some(Operation::RomaList))
        .map(|r| r.query.clone())
        .collect();
    assert_eq!(
        queries,
        ["offset=0&limit=2", "offset=2&limit=2"].repeat(2),
        "{queries:?}"
    );

    // A limit of 0 is refused, one page or every page, before anything is sent.
    backend.sim.clear_requests();
    for args in [
        &["list", "--limit", "0"][..],
        &["list", "--all", "--limit", "0"],
    ] {
        let run = backend.run(args).expect(11);
        assert!(
            run.one_error_line().contains("limit must be at least 1"),
            "{args:?}"
        );
    }
    assert!(backend.sim.requests().is_empty());

    // Nothing to list: no table, a note on stderr.
    let empty = self::backend();
    let run = empty.run(&["list"]).expect(0);
    assert!(run.stdout.is_empty());
    assert_eq!(run.stderr.trim(), "No instances found.");
}

/// An APIG instance going through its creation steps, a few hundred milliseconds each: long
/// enough to be polled at each step, short enough for a quick test.
fn creating_apig(backend: &Backend) {
    backend.add(
        InstanceSpec::new(Service::Apig)
            .id(APIG_ID)
            .step(Duration::from_millis(300)),
    );
}

const FAST: [&str; 4] = ["--interval", "10ms", "--max-interval", "20ms"];

#[test]
fn wait_human_prints_a_line_per_change_then_the_result() {
    let backend = backend();
    creating_apig(&backend);

    let run = backend
        .run(&[&["wait", "apig", APIG_ID][..], &FAST].concat())
        .expect(0);
    let lines: Vec<&str> = run.stdout.lines().collect();
    // Not a terminal: plain lines, each with its UTC time, then the result.
    let result_at = lines
        .iter()
        .position(|l| l.starts_with("instance:"))
        .unwrap();
    assert_changes(&lines[..result_at], &apig_script(APIG_ID));
    assert!(lines.contains(&"phase:     running"), "{}", run.stdout);
    assert!(
        lines.iter().any(|l| l.starts_with("waited:    ")),
        "{}",
        run.stdout
    );
    assert!(run.stderr.is_empty(), "{}", run.stderr);
}

#[test]
fn wait_json_keeps_stdout_for_the_final_document() {
    let backend = backend();
    creating_apig(&backend);

    let run = backend
        .run(
            &[
                &[
                    "-o",
                    "json",
                    "wait",
                    "apig",
                    APIG_ID,
                    "--until",
                    "running,stopped",
                ][..],
                &FAST,
            ]
            .concat(),
        )
        .expect(0);
    let result = run.json();
    assert_eq!(result["phase"], "running");
    assert_eq!(result["progress"], 100);
    let lines: Vec<&str> = run.stderr.lines().collect();
    assert_changes(&lines, &apig_script(APIG_ID));

    // --quiet: no change lines at all.
    let backend = self::backend();
    creating_apig(&backend);
    let quiet = backend
        .run(&[&["-o", "json", "wait", "-q", "apig", APIG_ID][..], &FAST].concat())
        .expect(0);
    assert!(quiet.stderr.is_empty());
    assert_eq!(quiet.json()["phase"], "running");
}

// ---------------------------------------------------------------------------------------------
// Exit codes of each error class
// ---------------------------------------------------------------------------------------------

#[test]
fn not_found_exits_17_with_the_error_document_in_json_mode() {
    let backend = backend();
    // Another service's instance is not ROMA's either.
    backend.add(steady(Service::Apig, ROMA_ID));

    let human = backend.run(&["show", ROMA_ID]).expect(17);
    assert!(human.stdout.is_empty());
    let line = human.one_error_line();
    assert!(
        line.contains("HTTP 404") && line.contains("APIC.7302"),
        "{line}"
    );

    let json = backend.run(&["show", ROMA_ID, "-o", "json"]).expect(17);
    json.one_error_line();
    let document = json.json();
    assert_eq!(document["code"], "NOT_FOUND");
    assert_eq!(document["http_status"], 404);
    assert_eq!(document["error_code"], "APIC.7302");
    let request_id = document["request_id"].as_str().unwrap();
    assert!(
        request_id.len() == 32 && request_id.chars().all(|c| c.is_ascii_hexdigit()),
        "{request_id}"
    );
    assert_eq!(document["retryable"], false);
    assert_eq!(document["lifecycle"], Value::Null);
    let keys: Vec<&str> = document
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    let mut expected = [
        "code",
        "message",
        "http_status",
        "error_code",
        "error_msg",
        "request_id",
        "retryable",
        "lifecycle",
    ];
    expected.sort_unstable();
    assert_eq!(keys, expected);
}

#[test]
fn unauthorized_exits_15_without_showing_the_token() {
    let backend = backend();
    backend.add(steady(Service::Apig, APIG_ID));
    let wrong = "MIIT-wr0ng-s3cr3t-value";
    let mut document: Value = serde_json::from_str(&backend.sim.config_json()).unwrap();
    document["credentials"] = json!({"token": wrong});
    let config = temp_file("config.json", &document.to_string());
    let run_with_wrong_token = |args: &[&str]| {
        let run = run(hwinst().arg("--config").arg(&config).args(args));
        assert!(!run.stdout.contains(wrong) && !run.stderr.contains(wrong));
        run
    };

    let human = run_with_wrong_token(&["progress", "apig", APIG_ID]).expect(15);
    let line = human.one_error_line();
    assert!(
        line.contains("HTTP 401") && line.contains("APIC.7102"),
        "{line}"
    );
    let json = run_with_wrong_token(&["progress", "apig", APIG_ID, "-o", "json"]).expect(15);
    json.one_error_line();
    assert_eq!(json.json()["code"], "UNAUTHORIZED");
    assert_eq!(backend.statuses(APIG_ID), [401, 401]);
}

#[test]
fn throttled_then_ok_succeeds_after_the_retries() {
    let backend = backend();
    backend.add(steady(Service::Clouddc, CLOUDDC_ID));
    backend.fault(Fault::status(429).instance(CLOUDDC_ID).times(2));

    let run = backend.run(&["status", CLOUDDC_ID]).expect(0);
    run.has_line("phase:      running");
    assert_eq!(backend.statuses(CLOUDDC_ID), [429, 429, 200]);

    // Throttled on every attempt: THROTTLED.
    let backend = self::backend();
    backend.add(steady(Service::Clouddc, CLOUDDC_ID));
    backend.fault(Fault::status(429).instance(CLOUDDC_ID));
    let run = backend.run(&["status", CLOUDDC_ID]).expect(18);
    assert!(
        run.one_error_line().contains("after 3 attempts"),
        "{}",
        run.stderr
    );
    assert_eq!(backend.statuses(CLOUDDC_ID), [429, 429, 429]);
}

#[test]
fn verbose_shows_the_retries_on_stderr_without_the_token() {
    let backend = backend();
    backend.add(steady(Service::Clouddc, CLOUDDC_ID));
    backend.fault(Fault::status(429).instance(CLOUDDC_ID).times(2));
    let run = backend.run(&["-v", "status", CLOUDDC_ID]).expect(0);
    run.has_line("phase:      running");
    let retries: Vec<&str> = run
        .stderr
        .lines()
        .filter(|l| l.starts_with("hwinst: info: GET ") && l.contains("HTTP 429; attempt"))
        .collect();
    assert_eq!(retries.len(), 2, "stderr: {}", run.stderr);
    assert!(retries[1].contains("attempt 3 of 3 in "), "{}", retries[1]);
    assert!(!run.stderr.contains("debug"), "stderr: {}", run.stderr);
    assert!(!run.stderr.contains(TOKEN) && !run.stdout.contains(TOKEN));

    // -vv: every attempt too; without -v, nothing.
    backend.fault(Fault::status(429).instance(CLOUDDC_ID).times(1));
    let run = backend.run(&["-vv", "status", CLOUDDC_ID]).expect(0);
    assert!(
        run.stderr.contains("hwinst: debug: GET ") && run.stderr.contains("HTTP 200 (attempt 2)"),
        "stderr: {}",
        run.stderr
    );
    assert!(!run.stderr.contains(TOKEN));
    backend.fault(Fault::status(429).instance(CLOUDDC_ID).times(1));
    let run = backend.run(&["status", CLOUDDC_ID]).expect(0);
    assert_eq!(run.stderr, "");
}

#[test]
fn a_wait_that_never_ends_times_out_with_14() {
    let backend = backend();
    backend.add(stuck(Service::Apig, APIG_ID));

    let args = [
        &["wait", "apig", APIG_ID, "--timeout", "1s", "-o", "json"][..],
        &FAST,
    ]
    .concat();
    let run = backend.run(&args).expect(14);
    let lines: Vec<&str> = run.stderr.lines().collect();
    assert!(
        lines[0].ends_with("creating 30% (status creating)"),
        "{}",
        run.stderr
    );
    assert!(lines.last().unwrap().starts_with("hwinst: timed out"));
    let document = run.json();
    assert_eq!(document["code"], "TIMEOUT");
    assert_eq!(document["lifecycle"]["phase"], "creating");
}

#[test]
fn a_failed_instance_exits_23_with_the_service_reason() {
    let backend = backend();
    backend.add(
        InstanceSpec::new(Service::Apig)
            .id(APIG_ID)
            .outcome(Outcome::Fail)
            .step(Duration::from_millis(100)),
    );
    let run = backend
        .run(&[&["wait", "apig", APIG_ID, "--output", "json"][..], &FAST].concat())
        .expect(23);
    // What the service says once the instance has failed.
    let reason = backend
        .client()
        .lifecycle(Source::Apig, APIG_ID)
        .unwrap()
        .error
        .unwrap();
    let document = run.json();
    assert_eq!(document["code"], "INSTANCE_FAILED");
    assert_eq!(document["error_code"], json!(reason.error_code));
    assert_eq!(document["error_msg"], json!(reason.error_msg));
    assert_eq!(document["lifecycle"]["phase"], "failed");
    let last = run.stderr.lines().last().unwrap();
    let message = reason.error_msg.unwrap();
    assert!(last.starts_with("hwinst: the instance ended") && last.contains(&message));

    // Human mode: the change lines, then the error on stderr only.
    let backend = self::backend();
    backend.add(
        InstanceSpec::new(Service::Apig)
            .id(APIG_ID)
            .outcome(Outcome::Fail)
            .step(Duration::ZERO),
    );
    let run = backend
        .run(&[&["wait", "apig", APIG_ID][..], &FAST].concat())
        .expect(23);
    assert_eq!(run.stdout.lines().count(), 1, "{}", run.stdout);
    assert!(run
        .one_error_line()
        .contains(reason.error_code.as_deref().unwrap()));
}

#[test]
fn an_unsafe_id_exits_11_before_anything_is_sent() {
    let backend = backend();
    let run = backend.run(&["show", "../etc"]).expect(11);
    assert!(
        run.one_error_line().contains("invalid argument"),
        "{}",
        run.stderr
    );
    assert!(backend.sim.requests().is_empty());
}

#[test]
fn a_bad_configuration_file_exits_12_naming_the_file() {
    let missing = temp_file("unused", "").with_file_name("missing.json");
    let not_json = temp_file("config.json", "{ not json");
    let unknown_key = temp_file("config.json", r#"{"regoin":"cn-north-4"}"#);
    let no_credentials = temp_file("config.json", r#"{"project_id":"p1"}"#);
    for (file, expected) in [
        (&missing, "cannot read the configuration file"),
        (&not_json, "not valid JSON"),
        (&unknown_key, "regoin"),
        (&no_credentials, "credentials"),
    ] {
        let run = run(hwinst()
            .args(["--config".as_ref(), file.as_os_str()])
            .args(["show", "x"]));
        let run = run.expect(12);
        let line = run.one_error_line();
        assert!(line.contains(expected), "{line}");
        if file != &no_credentials {
            assert!(line.contains(&file.display().to_string()), "{line}");
        }
    }
    // The same from HWINST_CONFIG, in JSON mode.
    let run = run(hwinst()
        .env("HWINST_CONFIG", &not_json)
        .args(["-o", "json", "show", "x"]));
    assert_eq!(run.expect(12).json()["code"], "CONFIG");
}

// ---------------------------------------------------------------------------------------------
// Configuration sources
// ---------------------------------------------------------------------------------------------

#[test]
fn the_environment_configures_and_flags_override_it() {
    let backend = backend();
    backend.add(steady(Service::Clouddc, CLOUDDC_ID));
    let url = backend.sim.base_url().to_owned();
    let from_env = |command: &mut Command| {
        command
            .env("HWINST_TOKEN", TOKEN)
            .env("HUAWEICLOUD_SDK_PROJECT_ID", "another-project")
            .env("HUAWEICLOUD_SDK_REGION", "cn-north-4");
    };
    // The environment's project is overridden; the flags also work after the subcommand.
    let mut command = hwinst();
    from_env(&mut command);
    command.args(["status", CLOUDDC_ID, "--project-id", PROJECT, "--endpoint"]);
    command.arg(format!("clouddc={url}"));
    run(&mut command).expect(0).has_line("phase:      running");

    // Without the flag, the environment's project is used: not the simulator's, 403.
    let mut command = hwinst();
    from_env(&mut command);
    command.args([
        "--endpoint",
        &format!("clouddc={url}"),
        "status",
        CLOUDDC_ID,
    ]);
    let run = run(&mut command).expect(16);
    assert!(run.one_error_line().contains("HTTP 403"), "{}", run.stderr);

    // No credentials anywhere.
    let run = self::run(hwinst().args(["--region", "cn-north-4", "show", "x"])).expect(12);
    run.one_error_line();

    // Flags override the configuration file too.
    let wrong_project = temp_file(
        "config.json",
        &json!({"project_id": "wrong", "credentials": {"token": TOKEN},
                "endpoints": {"clouddc": "http://127.0.0.1:9"}})
        .to_string(),
    );
    let mut command = hwinst();
    command.arg("--config").arg(&wrong_project);
    command.args([
        "--project-id",
        PROJECT,
        "--endpoint",
        &format!("clouddc={url}"),
    ]);
    command.args(["status", CLOUDDC_ID, "--request-timeout", "5s"]);
    self::run(&mut command).expect(0);
}

// ---------------------------------------------------------------------------------------------
// hwinst sim serve
// ---------------------------------------------------------------------------------------------

/// A `hwinst sim serve` process, killed if a test fails before it stops.
struct Serve {
    child: Child,
    url: String,
}

impl Serve {
    /// Starts it with piped stdin and stdout, and reads the URL from its first line.
    fn start(args: &[&str]) -> Serve {
        Serve::start_from(hwinst().stdin(Stdio::piped()), args)
    }

    /// Starts `hwinst sim serve ARGS` from `command` (its environment and stdin).
    fn start_from(command: &mut Command, args: &[&str]) -> Serve {
        let mut child = command
            .args(["sim", "serve"])
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("hwinst sim serve starts");
        let mut first = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut first)
            .expect("a first line");
        let serve = Serve {
            url: first.trim_end().to_owned(),
            child,
        };
        assert!(
            serve.url.starts_with("http://127.0.0.1:"),
            "first line {first:?}"
        );
        serve
    }

    /// Closes its stdin and waits for it to exit: its status code and stderr.
    fn stop(mut self) -> (i32, String) {
        drop(self.child.stdin.take());
        let deadline = Instant::now() + Duration::from_secs(10);
        let status = loop {
            if let Some(status) = self.child.try_wait().expect("its status") {
                break status;
            }
            assert!(
                Instant::now() < deadline,
                "it did not stop when stdin closed"
            );
            std::thread::sleep(Duration::from_millis(20));
        };
        let mut stderr = String::new();
        self.child
            .stderr
            .take()
            .unwrap()
            .read_to_string(&mut stderr)
            .unwrap();
        (status.code().expect("an exit code"), stderr)
    }
}

impl Drop for Serve {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// An HTTP agent that ignores the environment's proxies.
fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .proxy(None)
        .build()
        .new_agent()
}

fn get_json(url: &str) -> Value {
    let text = agent()
        .get(url)
        .call()
        .unwrap_or_else(|e| panic!("GET {url}: {e}"))
        .body_mut()
        .read_to_string()
        .unwrap();
    serde_json::from_str(&text).unwrap()
}

fn post_json(url: &str, body: &Value) -> u16 {
    agent()
        .post(url)
        .header("content-type", "application/json")
        .send(body.to_string())
        .unwrap_or_else(|e| panic!("POST {url}: {e}"))
        .status()
        .as_u16()
}

#[test]
fn sim_serve_prints_its_url_and_stops_when_stdin_closes() {
    let serve = Serve::start(&[]);
    let url = serve.url.clone();
    let config = get_json(&format!("{url}/_sim/config"));
    for service in ["roma", "apig", "clouddc", "iam"] {
        assert_eq!(config["endpoints"][service], json!(url), "{config}");
    }
    let file = temp_file("sim.json", &config.to_string());
    let added = post_json(
        &format!("{url}/_sim/instances"),
        &json!({"service": "apig", "id": "gw-1", "outcome": "steady"}),
    );
    assert_eq!(added, 201);

    let run = run(hwinst()
        .arg("--config")
        .arg(&file)
        .args(["lifecycle", "apig", "gw-1"]))
    .expect(0);
    run.has_line("phase:     running");

    let asked = Instant::now();
    let (code, stderr) = serve.stop();
    assert_eq!(code, 0, "{stderr}");
    assert!(asked.elapsed() < Duration::from_secs(5));
    // The hint says how to use it, and shows no credential.
    assert!(stderr.contains(&format!("{url}/_sim/config")), "{stderr}");
    assert!(stderr.contains("hwinst --config"), "{stderr}");
    assert!(
        stderr.contains(&format!("HWINST_METADATA_ENDPOINT={url}\n")),
        "{stderr}"
    );
    assert!(!stderr.contains("HC_CONTAINER_"), "{stderr}");
    let token = config["credentials"]["token"].as_str().unwrap();
    assert!(!stderr.contains(token), "{stderr}");
}

#[test]
fn sim_serve_writes_the_client_configuration_for_its_scenario() {
    let scenario = temp_file(
        "scenario.json",
        &json!({"project_id": "p-77", "tokens": ["t-0k3n-77"],
                "instances": [{"service": "clouddc", "id": "dc-1", "outcome": "steady"}],
                "pod_identity": {"token": "p0d-t0k3n-77"}})
        .to_string(),
    );
    let config = scenario.with_file_name("sim.json");
    let serve = Serve::start(&[
        "--scenario",
        scenario.to_str().unwrap(),
        "--write-config",
        config.to_str().unwrap(),
    ]);
    // Written before the URL was printed: it is there at once.
    let written: Value = serde_json::from_str(&std::fs::read_to_string(&config).unwrap()).unwrap();
    assert_eq!(written, get_json(&format!("{}/_sim/config", serve.url)));
    assert_eq!(written["project_id"], "p-77");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&config).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "{mode:o}");
    }

    let human = run(hwinst()
        .arg("--config")
        .arg(&config)
        .args(["status", "dc-1"]))
    .expect(0);
    human.has_line("phase:      running");
    let json = run(hwinst()
        .arg("--config")
        .arg(&config)
        .args(["-o", "json", "status", "dc-1"]))
    .expect(0);
    assert_eq!(json.json()["state"], "running");

    let url = serve.url.clone();
    let (code, stderr) = serve.stop();
    assert_eq!(code, 0, "{stderr}");
    assert!(!stderr.contains("t-0k3n-77"), "{stderr}");
    let pod_uri = format!("HC_CONTAINER_CREDENTIALS_FULL_URI={url}/pod-identity/credentials\n");
    assert!(stderr.contains(&pod_uri), "{stderr}");
    assert!(
        stderr.contains("HC_CONTAINER_AUTHORIZATION_TOKEN_FILE="),
        "{stderr}"
    );
    assert!(!stderr.contains("p0d-t0k3n-77"), "{stderr}");
}

#[test]
fn sim_serve_needs_no_configuration_and_serves_until_killed_without_stdin() {
    // A broken configuration is not read. Stdin from /dev/null (`hwinst sim serve &` in a
    // script) cannot signal "stop" by closing, so the simulator serves until it is killed.
    let broken = temp_file("config.json", "{ not json");
    let mut serve = Serve::start_from(
        hwinst().env("HWINST_CONFIG", &broken).stdin(Stdio::null()),
        &[],
    );
    std::thread::sleep(Duration::from_millis(300));
    assert!(
        serve.child.try_wait().expect("its status").is_none(),
        "it stopped although nobody asked it to"
    );
    let config = ureq::get(format!("{}/_sim/config", serve.url))
        .call()
        .expect("the simulator answers")
        .into_body()
        .read_to_string()
        .expect("a body");
    assert!(config.contains("\"project_id\""), "{config}");
    serve.child.kill().expect("it can be killed");
    serve.child.wait().expect("it ends");
}

#[test]
fn sim_serve_refuses_what_it_cannot_use_with_12() {
    let unknown_key = temp_file("scenario.json", r#"{"instances":[],"sped":2}"#);
    let unknown = unknown_key.display().to_string();
    let missing = unknown_key.with_file_name("missing.json");
    let missing = missing.display().to_string();
    for (args, expected) in [
        (vec!["--addr", "0.0.0.0:0"], "loopback"),
        (vec!["--addr", "192.168.1.2:8080"], "loopback"),
        (vec!["--addr", "nowhere"], "127.0.0.1:PORT"),
        (vec!["--scenario", &unknown], "sped"),
        (vec!["--scenario", &missing], "missing.json"),
        (
            vec!["--write-config", "/nonexistent-dir/sim.json"],
            "/nonexistent-dir/sim.json",
        ),
    ] {
        let run = run(hwinst()
            .args(["sim", "serve"])
            .args(&args)
            .stdin(Stdio::null()))
        .expect(12);
        assert!(run.stdout.is_empty(), "{args:?}: {}", run.stdout);
        let line = run.one_error_line();
        assert!(line.contains(expected), "{args:?}: {line}");
    }
    // In JSON mode, the error document too.
    let run = run(hwinst()
        .args(["-o", "json", "sim", "serve", "--addr", "0.0.0.0:0"])
        .stdin(Stdio::null()))
    .expect(12);
    assert_eq!(run.json()["code"], "CONFIG");
}

// ---------------------------------------------------------------------------------------------
// hwinst demo
// ---------------------------------------------------------------------------------------------

#[test]
fn demo_json_every_instance_ends_as_scripted() {
    let started = Instant::now();
    let run = run(hwinst().args(["-o", "json", "demo", "--speed", "4"])).expect(0);
    assert!(started.elapsed() < Duration::from_secs(30));
    let summary = run.json();
    assert_eq!(summary["as_scripted"], true);
    let instances = summary["instances"].as_array().unwrap();
    assert!(instances.len() >= 6);
    assert!(instances.iter().all(|i| i["as_expected"] == true));
    // All three services, each of the four sources, and failures among them.
    let sources: std::collections::BTreeSet<&str> = instances
        .iter()
        .map(|i| i["source"].as_str().unwrap())
        .collect();
    assert_eq!(
        sources.into_iter().collect::<Vec<_>>(),
        ["apig", "clouddc", "roma", "roma-details"]
    );
    let failed: Vec<&Value> = instances
        .iter()
        .filter(|i| i["expected"] == "failed")
        .collect();
    assert!(failed.len() >= 2);
    for instance in failed {
        assert_eq!(instance["error"], "INSTANCE_FAILED", "{instance}");
        assert_eq!(instance["lifecycle"]["phase"], "failed", "{instance}");
    }
    // One fleet wait, whose requests the simulator all answered, within the budget it says.
    let sent = summary["fleet"]["total"].as_u64().unwrap();
    assert!(
        sent >= 6 && sent <= summary["requests"].as_u64().unwrap(),
        "{summary}"
    );
    assert_eq!(summary["fleet"]["budget_per_second"], 16.0, "{summary}");
    // The throttling happened and was polled through.
    assert!(summary["throttled"].as_u64().unwrap() >= 2, "{summary}");
    assert!(instances
        .iter()
        .any(|i| i["throttled"].as_u64().unwrap() >= 2 && i["lifecycle"]["phase"] == "running"));
    // Progress lines go to stderr in JSON mode.
    assert!(run
        .stderr
        .lines()
        .any(|l| l.ends_with("running 100% (status success)")));
}

#[test]
fn demo_human_shows_progress_then_the_summary() {
    let run = run(hwinst().args(["demo", "--speed", "4"])).expect(0);
    let lines: Vec<&str> = run.stdout.lines().collect();
    let header = lines
        .iter()
        .position(|l| l.starts_with("INSTANCE "))
        .unwrap_or_else(|| panic!("no summary table:\n{}", run.stdout));
    assert_eq!(
        lines[header].split_whitespace().collect::<Vec<_>>(),
        ["INSTANCE", "SOURCE", "EXPECTED", "OUTCOME", "REQUESTS", "TIME"]
    );
    let rows: Vec<&str> = lines[header + 1..]
        .iter()
        .take_while(|l| !l.is_empty())
        .copied()
        .collect();
    assert!(rows.len() >= 6, "{}", run.stdout);
    for row in &rows {
        let id = row.split_whitespace().next().unwrap();
        assert!(row.contains(" ✓ "), "{row}");
        // Each instance's changes were shown before the summary, one line each.
        assert!(
            lines[..header]
                .iter()
                .any(|l| l.split_whitespace().nth(2) == Some(id)),
            "no progress line for {id}:\n{}",
            run.stdout
        );
    }
    let failures: Vec<&&str> = rows
        .iter()
        .filter(|r| r.split_whitespace().nth(2) == Some("failed"))
        .collect();
    assert!(failures.len() >= 2, "{}", run.stdout);
    assert!(
        failures.iter().all(|r| r.contains("✓ failed")),
        "{failures:?}"
    );
    assert!(rows.iter().any(|r| r.contains("×429")), "{}", run.stdout);
    assert!(
        run.stdout.contains("One fleet wait sent ")
            && run.stdout.contains("requests/s per service"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("instances ended as scripted"),
        "{}",
        run.stdout
    );
    assert!(run.stderr.contains("hwinst sim serve"), "{}", run.stderr);
}

// ---------------------------------------------------------------------------------------------
// Issue 17: hostile input
// ---------------------------------------------------------------------------------------------

/// Item 2: a secret pasted as a key inside `credentials`, or as the whole document, is never
/// echoed on stderr or in the `-o json` document; the place and the expected keys are.
#[test]
fn a_configuration_file_is_never_echoed() {
    const SECRET: &str = "SUPERSECRET-0123456789abcdef";
    for (content, expected) in [
        (format!(r#"{{"credentials":{{"{SECRET}":1}}}}"#), "`token`"),
        (format!(r#""{SECRET}""#), "expected an object"),
    ] {
        let file = temp_file("config.json", &content);
        for json in [false, true] {
            let mut command = hwinst();
            command.arg("--config").arg(&file);
            if json {
                command.args(["-o", "json"]);
            }
            let run = run(command.args(["show", "x"])).expect(12);
            assert!(
                !run.stderr.contains("SUPERSECRET") && !run.stdout.contains("SUPERSECRET"),
                "{}{}",
                run.stdout,
                run.stderr
            );
            let line = run.one_error_line();
            assert!(line.contains(expected), "{line}");
            if json {
                assert_eq!(run.json()["code"], "CONFIG");
            }
        }
    }
}

/// Item 4: SIGINT or SIGTERM during `hwinst -o json wait` cancels the wait: exit 22 with the
/// error document (and the last lifecycle) on stdout, not death by the signal.
#[test]
fn a_signal_cancels_a_wait_with_its_document() {
    let backend = backend();
    backend.add(stuck(Service::Apig, APIG_ID));
    for signal in [libc::SIGINT, libc::SIGTERM] {
        let mut child = hwinst()
            .arg("--config")
            .arg(&backend.config)
            .args(["-o", "json", "wait", "apig", APIG_ID, "--timeout", "2m"])
            .args(FAST)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("hwinst starts");
        // The first progress line says the wait is under way (its handlers are installed).
        let mut stderr = BufReader::new(child.stderr.take().unwrap());
        let mut first = String::new();
        stderr.read_line(&mut first).unwrap();
        assert!(first.contains("creating"), "{first}");
        let pid = libc::pid_t::try_from(child.id()).unwrap();
        // SAFETY: sends a signal to our own child process.
        assert_eq!(unsafe { libc::kill(pid, signal) }, 0);
        let started = Instant::now();
        let status = loop {
            if let Some(status) = child.try_wait().unwrap() {
                break status;
            }
            if started.elapsed() > Duration::from_secs(10) {
                let _ = child.kill();
                panic!("hwinst did not stop within 10 s of signal {signal}");
            }
            std::thread::sleep(Duration::from_millis(20));
        };
        let mut stdout = String::new();
        child
            .stdout
            .take()
            .unwrap()
            .read_to_string(&mut stdout)
            .unwrap();
        let mut rest = String::new();
        stderr.read_to_string(&mut rest).unwrap();
        assert_eq!(
            status.code(),
            Some(22),
            "signal {signal}: {status:?}\n{stdout}\n{rest}"
        );
        let document: Value = serde_json::from_str(&stdout).expect("one JSON document");
        assert_eq!(document["code"], "CANCELLED", "{document}");
        assert_eq!(document["lifecycle"]["phase"], "creating", "{document}");
        assert!(
            rest.lines().last().unwrap().starts_with("hwinst: "),
            "{rest}"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Issue 18, item 4: `hwinst wait` for several instances (the fleet wait)
// ---------------------------------------------------------------------------------------------

/// Quick polls and a generous budget, so that a fleet of a few instances ends at once.
const FLEET_FAST: [&str; 10] = [
    "--interval",
    "10ms",
    "--max-interval",
    "20ms",
    "--rate",
    "apig=100",
    "--rate",
    "roma=100",
    "--rate",
    "clouddc=100",
];

/// The fleet document's `(source, instance_id, outcome)` of each instance, in order.
fn fleet_outcomes(document: &Value) -> Vec<(String, String, String)> {
    document["instances"]
        .as_array()
        .unwrap_or_else(|| panic!("not a fleet document: {document}"))
        .iter()
        .map(|i| {
            let text = |key: &str| i[key].as_str().unwrap().to_owned();
            (text("source"), text("instance_id"), text("outcome"))
        })
        .collect()
}

fn triple(source: &str, id: &str, outcome: &str) -> (String, String, String) {
    (source.to_owned(), id.to_owned(), outcome.to_owned())
}

#[test]
fn wait_for_several_ids_prints_the_fleet_document() {
    let backend = backend();
    backend.add(steady(Service::Apig, "gw-1"));
    creating_apig(&backend);

    let run = backend
        .run(
            &[
                &["-o", "json", "wait", "apig", "gw-1", APIG_ID][..],
                &FLEET_FAST,
            ]
            .concat(),
        )
        .expect(0);
    let document = run.json();
    assert_eq!(
        fleet_outcomes(&document),
        [
            triple("apig", "gw-1", "reached"),
            triple("apig", APIG_ID, "reached")
        ]
    );
    assert_eq!(document["instances"][1]["lifecycle"]["phase"], "running");
    assert_eq!(document["instances"][1]["lifecycle"]["progress"], 100);
    assert!(document["instances"][1]["polls"].as_u64().unwrap() >= 2);
    assert_eq!(document["instances"][0]["error"], Value::Null);
    let sent = document["requests"]["apig"].as_u64().unwrap();
    assert_eq!(sent as usize, backend.sim.requests().len(), "{document}");
    assert_eq!(document["throttled"], 0);
    assert!(document["elapsed_ms"].is_u64());
    // The change lines go to stderr in JSON mode, in the single wait's format.
    let mine: Vec<&str> = run
        .stderr
        .lines()
        .filter(|l| l.split(' ').nth(2) == Some(APIG_ID))
        .collect();
    assert_changes(&mine, &apig_script(APIG_ID));
    assert!(run
        .stderr
        .lines()
        .any(|l| l.ends_with(" apig gw-1 running 100% (status success)")));

    // Human mode: the change lines, then a table of how each ended and what it cost.
    let backend = self::backend();
    backend.add(steady(Service::Apig, "gw-1"));
    backend.add(steady(Service::Apig, "gw-2"));
    let run = backend
        .run(&[&["wait", "apig", "gw-1", "gw-2"][..], &FLEET_FAST].concat())
        .expect(0);
    let header = run
        .stdout
        .lines()
        .position(|l| l.starts_with("INSTANCE "))
        .unwrap_or_else(|| panic!("no table:\n{}", run.stdout));
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(header, 2, "{}", run.stdout);
    assert!(lines[header + 1].starts_with("gw-1 ") && lines[header + 1].contains(" reached "));
    assert!(lines[header + 2].starts_with("gw-2 ") && lines[header + 2].contains(" reached "));
    assert!(
        lines[header + 3].starts_with("2 requests (apig 2, roma 0, clouddc 0), 0 answered 429"),
        "{}",
        run.stdout
    );
    assert!(run.stderr.is_empty(), "{}", run.stderr);
}

#[test]
fn a_failed_instance_among_several_exits_23() {
    let backend = backend();
    backend.add(steady(Service::Apig, "gw-1"));
    backend.add(
        InstanceSpec::new(Service::Apig)
            .id("gw-2")
            .outcome(Outcome::Fail)
            .step(Duration::ZERO),
    );
    let run = backend
        .run(
            &[
                &["wait", "-o", "json", "apig", "gw-1", "gw-2"][..],
                &FLEET_FAST,
            ]
            .concat(),
        )
        .expect(23);
    let document = run.json();
    assert_eq!(
        fleet_outcomes(&document),
        [
            triple("apig", "gw-1", "reached"),
            triple("apig", "gw-2", "failed")
        ]
    );
    assert_eq!(document["instances"][1]["error"]["code"], "INSTANCE_FAILED");
    assert_eq!(document["instances"][1]["lifecycle"]["phase"], "failed");
    let last = run.stderr.lines().last().unwrap();
    assert!(
        last.starts_with(
            "hwinst: the fleet wait ended INSTANCE_FAILED: 1 reached, 1 failed; apig gw-2: "
        ),
        "{last}"
    );

    // --fail-fast: the other instance, stuck, is reported pending.
    let backend = self::backend();
    backend.add(stuck(Service::Apig, "gw-1"));
    backend.add(
        InstanceSpec::new(Service::Apig)
            .id("gw-2")
            .outcome(Outcome::Fail)
            .step(Duration::ZERO),
    );
    let args = [
        &["wait", "-o", "json", "apig", "gw-1", "gw-2", "--fail-fast"][..],
        &FLEET_FAST,
    ]
    .concat();
    let document = backend.run(&args).expect(23).json();
    assert_eq!(
        fleet_outcomes(&document),
        [
            triple("apig", "gw-1", "pending"),
            triple("apig", "gw-2", "failed")
        ]
    );
}

#[test]
fn several_ids_that_never_end_time_out_with_14() {
    let backend = backend();
    backend.add(steady(Service::Clouddc, "dc-1"));
    backend.add(stuck(Service::Clouddc, "dc-2"));
    let args = [
        &[
            "-o",
            "json",
            "wait",
            "clouddc",
            "dc-1",
            "dc-2",
            "--timeout",
            "1s",
        ][..],
        &FLEET_FAST,
    ]
    .concat();
    let run = backend.run(&args).expect(14);
    let document = run.json();
    assert_eq!(
        fleet_outcomes(&document),
        [
            triple("clouddc", "dc-1", "reached"),
            triple("clouddc", "dc-2", "timeout")
        ]
    );
    assert_eq!(document["instances"][1]["error"]["code"], "TIMEOUT");
    assert_eq!(document["instances"][1]["lifecycle"]["phase"], "pending");
    assert!(run
        .stderr
        .lines()
        .last()
        .unwrap()
        .starts_with("hwinst: the fleet wait ended TIMEOUT"));
}

#[test]
fn any_ends_at_the_first_instance_to_reach_a_target() {
    let backend = backend();
    backend.add(stuck(Service::Apig, "gw-1"));
    backend.add(steady(Service::Apig, "gw-2"));
    let started = Instant::now();
    let args = [
        &[
            "-o",
            "json",
            "wait",
            "apig",
            "gw-1",
            "gw-2",
            "--any",
            "--timeout",
            "1m",
        ][..],
        &FLEET_FAST,
    ]
    .concat();
    let document = backend.run(&args).expect(0).json();
    assert!(started.elapsed() < Duration::from_secs(20));
    assert_eq!(
        fleet_outcomes(&document),
        [
            triple("apig", "gw-1", "pending"),
            triple("apig", "gw-2", "reached")
        ]
    );
}

#[test]
fn wait_targets_reads_a_file_of_mixed_sources() {
    let backend = backend();
    backend.add(steady(Service::Apig, "gw-1"));
    backend.add(steady(Service::Roma, "r-1"));
    backend.add(steady(Service::Roma, "r-2"));
    backend.add(steady(Service::Clouddc, "dc-1"));
    let file = temp_file(
        "targets.txt",
        "# the environment\napig gw-1\n\n  roma r-1\nroma-details r-2   # not a comment: refused\n",
    );
    // A line with more than `SOURCE ID` is a usage error naming the line.
    let file_arg = file.to_str().unwrap();
    let run = backend
        .run(&[&["wait", "--targets", file_arg][..], &FLEET_FAST].concat())
        .expect(2);
    assert!(
        run.one_error_line()
            .contains(" line 5: expected \"SOURCE ID\""),
        "{}",
        run.stderr
    );
    assert!(backend.sim.requests().is_empty());

    let file = temp_file(
        "targets.txt",
        "# the environment\napig gw-1\n\n  roma r-1\nroma-details r-2\n\tclouddc dc-1\n",
    );
    let args = [
        &["-o", "json", "wait", "--targets", file.to_str().unwrap()][..],
        &FLEET_FAST,
    ]
    .concat();
    let document = backend.run(&args).expect(0).json();
    assert_eq!(
        fleet_outcomes(&document),
        [
            triple("apig", "gw-1", "reached"),
            triple("roma", "r-1", "reached"),
            triple("roma-details", "r-2", "reached"),
            triple("clouddc", "dc-1", "reached"),
        ]
    );

    // An unknown source, and a file without targets.
    for (content, expected) in [
        ("apig gw-1\nrds db-1\n", "line 2: unknown source \"rds\""),
        ("# nothing\n\n", "no targets"),
    ] {
        let file = temp_file("targets.txt", content);
        let run = backend
            .run(&["wait", "--targets", file.to_str().unwrap()])
            .expect(2);
        assert!(run.one_error_line().contains(expected), "{}", run.stderr);
    }
    // --targets with SOURCE or ID, or neither: clap's usage error.
    backend
        .run(&["wait", "apig", "gw-1", "--targets", file.to_str().unwrap()])
        .expect(2);
    backend.run(&["wait"]).expect(2);
}

#[test]
fn fleet_change_lines_name_their_target_when_one_roma_instance_is_two() {
    let backend = backend();
    backend.add(steady(Service::Roma, "r-both"));
    let file = temp_file("targets.txt", "roma r-both\nroma-details r-both\n");
    let args = [
        &["-o", "json", "wait", "--targets", file.to_str().unwrap()][..],
        &FLEET_FAST,
    ]
    .concat();
    let run = backend.run(&args).expect(0);
    assert_eq!(
        fleet_outcomes(&run.json()),
        [
            triple("roma", "r-both", "reached"),
            triple("roma-details", "r-both", "reached"),
        ]
    );
    // Both read through the batched list: each line names its target, and where it was read.
    for source in ["roma", "roma-details"] {
        let ending = format!(" {source} r-both running (status RUNNING) (read from roma-list)");
        assert!(
            run.stderr.lines().any(|l| l.ends_with(&ending)),
            "{ending:?} not in:\n{}",
            run.stderr
        );
    }
}

#[test]
fn wait_targets_dash_reads_stdin() {
    let backend = backend();
    backend.add(steady(Service::Apig, "gw-1"));
    backend.add(steady(Service::Clouddc, "dc-1"));
    let mut child = hwinst()
        .env("HWINST_CONFIG", &backend.config)
        .args([&["-o", "json", "wait", "--targets", "-"][..], &FLEET_FAST].concat())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("hwinst starts");
    {
        use std::io::Write;
        let mut stdin = child.stdin.take().unwrap();
        stdin
            .write_all(b"apig gw-1\n# a comment\nclouddc dc-1\n")
            .unwrap();
    }
    let output = child.wait_with_output().unwrap();
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let document: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(
        fleet_outcomes(&document),
        [
            triple("apig", "gw-1", "reached"),
            triple("clouddc", "dc-1", "reached")
        ]
    );
}

#[test]
fn a_signal_cancels_a_fleet_wait_with_its_document() {
    let backend = backend();
    backend.add(stuck(Service::Apig, "gw-1"));
    backend.add(stuck(Service::Clouddc, "dc-1"));
    let mut child = hwinst()
        .env("HWINST_CONFIG", &backend.config)
        .args(["-o", "json", "wait", "--targets", "-", "--timeout", "2m"])
        .args(FLEET_FAST)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("hwinst starts");
    {
        use std::io::Write;
        let mut stdin = child.stdin.take().unwrap();
        stdin.write_all(b"apig gw-1\nclouddc dc-1\n").unwrap();
    }
    // The first change line says the wait is under way (its handlers are installed).
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let mut first = String::new();
    stderr.read_line(&mut first).unwrap();
    let pid = libc::pid_t::try_from(child.id()).unwrap();
    // SAFETY: sends a signal to our own child process.
    assert_eq!(unsafe { libc::kill(pid, libc::SIGINT) }, 0);
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > Duration::from_secs(10) {
            let _ = child.kill();
            panic!("hwinst did not stop within 10 s of SIGINT");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let mut stdout = String::new();
    child
        .stdout
        .take()
        .unwrap()
        .read_to_string(&mut stdout)
        .unwrap();
    assert_eq!(status.code(), Some(22), "{first}\n{stdout}");
    let document: Value = serde_json::from_str(&stdout).expect("one JSON document");
    assert_eq!(
        fleet_outcomes(&document),
        [
            triple("apig", "gw-1", "cancelled"),
            triple("clouddc", "dc-1", "cancelled")
        ]
    );
}

/// `hwinst config show` with settings that make no client: what is known is shown, what is
/// missing is marked, each problem is listed, and it exits 0 (it exited 12 with the first
/// problem only, when a user needs it most).
#[test]
fn config_show_marks_what_is_missing_and_still_exits_0() {
    const SK: &str = "config-show-secret-key";
    // A token and a region, no project: the token cannot look one up; Cloud DC has no
    // endpoint in cn-north-4.
    let token = || {
        let mut command = hwinst();
        command
            .env("HWINST_TOKEN", TOKEN)
            .env("HUAWEICLOUD_SDK_REGION", "cn-north-4");
        command
    };
    let human = run(token().args(["config", "show"])).expect(0);
    let lines: Vec<&str> = human.stdout.lines().collect();
    for expected in [
        "credentials:       token",
        "credentials from:  the environment (HWINST_TOKEN)",
        "region:            cn-north-4, from the environment (HUAWEICLOUD_SDK_REGION)",
        "project_id:        MISSING",
        "apig:              https://apig.cn-north-4.myhuaweicloud.com",
        "No client can be built from these settings until:",
        "  - no project_id (with a token it cannot be looked up: set it)",
    ] {
        assert!(
            lines.contains(&expected),
            "{expected:?} in\n{}",
            human.stdout
        );
    }
    assert!(
        human.stdout.contains(
            "clouddc:           none: clouddc has no known endpoint in region \"cn-north-4\""
        ),
        "{}",
        human.stdout
    );
    let json = run(token().args(["-o", "json", "config", "show"]))
        .expect(0)
        .json();
    assert_eq!(json["complete"], false);
    assert_eq!(
        json["problems"],
        json!(["no project_id (with a token it cannot be looked up: set it)"])
    );
    assert_eq!(json["credentials"]["kind"], "token");
    assert_eq!(json["project_id"], json!({"value": null, "from": null}));
    assert_eq!(json["endpoints"]["clouddc"], Value::Null);
    assert_eq!(
        json["endpoints"]["roma"],
        "https://roma.cn-north-4.myhuaweicloud.com"
    );
    assert!(json["endpoint_problems"]["clouddc"]
        .as_str()
        .is_some_and(|p| p.contains("its regions: cn-east-3")));
    assert!(!human.stdout.contains(TOKEN) && !json.to_string().contains(TOKEN));

    // Nothing at all: no credentials (each source of the chain and why), no region.
    let nothing = run(hwinst().args(["-o", "json", "config", "show"]))
        .expect(0)
        .json();
    assert_eq!(nothing["complete"], false);
    assert_eq!(nothing["credentials"]["kind"], Value::Null);
    assert_eq!(nothing["region"]["value"], Value::Null);
    let problems: Vec<&str> = nothing["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_str().unwrap())
        .collect();
    assert_eq!(problems.len(), 2, "{problems:?}");
    assert!(problems[0].starts_with("no credentials: "), "{problems:?}");
    assert!(problems[0].contains("HWINST_METADATA_ENDPOINT=none"));
    assert_eq!(problems[1], "set a region or at least one endpoint");
    let human = run(hwinst().args(["config", "show"])).expect(0);
    assert!(
        human.stdout.starts_with("credentials:  MISSING\n"),
        "{}",
        human.stdout
    );

    // AK/SK and a region: the project is looked up when first needed, which is complete;
    // the access key is shown, the secret key never.
    let aksk = run(hwinst()
        .env("HUAWEICLOUD_SDK_AK", "SHOWNAK")
        .env("HUAWEICLOUD_SDK_SK", SK)
        .env("HUAWEICLOUD_SDK_REGION", "cn-east-3")
        .args(["-o", "json", "config", "show"]))
    .expect(0);
    assert!(!aksk.stdout.contains(SK) && !aksk.stderr.contains(SK));
    let aksk = aksk.json();
    assert_eq!(aksk["complete"], true, "{aksk}");
    assert_eq!(aksk["problems"], json!([]));
    assert_eq!(aksk["credentials"]["access_key"], "SHOWNAK");
    assert_eq!(aksk["project_id"]["value"], Value::Null);
    assert_eq!(
        aksk["project_id"]["from"],
        "IAM, by the name of region cn-east-3, when first needed"
    );
}

/// A configuration that names an endpoint the client refuses: the problem is listed with the
/// settings that are fine, and the configuration file is named as their source.
#[test]
fn config_show_lists_a_refused_endpoint_beside_the_settings_that_are_fine() {
    let config = temp_file(
        "config.json",
        &json!({
            "project_id": PROJECT,
            "credentials": {"token": TOKEN},
            "endpoints": {"apig": "http://apig.example.com", "roma": "https://roma.example.com"},
        })
        .to_string(),
    );
    let json = run(hwinst()
        .arg("--config")
        .arg(&config)
        .args(["-o", "json", "config", "show"]))
    .expect(0)
    .json();
    assert_eq!(json["complete"], false);
    assert_eq!(json["endpoints"]["roma"], "https://roma.example.com");
    assert_eq!(json["endpoints"]["apig"], Value::Null);
    let problems = json["problems"].as_array().unwrap();
    assert_eq!(problems.len(), 1, "{json}");
    assert!(
        problems[0]
            .as_str()
            .unwrap()
            .contains("http://apig.example.com"),
        "{json}"
    );
    assert_eq!(json["project_id"]["value"], PROJECT);
    assert_eq!(
        json["project_id"]["from"],
        format!("the configuration file {}", config.display())
    );

    // With settings that make a client: complete, nothing listed, the same view as before.
    let backend = backend();
    let json = backend
        .run(&["-o", "json", "config", "show"])
        .expect(0)
        .json();
    assert_eq!(json["complete"], true, "{json}");
    assert_eq!(json["problems"], json!([]));
    assert_eq!(json["endpoints"]["clouddc"], backend.sim.base_url());
    let human = backend.run(&["config", "show"]).expect(0);
    assert!(!human.stdout.contains("MISSING") && !human.stdout.contains("No client"));
}

/// Issue 26 item 5: a fleet wait whose reader goes away after one byte still exits with the
/// outcome's code (23: one instance failed), and says why on stderr; a successful one whose
/// reader goes away exits 0. (Before the fix: 0, with nothing on stderr.)
#[test]
fn a_closed_stdout_keeps_the_fleet_outcome_code() {
    for failing in [true, false] {
        let backend = backend();
        let mut lines = String::new();
        // Enough instances for the fleet document to pass a pipe's 64 KiB.
        for n in 0..240 {
            let id = format!("{n:04}-{}", "a".repeat(56));
            backend.add(steady(Service::Apig, &id));
            lines.push_str(&format!("apig {id}\n"));
        }
        if failing {
            backend.add(
                InstanceSpec::new(Service::Apig)
                    .id("gw-failing")
                    .outcome(Outcome::Fail)
                    .step(Duration::ZERO),
            );
            lines.push_str("apig gw-failing\n");
        }
        let targets = temp_file("targets", &lines);
        let mut child = hwinst()
            .env("HWINST_CONFIG", &backend.config)
            .args(["-o", "json", "wait", "--targets"])
            .arg(&targets)
            .args([
                "--rate",
                "apig=100000",
                "--concurrency",
                "16",
                "--timeout",
                "60s",
            ])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut stdout = child.stdout.take().unwrap();
        let mut first = [0u8; 1];
        stdout.read_exact(&mut first).unwrap();
        drop(stdout);
        let output = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        if failing {
            assert_eq!(output.status.code(), Some(23), "{stderr}");
            assert!(stderr.contains("INSTANCE_FAILED"), "{stderr}");
        } else {
            assert_eq!(output.status.code(), Some(0), "{stderr}");
        }
    }
    // --help says so.
    let help = run(hwinst().arg("--help")).expect(0);
    assert!(
        help.stdout.contains("whatever happens to stdout"),
        "{}",
        help.stdout
    );
}

/// Issue 26 items 1 and 2 at the command line: an overflowing `Retry-After` is a throttled
/// wait (exit 18), a tiny `--rate` an invalid argument (11), never a panic (101).
#[test]
fn overflowing_pauses_exit_with_their_class_not_a_panic() {
    let mut server = mockito::Server::new();
    let _throttled = server
        .mock(
            "GET",
            mockito::Matcher::Regex("/apigw/instances/gw-[12]/progress$".into()),
        )
        .with_status(429)
        .with_header("Retry-After", "18446744073709551615")
        .with_body("{}")
        .create();
    let config = temp_file(
        "config.json",
        &json!({
            "project_id": PROJECT,
            "credentials": {"token": TOKEN},
            "endpoints": {"apig": server.url(), "roma": server.url(), "clouddc": server.url()},
            "retry": {"max_attempts": 1},
        })
        .to_string(),
    );
    let hw = || {
        let mut command = hwinst();
        command.env("HWINST_CONFIG", &config);
        command
    };
    let run1 = run(hw().args(["wait", "apig", "gw-1", "--timeout", "60s"])).expect(18);
    assert!(run1.one_error_line().contains("429"), "{}", run1.stderr);
    run(hw().args(["wait", "apig", "gw-1", "gw-2", "--timeout", "60s"])).expect(18);
    for rate in ["apig=1e-20", "apig=5e-324"] {
        let refused = run(hw().args(["wait", "apig", "gw-1", "gw-2", "--rate", rate])).expect(11);
        assert!(
            refused.stderr.contains("one request a day"),
            "{}",
            refused.stderr
        );
    }
}

/// Issue 26, the same class elsewhere: `demo --speed` too small for its timeout to be held in a
/// `Duration` (1e-300), or absurdly large, is a usage error, not a panic (before: exit 101).
#[test]
fn an_extreme_demo_speed_is_a_usage_error() {
    for speed in ["1e-300", "5e-324", "0.001", "1e300"] {
        let run = run(hwinst().args(["demo", "--speed", speed])).expect(2);
        assert!(run.stderr.contains("from 0.01 to 100"), "{}", run.stderr);
    }
}

/// Issue 26 item 10, at the command line: a configuration or targets file that never ends
/// (`/dev/zero`) is refused past a cap, not read until memory runs out.
#[test]
fn endless_files_given_to_the_command_line_are_refused_past_a_cap() {
    let run1 = run(hwinst().args(["--config", "/dev/zero", "config", "show"])).expect(12);
    assert!(
        run1.stderr.contains("holds more than 1024 KiB"),
        "{}",
        run1.stderr
    );
    let backend = backend();
    let run2 = backend.run(&["wait", "--targets", "/dev/zero"]).expect(2);
    assert!(run2.stderr.contains("holds more than"), "{}", run2.stderr);
}
