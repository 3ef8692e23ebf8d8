//! Who owns what crosses the boundary, and the conversions at it: handles to and from Rust
//! values, C strings in, JSON documents out.
//!
//! Each handle type names the Rust value behind it and who owns that value ([`Castable`], after
//! rustls-ffi): an [`OwnershipBox`] handle is created by hwinst, owned by the caller, and
//! given back exactly once to its `_free` function.

use super::code::{self, hwinst_code};
use crate::error::{Error, Result};
use std::ffi::{c_char, CStr, CString};

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

/// A model as its JSON result document.
pub(crate) fn result_document<T: serde::Serialize>(value: &T) -> Result<Option<String>> {
    serde_json::to_string(value)
        .map(Some)
        .map_err(|e| Error::Decode {
            what: "result",
            message: format!("could not write the result document: {e}"),
        })
}

/// The end of [`ffi_boundary!`]: writes the document, NULL, or the error document to `*out`
/// (unless `out` is NULL) and gives the code to return.
pub(crate) fn deliver(
    out: *mut *mut c_char,
    outcome: std::thread::Result<Result<Option<String>>>,
) -> hwinst_code {
    let (code, document) = match outcome {
        Ok(Ok(document)) => (hwinst_code::OK, document),
        Ok(Err(error)) => {
            let (code, document) = code::error_document(&error);
            (code, Some(document))
        }
        Err(panic) => (hwinst_code::PANIC, Some(code::panic_document(&*panic))),
    };
    if !out.is_null() {
        let string = document
            // serde_json escapes NUL, so JSON text never holds one.
            .and_then(|d| CString::new(d).ok())
            .map_or(std::ptr::null_mut(), CString::into_raw);
        // SAFETY: a non-NULL `out` is a writable `char *` slot, as every function that takes
        // one documents.
        unsafe { out.write(string) };
    }
    code
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(body: impl FnOnce() -> Result<Option<String>>) -> (hwinst_code, Option<String>) {
        let mut out: *mut c_char = std::ptr::null_mut();
        let code = ffi_boundary!(out: &mut out, { body() });
        let text = (!out.is_null()).then(|| {
            // SAFETY: `deliver` wrote a string from `CString::into_raw`.
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
            run(|| Ok(Some("{}".into()))),
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
