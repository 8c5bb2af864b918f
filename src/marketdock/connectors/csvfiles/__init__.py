"""The warehouse CSV file codec (layouts in ``contracts/wms/csv``).

Used by the SFTP/CSV warehouse connector and by the manual fallback (export of pending
orders, import of shipment and stock files uploaded by a person).

- :func:`read_csv` bytes → :class:`CsvFile` (good rows + row errors, content hash,
  business keys); ``strict=True`` raises :class:`CsvFileError` on any bad row.
- :func:`write_csv` records → canonical bytes.
- :data:`LAYOUTS`, :func:`layout_for_file`, :func:`parse_file_name`, ``Layout.file_name``.
"""

from marketdock.connectors.csvfiles.errors import CsvFileError, RowError
from marketdock.connectors.csvfiles.layouts import (
    ASN,
    CANCELLATIONS,
    INVENTORY_DELTA,
    INVENTORY_FULL,
    LAYOUTS,
    ORDERS,
    RECEIPTS,
    SHIPMENTS,
    Column,
    FileName,
    Layout,
    layout_for_file,
    parse_file_name,
)
from marketdock.connectors.csvfiles.reader import CsvFile, CsvRow, content_hash, read_csv
from marketdock.connectors.csvfiles.records import (
    AsnLine,
    CsvRecord,
    InventoryPosition,
    OrderCancellation,
    OrderLine,
    ReceiptLine,
    ShipmentLine,
)
from marketdock.connectors.csvfiles.values import guard_formula, unguard_formula
from marketdock.connectors.csvfiles.writer import write_csv

__all__ = [
    "ASN",
    "CANCELLATIONS",
    "INVENTORY_DELTA",
    "INVENTORY_FULL",
    "LAYOUTS",
    "ORDERS",
    "RECEIPTS",
    "SHIPMENTS",
    "AsnLine",
    "Column",
    "CsvFile",
    "CsvFileError",
    "CsvRecord",
    "CsvRow",
    "FileName",
    "InventoryPosition",
    "Layout",
    "OrderCancellation",
    "OrderLine",
    "ReceiptLine",
    "RowError",
    "ShipmentLine",
    "content_hash",
    "guard_formula",
    "layout_for_file",
    "parse_file_name",
    "read_csv",
    "unguard_formula",
    "write_csv",
]
