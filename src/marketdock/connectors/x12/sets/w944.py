"""944 Warehouse Stock Transfer Receipt Advice (004010): warehouse → marketdock,
what was actually received, with W13 exceptions (damaged, short, over)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from ..model import Segment, TransactionSet
from .common import (
    Cursor,
    DateRef,
    Party,
    ProductId,
    Reference,
    Wire,
    fmt_date,
    fmt_number,
    id_pairs,
    product_ids,
    read_g62,
    read_parties,
    read_reference,
    write_g62,
    write_parties,
    write_reference,
)

CODE = "944"
FUNCTIONAL_ID = "RE"


class ReceiptException(Wire):
    """W13: quantity, unit, receiving condition (``01`` damaged, ``02`` short, ``03`` over …),
    lot, damage reason."""

    quantity: Decimal
    unit: str
    condition: str
    lot: str | None = None
    damage_reason: str | None = None


class ReceivedLine944(Wire):
    """W07 loop: quantity received, unit, UPC case code, product ids, lot."""

    quantity: Decimal
    unit: str
    upc_case_code: str | None = None
    product_ids: list[ProductId] = []
    lot: str | None = None
    description: str | None = None
    references: list[Reference] = []
    exceptions: list[ReceiptException] = []


class StockTransferReceipt944(Wire):
    """W17: reporting code, receipt date, warehouse receipt number, depositor order
    (the 943/ASN it answers), shipment id; W14 total received."""

    reporting_code: str = "F"
    date: dt.date
    warehouse_receipt_number: str
    depositor_order_number: str | None = None
    shipment_id: str | None = None
    parties: list[Party] = []
    references: list[Reference] = []
    dates: list[DateRef] = []
    lines: list[ReceivedLine944]
    total_received: Decimal
    unmapped_segments: list[str] = []


def encode_944(receipt: StockTransferReceipt944) -> list[Segment]:
    out = [Segment.of("W17", receipt.reporting_code, fmt_date(receipt.date),
                      receipt.warehouse_receipt_number, receipt.depositor_order_number,
                      receipt.shipment_id)]
    out += write_parties(receipt.parties)
    out += [write_reference(r) for r in receipt.references]
    out += [write_g62(d) for d in receipt.dates]
    for line in receipt.lines:
        out.append(Segment.of("W07", fmt_number(line.quantity), line.unit, line.upc_case_code,
                              *id_pairs(line.product_ids, 2), line.lot))
        if line.description:
            out.append(Segment.of("G69", line.description))
        out += [write_reference(r) for r in line.references]
        out += [Segment.of("W13", fmt_number(e.quantity), e.unit, e.condition, e.lot,
                           e.damage_reason) for e in line.exceptions]
    out.append(Segment.of("W14", fmt_number(receipt.total_received)))
    return out


def _line(cursor: Cursor) -> ReceivedLine944:
    w07 = cursor.take("W07")
    fields: dict[str, object] = {
        "quantity": cursor.req_number(w07, 1), "unit": cursor.req(w07, 2),
        "upc_case_code": cursor.opt(w07, 3), "product_ids": product_ids(cursor, w07, (4, 6)),
        "lot": cursor.opt(w07, 8),
    }
    references: list[Reference] = []
    exceptions: list[ReceiptException] = []
    while cursor.peek() not in (None, "W07", "LX", "W14"):
        segment = cursor.next()
        if segment.tag == "G69":
            fields["description"] = cursor.req(segment, 1)
        elif segment.tag == "N9":
            references.append(read_reference(cursor, segment))
        elif segment.tag == "W13":
            exceptions.append(ReceiptException(
                quantity=cursor.req_number(segment, 1), unit=cursor.req(segment, 2),
                condition=cursor.req(segment, 3), lot=cursor.opt(segment, 4),
                damage_reason=cursor.opt(segment, 5)))
        else:
            cursor.skipped.append(segment.tag)
    return ReceivedLine944.model_validate(fields | {"references": references,
                                                   "exceptions": exceptions})


def decode_944(ts: TransactionSet) -> StockTransferReceipt944:
    cursor = Cursor(ts, CODE)
    w17 = cursor.take("W17")
    received_on = cursor.date(w17, 2)
    if received_on is None:
        raise cursor.fail(w17, "mandatory element W1702 is missing", 2, "1")
    fields: dict[str, object] = {
        "reporting_code": cursor.req(w17, 1), "date": received_on,
        "warehouse_receipt_number": cursor.req(w17, 3),
        "depositor_order_number": cursor.opt(w17, 4), "shipment_id": cursor.opt(w17, 5),
    }
    parties: list[Party] = []
    references: list[Reference] = []
    dates: list[DateRef] = []
    lines: list[ReceivedLine944] = []
    while (tag := cursor.peek()) is not None:
        if tag == "N1":
            parties += read_parties(cursor)
            continue
        if tag == "W07":
            lines.append(_line(cursor))
            continue
        segment = cursor.next()
        if tag == "N9":
            references.append(read_reference(cursor, segment))
        elif tag == "G62":
            dates.append(read_g62(cursor, segment))
        elif tag == "W14":
            fields["total_received"] = cursor.req_number(segment, 1)
        else:
            cursor.skipped.append(tag)
    if "total_received" not in fields:
        raise cursor.fail(ts.se, "mandatory segment W14 is missing", code="3")
    if not lines:
        raise cursor.fail(ts.se, "mandatory segment W07 is missing", code="3")
    return StockTransferReceipt944.model_validate(fields | {
        "parties": parties, "references": references, "dates": dates, "lines": lines,
        "unmapped_segments": cursor.skipped,
    })
