//! Waiting for a fleet (`Client::wait_many`) through the public API, against the simulator:
//! every mode and outcome, cancellation, settle, the shared budget and 429 pause, ROMA
//! batching, and arguments refused before anything is sent.
#![cfg(feature = "sim")]

use hwinst::sim::{Fault, InstanceSpec, Operation, Outcome, Scenario, Simulator};
use hwinst::{
    CancelToken, Client, ErrorKind, FleetMode, FleetOptions, InstanceOutcome, Lifecycle,
    ManualClock, Phase, Service, Source, Target, WaitOptions,
};
use serde_json::Value;
use std::sync::Arc;
use std::time::Duration;

const HOUR: Duration = Duration::from_secs(3600);
const MS: fn(u64) -> Duration = Duration::from_millis;

fn start() -> Simulator {
    Simulator::start(Scenario::default()).expect("the simulator starts")
}

fn add(sim: &Simulator, service: Service, id: &str, outcome: Outcome, step: Duration) {
    sim.add_instance(
        InstanceSpec::new(service)
            .id(id)
            .outcome(outcome)
            .step(step),
    )
    .expect("instance");
}

/// A client on the real clock.
fn client(sim: &Simulator) -> Client {
    sim.client_builder().build().expect("client")
}

/// A client whose pauses take no time.
fn manual_client(sim: &Simulator) -> (Client, Arc<ManualClock>) {
    let clock = Arc::new(ManualClock::new());
    let client = sim
        .client_builder()
        .clock(Arc::clone(&clock) as Arc<dyn hwinst::Clock>)
        .build()
        .expect("client");
    (client, clock)
}

/// Fast polling on the real clock, and a budget that does not get in the way.
fn fast(wait: WaitOptions) -> FleetOptions {
    let options =
        FleetOptions::new().wait_options(wait.initial_interval(MS(10)).max_interval(MS(40)));
    Service::ALL
        .into_iter()
        .fold(options, |o, s| o.max_requests_per_second(s, 1000.0))
}

fn target(source: Source, id: &str) -> Target {
    Target::new(source, id)
}

fn outcome_of<'a>(fleet: &'a hwinst::FleetOutcome, id: &str) -> &'a hwinst::FleetInstance {
    fleet
        .instances
        .iter()
        .find(|i| i.instance_id == id)
        .unwrap_or_else(|| panic!("{id} is reported"))
}

/// The simulator's count of requests to `service`'s APIs.
fn logged(sim: &Simulator, service: Service) -> u64 {
    let ops: &[Operation] = match service {
        Service::Roma => &[
            Operation::RomaProcess,
            Operation::RomaInstance,
            Operation::RomaList,
        ],
        Service::Apig => &[Operation::ApigProgress],
        Service::Clouddc => &[Operation::ClouddcStatus],
    };
    sim.requests()
        .iter()
        .filter(|r| r.operation.is_some_and(|o| ops.contains(&o)))
        .count() as u64
}

#[test]
fn all_mode_reports_every_outcome_of_a_mixed_fleet() {
    let sim = start();
    add(&sim, Service::Apig, "gw-ok", Outcome::Success, MS(0));
    add(&sim, Service::Clouddc, "dc-fail", Outcome::Fail, MS(0));
    add(&sim, Service::Roma, "r-ok", Outcome::Success, MS(30));
    add(&sim, Service::Roma, "r-fail", Outcome::Fail, MS(0));
    add(&sim, Service::Clouddc, "dc-slow", Outcome::Success, HOUR);
    let targets = [
        target(Source::Apig, "gw-ok"),
        target(Source::Clouddc, "dc-fail"),
        target(Source::Roma, "r-ok"),
        target(Source::RomaDetails, "r-fail"),
        target(Source::Clouddc, "dc-slow"),
        target(Source::Apig, "gw-late"),
        target(Source::Apig, "gw-ghost"),
    ];
    // gw-late is created after the wait started (at the first change seen once time moved);
    // gw-ghost never is. Client and simulator share a clock that moves only when the fleet
    // pauses, so the run takes no real time and its timings are exact.
    let (client, clock) = manual_client(&sim);
    sim.set_clock(Arc::clone(&clock) as Arc<dyn hwinst::Clock>);
    let options = fast(
        WaitOptions::new()
            .timeout(MS(1200))
            .not_found_grace(MS(600)),
    );
    let mut changes: Vec<Lifecycle> = Vec::new();
    let mut late_added = None;
    let fleet = client
        .wait_many(&targets, &options, |e| {
            changes.push(e.lifecycle.clone());
            if late_added.is_none() && clock.elapsed() > Duration::ZERO {
                add(&sim, Service::Apig, "gw-late", Outcome::Success, MS(0));
                late_added = Some(clock.elapsed());
            }
        })
        .unwrap();
    let took = fleet.elapsed;
    assert!(
        late_added.is_some_and(|at| at > Duration::ZERO),
        "{late_added:?}"
    );
    let outcomes: Vec<(&str, InstanceOutcome)> = fleet
        .instances
        .iter()
        .map(|i| (i.instance_id.as_str(), i.outcome))
        .collect();
    assert_eq!(
        outcomes,
        [
            ("gw-ok", InstanceOutcome::Reached),
            ("dc-fail", InstanceOutcome::Failed),
            ("r-ok", InstanceOutcome::Reached),
            ("r-fail", InstanceOutcome::Failed),
            ("dc-slow", InstanceOutcome::Timeout),
            ("gw-late", InstanceOutcome::Reached),
            ("gw-ghost", InstanceOutcome::Error),
        ]
    );
    assert_eq!(fleet.status(), Err(ErrorKind::InstanceFailed));
    // Ends at the timeout, on the clock (the last pause is cut to it).
    assert!(took >= MS(1200) && took <= MS(1250), "{took:?}");
    let failed = outcome_of(&fleet, "dc-fail");
    assert_eq!(
        failed.error.as_ref().unwrap().kind(),
        ErrorKind::InstanceFailed
    );
    assert_eq!(
        failed
            .lifecycle
            .as_ref()
            .unwrap()
            .error
            .as_ref()
            .unwrap()
            .error_code
            .as_deref(),
        Some("CLOUDDC.1001")
    );
    let ghost = outcome_of(&fleet, "gw-ghost");
    assert_eq!(ghost.error.as_ref().unwrap().kind(), ErrorKind::NotFound);
    assert!(ghost.lifecycle.is_none() && ghost.polls >= 2);
    let slow = outcome_of(&fleet, "dc-slow");
    assert_eq!(slow.error.as_ref().unwrap().kind(), ErrorKind::Timeout);
    assert_eq!(slow.lifecycle.as_ref().unwrap().phase, Phase::Pending);
    // The two ROMA instances were read through the list.
    let r_ok = outcome_of(&fleet, "r-ok").lifecycle.as_ref().unwrap();
    assert_eq!(
        (r_ok.source, r_ok.phase),
        (Source::RomaList, Phase::Running)
    );
    // The callback saw each instance's first lifecycle and its changes, never a repeat.
    for id in ["gw-ok", "dc-fail", "r-ok", "r-fail", "dc-slow", "gw-late"] {
        let seen: Vec<&Lifecycle> = changes.iter().filter(|l| l.instance_id == id).collect();
        assert!(!seen.is_empty(), "{id}");
        assert!(seen.windows(2).all(|w| !w[0].same_state(w[1])), "{id}");
    }
    // Counts agree with the simulator's log, and the document carries everything.
    for service in Service::ALL {
        assert_eq!(
            fleet.requests.get(service),
            logged(&sim, service),
            "{service}"
        );
    }
    let doc: Value = serde_json::from_str(&fleet.document()).unwrap();
    assert_eq!(doc["instances"].as_array().unwrap().len(), 7);
    assert_eq!(doc["instances"][1]["outcome"], "failed");
    assert_eq!(doc["instances"][1]["error"]["code"], "INSTANCE_FAILED");
    assert_eq!(doc["instances"][0]["lifecycle"]["phase"], "running");
    assert_eq!(doc["instances"][0]["error"], Value::Null);
    assert_eq!(doc["instances"][6]["error"]["code"], "NOT_FOUND");
    assert_eq!(doc["requests"]["apig"], fleet.requests.apig);
    assert_eq!(doc["throttled"], 0);
    assert!(doc["elapsed_ms"].as_u64().unwrap() >= 1200);
}

#[test]
fn any_mode_ends_at_the_first_reached_and_reports_the_rest_pending() {
    let sim = start();
    add(&sim, Service::Clouddc, "dc-1", Outcome::Success, HOUR);
    add(&sim, Service::Apig, "gw-1", Outcome::Steady, HOUR);
    add(&sim, Service::Clouddc, "dc-2", Outcome::Success, HOUR);
    let targets = [
        target(Source::Clouddc, "dc-1"),
        target(Source::Apig, "gw-1"),
        target(Source::Clouddc, "dc-2"),
    ];
    let options = fast(WaitOptions::new()).mode(FleetMode::Any);
    let fleet = client(&sim).wait_many(&targets, &options, |_| {}).unwrap();
    assert_eq!(fleet.status(), Ok(()));
    assert_eq!(outcome_of(&fleet, "gw-1").outcome, InstanceOutcome::Reached);
    for id in ["dc-1", "dc-2"] {
        let pending = outcome_of(&fleet, id);
        assert_eq!(pending.outcome, InstanceOutcome::Pending, "{id}");
        assert!(pending.error.is_none());
    }
    assert!(fleet.elapsed < Duration::from_secs(2));

    // All failed: no instance reached, so an `any` wait is INSTANCE_FAILED.
    add(&sim, Service::Apig, "gw-f", Outcome::Fail, MS(0));
    let fleet = client(&sim)
        .wait_many(&[target(Source::Apig, "gw-f")], &options, |_| {})
        .unwrap();
    assert_eq!(fleet.status(), Err(ErrorKind::InstanceFailed));
}

#[test]
fn fail_fast_ends_at_the_first_failure() {
    let sim = start();
    add(&sim, Service::Apig, "gw-slow", Outcome::Success, HOUR);
    add(&sim, Service::Clouddc, "dc-fail", Outcome::Fail, MS(0));
    let targets = [
        target(Source::Apig, "gw-slow"),
        target(Source::Clouddc, "dc-fail"),
    ];
    let options = fast(WaitOptions::new()).fail_fast(true);
    let fleet = client(&sim).wait_many(&targets, &options, |_| {}).unwrap();
    assert_eq!(fleet.status(), Err(ErrorKind::InstanceFailed));
    assert_eq!(
        outcome_of(&fleet, "dc-fail").outcome,
        InstanceOutcome::Failed
    );
    assert_eq!(
        outcome_of(&fleet, "gw-slow").outcome,
        InstanceOutcome::Pending
    );
    assert!(fleet.elapsed < Duration::from_secs(2));
}

#[test]
fn a_manual_clock_times_out_within_the_budget() {
    let sim = start();
    for id in ["gw-1", "gw-2", "gw-3"] {
        add(&sim, Service::Apig, id, Outcome::Success, HOUR);
    }
    let targets: Vec<Target> = ["gw-1", "gw-2", "gw-3"]
        .iter()
        .map(|id| target(Source::Apig, id))
        .collect();
    let (client, clock) = manual_client(&sim);
    // Default intervals and budget (0.5 requests per second per service), ten minutes.
    let options = FleetOptions::new().wait_options(WaitOptions::new().timeout(600 * MS(1000)));
    let fleet = client.wait_many(&targets, &options, |_| {}).unwrap();
    assert_eq!(fleet.status(), Err(ErrorKind::Timeout));
    assert!(fleet
        .instances
        .iter()
        .all(|i| i.outcome == InstanceOutcome::Timeout && i.polls >= 10));
    assert_eq!(clock.elapsed(), 600 * MS(1000));
    assert_eq!(fleet.elapsed, 600 * MS(1000));
    // Each instance backs off to 30 s; the three together never beat the budget.
    let sent = fleet.requests.apig;
    assert!(sent <= 301, "{sent}");
    assert!(sent >= 3 * 600 / 30, "{sent}");
    assert_eq!(sent, logged(&sim, Service::Apig));
}

#[test]
fn cancel_from_another_thread_ends_the_fleet_at_once() {
    let sim = start();
    add(&sim, Service::Apig, "gw-1", Outcome::Success, HOUR);
    add(&sim, Service::Clouddc, "dc-1", Outcome::Success, HOUR);
    // The Cloud DC poll hangs: the cancel must cut it.
    sim.add_fault(Fault::slow(Duration::from_secs(20)).operation(Operation::ClouddcStatus))
        .unwrap();
    let token = CancelToken::new();
    let options = fast(WaitOptions::new().cancel_token(token.clone()));
    let targets = [
        target(Source::Apig, "gw-1"),
        target(Source::Clouddc, "dc-1"),
    ];
    // Cancelled as soon as the APIG instance is seen, while the Cloud DC poll hangs. The hang
    // is the network's, in real time (not on any clock): only real time shows it was cut.
    let (client, _) = manual_client(&sim);
    #[allow(clippy::disallowed_methods)]
    let started = std::time::Instant::now();
    let fleet = client
        .wait_many(&targets, &options, |_| token.cancel())
        .unwrap();
    let took = started.elapsed();
    assert!(took < MS(10_000), "the hanging poll was cut: {took:?}");
    assert_eq!(fleet.status(), Err(ErrorKind::Cancelled));
    for instance in &fleet.instances {
        assert_eq!(instance.outcome, InstanceOutcome::Cancelled);
        assert_eq!(
            instance.error.as_ref().unwrap().kind(),
            ErrorKind::Cancelled
        );
    }
    assert_eq!(
        outcome_of(&fleet, "gw-1").lifecycle.as_ref().unwrap().phase,
        Phase::Creating
    );
    // A token cancelled before the start sends nothing.
    sim.clear_requests();
    let fleet = client.wait_many(&targets, &options, |_| {}).unwrap();
    assert_eq!(fleet.status(), Err(ErrorKind::Cancelled));
    assert!(sim.requests().is_empty());
}

/// Steps a flapping instance (hour-long steps) one step on each change the callback sees.
fn flapping(sim: &Simulator, service: Service, id: &str) {
    add(sim, service, id, Outcome::Flap, HOUR);
}

#[test]
fn settle_waits_out_a_flapping_status_in_the_fleet_and_the_single_wait() {
    for settle in [1, 2] {
        let sim = start();
        flapping(&sim, Service::Apig, "gw-flap");
        // A second instance that is running throughout. (A second flapping one, stepped only by
        // gw-flap's changes, stayed on its flapped-back step whenever its first poll came
        // before gw-flap's first change, and the fleet timed out: the order of two concurrent
        // polls decided the test.)
        add(&sim, Service::Clouddc, "dc-steady", Outcome::Steady, HOUR);
        let (client, _) = manual_client(&sim);
        let options = FleetOptions::new().wait_options(WaitOptions::new().settle(settle));
        let mut phases = Vec::new();
        let targets = [
            target(Source::Apig, "gw-flap"),
            target(Source::Clouddc, "dc-steady"),
        ];
        let fleet = client
            .wait_many(&targets, &options, |e| {
                let l = e.lifecycle;
                if l.instance_id == "gw-flap" {
                    phases.push(l.phase);
                }
                // Each change of gw-flap moves the instances on by one step.
                if l.instance_id == "gw-flap" {
                    sim.advance(HOUR);
                }
            })
            .unwrap();
        assert_eq!(fleet.status(), Ok(()), "settle {settle}");
        let gw = outcome_of(&fleet, "gw-flap");
        if settle == 1 {
            // Ends on the first `running`, though the status flaps back after it.
            assert_eq!(phases, [Phase::Creating, Phase::Running]);
            assert_eq!(gw.polls, 2);
        } else {
            assert_eq!(
                phases,
                [
                    Phase::Creating,
                    Phase::Running,
                    Phase::Creating,
                    Phase::Running
                ],
                "settle 2 sees the flap through"
            );
            assert!(sim.instance("gw-flap").unwrap().step == 3);
            assert!(gw.polls >= 5, "{}", gw.polls);
        }
    }

    // The single wait: the same rule.
    let sim = start();
    flapping(&sim, Service::Apig, "gw-flap");
    let (client, _) = manual_client(&sim);
    let mut phases = Vec::new();
    let ready = client
        .wait(
            Source::Apig,
            "gw-flap",
            &WaitOptions::new().settle(2),
            |l| {
                phases.push(l.phase);
                sim.advance(HOUR);
                std::ops::ControlFlow::Continue(())
            },
        )
        .unwrap();
    assert_eq!(ready.phase, Phase::Running);
    assert_eq!(
        phases,
        [
            Phase::Creating,
            Phase::Running,
            Phase::Creating,
            Phase::Running
        ]
    );
    assert_eq!(
        WaitOptions::from_json(r#"{"settle":3}"#).unwrap(),
        WaitOptions::new().settle(3)
    );
}

#[test]
fn a_429_pauses_every_poll_of_its_service_while_the_others_keep_going() {
    let sim = start();
    for id in ["gw-1", "gw-2", "gw-3"] {
        add(&sim, Service::Apig, id, Outcome::Success, HOUR);
    }
    add(&sim, Service::Clouddc, "dc-1", Outcome::Success, HOUR);
    sim.add_fault(
        Fault::status(429)
            .retry_after_s(1)
            .instance("gw-2")
            .times(1),
    )
    .unwrap();
    let targets = [
        target(Source::Apig, "gw-1"),
        target(Source::Apig, "gw-2"),
        target(Source::Apig, "gw-3"),
        target(Source::Clouddc, "dc-1"),
    ];
    // One request at a time, so that the log's order is the scheduler's.
    let options = fast(WaitOptions::new().timeout(MS(1500))).concurrency(1);
    let (client, _) = manual_client(&sim);
    let fleet = client.wait_many(&targets, &options, |_| {}).unwrap();
    assert!(
        fleet.elapsed >= MS(1500) && fleet.elapsed <= MS(1550),
        "{:?}",
        fleet.elapsed
    );
    assert_eq!(fleet.status(), Err(ErrorKind::Timeout));
    assert_eq!(fleet.throttled, 1);
    let log = sim.requests();
    let at = log.iter().position(|r| r.status == 429).expect("the 429");
    assert_eq!(log[at].instance_id.as_deref(), Some("gw-2"));
    // After the 429, Cloud DC goes on being polled while no APIG instance is, for a second;
    // then every APIG instance is polled again.
    let after = &log[at + 1..];
    let first_apig = after
        .iter()
        .position(|r| r.operation == Some(Operation::ApigProgress))
        .expect("APIG is polled again after the pause");
    assert!(
        after[..first_apig]
            .iter()
            .all(|r| r.operation == Some(Operation::ClouddcStatus)),
        "only Cloud DC during the pause"
    );
    assert!(
        first_apig >= 10,
        "{first_apig} Cloud DC polls during the pause"
    );
    for id in ["gw-1", "gw-3"] {
        assert!(
            after.iter().any(|r| r.instance_id.as_deref() == Some(id)),
            "{id} polled after the pause"
        );
    }
    for id in ["gw-1", "gw-2", "gw-3", "dc-1"] {
        assert!(outcome_of(&fleet, id).polls >= 2, "{id}");
    }
}

#[test]
fn the_shared_budget_keeps_a_fleet_under_the_services_rate_limit() {
    let sim = Simulator::start(Scenario::default().rate_limit(Service::Apig, 5.0)).unwrap();
    let ids: Vec<String> = (0..8).map(|n| format!("gw-{n}")).collect();
    for id in &ids {
        add(&sim, Service::Apig, id, Outcome::Success, MS(150));
    }
    let targets: Vec<Target> = ids.iter().map(|id| target(Source::Apig, id)).collect();
    let options = fast(WaitOptions::new().timeout(Duration::from_secs(10)))
        .max_requests_per_second(Service::Apig, 4.0);
    let fleet = client(&sim).wait_many(&targets, &options, |_| {}).unwrap();
    assert_eq!(fleet.status(), Ok(()));
    assert_eq!(fleet.throttled, 0);
    assert!(sim.requests().iter().all(|r| !r.rate_limited));
    // Without the budget the same fleet runs into the limit.
    let unlimited = fast(WaitOptions::new().timeout(Duration::from_secs(2)));
    for id in &ids {
        sim.remove_instance(id);
        add(&sim, Service::Apig, id, Outcome::Success, MS(150));
    }
    let fleet = client(&sim)
        .wait_many(&targets, &unlimited, |_| {})
        .unwrap();
    assert!(fleet.throttled >= 1);
    assert!(sim.requests().iter().any(|r| r.rate_limited));
}

#[test]
fn roma_batching_reads_many_instances_through_the_list() {
    let sim = Simulator::start(Scenario::default().generate(Service::Roma, 100)).unwrap();
    let ids: Vec<String> = (0..30).map(|n| format!("r-{n}")).collect();
    for id in &ids {
        add(&sim, Service::Roma, id, Outcome::Steady, MS(0));
    }
    let targets: Vec<Target> = ids.iter().map(|id| target(Source::Roma, id)).collect();

    // Batched: one round of the list (130 instances, pages of 50) answers for all 30.
    let fleet = client(&sim)
        .wait_many(&targets, &fast(WaitOptions::new()), |_| {})
        .unwrap();
    assert_eq!(fleet.status(), Ok(()));
    assert_eq!(fleet.requests.roma, 3);
    let log = sim.requests();
    assert_eq!(log.len(), 3);
    assert!(log.iter().all(|r| r.operation == Some(Operation::RomaList)));
    let first = fleet.instances[0].lifecycle.as_ref().unwrap();
    assert_eq!((first.source, first.progress), (Source::RomaList, None));

    // Not batched: one `/process` request each, with progress.
    sim.clear_requests();
    let options = fast(WaitOptions::new()).batch_roma(false);
    let fleet = client(&sim).wait_many(&targets, &options, |_| {}).unwrap();
    assert_eq!(fleet.status(), Ok(()));
    assert_eq!(fleet.requests.roma, 30);
    assert_eq!(logged(&sim, Service::Roma), 30);
    let first = fleet.instances[0].lifecycle.as_ref().unwrap();
    assert_eq!((first.source, first.progress), (Source::Roma, Some(100)));
}

#[test]
fn one_roma_instance_as_two_batched_targets_has_its_events_told_apart() {
    let sim = start();
    add(&sim, Service::Roma, "r-both", Outcome::Success, MS(20));
    add(&sim, Service::Apig, "gw-1", Outcome::Success, MS(20));
    let targets = [
        target(Source::Roma, "r-both"),
        target(Source::RomaDetails, "r-both"),
        target(Source::Apig, "gw-1"),
    ];
    let mut events: Vec<(usize, Target, Lifecycle)> = Vec::new();
    let fleet = client(&sim)
        .wait_many(&targets, &fast(WaitOptions::new()), |event| {
            events.push((event.index, event.target.clone(), event.lifecycle.clone()));
        })
        .unwrap();
    assert_eq!(fleet.status(), Ok(()));
    // Batched: both ROMA targets read through the list, never one by one.
    let list = sim
        .requests()
        .iter()
        .filter(|r| r.operation == Some(Operation::RomaList))
        .count() as u64;
    assert!(list > 0 && list == logged(&sim, Service::Roma), "{list}");
    for (index, target, lifecycle) in &events {
        assert_eq!(target, &targets[*index]);
        assert_eq!(lifecycle.instance_id, target.instance_id);
        // The lifecycle still says where it was read.
        let read_from = if *index == 2 {
            Source::Apig
        } else {
            Source::RomaList
        };
        assert_eq!(lifecycle.source, read_from, "{index}");
    }
    // Each ROMA target has its own first lifecycle and its own last one, running.
    for index in 0..3 {
        let mine: Vec<&Lifecycle> = events
            .iter()
            .filter(|(i, ..)| *i == index)
            .map(|(.., l)| l)
            .collect();
        assert!(!mine.is_empty(), "no event for targets[{index}]");
        assert_eq!(mine.last().unwrap().phase, Phase::Running, "{index}");
    }
    let sources: Vec<Source> = fleet.instances.iter().map(|i| i.source).collect();
    assert_eq!(
        sources,
        [Source::Roma, Source::RomaDetails, Source::Apig],
        "the outcome lists each target"
    );
}

#[test]
fn bad_targets_and_options_are_refused_with_nothing_sent() {
    let sim = start();
    let client = client(&sim);
    let options = FleetOptions::new();
    let refused = |targets: &[Target], options: &FleetOptions, expected: &str| {
        let err = client.wait_many(targets, options, |_| {}).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidArgument, "{err}");
        assert!(err.to_string().contains(expected), "{expected}: {err}");
    };
    let apig = |id: &str| target(Source::Apig, id);
    refused(&[], &options, "at least one instance");
    refused(
        &[apig("a"), apig("b"), apig("a")],
        &options,
        "targets[2] (\"a\"): the same apig instance as targets[0]",
    );
    refused(
        &[
            target(Source::RomaDetails, "r"),
            target(Source::Roma, "r"),
            target(Source::RomaDetails, "r"),
        ],
        &options,
        "targets[2] (\"r\"): the same roma-details instance as targets[0]",
    );
    refused(
        &[apig("ok"), apig("../x")],
        &options,
        "targets[1] (\"../x\"): instance_id",
    );
    refused(&[target(Source::RomaList, "r")], &options, "targets[0]");
    refused(&[apig("a")], &options.clone().concurrency(0), "concurrency");
    refused(
        &[apig("a")],
        &options.clone().max_requests_per_second(Service::Apig, 0.0),
        "max_requests_per_second.apig",
    );
    refused(
        &[apig("a")],
        &options.clone().wait_options(WaitOptions::new().settle(0)),
        "settle",
    );
    assert!(sim.requests().is_empty());

    for (json, expected, hidden) in [
        (r#"{"moed":"any"}"#, "unknown field `moed`", ""),
        (r#"{"mode":"sometimes-secret"}"#, "mode", "sometimes-secret"),
        (
            r#"{"concurrency":"lots-secret"}"#,
            "concurrency",
            "lots-secret",
        ),
        (
            r#"{"concurrency":0}"#,
            "concurrency must be from 1 to 64",
            "",
        ),
        (
            r#"{"max_requests_per_second":{"apgi":1}}"#,
            "unknown field `apgi`",
            "",
        ),
        (
            r#"{"max_requests_per_second":{"apig":-1}}"#,
            "max_requests_per_second.apig",
            "",
        ),
        (r#"{"settle":0}"#, "fleet options: settle", ""),
        (r#"{"timeout_ms":0}"#, "fleet options: the timeout", ""),
    ] {
        let err = FleetOptions::from_json(json).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidArgument, "{json}");
        let message = err.to_string();
        assert!(message.contains(expected), "{json}: {message}");
        assert!(
            hidden.is_empty() || !message.contains(hidden),
            "{json}: {message}"
        );
    }
    let options = FleetOptions::from_json(
        r#"{"until":["running","stopped"],"timeout_ms":60000,"initial_interval_ms":100,
            "max_interval_ms":1000,"not_found_grace_ms":500,"mode":"any","fail_fast":true,
            "settle":2,"concurrency":8,"max_requests_per_second":{"apig":5,"roma":2,"clouddc":3},
            "batch_roma":false}"#,
    )
    .unwrap();
    let expected = FleetOptions::new()
        .wait_options(
            WaitOptions::new()
                .until([Phase::Running, Phase::Stopped])
                .timeout(MS(60_000))
                .initial_interval(MS(100))
                .max_interval(MS(1000))
                .not_found_grace(MS(500))
                .settle(2),
        )
        .mode(FleetMode::Any)
        .fail_fast(true)
        .concurrency(8)
        .max_requests_per_second(Service::Apig, 5.0)
        .max_requests_per_second(Service::Roma, 2.0)
        .max_requests_per_second(Service::Clouddc, 3.0)
        .batch_roma(false);
    assert_eq!(options, expected);

    let targets = Target::list_from_json(
        r#"[{"source":"apig","instance_id":"a"},{"source":"roma-details","instance_id":"b"}]"#,
    )
    .unwrap();
    assert_eq!(targets, [apig("a"), target(Source::RomaDetails, "b")]);
    for (json, expected) in [
        (r#"[{"source":"apig","id":"a"}]"#, "unknown field `id`"),
        (
            r#"[{"source":"nova","instance_id":"a"}]"#,
            "targets[0]: unknown source",
        ),
        (r#"{"source":"apig"}"#, "targets"),
    ] {
        let err = Target::list_from_json(json).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidArgument);
        assert!(err.to_string().contains(expected), "{json}: {err}");
    }
}

#[test]
fn lifecycles_are_dated_by_the_client_s_clock() {
    let sim = start();
    add(&sim, Service::Apig, "gw-1", Outcome::Success, HOUR);
    // A year ahead of the system's time: a lifecycle dated by the system clock is a year off.
    let (client, clock) = manual_client(&sim);
    sim.set_clock(Arc::clone(&clock) as Arc<dyn hwinst::Clock>);
    clock.advance(Duration::from_secs(365 * 24 * 3600));
    let now_ms = || {
        use hwinst::Clock;
        let since = clock.wall_time().duration_since(std::time::UNIX_EPOCH);
        u64::try_from(since.unwrap().as_millis()).unwrap()
    };
    let read_at = now_ms();
    let lifecycle = client.lifecycle(Source::Apig, "gw-1").unwrap();
    assert_eq!(lifecycle.observed_at_ms, read_at);
    let options = fast(WaitOptions::new().timeout(MS(500)));
    let fleet = client
        .wait_many(&[target(Source::Apig, "gw-1")], &options, |_| {})
        .unwrap();
    let seen = outcome_of(&fleet, "gw-1").lifecycle.as_ref().unwrap();
    assert!(
        seen.observed_at_ms >= read_at && seen.observed_at_ms <= now_ms(),
        "{} not in {read_at}..={}",
        seen.observed_at_ms,
        now_ms()
    );
}

/// A cancel cuts the request in flight, and the cut request is not tried again, whatever the
/// retry policy allows: for a single wait and for a fleet (whose polls are single attempts
/// anyway). What decides it is in the call, not in the thread that makes it.
#[test]
fn a_request_cut_by_a_cancel_is_not_tried_again() {
    use std::io::Read;
    use std::net::TcpListener;
    for fleet in [false, true] {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let (arrived, on_arrival) = std::sync::mpsc::channel();
        let token = CancelToken::new();
        let clock = Arc::new(ManualClock::new());
        let client = crate::common::builder(&url)
            .retry(hwinst::RetryPolicy::new().max_attempts(5))
            .clock(Arc::clone(&clock) as Arc<dyn hwinst::Clock>)
            .build()
            .unwrap();
        let options = WaitOptions::new().cancel_token(token.clone());
        let listening = &listener;
        let cancelling = token.clone();
        std::thread::scope(|scope| {
            let server = scope.spawn(move || {
                // The first request is read and never answered; the connection stays open.
                let (mut held, _) = listening.accept().unwrap();
                let mut head = [0u8; 1024];
                let _ = held.read(&mut head).unwrap();
                arrived.send(()).unwrap();
                held
            });
            let canceller = scope.spawn(move || {
                on_arrival.recv().unwrap();
                cancelling.cancel();
            });
            let kind = if fleet {
                let options = FleetOptions::new().wait_options(options.clone());
                let outcome = client
                    .wait_many(&[target(Source::Apig, "gw-1")], &options, |_| {})
                    .unwrap();
                outcome.status().unwrap_err()
            } else {
                client
                    .wait(Source::Apig, "gw-1", &options, |_| {
                        std::ops::ControlFlow::Continue(())
                    })
                    .unwrap_err()
                    .kind()
            };
            assert_eq!(kind, ErrorKind::Cancelled, "fleet: {fleet}");
            canceller.join().unwrap();
            drop(server.join().unwrap());
        });
        // No second attempt connected.
        listener.set_nonblocking(true).unwrap();
        let again = listener.accept();
        assert!(
            again
                .as_ref()
                .is_err_and(|e| e.kind() == std::io::ErrorKind::WouldBlock),
            "fleet: {fleet}: a second attempt connected: {again:?}"
        );
    }
}
