//! The C ABI from real C: `tests/c/abi_test.c` is compiled against the committed
//! `include/hwinst.h` and the library cargo built, statically and dynamically, under
//! AddressSanitizer + UndefinedBehaviorSanitizer (LeakSanitizer on), and once more under
//! Valgrind; each build runs against a mockito server and every document it prints is
//! checked here.
//!
//! Needs `cc` (with the sanitizer runtimes), `readelf` and `valgrind`; `.ci/run` installs
//! them. Without valgrind the Valgrind test fails unless `HWINST_SKIP_VALGRIND=1` is set.

// Real time here (clippy.toml refuses it elsewhere): a server thread that answers late, in network
// (real) time.
#![allow(clippy::disallowed_methods)]

mod common;

use common::{built_library_dir, fixture, succeed, NATIVE_STATIC_LIBS, PROJECT, TOKEN};
use mockito::{Matcher, Mock, Server, ServerGuard};
use serde_json::Value;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

const SANITIZE: &[&str] = &[
    "-fsanitize=address,undefined",
    "-fno-sanitize-recover=all",
    "-fno-omit-frame-pointer",
];
const WARNINGS: &[&str] = &["-Wall", "-Wextra", "-Werror", "-pedantic", "-std=c11"];

/// How a service answers one test case, for every operation (the list receives the case as
/// its `status` filter).
struct Answer {
    case: &'static str,
    status: usize,
    body: &'static str,
    /// What the error document must say: http_status, error_code, error_msg, request_id.
    expect: Option<(
        u16,
        Option<&'static str>,
        Option<&'static str>,
        &'static str,
    )>,
}

fn answers() -> Vec<Answer> {
    let service_error = |case, status, code, msg, body, request_id| Answer {
        case,
        status,
        body,
        expect: Some((status as u16, code, msg, request_id)),
    };
    vec![
        service_error(
            "inst-missing",
            404,
            Some("APIC.7302"),
            Some("Instance not found"),
            r#"{"error_code":"APIC.7302","error_msg":"Instance not found","request_id":"req-missing"}"#,
            "req-missing",
        ),
        // The service echoes the token: the document must not.
        service_error(
            "inst-noauth",
            401,
            Some("APIG.0301"),
            Some("Incorrect IAM authentication information: bad token MIIT0k3n-s3cr3t-value"),
            r#"{"error_code":"APIG.0301","error_msg":"Incorrect IAM authentication information: bad token MIIT0k3n-s3cr3t-value","request_id":"req-noauth"}"#,
            "req-noauth",
        ),
        service_error(
            "inst-denied",
            403,
            Some("ROMA.00110014"),
            Some("Forbidden"),
            r#"{"error_code":"ROMA.00110014","error_msg":"Forbidden","error_details":"x","request_id":"req-denied"}"#,
            "req-denied",
        ),
        service_error(
            "inst-throttled",
            429,
            Some("APIG.1009"),
            Some("Too many requests"),
            r#"{"error_code":"APIG.1009","error_msg":"Too many requests","request_id":"req-throttled"}"#,
            "req-throttled",
        ),
        service_error(
            "inst-broken",
            500,
            Some("APIG.9999"),
            Some("System error"),
            r#"{"error_code":"APIG.9999","error_msg":"System error","request_id":"req-broken"}"#,
            "req-broken",
        ),
        service_error(
            "inst-teapot",
            418,
            None,
            None,
            "<html><body>I'm a teapot</body></html>",
            "req-teapot",
        ),
        Answer {
            case: "inst-garbage",
            status: 200,
            body: r#"{"progress": "#,
            expect: None,
        },
    ]
}

/// The operations' paths for one instance, and the fixture each answers with.
fn paths(instance: &str) -> [(String, &'static str); 4] {
    [
        (
            format!("/v2/{PROJECT}/instances/{instance}/process"),
            "roma_creation_progress.json",
        ),
        (
            format!("/v2/{PROJECT}/apigw/instances/{instance}/progress"),
            "apig_creation_progress.json",
        ),
        (
            format!("/v2/{PROJECT}/apic/instances/{instance}"),
            "roma_instance.json",
        ),
        (
            format!("/v1/{PROJECT}/instances/{instance}/status"),
            "clouddc_instance_status.json",
        ),
    ]
}

/// A fixture with one field no version of the documents has: it must come back in the
/// result document.
fn with_unknown_field(name: &str) -> String {
    let mut document: Value = serde_json::from_str(&fixture(name)).unwrap();
    document["x_future_field"] = serde_json::json!({"kept": true});
    document.to_string()
}

/// A mock server answering every case on every operation.
fn serve() -> (ServerGuard, Vec<Mock>) {
    let mut server = Server::new();
    let mut mocks = Vec::new();
    let list_path = format!("/v2/{PROJECT}/instances");
    for (path, name) in paths("inst-ok") {
        mocks.push(
            server
                .mock("GET", path.as_str())
                .match_header("x-auth-token", TOKEN)
                .with_header("content-type", "application/json")
                .with_body(with_unknown_field(name))
                .create(),
        );
    }
    mocks.push(
        server
            .mock("GET", list_path.as_str())
            .match_query(Matcher::Regex(
                "^(|status=inst-ok|status=RUNNING&offset=0&limit=10|offset=0&limit=50)$".into(),
            ))
            .with_header("content-type", "application/json")
            .with_body(with_unknown_field("roma_instance_page.json"))
            .create(),
    );
    for answer in answers() {
        let id = answer.case;
        let list = server
            .mock("GET", list_path.as_str())
            .match_query(Matcher::UrlEncoded("status".into(), id.into()));
        let each = server.mock(
            "GET",
            Matcher::Regex(format!("^/v[12]/{PROJECT}/.*/{id}(/|$)")),
        );
        for mock in [list, each] {
            mocks.push(
                mock.with_status(answer.status)
                    .with_header("x-request-id", &format!("req-{}", &id[5..]))
                    .with_body(answer.body)
                    .create(),
            );
        }
    }
    // Waits: each instance's answers in order, one request each (mockito serves the first
    // mock still missing hits, then keeps serving the last).
    let apig = |progress: u8, status: &str, extra: &str| {
        format!(r#"{{"progress":{progress},"status":"{status}"{extra}}}"#)
    };
    let sequences = [
        (
            "wait-walk",
            vec![
                apig(30, "creating", ""),
                apig(30, "creating", ""),
                apig(50, "creating", ""),
                apig(100, "success", ""),
            ],
        ),
        (
            "wait-failed",
            vec![
                apig(30, "creating", ""),
                apig(
                    30,
                    "failed",
                    r#","error_code":"APIG.9999","error_msg":"EIP quota exceeded""#,
                ),
            ],
        ),
        (
            "wait-slow",
            vec![apig(30, "creating", ""), apig(50, "creating", "")],
        ),
        ("wait-stuck", vec![apig(30, "creating", "")]),
        // Fleets.
        (
            "fleet-a",
            vec![apig(30, "creating", ""), apig(100, "success", "")],
        ),
        ("fleet-b", vec![apig(100, "success", "")]),
        (
            "fleet-failed",
            vec![apig(
                30,
                "failed",
                r#","error_code":"APIG.9999","error_msg":"EIP quota exceeded""#,
            )],
        ),
    ];
    for (id, bodies) in sequences {
        let path = format!("/v2/{PROJECT}/apigw/instances/{id}/progress");
        for body in bodies {
            mocks.push(server.mock("GET", path.as_str()).with_body(body).create());
        }
    }
    // Issue 26: a 429 whose Retry-After overflows an instant.
    mocks.push(
        server
            .mock(
                "GET",
                Matcher::Regex(format!(
                    "^/v2/{PROJECT}/apigw/instances/huge-wait-[12]/progress$"
                )),
            )
            .with_status(429)
            .with_header("retry-after", "18446744073709551615")
            .with_body(r#"{"error_code":"APIGW.0308","error_msg":"throttled"}"#)
            .create(),
    );
    // AK/SK: only a signed request finds "aksk-ok" (the signature itself is checked in
    // tests/it/signing.rs).
    mocks.push(
        server
            .mock("GET", format!("/v2/{PROJECT}/apigw/instances/aksk-ok/progress").as_str())
            .match_header(
                "authorization",
                Matcher::Regex(
                    "^SDK-HMAC-SHA256 Access=AKC, SignedHeaders=host;x-project-id;x-sdk-date, Signature=[0-9a-f]{64}$".into(),
                ),
            )
            .match_header("x-sdk-date", Matcher::Regex("^[0-9]{8}T[0-9]{6}Z$".into()))
            .match_header("x-project-id", PROJECT)
            .match_header("x-auth-token", Matcher::Missing)
            .with_body(with_unknown_field("apig_creation_progress.json"))
            .create(),
    );
    mocks.push(
        server
            .mock(
                "GET",
                format!("/v2/{PROJECT}/apigw/instances/aksk-ok/progress").as_str(),
            )
            .match_header("authorization", Matcher::Missing)
            .with_status(404)
            .with_body(r#"{"error_code":"APIG.3030","error_msg":"not found"}"#)
            .create(),
    );
    // Retries: two 503s, then the instance.
    let flaky = format!("/v2/{PROJECT}/apic/instances/retry-flaky");
    for status in [503, 503] {
        mocks.push(
            server
                .mock("GET", flaky.as_str())
                .with_status(status)
                .with_header("retry-after", "0")
                .expect(1)
                .create(),
        );
    }
    mocks.push(
        server
            .mock("GET", flaky.as_str())
            .with_body(with_unknown_field("roma_instance.json"))
            .create(),
    );
    mocks.push(
        server
            .mock(
                "GET",
                format!("/v2/{PROJECT}/apic/instances/retry-down").as_str(),
            )
            .with_status(503)
            .with_body(r#"{"error_code":"APIC.9000","error_msg":"down"}"#)
            .create(),
    );
    mocks.push(
        server
            .mock("GET", Matcher::Regex("/inst-slow$".into()))
            .with_chunked_body(|w| {
                std::thread::sleep(std::time::Duration::from_secs(2));
                w.write_all(b"{}")
            })
            .create(),
    );
    (server, mocks)
}

fn work_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("c_abi");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn run(command: &mut Command) -> Output {
    let output = command
        .output()
        .unwrap_or_else(|e| panic!("{command:?}: {e}"));
    output
}

/// The shared library's SONAME, under which the dynamic linker looks for it.
fn soname(library: &Path) -> String {
    let output = succeed(Command::new("readelf").arg("-d").arg(library));
    let text = String::from_utf8_lossy(&output.stdout);
    let line = text
        .lines()
        .find(|l| l.contains("(SONAME)"))
        .unwrap_or_else(|| panic!("{} has no SONAME", library.display()));
    line.rsplit('[')
        .next()
        .and_then(|s| s.strip_suffix(']'))
        .expect("readelf's SONAME line")
        .to_owned()
}

#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
enum Build {
    SanitizedStatic,
    SanitizedDynamic,
    /// For Valgrind, which cannot run sanitized programs.
    PlainDynamic,
}

/// Compiles the test program once per build; tests in this file share the binaries.
fn binary(build: Build) -> PathBuf {
    static BUILT: OnceLock<std::sync::Mutex<HashMap<Build, PathBuf>>> = OnceLock::new();
    let mut built = BUILT.get_or_init(Default::default).lock().unwrap();
    if let Some(path) = built.get(&build) {
        return path.clone();
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let lib = built_library_dir();
    let out = work_dir().join(format!("abi_test_{build:?}"));
    let cc = std::env::var("CC").unwrap_or_else(|_| "cc".into());
    let mut command = Command::new(cc);
    command
        .args(WARNINGS)
        .args(["-g", "-pthread", "-I"])
        .arg(root.join("include"))
        .arg(root.join("tests/c/abi_test.c"))
        .arg("-o")
        .arg(&out);
    if build != Build::PlainDynamic {
        command.args(SANITIZE);
    }
    if build == Build::SanitizedStatic {
        command
            .arg(lib.join("libhwinst.a"))
            .args(NATIVE_STATIC_LIBS);
    } else {
        // The executable records the SONAME; give the loader a directory that has it.
        let so_dir = work_dir().join("lib");
        std::fs::create_dir_all(&so_dir).unwrap();
        let link = so_dir.join(soname(&lib.join("libhwinst.so")));
        let _ = std::fs::remove_file(&link);
        std::os::unix::fs::symlink(lib.join("libhwinst.so"), &link).unwrap();
        command
            .arg(format!("-L{}", lib.display()))
            .arg("-lhwinst")
            .arg(format!("-Wl,-rpath,{}", so_dir.display()));
    }
    succeed(&mut command);
    built.insert(build, out.clone());
    out
}

fn refused_url() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    format!("http://127.0.0.1:{port}")
}

fn sanitizer_env(command: &mut Command) -> &mut Command {
    command
        .env(
            "ASAN_OPTIONS",
            "detect_leaks=1:abort_on_error=0:exitcode=23",
        )
        .env("UBSAN_OPTIONS", "print_stacktrace=1:halt_on_error=1")
}

fn valgrind(program: &Path) -> Command {
    let mut command = Command::new("valgrind");
    command.args([
        "--quiet",
        "--error-exitcode=1",
        "--leak-check=full",
        "--errors-for-leak-kinds=definite,indirect",
        // Rust and glibc keep some memory reachable until exit on purpose.
        "--show-leak-kinds=definite,indirect",
    ]);
    command.arg(program);
    command
}

fn valgrind_available() -> bool {
    if Command::new("valgrind").arg("--version").output().is_ok() {
        return true;
    }
    assert!(
        std::env::var("HWINST_SKIP_VALGRIND").is_ok_and(|v| v == "1"),
        "valgrind is not installed (.ci/run installs it; HWINST_SKIP_VALGRIND=1 skips)"
    );
    eprintln!("valgrind is not installed: skipped (HWINST_SKIP_VALGRIND=1)");
    false
}

/// Runs the whole program under `command` and checks its verdict and every document.
fn run_abi_test(mut command: Command, iterations: u32) {
    let (server, _mocks) = serve();
    let output = run(command
        .arg(server.url())
        .arg(refused_url())
        .arg(TOKEN)
        .arg(env!("CARGO_PKG_VERSION"))
        .arg(iterations.to_string()));
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "{command:?} failed ({}):\n{stderr}\n--- stdout ---\n{stdout}",
        output.status
    );
    assert!(stdout.contains("DONE failures=0"), "{stdout}");
    assert!(
        stdout.contains(&format!("THREADS 8 {iterations}")),
        "{stdout}"
    );
    for text in [&stdout, &stderr] {
        assert!(!text.contains(TOKEN), "the token leaked:\n{text}");
    }
    check_documents(&stdout);
}

/// Every `DOC <label> <code> <json>` line: the JSON parses, `code` matches the returned code,
/// and the fields say what the mock said.
fn check_documents(stdout: &str) {
    let documents: HashMap<&str, (&str, Value)> = stdout
        .lines()
        .filter_map(|l| l.strip_prefix("DOC "))
        .map(|l| {
            let mut parts = l.splitn(3, ' ');
            let (label, code, json) = (
                parts.next().unwrap(),
                parts.next().unwrap(),
                parts.next().unwrap(),
            );
            let doc = serde_json::from_str(json)
                .unwrap_or_else(|e| panic!("{label}: not JSON ({e}): {json}"));
            (label, (code, doc))
        })
        .collect();
    assert!(documents.len() > 100, "only {} documents", documents.len());

    let ops = [
        "roma_creation_progress",
        "apig_creation_progress",
        "roma_instance",
        "clouddc_instance_status",
        "roma_list_instances",
    ];
    const ERROR_FIELDS: [&str; 8] = [
        "code",
        "message",
        "http_status",
        "error_code",
        "error_msg",
        "request_id",
        "retryable",
        "lifecycle",
    ];
    for (label, (code, doc)) in &documents {
        if label.starts_with("fleet:") && doc.get("instances").is_some() {
            check_fleet(label, doc);
            continue;
        }
        let ours = label.starts_with("lifecycle:") || label.starts_with("wait:");
        if *code == "OK" && ours {
            check_lifecycle(label, doc);
            continue;
        }
        if *code == "OK" && !label.starts_with("list_all:") && !label.starts_with("list_page:") {
            assert_eq!(doc["x_future_field"]["kept"], true, "{label}: {doc}");
            continue;
        }
        if *code == "OK" {
            continue;
        }
        let fields: Vec<&str> = doc
            .as_object()
            .unwrap()
            .keys()
            .map(|k| k.as_str())
            .collect();
        let mut expected = ERROR_FIELDS.to_vec();
        expected.sort();
        assert_eq!(fields, expected, "{label}: {doc}");
        assert_eq!(doc["code"], *code, "{label}");
        assert!(
            doc["message"].as_str().is_some_and(|m| !m.is_empty()),
            "{label}"
        );
        match doc["lifecycle"] {
            // Only a wait cancelled before its first poll has no lifecycle to give.
            Value::Null => assert!(
                !matches!(*code, "INSTANCE_FAILED" | "CANCELLED") || *label == "wait:token_before",
                "{label}: {doc}"
            ),
            ref lifecycle => check_lifecycle(label, lifecycle),
        }
        if *code == "INVALID_ARGUMENT" || *code == "CONFIG" {
            assert_eq!(doc["http_status"], Value::Null, "{label}: {doc}");
            assert_eq!(doc["retryable"], false, "{label}: {doc}");
        }
    }

    for op in ops {
        assert_eq!(documents[format!("{op}:inst-ok").as_str()].0, "OK");
        for answer in answers() {
            let label = format!("{op}:{}", answer.case);
            let (_, doc) = &documents[label.as_str()];
            match answer.expect {
                Some((status, error_code, error_msg, request_id)) => {
                    assert_eq!(doc["http_status"], status, "{label}: {doc}");
                    assert_eq!(doc["error_code"].as_str(), error_code, "{label}: {doc}");
                    let msg = error_msg.map(|m| m.replace(TOKEN, "***"));
                    assert_eq!(doc["error_msg"].as_str(), msg.as_deref(), "{label}: {doc}");
                    assert_eq!(doc["request_id"], request_id, "{label}: {doc}");
                    let retryable = matches!(status, 429 | 500);
                    assert_eq!(doc["retryable"], retryable, "{label}: {doc}");
                }
                None => {
                    assert_eq!(doc["code"], "DECODE", "{label}: {doc}");
                    assert_eq!(doc["http_status"], Value::Null, "{label}: {doc}");
                }
            }
        }
        assert_eq!(
            documents[format!("{op}:refused").as_str()].1["retryable"],
            true
        );
    }
    // Messages say what was wrong.
    let message = |label: &str| documents[label].1["message"].as_str().unwrap().to_owned();
    assert!(message("new:unknown_key").contains("`regoin`"));
    // Keys inside `credentials` are never echoed (a secret may have been pasted as one):
    // the keys allowed there are named instead.
    let nested = message("new:unknown_nested_key");
    assert!(
        nested.contains("`token`") && !nested.contains("tokne"),
        "{nested}"
    );
    assert!(message("new:bad_ca_file").contains("hwinst-ca.pem"));
    assert!(message("new:bad_retry").contains("max_attempts"));
    assert!(message("new:ak_without_sk").contains("`sk`"));
    assert!(message("new:token_and_ak").contains("more than one kind"));
    assert!(message("new:null_config").contains("config_json is NULL"));
    assert!(message("new:null_out_client").contains("out_client is NULL"));
    assert!(message("roma_instance:null_id").contains("instance_id is NULL"));
    assert!(message("roma_instance:null_client").contains("client is NULL"));
    assert!(message("roma_instance:unsafe_id_6").contains("UTF-8"));
    assert!(message("list:query_unknown_key").contains("`state`"));
    assert!(message("new:not_utf8").contains("UTF-8"));
    assert_eq!(documents["roma_instance:inst-slow"].1["retryable"], true);
    assert!(message("roma_instance:inst-slow").contains("timed out"));
    assert!(message("clouddc_instance_status:no_endpoint").contains("clouddc"));
    assert!(message("new:wrong_type").contains("allow_http"));
    assert_eq!(documents["roma_list_instances:no_query"].0, "OK");

    // Credentials and retries.
    assert!(
        message("retry:down").contains("after 4 attempts"),
        "{}",
        message("retry:down")
    );
    assert!(
        !message("retry:once").contains("attempts"),
        "{}",
        message("retry:once")
    );
    assert!(message("retry:duplicate_key").contains("duplicate"));
    assert!(message("env:conflict").contains("HWINST_TOKEN"));
    assert_eq!(documents["aksk:signed"].0, "OK");
    assert_eq!(documents["env:signed"].0, "OK");

    // Lifecycles: each source maps its fixture's word.
    let phase = |label: &str| documents[label].1["phase"].as_str().unwrap().to_owned();
    assert_eq!(phase("lifecycle:apig"), "running");
    assert_eq!(phase("lifecycle:clouddc"), "stopped");
    assert_eq!(phase("lifecycle:roma"), "creating");
    assert_eq!(documents["lifecycle:apig"].1["progress"], 100);
    assert!(message("lifecycle:bad_source").contains("roma-details"));
    assert!(message("lifecycle:null_source").contains("source is NULL"));
    assert!(message("wait:options_unknown_key").contains("`timeout`"));
    assert!(message("wait:options_bad_phase").contains("\"ready\""));

    // Waits.
    assert_eq!(phase("wait:walk"), "running");
    assert_eq!(phase("wait:defaults"), "running");
    let (code, failed) = &documents["wait:failed"];
    assert_eq!(*code, "INSTANCE_FAILED");
    assert_eq!(failed["error_code"], "APIG.9999", "{failed}");
    assert_eq!(failed["error_msg"], "EIP quota exceeded", "{failed}");
    assert_eq!(failed["lifecycle"]["phase"], "failed", "{failed}");
    assert_eq!(
        failed["lifecycle"]["instance_id"], "wait-failed",
        "{failed}"
    );
    assert_eq!(failed["http_status"], Value::Null);
    assert_eq!(documents["wait:cancelled"].1["lifecycle"]["progress"], 50);
    // Cancel tokens: before the first poll there is no lifecycle; from another thread, the
    // one seen before the (hour-long) pause.
    let (code, before) = &documents["wait:token_before"];
    assert_eq!(*code, "CANCELLED");
    assert_eq!(before["lifecycle"], Value::Null, "{before}");
    assert!(
        message("wait:token_before").contains("before the instance was first seen"),
        "{before}"
    );
    let (code, thread) = &documents["wait:token_thread"];
    assert_eq!(*code, "CANCELLED");
    assert_eq!(thread["lifecycle"]["progress"], 30, "{thread}");
    assert_eq!(phase("wait:token_null"), "running");
    let (code, timeout) = &documents["wait:timeout"];
    assert_eq!(*code, "TIMEOUT");
    assert_eq!(timeout["lifecycle"]["progress"], 30, "{timeout}");
    assert_eq!(timeout["retryable"], false, "{timeout}");
    let callbacks = |name: &str| {
        stdout
            .lines()
            .find_map(|l| l.strip_prefix(&format!("CALLBACKS {name} ")))
            .unwrap_or_else(|| panic!("no CALLBACKS {name} line"))
            .replace('"', "")
    };
    assert_eq!(callbacks("walk"), "3 creating:30,creating:50,running:100,");
    assert_eq!(callbacks("failed"), "2 creating:30,failed:30,");
    assert_eq!(callbacks("cancelled"), "2 creating:30,creating:50,");

    // Fleets: the fleet document whatever the code, but for argument errors.
    let (code, running) = &documents["fleet:running"];
    assert_eq!(*code, "OK");
    let instances = running["instances"].as_array().unwrap();
    assert_eq!(instances.len(), 2, "{running}");
    for (instance, id) in instances.iter().zip(["fleet-a", "fleet-b"]) {
        assert_eq!(instance["instance_id"], id, "{running}");
        assert_eq!(instance["source"], "apig", "{running}");
        assert_eq!(instance["outcome"], "reached", "{running}");
        assert_eq!(instance["lifecycle"]["phase"], "running", "{running}");
        assert_eq!(instance["error"], Value::Null, "{running}");
    }
    assert_eq!(instances[0]["polls"], 2, "{running}");
    assert_eq!(running["requests"]["apig"], 3, "{running}");
    let fleet_changes = callbacks("fleet_running");
    assert!(fleet_changes.starts_with("3 "), "{fleet_changes}");
    assert_eq!(
        fleet_changes.matches("running:100,").count(),
        2,
        "{fleet_changes}"
    );
    assert!(fleet_changes.contains("creating:30,"), "{fleet_changes}");

    let (code, failed) = &documents["fleet:failed"];
    assert_eq!(*code, "INSTANCE_FAILED");
    assert_eq!(failed["instances"][0]["outcome"], "reached", "{failed}");
    let failure = &failed["instances"][1];
    assert_eq!(failure["instance_id"], "fleet-failed", "{failed}");
    assert_eq!(failure["outcome"], "failed", "{failed}");
    assert_eq!(failure["lifecycle"]["phase"], "failed", "{failed}");
    assert_eq!(failure["error"]["code"], "INSTANCE_FAILED", "{failed}");
    assert_eq!(failure["error"]["error_code"], "APIG.9999", "{failed}");

    let (code, cancelled) = &documents["fleet:cancelled"];
    assert_eq!(*code, "CANCELLED");
    assert_eq!(
        cancelled["instances"].as_array().unwrap().len(),
        2,
        "{cancelled}"
    );
    let stuck = &cancelled["instances"][0];
    assert_eq!(stuck["outcome"], "cancelled", "{cancelled}");
    assert_eq!(stuck["lifecycle"]["progress"], 30, "{cancelled}");
    assert_eq!(callbacks("fleet_cancelled"), "1");

    let (code, defaults) = &documents["fleet:defaults"];
    assert_eq!(*code, "OK");
    assert_eq!(defaults["instances"][0]["outcome"], "reached", "{defaults}");

    assert!(message("fleet:null_client").contains("client is NULL"));
    assert!(message("fleet:null_targets").contains("targets_json is NULL"));
    assert!(message("fleet:targets_empty").contains("at least one"));
    assert!(
        message("fleet:targets_duplicate").contains("targets[1]"),
        "{}",
        message("fleet:targets_duplicate")
    );
    assert!(message("fleet:targets_duplicate").contains("the same"));
    assert!(message("fleet:targets_unsafe_id").contains("targets[0]"));
    assert!(message("fleet:targets_bad_source").contains("unknown source"));
    assert!(message("fleet:targets_not_utf8").contains("UTF-8"));
    assert!(message("fleet:options_unknown_key").contains("`timeout`"));
    assert!(message("fleet:options_zero_concurrency").contains("concurrency"));
    // Issue 26: never HWINST_PANIC from a hostile Retry-After or rate.
    assert!(message("fleet:options_tiny_rate").contains("one request a day"));
    assert!(message("fleet:options_subnormal_rate").contains("one request a day"));
    let (code, throttled) = &documents["fleet:retry_after_overflow"];
    assert_eq!(*code, "THROTTLED", "{throttled}");
    for instance in throttled["instances"].as_array().unwrap() {
        assert_eq!(instance["outcome"], "error", "{throttled}");
        assert_eq!(instance["error"]["code"], "THROTTLED", "{throttled}");
    }
    assert_eq!(documents["wait:retry_after_overflow"].0, "THROTTLED");
    for (label, (code, doc)) in &documents {
        if label.starts_with("fleet:targets_") || label.starts_with("fleet:options_") {
            assert_eq!(*code, "INVALID_ARGUMENT", "{label}: {doc}");
            assert!(doc.get("instances").is_none(), "{label}: {doc}");
        }
    }

    // Every page.
    let all = &documents["list_all:ok"].1;
    assert_eq!(all["total"], 1, "{all}");
    assert_eq!(all["instances"].as_array().unwrap().len(), 1, "{all}");
    assert_eq!(documents["list_all:missing"].0, "NOT_FOUND");
    assert_eq!(documents["list:query_full"].0, "OK");

    // One page at a time: the page as hwinst_roma_list_instances writes it, which of its
    // instances are new, and no next page after a short one.
    for label in ["list_page:first", "list_page:cursor"] {
        let (code, step) = &documents[label];
        assert_eq!(*code, "OK", "{label}: {step}");
        let instances = step["page"]["instances"].as_array().unwrap();
        assert_eq!(instances.len(), 1, "{label}: {step}");
        assert_eq!(
            step["page"]["x_future_field"]["kept"], true,
            "{label}: {step}"
        );
        assert_eq!(step["new"], serde_json::json!([0]), "{label}: {step}");
        assert!(step["next"].is_null(), "{label}: {step}");
    }
    assert_eq!(documents["list_page:missing"].0, "NOT_FOUND");
    assert_eq!(documents["list_page:bad_cursor"].0, "INVALID_ARGUMENT");
    assert!(documents["list_page:bad_cursor"].1["message"]
        .as_str()
        .unwrap()
        .contains("`next`"));
    assert_eq!(documents["list_page:null_client"].0, "INVALID_ARGUMENT");
}

/// A fleet document: its four fields, and each instance's six, with a known outcome, a
/// lifecycle document or null, an error document or null.
fn check_fleet(label: &str, doc: &Value) {
    let keys = |v: &Value| {
        let mut keys: Vec<String> = v.as_object().unwrap().keys().cloned().collect();
        keys.sort();
        keys
    };
    assert_eq!(
        keys(doc),
        ["elapsed_ms", "instances", "requests", "throttled"],
        "{label}: {doc}"
    );
    assert_eq!(
        keys(&doc["requests"]),
        ["apig", "clouddc", "roma"],
        "{label}"
    );
    for instance in doc["instances"].as_array().unwrap() {
        assert_eq!(
            keys(instance),
            [
                "error",
                "instance_id",
                "lifecycle",
                "outcome",
                "polls",
                "source"
            ],
            "{label}: {doc}"
        );
        let outcome = instance["outcome"].as_str().unwrap_or_default();
        assert!(
            [
                "reached",
                "failed",
                "timeout",
                "cancelled",
                "error",
                "pending"
            ]
            .contains(&outcome),
            "{label}: {doc}"
        );
        if !instance["lifecycle"].is_null() {
            check_lifecycle(label, &instance["lifecycle"]);
        }
        if !instance["error"].is_null() {
            assert!(instance["error"]["code"].is_string(), "{label}: {doc}");
            assert!(instance["error"]["message"].is_string(), "{label}: {doc}");
        }
    }
}

/// A lifecycle document: design.md's eight fields, a known phase.
fn check_lifecycle(label: &str, doc: &Value) {
    let mut fields: Vec<&str> = doc
        .as_object()
        .unwrap()
        .keys()
        .map(|k| k.as_str())
        .collect();
    fields.sort();
    assert_eq!(
        fields,
        [
            "error",
            "instance_id",
            "observed_at_ms",
            "phase",
            "progress",
            "source",
            "status",
            "terminal"
        ],
        "{label}: {doc}"
    );
    let phase = doc["phase"].as_str().unwrap_or_default();
    assert!(
        hwinst::Phase::ALL.iter().any(|p| p.as_str() == phase),
        "{label}: {doc}"
    );
}

#[test]
fn sanitized_static_build_passes() {
    let mut command = Command::new(binary(Build::SanitizedStatic));
    sanitizer_env(&mut command);
    run_abi_test(command, 40);
}

#[test]
fn sanitized_dynamic_build_passes() {
    let mut command = Command::new(binary(Build::SanitizedDynamic));
    sanitizer_env(&mut command);
    run_abi_test(command, 40);
}

#[test]
fn valgrind_run_passes() {
    if valgrind_available() {
        run_abi_test(valgrind(&binary(Build::PlainDynamic)), 5);
    }
}

/// The runs above would be worthless if a leak did not fail them: a program that leaks one
/// document must fail under LeakSanitizer and under Valgrind.
#[test]
fn a_leaked_document_fails_the_run() {
    let (server, _mocks) = serve();
    let mut sanitized = Command::new(binary(Build::SanitizedStatic));
    sanitizer_env(&mut sanitized).args(["leak", &server.url(), TOKEN]);
    let output = run(&mut sanitized);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success(), "LeakSanitizer missed the leak");
    assert!(
        stderr.contains("LeakSanitizer: detected memory leaks"),
        "{stderr}"
    );

    if valgrind_available() {
        let mut command = valgrind(&binary(Build::PlainDynamic));
        let output = run(command.args(["leak", &server.url(), TOKEN]));
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(
            output.status.code(),
            Some(1),
            "Valgrind missed the leak: {stderr}"
        );
        assert!(stderr.contains("definitely lost"), "{stderr}");
    }
}

/// The header also serves C++ (the C++ binding includes it): it must compile there, cleanly.
#[test]
fn the_header_compiles_as_cpp() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let source = work_dir().join("header_check.cpp");
    std::fs::write(
        &source,
        "#include \"hwinst.h\"\nint main() { return hwinst_version() == nullptr ? HWINST_PANIC : HWINST_OK; }\n",
    )
    .unwrap();
    let cxx = std::env::var("CXX").unwrap_or_else(|_| "c++".into());
    succeed(
        Command::new(cxx)
            .args([
                "-std=c++17",
                "-Wall",
                "-Wextra",
                "-Werror",
                "-pedantic",
                "-fsyntax-only",
                "-I",
            ])
            .arg(root.join("include"))
            .arg(&source),
    );
}

/// A fleet callback's documents name their target: one ROMA instance waited for as two
/// targets (`roma` and `roma-details`), both read through the batched list, through
/// `hwinst_wait_many` against the simulator. The lifecycle part still says `roma-list`.
#[cfg(feature = "sim")]
#[test]
fn fleet_callback_documents_name_their_target() {
    use hwinst::ffi::{
        hwinst_client_free, hwinst_client_new, hwinst_code, hwinst_string_free, hwinst_wait_many,
    };
    use hwinst::sim::{InstanceSpec, Operation, Outcome, Scenario, Simulator};
    use hwinst::Service;
    use std::ffi::{c_char, c_int, c_void, CStr, CString};
    use std::time::Duration;

    unsafe extern "C" fn collect(document: *const c_char, user_data: *mut c_void) -> c_int {
        // SAFETY: hwinst passes a NUL-terminated document, and `user_data` is the vector
        // below, alive for the wait.
        let (document, seen) = unsafe {
            (
                CStr::from_ptr(document),
                &mut *user_data.cast::<Vec<Value>>(),
            )
        };
        seen.push(serde_json::from_str(document.to_str().unwrap()).unwrap());
        0
    }

    let sim = Simulator::start(Scenario::default()).unwrap();
    for (service, id) in [(Service::Roma, "r-both"), (Service::Apig, "gw-1")] {
        sim.add_instance(
            InstanceSpec::new(service)
                .id(id)
                .outcome(Outcome::Success)
                .step(Duration::from_millis(20)),
        )
        .unwrap();
    }
    let config = CString::new(sim.config_json()).unwrap();
    let mut client = std::ptr::null_mut();
    let mut error: *mut c_char = std::ptr::null_mut();
    // SAFETY: a NUL-terminated string and two writable slots.
    let code = unsafe { hwinst_client_new(config.as_ptr(), &mut client, &mut error) };
    assert_eq!(code, hwinst_code::OK);
    let targets = CString::new(
        r#"[{"source":"roma","instance_id":"r-both"},{"source":"roma-details","instance_id":"r-both"},
            {"source":"apig","instance_id":"gw-1"}]"#,
    )
    .unwrap();
    let options = CString::new(
        r#"{"initial_interval_ms":10,"max_interval_ms":40,"timeout_ms":60000,
            "max_requests_per_second":{"roma":1000,"apig":1000},"batch_roma":true}"#,
    )
    .unwrap();
    let mut seen: Vec<Value> = Vec::new();
    let mut out: *mut c_char = std::ptr::null_mut();
    // SAFETY: a live client, NUL-terminated arguments, a callback that follows the contract
    // with its `user_data`, and a writable slot.
    let code = unsafe {
        hwinst_wait_many(
            client,
            targets.as_ptr(),
            options.as_ptr(),
            Some(collect),
            (&mut seen as *mut Vec<Value>).cast(),
            std::ptr::null(),
            &mut out,
        )
    };
    // SAFETY: what hwinst wrote is ours to free, once.
    let fleet: Value =
        serde_json::from_str(unsafe { CStr::from_ptr(out) }.to_str().unwrap()).unwrap();
    unsafe { hwinst_string_free(out) };
    unsafe { hwinst_client_free(client) };
    assert_eq!(code, hwinst_code::OK, "{fleet}");
    assert!(sim.requests().iter().all(|r| !matches!(
        r.operation,
        Some(Operation::RomaProcess | Operation::RomaInstance)
    )));
    let expected = [
        ("roma", "roma-list"),
        ("roma-details", "roma-list"),
        ("apig", "apig"),
    ];
    for (index, (source, read_from)) in expected.iter().enumerate() {
        let mine: Vec<&Value> = seen
            .iter()
            .filter(|d| d["target"]["index"] == index)
            .collect();
        assert!(!mine.is_empty(), "no event for targets[{index}]: {seen:?}");
        for document in &mine {
            assert_eq!(document["target"]["source"], *source, "{document}");
            assert_eq!(
                document["target"]["instance_id"],
                fleet["instances"][index]["instance_id"]
            );
            assert_eq!(document["source"], *read_from, "{document}");
        }
        assert_eq!(mine.last().unwrap()["phase"], "running");
    }
}
