"""The official Python SDK's side of the benchmark (run.py): huaweicloudsdkapig's
show_details_of_instance_progress_v2 (the same API, GET .../apigw/instances/{id}/progress),
AK/SK-signed by huaweicloudsdkcore, against the same simulator. One JSON line, as
client_py.py. Run with the SDK's virtualenv (scripts/sdk-venv.sh, plus huaweicloudsdkapig).

    python client_sdk.py URL PROJECT_ID AK SK INSTANCE_ID CALLS WARMUP
"""

import json
import logging
import sys
import time


def vm_hwm_kb() -> int:
    """This process's peak resident set (ru_maxrss would carry over the parent's across exec)."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return -1


def main() -> None:
    url, project, ak, sk, instance = sys.argv[1:6]
    calls, warmup = int(sys.argv[6]), int(sys.argv[7])
    from huaweicloudsdkapig.v2 import ApigClient, ShowDetailsOfInstanceProgressV2Request
    from huaweicloudsdkcore.auth.credentials import BasicCredentials
    from huaweicloudsdkcore.http.http_config import HttpConfig

    logging.disable(logging.CRITICAL)
    config = HttpConfig.get_default_config()
    config.ignore_ssl_verification = True
    config.proxy_protocol = None
    client = (
        ApigClient.new_builder()
        .with_http_config(config)
        .with_credentials(BasicCredentials(ak, sk, project))
        .with_endpoints([url])
        .build()
    )
    request = ShowDetailsOfInstanceProgressV2Request(instance_id=instance)

    def once() -> None:
        response = client.show_details_of_instance_progress_v2(request)
        assert response.progress == 100, response

    for _ in range(warmup):
        once()
    cpu0, wall0 = time.process_time(), time.perf_counter()
    for _ in range(calls):
        once()
    cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
    rss = vm_hwm_kb()
    print(json.dumps({"calls": calls, "wall_s": wall, "cpu_s": cpu, "maxrss_kb": rss}))


if __name__ == "__main__":
    main()
