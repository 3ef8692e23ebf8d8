"""Issue 26 items fixed in the library (1, 2, 7) as the Python binding sees them: an
overflowing Retry-After and a tiny rate are errors, never PanicError; a token a server echoes
in a 200 body is masked."""

from __future__ import annotations

import http.server
import json
import threading
from typing import Any, Callable, Dict, Iterator, Tuple

import pytest

import hwinst

TOKEN = "TOKENxHostile-never-shown-0123456789"
Answer = Callable[[str], Tuple[int, Dict[str, str], Dict[str, Any]]]


class RawServer:
    """Answers every GET with ``answer(path)``: (status, headers, JSON body)."""

    def __init__(self, answer: Answer) -> None:
        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server's name
                status, headers, document = answer(self.path)
                body = json.dumps(document).encode()
                self.send_response(status)
                for name, value in {"Content-Type": "application/json", **headers}.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.config = {
            "region": "cn-north-4", "project_id": "0a1b2c3d4e5f",
            "credentials": {"token": TOKEN}, "allow_http": True, "proxy": "none",
            "endpoints": {"apig": url, "roma": url, "clouddc": url},
            "retry": {"max_attempts": 2, "base_delay_ms": 1, "max_delay_ms": 10},
        }

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def serving(answer: Answer) -> Iterator[hwinst.Client]:
    server = RawServer(answer)
    try:
        with hwinst.Client(server.config) as client:
            yield client
    finally:
        server.stop()


QUICK: Dict[str, Any] = {"initial_interval": 0.01, "max_interval": 0.02, "timeout": 2}


@pytest.mark.parametrize("retry_after", ["18446744073709551615", str(2**63 - 1)])
def test_an_overflowing_retry_after_is_not_a_panic(retry_after: str) -> None:
    # 26.1: a 429 whose Retry-After overflows an Instant.
    for client in serving(lambda path: (429, {"Retry-After": retry_after},
                                        {"error_code": "APIG.0308", "error_msg": "throttled"})):
        with pytest.raises(hwinst.Error) as single:
            client.wait("apig", "gw-1", **QUICK)
        assert not isinstance(single.value, hwinst.PanicError), single.value
        with pytest.raises(hwinst.Error) as fleet:
            client.wait_many([("apig", "gw-1"), ("apig", "gw-2")], **QUICK)
        assert not isinstance(fleet.value, hwinst.PanicError), fleet.value
        assert fleet.value.fleet is not None  # the fleet document came back


@pytest.mark.parametrize("rate", [1e-20, 1e-19, 1e-300, 5e-324])
def test_a_tiny_rate_is_not_a_panic(rate: float) -> None:
    # 26.2: a rate whose interval overflows a Duration: refused, or a wait that times out.
    progress = {"progress": 30, "status": "creating"}
    for client in serving(lambda path: (200, {}, progress)):
        with pytest.raises((hwinst.InvalidArgumentError, hwinst.TimeoutError)) as caught:
            client.wait_many([("apig", "gw-1"), ("apig", "gw-2")],
                             max_requests_per_second={"apig": rate}, **QUICK)
        assert not isinstance(caught.value, hwinst.PanicError)


def test_a_token_in_a_200_error_msg_is_masked() -> None:
    # 26.7: a 200 with "status":"failed" whose error_msg echoes the client's token.
    failed = {"progress": 50, "status": "failed", "error_code": "APIG.9999",
              "error_msg": f"token {TOKEN} refused"}
    for client in serving(lambda path: (200, {}, failed)):
        with pytest.raises(hwinst.InstanceFailedError) as single:
            client.wait("apig", "gw-1", **QUICK)
        with pytest.raises(hwinst.InstanceFailedError) as fleet:
            client.wait_many([("apig", "gw-1")], **QUICK)
        for error in (single.value, fleet.value):
            for text in (str(error), repr(error), str(error.error_msg), json.dumps(error.document)):
                assert TOKEN not in text, text
        assert fleet.value.fleet is not None
        assert TOKEN not in json.dumps(fleet.value.fleet.raw)
