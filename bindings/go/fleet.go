package hwinst

// #include <stdint.h>
// #include <stdlib.h>
// #include "hwinst.h"
//
// enum hwinst_code hwinst_go_wait_many(const hwinst_client *client, const char *targets_json,
//		const char *options_json, int with_callback, uintptr_t handle,
//		const hwinst_cancel_token *token, char **out_json);
import "C"

import (
	"context"
	"encoding/json"
	"fmt"
	"runtime"
	"time"
	"unsafe"
)

// Service is a service whose requests share one budget in [Client.WaitMany].
type Service string

// The services of [FleetOptions.MaxRequestsPerSecond].
const (
	// ServiceRoma is ROMA Connect ([SourceRoma] and [SourceRomaDetails]).
	ServiceRoma Service = "roma"
	// ServiceApig is API Gateway ([SourceApig]).
	ServiceApig Service = "apig"
	// ServiceClouddc is Cloud DC ([SourceClouddc]).
	ServiceClouddc Service = "clouddc"
)

// Target is one instance of a fleet wait: where its lifecycle is read from, and its ID.
type Target struct {
	Source     Source `json:"source"`
	InstanceID string `json:"instance_id"`
}

// FleetEvent is one change a fleet wait saw, for [Client.WaitMany]'s onChange: the target
// it concerns, by its index in the targets and as given, and the lifecycle read. The
// lifecycle's own Source says where it was read: [SourceRomaList] for ROMA targets read
// through the batched list, so two targets for one ROMA instance ([SourceRoma] and
// [SourceRomaDetails]) are told apart only by their target.
type FleetEvent struct {
	Index     int
	Target    Target
	Lifecycle Lifecycle
}

// The fleet wait modes of [FleetOptions.Mode].
const (
	// FleetAll ends the wait when every instance has an outcome (the default).
	FleetAll = "all"
	// FleetAny ends the wait when one instance reaches a target phase.
	FleetAny = "any"
)

// The outcomes of a [FleetInstance].
const (
	OutcomeReached   = "reached"   // it reached a target phase
	OutcomeFailed    = "failed"    // it reached failed or deleted (not targets)
	OutcomeTimeout   = "timeout"   // the deadline passed first
	OutcomeCancelled = "cancelled" // the wait was cancelled first
	OutcomeError     = "error"     // an error polling again cannot fix (e.g. not found)
	OutcomePending   = "pending"   // not finished when an any or fail-fast wait ended
)

// FleetOptions tune [Client.WaitMany]. The zero value waits until every instance is
// running, for at most 30 minutes in all, with the library's defaults: 4 requests in flight,
// 0.5 requests per second per service, ROMA instances read through the paged list.
type FleetOptions struct {
	// WaitOptions are those of [Client.Wait]; Timeout is for the whole fleet.
	WaitOptions
	// Mode is [FleetAll] ("" means all) or [FleetAny].
	Mode string
	// FailFast ends an all wait at the first failure.
	FailFast bool
	// Settle is how many polls in a row must see a target phase before it counts (0: 1).
	Settle int
	// Concurrency is the most requests in flight, on as many threads (0: 4).
	Concurrency int
	// MaxRequestsPerSecond is each service's request budget, shared by every poll of it
	// (a missing service: 0.5 per second).
	MaxRequestsPerSecond map[Service]float64
	// BatchRoma, when set to false, polls each ROMA instance on its own (keeping the
	// progress percentage the list does not have); nil means true.
	BatchRoma *bool
}

// fleetOptionsDocument is the C library's fleet options document.
type fleetOptionsDocument struct {
	waitOptionsDocument
	Mode                 string              `json:"mode,omitempty"`
	FailFast             bool                `json:"fail_fast,omitempty"`
	Settle               int                 `json:"settle,omitempty"`
	Concurrency          int                 `json:"concurrency,omitempty"`
	MaxRequestsPerSecond map[Service]float64 `json:"max_requests_per_second,omitempty"`
	BatchRoma            *bool               `json:"batch_roma,omitempty"`
}

// document writes the options with the wait's effective timeout.
func (o FleetOptions) document(timeout time.Duration) ([]byte, error) {
	wait, err := o.WaitOptions.options(timeout)
	if err != nil {
		return nil, err
	}
	if o.Settle < 0 {
		return nil, invalidArgument("FleetOptions.Settle is negative")
	}
	if o.Concurrency < 0 {
		return nil, invalidArgument("FleetOptions.Concurrency is negative")
	}
	return json.Marshal(fleetOptionsDocument{
		waitOptionsDocument:  wait,
		Mode:                 o.Mode,
		FailFast:             o.FailFast,
		Settle:               o.Settle,
		Concurrency:          o.Concurrency,
		MaxRequestsPerSecond: o.MaxRequestsPerSecond,
		BatchRoma:            o.BatchRoma,
	})
}

// Fleet is the outcome of [Client.WaitMany]: the C library's fleet document.
type Fleet struct {
	// Instances are the targets' outcomes, in the order of the targets, none dropped.
	Instances []FleetInstance
	// Requests is how many requests were sent to each service ("roma", "apig", "clouddc").
	Requests map[string]int
	// Throttled is how many 429 answers the services gave.
	Throttled int
	// Elapsed is how long the wait took.
	Elapsed time.Duration
	// Raw is the fleet document this was decoded from.
	Raw json.RawMessage
}

// FleetInstance is one target's outcome in a [Fleet].
type FleetInstance struct {
	Source     Source
	InstanceID string
	// Outcome is one of OutcomeReached, OutcomeFailed, OutcomeTimeout, OutcomeCancelled,
	// OutcomeError and OutcomePending.
	Outcome string
	// Lifecycle is the last lifecycle seen, or nil.
	Lifecycle *Lifecycle
	// Error is why the instance did not reach a target phase (failed, timed out,
	// cancelled, an error), or nil.
	Error *Error
	// Polls is how many times it was read.
	Polls int
}

// fleetDocument is the C library's fleet document.
type fleetDocument struct {
	Instances *[]struct {
		Source     Source          `json:"source"`
		InstanceID string          `json:"instance_id"`
		Outcome    string          `json:"outcome"`
		Lifecycle  *Lifecycle      `json:"lifecycle"`
		Error      json.RawMessage `json:"error"`
		Polls      int             `json:"polls"`
	} `json:"instances"`
	Requests  map[string]int `json:"requests"`
	Throttled int            `json:"throttled"`
	ElapsedMs int64          `json:"elapsed_ms"`
}

// decodeFleet decodes a fleet document; ok is false when doc is not one (an error document).
func decodeFleet(doc []byte) (fleet *Fleet, ok bool, err error) {
	var d fleetDocument
	if err := json.Unmarshal(doc, &d); err != nil {
		return nil, false, &Error{Code: CodeDecode, Message: "the fleet document did not decode: " + err.Error()}
	}
	if d.Instances == nil {
		return nil, false, nil
	}
	fleet = &Fleet{
		Instances: make([]FleetInstance, 0, len(*d.Instances)),
		Requests:  d.Requests,
		Throttled: d.Throttled,
		Elapsed:   time.Duration(d.ElapsedMs) * time.Millisecond,
		Raw:       keepRaw(doc),
	}
	for _, i := range *d.Instances {
		instance := FleetInstance{
			Source:     i.Source,
			InstanceID: i.InstanceID,
			Outcome:    i.Outcome,
			Lifecycle:  i.Lifecycle,
			Polls:      i.Polls,
		}
		if len(i.Error) > 0 && string(i.Error) != "null" {
			instance.Error = errorFromDocument(0, i.Error)
		}
		fleet.Instances = append(fleet.Instances, instance)
	}
	return fleet, true, nil
}

// fleetError is the overall error of a fleet that ended with code: the first instance's
// error of that code, naming the instance, or one that counts the outcomes.
func fleetError(code Code, fleet *Fleet) *Error {
	for _, i := range fleet.Instances {
		if i.Error != nil && i.Error.Code == code {
			e := *i.Error
			e.Message = fmt.Sprintf("fleet wait: %s %s: %s", i.Source, i.InstanceID, e.Message)
			return &e
		}
	}
	counts := map[string]int{}
	for _, i := range fleet.Instances {
		counts[i.Outcome]++
	}
	return &Error{Code: code, Message: fmt.Sprintf("fleet wait ended with %s (%d instances: %d reached, %d failed, %d timeout, %d cancelled, %d error, %d pending)",
		code, len(fleet.Instances), counts[OutcomeReached], counts[OutcomeFailed], counts[OutcomeTimeout],
		counts[OutcomeCancelled], counts[OutcomeError], counts[OutcomePending])}
}

// fleetCancelGrace is how long WaitMany waits, once ctx is done, for the cancelled C call
// to hand back its fleet document (the cancel cuts its requests, so it ends at once).
const fleetCancelGrace = time.Second

// WaitMany waits for a fleet of instances at once (hwinst_wait_many): one scheduler, at
// most opts.Concurrency requests in flight whatever the fleet's size, one request budget per
// service shared by every poll of it (a 429 pauses every poll of that service), and ROMA
// instances read through the paged list.
//
// onChange (may be nil) is called with the first lifecycle of each instance and every
// change, in a [FleetEvent] naming the target it concerns, one call at a time, on the
// goroutine that called WaitMany, as for [Client.Wait]; it is never called after WaitMany
// has returned.
//
// The *Fleet reports every target, in order, whenever the library produced a fleet
// document: with a nil error when the mode's condition was met, and also together with the
// error when it was not:
//   - [ErrInstanceFailed]: an instance reached failed or deleted;
//   - [ErrTimeout]: opts.Timeout (or ctx's deadline, when it comes first: then the error
//     matches context.DeadlineExceeded too) passed first;
//   - [ErrCancelled] and [ErrClosed] together: [Client.Close] cancelled the wait;
//   - the error of an instance that polling again cannot fix (e.g. [ErrNotFound]).
//
// The error names the instance it comes from and is that instance's error. When ctx is
// cancelled, WaitMany cancels the whole wait and returns ctx.Err(), with the Fleet (its
// unfinished instances cancelled) when the library hands it back within a second. Bad
// targets or options (an empty list, an unknown source, an unsafe ID, a duplicate, an
// unknown mode) are an [ErrInvalidArgument] error with a nil Fleet; nothing is sent.
func (c *Client) WaitMany(ctx context.Context, targets []Target, opts FleetOptions, onChange func(FleetEvent)) (*Fleet, error) {
	timeout, byDeadline, err := waitTimeout(ctx, "WaitMany", opts.WaitOptions)
	if err != nil {
		return nil, err
	}
	if targets == nil {
		targets = []Target{} // refused by the library as an empty list, naming it
	}
	options, err := opts.document(timeout)
	if err != nil {
		return nil, err
	}
	targetsJSON, err := json.Marshal(targets)
	if err != nil {
		return nil, invalidArgument("the targets do not encode: " + err.Error())
	}

	cTargets := C.CString(string(targetsJSON))
	cOptions := C.CString(string(options))
	freeStrings := func() {
		C.free(unsafe.Pointer(cTargets))
		C.free(unsafe.Pointer(cOptions))
	}

	call, err := c.beginWait(onChange != nil, freeStrings)
	if err != nil {
		return nil, err
	}
	token, flight, w := call.token, call.flight, call.w
	results := make(chan fleetResult, 1)
	go func() {
		var out *C.char
		code := C.hwinst_go_wait_many(call.ptr, cTargets, cOptions, call.withCallback,
			C.uintptr_t(call.handle), token, &out)
		runtime.KeepAlive(c) // the finalizer must not free ptr while the C call uses it
		doc := takeString(out)
		call.end(c, freeStrings)
		results <- fleetResult{code: Code(code), doc: doc}
	}()

	// Whatever way WaitMany leaves (a result, ctx, a panic in onChange, t.FailNow), the C
	// side must stop calling back and stop waiting.
	stopped := false
	stop := func() {
		if !stopped {
			stopped = true
			close(w.abandon)
			c.cancelWait(token)
		}
	}
	defer stop()
	var callbackErr error
	for {
		select {
		case doc := <-w.changes:
			if err := w.relay(doc, func(lifecycle Lifecycle) {
				onChange(fleetEvent(lifecycle, targets))
			}); err != nil {
				callbackErr = err
			}
		case r := <-results:
			return finishFleet(r, flight, callbackErr, byDeadline)
		case <-ctx.Done():
			stop()
			select {
			case r := <-results:
				fleet, _ := finishFleet(r, flight, nil, false)
				return fleet, ctx.Err()
			case <-time.After(fleetCancelGrace):
				return nil, ctx.Err()
			}
		}
	}
}

// fleetEvent is the event of a lifecycle document of hwinst_wait_many's callback, whose
// "target" object names the target by its index.
func fleetEvent(lifecycle Lifecycle, targets []Target) FleetEvent {
	var named struct {
		Target struct {
			Index int `json:"index"`
		} `json:"target"`
	}
	// The library wrote the document, and Lifecycle decoded it: it is JSON.
	_ = json.Unmarshal(lifecycle.Raw, &named)
	event := FleetEvent{Index: named.Target.Index, Lifecycle: lifecycle}
	if event.Index >= 0 && event.Index < len(targets) {
		event.Target = targets[event.Index]
	}
	return event
}

// codeOK is HWINST_OK.
const codeOK Code = C.HWINST_OK

// fleetResult is what the C fleet wait returned.
type fleetResult struct {
	code Code
	doc  []byte
}

// finishFleet turns the fleet wait's outcome into WaitMany's result.
func finishFleet(r fleetResult, flight *waitFlight, callbackErr error, byDeadline bool) (*Fleet, error) {
	if r.doc == nil {
		if r.code == codeOK {
			return nil, &Error{Code: CodeDecode, Message: "the library returned no fleet document"}
		}
		return nil, errorFromDocument(r.code, nil)
	}
	fleet, ok, err := decodeFleet(r.doc)
	switch {
	case err != nil && r.code == codeOK:
		return nil, err
	case !ok && r.code == codeOK:
		return nil, &Error{Code: CodeDecode, Message: "the fleet document has no instances"}
	case !ok:
		return nil, errorFromDocument(r.code, r.doc) // an argument error's document
	case callbackErr != nil:
		return fleet, callbackErr
	case r.code == codeOK:
		return fleet, nil
	}
	e := fleetError(r.code, fleet)
	switch {
	case flight.byClose && e.Code == CodeCancelled:
		return fleet, fmt.Errorf("%w (%w)", ErrClosed, e)
	case byDeadline && e.Code == CodeTimeout:
		return fleet, fmt.Errorf("%w: %w", context.DeadlineExceeded, e)
	}
	return fleet, e
}
