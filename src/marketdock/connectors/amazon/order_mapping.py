"""Orders 2026-01-01 → marketdock orders, and order packages → remote packages.

Pure functions. A merchant order becomes an :class:`~marketdock.domain.Order` keyed by
its ``orderId``; its lines keep Amazon's ``orderItemId``. Amazon's fulfilment status
decides the hub status:

========================================  ==========================================
``PENDING``, ``PENDING_AVAILABILITY``     pending: stock reserved, not released
``UNSHIPPED``, ``PARTIALLY_SHIPPED``      releasable (open units go to the warehouse)
``SHIPPED``                               shipped
``CANCELLED``                             cancelled
========================================  ==========================================

Any other status (``UNFULFILLABLE`` belongs to multi-channel fulfilment) and any order
that breaks a rule is returned as :class:`~marketdock.connectors.ports.Quarantined`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

import pydantic

from marketdock.connectors.amazon import wire
from marketdock.connectors.ports import Quarantined, RemotePackage
from marketdock.domain import (
    Address,
    ChannelKind,
    FulfilmentChannel,
    LineStatus,
    Money,
    Order,
    OrderLine,
    OrderStatus,
)
from marketdock.domain.base import describe_errors
from marketdock.errors import ValidationError

ORDER_STATUS = {
    "PENDING": OrderStatus.PENDING,
    "PENDING_AVAILABILITY": OrderStatus.PENDING,
    "UNSHIPPED": OrderStatus.RELEASABLE,
    "PARTIALLY_SHIPPED": OrderStatus.RELEASABLE,
    "SHIPPED": OrderStatus.SHIPPED,
    "CANCELLED": OrderStatus.CANCELLED,
}
PRIME = "PRIME"
BUSINESS = "AMAZON_BUSINESS"
SOURCE = "amazon orders 2026-01-01"


class Skip(Exception):
    """The order is not the hub's to handle (fulfilled by Amazon)."""


def parse_order(raw: Mapping[str, Any], tenant_id: str, account_id: str) -> Order:
    """Read one order of a search page; raises Skip for an Amazon-fulfilled order and
    ValidationError (naming the field) for anything the hub cannot use."""
    try:
        order = wire.Order.model_validate(raw)
    except pydantic.ValidationError as exc:
        raise ValidationError(describe_errors(exc)) from exc
    return to_order(order, tenant_id, account_id)


def to_order(order: wire.Order, tenant_id: str, account_id: str) -> Order:
    fulfillment = order.fulfillment
    if fulfillment is None:
        raise ValidationError("fulfillment is missing (includedData FULFILLMENT was asked)")
    if fulfillment.fulfilledBy not in (None, "MERCHANT"):
        raise Skip(f"fulfilled by {fulfillment.fulfilledBy}")
    status = ORDER_STATUS.get(fulfillment.fulfillmentStatus)
    if status is None:
        raise ValidationError(f"fulfillment.fulfillmentStatus {fulfillment.fulfillmentStatus!r}"
                              " is not a merchant order status marketdock handles")
    if not order.orderItems:
        raise ValidationError("orderItems is empty")
    lines = tuple(_line(item, status, index) for index, item in enumerate(order.orderItems))
    ship_by = fulfillment.shipByWindow.latestDateTime if fulfillment.shipByWindow else None
    deliver_by = fulfillment.deliverByWindow.latestDateTime if fulfillment.deliverByWindow \
        else None
    return Order.create(
        tenant_id=tenant_id,
        channel_account_id=account_id,
        channel=ChannelKind.AMAZON,
        marketplace_id=order.salesChannel.marketplaceId,
        marketplace_order_id=order.orderId,
        status=status,
        marketplace_status=fulfillment.fulfillmentStatus,
        fulfilment=FulfilmentChannel.MERCHANT,
        ordered_at=order.createdTime,
        updated_at=order.lastUpdatedTime,
        ship_by=ship_by,
        deliver_by=deliver_by,
        is_prime=PRIME in order.programs,
        is_business=BUSINESS in order.programs,
        ship_service_level=fulfillment.fulfillmentServiceLevel,
        shipping_address=_address(order),
        order_total=_money(order.proceeds.grandTotal, "proceeds.grandTotal")
        if order.proceeds else None,
        lines=lines,
    )


def _line(item: wire.OrderItem, status: OrderStatus, index: int) -> OrderLine:
    where = f"orderItems[{index}]"
    if not item.product.sellerSku:
        raise ValidationError(f"{where}.product.sellerSku is missing")
    if item.quantityOrdered < 1:
        raise ValidationError(f"{where}.quantityOrdered must be at least 1")
    shipped, cancelled = _shipped_and_cancelled(item, status, where)
    price = item.product.price.unitPrice if item.product.price else None
    total = _money(price, f"{where}.product.price.unitPrice")
    return OrderLine.create(
        line_id=item.orderItemId,
        sku=item.product.sellerSku,
        quantity=item.quantityOrdered,
        quantity_shipped=shipped,
        quantity_cancelled=cancelled,
        status=_line_status(status, item.quantityOrdered, shipped, cancelled),
        title=item.product.title,
        price_total=total.times(item.quantityOrdered) if total else None,
    )


def _shipped_and_cancelled(item: wire.OrderItem, status: OrderStatus,
                           where: str) -> tuple[int, int]:
    """Units shipped and cancelled: what is neither fulfilled nor still unfulfilled was
    cancelled; a cancelled order has no open units."""
    done = item.fulfillment
    shipped = done.quantityFulfilled if done and done.quantityFulfilled is not None else 0
    if status is OrderStatus.CANCELLED:
        open_units = 0
    elif done and done.quantityUnfulfilled is not None:
        open_units = done.quantityUnfulfilled
    else:
        open_units = item.quantityOrdered - shipped
    if shipped < 0 or open_units < 0 or shipped + open_units > item.quantityOrdered:
        raise ValidationError(f"{where}.fulfillment: {shipped} fulfilled and {open_units} "
                              f"unfulfilled do not fit {item.quantityOrdered} ordered")
    return shipped, item.quantityOrdered - shipped - open_units


def _line_status(status: OrderStatus, quantity: int, shipped: int,
                 cancelled: int) -> LineStatus:
    if status is OrderStatus.PENDING:
        return LineStatus.PENDING
    if cancelled == quantity:
        return LineStatus.CANCELLED
    if shipped + cancelled == quantity:
        return LineStatus.SHIPPED
    return LineStatus.RELEASABLE


def _money(value: wire.Money | None, where: str) -> Money | None:
    if value is None:
        return None
    try:
        amount = Decimal(value.amount)
    except InvalidOperation as exc:
        raise ValidationError(f"{where}.amount {value.amount!r} is not a number") from exc
    return Money.create(amount=amount, currency=value.currencyCode)


def _address(order: wire.Order) -> Address | None:
    address = order.recipient.deliveryAddress if order.recipient else None
    if address is None or not address.countryCode:
        return None
    return Address.create(
        name=address.name,
        company=address.companyName or (order.buyer.buyerCompanyName if order.buyer else None),
        street=address.addressLine1,
        line2=address.addressLine2,
        line3=address.addressLine3,
        postal_code=address.postalCode,
        city=address.city,
        region=address.stateOrRegion,
        country_code=address.countryCode,
        phone=address.phone,
        email=order.buyer.buyerEmail if order.buyer else None,
    )


def quarantined(raw: Mapping[str, Any], reason: str) -> Quarantined:
    reference = raw.get("orderId")
    return Quarantined(
        reference=reference if isinstance(reference, str) and reference else "(no orderId)",
        reason=reason, source=SOURCE,
        excerpt=json.dumps(raw, default=str, sort_keys=True)[:500])


def remote_packages(order: wire.Order) -> Sequence[RemotePackage]:
    """The packages Amazon holds for an order, as the port reports them."""
    return tuple(
        RemotePackage(
            package_ref=package.packageReferenceId,
            tracking_number=package.trackingNumber,
            carrier_code=package.carrier,
            line_quantities={item.orderItemId: item.quantity for item in package.packageItems},
        )
        for package in order.packages or ()
    )
