//! `Retry-After` and `Date` header values: a pause of at most the longest allowed that never
//! overflows an instant (issue 26: `Retry-After: 18446744073709551615` panicked), and a clock
//! correction from a 401's `Date` (against any `X-Sdk-Date`) that never panics. The input is
//! one header value, or two separated by a line break (`Date`, then `X-Sdk-Date`).
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    hwinst::fuzzing::retry_after(text);
    let (date, signed) = text.split_once('\n').unwrap_or((text, "20261122T100000Z"));
    let (_, now) = hwinst::fuzzing::clock_skew(date, signed);
    assert_eq!(now.len(), 16, "{now}");
});
