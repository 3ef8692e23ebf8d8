//! Authentication checks: a known `X-Auth-Token`, or an AK/SK signature verified as the real
//! gateway verifies it, from the request exactly as received.
//!
//! The signature is recomputed with the client's own canonicalisation (`crate::auth::sign`), so one
//! implementation of AK/SK signing (`docs/apis.md`, Authentication) serves both sides; the client's published test vectors
//! pin it down.

use super::log::AuthKind;
use super::secret::same;
use super::world::World;
use crate::auth::sign;
use hyper::http::HeaderMap;
use std::time::{Duration, SystemTime};
use time::{Date, Month, PrimitiveDateTime, Time};

/// How far `X-Sdk-Date` may be from the simulator's clock, either way.
pub const MAX_CLOCK_SKEW: Duration = Duration::from_secs(15 * 60);

/// A request as received, for checking its credentials.
pub(crate) struct Received<'a> {
    pub method: &'a str,
    /// The path and query exactly as on the wire (still percent-encoded).
    pub path: &'a str,
    pub query: &'a str,
    pub headers: &'a HeaderMap,
    pub body: &'a [u8],
}

/// What kind of credentials a request carries (checked or not): a token wins over a signature.
pub(crate) fn presented(headers: &HeaderMap) -> AuthKind {
    if headers.contains_key("x-auth-token") {
        AuthKind::Token
    } else if headers.contains_key("authorization") {
        AuthKind::Aksk
    } else {
        AuthKind::None
    }
}

/// Why a request's credentials are refused.
pub(crate) struct Refused {
    /// Why, in plain words (for `X-Sim-Reason`; never a secret).
    pub why: String,
    /// The API gateway's own message (`APIGW.0301`), when the gateway refuses the request
    /// rather than the service.
    pub gateway_message: Option<String>,
}

impl From<String> for Refused {
    fn from(why: String) -> Refused {
        Refused {
            why,
            gateway_message: None,
        }
    }
}

/// The gateway's message for a security token past its expiry.
pub(crate) const EXPIRED_SECURITY_TOKEN: &str =
    "Incorrect IAM authentication information: the security token has expired";

/// Checks the request's token or signature at `now` (the simulator's calendar time); `Err`
/// says why it is refused (never with a secret in it).
pub(crate) fn authenticate(
    world: &World,
    request: &Received,
    now: SystemTime,
) -> Result<AuthKind, Refused> {
    match presented(request.headers) {
        AuthKind::Token => {
            let token = single(request.headers, "x-auth-token").map_err(Refused::from)?;
            if world.keys.token_valid(token, now) {
                Ok(AuthKind::Token)
            } else {
                Err(String::from("the token is unknown or expired").into())
            }
        }
        AuthKind::Aksk => {
            let authorization = single(request.headers, "authorization").map_err(Refused::from)?;
            check_signature(world, request, authorization, now).map(|()| AuthKind::Aksk)
        }
        AuthKind::None => {
            Err(String::from("the request has neither X-Auth-Token nor Authorization").into())
        }
    }
}

/// The one value of header `name`, as text.
pub(crate) fn single<'a>(headers: &'a HeaderMap, name: &str) -> Result<&'a str, String> {
    let mut values = headers.get_all(name).iter();
    match (values.next(), values.next()) {
        (Some(value), None) => value
            .to_str()
            .map_err(|_| format!("the {name} header is not visible ASCII")),
        (None, _) => Err(format!("the {name} header is missing")),
        (Some(_), Some(_)) => Err(format!("the {name} header is sent more than once")),
    }
}

/// The three parts of `SDK-HMAC-SHA256 Access=..., SignedHeaders=..., Signature=...`.
struct Authorization<'a> {
    access: &'a str,
    signed_headers: &'a str,
    signature: &'a str,
}

fn parse_authorization(value: &str) -> Result<Authorization<'_>, String> {
    let rest = value
        .strip_prefix(sign::ALGORITHM)
        .and_then(|rest| rest.strip_prefix(' '))
        .ok_or_else(|| {
            format!(
                "the Authorization header does not start with {}",
                sign::ALGORITHM
            )
        })?;
    let (mut access, mut signed_headers, mut signature) = (None, None, None);
    for part in rest.split(',') {
        let (key, value) = part
            .trim()
            .split_once('=')
            .ok_or_else(|| format!("the Authorization header has a part without `=`: {part:?}"))?;
        let slot = match key {
            "Access" => &mut access,
            "SignedHeaders" => &mut signed_headers,
            "Signature" => &mut signature,
            _ => {
                return Err(format!(
                    "the Authorization header has an unknown part {key:?}"
                ))
            }
        };
        if slot.replace(value).is_some() {
            return Err(format!("the Authorization header repeats {key}"));
        }
    }
    match (access, signed_headers, signature) {
        (Some(access), Some(signed_headers), Some(signature)) => Ok(Authorization {
            access,
            signed_headers,
            signature,
        }),
        _ => Err("the Authorization header lacks Access, SignedHeaders or Signature".into()),
    }
}

fn check_signature(
    world: &World,
    request: &Received,
    authorization: &str,
    now: SystemTime,
) -> Result<(), Refused> {
    let presented = parse_authorization(authorization)?;
    let key = world
        .keys
        .signing_key(presented.access)
        .ok_or_else(|| format!("the access key {:?} is unknown", presented.access))?;
    // The gateway knows the key's expiry as soon as it has looked the key up.
    if key.expires.is_some_and(|expires| now >= expires) {
        return Err(Refused {
            why: format!(
                "the temporary access key {:?} expired (simulator time)",
                presented.access
            ),
            gateway_message: Some(EXPIRED_SECURITY_TOKEN.into()),
        });
    }
    let names: Vec<&str> = presented.signed_headers.split(';').collect();
    // The gateway requires only `x-sdk-date` to be signed and checks whatever else is listed
    // (service-facts.md §3): the official Go SDK signs `user-agent;x-project-id;x-sdk-date`,
    // without `host`.
    if !names.contains(&"x-sdk-date") {
        return Err(format!(
            "SignedHeaders {:?} does not include x-sdk-date",
            presented.signed_headers
        )
        .into());
    }
    let mut signed = Vec::with_capacity(names.len());
    for name in &names {
        let lower_case_name = name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_');
        if name.is_empty() || !lower_case_name {
            return Err(format!(
                "SignedHeaders {:?} must list lower-case header names separated by `;`",
                presented.signed_headers
            )
            .into());
        }
        signed.push((
            (*name).to_owned(),
            single(request.headers, name)?.to_owned(),
        ));
    }
    let date = single(request.headers, "x-sdk-date")?.trim();
    let signed_at = parse_sdk_date(date)
        .ok_or_else(|| format!("X-Sdk-Date {date:?} is not of the form YYYYMMDDTHHMMSSZ"))?;
    let skew = now
        .duration_since(signed_at)
        .unwrap_or_else(|e| e.duration());
    if skew > MAX_CLOCK_SKEW {
        return Err(Refused {
            why: format!(
                "X-Sdk-Date {date} is {} s away from the simulator's clock (at most {} s are \
                 allowed)",
                skew.as_secs(),
                MAX_CLOCK_SKEW.as_secs()
            ),
            gateway_message: Some(signature_expired(signed_at, now)),
        });
    }
    if let Some(expected) = key.security_token {
        let sent = single(request.headers, "x-security-token")
            .map_err(|why| format!("{why} (the access key is temporary)"))?;
        if !same(sent.as_bytes(), expected.expose().as_bytes()) {
            return Err(
                String::from("the X-Security-Token does not belong to the access key").into(),
            );
        }
    }
    let canonical = sign::canonical_request(
        request.method,
        request.path,
        request.query,
        &signed,
        request.body,
    );
    let expected =
        sign::Signer::new(key.sk.expose()).signature(&sign::string_to_sign(date, &canonical));
    if same(presented.signature.as_bytes(), expected.as_bytes()) {
        Ok(())
    } else {
        // The canonical request is what a signer compares against its own; the security
        // token is the one secret it may hold.
        let secrets: Vec<&str> = signed
            .iter()
            .filter(|(name, _)| name == "x-security-token")
            .map(|(_, value)| value.trim())
            .collect();
        let canonical = crate::error::redact(&canonical, &secrets);
        Err(format!("the signature does not match; canonical request: {canonical:?}").into())
    }
}

/// The gateway's message for an `X-Sdk-Date` too far from its clock.
fn signature_expired(signed_at: SystemTime, now: SystemTime) -> String {
    format!(
        "Incorrect IAM authentication information: calc aksk signature fail:signature expired, \
         signature time:{},server time:{}",
        sign::sdk_date(signed_at),
        sign::sdk_date(now)
    )
}

/// `YYYYMMDDTHHMMSSZ` as a time.
fn parse_sdk_date(text: &str) -> Option<SystemTime> {
    let bytes = text.as_bytes();
    if bytes.len() != 16 || bytes[8] != b'T' || bytes[15] != b'Z' {
        return None;
    }
    let field = |range: std::ops::Range<usize>| -> Option<u32> {
        let digits = text.get(range)?;
        digits
            .bytes()
            .all(|b| b.is_ascii_digit())
            .then(|| digits.parse().ok())?
    };
    let date = Date::from_calendar_date(
        i32::try_from(field(0..4)?).ok()?,
        Month::try_from(u8::try_from(field(4..6)?).ok()?).ok()?,
        u8::try_from(field(6..8)?).ok()?,
    )
    .ok()?;
    let time = Time::from_hms(
        u8::try_from(field(9..11)?).ok()?,
        u8::try_from(field(11..13)?).ok()?,
        u8::try_from(field(13..15)?).ok()?,
    )
    .ok()?;
    Some(SystemTime::from(
        PrimitiveDateTime::new(date, time).assume_utc(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::UNIX_EPOCH;

    #[test]
    fn sdk_dates() {
        let at = parse_sdk_date("20060102T150405Z").unwrap();
        assert_eq!(
            at.duration_since(UNIX_EPOCH).unwrap().as_secs(),
            1_136_214_245
        );
        assert_eq!(sign::sdk_date(at), "20060102T150405Z");
        for bad in [
            "",
            "20060102T150405",
            "2006-01-02T15:04:05Z",
            "20061302T150405Z",
            "2006010aT150405Z",
            "20060102T250405Z",
            "20060102T15040５Z",
        ] {
            assert!(parse_sdk_date(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn authorization_parts() {
        let a = parse_authorization(
            "SDK-HMAC-SHA256 Access=AK, SignedHeaders=host;x-sdk-date, Signature=abc",
        )
        .unwrap();
        assert_eq!(
            (a.access, a.signed_headers, a.signature),
            ("AK", "host;x-sdk-date", "abc")
        );
        for bad in [
            "Bearer x",
            "SDK-HMAC-SHA256 Access=AK, Signature=abc",
            "SDK-HMAC-SHA256 Access=AK, SignedHeaders=host, Signature=abc, Extra=1",
            "SDK-HMAC-SHA256 Access=AK, Access=AK, SignedHeaders=host, Signature=abc",
            "SDK-HMAC-SHA256 Access",
        ] {
            assert!(parse_authorization(bad).is_err(), "{bad}");
        }
    }
}
