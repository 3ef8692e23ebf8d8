//! Wait options (`hwinst_wait`'s `options_json`): never a panic, and a short message.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Err(error) = hwinst::WaitOptions::from_json(text) {
        assert!(error.to_string().chars().count() < 1_000, "{error}");
    }
});
