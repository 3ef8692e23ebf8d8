//! AK/SK request signing (`SDK-HMAC-SHA256`), the scheme the official Huawei Cloud SDKs use.
//!
//! Pure functions, and [`Signer`] (the HMAC keyed once), from the request as it goes on the
//! wire to its `Authorization` header value, so that the signature can be checked against
//! published vectors and against the official SDKs. Which headers to sign, and sending them with exactly the signed (trimmed)
//! values, is the caller's job.
//!
//! The secret key only ever goes into the HMAC: it is in no message or `Debug` output, and
//! `Signer` keeps only the HMAC's keyed state.

use crate::id::ENCODE;
use hmac::{Hmac, Mac};
use percent_encoding::{percent_decode_str, percent_encode};
use sha2::{Digest, Sha256};
use std::borrow::Cow;
use std::time::SystemTime;
use time::OffsetDateTime;

/// The algorithm name, first word of the `Authorization` value and of the string to sign.
pub(crate) const ALGORITHM: &str = "SDK-HMAC-SHA256";

/// `at` as the `X-Sdk-Date` header wants it: UTC, `YYYYMMDDTHHMMSSZ`.
///
/// Panics only for a time after the year 9999, which no real clock gives.
pub(crate) fn sdk_date(at: SystemTime) -> String {
    let t = OffsetDateTime::from(at);
    format!(
        "{:04}{:02}{:02}T{:02}{:02}{:02}Z",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

/// The time an `X-Sdk-Date` value (`20060102T150405Z`, as [`sdk_date`] writes it) stands for.
pub(crate) fn parse_sdk_date(text: &str) -> Option<SystemTime> {
    let b = text.as_bytes();
    if b.len() != 16 || b[8] != b'T' || b[15] != b'Z' {
        return None;
    }
    let number = |range: std::ops::Range<usize>| -> Option<u32> {
        let digits = text.get(range)?;
        digits
            .bytes()
            .all(|c| c.is_ascii_digit())
            .then(|| digits.parse().ok())?
    };
    let month = time::Month::try_from(u8::try_from(number(4..6)?).ok()?).ok()?;
    let date = time::Date::from_calendar_date(
        i32::try_from(number(0..4)?).ok()?,
        month,
        u8::try_from(number(6..8)?).ok()?,
    )
    .ok()?;
    let at = time::Time::from_hms(
        u8::try_from(number(9..11)?).ok()?,
        u8::try_from(number(11..13)?).ok()?,
        u8::try_from(number(13..15)?).ok()?,
    )
    .ok()?;
    Some(time::PrimitiveDateTime::new(date, at).assume_utc().into())
}

/// The signed headers as (lower-case name, trimmed value), sorted by name: the order both the
/// canonical headers and `SignedHeaders` use.
fn sorted_headers<N: AsRef<str>, V: AsRef<str>>(headers: &[(N, V)]) -> Vec<(Cow<'_, str>, &str)> {
    let mut sorted: Vec<(Cow<'_, str>, &str)> = headers
        .iter()
        .map(|(name, value)| {
            let name = name.as_ref();
            // The names this client signs are lower case already: borrowed as they are.
            let name = if name.bytes().any(|b| b.is_ascii_uppercase()) {
                Cow::Owned(name.to_ascii_lowercase())
            } else {
                Cow::Borrowed(name)
            };
            (name, value.as_ref().trim())
        })
        .collect();
    sorted.sort_by(|a, b| a.0.cmp(&b.0));
    sorted
}

/// Appends the sorted names joined by `;`: the `SignedHeaders` value.
fn push_names(out: &mut String, sorted: &[(Cow<'_, str>, &str)]) {
    for (i, (name, _)) in sorted.iter().enumerate() {
        if i > 0 {
            out.push(';');
        }
        out.push_str(name);
    }
}

/// Percent-decodes `wire` (an undecodable `%` stays as it is) and re-encodes the bytes with
/// the unreserved set, upper-case hex: the one spelling the server also computes, whatever
/// spelling was sent.
fn push_reencoded(out: &mut String, wire: &str) {
    // Without a `%` nothing decodes, and unreserved bytes encode as themselves: a segment of
    // them (every real ID) is its own canonical form.
    if wire.bytes().all(crate::id::is_unreserved) {
        out.push_str(wire);
        return;
    }
    let bytes: Vec<u8> = percent_decode_str(wire).collect();
    out.extend(percent_encode(&bytes, ENCODE));
}

/// The canonical URI: each segment of the wire path decoded and re-encoded, with a `/` appended
/// when missing (signed with it, sent without it).
///
/// The official SDKs decode the whole path before splitting it, so an encoded `/` (`%2F`)
/// inside a segment would be signed differently there; this client never sends one, as
/// `id::path_segment` refuses `/` and `%` in IDs.
#[cfg(any(test, fuzzing))]
pub(crate) fn canonical_path(path: &str) -> String {
    let mut canonical = String::with_capacity(path.len() + 1);
    push_canonical_path(&mut canonical, path);
    canonical
}

fn push_canonical_path(out: &mut String, path: &str) {
    for (i, segment) in path.split('/').enumerate() {
        if i > 0 {
            out.push('/');
        }
        push_reencoded(out, segment);
    }
    if !out.ends_with('/') {
        out.push('/');
    }
}

/// The canonical query string: each `key=value` of the wire query decoded (a `+` is a literal
/// plus: this client sends a space as `%20`), sorted by decoded key then value as the SDKs do,
/// re-encoded and joined by `&`. A parameter without `=` has an empty value; empty when there
/// is no query.
pub(crate) fn canonical_query(query: &str) -> String {
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
    let mut canonical = String::with_capacity(query.len());
    for (i, (key, value)) in params.iter().enumerate() {
        if i > 0 {
            canonical.push('&');
        }
        canonical.extend(percent_encode(key, ENCODE));
        canonical.push('=');
        canonical.extend(percent_encode(value, ENCODE));
    }
    canonical
}

/// Appends the lower-case hex of `bytes`.
fn push_hex(out: &mut String, bytes: &[u8]) {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    for byte in bytes {
        out.push(char::from(DIGITS[usize::from(byte >> 4)]));
        out.push(char::from(DIGITS[usize::from(byte & 0x0f)]));
    }
}

/// The hex SHA-256 of an empty body (every GET's), which needs no hashing.
const EMPTY_BODY_SHA256: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

/// Appends the lower-case hex SHA-256 of `data`.
fn push_sha256_hex(out: &mut String, data: &[u8]) {
    if data.is_empty() {
        out.push_str(EMPTY_BODY_SHA256);
    } else {
        push_hex(out, &Sha256::digest(data));
    }
}

/// The canonical request: method, canonical path, canonical query, `name:value\n` per signed
/// header, `SignedHeaders`, hex SHA-256 of the body, joined by `\n`.
///
/// `path` and `query` are exactly what goes on the wire (already percent-encoded, no `?`);
/// `headers` are the headers to sign, sent with these values. (The simulator's check; the
/// client signs through [`Signer::authorization`].)
#[cfg(any(test, feature = "sim"))]
pub(crate) fn canonical_request<N: AsRef<str>, V: AsRef<str>>(
    method: &str,
    path: &str,
    query: &str,
    headers: &[(N, V)],
    body: &[u8],
) -> String {
    canonical_request_sorted(method, path, query, &sorted_headers(headers), body)
}

fn canonical_request_sorted(
    method: &str,
    path: &str,
    query: &str,
    sorted: &[(Cow<'_, str>, &str)],
    body: &[u8],
) -> String {
    // One buffer, written in place: this runs for every signed request.
    let mut out = String::with_capacity(256 + path.len() + query.len());
    out.extend(method.chars().map(|c| c.to_ascii_uppercase()));
    out.push('\n');
    push_canonical_path(&mut out, path);
    out.push('\n');
    out.push_str(&canonical_query(query));
    out.push('\n');
    for (name, value) in sorted {
        out.push_str(name);
        out.push(':');
        out.push_str(value);
        out.push('\n');
    }
    out.push('\n');
    push_names(&mut out, sorted);
    out.push('\n');
    push_sha256_hex(&mut out, body);
    out
}

/// The string to sign: algorithm, `X-Sdk-Date` value, hex SHA-256 of the canonical request.
pub(crate) fn string_to_sign(sdk_date: &str, canonical_request: &str) -> String {
    let mut out = String::with_capacity(ALGORITHM.len() + sdk_date.len() + 66);
    out.push_str(ALGORITHM);
    out.push('\n');
    out.push_str(sdk_date);
    out.push('\n');
    push_sha256_hex(&mut out, canonical_request.as_bytes());
    out
}

/// HMAC-SHA256 keyed with one secret key. The key's two padded blocks are hashed once, when
/// the signer is made, instead of for every request; the key itself is kept nowhere.
#[derive(Clone)]
pub(crate) struct Signer {
    mac: Hmac<Sha256>,
}

impl Signer {
    pub(crate) fn new(sk: &str) -> Signer {
        // HMAC takes a key of any length, so there is no error to report (and the key is in
        // none).
        let Ok(mac) = Hmac::<Sha256>::new_from_slice(sk.as_bytes()) else {
            unreachable!("HMAC accepts keys of every length")
        };
        Signer { mac }
    }

    /// Hex HMAC-SHA256 of `string_to_sign`.
    pub(crate) fn signature(&self, string_to_sign: &str) -> String {
        let mut mac = self.mac.clone();
        mac.update(string_to_sign.as_bytes());
        let mut hex = String::with_capacity(64);
        push_hex(&mut hex, &mac.finalize().into_bytes());
        hex
    }

    /// The `Authorization` header value for a request:
    /// `SDK-HMAC-SHA256 Access={ak}, SignedHeaders={names}, Signature={hex}`.
    ///
    /// `sdk_date` is the `X-Sdk-Date` value sent (normally one of `signed_headers`); `path` and
    /// `query` are as sent on the wire; `signed_headers` are (name, value) as sent.
    // Plain arguments: the request's parts, each one of the canonical parts or the key.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn authorization<N: AsRef<str>, V: AsRef<str>>(
        &self,
        ak: &str,
        sdk_date: &str,
        method: &str,
        path: &str,
        query: &str,
        signed_headers: &[(N, V)],
        body: &[u8],
    ) -> String {
        let sorted = sorted_headers(signed_headers);
        let canonical = canonical_request_sorted(method, path, query, &sorted, body);
        let signature = self.signature(&string_to_sign(sdk_date, &canonical));
        let mut out = String::with_capacity(128 + ak.len());
        out.push_str(ALGORITHM);
        out.push_str(" Access=");
        out.push_str(ak);
        out.push_str(", SignedHeaders=");
        push_names(&mut out, &sorted);
        out.push_str(", Signature=");
        out.push_str(&signature);
        out
    }
}

impl std::fmt::Debug for Signer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Derived from the secret key: nothing of it is shown.
        f.write_str("Signer { .. }")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::id::encode;
    use std::time::{Duration, UNIX_EPOCH};

    fn headers(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(n, v)| (n.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn vector_1_unsigned_underscore_header() {
        let sent = headers(&[("X-Sdk-Date", "20060102T150405Z"), ("TEST_UNDERSCORE", "x")]);
        let signed: Vec<_> = sent
            .into_iter()
            // The SDKs never sign a name with `_` (some proxies drop such headers); the client
            // signs only headers it chose, none of which has one.
            .filter(|(name, _)| !name.contains('_'))
            .map(|(name, value)| (name.to_ascii_lowercase(), value))
            .collect();
        let auth = Signer::new("SecretKey").authorization(
            "AccessKey",
            "20060102T150405Z",
            "GET",
            "/path",
            "limit=1",
            &signed,
            b"",
        );
        assert_eq!(
            auth,
            "SDK-HMAC-SHA256 Access=AccessKey, SignedHeaders=x-sdk-date, \
             Signature=5a2ce64c865e0e6046321c6f3d5a77ba8413eeaf355c3166c03d58d02ac79624"
        );
    }

    #[test]
    fn vector_2_host_signed() {
        let signed = headers(&[
            ("host", "service.endpoint.myhuaweicloud.com"),
            ("x-sdk-date", "20200608T023900Z"),
        ]);
        let auth = Signer::new("SecretKey").authorization(
            "AccessKey",
            "20200608T023900Z",
            "GET",
            "/resources",
            "size=1",
            &signed,
            b"",
        );
        assert_eq!(
            auth,
            "SDK-HMAC-SHA256 Access=AccessKey, SignedHeaders=host;x-sdk-date, \
             Signature=cfb4171acec81de07d50e53d57eb77edd537414d66ddb1d7d780f128e12cd842"
        );
    }

    #[test]
    fn vector_3_project_id_signed() {
        // Given out of order: the signer sorts.
        let signed = headers(&[
            ("x-sdk-date", "20261122T101500Z"),
            ("x-project-id", "0a1b2c3d4e5f"),
            ("host", "apig.cn-north-4.myhuaweicloud.com"),
        ]);
        let auth = Signer::new("sEcReTkEyExAmPlE0123456789abcdefghijklmn").authorization(
            "HPUAXXXXXXXXXXXXXXXX",
            "20261122T101500Z",
            "GET",
            "/v2/0a1b2c3d4e5f/apigw/instances/eddc4d25480b4cd6b512f270a1b8b341/progress",
            "",
            &signed,
            b"",
        );
        assert_eq!(
            auth,
            "SDK-HMAC-SHA256 Access=HPUAXXXXXXXXXXXXXXXX, SignedHeaders=host;x-project-id;x-sdk-date, \
             Signature=6dc2bdd9fd3b7da00cf19ee23803874443f56f3cc5a7f45e5fe8660e2dfaccb2"
        );
    }

    #[test]
    fn canonical_request_layout() {
        let signed = headers(&[("X-Sdk-Date", " 20060102T150405Z "), ("Host", "h")]);
        assert_eq!(
            canonical_request("get", "/a", "", &signed, b""),
            "GET\n/a/\n\nhost:h\nx-sdk-date:20060102T150405Z\n\nhost;x-sdk-date\n\
             e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        assert_eq!(
            string_to_sign("20060102T150405Z", "x"),
            "SDK-HMAC-SHA256\n20060102T150405Z\n\
             2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881"
        );
    }

    #[test]
    fn query_canonicalisation_example() {
        let test = "一 (&=?!#%.*)";
        // Scrambled, with the repeated `multi` out of order too.
        let wire = [
            ("multi", "3"),
            ("test", test),
            ("path", "/tmp/123"),
            ("multi", "1"),
            ("enable", "true"),
            ("limit", "1"),
            ("multi", "2"),
        ]
        .iter()
        .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
        .collect::<Vec<_>>()
        .join("&");
        assert_eq!(
            canonical_query(&wire),
            "enable=true&limit=1&multi=1&multi=2&multi=3&path=%2Ftmp%2F123\
             &test=%E4%B8%80%20%28%26%3D%3F%21%23%25.%2A%29"
        );
    }

    #[test]
    fn query_edge_cases() {
        assert_eq!(canonical_query(""), "");
        // `+` is a literal plus; a parameter without `=` has an empty value.
        assert_eq!(canonical_query("b=x+y&a"), "a=&b=x%2By");
        // Sorted by the decoded value ('9' < ':'), not by its encoding ("%3A" < "9").
        assert_eq!(canonical_query("v=%3A&v=9"), "v=9&v=%3A");
        // Lower-case hex and needlessly encoded unreserved characters: one spelling.
        assert_eq!(canonical_query("k=%3a%7E%41"), "k=%3A~A");
    }

    #[test]
    fn path_canonicalisation() {
        assert_eq!(canonical_path("/v2/p/instances"), "/v2/p/instances/");
        assert_eq!(canonical_path("/v2/p/instances/"), "/v2/p/instances/");
        assert_eq!(canonical_path("/"), "/");
        assert_eq!(canonical_path("/x/a%3Ab"), "/x/a%3Ab/");
        assert_eq!(canonical_path("/x/a%3ab"), "/x/a%3Ab/");
        assert_eq!(canonical_path("/x/%7e%C3%A9"), "/x/~%C3%A9/");
    }

    #[test]
    fn sdk_date_is_utc_basic_format() {
        assert_eq!(
            sdk_date(UNIX_EPOCH + Duration::from_secs(1_136_214_245)),
            "20060102T150405Z"
        );
        assert_eq!(sdk_date(UNIX_EPOCH), "19700101T000000Z");
        let at = UNIX_EPOCH + Duration::from_secs(1_136_214_245);
        assert_eq!(parse_sdk_date(&sdk_date(at)), Some(at));
        for bad in [
            "",
            "20060102T150405",
            "2006010XT150405Z",
            "20061302T150405Z",
            "+0060102T150405Z",
        ] {
            assert_eq!(parse_sdk_date(bad), None, "{bad}");
        }
    }
}
