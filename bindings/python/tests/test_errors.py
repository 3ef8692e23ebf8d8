"""Every error code the simulator (or the client itself) can produce, as its exception class,
with the service's details, and never a secret in a message or repr."""

from __future__ import annotations

import builtins
import pickle
import re
import socket
from typing import Any, Dict

import pytest
from conftest import Simulator

import hwinst
from hwinst import Code

SECRET = "s3cret-T0KEN-never-shown"


def secret_free(error: BaseException, *secrets: str) -> None:
    for text in (str(error), repr(error), repr(getattr(error, "document", ""))):
        for secret in secrets or (SECRET,):
            assert secret not in text, text


def test_exception_classes() -> None:
    classes = {
        Code.INVALID_ARGUMENT: hwinst.InvalidArgumentError,
        Code.CONFIG: hwinst.ConfigError,
        Code.TRANSPORT: hwinst.TransportError,
        Code.TIMEOUT: hwinst.TimeoutError,
        Code.UNAUTHORIZED: hwinst.UnauthorizedError,
        Code.FORBIDDEN: hwinst.ForbiddenError,
        Code.NOT_FOUND: hwinst.NotFoundError,
        Code.THROTTLED: hwinst.ThrottledError,
        Code.SERVER: hwinst.ServerError,
        Code.API: hwinst.ApiError,
        Code.DECODE: hwinst.DecodeError,
        Code.CANCELLED: hwinst.CancelledError,
        Code.INSTANCE_FAILED: hwinst.InstanceFailedError,
        Code.PANIC: hwinst.PanicError,
    }
    assert set(classes) == set(Code) - {Code.OK}
    for code, cls in classes.items():
        assert issubclass(cls, hwinst.Error) and cls.default_code is code
        error = cls("boom")
        assert error.code is code and str(error) == "boom"
    assert issubclass(hwinst.InvalidArgumentError, ValueError)
    assert issubclass(hwinst.TimeoutError, builtins.TimeoutError)
    assert issubclass(hwinst.ClosedError, hwinst.InvalidArgumentError)


def test_panic_document_and_unknown_codes() -> None:
    # PANIC cannot be provoked without the library's test hooks: its document is decoded the
    # same way as every other.
    from hwinst._errors import error_from_document

    panic = error_from_document(14, {"code": "PANIC", "message": "hwinst panicked", "retryable": False})
    assert isinstance(panic, hwinst.PanicError) and panic.code is Code.PANIC
    newer = error_from_document(99, {"code": "SOMETHING_NEW", "message": "m"})
    assert type(newer) is hwinst.Error and newer.code == 99
    # The document's name wins over the number.
    named = error_from_document(3, {"code": "NOT_FOUND", "message": "m", "http_status": 404})
    assert isinstance(named, hwinst.NotFoundError) and named.http_status == 404
    bare = error_from_document(7, None)
    assert isinstance(bare, hwinst.NotFoundError) and "without an error document" in str(bare)


def test_invalid_arguments(client: hwinst.Client) -> None:
    for bad in ["", ".", "a/b", "a..b", "a b", "x" * 129, "a%2f", "a?b", "a#b"]:
        with pytest.raises(hwinst.InvalidArgumentError) as caught:
            client.apig_creation_progress(bad)
        assert caught.value.code is Code.INVALID_ARGUMENT and caught.value.http_status is None
    with pytest.raises(hwinst.InvalidArgumentError, match="NUL"):
        client.roma_instance("a\0b")
    with pytest.raises(hwinst.InvalidArgumentError, match="surrogate"):
        client.roma_instance("a\udc80")
    with pytest.raises(TypeError, match="instance_id must be a str"):
        client.clouddc_instance_status(42)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        client.roma_creation_progress(None)  # type: ignore[arg-type]
    with pytest.raises(hwinst.InvalidArgumentError, match="source"):
        client.lifecycle("ecs", "i-1")
    with pytest.raises(hwinst.InvalidArgumentError):
        client.roma_list_instances(offset=-1)
    with pytest.raises(TypeError):
        client.roma_list_instances(limit="10")  # type: ignore[arg-type]
    with pytest.raises(ValueError):  # InvalidArgumentError is a ValueError
        client.wait("apig", "gw", timeout=-1)
    with pytest.raises(TypeError):
        client.wait("apig", "gw", timeout="10s")  # type: ignore[arg-type]
    with pytest.raises(hwinst.InvalidArgumentError, match="unknown phase"):
        client.wait("apig", "gw", until=["nowhere"], timeout=1)


@pytest.mark.parametrize(
    "config,match",
    [
        ({"region": "cn-north-4", "project_id": "p1", "credentials": {"token": SECRET}, "colour": SECRET}, "colour"),
        ({"region": "cn-north-4", "project_id": "p1", "credentials": {"token": SECRET, "sk": SECRET}}, "credentials"),
        ({"region": "cn-north-4", "project_id": "p1", "credentials": {"token": "tiny1"}}, "token"),
        ({"region": "Not A Region!", "project_id": "p1", "credentials": {"token": SECRET}}, "region"),
        ({"region": "cn-north-4", "credentials": {"token": SECRET}}, "project"),
        ({"region": "cn-north-4", "project_id": "p1", "credentials": {"token": SECRET}, "timeouts_ms": {"request": 0}}, "request"),
        ({"project_id": "p1", "credentials": {"token": SECRET}, "endpoints": {"apig": f"https://u:{SECRET}@h"}}, "apig"),
        ({"region": "cn-north-4", "project_id": "p1", "credentials": {"token": SECRET}, "proxy": f"ftp://u:{SECRET}@h:3128/x"}, "proxy"),
    ],
)
def test_config_errors_never_show_secrets(config: Dict[str, Any], match: str) -> None:
    try:
        client = hwinst.Client(config)
    except hwinst.ConfigError as e:
        assert e.code is Code.CONFIG and re.search(match, str(e)), str(e)
        secret_free(e, SECRET, "tiny1")
    else:
        # A bare token needs the project; a region-less client fails when used.
        with client, pytest.raises(hwinst.ConfigError) as caught:
            client.apig_creation_progress("gw")
        assert re.search(match, str(caught.value)), str(caught.value)
        secret_free(caught.value)


def test_config_types() -> None:
    with pytest.raises(hwinst.InvalidArgumentError):
        hwinst.Client("{not json")
    with pytest.raises(hwinst.ConfigError, match="expected an object"):
        hwinst.Client("[1, 2]")
    with pytest.raises(hwinst.InvalidArgumentError, match="not a JSON document"):
        hwinst.Client({"region": object()})
    with pytest.raises(hwinst.InvalidArgumentError):
        hwinst.Client({"region": float("nan")})
    with pytest.raises(hwinst.InvalidArgumentError, match="NUL"):
        hwinst.Client('{"region": "cn-north-4"}\0')
    with pytest.raises(TypeError):
        hwinst.Client(42)  # type: ignore[arg-type]
    with pytest.raises(hwinst.ConfigError):
        hwinst.Client(b'{"region": "cn-north-4", "colour": 1}')


def test_config_as_json_text(sim: Simulator, uid: Any) -> None:
    import json

    gw = uid("gw")
    sim.instance(service="apig", id=gw, step_ms=0)
    with hwinst.Client(json.dumps(sim.config())) as c:
        assert c.apig_creation_progress(gw).progress == 100
    assert c.closed and repr(c) == "<hwinst.Client closed>"
    with pytest.raises(hwinst.ClosedError):
        c.apig_creation_progress(gw)
    with pytest.raises(TypeError):
        pickle.dumps(hwinst.Client(sim.config()))


def _details(error: hwinst.Error, status: int, service_code: str) -> None:
    assert error.http_status == status
    assert error.error_code == service_code, error.error_code
    assert error.error_msg
    assert error.request_id and re.fullmatch(r"[0-9a-f]{32}", error.request_id), error.request_id
    assert error.document["code"] == error.code.name


@pytest.mark.parametrize(
    "status,cls,service_code,retryable",
    [
        (400, hwinst.ApiError, "SIM.0400", False),
        (401, hwinst.UnauthorizedError, "APIC.7102", False),
        (403, hwinst.ForbiddenError, "APIC.7106", False),
        (404, hwinst.NotFoundError, "APIC.7302", False),
        (429, hwinst.ThrottledError, "SIM.0429", True),
        (500, hwinst.ServerError, "APIC.9000", True),
        (502, hwinst.ServerError, "SIM.0502", True),
        (503, hwinst.ServerError, "SIM.0503", True),
        (504, hwinst.ServerError, "SIM.0504", True),
    ],
)
def test_status_faults(sim: Simulator, client: hwinst.Client, uid: Any, status: int, cls: Any, service_code: str, retryable: bool) -> None:
    gw = uid("gw")
    sim.instance(service="apig", id=gw, step_ms=0)
    sim.fault(kind="status", status=status, instance_id=gw, times=1)
    with pytest.raises(cls) as caught:
        client.apig_creation_progress(gw)
    error = caught.value
    assert type(error) is cls and error.code is cls.default_code
    _details(error, status, service_code)
    assert error.retryable is retryable
    assert error.lifecycle is None and error.fleet is None
    assert f"code={error.code.name}" in repr(error)
    # The fault is spent: the next call succeeds.
    assert client.apig_creation_progress(gw).progress == 100


def test_service_error_shapes(sim: Simulator, client: hwinst.Client, uid: Any) -> None:
    with pytest.raises(hwinst.NotFoundError) as caught:
        client.roma_instance(uid("nowhere"))
    _details(caught.value, 404, "APIC.7302")
    with pytest.raises(hwinst.NotFoundError) as caught:
        client.clouddc_instance_status(uid("nowhere"))
    _details(caught.value, 404, "CLOUDDC.0404")
    sim.fault(kind="status", status=500, operation="roma_list", times=1)
    with pytest.raises(hwinst.ServerError) as caught:
        client.roma_list_instances()
    _details(caught.value, 500, "ROMA.00011000")


def test_wrong_token_is_unauthorized_and_never_shown(sim: Simulator, uid: Any) -> None:
    gw = uid("gw")
    sim.instance(service="apig", id=gw, step_ms=0)
    config = sim.config(credentials={"token": SECRET})
    with hwinst.Client(config) as c:
        with pytest.raises(hwinst.UnauthorizedError) as caught:
            c.apig_creation_progress(gw)
    _details(caught.value, 401, "APIC.7102")
    secret_free(caught.value)
    assert SECRET not in repr(c)


def test_wrong_project_is_forbidden(sim: Simulator, uid: Any) -> None:
    gw = uid("gw")
    sim.instance(service="apig", id=gw, step_ms=0)
    with hwinst.Client(sim.config(project_id="another-project")) as c:
        with pytest.raises(hwinst.ForbiddenError) as caught:
            c.apig_creation_progress(gw)
    _details(caught.value, 403, "APIC.7106")


def test_throttled_with_retries_then_success(sim: Simulator, uid: Any) -> None:
    gw = uid("gw")
    sim.instance(service="apig", id=gw, step_ms=0)
    sim.fault(kind="status", status=429, instance_id=gw, times=2)
    config = sim.config(retry={"max_attempts": 3, "base_delay_ms": 1, "max_delay_ms": 10})
    with hwinst.Client(config) as c:
        assert c.apig_creation_progress(gw).progress == 100


def test_decode_error(sim: Simulator, client: hwinst.Client, uid: Any) -> None:
    gw = uid("gw")
    sim.instance(service="apig", id=gw, step_ms=0)
    sim.fault(kind="malformed", instance_id=gw, times=1)
    with pytest.raises(hwinst.DecodeError) as caught:
        client.apig_creation_progress(gw)
    assert caught.value.code is Code.DECODE and caught.value.http_status is None


def test_transport_errors(sim: Simulator, client: hwinst.Client, uid: Any) -> None:
    gw = uid("gw")
    sim.instance(service="apig", id=gw, step_ms=0)
    sim.fault(kind="truncated", instance_id=gw, times=1)
    with pytest.raises(hwinst.TransportError) as caught:
        client.apig_creation_progress(gw)
    assert caught.value.code is Code.TRANSPORT

    # Nothing listening: connection refused.
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    url = f"http://127.0.0.1:{port}"
    config = sim.config(endpoints={"apig": url, "roma": url, "clouddc": url, "iam": url})
    with hwinst.Client(config) as c, pytest.raises(hwinst.TransportError) as caught:
        c.apig_creation_progress(gw)
    assert caught.value.retryable


def test_request_timeout(sim: Simulator, uid: Any) -> None:
    gw = uid("gw")
    sim.instance(service="apig", id=gw, step_ms=0)
    sim.fault(kind="slow", delay_ms=5000, instance_id=gw, times=1)
    with hwinst.Client(sim.config(timeouts_ms={"request": 300})) as c:
        with pytest.raises(hwinst.TimeoutError) as caught:
            c.apig_creation_progress(gw)
        assert caught.value.code is Code.TIMEOUT and caught.value.retryable
        with pytest.raises(builtins.TimeoutError):  # also the built-in one
            sim.fault(kind="slow", delay_ms=5000, instance_id=gw, times=1)
            c.apig_creation_progress(gw)


def test_errors_pickle(client: hwinst.Client, uid: Any) -> None:
    with pytest.raises(hwinst.NotFoundError) as caught:
        client.apig_creation_progress(uid("nowhere"))
    copy = pickle.loads(pickle.dumps(caught.value))
    assert type(copy) is hwinst.NotFoundError
    assert (copy.message, copy.http_status, copy.request_id) == (
        caught.value.message,
        caught.value.http_status,
        caught.value.request_id,
    )

