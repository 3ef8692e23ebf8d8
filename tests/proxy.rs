//! Proxies: an explicit `proxy`, the standard environment variables by default, and
//! `no_proxy` (`"proxy": "none"`) to ignore them. One test function, because it changes the
//! process's environment.

mod common;

use common::{builder, PROJECT};
use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};

const ID: &str = "eddc4d25480b4cd6b512f270a1b8b341";
const OK_BODY: &str = r#"{"progress":100,"status":"success"}"#;

/// An endpoint nothing listens on: only a proxy can answer for it.
fn unreachable_endpoint() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    url
}

/// Reads one request head (up to the empty line); returns its first line.
fn read_head(reader: &mut impl BufRead) -> Option<String> {
    let mut first = String::new();
    reader.read_line(&mut first).ok()?;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).ok()? == 0 || line == "\r\n" {
            return Some(first.trim_end().to_owned());
        }
    }
}

/// A stand-in proxy: accepts `CONNECT host:port`, says yes, then answers the tunnelled
/// request itself (as the target would). Returns its URL and the CONNECT lines it received.
fn fake_proxy() -> (String, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let connects = Arc::new(Mutex::new(Vec::new()));
    let seen = Arc::clone(&connects);
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let Some(connect) = read_head(&mut reader) else {
                continue;
            };
            seen.lock().unwrap().push(connect);
            let _ = stream.write_all(b"HTTP/1.1 200 Connection established\r\n\r\n");
            if read_head(&mut reader).is_some() {
                let answer = format!(
                    "HTTP/1.1 200 OK\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{OK_BODY}",
                    OK_BODY.len()
                );
                let _ = stream.write_all(answer.as_bytes());
            }
        }
    });
    (url, connects)
}

#[test]
fn requests_go_through_the_configured_proxy_or_none() {
    let (proxy, connects) = fake_proxy();
    let target = unreachable_endpoint();
    let authority = target.trim_start_matches("http://").to_owned();

    // Explicit, from the builder and from the configuration document.
    let client = builder(&target).proxy(&proxy).build().unwrap();
    assert_eq!(
        client.apig_creation_progress(ID).unwrap().progress(),
        Some(100)
    );
    let config = format!(
        r#"{{"project_id":"{PROJECT}","credentials":{{"token":"t0k3n-123"}},"endpoints":{{"apig":"{target}"}},
            "proxy":"{proxy}","retry":{{"max_attempts":1}}}}"#
    );
    let client = hwinst::ClientBuilder::from_config_json(&config)
        .unwrap()
        .build()
        .unwrap();
    client.apig_creation_progress(ID).unwrap();
    assert_eq!(connects.lock().unwrap().len(), 2);

    // From the environment by default; ignored with no_proxy / "none".
    std::env::set_var("HTTP_PROXY", &proxy);
    std::env::set_var("http_proxy", &proxy);
    let from_env = builder(&target).build().unwrap();
    from_env.apig_creation_progress(ID).unwrap();
    assert_eq!(connects.lock().unwrap().len(), 3);
    let direct = builder(&target).no_proxy().build().unwrap();
    let err = direct.apig_creation_progress(ID).unwrap_err();
    assert_eq!(err.kind(), hwinst::ErrorKind::Transport, "{err}");
    let config = config.replace(&format!(r#""proxy":"{proxy}""#), r#""proxy":"none""#);
    let none = hwinst::ClientBuilder::from_config_json(&config)
        .unwrap()
        .build()
        .unwrap();
    assert_eq!(
        none.apig_creation_progress(ID).unwrap_err().kind(),
        hwinst::ErrorKind::Transport
    );
    std::env::remove_var("HTTP_PROXY");
    std::env::remove_var("http_proxy");

    // Every proxied request asked for a tunnel to the target, and nothing else did.
    let connects = connects.lock().unwrap();
    assert_eq!(connects.len(), 3);
    for line in connects.iter() {
        assert_eq!(line, &format!("CONNECT {authority} HTTP/1.1"));
    }
}

#[test]
fn a_refused_proxy_is_named_without_its_password() {
    let proxy = unreachable_endpoint(); // nothing listens: the proxy refuses
    let target = "http://127.0.0.1:9"; // never reached
    let with_password = proxy.replace("http://", "http://user:pr0xy-Secret@");
    let client = builder(target).proxy(&with_password).build().unwrap();
    let error = client.apig_creation_progress(ID).unwrap_err();
    assert_eq!(error.kind(), hwinst::ErrorKind::Transport, "{error}");
    let message = error.to_string();
    let shown = proxy.replace("http://", "http://***@");
    assert!(
        message.contains(&format!("(through the proxy {shown}")),
        "the proxy is named: {message}"
    );
    assert!(message.contains("refused"), "{message}");
    assert!(!message.contains("pr0xy-Secret"), "{message}");
}
