package hwinst.sdk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.huaweicloud.sdk.apig.v2.ApigClient;
import com.huaweicloud.sdk.apig.v2.model.ShowDetailsOfInstanceProgressV2Request;
import com.huaweicloud.sdk.apig.v2.model.ShowDetailsOfInstanceProgressV2Response;
import com.huaweicloud.sdk.core.ClientBuilder;
import com.huaweicloud.sdk.core.HcClient;
import com.huaweicloud.sdk.core.SdkResponse;
import com.huaweicloud.sdk.core.auth.BasicCredentials;
import com.huaweicloud.sdk.core.exception.ClientRequestException;
import com.huaweicloud.sdk.core.exception.ServerResponseException;
import com.huaweicloud.sdk.core.exception.ServiceResponseException;
import com.huaweicloud.sdk.core.http.FieldExistence;
import com.huaweicloud.sdk.core.http.HttpConfig;
import com.huaweicloud.sdk.core.http.HttpMethod;
import com.huaweicloud.sdk.core.http.HttpRequestDef;
import com.huaweicloud.sdk.core.http.LocationType;
import com.huaweicloud.sdk.core.utils.JsonUtils;
import com.huaweicloud.sdk.roma.v2.RomaClient;
import com.huaweicloud.sdk.roma.v2.model.CheckRomaInstanceListV2Request;
import com.huaweicloud.sdk.roma.v2.model.CheckRomaInstanceListV2Response;
import com.huaweicloud.sdk.roma.v2.model.RomaInstanceCheckListRespInstances;
import com.huaweicloud.sdk.roma.v2.model.ShowDetailsOfInstanceV2Request;
import com.huaweicloud.sdk.roma.v2.model.ShowDetailsOfInstanceV2Response;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The official Huawei Cloud Java SDK (huaweicloud-sdk-apig and -roma, pinned in pom.xml),
 * unchanged, as a client of {@code hwinst sim serve} with the scenario tests/sdk/scenario.json.
 * Run by tests/official_sdks.rs, which starts the simulator and sets the HWINST_SIM_* variables
 * (tests/sdk/README.md). Maven Central has no huaweicloud-sdk-clouddc: Cloud DC is covered by
 * the Go and Python suites.
 *
 * <p>Every operation the SDK offers for the APIG and ROMA APIs, with AK/SK and with a temporary
 * AK/SK (security token) from the simulator's metadata endpoint: typed models with exact values,
 * the simulator's error bodies read into the SDK's ServiceResponseException. ROMA's /process API
 * is in no SDK: it goes through the core's own request path (HcClient.syncInvokeHttp with a
 * request definition of ours). {@link #dump} writes what the SDK decoded of each body the
 * simulator sends, for the runner's comparison with hwinst's decoding.
 */
class OfficialJavaSdkTest {
    static String need(String name) {
        String value = System.getenv(name);
        if (value == null || value.isEmpty()) {
            throw new IllegalStateException(name
                    + " is not set: run this suite through `cargo test --all-features --test official_sdks`");
        }
        return value;
    }

    static final String BASE = need("HWINST_SIM_URL");
    static final String PROJECT = need("HWINST_SIM_PROJECT");
    /** The times in the bodies, as the simulator sent them. */
    static final JsonNode TIMES = times();
    static final JsonNode APIG_TIMES = TIMES.get("apig-ok");
    static final JsonNode ROMA_TIMES = TIMES.get("roma-ok");

    static JsonNode times() {
        try {
            return JsonUtils.getDefaultMapper().readTree(need("HWINST_SIM_TIMES"));
        } catch (Exception e) {
            throw new IllegalStateException("HWINST_SIM_TIMES: " + e, e);
        }
    }
    static final String FAILED_MSG = "Failed to create the instance: insufficient resources in the AZ (simulated)";
    static final String OTHER_PROJECT = "0123456789abcdef0123456789abcdef";

    /**
     * An AK/SK; a temporary AK/SK with its security token (from the simulator's metadata
     * endpoint); or a federated identity, with which the SDK itself trades an OIDC ID token for a
     * temporary AK/SK at IAM (the simulator's).
     */
    static BasicCredentials credentials(String kind, String project, String sk) {
        BasicCredentials c = new BasicCredentials().withProjectId(project);
        if (kind.equals("federated")) {
            return c.withIdpId(need("HWINST_SIM_IDP_ID")).withIdTokenFile(need("HWINST_SIM_ID_TOKEN_FILE"))
                    .withIamEndpoint(BASE);
        }
        if (kind.equals("aksk")) {
            return c.withAk(need("HWINST_SIM_AK")).withSk(sk != null ? sk : need("HWINST_SIM_SK"));
        }
        return c.withAk(need("HWINST_SIM_TEMP_AK"))
                .withSk(sk != null ? sk : need("HWINST_SIM_TEMP_SK"))
                .withSecurityToken(need("HWINST_SIM_TEMP_TOKEN"));
    }

    static <T> T build(ClientBuilder<T> builder, BasicCredentials c) {
        HttpConfig config = HttpConfig.getDefaultHttpConfig();
        return builder.withHttpConfig(config).withCredential(c).withEndpoints(List.of(BASE)).build();
    }

    static ApigClient apig(String kind, String project, String sk) {
        return build(ApigClient.newBuilder(), credentials(kind, project, sk));
    }

    static RomaClient roma(String kind, String project, String sk) {
        return build(RomaClient.newBuilder(), credentials(kind, project, sk));
    }

    /** The SDK core's own client, for an API no service client has. */
    static HcClient core(String kind, String project, String sk) {
        return build(new ClientBuilder<>(Function.identity()), credentials(kind, project, sk));
    }

    // --- APIG ShowDetailsOfInstanceProgressV2 --------------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {"aksk", "temporary", "federated"})
    void apigShowDetailsOfInstanceProgressV2(String kind) {
        ApigClient client = apig(kind, PROJECT, null);
        ShowDetailsOfInstanceProgressV2Response ok = client.showDetailsOfInstanceProgressV2(
                new ShowDetailsOfInstanceProgressV2Request().withInstanceId("apig-ok"));
        assertEquals(200, ok.getHttpStatusCode());
        assertEquals(100, ok.getProgress().getValue());
        assertEquals("success", ok.getStatus().getValue());
        assertEquals(APIG_TIMES.get("start_time").asLong(), ok.getStartTime());
        assertEquals(APIG_TIMES.get("end_time").asLong(), ok.getEndTime());
        assertNull(ok.getErrorCode());
        assertNull(ok.getErrorMsg());

        ShowDetailsOfInstanceProgressV2Response failed = client.showDetailsOfInstanceProgressV2(
                new ShowDetailsOfInstanceProgressV2Request().withInstanceId("apig-fail"));
        assertEquals(50, failed.getProgress().getValue());
        assertEquals("failed", failed.getStatus().getValue());
        assertEquals("APIG.9999", failed.getErrorCode());
        assertEquals(FAILED_MSG, failed.getErrorMsg());
    }

    // --- ROMA ShowDetailsOfInstanceV2 (/apic/instances/{id}) -----------------------------------

    @ParameterizedTest
    @ValueSource(strings = {"aksk", "temporary", "federated"})
    void romaShowDetailsOfInstanceV2(String kind) {
        RomaClient client = roma(kind, PROJECT, null);
        ShowDetailsOfInstanceV2Response r = client.showDetailsOfInstanceV2(
                new ShowDetailsOfInstanceV2Request().withInstanceId("roma-ok"));
        assertEquals(200, r.getHttpStatusCode());
        assertEquals("roma-ok", r.getId());
        assertEquals(PROJECT, r.getProjectId());
        assertEquals("roma-running", r.getInstanceName());
        assertEquals(ShowDetailsOfInstanceV2Response.StatusEnum.RUNNING, r.getStatus());
        assertEquals(6, r.getInstanceStatus());
        assertEquals("apic", r.getType());
        assertEquals(ShowDetailsOfInstanceV2Response.SpecEnum.ROMA_PROFESSIONAL, r.getSpec());
        assertEquals(ROMA_TIMES.get("create_time").asLong(), r.getCreateTime());
        assertEquals("0", r.getEnterpriseProjectId());
        assertEquals("192.0.2.10", r.getEipAddress());
        assertEquals(0, r.getChargingMode());
        assertNull(r.getCbcMetadata());
        assertEquals("simulated instance", r.getDescription());
        assertEquals("22:00:00", r.getMaintainBegin());
        assertEquals("02:00:00", r.getMaintainEnd());
        assertEquals("192.168.0.5", r.getIngressIp());
        assertEquals("192.0.2.11", r.getNatEipAddress());
        assertEquals(5, r.getBandwidthSize());
        assertEquals("[cn-north-4a, cn-north-4b]", r.getAvailableZoneIds());
        assertEquals("2.3.0", r.getInstanceVersion());
        assertEquals(List.of("gateway_responses", "ratelimit"), r.getSupportedFeatures());
        assertEquals(List.of("192.168.0.30"), r.getNodeIps().getLivedata());
        assertEquals(List.of("192.168.0.31", "192.168.0.32"), r.getNodeIps().getShubao());
        assertEquals("192.168.0.5", r.getIngressIps());
        assertEquals(ShowDetailsOfInstanceV2Response.CipherTypeEnum.GENERALCIPHER, r.getCipherType());

        ShowDetailsOfInstanceV2Response failed = client.showDetailsOfInstanceV2(
                new ShowDetailsOfInstanceV2Request().withInstanceId("roma-fail"));
        assertEquals(ShowDetailsOfInstanceV2Response.StatusEnum.CREATEFAIL, failed.getStatus());
        assertEquals(3, failed.getInstanceStatus());
    }

    // --- ROMA CheckRomaInstanceListV2 (/instances?status&offset&limit) -------------------------

    @ParameterizedTest
    @ValueSource(strings = {"aksk", "temporary", "federated"})
    void romaCheckRomaInstanceListV2(String kind) {
        RomaClient client = roma(kind, PROJECT, null);
        CheckRomaInstanceListV2Response running = client.checkRomaInstanceListV2(
                new CheckRomaInstanceListV2Request().withStatus("RUNNING").withOffset(0).withLimit(10));
        assertEquals(2, running.getTotal());
        assertEquals(2, running.getSize());
        assertEquals(2, running.getInstances().size());
        RomaInstanceCheckListRespInstances first = running.getInstances().get(0);
        assertEquals("roma-ok", first.getId());
        assertEquals("roma-running", first.getName());
        assertEquals("simulated instance", first.getDescription());
        assertEquals("00400-30101-0--0", first.getFlavorId());
        assertEquals("professional", first.getFlavorType());
        assertEquals(RomaInstanceCheckListRespInstances.CpuArchEnum.X86_64, first.getCpuArch());
        assertEquals(true, first.getPublicipEnable());
        assertEquals("192.0.2.10", first.getPublicipAddress());
        assertEquals(RomaInstanceCheckListRespInstances.StatusEnum.RUNNING, first.getStatus());
        assertNull(first.getErrorCode());
        assertEquals(RomaInstanceCheckListRespInstances.ChargeTypeEnum.POSTPAID, first.getChargeType());
        assertEquals(PROJECT, first.getProjectId());
        assertEquals(ROMA_TIMES.get("list_create_time").asText(), first.getCreateTime());
        assertEquals(ROMA_TIMES.get("list_update_time").asText(), first.getUpdateTime());
        assertEquals(List.of("cn-north-4a", "cn-north-4b"), first.getAvailableZoneIds());
        assertEquals("roma-variant", running.getInstances().get(1).getId());

        CheckRomaInstanceListV2Response page = client.checkRomaInstanceListV2(
                new CheckRomaInstanceListV2Request().withOffset(1).withLimit(1));
        assertEquals(3, page.getTotal());
        assertEquals(1, page.getSize());
        RomaInstanceCheckListRespInstances failed = page.getInstances().get(0);
        assertEquals("roma-fail", failed.getId());
        assertEquals(RomaInstanceCheckListRespInstances.StatusEnum.CREATE_FAILED, failed.getStatus());
        assertEquals("ROMA.00110002", failed.getErrorCode());
        assertEquals(FAILED_MSG, failed.getErrorMsg());
    }

    // --- ROMA /process, through the SDK core ---------------------------------------------------

    /** The request of our definition: the core reads the path parameter through its marshaller. */
    public static class RomaProcessRequest {
        private String instanceId;

        public String getInstanceId() {
            return instanceId;
        }

        public void setInstanceId(String instanceId) {
            this.instanceId = instanceId;
        }
    }

    /** ROMA /process as its document gives it (the nested objects kept as JSON). */
    public static class RomaProcessResponse extends SdkResponse {
        @JsonProperty("currentTime") public Long currentTime;
        @JsonProperty("instance_id") public String instanceId;
        @JsonProperty("name") public String name;
        @JsonProperty("start_time") public Long startTime;
        @JsonProperty("end_time") public Long endTime;
        @JsonProperty("taken_time") public Long takenTime;
        @JsonProperty("progress") public Integer progress;
        @JsonProperty("status") public String status;
        @JsonProperty("item") public List<Map<String, Object>> item;
        @JsonProperty("instance") public Map<String, Object> instance;
    }

    static final HttpRequestDef<RomaProcessRequest, RomaProcessResponse> ROMA_PROCESS = romaProcessDef();

    static HttpRequestDef<RomaProcessRequest, RomaProcessResponse> romaProcessDef() {
        HttpRequestDef.Builder<RomaProcessRequest, RomaProcessResponse> b = HttpRequestDef
                .builder(HttpMethod.GET, RomaProcessRequest.class, RomaProcessResponse.class)
                .withName("RomaCreationProgress")
                .withUri("/v2/{project_id}/instances/{instance_id}/process")
                .withContentType("application/json");
        b.<String>withRequestField("instance_id", LocationType.Path, FieldExistence.NON_NULL_NON_EMPTY,
                String.class, f -> f.withMarshaller(RomaProcessRequest::getInstanceId,
                        RomaProcessRequest::setInstanceId));
        return b.build();
    }

    static RomaProcessResponse romaProcess(HcClient core, String id) {
        RomaProcessRequest request = new RomaProcessRequest();
        request.setInstanceId(id);
        return core.syncInvokeHttp(request, ROMA_PROCESS);
    }

    @ParameterizedTest
    @ValueSource(strings = {"aksk", "temporary", "federated"})
    void romaProcessThroughTheCore(String kind) {
        HcClient core = core(kind, PROJECT, null);
        RomaProcessResponse r = romaProcess(core, "roma-ok");
        assertEquals(200, r.getHttpStatusCode());
        assertEquals("roma-ok", r.instanceId);
        assertEquals("roma-running", r.name);
        assertEquals(ROMA_TIMES.get("process_start_time").asLong(), r.startTime);
        assertEquals(100, r.progress);
        assertEquals("RUNNING", r.status);
        assertEquals(2, r.item.size());
        assertEquals("mqs", r.item.get(0).get("name"));
        assertEquals("lvs", r.item.get(1).get("name"));
        assertEquals("roma-ok", r.instance.get("instanceId"));
        RomaProcessResponse failed = romaProcess(core, "roma-fail");
        assertEquals("CREATE_FAILED", failed.status);
        assertEquals(40, failed.progress);
    }

    // --- Errors --------------------------------------------------------------------------------

    static final HttpClient ADMIN = HttpClient.newHttpClient();

    static void admin(String method, String path, String body) throws Exception {
        HttpRequest.BodyPublisher publisher = body == null
                ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body);
        HttpResponse<String> response = ADMIN.send(
                HttpRequest.newBuilder(URI.create(BASE + path)).method(method, publisher).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(2, response.statusCode() / 100, method + " " + path + ": " + response.body());
    }

    @AfterEach
    void clearFaults() throws Exception {
        admin("DELETE", "/_sim/faults", null);
    }

    interface Call {
        void call(String kind, String project, String sk);
    }

    static void expect(Call call, String project, String sk, int status, String code, String message) {
        ServiceResponseException e = assertThrows(ServiceResponseException.class,
                () -> call.call("aksk", project, sk));
        assertEquals(status, e.getHttpStatusCode(), e.toString());
        assertEquals(code, e.getErrorCode(), e.toString());
        assertEquals(message, e.getErrorMsg(), e.toString());
        assertNotNull(e.getRequestId(), e.toString());
        assertTrue(e.getRequestId().matches("[0-9a-f]{32}"), e.toString());
        // 4xx are the SDK's ClientRequestException, 5xx its ServerResponseException.
        assertTrue(status < 500 ? e instanceof ClientRequestException : e instanceof ServerResponseException);
    }

    static final Map<Integer, String[]> APIC = Map.of(
            401, new String[] {"APIC.7102", "Incorrect token or token resolution failed"},
            403, new String[] {"APIC.7106", "No permissions to request for the method"},
            404, new String[] {"APIC.7302", "Instance not found"},
            429, new String[] {"SIM.0429", "Too Many Requests"},
            500, new String[] {"APIC.9000", "Failed to request internal service"});

    static Map<String, Object[]> errorCases() {
        Map<String, Object[]> cases = new LinkedHashMap<>();
        cases.put("apig_progress", new Object[] {(Call) (k, p, s) -> apig(k, p, s).showDetailsOfInstanceProgressV2(
                new ShowDetailsOfInstanceProgressV2Request().withInstanceId("apig-none")), APIC});
        cases.put("roma_instance", new Object[] {(Call) (k, p, s) -> roma(k, p, s).showDetailsOfInstanceV2(
                new ShowDetailsOfInstanceV2Request().withInstanceId("roma-none")), APIC});
        cases.put("roma_process", new Object[] {(Call) (k, p, s) -> romaProcess(core(k, p, s), "roma-none"), APIC});
        cases.put("roma_list", new Object[] {(Call) (k, p, s) -> roma(k, p, s).checkRomaInstanceListV2(
                new CheckRomaInstanceListV2Request().withStatus("RUNNING")), Map.of(
                401, new String[] {"ROMA.00012000", "Incorrect token or token resolution failed"},
                403, new String[] {"ROMA.00012000", "No permissions to request this method"},
                429, new String[] {"SIM.0429", "Too Many Requests"},
                500, new String[] {"ROMA.00011000", "System error"})});
        return cases;
    }

    @Test
    @SuppressWarnings("unchecked")
    void errorBodies() throws Exception {
        for (Map.Entry<String, Object[]> c : errorCases().entrySet()) {
            String operation = c.getKey();
            Call call = (Call) c.getValue()[0];
            Map<Integer, String[]> want = (Map<Integer, String[]>) c.getValue()[1];
            try {
                if (want.containsKey(404)) {
                    expect(call, PROJECT, null, 404, want.get(404)[0], want.get(404)[1]);
                }
                expect(call, PROJECT, "not-the-secret-key", 401, want.get(401)[0], want.get(401)[1]);
                expect(call, OTHER_PROJECT, null, 403, want.get(403)[0], want.get(403)[1]);
                for (int status : new int[] {429, 500}) {
                    admin("POST", "/_sim/faults", "{\"kind\":\"status\",\"status\":" + status
                            + ",\"operation\":\"" + operation + "\",\"times\":1}");
                    expect(call, PROJECT, null, status, want.get(status)[0], want.get(status)[1]);
                }
            } catch (AssertionError e) {
                throw new AssertionError(operation + ": " + e.getMessage(), e);
            }
        }
    }

    // --- What the SDK decoded, for tests/official_sdks.rs --------------------------------------

    static final ObjectMapper MAPPER = JsonUtils.getDefaultMapper();

    static void record(ObjectNode out, String key, Callable<Object> call) {
        ObjectNode entry = out.putObject(key);
        try {
            JsonNode decoded = MAPPER.valueToTree(call.call());
            if (decoded instanceof ObjectNode) {
                ((ObjectNode) decoded).remove("httpStatusCode"); // the SDK's, not the body's
            }
            entry.set("decoded", decoded);
        } catch (Exception e) {
            entry.put("error", e.toString());
        }
    }

    @Test
    void dump() throws Exception {
        ObjectNode out = MAPPER.createObjectNode();
        ApigClient a = apig("aksk", PROJECT, null);
        RomaClient r = roma("aksk", PROJECT, null);
        HcClient core = core("aksk", PROJECT, null);
        for (String id : List.of("apig-ok", "apig-fail", "apig-variant")) {
            record(out, "apig_progress/" + id, () -> a.showDetailsOfInstanceProgressV2(
                    new ShowDetailsOfInstanceProgressV2Request().withInstanceId(id)));
        }
        for (String id : List.of("roma-ok", "roma-fail", "roma-variant")) {
            record(out, "roma_instance/" + id, () -> r.showDetailsOfInstanceV2(
                    new ShowDetailsOfInstanceV2Request().withInstanceId(id)));
            record(out, "roma_process/" + id, () -> romaProcess(core, id));
        }
        record(out, "roma_list/all", () -> r.checkRomaInstanceListV2(
                new CheckRomaInstanceListV2Request().withOffset(0).withLimit(10)));
        Files.writeString(Path.of(need("HWINST_SDK_DUMP")), MAPPER.writeValueAsString(out));
    }
}
