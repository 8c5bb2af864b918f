"""846 Inventory Inquiry/Advice (004010): warehouse → marketdock stock positions.

QTY qualifiers are partner-specific; the common pair is ``17`` on hand and ``33``
available for sale. Items keep every QTY as sent; :meth:`InventoryItem846.quantity`
looks one up by qualifier.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from ..model import Segment, TransactionSet
from .common import (
    Cursor,
    Party,
    ProductId,
    Reference,
    Wire,
    fmt_date,
    fmt_number,
    id_pairs,
    product_ids,
    read_parties,
    read_reference,
    write_parties,
    write_reference,
)

CODE = "846"
FUNCTIONAL_ID = "IB"
ON_HAND = "17"
AVAILABLE = "33"
_LIN_ID_PAIRS = 5


class Quantity(Wire):
    qualifier: str
    quantity: Decimal
    unit: str | None = None


class DateTime(Wire):
    """DTM: qualifier, date, time."""

    qualifier: str
    date: dt.date | None = None
    time: str | None = None


class InventoryItem846(Wire):
    """LIN loop: ids, PID description, REF (``LT`` lot), QTY quantities."""

    assigned_id: str | None = None
    product_ids: list[ProductId]
    description: str | None = None
    references: list[Reference] = []
    quantities: list[Quantity] = []

    def quantity(self, qualifier: str) -> Decimal | None:
        return next((q.quantity for q in self.quantities if q.qualifier == qualifier), None)

    @property
    def on_hand(self) -> Decimal | None:
        return self.quantity(ON_HAND)

    @property
    def available(self) -> Decimal | None:
        return self.quantity(AVAILABLE)

    def product_id(self, *qualifiers: str) -> str | None:
        return next((p.value for p in self.product_ids if p.qualifier in qualifiers), None)


class InventoryAdvice846(Wire):
    """BIA: purpose (``00`` original), report type (``SI``, ``DD``, ``MM`` … per partner),
    report id, date, time."""

    purpose: str = "00"
    report_type: str
    reference_id: str
    date: dt.date
    time: str | None = None
    dates: list[DateTime] = []
    references: list[Reference] = []
    parties: list[Party] = []
    items: list[InventoryItem846] = []
    line_count: int | None = None
    unmapped_segments: list[str] = []


def write_dtm(value: DateTime) -> Segment:
    return Segment.of("DTM", value.qualifier, fmt_date(value.date), value.time)


def read_dtm(cursor: Cursor, segment: Segment) -> DateTime:
    return DateTime(qualifier=cursor.req(segment, 1), date=cursor.date(segment, 2),
                    time=cursor.opt(segment, 3))


def encode_846(advice: InventoryAdvice846) -> list[Segment]:
    out = [Segment.of("BIA", advice.purpose, advice.report_type, advice.reference_id,
                      fmt_date(advice.date), advice.time)]
    out += [write_dtm(d) for d in advice.dates]
    out += [write_reference(r, "REF") for r in advice.references]
    out += write_parties(advice.parties)
    for item in advice.items:
        out.append(Segment.of("LIN", item.assigned_id, *id_pairs(item.product_ids,
                                                                  _LIN_ID_PAIRS)))
        if item.description:
            out.append(Segment.of("PID", "F", None, None, None, item.description))
        out += [write_reference(r, "REF") for r in item.references]
        out += [Segment.of("QTY", q.qualifier, fmt_number(q.quantity), q.unit)
                for q in item.quantities]
    count = advice.line_count if advice.line_count is not None else len(advice.items)
    out.append(Segment.of("CTT", str(count)))
    return out


def _item(cursor: Cursor) -> InventoryItem846:
    lin = cursor.take("LIN")
    ids = product_ids(cursor, lin, range(2, 2 + 2 * _LIN_ID_PAIRS, 2))
    if not ids:
        raise cursor.fail(lin, "LIN carries no product id", 2, "1")
    fields: dict[str, object] = {"assigned_id": cursor.opt(lin, 1), "product_ids": ids}
    references: list[Reference] = []
    quantities: list[Quantity] = []
    while cursor.peek() not in (None, "LIN", "CTT"):
        segment = cursor.next()
        if segment.tag == "PID":
            fields["description"] = cursor.opt(segment, 5)
        elif segment.tag == "REF":
            references.append(read_reference(cursor, segment))
        elif segment.tag == "QTY":
            quantities.append(Quantity(qualifier=cursor.req(segment, 1),
                                       quantity=cursor.req_number(segment, 2),
                                       unit=segment.components(3)[0] or None))
        else:
            cursor.skipped.append(segment.tag)
    return InventoryItem846.model_validate(fields | {"references": references,
                                                     "quantities": quantities})


def decode_846(ts: TransactionSet) -> InventoryAdvice846:
    cursor = Cursor(ts, CODE)
    bia = cursor.take("BIA")
    fields: dict[str, object] = {
        "purpose": cursor.req(bia, 1), "report_type": cursor.req(bia, 2),
        "reference_id": cursor.req(bia, 3), "date": cursor.date(bia, 4),
        "time": cursor.opt(bia, 5),
    }
    if fields["date"] is None:
        raise cursor.fail(bia, "mandatory element BIA04 is missing", 4, "1")
    dates: list[DateTime] = []
    references: list[Reference] = []
    parties: list[Party] = []
    items: list[InventoryItem846] = []
    while (tag := cursor.peek()) is not None:
        if tag == "N1":
            parties += read_parties(cursor)
            continue
        if tag == "LIN":
            items.append(_item(cursor))
            continue
        segment = cursor.next()
        if tag == "DTM":
            dates.append(read_dtm(cursor, segment))
        elif tag == "REF":
            references.append(read_reference(cursor, segment))
        elif tag == "CTT":
            count = cursor.req_number(segment, 1)
            if count != len(items):
                raise cursor.fail(segment, f"CTT01 says {count} items, the set has {len(items)}",
                                  1, "6")
            fields["line_count"] = int(count)
        else:
            cursor.skipped.append(segment.tag)
    return InventoryAdvice846.model_validate(fields | {
        "dates": dates, "references": references, "parties": parties, "items": items,
        "unmapped_segments": cursor.skipped,
    })
