//! Temporary credentials from the ECS metadata service, through the Rust API against the
//! simulator: renewed across their expiry during a long wait (simulated time, one clock shared
//! by the client and the simulator), one renewal shared by 8 threads, a 401 that says they
//! expired renewing them with one retry, the agency-not-configured answer, an answer of another
//! shape; and clock-skew recovery with exactly one extra request. No secret in any error, log
//! record or `Debug` output.
#![cfg(feature = "sim")]

use hwinst::sim::{
    AccessKey, Fault, InstanceSpec, MetadataSpec, Operation, Outcome, Scenario, Simulator,
};
use hwinst::{
    Client, ClientBuilder, CredentialSource, ErrorKind, ManualClock, Phase, RetryPolicy, Service,
    Source, WaitOptions,
};
use log::Level;
use std::sync::{Arc, Barrier};
use std::time::Duration;

const PROJECT: &str = "0a1b2c3d4e5f";
const SK: &str = "static-s3cr3t-sk-000";

use crate::common;

/// This thread's records of the library so far.
fn records() -> Vec<(Level, String)> {
    common::capture::records(&[SK])
}

/// A scenario without the credentials the simulator hands to clients by default.
fn scenario() -> Scenario {
    Scenario::default().no_credentials().project_id(PROJECT)
}

fn start(scenario: Scenario) -> Simulator {
    Simulator::start(scenario).expect("the simulator")
}

/// A client of `sim` whose credentials come from its metadata service.
fn metadata_client(sim: &Simulator) -> ClientBuilder {
    sim.client_builder()
        .credential_source(CredentialSource::Metadata)
        .metadata_endpoint(sim.metadata_url())
        .retry(RetryPolicy::none())
}

/// How many times the simulator was asked for temporary credentials.
fn key_requests(sim: &Simulator) -> usize {
    common::requests_for(sim, Operation::MetadataSecurityKey)
}

/// Every secret the simulator handed out so far must be absent from `text`.
fn no_secret(sim: &Simulator, text: &str) {
    common::assert_no_secret(sim, SK, text);
}

#[test]
fn metadata_credentials_are_renewed_across_their_expiry_during_a_long_wait() {
    let sim =
        start(scenario().metadata(MetadataSpec::default().lifetime(Duration::from_secs(3600))));
    let clock = Arc::new(ManualClock::new());
    sim.set_clock(clock.clone());
    sim.add_instance(
        InstanceSpec::new(Service::Apig)
            .id("gw-slow")
            .outcome(Outcome::Success)
            .step(Duration::from_secs(45 * 60)),
    )
    .unwrap();
    let client = metadata_client(&sim).clock(clock.clone()).build().unwrap();
    assert_eq!(
        key_requests(&sim),
        1,
        "fetched once, when the client was built"
    );
    let lifecycle = client
        .wait(
            Source::Apig,
            "gw-slow",
            &WaitOptions::new()
                .initial_interval(Duration::from_secs(60))
                .max_interval(Duration::from_secs(5 * 60))
                .timeout(Duration::from_secs(8 * 3600)),
            |_| std::ops::ControlFlow::Continue(()),
        )
        .unwrap();
    assert_eq!(lifecycle.phase, Phase::Running);
    let waited = clock.elapsed();
    assert!(waited > Duration::from_secs(2 * 3600), "{waited:?}");
    // Renewed before each expiry (10 minutes before, with hour-long credentials), never
    // refused: no 401 from any service.
    let hours = waited.as_secs() / 3600;
    let fetched = key_requests(&sim) as u64;
    assert!(
        fetched > hours && fetched <= hours + 2,
        "{fetched} fetches in {waited:?}"
    );
    let refused: Vec<_> = sim
        .requests()
        .into_iter()
        .filter(|r| r.status == 401)
        .collect();
    assert!(refused.is_empty(), "{refused:?}");
    assert!(client.settings().credentials_from.contains("metadata"));
}

#[test]
fn eight_threads_share_one_renewal() {
    let sim = start(scenario());
    let clock = Arc::new(ManualClock::new());
    sim.set_clock(clock.clone());
    sim.add_instance(
        InstanceSpec::new(Service::Clouddc)
            .id("dc-1")
            .outcome(Outcome::Steady),
    )
    .unwrap();
    let client = metadata_client(&sim).clock(clock.clone()).build().unwrap();
    let first = client.settings().access_key.unwrap();
    let round = |client: &Client| {
        let barrier = Arc::new(Barrier::new(8));
        let threads: Vec<_> = (0..8)
            .map(|_| {
                let (client, barrier) = (client.clone(), Arc::clone(&barrier));
                std::thread::spawn(move || {
                    barrier.wait();
                    client.lifecycle(Source::Clouddc, "dc-1").unwrap().phase
                })
            })
            .collect();
        for thread in threads {
            assert_eq!(thread.join().unwrap(), Phase::Running);
        }
    };
    round(&client);
    assert_eq!(
        key_requests(&sim),
        1,
        "the credentials fetched at build serve all 8"
    );
    // Past the renewal point (an hour's credentials, renewed 10 minutes before expiry).
    clock.advance(Duration::from_secs(55 * 60));
    round(&client);
    assert_eq!(key_requests(&sim), 2, "one renewal for 8 threads");
    let second = client.settings().access_key.unwrap();
    assert_ne!(second, first);
    assert_eq!(common::requests_for(&sim, Operation::MetadataToken), 1);
    // Seven hours on, the metadata session token (6 hours) has expired too: the service
    // refuses it, the client asks for a new one and tries once more, still for all 8.
    clock.advance(Duration::from_secs(7 * 3600));
    sim.clear_requests();
    round(&client);
    let metadata: Vec<(Option<Operation>, u16)> = common::answered(&sim)
        .into_iter()
        .filter(|(operation, _)| *operation != Some(Operation::ClouddcStatus))
        .collect();
    assert_eq!(
        metadata,
        [
            (Some(Operation::MetadataSecurityKey), 401),
            (Some(Operation::MetadataToken), 200),
            (Some(Operation::MetadataSecurityKey), 200),
        ]
    );
    assert_ne!(client.settings().access_key.unwrap(), second);
}

#[test]
fn a_401_saying_the_security_token_expired_renews_them_with_one_retry() {
    // The simulator's clock runs 40 s ahead of the client's (under the skew that would be
    // corrected): credentials for 30 s have expired for it, not yet for the client.
    let sim = start(scenario().metadata(MetadataSpec::default().lifetime(Duration::from_secs(30))));
    let sim_clock = Arc::new(ManualClock::new());
    sim.set_clock(sim_clock.clone());
    sim.add_instance(
        InstanceSpec::new(Service::Apig)
            .id("gw-1")
            .outcome(Outcome::Steady),
    )
    .unwrap();
    let client = metadata_client(&sim).build().unwrap();
    sim_clock.advance(Duration::from_secs(40));
    sim.clear_requests();
    records();
    assert_eq!(
        client.lifecycle(Source::Apig, "gw-1").unwrap().phase,
        Phase::Running
    );
    let statuses = common::answered(&sim);
    assert_eq!(
        statuses,
        [
            (Some(Operation::ApigProgress), 401),
            (Some(Operation::MetadataSecurityKey), 200),
            (Some(Operation::ApigProgress), 200),
        ]
    );
    let log = records();
    assert!(
        log.iter()
            .any(|(_, m)| m.contains("security token expired")),
        "{log:?}"
    );
    for (_, message) in &log {
        no_secret(&sim, message);
    }
}

#[test]
fn a_vm_without_an_agency_or_with_a_broken_metadata_service() {
    let sim = start(scenario().metadata(MetadataSpec::default().agency(false)));
    let err = metadata_client(&sim).build().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Config, "{err}");
    assert!(err.to_string().contains("no cloud service agency"), "{err}");

    // An answer that is not the documented shape: an error naming the source.
    let sim = start(scenario());
    sim.add_fault(Fault::malformed().operation(Operation::MetadataSecurityKey))
        .unwrap();
    let err = metadata_client(&sim).build().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Unauthorized, "{err}");
    assert!(err.to_string().contains("ECS metadata service"), "{err}");
    assert!(err.to_string().contains("documented shape"), "{err}");
    no_secret(&sim, &err.to_string());
    no_secret(&sim, &format!("{err:?}"));

    // A renewal that fails after the credentials expired: the source named, and the status.
    let sim = start(scenario());
    let clock = Arc::new(ManualClock::new());
    sim.set_clock(clock.clone());
    sim.add_instance(
        InstanceSpec::new(Service::Apig)
            .id("gw-1")
            .outcome(Outcome::Steady),
    )
    .unwrap();
    let client = metadata_client(&sim).clock(clock.clone()).build().unwrap();
    no_secret(&sim, &format!("{client:?}"));
    sim.add_fault(Fault::status(503).operation(Operation::MetadataSecurityKey))
        .unwrap();
    clock.advance(Duration::from_secs(2 * 3600));
    let err = client.lifecycle(Source::Apig, "gw-1").unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Unauthorized, "{err}");
    assert!(err.to_string().contains("ECS metadata service"), "{err}");
    no_secret(&sim, &err.to_string());
}

#[test]
fn a_twenty_minute_clock_skew_costs_exactly_one_extra_request() {
    let sim = start(
        scenario()
            .access_key(AccessKey::new("STATICAK", SK))
            .clock_skew(20 * 60),
    );
    sim.add_instance(
        InstanceSpec::new(Service::Roma)
            .id("r-1")
            .outcome(Outcome::Steady),
    )
    .unwrap();
    let client = sim
        .client_builder()
        .ak_sk("STATICAK", SK)
        .retry(RetryPolicy::none())
        .build()
        .unwrap();
    records();
    let first = client.lifecycle(Source::Roma, "r-1");
    let statuses: Vec<u16> = sim.requests().iter().map(|r| r.status).collect();
    assert_eq!(
        statuses,
        [401, 200],
        "one refusal, one re-signed request: {first:?}"
    );
    assert_eq!(first.unwrap().phase, Phase::Running);
    // The offset is kept: the next request is dated right the first time.
    sim.clear_requests();
    client.lifecycle(Source::Roma, "r-1").unwrap();
    let statuses: Vec<u16> = sim.requests().iter().map(|r| r.status).collect();
    assert_eq!(statuses, [200]);
    let log = records();
    assert!(
        log.iter().any(|(level, m)| *level == Level::Warn
            && m.contains("server's clock 1")
            && m.contains(" s ahead of this machine's")),
        "{log:?}"
    );
    for (_, message) in &log {
        no_secret(&sim, message);
    }

    // The other way: behind by 20 minutes, corrected in one request again.
    sim.set_clock_skew(-20 * 60).unwrap();
    sim.clear_requests();
    client.lifecycle(Source::Roma, "r-1").unwrap();
    let statuses: Vec<u16> = sim.requests().iter().map(|r| r.status).collect();
    assert_eq!(statuses, [401, 200]);
}
