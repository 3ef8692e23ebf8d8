//! Test-only hooks (cargo feature `panic-hooks`, never on by default) that make the C
//! boundary panic at a chosen stage, so that tests can check that every stage is inside it.
//! Set per thread, used once: other threads' calls are not affected.

use std::cell::Cell;

/// Where the next call on this thread panics.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Stage {
    /// In the function's body.
    Body,
    /// While the outcome (result or error document) is turned into the string handed to C.
    Render,
    /// In the body, with a payload whose `Drop` panics too.
    PayloadDrop,
}

thread_local! {
    static NEXT: Cell<Option<Stage>> = const { Cell::new(None) };
}

/// Makes the next C function called on this thread panic at `stage`.
pub fn panic_next(stage: Stage) {
    NEXT.with(|next| next.set(Some(stage)));
}

/// A panic payload whose `Drop` panics.
struct PanickyPayload;

impl Drop for PanickyPayload {
    fn drop(&mut self) {
        panic!("panic-hooks: the payload's Drop panics");
    }
}

/// Panics here when the hook was set for `stage` (and forgets it).
pub(crate) fn maybe_panic(stage: Stage) {
    if NEXT.with(|next| next.get()) != Some(stage) {
        return;
    }
    NEXT.with(|next| next.set(None));
    match stage {
        Stage::PayloadDrop => std::panic::panic_any(PanickyPayload),
        other => panic!("panic-hooks: a panic at {other:?}"),
    }
}
