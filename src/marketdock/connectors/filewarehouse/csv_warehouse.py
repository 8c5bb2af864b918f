"""The CSV file warehouse: orders and ASN files out; shipments and inventory snapshots in.

Layouts, encodings (UTF-8 or Windows-1252), separators (``;`` with decimal comma, or
``,``) and formula neutralising are the CSV codec's (:mod:`marketdock.connectors.csvfiles`).
A received file is read strictly: one bad row quarantines the whole file. An orders file
the warehouse cannot take comes back as ``<name>.error.txt``: the file is marked
refused and reported by ``fetch_updates``. The shared layouts have no way to cancel an
order, so marketdock adds one (``cancellations_*.csv``, :data:`csvfiles.CANCELLATIONS`):
cancelling uploads it and answers REQUESTED, as for X12. They have no receipt file (what a
warehouse received against an ASN) either, so marketdock adds ``receipts_*.csv``
(:data:`csvfiles.RECEIPTS`): good and damaged units per SKU and ASN, taken by
``fetch_receipts``.
"""

from __future__ import annotations

from datetime import UTC, tzinfo

from marketdock.connectors import csvfiles
from marketdock.connectors.filewarehouse import ledger as lg
from marketdock.connectors.filewarehouse.csv_mapping import (
    asn_rows,
    inventory_snapshot,
    order_rows,
    receipt_notices,
    shipment_notices,
)
from marketdock.connectors.filewarehouse.drop import DropOpener
from marketdock.connectors.filewarehouse.exchange import (
    FileExchange,
    OrderFile,
    Received,
    Refusal,
)
from marketdock.connectors.ports import Capability, InboundNotice, WarehouseOrder
from marketdock.connectors.sftp import SftpFolders
from marketdock.connectors.x12 import ControlNumbers
from marketdock.engine.clock import Clock
from marketdock.errors import ParseError

ERROR_SUFFIX = ".error.txt"
"""The warehouse's answer to a file of ours it could not take: ``<our name>.error.txt``."""


class CsvFileWarehouse(FileExchange):
    name = "csv file warehouse"
    capabilities = FileExchange.capabilities | {Capability.SEND_INBOUND,
                                                Capability.FETCH_INBOUND_RECEIPTS,
                                                Capability.CANCEL_ORDER}
    receipt_kinds = ("csv:receipts",)

    def __init__(self, opener: DropOpener, ledger: lg.FileLedger, folders: SftpFolders,
                 sequence: ControlNumbers, clock: Clock, zone: tzinfo = UTC) -> None:
        """``sequence`` numbers the orders and ASN files (its transaction counter);
        ``zone`` is the warehouse's, for the days the files name."""
        super().__init__(opener, ledger, folders)
        self.sequence = sequence
        self.clock = clock
        self.zone = zone

    def _order_file(self, order: WarehouseOrder) -> OrderFile:
        now, seq = self.clock.now(), self.sequence.next_transaction()
        name = csvfiles.ORDERS.file_name(now, seq)
        rows = order_rows(order, message_id=name.removesuffix(".csv"), sent_at=now)
        return OrderFile(name=name, data=csvfiles.write_csv(csvfiles.ORDERS, rows),
                         kind="csv:orders")

    def _cancel_file(self, reference: str) -> OrderFile:
        now, seq = self.clock.now(), self.sequence.next_transaction()
        name = csvfiles.CANCELLATIONS.file_name(now, seq)
        row = csvfiles.OrderCancellation(message_id=name.removesuffix(".csv"),
                                         order_id=reference, requested_at=now,
                                         reason="cancelled on the marketplace")
        return OrderFile(name=name, data=csvfiles.write_csv(csvfiles.CANCELLATIONS, [row]),
                         kind="csv:cancellations")

    def _inbound_file(self, notice: InboundNotice) -> OrderFile:
        now, seq = self.clock.now(), self.sequence.next_transaction()
        name = csvfiles.ASN.file_name(now, seq)
        rows = asn_rows(notice, message_id=name.removesuffix(".csv"), zone=self.zone)
        return OrderFile(name=name, data=csvfiles.write_csv(csvfiles.ASN, rows), kind="csv:asn")

    def _read(self, name: str, data: bytes) -> Received:
        if name.endswith(ERROR_SUFFIX):
            text = data.decode("utf-8", "backslashreplace").strip() or "no reason given"
            return Received("csv:error", refusals=(Refusal(name.removesuffix(ERROR_SUFFIX),
                                                            text),))
        layout = csvfiles.layout_for_file(name)
        parsed = csvfiles.read_csv(data, name, layout=layout, strict=True)
        if layout is csvfiles.SHIPMENTS:
            rows = [r for r in parsed.records if isinstance(r, csvfiles.ShipmentLine)]
            return Received("csv:shipments", notices=tuple(shipment_notices(rows)))
        if layout is csvfiles.RECEIPTS:
            lines = [r for r in parsed.records if isinstance(r, csvfiles.ReceiptLine)]
            return Received("csv:receipts", receipts=tuple(receipt_notices(lines)))
        if layout in (csvfiles.INVENTORY_FULL, csvfiles.INVENTORY_DELTA):
            return Received(f"csv:{layout.name}", stock=inventory_snapshot(
                parsed, tenant_id=self.ledger.tenant_id, warehouse_id=self.ledger.warehouse_id))
        raise ParseError(f"{name}: a {layout.name} file is not one a warehouse sends")
