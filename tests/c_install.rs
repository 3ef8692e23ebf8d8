//! The C library as users get it: `scripts/install.sh` installs the artifacts that this
//! `cargo test` built, the examples in `bindings/c` are compiled against the installed prefix
//! with `pkg-config` (and one linked statically), then run against a mockito server.
//!
//! `HWINST_C_PREFIX=/some/prefix` tests an already-installed prefix (libraries in
//! `<prefix>/lib`) instead of installing into a fresh one. `cc`, `pkg-config` and `readelf`
//! are required: the test fails, never skips, without them.

mod common;

use common::{fixture, install, succeed, PROJECT, TOKEN};
use mockito::{Matcher, Server};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

/// The instance of the `roma_instance_full.json` fixture.
const INSTANCE: &str = "eddc4d25480b4cd6b512f270a1b8b341";

/// An installed prefix and the examples built against it.
struct Built {
    prefix: PathBuf,
    show_instance: PathBuf,
    list_instances: PathBuf,
    wait_for_instance: PathBuf,
    /// `show_instance` linked with `libhwinst.a`.
    show_instance_static: PathBuf,
}

impl Built {
    fn libdir(&self) -> PathBuf {
        self.prefix.join("lib")
    }
}

/// Installs and builds once for all the tests of this file.
fn built() -> &'static Built {
    static BUILT: OnceLock<Built> = OnceLock::new();
    BUILT.get_or_init(|| {
        let work = Path::new(env!("CARGO_TARGET_TMPDIR")).join("c_install");
        if work.exists() {
            std::fs::remove_dir_all(&work).expect("remove the previous c_install directory");
        }
        let bin = work.join("bin");
        std::fs::create_dir_all(&bin).expect("create the c_install directory");
        let prefix = match std::env::var_os("HWINST_C_PREFIX") {
            Some(prefix) => PathBuf::from(prefix),
            None => install(&work),
        };
        let compile = |example: &str, out: &str, link: &[String]| {
            let out = bin.join(out);
            let source =
                Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("bindings/c/{example}.c"));
            let mut cc = Command::new("cc");
            cc.args(["-Wall", "-Wextra", "-Werror", "-pedantic", "-std=c11"])
                .arg(&source)
                .arg("-o")
                .arg(&out)
                .args(link);
            succeed(&mut cc);
            out
        };
        let dynamic = pkg_config(&prefix, &["--cflags", "--libs", "hwinst"]);
        // `-lhwinst` would pick libhwinst.so: name the archive, keep Libs.private's flags.
        let static_link: Vec<String> =
            pkg_config(&prefix, &["--static", "--cflags", "--libs", "hwinst"])
                .into_iter()
                .map(|flag| {
                    if flag == "-lhwinst" {
                        "-l:libhwinst.a".to_string()
                    } else {
                        flag
                    }
                })
                .collect();
        Built {
            show_instance: compile("show_instance", "show_instance", &dynamic),
            list_instances: compile("list_instances", "list_instances", &dynamic),
            wait_for_instance: compile("wait_for_instance", "wait_for_instance", &dynamic),
            show_instance_static: compile("show_instance", "show_instance_static", &static_link),
            prefix,
        }
    })
}

/// `pkg-config ARGS` against the prefix's `hwinst.pc`, split into arguments.
fn pkg_config(prefix: &Path, args: &[&str]) -> Vec<String> {
    let mut pkg_config = Command::new("pkg-config");
    pkg_config
        .env("PKG_CONFIG_PATH", prefix.join("lib/pkgconfig"))
        .args(args);
    let stdout = succeed(&mut pkg_config).stdout;
    String::from_utf8(stdout)
        .expect("pkg-config's output is UTF-8")
        .split_whitespace()
        .map(str::to_string)
        .collect()
}

/// Runs `command`, panics with its output unless it exits 0.
/// A configuration with every endpoint at the mock server.
fn config(server: &Server) -> String {
    let url = server.url();
    json!({
        "region": "cn-north-4",
        "project_id": PROJECT,
        "credentials": {"token": TOKEN},
        "endpoints": {"roma": url, "apig": url, "clouddc": url},
    })
    .to_string()
}

/// Runs an example with the installed library on its load path.
fn run(built: &Built, example: &Path, args: &[&str]) -> Output {
    Command::new(example)
        .args(args)
        .env("LD_LIBRARY_PATH", built.libdir())
        .output()
        .unwrap_or_else(|e| panic!("{}: {e}", example.display()))
}

fn json_of(bytes: &[u8]) -> Value {
    serde_json::from_slice(bytes)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(bytes)))
}

/// Serves the full ROMA instance fixture for `INSTANCE`, once.
fn serve_instance(server: &mut Server) -> mockito::Mock {
    server
        .mock(
            "GET",
            format!("/v2/{PROJECT}/apic/instances/{INSTANCE}").as_str(),
        )
        .match_header("x-auth-token", TOKEN)
        .with_header("content-type", "application/json")
        .with_body(fixture("roma_instance_full.json"))
        .expect(1)
        .create()
}

fn assert_instance(output: &Output) {
    assert_eq!(
        output.status.code(),
        Some(0),
        "stderr: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let instance = json_of(&output.stdout);
    assert_eq!(instance["id"], INSTANCE);
    assert_eq!(instance["instance_status"], 6);
    assert!(output.stderr.is_empty());
}

#[test]
fn the_install_has_the_header_libraries_and_pkg_config_file() {
    let built = built();
    let libdir = built.libdir();
    assert!(built.prefix.join("include/hwinst.h").is_file());
    assert!(libdir.join("libhwinst.a").is_file());
    assert!(libdir.join("pkgconfig/hwinst.pc").is_file());

    // libhwinst.so -> libhwinst.so.<soname suffix> -> libhwinst.so.<version>, a regular file.
    let link = libdir.join("libhwinst.so");
    assert!(link.symlink_metadata().unwrap().file_type().is_symlink());
    let soname = std::fs::read_link(&link).unwrap();
    let soname = soname.to_str().unwrap();
    let version = env!("CARGO_PKG_VERSION");
    let major: u32 = env!("CARGO_PKG_VERSION_MAJOR").parse().unwrap();
    let expected = if major == 0 {
        format!("libhwinst.so.0.{}", env!("CARGO_PKG_VERSION_MINOR"))
    } else {
        format!("libhwinst.so.{major}")
    };
    assert_eq!(soname, expected);
    let real = format!("libhwinst.so.{version}");
    assert_eq!(
        std::fs::read_link(libdir.join(soname)).unwrap().to_str(),
        Some(real.as_str())
    );
    let real = libdir.join(&real);
    assert!(real.symlink_metadata().unwrap().file_type().is_file());

    let dynamic = succeed(Command::new("readelf").arg("-d").arg(&real)).stdout;
    let dynamic = String::from_utf8_lossy(&dynamic);
    assert!(
        dynamic.contains(&format!("Library soname: [{soname}]")),
        "readelf -d {}:\n{dynamic}",
        real.display()
    );
    assert_eq!(
        pkg_config(&built.prefix, &["--modversion", "hwinst"]),
        [version.to_string()]
    );
}

#[test]
fn show_instance_prints_the_instance() {
    let built = built();
    let mut server = Server::new();
    let mock = serve_instance(&mut server);
    assert_instance(&run(
        built,
        &built.show_instance,
        &[&config(&server), INSTANCE],
    ));
    mock.assert();
}

#[test]
fn show_instance_linked_statically_needs_no_libhwinst_so() {
    let built = built();
    let needed = succeed(
        Command::new("readelf")
            .arg("-d")
            .arg(&built.show_instance_static),
    )
    .stdout;
    assert!(
        !String::from_utf8_lossy(&needed).contains("libhwinst"),
        "the static example still needs libhwinst.so"
    );
    let mut server = Server::new();
    let mock = serve_instance(&mut server);
    let output = Command::new(&built.show_instance_static)
        .args([&config(&server), INSTANCE])
        .env_remove("LD_LIBRARY_PATH")
        .output()
        .expect("run the static example");
    assert_instance(&output);
    mock.assert();
}

#[test]
fn show_instance_reports_an_unknown_instance_on_stderr() {
    let built = built();
    let mut server = Server::new();
    let mock = server
        .mock(
            "GET",
            format!("/v2/{PROJECT}/apic/instances/no-such-instance").as_str(),
        )
        .with_status(404)
        .with_header("content-type", "application/json")
        .with_body(
            json!({
                "error_code": "ROMA.00110002",
                "error_msg": "The instance does not exist",
                "request_id": "c0ffee00-0000-4000-8000-000000000404",
            })
            .to_string(),
        )
        .create();
    let output = run(
        built,
        &built.show_instance,
        &[&config(&server), "no-such-instance"],
    );
    assert_eq!(output.status.code(), Some(3));
    assert!(output.stdout.is_empty());
    let error = json_of(&output.stderr);
    assert_eq!(error["code"], "NOT_FOUND");
    assert_eq!(error["http_status"], 404);
    assert_eq!(error["error_code"], "ROMA.00110002");
    assert_eq!(error["error_msg"], "The instance does not exist");
    assert_eq!(error["request_id"], "c0ffee00-0000-4000-8000-000000000404");
    assert_eq!(error["retryable"], false);
    assert!(!String::from_utf8_lossy(&output.stderr).contains(TOKEN));
    mock.assert();
}

#[test]
fn a_refused_configuration_exits_2_with_the_error_document() {
    let built = built();
    let output = run(
        built,
        &built.show_instance,
        &[r#"{"regoin":"cn-north-4"}"#, INSTANCE],
    );
    assert_eq!(output.status.code(), Some(2));
    let error = json_of(&output.stderr);
    assert_eq!(error["code"], "CONFIG");
    assert!(
        error["message"].as_str().unwrap().contains("regoin"),
        "{error}"
    );
}

#[test]
fn usage_errors_exit_1() {
    let built = built();
    for (example, args) in [
        (&built.show_instance, &[][..]),
        (&built.show_instance, &["{}"][..]),
        (&built.list_instances, &[][..]),
        (&built.list_instances, &["{}", "{}", "extra"][..]),
        (&built.wait_for_instance, &["{}", "apig"][..]),
    ] {
        let output = run(built, example, args);
        assert_eq!(
            output.status.code(),
            Some(1),
            "{} {args:?}",
            example.display()
        );
        assert!(String::from_utf8_lossy(&output.stderr).contains("usage:"));
    }
}

#[test]
fn list_instances_prints_the_first_page() {
    let built = built();
    let mut server = Server::new();
    // No query at all: the exact path matches only a request without one.
    let mock = server
        .mock("GET", format!("/v2/{PROJECT}/instances").as_str())
        .match_header("x-auth-token", TOKEN)
        .with_header("content-type", "application/json")
        .with_body(fixture("roma_instance_page.json"))
        .expect(1)
        .create();
    let output = run(built, &built.list_instances, &[&config(&server)]);
    assert_eq!(
        output.status.code(),
        Some(0),
        "stderr: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let page = json_of(&output.stdout);
    assert_eq!(page["total"], 1);
    assert_eq!(
        page["instances"][0]["id"],
        "e34610ca-0a37-4f04-8856-4101b08cc5e2"
    );
    mock.assert();
}

#[test]
fn list_instances_sends_the_query() {
    let built = built();
    let mut server = Server::new();
    let mock = server
        .mock("GET", format!("/v2/{PROJECT}/instances").as_str())
        .match_query(Matcher::AllOf(vec![
            Matcher::UrlEncoded("status".into(), "RUNNING".into()),
            Matcher::UrlEncoded("offset".into(), "0".into()),
            Matcher::UrlEncoded("limit".into(), "10".into()),
        ]))
        .with_header("content-type", "application/json")
        .with_body(fixture("roma_instance_page.json"))
        .expect(1)
        .create();
    let query = r#"{"status":"RUNNING","offset":0,"limit":10}"#;
    let output = run(built, &built.list_instances, &[&config(&server), query]);
    assert_eq!(
        output.status.code(),
        Some(0),
        "stderr: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(json_of(&output.stdout)["size"], 1);
    mock.assert();

    let output = run(
        built,
        &built.list_instances,
        &[&config(&server), r#"{"state":"RUNNING"}"#],
    );
    assert_eq!(output.status.code(), Some(3));
    assert_eq!(json_of(&output.stderr)["code"], "INVALID_ARGUMENT");
}

#[test]
fn wait_for_instance_prints_each_change_then_the_result() {
    let built = built();
    let mut server = Server::new();
    let path = format!("/v2/{PROJECT}/apigw/instances/{INSTANCE}/progress");
    let mocks: Vec<_> = [
        r#"{"progress":30,"status":"creating"}"#,
        r#"{"progress":30,"status":"creating"}"#,
        r#"{"progress":80,"status":"creating"}"#,
        r#"{"progress":100,"status":"success"}"#,
    ]
    .into_iter()
    .map(|body| {
        server
            .mock("GET", path.as_str())
            .with_body(body)
            .expect(1)
            .create()
    })
    .collect();
    let options = r#"{"initial_interval_ms":1,"max_interval_ms":5}"#;
    let output = run(
        built,
        &built.wait_for_instance,
        &[&config(&server), "apig", INSTANCE, options],
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "stderr: {stderr}");
    let done = json_of(&output.stdout);
    assert_eq!(
        (done["phase"].as_str(), done["progress"].as_u64()),
        (Some("running"), Some(100))
    );
    let changes: Vec<Value> = stderr
        .lines()
        .map(|l| serde_json::from_str(l.split_once(": ").unwrap().1).unwrap())
        .collect();
    let progress: Vec<u64> = changes
        .iter()
        .map(|c| c["progress"].as_u64().unwrap())
        .collect();
    assert_eq!(progress, [30, 80, 100]);
    for mock in mocks {
        mock.assert();
    }
}

#[test]
fn wait_for_instance_reports_a_failed_instance() {
    let built = built();
    let mut server = Server::new();
    let mock = server
        .mock("GET", format!("/v1/{PROJECT}/instances/{INSTANCE}/status").as_str())
        .with_body(r#"{"state":"error","error":{"error_code":"CLOUDDC.0500","error_msg":"provision failed"}}"#)
        .expect(1)
        .create();
    let output = run(
        built,
        &built.wait_for_instance,
        &[&config(&server), "clouddc", INSTANCE],
    );
    assert_eq!(output.status.code(), Some(3));
    assert!(output.stdout.is_empty());
    let last_line = String::from_utf8_lossy(&output.stderr)
        .lines()
        .last()
        .unwrap()
        .to_owned();
    let error: Value = serde_json::from_str(&last_line).unwrap();
    assert_eq!(error["code"], "INSTANCE_FAILED");
    assert_eq!(error["error_code"], "CLOUDDC.0500");
    assert_eq!(error["lifecycle"]["phase"], "failed");
    mock.assert();
}
