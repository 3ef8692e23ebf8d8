//! Errors through the public API, against a real HTTP server on loopback: every error the
//! five seed documents list, every error body shape of `docs/apis.md` (Error answers), the status → kind
//! mapping, one-line `Display`, token redaction, and 2xx bodies that do not decode.

use crate::common;

use common::{Operation, INSTANCE, TOKEN};
use hwinst::{Client, Error, ErrorKind};
use mockito::{Mock, Server};

const JSON: (&str, &str) = ("content-type", "application/json;charset=UTF-8");
const HTML: (&str, &str) = ("content-type", "text/html");
const TEXT: (&str, &str) = ("content-type", "text/plain");

/// Response headers of a canned answer.
type Headers<'a> = &'a [(&'a str, &'a str)];

// ---------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------

/// Mocks `op`'s request path on `server` with this answer, expecting exactly one request.
fn answer(
    server: &mut Server,
    op: &Operation,
    status: usize,
    headers: Headers,
    body: impl AsRef<[u8]>,
) -> Mock {
    headers
        .iter()
        .fold(
            server
                .mock("GET", (op.path)(INSTANCE).as_str())
                .with_status(status),
            |mock, (name, value)| mock.with_header(*name, value),
        )
        .with_body(body)
        .expect(1)
        .create()
}

/// Calls `op`, which must fail.
fn fail(client: &Client, op: &Operation) -> Error {
    match (op.call)(client, INSTANCE) {
        Ok(value) => panic!("{}: expected an error, got {value}", op.name),
        Err(err) => err,
    }
}

/// The error `op` gives when a fresh server answers it like this (asserting one request).
fn error_for(op: &Operation, status: usize, headers: Headers, body: impl AsRef<[u8]>) -> Error {
    let mut server = Server::new();
    let mock = answer(&mut server, op, status, headers, body);
    let err = fail(&common::client(&server), op);
    mock.assert();
    err
}

fn operation(name: &str) -> Operation {
    common::operations()
        .into_iter()
        .find(|op| op.name == name)
        .unwrap_or_else(|| panic!("no operation {name}"))
}

/// What a `ServiceError` should have kept of the answer. Absent means `None`.
#[derive(Debug, Clone, Copy)]
struct Said<'a> {
    code: Option<&'a str>,
    msg: Option<&'a str>,
    details: Option<&'a str>,
    request_id: Option<&'a str>,
    snippet: Option<&'a str>,
}

impl<'a> Said<'a> {
    /// Nothing usable in the body (an empty body).
    const NOTHING: Said<'static> = Said {
        code: None,
        msg: None,
        details: None,
        request_id: None,
        snippet: None,
    };

    fn code_msg(code: &'a str, msg: &'a str) -> Said<'a> {
        Said {
            code: Some(code),
            msg: Some(msg),
            ..Said::NOTHING
        }
    }

    fn roma(code: &'a str, msg: &'a str, details: &'a str, request_id: &'a str) -> Said<'a> {
        Said {
            details: Some(details),
            request_id: Some(request_id),
            ..Said::code_msg(code, msg)
        }
    }

    fn snippet(snippet: &'a str) -> Said<'a> {
        Said {
            snippet: Some(snippet),
            ..Said::NOTHING
        }
    }

    fn with_request_id(self, request_id: &'a str) -> Said<'a> {
        Said {
            request_id: Some(request_id),
            ..self
        }
    }
}

/// Asserts `err` is the service error `said`, field by field, and that its `Display` is right.
fn assert_service_error(context: &str, err: &Error, status: u16, kind: ErrorKind, said: Said) {
    let service = err
        .service_error()
        .unwrap_or_else(|| panic!("{context}: not a service error: {err:?}"));
    assert_eq!(err.kind(), kind, "{context}: kind of {err}");
    assert_eq!(err.http_status(), Some(status), "{context}: http_status");
    assert_eq!(service.status, status, "{context}: status");
    assert_eq!(
        service.error_code.as_deref(),
        said.code,
        "{context}: error_code"
    );
    assert_eq!(
        service.error_msg.as_deref(),
        said.msg,
        "{context}: error_msg"
    );
    assert_eq!(
        service.error_details.as_deref(),
        said.details,
        "{context}: error_details"
    );
    assert_eq!(
        service.request_id.as_deref(),
        said.request_id,
        "{context}: request_id"
    );
    assert_eq!(
        err.request_id(),
        said.request_id,
        "{context}: Error::request_id"
    );
    assert_eq!(
        service.body_snippet.as_deref(),
        said.snippet,
        "{context}: body_snippet"
    );
    assert_display(context, err);
}

/// `Display` of a service error: one line, `HTTP <status>` first, then what the service said.
fn assert_display(context: &str, err: &Error) {
    let service = err.service_error().expect("a service error");
    let text = err.to_string();
    assert!(
        !text.contains(['\n', '\r']),
        "{context}: not one line: {text:?}"
    );
    let rest = text
        .strip_prefix(&format!("HTTP {}", service.status))
        .unwrap_or_else(|| {
            panic!(
                "{context}: {text:?} does not start with HTTP {}",
                service.status
            )
        });
    assert!(rest.starts_with([' ', ':']), "{context}: {text:?}");
    // Display shows what the service said with its line breaks turned into spaces.
    let fields = [&service.error_code, &service.error_msg, &service.request_id];
    for part in fields.into_iter().flatten() {
        let flat = part.replace(['\n', '\r', '\t'], " ");
        assert!(
            text.contains(flat.as_str()),
            "{context}: {text:?} lacks {flat:?}"
        );
    }
    if service.error_code.is_none() && service.error_msg.is_none() {
        if let Some(snippet) = &service.body_snippet {
            assert!(
                text.contains(snippet.as_str()),
                "{context}: {text:?} lacks {snippet:?}"
            );
        }
    }
}

/// The `message` of a decode error.
fn decode_message(context: &str, err: &Error) -> String {
    match err {
        Error::Decode { message, .. } => {
            assert_eq!(err.kind(), ErrorKind::Decode, "{context}");
            assert!(
                !err.is_retryable(),
                "{context}: a decode error is not retryable"
            );
            assert_eq!(err.http_status(), None, "{context}");
            assert!(err.service_error().is_none(), "{context}");
            let text = err.to_string();
            assert!(
                text.starts_with("could not decode the "),
                "{context}: {text}"
            );
            assert!(!text.contains('\n'), "{context}: not one line: {text:?}");
            message.clone()
        }
        other => panic!("{context}: expected a decode error, got {other:?}"),
    }
}

// ---------------------------------------------------------------------------------------
// 1. The errors the seed documents list, on every operation
// ---------------------------------------------------------------------------------------

// Seeds 001 (APIG) and 002 (ROMA details), verbatim. Seed 000 documents no error, so these
// also stand for it (every row runs against every operation).
const APIC_7102: &str = r#"{
  "error_code" : "APIC.7102",
  "error_msg" : "Incorrect token or token resolution failed"
}"#;
const APIC_7106: &str = r#"{
  "error_code" : "APIC.7106",
  "error_msg" : "No permissions to request for the method"
}"#;
const APIC_7302: &str = r#"{
  "error_code" : "APIC.7302",
  "error_msg" : "Instance not found"
}"#;
const APIC_9000: &str = r#"{
  "error_code" : "APIC.9000",
  "error_msg" : "Failed to request internal service"
}"#;

// Seed 003 (ROMA list), verbatim.
const ROMA_REQUEST_ID: &str = "13760c1fe8655e61209b75665e9bef43";
const ROMA_400: &str = r#"{
  "error_code" : "ROMA.00013000",
  "error_msg" : "Invalid parameter value,parameterName:name. Please refer to the support documentation",
  "error_details" : "some error details here",
  "request_id" : "13760c1fe8655e61209b75665e9bef43"
}"#;
const ROMA_401: &str = r#"{
  "error_code" : "ROMA.00012000",
  "error_msg" : "Incorrect token or token resolution failed",
  "error_details" : "some error details here",
  "request_id" : "13760c1fe8655e61209b75665e9bef43"
}"#;
const ROMA_403: &str = r#"{
  "error_code" : "ROMA.00012000",
  "error_msg" : "No permissions to request this method",
  "error_details" : "some error details here",
  "request_id" : "13760c1fe8655e61209b75665e9bef43"
}"#;
const ROMA_500: &str = r#"{
  "error_code" : "ROMA.00011000",
  "error_msg" : "System error",
  "error_details" : "some error details here",
  "request_id" : "13760c1fe8655e61209b75665e9bef43"
}"#;

// Seed 004 (CloudDC) gives the 401/500 schema ({error_code, error_msg}) but no example: the
// codes are illustrative, the messages its status table's. Its 429 has no body at all.
const CLOUDDC_401: &str =
    r#"{"error_code":"CLOUDDC.0401","error_msg":"The request is not authenticated."}"#;
const CLOUDDC_500: &str = r#"{"error_code":"CLOUDDC.0500","error_msg":"Internal server error."}"#;

struct Documented {
    seed: &'static str,
    status: u16,
    body: &'static str,
    kind: ErrorKind,
    retryable: bool,
    said: Said<'static>,
}

// One row per documented error, as in the shapes table below.
#[rustfmt::skip]
fn documented_errors() -> Vec<Documented> {
    use ErrorKind::*;
    let row = |seed, status, body, kind, retryable, said| Documented { seed, status, body, kind, retryable, said };
    let apic = Said::code_msg;
    let roma = |code, msg| Said::roma(code, msg, "some error details here", ROMA_REQUEST_ID);
    vec![
        row("001/002", 401, APIC_7102, Unauthorized, false, apic("APIC.7102", "Incorrect token or token resolution failed")),
        row("001/002", 403, APIC_7106, Forbidden, false, apic("APIC.7106", "No permissions to request for the method")),
        row("001/002", 404, APIC_7302, NotFound, false, apic("APIC.7302", "Instance not found")),
        row("001/002", 500, APIC_9000, Server, true, apic("APIC.9000", "Failed to request internal service")),
        row("003", 400, ROMA_400, Api, false, roma("ROMA.00013000", "Invalid parameter value,parameterName:name. Please refer to the support documentation")),
        row("003", 401, ROMA_401, Unauthorized, false, roma("ROMA.00012000", "Incorrect token or token resolution failed")),
        row("003", 403, ROMA_403, Forbidden, false, roma("ROMA.00012000", "No permissions to request this method")),
        row("003", 500, ROMA_500, Server, true, roma("ROMA.00011000", "System error")),
        row("004", 401, CLOUDDC_401, Unauthorized, false, apic("CLOUDDC.0401", "The request is not authenticated.")),
        row("004", 429, "", Throttled, true, Said::NOTHING),
        row("004", 500, CLOUDDC_500, Server, true, apic("CLOUDDC.0500", "Internal server error.")),
    ]
}

#[test]
fn documented_errors_on_every_operation() {
    for doc in documented_errors() {
        for op in common::operations() {
            let context = format!("seed {} HTTP {} on {}", doc.seed, doc.status, op.name);
            let headers: &[_] = if doc.body.is_empty() { &[] } else { &[JSON] };
            let err = error_for(&op, doc.status.into(), headers, doc.body);
            assert_service_error(&context, &err, doc.status, doc.kind, doc.said);
            assert_eq!(err.is_retryable(), doc.retryable, "{context}: retryable");
        }
    }
}

// ---------------------------------------------------------------------------------------
// 2. The request ID
// ---------------------------------------------------------------------------------------

#[test]
fn request_id_header_wins_over_the_body() {
    let op = operation("roma_list_instances");
    let header_id = "0f0e0d0c0b0a09080706050403020100";
    let cases: [(&str, Headers, &str, Option<&str>); 5] = [
        (
            "header and body",
            &[JSON, ("X-Request-Id", header_id)],
            ROMA_401,
            Some(header_id),
        ),
        (
            "header, lower case",
            &[JSON, ("x-request-id", header_id)],
            ROMA_401,
            Some(header_id),
        ),
        ("body only", &[JSON], ROMA_401, Some(ROMA_REQUEST_ID)),
        // An empty header says nothing: the body's ID stays.
        (
            "empty header",
            &[JSON, ("X-Request-Id", "")],
            ROMA_401,
            Some(ROMA_REQUEST_ID),
        ),
        (
            "header, body without one",
            &[JSON, ("X-Request-Id", header_id)],
            APIC_7102,
            Some(header_id),
        ),
    ];
    for (name, headers, body, expected) in cases {
        let err = error_for(&op, 401, headers, body);
        assert_eq!(err.kind(), ErrorKind::Unauthorized, "{name}");
        assert_eq!(err.request_id(), expected, "{name}");
        let service = err.service_error().expect("service error");
        assert_eq!(service.request_id.as_deref(), expected, "{name}");
        assert!(
            err.to_string()
                .ends_with(&format!("(request id {})", expected.unwrap())),
            "{name}: {err}"
        );
    }
}

// ---------------------------------------------------------------------------------------
// 3. Every error body shape of docs/apis.md (Error answers)
// ---------------------------------------------------------------------------------------

const NGINX_502: &str = "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n\
    <center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n";

struct Shape {
    name: &'static str,
    status: u16,
    content_type: (&'static str, &'static str),
    body: &'static str,
    kind: ErrorKind,
    said: Said<'static>,
}

// One row per shape, aligned: rustfmt would spread each over eight lines.
#[rustfmt::skip]
fn shapes() -> Vec<Shape> {
    use ErrorKind::*;
    let shape = |name, status, content_type, body, kind, said| Shape { name, status, content_type, body, kind, said };
    let code_msg = Said::code_msg;
    vec![
        shape("error_code/error_msg", 400, JSON, r#"{"error_code":"APIG.2012","error_msg":"Invalid parameter value"}"#, Api, code_msg("APIG.2012", "Invalid parameter value")),
        shape("ROMA's four fields", 400, JSON, r#"{"error_code":"ROMA.00013000","error_msg":"bad limit","error_details":"limit must be <= 500","request_id":"r-1"}"#, Api, Said::roma("ROMA.00013000", "bad limit", "limit must be <= 500", "r-1")),
        shape("errorCode/errorMsg", 409, JSON, r#"{"errorCode":"CDC.1001","errorMsg":"instance is locked"}"#, Api, code_msg("CDC.1001", "instance is locked")),
        shape("code/message", 404, JSON, r#"{"code":"NotFound","message":"no such instance"}"#, NotFound, code_msg("NotFound", "no such instance")),
        shape("nested error_code", 403, JSON, r#"{"error":{"error_code":"APIC.7106","error_msg":"denied"}}"#, Forbidden, code_msg("APIC.7106", "denied")),
        shape("nested code/message", 404, JSON, r#"{"error":{"code":"APIC.7302","message":"Instance not found","request_id":"r-2"}}"#, NotFound, code_msg("APIC.7302", "Instance not found").with_request_id("r-2")),
        shape("nested errorCode", 400, JSON, r#"{"error":{"errorCode":"X.1","errorMsg":"bad"}}"#, Api, code_msg("X.1", "bad")),
        shape("numeric code", 401, JSON, r#"{"code":401,"message":"x"}"#, Unauthorized, code_msg("401", "x")),
        shape("nginx HTML page", 502, HTML, NGINX_502, Server, Said::snippet("502 Bad Gateway 502 Bad Gateway nginx")),
        shape("plain text", 503, TEXT, "upstream connect error or disconnect/reset before headers.\nreset reason: overflow\n", Server, Said::snippet("upstream connect error or disconnect/reset before headers. reset reason: overflow")),
        shape("empty body", 504, TEXT, "", Server, Said::NOTHING),
        shape("blank body", 500, TEXT, " \r\n\t ", Server, Said::NOTHING),
        shape("JSON array", 400, JSON, "[1,2]", Api, Said::snippet("[1,2]")),
        shape("JSON string", 400, JSON, r#""oops""#, Api, Said::snippet(r#""oops""#)),
        shape("JSON null", 400, JSON, "null", Api, Said::snippet("null")),
        shape("object without error fields", 400, JSON, r#"{"result":"failed"}"#, Api, Said::snippet(r#"{"result":"failed"}"#)),
    ]
}

#[test]
fn every_error_body_shape_on_every_operation() {
    for shape in shapes() {
        for op in common::operations() {
            let context = format!("{} (HTTP {}) on {}", shape.name, shape.status, op.name);
            let err = error_for(&op, shape.status.into(), &[shape.content_type], shape.body);
            assert_service_error(&context, &err, shape.status, shape.kind, shape.said);
        }
    }
}

/// The snippet of `body` sent with `status` and `content_type`.
fn snippet_of(status: usize, content_type: (&str, &str), body: &str) -> String {
    let err = error_for(
        &operation("apig_creation_progress"),
        status,
        &[content_type],
        body,
    );
    err.service_error()
        .and_then(|e| e.body_snippet.clone())
        .unwrap_or_else(|| panic!("no snippet in {err:?}"))
}

/// At most 200 characters of text, then `…` when cut (the library's own unit test's bound).
fn assert_short_plain_text(snippet: &str) {
    assert!(!snippet.contains(['<', '>', '\n', '\r']), "{snippet:?}");
    let chars = snippet.chars().count();
    assert!(chars <= 201, "{chars} chars: {snippet:?}");
}

#[test]
fn snippets_are_short_plain_text() {
    let long_word = format!("<html><body><pre>{}</pre></body></html>", "x".repeat(1000));
    for body in [NGINX_502, &long_word] {
        assert_short_plain_text(&snippet_of(502, HTML, body));
    }
    let cut = snippet_of(502, HTML, &long_word);
    assert_eq!(cut, format!("{}…", "x".repeat(200)));
}

/// A cut that falls on a word boundary still keeps the limit (the folded space counts).
#[test]
fn a_snippet_cut_at_a_word_boundary_keeps_the_limit() {
    let page = format!(
        "<html><body><pre>{}</pre></body></html>",
        "line of text\n".repeat(100)
    );
    assert_short_plain_text(&snippet_of(502, HTML, &page));
}

// ---------------------------------------------------------------------------------------
// 4. Status → kind
// ---------------------------------------------------------------------------------------

#[test]
fn status_codes_map_to_kinds() {
    use ErrorKind::*;
    let table = [
        (400, Api, false),
        (401, Unauthorized, false),
        (403, Forbidden, false),
        (404, NotFound, false),
        (409, Api, false),
        (418, Api, false),
        (429, Throttled, true),
        (500, Server, true),
        (501, Server, false),
        (502, Server, true),
        (503, Server, true),
        (504, Server, true),
    ];
    let op = operation("clouddc_instance_status");
    for (status, kind, retryable) in table {
        let (code, msg) = (format!("TEST.{status}"), format!("status {status}"));
        let body = format!(r#"{{"error_code":"{code}","error_msg":"{msg}"}}"#);
        let err = error_for(&op, status.into(), &[JSON], &body);
        let context = format!("HTTP {status}");
        assert_service_error(&context, &err, status, kind, Said::code_msg(&code, &msg));
        assert_eq!(err.is_retryable(), retryable, "{context}: retryable");
        assert_eq!(ErrorKind::from_http_status(status), kind, "{context}");
    }
}

#[test]
fn redirects_are_not_followed() {
    for status in [301, 302, 307, 308] {
        for op in common::operations() {
            let mut server = Server::new();
            // Following would send the token to wherever Location points.
            let target = server.mock("GET", "/elsewhere").expect(0).create();
            let location = format!("{}/elsewhere", server.url());
            let headers = [("Location", location.as_str()), TEXT];
            let redirect = answer(&mut server, &op, status, &headers, "moved");
            let err = fail(&common::client(&server), &op);
            let context = format!("HTTP {status} on {}", op.name);
            assert_service_error(
                &context,
                &err,
                status as u16,
                ErrorKind::Api,
                Said::snippet("moved"),
            );
            assert!(!err.is_retryable(), "{context}");
            redirect.assert();
            target.assert();
        }
    }
}

// ---------------------------------------------------------------------------------------
// 5. Display and the C names
// ---------------------------------------------------------------------------------------

#[test]
fn display_examples() {
    let op = operation("roma_instance");
    let cases: [(u16, Headers, &str, &str); 5] = [
        (404, &[JSON, ("X-Request-Id", "abc")], APIC_7302, "HTTP 404 Not Found: APIC.7302: Instance not found (request id abc)"),
        (500, &[JSON], ROMA_500, "HTTP 500 Internal Server Error: ROMA.00011000: System error: some error details here (request id 13760c1fe8655e61209b75665e9bef43)"),
        (429, &[], "", "HTTP 429 Too Many Requests (empty body)"),
        (502, &[HTML], NGINX_502, "HTTP 502 Bad Gateway: 502 Bad Gateway 502 Bad Gateway nginx"),
        (401, &[JSON], r#"{"code":401,"message":"x"}"#, "HTTP 401 Unauthorized: 401: x"),
    ];
    for (status, headers, body, expected) in cases {
        let err = error_for(&op, status.into(), headers, body);
        assert_eq!(err.to_string(), expected);
        assert_display(expected, &err);
    }
}

/// A service may put a line break in its message; one log line must stay one line.
#[test]
fn display_is_one_line_even_when_the_message_has_line_breaks() {
    let op = operation("apig_creation_progress");
    let body = r#"{"error_code":"APIC.9000","error_msg":"Failed to request internal service\nbackend: timeout","error_details":"a\r\nb"}"#;
    let err = error_for(&op, 500, &[JSON], body);
    assert_display("error_msg with a line break", &err);
    // The fields themselves keep what the server sent.
    let service = err.service_error().unwrap();
    assert_eq!(
        service.error_msg.as_deref(),
        Some("Failed to request internal service\nbackend: timeout")
    );
    assert_eq!(service.error_details.as_deref(), Some("a\r\nb"));
}

#[test]
fn error_kind_names_match_the_c_abi() {
    use ErrorKind::*;
    let names = [
        (InvalidArgument, "INVALID_ARGUMENT"),
        (Config, "CONFIG"),
        (Transport, "TRANSPORT"),
        (Timeout, "TIMEOUT"),
        (Unauthorized, "UNAUTHORIZED"),
        (Forbidden, "FORBIDDEN"),
        (NotFound, "NOT_FOUND"),
        (Throttled, "THROTTLED"),
        (Server, "SERVER"),
        (Api, "API"),
        (Decode, "DECODE"),
    ];
    for (kind, name) in names {
        assert_eq!(kind.as_str(), name);
        assert_eq!(kind.to_string(), name);
    }
}

// ---------------------------------------------------------------------------------------
// 6. The token never comes back in an error
// ---------------------------------------------------------------------------------------

/// Asserts the token is nowhere in `err` and `***` is where it was echoed.
fn assert_token_hidden(context: &str, err: &Error) {
    let display = err.to_string();
    let debug = format!("{err:?}");
    for (what, text) in [("Display", &display), ("Debug", &debug)] {
        assert!(!text.contains(TOKEN), "{context}: token in {what}: {text}");
    }
    assert!(display.contains("***"), "{context}: no *** in {display}");
    if let Some(service) = err.service_error() {
        let fields = [
            &service.error_code,
            &service.error_msg,
            &service.error_details,
            &service.request_id,
            &service.body_snippet,
        ];
        for field in fields.into_iter().flatten() {
            assert!(!field.contains(TOKEN), "{context}: token in {field:?}");
        }
    }
}

#[test]
fn the_token_is_never_echoed_in_service_errors() {
    let op = operation("roma_instance");
    let json_body = format!(
        r#"{{"error_code":"APIC.7102","error_msg":"Incorrect token {TOKEN}","error_details":"X-Auth-Token: {TOKEN}","request_id":"{TOKEN}"}}"#
    );
    let header_id = format!("req-{TOKEN}");
    let err = error_for(&op, 401, &[JSON, ("X-Request-Id", &header_id)], &json_body);
    assert_token_hidden("JSON body and header", &err);
    let service = err.service_error().expect("service error");
    assert_eq!(service.error_code.as_deref(), Some("APIC.7102"));
    assert_eq!(service.error_msg.as_deref(), Some("Incorrect token ***"));
    assert_eq!(service.error_details.as_deref(), Some("X-Auth-Token: ***"));
    assert_eq!(service.request_id.as_deref(), Some("req-***"));

    // Without the header, the body's request_id (the bare token) is what is kept.
    let err = error_for(&op, 401, &[JSON], &json_body);
    assert_token_hidden("body request_id", &err);
    assert_eq!(err.request_id(), Some("***"));

    let html = format!("<html><body><h1>Forbidden</h1><p>token {TOKEN} rejected</p></body></html>");
    let err = error_for(&op, 403, &[HTML], &html);
    assert_token_hidden("HTML body", &err);
    assert_eq!(
        err.service_error().and_then(|e| e.body_snippet.as_deref()),
        Some("Forbidden token *** rejected")
    );

    let code_body = format!(r#"{{"code":"{TOKEN}","message":"{TOKEN}{TOKEN}"}}"#);
    let err = error_for(&op, 400, &[JSON], &code_body);
    assert_token_hidden("code/message", &err);
    assert_eq!(
        err.service_error().and_then(|e| e.error_msg.as_deref()),
        Some("******")
    );
}

#[test]
fn the_token_is_never_echoed_in_decode_errors() {
    let cases = [
        (
            "apig_creation_progress",
            format!(r#"{{"progress":"{TOKEN}"}}"#),
        ),
        (
            "clouddc_instance_status",
            format!("<html><body>token {TOKEN}</body></html>"),
        ),
        ("roma_instance", format!("{TOKEN} is not JSON")),
    ];
    for (name, body) in cases {
        let err = error_for(&operation(name), 200, &[JSON], &body);
        let message = decode_message(name, &err);
        assert!(message.contains("***"), "{name}: {message}");
        assert_token_hidden(name, &err);
    }
}

/// Real IAM tokens run to kilobytes: one echoed near the start of a page must be masked
/// before the snippet is cut, or its first part would survive the cut.
#[test]
fn a_long_token_cut_by_the_snippet_limit_is_still_hidden() {
    let long_token = format!("MIIZ{}", "k3nPart-".repeat(500));
    let prefix = &long_token[..40];
    let page = format!("<html><body><p>X-Auth-Token: {long_token}</p></body></html>");
    for (name, status) in [("roma_instance", 502), ("apig_creation_progress", 200)] {
        let op = operation(name);
        let mut server = Server::new();
        let mock = answer(&mut server, &op, status, &[HTML], &page);
        let client = common::builder(&server.url())
            .token(long_token.as_str())
            .build()
            .expect("client");
        let err = fail(&client, &op);
        mock.assert();
        let text = format!("{err} {err:?}");
        assert!(
            !text.contains(prefix),
            "HTTP {status}: token prefix leaked: {text}"
        );
    }
}

// ---------------------------------------------------------------------------------------
// 7. 2xx bodies that are not of the documented shape
// ---------------------------------------------------------------------------------------

#[test]
fn a_wrong_typed_field_is_named() {
    let cases = [
        (
            "apig_creation_progress",
            r#"{"progress":{"a":1}}"#,
            "progress",
        ),
        (
            "roma_creation_progress",
            r#"{"instance":{"port":[1]}}"#,
            "instance.port",
        ),
        (
            "roma_instance",
            r#"{"id":"i","listeners":[{"port":"eighty"}]}"#,
            "listeners[0].port",
        ),
        (
            "roma_list_instances",
            r#"{"total":2,"instances":[{"id":"a"},{"id":["b"]}]}"#,
            "instances[1].id",
        ),
        (
            "clouddc_instance_status",
            r#"{"state":"error","error":{"error_code":{"x":1}}}"#,
            "error.error_code",
        ),
    ];
    for (name, body, path) in cases {
        let err = error_for(&operation(name), 200, &[JSON], body);
        let message = decode_message(name, &err);
        assert!(
            message.contains(&format!("`{path}`")),
            "{name}: {message:?} does not name {path}"
        );
    }
}

/// A body that is not UTF-8 takes the byte parser (a UTF-8 body is parsed as text): its
/// error still names the field and says why.
#[test]
fn a_field_that_is_not_utf8_is_named() {
    let mut body = br#"{"progress":50,"status":"creat"#.to_vec();
    body.extend_from_slice(b"\xff\xfe");
    body.extend_from_slice(br#"ing"}"#);
    let err = error_for(&operation("apig_creation_progress"), 200, &[JSON], body);
    let message = decode_message("not UTF-8", &err);
    assert!(
        message.contains("`status`") && message.contains("invalid unicode code point"),
        "{message:?}"
    );
}

#[test]
fn malformed_2xx_bodies_are_decode_errors_on_every_operation() {
    // (what, body, text the message must contain)
    let cases = [
        (
            "truncated JSON",
            r#"{"status":"creat"#,
            r#"the body starts: {"status":"creat"#,
        ),
        (
            "HTML",
            "<html><body><h1>Service Unavailable</h1></body></html>",
            "the body starts: Service Unavailable",
        ),
        ("plain text", "OK", "the body starts: OK"),
        ("empty", "", "body is empty"),
        (
            "trailing garbage",
            r#"{"status":"x"} trailing"#,
            "trailing characters",
        ),
        ("top-level array", "[1,2]", "invalid type: sequence"),
        ("top-level string", r#""ok""#, "invalid type: string"),
    ];
    for op in common::operations() {
        for (what, body, expected) in cases {
            let context = format!("{what} on {}", op.name);
            let err = error_for(&op, 200, &[JSON], body);
            let message = decode_message(&context, &err);
            assert!(
                message.contains(expected),
                "{context}: {message:?} lacks {expected:?}"
            );
        }
    }
}

// ---------------------------------------------------------------------------------------
// 8. A huge error body
// ---------------------------------------------------------------------------------------

#[test]
fn a_huge_error_body_is_cut_short() {
    let op = operation("roma_list_instances");
    let body = vec![b'x'; 5 * 1024 * 1024];
    let err = error_for(&op, 500, &[TEXT], body);
    assert_eq!(err.kind(), ErrorKind::Server);
    assert!(err.is_retryable());
    let snippet = err
        .service_error()
        .and_then(|e| e.body_snippet.clone())
        .expect("a snippet");
    assert!(snippet.starts_with("xxxxxxxxxx"), "{snippet}");
    assert!(
        snippet.chars().count() <= 201,
        "{} chars",
        snippet.chars().count()
    );
    assert!(
        err.to_string().len() < 400,
        "{} bytes of Display",
        err.to_string().len()
    );
}

/// serde quotes a wrong-typed string in full; the message stays one readable line.
#[test]
fn a_huge_wrong_typed_value_gives_a_short_decode_message() {
    let huge = "9".repeat(100_000) + "x";
    let body = format!(r#"{{"progress":"{huge}"}}"#);
    let err = error_for(&operation("apig_creation_progress"), 200, &[JSON], body);
    let message = decode_message("huge value", &err);
    assert!(message.contains("`progress`"), "{message}");
    assert!(
        message.chars().count() <= 601,
        "{} chars",
        message.chars().count()
    );
    assert!(message.ends_with('…'), "{message}");
}
