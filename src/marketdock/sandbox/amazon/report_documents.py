"""The tab-separated content of the reports the simulator generates, from simulated activity.

Columns follow Amazon's published layouts. Each builder returns the data rows of a report
over its data window; an empty list means "no data" (Amazon then
ends the report CANCELLED). Activity stamped after the window is left out even when the
report is generated later, so a report's content does not depend on when it is read.

Settlement (V2 flat file): the first row is the settlement summary (id, dates, total,
currency); then one row per amount component. Shipped order lines give ``Order`` rows
(ItemPrice Principal/Tax/Shipping, ItemFees Commission, and FBAPerUnitFulfillmentFee for
Amazon-fulfilled orders), customer returns give ``Refund`` rows (negative Principal,
Commission given back). Credits are positive, fees negative. Amazon does not publish the
date format of every marketplace; the simulator writes ``YYYY-MM-DD HH:MM:SS UTC``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from marketdock.sandbox.amazon.marketplaces import BY_ID
from marketdock.sandbox.amazon.model import AmazonState, CustomerReturn, Order, Report

SETTLEMENT = "GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE_V2"
REMOVAL_ORDERS = "GET_FBA_FULFILLMENT_REMOVAL_ORDER_DETAIL_DATA"
REMOVAL_SHIPMENTS = "GET_FBA_FULFILLMENT_REMOVAL_SHIPMENT_DETAIL_DATA"
CUSTOMER_RETURNS = "GET_FBA_FULFILLMENT_CUSTOMER_RETURNS_DATA"

COLUMNS: dict[str, tuple[str, ...]] = {
    SETTLEMENT: (
        "settlement-id",
        "settlement-start-date",
        "settlement-end-date",
        "deposit-date",
        "total-amount",
        "currency",
        "transaction-type",
        "order-id",
        "merchant-order-id",
        "adjustment-id",
        "shipment-id",
        "marketplace-name",
        "amount-type",
        "amount-description",
        "amount",
        "fulfillment-id",
        "posted-date",
        "posted-date-time",
        "order-item-code",
        "merchant-order-item-id",
        "merchant-adjustment-item-id",
        "sku",
        "quantity-purchased",
    ),
    REMOVAL_ORDERS: (
        "request-date",
        "order-id",
        "order-type",
        "service-speed",
        "order-status",
        "last-updated-date",
        "sku",
        "fnsku",
        "disposition",
        "requested-quantity",
        "cancelled-quantity",
        "disposed-quantity",
        "shipped-quantity",
        "in-process-quantity",
        "removal-fee",
        "currency",
    ),
    REMOVAL_SHIPMENTS: (
        "request-date",
        "order-id",
        "shipment-date",
        "sku",
        "fnsku",
        "disposition",
        "shipped-quantity",
        "carrier",
        "tracking-number",
        "removal-order-type",
    ),
    CUSTOMER_RETURNS: (
        "return-date",
        "order-id",
        "sku",
        "asin",
        "fnsku",
        "product-name",
        "quantity",
        "fulfillment-center-id",
        "detailed-disposition",
        "reason",
        "status",
        "license-plate-number",
        "customer-comments",
    ),
}

Row = dict[str, str]
CENT = Decimal("0.01")


def fba_time(moment: datetime) -> str:
    """FBA reports write ISO 8601 with an offset, e.g. ``2026-03-02T09:00:00+00:00``."""
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def settlement_time(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def money(amount: Decimal) -> str:
    return str(amount.quantize(CENT))


def to_tsv(report_type: str, rows: list[Row]) -> bytes:
    columns = COLUMNS[report_type]
    lines = ["\t".join(columns)]
    lines.extend("\t".join(row.get(c, "") for c in columns) for row in rows)
    return ("\n".join(lines) + "\n").encode("utf-8")


def _within(report: Report, moment: datetime) -> bool:
    """Requested reports include both ends of their window; settlement periods follow one
    another, so they leave out their start (the previous period's end)."""
    if report.settlement_id:
        return report.data_start < moment <= report.data_end
    return report.data_start <= moment <= report.data_end


@dataclass
class Shipped:
    """Units of one order line that left the warehouse at one moment."""

    order: Order
    order_item_id: str
    quantity: int
    at: datetime
    shipment_id: str


def shipped_lines(order: Order) -> Iterator[Shipped]:
    """Merchant orders ship per confirmed package, posted when Amazon records the
    confirmation (the seller's shipDate may lie in the past); Amazon-fulfilled orders when
    they turn Shipped."""
    for package in order.packages:
        for item_id, quantity in package.items.items():
            yield Shipped(order, item_id, quantity, package.created, package.package_reference_id)
    if order.fulfillment_channel == "AFN" and order.status == "Shipped" and not order.packages:
        for item in order.items:
            quantity = item.quantity - item.quantity_canceled
            if quantity:
                yield Shipped(order, item.order_item_id, quantity, order.last_update, "")


def _fba_ids(state: AmazonState, seller_id: str, sku: str) -> tuple[str, str, str]:
    """(asin, fnsku, product name) of a seller SKU from the FBA stock or the listing."""
    stock = next(
        (s for s in state.fba_stock.values() if (s.seller_id, s.sku) == (seller_id, sku)), None
    )
    if stock:
        return stock.asin, stock.fnsku, stock.product_name
    listing = state.listings.get((seller_id, sku))
    if listing:
        return listing.asin, "", listing.title
    return "", "", ""


def _settlement_rows(state: AmazonState, report: Report) -> list[Row]:
    rate = Decimal(str(state.config.referral_fee_rate))
    fba_fee = Decimal(str(state.config.fba_fee_per_unit))
    market = BY_ID[report.marketplace_ids[0]]
    rows: list[Row] = []

    def line(
        kind: str, order: Order, amount_type: str, description: str, amount: Decimal, **more: str
    ) -> None:
        if amount == 0:
            return
        rows.append(
            {
                "transaction-type": kind,
                "order-id": order.order_id,
                "merchant-order-id": order.seller_order_id or "",
                "marketplace-name": market.name,
                "amount-type": amount_type,
                "amount-description": description,
                "amount": money(amount),
                "fulfillment-id": order.fulfillment_channel,
                **more,
            }
        )

    orders = [
        o
        for o in state.orders.values()
        if o.seller_id == report.seller_id and o.marketplace_id == market.marketplace_id
    ]
    for order in sorted(orders, key=lambda o: (o.purchase_date, o.order_id)):
        for shipped in shipped_lines(order):
            item = order.item(shipped.order_item_id)
            if item is None or not _within(report, shipped.at):
                continue
            principal = item.unit_price * shipped.quantity
            share = Decimal(shipped.quantity) / Decimal(item.quantity)
            common = {
                "shipment-id": shipped.shipment_id,
                "posted-date": shipped.at.astimezone(UTC).strftime("%Y-%m-%d"),
                "posted-date-time": settlement_time(shipped.at),
                "order-item-code": item.order_item_id,
                "sku": item.sku,
                "quantity-purchased": str(shipped.quantity),
            }
            line("Order", order, "ItemPrice", "Principal", principal, **common)
            line("Order", order, "ItemPrice", "Tax", item.unit_tax * shipped.quantity, **common)
            shipping = (item.shipping_price * share).quantize(CENT)
            line("Order", order, "ItemPrice", "Shipping", shipping, **common)
            commission = -(principal * rate).quantize(CENT)
            line("Order", order, "ItemFees", "Commission", commission, **common)
            if order.fulfillment_channel == "AFN":
                fee = -fba_fee * shipped.quantity
                line("Order", order, "ItemFees", "FBAPerUnitFulfillmentFee", fee, **common)
    for number, ret in enumerate(_returns(state, report), start=1):
        order = state.orders[ret.order_id]
        item = next(i for i in order.items if i.sku == ret.sku)
        common = {
            "adjustment-id": f"{order.order_id.replace('-', '')[-8:]}{number:04d}",
            "posted-date": ret.returned.astimezone(UTC).strftime("%Y-%m-%d"),
            "posted-date-time": settlement_time(ret.returned),
            "order-item-code": item.order_item_id,
            "sku": ret.sku,
            "quantity-purchased": str(ret.quantity),
        }
        line("Refund", order, "ItemPrice", "Principal", -ret.refund, **common)
        line(
            "Refund", order, "ItemFees", "Commission", (ret.refund * rate).quantize(CENT), **common
        )
    total = sum((Decimal(r["amount"]) for r in rows), Decimal("0"))
    summary = {
        "settlement-id": report.settlement_id or "",
        "settlement-start-date": settlement_time(report.data_start),
        "settlement-end-date": settlement_time(report.data_end),
        "deposit-date": settlement_time(report.data_end + timedelta(days=1)),
        "total-amount": money(total),
        "currency": market.currency,
    }
    for row in rows:
        row["settlement-id"] = summary["settlement-id"]
    return [summary, *rows]


def _returns(state: AmazonState, report: Report) -> list[CustomerReturn]:
    markets = set(report.marketplace_ids)
    return [
        r
        for r in state.customer_returns
        if r.seller_id == report.seller_id
        and state.orders[r.order_id].marketplace_id in markets
        and _within(report, r.returned)
    ]


def _customer_return_rows(state: AmazonState, report: Report) -> list[Row]:
    rows = []
    for ret in _returns(state, report):
        if state.orders[ret.order_id].fulfillment_channel != "AFN":
            continue
        asin, fnsku, name = _fba_ids(state, ret.seller_id, ret.sku)
        order_item = next(i for i in state.orders[ret.order_id].items if i.sku == ret.sku)
        rows.append(
            {
                "return-date": fba_time(ret.returned),
                "order-id": ret.order_id,
                "sku": ret.sku,
                "asin": asin or order_item.asin,
                "fnsku": fnsku,
                "product-name": name or order_item.title,
                "quantity": str(ret.quantity),
                "fulfillment-center-id": ret.fulfillment_center_id,
                "detailed-disposition": ret.disposition,
                "reason": ret.reason,
                "status": ret.status,
                "license-plate-number": ret.license_plate_number,
                "customer-comments": ret.customer_comments,
            }
        )
    return rows


def _removal_order_rows(state: AmazonState, report: Report) -> list[Row]:
    rows = []
    for order in sorted(state.removal_orders.values(), key=lambda o: (o.requested, o.order_id)):
        if order.seller_id != report.seller_id or not _within(report, order.updated):
            continue
        for line in order.lines:
            shipped = order.shipped(line.sku)
            in_process = max(line.requested - line.cancelled - line.disposed - shipped, 0)
            fee = order.fee_per_unit * (shipped + line.disposed)
            rows.append(
                {
                    "request-date": fba_time(order.requested),
                    "order-id": order.order_id,
                    "order-type": order.order_type,
                    "service-speed": order.service_speed,
                    "order-status": order.status,
                    "last-updated-date": fba_time(order.updated),
                    "sku": line.sku,
                    "fnsku": line.fnsku,
                    "disposition": line.disposition,
                    "requested-quantity": str(line.requested),
                    "cancelled-quantity": str(line.cancelled),
                    "disposed-quantity": str(line.disposed),
                    "shipped-quantity": str(shipped),
                    "in-process-quantity": str(in_process),
                    "removal-fee": money(fee),
                    "currency": order.currency,
                }
            )
    return rows


def _removal_shipment_rows(state: AmazonState, report: Report) -> list[Row]:
    rows = []
    for order in sorted(state.removal_orders.values(), key=lambda o: (o.requested, o.order_id)):
        if order.seller_id != report.seller_id:
            continue
        lines = {line.sku: line for line in order.lines}
        for shipment in order.shipments:
            if not _within(report, shipment.shipped):
                continue
            for sku, quantity in shipment.items.items():
                rows.append(
                    {
                        "request-date": fba_time(order.requested),
                        "order-id": order.order_id,
                        "shipment-date": fba_time(shipment.shipped),
                        "sku": sku,
                        "fnsku": lines[sku].fnsku,
                        "disposition": lines[sku].disposition,
                        "shipped-quantity": str(quantity),
                        "carrier": shipment.carrier,
                        "tracking-number": shipment.tracking_number,
                        "removal-order-type": order.order_type,
                    }
                )
    return rows


BUILDERS: dict[str, Callable[[AmazonState, Report], list[Row]]] = {
    SETTLEMENT: _settlement_rows,
    REMOVAL_ORDERS: _removal_order_rows,
    REMOVAL_SHIPMENTS: _removal_shipment_rows,
    CUSTOMER_RETURNS: _customer_return_rows,
}


def build(state: AmazonState, report: Report) -> bytes | None:
    """The report document, or None when the window holds no data."""
    rows = BUILDERS[report.report_type](state, report)
    return to_tsv(report.report_type, rows) if rows else None
