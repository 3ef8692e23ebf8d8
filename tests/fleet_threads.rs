//! A fleet wait's threads do not grow with the fleet: 200 instances on `concurrency` workers.
//! Alone in its test binary, so that no other test's threads are counted.
#![cfg(all(feature = "sim", target_os = "linux"))]
// Real time here (clippy.toml refuses it elsewhere): waits, in real time, for the OS to end the
// fleet's threads.
#![allow(clippy::disallowed_methods)]

use hwinst::sim::{InstanceSpec, Outcome, Scenario, Simulator};
use hwinst::{FleetOptions, InstanceOutcome, Service, Source, Target, WaitOptions};
use std::time::Duration;

fn threads() -> usize {
    std::fs::read_dir("/proc/self/task")
        .expect("/proc/self/task")
        .count()
}

#[test]
fn two_hundred_instances_on_a_fixed_number_of_threads() {
    let sim = Simulator::start(Scenario::default()).unwrap();
    let mut targets = Vec::new();
    for n in 0..200 {
        let (service, source) = if n % 2 == 0 {
            (Service::Apig, Source::Apig)
        } else {
            (Service::Clouddc, Source::Clouddc)
        };
        let id = format!("i-{n:03}");
        sim.add_instance(
            InstanceSpec::new(service)
                .id(&id)
                .outcome(Outcome::Success)
                .step(Duration::from_millis(100)),
        )
        .unwrap();
        targets.push(Target::new(source, id));
    }
    let client = sim.client_builder().build().unwrap();
    let concurrency = 4;
    let options = Service::ALL.into_iter().fold(
        FleetOptions::new().concurrency(concurrency).wait_options(
            WaitOptions::new()
                .initial_interval(Duration::from_millis(20))
                .max_interval(Duration::from_millis(100))
                .timeout(Duration::from_secs(60)),
        ),
        |o, s| o.max_requests_per_second(s, 10_000.0),
    );
    let before = threads();
    let mut most = before;
    let fleet = client
        .wait_many(&targets, &options, |_| most = most.max(threads()))
        .unwrap();
    assert_eq!(fleet.status(), Ok(()));
    assert!(fleet
        .instances
        .iter()
        .all(|i| i.outcome == InstanceOutcome::Reached));
    // The caller's thread runs the scheduler; the workers are the only threads added (an IP
    // address is connected to without a resolver thread).
    assert!(
        most <= before + concurrency,
        "{most} threads during the wait, {before} before it"
    );
    assert!(most > before, "the workers were counted");
    // A joined thread's task can stay listed in /proc for a moment after `join` returns (the
    // kernel wakes the joiner before it reaps the task), so give it a little while to go.
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while threads() > before && std::time::Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(10));
    }
    assert!(threads() <= before, "the workers are gone");
}
