package hwinst_test

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	hwinst "github.com/hwinst/hwinst/bindings/go"
)

var sentinels = map[hwinst.Code]error{
	hwinst.CodeInvalidArgument: hwinst.ErrInvalidArgument,
	hwinst.CodeConfig:          hwinst.ErrConfig,
	hwinst.CodeTransport:       hwinst.ErrTransport,
	hwinst.CodeTimeout:         hwinst.ErrTimeout,
	hwinst.CodeUnauthorized:    hwinst.ErrUnauthorized,
	hwinst.CodeForbidden:       hwinst.ErrForbidden,
	hwinst.CodeNotFound:        hwinst.ErrNotFound,
	hwinst.CodeThrottled:       hwinst.ErrThrottled,
	hwinst.CodeServer:          hwinst.ErrServer,
	hwinst.CodeAPI:             hwinst.ErrAPI,
	hwinst.CodeDecode:          hwinst.ErrDecode,
	hwinst.CodeCancelled:       hwinst.ErrCancelled,
	hwinst.CodeInstanceFailed:  hwinst.ErrInstanceFailed,
	hwinst.CodePanic:           hwinst.ErrPanic,
}

// isCode tells whether err is an *Error matching sentinel, and no other sentinel.
func isCode(err error, sentinel error) bool {
	var e *hwinst.Error
	if !errors.As(err, &e) || !errors.Is(err, sentinel) {
		return false
	}
	for code, other := range sentinels {
		if errors.Is(err, other) != (other == sentinel) || (other == sentinel) != (code == e.Code) {
			return false
		}
	}
	return true
}

// asError checks that err matches sentinel (and only it) and returns its *Error.
func asError(t *testing.T, err error, sentinel error) *hwinst.Error {
	t.Helper()
	if !isCode(err, sentinel) {
		t.Fatalf("want %v, got %T %v", sentinel, err, err)
	}
	var e *hwinst.Error
	errors.As(err, &e)
	if e.Message == "" || e.Error() != "hwinst: "+e.Message {
		t.Errorf("message %q, Error() %q", e.Message, e.Error())
	}
	return e
}

var requestID = regexp.MustCompile(`^[0-9a-f]{32}$`)

// Every code the simulator can produce, through each operation it applies to, with the
// *Error's fields.
func TestServiceErrors(t *testing.T) {
	s := startSim(t)
	c := s.client(t)
	s.instance(t, map[string]any{"service": "apig", "id": "gw", "step_ms": hour})
	apig := func() error { _, err := c.ApigCreationProgress("gw"); return err }

	for _, tc := range []struct {
		name      string
		fault     map[string]any
		sentinel  error
		status    int
		code      string
		retryable bool
	}{
		{"429", map[string]any{"kind": "status", "status": 429}, hwinst.ErrThrottled, 429, "SIM.0429", true},
		{"500", map[string]any{"kind": "status", "status": 500}, hwinst.ErrServer, 500, "APIC.9000", true},
		{"503", map[string]any{"kind": "status", "status": 503}, hwinst.ErrServer, 503, "SIM.0503", true},
		{"400", map[string]any{"kind": "status", "status": 400}, hwinst.ErrAPI, 400, "SIM.0400", false},
		{"401", map[string]any{"kind": "status", "status": 401}, hwinst.ErrUnauthorized, 401, "APIC.7102", false},
		{"403", map[string]any{"kind": "status", "status": 403}, hwinst.ErrForbidden, 403, "APIC.7106", false},
		{"404", map[string]any{"kind": "status", "status": 404}, hwinst.ErrNotFound, 404, "APIC.7302", false},
		{"malformed", map[string]any{"kind": "malformed"}, hwinst.ErrDecode, 0, "", false},
		{"truncated", map[string]any{"kind": "truncated"}, hwinst.ErrTransport, 0, "", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.fault["instance_id"] = "gw"
			tc.fault["times"] = 1
			s.fault(t, tc.fault)
			e := asError(t, apig(), tc.sentinel)
			if e.HTTPStatus != tc.status || e.ServiceCode != tc.code || e.Retryable != tc.retryable || e.Lifecycle != nil {
				t.Errorf("%+v", e)
			}
			if tc.status != 0 {
				if !requestID.MatchString(e.RequestID) || e.ServiceMessage == "" || !strings.Contains(e.Message, e.RequestID) {
					t.Errorf("request ID %q, service message %q, message %q", e.RequestID, e.ServiceMessage, e.Message)
				}
			}
			if err := apig(); err != nil {
				t.Errorf("the fault was spent, yet: %v", err)
			}
		})
	}
}

func TestNotFoundFromEveryOperation(t *testing.T) {
	s := startSim(t)
	c := s.client(t)
	for name, call := range map[string]func() error{
		"RomaCreationProgress":  func() error { _, err := c.RomaCreationProgress("nope"); return err },
		"ApigCreationProgress":  func() error { _, err := c.ApigCreationProgress("nope"); return err },
		"RomaInstance":          func() error { _, err := c.RomaInstance("nope"); return err },
		"ClouddcInstanceStatus": func() error { _, err := c.ClouddcInstanceStatus("nope"); return err },
		"Lifecycle":             func() error { _, err := c.Lifecycle(hwinst.SourceClouddc, "nope"); return err },
	} {
		e := asError(t, call(), hwinst.ErrNotFound)
		if e.HTTPStatus != 404 || e.ServiceCode == "" || !requestID.MatchString(e.RequestID) {
			t.Errorf("%s: %+v", name, e)
		}
	}
	// The list: its own error body (ROMA.* codes with the request ID in the body).
	s.fault(t, map[string]any{"kind": "status", "status": 500, "operation": "roma_list"})
	for name, call := range map[string]func() error{
		"RomaListInstances":    func() error { _, err := c.RomaListInstances(hwinst.RomaListQuery{}); return err },
		"RomaListAllInstances": func() error { _, err := c.RomaListAllInstances(hwinst.RomaListQuery{}); return err },
	} {
		e := asError(t, call(), hwinst.ErrServer)
		if e.HTTPStatus != 500 || e.ServiceCode != "ROMA.00011000" || !requestID.MatchString(e.RequestID) {
			t.Errorf("%s: %+v", name, e)
		}
	}
}

func TestCredentialsAndProjectRefused(t *testing.T) {
	s := startSim(t)
	s.instance(t, map[string]any{"service": "roma", "id": "r", "step_ms": hour})
	const wrong = "wrong-token-3f9a2b7c"
	c := s.client(t, func(cfg *hwinst.Config) { cfg.Credentials = hwinst.TokenCredentials(wrong) })
	_, err := c.RomaInstance("r")
	e := asError(t, err, hwinst.ErrUnauthorized)
	if e.HTTPStatus != 401 || e.ServiceCode != "APIC.7102" || strings.Contains(fmt.Sprintf("%v %+v", err, e), wrong) {
		t.Errorf("%+v", e)
	}

	// Once the simulator accepts the token, the same client works.
	s.token(t, wrong)
	if _, err := c.RomaInstance("r"); err != nil {
		t.Errorf("with the token accepted: %v", err)
	}

	other := s.client(t, func(cfg *hwinst.Config) { cfg.ProjectID = "ffffffffffff" })
	_, err = other.RomaInstance("r")
	if e := asError(t, err, hwinst.ErrForbidden); e.HTTPStatus != 403 || e.ServiceCode != "APIC.7106" {
		t.Errorf("%+v", e)
	}

	// AK/SK and IAM passwords: the simulator's defaults work, wrong ones are 401s that do
	// not quote the secret.
	for name, creds := range map[string]hwinst.Credentials{
		"aksk": hwinst.AKSKCredentials("sim-ak", "sim-sk", ""),
		"iam":  hwinst.IAMPasswordCredentials("sim-user", "sim-password", "sim-domain"),
	} {
		ok := s.client(t, func(cfg *hwinst.Config) { cfg.Credentials = creds })
		if _, err := ok.RomaInstance("r"); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	for name, creds := range map[string]hwinst.Credentials{
		"aksk": hwinst.AKSKCredentials("sim-ak", "sk-secret-81d0", ""),
		"iam":  hwinst.IAMPasswordCredentials("sim-user", "password-secret-81d0", "sim-domain"),
	} {
		bad := s.client(t, func(cfg *hwinst.Config) { cfg.Credentials = creds })
		_, err := bad.RomaInstance("r")
		e := asError(t, err, hwinst.ErrUnauthorized)
		if strings.Contains(fmt.Sprintf("%v %+v %#v", err, e, e), "secret-81d0") {
			t.Errorf("%s: the error quotes the secret: %+v", name, e)
		}
	}
}

func TestTransportAndTimeout(t *testing.T) {
	s := startSim(t)
	s.instance(t, map[string]any{"service": "clouddc", "id": "dc", "step_ms": hour})
	// A slow answer against a short request timeout.
	s.fault(t, map[string]any{"kind": "slow", "delay_ms": 5000, "instance_id": "dc", "times": 1})
	c := s.client(t, func(cfg *hwinst.Config) { cfg.RequestTimeout = 300 * time.Millisecond })
	start := time.Now()
	_, err := c.ClouddcInstanceStatus("dc")
	if e := asError(t, err, hwinst.ErrTimeout); !e.Retryable || time.Since(start) > 4*time.Second {
		t.Errorf("%+v after %v", e, time.Since(start))
	}

	// Nobody listens on the simulator's port once it is stopped.
	dead := s.config(t)
	s.stop(t)
	dead.ConnectTimeout = 2 * time.Second
	c2, err := hwinst.NewClient(dead)
	if err != nil {
		t.Fatal(err)
	}
	defer c2.Close()
	_, err = c2.ClouddcInstanceStatus("dc")
	if e := asError(t, err, hwinst.ErrTransport); !e.Retryable || e.HTTPStatus != 0 {
		t.Errorf("%+v", e)
	}
}

func TestInvalidArguments(t *testing.T) {
	s := startSim(t)
	c := s.client(t)
	for _, id := range []string{"", "a/b", "..", "a b", "x?y", strings.Repeat("x", 129), "nul\x00id", "\x00"} {
		for name, call := range map[string]func() error{
			"RomaCreationProgress":  func() error { _, err := c.RomaCreationProgress(id); return err },
			"ApigCreationProgress":  func() error { _, err := c.ApigCreationProgress(id); return err },
			"RomaInstance":          func() error { _, err := c.RomaInstance(id); return err },
			"ClouddcInstanceStatus": func() error { _, err := c.ClouddcInstanceStatus(id); return err },
			"Lifecycle":             func() error { _, err := c.Lifecycle(hwinst.SourceApig, id); return err },
			"Wait": func() error {
				_, err := c.Wait(bg(), hwinst.SourceApig, id, hwinst.WaitOptions{}, nil)
				return err
			},
		} {
			e := asError(t, call(), hwinst.ErrInvalidArgument)
			if strings.Contains(id, "\x00") && !strings.Contains(e.Message, "NUL") {
				t.Errorf("%s(%q): %v", name, id, e)
			}
		}
	}
	for _, q := range []hwinst.RomaListQuery{{Status: "RUN\x00NING"}, {Status: " "}, {Offset: -1}} {
		if _, err := c.RomaListInstances(q); !isCode(err, hwinst.ErrInvalidArgument) {
			t.Errorf("%+v: %v", q, err)
		}
		if _, err := c.RomaListAllInstances(q); !isCode(err, hwinst.ErrInvalidArgument) {
			t.Errorf("all %+v: %v", q, err)
		}
	}
	// Nothing was sent for any of them.
	if n := s.requests(t); n != 0 {
		t.Errorf("%d requests were sent for invalid arguments", n)
	}
}

func TestConfigErrors(t *testing.T) {
	// Without credentials, the default chain looks at the host: give it an empty one (a
	// temporary HOME, no variables, the metadata service off).
	isolateChain(t)
	s := startSim(t)
	good := s.config(t)
	for name, edit := range map[string]func(*hwinst.Config){
		"no credentials":    func(c *hwinst.Config) { c.Credentials = hwinst.Credentials{} },
		"empty token":       func(c *hwinst.Config) { c.Credentials = hwinst.TokenCredentials("") },
		"AK without SK":     func(c *hwinst.Config) { c.Credentials = hwinst.AKSKCredentials("AK-secret-77", "", "") },
		"no region":         func(c *hwinst.Config) { c.Region, c.Endpoints = "", hwinst.Endpoints{} },
		"no project":        func(c *hwinst.Config) { c.ProjectID = "" },
		"bad endpoint":      func(c *hwinst.Config) { c.Endpoints.Apig = "ftp://example.com" },
		"bad proxy":         func(c *hwinst.Config) { c.Proxy = "ftp://user:pw-secret-77@proxy" },
		"missing CA file":   func(c *hwinst.Config) { c.CAFile = "/no/such/ca.pem" },
		"no attempts":       func(c *hwinst.Config) { c.Retry = hwinst.RetryPolicy{MaxAttempts: -1} },
		"negative timeout":  func(c *hwinst.Config) { c.RequestTimeout = -time.Second },
		"negative delay":    func(c *hwinst.Config) { c.Retry.MaxDelay = -time.Second },
		"negative max size": func(c *hwinst.Config) { c.MaxResponseBytes = -1 },
	} {
		cfg := good
		edit(&cfg)
		c, err := hwinst.NewClient(cfg)
		if c != nil {
			t.Errorf("%s: a client", name)
		}
		e := asError(t, err, hwinst.ErrConfig)
		if strings.Contains(e.Message, "secret-77") {
			t.Errorf("%s: the error quotes a secret: %v", name, e)
		}
		if name == "no credentials" {
			// The chain found nothing and says where it looked.
			for _, want := range []string{"HUAWEICLOUD_SDK_AK", "~/.huaweicloud/credentials: no such file",
				"~/.hcloud/config.json", "HC_CONTAINER_CREDENTIALS_FULL_URI", "HWINST_METADATA_ENDPOINT=none"} {
				if !strings.Contains(e.Message, want) {
					t.Errorf("%s: the error does not say %q: %v", name, want, e)
				}
			}
		}
	}
	for name, edit := range map[string]func(*hwinst.Config){
		"NUL in region":   func(c *hwinst.Config) { c.Region = "cn-north-4\x00" },
		"NUL in token":    func(c *hwinst.Config) { c.Credentials = hwinst.TokenCredentials("tok\x00secret-77") },
		"NUL in password": func(c *hwinst.Config) { c.Credentials = hwinst.IAMPasswordCredentials("u", "p\x00secret-77", "d") },
		"NUL in endpoint": func(c *hwinst.Config) { c.Endpoints.IAM = "http://127.0.0.1:1\x00" },
	} {
		cfg := good
		edit(&cfg)
		_, err := hwinst.NewClient(cfg)
		if e := asError(t, err, hwinst.ErrInvalidArgument); strings.Contains(e.Message, "secret-77") || !strings.Contains(e.Message, "NUL") {
			t.Errorf("%s: %v", name, e)
		}
	}

	// The JSON document: unknown keys named, not-JSON an invalid argument, never a secret.
	_, err := hwinst.NewClientFromJSON([]byte(`{"regoin":"cn-north-4","credentials":{"token":"tok-secret-77"}}`))
	if e := asError(t, err, hwinst.ErrConfig); !strings.Contains(e.Message, "regoin") || strings.Contains(e.Message, "secret-77") {
		t.Errorf("%v", e)
	}
	_, err = hwinst.NewClientFromJSON([]byte(`{"credentials":{"token":"tok-secret-77"`))
	if e := asError(t, err, hwinst.ErrInvalidArgument); strings.Contains(e.Message, "secret-77") {
		t.Errorf("%v", e)
	}
	_, err = hwinst.NewClientFromJSON([]byte("{\"region\":\"x\"}\x00"))
	asError(t, err, hwinst.ErrInvalidArgument)
	c, err := hwinst.NewClientFromJSON([]byte(`{"region":"cn-north-4","project_id":"p","credentials":{"token":"t0k3n-123"}}`))
	if err != nil {
		t.Fatal(err)
	}
	c.Close()
}

func TestNewClientFromEnv(t *testing.T) {
	s := startSim(t)
	s.instance(t, map[string]any{"service": "apig", "id": "env-gw", "step_ms": hour})
	for _, name := range []string{"HUAWEICLOUD_SDK_AK", "HUAWEICLOUD_SDK_SK", "HUAWEICLOUD_SDK_SECURITY_TOKEN",
		"HUAWEICLOUD_SDK_IAM_ENDPOINT"} {
		t.Setenv(name, "")
	}
	t.Setenv("HWINST_TOKEN", simToken)
	t.Setenv("HUAWEICLOUD_SDK_PROJECT_ID", "0a1b2c3d4e5f")
	t.Setenv("HUAWEICLOUD_SDK_REGION", "cn-north-4")
	t.Setenv("HUAWEICLOUD_SDK_REGION_APIG_CN_NORTH_4", s.url)
	c, err := hwinst.NewClientFromEnv()
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if p, err := c.ApigCreationProgress("env-gw"); err != nil || deref(p.Progress) != int64(30) {
		t.Fatalf("%+v %v", p, err)
	}

	t.Setenv("HUAWEICLOUD_SDK_AK", "AK-secret-55")
	_, err = hwinst.NewClientFromEnv()
	if e := asError(t, err, hwinst.ErrConfig); strings.Contains(e.Message, "secret-55") {
		t.Errorf("%v", e)
	}
}

func TestErrorsCompose(t *testing.T) {
	e := &hwinst.Error{Code: hwinst.CodeThrottled, Message: "slow down"}
	wrapped := fmt.Errorf("listing: %w", e)
	if !errors.Is(wrapped, hwinst.ErrThrottled) || errors.Is(wrapped, hwinst.ErrServer) || errors.Is(wrapped, hwinst.ErrClosed) {
		t.Error("errors.Is through wrapping")
	}
	var got *hwinst.Error
	if !errors.As(wrapped, &got) || got != e {
		t.Error("errors.As through wrapping")
	}
	if hwinst.ErrThrottled.Error() != "hwinst: throttled" || e.Error() != "hwinst: slow down" {
		t.Errorf("%q %q", hwinst.ErrThrottled, e)
	}
	// A code from a newer library matches no sentinel but still reads.
	future := &hwinst.Error{Code: 42, Message: "new"}
	for _, s := range sentinels {
		if errors.Is(future, s) {
			t.Errorf("Code 42 matches %v", s)
		}
	}
}
