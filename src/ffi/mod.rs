//! The C ABI (`include/hwinst.h` is generated from this module by cbindgen).
//!
//! The conventions, once for every function (each function's doc gives its own codes):
//! - **Codes.** 13 of the 18 functions return an [`hwinst_code`]; `hwinst_version` returns a
//!   static string (never freed), and `hwinst_string_free`, `hwinst_client_free`,
//!   `hwinst_cancel_token_free` and `hwinst_cancel_token_cancel` return nothing (NULL is a
//!   no-op for each).
//! - **Constructors** (`hwinst_client_new`, `hwinst_client_from_env`) write two
//!   out-parameters: the client to `*out_client` (NULL first, the client on `HWINST_OK`;
//!   freed with `hwinst_client_free`), and to `*out_error`, which may be NULL, NULL on success
//!   or the error document on failure.
//! - **Operations** (the service calls, `hwinst_lifecycle`, `hwinst_wait`,
//!   `hwinst_wait_cancellable`) write one document to `*out_json`: the result on `HWINST_OK`,
//!   the error document otherwise (a failed or timed-out wait's names the last lifecycle).
//! - **`hwinst_wait_many`** writes the fleet document to `*out_json` whatever the code,
//!   except after an argument error (NULL, not UTF-8, bad JSON, targets or options), which
//!   writes the error document.
//! - **`hwinst_cancel_token_new`** writes the token to `*out_token` (freed with
//!   `hwinst_cancel_token_free`) and has no error out: its only failure is a NULL
//!   `out_token` (`HWINST_INVALID_ARGUMENT`).
//! - **Strings** written to `out_json` or `out_error` are the caller's, freed once with
//!   [`hwinst_string_free`] (never `free()`); they outlive the client.
//! - **`hwinst_wait`** is `hwinst_wait_cancellable` with a NULL token, kept for the ABI.
//! - NULL pointers and non-UTF-8 strings are `HWINST_INVALID_ARGUMENT`, never a crash; every
//!   body runs inside `ffi_boundary!`, so a panic becomes `HWINST_PANIC` (with a `PANIC`
//!   error document where there is an out-parameter) and never unwinds into C.
//!
//! The header's opening comment (`autogen_warning` in cbindgen.toml) repeats these rules for
//! C readers: change both together.
//!
//! One module per concept: `code` (codes and error documents), `handle` (who owns each
//! pointer, C strings in, and the boundary), `document` (the strings handed out, and
//! freed), `client` (the client handle), `operations` (the
//! service calls), `wait` (lifecycles, waiting and cancel tokens). Everything exported is
//! re-exported here, in one flat namespace as C sees it.

// A C caller may hand over any pointer: every dereference is spelled out in an `unsafe`
// block whose comment says what the caller promised.
#![deny(unsafe_op_in_unsafe_fn)]
// Types carry the names C sees (`hwinst_client`, `hwinst_code`), as in rustls-ffi.
#![allow(non_camel_case_types)]

/// Where the test hooks of feature `panic-hooks` may make the boundary panic; nothing
/// without the feature.
macro_rules! panic_hook {
    ($stage:ident) => {
        #[cfg(feature = "panic-hooks")]
        $crate::ffi::panic_hooks::maybe_panic($crate::ffi::panic_hooks::Stage::$stage);
    };
}

/// Runs the body of an `extern "C"` function so that nothing unwinds into C. The one panic
/// boundary of the crate: every exported function runs its body in it (the operations on one
/// instance through `operations::instance_call`, the lists through `operations::list_call`).
///
/// - `ffi_boundary!(out: ptr, { ... })`: the body gives `Result<Option<CDocument>>`; the document
///   (`Some`), NULL (`None`), or the error document goes to `*ptr` when `ptr` is not NULL, and
///   the function returns the matching [`hwinst_code`]. A panic gives `HWINST_PANIC` and a
///   `PANIC` error document.
/// - `ffi_boundary!(coded_out: ptr, { ... })`: the same, for a body that gives
///   `Result<(hwinst_code, Option<CDocument>)>`: a document written whatever the code.
/// - `ffi_boundary!(on_panic: value, { ... })`: for functions that cannot fail; a panic
///   returns `value`.
///
/// As rustls-ffi's `ffi_panic_boundary!`, everything but the final write of the pointer is
/// inside `catch_unwind`: the body, the rendering of its outcome into the string handed to C,
/// and the drop of a panic's payload (whose own `Drop` may panic: then it is leaked).
macro_rules! ffi_boundary {
    (out: $out:expr, $body:block) => {{
        let out: *mut *mut ::std::ffi::c_char = $out;
        // Everything but the write of the pointer happens inside the boundary.
        let (code, string) =
            $crate::ffi::handle::guarded(!out.is_null(), || -> $crate::Result<Option<$crate::ffi::document::CDocument>> {
                panic_hook!(Body);
                panic_hook!(PayloadDrop);
                $body
            });
        $crate::ffi::handle::write_out(out, string);
        code
    }};
    (coded_out: $out:expr, $body:block) => {{
        let out: *mut *mut ::std::ffi::c_char = $out;
        // As `out:`, for a body that gives its code with its document.
        let (code, string) = $crate::ffi::handle::guarded_coded(
            !out.is_null(),
            || -> $crate::Result<($crate::ffi::hwinst_code, Option<$crate::ffi::document::CDocument>)> {
                panic_hook!(Body);
                panic_hook!(PayloadDrop);
                $body
            },
        );
        $crate::ffi::handle::write_out(out, string);
        code
    }};
    (on_panic: $fallback:expr, $body:block) => {{
        match ::std::panic::catch_unwind(::std::panic::AssertUnwindSafe(|| {
            panic_hook!(Body);
            panic_hook!(PayloadDrop);
            $body
        })) {
            Ok(value) => value,
            Err(payload) => {
                // Dropped inside a boundary too: a payload's `Drop` may panic.
                $crate::ffi::handle::drop_payload(payload);
                $fallback
            }
        }
    }};
}

mod client;
mod code;
mod document;
mod handle;
mod operations;
#[cfg(feature = "panic-hooks")]
#[doc(hidden)]
pub mod panic_hooks;
mod wait;

use std::ffi::{c_char, CStr};

// One flat namespace, as C sees it.
pub use client::{hwinst_client, hwinst_client_free, hwinst_client_from_env, hwinst_client_new};
pub use code::hwinst_code;
pub use operations::{
    hwinst_apig_creation_progress, hwinst_clouddc_instance_status, hwinst_roma_creation_progress,
    hwinst_roma_instance, hwinst_roma_list_all_instances, hwinst_roma_list_instances,
    hwinst_roma_list_page,
};
pub use wait::{
    hwinst_cancel_token, hwinst_cancel_token_cancel, hwinst_cancel_token_free,
    hwinst_cancel_token_new, hwinst_lifecycle, hwinst_wait, hwinst_wait_callback,
    hwinst_wait_cancellable, hwinst_wait_many,
};

const VERSION_C: &CStr =
    match CStr::from_bytes_with_nul(concat!(env!("CARGO_PKG_VERSION"), "\0").as_bytes()) {
        Ok(version) => version,
        Err(_) => panic!("the crate version holds a NUL byte"),
    };

/// The library's version, e.g. `"0.1.0"`.
///
/// Returns a static, NUL-terminated string: do not free it. Thread-safe.
#[no_mangle]
pub extern "C" fn hwinst_version() -> *const c_char {
    ffi_boundary!(on_panic: std::ptr::null(), { VERSION_C.as_ptr() })
}

/// Frees a string that hwinst returned through an `out_json` or `out_error` parameter.
/// NULL is a no-op.
///
/// `string` must have come from hwinst and not been freed before; never pass it to `free`, and
/// never pass anything else here. Thread-safe for different strings.
///
/// # Safety
/// `string` is NULL or a string returned by hwinst that has not been freed.
#[no_mangle]
pub unsafe extern "C" fn hwinst_string_free(string: *mut c_char) {
    ffi_boundary!(on_panic: (), {
        // SAFETY: the caller promises NULL or a `string` from `CDocument::into_raw` (through
        // `handle::write_out`), freed once; `free` takes NULL as a no-op.
        unsafe { document::CDocument::free(string) };
    })
}
