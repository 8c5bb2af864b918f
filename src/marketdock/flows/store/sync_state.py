"""Watermarks and cursors of the flows (last order sync, warehouse cursor, ...)."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection

from marketdock.engine.schema import sync_state as table


def get(conn: Connection, tenant_id: str, key: str) -> str | None:
    return conn.execute(sa.select(table.c.value).where(
        table.c.tenant_id == tenant_id, table.c.key == key)).scalar_one_or_none()


def put(conn: Connection, tenant_id: str, key: str, value: str, now: datetime) -> None:
    insert = postgresql.insert(table) if conn.dialect.name == "postgresql" else sqlite.insert(table)
    conn.execute(insert.values(tenant_id=tenant_id, key=key, value=value, updated_at=now)
                 .on_conflict_do_update(index_elements=["tenant_id", "key"],
                                        set_={"value": value, "updated_at": now}))
