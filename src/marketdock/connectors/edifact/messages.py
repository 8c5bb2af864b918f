"""EANCOM (D96A) wire records: ORDERS read/write, DESADV read, INVRPT write/read.

The records mirror the segments (BGM, DTM, RFF, NAD, LIN/PIA/IMD/QTY, CPS) and keep
qualifiers as sent; turning them into marketdock's domain is the flows' business.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from pydantic import BaseModel, ConfigDict

from .envelope import EdifactMessage, EdifactParseError, EdifactSegment, MessageDraft

ORDERS_ID = ("ORDERS", "D", "96A", "UN", "EAN008")
INVRPT_ID = ("INVRPT", "D", "96A", "UN", "EAN008")
ORDERED = "21"
DESPATCHED = "12"
ACTUAL_STOCK = "145"


class Wire(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class EdiDate(Wire):
    """DTM: qualifier (137 document, 2 delivery, 11 despatch, 366 stock), value, format
    code (102 CCYYMMDD, 203 CCYYMMDDHHMM) kept as text."""

    qualifier: str
    value: str
    format: str | None = None


class EdiReference(Wire):
    """RFF: qualifier (ON order, PD promotion deal, LI line, CN consignment …) and value."""

    qualifier: str
    value: str


class EdiParty(Wire):
    """NAD: role (SU supplier, BY buyer, DP delivery party, WH warehouse), id, agency."""

    role: str
    id: str | None = None
    agency: str | None = None


class EdiQuantity(Wire):
    qualifier: str
    quantity: Decimal
    unit: str | None = None


class EdiLine(Wire):
    """LIN group: line number, item id and its type (EN/SRV = GTIN), PIA ids, IMD text,
    quantities and references."""

    number: str
    item_id: str | None = None
    item_type: str | None = None
    additional_ids: list[str] = []
    description: str | None = None
    quantities: list[EdiQuantity] = []
    references: list[EdiReference] = []

    def quantity(self, qualifier: str) -> Decimal | None:
        return next((q.quantity for q in self.quantities if q.qualifier == qualifier), None)


class EdiDocument(Wire):
    """What ORDERS, DESADV and INVRPT share: BGM, DTM, RFF, NAD and the LIN groups."""

    document_code: str
    document_number: str
    function: str | None = None
    dates: list[EdiDate] = []
    references: list[EdiReference] = []
    parties: list[EdiParty] = []
    lines: list[EdiLine] = []

    def party(self, role: str) -> EdiParty | None:
        return next((p for p in self.parties if p.role == role), None)


class OrdersMessage(EdiDocument):
    document_code: str = "220"


class DespatchAdvice(EdiDocument):
    document_code: str = "351"
    packages: list[str] = []


class InventoryReport(EdiDocument):
    document_code: str = "35"


def _number(segment: EdifactSegment, element: int, component: int) -> Decimal:
    text = segment.component(element, component)
    try:
        return Decimal(text)
    except InvalidOperation:
        raise segment.error(f"{segment.tag} quantity {text!r} is not a number", element) from None


@dataclass
class _Line:
    number: str
    item_id: str | None
    item_type: str | None
    additional_ids: list[str] = field(default_factory=list)
    description: str | None = None
    quantities: list[EdiQuantity] = field(default_factory=list)
    references: list[EdiReference] = field(default_factory=list)

    def record(self) -> EdiLine:
        return EdiLine(number=self.number, item_id=self.item_id, item_type=self.item_type,
                       additional_ids=self.additional_ids, description=self.description,
                       quantities=self.quantities, references=self.references)


def _read(message: EdifactMessage, expected: str) -> tuple[dict[str, object], list[str]]:
    if message.type != expected:
        raise EdifactParseError(f"expected a {expected} message, got {message.type}")
    fields: dict[str, object] = {}
    dates: list[EdiDate] = []
    references: list[EdiReference] = []
    parties: list[EdiParty] = []
    lines: list[_Line] = []
    packages: list[str] = []
    for segment in message.segments:
        tag, c = segment.tag, segment.component
        target_refs = lines[-1].references if lines else references
        if tag == "BGM":
            fields |= {"document_code": c(1), "document_number": c(2),
                       "function": c(3) or None}
        elif tag == "DTM":
            dates.append(EdiDate(qualifier=c(1, 1), value=c(1, 2), format=c(1, 3) or None))
        elif tag == "RFF":
            target_refs.append(EdiReference(qualifier=c(1, 1), value=c(1, 2)))
        elif tag == "NAD":
            parties.append(EdiParty(role=c(1), id=c(2, 1) or None,
                                    agency=c(2, 3) or c(3) or None))
        elif tag == "CPS":
            packages.append(c(1))
        elif tag == "LIN":
            lines.append(_Line(c(1), c(3, 1) or None, c(3, 2) or None))
        elif tag in ("PIA", "IMD", "QTY") and not lines:
            raise segment.error(f"{tag} outside a LIN group")
        elif tag == "PIA":
            lines[-1].additional_ids.append(c(2, 1))
        elif tag == "IMD":
            lines[-1].description = c(3, 4) or None
        elif tag == "QTY":
            lines[-1].quantities.append(EdiQuantity(
                qualifier=c(1, 1), quantity=_number(segment, 1, 2), unit=c(1, 3) or None))
    if "document_number" not in fields or not fields["document_number"]:
        raise EdifactParseError(f"{expected} message {message.reference} has no BGM number")
    fields |= {"dates": dates, "references": references, "parties": parties,
               "lines": [line.record() for line in lines]}
    return fields, packages


def read_orders(message: EdifactMessage) -> OrdersMessage:
    fields, _ = _read(message, "ORDERS")
    return OrdersMessage.model_validate(fields)


def read_desadv(message: EdifactMessage) -> DespatchAdvice:
    fields, packages = _read(message, "DESADV")
    return DespatchAdvice.model_validate(fields | {"packages": packages})


def read_invrpt(message: EdifactMessage) -> InventoryReport:
    fields, _ = _read(message, "INVRPT")
    return InventoryReport.model_validate(fields)


def _seg(tag: str, *elements: str | list[str]) -> EdifactSegment:
    return EdifactSegment(tag, tuple(elements))


def _composite(*parts: str | None) -> str | list[str]:
    values = [p or "" for p in parts]
    while len(values) > 1 and not values[-1]:
        values.pop()
    return values if len(values) > 1 else values[0]


def _body(document: EdiDocument) -> Iterator[EdifactSegment]:
    yield _seg("BGM", document.document_code, document.document_number,
               *([document.function] if document.function else []))
    for d in document.dates:
        yield _seg("DTM", _composite(d.qualifier, d.value, d.format))
    for r in document.references:
        yield _seg("RFF", _composite(r.qualifier, r.value))
    for p in document.parties:
        yield _seg("NAD", p.role, *([_composite(p.id, None, p.agency)] if p.id else []))
    for line in document.lines:
        item = [_composite(line.item_id, line.item_type)] if line.item_id else []
        yield _seg("LIN", line.number, *(["", *item] if item else []))
        for extra in line.additional_ids:
            yield _seg("PIA", "5", extra)
        if line.description:
            yield _seg("IMD", "F", "", _composite(None, None, None, line.description))
        for q in line.quantities:
            yield _seg("QTY", _composite(q.qualifier, format(q.quantity.normalize(), "f"),
                                         q.unit))
        for r in line.references:
            yield _seg("RFF", _composite(r.qualifier, r.value))


def orders_draft(order: OrdersMessage, identifier: Sequence[str] = ORDERS_ID) -> MessageDraft:
    return MessageDraft(tuple(identifier), [*_body(order), _seg("UNS", "S")])


def invrpt_draft(report: InventoryReport,
                 identifier: Sequence[str] = INVRPT_ID) -> MessageDraft:
    return MessageDraft(tuple(identifier), list(_body(report)))

