//! Shared by the integration tests: a client pointed at a mockito server, the seed
//! documents' example responses, a table of the five operations so that error tests run
//! against every endpoint, the install of the C library (and C++ binding) into a prefix, and
//! what tests against the simulator ask of it (requests, secrets, the CLI pointed at it).
#![allow(dead_code)] // each test binary uses its own part of this module

pub mod capture;
pub mod raw;

use hwinst::{Client, ClientBuilder, Result, RomaListQuery, Service};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub const PROJECT: &str = "0a1b2c3d4e5f";
pub const TOKEN: &str = "MIIT0k3n-s3cr3t-value";
pub const INSTANCE: &str = "b037d389-62a4-464a-8461-c88797ad4f23";

/// The text of `tests/fixtures/{name}`.
pub fn fixture(name: &str) -> String {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// A builder with every service's endpoint at `url`, the test project and token, and no
/// retries: most tests check what one answer gives (tests/it/retry.rs checks retrying).
pub fn builder(url: &str) -> ClientBuilder {
    Service::ALL
        .into_iter()
        .fold(Client::builder(), |b, service| b.endpoint(service, url))
        .project_id(PROJECT)
        .token(TOKEN)
        .retry(hwinst::RetryPolicy::none())
}

pub fn client(server: &mockito::Server) -> Client {
    builder(&server.url()).build().expect("client")
}

/// One of the five operations, called with an instance ID, its answer as JSON.
pub struct Operation {
    pub name: &'static str,
    /// The request path (with query) it sends for `instance`.
    pub path: fn(instance: &str) -> String,
    pub call: fn(&Client, &str) -> Result<Value>,
}

fn json<T: serde::Serialize>(result: Result<T>) -> Result<Value> {
    result.map(|v| serde_json::to_value(v).expect("models serialise"))
}

pub fn operations() -> Vec<Operation> {
    vec![
        Operation {
            name: "roma_creation_progress",
            path: |id| format!("/v2/{PROJECT}/instances/{id}/process"),
            call: |c, id| json(c.roma_creation_progress(id)),
        },
        Operation {
            name: "apig_creation_progress",
            path: |id| format!("/v2/{PROJECT}/apigw/instances/{id}/progress"),
            call: |c, id| json(c.apig_creation_progress(id)),
        },
        Operation {
            name: "roma_instance",
            path: |id| format!("/v2/{PROJECT}/apic/instances/{id}"),
            call: |c, id| json(c.roma_instance(id)),
        },
        Operation {
            name: "roma_list_instances",
            path: |_| format!("/v2/{PROJECT}/instances?status=RUNNING&offset=0&limit=10"),
            call: |c, _| {
                json(c.roma_list_instances(
                    &RomaListQuery::new().status("RUNNING").offset(0).limit(10),
                ))
            },
        },
        Operation {
            name: "clouddc_instance_status",
            path: |id| format!("/v1/{PROJECT}/instances/{id}/status"),
            call: |c, id| json(c.clouddc_instance_status(id)),
        },
    ]
}

/// `value` without `null` members, recursively: models leave absent and null fields out.
pub fn without_nulls(value: Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.into_iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| (k, without_nulls(v)))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.into_iter().map(without_nulls).collect()),
        other => other,
    }
}

/// Runs `command` and checks that it succeeded, showing its output when it did not.
pub fn succeed(command: &mut Command) -> Output {
    let output = command
        .output()
        .unwrap_or_else(|e| panic!("cannot run {command:?} (is it installed?): {e}"));
    assert!(
        output.status.success(),
        "{command:?} failed with {}:\n{}{}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

/// The native libraries Rust's standard library needs when `libhwinst.a` is linked
/// statically: `scripts/install.sh`'s `libs_private` (what `rustc --print native-static-libs`
/// reports for a Linux gnu target).
pub const NATIVE_STATIC_LIBS: [&str; 7] = [
    "-lgcc_s",
    "-lutil",
    "-lrt",
    "-lpthread",
    "-lm",
    "-ldl",
    "-lc",
];

/// Where cargo put the `libhwinst.a` and `libhwinst.so` built for this test run:
/// `target/<profile>/deps`, next to the test's executable. `cargo test` does not copy them up
/// to `target/<profile>` (only `cargo build` does), where they may be stale or missing.
pub fn built_library_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("the test executable's path");
    let deps = exe.parent().expect("target/<profile>/deps/").to_path_buf();
    for artifact in ["libhwinst.so", "libhwinst.a"] {
        let path = deps.join(artifact);
        assert!(
            path.is_file(),
            "{} is missing: `cargo test` builds it (crate-type cdylib and staticlib)",
            path.display()
        );
    }
    deps
}

/// Runs `scripts/install.sh --no-build` into `work/prefix`, returns the prefix (the C and C++
/// install tests).
///
/// The artifacts of this test run are in `target/<profile>/deps/` ([`built_library_dir`]), so
/// install.sh is given a target directory of its own whose `<profile>` is a link to it.
pub fn install(work: &Path) -> PathBuf {
    let deps = built_library_dir();
    let profile = deps
        .parent()
        .and_then(Path::file_name)
        .and_then(|name| name.to_str())
        .expect("target/<profile>/");
    assert!(
        profile == "debug" || profile == "release",
        "install.sh installs the debug or release profile, not {profile}"
    );
    let target = work.join("target");
    std::fs::create_dir_all(&target).expect("create the staging target directory");
    std::os::unix::fs::symlink(&deps, target.join(profile)).expect("link the staging target");

    let prefix = work.join("prefix");
    let mut install = Command::new("bash");
    install
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/install.sh"))
        .args(["--no-build", "--profile", profile, "--target-dir"])
        .arg(&target)
        .arg("--prefix")
        .arg(&prefix);
    succeed(&mut install);
    prefix
}

/// `hwinst_client_new(config)` as a C caller makes it: the code and the error document
/// written to `out_error`, if any (the client, if any, is freed).
pub fn c_client_new(config: &std::ffi::CStr) -> (hwinst::ffi::hwinst_code, Option<Value>) {
    use hwinst::ffi::{hwinst_client_free, hwinst_client_new, hwinst_string_free};
    let mut client = std::ptr::null_mut();
    let mut error: *mut std::ffi::c_char = std::ptr::null_mut();
    // SAFETY: a NUL-terminated string and two writable slots.
    let code = unsafe { hwinst_client_new(config.as_ptr(), &mut client, &mut error) };
    // SAFETY: whatever hwinst wrote is ours to free, once.
    unsafe { hwinst_client_free(client) };
    let document = (!error.is_null()).then(|| {
        // SAFETY: hwinst wrote a NUL-terminated string.
        let text = unsafe { std::ffi::CStr::from_ptr(error) }
            .to_str()
            .expect("the error document is UTF-8")
            .to_owned();
        // SAFETY: as above.
        unsafe { hwinst_string_free(error) };
        serde_json::from_str(&text).expect("the error document is JSON")
    });
    (code, document)
}

/// What the simulator answered so far, in order: each request's operation and status.
#[cfg(feature = "sim")]
pub fn answered(sim: &hwinst::sim::Simulator) -> Vec<(Option<hwinst::sim::Operation>, u16)> {
    sim.requests()
        .iter()
        .map(|r| (r.operation, r.status))
        .collect()
}

/// How many requests the simulator took for `operation`.
#[cfg(feature = "sim")]
pub fn requests_for(sim: &hwinst::sim::Simulator, operation: hwinst::sim::Operation) -> usize {
    sim.requests()
        .iter()
        .filter(|r| r.operation == Some(operation))
        .count()
}

/// Asserts that `text` holds neither `known` (a test's own secret) nor any secret the
/// simulator issued or accepts (ID tokens included).
#[cfg(feature = "sim")]
pub fn assert_no_secret(sim: &hwinst::sim::Simulator, known: &str, text: &str) {
    assert!(!text.contains(known), "{text}");
    for secret in sim.issued_secrets() {
        assert!(!text.contains(&secret), "an issued secret in: {text}");
    }
}

/// The `hwinst` command with only PATH, HOME (`home`) and the metadata service turned off
/// from this environment, every service's endpoint at `sim`.
#[cfg(feature = "sim")]
pub fn cli_at_simulator(home: &Path, sim: &hwinst::sim::Simulator) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_hwinst"));
    command
        .env_clear()
        .env("HOME", home)
        .env("HWINST_METADATA_ENDPOINT", "none")
        .stdin(std::process::Stdio::null());
    if let Some(path) = std::env::var_os("PATH") {
        command.env("PATH", path);
    }
    for name in ["roma", "apig", "clouddc", "iam"] {
        command.arg(format!("--endpoint={name}={}", sim.base_url()));
    }
    command
}

/// The interpreter of the official Python SDK's venv (`scripts/sdk-venv.sh`), or why there is
/// none. The script runs once per test process: tests running in parallel threads must not
/// build the same venv at once (each would delete the other's half-made one).
pub fn sdk_venv() -> std::result::Result<PathBuf, String> {
    static VENV: std::sync::OnceLock<std::result::Result<PathBuf, String>> =
        std::sync::OnceLock::new();
    VENV.get_or_init(|| {
        let out = Command::new("bash")
            .arg("scripts/sdk-venv.sh")
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .stdin(std::process::Stdio::null())
            .output()
            .map_err(|e| format!("cannot run bash scripts/sdk-venv.sh: {e}"))?;
        if !out.status.success() {
            return Err(format!(
                "scripts/sdk-venv.sh failed ({}):\n{}",
                out.status,
                String::from_utf8_lossy(&out.stderr)
            ));
        }
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .last()
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .map(PathBuf::from)
            .ok_or_else(|| "scripts/sdk-venv.sh printed no interpreter path".to_owned())
    })
    .clone()
}

/// [`sdk_venv`]'s interpreter, or `None` (the test skips, saying so on stderr) when there is
/// none, unless `HWINST_REQUIRE_SDK=1` (what `scripts/test` and CI set), where that fails.
pub fn sdk_python() -> Option<PathBuf> {
    let problem = match sdk_venv() {
        Ok(python) => return Some(python),
        Err(problem) => problem,
    };
    if std::env::var("HWINST_REQUIRE_SDK").as_deref() == Ok("1") {
        panic!("HWINST_REQUIRE_SDK=1 but the official SDK is not available: {problem}");
    }
    // Straight to stderr: the test harness captures eprintln! of a passing test.
    use std::io::Write;
    let _ = writeln!(
        std::io::stderr(),
        "skipped: the official SDK is not installed (run scripts/sdk-venv.sh)\n{problem}"
    );
    None
}
