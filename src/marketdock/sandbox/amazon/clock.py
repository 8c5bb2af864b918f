"""The simulator's clock: simulated time that tests move forward instead of sleeping."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta


class SimulatedClock:
    """Time as the simulator sees it.

    A frozen clock (the default) stands still until :meth:`advance` moves it, so a test can
    step a Pending order to Unshipped or a feed to DONE without sleeping. A ticking clock
    follows the wall clock plus everything advanced so far (for demos and benchmarks).
    """

    def __init__(self, start: datetime | None = None, *, ticking: bool = False) -> None:
        if start is not None and start.tzinfo is None:
            raise ValueError("SimulatedClock start must be timezone-aware")
        self._start = (start or datetime.now(UTC)).astimezone(UTC)
        self._wall_start = datetime.now(UTC)
        self._offset = timedelta()
        self._ticking = ticking
        self._lock = threading.Lock()

    def now(self) -> datetime:
        with self._lock:
            moved = datetime.now(UTC) - self._wall_start if self._ticking else timedelta()
            return self._start + moved + self._offset

    def advance(self, seconds: float) -> datetime:
        """Move simulated time forward by ``seconds`` (never backwards)."""
        if seconds < 0:
            raise ValueError("the simulated clock cannot go backwards")
        with self._lock:
            self._offset += timedelta(seconds=seconds)
        return self.now()


def iso(moment: datetime) -> str:
    """ISO 8601 in UTC with a Z suffix, as SP-API writes timestamps."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_iso(value: str) -> datetime:
    """Parse an ISO 8601 date-time; a value without an offset is read as UTC.

    Raises ValueError for anything that is not an ISO 8601 date-time (e.g. ``02/21/2022``).
    """
    text = value.strip()
    if "T" not in text:
        raise ValueError(f"not an ISO 8601 date-time: {value!r}")
    parsed = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)
