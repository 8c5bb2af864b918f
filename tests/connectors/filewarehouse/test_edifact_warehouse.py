"""The EDIFACT connector against the sandbox file warehouse on a drop folder (no network)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from marketdock.connectors.edifact import parse_edifact, read_orders
from marketdock.connectors.filewarehouse import EdifactFileWarehouse, FileLedger, LocalDrop
from marketdock.connectors.filewarehouse.settings import EdifactSettings, edifact_settings
from marketdock.connectors.ports import CancelOutcome, Capability
from marketdock.connectors.sftp import SftpFolders
from marketdock.engine.control_numbers import DatabaseControlNumbers
from marketdock.engine.db import Database
from marketdock.errors import ConfigError, OperationNotSupported
from marketdock.sandbox.filewarehouse import edifact_documents
from marketdock.sandbox.warehouse.model import OrderStatus as FloorStatus

from .conftest import AT, BERLIN, Setup, make_setup, order

SETTINGS = EdifactSettings(sender_id="MARKETDOCK", sender_qualifier="ZZ",
                           receiver_id="MDSANDBOXWH", receiver_qualifier="ZZ")


def edifact_port(db: Database, setup: Setup) -> EdifactFileWarehouse:
    return EdifactFileWarehouse(
        lambda: LocalDrop(setup.drop.root), FileLedger(db, "t1", "wh1", setup.clock),
        SftpFolders(), SETTINGS, DatabaseControlNumbers(db, "t1", "edifact:wh1"), setup.clock,
        BERLIN)


@pytest.fixture
def setup(tmp_path: Path) -> Setup:
    return make_setup(tmp_path / "drop", "edifact")


@pytest.fixture
def port(db: Database, setup: Setup) -> EdifactFileWarehouse:
    return edifact_port(db, setup)


def outbound(setup: Setup) -> list[str]:
    return setup.drop.files("outbound")


def test_orders_out_despatch_advice_back(port: EdifactFileWarehouse, setup: Setup) -> None:
    wanted = replace(order("MD-1", ("i1", "MUG", 2), ("i2", "TEA", 1)),
                     shipping_method="Express", gift_message="Alles Gute + viel Glück!")
    name = port.send_order(wanted)
    assert name == "ORDERS_MD-1_1.edi" and port.find_order("MD-1") == name
    assert port.send_order(wanted) == name  # never sent twice
    data = (setup.drop.root / "inbound" / name).read_bytes()
    assert b"UNB+UNOC:3+MARKETDOCK:ZZ+MDSANDBOXWH:ZZ+" in data
    assert "NAD+DP+++Jörg Müller+Hauptstraße 5+Berlin++10115+DE'".encode("latin-1") in data
    assert b"FTX+DEL+++Express'" in data and b"viel Gl\xfcck!'" in data
    [message] = parse_edifact(data).messages
    assert [(line.item_id, line.reference("LI")) for line in read_orders(message).lines] == [
        ("MUG", "i1"), ("TEA", "i2")]
    setup.run()
    at_floor = setup.floor.order("MD-1")
    assert at_floor.shipping_method == "Express" and at_floor.ship_to is not None
    assert (at_floor.ship_to.name, at_floor.ship_to.street1) == ("Jörg Müller", "Hauptstraße 5")
    updates = port.fetch_updates(None)
    (package,) = updates.packages
    assert package.order_reference == "MD-1" and package.tracking_number and package.carrier
    assert dict(package.line_quantities) == {"i1": 2, "i2": 1}
    assert list(updates.short_picks) == [] and list(updates.quarantined) == []
    # handed over again until the flow confirms it with the cursor, then archived
    assert [p.package_ref for p in port.fetch_updates(None).packages] == [package.package_ref]
    done = port.fetch_updates(updates.cursor)
    assert list(done.packages) == [] and not [n for n in outbound(setup)
                                              if n.startswith("DESADV")]


def test_control_references_survive_a_restart(db: Database, setup: Setup) -> None:
    first = edifact_port(db, setup).send_order(order("MD-2", ("i1", "MUG", 1)))
    second = edifact_port(db, setup).send_order(order("MD-3", ("i1", "MUG", 1)))
    assert (first, second) == ("ORDERS_MD-2_1.edi", "ORDERS_MD-3_2.edi")


def test_short_pick_is_ordered_less_despatched(db: Database, tmp_path: Path) -> None:
    setup = make_setup(tmp_path / "drop", "edifact", short_pick_rate=1.0)
    port = edifact_port(db, setup)
    port.send_order(order("MD-4", ("l1", "MUG", 3)))
    setup.run()
    updates = port.fetch_updates(None)
    (short,) = updates.short_picks
    shipped = sum(p.line_quantities.get("l1", 0) for p in updates.packages)
    assert (short.order_reference, short.line_ref, short.sku) == ("MD-4", "l1", "MUG")
    assert short.missing > 0 and shipped + short.missing == 3


def test_each_parcel_is_a_package_with_its_tracking_number(db: Database,
                                                           tmp_path: Path) -> None:
    setup = make_setup(tmp_path / "drop", "edifact", max_items_per_parcel=1)
    port = edifact_port(db, setup)
    port.send_order(order("MD-5", ("l1", "MUG", 2)))
    setup.run()
    packages = port.fetch_updates(None).packages
    assert len(packages) == 2 and len({p.tracking_number for p in packages}) == 2
    assert [dict(p.line_quantities) for p in packages] == [{"l1": 1}, {"l1": 1}]


def test_stock_report(port: EdifactFileWarehouse, setup: Setup) -> None:
    setup.floor.adjust_stock("MUG", 0, blocked=2)
    setup.warehouse.step()
    snapshot = port.fetch_stock()
    assert snapshot.full and snapshot.as_of == AT.replace(tzinfo=BERLIN)
    assert {p.sku: (p.on_hand, p.blocked, p.available) for p in snapshot.positions} == {
        "MUG": (10, 2, 8), "TEA": (10, 0, 10)}
    assert port.fetch_stock() == snapshot  # nothing new: read again from the archive


def test_duplicate_file_is_dropped(port: EdifactFileWarehouse, setup: Setup) -> None:
    setup.faults.set("duplicate_file", count=1, path="/desadv")
    port.send_order(order("MD-6", ("l1", "MUG", 1)))
    setup.run()
    assert len([n for n in outbound(setup) if "DESADV" in n]) == 2
    assert [p.order_reference for p in port.fetch_updates(None).packages] == ["MD-6"]


def test_broken_file_is_quarantined_and_later_files_flow(port: EdifactFileWarehouse,
                                                         setup: Setup) -> None:
    setup.faults.set("broken_file", count=1, path="/desadv")
    port.send_order(order("MD-7", ("l1", "MUG", 1)))
    setup.run()
    port.send_order(order("MD-8", ("l1", "TEA", 1)))
    setup.run()
    updates = port.fetch_updates(None)
    assert [p.order_reference for p in updates.packages] == ["MD-8"]
    (bad,) = updates.quarantined
    assert bad.reference.startswith("DESADV_MD-7") and bad.reason.startswith(bad.reference)
    assert "segment" in bad.reason


def test_unreadable_message_names_file_and_segment(port: EdifactFileWarehouse,
                                                   setup: Setup) -> None:
    port.send_order(order("MD-9", ("l1", "MUG", 1)))
    setup.run()
    (name,) = [n for n in outbound(setup) if n.startswith("DESADV")]
    path = setup.drop.root / "outbound" / name
    path.write_bytes(path.read_bytes().replace(b"QTY+12:1'", b"QTY+12:one'"))
    (bad,) = port.fetch_updates(None).quarantined
    assert bad.reason.startswith(f"{name} (interchange ")
    assert "QTY quantity 'one' is not a number" in bad.reason
    assert "(segment 1" in bad.reason and "(QTY), element 1)" in bad.reason


def test_interchange_from_another_partner_is_quarantined(port: EdifactFileWarehouse,
                                                         setup: Setup) -> None:
    levels = setup.floor.stock_levels()
    data = edifact_documents.invrpt_file(levels, AT, 1).replace(b"MDSANDBOXWH", b"STRANGER")
    setup.drop.publish("INVRPT_x.edi", data)
    (bad,) = port.fetch_updates(None).quarantined
    assert "'STRANGER'" in bad.reason and "not from our partner 'MDSANDBOXWH'" in bad.reason


def test_utf8_interchange(port: EdifactFileWarehouse, setup: Setup) -> None:
    text = edifact_documents.invrpt_file(setup.floor.stock_levels(), AT, 1).decode("latin-1")
    text = text.replace("UNOC:3", "UNOW:4").replace("marketdock sandbox", "Lager Łódź")
    setup.drop.publish("INVRPT_utf8.edi", text.encode("utf-8"))
    assert {p.sku for p in port.fetch_stock().positions} == {"MUG", "TEA"}


def test_characters_outside_unoc_lose_their_accents(port: EdifactFileWarehouse,
                                                    setup: Setup) -> None:
    wanted = order("MD-10", ("l1", "MUG", 1))
    wanted = replace(wanted, ship_to=wanted.ship_to.model_copy(update={"name": "Ayşe Łukasz ☃"}))
    data = (setup.drop.root / "inbound" / port.send_order(wanted)).read_bytes()
    assert b"NAD+DP+++Ayse ?ukasz+" not in data and b"NAD+DP+++Ayse ukasz+" in data


def test_inbound_is_not_offered(port: EdifactFileWarehouse) -> None:
    assert not port.supports(Capability.SEND_INBOUND)
    with pytest.raises(OperationNotSupported):
        port.fetch_receipts(None)


def test_a_cancelling_orders_stops_an_order_not_yet_packed(port: EdifactFileWarehouse,
                                                          setup: Setup) -> None:
    assert port.cancel_order("MD-9") is CancelOutcome.NOT_FOUND
    port.send_order(order("MD-9", ("i1", "MUG", 1)))
    setup.warehouse.step()
    assert port.cancel_order("MD-9") is CancelOutcome.REQUESTED
    assert port.cancel_order("MD-9") is CancelOutcome.REQUESTED  # one file, not two
    (name,) = [n for n in setup.drop.files() if n.startswith("ORDERS_cancel_MD-9")]
    [message] = parse_edifact((setup.drop.root / "inbound" / name).read_bytes()).messages
    sent = read_orders(message)
    assert (sent.function, sent.document_number, sent.lines) == ("1", "MD-9", [])
    setup.run()
    assert setup.floor.order("MD-9").status is FloorStatus.CANCELLED
    assert list(port.fetch_updates(None).packages) == []
    port.send_order(order("MD-10", ("i1", "MUG", 1)))
    setup.run()
    port.fetch_updates(port.fetch_updates(None).cursor)
    assert port.cancel_order("MD-10") is CancelOutcome.ALREADY_SHIPPED  # its DESADV came


def test_several_carrier_numbers_in_one_package_are_its_boxes(db: Database,
                                                              tmp_path: Path) -> None:
    setup = make_setup(tmp_path / "drop", "edifact")
    setup.floor.config = replace(setup.floor.config, boxes_per_unit={"MUG": 3})
    port = edifact_port(db, setup)
    port.send_order(order("MD-11", ("i1", "MUG", 1)))
    setup.run()
    (package,) = port.fetch_updates(None).packages
    assert package.tracking_number and len(package.more_parcels) == 2
    assert len({package.tracking_number, *(p.tracking_number for p in package.more_parcels)}) == 3


def test_settings() -> None:
    settings = edifact_settings("wh1", {"sender_id": "4000000000002", "sender_qualifier": "14",
                                        "receiver_id": "WH", "host": "ignored"})
    assert (settings.sender, settings.receiver) == (("4000000000002", "14"), ("WH",))
    with pytest.raises(ConfigError, match="warehouse 'wh1' connection: receiver_id"):
        edifact_settings("wh1", {"sender_id": "MD"})
    with pytest.raises(ConfigError, match="sender_id"):
        edifact_settings("wh1", {"sender_id": "M+D", "receiver_id": "WH"})
