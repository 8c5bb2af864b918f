"""943 Warehouse Stock Transfer Shipment Advice (004010): marketdock → warehouse,
"this stock is on its way to you" (the warehouse-style inbound ASN)."""

from __future__ import annotations

from decimal import Decimal

from ..model import Segment, TransactionSet
from .common import (
    Carrier,
    Cursor,
    DateRef,
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
    read_w27,
    write_g62,
    write_parties,
    write_reference,
    write_totals,
    write_w27,
)
from .w06 import ShipmentIdentification, read_w06, write_w06

CODE = "943"
FUNCTIONAL_ID = "AR"


class TransferLine943(Wire):
    """W04 loop: units shipped, unit, UPC case code, up to two product ids, lot."""

    quantity: Decimal
    unit: str
    upc_case_code: str | None = None
    product_ids: list[ProductId] = []
    description: str | None = None
    references: list[Reference] = []

    @property
    def line_reference(self) -> str | None:
        return next((r.value for r in self.references if r.qualifier == "LI"), None)


class StockTransferShipment943(Wire):
    """W06 identification, parties, references, the mandatory W27 carrier, lines and the
    mandatory W03 totals."""

    shipment: ShipmentIdentification
    parties: list[Party] = []
    references: list[Reference] = []
    dates: list[DateRef] = []
    carrier: Carrier
    lines: list[TransferLine943]
    totals: Totals
    unmapped_segments: list[str] = []


def encode_943(advice: StockTransferShipment943) -> list[Segment]:
    out = [write_w06(advice.shipment)]
    out += write_parties(advice.parties)
    out += [write_reference(r) for r in advice.references]
    out += [write_g62(d) for d in advice.dates]
    out.append(write_w27(advice.carrier))
    for line in advice.lines:
        out.append(Segment.of("W04", fmt_number(line.quantity), line.unit, line.upc_case_code,
                              *id_pairs(line.product_ids, 2)))
        if line.description:
            out.append(Segment.of("G69", line.description))
        out += [write_reference(r) for r in line.references]
    out.append(write_totals("W03", advice.totals))
    return out


def _line(cursor: Cursor) -> TransferLine943:
    w04 = cursor.take("W04")
    fields: dict[str, object] = {
        "quantity": cursor.req_number(w04, 1), "unit": cursor.req(w04, 2),
        "upc_case_code": cursor.opt(w04, 3), "product_ids": product_ids(cursor, w04, (4, 6)),
    }
    references: list[Reference] = []
    while cursor.peek() not in (None, "W04", "LX", "W03"):
        segment = cursor.next()
        if segment.tag == "G69":
            fields["description"] = cursor.req(segment, 1)
        elif segment.tag == "N9":
            references.append(read_reference(cursor, segment))
        else:
            cursor.skipped.append(segment.tag)
    return TransferLine943.model_validate(fields | {"references": references})


def decode_943(ts: TransactionSet) -> StockTransferShipment943:
    cursor = Cursor(ts, CODE)
    fields: dict[str, object] = {"shipment": read_w06(cursor, cursor.take("W06"))}
    parties: list[Party] = []
    references: list[Reference] = []
    dates: list[DateRef] = []
    lines: list[TransferLine943] = []
    while (tag := cursor.peek()) is not None:
        if tag == "N1":
            parties += read_parties(cursor)
            continue
        if tag == "W04":
            lines.append(_line(cursor))
            continue
        segment = cursor.next()
        if tag == "N9":
            references.append(read_reference(cursor, segment))
        elif tag == "G62":
            dates.append(read_g62(cursor, segment))
        elif tag == "W27":
            fields["carrier"] = read_w27(cursor, segment)
        elif tag == "W03":
            fields["totals"] = read_totals(cursor, segment)
        else:
            cursor.skipped.append(tag)
    for tag, key in (("W27", "carrier"), ("W03", "totals"), ("W04", "lines")):
        if key not in fields and not (key == "lines" and lines):
            raise cursor.fail(ts.se, f"mandatory segment {tag} is missing", code="3")
    return StockTransferShipment943.model_validate(fields | {
        "parties": parties, "references": references, "dates": dates, "lines": lines,
        "unmapped_segments": cursor.skipped,
    })
