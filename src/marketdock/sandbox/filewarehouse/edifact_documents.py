"""The file warehouse's EDIFACT (EANCOM D96A) documents, as pure functions over floor
records: ORDERS and inbound notices (a DESADV announcing goods on their way) in; DESADV,
INVRPT and RECADV (the receipt of an inbound notice) out.

The conventions are the hub's (:mod:`marketdock.connectors.filewarehouse.edifact_mapping`):
the SKU is the LIN item id (supplier's article number), the hub's line reference an
``RFF+LI``, the ship-to the ``NAD+DP`` party, the shipping method an ``FTX+DEL``; each
parcel is a CPS group with its tracking number as ``GIN+BN``, and the lines that did not
ship at all are in a CPS group of their own, with no units despatched. An inbound
notice's reference is its ``RFF+AAK`` (else its BGM number), its expected arrival day a
``DTM+17``; its receipt names it with ``RFF+AAK`` and counts per SKU ``QTY+48`` every unit
received and ``QTY+124`` the damaged ones of them.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from decimal import Decimal

from marketdock.connectors.edifact import (
    ACTUAL_STOCK,
    CANCELLATION,
    CARRIER_CONSIGNMENT,
    COMMITTED,
    DAMAGED,
    DESPATCH_ADVICE_NUMBER,
    DESPATCHED,
    ORDERED,
    RECEIVED,
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
    ReceivingAdvice,
    desadv_draft,
    invrpt_draft,
    parse_edifact,
    read_desadv,
    read_orders,
    recadv_draft,
    write_edifact,
)
from marketdock.sandbox.filewarehouse.documents import InboundRequest, OrderRequest
from marketdock.sandbox.warehouse import Address, LineRequest, Order, StockLevel
from marketdock.sandbox.warehouse.model import Inbound

WAREHOUSE_ID = ("MDSANDBOXWH", "ZZ")
"""The sandbox warehouse's UNB id (the hub's ``receiver_id``)."""
HUB_ID = ("MARKETDOCK", "ZZ")
"""The hub's UNB id as the sandbox addresses it (the hub's ``sender_id``)."""
ENCODING = "latin-1"
"""Of UNOC, the syntax the sandbox writes and reads."""


def documents_from_edifact(data: bytes) -> tuple[list[OrderRequest], list[str],
                                                 list[InboundRequest]]:
    """The orders of an interchange's ORDERS messages, the references of the orders its
    cancelling ORDERS (BGM message function 1) name, and the inbound notices of its
    DESADV messages; a broken interchange, or a message of another type, raises the
    codec's ParseError and nothing of it is applied."""
    interchange = parse_edifact(data, encoding=ENCODING)
    requests, cancels, inbounds = [], [], []
    for message in interchange.messages:
        if message.type == "DESADV":
            inbounds.append(_inbound_request(read_desadv(message)))
            continue
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
    return requests, cancels, inbounds


def _inbound_request(advice: DespatchAdvice) -> InboundRequest:
    reference = advice.reference(DESPATCH_ADVICE_NUMBER) or advice.document_number
    lines: dict[str, int] = {}
    for _, line in advice.items():
        units = line.quantity(DESPATCHED)
        if not line.item_id or units is None:
            raise EdifactParseError(f"DESADV {reference}: LIN {line.number} needs an item id "
                                    "and QTY+12")
        lines[line.item_id] = lines.get(line.item_id, 0) + int(units)
    arrival = advice.date("17")
    expected_at = None
    if arrival is not None:
        try:
            expected_at = datetime.strptime(arrival.value, "%Y%m%d").replace(tzinfo=UTC)
        except ValueError:
            raise EdifactParseError(f"DESADV {reference}: DTM+17 {arrival.value!r} is not "
                                    "a date CCYYMMDD") from None
    return InboundRequest(reference, lines, expected_at)


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


def receiving_advice(inbound: Inbound) -> ReceivingAdvice:
    """The receiving advice of a received inbound notice: per SKU every unit received
    (``QTY+48``) and the damaged ones of them (``QTY+124``)."""
    assert inbound.received_at is not None
    return ReceivingAdvice(
        document_number=f"RCV-{inbound.inbound_id}", function="9",
        dates=[EdiDate(qualifier="137", value=f"{inbound.received_at:%Y%m%d%H%M}", format="203"),
               EdiDate(qualifier="50", value=f"{inbound.received_at:%Y%m%d}", format="102")],
        references=[EdiReference(qualifier=DESPATCH_ADVICE_NUMBER, value=inbound.reference)],
        lines=[EdiLine(number=str(n), item_id=line.sku, item_type="SA", quantities=[
            EdiQuantity(qualifier=RECEIVED, quantity=Decimal(line.received + line.damaged)),
            *([EdiQuantity(qualifier=DAMAGED, quantity=Decimal(line.damaged))]
              if line.damaged else [])])
            for n, line in enumerate(inbound.receipt, start=1)])


def write(draft: MessageDraft, control: int, at: datetime) -> bytes:
    """One interchange from the sandbox warehouse to the hub."""
    return write_edifact([draft], sender=WAREHOUSE_ID, recipient=HUB_ID,
                         control_reference=str(control), at=at).encode(ENCODING)


def desadv_file(order: Order, at: datetime, control: int) -> bytes:
    return write(desadv_draft(despatch_advice(order, at)), control, at)


def invrpt_file(levels: Sequence[StockLevel], at: datetime, control: int) -> bytes:
    return write(invrpt_draft(inventory_report(levels, at)), control, at)


def recadv_file(inbound: Inbound, at: datetime, control: int) -> bytes:
    return write(recadv_draft(receiving_advice(inbound)), control, at)
