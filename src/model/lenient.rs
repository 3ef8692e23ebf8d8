//! Lenient field decoders for the type quirks of real responses (`docs/apis.md`, What real answers look like): numbers
//! sent as strings, arrays encoded inside strings, strings sent as numbers. Each accepts the
//! documented type and its known variants, treats `null` (and a blank string where a number
//! or boolean is expected) as absent, reads a blank string where a list is expected as an
//! empty list, and rejects anything else with a message naming what it found, so a truly
//! malformed body is a decode error rather than a silent default.

use serde::de::{self, Error as _, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;
use std::fmt;

/// A number field as the server sent it: an integer, or a blank string.
///
/// Services send numbers as JSON numbers or as strings holding one (`"progress": "30"`), and
/// sometimes blank (`"progress": ""`). A blank is no value ([`value`](Self::value) is `None`),
/// but it is kept: serialising gives back the string the server sent, under the field's own
/// key, so the result document of the C ABI, the CLI's `-o json` and the bindings' raw
/// documents say what the server said. Being a type, every number field keeps blanks the same
/// way; a plain `i64` field refuses a string instead of dropping it.
///
/// Decodes from a JSON number (an integral float is accepted) or a string holding one;
/// anything else is a decode error naming what was found. A number serialises as a number.
///
/// ```
/// use hwinst::Number;
///
/// let n: Number = serde_json::from_str("\"30\"").unwrap();
/// assert_eq!(n.value(), Some(30));
/// let blank: Number = serde_json::from_str("\" \"").unwrap();
/// assert_eq!(blank.value(), None);
/// assert_eq!(serde_json::to_string(&blank).unwrap(), "\" \"");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Number {
    /// An integer (sent as a number or as a string holding one).
    Value(i64),
    /// A blank string (empty or whitespace), exactly as sent.
    Blank(String),
}

impl Number {
    /// The integer, or `None` for a blank.
    pub fn value(&self) -> Option<i64> {
        match self {
            Number::Value(n) => Some(*n),
            Number::Blank(_) => None,
        }
    }
}

impl From<i64> for Number {
    fn from(n: i64) -> Number {
        Number::Value(n)
    }
}

impl PartialEq<i64> for Number {
    fn eq(&self, other: &i64) -> bool {
        self.value() == Some(*other)
    }
}

impl Serialize for Number {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Number::Value(n) => s.serialize_i64(*n),
            Number::Blank(blank) => s.serialize_str(blank),
        }
    }
}

impl<'de> Deserialize<'de> for Number {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Number, D::Error> {
        d.deserialize_any(NumberVisitor)
    }
}

/// Reads a [`Number`] straight from the decoder's tokens (no intermediate `Value`: this runs
/// for every number field of every answer).
struct NumberVisitor;

impl<'de> Visitor<'de> for NumberVisitor {
    type Value = Number;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an integer")
    }

    fn visit_i64<E: de::Error>(self, n: i64) -> Result<Number, E> {
        Ok(Number::Value(n))
    }

    fn visit_u64<E: de::Error>(self, n: u64) -> Result<Number, E> {
        i64::try_from(n)
            .map(Number::Value)
            .map_err(|_| E::custom(format!("expected an integer, found {n}")))
    }

    fn visit_f64<E: de::Error>(self, f: f64) -> Result<Number, E> {
        float_to_i64(f)
            .map(Number::Value)
            .ok_or_else(|| E::custom(format!("expected an integer, found {f}")))
    }

    fn visit_str<E: de::Error>(self, s: &str) -> Result<Number, E> {
        let trimmed = s.trim();
        if trimmed.is_empty() {
            return Ok(Number::Blank(s.to_owned()));
        }
        let parsed = match trimmed.parse::<i64>() {
            Ok(n) => Some(n),
            Err(_) => trimmed
                .parse::<serde_json::Number>()
                .ok()
                .and_then(|n| n.as_i64().or_else(|| n.as_f64().and_then(float_to_i64))),
        };
        parsed
            .map(Number::Value)
            .ok_or_else(|| E::custom(format!("expected an integer, found the string {s:?}")))
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Number, E> {
        Err(E::custom("expected an integer, found a boolean"))
    }

    fn visit_seq<A: de::SeqAccess<'de>>(self, _: A) -> Result<Number, A::Error> {
        Err(de::Error::custom("expected an integer, found an array"))
    }

    fn visit_map<A: de::MapAccess<'de>>(self, _: A) -> Result<Number, A::Error> {
        Err(de::Error::custom("expected an integer, found an object"))
    }
}

/// Accessors giving a model's [`Number`] fields as integers (`None` when absent or blank),
/// for the callers that want only the value. A convenience: a field left out here keeps its
/// blanks all the same.
macro_rules! number_values {
    ($model:ident { $($field:ident),* $(,)? }) => {
        impl $model {
            $(
                #[doc = concat!("`", stringify!($field), "` as an integer: `None` when absent or blank.")]
                pub fn $field(&self) -> Option<i64> {
                    self.$field.as_ref().and_then($crate::model::lenient::Number::value)
                }
            )*
        }
    };
}
pub(crate) use number_values;

/// An integral float in `i64`'s range, as an integer.
fn float_to_i64(f: f64) -> Option<i64> {
    (f.fract() == 0.0 && f >= i64::MIN as f64 && f <= i64::MAX as f64).then_some(f as i64)
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
        #[serde(default)]
        n: Option<Number>,
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
        let n = |json| probe(json).unwrap().n.and_then(|n| n.value());
        assert_eq!(n(r#"{"n":30}"#), Some(30));
        assert_eq!(n(r#"{"n":"30"}"#), Some(30));
        assert_eq!(n(r#"{"n":" 30 "}"#), Some(30));
        assert_eq!(n(r#"{"n":30.0}"#), Some(30));
        assert_eq!(n(r#"{"n":"30.0"}"#), Some(30));
        assert_eq!(n(r#"{"n":-4}"#), Some(-4));
        assert_eq!(n(r#"{"n":"1741262473785"}"#), Some(1741262473785));
        assert_eq!(probe(r#"{"n":null}"#).unwrap().n, None);
        assert_eq!(probe(r#"{}"#).unwrap().n, None);
        for blank in ["", " ", "\t "] {
            let json = serde_json::json!({ "n": blank }).to_string();
            let kept = probe(&json).unwrap().n.unwrap();
            assert_eq!(kept, Number::Blank(blank.to_owned()));
            assert_eq!(kept.value(), None);
            assert_eq!(serde_json::to_value(&kept).unwrap(), blank);
        }
        assert_eq!(serde_json::to_string(&Number::from(7)).unwrap(), "7");
        for bad in [
            r#"{"n":"abc"}"#,
            r#"{"n":1.5}"#,
            r#"{"n":[1]}"#,
            r#"{"n":true}"#,
            r#"{"n":{}}"#,
            r#"{"n":18446744073709551615}"#,
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
