"""Fleet waits (hwinst_wait_many): outcomes, errors with the fleet, cancelling, options."""

from __future__ import annotations

import threading
import time
from typing import Any, Dict, List

import pytest
from conftest import HOUR_MS, Simulator

import hwinst
from hwinst import Outcome, Phase, Source, Target

#: Quick for a fleet: short polls and a budget per service that never holds the tests back.
FLEET_QUICK: Dict[str, Any] = {
    "initial_interval": 0.02,
    "max_interval": 0.05,
    "timeout": 20,
    "max_requests_per_second": {"apig": 200, "roma": 200, "clouddc": 200},
}


def test_fleet_reaches_running(sim: Simulator, client: hwinst.Client, uid: Any) -> None:
    gw, roma, dc = uid("gw"), uid("roma"), uid("dc")
    sim.instance(service="apig", id=gw, step_ms=50)
    sim.instance(service="roma", id=roma, step_ms=50)
    sim.instance(service="clouddc", id=dc, step_ms=50)
    seen: Dict[str, int] = {}
    caller = threading.get_ident()
    threads = set()

    def on_change(event: hwinst.FleetEvent) -> None:
        threads.add(threading.get_ident())
        key = f"{event.target.source}/{event.target.instance_id}"
        seen[key] = seen.get(key, 0) + 1

    fleet = client.wait_many(
        [Target(Source.APIG, gw), ("roma", roma), {"source": "clouddc", "instance_id": dc}],
        on_change=on_change,
        **FLEET_QUICK,
    )
    assert isinstance(fleet, hwinst.Fleet)
    assert [(i.source, i.instance_id) for i in fleet.instances] == [
        (Source.APIG, gw), (Source.ROMA, roma), (Source.CLOUDDC, dc)
    ]
    for instance in fleet.instances:
        assert instance.outcome is Outcome.REACHED and instance.error is None and instance.polls > 0
        assert instance.lifecycle is not None and instance.lifecycle.phase is Phase.RUNNING
    assert set(seen) == {f"apig/{gw}", f"roma/{roma}", f"clouddc/{dc}"}
    assert threads == {caller}
    assert fleet.requests["apig"] > 0 and fleet.requests["clouddc"] > 0 and fleet.requests["roma"] > 0
    assert fleet.elapsed_ms > 0 and fleet.elapsed.total_seconds() == fleet.elapsed_ms / 1000
    assert fleet.raw["instances"] and fleet.by_outcome("reached") == fleet.instances


def test_fleet_events_name_their_target(sim: Simulator, client: hwinst.Client, uid: Any) -> None:
    # One ROMA instance as two targets, both read through the batched list.
    roma = uid("roma")
    sim.instance(service="roma", id=roma, step_ms=50)
    targets = [Target(Source.ROMA, roma), Target(Source.ROMA_DETAILS, roma)]
    events: List[hwinst.FleetEvent] = []
    fleet = client.wait_many(targets, batch_roma=True, on_change=events.append, **FLEET_QUICK)
    assert [i.source for i in fleet.instances] == [Source.ROMA, Source.ROMA_DETAILS]
    for event in events:
        assert event.target == targets[event.index]
        assert event.lifecycle.source is Source.ROMA_LIST and event.lifecycle.instance_id == roma
    for index in (0, 1):
        mine = [e.lifecycle.phase for e in events if e.index == index]
        assert mine and mine[-1] is Phase.RUNNING, (index, mine)


def test_fleet_instance_fails(sim: Simulator, client: hwinst.Client, uid: Any) -> None:
    fine, doomed = uid("gw"), uid("gw")
    sim.instance(service="apig", id=fine, step_ms=50)
    sim.instance(service="apig", id=doomed, step_ms=50, outcome="fail")
    with pytest.raises(hwinst.InstanceFailedError) as caught:
        client.wait_many([("apig", fine), ("apig", doomed)], **FLEET_QUICK)
    error = caught.value
    assert error.fleet is not None
    assert [i.outcome for i in error.fleet.instances] == [Outcome.REACHED, Outcome.FAILED]
    failed = error.fleet.instances[1]
    assert isinstance(failed.error, hwinst.InstanceFailedError) and failed.error.error_code == "APIG.9999"
    assert failed.lifecycle is not None and failed.lifecycle.phase is Phase.FAILED
    assert error.error_code == "APIG.9999" and doomed in str(error)
    assert error.lifecycle is not None and error.lifecycle.instance_id == doomed


def test_fleet_fail_fast_and_not_found(sim: Simulator, client: hwinst.Client, uid: Any) -> None:
    slow, doomed = uid("gw"), uid("gw")
    sim.instance(service="apig", id=slow, step_ms=HOUR_MS)
    sim.instance(service="apig", id=doomed, step_ms=0, outcome="fail")
    with pytest.raises(hwinst.InstanceFailedError) as caught:
        client.wait_many([("apig", slow), ("apig", doomed)], fail_fast=True, **FLEET_QUICK)
    assert caught.value.fleet is not None
    assert caught.value.fleet.instances[0].outcome is Outcome.PENDING

    with pytest.raises(hwinst.NotFoundError) as not_found:
        client.wait_many([("clouddc", uid("nowhere"))], not_found_grace=0, **FLEET_QUICK)
    assert not_found.value.fleet is not None
    assert not_found.value.fleet.instances[0].outcome is Outcome.ERROR


def test_fleet_timeout(sim: Simulator, client: hwinst.Client, uid: Any) -> None:
    stuck = uid("dc")
    sim.instance(service="clouddc", id=stuck, step_ms=HOUR_MS)
    options = dict(FLEET_QUICK, timeout=0.3)
    with pytest.raises(hwinst.TimeoutError) as caught:
        client.wait_many([("clouddc", stuck)], **options)
    assert caught.value.fleet is not None
    assert caught.value.fleet.instances[0].outcome is Outcome.TIMEOUT


def test_fleet_any_with_settle(sim: Simulator, client: hwinst.Client, uid: Any) -> None:
    quick, stuck = uid("dc"), uid("dc")
    sim.instance(service="clouddc", id=quick, step_ms=50)
    sim.instance(service="clouddc", id=stuck, step_ms=HOUR_MS)
    fleet = client.wait_many([("clouddc", stuck), ("clouddc", quick)], mode="any", settle=2, **FLEET_QUICK)
    assert [i.outcome for i in fleet.instances] == [Outcome.PENDING, Outcome.REACHED]


def test_fleet_options(sim: Simulator, client: hwinst.Client, uid: Any) -> None:
    roma = uid("roma")
    sim.instance(service="roma", id=roma, step_ms=50)
    seen: List[hwinst.FleetEvent] = []
    fleet = client.wait_many(
        [("roma", roma)], batch_roma=False, concurrency=1, until=["running"], on_change=seen.append,
        **FLEET_QUICK,
    )
    assert fleet.instances[0].outcome is Outcome.REACHED
    # Without batching, ROMA is read through /process, which has a progress percentage.
    assert any(s.lifecycle.progress is not None for s in seen)
    assert all(r["operation"] == "roma_process" for r in sim.requests())


def test_fleet_cancel_from_another_thread(sim: Simulator, client: hwinst.Client, uid: Any) -> None:
    a, b = uid("gw"), uid("dc")
    sim.instance(service="apig", id=a, step_ms=HOUR_MS)
    sim.instance(service="clouddc", id=b, step_ms=HOUR_MS)
    token = hwinst.CancelToken()
    timer = threading.Timer(0.3, token.cancel)
    timer.start()
    started = time.monotonic()
    with pytest.raises(hwinst.CancelledError) as caught:
        client.wait_many([("apig", a), ("clouddc", b)], initial_interval=60, max_interval=60,
                         timeout=600, cancel=token)
    assert time.monotonic() - started < 3
    assert caught.value.fleet is not None
    assert {i.outcome for i in caught.value.fleet.instances} == {Outcome.CANCELLED}


def test_fleet_callback_raising(sim: Simulator, client: hwinst.Client, uid: Any) -> None:
    a = uid("gw")
    sim.instance(service="apig", id=a, step_ms=HOUR_MS)
    boom = RuntimeError("from on_change")

    def on_change(_event: hwinst.FleetEvent) -> None:
        raise boom

    started = time.monotonic()
    with pytest.raises(RuntimeError) as caught:
        client.wait_many([("apig", a)], initial_interval=60, max_interval=60, timeout=600, on_change=on_change)
    assert caught.value is boom and time.monotonic() - started < 3


def test_fleet_bad_targets_and_options(client: hwinst.Client, uid: Any) -> None:
    with pytest.raises(hwinst.InvalidArgumentError) as caught:
        client.wait_many([])
    assert caught.value.fleet is None
    with pytest.raises(hwinst.InvalidArgumentError):
        client.wait_many([("apig", "gw-1"), ("apig", "gw-1")])
    with pytest.raises(hwinst.InvalidArgumentError):
        client.wait_many([("ecs", "i-1")])
    with pytest.raises(hwinst.InvalidArgumentError):
        client.wait_many([("apig", "a/b")])
    with pytest.raises(hwinst.InvalidArgumentError):
        client.wait_many([("apig", "gw")], mode="some")
    with pytest.raises(hwinst.InvalidArgumentError):
        client.wait_many([("apig", "gw")], max_requests_per_second={"ecs": 1})
    with pytest.raises(hwinst.InvalidArgumentError):
        client.wait_many([("apig", "gw")], concurrency=-1)
    with pytest.raises(TypeError):
        client.wait_many("apig gw")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        client.wait_many([("apig",)])  # type: ignore[list-item]
    with pytest.raises(TypeError):
        client.wait_many([("apig", 7)])  # type: ignore[list-item]
    with pytest.raises(TypeError):
        client.wait_many([("apig", "gw")], max_requests_per_second={"apig": "fast"})  # type: ignore[dict-item]


def test_a_fleet_event_reads_as_its_lifecycle(sim: Simulator, client: hwinst.Client, uid: Any) -> None:
    gw = uid("gw")
    sim.instance(service="apig", id=gw, step_ms=0)
    phases: List[Any] = []
    client.wait_many([("apig", gw)], on_change=lambda change: phases.append(change.phase), **FLEET_QUICK)
    assert phases and phases[-1] is Phase.RUNNING
