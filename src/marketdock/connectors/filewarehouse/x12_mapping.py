"""Pure mapping between the ports' warehouse types and X12 warehouse sets.

Conventions (those of the shared samples and the sandbox warehouse): the SKU travels as
the ``VN`` product id, the hub's line reference as an ``N9*LI`` reference on the line
(and comes back on each W12 of the 945), the ship-to as an ``ST`` party, the shipping
method as W66-05 routing text, a parcel's tracking number as a ``MAN*CP`` mark.

Inbound: a 943 carries the notice's reference as W06-02 (depositor order number), the
supplier as the ``SF`` party, the expected arrival day (warehouse time) as ``G62*17``, a
tracking number as ``N9*2I``, the carrier in the mandatory W27: as SCAC when it reads like
one (two to four capital letters), else SCAC ``ZZZZ`` (mutually defined) with the
carrier's name as W27-03.
The 944 answers it with W17-04 = that reference; W07-01 counts the good units received,
a ``W13`` with condition ``01`` the damaged ones besides.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, time
from decimal import Decimal
from hashlib import sha256
from zoneinfo import ZoneInfo

import pydantic

from marketdock.connectors.filewarehouse.exchange import (
    Notice,
    ReceiptNotice,
    StockFile,
    shipment_key,
    whole_units,
)
from marketdock.connectors.ports import (
    InboundNotice,
    Receipt,
    ShippedPackage,
    ShippedParcel,
    ShortPick,
    WarehouseOrder,
)
from marketdock.connectors.x12 import (
    Carrier,
    Delimiters,
    ElementNote,
    FunctionalAck997,
    InventoryAdvice846,
    Note,
    OrderLine940,
    Party,
    ProductId,
    Reference,
    Segment,
    SegmentNote,
    ShippedItem945,
    ShippingAdvice945,
    ShippingInstructions,
    ShippingOrder940,
    StockTransferReceipt944,
    StockTransferShipment943,
    Totals,
    TransactionAck,
    TransferLine943,
    X12ParseError,
    clean_text,
)
from marketdock.connectors.x12.sets.common import DateRef
from marketdock.connectors.x12.sets.w06 import ShipmentIdentification
from marketdock.connectors.x12.sets.w940 import CANCEL
from marketdock.domain import Address, StockPosition
from marketdock.errors import ParseError, ValidationError

SKU_QUALIFIERS = ("VN", "SK")
BACKORDER_FOLLOWS = "BP"
"""W12-01: shipped in part, the rest follows in a later 945 (so it is not short)."""


def order_940(order: WarehouseOrder, delimiters: Delimiters) -> ShippingOrder940:
    def text(value: str | None) -> str | None:
        cleaned = clean_text(value or "", delimiters)
        return cleaned or None

    return ShippingOrder940(
        depositor_order_number=order.reference,
        parties=[_ship_to(order.ship_to, text)],
        dates=[DateRef(qualifier="10", date=order.ship_by.date())] if order.ship_by else [],
        notes=[Note(code="GFT", text=gift)] if (gift := text(order.gift_message)) else [],
        instructions=ShippingInstructions(payment="PP", transport_method="U",
                                          routing=text(order.shipping_method)),
        lines=[OrderLine940(assigned_number=number, quantity=Decimal(line.quantity), unit="EA",
                            product_ids=[ProductId(qualifier="VN", value=line.sku)],
                            references=[Reference(qualifier="LI", value=line.line_ref)])
               for number, line in enumerate(order.lines, start=1)])


def cancel_940(reference: str) -> ShippingOrder940:
    """The 940 that cancels order ``reference`` (W05-01 ``F``), as the shared samples do."""
    return ShippingOrder940(status=CANCEL, depositor_order_number=reference,
                            notes=[Note(code="SPH", text="CANCELLED - DO NOT SHIP")])


def _ship_to(address: Address, text: Callable[[str | None], str | None]) -> Party:
    street = " ".join(p for p in (address.street, address.house_number) if p)
    lines = [line for line in (text(street), text(address.line2), text(address.line3)) if line]
    return Party(entity="ST", name=text(address.name) or text(address.company),
                 extra_names=[company] if address.name and (company := text(address.company))
                 else [], address_lines=lines, city=text(address.city),
                 state=text(address.region), postal_code=text(address.postal_code),
                 country=address.country_code)


# ------------------------------------------------------------------ 945


def notice_945(advice: ShippingAdvice945, zone: ZoneInfo, where: str) -> Notice:
    """The packages and short picks one shipping advice reports.

    A package per tracking number (items without one form one package); the units of a
    line split over packages are summed per package. Short units per line: the ordered
    quantity less everything shipped of the line in this advice, unless a W12 of the
    line says the rest follows (``BP``).
    """
    shipment = advice.shipment
    reference = shipment.depositor_order_number
    if not reference:
        raise ParseError(f"{where}: W06-02 (depositor order number) is missing")
    shipped_on = shipment.date or next(
        (d.date for d in advice.dates if d.qualifier == "11" and d.date), None)
    if shipped_on is None:
        raise ParseError(f"{where}: order {reference}: no ship date (W06-03 or G62*11)")
    shipped_at = datetime.combine(shipped_on, time(0), zone)
    shipment_id = shipment.shipment_id or _digest(advice)
    carrier = advice.carrier
    packages = []
    for number, parcel in enumerate(advice.parcels(), start=1):
        quantities = _quantities(parcel.items, reference, where)
        if not any(quantities.values()):
            continue
        item_carrier = next((i.carrier for i in parcel.items if i.carrier), None) or carrier
        packages.append(ShippedPackage(
            order_reference=reference,
            package_ref=f"{shipment_id}:{parcel.tracking_number or number}",
            carrier=item_carrier.scac if item_carrier else "",
            service=item_carrier.routing if item_carrier else None,
            tracking_number=parcel.tracking_number,
            line_quantities={ref: n for ref, n in quantities.items() if n},
            shipped_at=shipped_at,
            more_parcels=tuple(ShippedParcel(n) for n in parcel.more_tracking_numbers)))
    return Notice(key=shipment_key("945", reference, shipment_id), packages=tuple(packages),
                  short_picks=tuple(_short_picks(advice.items(), reference, where)))


def _line_ref(item: ShippedItem945, reference: str, where: str) -> str:
    line_ref = item.line_reference
    if not line_ref:
        raise ParseError(f"{where}: order {reference}: a W12 without N9*LI line reference")
    return line_ref


def _quantities(items: Sequence[ShippedItem945], reference: str, where: str) -> dict[str, int]:
    out: dict[str, int] = {}
    for item in items:
        line_ref = _line_ref(item, reference, where)
        out[line_ref] = out.get(line_ref, 0) + whole_units(item.quantity_shipped, "W12-03", where)
    return out


def _short_picks(items: Sequence[ShippedItem945], reference: str,
                 where: str) -> list[ShortPick]:
    ordered: dict[str, int] = {}
    shipped: dict[str, int] = {}
    difference: dict[str, int] = {}
    skus: dict[str, str] = {}
    backordered = {_line_ref(item, reference, where) for item in items
                   if item.status == BACKORDER_FOLLOWS}
    for item in items:
        line_ref = _line_ref(item, reference, where)
        if item.quantity_ordered is not None:
            ordered[line_ref] = max(ordered.get(line_ref, 0),
                                    whole_units(item.quantity_ordered, "W12-02", where))
        shipped[line_ref] = shipped.get(line_ref, 0) + whole_units(item.quantity_shipped, "W12-03",
                                                              where)
        difference[line_ref] = difference.get(line_ref, 0) + whole_units(
            item.quantity_difference, "W12-04", where)
        if item.product_id is not None:
            skus.setdefault(line_ref, item.product_id.value)
    picks = []
    for line_ref in shipped:
        if line_ref in backordered:
            continue
        missing = (ordered[line_ref] - shipped[line_ref] if line_ref in ordered
                   else difference[line_ref])
        if missing > 0:
            picks.append(ShortPick(order_reference=reference, line_ref=line_ref,
                                   sku=skus.get(line_ref, ""), missing=missing))
    return picks


def _digest(advice: ShippingAdvice945) -> str:
    """A stand-in shipment id for an advice without W06-04: the same content, the same id."""
    return "h" + sha256(advice.model_dump_json().encode()).hexdigest()[:16]


# ------------------------------------------------------------------ 846


def stock_846(advice: InventoryAdvice846, *, tenant_id: str, warehouse_id: str,
              zone: ZoneInfo, delta_report_type: str | None, where: str) -> StockFile:
    """A stock snapshot from an inventory advice: ``QTY*17`` on hand, ``QTY*33``
    available (on hand when absent); a delta when BIA02 is ``delta_report_type``."""
    as_of = datetime.combine(advice.date, _hhmm(advice.time, where), zone)
    positions = []
    for number, item in enumerate(advice.items, start=1):
        here = f"{where}, LIN {item.assigned_id or number}"
        sku = item.product_id(*SKU_QUALIFIERS) or \
            (item.product_ids[0].value if item.product_ids else None)
        if not sku or item.on_hand is None:
            raise ParseError(f"{here}: needs a product id and QTY*17 (on hand)")
        on_hand = whole_units(item.on_hand, "QTY*17", here)
        available = whole_units(item.available, "QTY*33", here) if item.available is not None \
            else on_hand
        try:
            positions.append(StockPosition(tenant_id=tenant_id, warehouse_id=warehouse_id,
                                           sku=sku, on_hand=on_hand, available=available,
                                           as_of=as_of))
        except pydantic.ValidationError as exc:
            raise ParseError(f"{here}: {exc.errors()[0]['msg']}") from None
    if advice.line_count is not None and advice.line_count != len(advice.items):
        raise ParseError(f"{where}: CTT-01 says {advice.line_count} items, "
                         f"the advice holds {len(advice.items)}")
    return StockFile(key=f"846:{advice.reference_id}", as_of=as_of,
                     full=advice.report_type != delta_report_type, positions=tuple(positions))


def _hhmm(value: str | None, where: str) -> time:
    if not value:
        return time(0)
    if len(value) < 4 or not value[:4].isdigit() or int(value[:2]) > 23 or int(value[2:4]) > 59:
        raise ParseError(f"{where}: BIA05 time {value!r} is not HHMM")
    return time(int(value[:2]), int(value[2:4]))


# ------------------------------------------------------------------ 943 / 944

UNKNOWN_SCAC = "ZZZZ"
DAMAGED = "01"
"""W13-03 receiving condition: units received damaged."""


def advice_943(notice: InboundNotice, delimiters: Delimiters, zone: ZoneInfo) -> \
        StockTransferShipment943:
    def text(value: str | None) -> str | None:
        cleaned = clean_text(value or "", delimiters)
        return cleaned or None

    if not notice.lines:
        raise ValidationError(f"inbound notice {notice.reference} has no lines")
    for line in notice.lines:
        if line.quantity < 1:
            raise ValidationError(f"inbound notice {notice.reference}: SKU {line.sku} "
                                  f"quantity {line.quantity} must be at least 1")
    carrier = text(notice.carrier)
    dates = [] if notice.expected_at is None else [
        DateRef(qualifier="17", date=notice.expected_at.astimezone(zone).date())]
    tracking = text(notice.tracking_number)
    supplier = text(notice.supplier)
    return StockTransferShipment943(
        shipment=ShipmentIdentification(depositor_order_number=notice.reference),
        parties=[Party(entity="SF", name=supplier)] if supplier else [],
        references=[Reference(qualifier="2I", value=tracking)] if tracking else [],
        dates=dates,
        carrier=Carrier(transport_method="M", scac=carrier if _is_scac(carrier) else UNKNOWN_SCAC,
                        routing=carrier),
        lines=[TransferLine943(quantity=Decimal(line.quantity), unit="EA",
                               product_ids=[ProductId(qualifier="VN", value=line.sku)],
                               references=[Reference(qualifier="LI", value=str(number))])
               for number, line in enumerate(notice.lines, start=1)],
        totals=Totals(quantity=Decimal(sum(line.quantity for line in notice.lines))))


def _is_scac(carrier: str | None) -> bool:
    return carrier is not None and 2 <= len(carrier) <= 4 and carrier.isascii() \
        and carrier.isalpha() and carrier.isupper()


def receipt_944(advice: StockTransferReceipt944, zone: ZoneInfo, where: str) -> ReceiptNotice:
    """The receipt one receipt advice reports, keyed by notice and warehouse receipt."""
    reference = advice.depositor_order_number
    if not reference:
        raise ParseError(f"{where}: W17-04 (depositor order number of the notice) is missing")
    received: dict[str, int] = {}
    damaged: dict[str, int] = {}
    for number, line in enumerate(advice.lines, start=1):
        here = f"{where}, W07 {number}"
        sku = next((p.value for p in line.product_ids if p.qualifier in SKU_QUALIFIERS),
                   None) or (line.product_ids[0].value if line.product_ids else None)
        if not sku:
            raise ParseError(f"{here}: no product id")
        received[sku] = received.get(sku, 0) + whole_units(line.quantity, "W07-01", here)
        for exception in line.exceptions:
            if exception.condition == DAMAGED:
                damaged[sku] = damaged.get(sku, 0) + whole_units(exception.quantity, "W13-01", here)
    return ReceiptNotice(
        key=f"944:{reference}:{advice.warehouse_receipt_number}",
        receipt=Receipt(inbound_reference=reference, received=received, damaged=damaged,
                        receipt_id=advice.warehouse_receipt_number or "",
                        received_at=datetime.combine(advice.date, time(0), zone)))


# ------------------------------------------------------------------ 997 of a broken file

REJECTED = "R"
SEGMENTS_IN_ERROR = "5"


def rejecting_997(segments: Sequence[Segment], error: X12ParseError) -> list[FunctionalAck997]:
    """997s rejecting every group of an interchange the codec cannot read (a count that
    does not add up, a file cut short), from the segments that could be split: each set
    is rejected, the one holding the error with a note where it is (a set whose ST is
    itself cut short cannot be named: the group's AK9 still rejects it). No group (or
    only 997 groups): no 997."""
    acks: list[FunctionalAck997] = []
    group: Segment | None = None
    sets: list[TransactionAck] = []
    start = 0
    for segment in [*segments, Segment.of("GE")]:
        if segment.tag in ("GS", "GE", "IEA") and group is not None:
            if group.text(1) != "FA":
                acks.append(FunctionalAck997(
                    functional_id=group.text(1), group_control_number=group.text(6),
                    transactions=sets, status=REJECTED, included=len(sets),
                    received=len(sets), accepted=0))
            group, sets = None, []
        if segment.tag == "GS":
            group = segment
        elif segment.tag == "ST" and group is not None and _set_header(segment):
            start = segment.index
            sets.append(TransactionAck(code=segment.text(1), control_number=segment.text(2),
                                       status=REJECTED, error_codes=[SEGMENTS_IN_ERROR]))
        if sets and error.segment_index == segment.index and segment.index >= start:
            sets[-1] = sets[-1].model_copy(update={"segments": [_note(error, segment, start)]})
    return acks


def _set_header(st: Segment) -> bool:
    """An ST whose set code and control number survived (a file cut inside it may not)."""
    code, control = st.text(1), st.text(2)
    return len(code) == 3 and code.isdigit() and 4 <= len(control) <= 9


def _note(error: X12ParseError, segment: Segment, start: int) -> SegmentNote:
    elements = [ElementNote(position=error.element, error_code=error.code or "1")] \
        if error.element else []
    return SegmentNote(segment_id=segment.tag[:3], position=segment.index - start + 1,
                       error_code=None if elements else (error.code or "8"),
                       elements=elements)
