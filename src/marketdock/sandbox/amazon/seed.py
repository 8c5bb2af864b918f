"""The seeding format: orders, listings, sellers and carrier lists as JSON.

Every field has a realistic default, so ``{"orders": [{"items": [{"sku": "A", "quantity": 1}]}]}``
is a complete seed. Times are ISO 8601 with an offset; they default to the simulated now.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from marketdock.sandbox.amazon.marketplaces import marketplace
from marketdock.sandbox.amazon.model import DEFAULT_SELLER, AmazonState, Listing, Order, OrderItem

V0Status = Literal[
    "PendingAvailability", "Pending", "Unshipped", "PartiallyShipped", "Shipped", "Canceled"
]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SeedItem(_Strict):
    sku: str = Field(min_length=1)
    quantity: int = Field(default=1, ge=1)
    price: Decimal = Field(default=Decimal("19.99"), ge=0, description="unit price")
    tax: Decimal = Field(default=Decimal("0"), ge=0, description="unit tax")
    shipping: Decimal = Field(default=Decimal("0"), ge=0, description="line shipping price")
    asin: str | None = None
    title: str | None = None
    orderItemId: str | None = Field(default=None, pattern=r"^\d+$")
    quantityCanceled: int = Field(default=0, ge=0)


class SeedOrder(_Strict):
    orderId: str | None = Field(default=None, pattern=r"^\d{3}-\d{7}-\d{7}$")
    sellerId: str = DEFAULT_SELLER
    marketplace: str = "DE"
    status: V0Status = "Unshipped"
    fulfillmentChannel: Literal["MFN", "AFN"] = "MFN"
    purchaseDate: AwareDatetime | None = None
    pendingSeconds: float | None = Field(default=None, ge=0)
    isPrime: bool = False
    isBusinessOrder: bool = False
    shipServiceLevel: str | None = None
    shipmentServiceLevelCategory: str = "Standard"
    latestShipDate: AwareDatetime | None = None
    sellerOrderId: str | None = None
    shippingAddress: dict[str, str] | None = None
    buyer: dict[str, str] | None = None
    items: list[SeedItem] = Field(min_length=1)


class SeedListing(_Strict):
    sku: str = Field(min_length=1)
    sellerId: str = DEFAULT_SELLER
    marketplaces: list[str] = Field(default_factory=lambda: ["DE"], min_length=1)
    productType: str = "PRODUCT"
    fulfillment: Literal["MFN", "AFN"] = "MFN"
    quantity: int = Field(default=0, ge=0)
    asin: str | None = None
    title: str | None = None


class Seed(_Strict):
    orders: list[SeedOrder] = Field(default_factory=list)
    listings: list[SeedListing] = Field(default_factory=list)
    refreshTokens: dict[str, str] = Field(
        default_factory=dict, description="extra refresh token → seller id"
    )
    carrierCodes: dict[str, list[str]] = Field(
        default_factory=dict, description="marketplace → accepted carrier codes"
    )


ASIN_CHARS = "0123456789ABCDEFGHJKLMNPQRSTUVWXYZ"


def _asin(state: AmazonState) -> str:
    return "B0" + "".join(state.random.choice(ASIN_CHARS) for _ in range(8))


def _order_id(state: AmazonState) -> str:
    while True:
        digits = "".join(str(state.random.randrange(10)) for _ in range(14))
        oid = f"30{state.random.randrange(2, 6)}-{digits[:7]}-{digits[7:]}"
        if oid not in state.orders:
            return oid


def _address(country: str, number: int) -> dict[str, str]:
    return {
        "Name": f"Sandbox Buyer {number}",
        "AddressLine1": f"Teststrasse {number}",
        "City": "Hamburg" if country == "DE" else "Sandbox City",
        "PostalCode": f"{20000 + number % 80000:05d}",
        "CountryCode": country,
        "Phone": "+49 40 0000000",
        "AddressType": "Residential",
    }


def build_order(state: AmazonState, spec: SeedOrder, now: datetime) -> Order:
    market = marketplace(spec.marketplace)
    number = state.next_number()
    order_id = spec.orderId or _order_id(state)
    if order_id in state.orders:
        raise ValueError(f"order {order_id} already exists")
    purchased = spec.purchaseDate or now
    items = [
        OrderItem(
            order_item_id=i.orderItemId or f"{state.random.randrange(10**13, 10**14)}",
            sku=i.sku,
            asin=i.asin or _asin(state),
            title=i.title or f"Sandbox product {i.sku}",
            quantity=i.quantity,
            unit_price=i.price,
            unit_tax=i.tax,
            shipping_price=i.shipping,
            quantity_canceled=min(i.quantityCanceled, i.quantity),
        )
        for i in spec.items
    ]
    pending = (
        spec.pendingSeconds if spec.pendingSeconds is not None else (state.config.pending_seconds)
    )
    latest_ship = spec.latestShipDate or purchased + timedelta(days=1 if spec.isPrime else 2)
    buyer = spec.buyer or {"name": f"Sandbox Buyer {number}", "email": f"b{number}@example.com"}
    return Order(
        order_id=order_id,
        seller_id=spec.sellerId,
        marketplace_id=market.marketplace_id,
        status=spec.status,
        fulfillment_channel=spec.fulfillmentChannel,
        purchase_date=purchased,
        last_update=purchased,
        items=items,
        address=spec.shippingAddress or _address(market.country, number),
        buyer=buyer,
        ship_service_level=spec.shipServiceLevel or f"Std {market.code} Dom",
        service_category=spec.shipmentServiceLevelCategory,
        earliest_ship=purchased,
        latest_ship=latest_ship,
        latest_delivery=latest_ship + timedelta(days=3),
        is_prime=spec.isPrime,
        is_business=spec.isBusinessOrder,
        seller_order_id=spec.sellerOrderId,
        pending_until=purchased + timedelta(seconds=pending) if spec.status == "Pending" else None,
    )


def apply_seed(state: AmazonState, seed: Seed, now: datetime) -> dict[str, list[str]]:
    """Add the seed to the state; returns the ids created. Raises ValueError on conflicts."""
    for code, carriers in seed.carrierCodes.items():
        state.carrier_codes[marketplace(code).marketplace_id] = frozenset(carriers)
    state.credentials.refresh_tokens.update(seed.refreshTokens)
    orders = [build_order(state, spec, now) for spec in seed.orders]
    if len({o.order_id for o in orders}) != len(orders):
        raise ValueError("the seed holds the same orderId twice")
    for order in orders:
        state.orders[order.order_id] = order
    skus = []
    for spec in seed.listings:
        markets = [marketplace(m) for m in spec.marketplaces]
        channel = "DEFAULT" if spec.fulfillment == "MFN" else markets[0].fba_channel
        state.listings[(spec.sellerId, spec.sku)] = Listing(
            sku=spec.sku,
            seller_id=spec.sellerId,
            marketplace_ids=[m.marketplace_id for m in markets],
            product_type=spec.productType,
            asin=spec.asin or _asin(state),
            title=spec.title or f"Sandbox product {spec.sku}",
            channel=channel,
            quantity=spec.quantity,
            created=now,
            updated=now,
        )
        skus.append(spec.sku)
    return {"orders": [o.order_id for o in orders], "listings": skus}
