"""EDIFACT golden tests: the shared ORDERS and DESADV samples, ORDERS and INVRPT written
and read back, broken envelopes rejected with the segment named."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from pathlib import Path

import pytest

from marketdock.connectors.edifact import (
    ACTUAL_STOCK,
    DESPATCHED,
    ORDERED,
    EdiDate,
    EdifactParseError,
    EdiLine,
    EdiParty,
    EdiQuantity,
    EdiReference,
    InventoryReport,
    OrdersMessage,
    invrpt_draft,
    orders_draft,
    parse_edifact,
    read_desadv,
    read_invrpt,
    read_orders,
    write_edifact,
)
from marketdock.errors import ParseError

SAMPLES = Path(__file__).resolve().parents[3].parent / "shared/contracts/edi/samples/edifact"
ORDERS_SAMPLE = (SAMPLES / "ORDERS_D96A_pydifact_order.edi").read_bytes()
DESADV_SAMPLE = (SAMPLES / "DESADV_D96A_phpedifact.edi").read_bytes()
AT = datetime(2026, 1, 15, 16, 30)

ORDER = OrdersMessage(
    document_number="OTTO-4711-0001", function="9",
    dates=[EdiDate(qualifier="137", value="20260115", format="102")],
    references=[EdiReference(qualifier="ON", value="OTTO-4711")],
    parties=[EdiParty(role="DP", id="4000000000001", agency="9"), EdiParty(role="BY")],
    lines=[
        EdiLine(number="1", item_id="4006381333931", item_type="SRV",
                description="T-Shirt red M, size+fit: 'slim'",
                quantities=[EdiQuantity(qualifier=ORDERED, quantity=Decimal(2), unit="PCE")],
                references=[EdiReference(qualifier="LI", value="1")]),
        EdiLine(number="2", item_id="4006381333948", item_type="SRV",
                additional_ids=["SKU-BLUE-L"],
                quantities=[EdiQuantity(qualifier=ORDERED, quantity=Decimal("3.5"))]),
    ],
)
REPORT = InventoryReport(
    document_number="INV-20260115", function="9",
    dates=[EdiDate(qualifier="366", value="202601150600", format="203")],
    parties=[EdiParty(role="WH", id="4000000000001", agency="9")],
    lines=[EdiLine(number="1", item_id="4006381333931", item_type="SRV",
                   quantities=[EdiQuantity(qualifier=ACTUAL_STOCK, quantity=Decimal(120)),
                               EdiQuantity(qualifier="17", quantity=Decimal(100))])],
)


def _write(*drafts: object) -> str:
    return write_edifact(list(drafts), sender=["4000000000002", "14"],  # type: ignore[arg-type]
                         recipient=["4000000000001", "14"], control_reference="42", at=AT)


def test_orders_sample() -> None:
    interchange = parse_edifact(ORDERS_SAMPLE)
    assert interchange.notes == ("no UNZ trailer",)
    assert interchange.sender == ("12345678", "8")
    [message] = interchange.messages
    order = read_orders(message)
    assert (order.document_code, order.document_number) == ("220", "801715918011")
    assert order.party("DP") == EdiParty(role="DP", id="8711576100019", agency="9")
    assert [(line.item_id, line.item_type, line.quantity(ORDERED)) for line in order.lines] == [
        ("5020436373085", "EN", Decimal(8)), ("5020436373108", "EN", Decimal(8))]
    assert order.lines[0].references == [EdiReference(qualifier="PD", value="99")]
    assert order.references == [EdiReference(qualifier="PD", value="50515")]
    assert order.dates[1] == EdiDate(qualifier="2", value="201508060000", format="203")


def test_desadv_sample() -> None:
    [message] = parse_edifact(DESADV_SAMPLE).messages
    advice = read_desadv(message)
    assert (advice.document_code, advice.document_number) == ("351", "Y02197250")
    assert advice.dates == [EdiDate(qualifier="11", value="20160726", format="102")]
    assert advice.references[0] == EdiReference(qualifier="ON", value="6877871")
    assert advice.party("SU") == EdiParty(role="SU", id="1694901", agency="31B")
    [package] = advice.packages
    assert (package.number, package.tracking_number, advice.lines) == ("IE2156580387", None, [])
    assert [(line.number, line.additional_ids, line.description, line.quantity(DESPATCHED))
            for _, line in advice.items()] == [
        ("001", ["9780738507330"], "MUNCIE THE MIDDLE", Decimal(1)),
        ("002", ["9781568361871"], "ROADS TO SATA A 2", Decimal(1))]
    assert package.lines[1].references[0] == EdiReference(qualifier="LI", value="6905456")


def test_orders_written_golden_and_read_back() -> None:
    text = _write(orders_draft(ORDER))
    assert text.startswith("UNB+UNOC:3+4000000000002:14+4000000000001:14+260115:1630+42'")
    assert "IMD+F++:::T-Shirt red M, size?+fit?: ?'slim?''" in text
    assert "UNT+15+1'UNZ+1+42'" in text
    [message] = parse_edifact(text).messages
    assert message.identifier == ("ORDERS", "D", "96A", "UN", "EAN008")
    assert read_orders(message) == ORDER


def test_invrpt_written_and_read_back() -> None:
    text = _write(invrpt_draft(REPORT), invrpt_draft(REPORT))
    interchange = parse_edifact(text)
    assert [m.reference for m in interchange.messages] == ["1", "2"]
    assert "QTY+145:120'QTY+17:100'" in text
    assert [read_invrpt(m) for m in interchange.messages] == [REPORT, REPORT]


def test_reading_the_wrong_message_type_fails() -> None:
    [message] = parse_edifact(DESADV_SAMPLE).messages
    with pytest.raises(EdifactParseError, match="ORDERS"):
        read_orders(message)


@pytest.mark.parametrize(
    ("broken", "segment_tag", "element"),
    [
        (lambda t: t.replace("UNT+21+142", "UNT+20+142"), "UNT", 1),
        (lambda t: t.replace("UNT+21+142", "UNT+21+143"), "UNT", 2),
        (lambda t: t.replace("UNZ+1+1", "UNZ+2+1"), "UNZ", 1),
        (lambda t: t.replace("UNZ+1+1", "UNZ+1+9"), "UNZ", 2),
        (lambda t: t.replace("UNT+21+142'\n", ""), "UNZ", None),
    ],
)
def test_broken_envelopes(broken: object, segment_tag: str, element: int | None) -> None:
    text = broken(DESADV_SAMPLE.decode("latin-1"))  # type: ignore[operator]
    with pytest.raises(EdifactParseError) as caught:
        parse_edifact(text)
    assert (caught.value.segment_tag, caught.value.element) == (segment_tag, element)
    assert isinstance(caught.value, ParseError)


def test_not_edifact() -> None:
    with pytest.raises(EdifactParseError):
        parse_edifact(b"ISA*00*")


def test_truncated() -> None:
    with pytest.raises(EdifactParseError):
        parse_edifact(DESADV_SAMPLE[:200])


def test_bad_quantity() -> None:
    [message] = parse_edifact(DESADV_SAMPLE.replace(b"QTY+12:1'", b"QTY+12:x'", 1)).messages
    with pytest.raises(EdifactParseError, match="QTY"):
        read_desadv(message)


def test_undecodable_bytes() -> None:
    with pytest.raises(EdifactParseError, match="0xFF"):
        parse_edifact(DESADV_SAMPLE.replace(b"MUNCIE", b"MUNC\xffE"), encoding="utf-8")
