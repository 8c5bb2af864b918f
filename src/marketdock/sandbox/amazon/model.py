"""In-memory records of the simulated selling partner accounts."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from pydantic import BaseModel, Field

from marketdock.sandbox.amazon.marketplaces import default_carrier_codes

DEFAULT_SELLER = "A2MARKETDOCKSIM"


class SimConfig(BaseModel):
    """Timings and quirks of the simulated Amazon, changeable at run time."""

    pending_seconds: float = Field(default=1800.0, ge=0, description="Pending → Unshipped")
    feed_queue_seconds: float = Field(default=30.0, ge=0, description="IN_QUEUE duration")
    feed_processing_seconds: float = Field(default=90.0, ge=0, description="IN_PROGRESS duration")
    access_token_seconds: int = Field(default=3600, ge=1)
    before_lag_seconds: float = Field(default=120.0, ge=0, description="the 2-minute rule")
    token_ttl_seconds: float = Field(default=86400.0, ge=1, description="next-token lifetime")
    upload_url_seconds: float = Field(default=300.0, ge=1)
    listings_feed_window: int = Field(default=5, ge=1, description="JSON_LISTINGS_FEEDs …")
    listings_feed_window_seconds: float = Field(default=300.0, ge=1, description="… per window")
    listings_feed_max_messages: int = Field(default=25000, ge=1)
    rate_limits: bool = True
    report_queue_seconds: float = Field(default=60.0, ge=0, description="report IN_QUEUE")
    report_processing_seconds: float = Field(default=240.0, ge=0, description="IN_PROGRESS")
    referral_fee_rate: float = Field(
        default=0.15, ge=0, le=1, description="settlement Commission per principal"
    )
    fba_fee_per_unit: float = Field(
        default=3.0, ge=0, description="settlement FBAPerUnitFulfillmentFee per unit"
    )
    inbound_operation_seconds: float = Field(
        default=5.0, ge=0, description="inbound plan operation IN_PROGRESS → SUCCESS"
    )
    drift_skus: list[str] = Field(
        default_factory=list,
        description="SKUs whose quantity updates are accepted but never applied",
    )


@dataclass
class OrderItem:
    order_item_id: str
    sku: str
    asin: str
    title: str
    quantity: int
    unit_price: Decimal
    unit_tax: Decimal
    shipping_price: Decimal
    quantity_canceled: int = 0


@dataclass
class Package:
    package_reference_id: str
    carrier_code: str
    carrier_name: str | None
    shipping_method: str | None
    tracking_number: str
    ship_date: datetime
    items: dict[str, int]
    created: datetime


@dataclass
class Order:
    order_id: str
    seller_id: str
    marketplace_id: str
    status: str
    fulfillment_channel: str
    purchase_date: datetime
    last_update: datetime
    items: list[OrderItem]
    address: dict[str, str]
    buyer: dict[str, str]
    ship_service_level: str
    service_category: str
    earliest_ship: datetime
    latest_ship: datetime
    latest_delivery: datetime
    is_prime: bool = False
    is_business: bool = False
    seller_order_id: str | None = None
    pending_until: datetime | None = None
    packages: list[Package] = field(default_factory=list)

    def item(self, order_item_id: str) -> OrderItem | None:
        return next((i for i in self.items if i.order_item_id == order_item_id), None)

    def shipped(self, order_item_id: str) -> int:
        return sum(p.items.get(order_item_id, 0) for p in self.packages)

    def package(self, reference: str) -> Package | None:
        return next((p for p in self.packages if p.package_reference_id == reference), None)


@dataclass
class Listing:
    sku: str
    seller_id: str
    marketplace_ids: list[str]
    product_type: str
    asin: str
    title: str
    channel: str
    quantity: int
    created: datetime
    updated: datetime
    attributes: dict[str, object] = field(default_factory=dict)

    @property
    def is_fba(self) -> bool:
        return self.channel != "DEFAULT"


@dataclass
class Document:
    document_id: str
    seller_id: str
    content_type: str
    created: datetime
    content: bytes | None = None


@dataclass
class Feed:
    feed_id: str
    seller_id: str
    feed_type: str
    marketplace_ids: list[str]
    document_id: str
    created: datetime
    status: str = "IN_QUEUE"
    started: datetime | None = None
    ended: datetime | None = None
    result_document_id: str | None = None
    stuck: bool = False
    fatal: bool = False


@dataclass
class FbaStock:
    """One seller SKU's units in Amazon's fulfillment network for one marketplace."""

    seller_id: str
    marketplace_id: str
    sku: str
    fnsku: str
    asin: str
    product_name: str
    condition: str
    updated: datetime
    fulfillable: int = 0
    inbound_working: int = 0
    inbound_shipped: int = 0
    inbound_receiving: int = 0
    pending_customer_order: int = 0
    pending_transshipment: int = 0
    fc_processing: int = 0
    researching: int = 0
    unfulfillable: dict[str, int] = field(default_factory=dict)


@dataclass
class CustomerReturn:
    """A buyer's return of an order line, refunded to the buyer on ``returned``."""

    seller_id: str
    order_id: str
    sku: str
    quantity: int
    returned: datetime
    refund: Decimal
    fulfillment_center_id: str
    disposition: str
    reason: str
    status: str
    license_plate_number: str
    customer_comments: str = ""


@dataclass
class RemovalLine:
    sku: str
    fnsku: str
    disposition: str
    requested: int
    cancelled: int = 0
    disposed: int = 0


@dataclass
class RemovalShipment:
    shipped: datetime
    carrier: str
    tracking_number: str
    items: dict[str, int]


@dataclass
class RemovalOrder:
    """A removal (return to the seller) or disposal of FBA units the seller asked for."""

    order_id: str
    seller_id: str
    order_type: str
    status: str
    requested: datetime
    updated: datetime
    lines: list[RemovalLine]
    shipments: list[RemovalShipment] = field(default_factory=list)
    fee_per_unit: Decimal = Decimal("0")
    currency: str = "EUR"
    service_speed: str = "Standard"

    def shipped(self, sku: str) -> int:
        return sum(s.items.get(sku, 0) for s in self.shipments)


@dataclass
class Report:
    report_id: str
    seller_id: str
    report_type: str
    marketplace_ids: list[str]
    created: datetime
    data_start: datetime
    data_end: datetime
    status: str = "IN_QUEUE"
    started: datetime | None = None
    ended: datetime | None = None
    document_id: str | None = None
    settlement_id: str | None = None


@dataclass
class InboundItem:
    msku: str
    asin: str
    fnsku: str
    quantity: int
    label_owner: str = "SELLER"
    prep_owner: str = "SELLER"
    expiration: str | None = None
    lot_code: str | None = None


@dataclass
class InboundBox:
    package_id: str
    box_id: str
    items: list[InboundItem]
    weight_kg: float
    dimensions_cm: tuple[float, float, float]


@dataclass
class InboundShipment:
    shipment_id: str
    placement_option_id: str
    confirmation_id: str
    name: str
    status: str
    warehouse_id: str
    destination_address: dict[str, str]
    items: list[InboundItem]
    boxes: list[InboundBox] = field(default_factory=list)
    amazon_reference_id: str | None = None


@dataclass
class PlacementOption:
    option_id: str
    shipment_ids: list[str]
    expires: datetime
    status: str = "OFFERED"


@dataclass
class InboundPlan:
    plan_id: str
    seller_id: str
    name: str
    marketplace_ids: list[str]
    source_address: dict[str, str]
    created: datetime
    updated: datetime
    items: list[InboundItem]
    status: str = "ACTIVE"
    shipments: list[InboundShipment] = field(default_factory=list)
    placement_options: list[PlacementOption] = field(default_factory=list)

    def shipment(self, shipment_id: str) -> InboundShipment | None:
        return next((s for s in self.shipments if s.shipment_id == shipment_id), None)


@dataclass
class InboundOperation:
    operation_id: str
    seller_id: str
    operation: str
    created: datetime
    problems: list[dict[str, str]] = field(default_factory=list)


@dataclass
class PageCursor:
    """What a next token stands for: the frozen query and where the next page starts."""

    seller_id: str
    operation: str
    query: dict[str, object]
    offset: int
    expires: datetime


@dataclass
class AccessToken:
    seller_id: str | None
    expires: datetime
    scope: str | None = None


@dataclass
class Credentials:
    """The LWA application and the refresh tokens (one per seller) the simulator accepts."""

    client_id: str = "amzn1.application-oa2-client.marketdocksandbox"
    client_secret: str = "marketdock-sandbox-secret"
    refresh_tokens: dict[str, str] = field(
        default_factory=lambda: {"Atzr|marketdock-sandbox-refresh-token": DEFAULT_SELLER}
    )


@dataclass
class AmazonState:
    """Everything the simulator knows; one object so tests can build and inspect it."""

    config: SimConfig = field(default_factory=SimConfig)
    credentials: Credentials = field(default_factory=Credentials)
    orders: dict[str, Order] = field(default_factory=dict)
    listings: dict[tuple[str, str], Listing] = field(default_factory=dict)
    documents: dict[str, Document] = field(default_factory=dict)
    feeds: dict[str, Feed] = field(default_factory=dict)
    cursors: dict[str, PageCursor] = field(default_factory=dict)
    tokens: dict[str, AccessToken] = field(default_factory=dict)
    carrier_codes: dict[str, frozenset[str]] = field(default_factory=dict)
    listings_feed_times: dict[str, list[datetime]] = field(default_factory=dict)
    fba_stock: dict[tuple[str, str, str], FbaStock] = field(default_factory=dict)
    customer_returns: list[CustomerReturn] = field(default_factory=list)
    removal_orders: dict[str, RemovalOrder] = field(default_factory=dict)
    reports: dict[str, Report] = field(default_factory=dict)
    settled_until: dict[str, datetime] = field(default_factory=dict)
    inbound_plans: dict[str, InboundPlan] = field(default_factory=dict)
    inbound_operations: dict[str, InboundOperation] = field(default_factory=dict)
    seed: int = 0
    random: random.Random = field(init=False)
    counter: int = 0

    def __post_init__(self) -> None:
        self.random = random.Random(self.seed)

    def next_number(self) -> int:
        self.counter += 1
        return self.counter

    def accepted_carriers(self, marketplace_id: str) -> frozenset[str]:
        return self.carrier_codes.get(marketplace_id) or default_carrier_codes()

    def clear(self) -> None:
        """Forget all business data; keep config, credentials and carrier lists."""
        for table in (self.orders, self.listings, self.documents, self.feeds, self.cursors):
            table.clear()
        self.tokens.clear()
        self.listings_feed_times.clear()
        self.fba_stock.clear()
        self.customer_returns.clear()
        self.removal_orders.clear()
        self.reports.clear()
        self.settled_until.clear()
        self.inbound_plans.clear()
        self.inbound_operations.clear()
        self.random = random.Random(self.seed)
        self.counter = 0

    def settle(self, now: datetime) -> list[Feed]:
        """Apply every time-driven change due by ``now``; return feeds that just finished."""
        for order in self.orders.values():
            if order.status == "Pending" and order.pending_until and order.pending_until <= now:
                order.status = "Unshipped"
                order.last_update = order.pending_until
                order.pending_until = None
        finished: list[Feed] = []
        queue = timedelta(seconds=self.config.feed_queue_seconds)
        work = timedelta(seconds=self.config.feed_processing_seconds)
        for feed in self.feeds.values():
            if feed.status == "IN_QUEUE" and feed.created + queue <= now:
                feed.status, feed.started = "IN_PROGRESS", feed.created + queue
            running = feed.status == "IN_PROGRESS" and not feed.stuck
            if running and feed.started and feed.started + work <= now:
                feed.ended = feed.started + work
                finished.append(feed)
        return finished
