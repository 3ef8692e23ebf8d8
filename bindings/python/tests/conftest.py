"""The simulator, one per test that needs it: ``hwinst sim serve`` (docs/simulator.md).

It prints its base URL as the first line of stdout and serves until its stdin closes. The
binary is ``$HWINST_BIN`` when set, else the newer of ``target/debug/hwinst`` and
``target/release/hwinst`` in the repository above this package (``cargo build --features
cli``), as the Go binding's tests find it. A test that needs it fails without it: it is never
skipped.

The tests import the installed ``hwinst`` (``pip install ./bindings/python``); to run them
against the sources instead: ``HWINST_LIB=target/release/libhwinst.so PYTHONPATH=src pytest``.
"""

from __future__ import annotations

import itertools
import json
import os
import subprocess
import threading
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional

import pytest

import hwinst

HERE = Path(__file__).resolve().parent
BUILD = "cargo build --features cli"


def repository_root() -> Optional[Path]:
    for directory in [HERE, *HERE.parents]:
        if (directory / "Cargo.toml").is_file() and (directory / "include" / "hwinst.h").is_file():
            return directory
    return None


def sim_binary() -> str:
    explicit = os.environ.get("HWINST_BIN")
    if explicit:
        return explicit
    root = repository_root()
    if root is None:
        pytest.fail(f"no hwinst repository above {HERE}: set HWINST_BIN to the hwinst binary of `{BUILD}`")
    candidates = [root / "target" / p / "hwinst" for p in ("debug", "release")]
    found = [c for c in candidates if c.is_file()]
    if not found:
        pytest.fail(f"no hwinst binary in {root}/target/{{debug,release}}: run `{BUILD}` in {root} (or set HWINST_BIN)")
    return str(max(found, key=lambda c: c.stat().st_mtime))


class Simulator:
    """A running ``hwinst sim serve`` and its admin API."""

    def __init__(self) -> None:
        binary = sim_binary()
        self.process = subprocess.Popen(
            [binary, "sim", "serve", "--addr", "127.0.0.1:0"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        self._stderr: List[bytes] = []
        threading.Thread(target=self._drain_stderr, daemon=True).start()
        line: List[bytes] = []
        timer = threading.Timer(20, self.process.kill)
        timer.start()
        try:
            assert self.process.stdout is not None
            first = self.process.stdout.readline()
        finally:
            timer.cancel()
        line.append(first)
        self.url = first.decode().strip()
        if not self.url.startswith("http://127.0.0.1:"):
            self.process.kill()
            self.process.wait()
            pytest.fail(f"the simulator's first line is not its URL: {self.url!r}; stderr: {self.stderr()!r}")
        # The rest of stdout is not read; it says nothing more.

    def _drain_stderr(self) -> None:
        assert self.process.stderr is not None
        for chunk in self.process.stderr:
            self._stderr.append(chunk)

    def stderr(self) -> str:
        return b"".join(self._stderr).decode(errors="replace")

    def stop(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.close()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            pytest.fail(f"the simulator did not exit when its stdin closed: {self.stderr()!r}")
        if self.process.stdout is not None:
            self.process.stdout.close()

    # -- the admin API ----------------------------------------------------------------------

    def admin(self, method: str, path: str, body: Any = None, want: int = 200) -> Any:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(
            self.url + path, data=data, method=method, headers={"Content-Type": "application/json"}
        )
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # loopback: no proxy
        try:
            with opener.open(request, timeout=20) as response:
                status, text = response.status, response.read()
        except urllib.error.HTTPError as e:
            status, text = e.code, e.read()
        assert status == want, f"{method} {path}: {status} (want {want}): {text!r}"
        return json.loads(text) if text else None

    def instance(self, **spec: Any) -> Dict[str, Any]:
        """Adds an instance (the admin API's instance object)."""
        return self.admin("POST", "/_sim/instances", spec, 201)  # type: ignore[no-any-return]

    def fault(self, **spec: Any) -> int:
        """Adds a fault (the admin API's fault object)."""
        return self.admin("POST", "/_sim/faults", spec, 201)["id"]  # type: ignore[no-any-return]

    def advance(self, ms: int) -> None:
        self.admin("POST", "/_sim/advance", {"ms": ms}, 204)

    def scenario(self, **scenario: Any) -> None:
        self.admin("POST", "/_sim/scenario", scenario, 204)

    def requests(self) -> List[Dict[str, Any]]:
        return self.admin("GET", "/_sim/requests")["requests"]  # type: ignore[no-any-return]

    def config(self, **changes: Any) -> Dict[str, Any]:
        """The simulator's client configuration, without retries (most tests check what one
        answer gives), with ``changes`` applied at the top level."""
        config: Dict[str, Any] = self.admin("GET", "/_sim/config")
        config["retry"] = {"max_attempts": 1}
        config["timeouts_ms"] = {"request": 20000}
        config.update(changes)
        return config


@pytest.fixture
def sim() -> Iterator[Simulator]:
    simulator = Simulator()
    try:
        yield simulator
    finally:
        simulator.stop()


@pytest.fixture
def client(sim: Simulator) -> Iterator[hwinst.Client]:
    with hwinst.Client(sim.config()) as c:
        yield c


_ids = itertools.count(1)


@pytest.fixture
def uid() -> Any:
    """uid(prefix): an instance ID no other part of the test run uses."""
    return lambda prefix="i": f"{prefix}-{next(_ids)}"


#: A quick wait: polls every 20 ms (the simulator's steps in these tests last 50 ms).
QUICK = {"initial_interval": 0.02, "max_interval": 0.05, "timeout": 20}
#: A step no test outlives (an hour), for instances that must not move.
HOUR_MS = 3_600_000
