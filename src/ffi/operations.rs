//! The service operations, one per API. Each writes the service's response, with its own field
//! names and every field it sent, as JSON.
//!
//! Common to all of them:
//! - `client` is a client from `hwinst_client_new` or `hwinst_client_from_env`; operations on
//!   one client may run on any number of threads at once.
//! - On `HWINST_OK`, `*out_json` receives the result document; otherwise the error document
//!   `{"code","message","http_status","error_code","error_msg","request_id","retryable",
//!   "lifecycle"}` (null where a field does not apply: `lifecycle` is only a wait's). Either
//!   way the caller frees it with `hwinst_string_free`. A NULL `out_json` gives
//!   `HWINST_INVALID_ARGUMENT` and nothing is written.
//! - Instance IDs must be non-empty, at most 128 bytes, and safe as one URL path segment
//!   (no `/`, `%`, `..`, control characters): otherwise `HWINST_INVALID_ARGUMENT`, before
//!   anything is sent.

use super::client::{client_ref, hwinst_client};
use super::code::hwinst_code;
use super::handle;
use crate::client::{AllRomaInstances, Client, PageCursor, RomaPageStep};
use crate::error::Result;
use crate::model::roma::RomaListQuery;
use std::ffi::c_char;

/// The body of every operation on one instance: checks the arguments, calls `operation`, and
/// writes its result or error document, inside the panic boundary.
///
/// # Safety
/// As the operations' own contracts.
unsafe fn instance_call<T: serde::Serialize>(
    client: *const hwinst_client,
    instance_id: *const c_char,
    out_json: *mut *mut c_char,
    operation: fn(&Client, &str) -> Result<T>,
) -> hwinst_code {
    ffi_boundary!(out: out_json, {
        handle::required_out("out_json", out_json)?;
        // SAFETY: the caller promises a live client or NULL, a NUL-terminated string or NULL.
        let (client, id) = unsafe {
            (
                client_ref(client)?,
                handle::str_arg("instance_id", instance_id)?,
            )
        };
        handle::result_document(&operation(client, id)?)
    })
}

/// Where a ROMA Connect instance's creation is: overall progress and status, and each
/// sub-service's (`GET /v2/{project_id}/instances/{instance_id}/process`).
///
/// Returns `HWINST_OK` with the `/process` document in `*out_json`, or an error code with
/// the error document (`HWINST_NOT_FOUND` for an unknown instance). The caller frees
/// `*out_json` with `hwinst_string_free`. Thread-safe.
///
/// # Safety
/// `client` is NULL or a live client; `instance_id` NULL or NUL-terminated; `out_json` NULL
/// or writable.
#[no_mangle]
pub unsafe extern "C" fn hwinst_roma_creation_progress(
    client: *const hwinst_client,
    instance_id: *const c_char,
    out_json: *mut *mut c_char,
) -> hwinst_code {
    // SAFETY: forwarded from this function's contract.
    unsafe {
        instance_call(
            client,
            instance_id,
            out_json,
            Client::roma_creation_progress,
        )
    }
}

/// Where an API Gateway instance's creation is: `progress` (0-100), `status`, and the
/// `error_code`/`error_msg` of a failure
/// (`GET /v2/{project_id}/apigw/instances/{instance_id}/progress`).
///
/// Returns `HWINST_OK` with the progress document in `*out_json`, or an error code with the
/// error document. The caller frees `*out_json` with `hwinst_string_free`. Thread-safe.
///
/// # Safety
/// As `hwinst_roma_creation_progress`.
#[no_mangle]
pub unsafe extern "C" fn hwinst_apig_creation_progress(
    client: *const hwinst_client,
    instance_id: *const c_char,
    out_json: *mut *mut c_char,
) -> hwinst_code {
    // SAFETY: forwarded from this function's contract.
    unsafe {
        instance_call(
            client,
            instance_id,
            out_json,
            Client::apig_creation_progress,
        )
    }
}

/// A ROMA Connect instance's details, its `status` and numeric `instance_status` among them
/// (`GET /v2/{project_id}/apic/instances/{instance_id}`).
///
/// Returns `HWINST_OK` with the instance document in `*out_json`, or an error code with the
/// error document. The caller frees `*out_json` with `hwinst_string_free`. Thread-safe.
///
/// # Safety
/// As `hwinst_roma_creation_progress`.
#[no_mangle]
pub unsafe extern "C" fn hwinst_roma_instance(
    client: *const hwinst_client,
    instance_id: *const c_char,
    out_json: *mut *mut c_char,
) -> hwinst_code {
    // SAFETY: forwarded from this function's contract.
    unsafe { instance_call(client, instance_id, out_json, Client::roma_instance) }
}

/// One page of the project's ROMA Connect instances (`GET /v2/{project_id}/instances`).
///
/// `query_json` may be NULL (the service's first page, every status) or an object with any of
/// `"status"` (e.g. `"RUNNING"`), `"offset"` (a non-negative integer) and `"limit"` (a positive
/// integer); other keys, and a `"limit"` of 0, are `HWINST_INVALID_ARGUMENT`.
///
/// Returns `HWINST_OK` with the page (`{"total":N,"size":M,"instances":[...]}`) in
/// `*out_json`, or an error code with the error document. The caller frees `*out_json` with
/// `hwinst_string_free`. Thread-safe.
///
/// # Safety
/// `client` is NULL or a live client; `query_json` NULL or NUL-terminated; `out_json` NULL
/// or writable.
#[no_mangle]
pub unsafe extern "C" fn hwinst_roma_list_instances(
    client: *const hwinst_client,
    query_json: *const c_char,
    out_json: *mut *mut c_char,
) -> hwinst_code {
    // SAFETY: forwarded from this function's contract.
    unsafe { list_call(client, query_json, out_json, Client::roma_list_instances) }
}

/// Every ROMA Connect instance of the project, fetched page by page
/// (`GET /v2/{project_id}/instances` until the last page).
///
/// `query_json` is as for `hwinst_roma_list_instances`: `"status"` filters, `"offset"` is
/// where to start, and `"limit"` is the page size (default 50). Paging stops at an empty
/// page, or at a short one when the service's `total` agrees; a page that repeats the one
/// before (a service ignoring `offset`) is `HWINST_DECODE`.
///
/// Returns `HWINST_OK` with `{"total":N,"instances":[...]}` in `*out_json`, where `N` is the
/// number of instances returned, or an error code with the error document (nothing is
/// returned when any page fails). The caller frees `*out_json` with `hwinst_string_free`.
/// Thread-safe.
///
/// # Safety
/// As `hwinst_roma_list_instances`.
#[no_mangle]
pub unsafe extern "C" fn hwinst_roma_list_all_instances(
    client: *const hwinst_client,
    query_json: *const c_char,
    out_json: *mut *mut c_char,
) -> hwinst_code {
    // SAFETY: forwarded from this function's contract.
    unsafe { list_call(client, query_json, out_json, all_instances) }
}

/// One page of a lazy walk through every ROMA Connect instance, by the rules of
/// `hwinst_roma_list_all_instances`, for callers that fetch pages as they need them (the
/// Python binding's `roma_pages`/`roma_instances`) without copying those rules.
///
/// `cursor_json` says which page: NULL or `{"status","offset","limit"}` as the list query
/// (`limit` defaults to 50) for the first page; for each later page, the `next` document
/// the previous call returned, unchanged (it adds `"previous_ids"`, the IDs on the page before).
///
/// Returns `HWINST_OK` with `{"page":{...},"new":[i,...],"next":{...}|null}` in `*out_json`:
/// `page` as `hwinst_roma_list_instances` writes it; `new`, the positions in
/// `page.instances` of the instances the previous page did not have (an instance the list
/// shifted onto this page is not counted twice); `next`, the cursor of the next page, or
/// null when paging is over (an empty page, or a short one when the service's `total`
/// agrees). A page that repeats the one before (a service ignoring `offset`) is
/// `HWINST_DECODE`. Otherwise an error code with the error document. The caller frees
/// `*out_json` with `hwinst_string_free`. Thread-safe.
///
/// # Safety
/// `client` is NULL or a live client; `cursor_json` NULL or NUL-terminated; `out_json` NULL
/// or writable.
#[no_mangle]
pub unsafe extern "C" fn hwinst_roma_list_page(
    client: *const hwinst_client,
    cursor_json: *const c_char,
    out_json: *mut *mut c_char,
) -> hwinst_code {
    ffi_boundary!(out: out_json, {
        handle::required_out("out_json", out_json)?;
        // SAFETY: the caller promises a live client or NULL, a NUL-terminated string or NULL.
        let (client, text) =
            unsafe { (client_ref(client)?, handle::optional_str_arg("cursor_json", cursor_json)?) };
        let cursor = match text {
            None => PageCursor::start(&RomaListQuery::new()),
            Some(text) => crate::http::decode::argument("cursor_json", text)?,
        };
        let step: RomaPageStep = client.roma_page_step(&cursor)?;
        handle::result_document(&step)
    })
}

/// `{"total":N,"instances":[...]}`: every page of the list.
fn all_instances(client: &Client, query: &RomaListQuery) -> Result<AllRomaInstances> {
    client.roma_instances(query).all()
}

/// The body of both list operations, as `instance_call` for the others: checks the
/// arguments, reads the query, calls `operation`, writes its result or error document.
///
/// # Safety
/// As the list operations' own contracts.
unsafe fn list_call<T: serde::Serialize>(
    client: *const hwinst_client,
    query_json: *const c_char,
    out_json: *mut *mut c_char,
    operation: fn(&Client, &RomaListQuery) -> Result<T>,
) -> hwinst_code {
    ffi_boundary!(out: out_json, {
        handle::required_out("out_json", out_json)?;
        // SAFETY: the caller promises a live client or NULL, a NUL-terminated string or NULL.
        let (client, query) = unsafe { (client_ref(client)?, list_query(query_json)?) };
        handle::result_document(&operation(client, &query)?)
    })
}

/// The list query a C caller passed: NULL for none, else its JSON document.
///
/// # Safety
/// `query_json` is NULL or NUL-terminated.
unsafe fn list_query(query_json: *const c_char) -> Result<RomaListQuery> {
    // SAFETY: as promised to this function.
    match unsafe { handle::optional_str_arg("query_json", query_json) }? {
        None => Ok(RomaListQuery::new()),
        Some(text) => crate::http::decode::argument("query_json", text),
    }
}

/// A Cloud DC instance's state: `status` (`pending`, `running`, `error`, ...) and the
/// `error` of a failure (`GET /v1/{project_id}/instances/{id}/status`).
///
/// Returns `HWINST_OK` with the status document in `*out_json`, or an error code with the
/// error document. The caller frees `*out_json` with `hwinst_string_free`. Thread-safe.
///
/// # Safety
/// As `hwinst_roma_creation_progress`.
#[no_mangle]
pub unsafe extern "C" fn hwinst_clouddc_instance_status(
    client: *const hwinst_client,
    instance_id: *const c_char,
    out_json: *mut *mut c_char,
) -> hwinst_code {
    // SAFETY: forwarded from this function's contract.
    unsafe {
        instance_call(
            client,
            instance_id,
            out_json,
            Client::clouddc_instance_status,
        )
    }
}
