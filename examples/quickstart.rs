//! hwinst used as a library, against the simulator, offline, in a few seconds:
//! `cargo run --features sim --example quickstart`.
//!
//! The simulator (`hwinst::sim`) serves the five APIs on 127.0.0.1 with the documents' shapes
//! and instances that move through their lifecycles. Against the real cloud, build the client
//! with `Client::builder().region(..).project_id(..).token(..)` (or
//! `ClientBuilder::from_env()`) instead of `sim.client_builder()`; the rest is the same.

use hwinst::sim::{InstanceSpec, Scenario, Simulator};
use hwinst::{ErrorKind, Phase, RomaListQuery, Service, Source, WaitOptions};
use std::ops::ControlFlow;
use std::time::Duration;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // One instance being created per service; each moves one step every 300 ms.
    let sim = Simulator::start(Scenario::default())?;
    let step = Duration::from_millis(300);
    let roma = sim.add_instance(
        InstanceSpec::new(Service::Roma)
            .name("roma-demo")
            .step(step),
    )?;
    let apig = sim.add_instance(
        InstanceSpec::new(Service::Apig)
            .name("apig-demo")
            .step(step),
    )?;
    let clouddc = sim.add_instance(InstanceSpec::new(Service::Clouddc).step(step))?;
    let client = sim.client_builder().user_agent("quickstart").build()?;

    // The five APIs, each answer as a typed model.
    let progress = client.roma_creation_progress(&roma)?;
    println!(
        "ROMA creation progress   {}%, status {}, sub-services: {}",
        progress.progress().unwrap_or(0),
        progress.status.as_ref().map_or("?", |s| s.as_str()),
        progress
            .item
            .iter()
            .flatten()
            .map(|i| format!(
                "{} {}",
                i.name.as_deref().unwrap_or("?"),
                i.status.as_ref().map_or("?", |s| s.as_str())
            ))
            .collect::<Vec<_>>()
            .join(", ")
    );

    let gateway = client.apig_creation_progress(&apig)?;
    println!(
        "APIG creation progress   {}%, status {}",
        gateway.progress().unwrap_or(0),
        gateway.status.as_ref().map_or("?", |s| s.as_str())
    );

    let details = client.roma_instance(&roma)?;
    println!(
        "ROMA instance details    {} is {} (instance_status {} means {:?})",
        details.instance_name.as_deref().unwrap_or("?"),
        details.status.as_ref().map_or("?", |s| s.as_str()),
        details.instance_status().unwrap_or(0),
        details.status_from_code()
    );

    let page = client.roma_list_instances(&RomaListQuery::new().limit(10))?;
    for instance in &page.instances {
        println!(
            "ROMA instance list       {} {} ({} of {})",
            instance.name.as_deref().unwrap_or("?"),
            instance.status.as_ref().map_or("?", |s| s.as_str()),
            page.instances.len(),
            page.total().unwrap_or(0)
        );
    }

    let status = client.clouddc_instance_status(&clouddc)?;
    println!(
        "Cloud DC instance status {}",
        status.state.as_ref().map_or("?", |s| s.as_str())
    );

    // One lifecycle for every service.
    for (source, id) in [
        (Source::Roma, &roma),
        (Source::RomaDetails, &roma),
        (Source::Apig, &apig),
        (Source::Clouddc, &clouddc),
    ] {
        let lifecycle = client.lifecycle(source, id)?;
        println!(
            "Lifecycle {:<14} {} (service says {:?}, progress {:?})",
            source.as_str(),
            lifecycle.phase,
            lifecycle.status.as_deref().unwrap_or("?"),
            lifecycle.progress
        );
    }

    // A wait with a callback on every change (short intervals here; the defaults are 2 s
    // growing to 30 s).
    let options = WaitOptions::new()
        .until([Phase::Running])
        .initial_interval(Duration::from_millis(100))
        .max_interval(Duration::from_millis(300))
        .timeout(Duration::from_secs(30));
    let ready = client.wait(Source::Apig, &apig, &options, |l| {
        println!(
            "Waiting for APIG         {} {}%",
            l.phase,
            l.progress.unwrap_or(0)
        );
        ControlFlow::Continue(())
    })?;
    println!(
        "Ready                    {} ({:?})",
        ready.phase,
        ready.status.as_deref().unwrap_or("?")
    );

    // Errors say what happened, and unsafe IDs are refused before anything is sent.
    match client.clouddc_instance_status("no-such-instance") {
        Err(e) if e.kind() == ErrorKind::NotFound => println!("Cloud DC, unknown ID     {e}"),
        other => return Err(format!("expected NOT_FOUND, got {other:?}").into()),
    }
    match client.roma_instance("../../admin") {
        Err(e) if e.kind() == ErrorKind::InvalidArgument => println!("An unsafe ID            {e}"),
        other => return Err(format!("expected INVALID_ARGUMENT, got {other:?}").into()),
    }
    Ok(())
}
