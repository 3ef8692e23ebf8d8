//! Service vocabularies: status words and other enumerated strings that stay open.
//!
//! Services add words as they evolve, spell them in any case (`creating` where the document
//! says `CREATING`), with `-` or `_` (`shutting-down`, `shutting_down`), and sometimes
//! misspell them (`DELETE_FALIED`). An [`OpenEnum`] keeps the word exactly as the server sent
//! it and offers the documented meaning when there is one; an unknown word is kept, never an
//! error.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// A closed set of documented meanings with the words that spell them.
pub trait Vocabulary: Copy + Eq + fmt::Debug + 'static {
    /// Every accepted spelling and its meaning. Matching ignores ASCII case, `-` and `_`.
    const WORDS: &'static [(&'static str, Self)];

    /// The meaning of `word`, if it is one of [`WORDS`](Self::WORDS).
    fn from_word(word: &str) -> Option<Self> {
        // The word is trimmed once; the spellings need not be (`vocabulary!` checks them).
        let word = trimmed(word).as_bytes();
        Self::WORDS
            .iter()
            .find(|(spelling, _)| same_folded(spelling.as_bytes(), word))
            .map(|(_, meaning)| *meaning)
    }

    /// The documented spelling of this meaning (the first one listed).
    fn word(self) -> &'static str {
        Self::WORDS
            .iter()
            .find(|(_, meaning)| *meaning == self)
            .map(|(spelling, _)| *spelling)
            .unwrap_or("")
    }
}

/// Equal when equal after ignoring ASCII case and the separators `-` and `_`.
///
/// Every decoded status is looked up here, against each spelling of its vocabulary in turn: a
/// word as documented (in any case) is equal at once, and a spelling that differs is told
/// apart at its first differing byte, with nothing allocated.
fn same_folded(a: &[u8], b: &[u8]) -> bool {
    if a.eq_ignore_ascii_case(b) {
        return true;
    }
    let separator = |byte: u8| matches!(byte, b'-' | b'_');
    let (mut i, mut j) = (0, 0);
    loop {
        while i < a.len() && separator(a[i]) {
            i += 1;
        }
        while j < b.len() && separator(b[j]) {
            j += 1;
        }
        match (a.get(i), b.get(j)) {
            (Some(x), Some(y)) if x.eq_ignore_ascii_case(y) => (i, j) = (i + 1, j + 1),
            (None, None) => return true,
            _ => return false,
        }
    }
}

/// `word.trim()`, without its Unicode look-ups when both ends are visible ASCII, as a status
/// word's are.
fn trimmed(word: &str) -> &str {
    if is_trimmed(word) {
        word
    } else {
        word.trim()
    }
}

/// Whether both ends of `word` are visible ASCII (so [`str::trim`] would leave it as it is):
/// `vocabulary!` checks each spelling at compile time, so that [`Vocabulary::from_word`] trims
/// only the word it looks up.
pub(crate) const fn is_trimmed(word: &str) -> bool {
    match (word.as_bytes().first(), word.as_bytes().last()) {
        (Some(first), Some(last)) => first.is_ascii_graphic() && last.is_ascii_graphic(),
        _ => false,
    }
}

/// A word from a service vocabulary, kept exactly as the server sent it, with its documented
/// meaning when it has one.
///
/// ```
/// use hwinst::{ApigProgressStatus, OpenEnum};
///
/// let status: OpenEnum<ApigProgressStatus> = OpenEnum::new("SUCCESS");
/// assert_eq!(status.known(), Some(ApigProgressStatus::Success));
/// assert_eq!(status, ApigProgressStatus::Success);
/// assert_eq!(status.as_str(), "SUCCESS"); // the server's own spelling
///
/// let novel: OpenEnum<ApigProgressStatus> = OpenEnum::new("paused");
/// assert_eq!(novel.known(), None);
/// assert_eq!(novel.as_str(), "paused");
/// ```
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct OpenEnum<K> {
    word: String,
    known: Option<K>,
}

impl<K: Vocabulary> OpenEnum<K> {
    /// Classifies `word`.
    pub fn new(word: impl Into<String>) -> OpenEnum<K> {
        let word = word.into();
        let known = K::from_word(&word);
        OpenEnum { word, known }
    }

    /// The word as the server sent it.
    pub fn as_str(&self) -> &str {
        &self.word
    }

    /// The documented meaning, or `None` for a word this version does not know.
    pub fn known(&self) -> Option<K> {
        self.known
    }
}

impl<K: Vocabulary> From<K> for OpenEnum<K> {
    fn from(meaning: K) -> OpenEnum<K> {
        OpenEnum {
            word: meaning.word().to_owned(),
            known: Some(meaning),
        }
    }
}

impl<K: Vocabulary> PartialEq<K> for OpenEnum<K> {
    fn eq(&self, other: &K) -> bool {
        self.known == Some(*other)
    }
}

impl<K: Vocabulary> fmt::Debug for OpenEnum<K> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.known {
            Some(k) => write!(f, "{:?} ({k:?})", self.word),
            None => write!(f, "{:?} (unknown)", self.word),
        }
    }
}

impl<K> fmt::Display for OpenEnum<K> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.word)
    }
}

impl<K> Serialize for OpenEnum<K> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.word)
    }
}

impl<'de, K: Vocabulary> Deserialize<'de> for OpenEnum<K> {
    /// Accepts a string, or a number or boolean (kept as its text).
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        crate::model::lenient::Text::deserialize(deserializer).map(|text| OpenEnum::new(text.0))
    }
}

/// Declares a vocabulary: a `Copy` enum and its table of spellings.
macro_rules! vocabulary {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident = $($word:literal)|+ ,)+
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum $name {
            $( $(#[$vmeta])* $variant, )+
        }

        impl $crate::model::vocab::Vocabulary for $name {
            const WORDS: &'static [(&'static str, Self)] = &[
                $( $( ($word, $name::$variant), )+ )+
            ];
        }

        const _: () = {
            $( $( assert!(
                $crate::model::vocab::is_trimmed($word),
                concat!("the spelling ", stringify!($word), " must start and end in visible ASCII"),
            ); )+ )+
        };
    };
}
pub(crate) use vocabulary;

#[cfg(test)]
mod tests {
    use super::*;

    vocabulary! {
        /// A test vocabulary.
        pub enum Sample {
            /// Shutting down.
            ShuttingDown = "shutting_down",
            /// Delete failed.
            DeleteFailed = "DELETE_FAILED" | "DELETE_FALIED",
        }
    }

    #[test]
    fn matching_ignores_case_and_separators() {
        for word in [
            "shutting_down",
            "shutting-down",
            "SHUTTING_DOWN",
            "ShuttingDown",
        ] {
            assert_eq!(
                Sample::from_word(word),
                Some(Sample::ShuttingDown),
                "{word}"
            );
        }
        assert_eq!(
            Sample::from_word("DELETE_FALIED"),
            Some(Sample::DeleteFailed)
        );
        assert_eq!(Sample::from_word("shutting"), None);
        // The word is trimmed (of any whitespace), never the separators' places.
        for word in [
            " shutting_down\t",
            "\u{3000}SHUTTING-DOWN\u{a0}",
            "s_hutting__down-",
        ] {
            assert_eq!(
                Sample::from_word(word),
                Some(Sample::ShuttingDown),
                "{word:?}"
            );
        }
        for word in [
            "",
            " ",
            "shutting down",
            "shutting_dow",
            "shutting_downn",
            "-",
        ] {
            assert_eq!(Sample::from_word(word), None, "{word:?}");
        }
        assert_eq!(Sample::DeleteFailed.word(), "DELETE_FAILED");
    }

    #[test]
    fn spellings_must_be_trimmed() {
        assert!(is_trimmed("DELETE_FALIED") && is_trimmed("x") && is_trimmed("a b"));
        for bad in [
            "",
            " x",
            "x ",
            "\tx",
            "x\n",
            "x\u{b}",
            "\u{a0}x",
            "x\u{3000}",
        ] {
            assert!(!is_trimmed(bad), "{bad:?}");
        }
    }

    #[test]
    fn serialises_the_word_as_sent() {
        let v: OpenEnum<Sample> = serde_json::from_str("\"shutting-down\"").unwrap();
        assert_eq!(v, Sample::ShuttingDown);
        assert_eq!(serde_json::to_string(&v).unwrap(), "\"shutting-down\"");
        let n: OpenEnum<Sample> = serde_json::from_str("7").unwrap();
        assert_eq!((n.as_str(), n.known()), ("7", None));
        assert_eq!(
            OpenEnum::from(Sample::DeleteFailed).as_str(),
            "DELETE_FAILED"
        );
    }
}
