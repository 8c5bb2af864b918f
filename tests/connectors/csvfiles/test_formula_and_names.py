"""Formula-injection guard, file names and business keys."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal

import pytest

from marketdock.connectors.csvfiles import (
    ASN,
    INVENTORY_DELTA,
    INVENTORY_FULL,
    ORDERS,
    SHIPMENTS,
    AsnLine,
    CsvFileError,
    InventoryPosition,
    OrderLine,
    guard_formula,
    parse_file_name,
    read_csv,
    unguard_formula,
    write_csv,
)
from marketdock.errors import ValidationError

ATTACKS = [
    "=cmd|' /C calc'!A0",
    "+SUM(1,2)",
    "-2+3",
    "@SUM(A1)",
    "\t=1+1",
    "\r=1+1",
    "'=already guarded",
    "''@twice",
]


def order(**changes: object) -> OrderLine:
    fields: dict[str, object] = {
        "message_id": "m-1",
        "order_id": "OTTO-1",
        "order_line_id": "1",
        "channel": "OTTO",
        "channel_order_ref": "1",
        "order_date": datetime(2026, 1, 15, 14, 2, 11, tzinfo=UTC),
        "ship_method": "STANDARD",
        "ship_to_name": "Erika Mustermann",
        "ship_to_street1": "Musterstraße 1",
        "ship_to_postcode": "01067",
        "ship_to_city": "Dresden",
        "ship_to_country": "DE",
        "sku": "SKU-1",
        "qty": 1,
        "uom": "EA",
    }
    fields.update(changes)
    return OrderLine.model_validate(fields)


@pytest.mark.parametrize("value", ATTACKS)
def test_guard_round_trips(value: str) -> None:
    guarded = guard_formula(value)
    assert guarded.startswith("'")
    assert unguard_formula(guarded) == value


@pytest.mark.parametrize("value", ["'s-Hertogenbosch", "''", "'", "plain", "", "4711", "a=b"])
def test_harmless_values_are_untouched(value: str) -> None:
    assert guard_formula(value) == value
    assert unguard_formula(value) == value


@pytest.mark.parametrize("value", ATTACKS)
def test_no_written_cell_starts_a_formula(value: str) -> None:
    records = [
        order(
            order_line_id=str(i),
            gift_note=value,
            ship_to_name=value,
            ship_to_phone="+49 351 1234",
            description=value,
            sku=value,
        )
        for i in range(2)
    ]
    data = write_csv(ORDERS, records)
    cells = [c for row in csv.reader(io.StringIO(data.decode(), newline=""), delimiter=";")
             for c in row]
    assert not [c for c in cells if c[:1] in ("=", "+", "-", "@", "\t", "\r")]
    assert read_csv(data, "orders_20260115T163000Z_000001.csv").records == records


def test_leading_zeros_survive_as_text() -> None:
    record = order(ship_to_postcode="01067", ship_to_phone="0049 351 1234")
    data = write_csv(ORDERS, [record])
    assert b";01067;" in data
    assert read_csv(data, "orders_20260115T163000Z_000001.csv").records == [record]


def test_writer_refuses_what_the_reader_would_reject() -> None:
    with pytest.raises(ValidationError, match="duplicate of line 2"):
        write_csv(ORDERS, [order(), order()])
    with pytest.raises(ValidationError, match="does not belong in a shipments file"):
        write_csv(SHIPMENTS, [order()])
    stock = {
        "snapshot_at": datetime(2026, 1, 16, 5, tzinfo=UTC), "warehouse_id": "WH",
        "on_hand": 1, "allocated": 0, "available": 1, "blocked": 0,
    }
    mixed = [
        InventoryPosition(snapshot_id="a", sku="A", **stock),  # type: ignore[arg-type]
        InventoryPosition(snapshot_id="b", sku="B", **stock),  # type: ignore[arg-type]
    ]
    with pytest.raises(ValidationError, match="one snapshot"):
        write_csv(INVENTORY_FULL, mixed)


def test_optional_empty_text_is_none() -> None:
    assert order(gift_note="", ship_to_company="").gift_note is None


def test_price_needs_currency() -> None:
    with pytest.raises(ValueError, match="a unit_price needs a currency"):
        order(unit_price=Decimal("1.00"))


def test_file_names_round_trip() -> None:
    at = datetime(2026, 1, 15, 17, 30, tzinfo=timezone(timedelta(hours=1)))
    assert ORDERS.file_name(at, 123) == "orders_20260115T163000Z_000123.csv"
    assert INVENTORY_FULL.file_name(at) == "inventory_20260115T163000Z_full.csv"
    assert INVENTORY_DELTA.file_name(at) == "inventory_20260115T163000Z_delta.csv"
    parsed = parse_file_name("asn_20260116T090000Z_000007.csv")
    assert (parsed.layout, parsed.seq) == (ASN, 7)
    assert parsed.created_at == datetime(2026, 1, 16, 9, tzinfo=UTC)
    delta = parse_file_name("inventory_20260115T163000Z_delta.csv")
    assert (delta.layout, delta.seq) == (INVENTORY_DELTA, None)
    with pytest.raises(ValueError, match="sequence number"):
        SHIPMENTS.file_name(at)
    with pytest.raises(ValueError, match="time zone"):
        SHIPMENTS.file_name(datetime(2026, 1, 1), 1)
    with pytest.raises(CsvFileError):
        parse_file_name("inventory_20260115T163000Z_000001.csv")


def test_business_key_uses_empty_text_for_missing_parts() -> None:
    line = AsnLine(
        message_id="m", asn_id="ASN-1", expected_arrival=date(2026, 1, 20), sku="S",
        qty_expected=1, uom="EA",
    )
    assert ASN.business_key(line) == ("ASN-1", "", "S", "")
