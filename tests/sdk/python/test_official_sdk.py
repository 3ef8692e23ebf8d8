"""The official Huawei Cloud Python SDK's service clients (huaweicloudsdkapig, huaweicloudsdkroma,
huaweicloudsdkclouddc, pinned in scripts/sdk-venv.sh), unchanged, as clients of `hwinst sim serve`
with the scenario tests/sdk/scenario.json.

Run by tests/official_sdks.rs with the venv's interpreter; it starts the simulator and sets the
HWINST_SIM_* variables (tests/sdk/README.md). Every operation the SDK offers for the five APIs,
with AK/SK and with a temporary AK/SK (security token) from the simulator's metadata endpoint:
typed models with exact values, the simulator's error bodies read into the SDK's exceptions.
ROMA's /process API is in no SDK: it goes through the core's own request path
(Client.do_http_request with a response model of ours). test_dump writes what the SDK decoded
of each body the simulator sends, for the runner's comparison with hwinst's decoding.
"""

import json
import os
import re
import sys
import unittest
import urllib.request

from huaweicloudsdkcore.auth.credentials import BasicCredentials
from huaweicloudsdkcore.exceptions.exceptions import ClientRequestException, ServiceResponseException
from huaweicloudsdkcore.http.http_config import HttpConfig
from huaweicloudsdkcore.sdk_response import SdkResponse
from huaweicloudsdkcore.utils.http_utils import sanitize_for_serialization
from huaweicloudsdkapig.v2 import ApigClient, ShowDetailsOfInstanceProgressV2Request
from huaweicloudsdkroma.v2 import CheckRomaInstanceListV2Request, RomaClient, ShowDetailsOfInstanceV2Request
from huaweicloudsdkclouddc.v1 import CloudDCClient, ShowInstanceStatusRequest


def need(name):
    value = os.environ.get(name)
    if not value:
        sys.exit(f"{name} is not set: run this suite through `cargo test --all-features --test official_sdks`")
    return value


BASE = need("HWINST_SIM_URL")
PROJECT = need("HWINST_SIM_PROJECT")
AK, SK = need("HWINST_SIM_AK"), need("HWINST_SIM_SK")
TEMP = (need("HWINST_SIM_TEMP_AK"), need("HWINST_SIM_TEMP_SK"), need("HWINST_SIM_TEMP_TOKEN"))
IDP_ID, ID_TOKEN_FILE = need("HWINST_SIM_IDP_ID"), need("HWINST_SIM_ID_TOKEN_FILE")
# The times in the bodies, as the simulator sent them.
TIMES = json.loads(need("HWINST_SIM_TIMES"))
APIG_TIMES, ROMA_TIMES = TIMES["apig-ok"], TIMES["roma-ok"]
DUMP = need("HWINST_SDK_DUMP")
FAILED_MSG = "Failed to create the instance: insufficient resources in the AZ (simulated)"
REQUEST_ID = re.compile(r"^[0-9a-f]{32}$")
OTHER_PROJECT = "0123456789abcdef0123456789abcdef"


def credentials(kind, project=PROJECT, sk=None):
    """An AK/SK; a temporary AK/SK with its security token (from the simulator's metadata
    endpoint); or a federated identity, with which the SDK itself trades an OIDC ID token for a
    temporary AK/SK at IAM (the simulator's)."""
    if kind == "aksk":
        return BasicCredentials(AK, sk or SK, project)
    if kind == "federated":
        return (BasicCredentials(project_id=project).with_idp_id(IDP_ID).with_id_token_file(ID_TOKEN_FILE)
                .with_iam_endpoint(BASE))
    ak, temp_sk, token = TEMP
    return BasicCredentials(ak, sk or temp_sk, project).with_security_token(token)


def build(client_class, creds):
    config = HttpConfig.get_default_config()
    config.retry_times = 0
    return (client_class.new_builder().with_http_config(config).with_credentials(creds)
            .with_endpoints([BASE]).build())


def apig(kind="aksk", **kw):
    return build(ApigClient, credentials(kind, **kw))


def roma(kind="aksk", **kw):
    return build(RomaClient, credentials(kind, **kw))


def clouddc(kind="aksk", **kw):
    return build(CloudDCClient, credentials(kind, **kw))


class RomaProcessResponse(SdkResponse):
    """ROMA /process as its document gives it, in the SDK's model convention, so that the core's
    own deserializer reads it (no SDK has this API)."""

    openapi_types = {
        "current_time": "int", "end_time": "int", "instance_id": "str", "name": "str",
        "progress": "int", "start_time": "int", "status": "str", "taken_time": "int",
        "item": "list[object]", "instance": "object",
    }
    attribute_map = {
        "current_time": "currentTime", "end_time": "end_time", "instance_id": "instance_id",
        "name": "name", "progress": "progress", "start_time": "start_time", "status": "status",
        "taken_time": "taken_time", "item": "item", "instance": "instance",
    }

    def __init__(self, **fields):
        super().__init__()
        for attr in self.openapi_types:
            setattr(self, attr, fields.get(attr))

    def to_dict(self):
        return sanitize_for_serialization(self)


def roma_process(client, instance_id):
    return client.do_http_request(
        method="GET",
        resource_path="/v2/{project_id}/instances/{instance_id}/process",
        path_params={"instance_id": instance_id},
        query_params=[],
        header_params={"Content-Type": "application/json"},
        body=None,
        post_params={},
        cname=None,
        response_type=RomaProcessResponse,
        response_headers=[],
        collection_formats={},
        request_type="RomaProcessRequest",
    )


def wire_type_errors(value, declared, package, path="$"):
    """Where the JSON `value` is not of the type the SDK's model declares (`openapi_types`).

    The SDK's deserializer converts silently (int("5") is 5, str(["a"]) is "['a']"), so its
    typed values alone cannot show that a body is not of its documented types: this reads the
    body as sent against the SDK's own declarations."""
    if value is None or declared == "object":
        return []
    if isinstance(declared, str) and declared.startswith("list["):
        if not isinstance(value, list):
            return [f"{path}: {value!r} is not a list"]
        inner = declared[5:-1]
        return [e for i, v in enumerate(value) for e in wire_type_errors(v, inner, package, f"{path}[{i}]")]
    python_type = {"int": int, "str": str, "bool": bool, "float": (int, float)}.get(declared) \
        if isinstance(declared, str) else None
    if python_type is not None:
        ok = isinstance(value, python_type) and (declared == "bool" or not isinstance(value, bool))
        return [] if ok else [f"{path}: {value!r} is not {declared}"]
    klass = declared if isinstance(declared, type) else getattr(package, declared)
    if not klass.openapi_types:  # an enum of strings
        return [] if isinstance(value, str) else [f"{path}: {value!r} is not a string"]
    if not isinstance(value, dict):
        return [f"{path}: {value!r} is not an object"]
    return [e for attr, t in klass.openapi_types.items()
            for e in wire_type_errors(value.get(klass.attribute_map[attr]), t, package,
                                      f"{path}.{klass.attribute_map[attr]}")]


def admin(method, path, body=None):
    request = urllib.request.Request(BASE + path, method=method, data=body.encode() if body else None)
    with urllib.request.urlopen(request) as response:
        assert response.status // 100 == 2, (method, path, response.status)


KINDS = ("aksk", "temporary", "federated")


class Operations(unittest.TestCase):
    def assert_documented_types(self, client, response):
        """The body as sent has the types the SDK's model declares."""
        body = json.loads(response.raw_content)
        self.assertEqual(wire_type_errors(body, type(response), client.model_package), [])

    def test_apig_show_details_of_instance_progress_v2(self):
        for kind in KINDS:
            with self.subTest(credentials=kind):
                client = apig(kind)
                ok = client.show_details_of_instance_progress_v2(ShowDetailsOfInstanceProgressV2Request(instance_id="apig-ok"))
                self.assertEqual(ok.status_code, 200)
                self.assert_documented_types(client, ok)
                self.assertEqual((ok.progress, ok.status, ok.start_time, ok.end_time, ok.error_code, ok.error_msg),
                                 (100, "success", APIG_TIMES["start_time"], APIG_TIMES["end_time"], None, None))
                failed = client.show_details_of_instance_progress_v2(ShowDetailsOfInstanceProgressV2Request(instance_id="apig-fail"))
                self.assert_documented_types(client, failed)
                self.assertEqual((failed.progress, failed.status, failed.error_code, failed.error_msg),
                                 (50, "failed", "APIG.9999", FAILED_MSG))

    def test_roma_show_details_of_instance_v2(self):
        for kind in KINDS:
            with self.subTest(credentials=kind):
                client = roma(kind)
                r = client.show_details_of_instance_v2(ShowDetailsOfInstanceV2Request(instance_id="roma-ok"))
                self.assertEqual(r.status_code, 200)
                self.assert_documented_types(client, r)
                expected = {
                    "id": "roma-ok", "project_id": PROJECT, "instance_name": "roma-running", "status": "Running",
                    "instance_status": 6, "type": "apic", "spec": "ROMA_PROFESSIONAL", "create_time": ROMA_TIMES["create_time"],
                    "enterprise_project_id": "0", "eip_address": "192.0.2.10", "charging_mode": 0,
                    "cbc_metadata": None, "description": "simulated instance", "maintain_begin": "22:00:00",
                    "maintain_end": "02:00:00", "ingress_ip": "192.168.0.5", "nat_eip_address": "192.0.2.11",
                    "bandwidth_size": 5, "available_zone_ids": "[cn-north-4a, cn-north-4b]",
                    "instance_version": "2.3.0", "supported_features": ["gateway_responses", "ratelimit"],
                    "ingress_ips": "192.168.0.5", "cipher_type": "generalCipher",
                }
                self.assertEqual({k: getattr(r, k) for k in expected}, expected)
                self.assertEqual((r.node_ips.livedata, r.node_ips.shubao),
                                 (["192.168.0.30"], ["192.168.0.31", "192.168.0.32"]))
                failed = client.show_details_of_instance_v2(ShowDetailsOfInstanceV2Request(instance_id="roma-fail"))
                self.assert_documented_types(client, failed)
                self.assertEqual((failed.status, failed.instance_status), ("CreateFail", 3))

    def test_roma_check_roma_instance_list_v2(self):
        for kind in KINDS:
            with self.subTest(credentials=kind):
                client = roma(kind)
                running = client.check_roma_instance_list_v2(
                    CheckRomaInstanceListV2Request(status="RUNNING", offset=0, limit=10))
                self.assert_documented_types(client, running)
                self.assertEqual((running.total, running.size), (2, 2))
                self.assertEqual([i.id for i in running.instances], ["roma-ok", "roma-variant"])
                first = running.instances[0]
                expected = {
                    "id": "roma-ok", "name": "roma-running", "description": "simulated instance",
                    "flavor_id": "00400-30101-0--0", "flavor_type": "professional", "cpu_arch": "x86_64",
                    "publicip_enable": True, "publicip_address": "192.0.2.10", "status": "RUNNING",
                    "error_code": None, "error_msg": None, "charge_type": "postPaid", "project_id": PROJECT,
                    "create_time": ROMA_TIMES["list_create_time"],
                    "update_time": ROMA_TIMES["list_update_time"], "maintain_begin": "22:00:00",
                    "maintain_end": "02:00:00", "available_zone_ids": ["cn-north-4a", "cn-north-4b"],
                    "enterprise_project_id": "0",
                }
                self.assertEqual({k: getattr(first, k) for k in expected}, expected)
                page = client.check_roma_instance_list_v2(CheckRomaInstanceListV2Request(offset=1, limit=1))
                self.assertEqual((page.total, page.size, len(page.instances)), (3, 1, 1))
                failed = page.instances[0]
                self.assertEqual((failed.id, failed.status, failed.error_code, failed.error_msg),
                                 ("roma-fail", "CREATE_FAILED", "ROMA.00110002", FAILED_MSG))

    def test_clouddc_show_instance_status(self):
        for kind in KINDS:
            with self.subTest(credentials=kind):
                client = clouddc(kind)
                ok = client.show_instance_status(ShowInstanceStatusRequest(id="dc-ok"))
                self.assert_documented_types(client, ok)
                self.assertEqual((ok.status_code, ok.state, ok.operation_state, ok.error),
                                 (200, "running", "install-succeed", None))
                failed = client.show_instance_status(ShowInstanceStatusRequest(id="dc-fail"))
                self.assert_documented_types(client, failed)
                self.assertEqual((failed.state, failed.operation_state), ("error", "install-failed"))
                self.assertEqual((failed.error.error_code, failed.error.error_msg, failed.error.error_type),
                                 ("CLOUDDC.1001", "Failed to install the instance (simulated)", "create_instance_error"))

    def test_roma_process_through_the_core(self):
        for kind in KINDS:
            with self.subTest(credentials=kind):
                client = roma(kind)
                r = roma_process(client, "roma-ok")
                self.assertEqual(r.status_code, 200)
                self.assertEqual((r.instance_id, r.name, r.start_time, r.progress, r.status),
                                 ("roma-ok", "roma-running", ROMA_TIMES["process_start_time"], 100, "RUNNING"))
                self.assertEqual([(i["name"], i["progress"], i["status"]) for i in r.item],
                                 [("mqs", 100, "RUNNING"), ("lvs", 100, "RUNNING")])
                self.assertEqual((r.instance["instanceId"], r.instance["status"]), ("roma-ok", "RUNNING"))
                failed = roma_process(client, "roma-fail")
                self.assertEqual((failed.status, failed.progress), ("CREATE_FAILED", 40))


APIC = {
    401: ("APIC.7102", "Incorrect token or token resolution failed"),
    403: ("APIC.7106", "No permissions to request for the method"),
    404: ("APIC.7302", "Instance not found"),
    500: ("APIC.9000", "Failed to request internal service"),
}

ERROR_CASES = [
    ("apig_progress", lambda **kw: apig(**kw).show_details_of_instance_progress_v2(
        ShowDetailsOfInstanceProgressV2Request(instance_id="apig-none")), APIC),
    ("roma_instance", lambda **kw: roma(**kw).show_details_of_instance_v2(
        ShowDetailsOfInstanceV2Request(instance_id="roma-none")), APIC),
    ("roma_process", lambda **kw: roma_process(roma(**kw), "roma-none"), APIC),
    ("roma_list", lambda **kw: roma(**kw).check_roma_instance_list_v2(CheckRomaInstanceListV2Request(status="RUNNING")), {
        401: ("ROMA.00012000", "Incorrect token or token resolution failed"),
        403: ("ROMA.00012000", "No permissions to request this method"),
            500: ("ROMA.00011000", "System error"),
    }),
    ("clouddc_status", lambda **kw: clouddc(**kw).show_instance_status(ShowInstanceStatusRequest(id="dc-none")), {
        401: ("CLOUDDC.0401", "The request is not authenticated"),
        403: ("CLOUDDC.0403", "No permission to access the instance"),
        404: ("CLOUDDC.0404", "Instance not found"),
        500: ("CLOUDDC.0500", "Internal server error"),
    }),
]


class ErrorBodies(unittest.TestCase):
    def tearDown(self):
        admin("DELETE", "/_sim/faults")

    def expect(self, call, status, code, message, **kw):
        with self.assertRaises(ServiceResponseException) as raised:
            call(**kw)
        e = raised.exception
        self.assertEqual((e.status_code, e.error_code, e.error_msg), (status, code, message))
        self.assertRegex(e.request_id, REQUEST_ID)
        # 4xx are the SDK's ClientRequestException, 5xx its ServerResponseException.
        self.assertEqual(isinstance(e, ClientRequestException), status < 500)

    def test_error_bodies(self):
        for operation, call, want in ERROR_CASES:
            with self.subTest(operation=operation):
                if 404 in want:
                    self.expect(call, 404, *want[404])
                self.expect(call, 401, *want[401], sk="not-the-secret-key")
                self.expect(call, 403, *want[403], project=OTHER_PROJECT)
                admin("POST", "/_sim/faults", json.dumps(
                    {"kind": "status", "status": 500, "operation": operation, "times": 1}))
                self.expect(call, 500, *want[500])

    def test_too_many_requests(self):
        # The SDK's transport (urllib3's Retry, status_forcelist [429]) retries a 429 itself
        # (HttpConfig.retry_times, 0 here) and then raises without reading the body: the
        # exception has the status and the SDK's own code and message, no request ID. Every
        # service's 429 (Cloud DC's has an empty body) ends the same way.
        for operation, call, _ in ERROR_CASES:
            with self.subTest(operation=operation):
                admin("POST", "/_sim/faults", json.dumps(
                    {"kind": "status", "status": 429, "operation": operation, "times": 1}))
                with self.assertRaises(ClientRequestException) as raised:
                    call()
                e = raised.exception
                self.assertEqual((e.status_code, e.error_code), (429, "429"))
                self.assertIn("too many 429 error responses", e.error_msg)
                admin("DELETE", "/_sim/faults")


class Dump(unittest.TestCase):
    def test_dump(self):
        out = {}

        def record(key, call):
            try:
                out[key] = {"decoded": sanitize_for_serialization(call())}
            except Exception as e:  # what the SDK refuses is recorded, not hidden
                out[key] = {"error": f"{type(e).__name__}: {e}"}

        a, r, d = apig(), roma(), clouddc()
        for i in ("apig-ok", "apig-fail", "apig-variant"):
            record("apig_progress/" + i, lambda: a.show_details_of_instance_progress_v2(
                ShowDetailsOfInstanceProgressV2Request(instance_id=i)))
        for i in ("roma-ok", "roma-fail", "roma-variant"):
            record("roma_instance/" + i, lambda: r.show_details_of_instance_v2(ShowDetailsOfInstanceV2Request(instance_id=i)))
            record("roma_process/" + i, lambda: roma_process(r, i))
        record("roma_list/all", lambda: r.check_roma_instance_list_v2(CheckRomaInstanceListV2Request(offset=0, limit=10)))
        for i in ("dc-ok", "dc-fail"):
            record("clouddc_status/" + i, lambda: d.show_instance_status(ShowInstanceStatusRequest(id=i)))
        with open(DUMP, "w") as f:
            json.dump(out, f, default=str)


if __name__ == "__main__":
    unittest.main(verbosity=2)
