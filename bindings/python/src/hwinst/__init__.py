"""hwinst: where a Huawei Cloud ROMA Connect, API Gateway or Cloud DC instance is in its
provisioning lifecycle, and waiting until it is ready.

A Python binding of the hwinst library's C ABI (``include/hwinst.h``), each request through its C
extension ``hwinst._native`` (else ctypes), the rest through ctypes::

    import hwinst

    with hwinst.Client({"region": "cn-north-4", "project_id": "0a1b2c3d4e5f",
                        "credentials": {"token": token}}) as client:
        progress = client.apig_creation_progress(instance_id)      # ApigCreationProgress
        ready = client.wait("apig", instance_id, timeout=1200,
                            on_change=lambda l: print(l.phase, l.progress))

Every failure is a :class:`hwinst.Error` subclass per code (:class:`NotFoundError`,
:class:`ThrottledError`, :class:`InstanceFailedError`, ...). See the package README.
"""

from ._enums import (
    ApigProgressStatus,
    CbcLockScene,
    ChargeType,
    ClouddcErrorType,
    ClouddcState,
    CpuArch,
    FleetMode,
    OpenStrEnum,
    Outcome,
    Phase,
    RomaCipherType,
    RomaCreationStatus,
    RomaFlavorType,
    RomaInstanceStatus,
    RomaListStatus,
    RomaSpec,
    Service,
    Source,
)
from ._errors import (
    ApiError,
    CancelledError,
    Code,
    ConfigError,
    DecodeError,
    Error,
    ForbiddenError,
    InstanceFailedError,
    InvalidArgumentError,
    NotFoundError,
    PanicError,
    ServerError,
    ThrottledError,
    TimeoutError,
    TransportError,
    UnauthorizedError,
)
from ._fleet import Fleet, FleetEvent, FleetInstance, Target
from ._models import (
    ApigCreationProgress,
    Backend,
    CbcOperationLock,
    ClouddcError,
    ClouddcInstanceStatus,
    HealthCheck,
    Lifecycle,
    LifecycleError,
    Listener,
    NodeIPs,
    RomaCreationProgress,
    RomaInstance,
    RomaInstancePage,
    RomaInstanceSummary,
    RomaProgressInstance,
    RomaProgressItem,
)
from ._cancel import CancelToken
from ._client import DEFAULT_PAGE_SIZE, Client, ClosedError, library_version

# The installed distribution's version (the crate's, from Cargo.toml, as setup.py gives it).
# From a source tree that is not installed (PYTHONPATH=src), the loaded library's.
from importlib import metadata as _metadata  # noqa: E402 (kept with the one line that uses it)

try:
    __version__ = _metadata.version("hwinst")
except _metadata.PackageNotFoundError:
    __version__ = library_version()

__all__ = [
    "Client",
    "CancelToken",
    "library_version",
    "DEFAULT_PAGE_SIZE",
    # errors
    "Code",
    "Error",
    "InvalidArgumentError",
    "ConfigError",
    "TransportError",
    "TimeoutError",
    "UnauthorizedError",
    "ForbiddenError",
    "NotFoundError",
    "ThrottledError",
    "ServerError",
    "ApiError",
    "DecodeError",
    "CancelledError",
    "InstanceFailedError",
    "PanicError",
    "ClosedError",
    # lifecycles and fleets
    "Source",
    "Phase",
    "Lifecycle",
    "LifecycleError",
    "Target",
    "Fleet",
    "FleetEvent",
    "FleetInstance",
    "FleetMode",
    "Outcome",
    "Service",
    # models
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
    # vocabularies
    "OpenStrEnum",
    "RomaCreationStatus",
    "CpuArch",
    "RomaInstanceStatus",
    "RomaSpec",
    "RomaCipherType",
    "CbcLockScene",
    "RomaListStatus",
    "RomaFlavorType",
    "ChargeType",
    "ApigProgressStatus",
    "ClouddcState",
    "ClouddcErrorType",
]
