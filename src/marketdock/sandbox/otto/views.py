"""Render simulator records as OTTO's JSON (PartnerOrder, Shipment)."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from marketdock.sandbox.otto.model import Address, Order, PositionItem, Shipment
from marketdock.sandbox.otto.state import OttoState
from marketdock.sandbox.otto.wire import amount, iso, money

ON_THE_WAY_AFTER = timedelta(hours=6)
DELIVERED_AFTER = timedelta(days=2)


def address_json(address: Address) -> dict[str, Any]:
    body: dict[str, Any] = {
        "salutation": address.salutation,
        "firstName": address.first_name,
        "lastName": address.last_name,
        "street": address.street,
        "houseNumber": address.house_number,
        "zipCode": address.zip_code,
        "city": address.city,
        "countryCode": address.country_code,
    }
    optional = {"addition": address.addition, "email": address.email}
    optional["phoneNumber"] = address.phone_number
    body.update({k: v for k, v in optional.items() if v is not None})
    return body


def item_json(state: OttoState, order: Order, item: PositionItem) -> dict[str, Any]:
    product = state.product(order.partner_id, item.sku)
    assert product is not None, f"order {order.sales_order_id} refers to unknown SKU {item.sku}"
    product_body: dict[str, Any] = {
        "sku": product.sku,
        "articleNumber": product.article_number,
        "productTitle": product.title,
        "vatRate": float(product.vat_rate),
        "dimensions": product.dimensions,
    }
    if product.ean:
        product_body["ean"] = product.ean
    body: dict[str, Any] = {
        "positionItemId": item.position_item_id,
        "fulfillmentStatus": item.status,
        "itemValueGrossPrice": amount(item.gross_price),
        "itemValueReducedGrossPrice": amount(item.gross_price - item.discount),
        "product": product_body,
        "expectedDeliveryDate": iso(item.expected_delivery),
        "weeePickup": False,
    }
    if item.discount:
        body["itemValueDiscount"] = amount(item.discount)
    dates = {
        "processableDate": item.processable_date,
        "sentDate": item.sent_date,
        "returnedDate": item.returned_date,
        "cancellationDate": item.cancellation_date,
    }
    body.update({k: iso(v) for k, v in dates.items() if v is not None})
    if item.cancellation_reason:
        body["cancellationReason"] = item.cancellation_reason
    if item.tracking is not None:
        carrier, number = item.tracking
        body["trackingInfo"] = {
            "carrier": carrier,
            **({"trackingNumber": number} if number else {}),
        }
    return body


def _vat(state: OttoState, order: Order, ids: list[str]) -> float:
    items = [i for i in order.items if i.position_item_id in ids]
    rates = [state.product(order.partner_id, i.sku) for i in items]
    return float(max((p.vat_rate for p in rates if p is not None), default=Decimal("19")))


def order_json(state: OttoState, order: Order) -> dict[str, Any]:
    """A PartnerOrder; addresses stay hidden until the order has been released."""
    all_ids = [i.position_item_id for i in order.items]
    discounted = [i.position_item_id for i in order.items if i.discount]
    body: dict[str, Any] = {
        "salesOrderId": order.sales_order_id,
        "orderNumber": order.order_number,
        "orderDate": iso(order.order_date),
        "lastModifiedDate": iso(order.last_modified),
        "orderLifecycleInformation": {"lifecycleChangeDate": iso(order.last_modified)},
        "positionItems": [item_json(state, order, i) for i in order.items],
        "initialDeliveryFees": [],
        "initialDiscounts": [],
        "payment": {"paymentMethod": order.payment_method},
        "suspectedFraudCase": False,
        "links": [{"rel": "self", "href": f"/v4/orders/{order.sales_order_id}"}],
    }
    if order.delivery_fee:
        body["initialDeliveryFees"].append(
            {
                "name": "DELIVERY_FEE_STANDARD",
                "deliveryFeeAmount": amount(order.delivery_fee),
                "positionItemIds": all_ids,
                "vatRate": _vat(state, order, all_ids),
            }
        )
    if discounted:
        total = sum((i.discount for i in order.items), Decimal("0"))
        body["initialDiscounts"].append(
            {
                "discountId": f"D-{order.order_number}",
                "discountName": order.discount_name,
                "name": "PARTNER_DISCOUNT",
                "discountAmount": {"amount": money(total), "currency": "EUR"},
                "positionItemIds": discounted,
                "vatRate": _vat(state, order, discounted),
            }
        )
    if order.released:
        body["deliveryAddress"] = address_json(order.delivery_address)
        invoice = address_json(order.invoice_address)
        invoice["email"] = f"{order.order_number}@pseudonymized.example.invalid"
        body["invoiceAddress"] = invoice
    return body


def tracking_key_json(shipment: Shipment) -> dict[str, str]:
    key = {"carrier": shipment.carrier}
    if shipment.tracking_number:
        key["trackingNumber"] = shipment.tracking_number
    return key


def shipment_states(shipment: Shipment, now: datetime) -> list[dict[str, str]]:
    """Carrier tracking OTTO pulls; only shipments with a tracking number get past SENT."""
    states = [("SENT", shipment.created)]
    if shipment.tracking_number:
        for state, after in (("ON_THE_WAY", ON_THE_WAY_AFTER), ("DELIVERED", DELIVERED_AFTER)):
            if shipment.ship_date + after <= now:
                states.append((state, shipment.ship_date + after))
    return [{"state": s, "occurredOn": iso(at)} for s, at in states]


def shipment_summary(shipment: Shipment, now: datetime) -> dict[str, Any]:
    return {
        "shipmentId": shipment.shipment_id,
        "creationDate": iso(shipment.created),
        "trackingKey": tracking_key_json(shipment),
        "states": shipment_states(shipment, now),
    }


def shipment_json(shipment: Shipment, now: datetime) -> dict[str, Any]:
    items = []
    for entry in shipment.items:
        item: dict[str, Any] = {
            "positionItemId": entry.position_item_id,
            "salesOrderId": entry.sales_order_id,
        }
        if entry.return_tracking:
            carrier, number = entry.return_tracking
            item["returnTrackingKey"] = {"carrier": carrier, "trackingNumber": number}
        items.append(item)
    return {
        **shipment_summary(shipment, now),
        "shipDate": iso(shipment.ship_date),
        "shipFromAddress": dict(shipment.ship_from),
        "positionItems": items,
    }
