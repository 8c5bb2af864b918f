"""The poll cursor of :meth:`ShipBobConnector.fetch_updates`, and what a poll reports.

Polling asks for orders updated since the cursor's time minus :data:`OVERLAP` (writes may
become visible a little after their timestamp), so orders near the edge come back more
than once; the first poll looks back :data:`FIRST_LOOKBACK` from now. The cursor therefore
remembers what it reported per order: for an order the warehouse is still working on,
until the order is final (a later shipment updates the order again and would bring its
earlier shipments back); for a final order, until its last update falls out of the
overlap. Repeated polls never report a package, a short-pick or a broken record twice.

The cursor is JSON, opaque to flows.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import structlog
from pydantic import BaseModel, ConfigDict
from pydantic import ValidationError as PydanticError

from marketdock.connectors.ports import Quarantined, ShippedPackage, ShortPick, WarehouseUpdates
from marketdock.connectors.shipbob import mapping, wire
from marketdock.errors import InputError

log = structlog.get_logger("marketdock.shipbob")

OVERLAP = timedelta(minutes=5)
FIRST_LOOKBACK = timedelta(days=30)
SOURCE = "shipbob GET /order"


class Memory(BaseModel):
    """What was reported for one ShipBob order."""

    model_config = ConfigDict(extra="ignore")

    at: datetime | None = None
    final: bool = False
    keys: list[str] = []


class PollCursor(BaseModel):
    model_config = ConfigDict(extra="ignore")

    since: datetime | None = None
    orders: dict[str, Memory] = {}

    def query_start(self, now: datetime) -> datetime:
        return now - FIRST_LOOKBACK if self.since is None else self.since - OVERLAP

    @classmethod
    def decode(cls, text: str | None) -> PollCursor:
        """The cursor a flow kept; an unreadable one starts over (flows dedupe by package
        reference and short-pick line, so a full re-poll is safe, only slower)."""
        if text is None:
            return cls()
        try:
            return cls.model_validate_json(text)
        except PydanticError:
            log.warning("shipbob poll cursor unreadable; polling from the start",
                        cursor=text[:200])
            return cls()

    def encode(self) -> str:
        return self.model_dump_json(exclude_defaults=True)


@dataclass
class Poll:
    """One poll in progress: orders are fed page by page, then :meth:`result`."""

    cursor: PollCursor
    packages: list[ShippedPackage] = field(default_factory=list)
    short_picks: list[ShortPick] = field(default_factory=list)
    quarantined: list[Quarantined] = field(default_factory=list)
    latest: datetime | None = None

    def __post_init__(self) -> None:
        self.latest = self.cursor.since

    def feed(self, raw_orders: Iterable[Any]) -> None:
        for raw in raw_orders:
            self._one(raw)

    def _one(self, raw: Any) -> None:
        key = str(raw.get("id")) if isinstance(raw, Mapping) else "?"
        memory = self.cursor.orders.setdefault(key, Memory())
        try:
            order = wire.ShipBobOrder.model_validate(raw)
            found = mapping.outcome(order)
        except (PydanticError, InputError) as exc:
            self._broken(key, raw, memory, exc)
            return
        for item in found.packages:
            if item.package_ref not in memory.keys:
                memory.keys.append(item.package_ref)
                self.packages.append(item)
        for short in found.short_picks:
            short_key = f"short:{short.line_ref}"
            if short_key not in memory.keys:
                memory.keys.append(short_key)
                self.short_picks.append(short)
        memory.at, memory.final = found.updated_at, found.final
        if found.updated_at is not None and (self.latest is None or found.updated_at > self.latest):
            self.latest = found.updated_at

    def _broken(self, key: str, raw: Any, memory: Memory, exc: Exception) -> None:
        excerpt = json.dumps(raw, sort_keys=True, default=str)
        fingerprint = "broken:" + hashlib.sha256(excerpt.encode()).hexdigest()[:16]
        memory.final = True
        if fingerprint in memory.keys:
            return
        memory.keys.append(fingerprint)
        reference = raw.get("reference_id") if isinstance(raw, Mapping) else None
        self.quarantined.append(Quarantined(reference=str(reference or key),
                                            reason=_reason(key, exc),
                                            source=SOURCE, excerpt=excerpt[:500]))

    def result(self) -> WarehouseUpdates:
        since = self.latest
        edge = None if since is None else since - OVERLAP
        for memory in self.cursor.orders.values():
            if memory.final and memory.at is None:
                memory.at = since  # a broken record: forgotten once out of the overlap
        kept = {key: memory for key, memory in self.cursor.orders.items() if memory.keys and (
            not memory.final or edge is None or memory.at is None or memory.at >= edge)}
        cursor = PollCursor(since=since, orders=kept)
        return WarehouseUpdates(packages=list(self.packages), short_picks=list(self.short_picks),
                                cursor=cursor.encode(), quarantined=list(self.quarantined))


def _reason(key: str, exc: Exception) -> str:
    if isinstance(exc, PydanticError):
        fields = "; ".join(f"{'.'.join(str(p) for p in e['loc']) or 'order'}: {e['msg']}"
                           for e in exc.errors()[:5])
        return f"ShipBob order {key} cannot be read: {fields}"
    return str(exc)
