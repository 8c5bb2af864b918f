"""Pure mapping between the ports' warehouse types and EANCOM (D96A) messages.

Conventions (those of the sandbox warehouse; a partner's own are set here):

- **ORDERS** (hub → warehouse): BGM 220 with the hub's order reference as document
  number, repeated as ``RFF+ON``; ``DTM+137`` when the order was written, ``DTM+10``
  the requested ship day (warehouse time); the shipping method as ``FTX+DEL``
  (delivery information), a gift message as ``FTX+ZZZ``; the ship-to as the ``NAD+DP``
  party: name then company in C080, street with house number then the further address
  lines in C059 (a value longer than a component's 35 characters wrapped over the next
  components), city, region, postal code and country. Free text is written in UNOC
  (ISO 8859-1): a letter outside it loses its accent (``ş`` → ``s``), other characters
  become blanks; per line ``LIN`` with the SKU as supplier's article number
  (``:SA``), ``QTY+21`` ordered units and ``RFF+LI`` the hub's line reference.
- **DESADV** (warehouse → hub): ``RFF+ON`` the order, BGM number the shipment,
  ``DTM+11`` the despatch day, ``TDT`` the carrier (C040 id, C228 the service); each CPS
  group with despatched units is a package whose tracking number is its ``GIN+BN``
  (or ``RFF+CN``); per line ``QTY+12`` despatched and ``QTY+21`` ordered units and
  ``RFF+LI``. The units a line is short are its ordered units less every unit
  despatched of it in the message.
- **INVRPT** (warehouse → hub): one full snapshot as of ``DTM+366`` (else ``DTM+137``);
  per line ``QTY+145`` on hand, ``QTY+66`` committed (allocated), ``QTY+124`` damaged
  (blocked); available is on hand less both.
- **DESADV as inbound notice** (hub → warehouse): BGM 351 with the notice's reference as
  document number, repeated as ``RFF+AAK`` (despatch advice number, what the receipt
  refers to); ``DTM+137`` when it was written, ``DTM+17`` the expected arrival day
  (estimated delivery date, warehouse time); the carrier as the name in ``TDT`` (C040)
  and its tracking number as ``RFF+CN``; the supplier as the ``NAD+SU`` party; in one
  CPS group (the consignment, as EANCOM wants at least one) per SKU a ``LIN`` with the SKU
  as supplier's article number and ``QTY+12`` despatched units.
- **RECADV** (warehouse → hub): ``RFF+AAK`` the notice, BGM number the warehouse's
  receipt, ``DTM+50`` the receipt day (else ``DTM+137``); per line ``QTY+48`` every unit
  received and ``QTY+124`` those of them damaged: the good units are the first less the
  second.
"""

from __future__ import annotations

import textwrap
import unicodedata
from datetime import datetime, time
from decimal import Decimal
from zoneinfo import ZoneInfo

import pydantic

from marketdock.connectors.edifact import (
    ACTUAL_STOCK,
    CANCELLATION,
    CARRIER_REFERENCE,
    COMMITTED,
    DAMAGED,
    DESPATCH_ADVICE_NUMBER,
    DESPATCHED,
    ORDERED,
    ORIGINAL,
    RECEIVED,
    DespatchAdvice,
    EdiDate,
    EdiLine,
    EdiPackage,
    EdiParty,
    EdiQuantity,
    EdiReference,
    EdiText,
    EdiTransport,
    InventoryReport,
    OrdersMessage,
    ReceivingAdvice,
)
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
from marketdock.domain import Address, StockPosition
from marketdock.errors import ParseError, ValidationError

ORDER_NUMBER = "ON"
LINE_REFERENCE = "LI"
SUPPLIER_ARTICLE = "SA"
SHIPPING_METHOD = "DEL"
GIFT_MESSAGE = "ZZZ"
DOCUMENT_DATE = "137"
SHIP_BY = "10"
DESPATCH_DATE = "11"
STOCK_DATE = "366"
ESTIMATED_DELIVERY = "17"
RECEIPT_DATE = "50"
SUPPLIER = "SU"
TEXT_MAX = 350
"""FTX: five literals of 70 characters."""
COMPONENT = 35
"""NAD: each C080 name and C059 street component is an..35."""
NAMES, STREETS = 5, 4
"""NAD: C080 has five name components, C059 four street components."""
NAD_LIMITS = {"city": 35, "region": 9, "postal_code": 9}
"""Longest city (an..35), country sub-entity (an..9) and postal code (an..9)."""
REFERENCE_MAX = 35
"""BGM document number, RFF reference and TDT carrier name: an..35."""


def orders_message(order: WarehouseOrder, sent_at: datetime, zone: ZoneInfo) -> OrdersMessage:
    """The ORDERS of an order; :class:`ValidationError` naming the field when a value
    does not fit the message."""
    texts = [EdiText(qualifier=SHIPPING_METHOD, text=unoc_text(order.shipping_method))]
    if gift := unoc_text(order.gift_message):
        texts.append(EdiText(qualifier=GIFT_MESSAGE, text=gift))
    for text in texts:
        if len(text.text) > TEXT_MAX:
            raise ValidationError(f"order {order.reference}: FTX+{text.qualifier} text is "
                                  f"{len(text.text)} characters, at most {TEXT_MAX} fit",
                                  reference=order.reference)
    dates = [EdiDate(qualifier=DOCUMENT_DATE, value=f"{sent_at.astimezone(zone):%Y%m%d%H%M}",
                     format="203")]
    if order.ship_by is not None:
        dates.append(EdiDate(qualifier=SHIP_BY, value=f"{order.ship_by.astimezone(zone):%Y%m%d}",
                             format="102"))
    return OrdersMessage(
        document_number=order.reference, function=ORIGINAL, dates=dates, texts=texts,
        references=[EdiReference(qualifier=ORDER_NUMBER, value=order.reference)],
        parties=[_ship_to(order.reference, order.ship_to)],
        lines=[EdiLine(number=str(number), item_id=line.sku, item_type=SUPPLIER_ARTICLE,
                       quantities=[EdiQuantity(qualifier=ORDERED, quantity=Decimal(line.quantity),
                                               unit="PCE")],
                       references=[EdiReference(qualifier=LINE_REFERENCE, value=line.line_ref)])
               for number, line in enumerate(order.lines, start=1)])


def cancel_message(reference: str, sent_at: datetime, zone: ZoneInfo) -> OrdersMessage:
    """The ORDERS that cancels order ``reference``: BGM message function 1
    (cancellation), the order number and no lines."""
    return OrdersMessage(
        document_number=reference, function=CANCELLATION,
        dates=[EdiDate(qualifier=DOCUMENT_DATE, value=f"{sent_at.astimezone(zone):%Y%m%d%H%M}",
                       format="203")],
        references=[EdiReference(qualifier=ORDER_NUMBER, value=reference)])


def _ship_to(reference: str, address: Address) -> EdiParty:
    """The ``NAD+DP`` party; :class:`ValidationError` naming what does not fit."""
    def problem(what: str) -> ValidationError:
        return ValidationError(f"order {reference}: ship-to {what}", reference=reference)

    values = {"city": address.city, "region": address.region,
              "postal_code": address.postal_code}
    fields = {field: unoc_text(value or "") for field, value in values.items()}
    for field, limit in NAD_LIMITS.items():
        if len(fields[field]) > limit:
            raise problem(f"{field} {fields[field]!r} is longer than the {limit} characters "
                          "NAD takes")
    names = [*_wrap(address.name), *_wrap(address.company)]
    if len(names) > NAMES:
        raise problem(f"name and company take {len(names)} lines of {COMPONENT} characters, "
                      f"NAD has {NAMES}")
    street = " ".join(p for p in (address.street, address.house_number) if p)
    streets = [*_wrap(street), *_wrap(address.line2), *_wrap(address.line3)]
    if len(streets) > STREETS:
        raise problem(f"street and address lines take {len(streets)} lines of {COMPONENT} "
                      f"characters, NAD has {STREETS}")
    return EdiParty(role="DP", names=names, street=streets, city=fields["city"] or None,
                    region=fields["region"] or None,
                    postal_code=fields["postal_code"] or None, country=address.country_code)


def _wrap(value: str | None) -> list[str]:
    return textwrap.wrap(unoc_text(value or ""), COMPONENT)


def unoc_text(value: str) -> str:
    """``value`` in the UNOC character set (ISO 8859-1): letters outside it without their
    accents, other characters outside it and control characters as blanks; blanks
    collapsed."""
    out = []
    for char in value:
        if char.isprintable() and ord(char) <= 0xFF:
            out.append(char)
            continue
        base = "".join(c for c in unicodedata.normalize("NFKD", char)
                       if not unicodedata.combining(c))
        out.append(base if base.isprintable() and all(ord(c) <= 0xFF for c in base) else " ")
    return " ".join("".join(out).split())


# ------------------------------------------------------------------ DESADV


def despatch_notice(advice: DespatchAdvice, zone: ZoneInfo, where: str) -> Notice:
    """The packages and short picks one despatch advice reports, keyed by order and
    shipment (BGM number)."""
    reference = advice.reference(ORDER_NUMBER)
    if not reference:
        raise ParseError(f"{where}: no RFF+ON (the order number)")
    shipped_at = _date(advice.date(DESPATCH_DATE), zone, f"{where}: order {reference}",
                       "DTM+11 (despatch date)")
    transport = advice.transports[0] if advice.transports else None
    packages = []
    for number, package in enumerate(advice.packages, start=1):
        quantities: dict[str, int] = {}
        for line in package.lines:
            line_ref = _line_ref(line, reference, where)
            quantities[line_ref] = quantities.get(line_ref, 0) + whole_units(
                line.quantity(DESPATCHED), "QTY+12", where)
        if not any(quantities.values()):
            continue
        tracking = package.tracking_number
        packages.append(ShippedPackage(
            order_reference=reference,
            package_ref=f"{advice.document_number}:{tracking or package.number or number}",
            carrier=(transport.carrier_id or transport.carrier_name or "") if transport else "",
            service=transport.means if transport else None, tracking_number=tracking,
            line_quantities={ref: n for ref, n in quantities.items() if n},
            shipped_at=shipped_at,
            more_parcels=tuple(ShippedParcel(n) for n in package.more_tracking_numbers)))
    return Notice(key=shipment_key("desadv", reference, advice.document_number),
                  packages=tuple(packages),
                  short_picks=tuple(_short_picks(advice, reference, where)))


def _line_ref(line: EdiLine, reference: str, where: str) -> str:
    line_ref = line.reference(LINE_REFERENCE)
    if not line_ref:
        raise ParseError(f"{where}: order {reference}: LIN {line.number} has no RFF+LI "
                         "(the order line reference)")
    return line_ref


def _short_picks(advice: DespatchAdvice, reference: str, where: str) -> list[ShortPick]:
    ordered: dict[str, int] = {}
    despatched: dict[str, int] = {}
    skus: dict[str, str] = {}
    for _, line in advice.items():
        line_ref = _line_ref(line, reference, where)
        if (units := line.quantity(ORDERED)) is not None:
            ordered[line_ref] = max(ordered.get(line_ref, 0), whole_units(units, "QTY+21", where))
        despatched[line_ref] = despatched.get(line_ref, 0) + whole_units(
            line.quantity(DESPATCHED), "QTY+12", where)
        sku = line.item_id or next(iter(line.additional_ids), None)
        if sku:
            skus.setdefault(line_ref, sku)
    return [ShortPick(order_reference=reference, line_ref=line_ref, sku=skus.get(line_ref, ""),
                      missing=units - despatched[line_ref])
            for line_ref, units in ordered.items() if units > despatched[line_ref]]


def _date(date: EdiDate | None, zone: ZoneInfo, where: str, what: str) -> datetime:
    """A DTM in the warehouse's time: format 102 (CCYYMMDD, midnight) or 203
    (CCYYMMDDHHMM)."""
    if date is None:
        raise ParseError(f"{where}: no {what}")
    value, form = date.value, date.format or "102"
    try:
        if form == "102" and len(value) == 8:
            return datetime.combine(datetime.strptime(value, "%Y%m%d").date(), time(0), zone)
        if form == "203" and len(value) == 12:
            return datetime.strptime(value, "%Y%m%d%H%M").replace(tzinfo=zone)
    except ValueError:
        pass
    raise ParseError(f"{where}: DTM+{date.qualifier} {value!r} is not a date of format {form} "
                     "(102 CCYYMMDD or 203 CCYYMMDDHHMM)")


# ------------------------------------------------------------------ INVRPT


def stock_report(report: InventoryReport, *, tenant_id: str, warehouse_id: str,
                 zone: ZoneInfo, where: str) -> StockFile:
    """The full stock snapshot an inventory report gives."""
    as_of = _date(report.date(STOCK_DATE) or report.date(DOCUMENT_DATE), zone, where,
                  "DTM+366 or DTM+137 (stock date)")
    positions: dict[str, StockPosition] = {}
    for line in report.lines:
        here = f"{where}, LIN {line.number}"
        sku = line.item_id or next(iter(line.additional_ids), None)
        on_hand = line.quantity(ACTUAL_STOCK)
        if not sku or on_hand is None:
            raise ParseError(f"{here}: needs an item id and QTY+145 (actual stock)")
        if sku in positions:
            raise ParseError(f"{here}: item {sku} is reported twice")
        units = whole_units(on_hand, "QTY+145", here)
        allocated = whole_units(line.quantity(COMMITTED), "QTY+66", here)
        blocked = whole_units(line.quantity(DAMAGED), "QTY+124", here)
        try:
            positions[sku] = StockPosition(
                tenant_id=tenant_id, warehouse_id=warehouse_id, sku=sku, on_hand=units,
                allocated=allocated, blocked=blocked,
                available=max(0, units - allocated - blocked), as_of=as_of)
        except pydantic.ValidationError as exc:
            raise ParseError(f"{here}: {exc.errors()[0]['msg']}") from None
    return StockFile(key=f"invrpt:{report.document_number}", as_of=as_of, full=True,
                     positions=tuple(positions.values()))


# ------------------------------------------------------------------ inbound: DESADV out, RECADV in


def inbound_advice(notice: InboundNotice, sent_at: datetime, zone: ZoneInfo) -> DespatchAdvice:
    """The despatch advice announcing an inbound notice; :class:`ValidationError` naming
    what does not fit."""
    def problem(what: str) -> ValidationError:
        return ValidationError(f"inbound notice {notice.reference}: {what}",
                               reference=notice.reference)

    if not notice.lines:
        raise problem("has no lines")
    for line in notice.lines:
        if line.quantity < 1:
            raise problem(f"SKU {line.sku} quantity {line.quantity} must be at least 1")
    carrier, tracking = unoc_text(notice.carrier or ""), unoc_text(notice.tracking_number or "")
    for what, value in (("reference", notice.reference), ("carrier", carrier),
                        ("tracking number", tracking)):
        if len(value) > REFERENCE_MAX:
            raise problem(f"{what} {value!r} is longer than the {REFERENCE_MAX} characters "
                          "it has in the message")
    supplier = _wrap(notice.supplier)
    if len(supplier) > NAMES:
        raise problem(f"supplier takes {len(supplier)} lines of {COMPONENT} characters, NAD "
                      f"has {NAMES}")
    dates = [EdiDate(qualifier=DOCUMENT_DATE, value=f"{sent_at.astimezone(zone):%Y%m%d%H%M}",
                     format="203")]
    if notice.expected_at is not None:
        dates.append(EdiDate(qualifier=ESTIMATED_DELIVERY,
                             value=f"{notice.expected_at.astimezone(zone):%Y%m%d}", format="102"))
    references = [EdiReference(qualifier=DESPATCH_ADVICE_NUMBER, value=notice.reference)]
    if tracking:
        references.append(EdiReference(qualifier=CARRIER_REFERENCE, value=tracking))
    return DespatchAdvice(
        document_number=notice.reference, function=ORIGINAL, dates=dates, references=references,
        parties=[EdiParty(role=SUPPLIER, names=supplier)] if supplier else [],
        transports=[EdiTransport(carrier_name=carrier)] if carrier else [],
        packages=[EdiPackage(number="1", lines=[
            EdiLine(number=str(number), item_id=line.sku, item_type=SUPPLIER_ARTICLE,
                    quantities=[EdiQuantity(qualifier=DESPATCHED,
                                            quantity=Decimal(line.quantity), unit="PCE")])
            for number, line in enumerate(notice.lines, start=1)])])


def receiving_receipt(advice: ReceivingAdvice, zone: ZoneInfo, where: str) -> ReceiptNotice:
    """The receipt one receiving advice reports, keyed by notice and receipt (BGM
    number)."""
    reference = advice.reference(DESPATCH_ADVICE_NUMBER)
    if not reference:
        raise ParseError(f"{where}: no RFF+AAK (the despatch advice number of the notice)")
    received_at = _date(advice.date(RECEIPT_DATE) or advice.date(DOCUMENT_DATE), zone,
                        f"{where}: notice {reference}", "DTM+50 or DTM+137 (receipt date)")
    received: dict[str, int] = {}
    damaged: dict[str, int] = {}
    for line in advice.all_lines():
        here = f"{where}, LIN {line.number}"
        sku = line.item_id or next(iter(line.additional_ids), None)
        units = line.quantity(RECEIVED)
        if not sku or units is None:
            raise ParseError(f"{here}: needs an item id and QTY+48 (received)")
        total = whole_units(units, "QTY+48", here)
        broken = whole_units(line.quantity(DAMAGED), "QTY+124", here)
        if broken > total:
            raise ParseError(f"{here}: QTY+124 {broken} damaged units are more than the "
                             f"{total} received (QTY+48 counts them too)")
        received[sku] = received.get(sku, 0) + total - broken
        if broken:
            damaged[sku] = damaged.get(sku, 0) + broken
    return ReceiptNotice(
        key=f"recadv:{reference}:{advice.document_number}",
        receipt=Receipt(inbound_reference=reference, received=received, damaged=damaged,
                        receipt_id=advice.document_number,
                        received_at=received_at))
