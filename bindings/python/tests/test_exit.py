"""The interpreter's exit while waits are in flight on daemon threads (issue 26.6).

At exit CPython ends a daemon thread that asks for the GIL by unwinding its stack
(pthread_exit). A wait's worker thread asks for it inside the library, whenever the library
calls back with a change: unwinding through the library's frames aborted the process
("FATAL: exception not rethrown", rc -6): 12 runs in 12 here before the fix. Each run here is a fresh
interpreter whose main thread returns while eight daemon threads are in a fleet wait (or a
single wait) with ``on_change``, and lifecycles change every millisecond or so."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any, List, Tuple

import pytest
from conftest import Simulator


SCRIPT = r"""
import json, sys, threading, time, urllib.request
import hwinst

config, admin, kind, prefix = json.loads(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
client = hwinst.Client(config)
opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
# Fresh instances, made here so that their lifecycles start now: 64 of them, each stepping
# every 20-83 ms, so that changes keep arriving while the interpreter exits.
ids = []
for n in range(64):
    ids.append(f"{prefix}-{n}")
    spec = {"service": "apig", "id": ids[-1], "step_ms": 20 + n}
    request = urllib.request.Request(admin + "/_sim/instances", json.dumps(spec).encode(),
                                     {"Content-Type": "application/json"}, method="POST")
    opener.open(request, timeout=20).close()
started = threading.Barrier(9)


def run(mine):
    options = {"initial_interval": 0.005, "max_interval": 0.01, "timeout": 60,
               "on_change": lambda lifecycle: None}
    started.wait()
    try:
        if kind == "fleet":
            client.wait_many([("apig", i) for i in mine],
                             max_requests_per_second={"apig": 100000}, **options)
        else:
            client.wait("apig", mine[0], **options)
    except hwinst.Error:
        pass


for n in range(8):
    threading.Thread(target=run, args=(ids[n::8],), daemon=True).start()
started.wait()
time.sleep(0.1)
"""

RUNS = 12


def run_script(sim: Simulator, uid: Any, kind: str) -> List[Tuple[int, str]]:
    codes = []
    for _ in range(RUNS):
        done = subprocess.run(
            [sys.executable, "-c", SCRIPT, json.dumps(sim.config()), sim.url, kind, uid("exit")],
            capture_output=True,
            timeout=60,
        )
        codes.append((done.returncode, done.stderr.decode(errors="replace")[-300:]))
    return codes


@pytest.mark.parametrize("kind", ["fleet", "wait"])
def test_exit_with_waits_in_flight_on_daemon_threads(sim: Simulator, uid: Any, kind: str) -> None:
    runs = run_script(sim, uid, kind)
    assert runs == [(0, "")] * RUNS, f"{sum(1 for c, _ in runs if c)} of {RUNS} runs failed: {runs}"
