"""The X12 connector against the sandbox file warehouse on a drop folder (no network)."""

from __future__ import annotations

import re
from pathlib import Path

from marketdock.connectors.filewarehouse import X12FileWarehouse
from marketdock.connectors.filewarehouse import ledger as lg
from marketdock.connectors.ports import CancelOutcome, Capability
from marketdock.connectors.x12 import (
    InMemoryControlNumbers,
    TradingPartner,
    read_940,
    read_945,
    read_997,
    write_945,
    write_997,
)
from marketdock.engine.db import Database
from marketdock.sandbox.filewarehouse.warehouse import SANDBOX_PARTNER
from marketdock.sandbox.warehouse.model import OrderStatus as FloorStatus

from .conftest import ACK_TIMEOUT, Setup, make_setup, order, x12_port


def outbound(setup: Setup) -> list[str]:
    return setup.drop.files("outbound")


def test_order_is_acknowledged_shipped_and_reported(x12: X12FileWarehouse,
                                                    x12_setup: Setup) -> None:
    name = x12.send_order(order("MD-1", ("i1", "MUG", 2), ("i2", "TEA", 1)))
    assert x12.find_order("MD-1") == name and x12.find_order("MD-2") is None
    assert x12.send_order(order("MD-1", ("i1", "MUG", 2))) == name  # never sent twice
    x12_setup.run()
    assert x12_setup.floor.order("MD-1").reference == "MD-1"
    updates = x12.fetch_updates(None)
    (package,) = updates.packages
    assert package.order_reference == "MD-1" and package.tracking_number
    assert dict(package.line_quantities) == {"i1": 2, "i2": 1}
    assert list(updates.short_picks) == [] and list(updates.quarantined) == []
    # the warehouse's 997 for our 940 was taken
    sent = x12.ledger.file(name, lg.OUT)
    assert sent is not None and sent.status == "accepted"
    # our 997 for the 945 went to inbound, and the warehouse counts it as acknowledged
    assert [n for n in x12_setup.drop.files() if n.startswith("997_945")]
    x12_setup.warehouse.step()
    assert [n for n in x12_setup.warehouse.state.acknowledged if n.startswith("945")]
    # the 945 stays on the drop until the flow confirms it with the cursor
    assert [n for n in outbound(x12_setup) if n.startswith("945")]
    again = x12.fetch_updates(None)
    assert [p.package_ref for p in again.packages] == [package.package_ref]
    assert again.cursor == updates.cursor
    done = x12.fetch_updates(updates.cursor)
    assert list(done.packages) == [] and done.cursor == updates.cursor
    assert [n for n in outbound(x12_setup) if n.startswith(("945", "997"))] == []
    assert [p.name for p in (x12_setup.drop.root / "archive").iterdir()
            if p.name.startswith("945")]


def test_short_pick_is_reported_per_line(db: Database, tmp_path: Path) -> None:
    setup = make_setup(tmp_path / "drop", "x12", short_pick_rate=1.0)
    port = x12_port(db, setup, setup.drop.root)
    port.send_order(order("MD-2", ("i1", "MUG", 3)))
    setup.run()
    updates = port.fetch_updates(None)
    (short,) = updates.short_picks
    assert (short.order_reference, short.line_ref, short.sku) == ("MD-2", "i1", "MUG")
    shipped = sum(p.line_quantities.get("i1", 0) for p in updates.packages)
    assert short.missing > 0 and shipped + short.missing == 3


def test_split_parcels_become_packages(db: Database, tmp_path: Path) -> None:
    setup = make_setup(tmp_path / "drop", "x12", max_items_per_parcel=1)
    port = x12_port(db, setup, setup.drop.root)
    port.send_order(order("MD-3", ("i1", "MUG", 2), ("i2", "TEA", 1)))
    setup.run()
    packages = port.fetch_updates(None).packages
    assert len(packages) == 3 and len({p.tracking_number for p in packages}) == 3
    assert len({p.package_ref for p in packages}) == 3
    totals: dict[str, int] = {}
    for package in packages:
        for line_ref, units in package.line_quantities.items():
            totals[line_ref] = totals.get(line_ref, 0) + units
    assert totals == {"i1": 2, "i2": 1}


def test_stock_snapshot(x12: X12FileWarehouse, x12_setup: Setup) -> None:
    x12.send_order(order("MD-4", ("i1", "MUG", 2)))
    x12_setup.run()
    name = x12_setup.warehouse.publish_stock()
    snapshot = x12.fetch_stock()
    assert snapshot.full and {p.sku: (p.on_hand, p.available) for p in snapshot.positions} \
        == {"MUG": (8, 8), "TEA": (10, 10)}
    assert all(p.warehouse_id == "wh1" and p.tenant_id == "t1" for p in snapshot.positions)
    assert name not in outbound(x12_setup)  # taken, answered with a 997, archived
    assert [n for n in x12_setup.drop.files() if n == f"997_{name.removesuffix('.edi')}.edi"]
    # nothing new: the last snapshot again, read from the archive
    assert x12.fetch_stock() == snapshot
    # the 945 is left for fetch_updates
    assert [p.order_reference for p in x12.fetch_updates(None).packages] == ["MD-4"]


def test_duplicate_file_is_dropped(x12: X12FileWarehouse, x12_setup: Setup) -> None:
    x12_setup.faults.set("duplicate_file", count=1, path="/945")
    x12.send_order(order("MD-5", ("i1", "MUG", 1)))
    x12_setup.run()
    assert len([n for n in outbound(x12_setup) if "945" in n]) == 2
    updates = x12.fetch_updates(None)
    assert [p.order_reference for p in updates.packages] == ["MD-5"]
    twin = next(f for f in outbound(x12_setup) + [p.name for p in
                (x12_setup.drop.root / "archive").iterdir()] if f.startswith("dup_945"))
    recorded = x12.ledger.file(twin)
    assert recorded is not None and recorded.status == "duplicate"


def test_resent_document_is_dropped_by_its_business_key(x12: X12FileWarehouse,
                                                        x12_setup: Setup) -> None:
    x12.send_order(order("MD-6", ("i1", "MUG", 1)))
    x12_setup.run()
    (name,) = [n for n in outbound(x12_setup) if n.startswith("945")]
    advices = read_945(x12_setup.drop.read(name, folder="outbound"))
    # the same advice in a new interchange (new control numbers, so other bytes)
    x12_setup.drop.publish("945_resent.edi", write_945(
        advices, SANDBOX_PARTNER, InMemoryControlNumbers(interchange=500, group=500),
        at=x12_setup.floor.now()))
    updates = x12.fetch_updates(None)
    assert [p.order_reference for p in updates.packages] == ["MD-6"]
    resent = x12.ledger.file("945_resent.edi")
    assert resent is not None and resent.status == "duplicate" and "945:MD-6" in (
        resent.error or "")


def test_broken_file_is_quarantined_and_later_files_flow(x12: X12FileWarehouse,
                                                         x12_setup: Setup) -> None:
    x12_setup.faults.set("broken_file", count=1, path="/945")
    x12.send_order(order("MD-7", ("i1", "MUG", 1)))
    x12_setup.run()
    x12.send_order(order("MD-8", ("i1", "TEA", 1)))
    x12_setup.run()
    updates = x12.fetch_updates(None)
    assert [p.order_reference for p in updates.packages] == ["MD-8"]
    (bad,) = updates.quarantined
    assert bad.reference.startswith("945_MD-7") and "segment" in bad.reason
    assert bad.reason.startswith(bad.reference) and bad.source == f"outbound/{bad.reference}"
    assert bad.excerpt.startswith("ISA")
    # answered all the same: a 997 rejecting its group (cut inside the ST, the set has no
    # number to name it by)
    (answer,) = [n for n in x12_setup.drop.files() if n.startswith("997_945_MD-7")]
    (ack,) = read_997(x12_setup.drop.read(answer))
    assert ack.status == "R" and ack.accepted == 0 and ack.transactions == []
    # nothing of it is applied, it is not reported again, and it is archived
    assert list(x12.fetch_updates(updates.cursor).quarantined) == []
    assert bad.reference not in outbound(x12_setup)


def test_interchange_from_another_partner_is_quarantined(x12: X12FileWarehouse,
                                                         x12_setup: Setup) -> None:
    x12.send_order(order("MD-9", ("i1", "MUG", 1)))
    x12_setup.run()
    (name,) = [n for n in outbound(x12_setup) if n.startswith("945")]
    stranger = TradingPartner(sender_qualifier="ZZ", sender_id="STRANGER",
                              receiver_qualifier="ZZ", receiver_id="MARKETDOCK", usage="T")
    x12_setup.drop.publish("945_stranger.edi", write_945(
        read_945(x12_setup.drop.read(name, folder="outbound")), stranger,
        InMemoryControlNumbers(), at=x12_setup.floor.now()))
    updates = x12.fetch_updates(None)
    (bad,) = updates.quarantined
    assert bad.reference == "945_stranger.edi" and "STRANGER" in bad.reason
    assert [p.order_reference for p in updates.packages] == ["MD-9"]


def test_missing_997_is_reported_after_the_timeout(x12: X12FileWarehouse,
                                                   x12_setup: Setup) -> None:
    x12_setup.faults.set("no_997", rate=1.0)
    name = x12.send_order(order("MD-10", ("i1", "MUG", 1)))
    x12_setup.warehouse.step()
    x12.fetch_updates(None)
    sent_at = x12_setup.clock.now()
    assert x12.unacknowledged(sent_at + ACK_TIMEOUT / 2) == []
    (late,) = x12.unacknowledged(sent_at + ACK_TIMEOUT)
    assert late.name == name and late.status == "sent" and late.group_control_number
    x12_setup.clock.advance(ACK_TIMEOUT.total_seconds())
    (overdue,) = x12.fetch_updates(None).quarantined  # the flow makes it an exception
    assert overdue.kind == "unacknowledged" and overdue.reference == name
    assert "no 997" in overdue.reason


def test_997_rejecting_our_document_is_recorded(x12: X12FileWarehouse,
                                                x12_setup: Setup) -> None:
    name = x12.send_order(order("MD-11", ("i1", "MUG", 1)))
    x12_setup.warehouse.step()
    (ack_name,) = [n for n in outbound(x12_setup) if n.startswith("997")]
    (ack,) = read_997(x12_setup.drop.read(ack_name, folder="outbound"))
    (x12_setup.drop.root / "outbound" / ack_name).unlink()
    rejected = ack.model_copy(update={"status": "R", "accepted": 0, "transactions": [
        t.model_copy(update={"status": "R", "error_codes": ["5"]}) for t in ack.transactions]})
    x12_setup.drop.publish("997_rejecting.edi", write_997(
        [rejected], SANDBOX_PARTNER, InMemoryControlNumbers(interchange=900),
        at=x12_setup.floor.now()))
    (refused,) = x12.fetch_updates(None).quarantined
    assert refused.reference == name and "997 status R" in refused.reason
    assert refused.source == "outbound/997_rejecting.edi"
    (document,) = x12.rejected()
    assert document.name == name and document.status == "rejected" and document.note
    assert x12.unacknowledged(x12_setup.clock.now() + ACK_TIMEOUT) == []


def test_a_cancel_940_stops_an_order_not_yet_packed(x12: X12FileWarehouse,
                                                   x12_setup: Setup) -> None:
    assert x12.supports(Capability.CANCEL_ORDER)
    assert x12.cancel_order("MD-1") is CancelOutcome.NOT_FOUND  # never sent
    x12.send_order(order("MD-1", ("i1", "MUG", 2)))
    x12_setup.warehouse.step()
    assert x12.cancel_order("MD-1") is CancelOutcome.REQUESTED
    assert x12.cancel_order("MD-1") is CancelOutcome.REQUESTED  # one file, not two
    (cancel,) = [n for n in x12_setup.drop.files() if n.startswith("940_cancel_MD-1")]
    (sent,) = read_940(x12_setup.drop.read(cancel))
    assert (sent.status, sent.depositor_order_number, sent.lines) == ("F", "MD-1", [])
    x12_setup.run()
    assert x12_setup.floor.order("MD-1").status is FloorStatus.CANCELLED
    assert x12_setup.floor.stock("MUG").allocated == 0
    updates = x12.fetch_updates(None)
    assert list(updates.packages) == [] and list(updates.quarantined) == []
    acknowledged = x12.ledger.file(cancel, lg.OUT)
    assert acknowledged is not None and acknowledged.status == "accepted"  # its 997 came


def test_a_cancel_too_late_is_answered_by_the_945(x12: X12FileWarehouse,
                                                 x12_setup: Setup) -> None:
    x12.send_order(order("MD-2", ("i1", "MUG", 1)))
    x12_setup.run()
    assert x12.cancel_order("MD-2") is CancelOutcome.REQUESTED  # the 945 is not taken yet
    x12_setup.warehouse.step()
    assert "MD-2" in x12_setup.warehouse.state.cancel_refused
    updates = x12.fetch_updates(None)
    assert [p.order_reference for p in updates.packages] == ["MD-2"]


def test_a_file_partly_taken_before_hands_over_only_the_new_documents(
        x12: X12FileWarehouse, x12_setup: Setup) -> None:
    x12.send_order(order("MD-12", ("i1", "MUG", 1)))
    x12.send_order(order("MD-13", ("i1", "TEA", 1)))
    x12_setup.run()
    names = sorted(n for n in outbound(x12_setup) if n.startswith("945"))
    first, second = (read_945(x12_setup.drop.read(n, folder="outbound")) for n in names)
    (x12_setup.drop.root / "outbound" / names[1]).unlink()
    assert [p.order_reference for p in x12.fetch_updates(None).packages] == ["MD-12"]
    x12_setup.drop.publish("945_both.edi", write_945(
        first + second, SANDBOX_PARTNER, InMemoryControlNumbers(interchange=700, group=700),
        at=x12_setup.floor.now()))
    updates = x12.fetch_updates(None)
    assert sorted(p.order_reference for p in updates.packages) == ["MD-12", "MD-13"]
    # handed over again (the cursor was not stored): only what each file was first to carry
    again = x12.fetch_updates(None)
    assert sorted(p.order_reference for p in again.packages) == ["MD-12", "MD-13"]
    assert len(again.packages) == 2
    assert list(x12.fetch_updates(again.cursor).packages) == []


def test_wrong_segment_count_is_quarantined_and_answered(x12: X12FileWarehouse,
                                                         x12_setup: Setup) -> None:
    x12.send_order(order("MD-14", ("i1", "MUG", 1)))
    x12_setup.run()
    (name,) = [n for n in outbound(x12_setup) if n.startswith("945")]
    path = x12_setup.drop.root / "outbound" / name
    path.write_bytes(re.sub(rb"SE\*(\d+)\*", lambda m: b"SE*" + str(int(m[1]) + 1).encode()
                            + b"*", path.read_bytes()))
    (bad,) = x12.fetch_updates(None).quarantined
    assert bad.reference == name and "SE01 declares" in bad.reason
    (answer,) = [n for n in x12_setup.drop.files() if n.startswith(f"997_{name[:-4]}")]
    (ack,) = read_997(x12_setup.drop.read(answer))
    (rejected,) = ack.transactions
    assert rejected.status == "R" and rejected.segments[0].segment_id == "SE"
    assert rejected.segments[0].elements[0].position == 1


def test_wrong_encoding_is_quarantined(x12: X12FileWarehouse, x12_setup: Setup) -> None:
    x12.send_order(order("MD-15", ("i1", "MUG", 1)))
    x12_setup.run()
    (name,) = [n for n in outbound(x12_setup) if n.startswith("945")]
    path = x12_setup.drop.root / "outbound" / name
    path.write_bytes(path.read_bytes().replace(b"MD-15", "MD-1\u00fc".encode("latin-1")))
    (bad,) = x12.fetch_updates(None).quarantined
    assert bad.reference == name and "segment" in bad.reason


def test_a_file_still_being_written_is_not_read(x12: X12FileWarehouse,
                                                x12_setup: Setup) -> None:
    x12.send_order(order("MD-16", ("i1", "MUG", 1)))
    x12_setup.warehouse.step()
    x12_setup.drop.faults.set("partial_file", count=1, path="/outbound/945")
    x12_setup.run()
    assert x12_setup.drop.partial_writes
    early = x12.fetch_updates(None)
    assert list(early.packages) == [] and list(early.quarantined) == []
    x12_setup.drop.complete_partial_writes()
    assert [p.order_reference for p in x12.fetch_updates(None).packages] == ["MD-16"]


def test_a_file_the_archive_holds_already_is_archived_under_a_free_name(
        x12: X12FileWarehouse, x12_setup: Setup) -> None:
    """An earlier run left files of the same names in the archive: the taken file still
    leaves the drop, under a second name no file has."""
    x12.send_order(order("MD-30", ("i1", "MUG", 1)))
    x12_setup.run()
    [name] = [n for n in outbound(x12_setup) if n.startswith("945")]
    archive = x12_setup.drop.root / "archive"
    for taken in (name, *(f"{name}.{n}" for n in range(1, 10))):
        (archive / taken).write_bytes(b"an earlier run's file")
    updates = x12.fetch_updates(None)
    x12.fetch_updates(updates.cursor)
    assert name not in outbound(x12_setup)
    assert [f.name for f in archive.iterdir() if f.name.endswith("-2")] != []
