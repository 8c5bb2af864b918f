"""The pure mappings: 940 written, 945 and 846 read, stock snapshots merged."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from marketdock.connectors.filewarehouse.exchange import StockFile, merge_snapshots
from marketdock.connectors.filewarehouse.x12_mapping import notice_945, order_940, stock_846
from marketdock.connectors.x12 import (
    Delimiters,
    InventoryAdvice846,
    InventoryItem846,
    Mark,
    PackageLoop945,
    ProductId,
    Quantity,
    Reference,
    ShipmentIdentification,
    ShippedItem945,
    ShippingAdvice945,
)
from marketdock.domain import StockPosition
from marketdock.errors import ParseError

from .conftest import BERLIN, order


def item(line_ref: str | None, ordered: int, shipped: int, status: str = "CC") -> ShippedItem945:
    return ShippedItem945(status=status, quantity_ordered=Decimal(ordered),
                          quantity_shipped=Decimal(shipped), unit="EA",
                          product_id=ProductId(qualifier="VN", value="MUG"),
                          references=[Reference(qualifier="LI", value=line_ref)] if line_ref
                          else [])


def advice(*packages: tuple[str | None, list[ShippedItem945]],
           shipment_id: str | None = "SHP-1") -> ShippingAdvice945:
    return ShippingAdvice945(
        shipment=ShipmentIdentification(depositor_order_number="MD-1", date=date(2026, 1, 15),
                                        shipment_id=shipment_id),
        packages=[PackageLoop945(assigned_number=str(n), items=items,
                                 marks=[Mark(qualifier="CP", number=tracking)] if tracking
                                 else [])
                  for n, (tracking, items) in enumerate(packages, start=1)])


def test_a_line_split_over_parcels_is_not_short() -> None:
    notice = notice_945(advice(("T1", [item("i1", 3, 2)]), ("T2", [item("i1", 3, 1)])),
                        BERLIN, "f.edi")
    assert [dict(p.line_quantities) for p in notice.packages] == [{"i1": 2}, {"i1": 1}]
    assert [p.package_ref for p in notice.packages] == ["SHP-1:T1", "SHP-1:T2"]
    assert notice.short_picks == () and notice.key == "945:MD-1:SHP-1"
    assert notice.packages[0].shipped_at == datetime(2026, 1, 14, 23, tzinfo=UTC)


def test_several_carrier_packages_in_one_loop_are_boxes_of_one_package() -> None:
    boxes = advice(("T1", [item("i1", 1, 1)]))
    loop = boxes.packages[0]
    boxes = boxes.model_copy(update={"packages": [loop.model_copy(update={"marks": [
        Mark(qualifier="CP", number="T1"), Mark(qualifier="GM", number="00340000000000000017"),
        Mark(qualifier="CP", number="T2"), Mark(qualifier="CP", number="T3")]})]})
    (package,) = notice_945(boxes, BERLIN, "f.edi").packages
    assert package.tracking_number == "T1" and dict(package.line_quantities) == {"i1": 1}
    assert [box.tracking_number for box in package.more_parcels] == ["T2", "T3"]
    single = notice_945(advice(("T1", [item("i1", 1, 1)])), BERLIN, "f.edi").packages[0]
    assert single.more_parcels == ()


def test_short_units_unless_the_rest_follows() -> None:
    (short,) = notice_945(advice(("T1", [item("i1", 3, 1, "CP")])), BERLIN, "f.edi").short_picks
    assert (short.line_ref, short.sku, short.missing) == ("i1", "MUG", 2)
    backorder = notice_945(advice(("T1", [item("i1", 3, 1, "BP")])), BERLIN, "f.edi")
    assert backorder.short_picks == ()


def test_same_advice_without_shipment_id_gets_the_same_key() -> None:
    first = notice_945(advice(("T1", [item("i1", 1, 1)]), shipment_id=None), BERLIN, "a.edi")
    again = notice_945(advice(("T1", [item("i1", 1, 1)]), shipment_id=None), BERLIN, "b.edi")
    other = notice_945(advice(("T2", [item("i1", 1, 1)]), shipment_id=None), BERLIN, "c.edi")
    assert first.key == again.key != other.key


@pytest.mark.parametrize(("broken", "message"), [
    (advice(("T1", [item(None, 1, 1)])), "without N9*LI"),
    (advice(("T1", [item("i1", 2, 1).model_copy(update={"quantity_shipped": Decimal("0.5")})])),
     "not a whole number"),
])
def test_unreadable_advice_names_what_and_where(broken: ShippingAdvice945, message: str) -> None:
    with pytest.raises(ParseError, match=f"f.edi, set 0001: .*{re.escape(message)}"):
        notice_945(broken, BERLIN, "f.edi, set 0001")


def inventory(count: int | None, report_type: str = "SI") -> InventoryAdvice846:
    return InventoryAdvice846(
        report_type=report_type, reference_id="INV-1", date=date(2026, 1, 15), time="0930",
        items=[InventoryItem846(product_ids=[ProductId(qualifier="VN", value="MUG")],
                                quantities=[Quantity(qualifier="17", quantity=Decimal(5)),
                                            Quantity(qualifier="33", quantity=Decimal(3))])],
        line_count=count)


def test_846_positions_and_delta_by_report_type() -> None:
    stock = stock_846(inventory(1, "DD"), tenant_id="t1", warehouse_id="wh1", zone=BERLIN,
                      delta_report_type="DD", where="s.edi")
    assert not stock.full and stock.as_of == datetime(2026, 1, 15, 8, 30, tzinfo=UTC)
    assert [(p.sku, p.on_hand, p.available) for p in stock.positions] == [("MUG", 5, 3)]
    with pytest.raises(ParseError, match="s.edi: CTT-01 says 2 items, the advice holds 1"):
        stock_846(inventory(2), tenant_id="t1", warehouse_id="wh1", zone=BERLIN,
                  delta_report_type=None, where="s.edi")


def test_940_carries_line_refs_and_writable_text() -> None:
    written = order_940(order("MD-1", ("i1", "MUG", 2)), Delimiters())
    (party,) = written.parties
    assert party.name == "Joerg Mueller" and party.address_lines == ["Hauptstrasse 5"]
    (line,) = written.lines
    assert line.references[0].value == "i1" and line.product_ids[0].value == "MUG"


def snapshot(hours: int, full: bool, **units: int) -> StockFile:
    at = datetime(2026, 1, 15, tzinfo=UTC) + timedelta(hours=hours)
    return StockFile(f"s{hours}", at, full, tuple(
        StockPosition(tenant_id="t1", warehouse_id="wh1", sku=sku, on_hand=n, available=n,
                      as_of=at) for sku, n in units.items()))


def test_snapshots_merge_from_the_newest_full_one() -> None:
    merged = merge_snapshots([snapshot(3, False, MUG=1), snapshot(1, True, MUG=5, TEA=5),
                              snapshot(2, True, MUG=4), snapshot(0, False, TEA=9)])
    assert merged.full and merged.as_of.hour == 3
    assert {p.sku: p.on_hand for p in merged.positions} == {"MUG": 1}
    deltas = merge_snapshots([snapshot(1, False, MUG=2), snapshot(2, False, TEA=1)])
    assert not deltas.full and {p.sku: p.on_hand for p in deltas.positions} == {"MUG": 2,
                                                                                "TEA": 1}
