//! Fleet options and targets (`hwinst_wait_many`'s `options_json` and `targets_json`): never a
//! panic, and a short message; an accepted budget makes pauses that never overflow an
//! instant, whatever its rate (issue 26: 1e-20 requests per second panicked).
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match hwinst::FleetOptions::from_json(text) {
        Err(error) => assert!(error.to_string().chars().count() < 1_000, "{error}"),
        Ok(_) => {
            // Every rate the document gives, as the budget would take it.
            let document: serde_json::Value = serde_json::from_str(text).unwrap();
            if let Some(rates) = document["max_requests_per_second"].as_object() {
                for rate in rates.values().filter_map(serde_json::Value::as_f64) {
                    for debt in [0, 1, 1_000, u32::MAX] {
                        hwinst::fuzzing::budget_pause(rate, debt, std::time::Duration::ZERO);
                    }
                }
            }
        }
    }
    if let Err(error) = hwinst::Target::list_from_json(text) {
        assert!(error.to_string().chars().count() < 1_000, "{error}");
    }
    // The raw bytes as a rate and a debt too, for values no JSON document spells.
    if data.len() >= 12 {
        let rate = f64::from_le_bytes(data[..8].try_into().unwrap());
        let debt = u32::from_le_bytes(data[8..12].try_into().unwrap());
        hwinst::fuzzing::budget_pause(rate, debt, std::time::Duration::from_secs(1));
    }
});
