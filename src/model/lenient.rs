//! Lenient field decoders for the type quirks of real responses (`docs/apis.md`, What real answers look like): numbers
//! sent as strings, arrays encoded inside strings, strings sent as numbers. Each accepts the
//! documented type and its known variants, treats `null` (and an empty string where a number
//! or list is expected) as absent, and rejects anything else with a message naming what it
//! found, so a truly malformed body is a decode error rather than a silent default.

use serde::de::Error as _;
use serde::{Deserialize, Deserializer};
use serde_json::Value;

/// An integer: a JSON number (an integral float is accepted) or a string holding one.
pub(crate) fn int<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    match Option::<Value>::deserialize(d)? {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) => number_to_i64(&n)
            .map(Some)
            .ok_or_else(|| D::Error::custom(format!("expected an integer, found {n}"))),
        Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
        Some(Value::String(s)) => s
            .trim()
            .parse::<serde_json::Number>()
            .ok()
            .and_then(|n| number_to_i64(&n))
            .map(Some)
            .ok_or_else(|| {
                D::Error::custom(format!("expected an integer, found the string {s:?}"))
            }),
        Some(other) => Err(D::Error::custom(format!(
            "expected an integer, found {}",
            describe(&other)
        ))),
    }
}

// --- Blank numbers kept -------------------------------------------------------------------
//
// A number field sent blank (`"progress": ""`, `" "`) decodes to `None`, but nothing the
// server sent is lost: the model keeps the blank value in its `extra`, under its own key, so
// that serialising the model gives it back. The decoder of such a field (`kept::{key}`, one per
// JSON key, as a decoder does not otherwise know its key) records the value in the innermost
// model being decoded on this thread; each model's `Deserialize` (from
// [`keep_blank_numbers!`]) opens that record, runs the derived decoder (`remote = "Self"`), and
// moves what was recorded into its `extra`.

/// Blank number values recorded for one model: each with its JSON key.
pub(crate) type Blanks = Vec<(&'static str, Value)>;

thread_local! {
    static KEPT: std::cell::RefCell<Vec<Blanks>> =
        const { std::cell::RefCell::new(Vec::new()) };
}

/// Runs a model's derived decoder, and gives the blank numbers its own fields recorded.
pub(crate) fn keeping_blanks<T, E>(
    decode: impl FnOnce() -> Result<T, E>,
) -> Result<(T, Blanks), E> {
    /// Closes the record however `decode` ends.
    struct Frame;
    impl Drop for Frame {
        fn drop(&mut self) {
            KEPT.with(|kept| kept.borrow_mut().pop());
        }
    }
    KEPT.with(|kept| kept.borrow_mut().push(Vec::new()));
    let frame = Frame;
    let result = decode();
    let blanks = KEPT.with(|kept| kept.borrow_mut().last_mut().map(std::mem::take));
    drop(frame);
    result.map(|model| (model, blanks.unwrap_or_default()))
}

/// [`int`], recording a blank string under `key` for the model being decoded.
pub(crate) fn int_kept<'de, D: Deserializer<'de>>(
    d: D,
    key: &'static str,
) -> Result<Option<i64>, D::Error> {
    let value = Option::<Value>::deserialize(d)?;
    if let Some(Value::String(s)) = &value {
        if s.trim().is_empty() {
            let blank = Value::String(s.clone());
            KEPT.with(|kept| {
                if let Some(frame) = kept.borrow_mut().last_mut() {
                    frame.push((key, blank));
                }
            });
            return Ok(None);
        }
    }
    int(value.unwrap_or(Value::Null)).map_err(D::Error::custom)
}

/// One decoder per JSON key of a number field that keeps a blank value (see [`int_kept`]).
macro_rules! kept_ints {
    ($($key:ident),* $(,)?) => {
        pub(crate) mod kept {
            $(
                #[allow(non_snake_case)]
                pub(crate) fn $key<'de, D: serde::Deserializer<'de>>(
                    d: D,
                ) -> Result<Option<i64>, D::Error> {
                    super::int_kept(d, stringify!($key))
                }
            )*
        }
    };
}

kept_ints!(
    bandwidth_size,
    bandwidths,
    chargingMode,
    charging_mode,
    create_time,
    createdAt,
    currentTime,
    end_time,
    instance_status,
    interval,
    ip_version,
    port,
    progress,
    size,
    start_time,
    taken_time,
    timeout,
    total,
    unhealthy,
    updatedAt,
);

/// `Deserialize` for a model (marked `#[serde(remote = "Self")]`) whose number fields keep
/// blank values in its `extra`, and `Serialize` through the derived code.
macro_rules! keep_blank_numbers {
    ($model:ident) => {
        impl<'de> serde::Deserialize<'de> for $model {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let (mut model, blanks) =
                    $crate::model::lenient::keeping_blanks(|| $model::deserialize(d))?;
                for (key, value) in blanks {
                    model.extra.entry(key).or_insert(value);
                }
                Ok(model)
            }
        }

        impl serde::Serialize for $model {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                $model::serialize(self, s)
            }
        }
    };
}
pub(crate) use keep_blank_numbers;

fn number_to_i64(n: &serde_json::Number) -> Option<i64> {
    n.as_i64().or_else(|| {
        n.as_f64()
            .filter(|f| f.fract() == 0.0 && *f >= i64::MIN as f64 && *f <= i64::MAX as f64)
            .map(|f| f as i64)
    })
}

/// A boolean: `true`/`false`, or a string spelling one in any case.
pub(crate) fn boolean<'de, D: Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
    match Option::<Value>::deserialize(d)? {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Bool(b)) => Ok(Some(b)),
        Some(Value::String(s)) if s.trim().eq_ignore_ascii_case("true") => Ok(Some(true)),
        Some(Value::String(s)) if s.trim().eq_ignore_ascii_case("false") => Ok(Some(false)),
        Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
        Some(other) => Err(D::Error::custom(format!(
            "expected a boolean, found {}",
            describe(&other)
        ))),
    }
}

/// A string: a JSON string, or a number or boolean kept as its text.
pub(crate) fn text<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Option::<Text>::deserialize(d).map(|t| t.map(|t| t.0))
}

/// A list of strings: a JSON array, or a string holding one — JSON (`"[\"az0.dc0\"]"`), bare
/// (`"[region01, region02]"`) or comma-separated (`"az1,az2"`).
pub(crate) fn list<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Vec<String>>, D::Error> {
    match Option::<Value>::deserialize(d)? {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Array(items)) => items
            .into_iter()
            .map(|item| match item {
                Value::String(s) => Ok(s),
                Value::Number(n) => Ok(n.to_string()),
                other => Err(D::Error::custom(format!(
                    "expected a list of strings, found {} in it",
                    describe(&other)
                ))),
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Some),
        Some(Value::String(s)) => Ok(Some(split_list(&s))),
        Some(other) => Err(D::Error::custom(format!(
            "expected a list of strings, found {}",
            describe(&other)
        ))),
    }
}

fn split_list(s: &str) -> Vec<String> {
    let trimmed = s.trim();
    if let Ok(items) = serde_json::from_str::<Vec<String>>(trimmed) {
        return items;
    }
    let inner = trimmed
        .strip_prefix('[')
        .and_then(|rest| rest.strip_suffix(']'))
        .unwrap_or(trimmed);
    inner
        .split(',')
        .map(|item| item.trim().trim_matches('"').trim())
        .filter(|item| !item.is_empty())
        .map(str::to_owned)
        .collect()
}

/// A string that may have been sent as a number or boolean.
pub(crate) struct Text(pub String);

impl<'de> Deserialize<'de> for Text {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Text, D::Error> {
        match Value::deserialize(d)? {
            Value::String(s) => Ok(Text(s)),
            Value::Number(n) => Ok(Text(n.to_string())),
            Value::Bool(b) => Ok(Text(b.to_string())),
            other => Err(D::Error::custom(format!(
                "expected a string, found {}",
                describe(&other)
            ))),
        }
    }
}

fn describe(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Deserialize)]
    struct Probe {
        #[serde(default, deserialize_with = "int")]
        n: Option<i64>,
        #[serde(default, deserialize_with = "boolean")]
        b: Option<bool>,
        #[serde(default, deserialize_with = "list")]
        l: Option<Vec<String>>,
        #[serde(default, deserialize_with = "text")]
        t: Option<String>,
    }

    fn probe(json: &str) -> Result<Probe, serde_json::Error> {
        serde_json::from_str(json)
    }

    #[test]
    fn integers() {
        assert_eq!(probe(r#"{"n":30}"#).unwrap().n, Some(30));
        assert_eq!(probe(r#"{"n":"30"}"#).unwrap().n, Some(30));
        assert_eq!(probe(r#"{"n":" 30 "}"#).unwrap().n, Some(30));
        assert_eq!(probe(r#"{"n":30.0}"#).unwrap().n, Some(30));
        assert_eq!(
            probe(r#"{"n":"1741262473785"}"#).unwrap().n,
            Some(1741262473785)
        );
        assert_eq!(probe(r#"{"n":null}"#).unwrap().n, None);
        assert_eq!(probe(r#"{"n":""}"#).unwrap().n, None);
        assert_eq!(probe(r#"{}"#).unwrap().n, None);
        for bad in [
            r#"{"n":"abc"}"#,
            r#"{"n":1.5}"#,
            r#"{"n":[1]}"#,
            r#"{"n":true}"#,
        ] {
            let err = probe(bad).err().unwrap().to_string();
            assert!(err.contains("expected an integer"), "{bad}: {err}");
        }
    }

    #[test]
    fn booleans() {
        assert_eq!(probe(r#"{"b":true}"#).unwrap().b, Some(true));
        assert_eq!(probe(r#"{"b":"False"}"#).unwrap().b, Some(false));
        assert!(probe(r#"{"b":"yes"}"#).is_err());
    }

    #[test]
    fn lists() {
        let l = |json| probe(json).unwrap().l.unwrap();
        assert_eq!(l(r#"{"l":["a","b"]}"#), ["a", "b"]);
        assert_eq!(l(r#"{"l":"[\"az0.dc0\"]"}"#), ["az0.dc0"]);
        assert_eq!(
            l(r#"{"l":"[region01, region02]"}"#),
            ["region01", "region02"]
        );
        assert_eq!(l(r#"{"l":"az1,az2"}"#), ["az1", "az2"]);
        assert_eq!(l(r#"{"l":""}"#), Vec::<String>::new());
        assert_eq!(l(r#"{"l":"[]"}"#), Vec::<String>::new());
        assert!(probe(r#"{"l":{"a":1}}"#).is_err());
        assert!(probe(r#"{"l":[{"a":1}]}"#).is_err());
    }

    #[test]
    fn texts() {
        assert_eq!(probe(r#"{"t":"25"}"#).unwrap().t.as_deref(), Some("25"));
        assert_eq!(probe(r#"{"t":25}"#).unwrap().t.as_deref(), Some("25"));
        assert!(probe(r#"{"t":{}}"#).is_err());
    }
}
