package hwinst_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	hwinst "github.com/hwinst/hwinst/bindings/go"
)

// fleetQuick is quick for a fleet: a budget per service that never holds the tests back.
func fleetQuick() hwinst.FleetOptions {
	return hwinst.FleetOptions{
		WaitOptions: quick,
		MaxRequestsPerSecond: map[hwinst.Service]float64{
			hwinst.ServiceApig: 200, hwinst.ServiceRoma: 200, hwinst.ServiceClouddc: 200,
		},
	}
}

// outcomes lists the fleet's outcomes in the order of its instances.
func outcomes(f *hwinst.Fleet) []string {
	var out []string
	for _, i := range f.Instances {
		out = append(out, i.Outcome)
	}
	return out
}

func TestWaitManyReachesRunning(t *testing.T) {
	s := startSim(t)
	c := s.client(t)
	s.instance(t, map[string]any{"service": "apig", "id": "gw-1", "step_ms": 50})
	s.instance(t, map[string]any{"service": "roma", "id": "roma-1", "step_ms": 50})
	targets := []hwinst.Target{
		{Source: hwinst.SourceApig, InstanceID: "gw-1"},
		{Source: hwinst.SourceRoma, InstanceID: "roma-1"},
	}
	seen := map[string]int{}
	fleet, err := c.WaitMany(bg(), targets, fleetQuick(), func(e hwinst.FleetEvent) {
		seen[string(e.Target.Source)+"/"+e.Target.InstanceID]++ // on this goroutine: no lock needed
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(fleet.Instances) != 2 || len(fleet.Raw) == 0 || fleet.Elapsed <= 0 {
		t.Fatalf("%+v", fleet)
	}
	for n, i := range fleet.Instances {
		if i.Source != targets[n].Source || i.InstanceID != targets[n].InstanceID ||
			i.Outcome != hwinst.OutcomeReached || i.Error != nil || i.Polls == 0 ||
			i.Lifecycle == nil || i.Lifecycle.Phase != hwinst.PhaseRunning {
			t.Errorf("instance %d: %+v", n, i)
		}
	}
	if seen["apig/gw-1"] == 0 || seen["roma/roma-1"] == 0 {
		t.Errorf("changes seen: %v", seen)
	}
	if fleet.Requests["apig"] == 0 || fleet.Requests["roma"] == 0 {
		t.Errorf("requests %v", fleet.Requests)
	}
}

// One ROMA instance as two targets, both read through the batched list: the events say
// which target each is about, while the lifecycle says it was read from the list.
func TestWaitManyEventsNameTheirTarget(t *testing.T) {
	s := startSim(t)
	c := s.client(t)
	s.instance(t, map[string]any{"service": "roma", "id": "roma-both", "step_ms": 50})
	targets := []hwinst.Target{
		{Source: hwinst.SourceRoma, InstanceID: "roma-both"},
		{Source: hwinst.SourceRomaDetails, InstanceID: "roma-both"},
	}
	var events []hwinst.FleetEvent
	fleet, err := c.WaitMany(bg(), targets, fleetQuick(), func(e hwinst.FleetEvent) {
		events = append(events, e)
	})
	if err != nil {
		t.Fatal(err)
	}
	last := map[int]hwinst.Phase{}
	for _, e := range events {
		if e.Index < 0 || e.Index > 1 || e.Target != targets[e.Index] ||
			e.Lifecycle.Source != hwinst.SourceRomaList || e.Lifecycle.InstanceID != "roma-both" {
			t.Errorf("event %+v", e)
		}
		last[e.Index] = e.Lifecycle.Phase
	}
	if last[0] != hwinst.PhaseRunning || last[1] != hwinst.PhaseRunning {
		t.Errorf("last phases %v of %d events", last, len(events))
	}
	if len(fleet.Instances) != 2 || fleet.Instances[1].Source != hwinst.SourceRomaDetails {
		t.Errorf("%+v", fleet.Instances)
	}
}

func TestWaitManyInstanceFails(t *testing.T) {
	s := startSim(t)
	c := s.client(t)
	s.instance(t, map[string]any{"service": "apig", "id": "fine", "step_ms": 50})
	s.instance(t, map[string]any{"service": "apig", "id": "doomed", "outcome": "fail", "step_ms": 50})
	fleet, err := c.WaitMany(bg(), []hwinst.Target{
		{Source: hwinst.SourceApig, InstanceID: "fine"},
		{Source: hwinst.SourceApig, InstanceID: "doomed"},
	}, fleetQuick(), nil)
	e := asError(t, err, hwinst.ErrInstanceFailed)
	if fleet == nil {
		t.Fatal("no fleet with the error")
	}
	if got := outcomes(fleet); len(got) != 2 || got[0] != hwinst.OutcomeReached || got[1] != hwinst.OutcomeFailed {
		t.Fatalf("outcomes %v", got)
	}
	doomed := fleet.Instances[1]
	if doomed.Error == nil || !errors.Is(doomed.Error, hwinst.ErrInstanceFailed) ||
		doomed.Error.ServiceCode != "APIG.9999" || doomed.Lifecycle == nil ||
		doomed.Lifecycle.Phase != hwinst.PhaseFailed {
		t.Errorf("doomed: %+v %+v", doomed, doomed.Error)
	}
	if e.ServiceCode != "APIG.9999" || e.Lifecycle == nil || e.Lifecycle.InstanceID != "doomed" {
		t.Errorf("overall error %+v", e)
	}

	// The fleet's own deadline: the stuck instance times out, with the fleet.
	s.instance(t, map[string]any{"service": "clouddc", "id": "stuck", "step_ms": hour})
	opts := fleetQuick()
	opts.Timeout = 300 * time.Millisecond
	fleet, err = c.WaitMany(bg(), []hwinst.Target{{Source: hwinst.SourceClouddc, InstanceID: "stuck"}}, opts, nil)
	asError(t, err, hwinst.ErrTimeout)
	if fleet == nil || fleet.Instances[0].Outcome != hwinst.OutcomeTimeout {
		t.Errorf("%+v", fleet)
	}
}

// Cancelling the context while the fleet pauses between polls (for a minute): WaitMany
// returns ctx.Err() at once, and so does the C side.
func TestWaitManyContextCancel(t *testing.T) {
	s := startSim(t)
	c := s.client(t)
	s.instance(t, map[string]any{"service": "apig", "id": "slow-1", "step_ms": hour})
	s.instance(t, map[string]any{"service": "clouddc", "id": "slow-2", "step_ms": hour})
	ctx, cancel := context.WithCancel(bg())
	defer cancel()
	opts := fleetQuick()
	opts.InitialInterval, opts.MaxInterval = time.Minute, time.Minute
	var returned, lateCalls atomic.Bool
	var cancelledAt time.Time
	fleet, err := c.WaitMany(ctx, []hwinst.Target{
		{Source: hwinst.SourceApig, InstanceID: "slow-1"},
		{Source: hwinst.SourceClouddc, InstanceID: "slow-2"},
	}, opts, func(hwinst.FleetEvent) {
		if returned.Load() {
			lateCalls.Store(true)
		}
		if cancelledAt.IsZero() {
			cancelledAt = time.Now()
			cancel()
		}
	})
	returned.Store(true)
	if !errors.Is(err, context.Canceled) || err != ctx.Err() {
		t.Fatalf("want ctx.Err(), got %v", err)
	}
	if d := time.Since(cancelledAt); d > prompt {
		t.Errorf("WaitMany returned %v after the cancel", d)
	}
	// The cancel cuts the C side's requests, so its fleet document comes back with ctx.Err().
	if fleet == nil {
		t.Fatal("no fleet with ctx.Err()")
	}
	for _, i := range fleet.Instances {
		if i.Outcome != hwinst.OutcomeCancelled || !errors.Is(i.Error, hwinst.ErrCancelled) {
			t.Errorf("%+v", i)
		}
	}
	closeWithin(t, c, prompt)
	if lateCalls.Load() {
		t.Error("the callback ran after WaitMany returned")
	}
}

func TestWaitManyAny(t *testing.T) {
	s := startSim(t)
	c := s.client(t)
	s.instance(t, map[string]any{"service": "clouddc", "id": "never", "step_ms": hour})
	s.instance(t, map[string]any{"service": "apig", "id": "soon", "step_ms": 0})
	opts := fleetQuick()
	opts.Mode = hwinst.FleetAny
	opts.Settle = 2
	fleet, err := c.WaitMany(bg(), []hwinst.Target{
		{Source: hwinst.SourceClouddc, InstanceID: "never"},
		{Source: hwinst.SourceApig, InstanceID: "soon"},
	}, opts, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := outcomes(fleet); len(got) != 2 || got[0] != hwinst.OutcomePending || got[1] != hwinst.OutcomeReached {
		t.Fatalf("outcomes %v", got)
	}
	if fleet.Instances[1].Polls < 2 {
		t.Errorf("settle 2 reached in %d polls", fleet.Instances[1].Polls)
	}
}

func TestWaitManyBadArguments(t *testing.T) {
	s := startSim(t)
	c := s.client(t)
	before := s.requests(t)
	apig := func(id string) hwinst.Target { return hwinst.Target{Source: hwinst.SourceApig, InstanceID: id} }
	for name, targets := range map[string][]hwinst.Target{
		"nil":            nil,
		"empty":          {},
		"unknown source": {{Source: "roma-list", InstanceID: "x"}},
		"unsafe ID":      {apig("../x")},
		"empty ID":       {apig("")},
		"NUL in ID":      {apig("a\x00b")},
		"duplicate":      {apig("a"), apig("b"), apig("a")},
	} {
		fleet, err := c.WaitMany(bg(), targets, fleetQuick(), nil)
		if !isCode(err, hwinst.ErrInvalidArgument) || fleet != nil {
			t.Errorf("%s: %v %+v", name, err, fleet)
		}
		t.Logf("%s: %v", name, err)
	}
	for name, edit := range map[string]func(*hwinst.FleetOptions){
		"unknown mode":     func(o *hwinst.FleetOptions) { o.Mode = "most" },
		"negative settle":  func(o *hwinst.FleetOptions) { o.Settle = -1 },
		"negative timeout": func(o *hwinst.FleetOptions) { o.Timeout = -time.Second },
		"unknown service":  func(o *hwinst.FleetOptions) { o.MaxRequestsPerSecond = map[hwinst.Service]float64{"iam": 1} },
		"unknown phase":    func(o *hwinst.FleetOptions) { o.Until = []hwinst.Phase{"ready"} },
	} {
		opts := fleetQuick()
		edit(&opts)
		fleet, err := c.WaitMany(bg(), []hwinst.Target{apig("a")}, opts, nil)
		if !isCode(err, hwinst.ErrInvalidArgument) || fleet != nil {
			t.Errorf("%s: %v %+v", name, err, fleet)
		}
	}
	var noContext context.Context
	if _, err := c.WaitMany(noContext, []hwinst.Target{apig("a")}, fleetQuick(), nil); !isCode(err, hwinst.ErrInvalidArgument) {
		t.Errorf("nil context: %v", err)
	}
	if after := s.requests(t); after != before {
		t.Errorf("%d requests sent", after-before)
	}
	if _, err := c.WaitMany(bg(), []hwinst.Target{{Source: "bogus", InstanceID: "a"}}, fleetQuick(), nil); err == nil ||
		!errors.Is(err, hwinst.ErrInvalidArgument) {
		t.Errorf("%v", err)
	} else if e := asError(t, err, hwinst.ErrInvalidArgument); e.Message == "" {
		t.Error("no message")
	}
}
