//! `cargo bench`: what a call costs. Plain timing loops (no harness crate), reporting the
//! median and 90th percentile of many runs; results are written down in README.md.
//!
//! - decode: serde decoding of each seed document's example into its model;
//! - build: `ClientBuilder::build` (checks, endpoints, agent);
//! - call: a whole call through one client against a mockito server on loopback, which is
//!   dominated by the mock server's own work: an upper bound on hwinst's overhead.

use hwinst::{
    ApigCreationProgress, Client, ClouddcInstanceStatus, RomaCreationProgress, RomaInstance,
    RomaInstancePage, Service,
};
use serde::de::DeserializeOwned;
use std::hint::black_box;
use std::time::{Duration, Instant};

const PROJECT: &str = "0a1b2c3d4e5f";
const INSTANCE: &str = "b037d389-62a4-464a-8461-c88797ad4f23";

/// Runs `f` `runs` times after a warm-up and prints the median and p90.
fn measure(name: &str, runs: usize, mut f: impl FnMut()) {
    for _ in 0..runs / 10 {
        f();
    }
    let mut times: Vec<Duration> = (0..runs)
        .map(|_| {
            let start = Instant::now();
            f();
            start.elapsed()
        })
        .collect();
    times.sort();
    println!(
        "{name:<48} median {:>10.2?}   p90 {:>10.2?}   ({runs} runs)",
        times[runs / 2],
        times[runs * 9 / 10]
    );
}

fn decode<T: DeserializeOwned>(name: &str, body: &str) {
    measure(
        &format!("decode {name} ({} bytes)", body.len()),
        20_000,
        || {
            black_box(serde_json::from_str::<T>(black_box(body)).unwrap());
        },
    );
}

fn client(url: &str) -> Client {
    Service::ALL
        .into_iter()
        .fold(Client::builder(), |b, s| b.endpoint(s, url))
        .project_id(PROJECT)
        .token("bench-token")
        .build()
        .unwrap()
}

fn main() {
    let progress = include_str!("../tests/fixtures/roma_creation_progress.json");
    let details = include_str!("../tests/fixtures/roma_instance_full.json");
    let page = include_str!("../tests/fixtures/roma_instance_page.json");
    let apig = include_str!("../tests/fixtures/apig_creation_progress.json");
    let clouddc = include_str!("../tests/fixtures/clouddc_instance_status.json");
    decode::<RomaCreationProgress>("ROMA creation progress", progress);
    decode::<RomaInstance>("ROMA instance details", details);
    decode::<RomaInstancePage>("ROMA instance page", page);
    decode::<ApigCreationProgress>("APIG creation progress", apig);
    decode::<ClouddcInstanceStatus>("Cloud DC instance status", clouddc);

    let mut server = mockito::Server::new();
    server
        .mock(
            "GET",
            format!("/v2/{PROJECT}/instances/{INSTANCE}/process").as_str(),
        )
        .with_body(progress)
        .create();
    let url = server.url();
    let pooled = client(&url);
    measure("call ROMA creation progress, pooled client", 2_000, || {
        black_box(pooled.roma_creation_progress(INSTANCE).unwrap());
    });
    measure("build a client", 2_000, || {
        black_box(client(&url));
    });
}
