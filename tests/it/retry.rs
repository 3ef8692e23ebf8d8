//! Retries: what is retried (429, 500, 502, 503, 504, connection-level failures), how often,
//! how long it pauses, and that nothing else is retried. Clients pause on a `ManualClock`, so
//! a `Retry-After` of seconds takes no time and the pauses are asserted exactly.

use crate::common;

use common::{builder, PROJECT};
use hwinst::{Clock, ErrorKind, ManualClock, Phase, RetryPolicy, Source, WaitOptions};
use mockito::{Mock, Server};
use std::io::{Read, Write};
use std::net::TcpListener;
use std::ops::ControlFlow;
use std::sync::Arc;
use std::time::Duration;

const ID: &str = "eddc4d25480b4cd6b512f270a1b8b341";
const OK_BODY: &str = r#"{"progress":100,"status":"success"}"#;

fn path() -> String {
    format!("/v2/{PROJECT}/apigw/instances/{ID}/progress")
}

/// Fast pauses, so that the tests count attempts rather than wait.
fn fast(attempts: u32) -> RetryPolicy {
    RetryPolicy::new()
        .max_attempts(attempts)
        .base_delay(Duration::from_millis(1))
        .max_delay(Duration::from_millis(5))
}

fn client(server: &Server, policy: RetryPolicy) -> hwinst::Client {
    client_on(server, policy, &Arc::new(ManualClock::new()))
}

/// A client for `server` whose retries pause on `clock`.
fn client_on(server: &Server, policy: RetryPolicy, clock: &Arc<ManualClock>) -> hwinst::Client {
    builder(&server.url())
        .retry(policy)
        .clock(Arc::clone(clock) as Arc<dyn hwinst::Clock>)
        .build()
        .unwrap()
}

/// One mock per answer, served in order, each exactly once.
fn answers(server: &mut Server, answers: &[(usize, &str)]) -> Vec<Mock> {
    answers
        .iter()
        .map(|(status, body)| {
            server
                .mock("GET", path().as_str())
                .with_status(*status)
                .with_body(*body)
                .expect(1)
                .create()
        })
        .collect()
}

fn assert_all(mocks: &[Mock]) {
    mocks.iter().for_each(Mock::assert);
}

#[test]
fn two_503s_then_success_takes_three_requests() {
    let mut server = Server::new();
    let mocks = answers(&mut server, &[(503, ""), (503, "busy"), (200, OK_BODY)]);
    let progress = client(&server, fast(4)).apig_creation_progress(ID).unwrap();
    assert_eq!(progress.progress(), Some(100));
    assert_all(&mocks);
}

#[test]
fn every_retryable_status_is_retried() {
    for status in [429, 500, 502, 503, 504] {
        let mut server = Server::new();
        let mocks = answers(&mut server, &[(status, ""), (200, OK_BODY)]);
        client(&server, fast(2)).apig_creation_progress(ID).unwrap();
        assert_all(&mocks);
    }
}

#[test]
fn other_statuses_are_never_retried() {
    for (status, kind) in [
        (400, ErrorKind::Api),
        (401, ErrorKind::Unauthorized),
        (403, ErrorKind::Forbidden),
        (404, ErrorKind::NotFound),
        (409, ErrorKind::Api),
        (501, ErrorKind::Server),
    ] {
        let mut server = Server::new();
        let only = server
            .mock("GET", path().as_str())
            .with_status(status)
            .with_body(r#"{"error_code":"APIG.0001","error_msg":"no"}"#)
            .expect(1)
            .create();
        let err = client(&server, fast(4))
            .apig_creation_progress(ID)
            .unwrap_err();
        assert_eq!(err.kind(), kind, "{status}");
        assert!(!err.to_string().contains("attempts"), "{err}");
        only.assert();
    }
}

#[test]
fn the_last_error_says_how_many_attempts_were_made() {
    let mut server = Server::new();
    let down = server
        .mock("GET", path().as_str())
        .with_status(503)
        .with_body(r#"{"error_code":"APIG.9999","error_msg":"down"}"#)
        .expect(3)
        .create();
    let err = client(&server, fast(3))
        .apig_creation_progress(ID)
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Server);
    assert!(err.to_string().contains("after 3 attempts"), "{err}");
    assert_eq!(err.service_error().unwrap().attempts, 3);
    down.assert();

    // One attempt: no retry, nothing said about attempts.
    let mut server = Server::new();
    let once = server
        .mock("GET", path().as_str())
        .with_status(503)
        .expect(1)
        .create();
    let err = client(&server, RetryPolicy::none())
        .apig_creation_progress(ID)
        .unwrap_err();
    assert!(!err.to_string().contains("attempts"), "{err}");
    once.assert();
}

#[test]
fn retry_after_in_seconds_is_waited_for() {
    let mut server = Server::new();
    let throttled = server
        .mock("GET", path().as_str())
        .with_status(429)
        .with_header("retry-after", "1")
        .expect(1)
        .create();
    let ok = answers(&mut server, &[(200, OK_BODY)]);
    let clock = Arc::new(ManualClock::new());
    // The policy's own pause would be at most 1 ms: only Retry-After explains a second.
    client_on(&server, fast(2).max_delay(Duration::from_secs(10)), &clock)
        .apig_creation_progress(ID)
        .unwrap();
    assert_eq!(clock.sleeps(), [Duration::from_secs(1)]);
    throttled.assert();
    assert_all(&ok);
}

#[test]
fn retry_after_as_an_http_date_is_waited_for() {
    let mut server = Server::new();
    // The date is read on the client's clock, an hour ahead of the system's here: by the
    // system's, the pause would be an hour (capped at 10 s).
    let clock = Arc::new(ManualClock::new());
    clock.advance(Duration::from_secs(3600));
    let at = clock.wall_time() + Duration::from_secs(2);
    let throttled = server
        .mock("GET", path().as_str())
        .with_status(503)
        .with_header("retry-after", &httpdate::fmt_http_date(at))
        .expect(1)
        .create();
    let ok = answers(&mut server, &[(200, OK_BODY)]);
    client_on(&server, fast(2).max_delay(Duration::from_secs(10)), &clock)
        .apig_creation_progress(ID)
        .unwrap();
    // HTTP dates have whole seconds: at least one of the two is left when it is read.
    let slept = clock.sleeps();
    assert!(
        slept.len() == 1
            && slept[0] >= Duration::from_secs(1)
            && slept[0] <= Duration::from_secs(2),
        "{slept:?}"
    );
    throttled.assert();
    assert_all(&ok);
}

#[test]
fn retry_after_is_capped_by_max_delay() {
    let mut server = Server::new();
    let throttled = server
        .mock("GET", path().as_str())
        .with_status(429)
        .with_header("retry-after", "3600")
        .expect(1)
        .create();
    let ok = answers(&mut server, &[(200, OK_BODY)]);
    let clock = Arc::new(ManualClock::new());
    client_on(&server, fast(2), &clock)
        .apig_creation_progress(ID)
        .unwrap();
    // Uncapped, this would be an hour.
    assert_eq!(clock.sleeps(), [Duration::from_millis(5)]);
    throttled.assert();
    assert_all(&ok);
}

#[test]
fn no_retry_outlives_a_waits_deadline() {
    let mut server = Server::new();
    server
        .mock("GET", path().as_str())
        .with_status(503)
        .with_header("retry-after", "5")
        .create();
    let clock = Arc::new(ManualClock::new());
    let client = client_on(&server, fast(4).max_delay(Duration::from_secs(10)), &clock);
    let options = WaitOptions::new()
        .until([Phase::Running])
        .timeout(Duration::from_millis(300))
        .initial_interval(Duration::from_millis(10));
    let err = client
        .wait(Source::Apig, ID, &options, |_| ControlFlow::Continue(()))
        .unwrap_err();
    // A retry after Retry-After: 5 would end past the 300 ms deadline, so none is made; nor
    // does the wait poll again before the pause the service asked for, which is past its
    // deadline too: the service's answer ends the wait at once.
    assert_eq!(err.kind(), ErrorKind::Server, "{err}");
    assert_eq!(err.retry_after(), Some(Duration::from_secs(5)));
    assert!(clock.sleeps().is_empty(), "{:?}", clock.sleeps());
}

/// A server that accepts `resets` connections and closes each without answering, then
/// answers every later request with `OK_BODY`. Returns its URL and the count of connections.
fn resetting_server(resets: usize) -> (String, std::sync::Arc<std::sync::atomic::AtomicUsize>) {
    use std::sync::atomic::{AtomicUsize, Ordering};
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let count = std::sync::Arc::new(AtomicUsize::new(0));
    let seen = std::sync::Arc::clone(&count);
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            let n = seen.fetch_add(1, Ordering::SeqCst);
            let mut request = [0u8; 4096];
            let _ = stream.read(&mut request);
            if n < resets {
                drop(stream); // closed without an answer
                continue;
            }
            let answer = format!(
                "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{OK_BODY}",
                OK_BODY.len()
            );
            let _ = stream.write_all(answer.as_bytes());
        }
    });
    (url, count)
}

#[test]
fn connection_failures_are_retried() {
    let (url, connections) = resetting_server(2);
    let client = builder(&url).retry(fast(4)).build().unwrap();
    assert_eq!(
        client.apig_creation_progress(ID).unwrap().progress(),
        Some(100)
    );
    assert_eq!(connections.load(std::sync::atomic::Ordering::SeqCst), 3);

    // A refused port: every attempt fails the same way, and the error says how many.
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let refused = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    let err = builder(&refused)
        .retry(fast(3))
        .build()
        .unwrap()
        .apig_creation_progress(ID)
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Transport);
    assert!(err.to_string().contains("after 3 attempts"), "{err}");
}

#[test]
fn a_configured_policy_from_the_c_configuration_document() {
    let mut server = Server::new();
    let mocks = answers(&mut server, &[(502, ""), (504, ""), (200, OK_BODY)]);
    let config = format!(
        r#"{{"project_id":"{PROJECT}","credentials":{{"token":"t0k3n-123"}},"endpoints":{{"apig":"{}"}},
            "retry":{{"max_attempts":3,"base_delay_ms":1,"max_delay_ms":2}}}}"#,
        server.url()
    );
    let client = hwinst::ClientBuilder::from_config_json(&config)
        .unwrap()
        .build()
        .unwrap();
    client.apig_creation_progress(ID).unwrap();
    assert_all(&mocks);
}

#[test]
fn no_retry_outlives_the_request_timeout() {
    let mut server = Server::new();
    let busy = server
        .mock("GET", path().as_str())
        .with_status(503)
        .with_header("retry-after", "5")
        .expect(1)
        .create();
    let clock = Arc::new(ManualClock::new());
    let client = builder(&server.url())
        .retry(fast(4).max_delay(Duration::from_secs(10)))
        .request_timeout(Duration::from_millis(500))
        .clock(Arc::clone(&clock) as Arc<dyn hwinst::Clock>)
        .build()
        .unwrap();
    let err = client.apig_creation_progress(ID).unwrap_err();
    // The pause the service asks for would end after the call's 500 ms: the 503 is the answer.
    assert_eq!(err.kind(), ErrorKind::Server, "{err}");
    assert!(clock.sleeps().is_empty(), "{:?}", clock.sleeps());
    busy.assert();
}
