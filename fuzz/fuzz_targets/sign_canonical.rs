//! The AK/SK signer's canonical path and query: never a panic, and canonical forms are
//! fixed points (canonicalising one again changes nothing).
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let (path, query) = text.split_once('?').unwrap_or((text, ""));
    let canonical_path = hwinst::fuzzing::canonical_path(path);
    assert!(canonical_path.ends_with('/'));
    assert_eq!(hwinst::fuzzing::canonical_path(&canonical_path), canonical_path);
    let canonical_query = hwinst::fuzzing::canonical_query(query);
    assert_eq!(
        hwinst::fuzzing::canonical_query(&canonical_query),
        canonical_query
    );
});
