//! Issue 17: hostile input through the public interfaces — configuration documents that must
//! not be echoed (through the C ABI's `hwinst_client_new` as a C caller sees it), credentials
//! too short to be real, regions that are not region names, blank numbers kept, and the C
//! boundary's panic handling.

use crate::common;

use hwinst::ffi::hwinst_code;
use hwinst::ErrorKind;
use serde_json::Value;
use std::ffi::CString;

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
