"""The Authorization value that the official Python SDK (huaweicloudsdkcore) computes for a request.

A second, independent implementation of AK/SK signing (SDK-HMAC-SHA256) to check ours against:
this script only translates the captured request into the SDK's SdkRequest and lets the SDK's own
signer do all the work (canonical path, query, headers, hashes, HMAC).

Run it with the venv's interpreter (`bash scripts/sdk-venv.sh` prints its path):

    "$(bash scripts/sdk-venv.sh)" tests/sdk/sdk_signature.py < request.json

Standard input, one JSON document, the request exactly as captured on the wire:

    {"ak": "...", "sk": "...", "method": "GET", "scheme": "https", "host": "h.example.com",
     "path": "/v2/p/instances", "query": "limit=1&offset=0",
     "headers": {"Host": "h.example.com", "X-Sdk-Date": "20261122T101500Z", ...},
     "body": ""}

`path` and `query` are as sent (percent-encoded, `query` without `?`, possibly empty); `headers`
are exactly the headers the request's SignedHeaders lists, with their sent values, X-Sdk-Date
included (the SDK then takes the time from it instead of the clock). Standard output: the
Authorization value, one line. Exit status 2 on a malformed document.
"""

import json
import sys
from urllib.parse import unquote

from huaweicloudsdkcore.auth.credentials import BasicCredentials
from huaweicloudsdkcore.sdk_request import SdkRequest
from huaweicloudsdkcore.signer.signer import Signer


class _SignerWithoutHost(Signer):
    """The SDK's Signer, except that it does not add a Host header when the request has none.

    The SDK always signs `host`; a request that did not (the first published vector) can only
    be reproduced by skipping that one step. Everything else is the SDK's code, unchanged.
    """

    @classmethod
    def _process_header_host(cls, request):
        pass


def _query_params(query):
    """The wire query as the (key, value) list the SDK's client hands its signer, decoded.

    `+` stays a literal plus (the Rust client encodes a space as %20); a parameter without `=`
    has an empty value.
    """
    params = []
    for param in query.split("&"):
        if not param:
            continue
        key, _, value = param.partition("=")
        params.append((unquote(key), unquote(value)))
    return params


def main():
    try:
        doc = json.load(sys.stdin)
        ak, sk = doc["ak"], doc["sk"]
        method = doc.get("method", "GET")
        scheme = doc.get("scheme", "https")
        host = doc.get("host") or ""
        path = doc["path"]
        query = doc.get("query") or ""
        headers = {str(k): str(v) for k, v in doc["headers"].items()}
        body = doc.get("body") or ""
    except (ValueError, KeyError, TypeError, AttributeError) as e:
        print(f"sdk_signature.py: bad request document: {type(e).__name__}: {e}", file=sys.stderr)
        return 2

    names = {k.lower() for k in headers}
    if "x-sdk-date" not in names:
        print("sdk_signature.py: headers must include X-Sdk-Date", file=sys.stderr)
        return 2
    sent_host = next((v for k, v in headers.items() if k.lower() == "host"), None)
    if sent_host is not None and host and sent_host != host:
        print(f"sdk_signature.py: host {host!r} but Host header {sent_host!r}", file=sys.stderr)
        return 2

    request = SdkRequest(
        method=method,
        schema=scheme,
        host=host,
        resource_path=path,
        query_params=_query_params(query),
        header_params=headers,
        body=body,
    )
    credentials = BasicCredentials(ak, sk)
    if sent_host is not None:
        # The SDK's own entry point: the credentials pick the signer for the default algorithm
        # (SDK-HMAC-SHA256, i.e. Signer). No project ID or security token is set on the
        # credentials: X-Project-Id and X-Security-Token, when signed, are in `headers` already.
        credentials.sign_request(request)
    else:
        _SignerWithoutHost(credentials).sign(request)
    print(request.header_params["Authorization"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
