"""Every document marketdock writes passes the independent ``ansi-x12`` structural check
(separators from a fixed-width ISA, envelope nesting, counts, control numbers) and our own
004010 element rules."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from marketdock.connectors.filewarehouse.x12_mapping import cancel_940
from marketdock.connectors.x12 import (
    Delimiters,
    InMemoryControlNumbers,
    acknowledge_group,
    parse_interchange,
    validate_transaction,
    write_846,
    write_856,
    write_940,
    write_943,
    write_944,
    write_945,
    write_997,
)

from .records import ACK_997, ADVICE_846, ADVICE_945, AT, HUB_TO_WMS, ORDER_940, WMS_TO_HUB
from .samples import sample
from .test_sets_roundtrip import NOTICE_856, RECEIPT_944, SHIPMENT_943

ansi_x12 = pytest.importorskip("x12", reason="ansi-x12 (PyPI) is the independent X12 checker")


def _rejection_997() -> bytes:
    group = parse_interchange(sample("940_edienginetests_acktest-multi-group.edi")).groups[0]
    return write_997([acknowledge_group(group)], HUB_TO_WMS, InMemoryControlNumbers(), at=AT)


WRITERS: dict[str, Callable[[], bytes]] = {
    "940": lambda: write_940([ORDER_940, ORDER_940], HUB_TO_WMS, InMemoryControlNumbers(), at=AT),
    "940-cancel": lambda: write_940([cancel_940("MD-1")], HUB_TO_WMS, InMemoryControlNumbers(),
                                    at=AT),
    "945": lambda: write_945([ADVICE_945], WMS_TO_HUB, InMemoryControlNumbers(), at=AT),
    "846": lambda: write_846([ADVICE_846], WMS_TO_HUB, InMemoryControlNumbers(), at=AT),
    "856": lambda: write_856([NOTICE_856], HUB_TO_WMS, InMemoryControlNumbers(), at=AT),
    "943": lambda: write_943([SHIPMENT_943], HUB_TO_WMS, InMemoryControlNumbers(), at=AT),
    "944": lambda: write_944([RECEIPT_944], WMS_TO_HUB, InMemoryControlNumbers(), at=AT),
    "997-accept": lambda: write_997([ACK_997], HUB_TO_WMS, InMemoryControlNumbers(), at=AT),
    "997-reject": _rejection_997,
    "940-custom-delimiters": lambda: write_940(
        [ORDER_940], HUB_TO_WMS.model_copy(update={
            "delimiters": Delimiters(element="|", component="^", segment="\x1c"),
            "line_break": ""}), InMemoryControlNumbers(), at=AT),
}


@pytest.mark.parametrize("kind", sorted(WRITERS))
def test_written_document_passes_ansi_x12(kind: str) -> None:
    data = WRITERS[kind]()
    interchange = ansi_x12.parse_x12_interchange(ansi_x12.tokenize_x12(data))
    inspection = ansi_x12.inspect_x12_interchange(interchange)
    expected_code = kind.split("-")[0].encode()
    assert set(inspection.transaction_set_codes) == {expected_code}
    ours = parse_interchange(data)
    assert inspection.total_segment_count == 4 + sum(
        len(ts.segments) + 2 for ts in ours.transactions()) + 2 * (len(ours.groups) - 1)


@pytest.mark.parametrize("kind", sorted(WRITERS))
def test_written_document_meets_element_rules(kind: str) -> None:
    for ts in parse_interchange(WRITERS[kind]()).transactions():
        assert validate_transaction(ts) == []


def test_ansi_x12_rejects_what_we_reject() -> None:
    """The checker is strict enough to matter: it refuses a wrong GE02 as we do."""
    data = WRITERS["940"]().replace(b"GE*2*1~", b"GE*2*2~")
    with pytest.raises(ansi_x12.X12Error):
        ansi_x12.parse_x12_interchange(ansi_x12.tokenize_x12(data))
