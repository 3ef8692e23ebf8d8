//! The RomaInstancePage decoder and its lifecycle mapping: never a panic, and what is decoded serialises
//! into a document that decodes again (nothing the server sent is lost on the way).
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(model) = serde_json::from_slice::<hwinst::RomaInstancePage>(data) else {
        return;
    };
    for instance in &model.instances {
        let _ = instance.lifecycle();
    }
    let document = serde_json::to_string(&model).expect("a model serialises");
    let again: hwinst::RomaInstancePage = serde_json::from_str(&document).expect("its document decodes");
    assert_eq!(
        serde_json::to_string(&again).unwrap(),
        document,
        "serialising is stable"
    );
});
