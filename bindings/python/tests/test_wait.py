"""Waits: success, failure, timeout, cancel from another thread, close, Ctrl-C (SIGINT in a
subprocess) and a callback that raises."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path
from typing import Any, List

import pytest
from conftest import HOUR_MS, QUICK, Simulator

import hwinst
from hwinst import Phase


def test_wait_reaches_running(sim: Simulator, client: hwinst.Client, uid: Any) -> None:
    gw = uid("gw")
    sim.instance(service="apig", id=gw, step_ms=50)
    seen: List[hwinst.Lifecycle] = []
    caller = threading.get_ident()
    threads = set()

    def on_change(lifecycle: hwinst.Lifecycle) -> None:
        threads.add(threading.get_ident())
        seen.append(lifecycle)

    ready = client.wait("apig", gw, on_change=on_change, **QUICK)
    assert isinstance(ready, hwinst.Lifecycle)
    assert ready.phase is Phase.RUNNING and ready.progress == 100 and ready.terminal
    assert threads == {caller}, "on_change runs on the calling thread"
    assert seen and seen[0].phase is Phase.CREATING and seen[-1].phase is Phase.RUNNING
    progress = [s.progress for s in seen]
    assert progress == sorted(progress) and len(set(progress)) == len(progress), progress
    assert all(isinstance(s, hwinst.Lifecycle) and s.instance_id == gw for s in seen)


def test_wait_without_callback_and_options(sim: Simulator, client: hwinst.Client, uid: Any) -> None:
    dc = uid("dc")
    sim.instance(service="clouddc", id=dc, step_ms=50)
    assert client.wait(hwinst.Source.CLOUDDC, dc, **QUICK).phase is Phase.RUNNING
    # until another phase; a timedelta; settle.
    import datetime

    pending = uid("dc")
    sim.instance(service="clouddc", id=pending, step_ms=HOUR_MS)
    got = client.wait(
        "clouddc", pending, until=[Phase.PENDING, "creating"], timeout=datetime.timedelta(seconds=5),
        initial_interval=0.01, settle=2,
    )
    assert got.phase is Phase.PENDING
    assert client.wait("clouddc", pending, until="pending", timeout=5, initial_interval=0.01).phase is Phase.PENDING


def test_wait_instance_failed(sim: Simulator, client: hwinst.Client, uid: Any) -> None:
    gw = uid("gw")
    sim.instance(service="apig", id=gw, step_ms=50, outcome="fail")
    with pytest.raises(hwinst.InstanceFailedError) as caught:
        client.wait("apig", gw, **QUICK)
    error = caught.value
    assert error.code is hwinst.Code.INSTANCE_FAILED
    assert error.error_code == "APIG.9999" and error.error_msg
    assert error.lifecycle is not None and error.lifecycle.phase is Phase.FAILED
    assert error.lifecycle.instance_id == gw
    assert error.lifecycle.error is not None and error.lifecycle.error.error_code == "APIG.9999"


def test_wait_timeout(sim: Simulator, client: hwinst.Client, uid: Any) -> None:
    gw = uid("gw")
    sim.instance(service="apig", id=gw, step_ms=HOUR_MS)
    started = time.monotonic()
    with pytest.raises(hwinst.TimeoutError) as caught:
        client.wait("apig", gw, timeout=0.3, initial_interval=0.02)
    assert time.monotonic() - started < 5
    assert caught.value.lifecycle is not None and caught.value.lifecycle.phase is Phase.CREATING
    assert isinstance(caught.value, TimeoutError)


def test_wait_not_found_after_grace(client: hwinst.Client, uid: Any) -> None:
    with pytest.raises(hwinst.NotFoundError):
        client.wait("apig", uid("nowhere"), not_found_grace=0, **QUICK)


def test_cancel_from_another_thread(sim: Simulator, client: hwinst.Client, uid: Any) -> None:
    gw = uid("gw")
    sim.instance(service="apig", id=gw, step_ms=HOUR_MS)
    token = hwinst.CancelToken()
    first = threading.Event()
    cancelled_at: List[float] = []

    def cancel_soon() -> None:
        first.wait(10)
        time.sleep(0.1)
        cancelled_at.append(time.monotonic())
        token.cancel()

    threading.Thread(target=cancel_soon).start()
    with pytest.raises(hwinst.CancelledError) as caught:
        # A minute between polls: only the token can end this wait soon.
        client.wait("apig", gw, initial_interval=60, max_interval=60, timeout=600,
                    on_change=lambda _l: first.set(), cancel=token)
    assert time.monotonic() - cancelled_at[0] < 2
    assert caught.value.lifecycle is not None and caught.value.lifecycle.phase is Phase.CREATING
    assert token.cancelled and "cancelled" in repr(token)
    # A cancelled token stays cancelled: another wait with it ends at once.
    started = time.monotonic()
    with pytest.raises(hwinst.CancelledError):
        client.wait("apig", gw, timeout=600, cancel=token)
    assert time.monotonic() - started < 2


def test_cancel_cuts_a_request_in_flight(sim: Simulator, client: hwinst.Client, uid: Any) -> None:
    gw = uid("gw")
    sim.instance(service="apig", id=gw, step_ms=HOUR_MS)
    sim.fault(kind="slow", delay_ms=10_000, instance_id=gw, times=1)
    token = hwinst.CancelToken()
    threading.Timer(0.3, token.cancel).start()
    started = time.monotonic()
    with pytest.raises(hwinst.CancelledError):
        client.wait("apig", gw, timeout=60, cancel=token)
    assert time.monotonic() - started < 3


def test_callback_exception_propagates_unchanged(sim: Simulator, client: hwinst.Client, uid: Any) -> None:
    gw = uid("gw")
    sim.instance(service="apig", id=gw, step_ms=50)

    class Stop(Exception):
        pass

    stop = Stop("enough")
    calls = []

    def on_change(lifecycle: hwinst.Lifecycle) -> None:
        calls.append(lifecycle)
        raise stop

    with pytest.raises(Stop) as caught:
        client.wait("apig", gw, on_change=on_change, **QUICK)
    assert caught.value is stop and len(calls) == 1
    # The wait was cancelled: no poll after it returned.
    before = len(sim.requests())
    time.sleep(0.3)
    assert len(sim.requests()) == before
    # The client is still usable.
    assert client.wait("apig", gw, **QUICK).phase is Phase.RUNNING


def test_close_cancels_waits(sim: Simulator, uid: Any) -> None:
    gw = uid("gw")
    sim.instance(service="apig", id=gw, step_ms=HOUR_MS)
    c = hwinst.Client(sim.config())
    threading.Timer(0.3, c.close).start()
    started = time.monotonic()
    with pytest.raises(hwinst.CancelledError):
        c.wait("apig", gw, initial_interval=60, max_interval=60, timeout=600)
    assert time.monotonic() - started < 3
    with pytest.raises(hwinst.ClosedError):
        c.wait("apig", gw, timeout=1)


def test_close_from_on_change(sim: Simulator, uid: Any) -> None:
    gw = uid("gw")
    sim.instance(service="apig", id=gw, step_ms=HOUR_MS)
    c = hwinst.Client(sim.config())
    with pytest.raises(hwinst.CancelledError):
        c.wait("apig", gw, initial_interval=60, max_interval=60, timeout=600,
               on_change=lambda _l: c.close())
    assert c.closed


def test_on_change_may_call_the_client(sim: Simulator, client: hwinst.Client, uid: Any) -> None:
    gw = uid("gw")
    sim.instance(service="apig", id=gw, step_ms=50)
    progress: List[Any] = []
    client.wait("apig", gw, on_change=lambda l: progress.append(client.apig_creation_progress(gw).progress), **QUICK)
    assert progress and all(isinstance(p, int) for p in progress)


CTRL_C_CHILD = textwrap.dedent(
    """
    import json, sys, time
    import hwinst
    config, instance, interval = json.loads(sys.argv[1]), sys.argv[2], float(sys.argv[3])
    client = hwinst.Client(config)
    def on_change(lifecycle):
        print("waiting", lifecycle.phase, flush=True)
    try:
        client.wait("apig", instance, initial_interval=interval, max_interval=interval,
                    timeout=600, on_change=on_change)
    except KeyboardInterrupt:
        started = time.monotonic()
        client.close()  # the wait was cancelled and has returned: close does not block
        print("interrupted", round(time.monotonic() - started, 3), flush=True)
        sys.exit(42)
    print("not interrupted", flush=True)
    """
)


def child_environment() -> dict:
    env = dict(os.environ)
    # The child imports the same hwinst as this test.
    package_parent = str(Path(hwinst.__file__).resolve().parent.parent)
    env["PYTHONPATH"] = os.pathsep.join(p for p in [package_parent, env.get("PYTHONPATH", "")] if p)
    return env


@pytest.mark.parametrize("during", ["pause", "request"])
def test_ctrl_c_stops_a_wait(sim: Simulator, uid: Any, during: str) -> None:
    gw = uid("gw")
    sim.instance(service="apig", id=gw, step_ms=HOUR_MS)
    # "pause": a minute between polls; "request": the second poll, half a second after the
    # first, hangs in a 30 s answer.
    interval = "60" if during == "pause" else "0.5"
    child = subprocess.Popen(
        [sys.executable, "-c", CTRL_C_CHILD, json.dumps(sim.config()), gw, interval],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=child_environment(),
        text=True,
    )
    try:
        assert child.stdout is not None
        line = child.stdout.readline()
        assert line.startswith("waiting creating"), (line, child.stderr.read() if child.stderr else "")
        if during == "request":
            sim.fault(kind="slow", delay_ms=30_000, instance_id=gw)
            time.sleep(1.0)  # the next poll is in flight, held by the fault
            assert len(sim.requests()) == 1, "the held poll has not been answered"
        else:
            time.sleep(0.2)
        sent = time.monotonic()
        child.send_signal(signal.SIGINT)
        out, err = child.communicate(timeout=10)
        elapsed = time.monotonic() - sent
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    assert child.returncode == 42, (child.returncode, out, err)
    assert "interrupted" in out, (out, err)
    assert elapsed < 3, f"Ctrl-C took {elapsed:.1f} s to stop the wait"


@pytest.mark.parametrize("kind", ["wait", "wait_many"])
def test_an_exception_on_the_final_change_wins(sim: Simulator, client: hwinst.Client, uid: Any, kind: str) -> None:
    # The change that also ends the wait (here the first and only one: the instance is
    # already running) and on_change raises: whatever the library's code for a callback's
    # "stop" on that change (issue 26: OK for hwinst_wait_many, CANCELLED for hwinst_wait
    # today), Python raises the callback's exception, the same object, for both.
    gw = uid("gw")
    sim.instance(service="apig", id=gw, step_ms=0)

    class Stop(Exception):
        pass

    stop = Stop("the final change")
    seen: List[Phase] = []

    def on_change(lifecycle: hwinst.Lifecycle) -> None:
        seen.append(lifecycle.phase)
        raise stop

    with pytest.raises(Stop) as caught:
        if kind == "wait":
            client.wait("apig", gw, on_change=on_change, **QUICK)
        else:
            client.wait_many([("apig", gw)], on_change=on_change, **QUICK)
    assert caught.value is stop and seen == [Phase.RUNNING]
