"""The ledger of files exchanged with one warehouse (table ``exchanged_files``).

One row per file and direction (``in``: taken from the warehouse's ``outbound`` folder;
``out``: put into its ``inbound`` folder). Besides the files, the ledger keeps the
business keys their documents carry (a shipment id, a stock snapshot id, an order
reference we sent) as rows of direction ``in-key`` / ``out-key``: the key as ``name``,
the content hash of the file that carried it as ``content_hash``. The unique constraint
on (tenant, warehouse, direction, name) then makes a key count once, and a key leads
back to its file by hash.

Status of an inbound file:

- ``pending``: read and handed to the flow; confirmed (``applied``) when the flow
  returns a cursor at or past its row id, then archived. Until then it is read again.
- ``applied``: done (also a 997 or a stock snapshot, applied when read).
- ``duplicate``, ``stale`` (a stock snapshot older than one applied), ``quarantined``.

Status of an outbound file: ``sent`` (awaiting a 997 when the kind expects one),
``accepted``, ``partial``, ``rejected`` (what its 997 said, or an error file the
warehouse wrote about it), or ``done`` (no answer expected).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from marketdock.engine.clock import Clock
from marketdock.engine.db import Database
from marketdock.engine.schema import exchanged_files

IN, OUT, IN_KEY, OUT_KEY = "in", "out", "in-key", "out-key"

PENDING = "pending"
APPLIED = "applied"
DUPLICATE = "duplicate"
STALE = "stale"
QUARANTINED = "quarantined"
SENT = "sent"
REFUSED = "rejected"
PARTIAL = "partial"
DONE = "done"
ACK_STATUS = {"A": "accepted", "E": "accepted", "P": PARTIAL, "R": REFUSED}
"""AK9-01 (or AK5-01) → outbound status; ``E``: accepted with errors noted."""


@dataclass(frozen=True)
class LedgerFile:
    id: int
    name: str
    content_hash: str
    kind: str
    status: str
    control_number: str | None
    error: str | None
    created_at: datetime


class FileLedger:
    """The files and business keys exchanged with one warehouse of one tenant."""

    def __init__(self, db: Database, tenant_id: str, warehouse_id: str, clock: Clock) -> None:
        self.db = db
        self.tenant_id = tenant_id
        self.warehouse_id = warehouse_id
        self.clock = clock

    # ------------------------------------------------------------------ reading

    def _where(self, direction: str) -> tuple[sa.ColumnElement[bool], ...]:
        table = exchanged_files
        return (table.c.tenant_id == self.tenant_id, table.c.warehouse_id == self.warehouse_id,
                table.c.direction == direction)

    def _files(self, *conditions: sa.ColumnElement[bool],
               direction: str = IN) -> list[LedgerFile]:
        table = exchanged_files
        query = sa.select(table.c.id, table.c.name, table.c.content_hash, table.c.kind,
                          table.c.status, table.c.control_number, table.c.error,
                          table.c.created_at).where(*self._where(direction), *conditions)
        with self.db.read() as conn:
            rows = conn.execute(query.order_by(table.c.id)).all()
        return [LedgerFile(*row) for row in rows]

    def file(self, name: str, direction: str = IN) -> LedgerFile | None:
        found = self._files(exchanged_files.c.name == name, direction=direction)
        return found[0] if found else None

    def with_hash(self, content_hash: str, direction: str = IN) -> LedgerFile | None:
        """The first file of that content (not counting quarantined ones)."""
        found = self._files(exchanged_files.c.content_hash == content_hash,
                            exchanged_files.c.status != QUARANTINED, direction=direction)
        return found[0] if found else None

    def known_keys(self, keys: Iterable[str], direction: str = IN_KEY) -> set[str]:
        wanted = sorted(set(keys))
        if not wanted:
            return set()
        table = exchanged_files
        with self.db.read() as conn:
            return set(conn.execute(sa.select(table.c.name).where(
                *self._where(direction), table.c.name.in_(wanted))).scalars())

    def keys_of(self, content_hash: str, direction: str = IN_KEY) -> set[str]:
        """The business keys first carried by the file of that content."""
        table = exchanged_files
        with self.db.read() as conn:
            return set(conn.execute(sa.select(table.c.name).where(
                *self._where(direction), table.c.content_hash == content_hash)).scalars())

    def file_for_key(self, key: str, direction: str = OUT_KEY) -> LedgerFile | None:
        """The file that carried a business key."""
        keys = self._files(exchanged_files.c.name == key, direction=direction)
        if not keys:
            return None
        files = self._files(exchanged_files.c.content_hash == keys[0].content_hash,
                            direction=IN if direction == IN_KEY else OUT)
        return files[0] if files else None

    def pending(self) -> dict[str, LedgerFile]:
        """Inbound files handed to the flow and not yet confirmed, by name."""
        return {f.name: f for f in self._files(exchanged_files.c.status == PENDING)}

    def sent(self, statuses: Sequence[str],
             kinds: Sequence[str] | None = None) -> list[LedgerFile]:
        """Outbound files in these states (of these kinds), oldest first."""
        table = exchanged_files
        conditions = [table.c.status.in_(statuses)]
        if kinds is not None:
            conditions.append(table.c.kind.in_(kinds))
        return self._files(*conditions, direction=OUT)

    def latest_key(self, prefix: str, direction: str = IN_KEY) -> str | None:
        """The greatest key starting with ``prefix`` (keys that sort by time)."""
        table = exchanged_files
        with self.db.read() as conn:
            value = conn.execute(sa.select(sa.func.max(table.c.name)).where(
                *self._where(direction), table.c.name.like(f"{prefix}%"))).scalar_one()
        return None if value is None else str(value)

    # ------------------------------------------------------------------ writing

    def record(self, name: str, content_hash: str, kind: str, status: str, *,
               direction: str = IN, keys: Iterable[str] = (), control_number: str | None = None,
               error: str | None = None) -> int:
        """Record a file and the business keys it carries, in one transaction; return the
        file's row id. A file recorded before under the same name (a quarantined file the
        warehouse sent again, an order file uploaded again) is updated in place."""
        now = self.clock.now()
        table = exchanged_files
        key_direction = IN_KEY if direction == IN else OUT_KEY
        with self.db.begin() as conn:
            row_id = conn.execute(sa.select(table.c.id).where(
                *self._where(direction), table.c.name == name)).scalar_one_or_none()
            values = {"content_hash": content_hash, "kind": kind, "status": status,
                      "control_number": control_number, "error": error, "updated_at": now}
            if row_id is None:
                row_id = conn.execute(table.insert().values(
                    tenant_id=self.tenant_id, warehouse_id=self.warehouse_id,
                    direction=direction, name=name, created_at=now, **values)
                    .returning(table.c.id)).scalar_one()
            else:
                conn.execute(table.update().where(table.c.id == row_id).values(**values))
            self._add_keys(conn, keys, key_direction, content_hash, kind, now)
        return int(row_id)

    def _add_keys(self, conn: Connection, keys: Iterable[str], direction: str,
                  content_hash: str, kind: str, now: datetime) -> None:
        table = exchanged_files
        wanted = sorted(set(keys))
        if not wanted:
            return
        known = set(conn.execute(sa.select(table.c.name).where(
            *self._where(direction), table.c.name.in_(wanted))).scalars())
        for key in wanted:
            if key not in known:
                conn.execute(table.insert().values(
                    tenant_id=self.tenant_id, warehouse_id=self.warehouse_id,
                    direction=direction, name=key, content_hash=content_hash, kind=kind,
                    status=APPLIED, created_at=now, updated_at=now))

    def confirm(self, up_to: int, kinds: Sequence[str] | None = None,
                other_than: Sequence[str] = ()) -> list[str]:
        """Mark pending inbound files with a row id up to ``up_to`` (of these kinds, not of
        ``other_than`` kinds: each poll confirms only what it handed over) applied; their
        names."""
        table = exchanged_files
        condition = (*self._where(IN), table.c.status == PENDING, table.c.id <= up_to,
                     *([table.c.kind.in_(kinds)] if kinds is not None else []),
                     *([table.c.kind.not_in(other_than)] if other_than else []))
        with self.db.begin() as conn:
            names = list(conn.execute(sa.select(table.c.name).where(*condition)
                                      .order_by(table.c.id)).scalars())
            conn.execute(table.update().where(*condition).values(
                status=APPLIED, updated_at=self.clock.now()))
        return names

    def refuse(self, name: str, reason: str) -> bool:
        """Mark an outbound file refused by the warehouse; False when we sent none so named."""
        table = exchanged_files
        with self.db.begin() as conn:
            updated = conn.execute(table.update().where(*self._where(OUT), table.c.name == name)
                                   .values(status=REFUSED, error=reason,
                                           updated_at=self.clock.now())).rowcount
        return bool(updated)

    def acknowledge(self, control_number: str, ack_status: str, kinds: Sequence[str],
                    note: str | None = None) -> list[str]:
        """Apply a 997 to the outbound files of group ``control_number``; their names."""
        table = exchanged_files
        condition = (*self._where(OUT), table.c.control_number == control_number,
                     table.c.kind.in_(kinds))
        status = ACK_STATUS.get(ack_status, "rejected")
        with self.db.begin() as conn:
            names = list(conn.execute(sa.select(table.c.name).where(*condition)).scalars())
            conn.execute(table.update().where(*condition).values(
                status=status, error=note, updated_at=self.clock.now()))
        return names
