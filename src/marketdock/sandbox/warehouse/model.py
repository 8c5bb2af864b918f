"""Records of the warehouse floor: stock, orders, parcels, receipts and errors.

Every record handed out by the floor is frozen; the floor replaces a record when its
state changes, so a caller holding an old one sees a consistent snapshot.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from marketdock.errors import Conflict, ValidationError


class FloorError(ValidationError):
    """The warehouse floor refused a request."""


class UnknownReference(FloorError):
    """No order, receipt or return has this reference."""


class DuplicateReference(Conflict):
    """An order, inbound notice or return with this reference already exists."""


class NotCancellable(FloorError):
    """The order or inbound notice has gone too far to be cancelled."""


class OrderStatus(StrEnum):
    RECEIVED = "received"
    BACKORDERED = "backordered"  # waits for stock; retried whenever stock grows
    ALLOCATED = "allocated"
    PICKED = "picked"
    PACKED = "packed"  # labels printed: no longer cancellable
    SHIPPED = "shipped"  # final; lines may be short
    SHORT_CLOSED = "short_closed"  # final; nothing could be picked
    CANCELLED = "cancelled"  # final

    @property
    def final(self) -> bool:
        return self in (OrderStatus.SHIPPED, OrderStatus.SHORT_CLOSED, OrderStatus.CANCELLED)


CANCELLABLE = frozenset(
    {OrderStatus.RECEIVED, OrderStatus.BACKORDERED, OrderStatus.ALLOCATED, OrderStatus.PICKED}
)


class Condition(StrEnum):
    """Grade of a returned unit, as the returns desk records it."""

    SELLABLE = "sellable"  # back to pickable stock
    DAMAGED = "damaged"  # on hand but blocked
    DEFECTIVE = "defective"  # on hand but blocked
    DISPOSED = "disposed"  # destroyed on receipt, never enters stock

    @property
    def enters_stock(self) -> bool:
        return self is not Condition.DISPOSED

    @property
    def blocked(self) -> bool:
        return self in (Condition.DAMAGED, Condition.DEFECTIVE)


class InboundStatus(StrEnum):
    AWAITING = "awaiting"
    RECEIVED = "received"
    CANCELLED = "cancelled"


@dataclass(frozen=True, kw_only=True)
class StockLevel:
    """One SKU's stock. ``blocked`` units are on hand but not pickable."""

    sku: str
    inventory_id: int
    name: str = ""
    on_hand: int = 0
    allocated: int = 0
    blocked: int = 0
    inbound: int = 0  # announced on open inbound notices, not yet received

    @property
    def available(self) -> int:
        return max(0, self.on_hand - self.allocated - self.blocked)


@dataclass(frozen=True, kw_only=True)
class Address:
    name: str
    street1: str
    city: str
    country: str  # ISO 3166-1 alpha-2
    postcode: str = ""
    street2: str = ""
    company: str = ""
    state: str = ""
    email: str = ""
    phone: str = ""


@dataclass(frozen=True, kw_only=True)
class LineRequest:
    """One line of an order as the sender gives it."""

    sku: str
    quantity: int
    line_id: str = ""  # defaults to the 1-based position
    name: str = ""


@dataclass(frozen=True, kw_only=True)
class OrderLine:
    line_id: str
    sku: str
    quantity: int
    name: str = ""
    # What one unit consumes: ((sku, qty),); a kit lists its components.
    components: tuple[tuple[str, int], ...] = ()
    picked: int | None = None  # set when picked
    short_sku: str = ""  # the SKU found missing at pick, if the line was short

    @property
    def short(self) -> int:
        return 0 if self.picked is None else self.quantity - self.picked

    @property
    def is_kit(self) -> bool:
        return self.components != ((self.sku, 1),)


@dataclass(frozen=True, kw_only=True)
class Carrier:
    code: str  # e.g. "DHL"
    name: str
    scac: str
    service: str
    tracking_pattern: str  # '#' digit, '@' letter, '*' letter or digit, else literal
    tracking_url: str  # with "{tracking}"


@dataclass(frozen=True, kw_only=True)
class ParcelLine:
    line_id: str
    sku: str
    quantity: int


@dataclass(frozen=True, kw_only=True)
class Parcel:
    parcel_id: int
    order_reference: str
    carrier: Carrier
    tracking_number: str
    lines: tuple[ParcelLine, ...]
    packed_at: datetime
    shipped_at: datetime | None = None
    weight_g: int = 0
    more_tracking_numbers: tuple[str, ...] = ()
    """Further boxes of the parcel, for units too big for one."""

    @property
    def tracking_url(self) -> str:
        return self.carrier.tracking_url.format(tracking=self.tracking_number)


@dataclass(frozen=True, kw_only=True)
class Order:
    order_id: int
    reference: str
    lines: tuple[OrderLine, ...]
    status: OrderStatus
    received_at: datetime
    updated_at: datetime
    shipping_method: str = "Standard"
    ship_to: Address | None = None
    channel: str = ""
    gift_message: str = ""
    parcels: tuple[Parcel, ...] = ()
    # The id the first parcel will carry; reserved on receipt so a simulator can show
    # the pending shipment under a stable id before packing.
    first_parcel_id: int = 0
    history: tuple[tuple[OrderStatus, datetime], ...] = ()

    def line(self, line_id: str) -> OrderLine:
        for line in self.lines:
            if line.line_id == line_id:
                return line
        raise UnknownReference(f"order {self.reference} has no line {line_id!r}")

    def shipped_quantity(self, line_id: str) -> int:
        return sum(
            pl.quantity
            for p in self.parcels
            if p.shipped_at is not None
            for pl in p.lines
            if pl.line_id == line_id
        )


@dataclass(frozen=True, kw_only=True)
class ReceiptLine:
    sku: str
    expected: int
    received: int  # good units, now pickable
    damaged: int = 0  # received but blocked

    @property
    def discrepancy(self) -> str:
        """``ok``, ``short``, ``over``, ``damaged`` or ``unexpected`` (not on the notice)."""
        if self.expected == 0:
            return "unexpected"
        total = self.received + self.damaged
        if total < self.expected:
            return "short"
        if total > self.expected:
            return "over"
        return "damaged" if self.damaged else "ok"


@dataclass(frozen=True, kw_only=True)
class Inbound:
    """An advance shipping notice (ASN) and, once received, its receipt."""

    inbound_id: int
    reference: str
    expected: tuple[tuple[str, int], ...]
    status: InboundStatus
    created_at: datetime
    expected_at: datetime | None = None
    po_number: str = ""
    received_at: datetime | None = None
    receipt: tuple[ReceiptLine, ...] = ()


@dataclass(frozen=True, kw_only=True)
class ReturnItem:
    sku: str
    quantity: int
    condition: Condition = Condition.SELLABLE


@dataclass(frozen=True, kw_only=True)
class ReturnReceipt:
    reference: str  # the return (RMA) reference
    order_reference: str
    expected: tuple[tuple[str, int], ...]
    items: tuple[ReturnItem, ...] = ()
    announced_at: datetime | None = None
    received_at: datetime | None = None

    def discrepancies(self) -> dict[str, int]:
        """Received minus expected per SKU, only where they differ (announced returns)."""
        if not self.expected:
            return {}
        got: dict[str, int] = {}
        for item in self.items:
            got[item.sku] = got.get(item.sku, 0) + item.quantity
        skus = set(got) | {sku for sku, _ in self.expected}
        want = dict(self.expected)
        return {
            sku: got.get(sku, 0) - want.get(sku, 0)
            for sku in sorted(skus)
            if got.get(sku, 0) != want.get(sku, 0)
        }
