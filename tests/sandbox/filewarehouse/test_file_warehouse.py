"""The file warehouse: X12 and CSV in and out over the drop, applied to the floor."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from marketdock.connectors import csvfiles
from marketdock.connectors.sftp import SftpFolders, SftpSettings, SftpTransport
from marketdock.connectors.x12 import (
    FunctionalAck997,
    InMemoryControlNumbers,
    ShippingOrder940,
    TradingPartner,
    read_846,
    read_945,
    read_997,
    write_940,
    write_997,
)
from marketdock.connectors.x12.sets.common import Party, ProductId, Reference
from marketdock.connectors.x12.sets.w940 import OrderLine940
from marketdock.sandbox.faults import FaultSwitches
from marketdock.sandbox.filewarehouse import FileWarehouse
from marketdock.sandbox.sftp import DropFloor, running_sftp_drop
from marketdock.sandbox.warehouse import Floor, FloorConfig, ManualClock

HUB = TradingPartner(sender_qualifier="ZZ", sender_id="MARKETDOCK", receiver_qualifier="ZZ",
                     receiver_id="MDSANDBOXWH", usage="T")
AT = datetime(2026, 1, 15, 8, tzinfo=UTC)


def order_940(reference: str, *lines: tuple[str, str, int]) -> ShippingOrder940:
    return ShippingOrder940(
        depositor_order_number=reference,
        parties=[Party(entity="ST", name="Joerg Mueller", address_lines=["Hauptstrasse 5"],
                       city="Berlin", postal_code="10115", country="DE")],
        lines=[OrderLine940(assigned_number=n, quantity=Decimal(qty), unit="EA",
                            product_ids=[ProductId(qualifier="VN", value=sku)],
                            references=[Reference(qualifier="LI", value=line_ref)])
               for n, (line_ref, sku, qty) in enumerate(lines, start=1)])


def make(tmp_path: Path, dialect: str, short_pick_rate: float = 0.0,
         faults: FaultSwitches | None = None) -> tuple[FileWarehouse, DropFloor, Floor]:
    drop = DropFloor(tmp_path, SftpFolders(), FaultSwitches())
    drop.prepare()
    floor = Floor(FloorConfig(seed=3, short_pick_rate=short_pick_rate, split_probability=0.0),
                  clock=ManualClock(AT))
    floor.set_stock("MUG", 10)
    floor.set_stock("TEA", 10)
    warehouse = FileWarehouse(floor, drop, dialect=dialect, faults=faults,  # type: ignore[arg-type]
                              stock_every=1e9)
    return warehouse, drop, floor


def outbound(drop: DropFloor, prefix: str) -> list[bytes]:
    return [drop.read(name, folder="outbound") for name in drop.files("outbound")
            if name.startswith(prefix)]


def upload_940(drop: DropFloor, name: str, *orders: ShippingOrder940) -> bytes:
    data = write_940(list(orders), HUB, InMemoryControlNumbers(), at=AT)
    (drop.root / "inbound" / name).write_bytes(data)
    return data


def test_x12_order_is_acknowledged_shipped_and_reported(tmp_path: Path) -> None:
    warehouse, drop, floor = make(tmp_path, "x12")
    upload_940(drop, "940_1.edi", order_940("MD-1", ("i1", "MUG", 2), ("i2", "TEA", 1)))
    warehouse.step()
    (ack,) = [a for data in outbound(drop, "997") for a in read_997(data)]
    assert ack.status == "A" and floor.order("MD-1").reference == "MD-1"
    assert drop.files() == [] and (tmp_path / "archive" / "940_1.edi").exists()
    warehouse.advance(4 * 3600)
    (advice,) = [a for data in outbound(drop, "945") for a in read_945(data)]
    assert advice.shipment.depositor_order_number == "MD-1"
    (parcel,) = advice.parcels()
    assert parcel.tracking_number and {i.references[0].value: int(i.quantity_shipped or 0)
                                       for i in parcel.items} == {"i1": 2, "i2": 1}
    (stock,) = read_846(drop.read(warehouse.publish_stock(), folder="outbound"))
    assert {i.product_ids[0].value: i.on_hand for i in stock.items} == {"MUG": 8, "TEA": 9}
    # the hub acknowledges our 945 and both stock snapshots
    groups = list(warehouse.state.awaiting_ack)
    acks = [FunctionalAck997(functional_id="SW", group_control_number=g, status="A",
                             included=1, received=1, accepted=1) for g in groups]
    (drop.root / "inbound" / "997_hub.edi").write_bytes(
        write_997(acks, HUB, InMemoryControlNumbers(), at=AT))
    warehouse.step()
    assert warehouse.state.awaiting_ack == {} and len(warehouse.state.acknowledged) == 3


def test_short_pick_is_reported_as_units_not_shipped(tmp_path: Path) -> None:
    warehouse, drop, _ = make(tmp_path, "x12", short_pick_rate=1.0)
    upload_940(drop, "940_1.edi", order_940("MD-2", ("i1", "MUG", 3)))
    warehouse.step()
    warehouse.advance(4 * 3600)
    (advice,) = [a for data in outbound(drop, "945") for a in read_945(data)]
    (item,) = advice.items()
    assert item.quantity_ordered == 3 and item.short_quantity > 0


def test_broken_inbound_file_applies_nothing_and_later_files_flow(tmp_path: Path) -> None:
    warehouse, drop, floor = make(tmp_path, "x12")
    data = upload_940(drop, "940_a.edi", order_940("MD-3", ("i1", "MUG", 1)))
    (drop.root / "inbound" / "940_a.edi").write_bytes(data[: len(data) // 2])
    upload_940(drop, "940_b.edi", order_940("MD-4", ("i1", "TEA", 1)))
    warehouse.step()
    assert "940_a.edi" in warehouse.state.rejected and "segment" in \
        warehouse.state.rejected["940_a.edi"]
    assert [o.reference for o in floor.orders()] == ["MD-4"]


def test_csv_orders_in_confirmations_and_stock_out(tmp_path: Path) -> None:
    warehouse, drop, _ = make(tmp_path, "csv")
    rows = [csvfiles.OrderLine(
        message_id="m1", order_id="MD-5", order_line_id=line_id, channel="otto",
        channel_order_ref="abc", order_date=AT, ship_method="Standard",
        ship_to_name="Renée Weiß", ship_to_street1="Königsallee 1", ship_to_postcode="40212",
        ship_to_city="Düsseldorf", ship_to_country="DE", sku=sku, qty=Decimal(qty), uom="EA")
        for line_id, sku, qty in (("p1", "MUG", 1), ("p2", "MUG", 1))]
    name = csvfiles.ORDERS.file_name(AT, 1)
    (drop.root / "inbound" / name).write_bytes(csvfiles.write_csv(csvfiles.ORDERS, rows))
    warehouse.step()
    warehouse.advance(4 * 3600)
    (shipments,) = outbound(drop, "shipments")
    name = next(n for n in drop.files("outbound") if n.startswith("shipments"))
    parsed = csvfiles.read_csv(shipments, name, strict=True)
    assert sorted((r.order_line_id, int(r.qty_shipped)) for r in parsed.records) == [
        ("p1", 1), ("p2", 1)]
    assert all(r.tracking_number for r in parsed.records)
    assert [n for n in drop.files("outbound") if n.endswith("_full.csv")]


def test_broken_csv_gets_an_error_file(tmp_path: Path) -> None:
    warehouse, drop, floor = make(tmp_path, "csv")
    name = csvfiles.ORDERS.file_name(AT, 2)
    (drop.root / "inbound" / name).write_bytes(b"order_id;sku\nMD-6")
    warehouse.step()
    assert floor.orders() == [] and name in warehouse.state.rejected
    assert outbound(drop, f"{name}.error")


@pytest.mark.parametrize(("switch", "check"), [
    ("duplicate_file", lambda drop, state: len(outbound(drop, "dup_945")) == 1),
    ("broken_file", lambda drop, state: len(outbound(drop, "945")) == 1),
    ("no_997", lambda drop, state: outbound(drop, "997") == []),
])
def test_fault_switches(tmp_path: Path, switch: str, check: object) -> None:
    faults = FaultSwitches()
    faults.set(switch, rate=1.0)
    warehouse, drop, _ = make(tmp_path, "x12", faults=faults)
    upload_940(drop, "940_1.edi", order_940("MD-7", ("i1", "MUG", 1)))
    warehouse.step()
    warehouse.advance(4 * 3600)
    assert check(drop, warehouse.state)  # type: ignore[operator]
    if switch == "broken_file":
        with pytest.raises(Exception):  # noqa: B017 - whichever codec error, it must not read
            read_945(outbound(drop, "945")[0])


def test_late_997_arrives_after_its_delay(tmp_path: Path) -> None:
    faults = FaultSwitches()
    faults.set("late_997", count=1, delay=600)
    warehouse, drop, _ = make(tmp_path, "x12", faults=faults)
    upload_940(drop, "940_1.edi", order_940("MD-8", ("i1", "MUG", 1)))
    warehouse.step()
    assert outbound(drop, "997") == []
    warehouse.advance(601)
    assert len(outbound(drop, "997")) == 1


def test_over_real_sftp(tmp_path: Path) -> None:
    floor = Floor(FloorConfig(seed=1, split_probability=0.0), clock=ManualClock(AT))
    floor.set_stock("MUG", 5)
    with running_sftp_drop(tmp_path) as server:
        warehouse = FileWarehouse(floor, server.floor, dialect="x12", stock_every=1e9)
        drop = server.credentials
        settings = SftpSettings(host=drop.host, port=drop.port, username=drop.username,
                                password=drop.password, known_host_key=drop.known_hosts_line)
        with SftpTransport(settings) as hub:
            hub.upload("inbound", "940_1.edi", write_940([order_940("MD-9", ("i1", "MUG", 2))],
                                                        HUB, InMemoryControlNumbers(), at=AT))
            warehouse.step()
            warehouse.advance(4 * 3600)
            names = [f.name for f in hub.list("outbound")]
            assert any(n.startswith("997") for n in names)
            (advice,) = read_945(hub.read("outbound", next(n for n in names
                                                          if n.startswith("945"))))
            assert advice.shipment.depositor_order_number == "MD-9"
