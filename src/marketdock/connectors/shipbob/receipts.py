"""The receipts poll of :meth:`ShipBobConnector.fetch_receipts` and its cursor.

A receiving order becomes a receipt when it is completed. The poll asks for receiving
orders completed since the cursor's time minus :data:`OVERLAP` (the first poll looks back
:data:`FIRST_LOOKBACK`) and remembers the ids it reported inside that overlap, so a
receiving order is reported once. A record that cannot be read is logged and skipped
(it has no receipt to report); a warning per poll keeps it visible until it is fixed.

The cursor is JSON, opaque to flows.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import structlog
from pydantic import BaseModel, ConfigDict
from pydantic import ValidationError as PydanticError

from marketdock.connectors.ports import Receipt
from marketdock.connectors.shipbob import mapping, wire
from marketdock.errors import InputError

log = structlog.get_logger("marketdock.shipbob")

OVERLAP = timedelta(minutes=10)
FIRST_LOOKBACK = timedelta(days=30)


class ReceiptCursor(BaseModel):
    model_config = ConfigDict(extra="ignore")

    since: datetime | None = None
    reported: dict[str, datetime] = {}
    """receiving order id → when it was completed"""

    def query_start(self, now: datetime) -> datetime:
        return now - FIRST_LOOKBACK if self.since is None else self.since - OVERLAP

    @classmethod
    def decode(cls, text: str | None) -> ReceiptCursor:
        """The cursor a flow kept; an unreadable one starts over (the flow keeps each
        receipt once by its reference, so a repeated receipt is only slower)."""
        if text is None:
            return cls()
        try:
            return cls.model_validate_json(text)
        except PydanticError:
            log.warning("shipbob receipts cursor unreadable; polling from the start",
                        cursor=text[:200])
            return cls()

    def encode(self) -> str:
        return self.model_dump_json(exclude_defaults=True)


@dataclass
class ReceiptPoll:
    """One poll in progress: receiving orders are fed page by page, then :meth:`result`."""

    cursor: ReceiptCursor
    warehouse_id: str
    receipts: list[Receipt] = field(default_factory=list)
    reported: dict[str, datetime] = field(default_factory=dict)

    def feed(self, raw_receivings: Iterable[Any]) -> None:
        for raw in raw_receivings:
            self._one(raw)

    def _one(self, raw: Any) -> None:
        try:
            receiving = wire.Receiving.model_validate(raw)
            when = mapping.completed_at(receiving)
            found = mapping.receipt(receiving)
        except (PydanticError, InputError) as exc:
            log.warning("shipbob receiving order unreadable", warehouse=self.warehouse_id,
                        item=str(raw)[:300], reason=str(exc).splitlines()[0])
            return
        if when is None or found is None:
            return
        key = str(receiving.id)
        if key in self.cursor.reported or key in self.reported:
            return
        if self.cursor.since is not None and when < self.cursor.since - OVERLAP:
            return  # reported by a poll whose overlap it has left
        self.reported[key] = when
        self.receipts.append(found)

    def result(self) -> tuple[list[Receipt], str]:
        everything = {**self.cursor.reported, **self.reported}
        stamps = [at for at in (self.cursor.since, *everything.values()) if at is not None]
        since = max(stamps, default=None)
        edge = None if since is None else since - OVERLAP
        kept = {key: at for key, at in everything.items() if edge is None or at >= edge}
        return list(self.receipts), ReceiptCursor(since=since, reported=kept).encode()
