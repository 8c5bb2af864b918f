"""856 Ship Notice/Manifest (ASN): BSN header and a flat list of HL levels.

The HL tree (shipment ``S`` › order ``O`` › tare ``T`` / pack ``P`` › item ``I``) is
kept as the flat sequence the document carries, each level naming its parent, so
any hierarchy code (0001, 0002 …) round-trips.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from ..errors import X12ParseError
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
from .w846 import DateTime, read_dtm, write_dtm
from .w945 import Mark

CODE = "856"
FUNCTIONAL_ID = "SH"
_LIN_ID_PAIRS = 5


class Packaging(Wire):
    """TD1: packaging code (``CTN`` …), lading quantity, weight with qualifier and unit."""

    packaging_code: str | None = None
    lading_quantity: Decimal | None = None
    weight_qualifier: str | None = None
    weight: Decimal | None = None
    weight_unit: str | None = None


class Routing(Wire):
    """TD5: id qualifier (``2`` = SCAC), carrier id, transport method, routing text."""

    id_qualifier: str | None = None
    carrier_id: str | None = None
    transport_method: str | None = None
    routing: str | None = None


class ItemDetail(Wire):
    """SN1: units shipped and unit."""

    assigned_id: str | None = None
    quantity: Decimal
    unit: str


class HierarchyLevel856(Wire):
    id: str
    parent_id: str | None = None
    level: str
    packaging: list[Packaging] = []
    routing: list[Routing] = []
    references: list[Reference] = []
    dates: list[DateTime] = []
    parties: list[Party] = []
    purchase_order_number: str | None = None
    marks: list[Mark] = []
    line_id: str | None = None
    product_ids: list[ProductId] = []
    shipped: ItemDetail | None = None
    description: str | None = None


class ShipNotice856(Wire):
    """BSN: purpose (``00`` original), shipment id, date, time, hierarchy structure."""

    purpose: str = "00"
    shipment_id: str
    date: dt.date
    time: str
    structure: str | None = None
    dates: list[DateTime] = []
    levels: list[HierarchyLevel856] = []
    unmapped_segments: list[str] = []


def encode_856(notice: ShipNotice856) -> list[Segment]:
    out = [Segment.of("BSN", notice.purpose, notice.shipment_id, fmt_date(notice.date),
                      notice.time, notice.structure)]
    out += [write_dtm(d) for d in notice.dates]
    for level in notice.levels:
        out.append(Segment.of("HL", level.id, level.parent_id, level.level))
        if level.line_id or level.product_ids:
            out.append(Segment.of("LIN", level.line_id,
                                  *id_pairs(level.product_ids, _LIN_ID_PAIRS)))
        if level.shipped:
            out.append(Segment.of("SN1", level.shipped.assigned_id,
                                  fmt_number(level.shipped.quantity), level.shipped.unit))
        if level.purchase_order_number:
            out.append(Segment.of("PRF", level.purchase_order_number))
        if level.description:
            out.append(Segment.of("PID", "F", None, None, None, level.description))
        out += [Segment.of("TD1", p.packaging_code, fmt_number(p.lading_quantity), None, None,
                           None, p.weight_qualifier, fmt_number(p.weight), p.weight_unit)
                for p in level.packaging]
        out += [Segment.of("TD5", None, r.id_qualifier, r.carrier_id, r.transport_method,
                           r.routing) for r in level.routing]
        out += [write_reference(r, "REF") for r in level.references]
        out += [Segment.of("MAN", m.qualifier, m.number) for m in level.marks]
        out += [write_dtm(d) for d in level.dates]
        out += write_parties(level.parties)
    out.append(Segment.of("CTT", str(len(notice.levels))))
    return out


def _level(cursor: Cursor) -> HierarchyLevel856:
    hl = cursor.take("HL")
    fields: dict[str, object] = {"id": cursor.req(hl, 1), "parent_id": cursor.opt(hl, 2),
                                 "level": cursor.req(hl, 3)}
    lists: dict[str, list[object]] = {k: [] for k in (
        "packaging", "routing", "references", "dates", "parties", "marks")}
    while cursor.peek() not in (None, "HL", "CTT"):
        if cursor.at("N1"):
            lists["parties"] += read_parties(cursor)
            continue
        segment = cursor.next()
        tag = segment.tag
        if tag == "LIN":
            fields["line_id"] = cursor.opt(segment, 1)
            fields["product_ids"] = product_ids(cursor, segment, range(2, 12, 2))
        elif tag == "SN1":
            fields["shipped"] = ItemDetail(assigned_id=cursor.opt(segment, 1),
                                           quantity=cursor.req_number(segment, 2),
                                           unit=cursor.req(segment, 3))
        elif tag == "PID":
            fields["description"] = cursor.opt(segment, 5)
        elif tag == "PRF":
            fields["purchase_order_number"] = cursor.req(segment, 1)
        elif tag == "TD1":
            lists["packaging"].append(Packaging(
                packaging_code=cursor.opt(segment, 1), lading_quantity=cursor.number(segment, 2),
                weight_qualifier=cursor.opt(segment, 6), weight=cursor.number(segment, 7),
                weight_unit=cursor.opt(segment, 8)))
        elif tag == "TD5":
            lists["routing"].append(Routing(
                id_qualifier=cursor.opt(segment, 2), carrier_id=cursor.opt(segment, 3),
                transport_method=cursor.opt(segment, 4), routing=cursor.opt(segment, 5)))
        elif tag == "REF":
            lists["references"].append(read_reference(cursor, segment))
        elif tag == "DTM":
            lists["dates"].append(read_dtm(cursor, segment))
        elif tag == "MAN":
            lists["marks"].append(Mark(qualifier=cursor.req(segment, 1),
                                       number=cursor.req(segment, 2)))
        else:
            cursor.skipped.append(tag)
    return HierarchyLevel856.model_validate(fields | lists)


def decode_856(ts: TransactionSet) -> ShipNotice856:
    cursor = Cursor(ts, CODE)
    bsn = cursor.take("BSN")
    shipped_on = cursor.date(bsn, 3)
    if shipped_on is None:
        raise cursor.fail(bsn, "mandatory element BSN03 is missing", 3, "1")
    fields: dict[str, object] = {
        "purpose": cursor.req(bsn, 1), "shipment_id": cursor.req(bsn, 2), "date": shipped_on,
        "time": cursor.req(bsn, 4), "structure": cursor.opt(bsn, 5),
    }
    dates: list[DateTime] = []
    levels: list[HierarchyLevel856] = []
    while (tag := cursor.peek()) is not None:
        if tag == "HL":
            levels.append(_level(cursor))
            continue
        segment = cursor.next()
        if tag == "DTM":
            dates.append(read_dtm(cursor, segment))
        elif tag == "CTT":
            count = cursor.req_number(segment, 1)
            if count != len(levels):
                raise cursor.fail(segment, f"CTT01 says {count} HL levels, the set has "
                                  f"{len(levels)}", 1, "6")
        else:
            cursor.skipped.append(tag)
    known = {level.id for level in levels}
    for level in levels:
        if level.parent_id and level.parent_id not in known:
            raise _unknown_parent(cursor, level)
    return ShipNotice856.model_validate(fields | {"dates": dates, "levels": levels,
                                                  "unmapped_segments": cursor.skipped})


def _unknown_parent(cursor: Cursor, level: HierarchyLevel856) -> X12ParseError:
    hl = next(s for s in cursor.segments if s.tag == "HL" and s.text(1) == level.id)
    return cursor.fail(hl, f"HL02 parent {level.parent_id!r} is not an HL of this set", 2, "7")
