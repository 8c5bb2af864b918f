"""The documents of the file warehouse, as pure functions over floor records.

Inbound, a document becomes the floor's order requests and inbound notices; outbound,
the floor's orders, receipts and stock become documents, in X12 (940 and 943 in; 945, 944,
846 and 997 out) or in the warehouse CSV layouts (orders, ASNs and cancellations in;
shipment confirmations, receipts and stock snapshots out). The conventions
follow the shared samples: the SKU is the ``VN`` product id, the hub's line reference an
``LI`` reference, the ship-to an ``ST`` party, a parcel's tracking number a ``CP`` mark.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, time
from decimal import Decimal

from marketdock.connectors import csvfiles
from marketdock.connectors.x12 import (
    InventoryAdvice846,
    ShippingAdvice945,
    parse_interchange,
)
from marketdock.connectors.x12.sets.common import Carrier, Party, ProductId, Reference
from marketdock.connectors.x12.sets.w06 import ShipmentIdentification
from marketdock.connectors.x12.sets.w846 import InventoryItem846, Quantity
from marketdock.connectors.x12.sets.w940 import CANCEL, ShippingOrder940, decode_940
from marketdock.connectors.x12.sets.w943 import StockTransferShipment943, decode_943
from marketdock.connectors.x12.sets.w944 import (
    ReceiptException,
    ReceivedLine944,
    StockTransferReceipt944,
)
from marketdock.connectors.x12.sets.w945 import Mark, PackageLoop945, ShippedItem945
from marketdock.connectors.x12.sets.w997 import FunctionalAck997, acknowledge_group
from marketdock.sandbox.warehouse import Address, LineRequest, Order, StockLevel
from marketdock.sandbox.warehouse.model import Inbound


@dataclass(frozen=True)
class OrderRequest:
    """An order as the floor receives it."""

    reference: str
    lines: tuple[LineRequest, ...]
    ship_to: Address | None
    shipping_method: str = "Standard"


@dataclass(frozen=True)
class InboundRequest:
    """An inbound notice (ASN) as the floor receives it."""

    reference: str
    lines: Mapping[str, int]
    expected_at: datetime | None = None
    po_number: str = ""


@dataclass(frozen=True)
class X12Documents:
    """What an interchange asks of the warehouse, and the 997 for each of its groups."""

    orders: list[OrderRequest]
    inbounds: list[InboundRequest]
    acks: list[FunctionalAck997]
    cancels: list[str] = field(default_factory=list)
    """References of orders a 940 with W05-01 ``F`` asks to cancel."""


# ------------------------------------------------------------------- X12


def documents_from_x12(data: bytes) -> X12Documents:
    """The 940s and 943s of an interchange, and the 997 for each of its groups.

    A set the element rules reject is acknowledged as rejected and not returned; the
    others go to the floor. A broken envelope raises the codec's ParseError.
    """
    interchange = parse_interchange(data)
    found = X12Documents([], [], [])
    for group in interchange.groups:
        ack = acknowledge_group(group)
        found.acks.append(ack)
        rejected = {a.control_number for a in ack.transactions if a.status != "A"}
        for ts in group.transactions:
            if ts.control_number in rejected:
                continue
            if ts.code == "940":
                order = decode_940(ts)
                if order.status == CANCEL:
                    found.cancels.append(order.depositor_order_number)
                else:
                    found.orders.append(_request_940(order))
            elif ts.code == "943":
                found.inbounds.append(_request_943(decode_943(ts)))
    return found


def _request_943(advice: StockTransferShipment943) -> InboundRequest:
    lines: dict[str, int] = {}
    for line in advice.lines:
        sku = next((p.value for p in line.product_ids if p.qualifier == "VN"), None) or \
            (line.product_ids[0].value if line.product_ids else "")
        lines[sku] = lines.get(sku, 0) + int(line.quantity)
    arrival = next((d.date for d in advice.dates if d.qualifier == "17" and d.date), None)
    expected_at = None if arrival is None else datetime.combine(arrival, time(0), UTC)
    return InboundRequest(advice.shipment.depositor_order_number or "", lines, expected_at,
                          advice.shipment.purchase_order_number or "")


def receipt_944(inbound: Inbound) -> StockTransferReceipt944:
    """The receipt advice of a received inbound notice: good units per SKU as W07-01,
    damaged ones as a W13 with condition ``01``."""
    assert inbound.received_at is not None
    return StockTransferReceipt944(
        date=inbound.received_at.date(), warehouse_receipt_number=f"RCV-{inbound.inbound_id}",
        depositor_order_number=inbound.reference,
        lines=[ReceivedLine944(
            quantity=Decimal(line.received), unit="EA",
            product_ids=[ProductId(qualifier="VN", value=line.sku)],
            exceptions=[ReceiptException(quantity=Decimal(line.damaged), unit="EA",
                                         condition="01")] if line.damaged else [])
            for line in inbound.receipt],
        total_received=Decimal(sum(line.received for line in inbound.receipt)))


def _request_940(order: ShippingOrder940) -> OrderRequest:
    lines = []
    for line in order.lines:
        sku = next((p.value for p in line.product_ids if p.qualifier == "VN"), None) or \
            (line.product_ids[0].value if line.product_ids else "")
        line_id = next((r.value for r in line.references if r.qualifier == "LI" and r.value),
                       str(line.assigned_number))
        lines.append(LineRequest(sku=sku, quantity=int(line.quantity), line_id=line_id,
                                 name=line.description or ""))
    ship_to = next((p for p in order.parties if p.entity == "ST"), None)
    address = None if ship_to is None else Address(
        name=ship_to.name or "", street1=" ".join(ship_to.address_lines),
        city=ship_to.city or "", country=ship_to.country or "", postcode=ship_to.postal_code or "")
    method = order.instructions.routing if order.instructions and \
        order.instructions.routing else "Standard"
    return OrderRequest(order.depositor_order_number, tuple(lines), address, method)


def advice_945(order: Order, shipped_on: datetime) -> ShippingAdvice945:
    """The shipping advice of a finished order: its parcels, and every short line."""
    packages = []
    ordered = {line.line_id: line for line in order.lines}
    shipped_per_line: dict[str, int] = {}
    for number, parcel in enumerate(order.parcels, start=1):
        items = []
        for part in parcel.lines:
            shipped_per_line[part.line_id] = shipped_per_line.get(part.line_id, 0) + part.quantity
            items.append(_item(part.line_id, part.sku, ordered[part.line_id].quantity,
                               part.quantity))
        packages.append(PackageLoop945(
            assigned_number=str(number),
            marks=[Mark(qualifier="CP", number=tracking)
                   for tracking in (parcel.tracking_number, *parcel.more_tracking_numbers)],
            items=items))
    short = [_item(line.line_id, line.sku, line.quantity, 0) for line in order.lines
             if line.line_id not in shipped_per_line]
    if short:
        packages.append(PackageLoop945(assigned_number=str(len(packages) + 1), items=short))
    carrier = order.parcels[0].carrier if order.parcels else None
    return ShippingAdvice945(
        shipment=ShipmentIdentification(depositor_order_number=order.reference,
                                        date=shipped_on.date(),
                                        shipment_id=f"SHP-{order.order_id}"),
        carrier=Carrier(transport_method="U", scac=carrier.scac, routing=carrier.service)
        if carrier else None,
        packages=packages)


def _item(line_id: str, sku: str, ordered: int, shipped: int) -> ShippedItem945:
    return ShippedItem945(
        status="CC" if shipped >= ordered else "CP", quantity_ordered=Decimal(ordered),
        quantity_shipped=Decimal(shipped), quantity_difference=Decimal(ordered - shipped),
        unit="EA", product_id=ProductId(qualifier="VN", value=sku),
        references=[Reference(qualifier="LI", value=line_id)])


def inventory_846(levels: Sequence[StockLevel], at: datetime) -> InventoryAdvice846:
    return InventoryAdvice846(
        report_type="SI", reference_id=f"INV-{at:%Y%m%d%H%M%S}", date=at.date(),
        time=f"{at:%H%M}", parties=[Party(entity="WH", name="marketdock sandbox warehouse")],
        items=[InventoryItem846(assigned_id=str(n), product_ids=[
            ProductId(qualifier="VN", value=level.sku)], quantities=[
            Quantity(qualifier="17", quantity=Decimal(level.on_hand), unit="EA"),
            Quantity(qualifier="33", quantity=Decimal(level.available), unit="EA")])
            for n, level in enumerate(levels, start=1)],
        line_count=len(levels))


# ------------------------------------------------------------------- CSV


def orders_from_csv(name: str, data: bytes) -> list[OrderRequest]:
    """The orders of an orders file; a broken file raises the codec's CsvFileError and
    nothing of it is applied."""
    parsed = csvfiles.read_csv(data, name, layout=csvfiles.ORDERS, strict=True)
    grouped: dict[str, list[csvfiles.OrderLine]] = {}
    for record in parsed.records:
        assert isinstance(record, csvfiles.OrderLine)
        grouped.setdefault(record.order_id, []).append(record)
    requests = []
    for reference, rows in grouped.items():
        first = rows[0]
        requests.append(OrderRequest(
            reference,
            tuple(LineRequest(sku=row.sku, quantity=int(row.qty), line_id=row.order_line_id,
                              name=row.description or "") for row in rows),
            Address(name=first.ship_to_name, street1=first.ship_to_street1,
                    street2=first.ship_to_street2 or "", city=first.ship_to_city,
                    country=first.ship_to_country, postcode=first.ship_to_postcode,
                    company=first.ship_to_company or ""),
            first.ship_method))
    return requests


def cancels_from_csv(name: str, data: bytes) -> list[str]:
    """The order references a cancellations file names."""
    parsed = csvfiles.read_csv(data, name, layout=csvfiles.CANCELLATIONS, strict=True)
    return [row.order_id for row in parsed.records
            if isinstance(row, csvfiles.OrderCancellation)]


def inbounds_from_csv(name: str, data: bytes) -> list[InboundRequest]:
    """The notices of an ASN file; a broken file raises the codec's CsvFileError and
    nothing of it is applied."""
    parsed = csvfiles.read_csv(data, name, layout=csvfiles.ASN, strict=True)
    grouped: dict[str, list[csvfiles.AsnLine]] = {}
    for record in parsed.records:
        assert isinstance(record, csvfiles.AsnLine)
        grouped.setdefault(record.asn_id, []).append(record)
    requests = []
    for reference, rows in grouped.items():
        lines: dict[str, int] = {}
        for row in rows:
            lines[row.sku] = lines.get(row.sku, 0) + int(row.qty_expected)
        first = rows[0]
        requests.append(InboundRequest(
            reference, lines, datetime.combine(first.expected_arrival, time(0), UTC),
            first.po_number or ""))
    return requests


def shipments_csv(order: Order, message_id: str) -> list[csvfiles.ShipmentLine]:
    """One row per parcel line with what shipped in it, and one row per line with the
    units that did not ship (``qty_short``)."""
    rows = []
    shipped: dict[str, int] = {}
    ordered = {line.line_id: line for line in order.lines}
    for parcel in order.parcels:
        for part in parcel.lines:
            shipped[part.line_id] = shipped.get(part.line_id, 0) + part.quantity
            rows.append(csvfiles.ShipmentLine(
                message_id=message_id, warehouse_shipment_id=str(parcel.parcel_id),
                order_id=order.reference, order_line_id=part.line_id, sku=part.sku,
                qty_ordered=Decimal(ordered[part.line_id].quantity),
                qty_shipped=Decimal(part.quantity), qty_short=Decimal(0),
                package_id=str(parcel.parcel_id), carrier=parcel.carrier.code,
                carrier_service=parcel.carrier.service, tracking_number=parcel.tracking_number,
                tracking_url=parcel.carrier.tracking_url.format(tracking=parcel.tracking_number),
                shipped_at=parcel.shipped_at or parcel.packed_at))
    for line in order.lines:
        missing = line.quantity - shipped.get(line.line_id, 0)
        if missing > 0:
            rows.append(csvfiles.ShipmentLine(
                message_id=message_id, warehouse_shipment_id=f"short-{order.order_id}",
                order_id=order.reference, order_line_id=line.line_id, sku=line.sku,
                qty_ordered=Decimal(line.quantity), qty_shipped=Decimal(0),
                qty_short=Decimal(missing), short_reason="not found at pick",
                shipped_at=order.updated_at))
    return rows


def receipts_csv(inbound: Inbound, message_id: str) -> list[csvfiles.ReceiptLine]:
    """The receipt of a received inbound notice: a row per SKU with good and damaged
    units."""
    assert inbound.received_at is not None
    return [csvfiles.ReceiptLine(message_id=message_id, asn_id=inbound.reference,
                                 receipt_id=f"RCV-{inbound.inbound_id}", sku=line.sku,
                                 qty_received=line.received, qty_damaged=line.damaged,
                                 received_at=inbound.received_at)
            for line in inbound.receipt]


def inventory_csv(levels: Sequence[StockLevel], at: datetime,
                  warehouse_id: str) -> list[csvfiles.InventoryPosition]:
    snapshot = f"snap-{at:%Y%m%d%H%M%S}"
    return [csvfiles.InventoryPosition(
        snapshot_id=snapshot, snapshot_at=at, warehouse_id=warehouse_id, sku=level.sku,
        on_hand=Decimal(level.on_hand), allocated=Decimal(level.allocated),
        available=Decimal(level.available), blocked=Decimal(level.blocked))
        for level in levels]
