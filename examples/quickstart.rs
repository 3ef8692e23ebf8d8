//! hwinst against a local stand-in for the three services, offline, in a second:
//! `cargo run --example quickstart`.
//!
//! The stand-in (a mockito server on 127.0.0.1) answers with the example responses of the
//! service documents. Against the real cloud, build the client with `.region(...)` instead of
//! the loopback endpoints, and a real project ID and token.

use hwinst::{Client, ErrorKind, Phase, RomaListQuery, Service, Source, WaitOptions};
use std::ops::ControlFlow;
use std::time::Duration;

const PROJECT: &str = "0a1b2c3d4e5f";
const INSTANCE: &str = "b037d389-62a4-464a-8461-c88797ad4f23";

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut server = mockito::Server::new();
    let answers = [
        (
            format!("/v2/{PROJECT}/instances/{INSTANCE}/process"),
            include_str!("../tests/fixtures/roma_creation_progress.json"),
        ),
        (
            format!("/v2/{PROJECT}/apigw/instances/{INSTANCE}/progress"),
            include_str!("../tests/fixtures/apig_creation_progress.json"),
        ),
        (
            format!("/v2/{PROJECT}/apic/instances/{INSTANCE}"),
            include_str!("../tests/fixtures/roma_instance_full.json"),
        ),
        (
            format!("/v2/{PROJECT}/instances?status=RUNNING&limit=10"),
            include_str!("../tests/fixtures/roma_instance_page.json"),
        ),
        (
            format!("/v1/{PROJECT}/instances/{INSTANCE}/status"),
            include_str!("../tests/fixtures/clouddc_instance_status.json"),
        ),
    ];
    for (path, body) in &answers {
        server.mock("GET", path.as_str()).with_body(body).create();
    }
    server
        .mock(
            "GET",
            format!("/v1/{PROJECT}/instances/no-such-instance/status").as_str(),
        )
        .with_status(404)
        .with_header("x-request-id", "0f5e3c1a")
        .with_body(r#"{"error_code":"CLOUDDC.0404","error_msg":"Instance not found"}"#)
        .create();

    // An APIG instance being created: each poll sees the next answer, then the last repeats.
    const NEW_APIG: &str = "eddc4d25480b4cd6b512f270a1b8b341";
    for (progress, status) in [
        (30, "creating"),
        (50, "creating"),
        (50, "creating"),
        (80, "creating"),
        (100, "success"),
    ] {
        server
            .mock(
                "GET",
                format!("/v2/{PROJECT}/apigw/instances/{NEW_APIG}/progress").as_str(),
            )
            .with_body(format!(r#"{{"progress":{progress},"status":"{status}"}}"#))
            .create();
    }

    let client = Service::ALL
        .into_iter()
        .fold(Client::builder(), |b, service| {
            b.endpoint(service, server.url())
        })
        .project_id(PROJECT)
        .token("example-token")
        .user_agent("quickstart")
        .build()?;

    let roma = client.roma_creation_progress(INSTANCE)?;
    println!(
        "ROMA creation progress   {}%, status {}, sub-services: {}",
        roma.progress.unwrap_or(0),
        roma.status.as_ref().map_or("?", |s| s.as_str()),
        roma.item
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

    let apig = client.apig_creation_progress(INSTANCE)?;
    println!(
        "APIG creation progress   {}%, status {}",
        apig.progress.unwrap_or(0),
        apig.status.as_ref().map_or("?", |s| s.as_str())
    );

    let details = client.roma_instance(INSTANCE)?;
    println!(
        "ROMA instance details    {} is {} (instance_status {} means {:?})",
        details.instance_name.as_deref().unwrap_or("?"),
        details.status.as_ref().map_or("?", |s| s.as_str()),
        details.instance_status.unwrap_or(0),
        details.status_from_code()
    );

    let page = client.roma_list_instances(&RomaListQuery::new().status("RUNNING").limit(10))?;
    for instance in &page.instances {
        println!(
            "ROMA instance list       {} {} ({} of {})",
            instance.name.as_deref().unwrap_or("?"),
            instance.status.as_ref().map_or("?", |s| s.as_str()),
            page.instances.len(),
            page.total.unwrap_or(0)
        );
    }

    let status = client.clouddc_instance_status(INSTANCE)?;
    println!(
        "Cloud DC instance status {:?}",
        status.state.as_ref().and_then(|s| s.known())
    );

    // One lifecycle for every service, and a wait with a callback on every change (the
    // intervals are milliseconds here; the defaults are 2 s growing to 30 s).
    for source in Source::POLLABLE {
        let lifecycle = client.lifecycle(source, INSTANCE)?;
        println!(
            "Lifecycle {:<14} {} (service says {:?}, progress {:?})",
            source.as_str(),
            lifecycle.phase,
            lifecycle.status.as_deref().unwrap_or("?"),
            lifecycle.progress
        );
    }
    let options = WaitOptions::new()
        .until([Phase::Running])
        .initial_interval(Duration::from_millis(20))
        .max_interval(Duration::from_millis(100))
        .timeout(Duration::from_secs(30));
    let ready = client.wait(Source::Apig, NEW_APIG, &options, |l| {
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
