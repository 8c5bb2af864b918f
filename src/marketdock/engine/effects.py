"""The ledger of outbound effects: one row per thing sent to another system.

Before a flow sends an effect (create an order at the warehouse, confirm a package to a
marketplace), it claims the effect's key. The unique constraint on (tenant, kind, key)
makes a second claim find the first instead of creating a twin. An effect stays
``pending`` until the remote confirmed it; a pending effect with earlier attempts means a
previous try may have reached the remote (a timeout), so the flow must read the remote's
state before it sends again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection

from marketdock.engine.schema import outbound_effects as table

PENDING = "pending"
DONE = "done"


@dataclass(frozen=True)
class Effect:
    id: int
    tenant_id: str
    kind: str
    key: str
    status: str
    remote_ref: str | None
    attempts: int
    created_at: datetime
    updated_at: datetime

    @property
    def done(self) -> bool:
        return self.status == DONE

    @property
    def maybe_sent(self) -> bool:
        """A previous attempt may have reached the remote: read its state first."""
        return self.status == PENDING and self.attempts > 0


def claim(conn: Connection, tenant_id: str, kind: str, key: str, now: datetime) -> Effect:
    """The effect for (kind, key), created pending if new; counts this attempt."""
    insert = postgresql.insert(table) if conn.dialect.name == "postgresql" else sqlite.insert(table)
    conn.execute(insert.values(
        tenant_id=tenant_id, kind=kind, key=key, status=PENDING, attempts=0,
        created_at=now, updated_at=now).on_conflict_do_nothing())
    row = conn.execute(table.select().where(
        table.c.tenant_id == tenant_id, table.c.kind == kind, table.c.key == key)
        .with_for_update()).one()
    effect = Effect(**row._mapping)
    if not effect.done:
        conn.execute(table.update().where(table.c.id == effect.id)
                     .values(attempts=table.c.attempts + 1, updated_at=now))
    return effect


def complete(conn: Connection, effect_id: int, remote_ref: str | None, now: datetime) -> None:
    conn.execute(table.update().where(table.c.id == effect_id)
                 .values(status=DONE, remote_ref=remote_ref, updated_at=now))


def refused(conn: Connection, effect_id: int, now: datetime) -> None:
    """The remote refused this attempt for certain: it does not count as maybe sent."""
    conn.execute(table.update().where(table.c.id == effect_id, table.c.attempts > 0)
                 .values(attempts=table.c.attempts - 1, updated_at=now))


def find(conn: Connection, tenant_id: str, kind: str, key: str) -> Effect | None:
    """The effect for (kind, key), if one was ever claimed."""
    row = conn.execute(table.select().where(
        table.c.tenant_id == tenant_id, table.c.kind == kind, table.c.key == key)).first()
    return None if row is None else Effect(**row._mapping)


def count(conn: Connection, tenant_id: str, kind: str, status: str | None = None) -> int:
    query = sa.select(sa.func.count()).select_from(table).where(
        table.c.tenant_id == tenant_id, table.c.kind == kind)
    if status is not None:
        query = query.where(table.c.status == status)
    return int(conn.execute(query).scalar_one())
