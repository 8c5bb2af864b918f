"""Pure mapping between the ports' warehouse types and the warehouse CSV layouts."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, tzinfo

import pydantic

from marketdock.connectors import csvfiles
from marketdock.connectors.filewarehouse.exchange import (
    Notice,
    ReceiptNotice,
    StockFile,
    shipment_key,
)
from marketdock.connectors.ports import (
    InboundNotice,
    Receipt,
    ShippedPackage,
    ShortPick,
    WarehouseOrder,
)
from marketdock.domain import StockPosition
from marketdock.errors import ParseError, ValidationError

UNIT = "EA"


def order_rows(order: WarehouseOrder, message_id: str,
               sent_at: datetime) -> list[csvfiles.OrderLine]:
    """The rows of an order: one per line, the header fields repeated.

    ``WarehouseOrder`` carries neither the order date nor the channel's own order
    number, so ``order_date`` is when the hub sends the order and ``channel_order_ref``
    the hub's reference.
    """
    address = order.ship_to
    street = " ".join(p for p in (address.street, address.house_number) if p)
    try:
        return [csvfiles.OrderLine(
            message_id=message_id, order_id=order.reference, order_line_id=line.line_ref,
            channel=order.channel or "marketdock", channel_order_ref=order.reference,
            order_date=sent_at,
            requested_ship_date=order.ship_by.date() if order.ship_by else None,
            ship_method=order.shipping_method, ship_to_name=address.name or address.company,
            ship_to_company=address.company if address.name else None,
            ship_to_street1=street,
            ship_to_street2=" ".join(p for p in (address.line2, address.line3) if p) or None,
            ship_to_postcode=address.postal_code, ship_to_city=address.city,
            ship_to_country=address.country_code, ship_to_email=address.email,
            ship_to_phone=address.phone, sku=line.sku, qty=line.quantity, uom=UNIT,
            gift_note=order.gift_message or None) for line in order.lines]
    except pydantic.ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}"
                             for e in exc.errors())
        raise ValidationError(f"order {order.reference} cannot be written as CSV: "
                              f"{problems}", reference=order.reference) from None


def asn_rows(notice: InboundNotice, message_id: str, zone: tzinfo) -> list[csvfiles.AsnLine]:
    """The rows of an inbound notice: one per SKU (the layout keys rows by ASN, SSCC, SKU
    and lot; a notice has no SSCC or lot), the header fields repeated. The supplier
    travels as ``supplier_ref``; ``expected_arrival`` (a day, in the warehouse's time) is
    required by the layout."""
    if notice.expected_at is None:
        raise ValidationError(f"inbound notice {notice.reference}: the CSV ASN layout needs "
                              "an expected arrival date", reference=notice.reference)
    units: dict[str, int] = {}
    for line in notice.lines:
        units[line.sku] = units.get(line.sku, 0) + line.quantity
    if not units:
        raise ValidationError(f"inbound notice {notice.reference} has no lines",
                              reference=notice.reference)
    try:
        return [csvfiles.AsnLine(
            message_id=message_id, asn_id=notice.reference, supplier_ref=notice.supplier,
            expected_arrival=notice.expected_at.astimezone(zone).date(),
            carrier=notice.carrier, tracking_or_pro=notice.tracking_number, sku=sku,
            qty_expected=quantity, uom=UNIT) for sku, quantity in units.items()]
    except pydantic.ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}"
                             for e in exc.errors())
        raise ValidationError(f"inbound notice {notice.reference} cannot be written as CSV: "
                              f"{problems}", reference=notice.reference) from None


def shipment_notices(rows: Sequence[csvfiles.ShipmentLine]) -> list[Notice]:
    """One notice per (order, warehouse shipment): a package per package id (or tracking
    number) with the units shipped per order line, and the short units per line."""
    grouped: dict[tuple[str, str], list[csvfiles.ShipmentLine]] = {}
    for row in rows:
        grouped.setdefault((row.order_id, row.warehouse_shipment_id), []).append(row)
    notices = []
    for (order_id, shipment_id), lines in grouped.items():
        parcels: dict[str, list[csvfiles.ShipmentLine]] = {}
        for row in lines:
            if row.qty_shipped > 0:
                parcels.setdefault(row.package_id or row.tracking_number or "", []).append(row)
        packages = []
        for parcel, parts in parcels.items():
            first = parts[0]
            quantities: dict[str, int] = {}
            for part in parts:
                quantities[part.order_line_id] = quantities.get(part.order_line_id, 0) + \
                    int(part.qty_shipped)
            packages.append(ShippedPackage(
                order_reference=order_id, package_ref=f"{shipment_id}:{parcel}",
                carrier=first.carrier or "", service=first.carrier_service,
                tracking_number=first.tracking_number, line_quantities=quantities,
                shipped_at=max(part.shipped_at for part in parts)))
        short: dict[str, int] = {}
        skus: dict[str, str] = {}
        for row in lines:
            short[row.order_line_id] = short.get(row.order_line_id, 0) + int(row.qty_short)
            skus.setdefault(row.order_line_id, row.sku)
        notices.append(Notice(
            key=shipment_key("shipment", order_id, shipment_id), packages=tuple(packages),
            short_picks=tuple(ShortPick(order_reference=order_id, line_ref=line_ref,
                                        sku=skus[line_ref], missing=missing)
                              for line_ref, missing in short.items() if missing > 0)))
    return notices


def receipt_notices(rows: Sequence[csvfiles.ReceiptLine]) -> list[ReceiptNotice]:
    """One receipt per (ASN, warehouse receipt): good and damaged units per SKU."""
    grouped: dict[tuple[str, str], list[csvfiles.ReceiptLine]] = {}
    for row in rows:
        grouped.setdefault((row.asn_id, row.receipt_id), []).append(row)
    notices = []
    for (asn_id, receipt_id), lines in grouped.items():
        received: dict[str, int] = {}
        damaged: dict[str, int] = {}
        for row in lines:
            received[row.sku] = received.get(row.sku, 0) + row.qty_received
            if row.qty_damaged:
                damaged[row.sku] = damaged.get(row.sku, 0) + row.qty_damaged
        notices.append(ReceiptNotice(
            key=f"receipt:{asn_id}:{receipt_id}",
            receipt=Receipt(inbound_reference=asn_id, received=received, damaged=damaged,
                            receipt_id=receipt_id,
                            received_at=max(row.received_at for row in lines))))
    return notices


def inventory_snapshot(parsed: csvfiles.CsvFile, *, tenant_id: str,
                       warehouse_id: str) -> StockFile:
    """The snapshot of an inventory file; the lots of a SKU are summed."""
    rows = [r for r in parsed.records if isinstance(r, csvfiles.InventoryPosition)]
    if not rows:
        raise ParseError(f"{parsed.file_name}: an inventory file without rows")
    first = rows[0]
    totals: dict[str, list[int]] = {}
    for row in rows:
        total = totals.setdefault(row.sku, [0, 0, 0, 0])
        for index, value in enumerate((row.on_hand, row.allocated, row.available, row.blocked)):
            total[index] += int(value)
    positions = tuple(StockPosition(tenant_id=tenant_id, warehouse_id=warehouse_id, sku=sku,
                                    on_hand=t[0], allocated=t[1], available=t[2], blocked=t[3],
                                    as_of=first.snapshot_at)
                      for sku, t in sorted(totals.items()))
    return StockFile(key=f"inventory:{first.snapshot_id}", as_of=first.snapshot_at,
                     full=parsed.layout is csvfiles.INVENTORY_FULL, positions=positions)
