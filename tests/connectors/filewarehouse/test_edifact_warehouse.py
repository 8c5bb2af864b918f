"""The EDIFACT connector against the sandbox file warehouse on a drop folder (no network)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from marketdock.connectors.edifact import DESPATCHED, parse_edifact, read_desadv, read_orders
from marketdock.connectors.filewarehouse import EdifactFileWarehouse, FileLedger, LocalDrop
from marketdock.connectors.filewarehouse.settings import EdifactSettings, edifact_settings
from marketdock.connectors.ports import CancelOutcome, Capability, InboundLine, InboundNotice
from marketdock.connectors.sftp import SftpFolders
from marketdock.engine.control_numbers import DatabaseControlNumbers
from marketdock.engine.db import Database
from marketdock.errors import ConfigError, ValidationError
from marketdock.sandbox.filewarehouse import edifact_documents
from marketdock.sandbox.warehouse.model import InboundStatus
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


def notice(reference: str, **lines: int) -> InboundNotice:
    return InboundNotice(reference=reference,
                         lines=[InboundLine(sku, qty) for sku, qty in lines.items()],
                         expected_at=datetime(2026, 1, 20, 7, 30, tzinfo=UTC),
                         carrier="DB Schenker", tracking_number="PRO-123456",
                         supplier="Mugs+Ltd")


def test_inbound_notice_out_once(port: EdifactFileWarehouse, setup: Setup) -> None:
    assert port.supports(Capability.SEND_INBOUND)
    name = port.send_inbound(notice("ASN-1", MUG=10, TEA=4))
    assert name == "DESADV_ASN-1_1.edi"
    assert port.send_inbound(notice("ASN-1", MUG=10, TEA=4)) == name  # never sent twice
    assert [n for n in setup.drop.files() if n.startswith("DESADV")] == [name]
    data = (setup.drop.root / "inbound" / name).read_bytes()
    assert (b"BGM+351+ASN-1+9'DTM+137:202601150900:203'DTM+17:20260120:102'"
            b"RFF+AAK:ASN-1'RFF+CN:PRO-123456'NAD+SU+++Mugs?+Ltd'TDT+20++++:::DB Schenker'"
            b"CPS+1'LIN+1++MUG:SA'QTY+12:10:PCE'LIN+2++TEA:SA'QTY+12:4:PCE'") in data
    [message] = parse_edifact(data).messages
    assert [(line.item_id, line.quantity(DESPATCHED))
            for _, line in read_desadv(message).items()] == [("MUG", 10), ("TEA", 4)]
    setup.run()
    inbound = setup.floor.inbound("ASN-1")
    assert inbound.status is InboundStatus.AWAITING
    assert dict(inbound.expected) == {"MUG": 10, "TEA": 4}
    assert inbound.expected_at == datetime(2026, 1, 20, tzinfo=UTC)


def test_receipt_comes_back_once_with_damaged_units(port: EdifactFileWarehouse,
                                                    setup: Setup) -> None:
    port.send_inbound(notice("ASN-1", MUG=10, TEA=4))
    setup.run()
    setup.warehouse.receive_inbound("ASN-1", {"MUG": 8, "TEA": 4}, damaged={"MUG": 1})
    # the shipments poll leaves the RECADV to the receipts poll
    updates = port.fetch_updates(None)
    assert list(updates.quarantined) == [] and list(updates.packages) == []
    receipts, cursor = port.fetch_receipts(None)
    [receipt] = receipts
    assert receipt.inbound_reference == "ASN-1"
    assert (dict(receipt.received), dict(receipt.damaged)) == ({"MUG": 8, "TEA": 4},
                                                              {"MUG": 1})
    assert receipt.received_at == datetime(2026, 1, 15, tzinfo=BERLIN)
    # handed over again until the flow confirms it, then archived
    again, same = port.fetch_receipts(None)
    assert [r.inbound_reference for r in again] == ["ASN-1"] and same == cursor
    done, _ = port.fetch_receipts(cursor)
    assert list(done) == [] and not [n for n in outbound(setup) if n.startswith("RECADV")]


def test_duplicate_recadv_is_dropped(port: EdifactFileWarehouse, setup: Setup) -> None:
    setup.faults.set("duplicate_file", count=1, path="/recadv")
    port.send_inbound(notice("ASN-2", MUG=2))
    setup.run()
    setup.warehouse.receive_inbound("ASN-2")
    receipts, cursor = port.fetch_receipts(None)
    assert [(r.inbound_reference, dict(r.received)) for r in receipts] == [("ASN-2", {"MUG": 2})]
    assert list(port.fetch_receipts(cursor)[0]) == []


def test_broken_recadv_is_quarantined_naming_file_and_segment(port: EdifactFileWarehouse,
                                                              setup: Setup) -> None:
    port.send_inbound(notice("ASN-3", MUG=2))
    setup.run()
    setup.warehouse.receive_inbound("ASN-3")
    (name,) = [n for n in outbound(setup) if n.startswith("RECADV")]
    path = setup.drop.root / "outbound" / name
    path.write_bytes(path.read_bytes().replace(b"QTY+48:2'", b"QTY+48:two'"))
    assert list(port.fetch_receipts(None)[0]) == []
    (bad,) = port.fetch_updates(None).quarantined
    assert bad.reference == name and bad.reason.startswith(f"{name} (interchange ")
    assert "QTY quantity 'two' is not a number" in bad.reason
    assert "(segment " in bad.reason and "(QTY), element 1)" in bad.reason
    assert list(port.fetch_receipts(None)[0]) == []  # quarantined, not taken later


def test_more_damaged_than_received_is_quarantined(port: EdifactFileWarehouse,
                                                   setup: Setup) -> None:
    port.send_inbound(notice("ASN-4", MUG=2))
    setup.run()
    setup.warehouse.receive_inbound("ASN-4", {"MUG": 1}, damaged={"MUG": 1})
    (name,) = [n for n in outbound(setup) if n.startswith("RECADV")]
    path = setup.drop.root / "outbound" / name
    path.write_bytes(path.read_bytes().replace(b"QTY+48:2'", b"QTY+48:0'"))
    (bad,) = port.fetch_updates(None).quarantined
    assert bad.reason.startswith(f"{name} (interchange ") and ", LIN 1: QTY+124 1 damaged" \
        in bad.reason


def test_a_notice_that_does_not_fit_is_refused(port: EdifactFileWarehouse,
                                               setup: Setup) -> None:
    with pytest.raises(ValidationError, match="inbound notice ASN-5: carrier"):
        port.send_inbound(replace(notice("ASN-5", MUG=1), carrier="C" * 36))
    with pytest.raises(ValidationError, match="inbound notice ASN-6: has no lines"):
        port.send_inbound(InboundNotice(reference="ASN-6", lines=[]))
    assert setup.drop.files() == []


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
