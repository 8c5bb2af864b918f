"""Orders API v0 confirmShipment: one package per call, partial quantities allowed.

Rules the simulator enforces (each one a way a real confirmation fails):
``packageReferenceId`` is a positive numeric *string*, unique within the order (sending the
same id again with the same lines edits that package's tracking instead of shipping more);
``carrierCode`` must be on the marketplace's list, ``Other`` needs ``carrierName``;
``shipDate`` is ISO 8601; an order item cannot ship more than was ordered; Pending, Canceled
and Amazon-fulfilled orders cannot be confirmed.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

from starlette.responses import Response
from starlette.routing import Route

from marketdock.sandbox.amazon.clock import parse_iso
from marketdock.sandbox.amazon.http import Call, invalid, operation
from marketdock.sandbox.amazon.model import Order, Package
from marketdock.sandbox.amazon.orders_v0 import find_order

PACKAGE_REFERENCE = re.compile(r"^[1-9][0-9]*$")
SHIPPABLE = frozenset({"Unshipped", "PartiallyShipped", "Shipped"})


def _text(detail: dict[str, Any], name: str, required: bool = True) -> str | None:
    value = detail.get(name)
    if value is None and not required:
        return None
    if not isinstance(value, str) or not value.strip():
        raise invalid("Invalid Input", f"packageDetail.{name} must be a non-empty string")
    return value


def _lines(order: Order, detail: dict[str, Any]) -> dict[str, int]:
    raw = detail.get("orderItems")
    if not isinstance(raw, list) or not raw:
        raise invalid("Invalid Input", "packageDetail.orderItems must be a non-empty list")
    lines: Counter[str] = Counter()
    for index, line in enumerate(raw):
        where = f"packageDetail.orderItems[{index}]"
        if not isinstance(line, dict):
            raise invalid("Invalid Input", f"{where} must be an object")
        item_id, quantity = line.get("orderItemId"), line.get("quantity")
        if not isinstance(item_id, str) or order.item(item_id) is None:
            raise invalid("Invalid Input", f"{where}.orderItemId {item_id!r} is not in the order")
        if not isinstance(quantity, int) or isinstance(quantity, bool) or quantity < 1:
            raise invalid("Invalid Input", f"{where}.quantity must be a positive integer")
        lines[item_id] += quantity
    return dict(lines)


async def confirm_shipment(call: Call) -> Response:
    order = find_order(call, call.request.path_params["orderId"])
    body = await call.json_body()
    if body.get("marketplaceId") != order.marketplace_id:
        raise invalid(
            "Invalid Input", f"marketplaceId must be the order's marketplace {order.marketplace_id}"
        )
    detail = body.get("packageDetail")
    if not isinstance(detail, dict):
        raise invalid("Invalid Input", "packageDetail is required")
    reference = detail.get("packageReferenceId")
    if not isinstance(reference, str) or not PACKAGE_REFERENCE.match(reference):
        raise invalid(
            "Invalid Input", "packageDetail.packageReferenceId must be a positive numeric string"
        )
    carrier = _text(detail, "carrierCode") or ""
    carrier_name = _text(detail, "carrierName", required=carrier == "Other")
    if carrier not in call.state.accepted_carriers(order.marketplace_id):
        raise invalid(
            "Invalid Input",
            f"carrierCode {carrier!r} is not accepted in marketplace {order.marketplace_id}; "
            "use 'Other' with carrierName",
        )
    tracking = _text(detail, "trackingNumber") or ""
    method = _text(detail, "shippingMethod", required=False)
    try:
        ship_date = parse_iso(str(detail.get("shipDate", "")))
    except ValueError as exc:
        raise invalid("Invalid Input", "packageDetail.shipDate must be ISO 8601") from exc
    if order.fulfillment_channel != "MFN":
        raise invalid("Invalid Input", f"Order {order.order_id} is fulfilled by Amazon")
    if order.status not in SHIPPABLE:
        raise invalid("Invalid Input", f"Order {order.order_id} is {order.status}")
    lines = _lines(order, detail)
    now = call.sim.now()
    existing = order.package(reference)
    if existing is not None:
        if existing.items != lines:
            raise invalid(
                "Invalid Input",
                f"packageReferenceId {reference} was already confirmed with other items",
            )
        existing.carrier_code, existing.carrier_name = carrier, carrier_name
        existing.tracking_number, existing.shipping_method = tracking, method
        existing.ship_date = ship_date
    else:
        for item_id, quantity in lines.items():
            item = order.item(item_id)
            assert item is not None
            left = item.quantity - item.quantity_canceled - order.shipped(item_id)
            if quantity > left:
                raise invalid(
                    "Invalid Input",
                    f"quantity {quantity} for order item {item_id} exceeds the {left} "
                    "unit(s) left to ship",
                )
        package = Package(reference, carrier, carrier_name, method, tracking, ship_date, lines, now)
        order.packages.append(package)
        complete = all(
            order.shipped(i.order_item_id) >= i.quantity - i.quantity_canceled for i in order.items
        )
        order.status = "Shipped" if complete else "PartiallyShipped"
    order.last_update = now
    return Response(status_code=204)


def routes() -> list[Route]:
    return [
        Route(
            "/orders/v0/orders/{orderId}/shipmentConfirmation",
            operation("orders_v0.confirmShipment", confirm_shipment),
            methods=["POST"],
        )
    ]
