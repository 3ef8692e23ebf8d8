//! What the client logs (target `hwinst`): each retry with its attempt, cause and pause, a
//! `Retry-After` pause, asking IAM for a token (first, renewed, after a 401) and a project
//! look-up; and that no credential ever appears in a log record.

// Real time here (clippy.toml refuses it elsewhere): dates mock IAM tokens by the system clock the
// client also uses.
#![allow(clippy::disallowed_methods)]

use crate::common;

use common::{builder, PROJECT, TOKEN};
use hwinst::{Client, Credentials, ManualClock, RetryPolicy, Service};
use log::Level;
use mockito::{Matcher, Server};
use serde_json::json;
use std::sync::Arc;
use std::time::Duration;

const ID: &str = "eddc4d25480b4cd6b512f270a1b8b341";
const OK_BODY: &str = r#"{"progress":100,"status":"success"}"#;
const PASSWORD: &str = "Pa55-w0rd-s3cr3t";
const IAM_TOKEN: &str = "MIIiam-t0ken-s3cr3t";
const SK: &str = "sEcReTkEy-s3cr3t";

/// This thread's records so far, as (level, message): each with the `hwinst` target and no
/// secret of these tests.
fn records() -> Vec<(Level, String)> {
    common::capture::records(&[TOKEN, PASSWORD, IAM_TOKEN, SK])
}

/// Starts capturing this thread's records.
fn capture() {
    records();
}

fn has(records: &[(Level, String)], level: Level, parts: &[&str]) -> bool {
    records
        .iter()
        .any(|(l, m)| *l == level && parts.iter().all(|p| m.contains(p)))
}

fn apig_path(project: &str) -> String {
    format!("/v2/{project}/apigw/instances/{ID}/progress")
}

fn fast(attempts: u32) -> RetryPolicy {
    RetryPolicy::new()
        .max_attempts(attempts)
        .base_delay(Duration::from_millis(1))
        .max_delay(Duration::from_secs(10))
}

#[test]
fn a_retry_says_which_attempt_why_and_how_long_it_pauses() {
    capture();
    let mut server = Server::new();
    let busy = server
        .mock("GET", apig_path(PROJECT).as_str())
        .with_status(503)
        .expect(1)
        .create();
    let ok = server
        .mock("GET", apig_path(PROJECT).as_str())
        .with_body(OK_BODY)
        .expect(1)
        .create();
    let clock = Arc::new(ManualClock::new());
    builder(&server.url())
        .retry(fast(3))
        .clock(Arc::clone(&clock) as Arc<dyn hwinst::Clock>)
        .build()
        .unwrap()
        .apig_creation_progress(ID)
        .unwrap();
    let pause_ms = clock.sleeps()[0].as_millis().to_string();
    let records = records();
    assert!(
        has(
            &records,
            Level::Info,
            &["GET ", "/progress", "HTTP 503", "attempt 2 of 3", &pause_ms]
        ),
        "{records:#?}"
    );
    assert!(
        !has(&records, Level::Info, &["Retry-After"]),
        "{records:#?}"
    );
    // Every attempt, at debug level.
    assert!(has(&records, Level::Debug, &["HTTP 503 (attempt 1)"]));
    assert!(has(&records, Level::Debug, &["HTTP 200 (attempt 2)"]));
    busy.assert();
    ok.assert();
}

#[test]
fn a_retry_after_pause_says_what_the_service_asked() {
    capture();
    let mut server = Server::new();
    let throttled = server
        .mock("GET", apig_path(PROJECT).as_str())
        .with_status(429)
        .with_header("retry-after", "2")
        .expect(1)
        .create();
    let ok = server
        .mock("GET", apig_path(PROJECT).as_str())
        .with_body(OK_BODY)
        .expect(1)
        .create();
    builder(&server.url())
        .retry(fast(2))
        .clock(Arc::new(ManualClock::new()))
        .build()
        .unwrap()
        .apig_creation_progress(ID)
        .unwrap();
    let records = records();
    assert!(
        has(
            &records,
            Level::Info,
            &["HTTP 429", "attempt 2 of 2 in 2000 ms", "(Retry-After: 2)"]
        ),
        "{records:#?}"
    );
    throttled.assert();
    ok.assert();
}

fn iam_token(server: &mut Server, valid_secs: i64, times: usize) -> mockito::Mock {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let expires = time::OffsetDateTime::from_unix_timestamp(now + valid_secs)
        .unwrap()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap();
    server
        .mock("POST", "/v3/auth/tokens")
        .with_status(201)
        .with_header("x-subject-token", IAM_TOKEN)
        .with_body(json!({"token": {"expires_at": expires}}).to_string())
        .expect(times)
        .create()
}

fn iam_client(server: &Server) -> Client {
    Client::builder()
        .endpoint(Service::Apig, server.url())
        .iam_endpoint(server.url())
        .project_id(PROJECT)
        .credentials(Credentials::iam_password("ops", PASSWORD, "acme"))
        .retry(RetryPolicy::none())
        .build()
        .unwrap()
}

#[test]
fn iam_tokens_asked_for_and_renewed_are_logged_without_a_secret() {
    capture();
    let mut server = Server::new();
    // Already expired: the second call renews it.
    let iam = iam_token(&mut server, -60, 2);
    let service = server
        .mock("GET", apig_path(PROJECT).as_str())
        .match_header("x-auth-token", IAM_TOKEN)
        .with_body(OK_BODY)
        .expect(2)
        .create();
    let client = iam_client(&server);
    client.apig_creation_progress(ID).unwrap();
    client.apig_creation_progress(ID).unwrap();
    let records = records();
    assert!(
        has(
            &records,
            Level::Info,
            &["asking IAM for a token (no token held)", "/v3/auth/tokens"]
        ),
        "{records:#?}"
    );
    assert!(
        has(
            &records,
            Level::Info,
            &["asking IAM for a token (renewing the token)"]
        ),
        "{records:#?}"
    );
    assert!(has(&records, Level::Debug, &["IAM issued a token"]));
    iam.assert();
    service.assert();
}

#[test]
fn a_401_that_drops_the_iam_token_is_logged() {
    capture();
    let mut server = Server::new();
    let iam = iam_token(&mut server, 3600, 2);
    let rejected = server
        .mock("GET", apig_path(PROJECT).as_str())
        .with_status(401)
        .with_body(r#"{"error_code":"APIG.0301","error_msg":"token expired"}"#)
        .expect(1)
        .create();
    let ok = server
        .mock("GET", apig_path(PROJECT).as_str())
        .with_body(OK_BODY)
        .expect(1)
        .create();
    iam_client(&server).apig_creation_progress(ID).unwrap();
    let records = records();
    assert!(
        has(
            &records,
            Level::Info,
            &["answered 401", "dropping the IAM token"]
        ),
        "{records:#?}"
    );
    let asked = records
        .iter()
        .filter(|(_, m)| m.starts_with("asking IAM for a token"))
        .count();
    assert_eq!(asked, 2, "{records:#?}");
    iam.assert();
    rejected.assert();
    ok.assert();
}

#[test]
fn a_project_look_up_is_logged() {
    capture();
    let mut server = Server::new();
    let project = "05041fffa40025702f6dc009cc6f8f33";
    let projects = server
        .mock("GET", "/v3/projects")
        .match_query(Matcher::UrlEncoded("name".into(), "cn-north-4".into()))
        .with_body(json!({"projects": [{"id": project, "name": "cn-north-4"}]}).to_string())
        .expect(1)
        .create();
    let service = server
        .mock("GET", apig_path(project).as_str())
        .with_body(OK_BODY)
        .expect(1)
        .create();
    Client::builder()
        .region("cn-north-4")
        .endpoint(Service::Apig, server.url())
        .iam_endpoint(server.url())
        .ak_sk("AK1", SK)
        .retry(RetryPolicy::none())
        .build()
        .unwrap()
        .apig_creation_progress(ID)
        .unwrap();
    let records = records();
    assert!(
        has(
            &records,
            Level::Info,
            &[
                "looking up the project of region cn-north-4",
                "/v3/projects?name=cn-north-4"
            ]
        ),
        "{records:#?}"
    );
    assert!(
        has(
            &records,
            Level::Info,
            &["region cn-north-4 is project", project]
        ),
        "{records:#?}"
    );
    projects.assert();
    service.assert();
}
