"""Wake the outbox relays of this process right after a commit, so they need no tight polling.

A hint only: a relay that misses it (another process, a crash) still finds the events when it
next polls.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading


class Wakeup:
    """One relay's alarm, bound to the event loop that created it."""

    def __init__(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._event = asyncio.Event()

    def set(self) -> None:
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is self._loop:
            self._event.set()
        else:  # a commit on another thread's loop
            with contextlib.suppress(RuntimeError):  # that loop is already closed
                self._loop.call_soon_threadsafe(self._event.set)

    async def wait(self, seconds: float) -> None:
        """Return when woken or after ``seconds``, whichever comes first."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._event.wait(), seconds)
        self._event.clear()


_lock = threading.Lock()
_subscribers: set[Wakeup] = set()


def subscribe() -> Wakeup:
    wakeup = Wakeup()
    with _lock:
        _subscribers.add(wakeup)
    return wakeup


def unsubscribe(wakeup: Wakeup) -> None:
    with _lock:
        _subscribers.discard(wakeup)


def changes_committed() -> None:
    """Called by the edge after a commit that may have written change events."""
    with _lock:
        subscribers = list(_subscribers)
    for wakeup in subscribers:
        wakeup.set()
