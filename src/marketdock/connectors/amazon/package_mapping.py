"""A warehouse package → the body of Orders v0 ``confirmShipment``.

Amazon wants a ``packageReferenceId`` that is a positive numeric string unique within the
order. It is derived from the package's key (warehouse and warehouse package ref), so
sending the same package again carries the same id: Amazon then edits that package
instead of shipping its units a second time.
"""

from __future__ import annotations

import hashlib
from datetime import UTC
from typing import Any

from marketdock.connectors.ports import CarrierChoice
from marketdock.domain import AMAZON_OTHER, Order, Package
from marketdock.errors import ValidationError

_REFERENCE_SPAN = 9 * 10**12


def package_reference_id(package: Package) -> str:
    """A 13-digit number (never a leading zero) fixed by the package's key."""
    key = f"{package.tenant_id}\x1f{package.warehouse_id}\x1f{package.package_ref}"
    digest = hashlib.sha256(key.encode("utf-8")).digest()
    return str(10**12 + int.from_bytes(digest[:8], "big") % _REFERENCE_SPAN)


def confirm_shipment_body(order: Order, package: Package, carrier: CarrierChoice) -> dict[str, Any]:
    """Raises ValidationError (naming the package) for what Amazon would refuse anyway."""
    where = f"package {package.package_ref} of order {order.marketplace_order_id}"
    if order.marketplace_id is None:
        raise ValidationError(f"{where}: the order has no marketplace id")
    if package.marketplace_order_id != order.marketplace_order_id:
        raise ValidationError(f"{where}: the package belongs to order "
                              f"{package.marketplace_order_id}")
    if not package.tracking_number:
        raise ValidationError(f"{where}: Amazon requires a tracking number")
    known = {line.line_id for line in order.lines}
    foreign = sorted(line.line_id for line in package.lines if line.line_id not in known)
    if foreign:
        raise ValidationError(f"{where}: order item(s) {', '.join(foreign)} are not in the order")
    detail: dict[str, Any] = {
        "packageReferenceId": package_reference_id(package),
        "carrierCode": carrier.code,
        "trackingNumber": package.tracking_number,
        "shipDate": package.shipped_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "orderItems": [{"orderItemId": line.line_id, "quantity": line.quantity}
                       for line in package.lines],
    }
    if carrier.code == AMAZON_OTHER:
        if not carrier.name:
            raise ValidationError(f"{where}: carrier code {AMAZON_OTHER!r} needs a carrier name")
        detail["carrierName"] = carrier.name
    if carrier.service:
        detail["shippingMethod"] = carrier.service
    return {"marketplaceId": order.marketplace_id, "packageDetail": detail}
