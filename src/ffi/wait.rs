//! Lifecycles and waiting, for C: `hwinst_lifecycle`, `hwinst_wait_cancellable` with its
//! callback and its cancel token (`hwinst_wait`: the same without a token), and
//! `hwinst_wait_many` for a fleet.

use super::client::{client_ref, hwinst_client};
use super::code::hwinst_code;
use super::document::CDocument;
use super::handle::{self, Castable, OwnershipBox};
use crate::cancel::CancelToken;
use crate::client::options::{FleetOptions, Target, WaitOptions};
use crate::client::FleetEvent;
use crate::error::Result;
use crate::lifecycle::{Lifecycle, Source};
use std::ffi::{c_char, c_int, c_void, CString};
use std::ops::ControlFlow;

/// Called by `hwinst_wait` with the first lifecycle document it observes and with every one
/// that differs from the one before. `lifecycle_json` is valid only during the call (copy it to
/// keep it; do not free it). `user_data` is `hwinst_wait`'s. Return 0 to keep waiting, any
/// other value to cancel the wait (`HWINST_CANCELLED`), except on the document that itself
/// ends the wait (a target phase, or `failed`/`deleted`; for `hwinst_wait_many`, the change
/// that meets the fleet's condition): that outcome stands. It runs on the thread that called
/// `hwinst_wait`, may call hwinst (on the same client too, but must not free it), and must
/// not unwind (no C++ exception or `longjmp` out of it).
pub type hwinst_wait_callback =
    Option<unsafe extern "C" fn(lifecycle_json: *const c_char, user_data: *mut c_void) -> c_int>;

/// The source named by a C string argument.
///
/// # Safety
/// `source` is NULL or NUL-terminated.
unsafe fn source_arg(source: *const c_char) -> Result<Source> {
    // SAFETY: as promised to this function.
    unsafe { handle::str_arg("source", source) }?.parse()
}

/// Where an instance is in its lifecycle, read once from `source`: `"roma"` (creation
/// progress), `"roma-details"` (instance details), `"apig"` (creation progress) or
/// `"clouddc"` (instance status).
///
/// Returns `HWINST_OK` with the lifecycle document in `*out_json`:
/// `{"source","instance_id","phase","progress","terminal","status","error","observed_at_ms"}`
/// where `phase` is one of `pending`, `creating`, `running`, `updating`, `stopping`,
/// `stopped`, `deleting`, `deleted`, `failed`, `unknown`; `progress` is 0-100 or null;
/// `status` is the service's own word; `error` is null or
/// `{"error_code","error_msg"}`. An unknown `source` is `HWINST_INVALID_ARGUMENT`. The caller
/// frees `*out_json` with `hwinst_string_free`. Thread-safe.
///
/// # Safety
/// `client` is NULL or a live client; `source` and `instance_id` NULL or NUL-terminated;
/// `out_json` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn hwinst_lifecycle(
    client: *const hwinst_client,
    source: *const c_char,
    instance_id: *const c_char,
    out_json: *mut *mut c_char,
) -> hwinst_code {
    ffi_boundary!(out: out_json, {
        handle::required_out("out_json", out_json)?;
        // SAFETY: forwarded from this function's contract.
        let (client, source, id) = unsafe {
            (
                client_ref(client)?,
                source_arg(source)?,
                handle::str_arg("instance_id", instance_id)?,
            )
        };
        handle::result_document(&client.lifecycle(source, id)?)
    })
}

/// Polls an instance's lifecycle from `source` (as `hwinst_lifecycle`) until its phase is a
/// target, calling `callback` on the first observation and on every change.
///
/// The NULL-token form of `hwinst_wait_cancellable` (kept: the ABI is stable): calling
/// `hwinst_wait_cancellable(client, source, instance_id, options_json, callback, user_data,
/// NULL, out_json)` does the same.
///
/// `options_json` may be NULL (the defaults) or an object with any of `"until"` (phases,
/// default `["running"]`), `"timeout_ms"` (the whole wait, default 1800000),
/// `"initial_interval_ms"` (default 2000; later intervals grow by half, with random jitter),
/// `"max_interval_ms"` (default 30000) and `"not_found_grace_ms"` (default 60000: how long
/// "not found" is taken as "not visible yet" after the start). Other keys are
/// `HWINST_INVALID_ARGUMENT`. `callback` may be NULL.
///
/// Returns `HWINST_OK` with the final lifecycle document in `*out_json`, or:
/// - `HWINST_INSTANCE_FAILED`: the instance reached `failed` or `deleted` (not targets); the
///   error document's `lifecycle` is the last one and its `error_code`/`error_msg` are the
///   service's;
/// - `HWINST_CANCELLED`: the callback returned non-zero (not on the document that ends the
///   wait: that outcome stands);
/// - `HWINST_TIMEOUT`: the deadline passed; `lifecycle` is the last one seen, or null;
/// - any code of `hwinst_lifecycle` that polling again cannot fix (429, 5xx and transport
///   failures are polled through until the deadline).
///
/// The caller frees `*out_json` with `hwinst_string_free`. Blocks the calling thread;
/// thread-safe (any number of waits may share a client).
///
/// # Safety
/// As `hwinst_lifecycle`; `options_json` NULL or NUL-terminated; `callback` NULL or a function
/// that follows `hwinst_wait_callback`'s contract; `user_data` is passed to it untouched.
#[no_mangle]
pub unsafe extern "C" fn hwinst_wait(
    client: *const hwinst_client,
    source: *const c_char,
    instance_id: *const c_char,
    options_json: *const c_char,
    callback: hwinst_wait_callback,
    user_data: *mut c_void,
    out_json: *mut *mut c_char,
) -> hwinst_code {
    // SAFETY: forwarded from this function's contract; no token.
    unsafe {
        hwinst_wait_cancellable(
            client,
            source,
            instance_id,
            options_json,
            callback,
            user_data,
            std::ptr::null(),
            out_json,
        )
    }
}

/// A switch that stops waits from another thread: pass it to `hwinst_wait_cancellable` or
/// `hwinst_wait_many`, then call `hwinst_cancel_token_cancel` from any thread. Create it with
/// `hwinst_cancel_token_new` and free it with `hwinst_cancel_token_free`. Once cancelled it
/// stays cancelled.
pub struct hwinst_cancel_token {
    _private: [u8; 0],
}

impl Castable for hwinst_cancel_token {
    type RustType = CancelToken;
    type Ownership = OwnershipBox;
}

/// Creates a cancel token, not cancelled. Returns `HWINST_OK` and writes it to `*out_token`;
/// the caller frees it with `hwinst_cancel_token_free`. `HWINST_INVALID_ARGUMENT` when
/// `out_token` is NULL. Thread-safe.
///
/// # Safety
/// `out_token` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn hwinst_cancel_token_new(
    out_token: *mut *mut hwinst_cancel_token,
) -> hwinst_code {
    ffi_boundary!(out: std::ptr::null_mut(), {
        handle::required_out("out_token", out_token)?;
        // SAFETY: not NULL, and the caller promises it is writable.
        unsafe { out_token.write(handle::to_boxed_mut_ptr(CancelToken::new())) };
        Ok(None)
    })
}

/// Cancels every wait using `token`: each returns `HWINST_CANCELLED` at once, whether it is
/// pausing between polls or in the middle of a request (whose connection is cut). Idempotent;
/// NULL is a no-op. Thread-safe, and may be called while waits use the token.
///
/// # Safety
/// `token` is NULL or a live token.
#[no_mangle]
pub unsafe extern "C" fn hwinst_cancel_token_cancel(token: *const hwinst_cancel_token) {
    ffi_boundary!(on_panic: (), {
        // SAFETY: as promised by the caller.
        if let Some(token) = unsafe { handle::optional_ref_from_ptr(token) } {
            token.cancel();
        }
    })
}

/// Frees a cancel token. NULL is a no-op. No call that was given `token` may still be running.
///
/// # Safety
/// `token` is NULL or a token from `hwinst_cancel_token_new` not freed before.
#[no_mangle]
pub unsafe extern "C" fn hwinst_cancel_token_free(token: *mut hwinst_cancel_token) {
    ffi_boundary!(on_panic: (), {
        // SAFETY: the caller gives back a token it owns, once.
        unsafe { handle::free_box(token) }
    })
}

/// `hwinst_wait`, which another thread can stop through `cancel_token`: once
/// `hwinst_cancel_token_cancel` is called, the wait returns `HWINST_CANCELLED` (with the last
/// lifecycle seen, or null, in the error document) without waiting for the next change.
/// `cancel_token` may be NULL (then this is `hwinst_wait`). Returns, writes and frees as
/// `hwinst_wait`.
///
/// # Safety
/// As `hwinst_wait`; `cancel_token` is NULL or a live token, not freed before this returns.
#[no_mangle]
#[allow(clippy::too_many_arguments)] // hwinst_wait's seven, and the token
pub unsafe extern "C" fn hwinst_wait_cancellable(
    client: *const hwinst_client,
    source: *const c_char,
    instance_id: *const c_char,
    options_json: *const c_char,
    callback: hwinst_wait_callback,
    user_data: *mut c_void,
    cancel_token: *const hwinst_cancel_token,
    out_json: *mut *mut c_char,
) -> hwinst_code {
    ffi_boundary!(out: out_json, {
        handle::required_out("out_json", out_json)?;
        // SAFETY: forwarded from this function's contract.
        let (client, source, id, options) = unsafe {
            (
                client_ref(client)?,
                source_arg(source)?,
                handle::str_arg("instance_id", instance_id)?,
                handle::optional_str_arg("options_json", options_json)?,
            )
        };
        let mut options = options.map_or(Ok(WaitOptions::new()), WaitOptions::from_json)?;
        // SAFETY: as promised by the caller; a clone of the token outlives the wait.
        if let Some(token) = unsafe { handle::optional_ref_from_ptr(cancel_token) } {
            options = options.cancel_token(token.clone());
        }
        let on_change = |lifecycle: &Lifecycle| match callback {
            None => ControlFlow::Continue(()),
            // SAFETY: the caller promises a callback that follows its contract.
            Some(callback) => match unsafe { call(callback, lifecycle_document(lifecycle), user_data) } {
                0 => ControlFlow::Continue(()),
                _ => ControlFlow::Break(()),
            },
        };
        handle::result_document(&client.wait(source, id, &options, on_change)?)
    })
}

/// Waits for a fleet of instances at once (`Client::wait_many` in Rust): one scheduler on the
/// calling thread, at most `concurrency` requests in flight on as many worker threads whatever
/// the fleet's size, one request budget per service shared by every poll of it (a 429 pauses
/// every poll of that service), and ROMA instances read through the paged list.
///
/// `targets_json` is `[{"source":"apig","instance_id":"..."}, ...]`, any mix of `"roma"`,
/// `"roma-details"`, `"apig"` and `"clouddc"`; an empty list, an unknown source or key, an
/// unsafe ID or an instance listed twice is `HWINST_INVALID_ARGUMENT` naming the entry, before
/// anything is sent. `options_json` may be NULL (the defaults) or an object with the keys of
/// `hwinst_wait` (`"until"`, `"timeout_ms"` for the whole fleet, `"initial_interval_ms"`,
/// `"max_interval_ms"`, `"not_found_grace_ms"`, `"settle"`: polls in a row that must see a
/// target phase, default 1) and `"mode"` (`"all"`, the default: until every instance has an
/// outcome; `"any"`: until one reaches a target phase), `"fail_fast"` (end an `all` wait at
/// the first failure, default false), `"concurrency"` (default 4), `"max_requests_per_second"`
/// (`{"apig":5,"roma":5,"clouddc":5}`, each optional, default 0.5) and `"batch_roma"`
/// (default true; the list has no progress percentage: false keeps it). Other keys are
/// `HWINST_INVALID_ARGUMENT`. `callback` may be NULL; it is called on the calling thread, one
/// call at a time, with the first lifecycle document of each instance and every change; a
/// non-zero return cancels the whole wait. The document is the lifecycle document (its
/// `source` is where it was read: `roma-list` for ROMA targets read through the batched list)
/// with a `"target":{"index","source","instance_id"}` object added: the target it concerns,
/// its index in `targets_json` and its source and ID as given there.
/// `cancel_token` may be NULL; cancelling it ends the whole wait at once.
///
/// Whatever the code, `*out_json` is the fleet document:
/// `{"instances":[{"source","instance_id","outcome","lifecycle","error","polls"}, ...],
/// "requests":{"roma":n,"apig":n,"clouddc":n},"throttled":n,"elapsed_ms":n}`, the instances in
/// the order of the targets, none dropped; `outcome` is one of `reached`, `failed`,
/// `timeout`, `cancelled`, `error`, `pending` (not finished when an `any` or `fail_fast`
/// wait ended); `lifecycle` is the last one seen, or null; `error` is null or an error
/// document. The exception is an argument error (NULL, not UTF-8, bad JSON, bad targets or
/// options), which writes the usual error document.
///
/// Returns `HWINST_OK` when the mode's condition was met, or:
/// - `HWINST_CANCELLED`: the callback returned non-zero (not on the change that meets the
///   mode's condition: that outcome stands), or the token was cancelled;
/// - `HWINST_INSTANCE_FAILED`: an instance reached `failed` or `deleted`;
/// - the code of an instance's error that polling again cannot fix (e.g. `HWINST_NOT_FOUND`);
/// - `HWINST_TIMEOUT`: the deadline passed first;
/// - `HWINST_INVALID_ARGUMENT` (or `HWINST_CONFIG` when the worker threads cannot start),
///   with the error document.
///
/// The caller frees `*out_json` with `hwinst_string_free`. Blocks the calling thread;
/// thread-safe (any number of waits may share a client).
///
/// # Safety
/// `client` is NULL or a live client; `targets_json` and `options_json` NULL or
/// NUL-terminated; `callback` NULL or a function that follows `hwinst_wait_callback`'s
/// contract (`user_data` is passed to it untouched); `cancel_token` NULL or a live token, not
/// freed before this returns; `out_json` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn hwinst_wait_many(
    client: *const hwinst_client,
    targets_json: *const c_char,
    options_json: *const c_char,
    callback: hwinst_wait_callback,
    user_data: *mut c_void,
    cancel_token: *const hwinst_cancel_token,
    out_json: *mut *mut c_char,
) -> hwinst_code {
    ffi_boundary!(coded_out: out_json, {
        handle::required_out("out_json", out_json)?;
        // SAFETY: forwarded from this function's contract.
        let (client, targets, options) = unsafe {
            (
                client_ref(client)?,
                handle::str_arg("targets_json", targets_json)?,
                handle::optional_str_arg("options_json", options_json)?,
            )
        };
        let targets = Target::list_from_json(targets)?;
        let options = options.map_or(Ok(FleetOptions::new()), FleetOptions::from_json)?;
        // The callback cancels through a token of the wait's own, which the caller's (if
        // any) cancels too.
        let stop = CancelToken::new();
        // SAFETY: as promised by the caller; the link ends before this returns.
        let _link = unsafe { handle::optional_ref_from_ptr(cancel_token) }
            .map(|token| token.link(&stop));
        let wait = options.wait().clone().cancel_token(stop.clone());
        let options = options.wait_options(wait);
        let mut asked_to_stop = false;
        let on_change = |event: &FleetEvent| {
            let Some(callback) = callback.filter(|_| !asked_to_stop) else {
                return;
            };
            // SAFETY: the caller promises a callback that follows its contract.
            if unsafe { call(callback, event.document(), user_data) } != 0 {
                asked_to_stop = true;
                stop.cancel();
            }
        };
        let fleet = client.wait_many(&targets, &options, on_change)?;
        let code = fleet.status().map_or_else(hwinst_code::from, |()| hwinst_code::OK);
        Ok((code, Some(CDocument::copy(&fleet.document()))))
    })
}

/// The lifecycle document `hwinst_lifecycle` gives.
fn lifecycle_document(lifecycle: &Lifecycle) -> String {
    serde_json::to_string(lifecycle).unwrap_or_default()
}

/// Calls `callback` with the JSON `document`, which lives for the call.
///
/// # Safety
/// `callback` follows `hwinst_wait_callback`'s contract.
unsafe fn call(
    callback: unsafe extern "C" fn(*const c_char, *mut c_void) -> c_int,
    document: String,
    user_data: *mut c_void,
) -> c_int {
    // serde_json escapes NUL, so JSON text never holds one.
    let document = CString::new(document).unwrap_or_default();
    // SAFETY: as promised to this function; the document outlives the call.
    unsafe { callback(document.as_ptr(), user_data) }
}
