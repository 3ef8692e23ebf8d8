//! One version everywhere: Cargo.toml's, which every other place takes. Each place is read as
//! its user meets it (the installed pkg-config file, the installed CMake package, the SONAME
//! of the installed library, the committed header, the Go constant, `hwinst --version`,
//! `hwinst_version()`), or, where the version is computed at build time (Python's, from the
//! package metadata), checked to be not written down a second time. `scripts/dist --check`
//! does the same with the release artifacts.

use crate::common::install;
use std::ffi::CStr;
use std::path::{Path, PathBuf};
use std::process::Command;

const VERSION: &str = env!("CARGO_PKG_VERSION");

fn repo(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(path)
}

fn read(path: &str) -> String {
    std::fs::read_to_string(repo(path)).unwrap_or_else(|e| panic!("cannot read {path}: {e}"))
}

/// The value of `#define NAME value` in `header`.
fn define<'a>(header: &'a str, name: &str) -> &'a str {
    header
        .lines()
        .find_map(|line| {
            let rest = line.strip_prefix("#define ")?.strip_prefix(name)?;
            rest.starts_with(' ').then(|| rest.trim())
        })
        .unwrap_or_else(|| panic!("include/hwinst.h defines no {name}"))
}

fn semver() -> (&'static str, &'static str, &'static str) {
    (
        env!("CARGO_PKG_VERSION_MAJOR"),
        env!("CARGO_PKG_VERSION_MINOR"),
        env!("CARGO_PKG_VERSION_PATCH"),
    )
}

#[test]
fn scripts_version_reads_cargo_toml() {
    let output = Command::new("bash")
        .arg(repo("scripts/version"))
        .output()
        .expect("run scripts/version");
    assert!(
        output.status.success(),
        "scripts/version failed: {output:?}"
    );
    assert_eq!(String::from_utf8_lossy(&output.stdout).trim(), VERSION);
}

#[test]
fn header_macros_are_the_crate_version() {
    let header = read("include/hwinst.h");
    let (major, minor, patch) = semver();
    assert_eq!(
        define(&header, "HWINST_VERSION_MAJOR"),
        major,
        "run scripts/header"
    );
    assert_eq!(
        define(&header, "HWINST_VERSION_MINOR"),
        minor,
        "run scripts/header"
    );
    assert_eq!(
        define(&header, "HWINST_VERSION_PATCH"),
        patch,
        "run scripts/header"
    );
    assert_eq!(
        define(&header, "HWINST_VERSION"),
        format!("\"{VERSION}\""),
        "run scripts/header"
    );
}

#[test]
fn hwinst_version_is_the_crate_version() {
    // SAFETY: a static NUL-terminated string.
    let version = unsafe { CStr::from_ptr(hwinst::ffi::hwinst_version()) };
    assert_eq!(version.to_str(), Ok(VERSION));
}

#[test]
fn command_line_version_is_the_crate_version() {
    let output = Command::new(env!("CARGO_BIN_EXE_hwinst"))
        .arg("--version")
        .output()
        .expect("run hwinst --version");
    assert!(output.status.success());
    assert_eq!(
        String::from_utf8_lossy(&output.stdout).trim(),
        format!("hwinst {VERSION}")
    );
}

#[test]
fn go_module_version_is_the_crate_version() {
    let source = read("bindings/go/version.go");
    let constant = source
        .lines()
        .find_map(|line| line.strip_prefix("const ModuleVersion = "))
        .expect("bindings/go/version.go declares ModuleVersion");
    assert_eq!(constant, format!("\"{VERSION}\""));
}

#[test]
fn python_version_is_not_written_down_again() {
    // pyproject.toml leaves the version to setup.py, which reads Cargo.toml; __version__ is
    // the installed distribution's.
    let pyproject = read("bindings/python/pyproject.toml");
    assert!(
        pyproject.contains("dynamic = [\"version\"]"),
        "pyproject.toml's version must be dynamic (setup.py reads Cargo.toml)"
    );
    assert!(
        !pyproject.lines().any(|line| line.starts_with("version")),
        "pyproject.toml writes a version of its own"
    );
    let init = read("bindings/python/src/hwinst/__init__.py");
    assert!(
        init.contains("__version__ = _metadata.version(\"hwinst\")"),
        "hwinst.__version__ must come from the package metadata"
    );
    let setup = read("bindings/python/setup.py");
    assert!(setup.contains("version=crate_version()"));
}

#[test]
fn installed_pkg_config_cmake_and_soname_carry_the_crate_version() {
    let work = Path::new(env!("CARGO_TARGET_TMPDIR")).join("version");
    if work.exists() {
        std::fs::remove_dir_all(&work).expect("remove the previous version directory");
    }
    std::fs::create_dir_all(&work).expect("create the version directory");
    let prefix = install(&work);
    let lib = prefix.join("lib");

    let pc = std::fs::read_to_string(lib.join("pkgconfig/hwinst.pc")).expect("hwinst.pc");
    assert!(
        pc.lines().any(|line| line == format!("Version: {VERSION}")),
        "hwinst.pc:\n{pc}"
    );
    let cmake = std::fs::read_to_string(lib.join("cmake/hwinst/hwinstConfigVersion.cmake"))
        .expect("hwinstConfigVersion.cmake");
    assert!(
        cmake.contains(&format!("set(PACKAGE_VERSION \"{VERSION}\")")),
        "hwinstConfigVersion.cmake:\n{cmake}"
    );

    let real = lib.join(format!("libhwinst.so.{VERSION}"));
    let output = Command::new("readelf")
        .arg("-d")
        .arg(&real)
        .output()
        .expect("run readelf (binutils)");
    let dynamic = String::from_utf8_lossy(&output.stdout);
    let (major, minor, _) = semver();
    let soname = if major == "0" {
        format!("libhwinst.so.0.{minor}")
    } else {
        format!("libhwinst.so.{major}")
    };
    assert!(
        dynamic.contains(&format!("Library soname: [{soname}]")),
        "{}: no SONAME {soname}:\n{dynamic}",
        real.display()
    );
}
