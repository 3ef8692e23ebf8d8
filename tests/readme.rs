//! The README's quick starts, built and run as written against `hwinst sim serve`, so that a
//! snippet cannot rot.
//!
//! The README marks each block this test uses with an HTML comment on the line before its
//! fence (invisible on a rendered page):
//!
//! - `<!-- readme-test: file NAME -->`: the block is the file NAME of the quick start's
//!   directory (`scenario.json`, `quickstart.c`, `CMakeLists.txt`, `main.cpp`);
//! - `<!-- readme-test: rust -->`, `go`, `python`: the program of that language, built against
//!   this test run's library (Rust: `rustc` with this run's `libhwinst.rlib`; Go: the binding
//!   in `bindings/go` with this run's `libhwinst.a`; Python: `bindings/python/src` with this
//!   run's `libhwinst.so`);
//! - `<!-- readme-test: run LANGUAGE -->`: shell commands that build and run it, run by bash
//!   as written, with `PKG_CONFIG_PATH`, `CMAKE_PREFIX_PATH` and `LD_LIBRARY_PATH` naming a
//!   prefix that `scripts/install.sh` filled from this run, and the `hwinst` binary of this
//!   run first on `PATH` (what the README's Install section sets up); `CMAKE_GENERATOR` is
//!   Ninja, the build tool the tests' system packages include.
//!
//! Every test starts its own simulator from the README's scenario, in a directory of its own,
//! with `--write-config sim.json` as the README says, and checks the program's exit status and
//! output. `cc`, `pkg-config`, `cmake`, nlohmann/json, `go` and `python3` are required: a
//! missing one fails its test, never skips it.

#![cfg(feature = "cli")]

mod common;

use common::{built_library_dir, install, succeed, NATIVE_STATIC_LIBS};
use serde_json::Value;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};

const MARKER: &str = "<!-- readme-test: ";

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// A README block marked for this test: its marker's words and its text.
struct Block {
    marker: String,
    info: String,
    text: String,
}

/// Every marked block of the README, in order. A marker not followed by a fence, or a fence
/// not closed, fails the test.
fn blocks() -> Vec<Block> {
    let readme = std::fs::read_to_string(repo().join("README.md")).expect("read README.md");
    let mut lines = readme.lines().enumerate();
    let mut found = Vec::new();
    while let Some((number, line)) = lines.next() {
        let Some(rest) = line.strip_prefix(MARKER) else {
            continue;
        };
        let marker = rest
            .strip_suffix(" -->")
            .unwrap_or_else(|| panic!("README.md:{}: a marker ends with ` -->`", number + 1))
            .trim()
            .to_owned();
        let (_, fence) = lines.next().expect("a fence after the marker");
        let info = fence.strip_prefix("```").unwrap_or_else(|| {
            panic!(
                "README.md:{}: the line after a marker must open a fenced block",
                number + 2
            )
        });
        let mut text = String::new();
        loop {
            let (_, line) = lines
                .next()
                .unwrap_or_else(|| panic!("README.md:{}: the block is not closed", number + 2));
            if line == "```" {
                break;
            }
            text.push_str(line);
            text.push('\n');
        }
        found.push(Block {
            marker,
            info: info.to_owned(),
            text,
        });
    }
    found
}

/// The one block marked `marker`.
fn block(marker: &str) -> String {
    let mut matching = blocks().into_iter().filter(|b| b.marker == marker);
    let block = matching
        .next()
        .unwrap_or_else(|| panic!("README.md has no block marked `{MARKER}{marker} -->`"));
    assert!(
        matching.next().is_none(),
        "README.md has two blocks marked `{marker}`"
    );
    block.text
}

/// A fresh directory for one quick start, holding the README's scenario.
fn workdir(name: &str) -> PathBuf {
    let work = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("readme")
        .join(name);
    if work.exists() {
        std::fs::remove_dir_all(&work).expect("remove the previous quick start directory");
    }
    std::fs::create_dir_all(&work).expect("create the quick start directory");
    write(&work, "scenario.json", &block("file scenario.json"));
    work
}

fn write(dir: &Path, name: &str, text: &str) {
    std::fs::write(dir.join(name), text).unwrap_or_else(|e| panic!("write {name}: {e}"));
}

/// `hwinst sim serve --scenario scenario.json --write-config sim.json` in `dir`, as the README
/// starts it; stopped (stdin closed, then killed if need be) when dropped.
struct Sim {
    child: Child,
}

impl Sim {
    fn start(dir: &Path) -> Sim {
        let mut child = Command::new(env!("CARGO_BIN_EXE_hwinst"))
            .args([
                "sim",
                "serve",
                "--scenario",
                "scenario.json",
                "--write-config",
                "sim.json",
            ])
            .current_dir(dir)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start hwinst sim serve");
        // The URL comes once it serves (and sim.json is written before it).
        let mut url = String::new();
        BufReader::new(child.stdout.take().expect("piped stdout"))
            .read_line(&mut url)
            .expect("read the simulator's URL");
        assert!(
            url.starts_with("http://127.0.0.1:"),
            "hwinst sim serve printed {url:?}"
        );
        assert!(dir.join("sim.json").is_file(), "sim.json was not written");
        Sim { child }
    }
}

impl Drop for Sim {
    fn drop(&mut self) {
        drop(self.child.stdin.take());
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Runs `command` in `dir` and checks it succeeded (its output shown otherwise).
fn run_in(dir: &Path, mut command: Command) -> Output {
    command.current_dir(dir);
    succeed(&mut command)
}

/// The README's shell block `run {language}`, run by bash in `dir` with `prefix` installed
/// (pkg-config, CMake, the loader) and this run's `hwinst` first on `PATH`: the build
/// commands, then the last line, the program, whose output is returned.
fn run_block(dir: &Path, language: &str, prefix: Option<&Path>) -> String {
    let script = block(&format!("run {language}"));
    let (build, program) = match script.trim_end().rsplit_once('\n') {
        Some((build, program)) => (Some(build), program),
        None => (None, script.trim_end()),
    };
    if let Some(build) = build {
        run_in(dir, bash(build, prefix));
    }
    stdout(&run_in(dir, bash(program, prefix)))
}

/// `bash -c script`, in the environment [`run_block`] describes.
fn bash(script: &str, prefix: Option<&Path>) -> Command {
    let mut bash = Command::new("bash");
    bash.args(["-euo", "pipefail", "-c", script]);
    let hwinst_dir = Path::new(env!("CARGO_BIN_EXE_hwinst"))
        .parent()
        .expect("the binary's directory");
    let path = std::env::var_os("PATH").unwrap_or_default();
    let mut paths = vec![hwinst_dir.to_path_buf()];
    paths.extend(std::env::split_paths(&path));
    bash.env("PATH", std::env::join_paths(paths).expect("PATH"));
    if let Some(prefix) = prefix {
        bash.env("PKG_CONFIG_PATH", prefix.join("lib/pkgconfig"))
            .env("CMAKE_PREFIX_PATH", prefix)
            // The build tool scripts/system-deps installs (CMake's default, make, may be
            // missing on a fresh machine); the README's commands leave the choice to CMake.
            .env("CMAKE_GENERATOR", "Ninja")
            .env("LD_LIBRARY_PATH", prefix.join("lib"));
    }
    bash
}

fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).expect("UTF-8 output")
}

/// What the Rust, Go and Python quick starts print: a change line or more for gw-1, then
/// both instances running.
fn check_plain(output: &str) {
    let lines: Vec<&str> = output.lines().collect();
    assert!(
        lines.first().is_some_and(|l| l.starts_with("apig gw-1: ")),
        "the first line is gw-1's first lifecycle:\n{output}"
    );
    assert!(
        lines.contains(&"apig gw-1: running"),
        "the callback saw gw-1 running:\n{output}"
    );
    let tail = &lines[lines.len().saturating_sub(2)..];
    assert_eq!(
        tail,
        ["gw-1 is running", "dc-1 is running"],
        "the output ends with both instances running:\n{output}"
    );
}

/// What the C and C++ quick starts print: lifecycle documents, the first ones gw-1's changes,
/// then `gw-1: {final}` and `dc-1: {lifecycle}`, both running.
fn check_documents(output: &str) {
    let phase = |line: &str, prefix: &str| -> (String, String) {
        let document: Value = serde_json::from_str(line.strip_prefix(prefix).unwrap_or(line))
            .unwrap_or_else(|e| panic!("not a lifecycle document ({e}): {line}"));
        (
            document["instance_id"]
                .as_str()
                .unwrap_or_default()
                .to_owned(),
            document["phase"].as_str().unwrap_or_default().to_owned(),
        )
    };
    let lines: Vec<&str> = output.lines().collect();
    assert!(lines.len() >= 3, "a change, then two results:\n{output}");
    let (changes, results) = lines.split_at(lines.len() - 2);
    for change in changes {
        assert_eq!(phase(change, "").0, "gw-1", "a change of gw-1:\n{output}");
    }
    assert!(
        results[0].starts_with("gw-1: ") && results[1].starts_with("dc-1: "),
        "{output}"
    );
    assert_eq!(
        phase(results[0], "gw-1: "),
        ("gw-1".into(), "running".into())
    );
    assert_eq!(
        phase(results[1], "dc-1: "),
        ("dc-1".into(), "running".into())
    );
}

#[test]
fn every_program_block_of_the_quick_start_is_marked_for_this_test() {
    let readme = std::fs::read_to_string(repo().join("README.md")).expect("read README.md");
    let start = readme
        .find("\n## Quick start\n")
        .expect("a Quick start section");
    let end = readme[start + 1..]
        .find("\n## ")
        .map_or(readme.len(), |i| start + 1 + i);
    let section = &readme[start..end];
    let mut previous = "";
    let mut unmarked = Vec::new();
    let mut inside = false;
    for line in section.lines() {
        if let Some(info) = line.strip_prefix("```") {
            if !inside && !info.is_empty() && !previous.starts_with(MARKER) {
                unmarked.push(line.to_owned());
            }
            inside = !inside;
        }
        previous = line;
    }
    // The one unmarked block: the command that starts the simulator, which every test runs.
    assert_eq!(
        unmarked,
        ["```sh"],
        "every block but the simulator's command is tested"
    );
    let markers: Vec<String> = blocks().into_iter().map(|b| b.marker).collect();
    for expected in [
        "file scenario.json",
        "rust",
        "file quickstart.c",
        "run c",
        "file CMakeLists.txt",
        "file main.cpp",
        "run cpp",
        "go",
        "python",
        "run cli",
    ] {
        assert!(
            markers.iter().any(|m| m == expected),
            "no block marked `{expected}`"
        );
    }
}

#[test]
fn the_simulator_command_is_the_one_these_tests_run() {
    let readme = std::fs::read_to_string(repo().join("README.md")).expect("read README.md");
    assert!(
        readme.contains(
            "hwinst sim serve --scenario scenario.json --write-config sim.json   # Ctrl-D stops it\n"
        ),
        "the README starts the simulator as Sim::start does"
    );
}

#[test]
fn the_rust_quick_start_runs() {
    let blocks = blocks();
    let rust = blocks
        .iter()
        .find(|b| b.marker == "rust")
        .expect("a rust block");
    // src/lib.rs compiles the README's Rust blocks as doctests; never hidden lines here.
    assert_eq!(rust.info, "rust,no_run");
    assert!(
        !rust.text.lines().any(|l| l.trim_start().starts_with("# ")),
        "no rustdoc hidden line shows on the page"
    );
    let work = workdir("rust");
    write(&work, "main.rs", &rust.text);
    let deps = built_library_dir();
    let mut dependency = std::ffi::OsString::from("dependency=");
    dependency.push(&deps);
    let mut extern_hwinst = std::ffi::OsString::from("hwinst=");
    extern_hwinst.push(deps.join("libhwinst.rlib"));
    let mut rustc = Command::new(std::env::var_os("RUSTC").unwrap_or_else(|| "rustc".into()));
    rustc
        .args(["--edition", "2021", "--crate-type", "bin", "-D", "warnings"])
        .args(["main.rs", "-o", "quickstart", "-L"])
        .arg(dependency)
        .arg("--extern")
        .arg(extern_hwinst);
    run_in(&work, rustc);

    let _sim = Sim::start(&work);
    let output = run_in(&work, Command::new(work.join("quickstart")));
    check_plain(&stdout(&output));
}

#[test]
fn the_c_quick_start_builds_and_runs_as_written() {
    let work = workdir("c");
    write(&work, "quickstart.c", &block("file quickstart.c"));
    let prefix = install(&work.join("install"));
    let _sim = Sim::start(&work);
    check_documents(&run_block(&work, "c", Some(&prefix)));
}

#[test]
fn the_cpp_quick_start_builds_and_runs_as_written() {
    let work = workdir("cpp");
    write(&work, "CMakeLists.txt", &block("file CMakeLists.txt"));
    write(&work, "main.cpp", &block("file main.cpp"));
    let prefix = install(&work.join("install"));
    let _sim = Sim::start(&work);
    check_documents(&run_block(&work, "cpp", Some(&prefix)));
}

#[test]
fn the_go_quick_start_runs() {
    let work = workdir("go");
    write(&work, "main.go", &block("go"));
    // A module that takes the binding from this checkout, as `go mod edit -replace` would.
    write(
        &work,
        "go.mod",
        &format!(
            "module quickstart\n\ngo 1.22\n\nrequire github.com/hwinst/hwinst/bindings/go v0.0.0\n\n\
             replace github.com/hwinst/hwinst/bindings/go => {}\n",
            repo().join("bindings/go").display()
        ),
    );
    let archive = built_library_dir().join("libhwinst.a");
    let go = |args: &[&str]| {
        let mut command = Command::new("go");
        command
            .args(args)
            .env("GOTOOLCHAIN", "local")
            .env("CGO_ENABLED", "1")
            .env(
                "CGO_CFLAGS",
                format!("-I{}", repo().join("include").display()),
            )
            .env(
                "CGO_LDFLAGS",
                format!("{} {}", archive.display(), NATIVE_STATIC_LIBS.join(" ")),
            );
        if std::env::var_os("HOME").is_none() && std::env::var_os("GOCACHE").is_none() {
            command.env("GOCACHE", work.join("go-cache"));
        }
        command
    };
    run_in(&work, go(&["vet", "-tags", "hwinst_custom", "."]));
    run_in(
        &work,
        go(&["build", "-tags", "hwinst_custom", "-o", "quickstart", "."]),
    );
    let _sim = Sim::start(&work);
    let output = run_in(&work, Command::new(work.join("quickstart")));
    check_plain(&stdout(&output));
}

#[test]
fn the_python_quick_start_runs() {
    let work = workdir("python");
    write(&work, "quickstart.py", &block("python"));
    let _sim = Sim::start(&work);
    let mut python = Command::new("python3");
    python
        .arg("quickstart.py")
        .env("PYTHONPATH", repo().join("bindings/python/src"))
        .env("HWINST_LIB", built_library_dir().join("libhwinst.so"));
    let output = run_in(&work, python);
    check_plain(&stdout(&output));
}

#[test]
fn the_command_line_quick_start_runs_as_written() {
    let work = workdir("cli");
    let _sim = Sim::start(&work);
    // The first two commands must succeed; the last one's output is checked.
    let output = run_block(&work, "cli", None);
    assert!(
        output.contains("instance:  gw-1\n") && output.contains("phase:     running\n"),
        "{output}"
    );
}
