//! The default credential chain, through the command line (each run a process of its own, so
//! that every test has its own environment and temporary HOME) against the simulator: every
//! source alone, precedence, broken sources, the "nothing found" error, the configuration's
//! explicit sources, and the official Python SDK's own chain reading the same profile file.
//!
//! The metadata service is turned off (`HWINST_METADATA_ENDPOINT=none`) or pointed at the
//! simulator: nothing here asks 169.254.169.254.
#![cfg(feature = "cli")]
// Real time here (clippy.toml refuses it elsewhere): the CLI runs as a child process, on the system
// clock.
#![allow(clippy::disallowed_methods)]

use crate::common;
use hwinst::sim::{AccessKey, InstanceSpec, MetadataSpec, Outcome, Scenario, Simulator};
use hwinst::Service;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

const PROJECT: &str = "0a1b2c3d4e5f";
const ENV_SK: &str = "env-s3cr3t-sk-0001";
const PROFILE_SK: &str = "profile-s3cr3t-sk-0002";
const KOOCLI_SK: &str = "koocli-s3cr3t-sk-0003";
const OTHER_SK: &str = "other-s3cr3t-sk-0004";
const POD_TOKEN: &str = "pod-s3cr3t-authorization";

/// A simulator that knows every access key used here, with one APIG instance.
fn sim(scenario: Scenario) -> Simulator {
    let scenario = scenario
        .no_credentials()
        .project_id(PROJECT)
        .access_key(AccessKey::new("ENVAK", ENV_SK))
        .access_key(AccessKey::new("PROFILEAK", PROFILE_SK))
        .access_key(AccessKey::new("KOOCLIAK", KOOCLI_SK))
        .access_key(AccessKey::new("OTHERAK", OTHER_SK))
        .instance(
            InstanceSpec::new(Service::Apig)
                .id("gw-1")
                .outcome(Outcome::Steady),
        );
    Simulator::start(scenario).expect("the simulator starts")
}

/// An empty home directory of its own.
struct Home(PathBuf);

impl Home {
    fn new() -> Home {
        use std::sync::atomic::{AtomicU32, Ordering};
        static NEXT: AtomicU32 = AtomicU32::new(0);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
            .join(format!("chain-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("a temporary HOME");
        Home(dir)
    }

    fn write(&self, relative: &str, text: &str) -> PathBuf {
        let path = self.0.join(relative);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, text).unwrap();
        path
    }

    fn profile_file(&self, ak: &str, sk: &str) -> PathBuf {
        self.write(
            ".huaweicloud/credentials",
            &format!("[basic]\nak = {ak}\nsk = {sk}\nproject_id = {PROJECT}\n"),
        )
    }

    fn koocli(&self, current: &str, profiles: &[(&str, &str, &str, &str)]) -> PathBuf {
        let profiles: Vec<Value> = profiles
            .iter()
            .map(|(name, mode, ak, sk)| {
                serde_json::json!({
                    "name": name, "mode": mode, "accessKeyId": ak, "secretAccessKey": sk,
                    "securityToken": "", "region": "cn-north-4", "projectId": PROJECT,
                    "readTimeout": 10,
                })
            })
            .collect();
        let config =
            serde_json::json!({"current": current, "profiles": profiles, "language": "en"});
        self.write(".hcloud/config.json", &config.to_string())
    }
}

/// `hwinst` with only PATH, HOME and the metadata service turned off from this environment,
/// every service's endpoint at the simulator.
fn hwinst(home: &Home, sim: &Simulator) -> Command {
    common::cli_at_simulator(&home.0, sim)
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn run(command: &mut Command) -> Run {
    let output = command.output().expect("hwinst runs");
    let run = Run {
        code: output.status.code().expect("an exit code"),
        stdout: String::from_utf8(output.stdout).unwrap(),
        stderr: String::from_utf8(output.stderr).unwrap(),
    };
    for secret in [ENV_SK, PROFILE_SK, KOOCLI_SK, OTHER_SK, POD_TOKEN] {
        assert!(
            !run.stdout.contains(secret) && !run.stderr.contains(secret),
            "a secret in the output:\n{}{}",
            run.stdout,
            run.stderr
        );
    }
    run
}

impl Run {
    fn ok(self) -> Run {
        assert_eq!(
            self.code, 0,
            "stdout:\n{}stderr:\n{}",
            self.stdout, self.stderr
        );
        self
    }

    fn json(&self) -> Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| panic!("{e}: {}", self.stdout))
    }

    /// A configuration error (exit 12) with its one line.
    fn config_error(self) -> String {
        assert_eq!(
            self.code, 12,
            "stdout:\n{}stderr:\n{}",
            self.stdout, self.stderr
        );
        self.stderr.trim().to_owned()
    }
}

/// `config show` in JSON: where the credentials came from, and the access key.
fn shown(command: &mut Command) -> (String, String) {
    let document = run(command.args(["-o", "json", "config", "show"]))
        .ok()
        .json();
    let credentials = &document["credentials"];
    (
        credentials["from"].as_str().unwrap().to_owned(),
        credentials["access_key"]
            .as_str()
            .unwrap_or_default()
            .to_owned(),
    )
}

/// The instance's lifecycle, read with whatever credentials the chain found.
fn reads_the_instance(command: &mut Command) {
    let document = run(command.args(["-o", "json", "lifecycle", "apig", "gw-1"]))
        .ok()
        .json();
    assert_eq!(document["phase"], "running", "{document}");
}

fn env_keys(command: &mut Command) -> &mut Command {
    command
        .env("HUAWEICLOUD_SDK_AK", "ENVAK")
        .env("HUAWEICLOUD_SDK_SK", ENV_SK)
        .env("HUAWEICLOUD_SDK_PROJECT_ID", PROJECT)
}

#[test]
fn each_source_alone_signs_requests_the_simulator_accepts() {
    let sim = sim(Scenario::default());

    // The environment.
    let home = Home::new();
    let (from, ak) = shown(env_keys(&mut hwinst(&home, &sim)));
    assert_eq!(ak, "ENVAK");
    assert!(from.contains("the environment"), "{from}");
    reads_the_instance(env_keys(&mut hwinst(&home, &sim)));

    // The profile file at ~/.huaweicloud/credentials; its project_id is used.
    let home = Home::new();
    home.profile_file("PROFILEAK", PROFILE_SK);
    let document = run(hwinst(&home, &sim).args(["-o", "json", "config", "show"]))
        .ok()
        .json();
    assert_eq!(document["credentials"]["access_key"], "PROFILEAK");
    assert_eq!(
        document["credentials"]["from"],
        "the profile file ~/.huaweicloud/credentials [basic]"
    );
    assert_eq!(document["project_id"]["value"], PROJECT);
    assert_eq!(
        document["project_id"]["from"],
        document["credentials"]["from"]
    );
    reads_the_instance(&mut hwinst(&home, &sim));

    // The profile file HUAWEICLOUD_SDK_CREDENTIALS_FILE names.
    let home = Home::new();
    let elsewhere = home.write(
        "elsewhere.ini",
        &format!("[basic]\nAK: OTHERAK\nSK: {OTHER_SK}\nproject_id={PROJECT}\n"),
    );
    let mut command = hwinst(&home, &sim);
    command.env("HUAWEICLOUD_SDK_CREDENTIALS_FILE", &elsewhere);
    assert_eq!(shown(&mut command).1, "OTHERAK");
    let mut command = hwinst(&home, &sim);
    command.env("HUAWEICLOUD_SDK_CREDENTIALS_FILE", &elsewhere);
    reads_the_instance(&mut command);

    // KooCLI's current profile; its region and project are used.
    let home = Home::new();
    home.koocli(
        "dev",
        &[
            ("ops", "AKSK", "OTHERAK", OTHER_SK),
            ("dev", "AKSK", "KOOCLIAK", KOOCLI_SK),
        ],
    );
    let document = run(hwinst(&home, &sim).args(["-o", "json", "config", "show"]))
        .ok()
        .json();
    assert_eq!(document["credentials"]["access_key"], "KOOCLIAK");
    assert_eq!(document["region"]["value"], "cn-north-4");
    assert!(
        document["region"]["from"]
            .as_str()
            .unwrap()
            .contains("KooCLI"),
        "{document}"
    );
    reads_the_instance(&mut hwinst(&home, &sim));
    // ... or the one HWINST_PROFILE or --profile names.
    let mut command = hwinst(&home, &sim);
    command.env("HWINST_PROFILE", "ops");
    assert_eq!(shown(&mut command).1, "OTHERAK");
    assert_eq!(shown(hwinst(&home, &sim).arg("--profile=ops")).1, "OTHERAK");
}

#[test]
fn the_first_source_that_has_credentials_wins() {
    let sim = sim(Scenario::default());
    let home = Home::new();
    home.profile_file("PROFILEAK", PROFILE_SK);
    home.koocli("dev", &[("dev", "AKSK", "KOOCLIAK", KOOCLI_SK)]);
    // The environment before the profile file, the profile file before KooCLI.
    assert_eq!(shown(env_keys(&mut hwinst(&home, &sim))).1, "ENVAK");
    assert_eq!(shown(&mut hwinst(&home, &sim)).1, "PROFILEAK");
    std::fs::remove_file(home.0.join(".huaweicloud/credentials")).unwrap();
    assert_eq!(shown(&mut hwinst(&home, &sim)).1, "KOOCLIAK");
    // --profile wins over everything, the environment included.
    let (from, ak) = shown(env_keys(&mut hwinst(&home, &sim)).arg("--profile=dev"));
    assert_eq!(ak, "KOOCLIAK");
    assert!(from.starts_with("--profile"), "{from}");
    // Credentials in the configuration file turn the chain off.
    let config = home.write(
        "config.json",
        &format!(
            r#"{{"project_id":"{PROJECT}","credentials":{{"ak":"OTHERAK","sk":"{OTHER_SK}"}}}}"#
        ),
    );
    let (from, ak) = shown(
        env_keys(&mut hwinst(&home, &sim))
            .arg("--config")
            .arg(&config),
    );
    assert_eq!(ak, "OTHERAK");
    assert!(from.contains("config.json"), "{from}");
    // The file may name one source instead.
    let config = home.write(
        "profile.json",
        &format!(r#"{{"project_id":"{PROJECT}","credentials":{{"profile":"dev"}}}}"#),
    );
    assert_eq!(
        shown(
            env_keys(&mut hwinst(&home, &sim))
                .arg("--config")
                .arg(&config)
        )
        .1,
        "KOOCLIAK"
    );
}

#[test]
fn a_broken_source_is_an_error_naming_it_not_a_skip() {
    let sim = sim(Scenario::default());
    /// Breaks one source (in the home directory or the command's environment).
    type Break = Box<dyn Fn(&Home, &mut Command)>;
    let cases: Vec<(Break, &str)> = vec![
        (
            Box::new(|home, _| {
                home.write(
                    ".huaweicloud/credentials",
                    &format!("[basic]\nak = PROFILEAK\n# sk = {PROFILE_SK}\n"),
                );
            }),
            "~/.huaweicloud/credentials: the [basic] section has no `sk`",
        ),
        (
            Box::new(|home, _| {
                home.write(".huaweicloud/credentials", "[basic\nak = x");
            }),
            "~/.huaweicloud/credentials: not an INI file",
        ),
        (
            Box::new(|home, _| {
                home.koocli("sso", &[("sso", "SSO", "", "")]);
            }),
            "the KooCLI profile \"sso\" is in mode \"SSO\"",
        ),
        (
            Box::new(|home, _| {
                home.koocli("dev", &[("dev", "AKSK", "KOOCLIAK", "")]);
            }),
            "empty accessKeyId or secretAccessKey",
        ),
        (
            Box::new(|home, command| {
                home.koocli("dev", &[("dev", "AKSK", "KOOCLIAK", KOOCLI_SK)]);
                command.env("HWINST_PROFILE", "prod");
            }),
            "no KooCLI profile \"prod\" (its profiles: dev)",
        ),
        (
            Box::new(|home, _| {
                let config = serde_json::json!({"current": "dev", "profiles": [{
                    "name": "dev", "mode": "AKSK", "accessKeyId": "KOOCLIAK",
                    "secretAccessKey": KOOCLI_SK, "region": "../evil.example.com#",
                }]});
                home.write(".hcloud/config.json", &config.to_string());
            }),
            "is not a region name",
        ),
        (
            Box::new(|_, command| {
                command.env("HC_CONTAINER_CREDENTIALS_FULL_URI", "http://127.0.0.1:9/x");
            }),
            "must be set together",
        ),
        (
            Box::new(|_, command| {
                command.env("HUAWEICLOUD_SDK_AK", "ENVAK");
            }),
            "must be set together",
        ),
    ];
    for (make, expected) in cases {
        let home = Home::new();
        let mut command = hwinst(&home, &sim);
        make(&home, &mut command);
        let line = run(command.args(["lifecycle", "apig", "gw-1"])).config_error();
        assert!(line.contains(expected), "{expected:?} not in {line}");
    }
    // Nothing reached the services.
    assert!(sim.requests().is_empty(), "{:?}", sim.requests());
}

#[test]
fn when_nothing_has_credentials_the_error_lists_every_source_tried() {
    let sim = sim(Scenario::default());
    let home = Home::new();
    // A metadata service that does not answer: a port nothing listens on.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", closed.local_addr().unwrap());
    drop(closed);
    let started = std::time::Instant::now();
    let run = run(hwinst(&home, &sim)
        .env("HWINST_METADATA_ENDPOINT", &url)
        .args(["-o", "json", "lifecycle", "apig", "gw-1"]));
    let elapsed = started.elapsed();
    let document = run.json();
    let line = run.config_error();
    assert_eq!(document["code"], "CONFIG");
    for tried in [
        "neither HUAWEICLOUD_SDK_AK/SK nor HWINST_TOKEN is set",
        "~/.huaweicloud/credentials: no such file",
        "~/.hcloud/config.json: no such file",
        "CCE pod identity: HC_CONTAINER_CREDENTIALS_FULL_URI is not set",
        &format!("ECS metadata service ({url}): no answer"),
    ] {
        assert!(line.contains(tried), "{tried:?} not in {line}");
    }
    // Not a measurement (these machines are noisy): a refused connection must not have been
    // waited on like a timeout.
    assert!(elapsed < Duration::from_secs(10), "{elapsed:?}");

    // Turned off, the metadata service says so.
    let line = run_config_error(hwinst(&home, &sim).args(["lifecycle", "apig", "gw-1"]));
    assert!(
        line.contains("ECS metadata service: turned off (HWINST_METADATA_ENDPOINT=none)"),
        "{line}"
    );
}

fn run_config_error(command: &mut Command) -> String {
    run(command).config_error()
}

#[test]
fn the_metadata_service_and_pod_identity_as_the_chain_s_last_sources() {
    let sim = sim(Scenario::default().pod_identity(POD_TOKEN, Duration::from_secs(3600)));
    // A VM with an agency: the metadata service at the end of the chain.
    let home = Home::new();
    let mut command = hwinst(&home, &sim);
    command
        .env("HWINST_METADATA_ENDPOINT", sim.metadata_url())
        .env("HUAWEICLOUD_SDK_PROJECT_ID", PROJECT);
    let (from, ak) = shown(&mut command);
    assert!(from.starts_with("the ECS metadata service"), "{from}");
    assert_eq!(ak.len(), 20, "{ak}");
    let mut command = hwinst(&home, &sim);
    command
        .env("HWINST_METADATA_ENDPOINT", sim.metadata_url())
        .env("HUAWEICLOUD_SDK_PROJECT_ID", PROJECT);
    reads_the_instance(&mut command);

    // A pod: its variables set, pod identity comes before the metadata service.
    let token_file = home.write("pod-token", POD_TOKEN);
    let pod = |command: &mut Command| {
        command
            .env("HWINST_METADATA_ENDPOINT", sim.metadata_url())
            .env("HUAWEICLOUD_SDK_PROJECT_ID", PROJECT)
            .env("HC_CONTAINER_CREDENTIALS_FULL_URI", sim.pod_identity_url())
            .env("HC_CONTAINER_AUTHORIZATION_TOKEN_FILE", &token_file);
    };
    let mut command = hwinst(&home, &sim);
    pod(&mut command);
    let (from, _) = shown(&mut command);
    assert!(from.starts_with("the CCE pod-identity endpoint"), "{from}");
    let mut command = hwinst(&home, &sim);
    pod(&mut command);
    reads_the_instance(&mut command);

    // A wrong pod token is an error naming the endpoint, not a skip to the metadata service.
    let wrong = home.write("wrong-token", "not-the-pod-token");
    let mut command = hwinst(&home, &sim);
    pod(&mut command);
    command.env("HC_CONTAINER_AUTHORIZATION_TOKEN_FILE", &wrong);
    let run = run(command.args(["lifecycle", "apig", "gw-1"]));
    assert_eq!(run.code, 15, "UNAUTHORIZED: {}{}", run.stdout, run.stderr);
    assert!(
        run.stderr.contains("CCE pod-identity endpoint"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_vm_without_an_agency_is_no_source_and_the_configuration_can_name_the_metadata_service() {
    let sim = sim(Scenario::default().metadata(MetadataSpec::default().agency(false)));
    let home = Home::new();
    let line = run_config_error(
        hwinst(&home, &sim)
            .env("HWINST_METADATA_ENDPOINT", sim.metadata_url())
            .args(["lifecycle", "apig", "gw-1"]),
    );
    assert!(
        line.contains("this VM has no cloud service agency"),
        "{line}"
    );

    let sim = self::sim(Scenario::default());
    let config = home.write(
        "config.json",
        &format!(
            r#"{{"project_id":"{PROJECT}","credentials":{{"metadata":{{}}}},"endpoints":{{"metadata":"{}"}}}}"#,
            sim.metadata_url()
        ),
    );
    // The environment's keys do not matter: the configuration names its source.
    let (from, ak) = shown(
        env_keys(&mut hwinst(&home, &sim))
            .arg("--config")
            .arg(&config),
    );
    assert!(from.starts_with("the ECS metadata service"), "{from}");
    assert_ne!(ak, "ENVAK");
}

/// The official Python SDK's `CredentialProviderChain`, reading the same profile file as
/// hwinst, picks the same access key: the `[basic]` section, as Python's configparser reads
/// it (case-insensitive names, `:` or `=`, comments, a `[global]` section beside it).
#[test]
fn the_official_sdk_s_chain_picks_the_same_access_key_from_the_profile_file() {
    let Some(python) = common::sdk_python() else {
        return;
    };
    let sim = sim(Scenario::default());
    let home = Home::new();
    let file = home.write(
        "sdk-credentials",
        &format!(
            "; written by hand\n[global]\nak = OTHERAK\nsk = {OTHER_SK}\n\n[basic]\n# the project\nAK : PROFILEAK\nSk= {PROFILE_SK}\nproject_id = {PROJECT}\n"
        ),
    );
    let mut command = hwinst(&home, &sim);
    command.env("HUAWEICLOUD_SDK_CREDENTIALS_FILE", &file);
    let (_, ours) = shown(&mut command);

    let output = Command::new(python)
        .arg(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/sdk/sdk_chain.py"
        ))
        .env_clear()
        .env("HOME", &home.0)
        .env("HUAWEICLOUD_SDK_CREDENTIALS_FILE", &file)
        .output()
        .expect("the SDK's python runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let theirs = String::from_utf8(output.stdout).unwrap();
    assert_eq!(ours, "PROFILEAK");
    assert_eq!(theirs.trim(), ours);
}

/// `command`'s output, failing (and killing it) if it takes more than 30 s: a hostile file
/// must not hang the chain.
fn within_30_s(command: &mut Command) -> std::process::Output {
    let mut child = command
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("hwinst runs");
    let started = std::time::Instant::now();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > Duration::from_secs(30) {
            child.kill().unwrap();
            child.wait().unwrap();
            panic!("hwinst hung on a hostile file");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().unwrap()
}

/// `command`'s configuration error line (exit 12), within 30 s.
fn config_error_within_30_s(command: &mut Command) -> String {
    let output = within_30_s(command);
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert_eq!(output.status.code(), Some(12), "{stderr}");
    stderr.trim().to_owned()
}

fn mkfifo(path: &Path) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    let status = Command::new("mkfifo")
        .arg(path)
        .status()
        .expect("mkfifo runs");
    assert!(status.success());
}

/// Issue 26 item 10: a FIFO with no writer, a device, or a file of more than 1 MiB where the
/// chain reads a file is refused at once, saying why, instead of blocking `config show`
/// forever or reading `/dev/zero` until memory runs out. An unreadable pod-identity token file
/// is the configuration's error (CONFIG, exit 12), not UNAUTHORIZED. (Before the fix: a hang,
/// and exit 15 for the token file.)
#[test]
fn fifos_devices_and_huge_files_are_refused_not_read() {
    let sim = sim(Scenario::default());
    type Make = Box<dyn Fn(&Home, &mut Command)>;
    let cases: Vec<(Make, &str)> = vec![
        (
            Box::new(|home, _| mkfifo(&home.0.join(".huaweicloud/credentials"))),
            "~/.huaweicloud/credentials: is a FIFO, not a regular file",
        ),
        (
            Box::new(|home, _| mkfifo(&home.0.join(".hcloud/config.json"))),
            "~/.hcloud/config.json: is a FIFO, not a regular file",
        ),
        (
            Box::new(|home, _| {
                std::fs::create_dir_all(home.0.join(".hcloud")).unwrap();
                std::os::unix::fs::symlink("/dev/zero", home.0.join(".hcloud/config.json"))
                    .unwrap();
            }),
            "~/.hcloud/config.json: is a device, not a regular file",
        ),
        (
            Box::new(|home, command| {
                let file = home.0.join("named-profile");
                mkfifo(&file);
                command.env("HUAWEICLOUD_SDK_CREDENTIALS_FILE", file);
            }),
            "named-profile: is a FIFO",
        ),
        (
            Box::new(|home, _| {
                let huge = format!("[basic]\n{}\n", "# padding\n".repeat(120_000));
                home.write(".huaweicloud/credentials", &huge);
            }),
            "~/.huaweicloud/credentials: holds more than 1024 KiB",
        ),
        (
            Box::new(|home, command| {
                let file = home.0.join("pod-token");
                mkfifo(&file);
                command
                    .env("HC_CONTAINER_CREDENTIALS_FULL_URI", "http://127.0.0.1:9/x")
                    .env("HC_CONTAINER_AUTHORIZATION_TOKEN_FILE", file);
            }),
            "pod-token: is a FIFO",
        ),
        (
            Box::new(|home, command| {
                command
                    .env("HC_CONTAINER_CREDENTIALS_FULL_URI", "http://127.0.0.1:9/x")
                    .env("HC_CONTAINER_AUTHORIZATION_TOKEN_FILE", home.0.join("none"));
            }),
            "pod-identity token file",
        ),
    ];
    for (make, expected) in cases {
        // A command that builds a client fails with the source's problem (`CONFIG`) ...
        let home = Home::new();
        let mut command = hwinst(&home, &sim);
        make(&home, &mut command);
        let line = config_error_within_30_s(command.args(["lifecycle", "apig", "gw-1"]));
        assert!(line.contains(expected), "{expected:?} not in {line}");
        // ... and `config show` lists it among what is missing, without hanging either.
        let home = Home::new();
        let mut command = hwinst(&home, &sim);
        make(&home, &mut command);
        let output = within_30_s(command.args(["config", "show"]));
        let stdout = String::from_utf8(output.stdout).unwrap();
        assert!(stdout.contains(expected), "{expected:?} not in {stdout}");
    }
}

/// Issue 26 item 12: off a VM, a proxy that answers the metadata address with an HTML 403
/// page is "not this source" in the chain (the CONFIG error listing every source, saying
/// what answered), and still an error (UNAUTHORIZED, exit 15) when the configuration names
/// the metadata service. (Before the fix: UNAUTHORIZED from the chain too.)
#[test]
fn a_proxy_s_refusal_at_the_metadata_address_is_not_the_metadata_service() {
    let sim = sim(Scenario::default());
    let mut proxy = mockito::Server::new();
    let _pages: Vec<mockito::Mock> = ["PUT", "GET"]
        .into_iter()
        .map(|method| {
            proxy
                .mock(method, mockito::Matcher::Any)
                .with_status(403)
                .with_header("content-type", "text/html")
                .with_body("<html><body><h1>403 Forbidden</h1>Blocked by policy</body></html>")
                .create()
        })
        .collect();
    let home = Home::new();
    let line = run_config_error(
        hwinst(&home, &sim)
            .env("HWINST_METADATA_ENDPOINT", proxy.url())
            .args(["lifecycle", "apig", "gw-1"]),
    );
    for expected in [
        "the default chain found none",
        "~/.huaweicloud/credentials: no such file",
        "something else answered (HTTP 403",
    ] {
        assert!(line.contains(expected), "{expected:?} not in {line}");
    }
    let config = home.write(
        "config.json",
        &format!(
            r#"{{"project_id":"{PROJECT}","credentials":{{"metadata":{{}}}},"endpoints":{{"metadata":"{}"}}}}"#,
            proxy.url()
        ),
    );
    let named =
        run(hwinst(&home, &sim)
            .arg("--config")
            .arg(&config)
            .args(["lifecycle", "apig", "gw-1"]));
    assert_eq!(named.code, 15, "{}", named.stderr);
    assert!(named.stderr.contains("403"), "{}", named.stderr);
}

/// Issue 26, decided: a section or key given twice in the profile file, and two KooCLI
/// profiles of one name, are refused naming the file and the name, never a value (Python's
/// configparser, which the official SDK reads with, refuses them too; before, the last or the
/// first won). A UTF-8 byte order mark before `[basic]` is accepted (before: "no [basic]
/// section").
#[test]
fn duplicates_are_refused_and_a_byte_order_mark_is_accepted() {
    let sim = sim(Scenario::default());
    let cases: Vec<(&str, String, &str)> = vec![
        (
            ".huaweicloud/credentials",
            format!("[basic]\nak = PROFILEAK\nsk = {PROFILE_SK}\n[basic]\nsk = {OTHER_SK}\n"),
            "~/.huaweicloud/credentials: the section [basic] is given twice",
        ),
        (
            ".huaweicloud/credentials",
            format!("[basic]\nak = PROFILEAK\nsk = {PROFILE_SK}\nSK: {OTHER_SK}\n"),
            "~/.huaweicloud/credentials: the key `sk` of [basic] is given twice",
        ),
        (
            ".hcloud/config.json",
            serde_json::json!({"current": "dev", "profiles": [
                {"name": "dev", "mode": "AKSK", "accessKeyId": "KOOCLIAK",
                 "secretAccessKey": KOOCLI_SK},
                {"name": "dev", "mode": "AKSK", "accessKeyId": "OTHERAK",
                 "secretAccessKey": OTHER_SK},
            ]})
            .to_string(),
            "~/.hcloud/config.json: the KooCLI profile \"dev\" is given twice",
        ),
    ];
    for (file, text, expected) in cases {
        let home = Home::new();
        home.write(file, &text);
        let line = run_config_error(hwinst(&home, &sim).args(["lifecycle", "apig", "gw-1"]));
        assert!(line.contains(expected), "{expected:?} not in {line}");
    }
    let home = Home::new();
    home.write(
        ".huaweicloud/credentials",
        &format!("\u{feff}[basic]\nak = PROFILEAK\nsk = {PROFILE_SK}\nproject_id = {PROJECT}\n"),
    );
    let (from, ak) = shown(&mut hwinst(&home, &sim));
    assert!(from.contains("profile file"), "{from}");
    assert_eq!(ak, "PROFILEAK");
    reads_the_instance(&mut hwinst(&home, &sim));
}

/// Issue 26 item 11: a 1 MB KooCLI `mode` or profile name is echoed as a short, escaped start.
#[test]
fn huge_names_are_echoed_short() {
    let sim = sim(Scenario::default());
    let home = Home::new();
    let huge = format!("SSO\n{}", "x".repeat(1_000_000));
    home.koocli("dev", &[("dev", &huge, "KOOCLIAK", KOOCLI_SK)]);
    let line = run_config_error(hwinst(&home, &sim).args(["lifecycle", "apig", "gw-1"]));
    assert!(line.contains("in mode \"SSO\\nxxxx"), "{line}");
    assert!(line.len() < 500, "{} bytes", line.len());
    let line = run_config_error(
        hwinst(&home, &sim)
            .env("HWINST_PROFILE", "y".repeat(100_000))
            .args(["lifecycle", "apig", "gw-1"]),
    );
    assert!(line.contains("no KooCLI profile \"yyyy"), "{line}");
    assert!(line.len() < 500, "{} bytes", line.len());
}
