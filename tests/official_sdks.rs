//! The official Huawei Cloud SDKs, unchanged, as clients of `hwinst sim serve` (issue 25):
//! the Go SDK (tests/sdk/go, `go test`), the Java SDK (tests/sdk/java, Maven and JUnit 5) and
//! the Python SDK's service clients (tests/sdk/python, the venv of scripts/sdk-venv.sh). Each
//! test starts its own simulator from this run's `hwinst` binary with the scenario
//! tests/sdk/scenario.json, fetches a temporary AK/SK from the simulator's metadata endpoint and
//! an OIDC ID token from its IAM, runs the suite (every operation with AK/SK, with the temporary
//! keys and with the SDK's own federated OIDC flow; exact typed values; error bodies in the
//! SDK's exception type), then compares what the SDK decoded of every body the simulator
//! sends (the suite's dump) with what hwinst decodes of it (differential decoding; the
//! expected outcome for the tolerance variants is the table in docs/sdk-parity.md).
//!
//! Nothing is skipped: a missing toolchain or SDK fails the test, saying how to get it.
//! Builds nothing of ours but what cargo built; the SDKs come from the Go module proxy (go.sum),
//! Maven Central (resolved once into ~/.m2, offline afterwards) and PyPI.

#![cfg(all(feature = "cli", feature = "sim"))]

mod common;

use common::raw::{agent, read};
use hwinst::{Client, ClientBuilder, RomaListQuery};
use serde_json::{json, Map, Value};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Output, Stdio};
use std::time::Instant;

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn sdk_dir(language: &str) -> PathBuf {
    repo().join("tests/sdk").join(language)
}

fn scenario_path() -> PathBuf {
    repo().join("tests/sdk/scenario.json")
}

/// The scenario's access key and secret key (its first `access_keys` entry).
fn scenario_key() -> (String, String) {
    let text = std::fs::read_to_string(scenario_path()).expect("tests/sdk/scenario.json");
    let scenario: Value = serde_json::from_str(&text).expect("a JSON scenario");
    let key = &scenario["access_keys"][0];
    let field = |name: &str| key[name].as_str().expect("an access key").to_owned();
    (field("ak"), field("sk"))
}

/// A scratch directory of this test binary, one per language.
fn scratch(language: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("official-sdk-{language}"));
    std::fs::create_dir_all(&dir).expect("a scratch directory");
    dir
}

/// `hwinst sim serve` with tests/sdk/scenario.json; stops when dropped (its stdin closes).
struct Sim {
    child: Child,
    stdin: Option<ChildStdin>,
    base: String,
    client: Client,
}

impl Sim {
    fn start(language: &str) -> Sim {
        let config = scratch(language).join("sim-config.json");
        let mut child = Command::new(env!("CARGO_BIN_EXE_hwinst"))
            .args(["sim", "serve", "--scenario"])
            .arg(scenario_path())
            .arg("--write-config")
            .arg(&config)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("hwinst sim serve starts");
        let stdin = child.stdin.take();
        let mut first = String::new();
        BufReader::new(child.stdout.take().expect("its stdout"))
            .read_line(&mut first)
            .expect("hwinst sim serve prints its base URL");
        let base = first.trim().to_owned();
        assert!(base.starts_with("http://127.0.0.1:"), "base URL: {first:?}");
        let document = std::fs::read_to_string(&config).expect("the written client config");
        let client = ClientBuilder::from_config_json(&document)
            .expect("the simulator's config document")
            .build()
            .expect("a client of the simulator");
        Sim {
            child,
            stdin,
            base,
            client,
        }
    }

    fn get_json(&self, path: &str) -> Value {
        let raw = read(agent().get(format!("{}{path}", self.base)).call());
        assert_eq!(raw.status, 200, "GET {path}: {}", raw.body);
        raw.json()
    }

    /// The times the scenario's instances carry in their bodies, as sent (each instance has the
    /// instant it was added; two may differ by a millisecond): `{"apig-ok": {"start_time",
    /// "end_time"}, "roma-ok": {"create_time", "process_start_time", "list_create_time",
    /// "list_update_time"}}`. Read with a token of our own, over raw HTTP, not through hwinst.
    fn times(&self) -> Value {
        let token = "official-sdks-runner";
        let added = read(
            agent()
                .post(format!("{}/_sim/tokens", self.base))
                .send(json!({ "token": token }).to_string()),
        );
        assert_eq!(added.status, 204, "POST /_sim/tokens: {}", added.body);
        let project = self.get_json("/_sim/config")["project_id"].clone();
        let project = project.as_str().expect("a project ID");
        let body = |path: &str| {
            let raw = read(
                agent()
                    .get(format!("{}/v2/{project}{path}", self.base))
                    .header("X-Auth-Token", token)
                    .call(),
            );
            assert_eq!(raw.status, 200, "GET {path}: {}", raw.body);
            raw.json()
        };
        let apig = body("/apigw/instances/apig-ok/progress");
        let details = body("/apic/instances/roma-ok");
        let process = body("/instances/roma-ok/process");
        let list = body("/instances?limit=1");
        json!({
            "apig-ok": {"start_time": apig["start_time"], "end_time": apig["end_time"]},
            "roma-ok": {
                "create_time": details["create_time"],
                "process_start_time": process["start_time"],
                "list_create_time": list["instances"][0]["create_time"],
                "list_update_time": list["instances"][0]["update_time"],
            },
        })
    }

    /// A federated identity for the SDK's own OIDC flow: the identity provider and a file with
    /// an ID token the simulator's IAM issued (written without a trailing newline, as a pod's
    /// projected token file: the Java SDK sends the file's bytes as they are).
    fn federated_identity(&self, language: &str) -> (String, PathBuf) {
        let issued = read(
            agent()
                .post(format!("{}/_sim/id_tokens", self.base))
                .send(json!({ "lifetime_s": 3600 }).to_string()),
        );
        assert_eq!(issued.status, 201, "POST /_sim/id_tokens: {}", issued.body);
        let issued = issued.json();
        let file = scratch(language).join("id-token");
        std::fs::write(&file, issued["id_token"].as_str().expect("an ID token"))
            .expect("the ID token file");
        let idp = issued["idp_id"].as_str().expect("an IdP ID").to_owned();
        (idp, file)
    }

    /// Checks that the SDK did trade the ID token at IAM (the simulator's), as its federated
    /// credentials do, and that IAM refused none of its calls. The Go and Python SDKs then get
    /// temporary keys (`securitytokens`) and sign with them; the Java SDK asks for a
    /// project-scoped IAM token and sends it as `X-Auth-Token`.
    fn assert_federated_flow_used(&self, sdk: &str, flow: Federated) {
        let log = self.get_json("/_sim/requests");
        let requests = log["requests"].as_array().expect("the request log");
        let count = |operation: &str, ok: bool| {
            requests
                .iter()
                .filter(|r| r["operation"] == operation && (r["status"] == 201) == ok)
                .count()
        };
        let mut calls = vec!["iam_id_token"];
        if flow == Federated::TemporaryKeys {
            calls.push("iam_securitytokens");
        }
        for operation in calls {
            assert!(
                count(operation, true) > 0,
                "{sdk}: no {operation} call: the federated credentials were not used"
            );
            assert_eq!(
                count(operation, false),
                0,
                "{sdk}: IAM refused an {operation} call"
            );
        }
        if flow == Federated::IamToken {
            let by_token = requests
                .iter()
                .filter(|r| r["auth"] == "token" && r["status"] == 200)
                .count();
            assert!(by_token > 0, "{sdk}: no service request with the IAM token");
        }
    }

    /// What every suite is told: where the simulator is, the scenario's keys, a temporary key
    /// (with its security token) the metadata endpoint issued, a federated identity (IdP and ID
    /// token file) for the SDK's own OIDC flow, and the times the bodies carry.
    fn suite_env(&self, language: &str, dump: &Path) -> Vec<(&'static str, String)> {
        let (idp, id_token_file) = self.federated_identity(language);
        let times = self.times();
        let (ak, sk) = scenario_key();
        // The request log from here on is the suite's alone (times() used a token).
        let forgotten = read(
            agent()
                .delete(format!("{}/_sim/requests", self.base))
                .call(),
        );
        assert_eq!(
            forgotten.status, 204,
            "DELETE /_sim/requests: {}",
            forgotten.body
        );
        let key = &self.get_json("/openstack/latest/securitykey")["credential"];
        let text = |name: &str| key[name].as_str().expect("a credential field").to_owned();
        vec![
            ("HWINST_SIM_URL", self.base.clone()),
            (
                "HWINST_SIM_PROJECT",
                self.get_json("/_sim/config")["project_id"]
                    .as_str()
                    .unwrap()
                    .to_owned(),
            ),
            ("HWINST_SIM_AK", ak),
            ("HWINST_SIM_SK", sk),
            ("HWINST_SIM_TEMP_AK", text("access")),
            ("HWINST_SIM_TEMP_SK", text("secret")),
            ("HWINST_SIM_TEMP_TOKEN", text("securitytoken")),
            ("HWINST_SIM_TIMES", times.to_string()),
            ("HWINST_SIM_IDP_ID", idp),
            (
                "HWINST_SIM_ID_TOKEN_FILE",
                id_token_file.to_str().expect("a UTF-8 path").to_owned(),
            ),
            (
                "HWINST_SDK_DUMP",
                dump.to_str().expect("a UTF-8 path").to_owned(),
            ),
            // Loopback needs no proxy, whatever the environment says.
            ("NO_PROXY", "127.0.0.1,localhost".to_owned()),
            ("no_proxy", "127.0.0.1,localhost".to_owned()),
        ]
    }
}

impl Drop for Sim {
    fn drop(&mut self) {
        drop(self.stdin.take());
        let _ = self.child.wait();
    }
}

/// How an SDK's federated (OIDC) credentials sign its requests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Federated {
    /// The ID token is traded for an IAM token, that for temporary keys, which sign.
    TemporaryKeys,
    /// The ID token is traded for a project-scoped IAM token, sent as `X-Auth-Token`.
    IamToken,
}

/// Runs a suite; fails with its whole output unless it passed. (The command is named by its
/// program and arguments only: its environment holds the keys.)
fn run_suite(what: &str, command: &mut Command) -> Output {
    // Real time: how long a child process took, for the log; no clock of hwinst's runs it.
    #[allow(clippy::disallowed_methods)]
    let start = Instant::now();
    let output = command.output().unwrap_or_else(|e| {
        panic!(
            "cannot run {what} ({:?} {:?}): {e}\n{}",
            command.get_program(),
            command.get_args().collect::<Vec<_>>(),
            how_to_get(what)
        )
    });
    eprintln!("{what}: {:.1?}", start.elapsed());
    assert!(
        output.status.success(),
        "{what} failed with {}:\n{}\n{}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

fn how_to_get(what: &str) -> &'static str {
    if what.starts_with("go") {
        "Go 1.22 or newer is required (the machine's own, https://go.dev/doc/install; \
         scripts/system-deps checks it); the SDK comes from the Go module proxy (go.sum)."
    } else if what.starts_with("mvn") {
        "Maven and a JDK 17 are required (Debian: apt-get install maven default-jdk-headless; \
         scripts/system-deps installs them)."
    } else {
        "The official Python SDK is required: bash scripts/sdk-venv.sh makes target/sdk-venv \
         (python3 with venv, PyPI)."
    }
}

// --- Differential decoding -----------------------------------------------------------------

/// How an SDK's decoding of one body compares with hwinst's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Verdict {
    /// Every field the SDK decoded has the value hwinst decoded.
    Same,
    /// The SDK refused the body (a decoding error), hwinst decoded it.
    SdkRefused,
    /// The SDK decoded it into values other than hwinst's (the SDK's values are wrong: they
    /// are not what the body says).
    SdkDiffers,
}

/// What hwinst decodes of the body a dump key names, as the JSON of its public model.
fn hwinst_decoded(client: &Client, key: &str) -> Value {
    let (operation, id) = key.split_once('/').expect("operation/id");
    let value = match operation {
        "apig_progress" => serde_json::to_value(client.apig_creation_progress(id).unwrap()),
        "roma_instance" => serde_json::to_value(client.roma_instance(id).unwrap()),
        "roma_process" => serde_json::to_value(client.roma_creation_progress(id).unwrap()),
        "roma_list" => serde_json::to_value(
            client
                .roma_list_instances(&RomaListQuery::new().offset(0).limit(10))
                .unwrap(),
        ),
        "clouddc_status" => serde_json::to_value(client.clouddc_instance_status(id).unwrap()),
        other => panic!("unknown operation {other} in a dump"),
    };
    value.expect("hwinst's models serialize")
}

/// Where `sdk` (a value the SDK decoded) is not `ours` (hwinst's), each as `path: sdk vs ours`.
/// Every field the SDK has is compared (a null one must be absent or null in ours); fields
/// only hwinst keeps (the SDKs drop what their model lacks) are not. Two rules say where the
/// types differ by design:
/// - ROMA details' `available_zone_ids` and `/process`'s `availableZones` are documented as
///   strings (`"[az1, az2]"`, and a JSON array as text), which hwinst decodes to lists: the
///   SDK's string equals ours when it is one of those two spellings of the same list.
/// - `currentTime` of ROMA `/process` is the time of the request: two requests differ.
fn differences(path: &str, sdk: &Value, ours: Option<&Value>, out: &mut Vec<String>) {
    let ours_or_null = ours.unwrap_or(&Value::Null);
    match (sdk, ours_or_null) {
        (Value::Null, Value::Null) => {}
        (Value::Object(s), Value::Object(o)) => {
            for (k, v) in s {
                if k == "currentTime" && path.is_empty() {
                    continue;
                }
                differences(&format!("{path}/{k}"), v, o.get(k), out);
            }
        }
        (Value::Array(s), Value::Array(o)) if s.len() == o.len() => {
            for (i, (v, w)) in s.iter().zip(o).enumerate() {
                differences(&format!("{path}/{i}"), v, Some(w), out);
            }
        }
        (Value::String(s), Value::Array(o)) if is_zone_list(path) => {
            let listed: Vec<String> = o
                .iter()
                .map(|v| v.as_str().unwrap_or("?").to_owned())
                .collect();
            let written = format!("[{}]", listed.join(", "));
            let as_json = serde_json::from_str::<Vec<String>>(s).ok();
            if *s != written && as_json.as_ref() != Some(&listed) {
                out.push(format!("{path}: {sdk} vs {ours_or_null}"));
            }
        }
        (Value::Number(s), Value::Number(o)) if s.as_f64() == o.as_f64() => {}
        (s, o) if s == o => {}
        _ => out.push(format!("{path}: {sdk} vs {ours_or_null}")),
    }
}

/// How many values (not objects, arrays or nulls) `value` holds: what a comparison compared.
fn leaves(value: &Value) -> usize {
    match value {
        Value::Null => 0,
        Value::Object(map) => map.values().map(leaves).sum(),
        Value::Array(items) => items.iter().map(leaves).sum(),
        _ => 1,
    }
}

fn is_zone_list(path: &str) -> bool {
    path.ends_with("/available_zone_ids") || path.ends_with("/availableZones")
}

/// Compares a suite's dump with hwinst, body by body; panics on a difference in a default
/// body (the documented types) and returns the verdicts of the tolerance variants.
fn compare_with_hwinst(sdk: &str, dump: &Path, client: &Client) -> Vec<(String, Verdict)> {
    let text = std::fs::read_to_string(dump)
        .unwrap_or_else(|e| panic!("{sdk}: the suite wrote no dump {}: {e}", dump.display()));
    let dump: Map<String, Value> = serde_json::from_str(&text).expect("a JSON dump");
    assert!(dump.len() >= 9, "{sdk}: a dump of every body: {text}");
    let mut verdicts = Vec::new();
    let mut failures = Vec::new();
    let mut compared = 0;
    for (key, entry) in &dump {
        let ours = hwinst_decoded(client, key);
        let verdict = match (entry.get("decoded"), entry.get("error")) {
            (Some(decoded), None) => {
                let mut diffs = Vec::new();
                differences("", decoded, Some(&ours), &mut diffs);
                compared += leaves(decoded);
                if diffs.is_empty() {
                    Verdict::Same
                } else {
                    eprintln!(
                        "{sdk} {key}: differs from hwinst:\n  {}",
                        diffs.join("\n  ")
                    );
                    if !key.ends_with("-variant") {
                        failures.push(format!("{key}: {}", diffs.join("; ")));
                    }
                    Verdict::SdkDiffers
                }
            }
            (None, Some(error)) => {
                eprintln!("{sdk} {key}: the SDK refused it: {error}");
                if !key.ends_with("-variant") {
                    failures.push(format!("{key}: the SDK refused a documented body: {error}"));
                }
                Verdict::SdkRefused
            }
            _ => panic!("{sdk} {key}: a dump entry is decoded or error: {entry}"),
        };
        if key.ends_with("-variant") {
            verdicts.push((key.clone(), verdict));
        }
    }
    assert!(
        failures.is_empty(),
        "{sdk} decodes the simulator's default bodies otherwise than hwinst:\n{}",
        failures.join("\n")
    );
    // Every body's fields, not a few: ROMA details alone have some thirty.
    eprintln!("{sdk}: {compared} decoded values compared with hwinst's");
    assert!(compared >= 150, "{sdk}: only {compared} values compared");
    verdicts
}

/// The tolerance variants (scenario option in docs/simulator.md) each SDK decodes as hwinst
/// does, refuses, or decodes wrongly: the table of docs/sdk-parity.md. hwinst decodes all.
fn expect_variants(sdk: &str, got: Vec<(String, Verdict)>, want: &[(&str, Verdict)]) {
    let want: Vec<(String, Verdict)> = want.iter().map(|(k, v)| ((*k).to_owned(), *v)).collect();
    let mut got = got;
    got.sort_by(|a, b| a.0.cmp(&b.0));
    let mut want = want;
    want.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(
        got, want,
        "{sdk}: the tolerance variants, against docs/sdk-parity.md"
    );
}

/// What every dump must show hwinst decoding (the tolerance variants included): a sanity
/// check that the comparison compares something.
fn hwinst_reads_every_variant(client: &Client) {
    let details = hwinst_decoded(client, "roma_instance/roma-variant");
    assert_eq!(details["bandwidth_size"], json!(5), "{details}");
    assert_eq!(details["instance_status"], json!(6), "{details}");
    assert_eq!(
        details["available_zone_ids"],
        json!(["cn-north-4a", "cn-north-4b"]),
        "{details}"
    );
    let progress = hwinst_decoded(client, "apig_progress/apig-variant");
    assert_eq!(progress["progress"], json!(100), "{progress}");
}

// --- The suites ----------------------------------------------------------------------------

#[test]
fn the_official_go_sdk_against_the_simulator() {
    let sim = Sim::start("go");
    let dump = scratch("go").join("decoded.json");
    let _ = std::fs::remove_file(&dump);
    let mut go = Command::new("go");
    go.args(["test", "-count=1", "-v", "./..."])
        .current_dir(sdk_dir("go"))
        // Never download a toolchain: the installed Go is the one under test.
        .env("GOTOOLCHAIN", "local")
        .envs(sim.suite_env("go", &dump));
    if std::env::var_os("HOME").is_none() && std::env::var_os("GOCACHE").is_none() {
        let tmp = scratch("go");
        go.env("GOCACHE", tmp.join("go-cache"))
            .env("GOPATH", tmp.join("go-path"));
    }
    let output = run_suite("go test (tests/sdk/go)", &mut go);
    eprintln!(
        "{}",
        String::from_utf8_lossy(&output.stdout)
            .lines()
            .filter(|l| l.starts_with("--- ") || l.starts_with("ok"))
            .collect::<Vec<_>>()
            .join("\n")
    );
    sim.assert_federated_flow_used("Go SDK", Federated::TemporaryKeys);
    let verdicts = compare_with_hwinst("Go SDK", &dump, &sim.client);
    hwinst_reads_every_variant(&sim.client);
    expect_variants("Go SDK", verdicts, GO_VARIANTS);
}

#[test]
fn the_official_java_sdk_against_the_simulator() {
    let sim = Sim::start("java");
    let dump = scratch("java").join("decoded.json");
    let _ = std::fs::remove_file(&dump);
    let maven = |offline: bool| {
        let mut mvn = Command::new("mvn");
        mvn.args(["-B", "-q", "-Dstyle.color=never"]);
        if offline {
            mvn.arg("-o");
        }
        mvn.arg("test")
            .current_dir(sdk_dir("java"))
            .envs(sim.suite_env("java", &dump));
        mvn
    };
    // Offline first: once Maven has resolved the SDK and the plugins (~/.m2), no run needs
    // the network. A first run resolves them.
    let offline = maven(true)
        .output()
        .unwrap_or_else(|e| panic!("cannot run mvn: {e}\n{}", how_to_get("mvn")));
    let output = if offline.status.success() {
        offline
    } else {
        let log = String::from_utf8_lossy(&offline.stdout);
        if log.contains("offline") {
            eprintln!("Maven: not all resolved yet, resolving once from Maven Central");
            run_suite("mvn test (tests/sdk/java)", &mut maven(false))
        } else {
            panic!(
                "mvn -o test (tests/sdk/java) failed with {}:\n{log}\n{}",
                offline.status,
                String::from_utf8_lossy(&offline.stderr)
            );
        }
    };
    eprintln!("{}", String::from_utf8_lossy(&output.stdout));
    sim.assert_federated_flow_used("Java SDK", Federated::IamToken);
    let verdicts = compare_with_hwinst("Java SDK", &dump, &sim.client);
    hwinst_reads_every_variant(&sim.client);
    expect_variants("Java SDK", verdicts, JAVA_VARIANTS);
}

#[test]
fn the_official_python_sdk_against_the_simulator() {
    let python =
        common::sdk_venv().unwrap_or_else(|problem| panic!("{problem}\n{}", how_to_get("python")));
    let sim = Sim::start("python");
    let dump = scratch("python").join("decoded.json");
    let _ = std::fs::remove_file(&dump);
    let mut suite = Command::new(&python);
    suite
        .arg(sdk_dir("python").join("test_official_sdk.py"))
        .envs(sim.suite_env("python", &dump));
    let output = run_suite("python tests/sdk/python/test_official_sdk.py", &mut suite);
    eprintln!("{}", String::from_utf8_lossy(&output.stderr));
    sim.assert_federated_flow_used("Python SDK", Federated::TemporaryKeys);
    let verdicts = compare_with_hwinst("Python SDK", &dump, &sim.client);
    hwinst_reads_every_variant(&sim.client);
    expect_variants("Python SDK", verdicts, PYTHON_VARIANTS);
}

// The tolerance variants' verdicts, per SDK (docs/sdk-parity.md).
// ROMA /process is in no SDK: each suite reads it with a model of its own through the SDK's
// core, keeping the nested `instance` as JSON, so that row says only that the core takes it.
const GO_VARIANTS: &[(&str, Verdict)] = &[
    ("apig_progress/apig-variant", Same),
    ("roma_instance/roma-variant", SdkRefused),
    ("roma_process/roma-variant", Same),
];
const JAVA_VARIANTS: &[(&str, Verdict)] = &[
    ("apig_progress/apig-variant", Same),
    ("roma_instance/roma-variant", SdkRefused),
    ("roma_process/roma-variant", Same),
];
const PYTHON_VARIANTS: &[(&str, Verdict)] = &[
    ("apig_progress/apig-variant", Same),
    ("roma_instance/roma-variant", SdkDiffers),
    ("roma_process/roma-variant", Same),
];
use Verdict::{Same, SdkDiffers, SdkRefused};
