"""Typed results: the C library's JSON documents as dataclasses.

The library has already smoothed over the services' quirks (numbers sent as strings, lists
sent as JSON text inside a string, status words in any case), so every field has one type.
Field names are the services' own, in snake_case (``currentTime`` is ``current_time``).
Absent fields are None. Times are Unix milliseconds unless a field says otherwise. Status
words are open ``str`` enums (:mod:`hwinst._enums`): a word this version does not know is
kept, never an error.

Every model keeps the document it was decoded from in ``raw`` (the server's exact
spellings, every field), and ``extra`` gives the fields this version does not know.
"""

from __future__ import annotations

import datetime
import re
import sys
from types import MappingProxyType
from dataclasses import dataclass, field, fields
from typing import Any, Callable, ClassVar, Dict, FrozenSet, List, Mapping, Optional, Type, TypeVar

from ._enums import (
    ApigProgressStatus,
    CbcLockScene,
    ChargeType,
    ClouddcErrorType,
    ClouddcState,
    CpuArch,
    OpenStrEnum,
    Phase,
    RomaCipherType,
    RomaCreationStatus,
    RomaFlavorType,
    RomaInstanceStatus,
    RomaListStatus,
    RomaSpec,
    Source,
)

__all__ = [
    "RomaCreationProgress",
    "RomaProgressItem",
    "RomaProgressInstance",
    "RomaInstance",
    "CbcOperationLock",
    "Listener",
    "Backend",
    "HealthCheck",
    "NodeIPs",
    "RomaInstancePage",
    "RomaInstanceSummary",
    "ApigCreationProgress",
    "ClouddcInstanceStatus",
    "ClouddcError",
    "Lifecycle",
    "LifecycleError",
]

M = TypeVar("M", bound="_Model")


def _field(key: str = "") -> Any:
    """A model field, None when absent; ``key`` is its JSON name when not the field's name."""
    return field(default=None, metadata={"json": key} if key else {})


class _Model:
    """What every model has: its document and the fields this version does not know.

    ``raw`` is not a dataclass field: it is neither shown by ``repr`` nor compared by ``==``.
    """

    #: The document this was decoded from, exactly as the library wrote it (empty for a model
    #: made by hand).
    raw: Mapping[str, Any] = MappingProxyType({})

    #: The JSON names of the typed fields (set by ``_finish``).
    _json_keys: ClassVar[FrozenSet[str]] = frozenset()
    #: Decodes a document into an instance (set by ``_finish``).
    _decode: ClassVar[Callable[[Dict[str, Any]], Any]]

    @property
    def extra(self) -> Dict[str, Any]:
        """The fields of ``raw`` that have no typed field, as sent."""
        known = self._json_keys
        return {k: v for k, v in self.raw.items() if k not in known}

    @classmethod
    def from_dict(cls: Type[M], document: Mapping[str, Any]) -> M:
        """Decodes a result document (as the C library writes it) into this model."""
        if not isinstance(document, dict):
            if not isinstance(document, Mapping):
                raise TypeError(f"{cls.__name__}.from_dict takes a mapping, not {type(document).__name__}")
            document = dict(document)
        return cls._decode(document)  # type: ignore[no-any-return]


@dataclass
class RomaCreationProgress(_Model):
    """How far the creation of a ROMA Connect instance has got, overall and
    per sub-service (GET /v2/{project_id}/instances/{instance_id}/process).
    """

    #: The instance being created.
    instance: Optional[RomaProgressInstance] = _field()
    #: The server's current time.
    current_time: Optional[int] = _field("currentTime")
    #: The instance ID.
    instance_id: Optional[str] = _field()
    #: The instance name.
    name: Optional[str] = _field()
    #: When creation started.
    start_time: Optional[int] = _field()
    #: The time taken so far (whole minutes, as the service counts it).
    taken_time: Optional[int] = _field()
    #: When creation ended (0 while under way).
    end_time: Optional[int] = _field()
    #: The overall progress in percent.
    progress: Optional[int] = _field()
    #: The overall status: CREATING, RUNNING or CREATE_FAILED, in the case the service sent.
    status: Optional[RomaCreationStatus] = _field()
    #: The progress of each sub-service (mqs, lvs, ...).
    item: Optional[List[RomaProgressItem]] = _field()


@dataclass
class RomaProgressItem(_Model):
    """The creation progress of one sub-service of a ROMA Connect instance.
    """

    #: The sub-service, e.g. "mqs".
    name: Optional[str] = _field()
    #: When its creation started (0 before).
    start_time: Optional[int] = _field()
    #: When its creation ended (0 before).
    end_time: Optional[int] = _field()
    #: Its status (CREATING, RUNNING, CREATE_FAILED).
    status: Optional[RomaCreationStatus] = _field()
    #: The time taken so far.
    taken_time: Optional[int] = _field()
    #: Its progress in percent.
    progress: Optional[int] = _field()
    #: Why it failed, for people.
    error_msg: Optional[str] = _field()
    #: Why it failed.
    error_code: Optional[str] = _field()


@dataclass
class RomaProgressInstance(_Model):
    """The instance inside a ``RomaCreationProgress`` (the service sends it
    in camelCase). Fields the API documents as deprecated or "ignore, invalid" are kept too.
    """

    #: The instance ID.
    instance_id: Optional[str] = _field("instanceId")
    #: The instance name.
    name: Optional[str] = _field()
    #: CREATING, RUNNING or CREATE_FAILED.
    status: Optional[RomaCreationStatus] = _field()
    #: The connection address.
    connect_address: Optional[str] = _field("connectAddress")
    #: The address with source address transparent transmission (next-generation APIC only).
    connect_address_with_pp: Optional[str] = _field("connectAddressWithPP")
    #: The management-plane address of the data plane (next generation only).
    mgmt_connect_address: Optional[str] = _field("mgmtConnectAddress")
    #: The management-plane address of the data plane (next-generation FDI only).
    mgmt_extra_connect_address: Optional[str] = _field("mgmtExtraConnectAddress")
    #: The port (deprecated; a string, as documented).
    port: Optional[str] = _field()
    #: The number of connections (connection-pool mode only; a string).
    con_amount: Optional[str] = _field("conAmount")
    #: The instance type.
    type: Optional[str] = _field()
    #: The location (deprecated).
    location: Optional[str] = _field()
    #: The product ID.
    product_id: Optional[str] = _field("productId")
    #: The engine (deprecated).
    engine: Optional[str] = _field()
    #: The engine version (deprecated).
    engine_version: Optional[str] = _field("engineVersion")
    #: The billing mode.
    charging_mode: Optional[int] = _field("chargingMode")
    #: The description.
    description: Optional[str] = _field()
    #: Why creation failed.
    error_code: Optional[str] = _field("errorCode")
    #: Why creation failed, for people.
    error_message: Optional[str] = _field("errorMessage")
    #: The resource set ID of the resource tenant.
    res_tenant_id: Optional[str] = _field("resTenantId")
    #: The domain ID of the resource tenant.
    res_domain_id: Optional[str] = _field("resDomainId")
    #: The VPC ID of the resource tenant.
    res_vpc_id: Optional[str] = _field("resVpcId")
    #: The subnet ID of the resource tenant.
    res_subnet_id: Optional[str] = _field("resSubnetId")
    #: The security group ID of the resource tenant.
    res_security_group_id: Optional[str] = _field("resSecurityGroupId")
    #: The tenant resource set ID.
    tenant_id: Optional[str] = _field("tenantId")
    #: The tenant VPC ID.
    tenant_vpc_id: Optional[str] = _field("tenantVpcId")
    #: The tenant subnet ID.
    tenant_subnet_id: Optional[str] = _field("tenantSubnetId")
    #: The tenant security group ID.
    tenant_security_group_id: Optional[str] = _field("tenantSecurityGroupId")
    #: The user ID.
    user_id: Optional[str] = _field("userId")
    #: The username.
    user_name: Optional[str] = _field("userName")
    #: The domain ID.
    domain_id: Optional[str] = _field("domainId")
    #: The virtual route ID.
    virtual_router_id: Optional[str] = _field("virtualRouterId")
    #: The order ID.
    order_id: Optional[str] = _field("orderId")
    #: The creation time.
    created_at: Optional[int] = _field("createdAt")
    #: The update time.
    updated_at: Optional[int] = _field("updatedAt")
    #: The deletion time (as the service sent it).
    deleted_at: Optional[str] = _field("deletedAt")
    #: The AZs.
    available_zones: Optional[List[str]] = _field("availableZones")
    #: The start of the maintenance window.
    maintain_begin: Optional[str] = _field("maintainBegin")
    #: The end of the maintenance window.
    maintain_end: Optional[str] = _field("maintainEnd")
    #: The task status.
    task_status: Optional[str] = _field("taskStatus")
    #: Tells whether access without password is enabled.
    no_password_access: Optional[bool] = _field("noPasswordAccess")
    #: The access user.
    access_user: Optional[str] = _field("accessUser")
    #: The public IP address ID.
    publicip_id: Optional[str] = _field("publicipId")
    #: The public IP address.
    publicip_addr: Optional[str] = _field("publicipAddr")
    #: Tells whether a public IP address is bound.
    publicip_bounded: Optional[bool] = _field("publicipBounded")
    #: OutZones: ignore (documented as an invalid field).
    out_zones: Optional[str] = _field("outZones")
    #: The resource list.
    resource_list: Optional[str] = _field("resourceList")
    #: NameLike: ignore (documented as an invalid field).
    name_like: Optional[str] = _field("nameLike")
    #: InstanceIDLike: ignore (documented as an invalid field).
    instance_id_like: Optional[str] = _field("instanceIdLike")
    #: The specification code.
    spec_code: Optional[str] = _field("specCode")
    #: StatusIncluded: ignore (documented as an invalid field).
    status_included: Optional[str] = _field("statusIncluded")
    #: The enterprise project ID.
    ep_id: Optional[str] = _field("epId")
    #: The residual resource status.
    res_leak_status: Optional[str] = _field("resLeakStatus")
    #: The tags.
    tag_entries: Optional[str] = _field("tagEntries")
    #: The system tags.
    ep_ids: Optional[str] = _field("epIds")
    #: TypeExcluded: ignore (documented as an invalid field).
    type_excluded: Optional[str] = _field("typeExcluded")
    #: Tells whether IPv6 is enabled.
    ipv6_enable: Optional[bool] = _field("ipv6Enable")
    #: The IPv6 connection address.
    ipv6_connect_address: Optional[str] = _field("ipv6ConnectAddress")
    #: The bandwidth.
    bandwidths: Optional[int] = _field()
    #: The ingress bandwidth (next generation; as sent).
    ingress_bandwidth_size: Optional[str] = _field("ingressBandwidthSize")
    #: The ID of the cluster the instance is in.
    res_instance_cluster_id: Optional[str] = _field("resInstanceClusterId")
    #: The region scope (center or edge).
    scope: Optional[str] = _field()
    #: The CPU architecture (x86_64, aarch64, x86 or arm).
    cpu_arch: Optional[CpuArch] = _field("cpuArch")
    #: The encryption type.
    crypto_type: Optional[str] = _field("cryptoType")
    #: Tells whether RocketMQ is enabled.
    rocketmq_enable: Optional[bool] = _field("rocketmqEnable")
    #: Tells whether the external ELB is enabled.
    external_elb_enable: Optional[bool] = _field("externalElbEnable")
    #: The LTS log group ID.
    lts_log_group_id: Optional[str] = _field("ltsLogGroupId")
    #: Tells whether billing is pay-per-use (the service's spelling).
    demond_pay: Optional[bool] = _field("demondPay")
    #: Tells whether the instance is prepaid.
    pre_pay: Optional[bool] = _field("prePay")
    #: The enterprise project ID, or the default one.
    ep_id_or_default: Optional[str] = _field("epIdOrDefault")


@dataclass
class RomaInstance(_Model):
    """The details of a ROMA Connect instance (GET
    /v2/{project_id}/apic/instances/{instance_id}).
    """

    #: The instance ID.
    id: Optional[str] = _field()
    #: The project the instance belongs to.
    project_id: Optional[str] = _field()
    #: The instance name.
    instance_name: Optional[str] = _field()
    #: The status word (34 documented values, e.g. Creating, Running, CreateFail).
    status: Optional[RomaInstanceStatus] = _field()
    #: The status number (1-41).
    instance_status: Optional[int] = _field()
    #: The instance type.
    type: Optional[str] = _field()
    #: The edition (ROMA_BASIC, ROMA_PROFESSIONAL, ROMA_ENTERPRISE, ROMA_PLATINUM, ...).
    spec: Optional[RomaSpec] = _field()
    #: The creation time.
    create_time: Optional[int] = _field()
    #: The enterprise project ID.
    enterprise_project_id: Optional[str] = _field()
    #: The EIP bound to the instance.
    eip_address: Optional[str] = _field()
    #: The billing mode: 0 pay-per-use, 1 yearly/monthly.
    charging_mode: Optional[int] = _field()
    #: The order ID for yearly/monthly billing.
    cbc_metadata: Optional[str] = _field()
    #: The cloud operation locks.
    cbc_operation_locks: Optional[List[CbcOperationLock]] = _field()
    #: The description.
    description: Optional[str] = _field()
    #: The VPC ID.
    vpc_id: Optional[str] = _field()
    #: The subnet ID.
    subnet_id: Optional[str] = _field()
    #: The security group ID.
    security_group_id: Optional[str] = _field()
    #: The start of the maintenance window (xx:00:00).
    maintain_begin: Optional[str] = _field()
    #: The end of the maintenance window (xx:00:00).
    maintain_end: Optional[str] = _field()
    #: The VPC inbound address.
    ingress_ip: Optional[str] = _field()
    #: The ID of the user the instance belongs to.
    user_id: Optional[str] = _field()
    #: The CIDR block for public outbound access (IPv6).
    nat_eip_ipv6_cidr: Optional[str] = _field()
    #: The EIP (IPv6).
    eip_ipv6_address: Optional[str] = _field()
    #: The IP address for public outbound access.
    nat_eip_address: Optional[str] = _field()
    #: The bandwidth.
    bandwidth_size: Optional[int] = _field()
    #: The AZs.
    available_zone_ids: Optional[List[str]] = _field()
    #: The instance version.
    instance_version: Optional[str] = _field()
    #: The subnet ID.
    virsubnet_id: Optional[str] = _field()
    #: The ROMA EIP.
    roma_eip_address: Optional[str] = _field()
    #: The instance's listeners.
    listeners: Optional[List[Listener]] = _field()
    #: The supported features.
    supported_features: Optional[List[str]] = _field()
    #: The instance entry (IPv6).
    ingress_ip_v6: Optional[str] = _field()
    #: The internal IP addresses of the nodes.
    node_ips: Optional[NodeIPs] = _field()
    #: The inbound IP addresses for multiple instances.
    ingress_ips: Optional[str] = _field()
    #: The cryptographic algorithms: generalCipher, SMCompatible or SMOnly.
    cipher_type: Optional[RomaCipherType] = _field()


@dataclass
class CbcOperationLock(_Model):
    """A cloud operation lock of a ``RomaInstance``."""

    #: Why operations are locked (TO_PERIOD_LOCK, SPEC_CHG_LOCK).
    lock_scene: Optional[CbcLockScene] = _field()
    #: The ID of the object that locked them.
    lock_source_id: Optional[str] = _field()


@dataclass
class Listener(_Model):
    """A listener of a ``RomaInstance``."""

    #: The listener name.
    name: Optional[str] = _field()
    #: The port the listener serves on.
    port: Optional[int] = _field()
    #: The backend service.
    backend: Optional[Backend] = _field()
    #: The IP protocol version of the load balancer.
    ip_version: Optional[int] = _field()


@dataclass
class Backend(_Model):
    """The backend of a ``Listener``."""

    #: The backend host addresses.
    ip: Optional[List[str]] = _field()
    #: The backend port (the listener's when absent).
    port: Optional[int] = _field()
    #: The health check settings.
    health_check: Optional[HealthCheck] = _field()


@dataclass
class HealthCheck(_Model):
    """The health check settings of a ``Backend``."""

    #: The protocol (LVS supports only TCP_CHECK).
    protocol: Optional[str] = _field()
    #: The health check port.
    port: Optional[int] = _field()
    #: How many consecutive failures make the backend unhealthy.
    unhealthy: Optional[int] = _field()
    #: The timeout of one check, in seconds.
    timeout: Optional[int] = _field()
    #: The interval between checks, in seconds.
    interval: Optional[int] = _field()


@dataclass
class NodeIPs(_Model):
    """The internal IP addresses of a ``RomaInstance``'s nodes."""

    #: The LiveData component nodes.
    livedata: Optional[List[str]] = _field()
    #: The API gateway (Shubao) component nodes.
    shubao: Optional[List[str]] = _field()


@dataclass
class RomaInstancePage(_Model):
    """One page of ROMA Connect instances (GET /v2/{project_id}/instances).
    """

    #: How many instances match in all, as the service counts them.
    total: Optional[int] = _field()
    #: How many instances are on this page.
    size: Optional[int] = _field()
    #: The instances on this page.
    instances: Optional[List[RomaInstanceSummary]] = _field()


@dataclass
class RomaInstanceSummary(_Model):
    """A ROMA Connect instance as the list API describes it."""

    #: The instance ID.
    id: Optional[str] = _field()
    #: The instance name.
    name: Optional[str] = _field()
    #: The description.
    description: Optional[str] = _field()
    #: The specification ID.
    flavor_id: Optional[str] = _field()
    #: The specification type (Basic, Professional, Enterprise, Platinum, Platinumx8, in any
    #: case).
    flavor_type: Optional[RomaFlavorType] = _field()
    #: The CPU architecture (x86_64 or aarch64).
    cpu_arch: Optional[CpuArch] = _field()
    #: The VPC ID.
    vpc_id: Optional[str] = _field()
    #: The VPC subnet ID.
    subnet_id: Optional[str] = _field()
    #: The security group ID.
    security_group_id: Optional[str] = _field()
    #: Tells whether public network access is enabled.
    publicip_enable: Optional[bool] = _field()
    #: The ID of the bound EIP.
    publicip_id: Optional[str] = _field()
    #: The bound EIP.
    publicip_address: Optional[str] = _field()
    #: The running status (CREATING, RUNNING, DELETING, DELETED, ERROR, CREATE_FAILED,
    #: DELETE_FAILED, SOFT_DELETED, FREEZING, FROZEN, ...).
    status: Optional[RomaListStatus] = _field()
    #: The error code of a failure.
    error_code: Optional[str] = _field()
    #: The error message of a failure.
    error_msg: Optional[str] = _field()
    #: The billing mode (prePaid or postPaid).
    charge_type: Optional[ChargeType] = _field()
    #: The project ID.
    project_id: Optional[str] = _field()
    #: The creation time (an ISO 8601 string in this API).
    create_time: Optional[str] = _field()
    #: The update time (an ISO 8601 string in this API).
    update_time: Optional[str] = _field()
    #: The start of the O&M window.
    maintain_begin: Optional[str] = _field()
    #: The end of the O&M window.
    maintain_end: Optional[str] = _field()
    #: The AZs.
    available_zone_ids: Optional[List[str]] = _field()
    #: The enterprise project ID.
    enterprise_project_id: Optional[str] = _field()


@dataclass
class ApigCreationProgress(_Model):
    """How far the creation of a dedicated APIG instance has got (GET
    /v2/{project_id}/apigw/instances/{instance_id}/progress).
    """

    #: The progress in percent: 30, 50, 80, 90 or 100.
    progress: Optional[int] = _field()
    #: Creating, success or failed (as the service spelt it).
    status: Optional[ApigProgressStatus] = _field()
    #: Why creation failed.
    error_code: Optional[str] = _field()
    #: Why creation failed, for people.
    error_msg: Optional[str] = _field()
    #: When creation started.
    start_time: Optional[int] = _field()
    #: When creation ended.
    end_time: Optional[int] = _field()


@dataclass
class ClouddcInstanceStatus(_Model):
    """The state of a Cloud DC instance (GET
    /v1/{project_id}/instances/{id}/status).
    """

    #: The instance state: pending, running, stopped, shutting_down (or shutting-down),
    #: terminated, error, and the older SDKs' stopping, reinstalling, failed, modifyIping, switch-
    #: installing.
    state: Optional[ClouddcState] = _field()
    #: The operation under way and how it went, e.g. install-processing, install-succeed,
    #: install-failed.
    operation_state: Optional[str] = _field()
    #: Set when an operation failed.
    error: Optional[ClouddcError] = _field()


@dataclass
class ClouddcError(_Model):
    """Why a Cloud DC operation failed."""

    #: The error code.
    error_code: Optional[str] = _field()
    #: The error description.
    error_msg: Optional[str] = _field()
    #: Which operation failed (create_instance_error, delete_instance_error, reinstall_error,
    #: modify_ip_error, verify_server_error, delete_server_error).
    error_type: Optional[ClouddcErrorType] = _field()

@dataclass
class LifecycleError(_Model):
    """Why a service says an instance failed."""

    #: The service's error code, e.g. "APIG.9999".
    error_code: Optional[str] = _field()
    #: The service's error message.
    error_msg: Optional[str] = _field()


@dataclass
class Lifecycle(_Model):
    """Where an instance is in its lifecycle, read from one source: the lifecycle document."""

    #: Where it was read from.
    source: Optional[Source] = _field()
    #: The instance.
    instance_id: Optional[str] = _field()
    #: The phase the service's status maps to.
    phase: Optional[Phase] = _field()
    #: The progress in percent (0-100) where the service reports one, else None.
    progress: Optional[int] = _field()
    #: Whether the phase is settled (stays until someone acts): running, stopped, deleted or
    #: failed, refined by what the source says.
    terminal: Optional[bool] = _field()
    #: The service's own status word, untouched (for ROMA details without a word, its
    #: instance_status number).
    status: Optional[str] = _field()
    #: Why the service says the instance failed, when it says so.
    error: Optional[LifecycleError] = _field()
    #: When the library read it (Unix time, milliseconds); see ``observed_at``.
    observed_at_ms: Optional[int] = _field()

    @property
    def observed_at(self) -> Optional[datetime.datetime]:
        """``observed_at_ms`` as an aware UTC datetime."""
        if self.observed_at_ms is None:
            return None
        return datetime.datetime.fromtimestamp(self.observed_at_ms / 1000, datetime.timezone.utc)


# ---------------------------------------------------------------------------------------------
# Decoders: one generated function per model, built once at import from the annotations, so
# that decoding a document is one dict look-up and one attribute store per field (no
# reflection per call). Stores in field order on an instance made with object.__new__ share
# the class's dict keys, as __init__'s do: cheaper than building a dict for __dict__.
# ---------------------------------------------------------------------------------------------

_OPTIONAL = re.compile(r"^Optional\[(.+)\]$")
_LIST = re.compile(r"^List\[(.+)\]$")
_PLAIN = {"str", "int", "bool", "float"}


def _enum_converter(cls: Type[OpenStrEnum]) -> Callable[[Any], Any]:
    members = cls._value2member_map_
    make = cls.of

    def convert(word: Any) -> Any:
        member = members.get(word)
        return member if member is not None else make(word)

    return convert


def _enum_of(annotation: str, namespace: Dict[str, Any]) -> Optional[Type[OpenStrEnum]]:
    """The enum of an ``Optional[SomeEnum]`` field, else None."""
    match = _OPTIONAL.match(annotation)
    target = namespace.get(match.group(1)) if match else None
    if isinstance(target, type) and issubclass(target, OpenStrEnum):
        return target
    return None


def _list_of(convert: Callable[[Any], Any]) -> Callable[[Any], Any]:
    def convert_list(items: Any) -> Any:
        if type(items) is not list:
            return items
        return [None if item is None else convert(item) for item in items]

    return convert_list


def _nested(cls: Type[_Model]) -> Callable[[Any], Any]:
    def convert(document: Any) -> Any:
        if type(document) is not dict:
            return document
        return cls._decode(document)

    return convert


def _converter(annotation: str, namespace: Dict[str, Any]) -> Optional[Callable[[Any], Any]]:
    """The function that turns a field's JSON value into its annotation's type (None: as is)."""
    match = _OPTIONAL.match(annotation)
    if match:
        annotation = match.group(1)
    match = _LIST.match(annotation)
    if match:
        inner = _converter(match.group(1), namespace)
        return None if inner is None else _list_of(inner)
    if annotation in _PLAIN:
        return None
    target = namespace[annotation]
    if isinstance(target, type) and issubclass(target, OpenStrEnum):
        return _enum_converter(target)
    if isinstance(target, type) and issubclass(target, _Model):
        return _nested(target)
    raise TypeError(f"no converter for {annotation}")  # pragma: no cover - a bug here


def _finish(cls: Type[_Model]) -> None:
    namespace = sys.modules[__name__].__dict__
    lines = ["def decode(d):", "    g = d.get", "    o = new(cls)"]
    env: Dict[str, Any] = {"new": object.__new__, "cls": cls}
    keys = []
    for n, f in enumerate(fields(cls)):
        key = f.metadata.get("json", f.name)
        keys.append(key)
        enum = _enum_of(str(f.type), namespace)
        convert = None if enum else _converter(str(f.type), namespace)
        if enum is not None:
            # A documented word is a dict hit (a member, true: no value is empty); any other
            # goes through the enum's own lookup (other spellings, unknown words).
            if not all(enum._value2member_map_):  # pragma: no cover - a bug here
                raise TypeError(f"{enum.__name__} has an empty word")
            env[f"m{n}"] = enum._value2member_map_
            env[f"c{n}"] = enum.of
            lines.append(f"    o.{f.name} = None if (v := g({key!r})) is None else (m{n}.get(v) or c{n}(v))")
        elif convert is None:
            lines.append(f"    o.{f.name} = g({key!r})")
        else:
            env[f"c{n}"] = convert
            lines.append(f"    o.{f.name} = None if (v := g({key!r})) is None else c{n}(v)")
    lines.append("    o.raw = d")
    lines.append("    return o")
    exec("\n".join(lines), env)  # noqa: S102 - code built from this module's own annotations
    cls._json_keys = frozenset(keys)
    cls._decode = staticmethod(env["decode"])  # type: ignore[assignment]


for _cls in (
    LifecycleError,
    Lifecycle,
    HealthCheck,
    Backend,
    Listener,
    NodeIPs,
    CbcOperationLock,
    RomaInstance,
    RomaProgressItem,
    RomaProgressInstance,
    RomaCreationProgress,
    RomaInstanceSummary,
    RomaInstancePage,
    ApigCreationProgress,
    ClouddcError,
    ClouddcInstanceStatus,
):
    _finish(_cls)
del _cls
