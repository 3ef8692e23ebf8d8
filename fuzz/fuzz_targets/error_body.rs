//! The error-body parser: never a panic, and never a whole secret in what it keeps, however
//! the body splits it (markup, white space, JSON escapes).
#![no_main]
use libfuzzer_sys::fuzz_target;

const SECRETS: [&str; 2] = ["tok-SECRET-7f3a9c1e5b", "SK-0123456789abcdef"];

fuzz_target!(|data: &[u8]| {
    let (status, body) = match data {
        [a, b, rest @ ..] => (400 + u16::from_le_bytes([*a, *b]) % 200, rest),
        _ => return,
    };
    let error = hwinst::fuzzing::error_body(status, body, &SECRETS);
    let shown: String = format!("{error} {error:?}")
        .chars()
        .filter(|c| !c.is_whitespace() && !c.is_control())
        .collect();
    for secret in SECRETS {
        assert!(!shown.contains(secret), "{secret} in {shown}");
    }
});
