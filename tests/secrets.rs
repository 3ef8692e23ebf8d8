//! The token never reaches a log line, a `Debug` dump or an error, whatever the server sends
//! back. This binary installs a logger that records everything at trace level, so it holds
//! only tests that are fine sharing it.

mod common;

use common::{builder, client, INSTANCE, PROJECT, TOKEN};
use mockito::{Matcher, Server};
use std::sync::Mutex;

static LINES: Mutex<Vec<String>> = Mutex::new(Vec::new());

struct Recorder;

impl log::Log for Recorder {
    fn enabled(&self, _: &log::Metadata) -> bool {
        true
    }
    fn log(&self, record: &log::Record) {
        // The mock server logs the requests it receives, token included: that is the server's
        // side. Only the client's side (hwinst and its HTTP stack) is under test.
        if record.target().starts_with("mockito") {
            return;
        }
        LINES.lock().unwrap().push(format!(
            "{} {}: {}",
            record.level(),
            record.target(),
            record.args()
        ));
    }
    fn flush(&self) {}
}

#[test]
fn the_token_is_sent_but_never_logged_or_shown() {
    log::set_logger(&Recorder).unwrap();
    log::set_max_level(log::LevelFilter::Trace);

    let mut server = Server::new();
    let ok = server
        .mock(
            "GET",
            format!("/v1/{PROJECT}/instances/{INSTANCE}/status").as_str(),
        )
        .match_header("x-auth-token", TOKEN)
        .with_body(r#"{"state":"running"}"#)
        .expect(1)
        .create();
    // A misbehaving proxy that echoes the token everywhere it can.
    let echo = server
        .mock("GET", format!("/v2/{PROJECT}/apigw/instances/{INSTANCE}/progress").as_str())
        .with_status(401)
        .with_header("x-request-id", &format!("req-{TOKEN}"))
        .with_body(format!(
            r#"{{"error_code":"APIC.7102","error_msg":"bad token {TOKEN}","error_details":"{TOKEN}"}}"#
        ))
        .create();
    let html = server
        .mock(
            "GET",
            format!("/v2/{PROJECT}/apic/instances/{INSTANCE}").as_str(),
        )
        .with_status(502)
        .with_body(format!(
            "<html><body>upstream rejected X-Auth-Token: {TOKEN}</body></html>"
        ))
        .create();
    let garbage = server
        .mock("GET", Matcher::Regex("/process$".into()))
        .with_body(format!("not json {TOKEN}"))
        .create();

    let client = client(&server);
    client.clouddc_instance_status(INSTANCE).unwrap();
    let errors = [
        client.apig_creation_progress(INSTANCE).unwrap_err(),
        client.roma_instance(INSTANCE).unwrap_err(),
        client.roma_creation_progress(INSTANCE).unwrap_err(),
    ];
    ok.assert();
    echo.assert();
    html.assert();
    garbage.assert();

    let mut shown: Vec<String> = errors
        .iter()
        .flat_map(|e| [e.to_string(), format!("{e:?}"), format!("{e:#?}")])
        .collect();
    shown.push(format!("{client:?}"));
    shown.push(format!("{:?}", builder(&server.url())));
    let lines = LINES.lock().unwrap();
    assert!(
        lines.iter().any(|l| l.contains("ureq")),
        "the logger saw ureq's records"
    );
    for text in shown.iter().chain(lines.iter()) {
        assert!(!text.contains(TOKEN), "token leaked: {text}");
    }
    // What the server said is still there, with the token masked.
    let service = errors[0].service_error().unwrap();
    assert_eq!(service.error_msg.as_deref(), Some("bad token ***"));
    assert_eq!(service.request_id.as_deref(), Some("req-***"));
    assert!(
        errors[1]
            .to_string()
            .contains("upstream rejected X-Auth-Token: ***"),
        "{}",
        errors[1]
    );
}
