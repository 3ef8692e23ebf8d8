"""The official Python SDK's own federated-identity (OIDC) provider, pointed at the simulator.

Run by tests/it/oidc.rs with the SDK's venv (scripts/sdk-venv.sh), in an environment holding
HUAWEICLOUD_SDK_IDP_ID, HUAWEICLOUD_SDK_ID_TOKEN_FILE, HUAWEICLOUD_SDK_PROJECT_ID and
HUAWEICLOUD_SDK_IAM_ENDPOINT (the simulator). The SDK's EnvCredentialProvider reads them and its
FederalAccessor exchanges the ID token with IAM (the two unsigned calls); this script then signs
one request with the SDK's own signer and those temporary keys, and sends it:

    sdk_oidc.py URL

Standard output, one JSON document: {"access_key": ..., "status": ..., "body": ...}, the
access key (not a secret) the SDK got, and what the simulator answered to the signed GET.
"""

import json
import logging
import sys
from urllib.parse import urlsplit

import requests

from huaweicloudsdkcore.auth.provider import EnvCredentialProvider
from huaweicloudsdkcore.exceptions.exception_handler import DefaultExceptionHandler
from huaweicloudsdkcore.http.http_client import HttpClient
from huaweicloudsdkcore.http.http_config import HttpConfig
from huaweicloudsdkcore.sdk_request import SdkRequest


def main():
    url = urlsplit(sys.argv[1])
    credentials = EnvCredentialProvider.get_basic().get_credentials()
    config = HttpConfig.get_default_config()
    http_client = HttpClient(config, None, DefaultExceptionHandler(), logging.getLogger("sdk"))
    # The SDK's own path: FederalAccessor, the ID token file, IAM's two calls.
    credentials.process_sts(http_client)
    request = SdkRequest(
        method="GET",
        schema=url.scheme,
        host=url.netloc,
        resource_path=url.path,
        uri=url.path,
        query_params=[],
        header_params={"X-Project-Id": credentials.project_id},
        body="",
    )
    signed = credentials.sign_request(request)
    answer = requests.get(sys.argv[1], headers=signed.header_params, timeout=10)
    print(json.dumps({
        "access_key": credentials.ak,
        "status": answer.status_code,
        "body": answer.text,
    }))


if __name__ == "__main__":
    main()
