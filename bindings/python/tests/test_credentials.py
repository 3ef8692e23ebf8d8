"""Where credentials come from: the environment (``Client.from_env``), and the library's
default chain when the configuration names none (``Client(None)``, or a document without
``credentials``), each in a temporary HOME so that no real profile is read."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Dict

import pytest
from conftest import Simulator

import hwinst

#: Every variable the library or the default chain reads, cleared for these tests.
VARIABLES = [
    "HUAWEICLOUD_SDK_AK", "HUAWEICLOUD_SDK_SK", "HUAWEICLOUD_SDK_SECURITY_TOKEN", "HWINST_TOKEN",
    "HUAWEICLOUD_SDK_PROJECT_ID", "HUAWEICLOUD_SDK_REGION", "HUAWEICLOUD_SDK_IAM_ENDPOINT",
    "HUAWEICLOUD_SDK_CREDENTIALS_FILE", "HUAWEICLOUD_SDK_IDP_ID", "HUAWEICLOUD_SDK_ID_TOKEN_FILE",
    "HC_CONTAINER_CREDENTIALS_FULL_URI", "HC_CONTAINER_AUTHORIZATION_TOKEN_FILE", "HWINST_PROFILE",
    "HTTPS_PROXY", "HTTP_PROXY", "ALL_PROXY", "NO_PROXY",
    "https_proxy", "http_proxy", "all_proxy", "no_proxy",
]


@pytest.fixture
def clean_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A temporary HOME and none of the variables above (the library reads this process's
    environment directly, so monkeypatch's changes reach it)."""
    for name in VARIABLES:
        monkeypatch.delenv(name, raising=False)
    for name in list(__import__("os").environ):
        if name.startswith("HUAWEICLOUD_SDK_REGION_"):
            monkeypatch.delenv(name)
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    # Never the real ECS metadata service from a test: tests that want one point this at the
    # simulator.
    monkeypatch.setenv("HWINST_METADATA_ENDPOINT", "none")
    return home


def sim_environment(sim: Simulator, monkeypatch: pytest.MonkeyPatch) -> Dict[str, Any]:
    """Points the environment's region endpoints and project at the simulator; the
    simulator's configuration is returned."""
    config = sim.config()
    region = config["region"].upper().replace("-", "_")
    for service in ("ROMA", "APIG", "CLOUDDC"):
        monkeypatch.setenv(f"HUAWEICLOUD_SDK_REGION_{service}_{region}", config["endpoints"][service.lower()])
    monkeypatch.setenv("HUAWEICLOUD_SDK_REGION", config["region"])
    monkeypatch.setenv("HUAWEICLOUD_SDK_PROJECT_ID", config["project_id"])
    monkeypatch.setenv("HUAWEICLOUD_SDK_IAM_ENDPOINT", config["endpoints"]["iam"])
    return config


def test_from_env_with_ak_sk(sim: Simulator, clean_home: Path, monkeypatch: pytest.MonkeyPatch, uid: Any) -> None:
    gw = uid("gw")
    sim.instance(service="apig", id=gw, step_ms=0)
    sim_environment(sim, monkeypatch)
    monkeypatch.setenv("HUAWEICLOUD_SDK_AK", "sim-ak")
    monkeypatch.setenv("HUAWEICLOUD_SDK_SK", "sim-sk")
    with hwinst.Client.from_env() as client:
        assert client.apig_creation_progress(gw).progress == 100
    assert [r["auth"] for r in sim.requests()] == ["aksk"]


def test_a_federated_oidc_identity_from_the_environment_and_the_configuration(
    sim: Simulator, clean_home: Path, monkeypatch: pytest.MonkeyPatch, uid: Any
) -> None:
    gw = uid("gw")
    sim.instance(service="apig", id=gw, step_ms=0)
    issued = sim.admin("POST", "/_sim/id_tokens", {"lifetime_s": 3600}, 201)
    token_file = clean_home / "id-token"
    token_file.write_text(issued["id_token"] + "\n")
    # The environment: the identity wins over the key pair beside it.
    sim_environment(sim, monkeypatch)
    monkeypatch.setenv("HUAWEICLOUD_SDK_IDP_ID", issued["idp_id"])
    monkeypatch.setenv("HUAWEICLOUD_SDK_ID_TOKEN_FILE", str(token_file))
    monkeypatch.setenv("HUAWEICLOUD_SDK_AK", "sim-ak")
    monkeypatch.setenv("HUAWEICLOUD_SDK_SK", "sim-sk")
    with hwinst.Client.from_env() as client:
        assert client.apig_creation_progress(gw).progress == 100
    # The configuration's "oidc" credentials.
    oidc = {"idp_id": issued["idp_id"], "id_token_file": str(token_file)}
    with hwinst.Client(sim.config(credentials={"oidc": oidc})) as client:
        assert client.apig_creation_progress(gw).progress == 100
    operations = [r["operation"] for r in sim.requests()]
    assert operations.count("iam_id_token") == 2 and operations.count("iam_securitytokens") == 2
    # A token IAM refuses: an error naming the identity, never the token.
    token_file.write_text("forged-id-token-123")
    with pytest.raises(hwinst.UnauthorizedError) as caught:
        hwinst.Client(sim.config(credentials={"oidc": oidc}))
    assert issued["idp_id"] in str(caught.value) and "forged-id-token-123" not in str(caught.value)


def test_from_env_refuses_conflicts_without_showing_secrets(clean_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HUAWEICLOUD_SDK_REGION", "cn-north-4")
    monkeypatch.setenv("HUAWEICLOUD_SDK_AK", "an-access-key")
    with pytest.raises(hwinst.ConfigError) as caught:  # an AK without its SK
        hwinst.Client.from_env()
    monkeypatch.setenv("HUAWEICLOUD_SDK_SK", "the-secret-key-123")
    monkeypatch.setenv("HWINST_TOKEN", "the-token-456789")
    with pytest.raises(hwinst.ConfigError) as caught:  # a token and AK/SK both
        hwinst.Client.from_env()
    for secret in ("the-secret-key-123", "the-token-456789"):
        assert secret not in str(caught.value) and secret not in repr(caught.value)


# The default credential chain: environment, profile file, KooCLI profile, pod identity, ECS
# metadata; the first that has credentials gives them.


def chain_config(sim: Simulator) -> Dict[str, Any]:
    """The simulator's configuration without its credentials: the chain finds them."""
    config = sim.config()
    del config["credentials"]
    return config


def test_default_chain_from_the_environment(sim: Simulator, clean_home: Path, monkeypatch: pytest.MonkeyPatch, uid: Any) -> None:
    gw = uid("gw")
    sim.instance(service="apig", id=gw, step_ms=0)
    monkeypatch.setenv("HUAWEICLOUD_SDK_AK", "sim-ak")
    monkeypatch.setenv("HUAWEICLOUD_SDK_SK", "sim-sk")
    with hwinst.Client(chain_config(sim)) as client:
        assert client.apig_creation_progress(gw).progress == 100
    assert [r["auth"] for r in sim.requests()] == ["aksk"]


def test_none_with_nothing_anywhere_is_a_config_error_listing_each_source(clean_home: Path) -> None:
    # Client(None) passes a document without credentials (nor region).
    for make in (lambda: hwinst.Client(None), lambda: hwinst.Client()):
        with pytest.raises(hwinst.ConfigError) as caught:
            make()
        message = str(caught.value)
        for tried in (
            "neither HUAWEICLOUD_SDK_AK/SK nor HWINST_TOKEN is set",
            "~/.huaweicloud/credentials: no such file",
            "~/.hcloud/config.json: no such file",
            "HC_CONTAINER_CREDENTIALS_FULL_URI is not set",
            "ECS metadata service: turned off",
        ):
            assert tried in message, message


def test_default_chain_from_the_profile_file(sim: Simulator, clean_home: Path, uid: Any) -> None:
    gw = uid("gw")
    sim.instance(service="apig", id=gw, step_ms=0)
    profile = clean_home / ".huaweicloud" / "credentials"
    profile.parent.mkdir()
    profile.write_text("[global]\nak = not-this-one\nsk = not-this-secret\n\n[basic]\nak = sim-ak\nsk = sim-sk\n")
    with hwinst.Client(chain_config(sim)) as client:
        assert client.apig_creation_progress(gw).progress == 100
    assert [r["auth"] for r in sim.requests()] == ["aksk"]
    # A section without its secret key is an error naming the file, not a skip.
    profile.write_text("[basic]\nak = sim-ak\n")
    with pytest.raises(hwinst.ConfigError) as caught:
        hwinst.Client(chain_config(sim))
    assert "~/.huaweicloud/credentials: the [basic] section has no `sk`" in str(caught.value)


def test_a_koocli_profile_named_in_the_configuration(sim: Simulator, clean_home: Path, uid: Any) -> None:
    gw = uid("gw")
    sim.instance(service="apig", id=gw, step_ms=0)
    koocli = clean_home / ".hcloud" / "config.json"
    koocli.parent.mkdir()
    koocli.write_text(
        '{"current":"other","profiles":['
        '{"name":"other","mode":"SSO"},'
        '{"name":"ci","mode":"AKSK","accessKeyId":"sim-ak","secretAccessKey":"sim-sk"}]}'
    )
    config = chain_config(sim)
    config["credentials"] = {"profile": "ci"}
    with hwinst.Client(config) as client:
        assert client.apig_creation_progress(gw).progress == 100
    # The current profile is in SSO mode: the chain says so rather than skipping it.
    with pytest.raises(hwinst.ConfigError) as caught:
        hwinst.Client(chain_config(sim))
    assert 'the KooCLI profile "other" is in mode "SSO"' in str(caught.value)


def test_the_metadata_service_of_a_vm_with_an_agency(sim: Simulator, clean_home: Path, uid: Any) -> None:
    gw = uid("gw")
    sim.instance(service="apig", id=gw, step_ms=0)
    config = chain_config(sim)
    config["endpoints"]["metadata"] = sim.url
    with hwinst.Client(config) as client:
        assert client.apig_creation_progress(gw).progress == 100
    operations = [r["operation"] for r in sim.requests()]
    assert "metadata_securitykey" in operations and operations[-1] == "apig_progress"
