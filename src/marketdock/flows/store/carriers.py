"""Carrier mappings in the database ('' stands for "any" in the optional columns)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection

from marketdock.domain import CarrierMapping, ChannelKind
from marketdock.engine.schema import carrier_mappings as table

_KEY = ["tenant_id", "channel", "marketplace", "warehouse_carrier", "warehouse_service"]


def save(conn: Connection, mapping: CarrierMapping, now: datetime) -> None:
    """Insert or replace a mapping (the record validated itself when it was built)."""
    values = {"marketplace_code": mapping.marketplace_code,
              "carrier_name": mapping.carrier_name, "updated_at": now}
    insert = postgresql.insert(table) if conn.dialect.name == "postgresql" else sqlite.insert(table)
    conn.execute(insert.values(
        tenant_id=mapping.tenant_id, channel=mapping.channel.value,
        marketplace=mapping.marketplace_id or "",
        warehouse_carrier=mapping.warehouse_carrier.casefold(),
        warehouse_service=(mapping.warehouse_service or "").casefold(), **values,
    ).on_conflict_do_update(index_elements=_KEY, set_=values))


def for_tenant(conn: Connection, tenant_id: str) -> list[CarrierMapping]:
    rows = conn.execute(table.select().where(table.c.tenant_id == tenant_id))
    return [CarrierMapping(
        tenant_id=row.tenant_id, channel=ChannelKind(row.channel),
        marketplace_id=row.marketplace or None, warehouse_carrier=row.warehouse_carrier,
        warehouse_service=row.warehouse_service or None, marketplace_code=row.marketplace_code,
        carrier_name=row.carrier_name) for row in rows]
