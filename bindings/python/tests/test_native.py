"""hwinst._native, the per-call path in C (src/hwinst/_native.c), and the ctypes path the
binding falls back to without it: the same results and errors either way; bad arguments to the
extension are Python exceptions, never a crash."""

from __future__ import annotations

import json
import platform
import subprocess
import sys
from typing import Any, Dict

import pytest
from conftest import Simulator

import hwinst
from hwinst import _lib

INSTANCE = "eddc4d25480b4cd6b512f270a1b8b341"


@pytest.mark.skipif(platform.python_implementation() != "CPython", reason="the extension is CPython's")
def test_the_installed_package_calls_through_the_extension() -> None:
    # Built by every install from the repository on CPython (a C compiler is there: cargo
    # needs one): a missing extension here would leave the fast path untested.
    assert _lib.NATIVE, "hwinst._native was not built: is there a C compiler and Python.h?"


native = pytest.importorskip("hwinst._native")


def addresses(client: hwinst.Client) -> Dict[str, int]:
    function = _lib._address(_lib.lib.hwinst_apig_creation_progress)
    return {"function": function, "free": _lib._address(_lib._string_free), "client": client._pointer}


def test_a_call_gives_the_code_and_the_document(sim: Simulator, client: hwinst.Client) -> None:
    sim.instance(service="apig", id=INSTANCE, outcome="steady")
    a = addresses(client)
    code, document = native.call(a["function"], a["free"], a["client"], INSTANCE.encode())
    assert code == 0
    assert type(document) is str and json.loads(document)["progress"] == 100
    code, document = native.call(a["function"], a["free"], a["client"], b"missing-instance")
    assert code != 0
    assert json.loads(document)["code"] == "NOT_FOUND"
    # NULL where the library takes NULL: its own INVALID_ARGUMENT document.
    code, document = native.call(a["function"], a["free"], a["client"], None)
    assert json.loads(document)["code"] == "INVALID_ARGUMENT" and "instance_id" in document


@pytest.mark.parametrize(
    "arguments, error",
    [
        ((), TypeError),
        ((1, 2, 3), TypeError),
        ((1, 2, 3, b"a", b"b", b"c"), TypeError),
        (("1", 2, 3, b"a"), TypeError),
        ((0, 2, 3, b"a"), ValueError),
        ((1, 0, 3, b"a"), ValueError),
        ((1, 2, 0, b"a"), ValueError),
        ((1, 2, 3, "text"), TypeError),
        ((1, 2, 3, b"a\0b"), ValueError),
        ((1, 2, 3, b"a", 7), TypeError),
        ((1 << 80, 2, 3, b"a"), OverflowError),
    ],
)
def test_bad_arguments_are_exceptions_before_any_call(arguments: Any, error: type) -> None:
    # The addresses 1, 2, 3 would crash if called: every check runs before the call.
    with pytest.raises(error):
        native.call(*arguments)


FALLBACK = r"""
import json, sys
sys.modules["hwinst._native"] = None  # as where it was not built
import hwinst
from hwinst import _lib
config, instance = json.loads(sys.argv[1]), sys.argv[2]
assert not _lib.NATIVE
with hwinst.Client(config) as client:
    progress = client.apig_creation_progress(instance)
    try:
        client.apig_creation_progress("missing-instance")
        raise SystemExit("no error")
    except hwinst.NotFoundError as e:
        missing = type(e).__name__
    lifecycle = client.lifecycle("apig", instance)
print(json.dumps({"progress": progress.progress, "status": progress.status.value,
                  "raw": dict(progress.raw), "missing": missing, "phase": lifecycle.phase.value}))
"""


def test_without_the_extension_the_binding_calls_through_ctypes(sim: Simulator, client: hwinst.Client) -> None:
    sim.instance(service="apig", id=INSTANCE, outcome="steady")
    done = subprocess.run(
        [sys.executable, "-c", FALLBACK, json.dumps(sim.config()), INSTANCE],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=60, check=False,
    )
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout)
    progress = client.apig_creation_progress(INSTANCE)
    assert seen == {
        "progress": progress.progress,
        "status": progress.status.value if progress.status else None,
        "raw": dict(progress.raw),
        "missing": "NotFoundError",
        "phase": client.lifecycle("apig", INSTANCE).phase.value,
    }
