"""The two contracts every connector fulfils: one for marketplaces, one for warehouses.

Flows talk only to these ports, never to a connector's wire types, so one rule serves OTTO
and Amazon, REST and EDI alike. A connector declares what it offers in ``capabilities``;
a flow checks :meth:`Connector.supports` before it calls, and an operation a connector does
not offer raises :class:`~marketdock.errors.OperationNotSupported`.

Batch operations never fail a whole batch for one bad item: they return a result per item
(and bad records come back as :class:`Quarantined`, with a reason an operator understands).
Every write is idempotent from the flow's point of view: after an ambiguous failure
(:class:`~marketdock.errors.RemoteTimeout`) the flow calls the matching read
(``confirmed_packages``, ``find_order``) before it writes again.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import ClassVar

from marketdock.domain import Address, Order, Package, StockPosition
from marketdock.errors import OperationNotSupported


class Capability(StrEnum):
    # marketplaces
    FETCH_ORDERS = "fetch_orders"
    CONFIRM_PACKAGE = "confirm_package"
    CANCEL_UNITS = "cancel_units"
    PUSH_STOCK = "push_stock"
    READ_STOCK = "read_stock"
    FETCH_RETURNS = "fetch_returns"
    DECIDE_RETURN = "decide_return"
    FETCH_RECEIPTS = "fetch_receipts"
    CHECK_STOCK = "check_stock"
    # warehouses
    SEND_ORDER = "send_order"
    CANCEL_ORDER = "cancel_order"
    FETCH_UPDATES = "fetch_updates"
    FETCH_STOCK = "fetch_stock"
    SEND_INBOUND = "send_inbound"
    FETCH_INBOUND_RECEIPTS = "fetch_inbound_receipts"
    RECEIVE_WEBHOOKS = "receive_webhooks"


class Connector:
    """Base of every connector: declared capabilities and the check before a call."""

    capabilities: ClassVar[frozenset[Capability]] = frozenset()
    name: ClassVar[str] = "connector"

    def supports(self, capability: Capability) -> bool:
        return capability in self.capabilities

    def require(self, capability: Capability) -> None:
        if capability not in self.capabilities:
            raise OperationNotSupported(f"{self.name} does not offer {capability.value}")


@dataclass(frozen=True)
class Quarantined:
    """A record that could not be read: kept with the reason and where it came from."""

    reference: str
    reason: str
    source: str
    excerpt: str = ""
    kind: str = "unreadable"
    """``unreadable``: could not be read; ``refused``: the remote refused a document we
    sent; ``unacknowledged``: a document we sent was not acknowledged in time."""


# ---------------------------------------------------------------- marketplace side


@dataclass(frozen=True)
class OrderBatch:
    """Orders changed in a window, every page followed to its end."""

    orders: Sequence[Order]
    quarantined: Sequence[Quarantined] = ()
    until: datetime | None = None
    """The upper bound the marketplace answered for; the next window starts before it."""


@dataclass(frozen=True)
class RemotePackage:
    """A package as the marketplace knows it (for reconciliation after a failure)."""

    package_ref: str
    tracking_number: str | None
    carrier_code: str | None
    line_quantities: Mapping[str, int]


@dataclass(frozen=True)
class CarrierChoice:
    """The marketplace's carrier for a package, from the carrier mapping."""

    code: str
    name: str | None = None
    service: str | None = None


@dataclass(frozen=True)
class CancelResult:
    cancelled: Mapping[str, int]
    """line id → units cancelled now"""
    refused: Mapping[str, str] = field(default_factory=dict)
    """line id → why the marketplace refused (e.g. already shipped)"""


@dataclass(frozen=True)
class StockUpdate:
    sku: str
    quantity: int


class StockOutcome(StrEnum):
    APPLIED = "applied"
    PENDING = "pending"      # accepted for asynchronous processing (a feed)
    REJECTED = "rejected"    # this SKU failed; the reason says why
    UNKNOWN_SKU = "unknown_sku"


@dataclass(frozen=True)
class StockResult:
    sku: str
    outcome: StockOutcome
    reason: str = ""
    reference: str | None = None
    """e.g. the feed id an APPLIED/PENDING quantity travelled in"""


class MarketplacePort(Connector):
    """What flows need from a marketplace account."""

    stock_batch_size: ClassVar[int] = 200
    """Stock updates a flow hands over per :meth:`push_stock` call: what one request (or,
    for a feed, one document) of this marketplace carries."""

    def fetch_orders(self, changed_since: datetime, until: datetime | None = None) -> OrderBatch:
        self.require(Capability.FETCH_ORDERS)
        raise NotImplementedError

    def confirm_package(self, order: Order, package: Package, carrier: CarrierChoice) -> str:
        """Confirm one package; return the marketplace's reference for it."""
        self.require(Capability.CONFIRM_PACKAGE)
        raise NotImplementedError

    def confirmed_packages(self, order: Order) -> Sequence[RemotePackage]:
        self.require(Capability.CONFIRM_PACKAGE)
        raise NotImplementedError

    def cancel_units(self, order: Order, units: Mapping[str, int], reason: str) -> CancelResult:
        self.require(Capability.CANCEL_UNITS)
        raise NotImplementedError

    def push_stock(self, updates: Sequence[StockUpdate]) -> Sequence[StockResult]:
        self.require(Capability.PUSH_STOCK)
        raise NotImplementedError

    def read_stock(self, skus: Sequence[str]) -> Mapping[str, int | None]:
        self.require(Capability.READ_STOCK)
        raise NotImplementedError

    def check_stock(self, reference: str, skus: Sequence[str]) -> StockCheck:
        """Where an asynchronous stock batch (a PENDING push's ``reference``) stands; once
        it is DONE, one result per SKU of ``skus`` (the SKUs pushed in it)."""
        self.require(Capability.CHECK_STOCK)
        raise NotImplementedError

    def push_stock_now(self, update: StockUpdate) -> StockResult:
        """Send one urgent quantity by the marketplace's fastest route (e.g. a stock-out
        after a short pick); without a faster route, a push of that SKU alone."""
        return self.push_stock([update])[0]


class StockCheckState(StrEnum):
    WAITING = "waiting"  # still being processed, within the expected time
    STUCK = "stuck"      # not finished long after it was sent: resend by another route
    DONE = "done"        # processed: the results hold one outcome per SKU
    FAILED = "failed"    # the batch as a whole failed: none of it is known to apply


@dataclass(frozen=True)
class StockCheck:
    state: StockCheckState
    results: Sequence[StockResult] = ()
    """One per SKU once DONE; empty otherwise."""
    reason: str = ""
    """For STUCK and FAILED: what the marketplace said, for an operator."""


# ---------------------------------------------------------------- warehouse side


@dataclass(frozen=True)
class WarehouseLine:
    line_ref: str
    sku: str
    quantity: int


@dataclass(frozen=True)
class WarehouseOrder:
    """An order as the warehouse receives it: the hub's key is its unique reference."""

    reference: str
    lines: Sequence[WarehouseLine]
    ship_to: Address
    ship_by: datetime | None = None
    shipping_method: str = "Standard"
    channel: str = ""
    gift_message: str = ""


class CancelOutcome(StrEnum):
    CANCELLED = "cancelled"
    ALREADY_SHIPPED = "already_shipped"
    NOT_FOUND = "not_found"
    REQUESTED = "requested"
    """Asked for in a file the warehouse answers later, if at all: what still ships
    shows that it came too late for it."""


@dataclass(frozen=True)
class ShippedParcel:
    """A further box of a package whose units travel in several boxes."""

    tracking_number: str
    return_tracking_number: str | None = None


@dataclass(frozen=True)
class ShippedPackage:
    order_reference: str
    package_ref: str
    carrier: str
    service: str | None
    tracking_number: str | None
    line_quantities: Mapping[str, int]
    """order line ref → units in this package"""
    shipped_at: datetime
    return_tracking_number: str | None = None
    more_parcels: Sequence[ShippedParcel] = ()
    """The further boxes when the units are too big for one: the same units travel in
    all of them (``tracking_number`` is the first box's)."""


@dataclass(frozen=True)
class ShortPick:
    order_reference: str
    line_ref: str
    sku: str
    missing: int


@dataclass(frozen=True)
class WarehouseUpdates:
    packages: Sequence[ShippedPackage]
    short_picks: Sequence[ShortPick]
    cursor: str | None
    """Where to continue next time; opaque to flows."""
    quarantined: Sequence[Quarantined] = ()


@dataclass(frozen=True)
class StockSnapshot:
    positions: Sequence[StockPosition]
    full: bool
    """True: SKUs missing from the snapshot have no stock. False: a delta."""
    as_of: datetime


@dataclass(frozen=True)
class WebhookReceipt:
    """A verified webhook delivery: its id (stable across the sender's retries), topic
    and the packages it reports, if any."""

    message_id: str
    topic: str
    packages: Sequence[ShippedPackage]


class WarehousePort(Connector):
    """What flows need from a warehouse."""

    def send_order(self, order: WarehouseOrder) -> str:
        """Create the order; return the warehouse's id. A duplicate reference is resolved
        by reading the existing order back, never by a second order."""
        self.require(Capability.SEND_ORDER)
        raise NotImplementedError

    def find_order(self, reference: str) -> str | None:
        self.require(Capability.SEND_ORDER)
        raise NotImplementedError

    def cancel_order(self, reference: str) -> CancelOutcome:
        self.require(Capability.CANCEL_ORDER)
        raise NotImplementedError

    def fetch_updates(self, cursor: str | None) -> WarehouseUpdates:
        self.require(Capability.FETCH_UPDATES)
        raise NotImplementedError

    def fetch_stock(self) -> StockSnapshot:
        self.require(Capability.FETCH_STOCK)
        raise NotImplementedError

    def receive_webhook(self, headers: Mapping[str, str], body: bytes) -> WebhookReceipt:
        """Verify and read one webhook delivery; a forged or stale one raises
        :class:`~marketdock.errors.ValidationError`."""
        self.require(Capability.RECEIVE_WEBHOOKS)
        raise NotImplementedError

    def send_inbound(self, notice: InboundNotice) -> str:
        """Announce goods on their way to the warehouse; return the warehouse's id for the
        notice. The reference is unique per warehouse: sending the same reference again
        answers the existing notice, never a second one."""
        self.require(Capability.SEND_INBOUND)
        raise NotImplementedError

    def fetch_receipts(self, cursor: str | None) -> tuple[Sequence[Receipt], str | None]:
        """Receipts booked since ``cursor``, each reported once; and the next cursor."""
        self.require(Capability.FETCH_INBOUND_RECEIPTS)
        raise NotImplementedError


@dataclass(frozen=True)
class InboundLine:
    sku: str
    quantity: int


@dataclass(frozen=True)
class InboundNotice:
    """Goods on their way to a warehouse (an ASN); the hub's key is its unique reference."""

    reference: str
    lines: Sequence[InboundLine]
    expected_at: datetime | None = None
    carrier: str | None = None
    tracking_number: str | None = None
    supplier: str | None = None


@dataclass(frozen=True)
class Receipt:
    """What a warehouse booked in against one inbound notice."""

    inbound_reference: str
    received: Mapping[str, int]
    """SKU → good units received"""
    received_at: datetime
    damaged: Mapping[str, int] = field(default_factory=dict)
    """SKU → units received damaged (on hand but not sellable)"""
    receipt_id: str = ""
    """The warehouse's number for this receipt: a notice delivered in parts is answered by
    several receipts."""
