"""Where time comes from: the ``Clock`` interface, the monotonic clock, and a fake clock for tests."""

from __future__ import annotations

import time
from typing import Protocol, runtime_checkable


@runtime_checkable
class Clock(Protocol):
    """A source of monotonic time in seconds; only differences between readings mean anything."""

    def now(self) -> float:
        """The current time in seconds; never less than an earlier reading."""
        ...


class MonotonicClock:
    """The real clock: ``time.monotonic``, unaffected by wall-clock changes."""

    def now(self) -> float:
        """Seconds from ``time.monotonic()``."""
        return time.monotonic()


class FakeClock:
    """A clock that moves only when told to, so tests run a long session in milliseconds."""

    def __init__(self, start: float = 0.0) -> None:
        self._now = float(start)

    def now(self) -> float:
        """The time last set or advanced to."""
        return self._now

    def advance(self, seconds: float) -> None:
        """Move forward by ``seconds`` (not negative: the clock is monotonic)."""
        if seconds < 0:
            raise ValueError(f"a monotonic clock cannot go back ({seconds} s)")
        self._now += seconds

    def set(self, t: float) -> None:
        """Jump to time ``t`` (not earlier than now: the clock is monotonic)."""
        if t < self._now:
            raise ValueError(f"a monotonic clock cannot go back (from {self._now} to {t})")
        self._now = float(t)
