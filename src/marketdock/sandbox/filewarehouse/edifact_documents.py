"""The file warehouse's EDIFACT (EANCOM D96A) documents, as pure functions over floor
records: ORDERS in; DESADV and INVRPT out (no inbound notices or receipts in EDIFACT).

The conventions are the hub's (:mod:`marketdock.connectors.filewarehouse.edifact_mapping`):
the SKU is the LIN item id (supplier's article number), the hub's line reference an
``RFF+LI``, the ship-to the ``NAD+DP`` party, the shipping method an ``FTX+DEL``; each
parcel is a CPS group with its tracking number as ``GIN+BN``, and the lines that did not
ship at all are in a CPS group of their own, with no units despatched.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal

from marketdock.connectors.edifact import (
    ACTUAL_STOCK,
    CANCELLATION,
    CARRIER_CONSIGNMENT,
    COMMITTED,
    DAMAGED,
    DESPATCHED,
    ORDERED,
    DespatchAdvice,
    EdiDate,
    EdifactParseError,
    EdiLine,
    EdiPackage,
    EdiParty,
    EdiQuantity,
    EdiReference,
    EdiTransport,
    InventoryReport,
    MessageDraft,
    desadv_draft,
    invrpt_draft,
    parse_edifact,
    read_orders,
    write_edifact,
)
from marketdock.sandbox.filewarehouse.documents import OrderRequest
from marketdock.sandbox.warehouse import Address, LineRequest, Order, StockLevel

WAREHOUSE_ID = ("MDSANDBOXWH", "ZZ")
"""The sandbox warehouse's UNB id (the hub's ``receiver_id``)."""
HUB_ID = ("MARKETDOCK", "ZZ")
"""The hub's UNB id as the sandbox addresses it (the hub's ``sender_id``)."""
ENCODING = "latin-1"
"""Of UNOC, the syntax the sandbox writes and reads."""


def orders_from_edifact(data: bytes) -> tuple[list[OrderRequest], list[str]]:
    """The orders of an interchange of ORDERS messages, and the references of the orders
    its cancelling ORDERS (BGM message function 1) name; a broken interchange, or a message
    of another type, raises the codec's ParseError and nothing of it is applied."""
    interchange = parse_edifact(data, encoding=ENCODING)
    requests, cancels = [], []
    for message in interchange.messages:
        order = read_orders(message)
        if order.function == CANCELLATION:
            cancels.append(order.document_number)
            continue
        lines = []
        for line in order.lines:
            units = line.quantity(ORDERED)
            if not line.item_id or units is None:
                raise EdifactParseError(f"ORDERS {order.document_number}: LIN {line.number} "
                                        "needs an item id and QTY+21")
            lines.append(LineRequest(sku=line.item_id, quantity=int(units),
                                     line_id=line.reference("LI") or line.number,
                                     name=line.description or ""))
        party = order.party("DP")
        ship_to = None if party is None else Address(
            name=party.names[0] if party.names else "",
            company=party.names[1] if len(party.names) > 1 else "",
            street1=party.street[0] if party.street else "",
            street2=" ".join(party.street[1:]),
            city=party.city or "", state=party.region or "", postcode=party.postal_code or "",
            country=party.country or "")
        requests.append(OrderRequest(order.document_number, tuple(lines), ship_to,
                                     order.text("DEL") or "Standard"))
    return requests, cancels


def despatch_advice(order: Order, shipped_on: datetime) -> DespatchAdvice:
    """The despatch advice of a finished order: a CPS group per parcel, and one for the
    lines that did not ship."""
    ordered = {line.line_id: line.quantity for line in order.lines}
    packages = [EdiPackage(number="1")]
    shipped: set[str] = set()
    for parcel in order.parcels:
        shipped.update(part.line_id for part in parcel.lines)
        packages.append(EdiPackage(
            number=str(len(packages) + 1), parent="1", package_type="CT",
            marks=[EdiReference(qualifier=CARRIER_CONSIGNMENT, value=number)
                   for number in (parcel.tracking_number, *parcel.more_tracking_numbers)],
            lines=[_line(n, part.line_id, part.sku, ordered[part.line_id], part.quantity)
                   for n, part in enumerate(parcel.lines, start=1)]))
    short = [_line(n, line.line_id, line.sku, line.quantity, 0)
             for n, line in enumerate((line for line in order.lines
                                       if line.line_id not in shipped), start=1)]
    if short:
        packages.append(EdiPackage(number=str(len(packages) + 1), parent="1", lines=short))
    carrier = order.parcels[0].carrier if order.parcels else None
    return DespatchAdvice(
        document_number=f"SHP-{order.order_id}", function="9",
        dates=[EdiDate(qualifier="137", value=f"{shipped_on:%Y%m%d%H%M}", format="203"),
               EdiDate(qualifier="11", value=f"{shipped_on:%Y%m%d}", format="102")],
        references=[EdiReference(qualifier="ON", value=order.reference)],
        transports=[EdiTransport(carrier_id=carrier.code, carrier_name=carrier.name,
                                 means=carrier.service)] if carrier else [],
        packages=packages)


def _line(number: int, line_id: str, sku: str, ordered: int, despatched: int) -> EdiLine:
    return EdiLine(number=str(number), item_id=sku, item_type="SA",
                   quantities=[EdiQuantity(qualifier=DESPATCHED, quantity=Decimal(despatched)),
                               EdiQuantity(qualifier=ORDERED, quantity=Decimal(ordered))],
                   references=[EdiReference(qualifier="LI", value=line_id)])


def inventory_report(levels: Sequence[StockLevel], at: datetime) -> InventoryReport:
    """A full stock report: on hand, committed (allocated) and damaged (blocked) units."""
    stamp = f"{at:%Y%m%d%H%M}"
    return InventoryReport(
        document_number=f"INV-{at:%Y%m%d%H%M%S}", function="9",
        dates=[EdiDate(qualifier="137", value=stamp, format="203"),
               EdiDate(qualifier="366", value=stamp, format="203")],
        parties=[EdiParty(role="WH", names=["marketdock sandbox warehouse"])],
        lines=[EdiLine(number=str(n), item_id=level.sku, item_type="SA", quantities=[
            EdiQuantity(qualifier=ACTUAL_STOCK, quantity=Decimal(level.on_hand)),
            EdiQuantity(qualifier=COMMITTED, quantity=Decimal(level.allocated)),
            EdiQuantity(qualifier=DAMAGED, quantity=Decimal(level.blocked))])
            for n, level in enumerate(levels, start=1)])


def write(draft: MessageDraft, control: int, at: datetime) -> bytes:
    """One interchange from the sandbox warehouse to the hub."""
    return write_edifact([draft], sender=WAREHOUSE_ID, recipient=HUB_ID,
                         control_reference=str(control), at=at).encode(ENCODING)


def desadv_file(order: Order, at: datetime, control: int) -> bytes:
    return write(desadv_draft(despatch_advice(order, at)), control, at)


def invrpt_file(levels: Sequence[StockLevel], at: datetime, control: int) -> bytes:
    return write(invrpt_draft(inventory_report(levels, at)), control, at)
