"""In-memory state of a simulated OTTO Market: partners, catalogue, orders and what follows.

All mutation happens under :attr:`OttoState.lock`; the HTTP layer takes it per request so a
test thread that seeds or inspects the state never sees half an update.
"""

from __future__ import annotations

import random
import threading
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from marketdock.sandbox.otto import enums
from marketdock.sandbox.otto.model import (
    Bucket,
    Order,
    Partner,
    PositionItem,
    Product,
    Quantity,
    Receipt,
    ReturnItem,
    Shipment,
    Token,
)

DEFAULT_PARTNER_ID = "1000001"
DEFAULT_CLIENT_ID = "marketdock-sandbox"
DEFAULT_CLIENT_SECRET = "sandbox-secret"


@dataclass
class OttoConfig:
    """Tunable behaviour of the simulator."""

    processable_delay: timedelta = timedelta(minutes=30)
    """How long a new order stays ANNOUNCED (OTTO: about 30-45 minutes after checkout)."""
    token_ttl: timedelta = timedelta(minutes=30)
    api_rate_per_second: float | None = 20.0
    """Requests per second per partner (token bucket); None turns the limit off."""
    token_rate_per_second: float | None = 10.0
    """Token requests per second per client IP; None turns the limit off."""
    expected_delivery_days: int = 3
    seed: int = 0


def default_partner() -> Partner:
    return Partner(DEFAULT_PARTNER_ID, DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET)


@dataclass
class OttoState:
    """Everything the simulated OTTO Market knows. Safe to build and seed without an app."""

    config: OttoConfig = field(default_factory=OttoConfig)
    partners: dict[str, Partner] = field(default_factory=dict)
    products: dict[tuple[str, str], Product] = field(default_factory=dict)
    orders: dict[str, Order] = field(default_factory=dict)
    items: dict[str, PositionItem] = field(default_factory=dict)
    shipments: dict[str, Shipment] = field(default_factory=dict)
    tracking_keys: dict[tuple[str, str], str] = field(default_factory=dict)
    quantities: dict[tuple[str, str], Quantity] = field(default_factory=dict)
    returns: dict[str, ReturnItem] = field(default_factory=dict)
    receipts: dict[str, Receipt] = field(default_factory=dict)
    tokens: dict[str, Token] = field(default_factory=dict)
    buckets: dict[str, Bucket] = field(default_factory=dict)
    lock: threading.RLock = field(default_factory=threading.RLock, repr=False)

    def __post_init__(self) -> None:
        if not self.partners:
            self.add_partner(default_partner())
        self._random = random.Random(self.config.seed)
        self._shipment_seq = 100_000_000_000
        self._receipt_seq = 5_000_000_000

    # -- accounts -----------------------------------------------------------------------

    def add_partner(self, partner: Partner) -> Partner:
        with self.lock:
            clash = [
                p for p in self.partners.values()
                if p.client_id == partner.client_id and p.partner_id != partner.partner_id
            ]  # fmt: skip
            if clash:
                raise ValueError(f"client_id {partner.client_id!r} is already used")
            self.partners[partner.partner_id] = partner
            return partner

    def partner_by_client(self, client_id: str) -> Partner | None:
        return next((p for p in self.partners.values() if p.client_id == client_id), None)

    def reset(self) -> None:
        """Forget all business data; partners, config and issued tokens stay."""
        with self.lock:
            for store in (
                self.products, self.orders, self.items, self.shipments, self.tracking_keys,
                self.quantities, self.returns, self.receipts, self.buckets,
            ):  # fmt: skip
                store.clear()
            self.__post_init__()

    # -- identifiers --------------------------------------------------------------------

    def new_uuid(self) -> str:
        return str(uuid.UUID(int=self._random.getrandbits(128), version=4))

    def new_order_number(self) -> str:
        alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
        while True:
            number = "".join(self._random.choice(alphabet) for _ in range(10))
            if not any(o.order_number == number for o in self.orders.values()):
                return number

    def new_shipment_id(self) -> str:
        self._shipment_seq += 1
        return str(self._shipment_seq)

    def new_receipt_number(self) -> str:
        self._receipt_seq += 1
        return str(self._receipt_seq)

    # -- time ---------------------------------------------------------------------------

    def tick(self, now: datetime) -> None:
        """Apply what time has done: ANNOUNCED items whose delay is over become PROCESSABLE."""
        with self.lock:
            for order in self.orders.values():
                for item in order.items:
                    due = item.processable_at
                    if item.status == enums.ANNOUNCED and due is not None and due <= now:
                        item.status = enums.PROCESSABLE
                        item.processable_date = due
                        order.touch(due)

    # -- look-ups -----------------------------------------------------------------------

    def order_for(self, partner_id: str, key: str) -> Order | None:
        """An order of this partner by salesOrderId or by orderNumber."""
        order = self.orders.get(key)
        if order is None:
            order = next((o for o in self.orders.values() if o.order_number == key), None)
        return order if order is not None and order.partner_id == partner_id else None

    def item_for(self, partner_id: str, position_item_id: str) -> PositionItem | None:
        item = self.items.get(position_item_id)
        if item is None or self.orders[item.sales_order_id].partner_id != partner_id:
            return None
        return item

    def product(self, partner_id: str, sku: str) -> Product | None:
        return self.products.get((partner_id, sku))
