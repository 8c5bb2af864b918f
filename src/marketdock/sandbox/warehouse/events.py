"""The floor's event log: what happened, in order, for the simulators to publish.

The REST simulator turns these into webhooks; the file simulator turns them into
shipment, inventory and receipt files. ``seq`` is a gap-free cursor starting at 1.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from marketdock.sandbox.warehouse.model import (
    OrderStatus,
    Parcel,
    ReceiptLine,
    ReturnItem,
)


@dataclass(frozen=True, kw_only=True)
class FloorEvent:
    seq: int
    at: datetime


@dataclass(frozen=True, kw_only=True)
class OrderReceived(FloorEvent):
    reference: str


@dataclass(frozen=True, kw_only=True)
class OrderAllocated(FloorEvent):
    reference: str


@dataclass(frozen=True, kw_only=True)
class OrderBackordered(FloorEvent):
    """Not enough pickable stock; ``missing`` is units short per SKU."""

    reference: str
    missing: tuple[tuple[str, int], ...]


@dataclass(frozen=True, kw_only=True)
class OrderPicked(FloorEvent):
    reference: str


@dataclass(frozen=True, kw_only=True)
class ShortPicked(FloorEvent):
    """A line was picked short; ``missing_sku`` is the SKU found missing (a kit component
    for kit lines)."""

    reference: str
    line_id: str
    sku: str
    ordered: int
    picked: int
    missing_sku: str


@dataclass(frozen=True, kw_only=True)
class OrderPacked(FloorEvent):
    reference: str
    parcel_ids: tuple[int, ...]


@dataclass(frozen=True, kw_only=True)
class ParcelShipped(FloorEvent):
    reference: str
    parcel: Parcel


@dataclass(frozen=True, kw_only=True)
class OrderShipped(FloorEvent):
    """All parcels of the order have left; ``complete`` is False when lines were short."""

    reference: str
    complete: bool


@dataclass(frozen=True, kw_only=True)
class OrderClosedShort(FloorEvent):
    """Nothing of the order could be picked; it is closed without a parcel."""

    reference: str


@dataclass(frozen=True, kw_only=True)
class OrderCancelled(FloorEvent):
    reference: str
    previous_status: OrderStatus


@dataclass(frozen=True, kw_only=True)
class StockChanged(FloorEvent):
    """A SKU's stock after a change. ``reason`` names the cause: ``set``, ``adjust``,
    ``allocate``, ``release``, ``ship``, ``short_pick``, ``inbound``, ``return``."""

    sku: str
    on_hand: int
    allocated: int
    blocked: int
    available: int
    reason: str
    reference: str = ""


@dataclass(frozen=True, kw_only=True)
class InboundReceived(FloorEvent):
    reference: str
    lines: tuple[ReceiptLine, ...]


@dataclass(frozen=True, kw_only=True)
class ReturnReceived(FloorEvent):
    reference: str
    order_reference: str
    items: tuple[ReturnItem, ...]
    discrepancies: tuple[tuple[str, int], ...]
