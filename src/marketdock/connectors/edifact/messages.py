"""EANCOM (D96A) wire records: ORDERS, DESADV, INVRPT and RECADV, each read and written.

The records mirror the segments (BGM, DTM, FTX, RFF, NAD, TDT, LIN/PIA/IMD/QTY, the
CPS/PAC/PCI/GIN package groups of a DESADV) and keep qualifiers as sent; turning them
into marketdock's domain is the connector's mapping's business.

A DESADV's LIN groups belong to the CPS group before them (a package, or a level without
packing such as the lines that did not ship); the RFF and GIN segments of a CPS group
before its first LIN are the package's (``GIN+BJ`` an SSCC, ``GIN+BN`` or ``RFF+CN`` the
carrier's number). Not read: what a LIN group says beyond its item ids, description,
quantities and references (its GIN serial numbers, FTX text and DTM dates).

A RECADV (receiving advice, BGM 632 goods receipt) refers to the despatch advice it
answers with ``RFF+AAK``; per LIN group ``QTY+48`` counts every unit received and
``QTY+124`` (damaged goods) those of them that came damaged. EANCOM also lets a RECADV
state differences as QVR segments (quantity variance with a reason code); they are not
read, as QTY+124 says what a receipt needs and a QVR reason would only repeat it. Like
a DESADV, its LIN groups may stand in CPS groups.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from pydantic import BaseModel, ConfigDict

from .envelope import EdifactMessage, EdifactParseError, EdifactSegment, MessageDraft

ORDERS_ID = ("ORDERS", "D", "96A", "UN", "EAN008")
DESADV_ID = ("DESADV", "D", "96A", "UN", "EAN005")
INVRPT_ID = ("INVRPT", "D", "96A", "UN", "EAN008")
RECADV_ID = ("RECADV", "D", "96A", "UN", "EAN003")
ORIGINAL = "9"
CANCELLATION = "1"
"""BGM message function codes (1225): an original message, one that cancels the document
it names."""
ORDERED = "21"
DESPATCHED = "12"
ACTUAL_STOCK = "145"
COMMITTED = "66"
DAMAGED = "124"
RECEIVED = "48"
"""QTY (6063): units received; with ``DAMAGED`` the damaged ones of them."""
GOODS_RECEIPT = "632"
"""BGM document name code (1001) of a RECADV: goods receipt."""
DESPATCH_ADVICE_NUMBER = "AAK"
"""RFF: the number of the despatch advice (ASN) a RECADV answers."""
CARRIER_CONSIGNMENT = "BN"
"""GIN: consignment id assigned by the carrier (its tracking number)."""
SSCC = "BJ"
CARRIER_REFERENCE = "CN"
"""RFF: the carrier's reference number."""
CARRIER_MARKS = "18"
"""PCI: marks as specified by the carrier."""


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


class EdiText(Wire):
    """FTX: subject qualifier (e.g. DEL delivery information) and the text (up to five
    literals of 70 characters, joined)."""

    qualifier: str
    text: str


class EdiParty(Wire):
    """NAD: role (SU supplier, BY buyer, DP delivery party, WH warehouse), id, agency, and
    the structured name and address: name lines (C080), street lines (C059), city,
    country sub-entity, postal code, country code."""

    role: str
    id: str | None = None
    agency: str | None = None
    names: list[str] = []
    street: list[str] = []
    city: str | None = None
    region: str | None = None
    postal_code: str | None = None
    country: str | None = None


class EdiTransport(Wire):
    """TDT: stage (20 main carriage), the carrier's id and name (C040), and the means of
    transport as text (C228, e.g. the carrier's service)."""

    stage: str = "20"
    carrier_id: str | None = None
    carrier_name: str | None = None
    means: str | None = None


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

    def reference(self, qualifier: str) -> str | None:
        return next((r.value for r in self.references if r.qualifier == qualifier), None)


class EdiPackage(Wire):
    """A DESADV CPS group: hierarchical id and parent, the package type (PAC), its marks
    (GIN: BJ SSCC, BN carrier's consignment id), references (RFF, e.g. CN carrier's
    reference) and the LIN groups packed in it."""

    number: str
    parent: str | None = None
    package_type: str | None = None
    marks: list[EdiReference] = []
    references: list[EdiReference] = []
    lines: list[EdiLine] = []

    @property
    def tracking_number(self) -> str | None:
        """The carrier's number for the package: ``GIN+BN``, else ``RFF+CN``."""
        return next((m.value for m in self.marks if m.qualifier == CARRIER_CONSIGNMENT),
                    None) or next((r.value for r in self.references
                                   if r.qualifier == CARRIER_REFERENCE), None)

    @property
    def more_tracking_numbers(self) -> list[str]:
        """Further ``GIN+BN`` numbers: the package's units travel in several boxes."""
        numbers = [m.value for m in self.marks if m.qualifier == CARRIER_CONSIGNMENT]
        return [n for n in dict.fromkeys(numbers[1:]) if n != self.tracking_number]


class EdiDocument(Wire):
    """What ORDERS, DESADV, INVRPT and RECADV share: BGM, DTM, FTX, RFF, NAD, TDT and the LIN
    groups."""

    document_code: str
    document_number: str
    function: str | None = None
    dates: list[EdiDate] = []
    texts: list[EdiText] = []
    references: list[EdiReference] = []
    parties: list[EdiParty] = []
    transports: list[EdiTransport] = []
    lines: list[EdiLine] = []

    def date(self, qualifier: str) -> EdiDate | None:
        return next((d for d in self.dates if d.qualifier == qualifier), None)

    def reference(self, qualifier: str) -> str | None:
        return next((r.value for r in self.references if r.qualifier == qualifier), None)

    def text(self, qualifier: str) -> str | None:
        return next((t.text for t in self.texts if t.qualifier == qualifier), None)

    def party(self, role: str) -> EdiParty | None:
        return next((p for p in self.parties if p.role == role), None)


class OrdersMessage(EdiDocument):
    document_code: str = "220"


class DespatchAdvice(EdiDocument):
    """A despatch advice; its LIN groups are in ``packages`` (``lines`` holds only those
    of a message without CPS groups)."""

    document_code: str = "351"
    packages: list[EdiPackage] = []

    def items(self) -> list[tuple[EdiPackage | None, EdiLine]]:
        """Every LIN group with the CPS group it is in."""
        return [*((None, line) for line in self.lines),
                *((package, line) for package in self.packages for line in package.lines)]


class InventoryReport(EdiDocument):
    document_code: str = "35"


class ReceivingAdvice(EdiDocument):
    """A receiving advice; LIN groups standing in CPS groups are in ``packages``."""

    document_code: str = GOODS_RECEIPT
    packages: list[EdiPackage] = []

    def all_lines(self) -> list[EdiLine]:
        """Every LIN group, those in CPS groups included."""
        return [*self.lines, *(line for package in self.packages for line in package.lines)]


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


@dataclass
class _Package:
    number: str
    parent: str | None
    package_type: str | None = None
    marks: list[EdiReference] = field(default_factory=list)
    references: list[EdiReference] = field(default_factory=list)
    lines: list[_Line] = field(default_factory=list)

    def record(self) -> EdiPackage:
        return EdiPackage(number=self.number, parent=self.parent,
                          package_type=self.package_type, marks=self.marks,
                          references=self.references,
                          lines=[line.record() for line in self.lines])


def _components(segment: EdifactSegment, element: int, count: int) -> list[str]:
    values = [segment.component(element, n) for n in range(1, count + 1)]
    return [v for v in values if v]


def _party(segment: EdifactSegment) -> EdiParty:
    c = segment.component
    return EdiParty(role=c(1), id=c(2, 1) or None, agency=c(2, 3) or c(3) or None,
                    names=_components(segment, 4, 5), street=_components(segment, 5, 4),
                    city=c(6) or None, region=c(7) or None, postal_code=c(8) or None,
                    country=c(9) or None)


def _read(message: EdifactMessage, expected: str) -> tuple[dict[str, object],
                                                            list[_Package]]:
    """The fields of a message; LIN groups after a CPS belong to that CPS group."""
    if message.type != expected:
        raise EdifactParseError(f"expected a {expected} message, got {message.type}")
    fields: dict[str, object] = {}
    dates: list[EdiDate] = []
    texts: list[EdiText] = []
    references: list[EdiReference] = []
    parties: list[EdiParty] = []
    transports: list[EdiTransport] = []
    lines: list[_Line] = []
    packages: list[_Package] = []
    line: _Line | None = None
    for segment in message.segments:
        tag, c = segment.tag, segment.component
        package = packages[-1] if packages else None
        if tag == "BGM":
            fields |= {"document_code": c(1), "document_number": c(2),
                       "function": c(3) or None}
        elif tag == "DTM" and line is None:
            dates.append(EdiDate(qualifier=c(1, 1), value=c(1, 2), format=c(1, 3) or None))
        elif tag == "FTX" and line is None:
            texts.append(EdiText(qualifier=c(1), text="".join(
                c(4, n) for n in range(1, 6))))
        elif tag == "RFF":
            reference = EdiReference(qualifier=c(1, 1), value=c(1, 2))
            (line.references if line is not None else package.references
             if package is not None else references).append(reference)
        elif tag == "NAD":
            parties.append(_party(segment))
        elif tag == "TDT":
            transports.append(EdiTransport(stage=c(1), means=c(4, 2) or None,
                                           carrier_id=c(5, 1) or None,
                                           carrier_name=c(5, 4) or None))
        elif tag == "CPS":
            packages.append(_Package(c(1), c(2) or None))
            line = None
        elif tag == "PAC" and package is not None:
            package.package_type = c(3, 1) or None
        elif tag == "GIN" and line is None:
            if package is None:
                raise segment.error("GIN outside a CPS group")
            package.marks.append(EdiReference(qualifier=c(1), value=c(2, 1)))
        elif tag == "LIN":
            line = _Line(c(1), c(3, 1) or None, c(3, 2) or None)
            (package.lines if package is not None else lines).append(line)
        elif tag in ("PIA", "IMD", "QTY") and line is None:
            raise segment.error(f"{tag} outside a LIN group")
        elif tag == "PIA" and line is not None:
            line.additional_ids.append(c(2, 1))
        elif tag == "IMD" and line is not None:
            line.description = c(3, 4) or None
        elif tag == "QTY" and line is not None:
            line.quantities.append(EdiQuantity(
                qualifier=c(1, 1), quantity=_number(segment, 1, 2), unit=c(1, 3) or None))
    if "document_number" not in fields or not fields["document_number"]:
        raise EdifactParseError(f"{expected} message {message.reference} has no BGM number")
    fields |= {"dates": dates, "texts": texts, "references": references, "parties": parties,
               "transports": transports, "lines": [line.record() for line in lines]}
    return fields, packages


def read_orders(message: EdifactMessage) -> OrdersMessage:
    fields, _ = _read(message, "ORDERS")
    return OrdersMessage.model_validate(fields)


def read_desadv(message: EdifactMessage) -> DespatchAdvice:
    fields, packages = _read(message, "DESADV")
    return DespatchAdvice.model_validate(
        fields | {"packages": [package.record() for package in packages]})


def read_invrpt(message: EdifactMessage) -> InventoryReport:
    fields, _ = _read(message, "INVRPT")
    return InventoryReport.model_validate(fields)


def read_recadv(message: EdifactMessage) -> ReceivingAdvice:
    fields, packages = _read(message, "RECADV")
    return ReceivingAdvice.model_validate(
        fields | {"packages": [package.record() for package in packages]})


def _seg(tag: str, *elements: str | list[str]) -> EdifactSegment:
    return EdifactSegment(tag, tuple(elements))


def _composite(*parts: str | None) -> str | list[str]:
    values = [p or "" for p in parts]
    while len(values) > 1 and not values[-1]:
        values.pop()
    return values if len(values) > 1 else values[0]


TEXT_LITERAL = 70
"""FTX C108: up to five literals of this many characters."""


def _text_literals(text: str) -> list[str]:
    return [text[i:i + TEXT_LITERAL] for i in range(0, len(text), TEXT_LITERAL)] or [""]


def _nad(p: EdiParty) -> EdifactSegment:
    elements: list[str | list[str]] = [
        p.role, _composite(p.id, None, p.agency) if p.id else "", "",
        _composite(*p.names) if p.names else "", _composite(*p.street) if p.street else "",
        p.city or "", p.region or "", p.postal_code or "", p.country or ""]
    while elements and not elements[-1]:
        elements.pop()
    return _seg("NAD", *elements)


def _line_segments(line: EdiLine) -> Iterator[EdifactSegment]:
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


def _package_segments(package: EdiPackage) -> Iterator[EdifactSegment]:
    yield _seg("CPS", package.number, *([package.parent] if package.parent else []))
    if package.package_type:
        yield _seg("PAC", "1", "", package.package_type)
    if package.marks or package.references:
        yield _seg("PCI", CARRIER_MARKS)
        for r in package.references:
            yield _seg("RFF", _composite(r.qualifier, r.value))
        for m in package.marks:
            yield _seg("GIN", m.qualifier, m.value)
    for line in package.lines:
        yield from _line_segments(line)


def _body(document: EdiDocument) -> Iterator[EdifactSegment]:
    yield _seg("BGM", document.document_code, document.document_number,
               *([document.function] if document.function else []))
    for d in document.dates:
        yield _seg("DTM", _composite(d.qualifier, d.value, d.format))
    for t in document.texts:
        yield _seg("FTX", t.qualifier, "", "", _composite(*_text_literals(t.text)))
    for r in document.references:
        yield _seg("RFF", _composite(r.qualifier, r.value))
    for p in document.parties:
        yield _nad(p)
    for transport in document.transports:
        carrier = _composite(transport.carrier_id, None, None, transport.carrier_name) \
            if transport.carrier_id or transport.carrier_name else ""
        elements = [transport.stage, "", "",
                    _composite(None, transport.means) if transport.means else "", carrier]
        while elements and not elements[-1]:
            elements.pop()
        yield _seg("TDT", *elements)
    for line in document.lines:
        yield from _line_segments(line)


def orders_draft(order: OrdersMessage, identifier: Sequence[str] = ORDERS_ID) -> MessageDraft:
    return MessageDraft(tuple(identifier), [*_body(order), _seg("UNS", "S")])


def _packed_draft(document: EdiDocument, packages: Sequence[EdiPackage],
                  identifier: Sequence[str]) -> MessageDraft:
    segments = list(_body(document))
    for package in packages:
        segments.extend(_package_segments(package))
    return MessageDraft(tuple(identifier), segments)


def desadv_draft(advice: DespatchAdvice,
                 identifier: Sequence[str] = DESADV_ID) -> MessageDraft:
    return _packed_draft(advice, advice.packages, identifier)


def recadv_draft(advice: ReceivingAdvice,
                 identifier: Sequence[str] = RECADV_ID) -> MessageDraft:
    return _packed_draft(advice, advice.packages, identifier)


def invrpt_draft(report: InventoryReport,
                 identifier: Sequence[str] = INVRPT_ID) -> MessageDraft:
    return MessageDraft(tuple(identifier), list(_body(report)))
