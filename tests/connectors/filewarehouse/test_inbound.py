"""Inbound notices and receipts through the file warehouse connectors and the sandbox."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from marketdock.connectors import csvfiles
from marketdock.connectors.filewarehouse import CsvFileWarehouse, X12FileWarehouse
from marketdock.connectors.filewarehouse import ledger as lg
from marketdock.connectors.filewarehouse.x12_mapping import advice_943
from marketdock.connectors.ports import Capability, InboundLine, InboundNotice
from marketdock.connectors.x12 import Delimiters, read_943, read_997
from marketdock.errors import ValidationError
from marketdock.sandbox.warehouse.model import InboundStatus

from .conftest import BERLIN, Setup


def notice(reference: str, carrier: str | None = "DB Schenker", **lines: int) -> InboundNotice:
    return InboundNotice(reference=reference,
                         lines=[InboundLine(sku, qty) for sku, qty in lines.items()],
                         expected_at=datetime(2026, 1, 20, 7, 30, tzinfo=UTC), carrier=carrier,
                         tracking_number="PRO-123456", supplier="Mugs*Ltd")


def inbound_files(setup: Setup) -> list[str]:
    return [n for n in setup.drop.files() if n.startswith(("943", "asn"))]


def test_943_carries_the_notice(x12: X12FileWarehouse, x12_setup: Setup) -> None:
    name = x12.send_inbound(notice("ASN-1", MUG=10, TEA=4))
    assert x12.send_inbound(notice("ASN-1", MUG=10, TEA=4)) == name  # never sent twice
    assert inbound_files(x12_setup) == [name]
    [advice] = read_943((x12_setup.drop.root / "inbound" / name).read_bytes())
    assert advice.shipment.depositor_order_number == "ASN-1"
    assert [(p.value, int(line.quantity)) for line in advice.lines
            for p in line.product_ids] == [("MUG", 10), ("TEA", 4)]
    assert int(advice.totals.quantity) == 14
    assert (advice.carrier.scac, advice.carrier.routing) == ("ZZZZ", "DB Schenker")
    assert [(r.qualifier, r.value) for r in advice.references] == [("2I", "PRO-123456")]
    assert advice.parties[0].name == "Mugs Ltd"  # the separator is cleaned out
    [arrival] = advice.dates
    assert (arrival.qualifier, arrival.date) == ("17", datetime(2026, 1, 20).date())


def test_a_scac_travels_as_such() -> None:
    advice = advice_943(notice("ASN-1", "UPSN", MUG=1), Delimiters(), BERLIN)
    assert advice.carrier.scac == "UPSN"


def test_receipt_comes_back_once_with_damage_and_a_997(x12: X12FileWarehouse,
                                                      x12_setup: Setup) -> None:
    name = x12.send_inbound(notice("ASN-1", MUG=10, TEA=4))
    x12_setup.run()
    inbound = x12_setup.floor.inbound("ASN-1")
    assert inbound.status is InboundStatus.AWAITING
    assert dict(inbound.expected) == {"MUG": 10, "TEA": 4}
    assert inbound.expected_at == datetime(2026, 1, 20, tzinfo=UTC)
    x12_setup.warehouse.receive_inbound("ASN-1", {"MUG": 8, "TEA": 4}, damaged={"MUG": 1})
    # the shipments poll leaves the 944 to the receipts poll
    assert x12.fetch_updates(None).quarantined == []
    receipts, cursor = x12.fetch_receipts(None)
    [receipt] = receipts
    assert receipt.inbound_reference == "ASN-1"
    assert (dict(receipt.received), dict(receipt.damaged)) == ({"MUG": 8, "TEA": 4},
                                                              {"MUG": 1})
    assert receipt.received_at == datetime(2026, 1, 15, tzinfo=BERLIN)
    # our 997 for the 944 went to inbound; the warehouse's 997 for our 943 was taken
    [ack] = [n for n in x12_setup.drop.files() if n.startswith("997_944")]
    assert read_997((x12_setup.drop.root / "inbound" / ack).read_bytes())[0].status == "A"
    sent = x12.ledger.file(name, lg.OUT)
    assert sent is not None and sent.status == "accepted"
    # handed over again until the flow confirms it, then archived
    again, same = x12.fetch_receipts(None)
    assert [r.inbound_reference for r in again] == ["ASN-1"] and same == cursor
    done, _ = x12.fetch_receipts(cursor)
    assert list(done) == []
    assert not [n for n in x12_setup.drop.files("outbound") if n.startswith("944")]


def test_duplicate_944_is_dropped(x12: X12FileWarehouse, x12_setup: Setup) -> None:
    x12_setup.faults.set("duplicate_file", count=1, path="/944")
    x12.send_inbound(notice("ASN-1", MUG=2))
    x12_setup.run()
    x12_setup.warehouse.receive_inbound("ASN-1")
    receipts, cursor = x12.fetch_receipts(None)
    assert [r.inbound_reference for r in receipts] == ["ASN-1"]
    assert list(x12.fetch_receipts(cursor)[0]) == []
    [twin] = [n for n in x12_setup.warehouse.state.sent if n.startswith("dup_944")]
    dropped = x12.ledger.file(twin)
    assert dropped is not None and dropped.status == lg.DUPLICATE


def test_broken_944_is_quarantined_by_the_shipments_poll(x12: X12FileWarehouse,
                                                         x12_setup: Setup) -> None:
    x12_setup.faults.set("broken_file", count=1, path="/944")
    x12.send_inbound(notice("ASN-1", MUG=2))
    x12_setup.run()
    x12_setup.warehouse.receive_inbound("ASN-1")
    assert list(x12.fetch_receipts(None)[0]) == []
    [bad] = x12.fetch_updates(None).quarantined
    assert bad.reference.startswith("944_ASN-1")


def test_csv_asn_file_is_announced(csv: CsvFileWarehouse, csv_setup: Setup) -> None:
    assert csv.supports(Capability.SEND_INBOUND)
    name = csv.send_inbound(notice("ASN-7", MUG=5, TEA=1))
    assert csv.send_inbound(notice("ASN-7", MUG=5, TEA=1)) == name
    assert name.startswith("asn_")
    parsed = csvfiles.read_csv((csv_setup.drop.root / "inbound" / name).read_bytes(), name,
                               layout=csvfiles.ASN, strict=True)
    rows = [r for r in parsed.records if isinstance(r, csvfiles.AsnLine)]
    assert [(r.asn_id, r.sku, int(r.qty_expected), r.carrier) for r in rows] == [
        ("ASN-7", "MUG", 5, "DB Schenker"), ("ASN-7", "TEA", 1, "DB Schenker")]
    csv_setup.run()
    assert dict(csv_setup.floor.inbound("ASN-7").expected) == {"MUG": 5, "TEA": 1}


def test_csv_receipt_comes_back_once_with_damage(csv: CsvFileWarehouse,
                                                 csv_setup: Setup) -> None:
    assert csv.supports(Capability.FETCH_INBOUND_RECEIPTS)
    csv.send_inbound(notice("ASN-9", MUG=5, TEA=1))
    csv_setup.run()
    csv_setup.warehouse.receive_inbound("ASN-9", {"MUG": 4, "TEA": 1}, damaged={"MUG": 1})
    [name] = [n for n in csv_setup.drop.files("outbound") if n.startswith("receipts_")]
    parsed = csvfiles.read_csv(csv_setup.drop.read(name, folder="outbound"), name,
                               strict=True)
    assert [(r.sku, r.qty_received, r.qty_damaged) for r in parsed.records
            if isinstance(r, csvfiles.ReceiptLine)] == [("MUG", 4, 1), ("TEA", 1, 0)]
    assert csv.fetch_updates(None).quarantined == []  # left to the receipts poll
    receipts, cursor = csv.fetch_receipts(None)
    [receipt] = receipts
    assert receipt.inbound_reference == "ASN-9"
    assert (dict(receipt.received), dict(receipt.damaged)) == ({"MUG": 4, "TEA": 1},
                                                              {"MUG": 1})
    again, same = csv.fetch_receipts(None)
    assert [r.inbound_reference for r in again] == ["ASN-9"] and same == cursor
    assert list(csv.fetch_receipts(cursor)[0]) == []
    assert not [n for n in csv_setup.drop.files("outbound") if n.startswith("receipts_")]


def test_a_broken_csv_receipt_is_quarantined_by_the_shipments_poll(
        csv: CsvFileWarehouse, csv_setup: Setup) -> None:
    name = csvfiles.RECEIPTS.file_name(datetime(2026, 1, 15, 9, tzinfo=UTC), 5)
    header = ";".join(csvfiles.RECEIPTS.header)
    csv_setup.drop.publish(name, f"{header}\r\nRECEIPT_LINE;m1;ASN-1;R1;MUG;-2;0;"
                                 "2026-01-15T09:00:00Z\r\n".encode())
    assert list(csv.fetch_receipts(None)[0]) == []
    [bad] = csv.fetch_updates(None).quarantined
    assert bad.reference == name and "line 2" in bad.reason


def test_csv_asn_needs_an_arrival_date(csv: CsvFileWarehouse) -> None:
    undated = InboundNotice(reference="ASN-8", lines=[InboundLine("MUG", 1)])
    with pytest.raises(ValidationError, match="expected arrival"):
        csv.send_inbound(undated)
