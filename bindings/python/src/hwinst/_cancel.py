"""``hwinst.CancelToken``: stops waits from any thread."""

from __future__ import annotations

import threading
from typing import Protocol, Set

__all__ = ["CancelToken"]


class _Cancellable(Protocol):
    """What a token stops: a running wait (``_wait._Wait``)."""

    def cancel(self) -> None: ...


class CancelToken:
    """Stops waits from any thread: pass it to ``wait`` or ``wait_many`` as ``cancel=``, then
    call :meth:`cancel`. One token may serve any number of waits; once cancelled it stays
    cancelled (a wait given a cancelled token is cancelled at once)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._cancelled = False
        self._waits: Set[_Cancellable] = set()

    @property
    def cancelled(self) -> bool:
        """Whether :meth:`cancel` was called."""
        return self._cancelled

    def cancel(self) -> None:
        """Cancels every wait using this token: each raises :class:`hwinst.CancelledError`
        promptly, even in the middle of a request. Idempotent; thread-safe."""
        with self._lock:
            self._cancelled = True
            waits = list(self._waits)
        for wait in waits:
            wait.cancel()

    def _attach(self, wait: _Cancellable) -> None:
        with self._lock:
            self._waits.add(wait)
            cancelled = self._cancelled
        if cancelled:
            wait.cancel()

    def _detach(self, wait: _Cancellable) -> None:
        with self._lock:
            self._waits.discard(wait)

    def __repr__(self) -> str:
        return f"<hwinst.CancelToken {'cancelled' if self._cancelled else 'not cancelled'}>"
