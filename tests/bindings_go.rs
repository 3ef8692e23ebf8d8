//! The Go binding (`bindings/go`), tested from `cargo test --all-features` against the
//! library this very test run built: `go vet`, `go test -race` and `go test` with
//! `GODEBUG=cgocheck=1` in `bindings/go`, with the build tag `hwinst_custom` and
//! `CGO_CFLAGS`/`CGO_LDFLAGS` naming `include/` and this run's `libhwinst.a` (not a stale
//! `target/release` one), and `HWINST_BIN` the `hwinst` binary of this run for the Go tests'
//! simulator. Then the example program `bindings/go/examples/wait` is built and run against
//! a simulator.
//!
//! `go` is required: the test fails, never skips, without it. It takes a minute or two on
//! two cores, most of it linking the Go test binaries (with and without the race detector).

// Real time here (clippy.toml refuses it elsewhere): times the Go toolchain, a child process.
#![allow(clippy::disallowed_methods)]
#![cfg(feature = "cli")]

mod common;

use common::{built_library_dir, NATIVE_STATIC_LIBS};
use hwinst::sim::{InstanceSpec, Scenario, Simulator};
use hwinst::Service;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

fn go_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("bindings/go")
}

/// `go ARGS` in `bindings/go`, linking this test run's library.
fn go(args: &[&str]) -> Command {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let archive = built_library_dir().join("libhwinst.a");
    let mut command = Command::new("go");
    command
        .args(args)
        .current_dir(go_dir())
        // Never download a toolchain: the installed Go is the one under test.
        .env("GOTOOLCHAIN", "local")
        .env("CGO_ENABLED", "1")
        .env("CGO_CFLAGS", format!("-I{}", quoted(&repo.join("include"))))
        .env(
            "CGO_LDFLAGS",
            format!("{} {}", quoted(&archive), NATIVE_STATIC_LIBS.join(" ")),
        )
        .env("HWINST_BIN", env!("CARGO_BIN_EXE_hwinst"));
    // The go command needs somewhere for its build cache; a bare environment has no $HOME.
    if std::env::var_os("GOCACHE").is_none()
        && std::env::var_os("HOME").is_none()
        && std::env::var_os("XDG_CACHE_HOME").is_none()
    {
        let tmp = Path::new(env!("CARGO_TARGET_TMPDIR"));
        command
            .env("GOCACHE", tmp.join("go-cache"))
            .env("GOPATH", tmp.join("go-path"));
    }
    command
}

/// A path for `CGO_*FLAGS`, which the go command splits at spaces unless quoted.
fn quoted(path: &Path) -> String {
    let text = path.to_str().expect("a UTF-8 path");
    assert!(
        !text.contains('\''),
        "{text}: a path with a single quote cannot be given to cgo"
    );
    if text.contains(char::is_whitespace) {
        format!("'{text}'")
    } else {
        text.to_owned()
    }
}

/// Runs `command` as [`common::succeed`] does (its output shown when it fails), printing how
/// long it took.
fn succeed(mut command: Command, what: &str) -> Output {
    let start = Instant::now();
    let output = common::succeed(&mut command);
    eprintln!("{what}: {:.1?}", start.elapsed());
    output
}

/// The go test output's verdict lines, so that a passing run still shows what ran.
fn summary(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter(|l| l.starts_with("ok") || l.starts_with('?') || l.starts_with("---"))
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn the_go_binding_passes_vet_and_its_tests_and_its_example_runs() {
    succeed(go(&["version"]), "go version");

    // The default (in-repo) directives compile too; vet does not link, so no release build
    // is needed for it.
    succeed(go(&["vet", "./..."]), "go vet ./... (default directives)");
    let tags = ["-tags", "hwinst_custom"];
    succeed(go(&["vet", tags[0], tags[1], "./..."]), "go vet ./...");

    let race = succeed(
        go(&["test", tags[0], tags[1], "-race", "-count=1", "./..."]),
        "go test -race -count=1 ./...",
    );
    eprintln!("{}", summary(&race));

    let mut cgocheck = go(&["test", tags[0], tags[1], "-count=1", "-v", "./..."]);
    cgocheck.env("GODEBUG", "cgocheck=1");
    let cgocheck = succeed(cgocheck, "GODEBUG=cgocheck=1 go test -count=1 ./...");
    eprintln!("{}", summary(&cgocheck));

    // The example program, built and run against a simulator.
    let bin = Path::new(env!("CARGO_TARGET_TMPDIR")).join("go-example-wait");
    let out = bin.to_str().expect("a UTF-8 path");
    succeed(
        go(&[
            "build",
            tags[0],
            tags[1],
            "-buildvcs=false",
            "-o",
            out,
            "./examples/wait",
        ]),
        "go build ./examples/wait",
    );
    let sim = Simulator::start(Scenario::default()).expect("start the simulator");
    sim.add_instance(
        InstanceSpec::new(Service::Apig)
            .id("go-example")
            .step(Duration::from_millis(100)),
    )
    .expect("add an instance");
    let config = Path::new(env!("CARGO_TARGET_TMPDIR")).join("go-example-config.json");
    std::fs::write(&config, sim.config_json()).expect("write the configuration");
    let output = Command::new(&bin)
        .arg("-config")
        .arg(&config)
        .args(["-interval", "50ms", "apig", "go-example"])
        .output()
        .expect("run the example");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "the example failed with {}:\n{stdout}\n{stderr}",
        output.status
    );
    let final_lifecycle: serde_json::Value =
        serde_json::from_str(stdout.trim()).expect("the final lifecycle document");
    assert_eq!(final_lifecycle["phase"], "running", "{stdout}");
    assert!(stderr.contains("go-example: creating 30%"), "{stderr}");
    assert!(stderr.contains("go-example: running 100%"), "{stderr}");

    // An instance that fails: exit status 3 with the service's reason.
    sim.add_instance(
        InstanceSpec::new(Service::Apig)
            .id("go-example-fails")
            .outcome(hwinst::sim::Outcome::Fail)
            .step(Duration::ZERO),
    )
    .expect("add an instance");
    let output = Command::new(&bin)
        .arg("-config")
        .arg(&config)
        .args(["apig", "go-example-fails"])
        .output()
        .expect("run the example");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(3), "{stderr}");
    assert!(stderr.contains("APIG.9999"), "{stderr}");
}
