"""The warehouse CSV layouts: columns, record type, file names and business keys.

File names follow ``contracts/wms/csv``: ``<prefix>_<UTC YYYYMMDDTHHMMSSZ>_<seq>.csv`` and,
for stock, ``inventory_<UTC ts>_full.csv`` or ``inventory_<UTC ts>_delta.csv`` (a full
snapshot means a SKU missing from the file has zero stock; a delta carries only changes).
"""

from __future__ import annotations

import re
import types
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Annotated, Union, get_args, get_origin

from pydantic import AwareDatetime

from marketdock.connectors.csvfiles.errors import CsvFileError
from marketdock.connectors.csvfiles.records import (
    AsnLine,
    CsvRecord,
    InventoryPosition,
    OrderCancellation,
    OrderLine,
    ReceiptLine,
    ShipmentLine,
)
from marketdock.connectors.csvfiles.values import Kind

RECORD_TYPE = "record_type"
_TIMESTAMP = "%Y%m%dT%H%M%SZ"
_FILE_NAME = re.compile(
    r"(?P<prefix>[a-z]+)_(?P<ts>[0-9]{8}T[0-9]{6}Z)_(?P<tail>[0-9]+|full|delta)\.csv"
)


def _kind_of(annotation: object) -> Kind:
    """The column kind of a record field's type (``X | None`` and ``Annotated`` unwrapped)."""
    origin = get_origin(annotation)
    if origin is Annotated:
        return _kind_of(get_args(annotation)[0])
    if origin in (Union, types.UnionType):
        inner = [arg for arg in get_args(annotation) if arg is not type(None)]
        if len(inner) == 1:
            return _kind_of(inner[0])
    if annotation in (AwareDatetime, datetime):
        return Kind.DATETIME
    if annotation is date:
        return Kind.DATE
    if annotation is Decimal:
        return Kind.DECIMAL
    if annotation is int:
        return Kind.INT
    if annotation is str:
        return Kind.TEXT
    raise TypeError(f"no CSV column kind for {annotation!r}")


@dataclass(frozen=True)
class Column:
    """One column of a layout."""

    name: str
    kind: Kind
    required: bool


@dataclass(frozen=True)
class Layout:
    """A CSV file layout: which rows it holds and how its files are named.

    ``snapshot`` layouts (stock) hold exactly one snapshot per file: every row carries
    the same ``snapshot_id`` and ``snapshot_at``.
    """

    name: str
    prefix: str
    record_type: str
    model: type[CsvRecord]
    key_fields: tuple[str, ...]
    suffix: str | None = None
    snapshot: bool = False
    columns: tuple[Column, ...] = field(init=False)

    def __post_init__(self) -> None:
        columns = [Column(RECORD_TYPE, Kind.TEXT, True)]
        for name, info in self.model.model_fields.items():
            columns.append(Column(name, _kind_of(info.annotation), info.is_required()))
        object.__setattr__(self, "columns", tuple(columns))

    @property
    def header(self) -> tuple[str, ...]:
        return tuple(column.name for column in self.columns)

    def business_key(self, record: CsvRecord) -> tuple[str, ...]:
        """The key a later layer deduplicates this record by (``None`` → ``""``)."""
        values = (getattr(record, name) for name in self.key_fields)
        return tuple("" if value is None else str(value) for value in values)

    def file_name(self, created_at: datetime, seq: int | None = None) -> str:
        """The canonical file name, e.g. ``orders_20260115T163000Z_000123.csv``."""
        if created_at.tzinfo is None:
            raise ValueError("created_at needs a time zone")
        stamp = created_at.astimezone(UTC).strftime(_TIMESTAMP)
        if self.suffix is not None:
            return f"{self.prefix}_{stamp}_{self.suffix}.csv"
        if seq is None or seq < 0:
            raise ValueError(f"{self.name} file names need a sequence number >= 0")
        return f"{self.prefix}_{stamp}_{seq:06d}.csv"


ORDERS = Layout("orders", "orders", "ORDER_LINE", OrderLine, ("order_id", "order_line_id"))
SHIPMENTS = Layout(
    "shipments",
    "shipments",
    "SHIPMENT_LINE",
    ShipmentLine,
    ("warehouse_shipment_id", "package_id", "order_id", "order_line_id"),
)
INVENTORY_FULL = Layout(
    "inventory_full",
    "inventory",
    "INVENTORY",
    InventoryPosition,
    ("snapshot_id", "warehouse_id", "sku", "lot"),
    suffix="full",
    snapshot=True,
)
INVENTORY_DELTA = Layout(
    "inventory_delta",
    "inventory",
    "INVENTORY",
    InventoryPosition,
    ("snapshot_id", "warehouse_id", "sku", "lot"),
    suffix="delta",
    snapshot=True,
)
ASN = Layout("asn", "asn", "ASN_LINE", AsnLine, ("asn_id", "sscc", "sku", "lot"))
CANCELLATIONS = Layout("cancellations", "cancellations", "ORDER_CANCEL", OrderCancellation,
                       ("order_id",))
"""marketdock's own layout beside the shared four: orders to cancel (see
:class:`~marketdock.connectors.csvfiles.records.OrderCancellation`)."""
RECEIPTS = Layout("receipts", "receipts", "RECEIPT_LINE", ReceiptLine,
                  ("asn_id", "receipt_id", "sku"))
"""marketdock's own layout beside the shared four: what was booked in against an ASN (see
:class:`~marketdock.connectors.csvfiles.records.ReceiptLine`)."""

LAYOUTS: dict[str, Layout] = {
    layout.name: layout for layout in (ORDERS, SHIPMENTS, INVENTORY_FULL, INVENTORY_DELTA, ASN,
                                       CANCELLATIONS, RECEIPTS)
}


@dataclass(frozen=True)
class FileName:
    """What a canonical file name tells: layout, creation time, sequence (if any)."""

    layout: Layout
    created_at: datetime
    seq: int | None


def parse_file_name(name: str) -> FileName:
    """Split a canonical file name; :class:`CsvFileError` when it is not one."""
    match = _FILE_NAME.fullmatch(name)
    if match is None:
        raise CsvFileError(
            f"{name!r} is not a warehouse CSV file name "
            "(expected e.g. orders_20260115T163000Z_000123.csv or inventory_<ts>_full.csv)",
            file=name,
        )
    prefix, tail = match["prefix"], match["tail"]
    for layout in LAYOUTS.values():
        if layout.prefix != prefix:
            continue
        if layout.suffix == tail or (layout.suffix is None and tail.isdigit()):
            created_at = datetime.strptime(match["ts"], _TIMESTAMP).replace(tzinfo=UTC)
            return FileName(layout, created_at, None if layout.suffix else int(tail))
    raise CsvFileError(f"{name!r}: no layout named {prefix!r} with ending {tail!r}", file=name)


def layout_for_file(name: str) -> Layout:
    """The layout a file belongs to, by its canonical name."""
    return parse_file_name(name).layout

