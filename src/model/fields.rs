//! How a model is declared: its fields written once, in [`model!`], which gives the struct (with
//! `Serialize` derived) and a `Deserialize` that matches each key as it streams past.
//!
//! Why not `#[derive(Deserialize)]`: every model keeps the fields it does not know in `extra`,
//! and derive's `#[serde(flatten)]` for that buffers each unknown key and value in serde's
//! private `Content` tree and turns them into a `Value` at the end. Here a known key is
//! matched as a `&str` (nothing allocated for it; the field declared after the previous key's
//! is tried first, since services send fields in their document's order) and its value is
//! decoded straight into its field; only an unknown key is copied, and its value decoded
//! straight into a `Value`. What a body decodes to, and every error (its message, its
//! position and the JSON path `serde_path_to_error` names), is the same as derive's:
//! - a missing key or `null` is `None` (the field's `Default`: an empty list for `Vec`);
//! - a known key sent twice is refused (`duplicate field `name``); an unknown one sent twice
//!   keeps its last value;
//! - a key spelt with escapes (`"na\u006de"`) is the key it spells;
//! - anything but an object is refused (`invalid type: sequence, expected struct Name`).
//!
//! Serialising is derive's, with `extra` flattened back in (that path buffers nothing).

/// Declares a model: `pub struct $name { fields }` plus `pub extra: Map<String, Value>` (the
/// fields this version does not know), with `Serialize` derived (`None` fields left out) and
/// `Deserialize` as the module says.
///
/// Each field is `pub name: Type` with its doc comment, then optionally:
/// - `#[serde(rename = "key")]`: the JSON key, when it is not the field's name;
/// - `#[decode(path)]`: the function that decodes it (`lenient::text`, ...), as serde's
///   `deserialize_with`; without it, the type's own `Deserialize`.
///
/// Every field type must implement `Default` (what a missing key gives).
macro_rules! model {
    (
        $(#[$meta:meta])*
        pub struct $name:ident {
            $(
                $(#[doc = $doc:literal])*
                $(#[serde(rename = $key:literal)])?
                $(#[decode($decode:path)])?
                pub $field:ident : $ty:ty,
            )*
        }
    ) => {
        #[serde_with::skip_serializing_none]
        $(#[$meta])*
        #[derive(serde::Serialize)]
        pub struct $name {
            $(
                $(#[doc = $doc])*
                $(#[serde(rename = $key)])?
                pub $field: $ty,
            )*
            /// Fields this version does not know, as the server sent them.
            #[serde(flatten)]
            pub extra: serde_json::Map<String, serde_json::Value>,
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(
                deserializer: D,
            ) -> std::result::Result<Self, D::Error> {
                use serde::de::{self, MapAccess, Visitor};
                use std::fmt;

                /// The fields, in the order declared.
                #[allow(non_camel_case_types)]
                #[derive(Clone, Copy)]
                enum Field {
                    $($field,)*
                }

                /// Each field's JSON key, at its position in [`Field`].
                const KEYS: &[(&str, Field)] = &[
                    $(($crate::model::fields::key!($field $(, $key)?), Field::$field),)*
                ];

                /// A key of the object: one of the fields, or a name this version does not know.
                enum Key {
                    Known(Field),
                    Other(String),
                }

                /// Reads a key, trying first the field declared after the previous key's:
                /// services send the fields in their document's order, which the models keep,
                /// so most keys cost one comparison instead of a walk through the names.
                struct KeySeed {
                    expected: usize,
                }

                impl<'de> de::DeserializeSeed<'de> for KeySeed {
                    type Value = Key;
                    fn deserialize<D: serde::Deserializer<'de>>(
                        self,
                        d: D,
                    ) -> std::result::Result<Key, D::Error> {
                        d.deserialize_identifier(self)
                    }
                }

                impl Visitor<'_> for KeySeed {
                    type Value = Key;
                    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                        f.write_str("field identifier")
                    }
                    // Borrowed, escaped (unescaped by now) and owned keys land here.
                    fn visit_str<E: de::Error>(self, key: &str) -> std::result::Result<Key, E> {
                        if let Some((name, field)) = KEYS.get(self.expected) {
                            if *name == key {
                                return Ok(Key::Known(*field));
                            }
                        }
                        Ok(match key {
                            $(
                                $crate::model::fields::key!($field $(, $key)?)
                                    => Key::Known(Field::$field),
                            )*
                            other => Key::Other(other.to_owned()),
                        })
                    }
                }

                struct ModelVisitor;
                impl<'de> Visitor<'de> for ModelVisitor {
                    type Value = $name;
                    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                        f.write_str(concat!("struct ", stringify!($name)))
                    }
                    fn visit_map<A: MapAccess<'de>>(
                        self,
                        mut map: A,
                    ) -> std::result::Result<$name, A::Error> {
                        $(let mut $field: Option<$ty> = None;)*
                        let mut extra = serde_json::Map::new();
                        let mut expected = 0;
                        while let Some(key) = map.next_key_seed(KeySeed { expected })? {
                            match key {
                                $(Key::Known(Field::$field) => {
                                    expected = Field::$field as usize + 1;
                                    if $field.is_some() {
                                        return Err(<A::Error as de::Error>::duplicate_field(
                                            $crate::model::fields::key!($field $(, $key)?),
                                        ));
                                    }
                                    $field = Some(
                                        $crate::model::fields::value!(map, $ty $(, $decode)?),
                                    );
                                })*
                                Key::Other(name) => {
                                    let value = map.next_value::<serde_json::Value>()?;
                                    extra.insert(name, value);
                                }
                            }
                        }
                        Ok($name {
                            $($field: $field.unwrap_or_default(),)*
                            extra,
                        })
                    }
                }

                deserializer.deserialize_map(ModelVisitor)
            }
        }
    };
}
pub(crate) use model;

/// A field's JSON key: its `rename`, else its name.
macro_rules! key {
    ($field:ident) => {
        stringify!($field)
    };
    ($field:ident, $key:literal) => {
        $key
    };
}
pub(crate) use key;

/// The next value of `map` as a field of type `$ty`: by the type's `Deserialize`, or by
/// `$decode` (a `deserialize_with` function).
macro_rules! value {
    ($map:ident, $ty:ty) => {
        $map.next_value::<$ty>()?
    };
    ($map:ident, $ty:ty, $decode:path) => {{
        struct DecodeWith($ty);
        impl<'de> serde::Deserialize<'de> for DecodeWith {
            fn deserialize<D: serde::Deserializer<'de>>(
                d: D,
            ) -> std::result::Result<Self, D::Error> {
                $decode(d).map(DecodeWith)
            }
        }
        $map.next_value::<DecodeWith>()?.0
    }};
}
pub(crate) use value;
