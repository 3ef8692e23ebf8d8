//! Keeping secrets out of messages: every text taken from a server or a parser is cut to a
//! short, single-line snippet with the client's own secrets replaced by `***`, even when a
//! secret arrives cut short or split by markup.

/// How much of an unrecognised error body is kept.
const SNIPPET_CHARS: usize = 200;

/// A short, one-line, human-readable start of a body, with `secrets` masked: markup tags
/// dropped, white space and control characters folded into single spaces, at most
/// [`SNIPPET_CHARS`] characters (then `…`). `None` for an empty or blank body.
///
/// The order matters for secrets: the text is masked as received (a secret may hold `<`),
/// then normalised, then masked again (a tag or a line break inside a secret is a gap the
/// masking sees through), then cut, and pieces of a secret left at either edge are masked
/// too (the transport may have cut the body inside a secret, and so may the cut here).
pub(crate) fn snippet(body: &[u8], secrets: &[&str]) -> Option<String> {
    let text = redact(&String::from_utf8_lossy(body), secrets);
    let mut out = String::new();
    let mut in_tag = false;
    for c in text.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => {
                in_tag = false;
                out.push(' ');
            }
            _ if in_tag => {}
            c => out.push(c),
        }
    }
    let folded = masked_line(&out, secrets, SNIPPET_CHARS);
    (!folded.is_empty()).then_some(folded)
}

/// `text` as one line for a message, with no secret in it: white space and control
/// characters folded into single spaces, `secrets` masked, cut to at most `max` characters
/// (then `…`), and any piece of a secret left at either edge masked. The one way text that
/// may hold a secret is cut for a message.
pub(crate) fn masked_line(text: &str, secrets: &[&str], max: usize) -> String {
    let folded = text
        .split(is_gap)
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    let masked = redact(&folded, secrets);
    let (head, cut) = match masked.char_indices().nth(max) {
        Some((at, _)) => (masked[..at].trim_end(), true),
        None => (masked.as_str(), false),
    };
    let mut line = mask_edges(head, secrets);
    if cut {
        line.push('…');
    }
    line
}

/// How many characters of a value given to the library an error may echo.
pub(crate) const ECHO_CHARS: usize = 40;

/// The start of `text` to echo in a message: at most [`ECHO_CHARS`] characters, escaped as
/// Rust escapes them (`\n`, `\u{202e}`, `\"`), then `…` when there was more. A value of any
/// length (a 1 MB instance ID) gives a short, one-line, printable echo.
pub(crate) fn echo(text: &str) -> String {
    let mut shown: String = text
        .chars()
        .take(ECHO_CHARS)
        .flat_map(char::escape_default)
        .collect();
    if text.chars().nth(ECHO_CHARS).is_some() {
        shown.push('…');
    }
    shown
}

/// `text` with every control character (line breaks included) turned into a space.
pub(crate) fn one_line(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

/// What folding and one-lining change, and what the masking sees through inside a secret.
fn is_gap(c: char) -> bool {
    c.is_whitespace() || c.is_control()
}

/// `text` with its non-gap characters side by side, and where each of them starts and ends
/// in `text`.
fn compact(text: &str) -> (String, Vec<(usize, usize)>) {
    let mut joined = String::with_capacity(text.len());
    let mut spans = Vec::with_capacity(text.len());
    for (at, c) in text.char_indices().filter(|(_, c)| !is_gap(*c)) {
        joined.push(c);
        for _ in 0..c.len_utf8() {
            spans.push((at, at + c.len_utf8()));
        }
    }
    (joined, spans)
}

/// `text` with each byte range of `ranges` (merged where they touch) replaced by `***`.
fn replace_ranges(text: &str, mut ranges: Vec<(usize, usize)>) -> String {
    if ranges.is_empty() {
        return text.to_owned();
    }
    ranges.sort_unstable();
    let mut out = String::with_capacity(text.len());
    let mut done = 0;
    for (start, end) in ranges {
        if end <= done {
            continue;
        }
        if start > done {
            out.push_str(&text[done..start]);
        }
        if start >= done || !out.ends_with("***") {
            out.push_str("***");
        }
        done = end;
    }
    out.push_str(&text[done..]);
    out
}

/// `text` with every non-empty secret replaced by `***`: exact matches, and matches that
/// white space or control characters split (a line break, a folded tag), so that no later
/// folding of white space can put a secret back together.
pub(crate) fn redact(text: &str, secrets: &[&str]) -> String {
    let exact = secrets
        .iter()
        .filter(|s| !s.is_empty())
        .fold(text.to_owned(), |acc, secret| acc.replace(secret, "***"));
    let (joined, spans) = compact(&exact);
    let mut ranges = Vec::new();
    for secret in secrets {
        let (needle, _) = compact(secret);
        if needle.is_empty() {
            continue;
        }
        for (at, found) in joined.match_indices(needle.as_str()) {
            ranges.push((spans[at].0, spans[at + found.len() - 1].1));
        }
    }
    replace_ranges(&exact, ranges)
}

/// Masks `secrets` (as [`redact`] does) in every string of a JSON document a server sent,
/// object keys included; whether anything was masked.
pub(crate) fn redact_json(value: &mut serde_json::Value, secrets: &[&str]) -> bool {
    use serde_json::Value;
    let text = |t: &mut String| {
        let masked = redact(t, secrets);
        let changed = masked != *t;
        *t = masked;
        changed
    };
    match value {
        Value::String(t) => text(t),
        Value::Array(items) => items
            .iter_mut()
            .fold(false, |changed, item| redact_json(item, secrets) | changed),
        Value::Object(map) => {
            let mut changed = false;
            let entries = std::mem::take(map);
            for (mut key, mut item) in entries {
                changed |= text(&mut key);
                changed |= redact_json(&mut item, secrets);
                map.insert(key, item);
            }
            changed
        }
        Value::Null | Value::Bool(_) | Value::Number(_) => false,
    }
}

/// `text` with a piece of a secret masked where it starts or ends the text: the end of a
/// secret at its start, the beginning of one at its end (white space and control characters
/// seen through, as in [`redact`]). Pieces shorter than 4 characters (or than half of a
/// shorter secret) stay: with credentials of at least 8 characters (6 for IAM passwords, see
/// `auth`), what can stay is less than half of one.
pub(crate) fn mask_edges(text: &str, secrets: &[&str]) -> String {
    let (joined, spans) = compact(text);
    let mut ranges = Vec::new();
    for secret in secrets {
        let (needle, _) = compact(secret);
        let chars = needle.chars().count();
        if chars < 2 {
            continue;
        }
        let min_piece = 4.min(chars.div_ceil(2));
        // Longest first: the widest piece at each edge is the one to mask.
        let bounds: Vec<usize> = needle.char_indices().map(|(i, _)| i).skip(1).collect();
        if let Some(cut) = bounds
            .iter()
            .filter(|&&b| needle[..b].chars().count() >= min_piece)
            .rev()
            .find(|&&b| joined.ends_with(&needle[..b]))
        {
            ranges.push((spans[joined.len() - cut].0, text.len()));
        }
        if let Some(cut) = bounds
            .iter()
            .filter(|&&b| needle[b..].chars().count() >= min_piece)
            .find(|&&b| joined.starts_with(&needle[b..]))
        {
            ranges.push((0, spans[needle.len() - cut - 1].1));
        }
    }
    replace_ranges(text, ranges)
}

/// `text` with what stands between double quotes replaced by `…` (serde quotes values so), the
/// value of an `unknown variant `...``, and every other name between backquotes (a key:
/// `unknown field `...``) echoed short, as [`echo`] does: a document may hold any key.
pub(crate) fn without_quoted(text: &str) -> String {
    let text = without_quoted_values(text);
    let mut out = String::with_capacity(text.len());
    for (i, part) in text.split('`').enumerate() {
        if i > 0 {
            out.push('`');
        }
        // The placeholder of a left-out value stays as it is.
        match i % 2 == 0 || part == "…" {
            true => out.push_str(part),
            false => out.push_str(&echo(part)),
        }
    }
    out
}

fn without_quoted_values(text: &str) -> String {
    let text = match text.split_once("unknown variant `") {
        Some((before, after)) => {
            let rest = after.split_once('`').map_or("", |(_, rest)| rest);
            format!("{before}unknown variant `…`{rest}")
        }
        None => text.to_owned(),
    };
    let mut out = String::with_capacity(text.len());
    let mut parts = text.split('"');
    if let Some(first) = parts.next() {
        out.push_str(first);
    }
    for (i, part) in parts.enumerate() {
        if i % 2 == 0 {
            out.push_str("\"…\"");
        } else {
            out.push_str(part);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_key_is_echoed_short() {
        let key = "k".repeat(10_000);
        let shown = without_quoted(&format!("unknown field `{key}`, expected `mode`"));
        assert!(shown.len() < 100, "{shown}");
        assert!(shown.ends_with("…`, expected `mode`"), "{shown}");
    }

    #[test]
    fn values_are_left_out() {
        assert_eq!(
            without_quoted(r#"invalid type: string "s3cret", expected u64"#),
            r#"invalid type: string "…", expected u64"#
        );
        assert_eq!(
            without_quoted("unknown variant `s3cret`, expected `all` or `any`"),
            "unknown variant `…`, expected `all` or `any`"
        );
        assert_eq!(
            without_quoted("unknown field `moed`"),
            "unknown field `moed`"
        );
    }

    #[test]
    fn snippet_strips_markup_and_folds_space() {
        let html =
            b"<html>\n<head><title>502 Bad Gateway</title></head>\n<body>nginx</body></html>";
        assert_eq!(snippet(html, &[]).as_deref(), Some("502 Bad Gateway nginx"));
        assert_eq!(snippet(b"  \n ", &[]), None);
        let long = "x".repeat(1000);
        assert_eq!(
            snippet(long.as_bytes(), &[]).unwrap().chars().count(),
            SNIPPET_CHARS + 1
        );
    }

    #[test]
    fn redact_replaces_every_secret() {
        assert_eq!(redact("a tok b tok", &["tok", ""]), "a *** b ***");
    }
}
