//! AK/SK request signing (`SDK-HMAC-SHA256`, `docs/apis.md`, Authentication) end to end: the requests the
//! client sends to a loopback server (never on port 80 or 443, so `Host` carries a port) are
//! checked by a verifier written here from the spec, and by the official Python SDK's signer
//! (tests/sdk/sdk_signature.py). The client's own signer is never called: three
//! implementations must agree.

// Real time here (clippy.toml refuses it elsewhere): checks a client on the system clock dates its
// signatures by real time.
#![allow(clippy::disallowed_methods)]

use crate::common;

use common::{INSTANCE, PROJECT};
use hmac::{Hmac, Mac};
use hwinst::Credentials;
use mockito::Server;
use percent_encoding::{percent_decode_str, percent_encode, AsciiSet, NON_ALPHANUMERIC};
use serde_json::json;
use sha2::{Digest, Sha256};
use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};
use time::{Date, Month, OffsetDateTime};

const AK: &str = "HPUATESTACCESSKEY0001";
const SK: &str = "tEsTsEcReTkEy0123456789abcdefghijklmnopq";
const SECURITY_TOKEN: &str = "gQpjbi1ub3J0aC00-TEMPORARY.token_value";

/// What §3 step 4.2 leaves as it is: `A-Z a-z 0-9 - _ . ~`.
const UNRESERVED: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// The hex SHA-256 of an empty body (§3 step 4.6): every request here has one.
const EMPTY_BODY_SHA256: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

// ---------------------------------------------------------------------------------------
// Capturing requests
// ---------------------------------------------------------------------------------------

/// One request as the server received it.
#[derive(Debug, Clone)]
struct Captured {
    method: String,
    /// The request target exactly as received (`?query` included).
    path_and_query: String,
    /// Every header, names lower case, in the order received.
    headers: Vec<(String, String)>,
}

impl Captured {
    /// The one value of header `name`: absent or repeated is an error, as the server could
    /// not tell which value was signed.
    fn one(&self, name: &str) -> Result<&str, String> {
        let values: Vec<&str> = self
            .headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
            .collect();
        match values[..] {
            [value] => Ok(value),
            [] => Err(format!("no {name} header")),
            _ => Err(format!("{} {name} headers: {values:?}", values.len())),
        }
    }

    fn has(&self, name: &str) -> bool {
        self.headers
            .iter()
            .any(|(n, _)| n.eq_ignore_ascii_case(name))
    }

    /// Replaces the value of header `name` (for the negative controls).
    fn set(&mut self, name: &str, value: &str) {
        for (n, v) in &mut self.headers {
            if n.eq_ignore_ascii_case(name) {
                *v = value.to_owned();
            }
        }
    }
}

/// Calls the five operations through a client with `credentials` against a fresh loopback
/// server; returns every request as received, and the server's `host:port`.
fn capture(credentials: Credentials) -> (Vec<Captured>, String) {
    let mut server = Server::new();
    let log: Arc<Mutex<Vec<Captured>>> = Arc::default();
    let operations = common::operations();
    let mocks: Vec<_> = operations
        .iter()
        .map(|op| {
            let fixture = match op.name {
                "roma_list_instances" => "roma_instance_page.json".to_owned(),
                name => format!("{name}.json"),
            };
            let body = common::fixture(&fixture);
            let log = Arc::clone(&log);
            server
                .mock("GET", (op.path)(INSTANCE).as_str())
                .with_header("content-type", "application/json;charset=UTF-8")
                .with_body_from_request(move |request| {
                    let headers = request
                        .headers()
                        .iter()
                        .map(|(name, value)| {
                            let value = value.to_str().expect("an ASCII header value");
                            (name.as_str().to_owned(), value.to_owned())
                        })
                        .collect();
                    log.lock().unwrap().push(Captured {
                        method: request.method().to_owned(),
                        path_and_query: request.path_and_query().to_owned(),
                        headers,
                    });
                    body.clone().into_bytes()
                })
                .expect(1)
                .create()
        })
        .collect();
    // The common builder sets a token: the credentials set after it must replace it.
    let client = common::builder(&server.url())
        .credentials(credentials)
        .build()
        .expect("client");
    for op in &operations {
        if let Err(e) = (op.call)(&client, INSTANCE) {
            panic!("{}: {e}", op.name);
        }
    }
    mocks.iter().for_each(|mock| mock.assert());
    let captured = log.lock().unwrap().clone();
    (captured, server.host_with_port())
}

// ---------------------------------------------------------------------------------------
// The verifier, from the signing rules alone (docs/apis.md, Authentication)
// ---------------------------------------------------------------------------------------

/// The parts of an `Authorization: SDK-HMAC-SHA256 Access=.., SignedHeaders=.., Signature=..`.
struct Authorization<'a> {
    access: &'a str,
    signed_headers: Vec<&'a str>,
    signature: &'a str,
}

fn parse_authorization(value: &str) -> Result<Authorization<'_>, String> {
    let malformed = || format!("malformed Authorization {value:?}");
    let fields = value
        .strip_prefix("SDK-HMAC-SHA256 ")
        .ok_or_else(malformed)?;
    let fields: Vec<&str> = fields.split(", ").collect();
    let [access, names, signature] = fields[..] else {
        return Err(malformed());
    };
    match (
        access.strip_prefix("Access="),
        names.strip_prefix("SignedHeaders="),
        signature.strip_prefix("Signature="),
    ) {
        (Some(access), Some(names), Some(signature)) => Ok(Authorization {
            access,
            signed_headers: names.split(';').collect(),
            signature,
        }),
        _ => Err(malformed()),
    }
}

/// Percent-decodes `wire` and re-encodes it with the unreserved set (upper-case hex).
fn reencode(wire: &str) -> String {
    let bytes: Vec<u8> = percent_decode_str(wire).collect();
    percent_encode(&bytes, UNRESERVED).to_string()
}

fn sha256_hex(data: &[u8]) -> String {
    Sha256::digest(data)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Checks `request`'s signature with the secret key `sk`: rebuilds the canonical request from
/// the request as received and the headers its `SignedHeaders` lists, the string to sign and
/// the HMAC, and compares. `Err` says what does not match.
fn verify(request: &Captured, sk: &str) -> Result<(), String> {
    let auth = parse_authorization(request.one("authorization")?)?;

    let (path, query) = request
        .path_and_query
        .split_once('?')
        .unwrap_or((&request.path_and_query, ""));
    // Path: each segment decoded and re-encoded; signed with a trailing `/`, sent without.
    let mut canonical_path = path.split('/').map(reencode).collect::<Vec<_>>().join("/");
    if !canonical_path.ends_with('/') {
        canonical_path.push('/');
    }
    // Query: sorted by decoded key, then value; `+` is a literal plus (a space is `%20`).
    let mut params: Vec<(Vec<u8>, Vec<u8>)> = query
        .split('&')
        .filter(|param| !param.is_empty())
        .map(|param| {
            let (key, value) = param.split_once('=').unwrap_or((param, ""));
            (
                percent_decode_str(key).collect(),
                percent_decode_str(value).collect(),
            )
        })
        .collect();
    params.sort();
    let canonical_query = params
        .iter()
        .map(|(k, v)| {
            let (k, v) = (percent_encode(k, UNRESERVED), percent_encode(v, UNRESERVED));
            format!("{k}={v}")
        })
        .collect::<Vec<_>>()
        .join("&");
    // Headers: the ones listed, which must be lower case, sorted, and each sent once.
    let mut sorted = auth.signed_headers.clone();
    sorted.sort_unstable();
    if sorted != auth.signed_headers || auth.signed_headers.iter().any(|n| *n != n.to_lowercase()) {
        return Err(format!(
            "SignedHeaders not lower case and sorted: {:?}",
            auth.signed_headers
        ));
    }
    let mut canonical_headers = String::new();
    for name in &auth.signed_headers {
        let value = request
            .one(name)
            .map_err(|e| format!("signed header {name}: {e}"))?;
        canonical_headers.push_str(&format!("{name}:{}\n", value.trim()));
    }

    let canonical_request = [
        request.method.to_uppercase(),
        canonical_path,
        canonical_query,
        canonical_headers,
        auth.signed_headers.join(";"),
        EMPTY_BODY_SHA256.to_owned(),
    ]
    .join("\n");
    let date = request.one("x-sdk-date")?;
    let string_to_sign = format!(
        "SDK-HMAC-SHA256\n{date}\n{}",
        sha256_hex(canonical_request.as_bytes())
    );
    let mut mac = Hmac::<Sha256>::new_from_slice(sk.as_bytes()).expect("HMAC takes any key");
    mac.update(string_to_sign.as_bytes());
    let expected: String = mac
        .finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    if auth.signature == expected {
        Ok(())
    } else {
        Err(format!(
            "signature {} but {expected} expected for the canonical request\n{canonical_request}",
            auth.signature
        ))
    }
}

/// What the client must send besides a valid signature: the AK, the signed header set, a
/// current `X-Sdk-Date`, the server's `host:port`, the project, and no token.
fn assert_sent_as_specified(request: &Captured, host: &str, security_token: Option<&str>) {
    let context = &request.path_and_query;
    let auth = parse_authorization(request.one("authorization").unwrap()).unwrap();
    assert_eq!(auth.access, AK, "{context}");
    let mut expected = vec!["host", "x-project-id", "x-sdk-date"];
    if security_token.is_some() {
        expected.push("x-security-token");
    }
    for name in expected {
        assert!(
            auth.signed_headers.contains(&name),
            "{context}: {name} not in SignedHeaders {:?}",
            auth.signed_headers
        );
    }

    let date = request.one("x-sdk-date").unwrap();
    let shape = date.len() == 16
        && date.bytes().enumerate().all(|(i, b)| match i {
            8 => b == b'T',
            15 => b == b'Z',
            _ => b.is_ascii_digit(),
        });
    assert!(
        shape,
        "{context}: X-Sdk-Date {date:?} is not YYYYMMDDTHHMMSSZ"
    );
    let field = |at: usize, len: usize| date[at..at + len].parse::<u16>().unwrap();
    let sent = Month::try_from(field(4, 2) as u8)
        .and_then(|month| Date::from_calendar_date(field(0, 4).into(), month, field(6, 2) as u8))
        .and_then(|day| day.with_hms(field(9, 2) as u8, field(11, 2) as u8, field(13, 2) as u8))
        .unwrap_or_else(|e| panic!("{context}: X-Sdk-Date {date:?}: {e}"))
        .assume_utc();
    let skew = (OffsetDateTime::from(SystemTime::now()) - sent).abs();
    assert!(
        skew < Duration::from_secs(300),
        "{context}: X-Sdk-Date {date} is {skew} away from now"
    );

    assert_eq!(request.one("host").unwrap(), host, "{context}");
    assert_eq!(request.one("x-project-id").unwrap(), PROJECT, "{context}");
    match security_token {
        Some(token) => assert_eq!(request.one("x-security-token").unwrap(), token),
        None => assert!(!request.has("x-security-token"), "{context}"),
    }
    assert!(!request.has("x-auth-token"), "{context}: X-Auth-Token sent");
}

/// Captures the five operations and checks every request, both ways.
fn check_all_operations(credentials: Credentials, security_token: Option<&str>) {
    let (captured, host) = capture(credentials);
    assert_eq!(captured.len(), common::operations().len());
    // Loopback ports are never the default ones: this covers `host:port` signing.
    let port = host.rsplit_once(':').map(|(_, port)| port);
    assert!(!matches!(port, None | Some("80" | "443")), "{host}");
    assert!(
        captured.iter().any(|r| r.path_and_query.contains('?')),
        "the list operation's query string was not captured"
    );
    for request in &captured {
        assert_sent_as_specified(request, &host, security_token);
        if let Err(e) = verify(request, SK) {
            panic!("{}: {e}", request.path_and_query);
        }
    }
}

// ---------------------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------------------

#[test]
fn every_operation_is_signed() {
    check_all_operations(Credentials::ak_sk(AK, SK), None);
}

#[test]
fn temporary_credentials_sign_the_security_token() {
    check_all_operations(
        Credentials::temporary_ak_sk(AK, SK, SECURITY_TOKEN),
        Some(SECURITY_TOKEN),
    );
}

/// The verifier is right on its own: it accepts the published test vectors.
#[test]
fn verifier_accepts_the_published_vectors() {
    let request = |path_and_query: &str, headers: &[(&str, &str)]| Captured {
        method: "GET".into(),
        path_and_query: path_and_query.into(),
        headers: headers
            .iter()
            .map(|(n, v)| (n.to_lowercase(), v.to_string()))
            .collect(),
    };
    let vectors = [
        (
            "SecretKey",
            request(
                "/path?limit=1",
                &[
                    ("X-Sdk-Date", "20060102T150405Z"),
                    ("TEST_UNDERSCORE", "x"),
                    ("Authorization", "SDK-HMAC-SHA256 Access=AccessKey, SignedHeaders=x-sdk-date, Signature=5a2ce64c865e0e6046321c6f3d5a77ba8413eeaf355c3166c03d58d02ac79624"),
                ],
            ),
        ),
        (
            "SecretKey",
            request(
                "/resources?size=1",
                &[
                    ("Host", "service.endpoint.myhuaweicloud.com"),
                    ("X-Sdk-Date", "20200608T023900Z"),
                    ("Authorization", "SDK-HMAC-SHA256 Access=AccessKey, SignedHeaders=host;x-sdk-date, Signature=cfb4171acec81de07d50e53d57eb77edd537414d66ddb1d7d780f128e12cd842"),
                ],
            ),
        ),
        (
            "sEcReTkEyExAmPlE0123456789abcdefghijklmn",
            request(
                "/v2/0a1b2c3d4e5f/apigw/instances/eddc4d25480b4cd6b512f270a1b8b341/progress",
                &[
                    ("Host", "apig.cn-north-4.myhuaweicloud.com"),
                    ("X-Project-Id", "0a1b2c3d4e5f"),
                    ("X-Sdk-Date", "20261122T101500Z"),
                    ("Authorization", "SDK-HMAC-SHA256 Access=HPUAXXXXXXXXXXXXXXXX, SignedHeaders=host;x-project-id;x-sdk-date, Signature=6dc2bdd9fd3b7da00cf19ee23803874443f56f3cc5a7f45e5fe8660e2dfaccb2"),
                ],
            ),
        ),
    ];
    for (sk, request) in &vectors {
        if let Err(e) = verify(request, sk) {
            panic!("{}: {e}", request.path_and_query);
        }
    }
}

/// Negative controls: the verifier can fail, so the tests above can too.
#[test]
fn verifier_rejects_tampered_requests() {
    let (captured, _) = capture(Credentials::temporary_ak_sk(AK, SK, SECURITY_TOKEN));
    let list = captured
        .iter()
        .find(|r| r.path_and_query.contains('?'))
        .expect("the list request");
    verify(list, SK).expect("the untouched request verifies");

    let mut tampered: Vec<(&str, Captured)> = Vec::new();
    let auth = list.one("authorization").unwrap();
    // One byte of the signature changed (its last hex digit).
    let last = auth.chars().last().unwrap();
    let flipped = if last == '0' { '1' } else { '0' };
    let mut request = list.clone();
    request.set(
        "authorization",
        &format!("{}{flipped}", &auth[..auth.len() - 1]),
    );
    tampered.push(("one signature byte", request));
    for (name, value) in [
        ("x-project-id", "0a1b2c3d4e5e"),
        ("x-security-token", "another-token"),
        ("host", "127.0.0.1:1"),
    ] {
        let mut request = list.clone();
        request.set(name, value);
        tampered.push((name, request));
    }
    let mut request = list.clone();
    request.path_and_query = request.path_and_query.replace("limit=10", "limit=11");
    tampered.push(("the query", request));
    let mut request = list.clone();
    request.headers.retain(|(name, _)| name != "x-sdk-date");
    tampered.push(("no X-Sdk-Date", request));

    for (what, request) in &tampered {
        assert!(verify(request, SK).is_err(), "{what}: still verifies");
    }
    let wrong_sk = format!("{SK}x");
    assert!(verify(list, &wrong_sk).is_err(), "another SK verifies");
}

// ---------------------------------------------------------------------------------------
// The official SDK
// ---------------------------------------------------------------------------------------

/// The `Authorization` the official SDK computes for `request` (tests/sdk/sdk_signature.py).
fn sdk_authorization(python: &Path, request: &Captured, sk: &str) -> String {
    let auth = parse_authorization(request.one("authorization").unwrap()).unwrap();
    let headers: serde_json::Map<String, serde_json::Value> = auth
        .signed_headers
        .iter()
        .map(|name| (name.to_string(), request.one(name).unwrap().into()))
        .collect();
    let (path, query) = request
        .path_and_query
        .split_once('?')
        .unwrap_or((&request.path_and_query, ""));
    let document = json!({
        "ak": auth.access,
        "sk": sk,
        "method": request.method,
        "scheme": "http",
        "host": request.one("host").unwrap(),
        "path": path,
        "query": query,
        "headers": headers,
        "body": "",
    });
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/sdk/sdk_signature.py");
    let mut child = Command::new(python)
        .arg(script)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", python.display()));
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(document.to_string().as_bytes()).unwrap();
    drop(stdin); // end of the document
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "sdk_signature.py failed ({}): {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap().trim_end().to_owned()
}

#[test]
fn official_sdk_computes_the_same_authorization() {
    let Some(python) = common::sdk_python() else {
        return;
    };
    for credentials in [
        Credentials::ak_sk(AK, SK),
        Credentials::temporary_ak_sk(AK, SK, SECURITY_TOKEN),
    ] {
        let (captured, _) = capture(credentials);
        for request in &captured {
            let sent = request.one("authorization").unwrap();
            let sdk = sdk_authorization(&python, request, SK);
            assert_eq!(sdk, sent, "{}: the SDK disagrees", request.path_and_query);
            // And the verifier above agrees with both.
            if let Err(e) = verify(request, SK) {
                panic!("{}: {e}", request.path_and_query);
            }
        }
    }
}
