"""940 Warehouse Shipping Order (004010): marketdock → warehouse."""

from __future__ import annotations

from decimal import Decimal

from ..model import Segment, TransactionSet
from .common import (
    Cursor,
    DateRef,
    Note,
    Party,
    ProductId,
    Reference,
    Totals,
    Wire,
    fmt_number,
    id_pairs,
    product_ids,
    read_g62,
    read_parties,
    read_reference,
    read_totals,
    write_g62,
    write_parties,
    write_reference,
    write_totals,
)

CODE = "940"
FUNCTIONAL_ID = "OW"


class ShippingInstructions(Wire):
    """W66: payment method (``PP`` prepaid, ``CC`` collect, ``TP`` third party),
    transport method (``U`` parcel, ``M`` motor …), routing/service text, SCAC."""

    payment: str
    transport_method: str
    routing: str | None = None
    scac: str | None = None


class OrderLine940(Wire):
    """LX loop with W01: ordered quantity and product ids; ``N9*LI`` carries the line
    number the 945 echoes."""

    assigned_number: int
    quantity: Decimal
    unit: str
    upc_case_code: str | None = None
    product_ids: list[ProductId] = []
    description: str | None = None
    references: list[Reference] = []
    dates: list[DateRef] = []

    @property
    def line_reference(self) -> str | None:
        return next((r.value for r in self.references if r.qualifier == "LI"), None)


CANCEL = "F"
"""W05-01 of a 940 that cancels the order its W05-02 names."""


class ShippingOrder940(Wire):
    """W05 status ``N`` original, ``R`` change, ``F`` cancel; W05-02 is marketdock's
    order id (the depositor order number the warehouse echoes in W06-02)."""

    status: str = "N"
    depositor_order_number: str
    purchase_order_number: str | None = None
    link_sequence: str | None = None
    master_reference: str | None = None
    parties: list[Party] = []
    references: list[Reference] = []
    dates: list[DateRef] = []
    notes: list[Note] = []
    instructions: ShippingInstructions | None = None
    lines: list[OrderLine940] = []
    totals: Totals | None = None
    unmapped_segments: list[str] = []

    def party(self, entity: str) -> Party | None:
        return next((p for p in self.parties if p.entity == entity), None)


def encode_940(order: ShippingOrder940) -> list[Segment]:
    """The body (between ST and SE) of a 940 for ``order``."""
    out = [Segment.of("W05", order.status, order.depositor_order_number,
                      order.purchase_order_number, order.link_sequence, order.master_reference)]
    out += write_parties(order.parties)
    out += [write_reference(r) for r in order.references]
    out += [write_g62(d) for d in order.dates]
    out += [Segment.of("NTE", n.code, n.text) for n in order.notes]
    if order.instructions:
        w66 = order.instructions
        out.append(Segment.of("W66", w66.payment, w66.transport_method, None, None, w66.routing,
                              None, None, None, None, w66.scac))
    for line in order.lines:
        out.append(Segment.of("LX", str(line.assigned_number)))
        out.append(Segment.of("W01", fmt_number(line.quantity), line.unit, line.upc_case_code,
                              *id_pairs(line.product_ids, 2)))
        if line.description:
            out.append(Segment.of("G69", line.description))
        out += [write_reference(r) for r in line.references]
        out += [write_g62(d) for d in line.dates]
    if order.totals:
        out.append(write_totals("W76", order.totals))
    return out


def _line(cursor: Cursor) -> OrderLine940:
    lx = cursor.take("LX")
    w01 = cursor.take("W01")
    description: str | None = None
    references: list[Reference] = []
    dates: list[DateRef] = []
    while cursor.peek() not in (None, "LX", "W76"):
        segment = cursor.next()
        if segment.tag == "G69":
            description = cursor.req(segment, 1)
        elif segment.tag == "N9":
            references.append(read_reference(cursor, segment))
        elif segment.tag == "G62":
            dates.append(read_g62(cursor, segment))
        else:
            cursor.skipped.append(segment.tag)
    number = cursor.req(lx, 1)
    if not number.isdigit():
        raise cursor.fail(lx, f"LX01 must be a number, got {number!r}", 1, "6")
    return OrderLine940(
        assigned_number=int(number), quantity=cursor.req_number(w01, 1),
        unit=cursor.req(w01, 2), upc_case_code=cursor.opt(w01, 3),
        product_ids=product_ids(cursor, w01, (4, 6)), description=description,
        references=references, dates=dates,
    )


def decode_940(ts: TransactionSet) -> ShippingOrder940:
    """Read a 940 transaction set."""
    cursor = Cursor(ts, CODE)
    w05 = cursor.take("W05")
    fields: dict[str, object] = {
        "status": cursor.req(w05, 1), "depositor_order_number": cursor.req(w05, 2),
        "purchase_order_number": cursor.opt(w05, 3), "link_sequence": cursor.opt(w05, 4),
        "master_reference": cursor.opt(w05, 5),
    }
    parties: list[Party] = []
    references: list[Reference] = []
    dates: list[DateRef] = []
    notes: list[Note] = []
    lines: list[OrderLine940] = []
    while (tag := cursor.peek()) is not None:
        if tag == "N1":
            parties += read_parties(cursor)
            continue
        if tag == "LX":
            lines.append(_line(cursor))
            continue
        segment = cursor.next()
        if segment.tag == "N9":
            references.append(read_reference(cursor, segment))
        elif segment.tag == "G62":
            dates.append(read_g62(cursor, segment))
        elif segment.tag == "NTE":
            notes.append(Note(code=cursor.opt(segment, 1), text=cursor.req(segment, 2)))
        elif segment.tag == "W66":
            fields["instructions"] = ShippingInstructions(
                payment=cursor.req(segment, 1), transport_method=cursor.req(segment, 2),
                routing=cursor.opt(segment, 5), scac=cursor.opt(segment, 10))
        elif segment.tag == "W76":
            fields["totals"] = read_totals(cursor, segment)
        else:
            cursor.skipped.append(segment.tag)
    return ShippingOrder940.model_validate(fields | {
        "parties": parties, "references": references, "dates": dates, "notes": notes,
        "lines": lines, "unmapped_segments": cursor.skipped,
    })
