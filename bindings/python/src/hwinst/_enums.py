"""Status words and the lifecycle vocabulary as ``str``-based enums.

Services add words as they evolve and spell them in any case, with ``-`` or ``_``
(``shutting-down``, ``shutting_down``), sometimes misspelt (``DELETE_FALIED``). Every
vocabulary here is an :class:`OpenStrEnum`: a word that matches a documented one (ignoring
ASCII case, ``-``, ``_`` and surrounding white space, as the library does) is that member; any
other word is still accepted, as a value of the same type that is not a member (its
``known`` is False), never an error. The server's exact spelling is always in the model's
``raw`` document.
"""

from __future__ import annotations

import enum
from typing import Any, Dict, Optional, Tuple, Type, TypeVar

__all__ = [
    "OpenStrEnum",
    "Phase",
    "Source",
    "Service",
    "FleetMode",
    "Outcome",
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

E = TypeVar("E", bound="OpenStrEnum")


def _fold(word: str) -> str:
    return word.strip().replace("-", "").replace("_", "").lower()


class OpenStrEnum(str, enum.Enum):
    """A ``str`` enum that accepts words it does not know.

    ``Cls("SUCCESS")`` is ``Cls.SUCCESS`` when the documented word is ``success``;
    ``Cls("paused")`` is a ``Cls`` equal to ``"paused"`` whose ``known`` is False. Members may
    have other spellings (see ``_alias``).
    """

    @property
    def known(self) -> bool:
        """True for a documented word, False for one this version does not know."""
        return self._name_ is not None and self._name_ in type(self).__members__

    @classmethod
    def _lookup(cls) -> Dict[str, Any]:
        table: Optional[Dict[str, Any]] = cls.__dict__.get("_folded_")
        if table is None:
            table = {}
            aliases: Dict[str, Tuple[str, ...]] = cls.__dict__.get("_other_words", {})
            for member in cls.__members__.values():
                table[_fold(member.value)] = member
                for alias in aliases.get(member.name, ()):
                    table[_fold(alias)] = member
            type.__setattr__(cls, "_folded_", table)
        return table

    @classmethod
    def _missing_(cls, value: object) -> Any:
        if not isinstance(value, str):
            return None
        member = cls._lookup().get(_fold(value))
        if member is not None:
            return member
        unknown = str.__new__(cls, value)
        unknown._name_ = None  # type: ignore[assignment]
        unknown._value_ = value
        return unknown

    def __repr__(self) -> str:
        if self.known:
            return f"<{type(self).__name__}.{self._name_}: {self._value_!r}>"
        return f"<{type(self).__name__} (unknown): {self._value_!r}>"

    def __str__(self) -> str:
        return str(self._value_)

    def __format__(self, spec: str) -> str:
        return format(str(self._value_), spec)

    def __reduce_ex__(self, protocol: Any) -> Any:
        return (type(self), (self._value_,))

    @classmethod
    def of(cls: Type[E], word: Any) -> Optional[E]:
        """``cls(word)`` for a string, None for None (what a model does with each field)."""
        if word is None:
            return None
        if isinstance(word, str):
            return cls(word)
        return cls(str(word))


def _alias(cls: Type[OpenStrEnum], **words: Tuple[str, ...]) -> None:
    """Other spellings of some of cls's members, by member name."""
    type.__setattr__(cls, "_other_words", words)


class Phase(OpenStrEnum):
    """Where an instance is in its lifecycle, the same for every service."""

    PENDING = "pending"
    CREATING = "creating"
    RUNNING = "running"
    UPDATING = "updating"
    STOPPING = "stopping"
    STOPPED = "stopped"
    DELETING = "deleting"
    DELETED = "deleted"
    FAILED = "failed"
    UNKNOWN = "unknown"


class Source(OpenStrEnum):
    """Where a lifecycle is read from: which service API ``lifecycle`` and ``wait`` poll."""

    #: ROMA Connect creation progress (``GET /v2/{project_id}/instances/{id}/process``).
    ROMA = "roma"
    #: ROMA Connect instance details (``GET /v2/{project_id}/apic/instances/{id}``).
    ROMA_DETAILS = "roma-details"
    #: APIG creation progress (``GET /v2/{project_id}/apigw/instances/{id}/progress``).
    APIG = "apig"
    #: Cloud DC instance status (``GET /v1/{project_id}/instances/{id}/status``).
    CLOUDDC = "clouddc"
    #: Not polled: a fleet wait's ROMA lifecycle read through the paged list
    #: (``GET /v2/{project_id}/instances``), for either ROMA source's target.
    ROMA_LIST = "roma-list"


class Service(OpenStrEnum):
    """A service whose requests share one budget in a fleet wait."""

    ROMA = "roma"
    APIG = "apig"
    CLOUDDC = "clouddc"


class FleetMode(OpenStrEnum):
    """When a fleet wait ends: ``ALL`` instances have an outcome, or ``ANY`` one reached."""

    ALL = "all"
    ANY = "any"


class Outcome(OpenStrEnum):
    """One instance's outcome in a fleet wait."""

    REACHED = "reached"  #: it reached a target phase
    FAILED = "failed"  #: it reached failed or deleted (not targets)
    TIMEOUT = "timeout"  #: the deadline passed first
    CANCELLED = "cancelled"  #: the wait was cancelled first
    ERROR = "error"  #: an error that polling again cannot fix (e.g. not found)
    PENDING = "pending"  #: not finished when an ``any`` or ``fail_fast`` wait ended


class RomaCreationStatus(OpenStrEnum):
    """ROMA Connect creation-progress status (``CREATING|RUNNING|CREATE_FAILED``)."""

    CREATING = "CREATING"
    RUNNING = "RUNNING"
    CREATE_FAILED = "CREATE_FAILED"


class CpuArch(OpenStrEnum):
    """CPU architecture (``x86_64``/``aarch64`` in the list API, ``x86``/``arm`` elsewhere)."""

    X86_64 = "x86_64"
    AARCH64 = "aarch64"


_alias(CpuArch, X86_64=("x86",), AARCH64=("arm",))


class RomaInstanceStatus(OpenStrEnum):
    """The 34 documented statuses of a ROMA Connect instance (``RomaInstance.status``)."""

    CREATING = "Creating"
    CREATE_SUCCESS = "CreateSuccess"
    CREATE_FAIL = "CreateFail"
    INITING = "Initing"
    REGISTERING = "Registering"
    RUNNING = "Running"
    INITING_FAILED = "InitingFailed"
    REGISTER_FAILED = "RegisterFailed"
    INSTALLING = "Installing"
    INSTALL_FAILED = "InstallFailed"
    UPDATING = "Updating"
    UPDATE_FAILED = "UpdateFailed"
    ROLLBACKING = "Rollbacking"
    ROLLBACK_SUCCESS = "RollbackSuccess"
    ROLLBACK_FAILED = "RollbackFailed"
    DELETING = "Deleting"
    DELETE_FAILED = "DeleteFailed"
    UNREGISTERING = "Unregistering"
    UNREGISTER_FAILED = "UnRegisterFailed"
    CREATE_TIMEOUT = "CreateTimeout"
    INIT_TIMEOUT = "InitTimeout"
    REGISTER_TIMEOUT = "RegisterTimeout"
    INSTALL_TIMEOUT = "InstallTimeout"
    UPDATE_TIMEOUT = "UpdateTimeout"
    ROLLBACK_TIMEOUT = "RollbackTimeout"
    DELETE_TIMEOUT = "DeleteTimeout"
    UNREGISTER_TIMEOUT = "UnregisterTimeout"
    STARTING = "Starting"
    FREEZING = "Freezing"
    FROZEN = "Frozen"
    RESTARTING = "Restarting"
    RESTART_FAIL = "RestartFail"
    UNHEALTHY = "Unhealthy"
    RESTART_TIMEOUT = "RestartTimeout"


class RomaSpec(OpenStrEnum):
    """The edition of a ROMA Connect instance (``spec``)."""

    BASIC = "ROMA_BASIC"
    PROFESSIONAL = "ROMA_PROFESSIONAL"
    ENTERPRISE = "ROMA_ENTERPRISE"
    PLATINUM = "ROMA_PLATINUM"


class RomaCipherType(OpenStrEnum):
    """The cryptographic algorithms of an instance (``cipher_type``)."""

    GENERAL = "generalCipher"
    SM_COMPATIBLE = "SMCompatible"
    SM_ONLY = "SMOnly"


class CbcLockScene(OpenStrEnum):
    """Why cloud operations on an instance are locked (``lock_scene``)."""

    TO_PERIOD = "TO_PERIOD_LOCK"
    SPEC_CHANGE = "SPEC_CHG_LOCK"


class RomaListStatus(OpenStrEnum):
    """Statuses of the ROMA Connect instance-list API (``DELETE_FALIED`` is DELETE_FAILED)."""

    CREATING = "CREATING"
    RUNNING = "RUNNING"
    DELETING = "DELETING"
    DELETED = "DELETED"
    ERROR = "ERROR"
    CREATE_FAILED = "CREATE_FAILED"
    DELETE_FAILED = "DELETE_FAILED"
    SOFT_DELETED = "SOFT_DELETED"
    FREEZING = "FREEZING"
    FROZEN = "FROZEN"


_alias(RomaListStatus, DELETE_FAILED=("DELETE_FALIED",))


class RomaFlavorType(OpenStrEnum):
    """Instance specification type (``flavor_type``), in any case."""

    BASIC = "Basic"
    PROFESSIONAL = "Professional"
    ENTERPRISE = "Enterprise"
    PLATINUM = "Platinum"
    PLATINUMX8 = "Platinumx8"


class ChargeType(OpenStrEnum):
    """Billing mode (``charge_type``)."""

    PRE_PAID = "prePaid"
    POST_PAID = "postPaid"


class ApigProgressStatus(OpenStrEnum):
    """The APIG creation status (``ApigCreationProgress.status``)."""

    CREATING = "creating"
    SUCCESS = "success"
    FAILED = "failed"


class ClouddcState(OpenStrEnum):
    """A Cloud DC instance state, in the document's, the newest and the older SDKs' words."""

    PENDING = "pending"
    RUNNING = "running"
    STOPPED = "stopped"
    SHUTTING_DOWN = "shutting_down"
    TERMINATED = "terminated"
    ERROR = "error"
    STOPPING = "stopping"
    REINSTALLING = "reinstalling"
    FAILED = "failed"
    MODIFYING_IP = "modifyIping"
    SWITCH_INSTALLING = "switch-installing"


class ClouddcErrorType(OpenStrEnum):
    """What kind of operation a Cloud DC error came from (``error.error_type``)."""

    CREATE_INSTANCE = "create_instance_error"
    DELETE_INSTANCE = "delete_instance_error"
    REINSTALL = "reinstall_error"
    MODIFY_IP = "modify_ip_error"
    VERIFY_SERVER = "verify_server_error"
    DELETE_SERVER = "delete_server_error"
