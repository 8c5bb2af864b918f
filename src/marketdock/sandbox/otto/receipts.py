"""Receipts V3: the customer documents OTTO issues in the seller's name.

A PURCHASE receipt per order and shipment (and per add-items correction); delivery costs go
on the order's first purchase receipt. A REFUND receipt per accepted return item.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from marketdock.sandbox.otto import enums
from marketdock.sandbox.otto.http import Ctx, Pipeline
from marketdock.sandbox.otto.model import Order, PositionItem, Receipt, Shipment
from marketdock.sandbox.otto.state import OttoState
from marketdock.sandbox.otto.wire import (
    ApiError,
    amount,
    decode_cursor,
    encode_cursor,
    iso,
    parse_iso,
)

CENT = Decimal("0.01")
MAX_PAGE = 128


def price(gross: Decimal, rate: Decimal, sign: int = 1) -> dict[str, Any]:
    """OTTO's Price: gross with net and tax split out at ``rate`` percent."""
    gross = gross * sign
    net = (gross * 100 / (100 + rate)).quantize(CENT, rounding=ROUND_HALF_UP)
    return {
        "taxType": "VAT",
        "taxRate": f"{rate.normalize():f}",
        "gross": amount(gross),
        "net": amount(net),
        "tax": amount(gross - net),
    }


def _body(state: OttoState, order: Order, kind: str, items: list[PositionItem], number: str,
          now: datetime, sign: int, with_delivery: bool) -> dict[str, Any]:  # fmt: skip
    partner = state.partners[order.partner_id]
    by_sku: dict[str, list[PositionItem]] = defaultdict(list)
    for item in items:
        by_sku[item.sku].append(item)
    positions: list[dict[str, Any]] = []
    totals: defaultdict[Decimal, Decimal] = defaultdict(Decimal)
    for line, (sku, units) in enumerate(by_sku.items(), start=1):
        product = state.product(order.partner_id, sku)
        assert product is not None, f"receipt for unknown SKU {sku}"
        rate, unit = product.vat_rate, units[0]
        paid = sum((u.gross_price - u.discount for u in units), Decimal("0"))
        totals[rate] += paid
        modifications = [
            {
                "lineNumber": line,
                "priceModificationType": "PARTNER_DISCOUNT",
                "details": {"description": order.discount_name, "type": "PARTNER_DISCOUNT"},
                "priceModificationAmount": price(sum((u.discount for u in units), Decimal(0)),
                                                 rate, -sign),
            }
        ] if unit.discount else []  # fmt: skip
        positions.append({
            "lineNumber": line,
            "sku": sku,
            "articleNumber": product.article_number,
            "productTitle": product.title,
            "positionItemIds": [u.position_item_id for u in units],
            "quantity": len(units),
            "unitPrice": price(unit.gross_price, rate, sign),
            "priceToPayPerPositionItems": [
                {"positionItemIds": [u.position_item_id],
                 "priceToPay": price(u.gross_price - u.discount, rate, sign)}
                for u in units
            ],
            "positionSum": price(paid, rate, sign),
            "priceModifications": modifications,
        })  # fmt: skip
    delivery_costs = []
    if with_delivery and order.delivery_fee:
        rate = max(totals) if totals else Decimal("19")
        totals[rate] += order.delivery_fee
        delivery_costs.append({
            "lineNumber": len(positions) + 1,
            "deliveryCostType": "DELIVERY_FEE_STANDARD",
            "unitPrice": price(order.delivery_fee, rate, sign),
            "positionSum": price(order.delivery_fee, rate, sign),
            "priceModifications": [],
        })  # fmt: skip
    invoice = order.invoice_address
    return {
        "receiptType": kind,
        "isRealReceipt": True,
        "receiptNumber": number,
        "creationDate": iso(now),
        "salesOrderId": order.sales_order_id,
        "orderNumber": order.order_number,
        "orderDate": iso(order.order_date),
        "payment": {"paymentProvider": "OTTOPAYMENTS", "paymentMethod": order.payment_method},
        "partner": {
            "partnerName": partner.name,
            "street": partner.street,
            "zipCode": partner.zip_code,
            "city": partner.city,
            "countryCode": partner.country_code,
            "vatId": partner.vat_id,
            "representedBy": partner.represented_by,
        },  # fmt: skip
        "customer": {
            "invoiceAddress": {
                "firstName": invoice.first_name,
                "lastName": invoice.last_name,
                "street": invoice.street,
                "houseNumber": invoice.house_number,
                "zipCode": invoice.zip_code,
                "city": invoice.city,
                "countryCode": invoice.country_code,
            }
        },  # fmt: skip
        "lineItems": {
            "itemPositions": positions,
            "itemPartialRefundPositions": [],
            "servicePositions": [],
            "servicePartialRefundPositions": [],
            "deliveryCosts": delivery_costs,
            "deliveryFeePartialRefundPositions": [],
        },  # fmt: skip
        "totals": [price(total, rate, sign) for rate, total in sorted(totals.items())],
        "amountDue": amount(sum(totals.values(), Decimal("0")) * sign),
    }


def issue_purchase_receipts(state: OttoState, shipment: Shipment, item_ids: list[str],
                            now: datetime) -> list[Receipt]:  # fmt: skip
    """One PURCHASE receipt per order among ``item_ids`` (just shipped with ``shipment``)."""
    per_order: dict[str, list[PositionItem]] = defaultdict(list)
    for item_id in item_ids:
        item = state.items[item_id]
        per_order[item.sales_order_id].append(item)
    issued = []
    for sales_order_id, items in per_order.items():
        order = state.orders[sales_order_id]
        first = not any(
            r.sales_order_id == sales_order_id and r.receipt_type == "PURCHASE"
            for r in state.receipts.values()
        )
        number = state.new_receipt_number()
        body = _body(state, order, "PURCHASE", items, number, now, 1, first)
        body.update({
            "fulfillmentDate": iso(shipment.ship_date), "shipmentDate": iso(shipment.ship_date),
            "shipment": {"shipFromAddress": {"zipCode": shipment.ship_from["zipCode"],
                                             "countryCode": shipment.ship_from["countryCode"]}},
        })  # fmt: skip
        receipt = Receipt(number, order.partner_id, "PURCHASE", sales_order_id, now,
                          [i.position_item_id for i in items], body)  # fmt: skip
        state.receipts[number] = receipt
        issued.append(receipt)
    return issued


def issue_refund_receipt(state: OttoState, item: PositionItem, now: datetime) -> Receipt:
    """A REFUND receipt for an accepted return, linked to the item's purchase receipt."""
    order = state.orders[item.sales_order_id]
    number = state.new_receipt_number()
    body = _body(state, order, "REFUND", [item], number, now, -1, False)
    body["refundType"] = "RETURN"
    purchase = next(
        (r for r in state.receipts.values()
         if r.receipt_type == "PURCHASE" and item.position_item_id in r.position_item_ids),
        None,
    )  # fmt: skip
    if purchase is not None:
        body["linkedReceiptNumber"] = purchase.receipt_number
        body["linkedCreationDate"] = iso(purchase.created)
    receipt = Receipt(number, order.partner_id, "REFUND", order.sales_order_id, now,
                      [item.position_item_id], body)  # fmt: skip
    state.receipts[number] = receipt
    return receipt


def _receipt_filters(ctx: Ctx) -> dict[str, Any]:
    types = ctx.query_list("receiptTypes")
    unknown = sorted(set(types) - set(enums.RECEIPT_TYPES))
    if unknown:
        raise ApiError(400, "INVALID_REQUEST_PARAMETER", f"unknown receiptTypes {unknown}")
    bounds = {}
    for name in ("from", "to"):
        raw = ctx.query(name)
        if raw is not None:
            value = parse_iso(raw, name)
            if name == "to" and len(raw) == 10:  # a date: the whole day counts
                value += timedelta(days=1, microseconds=-1000)
            bounds[name] = iso(value)
    return {"types": types, "salesOrderId": ctx.query("salesOrderId"), **bounds, "after": None}


def _matches(receipt: Receipt, filters: dict[str, Any]) -> bool:
    created = iso(receipt.created)
    return (
        (not filters["types"] or receipt.receipt_type in filters["types"])
        and filters["salesOrderId"] in (None, receipt.sales_order_id)
        and created >= filters.get("from", "")
        and created <= filters.get("to", "~")
    )


def _key(receipt: Receipt) -> list[str]:
    return [iso(receipt.created), receipt.receipt_number]


def list_receipts(ctx: Ctx) -> Response:
    """Newest first; ``next`` carries the query, so with it only ``limit`` is honoured."""
    cursor = ctx.query("next")
    filters = decode_cursor(cursor, "next") if cursor else _receipt_filters(ctx)
    limit = ctx.query_int("limit", MAX_PAGE, 1, MAX_PAGE)
    mine = sorted(
        (r for r in ctx.state.receipts.values()
         if r.partner_id == ctx.partner.partner_id and _matches(r, filters)
         and (filters["after"] is None or _key(r) < filters["after"])),
        key=_key, reverse=True,
    )  # fmt: skip
    page = mine[:limit]
    links = []
    if len(mine) > limit:
        following = encode_cursor({**filters, "after": _key(page[-1])})
        links.append({"rel": "next", "href": f"/v3/receipts?next={following}&limit={limit}"})
    return JSONResponse({"resources": [r.body for r in page], "links": links})


def get_receipt(ctx: Ctx) -> Response:
    number = ctx.request.path_params["receiptNumber"]
    receipt = ctx.state.receipts.get(number)
    if receipt is None or receipt.partner_id != ctx.partner.partner_id:
        raise ApiError(404, "RESOURCE_NOT_FOUND", f"no receipt {number}")
    return JSONResponse(receipt.body)


def receipt_routes(pipe: Pipeline) -> list[Route]:
    common: dict[str, Any] = {"scope": "receipts", "style": "generic"}
    return [
        pipe.route("/v3/receipts", list_receipts, methods=["GET"], **common),
        pipe.route("/v3/receipts/{receiptNumber}", get_receipt, methods=["GET"], **common),
    ]
