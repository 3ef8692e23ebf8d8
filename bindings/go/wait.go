package hwinst

/*
#include <stdint.h>
#include <stdlib.h>
#include "hwinst.h"

// The Go callback (callback.go). Declared here by hand because _cgo_export.h is not
// included in this file's preamble.
extern int hwinstGoWaitCallback(char *lifecycle_json, uintptr_t handle);

// Adapts the Go callback to hwinst_wait_callback: a const parameter, and user_data as a
// void * made from a runtime/cgo.Handle's integer, so that no Go pointer is ever stored in C.
static int hwinst_go_trampoline(const char *lifecycle_json, void *user_data) {
	return hwinstGoWaitCallback((char *)lifecycle_json, (uintptr_t)user_data);
}

static enum hwinst_code hwinst_go_wait(const hwinst_client *client, const char *source,
		const char *instance_id, const char *options_json, int with_callback,
		uintptr_t handle, const hwinst_cancel_token *token, char **out_json) {
	return hwinst_wait_cancellable(client, source, instance_id, options_json,
		with_callback ? hwinst_go_trampoline : NULL, (void *)handle, token, out_json);
}

// Not static: fleet.go calls it.
enum hwinst_code hwinst_go_wait_many(const hwinst_client *client,
		const char *targets_json, const char *options_json, int with_callback,
		uintptr_t handle, const hwinst_cancel_token *token, char **out_json) {
	return hwinst_wait_many(client, targets_json, options_json,
		with_callback ? hwinst_go_trampoline : NULL, (void *)handle, token, out_json);
}
*/
import "C"

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"runtime"
	"runtime/cgo"
	"strings"
	"time"
	"unsafe"
)

// DefaultWaitTimeout is how long [Client.Wait] waits in all when WaitOptions.Timeout is 0
// and the context has no earlier deadline.
const DefaultWaitTimeout = 30 * time.Minute

// WaitOptions tune [Client.Wait]. The zero value waits until the instance is running, for
// at most 30 minutes, polling after 2 s and then at most every 30 s, and takes "not found"
// as "not visible yet" for the first 60 s. Durations are rounded up to whole milliseconds.
type WaitOptions struct {
	// Until are the target phases (default: running). Reaching failed or deleted ends the
	// wait with [ErrInstanceFailed] unless they are listed here.
	Until []Phase
	// Timeout is the most the whole wait may take, requests included (0: 30 minutes). A
	// context deadline that comes earlier shortens it.
	Timeout time.Duration
	// InitialInterval is the pause after the first poll (0: 2 s). Each later pause is half
	// as long again, up to MaxInterval, shortened by a random amount of up to half.
	InitialInterval time.Duration
	// MaxInterval is the longest pause between polls (0: 30 s).
	MaxInterval time.Duration
	// NotFoundGrace is how long after the start "not found" means "not visible yet" rather
	// than "no such instance" (0: 60 s; negative: no grace at all).
	NotFoundGrace time.Duration
}

// waitOptionsDocument is the C library's wait options document.
type waitOptionsDocument struct {
	Until             []Phase `json:"until,omitempty"`
	TimeoutMs         int64   `json:"timeout_ms"`
	InitialIntervalMs int64   `json:"initial_interval_ms,omitempty"`
	MaxIntervalMs     int64   `json:"max_interval_ms,omitempty"`
	NotFoundGraceMs   *int64  `json:"not_found_grace_ms,omitempty"`
}

// document writes the options with the wait's effective timeout.
func (o WaitOptions) document(timeout time.Duration) ([]byte, error) {
	doc, err := o.options(timeout)
	if err != nil {
		return nil, err
	}
	return json.Marshal(doc)
}

// options is the options document with the wait's effective timeout.
func (o WaitOptions) options(timeout time.Duration) (waitOptionsDocument, error) {
	doc := waitOptionsDocument{Until: o.Until}
	for _, phase := range o.Until {
		if strings.IndexByte(string(phase), 0) >= 0 {
			return doc, invalidArgument("WaitOptions.Until contains a NUL byte")
		}
	}
	var err error
	if doc.TimeoutMs, err = millis("WaitOptions.Timeout", timeout, invalidArgument); err != nil {
		return doc, err
	}
	if doc.InitialIntervalMs, err = millis("WaitOptions.InitialInterval", o.InitialInterval, invalidArgument); err != nil {
		return doc, err
	}
	if doc.MaxIntervalMs, err = millis("WaitOptions.MaxInterval", o.MaxInterval, invalidArgument); err != nil {
		return doc, err
	}
	switch {
	case o.NotFoundGrace < 0:
		none := int64(0)
		doc.NotFoundGraceMs = &none
	case o.NotFoundGrace > 0:
		grace, err := millis("WaitOptions.NotFoundGrace", o.NotFoundGrace, invalidArgument)
		if err != nil {
			return doc, err
		}
		doc.NotFoundGraceMs = &grace
	}
	return doc, nil
}

// Wait polls the lifecycle of instanceID from source until its phase is one of opts'
// targets, and returns that lifecycle.
//
// onChange (may be nil) is called with the first lifecycle observed and then with every
// one that differs from the one before (not on every poll), in order. It runs on the
// goroutine that called Wait, while the poll is paused, so it may panic (the panic goes on
// from Wait, the wait being cancelled) or call t.Fatal in a test; it is never called after
// Wait has returned. It may call the client's other methods and even [Client.Close].
//
// Wait honours ctx: when ctx is cancelled or its deadline passes, Wait cancels the wait and
// returns ctx.Err() at once, even while a request is in flight (the library abandons the
// wait as soon as that request ends, in the background; [Client.Close] waits for that). A
// deadline earlier than opts.Timeout shortens the library's own timeout, so that no request
// outlives it; when the library reaches that deadline first the error matches both
// context.DeadlineExceeded and [ErrTimeout].
//
// Other errors are [*Error]s:
//   - [ErrInstanceFailed]: the instance reached failed or deleted (not targets); the error's
//     Lifecycle is the last one, its ServiceCode and ServiceMessage the service's reason;
//   - [ErrTimeout]: opts.Timeout passed; Lifecycle is the last one seen, or nil;
//   - [ErrCancelled] and [ErrClosed] together: [Client.Close] cancelled the wait;
//   - any error of [Client.Lifecycle] that polling again cannot fix (401, 403, an invalid
//     ID, "not found" after the grace period, ...). Throttling, server errors, timeouts and
//     connection failures are polled through until the deadline.
func (c *Client) Wait(ctx context.Context, source Source, instanceID string, opts WaitOptions, onChange func(Lifecycle)) (*Lifecycle, error) {
	timeout, byDeadline, err := waitTimeout(ctx, "Wait", opts)
	if err != nil {
		return nil, err
	}
	options, err := opts.document(timeout)
	if err != nil {
		return nil, err
	}

	cSource, err := cString("source", string(source))
	if err != nil {
		return nil, err
	}
	cID, err := cString("instance ID", instanceID)
	if err != nil {
		C.free(unsafe.Pointer(cSource))
		return nil, err
	}
	cOptions := C.CString(string(options))
	freeStrings := func() {
		C.free(unsafe.Pointer(cSource))
		C.free(unsafe.Pointer(cID))
		C.free(unsafe.Pointer(cOptions))
	}

	call, err := c.beginWait(onChange != nil, freeStrings)
	if err != nil {
		return nil, err
	}
	token, flight, w := call.token, call.flight, call.w
	results := make(chan waitResult, 1)
	go func() {
		var out *C.char
		code := C.hwinst_go_wait(call.ptr, cSource, cID, cOptions, call.withCallback,
			C.uintptr_t(call.handle), token, &out)
		runtime.KeepAlive(c) // the finalizer must not free ptr while the C call uses it
		doc, err := takeDocument(code, out)
		call.end(c, freeStrings)
		results <- waitResult{doc: doc, err: err}
	}()

	// Whatever way Wait leaves (a result, ctx, a panic in onChange, t.FailNow), the C side
	// must stop calling back and stop waiting.
	defer func() {
		close(w.abandon)
		c.cancelWait(token)
	}()
	var callbackErr error
	for {
		select {
		case doc := <-w.changes:
			if err := w.relay(doc, onChange); err != nil {
				callbackErr = err
			}
		case r := <-results:
			return finishWait(r, flight, callbackErr, byDeadline)
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

// finishWait turns the wait's outcome into Wait's result.
func finishWait(r waitResult, flight *waitFlight, callbackErr error, byDeadline bool) (*Lifecycle, error) {
	if r.err != nil {
		var e *Error
		switch {
		case callbackErr != nil:
			return nil, callbackErr
		case flight.byClose && errors.As(r.err, &e) && e.Code == CodeCancelled:
			return nil, fmt.Errorf("%w (%w)", ErrClosed, r.err)
		case byDeadline && errors.As(r.err, &e) && e.Code == CodeTimeout:
			return nil, fmt.Errorf("%w: %w", context.DeadlineExceeded, r.err)
		}
		return nil, r.err
	}
	return result[Lifecycle]("lifecycle", r.doc, nil)
}

// waitTimeout is the library's timeout for a wait under ctx: opts' (or the default),
// shortened to ctx's deadline when that comes first (byDeadline). name is the caller's, for
// the error about a nil ctx.
func waitTimeout(ctx context.Context, name string, opts WaitOptions) (timeout time.Duration, byDeadline bool, err error) {
	if ctx == nil {
		return 0, false, invalidArgument(name + " needs a context (context.Background() for none)")
	}
	if err := ctx.Err(); err != nil {
		return 0, false, err
	}
	timeout = opts.Timeout
	if timeout == 0 {
		timeout = DefaultWaitTimeout
	}
	if deadline, ok := ctx.Deadline(); ok && timeout > 0 {
		left := time.Until(deadline)
		if left <= 0 {
			return 0, false, context.DeadlineExceeded
		}
		if left < timeout {
			timeout, byDeadline = left, true
		}
	}
	return timeout, byDeadline, nil
}

// waitCall is what one C wait (Wait's or WaitMany's) holds while it runs: its cancel token,
// registered with the client so that Close cancels it; the client pointer; and the channels
// and handle its callback uses.
type waitCall struct {
	token        *C.hwinst_cancel_token
	flight       *waitFlight
	ptr          *C.hwinst_client
	w            *waitChannels
	handle       cgo.Handle
	withCallback C.int
}

// beginWait prepares a C wait, with a callback when withCallback. On error, nothing is held
// and freeStrings has been called.
func (c *Client) beginWait(withCallback bool, freeStrings func()) (*waitCall, error) {
	var token *C.hwinst_cancel_token
	if code := C.hwinst_cancel_token_new(&token); code != C.HWINST_OK {
		freeStrings()
		return nil, errorFromDocument(Code(code), nil)
	}
	flight := &waitFlight{closing: make(chan struct{})}
	ptr, err := c.acquireWait(token, flight)
	if err != nil {
		C.hwinst_cancel_token_free(token)
		freeStrings()
		return nil, err
	}
	call := &waitCall{token: token, flight: flight, ptr: ptr, w: &waitChannels{
		changes: make(chan []byte),
		acks:    make(chan bool, 1), // never blocks the waiter, even once the C side has left
		abandon: make(chan struct{}),
		closing: flight.closing,
	}}
	if withCallback {
		call.handle = cgo.NewHandle(call.w)
		call.withCallback = 1
	}
	return call, nil
}

// end releases what the wait held, once its C call has returned.
func (call *waitCall) end(c *Client, freeStrings func()) {
	c.releaseWait(call.token)
	freeStrings()
	if call.handle != 0 {
		call.handle.Delete()
	}
}

// waitResult is what the C wait returned.
type waitResult struct {
	doc []byte
	err error
}

// waitChannels connect the C side of a wait (hwinstGoWaitCallback, on the goroutine that
// runs the C call) with Wait, which runs onChange on its own goroutine.
type waitChannels struct {
	// changes carries each lifecycle document from the C side to Wait.
	changes chan []byte
	// acks carries Wait's answer back: true to keep waiting.
	acks chan bool
	// abandon is closed when Wait returns: the C side stops at once.
	abandon chan struct{}
	// closing is closed when Close cancels the wait: the C side stops even if Wait is
	// busy in onChange (which may be what called Close).
	closing chan struct{}
}

// relay runs onChange with one lifecycle document from the C side and answers it: keep
// waiting, or stop with the error when the document does not decode.
func (w *waitChannels) relay(doc []byte, onChange func(Lifecycle)) error {
	var lifecycle Lifecycle
	if err := json.Unmarshal(doc, &lifecycle); err != nil {
		w.acks <- false
		return &Error{Code: CodeDecode, Message: "the lifecycle document did not decode: " + err.Error()}
	}
	onChange(lifecycle)
	w.acks <- true
	return nil
}

// deliver hands one lifecycle document to Wait and waits for its answer; false stops the
// wait.
func (w *waitChannels) deliver(doc []byte) bool {
	select {
	case w.changes <- doc:
	case <-w.abandon:
		return false
	case <-w.closing:
		return false
	}
	select {
	case keepGoing := <-w.acks:
		return keepGoing
	case <-w.abandon:
		return false
	case <-w.closing:
		return false
	}
}

// acquireWait is acquire for a wait: it also registers the wait's token for Close.
func (c *Client) acquireWait(token *C.hwinst_cancel_token, flight *waitFlight) (*C.hwinst_client, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return nil, ErrClosed
	}
	c.inflight++
	c.waits[token] = flight
	return c.ptr, nil
}

// releaseWait ends a wait's C call: it unregisters and frees the token, then releases.
func (c *Client) releaseWait(token *C.hwinst_cancel_token) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.waits, token)
	C.hwinst_cancel_token_free(token)
	c.releaseLocked()
}

// cancelWait cancels a wait's token if its C call is still running.
func (c *Client) cancelWait(token *C.hwinst_cancel_token) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, running := c.waits[token]; running {
		C.hwinst_cancel_token_cancel(token)
	}
}
