"""Exceptions: ``hwinst.Error`` and one subclass per C library code.

No message, attribute or ``repr`` ever holds a credential: the library masks its client's
secrets in everything it writes, and this package never puts a configuration value into a
message.
"""

from __future__ import annotations

import builtins
import enum
from typing import TYPE_CHECKING, Any, Dict, Mapping, Optional, Type

from ._models import Lifecycle

if TYPE_CHECKING:  # pragma: no cover
    from ._fleet import Fleet

__all__ = [
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
    "error_for",
    "error_from_document",
]


class Code(enum.IntEnum):
    """The C library's ``hwinst_code`` (stable values; 0, ``HWINST_OK``, is never an error)."""

    OK = 0
    INVALID_ARGUMENT = 1
    CONFIG = 2
    TRANSPORT = 3
    TIMEOUT = 4
    UNAUTHORIZED = 5
    FORBIDDEN = 6
    NOT_FOUND = 7
    THROTTLED = 8
    SERVER = 9
    API = 10
    DECODE = 11
    CANCELLED = 12
    INSTANCE_FAILED = 13
    PANIC = 14


class Error(Exception):
    """A failure the hwinst library reported, or that this package refused before calling it.

    ``code`` is the kind (also given by the subclass); ``http_status``, ``error_code``,
    ``error_msg`` and ``request_id`` are the service's answer when it answered with an error
    (None otherwise); ``retryable`` says whether trying again later may succeed;
    ``lifecycle`` is the last one a wait saw (the failed instance for
    :class:`InstanceFailedError`); ``document`` is the library's error document; ``fleet`` is
    the fleet's outcome when a fleet wait failed.
    """

    #: The code of this class (the subclasses set it).
    default_code: Code = Code.PANIC

    #: A :class:`Code` member (a plain int for a code this version does not know).
    code: int
    message: str
    http_status: Optional[int]
    error_code: Optional[str]
    error_msg: Optional[str]
    request_id: Optional[str]
    retryable: bool
    lifecycle: Optional[Lifecycle]
    document: Mapping[str, Any]
    fleet: Optional["Fleet"]

    def __init__(
        self,
        message: str,
        *,
        code: Optional[int] = None,
        http_status: Optional[int] = None,
        error_code: Optional[str] = None,
        error_msg: Optional[str] = None,
        request_id: Optional[str] = None,
        retryable: bool = False,
        lifecycle: Optional[Lifecycle] = None,
        document: Optional[Mapping[str, Any]] = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = self.default_code if code is None else code
        self.http_status = http_status
        self.error_code = error_code
        self.error_msg = error_msg
        self.request_id = request_id
        self.retryable = retryable
        self.lifecycle = lifecycle
        self.document = {} if document is None else document
        self.fleet = None

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        name = self.code.name if isinstance(self.code, Code) else str(self.code)
        parts = [f"code={name}", f"message={self.message!r}"]
        for name in ("http_status", "error_code", "error_msg", "request_id"):
            value = getattr(self, name)
            if value is not None:
                parts.append(f"{name}={value!r}")
        if self.retryable:
            parts.append("retryable=True")
        if self.lifecycle is not None:
            parts.append(f"lifecycle={self.lifecycle!r}")
        return f"{type(self).__name__}({', '.join(parts)})"

    def __reduce__(self) -> Any:
        return (_rebuild, (type(self), self.message, dict(self.document), int(self.code)))


def _rebuild(cls: Type[Error], message: str, document: Dict[str, Any], code: int) -> Error:
    if document:
        return error_from_document(code, document)
    return cls(message, code=_as_code(code))


class InvalidArgumentError(Error, ValueError):
    """A bad argument (an empty or unsafe ID, an unknown source or phase, malformed options,
    a string with a NUL byte). Nothing was sent. Also a ``ValueError``."""

    default_code = Code.INVALID_ARGUMENT


class ConfigError(Error):
    """The configuration cannot work: an unknown key, missing region, project, endpoint or
    credentials, a bad URL, proxy or CA file, a value out of range."""

    default_code = Code.CONFIG


class TransportError(Error):
    """DNS, connect, TLS or I/O failure, or a response body over the size limit."""

    default_code = Code.TRANSPORT


class TimeoutError(Error, builtins.TimeoutError):  # noqa: A001 - hwinst.TimeoutError on purpose
    """The connect or request timeout expired, or a wait reached its deadline. Also the
    built-in ``TimeoutError``."""

    default_code = Code.TIMEOUT


class UnauthorizedError(Error):
    """The service answered 401: the credentials are missing, wrong or expired."""

    default_code = Code.UNAUTHORIZED


class ForbiddenError(Error):
    """The service answered 403."""

    default_code = Code.FORBIDDEN


class NotFoundError(Error):
    """The service answered 404: no such instance in this project and region."""

    default_code = Code.NOT_FOUND


class ThrottledError(Error):
    """The service answered 429 (after the retries)."""

    default_code = Code.THROTTLED


class ServerError(Error):
    """The service answered 5xx (after the retries)."""

    default_code = Code.SERVER


class ApiError(Error):
    """The service answered another non-2xx status."""

    default_code = Code.API


class DecodeError(Error):
    """The service answered 2xx with a body that is not of the documented shape."""

    default_code = Code.DECODE


class CancelledError(Error):
    """A wait was cancelled (its cancel token, or the client was closed)."""

    default_code = Code.CANCELLED


class InstanceFailedError(Error):
    """A wait ended on a failed or deleted instance: ``lifecycle`` is the last one,
    ``error_code`` and ``error_msg`` the service's reason."""

    default_code = Code.INSTANCE_FAILED


class PanicError(Error):
    """A bug in hwinst was caught at the C boundary; please report it."""

    default_code = Code.PANIC


_CLASSES: Dict[int, Type[Error]] = {
    cls.default_code: cls
    for cls in (
        InvalidArgumentError,
        ConfigError,
        TransportError,
        TimeoutError,
        UnauthorizedError,
        ForbiddenError,
        NotFoundError,
        ThrottledError,
        ServerError,
        ApiError,
        DecodeError,
        CancelledError,
        InstanceFailedError,
        PanicError,
    )
}
_BY_NAME: Dict[str, Code] = {code.name: code for code in Code}


def error_for(code: int) -> Type[Error]:
    """The exception class of a code (:class:`Error` itself for a code this version lacks)."""
    return _CLASSES.get(code, Error)


def _text(value: Any) -> Optional[str]:
    return value if isinstance(value, str) else None


def _as_code(code: int) -> int:
    return Code(code) if code in _CODES else code


_CODES = frozenset(int(c) for c in Code)


def error_from_document(code: int, document: Any) -> Error:
    """The exception for a C call that returned ``code`` and wrote ``document`` (decoded; None
    when it wrote none). The document's ``code`` name wins over the number, which only
    counts when the name is unknown (a newer library)."""
    if not isinstance(document, dict):
        name = Code(code).name if code in _CODES else f"code {code}"
        return error_for(code)(
            f"the library returned {name} without an error document", code=_as_code(code)
        )
    named = _BY_NAME.get(document.get("code"))  # type: ignore[arg-type]
    if named is not None and named is not Code.OK:
        code = named
    cls = error_for(code)
    lifecycle = document.get("lifecycle")
    status = document.get("http_status")
    return cls(
        _text(document.get("message")) or f"hwinst error {code}",
        code=_as_code(code),
        http_status=status if isinstance(status, int) else None,
        error_code=_text(document.get("error_code")),
        error_msg=_text(document.get("error_msg")),
        request_id=_text(document.get("request_id")),
        retryable=document.get("retryable") is True,
        lifecycle=Lifecycle._decode(lifecycle) if isinstance(lifecycle, dict) else None,
        document=document,
    )
