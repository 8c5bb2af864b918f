"""The file warehouse takes inbound notices (943, ASN CSV) and reports receipts (944)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

from marketdock.connectors import csvfiles
from marketdock.connectors.sftp import SftpFolders
from marketdock.connectors.x12 import (
    Carrier,
    InMemoryControlNumbers,
    StockTransferShipment943,
    Totals,
    TradingPartner,
    TransferLine943,
    read_944,
    read_997,
    write_943,
)
from marketdock.connectors.x12.sets.common import DateRef, ProductId
from marketdock.connectors.x12.sets.w06 import ShipmentIdentification
from marketdock.sandbox.faults import FaultSwitches
from marketdock.sandbox.filewarehouse import FileWarehouse
from marketdock.sandbox.sftp import DropFloor
from marketdock.sandbox.warehouse import Floor, FloorConfig, ManualClock
from marketdock.sandbox.warehouse.model import InboundStatus

HUB = TradingPartner(sender_qualifier="ZZ", sender_id="MARKETDOCK", receiver_qualifier="ZZ",
                     receiver_id="MDSANDBOXWH", usage="T")
AT = datetime(2026, 1, 15, 8, tzinfo=UTC)


def make(tmp_path: Path, dialect: str, **config: float) -> tuple[FileWarehouse, DropFloor, Floor]:
    drop = DropFloor(tmp_path, SftpFolders(), FaultSwitches())
    drop.prepare()
    floor = Floor(FloorConfig(seed=3, **config), clock=ManualClock(AT))
    floor.set_stock("MUG", 1)
    warehouse = FileWarehouse(floor, drop, dialect=dialect,  # type: ignore[arg-type]
                              stock_every=1e9)
    return warehouse, drop, floor


def advice(reference: str, *lines: tuple[str, int]) -> StockTransferShipment943:
    return StockTransferShipment943(
        shipment=ShipmentIdentification(depositor_order_number=reference),
        dates=[DateRef(qualifier="17", date=date(2026, 1, 20))],
        carrier=Carrier(transport_method="M", scac="ZZZZ"),
        lines=[TransferLine943(quantity=Decimal(qty), unit="EA",
                               product_ids=[ProductId(qualifier="VN", value=sku)])
               for sku, qty in lines],
        totals=Totals(quantity=Decimal(sum(qty for _, qty in lines))))


def test_943_is_announced_acknowledged_and_answered_by_a_944(tmp_path: Path) -> None:
    warehouse, drop, floor = make(tmp_path, "x12", inbound_receive_delay=3600)
    data = write_943([advice("ASN-1", ("MUG", 6), ("TEA", 2), ("MUG", 1))], HUB,
                     InMemoryControlNumbers(), at=AT)
    (drop.root / "inbound" / "943_ASN-1.edi").write_bytes(data)
    warehouse.step()
    inbound = floor.inbound("ASN-1")
    assert dict(inbound.expected) == {"MUG": 7, "TEA": 2}
    assert inbound.expected_at == datetime(2026, 1, 20, tzinfo=UTC)
    [ack] = [drop.read(n, folder="outbound") for n in drop.files("outbound")
             if n.startswith("997_943")]
    assert read_997(ack)[0].status == "A"
    assert not [n for n in drop.files("outbound") if n.startswith("944")]
    warehouse.advance(3600)  # the floor receives it after its delay
    assert floor.inbound("ASN-1").status is InboundStatus.RECEIVED
    [name] = [n for n in drop.files("outbound") if n.startswith("944")]
    [receipt] = read_944(drop.read(name, folder="outbound"))
    assert (receipt.depositor_order_number, receipt.date) == ("ASN-1", date(2026, 1, 15))
    assert {line.product_ids[0].value: int(line.quantity) for line in receipt.lines} == \
        {"MUG": 7, "TEA": 2}
    assert int(receipt.total_received) == 9
    assert floor.stock("MUG").on_hand == 8


def test_944_names_damaged_units(tmp_path: Path) -> None:
    warehouse, drop, floor = make(tmp_path, "x12")
    (drop.root / "inbound" / "943_ASN-2.edi").write_bytes(
        write_943([advice("ASN-2", ("MUG", 5))], HUB, InMemoryControlNumbers(), at=AT))
    warehouse.step()
    warehouse.step()  # a notice is taken once, whatever the file says again
    warehouse.receive_inbound("ASN-2", {"MUG": 3}, damaged={"MUG": 1})
    [name] = [n for n in drop.files("outbound") if n.startswith("944")]
    [line] = read_944(drop.read(name, folder="outbound"))[0].lines
    assert int(line.quantity) == 3
    assert [(int(e.quantity), e.condition) for e in line.exceptions] == [(1, "01")]


def test_csv_asn_is_announced_and_its_receipt_written(tmp_path: Path) -> None:
    warehouse, drop, floor = make(tmp_path, "csv")
    rows = [csvfiles.AsnLine(message_id="m1", asn_id="ASN-3", expected_arrival=date(2026, 1, 20),
                             sku=sku, qty_expected=qty, uom="EA", po_number="PO-9")
            for sku, qty in (("MUG", 4), ("TEA", 2))]
    name = csvfiles.ASN.file_name(AT, 1)
    (drop.root / "inbound" / name).write_bytes(csvfiles.write_csv(csvfiles.ASN, rows))
    warehouse.step()
    inbound = floor.inbound("ASN-3")
    assert dict(inbound.expected) == {"MUG": 4, "TEA": 2} and inbound.po_number == "PO-9"
    warehouse.receive_inbound("ASN-3", {"MUG": 3, "TEA": 2}, damaged={"MUG": 1})
    assert floor.stock("TEA").on_hand == 2
    [name] = [n for n in drop.files("outbound") if not n.startswith("inventory")]
    assert name.startswith("receipts_")
    parsed = csvfiles.read_csv(drop.read(name, folder="outbound"), name, strict=True)
    assert [(r.asn_id, r.sku, r.qty_received, r.qty_damaged) for r in parsed.records
            if isinstance(r, csvfiles.ReceiptLine)] == [("ASN-3", "MUG", 3, 1),
                                                        ("ASN-3", "TEA", 2, 0)]
