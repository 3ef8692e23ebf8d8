"""Every argument of every public function and method, checked the same way (issue 26.8): a
value of the wrong type is TypeError (a bool is not a number, ``"false"`` is not a bool), a
number or string of the right type that cannot be sent is InvalidArgumentError, never a bare
OverflowError and never a silent conversion; and nothing is sent."""

from __future__ import annotations

import datetime
from typing import Any, Callable, Dict, List, Tuple

import pytest
from conftest import Simulator

import hwinst

Case = Tuple[str, Callable[[hwinst.Client], Any], type]

#: Not a str, not a bool, not a number, not callable, not iterable.
OBJECT = object()

#: A valid target and quick options, so that only the argument under test is wrong.
TARGETS = [("apig", "gw-args")]


def _stopped(options: Dict[str, Any]) -> Dict[str, Any]:
    """``options`` with a cancelled token unless ``cancel`` is what is tested: a wrong
    argument that is accepted then ends the wait at once (CancelledError) instead of
    polling a missing instance."""
    if "cancel" in options:
        return options
    token = hwinst.CancelToken()
    token.cancel()
    return {**options, "cancel": token}


def _cases() -> List[Case]:
    cases: List[Case] = []

    def add(name: str, call: Callable[[hwinst.Client], Any], error: type) -> None:
        cases.append((name if len(name) <= 100 else name[:97] + "...", call, error))

    by_id = ["roma_creation_progress", "apig_creation_progress", "roma_instance", "clouddc_instance_status"]
    for method in by_id:
        for bad in (42, None, b"gw", OBJECT, True):
            add(f"{method}({bad!r})", lambda c, m=method, b=bad: getattr(c, m)(b), TypeError)
        add(f"{method}(NUL)", lambda c, m=method: getattr(c, m)("g\0w"), hwinst.InvalidArgumentError)

    for bad in (42, None, b"apig", OBJECT):
        add(f"lifecycle(source={bad!r})", lambda c, b=bad: c.lifecycle(b, "gw"), TypeError)
        add(f"lifecycle(instance_id={bad!r})", lambda c, b=bad: c.lifecycle("apig", b), TypeError)

    for method in ("roma_list_instances", "roma_list_all_instances", "roma_pages", "roma_instances"):
        def listing(c: hwinst.Client, m: str = method, **kw: Any) -> Any:
            result = getattr(c, m)(**kw)
            return list(result) if m in ("roma_pages", "roma_instances") else result

        for key in ("offset", "limit"):
            for bad in ("1", 1.0, True, OBJECT):
                add(f"{method}({key}={bad!r})", lambda c, k=key, b=bad, f=listing: f(c, **{k: b}), TypeError)
            for bad in (-1, 10**400, 2**32):
                add(f"{method}({key}={bad})", lambda c, k=key, b=bad, f=listing: f(c, **{k: b}), hwinst.InvalidArgumentError)
        for bad in (42, b"RUNNING", OBJECT, True):
            add(f"{method}(status={bad!r})", lambda c, b=bad, f=listing: f(c, status=b), TypeError)
        add(f"{method}(status=NUL)", lambda c, f=listing: f(c, status="RUN\0NING"), hwinst.InvalidArgumentError)

    # The options wait and wait_many share, through both.
    def both(name: str, error: type, **kw: Any) -> None:
        add(f"wait({name})", lambda c: c.wait("apig", "gw-args", **_stopped(kw)), error)
        add(f"wait_many({name})", lambda c: c.wait_many(TARGETS, **_stopped(kw)), error)

    for key in ("timeout", "initial_interval", "max_interval", "not_found_grace"):
        for bad in ("10", True, OBJECT, None.__class__, [1]):
            both(f"{key}={bad!r}", TypeError, **{key: bad})
        for bad in (10**400, -(10**400), -1, float("nan"), float("inf"), 1e300, datetime.timedelta.max, datetime.timedelta(seconds=-1)):
            both(f"{key}={bad!r}", hwinst.InvalidArgumentError, **{key: bad})
    for bad in ("1", 1.0, True, OBJECT):
        both(f"settle={bad!r}", TypeError, settle=bad)
    for bad in (-1, 10**400):
        both(f"settle={bad}", hwinst.InvalidArgumentError, settle=bad)
    for bad in (42, b"running", OBJECT, [1], [b"running"]):
        both(f"until={bad!r}", TypeError, until=bad)
    both("until='nowhere'", hwinst.InvalidArgumentError, until="nowhere")
    for bad in (42, "print", OBJECT):
        both(f"on_change={bad!r}", TypeError, on_change=bad)
    for bad in (42, "token", OBJECT, True):
        both(f"cancel={bad!r}", TypeError, cancel=bad)
    for bad in (42, OBJECT):
        add(f"wait(source={bad!r})", lambda c, b=bad: c.wait(b, "gw", **_stopped({})), TypeError)
        add(f"wait(instance_id={bad!r})", lambda c, b=bad: c.wait("apig", b, **_stopped({})), TypeError)

    # wait_many's own.
    for key in ("fail_fast", "batch_roma"):
        for bad in ("false", "no", "", 0, 1, OBJECT, [False]):
            add(f"wait_many({key}={bad!r})", lambda c, k=key, b=bad: c.wait_many(TARGETS, **_stopped({k: b})), TypeError)
    for bad in ("4", 4.0, True, OBJECT):
        add(f"wait_many(concurrency={bad!r})", lambda c, b=bad: c.wait_many(TARGETS, **_stopped({'concurrency': b})), TypeError)
    for bad in (-1, 0, 10**400, 65):
        add(f"wait_many(concurrency={bad})", lambda c, b=bad: c.wait_many(TARGETS, **_stopped({'concurrency': b})), hwinst.InvalidArgumentError)
    for bad in (42, True, OBJECT):
        add(f"wait_many(mode={bad!r})", lambda c, b=bad: c.wait_many(TARGETS, **_stopped({'mode': b})), TypeError)
    add("wait_many(mode='some')", lambda c: c.wait_many(TARGETS, **_stopped({'mode': 'some'})), hwinst.InvalidArgumentError)
    for bad_rates in (5, "apig=5", [("apig", 5)], {"apig": "5"}, {"apig": True}, {"apig": None}, {5: 1.0}, {b"apig": 1.0}):
        add(f"wait_many(max_requests_per_second={bad_rates!r})",
            lambda c, b=bad_rates: c.wait_many(TARGETS, **_stopped({'max_requests_per_second': b})), TypeError)
    for bad_rates in ({"apig": 10**400}, {"apig": -(10**400)}, {"apig": float("nan")}, {"apig": float("inf")},
                      {"apig": 0}, {"apig": -1}, {"ecs": 1.0}):
        add(f"wait_many(max_requests_per_second={bad_rates!r})",
            lambda c, b=bad_rates: c.wait_many(TARGETS, **_stopped({'max_requests_per_second': b})), hwinst.InvalidArgumentError)
    for bad_targets in (42, "apig", b"apig", {"source": "apig", "instance_id": "gw"}, OBJECT, [42], [("apig",)],
                        [("apig", 42)], [(42, "gw")], [{"source": "apig"}], [("apig", b"gw")]):
        add(f"wait_many(targets={bad_targets!r})", lambda c, b=bad_targets: c.wait_many(b, **_stopped({})), TypeError)
    for bad_targets in ([], [("ecs", "gw")], [("apig", "g\0w")], [("apig", "a/b")]):
        add(f"wait_many(targets={bad_targets!r})", lambda c, b=bad_targets: c.wait_many(b, **_stopped({})), hwinst.InvalidArgumentError)
    return cases


def test_every_argument_is_checked(sim: Simulator, client: hwinst.Client) -> None:
    wrong: List[str] = []
    for name, call, error in _cases():
        try:
            call(client)
        except error as e:
            assert not isinstance(e, OverflowError)
            if isinstance(e, hwinst.InvalidArgumentError):
                assert e.fleet is None, name  # refused before the wait began
        except BaseException as e:  # noqa: BLE001 - collected and reported together
            wrong.append(f"{name}: {type(e).__name__}: {e} (want {error.__name__})")
        else:
            wrong.append(f"{name}: accepted (want {error.__name__})")
    assert not wrong, "\n".join(wrong)
    assert sim.requests() == [], "a call with a bad argument sent a request"


def test_fail_fast_false_is_not_fail_fast(sim: Simulator, client: hwinst.Client, uid: Any) -> None:
    # The case: fail_fast="false" ran fail-fast. Now it is refused, and False waits
    # for every instance's outcome.
    slow, doomed = uid("gw"), uid("gw")
    sim.instance(service="apig", id=slow, step_ms=50)
    sim.instance(service="apig", id=doomed, step_ms=0, outcome="fail")
    quick: Dict[str, Any] = {"initial_interval": 0.02, "max_interval": 0.05, "timeout": 20,
                             "max_requests_per_second": {"apig": 200}}
    with pytest.raises(TypeError, match="fail_fast must be a bool"):
        client.wait_many([("apig", slow), ("apig", doomed)], fail_fast="false", **quick)  # type: ignore[arg-type]
    with pytest.raises(hwinst.InstanceFailedError) as caught:
        client.wait_many([("apig", slow), ("apig", doomed)], fail_fast=False, **quick)
    assert caught.value.fleet is not None
    assert [i.outcome for i in caught.value.fleet.instances] == [hwinst.Outcome.REACHED, hwinst.Outcome.FAILED]


def test_fleet_and_model_helpers_check_types() -> None:
    fleet = hwinst.Fleet.from_dict({"instances": [], "requests": {}, "throttled": 0, "elapsed_ms": 1})
    with pytest.raises(TypeError):
        fleet.by_outcome(42)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        hwinst.Fleet.from_dict([])  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        hwinst.Lifecycle.from_dict("{}")  # type: ignore[arg-type]
    assert fleet.by_outcome("reached") == []


def test_valid_numbers_of_every_kind_are_accepted(sim: Simulator, client: hwinst.Client, uid: Any) -> None:
    gw = uid("gw")
    sim.instance(service="apig", id=gw, step_ms=0)
    fleet = client.wait_many(
        [hwinst.Target(hwinst.Source.APIG, gw)],
        timeout=datetime.timedelta(seconds=20),
        initial_interval=0.02,
        max_interval=1,
        not_found_grace=10**3,
        settle=1,
        concurrency=2,
        fail_fast=True,
        batch_roma=False,
        mode=hwinst.FleetMode.ALL,
        until=[hwinst.Phase.RUNNING, "failed"],
        max_requests_per_second={hwinst.Service.APIG: 200, "roma": 0.5},
    )
    assert fleet.instances[0].outcome is hwinst.Outcome.REACHED
