"""Every operation against the simulator, and every field of every model it fills."""

from __future__ import annotations

import dataclasses
import re
from typing import Any

import pytest
from conftest import Simulator

import hwinst
from hwinst import Phase, Source


def check_mapping(model: Any, where: str = "model") -> int:
    """Asserts that every field of ``model`` (and of the models inside it) holds its raw
    document's value, converted to its type, and that the document has no field the model
    does not know (the simulator sends documented fields only). Returns how many fields
    carried a value."""
    assert dataclasses.is_dataclass(model), where
    raw = model.raw
    assert isinstance(raw, dict) and raw, f"{where}: no raw document"
    assert model.extra == {}, f"{where}: fields the model does not know: {sorted(model.extra)}"
    filled = 0
    for f in dataclasses.fields(model):
        key = f.metadata.get("json", f.name)
        value = getattr(model, f.name)
        sent = raw.get(key)
        if sent is None:
            assert value is None, f"{where}.{f.name}: {value!r} but the document has none"
            continue
        filled += 1
        if isinstance(sent, dict):
            filled += check_mapping(value, f"{where}.{f.name}")
        elif isinstance(sent, list) and sent and isinstance(sent[0], dict):
            assert len(value) == len(sent)
            for n, item in enumerate(value):
                filled += check_mapping(item, f"{where}.{f.name}[{n}]")
        elif isinstance(value, hwinst.OpenStrEnum):
            assert value == type(value)(sent), f"{where}.{f.name}"
            assert value.known, f"{where}.{f.name}: {sent!r} is not a documented word"
        else:
            assert value == sent and type(value) is type(sent), f"{where}.{f.name}: {value!r} != {sent!r}"
    return filled


@pytest.mark.parametrize("quirks", [False, True])
def test_apig_creation_progress(sim: Simulator, client: hwinst.Client, uid: Any, quirks: bool) -> None:
    gw = uid("gw")
    sim.instance(service="apig", id=gw, step_ms=3_600_000, quirks=quirks)
    progress = client.apig_creation_progress(gw)
    assert isinstance(progress, hwinst.ApigCreationProgress)
    assert progress.progress == 30 and progress.status is hwinst.ApigProgressStatus.CREATING
    assert isinstance(progress.start_time, int)
    assert check_mapping(progress) >= 3
    if quirks:
        assert progress.raw["progress"] == 30  # the library turned "30" into 30
    sim.advance(4 * 3_600_000)
    done = client.apig_creation_progress(gw)
    assert done.progress == 100 and done.status is hwinst.ApigProgressStatus.SUCCESS
    check_mapping(done)


def test_apig_failure_fields(sim: Simulator, client: hwinst.Client, uid: Any) -> None:
    gw = uid("gw")
    sim.instance(service="apig", id=gw, step_ms=3_600_000, outcome="fail")
    sim.advance(5 * 3_600_000)
    failed = client.apig_creation_progress(gw)
    assert failed.status is hwinst.ApigProgressStatus.FAILED
    assert failed.error_code == "APIG.9999" and failed.error_msg
    check_mapping(failed)


@pytest.mark.parametrize("quirks", [False, True])
def test_roma_creation_progress(sim: Simulator, client: hwinst.Client, uid: Any, quirks: bool) -> None:
    roma = uid("roma")
    sim.instance(service="roma", id=roma, name="connect-1", step_ms=3_600_000, quirks=quirks)
    progress = client.roma_creation_progress(roma)
    assert isinstance(progress, hwinst.RomaCreationProgress)
    assert progress.instance_id == roma and progress.name == "connect-1"
    assert progress.status is hwinst.RomaCreationStatus.CREATING
    assert progress.progress == 10
    assert progress.instance is not None and progress.instance.instance_id == roma
    assert isinstance(progress.current_time, int)
    assert progress.item and all(isinstance(i, hwinst.RomaProgressItem) for i in progress.item)
    zones = progress.instance.available_zones
    assert isinstance(zones, list) and zones and all(isinstance(z, str) for z in zones)
    assert check_mapping(progress) > 20
    if quirks:
        assert progress.raw["status"] == "creating"  # the server's spelling, kept in raw


def test_roma_creation_failure(sim: Simulator, client: hwinst.Client, uid: Any) -> None:
    roma = uid("roma")
    sim.instance(service="roma", id=roma, step_ms=3_600_000, outcome="fail")
    sim.advance(5 * 3_600_000)
    failed = client.roma_creation_progress(roma)
    assert failed.status is hwinst.RomaCreationStatus.CREATE_FAILED
    assert failed.instance is not None and failed.instance.error_code == "ROMA.00110002"
    assert failed.instance.error_message
    check_mapping(failed)


@pytest.mark.parametrize("quirks", [False, True])
def test_roma_instance(sim: Simulator, client: hwinst.Client, uid: Any, quirks: bool) -> None:
    roma = uid("roma")
    sim.instance(service="roma", id=roma, name="details", step_ms=3_600_000, quirks=quirks)
    details = client.roma_instance(roma)
    assert isinstance(details, hwinst.RomaInstance)
    assert details.id == roma and details.instance_name == "details"
    assert details.status is hwinst.RomaInstanceStatus.CREATING and details.instance_status == 1
    assert details.bandwidth_size == 5
    assert isinstance(details.available_zone_ids, list) and details.available_zone_ids
    assert check_mapping(details) > 20
    sim.advance(10 * 3_600_000)
    running = client.roma_instance(roma)
    assert running.status is hwinst.RomaInstanceStatus.RUNNING and running.instance_status == 6


def test_roma_list_instances(sim: Simulator, client: hwinst.Client, uid: Any) -> None:
    ids = [uid("roma") for _ in range(3)]
    for n, i in enumerate(ids):
        sim.instance(service="roma", id=i, step_ms=0 if n == 0 else 3_600_000)
    page = client.roma_list_instances()
    assert isinstance(page, hwinst.RomaInstancePage)
    assert page.total == 3 and page.size == 3
    assert [i.id for i in page.instances or []] == ids
    summary = (page.instances or [])[0]
    assert isinstance(summary, hwinst.RomaInstanceSummary)
    assert summary.status is hwinst.RomaListStatus.RUNNING
    assert check_mapping(page) > 10
    for n, instance in enumerate(page.instances or []):
        check_mapping(instance, f"instances[{n}]")

    running = client.roma_list_instances(status="RUNNING")
    assert [i.id for i in running.instances or []] == ids[:1]
    second = client.roma_list_instances(offset=1, limit=1)
    assert [i.id for i in second.instances or []] == ids[1:2] and second.total == 3
    with pytest.raises(hwinst.InvalidArgumentError, match="limit"):
        client.roma_list_instances(limit=0)


def test_roma_list_all_and_pages(sim: Simulator, client: hwinst.Client) -> None:
    sim.scenario(generate=[{"service": "roma", "count": 120}])
    everything = client.roma_list_all_instances(limit=50)
    assert len(everything) == 120
    assert [i.name for i in everything[:2]] == ["bulk-00001", "bulk-00002"]
    assert client.list_all_instances(status="RUNNING", limit=500) == client.roma_list_all_instances(
        status="RUNNING", limit=500
    )
    pages = list(client.roma_pages(limit=50))
    assert [len(p.instances or []) for p in pages] == [50, 50, 20]
    assert all(p.total == 120 for p in pages)
    instances = list(client.roma_instances(limit=50, offset=10))
    assert len(instances) == 110 and len({i.id for i in instances}) == 110
    assert instances[0].name == "bulk-00011"
    assert list(client.roma_instances(status="CREATING")) == []
    sim.admin("DELETE", "/_sim/requests", want=204)

    # A lying total: too high costs one more (empty) page, never a loop.
    sim.fault(kind="lying_total", total=1000)
    assert len(list(client.roma_instances(limit=100))) == 120
    assert len(sim.requests()) == 3


def test_clouddc_instance_status(sim: Simulator, client: hwinst.Client, uid: Any) -> None:
    dc = uid("dc")
    sim.instance(service="clouddc", id=dc, step_ms=3_600_000, outcome="fail")
    pending = client.clouddc_instance_status(dc)
    assert isinstance(pending, hwinst.ClouddcInstanceStatus)
    assert pending.state is hwinst.ClouddcState.PENDING and pending.operation_state == "install-processing"
    assert pending.error is None
    check_mapping(pending)
    sim.advance(3 * 3_600_000)
    failed = client.clouddc_instance_status(dc)
    assert failed.state is hwinst.ClouddcState.ERROR
    assert isinstance(failed.error, hwinst.ClouddcError)
    assert failed.error.error_code == "CLOUDDC.1001"
    assert failed.error.error_type is hwinst.ClouddcErrorType.CREATE_INSTANCE
    check_mapping(failed)


@pytest.mark.parametrize(
    "service,source,phase",
    [
        ("apig", Source.APIG, Phase.CREATING),
        ("roma", Source.ROMA, Phase.CREATING),
        ("roma", Source.ROMA_DETAILS, Phase.CREATING),
        ("clouddc", Source.CLOUDDC, Phase.PENDING),
    ],
)
def test_lifecycle(sim: Simulator, client: hwinst.Client, uid: Any, service: str, source: Source, phase: Phase) -> None:
    i = uid(service)
    sim.instance(service=service, id=i, step_ms=3_600_000)
    lifecycle = client.lifecycle(source, i)
    assert isinstance(lifecycle, hwinst.Lifecycle)
    assert lifecycle.source is source and lifecycle.instance_id == i
    assert lifecycle.phase is phase and lifecycle.terminal is False and lifecycle.error is None
    assert isinstance(lifecycle.observed_at_ms, int) and lifecycle.observed_at is not None
    assert lifecycle.observed_at.tzinfo is not None
    check_mapping(lifecycle)
    # The source as a plain string, in any spelling the library's vocabulary accepts.
    assert client.lifecycle(source.value.upper().replace("-", "_"), i).source is source
    sim.advance(10 * 3_600_000)
    done = client.lifecycle(source, i)
    assert done.phase is Phase.RUNNING and done.terminal is True


def test_lifecycle_failed_has_its_error(sim: Simulator, client: hwinst.Client, uid: Any) -> None:
    dc = uid("dc")
    sim.instance(service="clouddc", id=dc, step_ms=0, outcome="fail")
    lifecycle = client.lifecycle("clouddc", dc)
    assert lifecycle.phase is Phase.FAILED
    assert isinstance(lifecycle.error, hwinst.LifecycleError)
    assert lifecycle.error.error_code == "CLOUDDC.1001"
    check_mapping(lifecycle)


def test_unknown_fields_and_words_are_kept() -> None:
    doc = {"progress": 50, "status": "paused", "novel": {"a": [1]}, "start_time": 7}
    progress = hwinst.ApigCreationProgress.from_dict(doc)
    assert progress.extra == {"novel": {"a": [1]}}
    assert progress.status == "paused" and isinstance(progress.status, hwinst.ApigProgressStatus)
    assert not progress.status.known and progress.status is not None
    assert "paused" in repr(progress.status)
    assert progress.raw is doc and progress == hwinst.ApigCreationProgress.from_dict(dict(doc))
    # Spellings: any case, '-' or '_', the documented misspelling.
    assert hwinst.ApigProgressStatus("SUCCESS") is hwinst.ApigProgressStatus.SUCCESS
    assert hwinst.ClouddcState("shutting-down") is hwinst.ClouddcState.SHUTTING_DOWN
    assert hwinst.RomaListStatus("DELETE_FALIED") is hwinst.RomaListStatus.DELETE_FAILED
    assert hwinst.CpuArch("arm") is hwinst.CpuArch.AARCH64
    assert hwinst.Phase("Running") is hwinst.Phase.RUNNING and hwinst.Phase.RUNNING == "running"
    assert f"{hwinst.Phase.RUNNING}" == "running" and str(hwinst.Phase("novel")) == "novel"
    assert len(hwinst.RomaInstanceStatus) == 34
    with pytest.raises(TypeError):
        hwinst.ApigCreationProgress.from_dict([1])  # type: ignore[arg-type]


def test_decoded_words_take_every_spelling() -> None:
    # The generated decoders find a documented word in the enum's own table and hand any other
    # to the enum's lookup: both give the same members as the enums themselves.
    assert hwinst.ApigCreationProgress.from_dict({"status": "success"}).status is hwinst.ApigProgressStatus.SUCCESS
    assert hwinst.ApigCreationProgress.from_dict({"status": " SUCCESS "}).status is hwinst.ApigProgressStatus.SUCCESS
    state = hwinst.ClouddcInstanceStatus.from_dict({"state": "shutting-down"}).state
    assert state is hwinst.ClouddcState.SHUTTING_DOWN
    summary = hwinst.RomaInstanceSummary.from_dict({"status": "DELETE_FALIED", "cpu_arch": "arm"})
    assert summary.status is hwinst.RomaListStatus.DELETE_FAILED and summary.cpu_arch is hwinst.CpuArch.AARCH64
    odd = hwinst.ApigCreationProgress.from_dict({"status": 7, "progress": None})
    assert odd.status == "7" and not odd.status.known and odd.progress is None
    page = hwinst.RomaInstancePage.from_dict({"instances": [{"status": "running"}, None, {"id": "x"}]})
    assert page.instances is not None and page.instances[0].status is hwinst.RomaListStatus.RUNNING
    assert page.instances[1] is None and page.instances[2].id == "x" and page.instances[2].status is None


def test_models_by_hand_have_no_raw() -> None:
    progress = hwinst.ApigCreationProgress(progress=10)
    assert progress.raw == {} and progress.extra == {} and progress.status is None


def test_version() -> None:
    assert re.fullmatch(r"\d+\.\d+\.\d+.*", hwinst.library_version())
    assert hwinst.__version__ == hwinst.library_version()

