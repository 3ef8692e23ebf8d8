// hwinst.hpp: the C++17 binding of hwinst, header-only, over the C ABI in hwinst.h.
// Licensed under Apache-2.0.
//
// Where a Huawei Cloud ROMA Connect, APIG or Cloud DC instance is in its provisioning
// lifecycle, and waiting for it:
//
//     hwinst::Client client(config_json);
//     std::string instance = client.roma_instance("eddc4d25480b4cd6b512f270a1b8b341");
//     std::string done = client.wait("apig", id, R"({"timeout_ms":600000})",
//                                    [](std::string_view change) { return true; });
//     std::string fleet = client.wait_many(
//         R"([{"source":"apig","instance_id":"a"},{"source":"roma","instance_id":"b"}])");
//
// Results are the C functions' JSON documents, as std::string. Every failure throws
// hwinst::Error, which carries the error document's fields. Nothing here is ever thrown
// across the C boundary: exceptions from a wait callback are caught before they reach C and
// rethrown once the wait has returned.
//
// Needs nlohmann/json (3.2 or later) to read error documents; the CMake targets
// hwinst::hwinst and hwinst::hwinst_static bring it in.

#ifndef HWINST_HPP
#define HWINST_HPP

#include <hwinst.h>

#include <cstddef>
#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>

#include <nlohmann/json.hpp>

namespace hwinst {

/// What a call did: mirrors hwinst_code, value for value (new codes are only ever added at the
/// end, so a newer library may answer a value not named here; Error::code_name() still names
/// it).
enum class Code : int {
  /// Success (never carried by an Error).
  Ok = HWINST_OK,
  /// A string with a NUL byte, malformed JSON, an empty or unsafe ID, an unknown source or
  /// option, a moved-from object. Nothing was sent.
  InvalidArgument = HWINST_INVALID_ARGUMENT,
  /// The configuration cannot work (unknown key, missing region, endpoint or credentials...).
  Config = HWINST_CONFIG,
  /// DNS, connect, TLS or I/O failure, or a response body over the size limit.
  Transport = HWINST_TRANSPORT,
  /// The connect or request timeout expired, or a wait reached its deadline.
  Timeout = HWINST_TIMEOUT,
  /// The service answered 401.
  Unauthorized = HWINST_UNAUTHORIZED,
  /// The service answered 403.
  Forbidden = HWINST_FORBIDDEN,
  /// The service answered 404.
  NotFound = HWINST_NOT_FOUND,
  /// The service answered 429.
  Throttled = HWINST_THROTTLED,
  /// The service answered 5xx.
  Server = HWINST_SERVER,
  /// The service answered another non-2xx status.
  Api = HWINST_API,
  /// The service answered 2xx with a body that is not of the documented shape.
  Decode = HWINST_DECODE,
  /// A wait was stopped by its callback or its CancelToken.
  Cancelled = HWINST_CANCELLED,
  /// A wait ended on a failed or deleted instance (Error::lifecycle() is the last one seen).
  InstanceFailed = HWINST_INSTANCE_FAILED,
  /// A bug in hwinst, caught at the C boundary: please report it with Error::document().
  Panic = HWINST_PANIC,
};

/// The name of `code` as error documents spell it ("NOT_FOUND" for Code::NotFound), or
/// "UNKNOWN" for a value this header does not know. Thread-safe; never throws.
[[nodiscard]] constexpr std::string_view code_name(Code code) noexcept {
  switch (code) {
    case Code::Ok: return "OK";
    case Code::InvalidArgument: return "INVALID_ARGUMENT";
    case Code::Config: return "CONFIG";
    case Code::Transport: return "TRANSPORT";
    case Code::Timeout: return "TIMEOUT";
    case Code::Unauthorized: return "UNAUTHORIZED";
    case Code::Forbidden: return "FORBIDDEN";
    case Code::NotFound: return "NOT_FOUND";
    case Code::Throttled: return "THROTTLED";
    case Code::Server: return "SERVER";
    case Code::Api: return "API";
    case Code::Decode: return "DECODE";
    case Code::Cancelled: return "CANCELLED";
    case Code::InstanceFailed: return "INSTANCE_FAILED";
    case Code::Panic: return "PANIC";
  }
  return "UNKNOWN";
}

/// The library's version, e.g. "0.1.0" (of the hwinst library actually loaded, which may be
/// newer than this header). Thread-safe; never throws.
[[nodiscard]] inline std::string_view version() noexcept { return hwinst_version(); }

namespace detail {

// What an Error carries, shared between copies so that copying an Error cannot throw (the
// standard library copies exceptions, e.g. through std::exception_ptr).
struct ErrorDetails {
  Code code = Code::Ok;
  std::string code_name;
  std::string message;
  std::optional<int> http_status;
  std::optional<std::string> service_code;
  std::optional<std::string> service_message;
  std::optional<std::string> request_id;
  bool retryable = false;
  std::optional<std::string> lifecycle;
  std::string document;
};

// Ordered, so that lifecycle() keeps the members in the order hwinst wrote them.
using Document = nlohmann::ordered_json;

inline std::optional<std::string> string_member(const Document& doc, const char* key) {
  const auto it = doc.find(key);
  if (it == doc.end() || !it->is_string()) return std::nullopt;
  return it->get<std::string>();
}

// Whether `doc` is hwinst_wait_many's fleet document ({"instances":[...],"requests",...})
// rather than an error document.
inline bool is_fleet_document(const Document& doc) {
  if (!doc.is_object() || doc.contains("code")) return false;
  const auto instances = doc.find("instances");
  return instances != doc.end() && instances->is_array();
}

// Reads an error document, or the fleet document of a fleet wait that did not succeed.
// hwinst always writes one of the documented shape; should it ever not be JSON, the text
// itself becomes the message and the optional fields stay empty.
inline std::shared_ptr<const ErrorDetails> parse_error(Code code, std::string document) {
  auto details = std::make_shared<ErrorDetails>();
  details->code = code;
  details->code_name = std::string(hwinst::code_name(code));
  const auto parsed = Document::parse(document, nullptr, /*allow_exceptions=*/false);
  // A fleet document (hwinst_wait_many): the fields come from the first instance whose error
  // has the wait's code (the one that decided it), the document stays the fleet's.
  const Document* culprit = nullptr;
  std::string prefix;
  if (is_fleet_document(parsed)) {
    for (const auto& instance : parsed.at("instances")) {
      const auto error = instance.find("error");
      if (!instance.is_object() || error == instance.end() || !error->is_object()) continue;
      if (string_member(*error, "code") != details->code_name) continue;
      culprit = &*error;
      prefix = "fleet wait: " + string_member(instance, "source").value_or("?") + " " +
               string_member(instance, "instance_id").value_or("?") + ": ";
      const auto lifecycle = instance.find("lifecycle");
      if (lifecycle != instance.end() && lifecycle->is_object()) {
        details->lifecycle = lifecycle->dump(-1, ' ', false, Document::error_handler_t::replace);
      }
      break;
    }
    if (culprit == nullptr) details->message = "fleet wait ended with " + details->code_name;
  } else if (parsed.is_object()) {
    culprit = &parsed;
  }
  if (culprit != nullptr) {
    const Document& doc = *culprit;
    if (auto name = string_member(doc, "code")) details->code_name = std::move(*name);
    if (auto message = string_member(doc, "message")) details->message = std::move(*message);
    const auto status = doc.find("http_status");
    if (status != doc.end() && status->is_number_integer()) {
      details->http_status = status->get<int>();
    }
    details->service_code = string_member(doc, "error_code");
    details->service_message = string_member(doc, "error_msg");
    details->request_id = string_member(doc, "request_id");
    const auto retryable = doc.find("retryable");
    details->retryable =
        retryable != doc.end() && retryable->is_boolean() && retryable->get<bool>();
    const auto lifecycle = doc.find("lifecycle");
    if (!details->lifecycle && lifecycle != doc.end() && lifecycle->is_object()) {
      details->lifecycle = lifecycle->dump(-1, ' ', false, Document::error_handler_t::replace);
    }
    if (!prefix.empty()) details->message = prefix + details->message;
  }
  if (details->message.empty()) {
    details->message = document.empty() ? details->code_name : document;
  }
  details->document = std::move(document);
  return details;
}

// An error document of the C functions' shape, for what this header refuses itself.
inline std::string make_document(Code code, std::string_view message) {
  const Document doc = {
      {"code", std::string(hwinst::code_name(code))},
      {"message", std::string(message)},
      {"http_status", nullptr},
      {"error_code", nullptr},
      {"error_msg", nullptr},
      {"request_id", nullptr},
      {"retryable", false},
      {"lifecycle", nullptr},
  };
  return doc.dump(-1, ' ', false, Document::error_handler_t::replace);
}

}  // namespace detail

/// Every failure of this binding: a failed hwinst call (its code and error document), or an
/// argument refused before calling C (Code::InvalidArgument, with a document of the same
/// shape). what() is the document's "message", which never holds a credential.
///
/// A fleet wait (Client::wait_many) that did not succeed throws an Error whose document() is
/// the fleet document; its other fields (message, http_status, service_code, lifecycle, ...)
/// are those of the first instance whose error has the wait's code, and what() names that
/// instance ("fleet wait: apig ID: ...").
///
/// Copying is cheap and never throws (the details are shared and immutable), so an Error may
/// be read by several threads at once.
class Error : public std::runtime_error {
 public:
  /// An Error from a code and an error document as hwinst writes them
  /// ({"code","message","http_status","error_code","error_msg","request_id","retryable",
  /// "lifecycle"}). Throws std::bad_alloc only.
  Error(Code code, std::string document)
      : Error(detail::parse_error(code, std::move(document))) {}

  /// The code (Code::Ok never occurs).
  [[nodiscard]] Code code() const noexcept { return details_->code; }
  /// The code's name as the document spells it, e.g. "NOT_FOUND".
  [[nodiscard]] const std::string& code_name() const noexcept { return details_->code_name; }
  /// The HTTP status the service answered, when it answered with a non-2xx status.
  [[nodiscard]] const std::optional<int>& http_status() const noexcept {
    return details_->http_status;
  }
  /// The service's own error code ("error_code", e.g. "APIC.7302"): from its error answer, or
  /// for Code::InstanceFailed from the failed instance's status.
  [[nodiscard]] const std::optional<std::string>& service_code() const noexcept {
    return details_->service_code;
  }
  /// The service's own error message ("error_msg"), as service_code().
  [[nodiscard]] const std::optional<std::string>& service_message() const noexcept {
    return details_->service_message;
  }
  /// The request ID the service gave with a non-2xx answer (quote it to its support).
  [[nodiscard]] const std::optional<std::string>& request_id() const noexcept {
    return details_->request_id;
  }
  /// Whether trying the same call again later may succeed (429, 5xx, transport failures).
  [[nodiscard]] bool retryable() const noexcept { return details_->retryable; }
  /// For a wait's Code::InstanceFailed, Code::Cancelled or Code::Timeout: the last lifecycle
  /// document seen, as JSON text; empty when there was none. For a fleet wait, that of the
  /// instance the Error is about (see above).
  [[nodiscard]] const std::optional<std::string>& lifecycle() const noexcept {
    return details_->lifecycle;
  }
  /// The whole error document, as hwinst wrote it. For Client::wait_many, except for argument
  /// errors: the fleet document ({"instances":[...],"requests","throttled","elapsed_ms"}),
  /// every instance's outcome included.
  [[nodiscard]] const std::string& document() const noexcept { return details_->document; }

 private:
  explicit Error(std::shared_ptr<const detail::ErrorDetails> details)
      : std::runtime_error(details->message), details_(std::move(details)) {}

  std::shared_ptr<const detail::ErrorDetails> details_;
};

namespace detail {

struct StringFree {
  void operator()(char* string) const noexcept { hwinst_string_free(string); }
};
// A string that hwinst wrote to an out parameter: freed exactly once, whatever happens next.
using OwnedString = std::unique_ptr<char, StringFree>;

[[noreturn]] inline void refuse(std::string_view message) {
  throw Error(Code::InvalidArgument, make_document(Code::InvalidArgument, message));
}

// `value` as a NUL-terminated string. C would silently stop at an embedded NUL (and, say,
// look up another instance), so such a string is refused; the message names the parameter
// and the offset, never the value (it may be a configuration with credentials).
inline std::string c_string(std::string_view value, std::string_view name) {
  const auto nul = value.find('\0');
  if (nul != std::string_view::npos) {
    refuse(std::string(name) + " contains a NUL byte at offset " + std::to_string(nul) +
           ": a C string would end there");
  }
  return std::string(value);
}

// NULL for an empty optional argument (the C functions' defaults).
inline const char* or_null(const std::string& value) noexcept {
  return value.empty() ? nullptr : value.c_str();
}

// Throws the error document of a failed C call.
[[noreturn]] inline void fail(hwinst_code code, const OwnedString& document) {
  const auto cpp_code = static_cast<Code>(code);
  std::string text = document ? std::string(document.get()) : std::string();
  if (text.empty()) text = make_document(cpp_code, "hwinst failed without an error document");
  throw Error(cpp_code, std::move(text));
}

// The result of a C call that wrote one document: the document on success, else throws it.
inline std::string take(hwinst_code code, const OwnedString& document) {
  if (code != HWINST_OK) fail(code, document);
  return document ? std::string(document.get()) : std::string();
}

// Calls `function(char** out_json)` and takes its document.
template <typename Function>
std::string call(Function&& function) {
  char* raw = nullptr;
  const hwinst_code code = std::forward<Function>(function)(&raw);
  OwnedString document(raw);
  return take(code, document);
}

using OnChange = std::function<bool(std::string_view lifecycle_json)>;

// What the wait trampoline shares with the waiting thread.
struct WaitState {
  const OnChange* on_change;
  std::exception_ptr exception;
};

// The callback given to C: it has hwinst_wait_callback's C-compatible signature and never lets
// an exception unwind into C (that would be undefined behaviour in the Rust code between):
// whatever the user's callback throws is kept, the wait is stopped (non-zero), and the waiting
// thread rethrows it once hwinst_wait_cancellable has returned.
inline int wait_trampoline(const char* lifecycle_json, void* user_data) noexcept {
  auto* state = static_cast<WaitState*>(user_data);
  try {
    const std::string_view change = lifecycle_json ? lifecycle_json : std::string_view();
    return (*state->on_change)(change) ? 0 : 1;
  } catch (...) {
    state->exception = std::current_exception();
    return 1;
  }
}

}  // namespace detail

/// A switch that stops waits from another thread: pass it to Client::wait, then call cancel()
/// from any thread. Once cancelled it stays cancelled (use a new token for the next wait).
///
/// Move-only. A token must outlive every wait it was given (destroy it only after they have
/// returned). cancel() may be called from any number of threads at once, also while waits
/// use the token.
class CancelToken {
 public:
  /// A token, not cancelled. Throws Error if hwinst cannot create one.
  CancelToken() {
    hwinst_cancel_token* raw = nullptr;
    const hwinst_code code = hwinst_cancel_token_new(&raw);
    handle_.reset(raw);
    if (code != HWINST_OK || !handle_) {
      const auto cpp_code = code == HWINST_OK ? Code::Panic : static_cast<Code>(code);
      throw Error(cpp_code, detail::make_document(cpp_code, "cannot create a cancel token"));
    }
  }

  CancelToken(CancelToken&&) noexcept = default;
  /// Frees the token this one held first. Self-move leaves it unchanged.
  CancelToken& operator=(CancelToken&&) noexcept = default;
  CancelToken(const CancelToken&) = delete;
  CancelToken& operator=(const CancelToken&) = delete;
  ~CancelToken() = default;

  /// Cancels every wait using this token: each throws Error (Code::Cancelled) at once, whether
  /// it is pausing between polls or in the middle of a request (whose connection is cut).
  /// Idempotent; a no-op on a moved-from token. Thread-safe.
  void cancel() const noexcept { hwinst_cancel_token_cancel(handle_.get()); }

  /// False once moved from (then it cancels nothing and a wait refuses it).
  [[nodiscard]] explicit operator bool() const noexcept { return static_cast<bool>(handle_); }

  /// The C handle, for hwinst_wait_cancellable; NULL once moved from. Still owned by this.
  [[nodiscard]] const hwinst_cancel_token* native_handle() const noexcept {
    return handle_.get();
  }

 private:
  struct Free {
    void operator()(hwinst_cancel_token* token) const noexcept {
      hwinst_cancel_token_free(token);
    }
  };
  std::unique_ptr<hwinst_cancel_token, Free> handle_;
};

/// A configured client of the ROMA Connect, APIG and Cloud DC APIs.
///
/// Move-only; the C client is freed with the last owner. Thread-safe: every operation is
/// const, and any number of threads may call operations on one Client at once (they share its
/// connection pool). Moving it or destroying it needs no operation to be running.
///
/// Every operation blocks the calling thread, returns the C function's JSON document as a
/// std::string, and throws Error on failure (including Code::InvalidArgument for a string with
/// a NUL byte, and for a moved-from Client: this header checks it, before calling C).
class Client {
 public:
  /// The callback of wait(): called with the first lifecycle document (JSON) and every one
  /// that differs from the one before; return true to keep waiting, false to stop.
  using OnChange = detail::OnChange;

  /// A client from a JSON configuration document: `region`, `project_id`, `credentials`
  /// (`{"token": ...}`, `{"ak","sk","security_token"}`, `{"iam_password": {...}}` or
  /// `{"oidc": {"idp_id": ..., "id_token_file": ...}}` (a federated identity), or one
  /// source to read them from: `{"environment": {}}`, `{"profile_file": {"path": ...}}`,
  /// `{"profile": "KOOCLI-PROFILE"}`, `{"pod_identity": {}}`, `{"metadata": {}}`),
  /// `endpoints` (`roma`, `apig`, `clouddc`, `iam`, `metadata`), `timeouts_ms`, `retry`,
  /// `proxy`, `ca_file`, `allow_http`, `user_agent`, `max_response_bytes` (see
  /// hwinst_client_new in hwinst.h).
  ///
  /// Without `credentials`, the default chain finds them now, in this order: the environment
  /// (`HUAWEICLOUD_SDK_AK`/`_SK`/`_SECURITY_TOKEN`, `HUAWEICLOUD_SDK_IDP_ID` with
  /// `HUAWEICLOUD_SDK_ID_TOKEN_FILE`, or `HWINST_TOKEN`), the profile file
  /// (`HUAWEICLOUD_SDK_CREDENTIALS_FILE` or `~/.huaweicloud/credentials`, section `[basic]`),
  /// a KooCLI profile (`~/.hcloud/config.json`, `HWINST_PROFILE`), the CCE pod-identity
  /// endpoint, the ECS metadata service (`endpoints.metadata`, `HWINST_METADATA_ENDPOINT`,
  /// default `http://169.254.169.254`, asked with a 1 s connect timeout; `"none"` skips it).
  /// The first that has credentials gives them (and its project and region, unless set
  /// here); temporary ones renew themselves.
  ///
  /// Throws Error: Code::InvalidArgument (not JSON, a NUL byte) or Code::Config (unknown key,
  /// no source with credentials — the message lists each source and why it did not apply —,
  /// a credential source that is there but broken, missing project or endpoints, bad URL,
  /// ...). Thread-safe, but the chain reads the environment: no other thread may change it
  /// meanwhile.
  explicit Client(std::string_view config_json) {
    const std::string config = detail::c_string(config_json, "config_json");
    hwinst_client* raw = nullptr;
    char* raw_error = nullptr;
    const hwinst_code code = hwinst_client_new(config.c_str(), &raw, &raw_error);
    detail::OwnedString error(raw_error);
    handle_.reset(raw);
    if (code != HWINST_OK) detail::fail(code, error);
  }

  /// A client from the environment (`HWINST_TOKEN`, `HUAWEICLOUD_SDK_AK`/`_SK`, or
  /// `HUAWEICLOUD_SDK_IDP_ID` with `HUAWEICLOUD_SDK_ID_TOKEN_FILE` for a federated identity,
  /// `HUAWEICLOUD_SDK_PROJECT_ID`, `HUAWEICLOUD_SDK_REGION`,
  /// `HUAWEICLOUD_SDK_REGION_{SERVICE}_{REGION}`, ...; see hwinst_client_from_env). Without
  /// credentials in the environment, the default chain of Client(config) finds them (the
  /// profile file, a KooCLI profile, the CCE pod-identity endpoint, then the ECS metadata
  /// service at `HWINST_METADATA_ENDPOINT` or `http://169.254.169.254`).
  ///
  /// Throws Error (Code::Config) when the variables are incomplete or conflict, or when no
  /// source has credentials (the message lists each source and why it did not apply). Reads
  /// the environment: no other thread may change it meanwhile.
  [[nodiscard]] static Client from_env() {
    hwinst_client* raw = nullptr;
    char* raw_error = nullptr;
    const hwinst_code code = hwinst_client_from_env(&raw, &raw_error);
    detail::OwnedString error(raw_error);
    Client client{Adopt{}, raw};
    if (code != HWINST_OK) detail::fail(code, error);
    return client;
  }

  /// Takes over `other`'s client; `other` is left moved-from: its operations throw
  /// Error (Code::InvalidArgument), and it can still be assigned to and destroyed.
  Client(Client&& other) noexcept = default;
  /// Frees this client's own C client, then takes over `other`'s. Self-move leaves it
  /// unchanged. No operation may be running on this client meanwhile.
  Client& operator=(Client&& other) noexcept = default;
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;
  /// Frees the C client; no operation may still be running on it. Results already returned
  /// are std::strings of their own and stay valid.
  ~Client() = default;

  /// False once moved from.
  [[nodiscard]] explicit operator bool() const noexcept { return static_cast<bool>(handle_); }

  /// The C handle, to call hwinst.h's functions directly; NULL once moved from. Still owned
  /// (and freed) by this Client.
  [[nodiscard]] const hwinst_client* native_handle() const noexcept { return handle_.get(); }

  /// A ROMA Connect instance's creation progress and each sub-service's
  /// (`GET /v2/{project_id}/instances/{instance_id}/process`). Throws Error.
  [[nodiscard]] std::string roma_creation_progress(std::string_view instance_id) const {
    return instance_call(hwinst_roma_creation_progress, instance_id);
  }

  /// An API Gateway instance's creation progress (`progress`, `status`, `error_code`,
  /// `error_msg`). Throws Error.
  [[nodiscard]] std::string apig_creation_progress(std::string_view instance_id) const {
    return instance_call(hwinst_apig_creation_progress, instance_id);
  }

  /// A ROMA Connect instance's details, its `status` and `instance_status` among them.
  /// Throws Error.
  [[nodiscard]] std::string roma_instance(std::string_view instance_id) const {
    return instance_call(hwinst_roma_instance, instance_id);
  }

  /// One page of the project's ROMA Connect instances: `{"total","size","instances"}`.
  /// `query_json` is empty (the first page, every status) or an object with any of `status`,
  /// `offset`, `limit`. Throws Error (Code::InvalidArgument for another key).
  [[nodiscard]] std::string roma_list_instances(std::string_view query_json = {}) const {
    return list_call(hwinst_roma_list_instances, query_json);
  }

  /// Every ROMA Connect instance of the project, fetched page by page:
  /// `{"total","instances"}`. `query_json` as for roma_list_instances (`limit` is the page
  /// size). Throws Error; nothing is returned when any page fails.
  [[nodiscard]] std::string roma_list_all_instances(std::string_view query_json = {}) const {
    return list_call(hwinst_roma_list_all_instances, query_json);
  }

  /// A Cloud DC instance's state (`state`, `operation_state`, `error`). Throws Error.
  [[nodiscard]] std::string clouddc_instance_status(std::string_view instance_id) const {
    return instance_call(hwinst_clouddc_instance_status, instance_id);
  }

  /// Where an instance is in its lifecycle, read once from `source` ("roma", "roma-details",
  /// "apig" or "clouddc"): `{"source","instance_id","phase","progress","terminal","status",
  /// "error","observed_at_ms"}`. Throws Error (Code::InvalidArgument for an unknown source).
  [[nodiscard]] std::string lifecycle(std::string_view source,
                                      std::string_view instance_id) const {
    const hwinst_client* client = checked();
    const std::string source_c = detail::c_string(source, "source");
    const std::string id = detail::c_string(instance_id, "instance_id");
    return detail::call([&](char** out) {
      return hwinst_lifecycle(client, source_c.c_str(), id.c_str(), out);
    });
  }

  /// Polls an instance's lifecycle from `source` (as lifecycle()) until its phase is a target,
  /// and returns the final lifecycle document.
  ///
  /// `options_json` is empty (the defaults) or an object with any of `until` (phases, default
  /// ["running"]), `timeout_ms` (default 1800000), `initial_interval_ms` (2000),
  /// `max_interval_ms` (30000), `not_found_grace_ms` (60000).
  ///
  /// `on_change` (may be empty) is called on this thread with the first lifecycle document
  /// and with every one that differs from the one before; the view is valid during the call
  /// only. It returns true to keep waiting, false to stop: the wait then throws Error with
  /// Code::Cancelled. If it throws, the wait stops and its exception comes out of wait()
  /// unchanged (it never crosses the C boundary); the client stays usable. It may call this
  /// client's operations.
  ///
  /// Throws Error: Code::InstanceFailed (the instance failed or was deleted; lifecycle() and
  /// service_code() tell how), Code::Cancelled, Code::Timeout (the deadline passed), or any
  /// code of lifecycle() that polling again cannot fix. Blocks the calling thread.
  [[nodiscard]] std::string wait(std::string_view source, std::string_view instance_id,
                                 std::string_view options_json = {},
                                 const OnChange& on_change = {}) const {
    return wait_call(source, instance_id, options_json, on_change, nullptr);
  }

  /// wait(), which another thread can stop with `cancel.cancel()`: the wait then throws Error
  /// (Code::Cancelled, with the last lifecycle seen, if any) without waiting for the next
  /// change. `cancel` must outlive the call. Throws Error (Code::InvalidArgument for a
  /// moved-from token), as wait() otherwise.
  [[nodiscard]] std::string wait(std::string_view source, std::string_view instance_id,
                                 std::string_view options_json, const OnChange& on_change,
                                 const CancelToken& cancel) const {
    if (!cancel) detail::refuse("the hwinst::CancelToken was moved from");
    return wait_call(source, instance_id, options_json, on_change, cancel.native_handle());
  }

  /// Waits for a fleet of instances at once (hwinst_wait_many): one scheduler on this thread,
  /// at most `concurrency` requests in flight, one request budget per service (a 429 pauses
  /// every poll of that service), ROMA instances read through the paged list. Returns the
  /// fleet document when the mode's condition was met:
  /// `{"instances":[{"source","instance_id","outcome","lifecycle","error","polls"}, ...],
  /// "requests":{"roma","apig","clouddc"},"throttled","elapsed_ms"}`, the instances in the
  /// order of the targets, `outcome` one of `reached`, `failed`, `timeout`, `cancelled`,
  /// `error`, `pending`.
  ///
  /// `targets_json` is `[{"source":"apig","instance_id":"..."}, ...]` (any mix of sources).
  /// `options_json` is empty (the defaults) or an object with the keys of wait() and `settle`,
  /// `mode` ("all" or "any"), `fail_fast`, `concurrency`, `max_requests_per_second`
  /// (`{"apig":5,"roma":5,"clouddc":5}`) and `batch_roma` (see hwinst_wait_many in hwinst.h).
  ///
  /// `on_change` (may be empty) is called on this thread, one call at a time, with each
  /// instance's first lifecycle document and every change: the lifecycle document (whose
  /// `source` is where it was read, `roma-list` for ROMA targets read through the batched
  /// list) with a `"target":{"index","source","instance_id"}` object naming the target it
  /// concerns, as given in `targets_json`; returning false cancels the whole fleet. What it throws comes out of
  /// wait_many() unchanged, as for wait().
  ///
  /// Throws Error, whose document() is the fleet document (every instance's outcome; see
  /// Error): Code::InstanceFailed (an instance failed or was deleted), Code::Cancelled (the
  /// callback returned false, or the token was cancelled), Code::Timeout (the deadline of
  /// the whole fleet passed), or the code of an instance's error that polling again cannot
  /// fix (e.g. Code::NotFound). Argument errors (Code::InvalidArgument: bad JSON, an empty
  /// list, an unknown source or key, an unsafe or repeated ID; Code::Config when the worker
  /// threads cannot start) carry the usual error document, and nothing was sent. Blocks the
  /// calling thread; any number of waits may share the client.
  [[nodiscard]] std::string wait_many(std::string_view targets_json,
                                      std::string_view options_json = {},
                                      const OnChange& on_change = {}) const {
    return wait_many_call(targets_json, options_json, on_change, nullptr);
  }

  /// wait_many(), which another thread can stop with `cancel.cancel()`: the wait then throws
  /// Error (Code::Cancelled, with the fleet document) at once. `cancel` must outlive the
  /// call. Throws Error (Code::InvalidArgument for a moved-from token), as wait_many()
  /// otherwise.
  [[nodiscard]] std::string wait_many(std::string_view targets_json,
                                      std::string_view options_json, const OnChange& on_change,
                                      const CancelToken& cancel) const {
    if (!cancel) detail::refuse("the hwinst::CancelToken was moved from");
    return wait_many_call(targets_json, options_json, on_change, cancel.native_handle());
  }

 private:
  struct Adopt {};
  Client(Adopt, hwinst_client* client) noexcept : handle_(client) {}

  // The handle, or Code::InvalidArgument: checked here, for a message that says what happened
  // (C would answer "client is NULL").
  const hwinst_client* checked() const {
    if (!handle_) detail::refuse("the hwinst::Client was moved from");
    return handle_.get();
  }

  // `Function` is one of hwinst.h's functions of (client, string, out_json).
  template <typename Function>
  std::string instance_call(Function function, std::string_view instance_id) const {
    const hwinst_client* client = checked();
    const std::string id = detail::c_string(instance_id, "instance_id");
    return detail::call([&](char** out) { return function(client, id.c_str(), out); });
  }

  template <typename Function>
  std::string list_call(Function function, std::string_view query_json) const {
    const hwinst_client* client = checked();
    const std::string query = detail::c_string(query_json, "query_json");
    return detail::call(
        [&](char** out) { return function(client, detail::or_null(query), out); });
  }

  std::string wait_call(std::string_view source, std::string_view instance_id,
                        std::string_view options_json, const OnChange& on_change,
                        const hwinst_cancel_token* token) const {
    const hwinst_client* client = checked();
    const std::string source_c = detail::c_string(source, "source");
    const std::string id = detail::c_string(instance_id, "instance_id");
    const std::string options = detail::c_string(options_json, "options_json");
    detail::WaitState state{&on_change, nullptr};
    char* raw = nullptr;
    const hwinst_code code = hwinst_wait_cancellable(
        client, source_c.c_str(), id.c_str(), detail::or_null(options),
        on_change ? &detail::wait_trampoline : nullptr, &state, token, &raw);
    detail::OwnedString document(raw);
    // The callback's own exception, rather than the CANCELLED that stopping the wait caused.
    if (state.exception) std::rethrow_exception(state.exception);
    return detail::take(code, document);
  }

  std::string wait_many_call(std::string_view targets_json, std::string_view options_json,
                             const OnChange& on_change, const hwinst_cancel_token* token) const {
    const hwinst_client* client = checked();
    const std::string targets = detail::c_string(targets_json, "targets_json");
    const std::string options = detail::c_string(options_json, "options_json");
    detail::WaitState state{&on_change, nullptr};
    char* raw = nullptr;
    const hwinst_code code = hwinst_wait_many(
        client, targets.c_str(), detail::or_null(options),
        on_change ? &detail::wait_trampoline : nullptr, &state, token, &raw);
    detail::OwnedString document(raw);
    // The callback's own exception, rather than the CANCELLED that stopping the wait caused.
    if (state.exception) std::rethrow_exception(state.exception);
    return detail::take(code, document);
  }

  struct Free {
    void operator()(hwinst_client* client) const noexcept { hwinst_client_free(client); }
  };
  std::unique_ptr<hwinst_client, Free> handle_;
};

}  // namespace hwinst

#endif  // HWINST_HPP
