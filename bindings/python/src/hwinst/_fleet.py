"""The fleet wait's targets and outcome (``hwinst_wait_many``'s documents)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any, Dict, List, Mapping, NamedTuple, Optional, Union

from ._enums import Outcome, Source
from ._errors import Error, error_from_document
from ._models import Lifecycle

__all__ = ["Target", "Fleet", "FleetInstance", "FleetEvent"]


class Target(NamedTuple):
    """One instance of a fleet wait: where its lifecycle is read from, and its ID.

    ``wait_many`` also takes ``(source, instance_id)`` tuples and
    ``{"source": ..., "instance_id": ...}`` mappings.
    """

    source: Union[Source, str]
    instance_id: str


class FleetEvent(NamedTuple):
    """One change a fleet wait saw, for ``wait_many``'s ``on_change``: the target it concerns
    (its index in the targets, and the target as given) and the lifecycle read.

    The lifecycle's own ``source`` says where it was read: ``roma-list`` for ROMA targets read
    through the batched list, so two targets for one ROMA instance (``roma`` and
    ``roma-details``) are told apart only by their target.
    """

    index: int
    target: Target
    lifecycle: Lifecycle

    def __getattr__(self, name: str) -> Any:
        """The lifecycle's fields (``event.phase``), so that a callback written for
        lifecycles keeps working; ``event.target`` says which target it is."""
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self.lifecycle, name)

    @classmethod
    def _of(cls, lifecycle: Lifecycle, targets: List[Dict[str, str]]) -> "FleetEvent":
        """The event of a callback document: ``lifecycle``, whose ``target`` object (in
        ``raw``) gives the index into ``targets`` (as sent to the library)."""
        named = lifecycle.raw.get("target")
        index = named.get("index") if isinstance(named, dict) else None
        if not isinstance(index, int) or not 0 <= index < len(targets):
            raise ValueError("the change document names no target of this wait")
        target = targets[index]
        return cls(index, Target(Source(target["source"]), target["instance_id"]), lifecycle)


@dataclass
class FleetInstance:
    """One target's outcome in a :class:`Fleet`."""

    source: Source
    instance_id: str
    #: ``reached``, ``failed``, ``timeout``, ``cancelled``, ``error`` or ``pending``.
    outcome: Outcome
    #: The last lifecycle seen, or None.
    lifecycle: Optional[Lifecycle]
    #: Why it did not reach a target phase (failed, timed out, cancelled, an error), or None.
    error: Optional[Error]
    #: How many times it was read.
    polls: int


@dataclass
class Fleet:
    """The outcome of a fleet wait: every target, in the order given, none dropped."""

    instances: List[FleetInstance]
    #: Requests sent to each service (``roma``, ``apig``, ``clouddc``).
    requests: Dict[str, int]
    #: How many 429 answers the services gave.
    throttled: int
    #: How long the wait took, in milliseconds (see ``elapsed``).
    elapsed_ms: int
    #: The fleet document this was decoded from.
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @property
    def elapsed(self) -> datetime.timedelta:
        """How long the wait took."""
        return datetime.timedelta(milliseconds=self.elapsed_ms)

    def by_outcome(self, outcome: Union[Outcome, str]) -> List[FleetInstance]:
        """The instances whose outcome is ``outcome``."""
        if not isinstance(outcome, str):
            raise TypeError(f"outcome must be a str or an Outcome, not {type(outcome).__name__}")
        wanted = Outcome(outcome)
        return [i for i in self.instances if i.outcome == wanted]

    @classmethod
    def from_dict(cls, document: Mapping[str, Any]) -> "Fleet":
        """Decodes a fleet document (TypeError when it is not a mapping, ValueError when it
        is not a fleet document)."""
        if not isinstance(document, Mapping):
            raise TypeError(f"Fleet.from_dict takes a mapping, not {type(document).__name__}")
        instances = document.get("instances")
        if not isinstance(instances, list):
            raise ValueError("not a fleet document: no instances")
        decoded = []
        for item in instances:
            if not isinstance(item, dict):
                raise ValueError("not a fleet document: an instance is not an object")
            lifecycle = item.get("lifecycle")
            error = item.get("error")
            decoded.append(
                FleetInstance(
                    source=Source.of(item.get("source")),  # type: ignore[arg-type]
                    instance_id=str(item.get("instance_id", "")),
                    outcome=Outcome.of(item.get("outcome")),  # type: ignore[arg-type]
                    lifecycle=Lifecycle._decode(lifecycle) if isinstance(lifecycle, dict) else None,
                    error=error_from_document(0, error) if isinstance(error, dict) else None,
                    polls=int(item.get("polls") or 0),
                )
            )
        requests = document.get("requests")
        return cls(
            instances=decoded,
            requests=dict(requests) if isinstance(requests, dict) else {},
            throttled=int(document.get("throttled") or 0),
            elapsed_ms=int(document.get("elapsed_ms") or 0),
            raw=dict(document),
        )
