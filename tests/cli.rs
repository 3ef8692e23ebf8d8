#![cfg(feature = "cli")]
//! The `hwinst` command line, run as a process against a stand-in for the services on
//! loopback: each subcommand's human and JSON output, the exit code of each error class, the
//! configuration sources, and `--help`.
//!
//! The child's environment is cleared (PATH aside), so the developer's credentials and
//! proxies cannot leak in.

mod common;

use common::{fixture, INSTANCE, PROJECT, TOKEN};
use mockito::{Mock, ServerGuard};
use serde::Serialize;
use serde_json::{json, Value};
use std::path::PathBuf;
use std::process::Command;

const APIG_ID: &str = "eddc4d25480b4cd6b512f270a1b8b341";

/// The services' stand-in and a configuration file pointing every endpoint at it.
///
/// Phase 2 will start the simulator here instead: everything else talks to it only through
/// `url()`, `mock()` and `config`.
struct Backend {
    server: ServerGuard,
    config: PathBuf,
}

fn backend() -> Backend {
    let server = mockito::Server::new();
    let url = server.url();
    let document = json!({
        "project_id": PROJECT,
        "credentials": {"token": TOKEN},
        "endpoints": {"roma": url, "apig": url, "clouddc": url, "iam": url},
        // Retries are quick, so that the throttling test does not wait for the defaults.
        "retry": {"max_attempts": 3, "base_delay_ms": 5, "max_delay_ms": 20},
    });
    let config = temp_file("config.json", &document.to_string());
    Backend { server, config }
}

impl Backend {
    fn url(&self) -> String {
        self.server.url()
    }

    /// `GET path` answering `status` with `body`.
    fn mock(&mut self, path: &str, status: usize, body: &str) -> Mock {
        self.server
            .mock("GET", path)
            .with_status(status)
            .with_header("content-type", "application/json")
            .with_body(body)
            .create()
    }

    /// Mocks answering `bodies` in order, one request each (mockito serves the first mock
    /// still missing its hits; the last one also answers any later request).
    fn sequence(&mut self, path: &str, bodies: &[Value]) -> Vec<Mock> {
        bodies
            .iter()
            .map(|body| {
                self.server
                    .mock("GET", path)
                    .with_body(body.to_string())
                    .expect(1)
                    .create()
            })
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

/// The binary with nothing of this process's environment but PATH.
fn hwinst() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_hwinst"));
    command.env_clear();
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
}

/// What the library gives for `body` decoded as `T` and serialised: what JSON mode prints.
fn as_library_serialises<T: serde::de::DeserializeOwned + Serialize>(body: &str) -> Value {
    serde_json::to_value(serde_json::from_str::<T>(body).expect("the fixture decodes"))
        .expect("models serialise")
}

fn apig_path(id: &str) -> String {
    format!("/v2/{PROJECT}/apigw/instances/{id}/progress")
}

fn roma_process_path() -> String {
    format!("/v2/{PROJECT}/instances/{INSTANCE}/process")
}

fn roma_details_path() -> String {
    format!("/v2/{PROJECT}/apic/instances/{INSTANCE}")
}

fn clouddc_path() -> String {
    format!("/v1/{PROJECT}/instances/{INSTANCE}/status")
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
        "Exit codes:",
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
        ("progress", "apig: API Gateway"),
        ("show", "every field"),
        ("list", "--all"),
        ("status", "Cloud DC"),
        ("lifecycle", "roma-details"),
        ("wait", "--not-found-grace <DURATION>"),
    ] {
        for args in [vec![subcommand, "--help"], vec!["help", subcommand]] {
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
    ] {
        assert!(wait.contains(expected), "wait --help lacks {expected:?}");
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
    let mut backend = backend();
    let body = fixture("apig_creation_progress.json");
    backend.mock(&apig_path(APIG_ID), 200, &body);

    let human = backend.run(&["progress", "apig", APIG_ID]).expect(0);
    assert!(human.stderr.is_empty(), "{}", human.stderr);
    for line in [
        format!("instance:  {APIG_ID}"),
        "source:    apig".into(),
        "phase:     running".into(),
        "progress:  100%".into(),
        "terminal:  yes".into(),
        "status:    success".into(),
        "started:   2020-08-14T07:25:01Z".into(),
        "ended:     2020-08-14T07:30:24Z".into(),
    ] {
        assert!(
            human.stdout.lines().any(|l| l == line),
            "no {line:?} in\n{}",
            human.stdout
        );
    }

    let json = backend
        .run(&["progress", "apig", APIG_ID, "--output", "json"])
        .expect(0);
    assert_eq!(
        json.json(),
        as_library_serialises::<hwinst::ApigCreationProgress>(&body)
    );
}

#[test]
fn progress_roma_shows_its_sub_services() {
    let mut backend = backend();
    let body = fixture("roma_creation_progress.json");
    backend.mock(&roma_process_path(), 200, &body);

    let human = backend.run(&["progress", "roma", INSTANCE]).expect(0);
    assert!(
        human.stdout.contains("phase:        creating"),
        "{}",
        human.stdout
    );
    assert!(
        human.stdout.contains("name:         roma-2222"),
        "{}",
        human.stdout
    );
    assert!(human.stdout.contains("started:      2025-03-06T12:01:13Z"));
    let header = human.stdout.lines().find(|l| l.starts_with("SUB-SERVICE"));
    assert_eq!(
        header,
        Some("SUB-SERVICE  STATUS    PROGRESS  STARTED               ERROR"),
        "{}",
        human.stdout
    );
    let mqs = human.stdout.lines().find(|l| l.starts_with("mqs "));
    assert_eq!(
        mqs,
        Some("mqs          creating  0%        -                     -")
    );

    let json = backend
        .run(&["-o", "json", "progress", "roma", INSTANCE])
        .expect(0);
    assert_eq!(
        json.json(),
        as_library_serialises::<hwinst::RomaCreationProgress>(&body)
    );
}

#[test]
fn show_human_and_json() {
    let mut backend = backend();
    let body = fixture("roma_instance_full.json");
    backend.mock(&roma_details_path(), 200, &body);

    let human = backend.run(&["show", INSTANCE]).expect(0);
    let details: hwinst::RomaInstance = serde_json::from_str(&body).unwrap();
    let name = details.instance_name.clone().unwrap();
    assert!(human.stdout.contains("source:  ") || human.stdout.contains("source:"));
    assert!(human.stdout.contains("roma-details"), "{}", human.stdout);
    assert!(human
        .stdout
        .lines()
        .any(|l| l.starts_with("name:") && l.ends_with(&name)));
    assert!(human.stdout.lines().any(|l| l.starts_with("phase:")));
    assert!(human.stdout.lines().any(|l| l.starts_with("terminal:")));

    let json = backend.run(&["show", INSTANCE, "--output=json"]).expect(0);
    assert_eq!(
        json.json(),
        as_library_serialises::<hwinst::RomaInstance>(&body)
    );
}

#[test]
fn status_human_and_json() {
    let mut backend = backend();
    let body = r#"{"state":"running","operation_state":"install-processing","error":null}"#;
    backend.mock(&clouddc_path(), 200, body);

    let human = backend.run(&["status", INSTANCE]).expect(0);
    for line in [
        "source:     clouddc",
        "phase:      updating",
        "terminal:   no",
        "status:     running",
        "operation:  install-processing",
    ] {
        assert!(
            human.stdout.lines().any(|l| l == line),
            "no {line:?} in\n{}",
            human.stdout
        );
    }
    let json = backend.run(&["status", "-o", "json", INSTANCE]).expect(0);
    assert_eq!(
        json.json(),
        json!({"state": "running", "operation_state": "install-processing"})
    );
}

#[test]
fn lifecycle_human_and_json() {
    let mut backend = backend();
    let failed = json!({"progress": 30, "status": "failed", "error_code": "APIG.9999",
                        "error_msg": "no capacity"});
    backend.mock(&apig_path(APIG_ID), 200, &failed.to_string());

    let human = backend.run(&["lifecycle", "apig", APIG_ID]).expect(0);
    for line in [
        "phase:     failed",
        "progress:  30%",
        "terminal:  yes",
        "error:     APIG.9999: no capacity",
    ] {
        assert!(
            human.stdout.lines().any(|l| l == line),
            "no {line:?} in\n{}",
            human.stdout
        );
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
        json!({"source": "apig", "instance_id": APIG_ID, "phase": "failed", "progress": 30,
               "terminal": true, "status": "failed",
               "error": {"error_code": "APIG.9999", "error_msg": "no capacity"}})
    );
}

#[test]
fn list_one_page_human_and_json() {
    let mut backend = backend();
    let mut page: Value = serde_json::from_str(&fixture("roma_instance_page.json")).unwrap();
    page["total"] = json!(7);
    let path = format!("/v2/{PROJECT}/instances?status=RUNNING&offset=3&limit=1");
    backend.mock(&path, 200, &page.to_string());
    let args = [
        "list", "--status", "RUNNING", "--offset", "3", "--limit", "1",
    ];

    let human = backend.run(&args).expect(0);
    let lines: Vec<&str> = human.stdout.lines().collect();
    assert_eq!(
        lines,
        [
            "ID                                    NAME       STATUS   PHASE    CREATED",
            "e34610ca-0a37-4f04-8856-4101b08cc5e2  roma-test  RUNNING  running  2019-12-06T06:49:04Z",
        ]
    );
    assert_eq!(
        human.stderr.trim(),
        "1 of 7 instances shown; --offset 4 for the next page, --all for every one"
    );

    let json = backend
        .run(&[&args[..], &["-o", "json"]].concat())
        .expect(0);
    assert!(json.stderr.is_empty());
    assert_eq!(
        json.json(),
        as_library_serialises::<hwinst::RomaInstancePage>(&page.to_string())
    );
}

#[test]
fn list_all_pages_human_and_json() {
    let mut backend = backend();
    let instance = |id: &str| json!({"id": id, "name": format!("n-{id}"), "status": "CREATING"});
    let first = json!({"total": 3, "size": 2, "instances": [instance("a"), instance("b")]});
    let second = json!({"total": 3, "size": 1, "instances": [instance("c")]});
    let page = |offset| format!("/v2/{PROJECT}/instances?offset={offset}&limit=2");
    let mocks = [
        backend.mock(&page(0), 200, &first.to_string()),
        backend.mock(&page(2), 200, &second.to_string()),
    ];

    let json = backend
        .run(&["list", "--all", "--limit", "2", "-o", "json"])
        .expect(0);
    assert_eq!(
        json.json(),
        json!({"total": 3, "instances": [instance("a"), instance("b"), instance("c")]})
    );
    let human = backend.run(&["list", "--all", "--limit", "2"]).expect(0);
    let lines: Vec<&str> = human.stdout.lines().collect();
    assert_eq!(lines[0], "ID  NAME  STATUS    PHASE     CREATED");
    assert_eq!(lines[3], "c   n-c   CREATING  creating  -");
    assert_eq!(lines.len(), 4);
    for mock in mocks {
        mock.expect(2).assert();
    }

    // Nothing to list: no table, a note on stderr.
    let mut empty = self::backend();
    empty.mock(
        &format!("/v2/{PROJECT}/instances"),
        200,
        r#"{"total":0,"size":0,"instances":[]}"#,
    );
    let run = empty.run(&["list"]).expect(0);
    assert!(run.stdout.is_empty());
    assert_eq!(run.stderr.trim(), "No instances found.");
}

fn apig_steps() -> Vec<Value> {
    vec![
        json!({"progress": 30, "status": "creating"}),
        json!({"progress": 80, "status": "creating"}),
        json!({"progress": 100, "status": "success"}),
    ]
}

const FAST: [&str; 4] = ["--interval", "10ms", "--max-interval", "20ms"];

#[test]
fn wait_human_prints_a_line_per_change_then_the_result() {
    let mut backend = backend();
    backend.sequence(&apig_path(APIG_ID), &apig_steps());

    let run = backend
        .run(&[&["wait", "apig", APIG_ID][..], &FAST].concat())
        .expect(0);
    let lines: Vec<&str> = run.stdout.lines().collect();
    // Not a terminal: plain lines, each with its UTC time.
    for (line, expected) in lines.iter().zip([
        format!("apig {APIG_ID} creating 30% (status creating)"),
        format!("apig {APIG_ID} creating 80% (status creating)"),
        format!("apig {APIG_ID} running 100% (status success)"),
    ]) {
        let (time, rest) = line.split_once(' ').unwrap();
        assert!(time.starts_with("20") && time.ends_with('Z'), "{line}");
        assert_eq!(rest, expected);
    }
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
    let mut backend = backend();
    backend.sequence(&apig_path(APIG_ID), &apig_steps());

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
    assert_eq!(run.stderr.lines().count(), 3, "{}", run.stderr);
    assert!(run
        .stderr
        .lines()
        .last()
        .unwrap()
        .ends_with("running 100% (status success)"));

    // --quiet: no change lines at all.
    let mut backend = self::backend();
    backend.sequence(&apig_path(APIG_ID), &apig_steps());
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
    let mut backend = backend();
    let body = r#"{"error_code":"APIC.7302","error_msg":"Instance not found","request_id":"r-1"}"#;
    backend.mock(&roma_details_path(), 404, body);

    let human = backend.run(&["show", INSTANCE]).expect(17);
    assert!(human.stdout.is_empty());
    let line = human.one_error_line();
    assert!(
        line.contains("HTTP 404") && line.contains("APIC.7302"),
        "{line}"
    );

    let json = backend.run(&["show", INSTANCE, "-o", "json"]).expect(17);
    json.one_error_line();
    let document = json.json();
    assert_eq!(document["code"], "NOT_FOUND");
    assert_eq!(document["http_status"], 404);
    assert_eq!(document["error_code"], "APIC.7302");
    assert_eq!(document["request_id"], "r-1");
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
    let mut backend = backend();
    let body =
        format!(r#"{{"error_code":"APIGW.0301","error_msg":"Incorrect IAM token {TOKEN}"}}"#);
    backend.mock(&apig_path(APIG_ID), 401, &body);

    let human = backend.run(&["progress", "apig", APIG_ID]).expect(15);
    assert!(human.one_error_line().contains("HTTP 401"));
    let json = backend
        .run(&["progress", "apig", APIG_ID, "-o", "json"])
        .expect(15);
    json.one_error_line();
    assert_eq!(json.json()["code"], "UNAUTHORIZED");
}

#[test]
fn throttled_then_ok_succeeds_after_a_retry() {
    let mut backend = backend();
    let throttled = backend
        .server
        .mock("GET", clouddc_path().as_str())
        .with_status(429)
        .with_body(r#"{"error_code":"APIGW.0308","error_msg":"throttled"}"#)
        .expect(1)
        .create();
    let ok = backend.mock(&clouddc_path(), 200, r#"{"state":"running"}"#);

    let run = backend.run(&["status", INSTANCE]).expect(0);
    assert!(run.stdout.contains("phase:     running"), "{}", run.stdout);
    throttled.assert();
    ok.assert();

    // Throttled on every attempt: THROTTLED.
    let mut backend = self::backend();
    backend.mock(&clouddc_path(), 429, "{}");
    let run = backend.run(&["status", INSTANCE]).expect(18);
    assert!(
        run.one_error_line().contains("after 3 attempts"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_wait_that_never_ends_times_out_with_14() {
    let mut backend = backend();
    backend.mock(
        &apig_path(APIG_ID),
        200,
        r#"{"progress":50,"status":"creating"}"#,
    );

    let args = [
        &["wait", "apig", APIG_ID, "--timeout", "1s", "-o", "json"][..],
        &FAST,
    ]
    .concat();
    let run = backend.run(&args).expect(14);
    assert!(run
        .stderr
        .lines()
        .next()
        .unwrap()
        .ends_with("creating 50% (status creating)"));
    assert!(run
        .stderr
        .lines()
        .last()
        .unwrap()
        .starts_with("hwinst: timed out"));
    let document = run.json();
    assert_eq!(document["code"], "TIMEOUT");
    assert_eq!(document["lifecycle"]["phase"], "creating");
}

#[test]
fn a_failed_instance_exits_23_with_the_service_reason() {
    let mut backend = backend();
    backend.sequence(
        &apig_path(APIG_ID),
        &[
            json!({"progress": 30, "status": "creating"}),
            json!({"progress": 30, "status": "failed", "error_code": "APIG.9999",
                   "error_msg": "no capacity"}),
        ],
    );
    let run = backend
        .run(&[&["wait", "apig", APIG_ID, "--output", "json"][..], &FAST].concat())
        .expect(23);
    let document = run.json();
    assert_eq!(document["code"], "INSTANCE_FAILED");
    assert_eq!(document["error_code"], "APIG.9999");
    assert_eq!(document["error_msg"], "no capacity");
    assert_eq!(document["lifecycle"]["phase"], "failed");
    let last = run.stderr.lines().last().unwrap();
    assert!(last.starts_with("hwinst: the instance ended") && last.contains("no capacity"));

    // Human mode: the change lines, then the error on stderr only.
    let mut backend = self::backend();
    backend.mock(
        &apig_path(APIG_ID),
        200,
        r#"{"progress":30,"status":"failed","error_code":"APIG.9999"}"#,
    );
    let run = backend
        .run(&[&["wait", "apig", APIG_ID][..], &FAST].concat())
        .expect(23);
    assert_eq!(run.stdout.lines().count(), 1, "{}", run.stdout);
    assert!(run.one_error_line().contains("APIG.9999"));
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
    let mut backend = backend();
    backend.mock(&clouddc_path(), 200, r#"{"state":"running"}"#);
    let url = backend.url();
    let from_env = |command: &mut Command| {
        command
            .env("HWINST_TOKEN", TOKEN)
            .env("HUAWEICLOUD_SDK_PROJECT_ID", "another-project")
            .env("HUAWEICLOUD_SDK_REGION", "cn-north-4");
    };
    // The environment's project is overridden; the flags also work after the subcommand.
    let mut command = hwinst();
    from_env(&mut command);
    command.args(["status", INSTANCE, "--project-id", PROJECT, "--endpoint"]);
    command.arg(format!("clouddc={url}"));
    assert!(run(&mut command).expect(0).stdout.contains("phase:"));

    // Without the flag, the environment's project is used: a different path, 501 from mockito.
    let mut command = hwinst();
    from_env(&mut command);
    command.args(["--endpoint", &format!("clouddc={url}"), "status", INSTANCE]);
    assert_ne!(run(&mut command).code, 0);

    // No credentials anywhere.
    let run = run(hwinst().args(["--region", "cn-north-4", "show", "x"])).expect(12);
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
    command.args(["status", INSTANCE, "--request-timeout", "5s"]);
    self::run(&mut command).expect(0);
}
