package hwinst_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	hwinst "github.com/hwinst/hwinst/bindings/go"
)

// The simulator: `hwinst sim serve` (docs/simulator.md), one per test that needs one, so
// that faults and instances of one test never reach another. It prints its base URL as the
// first line of stdout and serves until its stdin closes.

const simToken = "sim-token"

// simBinary is the hwinst binary the tests run the simulator with: $HWINST_BIN when set,
// else the newer of target/debug/hwinst and target/release/hwinst in the repository above
// this module, so that `cargo build --features cli` then `go test ./...` needs nothing set.
func simBinary() (string, error) {
	if bin := os.Getenv("HWINST_BIN"); bin != "" {
		return bin, nil
	}
	const build = "cargo build --features cli"
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "Cargo.toml")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("no hwinst repository above this module: set HWINST_BIN " +
				"to the hwinst binary of `" + build + "`")
		}
		dir = parent
	}
	newest, newestTime := "", time.Time{}
	for _, profile := range []string{"debug", "release"} {
		candidate := filepath.Join(dir, "target", profile, "hwinst")
		if info, err := os.Stat(candidate); err == nil && info.Mode().IsRegular() &&
			info.ModTime().After(newestTime) {
			newest, newestTime = candidate, info.ModTime()
		}
	}
	if newest == "" {
		return "", fmt.Errorf("no hwinst binary in %s/target/{debug,release}: run `%s` "+
			"in %s (or set HWINST_BIN)", dir, build, dir)
	}
	return newest, nil
}

type simulator struct {
	url    string
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	stderr *syncBuffer
	exited chan struct{}
}

// startSim starts a simulator for t and stops it when t ends, with the binary simBinary
// finds: a test that needs it fails without it, it is never skipped.
func startSim(t testing.TB) *simulator {
	t.Helper()
	bin, err := simBinary()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "sim", "serve", "--addr", "127.0.0.1:0")
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatalf("simulator stdin: %v", err)
	}
	stdout := &firstLine{ready: make(chan struct{})}
	s := &simulator{cmd: cmd, stdin: stdin, stderr: &syncBuffer{}, exited: make(chan struct{})}
	cmd.Stdout = stdout
	cmd.Stderr = s.stderr
	if err := cmd.Start(); err != nil {
		t.Fatalf("cannot start the simulator %q: %v", bin, err)
	}
	go func() {
		_ = cmd.Wait()
		close(s.exited)
	}()
	t.Cleanup(func() { s.stop(t) })
	select {
	case <-stdout.ready:
		s.url = strings.TrimSpace(stdout.line())
	case <-s.exited:
		t.Fatalf("the simulator exited before printing its URL: %s", s.stderr)
	case <-time.After(20 * time.Second):
		t.Fatalf("the simulator printed no URL within 20 s: %s", s.stderr)
	}
	if !strings.HasPrefix(s.url, "http://127.0.0.1:") {
		t.Fatalf("the simulator's first line is not its URL: %q", s.url)
	}
	return s
}

// stop closes the simulator's stdin and waits for it to exit (killing it only if it does
// not within 20 s, which fails the test).
func (s *simulator) stop(t testing.TB) {
	_ = s.stdin.Close()
	select {
	case <-s.exited:
	case <-time.After(20 * time.Second):
		_ = s.cmd.Process.Kill()
		<-s.exited
		t.Errorf("the simulator did not exit when its stdin closed: %s", s.stderr)
	}
}

// admin sends one admin API request and decodes the JSON answer into out (if not nil).
func (s *simulator) admin(t testing.TB, method, path string, body any, want int, out any) {
	t.Helper()
	var reader io.Reader
	if body != nil {
		data, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		reader = bytes.NewReader(data)
	}
	req, err := http.NewRequest(method, s.url+path, reader)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != want {
		t.Fatalf("%s %s: %d (want %d): %s", method, path, resp.StatusCode, want, data)
	}
	if out != nil {
		if err := json.Unmarshal(data, out); err != nil {
			t.Fatalf("%s %s: %v: %s", method, path, err, data)
		}
	}
}

// instance adds an instance; spec is the admin API's instance object.
func (s *simulator) instance(t testing.TB, spec map[string]any) {
	t.Helper()
	s.admin(t, "POST", "/_sim/instances", spec, 201, nil)
}

// fault adds a fault; spec is the admin API's fault object.
func (s *simulator) fault(t testing.TB, spec map[string]any) {
	t.Helper()
	s.admin(t, "POST", "/_sim/faults", spec, 201, nil)
}

// token makes the simulator accept another token.
func (s *simulator) token(t testing.TB, token string) {
	t.Helper()
	s.admin(t, "POST", "/_sim/tokens", map[string]any{"token": token}, 204, nil)
}

// advance lets simulated time pass for every instance.
func (s *simulator) advance(t testing.TB, d time.Duration) {
	t.Helper()
	s.admin(t, "POST", "/_sim/advance", map[string]any{"ms": d.Milliseconds()}, 204, nil)
}

// requests is the number of service requests the simulator has seen.
func (s *simulator) requests(t testing.TB) int {
	t.Helper()
	var log struct {
		Requests []json.RawMessage `json:"requests"`
	}
	s.admin(t, "GET", "/_sim/requests", nil, 200, &log)
	return len(log.Requests)
}

// simConfig is GET /_sim/config.
type simConfig struct {
	Region      string `json:"region"`
	ProjectID   string `json:"project_id"`
	Proxy       string `json:"proxy"`
	Credentials struct {
		Token string `json:"token"`
	} `json:"credentials"`
	Endpoints struct {
		Roma    string `json:"roma"`
		Apig    string `json:"apig"`
		Clouddc string `json:"clouddc"`
		IAM     string `json:"iam"`
	} `json:"endpoints"`
}

// config is the simulator's client configuration as a Config, without retries (most
// tests check what one answer gives).
func (s *simulator) config(t testing.TB) hwinst.Config {
	t.Helper()
	var doc simConfig
	s.admin(t, "GET", "/_sim/config", nil, 200, &doc)
	return hwinst.Config{
		Region:      doc.Region,
		ProjectID:   doc.ProjectID,
		Credentials: hwinst.TokenCredentials(doc.Credentials.Token),
		Endpoints: hwinst.Endpoints{
			Roma: doc.Endpoints.Roma, Apig: doc.Endpoints.Apig,
			Clouddc: doc.Endpoints.Clouddc, IAM: doc.Endpoints.IAM,
		},
		Proxy:          doc.Proxy,
		RequestTimeout: 20 * time.Second,
		Retry:          hwinst.RetryPolicy{MaxAttempts: 1},
	}
}

// client is a client of the simulator, changed by the optional edit, closed when t ends.
func (s *simulator) client(t testing.TB, edit ...func(*hwinst.Config)) *hwinst.Client {
	t.Helper()
	cfg := s.config(t)
	for _, e := range edit {
		e(&cfg)
	}
	c, err := hwinst.NewClient(cfg)
	if err != nil {
		t.Fatalf("NewClient: %v", err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// firstLine is a stdout that keeps the first line and discards the rest.
type firstLine struct {
	mu    sync.Mutex
	buf   []byte
	done  bool
	ready chan struct{}
}

func (f *firstLine) Write(p []byte) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if !f.done {
		f.buf = append(f.buf, p...)
		if i := bytes.IndexByte(f.buf, '\n'); i >= 0 {
			f.buf = f.buf[:i]
			f.done = true
			close(f.ready)
		}
	}
	return len(p), nil
}

func (f *firstLine) line() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return string(f.buf)
}

// syncBuffer is a bytes.Buffer safe for the writer goroutine and the test.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return fmt.Sprintf("stderr: %q", b.buf.String())
}

// uniqueID is an instance ID no other part of a test uses.
func uniqueID(t testing.TB, prefix string) string {
	t.Helper()
	idMu.Lock()
	defer idMu.Unlock()
	idCount++
	return fmt.Sprintf("%s-%d", prefix, idCount)
}

var (
	idMu    sync.Mutex
	idCount int
)
