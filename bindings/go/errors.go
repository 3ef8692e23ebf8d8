package hwinst

// #include "hwinst.h"
import "C"

import (
	"encoding/json"
	"errors"
	"strconv"
)

// Code is what kind of failure an [Error] is: the C library's hwinst_code. The values are
// the C enum's, taken from hwinst.h so that they cannot drift, and stay stable; new codes are
// only ever added at the end.
type Code int

// The codes of the C library (HWINST_OK, 0, is never an error).
const (
	// CodeInvalidArgument: a bad argument (an empty or unsafe ID, an unknown source or
	// phase, a string with a NUL byte, malformed options). Nothing was sent.
	CodeInvalidArgument Code = C.HWINST_INVALID_ARGUMENT
	// CodeConfig: the configuration cannot work (unknown key, missing region, project,
	// endpoint or credentials, a bad URL, an unreadable CA file).
	CodeConfig Code = C.HWINST_CONFIG
	// CodeTransport: DNS, connect, TLS or I/O failure, or a response body over the size
	// limit.
	CodeTransport Code = C.HWINST_TRANSPORT
	// CodeTimeout: the connect or request timeout expired, or a wait reached its deadline.
	CodeTimeout Code = C.HWINST_TIMEOUT
	// CodeUnauthorized: the service answered 401 (missing, wrong or expired credentials).
	CodeUnauthorized Code = C.HWINST_UNAUTHORIZED
	// CodeForbidden: the service answered 403.
	CodeForbidden Code = C.HWINST_FORBIDDEN
	// CodeNotFound: the service answered 404: no such instance in this project and region.
	CodeNotFound Code = C.HWINST_NOT_FOUND
	// CodeThrottled: the service answered 429.
	CodeThrottled Code = C.HWINST_THROTTLED
	// CodeServer: the service answered 5xx.
	CodeServer Code = C.HWINST_SERVER
	// CodeAPI: the service answered another non-2xx status.
	CodeAPI Code = C.HWINST_API
	// CodeDecode: the service answered 2xx with a body that is not of the documented shape.
	CodeDecode Code = C.HWINST_DECODE
	// CodeCancelled: a wait was cancelled (its context, its callback, or Close).
	CodeCancelled Code = C.HWINST_CANCELLED
	// CodeInstanceFailed: a wait ended on a failed or deleted instance; the error has its
	// lifecycle and the service's error code and message.
	CodeInstanceFailed Code = C.HWINST_INSTANCE_FAILED
	// CodePanic: a bug in hwinst was caught at the C boundary; please report it.
	CodePanic Code = C.HWINST_PANIC
)

var codeNames = [...]string{
	CodeInvalidArgument: "INVALID_ARGUMENT",
	CodeConfig:          "CONFIG",
	CodeTransport:       "TRANSPORT",
	CodeTimeout:         "TIMEOUT",
	CodeUnauthorized:    "UNAUTHORIZED",
	CodeForbidden:       "FORBIDDEN",
	CodeNotFound:        "NOT_FOUND",
	CodeThrottled:       "THROTTLED",
	CodeServer:          "SERVER",
	CodeAPI:             "API",
	CodeDecode:          "DECODE",
	CodeCancelled:       "CANCELLED",
	CodeInstanceFailed:  "INSTANCE_FAILED",
	CodePanic:           "PANIC",
}

// String returns the code's name in error documents, e.g. "NOT_FOUND", or "Code(N)" for a
// code this version does not know.
func (c Code) String() string {
	if c > 0 && int(c) < len(codeNames) {
		return codeNames[c]
	}
	return "Code(" + strconv.Itoa(int(c)) + ")"
}

// codeByName maps an error document's "code" back to its Code.
func codeByName(name string) (Code, bool) {
	for c, n := range codeNames {
		if n != "" && n == name {
			return Code(c), true
		}
	}
	return 0, false
}

// Error is a failure reported by the hwinst library, or refused by this package before it
// reached the library. Match its kind with [errors.Is] and a sentinel ([ErrNotFound], ...),
// and read its details with [errors.As]:
//
//	var e *hwinst.Error
//	if errors.As(err, &e) {
//		fmt.Println(e.Code, e.HTTPStatus, e.ServiceCode, e.RequestID)
//	}
//
// No field ever holds a credential.
type Error struct {
	// Code is the kind of failure.
	Code Code
	// Message says what happened, for people (it is Error() without the "hwinst: " prefix).
	Message string
	// HTTPStatus is the status the service answered with, or 0 when it did not answer
	// with a non-2xx status.
	HTTPStatus int
	// ServiceCode is the service's own error code, e.g. "APIC.7302", or, for a wait that
	// ended on a failed instance, the instance's (e.g. "APIG.9999"); "" when none.
	ServiceCode string
	// ServiceMessage is the service's own error message; "" when none.
	ServiceMessage string
	// RequestID is the request ID the service gave with its error answer; "" when none.
	RequestID string
	// Retryable tells whether trying the same call again later may succeed (throttling,
	// server errors, timeouts, connection failures).
	Retryable bool
	// Lifecycle is the last lifecycle a wait saw: the failed instance for
	// CodeInstanceFailed, the last one seen for CodeTimeout and CodeCancelled; nil when
	// there is none.
	Lifecycle *Lifecycle
}

// Error returns "hwinst: " followed by the message.
func (e *Error) Error() string {
	return "hwinst: " + e.Message
}

// Is reports whether target is the sentinel of e's code ([ErrNotFound] for CodeNotFound,
// ...), so that errors.Is(err, hwinst.ErrNotFound) works through any wrapping.
func (e *Error) Is(target error) bool {
	s, ok := target.(*sentinel)
	return ok && s.code == e.Code
}

// sentinel is the type of the Err* values: a code, matched by [Error.Is].
type sentinel struct {
	code Code
	text string
}

func (s *sentinel) Error() string { return s.text }

func newSentinel(code Code, text string) error {
	return &sentinel{code: code, text: "hwinst: " + text}
}

// Sentinels for [errors.Is], one per [Code]: errors.Is(err, ErrNotFound) is true for an
// [*Error] whose Code is CodeNotFound.
var (
	ErrInvalidArgument = newSentinel(CodeInvalidArgument, "invalid argument")
	ErrConfig          = newSentinel(CodeConfig, "configuration error")
	ErrTransport       = newSentinel(CodeTransport, "transport error")
	ErrTimeout         = newSentinel(CodeTimeout, "timeout")
	ErrUnauthorized    = newSentinel(CodeUnauthorized, "unauthorized")
	ErrForbidden       = newSentinel(CodeForbidden, "forbidden")
	ErrNotFound        = newSentinel(CodeNotFound, "not found")
	ErrThrottled       = newSentinel(CodeThrottled, "throttled")
	ErrServer          = newSentinel(CodeServer, "server error")
	ErrAPI             = newSentinel(CodeAPI, "API error")
	ErrDecode          = newSentinel(CodeDecode, "decode error")
	ErrCancelled       = newSentinel(CodeCancelled, "cancelled")
	ErrInstanceFailed  = newSentinel(CodeInstanceFailed, "instance failed")
	ErrPanic           = newSentinel(CodePanic, "internal error (panic)")
)

// ErrClosed is returned by the methods of a [Client] after [Client.Close]. A wait that Close
// cancelled returns an error matching both ErrClosed and [ErrCancelled].
var ErrClosed = errors.New("hwinst: the client is closed")

// errorDocument is the C library's error document.
type errorDocument struct {
	Code       string     `json:"code"`
	Message    string     `json:"message"`
	HTTPStatus *int       `json:"http_status"`
	ErrorCode  *string    `json:"error_code"`
	ErrorMsg   *string    `json:"error_msg"`
	RequestID  *string    `json:"request_id"`
	Retryable  bool       `json:"retryable"`
	Lifecycle  *Lifecycle `json:"lifecycle"`
}

// errorFromDocument builds the *Error of a failed call: code is what the C function
// returned, doc the error document it wrote (nil if it wrote none).
func errorFromDocument(code Code, doc []byte) *Error {
	e := &Error{Code: code}
	var d errorDocument
	if doc == nil {
		e.Message = "the library returned " + code.String() + " without an error document"
		return e
	}
	if err := json.Unmarshal(doc, &d); err != nil {
		e.Message = "the library returned " + code.String() +
			" with an error document that is not JSON: " + err.Error()
		return e
	}
	// The document's name is the authority; the number only when the name is unknown (a
	// newer library).
	if named, ok := codeByName(d.Code); ok {
		e.Code = named
	}
	e.Message = d.Message
	if d.HTTPStatus != nil {
		e.HTTPStatus = *d.HTTPStatus
	}
	e.ServiceCode = deref(d.ErrorCode)
	e.ServiceMessage = deref(d.ErrorMsg)
	e.RequestID = deref(d.RequestID)
	e.Retryable = d.Retryable
	e.Lifecycle = d.Lifecycle
	return e
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// invalidArgument is an error refused before reaching the library.
func invalidArgument(message string) *Error {
	return &Error{Code: CodeInvalidArgument, Message: message}
}

// configError is a configuration refused before reaching the library.
func configError(message string) *Error {
	return &Error{Code: CodeConfig, Message: message}
}
