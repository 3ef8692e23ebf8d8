package hwinst_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	hwinst "github.com/hwinst/hwinst/bindings/go"
)

func bg() context.Context { return context.Background() }

// quick polls often, so that waits over fast scripts take a fraction of a second.
var quick = hwinst.WaitOptions{
	Timeout:         60 * time.Second,
	InitialInterval: 20 * time.Millisecond,
	MaxInterval:     50 * time.Millisecond,
}

// Promptness bounds are generous (the machine may be loaded): each is far below the time
// the thing it guards against would take.
const prompt = 3 * time.Second

// Each script, step by step: the callback moves the simulator's clock one step on after
// each change, so every step is seen, in order, whatever the machine's speed.
func TestWaitSucceeds(t *testing.T) {
	s := startSim(t)
	c := s.client(t)
	for _, tc := range []struct {
		source   hwinst.Source
		service  string
		statuses []string
		progress []any
	}{
		{hwinst.SourceApig, "apig", []string{"creating", "creating", "creating", "creating", "success"},
			[]any{30, 50, 80, 90, 100}},
		{hwinst.SourceRoma, "roma", []string{"CREATING", "CREATING", "CREATING", "CREATING", "RUNNING"},
			[]any{10, 40, 60, 80, 100}},
		{hwinst.SourceRomaDetails, "roma", []string{"Creating", "CreateSuccess", "Initing", "Registering", "Running"},
			[]any{"nil", "nil", "nil", "nil", "nil"}},
		{hwinst.SourceClouddc, "clouddc", []string{"pending", "running"}, []any{"nil", "nil"}},
	} {
		id := uniqueID(t, tc.service)
		s.instance(t, map[string]any{"service": tc.service, "id": id, "step_ms": hour})
		var seen []hwinst.Lifecycle
		final, err := c.Wait(bg(), tc.source, id, quick, func(l hwinst.Lifecycle) {
			seen = append(seen, l)
			s.advance(t, time.Hour) // the callback runs on this goroutine: t.Fatal works here
		})
		if err != nil {
			t.Fatalf("%s: %v", tc.source, err)
		}
		if final.Phase != hwinst.PhaseRunning || !final.Terminal || final.InstanceID != id || final.Source != tc.source {
			t.Errorf("%s: final %+v", tc.source, final)
		}
		if len(seen) != len(tc.statuses) {
			t.Fatalf("%s: %d changes seen, want %d: %+v", tc.source, len(seen), len(tc.statuses), seen)
		}
		for i, l := range seen {
			want := hwinst.PhaseCreating
			if tc.source == hwinst.SourceClouddc {
				want = hwinst.PhasePending
			}
			if i == len(seen)-1 {
				want = hwinst.PhaseRunning
			}
			if l.Status != tc.statuses[i] || deref(l.Progress) != tc.progress[i] || l.Phase != want || string(l.Raw) == "" {
				t.Errorf("%s: change %d is %s %s %v, want %s %s %v", tc.source, i,
					l.Phase, l.Status, deref(l.Progress), want, tc.statuses[i], tc.progress[i])
			}
			if i > 0 && l.ObservedAtMs < seen[i-1].ObservedAtMs {
				t.Errorf("%s: change %d observed before change %d", tc.source, i, i-1)
			}
		}
		if last := seen[len(seen)-1]; last.Status != final.Status || last.Phase != final.Phase {
			t.Errorf("%s: the last change %+v is not the result %+v", tc.source, last, final)
		}
	}

	// Without a callback, and for another target phase.
	s.instance(t, map[string]any{"service": "apig", "id": "quiet", "step_ms": 0})
	opts := quick
	opts.Until = []hwinst.Phase{hwinst.PhaseRunning, hwinst.PhaseFailed}
	if l, err := c.Wait(bg(), hwinst.SourceApig, "quiet", opts, nil); err != nil || l.Phase != hwinst.PhaseRunning {
		t.Errorf("%+v %v", l, err)
	}
}

func TestWaitFails(t *testing.T) {
	s := startSim(t)
	c := s.client(t)
	s.instance(t, map[string]any{"service": "apig", "id": "doomed", "outcome": "fail", "step_ms": 100})
	var changes int
	_, err := c.Wait(bg(), hwinst.SourceApig, "doomed", quick, func(hwinst.Lifecycle) { changes++ })
	e := asError(t, err, hwinst.ErrInstanceFailed)
	if e.Lifecycle == nil || e.Lifecycle.Phase != hwinst.PhaseFailed || e.Lifecycle.InstanceID != "doomed" {
		t.Fatalf("lifecycle %+v", e.Lifecycle)
	}
	if e.ServiceCode != "APIG.9999" || e.ServiceMessage == "" || e.Lifecycle.Error == nil ||
		e.Lifecycle.Error.ErrorCode != "APIG.9999" || e.HTTPStatus != 0 || changes == 0 {
		t.Errorf("%+v (%d changes)", e, changes)
	}

	// The wait's own deadline, with the last lifecycle seen.
	s.instance(t, map[string]any{"service": "clouddc", "id": "stuck", "step_ms": hour})
	opts := quick
	opts.Timeout = 300 * time.Millisecond
	_, err = c.Wait(bg(), hwinst.SourceClouddc, "stuck", opts, nil)
	if e := asError(t, err, hwinst.ErrTimeout); e.Lifecycle == nil || e.Lifecycle.Phase != hwinst.PhasePending {
		t.Errorf("%+v", e)
	}
	if errors.Is(err, context.DeadlineExceeded) {
		t.Error("the wait's own timeout is not the context's")
	}

	// Errors polling cannot fix end the wait at once: not found after the grace period.
	opts = quick
	opts.NotFoundGrace = -1
	start := time.Now()
	_, err = c.Wait(bg(), hwinst.SourceApig, "ghost", opts, nil)
	if asError(t, err, hwinst.ErrNotFound); time.Since(start) > prompt {
		t.Errorf("not found took %v", time.Since(start))
	}

	// Bad options.
	for name, o := range map[string]hwinst.WaitOptions{
		"unknown phase":     {Until: []hwinst.Phase{"ready"}},
		"NUL in phase":      {Until: []hwinst.Phase{"running\x00"}},
		"negative timeout":  {Timeout: -time.Second},
		"negative interval": {InitialInterval: -time.Second},
		"max below initial": {InitialInterval: time.Minute, MaxInterval: time.Second},
	} {
		if _, err := c.Wait(bg(), hwinst.SourceApig, "doomed", o, nil); !isCode(err, hwinst.ErrInvalidArgument) {
			t.Errorf("%s: %v", name, err)
		}
	}
	var noContext context.Context // a nil context is refused, not a crash
	if _, err := c.Wait(noContext, hwinst.SourceApig, "doomed", quick, nil); !isCode(err, hwinst.ErrInvalidArgument) {
		t.Errorf("nil context: %v", err)
	}
	if _, err := c.Wait(bg(), "roma-list", "doomed", quick, nil); !isCode(err, hwinst.ErrInvalidArgument) {
		t.Errorf("roma-list: %v", err)
	}
}

// closeWithin closes c and fails unless Close returns within d: Close waits for the C side
// of every wait, so it returning quickly shows that the C side stopped.
func closeWithin(t *testing.T, c *hwinst.Client, d time.Duration) {
	t.Helper()
	start := time.Now()
	done := make(chan struct{})
	go func() {
		c.Close()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(d):
		t.Fatalf("Close did not return within %v", d)
	}
	t.Logf("Close took %v", time.Since(start))
}

// Cancelling the context while the wait pauses between polls (for a minute): Wait returns
// at once, and so does the C side.
func TestWaitContextCancelWhilePausing(t *testing.T) {
	s := startSim(t)
	c := s.client(t)
	s.instance(t, map[string]any{"service": "apig", "id": "slowpoke", "step_ms": hour})
	ctx, cancel := context.WithCancel(bg())
	defer cancel()
	opts := hwinst.WaitOptions{InitialInterval: time.Minute, MaxInterval: time.Minute}
	var returned, lateCalls atomic.Bool
	var cancelledAt time.Time
	_, err := c.Wait(ctx, hwinst.SourceApig, "slowpoke", opts, func(l hwinst.Lifecycle) {
		if returned.Load() {
			lateCalls.Store(true)
		}
		if cancelledAt.IsZero() {
			cancelledAt = time.Now()
			cancel() // after the first observation, the wait pauses for a minute
		}
	})
	returned.Store(true)
	if !errors.Is(err, context.Canceled) || err != ctx.Err() {
		t.Fatalf("want ctx.Err(), got %v", err)
	}
	if d := time.Since(cancelledAt); d > prompt {
		t.Errorf("Wait returned %v after the cancel", d)
	}
	closeWithin(t, c, prompt)
	if lateCalls.Load() {
		t.Error("the callback ran after Wait returned")
	}
}

// Cancelling the context while a request is in flight (the simulator holds the answer for
// 6 s): Wait returns long before the request could have ended.
func TestWaitContextCancelDuringRequest(t *testing.T) {
	s := startSim(t)
	c := s.client(t)
	s.instance(t, map[string]any{"service": "roma", "id": "held", "step_ms": hour})
	const held = 6 * time.Second
	s.fault(t, map[string]any{"kind": "slow", "delay_ms": held.Milliseconds(), "instance_id": "held", "times": 1})
	ctx, cancel := context.WithCancel(bg())
	defer cancel()
	var calls atomic.Int32
	start := time.Now()
	time.AfterFunc(300*time.Millisecond, cancel)
	_, err := c.Wait(ctx, hwinst.SourceRoma, "held", quick, func(hwinst.Lifecycle) { calls.Add(1) })
	elapsed := time.Since(start)
	if err != context.Canceled {
		t.Fatalf("want context.Canceled, got %v", err)
	}
	if elapsed > held/2 {
		t.Errorf("Wait returned after %v, the request was held %v", elapsed, held)
	}
	// The cancel cut the held request on the C side too, so Close does not wait for it; the
	// callback is never called for it.
	closeWithin(t, c, prompt)
	if n := calls.Load(); n != 0 {
		t.Errorf("the callback ran %d times after Wait returned", n)
	}
}

// A context deadline: Wait returns the context's error, and the library's own deadline is
// shortened to it, so that its request in flight is cut short too.
func TestWaitContextDeadline(t *testing.T) {
	s := startSim(t)
	c := s.client(t)
	s.instance(t, map[string]any{"service": "clouddc", "id": "late", "step_ms": hour})
	ctx, cancel := context.WithTimeout(bg(), 400*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := c.Wait(ctx, hwinst.SourceClouddc, "late", quick, nil)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("want context.DeadlineExceeded, got %v", err)
	}
	if time.Since(start) > prompt {
		t.Errorf("took %v", time.Since(start))
	}

	// Held for 20 s: the library's request is bounded by the context's deadline, so Close
	// (which waits for it) returns long before.
	s.fault(t, map[string]any{"kind": "slow", "delay_ms": 20000, "instance_id": "late", "times": 1})
	ctx, cancel = context.WithTimeout(bg(), 400*time.Millisecond)
	defer cancel()
	_, err = c.Wait(ctx, hwinst.SourceClouddc, "late", quick, nil)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("want context.DeadlineExceeded, got %v", err)
	}
	closeWithin(t, c, 8*time.Second)

	// An expired context never starts a wait.
	c2 := s.client(t)
	if _, err := c2.Wait(ctx, hwinst.SourceClouddc, "late", quick, nil); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("expired: %v", err)
	}
}

// A panic in the callback comes out of Wait, on the caller's goroutine, and the client
// stays usable.
func TestWaitCallbackPanics(t *testing.T) {
	s := startSim(t)
	c := s.client(t)
	s.instance(t, map[string]any{"service": "apig", "id": "boom", "step_ms": hour})
	type marker struct{ n int }
	got := func() (v any) {
		defer func() { v = recover() }()
		c.Wait(bg(), hwinst.SourceApig, "boom", quick, func(hwinst.Lifecycle) { panic(marker{7}) })
		return nil
	}()
	if got != (marker{7}) {
		t.Fatalf("recovered %v", got)
	}
	if _, err := c.Lifecycle(hwinst.SourceApig, "boom"); err != nil {
		t.Fatal(err)
	}
	closeWithin(t, c, prompt)
}

// The callback may call the client, and even Close it: the wait then ends with ErrClosed.
func TestWaitCallbackUsesAndClosesTheClient(t *testing.T) {
	s := startSim(t)
	c := s.client(t)
	s.instance(t, map[string]any{"service": "roma", "id": "r", "step_ms": hour})
	var inner error
	done := make(chan error, 1)
	go func() {
		_, err := c.Wait(bg(), hwinst.SourceRomaDetails, "r", quick, func(l hwinst.Lifecycle) {
			_, inner = c.RomaInstance("r")
			c.Close()
		})
		done <- err
	}()
	select {
	case err := <-done:
		if !errors.Is(err, hwinst.ErrClosed) || !errors.Is(err, hwinst.ErrCancelled) {
			t.Errorf("want ErrClosed and ErrCancelled, got %v", err)
		}
		var e *hwinst.Error
		if !errors.As(err, &e) || e.Code != hwinst.CodeCancelled || e.Lifecycle == nil {
			t.Errorf("%+v", e)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Close from the callback deadlocked")
	}
	if inner != nil {
		t.Errorf("a call from the callback: %v", inner)
	}
}

// Close cancels waits in flight: they end at once with ErrClosed (and ErrCancelled).
func TestCloseCancelsWaits(t *testing.T) {
	s := startSim(t)
	c := s.client(t)
	s.instance(t, map[string]any{"service": "apig", "id": "forever", "step_ms": hour})
	const waiters = 8
	errs := make(chan error, waiters)
	started := make(chan struct{}, waiters)
	for i := 0; i < waiters; i++ {
		go func() {
			opts := hwinst.WaitOptions{InitialInterval: time.Minute, MaxInterval: time.Minute}
			_, err := c.Wait(bg(), hwinst.SourceApig, "forever", opts, func(hwinst.Lifecycle) { started <- struct{}{} })
			errs <- err
		}()
	}
	for i := 0; i < waiters; i++ {
		<-started
	}
	closeWithin(t, c, prompt)
	for i := 0; i < waiters; i++ {
		err := <-errs
		if !errors.Is(err, hwinst.ErrClosed) || !errors.Is(err, hwinst.ErrCancelled) {
			t.Errorf("want ErrClosed and ErrCancelled, got %v", err)
		}
	}
	if _, err := c.Wait(bg(), hwinst.SourceApig, "forever", quick, nil); err != hwinst.ErrClosed {
		t.Errorf("after Close: %v", err)
	}
}
