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
    d.deserialize_any(BooleanVisitor)?.map_err(D::Error::custom)
}

// The visitors below read a field straight from the decoder's tokens (these run for many
// fields of every answer), and say why a value of the wrong kind is refused as an `Ok(Err)`:
// the caller turns it into the error once the decoder has returned, so that the error's
// position, and everything else about it, is as when the field was read as a
// `serde_json::Value` first. An array or object refused is read to its end first, as a
// `Value` would be (the same position, and anything malformed or too deeply nested in it
// still found).

/// A value, or why it was refused.
type Outcome<T> = Result<T, Refusal>;

/// Why a value was refused (the message of the error it becomes).
type Refusal = std::borrow::Cow<'static, str>;

struct BooleanVisitor;

impl<'de> Visitor<'de> for BooleanVisitor {
    type Value = Outcome<Option<bool>>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a boolean")
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Ok(None))
    }

    fn visit_bool<E: de::Error>(self, b: bool) -> Result<Self::Value, E> {
        Ok(Ok(Some(b)))
    }

    fn visit_str<E: de::Error>(self, s: &str) -> Result<Self::Value, E> {
        Ok(match s.trim() {
            t if t.eq_ignore_ascii_case("true") => Ok(Some(true)),
            t if t.eq_ignore_ascii_case("false") => Ok(Some(false)),
            "" => Ok(None),
            _ => Err("expected a boolean, found a string".into()),
        })
    }

    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
        Ok(Err("expected a boolean, found a number".into()))
    }

    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
        Ok(Err("expected a boolean, found a number".into()))
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
        Ok(Err("expected a boolean, found a number".into()))
    }

    fn visit_seq<A: de::SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
        read_to_end_seq(seq)?;
        Ok(Err("expected a boolean, found an array".into()))
    }

    fn visit_map<A: de::MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        read_to_end_map(map)?;
        Ok(Err("expected a boolean, found an object".into()))
    }
}

/// A string: a JSON string, or a number or boolean kept as its text.
pub(crate) fn text<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Option::<Text>::deserialize(d).map(|t| t.map(|t| t.0))
}

/// A list of strings: a JSON array, or a string holding one — JSON (`"[\"az0.dc0\"]"`), bare
/// (`"[region01, region02]"`) or comma-separated (`"az1,az2"`).
pub(crate) fn list<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Vec<String>>, D::Error> {
    d.deserialize_any(ListVisitor)?.map_err(D::Error::custom)
}

struct ListVisitor;

impl<'de> Visitor<'de> for ListVisitor {
    type Value = Outcome<Option<Vec<String>>>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a list of strings")
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Ok(None))
    }

    fn visit_str<E: de::Error>(self, s: &str) -> Result<Self::Value, E> {
        Ok(Ok(Some(split_list(s))))
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
        Ok(Err("expected a list of strings, found a boolean".into()))
    }

    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
        Ok(Err("expected a list of strings, found a number".into()))
    }

    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
        Ok(Err("expected a list of strings, found a number".into()))
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
        Ok(Err("expected a list of strings, found a number".into()))
    }

    fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0));
        // The whole array is read before an item is refused, the first one named.
        let mut refused = None;
        while let Some(item) = seq.next_element::<Value>()? {
            match item {
                Value::String(s) => items.push(s),
                Value::Number(n) => items.push(n.to_string()),
                other => {
                    refused = refused.or(Some(describe(&other)));
                }
            }
        }
        Ok(match refused {
            None => Ok(Some(items)),
            Some(found) => Err(format!("expected a list of strings, found {found} in it").into()),
        })
    }

    fn visit_map<A: de::MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        read_to_end_map(map)?;
        Ok(Err("expected a list of strings, found an object".into()))
    }
}

/// Reads the rest of an array that is refused as a whole (see above).
fn read_to_end_seq<'de, A: de::SeqAccess<'de>>(mut seq: A) -> Result<(), A::Error> {
    while seq.next_element::<Value>()?.is_some() {}
    Ok(())
}

/// Reads the rest of an object that is refused as a whole (see above).
fn read_to_end_map<'de, A: de::MapAccess<'de>>(mut map: A) -> Result<(), A::Error> {
    while map.next_entry::<String, Value>()?.is_some() {}
    Ok(())
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
        d.deserialize_any(TextVisitor)?.map_err(D::Error::custom)
    }
}

/// Reads a [`Text`] (see the other visitors above): a number's text as `serde_json` writes it.
struct TextVisitor;

impl<'de> Visitor<'de> for TextVisitor {
    type Value = Outcome<Text>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string")
    }

    fn visit_str<E: de::Error>(self, s: &str) -> Result<Self::Value, E> {
        Ok(Ok(Text(s.to_owned())))
    }

    fn visit_string<E: de::Error>(self, s: String) -> Result<Self::Value, E> {
        Ok(Ok(Text(s)))
    }

    fn visit_bool<E: de::Error>(self, b: bool) -> Result<Self::Value, E> {
        Ok(Ok(Text(b.to_string())))
    }

    fn visit_i64<E: de::Error>(self, n: i64) -> Result<Self::Value, E> {
        Ok(Ok(Text(n.to_string())))
    }

    fn visit_u64<E: de::Error>(self, n: u64) -> Result<Self::Value, E> {
        Ok(Ok(Text(n.to_string())))
    }

    fn visit_f64<E: de::Error>(self, f: f64) -> Result<Self::Value, E> {
        // A float that is no JSON number is what a `Value` holds as null.
        Ok(serde_json::Number::from_f64(f)
            .map(|n| Text(n.to_string()))
            .ok_or_else(|| "expected a string, found null".into()))
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Err("expected a string, found null".into()))
    }

    fn visit_seq<A: de::SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
        read_to_end_seq(seq)?;
        Ok(Err("expected a string, found an array".into()))
    }

    fn visit_map<A: de::MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        read_to_end_map(map)?;
        Ok(Err("expected a string, found an object".into()))
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
        let t = |json| probe(json).unwrap().t.unwrap();
        assert_eq!(t(r#"{"t":-7}"#), "-7");
        assert_eq!(t(r#"{"t":18446744073709551615}"#), "18446744073709551615");
        assert_eq!(t(r#"{"t":2.50}"#), "2.5");
        assert_eq!(t(r#"{"t":1e3}"#), "1000.0");
        assert_eq!(t(r#"{"t":false}"#), "false");
        assert_eq!(t(r#"{"t":"a\"b"}"#), "a\"b");
        assert!(probe(r#"{"t":{}}"#).is_err());
    }

    /// A value of the wrong kind is refused once read whole: the error's position is after it
    /// (and after what follows it up to the object's end), as when these decoders read a
    /// `serde_json::Value` first, and a malformed or too deeply nested value inside it is
    /// still found.
    #[test]
    fn wrong_kinds_are_refused_where_they_end() {
        let cases = [
            (
                r#"{"t":{"a":[1,2]} }"#,
                "expected a string, found an object at line 1 column 18",
            ),
            (
                r#"{"t":[1,{"b":2}] }"#,
                "expected a string, found an array at line 1 column 18",
            ),
            (
                r#"{"b":{"a":1}}"#,
                "expected a boolean, found an object at line 1 column 13",
            ),
            (
                r#"{"b":[true]}"#,
                "expected a boolean, found an array at line 1 column 12",
            ),
            (
                r#"{"b":1.5}"#,
                "expected a boolean, found a number at line 1 column 9",
            ),
            (
                r#"{"b":" maybe "}"#,
                "expected a boolean, found a string at line 1 column 15",
            ),
            (
                r#"{"l":[{"a":1},"x"]}"#,
                "expected a list of strings, found an object in it at line 1 column 19",
            ),
            (
                r#"{"l":["x",[1],null]}"#,
                "expected a list of strings, found an array in it at line 1 column 20",
            ),
            (
                r#"{"l":{"a":1}}"#,
                "expected a list of strings, found an object at line 1 column 13",
            ),
            (
                r#"{"l":true}"#,
                "expected a list of strings, found a boolean at line 1 column 10",
            ),
            (r#"{"t":[1,}]}"#, "expected value at line 1 column 9"),
        ];
        for (json, expected) in cases {
            assert_eq!(probe(json).err().unwrap().to_string(), expected, "{json}");
        }
        let deep = format!(r#"{{"t":{}{}}}"#, "[".repeat(200), "]".repeat(200));
        let err = probe(&deep).err().unwrap().to_string();
        assert!(err.starts_with("recursion limit exceeded"), "{err}");
        // The same from a `Value` (the masked decode's input).
        let value = serde_json::json!({"b": "TRUE", "l": ["a", 2], "t": 3.25});
        let p = Probe::deserialize(value).unwrap();
        assert_eq!(
            (p.b, p.l.unwrap(), p.t.unwrap()),
            (Some(true), vec!["a".into(), "2".into()], "3.25".into())
        );
        let wrong = Probe::deserialize(serde_json::json!({"t": null, "l": [{}]}));
        assert_eq!(
            wrong.err().unwrap().to_string(),
            "expected a list of strings, found an object in it"
        );
    }
}
