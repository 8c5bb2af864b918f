"""Property: any valid records written and read back are the same records."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from marketdock.connectors.csvfiles import (
    ASN,
    INVENTORY_DELTA,
    INVENTORY_FULL,
    ORDERS,
    SHIPMENTS,
    AsnLine,
    CsvRecord,
    InventoryPosition,
    Layout,
    OrderLine,
    ShipmentLine,
    read_csv,
    write_csv,
)

NOW = datetime(2026, 1, 15, 12, tzinfo=UTC)
PREFIXES = ["", "", "", "=", "+", "-", "@", "\t", "\r", "'", "'=", "''+", " "]

plain = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
    min_size=1,
    max_size=12,
)
text = st.builds(lambda prefix, body: prefix + body, st.sampled_from(PREFIXES), plain)
opt_text = st.none() | text
zones = st.sampled_from(
    [UTC, timezone(timedelta(hours=1)), timezone(timedelta(hours=-5, minutes=-30))]
)
stamps = st.datetimes(
    min_value=datetime(1990, 1, 1), max_value=datetime(2100, 1, 1), timezones=zones
)
days = st.dates()
amounts = st.decimals(min_value=0, max_value=10**7, places=3, allow_nan=False)
quantities = st.integers(min_value=0, max_value=10**9)


@st.composite
def eans(draw: st.DrawFn) -> str:
    body = draw(st.text(alphabet="0123456789", min_size=12, max_size=12))
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return body + str((10 - total % 10) % 10)


@st.composite
def order_lines(draw: st.DrawFn) -> OrderLine:
    price = draw(st.none() | amounts)
    return OrderLine(
        message_id=draw(text), order_id=draw(text), order_line_id=draw(text),
        channel=draw(text), channel_order_ref=draw(text), order_date=draw(stamps),
        requested_ship_date=draw(st.none() | days), ship_method=draw(text),
        carrier_hint=draw(opt_text), ship_to_name=draw(text), ship_to_company=draw(opt_text),
        ship_to_street1=draw(text), ship_to_street2=draw(opt_text),
        ship_to_postcode=draw(text), ship_to_city=draw(text),
        ship_to_country=draw(st.from_regex(r"[A-Z]{2}", fullmatch=True)),
        ship_to_email=draw(opt_text), ship_to_phone=draw(opt_text), sku=draw(text),
        ean=draw(st.none() | eans()), description=draw(opt_text),
        qty=draw(st.integers(min_value=1, max_value=10**6)), uom=draw(text),
        unit_price=price,
        currency=None if price is None else draw(st.sampled_from(["EUR", "PLN", "CHF"])),
        gift_note=draw(opt_text),
    )


@st.composite
def shipment_lines(draw: st.DrawFn) -> ShipmentLine:
    ordered = draw(quantities)
    shipped = draw(st.integers(min_value=0, max_value=ordered))
    short = draw(st.integers(min_value=0, max_value=ordered - shipped))
    return ShipmentLine(
        message_id=draw(text), warehouse_shipment_id=draw(text), order_id=draw(text),
        order_line_id=draw(text), sku=draw(text), qty_ordered=ordered, qty_shipped=shipped,
        qty_short=short, short_reason=draw(opt_text), package_id=draw(opt_text),
        carrier=draw(opt_text), carrier_service=draw(opt_text),
        tracking_number=draw(opt_text), tracking_url=draw(opt_text), shipped_at=draw(stamps),
        weight_kg=draw(st.none() | amounts), lot=draw(opt_text), serial=draw(opt_text),
    )


@st.composite
def stock_files(draw: st.DrawFn) -> list[InventoryPosition]:
    snapshot: dict[str, Any] = {"snapshot_id": draw(text), "snapshot_at": draw(stamps)}

    @st.composite
    def position(draw: st.DrawFn) -> InventoryPosition:
        on_hand = draw(quantities)
        return InventoryPosition(
            **snapshot, warehouse_id=draw(text), sku=draw(text), ean=draw(st.none() | eans()),
            on_hand=on_hand, allocated=draw(quantities),
            available=draw(st.integers(min_value=0, max_value=on_hand)),
            blocked=draw(quantities), in_transit_inbound=draw(st.none() | quantities),
            lot=draw(opt_text), best_before=draw(st.none() | days),
        )

    return draw(st.lists(position(), max_size=5, unique_by=INVENTORY_FULL.business_key))


asn_lines = st.builds(
    AsnLine, message_id=text, asn_id=text, supplier_ref=opt_text, po_number=opt_text,
    expected_arrival=days, carrier=opt_text, tracking_or_pro=opt_text,
    sscc=st.none() | st.from_regex(r"[0-9]{18}", fullmatch=True), sku=text,
    ean=st.none() | eans(), qty_expected=st.integers(min_value=1, max_value=10**6), uom=text,
    lot=opt_text, best_before=st.none() | days,
)


def round_trip(layout: Layout, records: list[CsvRecord]) -> None:
    name = layout.file_name(NOW, 1)
    data = write_csv(layout, records)
    result = read_csv(data, name, strict=True)
    assert result.records == records
    assert result.business_keys == tuple(layout.business_key(r) for r in records)
    assert write_csv(layout, result.records) == data


@settings(max_examples=60, deadline=None)
@given(st.lists(order_lines(), max_size=4, unique_by=ORDERS.business_key))
def test_orders_round_trip(records: list[CsvRecord]) -> None:
    round_trip(ORDERS, records)


@settings(max_examples=60, deadline=None)
@given(st.lists(shipment_lines(), max_size=4, unique_by=SHIPMENTS.business_key))
def test_shipments_round_trip(records: list[CsvRecord]) -> None:
    round_trip(SHIPMENTS, records)


@settings(max_examples=60, deadline=None)
@given(stock_files(), st.sampled_from([INVENTORY_FULL, INVENTORY_DELTA]))
def test_stock_round_trip(records: list[CsvRecord], layout: Layout) -> None:
    round_trip(layout, records)


@settings(max_examples=60, deadline=None)
@given(st.lists(asn_lines, max_size=4, unique_by=ASN.business_key))
def test_asn_round_trip(records: list[CsvRecord]) -> None:
    round_trip(ASN, records)


@settings(max_examples=40, deadline=None)
@given(amounts)
def test_decimal_comma_reads_like_decimal_point(amount: Decimal) -> None:
    """A ';' file from German Excel spells weights with a decimal comma."""
    record = ShipmentLine(
        message_id="m", warehouse_shipment_id="S", order_id="O", order_line_id="1", sku="K",
        qty_ordered=1, qty_shipped=1, qty_short=0, shipped_at=NOW, weight_kg=amount,
    )
    data = write_csv(SHIPMENTS, [record]).decode()
    german = data.replace(f";{amount:f};", f";{amount:f};".replace(".", ","))
    result = read_csv(german.encode("cp1252"), SHIPMENTS.file_name(NOW, 1), strict=True)
    assert result.records == [record]
