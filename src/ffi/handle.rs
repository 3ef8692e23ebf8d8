//! Who owns what crosses the boundary, and the conversions at it: handles to and from Rust
//! values, C strings in, JSON documents out.
//!
//! Each handle type names the Rust value behind it and who owns that value ([`Castable`], after
//! rustls-ffi): an [`OwnershipBox`] handle is created by hwinst, owned by the caller, and
//! given back exactly once to its `_free` function.

use super::code::{self, hwinst_code};
use super::document::CDocument;
use crate::error::{Error, Result};
use std::any::Any;
use std::ffi::{c_char, CStr};
use std::panic::{catch_unwind, AssertUnwindSafe};

/// The error for a NULL `name` where a pointer is required.
fn null_argument(name: &str) -> Error {
    Error::InvalidArgument(format!("{name} is NULL"))
}

/// A C handle type and the Rust value behind it.
pub(crate) trait Castable {
    /// The Rust value a handle points to.
    type RustType;
    /// Who owns that value: [`OwnershipBox`] for now.
    type Ownership;
}

/// The handle is a `Box<RustType>` turned into a raw pointer: the caller owns it and frees it
/// with the type's `_free` function.
pub(crate) struct OwnershipBox;

/// Moves `value` to the heap and hands its ownership to the caller.
pub(crate) fn to_boxed_mut_ptr<C>(value: C::RustType) -> *mut C
where
    C: Castable<Ownership = OwnershipBox>,
{
    Box::into_raw(Box::new(value)).cast()
}

/// Borrows the value behind a handle, or says which argument was NULL.
///
/// # Safety
/// `ptr` is NULL or a live handle of type `C`, valid for `'a`.
pub(crate) unsafe fn try_ref_from_ptr<'a, C: Castable>(
    name: &str,
    ptr: *const C,
) -> Result<&'a C::RustType> {
    // SAFETY: as promised to this function.
    unsafe { optional_ref_from_ptr(ptr) }.ok_or_else(|| null_argument(name))
}

/// Like [`try_ref_from_ptr`], for a handle that may be NULL: NULL is `None`.
///
/// # Safety
/// As [`try_ref_from_ptr`].
pub(crate) unsafe fn optional_ref_from_ptr<'a, C: Castable>(
    ptr: *const C,
) -> Option<&'a C::RustType> {
    // SAFETY: the caller promises NULL or a live handle.
    unsafe { ptr.cast::<C::RustType>().as_ref() }
}

/// Takes back and drops the value behind a handle; NULL is a no-op.
///
/// # Safety
/// `ptr` is NULL or a handle from [`to_boxed_mut_ptr`] not freed before, used by nobody else.
pub(crate) unsafe fn free_box<C>(ptr: *mut C)
where
    C: Castable<Ownership = OwnershipBox>,
{
    if !ptr.is_null() {
        // SAFETY: the caller gives back the Box made by `to_boxed_mut_ptr`, once.
        drop(unsafe { Box::from_raw(ptr.cast::<C::RustType>()) });
    }
}

/// A C string argument as UTF-8, or an `INVALID_ARGUMENT` naming the parameter.
///
/// # Safety
/// `ptr` is NULL or a NUL-terminated string valid for `'a`.
pub(crate) unsafe fn str_arg<'a>(name: &str, ptr: *const c_char) -> Result<&'a str> {
    if ptr.is_null() {
        return Err(null_argument(name));
    }
    // SAFETY: the caller promises a NUL-terminated string.
    let bytes = unsafe { CStr::from_ptr(ptr) };
    bytes.to_str().map_err(|e| {
        Error::InvalidArgument(format!(
            "{name} is not valid UTF-8 (invalid byte at offset {})",
            e.valid_up_to()
        ))
    })
}

/// Like [`str_arg`], for an optional argument: NULL is `None`.
///
/// # Safety
/// As [`str_arg`].
pub(crate) unsafe fn optional_str_arg<'a>(
    name: &str,
    ptr: *const c_char,
) -> Result<Option<&'a str>> {
    if ptr.is_null() {
        return Ok(None);
    }
    // SAFETY: as promised to this function.
    unsafe { str_arg(name, ptr) }.map(Some)
}

/// Checks a required out-parameter before anything else happens.
pub(crate) fn required_out<T>(name: &str, out: *mut T) -> Result<()> {
    if out.is_null() {
        return Err(null_argument(name));
    }
    Ok(())
}

/// A model as its JSON result document, written straight into the string for C.
pub(crate) fn result_document<T: serde::Serialize>(value: &T) -> Result<Option<CDocument>> {
    CDocument::json(value).map(Some).map_err(|e| Error::Decode {
        what: "result",
        message: format!("could not write the result document: {e}"),
    })
}

/// The document written when even rendering an outcome panicked.
const RENDER_PANIC_DOCUMENT: &str = "{\"code\":\"PANIC\",\"message\":\"internal error in hwinst (please report it): the outcome of the call could not be rendered\",\"http_status\":null,\"error_code\":null,\"error_msg\":null,\"request_id\":null,\"retryable\":false,\"lifecycle\":null}";

/// The inside of [`ffi_boundary!`]: runs `body`, then renders its outcome (the document,
/// NULL, the error document, or a panic's document) into the string for C — only when
/// `want_document`, so that nothing is made that no one frees — and gives the code to
/// return. Every step runs inside `catch_unwind`, the panic payload is dropped inside it (and
/// leaked if its `Drop` panics), and a panic while rendering gives a fixed `PANIC` document:
/// nothing is left to the caller but writing the pointer ([`write_out`]).
pub(crate) fn guarded(
    want_document: bool,
    body: impl FnOnce() -> Result<Option<CDocument>>,
) -> (hwinst_code, *mut c_char) {
    guarded_coded(want_document, || {
        body().map(|document| (hwinst_code::OK, document))
    })
}

/// [`guarded`] for a body that chooses its code along with its document: a call that writes
/// its result document whatever the code (`hwinst_wait_many`'s fleet document). An `Err` is
/// still the error's code and error document.
pub(crate) fn guarded_coded(
    want_document: bool,
    body: impl FnOnce() -> Result<(hwinst_code, Option<CDocument>)>,
) -> (hwinst_code, *mut c_char) {
    let rendered = catch_unwind(AssertUnwindSafe(|| {
        let outcome = match catch_unwind(AssertUnwindSafe(body)) {
            Ok(result) => Ok(result),
            Err(payload) => {
                // The message is copied out before the payload goes, so that nothing that
                // may panic runs while a payload whose `Drop` panics is held.
                let message = catch_unwind(AssertUnwindSafe(|| panic_message(&*payload)))
                    .unwrap_or_else(|again| {
                        drop_payload(again);
                        "no message".to_owned()
                    });
                drop_payload(payload);
                Err(message)
            }
        };
        render(want_document, outcome)
    }));
    match rendered {
        Ok(rendered) => rendered,
        Err(payload) => {
            drop_payload(payload);
            let string = if want_document {
                CDocument::copy(RENDER_PANIC_DOCUMENT).into_raw()
            } else {
                std::ptr::null_mut()
            };
            (hwinst_code::PANIC, string)
        }
    }
}

/// The outcome of a call as its code and the string for C (NULL when not wanted or none).
fn render(
    want_document: bool,
    outcome: std::result::Result<Result<(hwinst_code, Option<CDocument>)>, String>,
) -> (hwinst_code, *mut c_char) {
    panic_hook!(Render);
    let (code, document) = match outcome {
        Ok(Ok(coded)) => coded,
        Ok(Err(error)) => {
            let (code, document) = code::error_document(&error);
            (code, Some(CDocument::copy(&document)))
        }
        Err(message) => (
            hwinst_code::PANIC,
            Some(CDocument::copy(&code::panic_document(&message))),
        ),
    };
    let string = document
        .filter(|_| want_document)
        .map_or(std::ptr::null_mut(), CDocument::into_raw);
    (code, string)
}

/// A panic payload's message, when it is text.
fn panic_message(payload: &(dyn Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .copied()
        .or_else(|| payload.downcast_ref::<String>().map(String::as_str))
        .unwrap_or("no message")
        .to_owned()
}

/// Drops a panic payload inside a boundary of its own; a payload whose `Drop` panics is
/// leaked (as is that second payload), never unwound into C.
pub(crate) fn drop_payload(payload: Box<dyn Any + Send>) {
    if let Err(again) = catch_unwind(AssertUnwindSafe(|| drop(payload))) {
        std::mem::forget(again);
    }
}

/// Writes `string` to `*out` unless `out` is NULL: the one step outside the boundary.
pub(crate) fn write_out(out: *mut *mut c_char, string: *mut c_char) {
    if !out.is_null() {
        // SAFETY: a non-NULL `out` is a writable `char *` slot, as every function that takes
        // one documents.
        unsafe { out.write(string) };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(body: impl FnOnce() -> Result<Option<CDocument>>) -> (hwinst_code, Option<String>) {
        let mut out: *mut c_char = std::ptr::null_mut();
        let code = ffi_boundary!(out: &mut out, { body() });
        let text = (!out.is_null()).then(|| {
            // SAFETY: `write_out` wrote a string from `CDocument::into_raw`.
            let s = unsafe { CStr::from_ptr(out) }.to_str().unwrap().to_owned();
            // SAFETY: it is ours to free, once.
            unsafe { super::super::hwinst_string_free(out) };
            s
        });
        (code, text)
    }

    #[test]
    fn a_panic_becomes_a_panic_code_and_document() {
        let (code, text) = run(|| panic!("boom"));
        assert_eq!(code, hwinst_code::PANIC);
        let doc: serde_json::Value = serde_json::from_str(&text.unwrap()).unwrap();
        assert_eq!(doc["code"], "PANIC");
        assert!(doc["message"].as_str().unwrap().contains("boom"));
        assert_eq!(doc["retryable"], false);
    }

    #[test]
    fn results_and_errors_are_written() {
        assert_eq!(
            run(|| Ok(Some(CDocument::copy("{}")))),
            (hwinst_code::OK, Some("{}".into()))
        );
        assert_eq!(run(|| Ok(None)), (hwinst_code::OK, None));
        let (code, text) = run(|| Err(Error::Timeout("slow".into())));
        assert_eq!(code, hwinst_code::TIMEOUT);
        assert!(text.unwrap().contains(r#""code":"TIMEOUT""#));
    }

    #[test]
    fn a_null_out_receives_nothing() {
        let code = ffi_boundary!(out: std::ptr::null_mut(), { Err(Error::Config("x".into())) });
        assert_eq!(code, hwinst_code::CONFIG);
    }
}
