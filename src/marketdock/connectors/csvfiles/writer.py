"""Write records in a layout's canonical form.

Canonical form (``contracts/wms/csv``): UTF-8 (no BOM unless asked for, e.g. for a
person opening the file in Excel), ``;`` separator, ``.`` decimal point, CRLF, RFC 4180
quoting only where needed, ISO 8601 dates and timestamps (``Z`` for UTC). Every field is
formula-guarded, so the same bytes are safe in a spreadsheet and exact after
:func:`~marketdock.connectors.csvfiles.reader.read_csv`. The same records always give
the same bytes.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterable

from marketdock.connectors.csvfiles.layouts import Layout
from marketdock.connectors.csvfiles.records import CsvRecord
from marketdock.connectors.csvfiles.rules import FileRules
from marketdock.connectors.csvfiles.values import format_value, guard_formula
from marketdock.errors import ValidationError

SEPARATOR = ";"
LINE_END = "\r\n"


def write_csv(layout: Layout, records: Iterable[CsvRecord], *, bom: bool = False) -> bytes:
    """The bytes of a ``layout`` file holding ``records`` in order.

    Raises :class:`ValidationError` for a record of another layout, a business key that
    appears twice, or (stock) rows of different snapshots: files the reader would reject.
    """
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=SEPARATOR, lineterminator=LINE_END)
    writer.writerow(layout.header)
    rules = FileRules(layout)
    for index, record in enumerate(records):
        line = index + 2
        if type(record) is not layout.model:
            raise ValidationError(
                f"row {index + 1}: a {type(record).__name__} does not belong in a "
                f"{layout.name} file ({layout.model.__name__} expected)",
                row=index + 1,
            )
        broken = rules.check(record, line)
        if broken is not None:
            raise ValidationError(f"row {index + 1}: {broken[1]}", row=index + 1)
        cells = [layout.record_type]
        cells.extend(
            guard_formula(format_value(getattr(record, column.name), column.kind))
            for column in layout.columns[1:]
        )
        writer.writerow(cells)
    data = buffer.getvalue().encode("utf-8")
    return codecs.BOM_UTF8 + data if bom else data
