"""Rules across the rows of one file: no business key twice, one snapshot per stock file.

Shared by the reader (a broken row becomes a row error) and the writer (refuses to write
a file the reader would reject).
"""

from __future__ import annotations

from datetime import datetime

from marketdock.connectors.csvfiles.layouts import Layout
from marketdock.connectors.csvfiles.records import CsvRecord, InventoryPosition


class FileRules:
    """Checks rows of one file in order; remembers what earlier rows held."""

    def __init__(self, layout: Layout) -> None:
        self.layout = layout
        self._keys: dict[tuple[str, ...], int] = {}
        self._snapshot: tuple[str, datetime, int] | None = None

    def check(self, record: CsvRecord, line: int) -> tuple[str | None, str] | None:
        """``(column, message)`` when ``record`` at ``line`` breaks a file rule, else None.

        A row that breaks a rule is not remembered, so later rows are compared with the
        good rows only.
        """
        key = self.layout.business_key(record)
        if key in self._keys:
            fields = " + ".join(self.layout.key_fields)
            return None, f"duplicate of line {self._keys[key]}: same {fields} {key}"
        if self.layout.snapshot and isinstance(record, InventoryPosition):
            snapshot_id, snapshot_at = record.snapshot_id, record.snapshot_at
            if self._snapshot is None:
                self._snapshot = (snapshot_id, snapshot_at, line)
            elif self._snapshot[0] != snapshot_id:
                return "snapshot_id", (
                    f"{snapshot_id!r} differs from snapshot {self._snapshot[0]!r} of line "
                    f"{self._snapshot[2]}; a stock file holds one snapshot"
                )
            elif self._snapshot[1] != snapshot_at:
                return "snapshot_at", (
                    f"{snapshot_at.isoformat()} differs from {self._snapshot[1].isoformat()} "
                    f"of line {self._snapshot[2]}; a stock file holds one snapshot"
                )
        self._keys[key] = line
        return None
