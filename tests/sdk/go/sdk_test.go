// The official Huawei Cloud Go SDK (huaweicloud-sdk-go-v3, pinned in go.mod), unchanged, as a
// client of `hwinst sim serve` with the scenario tests/sdk/scenario.json. Run by
// tests/official_sdks.rs, which starts the simulator and sets the HWINST_SIM_* variables
// (see tests/sdk/README.md).
//
// Every operation the SDK offers for the five APIs, with AK/SK and with a temporary AK/SK
// (security token) the simulator's metadata endpoint issued: typed models with exact values,
// and the simulator's error bodies read into the SDK's ServiceResponseError. ROMA's /process
// API is in no SDK: it goes through the SDK core's own request path (HcHttpClient.Sync with a
// request definition of ours). TestDump writes what the SDK decoded of each body the
// simulator sends, for the runner's comparison with hwinst's decoding.
package officialsdk

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"regexp"
	"testing"

	core "github.com/huaweicloud/huaweicloud-sdk-go-v3/core"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/auth"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/config"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/def"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/sdkerr"
	apig "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/apig/v2"
	apigmodel "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/apig/v2/model"
	clouddc "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/clouddc/v1"
	dcmodel "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/clouddc/v1/model"
	roma "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/roma/v2"
	romamodel "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/roma/v2/model"
)

// The times in the bodies, as the simulator sent them (HWINST_SIM_TIMES).
type simTimes struct {
	Apig struct {
		StartTime int64 `json:"start_time"`
		EndTime   int64 `json:"end_time"`
	} `json:"apig-ok"`
	Roma struct {
		CreateTime       int64  `json:"create_time"`
		ProcessStartTime int64  `json:"process_start_time"`
		ListCreateTime   string `json:"list_create_time"`
		ListUpdateTime   string `json:"list_update_time"`
	} `json:"roma-ok"`
}

// What the runner tells the suite (tests/official_sdks.rs).
type simEnv struct {
	base, project, ak, sk, tempAk, tempSk, tempToken string
	idpID, idTokenFile                               string
	times                                            simTimes
	dump                                             string
}

var sim simEnv

func need(name string) string {
	v := os.Getenv(name)
	if v == "" {
		panic(name + " is not set: run this suite through `cargo test --all-features --test official_sdks`")
	}
	return v
}

func TestMain(m *testing.M) {
	var times simTimes
	if err := json.Unmarshal([]byte(need("HWINST_SIM_TIMES")), &times); err != nil {
		panic(err)
	}
	sim = simEnv{
		base: need("HWINST_SIM_URL"), project: need("HWINST_SIM_PROJECT"),
		ak: need("HWINST_SIM_AK"), sk: need("HWINST_SIM_SK"),
		tempAk: need("HWINST_SIM_TEMP_AK"), tempSk: need("HWINST_SIM_TEMP_SK"),
		tempToken: need("HWINST_SIM_TEMP_TOKEN"),
		idpID:     need("HWINST_SIM_IDP_ID"), idTokenFile: need("HWINST_SIM_ID_TOKEN_FILE"),
		times: times,
		dump:  need("HWINST_SDK_DUMP"),
	}
	os.Exit(m.Run())
}

// The ways of signing every operation is tried with: an AK/SK; a temporary AK/SK with its
// security token (from the simulator's metadata endpoint); and a federated identity, with which
// the SDK itself trades an OIDC ID token for a temporary AK/SK at IAM (the simulator's).
type credKind struct {
	name        string
	ak, sk      string
	token       string
	projectID   string
	idpID       string
	idTokenFile string
}

func credKinds() []credKind {
	return []credKind{
		{name: "aksk", ak: sim.ak, sk: sim.sk, projectID: sim.project},
		{name: "temporary", ak: sim.tempAk, sk: sim.tempSk, token: sim.tempToken, projectID: sim.project},
		{name: "federated", idpID: sim.idpID, idTokenFile: sim.idTokenFile, projectID: sim.project},
	}
}

func hc(t testing.TB, k credKind, builder *core.HcHttpClientBuilder) *core.HcHttpClient {
	t.Helper()
	b := auth.NewBasicCredentialsBuilder().WithProjectId(k.projectID)
	if k.idpID != "" {
		b = b.WithIdpId(k.idpID).WithIdTokenFile(k.idTokenFile).WithIamEndpointOverride(sim.base)
	} else {
		b = b.WithAk(k.ak).WithSk(k.sk)
	}
	if k.token != "" {
		b = b.WithSecurityToken(k.token)
	}
	credentials, err := b.SafeBuild()
	if err != nil {
		t.Fatalf("credentials: %v", err)
	}
	client, err := builder.WithEndpoints([]string{sim.base}).WithCredential(credentials).
		WithHttpConfig(config.DefaultHttpConfig().WithRetries(0)).SafeBuild()
	if err != nil {
		t.Fatalf("client: %v", err)
	}
	return client
}

func apigClient(t testing.TB, k credKind) *apig.ApigClient {
	return apig.NewApigClient(hc(t, k, apig.ApigClientBuilder()))
}
func romaClient(t testing.TB, k credKind) *roma.RomaClient {
	return roma.NewRomaClient(hc(t, k, roma.RomaClientBuilder()))
}
func dcClient(t testing.TB, k credKind) *clouddc.CloudDCClient {
	return clouddc.NewCloudDCClient(hc(t, k, clouddc.CloudDCClientBuilder()))
}

func ptr[T any](v T) *T { return &v }

func eq[T comparable](t *testing.T, what string, got *T, want T) {
	t.Helper()
	if got == nil {
		t.Errorf("%s: absent, want %v", what, want)
	} else if *got != want {
		t.Errorf("%s = %v, want %v", what, *got, want)
	}
}

func absent[T any](t *testing.T, what string, got *T) {
	t.Helper()
	if got != nil {
		t.Errorf("%s = %v, want absent", what, *got)
	}
}

func jsonOf(t testing.TB, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatalf("marshal: %v", err)
	}
	return string(b)
}

// --- APIG ShowDetailsOfInstanceProgressV2 ---------------------------------------------------

func TestApigShowDetailsOfInstanceProgressV2(t *testing.T) {
	for _, k := range credKinds() {
		t.Run(k.name, func(t *testing.T) {
			c := apigClient(t, k)
			ok, err := c.ShowDetailsOfInstanceProgressV2(&apigmodel.ShowDetailsOfInstanceProgressV2Request{InstanceId: "apig-ok"})
			if err != nil {
				t.Fatalf("apig-ok: %v", err)
			}
			if ok.HttpStatusCode != 200 || ok.Progress == nil || ok.Progress.Value() != 100 {
				t.Errorf("apig-ok: %s", jsonOf(t, ok))
			}
			if ok.Status == nil || *ok.Status != apigmodel.GetShowDetailsOfInstanceProgressV2ResponseStatusEnum().SUCCESS {
				t.Errorf("apig-ok status: %s", jsonOf(t, ok))
			}
			eq(t, "start_time", ok.StartTime, sim.times.Apig.StartTime)
			eq(t, "end_time", ok.EndTime, sim.times.Apig.EndTime)
			absent(t, "error_code", ok.ErrorCode)
			absent(t, "error_msg", ok.ErrorMsg)

			failed, err := c.ShowDetailsOfInstanceProgressV2(&apigmodel.ShowDetailsOfInstanceProgressV2Request{InstanceId: "apig-fail"})
			if err != nil {
				t.Fatalf("apig-fail: %v", err)
			}
			if failed.Progress == nil || failed.Progress.Value() != 50 {
				t.Errorf("apig-fail progress: %s", jsonOf(t, failed))
			}
			if failed.Status == nil || *failed.Status != apigmodel.GetShowDetailsOfInstanceProgressV2ResponseStatusEnum().FAILED {
				t.Errorf("apig-fail status: %s", jsonOf(t, failed))
			}
			eq(t, "error_code", failed.ErrorCode, "APIG.9999")
			eq(t, "error_msg", failed.ErrorMsg, "Failed to create the instance: insufficient resources in the AZ (simulated)")
		})
	}
}

// --- ROMA ShowDetailsOfInstanceV2 (/apic/instances/{id}) ------------------------------------

func TestRomaShowDetailsOfInstanceV2(t *testing.T) {
	for _, k := range credKinds() {
		t.Run(k.name, func(t *testing.T) {
			c := romaClient(t, k)
			r, err := c.ShowDetailsOfInstanceV2(&romamodel.ShowDetailsOfInstanceV2Request{InstanceId: "roma-ok"})
			if err != nil {
				t.Fatalf("roma-ok: %v", err)
			}
			eq(t, "id", r.Id, "roma-ok")
			eq(t, "project_id", r.ProjectId, sim.project)
			eq(t, "instance_name", r.InstanceName, "roma-running")
			if r.Status == nil || *r.Status != romamodel.GetShowDetailsOfInstanceV2ResponseStatusEnum().RUNNING {
				t.Errorf("status: %s", jsonOf(t, r.Status))
			}
			eq(t, "instance_status", r.InstanceStatus, int32(6))
			eq(t, "type", r.Type, "apic")
			if r.Spec == nil || *r.Spec != romamodel.GetShowDetailsOfInstanceV2ResponseSpecEnum().ROMA_PROFESSIONAL {
				t.Errorf("spec: %s", jsonOf(t, r.Spec))
			}
			eq(t, "create_time", r.CreateTime, sim.times.Roma.CreateTime)
			eq(t, "enterprise_project_id", r.EnterpriseProjectId, "0")
			eq(t, "eip_address", r.EipAddress, "192.0.2.10")
			eq(t, "charging_mode", r.ChargingMode, int32(0))
			eq(t, "description", r.Description, "simulated instance")
			eq(t, "maintain_begin", r.MaintainBegin, "22:00:00")
			eq(t, "maintain_end", r.MaintainEnd, "02:00:00")
			eq(t, "ingress_ip", r.IngressIp, "192.168.0.5")
			eq(t, "nat_eip_address", r.NatEipAddress, "192.0.2.11")
			eq(t, "bandwidth_size", r.BandwidthSize, int32(5))
			eq(t, "available_zone_ids", r.AvailableZoneIds, "[cn-north-4a, cn-north-4b]")
			eq(t, "instance_version", r.InstanceVersion, "2.3.0")
			eq(t, "ingress_ips", r.IngressIps, "192.168.0.5")
			if r.SupportedFeatures == nil || fmt.Sprint(*r.SupportedFeatures) != "[gateway_responses ratelimit]" {
				t.Errorf("supported_features: %s", jsonOf(t, r.SupportedFeatures))
			}
			if r.NodeIps == nil || fmt.Sprint(r.NodeIps.Livedata, r.NodeIps.Shubao) != "&[192.168.0.30] &[192.168.0.31 192.168.0.32]" {
				t.Errorf("node_ips: %s", jsonOf(t, r.NodeIps))
			}
			if r.CipherType == nil || *r.CipherType != romamodel.GetShowDetailsOfInstanceV2ResponseCipherTypeEnum().GENERAL_CIPHER {
				t.Errorf("cipher_type: %s", jsonOf(t, r.CipherType))
			}
			absent(t, "cbc_metadata", r.CbcMetadata)

			failed, err := c.ShowDetailsOfInstanceV2(&romamodel.ShowDetailsOfInstanceV2Request{InstanceId: "roma-fail"})
			if err != nil {
				t.Fatalf("roma-fail: %v", err)
			}
			if failed.Status == nil || *failed.Status != romamodel.GetShowDetailsOfInstanceV2ResponseStatusEnum().CREATE_FAIL {
				t.Errorf("roma-fail status: %s", jsonOf(t, failed.Status))
			}
			eq(t, "roma-fail instance_status", failed.InstanceStatus, int32(3))
		})
	}
}

// --- ROMA CheckRomaInstanceListV2 (/instances?status&offset&limit) ---------------------------

func TestRomaCheckRomaInstanceListV2(t *testing.T) {
	statuses := romamodel.GetRomaInstanceCheckListRespInstancesStatusEnum()
	for _, k := range credKinds() {
		t.Run(k.name, func(t *testing.T) {
			c := romaClient(t, k)
			running, err := c.CheckRomaInstanceListV2(&romamodel.CheckRomaInstanceListV2Request{
				Status: ptr("RUNNING"), Offset: ptr(int32(0)), Limit: ptr(int32(10))})
			if err != nil {
				t.Fatalf("list RUNNING: %v", err)
			}
			eq(t, "total", running.Total, int32(2))
			eq(t, "size", running.Size, int32(2))
			if running.Instances == nil || len(*running.Instances) != 2 {
				t.Fatalf("instances: %s", jsonOf(t, running))
			}
			first := (*running.Instances)[0]
			eq(t, "id", first.Id, "roma-ok")
			eq(t, "name", first.Name, "roma-running")
			eq(t, "description", first.Description, "simulated instance")
			eq(t, "flavor_id", first.FlavorId, "00400-30101-0--0")
			eq(t, "flavor_type", first.FlavorType, "professional")
			if first.CpuArch == nil || *first.CpuArch != romamodel.GetRomaInstanceCheckListRespInstancesCpuArchEnum().X86_64 {
				t.Errorf("cpu_arch: %s", jsonOf(t, first.CpuArch))
			}
			eq(t, "publicip_enable", first.PublicipEnable, true)
			eq(t, "publicip_address", first.PublicipAddress, "192.0.2.10")
			if first.Status == nil || *first.Status != statuses.RUNNING {
				t.Errorf("status: %s", jsonOf(t, first.Status))
			}
			absent(t, "error_code", first.ErrorCode)
			if first.ChargeType == nil || *first.ChargeType != romamodel.GetRomaInstanceCheckListRespInstancesChargeTypeEnum().POST_PAID {
				t.Errorf("charge_type: %s", jsonOf(t, first.ChargeType))
			}
			eq(t, "project_id", first.ProjectId, sim.project)
			eq(t, "create_time", first.CreateTime, sim.times.Roma.ListCreateTime)
			eq(t, "update_time", first.UpdateTime, sim.times.Roma.ListUpdateTime)
			if first.AvailableZoneIds == nil || fmt.Sprint(*first.AvailableZoneIds) != "[cn-north-4a cn-north-4b]" {
				t.Errorf("available_zone_ids: %s", jsonOf(t, first.AvailableZoneIds))
			}
			eq(t, "second id", (*running.Instances)[1].Id, "roma-variant")

			// Paging: the second page of one.
			page, err := c.CheckRomaInstanceListV2(&romamodel.CheckRomaInstanceListV2Request{Offset: ptr(int32(1)), Limit: ptr(int32(1))})
			if err != nil {
				t.Fatalf("list offset 1 limit 1: %v", err)
			}
			eq(t, "page total", page.Total, int32(3))
			eq(t, "page size", page.Size, int32(1))
			if page.Instances == nil || len(*page.Instances) != 1 {
				t.Fatalf("page: %s", jsonOf(t, page))
			}
			failed := (*page.Instances)[0]
			eq(t, "page id", failed.Id, "roma-fail")
			if failed.Status == nil || *failed.Status != statuses.CREATE_FAILED {
				t.Errorf("roma-fail status: %s", jsonOf(t, failed.Status))
			}
			eq(t, "error_code", failed.ErrorCode, "ROMA.00110002")
			eq(t, "error_msg", failed.ErrorMsg, "Failed to create the instance: insufficient resources in the AZ (simulated)")
		})
	}
}

// --- Cloud DC ShowInstanceStatus (/v1/{project_id}/instances/{id}/status) --------------------

func TestClouddcShowInstanceStatus(t *testing.T) {
	for _, k := range credKinds() {
		t.Run(k.name, func(t *testing.T) {
			c := dcClient(t, k)
			ok, err := c.ShowInstanceStatus(&dcmodel.ShowInstanceStatusRequest{Id: "dc-ok"})
			if err != nil {
				t.Fatalf("dc-ok: %v", err)
			}
			if ok.State == nil || ok.State.Value() != "running" || ok.OperationState == nil ||
				ok.OperationState.Value() != "install-succeed" || ok.Error != nil {
				t.Errorf("dc-ok: %s", jsonOf(t, ok))
			}
			failed, err := c.ShowInstanceStatus(&dcmodel.ShowInstanceStatusRequest{Id: "dc-fail"})
			if err != nil {
				t.Fatalf("dc-fail: %v", err)
			}
			if failed.State == nil || failed.State.Value() != "error" || failed.OperationState == nil ||
				failed.OperationState.Value() != "install-failed" || failed.Error == nil {
				t.Fatalf("dc-fail: %s", jsonOf(t, failed))
			}
			if failed.Error.ErrorCode != "CLOUDDC.1001" || failed.Error.ErrorMsg != "Failed to install the instance (simulated)" ||
				failed.Error.ErrorType != dcmodel.GetErrorStatusErrorTypeEnum().CREATE_INSTANCE_ERROR {
				t.Errorf("dc-fail error: %s", jsonOf(t, failed.Error))
			}
		})
	}
}

// --- ROMA /process, through the SDK core ----------------------------------------------------

// The request of our definition: the core fills path parameters from its fields' JSON tags.
type romaProcessRequest struct {
	InstanceId string `json:"instance_id"`
}

// What the ROMA /process document gives at its top level and in `item`; the nested `instance`
// (some sixty fields) is kept as the JSON sent.
type romaProcessResponse struct {
	InstanceId     *string          `json:"instance_id,omitempty"`
	Name           *string          `json:"name,omitempty"`
	StartTime      *int64           `json:"start_time,omitempty"`
	EndTime        *int64           `json:"end_time,omitempty"`
	TakenTime      *int64           `json:"taken_time,omitempty"`
	Progress       *int32           `json:"progress,omitempty"`
	Status         *string          `json:"status,omitempty"`
	Item           *[]processItem   `json:"item,omitempty"`
	Instance       *json.RawMessage `json:"instance,omitempty"`
	HttpStatusCode int              `json:"-"`
}

type processItem struct {
	Name      *string `json:"name,omitempty"`
	StartTime *int64  `json:"start_time,omitempty"`
	EndTime   *int64  `json:"end_time,omitempty"`
	Status    *string `json:"status,omitempty"`
	TakenTime *int64  `json:"taken_time,omitempty"`
	Progress  *int32  `json:"progress,omitempty"`
	ErrorMsg  *string `json:"error_msg,omitempty"`
	ErrorCode *string `json:"error_code,omitempty"`
}

func romaProcessDef() *def.HttpRequestDef {
	b := def.NewHttpRequestDefBuilder().
		WithMethod(http.MethodGet).
		WithPath("/v2/{project_id}/instances/{instance_id}/process").
		WithResponse(new(romaProcessResponse)).
		WithContentType("application/json")
	b.WithRequestField(def.NewFieldDef().WithName("InstanceId").WithJsonTag("instance_id").WithLocationType(def.Path))
	return b.Build()
}

func romaProcess(c *roma.RomaClient, id string) (*romaProcessResponse, error) {
	resp, err := c.HcClient.Sync(&romaProcessRequest{InstanceId: id}, romaProcessDef())
	if err != nil {
		return nil, err
	}
	return resp.(*romaProcessResponse), nil
}

func TestRomaProcessThroughTheCore(t *testing.T) {
	for _, k := range credKinds() {
		t.Run(k.name, func(t *testing.T) {
			c := romaClient(t, k)
			r, err := romaProcess(c, "roma-ok")
			if err != nil {
				t.Fatalf("roma-ok: %v", err)
			}
			eq(t, "instance_id", r.InstanceId, "roma-ok")
			eq(t, "name", r.Name, "roma-running")
			eq(t, "start_time", r.StartTime, sim.times.Roma.ProcessStartTime)
			eq(t, "progress", r.Progress, int32(100))
			eq(t, "status", r.Status, "RUNNING")
			if r.Item == nil || len(*r.Item) != 2 {
				t.Fatalf("item: %s", jsonOf(t, r))
			}
			eq(t, "item[0].name", (*r.Item)[0].Name, "mqs")
			eq(t, "item[1].name", (*r.Item)[1].Name, "lvs")
			eq(t, "item[0].progress", (*r.Item)[0].Progress, int32(100))

			failed, err := romaProcess(c, "roma-fail")
			if err != nil {
				t.Fatalf("roma-fail: %v", err)
			}
			eq(t, "roma-fail status", failed.Status, "CREATE_FAILED")
			eq(t, "roma-fail progress", failed.Progress, int32(40))
		})
	}
}

// --- Errors ---------------------------------------------------------------------------------

var requestID = regexp.MustCompile(`^[0-9a-f]{32}$`)

// admin sends a request to the simulator's admin API.
func admin(t testing.TB, method, path, body string) {
	t.Helper()
	req, err := http.NewRequest(method, sim.base+path, bytes.NewBufferString(body))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		t.Fatalf("%s %s: %d", method, path, resp.StatusCode)
	}
}

// fault makes the simulator answer the next request of `operation` with `status`.
func fault(t testing.TB, operation string, status int) {
	t.Helper()
	admin(t, http.MethodPost, "/_sim/faults",
		fmt.Sprintf(`{"kind":"status","status":%d,"operation":%q,"times":1}`, status, operation))
	t.Cleanup(func() { admin(t, http.MethodDelete, "/_sim/faults", "") })
}

func serviceError(t *testing.T, err error, status int, code, message string) {
	t.Helper()
	var sr *sdkerr.ServiceResponseError
	if !errors.As(err, &sr) {
		t.Fatalf("want a ServiceResponseError %d %s, got %T %v", status, code, err, err)
	}
	if sr.StatusCode != status || sr.ErrorCode != code || sr.ErrorMessage != message {
		t.Errorf("got %d %q %q, want %d %q %q", sr.StatusCode, sr.ErrorCode, sr.ErrorMessage, status, code, message)
	}
	if !requestID.MatchString(sr.RequestId) {
		t.Errorf("request ID %q is not the simulator's X-Request-Id", sr.RequestId)
	}
}

type errorCase struct {
	operation string
	call      func(k credKind) error
	// status → code and message, as docs/simulator.md gives them.
	want map[int][2]string
}

func errorCases(t *testing.T) []errorCase {
	apic := map[int][2]string{
		401: {"APIC.7102", "Incorrect token or token resolution failed"},
		403: {"APIC.7106", "No permissions to request for the method"},
		404: {"APIC.7302", "Instance not found"},
		429: {"SIM.0429", "Too Many Requests"},
		500: {"APIC.9000", "Failed to request internal service"},
	}
	return []errorCase{
		{"apig_progress", func(k credKind) error {
			_, err := apigClient(t, k).ShowDetailsOfInstanceProgressV2(&apigmodel.ShowDetailsOfInstanceProgressV2Request{InstanceId: "apig-none"})
			return err
		}, apic},
		{"roma_instance", func(k credKind) error {
			_, err := romaClient(t, k).ShowDetailsOfInstanceV2(&romamodel.ShowDetailsOfInstanceV2Request{InstanceId: "roma-none"})
			return err
		}, apic},
		{"roma_process", func(k credKind) error {
			_, err := romaProcess(romaClient(t, k), "roma-none")
			return err
		}, apic},
		{"roma_list", func(k credKind) error {
			_, err := romaClient(t, k).CheckRomaInstanceListV2(&romamodel.CheckRomaInstanceListV2Request{Status: ptr("RUNNING")})
			return err
		}, map[int][2]string{
			401: {"ROMA.00012000", "Incorrect token or token resolution failed"},
			403: {"ROMA.00012000", "No permissions to request this method"},
			429: {"SIM.0429", "Too Many Requests"},
			500: {"ROMA.00011000", "System error"},
		}},
		{"clouddc_status", func(k credKind) error {
			_, err := dcClient(t, k).ShowInstanceStatus(&dcmodel.ShowInstanceStatusRequest{Id: "dc-none"})
			return err
		}, map[int][2]string{
			401: {"CLOUDDC.0401", "The request is not authenticated"},
			403: {"CLOUDDC.0403", "No permission to access the instance"},
			404: {"CLOUDDC.0404", "Instance not found"},
			500: {"CLOUDDC.0500", "Internal server error"},
		}},
	}
}

func TestErrorBodies(t *testing.T) {
	good := credKinds()[0]
	for _, c := range errorCases(t) {
		t.Run(c.operation, func(t *testing.T) {
			if want, ok := c.want[404]; ok {
				// A real 404: the instance does not exist.
				serviceError(t, c.call(good), 404, want[0], want[1])
			}
			// A real 401: a wrong secret key.
			wrongSk := good
			wrongSk.sk = "not-the-secret-key"
			want := c.want[401]
			serviceError(t, c.call(wrongSk), 401, want[0], want[1])
			// A real 403: another project.
			other := good
			other.projectID = "0123456789abcdef0123456789abcdef"
			want = c.want[403]
			serviceError(t, c.call(other), 403, want[0], want[1])
			// Faults: 429 and 500 (the request is otherwise good).
			for _, status := range []int{429, 500} {
				want, ok := c.want[status]
				if !ok {
					continue
				}
				fault(t, c.operation, status)
				serviceError(t, c.call(good), status, want[0], want[1])
			}
		})
	}
}

// Cloud DC's 429 has an empty body (as documented): the SDK still gives status and request ID.
func TestClouddcEmptyTooManyRequests(t *testing.T) {
	fault(t, "clouddc_status", 429)
	_, err := dcClient(t, credKinds()[0]).ShowInstanceStatus(&dcmodel.ShowInstanceStatusRequest{Id: "dc-ok"})
	var sr *sdkerr.ServiceResponseError
	if !errors.As(err, &sr) || sr.StatusCode != 429 || sr.ErrorCode != "" || !requestID.MatchString(sr.RequestId) {
		t.Fatalf("want a 429 ServiceResponseError without a code, got %T %v", err, err)
	}
}

// --- What the SDK decoded, for tests/official_sdks.rs ---------------------------------------

func TestDump(t *testing.T) {
	k := credKinds()[0]
	out := map[string]any{}
	record := func(key string, v any, err error) {
		if err != nil {
			out[key] = map[string]any{"error": err.Error()}
			return
		}
		var decoded any
		if err := json.Unmarshal([]byte(jsonOf(t, v)), &decoded); err != nil {
			t.Fatal(err)
		}
		out[key] = map[string]any{"decoded": decoded}
	}
	a, r, d := apigClient(t, k), romaClient(t, k), dcClient(t, k)
	for _, id := range []string{"apig-ok", "apig-fail", "apig-variant"} {
		v, err := a.ShowDetailsOfInstanceProgressV2(&apigmodel.ShowDetailsOfInstanceProgressV2Request{InstanceId: id})
		record("apig_progress/"+id, v, err)
	}
	for _, id := range []string{"roma-ok", "roma-fail", "roma-variant"} {
		v, err := r.ShowDetailsOfInstanceV2(&romamodel.ShowDetailsOfInstanceV2Request{InstanceId: id})
		record("roma_instance/"+id, v, err)
		p, err := romaProcess(r, id)
		record("roma_process/"+id, p, err)
	}
	list, err := r.CheckRomaInstanceListV2(&romamodel.CheckRomaInstanceListV2Request{Offset: ptr(int32(0)), Limit: ptr(int32(10))})
	record("roma_list/all", list, err)
	for _, id := range []string{"dc-ok", "dc-fail"} {
		v, err := d.ShowInstanceStatus(&dcmodel.ShowInstanceStatusRequest{Id: id})
		record("clouddc_status/"+id, v, err)
	}
	if err := os.WriteFile(sim.dump, []byte(jsonOf(t, out)), 0o644); err != nil {
		t.Fatal(err)
	}
}
