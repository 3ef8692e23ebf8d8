"""``hwinst.Client``: the C library's client, its operations, waits and cancel tokens."""

from __future__ import annotations

import json
import threading
from ctypes import byref, c_char_p, c_void_p
from typing import (
    Any,
    Callable,
    Dict,
    Iterable,
    Iterator,
    List,
    Mapping,
    Optional,
    Set,
    Tuple,
    Type,
    TypeVar,
    Union,
)

from . import _lib
from ._args import (
    Duration,
    boolean,
    c_text,
    callback,
    decode_or_none,
    millis,
    non_negative_int,
    phases,
    rate,
    text,
)
from ._cancel import CancelToken
from ._enums import FleetMode, Phase, Service, Source
from ._errors import (
    CancelledError,
    Code,
    DecodeError,
    Error,
    InvalidArgumentError,
    error_for,
    error_from_document,
)
from ._fleet import Fleet, FleetEvent, Target
from ._models import (
    ApigCreationProgress,
    ClouddcInstanceStatus,
    Lifecycle,
    RomaCreationProgress,
    RomaInstance,
    RomaInstancePage,
    RomaInstanceSummary,
    _Model,
)
from ._wait import Wait

__all__ = ["Client", "CancelToken", "ClosedError", "library_version", "DEFAULT_PAGE_SIZE"]

M = TypeVar("M", bound=_Model)

#: What ``wait_many`` takes as one target.
TargetLike = Union[Target, Tuple[Union[Source, str], str], Mapping[str, str]]

#: Instances asked for per page when no ``limit`` is given (as the library).
DEFAULT_PAGE_SIZE = 50

_OK = _lib.OK
_parse_json = _lib.parse_json
_take_string = _lib.take_string
_lib_fn = _lib.lib
_text_calls = _lib.text_calls


def library_version() -> str:
    """The version of the loaded libhwinst, e.g. ``"0.1.0"``."""
    version: bytes = _lib_fn.hwinst_version()
    return version.decode()


class ClosedError(InvalidArgumentError):
    """The client was closed (``close()`` or the end of its ``with`` block)."""


def _model(cls: Type[M], document: Any) -> M:
    if type(document) is not dict:
        raise DecodeError(f"the {cls.__name__} document is not a JSON object")
    return cls._decode(document)  # type: ignore[no-any-return]


class Client:
    """A hwinst client: one configuration, one connection pool, shared by any number of
    threads.

    ``config`` is the library's configuration document, as a dict or as JSON text::

        {"region": "cn-north-4", "project_id": "0a1b2c3d4e5f", "credentials": {"token": "..."},
         "endpoints": {...}, "timeouts_ms": {"connect": 10000, "request": 30000},
         "retry": {"max_attempts": 4, "base_delay_ms": 200, "max_delay_ms": 10000},
         "proxy": "none", "ca_file": "...", "allow_http": False, "user_agent": "...",
         "max_response_bytes": 16777216}

    ``credentials`` is one of ``{"token": ...}``, ``{"ak": ..., "sk": ..., "security_token":
    ...}``, ``{"iam_password": {"user", "password", "domain"}}`` and ``{"oidc": {"idp_id":
    ..., "id_token_file": "/path"}}`` (a federated OIDC identity: the library exchanges the ID
    token in the file with IAM for temporary keys, renewed, reading the file again each time),
    or names one source: ``{"environment": {}}``, ``{"profile_file": {"path": ...}}``,
    ``{"profile": "KOOCLI-PROFILE"}``, ``{"pod_identity": {}}``, ``{"metadata": {}}`` (see
    ``hwinst_client_new`` in hwinst.h). ``None`` (or a document without ``credentials``)
    leaves the credentials to the library's default chain. Raises :class:`ConfigError` when the configuration cannot work and
    :class:`InvalidArgumentError` when it is not a JSON object. Nothing is sent before the
    first call. No error message ever holds a credential.

    Use it as a context manager, or call :meth:`close`; a client that is garbage-collected
    unclosed is freed then.
    """

    __slots__ = ("_pointer", "_lock", "_idle", "_calls", "_closed", "_waits", "__weakref__")

    def __init__(self, config: Union[Mapping[str, Any], str, bytes, None] = None) -> None:
        self._pointer: Optional[int] = None
        self._closed = True
        if config is None:
            text = b"{}"
        elif isinstance(config, Mapping):
            try:
                text = json.dumps(dict(config), allow_nan=False).encode()
            except (TypeError, ValueError) as e:
                # json's messages name types ("Object of type X is not JSON serializable")
                # or say "Out of range float values", never a value.
                raise InvalidArgumentError(f"the configuration is not a JSON document: {e}") from None
        elif isinstance(config, str):
            text = c_text("the configuration", config)
        elif isinstance(config, bytes):
            if b"\0" in config:
                raise InvalidArgumentError("the configuration contains a NUL byte")
            text = config
        else:
            raise TypeError(
                f"config must be a dict, JSON text or None, not {type(config).__name__}"
            )
        if b"\0" in text:  # json.dumps escapes NUL; kept as a guard
            raise InvalidArgumentError("the configuration contains a NUL character")
        pointer = c_void_p()
        error = c_char_p()
        code = _lib_fn.hwinst_client_new(text, byref(pointer), error)
        self._adopt(code, pointer, error)

    @classmethod
    def from_env(cls) -> "Client":
        """A client from the environment, as the hwinst command line makes one:
        ``HUAWEICLOUD_SDK_AK``/``_SK``/``_SECURITY_TOKEN``, ``HUAWEICLOUD_SDK_IDP_ID`` with
        ``HUAWEICLOUD_SDK_ID_TOKEN_FILE`` (a federated identity) or ``HWINST_TOKEN``,
        ``HUAWEICLOUD_SDK_PROJECT_ID``, ``HUAWEICLOUD_SDK_REGION``,
        ``HUAWEICLOUD_SDK_IAM_ENDPOINT``, ``HUAWEICLOUD_SDK_REGION_{SERVICE}_{REGION}``.
        :class:`ConfigError` when they are incomplete or conflict. The library reads the
        process environment: do not change it from another thread meanwhile."""
        self = cls.__new__(cls)
        self._pointer = None
        self._closed = True
        pointer = c_void_p()
        error = c_char_p()
        code = _lib_fn.hwinst_client_from_env(byref(pointer), error)
        self._adopt(code, pointer, error)
        return self

    def _adopt(self, code: int, pointer: c_void_p, error: c_char_p) -> None:
        text = _take_string(error)
        if code != _OK or not pointer:
            _lib_fn.hwinst_client_free(pointer)  # NULL on failure
            raise error_from_document(code, decode_or_none(text))
        self._lock = threading.Lock()
        self._idle = threading.Condition(self._lock)
        # One item per call and wait in flight (see _call).
        self._calls: List[None] = []
        self._waits: Set[Wait] = set()
        self._pointer = pointer.value  # an int: what both ctypes and hwinst._native take
        self._closed = False

    # -- lifetime ---------------------------------------------------------------------------

    def close(self) -> None:
        """Releases the client. Idempotent and thread-safe: waits in flight are cancelled
        (they raise :class:`CancelledError`), other calls in flight finish first (at most
        their request timeout), and later calls raise :class:`ClosedError`. May be called
        from a wait's ``on_change``."""
        if self._pointer is None:
            return
        with self._lock:
            if self._closed:
                while self._pointer is not None:  # a concurrent close(): until it is done
                    self._idle.wait()
                return
            self._closed = True
            waits = list(self._waits)
        for wait in waits:
            wait.cancel()
        with self._lock:
            # _closed was set before `_calls` is read here: a call that counted itself after
            # this read sees _closed and goes no further; one counted before is waited for.
            while self._calls:
                self._idle.wait()
            _lib_fn.hwinst_client_free(self._pointer)
            self._pointer = None
            self._idle.notify_all()

    @property
    def closed(self) -> bool:
        """Whether :meth:`close` was called."""
        return self._closed

    def __enter__(self) -> "Client":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def __del__(self) -> None:
        # Unreachable, so no call is in flight (each holds a reference): free it.
        pointer = getattr(self, "_pointer", None)
        if pointer is not None:
            self._pointer = None
            _lib_fn.hwinst_client_free(pointer)

    def __repr__(self) -> str:
        return f"<hwinst.Client {'closed' if self._closed else 'open'}>"

    def __reduce__(self) -> Any:
        raise TypeError("a hwinst.Client cannot be pickled (it holds a C client)")

    def _wake_close(self) -> None:
        """Wakes a close() waiting for the calls in flight."""
        with self._lock:
            self._idle.notify_all()

    def _begin_wait(self, wait: Wait) -> c_void_p:
        with self._lock:
            if self._closed:
                raise ClosedError("the client is closed")
            self._calls.append(None)
            self._waits.add(wait)
            return self._pointer  # type: ignore[return-value]

    def _end_wait(self, wait: Wait) -> None:
        with self._lock:
            if wait in self._waits:
                self._waits.discard(wait)
                self._calls.pop()
                if self._closed and not self._calls:
                    self._idle.notify_all()

    # -- operations -------------------------------------------------------------------------

    def _call(
        self,
        model: Optional[Type[M]],
        function: _lib.TextCall,
        first: bytes,
        second: Optional[bytes] = None,
    ) -> Any:
        """``function(client, first[, second])`` (one of ``_lib.text_calls``) while counted in
        flight: its result document, decoded (into ``model`` unless it is None), or its
        exception raised: the path of every request. (Two parameters, not ``*texts``: packing
        and unpacking them cost more than the bookkeeping below.)"""
        calls = self._calls
        # Counted without the lock (list.append and pop are atomic, and ordered by the GIL)
        # before _closed is read, which close() sets before it reads `_calls`: either close()
        # sees this call and waits for it, or this call sees _closed. A lock round trip each
        # side cost more than the rest of the bookkeeping.
        calls.append(None)
        try:
            if self._closed:
                raise ClosedError("the client is closed")
            if second is None:
                code, document = function(self._pointer, first)
            else:
                code, document = function(self._pointer, first, second)
        finally:
            calls.pop()
            if self._closed:
                self._wake_close()
        if code != _OK:
            raise error_from_document(code, decode_or_none(document))
        if document is None:
            raise DecodeError("the library returned no result document")
        if type(document) is not dict:  # hwinst._native read it already, else parse_json does
            try:
                document = _parse_json(document)
            except ValueError:
                raise DecodeError("the library returned a result document that is not JSON") from None
        if model is None:
            return document
        return _model(model, document)

    def roma_creation_progress(self, instance_id: str) -> RomaCreationProgress:
        """How far the creation of a ROMA Connect instance has got, overall and per
        sub-service (``GET /v2/{project_id}/instances/{instance_id}/process``)."""
        return self._call(
            RomaCreationProgress, _text_calls["hwinst_roma_creation_progress"],
            c_text("instance_id", instance_id),
        )

    def apig_creation_progress(self, instance_id: str) -> ApigCreationProgress:
        """How far the creation of a dedicated API Gateway instance has got
        (``GET /v2/{project_id}/apigw/instances/{instance_id}/progress``)."""
        return self._call(
            ApigCreationProgress, _text_calls["hwinst_apig_creation_progress"],
            c_text("instance_id", instance_id),
        )

    def roma_instance(self, instance_id: str) -> RomaInstance:
        """The details of a ROMA Connect instance, its status among them
        (``GET /v2/{project_id}/apic/instances/{instance_id}``)."""
        return self._call(
            RomaInstance, _text_calls["hwinst_roma_instance"], c_text("instance_id", instance_id)
        )

    def clouddc_instance_status(self, instance_id: str) -> ClouddcInstanceStatus:
        """The state of a Cloud DC instance (``GET /v1/{project_id}/instances/{id}/status``)."""
        return self._call(
            ClouddcInstanceStatus, _text_calls["hwinst_clouddc_instance_status"],
            c_text("instance_id", instance_id),
        )

    def lifecycle(self, source: Union[Source, str], instance_id: str) -> Lifecycle:
        """Where an instance is in its lifecycle, read once from ``source`` (``"roma"``,
        ``"roma-details"``, ``"apig"``, ``"clouddc"``). An unknown source is
        :class:`InvalidArgumentError`."""
        encoded_source = _source(source)
        encoded_id = c_text("instance_id", instance_id)
        return self._call(Lifecycle, _text_calls["hwinst_lifecycle"], encoded_source, encoded_id)

    @staticmethod
    def _query(status: Optional[str], offset: Optional[int], limit: Optional[int]) -> bytes:
        query: Dict[str, Any] = {}
        if status is not None:
            query["status"] = text("status", status)
        if offset is not None:
            query["offset"] = non_negative_int("offset", offset)
        if limit is not None:
            query["limit"] = non_negative_int("limit", limit)
        return json.dumps(query).encode()

    def roma_list_instances(
        self, status: Optional[str] = None, offset: Optional[int] = None, limit: Optional[int] = None
    ) -> RomaInstancePage:
        """One page of the project's ROMA Connect instances (``GET /v2/{project_id}/instances``):
        those in ``status`` (e.g. ``"RUNNING"``; None: every status), from ``offset``, at most
        ``limit`` (None: the service's defaults; 0 is :class:`InvalidArgumentError`)."""
        return self._call(
            RomaInstancePage, _text_calls["hwinst_roma_list_instances"], self._query(status, offset, limit)
        )

    def roma_list_all_instances(
        self, status: Optional[str] = None, offset: Optional[int] = None, limit: Optional[int] = None
    ) -> List[RomaInstanceSummary]:
        """Every ROMA Connect instance in ``status``, fetched by the library page by page from
        ``offset`` in pages of ``limit`` (default 50). Paging stops at an empty page, or at a
        short one when the service's total agrees; a service that ignores the offset is
        :class:`DecodeError`. Nothing is returned when any page fails."""
        document = self._call(
            None, _text_calls["hwinst_roma_list_all_instances"], self._query(status, offset, limit)
        )
        instances = document.get("instances") if isinstance(document, dict) else None
        if not isinstance(instances, list):
            raise DecodeError("the ROMA instance list document has no instances")
        decode = RomaInstanceSummary._decode
        return [decode(i) if type(i) is dict else RomaInstanceSummary() for i in instances]

    #: The same as :meth:`roma_list_all_instances`.
    list_all_instances = roma_list_all_instances

    def roma_pages(
        self, status: Optional[str] = None, offset: int = 0, limit: int = DEFAULT_PAGE_SIZE
    ) -> Iterator[RomaInstancePage]:
        """The pages of the project's ROMA Connect instances in ``status``, fetched one at a
        time as the iteration goes (memory stays one page), by the library's rules: paging
        ends at an empty page, or at a short page when ``total`` agrees that nothing is left;
        a page that repeats the previous one (a service ignoring ``offset``) raises
        :class:`DecodeError`. The arguments are checked at once, before the first page."""
        cursor = self._query(status, offset, limit)  # the first page's cursor
        return (page for page, _new in self._paging(cursor))

    def roma_instances(
        self, status: Optional[str] = None, offset: int = 0, limit: int = DEFAULT_PAGE_SIZE
    ) -> Iterator[RomaInstanceSummary]:
        """Every ROMA Connect instance in ``status``, lazily, page by page (see
        :meth:`roma_pages`); an instance that moves onto the next page because the list
        shifted meanwhile is not yielded twice."""
        cursor = self._query(status, offset, limit)  # the first page's cursor
        return (instance for _page, new in self._paging(cursor) for instance in new)

    def _paging(
        self, cursor: Optional[bytes]
    ) -> Iterator[Tuple[RomaInstancePage, List[RomaInstanceSummary]]]:
        """Each page and its instances the previous page did not have. The library applies
        the paging rules (``hwinst_roma_list_page``) and says where the next page is; its
        ``next`` cursor goes back to it unread."""
        while cursor is not None:
            step = self._call(None, _text_calls["hwinst_roma_list_page"], cursor)
            if not isinstance(step, dict) or not isinstance(step.get("new"), list):
                raise DecodeError("the ROMA list page step is not a document with `new`")
            page = _model(RomaInstancePage, step.get("page"))
            instances = page.instances or []
            try:
                new = [instances[n] for n in step["new"]]
            except (IndexError, TypeError):
                raise DecodeError("the ROMA list page step names an instance not on its page") from None
            following = step.get("next")
            cursor = None if following is None else json.dumps(following).encode()
            yield page, new

    # -- waits ------------------------------------------------------------------------------

    @staticmethod
    def _wait_options(
        until: Any,
        timeout: Optional[Duration],
        initial_interval: Optional[Duration],
        max_interval: Optional[Duration],
        not_found_grace: Optional[Duration],
        settle: Optional[int],
    ) -> Dict[str, Any]:
        options: Dict[str, Any] = {}
        words = phases(until)
        if words is not None:
            options["until"] = words
        for key, value in (
            ("timeout_ms", millis("timeout", timeout)),
            ("initial_interval_ms", millis("initial_interval", initial_interval)),
            ("max_interval_ms", millis("max_interval", max_interval)),
            ("not_found_grace_ms", millis("not_found_grace", not_found_grace)),
        ):
            if value is not None:
                options[key] = value
        if settle is not None:
            options["settle"] = non_negative_int("settle", settle)
        return options

    def wait(
        self,
        source: Union[Source, str],
        instance_id: str,
        *,
        until: Union[Phase, str, Iterable[Union[Phase, str]], None] = None,
        timeout: Optional[Duration] = None,
        initial_interval: Optional[Duration] = None,
        max_interval: Optional[Duration] = None,
        not_found_grace: Optional[Duration] = None,
        settle: Optional[int] = None,
        on_change: Optional[Callable[[Lifecycle], Any]] = None,
        cancel: Optional[CancelToken] = None,
    ) -> Lifecycle:
        """Polls an instance's lifecycle from ``source`` until its phase is one of ``until``
        (default running) and returns that lifecycle.

        Durations are seconds (or timedeltas): ``timeout`` the whole wait (default 30 min),
        ``initial_interval`` the first pause (2 s; each later one half as long again, with
        jitter), ``max_interval`` the longest (30 s), ``not_found_grace`` how long "not found"
        means "not visible yet" (60 s); ``settle`` is how many polls in a row must see a
        target (1).

        ``on_change(lifecycle)`` is called on this thread with the first lifecycle and every
        change; an exception it raises comes out of ``wait`` unchanged, the wait cancelled.
        Ctrl-C (KeyboardInterrupt) stops the wait promptly too, and ``cancel`` (a
        :class:`CancelToken`) stops it from another thread (:class:`CancelledError`).

        Raises :class:`InstanceFailedError` (the instance reached failed or deleted; its
        ``lifecycle`` and ``error_code``/``error_msg`` say why), :class:`TimeoutError`
        (``lifecycle`` is the last one seen), :class:`CancelledError`, or the error of a poll
        that polling again cannot fix (401, 403, not found after the grace, ...).
        """
        encoded_source = _source(source)
        encoded_id = c_text("instance_id", instance_id)
        callback("on_change", on_change)
        _cancel_token(cancel)
        options = json.dumps(
            self._wait_options(until, timeout, initial_interval, max_interval, not_found_grace, settle)
        ).encode()

        def run(pointer: c_void_p, callback: Any, token: c_void_p) -> Tuple[int, Optional[bytes]]:
            out = c_char_p()
            code = _lib_fn.hwinst_wait_cancellable(
                pointer, encoded_source, encoded_id, options, callback, None, token, out
            )
            return code, _take_string(out)

        wait = Wait(self, run, on_change is not None)
        code, output = wait.run(on_change, cancel)
        document = decode_or_none(output)
        if code != _OK:
            raise error_from_document(code, document)
        return _model(Lifecycle, document)

    def wait_many(
        self,
        targets: Iterable[TargetLike],
        *,
        until: Union[Phase, str, Iterable[Union[Phase, str]], None] = None,
        timeout: Optional[Duration] = None,
        initial_interval: Optional[Duration] = None,
        max_interval: Optional[Duration] = None,
        not_found_grace: Optional[Duration] = None,
        settle: Optional[int] = None,
        mode: Union[FleetMode, str, None] = None,
        fail_fast: Optional[bool] = None,
        concurrency: Optional[int] = None,
        max_requests_per_second: Optional[Mapping[Union[Service, str], float]] = None,
        batch_roma: Optional[bool] = None,
        on_change: Optional[Callable[[FleetEvent], Any]] = None,
        cancel: Optional[CancelToken] = None,
    ) -> Fleet:
        """Waits for a fleet of instances at once: one scheduler, at most ``concurrency``
        requests in flight (default 4) whatever the fleet's size, one request budget per
        service shared by every poll of it (``max_requests_per_second``, e.g.
        ``{"apig": 5}``; default 0.5 each; a 429 pauses every poll of that service), ROMA
        instances read through the paged list unless ``batch_roma=False``.

        ``targets`` are :class:`Target`\\ s, ``(source, instance_id)`` tuples or
        ``{"source", "instance_id"}`` mappings. The options are :meth:`wait`'s (``timeout``
        for the whole fleet) and ``mode`` (``"all"``: until every instance has an outcome;
        ``"any"``: until one reaches a target), ``fail_fast`` (end an ``all`` wait at the
        first failure). ``on_change`` gets each instance's first lifecycle and every change,
        on this thread, as a :class:`FleetEvent` naming the target it concerns (``index``,
        ``target``, ``lifecycle``); its exceptions, KeyboardInterrupt and ``cancel`` stop the
        whole wait as for :meth:`wait`.

        Returns the :class:`Fleet` when the mode's condition was met. Otherwise raises the
        error of the first instance whose error has the wait's code (e.g.
        :class:`InstanceFailedError`, naming the instance), :class:`TimeoutError` or
        :class:`CancelledError`, with the whole :class:`Fleet` in its ``fleet``. Bad targets
        or options raise :class:`InvalidArgumentError` (no ``fleet``); nothing is sent.
        """
        target_list = [self._target(n, t) for n, t in enumerate(_iterate("targets", targets))]
        options = self._wait_options(
            until, timeout, initial_interval, max_interval, not_found_grace, settle
        )
        if mode is not None:
            options["mode"] = FleetMode(text("mode", mode)).value
        if fail_fast is not None:
            options["fail_fast"] = boolean("fail_fast", fail_fast)
        if concurrency is not None:
            options["concurrency"] = non_negative_int("concurrency", concurrency)
        if batch_roma is not None:
            options["batch_roma"] = boolean("batch_roma", batch_roma)
        if max_requests_per_second is not None:
            if not isinstance(max_requests_per_second, Mapping):
                raise TypeError(
                    "max_requests_per_second must map services to requests per second, not "
                    f"{type(max_requests_per_second).__name__}"
                )
            rates: Dict[str, float] = {}
            for service, value in max_requests_per_second.items():
                name = Service(text("max_requests_per_second's keys", service)).value
                rates[name] = rate(f"max_requests_per_second[{name!r}]", value)
            options["max_requests_per_second"] = rates
        callback("on_change", on_change)
        _cancel_token(cancel)
        encoded_targets = json.dumps(target_list).encode()
        encoded_options = json.dumps(options).encode()

        def run(pointer: c_void_p, callback: Any, token: c_void_p) -> Tuple[int, Optional[bytes]]:
            out = c_char_p()
            code = _lib_fn.hwinst_wait_many(
                pointer, encoded_targets, encoded_options, callback, None, token, out
            )
            return code, _take_string(out)

        on_lifecycle: Optional[Callable[[Lifecycle], Any]] = None
        if on_change is not None:
            user_on_change = on_change

            def on_lifecycle(lifecycle: Lifecycle) -> None:
                try:
                    event = FleetEvent._of(lifecycle, target_list)
                except ValueError as e:
                    raise DecodeError(str(e)) from None
                user_on_change(event)

        wait = Wait(self, run, on_change is not None)
        code, output = wait.run(on_lifecycle, cancel)
        document = decode_or_none(output)
        fleet: Optional[Fleet] = None
        if isinstance(document, dict) and isinstance(document.get("instances"), list):
            try:
                fleet = Fleet.from_dict(document)
            except ValueError as e:
                raise DecodeError(f"the fleet document did not decode: {e}") from None
        if code == _OK:
            if fleet is None:
                raise DecodeError("the library returned no fleet document")
            return fleet
        if fleet is None:  # an argument error's document
            raise error_from_document(code, document)
        raise _fleet_error(code, fleet)

    @staticmethod
    def _target(index: int, target: Any) -> Dict[str, str]:
        if isinstance(target, Mapping):
            source, instance_id = target.get("source"), target.get("instance_id")
        elif isinstance(target, tuple) and len(target) == 2:
            source, instance_id = target
        else:
            raise TypeError(
                f"targets[{index}] must be a Target, a (source, instance_id) tuple or a mapping"
            )
        c_text(f"targets[{index}]'s instance_id", instance_id)
        c_text(f"targets[{index}]'s source", source)
        return {
            "source": Source(text(f"targets[{index}]'s source", source)).value,
            "instance_id": text(f"targets[{index}]'s instance_id", instance_id),
        }


def _source(source: Any) -> bytes:
    """A source argument (a Source or its word) for C."""
    return c_text("source", Source(text("source", source)))


def _cancel_token(cancel: Any) -> None:
    if cancel is not None and not isinstance(cancel, CancelToken):
        raise TypeError(f"cancel must be a hwinst.CancelToken, not {type(cancel).__name__}")


def _iterate(name: str, items: Any) -> Iterable[Any]:
    if isinstance(items, (str, bytes, Mapping)) or not isinstance(items, Iterable):
        raise TypeError(f"{name} must be an iterable of targets, not {type(items).__name__}")
    return items


def _fleet_error(code: int, fleet: Fleet) -> Error:
    """The error of a fleet wait that ended with ``code``: the first instance's error with that
    code, naming the instance, or one that counts the outcomes; ``fleet`` attached."""
    error: Optional[Error] = None
    for instance in fleet.instances:
        if instance.error is not None and instance.error.code == code:
            e = instance.error
            error = type(e)(
                f"fleet wait: {instance.source} {instance.instance_id}: {e.message}",
                code=e.code,
                http_status=e.http_status,
                error_code=e.error_code,
                error_msg=e.error_msg,
                request_id=e.request_id,
                retryable=e.retryable,
                lifecycle=e.lifecycle,
                document=e.document,
            )
            break
    if error is None:
        counts: Dict[str, int] = {}
        for instance in fleet.instances:
            counts[str(instance.outcome)] = counts.get(str(instance.outcome), 0) + 1
        name = Code(code).name if code in Code._value2member_map_ else str(code)
        summary = ", ".join(f"{n} {o}" for o, n in sorted(counts.items()))
        error = error_for(code)(
            f"fleet wait ended with {name} ({len(fleet.instances)} instances: {summary})",
            code=code,
        )
    error.fleet = fleet
    return error


# CancelledError is re-exported for the docs' sake.
_ = CancelledError
