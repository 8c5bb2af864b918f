"""The simulator's clock: moves only when told, or follows real time from an offset.

Everything time-driven in the simulator (ANNOUNCED → PROCESSABLE, token expiry, rate-limit
buckets) reads this clock, so tests advance it instead of sleeping.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Protocol

DEFAULT_START = datetime(2025, 3, 10, 8, 0, tzinfo=UTC)


class AdvanceableClock(Protocol):
    """What the simulator needs of a clock (``engine.clock.FrozenClock`` fits too)."""

    def now(self) -> datetime: ...

    def advance(self, seconds: float = 0.0) -> datetime: ...


class SimulatedClock:
    """A UTC clock under test control.

    Frozen by default: ``now()`` returns ``start`` plus every ``advance``. With ``live=True``
    real elapsed time is added as well (for the demo and benchmarks).
    """

    def __init__(self, start: datetime | None = None, *, live: bool = False) -> None:
        start = start or DEFAULT_START
        if start.tzinfo is None:
            raise ValueError(f"clock start must be timezone-aware, got {start!r}")
        self._start = start.astimezone(UTC)
        self._offset = timedelta()
        self._live = live
        self._origin = time.monotonic()

    def now(self) -> datetime:
        elapsed = timedelta(seconds=time.monotonic() - self._origin) if self._live else timedelta()
        return self._start + self._offset + elapsed

    def advance(self, seconds: float = 0.0) -> datetime:
        if seconds < 0:
            raise ValueError(f"the clock cannot go back ({seconds} s)")
        self._offset += timedelta(seconds=seconds)
        return self.now()
