//! Path segments and query strings: IDs are checked before any request is sent, then
//! percent-encoded so that each stays one path segment.

use crate::error::{Error, Result};
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use std::borrow::Cow;

/// Everything but the unreserved characters `A-Z a-z 0-9 - _ . ~` is encoded: the set that
/// Huawei Cloud's request signing also uses, so what is sent is what would be signed.
pub(crate) const ENCODE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// The longest ID accepted. Real project and instance IDs are 32 hex digits or a UUID.
pub const MAX_ID_LEN: usize = 128;

/// Checks that `value` can be used as the ID named `name` and returns it encoded as one path
/// segment.
///
/// Rejected: empty, longer than [`MAX_ID_LEN`] bytes, `.` or containing `..`, containing
/// `/`, `\`, `%`, `?`, `#`, white space or control characters. These either break out of the
/// segment or are decoded differently by different proxies, so no real ID contains them.
pub(crate) fn path_segment<'a>(name: &str, value: &'a str) -> Result<Cow<'a, str>> {
    // A plain ID is used as it is, neither copied nor run through the encoder.
    if is_plain(value) {
        return Ok(Cow::Borrowed(value));
    }
    match id_problem(value) {
        Some(problem) => Err(Error::InvalidArgument(format!(
            "{name} {} {problem}",
            quoted(value)
        ))),
        None => Ok(Cow::Owned(encode(value))),
    }
}

/// Whether `value` is an ID as real ones are (hex digits, UUIDs): of an accepted length, all
/// unreserved bytes, no path step. One scan clears it; the character-by-character checks of
/// [`id_problem`] are for the others.
fn is_plain(value: &str) -> bool {
    !value.is_empty()
        && value.len() <= MAX_ID_LEN
        && value.bytes().all(is_unreserved)
        && !is_dots(value)
}

/// Whether `value` is `.` or holds `..`, which a server or proxy may resolve as a path step.
fn is_dots(value: &str) -> bool {
    // Real IDs hold no dot: a character search (memchr) spares them the substring searcher.
    value.contains('.') && (value == "." || value.contains(".."))
}

/// What makes `value` unusable as an ID, if anything. The simulator checks the IDs it
/// serves with this same rule.
pub(crate) fn id_problem(value: &str) -> Option<String> {
    if is_plain(value) {
        return None;
    }
    if value.is_empty() {
        return Some("must not be empty".to_owned());
    }
    if value.len() > MAX_ID_LEN {
        return Some(format!(
            "is {} bytes long, the limit is {MAX_ID_LEN}",
            value.len()
        ));
    }
    if is_dots(value) {
        return Some("must not be `.` or contain `..`".to_owned());
    }
    value
        .chars()
        .find(|c| matches!(c, '/' | '\\' | '%' | '?' | '#') || c.is_whitespace() || c.is_control())
        .map(|c| format!("must not contain {c:?}"))
}

/// Whether `byte` is one of the unreserved characters `A-Z a-z 0-9 - _ . ~`, which
/// [`ENCODE`] leaves as they are.
pub(crate) fn is_unreserved(byte: u8) -> bool {
    UNRESERVED[usize::from(byte)]
}

/// [`is_unreserved`] as a table: one load per byte of an ID.
static UNRESERVED: [bool; 256] = {
    let mut table = [false; 256];
    let mut byte = 0;
    while byte < 256 {
        let b = byte as u8;
        table[byte] = b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~');
        byte += 1;
    }
    table
};

/// `value` percent-encoded with the unreserved set (a space becomes `%20`).
pub(crate) fn encode(value: &str) -> String {
    utf8_percent_encode(value, ENCODE).to_string()
}

/// `key=value` pairs, both sides encoded, joined by `&`; empty when there are none.
pub(crate) fn query_string(pairs: &[(&str, String)]) -> String {
    pairs
        .iter()
        .map(|(key, value)| format!("{}={}", encode(key), encode(value)))
        .collect::<Vec<_>>()
        .join("&")
}

/// An argument quoted for an error message: escaped, and cut short when long.
fn quoted(value: &str) -> String {
    format!("\"{}\"", crate::error::echo(value))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_real_ids_unchanged() {
        for id in [
            "b037d389-62a4-464a-8461-c88797ad4f23",
            "eddc4d25480b4cd6b512f270a1b8b341",
            "a.b_c~d",
        ] {
            assert_eq!(path_segment("instance_id", id).unwrap(), id);
        }
    }

    #[test]
    fn encodes_what_is_not_unreserved() {
        assert_eq!(path_segment("id", "a:b+c").unwrap(), "a%3Ab%2Bc");
        assert_eq!(path_segment("id", "é").unwrap(), "%C3%A9");
    }

    #[test]
    fn rejects_unsafe_ids() {
        let long = "a".repeat(MAX_ID_LEN + 1);
        for id in [
            "", ".", "..", "../x", "a/b", "a\\b", "%2F", "a%2e%2e", "a?b", "a#b", "a b", "a\nb",
            "a\u{0}b", "a\u{7f}", &long,
        ] {
            let err = path_segment("instance_id", id).unwrap_err();
            assert!(matches!(err, Error::InvalidArgument(_)), "{id:?}: {err}");
            assert!(err.to_string().contains("instance_id"), "{err}");
        }
    }

    #[test]
    fn query_encodes_both_sides() {
        let q = query_string(&[("status", "A B&c=d".into()), ("limit", "5".into())]);
        assert_eq!(q, "status=A%20B%26c%3Dd&limit=5");
        assert_eq!(query_string(&[]), "");
    }
}
