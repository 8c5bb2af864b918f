"""Packages the warehouse shipped, stored once per (order, package reference)."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection

from marketdock.domain import Package
from marketdock.engine.schema import orders, packages


def add(conn: Connection, order_id: int, package: Package, now: datetime) -> int | None:
    """Store ``package``; its id, or None when this package was stored before."""
    insert = postgresql.insert(packages) if conn.dialect.name == "postgresql" \
        else sqlite.insert(packages)
    return conn.execute(insert.values(
        tenant_id=package.tenant_id, order_id=order_id, package_ref=package.package_ref,
        carrier=package.carrier, service=package.service,
        tracking_number=package.tracking_number,
        return_tracking_key=package.return_tracking.tracking_number
        if package.return_tracking else None,
        shipped_at=package.shipped_at,
        lines=package.model_dump(mode="json"),
        created_at=now,
    ).on_conflict_do_nothing().returning(packages.c.id)).scalar_one_or_none()


def exists(conn: Connection, order_id: int, package_ref: str) -> bool:
    """Whether the order's package of that reference was stored."""
    return conn.execute(sa.select(packages.c.id).where(
        packages.c.order_id == order_id, packages.c.package_ref == package_ref)).first() \
        is not None


def get(conn: Connection, package_id: int) -> tuple[int, Package] | None:
    """(order id, package)."""
    row = conn.execute(sa.select(packages.c.order_id, packages.c.lines)
                       .where(packages.c.id == package_id)).first()
    if row is None:
        return None
    return int(row.order_id), Package.model_validate(row.lines)


def count_by_channel(conn: Connection, tenant_id: str | None = None) -> dict[str, int]:
    query = sa.select(orders.c.channel, sa.func.count()).select_from(
        packages.join(orders, packages.c.order_id == orders.c.id)).group_by(orders.c.channel)
    if tenant_id is not None:
        query = query.where(packages.c.tenant_id == tenant_id)
    return {str(channel): int(n) for channel, n in conn.execute(query)}


