//! Issue 17: hostile input through the public interfaces — configuration documents that must
//! not be echoed (through the C ABI's `hwinst_client_new` as a C caller sees it), credentials
//! too short to be real, regions that are not region names, blank numbers kept, and the C
//! boundary's panic handling.

use crate::common;

use hwinst::ffi::hwinst_code;
use hwinst::ErrorKind;
use serde_json::Value;
use std::ffi::CString;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Barrier, Condvar, Mutex};
use std::time::{Duration, SystemTime};

/// `hwinst_client_new(config)` as C calls it: the code and the error document.
fn client_new(config: &str) -> (hwinst_code, Option<Value>) {
    common::c_client_new(&CString::new(config).unwrap())
}

/// Item 2: nothing of a configuration document is echoed — no value, no key from inside
/// `credentials`, no key that does not look like a key name — but the place and what was
/// expected there are named.
#[test]
fn the_configuration_document_is_never_echoed() {
    const SECRET: &str = "SUPERSECRET-0123456789abcdef";
    for (config, names) in [
        (format!(r#""{SECRET}""#), vec!["an object", "a string"]),
        (
            format!(r#"{{"credentials":{{"{SECRET}":1}}}}"#),
            vec!["`credentials`", "unknown key", "`token`", "`iam_password`"],
        ),
        (
            format!(r#"{{"credentials":{{"iam_password":{{"{SECRET}":"x"}}}}}}"#),
            vec!["`credentials.iam_password`", "`password`"],
        ),
        (
            format!(r#"{{"credentials":{{"token":["{SECRET}"]}}}}"#),
            vec!["`credentials.token`", "a string", "an array"],
        ),
        (
            format!(r#"{{"region":{{"{SECRET}":"{SECRET}"}}}}"#),
            vec!["`region`", "a string", "an object"],
        ),
        (
            format!(r#"{{"{SECRET} with spaces":1}}"#),
            vec!["unknown key", "`region`"],
        ),
        (
            format!(r#"{{"timeouts_ms":{{"connect":"{SECRET}"}}}}"#),
            vec!["`timeouts_ms.connect`", "an integer"],
        ),
        (
            r#"{"retry":{"max_attempts":99999999999}}"#.to_owned(),
            vec!["`retry.max_attempts`", "4294967295"],
        ),
    ] {
        let (code, document) = client_new(&config);
        let document = document.expect("an error document");
        assert_eq!(code, hwinst_code::CONFIG, "{config}: {document}");
        let message = document["message"].as_str().unwrap();
        assert!(!document.to_string().contains("SUPERSECRET"), "{message}");
        for name in names {
            assert!(message.contains(name), "{config}: no {name} in {message}");
        }
    }
    // A typo outside `credentials` is still named, to be easy to fix.
    let (_, document) = client_new(r#"{"regoin":"cn-north-4"}"#);
    assert!(document.unwrap()["message"]
        .as_str()
        .unwrap()
        .contains("unknown key `regoin`"));
}

/// Item 2, the other documents: a wait option or list query with a huge wrong value gives a
/// short message.
#[test]
fn argument_documents_are_not_echoed_wholesale() {
    let huge = "x".repeat(100_000);
    let error = hwinst::WaitOptions::from_json(&format!(r#"{{"until":["{huge}"]}}"#))
        .map(|_| ())
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::InvalidArgument);
    assert!(error.to_string().len() < 1_000, "{error}");
}

/// Item 3: credentials too short to be real are refused when the client is built, without
/// being shown; [`hwinst::MIN_SECRET_LEN`] characters are enough.
#[test]
fn credentials_too_short_to_be_real_are_refused() {
    use hwinst::{Client, Credentials};
    let base = || {
        Client::builder()
            .endpoint(hwinst::Service::Apig, "http://127.0.0.1:9")
            .project_id("0a1b2c3d4e5f")
    };
    let short = "Zq9#x";
    assert!(short.len() < hwinst::MIN_SECRET_LEN);
    for (credentials, what) in [
        (Credentials::Token(short.into()), "token"),
        (Credentials::ak_sk("AK0123456789", short), "secret key"),
        (
            Credentials::temporary_ak_sk("AK0123456789", "SK-0123456789", short),
            "security token",
        ),
        (
            Credentials::iam_password("ops", short, "acme"),
            "IAM password",
        ),
    ] {
        let error = base().credentials(credentials).build().unwrap_err();
        assert_eq!(error.kind(), ErrorKind::Config, "{error}");
        let message = error.to_string();
        assert!(
            message.contains(what) && message.contains("too short"),
            "{message}"
        );
        assert!(!message.contains(short) && !error.document().contains(short));
    }
    // Through the C ABI too.
    let (code, document) = client_new(
        r#"{"project_id":"0a1b2c3d4e5f","credentials":{"token":"x"},
            "endpoints":{"apig":"http://127.0.0.1:9"}}"#,
    );
    assert_eq!(code, hwinst_code::CONFIG, "{document:?}");
    // Six characters are enough.
    base().token("Zq9#x6").build().unwrap();
}

/// Item 8: the region's syntax is checked even when every endpoint is given (it is sent to
/// IAM to look the project up), and a hostile value is not echoed in full.
#[test]
fn the_region_is_checked_even_with_endpoints() {
    let hostile = format!("cn-north-4\r\nX: y{}", "z".repeat(10_000));
    for region in [
        "",
        "../x",
        "cn-north-4\r\nX: y",
        "CN-NORTH-4",
        "-cn",
        "cn-north-4-",
        hostile.as_str(),
    ] {
        let error = hwinst::Client::builder()
            .region(region)
            .endpoint(hwinst::Service::Apig, "http://127.0.0.1:9")
            .iam_endpoint("http://127.0.0.1:9")
            .ak_sk("AK0123456789", "SK-0123456789")
            .build()
            .unwrap_err();
        assert_eq!(error.kind(), ErrorKind::Config, "{region:?}: {error}");
        let message = error.to_string();
        assert!(message.contains("region"), "{message}");
        assert!(!message.contains('\r') && !message.contains('\n') && message.len() < 300);
    }
    for region in [
        "cn-north-4",
        "ap-southeast-1",
        "la-south-2",
        "cn-north-9",
        "sa-brazil-1",
        "tr-west-1",
        "me-east-1",
        "eu-west-101",
    ] {
        let built = hwinst::Client::builder()
            .region(region)
            .endpoint(hwinst::Service::Apig, "http://127.0.0.1:9")
            .iam_endpoint("http://127.0.0.1:9")
            .ak_sk("AK0123456789", "SK-0123456789")
            .build();
        assert!(built.is_ok(), "{region}: {:?}", built.err());
    }
    // The C document too.
    let (code, _) = client_new(
        r#"{"region":"../x","credentials":{"ak":"AK0123456789","sk":"SK-0123456789"},
            "endpoints":{"apig":"http://127.0.0.1:9","iam":"http://127.0.0.1:9"}}"#,
    );
    assert_eq!(code, hwinst_code::CONFIG);
}

/// Item 7: a number field sent blank has no value (its accessor gives `None`), and the
/// server's value is kept in the field: serialising the model (the C ABI's and `-o json`'s
/// result document) gives it back.
#[test]
fn blank_numbers_are_kept_in_the_result_document() {
    use common::{client, INSTANCE, PROJECT};
    let mut server = mockito::Server::new();
    let _apig = server
        .mock(
            "GET",
            format!("/v2/{PROJECT}/apigw/instances/{INSTANCE}/progress").as_str(),
        )
        .with_body(r#"{"progress":"","start_time":" ","end_time":"  ","status":"creating"}"#)
        .create();
    let _page = server
        .mock(
            "GET",
            mockito::Matcher::Regex(format!("^/v2/{PROJECT}/instances(\\?.*)?$")),
        )
        .with_body(r#"{"total":"","size":" ","instances":[{"id":"r1","status":"RUNNING"}]}"#)
        .create();
    let _process = server
        .mock(
            "GET",
            format!("/v2/{PROJECT}/instances/{INSTANCE}/process").as_str(),
        )
        .with_body(
            r#"{"progress":" ","start_time":"","currentTime":"",
                "item":[{"name":"a","progress":"","start_time":"5"}]}"#,
        )
        .create();
    let client = client(&server);

    let progress = client.apig_creation_progress(INSTANCE).unwrap();
    assert_eq!(progress.progress(), None);
    assert_eq!(progress.start_time(), None);
    assert_eq!(
        progress.progress,
        Some(hwinst::Number::Blank(String::new()))
    );
    let document = serde_json::to_value(&progress).unwrap();
    assert_eq!(
        document,
        serde_json::json!({"progress":"","start_time":" ","end_time":"  ","status":"creating"})
    );

    let page = client
        .roma_list_instances(&hwinst::RomaListQuery::new())
        .unwrap();
    assert_eq!(page.total(), None);
    let document = serde_json::to_value(&page).unwrap();
    assert_eq!(document["total"], "");
    assert_eq!(document["size"], " ");

    let process = client.roma_creation_progress(INSTANCE).unwrap();
    let document = serde_json::to_value(&process).unwrap();
    assert_eq!(document["progress"], " ");
    assert_eq!(document["start_time"], "");
    assert_eq!(document["currentTime"], "");
    // What a nested model's field kept is its own, not its parent's.
    let text = document.to_string();
    assert_eq!(text.matches(r#""progress":"#).count(), 2, "{text}");
}

// ---------------------------------------------------------------------------------------------
// Issue 26: the second battery.

/// `hwinst_client_new(config)`, then `hwinst_wait` (`targets` is `None`) or `hwinst_wait_many`
/// as C calls them: the code and the document written.
fn c_wait(
    config: &str,
    wait: Option<(&str, &str)>,
    targets: &str,
    options: &str,
) -> (hwinst_code, Value) {
    use hwinst::ffi::{
        hwinst_client_free, hwinst_client_new, hwinst_string_free, hwinst_wait, hwinst_wait_many,
    };
    let config = CString::new(config).unwrap();
    let targets = CString::new(targets).unwrap();
    let options = CString::new(options).unwrap();
    let mut client = std::ptr::null_mut();
    let mut out: *mut std::ffi::c_char = std::ptr::null_mut();
    // SAFETY: NUL-terminated strings and writable slots; what hwinst writes is freed once.
    unsafe {
        let code = hwinst_client_new(config.as_ptr(), &mut client, &mut out);
        assert_eq!(code, hwinst_code::OK);
        let code = match wait {
            Some((source, id)) => {
                let (source, id) = (CString::new(source).unwrap(), CString::new(id).unwrap());
                hwinst_wait(
                    client,
                    source.as_ptr(),
                    id.as_ptr(),
                    options.as_ptr(),
                    None,
                    std::ptr::null_mut(),
                    &mut out,
                )
            }
            None => hwinst_wait_many(
                client,
                targets.as_ptr(),
                options.as_ptr(),
                None,
                std::ptr::null_mut(),
                std::ptr::null(),
                &mut out,
            ),
        };
        hwinst_client_free(client);
        assert!(!out.is_null(), "{code:?}: no document");
        let text = std::ffi::CStr::from_ptr(out).to_str().unwrap().to_owned();
        hwinst_string_free(out);
        (code, serde_json::from_str(&text).expect("a JSON document"))
    }
}

/// Item 1: a 429 whose `Retry-After` overflows an `Instant` (u64::MAX seconds, i64::MAX, more
/// digits than a u64 holds) is a pause past the deadline: the wait ends THROTTLED, the fleet
/// with its document, never HWINST_PANIC. (Before the fix: HWINST_PANIC, "overflow when adding
/// duration to instant".)
#[test]
fn an_overflowing_retry_after_ends_the_wait_throttled() {
    use common::{PROJECT, TOKEN};
    for value in [
        u64::MAX.to_string(),
        i64::MAX.to_string(),
        "99999999999999999999999999".to_owned(),
    ] {
        let mut server = mockito::Server::new();
        let _throttled = server
            .mock(
                "GET",
                mockito::Matcher::Regex(format!(
                    "^/v2/{PROJECT}/apigw/instances/gw-[12]/progress$"
                )),
            )
            .with_status(429)
            .with_header("Retry-After", &value)
            .with_body(r#"{"error_code":"APIGW.0308","error_msg":"throttled"}"#)
            .create();
        let config = format!(
            r#"{{"project_id":"{PROJECT}","credentials":{{"token":"{TOKEN}"}},
                "endpoints":{{"apig":"{url}","roma":"{url}","clouddc":"{url}"}},
                "retry":{{"max_attempts":1}}}}"#,
            url = server.url()
        );
        let options = r#"{"timeout_ms":60000,"initial_interval_ms":10}"#;
        let (code, document) = c_wait(&config, Some(("apig", "gw-1")), "", options);
        assert_eq!(code, hwinst_code::THROTTLED, "{value}: {document}");
        let (code, document) = c_wait(
            &config,
            None,
            r#"[{"source":"apig","instance_id":"gw-1"},{"source":"apig","instance_id":"gw-2"}]"#,
            options,
        );
        assert_eq!(code, hwinst_code::THROTTLED, "{value}: {document}");
        for instance in document["instances"].as_array().unwrap() {
            assert_eq!(instance["outcome"], "error", "{document}");
            assert_eq!(instance["error"]["code"], "THROTTLED", "{document}");
        }
        // The Rust API alike.
        let error = common::client(&server)
            .wait(
                hwinst::Source::Apig,
                "gw-1",
                &hwinst::WaitOptions::new().timeout(std::time::Duration::from_secs(60)),
                |_| std::ops::ControlFlow::Continue(()),
            )
            .unwrap_err();
        assert_eq!(error.kind(), ErrorKind::Throttled, "{error}");
    }
}

/// Item 2: a budget too small for a pause to be held in a `Duration` (1e-20 ... 5e-324
/// requests per second) is refused before anything is sent, naming the option; one request a
/// day is the least. (Before the fix: HWINST_PANIC.)
#[cfg(feature = "sim")]
#[test]
fn a_tiny_rate_is_refused_not_a_panic() {
    use hwinst::sim::{InstanceSpec, Scenario, Simulator};
    let sim = Simulator::start(Scenario::default()).unwrap();
    for id in ["gw-1", "gw-2"] {
        sim.add_instance(InstanceSpec::new(hwinst::Service::Apig).id(id))
            .unwrap();
    }
    let targets =
        r#"[{"source":"apig","instance_id":"gw-1"},{"source":"apig","instance_id":"gw-2"}]"#;
    for rate in ["1e-20", "1e-19", "1e-300", "5e-324", "0.00001"] {
        let options = format!(r#"{{"max_requests_per_second":{{"apig":{rate}}}}}"#);
        let (code, document) = c_wait(&sim.config_json(), None, targets, &options);
        assert_eq!(code, hwinst_code::INVALID_ARGUMENT, "{rate}: {document}");
        let message = document["message"].as_str().unwrap();
        assert!(
            message.contains("apig") && message.contains("one request a day"),
            "{message}"
        );
    }
    assert!(sim.requests().is_empty());
    // One a day is allowed: the first poll is the burst, the second is due after the deadline.
    let options = r#"{"max_requests_per_second":{"apig":0.0000116},"timeout_ms":300,
                      "initial_interval_ms":10,"until":["creating","running"]}"#;
    let (code, document) = c_wait(&sim.config_json(), None, targets, options);
    assert_eq!(code, hwinst_code::TIMEOUT, "{document}");
}

/// A huge unknown key in the options documents (found by the `fleet_options` fuzz target: the
/// key came back twice in full, in the path and in serde's "unknown field") is echoed short.
#[test]
fn a_huge_unknown_key_is_echoed_short() {
    let key = format!("max_requests_pe{}", "e".repeat(100_000));
    let document = format!(r#"{{"{key}":1}}"#);
    for error in [
        hwinst::FleetOptions::from_json(&document).unwrap_err(),
        hwinst::WaitOptions::from_json(&document).unwrap_err(),
    ] {
        assert_eq!(error.kind(), ErrorKind::InvalidArgument);
        let message = error.to_string();
        assert!(message.len() < 1_000, "{} bytes", message.len());
        assert!(
            message.contains("unknown field `max_requests_pe"),
            "{message}"
        );
    }
}

/// Item 11: a 1 MB instance ID gives a short INVALID_ARGUMENT document, through `hwinst_wait`
/// and `hwinst_wait_many`, with at most a short, escaped start of the ID. (Before the fix: the
/// fleet's document held the whole megabyte.)
#[test]
fn a_huge_instance_id_is_echoed_short() {
    let config = r#"{"project_id":"0a1b2c3d4e5f","credentials":{"token":"MIIT0k3n-s3cr3t"},
                    "endpoints":{"apig":"http://127.0.0.1:9"}}"#;
    let huge = format!("gw\u{202e}\n{}", "x".repeat(1_000_000));
    let escaped = serde_json::to_string(&huge).unwrap();
    let (code, document) = c_wait(config, Some(("apig", huge.as_str())), "", "{}");
    assert_eq!(code, hwinst_code::INVALID_ARGUMENT, "{document}");
    assert!(
        document.to_string().len() < 1_000,
        "{} bytes",
        document.to_string().len()
    );
    for targets in [
        format!(r#"[{{"source":"apig","instance_id":{escaped}}}]"#),
        format!(r#"[{{"source":"roma-list","instance_id":{escaped}}}]"#),
        format!(
            r#"[{{"source":"apig","instance_id":"gw-1"}},{{"source":"apig","instance_id":"gw-1"}},
                {{"source":"apig","instance_id":{escaped}}}]"#
        ),
    ] {
        let (code, document) = c_wait(config, None, &targets, "{}");
        assert_eq!(code, hwinst_code::INVALID_ARGUMENT, "{document}");
        let message = document["message"].as_str().unwrap();
        assert!(
            document.to_string().len() < 1_000,
            "{} bytes",
            message.len()
        );
        assert!(
            !message.contains('\n') && !message.contains('\u{202e}'),
            "{message}"
        );
    }
}

/// A loopback gateway 20 minutes ahead that answers 401 (with its `Date`) to every signature
/// dated off by more than a minute, and holds those answers until `hold` of them have come,
/// so that every request of the first round is signed before any correction. Its requests'
/// count, and its URL.
fn skewed_gateway(hold: usize) -> (Arc<AtomicUsize>, String) {
    use std::io::{BufRead, BufReader, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let seen = Arc::new(AtomicUsize::new(0));
    let refused = Arc::new((Mutex::new(0usize), Condvar::new()));
    let counter = Arc::clone(&seen);
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let (seen, refused) = (Arc::clone(&counter), Arc::clone(&refused));
            std::thread::spawn(move || {
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut sdk_date = String::new();
                loop {
                    let mut line = String::new();
                    if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                        break;
                    }
                    if let Some((name, value)) = line.split_once(':') {
                        if name.eq_ignore_ascii_case("x-sdk-date") {
                            sdk_date = value.trim().to_owned();
                        }
                    }
                }
                seen.fetch_add(1, Ordering::SeqCst);
                // Real time: a gateway 20 minutes ahead of clients on the system clock.
                #[allow(clippy::disallowed_methods)]
                let server_time = SystemTime::now() + Duration::from_secs(20 * 60);
                let server_date = httpdate::fmt_http_date(server_time);
                let within = sdk_date.len() == 16 && {
                    // The same basic format the client writes: compare as UTC seconds.
                    let fields: Vec<u64> = [0..4, 4..6, 6..8, 9..11, 11..13, 13..15]
                        .into_iter()
                        .map(|r| sdk_date[r].parse::<u64>().unwrap())
                        .collect();
                    let days = days_from_civil(fields[0] as i64, fields[1], fields[2]);
                    let at = days as u64 * 86_400 + fields[3] * 3600 + fields[4] * 60 + fields[5];
                    let now = server_time
                        .duration_since(SystemTime::UNIX_EPOCH)
                        .unwrap()
                        .as_secs();
                    at.abs_diff(now) <= 60
                };
                let response = if within {
                    let body = r#"{"progress":50,"status":"creating"}"#;
                    format!(
                        "HTTP/1.1 200 OK\r\nDate: {server_date}\r\nContent-Type: application/json\r\n\
                         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
                        body.len()
                    )
                } else {
                    let (count, arrived) = &*refused;
                    let mut count = count.lock().unwrap();
                    *count += 1;
                    arrived.notify_all();
                    let _ = arrived
                        .wait_timeout_while(count, Duration::from_secs(10), |n| *n < hold)
                        .unwrap();
                    let body = r#"{"error_code":"APIGW.0301","error_msg":"Incorrect IAM authentication information: verify aksk signature fail"}"#;
                    format!(
                        "HTTP/1.1 401 Unauthorized\r\nDate: {server_date}\r\n\
                         Content-Type: application/json\r\nContent-Length: {}\r\n\
                         Connection: close\r\n\r\n{body}",
                        body.len()
                    )
                };
                let mut stream = stream;
                let _ = stream.write_all(response.as_bytes());
            });
        }
    });
    (seen, url)
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: u64, d: u64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = m as i64;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Item 3: against a gateway 20 minutes ahead, four threads whose first requests are all
/// signed before the first correction all succeed: a 401 for a request signed with an offset
/// that has since changed is re-signed once with the current offset. Each costs exactly one
/// extra request. (Before the fix: 1 OK and 3 UNAUTHORIZED.) A fleet of three likewise.
#[test]
fn concurrent_first_calls_all_recover_from_clock_skew() {
    use hwinst::{FleetOptions, Source, Target};
    let (seen, url) = skewed_gateway(4);
    let client = common::builder(&url)
        .ak_sk("AK0123456789", "SK-0123456789abcdef")
        .build()
        .unwrap();
    let start = Barrier::new(4);
    let results: Vec<hwinst::Result<hwinst::Lifecycle>> = std::thread::scope(|scope| {
        let threads: Vec<_> = (0..4)
            .map(|n| {
                let (client, start) = (&client, &start);
                scope.spawn(move || {
                    start.wait();
                    client.lifecycle(Source::Apig, &format!("gw-{n}"))
                })
            })
            .collect();
        threads.into_iter().map(|t| t.join().unwrap()).collect()
    });
    for result in &results {
        assert!(result.is_ok(), "{result:?}");
    }
    assert_eq!(seen.load(Ordering::SeqCst), 8);

    // A fleet wait is always concurrent.
    let (seen, url) = skewed_gateway(3);
    let client = common::builder(&url)
        .ak_sk("AK0123456789", "SK-0123456789abcdef")
        .build()
        .unwrap();
    let targets: Vec<Target> = (0..3)
        .map(|n| Target::new(Source::Apig, format!("gw-{n}")))
        .collect();
    let options = FleetOptions::new()
        .concurrency(3)
        .max_requests_per_second(hwinst::Service::Apig, 100.0)
        .wait_options(hwinst::WaitOptions::new().until([hwinst::Phase::Creating]));
    let fleet = client.wait_many(&targets, &options, |_| {}).unwrap();
    assert!(fleet.status().is_ok(), "{}", fleet.document());
    assert_eq!(seen.load(Ordering::SeqCst), 6);
    assert_eq!(fleet.requests.apig, 6, "{}", fleet.document());
}

/// A callback that asks to stop at every document, counting its calls.
#[cfg(feature = "sim")]
unsafe extern "C" fn stop_at_once(_: *const std::ffi::c_char, calls: *mut std::ffi::c_void) -> i32 {
    // SAFETY: the test passes a live AtomicUsize.
    unsafe { &*calls.cast::<AtomicUsize>() }.fetch_add(1, Ordering::SeqCst);
    1
}

/// Issue 26, decided: a callback's non-zero return on the document that also ends the wait
/// leaves the outcome as it is, in `hwinst_wait` as in `hwinst_wait_many` (before: CANCELLED
/// from `hwinst_wait`, OK from `hwinst_wait_many`); on any other document it cancels.
#[cfg(feature = "sim")]
#[test]
fn a_callback_stopping_on_the_final_document_keeps_the_outcome() {
    use hwinst::ffi::{
        hwinst_client_free, hwinst_client_new, hwinst_string_free, hwinst_wait, hwinst_wait_many,
    };
    use hwinst::sim::{InstanceSpec, Outcome, Scenario, Simulator};
    let sim = Simulator::start(Scenario::default()).unwrap();
    sim.add_instance(
        InstanceSpec::new(hwinst::Service::Apig)
            .id("gw-ok")
            .outcome(Outcome::Steady),
    )
    .unwrap();
    sim.add_instance(
        InstanceSpec::new(hwinst::Service::Apig)
            .id("gw-slow")
            .step(Duration::from_secs(3600)),
    )
    .unwrap();
    let config = CString::new(sim.config_json()).unwrap();
    let options = CString::new(r#"{"initial_interval_ms":10,"timeout_ms":60000}"#).unwrap();
    let source = CString::new("apig").unwrap();
    let mut client = std::ptr::null_mut();
    let mut out: *mut std::ffi::c_char = std::ptr::null_mut();
    let calls = AtomicUsize::new(0);
    let user_data = (&calls as *const AtomicUsize).cast_mut().cast();
    let code_of = |code: hwinst_code, out: *mut std::ffi::c_char| {
        // SAFETY: a document hwinst wrote, freed once.
        unsafe { hwinst_string_free(out) };
        code
    };
    // SAFETY: NUL-terminated strings, writable slots, a callback that follows the contract.
    unsafe {
        assert_eq!(
            hwinst_client_new(config.as_ptr(), &mut client, &mut out),
            hwinst_code::OK
        );
        for (id, expected) in [
            ("gw-ok", hwinst_code::OK),
            ("gw-slow", hwinst_code::CANCELLED),
        ] {
            let id = CString::new(id).unwrap();
            let code = hwinst_wait(
                client,
                source.as_ptr(),
                id.as_ptr(),
                options.as_ptr(),
                Some(stop_at_once),
                user_data,
                &mut out,
            );
            assert_eq!(code_of(code, out), expected);
        }
        for (targets, expected) in [
            (
                r#"[{"source":"apig","instance_id":"gw-ok"},{"source":"apig","instance_id":"gw-slow"}]"#,
                // No change ends this fleet (gw-slow stays pending): the first cancels.
                hwinst_code::CANCELLED,
            ),
            (
                r#"[{"source":"apig","instance_id":"gw-ok"}]"#,
                hwinst_code::OK,
            ),
        ] {
            let targets = CString::new(targets).unwrap();
            let code = hwinst_wait_many(
                client,
                targets.as_ptr(),
                options.as_ptr(),
                Some(stop_at_once),
                user_data,
                std::ptr::null(),
                &mut out,
            );
            assert_eq!(code_of(code, out), expected, "{targets:?}");
        }
        hwinst_client_free(client);
    }
    assert_eq!(calls.load(Ordering::SeqCst), 4);
}
