"""The simulator's records: mutable, in memory, one set per simulated OTTO account."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from marketdock.sandbox.otto import enums


@dataclass
class Partner:
    """A seller account with its self-app credentials and its OPC settings."""

    partner_id: str
    client_id: str
    client_secret: str
    scopes: frozenset[str] = frozenset(enums.API_SCOPES)
    return_carrier: str | None = None
    """Return carrier configured in OPC; when set, shipments must use it."""
    name: str = "Sandbox Seller GmbH"
    street: str = "Lagerweg 1"
    zip_code: str = "22113"
    city: str = "Hamburg"
    country_code: str = "DEU"
    vat_id: str = "DE123456789"
    represented_by: str = "Erika Sandbox"


@dataclass
class Product:
    """A listed variation of a partner. Stock can only be published for SKUs with a MOIN."""

    sku: str
    article_number: str
    title: str
    vat_rate: Decimal
    ean: str | None = None
    delivery_type: str = "PARCEL"
    moin: str | None = None
    dimensions: list[dict[str, str]] = field(default_factory=list)


@dataclass
class Address:
    salutation: str
    first_name: str
    last_name: str
    street: str
    house_number: str
    zip_code: str
    city: str
    country_code: str
    addition: str | None = None
    email: str | None = None
    phone_number: str | None = None


@dataclass
class PositionItem:
    """One ordered unit: OTTO has one position item per unit, never a quantity."""

    position_item_id: str
    sales_order_id: str
    sku: str
    gross_price: Decimal
    discount: Decimal
    status: str
    expected_delivery: datetime
    processable_at: datetime | None = None
    """When an ANNOUNCED item becomes PROCESSABLE (None: not on its own, e.g. prepayment)."""
    processable_date: datetime | None = None
    sent_date: datetime | None = None
    returned_date: datetime | None = None
    cancellation_date: datetime | None = None
    cancellation_reason: str | None = None
    shipment_ids: list[str] = field(default_factory=list)
    tracking: tuple[str, str | None] | None = None
    return_tracking: tuple[str, str] | None = None


@dataclass
class Order:
    sales_order_id: str
    order_number: str
    partner_id: str
    order_date: datetime
    last_modified: datetime
    payment_method: str
    items: list[PositionItem]
    delivery_address: Address
    invoice_address: Address
    delivery_fee: Decimal
    discount_name: str = "Partner discount"

    @property
    def released(self) -> bool:
        """The address is visible once any item has been PROCESSABLE."""
        return any(item.processable_date is not None for item in self.items)

    def touch(self, now: datetime) -> None:
        self.last_modified = max(self.last_modified, now)


@dataclass
class ShipmentItem:
    position_item_id: str
    sales_order_id: str
    return_tracking: tuple[str, str] | None
    added_at: datetime


@dataclass
class Shipment:
    shipment_id: str
    partner_id: str
    carrier: str
    tracking_number: str | None
    ship_date: datetime
    ship_from: dict[str, str]
    created: datetime
    items: list[ShipmentItem]
    multiparcel_id: str | None = None


@dataclass
class ReturnItem:
    """A position item the customer has announced (or sent misdirected) as a return."""

    position_item_id: str
    sales_order_id: str
    partner_id: str
    status: str
    changed: datetime
    return_carrier: str | None
    return_tracking_numbers: list[str]
    condition: str | None = None
    reason: str | None = None


@dataclass
class Quantity:
    sku: str
    quantity: int
    last_modified: datetime


@dataclass
class Receipt:
    """A customer document OTTO issues in the seller's name, kept as rendered JSON."""

    receipt_number: str
    partner_id: str
    receipt_type: str
    sales_order_id: str
    created: datetime
    position_item_ids: list[str]
    body: dict[str, object]


@dataclass
class Token:
    value: str
    partner_id: str
    scopes: frozenset[str]
    expires: datetime


@dataclass
class Bucket:
    """A token bucket refilled on the simulated clock."""

    capacity: float
    rate: float
    tokens: float
    updated: datetime

    def take(self, now: datetime) -> bool:
        elapsed = max((now - self.updated) / timedelta(seconds=1), 0.0)
        self.tokens = min(self.capacity, self.tokens + elapsed * self.rate)
        self.updated = now
        if self.tokens >= 1.0:
            self.tokens -= 1.0
            return True
        return False
