"""Golden files: the contract examples and our variants read, and written byte for byte."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

import pytest

from marketdock.connectors.csvfiles import (
    INVENTORY_DELTA,
    INVENTORY_FULL,
    ORDERS,
    SHIPMENTS,
    AsnLine,
    InventoryPosition,
    OrderLine,
    ShipmentLine,
    read_csv,
    write_csv,
)

ROOT = Path(__file__).resolve().parents[3]
CONTRACT = ROOT.parent / "shared" / "contracts" / "wms" / "csv"
GOLDEN = Path(__file__).parent / "golden"

CONTRACT_FILES = sorted(p.name for p in CONTRACT.glob("*.csv"))


def contract(name: str) -> bytes:
    return (CONTRACT / name).read_bytes()


def test_every_contract_layout_is_covered() -> None:
    prefixes = {name.split("_")[0] for name in CONTRACT_FILES}
    assert prefixes == {"orders", "shipments", "inventory", "asn"}


@pytest.mark.parametrize("name", CONTRACT_FILES)
def test_contract_example_reads_without_errors(name: str) -> None:
    result = read_csv(contract(name), name)
    assert result.errors == ()
    assert len(result.rows) == 2
    assert result.encoding == "utf-8"
    assert result.separator == ";"
    assert [row.line for row in result.rows] == [2, 3]


@pytest.mark.parametrize("name", CONTRACT_FILES)
def test_writing_gives_the_golden_bytes(name: str) -> None:
    """Our canonical form is the contract's, except that orders guard the phone's '+'."""
    result = read_csv(contract(name), name)
    written = write_csv(result.layout, result.records)
    golden = GOLDEN / name
    expected = golden.read_bytes() if golden.exists() else contract(name)
    assert written == expected
    assert written.count(b"\r\n") == 3


def test_orders_golden_differs_from_contract_only_by_formula_guard() -> None:
    name = "orders_20260115T163000Z_000123.csv"
    ours = (GOLDEN / name).read_bytes()
    assert ours.replace(b";'+49 40", b";+49 40") == contract(name)
    assert read_csv(ours, name).records == read_csv(contract(name), name).records


def test_orders_values() -> None:
    name = "orders_20260115T163000Z_000123.csv"
    first, second = read_csv(contract(name), name).records
    assert isinstance(first, OrderLine) and isinstance(second, OrderLine)
    assert first.order_date == datetime(2026, 1, 15, 14, 2, 11, tzinfo=UTC)
    assert first.requested_ship_date == date(2026, 1, 16)
    assert first.ship_to_street1 == "Musterstraße 1"
    assert first.ship_to_company is None
    assert first.ship_to_phone == "+49 40 1234567"
    assert first.unit_price == Decimal("19.99")
    assert first.description == "T-Shirt rot, M"
    assert second.description == 'T-Shirt blau; L "Sale"'
    assert second.gift_note == '=HYPERLINK("x") (neutralised)'
    assert (second.qty, second.ean) == (3, "4006381333948")


def test_shipment_values() -> None:
    name = "shipments_20260115T180500Z_000045.csv"
    result = read_csv(contract(name), name)
    first, second = result.records
    assert isinstance(first, ShipmentLine) and isinstance(second, ShipmentLine)
    assert first.shipped_at == datetime(2026, 1, 15, 17, 58, 3, tzinfo=timezone(timedelta(hours=1)))
    assert first.tracking_number == "00340434161094042557"
    assert first.weight_kg == Decimal("0.55")
    assert (second.qty_ordered, second.qty_shipped, second.qty_short) == (3, 1, 2)
    assert second.short_reason == "OUT_OF_STOCK"
    assert result.business_keys == (
        ("SHP-20260115-0007", "PKG-1", "OTTO-4711-0001", "1"),
        ("SHP-20260115-0007", "PKG-1", "OTTO-4711-0001", "2"),
    )


def test_inventory_and_asn_values() -> None:
    inv_name = "inventory_20260116T050000Z_full.csv"
    inv = read_csv(contract(inv_name), inv_name)
    assert inv.layout is INVENTORY_FULL
    red = inv.records[0]
    assert isinstance(red, InventoryPosition)
    assert (red.on_hand, red.allocated, red.available, red.blocked) == (120, 20, 100, 0)
    assert red.in_transit_inbound == 48 and red.lot is None and red.best_before is None
    asn = read_csv(contract("asn_20260116T090000Z_000007.csv"), "asn_20260116T090000Z_000007.csv")
    line = asn.records[0]
    assert isinstance(line, AsnLine)
    assert line.expected_arrival == date(2026, 1, 20)
    assert line.sscc == "340123450000000018"
    assert line.qty_expected == 48


def test_delta_golden_round_trips() -> None:
    name = "inventory_20260116T051500Z_delta.csv"
    data = (GOLDEN / name).read_bytes()
    result = read_csv(data, name)
    assert result.layout is INVENTORY_DELTA
    assert result.errors == ()
    green = result.records[1]
    assert isinstance(green, InventoryPosition)
    assert green.ean is None and green.in_transit_inbound is None
    assert green.best_before == date(2027, 6, 30)
    assert write_csv(INVENTORY_DELTA, result.records) == data


@pytest.mark.parametrize(
    ("name", "encoding"),
    [
        ("orders_20260115T163000Z_000123.csv", "cp1252"),
        ("shipments_20260115T180500Z_000045.csv", "utf-8"),  # pure ASCII: both agree
    ],
)
def test_german_excel_variant_reads_to_the_same_records(name: str, encoding: str) -> None:
    """cp1252, ';', decimal comma, DD.MM.YYYY dates, LF line ends."""
    data = (GOLDEN / "excel_de" / name).read_bytes()
    result = read_csv(data, name)
    assert result.errors == ()
    assert (result.encoding, result.separator) == (encoding, ";")
    assert result.records == read_csv(contract(name), name).records


@pytest.mark.parametrize(
    "name",
    [
        "orders_20260115T163000Z_000123.csv",
        "inventory_20260116T050000Z_full.csv",
        "asn_20260116T090000Z_000007.csv",
    ],
)
def test_comma_separated_utf8_bom_variant_reads_to_the_same_records(name: str) -> None:
    data = (GOLDEN / "comma" / name).read_bytes()
    result = read_csv(data, name)
    assert result.errors == ()
    assert (result.encoding, result.separator) == ("utf-8-sig", ",")
    assert result.records == read_csv(contract(name), name).records


def test_bom_on_request_and_hash_of_the_bytes() -> None:
    name = "shipments_20260115T180500Z_000045.csv"
    records = read_csv(contract(name), name).records
    with_bom = write_csv(SHIPMENTS, records, bom=True)
    assert with_bom == b"\xef\xbb\xbf" + contract(name)
    again = read_csv(with_bom, name)
    assert again.records == records
    assert again.content_hash != read_csv(contract(name), name).content_hash
    assert len(again.content_hash) == 64


def test_writer_is_deterministic() -> None:
    name = "orders_20260115T163000Z_000123.csv"
    records = read_csv(contract(name), name).records
    assert write_csv(ORDERS, records) == write_csv(ORDERS, list(records))
