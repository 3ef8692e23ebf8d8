#![cfg(feature = "panic-hooks")]
//! Issue 17, item 10: the C boundary is total. A panic in a function's body, in the rendering
//! of its outcome, or in the `Drop` of a panic's payload gives `HWINST_PANIC` and a `PANIC`
//! document (or the function's fallback), never an abort of the caller's process. The stages
//! are reached through the test hooks of feature `panic-hooks`, calling the `extern "C"`
//! functions as C does.

mod common;

use hwinst::ffi::panic_hooks::{panic_next, Stage};
use hwinst::ffi::{hwinst_code, hwinst_version};

#[test]
fn a_panic_at_every_stage_is_caught_with_a_document() {
    let good = c"{\"region\":\"cn-north-4\",\"project_id\":\"0a1b2c3d4e5f\",\"credentials\":{\"token\":\"t0k3n-123\"}}";
    let bad = c"{\"regoin\":1}";
    for stage in [Stage::Body, Stage::Render, Stage::PayloadDrop] {
        for config in [good, bad] {
            panic_next(stage);
            let (code, document) = common::c_client_new(config);
            assert_eq!(code, hwinst_code::PANIC, "{stage:?}");
            let document = document.expect("a PANIC document");
            assert_eq!(document["code"], "PANIC", "{stage:?}: {document}");
            assert_eq!(document["retryable"], false);
        }
    }
    // The hooks are used once: the next call works.
    assert_eq!(common::c_client_new(good), (hwinst_code::OK, None));
}

#[test]
fn functions_without_a_document_fall_back() {
    for stage in [Stage::Body, Stage::PayloadDrop] {
        panic_next(stage);
        assert!(hwinst_version().is_null(), "{stage:?}");
    }
    assert!(!hwinst_version().is_null());
}
