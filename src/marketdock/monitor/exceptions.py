"""Business exceptions: every record that cannot progress, with a reason and an owner.

An exception is opened (or, when already open for the same type and object, refreshed:
its reason, occurrence count and last-seen time) by the code that finds the problem, and
resolved by the code that sees the cause gone. At most one is open per (tenant, type,
object); a partial unique index enforces it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection

from marketdock.engine.schema import business_exceptions as table

OPEN = "open"
RESOLVED = "resolved"


@dataclass(frozen=True)
class ExceptionRecord:
    id: int
    tenant_id: str
    type: str
    object_type: str
    object_id: str
    reason: str
    owner: str
    status: str
    occurrences: int
    details: dict[str, Any]
    opened_at: datetime
    last_seen_at: datetime
    resolved_at: datetime | None

    def age_seconds(self, now: datetime) -> float:
        return (now - self.opened_at).total_seconds()


def open_exception(conn: Connection, *, tenant_id: str, type: str, object_type: str,
                   object_id: str, reason: str, now: datetime, owner: str = "operator",
                   details: dict[str, Any] | None = None) -> int:
    """Open an exception, or refresh the open one for this type and object; return its id."""
    values = {
        "tenant_id": tenant_id, "type": type, "object_type": object_type,
        "object_id": object_id, "reason": reason, "owner": owner, "status": OPEN,
        "occurrences": 1, "details": details or {}, "opened_at": now, "last_seen_at": now,
    }
    insert = postgresql.insert(table) if conn.dialect.name == "postgresql" else sqlite.insert(table)
    statement = insert.values(**values).on_conflict_do_update(
        index_elements=["tenant_id", "type", "object_type", "object_id"],
        index_where=sa.text("status = 'open'"),
        set_={"reason": reason, "owner": owner, "details": details or {}, "last_seen_at": now,
              "occurrences": table.c.occurrences + 1},
    ).returning(table.c.id)
    return int(conn.execute(statement).scalar_one())


def resolve(conn: Connection, *, tenant_id: str, object_type: str, object_id: str,
            now: datetime, type: str | None = None) -> int:
    """Resolve the open exceptions of an object (of one type, or all); return how many."""
    query = table.update().where(
        table.c.tenant_id == tenant_id, table.c.object_type == object_type,
        table.c.object_id == object_id, table.c.status == OPEN,
    ).values(status=RESOLVED, resolved_at=now)
    if type is not None:
        query = query.where(table.c.type == type)
    return int(conn.execute(query).rowcount)


def list_open(conn: Connection, tenant_id: str | None = None,
              type: str | None = None, limit: int = 500) -> list[ExceptionRecord]:
    query = table.select().where(table.c.status == OPEN).order_by(table.c.opened_at).limit(limit)
    if tenant_id is not None:
        query = query.where(table.c.tenant_id == tenant_id)
    if type is not None:
        query = query.where(table.c.type == type)
    return [ExceptionRecord(**row._mapping) for row in conn.execute(query)]


def open_counts(conn: Connection, tenant_id: str | None = None) -> dict[str, int]:
    """Open exceptions per type."""
    query = (sa.select(table.c.type, sa.func.count()).where(table.c.status == OPEN)
             .group_by(table.c.type))
    if tenant_id is not None:
        query = query.where(table.c.tenant_id == tenant_id)
    return {str(t): int(n) for t, n in conn.execute(query)}
