"""A simulated 3PL warehouse: the floor model and the protocols that expose it."""

from marketdock.sandbox.warehouse.clock import ManualClock
from marketdock.sandbox.warehouse.config import CARRIERS, FloorConfig
from marketdock.sandbox.warehouse.floor import Floor
from marketdock.sandbox.warehouse.model import (
    Address,
    Carrier,
    Condition,
    DuplicateReference,
    FloorError,
    Inbound,
    InboundStatus,
    LineRequest,
    NotCancellable,
    Order,
    OrderLine,
    OrderStatus,
    Parcel,
    ParcelLine,
    ReceiptLine,
    ReturnItem,
    ReturnReceipt,
    StockLevel,
    UnknownReference,
)

__all__ = [
    "CARRIERS",
    "Address",
    "Carrier",
    "Condition",
    "DuplicateReference",
    "Floor",
    "FloorConfig",
    "FloorError",
    "Inbound",
    "InboundStatus",
    "LineRequest",
    "ManualClock",
    "NotCancellable",
    "Order",
    "OrderLine",
    "OrderStatus",
    "Parcel",
    "ParcelLine",
    "ReceiptLine",
    "ReturnItem",
    "ReturnReceipt",
    "StockLevel",
    "UnknownReference",
]
