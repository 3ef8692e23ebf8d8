//! The pure-Rust integration tests, in one test binary: each file is a module here, so the
//! library, hyper and tokio are linked once rather than once per file.
//!
//! Kept apart, each in a binary of its own: what changes the whole process (`env.rs` and
//! `proxy.rs` set environment variables, `fleet_threads.rs` counts the process's threads,
//! `panic_boundary.rs` arms the C boundary's panic hooks), the C ABI and install runners
//! (`c_abi.rs`, `c_install.rs`) and the bindings' runners (`bindings_cpp.rs`,
//! `bindings_go.rs`), and `layers.rs`, which reads the source rather than calling it.

#[path = "../common/mod.rs"]
mod common;

mod ca_file;
mod chaos;
mod cli;
mod concurrency;
mod credential_chain;
mod errors;
mod fleet;
mod hostile;
mod iam;
mod lifecycle;
mod logs;
mod model_decode;
mod models;
mod oidc;
mod pages;
mod retry;
mod secrets;
mod signing;
mod sim;
mod sim_credentials;
mod temporary_credentials;
mod transport;
mod version;
mod wait;
