"""The public functions' arguments, checked and converted for C before anything is sent.

One rule for every argument: a value of the wrong type is :class:`TypeError` (a bool is not
a number, ``"false"`` is not a bool, an object is not a str), a value of the right type that
cannot be sent is :class:`InvalidArgumentError` (a NUL character, a negative or overflowing
number). Ranges the library itself enforces (a limit of 0, an unknown source, a rate it
refuses) are left to it: it answers ``INVALID_ARGUMENT`` before any request.
"""

from __future__ import annotations

import datetime
import math
from typing import Any, Callable, Iterable, List, Optional, Union

from ._enums import Phase
from ._errors import InvalidArgumentError
from ._lib import Document, parse_json

__all__ = [
    "Duration",
    "decode_or_none",
    "text",
    "c_text",
    "millis",
    "non_negative_int",
    "boolean",
    "rate",
    "phases",
    "callback",
]

#: A duration: seconds (int or float) or a ``datetime.timedelta``.
Duration = Union[int, float, datetime.timedelta]

#: The longest duration sent, in seconds: milliseconds stay exact in a JSON number (2**53).
_MAX_SECONDS = 2**53 / 1000


def _type_name(value: Any) -> str:
    return type(value).__name__


def decode_or_none(payload: Document) -> Any:
    """A JSON document the library wrote, decoded; None for none or for text that is not JSON."""
    if payload is None:
        return None
    try:
        return parse_json(payload)
    except ValueError:
        return None


def text(name: str, value: Any) -> str:
    """A string argument: a str (an enum member gives its value), with no NUL character."""
    if type(value) is not str:
        if not isinstance(value, str):
            raise TypeError(f"{name} must be a str, not {_type_name(value)}")
        # an enum member or another str subclass: the plain text
        value = value._value_ if hasattr(value, "_value_") else str.__str__(value)
    if "\0" in value:
        raise InvalidArgumentError(f"{name} contains a NUL character")
    return value  # type: ignore[no-any-return]


def c_text(name: str, value: Any) -> bytes:
    """:func:`text`, encoded as UTF-8 for C."""
    if type(value) is str and "\0" not in value:  # the common case, checked inline (per call)
        try:
            return value.encode()
        except UnicodeEncodeError:
            pass  # text() passes it; the message below says why it cannot be sent
    try:
        return text(name, value).encode()
    except UnicodeEncodeError:
        raise InvalidArgumentError(f"{name} is not valid Unicode (a lone surrogate)") from None


def millis(name: str, value: Optional[Duration]) -> Optional[int]:
    """A duration in whole milliseconds, rounded up so that a positive one is never 0."""
    if value is None:
        return None
    if isinstance(value, datetime.timedelta):
        seconds = value.total_seconds()
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        # An int too large for a float (10**400) is "too long", not an OverflowError.
        if isinstance(value, int) and not -_MAX_SECONDS <= value <= _MAX_SECONDS:
            raise InvalidArgumentError(
                f"{name} is too long" if value > 0 else f"{name} must be 0 or more seconds"
            )
        seconds = float(value)
    else:
        raise TypeError(
            f"{name} must be seconds (int or float) or a timedelta, not {_type_name(value)}"
        )
    if math.isnan(seconds) or seconds < 0:
        raise InvalidArgumentError(f"{name} must be a duration of 0 or more seconds")
    if math.isinf(seconds) or seconds > _MAX_SECONDS:
        raise InvalidArgumentError(f"{name} is too long")
    return math.ceil(seconds * 1000)


def non_negative_int(name: str, value: Any) -> int:
    """An int (not a bool) of 0 or more; the library refuses one too large for its field."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an int, not {_type_name(value)}")
    if value < 0:
        raise InvalidArgumentError(f"{name} must not be negative")
    return int(value)


def boolean(name: str, value: Any) -> bool:
    """A bool, and only a bool: ``bool("false")`` is True, so nothing else is converted."""
    if not isinstance(value, bool):
        raise TypeError(f"{name} must be a bool (True or False), not {_type_name(value)}")
    return value


def rate(name: str, value: Any) -> float:
    """A finite number (int or float, not a bool) as a float."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"{name} must be a number, not {_type_name(value)}")
    try:
        number = float(value)
    except OverflowError:  # an int beyond any float, e.g. 10**400
        raise InvalidArgumentError(f"{name} is too large") from None
    if math.isnan(number) or math.isinf(number):
        raise InvalidArgumentError(f"{name} must be a finite number")
    return number


def phases(until: Union[Phase, str, Iterable[Union[Phase, str]], None]) -> Optional[List[str]]:
    """``until``: one phase or an iterable of them, as the library's words."""
    if until is None:
        return None
    if isinstance(until, str):
        items: List[Any] = [until]
    elif isinstance(until, (bytes, bytearray)) or not isinstance(until, Iterable):
        raise TypeError(f"until must be a phase or an iterable of phases, not {_type_name(until)}")
    else:
        items = list(until)
    words = []
    for item in items:
        if not isinstance(item, str):
            raise TypeError(f"until must name phases (str or Phase), not {_type_name(item)}")
        words.append(Phase(text("until", item)).value)
    return words


def callback(name: str, value: Any) -> Optional[Callable[..., Any]]:
    """None or a callable."""
    if value is not None and not callable(value):
        raise TypeError(f"{name} must be callable, not {_type_name(value)}")
    return value  # type: ignore[no-any-return]
