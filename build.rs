//! Generates the C header from `src/ffi` with cbindgen.
//!
//! The header is always written to `$OUT_DIR/hwinst.h`. It is copied to `include/hwinst.h`
//! (committed) only in the project's own checkouts (a `.git` next to `Cargo.toml`) or when
//! `HWINST_UPDATE_HEADER=1`: a build script must not modify the source tree of a packaged
//! crate (`cargo package` verifies that it does not). CI compares the two.

use std::path::{Path, PathBuf};

fn main() {
    println!("cargo:rerun-if-changed=src/ffi");
    println!("cargo:rerun-if-changed=cbindgen.toml");
    println!("cargo:rerun-if-env-changed=HWINST_UPDATE_HEADER");

    // A versioned SONAME, so that programs linked against libhwinst.so keep loading the
    // ABI they were built for: libhwinst.so.<major>, or .so.0.<minor> before 1.0.
    let major: u32 = env("CARGO_PKG_VERSION_MAJOR").parse().unwrap_or(0);
    let minor = env("CARGO_PKG_VERSION_MINOR");
    let soname = if major == 0 {
        format!("libhwinst.so.0.{minor}")
    } else {
        format!("libhwinst.so.{major}")
    };
    if env("CARGO_CFG_TARGET_OS") == "linux" {
        println!("cargo:rustc-cdylib-link-arg=-Wl,-soname,{soname}");
    }

    let crate_dir = PathBuf::from(env("CARGO_MANIFEST_DIR"));
    let generated = PathBuf::from(env("OUT_DIR")).join("hwinst.h");
    let config = cbindgen::Config::from_file(crate_dir.join("cbindgen.toml"))
        .unwrap_or_else(|e| panic!("cbindgen.toml: {e}"));
    // Only src/ffi is parsed: the rest of the crate (models, the simulator) is Rust-only, and
    // cbindgen would otherwise export its public enums whatever the enabled features.
    cbindgen::Builder::new()
        .with_src(crate_dir.join("src/ffi/mod.rs"))
        .with_config(config)
        .generate()
        .unwrap_or_else(|e| panic!("cbindgen could not generate the header: {e}"))
        .write_to_file(&generated);

    let asked = std::env::var("HWINST_UPDATE_HEADER").is_ok_and(|v| v == "1");
    if asked || crate_dir.join(".git").exists() {
        copy_if_changed(&generated, &crate_dir.join("include/hwinst.h"));
    }
}

fn env(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| panic!("cargo did not set {name}"))
}

/// Rewrites `to` only when its content differs, so that an unchanged header keeps its
/// timestamp and does not rebuild the C programs that include it.
fn copy_if_changed(from: &Path, to: &Path) {
    let fresh = std::fs::read(from).expect("the generated header");
    if std::fs::read(to).ok().as_ref() != Some(&fresh) {
        std::fs::create_dir_all(to.parent().expect("include/")).expect("include/");
        std::fs::write(to, fresh).unwrap_or_else(|e| panic!("{}: {e}", to.display()));
    }
}
