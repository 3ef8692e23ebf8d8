"""Running a C wait (``hwinst_wait_cancellable``, ``hwinst_wait_many``) on a worker thread while
the calling thread stays interruptible, runs ``on_change`` itself, and can stop it; and
stopping every wait still running when the interpreter exits."""

from __future__ import annotations

import atexit
import queue
import threading
import time
from ctypes import byref, c_void_p
from typing import Any, Callable, Optional, Protocol, Set, Tuple

from . import _lib
from ._args import decode_or_none
from ._cancel import CancelToken
from ._errors import CancelledError, DecodeError, error_for
from ._models import Lifecycle

__all__ = ["Wait", "WaitOwner", "EXIT_GRACE_SECONDS"]

_OK = _lib.OK
_lib_fn = _lib.lib
_CHANGE, _DONE = 0, 1
_NO_CALLBACK = _lib.WAIT_CALLBACK()  # a NULL function pointer

#: How long the interpreter's exit waits, in all, for cancelled waits to return from C.
EXIT_GRACE_SECONDS = 5.0

#: What a C wait runs: (client, callback, cancel token) -> (code, output document).
Run = Callable[[c_void_p, Any, c_void_p], Tuple[int, Optional[bytes]]]


class WaitOwner(Protocol):
    """The client a wait runs on: counts it in flight, and cancels it when closed."""

    def _begin_wait(self, wait: "Wait") -> c_void_p: ...

    def _end_wait(self, wait: "Wait") -> None: ...


class _Exit:
    """The waits whose worker thread is running, and whether the interpreter is exiting.

    At exit CPython ends every daemon thread that asks for the GIL by unwinding its stack
    (``pthread_exit``). A worker thread asks for it inside the library whenever the library
    calls back with a change, and unwinding through the library's frames aborts the process
    ("FATAL: exception not rethrown"). So at exit (``atexit`` runs before CPython starts
    ending threads) every running wait is cancelled and its worker joined, and no wait
    starts any more: none is left inside the library with a callback to make."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.exiting = False
        self.running: Set["Wait"] = set()

    def stop_all(self) -> None:
        with self.lock:
            self.exiting = True
            waits = list(self.running)
        for wait in waits:
            wait.cancel()
        deadline = time.monotonic() + EXIT_GRACE_SECONDS
        for wait in waits:
            wait._join_worker(max(0.0, deadline - time.monotonic()))


_exit = _Exit()
atexit.register(_exit.stop_all)


class Wait:
    """One C wait run on a worker thread while the calling thread stays interruptible.

    The worker thread makes the C call; the library calls back on that thread, which hands
    each lifecycle document to the calling thread and blocks until it answers. The calling
    thread runs ``on_change`` itself, so an exception from it (or a KeyboardInterrupt while
    it runs or while waiting) stops the wait: the C cancel token is cancelled, the callback
    answers "cancel", and the exception goes on once the C call has returned.
    """

    def __init__(self, owner: WaitOwner, run: Run, with_callback: bool) -> None:
        self._owner = owner
        self._run = run
        self._events: "queue.SimpleQueue[Tuple[int, Any]]" = queue.SimpleQueue()
        self._acks: "queue.SimpleQueue[bool]" = queue.SimpleQueue()
        self._stop = False
        self._worker: Optional[threading.Thread] = None
        # The token is freed by the worker thread once the C call has returned, under this
        # lock, so that cancel() never touches a freed token.
        self._token_lock = threading.Lock()
        token = c_void_p()
        code = _lib_fn.hwinst_cancel_token_new(byref(token))
        if code != _OK or not token:
            raise error_for(code)("cannot create a cancel token", code=code)
        self._token: Optional[c_void_p] = token
        # Without on_change, no callback at all: the library then never calls back.
        self._callback = _lib.WAIT_CALLBACK(self._on_c_change) if with_callback else _NO_CALLBACK

    # -- the worker thread ------------------------------------------------------------------

    def _on_c_change(self, lifecycle_json: Optional[bytes], _user_data: Any) -> int:
        if self._stop:
            return 1
        self._events.put((_CHANGE, lifecycle_json))
        return 0 if self._acks.get() else 1

    def _work(self, client_pointer: c_void_p) -> None:
        result: Tuple[int, Any]
        try:
            result = self._run(client_pointer, self._callback, self._token)  # type: ignore[arg-type]
        except BaseException as e:  # noqa: BLE001 - handed to the calling thread
            result = (-1, e)
        finally:
            self._free_token()
            self._owner._end_wait(self)
            with _exit.lock:
                _exit.running.discard(self)
        self._events.put((_DONE, result))

    # -- any thread -------------------------------------------------------------------------

    def _free_token(self) -> None:
        with self._token_lock:
            if self._token is not None:
                _lib_fn.hwinst_cancel_token_free(self._token)
                self._token = None

    def cancel(self) -> None:
        """Cancels the C wait (if it is still running) and stops its callback."""
        self._stop = True
        self._acks.put(False)  # releases a callback waiting for an answer
        with self._token_lock:
            if self._token is not None:
                _lib_fn.hwinst_cancel_token_cancel(self._token)

    def _join_worker(self, timeout: float) -> None:
        worker = self._worker
        if worker is not None and worker is not threading.current_thread():
            worker.join(timeout)

    # -- the calling thread -----------------------------------------------------------------

    def _start(self, client_pointer: c_void_p) -> None:
        """Starts the worker thread, unless the interpreter is exiting (CancelledError)."""
        # Under the exit lock: either stop_all sees this wait (and its started worker), or
        # this wait sees that the interpreter is exiting.
        with _exit.lock:
            if _exit.exiting:
                raise CancelledError("the interpreter is exiting: no wait starts any more")
            worker = threading.Thread(
                target=self._work, args=(client_pointer,), name="hwinst-wait", daemon=True
            )
            worker.start()
            self._worker = worker
            _exit.running.add(self)

    def run(
        self, on_change: Optional[Callable[[Lifecycle], Any]], cancel: Optional[CancelToken]
    ) -> Tuple[int, Any]:
        """Runs the wait; the C call's code and output document (bytes or None)."""
        try:
            client_pointer = self._owner._begin_wait(self)
        except BaseException:
            self._free_token()
            raise
        if cancel is not None:
            cancel._attach(self)
        try:
            self._start(client_pointer)
        except BaseException:
            self._owner._end_wait(self)
            self._free_token()
            if cancel is not None:
                cancel._detach(self)
            raise
        finished = False
        try:
            while True:
                try:
                    kind, payload = self._events.get(timeout=0.5)
                except queue.Empty:
                    continue
                if kind == _DONE:
                    finished = True
                    code, output = payload
                    if code == -1:
                        raise output
                    return code, output
                if on_change is None or self._stop:
                    self._acks.put(not self._stop)
                    continue
                document = decode_or_none(payload)
                if not isinstance(document, dict):
                    self.cancel()
                    raise DecodeError("the library called back with a lifecycle that is not JSON")
                on_change(Lifecycle._decode(document))
                self._acks.put(True)
        finally:
            if cancel is not None:
                cancel._detach(self)
            if not finished:
                # on_change raised, or KeyboardInterrupt (or another signal's exception):
                # stop the C wait, let it return, then let the exception go on unchanged.
                self.cancel()
                while True:
                    kind, _payload = self._events.get()
                    if kind == _DONE:
                        break
                if self._worker is not None:
                    self._worker.join()
