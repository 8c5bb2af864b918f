"""The simulated clock of the warehouse floor.

Simulators never sleep: time moves only when a test, the demo or an admin call advances
it, so every delay (picking, packing, late webhooks, rate-limit windows) is reproducible.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

DEFAULT_START = datetime(2026, 1, 15, 8, 0, tzinfo=UTC)


class ManualClock:
    """A timezone-aware clock that moves only when told to."""

    def __init__(self, start: datetime = DEFAULT_START) -> None:
        if start.tzinfo is None:
            raise ValueError(f"clock start must be timezone-aware, got {start!r}")
        self._now = start
        self._lock = threading.Lock()

    def now(self) -> datetime:
        with self._lock:
            return self._now

    def advance(self, seconds: float) -> datetime:
        """Move forward by ``seconds`` (never backwards) and return the new time."""
        if seconds < 0:
            raise ValueError(f"cannot move the clock backwards by {seconds} s")
        with self._lock:
            self._now += timedelta(seconds=seconds)
            return self._now

    def move_to(self, when: datetime) -> None:
        """Jump to ``when`` if it lies ahead; a time in the past is ignored."""
        with self._lock:
            if when > self._now:
                self._now = when
