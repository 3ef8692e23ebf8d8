//! `cargo bench`: what a call costs. Plain timing loops (no harness crate), reporting the
//! median and 90th percentile of many runs; results are written down in docs/performance.md.
//!
//! - decode: serde decoding of each seed document's example into its model;
//! - build: `ClientBuilder::build` (checks, endpoints, agent);
//! - encode: serialising each model back to the JSON result document the C ABI returns;
//! - build: `ClientBuilder::build` (checks, endpoints, agent), and `hwinst_client_new` from a
//!   configuration document;
//! - lifecycle: mapping each model onto its lifecycle, and the lifecycle document a wait's
//!   callback receives;
//! - paging: every instance of a 1000-instance list, 10 pages, against mockito;
//! - call: a whole call (token, or AK/SK-signed) through one client against a mockito server on loopback, from Rust
//!   and through the C ABI; both are dominated by the mock server's own work: an upper bound
//!   on hwinst's overhead;
//! - simulator (with `--features sim`): the same call against the simulator with a token and
//!   AK/SK-signed (the simulator verifies the signature), and paging through 3000 simulated
//!   instances.

use hwinst::ffi;
use hwinst::{
    ApigCreationProgress, Client, ClouddcInstanceStatus, Lifecycle, RomaCreationProgress,
    RomaInstance, RomaInstancePage, RomaListQuery, Service,
};
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::ffi::{c_char, CString};
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
        "{name:<50} median {:>10.2?}   p90 {:>10.2?}   ({runs} runs)",
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

/// Decodes `body` once, then measures writing the model as its JSON result document.
fn encode<T: DeserializeOwned + Serialize>(name: &str, body: &str) {
    let model: T = serde_json::from_str(body).unwrap();
    measure(
        &format!("encode {name} (C result document)"),
        20_000,
        || {
            black_box(serde_json::to_string(black_box(&model)).unwrap());
        },
    );
}

fn config_json(url: &str) -> CString {
    CString::new(format!(
        r#"{{"project_id":"{PROJECT}","credentials":{{"token":"bench-token"}},
            "endpoints":{{"roma":"{url}","apig":"{url}","clouddc":"{url}"}}}}"#
    ))
    .unwrap()
}

/// A client made through the C ABI; the caller frees it with `hwinst_client_free`.
fn c_client(config: &CString) -> *mut ffi::hwinst_client {
    let mut client = std::ptr::null_mut();
    // SAFETY: a valid string and out-pointers; no error document is asked for.
    let code =
        unsafe { ffi::hwinst_client_new(config.as_ptr(), &mut client, std::ptr::null_mut()) };
    assert_eq!(code, ffi::hwinst_code::OK);
    client
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
    encode::<RomaCreationProgress>("ROMA creation progress", progress);
    encode::<RomaInstance>("ROMA instance details", details);
    encode::<RomaInstancePage>("ROMA instance page", page);

    lifecycles(progress, details, apig, clouddc);

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
    let signing = Service::ALL
        .into_iter()
        .fold(Client::builder(), |b, s| b.endpoint(s, &url))
        .project_id(PROJECT)
        .ak_sk("BENCHAK", "bench-secret-key")
        .build()
        .unwrap();
    measure("the same call, AK/SK-signed", 2_000, || {
        black_box(signing.roma_creation_progress(INSTANCE).unwrap());
    });
    let config = config_json(&url);
    let c = c_client(&config);
    let id = CString::new(INSTANCE).unwrap();
    measure(
        "call ROMA creation progress, through the C ABI",
        2_000,
        || {
            let mut json: *mut c_char = std::ptr::null_mut();
            // SAFETY: a live client, a valid string and out-pointer; the document is freed.
            unsafe {
                let code = ffi::hwinst_roma_creation_progress(c, id.as_ptr(), &mut json);
                assert_eq!(code, ffi::hwinst_code::OK);
                ffi::hwinst_string_free(json);
            }
        },
    );
    // SAFETY: made above, freed once.
    unsafe { ffi::hwinst_client_free(c) };
    paging(&mut server, &pooled);
    measure("build a client", 2_000, || {
        black_box(client(&url));
    });
    measure(
        "hwinst_client_new from a configuration document",
        2_000,
        || {
            // SAFETY: made here, freed once.
            unsafe { ffi::hwinst_client_free(c_client(&config)) };
        },
    );
    #[cfg(feature = "sim")]
    simulator();
}

/// Calls against the simulator: what a test or a demo pays per request.
#[cfg(feature = "sim")]
fn simulator() {
    use hwinst::sim::{InstanceSpec, Outcome, Scenario, Simulator};
    let sim = Simulator::start(Scenario::default().generate(Service::Roma, 3000)).unwrap();
    let id = sim
        .add_instance(InstanceSpec::new(Service::Roma).outcome(Outcome::Steady))
        .unwrap();
    let token = sim.client_builder().build().unwrap();
    measure(
        "simulator: call ROMA creation progress, token",
        2_000,
        || {
            black_box(token.roma_creation_progress(&id).unwrap());
        },
    );
    let signed = sim
        .client_builder()
        .ak_sk("sim-ak", "sim-sk")
        .build()
        .unwrap();
    measure(
        "simulator: the same call, AK/SK signed and verified",
        2_000,
        || {
            black_box(signed.roma_creation_progress(&id).unwrap());
        },
    );
    measure(
        "simulator: every instance of 3001, pages of 500 (7 calls)",
        50,
        || {
            let all = token
                .roma_instances(&RomaListQuery::new().limit(500))
                .count();
            assert_eq!(all, 3001);
        },
    );
}

fn lifecycles(progress: &str, details: &str, apig: &str, clouddc: &str) {
    let progress: RomaCreationProgress = serde_json::from_str(progress).unwrap();
    let details: RomaInstance = serde_json::from_str(details).unwrap();
    let apig: ApigCreationProgress = serde_json::from_str(apig).unwrap();
    let clouddc: ClouddcInstanceStatus = serde_json::from_str(clouddc).unwrap();
    measure("lifecycle of a ROMA creation progress", 20_000, || {
        black_box(Lifecycle::from_roma_process(INSTANCE, black_box(&progress)));
    });
    measure("lifecycle of a ROMA instance", 20_000, || {
        black_box(Lifecycle::from_roma_details(INSTANCE, black_box(&details)));
    });
    measure("lifecycle of an APIG progress", 20_000, || {
        black_box(Lifecycle::from_apig(INSTANCE, black_box(&apig)));
    });
    measure("lifecycle of a Cloud DC status", 20_000, || {
        black_box(Lifecycle::from_clouddc(INSTANCE, black_box(&clouddc)));
    });
    let lifecycle = Lifecycle::from_apig(INSTANCE, &apig);
    measure(
        "encode a lifecycle document (the callback's)",
        20_000,
        || {
            black_box(serde_json::to_string(black_box(&lifecycle)).unwrap());
        },
    );
}

/// Every instance of a 1000-instance list in pages of 100: 10 full pages and one empty one.
fn paging(server: &mut mockito::Server, client: &Client) {
    const TOTAL: usize = 1000;
    server
        .mock("GET", mockito::Matcher::Regex(format!("^/v2/{PROJECT}/instances\\?")))
        .with_body_from_request(|request| {
            let offset: usize = request
                .path_and_query()
                .split(['?', '&'])
                .find_map(|kv| kv.strip_prefix("offset="))
                .and_then(|v| v.parse().ok())
                .unwrap_or(0);
            let instances: Vec<_> = (offset..TOTAL.min(offset + 100))
                .map(|i| serde_json::json!({"id": format!("i{i}"), "name": format!("roma-{i}"), "status": "RUNNING"}))
                .collect();
            serde_json::json!({"total": TOTAL, "size": instances.len(), "instances": instances})
                .to_string()
                .into()
        })
        .create();
    measure(
        "every instance of 1000, pages of 100 (11 calls)",
        100,
        || {
            let all = client
                .roma_instances(&RomaListQuery::new().limit(100))
                .count();
            assert_eq!(all, TOTAL);
        },
    );
}
