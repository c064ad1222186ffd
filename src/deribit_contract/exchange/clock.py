"""Time for the simulation: a fake clock for deterministic runs and a monotonic one for servers.

The exchange reads microseconds from a :class:`Clock` for ``usIn``/``usOut`` and every
timestamp it writes, and calls :meth:`Clock.tick` with the simulated processing time of each
request. Tests inject a :class:`FakeClock`, so every timestamp (and the rate-limit refill) is a
pure function of the seed and the calls made; a test that wants real refill timing injects a
:class:`MonotonicClock`, which still starts from a fixed epoch so no wall-clock date leaks out.
``deribit-contract serve`` runs on a :class:`WallClock` by default: real clients compare the
exchange's timestamps with their own and sign requests with the current time.
"""

from __future__ import annotations

import threading
import time
from typing import Protocol, runtime_checkable

from deribit_contract.errors import InvalidArgument

__all__ = ["DEFAULT_EPOCH_US", "Clock", "FakeClock", "MonotonicClock", "WallClock"]

#: 2026-01-01T00:00:00Z in microseconds: the start of simulated time unless a test picks another.
DEFAULT_EPOCH_US = 1_767_225_600_000_000


@runtime_checkable
class Clock(Protocol):
    """What the exchange needs from time."""

    def now_us(self) -> int:
        """Microseconds since the Unix epoch (simulated)."""
        ...

    def tick(self, us: int) -> None:
        """The exchange spent ``us`` microseconds handling a request (a fake clock moves on)."""
        ...


class FakeClock:
    """A clock that only moves when told: by the exchange's :meth:`tick` or by :meth:`advance`."""

    def __init__(self, *, start_us: int = DEFAULT_EPOCH_US) -> None:
        if start_us < 0:
            raise InvalidArgument(f"start_us must be >= 0, got {start_us}")
        self._now = start_us
        self._lock = threading.Lock()

    def now_us(self) -> int:
        """The current simulated time in microseconds."""
        with self._lock:
            return self._now

    def tick(self, us: int) -> None:
        """Move on by the processing time the exchange reports."""
        self.advance(us=us)

    def advance(self, *, seconds: float = 0.0, us: int = 0) -> None:
        """Move simulated time forward by ``seconds`` plus ``us`` (never backwards)."""
        delta = _forward_us(seconds, us)
        with self._lock:
            self._now += delta


class MonotonicClock:
    """Real elapsed time (``time.monotonic_ns``) counted from a fixed simulated epoch.

    ``tick`` is a no-op because real time passes by itself; :meth:`advance` adds an offset so
    a test can still skip ahead (e.g. to wait out a rate limit instantly).
    """

    def __init__(self, *, start_us: int = DEFAULT_EPOCH_US) -> None:
        self._start_us = start_us
        self._origin_ns = time.monotonic_ns()
        self._offset_us = 0
        self._lock = threading.Lock()

    def now_us(self) -> int:
        """The fixed epoch plus the real microseconds elapsed since construction."""
        with self._lock:
            elapsed = (time.monotonic_ns() - self._origin_ns) // 1000
            return self._start_us + elapsed + self._offset_us

    def tick(self, us: int) -> None:
        """Ignored: real time already passed while the request was handled."""

    def advance(self, *, seconds: float = 0.0, us: int = 0) -> None:
        """Jump forward by ``seconds`` plus ``us`` on top of real elapsed time."""
        delta = _forward_us(seconds, us)
        with self._lock:
            self._offset_us += delta


class WallClock:
    """The real time of day, as live Deribit reports it (``--clock wall``, the serve default).

    Needed by real clients: HMAC signatures carry the client's current time and are refused
    outside a 60 s window, and bots compare order timestamps with their own clock.
    """

    def now_us(self) -> int:
        """Microseconds since the Unix epoch, now."""
        return time.time_ns() // 1000

    def tick(self, us: int) -> None:
        """Ignored: real time already passed while the request was handled."""


def _forward_us(seconds: float, us: int) -> int:
    """``seconds`` plus ``us`` in microseconds; InvalidArgument when that would go backwards."""
    delta = round(seconds * 1_000_000) + us
    if delta < 0:
        raise InvalidArgument(f"a clock cannot go backwards (asked to move by {delta} µs)")
    return delta
