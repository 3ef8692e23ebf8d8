//! `Client::wait` against scripted response sequences: each source walked through its
//! documented state machine, failures, deadlines, cancelling, transient errors and the 404
//! grace period. Waits run on a `ManualClock`, so their pauses take no time and tests assert
//! counts, order and the pauses slept; two tests keep the real clock on purpose (a request
//! bounded by the wait's deadline, and a cancel token waking a real sleep).

// Real time here (clippy.toml refuses it elsewhere): servers that stall, and checks that clocked
// waits take no real time.
#![allow(clippy::disallowed_methods)]

use crate::common;

use common::{builder, client as real_clock_client, PROJECT};
use hwinst::{CancelToken, ErrorKind, Lifecycle, ManualClock, Phase, Source, WaitOptions};
use mockito::{Mock, Server};
use serde_json::{json, Value};
use std::ops::ControlFlow;
use std::sync::Arc;
use std::time::{Duration, Instant};

const ID: &str = "eddc4d25480b4cd6b512f270a1b8b341";

fn path(source: Source) -> String {
    match source {
        Source::Roma => format!("/v2/{PROJECT}/instances/{ID}/process"),
        Source::RomaDetails => format!("/v2/{PROJECT}/apic/instances/{ID}"),
        Source::Apig => format!("/v2/{PROJECT}/apigw/instances/{ID}/progress"),
        Source::Clouddc => format!("/v1/{PROJECT}/instances/{ID}/status"),
        other => panic!("{other} is not pollable"),
    }
}

/// One answer of a sequence.
enum Step {
    Ok(Value),
    Status(usize, &'static str),
}

/// Mocks answering `steps` in order, one request each (mockito serves the first mock still
/// missing its hits; the last one also answers any extra request, which its `assert` then
/// reports).
fn sequence(server: &mut Server, source: Source, steps: Vec<Step>) -> Vec<Mock> {
    let path = path(source);
    steps
        .into_iter()
        .map(|step| {
            let mock = server.mock("GET", path.as_str()).expect(1);
            match step {
                Step::Ok(body) => mock.with_body(body.to_string()),
                Step::Status(status, body) => mock.with_status(status).with_body(body),
            }
            .create()
        })
        .collect()
}

fn fast() -> WaitOptions {
    WaitOptions::new()
        .initial_interval(Duration::from_millis(2))
        .max_interval(Duration::from_millis(10))
        .timeout(Duration::from_secs(60))
}

/// A client for `server` whose waits run on `clock`.
fn client_on(server: &Server, clock: &Arc<ManualClock>) -> hwinst::Client {
    builder(&server.url())
        .clock(Arc::clone(clock) as Arc<dyn hwinst::Clock>)
        .build()
        .expect("client")
}

/// A client for `server` on a clock of its own.
fn client(server: &Server) -> hwinst::Client {
    client_on(server, &Arc::new(ManualClock::new()))
}

/// Waits, recording every lifecycle the callback is given.
fn wait(
    server: &Server,
    source: Source,
    options: &WaitOptions,
) -> (hwinst::Result<Lifecycle>, Vec<Lifecycle>) {
    let mut seen = Vec::new();
    let result = client(server).wait(source, ID, options, |l| {
        seen.push(l.clone());
        ControlFlow::Continue(())
    });
    (result, seen)
}

fn assert_all(mocks: &[Mock]) {
    for mock in mocks {
        mock.assert();
    }
}

fn phases(seen: &[Lifecycle]) -> Vec<(Phase, Option<u8>)> {
    seen.iter().map(|l| (l.phase, l.progress)).collect()
}

#[test]
fn apig_walks_to_success() {
    let mut server = Server::new();
    let steps = [30, 50, 80, 90]
        .into_iter()
        .map(|p| Step::Ok(json!({"progress": p, "status": "creating"})))
        .chain([Step::Ok(json!({"progress": 100, "status": "success"}))])
        .collect();
    let mocks = sequence(&mut server, Source::Apig, steps);
    let (result, seen) = wait(&server, Source::Apig, &fast());
    let done = result.expect("success");
    assert_eq!(
        (done.phase, done.progress, done.terminal),
        (Phase::Running, Some(100), true)
    );
    assert_eq!(done.status.as_deref(), Some("success"));
    assert_eq!(
        phases(&seen),
        [
            (Phase::Creating, Some(30)),
            (Phase::Creating, Some(50)),
            (Phase::Creating, Some(80)),
            (Phase::Creating, Some(90)),
            (Phase::Running, Some(100)),
        ]
    );
    assert_all(&mocks);
}

#[test]
fn the_callback_fires_once_per_change_not_per_poll() {
    let mut server = Server::new();
    let creating = |p: u8| Step::Ok(json!({"progress": p, "status": "creating"}));
    let steps = vec![
        creating(30),
        creating(30),
        creating(30),
        creating(50),
        creating(50),
        Step::Ok(json!({"progress": 100, "status": "success"})),
    ];
    let mocks = sequence(&mut server, Source::Apig, steps);
    let (result, seen) = wait(&server, Source::Apig, &fast());
    assert_eq!(result.unwrap().phase, Phase::Running);
    assert_eq!(
        phases(&seen),
        [
            (Phase::Creating, Some(30)),
            (Phase::Creating, Some(50)),
            (Phase::Running, Some(100))
        ]
    );
    assert_all(&mocks); // six polls, three calls
}

#[test]
fn clouddc_pending_to_running() {
    let mut server = Server::new();
    let steps = vec![
        Step::Ok(json!({"state": "pending"})),
        Step::Ok(json!({"state": "pending"})),
        Step::Ok(json!({"state": "running"})),
    ];
    let mocks = sequence(&mut server, Source::Clouddc, steps);
    let (result, seen) = wait(&server, Source::Clouddc, &fast());
    assert_eq!(result.unwrap().status.as_deref(), Some("running"));
    assert_eq!(
        phases(&seen),
        [(Phase::Pending, None), (Phase::Running, None)]
    );
    assert_all(&mocks);
}

#[test]
fn roma_creating_to_running_by_process_and_by_details() {
    let mut server = Server::new();
    let steps = vec![
        Step::Ok(json!({"status": "creating", "progress": 0, "item": [{"progress": 20}]})),
        Step::Ok(json!({"status": "CREATING", "progress": 60})),
        Step::Ok(json!({"status": "RUNNING", "progress": 100})),
    ];
    let mocks = sequence(&mut server, Source::Roma, steps);
    let (result, seen) = wait(&server, Source::Roma, &fast());
    assert_eq!(result.unwrap().phase, Phase::Running);
    assert_eq!(
        phases(&seen),
        [
            (Phase::Creating, Some(20)),
            (Phase::Creating, Some(60)),
            (Phase::Running, Some(100))
        ]
    );
    assert_all(&mocks);

    let steps = [
        "Creating",
        "CreateSuccess",
        "Initing",
        "Registering",
        "Running",
    ]
    .into_iter()
    .map(|s| Step::Ok(json!({"status": s, "id": ID})))
    .collect();
    let mocks = sequence(&mut server, Source::RomaDetails, steps);
    let (result, seen) = wait(&server, Source::RomaDetails, &fast());
    assert_eq!(result.unwrap().status.as_deref(), Some("Running"));
    let statuses: Vec<_> = seen.iter().map(|l| l.status.clone().unwrap()).collect();
    assert_eq!(
        statuses,
        [
            "Creating",
            "CreateSuccess",
            "Initing",
            "Registering",
            "Running"
        ]
    );
    assert_all(&mocks);
}

#[test]
fn failures_end_the_wait_with_the_service_error() {
    let cases = [
        (
            Source::Apig,
            vec![
                Step::Ok(json!({"progress": 30, "status": "creating"})),
                Step::Ok(
                    json!({"progress": 50, "status": "failed", "error_code": "APIG.9999", "error_msg": "EIP quota exceeded"}),
                ),
            ],
            Some(("APIG.9999", "EIP quota exceeded")),
        ),
        (
            Source::Clouddc,
            vec![
                Step::Ok(json!({"state": "pending"})),
                Step::Ok(
                    json!({"state": "error", "operation_state": "install-failed",
                    "error": {"error_code": "CLOUDDC.0500", "error_msg": "provision failed", "error_type": "create_instance_error"}}),
                ),
            ],
            Some(("CLOUDDC.0500", "provision failed")),
        ),
        (
            Source::RomaDetails,
            vec![
                Step::Ok(json!({"status": "Creating"})),
                Step::Ok(json!({"status": "CreateFail", "instance_status": 3})),
            ],
            None,
        ),
        (
            Source::Clouddc,
            vec![
                Step::Ok(json!({"state": "shutting-down"})),
                Step::Ok(json!({"state": "terminated"})),
            ],
            None,
        ),
    ];
    for (source, steps, said) in cases {
        let mut server = Server::new();
        let mocks = sequence(&mut server, source, steps);
        let (result, seen) = wait(&server, source, &fast());
        let err = result.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InstanceFailed, "{source}: {err}");
        assert!(!err.is_retryable());
        let last = err.lifecycle().expect("the last lifecycle");
        assert!(
            matches!(last.phase, Phase::Failed | Phase::Deleted),
            "{last:?}"
        );
        assert_eq!(Some(last), seen.last(), "the callback saw it too");
        match said {
            Some((code, msg)) => {
                let e = last.error.as_ref().expect("error");
                assert_eq!(
                    (e.error_code.as_deref(), e.error_msg.as_deref()),
                    (Some(code), Some(msg))
                );
                assert!(
                    err.to_string().contains(code) && err.to_string().contains(msg),
                    "{err}"
                );
            }
            None => assert!(
                err.to_string().contains(last.status.as_deref().unwrap()),
                "{err}"
            ),
        }
        assert_all(&mocks);
    }
}

#[test]
fn failed_or_deleted_can_be_targets() {
    let mut server = Server::new();
    let mocks = sequence(
        &mut server,
        Source::Apig,
        vec![Step::Ok(json!({"progress": 30, "status": "failed"}))],
    );
    let options = fast().until([Phase::Running, Phase::Failed]);
    let (result, _) = wait(&server, Source::Apig, &options);
    assert_eq!(result.unwrap().phase, Phase::Failed);
    assert_all(&mocks);
}

#[test]
fn waiting_for_deletion_ends_at_not_found() {
    let mut server = Server::new();
    let mocks = sequence(
        &mut server,
        Source::RomaDetails,
        vec![
            Step::Ok(json!({"status": "Deleting"})),
            Step::Ok(json!({"status": "Unregistering"})),
            Step::Status(
                404,
                r#"{"error_code":"APIC.7302","error_msg":"Instance not found"}"#,
            ),
        ],
    );
    let (result, seen) = wait(
        &server,
        Source::RomaDetails,
        &fast().until([Phase::Deleted]),
    );
    let gone = result.unwrap();
    assert_eq!(
        (gone.phase, gone.status.as_deref(), gone.terminal),
        (Phase::Deleted, None, true)
    );
    assert_eq!(
        phases(&seen),
        [
            (Phase::Deleting, None),
            (Phase::Deleting, None),
            (Phase::Deleted, None)
        ]
    );
    assert_all(&mocks);
}

#[test]
fn an_instance_that_vanishes_while_awaited_failed() {
    let mut server = Server::new();
    let mocks = sequence(
        &mut server,
        Source::Apig,
        vec![
            Step::Ok(json!({"progress": 30, "status": "creating"})),
            Step::Status(
                404,
                r#"{"error_code":"APIG.3030","error_msg":"The instance does not exist"}"#,
            ),
        ],
    );
    let (result, _) = wait(&server, Source::Apig, &fast());
    let err = result.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InstanceFailed);
    assert_eq!(err.lifecycle().unwrap().phase, Phase::Deleted);
    assert_all(&mocks);
}

#[test]
fn times_out_with_the_last_lifecycle() {
    let mut server = Server::new();
    let creating = server
        .mock("GET", path(Source::Apig).as_str())
        .with_body(r#"{"progress":50,"status":"creating"}"#)
        .expect_at_least(2)
        .create();
    let options = fast().timeout(Duration::from_millis(200));
    let clock = Arc::new(ManualClock::new());
    let mut seen = Vec::new();
    let result = client_on(&server, &clock).wait(Source::Apig, ID, &options, |l| {
        seen.push(l.clone());
        ControlFlow::Continue(())
    });
    let err = result.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Timeout, "{err}");
    // The pauses filled the 200 ms exactly: the last one was cut to what was left.
    assert_eq!(clock.elapsed(), Duration::from_millis(200));
    assert_eq!(clock.sleeps().iter().sum::<Duration>(), clock.elapsed());
    assert_eq!(err.lifecycle().unwrap().progress, Some(50));
    assert_eq!(seen.len(), 1, "one state, one call");
    let message = err.to_string();
    assert!(
        message.contains("polls") && message.contains("creating 50%"),
        "{message}"
    );
    creating.assert();
}

#[test]
fn the_deadline_bounds_each_request() {
    // A server that accepts and never answers; the client's own request timeout is a minute.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let keep = std::thread::spawn(move || {
        let held: Vec<_> = listener.incoming().take(1).collect();
        std::thread::sleep(Duration::from_secs(20));
        drop(held);
    });
    let client = builder(&url)
        .request_timeout(Duration::from_secs(60))
        .build()
        .unwrap();
    let started = Instant::now();
    let err = client
        .wait(
            Source::Clouddc,
            ID,
            &fast().timeout(Duration::from_millis(300)),
            |_| ControlFlow::Continue(()),
        )
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Timeout, "{err}");
    assert!(err.lifecycle().is_none());
    assert!(err.to_string().contains("the last poll failed"), "{err}");
    assert!(err.to_string().contains("the wait's deadline"), "{err}");
    // Not a performance bound: without the deadline this would take the full minute.
    assert!(started.elapsed() < Duration::from_secs(15));
    drop(keep);
}

#[test]
fn the_callback_can_cancel() {
    let mut server = Server::new();
    let mocks = sequence(
        &mut server,
        Source::Apig,
        vec![
            Step::Ok(json!({"progress": 30, "status": "creating"})),
            Step::Ok(json!({"progress": 50, "status": "creating"})),
        ],
    );
    let mut calls = 0;
    let err = client(&server)
        .wait(Source::Apig, ID, &fast(), |l| {
            calls += 1;
            if l.progress == Some(50) {
                ControlFlow::Break(())
            } else {
                ControlFlow::Continue(())
            }
        })
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Cancelled);
    assert_eq!(calls, 2);
    assert_eq!(err.lifecycle().unwrap().progress, Some(50));
    assert_all(&mocks);
}

/// Options whose pauses last an hour: only a cancel token can end such a wait in time.
fn hourly(token: &CancelToken) -> WaitOptions {
    WaitOptions::new()
        .initial_interval(Duration::from_secs(3600))
        .max_interval(Duration::from_secs(3600))
        .timeout(Duration::from_secs(7200))
        .cancel_token(token.clone())
}

#[test]
fn a_cancel_token_stops_a_pausing_wait_from_another_thread() {
    let mut server = Server::new();
    let mock = server
        .mock("GET", path(Source::Apig).as_str())
        .with_body(json!({"progress": 30, "status": "creating"}).to_string())
        .expect(1)
        .create();
    let token = CancelToken::new();
    let (seen_tx, seen_rx) = std::sync::mpsc::channel();
    let (done_tx, done_rx) = std::sync::mpsc::channel();
    let options = hourly(&token);
    let waiter = std::thread::spawn(move || {
        let result = real_clock_client(&server).wait(Source::Apig, ID, &options, |l| {
            seen_tx.send(l.progress).unwrap();
            ControlFlow::Continue(())
        });
        done_tx.send(result).unwrap();
        server
    });
    assert_eq!(seen_rx.recv().unwrap(), Some(30));
    token.cancel();
    // Generous: a wait that missed the cancel would sleep for an hour.
    let result = done_rx
        .recv_timeout(Duration::from_secs(60))
        .expect("the cancelled wait returned");
    let err = result.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Cancelled);
    assert_eq!(err.lifecycle().unwrap().progress, Some(30));
    assert!(token.is_cancelled());
    let _server = waiter.join().unwrap(); // the mock lives as long as its server
    mock.assert();
}

/// A server whose first connection gets a request it never answers (it reports when that
/// connection is closed by the client); later connections are answered `body`.
fn stalling_first_connection(
    body: &'static str,
) -> (String, std::sync::mpsc::Receiver<&'static str>) {
    use std::io::{BufRead, BufReader, Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let (events, received) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for (n, stream) in listener.incoming().enumerate() {
            let Ok(stream) = stream else { return };
            let events = events.clone();
            std::thread::spawn(move || {
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut line = String::new();
                while reader.read_line(&mut line).is_ok_and(|read| read > 2) {
                    line.clear();
                }
                let _ = events.send("request");
                if n == 0 {
                    // Never answers; a read ending (0 bytes or an error) means the client cut
                    // the connection. Bounded, so a client that never does fails the test.
                    stream
                        .set_read_timeout(Some(Duration::from_secs(20)))
                        .unwrap();
                    let mut rest = [0u8; 64];
                    let closed = matches!((&stream).read(&mut rest), Ok(0));
                    let _ = events.send(if closed { "closed" } else { "still open" });
                } else {
                    let answer = format!(
                        "HTTP/1.1 200 OK\r\ncontent-length: {}\r\n\r\n{body}",
                        body.len()
                    );
                    let _ = (&stream).write_all(answer.as_bytes());
                }
            });
        }
    });
    (url, received)
}

#[test]
fn a_cancel_cuts_the_request_in_flight() {
    let (url, events) = stalling_first_connection(r#"{"progress":100,"status":"success"}"#);
    // A request timeout far longer than the test: only the cancel can end the first poll.
    let client = builder(&url)
        .request_timeout(Duration::from_secs(600))
        .build()
        .unwrap();
    let token = CancelToken::new();
    let options = hourly(&token);
    let waiter = {
        let client = client.clone();
        std::thread::spawn(move || {
            let result = client.wait(Source::Apig, ID, &options, |_| ControlFlow::Continue(()));
            (result, Instant::now())
        })
    };
    assert_eq!(events.recv_timeout(Duration::from_secs(20)), Ok("request"));
    std::thread::sleep(Duration::from_millis(50)); // the client is now blocked reading
    let cancelled_at = Instant::now();
    token.cancel();
    let (result, returned_at) = waiter.join().unwrap();
    let error = result.unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Cancelled, "{error}");
    assert!(error.lifecycle().is_none(), "nothing was seen: {error}");
    // Not a timing assertion: without the cut the wait would last the request timeout.
    let took = returned_at.duration_since(cancelled_at);
    assert!(
        took < Duration::from_secs(10),
        "returned {took:?} after the cancel"
    );
    assert_eq!(events.recv_timeout(Duration::from_secs(20)), Ok("closed"));

    // The cut connection is not reused: the next call opens another and gets its answer.
    let progress = client.apig_creation_progress(ID).unwrap();
    assert_eq!(progress.progress(), Some(100));
    assert_eq!(events.recv_timeout(Duration::from_secs(20)), Ok("request"));
}

#[test]
fn a_token_cancelled_before_the_wait_sends_nothing() {
    let mut server = Server::new();
    let mock = server.mock("GET", mockito::Matcher::Any).expect(0).create();
    let token = CancelToken::new();
    token.cancel();
    token.cancel(); // idempotent
    let err = client(&server)
        .wait(Source::Apig, ID, &hourly(&token), |_| {
            panic!("nothing was observed")
        })
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Cancelled);
    assert!(err.lifecycle().is_none());
    assert_eq!(
        err.to_string(),
        "the wait was cancelled before the instance was first seen"
    );
    mock.assert();
}

#[test]
fn cancel_tokens_compare_and_print_as_one_switch() {
    let token = CancelToken::new();
    assert_eq!(token, token.clone());
    assert_ne!(token, CancelToken::new());
    assert_eq!(
        WaitOptions::new().cancel_token(token.clone()),
        WaitOptions::new().cancel_token(token.clone())
    );
    assert_ne!(
        WaitOptions::new().cancel_token(token.clone()),
        WaitOptions::new()
    );
    assert_eq!(format!("{token:?}"), "CancelToken { cancelled: false }");
    token.cancel();
    assert_eq!(format!("{token:?}"), "CancelToken { cancelled: true }");
}

#[test]
fn throttling_and_server_errors_are_polled_through() {
    let mut server = Server::new();
    let mocks = sequence(
        &mut server,
        Source::Clouddc,
        vec![
            Step::Ok(json!({"state": "pending"})),
            Step::Status(503, "<html>Service Unavailable</html>"),
            Step::Status(429, ""),
            Step::Status(500, r#"{"error_code":"CLOUDDC.5000","error_msg":"oops"}"#),
            Step::Ok(json!({"state": "running"})),
        ],
    );
    let (result, seen) = wait(&server, Source::Clouddc, &fast());
    assert_eq!(result.unwrap().phase, Phase::Running);
    assert_eq!(
        phases(&seen),
        [(Phase::Pending, None), (Phase::Running, None)]
    );
    assert_all(&mocks);
}

#[test]
fn the_next_poll_waits_as_long_as_retry_after_asks() {
    let mut server = Server::new();
    let path = path(Source::Apig);
    let throttled = server
        .mock("GET", path.as_str())
        .with_status(429)
        .with_header("retry-after", "7")
        .with_body(r#"{"error_code":"APIGW.0308","error_msg":"limit:200, time:5 minute"}"#)
        .expect(1)
        .create();
    let ready = server
        .mock("GET", path.as_str())
        .with_body(json!({"progress": 100, "status": "success"}).to_string())
        .expect(1)
        .create();
    let clock = Arc::new(ManualClock::new());
    let result =
        client_on(&server, &clock).wait(Source::Apig, ID, &fast(), |_| ControlFlow::Continue(()));
    assert_eq!(result.unwrap().phase, Phase::Running);
    // The wait's own interval is 2 ms at most; the service asked for 7 s.
    assert_eq!(clock.sleeps(), [Duration::from_secs(7)]);
    throttled.assert();
    ready.assert();
}

#[test]
fn a_retry_after_past_the_deadline_ends_the_wait_with_the_answer() {
    let mut server = Server::new();
    let throttled = server
        .mock("GET", path(Source::Apig).as_str())
        .with_status(429)
        .with_header("retry-after", "999999")
        .with_body(r#"{"error_code":"APIGW.0308","error_msg":"limit:200, time:5 minute"}"#)
        .expect(1)
        .create();
    let clock = Arc::new(ManualClock::new());
    let options = fast().timeout(Duration::from_secs(6));
    let error = client_on(&server, &clock)
        .wait(Source::Apig, ID, &options, |_| ControlFlow::Continue(()))
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Throttled, "{error}");
    assert_eq!(error.retry_after(), Some(Duration::from_secs(999_999)));
    let service = error.service_error().expect("the service's answer");
    assert_eq!(service.error_code.as_deref(), Some("APIGW.0308"));
    assert!(
        error.to_string().contains("Retry-After: 999999 s"),
        "{error}"
    );
    // One request, and no pause: nothing more is sent that the service would refuse.
    assert!(clock.sleeps().is_empty(), "{:?}", clock.sleeps());
    throttled.assert();
}

#[test]
fn other_errors_end_the_wait_at_once() {
    for (status, kind) in [
        (401, ErrorKind::Unauthorized),
        (403, ErrorKind::Forbidden),
        (400, ErrorKind::Api),
    ] {
        let mut server = Server::new();
        let mocks = sequence(
            &mut server,
            Source::Apig,
            vec![
                Step::Ok(json!({"progress": 30, "status": "creating"})),
                Step::Status(status, r#"{"error_code":"APIG.0301","error_msg":"no"}"#),
            ],
        );
        let (result, _) = wait(&server, Source::Apig, &fast());
        assert_eq!(result.unwrap_err().kind(), kind);
        assert_all(&mocks); // exactly one request after the first
    }
}

#[test]
fn not_found_is_tolerated_during_the_grace_period_only() {
    let mut server = Server::new();
    let not_found = || {
        Step::Status(
            404,
            r#"{"error_code":"APIC.7302","error_msg":"Instance not found"}"#,
        )
    };
    let mocks = sequence(
        &mut server,
        Source::RomaDetails,
        vec![
            not_found(),
            not_found(),
            not_found(),
            Step::Ok(json!({"status": "Creating"})),
            Step::Ok(json!({"status": "Running"})),
        ],
    );
    let (result, seen) = wait(&server, Source::RomaDetails, &fast());
    assert_eq!(result.unwrap().phase, Phase::Running);
    assert_eq!(seen.len(), 2, "404s are not observations");
    assert_all(&mocks);

    // Without a grace period, the first 404 is the answer.
    let mut server = Server::new();
    let mocks = sequence(&mut server, Source::RomaDetails, vec![not_found()]);
    let options = fast().not_found_grace(Duration::ZERO);
    let (result, seen) = wait(&server, Source::RomaDetails, &options);
    let err = result.unwrap_err();
    assert_eq!(
        (err.kind(), err.http_status()),
        (ErrorKind::NotFound, Some(404))
    );
    assert!(seen.is_empty());
    assert_all(&mocks);
}

#[test]
fn bad_arguments_send_nothing() {
    let mut server = Server::new();
    let any = server.mock("GET", mockito::Matcher::Any).expect(0).create();
    let client = client(&server);
    let never = |_: &Lifecycle| -> ControlFlow<()> { panic!("no lifecycle expected") };
    let bad_options = [
        WaitOptions::new().until([]),
        WaitOptions::new().timeout(Duration::ZERO),
        WaitOptions::new().initial_interval(Duration::ZERO),
        WaitOptions::new()
            .initial_interval(Duration::from_secs(5))
            .max_interval(Duration::from_secs(1)),
    ];
    for options in &bad_options {
        let err = client.wait(Source::Apig, ID, options, never).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidArgument, "{options:?}");
    }
    for id in ["", "../x", "a/b", "%2F"] {
        let err = client.wait(Source::Apig, id, &fast(), never).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidArgument);
    }
    let err = client
        .wait(Source::RomaList, ID, &fast(), never)
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidArgument);
    any.assert();
}

#[test]
fn a_half_hour_wait_takes_no_time_on_a_manual_clock() {
    let mut server = Server::new();
    let creating = server
        .mock("GET", path(Source::Apig).as_str())
        .with_body(r#"{"progress":50,"status":"creating"}"#)
        .expect_at_least(2)
        .create();
    let clock = Arc::new(ManualClock::with_seed(15));
    let started = Instant::now();
    let err = client_on(&server, &clock)
        .wait(Source::Apig, ID, &WaitOptions::new(), |_| {
            ControlFlow::Continue(())
        })
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Timeout, "{err}");
    assert_eq!(clock.elapsed(), hwinst::DEFAULT_WAIT_TIMEOUT);
    let sleeps = clock.sleeps();
    // Each pause is its interval (2 s, growing by half up to 30 s) less up to half of it; the
    // last one is cut to what was left.
    let mut interval = hwinst::DEFAULT_INITIAL_INTERVAL;
    for pause in &sleeps[..sleeps.len() - 1] {
        assert!(
            *pause >= interval / 2 && *pause <= interval,
            "{pause:?} for {interval:?}"
        );
        interval = (interval * 3 / 2).min(hwinst::DEFAULT_MAX_INTERVAL);
    }
    assert!(err.to_string().contains("1800.0 s"), "{err}");
    assert!(
        err.to_string()
            .contains(&format!("{} polls", sleeps.len() + 1)),
        "{err}"
    );
    // Not a performance bound: on the real clock this would take half an hour.
    assert!(started.elapsed() < Duration::from_secs(60));
    creating.assert();
}
