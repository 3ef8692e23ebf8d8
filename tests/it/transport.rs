//! What goes on the wire and what happens when the wire misbehaves: unsafe IDs never leave,
//! size limits, stalls, refused and cut connections, configuration errors, logs without
//! secrets.

// Real time here (clippy.toml refuses it elsewhere): network timeouts, which are real time
// (src/clock.rs).
#![allow(clippy::disallowed_methods)]

use crate::common;

use common::{builder, client, operations, INSTANCE, PROJECT, TOKEN};
use hwinst::{Client, Error, ErrorKind, Service};
use mockito::{Matcher, Server};
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::thread;
use std::time::Duration;

#[test]
fn unsafe_ids_are_refused_before_any_request() {
    let mut server = Server::new();
    let catch_all = server.mock("GET", Matcher::Any).expect(0).create();
    let client = client(&server);
    let long = "a".repeat(hwinst::MAX_ID_LEN + 1);
    let unsafe_ids = [
        "",
        ".",
        "..",
        "../x",
        "a/b",
        "/",
        "%2F",
        "a%2e%2e",
        "..%2F",
        "a\\b",
        "a?b=c",
        "a#b",
        "a b",
        "a\tb",
        "a\r\nX-Evil: 1",
        "a\u{0}",
        &long,
    ];
    for op in operations()
        .iter()
        .filter(|op| op.name != "roma_list_instances")
    {
        for id in unsafe_ids {
            let err = (op.call)(&client, id).unwrap_err();
            assert_eq!(
                err.kind(),
                ErrorKind::InvalidArgument,
                "{} {id:?}: {err}",
                op.name
            );
            assert!(err.to_string().contains("instance_id"), "{err}");
            assert!(!err.is_retryable());
        }
    }
    catch_all.assert();
}

#[test]
fn unsafe_list_status_is_refused_before_any_request() {
    let mut server = Server::new();
    let catch_all = server.mock("GET", Matcher::Any).expect(0).create();
    let err = client(&server)
        .roma_list_instances(&hwinst::RomaListQuery::new().status("RUN\nNING"))
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidArgument);
    catch_all.assert();
}

#[test]
fn user_agent_suffix_is_sent() {
    let mut server = Server::new();
    let mock = server
        .mock(
            "GET",
            format!("/v1/{PROJECT}/instances/{INSTANCE}/status").as_str(),
        )
        .match_header(
            "user-agent",
            format!("hwinst/{} my-pipeline/2.1", env!("CARGO_PKG_VERSION")).as_str(),
        )
        .with_body(r#"{"state":"running"}"#)
        .expect(1)
        .create();
    let client = builder(&server.url())
        .user_agent("my-pipeline/2.1")
        .build()
        .unwrap();
    client.clouddc_instance_status(INSTANCE).unwrap();
    mock.assert();
}

#[test]
fn endpoint_with_a_path_prefix_is_kept() {
    let mut server = Server::new();
    let mock = server
        .mock(
            "GET",
            format!("/gw/roma/v2/{PROJECT}/apic/instances/{INSTANCE}").as_str(),
        )
        .with_body("{}")
        .expect(1)
        .create();
    let client = builder(&format!("{}/gw/roma/", server.url()))
        .build()
        .unwrap();
    client.roma_instance(INSTANCE).unwrap();
    mock.assert();
}

#[test]
fn body_over_the_limit_is_its_own_error() {
    let mut server = Server::new();
    let big = format!(r#"{{"state":"running","pad":"{}"}}"#, "x".repeat(4096));
    server
        .mock(
            "GET",
            format!("/v1/{PROJECT}/instances/fixed/status").as_str(),
        )
        .with_body(&big)
        .create();
    // The same body again without Content-Length: the limit must hold while streaming too.
    server
        .mock(
            "GET",
            format!("/v1/{PROJECT}/instances/chunked/status").as_str(),
        )
        .with_chunked_body(move |w| w.write_all(big.as_bytes()))
        .create();
    let client = builder(&server.url())
        .max_response_bytes(1024)
        .build()
        .unwrap();
    for id in ["fixed", "chunked"] {
        let err = client.clouddc_instance_status(id).unwrap_err();
        assert!(
            matches!(err, Error::BodyTooLarge { limit: 1024 }),
            "{id}: {err:?}"
        );
        assert_eq!(err.kind(), ErrorKind::Transport);
        assert!(!err.is_retryable());
        assert!(err.to_string().contains("1024"), "{err}");
    }
    // Within the limit, the same client is fine.
    let small = builder(&server.url())
        .max_response_bytes(8192)
        .build()
        .unwrap();
    assert!(small.clouddc_instance_status("fixed").is_ok());
}

/// A loopback server that accepts connections and runs `serve` on each, for misbehaviour
/// mockito cannot produce. Stops after `connections` connections.
fn raw_server(connections: usize, serve: fn(TcpStream)) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    thread::spawn(move || {
        for stream in listener.incoming().take(connections).flatten() {
            thread::spawn(move || serve(stream));
        }
    });
    url
}

/// Reads the request head (up to the blank line) so the client is done sending.
fn read_request_head(stream: &mut TcpStream) -> bool {
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    let mut seen = Vec::new();
    let mut byte = [0u8; 1];
    while !seen.ends_with(b"\r\n\r\n") {
        match stream.read(&mut byte) {
            Ok(1) => seen.push(byte[0]),
            _ => return false,
        }
    }
    true
}

#[test]
fn one_client_reuses_its_connection() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let connections = Arc::new(AtomicUsize::new(0));
    let counted = Arc::clone(&connections);
    // A keep-alive server that answers every request on a connection until it is closed.
    thread::spawn(move || {
        for mut stream in listener.incoming().take(20).flatten() {
            counted.fetch_add(1, Ordering::SeqCst);
            thread::spawn(move || {
                let body = br#"{"state":"running"}"#;
                let head = format!("HTTP/1.1 200 OK\r\nContent-Length: {}\r\n\r\n", body.len());
                while read_request_head(&mut stream) {
                    let sent = stream.write_all(head.as_bytes());
                    if sent.and_then(|()| stream.write_all(body)).is_err() {
                        break;
                    }
                }
            });
        }
    });
    let client = builder(&url).build().unwrap();
    for _ in 0..20 {
        let status = client.clouddc_instance_status(INSTANCE).unwrap();
        assert_eq!(status.state.unwrap().as_str(), "running");
    }
    assert_eq!(
        connections.load(Ordering::SeqCst),
        1,
        "20 calls, one pooled connection"
    );
}

#[test]
fn a_server_that_never_answers_times_out() {
    let url = raw_server(1, |mut stream| {
        read_request_head(&mut stream);
        // Hold the connection open without answering until the client gives up.
        let _ = stream.read(&mut [0u8; 1]);
    });
    let client = builder(&url)
        .request_timeout(Duration::from_millis(300))
        .build()
        .unwrap();
    let err = client.apig_creation_progress(INSTANCE).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Timeout, "{err:?}");
    assert!(err.is_retryable());
    assert!(err.to_string().contains("timed out"), "{err}");
    // It names what ran out: the request timeout, not a wait's deadline.
    assert!(
        err.to_string()
            .contains("the request timeout (300ms) expired"),
        "{err}"
    );
}

#[test]
fn a_host_name_that_does_not_resolve_fails_by_the_deadline() {
    // Default retries: none may start that could not end before the deadline.
    let timeout = Duration::from_secs(1);
    let client = Client::builder()
        .endpoint(Service::Apig, "https://no-such-host.invalid")
        .project_id(PROJECT)
        .token(TOKEN)
        .request_timeout(timeout)
        .build()
        .unwrap();
    let start = std::time::Instant::now();
    let err = client.apig_creation_progress(INSTANCE).unwrap_err();
    let took = start.elapsed();
    // Where lookups fail at once, "could not be resolved"; where they hang, the deadline.
    assert!(
        matches!(err.kind(), ErrorKind::Transport | ErrorKind::Timeout),
        "{err:?}"
    );
    assert!(err.to_string().contains("no-such-host.invalid"), "{err}");
    assert!(took < timeout + Duration::from_millis(500), "{took:?}");
}

#[test]
fn a_host_name_is_resolved_and_its_connection_reused() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let connections = Arc::new(AtomicUsize::new(0));
    let counted = Arc::clone(&connections);
    thread::spawn(move || {
        for mut stream in listener.incoming().take(5).flatten() {
            counted.fetch_add(1, Ordering::SeqCst);
            thread::spawn(move || {
                let body = br#"{"state":"running"}"#;
                let head = format!("HTTP/1.1 200 OK\r\nContent-Length: {}\r\n\r\n", body.len());
                while read_request_head(&mut stream) {
                    let sent = stream.write_all(head.as_bytes());
                    if sent.and_then(|()| stream.write_all(body)).is_err() {
                        break;
                    }
                }
            });
        }
    });
    // `localhost` may also resolve to ::1, where nothing listens: the next address is tried.
    let client = builder(&format!("http://localhost:{port}"))
        .build()
        .unwrap();
    for _ in 0..5 {
        let status = client.clouddc_instance_status(INSTANCE).unwrap();
        assert_eq!(status.state.unwrap().as_str(), "running");
    }
    assert_eq!(connections.load(Ordering::SeqCst), 1);
}

#[test]
fn a_body_that_stalls_times_out() {
    let mut server = Server::new();
    server
        .mock("GET", Matcher::Any)
        .with_chunked_body(|w| {
            w.write_all(b"{\"state\":")?;
            w.flush()?;
            thread::sleep(Duration::from_secs(2));
            w.write_all(b"\"running\"}")
        })
        .create();
    let client = builder(&server.url())
        .request_timeout(Duration::from_millis(300))
        .build()
        .unwrap();
    let err = client.clouddc_instance_status(INSTANCE).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Timeout, "{err:?}");
}

#[test]
fn a_refused_connection_is_a_retryable_transport_error() {
    let port = {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    }; // dropped: nothing listens there now
    let client = builder(&format!("http://127.0.0.1:{port}"))
        .build()
        .unwrap();
    let err = client.roma_instance(INSTANCE).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Transport, "{err:?}");
    assert!(matches!(err, Error::Transport { .. }));
    assert!(err.is_retryable());
    assert!(
        err.to_string().contains(&format!("127.0.0.1:{port}")),
        "{err}"
    );
}

#[test]
fn a_body_cut_short_is_a_transport_error() {
    let url = raw_server(1, |mut stream| {
        read_request_head(&mut stream);
        let _ = stream.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n{\"state\":\"run");
        // Closing here leaves 86 promised bytes unsent.
    });
    let err = builder(&url)
        .build()
        .unwrap()
        .clouddc_instance_status(INSTANCE)
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Transport, "{err:?}");
    assert!(err.is_retryable());
}

#[test]
fn a_complete_but_truncated_json_body_is_a_decode_error() {
    let mut server = Server::new();
    server
        .mock("GET", Matcher::Any)
        .with_body(r#"{"state":"run"#)
        .create();
    let err = client(&server)
        .clouddc_instance_status(INSTANCE)
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Decode, "{err:?}");
    assert!(!err.is_retryable());
}

#[test]
fn configuration_errors_are_clear() {
    let unknown_region = Client::builder()
        .region("xx-nowhere-9")
        .project_id(PROJECT)
        .token(TOKEN)
        .build();
    let err = unknown_region.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Config);
    assert!(err.to_string().contains("xx-nowhere-9"), "{err}");

    // An explicit endpoint makes any region usable for that service.
    let mut server = Server::new();
    let mock = server
        .mock("GET", Matcher::Any)
        .with_body(r#"{"state":"running"}"#)
        .create();
    let client = Client::builder()
        .region("xx-nowhere-9")
        .endpoint(Service::Clouddc, server.url())
        .project_id(PROJECT)
        .token(TOKEN)
        .build()
        .unwrap();
    client.clouddc_instance_status(INSTANCE).unwrap();
    mock.assert();
    let err = client.roma_instance(INSTANCE).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Config);
    assert!(err.to_string().contains("roma"), "{err}");

    let err = Client::builder()
        .endpoint(Service::Roma, "http://roma.example.com")
        .project_id(PROJECT)
        .token(TOKEN)
        .build()
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Config);
    assert!(err.to_string().contains("allow_http"), "{err}");
    let opted_in = Client::builder()
        .endpoint(Service::Roma, "http://roma.example.com")
        .allow_http(true)
        .project_id(PROJECT)
        .token(TOKEN)
        .build()
        .unwrap();
    assert_eq!(
        opted_in.endpoint(Service::Roma),
        Some("http://roma.example.com")
    );
}

#[test]
fn a_region_gives_every_listed_service_its_endpoint() {
    let client = Client::builder()
        .region("cn-south-1")
        .project_id(PROJECT)
        .token(TOKEN)
        .build()
        .unwrap();
    for service in Service::ALL {
        assert_eq!(
            client.endpoint(service),
            Some(format!("https://{service}.cn-south-1.myhuaweicloud.com").as_str())
        );
    }
}
