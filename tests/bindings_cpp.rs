//! The C++ binding (`bindings/cpp`) as users get it: `scripts/install.sh` installs the
//! artifacts that this `cargo test` built into a fresh prefix, then
//! - the GoogleTest suite (`bindings/cpp/tests`) is configured with `find_package(hwinst)`,
//!   built with AddressSanitizer and UBSan, and run by `ctest` against `hwinst sim serve`;
//! - the examples (`bindings/cpp/examples`) are built against the prefix, one linked
//!   statically, and run against a simulator;
//! - a probe project checks the package's version rules, from a copy of the prefix moved
//!   elsewhere.
//!
//! `cmake`, `ninja`, a C++17 compiler, GoogleTest (`libgtest-dev`) and nlohmann/json
//! (`nlohmann-json3-dev`) are required: the test fails, never skips, without them. The
//! vendored route (`add_subdirectory`) is checked by `bindings/cpp/ci-vendored.sh`, which
//! builds the library in release and so is not run from here.
#![cfg(feature = "cli")]

mod common;

use common::{install, succeed};
use hwinst::sim::{InstanceSpec, Outcome, Simulator};
use hwinst::Service;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;
use std::time::Duration;

const MANIFEST_DIR: &str = env!("CARGO_MANIFEST_DIR");

/// What these tests need besides cargo, with the Debian package that brings it.
const TOOLS: [(&str, &str); 3] = [("cmake", "cmake"), ("ninja", "ninja-build"), ("c++", "g++")];
const LIBRARIES: &str = "GoogleTest (Debian: libgtest-dev) and nlohmann/json (nlohmann-json3-dev)";

/// The installed prefix, and this file's working directory.
struct Installed {
    work: PathBuf,
    prefix: PathBuf,
}

/// Checks the tools and installs once for all the tests of this file.
fn installed() -> &'static Installed {
    static INSTALLED: OnceLock<Installed> = OnceLock::new();
    INSTALLED.get_or_init(|| {
        for (tool, package) in TOOLS {
            if let Err(e) = Command::new(tool).arg("--version").output() {
                panic!(
                    "{tool} is needed to build the C++ binding \
                     (Debian: apt-get install {package}): {e}"
                );
            }
        }
        let work = Path::new(env!("CARGO_TARGET_TMPDIR")).join("bindings_cpp");
        if work.exists() {
            std::fs::remove_dir_all(&work).expect("remove the previous bindings_cpp directory");
        }
        std::fs::create_dir_all(&work).expect("create the bindings_cpp directory");
        let prefix = install(&work);
        Installed { work, prefix }
    })
}

/// `cmake -S source -B build -G Ninja -DCMAKE_PREFIX_PATH=<prefix> ARGS`, then
/// `cmake --build build` with two jobs (the machines this runs on have two cores).
fn cmake_build(source: &Path, build: &Path, args: &[&str]) {
    let installed = installed();
    let mut configure = Command::new("cmake");
    configure
        .arg("-S")
        .arg(source)
        .arg("-B")
        .arg(build)
        .args(["-G", "Ninja"])
        .arg(format!(
            "-DCMAKE_PREFIX_PATH={}",
            installed.prefix.display()
        ))
        .args(args);
    let output = run(&mut configure);
    assert!(
        output.status.success(),
        "{configure:?} failed (it needs {LIBRARIES}):\n{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    succeed(
        Command::new("cmake")
            .arg("--build")
            .arg(build)
            .args(["--parallel", "2"]),
    );
}

fn run(command: &mut Command) -> Output {
    command
        .output()
        .unwrap_or_else(|e| panic!("cannot run {command:?}: {e}"))
}

/// The examples, built once against the installed package.
fn examples() -> &'static Path {
    static EXAMPLES: OnceLock<PathBuf> = OnceLock::new();
    EXAMPLES.get_or_init(|| {
        let build = installed().work.join("examples");
        cmake_build(
            &Path::new(MANIFEST_DIR).join("bindings/cpp/examples"),
            &build,
            &[],
        );
        build
    })
}

/// A simulator with the instances the example tests use, and its configuration in a file.
struct Sim {
    _sim: Simulator,
    config: PathBuf,
}

fn simulator(name: &str) -> Sim {
    // Built first: the instances' lifecycles start with the simulator.
    examples();
    let sim = Simulator::start(Default::default()).expect("start the simulator");
    sim.add_instance(
        InstanceSpec::new(Service::Roma)
            .id("roma-1")
            .outcome(Outcome::Steady),
    )
    .unwrap();
    sim.add_instance(
        InstanceSpec::new(Service::Apig)
            .id("apig-1")
            .step(Duration::from_millis(300)),
    )
    .unwrap();
    sim.add_instance(
        InstanceSpec::new(Service::Clouddc)
            .id("dc-broken")
            .outcome(Outcome::Fail)
            .step(Duration::ZERO),
    )
    .unwrap();
    let config = installed().work.join(format!("{name}.config.json"));
    std::fs::write(&config, sim.config_json()).expect("write the configuration");
    Sim { _sim: sim, config }
}

fn example(name: &str, args: &[&std::ffi::OsStr]) -> Output {
    run(Command::new(examples().join(name)).args(args))
}

fn json_of(bytes: &[u8]) -> Value {
    serde_json::from_slice(bytes)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(bytes)))
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn the_googletest_suite_passes_under_sanitizers() {
    let build = installed().work.join("tests");
    cmake_build(
        &Path::new(MANIFEST_DIR).join("bindings/cpp/tests"),
        &build,
        &["-DCMAKE_BUILD_TYPE=Debug"],
    );
    let output = succeed(
        Command::new("ctest")
            .arg("--test-dir")
            .arg(&build)
            .args(["--output-on-failure", "--parallel", "2"])
            .env("HWINST_BIN", env!("CARGO_BIN_EXE_hwinst")),
    );
    let stdout = text(&output.stdout);
    // ctest's summary: "100% tests passed, 0 tests failed out of N", N > 0.
    let summary = stdout
        .lines()
        .find(|line| line.contains("tests passed"))
        .unwrap_or_else(|| panic!("no ctest summary:\n{stdout}"));
    let total: u32 = summary
        .rsplit(' ')
        .next()
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("cannot read ctest's summary: {summary}"));
    assert!(
        summary.starts_with("100% tests passed") && total >= 40,
        "{summary}"
    );
    println!("{summary}");
}

#[test]
fn the_install_has_the_cpp_header_and_cmake_package() {
    let prefix = &installed().prefix;
    for file in [
        "include/hwinst.hpp",
        "lib/cmake/hwinst/hwinstConfig.cmake",
        "lib/cmake/hwinst/hwinstConfigVersion.cmake",
    ] {
        assert!(prefix.join(file).is_file(), "{file} is not installed");
    }
    let config = std::fs::read_to_string(prefix.join("lib/cmake/hwinst/hwinstConfig.cmake"))
        .expect("read hwinstConfig.cmake");
    let version =
        std::fs::read_to_string(prefix.join("lib/cmake/hwinst/hwinstConfigVersion.cmake"))
            .expect("read hwinstConfigVersion.cmake");
    for text in [&config, &version] {
        // install.sh's placeholders: @NAME@, NAME in capitals and underscores.
        let unfilled: Vec<&str> = text
            .match_indices('@')
            .filter_map(|(at, _)| {
                let rest = &text[at + 1..];
                let name = &rest[..rest.find('@')?];
                let is_name = name.chars().all(|c| c.is_ascii_uppercase() || c == '_');
                (!name.is_empty() && is_name).then_some(name)
            })
            .collect();
        assert!(unfilled.is_empty(), "{unfilled:?} not filled in:\n{text}");
    }
    // Relocatable: no absolute path of this prefix in it.
    assert!(!config.contains(prefix.to_str().unwrap()), "{config}");
}

/// A project that asks for hwinst with version requirements, against a copy of the prefix
/// in another place: the package works out its paths from where it is.
#[test]
fn find_package_follows_the_version_rules_from_a_moved_prefix() {
    let installed = installed();
    let moved = installed.work.join("moved/prefix");
    std::fs::create_dir_all(moved.parent().unwrap()).unwrap();
    succeed(
        Command::new("cp")
            .arg("-a")
            .arg(&installed.prefix)
            .arg(&moved),
    );

    let version = env!("CARGO_PKG_VERSION");
    let major: u32 = env!("CARGO_PKG_VERSION_MAJOR").parse().unwrap();
    let minor: u32 = env!("CARGO_PKG_VERSION_MINOR").parse().unwrap();
    // The same series (0.MINOR, or MAJOR from 1.0) is compatible; the next one is not.
    let (same, next) = if major == 0 {
        (format!("0.{minor}"), format!("0.{}", minor + 1))
    } else {
        (format!("{major}"), format!("{}", major + 1))
    };
    let probe = installed.work.join("probe");
    std::fs::create_dir_all(&probe).unwrap();
    std::fs::write(
        probe.join("CMakeLists.txt"),
        format!(
            r#"cmake_minimum_required(VERSION 3.16)
project(probe LANGUAGES CXX)
function(expect_not_found version)
  find_package(hwinst ${{version}} CONFIG QUIET)
  if(hwinst_FOUND)
    message(FATAL_ERROR "hwinst {version} was taken for ${{version}}")
  endif()
endfunction()
expect_not_found({next})
expect_not_found(99.0)
expect_not_found(0.0...<{version})
find_package(hwinst {same} CONFIG REQUIRED)
find_package(hwinst {version}...<{next} CONFIG REQUIRED)
find_package(hwinst {version} EXACT CONFIG REQUIRED)
if(NOT hwinst_VERSION STREQUAL "{version}")
  message(FATAL_ERROR "hwinst_VERSION is ${{hwinst_VERSION}}")
endif()
foreach(target hwinst::hwinst hwinst::hwinst_static)
  get_target_property(location ${{target}} IMPORTED_LOCATION)
  get_target_property(includes ${{target}} INTERFACE_INCLUDE_DIRECTORIES)
  if(NOT EXISTS "${{location}}" OR NOT EXISTS "${{includes}}/hwinst.hpp"
     OR NOT location MATCHES "^${{CMAKE_PREFIX_PATH}}/")
    message(FATAL_ERROR "${{target}}: ${{location}}, ${{includes}}")
  endif()
endforeach()
"#
        ),
    )
    .unwrap();
    let mut configure = Command::new("cmake");
    configure
        .arg("-S")
        .arg(&probe)
        .arg("-B")
        .arg(probe.join("build"))
        .arg(format!("-DCMAKE_PREFIX_PATH={}", moved.display()));
    succeed(&mut configure);
}

#[test]
fn show_instance_prints_the_instance() {
    let sim = simulator("show");
    for name in ["show_instance", "show_instance_static"] {
        let output = example(name, &[sim.config.as_os_str(), "roma-1".as_ref()]);
        assert_eq!(
            output.status.code(),
            Some(0),
            "{name}: {}",
            text(&output.stderr)
        );
        let instance = json_of(&output.stdout);
        assert_eq!(instance["id"], "roma-1");
        assert_eq!(instance["instance_status"], 6);
        assert!(output.stderr.is_empty());
    }
    let needed = succeed(
        Command::new("readelf")
            .arg("-d")
            .arg(examples().join("show_instance_static")),
    )
    .stdout;
    assert!(
        !text(&needed).contains("libhwinst"),
        "show_instance_static needs libhwinst.so"
    );
}

#[test]
fn show_instance_reports_an_unknown_instance() {
    let sim = simulator("unknown");
    let output = example(
        "show_instance",
        &[sim.config.as_os_str(), "no-such-instance".as_ref()],
    );
    assert_eq!(output.status.code(), Some(3));
    assert!(output.stdout.is_empty());
    let stderr = text(&output.stderr);
    assert!(stderr.starts_with("error: NOT_FOUND: "), "{stderr}");
    assert!(stderr.contains("  http status: 404\n"), "{stderr}");
    assert!(stderr.contains("  service error: APIC.7302\n"), "{stderr}");
    assert!(stderr.contains("  request id: "), "{stderr}");
    assert!(!stderr.contains("sim-token"), "{stderr}");
}

#[test]
fn a_refused_configuration_exits_2_and_usage_errors_1() {
    let work = &installed().work;
    let config = work.join("refused.config.json");
    std::fs::write(&config, r#"{"regoin":"cn-north-4"}"#).unwrap();
    let output = example("show_instance", &[config.as_os_str(), "roma-1".as_ref()]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = text(&output.stderr);
    assert!(stderr.starts_with("error: CONFIG: "), "{stderr}");
    assert!(stderr.contains("regoin"), "{stderr}");

    let missing = work.join("no-such-file.json");
    for (name, args) in [
        ("show_instance", vec![]),
        ("wait_for_instance", vec![missing.as_os_str()]),
        ("show_instance", vec![missing.as_os_str(), "x".as_ref()]),
    ] {
        let output = example(name, &args);
        assert_eq!(output.status.code(), Some(1), "{name} {args:?}");
        assert!(!output.stderr.is_empty());
    }
}

#[test]
fn wait_for_instance_prints_each_change_then_the_result() {
    let sim = simulator("wait");
    let output = example(
        "wait_for_instance",
        &[
            sim.config.as_os_str(),
            "apig".as_ref(),
            "apig-1".as_ref(),
            r#"{"initial_interval_ms":10,"max_interval_ms":20}"#.as_ref(),
        ],
    );
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    let done = json_of(&output.stdout);
    assert_eq!(
        (done["phase"].as_str(), done["progress"].as_u64()),
        (Some("running"), Some(100))
    );
    let progress: Vec<u64> = stderr
        .lines()
        .enumerate()
        .map(|(i, line)| {
            let change = line
                .strip_prefix(&format!("change {}: ", i + 1))
                .unwrap_or_else(|| panic!("not a change: {line}"));
            json_of(change.as_bytes())["progress"].as_u64().unwrap()
        })
        .collect();
    assert!(progress.len() >= 2, "{stderr}");
    assert!(progress.windows(2).all(|w| w[0] < w[1]), "{stderr}");
    assert_eq!(progress.last(), Some(&100));
}

#[test]
fn wait_for_instance_reports_a_failed_instance() {
    let sim = simulator("failed");
    let output = example(
        "wait_for_instance",
        &[
            sim.config.as_os_str(),
            "clouddc".as_ref(),
            "dc-broken".as_ref(),
        ],
    );
    assert_eq!(output.status.code(), Some(3));
    assert!(output.stdout.is_empty());
    let stderr = text(&output.stderr);
    assert!(stderr.contains("\nerror: INSTANCE_FAILED: "), "{stderr}");
    assert!(
        stderr.contains("  service error: CLOUDDC.1001\n"),
        "{stderr}"
    );
    let last_seen = stderr
        .lines()
        .find_map(|line| line.strip_prefix("  last seen: "))
        .unwrap_or_else(|| panic!("no lifecycle: {stderr}"));
    assert_eq!(json_of(last_seen.as_bytes())["phase"], "failed");
}
