//! Decoding JSON: a reply's body into its model (or the error a non-2xx reply stands for), and a
//! document given as an argument. A failure names the field that did not fit by its JSON path,
//! and never holds a secret.

use crate::error::{self, Error, Result};
use crate::http::transport::Reply;
use serde::de::DeserializeOwned;
use std::fmt::Display;

/// A reply's JSON body as `T`, or the error a non-2xx reply stands for. `secrets` gives the
/// secrets to mask in anything the server said, whatever the status: a 2xx body that echoes
/// one (in an `error_msg`, say) is decoded with it masked, since its text reaches results and
/// messages. `what` names the response in errors.
pub(crate) fn json_reply<T: DeserializeOwned>(
    reply: &Reply,
    secrets: impl FnOnce() -> Vec<String>,
    what: &'static str,
) -> Result<T> {
    let secrets = secrets();
    let secrets: Vec<&str> = secrets.iter().map(String::as_str).collect();
    let undecodable = if reply.is_success() {
        match document(&reply.body) {
            Ok(value) if !may_hold(&reply.body, &secrets) => return Ok(value),
            Ok(_) => match masked_document(&reply.body, &secrets) {
                Ok(value) => return Ok(value),
                Err(why) => Some(why),
            },
            Err(why) => Some(why),
        }
    } else {
        None
    };
    Err(match undecodable {
        None => reply.error(&secrets),
        Some((path, error)) => Error::Decode {
            what,
            message: decode_message(what, &path, &error, &reply.body, &secrets),
        },
    })
}

/// Whether a body may hold one of `secrets`: as it is, or behind a JSON escape that could spell
/// one of its characters (`\u0041` any; `\/`, `\"`, `\\` and the control escapes only the
/// characters a secret holds). Most bodies hold backslashes (ROMA's AZ lists are JSON inside a
/// string): those escapes alone do not send a body down the slower, masking decode.
fn may_hold(body: &[u8], secrets: &[&str]) -> bool {
    // A body shorter than a secret cannot spell it (an escape only lengthens the text): an
    // IAM token (kilobytes) is not looked for in a progress document, nor its searcher built.
    let secrets = || {
        secrets
            .iter()
            .filter(|secret| !secret.is_empty() && secret.len() <= body.len())
    };
    if secrets().any(|secret| find(body, secret.as_bytes())) {
        return true;
    }
    let holds = |c: u8| secrets().any(|secret| secret.as_bytes().contains(&c));
    memchr::memchr_iter(b'\\', body).any(|at| match body.get(at + 1) {
        Some(b'u') => secrets().next().is_some(),
        Some(b'b') => holds(0x08),
        Some(b'f') => holds(0x0c),
        Some(b'n') => holds(b'\n'),
        Some(b'r') => holds(b'\r'),
        Some(b't') => holds(b'\t'),
        Some(&c) => holds(c),
        None => false,
    })
}

/// Below this many bytes a body is searched by comparing at each occurrence of the needle's
/// first byte: at most this many comparisons, no set-up. memchr's `memmem::find` first builds
/// a searcher from the needle (about 1k instructions for a token of a few dozen bytes, more than
/// a progress document's whole search this way).
const QUICK_SEARCH_BELOW: usize = 256;

/// Whether `needle` (not empty) occurs in `body`.
fn find(body: &[u8], needle: &[u8]) -> bool {
    match needle.first() {
        Some(&first) if body.len() < QUICK_SEARCH_BELOW => {
            memchr::memchr_iter(first, body).any(|at| body[at..].starts_with(needle))
        }
        _ => memchr::memmem::find(body, needle).is_some(),
    }
}

/// [`document`], with `secrets` masked in every string of the body first.
fn masked_document<T: DeserializeOwned>(
    body: &[u8],
    secrets: &[&str],
) -> std::result::Result<T, (String, serde_json::Error)> {
    let mut value: serde_json::Value = document(body)?;
    if !error::redact_json(&mut value, secrets) {
        return document(body);
    }
    serde_path_to_error::deserialize(value).map_err(|e| (e.path().to_string(), e.into_inner()))
}

/// Decodes a JSON document given as an argument (a list query, wait options): a failure is an
/// invalid argument naming `name` and the field that did not fit.
pub(crate) fn argument<T: DeserializeOwned>(name: &str, json: &str) -> Result<T> {
    document(json.as_bytes()).map_err(|(path, error)| {
        // serde quotes a wrong value in full: a huge one must not make a huge message. The path
        // names keys the caller wrote, of any length: echoed short.
        let message = format!("{name}: {}", at(&error::echo(&path), error));
        Error::InvalidArgument(error::masked_line(&message, &[], 300))
    })
}

/// As [`argument`], for documents whose values must not be repeated in errors: what serde
/// quotes of a value (`invalid type: string "..."`) is left out; keys are still named.
pub(crate) fn argument_quiet<T: DeserializeOwned>(name: &str, json: &str) -> Result<T> {
    document(json.as_bytes()).map_err(|(path, error)| {
        let why = error::without_quoted(&error.to_string());
        // The path names keys the caller wrote, of any length: echoed short too.
        Error::InvalidArgument(format!("{name}: {}", at(&error::echo(&path), why)))
    })
}

/// Decodes one JSON document, and nothing after it; on failure, where (the JSON path of the
/// field that did not fit, `.` for the document itself) and why.
///
/// The document is decoded once without tracking the path (tracking costs a few thousand
/// instructions per document, and almost every document fits); only a document that does not
/// fit is decoded again, with the path tracked, to say where. Decoding is deterministic, so
/// the second pass fails at the same place with the same error.
pub(crate) fn document<T: DeserializeOwned>(
    json: &[u8],
) -> std::result::Result<T, (String, serde_json::Error)> {
    // A body that is UTF-8 as a whole (every valid one) is parsed as text: one check of the
    // whole body instead of one per string. Anything else takes the byte parser, as before.
    let fast = match std::str::from_utf8(json) {
        Ok(text) => serde_json::from_str(text),
        Err(_) => serde_json::from_slice(json),
    };
    match fast {
        Ok(value) => Ok(value),
        Err(_) => located(json),
    }
}

/// [`document`]'s second pass: the same decode, tracking the path to name where it failed.
#[cold]
fn located<T: DeserializeOwned>(
    json: &[u8],
) -> std::result::Result<T, (String, serde_json::Error)> {
    let mut deserializer = serde_json::Deserializer::from_slice(json);
    let value = serde_path_to_error::deserialize(&mut deserializer)
        .map_err(|e| (e.path().to_string(), e.into_inner()))?;
    deserializer.end().map_err(|e| (".".to_owned(), e))?;
    Ok(value)
}

/// Why decoding failed, and where: `` at `instance.port`: invalid type ... ``, or the bare
/// reason when the document itself did not fit (path `.`).
pub(crate) fn at(path: &str, why: impl Display) -> String {
    if path == "." {
        why.to_string()
    } else {
        format!("at `{path}`: {why}")
    }
}

/// One line saying where and why decoding failed, with the start of the body when it was not
/// JSON at all, and no secret in it.
fn decode_message(
    what: &str,
    path: &str,
    error: &serde_json::Error,
    body: &[u8],
    secrets: &[&str],
) -> String {
    let mut message = at(path, error);
    if error.is_syntax() || error.is_eof() {
        match error::snippet(body, secrets) {
            Some(start) => message.push_str(&format!(" (the body starts: {start})")),
            None => message.push_str(&format!(" (the {what} body is empty)")),
        }
    }
    // A wrong-typed field's value is quoted in full by serde: keep the line readable.
    error::masked_line(&message, secrets, 600)
}

#[cfg(test)]
mod tests {
    use super::may_hold;

    #[test]
    fn only_escapes_that_could_spell_a_secret_take_the_masking_decode() {
        let secrets = ["MIIT0k3n/s3cr3t"];
        // ROMA's AZ list, JSON inside a string: escaped quotes, which the secret has none of.
        assert!(!may_hold(br#"{"availableZones":"[\"az0\"]"}"#, &secrets));
        assert!(!may_hold(br#"{"a":"x\ny"}"#, &secrets));
        // The secret as it is, or with any character behind an escape it could hold.
        assert!(may_hold(
            br#"{"error_msg":"MIIT0k3n/s3cr3t refused"}"#,
            &secrets
        ));
        assert!(may_hold(
            br#"{"error_msg":"\u004dIIT0k3n/s3cr3t"}"#,
            &secrets
        ));
        assert!(may_hold(br#"{"error_msg":"MIIT0k3n\/s3cr3t"}"#, &secrets));
        // A secret longer than the body: it cannot be there, escaped or not.
        let long = "MIIT0k3n/".repeat(20);
        assert!(!may_hold(
            br#"{"error_msg":"\u004dIIT0k3n\/s3cr3t"}"#,
            &[&long]
        ));
        // No secrets: nothing to look for.
        assert!(!may_hold(br#"{"a":"\u0041"}"#, &[]));
        assert!(!may_hold(br#"{"a":"\u0041"}"#, &[""]));
    }

    #[test]
    fn a_secret_is_found_anywhere_in_short_and_long_bodies() {
        let secret = "MIIT0k3n/s3cr3t";
        // Either side of QUICK_SEARCH_BELOW: compared at each first byte, then memchr's searcher.
        for size in [40, 200, 255, 256, 4000] {
            let filler = "a".repeat(size - secret.len());
            for at in [0, filler.len() / 2, filler.len()] {
                let body = format!("{}{secret}{}", &filler[..at], &filler[at..]);
                assert_eq!(body.len(), size);
                assert!(
                    may_hold(body.as_bytes(), &[secret]),
                    "{size} bytes, at {at}"
                );
            }
            // One byte short of the secret, at the end: not there.
            let body = format!("{filler}{}", &secret[..secret.len() - 1]);
            assert!(!may_hold(body.as_bytes(), &[secret]), "{size} bytes");
        }
    }
}
