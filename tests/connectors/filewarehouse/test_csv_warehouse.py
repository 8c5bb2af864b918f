"""The CSV connector against the sandbox file warehouse on a drop folder (no network)."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from pathlib import Path

from marketdock.connectors import csvfiles
from marketdock.connectors.filewarehouse import CsvFileWarehouse
from marketdock.connectors.ports import CancelOutcome, Capability
from marketdock.engine.db import Database
from marketdock.sandbox.warehouse.model import OrderStatus as FloorStatus

from .conftest import AT, Setup, csv_port, make_setup, order


def outbound(setup: Setup) -> list[str]:
    return setup.drop.files("outbound")


def test_order_out_shipment_back(csv: CsvFileWarehouse, csv_setup: Setup) -> None:
    wanted = replace(order("MD-20", ("l1", "MUG", 2), ("l2", "TEA", 1)),
                     gift_message="=HYPERLINK(\"http://x\")")
    name = csv.send_order(wanted)
    assert name.startswith("orders_") and csv.find_order("MD-20") == name
    assert csv.send_order(wanted) == name
    data = (csv_setup.drop.root / "inbound" / name).read_bytes()
    assert b"'=HYPERLINK" in data  # neutralised for people opening the file
    csv_setup.run()
    assert csv_setup.floor.order("MD-20").reference == "MD-20"
    updates = csv.fetch_updates(None)
    (package,) = updates.packages
    assert package.order_reference == "MD-20" and package.tracking_number and package.carrier
    assert dict(package.line_quantities) == {"l1": 2, "l2": 1}
    assert list(updates.short_picks) == [] and list(updates.quarantined) == []
    csv.fetch_updates(updates.cursor)
    assert [n for n in outbound(csv_setup) if n.startswith("shipments")] == []


def test_short_pick(db: Database, tmp_path: Path) -> None:
    setup = make_setup(tmp_path / "drop", "csv", short_pick_rate=1.0)
    port = csv_port(db, setup, setup.drop.root)
    port.send_order(order("MD-21", ("l1", "MUG", 3)))
    setup.run()
    updates = port.fetch_updates(None)
    (short,) = updates.short_picks
    shipped = sum(p.line_quantities.get("l1", 0) for p in updates.packages)
    assert (short.order_reference, short.line_ref, short.sku) == ("MD-21", "l1", "MUG")
    assert short.missing > 0 and shipped + short.missing == 3


def test_split_parcels(db: Database, tmp_path: Path) -> None:
    setup = make_setup(tmp_path / "drop", "csv", max_items_per_parcel=1)
    port = csv_port(db, setup, setup.drop.root)
    port.send_order(order("MD-22", ("l1", "MUG", 2)))
    setup.run()
    packages = port.fetch_updates(None).packages
    assert len(packages) == 2 and len({p.tracking_number for p in packages}) == 2
    assert [dict(p.line_quantities) for p in packages] == [{"l1": 1}, {"l1": 1}]


def test_stock_snapshots_full_then_delta_and_a_stale_one(csv: CsvFileWarehouse,
                                                          csv_setup: Setup) -> None:
    csv_setup.warehouse.step()  # the warehouse's first full snapshot
    full = csv.fetch_stock()
    assert full.full and {p.sku: p.available for p in full.positions} == {"MUG": 10, "TEA": 10}

    def position(snapshot: str, at: object, sku: str, units: int) -> csvfiles.InventoryPosition:
        return csvfiles.InventoryPosition(
            snapshot_id=snapshot, snapshot_at=at, warehouse_id="sandbox", sku=sku,
            on_hand=units, allocated=0, available=units, blocked=0)

    later = AT + timedelta(hours=1)
    csv_setup.drop.publish(csvfiles.INVENTORY_DELTA.file_name(later), csvfiles.write_csv(
        csvfiles.INVENTORY_DELTA, [position("d1", later, "MUG", 4)]))
    delta = csv.fetch_stock()
    assert not delta.full and delta.as_of == later
    assert [(p.sku, p.available) for p in delta.positions] == [("MUG", 4)]
    # a full snapshot older than the delta applied must not overwrite it
    older = AT + timedelta(minutes=30)
    stale = csvfiles.INVENTORY_FULL.file_name(older)
    csv_setup.drop.publish(stale, csvfiles.write_csv(
        csvfiles.INVENTORY_FULL, [position("f-old", older, "MUG", 9)]))
    assert csv.fetch_stock() == delta  # nothing new: the last one taken
    recorded = csv.ledger.file(stale)
    assert recorded is not None and recorded.status == "stale"


def test_duplicate_file_is_dropped(csv: CsvFileWarehouse, csv_setup: Setup) -> None:
    csv_setup.faults.set("duplicate_file", count=1, path="/shipments")
    csv.send_order(order("MD-23", ("l1", "MUG", 1)))
    csv_setup.run()
    assert len([n for n in outbound(csv_setup) if "shipments" in n]) == 2
    updates = csv.fetch_updates(None)
    assert [p.order_reference for p in updates.packages] == ["MD-23"]


def test_broken_file_is_quarantined_while_a_later_file_flows(csv: CsvFileWarehouse,
                                                             csv_setup: Setup) -> None:
    csv_setup.faults.set("broken_file", count=1, path="/shipments")
    csv.send_order(order("MD-24", ("l1", "MUG", 1)))
    csv_setup.run()
    csv.send_order(order("MD-25", ("l1", "TEA", 1)))
    csv_setup.run()
    updates = csv.fetch_updates(None)
    assert [p.order_reference for p in updates.packages] == ["MD-25"]
    (bad,) = updates.quarantined
    assert bad.reference.startswith("shipments_") and "line" in bad.reason


def test_semicolons_decimal_comma_and_windows_1252(csv: CsvFileWarehouse,
                                                   csv_setup: Setup) -> None:
    header = ";".join(csvfiles.SHIPMENTS.header)
    rows = [
        "SHIPMENT_LINE;m1;S-1;MD-26;l1;MUG;3;2;1;Ware beschädigt;P-1;DHL;Paket;TRK-1;;"
        "2026-01-15T10:00:00+01:00;1,5;;",
        "SHIPMENT_LINE;m1;S-1;MD-26;l2;TEA;1;1;0;;P-1;DHL;Paket;TRK-1;;"
        "2026-01-15T10:00:00+01:00;0,25;;",
    ]
    data = "\r\n".join([header, *rows]).encode("cp1252")
    name = csvfiles.SHIPMENTS.file_name(AT, 77)
    csv_setup.drop.publish(name, data)
    updates = csv.fetch_updates(None)
    assert list(updates.quarantined) == []
    (package,) = updates.packages
    assert package.package_ref == "S-1:P-1" and package.service == "Paket"
    assert dict(package.line_quantities) == {"l1": 2, "l2": 1}
    (short,) = updates.short_picks
    assert (short.line_ref, short.missing) == ("l1", 1)


def test_a_bad_row_quarantines_the_whole_file(csv: CsvFileWarehouse, csv_setup: Setup) -> None:
    header = ";".join(csvfiles.SHIPMENTS.header)
    good = ("SHIPMENT_LINE;m1;S-2;MD-27;l1;MUG;1;1;0;;P-2;DHL;;TRK-2;;"
            "2026-01-15T10:00:00Z;;;")
    bad = good.replace("l1;MUG;1;1;0", "l2;TEA;1;5;0")  # more shipped than ordered
    name = csvfiles.SHIPMENTS.file_name(AT, 78)
    csv_setup.drop.publish(name, "\r\n".join([header, good, bad]).encode())
    updates = csv.fetch_updates(None)
    assert list(updates.packages) == []
    (quarantined,) = updates.quarantined
    assert quarantined.reference == name and f"{name} line 3" in quarantined.reason


def test_a_cancellations_file_stops_an_order_not_yet_packed(csv: CsvFileWarehouse,
                                                            csv_setup: Setup) -> None:
    assert csv.supports(Capability.CANCEL_ORDER)
    assert csv.cancel_order("MD-1") is CancelOutcome.NOT_FOUND
    csv.send_order(order("MD-1", ("l1", "MUG", 2)))
    csv_setup.warehouse.step()
    assert csv.cancel_order("MD-1") is CancelOutcome.REQUESTED
    assert csv.cancel_order("MD-1") is CancelOutcome.REQUESTED  # one file, not two
    (name,) = [n for n in csv_setup.drop.files() if n.startswith("cancellations_")]
    (row,) = csvfiles.read_csv((csv_setup.drop.root / "inbound" / name).read_bytes(), name,
                               strict=True).records
    assert isinstance(row, csvfiles.OrderCancellation) and row.order_id == "MD-1"
    csv_setup.run()
    assert csv_setup.floor.order("MD-1").status is FloorStatus.CANCELLED
    assert list(csv.fetch_updates(None).packages) == []


def test_a_cancellation_too_late_is_answered_by_the_shipments_file(
        csv: CsvFileWarehouse, csv_setup: Setup) -> None:
    csv.send_order(order("MD-2", ("l1", "MUG", 1)))
    csv_setup.run()
    assert csv.cancel_order("MD-2") is CancelOutcome.REQUESTED
    csv_setup.warehouse.step()
    assert "MD-2" in csv_setup.warehouse.state.cancel_refused
    assert [p.order_reference for p in csv.fetch_updates(None).packages] == ["MD-2"]


def test_error_file_of_the_warehouse_marks_our_file_refused(csv: CsvFileWarehouse,
                                                            csv_setup: Setup) -> None:
    name = csv.send_order(order("MD-28", ("l1", "MUG", 1)))
    csv_setup.drop.publish(f"{name}.error.txt", b"line 2: unknown SKU MUG")
    (refused,) = csv.fetch_updates(None).quarantined
    assert refused.reference == name and "unknown SKU MUG" in refused.reason
    (document,) = csv.rejected()
    assert document.name == name and document.note == "line 2: unknown SKU MUG"


def test_mixed_encodings_are_quarantined_not_garbled(csv: CsvFileWarehouse,
                                                     csv_setup: Setup) -> None:
    header = ";".join(csvfiles.SHIPMENTS.header)
    row = ("SHIPMENT_LINE;m1;S-3;MD-29;l1;MUG;1;0;1;{reason};;;;;;"
           "2026-01-15T10:00:00Z;;;")
    data = "\r\n".join([header, row.format(reason="beschädigt")]).encode("utf-8") + \
        b"\r\n" + row.format(reason="besch\u00e4digt").replace("l1", "l2").encode("cp1252")
    name = csvfiles.SHIPMENTS.file_name(AT, 79)
    csv_setup.drop.publish(name, data)
    (bad,) = csv.fetch_updates(None).quarantined
    assert bad.reference == name and "mixed encodings" in bad.reason and "line 3" in bad.reason
