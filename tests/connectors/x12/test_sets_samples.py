"""Golden tests: the shared samples read into wire records, and our writer reproduces
the authored samples byte for byte."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from marketdock.connectors.x12 import (
    InMemoryControlNumbers,
    X12ParseError,
    acknowledge_group,
    decode_945,
    parse_interchange,
    parse_transaction_sets,
    read_846,
    read_856,
    read_940,
    read_945,
    read_997,
    write_846,
    write_940,
    write_945,
    write_997,
)

from .records import (
    ACK_997,
    ADVICE_846,
    ADVICE_945,
    AT,
    HUB_TO_WMS,
    ORDER_940,
    TRACKING,
    WMS_TO_HUB,
)
from .samples import sample


def _numbers(control: int) -> InMemoryControlNumbers:
    return InMemoryControlNumbers(interchange=control, group=control, transaction=1)


# --- authored samples: read == record, write == sample bytes ---------------------------

@pytest.mark.parametrize(
    ("name", "read", "write", "record", "partner", "control"),
    [
        ("940_authored_marketplace_order.edi", read_940, write_940, ORDER_940, HUB_TO_WMS, 940),
        ("945_authored_shortpick_parcel.edi", read_945, write_945, ADVICE_945, WMS_TO_HUB, 945),
        ("846_authored_onhand_available.edi", read_846, write_846, ADVICE_846, WMS_TO_HUB, 846),
        ("997_authored_accept_945.edi", read_997, write_997, ACK_997, HUB_TO_WMS, 997),
    ],
)
def test_authored_sample_golden(name: str, read: object, write: object, record: object,
                                partner: object, control: int) -> None:
    data = sample(name)
    assert read(data) == [record]  # type: ignore[operator]
    written = write([record], partner, _numbers(control), at=AT)  # type: ignore[operator]
    assert written == data


# --- 940 ---------------------------------------------------------------------------------

def test_edienginetests_940() -> None:
    [order] = read_940(sample("940_edienginetests_940.edi"))
    assert order.depositor_order_number == "538686"
    assert (order.link_sequence, order.master_reference) == ("001001", "538686")
    assert [p.entity for p in order.parties] == ["ST", "DE", "WH"]
    assert order.party("WH") is not None and order.party("WH").postal_code == "91761"
    assert [d.date for d in order.dates] == [date(2000, 2, 4), date(2000, 2, 7)]
    assert order.instructions is not None and order.instructions.transport_method == "M"
    assert [(line.quantity, line.unit, line.upc_case_code, line.product_ids[1].value)
            for line in order.lines] == [
        (Decimal(12), "CA", "000100000010", "DEC0199"),
        (Decimal(32), "CA", "000000000220", "DEC0299"),
        (Decimal(12), "CA", "000000000330", "JAN0100"),
    ]
    assert order.lines[2].description == "11.500 STRUDEL RASPBRY"
    assert order.totals is not None and order.totals.volume == Decimal(24)


def test_edienginetests_940_ups() -> None:
    [order] = read_940(sample("940_edienginetests_940-2-ups.edi"))
    assert order.instructions is not None
    assert (order.instructions.routing, order.instructions.scac) == ("UPS GROUND", "UPSN")
    assert [(p.qualifier, p.value) for p in order.lines[0].product_ids] == [
        ("VC", "110220"), ("UP", "871209028795")]


@pytest.mark.parametrize(("name", "status"), [
    ("940_x12types_generalmills-change.edi", "R"),
    ("940_x12types_generalmills-delete.edi", "F"),
])
def test_generalmills_change_and_cancel(name: str, status: str) -> None:
    [order] = read_940(sample(name))
    assert order.status == status
    assert order.party("DE") is not None
    assert order.party("ST") is not None and order.party("ST").state == "CA"


def test_acktest_multi_group_rejects_bad_sets_with_position() -> None:
    interchange = parse_interchange(sample("940_edienginetests_acktest-multi-group.edi"))
    first, second = interchange.groups
    with pytest.raises(X12ParseError) as caught:
        read_940(sample("940_edienginetests_acktest-multi-group.edi"))
    assert (caught.value.segment_index, caught.value.segment_id, caught.value.element,
            caught.value.set_position, caught.value.code) == (17, "N9", 1, 7, "1")

    ack1 = acknowledge_group(first)
    assert (ack1.status, ack1.included, ack1.accepted) == ("P", 2, 1)
    assert [t.status for t in ack1.transactions] == ["A", "R"]
    note = ack1.transactions[1].segments[0]
    assert (note.segment_id, note.position, note.error_code) == ("N9", 7, "8")
    assert [(e.position, e.error_code) for e in note.elements] == [(1, "1")]

    ack2 = acknowledge_group(second)
    assert (ack2.status, ack2.accepted) == ("R", 0)
    element = ack2.transactions[0].segments[0].elements[0]
    assert (element.position, element.error_code, element.bad_value) == (6, "5", "43.00")


def test_997_for_rejection_round_trips() -> None:
    interchange = parse_interchange(sample("940_edienginetests_acktest-multi-group.edi"))
    ack = acknowledge_group(interchange.groups[0])
    data = write_997([ack], HUB_TO_WMS, InMemoryControlNumbers(), at=AT)
    assert read_997(data) == [ack]
    text = data.decode()
    assert "AK3*N9*7**8~\nAK4*1**1~\nAK5*R*5~\nAK9*P*2*2*1~" in text


# --- 945 ---------------------------------------------------------------------------------

def test_authored_945_short_pick_and_parcels() -> None:
    [advice] = read_945(sample("945_authored_shortpick_parcel.edi"))
    items = advice.items()
    assert [(i.line_reference, i.status, i.short_quantity) for i in items] == [
        ("1", "CC", Decimal(0)), ("2", "CP", Decimal(2))]
    [parcel] = advice.parcels()
    assert parcel.tracking_number == TRACKING and len(parcel.items) == 2


def test_simplot_945_with_shifted_w12_once_its_count_is_right() -> None:
    """The sample's SE01 (32) is wrong (29 segments) and is rejected by the reader
    (test_reader); with the count corrected, the one-element W12 shift is read."""
    data = sample("945_x12types_simplot-bare-transaction-set.x12").replace(b"SE*32*", b"SE*29*")
    [ts] = parse_transaction_sets(data)
    advice = decode_945(ts)
    assert advice.shipment.depositor_order_number == "01766655"
    assert advice.carrier is not None and advice.carrier.scac == "TRUK"
    first = advice.packages[0].items[0]
    assert first.upc_case_code == "007117901645"
    assert first.product_id is not None
    assert (first.product_id.qualifier, first.product_id.value) == ("UK", "10071179016458")
    assert first.lot == "40550"
    assert [i.quantity_shipped for i in advice.items()] == [Decimal(72), Decimal(72),
                                                            Decimal(96)]
    pallets = [r.value for r in advice.packages[0].items[0].references if r.qualifier == "LV"]
    assert pallets == ["00100752782101847618", "00100752782101847619"]
    assert [p.tracking_number for p in advice.parcels()] == [None]
    assert advice.totals is not None and advice.totals.weight == Decimal(15360)


def test_945_tracking_levels() -> None:
    """Line level beats package level beats header level."""
    data = sample("945_authored_shortpick_parcel.edi")
    data = data.replace(b"G62*11*20260115~", b"N9*2I*HEADER-TRACK~\nG62*11*20260115~")
    data = data.replace(b"LX*2~\nMAN*CP*1Z999AA10123456784~", b"LX*2~")
    data = data.replace(b"N9*LI*1~", b"N9*LI*1~\nN9*2I*LINE-TRACK~").replace(b"SE*18*", b"SE*19*")
    [advice] = read_945(data)
    assert [(p.tracking_number, [i.line_reference for i in p.items]) for p in advice.parcels()] \
        == [("LINE-TRACK", ["1"]), ("HEADER-TRACK", ["2"])]


# --- 846 / 856 ---------------------------------------------------------------------------

def test_authored_846_quantities() -> None:
    [advice] = read_846(sample("846_authored_onhand_available.edi"))
    red = advice.items[0]
    assert (red.on_hand, red.available, red.product_id("UP")) == (
        Decimal(120), Decimal(100), "012345678905")


def test_minimal_5010_846() -> None:
    [advice] = read_846(sample("846_x12types_minimal-5010.edi"))
    assert advice.items[0].available == Decimal(100) and advice.items[0].on_hand is None


def test_846_wrong_ctt_count() -> None:
    data = sample("846_authored_onhand_available.edi").replace(b"CTT*2~", b"CTT*3~")
    with pytest.raises(X12ParseError) as caught:
        read_846(data)
    assert (caught.value.segment_id, caught.value.element) == ("CTT", 1)


def test_crossdock_856() -> None:
    [notice] = read_856(sample("856_edienginetests_crossdock.edi"))
    assert (notice.shipment_id, notice.structure) == ("000009", "0001")
    assert [level.level for level in notice.levels] == list("SOPIPIPIPIOPI")
    shipment = notice.levels[0]
    assert shipment.routing[0].routing == "OVERNITE"
    assert [r.value for r in shipment.references if r.qualifier == "BM"] == ["000001"]
    assert [p.entity for p in shipment.parties] == ["SF", "ST"]
    packs = [lvl.marks[0].number for lvl in notice.levels if lvl.level == "P"]
    assert packs[0] == "00000715670002152360" and len(packs) == 5
    items = [lvl for lvl in notice.levels if lvl.level == "I"]
    assert items[1].product_ids[0].qualifier == "EN"
    assert items[1].shipped is not None and items[1].shipped.quantity == Decimal(12)


def test_nodex12_856() -> None:
    [notice] = read_856(sample("856_nodex12_test-data.edi"))
    order = notice.levels[1]
    assert order.purchase_order_number == "99999817"
    blue = notice.levels[2]
    assert blue.description == "BLUE WIDGET"
    assert blue.shipped is not None and blue.shipped.quantity == Decimal(24)
    assert notice.levels[0].parties[1].postal_code == "31139-0020"
