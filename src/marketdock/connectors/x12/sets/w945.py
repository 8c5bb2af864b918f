"""945 Warehouse Shipping Advice (004010): warehouse → marketdock.

Tracking can sit at three levels and the reader keeps all of them: the header
(``N9*2I``), the package (``MAN*CP`` or ``N9*2I`` in the LX loop) and the line
(``N9*2I`` in the W12 loop). :meth:`ShippingAdvice945.parcels` resolves them to one
tracking number per item, line before package before header. An LX loop with several
``MAN*CP`` ships its items in several boxes (one article too big for one parcel): the
first is the package's tracking number, the others its further boxes.
"""

from __future__ import annotations

from decimal import Decimal

from ..model import Segment, TransactionSet
from .common import (
    Carrier,
    Cursor,
    DateRef,
    Note,
    Party,
    ProductId,
    Reference,
    Totals,
    Wire,
    fmt_number,
    read_g62,
    read_parties,
    read_reference,
    read_totals,
    read_w27,
    write_g62,
    write_parties,
    write_reference,
    write_totals,
    write_w27,
)
from .w06 import ShipmentIdentification, read_w06, write_w06

CODE = "945"
FUNCTIONAL_ID = "SW"
TRACKING_REFERENCES = frozenset({"2I"})
TRACKING_MARKS = frozenset({"CP"})
# W12-07 product id qualifiers seen in warehouse guides; used to spot a W12 whose
# UPC slid into W12-07 (one element too far right), a known partner quirk.
_ID_QUALIFIERS = frozenset({"VN", "VP", "SK", "UP", "UA", "UI", "UK", "EN", "EA", "BP", "IN",
                            "CB", "PI", "MG", "ND", "UN"})


class Mark(Wire):
    """MAN: marks qualifier (``CP`` carrier package id = tracking, ``GM`` SSCC-18) and number."""

    qualifier: str
    number: str


class ShippedItem945(Wire):
    """W12 loop. ``quantity_difference`` (W12-04) is ordered − shipped as sent;
    status ``CC`` complete, ``CP``/``BP``/``PR`` partial, ``IC``/``CU`` cancelled."""

    status: str
    quantity_ordered: Decimal | None = None
    quantity_shipped: Decimal | None = None
    quantity_difference: Decimal | None = None
    unit: str
    upc_case_code: str | None = None
    product_id: ProductId | None = None
    lot: str | None = None
    description: str | None = None
    references: list[Reference] = []
    dates: list[DateRef] = []
    carrier: Carrier | None = None

    @property
    def short_quantity(self) -> Decimal:
        """Units ordered but not shipped (0 when nothing is short or nothing is known)."""
        if self.quantity_ordered is None or self.quantity_shipped is None:
            return self.quantity_difference or Decimal(0)
        return max(self.quantity_ordered - self.quantity_shipped, Decimal(0))

    @property
    def line_reference(self) -> str | None:
        return next((r.value for r in self.references if r.qualifier == "LI"), None)


class PackageLoop945(Wire):
    """LX loop: package marks and references, then the items packed in it."""

    assigned_number: str
    marks: list[Mark] = []
    references: list[Reference] = []
    items: list[ShippedItem945] = []


class Parcel945(Wire):
    """Items grouped by their resolved tracking number (``None`` when none was sent)."""

    tracking_number: str | None
    package_ids: list[str] = []
    items: list[ShippedItem945] = []
    more_tracking_numbers: list[str] = []
    """Further ``MAN*CP`` of the same LX loop: its items travel in several boxes."""


class ShippingAdvice945(Wire):
    shipment: ShipmentIdentification
    parties: list[Party] = []
    references: list[Reference] = []
    dates: list[DateRef] = []
    notes: list[Note] = []
    carrier: Carrier | None = None
    packages: list[PackageLoop945] = []
    totals: Totals | None = None
    unmapped_segments: list[str] = []

    def items(self) -> list[ShippedItem945]:
        return [item for package in self.packages for item in package.items]

    def parcels(self) -> list[Parcel945]:
        header = _tracking(self.references, [])
        items: dict[str | None, list[ShippedItem945]] = {}
        ids: dict[str | None, list[str]] = {}
        boxes: dict[str | None, list[str]] = {}
        for package in self.packages:
            package_tracking = _tracking(package.references, package.marks) or header
            sscc = [m.number for m in package.marks if m.qualifier == "GM"]
            further = [m.number for m in package.marks
                       if m.qualifier in TRACKING_MARKS][1:]
            for item in package.items:
                own = _tracking(item.references, [])
                tracking = own or package_tracking
                items.setdefault(tracking, []).append(item)
                known = ids.setdefault(tracking, [])
                known.extend(s for s in sscc if s not in known)
                more = boxes.setdefault(tracking, [])
                more.extend(n for n in ([] if own else further)
                            if n not in more and n != tracking)
        return [Parcel945(tracking_number=t, package_ids=ids[t], items=i,
                          more_tracking_numbers=boxes[t]) for t, i in items.items()]


def _tracking(references: list[Reference], marks: list[Mark]) -> str | None:
    for mark in marks:
        if mark.qualifier in TRACKING_MARKS:
            return mark.number
    for reference in references:
        if reference.qualifier in TRACKING_REFERENCES and reference.value:
            return reference.value
    return None


def encode_945(advice: ShippingAdvice945) -> list[Segment]:
    out = [write_w06(advice.shipment)]
    out += write_parties(advice.parties)
    out += [write_reference(r) for r in advice.references]
    out += [write_g62(d) for d in advice.dates]
    out += [Segment.of("NTE", n.code, n.text) for n in advice.notes]
    if advice.carrier:
        out.append(write_w27(advice.carrier))
    for package in advice.packages:
        out.append(Segment.of("LX", package.assigned_number))
        out += [Segment.of("MAN", m.qualifier, m.number) for m in package.marks]
        out += [write_reference(r) for r in package.references]
        for item in package.items:
            pid = item.product_id
            out.append(Segment.of(
                "W12", item.status, fmt_number(item.quantity_ordered),
                fmt_number(item.quantity_shipped), fmt_number(item.quantity_difference),
                item.unit, item.upc_case_code, pid.qualifier if pid else None,
                pid.value if pid else None, item.lot))
            if item.description:
                out.append(Segment.of("G69", item.description))
            out += [write_reference(r) for r in item.references]
            out += [write_g62(d) for d in item.dates]
            if item.carrier:
                out.append(write_w27(item.carrier))
    if advice.totals:
        out.append(write_totals("W03", advice.totals))
    return out


def _w12(cursor: Cursor, w12: Segment) -> dict[str, object]:
    shift = 0
    if w12.text(7) not in _ID_QUALIFIERS and w12.text(8) in _ID_QUALIFIERS \
            and w12.text(7).isdigit() and not w12.text(6):
        shift = 1  # UPC in W12-07, qualifier/id/lot one element to the right
    qualifier, value = w12.text(7 + shift), w12.text(8 + shift)
    if bool(qualifier) != bool(value):
        raise cursor.fail(w12, "W12-07/08 must come as qualifier and id together",
                          8 + shift if qualifier else 7 + shift, "1")
    return {
        "status": cursor.req(w12, 1), "quantity_ordered": cursor.number(w12, 2),
        "quantity_shipped": cursor.number(w12, 3), "quantity_difference": cursor.number(w12, 4),
        "unit": cursor.req(w12, 5),
        "upc_case_code": cursor.opt(w12, 6 + shift),
        "product_id": ProductId(qualifier=qualifier, value=value) if qualifier else None,
        "lot": cursor.opt(w12, 9 + shift),
    }


def _item(cursor: Cursor) -> ShippedItem945:
    fields = _w12(cursor, cursor.take("W12"))
    references: list[Reference] = []
    dates: list[DateRef] = []
    while cursor.peek() not in (None, "W12", "LX", "W03"):
        segment = cursor.next()
        if segment.tag == "G69":
            fields["description"] = cursor.req(segment, 1)
        elif segment.tag == "N9":
            references.append(read_reference(cursor, segment))
        elif segment.tag == "G62":
            dates.append(read_g62(cursor, segment))
        elif segment.tag == "W27":
            fields["carrier"] = read_w27(cursor, segment)
        else:
            cursor.skipped.append(segment.tag)
    return ShippedItem945.model_validate(fields | {"references": references, "dates": dates})


def _package(cursor: Cursor) -> PackageLoop945:
    lx = cursor.take("LX")
    marks: list[Mark] = []
    references: list[Reference] = []
    while cursor.peek() not in (None, "W12", "LX", "W03"):
        segment = cursor.next()
        if segment.tag == "MAN":
            marks.append(Mark(qualifier=cursor.req(segment, 1), number=cursor.req(segment, 2)))
        elif segment.tag == "N9":
            references.append(read_reference(cursor, segment))
        else:
            cursor.skipped.append(segment.tag)
    items: list[ShippedItem945] = []
    while cursor.at("W12"):
        items.append(_item(cursor))
    return PackageLoop945(assigned_number=cursor.req(lx, 1), marks=marks, references=references,
                          items=items)


def decode_945(ts: TransactionSet) -> ShippingAdvice945:
    cursor = Cursor(ts, CODE)
    fields: dict[str, object] = {"shipment": read_w06(cursor, cursor.take("W06"))}
    parties: list[Party] = []
    references: list[Reference] = []
    dates: list[DateRef] = []
    notes: list[Note] = []
    packages: list[PackageLoop945] = []
    while (tag := cursor.peek()) is not None:
        if tag == "N1":
            parties += read_parties(cursor)
            continue
        if tag == "LX":
            packages.append(_package(cursor))
            continue
        segment = cursor.next()
        if tag == "N9":
            references.append(read_reference(cursor, segment))
        elif tag == "G62":
            dates.append(read_g62(cursor, segment))
        elif tag == "NTE":
            notes.append(Note(code=cursor.opt(segment, 1), text=cursor.req(segment, 2)))
        elif tag == "W27":
            fields["carrier"] = read_w27(cursor, segment)
        elif tag == "W03":
            fields["totals"] = read_totals(cursor, segment)
        else:
            cursor.skipped.append(segment.tag)
    return ShippingAdvice945.model_validate(fields | {
        "parties": parties, "references": references, "dates": dates, "notes": notes,
        "packages": packages, "unmapped_segments": cursor.skipped,
    })

