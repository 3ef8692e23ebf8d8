"""hwinst._native, the per-call path in C (src/hwinst/_native.c), and the ctypes path the
binding falls back to without it: the same results and errors either way; bad arguments to the
extension are Python exceptions, never a crash."""

from __future__ import annotations

import json
import math
import os
import platform
import random
import struct
import subprocess
import sys
from pathlib import Path
from typing import Any, Dict, List, Tuple

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
    # Read into a dict in C (yyjson), as json.loads would.
    assert type(document) is dict and document["progress"] == 100
    code, document = native.call(a["function"], a["free"], a["client"], b"missing-instance")
    assert code != 0
    assert type(document) is dict and document["code"] == "NOT_FOUND"
    # NULL where the library takes NULL: its own INVALID_ARGUMENT document.
    code, document = native.call(a["function"], a["free"], a["client"], None)
    assert document["code"] == "INVALID_ARGUMENT" and "instance_id" in document["message"]


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


# -- documents: what hwinst._native reads must be what the json module reads --------------------


def same(a: Any, b: Any) -> bool:
    """Equal and of the same types all the way down (True is not 1, -0.0 is not 0.0, NaN is
    NaN, and a dict's keys in the same order)."""
    if type(a) is not type(b):
        return False
    if type(a) is float:
        if math.isnan(a) or math.isnan(b):
            return math.isnan(a) and math.isnan(b)
        return a == b and math.copysign(1.0, a) == math.copysign(1.0, b)
    if type(a) is dict:
        return list(a) == list(b) and all(same(a[k], b[k]) for k in a)
    if type(a) is list:
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    return bool(a == b)


def outcome(document: Any) -> Tuple[str, Any]:
    """What the binding makes of a document (``_lib.parse_json``, which returns a dict that
    hwinst._native read as it is): ("value", the value) or ("error", the exception's type)."""
    try:
        return "value", _lib.parse_json(document)
    except (ValueError, RecursionError) as e:
        return "error", type(e)


def check(text: bytes) -> Any:
    """hwinst._native's reading of ``text`` leads to what the json module alone gives; returns
    what hwinst._native gave (a dict it read, or the text it left to the json module)."""
    given = native.document(text)
    try:
        reference = outcome(text.decode())
    except UnicodeDecodeError:
        reference = ("error", UnicodeDecodeError)
        assert type(given) is bytes and given == text
    if type(given) is not dict:
        assert given == text or given == text.decode(), "the text, unchanged, for the json module"
    seen = outcome(given)
    assert seen[0] == reference[0] and (
        same(seen[1], reference[1]) if seen[0] == "value" else issubclass(seen[1], reference[1])
    ), (text[:200], seen, reference)
    return given


#: The services' example documents (the repository's tests/fixtures; HWINST_FIXTURES where the
#: suite runs from a copy, as scripts/dist --check runs it).
FIXTURES = Path(os.environ.get("HWINST_FIXTURES") or Path(__file__).resolve().parents[3] / "tests" / "fixtures")


def test_the_services_documents_are_read_in_c_as_the_json_module_reads_them() -> None:
    documents = sorted(FIXTURES.glob("*.json"))
    assert len(documents) >= 5, f"the services' documents are not in {FIXTURES}"
    for fixture in documents:
        value = json.loads(fixture.read_text())
        for text in (json.dumps(value, separators=(",", ":"), ensure_ascii=False),
                     json.dumps(value, separators=(",", ":"))):
            assert type(check(text.encode())) is dict, fixture.name


NUMBERS = [
    "0", "-0", "1", "-1", "100", "1796652368328", str(2**63 - 1), str(2**63), str(2**64 - 1),
    str(2**64), str(-(2**63)), str(-(2**63) - 1), str(10**30), str(-(10**30)), "9" * 4000,
    "0.0", "-0.0", "1.5", "0.1", "1e5", "1E5", "1e+5", "1e-5", "-1.25e-7", "1.7976931348623157e308",
    "2.2250738585072014e-308", "5e-324", "4.9406564584124654e-324", "2.4703282292062327e-324",
    "1e-400", "1e308", "123456789012345678901234567890.5", "0.30000000000000004",
]


@pytest.mark.parametrize("number", NUMBERS)
def test_numbers_are_the_json_modules_ints_and_floats(number: str) -> None:
    assert type(check(b'{"n":' + number.encode() + b"}")) is dict
    check(b'{"n":[' + number.encode() + b"," + number.encode() + b"]}")


def test_random_doubles_are_the_json_modules_floats() -> None:
    rng = random.Random(27)
    values: List[float] = []
    while len(values) < 3000:
        (value,) = struct.unpack("<d", rng.getrandbits(64).to_bytes(8, "little"))
        if math.isfinite(value):
            values.append(value)
    values += [rng.uniform(0, 1e-3) for _ in range(500)] + [rng.uniform(-1e6, 1e6) for _ in range(500)]
    text = json.dumps({"floats": values}, separators=(",", ":")).encode()
    read = check(text)
    assert type(read) is dict and len(read["floats"]) == len(values)
    # Shortest form and every digit written out, both.
    check(("{" + ",".join(f'"{i}":{v:.17e}' for i, v in enumerate(values[:500])) + "}").encode())


@pytest.mark.parametrize(
    "text, read_in_c",
    [
        (b"{}", True),
        (b'{"a":{"b":[1,true,false,null,"x",{}],"c":[]}}', True),
        (b'{"a":1,"b":2,"a":3}', True),  # a key sent twice: its first place, its last value
        (b'{"s":"\\"\\\\\\/\\b\\f\\n\\r\\t"}', True),
        (b'{"s":"\\u0000 \\u00e9 \\ud83d\\ude00 \\u20ac"}', True),
        ('{"s":"é € 😀 中文","ключ":"значение"}'.encode(), True),
        (b'{"a" : 1 , "b" :\n[ 1 , 2 ]\t}', True),  # white space inside is JSON's
        (b' {"a":1}', False),  # around it, the json module refuses it (parse_json)
        (b'{"a":1} ', False),
        (b'{"a":1}\n', False),
        (b"[1,2]", False),  # not an object
        (b'"text"', False),
        (b"null", False),
        (b"", False),
        (b"{", False),
        (b"}", False),
        (b'{"a":1}{"b":2}', False),
        (b'{"a":1,}', False),
        (b'{"a":NaN}', False),  # the json module's NaN and Infinity are not JSON to yyjson
        (b'{"a":-Infinity}', False),
        (b'{"a":1e400}', False),  # a float beyond a double: the json module's inf
        (b'{"a":-1e400}', False),
        (b'{"s":"\\ud800"}', False),  # a lone surrogate: the json module keeps it
        (b'{"s":"\\udc00x"}', False),
        (b'{"a":01}', False),
        (b'{"a":.5}', False),
        (b'{"a":"\x01"}', False),  # a raw control character
        (b'{"a":"\xff"}', False),  # not UTF-8: the bytes, refused
        (b'{"a":"\xed\xa0\x80"}', False),  # an encoded surrogate is not UTF-8
        (b'{"a":1 /* no */}', False),
        (b'{"' + b"k" * 100000 + b'":"' + b"v" * 100000 + b'"}', True),
        (b'{"a":' + b"9" * 5000 + b"}", False),  # past the interpreter's digits, or not
    ],
)
def test_documents_hwinst_native_leaves_to_the_json_module(text: bytes, read_in_c: bool) -> None:
    given = check(text)
    if text.startswith(b'{"a":' + b"9" * 5000) and sys.version_info < (3, 11):
        return  # no digit limit before 3.11: int() reads it in C too
    assert (type(given) is dict) == read_in_c


@pytest.mark.parametrize("depth, read_in_c", [(1, True), (120, True), (200, False), (100_000, False)])
def test_deep_documents_past_a_limit_are_the_json_modules(depth: int, read_in_c: bool) -> None:
    # 100,000 levels: the json module's RecursionError, never a crash in C.
    for text in (b'{"a":' * depth + b"1" + b"}" * depth,
                 b'{"a":' + b"[" * (depth - 1) + b"1" + b"]" * (depth - 1) + b"}"):
        assert (type(check(text)) is dict) == read_in_c


def test_document_takes_bytes_only() -> None:
    for bad in ("{}", None, 1, bytearray(b"{}")):
        with pytest.raises(TypeError):
            native.document(bad)  # type: ignore[arg-type]
