package hwinst

/*
#include <stdlib.h>
#include <string.h>
#include "hwinst.h"
*/
import "C"

import (
	"bytes"
	"encoding/json"
	"runtime"
	"strings"
	"sync"
	"unsafe"
)

// Version returns the version of the linked hwinst library, e.g. "0.1.0".
func Version() string {
	return C.GoString(C.hwinst_version())
}

// Client calls the services. Make one with [NewClient], [NewClientFromEnv] or
// [NewClientFromJSON] and share it: it is safe for concurrent use by any number of
// goroutines, which share its connection pool.
//
// [Client.Close] releases it. Calls in progress when Close is called finish first (waits
// are cancelled, see Close); later calls return [ErrClosed]. A client dropped without Close
// is released by a finalizer, but only when the garbage collector runs: call Close.
type Client struct {
	mu  sync.Mutex
	ptr *C.hwinst_client // nil once freed
	// closed is set by the first Close; no call starts after it.
	closed bool
	// inflight counts the C calls using ptr.
	inflight int
	// waits are the cancel tokens of the waits in flight, which Close cancels. A token is
	// removed (and only then freed) under mu, so Close never touches a freed one.
	waits map[*C.hwinst_cancel_token]*waitFlight
	// drained is closed when inflight drops to 0 after Close; freed when Close has freed ptr.
	// Channels rather than a sync.Cond on mu: a Cond would point back into the Client, and
	// a cycle through an object with a finalizer may never be collected.
	drained chan struct{}
	freed   chan struct{}
}

// waitFlight is what Close may do to a wait in flight.
type waitFlight struct {
	// byClose is set (under Client.mu) when Close cancelled the wait.
	byClose bool
	// closing is closed by Close, so that the wait's callback stops waiting for Wait.
	closing chan struct{}
}

// NewClient makes a client from cfg. With the zero cfg.Credentials, the default credential
// chain finds them now (the environment, the profile file, a KooCLI profile, the CCE
// pod-identity endpoint, the ECS metadata service: see [Credentials]); a source named with
// [EnvironmentCredentials], [ProfileFileCredentials], ... is read now too. Nothing else is
// sent before the first call.
//
// It fails with [ErrConfig] when the configuration cannot work (no source has credentials,
// whose message then lists each source and why it did not apply; a source that is broken;
// no region and no endpoint; no project with token credentials; a bad URL; an unreadable CA
// file; ...), and with [ErrInvalidArgument] when a string holds a NUL byte.
func NewClient(cfg Config) (*Client, error) {
	doc, err := cfg.document()
	if err != nil {
		return nil, err
	}
	return NewClientFromJSON(doc)
}

// NewClientFromJSON makes a client from the library's JSON configuration document, the
// file the hwinst command line reads with --config:
//
//	{"region": "cn-north-4", "project_id": "0a1b2c3d4e5f", "credentials": {"token": "..."},
//	 "endpoints": {"roma": "...", "apig": "...", "clouddc": "...", "iam": "...", "metadata": "..."},
//	 "timeouts_ms": {"connect": 10000, "request": 30000},
//	 "retry": {"max_attempts": 4, "base_delay_ms": 200, "max_delay_ms": 10000},
//	 "proxy": "none", "ca_file": "/path/ca.pem", "allow_http": false,
//	 "user_agent": "my-tool/1.2", "max_response_bytes": 16777216}
//
// "credentials" may also be {"ak": "...", "sk": "...", "security_token": "..."},
// {"iam_password": {"user": "...", "password": "...", "domain": "..."}}, or name one source:
// {"environment": {}}, {"profile_file": {"path": "..."}} (path optional), {"profile":
// "KOOCLI-PROFILE"}, {"pod_identity": {}}, {"metadata": {}}. Without "credentials", the
// default chain finds them (see [Credentials]).
//
// Unknown keys are refused with [ErrConfig], naming the key; text that is not JSON is
// [ErrInvalidArgument]. No error ever quotes a credential.
func NewClientFromJSON(config []byte) (*Client, error) {
	if bytes.IndexByte(config, 0) >= 0 {
		return nil, invalidArgument("the configuration contains a NUL byte")
	}
	cConfig := C.CString(string(config))
	defer C.free(unsafe.Pointer(cConfig))
	var ptr *C.hwinst_client
	var cErr *C.char
	code := C.hwinst_client_new(cConfig, &ptr, &cErr)
	return adopt(code, ptr, cErr)
}

// NewClientFromEnv makes a client from the environment, as the hwinst command line does:
// HUAWEICLOUD_SDK_AK, HUAWEICLOUD_SDK_SK and HUAWEICLOUD_SDK_SECURITY_TOKEN (AK/SK
// credentials) or HWINST_TOKEN (a token), HUAWEICLOUD_SDK_PROJECT_ID,
// HUAWEICLOUD_SDK_REGION, HUAWEICLOUD_SDK_IAM_ENDPOINT, and
// HUAWEICLOUD_SDK_REGION_{SERVICE}_{REGION} for one service's endpoint in that region.
// Empty variables count as unset. Without credentials in the environment, the default
// credential chain finds them, as [NewClient] does with the zero [Credentials] (the
// profile file, a KooCLI profile, the CCE pod-identity endpoint, then the ECS metadata
// service at $HWINST_METADATA_ENDPOINT or http://169.254.169.254). It fails with
// [ErrConfig] when the variables are incomplete or conflict, or when no source has
// credentials (the message lists each source and why it did not apply).
//
// The library reads the process environment directly: do not call os.Setenv from another
// goroutine meanwhile.
func NewClientFromEnv() (*Client, error) {
	var ptr *C.hwinst_client
	var cErr *C.char
	code := C.hwinst_client_from_env(&ptr, &cErr)
	return adopt(code, ptr, cErr)
}

// adopt wraps what hwinst_client_new or hwinst_client_from_env returned.
func adopt(code C.enum_hwinst_code, ptr *C.hwinst_client, cErr *C.char) (*Client, error) {
	doc := takeString(cErr)
	if code != C.HWINST_OK || ptr == nil {
		C.hwinst_client_free(ptr) // NULL on failure; freed all the same should it not be
		return nil, errorFromDocument(Code(code), doc)
	}
	c := &Client{ptr: ptr, waits: make(map[*C.hwinst_cancel_token]*waitFlight)}
	runtime.SetFinalizer(c, (*Client).finalize)
	return c, nil
}

// finalize frees the C client of a Client nobody can reach any more, so none of its calls
// can be in flight (each keeps the Client alive until its C call has returned).
func (c *Client) finalize() {
	if c.ptr != nil {
		C.hwinst_client_free(c.ptr)
		c.ptr = nil
	}
}

// Close releases the client. It is idempotent and safe to call concurrently with any
// other method: it cancels the waits in flight (they return an error matching both
// [ErrClosed] and [ErrCancelled]), then blocks until every call in flight has returned (a
// cancelled wait returns at once if it is pausing between polls, or when its request ends),
// then frees the client. Calls started after Close return [ErrClosed]. It always returns
// nil.
//
// Close may also be called from a [Client.Wait] callback: that wait ends with ErrClosed.
//
// Closing a client with a wait stuck in a slow request blocks until the request ends (at
// most the configured request timeout): the library cannot interrupt a request midway.
func (c *Client) Close() error {
	c.mu.Lock()
	if c.closed {
		freed := c.freed
		c.mu.Unlock()
		<-freed // a concurrent Close: return once the client is released
		return nil
	}
	c.closed = true
	c.freed = make(chan struct{})
	for token, flight := range c.waits {
		flight.byClose = true
		close(flight.closing)
		C.hwinst_cancel_token_cancel(token)
	}
	var drained chan struct{}
	if c.inflight > 0 {
		c.drained = make(chan struct{})
		drained = c.drained
	}
	c.mu.Unlock()
	if drained != nil {
		<-drained
	}
	c.mu.Lock()
	C.hwinst_client_free(c.ptr)
	c.ptr = nil
	runtime.SetFinalizer(c, nil)
	close(c.freed)
	c.mu.Unlock()
	return nil
}

// acquire starts a C call: the client pointer, or ErrClosed. Each acquire is paired with
// one release once the C call has returned.
func (c *Client) acquire() (*C.hwinst_client, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return nil, ErrClosed
	}
	c.inflight++
	return c.ptr, nil
}

// release ends a C call started by acquire.
func (c *Client) release() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.releaseLocked()
}

func (c *Client) releaseLocked() {
	c.inflight--
	if c.inflight == 0 && c.drained != nil {
		close(c.drained)
		c.drained = nil
	}
}

// call runs one C operation that writes a document to *out, under acquire/release.
func (c *Client) call(op func(client *C.hwinst_client, out **C.char) C.enum_hwinst_code) ([]byte, error) {
	ptr, err := c.acquire()
	if err != nil {
		return nil, err
	}
	defer c.release()
	var out *C.char
	code := op(ptr, &out)
	runtime.KeepAlive(c) // the finalizer must not free ptr while the C call uses it
	return takeDocument(code, out)
}

// takeString copies a string hwinst returned and frees it; nil for NULL.
func takeString(s *C.char) []byte {
	if s == nil {
		return nil
	}
	defer C.hwinst_string_free(s)
	return C.GoBytes(unsafe.Pointer(s), C.int(C.strlen(s)))
}

// takeDocument turns a C call's code and output into the result document or an *Error.
func takeDocument(code C.enum_hwinst_code, out *C.char) ([]byte, error) {
	doc := takeString(out)
	if code != C.HWINST_OK {
		return nil, errorFromDocument(Code(code), doc)
	}
	if doc == nil {
		return nil, &Error{Code: CodeDecode, Message: "the library returned no result document"}
	}
	return doc, nil
}

// decode decodes a result document into v, or says which result did not decode.
func decode(what string, doc []byte, v any) error {
	if err := json.Unmarshal(doc, v); err != nil {
		return &Error{Code: CodeDecode, Message: "the " + what + " document did not decode: " + err.Error()}
	}
	return nil
}

// cString converts a Go string argument for C, refusing one with a NUL byte (C would see
// it cut short). The caller frees the result with C.free.
func cString(name, value string) (*C.char, error) {
	if strings.IndexByte(value, 0) >= 0 {
		return nil, invalidArgument(name + " contains a NUL byte")
	}
	return C.CString(value), nil
}

// instanceCall runs one of the operations that take an instance ID.
func (c *Client) instanceCall(
	id string,
	op func(client *C.hwinst_client, id *C.char, out **C.char) C.enum_hwinst_code,
) ([]byte, error) {
	cID, err := cString("instance ID", id)
	if err != nil {
		return nil, err
	}
	defer C.free(unsafe.Pointer(cID))
	return c.call(func(client *C.hwinst_client, out **C.char) C.enum_hwinst_code {
		return op(client, cID, out)
	})
}

// RomaCreationProgress returns how far the creation of a ROMA Connect instance has got,
// overall and per sub-service (GET /v2/{project_id}/instances/{instance_id}/process).
func (c *Client) RomaCreationProgress(instanceID string) (*RomaCreationProgress, error) {
	doc, err := c.instanceCall(instanceID, func(client *C.hwinst_client, id *C.char, out **C.char) C.enum_hwinst_code {
		return C.hwinst_roma_creation_progress(client, id, out)
	})
	return result[RomaCreationProgress]("ROMA creation progress", doc, err)
}

// ApigCreationProgress returns how far the creation of a dedicated API Gateway instance has
// got (GET /v2/{project_id}/apigw/instances/{instance_id}/progress).
func (c *Client) ApigCreationProgress(instanceID string) (*ApigCreationProgress, error) {
	doc, err := c.instanceCall(instanceID, func(client *C.hwinst_client, id *C.char, out **C.char) C.enum_hwinst_code {
		return C.hwinst_apig_creation_progress(client, id, out)
	})
	return result[ApigCreationProgress]("APIG creation progress", doc, err)
}

// RomaInstance returns the details of a ROMA Connect instance, its status among them
// (GET /v2/{project_id}/apic/instances/{instance_id}).
func (c *Client) RomaInstance(instanceID string) (*RomaInstance, error) {
	doc, err := c.instanceCall(instanceID, func(client *C.hwinst_client, id *C.char, out **C.char) C.enum_hwinst_code {
		return C.hwinst_roma_instance(client, id, out)
	})
	return result[RomaInstance]("ROMA instance", doc, err)
}

// ClouddcInstanceStatus returns the state of a Cloud DC instance
// (GET /v1/{project_id}/instances/{id}/status).
func (c *Client) ClouddcInstanceStatus(instanceID string) (*ClouddcInstanceStatus, error) {
	doc, err := c.instanceCall(instanceID, func(client *C.hwinst_client, id *C.char, out **C.char) C.enum_hwinst_code {
		return C.hwinst_clouddc_instance_status(client, id, out)
	})
	return result[ClouddcInstanceStatus]("Cloud DC instance status", doc, err)
}

// Lifecycle reads where an instance is in its lifecycle from source, with one request to
// that source's API. An unknown source is [ErrInvalidArgument].
func (c *Client) Lifecycle(source Source, instanceID string) (*Lifecycle, error) {
	cSource, err := cString("source", string(source))
	if err != nil {
		return nil, err
	}
	defer C.free(unsafe.Pointer(cSource))
	doc, err := c.instanceCall(instanceID, func(client *C.hwinst_client, id *C.char, out **C.char) C.enum_hwinst_code {
		return C.hwinst_lifecycle(client, cSource, id, out)
	})
	return result[Lifecycle]("lifecycle", doc, err)
}

// queryDocument is the C library's list query.
type queryDocument struct {
	Status string `json:"status,omitempty"`
	Offset int    `json:"offset,omitempty"`
	Limit  int    `json:"limit,omitempty"`
}

// listCall runs one of the list operations with q as its query document.
func (c *Client) listCall(
	q RomaListQuery,
	op func(client *C.hwinst_client, query *C.char, out **C.char) C.enum_hwinst_code,
) ([]byte, error) {
	if q.Offset < 0 || q.Limit < 0 {
		return nil, invalidArgument("RomaListQuery.Offset and Limit must not be negative")
	}
	if strings.IndexByte(q.Status, 0) >= 0 {
		return nil, invalidArgument("RomaListQuery.Status contains a NUL byte")
	}
	doc, _ := json.Marshal(queryDocument(q)) // strings and ints: cannot fail
	cQuery := C.CString(string(doc))
	defer C.free(unsafe.Pointer(cQuery))
	return c.call(func(client *C.hwinst_client, out **C.char) C.enum_hwinst_code {
		return op(client, cQuery, out)
	})
}

// RomaListInstances returns one page of the project's ROMA Connect instances that match
// query (GET /v2/{project_id}/instances).
func (c *Client) RomaListInstances(query RomaListQuery) (*RomaInstancePage, error) {
	doc, err := c.listCall(query, func(client *C.hwinst_client, q *C.char, out **C.char) C.enum_hwinst_code {
		return C.hwinst_roma_list_instances(client, q, out)
	})
	return result[RomaInstancePage]("ROMA instance page", doc, err)
}

// RomaListAllInstances returns every ROMA Connect instance that matches query's status,
// fetched page by page from query's offset on, in pages of query's limit (default 50).
// Paging stops at an empty page, or at a short one when the service's total agrees; a
// service that ignores the offset (a page that repeats the one before) is [ErrDecode].
// Nothing is returned when any page fails.
func (c *Client) RomaListAllInstances(query RomaListQuery) ([]RomaInstanceSummary, error) {
	doc, err := c.listCall(query, func(client *C.hwinst_client, q *C.char, out **C.char) C.enum_hwinst_code {
		return C.hwinst_roma_list_all_instances(client, q, out)
	})
	if err != nil {
		return nil, err
	}
	var all allRomaInstances
	if err := decode("ROMA instance list", doc, &all); err != nil {
		return nil, err
	}
	if all.Instances == nil {
		all.Instances = []RomaInstanceSummary{}
	}
	return all.Instances, nil
}

// result decodes a call's document into a new T, or passes its error on.
func result[T any](what string, doc []byte, err error) (*T, error) {
	if err != nil {
		return nil, err
	}
	v := new(T)
	if err := decode(what, doc, v); err != nil {
		return nil, err
	}
	return v, nil
}
