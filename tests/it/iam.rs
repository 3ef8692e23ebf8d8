//! IAM password credentials (a token fetched once, shared, renewed, refreshed once after a
//! 401, never leaked) and project look-up by region, against mockito standing in for IAM and
//! the services.

// Real time here (clippy.toml refuses it elsewhere): a mock IAM that answers late and dates tokens
// by the system clock the client also uses.
#![allow(clippy::disallowed_methods)]

use crate::common;

use common::PROJECT;
use hwinst::{Client, Credentials, ErrorKind, RetryPolicy, Service};
use mockito::{Matcher, Mock, Server};
use serde_json::json;
use std::time::{Duration, SystemTime};

const ID: &str = "eddc4d25480b4cd6b512f270a1b8b341";
const PASSWORD: &str = "Pa55-w0rd-s3cr3t";
const OK_BODY: &str = r#"{"progress":100,"status":"success"}"#;

fn apig_path(project: &str) -> String {
    format!("/v2/{project}/apigw/instances/{ID}/progress")
}

/// `expires_at` as IAM writes it, `offset` from now (negative: already expired).
fn expires_at(offset_secs: i64) -> String {
    let now = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let at = time::OffsetDateTime::from_unix_timestamp(now + offset_secs).unwrap();
    at.format(&time::format_description::well_known::Rfc3339)
        .unwrap()
}

/// IAM answering `POST /v3/auth/tokens` with `token`, valid for `valid_secs`.
fn iam_token(server: &mut Server, token: &str, valid_secs: i64) -> mockito::Mock {
    server
        .mock("POST", "/v3/auth/tokens")
        .match_header("content-type", "application/json;charset=UTF-8")
        .match_body(Matcher::PartialJson(json!({"auth": {"identity": {
            "methods": ["password"],
            "password": {"user": {"name": "ops", "password": PASSWORD, "domain": {"name": "acme"}}}
        }}})))
        .with_status(201)
        .with_header("x-subject-token", token)
        .with_body(
            json!({"token": {"expires_at": expires_at(valid_secs), "methods": ["password"]}})
                .to_string(),
        )
        .expect(1)
        .create()
}

fn service(server: &mut Server, token: &str, status: usize) -> Mock {
    server
        .mock("GET", apig_path(PROJECT).as_str())
        .match_header("x-auth-token", token)
        .with_status(status)
        .with_body(if status == 200 {
            OK_BODY
        } else {
            r#"{"error_code":"APIG.0301","error_msg":"token expired"}"#
        })
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
fn one_token_for_sixteen_concurrent_calls() {
    let mut server = Server::new();
    let iam = server
        .mock("POST", "/v3/auth/tokens")
        .match_body(Matcher::PartialJson(
            json!({"auth": {"scope": {"project": {"id": PROJECT}}}}),
        ))
        .with_status(201)
        .with_header("x-subject-token", "tok-1")
        // A slow IAM: the other threads arrive while the token is being fetched.
        .with_chunked_body(|w| {
            std::thread::sleep(Duration::from_millis(200));
            w.write_all(
                json!({"token": {"expires_at": expires_at(86_400)}})
                    .to_string()
                    .as_bytes(),
            )
        })
        .expect(1)
        .create();
    let calls = service(&mut server, "tok-1", 200).expect(16);
    let client = iam_client(&server);
    let threads: Vec<_> = (0..16)
        .map(|_| {
            let client = client.clone();
            std::thread::spawn(move || client.apig_creation_progress(ID).map(|p| p.progress()))
        })
        .collect();
    for thread in threads {
        assert_eq!(thread.join().unwrap().unwrap(), Some(100));
    }
    iam.assert();
    calls.assert();
}

#[test]
fn an_expired_token_is_renewed() {
    let mut server = Server::new();
    // Already expired when issued: used for its request, renewed for the next.
    let first = iam_token(&mut server, "tok-1", -60);
    let second = iam_token(&mut server, "tok-2", 86_400);
    let with_first = service(&mut server, "tok-1", 200).expect(1);
    let with_second = service(&mut server, "tok-2", 200).expect(2);
    let client = iam_client(&server);
    for _ in 0..3 {
        client.apig_creation_progress(ID).unwrap();
    }
    first.assert();
    second.assert();
    with_first.assert();
    with_second.assert();
}

#[test]
fn a_401_gets_exactly_one_new_token_and_one_retry() {
    let mut server = Server::new();
    let first = iam_token(&mut server, "tok-1", 86_400);
    let second = iam_token(&mut server, "tok-2", 86_400);
    let rejected = service(&mut server, "tok-1", 401).expect(1);
    let accepted = service(&mut server, "tok-2", 200).expect(1);
    iam_client(&server).apig_creation_progress(ID).unwrap();
    first.assert();
    second.assert();
    rejected.assert();
    accepted.assert();

    // Still 401 with the new token: the error, after one refresh, not a loop.
    let mut server = Server::new();
    let tokens = server
        .mock("POST", "/v3/auth/tokens")
        .with_status(201)
        .with_header("x-subject-token", "tok-n")
        .with_body(json!({"token": {"expires_at": expires_at(86_400)}}).to_string())
        .expect(2)
        .create();
    let always = service(&mut server, "tok-n", 401).expect(2);
    let err = iam_client(&server).apig_creation_progress(ID).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Unauthorized);
    tokens.assert();
    always.assert();
}

#[test]
fn a_wrong_password_is_unauthorized_and_never_shown() {
    let mut server = Server::new();
    let iam = server
        .mock("POST", "/v3/auth/tokens")
        .with_status(401)
        .with_header("x-request-id", "iam-req-1")
        // An IAM that echoes what it was sent.
        .with_body(
            json!({"error": {"code": 401, "message": format!("The password {PASSWORD} is wrong"), "title": "Unauthorized"}})
                .to_string(),
        )
        .expect(2) // once from Rust, once through the C ABI
        .create();
    let never = server.mock("GET", Matcher::Any).expect(0).create();
    let client = iam_client(&server);
    let err = client.apig_creation_progress(ID).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Unauthorized);
    assert_eq!(err.request_id(), Some("iam-req-1"));
    for text in [err.to_string(), format!("{err:?}"), format!("{client:?}")] {
        assert!(!text.contains(PASSWORD), "{text}");
    }
    assert!(err.to_string().contains("***"), "{err}");

    // Through the C ABI: the error document hides it too.
    let config = json!({
        "project_id": PROJECT,
        "credentials": {"iam_password": {"user": "ops", "password": PASSWORD, "domain": "acme"}},
        "endpoints": {"apig": server.url(), "iam": server.url()},
        "retry": {"max_attempts": 1},
    })
    .to_string();
    let document = c_call(&config);
    assert!(document.contains(r#""code":"UNAUTHORIZED""#), "{document}");
    assert!(!document.contains(PASSWORD), "{document}");
    iam.assert();
    never.assert();
}

/// The error document of `hwinst_apig_creation_progress` with a client from `config`.
fn c_call(config: &str) -> String {
    use hwinst::ffi;
    use std::ffi::{CStr, CString};
    let config = CString::new(config).unwrap();
    let id = CString::new(ID).unwrap();
    let mut client = std::ptr::null_mut();
    let mut json = std::ptr::null_mut();
    // SAFETY: valid strings and out-pointers; everything returned is freed once.
    unsafe {
        assert_eq!(
            ffi::hwinst_client_new(config.as_ptr(), &mut client, std::ptr::null_mut()),
            ffi::hwinst_code::OK
        );
        ffi::hwinst_apig_creation_progress(client, id.as_ptr(), &mut json);
        let document = CStr::from_ptr(json).to_str().unwrap().to_owned();
        ffi::hwinst_string_free(json);
        ffi::hwinst_client_free(client);
        document
    }
}

#[test]
fn the_project_is_looked_up_once_from_the_region_with_ak_sk() {
    let mut server = Server::new();
    let projects = server
        .mock("GET", "/v3/projects")
        .match_query(Matcher::UrlEncoded("name".into(), "cn-north-4".into()))
        .match_header(
            "authorization",
            Matcher::Regex("^SDK-HMAC-SHA256 Access=AK1, SignedHeaders=host;x-sdk-date, ".into()),
        )
        .match_header("x-project-id", Matcher::Missing)
        .with_body(
            json!({"projects": [
                {"id": "05041fffa40025702f6dc009cc6f8f33", "name": "cn-north-4"},
                {"id": "other", "name": "cn-north-4_sub"}
            ]})
            .to_string(),
        )
        .expect(1)
        .create();
    let looked_up = "05041fffa40025702f6dc009cc6f8f33";
    let calls = server
        .mock("GET", apig_path(looked_up).as_str())
        .match_header("x-project-id", looked_up)
        .with_body(OK_BODY)
        .expect(3)
        .create();
    let client = Client::builder()
        .region("cn-north-4")
        .endpoint(Service::Apig, server.url())
        .iam_endpoint(server.url())
        .ak_sk("AK1", "SK1-s3cr3t")
        .build()
        .unwrap();
    for _ in 0..3 {
        client.apig_creation_progress(ID).unwrap();
    }
    projects.assert();
    calls.assert();
}

#[test]
fn the_project_is_looked_up_with_an_iam_token_scoped_by_region() {
    let mut server = Server::new();
    let iam = server
        .mock("POST", "/v3/auth/tokens")
        .match_body(Matcher::PartialJson(
            json!({"auth": {"scope": {"project": {"name": "cn-north-4"}}}}),
        ))
        .with_status(201)
        .with_header("x-subject-token", "tok-r")
        .with_body(json!({"token": {"expires_at": expires_at(86_400)}}).to_string())
        .expect(1)
        .create();
    let projects = server
        .mock("GET", "/v3/projects?name=cn-north-4")
        .match_header("x-auth-token", "tok-r")
        .with_body(json!({"projects": [{"id": "p-looked-up", "name": "cn-north-4"}]}).to_string())
        .expect(1)
        .create();
    let call = server
        .mock("GET", apig_path("p-looked-up").as_str())
        .match_header("x-auth-token", "tok-r")
        .with_body(OK_BODY)
        .expect(1)
        .create();
    Client::builder()
        .region("cn-north-4")
        .endpoint(Service::Apig, server.url())
        .iam_endpoint(server.url())
        .iam_password("ops", PASSWORD, "acme")
        .build()
        .unwrap()
        .apig_creation_progress(ID)
        .unwrap();
    iam.assert();
    projects.assert();
    call.assert();
}

#[test]
fn no_project_or_several_is_a_configuration_error() {
    for (projects, expected) in [
        (json!([]), "no project named"),
        (
            json!([{"id": "a", "name": "cn-north-4"}, {"id": "b", "name": "cn-north-4"}]),
            "2 projects",
        ),
        (
            json!([{"id": "../etc", "name": "cn-north-4"}]),
            "project_id",
        ),
    ] {
        let mut server = Server::new();
        server
            .mock("GET", "/v3/projects?name=cn-north-4")
            .with_body(json!({ "projects": projects }).to_string())
            .create();
        let never = server
            .mock("GET", Matcher::Regex("^/v2/".into()))
            .expect(0)
            .create();
        let err = Client::builder()
            .region("cn-north-4")
            .endpoint(Service::Apig, server.url())
            .iam_endpoint(server.url())
            .ak_sk("AK1", "SK1-s3cr3t")
            .build()
            .unwrap()
            .apig_creation_progress(ID)
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Config, "{err}");
        assert!(err.to_string().contains(expected), "{err}");
        never.assert();
    }
}

#[test]
fn configuration_errors_need_no_server() {
    let cases = [
        (
            Client::builder().region("cn-north-4").token("t0k3n-123"),
            "cannot be looked up",
        ),
        (
            Client::builder()
                .endpoint(Service::Apig, "http://127.0.0.1:1")
                .ak_sk("AK", "SK-s3cr3t"),
            "region",
        ),
        (
            Client::builder()
                .region("cn-north-4")
                .project_id("p")
                .iam_password("", "pw-s3cr3t", "d"),
            "IAM user",
        ),
        (
            Client::builder()
                .region("cn-north-4")
                .project_id("p")
                .iam_password("u", "", "d"),
            "password",
        ),
        (
            Client::builder()
                .region("cn-north-4")
                .project_id("p")
                .iam_password("u", "pw-s3cr3t", "d")
                .iam_endpoint("http://iam.example.com"),
            "allow_http",
        ),
        (
            Client::builder()
                .region("cn-north-4")
                .project_id("p")
                .ak_sk("A K", "SK-s3cr3t"),
            "access key",
        ),
        (
            Client::builder()
                .region("cn-north-4")
                .project_id("p")
                .ak_sk("AK", ""),
            "secret key",
        ),
    ];
    for (builder, expected) in cases {
        let err = builder.build().unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Config, "{err}");
        assert!(err.to_string().contains(expected), "{err} lacks {expected}");
    }
}
