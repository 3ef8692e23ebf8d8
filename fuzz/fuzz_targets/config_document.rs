//! The configuration document (`hwinst_client_new`, `--config`): never a panic, and no
//! credential from the document in the error.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Err(error) = hwinst::ClientBuilder::from_config_json(text) else {
        return;
    };
    let message = format!("{error} {error:?} {}", error.document());
    let Ok(document) = serde_json::from_str::<serde_json::Value>(text) else {
        return;
    };
    let mut secrets = Vec::new();
    collect(document.get("credentials"), &mut secrets);
    for secret in secrets {
        // Long enough, and unlike any word of a message (which has no upper case letters in
        // what it says about a configuration).
        if secret.chars().count() >= 6 && secret.chars().any(|c| c.is_ascii_uppercase()) {
            assert!(!message.contains(&secret), "a credential in: {message}");
        }
    }
});

/// Every string (value or key) under `credentials`.
fn collect(value: Option<&serde_json::Value>, out: &mut Vec<String>) {
    match value {
        Some(serde_json::Value::String(s)) => out.push(s.clone()),
        Some(serde_json::Value::Array(items)) => items.iter().for_each(|v| collect(Some(v), out)),
        Some(serde_json::Value::Object(map)) => {
            for (key, v) in map {
                out.push(key.clone());
                collect(Some(v), out);
            }
        }
        _ => {}
    }
}
