"""OTTO orders (Orders V4 ``PartnerOrder``) to marketdock :class:`~marketdock.domain.Order`.

OTTO sends one position item per ordered unit, so every position item becomes one order
line of quantity 1 keyed by its ``positionItemId`` (the id shipping and cancelling address).
Item statuses map to line statuses; the order's status follows from its lines:

- any ``ANNOUNCED`` item: ``PENDING`` (stock is reserved, nothing is released: OTTO has not
  released the order and withholds the address);
- every item cancelled: ``CANCELLED``;
- every item not cancelled is sent or returned: ``SHIPPED``; some: ``PARTIALLY_SHIPPED``;
- otherwise ``RELEASABLE``.

A status the hub does not know (OTTO adds values) makes the order unreadable: it is
quarantined with the value named rather than guessed at.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from decimal import Decimal

import pydantic

from marketdock.connectors.otto import wire
from marketdock.connectors.ports import Quarantined
from marketdock.domain import (
    Address,
    ChannelKind,
    LineStatus,
    Money,
    Order,
    OrderLine,
    OrderStatus,
)
from marketdock.domain.base import describe_errors
from marketdock.errors import InputError, ParseError, ValidationError

LINE_STATUS = {
    "ANNOUNCED": LineStatus.PENDING,
    "PROCESSABLE": LineStatus.RELEASABLE,
    "SENT": LineStatus.SHIPPED,
    "RETURNED": LineStatus.RETURNED,
    "CANCELLED_BY_PARTNER": LineStatus.CANCELLED,
    "CANCELLED_BY_MARKETPLACE": LineStatus.CANCELLED,
}
CENT = Decimal("0.01")
_EAN = re.compile(r"^(\d{8}|\d{12}|\d{13}|\d{14})$")


def parse_order(raw: object) -> wire.PartnerOrder:
    """Read one order of a page; :class:`ParseError` naming the fields otherwise."""
    try:
        return wire.PartnerOrder.model_validate(raw)
    except pydantic.ValidationError as exc:
        raise ParseError(f"not an OTTO order: {describe_errors(exc)}") from exc


def _money(value: wire.Amount | None) -> Money | None:
    """OTTO's amount (a JSON number: ``2.0``) in cents at least (``2.00``)."""
    if value is None:
        return None
    amount = value.amount
    exponent = amount.as_tuple().exponent
    if isinstance(exponent, int) and exponent > -2:
        amount = amount.quantize(CENT)
    return Money.create(amount=amount, currency=value.currency)


def _discount(item: wire.PositionItem) -> Money | None:
    """The discount on the unit: given, or the gap between gross and reduced gross price."""
    if item.item_value_discount is not None:
        discount = _money(item.item_value_discount)
        return discount if discount is not None and discount.amount > 0 else None
    gross, reduced = item.item_value_gross_price, item.item_value_reduced_gross_price
    if gross is None or reduced is None or reduced.amount >= gross.amount:
        return None
    return Money.create(amount=gross.amount - reduced.amount, currency=gross.currency)


def order_line(item: wire.PositionItem) -> OrderLine:
    status = LINE_STATUS.get(item.fulfillment_status)
    if status is None:
        raise ValidationError(f"position item {item.position_item_id} has fulfillmentStatus "
                              f"{item.fulfillment_status!r}, which marketdock does not know")
    ean = item.product.ean if item.product.ean and _EAN.match(item.product.ean) else None
    try:
        return _line(item, status, ean)
    except ValidationError as exc:
        raise ValidationError(f"position item {item.position_item_id}: {exc.message}") from exc


def _line(item: wire.PositionItem, status: LineStatus, ean: str | None) -> OrderLine:
    return OrderLine.create(
        line_id=item.position_item_id,
        sku=item.product.sku,
        quantity=1,
        quantity_shipped=1 if status in (LineStatus.SHIPPED, LineStatus.RETURNED) else 0,
        quantity_cancelled=1 if status is LineStatus.CANCELLED else 0,
        status=status,
        marketplace_status=item.fulfillment_status,
        title=item.product.product_title,
        ean=ean,
        price_total=_money(item.item_value_gross_price),
        discount_total=_discount(item),
    )


def order_status(lines: Iterable[OrderLine]) -> OrderStatus:
    statuses = [line.status for line in lines]
    if LineStatus.PENDING in statuses:
        return OrderStatus.PENDING
    live = [s for s in statuses if s is not LineStatus.CANCELLED]
    if not live:
        return OrderStatus.CANCELLED
    done = [s for s in live if s in (LineStatus.SHIPPED, LineStatus.RETURNED)]
    if len(done) == len(live):
        return OrderStatus.SHIPPED
    return OrderStatus.PARTIALLY_SHIPPED if done else OrderStatus.RELEASABLE


def address(value: wire.OrderAddress | None, what: str) -> Address | None:
    if value is None:
        return None
    if not value.country_code:
        raise ValidationError(f"{what} has no countryCode")
    name = " ".join(part for part in (value.first_name, value.last_name) if part) or None
    try:
        return Address.create(name=name, street=value.street, house_number=value.house_number,
                              line2=value.addition, postal_code=value.zip_code,
                              city=value.city, country_code=value.country_code,
                              phone=value.phone_number, email=value.email)
    except (ValidationError, ValueError) as exc:
        raise ValidationError(f"{what}: {exc}") from exc


def _shipping_total(order: wire.PartnerOrder) -> Money | None:
    fees = [_money(fee.delivery_fee_amount) for fee in order.initial_delivery_fees]
    present = [fee for fee in fees if fee is not None]
    if not present:
        return None
    total = Money.zero(present[0].currency)
    for fee in present:
        total = total + fee
    return total


def to_order(order: wire.PartnerOrder, tenant_id: str, account: str) -> Order:
    """The domain order for ``order``; :class:`InputError` naming what is wrong."""
    lines = tuple(order_line(item) for item in order.position_items)
    statuses = sorted({item.fulfillment_status for item in order.position_items})
    delivery = [item.expected_delivery_date for item in order.position_items
                if item.expected_delivery_date is not None]
    return Order.create(
        tenant_id=tenant_id,
        channel_account_id=account,
        channel=ChannelKind.OTTO,
        marketplace_order_id=order.sales_order_id,
        order_number=order.order_number,
        status=order_status(lines),
        marketplace_status=",".join(statuses),
        ordered_at=order.order_date,
        updated_at=order.changed_at,
        deliver_by=min(delivery) if delivery else None,
        shipping_address=address(order.delivery_address, "deliveryAddress"),
        billing_address=address(order.invoice_address, "invoiceAddress"),
        shipping_total=_shipping_total(order),
        lines=lines,
    )


def _reference(raw: object, position: str) -> str:
    if isinstance(raw, dict) and isinstance(raw.get("salesOrderId"), str):
        return str(raw["salesOrderId"])
    return position


def _excerpt(raw: object) -> str:
    """Identifying fields only: orders carry personal data that must not be copied."""
    if not isinstance(raw, dict):
        return json.dumps(raw, default=str)[:200]
    keys = ("salesOrderId", "orderNumber", "orderDate", "lastModifiedDate")
    items = raw.get("positionItems")
    summary: dict[str, object] = {key: raw[key] for key in keys if key in raw}
    if isinstance(items, list):
        summary["positionItems"] = [
            {k: item.get(k) for k in ("positionItemId", "fulfillmentStatus")}
            for item in items if isinstance(item, dict)]
    return json.dumps(summary, default=str)[:1000]


def read_page(resources: Iterable[object], tenant_id: str, account: str, source: str,
              page: int) -> tuple[list[tuple[wire.PartnerOrder, Order]], list[Quarantined]]:
    """Map every order of a page; a broken one is quarantined and the rest go on."""
    orders: list[tuple[wire.PartnerOrder, Order]] = []
    quarantined: list[Quarantined] = []
    for index, raw in enumerate(resources):
        position = f"page {page} order {index}"
        try:
            parsed = parse_order(raw)
            orders.append((parsed, to_order(parsed, tenant_id, account)))
        except InputError as exc:
            quarantined.append(Quarantined(reference=_reference(raw, position),
                                           reason=f"{position}: {exc.message}",
                                           source=source, excerpt=_excerpt(raw)))
    return orders, quarantined


def latest(orders: Iterable[tuple[wire.PartnerOrder, Order]]) -> list[Order]:
    """One order per salesOrderId, the most recently changed (pages may repeat an order
    that changed while they were read)."""
    newest: dict[str, tuple[wire.PartnerOrder, Order]] = {}
    for parsed, order in orders:
        known = newest.get(order.marketplace_order_id)
        stamp = parsed.changed_at
        if known is None or (stamp is not None and (known[0].changed_at is None
                                                    or stamp >= known[0].changed_at)):
            newest[order.marketplace_order_id] = (parsed, order)
    return [order for _, order in newest.values()]

