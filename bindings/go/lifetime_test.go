package hwinst_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	hwinst "github.com/hwinst/hwinst/bindings/go"
)

// 64 goroutines share one client, each calling every operation.
func TestSharedClientConcurrently(t *testing.T) {
	s := startSim(t)
	c := s.client(t)
	for _, spec := range []map[string]any{
		{"service": "roma", "id": "r", "outcome": "steady"},
		{"service": "apig", "id": "a", "outcome": "steady"},
		{"service": "clouddc", "id": "d", "outcome": "steady"},
	} {
		s.instance(t, spec)
	}
	calls := []func() error{
		func() error {
			p, err := c.RomaCreationProgress("r")
			if err == nil && p.InstanceID != "r" {
				err = fmt.Errorf("wrong instance %q", p.InstanceID)
			}
			return err
		},
		func() error {
			p, err := c.ApigCreationProgress("a")
			if err == nil && deref(p.Progress) != int64(100) {
				err = fmt.Errorf("progress %v", deref(p.Progress))
			}
			return err
		},
		func() error {
			in, err := c.RomaInstance("r")
			if err == nil && in.ID != "r" {
				err = fmt.Errorf("wrong instance %q", in.ID)
			}
			return err
		},
		func() error {
			st, err := c.ClouddcInstanceStatus("d")
			if err == nil && st.State != "running" {
				err = fmt.Errorf("state %q", st.State)
			}
			return err
		},
		func() error {
			page, err := c.RomaListInstances(hwinst.RomaListQuery{Limit: 5})
			if err == nil && len(page.Instances) != 1 {
				err = fmt.Errorf("%d instances", len(page.Instances))
			}
			return err
		},
		func() error {
			all, err := c.RomaListAllInstances(hwinst.RomaListQuery{})
			if err == nil && len(all) != 1 {
				err = fmt.Errorf("%d instances", len(all))
			}
			return err
		},
		func() error {
			l, err := c.Wait(bg(), hwinst.SourceClouddc, "d", quick, func(hwinst.Lifecycle) {})
			if err == nil && l.Phase != hwinst.PhaseRunning {
				err = fmt.Errorf("phase %q", l.Phase)
			}
			return err
		},
	}
	var wg sync.WaitGroup
	errs := make(chan error, 64*len(calls))
	for g := 0; g < 64; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := range calls {
				if err := calls[(g+i)%len(calls)](); err != nil {
					errs <- err
				}
			}
		}(g)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

// Close while 32 goroutines call: calls in progress finish, later ones get ErrClosed, and
// concurrent or repeated Closes are harmless.
func TestCloseWhileCalling(t *testing.T) {
	s := startSim(t)
	c := s.client(t)
	s.instance(t, map[string]any{"service": "apig", "id": "a", "outcome": "steady"})
	var ok atomic.Int64
	var wg sync.WaitGroup
	failures := make(chan error, 32)
	for g := 0; g < 32; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				_, err := c.Lifecycle(hwinst.SourceApig, "a")
				switch {
				case err == nil:
					ok.Add(1)
				case err == hwinst.ErrClosed:
					return
				default:
					failures <- err
					return
				}
			}
		}()
	}
	for ok.Load() < 200 {
		time.Sleep(5 * time.Millisecond)
	}
	var closers sync.WaitGroup
	for i := 0; i < 4; i++ {
		closers.Add(1)
		go func() {
			defer closers.Done()
			if err := c.Close(); err != nil {
				t.Errorf("Close: %v", err)
			}
		}()
	}
	closers.Wait()
	wg.Wait()
	close(failures)
	for err := range failures {
		t.Errorf("a call during Close: %v", err)
	}
	if err := c.Close(); err != nil {
		t.Errorf("Close again: %v", err)
	}
	for name, call := range map[string]func() error{
		"RomaCreationProgress":  func() error { _, err := c.RomaCreationProgress("a"); return err },
		"ApigCreationProgress":  func() error { _, err := c.ApigCreationProgress("a"); return err },
		"RomaInstance":          func() error { _, err := c.RomaInstance("a"); return err },
		"RomaListInstances":     func() error { _, err := c.RomaListInstances(hwinst.RomaListQuery{}); return err },
		"RomaListAllInstances":  func() error { _, err := c.RomaListAllInstances(hwinst.RomaListQuery{}); return err },
		"ClouddcInstanceStatus": func() error { _, err := c.ClouddcInstanceStatus("a"); return err },
		"Lifecycle":             func() error { _, err := c.Lifecycle(hwinst.SourceApig, "a"); return err },
		"Wait":                  func() error { _, err := c.Wait(bg(), hwinst.SourceApig, "a", quick, nil); return err },
	} {
		if err := call(); !errors.Is(err, hwinst.ErrClosed) {
			t.Errorf("%s after Close: %v", name, err)
		}
	}
	t.Logf("%d calls succeeded", ok.Load())
}

// rss is the process's resident set size in bytes.
func rss(t *testing.T) int64 {
	t.Helper()
	data, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		t.Fatal(err)
	}
	fields := strings.Fields(string(data))
	pages, err := strconv.ParseInt(fields[1], 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	return pages * int64(os.Getpagesize())
}

// Thousands of clients made and dropped, half closed and half left to the finalizer, each
// making a request: the resident memory stays flat after a warm-up. A leak of the clients
// (each holds its connection pool and TLS configuration) would show as hundreds of MiB.
func TestManyClientsDoNotLeak(t *testing.T) {
	s := startSim(t)
	s.instance(t, map[string]any{"service": "apig", "id": "a", "outcome": "steady"})
	cfg := s.config(t)
	churn := func(n int) {
		for i := 0; i < n; i++ {
			c, err := hwinst.NewClient(cfg)
			if err != nil {
				t.Fatal(err)
			}
			if i%2 == 0 {
				if _, err := c.ApigCreationProgress("a"); err != nil {
					t.Fatal(err)
				}
			}
			if i%3 != 0 {
				c.Close()
			} // else dropped: the finalizer frees it
			if i%250 == 249 {
				runtime.GC()
			}
		}
		// Finalizers run after one collection; the memory they free is reused after another.
		for i := 0; i < 3; i++ {
			runtime.GC()
			time.Sleep(20 * time.Millisecond)
		}
		debug.FreeOSMemory()
	}
	churn(1500) // warm-up: the allocators' pools, the simulator's connections
	before := rss(t)
	churn(4000)
	after := rss(t)
	t.Logf("RSS %d MiB before, %d MiB after 4000 more clients", before>>20, after>>20)
	if growth := after - before; growth > 48<<20 {
		t.Errorf("RSS grew by %d MiB over 4000 clients", growth>>20)
	}
}

// Secrets never show in fmt output of a Config or its Credentials, whatever the verb, nor
// in its JSON encoding.
func TestNoSecretsInFormatting(t *testing.T) {
	secrets := []string{"tok-SECRET-1", "sk-SECRET-2", "st-SECRET-3", "pw-SECRET-4", "proxy-SECRET-5", "ep-SECRET-6", "md-SECRET-7"}
	base := hwinst.Config{
		Region:    "cn-north-4",
		ProjectID: "0a1b2c3d4e5f",
		Proxy:     "http://proxyuser:proxy-SECRET-5@127.0.0.1:3128",
		Endpoints: hwinst.Endpoints{Roma: "https://user:ep-SECRET-6@roma.example.com",
			Metadata: "http://user:md-SECRET-7@127.0.0.1:8080"},
	}
	creds := map[string]hwinst.Credentials{
		"token credentials":                         hwinst.TokenCredentials("tok-SECRET-1"),
		"AK/SK credentials (temporary)":             hwinst.AKSKCredentials("AKID", "sk-SECRET-2", "st-SECRET-3"),
		"IAM password credentials":                  hwinst.IAMPasswordCredentials("user", "pw-SECRET-4", "domain"),
		"the default credential chain":              {},
		"credentials from the ECS metadata service": hwinst.MetadataCredentials(),
	}
	for kind, cr := range creds {
		cfg := base
		cfg.Credentials = cr
		var shown []string
		for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d", "%10.3v"} {
			shown = append(shown, fmt.Sprintf(verb, cfg), fmt.Sprintf(verb, &cfg), fmt.Sprintf(verb, cr),
				fmt.Sprintf(verb, []hwinst.Config{cfg}), fmt.Sprintf(verb, map[string]any{"c": cfg}))
		}
		shown = append(shown, fmt.Sprint(cfg), fmt.Sprintln(cr), cr.String(), cr.GoString())
		data, err := json.Marshal(cfg)
		if err != nil {
			t.Fatal(err)
		}
		shown = append(shown, string(data))
		for _, text := range shown {
			for _, secret := range secrets {
				if strings.Contains(text, secret) {
					t.Errorf("%s: %q shows %s", kind, text, secret)
				}
			}
		}
		if plus := fmt.Sprintf("%+v", cfg); !strings.Contains(plus, kind) || !strings.Contains(plus, "Region:cn-north-4") ||
			!strings.Contains(plus, "proxyuser:xxxxx@127.0.0.1") {
			t.Errorf("%%+v says too little: %s", plus)
		}
		if sharp := fmt.Sprintf("%#v", cfg); !strings.HasPrefix(sharp, "hwinst.Config{") {
			t.Errorf("%%#v: %s", sharp)
		}
	}
	if s := fmt.Sprint(hwinst.Credentials{}); s != "{the default credential chain}" {
		t.Errorf("zero credentials: %s", s)
	}
	for want, cr := range map[string]hwinst.Credentials{
		"credentials from the environment":               hwinst.EnvironmentCredentials(),
		"credentials from the profile file":              hwinst.ProfileFileCredentials("/etc/hw/creds"),
		"credentials from a KooCLI profile":              hwinst.KoocliProfileCredentials("dev"),
		"credentials from the CCE pod-identity endpoint": hwinst.PodIdentityCredentials(),
		"credentials from the ECS metadata service":      hwinst.MetadataCredentials(),
	} {
		if s := cr.String(); s != want {
			t.Errorf("String() = %q, want %q", s, want)
		}
		if s := fmt.Sprintf("%#v", cr); s != "hwinst.Credentials("+want+")" {
			t.Errorf("%%#v: %s", s)
		}
	}
}
