//! The client handle: `hwinst_client_new`, `hwinst_client_from_env` and `hwinst_client_free`.

use super::code::hwinst_code;
use super::handle::{self, Castable, OwnershipBox};
use crate::client::{Client, ClientBuilder};
use crate::error::Error;
use std::ffi::c_char;

/// A configured client. Opaque: create it with `hwinst_client_new`, free it with
/// `hwinst_client_free`.
///
/// Thread-safe: any number of threads may call operations on the same `const hwinst_client *`
/// at once (they share one connection pool). Only `hwinst_client_free` needs the client to
/// be no longer in use.
pub struct hwinst_client {
    _private: [u8; 0],
}

impl Castable for hwinst_client {
    type RustType = Client;
    type Ownership = OwnershipBox;
}

/// Creates a client from a JSON configuration document.
///
/// `config_json` is the configuration object: `region`, `project_id`, `credentials` (one of
/// `{"token": "..."}`, `{"ak": "...", "sk": "...", "security_token": "..."}`,
/// `{"iam_password": {"user": "...", "password": "...", "domain": "..."}}`, `{"oidc":
/// {"idp_id": "...", "id_token_file": "/path"}}` (a federated OIDC identity: the ID token in
/// the file is exchanged with IAM for temporary AK/SK, renewed), or one source to
/// find them in: `{"environment": {}}`, `{"profile_file": {"path": "..."}}`, `{"profile":
/// "KOOCLI-PROFILE"}`, `{"pod_identity": {}}`, `{"metadata": {}}`), `endpoints` (`roma`,
/// `apig`, `clouddc`, `iam`, `metadata`), `timeouts_ms` (`connect`, `request`), `retry`
/// (`max_attempts`, `base_delay_ms`, `max_delay_ms`), `proxy` (a URL, or `"none"`),
/// `ca_file` (a PEM bundle added to the trust roots), `allow_http`, `user_agent`,
/// `max_response_bytes`. Unknown keys are refused with the key named. Without `project_id`,
/// AK/SK, IAM and OIDC credentials look the project up from IAM by `region` on first use.
///
/// Without `credentials`, the default chain finds them: the environment, the profile file
/// (`HUAWEICLOUD_SDK_CREDENTIALS_FILE` or `~/.huaweicloud/credentials`, section `[basic]`), a
/// KooCLI profile (`~/.hcloud/config.json`, `HWINST_PROFILE`), the CCE pod-identity endpoint,
/// the ECS metadata service (`endpoints.metadata`, `HWINST_METADATA_ENDPOINT`, default
/// `http://169.254.169.254`, asked with a 1 s connect timeout; `"none"` turns it off). The
/// first that has credentials gives them (and its project and region, unless set here);
/// temporary ones renew themselves. When none has any, `HWINST_CONFIG` lists each source and
/// why it did not apply; a source that is there but broken is an error naming it. In the
/// chain, an answer at the metadata address that is not the service's (not JSON: a proxy's
/// "403 Forbidden" page) means "not this source"; named on its own, it is an error. Files
/// (the profile file, KooCLI's, the pod-identity token file, `ca_file`) are read only when
/// they are regular files of at most 1 MiB (4 MiB for `ca_file`); a section, key or KooCLI
/// profile name given twice is refused; a UTF-8 byte order mark is accepted.
///
/// Returns `HWINST_OK` and writes the new client to `*out_client`, which the caller frees
/// with `hwinst_client_free`. Otherwise writes NULL to `*out_client` and returns
/// `HWINST_INVALID_ARGUMENT` (NULL `config_json` or `out_client`, not UTF-8, not JSON) or
/// `HWINST_CONFIG` (unknown key, wrong type, missing or conflicting credentials, missing
/// project or endpoints, bad URL, unreadable `ca_file` or pod-identity token file).
///
/// `out_error` may be NULL. Otherwise it receives NULL on success, or the error document on
/// failure, which the caller frees with `hwinst_string_free`. No credential is ever copied
/// into it.
///
/// Thread-safe: it touches nothing shared.
///
/// # Safety
/// `config_json` is NULL or a NUL-terminated string; `out_client` and `out_error` are NULL or
/// writable.
#[no_mangle]
pub unsafe extern "C" fn hwinst_client_new(
    config_json: *const c_char,
    out_client: *mut *mut hwinst_client,
    out_error: *mut *mut c_char,
) -> hwinst_code {
    let configure = || {
        // SAFETY: the caller promises a NUL-terminated string or NULL.
        let config = unsafe { handle::str_arg("config_json", config_json) }?;
        ClientBuilder::from_config_json(config)
    };
    // SAFETY: forwarded from this function's contract.
    unsafe { new_client(out_client, out_error, configure) }
}

/// Creates a client from the environment: `HUAWEICLOUD_SDK_AK`, `HUAWEICLOUD_SDK_SK` and
/// `HUAWEICLOUD_SDK_SECURITY_TOKEN` (AK/SK credentials), `HUAWEICLOUD_SDK_IDP_ID` and
/// `HUAWEICLOUD_SDK_ID_TOKEN_FILE` (a federated OIDC identity, which wins over AK/SK) or
/// `HWINST_TOKEN` (a token),
/// `HUAWEICLOUD_SDK_PROJECT_ID`, `HUAWEICLOUD_SDK_REGION`, `HUAWEICLOUD_SDK_IAM_ENDPOINT`, and
/// `HUAWEICLOUD_SDK_REGION_{SERVICE}_{REGION}` for one service's endpoint in that region
/// (e.g. `HUAWEICLOUD_SDK_REGION_APIG_CN_NORTH_4`). Empty variables count as unset.
/// Without credentials in the environment, the default chain of `hwinst_client_new` finds
/// them.
///
/// Returns and writes as `hwinst_client_new`; `HWINST_CONFIG` when the variables are
/// incomplete or conflict (a token and AK/SK both set, an AK without its SK, ...). Reads the
/// environment, so it must not run while another thread changes it.
///
/// # Safety
/// `out_client` and `out_error` are NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn hwinst_client_from_env(
    out_client: *mut *mut hwinst_client,
    out_error: *mut *mut c_char,
) -> hwinst_code {
    // SAFETY: forwarded from this function's contract.
    unsafe { new_client(out_client, out_error, ClientBuilder::from_env) }
}

/// The body of both constructors: NULL to `*out_client` first, then the client `configure`
/// describes, or the error document to `*out_error`.
///
/// # Safety
/// `out_client` and `out_error` are NULL or writable.
unsafe fn new_client(
    out_client: *mut *mut hwinst_client,
    out_error: *mut *mut c_char,
    configure: impl FnOnce() -> Result<ClientBuilder, Error>,
) -> hwinst_code {
    ffi_boundary!(out: out_error, {
        handle::required_out("out_client", out_client)?;
        // SAFETY: `out_client` is not NULL and the caller promises it is writable.
        unsafe { out_client.write(std::ptr::null_mut()) };
        let client = configure()?.build()?;
        // SAFETY: as above.
        unsafe { out_client.write(handle::to_boxed_mut_ptr(client)) };
        Ok(None)
    })
}

/// Frees a client. NULL is a no-op.
///
/// No other thread may be using `client`, and it may not be used afterwards. Strings
/// returned by its operations stay valid: free them with `hwinst_string_free`.
///
/// # Safety
/// `client` is NULL or a client from `hwinst_client_new` or `hwinst_client_from_env` not freed
/// before.
#[no_mangle]
pub unsafe extern "C" fn hwinst_client_free(client: *mut hwinst_client) {
    ffi_boundary!(on_panic: (), {
        // SAFETY: the caller gives back a client it owns, once.
        unsafe { handle::free_box(client) }
    })
}

/// The client behind a handle, or `INVALID_ARGUMENT` for NULL.
///
/// # Safety
/// `client` is NULL or a live client handle.
pub(crate) unsafe fn client_ref<'a>(client: *const hwinst_client) -> Result<&'a Client, Error> {
    // SAFETY: as promised to this function.
    unsafe { handle::try_ref_from_ptr("client", client) }
}
