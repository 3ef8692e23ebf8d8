package hwinst_test

import (
	"encoding/json"
	"os"
	"os/exec"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	hwinst "github.com/hwinst/hwinst/bindings/go"
)

const hour = 3600000 // step_ms: an instance that stays at its first step

func TestVersion(t *testing.T) {
	v := hwinst.Version()
	if !regexp.MustCompile(`^\d+\.\d+\.\d+`).MatchString(v) {
		t.Fatalf("Version() = %q", v)
	}
	// The binary the tests run the simulator from is the same crate version.
	out, err := exec.Command(hwinstBin(t), "--version").Output()
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.TrimSpace(string(out)); got != "hwinst "+v {
		t.Fatalf("hwinst --version says %q, the library %q", got, v)
	}
}

func hwinstBin(t *testing.T) string {
	t.Helper()
	bin, err := simBinary()
	if err != nil {
		t.Fatal(err)
	}
	return bin
}

// The Go codes are the C enum's: every HWINST_* value of the header has the Code of that
// number with that name.
func TestCodesMatchTheHeader(t *testing.T) {
	header, err := os.ReadFile("../../include/hwinst.h")
	if err != nil {
		t.Fatal(err)
	}
	found := regexp.MustCompile(`HWINST_([A-Z_]+) = (\d+),`).FindAllStringSubmatch(string(header), -1)
	if len(found) < 15 {
		t.Fatalf("only %d codes found in the header", len(found))
	}
	for _, m := range found {
		n, err := strconv.Atoi(m[2])
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			continue // HWINST_OK
		}
		if got := hwinst.Code(n).String(); got != m[1] {
			t.Errorf("Code(%d) = %s, the header says %s", n, got, m[1])
		}
	}
	if got := hwinst.Code(99).String(); got != "Code(99)" {
		t.Errorf("an unknown code prints %q", got)
	}
}

func i64(t *testing.T, name string, p *int64, want int64) {
	t.Helper()
	if p == nil || *p != want {
		t.Errorf("%s = %v, want %d", name, deref(p), want)
	}
}

func deref[T any](p *T) any {
	if p == nil {
		return "nil"
	}
	return *p
}

func TestRomaCreationProgress(t *testing.T) {
	s := startSim(t)
	c := s.client(t)
	for _, quirks := range []bool{false, true} {
		id := uniqueID(t, "roma")
		s.instance(t, map[string]any{"service": "roma", "id": id, "step_ms": hour, "quirks": quirks})
		p, err := c.RomaCreationProgress(id)
		if err != nil {
			t.Fatal(err)
		}
		if p.InstanceID != id || p.Name != "roma-"+id || !strings.EqualFold(p.Status, "CREATING") {
			t.Errorf("quirks %v: %q %q %q", quirks, p.InstanceID, p.Name, p.Status)
		}
		i64(t, "progress", p.Progress, 10)
		i64(t, "end_time", p.EndTime, 0)
		if p.CurrentTime == nil || p.StartTime == nil || *p.CurrentTime < *p.StartTime {
			t.Errorf("times %v %v", deref(p.CurrentTime), deref(p.StartTime))
		}
		if len(p.Item) != 2 || p.Item[0].Name != "mqs" || p.Item[1].Name != "lvs" {
			t.Fatalf("items %+v", p.Item)
		}
		i64(t, "item progress", p.Item[0].Progress, 10)
		in := p.Instance
		if in == nil {
			t.Fatal("no instance")
		}
		if in.InstanceID != id || in.Status != "CREATING" || in.CPUArch != "x86_64" || in.ConAmount != "25" {
			t.Errorf("instance %q %q %q %q", in.InstanceID, in.Status, in.CPUArch, in.ConAmount)
		}
		// Quirky servers send the AZs as JSON text in a string: the library decodes them.
		if !reflect.DeepEqual(in.AvailableZones, []string{"cn-north-4a", "cn-north-4b"}) {
			t.Errorf("availableZones %q", in.AvailableZones)
		}
		i64(t, "chargingMode", in.ChargingMode, 1)
		if in.NoPasswordAccess == nil || *in.NoPasswordAccess || in.DemondPay == nil || !*in.DemondPay {
			t.Errorf("booleans %v %v", deref(in.NoPasswordAccess), deref(in.DemondPay))
		}
		everyFieldTyped(t, p, p.Raw)
		everyFieldTyped(t, in, in.Raw)
		everyFieldTyped(t, &p.Item[0], p.Item[0].Raw)
	}
}

func TestApigCreationProgress(t *testing.T) {
	s := startSim(t)
	c := s.client(t)
	for _, quirks := range []bool{false, true} {
		id := uniqueID(t, "apig")
		s.instance(t, map[string]any{"service": "apig", "id": id, "step_ms": hour, "quirks": quirks})
		p, err := c.ApigCreationProgress(id)
		if err != nil {
			t.Fatal(err)
		}
		i64(t, "progress", p.Progress, 30) // "30" from a quirky server
		if p.Status != "creating" || p.ErrorCode != "" || p.StartTime == nil {
			t.Errorf("%q %q %v", p.Status, p.ErrorCode, deref(p.StartTime))
		}
		everyFieldTyped(t, p, p.Raw)
	}

	// A failed creation says why.
	id := uniqueID(t, "apig-fail")
	s.instance(t, map[string]any{"service": "apig", "id": id, "outcome": "fail", "step_ms": 0})
	p, err := c.ApigCreationProgress(id)
	if err != nil {
		t.Fatal(err)
	}
	if p.Status != "failed" || p.ErrorCode != "APIG.9999" || p.ErrorMsg == "" {
		t.Errorf("%q %q %q", p.Status, p.ErrorCode, p.ErrorMsg)
	}
	i64(t, "progress", p.Progress, 50)
}

func TestRomaInstance(t *testing.T) {
	s := startSim(t)
	c := s.client(t)
	for _, quirks := range []bool{false, true} {
		id := uniqueID(t, "roma")
		s.instance(t, map[string]any{"service": "roma", "id": id, "step_ms": hour, "quirks": quirks})
		in, err := c.RomaInstance(id)
		if err != nil {
			t.Fatal(err)
		}
		if in.ID != id || in.InstanceName != "roma-"+id || in.Status != "Creating" || in.ProjectID != "0a1b2c3d4e5f" {
			t.Errorf("%q %q %q %q", in.ID, in.InstanceName, in.Status, in.ProjectID)
		}
		i64(t, "instance_status", in.InstanceStatus, 1) // "1" from a quirky server
		i64(t, "bandwidth_size", in.BandwidthSize, 5)
		i64(t, "charging_mode", in.ChargingMode, 0) // present and 0: pay-per-use
		if in.Spec != "ROMA_PROFESSIONAL" || in.CipherType != "generalCipher" {
			t.Errorf("%q %q", in.Spec, in.CipherType)
		}
		if !reflect.DeepEqual(in.AvailableZoneIDs, []string{"cn-north-4a", "cn-north-4b"}) {
			t.Errorf("available_zone_ids %q", in.AvailableZoneIDs)
		}
		if in.NodeIPs == nil || len(in.NodeIPs.Shubao) != 2 || len(in.NodeIPs.Livedata) != 1 {
			t.Errorf("node_ips %+v", in.NodeIPs)
		}
		if len(in.SupportedFeatures) == 0 || in.Listeners == nil || len(in.Listeners) != 0 {
			t.Errorf("features %q listeners %v", in.SupportedFeatures, in.Listeners)
		}
		everyFieldTyped(t, in, in.Raw)
		everyFieldTyped(t, in.NodeIPs, in.NodeIPs.Raw)
	}
}

func TestRomaListInstances(t *testing.T) {
	s := startSim(t)
	c := s.client(t)
	ids := []string{"list-a", "list-b", "list-c"}
	for _, id := range ids {
		s.instance(t, map[string]any{"service": "roma", "id": id, "step_ms": hour})
	}
	s.instance(t, map[string]any{"service": "roma", "id": "list-ready", "outcome": "steady"})

	page, err := c.RomaListInstances(hwinst.RomaListQuery{})
	if err != nil {
		t.Fatal(err)
	}
	i64(t, "total", page.Total, 4)
	i64(t, "size", page.Size, 4)

	page, err = c.RomaListInstances(hwinst.RomaListQuery{Status: "CREATING", Offset: 1, Limit: 1})
	if err != nil {
		t.Fatal(err)
	}
	i64(t, "total", page.Total, 3)
	i64(t, "size", page.Size, 1)
	if len(page.Instances) != 1 || page.Instances[0].ID != "list-b" {
		t.Fatalf("page %+v", page.Instances)
	}
	in := page.Instances[0]
	if in.Status != "CREATING" || in.Name != "roma-list-b" || in.ChargeType != "postPaid" ||
		in.CreateTime == "" || in.PublicipEnable == nil || !*in.PublicipEnable {
		t.Errorf("summary %q %q %q %q %v", in.Status, in.Name, in.ChargeType, in.CreateTime, deref(in.PublicipEnable))
	}
	everyFieldTyped(t, page, page.Raw)
	everyFieldTyped(t, &in, in.Raw)

	page, err = c.RomaListInstances(hwinst.RomaListQuery{Status: "running"})
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Instances) != 1 || page.Instances[0].ID != "list-ready" || page.Instances[0].Status != "RUNNING" {
		t.Fatalf("running %+v", page.Instances)
	}

	if _, err := c.RomaListInstances(hwinst.RomaListQuery{Limit: -1}); !isCode(err, hwinst.ErrInvalidArgument) {
		t.Errorf("negative limit: %v", err)
	}
	// The service's own refusal of a limit over 500 is its documented 400.
	_, err = c.RomaListInstances(hwinst.RomaListQuery{Limit: 501})
	if e := asError(t, err, hwinst.ErrAPI); e.HTTPStatus != 400 || e.ServiceCode != "ROMA.00013000" {
		t.Errorf("limit 501: %+v", e)
	}
}

func TestRomaListAllInstances(t *testing.T) {
	s := startSim(t)
	c := s.client(t)
	var want []string
	for i := 0; i < 7; i++ {
		id := uniqueID(t, "all")
		want = append(want, id)
		s.instance(t, map[string]any{"service": "roma", "id": id, "outcome": "steady"})
	}
	all, err := c.RomaListAllInstances(hwinst.RomaListQuery{Limit: 3})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, in := range all {
		got = append(got, in.ID)
		if in.Raw == nil || in.Status != "RUNNING" {
			t.Errorf("%s: %q %s", in.ID, in.Status, in.Raw)
		}
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %q, want %q", got, want)
	}
	if n := s.requests(t); n != 3 {
		t.Errorf("7 instances in pages of 3 took %d requests", n)
	}
	none, err := c.RomaListAllInstances(hwinst.RomaListQuery{Status: "FROZEN"})
	if err != nil || none == nil || len(none) != 0 {
		t.Errorf("no match: %v %v", none, err)
	}
}

func TestClouddcInstanceStatus(t *testing.T) {
	s := startSim(t)
	c := s.client(t)
	s.instance(t, map[string]any{"service": "clouddc", "id": "dc-ok", "step_ms": hour})
	s.instance(t, map[string]any{"service": "clouddc", "id": "dc-fail", "outcome": "fail", "step_ms": hour})
	st, err := c.ClouddcInstanceStatus("dc-ok")
	if err != nil {
		t.Fatal(err)
	}
	if st.State != "pending" || st.OperationState != "install-processing" || st.Error != nil {
		t.Errorf("%q %q %+v", st.State, st.OperationState, st.Error)
	}
	s.advance(t, time.Hour)
	st, err = c.ClouddcInstanceStatus("dc-fail")
	if err != nil {
		t.Fatal(err)
	}
	if st.State != "error" || st.OperationState != "install-failed" || st.Error == nil {
		t.Fatalf("%q %q %+v", st.State, st.OperationState, st.Error)
	}
	if st.Error.ErrorCode != "CLOUDDC.1001" || st.Error.ErrorType != "create_instance_error" || st.Error.ErrorMsg == "" {
		t.Errorf("error %+v", st.Error)
	}
	everyFieldTyped(t, st, st.Raw)
	everyFieldTyped(t, st.Error, st.Error.Raw)
}

func TestLifecycle(t *testing.T) {
	s := startSim(t)
	c := s.client(t)
	for _, tc := range []struct {
		source   hwinst.Source
		service  string
		phase    hwinst.Phase
		status   string
		progress any
	}{
		{hwinst.SourceRoma, "roma", hwinst.PhaseCreating, "CREATING", 10},
		{hwinst.SourceRomaDetails, "roma", hwinst.PhaseCreating, "Creating", "nil"},
		{hwinst.SourceApig, "apig", hwinst.PhaseCreating, "creating", 30},
		{hwinst.SourceClouddc, "clouddc", hwinst.PhasePending, "pending", "nil"},
	} {
		id := uniqueID(t, tc.service)
		s.instance(t, map[string]any{"service": tc.service, "id": id, "step_ms": hour})
		before := time.Now().Add(-time.Second)
		l, err := c.Lifecycle(tc.source, id)
		if err != nil {
			t.Fatalf("%s: %v", tc.source, err)
		}
		if l.Source != tc.source || l.InstanceID != id || l.Phase != tc.phase || l.Status != tc.status ||
			l.Terminal || l.Error != nil || deref(l.Progress) != tc.progress {
			t.Errorf("%s: %+v (progress %v)", tc.source, l, deref(l.Progress))
		}
		if l.ObservedAt().Before(before) || l.ObservedAt().After(time.Now().Add(time.Second)) {
			t.Errorf("%s: observed at %v", tc.source, l.ObservedAt())
		}
		everyFieldTyped(t, l, l.Raw)
	}

	// The end of each script: running and terminal, or failed with the service's reason.
	s.instance(t, map[string]any{"service": "apig", "id": "done", "step_ms": 0})
	s.instance(t, map[string]any{"service": "roma", "id": "broken", "outcome": "fail", "step_ms": 0})
	l, err := c.Lifecycle(hwinst.SourceApig, "done")
	if err != nil || l.Phase != hwinst.PhaseRunning || !l.Terminal || deref(l.Progress) != 100 {
		t.Errorf("done: %+v %v", l, err)
	}
	l, err = c.Lifecycle(hwinst.SourceRoma, "broken")
	if err != nil || l.Phase != hwinst.PhaseFailed || !l.Terminal || l.Error == nil || l.Error.ErrorCode != "ROMA.00110002" {
		t.Fatalf("broken: %+v %v", l, err)
	}
	everyFieldTyped(t, l.Error, l.Error.Raw)

	for _, bad := range []hwinst.Source{"", "roma-list", "ROMA", "apig\x00"} {
		if _, err := c.Lifecycle(bad, "done"); !isCode(err, hwinst.ErrInvalidArgument) {
			t.Errorf("source %q: %v", bad, err)
		}
	}
}

// everyFieldTyped checks that v's typed fields hold everything in raw, its document: v
// marshalled back equals raw once absent-or-empty values are dropped on both sides (the
// library writes `"error_msg": ""` and `[]`, which omitempty leaves out).
func everyFieldTyped(t *testing.T, v any, raw json.RawMessage) {
	t.Helper()
	if len(raw) == 0 {
		t.Fatalf("%T: Raw is empty", v)
	}
	back, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var want, got any
	if err := json.Unmarshal(raw, &want); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(back, &got); err != nil {
		t.Fatal(err)
	}
	want, got = pruned(want), pruned(got)
	if !reflect.DeepEqual(want, got) {
		t.Errorf("%T does not type every field:\n raw   %v\n typed %v", v, want, got)
	}
}

// pruned drops nulls, empty strings, empty arrays and empty objects, recursively.
func pruned(v any) any {
	switch v := v.(type) {
	case map[string]any:
		out := map[string]any{}
		for k, item := range v {
			if p := pruned(item); p != nil {
				out[k] = p
			}
		}
		if len(out) == 0 {
			return nil
		}
		return out
	case []any:
		var out []any
		for _, item := range v {
			out = append(out, pruned(item))
		}
		if len(out) == 0 {
			return nil
		}
		return out
	case string:
		if v == "" {
			return nil
		}
	}
	return v
}

// Raw keeps what this version does not know: a document from a newer library (or a
// service adding fields) with unknown members at every level.
func TestRawKeepsUnknownFields(t *testing.T) {
	doc := `{"instance":{"instanceId":"i-1","status":"CREATING","futureNested":{"a":[1,2]}},
		"instance_id":"i-1","progress":"not a number is fine in Raw only","item":[{"name":"mqs","futureItem":true}],
		"future_top":"kept"}`
	var p hwinst.RomaCreationProgress
	// progress has the wrong type: decoding fails, as for any Go struct.
	if err := json.Unmarshal([]byte(doc), &p); err == nil {
		t.Fatal("a string progress decoded into *int64")
	}
	doc = strings.Replace(doc, `"not a number is fine in Raw only"`, "40", 1)
	p = hwinst.RomaCreationProgress{}
	if err := json.Unmarshal([]byte(doc), &p); err != nil {
		t.Fatal(err)
	}
	if p.InstanceID != "i-1" || deref(p.Progress) != int64(40) || p.Instance.InstanceID != "i-1" || p.Item[0].Name != "mqs" {
		t.Fatalf("%+v", p)
	}
	var top, nested, item map[string]any
	for _, d := range []struct {
		raw json.RawMessage
		out *map[string]any
	}{{p.Raw, &top}, {p.Instance.Raw, &nested}, {p.Item[0].Raw, &item}} {
		if err := json.Unmarshal(d.raw, d.out); err != nil {
			t.Fatal(err)
		}
	}
	if top["future_top"] != "kept" || nested["futureNested"] == nil || item["futureItem"] != true {
		t.Errorf("unknown fields lost: %v / %v / %v", top, nested, item)
	}

	var l hwinst.Lifecycle
	if err := json.Unmarshal([]byte(`{"source":"apig","instance_id":"x","phase":"paused","progress":null,
		"terminal":false,"status":null,"error":{"error_code":"E","error_msg":"m","error_hint":"h"},
		"observed_at_ms":1,"confidence":0.5}`), &l); err != nil {
		t.Fatal(err)
	}
	if l.Phase != "paused" || l.Progress != nil || l.Status != "" || l.Error.ErrorCode != "E" ||
		!strings.Contains(string(l.Raw), `"confidence":0.5`) || !strings.Contains(string(l.Error.Raw), "error_hint") {
		t.Errorf("%+v", l)
	}
}
